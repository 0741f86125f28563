//! `immuta_integration_api_key`: the Immuta API key a Starburst (Trino)
//! cluster uses, regenerated through `POST /integrations/{id}/regenerate`.
//!
//! Creating the resource regenerates the key; so does any change of
//! `triggers`, which makes rotation a plan like any other. Destroying it
//! only forgets the key: Immuta keeps the integration and its current key.
//! A plan that creates or replaces it checks, with one GET when
//! `integration_id` is known, that the integration is a Trino one.
//!
//! File order: schema, model, converters, lifecycle.

use crate::framework::{
    ApplyKind, ApplyRequest, ApplyResponse, Attribute, AttributePath, Block, Context, Diagnostic,
    Diagnostics, ImportRequest, ImportResponse, PlanRequest, PlanResponse, ReadRequest,
    ReadResponse, Resource, Schema, Type, Value,
};
use crate::provider_data::ProviderData;
use async_trait::async_trait;
use immuta_api::{Integration, IntegrationConfig, IntegrationType};
use immuta_client::ClientError;
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

/// The resource's state, as read from a Terraform value.
#[derive(Debug, PartialEq)]
struct KeyModel {
    integration_id: String,
}

impl KeyModel {
    fn from_value(v: &Value) -> Result<Self, Diagnostic> {
        let path = AttributePath::new("integration_id");
        let id = v.required_string_at(&path)?;
        if id.trim().is_empty() {
            return Err(Diagnostic::attribute_error(
                path,
                "Invalid integration_id",
                "Expected the id of an Immuta integration, got an empty string.",
            ));
        }
        Ok(KeyModel {
            integration_id: id.to_string(),
        })
    }
}

// ===========================================================================
// Converters

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

fn state_of(prior: &Value, integration_id: &str, api_key: Value) -> Value {
    let mut s = prior.clone();
    if !matches!(s, Value::Object(_)) {
        s = Value::object([("triggers", Value::Null)]);
    }
    s.set_attr("id", Value::string(integration_id));
    s.set_attr("integration_id", Value::string(integration_id));
    s.set_attr("api_key", api_key);
    s
}

fn client_error(action: &str, id: &str, e: &ClientError) -> Diagnostic {
    crate::client_errors::diagnostic(
        format!("Could not {action} the API key of integration {id}"),
        e,
    )
}

// ===========================================================================
// Lifecycle

/// The `immuta_integration_api_key` resource.
pub struct IntegrationApiKeyResource {
    data: Arc<ProviderData>,
}

impl IntegrationApiKeyResource {
    /// A resource acting through the provider's client.
    pub fn new(data: Arc<ProviderData>) -> Self {
        IntegrationApiKeyResource { data }
    }

    async fn regenerate(&self, ctx: &Context, id: &str) -> Result<String, Diagnostic> {
        let client = self.data.client_for(ctx)?;
        let integration = client
            .regenerate(id)
            .await
            .map_err(|e| client_error("regenerate", id, &e))?;
        key_of(&integration).ok_or_else(|| {
            Diagnostic::error(
                format!("Immuta returned no API key for integration {id}"),
                format!(
                    "Integration {id} is a {} integration; key regeneration is for Starburst \
                     (Trino) integrations.",
                    integration.integration_type
                ),
            )
        })
    }
}

impl IntegrationApiKeyResource {
    /// At plan time, when `integration_id` is known: one GET, and an error
    /// on `integration_id` unless it names a Starburst (Trino) integration,
    /// the only type with a key, so the plan fails rather than the apply.
    async fn check_has_key(&self, ctx: &Context, config: &Value, diags: &mut Diagnostics) {
        let Some(id) = config.attr("integration_id").as_str() else {
            return;
        };
        if id.trim().is_empty() {
            return;
        }
        let Ok(client) = self.data.client_for(ctx) else {
            return;
        };
        let path = AttributePath::new("integration_id");
        match client.get(id).await {
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
            Err(e) => diags.push(client_error("check", id, &e)),
        }
    }
}

