//! Statuses, dry runs, duplicates, failing validation, delete rules,
//! redaction and defaults, regenerate, scripts, authentication and ids.

mod common;

use common::payloads::*;
use common::{send, start, Client};
use immuta_emulator::Emulator;
use serde_json::{json, Value};
use std::time::Duration;

async fn start_with_delay(ms: u64) -> (immuta_emulator::RunningEmulator, Client) {
    let emu = Emulator::builder()
        .api_key("k")
        .transition_delay(Duration::from_millis(ms))
        .start()
        .await
        .unwrap();
    let c = Client::new(&emu);
    (emu, c)
}

fn sf_creds() -> Value {
    json!({"authenticationType": "userPassword", "username": "admin", "password": "s3cret-pw", "role": "ACCOUNTADMIN"})
}

#[tokio::test]
async fn statuses_move_on_after_the_delay_and_get_agrees_with_status() {
    let (_emu, c) = start_with_delay(300).await;
    let id = c.create(&snowflake("a.snowflakecomputing.com")).await;
    let path = format!("/integrations/{id}");
    assert_eq!(c.get(&path).await.json()["status"], "creating");
    assert_eq!(
        c.get(&format!("{path}/status")).await.json()["status"],
        "creating"
    );
    let st = c.wait_for(&id, "enabled").await;
    assert_eq!(st["id"], json!(id));
    assert_eq!(st["validationResults"]["status"], "passed");
    assert_eq!(c.get(&path).await.json()["status"], "enabled");

    let r = c.put(&path, &snowflake("a.snowflakecomputing.com")).await;
    assert_eq!(r.json()["status"], "editing");
    assert_eq!(c.get(&path).await.json()["status"], "editing");
    c.wait_for(&id, "enabled").await;

    let r = c.delete(&path, Some(&sf_creds())).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "deleting");
    assert_eq!(c.get(&path).await.json()["status"], "deleting");
    assert_eq!(
        c.get("/integrations")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    c.wait_for(&id, "gone").await;
    assert_eq!(c.get(&path).await.status, 404);
    assert_eq!(c.get("/integrations").await.json(), json!([]));
}

#[tokio::test]
async fn zero_delay_settles_at_once() {
    let (_emu, c) = start().await;
    let r = c.post("/integrations", &trino()).await;
    assert_eq!(
        r.json()["status"],
        "creating",
        "POST always answers creating"
    );
    let id = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(
        c.get(&format!("/integrations/{id}")).await.json()["status"],
        "enabled"
    );
}

#[tokio::test]
async fn operations_while_busy_are_refused_and_a_repeated_delete_is_harmless() {
    let (_emu, c) = start_with_delay(400).await;
    let id = c.create(&databricks("busy.cloud.databricks.com")).await;
    let path = format!("/integrations/{id}");
    let r = c.put(&path, &databricks("busy.cloud.databricks.com")).await;
    assert_eq!(r.status, 409);
    assert!(r.error_message().contains("is creating"));
    assert_eq!(c.delete(&path, None).await.status, 409);
    c.wait_for(&id, "enabled").await;
    assert_eq!(c.delete(&path, None).await.json()["status"], "deleting");
    let again = c.delete(&path, None).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["status"], "deleting");
    c.wait_for(&id, "gone").await;
}

