//! End-to-end: `immuta_connection` for each technology on every CLI:
//! the set-up script step (Snowflake, Databricks), create, an empty second
//! plan, an in-place update of the block and of the root's settings, drift
//! on a setting changed outside Terraform, import by connection key, and a
//! destroy in Immuta's order (removal script, then `DELETE /data/object`)
//! that warns the user to run the removal script. Then every connection
//! guess's non-default switch (`Guesses::connection_variants()`) on the
//! newest CLI.

use crate::support;

use immuta_api::connection::{Activation, ObjectSettings};
use immuta_api::{IntegrationPayload, IntegrationType, ScriptKind};
use immuta_client::{wait_for_job, ClientConfig, ImmutaClient, WaitOptions};
use immuta_emulator::Guesses;
use std::time::Duration;
use support::steps::Steps;
use support::{clis, required_providers, TerraformCli, TestEmulator, Workdir};

/// The resource every scenario manages.
const X: &str = "immuta_connection.x";

/// One technology's scenario.
struct Case {
    /// The connection key.
    key: &'static str,
    /// The technology attribute's name.
    block: &'static str,
    /// Its body; `{step}` is filled in (`a`, then `b` for the update).
    body: &'static str,
    /// Whether it has set-up and removal scripts.
    scripts: bool,
    /// The secrets Immuta never returns (null after an import).
    secrets: &'static [&'static str],
}

const CASES: [Case; 3] = [
    Case {
        key: "sf-conn",
        block: "snowflake",
        body: r#"{
    host                = "conn.us-east-1.snowflakecomputing.com"
    warehouse           = "WH_{step}"
    database            = "IMMUTA_DB"
    role                = "IMMUTA_ROLE"
    authentication_type = "userPassword"
    username            = "immuta_system"
    password            = "sf-secret-pw"
  }"#,
        scripts: true,
        secrets: &["snowflake.password", "snowflake.username"],
    },
    Case {
        key: "dbx-conn",
        block: "databricks",
        body: r#"{
    workspace_url       = "conn.cloud.databricks.com"
    http_path           = "/sql/1.0/warehouses/{step}"
    authentication_type = "token"
    token               = "dapi-conn-token"
    catalog             = "immuta"
  }"#,
        scripts: true,
        secrets: &["databricks.token"],
    },
    Case {
        key: "lf-conn",
        block: "lake_formation",
        body: r#"{
    aws_account_id        = "123456789012"
    aws_region            = "us-east-1"
    authentication_type   = "accessKey"
    aws_access_key_id     = "AKIACONN{step}"
    aws_secret_access_key = "aws-conn-secret"
  }"#,
        scripts: false,
        secrets: &["lake_formation.aws_secret_access_key"],
    },
];

impl Case {
    /// The configuration at `step`, the root active or not.
    fn config(&self, step: &str, active: bool) -> String {
        let body = self.body.replace("{step}", step);
        let (block, key) = (self.block, self.key);
        // The set-up script step: generated from the same block, before the
        // connection is created.
        let script = if self.scripts {
            format!(
                r#"
data "immuta_integration_script" "setup" {{
  action         = "create"
  auto_bootstrap = false
  {block} = {body}
}}
"#
            )
        } else {
            String::new()
        };
        let depends = if self.scripts {
            "\n  depends_on = [data.immuta_integration_script.setup]"
        } else {
            ""
        };
        format!(
            r#"{}
provider "immuta" {{}}
{script}
resource "immuta_connection" "x" {{
  connection_key = "{key}"
  {block} = {body}
  settings = {{
    is_active = {active}
  }}{depends}
}}
"#,
            required_providers()
        )
    }
}

fn client(emu: &TestEmulator) -> ImmutaClient {
    ImmutaClient::new(ClientConfig::new(emu.url(), emu.api_key())).expect("client")
}

/// Sets the root's `isActive` through the API, as someone in Immuta's UI
/// would, and waits for its bulk job.
fn set_active_out_of_band(emu: &TestEmulator, key: &str, active: bool) {
    let c = client(emu);
    let path = [key.to_string()];
    emu.block_on(async move {
        let body = ObjectSettings {
            is_active: Some(Activation::from(active)),
            ..Default::default()
        };
        let answer = c.set_object_settings(&path, &body).await.expect("settings");
        if let Some(bulk) = answer.bulk_id {
            let opts = WaitOptions::new(Duration::from_secs(10), Default::default());
            wait_for_job(&c, bulk.as_str(), opts).await.expect("job");
        }
    });
}

