//! The `Serializer` into a `Value` of a given `Type`. No path is carried
//! down: an error gets its path on the way up, each level adding its step
//! ([`ModelError::under`]), so writing allocates nothing for paths.

use serde::ser::{self, Impossible, Serialize};

use super::{raw, ModelError, RAW_TOKEN, UNKNOWN_TOKEN};
use crate::framework::path::PathStep;
use crate::framework::types::Type;
use crate::framework::value::{Number, Value, ValueMap};

/// Writes one value of type `ty`.
pub(crate) struct ValueSerializer<'t> {
    ty: &'t Type,
}

impl<'t> ValueSerializer<'t> {
    pub(crate) fn new(ty: &'t Type) -> Self {
        ValueSerializer { ty }
    }

    fn fail(&self, found: &str) -> ModelError {
        ModelError::new(format!("a value of type {}", self.ty), found)
    }

    fn number(self, n: Option<Number>) -> Result<Value, ModelError> {
        match (self.ty, n) {
            (Type::Number | Type::Dynamic, Some(n)) => Ok(Value::Number(n)),
            (Type::Number | Type::Dynamic, None) => Err(self.fail("a number that is not finite")),
            _ => Err(self.fail("a number")),
        }
    }

    fn string(self, s: &str) -> Result<Value, ModelError> {
        match self.ty {
            Type::String | Type::Dynamic => Ok(Value::string(s)),
            _ => Err(self.fail("a string")),
        }
    }

    /// The element type of a sequence at `i`, and how to wrap the items.
    fn seq(self, len: Option<usize>) -> Result<SeqWriter<'t>, ModelError> {
        let kind = match self.ty {
            Type::List(_) | Type::Dynamic => SeqKind::List,
            Type::Set(_) => SeqKind::Set,
            Type::Tuple(_) => SeqKind::Tuple,
            _ => return Err(self.fail("a list")),
        };
        Ok(SeqWriter {
            ty: self.ty,
            kind,
            items: Vec::with_capacity(len.unwrap_or(0)),
        })
    }

    fn map(self) -> Result<MapWriter<'t>, ModelError> {
        match self.ty {
            Type::Map(_) | Type::Object { .. } | Type::Dynamic => Ok(MapWriter {
                ty: self.ty,
                entries: ValueMap::new(),
                key: None,
            }),
            _ => Err(self.fail("a map or struct")),
        }
    }
}

fn float(f: f64) -> Option<Number> {
    // The shortest text that reads back as `f` (0.1 stays 0.1).
    f.is_finite()
        .then(|| Number::parse(&format!("{f}")).ok())
        .flatten()
}

/// Narrow numbers are written as their widest kind.
macro_rules! widen {
    ($($m:ident($t:ty) => $wide:ident),* $(,)?) => {
        $(fn $m(self, v: $t) -> Result<Value, ModelError> {
            self.$wide(v.into())
        })*
    };
}

impl<'t> ser::Serializer for ValueSerializer<'t> {
    type Ok = Value;
    type Error = ModelError;
    type SerializeSeq = SeqWriter<'t>;
    type SerializeTuple = SeqWriter<'t>;
    type SerializeTupleStruct = SeqWriter<'t>;
    type SerializeTupleVariant = Impossible<Value, ModelError>;
    type SerializeMap = MapWriter<'t>;
    type SerializeStruct = MapWriter<'t>;
    type SerializeStructVariant = Impossible<Value, ModelError>;

    fn serialize_bool(self, v: bool) -> Result<Value, ModelError> {
        match self.ty {
            Type::Bool | Type::Dynamic => Ok(Value::Bool(v)),
            _ => Err(self.fail("a bool")),
        }
    }

