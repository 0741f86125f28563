//! Each guess the emulator makes where Immuta's page is silent, at each of
//! its values, as a client sees it over HTTP; and all of them at once.

mod common;

use common::payloads::*;
use common::{id_of, start, start_with, status_of, Client};
use immuta_emulator::{
    DeleteBody, Emulator, Guesses, IdType, RunningEmulator, StatusShape, TrinoKey,
};
use serde_json::{json, Value};
use std::time::Duration;

fn sf_creds() -> Value {
    json!({"authenticationType": "userPassword", "username": "admin", "password": "s3cret-pw", "role": "ACCOUNTADMIN"})
}

/// A payload's config with the named fields as `<REDACTED>`.
fn redacted(payload: &Value, fields: &[&str]) -> Value {
    let mut c = payload["config"].clone();
    for f in fields {
        c[*f] = json!("<REDACTED>");
    }
    c
}

/// An emulator under the variant of [`Guesses::variants`] named `name`.
async fn start_variant(name: &str) -> (RunningEmulator, Client) {
    let (_, g) = Guesses::variants()
        .into_iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no variant {name}"));
    start_with(g).await
}

/// Creates an integration and returns its id and its GET answer.
async fn create_and_get(c: &Client, body: &Value) -> (String, Value) {
    let id = c.create(body).await;
    let r = c.get(&format!("/integrations/{id}")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    (id, r.json())
}

/// The Trino key the emulator holds for integration `id`.
async fn stored_key(emu: &RunningEmulator, id: &str) -> String {
    let all = emu.integrations_with_secrets().await;
    let i = all.iter().find(|i| i.id.as_str() == id).unwrap();
    let v = serde_json::to_value(i).unwrap();
    v["config"]["apiKey"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn by_default_get_fills_in_immutas_defaults() {
    let (_emu, c) = start().await;
    let (_, rs) = create_and_get(&c, &redshift("rs.example.com")).await;
    assert_eq!(rs["config"]["port"], 5439);
    assert_eq!(rs["config"]["impersonation"], json!({"enabled": false}));
    let (_, syn) = create_and_get(&c, &synapse("syn.example.com")).await;
    assert_eq!(syn["config"]["port"], 1433);
    assert_eq!(
        syn["config"]["metadataDelimiters"],
        json!({"hashDelimiter": "|", "hashKeyDelimiter": ":", "arrayDelimiter": ","})
    );
    let (_, db) = create_and_get(&c, &databricks("w.cloud.databricks.com")).await;
    assert_eq!(db["config"]["audit"], json!({"enabled": false}));
}

#[tokio::test]
async fn echo_defaults_false_shows_only_what_was_sent() {
    let (emu, c) = start_variant("echo-defaults=false").await;
    let cases = [
        (
            snowflake("a.snowflakecomputing.com"),
            vec!["username", "password"],
        ),
        (redshift("rs.example.com"), vec!["username", "password"]),
        (synapse("syn.example.com"), vec!["username", "password"]),
        (s3("s3-int", "s3://bucket/"), vec!["awsSecretAccessKey"]),
        (bigquery("immuta_ds"), vec!["credential"]),
    ];
    for (payload, secrets) in &cases {
        let (_, got) = create_and_get(&c, payload).await;
        assert_eq!(
            got["config"],
            redacted(payload, secrets),
            "{}",
            payload["type"]
        );
    }
    let db = databricks("w.cloud.databricks.com");
    let (_, got) = create_and_get(&c, &db).await;
    let mut want = db["config"].clone();
    want["token"] = json!("REDACTED");
    assert_eq!(got["config"], want);

    // A value sent is echoed as sent, even when it is the default.
    let mut sf = snowflake("b.snowflakecomputing.com");
    sf["config"]["port"] = json!(443);
    sf["config"]["audit"] = json!({"enabled": false});
    let (id, got) = create_and_get(&c, &sf).await;
    assert_eq!(got["config"], redacted(&sf, &["username", "password"]));

    // The list agrees; switching back fills the defaults in again.
    let list = c.get("/integrations").await.json();
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["config"].get("impersonation").is_none()));
    emu.set_guesses(Guesses::default());
    let got = c.get(&format!("/integrations/{id}")).await.json();
    assert_eq!(got["config"]["lineage"], json!({"enabled": false}));
}

#[tokio::test]
async fn trino_key_get_create_and_never() {
    for mode in [TrinoKey::Get, TrinoKey::Create, TrinoKey::Never] {
        let (emu, c) = start_with(Guesses {
            trino_key: mode,
            ..Guesses::default()
        })
        .await;
        let created = c.post("/integrations", &trino()).await.json();
        let id = id_of(&created);
        let key = stored_key(&emu, &id).await;
        let path = format!("/integrations/{id}");
        let got = c.get(&path).await.json();
        let listed = c.get("/integrations").await.json()[0].clone();
        assert_eq!(got, listed, "{mode}");
        match mode {
            TrinoKey::Get => {
                assert!(created.get("config").is_none(), "{created}");
                assert_eq!(got["config"]["apiKey"], json!(key));
            }
            TrinoKey::Create => {
                assert_eq!(created["config"], json!({"apiKey": key}));
                assert_eq!(created["status"], "creating");
                assert!(created["validationResults"].is_object());
                assert_eq!(got["config"]["apiKey"], "<REDACTED>");
            }
            TrinoKey::Never => {
                assert!(created.get("config").is_none(), "{created}");
                assert_eq!(got["config"], json!({}));
            }
        }
        let r = c.call("POST", &format!("{path}/regenerate"), None).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let regenerated = r.json();
        let new_key = stored_key(&emu, &id).await;
        assert_ne!(new_key, key);
        assert_eq!(regenerated["id"], json!(id));
        assert_eq!(regenerated["type"], "Trino");
        match mode {
            TrinoKey::Get | TrinoKey::Create => {
                assert_eq!(regenerated["config"]["apiKey"], json!(new_key), "{mode}")
            }
            TrinoKey::Never => assert_eq!(regenerated["config"], json!({})),
        }
        // GET still answers as before.
        assert_eq!(
            c.get(&path).await.json()["config"].get("apiKey").is_some(),
            mode != TrinoKey::Never
        );
    }
}

fn redshift_okta(host: &str) -> Value {
    json!({"type": "Redshift", "autoBootstrap": true, "config": {
        "host": host, "database": "immuta", "initialDatabase": "dev",
        "impersonation": {"enabled": true, "role": "immuta_impersonation"},
        "authenticationType": "okta",
        "okta": {"username": "okta-user", "password": "okta-pw", "appId": "Okta",
                 "idpHost": "org.okta.com", "role": "admin"}}})
}

fn s3_auto(name: &str, path: &str) -> Value {
    json!({"type": "Native S3", "autoBootstrap": false, "config": {
        "name": name, "awsAccountId": "123456789012", "awsRegion": "us-east-1",
        "awsLocationRole": "arn:aws:iam::123456789012:role/grants", "awsLocationPath": path,
        "authenticationType": "auto", "awsRoleToAssume": "arn:aws:iam::123456789012:role/immuta"}})
}

#[tokio::test]
async fn redact_more_hides_roles_okta_and_s3_ids_too() {
    let (emu, c) = start_variant("redact=more").await;
    let mut sf = snowflake("a.snowflakecomputing.com");
    sf["config"]["impersonation"] = json!({"enabled": true, "role": "IMP"});
    let (sf_id, got) = create_and_get(&c, &sf).await;
    assert_eq!(got["config"]["role"], "<REDACTED>");
    assert_eq!(got["config"]["impersonation"]["role"], "<REDACTED>");
    assert_eq!(got["config"]["host"], "a.snowflakecomputing.com");

    let (_, got) = create_and_get(&c, &redshift_okta("rs.example.com")).await;
    let okta = &got["config"]["okta"];
    for f in ["username", "password", "appId", "idpHost", "role"] {
        assert_eq!(okta[f], "<REDACTED>", "okta.{f}");
    }
    assert_eq!(got["config"]["impersonation"]["role"], "<REDACTED>");

    let (_, got) = create_and_get(&c, &s3("s3-keys", "s3://keys/")).await;
    assert_eq!(got["config"]["awsAccessKeyId"], "<REDACTED>");
    assert_eq!(got["config"]["awsRegion"], "us-east-1");
    let (_, got) = create_and_get(&c, &s3_auto("s3-auto", "s3://auto/")).await;
    assert_eq!(got["config"]["awsRoleToAssume"], "<REDACTED>");
    let (_, got) = create_and_get(&c, &bigquery("immuta_ds")).await;
    assert_eq!(got["config"]["role"], "<REDACTED>");
    let (_, got) = create_and_get(&c, &databricks("w.cloud.databricks.com")).await;
    assert_eq!(got["config"]["token"], "REDACTED", "the page's spelling");

    // The GET answer sent back keeps what it redacted.
    let path = format!("/integrations/{sf_id}");
    let back = json!({"type": "Snowflake", "autoBootstrap": true,
                      "config": c.get(&path).await.json()["config"]});
    let r = c.put(&path, &back).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let held = emu.integrations_with_secrets().await;
    let held = serde_json::to_value(held.iter().find(|i| i.id.as_str() == sf_id).unwrap()).unwrap();
    assert_eq!(held["config"]["role"], "ACCOUNTADMIN");
    assert_eq!(held["config"]["impersonation"]["role"], "IMP");
    assert_eq!(held["config"]["password"], "s3cret-pw");

    // By default only secrets are redacted (the token as the page spells it).
    emu.set_guesses(Guesses::default());
    let list = c.get("/integrations").await.json();
    let by_type = |t: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|i| i["type"] == t)
            .unwrap()
            .clone()
    };
    assert_eq!(by_type("Snowflake")["config"]["role"], "ACCOUNTADMIN");
    assert_eq!(by_type("Snowflake")["config"]["username"], "<REDACTED>");
    assert_eq!(by_type("Redshift")["config"]["okta"]["appId"], "Okta");
    assert_eq!(by_type("Google BigQuery")["config"]["role"], "immuta");
    assert_eq!(by_type("Databricks")["config"]["token"], "REDACTED");
}

