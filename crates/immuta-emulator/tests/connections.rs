//! The connection API over HTTP: each technology's lifecycle (the script
//! step, create, read, update, settings, search, crawl, delete in Immuta's
//! order), authentication, validation errors naming the field, bulk jobs,
//! inheritance of settings, faults, and each guess's switch.

mod common;

use common::{start_with, Client};
use immuta_emulator::{
    ConnectionAnswer, ConnectionDelete, ConnectionPut, ConnectionSecrets, Emulator, FaultConfig,
    Guesses, IdType, JobShape, Redact, RunningEmulator,
};
use serde_json::{json, Value};
use std::time::Duration;

const SECRETS: &[&str] = &["sf-secret-pw", "dapi-conn-token", "aws-conn-secret"];

fn snowflake(key: &str, host: &str) -> Value {
    json!({
        "connectionKey": key,
        "connection": {"technology": "Snowflake", "hostname": host, "warehouse": "WH",
                       "role": "IMMUTA_ROLE", "authenticationType": "userPassword",
                       "username": "immuta_system", "password": "sf-secret-pw"},
        "settings": {"isActive": true},
        "options": {"forceRecursiveCrawl": true},
        "nativeIntegration": {"type": "Snowflake", "autoBootstrap": false,
                              "config": {"database": "IMMUTA_DB"}}
    })
}

fn databricks(key: &str, host: &str) -> Value {
    json!({
        "connectionKey": key,
        "connection": {"technology": "Databricks", "hostname": host,
                       "httpPath": "/sql/1.0/warehouses/abc", "authenticationType": "token",
                       "token": "dapi-conn-token"},
        "nativeIntegration": {"type": "Databricks", "autoBootstrap": false,
                              "config": {"catalog": "immuta"}}
    })
}

fn lake_formation(key: &str) -> Value {
    json!({
        "connectionKey": key,
        "connection": {"technology": "AWS Lake Formation", "awsAccountId": "123456789012",
                       "awsRegion": "us-east-1", "authenticationType": "accessKey",
                       "awsAccessKeyId": "AKIACONN", "awsSecretAccessKey": "aws-conn-secret"},
        "settings": {"isActive": false, "activateNewChildren": true},
        "nativeIntegration": {"type": "AWS Lake Formation", "autoBootstrap": false}
    })
}

/// An emulator with the admin routes, key `k`, no delay.
async fn start_admin(g: Guesses, delay: Duration) -> (RunningEmulator, Client) {
    let emu = Emulator::builder()
        .api_key("k")
        .unprivileged_api_key("weak")
        .admin(true)
        .transition_delay(delay)
        .guesses(g)
        .start()
        .await
        .unwrap();
    let c = Client::new(&emu);
    (emu, c)
}

fn assert_no_secret(text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "secret {s} in {text}");
    }
}

