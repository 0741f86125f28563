//! The fault run: 100 integrations applied, planned and destroyed against an
//! emulator that fails 30% of the requests (10% 429, 10% 503, 10% dropped
//! connections), with the faults kept on for every step and the provider on
//! its default retry settings. Afterwards every integration is in the state
//! and in the emulator, exactly once; the second plan is empty; destroy
//! leaves nothing. Runs on Terraform 1.11 (see `reliability_support::cli`).
//! Prints the figures used in `docs/reliability.md`.
//!
//! `RELIABILITY_FAULT_RUNS=n` repeats the whole run `n` times with the seeds
//! `seed`, `seed + 1`, ... (`benches/fault_runs.sh` runs it 10 times).

use crate::reliability_support;
use crate::support;

use immuta_emulator::FaultConfig;
use reliability_support::{cli, emulator_ids, mixed_integrations, state_ids, Figures};
use std::collections::BTreeSet;
use std::time::Instant;
use support::{required_providers, TestEmulator, Workdir};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

#[test]
fn hundred_integrations_survive_30_percent_faults_on_default_settings() {
    let seed = env_number("RELIABILITY_FAULT_SEED", 30);
    let runs = env_number("RELIABILITY_FAULT_RUNS", 1);
    let started = Instant::now();
    for run in 0..runs {
        fault_run(run, seed + run);
    }
    eprintln!(
        "FAULT RUNS: {runs} of {runs} passed in {:.0}s",
        started.elapsed().as_secs_f64()
    );
}

/// One apply, second plan and destroy of 100 integrations, faults on.
fn fault_run(run: u64, seed: u64) {
    let faults = FaultConfig {
        too_many_requests_rate: 0.10,
        unavailable_rate: 0.10,
        drop_rate: 0.10,
        retry_after_secs: 1,
        seed: Some(seed),
        ..Default::default()
    };
    let emu = TestEmulator::with(|b| b.faults(faults.clone()));
    let cli = cli();
    let mut wd = Workdir::new(&cli);
    wd.use_emulator(&emu);
    let wd = wd;
    // The provider block sets nothing: default retry settings.
    wd.write(
        "main.tf",
        &(required_providers()
            + "provider \"immuta\" {}\n"
            + &mixed_integrations("f", 40, 25, 25, 10)),
    );
    wd.init().success();

    let started = Instant::now();
    let apply = wd.apply(&["-parallelism=50"]).success();
    let apply_secs = started.elapsed().as_secs_f64();
    let after_apply = Figures::of(&emu.handle().requests());
    eprintln!(
        "FAULT RUN {run} apply ({}, seed {seed}): {:.1}s, {after_apply}",
        cli.version, apply_secs
    );

    let in_state = state_ids(&wd);
    let in_emulator = emulator_ids(&emu);
    assert_eq!(in_state.len(), 100, "state: {in_state:?}\n{}", apply.both());
    let state_set: BTreeSet<String> = in_state.values().cloned().collect();
    assert_eq!(state_set.len(), 100, "two resources share an id");
    assert_eq!(state_set, in_emulator, "state and emulator differ");
    assert!(emu
        .integrations()
        .iter()
        .all(|i| i.status.as_str() == "enabled"));
    // Every create POST that reached Immuta made one integration, once.
    let made = emu
        .handle()
        .requests()
        .iter()
        .filter(|r| {
            r.method == "POST" && r.path == "/integrations" && !r.is_dry_run() && r.status == 200
        })
        .count();
    assert_eq!(made, 100, "creates that succeeded on the emulator");
    assert!(
        after_apply.faults() * 100 >= after_apply.requests * 25,
        "fewer faults than asked: {after_apply}"
    );
    assert!(after_apply.create_posts_faulted > 0, "no create was hit");

    // Second plan, faults still on: empty.
    emu.handle().clear_requests();
    let started = Instant::now();
    let (code, plan) = wd.plan_exit_code();
    let plan_secs = started.elapsed().as_secs_f64();
    assert_eq!(code, 0, "second plan not empty:\n{}", plan.both());
    let plan_figures = Figures::of(&emu.handle().requests());
    eprintln!("FAULT RUN {run} plan: {plan_secs:.1}s, {plan_figures}");

    emu.handle().clear_requests();
    let started = Instant::now();
    let destroy = wd
        .run(&[
            "destroy",
            "-input=false",
            "-no-color",
            "-auto-approve",
            "-parallelism=50",
        ])
        .success();
    let destroy_secs = started.elapsed().as_secs_f64();
    let destroy_figures = Figures::of(&emu.handle().requests());
    eprintln!("FAULT RUN {run} destroy: {destroy_secs:.1}s, {destroy_figures}");
    assert!(
        emu.integrations().is_empty(),
        "left after destroy: {:?}\n{}",
        emulator_ids(&emu),
        destroy.both()
    );
    assert!(state_ids(&wd).is_empty());
    assert!(destroy_figures.faults() > 0);
}

/// A proxy that forwards an update's PUT and loses its answer: the provider
/// reads the integration back instead of sending the PUT again into a 409,
/// the apply succeeds, and the state equals what Immuta holds.
#[test]
fn an_update_whose_answer_is_lost_converges() {
    let emu = TestEmulator::with(|b| b.transition_delay(std::time::Duration::from_millis(200)));
    let cli = cli();
    let mut wd = Workdir::new(&cli);
    wd.use_emulator(&emu);
    let wd = wd;
    let config = |warehouse: &str| {
        required_providers()
            + &format!(
                r#"provider "immuta" {{}}

resource "immuta_integration" "sf" {{
  auto_bootstrap = false
  snowflake = {{
    host                = "lost-put.snowflakecomputing.com"
    warehouse           = "{warehouse}"
    database            = "IMMUTA_DB"
    authentication_type = "userPassword"
    username            = "immuta_system"
    password            = "pw-lost-put"
  }}
}}
"#
            )
    };
    wd.write("main.tf", &config("WH_OLD"));
    wd.init().success();
    wd.apply(&[]).success();

    emu.handle()
        .set_faults(FaultConfig {
            lose_answers_to: vec!["PUT".into()],
            ..Default::default()
        })
        .expect("faults");
    emu.handle().clear_requests();
    wd.write("main.tf", &config("WH_NEW"));
    let apply = wd.apply(&[]).success();
    assert!(apply.both().contains("1 changed"), "{}", apply.both());

    let puts: Vec<(u16, Option<String>)> = emu
        .handle()
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT" && !r.is_dry_run())
        .map(|r| (r.status, r.fault))
        .collect();
    assert_eq!(puts, [(200, Some("lose-answer".to_string()))], "one PUT");
    let held = emu.integrations();
    assert_eq!(held.len(), 1);
    match &held[0].config {
        Some(immuta_api::IntegrationConfig::Snowflake(c)) => {
            assert_eq!(c.warehouse.as_deref(), Some("WH_NEW"))
        }
        other => panic!("{other:?}"),
    }
    let show = wd.show_json();
    let state = &show["values"]["root_module"]["resources"][0]["values"];
    assert_eq!(state["id"], held[0].id.as_str());
    assert_eq!(state["snowflake"]["warehouse"], "WH_NEW");
    assert_eq!(state["status"], "enabled");
    let (code, plan) = wd.plan_exit_code();
    assert_eq!(
        code,
        0,
        "plan after the lost PUT not empty:\n{}",
        plan.both()
    );
}