#[tokio::test]
async fn configured_failures_end_in_error_statuses() {
    let (_emu, c) = start().await;
    let mut p = snowflake("fail-create.snowflakecomputing.com");
    let id = c.create(&p).await;
    let st = c.wait_for(&id, "createError").await;
    assert_eq!(st["validationResults"]["status"], "failed");
    assert_eq!(
        c.get(&format!("/integrations/{id}")).await.json()["status"],
        "createError"
    );

    p = databricks("w.cloud.databricks.com");
    let id = c.create(&p).await;
    c.wait_for(&id, "enabled").await;
    let mut edit = p.clone();
    edit["config"]["catalog"] = json!("immuta_fail-edit");
    assert_eq!(
        c.put(&format!("/integrations/{id}"), &edit).await.status,
        200
    );
    c.wait_for(&id, "editError").await;
    // An editError integration can be edited again.
    assert_eq!(c.put(&format!("/integrations/{id}"), &p).await.status, 200);
    c.wait_for(&id, "enabled").await;

    let id = c.create(&s3("bucket fail-delete", "s3://fd/")).await;
    c.wait_for(&id, "enabled").await;
    assert_eq!(
        c.delete(&format!("/integrations/{id}"), None).await.status,
        200
    );
    c.wait_for(&id, "deleteError").await;
    // forceDisable removes it anyway.
    let r = c
        .delete(&format!("/integrations/{id}?forceDisable=true"), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    c.wait_for(&id, "gone").await;
}

#[tokio::test]
async fn failing_validation_is_422_and_creates_nothing_while_dry_run_shows_the_test() {
    let (emu, c) = start().await;
    let bad = snowflake("unreachable.snowflakecomputing.com");
    let r = c.post("/integrations", &bad).await;
    assert_eq!(r.status, 422);
    let m = r.error_message();
    assert!(
        m.starts_with("Validation of prerequisite setup failed. Unable to create integration."),
        "{m}"
    );
    assert!(m.contains("Initial Validation: Basic Connection Test"));
    assert_eq!(r.json()["error"], "Unprocessable entity");
    assert!(emu.integrations().await.is_empty());

    let r = c.post("/integrations?dryRun=true", &bad).await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["validationResults"]["status"], "failed");
    let tests = v["validationResults"]["validationTests"]
        .as_array()
        .unwrap();
    assert_eq!(
        tests[0]["name"],
        "Initial Validation: Basic Connection Test"
    );
    assert_eq!(tests[0]["status"], "failed");
    assert!(tests[0]["message"].is_string());
    assert!(tests[1..].iter().all(|t| t["status"] == "skipped"));

    // Databricks: the workspace URL trigger, and the metastore failure's own message.
    let r = c
        .post(
            "/integrations",
            &databricks("unreachable.cloud.databricks.com"),
        )
        .await;
    assert_eq!(r.status, 422);
    let r = c
        .post(
            "/integrations",
            &databricks("no-metastore.cloud.databricks.com"),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.error_message(),
        "Processing Error: Error trying to get the current metastore info."
    );
    // S3: a role that is not an IAM role ARN fails its test.
    let mut s = s3("n", "s3://arn/");
    s["config"]["awsLocationRole"] = json!("arn:aws:iam::123:user/bob");
    let r = c.post("/integrations", &s).await;
    assert_eq!(r.status, 422);
    assert!(r.error_message().contains("valid ARN format"));
    assert!(emu.integrations().await.is_empty());
    // Roles of the other AWS partitions are roles too.
    for (i, role) in [
        "arn:aws-us-gov:iam::123456789012:role/x",
        "arn:aws-cn:iam::123456789012:role/x",
    ]
    .into_iter()
    .enumerate()
    {
        let mut s = s3(&format!("partition-{i}"), &format!("s3://partition-{i}/"));
        s["config"]["awsLocationRole"] = json!(role);
        let r = c.post("/integrations?dryRun=true", &s).await;
        assert_eq!(r.status, 200, "{role}: {}", r.text());
        assert_eq!(r.json()["validationResults"]["status"], "passed", "{role}");
    }

    // A warning lets the create go on.
    let r = c
        .post("/integrations", &redshift("warning.redshift.amazonaws.com"))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["validationResults"]["status"], "warning");
    let v = r.json();
    let warned = v["validationResults"]["validationTests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["status"] == "warning")
        .count();
    assert_eq!(warned, 1);

    // An update that fails validation changes nothing.
    let id = r.json()["id"].as_str().unwrap().to_string();
    c.wait_for(&id, "enabled").await;
    let r = c
        .put(
            &format!("/integrations/{id}"),
            &redshift("unreachable.redshift.amazonaws.com"),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.error_message().contains("Unable to update integration"));
    let now = c.get(&format!("/integrations/{id}")).await.json();
    assert_eq!(now["config"]["host"], "warning.redshift.amazonaws.com");
    assert_eq!(now["status"], "enabled");
}

