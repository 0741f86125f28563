//! Helpers shared by the `reliability_*` tests: the CLI they run on, the
//! configurations of many integrations, state/emulator comparison, fault
//! figures, and terraform started in the background (to interrupt it).
#![allow(dead_code)]

use crate::support::{cli_config, clis, required_providers, TerraformCli, Workdir};
use immuta_emulator::RequestRecord;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

/// The CLI the reliability suite runs on: 1.11 when present (it is the one
/// the figures are for), else the first CLI found.
pub fn cli() -> TerraformCli {
    let all = clis();
    all.iter()
        .find(|c| c.at_least(1, 11))
        .unwrap_or(&all[0])
        .clone()
}

/// A provider block with short, many retries.
pub fn provider_block(max_retries: u32, base: &str, max: &str, extra: &str) -> String {
    format!(
        r#"{}
provider "immuta" {{
  max_retries      = {max_retries}
  retry_base_delay = "{base}"
  retry_max_delay  = "{max}"
{extra}
}}
"#,
        required_providers()
    )
}

/// `n` integrations: a mix of Trino, Snowflake (unique hosts), S3 (unique
/// names and paths) and Databricks (unique workspaces), named `tag`.
pub fn mixed_integrations(
    tag: &str,
    trino: usize,
    snowflake: usize,
    s3: usize,
    dbx: usize,
) -> String {
    format!(
        r#"
resource "immuta_integration" "{tag}_trino" {{
  count = {trino}
  trino = {{}}
}}

resource "immuta_integration" "{tag}_snowflake" {{
  count          = {snowflake}
  auto_bootstrap = false
  snowflake = {{
    host                = "{tag}-acct${{count.index}}.us-east-1.snowflakecomputing.com"
    warehouse           = "WH"
    database            = "IMMUTA_DB"
    authentication_type = "userPassword"
    username            = "immuta_system"
    password            = "pw-{tag}-snowflake"
  }}
}}

resource "immuta_integration" "{tag}_s3" {{
  count          = {s3}
  auto_bootstrap = false
  s3 = {{
    name                = "{tag}-bucket-${{count.index}}"
    aws_account_id      = "123456789012"
    aws_region          = "us-east-1"
    aws_location_role   = "arn:aws:iam::123456789012:role/access-grants"
    aws_location_path   = "s3://{tag}-bucket-${{count.index}}/"
    authentication_type = "auto"
    aws_role_to_assume  = "arn:aws:iam::123456789012:role/immuta"
  }}
}}

resource "immuta_integration" "{tag}_databricks" {{
  count          = {dbx}
  auto_bootstrap = true
  databricks = {{
    workspace_url       = "https://{tag}-ws${{count.index}}.cloud.databricks.com"
    http_path           = "sql/protocolv1/o/0/0000-000000-abcdefgh"
    catalog             = "immuta_{tag}"
    authentication_type = "token"
    token               = "dapi-{tag}-token"
  }}
}}
"#
    )
}

/// The ids in the state, by resource address (`terraform show -json`).
pub fn state_ids(wd: &Workdir) -> BTreeMap<String, String> {
    let show = wd.show_json();
    let mut out = BTreeMap::new();
    if let Some(resources) = show["values"]["root_module"]["resources"].as_array() {
        for r in resources {
            if r["type"] != "immuta_integration" {
                continue;
            }
            let addr = r["address"].as_str().unwrap_or_default().to_string();
            if let Some(id) = r["values"]["id"].as_str() {
                out.insert(addr, id.to_string());
            }
        }
    }
    out
}

/// The ids of what the emulator holds.
pub fn emulator_ids(emu: &crate::support::TestEmulator) -> BTreeSet<String> {
    emu.integrations()
        .into_iter()
        .map(|i| i.id.as_str().to_string())
        .collect()
}

/// Figures of a request log: total, faults by kind, creates sent.
#[derive(Debug, Default, Clone)]
pub struct Figures {
    pub requests: usize,
    pub r429: usize,
    pub r503: usize,
    pub dropped: usize,
    pub create_posts: usize,
    pub create_posts_faulted: usize,
}

impl Figures {
    pub fn of(log: &[RequestRecord]) -> Figures {
        let mut f = Figures {
            requests: log.len(),
            ..Default::default()
        };
        for r in log {
            match r.fault.as_deref() {
                Some("429") => f.r429 += 1,
                Some("503") => f.r503 += 1,
                Some("drop") => f.dropped += 1,
                _ => {}
            }
            if r.method == "POST" && r.path == "/integrations" && !r.is_dry_run() {
                f.create_posts += 1;
                if r.fault.is_some() {
                    f.create_posts_faulted += 1;
                }
            }
        }
        f
    }

    pub fn faults(&self) -> usize {
        self.r429 + self.r503 + self.dropped
    }
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} requests, {} faults ({} x 429, {} x 503, {} dropped; {:.1}%), {} create POSTs ({} of them faulted)",
            self.requests,
            self.faults(),
            self.r429,
            self.r503,
            self.dropped,
            100.0 * self.faults() as f64 / self.requests.max(1) as f64,
            self.create_posts,
            self.create_posts_faulted
        )
    }
}

/// `terraform <args>` started in the background in `dir`, with the same
/// environment as [`Workdir::run`] plus `env`.
pub fn spawn(cli: &TerraformCli, dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Child {
    let home = cli_config().parent().expect("config dir").join("home");
    Command::new(&cli.path)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("TF_CLI_CONFIG_FILE", cli_config())
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .env("TF_INPUT", "0")
        .envs(env.iter().copied())
        .spawn()
        .expect("start terraform")
}

/// Sends SIGINT (what Ctrl-C sends) to a process.
pub fn interrupt(pid: u32) {
    let st = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(st.success(), "kill -INT {pid} failed");
}

/// A small pseudo-random generator seeded from the clock (or
/// `RELIABILITY_SEED`), printed so a run can be repeated.
pub struct Rng(u64);

impl Rng {
    pub fn from_env_or_clock() -> Rng {
        let seed = std::env::var("RELIABILITY_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(1)
            });
        eprintln!("RELIABILITY_SEED={seed}");
        Rng(seed | 1)
    }

    /// A number in `lo..hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        lo + x % (hi - lo).max(1)
    }
}
