//! End-to-end, with the real terraform CLIs against the emulator:
//!
//! - `immuta_integrations` and `immuta_integration`: filters, non-secret
//!   config without any secret in state, a missing id, a bad filter; an
//!   integration the provider cannot read, left out with a warning; a status
//!   filter the provider does not know, accepted with a warning;
//! - `immuta_integration_script`: every action that the emulator serves,
//!   `delete` without a type attribute, and the refusals (a type an endpoint
//!   does not serve, a missing id, a bad action, an id where none belongs);
//! - the modules under `examples/modules/`, applied through their example
//!   root configurations.
//!
//! Each test walks a few scenarios per CLI to keep the file fast.

use crate::support;

use immuta_api::config::SnowflakeConfig;
use immuta_api::{
    IntegrationConfig, IntegrationPayload, IntegrationStatus, IntegrationType, Secret,
};
use immuta_client::{ClientConfig, ImmutaClient};
use serde_json::{json, Value as Json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::{clis, required_providers, TestEmulator, Workdir};

const SEED_PASSWORD: &str = "seeded-password-never-shown";

fn client(emu: &TestEmulator) -> ImmutaClient {
    ImmutaClient::new(ClientConfig::new(emu.url(), emu.api_key())).expect("client")
}

/// Creates an integration outside Terraform and waits until it settles
/// (enabled, or an error status); returns its id.
fn seed(emu: &TestEmulator, payload: IntegrationPayload) -> String {
    let c = client(emu);
    emu.block_on(async move {
        let r = c.create(&payload, false).await.expect("seed create");
        let id = r.id.expect("seed id").0;
        for _ in 0..500 {
            let s = c.status(&id).await.expect("status").status;
            if !matches!(s, Some(IntegrationStatus::Creating) | None) {
                return id;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("integration {id} never settled")
    })
}

fn snowflake(host: &str, warehouse: &str) -> IntegrationPayload {
    IntegrationPayload {
        integration_type: IntegrationType::Snowflake,
        auto_bootstrap: Some(false),
        config: Some(IntegrationConfig::Snowflake(SnowflakeConfig {
            host: Some(host.into()),
            warehouse: Some(warehouse.into()),
            database: Some("SEEDED_DB".into()),
            authentication_type: Some("userPassword".into()),
            username: Some(Secret::new("seeded-user")),
            password: Some(Secret::new(SEED_PASSWORD)),
            ..Default::default()
        })),
    }
}

fn trino() -> IntegrationPayload {
    IntegrationPayload {
        integration_type: IntegrationType::Trino,
        auto_bootstrap: None,
        config: None,
    }
}

fn trino_key(emu: &TestEmulator, id: &str) -> String {
    let c = client(emu);
    let id = id.to_string();
    emu.block_on(async move {
        match c.get(&id).await.expect("get").config {
            Some(IntegrationConfig::Trino(t)) => t.api_key.expect("key").expose().to_string(),
            other => panic!("not a Trino config: {other:?}"),
        }
    })
}

fn outputs(w: &Workdir, chdir: Option<&str>) -> Json {
    let mut args = Vec::new();
    let flag = chdir.map(|d| format!("-chdir={d}"));
    if let Some(f) = &flag {
        args.push(f.as_str());
    }
    args.extend(["output", "-json"]);
    let out = w.run(&args).success();
    serde_json::from_str(&out.stdout).expect("output -json")
}

fn ids(list: &Json) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_string())
        .collect()
}

/// Asserts that a command failed and that its output, with line breaks
/// and indentation collapsed (Terraform wraps long messages), holds each needle.
fn fails_with(out: support::TfOutput, needles: &[&str]) {
    assert_ne!(
        out.code,
        0,
        "`{}` should have failed:\n{}",
        out.command,
        out.both()
    );
    let flat = out.both().split_whitespace().collect::<Vec<_>>().join(" ");
    for n in needles {
        assert!(
            flat.contains(n),
            "`{}` output lacks {n:?}:\n{}",
            out.command,
            out.both()
        );
    }
}

fn report(name: &str, cli: &support::TerraformCli, start: Instant) {
    eprintln!(
        "{name}: passed on Terraform {} in {:.1}s",
        cli.version,
        start.elapsed().as_secs_f64()
    );
}

// ===========================================================================
// immuta_integrations and immuta_integration

fn lookup_config(snowflake_id: &str, trino_id: &str) -> String {
    format!(
        r#"{}
data "immuta_integrations" "all" {{}}

data "immuta_integrations" "snowflake_enabled" {{
  type   = "Snowflake"
  status = "enabled"
}}

data "immuta_integrations" "create_errors" {{
  status = "createError"
}}

data "immuta_integration" "snowflake" {{
  id = "{snowflake_id}"
}}

data "immuta_integration" "trino" {{
  id = "{trino_id}"
}}

output "all" {{
  value = data.immuta_integrations.all.integrations
}}

output "snowflake_enabled" {{
  value = data.immuta_integrations.snowflake_enabled.integrations
}}

output "create_errors" {{
  value = data.immuta_integrations.create_errors.integrations
}}

output "snowflake" {{
  value = data.immuta_integration.snowflake
}}

output "trino" {{
  value = data.immuta_integration.trino
}}

# Attribute access on the config (Terraform 1.0 must validate it).
output "warehouse" {{
  value = data.immuta_integration.snowflake.snowflake.warehouse
}}

output "validation" {{
  value = data.immuta_integration.snowflake.validation_results.status
}}

output "first_snowflake_host" {{
  value = [for i in data.immuta_integrations.snowflake_enabled.integrations : i.snowflake.host][0]
}}
"#,
        required_providers()
    )
}

#[test]
fn integrations_and_integration_lookups() {
    let emu = TestEmulator::start();
    let sf = seed(
        &emu,
        snowflake("acme.us-east-1.snowflakecomputing.com", "WH_A"),
    );
    let failed = seed(
        &emu,
        snowflake("fail-create.snowflakecomputing.com", "WH_B"),
    );
    let tr = seed(&emu, trino());
    let key = trino_key(&emu, &tr);
    for cli in clis() {
        let start = Instant::now();
        let mut w = Workdir::new(cli);
        w.use_emulator(&emu);
        w.write("main.tf", &lookup_config(&sf, &tr));
        w.init().success();
        w.run(&["validate", "-no-color"]).success();
        w.apply(&[]).success();
        let out = outputs(&w, None);

        // Filters.
        assert_eq!(
            ids(&out["all"]["value"]),
            [sf.as_str(), failed.as_str(), tr.as_str()]
        );
        assert_eq!(ids(&out["snowflake_enabled"]["value"]), [sf.as_str()]);
        assert_eq!(ids(&out["create_errors"]["value"]), [failed.as_str()]);

        // Each element carries the non-secret config of its type only.
        let all = &out["all"]["value"];
        let first = &all[0];
        assert_eq!(first["type"], "Snowflake");
        assert_eq!(first["auto_bootstrap"], false);
        assert_eq!(first["validation_status"], "passed");
        assert_eq!(first["snowflake"]["warehouse"], "WH_A");
        assert_eq!(first["snowflake"]["port"], 443);
        assert!(first["snowflake"].get("username").is_none());
        assert!(first["snowflake"].get("password").is_none());
        assert_eq!(first["databricks"], Json::Null);
        assert_eq!(all[1]["status"], "createError");
        assert_eq!(all[1]["validation_status"], "failed");
        assert_eq!(all[2]["type"], "Trino");
        assert_eq!(all[2]["auto_bootstrap"], Json::Null);

        // One integration by id: the resource's read-only attributes.
        let one = &out["snowflake"]["value"];
        assert_eq!(one["type"], "Snowflake");
        assert_eq!(one["status"], "enabled");
        assert_eq!(one["validation_results"]["status"], "passed");
        assert!(
            one["validation_results"]["tests"]
                .as_array()
                .is_some_and(|t| !t.is_empty()),
            "{one}"
        );
        assert_eq!(
            one["snowflake"]["host"],
            "acme.us-east-1.snowflakecomputing.com"
        );
        assert_eq!(out["warehouse"]["value"], "WH_A");
        assert_eq!(out["validation"]["value"], "passed");
        assert_eq!(
            out["first_snowflake_host"]["value"],
            "acme.us-east-1.snowflakecomputing.com"
        );
        assert_eq!(out["trino"]["value"]["type"], "Trino");
        assert!(out["trino"]["value"].get("trino").is_none());

        // No secret, and no placeholder, anywhere in the state.
        let state = w.run(&["show", "-json"]).success().stdout;
        for secret in [SEED_PASSWORD, "seeded-user", key.as_str(), "REDACTED"] {
            assert!(!state.contains(secret), "{secret:?} in state:\n{state}");
        }
        let (code, plan) = w.plan_exit_code();
        assert_eq!(code, 0, "second plan must be empty:\n{}", plan.both());

        // A missing id fails with Immuta's answer, on the id attribute.
        w.write(
            "main.tf",
            &format!(
                "{}\ndata \"immuta_integration\" \"missing\" {{\n  id = \"999\"\n}}\n",
                required_providers()
            ),
        );
        fails_with(
            w.plan(&[]),
            &[
                "id: expected the id of an existing integration, got \"999\"",
                "No Integration found with ID 999.",
                "data.immuta_integration.missing",
            ],
        );

        // Filters are checked before anything is read.
        w.write(
            "main.tf",
            &format!(
                "{}\ndata \"immuta_integrations\" \"bad\" {{\n  type   = \"Oracle\"\n  status = \"\"\n}}\n",
                required_providers()
            ),
        );
        fails_with(
            w.run(&["validate", "-no-color"]),
            &[
                "Unknown integration type",
                "got \"Oracle\"",
                "Empty integration status",
                "leave status unset",
            ],
        );
        report("integrations_and_integration_lookups", cli, start);
    }
}

/// A secret in the config of the integration the provider cannot read.
const ODD_SECRET: &str = "odd-password-never-shown";

/// A state file for the emulator holding integration 1, a Snowflake
/// integration whose `host` is an object: the emulator answers it as stored
/// (and, its config not fitting, without redacting its password), and the
/// provider cannot read it.
fn odd_state_file(dir: &Path) -> PathBuf {
    let state = json!({
        "nextId": 2,
        "integrations": {
            "1": {
                "id": 1,
                "type": "Snowflake",
                "autoBootstrap": false,
                "config": {
                    "host": {"account": "acme", "region": "us-east-1"},
                    "warehouse": "WH_ODD",
                    "password": ODD_SECRET
                },
                "status": "enabled",
                "validationResults": null,
                "pending": null
            }
        }
    });
    let path = dir.join("emulator-state.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&state).expect("state")).expect("write");
    path
}

fn odd_config() -> String {
    format!(
        r#"{}
data "immuta_integrations" "all" {{}}

# A status this provider does not know: accepted, compared as given.
data "immuta_integrations" "hibernating" {{
  status = "hibernating"
}}

output "all" {{
  value = data.immuta_integrations.all.integrations
}}

output "hibernating" {{
  value = data.immuta_integrations.hibernating.integrations
}}
"#,
        required_providers()
    )
}

/// How often `needle` occurs in `text`, line breaks and indentation
/// collapsed.
fn occurrences(text: &str, needle: &str) -> usize {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    flat.matches(needle).count()
}

#[test]
fn an_unreadable_integration_and_an_unknown_status_give_warnings_not_errors() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir");
    let state = odd_state_file(dir.path());
    let emu = TestEmulator::with(|b| b.state_file(state));
    let sf = seed(
        &emu,
        snowflake("acme.us-east-1.snowflakecomputing.com", "WH_A"),
    );
    let tr = seed(&emu, trino());
    assert_eq!([sf.as_str(), tr.as_str()], ["2", "3"]);
    // The emulator holds (and answers) the odd one, password and all.
    let odd = emu
        .integrations()
        .into_iter()
        .find(|i| i.id.as_str() == "1");
    let odd = serde_json::to_string(&odd.expect("integration 1")).expect("json");
    assert!(odd.contains(ODD_SECRET), "{odd}");
    for cli in clis() {
        let start = Instant::now();
        let mut w = Workdir::new(cli);
        w.use_emulator(&emu);
        w.write("main.tf", &odd_config());
        w.init().success();
        w.run(&["validate", "-no-color"]).success();
        let apply = w.apply(&[]).success();
        let both = apply.both();

        // The others are listed; the odd one is left out, by id and why.
        let out = outputs(&w, None);
        assert_eq!(ids(&out["all"]["value"]), [sf.as_str(), tr.as_str()]);
        assert_eq!(
            occurrences(&both, "Warning: Integration 1 left out of the list"),
            1,
            "one warning for the odd integration:\n{both}"
        );
        for needle in [
            "The Snowflake integration 1 could not be read, so it is not in `integrations`",
            "config: invalid type: map, expected a string",
            "The other integrations are listed.",
        ] {
            assert_eq!(occurrences(&both, needle), 1, "{needle:?}:\n{both}");
        }

        // An unknown status: a warning on the attribute, and nothing listed.
        assert_eq!(out["hibernating"]["value"], json!([]));
        assert_eq!(
            occurrences(&both, "Warning: Unknown integration status"),
            1,
            "one warning for the unknown status:\n{both}"
        );
        for needle in [
            "\"hibernating\" is not a status this provider knows",
            "\"enabled\", \"editing\"",
            "Check it for a typo.",
        ] {
            assert!(occurrences(&both, needle) > 0, "{needle:?}:\n{both}");
        }

        // Each warning once: not repeated by validation (Terraform would
        // fold the repeats into "... more similar warnings elsewhere").
        assert!(!both.contains("similar warning"), "{both}");

        // None of the odd integration's content, anywhere.
        let state = w.run(&["show", "-json"]).success().stdout;
        for text in [&both, &state] {
            for secret in [ODD_SECRET, "WH_ODD", "us-east-1\"", SEED_PASSWORD] {
                assert!(!text.contains(secret), "{secret:?} shown:\n{text}");
            }
        }
        let (code, plan) = w.plan_exit_code();
        assert_eq!(code, 0, "second plan must be empty:\n{}", plan.both());
        assert!(
            occurrences(&plan.both(), "Warning: Integration 1 left out of the list") == 1,
            "{}",
            plan.both()
        );
        report(
            "an_unreadable_integration_and_an_unknown_status_give_warnings_not_errors",
            cli,
            start,
        );
    }
}

// ===========================================================================
// immuta_integration_script

fn snowflake_block(warehouse: &str) -> String {
    format!(
        r#"{{
    host                = "acme.us-east-1.snowflakecomputing.com"
    warehouse           = "{warehouse}"
    database            = "IMMUTA_DB"
    authentication_type = "userPassword"
    username            = "IMMUTA_SYSTEM_ACCOUNT"
    password            = "script-password"
  }}"#
    )
}