    widen! {
        serialize_i8(i8) => serialize_i64, serialize_i16(i16) => serialize_i64,
        serialize_i32(i32) => serialize_i64, serialize_u8(u8) => serialize_u64,
        serialize_u16(u16) => serialize_u64, serialize_u32(u32) => serialize_u64,
        serialize_f32(f32) => serialize_f64,
    }
    fn serialize_i64(self, v: i64) -> Result<Value, ModelError> {
        self.number(Some(Number::from(v)))
    }
    fn serialize_u64(self, v: u64) -> Result<Value, ModelError> {
        self.number(Some(Number::from(v)))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, ModelError> {
        self.number(float(v))
    }
    fn serialize_char(self, v: char) -> Result<Value, ModelError> {
        self.string(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<Value, ModelError> {
        self.string(v)
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<Value, ModelError> {
        Err(self.fail("bytes"))
    }
    fn serialize_none(self) -> Result<Value, ModelError> {
        Ok(Value::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, ModelError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, ModelError> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<Value, ModelError> {
        Ok(if name == UNKNOWN_TOKEN {
            Value::Unknown
        } else {
            Value::Null
        })
    }
    /// Enums are strings holding the variant name.
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, ModelError> {
        self.string(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Value, ModelError> {
        if name == RAW_TOKEN {
            return Ok(raw::take().unwrap_or(Value::Null));
        }
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<Value, ModelError> {
        Err(self.fail("an enum variant with data"))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqWriter<'t>, ModelError> {
        self.seq(len)
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqWriter<'t>, ModelError> {
        self.seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<SeqWriter<'t>, ModelError> {
        self.seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, ModelError> {
        Err(self.fail("an enum variant with data"))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<MapWriter<'t>, ModelError> {
        self.map()
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<MapWriter<'t>, ModelError> {
        self.map()
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, ModelError> {
        Err(self.fail("an enum variant with data"))
    }
}

enum SeqKind {
    List,
    Set,
    Tuple,
}

/// Collects the items of a list, set or tuple.
pub(crate) struct SeqWriter<'t> {
    ty: &'t Type,
    kind: SeqKind,
    items: Vec<Value>,
}

impl SeqWriter<'_> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ModelError> {
        let i = self.items.len();
        let step = || PathStep::ElementKeyInt(i as i64);
        let elem = match self.ty {
            Type::List(e) | Type::Set(e) => e.as_ref(),
            Type::Tuple(es) => es.get(i).ok_or_else(|| {
                ModelError::new(format!("a tuple of {} elements", es.len()), "more").under(step())
            })?,
            _ => &Type::Dynamic,
        };
        let v = value
            .serialize(ValueSerializer::new(elem))
            .map_err(|e| e.under(step()))?;
        self.items.push(v);
        Ok(())
    }

    fn finish(self) -> Result<Value, ModelError> {
        if let Type::Tuple(es) = self.ty {
            if es.len() != self.items.len() {
                return Err(ModelError::new(
                    format!("a tuple of {} elements", es.len()),
                    format!("{} elements", self.items.len()),
                ));
            }
        }
        Ok(match self.kind {
            SeqKind::List => Value::List(self.items),
            SeqKind::Set => Value::Set(self.items),
            SeqKind::Tuple => Value::Tuple(self.items),
        })
    }
}

macro_rules! seq_impl {
    ($($tr:ident :: $m:ident),*) => {
        $(impl ser::$tr for SeqWriter<'_> {
            type Ok = Value;
            type Error = ModelError;
            fn $m<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ModelError> {
                self.push(value)
            }
            fn end(self) -> Result<Value, ModelError> {
                self.finish()
            }
        })*
    };
}

seq_impl!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

/// Collects the entries of a map, or the fields of an object.
pub(crate) struct MapWriter<'t> {
    ty: &'t Type,
    entries: ValueMap,
    key: Option<String>,
}

impl MapWriter<'_> {
    fn put<T: Serialize + ?Sized>(&mut self, key: String, value: &T) -> Result<(), ModelError> {
        let step = |key: &str| match self.ty {
            Type::Map(_) => PathStep::ElementKeyString(key.to_string()),
            _ => PathStep::Attribute(key.to_string()),
        };
        let ty = match self.ty {
            Type::Object { attributes, .. } => attributes.get(&key).ok_or_else(|| {
                ModelError::new("an attribute of the schema", format!("field {key}"))
                    .under(step(&key))
            })?,
            Type::Map(e) => e.as_ref(),
            _ => &Type::Dynamic,
        };
        let v = value
            .serialize(ValueSerializer::new(ty))
            .map_err(|e| e.under(step(&key)))?;
        self.entries.insert(key, v);
        Ok(())
    }

    /// An object gets every attribute of its type, null when unset.
    fn finish(mut self) -> Result<Value, ModelError> {
        match self.ty {
            Type::Object { attributes, .. } => {
                for name in attributes.keys() {
                    if !self.entries.contains_key(name) {
                        self.entries.insert(name.clone(), Value::Null);
                    }
                }
                Ok(Value::Object(self.entries))
            }
            Type::Map(_) => Ok(Value::Map(self.entries)),
            _ => Ok(Value::Object(self.entries)),
        }
    }
}

impl ser::SerializeMap for MapWriter<'_> {
    type Ok = Value;
    type Error = ModelError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), ModelError> {
        self.key = Some(key.serialize(KeySerializer)?);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ModelError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| ModelError::new("a map key before its value", "a value"))?;
        self.put(key, value)
    }

    fn end(self) -> Result<Value, ModelError> {
        self.finish()
    }
}

impl ser::SerializeStruct for MapWriter<'_> {
    type Ok = Value;
    type Error = ModelError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), ModelError> {
        self.put(key.to_string(), value)
    }

