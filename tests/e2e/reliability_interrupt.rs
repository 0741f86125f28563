//! Interrupt runs: `terraform apply` (and `destroy`) sent SIGINT, as Ctrl-C
//! does, at random points. After each interrupted run the state and the
//! emulator agree: every integration the emulator holds is in the state (no
//! orphan) and every id in the state is in the emulator (nothing lost); the
//! next run without interrupt converges, and a plan after it is empty.
//!
//! The emulator is slowed (latency per request, a transition delay) so an
//! apply lasts a few seconds and the signal lands among creates, waits and
//! reads. `RELIABILITY_SEED` repeats a run's random delays.

use crate::reliability_support;
use crate::support;

use immuta_emulator::FaultConfig;
use reliability_support::{
    cli, emulator_ids, interrupt, mixed_integrations, provider_block, spawn, state_ids, Rng,
};
use std::collections::BTreeSet;
use std::io::Read;
use std::time::{Duration, Instant};
use support::{TestEmulator, Workdir};

const ROUNDS: usize = 4;

/// Runs `args` in the background, interrupts it after `delay`, and returns
/// (exit code, seconds from SIGINT to exit, output).
fn run_and_interrupt(
    wd: &Workdir,
    env: &[(&str, &str)],
    args: &[&str],
    delay: Duration,
) -> (Option<i32>, f64, String) {
    let mut child = spawn(&wd.cli, wd.path(), env, args);
    std::thread::sleep(delay);
    let signalled = Instant::now();
    let exited_before = child.try_wait().expect("poll terraform").is_some();
    if !exited_before {
        interrupt(child.id());
    }
    // Terraform stops the provider and waits for it; bound the wait.
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(st) = child.try_wait().expect("poll terraform") {
            break st;
        }
        assert!(
            Instant::now() < deadline,
            "terraform did not stop within 60 s of SIGINT"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = signalled.elapsed().as_secs_f64();
    let mut out = String::new();
    if let Some(mut s) = child.stdout.take() {
        let _ = s.read_to_string(&mut out);
    }
    if let Some(mut s) = child.stderr.take() {
        let _ = s.read_to_string(&mut out);
    }
    if exited_before {
        out.push_str("\n(finished before the signal)");
    }
    (status.code(), took, out)
}

/// State and emulator hold the same ids: no orphan (in Immuta, not in the
/// state) and nothing lost (in the state, not in Immuta).
fn assert_agree(wd: &Workdir, emu: &TestEmulator, when: &str, out: &str) -> usize {
    let (held, stale) = orphans_and_stale(wd, emu, when, out);
    assert!(
        stale.is_empty(),
        "{when}: lost (in state, not in Immuta) {stale:?}\n{out}"
    );
    held
}

/// Asserts there is no orphan; returns how many ids the state holds and
/// which of them Immuta no longer has. After an interrupted destroy the
/// latter is expected: a DELETE was accepted but the wait for it was
/// stopped, so the resource stays in the state until the next refresh
/// finds it gone (404) and drops it.
fn orphans_and_stale(
    wd: &Workdir,
    emu: &TestEmulator,
    when: &str,
    out: &str,
) -> (usize, Vec<String>) {
    let state: BTreeSet<String> = state_ids(wd).into_values().collect();
    let emulator = emulator_ids(emu);
    let orphans: Vec<_> = emulator.difference(&state).collect();
    assert!(
        orphans.is_empty(),
        "{when}: orphans (in Immuta, not in state) {orphans:?}\n{out}"
    );
    (state.len(), state.difference(&emulator).cloned().collect())
}

#[test]
fn sigint_during_apply_and_destroy_leaves_state_and_immuta_in_agreement() {
    let emu = TestEmulator::with(|b| {
        b.transition_delay(Duration::from_millis(400))
            .faults(FaultConfig {
                latency_ms: 40,
                ..Default::default()
            })
    });
    let cli = cli();
    let mut wd = Workdir::new(&cli);
    wd.use_emulator(&emu);
    let wd = wd;
    let total = 24;
    wd.write(
        "main.tf",
        &(provider_block(5, "50ms", "500ms", "") + &mixed_integrations("i", 12, 6, 4, 2)),
    );
    wd.init().success();
    let (url, key) = (emu.url(), emu.api_key());
    let env = [
        ("IMMUTA_HOST", url.as_str()),
        ("IMMUTA_API_KEY", key.as_str()),
    ];
    let mut rng = Rng::from_env_or_clock();
    let apply = [
        "apply",
        "-input=false",
        "-no-color",
        "-auto-approve",
        "-parallelism=6",
    ];
    let destroy = [
        "destroy",
        "-input=false",
        "-no-color",
        "-auto-approve",
        "-parallelism=6",
    ];

    for round in 0..ROUNDS {
        let delay = Duration::from_millis(rng.range(300, 3500));
        let (code, took, out) = run_and_interrupt(&wd, &env, &apply, delay);
        let held = assert_agree(&wd, &emu, &format!("round {round} after SIGINT"), &out);
        eprintln!(
            "INTERRUPT apply round {round}: SIGINT after {} ms, exit {code:?} {took:.2}s later, {held}/{total} in state and emulator",
            delay.as_millis()
        );

        let again = wd.apply(&["-parallelism=6"]).success();
        let held = assert_agree(&wd, &emu, &format!("round {round} re-apply"), &again.both());
        assert_eq!(held, total, "{}", again.both());
        let (code, plan) = wd.plan_exit_code();
        assert_eq!(code, 0, "round {round}: plan not empty\n{}", plan.both());

        let delay = Duration::from_millis(rng.range(700, 2600));
        let (code, took, out) = run_and_interrupt(&wd, &env, &destroy, delay);
        let when = format!("round {round} after SIGINT in destroy");
        let (held, stale) = orphans_and_stale(&wd, &emu, &when, &out);
        eprintln!(
            "INTERRUPT destroy round {round}: SIGINT after {} ms, exit {code:?} {took:.2}s later, {held}/{total} in state, {} of them already gone from Immuta",
            delay.as_millis(),
            stale.len()
        );
        // A refresh drops the ones Immuta no longer has; then they agree.
        if !stale.is_empty() {
            wd.run(&[
                "apply",
                "-refresh-only",
                "-auto-approve",
                "-input=false",
                "-no-color",
            ])
            .success();
            assert_agree(
                &wd,
                &emu,
                &format!("round {round} refresh after destroy"),
                "",
            );
        }
        wd.destroy().success();
        assert!(emu.integrations().is_empty());
        assert!(state_ids(&wd).is_empty());
    }
}

/// Ctrl-C stops waits at once: creates whose integrations take 60 s to
/// become enabled are interrupted while waiting; Terraform exits within
/// seconds (on 1.11; older CLIs may let operations run on) and every
/// integration made is in the state.
#[test]
fn sigint_stops_long_waits_at_once_and_keeps_what_was_made() {
    let emu = TestEmulator::with(|b| b.transition_delay(Duration::from_secs(60)));
    let cli = cli();
    let mut wd = Workdir::new(&cli);
    wd.use_emulator(&emu);
    let wd = wd;
    wd.write(
        "main.tf",
        &(provider_block(3, "50ms", "500ms", "") + &mixed_integrations("w", 4, 2, 0, 0)),
    );
    wd.init().success();
    let (url, key) = (emu.url(), emu.api_key());
    let env = [
        ("IMMUTA_HOST", url.as_str()),
        ("IMMUTA_API_KEY", key.as_str()),
    ];
    let mut child = spawn(
        &cli,
        wd.path(),
        &env,
        &["apply", "-input=false", "-no-color", "-auto-approve"],
    );
    // Wait until all six are made (and their creates are waiting).
    let deadline = Instant::now() + Duration::from_secs(30);
    while emu.integrations().len() < 6 {
        assert!(Instant::now() < deadline, "the creates did not start");
        assert!(
            child.try_wait().expect("poll").is_none(),
            "terraform ended early"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let signalled = Instant::now();
    interrupt(child.id());
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(st) = child.try_wait().expect("poll terraform") {
            break st;
        }
        assert!(Instant::now() < deadline, "terraform did not stop");
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = signalled.elapsed();
    let mut out = String::new();
    if let Some(mut s) = child.stdout.take() {
        let _ = s.read_to_string(&mut out);
    }
    if let Some(mut s) = child.stderr.take() {
        let _ = s.read_to_string(&mut out);
    }
    eprintln!(
        "INTERRUPT long waits ({}): exit {:?} {:.2}s after SIGINT",
        cli.version,
        status.code(),
        took.as_secs_f64()
    );
    if cli.at_least(1, 11) {
        assert!(
            took < Duration::from_secs(5),
            "Ctrl-C did not stop the waits: {took:?}\n{out}"
        );
        assert!(!status.success(), "{out}");
    }
    let held = assert_agree(&wd, &emu, "after SIGINT during waits", &out);
    assert_eq!(held, 6, "{out}");
}
