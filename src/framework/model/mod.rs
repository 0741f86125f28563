//! Typed models: Rust structs read from and written to [`Value`]s with
//! serde, so resource code names attributes as struct fields (a misspelled
//! name is a compile error) instead of as strings.
//!
//! - [`from_value`] reads a model from a value. An attribute the value
//!   lacks reads as null; an unknown value is an error except in a
//!   [`Field`]. [`from_value_unknown_as_null`] reads unknowns as null
//!   instead, for code that acts only on what is known.
//! - [`to_value`] writes a model as a value of the schema's [`Type`]:
//!   attributes the model does not set become nulls, and a field the type
//!   does not have is an error.
//! - [`Field<T>`] holds null, unknown or a known value (for plans and
//!   computed attributes); `Option<T>` holds null or a known value.
//! - [`Raw`] holds an attribute's value as it is (null, unknown or any
//!   shape), for a nested attribute that value-level code handles.
//! - [`field_names`] lists a model's fields, and
//!   [`assert_model_matches_schema`] checks them against a schema block in
//!   a unit test.
//!
//! Errors ([`ModelError`]) name the attribute path and what was expected,
//! and become a [`Diagnostic`] in the one style of [`Diagnostic::expected`].
//!
//! # Layout
//! - `mod.rs`: the entry points, [`Field`] and [`ModelError`].
//! - `de`: the `Deserializer` over a `&Value`.
//! - `ser`: the `Serializer` into a `Value` of a given `Type`.
//! - `names`: the recording deserializer behind [`field_names`].

mod de;
mod names;
mod raw;
mod ser;
#[cfg(test)]
mod tests;

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::framework::diag::Diagnostic;
use crate::framework::path::{AttributePath, PathStep};
use crate::framework::types::Type;
use crate::framework::value::Value;

pub use names::{
    assert_model_matches_schema, assert_model_within_schema, check_fields, field_names, FieldCheck,
};
pub use raw::Raw;
pub(crate) use raw::RAW_TOKEN;

/// The newtype name [`Field`] deserializes through, so the value
/// deserializer can hand it unknowns (other deserializers ignore it).
pub(crate) const FIELD_TOKEN: &str = "$terraform::Field";
/// The unit-struct name [`Field::Unknown`] serializes as; the value
/// serializer turns it into [`Value::Unknown`], others into a unit.
pub(crate) const UNKNOWN_TOKEN: &str = "$terraform::Unknown";

/// A model value that is not what its type expects.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct ModelError {
    /// Where in the value (root when the whole value is wrong).
    pub path: AttributePath,
    /// What was expected there, in words ("a string", "a known value").
    pub expected: String,
    /// What was found (the kind of value, or serde's own message).
    pub found: String,
}

impl ModelError {
    pub(crate) fn new(expected: impl Into<String>, found: impl Into<String>) -> Self {
        ModelError {
            path: AttributePath::root(),
            expected: expected.into(),
            found: found.into(),
        }
    }

    /// The error of a nested value, placed under the step that leads to it
    /// (each level adds its own on the way up, so the path is built only
    /// when there is an error).
    pub(crate) fn under(mut self, step: PathStep) -> Self {
        self.path.prepend(step);
        self
    }

    fn describe(&self) -> String {
        if self.path.is_root() {
            format!("expected {}, found {}", self.expected, self.found)
        } else {
            format!(
                "expected {} at {}, found {}",
                self.expected, self.path, self.found
            )
        }
    }

    /// The error as a diagnostic on its attribute.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let summary = if self.found == "unknown" {
            "Value not yet known"
        } else {
            "Unexpected value type"
        };
        Diagnostic::expected(self.path.clone(), summary, &self.expected, &self.found)
    }
}

impl From<ModelError> for Diagnostic {
    fn from(e: ModelError) -> Self {
        e.to_diagnostic()
    }
}

impl From<ModelError> for crate::framework::diag::Diagnostics {
    fn from(e: ModelError) -> Self {
        e.to_diagnostic().into()
    }
}