/// The removal script Immuta generates for integration `id`.
fn removal_script(emu: &TestEmulator, id: &str) -> String {
    let c = client(emu);
    let payload = IntegrationPayload {
        integration_type: IntegrationType::Other(String::new()),
        auto_bootstrap: Some(false),
        config: None,
    };
    emu.block_on(async move { c.script(ScriptKind::Delete, Some(id), &payload).await })
        .expect("the removal script")
}

/// The requests that changed something (not GET), as `METHOD path`.
fn writes(emu: &TestEmulator) -> Vec<String> {
    emu.handle()
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

fn scenario(cli: &TerraformCli, case: &Case) {
    let emu = TestEmulator::start();
    let mut wd = Workdir::new(cli);
    wd.use_emulator(&emu);
    let mut t = Steps::new(wd, &emu);

    // Create (after the script step), and an empty second plan.
    emu.handle().clear_requests();
    t.apply(&case.config("a", true));
    let v = t.resource(X);
    assert_eq!(v["id"], case.key, "{v}");
    assert_eq!(v["connection_key"], case.key);
    assert_eq!(v["settings"]["is_active"], true, "{v}");
    let native_id = v["native_integration_id"]
        .as_str()
        .unwrap_or_else(|| panic!("native_integration_id in {v}"))
        .to_string();
    let w = writes(&emu);
    if case.scripts {
        let script = w
            .iter()
            .position(|r| r == "POST /integrations/scripts/create");
        let create = w.iter().position(|r| r == "POST /data/connection");
        assert!(script.is_some() && script < create, "{w:?}");
    } else {
        assert_eq!(w, ["POST /data/connection"]);
    }
    assert_eq!(emu.integrations().len(), 1, "the native integration");

    // An in-place update of the block and of the settings.
    t.expect_plan(&case.config("b", false), &[(X, &["update"])]);
    emu.handle().clear_requests();
    t.apply(&case.config("b", false));
    let w = writes(&emu);
    assert!(
        w.contains(&format!("PUT /data/connection/{}", case.key)),
        "{w:?}"
    );
    assert!(
        w.contains(&format!("PUT /data/settings/{}", case.key)),
        "{w:?}"
    );
    let v = t.resource(X);
    assert_eq!(v["settings"]["is_active"], false);
    assert_eq!(v["native_integration_id"], native_id.as_str());

    // Drift on a setting, then put back by the next apply.
    let drift = t.refresh_drift(|emu| set_active_out_of_band(emu, case.key, true));
    assert_eq!(drift, [X]);
    t.expect_plan(&case.config("b", false), &[(X, &["update"])]);
    t.apply(&case.config("b", false));

    // Import by key: everything but the secrets Immuta never returns.
    let mut diff = t.import_verify(X, case.key);
    diff.retain(|d| !d.starts_with("timeouts"));
    let mut want: Vec<String> = case.secrets.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(diff, want, "after import");
    // The configuration sets them again: one in-place update.
    t.expect_plan(&case.config("b", false), &[(X, &["update"])]);
    t.apply(&case.config("b", false));

    // Destroy in Immuta's order, with the removal script handed over.
    let script = case.scripts.then(|| removal_script(&emu, &native_id));
    emu.handle().clear_requests();
    let out = t.wd.destroy().success();
    let mut w = writes(&emu);
    // The destroy's refresh reads the set-up script data source again.
    w.retain(|r| r != "POST /integrations/scripts/create");
    let delete = format!("DELETE /data/object/{}", case.key);
    if case.scripts {
        assert_eq!(
            w,
            [
                format!("POST /integrations/{native_id}/scripts/delete"),
                delete
            ]
        );
        let text = out.both();
        assert!(text.contains("removal script"), "{text}");
        let line = script
            .as_deref()
            .and_then(|s| s.lines().find(|l| l.len() > 10));
        let line = line.expect("a removal script");
        assert!(!text.contains(line), "the script is never printed:\n{text}");
    } else {
        assert_eq!(w, [delete]);
    }
    assert!(t.state().is_empty(), "state after destroy");
    assert!(emu.integrations().is_empty(), "{:?}", emu.integrations());
}

#[test]
fn snowflake_lifecycle() {
    for cli in clis() {
        scenario(cli, &CASES[0]);
    }
}

#[test]
fn databricks_lifecycle() {
    for cli in clis() {
        scenario(cli, &CASES[1]);
    }
}

#[test]
fn lake_formation_lifecycle() {
    for cli in clis() {
        scenario(cli, &CASES[2]);
    }
}

/// All three connections in one configuration.
fn all_three(step: &str, active: bool) -> String {
    let mut out = format!("{}\nprovider \"immuta\" {{}}\n", required_providers());
    for c in &CASES {
        let body = c.body.replace("{step}", step);
        out.push_str(&format!(
            r#"
resource "immuta_connection" "{name}" {{
  connection_key = "{key}"
  {block} = {body}
  settings = {{
    is_active = {active}
  }}
}}
"#,
            name = c.block,
            key = c.key,
            block = c.block,
        ));
    }
    out
}

#[test]
fn every_connection_guess_on_the_newest_cli() {
    let Some(cli) = clis().iter().max_by_key(|c| c.minor()) else {
        return;
    };
    for (name, guesses) in Guesses::connection_variants() {
        let emu = TestEmulator::with(|b| b.guesses(guesses));
        let mut wd = Workdir::new(cli);
        wd.use_emulator(&emu);
        let mut t = Steps::new(wd, &emu);
        let state = t.apply(&all_three("a", true));
        assert_eq!(state.len(), 3, "{name}: {state:?}");
        for c in &CASES {
            let v = &state[&format!("immuta_connection.{}", c.block)];
            assert_eq!(v["settings"]["is_active"], true, "{name}: {v}");
            assert!(v["native_integration_id"].is_string(), "{name}: {v}");
        }
        t.expect_plan(
            &all_three("b", false),
            &[
                ("immuta_connection.snowflake", &["update"]),
                ("immuta_connection.databricks", &["update"]),
                ("immuta_connection.lake_formation", &["update"]),
            ],
        );
        t.apply(&all_three("b", false));
        let diff = t.import_verify("immuta_connection.databricks", "dbx-conn");
        assert_eq!(diff, ["databricks.token"], "{name}");
        t.apply(&all_three("b", false));
        t.destroy();
    }
}

/// A Snowflake connection, the children of two of its paths, and the
/// settings of one database, `active` or not.
fn objects_config(active: bool) -> String {
    format!(
        r#"{}
provider "immuta" {{}}

resource "immuta_connection" "x" {{
  connection_key = "{key}"
  snowflake = {body}
}}

data "immuta_connection_objects" "databases" {{
  path       = [immuta_connection.x.connection_key]
  depends_on = [immuta_connection.x]
}}

data "immuta_connection_objects" "orders" {{
  path        = [immuta_connection.x.connection_key, "ANALYTICS", "PUBLIC"]
  search_text = "ord"
  depends_on  = [immuta_connection.x]
}}

resource "immuta_connection_settings" "analytics" {{
  path      = [immuta_connection.x.connection_key, "ANALYTICS"]
  is_active = {active}

  data_owner {{
    type = "group"
    name = "stewards"
  }}
}}

output "databases" {{
  value = [for o in data.immuta_connection_objects.databases.objects : o.name]
}}

output "orders" {{
  value = [for o in data.immuta_connection_objects.orders.objects : o.path]
}}
"#,
        required_providers(),
        key = CASES[0].key,
        body = CASES[0].body.replace("{step}", "a"),
    )
}

/// The settings set on `path` itself, as Immuta answers them.
fn overrides(emu: &TestEmulator, path: &[&str]) -> ObjectSettings {
    let c = client(emu);
    let path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
    emu.block_on(async move { c.get_object(&path).await })
        .expect("the object")
        .overrides
        .unwrap_or_default()
}

#[test]
fn objects_and_the_settings_of_a_path() {
    const S: &str = "immuta_connection_settings.analytics";
    for cli in clis() {
        let emu = TestEmulator::start();
        let mut wd = Workdir::new(cli);
        wd.use_emulator(&emu);
        let mut t = Steps::new(wd, &emu);

        t.apply(&objects_config(true));
        let out = t.wd.run(&["output", "-json"]).success();
        let outputs: serde_json::Value = serde_json::from_str(&out.stdout).expect("outputs");
        assert_eq!(
            outputs["databases"]["value"],
            serde_json::json!(["ANALYTICS", "RAW"])
        );
        assert_eq!(
            outputs["orders"]["value"],
            serde_json::json!([["sf-conn", "ANALYTICS", "PUBLIC", "ORDERS"]])
        );
        let own = overrides(&emu, &["sf-conn", "ANALYTICS"]);
        assert_eq!(own.is_active, Some(Activation::Enable));
        assert_eq!(own.data_owners.map(|o| o.len()), Some(1));
        assert_eq!(t.resource(S)["id"], "sf-conn/ANALYTICS");

        // An update in place, then drift made in Immuta, put back.
        t.expect_plan(&objects_config(false), &[(S, &["update"])]);
        t.apply(&objects_config(false));
        assert_eq!(
            overrides(&emu, &["sf-conn", "ANALYTICS"]).is_active,
            Some(Activation::Disable)
        );
        let drift = t.refresh_drift(|emu| {
            let c = client(emu);
            let path = vec!["sf-conn".to_string(), "ANALYTICS".to_string()];
            emu.block_on(async move {
                let body = ObjectSettings {
                    is_active: Some(Activation::Enable),
                    ..Default::default()
                };
                let answer = c.set_object_settings(&path, &body).await.expect("settings");
                let bulk = answer.bulk_id.expect("a job");
                let opts = WaitOptions::new(Duration::from_secs(10), Default::default());
                wait_for_job(&c, bulk.as_str(), opts).await.expect("job");
            })
        });
        assert_eq!(drift, [S]);
        t.apply(&objects_config(false));

        // Import by the path joined with `/`: nothing differs.
        assert_eq!(
            t.import_verify(S, "sf-conn/ANALYTICS"),
            Vec::<String>::new()
        );

        // Destroy: the path's own setting is dropped, then the connection.
        t.destroy();
    }
}

/// The Snowflake block the migration guide's scenario uses.
const MIGRATED_BLOCK: &str = r#"{
    host                = "migrated.us-east-1.snowflakecomputing.com"
    warehouse           = "IMMUTA_WAREHOUSE"
    database            = "IMMUTA_SYSTEM"
    role                = "IMMUTA_SYSTEM_ROLE"
    authentication_type = "userPassword"
    username            = "IMMUTA_SYSTEM_ACCOUNT"
    password            = "migrated-pw"
  }"#;

