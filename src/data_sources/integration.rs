//! `data "immuta_integration"`: one integration by id, with the read-only
//! attributes of the resource (`type`, `status`, `validation_results`) and
//! its non-secret config.
//!
//! Its config attributes are the integration domain's public view
//! (`integration::public`), which `immuta_integrations` shows too: secrets
//! never reach a data source's state.
//!
//! File order: schema, model, converters, lifecycle.

use crate::framework::{
    Attribute, AttributePath, Block, Context, DataReadRequest, DataReadResponse, DataSource,
    Diagnostic, Diagnostics, Schema, Value,
};
use crate::integration::convert::validation_results_value;
use crate::integration::public::{config_attributes, config_values, field_list};
use crate::integration::schema as integration_schema;
use crate::provider_data::ProviderData;
use async_trait::async_trait;
use immuta_api::Integration;
use immuta_client::ClientError;
use std::sync::Arc;

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

/// The configured id.
fn id_of(config: &Value) -> Result<String, Diagnostic> {
    let path = AttributePath::new("id");
    let id = config.required_string_at(&path)?;
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

/// `type`, `status` and `auto_bootstrap` of an integration.
pub(crate) fn summary_values(i: &Integration) -> Vec<(String, Value)> {
    vec![
        ("type".into(), Value::string(i.integration_type.as_str())),
        ("status".into(), Value::string(i.status.as_str())),
        (
            "auto_bootstrap".into(),
            i.auto_bootstrap.map_or(Value::Null, Value::Bool),
        ),
    ]
}

fn state_of(config: &Value, id: &str, i: &Integration) -> Value {
    let mut s = config.clone();
    s.set_attr("id", Value::string(id));
    for (k, v) in summary_values(i).into_iter().chain(config_values(i)) {
        s.set_attr(k, v);
    }
    s.set_attr(
        "validation_results",
        validation_results_value(i.validation_results.as_ref()),
    );
    s
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

/// The `immuta_integration` data source.
pub struct IntegrationDataSource {
    data: Arc<ProviderData>,
}

impl IntegrationDataSource {
    /// A data source reading through the provider's client.
    pub fn new(data: Arc<ProviderData>) -> Self {
        IntegrationDataSource { data }
    }
}

#[async_trait]
impl DataSource for IntegrationDataSource {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if config.attr("id").is_known() {
            if let Err(d) = id_of(config) {
                diags.push(d);
            }
        }
        diags
    }

    async fn read(&self, ctx: &Context, req: DataReadRequest) -> DataReadResponse {
        let mut resp = DataReadResponse::default();
        let id = match id_of(&req.config) {
            Ok(id) => id,
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
        match client.get(&id).await {
            Ok(i) => resp.state = state_of(&req.config, &id, &i),
            Err(e) => resp.diagnostics.push(read_error(&id, &e)),
        }
        resp
    }
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
        let s = state_of(&Value::object([("id", Value::from("7"))]), "7", &i);
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
        let from_resource = crate::integration::convert::to_state(&i, &Value::Null).unwrap();
        assert_eq!(
            &validation_results_value(i.validation_results.as_ref()),
            from_resource.attr("validation_results")
        );
    }

    #[test]
    fn an_empty_id_names_the_attribute() {
        let e = id_of(&Value::object([("id", Value::from(" "))])).unwrap_err();
        assert_eq!(e.attribute.unwrap().to_string(), "id");
    }
}
