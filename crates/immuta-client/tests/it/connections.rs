//! The connection API's client against the emulator: each technology's
//! lifecycle under the default guesses and under each connection switch,
//! the create guard (a lost answer is looked up, never sent again
//! blindly), the checks of object paths, and the job waiter (a failed job,
//! cancellation, a time-out, an unknown job).

use crate::wait::fast;
use immuta_client::immuta_api::connection::{
    is_placeholder, Activation, ConnectionPayload, JobStatus, ObjectSettings, SearchRequest,
};
use immuta_client::immuta_api::{IntegrationStatus, Secret};
use immuta_client::{
    check_object_path, wait_for, wait_for_job, ClientConfig, ClientError, ImmutaClient,
    JobWaitError, RetryPolicy, WaitOutcome, WaitTarget,
};
use immuta_emulator::{
    ConnectionAnswer, ConnectionDelete, Emulator, FaultConfig, Guesses, RunningEmulator,
};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const SECRETS: &[&str] = &["sf-conn-pw", "dapi-conn-tok", "aws-conn-key"];

fn payload(v: Value) -> ConnectionPayload {
    serde_json::from_value(v).unwrap()
}

fn snowflake(key: &str) -> ConnectionPayload {
    payload(json!({
        "connectionKey": key,
        "connection": {"technology": "Snowflake", "hostname": format!("{key}.snowflakecomputing.com"),
                       "warehouse": "WH", "role": "IMMUTA_ROLE", "authenticationType": "userPassword",
                       "username": "immuta_system", "password": "sf-conn-pw"},
        "settings": {"isActive": true},
        "nativeIntegration": {"type": "Snowflake", "autoBootstrap": false,
                              "config": {"database": "IMMUTA_DB"}}
    }))
}

fn databricks(key: &str) -> ConnectionPayload {
    payload(json!({
        "connectionKey": key,
        "connection": {"technology": "Databricks", "hostname": format!("{key}.cloud.databricks.com"),
                       "httpPath": "/sql/1.0/warehouses/abc", "authenticationType": "token",
                       "token": "dapi-conn-tok"},
        "nativeIntegration": {"type": "Databricks", "autoBootstrap": false,
                              "config": {"catalog": "immuta"}}
    }))
}

fn lake_formation(key: &str) -> ConnectionPayload {
    payload(json!({
        "connectionKey": key,
        "connection": {"technology": "AWS Lake Formation", "awsAccountId": "123456789012",
                       "awsRegion": "us-east-1", "authenticationType": "accessKey",
                       "awsAccessKeyId": "AKIACONN", "awsSecretAccessKey": "aws-conn-key"},
        "settings": {"isActive": false, "activateNewChildren": true},
        "nativeIntegration": {"type": "AWS Lake Formation", "autoBootstrap": false}
    }))
}

async fn start(
    guesses: Guesses,
    delay: Duration,
    retry: RetryPolicy,
) -> (RunningEmulator, ImmutaClient) {
    let emu = Emulator::builder()
        .guesses(guesses)
        .transition_delay(delay)
        .start()
        .await
        .unwrap();
    let mut cfg = ClientConfig::new(emu.url(), emu.api_key());
    cfg.retry = retry;
    let client = ImmutaClient::new(cfg).unwrap();
    (emu, client)
}

/// Retries with short pauses.
fn quick() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

fn path(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|p| p.to_string()).collect()
}

/// Waits for the job an answer named, if any; it must complete.
async fn finish(client: &ImmutaClient, bulk_id: Option<&immuta_client::immuta_api::IntegrationId>) {
    if let Some(id) = bulk_id {
        let done = wait_for_job(client, id.as_str(), fast(Duration::from_secs(10)))
            .await
            .unwrap();
        assert_eq!(done.job.status, JobStatus::Completed);
    }
}

/// Waits for the native integration to reach `target`.
async fn reach(client: &ImmutaClient, id: &str, target: WaitTarget) -> WaitOutcome {
    wait_for(client, id, target, fast(Duration::from_secs(10)))
        .await
        .unwrap()
}

fn assert_redacted(secret: Option<&Secret>, what: &str) {
    if let Some(s) = secret {
        assert!(is_placeholder(s), "{what} was answered in clear");
    }
}

