//! Test support: drives the real `terraform` CLI, with this provider installed
//! from a filesystem mirror, against an in-process `immuta-emulator`.
//!
//! - [`clis`]: the Terraform CLIs to test with (`IMMUTA_TEST_TERRAFORM`, a
//!   colon-separated list; else `terraform` on PATH and the 1.0.3 that
//!   `scripts/install-terraform.sh` keeps in `.tools/`).
//! - [`TestEmulator`]: the emulator on 127.0.0.1:0, on a runtime of its own,
//!   stopped when dropped.
//! - [`Workdir`]: a temporary Terraform working directory whose every command
//!   runs with our CLI config (never the user's `~/.terraformrc`).
//! - [`steps`]: test steps in the shape of `resource.Test` (apply and check
//!   the state, expected plan actions, import and verify, refresh-only drift,
//!   destroy to an empty Immuta), read through Terraform's JSON.
#![allow(dead_code)]

pub mod steps;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How long one terraform command may run before the harness kills it.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);

/// The provider's address, as users declare it.
pub const PROVIDER_SOURCE: &str = "immuta/immuta";
/// The version the mirror offers.
pub const PROVIDER_VERSION: &str = "0.1.0";

/// One Terraform CLI.
#[derive(Clone, Debug)]
pub struct TerraformCli {
    /// Its path.
    pub path: PathBuf,
    /// What `terraform version -json` says, e.g. `1.11.4`.
    pub version: String,
}

impl TerraformCli {
    /// `(major, minor)` of the version.
    pub fn minor(&self) -> (u32, u32) {
        let mut it = self
            .version
            .split('.')
            .map(|p| p.parse::<u32>().unwrap_or(0));
        (it.next().unwrap_or(0), it.next().unwrap_or(0))
    }

    /// Whether this CLI is at least `major.minor`.
    pub fn at_least(&self, major: u32, minor: u32) -> bool {
        self.minor() >= (major, minor)
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The Terraform CLIs every end-to-end test runs against. Fails the test when
/// there is none: a missing CLI is a broken set-up, not a reason to skip.
pub fn clis() -> &'static [TerraformCli] {
    static CLIS: OnceLock<Vec<TerraformCli>> = OnceLock::new();
    CLIS.get_or_init(|| {
        let candidates: Vec<PathBuf> = match std::env::var("IMMUTA_TEST_TERRAFORM") {
            Ok(list) if !list.trim().is_empty() => list
                .split(':')
                .filter(|s| !s.is_empty())
                .map(PathBuf::from)
                .collect(),
            _ => {
                let mut v = Vec::new();
                if let Some(p) = find_on_path("terraform") {
                    v.push(p);
                }
                let old = workspace_root().join(".tools/terraform-1.0.3/terraform");
                if old.exists() {
                    v.push(old);
                }
                v
            }
        };
        let mut found = Vec::new();
        for path in candidates {
            let out = Command::new(&path)
                .args(["version", "-json"])
                .env("CHECKPOINT_DISABLE", "1")
                .env_remove("TF_CLI_CONFIG_FILE")
                .output()
                .unwrap_or_else(|e| panic!("cannot run {}: {e}", path.display()));
            let v: serde_json::Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{} version -json: {e}", path.display()));
            let version = v["terraform_version"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if found.iter().any(|c: &TerraformCli| c.version == version) {
                continue;
            }
            found.push(TerraformCli { path, version });
        }
        assert!(
            !found.is_empty(),
            "no Terraform CLI found: run scripts/install-terraform.sh or set IMMUTA_TEST_TERRAFORM"
        );
        found
    })
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// The provider binary cargo built for these tests.
pub fn provider_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-immuta"))
}

/// A filesystem mirror holding this provider, and a CLI config that installs
/// it from there (and everything else from nowhere). Made once per test
/// process.
pub fn cli_config() -> &'static Path {
    static CONFIG: OnceLock<PathBuf> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let base = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("tf-mirror-{}", std::process::id()));
        let pkg = base
            .join("mirror/registry.terraform.io/immuta/immuta")
            .join(PROVIDER_VERSION)
            .join("linux_amd64");
        std::fs::create_dir_all(&pkg).expect("create mirror");
        std::fs::copy(
            provider_binary(),
            pkg.join(format!("terraform-provider-immuta_v{PROVIDER_VERSION}")),
        )
        .expect("copy the provider into the mirror");
        let config = base.join("terraform.rc");
        std::fs::write(
            &config,
            format!(
                r#"provider_installation {{
  filesystem_mirror {{
    path    = "{}"
    include = ["registry.terraform.io/immuta/immuta"]
  }}
  direct {{
    exclude = ["registry.terraform.io/immuta/immuta"]
  }}
}}
"#,
                base.join("mirror").display()
            ),
        )
        .expect("write CLI config");
        std::fs::create_dir_all(base.join("home")).expect("create home");
        config
    })
}