#[tokio::test]
async fn force_disable_delete_removes_and_disabled_keeps_until_deleted_again() {
    let (_emu, c) = start().await;
    let id = c.create(&snowflake("a.snowflakecomputing.com")).await;
    let r = c
        .delete(&format!("/integrations/{id}?forceDisable=true"), None)
        .await;
    assert_eq!(r.json()["status"], "deleting");
    c.wait_for(&id, "gone").await;

    let (_emu, c) = start_variant("force-disable=disabled").await;
    let id = c.create(&snowflake("a.snowflakecomputing.com")).await;
    let path = format!("/integrations/{id}");
    c.wait_for(&id, "enabled").await;
    let r = c.delete(&format!("{path}?forceDisable=true"), None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "deleting");
    c.wait_for(&id, "disabled").await;
    assert_eq!(c.get(&path).await.json()["status"], "disabled");
    assert_eq!(c.get("/integrations").await.json()[0]["status"], "disabled");
    // A second DELETE removes it, credentials or not.
    let r = c.delete(&path, None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "deleting");
    c.wait_for(&id, "gone").await;
    // An ordinary delete is still a delete.
    let id = c.create(&databricks("w.cloud.databricks.com")).await;
    c.wait_for(&id, "enabled").await;
    c.delete(&format!("/integrations/{id}"), None).await;
    c.wait_for(&id, "gone").await;
}

