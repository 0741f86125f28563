//! End-to-end lifecycle of `immuta_integration` for every integration type,
//! driving the real `terraform` CLIs against the emulator. Each type runs one
//! scenario per CLI, built from the examples of Immuta's endpoint page:
//! failed validation stopping the plan, a create failing while waiting
//! (tainted, nothing orphaned, replaced by the next apply), create, an empty
//! second plan without dryRun, the page's PUT as an in-place update, drift
//! (changed and deleted out of band), import, replacement on a type change,
//! and destroy.

use crate::support;

use immuta_api::{IntegrationConfig, IntegrationType};
use immuta_client::{wait_for, ClientConfig, ImmutaClient, WaitOptions, WaitTarget};
use std::time::{Duration, Instant};
use support::steps::Steps;
use support::{clis, required_providers, TerraformCli, TestEmulator, Workdir};

/// One integration type's scenario data.
struct Case {
    /// The HCL of the type attribute and `auto_bootstrap`, for create; `{m}`
    /// marks a non-secret string where a failure trigger can go.
    create: &'static str,
    /// The same after the page's PUT example.
    update: &'static str,
    /// Immuta's type.
    ty: IntegrationType,
    /// Whether the emulator's triggers apply (not for Trino, which has no config).
    triggers: bool,
    /// The attributes `terraform import` cannot read back: the secrets
    /// Immuta redacts (the next apply sets them from the configuration).
    not_imported: &'static [&'static str],
}

const BIGQUERY_KEY: &str = r#"jsonencode({
      type                        = "service_account"
      project_id                  = "innate-conquest-123456"
      private_key_id              = "9163c12345690924f5dd218ff39"
      private_key                 = "-----BEGIN PRIVATE KEY-----\nXXXXXXXro0s\n-----END PRIVATE KEY-----\n"
      client_email                = "service-account-id@innate-conquest-123456.iam.gserviceaccount.com"
      client_id                   = "1166290432952487857"
      auth_uri                    = "https://accounts.google.com/o/oauth2/auth"
      token_uri                   = "https://oauth2.googleapis.com/token"
    })"#;

