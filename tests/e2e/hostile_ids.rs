//! End-to-end: ids that are not what Immuta issues never reach a URL. The
//! URL library would drop `.`/`..` segments and strip tabs, so `..` would
//! read `GET /integrations` and `1\t` would import integration 1; they are
//! refused, naming the id, at `terraform import` and when a state holding
//! one is read, before any request is sent.

use crate::support;

use support::{clis, required_providers, TerraformCli, TestEmulator, Workdir};

const BAD: [&str; 5] = ["..", "1\t", "a/b", "%2e", " 1"];

/// A working directory, initialized, configuring one Trino integration.
fn one_trino(emu: &TestEmulator, cli: &TerraformCli) -> Workdir {
    let mut wd = Workdir::new(cli);
    wd.use_emulator(emu);
    wd.write(
        "main.tf",
        &(required_providers()
            + "provider \"immuta\" {}\nresource \"immuta_integration\" \"x\" {\n  trino = {}\n}\n"),
    );
    wd.init().success();
    wd
}

#[test]
fn import_refuses_ids_immuta_does_not_issue() {
    let emu = TestEmulator::start();
    for cli in clis() {
        let wd = one_trino(&emu, cli);
        emu.handle().clear_requests();
        for bad in BAD {
            let shown = format!("{bad:?}");
            wd.run(&[
                "import",
                "-input=false",
                "-no-color",
                "immuta_integration.x",
                bad,
            ])
            .failure_with(&[
                "Invalid import id",
                &shown,
                "is not an Immuta integration id",
            ]);
        }
        // Not even `GET /integrations`, which `..` would have become.
        let sent: Vec<String> = emu
            .handle()
            .requests()
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        assert!(sent.is_empty(), "{}: requests sent: {sent:?}", cli.version);
    }
}

#[test]
fn a_state_holding_such_an_id_is_refused_at_read() {
    let emu = TestEmulator::start();
    let wd = one_trino(&emu, &clis()[0]);
    wd.apply(&[]).success();
    let path = wd.path().join("terraform.tfstate");
    let good: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("state")).expect("state JSON");
    let id = good["resources"][0]["instances"][0]["attributes"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    for (serial, bad) in BAD.iter().enumerate() {
        let mut state = good.clone();
        state["serial"] = serde_json::json!(1000 + serial);
        state["resources"][0]["instances"][0]["attributes"]["id"] = serde_json::json!(bad);
        std::fs::write(&path, serde_json::to_vec_pretty(&state).expect("json")).expect("write");
        emu.handle().clear_requests();
        let shown = format!("{bad:?}");
        wd.plan(&[]).failure_with(&[
            "Could not read integration",
            &shown,
            "is not an Immuta integration id",
        ]);
        assert!(
            emu.handle().requests().is_empty(),
            "{bad:?}: {:?}",
            emu.handle().requests()
        );
    }
    // The real id still reads.
    let mut state = good.clone();
    state["serial"] = serde_json::json!(2000);
    std::fs::write(&path, serde_json::to_vec_pretty(&state).expect("json")).expect("write");
    let (code, out) = wd.plan_exit_code();
    assert_eq!(code, 0, "{id}: {}", out.both());
}