impl serde::de::Error for ModelError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ModelError::new("a value the model accepts", msg.to_string())
    }

    fn invalid_type(unexp: serde::de::Unexpected, exp: &dyn serde::de::Expected) -> Self {
        ModelError::new(exp.to_string(), describe_unexpected(unexp))
    }

    fn invalid_value(unexp: serde::de::Unexpected, exp: &dyn serde::de::Expected) -> Self {
        ModelError::new(exp.to_string(), describe_unexpected(unexp))
    }

    fn unknown_variant(_variant: &str, expected: &'static [&'static str]) -> Self {
        ModelError::new(format!("one of {expected:?}"), "another string")
    }

    fn missing_field(field: &'static str) -> Self {
        ModelError::new(format!("the attribute {field}"), "none")
    }
}

/// What serde found, in words; never the text of a string (it may be a
/// secret).
fn describe_unexpected(unexp: serde::de::Unexpected) -> String {
    use serde::de::Unexpected as U;
    match unexp {
        U::Option | U::Unit => "null".to_string(),
        U::Str(_) | U::Char(_) => "a string".to_string(),
        U::Bytes(_) => "bytes".to_string(),
        U::Unsigned(n) => format!("the number {n}"),
        U::Signed(n) => format!("the number {n}"),
        U::Float(f) => format!("the number {f}"),
        other => other.to_string(),
    }
}

impl serde::ser::Error for ModelError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ModelError::new("a value the schema accepts", msg.to_string())
    }
}

/// Reads a model from a value (a state, plan, configuration or part of one).
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, ModelError> {
    read(value, false)
}

/// Reads a model from a value in which every unknown reads as null, except
/// where a [`Field`] can hold it: for code that acts only on what is known
/// (a request body leaves out what a plan does not know yet).
pub fn from_value_unknown_as_null<T: DeserializeOwned>(value: &Value) -> Result<T, ModelError> {
    read(value, true)
}

fn read<T: DeserializeOwned>(value: &Value, unknown_as_null: bool) -> Result<T, ModelError> {
    T::deserialize(de::ValueDeserializer::new(value, unknown_as_null))
}

/// Writes a model as a value of type `ty` (usually the schema's
/// [`crate::framework::Schema::value_type`]).
pub fn to_value<T: Serialize + ?Sized>(model: &T, ty: &Type) -> Result<Value, ModelError> {
    model.serialize(ser::ValueSerializer::new(ty))
}

/// A value that may be null, unknown (known only after apply) or known: for
/// plans and for computed attributes. Null-or-known values are `Option<T>`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Field<T> {
    /// Null (not set).
    #[default]
    Null,
    /// Not known until apply.
    Unknown,
    /// Known.
    Known(T),
}

impl<T> Field<T> {
    /// The value, when known.
    pub fn known(&self) -> Option<&T> {
        match self {
            Field::Known(v) => Some(v),
            _ => None,
        }
    }

    /// The value, when known (consuming).
    pub fn into_known(self) -> Option<T> {
        match self {
            Field::Known(v) => Some(v),
            _ => None,
        }
    }

    /// Whether the value is unknown.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Field::Unknown)
    }

    /// Whether the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Field::Null)
    }
}

impl<T> From<Option<T>> for Field<T> {
    fn from(o: Option<T>) -> Self {
        o.map_or(Field::Null, Field::Known)
    }
}

impl<T: Serialize> Serialize for Field<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Field::Null => s.serialize_none(),
            Field::Unknown => s.serialize_unit_struct(UNKNOWN_TOKEN),
            Field::Known(v) => s.serialize_some(v),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_newtype_struct(FIELD_TOKEN, FieldVisitor(std::marker::PhantomData))
    }
}

struct FieldVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for FieldVisitor<T> {
    type Value = Field<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value, null or unknown")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(Field::Null)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(Field::Unknown)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        T::deserialize(d).map(Field::Known)
    }

    /// Deserializers other than the value one: null or a value.
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Option::<T>::deserialize(d).map(Field::from)
    }
}
