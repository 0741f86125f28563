//! The provider against every answer Immuta's page allows: one scenario of
//! all seven integration types per emulator variant (`immuta_emulator::Guesses`:
//! each guess at a non-default value, and all of them at once), on the newest
//! CLI, and all at once on the oldest too.
//!
//! Each scenario: create; a no-change plan that makes exactly one GET per
//! resource and nothing else; a no-change apply that writes nothing; an
//! update; drift made through the API, on settings the configuration sets
//! and on settings it leaves to Immuta's documented default, which plans a
//! change and is put back by the next apply; import of every resource into
//! an empty state; destroy (one integration with `force_disable_on_destroy`),
//! which leaves nothing in state. Throughout, no request body ever carries
//! Immuta's `<REDACTED>` placeholder.

use crate::support;

use immuta_api::{IntegrationConfig, IntegrationStatus};
use immuta_emulator::Guesses;
use support::{clis, required_providers, TerraformCli, TestEmulator, Workdir};

/// The resource names, one per type, in the order of the configuration.
const NAMES: [&str; 7] = [
    "snowflake",
    "databricks",
    "bigquery",
    "redshift",
    "synapse",
    "s3",
    "trino",
];

const BIGQUERY_KEY: &str = r#"jsonencode({
      type         = "service_account"
      project_id   = "guess-123456"
      private_key  = "-----BEGIN PRIVATE KEY-----\nXXXX\n-----END PRIVATE KEY-----\n"
      client_email = "service-account-id@guess-123456.iam.gserviceaccount.com"
    })"#;

/// The configuration at `step` ("a" first, "b" after the update); the
/// Redshift integration is force-disabled on destroy when `force` is set.
fn config(step: &str, force: bool) -> String {
    let body = format!(
        r#"
provider "immuta" {{}}

resource "immuta_integration" "snowflake" {{
  auto_bootstrap = true
  snowflake = {{
    host                = "guess.us-east-1.snowflakecomputing.com"
    warehouse           = "WAREHOUSE_{step}"
    database            = "IMMUTA_GUESS"
    authentication_type = "userPassword"
    username            = "taylor@snowflake.com"
    password            = "abc1234"
    role                = "ACCOUNTADMIN"
  }}
}}

resource "immuta_integration" "databricks" {{
  auto_bootstrap = true
  databricks = {{
    workspace_url       = "guess.cloud.databricks.com"
    http_path           = "sql/protocolv1/o/0/{step}"
    authentication_type = "token"
    token               = "dapi-guess-token"
    catalog             = "immuta"
  }}
}}

resource "immuta_integration" "bigquery" {{
  auto_bootstrap = false
  bigquery = {{
    role           = "immuta"
    dataset_suffix = "_secureView"
    dataset        = "immuta_{step}"
    location       = "us-east1"
    credential     = {BIGQUERY_KEY}
  }}
}}

resource "immuta_integration" "redshift" {{
  auto_bootstrap           = true
  force_disable_on_destroy = {force}
  redshift = {{
    host                = "guess.redshift.amazonaws.com"
    database            = "immuta"
    initial_database    = "dev_{step}"
    authentication_type = "userPassword"
    username            = "awsuser"
    password            = "Redshift-pw1"
  }}
}}

resource "immuta_integration" "synapse" {{
  auto_bootstrap = true
  azure_synapse = {{
    host                = "guess.sql.azuresynapse.net"
    database            = "immuta"
    schema              = "schema_{step}"
    authentication_type = "userPassword"
    username            = "sqladmin"
    password            = "Synapse-pw1"
  }}
}}

resource "immuta_integration" "s3" {{
  auto_bootstrap = false
  s3 = {{
    name                  = "guess-s3"
    aws_account_id        = "123456789012"
    aws_region            = "us-east-1"
    aws_location_role     = "arn:aws:iam::123456789012:role/grants-{step}"
    aws_location_path     = "s3://guess/"
    authentication_type   = "accessKey"
    aws_access_key_id     = "AKIAGUESS"
    aws_secret_access_key = "s3-secret"
  }}
}}

resource "immuta_integration" "trino" {{
  trino = {{}}
}}
"#
    );
    format!("{}{body}", required_providers())
}