fn scripts_config(id: &str) -> String {
    let sf = snowflake_block("WH_A");
    let edited = snowflake_block("WH_EDITED");
    format!(
        r#"{rp}
data "immuta_integration_script" "create" {{
  action         = "create"
  auto_bootstrap = false
  snowflake      = {sf}
}}

data "immuta_integration_script" "cleanup" {{
  action         = "cleanup"
  auto_bootstrap = false
  snowflake      = {sf}
}}

data "immuta_integration_script" "initial_create" {{
  action         = "initial_create"
  auto_bootstrap = false
  redshift = {{
    host                = "acme.redshift.amazonaws.com"
    database            = "immuta_db"
    authentication_type = "userPassword"
    username            = "immuta_system"
    password            = "script-password"
  }}
}}

data "immuta_integration_script" "edit" {{
  action         = "edit"
  integration_id = "{id}"
  auto_bootstrap = false
  snowflake      = {edited}
}}

# No type attribute: the config is read from Immuta.
data "immuta_integration_script" "delete" {{
  action         = "delete"
  integration_id = "{id}"
}}

output "scripts" {{
  value = {{
    create         = data.immuta_integration_script.create.script
    cleanup        = data.immuta_integration_script.cleanup.script
    initial_create = data.immuta_integration_script.initial_create.script
    edit           = data.immuta_integration_script.edit.script
    delete         = data.immuta_integration_script.delete.script
  }}
  sensitive = true
}}
"#,
        rp = required_providers()
    )
}