/// Registers, as Immuta does when it turns connections on, the connection
/// `snowflake-prod` whose native integration is the integration the
/// state manages; answers that integration's id.
fn migrated_connection(emu: &TestEmulator) -> String {
    let c = client(emu);
    let body: immuta_api::connection::ConnectionPayload =
        serde_json::from_value(serde_json::json!({
            "connectionKey": "snowflake-prod",
            "connection": {
                "technology": "Snowflake",
                "hostname": "migrated.us-east-1.snowflakecomputing.com",
                "warehouse": "IMMUTA_WAREHOUSE", "role": "IMMUTA_SYSTEM_ROLE",
                "authenticationType": "userPassword",
                "username": "IMMUTA_SYSTEM_ACCOUNT", "password": "migrated-pw"
            },
            "nativeIntegration": {"type": "Snowflake", "autoBootstrap": false,
                                  "config": {"database": "IMMUTA_SYSTEM"}}
        }))
        .expect("a connection body");
    emu.block_on(async move {
        c.create_connection(&body).await.expect("the connection");
        let found = c.get_connection("snowflake-prod").await.expect("read");
        let id = found.native_integration_id.expect("native id");
        let opts = WaitOptions::new(Duration::from_secs(10), Default::default());
        immuta_client::wait_for(&c, id.as_str(), immuta_client::WaitTarget::Enabled, opts)
            .await
            .expect("enabled");
        id.as_str().to_string()
    })
}