#[tokio::test]
async fn dry_run_changes_nothing_on_post_put_and_delete() {
    let (emu, c) = start().await;
    let r = c
        .post(
            "/integrations?dryRun=true",
            &snowflake("d.snowflakecomputing.com"),
        )
        .await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert!(v.get("id").is_none() && v.get("status").is_none(), "{v}");
    assert_eq!(v["validationResults"]["status"], "passed");
    assert!(emu.integrations().await.is_empty());

    let id = c.create(&snowflake("d.snowflakecomputing.com")).await;
    c.wait_for(&id, "enabled").await;
    let path = format!("/integrations/{id}");
    let mut edit = snowflake("d.snowflakecomputing.com");
    edit["config"]["warehouse"] = json!("OTHER");
    let r = c.put(&format!("{path}?dryRun=true"), &edit).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "enabled");
    assert_eq!(c.get(&path).await.json()["config"]["warehouse"], "WH");

    let r = c
        .delete(&format!("{path}?dryRun=true"), Some(&sf_creds()))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "enabled");
    assert_eq!(c.get(&path).await.json()["status"], "enabled");
    // Dry-run deletes apply the credential rules too.
    assert_eq!(
        c.delete(&format!("{path}?dryRun=true"), None).await.status,
        400
    );

    // The request log tells dry runs apart.
    let dry = emu
        .requests()
        .into_iter()
        .filter(|r| r.is_dry_run())
        .count();
    assert_eq!(dry, 4);
    assert_eq!(emu.request_count("POST", "/integrations"), 2);
    assert_eq!(emu.request_count("DELETE", &path), 2);
}

