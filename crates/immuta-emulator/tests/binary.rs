//! The `immuta-emulator` binary: what it prints, its flags and environment
//! variables, --help, serving on port 0, stopping on SIGTERM.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_immuta-emulator"))
}

#[test]
fn help_explains_every_flag_and_the_triggers() {
    let out = bin().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--bind",
        "--port",
        "--api-key",
        "--state-file",
        "--transition-delay-ms",
        "--admin",
        "--max-body-bytes",
        "--fault-429-rate",
        "--fault-503-rate",
        "--fault-drop-rate",
        "--fault-latency-ms",
        "--fault-retry-after-secs",
        "--fault-seed",
        "IMMUTA_EMULATOR_API_KEY",
        "IMMUTA_EMULATOR_PORT",
        "--guesses",
        "--echo-defaults",
        "--trino-key",
        "--redact",
        "--force-disable",
        "--status-shape",
        "--id-type",
        "--store-redacted-put",
        "--scalars-as-strings",
        "--delete-body",
        "IMMUTA_EMULATOR_TRINO_KEY",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}");
    }
    for trigger in [
        "unreachable",
        "warning",
        "no-metastore",
        "fail-create",
        "fail-edit",
        "fail-delete",
    ] {
        assert!(help.contains(trigger), "--help lacks trigger {trigger}");
    }
}

#[test]
fn help_never_shows_the_key_from_the_environment() {
    let out = bin()
        .arg("--help")
        .env("IMMUTA_EMULATOR_API_KEY", "super-secret-key")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("super-secret-key"));
}

fn spawn(args: &[&str], envs: &[(&str, &str)]) -> (std::process::Child, String, String) {
    let mut cmd = bin();
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let second = lines.next().unwrap().unwrap();
    let url = first
        .strip_prefix("immuta-emulator listening on ")
        .unwrap()
        .to_string();
    let key = second.strip_prefix("api key: ").unwrap().to_string();
    (child, url, key)
}

fn sigterm(child: &mut std::process::Child) -> std::process::ExitStatus {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    child.wait().unwrap()
}

