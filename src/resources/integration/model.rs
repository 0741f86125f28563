//! The model of `immuta_integration`: the top-level attributes its
//! lifecycle reads and writes, and the time limits of its waits.

use super::DEFAULT_TIMEOUT;
use crate::duration::parse_duration;
use crate::framework::model::{self, Field};
use crate::framework::{Diagnostic, Value};
use crate::integration::schema::value_type;
use serde::{Deserialize, Serialize};
use std::time::Duration;

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
    pub(super) fn from_model(m: &Field<TimeoutsModel>) -> Self {
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

/// The top-level attributes the lifecycle reads and writes, each named
/// once. The type attributes, `delete_credentials` and
/// `validation_results` stay `Value`s beside it: plan-time code must see
/// unknowns inside them, and the integration domain's converters build
/// them (`to_state`, `validation_results_value`).
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
    /// Whether a destroy disables instead of cleaning up.
    pub force_disable_on_destroy: Field<bool>,
    /// Time limits of the waits.
    pub timeouts: Field<TimeoutsModel>,
}

impl IntegrationModel {
    /// Reads the model's attributes of a state, plan or configuration.
    pub fn read(v: &Value) -> Result<Self, Diagnostic> {
        Ok(model::from_value(v)?)
    }

    /// Writes the model's attributes into `v`, leaving the others as they are.
    pub fn write(&self, v: &mut Value) -> Result<(), Diagnostic> {
        let written = model::to_value(self, value_type())?;
        for name in model::field_names::<Self>() {
            v.set_attr(*name, written.attr(name).clone());
        }
        Ok(())
    }

    /// The known id.
    pub(super) fn known_id(&self) -> Option<String> {
        self.id.known().cloned()
    }
}