#[tokio::test]
async fn status_shape_object_or_bare_string() {
    let (emu, c) = start().await;
    let id = c.create(&trino()).await;
    let path = format!("/integrations/{id}/status");
    let obj = c.get(&path).await.json();
    assert_eq!(obj["id"], json!(id));
    assert_eq!(obj["status"], "enabled");
    emu.set_guesses(Guesses {
        status_shape: StatusShape::String,
        ..Guesses::default()
    });
    let r = c.get(&path).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!("enabled"));
    assert!(r.header("content-type").unwrap().contains("json"));
    // Errors keep their shape.
    let r = c.get("/integrations/99/status").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.error_message(), "No Integration found with ID 99.");
}

#[tokio::test]
async fn id_type_number_in_every_answer() {
    let (_emu, c) = start_variant("id-type=number").await;
    let created = c
        .post("/integrations", &snowflake("a.snowflakecomputing.com"))
        .await
        .json();
    assert_eq!(created["id"], json!(1));
    let path = "/integrations/1";
    assert_eq!(c.get(path).await.json()["id"], json!(1));
    assert_eq!(c.get("/integrations").await.json()[0]["id"], json!(1));
    assert_eq!(
        c.get(&format!("{path}/status")).await.json()["id"],
        json!(1)
    );
    let put = c
        .put(
            &format!("{path}?dryRun=true"),
            &snowflake("a.snowflakecomputing.com"),
        )
        .await;
    assert_eq!(put.json()["id"], json!(1));
    let put = c.put(path, &snowflake("a.snowflakecomputing.com")).await;
    assert_eq!(put.json()["id"], json!(1));
    c.wait_for("1", "enabled").await;
    let del = c.delete(path, Some(&sf_creds())).await;
    assert_eq!(del.json()["id"], json!(1));
    let t = c.create(&trino()).await;
    let regenerated = c
        .call("POST", &format!("/integrations/{t}/regenerate"), None)
        .await;
    assert_eq!(regenerated.json()["id"], json!(2));
    // Quoted ids are still accepted in paths.
    assert_eq!(c.get("/integrations/\"2\"").await.json()["id"], json!(2));
}

