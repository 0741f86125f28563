//! The provider binary run by hand, outside Terraform.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn run_by_a_person_it_says_what_it_is_and_exits_1() {
    let out = Command::new(support::provider_binary())
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run the provider");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Terraform"), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "nothing may go to stdout: {:?}",
        out.stdout
    );
    assert!(!stderr.contains("backtrace"), "{stderr}");
}

#[test]
fn debug_mode_prints_reattach_providers_and_serves() {
    let mut child = Command::new(support::provider_binary())
        .arg("--debug")
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the provider in debug mode");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut reattach = None;
    while Instant::now() < deadline {
        match lines.next() {
            Some(Ok(line)) if line.contains("TF_REATTACH_PROVIDERS=") => {
                reattach = Some(line);
                break;
            }
            Some(Ok(_)) => continue,
            _ => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let line = reattach.expect("a TF_REATTACH_PROVIDERS line");
    let json = line
        .split_once('=')
        .map(|(_, v)| v.trim().trim_matches('\''))
        .expect("a value");
    let v: serde_json::Value = serde_json::from_str(json).expect("reattach JSON");
    let p = &v["registry.terraform.io/immuta/immuta"];
    assert_eq!(p["Protocol"], "grpc");
    assert_eq!(p["ProtocolVersion"], 6);
    assert_eq!(p["Addr"]["Network"], "unix");
    let socket = p["Addr"]["String"].as_str().expect("socket path");
    assert!(socket.starts_with('/'), "{socket}");
}
