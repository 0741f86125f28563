//! Terraform values: null, unknown and known values, with accessors for resource code.

use std::fmt;

use crate::framework::diag::Diagnostic;
pub use crate::framework::number::{Number, NumberError};
use crate::framework::path::{AttributePath, PathStep};

pub mod map;
pub use map::ValueMap;

/// A Terraform value. Values are untyped; the [`crate::framework::types::Type`] is given
/// when encoding or decoding.
///
/// Equality treats sets as unordered.
#[derive(Clone, Default)]
pub enum Value {
    /// Null (absent).
    #[default]
    Null,
    /// Not known until apply.
    Unknown,
    /// A string.
    String(String),
    /// A number.
    Number(Number),
    /// A boolean.
    Bool(bool),
    /// A list.
    List(Vec<Value>),
    /// A set (element order carries no meaning).
    Set(Vec<Value>),
    /// A map.
    Map(ValueMap),
    /// An object.
    Object(ValueMap),
    /// A tuple.
    Tuple(Vec<Value>),
}

static NULL: Value = Value::Null;

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) | (Value::Unknown, Value::Unknown) => true,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => a == b,
            (Value::Map(a), Value::Map(b)) | (Value::Object(a), Value::Object(b)) => a == b,
            (Value::Set(a), Value::Set(b)) => {
                if a.len() != b.len() {
                    return false;
                }
                let mut used = vec![false; b.len()];
                a.iter().all(|x| {
                    let hit = b
                        .iter()
                        .enumerate()
                        .find(|(i, y)| !used[*i] && *y == x)
                        .map(|(i, _)| i);
                    match hit {
                        Some(i) => {
                            used[i] = true;
                            true
                        }
                        None => false,
                    }
                })
            }
            _ => false,
        }
    }
}

impl Eq for Value {}

/// Debug output never shows string contents (they may be secrets).
impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Unknown => f.write_str("unknown"),
            Value::String(_) => f.write_str("\"***\""),
            Value::Number(n) => write!(f, "{n}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::List(v) => {
                f.write_str("list")?;
                f.debug_list().entries(v).finish()
            }
            Value::Set(v) => {
                f.write_str("set")?;
                f.debug_list().entries(v).finish()
            }
            Value::Tuple(v) => {
                f.write_str("tuple")?;
                f.debug_list().entries(v).finish()
            }
            Value::Map(m) => {
                f.write_str("map")?;
                f.debug_map().entries(m).finish()
            }
            Value::Object(m) => {
                f.write_str("object")?;
                f.debug_map().entries(m).finish()
            }
        }
    }
}

impl Value {
    /// A string value.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// A number value from an integer.
    pub fn int(i: i64) -> Value {
        Value::Number(Number::from(i))
    }

    /// An object value from `(name, value)` pairs.
    pub fn object<I, K>(attrs: I) -> Value
    where
        I: IntoIterator<Item = (K, Value)>,
        K: Into<String>,
    {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A string value, or null for `None`.
    pub fn opt_string(s: Option<impl Into<String>>) -> Value {
        s.map_or(Value::Null, |s| Value::String(s.into()))
    }

    /// Whether the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Whether the value itself is unknown (nested unknowns not considered).
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// Whether the value itself is known (it may still contain unknowns).
    pub fn is_known(&self) -> bool {
        !self.is_unknown()
    }

    /// Replaces every unknown inside this value with null: what a state
    /// saved after a failure, or an apply's result, may hold.
    pub fn unknowns_to_null(&mut self) {
        match self {
            Value::Unknown => *self = Value::Null,
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                items.iter_mut().for_each(Value::unknowns_to_null)
            }
            Value::Map(m) | Value::Object(m) => m.values_mut().for_each(Value::unknowns_to_null),
            _ => {}
        }
    }