#[tokio::test]
async fn serves_on_a_free_port_with_a_generated_key_and_logs_without_secrets() {
    let (mut child, url, key) = spawn(&["--port", "0", "--transition-delay-ms", "0"], &[]);
    assert!(url.starts_with("http://127.0.0.1:"));
    assert!(!url.ends_with(":0"));
    assert_eq!(key.len(), 32);
    let c = common::Client {
        base: url.clone(),
        key: key.clone(),
    };
    let r = c
        .post(
            "/integrations",
            &common::payloads::snowflake("bin.snowflakecomputing.com"),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(c.get("/integrations/1").await.json()["status"], "enabled");
    let bad = common::send(
        &url,
        "GET",
        "/integrations",
        &[("authorization", "nope")],
        None,
    )
    .await
    .unwrap();
    assert_eq!(bad.status, 401);
    let status = sigterm(&mut child);
    assert!(status.success(), "{status:?}");
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(
        err.lines()
            .filter(|l| l.contains("immuta_emulator::request"))
            .count(),
        3,
        "{err}"
    );
    assert!(
        err.contains("method=\"POST\"") && err.contains("status=401"),
        "{err}"
    );
    for secret in [key.as_str(), "s3cret-pw", "admin"] {
        assert!(!err.contains(secret), "log shows {secret}: {err}");
    }
}

#[tokio::test]
async fn key_and_state_file_come_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("st.json");
    let envs = [
        ("IMMUTA_EMULATOR_API_KEY", "env-key"),
        ("IMMUTA_EMULATOR_PORT", "0"),
        ("IMMUTA_EMULATOR_TRANSITION_DELAY_MS", "0"),
        ("IMMUTA_EMULATOR_STATE_FILE", file.to_str().unwrap()),
    ];
    let (mut child, url, key) = spawn(&[], &envs);
    assert_eq!(key, "env-key");
    let c = common::Client { base: url, key };
    c.create(&common::payloads::trino()).await;
    assert!(sigterm(&mut child).success());
    // Restarted on the same file, it still knows the integration.
    let (mut child, url, key) = spawn(&[], &envs);
    let c = common::Client { base: url, key };
    assert_eq!(
        c.get("/integrations")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(sigterm(&mut child).success());
}

/// What the binary says its guesses are, through the admin endpoint.
async fn guesses_of(args: &[&str], envs: &[(&str, &str)]) -> immuta_emulator::Guesses {
    let mut all = vec!["--port", "0", "--admin"];
    all.extend_from_slice(args);
    let (mut child, url, key) = spawn(&all, envs);
    let c = common::Client { base: url, key };
    let r = c.get("/_emulator/guesses").await;
    assert!(sigterm(&mut child).success());
    assert_eq!(r.status, 200, "{}", r.text());
    serde_json::from_value(r.json()).unwrap()
}

#[tokio::test]
async fn guess_flags_select_each_variant_and_the_preset() {
    use immuta_emulator::{Guesses, IdType, StatusShape, TrinoKey};
    assert_eq!(guesses_of(&[], &[]).await, Guesses::default());
    let mut all = Guesses::variants();
    all.push(("alternatives", Guesses::alternatives()));
    for (name, g) in all {
        let flags = g.flags();
        let args: Vec<&str> = flags.iter().map(String::as_str).collect();
        assert_eq!(guesses_of(&args, &[]).await, g, "{name}: {flags:?}");
    }
    // The preset, one switch given back, one from the environment.
    let got = guesses_of(
        &[
            "--guesses=alternatives",
            "--trino-key",
            "never",
            "--scalars-as-strings=false",
        ],
        &[("IMMUTA_EMULATOR_ID_TYPE", "string")],
    )
    .await;
    assert_eq!(
        got,
        Guesses {
            trino_key: TrinoKey::Never,
            scalars_as_strings: false,
            id_type: IdType::String,
            ..Guesses::alternatives()
        }
    );
    let got = guesses_of(&[], &[("IMMUTA_EMULATOR_STATUS_SHAPE", "string")]).await;
    assert_eq!(got.status_shape, StatusShape::String);
    let out = bin().args(["--trino-key", "sometimes"]).output().unwrap();
    assert!(!out.status.success());
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port().to_string();
    let out = bin().args(["--port", &port]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot listen on"));
}

#[tokio::test]
async fn sigkill_during_writes_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.json");
    let f = file.to_str().unwrap();
    let (mut child, url, key) = spawn(
        &[
            "--port",
            "0",
            "--api-key",
            "k",
            "--state-file",
            f,
            "--transition-delay-ms",
            "0",
        ],
        &[],
    );
    let c = common::Client {
        base: url.clone(),
        key,
    };
    // Four writers create integrations as fast as they can; the process is
    // killed with SIGKILL while they run.
    let acked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mut writers = Vec::new();
    for w in 0..4 {
        let c = c.clone();
        let acked = acked.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..500 {
                let body = serde_json::to_vec(&common::payloads::s3(
                    &format!("w{w}-{i}"),
                    &format!("s3://w{w}-{i}/"),
                ))
                .unwrap();
                match common::send(
                    &c.base,
                    "POST",
                    "/integrations",
                    &[("authorization", "k"), ("content-type", "application/json")],
                    Some(body),
                )
                .await
                {
                    Ok(r) if r.status == 200 => acked
                        .lock()
                        .unwrap()
                        .push(r.json()["id"].as_str().unwrap().to_string()),
                    _ => break,
                }
            }
        }));
    }
    // Killed once some creates are acknowledged (at least 400 ms in, at
    // most 30 s on a loaded machine), while the writers still run.
    let start = std::time::Instant::now();
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    while acked.lock().unwrap().len() <= 5 && start.elapsed().as_secs() < 30 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    for w in writers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 5,
        "some creates were acknowledged before the kill"
    );
    let (mut child, url, _) = spawn(&["--port", "0", "--api-key", "k", "--state-file", f], &[]);
    let c = common::Client {
        base: url,
        key: "k".into(),
    };
    let list = c.get("/integrations").await.json();
    let ids: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    for id in &acked {
        assert!(ids.contains(id), "acknowledged integration {id} was lost");
    }
    assert!(sigterm(&mut child).success());
}
