//! The "same target" rule is written twice on purpose: in the client (what
//! names a create's target, to find a create whose answer was lost) and in
//! the emulator (its 409s). This table holds the two to one answer for
//! pairs of configs of all seven types: the client's
//! [`immuta_client::same_target`], and whether the emulator refuses the
//! second config (a dry-run create) once the first exists.

use super::guesses::start;
use immuta_client::immuta_api::{IntegrationConfig, IntegrationPayload, IntegrationType};
use immuta_client::same_target;
use immuta_emulator::Guesses;
use serde_json::{json, Value};

/// A valid create body of `ty`, with `changes` set in its config.
fn body(ty: &str, changes: Value) -> Value {
    let mut v = match ty {
        "Snowflake" => json!({"type": ty, "autoBootstrap": false, "config": {
            "host": "a.snowflakecomputing.com", "warehouse": "WH", "database": "DB",
            "authenticationType": "userPassword", "username": "u", "password": "p"}}),
        "Databricks" => json!({"type": ty, "autoBootstrap": false, "config": {
            "workspaceUrl": "a.cloud.databricks.com", "httpPath": "sql/1", "catalog": "immuta",
            "authenticationType": "token", "token": "t"}}),
        "Google BigQuery" => json!({"type": ty, "autoBootstrap": false, "config": {
            "role": "immuta", "datasetSuffix": "_secure", "dataset": "immuta", "location": "us-east1",
            "credential": "{\"type\":\"service_account\",\"project_id\":\"p\",\"client_email\":\"sa@p.iam.gserviceaccount.com\",\"private_key\":\"k\"}"}}),
        "Redshift" => json!({"type": ty, "autoBootstrap": false, "config": {
            "host": "a.redshift.amazonaws.com", "database": "immuta",
            "authenticationType": "userPassword", "username": "u", "password": "p"}}),
        "Azure Synapse Analytics" => json!({"type": ty, "autoBootstrap": false, "config": {
            "host": "a.sql.azuresynapse.net", "database": "immuta", "schema": "views",
            "authenticationType": "userPassword", "username": "u", "password": "p"}}),
        "Native S3" => json!({"type": ty, "autoBootstrap": false, "config": {
            "name": "a", "awsAccountId": "123456789012", "awsRegion": "us-east-1",
            "awsLocationRole": "arn:aws:iam::123456789012:role/grants", "awsLocationPath": "s3://a/",
            "authenticationType": "accessKey", "awsAccessKeyId": "AKIA", "awsSecretAccessKey": "s"}}),
        _ => json!({"type": ty}),
    };
    if let (Some(config), Value::Object(changes)) = (v.get_mut("config"), changes) {
        for (k, c) in changes {
            config[k] = c;
        }
    }
    v
}

/// One row: a type, the first and the second config's changes, and
/// whether they are on the same target.
struct Row {
    ty: &'static str,
    first: Value,
    second: Value,
    same: bool,
}

fn row(ty: &'static str, first: Value, second: Value, same: bool) -> Row {
    Row {
        ty,
        first,
        second,
        same,
    }
}

fn table() -> Vec<Row> {
    let none = || json!({});
    vec![
        // Snowflake: the host, whatever its case and surrounding spaces.
        row("Snowflake", none(), none(), true),
        row(
            "Snowflake",
            none(),
            json!({"host": " A.Snowflakecomputing.com "}),
            true,
        ),
        row(
            "Snowflake",
            none(),
            json!({"database": "OTHER", "warehouse": "W2"}),
            true,
        ),
        row(
            "Snowflake",
            none(),
            json!({"host": "b.snowflakecomputing.com"}),
            false,
        ),
        // Databricks: the workspace URL, with or without scheme and `/`.
        row(
            "Databricks",
            none(),
            json!({"workspaceUrl": "https://a.cloud.databricks.com/"}),
            true,
        ),
        row(
            "Databricks",
            none(),
            json!({"workspaceUrl": "HTTPS://A.cloud.databricks.com"}),
            true,
        ),
        row("Databricks", none(), json!({"catalog": "other"}), true),
        row(
            "Databricks",
            none(),
            json!({"workspaceUrl": "b.cloud.databricks.com"}),
            false,
        ),
        // BigQuery: Immuta's pages state no duplicate rule.
        row("Google BigQuery", none(), none(), false),
        row("Google BigQuery", none(), json!({"location": "US"}), false),
        // Redshift and Synapse: host and database, whatever their case.
        row(
            "Redshift",
            none(),
            json!({"host": "A.redshift.amazonaws.com", "database": "IMMUTA"}),
            true,
        ),
        row("Redshift", none(), json!({"database": "other"}), false),
        row(
            "Redshift",
            none(),
            json!({"host": "b.redshift.amazonaws.com"}),
            false,
        ),
        row(
            "Azure Synapse Analytics",
            none(),
            json!({"host": "A.sql.azuresynapse.net", "schema": "s2"}),
            true,
        ),
        row(
            "Azure Synapse Analytics",
            none(),
            json!({"database": "other"}),
            false,
        ),
        row(
            "Azure Synapse Analytics",
            none(),
            json!({"host": "b.sql.azuresynapse.net"}),
            false,
        ),
        // S3: the name or the location path, either one, compared exactly.
        row(
            "Native S3",
            none(),
            json!({"awsLocationPath": "s3://b/"}),
            true,
        ),
        row("Native S3", none(), json!({"name": "b"}), true),
        row(
            "Native S3",
            none(),
            json!({"name": "b", "awsLocationPath": "s3://b/"}),
            false,
        ),
        row(
            "Native S3",
            none(),
            json!({"name": "A", "awsLocationPath": "s3://A/"}),
            false,
        ),
        row(
            "Native S3",
            none(),
            json!({"name": " a", "awsLocationPath": "s3://b/"}),
            false,
        ),
        // Trino: nothing names it.
        row("Trino", none(), none(), false),
    ]
}

fn config(v: &Value) -> IntegrationConfig {
    let payload: IntegrationPayload = serde_json::from_value(v.clone()).unwrap();
    payload
        .config
        .unwrap_or_else(|| IntegrationConfig::Trino(Default::default()))
}

#[tokio::test]
async fn the_client_and_the_emulator_agree_on_the_same_target() {
    let rows = table();
    let types: std::collections::HashSet<&str> = rows.iter().map(|r| r.ty).collect();
    assert_eq!(
        types.len(),
        IntegrationType::ALL.len(),
        "a row for every type"
    );
    for r in rows {
        let (first, second) = (body(r.ty, r.first), body(r.ty, r.second));
        let what = format!("{} {} / {}", r.ty, first["config"], second["config"]);
        assert_eq!(
            same_target(&config(&first), &config(&second)),
            r.same,
            "client: {what}"
        );
        assert_eq!(
            same_target(&config(&second), &config(&first)),
            r.same,
            "client, the other way round: {what}"
        );

        let (_emu, client) = start(Guesses::default()).await;
        let payload =
            |v: &Value| -> IntegrationPayload { serde_json::from_value(v.clone()).unwrap() };
        client.create(&payload(&first), false).await.unwrap();
        let refused = match client.create(&payload(&second), true).await {
            Ok(_) => false,
            Err(e) if e.status() == Some(409) => true,
            Err(e) => panic!("emulator: {what}: {e}"),
        };
        assert_eq!(refused, r.same, "emulator: {what}");
    }
}