#[tokio::test]
async fn the_request_log_keeps_bodies_as_received() {
    let (emu, c) = start().await;
    let body = snowflake("a.snowflakecomputing.com");
    let id = c.create(&body).await;
    let path = format!("/integrations/{id}");
    c.get(&path).await;
    let mut changed = body.clone();
    changed["config"]["warehouse"] = json!("OTHER_WH");
    c.put(&path, &changed).await;
    c.wait_for(&id, "enabled").await;
    c.delete(&path, Some(&sf_creds())).await;
    // A body refused, and one that is not UTF-8.
    let refused = c.post("/integrations", &json!({"type": "Oracle"})).await;
    assert_eq!(refused.status, 400);
    let raw = send(
        &c.base,
        "POST",
        "/integrations",
        &[("authorization", "k"), ("content-type", "application/json")],
        Some(b"{\"type\": \"\xff\"}".to_vec()),
    )
    .await
    .unwrap();
    assert_eq!(raw.status, 400);
    // A big one is cut to 16 KiB.
    let mut big = body.clone();
    big["config"]["host"] = json!("h".repeat(40_000));
    c.post("/integrations", &big).await;

    let log = emu.requests();
    let bodies: Vec<(&str, Option<&str>)> = log
        .iter()
        .map(|r| (r.method.as_str(), r.body.as_deref()))
        .collect();
    let text = |v: &Value| serde_json::to_string(v).unwrap();
    assert_eq!(bodies[0], ("POST", Some(text(&body).as_str())));
    assert_eq!(bodies[1], ("GET", None));
    assert_eq!(bodies[2], ("PUT", Some(text(&changed).as_str())));
    let delete = log.iter().find(|r| r.method == "DELETE").unwrap();
    assert_eq!(delete.body.as_deref(), Some(text(&sf_creds()).as_str()));
    assert!(log
        .iter()
        .filter(|r| r.method == "GET")
        .all(|r| r.body.is_none()));
    let posts: Vec<_> = log.iter().filter(|r| r.method == "POST").collect();
    assert_eq!(posts[1].body.as_deref(), Some(r#"{"type":"Oracle"}"#));
    assert_eq!(posts[2].body.as_deref(), Some("{\"type\": \"\u{fffd}\"}"));
    let cut = posts[3].body.as_deref().unwrap();
    assert_eq!(cut.len(), immuta_emulator::MAX_RECORDED_BODY);
    assert!(text(&big).starts_with(cut));
}

#[tokio::test]
async fn duplicates_are_409_like_immuta() {
    let (_emu, c) = start().await;
    let id = c
        .create(&snowflake("test-account.snowflakecomputing.com"))
        .await;
    let r = c
        .post(
            "/integrations",
            &snowflake("TEST-ACCOUNT.snowflakecomputing.com"),
        )
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(
        r.error_message(),
        format!("Snowflake integration already exists on TEST-ACCOUNT.snowflakecomputing.com (id = {id}).")
    );
    assert_eq!(r.json()["error"], "Conflict");
    assert_eq!(
        c.post(
            "/integrations?dryRun=true",
            &snowflake("test-account.snowflakecomputing.com")
        )
        .await
        .status,
        409
    );

    let s1 = c.create(&s3("one", "s3://bucket-a/")).await;
    let r = c.post("/integrations", &s3("one", "s3://bucket-b/")).await;
    assert_eq!(r.status, 409);
    assert!(r.error_message().contains("named \"one\""));
    let r = c.post("/integrations", &s3("two", "s3://bucket-a/")).await;
    assert_eq!(r.status, 409);
    assert!(r.error_message().contains("awsLocationPath s3://bucket-a/"));
    let s2 = c.create(&s3("two", "s3://bucket-b/")).await;
    // An update may keep its own name, but not take another's.
    c.wait_for(&s2, "enabled").await;
    assert_eq!(
        c.put(&format!("/integrations/{s2}"), &s3("two", "s3://bucket-b/"))
            .await
            .status,
        200
    );
    c.wait_for(&s2, "enabled").await;
    assert_eq!(
        c.put(&format!("/integrations/{s2}"), &s3("one", "s3://bucket-b/"))
            .await
            .status,
        409
    );

    let d = c
        .create(&databricks("https://ws.cloud.databricks.com/"))
        .await;
    assert_eq!(
        c.post("/integrations", &databricks("ws.cloud.databricks.com"))
            .await
            .status,
        409
    );
    // Once deleted, the host can be used again.
    c.wait_for(&d, "enabled").await;
    c.delete(&format!("/integrations/{d}"), None).await;
    c.wait_for(&d, "gone").await;
    c.create(&databricks("ws.cloud.databricks.com")).await;
    let _ = s1;
}

#[tokio::test]
async fn type_changes_are_refused_on_put() {
    let (_emu, c) = start().await;
    let id = c.create(&snowflake("t.snowflakecomputing.com")).await;
    c.wait_for(&id, "enabled").await;
    let r = c
        .put(&format!("/integrations/{id}"), &databricks("w"))
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.error_message().contains("\"type\" cannot be changed"),
        "{}",
        r.text()
    );
    let r = c
        .put(
            &format!("/integrations/{id}"),
            &without_bootstrap(snowflake("t.snowflakecomputing.com")),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_message(), "\"autoBootstrap\" is required");
    assert_eq!(
        c.get(&format!("/integrations/{id}")).await.json()["type"],
        "Snowflake"
    );
}

fn without_bootstrap(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("autoBootstrap");
    v
}

#[tokio::test]
async fn unknown_ids_are_404_and_ids_may_be_quoted() {
    let (_emu, c) = start().await;
    for (m, p) in [
        ("GET", "/integrations/5"),
        ("GET", "/integrations/5/status"),
        ("DELETE", "/integrations/5"),
        ("POST", "/integrations/5/regenerate"),
        ("POST", "/integrations/5/scripts/delete"),
    ] {
        let r = c.call(m, p, None).await;
        assert_eq!(r.status, 404, "{m} {p}");
        assert_eq!(r.error_message(), "No Integration found with ID 5.");
    }
    let r = c.put("/integrations/5", &trino()).await;
    assert_eq!(r.status, 404);
    let id = c.create(&trino()).await;
    assert_eq!(
        c.get(&format!("/integrations/%22{id}%22")).await.json()["id"],
        json!(id)
    );
    assert_eq!(
        c.get(&format!("/integrations/\"{id}\"/status"))
            .await
            .status,
        200
    );
    let r = c.get("/integrations/abc").await;
    assert_eq!(r.status, 400);
    assert!(r.error_message().contains("\"id\" must be a number"));
    // Ids count up as strings.
    assert_eq!(id, "1");
    assert_eq!(c.create(&trino()).await, "2");
}

#[tokio::test]
async fn get_redacts_secrets_and_fills_in_defaults_for_every_type() {
    let (emu, c) = start().await;
    let cases = [
        (
            snowflake("r.snowflakecomputing.com"),
            vec!["username", "password"],
            json!({"port": 443, "audit": {"enabled": false}, "workspaces": {"enabled": false}, "impersonation": {"enabled": false}, "lineage": {"enabled": false}}),
        ),
        (
            databricks("r.cloud.databricks.com"),
            vec!["token"],
            json!({"audit": {"enabled": false}}),
        ),
        (bigquery("rds"), vec!["credential"], json!({})),
        (
            redshift("r.redshift.amazonaws.com"),
            vec!["username", "password"],
            json!({"port": 5439, "impersonation": {"enabled": false}}),
        ),
        (
            synapse("r.sql.azuresynapse.net"),
            vec!["username", "password"],
            json!({"port": 1433, "impersonation": {"enabled": false}, "metadataDelimiters": {"hashDelimiter": "|", "hashKeyDelimiter": ":", "arrayDelimiter": ","}}),
        ),
        (s3("r", "s3://r/"), vec!["awsSecretAccessKey"], json!({})),
    ];
    for (p, secrets, defaults) in cases {
        let id = c.create(&p).await;
        let got = c.get(&format!("/integrations/{id}")).await.json();
        let text = got.to_string();
        // Databricks' token as Immuta's GET example spells it.
        let placeholder = if p["type"] == "Databricks" {
            "REDACTED"
        } else {
            "<REDACTED>"
        };
        for s in &secrets {
            assert_eq!(got["config"][s], placeholder, "{s} in {got}");
            let real = p["config"][s].as_str().unwrap();
            assert!(!text.contains(real), "secret leaked in {got}");
        }
        for (k, v) in defaults.as_object().unwrap() {
            assert_eq!(&got["config"][k], v, "default {k} in {got}");
        }
        // Sent values stay as sent.
        for (k, v) in p["config"].as_object().unwrap() {
            if !secrets.contains(&k.as_str()) {
                assert_eq!(&got["config"][k], v, "{k}");
            }
        }
        // The list shows the same object.
        let list = c.get("/integrations").await.json();
        assert!(list.as_array().unwrap().contains(&got));
    }
    // The store keeps the real values (for delete credentials).
    let all = emu.integrations_with_secrets().await;
    let sf = serde_json::to_value(&all[0]).unwrap();
    assert_eq!(sf["config"]["password"], "s3cret-pw");
}

#[tokio::test]
async fn put_with_redacted_secrets_keeps_the_stored_ones() {
    let (emu, c) = start().await;
    let id = c.create(&snowflake("k.snowflakecomputing.com")).await;
    c.wait_for(&id, "enabled").await;
    let mut back = c.get(&format!("/integrations/{id}")).await.json();
    for k in ["id", "status", "validationResults"] {
        back.as_object_mut().unwrap().remove(k);
    }
    back["config"]["warehouse"] = json!("WH2");
    let r = c.put(&format!("/integrations/{id}"), &back).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let stored = serde_json::to_value(&emu.integrations_with_secrets().await[0]).unwrap();
    assert_eq!(stored["config"]["password"], "s3cret-pw");
    assert_eq!(stored["config"]["warehouse"], "WH2");
}

#[tokio::test]
async fn delete_follows_immutas_credential_rules() {
    let (_emu, c) = start().await;
    // Auto-bootstrapped Snowflake: credentials required...
    let id = c.create(&snowflake("del.snowflakecomputing.com")).await;
    let path = format!("/integrations/{id}");
    let r = c.delete(&path, None).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_message(), "Integrations that are automatically configured require privileged credentials to disable. Please provide them in your payload.");
    assert_eq!(c.delete(&path, Some(&json!({}))).await.status, 400);
    // ... complete ...
    let r = c.delete(&path, Some(&json!({"authenticationType": "userPassword", "username": "admin", "role": "ACCOUNTADMIN"}))).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_message(), "\"password\" is required");
    let r = c.delete(&path, Some(&json!({"authenticationType": "okta", "username": "a", "password": "b", "role": "R"}))).await;
    assert_eq!(r.status, 400);
    assert!(r
        .error_message()
        .contains("\"authenticationType\" must be one of"));
    let r = c.delete(&path, Some(&json!({"authenticationType": "userPassword", "username": "admin", "password": "s3cret-pw", "role": "R", "bogus": 1}))).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_message(), "\"bogus\" is not allowed");
    // ... and right: wrong ones fail the connection test.
    let r = c.delete(&path, Some(&json!({"authenticationType": "userPassword", "username": "admin", "password": "wrong", "role": "R"}))).await;
    assert_eq!(r.status, 422);
    assert!(r.error_message().contains("Unable to delete integration"));
    assert_eq!(c.get(&path).await.json()["status"], "enabled");
    let r = c.delete(&path, Some(&sf_creds())).await;
    assert_eq!(r.status, 200);
    c.wait_for(&id, "gone").await;

    // Manual set-ups and Databricks refuse credentials, and need none.
    let manual = c
        .create(&snowflake_manual("m.snowflakecomputing.com"))
        .await;
    let r = c
        .delete(&format!("/integrations/{manual}"), Some(&sf_creds()))
        .await;
    assert_eq!(r.status, 400);
    assert!(r.error_message().contains("Credentials are not accepted"));
    assert_eq!(
        c.delete(&format!("/integrations/{manual}"), None)
            .await
            .status,
        200
    );
    let db = c.create(&databricks("d.cloud.databricks.com")).await;
    assert_eq!(
        c.delete(
            &format!("/integrations/{db}"),
            Some(&json!({"authenticationType": "token", "token": "t"}))
        )
        .await
        .status,
        400
    );
    assert_eq!(
        c.delete(&format!("/integrations/{db}"), None).await.status,
        200
    );

    // Redshift with Okta credentials; Synapse with a password.
    let mut rs = redshift("o.redshift.amazonaws.com");
    rs["config"] = json!({"host": "o.redshift.amazonaws.com", "database": "immuta", "initialDatabase": "dev", "authenticationType": "okta",
        "okta": {"username": "ou", "password": "op", "appId": "Okta", "idpHost": "idp.okta.com", "role": "admin"}});
    let rsid = c.create(&rs).await;
    assert_eq!(
        c.delete(&format!("/integrations/{rsid}"), None)
            .await
            .status,
        400
    );
    let r = c.delete(&format!("/integrations/{rsid}"), Some(&json!({"authenticationType": "okta", "okta": {"username": "ou", "password": "op", "appId": "Okta", "idpHost": "idp.okta.com", "role": "admin"}}))).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let syn = c.create(&synapse("s.sql.azuresynapse.net")).await;
    let r = c.delete(&format!("/integrations/{syn}"), Some(&json!({"authenticationType": "userPassword", "username": "syn-admin", "password": "syn-secret"}))).await;
    assert_eq!(r.status, 200, "{}", r.text());

    // Bodies that are not credentials at all, and bad flags.
    let id = c.create(&snowflake("bad.snowflakecomputing.com")).await;
    let r = c
        .delete(&format!("/integrations/{id}"), Some(&json!(["admin"])))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_message(), "The request body must be an object");
    let r = c.delete(&format!("/integrations/{id}"), Some(&json!({"authenticationType": "userPassword", "username": 5, "password": "p", "role": "R"}))).await;
    assert_eq!(r.status, 400);
    assert!(r.error_message().starts_with("Invalid credentials payload"));
    let r = c
        .delete(&format!("/integrations/{id}?forceDisable=yes"), None)
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_message(), "\"forceDisable\" must be a boolean");
    let r = c.call("PUT", &format!("/integrations/{id}"), None).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_message(), "A request body is required");

    // forceDisable: no credentials needed, and no platform test is run.
    let id = c.create(&snowflake("force.snowflakecomputing.com")).await;
    let r = c
        .delete(&format!("/integrations/{id}?forceDisable=true"), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.json()["validationResults"]["validationTests"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["status"] == "skipped"));
    c.wait_for(&id, "gone").await;
}

