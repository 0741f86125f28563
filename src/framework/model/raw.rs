//! [`Raw`]: a model field that carries its attribute's [`Value`] through
//! the bridge untouched.
//!
//! serde's data model has no way to hand over a foreign value, so the
//! bridge's own deserializer and serializer recognise [`RAW_TOKEN`] and
//! pass the value through a thread-local slot: filled and emptied within
//! one synchronous call, so no other model code can see it. Other serde
//! formats cannot read a `Raw`, and write it as a unit.

use std::cell::RefCell;

use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use crate::framework::value::Value;

/// The newtype name a [`Raw`] (de)serializes through.
pub(crate) const RAW_TOKEN: &str = "$terraform::Raw";

thread_local! {
    /// The value being handed over between the bridge and a [`Raw`].
    static SLOT: RefCell<Option<Value>> = const { RefCell::new(None) };
}

/// Puts `value` in the slot for the [`Raw`] (or the serializer) about to
/// take it.
pub(crate) fn hand_over(value: Value) {
    SLOT.with(|s| *s.borrow_mut() = Some(value));
}

/// Takes what [`hand_over`] put in the slot.
pub(crate) fn take() -> Option<Value> {
    SLOT.with(|s| s.borrow_mut().take())
}

/// An attribute's value as it is: null, unknown, or an object whose
/// inside value-level code reads (e.g. a nested attribute that plan-time
/// checks must see unknowns in). Prefer typed fields; `Raw` is for what
/// is handled as a [`Value`] anyway.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Raw(pub Value);

impl Raw {
    /// The value.
    pub fn value(&self) -> &Value {
        &self.0
    }
}

impl From<Value> for Raw {
    fn from(v: Value) -> Self {
        Raw(v)
    }
}

impl Serialize for Raw {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        hand_over(self.0.clone());
        let written = serializer.serialize_newtype_struct(RAW_TOKEN, &());
        // Another serializer did not take it: do not leave it behind.
        let _ = take();
        written
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RawVisitor;
        impl<'de> Visitor<'de> for RawVisitor {
            type Value = Raw;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a Terraform value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Raw, E> {
                take()
                    .map(Raw)
                    .ok_or_else(|| E::custom("a Terraform value outside the model bridge"))
            }
        }
        deserializer.deserialize_newtype_struct(RAW_TOKEN, RawVisitor)
    }
}
