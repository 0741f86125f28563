//! The panic hook prints one hclog JSON error line and no backtrace, even
//! with RUST_BACKTRACE=1. The panicking part runs in a child process.

use std::process::Command;

const CHILD_ENV: &str = "TF_PROTOCOL_PANIC_CHILD";

#[test]
fn panic_hook_logs_one_json_line_without_backtrace() {
    if std::env::var_os(CHILD_ENV).is_some() {
        terraform_provider_immuta::protocol::logging::install_panic_hook("provider.test");
        let n: i32 = std::env::var(CHILD_ENV).unwrap().parse().unwrap();
        panic!("boom {n}");
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "panic_hook::panic_hook_logs_one_json_line_without_backtrace",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "42")
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    assert!(!out.status.success(), "the child must fail");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let json_lines: Vec<serde_json::Value> = stderr
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(json_lines.len(), 1, "stderr: {stderr}");
    let line = &json_lines[0];
    assert_eq!(line["@level"], "error");
    assert_eq!(line["@message"], "panic: boom 42");
    assert_eq!(line["@module"], "provider.test");
    assert!(line["location"].as_str().unwrap().contains("panic_hook.rs"));
    assert!(!stderr.contains("stack backtrace"), "stderr: {stderr}");
    assert!(!stderr.contains("panicked at"), "stderr: {stderr}");
}
