//! The release layout (zip, SHA256SUMS, manifest) and a filesystem mirror made
//! from it, which `terraform init` installs the provider from.

use crate::support;

use std::path::Path;
use std::process::Command;
use support::{clis, required_providers, Workdir};

fn script(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name)
}

#[test]
fn release_layout_installs_through_a_filesystem_mirror() {
    let tmp = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("tmp");
    let dist = tmp.path().join("dist");
    let out = Command::new(script("release.sh"))
        .arg("--binary")
        .arg(support::provider_binary())
        .arg("--out")
        .arg(&dist)
        .output()
        .expect("run release.sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let v = support::PROVIDER_VERSION;
    let zip = dist.join(format!("terraform-provider-immuta_{v}_linux_amd64.zip"));
    let manifest = dist.join(format!("terraform-provider-immuta_{v}_manifest.json"));
    let sums = dist.join(format!("terraform-provider-immuta_{v}_SHA256SUMS"));
    assert!(zip.is_file() && manifest.is_file() && sums.is_file());
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest).unwrap()).expect("manifest JSON");
    assert_eq!(
        m["metadata"]["protocol_versions"],
        serde_json::json!(["6.0"])
    );
    // The repository's manifest, as the Registry's publishing convention has it.
    let root: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("terraform-registry-manifest.json"),
        )
        .expect("terraform-registry-manifest.json at the repository root"),
    )
    .expect("root manifest JSON");
    assert_eq!(m, root);
    let sums_text = std::fs::read_to_string(&sums).unwrap();
    assert_eq!(sums_text.lines().count(), 2, "{sums_text}");
    assert!(sums_text.contains(&format!("terraform-provider-immuta_{v}_linux_amd64.zip")));

    let mirror = tmp.path().join("mirror");
    let out = Command::new(script("install-mirror.sh"))
        .arg(&mirror)
        .arg(&dist)
        .output()
        .expect("run install-mirror.sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rc = tmp.path().join("mirror.tfrc");
    std::fs::write(&rc, &out.stdout).unwrap();

    for cli in clis() {
        let mut w = Workdir::new(cli);
        w.cli_config_file(&rc);
        w.write("main.tf", &required_providers());
        let init = w.init().success();
        assert!(
            init.stdout.contains("immuta/immuta v0.1.0"),
            "{}",
            init.both()
        );
        let lock =
            std::fs::read_to_string(w.path().join(".terraform.lock.hcl")).expect("lock file");
        assert!(
            lock.contains("registry.terraform.io/immuta/immuta"),
            "{lock}"
        );
        assert!(
            lock.contains("h1:"),
            "init records the package hash: {lock}"
        );
    }
}
