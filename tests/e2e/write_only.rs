//! Write-only secrets end to end: with Terraform 1.11 and later, integrations
//! whose secrets are set only through `*_wo` (with `*_wo_version`) are
//! created, left alone by the next plan, updated in place with a new secret
//! when the version changes, and destroyed, and no secret value is ever
//! written to the state file or to a `TF_LOG=trace` log. An auto-bootstrapped
//! Snowflake integration gets its DELETE credentials from the environment
//! variable `delete_credentials_env` names. Terraform before 1.11 refuses the
//! same configuration with a message naming the attribute and the version
//! it needs. (Plain secrets on Terraform 1.0.3: every scenario of
//! `integration_lifecycle.rs` runs on each CLI of `clis()`, 1.0.3 included.)

use crate::support;

use immuta_api::IntegrationConfig;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;
use support::steps::saved_plan;
use support::{clis, required_providers, TerraformCli, TestEmulator, Workdir};

/// The environment variable the Snowflake case names in `delete_credentials_env`.
const DELETE_ENV: &str = "IMMUTA_WO_TEST_DELETE_CREDENTIALS";

/// One integration type set up with write-only secrets only.
struct Case {
    /// The resource body; `{secret}` and `{version}` are filled in.
    body: &'static str,
    /// The Terraform name of the write-only attribute (for messages).
    attribute: &'static str,
    /// A prefix making this case's secrets unique.
    tag: &'static str,
    /// Whether the DELETE needs credentials from the environment.
    delete_env: bool,
}

const BIGQUERY_KEY: &str = r#"jsonencode({
      type                        = "service_account"
      project_id                  = "innate-conquest-123456"
      private_key_id              = "9163c12345690924f5dd218ff39"
      private_key                 = "-----BEGIN PRIVATE KEY-----\n{secret}\n-----END PRIVATE KEY-----\n"
      client_email                = "service-account-id@innate-conquest-123456.iam.gserviceaccount.com"
      client_id                   = "1166290432952487857"
    })"#;

fn cases() -> [Case; 4] {
    [
        Case {
            body: r#"
  auto_bootstrap         = true
  delete_credentials_env = "IMMUTA_WO_TEST_DELETE_CREDENTIALS"
  snowflake = {
    host                = "organization.us-east-1.snowflakecomputing.com"
    warehouse           = "SAMPLE_WAREHOUSE"
    database            = "SNOWFLAKE_SAMPLE_DATA"
    authentication_type = "userPassword"
    username            = "taylor@snowflake.com"
    password_wo         = "{secret}"
    password_wo_version = {version}
    role                = "ACCOUNTADMIN"
  }"#,
            attribute: "snowflake.password_wo",
            tag: "sfpw",
            delete_env: true,
        },
        Case {
            body: r#"
  auto_bootstrap = true
  databricks = {
    workspace_url       = "www.example-workspace.cloud.databricks.com"
    http_path           = "sql/protocolv1/o/0/0000-00000-abc123"
    authentication_type = "token"
    token_wo            = "{secret}"
    token_wo_version    = {version}
    catalog             = "immuta"
  }"#,
            attribute: "databricks.token_wo",
            tag: "dbtok",
            delete_env: false,
        },
        Case {
            body: r#"
  auto_bootstrap = false
  bigquery = {
    role                  = "immuta"
    dataset_suffix        = "_secureView"
    dataset               = "immuta"
    location              = "us-east1"
    credential_wo         = BIGQUERY_KEY
    credential_wo_version = {version}
  }"#,
            attribute: "bigquery.credential_wo",
            tag: "bqkey",
            delete_env: false,
        },
        Case {
            body: r#"
  auto_bootstrap = false
  s3 = {
    name                             = "S3 integration"
    aws_account_id                   = "123456789"
    aws_region                       = "us-east-1"
    aws_location_role                = "arn:aws:iam::123456789:role/access-grants-instance-role"
    aws_location_path                = "s3://"
    authentication_type              = "accessKey"
    aws_access_key_id                = "123456789"
    aws_secret_access_key_wo         = "{secret}"
    aws_secret_access_key_wo_version = {version}
  }"#,
            attribute: "s3.aws_secret_access_key_wo",
            tag: "s3key",
            delete_env: false,
        },
    ]
}

/// A secret unique to this case, version and process.
fn secret(case: &Case, version: u32) -> String {
    format!("{}{version}WoSecret{}", case.tag, std::process::id())
}

fn config(case: &Case, version: u32) -> String {
    let body = case
        .body
        .replace("BIGQUERY_KEY", BIGQUERY_KEY)
        .replace("{secret}", &secret(case, version))
        .replace("{version}", &version.to_string());
    format!(
        "{}\nprovider \"immuta\" {{}}\n\nresource \"immuta_integration\" \"x\" {{{body}\n  timeouts = {{ create = \"2m\", update = \"2m\", delete = \"2m\" }}\n}}\n",
        required_providers()
    )
}

