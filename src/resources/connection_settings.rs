//! `immuta_connection_settings`: the settings of one object path below a
//! connection (a database, a schema, a table): whether it is active,
//! whether new children start active, and its data owners
//! (`PUT /data/settings/{objectPath}`, a bulk job waited on).
//!
//! The state holds what is set on the path itself (Immuta's `overrides`);
//! unset means inherited from the parent. Destroying the resource gives
//! `isActive` back to the parent (`null`) and clears the data owners it
//! set; Immuta documents no way to drop `activateNewChildren`, which keeps
//! its last value. The connection's root has its settings in
//! `immuta_connection`.
//!
//! File order: schema, model, converters, lifecycle ([`CrudResource`]).

use crate::framework::model::Field;
use crate::framework::{
    Attribute, AttributePath, Block, Context, CrudAdapter, CrudResource, Deleted, Diagnostic,
    Diagnostics, NestedBlock, NestingMode, Outcome, PlanRequest, PlanResponse, Planned, Resource,
    Schema, Type, Value,
};
use crate::integration::connection::{set_settings, SettingsError};
use crate::provider_data::Configured;
use async_trait::async_trait;
use immuta_api::connection::{Activation, DataObject, DataOwner, ObjectSettings};
use immuta_api::IntegrationId;
use immuta_client::{check_object_path, ClientError, ImmutaClient, WaitOptions};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// The resource's type name.
pub const TYPE_NAME: &str = "immuta_connection_settings";

/// How long a settings job may take.
const TIMEOUT: Duration = Duration::from_secs(30 * 60);

// ===========================================================================
// Schema

fn schema() -> Schema {
    Schema::new(
        Block::new(vec![
            Attribute::string("id")
                .computed()
                .description("The path, its parts joined by `/`."),
            Attribute::list("path", Type::String)
                .required()
                .description(
                    "The object path, the connection key first and at least one name below it \
                 (e.g. `[\"snowflake-prod\", \"ANALYTICS\", \"PUBLIC\"]`). A change replaces \
                 this resource.",
                ),
            Attribute::bool("is_active").optional().description(
                "Whether the path is active (its tables become data sources); unset inherits \
                 the parent's. Enabling a path is limited to fewer than 100,000 children.",
            ),
            Attribute::bool("activate_new_children")
                .optional()
                .description(
                    "Whether children that object sync finds later start active; unset leaves \
                 Immuta's value.",
                ),
        ])
        .block(NestedBlock::new(
            "data_owner",
            NestingMode::List,
            Block::new(vec![
                Attribute::string("type")
                    .required()
                    .description("`user` or `group`."),
                Attribute::string("id")
                    .optional()
                    .description("Immuta's id of the user or group."),
                Attribute::string("name")
                    .optional()
                    .description("Its name (`id` or `name` must be set)."),
            ])
            .description("A data owner of the path's data sources; one block each."),
        ))
        .description(
            "The settings of one object path below an Immuta connection (a database, schema \
             or table): active or not, whether new children start active, data owners. The \
             state holds what is set on the path itself; unset values are inherited. Tables \
             come and go with Immuta's object sync: set the settings of a database or schema \
             and let new tables inherit them. Destroying it gives `is_active` back to the \
             parent and clears the data owners.",
        ),
    )
}

// ===========================================================================
// Model

/// The resource's state and plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SettingsModel {
    /// The path joined by `/`; unknown until the first apply.
    pub id: Field<String>,
    /// The object path.
    pub path: Field<Vec<String>>,
    /// Active, inactive, or inherited (null).
    pub is_active: Option<bool>,
    /// Whether new children start active (null: Immuta's).
    pub activate_new_children: Option<bool>,
    /// Data owners.
    pub data_owner: Vec<OwnerModel>,
}

/// One `data_owner` block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OwnerModel {
    /// `user` or `group`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Immuta's id.
    pub id: Option<String>,
    /// Its name.
    pub name: Option<String>,
}

fn path_attr() -> AttributePath {
    AttributePath::new("path")
}

/// A path below a connection, checked as it goes into a URL.
fn checked(path: &[String]) -> Result<(), Diagnostic> {
    let bad = |got: String| {
        Err(Diagnostic::expected(
            path_attr(),
            "Invalid path",
            "the connection key and at least one name below it, each without `/`",
            &got,
        ))
    };
    if path.len() < 2 {
        return bad(format!(
            "{} part(s): the connection's own settings are immuta_connection's `settings`",
            path.len()
        ));
    }
    match check_object_path(path) {
        Ok(()) => Ok(()),
        Err(ClientError::InvalidId { id }) => bad(format!("the part \"{id}\"")),
        Err(e) => bad(e.to_string()),
    }
}

