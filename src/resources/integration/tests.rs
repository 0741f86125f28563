//! Unit tests of the `immuta_integration` resource.

use super::*;
use crate::framework::PlanRequest;
use crate::integration::convert::to_payload;
use crate::integration::test_support::{snowflake_config, summaries, write_only_config};
use serde_json::json;

/// Terraform's proposal, close enough for these tests: the
/// configuration, with the prior value of top-level computed attributes
/// the configuration leaves unset.
fn request(prior: &Value, config: &Value) -> PlanRequest {
    let schema = Arc::new(schema());
    let mut proposed = config.clone();
    for a in &schema.block.attributes {
        if a.computed && config.attr(&a.name).is_null() {
            proposed.set_attr(a.name.clone(), prior.attr(&a.name).clone());
        }
    }
    PlanRequest {
        schema,
        prior_state: prior.clone(),
        proposed_new_state: proposed,
        config: Arc::new(config.clone()),
        prior_private: Vec::new(),
    }
}

fn resource() -> CrudAdapter<IntegrationResource> {
    // Not configured: plans run without dryRun.
    CrudAdapter::new(IntegrationResource)
}

/// The model of a value.
fn m(v: &Value) -> IntegrationModel {
    IntegrationModel::read(v).unwrap()
}

/// The state an apply of `planned` would leave (unknowns filled in).
fn applied(planned: &Value) -> Value {
    let mut v = planned.clone();
    v.set_attr("id", Value::from("7"));
    v.set_attr("status", Value::from("enabled"));
    v.set_attr("validation_results", Value::Null);
    v.unknowns_to_null();
    v
}

#[tokio::test]
async fn create_plan_is_exact_where_immuta_documents_defaults() {
    let config = snowflake_config();
    let resp = resource()
        .plan(&Context::default(), request(&Value::Null, &config))
        .await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let p = &resp.planned_state;
    assert!(p.attr("id").is_unknown());
    assert!(p.attr("status").is_unknown());
    assert_eq!(p.attr("type").as_str(), Some("Snowflake"));
    assert_eq!(p.attr("force_disable_on_destroy"), &Value::Bool(false));
    let sf = p.attr("snowflake");
    assert_eq!(sf.attr("port").as_i64(), Some(443));
    assert_eq!(sf.attr("lineage").attr("enabled"), &Value::Bool(false));
    assert_eq!(sf.attr("password").as_str(), Some("abc1234"));
    assert!(p.attr("databricks").is_null());
    assert!(resp.requires_replace.is_empty());
}

#[tokio::test]
async fn unchanged_config_plans_the_prior_state() {
    let config = snowflake_config();
    let created = resource()
        .plan(&Context::default(), request(&Value::Null, &config))
        .await;
    let prior = applied(&created.planned_state);
    let resp = resource()
        .plan(&Context::default(), request(&prior, &config))
        .await;
    assert!(resp.diagnostics.is_empty());
    assert_eq!(resp.planned_state, prior);
    // A change keeps the id and Immuta's defaults; it plans the status the
    // update waits for and keeps the last validation results (a plan
    // shows what the user changed, not Immuta's bookkeeping).
    let mut changed = config.clone();
    if let Some(b) = changed.get_attr_mut("snowflake") {
        b.set_attr("warehouse", Value::from("OTHER"));
    }
    let resp = resource()
        .plan(&Context::default(), request(&prior, &changed))
        .await;
    let p = &resp.planned_state;
    assert_eq!(p.attr("id").as_str(), Some("7"));
    assert_eq!(p.attr("status").as_str(), Some("enabled"));
    assert_eq!(
        p.attr("validation_results"),
        prior.attr("validation_results")
    );
    assert_eq!(p.attr("snowflake").attr("port").as_i64(), Some(443));
    assert_eq!(
        p.attr("snowflake").attr("warehouse").as_str(),
        Some("OTHER")
    );
    assert!(resp.requires_replace.is_empty());
}

#[tokio::test]
async fn an_unset_setting_changed_outside_terraform_plans_its_default() {
    let config = snowflake_config();
    let created = resource()
        .plan(&Context::default(), request(&Value::Null, &config))
        .await;
    let mut prior = applied(&created.planned_state);
    // Someone switched audit and impersonation on through the API.
    if let Some(b) = prior.get_attr_mut("snowflake") {
        b.set_attr("audit", Value::object([("enabled", Value::Bool(true))]));
        b.set_attr(
            "impersonation",
            Value::object([("enabled", Value::Bool(true)), ("role", Value::from("R"))]),
        );
    }
    let resp = resource()
        .plan(&Context::default(), request(&prior, &config))
        .await;
    let sf = resp.planned_state.attr("snowflake");
    assert_eq!(sf.attr("audit").attr("enabled"), &Value::Bool(false));
    assert_eq!(
        sf.attr("impersonation"),
        &Value::object([("enabled", Value::Bool(false)), ("role", Value::Null)])
    );
    assert_ne!(resp.planned_state, prior);
    // The update sends the defaults back.
    let body = serde_json::to_value(
        request_payload(Platform::SNOWFLAKE, &m(&config), &m(&resp.planned_state)).unwrap(),
    )
    .unwrap();
    assert_eq!(body["config"]["audit"], json!({"enabled": false}));
    assert_eq!(body["config"]["impersonation"], json!({"enabled": false}));
}