/// The output of one terraform command.
#[derive(Debug)]
pub struct TfOutput {
    /// The command line, for messages.
    pub command: String,
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// How long it took.
    pub elapsed: Duration,
}

impl TfOutput {
    /// Panics with both streams unless the command succeeded.
    pub fn success(self) -> Self {
        assert_eq!(self.code, 0, "`{}` failed:\n{}", self.command, self.both());
        self
    }

    /// Panics unless the command failed and its output contains every needle.
    pub fn failure_with(self, needles: &[&str]) -> Self {
        assert_ne!(
            self.code,
            0,
            "`{}` should have failed:\n{}",
            self.command,
            self.both()
        );
        let both = self.both();
        for n in needles {
            assert!(
                both.contains(n),
                "`{}` output lacks {n:?}:\n{both}",
                self.command
            );
        }
        self
    }

    /// Both streams, stdout first.
    pub fn both(&self) -> String {
        format!("--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr)
    }
}

/// A temporary Terraform working directory for one CLI.
pub struct Workdir {
    dir: tempfile::TempDir,
    /// The CLI every command runs.
    pub cli: TerraformCli,
    env: BTreeMap<String, String>,
    config_file: Option<PathBuf>,
}

impl Workdir {
    /// A new, empty working directory.
    pub fn new(cli: &TerraformCli) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("tfwork-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .expect("temp dir");
        Workdir {
            dir,
            cli: cli.clone(),
            env: BTreeMap::new(),
            config_file: None,
        }
    }

