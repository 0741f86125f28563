//! `data "immuta_integration"`: one integration by id, with the read-only
//! attributes of the resource (`type`, `status`, `validation_results`) and
//! its non-secret config.
//!
//! Its config attributes are the integration domain's public view
//! (`integration::public`), which `immuta_integrations` shows too: secrets
//! never reach a data source's state.
//!
//! File order: schema, model, converters, lifecycle.

use crate::framework::model::{self, Field};
use crate::framework::{
    Attribute, AttributePath, Block, Context, DataReadRequest, DataReadResponse, DataSource,
    Diagnostic, Diagnostics, Schema, Value,
};
use crate::integration::convert::validation_results_value;
use crate::integration::public::{config_attributes, config_values, field_list};
use crate::integration::schema as integration_schema;
use crate::provider_data::Configured;
use async_trait::async_trait;
use immuta_api::Integration;
use immuta_client::ClientError;
use serde::{Deserialize, Serialize};

/// The data source's type name.
pub const TYPE_NAME: &str = crate::integration::TYPE_NAME;

// ===========================================================================
// Schema

fn schema() -> Schema {
    let mut attrs = vec![Attribute::string("id")
        .required()
        .description("The integration's id in Immuta.")];
    attrs.extend(summary_attributes());
    attrs.push(validation_results_attribute());
    attrs.extend(config_attributes());
    Schema::new(Block::new(attrs).description(
        "Reads one Immuta integration by id: its type, status, last validation results and \
         the non-secret part of its configuration. Secrets (passwords, tokens, keys, and the \
         user names Immuta redacts) are never shown. A missing id is an error.",
    ))
}

/// `type`, `status` and `auto_bootstrap`, as outputs.
pub(crate) fn summary_attributes() -> Vec<Attribute> {
    vec![
        Attribute::string("type")
            .computed()
            .description("Immuta's type string, e.g. `Snowflake`, `Native S3`."),
        Attribute::string("status")
            .computed()
            .description("Its status, e.g. `enabled` or `createError`."),
        Attribute::bool("auto_bootstrap")
            .computed()
            .description("Whether Immuta set up the platform side itself (null for Trino)."),
    ]
}

/// The resource's `validation_results`, as a plain object type of the same
/// shape (see [`config_attributes`] on why not a nested attribute).
fn validation_results_attribute() -> Attribute {
    let shared = integration_schema::schema()
        .block
        .attribute("validation_results")
        .cloned();
    match shared {
        Some(a) => Attribute::new(a.name.clone(), a.value_type())
            .computed()
            .description(format!(
                "The validation tests Immuta ran last (null when it reports none): {}. \
                 `status` is `passed`, `failed`, `warning` or `skipped`; each test's \
                 `result_json` is its result data as JSON.",
                field_list(a.nested_attributes().unwrap_or_default())
            )),
        None => Attribute::string("validation_results").computed(),
    }
}

// ===========================================================================
// Model

/// The data source's state, but for the attributes the integration
/// domain's converters write as `Value`s and [`state_of`] sets after
/// [`model::to_value`]: `validation_results` and the per-type config
/// attributes of the public view (`integration::public`), kept as `Value`s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct IntegrationModel {
    /// The configured id, trimmed.
    id: String,
    /// Immuta's type string.
    #[serde(rename = "type")]
    integration_type: Option<String>,
    /// Its status string.
    status: Option<String>,
    /// Null for Trino, which has no bootstrap.
    auto_bootstrap: Option<bool>,
}

/// What validation and read take from the configuration (`id` may still be
/// unknown at validation).
#[derive(Debug, Deserialize)]
struct IntegrationConfig {
    id: Field<String>,
}

/// Whether a configuration's id is known (validation checks only then).
fn id_is_known(config: &Value) -> bool {
    matches!(
        model::from_value::<IntegrationConfig>(config),
        Ok(IntegrationConfig {
            id: Field::Known(_)
        })
    )
}

/// The configured id.
fn id_of(config: &Value) -> Result<String, Diagnostic> {
    let path = AttributePath::new("id");
    let id = match model::from_value::<IntegrationConfig>(config)
        .map_err(|e| e.to_diagnostic())?
        .id
    {
        Field::Known(id) => id,
        Field::Null | Field::Unknown => {
            return Err(Diagnostic::attribute_error(
                path,
                "Missing required value",
                "id must be set.",
            ))
        }
    };
    if id.trim().is_empty() {
        return Err(Diagnostic::attribute_error(
            path,
            "id: expected the id of an Immuta integration, got \"\"",
            "Set id to an integration's id, e.g. immuta_integration.x.id.",
        ));
    }
    Ok(id.trim().to_string())
}

// ===========================================================================
// Converters

/// The model of an integration read by `id`.
fn model_of(id: &str, i: &Integration) -> IntegrationModel {
    IntegrationModel {
        id: id.to_string(),
        integration_type: Some(i.integration_type.as_str().to_string()),
        status: Some(i.status.as_str().to_string()),
        auto_bootstrap: i.auto_bootstrap,
    }
}

fn state_of(id: &str, i: &Integration) -> Result<Value, Diagnostic> {
    let mut s =
        model::to_value(&model_of(id, i), &schema().value_type()).map_err(|e| e.to_diagnostic())?;
    for (k, v) in config_values(i) {
        s.set_attr(k, v);
    }
    s.set_attr(
        "validation_results",
        validation_results_value(i.validation_results.as_ref()),
    );
    Ok(s)
}

