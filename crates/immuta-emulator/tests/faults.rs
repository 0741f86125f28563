//! Fault injection: 429/503 with Retry-After, dropped connections, latency,
//! scripted faults, the admin endpoints, and the request log.

mod common;

use common::payloads::*;
use common::{send, Client};
use immuta_emulator::{Emulator, Fault, FaultConfig};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn scripted_faults_answer_429_503_and_drop_then_recover() {
    let emu = Emulator::builder()
        .api_key("k")
        .faults(FaultConfig {
            script: vec![
                Fault::TooManyRequests,
                Fault::ServiceUnavailable,
                Fault::Drop,
                Fault::Pass,
            ],
            retry_after_secs: 7,
            ..Default::default()
        })
        .start()
        .await
        .unwrap();
    let c = Client::new(&emu);
    let r = c.get("/integrations").await;
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after").as_deref(), Some("7"));
    assert_eq!(r.json()["error"], "Too Many Requests");
    let r = c.get("/integrations").await;
    assert_eq!(r.status, 503);
    assert_eq!(r.header("retry-after").as_deref(), Some("7"));
    let dropped = send(
        &c.base,
        "GET",
        "/integrations",
        &[("authorization", "k")],
        None,
    )
    .await;
    assert!(
        dropped.is_err(),
        "the connection is closed without an answer"
    );
    assert_eq!(c.get("/integrations").await.status, 200);
    assert_eq!(c.get("/integrations").await.status, 200);
    let log = emu.requests();
    let statuses: Vec<u16> = log.iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![429, 503, 0, 200, 200]);
    assert_eq!(log[2].fault.as_deref(), Some("drop"));
    assert_eq!(emu.request_count("GET", "/integrations"), 5);
}

#[tokio::test]
async fn a_fault_stops_a_create_before_it_happens() {
    let emu = Emulator::builder()
        .api_key("k")
        .faults(FaultConfig {
            script: vec![Fault::ServiceUnavailable],
            ..Default::default()
        })
        .start()
        .await
        .unwrap();
    let c = Client::new(&emu);
    assert_eq!(c.post("/integrations", &trino()).await.status, 503);
    assert!(emu.integrations().await.is_empty());
    assert_eq!(c.post("/integrations", &trino()).await.status, 200);
    assert_eq!(emu.integrations().await.len(), 1);
}

#[tokio::test]
async fn rates_inject_a_share_of_faults_reproducibly() {
    let cfg = FaultConfig {
        too_many_requests_rate: 0.25,
        unavailable_rate: 0.25,
        seed: Some(42),
        ..Default::default()
    };
    let mut runs = Vec::new();
    for _ in 0..2 {
        let emu = Emulator::builder()
            .api_key("k")
            .faults(cfg.clone())
            .start()
            .await
            .unwrap();
        let c = Client::new(&emu);
        let mut got = Vec::new();
        for _ in 0..200 {
            got.push(c.get("/integrations").await.status);
        }
        runs.push(got);
    }
    assert_eq!(runs[0], runs[1], "same seed, same faults");
    let n429 = runs[0].iter().filter(|s| **s == 429).count();
    let n503 = runs[0].iter().filter(|s| **s == 503).count();
    assert!((25..=75).contains(&n429), "{n429}");
    assert!((25..=75).contains(&n503), "{n503}");
    assert_eq!(
        n429 + n503 + runs[0].iter().filter(|s| **s == 200).count(),
        200
    );
}

#[tokio::test]
async fn latency_is_added() {
    let emu = Emulator::builder()
        .api_key("k")
        .faults(FaultConfig {
            latency_ms: 150,
            ..Default::default()
        })
        .start()
        .await
        .unwrap();
    let c = Client::new(&emu);
    let t = Instant::now();
    assert_eq!(c.get("/integrations").await.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn invalid_fault_rates_are_refused() {
    let err = Emulator::builder()
        .faults(FaultConfig {
            drop_rate: 2.0,
            ..Default::default()
        })
        .start()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("dropRate"));
}

#[tokio::test]
async fn admin_endpoints_set_faults_and_show_requests_when_enabled() {
    let emu = Emulator::builder()
        .api_key("k")
        .admin(true)
        .start()
        .await
        .unwrap();
    let c = Client::new(&emu);
    assert_eq!(
        c.get("/_emulator/faults").await.json()["tooManyRequestsRate"],
        0.0
    );
    let r = c
        .post(
            "/_emulator/faults",
            &json!({"script": ["serviceUnavailable"], "retryAfterSecs": 2}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = c.get("/integrations").await;
    assert_eq!(r.status, 503);
    assert_eq!(r.header("retry-after").as_deref(), Some("2"));
    // Admin requests are neither faulted nor counted.
    assert_eq!(c.get("/_emulator/faults").await.json()["script"], json!([]));
    c.post("/integrations?dryRun=true", &trino()).await;
    let v = c.get("/_emulator/requests").await.json();
    assert_eq!(v["requests"].as_array().unwrap().len(), 2);
    assert_eq!(v["counts"]["GET /integrations"], 1);
    assert_eq!(v["requests"][1]["query"], "dryRun=true");
    assert_eq!(c.delete("/_emulator/requests", None).await.status, 204);
    assert!(emu.requests().is_empty());
    let r = c.post("/_emulator/faults", &json!({"dropRate": 3})).await;
    assert_eq!(r.status, 400);
    let r = c.post("/_emulator/faults", &json!({"nope": 1})).await;
    assert_eq!(r.status, 400);
    assert!(r.error_message().contains("nope"));
    // The admin endpoints need the key too.
    assert_eq!(
        send(&c.base, "GET", "/_emulator/faults", &[], None)
            .await
            .unwrap()
            .status,
        401
    );
    // Run-time changes through the handle as well.
    emu.set_faults(FaultConfig {
        script: vec![Fault::TooManyRequests],
        ..Default::default()
    })
    .unwrap();
    assert_eq!(c.get("/integrations").await.status, 429);
    assert_eq!(c.delete("/_emulator/faults", None).await.status, 200);
    assert!(emu.faults().is_quiet());
}

#[tokio::test]
async fn a_lost_answer_is_handled_but_not_sent() {
    let emu = Emulator::builder()
        .faults(FaultConfig {
            lose_answers_to: vec!["PUT".into()],
            ..Default::default()
        })
        .start()
        .await
        .unwrap();
    let c = Client::new(&emu);
    let id = c.create(&trino()).await;
    c.wait_for(&id, "enabled").await;
    let path = format!("/integrations/{id}");
    // A dry run keeps its answer; the real PUT is handled (the integration
    // moves to `editing`), its answer lost.
    let dry = c.put(&format!("{path}?dryRun=true"), &trino()).await;
    assert_eq!(dry.status, 200);
    let key = [("authorization", c.key.as_str())];
    let body = serde_json::to_vec(&trino()).unwrap();
    let lost = send(&c.base, "PUT", &path, &key, Some(body)).await;
    assert!(lost.is_err(), "an answer arrived");
    let log = emu.requests();
    let put = log.last().unwrap();
    assert_eq!((put.method.as_str(), put.status), ("PUT", 200));
    assert_eq!(put.fault.as_deref(), Some("lose-answer"));
    c.wait_for(&id, "enabled").await;
    // The next PUT is answered.
    assert_eq!(c.put(&path, &trino()).await.status, 200);
    assert!(emu.faults().lose_answers_to.is_empty());
}
