//! Terraform's MessagePack encoding of values (`DynamicValue.msgpack`).
//!
//! Null is `nil`; any extension value is an unknown; numbers arrive as
//! integers, floats or decimal strings; a value of type `dynamic` is a
//! two-element array `[type JSON bytes, value]`.

use std::collections::BTreeMap;

use crate::framework::path::{AttributePath, PathStep};
use crate::framework::types::Type;
use crate::framework::value::{Number, Value};

/// Deepest value nesting accepted by the decoder and encoder.
pub const MAX_VALUE_DEPTH: usize = 64;

/// How many bytes of decoded [`Value`] one byte of message may become, at
/// most. Every value takes a 32-byte slot, so a message made only of
/// one-byte values (a list of `nil`, booleans or small integers) decodes to
/// about 33 times its size; nothing Terraform sends goes beyond that. What
/// would — an object sent as an empty map, each of its missing attributes
/// then filled in as null; huge number texts — is refused once it passes
/// this ratio, before the memory is taken.
pub const MAX_DECODED_RATIO: usize = 40;

/// The decoded size always allowed, whatever the message's size: 1 MiB.
pub const MIN_DECODED_BUDGET: usize = 1 << 20;

/// The memory a decoded value takes in its parent (a `Vec` slot).
pub(crate) const SLOT: usize = std::mem::size_of::<Value>();

/// The memory one map or object entry takes besides its key's text: the
/// key's `String`, the value's slot, and a share of the B-tree node.
pub(crate) const ENTRY: usize = std::mem::size_of::<String>() + SLOT + 8;

/// What a message may still become once decoded: [`MAX_DECODED_RATIO`]
/// times its size, at least [`MIN_DECODED_BUDGET`]. Shared by the msgpack
/// and JSON decoders.
#[derive(Debug)]
pub(crate) struct DecodeBudget {
    left: usize,
    message_len: usize,
}

impl DecodeBudget {
    /// The budget of a message of `message_len` bytes.
    pub(crate) fn for_message(message_len: usize) -> Self {
        DecodeBudget {
            left: message_len
                .saturating_mul(MAX_DECODED_RATIO)
                .max(MIN_DECODED_BUDGET),
            message_len,
        }
    }

    /// No bound: for a value already parsed by someone else.
    pub(crate) fn unlimited() -> Self {
        DecodeBudget {
            left: usize::MAX,
            message_len: usize::MAX,
        }
    }

    /// Takes `bytes` from the budget, or says why it cannot.
    pub(crate) fn charge(&mut self, bytes: usize) -> Result<(), String> {
        match self.left.checked_sub(bytes) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => Err(format!(
                "the decoded value would take more than {MAX_DECODED_RATIO} times the {} bytes \
                 of the message",
                self.message_len
            )),
        }
    }
}

/// Failure to decode or encode a MessagePack value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at {}", if path.is_root() { "the root".to_string() } else { path.to_string() })]
pub struct MsgpackError {
    /// Where in the value the problem is.
    pub path: AttributePath,
    /// What went wrong (never contains value contents).
    pub message: String,
}

impl MsgpackError {
    /// This error one step further from the root: `step` goes before its
    /// path. The reader and the writer name the path of a failure this way,
    /// as it travels up, instead of keeping a path (one `String` per
    /// attribute) for every value that succeeds.
    fn under(mut self, step: PathStep) -> Self {
        let mut steps = Vec::with_capacity(self.path.steps().len() + 1);
        steps.push(step);
        steps.extend_from_slice(self.path.steps());
        self.path = AttributePath::from_steps(steps);
        self
    }
}

fn err(path: &[PathStep], message: impl Into<String>) -> MsgpackError {
    MsgpackError {
        path: AttributePath::from_steps(path.to_vec()),
        message: message.into(),
    }
}

enum Head<'a> {
    Nil,
    Bool(bool),
    UInt(u64),
    Int(i64),
    Float(f64),
    Str(&'a [u8]),
    Bin(&'a [u8]),
    Array(usize),
    Map(usize),
    Ext,
}

impl Head<'_> {
    fn name(&self) -> &'static str {
        match self {
            Head::Nil => "nil",
            Head::Bool(_) => "bool",
            Head::UInt(_) | Head::Int(_) => "integer",
            Head::Float(_) => "float",
            Head::Str(_) => "string",
            Head::Bin(_) => "binary",
            Head::Array(_) => "array",
            Head::Map(_) => "map",
            Head::Ext => "extension",
        }
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    path: Vec<PathStep>,
    /// What the decoded value may still take.
    budget: DecodeBudget,
}