    fn end(self) -> Result<Value, ModelError> {
        self.finish()
    }
}

/// Map keys must be strings.
struct KeySerializer;

fn not_a_key<T>() -> Result<T, ModelError> {
    Err(ModelError::new("a string map key", "another kind of key"))
}

/// Scalar methods of the key serializer, all refusing.
macro_rules! not_keys {
    ($($m:ident($t:ty))*) => {
        $(fn $m(self, _v: $t) -> Result<String, ModelError> {
            not_a_key()
        })*
    };
}

impl ser::Serializer for KeySerializer {
    type Ok = String;
    type Error = ModelError;
    type SerializeSeq = Impossible<String, ModelError>;
    type SerializeTuple = Impossible<String, ModelError>;
    type SerializeTupleStruct = Impossible<String, ModelError>;
    type SerializeTupleVariant = Impossible<String, ModelError>;
    type SerializeMap = Impossible<String, ModelError>;
    type SerializeStruct = Impossible<String, ModelError>;
    type SerializeStructVariant = Impossible<String, ModelError>;

    fn serialize_str(self, v: &str) -> Result<String, ModelError> {
        Ok(v.to_string())
    }
    fn serialize_char(self, v: char) -> Result<String, ModelError> {
        Ok(v.to_string())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<String, ModelError> {
        Ok(variant.to_string())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<String, ModelError> {
        value.serialize(self)
    }
    not_keys! {
        serialize_bool(bool) serialize_i8(i8) serialize_i16(i16) serialize_i32(i32)
        serialize_i64(i64) serialize_u8(u8) serialize_u16(u16) serialize_u32(u32)
        serialize_u64(u64) serialize_f32(f32) serialize_f64(f64) serialize_bytes(&[u8])
    }
    fn serialize_none(self) -> Result<String, ModelError> {
        not_a_key()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<String, ModelError> {
        not_a_key()
    }
    fn serialize_unit(self) -> Result<String, ModelError> {
        not_a_key()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<String, ModelError> {
        not_a_key()
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<String, ModelError> {
        not_a_key()
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, ModelError> {
        not_a_key()
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, ModelError> {
        not_a_key()
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, ModelError> {
        not_a_key()
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, ModelError> {
        not_a_key()
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, ModelError> {
        not_a_key()
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, ModelError> {
        not_a_key()
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, ModelError> {
        not_a_key()
    }
}