#[tokio::test]
async fn store_redacted_put_keeps_the_literal() {
    let mut sent = snowflake("a.snowflakecomputing.com");
    sent["config"]["password"] = json!("<REDACTED>");
    sent["config"]["username"] = json!("REDACTED");
    let redacted_creds = json!({"authenticationType": "userPassword", "username": "REDACTED",
                                "password": "<REDACTED>", "role": "ACCOUNTADMIN"});
    for store in [false, true] {
        let (emu, c) = start_with(Guesses {
            store_redacted_put: store,
            ..Guesses::default()
        })
        .await;
        let id = c.create(&snowflake("a.snowflakecomputing.com")).await;
        let path = format!("/integrations/{id}");
        let r = c.put(&path, &sent).await;
        assert_eq!(r.status, 200, "{}", r.text());
        c.wait_for(&id, "enabled").await;
        let held = serde_json::to_value(&emu.integrations_with_secrets().await[0]).unwrap();
        let (user, pw) = if store {
            ("REDACTED", "<REDACTED>")
        } else {
            ("admin", "s3cret-pw")
        };
        assert_eq!(held["config"]["username"], user);
        assert_eq!(held["config"]["password"], pw);
        // GET cannot tell.
        assert_eq!(
            c.get(&path).await.json()["config"]["password"],
            "<REDACTED>"
        );
        // Deleting compares the credentials with what is held.
        let (good, bad) = if store {
            (redacted_creds.clone(), sf_creds())
        } else {
            (sf_creds(), redacted_creds.clone())
        };
        let r = c.delete(&path, Some(&bad)).await;
        assert_eq!(r.status, 422, "store {store}: {}", r.text());
        let r = c.delete(&path, Some(&good)).await;
        assert_eq!(r.status, 200, "store {store}: {}", r.text());
    }
}

#[tokio::test]
async fn scalars_as_strings_in_get_and_list_only() {
    let (_emu, c) = start_variant("scalars-as-strings").await;
    let created = c
        .post("/integrations", &snowflake("a.snowflakecomputing.com"))
        .await
        .json();
    assert_eq!(created["id"], "1");
    let (_, got) = create_and_get(&c, &s3("s3-int", "s3://bucket/")).await;
    assert_eq!(got["autoBootstrap"], "false");
    let sf = c.get("/integrations/1").await.json();
    assert_eq!(sf["autoBootstrap"], "true");
    assert_eq!(sf["config"]["port"], "443");
    assert_eq!(sf["config"]["audit"], json!({"enabled": "false"}));
    assert_eq!(sf["config"]["host"], "a.snowflakecomputing.com");
    assert_eq!(c.get("/integrations").await.json()[0], sf);
    // Validation results and statuses are not config: untouched.
    assert_eq!(sf["status"], "enabled");
    assert!(sf["validationResults"]["validationTests"].is_array());
    // Requests are still held to the page's types.
    let mut back = snowflake("a.snowflakecomputing.com");
    back["config"]["port"] = json!("443");
    let r = c.put("/integrations/1", &back).await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.error_message(), "\"config.port\" must be a number");
    back["config"]["port"] = json!(443);
    back["config"]["audit"] = json!({"enabled": "true"});
    let r = c.put("/integrations/1", &back).await;
    assert_eq!(
        r.error_message(),
        "\"config.audit.enabled\" must be a boolean"
    );
}

#[tokio::test]
async fn delete_body_refuse_or_ignore() {
    for mode in [DeleteBody::Refuse, DeleteBody::Ignore] {
        let (_emu, c) = start_with(Guesses {
            delete_body: mode,
            ..Guesses::default()
        })
        .await;
        for payload in [
            s3("s3-int", "s3://bucket/"),
            bigquery("immuta_ds"),
            trino(),
            databricks("w.cloud.databricks.com"),
            snowflake_manual("m.snowflakecomputing.com"),
        ] {
            let id = c.create(&payload).await;
            c.wait_for(&id, "enabled").await;
            let r = c
                .delete(&format!("/integrations/{id}"), Some(&sf_creds()))
                .await;
            match mode {
                DeleteBody::Refuse => {
                    assert_eq!(r.status, 400, "{}: {}", payload["type"], r.text());
                    assert!(r.error_message().contains("Send no payload"));
                }
                DeleteBody::Ignore => {
                    assert_eq!(r.status, 200, "{}: {}", payload["type"], r.text());
                    c.wait_for(&id, "gone").await;
                }
            }
        }
        // Where credentials are needed nothing changes.
        let id = c.create(&snowflake("a.snowflakecomputing.com")).await;
        c.wait_for(&id, "enabled").await;
        let path = format!("/integrations/{id}");
        assert_eq!(c.delete(&path, None).await.status, 400);
        let mut wrong = sf_creds();
        wrong["password"] = json!("not-it");
        assert_eq!(c.delete(&path, Some(&wrong)).await.status, 422);
        assert_eq!(c.delete(&path, Some(&sf_creds())).await.status, 200);
    }
}

