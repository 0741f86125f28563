//! `terraform test` of every module under `examples/modules/`: each module's
//! `tests/*.tftest.hcl` run by the real CLI against a fresh in-process
//! emulator, whose URL and key reach the provider through `IMMUTA_HOST` and
//! `IMMUTA_API_KEY` (see the comment at the top of each test file for why
//! not `-var`).
//!
//! The test files use the test language of Terraform 1.7 and later (a
//! `module` block in a `run` pointing at a set-up module, `run.<name>`
//! outputs in assertions); `terraform test` itself first appeared in 1.6,
//! and Terraform 1.0 has no such command. CLIs older than 1.7 are skipped
//! with that reason printed, and the test fails unless at least one CLI ran
//! the suites.

use crate::support;

use std::path::{Path, PathBuf};
use std::time::Instant;
use support::{clis, TerraformCli, TestEmulator, Workdir};

/// The oldest CLI whose `terraform test` these suites are written for.
const MIN_TEST_CLI: (u32, u32) = (1, 7);

fn modules_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/modules")
}

/// The module folders, in name order.
fn modules() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(modules_root())
        .expect("read examples/modules")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

/// Copies `from` into `to`, recursively, leaving out `example/` (a root
/// configuration of its own) and whatever `terraform init` left there.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read module dir") {
        let p = e.expect("entry").path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if matches!(name, "example" | ".terraform" | ".terraform.lock.hcl") {
            continue;
        }
        if p.is_dir() {
            copy_tree(&p, &to.join(name));
        } else {
            std::fs::copy(&p, to.join(name)).expect("copy");
        }
    }
}

/// The module's `tests/*.tftest.hcl` file names.
fn test_files(module: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(module.join("tests"))
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|n| n.ends_with(".tftest.hcl"))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn run_suites(module: &Path, cli: &TerraformCli) {
    let name = module
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let start = Instant::now();
    let emu = TestEmulator::start();
    let mut w = Workdir::new(cli);
    w.use_emulator(&emu);
    copy_tree(module, w.path());
    w.init().success();
    let out = w.run(&["test", "-no-color"]).success();
    let files = test_files(module);
    for f in &files {
        assert!(
            out.stdout.contains(&format!("tests/{f}... pass")),
            "{name}: tests/{f} did not pass on {}:\n{}",
            cli.version,
            out.both()
        );
    }
    assert!(
        out.stdout.contains("Success!") && out.stdout.contains(" 0 failed"),
        "{name}: {}",
        out.both()
    );
    assert!(
        !out.stdout.contains("... skip"),
        "{name}: a run was skipped on {}:\n{}",
        cli.version,
        out.both()
    );
    // `terraform test` destroys what its runs made.
    assert!(
        emu.integrations().is_empty(),
        "{name}: terraform test left integrations behind on {}",
        cli.version
    );
    eprintln!(
        "{name}: terraform test passed on Terraform {} in {:.1}s",
        cli.version,
        start.elapsed().as_secs_f64()
    );
}

#[test]
fn every_module_has_terraform_tests() {
    let dirs = modules();
    assert!(!dirs.is_empty(), "no module under examples/modules");
    for m in &dirs {
        assert!(
            !test_files(m).is_empty(),
            "{}: no tests/*.tftest.hcl",
            m.display()
        );
    }
}

#[test]
fn terraform_test_passes_for_every_module() {
    let mut ran = Vec::new();
    for cli in clis() {
        if !cli.at_least(MIN_TEST_CLI.0, MIN_TEST_CLI.1) {
            eprintln!(
                "terraform test skipped on Terraform {}: the module suites need the test \
                 language of Terraform {}.{} or later (`terraform test` first appeared in 1.6)",
                cli.version, MIN_TEST_CLI.0, MIN_TEST_CLI.1
            );
            continue;
        }
        for m in modules() {
            run_suites(&m, cli);
        }
        ran.push(cli.version.clone());
    }
    assert!(
        !ran.is_empty(),
        "no Terraform CLI of {}.{} or later: terraform test ran nowhere (set \
         IMMUTA_TEST_TERRAFORM to include one)",
        MIN_TEST_CLI.0,
        MIN_TEST_CLI.1
    );
}