/// The secret Immuta (the emulator) holds for the only integration.
fn stored_secret(emu: &TestEmulator) -> String {
    let h = emu.handle();
    let all = emu.block_on(async move { h.integrations_with_secrets().await });
    assert_eq!(all.len(), 1, "{all:?}");
    let s = match all[0].config.as_ref() {
        Some(IntegrationConfig::Snowflake(c)) => c.password.clone(),
        Some(IntegrationConfig::Databricks(c)) => c.token.clone(),
        Some(IntegrationConfig::BigQuery(c)) => c.credential.clone(),
        Some(IntegrationConfig::S3(c)) => c.aws_secret_access_key.clone(),
        other => panic!("unexpected config {other:?}"),
    };
    s.map(|s| s.expose().to_string()).unwrap_or_default()
}

fn real_updates(emu: &TestEmulator) -> usize {
    emu.handle()
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT" && !r.is_dry_run())
        .count()
}

/// Fails when any of `secrets` occurs in the file (when it exists).
fn assert_absent(path: &Path, secrets: &[String], must_exist: bool) {
    let Ok(bytes) = std::fs::read(path) else {
        assert!(!must_exist, "{} was not written", path.display());
        return;
    };
    let text = String::from_utf8_lossy(&bytes);
    for s in secrets {
        assert!(
            !text.contains(s.as_str()),
            "a secret value appears in {}",
            path.display()
        );
    }
}