fn refused_config() -> String {
    format!(
        r#"{rp}
data "immuta_integration_script" "snowflake_initial" {{
  action         = "initial_create"
  auto_bootstrap = false
  snowflake      = {sf}
}}

data "immuta_integration_script" "gone" {{
  action         = "delete"
  integration_id = "999"
}}
"#,
        rp = required_providers(),
        sf = snowflake_block("WH_A")
    )
}

fn invalid_config() -> String {
    format!(
        r#"{rp}
data "immuta_integration_script" "bad_action" {{
  action         = "setup"
  auto_bootstrap = false
  snowflake      = {sf}
}}

data "immuta_integration_script" "stray_id" {{
  action         = "create"
  integration_id = "1"
  auto_bootstrap = false
  snowflake      = {sf}
}}

data "immuta_integration_script" "no_id" {{
  action         = "edit"
  auto_bootstrap = false
  snowflake      = {sf}
}}
"#,
        rp = required_providers(),
        sf = snowflake_block("WH_A")
    )
}

#[test]
fn scripts_for_each_action_and_refusals() {
    let emu = TestEmulator::start();
    let sf = seed(
        &emu,
        snowflake("acme.us-east-1.snowflakecomputing.com", "WH_A"),
    );
    let handle = emu.handle();
    for cli in clis() {
        let start = Instant::now();
        let mut w = Workdir::new(cli);
        w.use_emulator(&emu);
        w.write("main.tf", &scripts_config(&sf));
        w.init().success();
        let gets_before = handle.request_count("GET", &format!("/integrations/{sf}"));
        let apply = w.apply(&[]).success();
        assert!(
            !apply.both().contains("CREATE DATABASE"),
            "script is sensitive and must not be printed:\n{}",
            apply.both()
        );
        assert!(!apply.both().contains("script-password"));
        let scripts = &outputs(&w, None)["scripts"]["value"];
        let script = |name: &str| scripts[name].as_str().unwrap_or_default().to_string();
        assert!(script("create").starts_with("-- Immuta Snowflake integration: create script"));
        assert!(script("create").contains("CREATE DATABASE IF NOT EXISTS \"IMMUTA_DB\""));
        assert!(script("cleanup").contains("DROP DATABASE IF EXISTS \"IMMUTA_DB\""));
        assert!(script("initial_create")
            .starts_with("-- Immuta Redshift integration: initial-create script"));
        // edit renders the new config; delete the config Immuta holds.
        assert!(script("edit").contains("WH_EDITED"), "{}", script("edit"));
        assert!(script("delete").contains("DROP DATABASE IF EXISTS \"SEEDED_DB\""));
        assert!(
            handle.request_count("GET", &format!("/integrations/{sf}")) > gets_before,
            "delete without a type attribute reads the integration"
        );
        assert!(handle.request_count("POST", &format!("/integrations/{sf}/scripts/delete")) > 0);
        let (code, plan) = w.plan_exit_code();
        assert_eq!(code, 0, "second plan must be empty:\n{}", plan.both());

        // Immuta's refusals, surfaced on the attribute they are about.
        w.write("main.tf", &refused_config());
        fails_with(
            w.plan(&[]),
            &[
                "action: Immuta generates no \"initial_create\" script for Snowflake integrations",
                "The initial-create script is not available for Snowflake integrations",
                "Redshift and Azure Synapse Analytics integrations only",
                "integration_id: expected the id of an existing integration, got \"999\"",
                "No Integration found with ID 999.",
            ],
        );

        // Checked before any request.
        w.write("main.tf", &invalid_config());
        fails_with(
            w.run(&["validate", "-no-color"]),
            &[
                "action: expected one of \"create\", \"cleanup\", \"delete\", \"edit\", \
             \"initial_create\", \"post_cleanup\", got \"setup\"",
                "integration_id: expected no value when action is \"create\", got one",
                "integration_id: required when action is \"edit\"",
            ],
        );
        report("scripts_for_each_action_and_refusals", cli, start);
    }
}