/// The ids of the resources, by name, from `terraform show -json`.
fn ids(w: &Workdir) -> Vec<(String, String)> {
    let show = w.show_json();
    let resources = show["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    NAMES
        .iter()
        .map(|n| {
            let r = resources
                .iter()
                .find(|r| r["name"] == *n)
                .unwrap_or_else(|| panic!("{n} is in state"));
            let id = r["values"]["id"].as_str().expect("id").to_string();
            (n.to_string(), id)
        })
        .collect()
}

/// Changes, through the API as someone in Immuta's UI would, a setting the
/// configuration leaves to Immuta's documented default (Snowflake and
/// Databricks audit, Redshift and Synapse impersonation) or one it sets
/// (BigQuery location, S3 region).
fn drift(emu: &TestEmulator, ids: &[(String, String)]) {
    for (name, id) in ids.iter().filter(|(n, _)| n != "trino") {
        emu.change_out_of_band(id, |config| {
            let on = immuta_api::config::Toggle::enabled(true);
            let impersonation = immuta_api::config::Impersonation {
                enabled: Some(true),
                role: Some("IMPERSONATOR".into()),
                ..Default::default()
            };
            match config {
                IntegrationConfig::Snowflake(s) => s.audit = Some(on),
                IntegrationConfig::Databricks(d) => d.audit = Some(on),
                IntegrationConfig::BigQuery(b) => b.location = Some("europe-west1".into()),
                IntegrationConfig::Redshift(r) => r.impersonation = Some(impersonation),
                IntegrationConfig::AzureSynapse(a) => a.impersonation = Some(impersonation),
                IntegrationConfig::S3(s) => s.aws_region = Some("eu-west-1".into()),
                other => panic!("no drift for {name}: {other:?}"),
            }
        });
    }
}

/// Asserts that no request so far carried `<REDACTED>` in its body.
fn no_placeholder_sent(emu: &TestEmulator, variant: &str) {
    for r in emu.handle().requests() {
        if let Some(body) = &r.body {
            assert!(
                !body.contains("REDACTED"),
                "{variant}: {} {} sent Immuta's placeholder: {body}",
                r.method,
                r.path
            );
        }
    }
}

/// Asserts that the requests since the log was cleared are exactly one GET
/// of each integration.
fn one_get_each(emu: &TestEmulator, ids: &[(String, String)], what: &str) {
    let mut seen: Vec<String> = emu
        .handle()
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    seen.sort();
    let mut expected: Vec<String> = ids
        .iter()
        .map(|(_, id)| format!("GET /integrations/{id}"))
        .collect();
    expected.sort();
    assert_eq!(
        seen, expected,
        "{what}: one GET per resource and nothing else"
    );
}

fn plan_code(w: &Workdir) -> (i32, String) {
    let (code, out) = w.plan_exit_code();
    (code, out.both())
}

fn scenario(cli: &TerraformCli, variant: &str, guesses: Guesses) {
    let emu = TestEmulator::with(|b| b.guesses(guesses));
    let mut w = Workdir::new(cli);
    w.use_emulator(&emu);
    let v = format!("{variant} on {}", cli.version);

    // Create.
    w.write("main.tf", &config("a", false));
    w.init().success();
    w.apply(&[]).success();
    let ids = ids(&w);
    no_placeholder_sent(&emu, &v);

    // A no-change plan: exit 0, one GET per resource, nothing else.
    emu.handle().clear_requests();
    let (code, out) = plan_code(&w);
    assert_eq!(code, 0, "{v}: the second plan is empty:\n{out}");
    one_get_each(&emu, &ids, &v);

    // A no-change apply writes nothing.
    emu.handle().clear_requests();
    let out = w.apply(&[]).success();
    assert!(
        out.stdout.contains("0 added, 0 changed, 0 destroyed"),
        "{v}:\n{}",
        out.both()
    );
    one_get_each(&emu, &ids, &v);

    // Update every type that has settings, then an empty plan.
    w.write("main.tf", &config("b", false));
    let out = w.apply(&[]).success();
    assert!(
        out.stdout.contains("0 added, 6 changed, 0 destroyed"),
        "{v}: the update changes six integrations in place:\n{}",
        out.both()
    );
    let (code, out) = plan_code(&w);
    assert_eq!(code, 0, "{v}: the plan after the update is empty:\n{out}");

    // Drift through the API shows, and the next apply puts it back.
    drift(&emu, &ids);
    let (code, out) = plan_code(&w);
    assert_eq!(code, 2, "{v}: drift shows:\n{out}");
    for n in NAMES.iter().filter(|n| **n != "trino") {
        assert!(
            out.contains(&format!("immuta_integration.{n} will be updated in-place")),
            "{v}: drift of {n} shows:\n{out}"
        );
    }
    assert!(
        !out.contains("immuta_integration.trino will"),
        "{v}: Trino did not drift:\n{out}"
    );
    w.apply(&[]).success();
    let (code, out) = plan_code(&w);
    assert_eq!(code, 0, "{v}: the apply put the drift back:\n{out}");

    // Import every resource into an empty state: the secrets Immuta never
    // shows plan one update; after it, the plan is empty.
    for n in NAMES {
        w.run(&["state", "rm", &format!("immuta_integration.{n}")])
            .success();
    }
    for (n, id) in &ids {
        w.run(&[
            "import",
            "-no-color",
            &format!("immuta_integration.{n}"),
            id,
        ])
        .success();
    }
    w.apply(&[]).success();
    let (code, out) = plan_code(&w);
    assert_eq!(
        code, 0,
        "{v}: the plan after import and apply is empty:\n{out}"
    );
    no_placeholder_sent(&emu, &v);

    // Destroy, one integration force-disabled.
    w.write("main.tf", &config("b", true));
    w.apply(&[]).success();
    w.destroy().success();
    let show = w.show_json();
    assert!(
        show["values"].is_null()
            || show["values"]["root_module"]["resources"]
                .as_array()
                .is_none_or(|r| r.is_empty()),
        "{v}: state is empty: {show}"
    );
    for i in emu.integrations() {
        assert_eq!(
            i.status,
            IntegrationStatus::Disabled,
            "{v}: only a force-disabled integration may stay, disabled: {i:?}"
        );
    }
    no_placeholder_sent(&emu, &v);
}

/// The newest CLI.
fn newest() -> &'static TerraformCli {
    clis()
        .iter()
        .max_by_key(|c| c.minor())
        .expect("a terraform CLI")
}

