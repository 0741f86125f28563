//! Every folder of `examples/` works as written, on every Terraform CLI:
//!
//! - `terraform init` + `terraform validate` of the folder, and of each of
//!   its `.tf` files alone (the docs show each file as one example, so each
//!   must stand on its own);
//! - except for `examples/provider` (its host is made up): `terraform apply`
//!   against the in-process emulator, every integration `enabled`, a second
//!   `plan -detailed-exitcode` that is empty (exit 0), and `terraform
//!   destroy` leaving nothing behind in the emulator.
//!
//! `examples/modules/<m>/` is run through its `example/` folder, with the
//! module copied beside it; the data-source and module examples run against
//! an emulator seeded with one Snowflake and one Trino integration.
//!
//! Folders are found on disk, so a new example is tested without touching
//! this file. Resource and data-source examples hold no `terraform` or
//! `provider` block (the docs page shows only the resource); the test adds
//! them. Variables without a default get values from [`VARIABLES`]; a
//! variable missing there fails the test by name.
//!
//! The ```` ```terraform ```` blocks of the hand-written guides
//! (`docs/guides/*.md`) go through the same apply, plan and destroy, one
//! block at a time (fragments there are written ```` ```hcl ````).
//!
//! A file that needs a newer Terraform holds a line
//! `# Requires Terraform >= X.Y: <reason>`; on older CLIs only, it is left
//! out (the reason printed) and the rest of its folder still runs.

use crate::support;

use immuta_api::config::SnowflakeConfig;
use immuta_api::{IntegrationConfig, IntegrationPayload, IntegrationType, Secret};
use immuta_client::{wait_for, ClientConfig, ImmutaClient, WaitOptions, WaitTarget};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::{clis, required_providers, TerraformCli, TestEmulator, Workdir};

/// Test values of the examples' variables that have no default. Made up:
/// the emulator accepts any secret.
const VARIABLES: &[(&str, &str)] = &[
    ("snowflake_password", "example-snowflake-password"),
    ("databricks_token", "dapi-example-token"),
    ("databricks_oauth_secret", "example-databricks-oauth-secret"),
    ("redshift_password", "example-redshift-password"),
    ("synapse_password", "example-synapse-password"),
    ("aws_secret_access_key", "example-aws-secret-access-key"),
    (
        "bigquery_credential",
        r#"{"type":"service_account","project_id":"innate-conquest-123456","private_key_id":"9163c12345690924f5dd218ff39","private_key":"-----BEGIN PRIVATE KEY-----\nXXXXXXXro0s\n-----END PRIVATE KEY-----\n","client_email":"service-account-id@innate-conquest-123456.iam.gserviceaccount.com","client_id":"1166290432952487857","auth_uri":"https://accounts.google.com/o/oauth2/auth","token_uri":"https://oauth2.googleapis.com/token"}"#,
    ),
    ("immuta_api_key", "example-immuta-api-key"),
    // Used by the guides' examples.
    (
        "snowflake_private_key",
        "-----BEGIN PRIVATE KEY-----\nMIIEexample\n-----END PRIVATE KEY-----\n",
    ),
    ("okta_password", "example-okta-password"),
    ("immuta_system_password", "example-system-password"),
];

fn examples_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// The sub-folders of `examples/<group>`, in name order.
fn folders(group: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(examples_root().join(group))
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// One example folder: its `.tf` files (name, content) in name order.
struct Example {
    /// `examples/...`, for messages.
    name: String,
    files: Vec<(String, String)>,
    /// For `examples/modules/<m>`: the module's own `.tf` files, written to
    /// `module/` beside the example (whose `source = "../"` becomes
    /// `"./module"`).
    module_files: Vec<(String, String)>,
}

/// The `.tf` files of a folder, (name, content), in name order.
fn tf_files(dir: &Path) -> Vec<(String, String)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tf"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            let text =
                std::fs::read_to_string(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()));
            (name, text)
        })
        .collect()
}

impl Example {
    fn load(dir: &Path) -> Example {
        let files = tf_files(dir);
        let name = dir
            .strip_prefix(examples_root())
            .map(|p| format!("examples/{}", p.display()))
            .unwrap_or_else(|_| dir.display().to_string());
        assert!(!files.is_empty(), "{name}: no .tf file");
        Example {
            name,
            files,
            module_files: Vec::new(),
        }
    }