// ===========================================================================
// Converters

/// The body of `PUT /data/settings`: `isActive` always (null inherits),
/// the rest when set.
fn body_of(m: &SettingsModel) -> ObjectSettings {
    ObjectSettings {
        is_active: Some(m.is_active.map_or(Activation::Inherit, Activation::from)),
        activate_new_children: m.activate_new_children,
        data_owners: (!m.data_owner.is_empty()).then(|| {
            m.data_owner
                .iter()
                .map(|o| DataOwner {
                    kind: Some(o.kind.clone()),
                    id: o.id.clone().map(IntegrationId::from),
                    name: o.name.clone(),
                    ..DataOwner::default()
                })
                .collect()
        }),
        ..ObjectSettings::default()
    }
}

/// The state from an object: what is set on the path itself.
fn state_of(prior: &SettingsModel, o: &DataObject) -> SettingsModel {
    let own = o.overrides.clone().unwrap_or_default();
    SettingsModel {
        is_active: own.is_active.and_then(Activation::as_bool),
        activate_new_children: own.activate_new_children,
        data_owner: own
            .data_owners
            .unwrap_or_default()
            .into_iter()
            .map(|d| OwnerModel {
                kind: d.kind.unwrap_or_default(),
                id: d.id.map(|i| i.as_str().to_string()),
                name: d.name,
            })
            .collect(),
        ..prior.clone()
    }
}

fn client_error(action: &str, path: &[String], e: &ClientError) -> Diagnostic {
    crate::client_errors::diagnostic(
        format!("Could not {action} the settings of {}", path.join("/")),
        e,
    )
}

// ===========================================================================
// Lifecycle

/// The `immuta_connection_settings` resource, ready to register.
pub fn resource() -> Arc<dyn Resource> {
    CrudAdapter::shared(ConnectionSettingsResource)
}

/// The `immuta_connection_settings` resource (see [`resource`]).
pub struct ConnectionSettingsResource;

/// Sends `body` and waits for its bulk job.
async fn put(
    client: &ImmutaClient,
    ctx: &Context,
    path: &[String],
    body: &ObjectSettings,
) -> Result<(), Diagnostic> {
    let options = WaitOptions::new(TIMEOUT, ctx.cancellation_token().clone());
    set_settings(client, path, body, options)
        .await
        .map_err(|e| match e {
            SettingsError::Refused(e) => client_error("set", path, &e),
            SettingsError::NotApplied(e) => Diagnostic::error(
                format!("The settings of {} were not applied", path.join("/")),
                e.to_string(),
            ),
        })
}

impl ConnectionSettingsResource {
    /// Sets the planned settings and reads them back.
    async fn apply(&self, ctx: &Context, planned: SettingsModel) -> Outcome<SettingsModel> {
        let path = planned.path.known().cloned().unwrap_or_default();
        checked(&path)?;
        let client = ctx.configured::<Configured>()?.client_for(ctx);
        put(&client, ctx, &path, &body_of(&planned)).await?;
        let state = SettingsModel {
            id: Field::Known(path.join("/")),
            ..planned
        };
        match client.get_object(&path).await {
            Ok(o) => Ok(state_of(&state, &o).into()),
            Err(e) => Err(crate::framework::Failed::keep(
                state,
                client_error("read", &path, &e),
            )),
        }
    }
}

