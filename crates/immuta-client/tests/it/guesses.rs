//! The client against the emulator under each of its guesses (where
//! Immuta's page is silent) and under all of them at once: numeric ids,
//! numbers and booleans sent as strings, a bare `/status`, the Trino key in
//! the create answer, more redaction, no echoed defaults.

use immuta_client::immuta_api::{
    IntegrationConfig, IntegrationPayload, IntegrationStatus, IntegrationType,
};
use immuta_client::{ClientConfig, DeleteOptions, ImmutaClient, RetryPolicy};
use immuta_emulator::{Emulator, ForceDisable, Guesses, RunningEmulator, TrinoKey};
use serde_json::json;
use std::time::Duration;

/// One create body per type.
fn payloads() -> Vec<IntegrationPayload> {
    [
        json!({"type": "Snowflake", "autoBootstrap": true, "config": {
            "host": "g.snowflakecomputing.com", "warehouse": "WH", "database": "DB", "role": "ACCOUNTADMIN",
            "authenticationType": "userPassword", "username": "admin", "password": "sf-pw"}}),
        json!({"type": "Databricks", "autoBootstrap": true, "config": {
            "workspaceUrl": "g.cloud.databricks.com", "httpPath": "sql/protocolv1/o/0/1",
            "authenticationType": "token", "token": "dapi-token", "catalog": "immuta"}}),
        json!({"type": "Google BigQuery", "autoBootstrap": false, "config": {
            "role": "immuta", "datasetSuffix": "_secure", "dataset": "immuta", "location": "us-east1",
            "credential": "{\"type\":\"service_account\",\"project_id\":\"p\",\"client_email\":\"sa@p.iam.gserviceaccount.com\",\"private_key\":\"k\"}"}}),
        json!({"type": "Redshift", "autoBootstrap": true, "config": {
            "host": "g.redshift.amazonaws.com", "database": "immuta", "initialDatabase": "dev",
            "impersonation": {"enabled": true, "role": "imp"},
            "authenticationType": "userPassword", "username": "rs", "password": "rs-pw"}}),
        json!({"type": "Azure Synapse Analytics", "autoBootstrap": true, "config": {
            "host": "g.sql.azuresynapse.net", "database": "immuta", "schema": "views",
            "authenticationType": "userPassword", "username": "syn", "password": "syn-pw"}}),
        json!({"type": "Native S3", "autoBootstrap": false, "config": {
            "name": "g", "awsAccountId": "123456789012", "awsRegion": "us-east-1",
            "awsLocationRole": "arn:aws-us-gov:iam::123456789012:role/grants", "awsLocationPath": "s3://g/",
            "authenticationType": "accessKey", "awsAccessKeyId": "AKIA", "awsSecretAccessKey": "s3-secret"}}),
        json!({"type": "Trino"}),
    ]
    .into_iter()
    .map(|v| serde_json::from_value(v).unwrap())
    .collect()
}

pub(crate) async fn start(guesses: Guesses) -> (RunningEmulator, ImmutaClient) {
    let emu = Emulator::builder()
        .guesses(guesses)
        .transition_delay(Duration::ZERO)
        .start()
        .await
        .unwrap();
    let mut cfg = ClientConfig::new(emu.url(), emu.api_key());
    cfg.retry = RetryPolicy::none();
    let client = ImmutaClient::new(cfg).unwrap();
    (emu, client)
}

/// Creates one integration of every type; lists, gets and asks the status
/// of each; regenerates Trino's key; force-deletes Snowflake.
async fn every_type_reads(name: &str, guesses: Guesses) {
    let (_emu, client) = start(guesses).await;
    let mut ids = Vec::new();
    for p in payloads() {
        let made = client.create(&p, false).await.unwrap();
        let id = made.id.clone().unwrap();
        assert_eq!(made.status, Some(IntegrationStatus::Creating), "{name}");
        if p.integration_type == IntegrationType::Trino {
            assert_eq!(
                made.trino_api_key().is_some(),
                guesses.trino_key == TrinoKey::Create,
                "{name}: {made:?}"
            );
        }
        ids.push((p.integration_type.clone(), id.to_string()));
    }
    let list = client.list().await.unwrap();
    assert!(list.is_complete(), "{name}: {:?}", list.skipped);
    assert_eq!(list.integrations.len(), ids.len(), "{name}");
    for (ty, id) in &ids {
        let got = client.get(id).await.unwrap();
        assert_eq!(&got.integration_type, ty, "{name}");
        assert_eq!(got.id.as_str(), id, "{name}");
        assert!(list.integrations.contains(&got), "{name}: {got:?}");
        let status = client.status(id).await.unwrap();
        assert_eq!(status.status, Some(IntegrationStatus::Enabled), "{name}");
        match (&got.config, ty) {
            (Some(IntegrationConfig::Redshift(c)), _) => {
                assert_eq!(got.auto_bootstrap, Some(true), "{name}");
                let imp = c.impersonation.as_ref().unwrap();
                assert_eq!(imp.enabled, Some(true), "{name}");
                assert_eq!(c.port, guesses.echo_defaults.then_some(5439), "{name}");
            }
            (Some(IntegrationConfig::Snowflake(c)), _) => {
                assert_eq!(c.port, guesses.echo_defaults.then_some(443), "{name}");
            }
            (Some(IntegrationConfig::S3(_)), _) => {
                assert_eq!(got.auto_bootstrap, Some(false), "{name}")
            }
            (Some(IntegrationConfig::Trino(t)), _) => {
                let key = client.regenerate(id).await.unwrap();
                let Some(IntegrationConfig::Trino(k)) = key.config else {
                    panic!("{name}: regenerate answered no Trino config")
                };
                assert_eq!(
                    k.api_key.is_some_and(|k| !k.is_redacted()),
                    guesses.trino_key != TrinoKey::Never,
                    "{name}"
                );
                assert_eq!(
                    t.api_key.as_ref().is_some_and(|k| !k.is_redacted()),
                    guesses.trino_key == TrinoKey::Get,
                    "{name}"
                );
            }
            _ => {}
        }
    }
    // A forced delete ends at 404 or at `disabled`.
    let (_, sf) = &ids[0];
    let options = DeleteOptions {
        force_disable: true,
        dry_run: false,
    };
    client.delete(sf, None, options).await.unwrap();
    let after = client.status(sf).await;
    match guesses.force_disable {
        ForceDisable::Delete => assert_eq!(after.unwrap_err().status(), Some(404), "{name}"),
        ForceDisable::Disabled => {
            assert_eq!(
                after.unwrap().status,
                Some(IntegrationStatus::Disabled),
                "{name}"
            )
        }
    }
}

#[tokio::test]
async fn every_type_reads_under_every_switch_at_once() {
    every_type_reads("alternatives", Guesses::alternatives()).await;
}

#[tokio::test]
async fn every_type_reads_under_each_switch_and_the_defaults() {
    every_type_reads("defaults", Guesses::default()).await;
    for (name, g) in Guesses::variants() {
        every_type_reads(name, g).await;
    }
}
