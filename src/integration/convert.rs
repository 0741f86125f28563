//! Converters between Terraform values and `immuta-api`: the request bodies
//! of a configuration or a plan, and the resource's state from Immuta's
//! answer.

use super::model::IntegrationModel;
use super::platforms::{defaults, Platform};
use crate::framework::model::{Field, Raw};
use crate::framework::{AttributePath, Diagnostic, Diagnostics, Value};
use immuta_api::{Integration, IntegrationPayload, ValidationResults};

/// The body a configuration alone describes (the script data source, which
/// has no plan): unset and unknown values are left out; a secret set through
/// its write-only twin carries the twin's value.
pub fn to_payload(platform: Platform, v: &Value) -> IntegrationPayload {
    IntegrationPayload {
        integration_type: platform.integration_type(),
        auto_bootstrap: v.attr("auto_bootstrap").as_bool(),
        config: platform.to_config(&platform.merge_write_only(v.attr(platform.block_name()))),
    }
}

/// The body of a create or an update: the planned values (Immuta's
/// documented defaults included, unknown values left out), where each
/// secret set through its write-only twin in `config` carries the twin's
/// value. Fails, naming the attribute, if a value would be sent as Immuta's
/// `<REDACTED>` placeholder, which an Immuta may store literally.
pub fn request_payload(
    platform: Platform,
    config: &IntegrationModel,
    planned: &IntegrationModel,
) -> Result<IntegrationPayload, Diagnostic> {
    let block = platform.request_block(config.block(platform), planned.block(platform));
    if let Some(path) = placeholder_in(&block, platform.path()) {
        return Err(Diagnostic::attribute_error(
            path.clone(),
            format!("{path}: expected a value to send, got Immuta's placeholder"),
            "Immuta answered this value as <REDACTED> and the configuration does not set it, \
             so the update has nothing to send for it (sending the placeholder could make \
             Immuta store it). Set it in the configuration (or its write-only twin).",
        ));
    }
    Ok(IntegrationPayload {
        integration_type: platform.integration_type(),
        auto_bootstrap: planned.auto_bootstrap.known().copied(),
        config: platform.to_config(&block),
    })
}

/// The path of the first string in `v` that is Immuta's `<REDACTED>`.
fn placeholder_in(v: &Value, path: AttributePath) -> Option<AttributePath> {
    match v {
        Value::String(s) if defaults::is_redacted(s) => Some(path),
        Value::Object(attrs) => attrs
            .iter()
            .find_map(|(k, x)| placeholder_in(x, path.clone().attr(k))),
        _ => None,
    }
}

/// `validation_results` as the resource (and the `immuta_integration` data
/// source) shows it.
pub fn validation_results_value(vr: Option<&ValidationResults>) -> Value {
    let Some(vr) = vr else {
        return Value::Null;
    };
    let tests = vr
        .validation_tests
        .iter()
        .map(|t| {
            Value::object([
                ("name", Value::string(t.name.clone())),
                ("status", Value::string(t.status.as_str())),
                ("message", Value::opt_string(t.message.clone())),
                (
                    "result_json",
                    Value::opt_string(t.result.as_ref().map(|r| r.to_string())),
                ),
            ])
        })
        .collect();
    Value::object([
        ("status", Value::string(vr.status.as_str())),
        ("tests", Value::List(tests)),
    ])
}

/// The warnings of Immuta's validation tests, on the type attribute.
pub fn validation_warnings(vr: Option<&ValidationResults>, path: &AttributePath) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for t in vr.into_iter().flat_map(ValidationResults::warnings) {
        diags.attribute_warning(
            path.clone(),
            format!(
                "Immuta's validation test \"{}\" passed with a warning",
                t.name
            ),
            t.message.clone().unwrap_or_default(),
        );
    }
    diags
}

