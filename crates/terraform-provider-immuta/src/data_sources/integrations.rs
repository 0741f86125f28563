//! `data "immuta_integrations"`: every integration Immuta has, optionally
//! filtered by type and status, for inventories and `for_each`. Each element
//! carries the non-secret config of its type, in the same shape as
//! `data "immuta_integration"` (see that file for how secrets are left out).
//!
//! File order: schema, model, converters, lifecycle.

use crate::data_sources::integration::{config_attributes, config_values};
use crate::provider::ProviderData;
use async_trait::async_trait;
use immuta_api::{Integration, IntegrationStatus, IntegrationType};
use std::sync::Arc;
use tf_framework::{
    Attribute, AttributePath, Block, Context, DataReadRequest, DataReadResponse, DataSource,
    Diagnostics, Schema, Value,
};

// ---- schema ----------------------------------------------------------------

fn schema() -> Schema {
    let type_names = IntegrationType::ALL
        .iter()
        .map(|t| format!("`{t}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut element = vec![
        Attribute::string("id")
            .computed()
            .description("The integration's id."),
        Attribute::string("type")
            .computed()
            .description("Immuta's type string, e.g. `Snowflake`."),
        Attribute::string("status")
            .computed()
            .description("Its status, e.g. `enabled`."),
        Attribute::bool("auto_bootstrap")
            .computed()
            .description("Whether Immuta set up the platform side itself (null for Trino)."),
        Attribute::string("validation_status")
            .computed()
            .description(
                "The overall outcome of its last validation: `passed`, `failed`, `warning` or \
                 `skipped` (null when Immuta reports none).",
            ),
    ];
    // The non-secret config: the attribute of the integration's type is set,
    // the others are null.
    element.extend(config_attributes());
    Schema::new(
        Block::new(vec![
            Attribute::string("type").optional().description(format!(
                "Only integrations of this Immuta type: one of {type_names}."
            )),
            Attribute::string("status")
                .optional()
                .description("Only integrations in this status, e.g. `enabled` or `createError`."),
            Attribute::list_nested("integrations", element)
                .computed()
                .description(
                    "The integrations, ordered by id, each with the non-secret config of its \
                 type (e.g. `snowflake.warehouse`); secrets are never shown.",
                ),
        ])
        .description(
            "Lists the integrations of an Immuta tenant, optionally filtered by type and \
             status.",
        ),
    )
}

// ---- model -----------------------------------------------------------------

/// The filters of the data source's configuration.
#[derive(Debug, Default, PartialEq)]
struct Filters {
    integration_type: Option<IntegrationType>,
    status: Option<IntegrationStatus>,
}

impl Filters {
    fn from_config(config: &Value) -> Result<Self, Diagnostics> {
        let mut diags = Diagnostics::new();
        let integration_type = config.attr("type").as_str().map(IntegrationType::from);
        if let Some(IntegrationType::Other(t)) = &integration_type {
            diags.attribute_error(
                AttributePath::new("type"),
                "Unknown integration type",
                format!(
                    "Expected one of {}, got {t:?}.",
                    IntegrationType::ALL
                        .iter()
                        .map(|t| format!("{:?}", t.as_str()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        let status = config.attr("status").as_str().map(IntegrationStatus::from);
        if let Some(IntegrationStatus::Other(s)) = &status {
            diags.attribute_error(
                AttributePath::new("status"),
                "Unknown integration status",
                format!(
                    "Expected one of {}, got {s:?}.",
                    IntegrationStatus::ALL
                        .iter()
                        .map(|s| format!("{:?}", s.as_str()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        if diags.has_errors() {
            return Err(diags);
        }
        Ok(Filters {
            integration_type,
            status,
        })
    }

    fn keeps(&self, i: &Integration) -> bool {
        self.integration_type
            .as_ref()
            .is_none_or(|t| *t == i.integration_type)
            && self.status.as_ref().is_none_or(|s| *s == i.status)
    }
}

// ---- converters ------------------------------------------------------------

fn to_value(i: &Integration) -> Value {
    let mut v = Value::object([
        ("id", Value::string(i.id.as_str())),
        ("type", Value::string(i.integration_type.as_str())),
        ("status", Value::string(i.status.as_str())),
        (
            "auto_bootstrap",
            i.auto_bootstrap.map_or(Value::Null, Value::Bool),
        ),
        (
            "validation_status",
            Value::opt_string(i.validation_results.as_ref().map(|v| v.status.as_str())),
        ),
    ]);
    for (name, value) in config_values(i) {
        v.set_attr(name, value);
    }
    v
}

/// Sorts ids numerically where they are numbers, so `10` comes after `9`.
fn by_id(a: &Integration, b: &Integration) -> std::cmp::Ordering {
    let key = |i: &Integration| (i.id.as_str().parse::<u64>().ok(), i.id.as_str().to_string());
    match (key(a), key(b)) {
        ((Some(x), _), (Some(y), _)) => x.cmp(&y),
        ((_, x), (_, y)) => x.cmp(&y),
    }
}

// ---- lifecycle -------------------------------------------------------------

/// The `immuta_integrations` data source.
pub struct IntegrationsDataSource {
    data: Arc<ProviderData>,
}

impl IntegrationsDataSource {
    /// A data source reading through the provider's client.
    pub fn new(data: Arc<ProviderData>) -> Self {
        IntegrationsDataSource { data }
    }
}

#[async_trait]
impl DataSource for IntegrationsDataSource {
    fn type_name(&self) -> &str {
        "immuta_integrations"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        Filters::from_config(config).err().unwrap_or_default()
    }

    async fn read(&self, ctx: &Context, req: DataReadRequest) -> DataReadResponse {
        let mut resp = DataReadResponse::default();
        let filters = match Filters::from_config(&req.config) {
            Ok(f) => f,
            Err(d) => {
                resp.diagnostics = d;
                return resp;
            }
        };
        let configured = match self.data.configured() {
            Ok(c) => c,
            Err(d) => {
                resp.diagnostics.push(d);
                return resp;
            }
        };
        let listed = tokio::select! {
            r = configured.client.list() => r,
            _ = ctx.cancelled() => {
                resp.diagnostics.error("Cancelled", "Terraform asked the provider to stop.");
                return resp;
            }
        };
        let mut list = match listed {
            Ok(l) => l,
            Err(e) => {
                resp.diagnostics
                    .error("Could not list Immuta integrations", e.to_string());
                return resp;
            }
        };
        list.retain(|i| filters.keeps(i));
        list.sort_by(by_id);
        let mut state = req.config.clone();
        state.set_attr(
            "integrations",
            Value::List(list.iter().map(to_value).collect()),
        );
        resp.state = state;
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn integration(id: &str, ty: &str, status: &str) -> Integration {
        serde_json::from_value(json!({"id": id, "type": ty, "status": status})).unwrap()
    }

    #[test]
    fn filters_by_type_and_status() {
        let f = Filters::from_config(&Value::object([
            ("type", Value::string("Snowflake")),
            ("status", Value::string("enabled")),
        ]))
        .unwrap();
        assert!(f.keeps(&integration("1", "Snowflake", "enabled")));
        assert!(!f.keeps(&integration("2", "Databricks", "enabled")));
        assert!(!f.keeps(&integration("3", "Snowflake", "createError")));
        let all = Filters::from_config(&Value::object([("type", Value::Null)])).unwrap();
        assert!(all.keeps(&integration("2", "Databricks", "editing")));
    }

    #[test]
    fn unknown_type_filter_names_the_attribute() {
        let d =
            Filters::from_config(&Value::object([("type", Value::string("Oracle"))])).unwrap_err();
        let first = d.iter().next().unwrap();
        assert_eq!(first.attribute.as_ref().unwrap().to_string(), "type");
        assert!(first.detail.contains("\"Snowflake\""), "{}", first.detail);
    }

    #[test]
    fn unknown_status_filter_names_the_attribute() {
        let d = Filters::from_config(&Value::object([("status", Value::string("active"))]))
            .unwrap_err();
        let first = d.iter().next().unwrap();
        assert_eq!(first.attribute.as_ref().unwrap().to_string(), "status");
        assert!(first.detail.contains("\"enabled\""), "{}", first.detail);
    }

    #[test]
    fn elements_carry_the_non_secret_config_of_their_type() {
        let i: Integration = serde_json::from_value(json!({
            "id": "4", "type": "Snowflake", "status": "enabled", "autoBootstrap": false,
            "config": {"host": "h", "warehouse": "W", "password": "<REDACTED>",
                       "username": "<REDACTED>"}
        }))
        .unwrap();
        let v = to_value(&i);
        assert_eq!(v.attr("snowflake").attr("warehouse").as_str(), Some("W"));
        assert!(v.attr("snowflake").attr("username").is_null());
        assert!(v.attr("snowflake").get_attr("password").is_none());
        assert!(v.attr("redshift").is_null());
        // Every attribute of the element schema is there.
        let Some(Attribute { kind, .. }) = schema().block.attribute("integrations").cloned() else {
            panic!("no integrations attribute")
        };
        let tf_framework::AttributeKind::Nested { attributes, .. } = kind else {
            panic!("not nested")
        };
        let mut names: Vec<String> = attributes.iter().map(|a| a.name.clone()).collect();
        names.sort();
        let got: Vec<String> = v.as_map().unwrap().keys().cloned().collect();
        assert_eq!(got, names);
    }

    #[test]
    fn ids_sort_numerically() {
        let mut v = [
            integration("10", "Trino", "enabled"),
            integration("9", "Trino", "enabled"),
        ];
        v.sort_by(by_id);
        assert_eq!(v[0].id.as_str(), "9");
    }
}
