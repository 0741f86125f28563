//! The state file across restarts (including ids and pending transitions),
//! atomic writes, and concurrent requests.

mod common;

use common::payloads::*;
use common::Client;
use immuta_emulator::Emulator;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sub-state.json");
    let emu = Emulator::builder()
        .api_key("k")
        .state_file(&file)
        .start()
        .await
        .unwrap();
    let c = Client::new(&emu);
    let a = c.create(&snowflake("p.snowflakecomputing.com")).await;
    let b = c.create(&trino()).await;
    c.wait_for(&b, "enabled").await;
    let key = c.get(&format!("/integrations/{b}")).await.json()["config"]["apiKey"].clone();
    emu.shutdown().await.unwrap();
    assert!(file.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    let emu = Emulator::builder()
        .api_key("k")
        .state_file(&file)
        .start()
        .await
        .unwrap();
    let c = Client::new(&emu);
    let list = c.get("/integrations").await.json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(
        c.get(&format!("/integrations/{a}")).await.json()["config"]["password"],
        "<REDACTED>"
    );
    assert_eq!(
        c.get(&format!("/integrations/{b}")).await.json()["config"]["apiKey"],
        key
    );
    // Delete credentials still check against the stored secret.
    let r = c.delete(&format!("/integrations/{a}"), Some(&json!({"authenticationType": "userPassword", "username": "admin", "password": "s3cret-pw", "role": "R"}))).await;
    assert_eq!(r.status, 200, "{}", r.text());
    // Ids go on from where they were.
    assert_eq!(c.create(&trino()).await, "3");
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn every_acknowledged_change_is_on_disk_before_the_answer() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.json");
    let emu = Emulator::builder()
        .api_key("k")
        .state_file(&file)
        .transition_delay(Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let c = Client::new(&emu);
    let id = c.create(&databricks("disk.cloud.databricks.com")).await;
    // Read the file right after the answer, while the server still runs.
    let on_disk: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(on_disk["integrations"][&id]["status"], "creating");
    assert_eq!(on_disk["integrations"][&id]["pending"]["kind"], "create");
    // A "kill" (no shutdown): a new emulator on the same file sees the
    // integration, still creating, with its transition still pending.
    std::mem::forget(emu);
    let emu2 = Emulator::builder()
        .api_key("k")
        .state_file(&file)
        .start()
        .await
        .unwrap();
    let c2 = Client::new(&emu2);
    assert_eq!(
        c2.get(&format!("/integrations/{id}")).await.json()["status"],
        "creating"
    );
    let _ = c;
}

#[tokio::test]
async fn a_corrupt_state_file_is_an_error_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.json");
    std::fs::write(&file, "{not json").unwrap();
    let err = Emulator::builder()
        .state_file(&file)
        .start()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("cannot load state file"), "{err}");
}

#[tokio::test]
async fn concurrent_creates_get_distinct_ids_and_duplicates_exactly_one() {
    let dir = tempfile::tempdir().unwrap();
    let emu = Emulator::builder()
        .api_key("k")
        .state_file(dir.path().join("s.json"))
        .start()
        .await
        .unwrap();
    let c = Client::new(&emu);
    let mut tasks = Vec::new();
    for i in 0..20 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            c.post(
                "/integrations",
                &s3(&format!("n{i}"), &format!("s3://b{i}/")),
            )
            .await
            .json()["id"]
                .as_str()
                .unwrap()
                .to_string()
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap().parse::<u64>().unwrap());
    }
    ids.sort();
    assert_eq!(ids, (1..=20).collect::<Vec<u64>>());
    // Ten racing creates of the same Snowflake host: one wins, nine get 409.
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            c.post("/integrations", &snowflake("race.snowflakecomputing.com"))
                .await
                .status
        }));
    }
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.unwrap());
    }
    assert_eq!(codes.iter().filter(|c| **c == 200).count(), 1);
    assert_eq!(codes.iter().filter(|c| **c == 409).count(), 9);
    assert_eq!(emu.integrations().await.len(), 21);
}
