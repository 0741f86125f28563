//! `terraform-provider-immuta adopt` end to end: an emulator holding one
//! integration of each of the seven types, made through the API; the
//! command writes their configuration; on every CLI that has write-only
//! attributes (1.11+; import blocks alone need 1.5), the file is formatted
//! as `terraform fmt` writes it, passes `terraform validate`, plans the
//! seven imports and nothing else, applies, and then plans no change, with
//! the secrets given as `TF_VAR_...`; neither the file nor the state holds a
//! secret. It runs against the emulator's default answers and against all
//! of its alternative guesses at once.

use crate::support;

use immuta_api::IntegrationPayload;
use immuta_client::{wait_for, ClientConfig, ImmutaClient, WaitOptions, WaitTarget};
use immuta_emulator::Guesses;
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};
use support::steps::saved_plan;
use support::{clis, provider_binary, TerraformCli, TestEmulator, Workdir};

const BIGQUERY_KEY: &str = r#"{"type":"service_account","project_id":"adopt-project","client_email":"sa@adopt-project.iam.gserviceaccount.com","private_key":"-----BEGIN PRIVATE KEY-----\nadopt\n-----END PRIVATE KEY-----\n"}"#;

/// The value of each variable the file may declare, by type attribute and
/// attribute path: what the integrations were made with.
fn secret_values() -> BTreeMap<(&'static str, &'static str), &'static str> {
    BTreeMap::from([
        (("snowflake", "password"), "adopt-sf-password"),
        (("snowflake", "username"), "ADOPT_SF_USER"),
        (("databricks", "token"), "dapi-adopt-token"),
        (("bigquery", "credential"), BIGQUERY_KEY),
        (("redshift", "password"), "adopt-rs-password"),
        (("redshift", "username"), "adopt_rs_user"),
        (("azure_synapse", "password"), "adopt-syn-password"),
        (("azure_synapse", "username"), "adopt_syn_user"),
        (("s3", "aws_secret_access_key"), "adopt-s3-secret-key"),
        // No secrets, but an emulator with `Redact::More` hides them too.
        (("bigquery", "role"), "adopt_role"),
        (("redshift", "impersonation_role"), "adopt_imp"),
        (("s3", "aws_access_key_id"), "AKIAADOPTEXAMPLE"),
    ])
}

/// The attributes of [`secret_values`] that are no secret.
const NOT_SECRET: &[&str] = &[
    "username",
    "role",
    "impersonation_role",
    "aws_access_key_id",
];

/// One create body per type, made with [`secret_values`].
fn payloads() -> Vec<IntegrationPayload> {
    let v = secret_values();
    let get = |t, a| v[&(t, a)];
    [
        json!({"type": "Snowflake", "autoBootstrap": false, "config": {
            "host": "adopt.us-east-1.snowflakecomputing.com", "warehouse": "ADOPT_WH",
            "database": "ADOPT_DB", "authenticationType": "userPassword",
            "username": get("snowflake", "username"), "password": get("snowflake", "password"),
            "audit": {"enabled": true}}}),
        json!({"type": "Databricks", "autoBootstrap": false, "config": {
            "workspaceUrl": "adopt.cloud.databricks.com", "httpPath": "sql/protocolv1/o/0/adopt",
            "authenticationType": "token", "token": get("databricks", "token"),
            "catalog": "adopt_catalog"}}),
        json!({"type": "Google BigQuery", "autoBootstrap": false, "config": {
            "role": get("bigquery", "role"), "datasetSuffix": "_adopt", "dataset": "adopt",
            "location": "us-east1", "credential": get("bigquery", "credential")}}),
        json!({"type": "Redshift", "autoBootstrap": true, "config": {
            "host": "adopt.redshift.amazonaws.com", "port": 5439, "database": "adopt_db",
            "initialDatabase": "dev", "impersonation": {"enabled": true, "role": get("redshift", "impersonation_role")},
            "authenticationType": "userPassword", "username": get("redshift", "username"),
            "password": get("redshift", "password")}}),
        json!({"type": "Azure Synapse Analytics", "autoBootstrap": false, "config": {
            "host": "adopt.sql.azuresynapse.net", "database": "adopt_db", "schema": "adopt",
            "authenticationType": "userPassword", "username": get("azure_synapse", "username"),
            "password": get("azure_synapse", "password")}}),
        json!({"type": "Native S3", "autoBootstrap": false, "config": {
            "name": "adopt", "awsAccountId": "123456789012", "awsRegion": "us-east-1",
            "awsLocationRole": "arn:aws:iam::123456789012:role/adopt-grants",
            "awsLocationPath": "s3://adopt-bucket/", "authenticationType": "accessKey",
            "awsAccessKeyId": get("s3", "aws_access_key_id"),
            "awsSecretAccessKey": get("s3", "aws_secret_access_key")}}),
        json!({"type": "Trino"}),
    ]
    .into_iter()
    .map(|v| serde_json::from_value(v).expect("payload"))
    .collect()
}