fn cases() -> Vec<Case> {
    vec![
        Case {
            create: r#"
  auto_bootstrap = true
  snowflake = {
    host                = "organization.us-east-1.snowflakecomputing.com"
    warehouse           = "SAMPLE_WAREHOUSE"
    database            = "SNOWFLAKE_SAMPLE_DATA{m}"
    authentication_type = "userPassword"
    username            = "taylor@snowflake.com"
    password            = "abc1234"
    role                = "ACCOUNTADMIN"
  }"#,
            update: r#"
  auto_bootstrap = true
  snowflake = {
    host                = "organization.us-east-1.snowflakecomputing.com"
    warehouse           = "SAMPLE_WAREHOUSE"
    database            = "SNOWFLAKE_SAMPLE_DATA"
    audit               = { enabled = true }
    authentication_type = "userPassword"
    username            = "taylor@snowflake.com"
    password            = "abc1234"
    role                = "ACCOUNTADMIN"
  }"#,
            ty: IntegrationType::Snowflake,
            triggers: true,
            not_imported: &["snowflake.password", "snowflake.username"],
        },
        Case {
            create: r#"
  auto_bootstrap = true
  databricks = {
    workspace_url       = "www.example-workspace.cloud.databricks.com"
    http_path           = "sql/protocolv1/o/0/0000-00000-abc123"
    authentication_type = "token"
    token               = "dapi-example-token"
    catalog             = "immuta{m}"
  }"#,
            update: r#"
  auto_bootstrap = true
  databricks = {
    workspace_url       = "www.example-workspace.cloud.databricks.com"
    http_path           = "sql/protocolv1/o/0/0000-00000-abc123"
    authentication_type = "token"
    token               = "dapi-example-token"
    group_pattern       = { deny = "admins" }
    catalog             = "immuta"
  }"#,
            ty: IntegrationType::Databricks,
            triggers: true,
            not_imported: &["databricks.token"],
        },
        Case {
            create: r#"
  auto_bootstrap = false
  bigquery = {
    role           = "immuta"
    dataset_suffix = "_secureView"
    dataset        = "immuta{m}"
    location       = "us-east1"
    credential     = BIGQUERY_KEY
  }"#,
            update: r#"
  auto_bootstrap = false
  bigquery = {
    role           = "immuta"
    dataset_suffix = "_secureView"
    dataset        = "immuta"
    location       = "us-east1"
    credential     = replace(BIGQUERY_KEY, "9163c12345690924f5dd218ff39", "0000c12345690924f5dd218ff40")
  }"#,
            ty: IntegrationType::BigQuery,
            triggers: true,
            not_imported: &["bigquery.credential"],
        },
        Case {
            create: r#"
  auto_bootstrap = true
  redshift = {
    host                = "organization.aws.amazon.com"
    database            = "immuta{m}"
    initial_database    = "REDSHIFT_SAMPLE_DATA"
    authentication_type = "userPassword"
    username            = "taylor@redshift.com"
    password            = "abc1234"
  }"#,
            update: r#"
  auto_bootstrap = true
  redshift = {
    host                = "organization.aws.amazon.com"
    database            = "immuta"
    initial_database    = "REDSHIFT_SAMPLE_DATA"
    impersonation       = { enabled = true, role = "immuta_impersonation" }
    authentication_type = "okta"
    okta = {
      username = "taylor@redshift.com"
      password = "abc1234"
      app_id   = "Okta"
      idp_host = "organization.okta.com"
      role     = "admin"
    }
  }"#,
            ty: IntegrationType::Redshift,
            triggers: true,
            not_imported: &["redshift.okta.password", "redshift.okta.username"],
        },
        Case {
            create: r#"
  auto_bootstrap = true
  azure_synapse = {
    host     = "organization.azure.com"
    schema   = "sample_schema"
    database = "immuta{m}"
    metadata_delimiters = {
      hash_delimiter     = "|"
      hash_key_delimiter = "-"
      array_delimiter    = ","
    }
    username            = "taylor@synapse.com"
    password            = "abc1234"
    authentication_type = "userPassword"
  }"#,
            update: r#"
  auto_bootstrap = true
  azure_synapse = {
    host          = "organization.azure.com"
    schema        = "sample_schema"
    database      = "immuta"
    impersonation = { enabled = true, role = "IMMUTA_IMPERSONATION" }
    metadata_delimiters = {
      hash_delimiter     = "|"
      hash_key_delimiter = "-"
      array_delimiter    = ","
    }
    username            = "taylor@synapse.com"
    password            = "abc1234"
    authentication_type = "userPassword"
  }"#,
            ty: IntegrationType::AzureSynapse,
            triggers: true,
            not_imported: &["azure_synapse.password", "azure_synapse.username"],
        },
        Case {
            create: r#"
  auto_bootstrap = false
  s3 = {
    name                  = "S3 integration{m}"
    aws_account_id        = "123456789"
    aws_region            = "us-east-1"
    aws_location_role     = "arn:aws:iam::123456789:role/access-grants-instance-role"
    aws_location_path     = "s3://"
    authentication_type   = "accessKey"
    aws_access_key_id     = "123456789"
    aws_secret_access_key = "123456789"
  }"#,
            update: r#"
  auto_bootstrap = false
  s3 = {
    name                  = "S3 integration edited"
    aws_account_id        = "123456789"
    aws_region            = "us-east-1"
    aws_location_role     = "arn:aws:iam::123456789:role/access-grants-instance-role"
    aws_location_path     = "s3://"
    authentication_type   = "accessKey"
    aws_access_key_id     = "123456789"
    aws_secret_access_key = "123456789"
  }"#,
            ty: IntegrationType::S3,
            triggers: true,
            not_imported: &["s3.aws_secret_access_key"],
        },
        Case {
            create: r#"
  trino = {}"#,
            update: r#"
  auto_bootstrap = false
  trino = {}"#,
            ty: IntegrationType::Trino,
            triggers: false,
            not_imported: &[],
        },
    ]
}