    /// Whether neither the value nor anything nested in it is unknown.
    pub fn is_fully_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => v.iter().all(Value::is_fully_known),
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_fully_known),
            _ => true,
        }
    }

    /// The attribute `name` of an object (or map entry); `None` when absent or not an object.
    pub fn get_attr(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(m) | Value::Map(m) => m.get(name),
            _ => None,
        }
    }

    /// The attribute `name`, or null when absent.
    pub fn attr(&self, name: &str) -> &Value {
        self.get_attr(name).unwrap_or(&NULL)
    }

    /// Mutable access to attribute `name` of an object.
    pub fn get_attr_mut(&mut self, name: &str) -> Option<&mut Value> {
        match self {
            Value::Object(m) | Value::Map(m) => m.get_mut(name),
            _ => None,
        }
    }

    /// Sets attribute `name`; turns a null/unknown value into an object first.
    pub fn set_attr(&mut self, name: impl Into<String>, v: Value) {
        match self {
            Value::Object(m) | Value::Map(m) => {
                m.insert(name.into(), v);
            }
            _ => {
                let mut m = ValueMap::new();
                m.insert(name.into(), v);
                *self = Value::Object(m);
            }
        }
    }

    /// Builder form of [`Value::set_attr`].
    pub fn with_attr(mut self, name: impl Into<String>, v: Value) -> Value {
        self.set_attr(name, v);
        self
    }

    /// The value at `path`; `None` when a step does not exist.
    pub fn at(&self, path: &AttributePath) -> Option<&Value> {
        let mut cur = self;
        for step in path.steps() {
            cur = match (step, cur) {
                (PathStep::Attribute(n), Value::Object(m)) => m.get(n)?,
                (PathStep::ElementKeyString(k), Value::Map(m)) => m.get(k)?,
                (PathStep::ElementKeyInt(i), Value::List(v) | Value::Tuple(v) | Value::Set(v)) => {
                    v.get(usize::try_from(*i).ok()?)?
                }
                _ => return None,
            };
        }
        Some(cur)
    }

    /// Mutable value at `path`.
    pub fn at_mut(&mut self, path: &AttributePath) -> Option<&mut Value> {
        let mut cur = self;
        for step in path.steps() {
            cur = match (step, cur) {
                (PathStep::Attribute(n), Value::Object(m)) => m.get_mut(n)?,
                (PathStep::ElementKeyString(k), Value::Map(m)) => m.get_mut(k)?,
                (PathStep::ElementKeyInt(i), Value::List(v) | Value::Tuple(v) | Value::Set(v)) => {
                    v.get_mut(usize::try_from(*i).ok()?)?
                }
                _ => return None,
            };
        }
        Some(cur)
    }

    /// The string, if this is a known string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is a known bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is a known number.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The number as `i64`, if it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// The number as `f64`.
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().and_then(Number::as_f64)
    }

    /// Elements of a list, set or tuple.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }

    /// Entries of a map or object.
    pub fn as_map(&self) -> Option<&ValueMap> {
        match self {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// Short name of the value's kind, for messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Unknown => "unknown",
            Value::String(_) => "string",
            Value::Number(_) => "number",
            Value::Bool(_) => "bool",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Map(_) => "map",
            Value::Object(_) => "object",
            Value::Tuple(_) => "tuple",
        }
    }

    fn lookup_known(&self, path: &AttributePath) -> Result<Option<&Value>, Diagnostic> {
        match self.at(path) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Unknown) => Err(Diagnostic::attribute_error(
                path.clone(),
                "Value not yet known",
                format!("The value of {path} is not known yet; it is needed here."),
            )),
            Some(v) => Ok(Some(v)),
        }
    }

    fn mismatch(path: &AttributePath, want: &str, got: &Value) -> Diagnostic {
        Diagnostic::expected(path.clone(), "Unexpected value type", want, got.kind_name())
    }

    /// The string at `path`: `Ok(None)` when null/absent, an error diagnostic
    /// (with the path) when unknown or not a string.
    pub fn string_at(&self, path: &AttributePath) -> Result<Option<&str>, Diagnostic> {
        match self.lookup_known(path)? {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(Self::mismatch(path, "a string", v)),
        }
    }

    /// The bool at `path` (see [`Value::string_at`]).
    pub fn bool_at(&self, path: &AttributePath) -> Result<Option<bool>, Diagnostic> {
        match self.lookup_known(path)? {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(Self::mismatch(path, "a bool", v)),
        }
    }

    /// The integer at `path` (see [`Value::string_at`]); fractional or out-of-range numbers are errors.
    pub fn i64_at(&self, path: &AttributePath) -> Result<Option<i64>, Diagnostic> {
        match self.lookup_known(path)? {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| {
                Diagnostic::attribute_error(
                    path.clone(),
                    "Invalid number",
                    format!("Expected a whole number at {path}."),
                )
            }),
            Some(v) => Err(Self::mismatch(path, "a number", v)),
        }
    }

    /// The elements of the list/set/tuple at `path` (see [`Value::string_at`]).
    pub fn list_at(&self, path: &AttributePath) -> Result<Option<&[Value]>, Diagnostic> {
        match self.lookup_known(path)? {
            None => Ok(None),
            Some(v) => v
                .as_list()
                .map(Some)
                .ok_or_else(|| Self::mismatch(path, "a list", v)),
        }
    }

    /// The entries of the map/object at `path` (see [`Value::string_at`]).
    pub fn map_at(&self, path: &AttributePath) -> Result<Option<&ValueMap>, Diagnostic> {
        match self.lookup_known(path)? {
            None => Ok(None),
            Some(v) => v
                .as_map()
                .map(Some)
                .ok_or_else(|| Self::mismatch(path, "a map or object", v)),
        }
    }

    /// Like [`Value::string_at`] but null is an error too.
    pub fn required_string_at(&self, path: &AttributePath) -> Result<&str, Diagnostic> {
        self.string_at(path)?.ok_or_else(|| {
            Diagnostic::attribute_error(
                path.clone(),
                "Missing required value",
                format!("{path} must be set."),
            )
        })
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::int(i)
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Value::Number(n)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(o: Option<T>) -> Self {
        o.map_or(Value::Null, Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknowns_to_null_reaches_every_nested_value() {
        let mut v = Value::object([
            ("a", Value::Unknown),
            ("b", Value::List(vec![Value::Unknown, Value::from("x")])),
            ("c", Value::object([("d", Value::Unknown)])),
        ]);
        v.unknowns_to_null();
        assert!(v.is_fully_known());
        assert_eq!(v.attr("a"), &Value::Null);
        assert_eq!(
            v.attr("b"),
            &Value::List(vec![Value::Null, Value::from("x")])
        );
        assert_eq!(v.attr("c").attr("d"), &Value::Null);
    }

    #[test]
    fn value_set_equality_ignores_order() {
        let a = Value::Set(vec![Value::from("x"), Value::from("y"), Value::from("x")]);
        let b = Value::Set(vec![Value::from("x"), Value::from("x"), Value::from("y")]);
        let c = Value::Set(vec![Value::from("x"), Value::from("y"), Value::from("y")]);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(
            Value::List(vec![Value::int(1), Value::int(2)]),
            Value::List(vec![Value::int(2), Value::int(1)])
        );
        assert_ne!(Value::Set(vec![]), Value::List(vec![]));
    }

    #[test]
    fn value_accessors_and_typed_extraction() {
        let v = Value::object([
            ("host", Value::from("h")),
            ("port", Value::int(443)),
            ("tls", Value::Bool(true)),
            ("later", Value::Unknown),
            (
                "tests",
                Value::List(vec![Value::from("a"), Value::from("b")]),
            ),
            ("snowflake", Value::object([("password", Value::from("p"))])),
        ]);
        assert_eq!(v.attr("host").as_str(), Some("h"));
        assert!(v.attr("missing").is_null());
        assert_eq!(v.i64_at(&"port".into()).unwrap(), Some(443));
        assert_eq!(v.bool_at(&"tls".into()).unwrap(), Some(true));
        assert_eq!(v.string_at(&"missing".into()).unwrap(), None);
        assert_eq!(
            v.string_at(&AttributePath::new("tests").index(1)).unwrap(),
            Some("b")
        );
        assert_eq!(
            v.required_string_at(&AttributePath::new("snowflake").attr("password"))
                .unwrap(),
            "p"
        );
        let err = v.string_at(&"port".into()).unwrap_err();
        assert_eq!(err.attribute, Some(AttributePath::new("port")));
        let err = v.string_at(&"later".into()).unwrap_err();
        assert_eq!(err.summary, "Value not yet known");
        assert!(!v.is_fully_known());
        assert!(v.is_known());
        let err = v.required_string_at(&"missing".into()).unwrap_err();
        assert_eq!(err.attribute.unwrap().to_string(), "missing");
    }

    #[test]
    fn value_debug_hides_strings() {
        let v = Value::object([("password", Value::from("hunter2"))]);
        let dbg = format!("{v:?}");
        assert!(!dbg.contains("hunter2"));
        assert!(dbg.contains("password"));
    }
}
