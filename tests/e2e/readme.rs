//! The README's first screen gets a new user from nothing to an applied
//! integration: its `dev_overrides` CLI configuration (with the path filled
//! in) and its example configuration, as written, apply against the
//! emulator with the real `terraform`; its filesystem-mirror configuration
//! is the one `scripts/install-mirror.sh` prints; and every configuration
//! users copy (README, `docs/index.md`, `examples/`) pins a `version`.

use crate::support;

use std::path::{Path, PathBuf};
use support::{clis, provider_binary, TestEmulator, Workdir};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

/// The fenced blocks of `lang` in a markdown text.
fn blocks(markdown: &str, lang: &str) -> Vec<String> {
    let open = format!("```{lang}");
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match current.as_mut() {
            None if line.trim_end() == open => current = Some(String::new()),
            None => {}
            Some(_) if line.trim_end() == "```" => out.extend(current.take()),
            Some(b) => {
                b.push_str(line);
                b.push('\n');
            }
        }
    }
    out
}

/// The one README block that holds `needle`.
fn readme_block(needle: &str) -> String {
    let found: Vec<String> = blocks(&read("README.md"), "hcl")
        .into_iter()
        .filter(|b| b.contains(needle))
        .collect();
    assert_eq!(found.len(), 1, "README: one ```hcl block with {needle:?}");
    found.into_iter().next().unwrap_or_default()
}

#[test]
fn the_readmes_dev_overrides_and_example_apply_an_integration() {
    let overrides = readme_block("dev_overrides");
    let placeholder = "/path/to/terraform-provider-immuta/target/release";
    assert!(overrides.contains(placeholder), "{overrides}");
    let bin_dir = provider_binary()
        .parent()
        .expect("the provider binary's folder")
        .display()
        .to_string();
    let config = readme_block("required_providers");
    for cli in clis() {
        let emu = TestEmulator::start();
        let mut w = Workdir::new(cli);
        let rc = w.path().join("dev.tfrc");
        std::fs::write(&rc, overrides.replace(placeholder, &bin_dir)).expect("write CLI config");
        w.cli_config_file(&rc).use_emulator(&emu);
        w.write("main.tf", &config);
        // No `terraform init`: the only provider is overridden.
        let out = w.apply(&[]).success();
        assert!(
            out.both()
                .contains("Provider development overrides are in effect"),
            "{}",
            out.both()
        );
        let made = emu.integrations();
        assert_eq!(made.len(), 1, "{made:?}");
        assert_eq!(made[0].status.as_str(), "enabled");
        w.destroy().success();
        assert!(emu.integrations().is_empty());
    }
}

#[test]
fn the_readmes_mirror_configuration_is_what_install_mirror_prints() {
    let script = read("scripts/install-mirror.sh");
    let heredoc: String = script
        .split("cat <<RC\n")
        .nth(1)
        .and_then(|rest| rest.split("\nRC").next())
        .expect("install-mirror.sh prints a CLI config")
        .to_string();
    let readme = readme_block("filesystem_mirror");
    let path = readme
        .lines()
        .find_map(|l| l.trim().strip_prefix("path    = \""))
        .and_then(|p| p.strip_suffix('"'))
        .expect("a mirror path in the README");
    assert_eq!(
        readme.trim_end(),
        heredoc.replace("$mirror", path).trim_end(),
        "README and install-mirror.sh disagree"
    );
}

/// Every `required_providers` entry for immuta in `text` has a `version`.
fn pins_a_version(text: &str) -> bool {
    let mut lines = text.lines().skip_while(|l| !l.contains("immuta = {"));
    let mut seen = false;
    for l in lines.by_ref() {
        if l.trim() == "}" {
            break;
        }
        seen |= l.trim_start().starts_with("version");
    }
    seen
}

fn tf_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read examples").flatten() {
        let p = e.path();
        if p.is_dir() {
            tf_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "tf") {
            out.push(p);
        }
    }
}

#[test]
fn every_configuration_users_copy_pins_a_version() {
    let mut texts: Vec<(String, String)> = vec![
        ("README.md".into(), read("README.md")),
        ("docs/index.md".into(), read("docs/index.md")),
    ];
    let mut files = Vec::new();
    tf_files(&root().join("examples"), &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read example");
        texts.push((f.display().to_string(), text));
    }
    let mut checked = 0;
    for (name, text) in texts {
        if text.contains("required_providers") {
            checked += 1;
            assert!(
                pins_a_version(&text),
                "{name}: `immuta = {{ source = ... }}` without a `version` constraint"
            );
        }
    }
    assert!(checked >= 6, "only {checked} configurations checked");
}
