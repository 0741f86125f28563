//! The provider binary run by hand, outside Terraform.

use crate::support;

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

#[test]
fn an_orphaned_provider_exits_when_terraform_is_gone() {
    // A shell stands in for Terraform: it starts the provider with the
    // plugin environment, prints the provider's pid, lets it start, and
    // exits, leaving the provider orphaned.
    let out = Command::new("/bin/sh")
        .arg("-c")
        .arg("\"$0\" >/dev/null 2>&1 & echo $!; sleep 1")
        .arg(support::provider_binary())
        .env(
            "TF_PLUGIN_MAGIC_COOKIE",
            "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
        )
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .stdin(Stdio::null())
        .output()
        .expect("start the provider from a shell");
    let pid = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(!pid.is_empty(), "no pid: {out:?}");
    let proc_dir = std::path::PathBuf::from(format!("/proc/{pid}"));
    let deadline = Instant::now() + Duration::from_secs(10);
    // A zombie (reaped by init shortly) counts as gone.
    let alive = |d: &std::path::Path| {
        std::fs::read_to_string(d.join("stat"))
            .map(|s| !s.contains(") Z "))
            .unwrap_or(false)
    };
    while alive(&proc_dir) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let still = alive(&proc_dir);
    if still {
        let _ = Command::new("kill").args(["-KILL", &pid]).status();
    }
    assert!(
        !still,
        "the orphaned provider {pid} was still running after 10 s"
    );
}
