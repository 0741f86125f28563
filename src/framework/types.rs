//! Terraform value types and their JSON type-constraint encoding.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value as Json;

/// Deepest type nesting accepted when parsing a type constraint.
pub const MAX_TYPE_DEPTH: usize = 64;

/// A Terraform (cty) type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    /// UTF-8 string.
    String,
    /// Arbitrary precision number.
    Number,
    /// Boolean.
    Bool,
    /// Ordered collection of one element type.
    List(Box<Type>),
    /// Unordered collection of unique elements of one type.
    Set(Box<Type>),
    /// String-keyed collection of one element type.
    Map(Box<Type>),
    /// Structural object; `optional` names attributes that are optional in a
    /// type constraint (only meaningful for configuration types).
    Object {
        /// Attribute types by name.
        attributes: BTreeMap<String, Type>,
        /// Names of optional attributes.
        optional: BTreeSet<String>,
    },
    /// Fixed-length sequence of possibly different types.
    Tuple(Vec<Type>),
    /// Any type, decided by the value (`"dynamic"`).
    Dynamic,
}

/// Failure to parse a JSON type constraint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TypeError {
    /// The bytes are not JSON.
    #[error("type constraint is not valid JSON")]
    InvalidJson,
    /// The JSON does not describe a type.
    #[error("invalid type constraint: {0}")]
    Invalid(String),
    /// Nesting deeper than [`MAX_TYPE_DEPTH`].
    #[error("type constraint nested too deeply")]
    TooDeep,
}

impl Type {
    /// `list(elem)`.
    pub fn list(elem: Type) -> Type {
        Type::List(Box::new(elem))
    }

    /// `set(elem)`.
    pub fn set(elem: Type) -> Type {
        Type::Set(Box::new(elem))
    }

    /// `map(elem)`.
    pub fn map(elem: Type) -> Type {
        Type::Map(Box::new(elem))
    }

    /// Object type without optional attributes.
    pub fn object<I, K>(attrs: I) -> Type
    where
        I: IntoIterator<Item = (K, Type)>,
        K: Into<String>,
    {
        Type::Object {
            attributes: attrs.into_iter().map(|(k, v)| (k.into(), v)).collect(),
            optional: BTreeSet::new(),
        }
    }

    /// Encodes the type as its JSON type-constraint value.
    pub fn to_json(&self) -> Json {
        match self {
            Type::String => Json::from("string"),
            Type::Number => Json::from("number"),
            Type::Bool => Json::from("bool"),
            Type::Dynamic => Json::from("dynamic"),
            Type::List(e) => Json::Array(vec![Json::from("list"), e.to_json()]),
            Type::Set(e) => Json::Array(vec![Json::from("set"), e.to_json()]),
            Type::Map(e) => Json::Array(vec![Json::from("map"), e.to_json()]),
            Type::Tuple(es) => Json::Array(vec![
                Json::from("tuple"),
                Json::Array(es.iter().map(Type::to_json).collect()),
            ]),
            Type::Object {
                attributes,
                optional,
            } => {
                let attrs: serde_json::Map<String, Json> = attributes
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect();
                let mut parts = vec![Json::from("object"), Json::Object(attrs)];
                if !optional.is_empty() {
                    parts.push(Json::Array(
                        optional.iter().map(|s| Json::from(s.as_str())).collect(),
                    ));
                }
                Json::Array(parts)
            }
        }
    }

    /// Encodes the type as compact JSON bytes (the proto `type` field).
    pub fn to_json_bytes(&self) -> Vec<u8> {
        self.to_json().to_string().into_bytes()
    }

    /// Parses JSON type-constraint bytes.
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Type, TypeError> {
        let json: Json = serde_json::from_slice(bytes).map_err(|_| TypeError::InvalidJson)?;
        Type::from_json(&json)
    }

    /// Parses a JSON type-constraint value.
    pub fn from_json(json: &Json) -> Result<Type, TypeError> {
        parse_type(json, 0)
    }

    /// Whether the type is a primitive (string, number, bool).
    pub fn is_primitive(&self) -> bool {
        matches!(self, Type::String | Type::Number | Type::Bool)
    }
}