    /// Uses this CLI config file instead of the test mirror's.
    pub fn cli_config_file(&mut self, path: &Path) -> &mut Self {
        self.config_file = Some(path.to_path_buf());
        self
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Sets an environment variable for every command.
    pub fn env(&mut self, key: &str, value: &str) -> &mut Self {
        self.env.insert(key.to_string(), value.to_string());
        self
    }

    /// Points the provider at an emulator through its environment variables.
    pub fn use_emulator(&mut self, emu: &TestEmulator) -> &mut Self {
        let url = emu.url().to_string();
        let key = emu.api_key().to_string();
        self.env("IMMUTA_HOST", &url).env("IMMUTA_API_KEY", &key)
    }

    /// Writes a file into the directory.
    pub fn write(&self, name: &str, content: &str) -> &Self {
        std::fs::write(self.dir.path().join(name), content).expect("write file");
        self
    }

    /// Runs `terraform <args>` here, in a process group of its own. A command
    /// that runs past [`COMMAND_TIMEOUT`] (a crashed CLI can leave its
    /// provider holding the output pipes) is killed with its whole group and
    /// fails the test with what it printed.
    pub fn run(&self, args: &[&str]) -> TfOutput {
        self.run_with_timeout(args, COMMAND_TIMEOUT)
    }

    /// [`Workdir::run`] with another time limit.
    pub fn run_with_timeout(&self, args: &[&str], limit: Duration) -> TfOutput {
        use std::io::Read;
        use std::os::unix::process::CommandExt;
        let home = cli_config().parent().expect("config dir").join("home");
        let mut cmd = Command::new(&self.cli.path);
        cmd.args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", home)
            .env(
                "TF_CLI_CONFIG_FILE",
                self.config_file.as_deref().unwrap_or_else(|| cli_config()),
            )
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .envs(&self.env);
        let command = format!("terraform {} ({})", args.join(" "), self.cli.version);
        let start = Instant::now();
        let mut child = cmd.spawn().expect("run terraform");
        let pid = child.id();
        let pipe = |mut r: Box<dyn Read + Send>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = r.read_to_end(&mut buf);
                String::from_utf8_lossy(&buf).into_owned()
            })
        };
        let out = pipe(Box::new(child.stdout.take().expect("stdout")));
        let err = pipe(Box::new(child.stderr.take().expect("stderr")));
        let kill_group = || {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .stderr(Stdio::null())
                .status();
        };
        let mut timed_out = false;
        let status = loop {
            match child.try_wait().expect("wait for terraform") {
                Some(status) => break status,
                None if start.elapsed() > limit => {
                    timed_out = true;
                    kill_group();
                    break child.wait().expect("wait for terraform");
                }
                None => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        // Terraform has exited; a provider it left behind would keep the
        // pipes open: give the readers a moment, then end the group.
        let grace = Instant::now();
        while !(out.is_finished() && err.is_finished()) && grace.elapsed() < Duration::from_secs(5)
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        if !(out.is_finished() && err.is_finished()) {
            kill_group();
        }
        let result = TfOutput {
            command,
            code: status.code().unwrap_or(-1),
            stdout: out.join().unwrap_or_default(),
            stderr: err.join().unwrap_or_default(),
            elapsed: start.elapsed(),
        };
        assert!(
            !timed_out,
            "`{}` ran past {limit:?} and was killed:\n{}",
            result.command,
            result.both()
        );
        result
    }

    /// `terraform init`.
    pub fn init(&self) -> TfOutput {
        self.run(&["init", "-input=false", "-no-color"])
    }

    /// `terraform plan`.
    pub fn plan(&self, extra: &[&str]) -> TfOutput {
        let mut args = vec!["plan", "-input=false", "-no-color"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// `terraform apply -auto-approve`.
    pub fn apply(&self, extra: &[&str]) -> TfOutput {
        let mut args = vec!["apply", "-input=false", "-no-color", "-auto-approve"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// `terraform destroy -auto-approve`.
    pub fn destroy(&self) -> TfOutput {
        self.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
    }

    /// `terraform show -json`, parsed.
    pub fn show_json(&self) -> serde_json::Value {
        let out = self.run(&["show", "-json"]).success();
        serde_json::from_str(&out.stdout).expect("show -json")
    }

    /// `terraform plan -detailed-exitcode`'s code: 0 no changes, 2 changes.
    pub fn plan_exit_code(&self) -> (i32, TfOutput) {
        let out = self.plan(&["-detailed-exitcode"]);
        (out.code, out)
    }
}

/// A `terraform { required_providers }` block for this provider.
pub fn required_providers() -> String {
    format!(
        r#"terraform {{
  required_providers {{
    immuta = {{
      source  = "{PROVIDER_SOURCE}"
      version = "{PROVIDER_VERSION}"
    }}
  }}
}}
"#
    )
}

/// The emulator on 127.0.0.1:0, on a tokio runtime of its own so tests stay
/// synchronous; stopped when dropped.
pub struct TestEmulator {
    emu: Option<immuta_emulator::RunningEmulator>,
    rt: tokio::runtime::Runtime,
}

impl TestEmulator {
    /// An emulator whose operations settle after 20 ms (so the provider's
    /// waiting is exercised, briefly).
    pub fn start() -> Self {
        Self::with(|b| b)
    }

    /// An emulator set up by `configure` from the default builder.
    pub fn with(
        configure: impl FnOnce(immuta_emulator::EmulatorBuilder) -> immuta_emulator::EmulatorBuilder,
    ) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("emulator runtime");
        let builder =
            immuta_emulator::Emulator::builder().transition_delay(Duration::from_millis(20));
        let emu = rt
            .block_on(configure(builder).start())
            .expect("start the emulator");
        TestEmulator { emu: Some(emu), rt }
    }

    fn emu(&self) -> &immuta_emulator::RunningEmulator {
        self.emu.as_ref().expect("emulator running")
    }

    /// Its base URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.emu().url()
    }

    /// The API key it accepts.
    pub fn api_key(&self) -> String {
        self.emu().api_key().to_string()
    }

    /// A handle to its state and request log.
    pub fn handle(&self) -> immuta_emulator::EmulatorHandle {
        self.emu().handle()
    }

    /// Runs a future on the emulator's runtime.
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// Every integration it holds (secrets redacted, as GET shows them).
    pub fn integrations(&self) -> Vec<immuta_api::Integration> {
        let h = self.handle();
        self.block_on(async move { h.integrations().await })
    }
}

impl TestEmulator {
    /// Changes integration `id` through the API, as someone in Immuta's UI
    /// would: its config (with its secrets, as that user sends them) passes
    /// through `change`, is PUT, and settles.
    pub fn change_out_of_band(
        &self,
        id: &str,
        change: impl FnOnce(&mut immuta_api::IntegrationConfig),
    ) {
        let c = immuta_client::ImmutaClient::new(immuta_client::ClientConfig::new(
            self.url(),
            self.api_key(),
        ))
        .expect("client");
        let h = self.handle();
        self.block_on(async {
            let mut payload = h
                .integrations_with_secrets()
                .await
                .into_iter()
                .find(|i| i.id.as_str() == id)
                .expect("the integration")
                .to_payload();
            change(payload.config.as_mut().expect("config"));
            c.update(id, &payload, false)
                .await
                .expect("out-of-band PUT");
            let opts = immuta_client::WaitOptions::new(Duration::from_secs(10), Default::default());
            immuta_client::wait_for(&c, id, immuta_client::WaitTarget::Enabled, opts)
                .await
                .expect("settles");
        });
    }
}

impl Drop for TestEmulator {
    fn drop(&mut self) {
        if let Some(emu) = self.emu.take() {
            let _ = self.rt.block_on(emu.shutdown());
        }
    }
}