fn variant(name: &str) -> Guesses {
    Guesses::variants()
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, g)| g)
        .unwrap_or_else(|| panic!("no variant {name}"))
}

#[test]
fn every_variant_is_tested() {
    // The list of tests below names every single-switch variant.
    let tested = TESTED.to_vec();
    let mut all: Vec<&str> = Guesses::variants().into_iter().map(|(n, _)| n).collect();
    all.sort();
    let mut t = tested.clone();
    t.sort();
    assert_eq!(t, all, "add a test per variant");
}

macro_rules! variants {
    ($($test:ident => $name:literal,)*) => {
        const TESTED: &[&str] = &[$($name),*];
        $(
            #[test]
            fn $test() {
                scenario(newest(), $name, variant($name));
            }
        )*
    };
}

variants! {
    echo_defaults_false => "echo-defaults=false",
    trino_key_create => "trino-key=create",
    trino_key_never => "trino-key=never",
    redact_more => "redact=more",
    force_disable_disabled => "force-disable=disabled",
    status_shape_string => "status-shape=string",
    id_type_number => "id-type=number",
    store_redacted_put => "store-redacted-put",
    scalars_as_strings => "scalars-as-strings",
    delete_body_ignore => "delete-body=ignore",
}

#[test]
fn emulator_defaults() {
    scenario(newest(), "defaults", Guesses::default());
}

#[test]
fn all_alternatives_at_once_on_every_cli() {
    for cli in clis() {
        scenario(cli, "all alternatives", Guesses::alternatives());
    }
}