/// Create, read, settings, search, crawl, update and delete of one
/// connection, as the provider will make them.
async fn lifecycle(name: &str, g: Guesses, client: &ImmutaClient, p: ConnectionPayload) {
    let key = p.connection_key.clone();
    let made = client.create_connection(&p).await.unwrap();
    match g.connection_answer {
        ConnectionAnswer::Connection => {
            assert!(made.native_integration_id().is_some(), "{name}: {made:?}");
        }
        ConnectionAnswer::Job => assert!(made.bulk_id.is_some(), "{name}: {made:?}"),
        ConnectionAnswer::Empty => assert_eq!(made, Default::default(), "{name}"),
    }
    finish(client, made.bulk_id.as_ref()).await;
    let read = client.get_connection(&key).await.unwrap();
    let native = read
        .native_integration_id
        .clone()
        .expect("nativeIntegrationId");
    if let Some(id) = made.native_integration_id() {
        assert_eq!(id, &native, "{name}");
    }
    let enabled = reach(client, native.as_str(), WaitTarget::Enabled).await;
    assert!(matches!(enabled, WaitOutcome::Enabled { .. }), "{name}");
    let spec = read.connection.clone().unwrap_or_default();
    assert_redacted(spec.password.as_ref(), "password");
    assert_redacted(spec.token.as_ref(), "token");
    assert_redacted(spec.aws_secret_access_key.as_ref(), "awsSecretAccessKey");
    assert!(!format!("{read:?}").contains("conn-"), "{name}: {read:?}");

    // The root and its children.
    let root = client.get_object(&path(&[&key])).await.unwrap();
    assert_eq!(root.object_path, vec![key.clone()], "{name}");
    let children = client
        .search_objects(&path(&[&key]), &SearchRequest::default())
        .await
        .unwrap();
    assert!(
        children.count >= 1 && !children.hits.is_empty(),
        "{name}: {children:?}"
    );
    let db = children.hits[0].object_path.clone();
    assert_eq!(db.len(), 2, "{name}: {db:?}");

    // A setting on a database, through a bulk job.
    let off = ObjectSettings {
        is_active: Some(Activation::Disable),
        ..Default::default()
    };
    let set = client.set_object_settings(&db, &off).await.unwrap();
    assert!(set.bulk_id.is_some(), "{name}: {set:?}");
    finish(client, set.bulk_id.as_ref()).await;
    let o = client.get_object(&db).await.unwrap();
    assert_eq!(
        o.overrides.and_then(|s| s.is_active),
        Some(Activation::Disable),
        "{name}"
    );
    let crawl = client.crawl(&path(&[&key])).await.unwrap();
    finish(client, crawl.bulk_id.as_ref()).await;

    // The whole body again, one field changed.
    let mut changed = p.clone();
    changed.connection.warehouse = changed
        .connection
        .warehouse
        .as_ref()
        .map(|_| "WH2".to_string());
    changed.connection.http_path = changed
        .connection
        .http_path
        .as_ref()
        .map(|_| "/sql/1.0/warehouses/new".to_string());
    changed.connection.aws_region = changed
        .connection
        .aws_region
        .as_ref()
        .map(|_| "eu-west-1".to_string());
    let updated = client.update_connection(&key, &changed).await.unwrap();
    finish(client, updated.bulk_id.as_ref()).await;
    reach(client, native.as_str(), WaitTarget::Enabled).await;
    let read = client.get_connection(&key).await.unwrap();
    let spec = read.connection.unwrap_or_default();
    if p.connection.http_path.is_some() {
        assert_eq!(
            spec.http_path.as_deref(),
            Some("/sql/1.0/warehouses/new"),
            "{name}"
        );
    } else if p.connection.aws_region.is_some() {
        assert_eq!(spec.aws_region.as_deref(), Some("eu-west-1"), "{name}");
    } else {
        assert_eq!(spec.warehouse.as_deref(), Some("WH2"), "{name}");
    }

    // Delete: the object, then (maybe) its job; the connection is gone.
    let gone = client.delete_object(&path(&[&key])).await.unwrap();
    assert!(gone.child_count.is_some(), "{name}: {gone:?}");
    assert_eq!(
        gone.bulk_id.is_some(),
        g.connection_delete == ConnectionDelete::Job,
        "{name}"
    );
    finish(client, gone.bulk_id.as_ref()).await;
    let e = client.get_connection(&key).await.unwrap_err();
    assert!(e.is_not_found(), "{name}: {e}");
    reach(client, native.as_str(), WaitTarget::Gone).await;
}

#[tokio::test]
async fn every_technology_under_every_connection_switch() {
    let mut all = vec![("default", Guesses::default())];
    all.extend(Guesses::connection_variants());
    all.push(("alternatives", Guesses::alternatives()));
    for (name, g) in all {
        let (emu, client) = start(g, Duration::ZERO, RetryPolicy::none()).await;
        for p in [snowflake("sf"), databricks("dbx"), lake_formation("lf")] {
            let label = format!("{name} {}", p.connection_key);
            lifecycle(&label, g, &client, p).await;
        }
        for r in emu.requests() {
            for s in SECRETS {
                assert!(!r.path.contains(s), "{name}: {s} in {}", r.path);
            }
        }
    }
}

