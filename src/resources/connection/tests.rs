use super::model::{request_body, settings_body, to_state};
use super::*;
use crate::framework::model::{self, assert_model_matches_schema};
use crate::integration::test_support::{snowflake_config, summaries};
use crate::integration::Platform;
use immuta_api::connection::{Activation, Connection, Technology};
use serde_json::json;

/// A configuration of the resource with the Snowflake block of the
/// integration tests.
fn snowflake() -> Value {
    let mut v = Value::object(
        schema()
            .block
            .attributes
            .iter()
            .map(|a| (a.name.clone(), Value::Null)),
    );
    v.set_attr("connection_key", Value::from("sf"));
    v.set_attr("snowflake", snowflake_config().attr("snowflake").clone());
    v
}

async fn validate(v: &Value) -> Diagnostics {
    ConnectionResource
        .validate(&Context::default(), v)
        .await
        .err()
        .unwrap_or_default()
}

#[test]
fn the_model_matches_the_schema() {
    assert_model_matches_schema::<ConnectionModel>(&schema().block);
}

#[test]
fn the_platform_blocks_are_the_integrations_with_their_twins() {
    let s = schema();
    for p in [Platform::SNOWFLAKE, Platform::DATABRICKS] {
        let ours = s.block.attribute(p.block_name()).unwrap();
        let theirs = p.resource_attribute();
        assert_eq!(
            ours.nested_attributes().map(<[Attribute]>::len),
            theirs.nested_attributes().map(<[Attribute]>::len)
        );
        assert!(ours
            .nested_attributes()
            .unwrap()
            .iter()
            .any(|a| a.write_only));
    }
    assert!(s.block.attribute("lake_formation").is_some());
}

#[tokio::test]
async fn exactly_one_technology_and_a_plain_key() {
    assert!(validate(&snowflake()).await.is_empty());
    let mut none = snowflake();
    none.set_attr("snowflake", Value::Null);
    let d = validate(&none).await;
    assert!(
        summaries(&d)[0].contains("expected exactly one of"),
        "{:?}",
        summaries(&d)
    );
    let mut two = snowflake();
    two.set_attr(
        "lake_formation",
        Value::object([("aws_region", Value::from("us-east-1"))]),
    );
    let d = validate(&two).await;
    assert_eq!(
        d.iter()
            .next()
            .unwrap()
            .attribute
            .as_ref()
            .unwrap()
            .to_string(),
        "lake_formation"
    );
    let mut key = snowflake();
    key.set_attr("connection_key", Value::from("a/b"));
    let d = validate(&key).await;
    assert_eq!(
        d.iter()
            .next()
            .unwrap()
            .attribute
            .as_ref()
            .unwrap()
            .to_string(),
        "connection_key"
    );
}

#[test]
fn a_body_sends_settings_set_and_each_secret_once() {
    let v = snowflake().with_attr(
        "settings",
        Value::object([
            ("is_active", Value::Bool(true)),
            ("activate_new_children", Value::Null),
        ]),
    );
    let m: ConnectionModel = model::from_value(&v).unwrap();
    let body = request_body(
        Tech::Platform(Platform::SNOWFLAKE),
        &m,
        &m,
        settings_body(&m),
    )
    .unwrap();
    assert_eq!(body.connection_key, "sf");
    let s = body.settings.as_ref().unwrap();
    assert_eq!(s.is_active, Some(Activation::Enable));
    assert_eq!(s.activate_new_children, None);
    let text = serde_json::to_string(&body).unwrap();
    assert_eq!(text.matches("abc1234").count(), 1);
}

#[test]
fn an_answer_becomes_state_keeping_secrets_and_settings() {
    let m: ConnectionModel = model::from_value(&snowflake()).unwrap();
    let t = Tech::Platform(Platform::SNOWFLAKE);
    let sent = request_body(t, &m, &m, None).unwrap();
    let answer: Connection = serde_json::from_value(json!({
        "connectionKey": "sf",
        "nativeIntegrationId": 12,
        "connection": serde_json::to_value(&sent.connection).unwrap(),
        "nativeIntegration": serde_json::to_value(&sent.native_integration).unwrap(),
        "settings": {"isActive": false, "activateNewChildren": true},
    }))
    .unwrap();
    let mut answer = answer;
    if let Some(c) = answer.connection.as_mut() {
        c.password = Some(immuta_api::Secret::new("[REDACTED]"));
    }
    let state = to_state(&answer, &m).unwrap();
    assert_eq!(state.native_integration_id, Field::Known("12".into()));
    assert_eq!(state.technology, Field::Known("Snowflake".into()));
    assert_eq!(
        state.block(t).attr("password"),
        &Value::from("abc1234"),
        "a redacted secret keeps its prior value"
    );
    let s = state.settings.known().unwrap();
    assert_eq!(s.is_active, Field::Known(false));
    assert_eq!(s.activate_new_children, Field::Known(true));
    // The state is a value of the schema's type.
    let v = state.to_value().unwrap();
    assert!(v.attr("lake_formation").is_null());

    let mut other = answer.clone();
    other.connection.as_mut().unwrap().technology = Some(Technology::Other("Oracle".into()));
    let e = to_state(&other, &m).unwrap_err();
    assert_eq!(e.attribute.unwrap().to_string(), "technology");
}

#[tokio::test]
async fn import_takes_a_connection_key() {
    let m = ConnectionResource
        .import(&Context::default(), "sf")
        .await
        .unwrap();
    assert_eq!(m.key(), Some("sf"));
    let d = ConnectionResource
        .import(&Context::default(), "")
        .await
        .unwrap_err();
    assert_eq!(
        d.iter()
            .next()
            .unwrap()
            .attribute
            .as_ref()
            .unwrap()
            .to_string(),
        "connection_key"
    );
}

#[test]
fn the_removal_warning_names_the_integration_and_where_to_get_the_script() {
    let mut v = snowflake();
    v.set_attr("native_integration_id", Value::from("42"));
    let m: ConnectionModel = model::from_value(&v).unwrap();
    let w = removal_warning(&m).unwrap();
    assert!(!w.is_error());
    assert_eq!(
        w.summary,
        "Run Immuta's removal script for connection sf in Snowflake"
    );
    assert!(w.detail.contains("native integration 42;"), "{}", w.detail);
    assert!(w.detail.contains("action = \"delete\""), "{}", w.detail);
    // One sentence after another, not the source's indentation.
    assert!(!w.detail.contains("  "), "{}", w.detail);
}