#[async_trait]
impl Resource for IntegrationApiKeyResource {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let id = config.attr("integration_id");
        if id.is_known() {
            if let Err(d) = KeyModel::from_value(config) {
                diags.push(d);
            }
        }
        diags
    }

    async fn plan(&self, ctx: &Context, req: PlanRequest) -> PlanResponse {
        let mut resp = PlanResponse {
            planned_state: req.proposed_new_state.clone(),
            planned_private: req.prior_private.clone(),
            ..PlanResponse::default()
        };
        if req.proposed_new_state.is_null() {
            return resp;
        }
        if req.is_create() {
            resp.planned_state.set_attr("id", Value::Unknown);
            resp.planned_state.set_attr("api_key", Value::Unknown);
            self.check_has_key(ctx, &req.config, &mut resp.diagnostics)
                .await;
            return resp;
        }
        let id_path = AttributePath::new("integration_id");
        if req.changed(&id_path) {
            self.check_has_key(ctx, &req.config, &mut resp.diagnostics)
                .await;
            resp.requires_replace.push(id_path);
            resp.planned_state.set_attr("id", Value::Unknown);
            resp.planned_state.set_attr("api_key", Value::Unknown);
        } else if req.changed(&AttributePath::new("triggers")) {
            resp.planned_state.set_attr("api_key", Value::Unknown);
        }
        resp
    }

    async fn apply(&self, ctx: &Context, req: ApplyRequest) -> ApplyResponse {
        let mut resp = ApplyResponse {
            private: req.planned_private.clone(),
            ..ApplyResponse::default()
        };
        match req.kind() {
            ApplyKind::Delete => {
                // Nothing to undo in Immuta: the integration keeps its key.
                resp.new_state = Value::Null;
            }
            ApplyKind::Create | ApplyKind::Update => {
                let model = match KeyModel::from_value(&req.planned_state) {
                    Ok(m) => m,
                    Err(d) => {
                        resp.diagnostics.push(d);
                        resp.new_state = req.prior_state.clone();
                        return resp;
                    }
                };
                match self.regenerate(ctx, &model.integration_id).await {
                    Ok(key) => {
                        resp.new_state = state_of(
                            &req.planned_state,
                            &model.integration_id,
                            Value::string(key),
                        );
                    }
                    Err(d) => {
                        resp.diagnostics.push(d);
                        resp.new_state = req.prior_state.clone();
                    }
                }
            }
        }
        resp
    }

    async fn read(&self, ctx: &Context, req: ReadRequest) -> ReadResponse {
        let model = KeyModel::from_value(&req.current_state);
        // The state is moved, not copied: the answer starts as it.
        let mut resp = ReadResponse {
            new_state: req.current_state,
            private: req.private,
            ..ReadResponse::default()
        };
        let model = match model {
            Ok(m) => m,
            Err(d) => {
                resp.diagnostics.push(d);
                return resp;
            }
        };
        let client = match self.data.client_for(ctx) {
            Ok(c) => c,
            Err(d) => {
                resp.diagnostics.push(d);
                return resp;
            }
        };
        match client.get(&model.integration_id).await {
            Ok(integration) => {
                // A key rotated outside Terraform shows as a change of api_key.
                if let Some(key) = key_of(&integration) {
                    resp.new_state.set_attr("api_key", Value::string(key));
                }
            }
            Err(e) if e.is_not_found() => resp.new_state = Value::Null,
            Err(e) => resp
                .diagnostics
                .push(client_error("read", &model.integration_id, &e)),
        }
        resp
    }

    async fn import(&self, _ctx: &Context, req: ImportRequest) -> ImportResponse {
        if let Some(refused) = super::refuse_import_id(&req.id, "immuta_integration_api_key") {
            return refused;
        }
        // The read that follows an import fills in the current key.
        ImportResponse {
            state: Value::object([
                ("id", Value::string(&req.id)),
                ("integration_id", Value::string(&req.id)),
                ("triggers", Value::Null),
                ("api_key", Value::Null),
            ]),
            ..ImportResponse::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        let e = KeyModel::from_value(&Value::object([("integration_id", Value::string(" "))]))
            .unwrap_err();
        assert_eq!(e.attribute.unwrap().to_string(), "integration_id");
        assert!(KeyModel::from_value(&Value::object([("integration_id", Value::Null)])).is_err());
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
        let s = state_of(&prior, "7", Value::string("new"));
        assert_eq!(s.attr("api_key").as_str(), Some("new"));
        assert_eq!(s.attr("id").as_str(), Some("7"));
        assert!(s.attr("triggers").as_map().is_some());
    }
}
