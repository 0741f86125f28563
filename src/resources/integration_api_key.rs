//! `immuta_integration_api_key`: the Immuta API key a Starburst (Trino)
//! cluster uses, regenerated through `POST /integrations/{id}/regenerate`.
//!
//! Creating the resource regenerates the key; so does any change of
//! `triggers`, which makes rotation a plan like any other. Destroying it
//! only forgets the key: Immuta keeps the integration and its current key.
//! A plan that creates or replaces it checks, with one GET when
//! `integration_id` is known, that the integration is a Trino one.
//!
//! File order: schema, model, converters, lifecycle ([`CrudResource`]).

use crate::framework::model::{self, Field};
use crate::framework::{
    Attribute, AttributePath, Block, Context, CrudAdapter, CrudResource, Deleted, Diagnostic,
    Diagnostics, Outcome, PlanRequest, PlanResponse, Planned, Resource, Schema, Type, Value,
};
use crate::provider_data::Configured;
use async_trait::async_trait;
use immuta_api::{Integration, IntegrationConfig, IntegrationType};
use immuta_client::ClientError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The resource's type name.
pub const TYPE_NAME: &str = "immuta_integration_api_key";

// ===========================================================================
// Schema

fn schema() -> Schema {
    Schema::new(
        Block::new(vec![
            Attribute::string("id")
                .computed()
                .description("The integration's id (the same as `integration_id`)."),
            Attribute::string("integration_id").required().description(
                "The id of the Starburst (Trino) integration whose key to regenerate. A change \
                 replaces this resource (and so regenerates the key).",
            ),
            Attribute::map("triggers", Type::String)
                .optional()
                .description(
                    "Arbitrary values; any change regenerates the key, e.g. \
                 `{ rotation = \"2026-q4\" }` or a `time_rotating` id.",
                ),
            Attribute::string("api_key")
                .computed()
                .sensitive()
                .description(
                    "The regenerated Immuta API key, to configure the Starburst cluster with.",
                ),
        ])
        .description(
            "Regenerates the Immuta API key of a Starburst (Trino) integration and exposes it \
             as the sensitive `api_key`. Creating the resource regenerates the key, and so \
             does every change of `triggers`. Destroying it leaves the integration and its \
             current key in Immuta.",
        ),
    )
}

// ===========================================================================
// Model

/// The resource's state and plan: one field per schema attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyModel {
    /// The integration's id; unknown until the first apply.
    pub id: Field<String>,
    /// The integration whose key is regenerated.
    pub integration_id: String,
    /// Passed through untouched; a change regenerates the key.
    pub triggers: Option<BTreeMap<String, Option<String>>>,
    /// The key; unknown whenever the plan regenerates it.
    pub api_key: Field<String>,
}

/// What validation and plan-time checks read of the configuration, where
/// `integration_id` may still be unknown.
#[derive(Debug, Deserialize)]
struct KeyConfig {
    integration_id: Field<String>,
}

fn integration_id_path() -> AttributePath {
    AttributePath::new("integration_id")
}

// ===========================================================================
// Converters

/// `integration_id` when it can name an integration: not blank.
fn checked_id(id: &str) -> Result<&str, Diagnostic> {
    if id.trim().is_empty() {
        return Err(Diagnostic::expected(
            integration_id_path(),
            "Invalid integration_id",
            "the id of an Immuta integration",
            "an empty string",
        ));
    }
    Ok(id)
}

/// The key an integration's answer carries, if any.
fn key_of(integration: &Integration) -> Option<String> {
    match &integration.config {
        Some(IntegrationConfig::Trino(t)) => t
            .api_key
            .as_ref()
            .filter(|k| !k.is_redacted())
            .map(|k| k.expose().to_string()),
        _ => None,
    }
}

/// The state after a regeneration: the planned one with the id and key set.
fn regenerated(planned: KeyModel, integration: &Integration) -> Result<KeyModel, Diagnostic> {
    let id = planned.integration_id.clone();
    let key = key_of(integration).ok_or_else(|| {
        Diagnostic::error(
            format!("Immuta returned no API key for integration {id}"),
            format!(
                "Integration {id} is a {} integration; key regeneration is for Starburst \
                 (Trino) integrations.",
                integration.integration_type
            ),
        )
    })?;
    Ok(KeyModel {
        id: Field::Known(id),
        api_key: Field::Known(key),
        ..planned
    })
}