#[tokio::test]
async fn a_lost_create_answer_is_looked_up_not_sent_again() {
    let retry = quick();
    for g in [Guesses::default(), Guesses::alternatives()] {
        let (emu, client) = start(g, Duration::ZERO, retry.clone()).await;
        emu.set_faults(FaultConfig {
            lose_answers_to: vec!["POST".into()],
            ..Default::default()
        })
        .unwrap();
        let made = client.create_connection(&snowflake("lost")).await.unwrap();
        let found = made.connection.as_ref().expect("the connection GET found");
        assert_eq!(found.connection_key, "lost");
        assert!(made.native_integration_id().is_some());
        assert_eq!(emu.request_count("POST", "/data/connection"), 1);
        assert_eq!(emu.request_count("GET", "/data/connection/lost"), 2);
    }
}

#[tokio::test]
async fn a_refused_post_is_sent_again_and_a_taken_key_only_once() {
    let retry = quick();
    let (emu, client) = start(Guesses::default(), Duration::ZERO, retry).await;
    // The first GET passes; the POST meets a 503, is looked up, sent again.
    emu.set_faults(FaultConfig {
        script: vec![
            immuta_emulator::Fault::Pass,
            immuta_emulator::Fault::ServiceUnavailable,
        ],
        retry_after_secs: 0,
        ..Default::default()
    })
    .unwrap();
    client.create_connection(&databricks("busy")).await.unwrap();
    assert_eq!(emu.request_count("POST", "/data/connection"), 2);
    // A key already taken: one POST, Immuta's 409.
    let e = client
        .create_connection(&databricks("busy"))
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(409), "{e}");
    assert_eq!(emu.request_count("POST", "/data/connection"), 3);
    assert!(!e.to_string().contains("dapi-conn-tok"), "{e}");
}

#[tokio::test]
async fn paths_and_ids_are_checked_before_any_request() {
    let (emu, client) = start(Guesses::default(), Duration::ZERO, RetryPolicy::none()).await;
    for bad in [
        vec![],
        path(&[".."]),
        path(&["a/b"]),
        path(&["k", ""]),
        path(&["k", ".."]),
        path(&["k", "."]),
        path(&["k", "a/b"]),
        path(&["k", "db\n"]),
        vec!["k".into(), "x".repeat(256)],
    ] {
        let e = client.get_object(&bad).await.unwrap_err();
        assert!(matches!(e, ClientError::InvalidId { .. }), "{bad:?}: {e:?}");
        assert!(check_object_path(&bad).is_err());
    }
    for bad in ["", "..", "a b", "k%2e"] {
        assert!(matches!(
            client.get_connection(bad).await,
            Err(ClientError::InvalidId { .. })
        ));
        assert!(matches!(
            client.bulk_job(bad).await,
            Err(ClientError::InvalidId { .. })
        ));
    }
    let mut p = snowflake("sf");
    p.connection_key = "../integrations".into();
    assert!(matches!(
        client.create_connection(&p).await,
        Err(ClientError::InvalidId { .. })
    ));
    assert!(emu.requests().is_empty(), "{:?}", emu.requests());
    // Names with blanks, dots, `%`, `?` and `#` are one encoded segment each.
    let odd = path(&["k", "MY DB.x", "50%?#"]);
    check_object_path(&odd).unwrap();
    let e = client.get_object(&odd).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let seen = emu.requests();
    assert_eq!(seen.len(), 1);
    assert!(
        seen[0].path.starts_with("/data/object/k/MY"),
        "{}",
        seen[0].path
    );
}

#[tokio::test]
async fn a_failed_job_is_an_error_in_either_shape() {
    for g in [Guesses::default(), Guesses::alternatives()] {
        let (_emu, client) = start(g, Duration::from_millis(30), RetryPolicy::none()).await;
        let made = client
            .create_connection(&lake_formation("fail-job-lf"))
            .await
            .unwrap();
        if let Some(id) = made.bulk_id {
            // Under `connection-answer=job` the create's own crawl fails.
            let e = wait_for_job(&client, id.as_str(), fast(Duration::from_secs(10)))
                .await
                .unwrap_err();
            assert!(matches!(e, JobWaitError::Failed { .. }), "{e:?}");
        }
        let crawl = client.crawl(&path(&["fail-job-lf"])).await.unwrap();
        let id = crawl.bulk_id.unwrap();
        let e = wait_for_job(&client, id.as_str(), fast(Duration::from_secs(10)))
            .await
            .unwrap_err();
        let JobWaitError::Failed { bulk_id, job } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(bulk_id, id.as_str());
        assert_eq!(job.status, JobStatus::Failed);
        assert!(e.to_string().contains("failed"), "{e}");
        let e = wait_for_job(&client, "999", fast(Duration::from_secs(5)))
            .await
            .unwrap_err();
        assert!(matches!(e, JobWaitError::NotFound { .. }), "{e:?}");
    }
}

