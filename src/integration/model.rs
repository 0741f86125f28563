//! The model of an integration's state: every attribute of
//! `immuta_integration`, each named once. Top-level attributes are typed;
//! the type attributes (`snowflake`...), `delete_credentials` and
//! `validation_results` are [`Raw`] values, read and written by the
//! platforms' converters, because plan-time code must see unknowns inside
//! them.

use super::platforms::Platform;
use super::schema::value_type;
use crate::duration::parse_duration;
use crate::framework::model::{self, Field, Raw};
use crate::framework::{Diagnostic, Value};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How long create, update and delete wait when `timeouts` does not say.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Time limits of the waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Create.
    pub create: Duration,
    /// Update.
    pub update: Duration,
    /// Delete.
    pub delete: Duration,
}

impl Timeouts {
    /// Reads `timeouts` (unset, unknown or bad values give the default;
    /// validation reports bad ones).
    pub fn from_value(v: &Value) -> Self {
        Self::from_model(&model::from_value(v).unwrap_or_default())
    }

    /// The limits a `timeouts` model gives (see [`Timeouts::from_value`]).
    pub fn from_model(m: &Field<TimeoutsModel>) -> Self {
        let get = |op: Option<&Field<String>>| {
            op.and_then(Field::known)
                .and_then(|s| parse_duration(s).ok())
                .unwrap_or(DEFAULT_TIMEOUT)
        };
        let m = m.known();
        Timeouts {
            create: get(m.map(|t| &t.create)),
            update: get(m.map(|t| &t.update)),
            delete: get(m.map(|t| &t.delete)),
        }
    }
}

/// The `timeouts` attribute, as configured (durations, unparsed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TimeoutsModel {
    /// The create's limit.
    pub create: Field<String>,
    /// The update's limit.
    pub update: Field<String>,
    /// The delete's limit.
    pub delete: Field<String>,
}

/// The state (or plan, or configuration) of an `immuta_integration`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IntegrationModel {
    /// Immuta's id; unknown until the create.
    pub id: Field<String>,
    /// Immuta's type string, set by the plan from the type attribute.
    #[serde(rename = "type")]
    pub integration_type: Field<String>,
    /// Immuta's status.
    pub status: Field<String>,
    /// Whether Immuta sets the platform side up itself.
    pub auto_bootstrap: Field<bool>,
    /// `snowflake = { ... }`.
    pub snowflake: Raw,
    /// `databricks = { ... }`.
    pub databricks: Raw,
    /// `bigquery = { ... }`.
    pub bigquery: Raw,
    /// `redshift = { ... }`.
    pub redshift: Raw,
    /// `azure_synapse = { ... }`.
    pub azure_synapse: Raw,
    /// `s3 = { ... }`.
    pub s3: Raw,
    /// `trino = { ... }`.
    pub trino: Raw,
    /// Whether a destroy disables instead of cleaning up.
    pub force_disable_on_destroy: Field<bool>,
    /// Privileged credentials kept for a DELETE (sensitive).
    pub delete_credentials: Raw,
    /// The name of the environment variable read for DELETE credentials.
    pub delete_credentials_env: Field<String>,
    /// Time limits of the waits.
    pub timeouts: Field<TimeoutsModel>,
    /// Immuta's validation results, as last read.
    pub validation_results: Raw,
}

impl IntegrationModel {
    /// Reads a state, plan or configuration.
    pub fn read(v: &Value) -> Result<Self, Diagnostic> {
        Ok(model::from_value(v)?)
    }

    /// Writes it as a value of the schema's type.
    pub fn to_value(&self) -> Result<Value, Diagnostic> {
        Ok(model::to_value(self, value_type())?)
    }

    /// The known id.
    pub fn known_id(&self) -> Option<String> {
        self.id.known().cloned()
    }

    /// The type attributes, in the registry's order.
    fn blocks(&self) -> [&Raw; 7] {
        [
            &self.snowflake,
            &self.databricks,
            &self.bigquery,
            &self.redshift,
            &self.azure_synapse,
            &self.s3,
            &self.trino,
        ]
    }

    fn blocks_mut(&mut self) -> [&mut Raw; 7] {
        [
            &mut self.snowflake,
            &mut self.databricks,
            &mut self.bigquery,
            &mut self.redshift,
            &mut self.azure_synapse,
            &mut self.s3,
            &mut self.trino,
        ]
    }

    /// The value of `platform`'s type attribute (null when unset).
    pub fn block(&self, platform: Platform) -> &Value {
        static NULL: Value = Value::Null;
        Platform::ALL
            .into_iter()
            .zip(self.blocks())
            .find(|(p, _)| *p == platform)
            .map_or(&NULL, |(_, b)| b.value())
    }

    /// The value of `platform`'s type attribute, to change it.
    pub fn block_mut(&mut self, platform: Platform) -> Option<&mut Value> {
        Platform::ALL
            .into_iter()
            .zip(self.blocks_mut())
            .find(|(p, _)| *p == platform)
            .map(|(_, b)| &mut b.0)
    }

    /// The platform whose type attribute is set; `None` unless exactly one
    /// is (validation reports why).
    pub fn platform(&self) -> Option<Platform> {
        let mut set = Platform::ALL
            .into_iter()
            .zip(self.blocks())
            .filter(|(_, b)| !b.value().is_null())
            .map(|(p, _)| p);
        match (set.next(), set.next()) {
            (Some(p), None) => Some(p),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integration::schema::schema;

    #[test]
    fn the_model_matches_the_schema_and_its_blocks_the_registry() {
        let block = schema().block;
        model::assert_model_matches_schema::<IntegrationModel>(&block);
        let timeouts = block
            .attribute("timeouts")
            .and_then(|a| a.nested_attributes())
            .expect("timeouts is a nested attribute");
        model::assert_model_matches_schema::<TimeoutsModel>(&crate::framework::Block::new(
            timeouts.to_vec(),
        ));
        // `blocks` lists the type attributes in the registry's order.
        for p in Platform::ALL {
            let mut v = Value::Null;
            v.set_attr(p.block_name(), Value::object([("x", Value::Bool(true))]));
            let m = IntegrationModel::read(&v).unwrap();
            assert_eq!(m.platform(), Some(p));
            assert_eq!(m.block(p), v.attr(p.block_name()));
        }
    }

    #[test]
    fn timeouts_default_to_thirty_minutes() {
        let t = Timeouts::from_value(&Value::object([("create", Value::from("5m"))]));
        assert_eq!(t.create, Duration::from_secs(300));
        assert_eq!(t.delete, DEFAULT_TIMEOUT);
    }
}