/// Every type through create, GET, list, status, update and delete, with
/// every switch at its other value.
#[tokio::test]
async fn every_switch_at_once_through_a_lifecycle_of_each_type() {
    let (emu, c) = start_with(Guesses::alternatives()).await;
    let bodies = [
        snowflake("a.snowflakecomputing.com"),
        databricks("w.cloud.databricks.com"),
        bigquery("immuta_ds"),
        redshift("rs.example.com"),
        synapse("syn.example.com"),
        s3("s3-int", "s3://bucket/"),
        trino(),
    ];
    for body in &bodies {
        let created = c.post("/integrations", body).await.json();
        assert!(created["id"].is_number(), "{created}");
        let id = id_of(&created);
        let status = c.get(&format!("/integrations/{id}/status")).await.json();
        assert_eq!(status, json!("enabled"));
        let got = c.get(&format!("/integrations/{id}")).await.json();
        assert!(got["id"].is_number());
        if body["type"] == "Trino" {
            assert!(created["config"]["apiKey"].is_string());
            assert_eq!(got["config"]["apiKey"], "<REDACTED>");
        } else {
            assert!(got["autoBootstrap"].is_string(), "{got}");
            assert!(got["config"].get("port").is_none(), "{got}");
        }
    }
    let list = c.get("/integrations").await.json();
    assert_eq!(list.as_array().unwrap().len(), bodies.len());
    // Update each (Trino has nothing to update) and remove it: forced for
    // those that would need credentials, which then stay disabled.
    for (i, body) in bodies.iter().enumerate() {
        let id = (i + 1).to_string();
        let path = format!("/integrations/{id}");
        if body["type"] != "Trino" {
            let r = c.put(&path, body).await;
            assert_eq!(r.status, 200, "{}", r.text());
            c.wait_for(&id, "enabled").await;
        }
        let needs = matches!(
            body["type"].as_str(),
            Some("Snowflake" | "Redshift" | "Azure Synapse Analytics")
        );
        if needs {
            c.delete(&format!("{path}?forceDisable=true"), None).await;
            c.wait_for(&id, "disabled").await;
        }
        let r = c.delete(&path, Some(&sf_creds())).await;
        assert_eq!(r.status, 200, "{}: {}", body["type"], r.text());
        c.wait_for(&id, "gone").await;
    }
    assert!(emu.integrations().await.is_empty());
}

#[tokio::test]
async fn guesses_change_at_run_time_and_through_the_admin_endpoint() {
    let emu = Emulator::builder()
        .api_key("k")
        .transition_delay(Duration::ZERO)
        .admin(true)
        .start()
        .await
        .unwrap();
    let c = Client::new(&emu);
    assert_eq!(emu.guesses(), Guesses::default());
    let id = c.create(&trino()).await;
    let path = format!("/integrations/{id}");
    let shown = c.get("/_emulator/guesses").await.json();
    assert_eq!(shown["echoDefaults"], true);
    assert_eq!(shown["trinoKey"], "get");
    let r = c
        .post(
            "/_emulator/guesses",
            &json!({"idType": "number", "trinoKey": "never"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let want = Guesses {
        id_type: IdType::Number,
        trino_key: TrinoKey::Never,
        ..Guesses::default()
    };
    assert_eq!(emu.guesses(), want);
    let got = c.get(&path).await.json();
    assert_eq!(got["id"], json!(1));
    assert_eq!(got["config"], json!({}));
    let r = c
        .post("/_emulator/guesses", &json!({"idType": "hex"}))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(emu.guesses(), want);
    assert_eq!(c.delete("/_emulator/guesses", None).await.status, 200);
    assert_eq!(emu.guesses(), Guesses::default());
    assert_eq!(
        status_of(&c.get(&format!("{path}/status")).await.json()),
        "enabled"
    );
    // Admin requests are not in the log.
    assert!(emu
        .requests()
        .iter()
        .all(|r| r.path.starts_with("/integrations")));
}