// ===========================================================================
// examples/modules

fn examples_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// Copies a module folder (its `.tf` files and its `example/` root) into the
/// working directory, keeping the layout the root's `source = "../"` needs.
fn copy_module(w: &Workdir, name: &str) {
    let src = examples_root().join("modules").join(name);
    for sub in ["", "example"] {
        let from = src.join(sub);
        let to = w.path().join(sub);
        std::fs::create_dir_all(&to).expect("mkdir");
        let mut n = 0;
        for e in std::fs::read_dir(&from).expect("read module dir") {
            let p = e.expect("entry").path();
            if p.extension().is_some_and(|x| x == "tf") {
                std::fs::copy(&p, to.join(p.file_name().expect("name"))).expect("copy");
                n += 1;
            }
        }
        assert!(n > 0, "{}: no .tf file", from.display());
    }
}

fn tf(w: &Workdir, args: &[&str]) -> support::TfOutput {
    let mut all = vec!["-chdir=example"];
    all.extend_from_slice(args);
    w.run(&all)
}

fn apply(w: &Workdir) -> support::TfOutput {
    tf(w, &["apply", "-input=false", "-no-color", "-auto-approve"])
}

fn plan_is_empty(w: &Workdir, what: &str) {
    let out = tf(
        w,
        &["plan", "-input=false", "-no-color", "-detailed-exitcode"],
    );
    assert_eq!(
        out.code,
        0,
        "{what}: plan after apply not empty:\n{}",
        out.both()
    );
}