fn client_error(action: &str, id: &str, e: &ClientError) -> Diagnostic {
    crate::client_errors::diagnostic(
        format!("Could not {action} the API key of integration {id}"),
        e,
    )
}

// ===========================================================================
// Lifecycle

/// The `immuta_integration_api_key` resource, ready to register.
pub fn resource() -> Arc<dyn Resource> {
    CrudAdapter::shared(IntegrationApiKeyResource)
}

/// The `immuta_integration_api_key` resource (see [`resource`]).
pub struct IntegrationApiKeyResource;

impl IntegrationApiKeyResource {
    /// Regenerates the key of the planned integration (create and update
    /// alike: an update is a change of `triggers`).
    async fn regenerate(&self, ctx: &Context, planned: KeyModel) -> Result<KeyModel, Diagnostics> {
        let id = checked_id(&planned.integration_id)?.to_string();
        let client = ctx.configured::<Configured>()?.client_for(ctx);
        let integration = client
            .regenerate(&id)
            .await
            .map_err(|e| client_error("regenerate", &id, &e))?;
        Ok(regenerated(planned, &integration)?)
    }

    /// At plan time, when `integration_id` is known: one GET, and an error
    /// on `integration_id` unless it names a Starburst (Trino) integration,
    /// the only type with a key, so the plan fails rather than the apply.
    async fn check_has_key(&self, ctx: &Context, config: &Value, diags: &mut Diagnostics) {
        let Ok(KeyConfig {
            integration_id: Field::Known(id),
        }) = model::from_value(config)
        else {
            return;
        };
        if id.trim().is_empty() {
            return;
        }
        let Ok(configured) = ctx.configured::<Configured>() else {
            return;
        };
        let path = integration_id_path();
        match configured.client_for(ctx).get(&id).await {
            Ok(i) if i.integration_type == IntegrationType::Trino => {}
            Ok(i) => diags.attribute_error(
                path,
                format!(
                    "integration_id: expected the id of a Starburst (Trino) integration, got \
                     \"{id}\", a {} integration",
                    i.integration_type
                ),
                format!(
                    "Only Starburst (Trino) integrations have an Immuta API key to regenerate; \
                     integration {id} is of type {}. Set integration_id to the id of a Trino \
                     integration (e.g. immuta_integration.starburst.id).",
                    i.integration_type
                ),
            ),
            Err(e) if e.is_not_found() => diags.attribute_error(
                path,
                format!("integration_id: expected the id of an existing integration, got \"{id}\""),
                format!("{e}\n\nList what exists with the immuta_integrations data source."),
            ),
            Err(e) => diags.push(client_error("check", &id, &e)),
        }
    }
}

#[async_trait]
impl CrudResource for IntegrationApiKeyResource {
    type Model = KeyModel;

    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Result<(), Diagnostics> {
        let config: KeyConfig = model::from_value(config)?;
        match config.integration_id {
            Field::Known(id) => checked_id(&id).map(|_| ()).map_err(Diagnostics::from),
            Field::Unknown => Ok(()),
            Field::Null => Err(Diagnostic::attribute_error(
                integration_id_path(),
                "Missing required value",
                "integration_id must be set.",
            )
            .into()),
        }
    }

    async fn modify_plan(
        &self,
        ctx: &Context,
        req: &PlanRequest,
        plan: &mut PlanResponse,
    ) -> Result<(), Diagnostics> {
        // On create the default plan already leaves `id` and `api_key` unknown.
        if req.is_create() {
            self.check_has_key(ctx, &req.config, &mut plan.diagnostics)
                .await;
            return Ok(());
        }
        let id_path = integration_id_path();
        if req.changed(&id_path) {
            self.check_has_key(ctx, &req.config, &mut plan.diagnostics)
                .await;
            plan.requires_replace.push(id_path);
            plan.planned_state.set_attr("id", Value::Unknown);
            plan.planned_state.set_attr("api_key", Value::Unknown);
        } else if req.changed(&AttributePath::new("triggers")) {
            plan.planned_state.set_attr("api_key", Value::Unknown);
        }
        Ok(())
    }

