//! `immuta_integration`'s refusals and failures, through the real
//! `terraform` CLIs against the emulator: bad input refused before any
//! request (each error naming its attribute path and what was expected),
//! the `dry_run_on_plan` switch, and Immuta's errors and failure statuses
//! surfacing as errors that say what Immuta said.

use crate::support;

use support::{clis, required_providers, TestEmulator, Workdir};

const SNOWFLAKE_OK: &str = r#"
    host                = "organization.us-east-1.snowflakecomputing.com"
    warehouse           = "SAMPLE_WAREHOUSE"
    database            = "SNOWFLAKE_SAMPLE_DATA"
    role                = "ACCOUNTADMIN""#;

const S3_OK: &str = r#"
    name                  = "S3 integration"
    aws_account_id        = "123456789"
    aws_region            = "us-east-1"
    aws_location_path     = "s3://""#;

/// `(resource body, expected message)`: each body is wrong in one way.
fn bad_inputs() -> Vec<(String, &'static str)> {
    let sf = |extra: &str, auto: &str| {
        format!("\n  {auto}\n  snowflake = {{{SNOWFLAKE_OK}\n{extra}\n  }}")
    };
    let up =
        "    authentication_type = \"userPassword\"\n    username = \"u\"\n    password = \"p\"";
    let s3 = |extra: &str| format!("\n  auto_bootstrap = false\n  s3 = {{{S3_OK}\n{extra}\n  }}");
    let s3_key = "    aws_location_role = \"arn:aws:iam::123456789:role/r\"\n    authentication_type = \"accessKey\"\n    aws_access_key_id = \"k\"\n    aws_secret_access_key = \"s\"";
    let bq = |suffix: &str, cred: &str| {
        format!(
            "\n  auto_bootstrap = false\n  bigquery = {{\n    role = \"immuta\"\n    dataset_suffix = \"{suffix}\"\n    dataset = \"immuta\"\n    location = \"us-east1\"\n    credential = {cred}\n  }}"
        )
    };
    let good_key = r#"jsonencode({ type = "service_account" })"#;
    vec![
        (
            "\n  auto_bootstrap = true".to_string(),
            "expected exactly one of snowflake, databricks, bigquery, redshift, azure_synapse, s3, trino to be set, got none",
        ),
        (
            format!("{}\n  trino = {{}}", sf(up, "auto_bootstrap = true")),
            "trino: expected exactly one of snowflake, databricks, bigquery, redshift, azure_synapse, s3, trino to be set, got snowflake and trino",
        ),
        (
            sf(up, ""),
            "auto_bootstrap: required for snowflake integrations, expected true or false, got none",
        ),
        (
            s3(s3_key).replace("auto_bootstrap = false", "auto_bootstrap = true"),
            "auto_bootstrap: expected false for s3 integrations, got true",
        ),
        (
            bq("_secureView", good_key).replace("auto_bootstrap = false", "auto_bootstrap = true"),
            "auto_bootstrap: expected false for bigquery integrations, got true",
        ),
        (
            sf("    authentication_type = \"foo\"", "auto_bootstrap = true"),
            r#"snowflake.authentication_type: expected one of "userPassword", "keyPair", "oAuthClientCredentials", got "foo""#,
        ),
        (
            sf("    authentication_type = \"userPassword\"\n    username = \"u\"", "auto_bootstrap = true"),
            r#"snowflake.password: required when authentication_type is "userPassword", expected a value, got none"#,
        ),
        (
            sf(&format!("{up}\n    private_key = {{ content = \"k\" }}"), "auto_bootstrap = true")
                .replace("\"userPassword\"", "\"keyPair\""),
            r#"snowflake.password: expected no value when authentication_type is "keyPair", got one"#,
        ),
        (
            sf(up, "auto_bootstrap = true").replace("role                = \"ACCOUNTADMIN\"", ""),
            "snowflake.role: required when auto_bootstrap is true, expected a value, got none",
        ),
        (
            sf(up, "auto_bootstrap = true")
                .replace("host                = \"organization.us-east-1.snowflakecomputing.com\"", ""),
            "snowflake.host: required, expected a value, got none",
        ),
        (
            sf(&format!("{up}\n    port = 0"), "auto_bootstrap = true"),
            "snowflake.port: expected a port from 1 to 65535, got 0",
        ),
        (
            sf(&format!("{up}\n    impersonation = {{ enabled = false, role = \"R\" }}"), "auto_bootstrap = true"),
            "snowflake.impersonation.role: expected no value when enabled is false, got one",
        ),
        (
            r#"
  auto_bootstrap = true
  databricks = {
    workspace_url       = "w"
    http_path           = "h"
    catalog             = "c"
    authentication_type = "token"
  }"#
            .to_string(),
            r#"databricks.token: required when authentication_type is "token", expected a value, got none"#,
        ),
        (
            r#"
  auto_bootstrap = true
  databricks = {
    workspace_url       = "w"
    http_path           = "h"
    catalog             = "c"
    authentication_type = "pat"
  }"#
            .to_string(),
            r#"databricks.authentication_type: expected one of "token", "oAuthM2M", got "pat""#,
        ),
        (
            bq("secureView", good_key),
            r#"bigquery.dataset_suffix: expected a suffix starting with "_", got "secureView""#,
        ),
        (
            bq("_secureView", "\"not a key file\""),
            "bigquery.credential: expected the service account's JSON key file (a JSON object), got text that is not JSON",
        ),
        (
            r#"
  auto_bootstrap = true
  redshift = {
    host                = "h"
    database            = "immuta"
    initial_database    = "dev"
    authentication_type = "okta"
  }"#
            .to_string(),
            r#"redshift.okta: required when authentication_type is "okta", expected an object, got none"#,
        ),
        (
            r#"
  auto_bootstrap = true
  redshift = {
    host                = "h"
    database            = "immuta"
    authentication_type = "userPassword"
    username            = "u"
    password            = "p"
  }"#
            .to_string(),
            "redshift.initial_database: required when auto_bootstrap is true, expected a value, got none",
        ),
        (
            r#"
  auto_bootstrap = true
  azure_synapse = {
    host                = "h"
    database            = "d"
    schema              = "s"
    authentication_type = "okta"
  }"#
            .to_string(),
            r#"azure_synapse.authentication_type: expected one of "userPassword", got "okta""#,
        ),
        (
            s3(&s3_key.replace("arn:aws:iam::123456789:role/r", "access-grants-instance-role")),
            r#"s3.aws_location_role: expected an IAM role ARN like "arn:aws:iam::123456789012:role/name", got "access-grants-instance-role""#,
        ),
        (
            s3("    aws_location_role = \"arn:aws:iam::123456789:role/r\"\n    authentication_type = \"auto\""),
            r#"s3.aws_role_to_assume: required when authentication_type is "auto", expected a value, got none"#,
        ),
        (
            s3(s3_key).replace("\"s3://\"", "\"bucket/prefix\""),
            r#"s3.aws_location_path: expected a location starting with "s3://", got "bucket/prefix""#,
        ),
        (
            format!("{}\n  timeouts = {{ create = \"soon\" }}", sf(up, "auto_bootstrap = true")),
            r#"timeouts.create: expected a duration such as "30m", got "soon""#,
        ),
        (
            format!(
                "{}\n  delete_credentials = {{ authentication_type = \"okta\" }}",
                sf(up, "auto_bootstrap = true")
            ),
            r#"delete_credentials.authentication_type: expected one of "userPassword", "keyPair", "oAuthClientCredentials", got "okta""#,
        ),
    ]
}