fn read_error(id: &str, e: &ClientError) -> Diagnostic {
    if e.is_not_found() {
        Diagnostic::attribute_error(
            AttributePath::new("id"),
            format!("id: expected the id of an existing integration, got \"{id}\""),
            format!(
                "{e}\n\nThere is no integration with this id in Immuta. Check the id, or list \
                 what exists with the immuta_integrations data source."
            ),
        )
    } else {
        crate::client_errors::diagnostic(format!("Could not read integration {id}"), e)
    }
}

// ===========================================================================
// Lifecycle

/// The `immuta_integration` data source; it reads through the configured
/// client of the call context.
pub struct IntegrationDataSource;

#[async_trait]
impl DataSource for IntegrationDataSource {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        match id_is_known(config).then(|| id_of(config)) {
            Some(Err(d)) => d.into(),
            _ => Diagnostics::new(),
        }
    }

    async fn read(&self, ctx: &Context, req: DataReadRequest) -> DataReadResponse {
        match read(ctx, &req.config).await {
            Ok(state) => DataReadResponse {
                state,
                ..Default::default()
            },
            Err(diagnostics) => DataReadResponse {
                diagnostics,
                ..Default::default()
            },
        }
    }
}

/// The state of the integration the configuration names.
async fn read(ctx: &Context, config: &Value) -> Result<Value, Diagnostics> {
    let id = id_of(config)?;
    let client = ctx.configured::<Configured>()?.client_for(ctx);
    let integration = client.get(&id).await.map_err(|e| read_error(&id, &e))?;
    Ok(state_of(&id, &integration)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integration::public::public_nested_attributes;
    use crate::integration::Platform;
    use serde_json::json;

    fn snowflake() -> Integration {
        serde_json::from_value(json!({
            "id": "7", "status": "enabled", "type": "Snowflake", "autoBootstrap": false,
            "validationResults": {"status": "passed", "validationTests": [
                {"name": "Initial Validation: Basic Connection Test", "status": "passed", "result": []}
            ]},
            "config": {"host": "org.us-east-1.snowflakecomputing.com", "port": 443,
                       "warehouse": "W", "database": "D",
                       "authenticationType": "userPassword", "username": "<REDACTED>",
                       "password": "<REDACTED>", "audit": {"enabled": false}}
        }))
        .unwrap()
    }

    fn all_names(attrs: &[Attribute], out: &mut Vec<String>) {
        for a in attrs {
            assert!(!a.sensitive, "{} is sensitive", a.name);
            assert!(a.computed && !a.optional && !a.required, "{}", a.name);
            out.push(a.name.clone());
            if let Some(inner) = a.nested_attributes() {
                all_names(inner, out);
            }
        }
    }

    #[test]
    fn the_public_view_has_no_secret_attribute() {
        let attrs: Vec<Attribute> = public_nested_attributes()
            .into_iter()
            .map(|(_, a)| a)
            .collect();
        let mut names = Vec::new();
        all_names(&attrs, &mut names);
        for secret in [
            "password",
            "token",
            "credential",
            "client_secret",
            "content",
            "aws_secret_access_key",
            "api_key",
            "private_key_password",
        ] {
            assert!(!names.iter().any(|n| n == secret), "{secret} is shown");
        }
        assert!(names.iter().any(|n| n == "warehouse"));
        // Trino has nothing but its key: no attribute at all.
        assert!(!attrs.iter().any(|a| a.name == "trino"));
        assert_eq!(attrs.len(), Platform::ALL.len() - 1);
        // The schema's attributes: plain object types of the same shape.
        for (schema_attr, view) in config_attributes().iter().zip(&attrs) {
            assert_eq!(schema_attr.value_type(), view.value_type());
            assert!(schema_attr.nested_attributes().is_none());
            assert!(schema_attr.computed && !schema_attr.optional);
        }
        let sf = &config_attributes()[0];
        let d = sf.description.as_deref().unwrap_or_default();
        assert!(d.contains("`impersonation` (`enabled`, `role`)"), "{d}");
    }

    #[test]
    fn values_match_the_schema_and_drop_redacted_values() {
        let i = snowflake();
        let s = state_of("7", &i).unwrap();
        let sf = s.attr("snowflake");
        assert_eq!(sf.attr("warehouse").as_str(), Some("W"));
        assert_eq!(sf.attr("port").as_i64(), Some(443));
        assert!(
            sf.get_attr("username").is_none(),
            "Immuta always redacts it"
        );
        assert!(sf.get_attr("password").is_none());
        assert!(s.attr("databricks").is_null());
        assert_eq!(s.attr("auto_bootstrap"), &Value::Bool(false));
        // Every schema attribute, and nothing else.
        let names: Vec<String> = schema()
            .block
            .attributes
            .iter()
            .map(|a| a.name.clone())
            .collect();
        let got: Vec<String> = s.as_map().unwrap().keys().cloned().collect();
        let mut want = names.clone();
        want.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn validation_results_are_the_resources() {
        let i = snowflake();
        let from_resource = crate::integration::convert::to_state(&i, &Default::default()).unwrap();
        assert_eq!(
            &validation_results_value(i.validation_results.as_ref()),
            from_resource.validation_results.value()
        );
    }

    #[test]
    fn the_model_is_the_schema_but_the_domains_values() {
        let mut block = schema().block;
        let values: Vec<String> = config_attributes().into_iter().map(|a| a.name).collect();
        block
            .attributes
            .retain(|a| a.name != "validation_results" && !values.contains(&a.name));
        model::assert_model_matches_schema::<IntegrationModel>(&block);
        model::assert_model_within_schema::<IntegrationConfig>(&schema().block);
    }

    #[test]
    fn an_empty_id_names_the_attribute() {
        let e = id_of(&Value::object([("id", Value::from(" "))])).unwrap_err();
        assert_eq!(e.attribute.unwrap().to_string(), "id");
    }
}
