//! End-to-end check with the real Terraform CLI (the first of
//! `IMMUTA_TEST_TERRAFORM`, else `terraform` on PATH; a missing CLI fails):
//! Terraform starts `examples/minimal_provider` through a dev override,
//! completes the handshake with AutoMTLS, fetches the schema, shuts the
//! provider down gracefully, and parses our JSON log lines.

use std::path::{Path, PathBuf};
use std::process::Command;

fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

fn example_binary() -> PathBuf {
    // target/<profile>/deps/<this test> -> target/<profile>/examples/
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let bin = profile_dir.join("examples").join("minimal_provider");
    assert!(
        bin.is_file(),
        "{} is missing: run `cargo test` (which builds the example providers)",
        bin.display()
    );
    bin
}

#[test]
fn terraform_plans_with_our_provider_over_mtls() {
    let terraform = std::env::var("IMMUTA_TEST_TERRAFORM")
        .ok()
        .and_then(|list| list.split(':').find(|s| !s.is_empty()).map(PathBuf::from))
        .or_else(|| find_on_path("terraform"))
        .expect("no terraform CLI: run scripts/install-terraform.sh or set IMMUTA_TEST_TERRAFORM");
    let work = tempfile::tempdir().unwrap();
    let bin_dir = work.path().join("bin");
    let cfg_dir = work.path().join("cfg");
    let sock_dir = work.path().join("sock");
    for d in [&bin_dir, &cfg_dir, &sock_dir] {
        std::fs::create_dir(d).unwrap();
    }
    std::fs::copy(example_binary(), bin_dir.join("terraform-provider-minimal")).unwrap();
    let rc = work.path().join("terraform.rc");
    std::fs::write(
        &rc,
        format!(
            "provider_installation {{\n  dev_overrides {{\n    \
             \"registry.terraform.io/immuta/minimal\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            bin_dir.display()
        ),
    )
    .unwrap();
    std::fs::write(
        cfg_dir.join("main.tf"),
        "terraform {\n  required_providers {\n    minimal = { source = \"immuta/minimal\" }\n  }\n}\n\
         provider \"minimal\" {}\n",
    )
    .unwrap();
    let log_path = work.path().join("terraform.log");
    let out = Command::new(terraform)
        .args(["plan", "-input=false", "-no-color"])
        .current_dir(&cfg_dir)
        .env("TF_CLI_CONFIG_FILE", &rc)
        .env("TF_LOG", "trace")
        .env("TF_LOG_PATH", &log_path)
        .env("PLUGIN_UNIX_SOCKET_DIR", &sock_dir)
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
    assert!(
        out.status.success(),
        "terraform failed:\n{stdout}\n{}\n--- log ---\n{log}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("No changes"), "{stdout}");
    assert!(log.contains("using plugin: version=6"), "{log}");
    // Our hclog JSON lines were understood (level, message and module kept).
    assert!(
        log.contains("[INFO]  provider.terraform-provider-minimal: schema requested:"),
        "{log}"
    );
    assert!(log.contains("@module=provider.minimal"), "{log}");
    assert!(log.contains("tls=true"), "AutoMTLS must be in use:\n{log}");
    assert!(log.contains("Shutdown requested"), "{log}");
    assert!(log.contains("plugin process exited"), "{log}");
    assert!(!log.contains("failed to exit gracefully"), "{log}");
    // The private socket directory is gone.
    let left: Vec<_> = std::fs::read_dir(&sock_dir).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn binary_run_by_a_person_explains_and_exits_1() {
    let out = Command::new(example_binary())
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "nothing on stdout");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Terraform plugin"), "{stderr}");
}