fn config(body: &str, marker: &str) -> String {
    config_with(
        body,
        marker,
        "\n  timeouts = { create = \"2m\", update = \"2m\", delete = \"2m\" }",
    )
}

fn config_with(body: &str, marker: &str, extra: &str) -> String {
    let body = body
        .replace("{m}", marker)
        .replace("BIGQUERY_KEY", BIGQUERY_KEY);
    format!(
        "{}\nprovider \"immuta\" {{}}\n\nresource \"immuta_integration\" \"x\" {{{body}{extra}\n}}\n",
        required_providers()
    )
}

fn client(emu: &TestEmulator) -> ImmutaClient {
    ImmutaClient::new(ClientConfig::new(emu.url(), emu.api_key())).expect("client")
}

/// Changes one non-secret field of the integration out of band (as someone
/// in Immuta's UI would) and waits for it to settle.
fn change_out_of_band(emu: &TestEmulator, id: &str) {
    emu.change_out_of_band(id, |config| match config {
        IntegrationConfig::Snowflake(s) => s.warehouse = Some("OTHER_WAREHOUSE".into()),
        IntegrationConfig::Databricks(d) => d.http_path = Some("sql/other".into()),
        IntegrationConfig::BigQuery(b) => b.location = Some("europe-west1".into()),
        IntegrationConfig::Redshift(r) => r.host = Some("other.aws.amazon.com".into()),
        IntegrationConfig::AzureSynapse(a) => a.schema = Some("other_schema".into()),
        IntegrationConfig::S3(s) => s.aws_region = Some("eu-west-1".into()),
        other => panic!("no out-of-band change for {other:?}"),
    });
}

fn delete_out_of_band(emu: &TestEmulator, id: &str) {
    let c = client(emu);
    emu.block_on(async {
        c.delete(
            id,
            None,
            immuta_client::DeleteOptions {
                force_disable: true,
                dry_run: false,
            },
        )
        .await
        .expect("out-of-band DELETE");
        let opts = WaitOptions::new(Duration::from_secs(10), Default::default());
        wait_for(&c, id, WaitTarget::Gone, opts)
            .await
            .expect("gone");
    });
}

fn only_id(emu: &TestEmulator, ty: &IntegrationType) -> String {
    let all = emu.integrations();
    assert_eq!(all.len(), 1, "expected one integration, got {all:?}");
    assert_eq!(&all[0].integration_type, ty);
    all[0].id.as_str().to_string()
}