impl<'a> Reader<'a> {
    /// Takes `bytes` of decoded size from the budget, before they are
    /// allocated where that can be done.
    fn charge(&mut self, bytes: usize) -> Result<(), MsgpackError> {
        self.budget
            .charge(bytes)
            .map_err(|message| err(&self.path, message))
    }

    /// A string's text, its length charged first.
    fn text(&mut self, b: &'a [u8]) -> Result<String, MsgpackError> {
        self.charge(b.len())?;
        Ok(self.utf8(b)?.to_string())
    }

    /// A number, its text charged.
    fn number(&mut self, n: Number) -> Result<Value, MsgpackError> {
        self.charge(n.as_str().len())?;
        Ok(Value::Number(n))
    }

    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], MsgpackError> {
        if n > self.remaining() {
            return Err(err(&self.path, "unexpected end of data"));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, MsgpackError> {
        Ok(self.take(1)?[0])
    }

    fn be(&mut self, n: usize) -> Result<u64, MsgpackError> {
        let bytes = self.take(n)?;
        Ok(bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    fn len(&mut self, n: usize) -> Result<usize, MsgpackError> {
        let v = self.be(n)?;
        usize::try_from(v).map_err(|_| err(&self.path, "length too large"))
    }

    fn head(&mut self) -> Result<Head<'a>, MsgpackError> {
        let m = self.u8()?;
        Ok(match m {
            0x00..=0x7f => Head::UInt(u64::from(m)),
            0x80..=0x8f => Head::Map(usize::from(m & 0x0f)),
            0x90..=0x9f => Head::Array(usize::from(m & 0x0f)),
            0xa0..=0xbf => Head::Str(self.take(usize::from(m & 0x1f))?),
            0xc0 => Head::Nil,
            0xc2 => Head::Bool(false),
            0xc3 => Head::Bool(true),
            0xc4 => {
                let n = self.len(1)?;
                Head::Bin(self.take(n)?)
            }
            0xc5 => {
                let n = self.len(2)?;
                Head::Bin(self.take(n)?)
            }
            0xc6 => {
                let n = self.len(4)?;
                Head::Bin(self.take(n)?)
            }
            0xc7..=0xc9 => {
                let n = self.len(1 << (m - 0xc7))?;
                self.take(1)?; // extension type
                self.take(n)?;
                Head::Ext
            }
            0xca => Head::Float(f64::from(f32::from_bits(self.be(4)? as u32))),
            0xcb => Head::Float(f64::from_bits(self.be(8)?)),
            0xcc => Head::UInt(self.be(1)?),
            0xcd => Head::UInt(self.be(2)?),
            0xce => Head::UInt(self.be(4)?),
            0xcf => Head::UInt(self.be(8)?),
            0xd0 => Head::Int(i64::from(self.be(1)? as u8 as i8)),
            0xd1 => Head::Int(i64::from(self.be(2)? as u16 as i16)),
            0xd2 => Head::Int(i64::from(self.be(4)? as u32 as i32)),
            0xd3 => Head::Int(self.be(8)? as i64),
            0xd4..=0xd8 => {
                self.take(1)?; // extension type
                self.take(1 << (m - 0xd4))?;
                Head::Ext
            }
            0xd9 => {
                let n = self.len(1)?;
                Head::Str(self.take(n)?)
            }
            0xda => {
                let n = self.len(2)?;
                Head::Str(self.take(n)?)
            }
            0xdb => {
                let n = self.len(4)?;
                Head::Str(self.take(n)?)
            }
            0xdc => Head::Array(self.len(2)?),
            0xdd => Head::Array(self.len(4)?),
            0xde => Head::Map(self.len(2)?),
            0xdf => Head::Map(self.len(4)?),
            0xe0..=0xff => Head::Int(i64::from(m as i8)),
            0xc1 => return Err(err(&self.path, "reserved marker byte 0xc1")),
        })
    }

    fn utf8(&self, b: &'a [u8]) -> Result<&'a str, MsgpackError> {
        std::str::from_utf8(b).map_err(|_| err(&self.path, "string is not valid UTF-8"))
    }

    fn mismatch(&self, ty: &Type, h: &Head<'_>) -> MsgpackError {
        err(
            &self.path,
            format!("expected a value of type {ty}, found msgpack {}", h.name()),
        )
    }

    /// A capacity hint that a lying length prefix cannot inflate: every
    /// element takes at least one byte.
    fn cap(&self, n: usize) -> usize {
        n.min(self.remaining())
    }

    fn value(&mut self, ty: &Type, depth: usize) -> Result<Value, MsgpackError> {
        if depth > MAX_VALUE_DEPTH {
            return Err(err(&self.path, "value nested too deeply"));
        }
        let h = self.head()?;
        match h {
            Head::Nil => return Ok(Value::Null),
            Head::Ext => return Ok(Value::Unknown),
            _ => {}
        }
        match ty {
            Type::String => match h {
                Head::Str(b) => Ok(Value::String(self.text(b)?)),
                _ => Err(self.mismatch(ty, &h)),
            },
            Type::Bool => match h {
                Head::Bool(b) => Ok(Value::Bool(b)),
                _ => Err(self.mismatch(ty, &h)),
            },
            Type::Number => match h {
                Head::UInt(u) => self.number(Number::from(u)),
                Head::Int(i) => self.number(Number::from(i)),
                Head::Float(f) => match Number::from_f64(f) {
                    Some(n) => self.number(n),
                    None => Err(err(&self.path, "number is not finite")),
                },
                Head::Str(b) => match Number::parse(self.utf8(b)?) {
                    Ok(n) => self.number(n),
                    Err(_) => Err(err(&self.path, "invalid number text")),
                },
                _ => Err(self.mismatch(ty, &h)),
            },
            Type::List(e) | Type::Set(e) => {
                let Head::Array(n) = h else {
                    return Err(self.mismatch(ty, &h));
                };
                let cap = self.cap(n);
                self.charge(cap.saturating_mul(SLOT))?;
                let mut out = Vec::with_capacity(cap);
                for i in 0..n {
                    out.push(
                        self.value(e, depth + 1)
                            .map_err(|e| e.under(PathStep::ElementKeyInt(i as i64)))?,
                    );
                }
                Ok(if matches!(ty, Type::List(_)) {
                    Value::List(out)
                } else {
                    Value::Set(out)
                })
            }
            Type::Tuple(es) => {
                let Head::Array(n) = h else {
                    return Err(self.mismatch(ty, &h));
                };
                if n != es.len() {
                    return Err(err(
                        &self.path,
                        format!("tuple needs {} elements, found {n}", es.len()),
                    ));
                }
                self.charge(n.saturating_mul(SLOT))?;
                let mut out = Vec::with_capacity(n);
                for (i, e) in es.iter().enumerate() {
                    out.push(
                        self.value(e, depth + 1)
                            .map_err(|e| e.under(PathStep::ElementKeyInt(i as i64)))?,
                    );
                }
                Ok(Value::Tuple(out))
            }
            Type::Map(e) => {
                let Head::Map(n) = h else {
                    return Err(self.mismatch(ty, &h));
                };
                let mut out = BTreeMap::new();
                for _ in 0..n {
                    let k = self.key()?;
                    self.charge(ENTRY)?;
                    let v = self
                        .value(e, depth + 1)
                        .map_err(|e| e.under(PathStep::ElementKeyString(k.clone())))?;
                    out.insert(k, v);
                }
                Ok(Value::Map(out))
            }
            Type::Object { attributes, .. } => {
                let Head::Map(n) = h else {
                    return Err(self.mismatch(ty, &h));
                };
                let mut out = BTreeMap::new();
                for _ in 0..n {
                    let k = self.key()?;
                    let Some(aty) = attributes.get(&k) else {
                        return Err(err(&self.path, format!("unsupported attribute {k:?}")));
                    };
                    self.charge(ENTRY)?;
                    let v = self
                        .value(aty, depth + 1)
                        .map_err(|e| e.under(PathStep::Attribute(k.clone())))?;
                    if out.insert(k, v).is_some() {
                        return Err(err(&self.path, "duplicate attribute"));
                    }
                }
                // Unknown and repeated names were refused: as many as the
                // schema has means every one is there. Attributes left out
                // are null: each costs as much as one sent, so an empty map
                // cannot stand for a large object.
                if out.len() < attributes.len() {
                    for name in attributes.keys() {
                        if !out.contains_key(name) {
                            self.charge(ENTRY + name.len())?;
                            out.insert(name.clone(), Value::Null);
                        }
                    }
                }
                Ok(Value::Object(out))
            }
            Type::Dynamic => {
                let Head::Array(2) = h else {
                    return Err(err(
                        &self.path,
                        "dynamic value must be a [type, value] pair",
                    ));
                };
                let tb = match self.head()? {
                    Head::Str(b) | Head::Bin(b) => b,
                    other => {
                        return Err(err(
                            &self.path,
                            format!("dynamic type must be bytes, found {}", other.name()),
                        ))
                    }
                };
                let inner = Type::from_json_bytes(tb)
                    .map_err(|e| err(&self.path, format!("dynamic value type: {e}")))?;
                self.value(&inner, depth + 1)
            }
        }
    }

    fn key(&mut self) -> Result<String, MsgpackError> {
        match self.head()? {
            Head::Str(b) => self.text(b),
            other => Err(err(
                &self.path,
                format!("map key must be a string, found {}", other.name()),
            )),
        }
    }
}

/// Decodes `bytes` as a value of type `ty`. Trailing bytes are an error, and
/// so is a message whose decoded value would take more than
/// [`MAX_DECODED_RATIO`] times its size (or [`MIN_DECODED_BUDGET`]).
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, MsgpackError> {
    let mut r = Reader {
        buf: bytes,
        pos: 0,
        path: Vec::new(),
        budget: DecodeBudget::for_message(bytes.len()),
    };
    r.charge(SLOT)?;
    let v = r.value(ty, 0)?;
    if r.remaining() != 0 {
        return Err(err(&[], "trailing bytes after value"));
    }
    Ok(v)
}

/// Encodes `value` as type `ty`.
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, MsgpackError> {
    let mut w = Writer {
        out: Vec::new(),
        path: Vec::new(),
    };
    w.value(value, ty, 0)?;
    Ok(w.out)
}

/// Best-effort concrete type of a value, used for `dynamic`.
pub fn infer_type(value: &Value) -> Type {
    fn elem(v: &[Value]) -> Type {
        v.iter()
            .find(|e| !e.is_null() && e.is_known())
            .map_or(Type::Dynamic, infer_type)
    }
    match value {
        Value::Null | Value::Unknown => Type::Dynamic,
        Value::String(_) => Type::String,
        Value::Number(_) => Type::Number,
        Value::Bool(_) => Type::Bool,
        Value::List(v) => Type::list(elem(v)),
        Value::Set(v) => Type::set(elem(v)),
        Value::Tuple(v) => Type::Tuple(v.iter().map(infer_type).collect()),
        Value::Map(m) => {
            let vals: Vec<Value> = m.values().take(8).cloned().collect();
            Type::map(elem(&vals))
        }
        Value::Object(m) => Type::object(m.iter().map(|(k, v)| (k.clone(), infer_type(v)))),
    }
}

struct Writer {
    out: Vec<u8>,
    path: Vec<PathStep>,
}

impl Writer {
    fn mismatch(&self, ty: &Type, v: &Value) -> MsgpackError {
        err(
            &self.path,
            format!("cannot encode a {} as {ty}", v.kind_name()),
        )
    }

    fn array_len(&mut self, n: usize) -> Result<(), MsgpackError> {
        let n = u32::try_from(n).map_err(|_| err(&self.path, "collection too large"))?;
        rmp::encode::write_array_len(&mut self.out, n)
            .map(|_| ())
            .map_err(|_| err(&self.path, "write failed"))
    }

    fn map_len(&mut self, n: usize) -> Result<(), MsgpackError> {
        let n = u32::try_from(n).map_err(|_| err(&self.path, "collection too large"))?;
        rmp::encode::write_map_len(&mut self.out, n)
            .map(|_| ())
            .map_err(|_| err(&self.path, "write failed"))
    }

    fn str(&mut self, s: &str) -> Result<(), MsgpackError> {
        rmp::encode::write_str(&mut self.out, s).map_err(|_| err(&self.path, "write failed"))
    }

    fn value(&mut self, v: &Value, ty: &Type, depth: usize) -> Result<(), MsgpackError> {
        if depth > MAX_VALUE_DEPTH {
            return Err(err(&self.path, "value nested too deeply"));
        }
        match v {
            Value::Null => {
                self.out.push(0xc0);
                return Ok(());
            }
            Value::Unknown => {
                self.out.extend_from_slice(&[0xd4, 0x00, 0x00]);
                return Ok(());
            }
            _ => {}
        }
        match (ty, v) {
            (Type::String, Value::String(s)) => self.str(s),
            (Type::Bool, Value::Bool(b)) => {
                self.out.push(if *b { 0xc3 } else { 0xc2 });
                Ok(())
            }
            (Type::Number, Value::Number(n)) => {
                let r = if let Some(i) = n.as_i64() {
                    rmp::encode::write_sint(&mut self.out, i).map(|_| ())
                } else if let Some(u) = n.as_u64() {
                    rmp::encode::write_uint(&mut self.out, u).map(|_| ())
                } else {
                    // Fractions and huge values go as exact decimal text: a
                    // float would not equal the same number parsed by Terraform.
                    return self.str(n.as_str());
                };
                r.map_err(|_| err(&self.path, "write failed"))
            }
            (Type::List(e) | Type::Set(e), Value::List(items) | Value::Set(items)) => {
                self.array_len(items.len())?;
                for (i, item) in items.iter().enumerate() {
                    self.value(item, e, depth + 1)
                        .map_err(|e| e.under(PathStep::ElementKeyInt(i as i64)))?;
                }
                Ok(())
            }
            (Type::Tuple(es), Value::Tuple(items) | Value::List(items)) => {
                if es.len() != items.len() {
                    return Err(err(
                        &self.path,
                        format!("tuple needs {} elements, found {}", es.len(), items.len()),
                    ));
                }
                self.array_len(items.len())?;
                for (i, (item, e)) in items.iter().zip(es).enumerate() {
                    self.value(item, e, depth + 1)
                        .map_err(|e| e.under(PathStep::ElementKeyInt(i as i64)))?;
                }
                Ok(())
            }
            (Type::Map(e), Value::Map(m) | Value::Object(m)) => {
                self.map_len(m.len())?;
                for (k, item) in m {
                    self.str(k)?;
                    self.value(item, e, depth + 1)
                        .map_err(|e| e.under(PathStep::ElementKeyString(k.clone())))?;
                }
                Ok(())
            }
            (Type::Object { attributes, .. }, Value::Object(m) | Value::Map(m)) => {
                // Both maps are sorted by name: one walk pairs each
                // attribute with its value and finds a name not in the
                // schema, instead of a look-up per name in each map.
                let not_in_schema =
                    |k: &String| err(&self.path, format!("attribute {k:?} is not in the schema"));
                let mut values = m.iter().peekable();
                let mut paired: Vec<&Value> = Vec::with_capacity(attributes.len());
                for name in attributes.keys() {
                    match values.peek() {
                        Some((k, _)) if k.as_str() < name.as_str() => return Err(not_in_schema(k)),
                        Some((k, v)) if *k == name => {
                            paired.push(v);
                            values.next();
                        }
                        _ => paired.push(&Value::Null),
                    }
                }
                if let Some((k, _)) = values.next() {
                    return Err(not_in_schema(k));
                }
                self.map_len(attributes.len())?;
                for ((k, aty), v) in attributes.iter().zip(paired) {
                    self.str(k)?;
                    self.value(v, aty, depth + 1)
                        .map_err(|e| e.under(PathStep::Attribute(k.clone())))?;
                }
                Ok(())
            }
            (Type::Dynamic, v) => {
                let inner = infer_type(v);
                self.array_len(2)?;
                rmp::encode::write_bin(&mut self.out, &inner.to_json_bytes())
                    .map_err(|_| err(&self.path, "write failed"))?;
                self.value(v, &inner, depth + 1)
            }
            (ty, v) => Err(self.mismatch(ty, v)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj_type() -> Type {
        Type::object([
            ("s", Type::String),
            ("n", Type::Number),
            ("b", Type::Bool),
            ("l", Type::list(Type::String)),
            ("set", Type::set(Type::Number)),
            ("m", Type::map(Type::Bool)),
            ("t", Type::Tuple(vec![Type::String, Type::Number])),
            ("d", Type::Dynamic),
            (
                "nested",
                Type::list(Type::object([("x", Type::String), ("y", Type::Number)])),
            ),
        ])
    }

    fn sample() -> Value {
        Value::object([
            ("s", Value::from("hello")),
            ("n", Value::Number(Number::parse("3.25").unwrap())),
            ("b", Value::Bool(true)),
            (
                "l",
                Value::List(vec![Value::from("a"), Value::Unknown, Value::Null]),
            ),
            ("set", Value::Set(vec![Value::int(-5), Value::int(70000)])),
            (
                "m",
                Value::Map(
                    [("k".to_string(), Value::Bool(false))]
                        .into_iter()
                        .collect(),
                ),
            ),
            ("t", Value::Tuple(vec![Value::from("x"), Value::int(1)])),
            ("d", Value::object([("inner", Value::from("v"))])),
            (
                "nested",
                Value::List(vec![Value::object([
                    ("x", Value::from("q")),
                    ("y", Value::Unknown),
                ])]),
            ),
        ])
    }

    #[test]
    fn msgpack_round_trip_all_types() {
        let ty = obj_type();
        let v = sample();
        let bytes = encode(&v, &ty).unwrap();
        assert_eq!(decode(&bytes, &ty).unwrap(), v);
    }

    #[test]
    fn msgpack_round_trip_null_unknown_root_and_dynamic() {
        for v in [Value::Null, Value::Unknown] {
            let bytes = encode(&v, &obj_type()).unwrap();
            assert_eq!(decode(&bytes, &obj_type()).unwrap(), v);
        }
        let v = Value::List(vec![Value::int(1), Value::int(2)]);
        let bytes = encode(&v, &Type::Dynamic).unwrap();
        assert_eq!(bytes[0], 0x92);
        assert_eq!(decode(&bytes, &Type::Dynamic).unwrap(), v);
    }

    #[test]
    fn msgpack_missing_attributes_become_null() {
        // {"s": "x"} only.
        let bytes = [0x81, 0xa1, b's', 0xa1, b'x'];
        let v = decode(&bytes, &obj_type()).unwrap();
        assert_eq!(v.attr("s").as_str(), Some("x"));
        assert!(v.get_attr("n").unwrap().is_null());
    }

    #[test]
    fn msgpack_numbers_in_all_forms() {
        let ty = Type::Number;
        assert_eq!(decode(&[0x05], &ty).unwrap(), Value::int(5));
        assert_eq!(decode(&[0xff], &ty).unwrap(), Value::int(-1));
        assert_eq!(decode(&[0xd0, 0x80], &ty).unwrap(), Value::int(-128));
        let f = rmp_f64(1.5);
        assert_eq!(decode(&f, &ty).unwrap().as_f64(), Some(1.5));
        // Fractions are written as text.
        assert_eq!(
            encode(&Value::Number(Number::parse("0.1").unwrap()), &ty).unwrap(),
            vec![0xa3, b'0', b'.', b'1']
        );
        let big = "123456789012345678901234567890";
        let mut s = vec![0xa0 | big.len() as u8];
        s.extend_from_slice(big.as_bytes());
        let v = decode(&s, &ty).unwrap();
        assert_eq!(v.as_number().unwrap().as_str(), big);
        // Big numbers are written back as text, not rounded.
        assert_eq!(encode(&v, &ty).unwrap(), s);
        assert_eq!(encode(&Value::int(-1), &ty).unwrap(), vec![0xff]);
        let u = Value::Number(Number::from(u64::MAX));
        assert_eq!(decode(&encode(&u, &ty).unwrap(), &ty).unwrap(), u);
    }

    fn rmp_f64(f: f64) -> Vec<u8> {
        let mut v = vec![0xcb];
        v.extend_from_slice(&f.to_bits().to_be_bytes());
        v
    }

    #[test]
    fn msgpack_any_extension_is_unknown() {
        // ext8 len 3 type 12 (refined unknown) and fixext1 type 0.
        assert_eq!(
            decode(&[0xc7, 0x03, 0x0c, 1, 2, 3], &Type::String).unwrap(),
            Value::Unknown
        );
        assert_eq!(
            decode(&[0xd4, 0x00, 0x00], &Type::Number).unwrap(),
            Value::Unknown
        );
        assert_eq!(
            decode(&[0xd5, 0x00, 0x00, 0x00], &Type::Bool).unwrap(),
            Value::Unknown
        );
    }

    #[test]
    fn msgpack_malformed_inputs_are_errors() {
        let ty = obj_type();
        let good = encode(&sample(), &ty).unwrap();
        for cut in 0..good.len() {
            assert!(decode(&good[..cut], &ty).is_err(), "truncated at {cut}");
        }
        // Wrong type: a number for a string attribute, with the path named.
        let e = decode(&[0x81, 0xa1, b's', 0x05], &ty).unwrap_err();
        assert_eq!(e.path, AttributePath::new("s"));
        assert!(e.to_string().contains("at s"));
        // Unknown attribute.
        assert!(decode(&[0x81, 0xa1, b'z', 0xc0], &ty).is_err());
        // Non-string key.
        assert!(decode(&[0x81, 0x01, 0xc0], &ty).is_err());
        // Trailing bytes.
        assert!(decode(&[0xc0, 0xc0], &ty).is_err());
        // Reserved marker.
        assert!(decode(&[0xc1], &Type::String).is_err());
        // Invalid UTF-8.
        assert!(decode(&[0xa1, 0xff], &Type::String).is_err());
        // Bad number text.
        assert!(decode(&[0xa2, b'1', b'x'], &Type::Number).is_err());
        // NaN float.
        assert!(decode(&rmp_f64(f64::NAN), &Type::Number).is_err());
        // Tuple arity mismatch.
        assert!(decode(
            &[0x91, 0x01],
            &Type::Tuple(vec![Type::Number, Type::Number])
        )
        .is_err());
        // Dynamic with a bad type.
        assert!(decode(&[0x92, 0xa1, b'x', 0xc0], &Type::Dynamic).is_err());
        assert!(decode(&[0x91, 0xc0], &Type::Dynamic).is_err());
    }

    #[test]
    fn msgpack_huge_declared_lengths_fail_fast() {
        let ty = Type::list(Type::String);
        // array32 claiming 4 billion elements, then nothing.
        assert!(decode(&[0xdd, 0xff, 0xff, 0xff, 0xff], &ty).is_err());
        // str32 claiming 4 GiB.
        assert!(decode(&[0xdb, 0xff, 0xff, 0xff, 0xff, b'a'], &Type::String).is_err());
        // map32 huge.
        assert!(decode(&[0xdf, 0xff, 0xff, 0xff, 0xff], &Type::map(Type::String)).is_err());
        // ext32 huge.
        assert!(decode(&[0xc9, 0xff, 0xff, 0xff, 0xff, 0x00], &Type::String).is_err());
    }

    /// An array32 header for `n` elements.
    fn array32(n: usize) -> Vec<u8> {
        let mut v = vec![0xdd];
        v.extend_from_slice(&u32::try_from(n).unwrap().to_be_bytes());
        v
    }

    #[test]
    fn an_empty_map_cannot_stand_for_a_large_object() {
        // 20 000 empty maps (20 KB) as objects of 40 attributes: 800 000
        // attributes filled in as null, about 54 MB, 2 700 times the message.
        let ty = Type::list(Type::object(
            (0..40).map(|i| (format!("attribute_{i:02}"), Type::String)),
        ));
        let mut bytes = array32(20_000);
        bytes.extend(std::iter::repeat_n(0x80, 20_000));
        let e = decode(&bytes, &ty).unwrap_err();
        assert!(e.message.contains("40 times"), "{e}");
        // A few of them are fine: within the 1 MiB every message may take.
        let mut few = array32(100);
        few.extend(std::iter::repeat_n(0x80, 100));
        let v = decode(&few, &ty).unwrap();
        assert!(v.as_list().unwrap()[99].attr("attribute_39").is_null());
    }

    #[test]
    fn one_byte_values_decode_within_the_ratio() {
        // 100 000 nils, booleans or small integers: 3.2 MB from 100 KB,
        // beyond the 1 MiB floor, within 40 times.
        let n = 100_000;
        for (ty, byte) in [
            (Type::list(Type::String), 0xc0),
            (Type::list(Type::Bool), 0xc3),
            (Type::list(Type::Number), 0x07),
        ] {
            let mut bytes = array32(n);
            bytes.extend(std::iter::repeat_n(byte, n));
            let v = decode(&bytes, &ty).unwrap();
            assert_eq!(v.as_list().unwrap().len(), n);
        }
    }

    #[test]
    fn long_number_texts_are_charged() {
        // `1e999` (6 bytes) is a 1000-digit number: 2 MB from 12 KB.
        let n = 2_000;
        let mut bytes = array32(n);
        for _ in 0..n {
            bytes.extend_from_slice(&[0xa5, b'1', b'e', b'9', b'9', b'9']);
        }
        let e = decode(&bytes, &Type::list(Type::Number)).unwrap_err();
        assert!(e.message.contains("times"), "{e}");
    }

    #[test]
    fn msgpack_deep_nesting_rejected() {
        let mut ty = Type::String;
        for _ in 0..(MAX_VALUE_DEPTH + 5) {
            ty = Type::list(ty);
        }
        let mut bytes = vec![0x91; MAX_VALUE_DEPTH + 5];
        bytes.push(0xa0);
        let e = decode(&bytes, &ty).unwrap_err();
        assert!(e.message.contains("too deeply"));
        // Dynamic values cannot be used to get around the limit either.
        let mut v = Value::from("x");
        for _ in 0..(MAX_VALUE_DEPTH + 5) {
            v = Value::List(vec![v]);
        }
        assert!(encode(&v, &Type::Dynamic).is_err());
    }

    #[test]
    fn msgpack_encode_rejects_mismatch_and_extra_attributes() {
        let ty = Type::object([("a", Type::String)]);
        let e = encode(&Value::object([("a", Value::int(1))]), &ty).unwrap_err();
        assert_eq!(e.path, AttributePath::new("a"));
        assert!(encode(&Value::object([("zz", Value::Null)]), &ty).is_err());
        // A name not in the schema is refused wherever it sorts; names the
        // value leaves out are written as null.
        let ty = Type::object([("b", Type::String), ("d", Type::String)]);
        for extra in ["a", "c", "e"] {
            let v = Value::object([("b", Value::string("x")), (extra, Value::Null)]);
            let e = encode(&v, &ty).unwrap_err();
            assert_eq!(
                e.message,
                format!("attribute {extra:?} is not in the schema"),
                "{extra}"
            );
            assert!(e.path.is_root());
        }
        let v = Value::object([("d", Value::string("y"))]);
        let back = decode(&encode(&v, &ty).unwrap(), &ty).unwrap();
        assert_eq!(
            back,
            Value::object([("b", Value::Null), ("d", Value::string("y"))])
        );
    }

    #[test]
    fn msgpack_object_names_in_any_order_once_each() {
        let ty = Type::object([("b", Type::String), ("d", Type::String)]);
        let object = |names: &[&str]| {
            let mut out = Vec::new();
            rmp::encode::write_map_len(&mut out, names.len() as u32).unwrap();
            for n in names {
                rmp::encode::write_str(&mut out, n).unwrap();
                rmp::encode::write_str(&mut out, &n.repeat(2)).unwrap();
            }
            out
        };
        let both = Value::object([("b", Value::string("bb")), ("d", Value::string("dd"))]);
        assert_eq!(decode(&object(&["b", "d"]), &ty).unwrap(), both);
        assert_eq!(decode(&object(&["d", "b"]), &ty).unwrap(), both);
        for names in [&["b", "b"][..], &["d", "b", "d"], &["b", "d", "d"]] {
            let e = decode(&object(names), &ty).unwrap_err();
            assert_eq!(e.message, "duplicate attribute", "{names:?}");
        }
        for names in [&["a", "b"][..], &["b", "c"], &["d", "e"]] {
            let e = decode(&object(names), &ty).unwrap_err();
            assert!(
                e.message.starts_with("unsupported attribute"),
                "{names:?}: {e}"
            );
        }
        let back = decode(&object(&["d"]), &ty).unwrap();
        assert_eq!(
            back,
            Value::object([("b", Value::Null), ("d", Value::string("dd"))])
        );
    }
}
