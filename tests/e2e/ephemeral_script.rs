//! `ephemeral "immuta_integration_script"` end to end: the set-up script
//! reaches a `local-exec` provisioner through an environment variable, and
//! is absent from the saved plan (`terraform show -json`), from the state,
//! and from everything `TF_LOG=trace` prints during the plan and the apply.
//!
//! Terraform before 1.10 refuses the `ephemeral` block while reading the
//! configuration ("Blocks of type \"ephemeral\" are not expected here"),
//! before any provider starts, so the provider cannot word that error; the
//! test checks that such a CLI fails there, and nothing is sent to Immuta.

use crate::support;

use std::time::Instant;
use support::{clis, required_providers, TerraformCli, TestEmulator, Workdir};

const PASSWORD: &str = "ephemeral-test-password";

fn config() -> String {
    format!(
        r#"{}
variable "snowflake_password" {{
  type      = string
  sensitive = true
}}

ephemeral "immuta_integration_script" "create" {{
  action         = "create"
  auto_bootstrap = false
  snowflake = {{
    host                = "ephemeral.us-east-1.snowflakecomputing.com"
    warehouse           = "EPHEMERAL_WH"
    database            = "EPHEMERAL_DB"
    authentication_type = "userPassword"
    username            = "EPHEMERAL_USER"
    password            = var.snowflake_password
  }}
}}

resource "terraform_data" "run" {{
  provisioner "local-exec" {{
    command = "printf '%s' \"$IMMUTA_SETUP_SQL\" > delivered.sql"
    environment = {{
      IMMUTA_SETUP_SQL = ephemeral.immuta_integration_script.create.script
    }}
  }}
}}
"#,
        required_providers()
    )
}

fn workdir(cli: &TerraformCli, emu: &TestEmulator) -> Workdir {
    let mut w = Workdir::new(cli);
    w.use_emulator(emu);
    w.env("TF_VAR_snowflake_password", PASSWORD);
    w.write("main.tf", &config());
    w
}

/// The parts of `script` that must not appear anywhere: the whole text and
/// every line long enough to be its own (not the password: Terraform keeps
/// the values of the variables in a saved plan, whatever they are).
fn markers(script: &str) -> Vec<String> {
    let mut out = vec![script.to_string()];
    out.extend(
        script
            .lines()
            .map(str::trim)
            .filter(|l| l.len() >= 24 && !l.contains(PASSWORD))
            .map(str::to_string),
    );
    out
}

fn assert_absent(what: &str, text: &str, markers: &[String]) {
    for m in markers {
        assert!(!text.contains(m.as_str()), "{what} holds the script: {m:?}");
    }
}

fn on_new_cli(cli: &TerraformCli) {
    let start = Instant::now();
    let emu = TestEmulator::start();
    let mut w = workdir(cli, &emu);
    w.init().success();
    w.env("TF_LOG", "trace");
    let plan = w.plan(&["-out=saved.plan"]).success();
    let apply = w
        .run(&["apply", "-input=false", "-no-color", "saved.plan"])
        .success();
    w.env("TF_LOG", "");

    // The provisioner got the script.
    let delivered =
        std::fs::read_to_string(w.path().join("delivered.sql")).expect("the provisioner ran");
    assert!(
        delivered.contains("CREATE DATABASE IF NOT EXISTS \"EPHEMERAL_DB\""),
        "{delivered}"
    );
    let marks = markers(&delivered);
    assert!(marks.len() > 3, "too few lines to look for: {delivered}");

    let shown = w.run(&["show", "-json", "saved.plan"]).success();
    assert_absent("the saved plan (show -json)", &shown.stdout, &marks);
    let plan_file = std::fs::read(w.path().join("saved.plan")).expect("plan file");
    assert_absent(
        "the saved plan file",
        &String::from_utf8_lossy(&plan_file),
        &marks,
    );
    let state = std::fs::read_to_string(w.path().join("terraform.tfstate")).expect("state");
    assert!(state.contains("terraform_data"), "{state}");
    assert_absent("the state", &state, &marks);
    assert!(!state.contains(PASSWORD), "the state holds the password");
    assert!(
        plan.stderr.contains("OpenEphemeralResource"),
        "no trace of the ephemeral resource being opened: {}",
        plan.stderr.len()
    );
    assert_absent("TF_LOG=trace of the plan", &plan.both(), &marks);
    assert_absent("TF_LOG=trace of the apply", &apply.both(), &marks);
    assert!(
        !plan.both().contains(PASSWORD) && !apply.both().contains(PASSWORD),
        "a log holds the password"
    );

    // A second plan opens it again and changes nothing.
    let (code, out) = w.plan_exit_code();
    assert_eq!(code, 0, "{}", out.both());
    assert!(
        emu.integrations().is_empty(),
        "a script made an integration"
    );
    eprintln!(
        "ephemeral immuta_integration_script: passed on Terraform {} in {:.1}s",
        cli.version,
        start.elapsed().as_secs_f64()
    );
}

fn on_old_cli(cli: &TerraformCli) {
    let emu = TestEmulator::start();
    let w = workdir(cli, &emu);
    w.init()
        .failure_with(&["Blocks of type \"ephemeral\" are not expected here"]);
    assert!(emu.handle().requests().is_empty(), "Immuta was called");
    eprintln!(
        "ephemeral immuta_integration_script: Terraform {} refuses the block, as expected \
         (ephemeral resources need 1.10)",
        cli.version
    );
}

#[test]
fn the_script_never_enters_plan_state_or_logs() {
    let mut ran = 0;
    for cli in clis() {
        if cli.at_least(1, 10) {
            on_new_cli(cli);
            ran += 1;
        } else {
            on_old_cli(cli);
        }
    }
    assert!(ran > 0, "no Terraform CLI of 1.10 or later ran it");
}
