//! A model's field names, read from what serde hands `deserialize_struct`,
//! and their check against a schema block.

use serde::de::{DeserializeOwned, Visitor};
use serde::Deserializer;

use super::ModelError;
use crate::framework::schema::Block;

/// Answers `deserialize_struct` by keeping the field names and stopping.
struct Recorder<'r> {
    fields: &'r mut Option<&'static [&'static str]>,
}

impl<'de> Deserializer<'de> for Recorder<'_> {
    type Error = ModelError;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, ModelError> {
        Err(ModelError::new(
            "a struct with named fields",
            "another type",
        ))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, ModelError> {
        *self.fields = Some(fields);
        Err(ModelError::new(
            "nothing: only the field names are read",
            "a struct",
        ))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
        byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
        identifier ignored_any
    }
}

/// The attribute names a model reads (after serde renames), in field
/// order; empty for a type that is not a struct with named fields (or uses
/// `#[serde(flatten)]`, which hides them).
pub fn field_names<M: DeserializeOwned>() -> &'static [&'static str] {
    let mut fields = None;
    let _ = M::deserialize(Recorder {
        fields: &mut fields,
    });
    fields.unwrap_or(&[])
}

/// How a model's fields and a block's attributes (and nested blocks) differ.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldCheck {
    /// Attributes of the block that the model has no field for.
    pub missing_in_model: Vec<String>,
    /// Fields of the model that are not attributes of the block.
    pub not_in_schema: Vec<String>,
}

/// Compares the fields of `M` with the attributes and nested blocks of `block`.
pub fn check_fields<M: DeserializeOwned>(block: &Block) -> FieldCheck {
    let fields = field_names::<M>();
    let schema: Vec<&str> = block
        .attributes
        .iter()
        .map(|a| a.name.as_str())
        .chain(block.blocks.iter().map(|b| b.type_name.as_str()))
        .collect();
    FieldCheck {
        missing_in_model: schema
            .iter()
            .filter(|n| !fields.contains(n))
            .map(|n| n.to_string())
            .collect(),
        not_in_schema: fields
            .iter()
            .filter(|f| !schema.contains(f))
            .map(|f| f.to_string())
            .collect(),
    }
}

/// For unit tests: panics unless `M` has exactly one field per attribute
/// and nested block of `block` (a state model: a missing field would write
/// null over the attribute).
pub fn assert_model_matches_schema<M: DeserializeOwned>(block: &Block) {
    let check = check_fields::<M>(block);
    assert!(
        check == FieldCheck::default(),
        "model {} and schema differ: {check:?}",
        std::any::type_name::<M>()
    );
}

/// For unit tests: panics when `M` has a field that is not an attribute or
/// nested block of `block` (a partial model, e.g. what validation reads).
pub fn assert_model_within_schema<M: DeserializeOwned>(block: &Block) {
    let check = check_fields::<M>(block);
    assert!(
        check.not_in_schema.is_empty(),
        "model {} has fields the schema lacks: {:?}",
        std::any::type_name::<M>(),
        check.not_in_schema
    );
}
