//! Emulator restart in the middle of an apply: the emulator keeps its state
//! in a file (`state_file`, the library's form of the binary's
//! `--state-file`), is stopped while `terraform apply` runs, stays down a
//! moment (requests meet refused connections), and starts again on the same
//! port and file. The apply rides it out on retries; the state and the
//! emulator then agree, and a second plan is empty.

use crate::reliability_support;
use crate::support;

use immuta_emulator::FaultConfig;
use reliability_support::{cli, mixed_integrations, provider_block, spawn, state_ids};
use std::collections::BTreeSet;
use std::io::Read;
use std::time::{Duration, Instant};
use support::{TestEmulator, Workdir};

fn emulator(port: u16, key: &str, file: &std::path::Path) -> TestEmulator {
    let key = key.to_string();
    let file = file.to_path_buf();
    TestEmulator::with(move |b| {
        let b = b
            .api_key(key)
            .state_file(file)
            .transition_delay(Duration::from_millis(300))
            .faults(FaultConfig {
                latency_ms: 30,
                ..Default::default()
            });
        if port == 0 {
            b
        } else {
            b.bind(std::net::SocketAddr::from(([127, 0, 0, 1], port)))
        }
    })
}

#[test]
fn an_emulator_restart_mid_apply_converges() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir");
    let file = dir.path().join("immuta-state.json");
    let key = "restart-test-key-5f1c0e";
    let first = emulator(0, key, &file);
    let port = first.handle_port();
    let url = first.url();

    let cli = cli();
    let wd = Workdir::new(&cli);
    // 12 retries from 100 ms, capped at 1 s: about 9 s of patience.
    wd.write(
        "main.tf",
        &(provider_block(12, "100ms", "1s", "") + &mixed_integrations("r", 10, 4, 4, 2)),
    );
    wd.init().success();
    let env = [("IMMUTA_HOST", url.as_str()), ("IMMUTA_API_KEY", key)];
    let mut child = spawn(
        &cli,
        wd.path(),
        &env,
        &[
            "apply",
            "-input=false",
            "-no-color",
            "-auto-approve",
            "-parallelism=6",
        ],
    );

    std::thread::sleep(Duration::from_millis(1500));
    let before = first.integrations().len();
    let stopped = Instant::now();
    drop(first);
    std::thread::sleep(Duration::from_millis(1500));
    let second = emulator(port, key, &file);
    let down = stopped.elapsed();
    let restored = second.integrations().len();
    assert!(
        restored >= before,
        "the state file lost integrations: {before} before, {restored} after"
    );

    let status = child.wait().expect("wait for terraform");
    let mut out = String::new();
    child.stdout.take().map(|mut s| s.read_to_string(&mut out));
    child.stderr.take().map(|mut s| s.read_to_string(&mut out));
    eprintln!(
        "RESTART: {before} integrations before the stop, down {:.1}s, apply exit {:?}",
        down.as_secs_f64(),
        status.code()
    );

    let mut wd = wd;
    wd.env("IMMUTA_HOST", &url).env("IMMUTA_API_KEY", key);
    if !status.success() {
        // Not expected with these retries, but the contract is convergence:
        // say why, then apply again.
        eprintln!("RESTART: the interrupted apply failed; applying again:\n{out}");
        wd.apply(&[]).success();
    }
    let state: BTreeSet<String> = state_ids(&wd).into_values().collect();
    let held: BTreeSet<String> = second
        .integrations()
        .into_iter()
        .map(|i| i.id.as_str().to_string())
        .collect();
    assert_eq!(state.len(), 20, "{out}");
    assert_eq!(state, held, "state and emulator differ\n{out}");
    let (code, plan) = wd.plan_exit_code();
    assert_eq!(code, 0, "plan after restart not empty:\n{}", plan.both());
    assert!(
        status.success(),
        "the apply did not ride out the restart:\n{out}"
    );
    wd.destroy().success();
    assert!(second.integrations().is_empty());
}

/// The port a test emulator listens on.
trait Port {
    fn handle_port(&self) -> u16;
}

impl Port for TestEmulator {
    fn handle_port(&self) -> u16 {
        self.url()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("port in the URL")
    }
}