fn lifecycle(cli: &TerraformCli, case: &Case) {
    let emu = TestEmulator::start();
    let mut wd = Workdir::new(cli);
    wd.use_emulator(&emu);
    let log = wd.path().join("trace.log");
    wd.env("TF_LOG", "trace")
        .env("TF_LOG_PATH", &log.to_string_lossy());
    if case.delete_env {
        // Read at destroy: the secret Immuta then holds (version 2).
        let creds = format!(r#"{{"password": "{}"}}"#, secret(case, 2));
        wd.env(DELETE_ENV, &creds);
    }
    let wd = wd;
    let secrets = [secret(case, 1), secret(case, 2)];

    wd.write("main.tf", &config(case, 1));
    wd.init().success();
    wd.apply(&[]).success();
    assert!(
        stored_secret(&emu).contains(&secrets[0]),
        "the create sent {}",
        case.attribute
    );
    let state_file = wd.path().join("terraform.tfstate");
    let stored = std::fs::read_to_string(&state_file).expect("state file");
    assert!(stored.contains(&format!(
        "{}_version",
        case.attribute.rsplit('.').next().unwrap_or_default()
    )));
    assert_absent(&state_file, &secrets, true);
    let state = wd.show_json();
    let values = &state["values"]["root_module"]["resources"][0]["values"];
    assert_eq!(values["status"], "enabled", "{values}");
    let block = case.attribute.split('.').next().unwrap_or_default();
    let wo = case.attribute.rsplit('.').next().unwrap_or_default();
    assert!(values[block][wo].is_null(), "{values}");
    assert_eq!(values[block][format!("{wo}_version")], 1, "{values}");

    // The next plan: nothing to do.
    let (code, out) = wd.plan_exit_code();
    assert_eq!(code, 0, "{}", out.both());

    // A new version: one in-place update that sends the new secret.
    wd.write("main.tf", &config(case, 2));
    let plan = saved_plan(&wd, &[]);
    assert_eq!(
        plan.changes(),
        BTreeMap::from([(
            "immuta_integration.x".to_string(),
            vec!["update".to_string()]
        )]),
        "{}",
        plan.output.both()
    );
    emu.handle().clear_requests();
    wd.apply(&[]).success();
    assert_eq!(real_updates(&emu), 1, "one PUT");
    assert!(
        stored_secret(&emu).contains(&secrets[1]),
        "the update sent the new {}",
        case.attribute
    );
    assert_absent(&state_file, &secrets, true);
    let (code, out) = wd.plan_exit_code();
    assert_eq!(code, 0, "after the update: {}", out.both());

    // Destroy.
    wd.destroy().success();
    assert!(emu.integrations().is_empty());

    // No secret value anywhere: state files and the trace log.
    // Checked after apply and update too (the state after destroy is empty).
    assert_absent(&wd.path().join("terraform.tfstate"), &secrets, true);
    assert_absent(&wd.path().join("terraform.tfstate.backup"), &secrets, false);
    let trace = std::fs::read_to_string(&log).expect("the trace log");
    // The log holds the provider's own lines and the gRPC calls that carried the secrets.
    for needle in ["terraform-provider-immuta", "ApplyResourceChange"] {
        assert!(trace.contains(needle), "the trace log lacks {needle}");
    }
    assert_absent(&log, &secrets, true);
}

fn run(index: usize) {
    let all = cases();
    let case = &all[index];
    let mut ran = 0;
    for cli in clis().iter().filter(|c| c.at_least(1, 11)) {
        let start = Instant::now();
        lifecycle(cli, case);
        eprintln!(
            "{} write-only lifecycle on terraform {}: {:.1?}",
            case.attribute,
            cli.version,
            start.elapsed()
        );
        ran += 1;
    }
    assert!(ran > 0, "no Terraform 1.11 or later among {:?}", clis());
}

#[test]
fn snowflake_password_wo_lifecycle() {
    run(0);
}

#[test]
fn databricks_token_wo_lifecycle() {
    run(1);
}

#[test]
fn bigquery_credential_wo_lifecycle() {
    run(2);
}

#[test]
fn s3_secret_access_key_wo_lifecycle() {
    run(3);
}

/// Before 1.11 Terraform cannot keep a value out of state: the provider
/// refuses every write-only attribute, naming it and the version needed.
#[test]
fn write_only_refused_before_terraform_1_11() {
    let old: Vec<&TerraformCli> = clis().iter().filter(|c| !c.at_least(1, 11)).collect();
    assert!(
        !old.is_empty(),
        "no Terraform before 1.11 among {:?}",
        clis()
    );
    for cli in old {
        for case in cases() {
            let emu = TestEmulator::start();
            let mut wd = Workdir::new(cli);
            wd.use_emulator(&emu);
            wd.write("main.tf", &config(&case, 1));
            wd.init().success();
            let out = wd.plan(&[]);
            assert_ne!(out.code, 0, "{}", out.both());
            // Terraform wraps long details: compare with single spaces.
            let text = out.both().split_whitespace().collect::<Vec<_>>().join(" ");
            for needle in [
                "Write-only attribute not supported".to_string(),
                format!(
                    "The attribute {} is write-only, which needs Terraform 1.11 or later",
                    case.attribute
                ),
                "Upgrade Terraform, or set the value through the provider's plain".to_string(),
            ] {
                assert!(text.contains(&needle), "lacks {needle:?}: {text}");
            }
            assert!(!text.contains(&secret(&case, 1)), "{text}");
            assert!(emu.integrations().is_empty());
            assert!(emu.handle().requests().is_empty(), "nothing sent");
        }
    }
}

/// On 1.11: a secret and its twin together, and a twin without a version,
/// are refused at validation, naming the attributes.
#[test]
fn a_secret_and_its_twin_conflict() {
    for cli in clis().iter().filter(|c| c.at_least(1, 11)) {
        let emu = TestEmulator::start();
        let mut wd = Workdir::new(cli);
        wd.use_emulator(&emu);
        let both = config(&cases()[3], 1).replace(
            "aws_access_key_id                = \"123456789\"",
            "aws_access_key_id = \"123456789\"\n    aws_secret_access_key = \"plain\"",
        );
        wd.write("main.tf", &both);
        wd.init().success();
        wd.run(&["validate", "-no-color"]).failure_with(&[
            "s3.aws_secret_access_key_wo: expected only one of s3.aws_secret_access_key and \
             s3.aws_secret_access_key_wo, got both",
        ]);
        let no_version = config(&cases()[3], 1).replace("aws_secret_access_key_wo_version = 1", "");
        wd.write("main.tf", &no_version);
        wd.run(&["validate", "-no-color"]).failure_with(&[
            "s3.aws_secret_access_key_wo_version: required with s3.aws_secret_access_key_wo",
        ]);
        assert!(emu.integrations().is_empty());
    }
}

/// An auto-bootstrapped Snowflake integration with a write-only password:
/// without the variable `delete_credentials_env` names, destroy fails with
/// a message naming it (never a secret) and the integration stays;
/// `force_disable_on_destroy = true` then removes it without credentials.
#[test]
fn destroy_without_the_credentials_variable_fails_clearly() {
    for cli in clis().iter().filter(|c| c.at_least(1, 11)) {
        let emu = TestEmulator::start();
        let mut wd = Workdir::new(cli);
        wd.use_emulator(&emu);
        let case = &cases()[0];
        wd.write("main.tf", &config(case, 1));
        wd.init().success();
        wd.apply(&[]).success();
        let out = wd.destroy();
        assert_ne!(out.code, 0, "{}", out.both());
        let text = out.both().split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            text.contains(&format!("the environment variable {DELETE_ENV} is not set")),
            "{text}"
        );
        assert!(text.contains("force_disable_on_destroy"), "{text}");
        assert!(!text.contains(&secret(case, 1)));
        assert_eq!(emu.integrations().len(), 1, "still there");
        let forced = config(case, 1).replace(
            "  timeouts =",
            "  force_disable_on_destroy = true\n  timeouts =",
        );
        wd.write("main.tf", &forced);
        wd.apply(&[]).success();
        wd.destroy().success();
        assert!(emu.integrations().is_empty());
    }
}

