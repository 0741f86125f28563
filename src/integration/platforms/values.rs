//! Reading and writing the Terraform values of a type attribute: the
//! [`Reader`] every `to_config` uses, and the small writers every
//! `from_config` uses.

use crate::framework::Value;
use immuta_api::Secret;
use std::collections::BTreeMap;

/// Reads attributes of an object value. Null, unknown and absent values all
/// read as `None`.
#[derive(Clone, Copy, Debug)]
pub struct Reader<'a>(pub &'a Value);

impl<'a> Reader<'a> {
    /// The raw value of attribute `name` (null when absent).
    pub fn raw(&self, name: &str) -> &'a Value {
        self.0.attr(name)
    }

    /// A string.
    pub fn str(&self, name: &str) -> Option<String> {
        self.raw(name).as_str().map(str::to_string)
    }

    /// A secret string.
    pub fn secret(&self, name: &str) -> Option<Secret> {
        self.raw(name).as_str().map(Secret::new)
    }

    /// A bool.
    pub fn bool(&self, name: &str) -> Option<bool> {
        self.raw(name).as_bool()
    }

    /// A TCP port (out-of-range numbers read as `None`; validation reports them).
    pub fn port(&self, name: &str) -> Option<u16> {
        self.raw(name)
            .as_i64()
            .and_then(|n| u16::try_from(n).ok())
            .filter(|p| *p > 0)
    }

    /// A list of strings (unknown or null elements are left out).
    pub fn strings(&self, name: &str) -> Option<Vec<String>> {
        self.raw(name).as_list().map(|l| {
            l.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
    }

    /// A nested object, when it is set.
    pub fn obj(&self, name: &str) -> Option<Reader<'a>> {
        let v = self.raw(name);
        matches!(v, Value::Object(_)).then_some(Reader(v))
    }

    /// A nested object, or an empty reader (every attribute null).
    pub fn nested(&self, name: &str) -> Reader<'a> {
        Reader(self.raw(name))
    }
}

/// A string value or null.
pub fn s(v: &Option<String>) -> Value {
    Value::opt_string(v.clone())
}

/// A bool value or null.
pub fn b(v: Option<bool>) -> Value {
    v.map_or(Value::Null, Value::Bool)
}

/// A port value or null.
pub fn port(v: Option<u16>) -> Value {
    v.map_or(Value::Null, |p| Value::int(i64::from(p)))
}

/// A secret from Immuta's answer: a redacted one takes the prior value.
pub fn secret(v: &Option<Secret>, prior: &Value) -> Value {
    match v {
        None => Value::Null,
        Some(s) if s.is_redacted() => match prior {
            Value::String(_) => prior.clone(),
            _ => Value::Null,
        },
        Some(s) => Value::string(s.expose()),
    }
}

/// A list of strings or null.
pub fn strings(v: &Option<Vec<String>>) -> Value {
    v.as_ref().map_or(Value::Null, |l| {
        Value::List(l.iter().map(|s| Value::string(s.clone())).collect())
    })
}

/// An object value from `(name, value)` pairs.
pub fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::Object(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<BTreeMap<_, _>>(),
    )
}