/// Terraform wraps long lines: compare text with whitespace collapsed.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Panics unless the command failed and its output, unwrapped, holds every needle.
fn fails_with(out: support::TfOutput, needles: &[&str]) {
    assert_ne!(
        out.code,
        0,
        "`{}` should have failed:\n{}",
        out.command,
        out.both()
    );
    let text = flat(&out.both());
    for n in needles {
        assert!(
            text.contains(&flat(n)),
            "`{}` lacks {n:?}:\n{}",
            out.command,
            out.both()
        );
    }
}

#[test]
fn bad_input_is_refused_before_any_request() {
    let cases = bad_inputs();
    let mut tf = format!("{}\nprovider \"immuta\" {{}}\n", required_providers());
    for (i, (body, _)) in cases.iter().enumerate() {
        tf.push_str(&format!(
            "\nresource \"immuta_integration\" \"case{i}\" {{{body}\n}}\n"
        ));
    }
    for cli in clis() {
        let emu = TestEmulator::start();
        let mut wd = Workdir::new(cli);
        wd.use_emulator(&emu);
        wd.write("main.tf", &tf);
        wd.init().success();
        for command in [
            &["validate", "-no-color"][..],
            &["plan", "-input=false", "-no-color"],
        ] {
            let out = wd.run(command);
            assert_ne!(out.code, 0, "{}", out.both());
            let text = flat(&out.both());
            for (i, (_, message)) in cases.iter().enumerate() {
                assert!(
                    text.contains(&flat(message)),
                    "case{i} ({}): no {message:?} in:\n{}",
                    cli.version,
                    out.both()
                );
            }
            // Each error points at its resource.
            assert!(text.contains(&format!("immuta_integration.case{}", cases.len() - 1)));
        }
        assert!(
            emu.handle().requests().is_empty(),
            "requests were sent: {:?}",
            emu.handle().requests()
        );
    }
}

