//! Terraform's JSON encoding of values (state JSON, `DynamicValue.json`).
//!
//! JSON has no unknowns. A value of type `dynamic` is `{"value": ..., "type": ...}`.
//! Numbers go through `serde_json` and so are limited to `i64`/`u64`/`f64`
//! precision; numbers written as JSON strings keep full precision.

use serde_json::Value as Json;

use crate::framework::msgpack::{infer_type, DecodeBudget, ENTRY, MAX_VALUE_DEPTH, SLOT};
use crate::framework::path::{AttributePath, PathStep};
use crate::framework::types::Type;
use crate::framework::value::{Number, Value, ValueMap};

/// Failure to decode or encode a JSON value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at {}", if path.is_root() { "the root".to_string() } else { path.to_string() })]
pub struct JsonError {
    /// Where in the value the problem is.
    pub path: AttributePath,
    /// What went wrong (never contains value contents).
    pub message: String,
}

/// Decoding options.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonOptions {
    /// Drop object attributes that the type does not have instead of failing
    /// (useful for stored state written by an older schema).
    pub ignore_undefined_attributes: bool,
}

fn err(path: &[PathStep], message: impl Into<String>) -> JsonError {
    JsonError {
        path: AttributePath::from_steps(path.to_vec()),
        message: message.into(),
    }
}

/// Decodes JSON bytes as a value of type `ty` (unknown attributes are errors).
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, JsonError> {
    decode_with(bytes, ty, JsonOptions::default())
}

/// Decodes JSON bytes as a value of type `ty` with options. As with msgpack,
/// a message whose decoded value would take more than
/// [`crate::framework::msgpack::MAX_DECODED_RATIO`] times its size is an error.
pub fn decode_with(bytes: &[u8], ty: &Type, opts: JsonOptions) -> Result<Value, JsonError> {
    let json: Json = serde_json::from_slice(bytes).map_err(|e| {
        err(
            &[],
            format!("invalid JSON (line {}, column {})", e.line(), e.column()),
        )
    })?;
    Decoder::new(opts, DecodeBudget::for_message(bytes.len())).root(json, ty)
}

/// Decodes a parsed JSON value as type `ty`.
pub fn from_json(json: Json, ty: &Type, opts: JsonOptions) -> Result<Value, JsonError> {
    Decoder::new(opts, DecodeBudget::unlimited()).root(json, ty)
}

/// Turns parsed JSON into a value, taking its strings and keys as they are
/// (nothing is copied). As in the msgpack reader, a failure gets its path
/// on the way up ([`JsonError::under`]), so a value that decodes keeps no
/// path.
struct Decoder {
    opts: JsonOptions,
    budget: DecodeBudget,
}