/// Polls `/jobs?bulkId=` until the job is final; its status.
async fn wait_job(c: &Client, bulk: &Value) -> String {
    let id = match bulk {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    for _ in 0..250 {
        let r = c.get(&format!("/jobs?bulkId={id}")).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let j: immuta_api::connection::BulkJob = serde_json::from_slice(&r.body).unwrap();
        if j.status.is_final() {
            return j.status.as_str().to_string();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("job {id} never ended")
}

fn native_id(v: &Value) -> String {
    match &v["nativeIntegrationId"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => panic!("no nativeIntegrationId in {v}: {other}"),
    }
}

#[tokio::test]
async fn each_technology_lives_through_its_whole_lifecycle() {
    let (_emu, c) = start_admin(Guesses::default(), Duration::ZERO).await;
    let cases = [
        (
            snowflake("sf", "acme.snowflakecomputing.com"),
            "ANALYTICS",
            "warehouse",
            "WH2",
        ),
        (
            databricks("dbx", "acme.cloud.databricks.com"),
            "main",
            "httpPath",
            "/sql/1.0/warehouses/new",
        ),
        (lake_formation("lf"), "sales_db", "awsRegion", "eu-west-1"),
    ];
    for (body, db, field, new_value) in cases {
        let key = body["connectionKey"].as_str().unwrap().to_string();
        let scripted = body["nativeIntegration"]["type"] != "AWS Lake Formation";
        // The prerequisite script, from the native integration's body with
        // the connection's fields.
        let mut native = body["nativeIntegration"].clone();
        let conn = &body["connection"];
        let pairs: &[(&str, &str)] = if key == "sf" {
            &[
                ("hostname", "host"),
                ("warehouse", "warehouse"),
                ("authenticationType", "authenticationType"),
                ("username", "username"),
                ("password", "password"),
            ]
        } else {
            &[
                ("hostname", "workspaceUrl"),
                ("httpPath", "httpPath"),
                ("authenticationType", "authenticationType"),
                ("token", "token"),
            ]
        };
        for (from, to) in pairs {
            native["config"][*to] = conn[*from].clone();
        }
        let r = c.post("/integrations/scripts/create", &native).await;
        assert_eq!(
            r.status,
            if scripted { 200 } else { 400 },
            "{key}: {}",
            r.text()
        );

        let r = c.post("/data/connection", &body).await;
        assert_eq!(r.status, 200, "{key}: {}", r.text());
        assert_no_secret(&r.text());
        let created = r.json();
        assert_eq!(created["connectionKey"], key.as_str());
        let id = native_id(&created);
        c.wait_for(&id, "enabled").await;

        let got = c.get(&format!("/data/connection/{key}")).await;
        assert_eq!(got.status, 200, "{}", got.text());
        assert_no_secret(&got.text());
        let got = got.json();
        assert_eq!(got["nativeIntegrationId"], created["nativeIntegrationId"]);
        assert_eq!(
            got["connection"]["technology"],
            body["connection"]["technology"]
        );
        if scripted {
            assert_eq!(got["connection"]["port"], 443, "{got}");
        }

        // The first crawl found the databases.
        let root = c.get(&format!("/data/object/{key}")).await.json();
        assert_eq!(root["type"], "connection");
        assert_eq!(root["childCount"], 2, "{root}");
        let hits = c
            .post(&format!("/data/object/search/{key}"), &json!({}))
            .await
            .json();
        assert_eq!(hits["count"], 2, "{hits}");
        let found = c
            .post(
                &format!("/data/object/search/{key}"),
                &json!({"searchText": db}),
            )
            .await;
        assert_eq!(found.json()["hits"][0]["objectPath"], json!([key, db]));

        // Settings on a database: a bulk job; its tables follow.
        let r = c
            .put(
                &format!("/data/settings/{key}/{db}"),
                &json!({"isActive": false}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(wait_job(&c, &r.json()["bulkId"]).await, "completed");
        let below = c
            .post(&format!("/data/object/search/{key}/{db}"), &json!({}))
            .await
            .json();
        let child = below["hits"][0]["objectPath"].as_array().unwrap().clone();
        let path: Vec<&str> = child.iter().map(|p| p.as_str().unwrap()).collect();
        let o = c
            .get(&format!("/data/object/{}", path.join("/")))
            .await
            .json();
        assert_eq!(o["state"]["isActive"], false, "{o}");
        let d = c.get(&format!("/data/object/{key}/{db}")).await.json();
        assert_eq!(d["overrides"]["isActive"], false, "{d}");

        // Update: the same body with one change.
        let mut changed = body.clone();
        changed["connection"][field] = json!(new_value);
        let r = c.put(&format!("/data/connection/{key}"), &changed).await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["connection"][field], new_value);
        c.wait_for(&id, "enabled").await;

        // The platform gains a database; a crawl finds it.
        let r = c
            .put(
                &format!("/_emulator/connections/{key}/catalog"),
                &json!(["NEW_DB/s/t"]),
            )
            .await;
        assert_eq!(r.status, 204, "{}", r.text());
        let r = c.post(&format!("/data/crawl/{key}"), &json!({})).await;
        assert_eq!(wait_job(&c, &r.json()["bulkId"]).await, "completed");
        let new = c.get(&format!("/data/object/{key}/NEW_DB")).await.json();
        assert_eq!(new["state"]["inPlatform"], true, "{new}");
        let gone = c.get(&format!("/data/object/{key}/{db}")).await.json();
        assert_eq!(gone["state"]["inPlatform"], false, "{gone}");
        assert_eq!(gone["state"]["isActive"], false, "{gone}");

        // Delete in Immuta's order: the removal script, then the object.
        let r = c
            .post(&format!("/integrations/{id}/scripts/delete"), &json!({}))
            .await;
        assert_eq!(r.status, if scripted { 200 } else { 400 }, "{}", r.text());
        let r = c.delete(&format!("/data/object/{key}"), None).await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert!(
            r.json()["childCount"].as_u64().unwrap() >= 3,
            "{}",
            r.text()
        );
        assert_eq!(c.get(&format!("/data/connection/{key}")).await.status, 404);
        assert_eq!(c.get(&format!("/integrations/{id}")).await.status, 404);
        assert_eq!(
            c.get(&format!("/data/object/{key}/NEW_DB")).await.status,
            404
        );
    }
}

#[tokio::test]
async fn every_route_needs_the_key_and_the_permission() {
    let (_emu, c) = start_admin(Guesses::default(), Duration::ZERO).await;
    for (method, path) in [
        ("POST", "/data/connection"),
        ("GET", "/data/connection/x"),
        ("GET", "/data/object/x"),
        ("PUT", "/data/settings/x"),
        ("POST", "/data/crawl/x"),
        ("GET", "/jobs?bulkId=1"),
    ] {
        for (key, want) in [
            (None, 401),
            (Some("Bearer wrong"), 401),
            (Some("Bearer weak"), 403),
        ] {
            let mut h = vec![("content-type", "application/json")];
            if let Some(k) = key {
                h.push(("authorization", k));
            }
            let r = common::send(&c.base, method, path, &h, Some(b"{}".to_vec()))
                .await
                .unwrap();
            assert_eq!(r.status, want, "{method} {path} {key:?}");
            r.error_message();
        }
    }
    let r = common::send(
        &c.base,
        "GET",
        "/data/connection/x",
        &[("authorization", "Bearer k")],
        None,
    )
    .await
    .unwrap();
    assert_eq!(r.status, 404, "{}", r.text());
}

/// `body` with the member at `pointer` (`/a/b`) set to `value`, or
/// removed when `value` is `None`.
fn with(body: &Value, pointer: &str, value: Option<Value>) -> Value {
    let mut b = body.clone();
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let obj = b.pointer_mut(parent).unwrap().as_object_mut().unwrap();
    match value {
        Some(v) => obj.insert(key.to_string(), v),
        None => obj.remove(key),
    };
    b
}

#[tokio::test]
async fn validation_errors_name_the_field() {
    let (_emu, c) = start_admin(Guesses::default(), Duration::ZERO).await;
    let sf = snowflake("v", "v.snowflakecomputing.com");
    let cases = [
        (
            "/connectionKey",
            Some(json!("a.b")),
            400,
            "\"connectionKey\" must not contain",
        ),
        ("/connectionKey", None, 400, "\"connectionKey\" is required"),
        ("/extra", Some(json!(1)), 400, "\"extra\" is not allowed"),
        (
            "/connection/technology",
            Some(json!("Oracle")),
            400,
            "\"connection.technology\" must be one of",
        ),
        (
            "/connection/warehouse",
            None,
            400,
            "\"connection.warehouse\" is required",
        ),
        (
            "/connection/httpPath",
            Some(json!("/x")),
            400,
            "\"connection.httpPath\" is not allowed",
        ),
        (
            "/connection/port",
            Some(json!("443")),
            400,
            "\"connection.port\"",
        ),
        (
            "/connection/authenticationType",
            Some(json!("magic")),
            400,
            "\"connection.authenticationType\" must be one of",
        ),
        (
            "/connection/password",
            None,
            400,
            "\"connection.password\" is required",
        ),
        (
            "/connection/privateKey",
            Some(json!({"content": "k"})),
            400,
            "\"connection.privateKey\" is not allowed",
        ),
        (
            "/settings/isActive",
            Some(json!(null)),
            400,
            "\"settings.isActive\" cannot be inherited",
        ),
        (
            "/settings/isActive",
            Some(json!("yes")),
            400,
            "\"settings.isActive\"",
        ),
        (
            "/options/forceRecursiveCrawl",
            Some(json!(1)),
            400,
            "\"options.forceRecursiveCrawl\" must be a boolean",
        ),
        (
            "/nativeIntegration",
            None,
            400,
            "\"nativeIntegration\" is required",
        ),
        (
            "/nativeIntegration/type",
            Some(json!("Databricks")),
            400,
            "\"nativeIntegration.type\" must be \"Snowflake\"",
        ),
        (
            "/nativeIntegration/autoBootstrap",
            Some(json!(true)),
            400,
            "\"nativeIntegration.autoBootstrap\" must be false",
        ),
        (
            "/nativeIntegration/config/port",
            Some(json!(0)),
            400,
            "\"nativeIntegration.config.port\"",
        ),
        (
            "/nativeIntegration/config/nope",
            Some(json!(1)),
            400,
            "\"nativeIntegration.config.nope\" is not allowed",
        ),
        (
            "/connection/hostname",
            Some(json!("unreachable.snowflakecomputing.com")),
            422,
            "could not reach",
        ),
    ];
    for (pointer, value, status, want) in cases {
        let r = c.post("/data/connection", &with(&sf, pointer, value)).await;
        assert_eq!(r.status, status, "{want}: {}", r.text());
        let m = r.error_message();
        assert!(m.contains(want), "{want} not in {m}");
        assert_no_secret(&m);
    }
    let mut lf = lake_formation("lfv");
    lf["connection"]["authenticationType"] = json!("auto");
    let r = c.post("/data/connection", &lf).await;
    assert!(r
        .error_message()
        .contains("\"connection.awsRoleToAssume\" is required"));
    lf["connection"]["awsRoleToAssume"] = json!("not-an-arn");
    let r = c.post("/data/connection", &lf).await;
    assert!(
        r.error_message()
            .contains("\"connection.awsAccessKeyId\" is not allowed"),
        "{}",
        r.text()
    );
    let r = c.call("POST", "/data/connection", None).await;
    assert!(r.error_message().contains("body is required"));
    // Conflicts: the same key, the same host.
    assert_eq!(c.post("/data/connection", &sf).await.status, 200);
    let r = c.post("/data/connection", &sf).await;
    assert_eq!(r.status, 409);
    assert!(r.error_message().contains("connectionKey v already exists"));
    let r = c
        .post(
            "/data/connection",
            &snowflake("v2", "V.snowflakecomputing.com"),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text());
    // Settings bodies.
    for (body, want) in [
        (json!({"isActive": null}), "cannot be inherited"),
        (
            json!({"isActive": 1}),
            "\"isActive\" must be true, false or null",
        ),
        (
            json!({"dataOwners": [{"type": "robot", "name": "x"}]}),
            "\"dataOwners[0].type\"",
        ),
        (
            json!({"dataOwners": [{"type": "user"}]}),
            "\"dataOwners[0]\" needs",
        ),
        (json!({"other": true}), "\"other\" is not allowed"),
    ] {
        let r = c.put("/data/settings/v", &body).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text());
        assert!(r.error_message().contains(want), "{want}: {}", r.text());
    }
    assert_eq!(
        c.put("/data/settings/v/NOPE", &json!({"isActive": true}))
            .await
            .status,
        404
    );
    // An update cannot change the key or the technology.
    let mut other = sf.clone();
    other["connectionKey"] = json!("w");
    let r = c.put("/data/connection/v", &other).await;
    assert!(r
        .error_message()
        .contains("\"connectionKey\" cannot be changed"));
    let r = c
        .put(
            "/data/connection/v",
            &databricks("v", "v.cloud.databricks.com"),
        )
        .await;
    assert!(
        r.error_message().contains("cannot be changed"),
        "{}",
        r.text()
    );
}

#[tokio::test]
async fn settings_inherit_and_new_children_follow_activate_new_children() {
    let (_emu, c) = start_admin(Guesses::default(), Duration::ZERO).await;
    let mut body = snowflake("inh", "inh.snowflakecomputing.com");
    body["settings"] = json!({"isActive": true, "activateNewChildren": false});
    assert_eq!(c.post("/data/connection", &body).await.status, 200);
    let table = |t: &str| format!("/data/object/inh/ANALYTICS/PUBLIC/{t}");
    // Found by the first crawl, with activateNewChildren false: inactive.
    let o = c.get(&table("ORDERS")).await.json();
    assert_eq!(o["state"]["isActive"], false, "{o}");
    // Enabling the database activates what inherits from it.
    let r = c
        .put("/data/settings/inh/ANALYTICS", &json!({"isActive": true}))
        .await;
    wait_job(&c, &r.json()["bulkId"]).await;
    assert_eq!(
        c.get(&table("ORDERS")).await.json()["state"]["isActive"],
        true
    );
    // A schema of its own disabled; then inheriting again.
    let r = c
        .put(
            "/data/settings/inh/ANALYTICS/PUBLIC",
            &json!({"isActive": false}),
        )
        .await;
    wait_job(&c, &r.json()["bulkId"]).await;
    assert_eq!(
        c.get(&table("ORDERS")).await.json()["state"]["isActive"],
        false
    );
    let r = c
        .put(
            "/data/settings/inh/ANALYTICS/PUBLIC",
            &json!({"isActive": null, "dataOwners": [{"type": "group", "name": "stewards"}]}),
        )
        .await;
    wait_job(&c, &r.json()["bulkId"]).await;
    let o = c.get(&table("ORDERS")).await.json();
    assert_eq!(o["state"]["isActive"], true, "{o}");
    assert_eq!(o["settings"]["dataOwners"][0]["name"], "stewards", "{o}");
    // The root's settings show in the connection.
    let got = c.get("/data/connection/inh").await.json();
    assert_eq!(
        got["settings"],
        json!({"isActive": true, "activateNewChildren": false})
    );
    // A table deleted from Immuta alone: childCount 0, its parent keeps the rest.
    let r = c.delete(&table("ORDERS"), None).await;
    assert_eq!(r.json(), json!({"childCount": 0}));
    assert_eq!(
        c.get("/data/object/inh/ANALYTICS/PUBLIC").await.json()["childCount"],
        1
    );
    // Paging of a search.
    let p = c
        .post("/data/object/search/inh", &json!({"offset": 1, "size": 1}))
        .await
        .json();
    assert_eq!(
        (p["count"].as_u64(), p["hits"].as_array().unwrap().len()),
        (Some(2), 1)
    );
}

#[tokio::test]
async fn jobs_complete_fail_and_are_looked_up_by_bulk_id() {
    let (_emu, c) = start_admin(Guesses::default(), Duration::from_millis(150)).await;
    assert_eq!(
        c.post(
            "/data/connection",
            &snowflake("fail-job-conn", "fj.snowflakecomputing.com")
        )
        .await
        .status,
        200
    );
    let r = c.post("/data/crawl/fail-job-conn", &json!({})).await;
    let bulk = r.json()["bulkId"].clone();
    let j = c
        .get(&format!("/jobs?bulkId={}", bulk.as_str().unwrap()))
        .await
        .json();
    assert_eq!(j["status"], "running", "{j}");
    assert_eq!(wait_job(&c, &bulk).await, "failed");
    assert_eq!(c.get("/jobs").await.status, 400);
    assert_eq!(c.get("/jobs?bulkId=x").await.status, 400);
    let r = c.get("/jobs?bulkId=999").await;
    assert_eq!(r.status, 404);
    assert!(r.error_message().contains("999"));
    // A PUT while the native integration is still being created: 409.
    assert_eq!(
        c.post(
            "/data/connection",
            &databricks("slow", "slow.cloud.databricks.com")
        )
        .await
        .status,
        200
    );
    let r = c
        .put(
            "/data/connection/slow",
            &databricks("slow", "slow.cloud.databricks.com"),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text());
}

#[tokio::test]
async fn faults_and_the_request_log_cover_the_connection_api() {
    let (emu, c) = start_admin(Guesses::default(), Duration::ZERO).await;
    emu.set_faults(FaultConfig {
        script: vec![immuta_emulator::Fault::ServiceUnavailable],
        ..Default::default()
    })
    .unwrap();
    let r = c.get("/data/connection/none").await;
    assert_eq!(r.status, 503);
    assert!(r.header("retry-after").is_some());
    assert_eq!(
        c.post("/data/connection", &lake_formation("logged"))
            .await
            .status,
        200
    );
    let reqs = emu.requests();
    let post = reqs
        .iter()
        .find(|r| r.method == "POST" && r.path == "/data/connection")
        .unwrap();
    assert!(post.body.as_deref().unwrap().contains("logged"));
    assert_eq!(emu.request_count("GET", "/data/connection/none"), 1);
}

/// The connection guesses, each tested below.
const TESTED: &[&str] = &[
    "connection-answer=job",
    "connection-answer=empty",
    "connection-put=merge",
    "connection-secrets=bracketed",
    "connection-secrets=omitted",
    "job-shape=list",
    "connection-delete=job",
];

#[test]
fn every_connection_variant_is_tested() {
    let mut all: Vec<&str> = Guesses::connection_variants()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let mut t = TESTED.to_vec();
    all.sort();
    t.sort();
    assert_eq!(all, t);
}

#[tokio::test]
async fn the_create_answer_is_the_connection_a_job_or_nothing() {
    let (_e, c) = start_with(Guesses::default()).await;
    let r = c
        .post(
            "/data/connection",
            &snowflake("a", "a.snowflakecomputing.com"),
        )
        .await;
    assert!(r.json()["nativeIntegrationId"].is_string());
    let (_e, c) = start_with(Guesses {
        connection_answer: ConnectionAnswer::Job,
        ..Default::default()
    })
    .await;
    let r = c
        .post(
            "/data/connection",
            &snowflake("a", "a.snowflakecomputing.com"),
        )
        .await;
    let v = r.json();
    assert_eq!(v["connectionKey"], "a");
    assert!(v.get("nativeIntegrationId").is_none(), "{v}");
    assert_eq!(wait_job(&c, &v["bulkId"]).await, "completed");
    assert_eq!(c.get("/data/object/a").await.json()["childCount"], 2);
    let r = c
        .put(
            "/data/connection/a",
            &snowflake("a", "a.snowflakecomputing.com"),
        )
        .await;
    assert!(r.json()["bulkId"].is_string(), "{}", r.text());
    let (_e, c) = start_with(Guesses {
        connection_answer: ConnectionAnswer::Empty,
        ..Default::default()
    })
    .await;
    let r = c
        .post(
            "/data/connection",
            &snowflake("a", "a.snowflakecomputing.com"),
        )
        .await;
    assert_eq!((r.status, r.body.len()), (204, 0));
    assert_eq!(c.get("/data/connection/a").await.status, 200);
}

#[tokio::test]
async fn a_full_put_resets_what_it_leaves_out_and_a_merge_keeps_it() {
    let partial = json!({"connection": {"warehouse": "WH2"}});
    let (_e, c) = start_with(Guesses::default()).await;
    c.post(
        "/data/connection",
        &snowflake("p", "p.snowflakecomputing.com"),
    )
    .await;
    let r = c.put("/data/connection/p", &partial).await;
    assert!(
        r.error_message()
            .contains("\"connection.technology\" is required"),
        "{}",
        r.text()
    );
    let mut no_options = snowflake("p", "p.snowflakecomputing.com");
    no_options.as_object_mut().unwrap().remove("options");
    let r = c.put("/data/connection/p", &no_options).await;
    assert_eq!(
        r.json()["options"],
        json!({"forceRecursiveCrawl": false}),
        "{}",
        r.text()
    );

    let (emu, c) = start_with(Guesses {
        connection_put: ConnectionPut::Merge,
        ..Default::default()
    })
    .await;
    c.post(
        "/data/connection",
        &snowflake("p", "p.snowflakecomputing.com"),
    )
    .await;
    let r = c.put("/data/connection/p", &partial).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["connection"]["warehouse"], "WH2");
    assert_eq!(v["connection"]["role"], "IMMUTA_ROLE");
    assert_eq!(v["options"]["forceRecursiveCrawl"], true);
    // The native integration holds the new warehouse and the kept password.
    let i = emu.integrations_with_secrets().await;
    let cfg = serde_json::to_value(&i[0]).unwrap()["config"].clone();
    assert_eq!(
        (cfg["warehouse"].as_str(), cfg["password"].as_str()),
        (Some("WH2"), Some("sf-secret-pw"))
    );
}

#[tokio::test]
async fn secrets_are_redacted_bracketed_or_left_out_and_placeholders_keep_them() {
    for (secrets, want) in [
        (ConnectionSecrets::Redacted, Some("<REDACTED>")),
        (ConnectionSecrets::Bracketed, Some("[REDACTED]")),
        (ConnectionSecrets::Omitted, None),
    ] {
        let g = Guesses {
            connection_secrets: secrets,
            ..Default::default()
        };
        let (emu, c) = start_with(g).await;
        c.post(
            "/data/connection",
            &snowflake("s", "s.snowflakecomputing.com"),
        )
        .await;
        c.post("/data/connection", &lake_formation("l")).await;
        let v = c.get("/data/connection/s").await.json();
        assert_eq!(v["connection"]["password"].as_str(), want, "{v}");
        // The native config shows what was sent in it (the password came
        // from the connection object).
        assert!(
            v["nativeIntegration"]["config"].get("password").is_none(),
            "{v}"
        );
        let l = c.get("/data/connection/l").await.json();
        assert_eq!(l["connection"]["awsSecretAccessKey"].as_str(), want, "{l}");
        assert_eq!(l["connection"]["awsAccessKeyId"], "AKIACONN");
        assert_no_secret(&v.to_string());
        // Sending the GET answer back keeps the stored secrets.
        let mut back = v.clone();
        for k in ["nativeIntegrationId", "settings"] {
            back.as_object_mut().unwrap().remove(k);
        }
        if want.is_none() {
            back["connection"]["password"] = json!("<REDACTED>");
            back["connection"]["username"] = json!("<REDACTED>");
        }
        let r = c.put("/data/connection/s", &back).await;
        assert_eq!(r.status, 200, "{secrets:?}: {}", r.text());
        let i = emu.integrations_with_secrets().await;
        let cfg = serde_json::to_value(&i[0]).unwrap()["config"].clone();
        assert_eq!(cfg["password"], "sf-secret-pw", "{secrets:?}");
    }
    // Unless the literal is stored.
    let (emu, c) = start_with(Guesses {
        store_redacted_put: true,
        ..Default::default()
    })
    .await;
    c.post(
        "/data/connection",
        &snowflake("s", "s.snowflakecomputing.com"),
    )
    .await;
    let mut back = snowflake("s", "s.snowflakecomputing.com");
    back["connection"]["password"] = json!("<REDACTED>");
    assert_eq!(c.put("/data/connection/s", &back).await.status, 200);
    let i = emu.integrations_with_secrets().await;
    assert_eq!(
        serde_json::to_value(&i[0]).unwrap()["config"]["password"],
        "<REDACTED>"
    );
}

#[tokio::test]
async fn the_integration_switches_shape_connection_answers_too() {
    let g = Guesses {
        id_type: IdType::Number,
        scalars_as_strings: true,
        redact: Redact::More,
        ..Default::default()
    };
    let (_e, c) = start_with(g).await;
    let v = c
        .post(
            "/data/connection",
            &snowflake("g", "g.snowflakecomputing.com"),
        )
        .await
        .json();
    assert!(v["nativeIntegrationId"].is_number(), "{v}");
    assert_eq!(v["connection"]["port"], "443");
    assert_eq!(v["settings"]["isActive"], "true");
    assert_eq!(v["connection"]["role"], "<REDACTED>");
    let o = c.get("/data/object/g").await.json();
    assert_eq!(o["childCount"], "2", "{o}");
    let (_e, c) = start_with(Guesses {
        echo_defaults: false,
        ..Default::default()
    })
    .await;
    let mut body = databricks("d", "d.cloud.databricks.com");
    body["settings"] = json!({"isActive": true});
    let v = c.post("/data/connection", &body).await.json();
    assert!(v["connection"].get("port").is_none(), "{v}");
    assert!(
        v["nativeIntegration"]["config"].get("audit").is_none(),
        "{v}"
    );
    assert_eq!(v["settings"], json!({"isActive": true}));
    assert!(v.get("options").is_none(), "{v}");
}

#[tokio::test]
async fn jobs_answer_as_a_summary_or_a_list() {
    let (_e, c) = start_with(Guesses::default()).await;
    c.post(
        "/data/connection",
        &snowflake("j", "j.snowflakecomputing.com"),
    )
    .await;
    let b = c.post("/data/crawl/j/ANALYTICS", &json!({})).await.json()["bulkId"].clone();
    let s = c
        .get(&format!("/jobs?bulkId={}", b.as_str().unwrap()))
        .await
        .json();
    assert_eq!(s["status"], "completed", "{s}");
    assert_eq!(s["total"], 6, "{s}");
    let (_e, c) = start_with(Guesses {
        job_shape: JobShape::List,
        id_type: IdType::Number,
        ..Default::default()
    })
    .await;
    c.post(
        "/data/connection",
        &snowflake("j", "j.snowflakecomputing.com"),
    )
    .await;
    let b = c
        .put("/data/settings/j/RAW", &json!({"isActive": false}))
        .await
        .json()["bulkId"]
        .clone();
    assert!(b.is_number());
    let l = c.get(&format!("/jobs?bulkId={b}")).await.json();
    let list = l.as_array().unwrap();
    assert_eq!(list.len(), 3, "{l}");
    assert_eq!(list[0]["objectPath"], json!(["j", "RAW"]));
    assert_eq!(list[0]["bulkId"], b);
    assert_eq!(wait_job(&c, &b).await, "completed");
}

#[tokio::test]
async fn a_delete_is_at_once_or_a_job() {
    let g = Guesses {
        connection_delete: ConnectionDelete::Job,
        ..Default::default()
    };
    let (_e, c) = start_admin(g, Duration::from_millis(200)).await;
    c.post(
        "/data/connection",
        &snowflake("d", "d.snowflakecomputing.com"),
    )
    .await;
    let id = native_id(&c.get("/data/connection/d").await.json());
    c.wait_for(&id, "enabled").await;
    tokio::time::sleep(Duration::from_millis(250)).await;
    let r = c.delete("/data/object/d", None).await;
    let v = r.json();
    assert_eq!(v["childCount"], 9, "{v}");
    // Until the job ends, the connection is there and refuses changes.
    assert_eq!(c.get("/data/connection/d").await.status, 200);
    let r = c
        .put(
            "/data/connection/d",
            &snowflake("d", "d.snowflakecomputing.com"),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text());
    let again = c.delete("/data/object/d", None).await.json();
    assert_eq!(again["bulkId"], v["bulkId"]);
    assert_eq!(wait_job(&c, &v["bulkId"]).await, "completed");
    assert_eq!(c.get("/data/connection/d").await.status, 404);
    assert_eq!(c.get(&format!("/integrations/{id}")).await.status, 404);
}

#[tokio::test]
async fn the_models_read_every_answer_under_every_guess() {
    use immuta_api::connection::{BulkAnswer, Connection, DataObject, SearchAnswer};
    let mut all = Guesses::connection_variants();
    all.push(("defaults", Guesses::default()));
    all.push(("alternatives", Guesses::alternatives()));
    for (name, g) in all {
        let (_e, c) = start_with(g).await;
        let mut key_pair = snowflake("kp", "kp.snowflakecomputing.com");
        key_pair["connection"]["authenticationType"] = json!("keyPair");
        key_pair["connection"]["privateKey"] =
            json!({"keyName": "PRIV_KEY_FILE", "content": "-----BEGIN PRIVATE KEY-----"});
        key_pair["connection"]
            .as_object_mut()
            .unwrap()
            .remove("password");
        let mut m2m = databricks("m2m", "m2m.cloud.databricks.com");
        m2m["connection"]["authenticationType"] = json!("oAuthM2M");
        m2m["connection"].as_object_mut().unwrap().remove("token");
        m2m["connection"]["oAuthClientConfig"] = json!({"useCertificate": false,
            "clientId": "id", "clientSecret": "m2m-secret", "authorityUrl": "https://login.example.com",
            "scope": "all-apis"});
        for body in [key_pair, m2m, lake_formation("lf")] {
            let key = body["connectionKey"].as_str().unwrap();
            let r = c.post("/data/connection", &body).await;
            assert!(matches!(r.status, 200 | 204), "{name} {key}: {}", r.text());
            if r.status == 200 {
                let a: Value = r.json();
                if a.get("nativeIntegration").is_some() {
                    serde_json::from_value::<Connection>(a).unwrap();
                } else {
                    serde_json::from_value::<BulkAnswer>(a).unwrap();
                }
            }
            let got = c.get(&format!("/data/connection/{key}")).await;
            assert!(!got.text().contains("m2m-secret"), "{name}");
            let conn: Connection = serde_json::from_slice(&got.body).unwrap();
            assert!(conn.native_integration_id.is_some(), "{name}");
            let o: DataObject =
                serde_json::from_slice(&c.get(&format!("/data/object/{key}")).await.body).unwrap();
            assert_eq!(o.object_path, vec![key.to_string()], "{name}");
            let s: SearchAnswer = serde_json::from_slice(
                &c.post(&format!("/data/object/search/{key}"), &json!({}))
                    .await
                    .body,
            )
            .unwrap();
            assert_eq!(s.count, 2, "{name}");
            let b: BulkAnswer = serde_json::from_slice(
                &c.put(&format!("/data/settings/{key}"), &json!({"isActive": true}))
                    .await
                    .body,
            )
            .unwrap();
            let bulk = serde_json::to_value(b.bulk_id.unwrap()).unwrap();
            assert_eq!(wait_job(&c, &bulk).await, "completed", "{name}");
            let d: BulkAnswer =
                serde_json::from_slice(&c.delete(&format!("/data/object/{key}"), None).await.body)
                    .unwrap();
            assert!(d.child_count.unwrap() >= 3, "{name}");
            if let Some(b) = d.bulk_id {
                wait_job(&c, &serde_json::to_value(b).unwrap()).await;
            }
        }
    }
}