fn parse_type(json: &Json, depth: usize) -> Result<Type, TypeError> {
    if depth > MAX_TYPE_DEPTH {
        return Err(TypeError::TooDeep);
    }
    match json {
        Json::String(s) => match s.as_str() {
            "string" => Ok(Type::String),
            "number" => Ok(Type::Number),
            "bool" => Ok(Type::Bool),
            "dynamic" => Ok(Type::Dynamic),
            other => Err(TypeError::Invalid(format!(
                "unknown primitive type {other:?}"
            ))),
        },
        Json::Array(parts) => {
            let kind = parts
                .first()
                .and_then(Json::as_str)
                .ok_or_else(|| TypeError::Invalid("array type without kind".into()))?;
            match kind {
                "list" | "set" | "map" => {
                    if parts.len() != 2 {
                        return Err(TypeError::Invalid(format!(
                            "{kind} type needs exactly one element type"
                        )));
                    }
                    let elem = Box::new(parse_type(&parts[1], depth + 1)?);
                    Ok(match kind {
                        "list" => Type::List(elem),
                        "set" => Type::Set(elem),
                        _ => Type::Map(elem),
                    })
                }
                "tuple" => {
                    let elems = match parts.get(1) {
                        Some(Json::Array(es)) if parts.len() == 2 => es,
                        _ => return Err(TypeError::Invalid("tuple needs an element list".into())),
                    };
                    let mut out = Vec::new();
                    for e in elems {
                        out.push(parse_type(e, depth + 1)?);
                    }
                    Ok(Type::Tuple(out))
                }
                "object" => {
                    let attrs = match parts.get(1) {
                        Some(Json::Object(m)) if parts.len() == 2 || parts.len() == 3 => m,
                        _ => {
                            return Err(TypeError::Invalid("object needs an attribute map".into()))
                        }
                    };
                    let mut attributes = BTreeMap::new();
                    for (k, v) in attrs {
                        attributes.insert(k.clone(), parse_type(v, depth + 1)?);
                    }
                    let mut optional = BTreeSet::new();
                    if let Some(opt) = parts.get(2) {
                        let list = opt.as_array().ok_or_else(|| {
                            TypeError::Invalid("optional attributes must be a list".into())
                        })?;
                        for o in list {
                            let name = o.as_str().ok_or_else(|| {
                                TypeError::Invalid(
                                    "optional attribute name must be a string".into(),
                                )
                            })?;
                            if !attributes.contains_key(name) {
                                return Err(TypeError::Invalid(format!(
                                    "optional attribute {name:?} is not an attribute"
                                )));
                            }
                            optional.insert(name.to_string());
                        }
                    }
                    Ok(Type::Object {
                        attributes,
                        optional,
                    })
                }
                other => Err(TypeError::Invalid(format!("unknown type kind {other:?}"))),
            }
        }
        _ => Err(TypeError::Invalid(
            "type must be a string or an array".into(),
        )),
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::String => f.write_str("string"),
            Type::Number => f.write_str("number"),
            Type::Bool => f.write_str("bool"),
            Type::Dynamic => f.write_str("dynamic"),
            Type::List(e) => write!(f, "list({e})"),
            Type::Set(e) => write!(f, "set({e})"),
            Type::Map(e) => write!(f, "map({e})"),
            Type::Tuple(es) => {
                f.write_str("tuple([")?;
                for (i, e) in es.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{e}")?;
                }
                f.write_str("])")
            }
            Type::Object { attributes, .. } => {
                f.write_str("object({")?;
                for (i, (k, v)) in attributes.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}={v}")?;
                }
                f.write_str("})")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_json_round_trip_all_kinds() {
        let mut optional = BTreeSet::new();
        optional.insert("b".to_string());
        let t = Type::Object {
            attributes: [
                ("a".to_string(), Type::list(Type::String)),
                ("b".to_string(), Type::set(Type::Number)),
                ("c".to_string(), Type::map(Type::Bool)),
                (
                    "d".to_string(),
                    Type::Tuple(vec![Type::String, Type::Dynamic]),
                ),
            ]
            .into_iter()
            .collect(),
            optional,
        };
        let bytes = t.to_json_bytes();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with("[\"object\",{"));
        assert!(text.ends_with(",[\"b\"]]"));
        assert_eq!(Type::from_json_bytes(&bytes).unwrap(), t);
    }

    #[test]
    fn type_json_primitive_and_list_encoding() {
        assert_eq!(Type::String.to_json_bytes(), b"\"string\"");
        assert_eq!(
            Type::list(Type::String).to_json_bytes(),
            b"[\"list\",\"string\"]"
        );
        assert_eq!(
            Type::from_json_bytes(b"[\"map\",\"number\"]").unwrap(),
            Type::map(Type::Number)
        );
    }

    #[test]
    fn type_json_rejects_malformed() {
        for bad in [
            &b"\"strin\""[..],
            b"[\"list\"]",
            b"[\"list\",\"string\",\"x\"]",
            b"[\"object\",[]]",
            b"[\"object\",{\"a\":\"string\"},[\"z\"]]",
            b"[\"tuple\",\"string\"]",
            b"42",
            b"[",
            b"[]",
        ] {
            assert!(Type::from_json_bytes(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn type_json_rejects_deep_nesting() {
        let mut s = String::new();
        for _ in 0..100 {
            s.push_str("[\"list\",");
        }
        s.push_str("\"string\"");
        for _ in 0..100 {
            s.push(']');
        }
        assert_eq!(Type::from_json_bytes(s.as_bytes()), Err(TypeError::TooDeep));
    }
}
