//! End-to-end: `immuta_integration_api_key` regenerates a Trino
//! integration's key on create and on a change of `triggers`, imports, shows
//! a key rotated outside Terraform, and refuses a type without a key at
//! plan time.

use crate::support;

use immuta_api::{IntegrationConfig, IntegrationPayload, IntegrationType};
use immuta_client::{ClientConfig, ImmutaClient};
use support::{clis, required_providers, TestEmulator, Workdir};

fn client(emu: &TestEmulator) -> ImmutaClient {
    ImmutaClient::new(ClientConfig::new(emu.url(), emu.api_key())).expect("client")
}

/// Creates an integration directly in the emulator and waits until enabled.
fn create(emu: &TestEmulator, payload: IntegrationPayload) -> String {
    let c = client(emu);
    emu.block_on(async move {
        let r = c.create(&payload, false).await.expect("create");
        let id = r.id.expect("id").0;
        for _ in 0..200 {
            if c.status(&id).await.expect("status").status
                == Some(immuta_api::IntegrationStatus::Enabled)
            {
                return id;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("integration {id} never became enabled")
    })
}

fn trino() -> IntegrationPayload {
    IntegrationPayload {
        integration_type: IntegrationType::Trino,
        auto_bootstrap: None,
        config: None,
    }
}

fn current_key(emu: &TestEmulator, id: &str) -> String {
    let c = client(emu);
    let id = id.to_string();
    emu.block_on(async move {
        match c.get(&id).await.expect("get").config {
            Some(IntegrationConfig::Trino(t)) => t.api_key.expect("key").expose().to_string(),
            other => panic!("not a Trino config: {other:?}"),
        }
    })
}

fn config(id: &str, rotation: &str) -> String {
    format!(
        r#"{}
resource "immuta_integration_api_key" "starburst" {{
  integration_id = "{id}"
  triggers = {{
    rotation = "{rotation}"
  }}
}}

output "key" {{
  value     = immuta_integration_api_key.starburst.api_key
  sensitive = true
}}
"#,
        required_providers()
    )
}

fn state_key(w: &Workdir) -> String {
    let state = w.show_json();
    let res = &state["values"]["root_module"]["resources"][0]["values"];
    res["api_key"]
        .as_str()
        .expect("api_key in state")
        .to_string()
}

#[test]
fn create_rotate_import_and_drift() {
    let emu = TestEmulator::start();
    let id = create(&emu, trino());
    for cli in clis() {
        let mut w = Workdir::new(cli);
        w.use_emulator(&emu);
        let before = current_key(&emu, &id);

        w.write("main.tf", &config(&id, "q1"));
        w.init().success();
        let apply = w.apply(&[]).success();
        let key1 = state_key(&w);
        assert_ne!(key1, before, "create regenerates the key");
        assert_eq!(
            key1,
            current_key(&emu, &id),
            "state holds Immuta's current key"
        );
        assert!(
            !apply.both().contains(&key1),
            "the key is sensitive and must not be printed:\n{}",
            apply.both()
        );
        let (code, out) = w.plan_exit_code();
        assert_eq!(code, 0, "second plan must be empty:\n{}", out.both());
        // The plan-time type check is for creates and replacements only: a
        // plan without changes (and without refresh) sends nothing.
        emu.handle().clear_requests();
        let out = w.plan(&["-refresh=false", "-detailed-exitcode"]);
        assert_eq!(out.code, 0, "{}", out.both());
        assert!(
            emu.handle().requests().is_empty(),
            "{:?}",
            emu.handle().requests()
        );

        // Rotation: a change of triggers regenerates the key in place.
        w.write("main.tf", &config(&id, "q2"));
        let plan = w.plan(&[]).success();
        assert!(plan.stdout.contains("1 to change"), "{}", plan.both());
        w.apply(&[]).success();
        let key2 = state_key(&w);
        assert_ne!(key2, key1);
        assert_eq!(key2, current_key(&emu, &id));

        // A key rotated outside Terraform is read back.
        let c = client(&emu);
        let id2 = id.clone();
        emu.block_on(async move { c.regenerate(&id2).await.expect("regenerate") });
        let outside = current_key(&emu, &id);
        w.run(&[
            "apply",
            "-refresh-only",
            "-auto-approve",
            "-no-color",
            "-input=false",
        ])
        .success();
        assert_eq!(state_key(&w), outside);

        // Import by integration id, then a matching config plans no change
        // but the triggers (which only live in Terraform): one in-place update.
        let imported = Workdir::new(cli);
        let mut imported = imported;
        imported.use_emulator(&emu);
        imported.write("main.tf", &config(&id, "q2"));
        imported.init().success();
        imported
            .run(&[
                "import",
                "-no-color",
                "-input=false",
                "immuta_integration_api_key.starburst",
                &id,
            ])
            .success();
        assert_eq!(state_key(&imported), current_key(&emu, &id));

        w.destroy().success();
        assert!(
            emu.integrations().iter().any(|i| i.id.as_str() == id),
            "destroying the key resource leaves the integration"
        );
    }
}

#[test]
fn a_type_without_a_key_and_a_missing_id_are_refused() {
    let emu = TestEmulator::start();
    let snowflake: IntegrationPayload = serde_json::from_value(serde_json::json!({
        "type": "Snowflake", "autoBootstrap": true,
        "config": {"host": "keytest.us-east-1.snowflakecomputing.com", "warehouse": "W",
                   "database": "D", "role": "ACCOUNTADMIN", "authenticationType": "userPassword",
                   "username": "u", "password": "p"}
    }))
    .unwrap();
    let sf = create(&emu, snowflake);
    for cli in clis() {
        let mut w = Workdir::new(cli);
        w.use_emulator(&emu);
        w.write("main.tf", &config(&sf, "q1"));
        w.init().success();
        // Refused at plan time, naming the attribute and the type found,
        // with one GET and no regeneration.
        emu.handle().clear_requests();
        let out = w.plan(&[]).failure_with(&[
            "integration_id: expected the id of a Starburst (Trino) integration",
            "a Snowflake integration",
            "on main.tf line",
        ]);
        assert!(
            out.both().contains("integration_id = "),
            "points at the attribute: {}",
            out.both()
        );
        let requests = emu.handle().requests();
        assert_eq!(requests.len(), 1, "{requests:?}");
        assert_eq!(requests[0].method, "GET");
        assert_eq!(requests[0].path, format!("/integrations/{sf}"));
        w.apply(&[]).failure_with(&["a Snowflake integration"]);
        assert!(emu
            .handle()
            .requests()
            .iter()
            .all(|r| !r.path.ends_with("/regenerate")));

        let mut w = Workdir::new(cli);
        w.use_emulator(&emu);
        w.write("main.tf", &config("424242", "q1"));
        w.init().success();
        w.plan(&[]).failure_with(&[
            "integration_id: expected the id of an existing integration, got \"424242\"",
            "404",
        ]);
    }
}

#[test]
fn an_id_unknown_at_plan_time_is_not_checked_and_applies() {
    // `integration_id` from a resource created in the same apply is unknown
    // at plan time: nothing to check then, and the apply works.
    let emu = TestEmulator::start();
    for cli in clis() {
        let mut w = Workdir::new(cli);
        w.use_emulator(&emu);
        w.write(
            "main.tf",
            &format!(
                "{}\nresource \"immuta_integration\" \"starburst\" {{\n  trino = {{}}\n}}\n\n\
                 resource \"immuta_integration_api_key\" \"starburst\" {{\n  integration_id = \
                 immuta_integration.starburst.id\n}}\n",
                required_providers()
            ),
        );
        w.init().success();
        w.apply(&[]).success();
        w.destroy().success();
    }
}