#[test]
fn module_snowflake_manual_bootstrap_applies() {
    for cli in clis() {
        let start = Instant::now();
        let emu = TestEmulator::start();
        let mut w = Workdir::new(cli);
        w.use_emulator(&emu);
        w.env("TF_VAR_snowflake_password", "module-example-password");
        copy_module(&w, "snowflake-manual-bootstrap");
        tf(&w, &["init", "-input=false", "-no-color"]).success();
        tf(&w, &["validate", "-no-color"]).success();

        // Phase 1: only the scripts.
        apply(&w).success();
        let out = outputs(&w, Some("example"));
        let create = out["create_script"]["value"].as_str().unwrap_or_default();
        assert!(
            create.contains("CREATE DATABASE IF NOT EXISTS \"IMMUTA\""),
            "{out}"
        );
        assert!(create.contains("GRANT USAGE ON WAREHOUSE \"COMPUTE_WH\""));
        assert_eq!(out["integration_id"]["value"], Json::Null);
        assert_eq!(out["delete_script"]["value"], Json::Null);
        assert!(emu.integrations().is_empty());
        plan_is_empty(&w, "bootstrapped = false");

        // Phase 2: the script ran; the integration is created by hand-bootstrap.
        w.env("TF_VAR_bootstrapped", "true");
        apply(&w).success();
        let out = outputs(&w, Some("example"));
        let list = emu.integrations();
        assert_eq!(list.len(), 1);
        let i = &list[0];
        assert_eq!(i.auto_bootstrap, Some(false));
        assert_eq!(i.status, IntegrationStatus::Enabled);
        assert_eq!(out["integration_id"]["value"], json!(i.id.as_str()));
        assert_eq!(out["status"]["value"], "enabled");
        assert!(out["delete_script"]["value"]
            .as_str()
            .is_some_and(|s| s.contains("DROP DATABASE IF EXISTS \"IMMUTA\"")));
        plan_is_empty(&w, "bootstrapped = true");

        tf(
            &w,
            &["destroy", "-input=false", "-no-color", "-auto-approve"],
        )
        .success();
        assert!(emu.integrations().is_empty(), "destroy left integrations");
        report("module_snowflake_manual_bootstrap_applies", cli, start);
    }
}