#[tokio::test]
async fn regenerate_gives_trino_a_new_key() {
    let (_emu, c) = start().await;
    let id = c.create(&trino()).await;
    let before = c.get(&format!("/integrations/{id}")).await.json();
    let k1 = before["config"]["apiKey"].as_str().unwrap().to_string();
    assert_eq!(k1.len(), 32);
    let r = c
        .post(&format!("/integrations/{id}/regenerate"), &json!({}))
        .await;
    assert_eq!(r.status, 200);
    let k2 = r.json()["config"]["apiKey"].as_str().unwrap().to_string();
    assert_ne!(k1, k2);
    assert_eq!(
        c.get(&format!("/integrations/{id}")).await.json()["config"]["apiKey"],
        k2
    );
    // A Trino update keeps its key.
    assert_eq!(
        c.put(&format!("/integrations/{id}"), &trino()).await.status,
        200
    );
    assert_eq!(
        c.get(&format!("/integrations/{id}")).await.json()["config"]["apiKey"],
        k2
    );
    let sf = c.create(&snowflake("rg.snowflakecomputing.com")).await;
    let r = c
        .post(&format!("/integrations/{sf}/regenerate"), &json!({}))
        .await;
    assert_eq!(r.status, 400);
    assert!(r.error_message().contains("only supported for Trino"));
}