fn dry_runs(emu: &TestEmulator) -> Vec<String> {
    emu.handle()
        .requests()
        .into_iter()
        .filter(|r| r.is_dry_run())
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// The resource every scenario manages.
const X: &str = "immuta_integration.x";

fn scenario(cli: &TerraformCli, case: &Case, next: &Case) {
    let emu = TestEmulator::start();
    let mut wd = Workdir::new(cli);
    wd.use_emulator(&emu);
    let mut t = Steps::new(wd, &emu);
    let ty = &case.ty;

    if case.triggers {
        // A failed validation test stops the plan; nothing is created.
        t.plan_fails(
            &config(case.create, "-unreachable"),
            &["Immuta's validation test", "failed", "unreachable"],
        );
        assert!(emu.integrations().is_empty());
        assert!(dry_runs(&emu).iter().all(|r| r == "POST /integrations"));

        // A create that fails while waiting: in state, tainted (the same
        // configuration plans a replacement); not orphaned.
        t.apply_fails(
            &config(case.create, "-fail-create"),
            &["did not become enabled", "createError"],
        );
        let failed_id = only_id(&emu, ty);
        assert_eq!(t.resource(X)["id"], failed_id.as_str());
        t.expect_plan(
            &config(case.create, "-fail-create"),
            &[(X, &["delete", "create"])],
        );
        // The next apply replaces it.
        t.apply(&config(case.create, ""));
        assert_ne!(only_id(&emu, ty), failed_id);
    } else {
        t.apply(&config(case.create, ""));
    }
    let id = only_id(&emu, ty);
    let values = t.resource(X);
    assert_eq!(values["id"], id.as_str());
    assert_eq!(values["status"], "enabled");
    assert_eq!(values["type"], ty.as_str());
    assert_eq!(values["validation_results"]["status"], "passed", "{values}");

    // A second plan: nothing to do, and no dryRun.
    emu.handle().clear_requests();
    t.expect_empty_plan();
    assert!(dry_runs(&emu).is_empty(), "{:?}", dry_runs(&emu));

    // The page's PUT example: an in-place update, validated by a PUT dryRun.
    t.expect_plan(&config(case.update, ""), &[(X, &["update"])]);
    assert_eq!(dry_runs(&emu), [format!("PUT /integrations/{id}")]);
    t.apply(&config(case.update, ""));
    assert_eq!(only_id(&emu, ty), id, "updated in place");
    assert!(
        emu.handle()
            .request_count("PUT", &format!("/integrations/{id}"))
            >= 2
    );

    // Drift: changed out of band shows as a change, and apply restores it.
    if case.triggers {
        // A refresh-only plan reads the drift and runs no dryRun.
        emu.handle().clear_requests();
        let drifted = t.refresh_drift(|emu| change_out_of_band(emu, &id));
        assert_eq!(drifted, [X]);
        assert!(dry_runs(&emu).is_empty(), "{:?}", dry_runs(&emu));
        t.expect_plan(&config(case.update, ""), &[(X, &["update"])]);
        t.apply(&config(case.update, ""));
    }
    // Drift: deleted out of band plans a create.
    delete_out_of_band(&emu, &id);
    t.expect_plan(&config(case.update, ""), &[(X, &["create"])]);
    t.apply(&config(case.update, ""));
    let id = only_id(&emu, ty);

    // Import: forget it, import it by id. Only the secrets Immuta never
    // returns differ, and they plan one in-place update, never a
    // replacement. (`timeouts` is not imported: the configuration leaves it
    // out.)
    let imported = config_with(case.update, "", "");
    t.apply(&imported);
    // `delete_credentials` is imported as `{}` (its attributes null), which
    // plans nothing against an unset block.
    let mut not_imported = vec!["delete_credentials"];
    not_imported.extend(case.not_imported);
    not_imported.sort();
    assert_eq!(
        t.import_verify(X, &id),
        not_imported,
        "what import cannot read"
    );
    if case.not_imported.is_empty() {
        t.expect_empty_plan();
    } else {
        t.expect_plan(&imported, &[(X, &["update"])]);
        t.apply(&imported);
    }
    assert_eq!(only_id(&emu, ty), id);

    // A change of type replaces.
    t.expect_plan(&config(next.create, ""), &[(X, &["delete", "create"])]);
    t.apply(&config(next.create, ""));
    only_id(&emu, &next.ty);

    // Destroy leaves nothing, in the state or in Immuta.
    t.destroy();
}

fn run_case(index: usize) {
    let all = cases();
    let next = &all[(index + 1) % all.len()];
    for cli in clis() {
        let start = Instant::now();
        scenario(cli, &all[index], next);
        eprintln!(
            "{} on {}: {:?}",
            all[index].ty,
            cli.version,
            start.elapsed()
        );
    }
}

#[test]
fn snowflake_lifecycle() {
    run_case(0);
}

#[test]
fn databricks_lifecycle() {
    run_case(1);
}

#[test]
fn bigquery_lifecycle() {
    run_case(2);
}

#[test]
fn redshift_lifecycle() {
    run_case(3);
}

#[test]
fn azure_synapse_lifecycle() {
    run_case(4);
}

#[test]
fn s3_lifecycle() {
    run_case(5);
}

#[test]
fn trino_lifecycle() {
    run_case(6);
}

/// Snowflake's other authentication types: key pair (Immuta names the key
/// `PRIV_KEY_FILE`), then OAuth client credentials as an in-place update,
/// each with an empty second plan, and a destroy whose privileged
/// credentials come from the block.
#[test]
fn snowflake_key_pair_and_oauth() {
    let key_pair = r#"
  auto_bootstrap = true
  snowflake = {
    host                = "organization.us-east-1.snowflakecomputing.com"
    warehouse           = "SAMPLE_WAREHOUSE"
    database            = "SNOWFLAKE_SAMPLE_DATA"
    role                = "ACCOUNTADMIN"
    authentication_type = "keyPair"
    username            = "taylor@snowflake.com"
    private_key         = { user_filename = "rsa_key.p8", content = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----" }
  }"#;
    let oauth = r#"
  auto_bootstrap = true
  snowflake = {
    host                = "organization.us-east-1.snowflakecomputing.com"
    warehouse           = "SAMPLE_WAREHOUSE"
    database            = "SNOWFLAKE_SAMPLE_DATA"
    role                = "ACCOUNTADMIN"
    authentication_type = "oAuthClientCredentials"
    oauth_client_config = {
      provider      = "Okta"
      client_id     = "client-id"
      client_secret = "client-secret"
      authority_url = "https://organization.okta.com/oauth2/default"
      scope         = "session:role:ACCOUNTADMIN"
    }
  }"#;
    for cli in clis() {
        let emu = TestEmulator::start();
        let mut wd = Workdir::new(cli);
        wd.use_emulator(&emu);
        wd.write("main.tf", &config(key_pair, ""));
        wd.init().success();
        let out = wd.plan(&[]).success();
        assert!(out.stdout.contains("PRIV_KEY_FILE"), "{}", out.both());
        wd.apply(&[]).success();
        let id = only_id(&emu, &IntegrationType::Snowflake);
        let (code, out) = wd.plan_exit_code();
        assert_eq!(code, 0, "{}", out.both());
        wd.write("main.tf", &config(oauth, ""));
        wd.apply(&[]).success();
        assert_eq!(only_id(&emu, &IntegrationType::Snowflake), id);
        let (code, out) = wd.plan_exit_code();
        assert_eq!(code, 0, "{}", out.both());
        wd.destroy().success();
        assert!(emu.integrations().is_empty());
    }
}

/// Issue 15: the create-twice guard lists the integrations once per
/// provider process, not once per create. `terraform apply` starts the
/// provider once for its plan walk (which creates nothing, so lists
/// nothing) and once for its apply walk, where all 200 creates (ten at a
/// time) share one snapshot: one `GET /integrations` for the command,
/// whatever N, and none in the plan after it. On every CLI.
#[test]
fn an_apply_of_200_creates_lists_the_integrations_once() {
    for cli in clis() {
        apply_200_creates_on(cli);
    }
}

fn apply_200_creates_on(cli: &TerraformCli) {
    let emu = TestEmulator::with(|b| b.transition_delay(Duration::ZERO));
    let mut wd = Workdir::new(cli);
    wd.use_emulator(&emu);
    wd.write(
        "main.tf",
        &format!(
            r#"{}
provider "immuta" {{}}

resource "immuta_integration" "x" {{
  count          = 200
  auto_bootstrap = false
  s3 = {{
    name                = "bucket-${{count.index}}"
    aws_account_id      = "123456789012"
    aws_region          = "us-east-1"
    aws_location_role   = "arn:aws:iam::123456789012:role/access-grants"
    aws_location_path   = "s3://bucket-${{count.index}}/"
    authentication_type = "auto"
    aws_role_to_assume  = "arn:aws:iam::123456789012:role/immuta"
  }}
}}
"#,
            required_providers()
        ),
    );
    wd.init().success();
    let lists = || emu.handle().request_count("GET", "/integrations");
    wd.apply(&["-parallelism=10"]).success();
    assert_eq!(emu.integrations().len(), 200);
    let creates = emu
        .handle()
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/integrations" && !r.is_dry_run())
        .count();
    assert_eq!(creates, 200, "one POST per create");
    assert_eq!(lists(), 1, "one list for the whole apply");
    let (code, out) = wd.plan_exit_code();
    assert_eq!(code, 0, "{}", out.both());
    assert_eq!(lists(), 1, "a plan lists nothing");
    wd.destroy().success();
}