/// The resource's state of an integration as Immuta answers it. `prior`
/// (state or plan, possibly empty) gives the secrets Immuta redacts and the
/// attributes Immuta does not know (`timeouts`, `delete_credentials`...).
pub fn to_state(
    integration: &Integration,
    prior: &IntegrationModel,
) -> Result<IntegrationModel, Diagnostic> {
    let platform = Platform::from_type(&integration.integration_type).ok_or_else(|| {
        Diagnostic::attribute_error(
            AttributePath::new("type"),
            format!(
                "type: expected one of the types this provider knows, got \"{}\"",
                integration.integration_type
            ),
            "Immuta answered with an integration type this provider version does not support. \
             Upgrade the provider.",
        )
    })?;
    let mut state = IntegrationModel {
        id: Field::Known(integration.id.as_str().to_string()),
        integration_type: Field::Known(integration.integration_type.as_str().to_string()),
        status: Field::Known(integration.status.as_str().to_string()),
        auto_bootstrap: integration
            .auto_bootstrap
            .map_or_else(|| prior.auto_bootstrap.clone(), Field::Known),
        force_disable_on_destroy: Field::Known(
            prior.force_disable_on_destroy.known() == Some(&true),
        ),
        delete_credentials: prior.delete_credentials.clone(),
        delete_credentials_env: prior.delete_credentials_env.clone(),
        timeouts: prior.timeouts.clone(),
        validation_results: Raw(validation_results_value(
            integration.validation_results.as_ref(),
        )),
        ..IntegrationModel::default()
    };
    let prior_block = prior.block(platform);
    let mut block = platform.from_config(integration.config.as_ref(), prior_block);
    platform.add_write_only_state(&mut block, prior_block);
    if let Some(b) = state.block_mut(platform) {
        *b = block;
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integration::schema::schema;
    use crate::integration::test_support::snowflake_config;
    use immuta_api::IntegrationType;
    use serde_json::json;

    #[test]
    fn payload_is_type_auto_bootstrap_and_config_only() {
        let p = to_payload(Platform::SNOWFLAKE, &snowflake_config());
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["type"], json!("Snowflake"));
        assert_eq!(json["autoBootstrap"], json!(true));
        assert_eq!(json["config"].as_object().unwrap().len(), 7);
        let trino = to_payload(
            Platform::TRINO,
            &Value::object([("trino", Value::object([("api_key", Value::Null)]))]),
        );
        assert_eq!(
            serde_json::to_value(&trino).unwrap(),
            json!({"type": "Trino"})
        );
    }

    #[test]
    fn state_from_immutas_answer() {
        let integration: Integration = serde_json::from_value(json!({
            "id": 7, "status": "enabled", "type": "Snowflake", "autoBootstrap": true,
            "validationResults": {"status": "passed", "validationTests": [
                {"name": "Initial Validation: Basic Connection Test", "status": "passed", "result": []}
            ]},
            "config": {"host": "org.us-east-1.snowflakecomputing.com", "port": 443,
                       "warehouse": "SAMPLE_WAREHOUSE", "database": "SNOWFLAKE_SAMPLE_DATA",
                       "authenticationType": "userPassword", "username": "<REDACTED>",
                       "password": "<REDACTED>", "role": "ACCOUNTADMIN",
                       "audit": {"enabled": false}}
        }))
        .unwrap();
        let prior = IntegrationModel::read(&snowflake_config()).unwrap();
        let v = to_state(&integration, &prior).unwrap().to_value().unwrap();
        assert_eq!(v.attr("id").as_str(), Some("7"));
        assert_eq!(v.attr("type").as_str(), Some("Snowflake"));
        assert_eq!(
            v.attr("snowflake").attr("password").as_str(),
            Some("abc1234")
        );
        assert!(v.attr("databricks").is_null());
        assert_eq!(v.attr("force_disable_on_destroy"), &Value::Bool(false));
        let t = &v
            .attr("validation_results")
            .attr("tests")
            .as_list()
            .unwrap()[0];
        assert_eq!(t.attr("result_json").as_str(), Some("[]"));
        // Every schema attribute is present.
        assert_eq!(v.as_map().unwrap().len(), schema().block.attributes.len());
        let other = Integration {
            integration_type: IntegrationType::Other("Oracle".into()),
            ..integration
        };
        assert!(to_state(&other, &prior).is_err());
    }
}