/// The configuration before the move: the integration.
fn before_move() -> String {
    format!(
        r#"{}
provider "immuta" {{}}

resource "immuta_integration" "snowflake" {{
  auto_bootstrap = false
  snowflake = {MIGRATED_BLOCK}
}}
"#,
        required_providers()
    )
}

/// The configuration after the move: the connection, with the guide's
/// `removed` and `import` blocks when `blocks` is set.
fn after_move(blocks: bool) -> String {
    let moves = if blocks {
        r#"
removed {
  from = immuta_integration.snowflake

  lifecycle {
    destroy = false
  }
}

import {
  to = immuta_connection.snowflake
  id = "snowflake-prod"
}
"#
    } else {
        ""
    };
    format!(
        r#"{}
provider "immuta" {{}}
{moves}
resource "immuta_connection" "snowflake" {{
  connection_key = "snowflake-prod"
  snowflake = {MIGRATED_BLOCK}
}}
"#,
        required_providers()
    )
}

/// `docs/guides/connections-or-integrations.md`'s steps, exactly: the
/// `removed` and `import` blocks on Terraform 1.7 and later, `state rm`
/// and `import` before; no request changes the integration (no POST, PUT
/// or DELETE under `/integrations`, no DELETE at all), and the connection
/// keeps its native integration.
#[test]
fn the_guides_migration_touches_nothing() {
    let guide = include_str!("../../docs/guides/connections-or-integrations.md");
    for step in [
        "from = immuta_integration.snowflake",
        "destroy = false",
        "to = immuta_connection.snowflake",
        "terraform state rm immuta_integration.snowflake",
        "terraform import immuta_connection.snowflake snowflake-prod",
    ] {
        assert!(guide.contains(step), "the guide no longer says {step:?}");
    }
    for cli in clis() {
        let emu = TestEmulator::start();
        let native_id = migrated_connection(&emu);
        let mut wd = Workdir::new(cli);
        wd.use_emulator(&emu);
        let mut t = Steps::new(wd, &emu);
        // The state before: the integration, managed as it always was.
        t.config(&before_move());
        t.wd.run(&[
            "import",
            "-input=false",
            "-no-color",
            "immuta_integration.snowflake",
            &native_id,
        ])
        .success();
        t.apply(&before_move());

        emu.handle().clear_requests();
        if cli.at_least(1, 7) {
            t.config(&after_move(true));
            let plan = t.plan(&[]);
            // Forgotten, not destroyed; imported, and its secrets sent again.
            let changes = plan.changes();
            assert_eq!(
                changes.get("immuta_integration.snowflake"),
                Some(&vec!["forget".to_string()]),
                "{}",
                plan.output.both()
            );
            assert_eq!(
                changes.get("immuta_connection.snowflake"),
                Some(&vec!["update".to_string()]),
                "{}",
                plan.output.both()
            );
            assert_eq!(plan.importing(), ["immuta_connection.snowflake"]);
            t.apply(&after_move(true));
        } else {
            t.config(&after_move(false));
            t.wd.run(&["state", "rm", "immuta_integration.snowflake"])
                .success();
            t.wd.run(&[
                "import",
                "-input=false",
                "-no-color",
                "immuta_connection.snowflake",
                "snowflake-prod",
            ])
            .success();
            t.apply(&after_move(false));
        }
        let touched: Vec<String> = writes(&emu)
            .into_iter()
            .filter(|r| r.contains("/integrations") || r.starts_with("DELETE"))
            .collect();
        assert!(touched.is_empty(), "{}: {touched:?}", cli.version);
        let state = t.state();
        assert_eq!(
            state.keys().collect::<Vec<_>>(),
            ["immuta_connection.snowflake"]
        );
        assert_eq!(
            state["immuta_connection.snowflake"]["native_integration_id"],
            native_id.as_str()
        );
        let ids: Vec<String> = emu
            .integrations()
            .iter()
            .map(|i| i.id.as_str().to_string())
            .collect();
        assert_eq!(ids, [native_id.as_str()], "{}", cli.version);
        t.destroy();
    }
}