/// A nested secret (`snowflake.private_key.content_wo`): a change of another
/// setting at the same version is an update that leaves Immuta's key as it
/// was (the PUT says `<REDACTED>`); a new version sends the new key.
#[test]
fn nested_key_pair_content_wo() {
    let body = |version: u32, warehouse: &str| {
        format!(
            r#"
  auto_bootstrap = false
  snowflake = {{
    host                = "organization.us-east-1.snowflakecomputing.com"
    warehouse           = "{warehouse}"
    database            = "SNOWFLAKE_SAMPLE_DATA"
    authentication_type = "keyPair"
    username            = "taylor@snowflake.com"
    private_key = {{
      user_filename      = "rsa_key.p8"
      content_wo         = "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----"
      content_wo_version = {version}
    }}
  }}"#,
            key(version)
        )
    };
    fn key(version: u32) -> String {
        format!("MIIEkey{version}WoSecret{}", std::process::id())
    }
    let main = |b: String| {
        format!(
            "{}\nprovider \"immuta\" {{}}\n\nresource \"immuta_integration\" \"x\" {{{b}\n}}\n",
            required_providers()
        )
    };
    let stored_key = |emu: &TestEmulator| {
        let h = emu.handle();
        let all = emu.block_on(async move { h.integrations_with_secrets().await });
        match all[0].config.as_ref() {
            Some(IntegrationConfig::Snowflake(c)) => c
                .private_key
                .as_ref()
                .and_then(|k| k.content.as_ref())
                .map(|s| s.expose().to_string())
                .unwrap_or_default(),
            other => panic!("{other:?}"),
        }
    };
    for cli in clis().iter().filter(|c| c.at_least(1, 11)) {
        let start = Instant::now();
        let emu = TestEmulator::start();
        let mut wd = Workdir::new(cli);
        wd.use_emulator(&emu);
        wd.write("main.tf", &main(body(1, "SAMPLE_WAREHOUSE")));
        wd.init().success();
        wd.apply(&[]).success();
        assert!(stored_key(&emu).contains(&key(1)));
        let (code, out) = wd.plan_exit_code();
        assert_eq!(code, 0, "{}", out.both());
        // Another setting, same version: Immuta keeps its key.
        wd.write("main.tf", &main(body(1, "OTHER_WAREHOUSE")));
        emu.handle().clear_requests();
        wd.apply(&[]).success();
        assert_eq!(real_updates(&emu), 1);
        assert!(stored_key(&emu).contains(&key(1)), "key kept");
        // A new version sends the new key.
        wd.write("main.tf", &main(body(2, "OTHER_WAREHOUSE")));
        wd.apply(&[]).success();
        assert!(stored_key(&emu).contains(&key(2)), "new key sent");
        let (code, out) = wd.plan_exit_code();
        assert_eq!(code, 0, "{}", out.both());
        let state = wd.path().join("terraform.tfstate");
        assert_absent(&state, &[key(1), key(2)], true);
        wd.destroy().success();
        assert!(emu.integrations().is_empty());
        eprintln!(
            "nested content_wo on terraform {}: {:.1?}",
            cli.version,
            start.elapsed()
        );
    }
}

/// A state written before the twins existed (no `*_wo*` keys, no
/// `delete_credentials_env`) still reads: the next plan is empty.
#[test]
fn state_without_the_twins_still_reads() {
    let plain = config(&cases()[3], 1)
        .replace(
            "aws_secret_access_key_wo         = \"",
            "aws_secret_access_key = \"",
        )
        .replace("aws_secret_access_key_wo_version = 1", "");
    for cli in clis() {
        let emu = TestEmulator::start();
        let mut wd = Workdir::new(cli);
        wd.use_emulator(&emu);
        wd.write("main.tf", &plain);
        wd.init().success();
        wd.apply(&[]).success();
        let path = wd.path().join("terraform.tfstate");
        let mut state: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("state")).expect("json");
        let attrs = &mut state["resources"][0]["instances"][0]["attributes"];
        let obj = attrs.as_object_mut().expect("attributes");
        assert!(obj.remove("delete_credentials_env").is_some());
        let s3 = obj
            .get_mut("s3")
            .and_then(|v| v.as_object_mut())
            .expect("s3");
        s3.retain(|k, _| !k.contains("_wo"));
        std::fs::write(&path, state.to_string()).expect("write state");
        let (code, out) = wd.plan_exit_code();
        assert_eq!(code, 0, "{} on {}", out.both(), cli.version);
        wd.destroy().success();
        assert!(emu.integrations().is_empty());
    }
}