    /// `examples/modules/<m>`: the module, run through its `example/` folder.
    fn load_module(dir: &Path) -> Example {
        let mut example = Example::load(&dir.join("example"));
        for (_, text) in example.files.iter_mut() {
            assert!(
                text.contains("source = \"../\""),
                "{}: expected the example to use the module as source = \"../\"",
                example.name
            );
            *text = text.replace("source = \"../\"", "source = \"./module\"");
        }
        example.module_files = tf_files(dir);
        assert!(
            !example.module_files.is_empty(),
            "{}: no module",
            dir.display()
        );
        example
    }

    fn all_text(&self) -> String {
        self.files
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The example as this CLI can run it: without the files that need a
    /// newer Terraform (each reason printed); `None` when no file is left.
    fn for_cli(&self, cli: &TerraformCli) -> Option<Example> {
        let mut files = Vec::new();
        for (name, text) in &self.files {
            match requirement(text) {
                Some(((major, minor), reason)) if !cli.at_least(major, minor) => eprintln!(
                    "{}/{name}: skipped on Terraform {} (needs >= {major}.{minor}: {reason})",
                    self.name, cli.version
                ),
                _ => files.push((name.clone(), text.clone())),
            }
        }
        (!files.is_empty()).then(|| Example {
            name: self.name.clone(),
            files,
            module_files: self.module_files.clone(),
        })
    }

    /// How many resources of this provider it declares.
    fn resource_count(&self) -> usize {
        self.all_text()
            .lines()
            .filter(|l| l.trim_start().starts_with("resource \"immuta_"))
            .count()
    }

    /// How many `immuta_integration` resources it declares.
    fn integration_count(&self) -> usize {
        self.all_text()
            .lines()
            .filter(|l| {
                l.trim_start()
                    .starts_with("resource \"immuta_integration\"")
            })
            .count()
    }
}

/// The names of the variables declared without a default in `text`.
fn required_variables(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<(String, bool)> = None;
    for line in text.lines() {
        if let Some((name, has_default)) = current.as_mut() {
            if line.trim_start().starts_with("default") {
                *has_default = true;
            }
            if line.starts_with('}') {
                if !*has_default {
                    out.push(name.clone());
                }
                current = None;
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("variable \"") {
            if let Some((name, tail)) = rest.split_once('"') {
                if tail.trim_end().ends_with("{}") {
                    out.push(name.to_string());
                } else {
                    current = Some((name.to_string(), false));
                }
            }
        }
    }
    out
}

/// What the test adds to a folder that has no `terraform` or `provider` block.
fn scaffold(example: &Example) -> String {
    let text = example.all_text();
    let mut out = String::new();
    if !text.lines().any(|l| l.starts_with("terraform {")) {
        out.push_str(&required_providers());
    }
    if !text.lines().any(|l| l.starts_with("provider \"immuta\"")) {
        out.push_str("\nprovider \"immuta\" {}\n");
    }
    out
}

const SCAFFOLD_FILE: &str = "zz_examples_test_scaffold.tf";

/// A working directory holding the example (plus the scaffold), with values
/// for its variables; `init` run.
fn workdir(cli: &TerraformCli, example: &Example, emu: Option<&TestEmulator>) -> Workdir {
    let mut w = Workdir::new(cli);
    if let Some(emu) = emu {
        w.use_emulator(emu);
    }
    let declared: BTreeSet<String> = required_variables(&example.all_text())
        .into_iter()
        .collect();
    for name in &declared {
        let value = VARIABLES
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| {
                panic!(
                    "{}: variable {name:?} has no default and no test value: add one to \
                     VARIABLES in tests/e2e/examples.rs",
                    example.name
                )
            });
        w.env(&format!("TF_VAR_{name}"), value);
    }
    write_files(&w, example, None);
    w.init().success();
    w
}

/// Writes the example's files (only `only` when given) and the scaffold,
/// removing every other `.tf` file.
fn write_files(w: &Workdir, example: &Example, only: Option<&str>) {
    if let Ok(rd) = std::fs::read_dir(w.path()) {
        for p in rd.filter_map(|e| e.ok().map(|e| e.path())) {
            if p.extension().is_some_and(|x| x == "tf") {
                std::fs::remove_file(&p).expect("remove .tf");
            }
        }
    }
    for (name, text) in &example.files {
        if only.is_none_or(|o| o == name) {
            w.write(name, text);
        }
    }
    if !example.module_files.is_empty() {
        let dir = w.path().join("module");
        std::fs::create_dir_all(&dir).expect("module dir");
        for (name, text) in &example.module_files {
            std::fs::write(dir.join(name), text).expect("write module file");
        }
    }
    let scaffold = scaffold(example);
    if !scaffold.is_empty() {
        w.write(SCAFFOLD_FILE, &scaffold);
    }
}

/// `terraform validate` of the whole folder, then of each file alone.
fn validate(w: &Workdir, example: &Example) {
    let check = |what: &str| {
        let out = w.run(&["validate", "-no-color"]);
        assert_eq!(
            out.code,
            0,
            "{what} ({}) does not validate:\n{}",
            w.cli.version,
            out.both()
        );
    };
    check(&example.name);
    if example.files.len() > 1 {
        for (name, _) in &example.files {
            write_files(w, example, Some(name));
            check(&format!("{}/{name} alone", example.name));
        }
        write_files(w, example, None);
    }
}

/// The `(major, minor)` and reason of a `# Requires Terraform >= X.Y: why`
/// line of a file.
fn requirement(text: &str) -> Option<((u32, u32), String)> {
    let rest = text.lines().find_map(|l| {
        l.trim()
            .strip_prefix("# Requires Terraform >= ")
            .map(str::to_string)
    })?;
    let (version, reason) = rest.split_once(':')?;
    let mut it = version.trim().split('.').map(|p| p.parse::<u32>().ok());
    let major = it.next()??;
    let minor = it.next().flatten().unwrap_or(0);
    Some(((major, minor), reason.trim().to_string()))
}

/// Ids the emulator holds.
fn ids(emu: &TestEmulator) -> BTreeSet<String> {
    emu.integrations()
        .into_iter()
        .map(|i| i.id.as_str().to_string())
        .collect()
}

/// Every resource of a `terraform show -json` state, child modules included.
fn state_resources(module: &serde_json::Value, out: &mut Vec<serde_json::Value>) {
    if let Some(rs) = module["resources"].as_array() {
        out.extend(rs.iter().cloned());
    }
    if let Some(children) = module["child_modules"].as_array() {
        for c in children {
            state_resources(c, out);
        }
    }
}

/// One `terraform apply` of an example: its extra arguments (also given to
/// the plan that follows and to the destroy) and, when known, how many
/// integrations it must leave in the state.
struct Phase<'a> {
    args: &'a [&'a str],
    integrations: Option<usize>,
}