fn snowflake(database: &str, extra: &str) -> String {
    format!(
        r#"
resource "immuta_integration" "x" {{
  auto_bootstrap = true
  snowflake = {{
    host                = "organization.us-east-1.snowflakecomputing.com"
    warehouse           = "SAMPLE_WAREHOUSE"
    database            = "{database}"
    authentication_type = "userPassword"
    username            = "taylor@snowflake.com"
    password            = "abc1234"
    role                = "ACCOUNTADMIN"
  }}{extra}
}}
"#
    )
}

#[test]
fn dry_run_on_plan_can_be_turned_off_and_immutas_refusal_is_shown() {
    for cli in clis() {
        let emu = TestEmulator::start();
        let mut wd = Workdir::new(cli);
        wd.use_emulator(&emu);
        let main = |provider: &str| {
            format!(
                "{}\n{provider}\n{}",
                required_providers(),
                snowflake("unreachable-db", "")
            )
        };
        wd.write(
            "main.tf",
            &main("provider \"immuta\" {\n  dry_run_on_plan = false\n}"),
        );
        wd.init().success();
        // Without dryRun the plan passes...
        wd.plan(&[]).success();
        assert!(emu.handle().requests().iter().all(|r| !r.is_dry_run()));
        // ...and the create fails with what Immuta said; nothing is created.
        fails_with(
            wd.apply(&[]),
            &[
                "Could not create the Snowflake integration",
                "Immuta answered 422",
                "Validation of prerequisite setup failed",
                "Initial Validation: Basic Connection Test",
                "unreachable",
            ],
        );
        assert!(emu.integrations().is_empty());
        assert!(
            wd.show_json()["values"].is_null()
                || wd.show_json()["values"]["root_module"]["resources"].is_null()
        );
        // With it (the default) the plan fails, naming the test.
        wd.write("main.tf", &main("provider \"immuta\" {}"));
        fails_with(
            wd.plan(&[]),
            &[
                "Immuta's validation test \"Initial Validation: Basic Connection Test\" failed",
                "unreachable",
            ],
        );
        // A warning stays a warning.
        wd.write(
            "main.tf",
            &format!(
                "{}\nprovider \"immuta\" {{}}\n{}",
                required_providers(),
                snowflake("warning-db", "")
            ),
        );
        let out = wd.plan(&[]).success();
        assert!(
            flat(&out.both()).contains("passed with a warning"),
            "{}",
            out.both()
        );
    }
}

#[test]
fn failure_statuses_and_delete_options() {
    for cli in clis() {
        let emu = TestEmulator::start();
        let mut wd = Workdir::new(cli);
        wd.use_emulator(&emu);
        let write = |database: &str, extra: &str| {
            wd.write(
                "main.tf",
                &format!(
                    "{}\nprovider \"immuta\" {{}}\n{}",
                    required_providers(),
                    snowflake(database, extra)
                ),
            );
        };
        write("immuta", "");
        wd.init().success();
        wd.apply(&[]).success();
        let id = emu.integrations()[0].id.as_str().to_string();

        // An update that ends in editError.
        write("immuta-fail-edit", "");
        fails_with(
            wd.apply(&[]),
            &["did not become enabled after the update", "editError"],
        );
        write("immuta", "");
        wd.apply(&[]).success();

        // Wrong privileged credentials for the delete: Immuta's refusal is shown,
        // and the integration stays, in Immuta and in the state.
        let wrong = "\n  delete_credentials = {\n    authentication_type = \"userPassword\"\n    username = \"taylor@snowflake.com\"\n    password = \"wrong\"\n    role = \"ACCOUNTADMIN\"\n  }";
        write("immuta", wrong);
        wd.apply(&[]).success();
        fails_with(
            wd.destroy(),
            &["Could not delete integration", "Could not log in"],
        );
        assert_eq!(emu.integrations().len(), 1);

        // force_disable_on_destroy: DELETE ?forceDisable=true, no credentials needed.
        write(
            "immuta",
            &format!("{wrong}\n  force_disable_on_destroy = true"),
        );
        emu.handle().clear_requests();
        wd.apply(&[]).success();
        assert!(
            emu.handle().requests().iter().all(|r| r.method != "PUT"),
            "a Terraform-only change sends no PUT: {:?}",
            emu.handle().requests()
        );
        wd.destroy().success();
        assert!(emu.integrations().is_empty());
        assert!(emu.handle().requests().iter().any(|r| r.method == "DELETE"
            && r.path == format!("/integrations/{id}")
            && r.query
                .as_deref()
                .unwrap_or("")
                .contains("forceDisable=true")));

        // A delete that ends in deleteError keeps the resource.
        write("immuta-fail-delete", "");
        wd.apply(&[]).success();
        fails_with(wd.destroy(), &["was not deleted", "deleteError"]);
        assert_eq!(emu.integrations().len(), 1);
        let (code, out) = wd.plan_exit_code();
        assert_eq!(code, 0, "still managed: {}", out.both());
    }
}