#[tokio::test]
async fn a_job_wait_stops_when_cancelled_or_out_of_time() {
    let (_emu, client) = start(
        Guesses::default(),
        Duration::from_secs(60),
        RetryPolicy::none(),
    )
    .await;
    client.create_connection(&snowflake("slow")).await.unwrap();
    let crawl = client.crawl(&path(&["slow"])).await.unwrap();
    let id = crawl.bulk_id.unwrap();

    let opts = fast(Duration::from_secs(60));
    let cancel = opts.cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(80)).await;
        cancel.cancel();
    });
    let started = Instant::now();
    let e = wait_for_job(&client, id.as_str(), opts).await.unwrap_err();
    assert!(matches!(e, JobWaitError::Cancelled { .. }), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(5));

    let e = wait_for_job(&client, id.as_str(), fast(Duration::from_millis(100)))
        .await
        .unwrap_err();
    let JobWaitError::Timeout { last_seen, .. } = &e else {
        panic!("{e:?}")
    };
    assert!(last_seen.to_string().contains("running"), "{e}");
    // Cancelled through the client's own token, mid-request or between.
    let token = CancellationToken::new();
    token.cancel();
    let e = wait_for_job(
        &client.with_cancellation(token),
        id.as_str(),
        fast(Duration::from_secs(5)),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, JobWaitError::Cancelled { .. }), "{e:?}");
    // The native integration is still being created meanwhile.
    let read = client.get_connection("slow").await.unwrap();
    let st = client
        .status(read.native_integration_id.unwrap().as_str())
        .await
        .unwrap();
    assert_eq!(st.status, Some(IntegrationStatus::Creating));
}

#[tokio::test]
async fn an_update_whose_answer_was_lost_is_sent_again_once_settled() {
    let retry = quick();
    let (emu, client) = start(Guesses::default(), Duration::from_millis(150), retry).await;
    let p = snowflake("upd");
    let made = client.create_connection(&p).await.unwrap();
    let native = made.native_integration_id().unwrap().clone();
    reach(&client, native.as_str(), WaitTarget::Enabled).await;
    emu.set_faults(FaultConfig {
        lose_answers_to: vec!["PUT".into()],
        ..Default::default()
    })
    .unwrap();
    let mut changed = p.clone();
    changed.connection.warehouse = Some("WH_LOST".into());
    // Lost, then 409 (`editing`), then, once enabled, applied again.
    client.update_connection("upd", &changed).await.unwrap();
    assert_eq!(emu.request_count("PUT", "/data/connection/upd"), 3);
    let read = client.get_connection("upd").await.unwrap();
    assert_eq!(
        read.connection.unwrap().warehouse.as_deref(),
        Some("WH_LOST")
    );
    // A 409 on a first send is the answer.
    let e = client.update_connection("upd", &changed).await.unwrap_err();
    assert_eq!(e.status(), Some(409), "{e}");
}

#[tokio::test]
async fn logs_name_requests_but_no_secret_key_or_body() {
    let capture = crate::client::global_capture();
    let retry = quick();
    let (emu, client) = start(Guesses::default(), Duration::ZERO, retry).await;
    emu.set_faults(FaultConfig {
        lose_answers_to: vec!["POST".into(), "PUT".into()],
        ..Default::default()
    })
    .unwrap();
    let p = snowflake("logconn");
    client.create_connection(&p).await.unwrap();
    client.update_connection("logconn", &p).await.unwrap();
    let e = client.create_connection(&p).await.unwrap_err();
    assert!(!format!("{e} {e:?}").contains("sf-conn-pw"), "{e:?}");

    let text = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    let ours: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("/data/connection") && l.contains("logconn"))
        .collect();
    assert!(
        ours.iter()
            .any(|l| l.contains("PUT /data/connection/logconn") && l.contains("status=200")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("answer was lost") && l.contains("POST /data/connection")),
        "{text}"
    );
    for s in SECRETS {
        assert!(!text.contains(s), "{s} logged: {text}");
    }
    assert!(!text.contains(emu.api_key()), "{text}");
    assert!(
        !text.to_ascii_lowercase().contains("authorization"),
        "{text}"
    );
}