/// Makes the seven integrations through the API and waits for each.
fn seed(emu: &TestEmulator) -> Vec<String> {
    let c = ImmutaClient::new(ClientConfig::new(emu.url(), emu.api_key())).expect("client");
    emu.block_on(async {
        let mut ids = Vec::new();
        for p in payloads() {
            let made = c.create(&p, false).await.expect("create");
            let id = made.id.expect("an id").as_str().to_string();
            let opts = WaitOptions::new(Duration::from_secs(10), Default::default());
            wait_for(&c, &id, WaitTarget::Enabled, opts)
                .await
                .expect("enabled");
            ids.push(id);
        }
        ids
    })
}

/// Runs `terraform-provider-immuta adopt <args>` against `emu`.
fn adopt(emu: &TestEmulator, args: &[&str]) -> std::process::Output {
    Command::new(provider_binary())
        .arg("adopt")
        .args(args)
        .env_clear()
        .env("IMMUTA_HOST", emu.url())
        .env("IMMUTA_API_KEY", emu.api_key())
        .output()
        .expect("run adopt")
}

/// The `TF_VAR_` names the summary asks for, with the value of each.
fn variables(summary: &str, ids: &[String]) -> Vec<(String, String)> {
    let values = secret_values();
    summary
        .lines()
        .filter_map(|l| l.trim().strip_prefix("TF_VAR_"))
        .map(|l| l.split_whitespace().next().unwrap_or_default().to_string())
        .map(|name| {
            let found = values.iter().find(|((block, attr), _)| {
                ids.iter().any(|id| name == format!("{block}_{id}_{attr}"))
            });
            let ((_, _), value) =
                found.unwrap_or_else(|| panic!("a variable the test has no value for: {name}"));
            (name, value.to_string())
        })
        .collect()
}

fn plan_json(w: &Workdir, plan: &str) -> Json {
    let out = w.run(&["show", "-json", plan]).success();
    serde_json::from_str(&out.stdout).expect("show -json")
}

fn assert_no_secret(what: &str, text: &str) {
    for ((block, attr), v) in secret_values() {
        if !NOT_SECRET.contains(&attr) {
            assert!(!text.contains(v), "{what} holds {block}.{attr}");
        }
    }
}

fn adopt_on(cli: &TerraformCli, guesses: Guesses) {
    let start = Instant::now();
    let emu = TestEmulator::with(|b| b.guesses(guesses));
    let ids = seed(&emu);
    emu.handle().clear_requests();
    let mut w = Workdir::new(cli);
    w.use_emulator(&emu);
    let file = w.path().join("adopt.tf");
    let out = adopt(&emu, &["--out", file.to_str().expect("path")]);
    let summary = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "adopt failed: {summary}");
    assert!(summary.contains("Wrote 7 integrations"), "{summary}");
    let hcl = std::fs::read_to_string(&file).expect("read adopt.tf");
    assert_no_secret("adopt.tf", &hcl);
    assert_no_secret("adopt's output", &summary);
    assert_eq!(hcl.matches("\nimport {").count(), 7, "{hcl}");
    assert_eq!(
        hcl.matches("\nresource \"immuta_integration\"").count(),
        7,
        "{hcl}"
    );
    let vars = variables(&summary, &ids);
    // A sensitive variable per secret, each set through its write-only twin.
    for (block, attr) in [
        ("snowflake", "password"),
        ("databricks", "token"),
        ("bigquery", "credential"),
        ("redshift", "password"),
        ("azure_synapse", "password"),
        ("s3", "aws_secret_access_key"),
    ] {
        let name = vars
            .iter()
            .map(|(n, _)| n)
            .find(|n| n.starts_with(&format!("{block}_")) && n.ends_with(&format!("_{attr}")))
            .unwrap_or_else(|| panic!("no variable for {block}.{attr}: {summary}"));
        assert!(
            hcl.contains(&format!("{attr}_wo "))
                && hcl.contains(&format!("= var.{name}\n"))
                && hcl.contains(&format!("{attr}_wo_version = 1")),
            "{block}.{attr}: {hcl}"
        );
    }
    for (name, value) in &vars {
        w.env(&format!("TF_VAR_{name}"), value);
    }

    w.init().success();
    w.run(&["fmt", "-check", "-diff", "-no-color"]).success();
    let validate = w.run(&["validate", "-no-color"]).success();
    assert!(
        !validate.both().contains("Warning"),
        "validate warns: {}",
        validate.both()
    );

    // The first plan: the seven imports, no other change.
    w.plan(&["-out=adopt.plan"]).success();
    let json = plan_json(&w, "adopt.plan");
    let changes = json["resource_changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 7, "{json}");
    for c in changes {
        assert_eq!(c["change"]["actions"], json!(["no-op"]), "{c}");
        assert!(
            ids.iter().any(|id| c["change"]["importing"]["id"]
                .as_str()
                .is_some_and(|i| { i == id || i.contains(&format!("\"id\":\"{id}\"")) })),
            "not an import of a seeded id: {c}"
        );
    }
    // (The plan's `variables` hold the TF_VAR_ values: that is Terraform's.)
    assert_no_secret("the planned changes", &json["resource_changes"].to_string());
    assert_no_secret("the planned values", &json["planned_values"].to_string());

    w.run(&["apply", "-input=false", "-no-color", "adopt.plan"])
        .success();
    let (code, out) = w.plan_exit_code();
    assert_eq!(code, 0, "plan after adopting: {}", out.both());
    let state = std::fs::read_to_string(w.path().join("terraform.tfstate")).expect("state");
    assert_no_secret("the state", &state);
    let listed = w.run(&["state", "list"]).success();
    assert_eq!(listed.stdout.lines().count(), 7, "{}", listed.stdout);
    // Adopting changed nothing in Immuta.
    assert_eq!(emu.integrations().len(), 7);
    let requests = emu.handle().requests();
    assert!(
        requests.iter().all(|r| r.method == "GET"),
        "adopting sent more than reads: {:?}",
        requests
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect::<Vec<_>>()
    );
    eprintln!(
        "adopt: 7 integrations adopted on Terraform {} in {:.1}s",
        cli.version,
        start.elapsed().as_secs_f64()
    );
}

