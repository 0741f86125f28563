//! The `Deserializer` over a `&Value`. No path is carried down: an error
//! gets its path on the way up, each level adding its step
//! ([`ModelError::under`]), so reading allocates nothing for paths.

use serde::de::{DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserializer;

use super::{raw, ModelError, FIELD_TOKEN, RAW_TOKEN};
use crate::framework::path::PathStep;
use crate::framework::value::Value;

static NULL: Value = Value::Null;

/// Reads one value.
pub(crate) struct ValueDeserializer<'a> {
    value: &'a Value,
    /// Whether an unknown reads as null (except in a `Field`, which can
    /// hold it), instead of being an error.
    unknown_as_null: bool,
}

impl<'a> ValueDeserializer<'a> {
    pub(crate) fn new(value: &'a Value, unknown_as_null: bool) -> Self {
        ValueDeserializer {
            value,
            unknown_as_null,
        }
    }

    /// The value as the model reads it outside a `Field`.
    fn seen(&self) -> &'a Value {
        if self.unknown_as_null && self.value.is_unknown() {
            &NULL
        } else {
            self.value
        }
    }

    fn fail(&self, expected: &str) -> ModelError {
        ModelError::new(expected, self.seen().kind_name())
    }

    /// Deserializes a child, its errors placed under `step`.
    fn child<'de, S: DeserializeSeed<'de>>(
        seed: S,
        value: &'a Value,
        step: impl FnOnce() -> PathStep,
        unknown_as_null: bool,
    ) -> Result<S::Value, ModelError>
    where
        'a: 'de,
    {
        seed.deserialize(ValueDeserializer::new(value, unknown_as_null))
            .map_err(|e| e.under(step()))
    }
}

impl<'de, 'a: 'de> Deserializer<'de> for ValueDeserializer<'a> {
    type Error = ModelError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.seen() {
            Value::Null => visitor.visit_none(),
            Value::Unknown => Err(self.fail("a known value")),
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(f) = n.as_f64() {
                    visitor.visit_f64(f)
                } else {
                    Err(self.fail("a number that fits a 64-bit float"))
                }
            }
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                visitor.visit_seq(Seq {
                    items: items.iter().enumerate(),
                    unknown_as_null: self.unknown_as_null,
                })
            }
            Value::Map(m) | Value::Object(m) => visitor.visit_map(Entries {
                entries: m.iter(),
                pending: None,
                unknown_as_null: self.unknown_as_null,
            }),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
        byte_buf identifier ignored_any
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.seen() {
            Value::Null => visitor.visit_none(),
            Value::Unknown => Err(self.fail("a known value")),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.seen() {
            Value::Null => visitor.visit_unit(),
            _ => Err(self.fail("null")),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        if name == RAW_TOKEN {
            raw::hand_over(self.value.clone());
            return visitor.visit_unit();
        }
        if name == FIELD_TOKEN {
            return match self.value {
                Value::Null => visitor.visit_none(),
                Value::Unknown => visitor.visit_unit(),
                _ => visitor.visit_some(self),
            };
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.seen() {
            Value::List(_) | Value::Set(_) | Value::Tuple(_) => self.deserialize_any(visitor),
            _ => Err(self.fail("a list or set")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.seen() {
            Value::Map(_) | Value::Object(_) => self.deserialize_any(visitor),
            _ => Err(self.fail("a map or object")),
        }
    }

    /// Visits the model's fields in order, each with its attribute's value
    /// (null when the value lacks it); attributes the model does not name
    /// are skipped.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        match self.seen() {
            Value::Map(m) | Value::Object(m) => visitor.visit_map(Fields {
                fields: fields.iter(),
                object: m,
                pending: None,
                unknown_as_null: self.unknown_as_null,
            }),
            _ => Err(self.fail("an object")),
        }
    }

    /// Enums are strings holding the variant name.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        match self.seen() {
            Value::String(s) => visitor.visit_enum(
                IntoDeserializer::<ModelError>::into_deserializer(s.as_str()),
            ),
            _ => Err(self.fail("a string naming a variant")),
        }
    }
}

struct Seq<'a> {
    items: std::iter::Enumerate<std::slice::Iter<'a, Value>>,
    unknown_as_null: bool,
}

impl<'de, 'a: 'de> SeqAccess<'de> for Seq<'a> {
    type Error = ModelError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ModelError> {
        let Some((i, v)) = self.items.next() else {
            return Ok(None);
        };
        let step = || PathStep::ElementKeyInt(i as i64);
        ValueDeserializer::child(seed, v, step, self.unknown_as_null).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// The entries of a map (or of an object read as a map).
struct Entries<'a> {
    entries: crate::framework::value::map::Iter<'a>,
    pending: Option<(&'a String, &'a Value)>,
    unknown_as_null: bool,
}

impl<'de, 'a: 'de> MapAccess<'de> for Entries<'a> {
    type Error = ModelError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ModelError> {
        let Some((k, v)) = self.entries.next() else {
            return Ok(None);
        };
        self.pending = Some((k, v));
        seed.deserialize(k.as_str().into_deserializer()).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<S::Value, ModelError> {
        let (k, v) = self
            .pending
            .take()
            .ok_or_else(|| ModelError::new("a map key before its value", "a value"))?;
        let step = || PathStep::ElementKeyString(k.clone());
        ValueDeserializer::child(seed, v, step, self.unknown_as_null)
    }
}

/// The model's fields, looked up in an object.
struct Fields<'a> {
    fields: std::slice::Iter<'static, &'static str>,
    object: &'a crate::framework::value::ValueMap,
    pending: Option<&'static str>,
    unknown_as_null: bool,
}

impl<'de, 'a: 'de> MapAccess<'de> for Fields<'a> {
    type Error = ModelError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ModelError> {
        let Some(name) = self.fields.next() else {
            return Ok(None);
        };
        self.pending = Some(name);
        seed.deserialize((*name).into_deserializer()).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<S::Value, ModelError> {
        let name = self
            .pending
            .take()
            .ok_or_else(|| ModelError::new("a field name before its value", "a value"))?;
        let value = self.object.get(name).unwrap_or(&NULL);
        let step = || PathStep::Attribute(name.to_string());
        ValueDeserializer::child(seed, value, step, self.unknown_as_null)
    }
}
