//! The model of `immuta_connection` and its converters: which technology a
//! value sets, the request body of a create or an update, and the state
//! from Immuta's answer.

use super::schema;
use crate::framework::model::{self, Field, Raw};
use crate::framework::{AttributePath, Diagnostic, Value};
use crate::integration::connection::{connection_payload, joined_config};
use crate::integration::convert::request_payload;
use crate::integration::{lake_formation, IntegrationModel, Platform, Timeouts, TimeoutsModel};
use immuta_api::connection::{
    Activation, Connection, ConnectionPayload, ObjectSettings, Technology,
};
use immuta_api::IntegrationPayload;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// One of the three technologies, by the attribute that sets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tech {
    /// `snowflake` or `databricks`: an `immuta_integration` type's block.
    Platform(Platform),
    /// `lake_formation`.
    LakeFormation,
}

impl Tech {
    /// Every technology, in schema order.
    pub const ALL: [Tech; 3] = [
        Tech::Platform(Platform::SNOWFLAKE),
        Tech::Platform(Platform::DATABRICKS),
        Tech::LakeFormation,
    ];

    /// The attribute's name.
    pub fn block_name(self) -> &'static str {
        match self {
            Tech::Platform(p) => p.block_name(),
            Tech::LakeFormation => lake_formation::BLOCK,
        }
    }

    /// The attribute's path.
    pub fn path(self) -> AttributePath {
        AttributePath::new(self.block_name())
    }

    /// Immuta's technology.
    pub fn technology(self) -> Technology {
        match self {
            Tech::Platform(p) if p == Platform::DATABRICKS => Technology::Databricks,
            Tech::Platform(_) => Technology::Snowflake,
            Tech::LakeFormation => Technology::LakeFormation,
        }
    }

    /// The technology of Immuta's string, if it is one of the three.
    pub fn of(t: &Technology) -> Option<Tech> {
        Tech::ALL.into_iter().find(|x| x.technology() == *t)
    }

    /// The attribute names, in prose.
    pub fn names() -> String {
        let names: Vec<String> = Tech::ALL
            .iter()
            .map(|t| format!("`{}`", t.block_name()))
            .collect();
        crate::integration::platforms::list_names(&names, "and")
    }
}

/// The technology attributes set (or not yet known) in a value.
pub fn techs_set(v: &Value) -> Vec<Tech> {
    Tech::ALL
        .into_iter()
        .filter(|t| !v.attr(t.block_name()).is_null())
        .collect()
}

/// The one technology set in a value, if exactly one is.
pub fn tech_of(v: &Value) -> Option<Tech> {
    match techs_set(v).as_slice() {
        [t] => Some(*t),
        _ => None,
    }
}

/// The resource's state and plan: one field per schema attribute. The
/// technology attributes pass through as values: plan-time code sees
/// unknowns inside them, and the integration domain's converters read and
/// write them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConnectionModel {
    /// The connection key; unknown until the first apply.
    pub id: Field<String>,
    /// The connection key.
    pub connection_key: Field<String>,
    /// Immuta's technology string.
    pub technology: Field<String>,
    /// The Snowflake block.
    pub snowflake: Raw,
    /// The Databricks block.
    pub databricks: Raw,
    /// The Lake Formation block.
    pub lake_formation: Raw,
    /// The root's settings.
    pub settings: Field<SettingsModel>,
    /// The wrapped integration's id.
    pub native_integration_id: Field<String>,
    /// Time limits of the waits.
    pub timeouts: Field<TimeoutsModel>,
}

/// `settings`: the root object's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SettingsModel {
    /// Whether the connection (and what inherits from it) is active.
    pub is_active: Field<bool>,
    /// Whether children object sync finds later start active.
    pub activate_new_children: Field<bool>,
}

/// Which wait a time limit is for.
#[derive(Clone, Copy, Debug)]
pub enum Op {
    /// Create.
    Create,
    /// Update.
    Update,
    /// Delete.
    Delete,
}

impl ConnectionModel {
    /// The model as a value of the schema's type.
    pub fn to_value(&self) -> Result<Value, Diagnostic> {
        Ok(model::to_value(self, &schema().value_type())?)
    }

    /// The block of `t`.
    pub fn block(&self, t: Tech) -> &Value {
        match t {
            Tech::Platform(p) if p == Platform::DATABRICKS => &self.databricks.0,
            Tech::Platform(_) => &self.snowflake.0,
            Tech::LakeFormation => &self.lake_formation.0,
        }
    }

    fn block_mut(&mut self, t: Tech) -> &mut Value {
        match t {
            Tech::Platform(p) if p == Platform::DATABRICKS => &mut self.databricks.0,
            Tech::Platform(_) => &mut self.snowflake.0,
            Tech::LakeFormation => &mut self.lake_formation.0,
        }
    }

    /// The one technology set.
    pub fn tech(&self) -> Option<Tech> {
        let set: Vec<Tech> = Tech::ALL
            .into_iter()
            .filter(|t| !self.block(*t).is_null())
            .collect();
        match set.as_slice() {
            [t] => Some(*t),
            _ => None,
        }
    }

    /// The known connection key.
    pub fn key(&self) -> Option<&str> {
        self.connection_key.known().map(String::as_str)
    }

    /// The known id of the native integration.
    pub fn native_id(&self) -> Option<&str> {
        self.native_integration_id.known().map(String::as_str)
    }

    /// The time limit of `op` (unset, unknown or bad values give the
    /// default; validation reports bad ones).
    pub fn timeout(&self, op: Op) -> Duration {
        let t = Timeouts::from_model(&self.timeouts);
        match op {
            Op::Create => t.create,
            Op::Update => t.update,
            Op::Delete => t.delete,
        }
    }