/// For each phase: apply, every integration in the state `enabled` and in
/// the emulator (and nothing else new there), an empty second plan. Then
/// destroy, and the emulator back to `before`. Returns `terraform output
/// -json` after the last apply.
fn apply_plan_destroy(
    w: &Workdir,
    emu: &TestEmulator,
    example: &Example,
    before: &BTreeSet<String>,
    phases: &[Phase<'_>],
) -> serde_json::Value {
    let v = &w.cli.version;
    let name = &example.name;
    let mut outputs = serde_json::Value::Null;
    let mut last_args: &[&str] = &[];
    for phase in phases {
        last_args = phase.args;
        let out = w.apply(phase.args);
        assert_eq!(
            out.code,
            0,
            "{name}: apply {:?} ({v}) failed:\n{}",
            phase.args,
            out.both()
        );

        let state = w.show_json();
        let mut resources = Vec::new();
        state_resources(&state["values"]["root_module"], &mut resources);
        let integrations: Vec<&serde_json::Value> = resources
            .iter()
            .filter(|r| r["type"] == "immuta_integration" && r["mode"] == "managed")
            .collect();
        if let Some(n) = phase.integrations {
            assert_eq!(
                integrations.len(),
                n,
                "{name} ({v}): state holds {} integrations:\n{state}",
                integrations.len()
            );
        }
        let mut expected = before.clone();
        for r in &integrations {
            assert_eq!(
                r["values"]["status"], "enabled",
                "{name} ({v}): {} is not enabled: {}",
                r["address"], r["values"]
            );
            assert_eq!(
                r["values"]["validation_results"]["status"], "passed",
                "{name} ({v}): {}",
                r["address"]
            );
            expected.insert(r["values"]["id"].as_str().unwrap_or_default().to_string());
        }
        // A connection's native integration is one of the emulator's too.
        expected.extend(
            resources
                .iter()
                .filter(|r| r["type"] == "immuta_connection" && r["mode"] == "managed")
                .filter_map(|r| r["values"]["native_integration_id"].as_str())
                .map(str::to_string),
        );
        assert_eq!(
            ids(emu),
            expected,
            "{name} ({v}): the emulator and the state disagree"
        );
        let out = w.run(&["output", "-json"]).success();
        outputs = serde_json::from_str(&out.stdout).expect("terraform output -json");

        let mut args = vec!["-detailed-exitcode"];
        args.extend_from_slice(phase.args);
        let out = w.plan(&args);
        assert_eq!(
            out.code,
            0,
            "{name} ({v}): the plan after apply {:?} is not empty:\n{}",
            phase.args,
            out.both()
        );
    }

    let mut args = vec!["destroy", "-input=false", "-no-color", "-auto-approve"];
    args.extend_from_slice(last_args);
    let out = w.run(&args);
    assert_eq!(out.code, 0, "{name}: destroy ({v}) failed:\n{}", out.both());
    assert_eq!(
        &ids(emu),
        before,
        "{name} ({v}): destroy left integrations behind"
    );
    let state = w.show_json();
    let mut left = Vec::new();
    state_resources(&state["values"]["root_module"], &mut left);
    assert!(
        left.is_empty(),
        "{name} ({v}): state not empty after destroy: {state}"
    );
    outputs
}

/// The single phase of a flat example: everything it declares.
fn one_phase(example: &Example) -> [Phase<'static>; 1] {
    [Phase {
        args: &[],
        integrations: Some(example.integration_count()),
    }]
}

fn client(emu: &TestEmulator) -> ImmutaClient {
    ImmutaClient::new(ClientConfig::new(emu.url(), emu.api_key())).expect("client")
}

/// Creates an integration outside Terraform and waits until it is enabled.
fn seed(emu: &TestEmulator, payload: IntegrationPayload) -> String {
    let c = client(emu);
    emu.block_on(async {
        let answer = c.create(&payload, false).await.expect("seed create");
        let id = answer.id.expect("seed id").0;
        let opts = WaitOptions::new(Duration::from_secs(20), Default::default());
        wait_for(&c, &id, WaitTarget::Enabled, opts)
            .await
            .expect("seed enabled");
        id
    })
}

fn seed_snowflake(emu: &TestEmulator) -> String {
    seed(
        emu,
        IntegrationPayload {
            integration_type: IntegrationType::Snowflake,
            auto_bootstrap: Some(false),
            config: Some(IntegrationConfig::Snowflake(SnowflakeConfig {
                host: Some("seeded.us-east-1.snowflakecomputing.com".into()),
                warehouse: Some("SEEDED_WAREHOUSE".into()),
                database: Some("SEEDED_DATABASE".into()),
                authentication_type: Some("userPassword".into()),
                username: Some(Secret::new("seeded@example.com")),
                password: Some(Secret::new("seeded-password")),
                ..Default::default()
            })),
        },
    )
}

fn seed_trino(emu: &TestEmulator) -> String {
    seed(
        emu,
        IntegrationPayload {
            integration_type: IntegrationType::Trino,
            auto_bootstrap: None,
            config: None,
        },
    )
}

fn report(name: &str, cli: &TerraformCli, start: Instant) {
    eprintln!(
        "{name}: passed on Terraform {} in {:.1}s",
        cli.version,
        start.elapsed().as_secs_f64()
    );
}

#[test]
fn examples_folder_holds_only_tested_groups() {
    let groups: BTreeSet<String> = std::fs::read_dir(examples_root())
        .expect("examples/")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    let tested: BTreeSet<String> = [
        "provider",
        "quickstart",
        "resources",
        "data-sources",
        "ephemeral-resources",
        "modules",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    assert_eq!(
        groups, tested,
        "a folder of examples/ is not covered by tests/e2e/examples.rs"
    );
    // Every resource and data source of the provider has an example folder.
    use terraform_provider_immuta::framework::Provider;
    use terraform_provider_immuta::ImmutaProvider;
    let provider = ImmutaProvider::new();
    let names = |group: &str| -> BTreeSet<String> {
        folders(group)
            .iter()
            .filter_map(|p| p.file_name().and_then(|n| n.to_str()).map(str::to_string))
            .collect()
    };
    let resources: BTreeSet<String> = provider
        .resources()
        .iter()
        .map(|r| r.type_name().to_string())
        .collect();
    let data_sources: BTreeSet<String> = provider
        .data_sources()
        .iter()
        .map(|d| d.type_name().to_string())
        .collect();
    assert_eq!(names("resources"), resources, "examples/resources/*");
    assert_eq!(
        names("data-sources"),
        data_sources,
        "examples/data-sources/*"
    );
    let ephemeral: BTreeSet<String> = provider
        .ephemeral_resources()
        .iter()
        .map(|e| e.type_name().to_string())
        .collect();
    assert_eq!(
        names("ephemeral-resources"),
        ephemeral,
        "examples/ephemeral-resources/*"
    );
}

#[test]
fn provider_example_validates() {
    let example = Example::load(&examples_root().join("provider"));
    for cli in clis() {
        let Some(example) = example.for_cli(cli) else {
            continue;
        };
        let start = Instant::now();
        let w = workdir(cli, &example, None);
        validate(&w, &example);
        report(&example.name, cli, start);
    }
}

#[test]
fn quickstart_applies_plans_clean_and_destroys() {
    let example = Example::load(&examples_root().join("quickstart"));
    assert!(
        required_variables(&example.all_text()).is_empty(),
        "the quickstart must apply without input: give every variable a default"
    );
    for cli in clis() {
        let Some(example) = example.for_cli(cli) else {
            continue;
        };
        let start = Instant::now();
        let emu = TestEmulator::start();
        let w = workdir(cli, &example, Some(&emu));
        validate(&w, &example);
        let outputs =
            apply_plan_destroy(&w, &emu, &example, &BTreeSet::new(), &one_phase(&example));
        let listed = outputs["enabled_integrations"]["value"]
            .as_array()
            .map(|a| a.len());
        assert_eq!(listed, Some(2), "quickstart ({}): {outputs}", cli.version);
        let key = outputs["starburst_immuta_api_key"]["value"]
            .as_str()
            .unwrap_or_default();
        assert!(
            !key.is_empty(),
            "quickstart ({}): no Starburst API key",
            cli.version
        );
        report(&example.name, cli, start);
    }
}

#[test]
fn resource_examples_apply_plan_clean_and_destroy() {
    let dirs = folders("resources");
    assert!(!dirs.is_empty(), "no resource example");
    for dir in dirs {
        let example = Example::load(&dir);
        assert!(
            example.resource_count() > 0,
            "{}: declares no resource",
            example.name
        );
        for cli in clis() {
            let Some(example) = example.for_cli(cli) else {
                continue;
            };
            let start = Instant::now();
            let emu = TestEmulator::start();
            let w = workdir(cli, &example, Some(&emu));
            validate(&w, &example);
            apply_plan_destroy(&w, &emu, &example, &BTreeSet::new(), &one_phase(&example));
            report(&example.name, cli, start);
        }
    }
}

/// Every folder of `examples/<group>` on every CLI: validated, applied
/// against an emulator that `seed` prepares, planned clean and destroyed;
/// `check` then sees the folder, the CLI, what `seed` returned and the
/// outputs.
fn run_group<T>(
    group: &str,
    seed: impl Fn(&TestEmulator) -> T,
    check: impl Fn(&Example, &TerraformCli, &T, &serde_json::Value),
) {
    let dirs = folders(group);
    assert!(!dirs.is_empty(), "no example in examples/{group}");
    for dir in dirs {
        let example = Example::load(&dir);
        for cli in clis() {
            // A file that says `# Requires Terraform >= X.Y` is left out before.
            let Some(example) = example.for_cli(cli) else {
                continue;
            };
            let start = Instant::now();
            let emu = TestEmulator::start();
            let seeded = seed(&emu);
            let before = ids(&emu);
            let w = workdir(cli, &example, Some(&emu));
            validate(&w, &example);
            let outputs = apply_plan_destroy(&w, &emu, &example, &before, &one_phase(&example));
            check(&example, cli, &seeded, &outputs);
            report(&example.name, cli, start);
        }
    }
}

#[test]
fn data_source_examples_apply_plan_clean_and_destroy() {
    // Something for the data sources to read: one integration that the
    // immuta_integrations example's filter keeps, one it drops.
    let seed = |emu: &TestEmulator| {
        let snowflake = seed_snowflake(emu);
        seed_trino(emu);
        snowflake
    };
    run_group("data-sources", seed, |example, cli, snowflake, outputs| {
        if example.name.ends_with("/immuta_integrations") {
            assert_eq!(
                outputs["snowflake_integration_ids"]["value"],
                serde_json::json!([snowflake]),
                "{} ({}): {outputs}",
                example.name,
                cli.version
            );
        }
    });
}

#[test]
fn ephemeral_resource_examples_apply_plan_clean_and_destroy() {
    run_group("ephemeral-resources", |_| (), |_, _, _, _| {});
}

/// The ```` ```terraform ```` blocks of a markdown text.
fn terraform_blocks(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match current.as_mut() {
            None if line.trim_end() == "```terraform" => current = Some(String::new()),
            None => {}
            Some(_) if line.trim_end() == "```" => out.extend(current.take()),
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
        }
    }
    out
}

#[test]
fn guide_examples_apply_plan_clean_and_destroy() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/guides");
    let mut guides: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("docs/guides")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    guides.sort();
    let mut examples = Vec::new();
    for guide in &guides {
        let text = std::fs::read_to_string(guide).expect("read guide");
        let file = guide.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        assert!(
            text.starts_with("---\npage_title: "),
            "docs/guides/{file}: no Registry front matter"
        );
        for (i, block) in terraform_blocks(&text).into_iter().enumerate() {
            examples.push(Example {
                name: format!("docs/guides/{file} block {}", i + 1),
                files: vec![("main.tf".to_string(), block)],
                module_files: Vec::new(),
            });
        }
    }
    assert!(
        examples.len() >= 7,
        "guides hold {} examples",
        examples.len()
    );
    for cli in clis() {
        let start = Instant::now();
        for example in &examples {
            let Some(example) = example.for_cli(cli) else {
                continue;
            };
            let block_start = Instant::now();
            let emu = TestEmulator::start();
            let w = workdir(cli, &example, Some(&emu));
            validate(&w, &example);
            if example.integration_count() > 0 {
                // A two-step block (`bootstrapped`) runs both steps; the
                // state and the emulator must agree after each.
                let mut phases = vec![Phase {
                    args: &[],
                    integrations: None,
                }];
                if example.all_text().contains("variable \"bootstrapped\"") {
                    phases.push(Phase {
                        args: &["-var", "bootstrapped=true"],
                        integrations: Some(example.integration_count()),
                    });
                }
                apply_plan_destroy(&w, &emu, &example, &BTreeSet::new(), &phases);
            }
            report(&example.name, cli, block_start);
        }
        report(&format!("{} guide examples", examples.len()), cli, start);
    }
}