#[async_trait]
impl CrudResource for ConnectionSettingsResource {
    type Model = SettingsModel;

    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Result<(), Diagnostics> {
        let mut diags = Diagnostics::new();
        if let Some(parts) = config.attr("path").as_list() {
            let known: Option<Vec<String>> = parts
                .iter()
                .map(|p| p.as_str().map(str::to_string))
                .collect();
            if let Some(path) = known {
                if let Err(d) = checked(&path) {
                    diags.push(d);
                }
            }
        }
        for (i, o) in config
            .attr("data_owner")
            .as_list()
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let at = AttributePath::new("data_owner").index(i as i64);
            if let Some(t) = o.attr("type").as_str() {
                if t != "user" && t != "group" {
                    diags.push(Diagnostic::expected(
                        at.clone().attr("type"),
                        "Invalid data owner type",
                        "\"user\" or \"group\"",
                        format!("\"{t}\""),
                    ));
                }
            }
            if o.attr("id").is_null() && o.attr("name").is_null() {
                diags.attribute_error(
                    at,
                    "data_owner: expected an id or a name, got neither",
                    "Name the user or group by `id` or `name`.",
                );
            }
        }
        if diags.is_empty() {
            Ok(())
        } else {
            Err(diags)
        }
    }

    async fn modify_plan(
        &self,
        _ctx: &Context,
        req: &PlanRequest,
        plan: &mut PlanResponse,
    ) -> Result<(), Diagnostics> {
        if !req.is_create() && !req.proposed_new_state.is_null() && req.changed(&path_attr()) {
            plan.requires_replace.push(path_attr());
            plan.planned_state.set_attr("id", Value::Unknown);
        }
        Ok(())
    }

    async fn create(&self, ctx: &Context, req: Planned<SettingsModel>) -> Outcome<SettingsModel> {
        self.apply(ctx, req.planned).await
    }

    async fn read(
        &self,
        ctx: &Context,
        state: SettingsModel,
    ) -> Result<Option<SettingsModel>, Diagnostics> {
        let Some(path) = state.path.known().cloned() else {
            return Ok(Some(state));
        };
        let client = ctx.configured::<Configured>()?.client_for(ctx);
        match client.get_object(&path).await {
            Ok(o) => Ok(Some(state_of(&state, &o))),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(client_error("read", &path, &e).into()),
        }
    }

    async fn update(
        &self,
        ctx: &Context,
        _prior: SettingsModel,
        req: Planned<SettingsModel>,
    ) -> Outcome<SettingsModel> {
        self.apply(ctx, req.planned).await
    }

    /// `isActive` back to the parent's, data owners cleared; a path gone
    /// (its connection deleted, or object sync removed it) is done.
    async fn delete(&self, ctx: &Context, state: SettingsModel) -> Result<Deleted, Diagnostics> {
        let Some(path) = state.path.known().cloned() else {
            return Ok(Deleted::default());
        };
        let client = ctx.configured::<Configured>()?.client_for(ctx);
        let body = ObjectSettings {
            is_active: Some(Activation::Inherit),
            data_owners: (!state.data_owner.is_empty()).then(Vec::new),
            ..ObjectSettings::default()
        };
        match put(&client, ctx, &path, &body).await {
            Ok(()) => Ok(Deleted::default()),
            Err(_) if matches!(client.get_object(&path).await, Err(e) if e.is_not_found()) => {
                Ok(Deleted::default())
            }
            Err(d) => Err(d.into()),
        }
    }

    /// By the path joined with `/`, e.g. `snowflake-prod/ANALYTICS`.
    async fn import(&self, _ctx: &Context, id: &str) -> Result<SettingsModel, Diagnostics> {
        let path: Vec<String> = id.split('/').map(str::to_string).collect();
        checked(&path).map_err(|mut d| {
            d.detail = format!(
                "{}\n\nGive the path joined by `/`, e.g. `terraform import {TYPE_NAME}.x \
                 snowflake-prod/ANALYTICS`.",
                d.detail
            );
            Diagnostics::from(d)
        })?;
        Ok(SettingsModel {
            id: Field::Known(id.to_string()),
            path: Field::Known(path),
            ..SettingsModel::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::{self, assert_model_matches_schema};
    use serde_json::json;

    #[test]
    fn the_model_matches_the_schema() {
        assert_model_matches_schema::<SettingsModel>(&schema().block);
    }

    #[test]
    fn unset_is_active_inherits_and_owners_round_trip() {
        let m = SettingsModel {
            path: Field::Known(vec!["k".into(), "DB".into()]),
            data_owner: vec![OwnerModel {
                kind: "group".into(),
                id: None,
                name: Some("stewards".into()),
            }],
            ..SettingsModel::default()
        };
        let body = serde_json::to_value(body_of(&m)).unwrap();
        assert_eq!(
            body,
            json!({"isActive": null, "dataOwners": [{"type": "group", "name": "stewards"}]})
        );
        let o: DataObject = serde_json::from_value(json!({
            "objectPath": ["k", "DB"],
            "overrides": {"isActive": true, "dataOwners": [{"type": "group", "name": "stewards"}]}
        }))
        .unwrap();
        let s = state_of(&m, &o);
        assert_eq!(s.is_active, Some(true));
        assert_eq!(s.data_owner, m.data_owner);
        let v = model::to_value(&s, &schema().value_type()).unwrap();
        assert_eq!(v.attr("data_owner").as_list().unwrap().len(), 1);
    }

    #[test]
    fn the_root_and_bad_parts_name_the_path() {
        for bad in [vec!["k".to_string()], vec!["k".into(), "a/b".into()]] {
            let d = checked(&bad).unwrap_err();
            assert_eq!(d.attribute.unwrap().to_string(), "path");
        }
        checked(&["k".into(), "MY DB".into()]).unwrap();
    }
}