    /// No unknown left (after an apply, what Immuta did not say is null).
    pub fn unknowns_to_null(&mut self) {
        for t in Tech::ALL {
            self.block_mut(t).unknowns_to_null();
        }
        let null = |f: &mut Field<String>| {
            if f.is_unknown() {
                *f = Field::Null;
            }
        };
        null(&mut self.id);
        null(&mut self.technology);
        null(&mut self.native_integration_id);
        match &mut self.settings {
            Field::Unknown => self.settings = Field::Null,
            Field::Known(s) => {
                for f in [&mut s.is_active, &mut s.activate_new_children] {
                    if f.is_unknown() {
                        *f = Field::Null;
                    }
                }
            }
            Field::Null => {}
        }
        if self.timeouts.is_unknown() {
            self.timeouts = Field::Null;
        }
    }
}

/// The settings the configuration sets, as Immuta's body: `None` when it
/// sets none.
pub fn settings_body(config: &ConnectionModel) -> Option<ObjectSettings> {
    let s = config.settings.known()?;
    let body = ObjectSettings {
        is_active: s.is_active.known().map(|b| Activation::from(*b)),
        activate_new_children: s.activate_new_children.known().copied(),
        ..ObjectSettings::default()
    };
    (body.is_active.is_some() || body.activate_new_children.is_some()).then_some(body)
}

/// The native integration of a state's block, for the removal script
/// (whose body Immuta reads the integration's type from).
pub fn native_of(state: &ConnectionModel, t: Tech) -> IntegrationPayload {
    match t {
        Tech::Platform(p) => IntegrationPayload {
            integration_type: p.integration_type(),
            auto_bootstrap: Some(false),
            config: p.to_config(state.block(t)),
        },
        Tech::LakeFormation => lake_formation::native_payload(),
    }
}

/// The body of a create (with the configured settings) or of an update's
/// PUT (without: settings go through `/data/settings`): `planned`, where
/// each secret set through its write-only twin in `config` holds the
/// twin's value.
pub fn request_body(
    t: Tech,
    config: &ConnectionModel,
    planned: &ConnectionModel,
    settings: Option<ObjectSettings>,
) -> Result<ConnectionPayload, Diagnostic> {
    let key = planned.key().unwrap_or_default().to_string();
    match t {
        Tech::Platform(p) => {
            let wrap = |m: &ConnectionModel| {
                let mut im = IntegrationModel::default();
                if let Some(b) = im.block_mut(p) {
                    *b = m.block(t).clone();
                }
                im
            };
            let native = request_payload(p, &wrap(config), &wrap(planned))?;
            connection_payload(&key, native, settings).ok_or_else(|| {
                Diagnostic::attribute_error(
                    t.path(),
                    format!("{}: expected a complete block, got none", t.block_name()),
                    "The planned value holds no settings to send.",
                )
            })
        }
        Tech::LakeFormation => {
            let block = lake_formation::with_twins(|tw| {
                tw.request_block(config.block(t), planned.block(t))
            });
            Ok(ConnectionPayload {
                connection_key: key,
                connection: lake_formation::to_spec(&block),
                settings,
                options: None,
                native_integration: lake_formation::native_payload(),
            })
        }
    }
}

/// The technology of an answer (its connection object's, else its native
/// integration's type), one of the three.
pub fn answer_tech(answer: &Connection) -> Result<Tech, Diagnostic> {
    let technology = answer
        .connection
        .as_ref()
        .and_then(|c| c.technology.clone())
        .or_else(|| {
            let native = answer.native_integration.as_ref()?;
            Some(Technology::from(native.integration_type.as_str()))
        });
    let found = technology
        .as_ref()
        .map_or_else(|| "none".to_string(), |t| format!("\"{t}\""));
    technology.as_ref().and_then(Tech::of).ok_or_else(|| {
        Diagnostic::attribute_error(
            AttributePath::new("technology"),
            format!(
                "technology: expected Snowflake, Databricks or AWS Lake Formation, got {found}"
            ),
            format!(
                "Connection {} is of a technology this provider does not manage (Immuta \
                 documents the connection API of these three only).",
                answer.connection_key
            ),
        )
    })
}

/// The state of a connection as Immuta answers it. `prior` (state or plan)
/// gives the secrets Immuta redacts, the twins' versions and `timeouts`.
pub fn to_state(
    answer: &Connection,
    prior: &ConnectionModel,
) -> Result<ConnectionModel, Diagnostic> {
    let t = answer_tech(answer)?;
    let prior_block = prior.block(t);
    let block = match t {
        Tech::Platform(p) => {
            let config = joined_config(answer);
            let mut b = p.from_config(config.as_ref(), prior_block);
            p.add_write_only_state(&mut b, prior_block);
            b
        }
        Tech::LakeFormation => lake_formation::from_answer(answer, prior_block),
    };
    let key = answer.connection_key.clone();
    let mut m = ConnectionModel {
        id: Field::Known(key.clone()),
        connection_key: Field::Known(key),
        technology: Field::Known(t.technology().as_str().to_string()),
        settings: match &answer.settings {
            Some(s) => Field::Known(SettingsModel {
                is_active: s.is_active.and_then(Activation::as_bool).into(),
                activate_new_children: s.activate_new_children.into(),
            }),
            None => prior.settings.clone(),
        },
        native_integration_id: answer
            .native_integration_id
            .as_ref()
            .map(|i| i.as_str().to_string())
            .map_or_else(|| prior.native_integration_id.clone(), Field::Known),
        timeouts: prior.timeouts.clone(),
        ..ConnectionModel::default()
    };
    *m.block_mut(t) = block;
    Ok(m)
}