#[test]
fn an_adopted_tenant_plans_imports_only_then_nothing() {
    let mut ran = Vec::new();
    for cli in clis() {
        if !cli.at_least(1, 11) {
            eprintln!(
                "adopt skipped on Terraform {}: the written file sets secrets through \
                 write-only attributes (Terraform 1.11+) and uses import blocks (1.5+)",
                cli.version
            );
            continue;
        }
        // Immuta's answers as the emulator gives them by default, and with
        // every alternative its guesses allow at once (more values hidden,
        // no defaults echoed, numeric ids, scalars as strings...).
        adopt_on(cli, Guesses::default());
        adopt_on(cli, Guesses::alternatives());
        ran.push(cli.version.clone());
    }
    assert!(!ran.is_empty(), "no Terraform CLI of 1.11 or later ran it");
}

/// `--plain-secrets`, for Terraform before 1.11: the first plan imports the
/// seven and updates in place the six that have secrets (Terraform cannot
/// read them from Immuta); the apply sends them, and the next plan is empty.
fn adopt_plain_on(cli: &TerraformCli) {
    let emu = TestEmulator::start();
    let ids = seed(&emu);
    let mut w = Workdir::new(cli);
    w.use_emulator(&emu);
    let file = w.path().join("adopt.tf");
    let out = adopt(
        &emu,
        &["--plain-secrets", "--out", file.to_str().expect("path")],
    );
    let summary = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "adopt failed: {summary}");
    let hcl = std::fs::read_to_string(&file).expect("read adopt.tf");
    assert!(!hcl.contains("_wo"), "{hcl}");
    assert!(hcl.contains("required_version = \">= 1.6\""), "{hcl}");
    assert_no_secret("adopt.tf", &hcl);
    for (name, value) in variables(&summary, &ids) {
        w.env(&format!("TF_VAR_{name}"), &value);
    }
    w.init().success();
    w.run(&["validate", "-no-color"]).success();
    // Seven imports; the six types with secrets Immuta redacts update them
    // in place from the variables, and nothing is added or destroyed.
    let plan = saved_plan(&w, &[]);
    assert_eq!(plan.importing().len(), 7, "{}", plan.output.both());
    let changes = plan.changes();
    assert_eq!(changes.len(), 6, "{changes:?}");
    assert!(changes.values().all(|a| a == &["update"]), "{changes:?}");
    w.apply(&[]).success();
    let (code, out) = w.plan_exit_code();
    assert_eq!(code, 0, "plan after adopting: {}", out.both());
}

#[test]
fn plain_secrets_plan_one_update_per_integration_with_secrets() {
    let mut ran = 0;
    for cli in clis() {
        if !cli.at_least(1, 6) {
            eprintln!(
                "adopt --plain-secrets skipped on Terraform {}: import blocks need 1.5 and \
                 import ids built from variables 1.6",
                cli.version
            );
            continue;
        }
        adopt_plain_on(cli);
        ran += 1;
    }
    assert!(ran > 0, "no Terraform CLI of 1.6 or later ran it");
}