fn json_kind(j: &Json) -> &'static str {
    match j {
        Json::Null => "null",
        Json::Bool(_) => "bool",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

impl JsonError {
    /// This error one step further from the root.
    fn under(mut self, step: PathStep) -> Self {
        self.path.prepend(step);
        self
    }
}

impl Decoder {
    fn new(opts: JsonOptions, budget: DecodeBudget) -> Self {
        Decoder { opts, budget }
    }

    fn root(mut self, json: Json, ty: &Type) -> Result<Value, JsonError> {
        self.charge(SLOT)?;
        self.value(json, ty, 0)
    }

    fn charge(&mut self, bytes: usize) -> Result<(), JsonError> {
        self.budget
            .charge(bytes)
            .map_err(|message| err(&[], message))
    }

    fn mismatch(ty: &Type, j: &Json) -> JsonError {
        err(
            &[],
            format!("expected a value of type {ty}, found JSON {}", json_kind(j)),
        )
    }

    fn value(&mut self, j: Json, ty: &Type, depth: usize) -> Result<Value, JsonError> {
        if depth > MAX_VALUE_DEPTH {
            return Err(err(&[], "value nested too deeply"));
        }
        if j.is_null() {
            return Ok(Value::Null);
        }
        match ty {
            Type::String => match j {
                Json::String(s) => {
                    self.charge(s.len())?;
                    Ok(Value::String(s))
                }
                Json::Number(n) => Ok(Value::String(n.to_string())),
                Json::Bool(b) => Ok(Value::String(b.to_string())),
                _ => Err(Self::mismatch(ty, &j)),
            },
            Type::Number => {
                let n = match &j {
                    Json::Number(n) => {
                        Number::parse(&n.to_string()).map_err(|_| err(&[], "invalid number"))
                    }
                    Json::String(s) => {
                        Number::parse(s).map_err(|_| err(&[], "invalid number text"))
                    }
                    _ => Err(Self::mismatch(ty, &j)),
                }?;
                self.charge(n.as_str().len())?;
                Ok(Value::Number(n))
            }
            Type::Bool => match j {
                Json::Bool(b) => Ok(Value::Bool(b)),
                Json::String(s) if s == "true" => Ok(Value::Bool(true)),
                Json::String(s) if s == "false" => Ok(Value::Bool(false)),
                _ => Err(Self::mismatch(ty, &j)),
            },
            Type::List(e) | Type::Set(e) => {
                let Json::Array(items) = j else {
                    return Err(Self::mismatch(ty, &j));
                };
                self.charge(items.len().saturating_mul(SLOT))?;
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    out.push(
                        self.value(item, e, depth + 1)
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
                let Json::Array(items) = j else {
                    return Err(Self::mismatch(ty, &j));
                };
                if items.len() != es.len() {
                    return Err(err(
                        &[],
                        format!("tuple needs {} elements, found {}", es.len(), items.len()),
                    ));
                }
                self.charge(items.len().saturating_mul(SLOT))?;
                let mut out = Vec::with_capacity(items.len());
                for (i, (item, e)) in items.into_iter().zip(es).enumerate() {
                    out.push(
                        self.value(item, e, depth + 1)
                            .map_err(|e| e.under(PathStep::ElementKeyInt(i as i64)))?,
                    );
                }
                Ok(Value::Tuple(out))
            }
            Type::Map(e) => {
                let Json::Object(m) = j else {
                    return Err(Self::mismatch(ty, &j));
                };
                let mut out = ValueMap::new();
                for (k, item) in m {
                    self.charge(ENTRY + k.len())?;
                    let v = match self.value(item, e, depth + 1) {
                        Ok(v) => v,
                        Err(e) => return Err(e.under(PathStep::ElementKeyString(k))),
                    };
                    out.insert(k, v);
                }
                Ok(Value::Map(out))
            }
            Type::Object { attributes, .. } => {
                let Json::Object(m) = j else {
                    return Err(Self::mismatch(ty, &j));
                };
                let mut entries = Vec::with_capacity(m.len().min(attributes.len()));
                for (k, item) in m {
                    let Some(aty) = attributes.get(&k) else {
                        if self.opts.ignore_undefined_attributes {
                            continue;
                        }
                        return Err(err(&[], format!("unsupported attribute {k:?}")));
                    };
                    self.charge(ENTRY + k.len())?;
                    match self.value(item, aty, depth + 1) {
                        Ok(v) => entries.push((k, v)),
                        Err(e) => return Err(e.under(PathStep::Attribute(k))),
                    }
                }
                // The parsed object's keys come sorted and unique: built at once.
                let mut out = ValueMap::from_iter(entries);
                // As in msgpack: an attribute left out costs as one sent.
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
                const SHAPE: &str = "dynamic value must be an object with \"value\" and \"type\"";
                let Json::Object(mut m) = j else {
                    return Err(err(&[], SHAPE));
                };
                let (Some(tj), Some(vj)) = (m.remove("type"), m.remove("value")) else {
                    return Err(err(&[], SHAPE));
                };
                let inner = Type::from_json(&tj)
                    .map_err(|e| err(&[], format!("dynamic value type: {e}")))?;
                self.value(vj, &inner, depth + 1)
            }
        }
    }
}

/// Encodes `value` as JSON bytes of type `ty`. Unknown values cannot be encoded.
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, JsonError> {
    let j = to_json(value, ty)?;
    Ok(j.to_string().into_bytes())
}

/// Encodes `value` as a JSON value of type `ty`.
pub fn to_json(value: &Value, ty: &Type) -> Result<Json, JsonError> {
    let mut path = Vec::new();
    enc(value, ty, 0, &mut path)
}

fn number_json(n: &Number) -> Json {
    if let Some(i) = n.as_i64() {
        Json::from(i)
    } else if let Some(u) = n.as_u64() {
        Json::from(u)
    } else if let Some(f) = n.as_exact_f64().and_then(serde_json::Number::from_f64) {
        Json::Number(f)
    } else {
        // Not representable without loss in serde_json: keep the exact text.
        Json::String(n.as_str().to_string())
    }
}

fn enc(v: &Value, ty: &Type, depth: usize, path: &mut Vec<PathStep>) -> Result<Json, JsonError> {
    if depth > MAX_VALUE_DEPTH {
        return Err(err(path, "value nested too deeply"));
    }
    match (ty, v) {
        (_, Value::Null) => Ok(Json::Null),
        (_, Value::Unknown) => Err(err(path, "unknown values cannot be written as JSON")),
        (Type::String, Value::String(s)) => Ok(Json::String(s.clone())),
        (Type::Bool, Value::Bool(b)) => Ok(Json::Bool(*b)),
        (Type::Number, Value::Number(n)) => Ok(number_json(n)),
        (Type::List(e) | Type::Set(e), Value::List(items) | Value::Set(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                path.push(PathStep::ElementKeyInt(i as i64));
                out.push(enc(item, e, depth + 1, path)?);
                path.pop();
            }
            Ok(Json::Array(out))
        }
        (Type::Tuple(es), Value::Tuple(items) | Value::List(items)) => {
            if es.len() != items.len() {
                return Err(err(path, "tuple length does not match its type"));
            }
            let mut out = Vec::with_capacity(items.len());
            for (i, (item, e)) in items.iter().zip(es).enumerate() {
                path.push(PathStep::ElementKeyInt(i as i64));
                out.push(enc(item, e, depth + 1, path)?);
                path.pop();
            }
            Ok(Json::Array(out))
        }
        (Type::Map(e), Value::Map(m) | Value::Object(m)) => {
            let mut out = serde_json::Map::new();
            for (k, item) in m {
                path.push(PathStep::ElementKeyString(k.clone()));
                out.insert(k.clone(), enc(item, e, depth + 1, path)?);
                path.pop();
            }
            Ok(Json::Object(out))
        }
        (Type::Object { attributes, .. }, Value::Object(m) | Value::Map(m)) => {
            if let Some(extra) = m.keys().find(|k| !attributes.contains_key(*k)) {
                return Err(err(
                    path,
                    format!("attribute {extra:?} is not in the schema"),
                ));
            }
            let mut out = serde_json::Map::new();
            for (k, aty) in attributes {
                path.push(PathStep::Attribute(k.clone()));
                out.insert(
                    k.clone(),
                    enc(m.get(k).unwrap_or(&Value::Null), aty, depth + 1, path)?,
                );
                path.pop();
            }
            Ok(Json::Object(out))
        }
        (Type::Dynamic, v) => {
            let inner = infer_type(v);
            let value = enc(v, &inner, depth + 1, path)?;
            let mut out = serde_json::Map::new();
            out.insert("value".into(), value);
            out.insert("type".into(), inner.to_json());
            Ok(Json::Object(out))
        }
        (ty, v) => Err(err(
            path,
            format!("cannot encode a {} as {ty}", v.kind_name()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty() -> Type {
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
                Type::object([("x", Type::String), ("y", Type::list(Type::Number))]),
            ),
        ])
    }

    fn sample() -> Value {
        Value::object([
            ("s", Value::from("hello")),
            ("n", Value::Number(Number::parse("0.5").unwrap())),
            ("b", Value::Bool(false)),
            ("l", Value::List(vec![Value::from("a"), Value::Null])),
            ("set", Value::Set(vec![Value::int(1), Value::int(-2)])),
            (
                "m",
                Value::Map([("k".to_string(), Value::Bool(true))].into_iter().collect()),
            ),
            ("t", Value::Tuple(vec![Value::from("x"), Value::int(7)])),
            (
                "d",
                Value::Map([("z".to_string(), Value::from("q"))].into_iter().collect()),
            ),
            (
                "nested",
                Value::object([("x", Value::Null), ("y", Value::List(vec![]))]),
            ),
        ])
    }

    #[test]
    fn an_empty_object_cannot_stand_for_a_large_one() {
        // `[{},{},...]`: 3 bytes each, objects of 40 attributes filled in
        // as null, 50 MB from 60 KB.
        let ty = Type::list(Type::object(
            (0..40).map(|i| (format!("attribute_{i:02}"), Type::String)),
        ));
        let body = format!("[{}{{}}]", "{},".repeat(19_999));
        let e = decode(body.as_bytes(), &ty).unwrap_err();
        assert!(e.message.contains("40 times"), "{e}");
        let few = format!("[{}{{}}]", "{},".repeat(99));
        assert_eq!(
            decode(few.as_bytes(), &ty)
                .unwrap()
                .as_list()
                .unwrap()
                .len(),
            100
        );
        // Thousand-digit numbers from short texts.
        let body = format!("[{}\"1e999\"]", "\"1e999\",".repeat(2_999));
        let e = decode(body.as_bytes(), &Type::list(Type::Number)).unwrap_err();
        assert!(e.message.contains("times"), "{e}");
    }

    #[test]
    fn json_round_trip_all_types() {
        let v = sample();
        let bytes = encode(&v, &ty()).unwrap();
        assert_eq!(decode(&bytes, &ty()).unwrap(), v);
        assert_eq!(decode(b"null", &ty()).unwrap(), Value::Null);
    }

    #[test]
    fn json_dynamic_form() {
        let bytes = encode(&Value::from("x"), &Type::Dynamic).unwrap();
        let j: Json = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(j["type"], "string");
        assert_eq!(j["value"], "x");
        assert_eq!(decode(&bytes, &Type::Dynamic).unwrap(), Value::from("x"));
    }

    #[test]
    fn json_unknown_attributes_error_or_ignored() {
        let t = Type::object([("a", Type::String)]);
        let e = decode(br#"{"a":"x","old":1}"#, &t).unwrap_err();
        assert!(e.message.contains("unsupported attribute"));
        let v = decode_with(
            br#"{"a":"x","old":1}"#,
            &t,
            JsonOptions {
                ignore_undefined_attributes: true,
            },
        )
        .unwrap();
        assert_eq!(v, Value::object([("a", Value::from("x"))]));
        // Missing attributes are null.
        assert_eq!(
            decode(b"{}", &t).unwrap(),
            Value::object([("a", Value::Null)])
        );
    }

    #[test]
    fn json_malformed_and_mismatch_errors() {
        let t = ty();
        assert!(decode(b"{", &t).is_err());
        assert!(decode(b"[]", &t).is_err());
        let e = decode(br#"{"l":[1,{}]}"#, &t).unwrap_err();
        assert_eq!(e.path, AttributePath::new("l").index(1));
        assert!(decode(br#"{"n":"abc"}"#, &t).is_err());
        assert!(decode(br#"{"t":["a"]}"#, &t).is_err());
        assert!(decode(br#"{"d":{"value":1}}"#, &t).is_err());
        assert!(encode(&Value::Unknown, &t).is_err());
        // Deep nesting: serde_json's own limit or ours, either way an error.
        let mut deep_ty = Type::String;
        for _ in 0..100 {
            deep_ty = Type::list(deep_ty);
        }
        let deep = format!("{}\"x\"{}", "[".repeat(100), "]".repeat(100));
        assert!(decode(deep.as_bytes(), &deep_ty).is_err());
    }

    #[test]
    fn json_numbers_keep_precision_when_given_as_text() {
        let v = decode(br#""123456789012345678901234567890""#, &Type::Number).unwrap();
        assert_eq!(
            v.as_number().unwrap().as_str(),
            "123456789012345678901234567890"
        );
        assert_eq!(
            encode(&v, &Type::Number).unwrap(),
            br#""123456789012345678901234567890""#
        );
        assert_eq!(decode(b"42", &Type::Number).unwrap(), Value::int(42));
        assert_eq!(decode(b"true", &Type::String).unwrap(), Value::from("true"));
        assert_eq!(
            decode(br#""false""#, &Type::Bool).unwrap(),
            Value::Bool(false)
        );
    }
}