#[test]
fn requirements_are_read() {
    assert_eq!(
        requirement("# Requires Terraform >= 1.11: write-only attributes\nresource {}"),
        Some(((1, 11), "write-only attributes".to_string()))
    );
    assert_eq!(requirement("resource {}"), None);
}

#[test]
fn terraform_blocks_are_extracted() {
    let md = "text\n```terraform\nresource \"a\" \"b\" {}\n```\n```hcl\nx = 1\n```\n```terraform\nc {}\n```\n";
    assert_eq!(
        terraform_blocks(md),
        ["resource \"a\" \"b\" {}\n", "c {}\n"]
    );
}

#[test]
fn module_examples_apply_plan_clean_and_destroy() {
    let dirs = folders("modules");
    assert!(!dirs.is_empty(), "no module example");
    for dir in dirs {
        let example = Example::load_module(&dir);
        let module = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        // How the example's header says to run it.
        let phases: Vec<Phase<'_>> = match module.as_str() {
            "snowflake-manual-bootstrap" => vec![
                Phase {
                    args: &[],
                    integrations: Some(0),
                },
                Phase {
                    args: &["-var", "bootstrapped=true"],
                    integrations: Some(1),
                },
            ],
            _ => vec![Phase {
                args: &[],
                integrations: None,
            }],
        };
        for cli in clis() {
            let Some(example) = example.for_cli(cli) else {
                continue;
            };
            let start = Instant::now();
            let emu = TestEmulator::start();
            let snowflake = seed_snowflake(&emu);
            let trino = seed_trino(&emu);
            let before = ids(&emu);
            let w = workdir(cli, &example, Some(&emu));
            validate(&w, &example);
            let outputs = apply_plan_destroy(&w, &emu, &example, &before, &phases);
            if module == "integration-inventory" {
                assert_eq!(
                    outputs["ids"]["value"],
                    serde_json::json!([snowflake, trino]),
                    "{} ({}): {outputs}",
                    example.name,
                    cli.version
                );
            }
            report(&example.name, cli, start);
        }
    }
}

#[test]
fn required_variables_are_found() {
    let text = r#"
variable "a" {
  type      = string
  sensitive = true
}

variable "b" {
  type    = string
  default = "x"
}

variable "c" {}

variable "d" {
  default = {
    nested = true
  }
}
"#;
    assert_eq!(required_variables(text), ["a", "c"]);
}