#[tokio::test]
async fn write_only_secrets_plan_an_update_only_on_a_new_version() {
    let config = write_only_config(1, "first-secret");
    assert!(
        !validate_config(&config).has_errors(),
        "{:?}",
        summaries(&validate_config(&config))
    );
    // Destroying needs credentials Terraform will not have: a warning.
    assert!(summaries(&validate_config(&config))
        .iter()
        .any(|s| s.contains("write-only secrets are not available")));
    let created = resource()
        .plan(&Context::default(), request(&Value::Null, &config))
        .await;
    let sf = created.planned_state.attr("snowflake");
    assert!(sf.attr("password_wo").is_null(), "never planned");
    assert!(sf.attr("password").is_null());
    assert_eq!(sf.attr("password_wo_version").as_i64(), Some(1));
    // The create sends the write-only value.
    let body = serde_json::to_value(to_payload(Platform::SNOWFLAKE, &config)).unwrap();
    assert_eq!(body["config"]["password"], json!("first-secret"));
    let prior = applied(&created.planned_state);
    // Same version, even with another value: nothing to do.
    let same = write_only_config(1, "other-secret");
    let resp = resource()
        .plan(&Context::default(), request(&prior, &same))
        .await;
    assert_eq!(resp.planned_state, prior);
    // A new version: an in-place update that sends the new secret.
    let bumped = write_only_config(2, "second-secret");
    let resp = resource()
        .plan(&Context::default(), request(&prior, &bumped))
        .await;
    assert!(resp.requires_replace.is_empty());
    assert_eq!(resp.planned_state.attr("status").as_str(), Some("enabled"));
    let body = serde_json::to_value(
        request_payload(Platform::SNOWFLAKE, &m(&bumped), &m(&resp.planned_state)).unwrap(),
    )
    .unwrap();
    assert_eq!(body["config"]["password"], json!("second-secret"));
    // Another change at the same version sends the secret itself, never
    // Immuta's placeholder.
    let mut other = write_only_config(1, "first-secret");
    if let Some(b) = other.get_attr_mut("snowflake") {
        b.set_attr("warehouse", Value::from("OTHER"));
    }
    let resp = resource()
        .plan(&Context::default(), request(&prior, &other))
        .await;
    let body = serde_json::to_value(
        request_payload(Platform::SNOWFLAKE, &m(&other), &m(&resp.planned_state)).unwrap(),
    )
    .unwrap();
    assert_eq!(body["config"]["password"], json!("first-secret"));
    assert_eq!(body["config"]["warehouse"], json!("OTHER"));
    // State never holds it.
    let state = to_state(
        &serde_json::from_value(json!({
            "id": 7, "status": "enabled", "type": "Snowflake", "autoBootstrap": true,
            "config": {"host": "h", "warehouse": "W", "database": "D", "role": "R",
                       "authenticationType": "userPassword", "username": "<REDACTED>",
                       "password": "<REDACTED>"}
        }))
        .unwrap(),
        &m(&prior),
    )
    .unwrap()
    .to_value()
    .unwrap();
    let sf = state.attr("snowflake");
    assert!(sf.attr("password").is_null() && sf.attr("password_wo").is_null());
    assert_eq!(sf.attr("password_wo_version").as_i64(), Some(1));
}

#[tokio::test]
async fn a_type_change_requires_replacement() {
    let config = snowflake_config();
    let created = resource()
        .plan(&Context::default(), request(&Value::Null, &config))
        .await;
    let prior = applied(&created.planned_state);
    let mut other = config.clone();
    other.set_attr("snowflake", Value::Null);
    other.set_attr("trino", Value::object([("api_key", Value::Null)]));
    let resp = resource()
        .plan(&Context::default(), request(&prior, &other))
        .await;
    assert!(resp.diagnostics.is_empty());
    assert_eq!(
        resp.requires_replace,
        [AttributePath::new("snowflake"), AttributePath::new("trino")]
    );
    let p = &resp.planned_state;
    assert!(p.attr("snowflake").is_null(), "the old type is dropped");
    assert!(p.attr("trino").attr("api_key").is_unknown());
    assert_eq!(p.attr("type").as_str(), Some("Trino"));
    assert!(p.attr("id").is_unknown());
}