#[test]
fn module_integration_inventory_applies() {
    let emu = TestEmulator::start();
    let a = seed(
        &emu,
        snowflake("acme.us-east-1.snowflakecomputing.com", "WH_A"),
    );
    let failed = seed(
        &emu,
        snowflake("fail-create.snowflakecomputing.com", "WH_B"),
    );
    let tr = seed(&emu, trino());
    for cli in clis() {
        let start = Instant::now();
        let w = Workdir::new(cli);
        let mut w = w;
        w.use_emulator(&emu);
        copy_module(&w, "integration-inventory");
        tf(&w, &["init", "-input=false", "-no-color"]).success();
        apply(&w).success();
        let out = outputs(&w, Some("example"));
        assert_eq!(out["ids"]["value"], json!([a, failed, tr]));
        assert_eq!(
            out["by_type"]["value"],
            json!({"Snowflake": [a, failed], "Trino": [tr]})
        );
        assert_eq!(
            out["not_enabled"]["value"],
            json!({ failed.as_str(): "createError" })
        );
        assert_eq!(
            out["failed_tests"]["value"],
            json!({ failed.as_str(): ["Apply configuration (create)"] })
        );
        assert_eq!(
            out["snowflake_accounts"]["value"][a.as_str()],
            json!({
                "host": "acme.us-east-1.snowflakecomputing.com",
                "warehouse": "WH_A",
                "database": "SEEDED_DB"
            })
        );
        assert_eq!(
            out["snowflake_accounts"]["value"]
                .as_object()
                .map(|m| m.len()),
            Some(2)
        );
        plan_is_empty(&w, "integration-inventory");
        tf(
            &w,
            &["destroy", "-input=false", "-no-color", "-auto-approve"],
        )
        .success();
        assert_eq!(emu.integrations().len(), 3, "data sources delete nothing");
        report("module_integration_inventory_applies", cli, start);
    }
}