#[tokio::test]
async fn scripts_are_plain_text_built_from_the_payload() {
    let (_emu, c) = start().await;
    let p = snowflake_manual("sc.snowflakecomputing.com");
    for kind in ["create", "cleanup"] {
        let r = c.post(&format!("/integrations/scripts/{kind}"), &p).await;
        assert_eq!(r.status, 200, "{kind}: {}", r.text());
        assert!(r.header("content-type").unwrap().starts_with("text/plain"));
        let t = r.text();
        assert!(t.contains("\"IMMUTA_DB\""), "{t}");
        assert!(!t.contains("s3cret-pw"), "no secret in a script");
    }
    assert!(c
        .post("/integrations/scripts/create", &p)
        .await
        .text()
        .contains("GRANT USAGE ON WAREHOUSE \"WH\""));
    assert!(c
        .post("/integrations/scripts/cleanup", &p)
        .await
        .text()
        .contains("DROP DATABASE IF EXISTS \"IMMUTA_DB\""));
    // S3: a JSON policy.
    let r = c
        .post(
            "/integrations/scripts/create",
            &s3("pol", "s3://pol-bucket/"),
        )
        .await;
    let policy: Value = serde_json::from_str(&r.text()).unwrap();
    assert_eq!(
        policy["Statement"][0]["Resource"][0],
        "arn:aws:s3:::pol-bucket/*"
    );
    // initial-create: Redshift and Synapse only; post-cleanup: Synapse only.
    assert!(c
        .post("/integrations/scripts/initial-create", &redshift("ic"))
        .await
        .text()
        .contains("CREATE DATABASE \"immuta\""));
    assert_eq!(
        c.post("/integrations/scripts/initial-create", &synapse("ic"))
            .await
            .status,
        200
    );
    assert_eq!(
        c.post("/integrations/scripts/initial-create", &p)
            .await
            .status,
        400
    );
    assert!(c
        .post("/integrations/scripts/post-cleanup", &synapse("pc"))
        .await
        .text()
        .contains("DROP LOGIN"));
    assert_eq!(
        c.post("/integrations/scripts/post-cleanup", &redshift("pc"))
            .await
            .status,
        400
    );
    assert_eq!(
        c.post("/integrations/scripts/create", &trino())
            .await
            .status,
        400
    );
    assert_eq!(c.post("/integrations/scripts/nope", &p).await.status, 404);
    // The payload is validated like a create.
    let r = c
        .post(
            "/integrations/scripts/create",
            &json!({"type": "Snowflake", "autoBootstrap": false, "config": {}}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_message(), "\"config.host\" is required");
    // Per-integration scripts.
    let id = c.create(&databricks("sc.cloud.databricks.com")).await;
    let r = c
        .post(&format!("/integrations/{id}/scripts/delete"), &json!({}))
        .await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("DROP CATALOG IF EXISTS `immuta`"));
    let mut edit = databricks("sc.cloud.databricks.com");
    edit["config"]["catalog"] = json!("immuta2");
    let r = c
        .post(&format!("/integrations/{id}/scripts/edit"), &edit)
        .await;
    assert!(r.text().contains("CREATE CATALOG IF NOT EXISTS `immuta2`"));
    assert_eq!(
        c.post(&format!("/integrations/{id}/scripts/edit"), &p)
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn authorization_is_checked_on_every_endpoint() {
    let (_emu, c) = start().await;
    for (m, p) in [
        ("GET", "/integrations"),
        ("POST", "/integrations"),
        ("GET", "/integrations/1"),
        ("PUT", "/integrations/1"),
        ("DELETE", "/integrations/1"),
        ("GET", "/integrations/1/status"),
        ("POST", "/integrations/1/regenerate"),
        ("POST", "/integrations/scripts/create"),
        ("POST", "/integrations/1/scripts/edit"),
        ("GET", "/nowhere"),
    ] {
        let none = send(&c.base, m, p, &[], None).await.unwrap();
        assert_eq!(none.status, 401, "{m} {p}");
        assert_eq!(none.json()["error"], "Unauthorized");
        let wrong = send(&c.base, m, p, &[("authorization", "not-the-key")], None)
            .await
            .unwrap();
        assert_eq!(wrong.status, 401);
        assert!(
            !wrong.text().contains("not-the-key"),
            "the key is not echoed"
        );
    }
    let bearer = send(
        &c.base,
        "GET",
        "/integrations",
        &[("authorization", "Bearer k")],
        None,
    )
    .await
    .unwrap();
    assert_eq!(bearer.status, 200);
}

#[tokio::test]
async fn a_key_without_application_admin_gets_403() {
    let emu = Emulator::builder()
        .api_key("k")
        .unprivileged_api_key("reader")
        .start()
        .await
        .unwrap();
    let c = Client::new(&emu);
    let r = send(
        &c.base,
        "GET",
        "/integrations",
        &[("authorization", "reader")],
        None,
    )
    .await
    .unwrap();
    assert_eq!(r.status, 403);
    assert!(r.error_message().contains("APPLICATION_ADMIN"));
    assert_eq!(r.json()["error"], "Forbidden");
    assert_eq!(c.get("/integrations").await.status, 200);
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_error_json() {
    let (_emu, c) = start().await;
    let r = c.get("/nowhere").await;
    assert_eq!(r.status, 404);
    assert!(r.error_message().contains("no route"));
    let r = c.call("PATCH", "/integrations", None).await;
    assert_eq!(r.status, 405);
    assert_eq!(r.json()["statusCode"], 405);
    // Admin endpoints are off by default.
    assert_eq!(c.get("/_emulator/requests").await.status, 404);
}

#[tokio::test]
async fn validation_tests_carry_immutas_names_per_type() {
    let (_emu, c) = start().await;
    let names = |v: Value| -> Vec<String> {
        v["validationResults"]["validationTests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_string())
            .collect()
    };
    let cases = [
        (snowflake("n.snowflakecomputing.com"), vec![
            "Initial Validation: Basic Connection Test",
            "Initial Validation: Default Warehouse Access Test",
            "Initial Validation: Table Grants Role Prefix is Unique",
            "Initial Validation: Validate access to Privileged Role",
            "Validate Automatic: Database Does Not Exist",
            "Validate Automatic: Impersonation Role Does Not Exist",
            "Validate Automatic Bootstrap User Grants",
        ]),
        (databricks("n.cloud.databricks.com"), vec!["Metastore validation", "Basic Connection Test"]),
        (bigquery("n"), vec![
            "Basic Validation: Verify service account not being used for data source connection credentials",
            "Basic Validation: Immuta Service Account postfix",
            "Basic Validation: Non-matching service account in key file",
        ]),
        (s3("n", "s3://n/"), vec![
            "There is no existing integration matching this configuration",
            "The provided integration name is unique across Immuta S3 integrations",
            "The provided access grants location role is a valid ARN format",
        ]),
    ];
    for (p, want) in cases {
        let r = c.post("/integrations?dryRun=true", &p).await;
        assert_eq!(names(r.json()), want);
    }
    // Impersonation switches its test on.
    let mut p = snowflake("imp.snowflakecomputing.com");
    p["config"]["impersonation"] = json!({"enabled": true});
    let v = c.post("/integrations?dryRun=true", &p).await.json();
    assert_eq!(
        v["validationResults"]["validationTests"][5]["status"],
        "passed"
    );
    // Manual set-ups skip the automatic tests.
    let v = c
        .post(
            "/integrations?dryRun=true",
            &snowflake_manual("man.snowflakecomputing.com"),
        )
        .await
        .json();
    for i in [3, 4, 6] {
        assert_eq!(
            v["validationResults"]["validationTests"][i]["status"],
            "skipped"
        );
    }
}

#[tokio::test]
async fn every_answer_parses_with_the_shared_models() {
    use immuta_api::{
        ErrorBody, Integration, IntegrationConfig, IntegrationStatus, OperationResponse,
    };
    let (_emu, c) = start().await;
    for p in [
        snowflake("m.snowflakecomputing.com"),
        databricks("m.cloud.databricks.com"),
        bigquery("m"),
        redshift("m"),
        synapse("m"),
        s3("m", "s3://m/"),
        trino(),
    ] {
        let r = c.post("/integrations", &p).await;
        let op: OperationResponse = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(op.status, Some(IntegrationStatus::Creating));
        let id = op.id.unwrap();
        let st: OperationResponse =
            serde_json::from_slice(&c.get(&format!("/integrations/{id}/status")).await.body)
                .unwrap();
        assert_eq!(st.status, Some(IntegrationStatus::Enabled));
    }
    let list: Vec<Integration> =
        serde_json::from_slice(&c.get("/integrations").await.body).unwrap();
    assert_eq!(list.len(), 7);
    for i in &list {
        let cfg = i.config.as_ref().unwrap();
        assert!(!matches!(cfg, IntegrationConfig::Other(_)));
        assert_eq!(cfg.integration_type().as_ref(), Some(&i.integration_type));
        // Nothing the models do not know: every field was understood.
        assert!(i.extra.is_empty());
        assert!(!cfg.to_value().to_string().contains("s3cret-pw"));
    }
    let err: ErrorBody = serde_json::from_slice(&c.get("/integrations/99").await.body).unwrap();
    assert_eq!(err.status_code, 404);
    assert_eq!(err.to_string(), "No Integration found with ID 99.");
}