    async fn create(&self, ctx: &Context, req: Planned<KeyModel>) -> Outcome<KeyModel> {
        Ok(self.regenerate(ctx, req.planned).await?.into())
    }

    async fn read(&self, ctx: &Context, state: KeyModel) -> Result<Option<KeyModel>, Diagnostics> {
        let id = checked_id(&state.integration_id)?.to_string();
        let client = ctx.configured::<Configured>()?.client_for(ctx);
        match client.get(&id).await {
            // A key rotated outside Terraform shows as a change of api_key.
            Ok(integration) => Ok(Some(KeyModel {
                api_key: key_of(&integration).map_or(state.api_key.clone(), Field::Known),
                ..state
            })),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(client_error("read", &id, &e).into()),
        }
    }

    async fn update(
        &self,
        ctx: &Context,
        _prior: KeyModel,
        req: Planned<KeyModel>,
    ) -> Outcome<KeyModel> {
        Ok(self.regenerate(ctx, req.planned).await?.into())
    }

    /// Nothing to undo in Immuta: the integration keeps its key.
    async fn delete(&self, _ctx: &Context, _state: KeyModel) -> Result<Deleted, Diagnostics> {
        Ok(Deleted::default())
    }

    /// The read that follows an import fills in the current key.
    async fn import(&self, _ctx: &Context, id: &str) -> Result<KeyModel, Diagnostics> {
        if let Some(refused) = super::refuse_import_id(id, TYPE_NAME) {
            return Err(refused.diagnostics);
        }
        Ok(KeyModel {
            id: Field::Known(id.to_string()),
            integration_id: id.to_string(),
            triggers: None,
            api_key: Field::Null,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::assert_model_matches_schema;
    use crate::framework::model::assert_model_within_schema;
    use serde_json::json;

    #[test]
    fn the_models_match_the_schema() {
        assert_model_matches_schema::<KeyModel>(&schema().block);
        assert_model_within_schema::<KeyConfig>(&schema().block);
    }

    #[test]
    fn the_key_comes_from_a_trino_answer_only() {
        let trino: Integration = serde_json::from_value(json!({
            "id": "3", "type": "Trino", "status": "enabled", "config": {"apiKey": "k-1"}
        }))
        .unwrap();
        assert_eq!(key_of(&trino).as_deref(), Some("k-1"));
        let redacted: Integration = serde_json::from_value(json!({
            "id": "3", "type": "Trino", "status": "enabled", "config": {"apiKey": "<REDACTED>"}
        }))
        .unwrap();
        assert_eq!(key_of(&redacted), None);
        let snowflake: Integration = serde_json::from_value(json!({
            "id": "4", "type": "Snowflake", "status": "enabled", "config": {"host": "h"}
        }))
        .unwrap();
        assert_eq!(key_of(&snowflake), None);
    }

    #[test]
    fn an_empty_integration_id_names_the_attribute() {
        let e = checked_id(" ").unwrap_err();
        assert_eq!(e.attribute.unwrap().to_string(), "integration_id");
        let e = model::from_value::<KeyModel>(&Value::object([("integration_id", Value::Null)]))
            .unwrap_err();
        assert_eq!(e.path.to_string(), "integration_id");
    }

    #[test]
    fn state_keeps_triggers_and_sets_the_key() {
        let prior = Value::object([
            ("integration_id", Value::string("7")),
            (
                "triggers",
                Value::Map([("r".to_string(), Value::string("1"))].into()),
            ),
            ("api_key", Value::Unknown),
            ("id", Value::Unknown),
        ]);
        let planned: KeyModel = model::from_value(&prior).unwrap();
        let trino: Integration = serde_json::from_value(json!({
            "id": "7", "type": "Trino", "status": "enabled", "config": {"apiKey": "new"}
        }))
        .unwrap();
        let m = regenerated(planned, &trino).unwrap();
        let s = model::to_value(&m, &schema().value_type()).unwrap();
        assert_eq!(s.attr("api_key").as_str(), Some("new"));
        assert_eq!(s.attr("id").as_str(), Some("7"));
        assert!(s.attr("triggers").as_map().is_some());
    }
}
