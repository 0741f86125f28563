//! The `adopt` command: its arguments, the fetch from Immuta and what it
//! prints.

use super::{render, Adoption, Options};
use crate::integration::Platform;
use immuta_client::{ClientConfig, ClientError, ImmutaClient};
use std::fmt::Write as _;
use std::path::PathBuf;

/// Why `adopt` failed. Messages never hold the API key or a secret.
#[derive(Debug, thiserror::Error)]
pub enum AdoptError {
    /// A command-line mistake.
    #[error("{0}\n\n{USAGE}")]
    Usage(String),
    /// No `--host` and no `IMMUTA_HOST`.
    #[error("Missing Immuta host: pass --host or set IMMUTA_HOST to Immuta's URL")]
    MissingHost,
    /// No `IMMUTA_API_KEY`.
    #[error(
        "Missing API key: set IMMUTA_API_KEY to the key of a user with APPLICATION_ADMIN \
         (it is never read from the command line, which other users may see)"
    )]
    MissingApiKey,
    /// The client could not be made or Immuta could not be listed.
    #[error("{0}")]
    Client(String),
    /// `--out` exists already.
    #[error("{0} exists; pass --force to overwrite it")]
    Exists(PathBuf),
    /// The file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl AdoptError {
    /// The exit code: 2 for a command-line mistake, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            AdoptError::Usage(_) => 2,
            _ => 1,
        }
    }
}

/// The command's help.
pub const USAGE: &str = "\
Usage: terraform-provider-immuta adopt [--host URL] [--out FILE] [--force]
           [--type TYPE]... [--status STATUS]... [--plain-secrets] [--no-terraform-block]

Writes an immuta_integration resource, an import block and the variables of
each integration of an Immuta tenant, so `terraform plan` imports them.

  --host URL             Immuta's URL (default: IMMUTA_HOST)
  --out FILE             the .tf file to write (default: standard output)
  --force                overwrite FILE if it exists
  --type TYPE            only this type: snowflake, databricks, bigquery, redshift,
                         azure_synapse, s3, trino, or Immuta's name (repeatable)
  --status STATUS        only this status, e.g. enabled (repeatable)
  --plain-secrets        secrets as plain attributes, for Terraform before 1.11
                         (default: write-only <secret>_wo with <secret>_wo_version)
  --no-terraform-block   leave out the terraform block (to add the file to a
                         configuration that has one)

The API key is read from IMMUTA_API_KEY only.";

/// The parsed command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// `--host`.
    pub host: Option<String>,
    /// `--out`.
    pub out: Option<PathBuf>,
    /// `--force`.
    pub force: bool,
    /// What to adopt and how.
    pub options: Options,
}

/// Reads the arguments after `adopt`; `Ok(None)` for `--help`.
pub fn parse_args(args: &[String]) -> Result<Option<Command>, AdoptError> {
    let mut cmd = Command {
        host: None,
        out: None,
        force: false,
        options: Options::default(),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |what: &str| {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| AdoptError::Usage(format!("{flag} needs {what}")))
        };
        match flag {
            "-h" | "--help" => return Ok(None),
            "--host" => cmd.host = Some(value("a URL")?),
            "--out" => cmd.out = Some(PathBuf::from(value("a file name")?)),
            "--force" => cmd.force = true,
            "--plain-secrets" => cmd.options.write_only = false,
            "--no-terraform-block" => cmd.options.terraform_block = false,
            "--type" => {
                let t = value("a type")?;
                let p = Platform::ALL
                    .into_iter()
                    .find(|p| {
                        p.block_name().eq_ignore_ascii_case(&t)
                            || p.integration_type().as_str().eq_ignore_ascii_case(&t)
                    })
                    .ok_or_else(|| AdoptError::Usage(format!("--type: unknown type \"{t}\"")))?;
                cmd.options.types.push(p);
            }
            "--status" => cmd.options.statuses.push(value("a status")?),
            other => return Err(AdoptError::Usage(format!("unknown argument \"{other}\""))),
        }
    }
    Ok(Some(cmd))
}

/// Lists the tenant's integrations and renders them.
pub async fn fetch(host: &str, api_key: &str, options: &Options) -> Result<Adoption, AdoptError> {
    let mut cfg = ClientConfig::new(host.to_string(), api_key.to_string());
    cfg.user_agent = format!(
        "terraform-provider-immuta/{} (adopt)",
        env!("CARGO_PKG_VERSION")
    );
    let explain = |context: &str, e: &ClientError| {
        let d = crate::client_errors::diagnostic(context.to_string(), e);
        AdoptError::Client(format!("{}\n\n{}", d.summary, d.detail))
    };
    let client = ImmutaClient::new(cfg)
        .map_err(|e| AdoptError::Client(format!("Invalid Immuta connection settings: {e}")))?;
    let list = client
        .list()
        .await
        .map_err(|e| explain("Could not list Immuta integrations", &e))?;
    Ok(render(&list, options))
}

/// Runs `adopt` with its arguments and environment (`IMMUTA_HOST`,
/// `IMMUTA_API_KEY`); returns the summary to print on standard error.
pub async fn run(
    args: &[String],
    env_host: Option<String>,
    env_api_key: Option<String>,
) -> Result<String, AdoptError> {
    let Some(cmd) = parse_args(args)? else {
        return Ok(USAGE.to_string());
    };
    let host = cmd
        .host
        .clone()
        .or(env_host)
        .filter(|h| !h.trim().is_empty())
        .ok_or(AdoptError::MissingHost)?;
    let key = env_api_key
        .filter(|k| !k.trim().is_empty())
        .ok_or(AdoptError::MissingApiKey)?;
    if let Some(path) = &cmd.out {
        if path.exists() && !cmd.force {
            return Err(AdoptError::Exists(path.clone()));
        }
    }
    let adoption = fetch(&host, &key, &cmd.options).await?;
    match &cmd.out {
        Some(path) => std::fs::write(path, &adoption.hcl).map_err(|source| AdoptError::Write {
            path: path.clone(),
            source,
        })?,
        None => {
            use std::io::Write as _;
            std::io::stdout()
                .lock()
                .write_all(adoption.hcl.as_bytes())
                .map_err(|source| AdoptError::Write {
                    path: PathBuf::from("standard output"),
                    source,
                })?
        }
    }
    Ok(summary(&adoption, cmd.out.as_deref()))
}

fn summary(a: &Adoption, out: Option<&std::path::Path>) -> String {
    let mut s = format!(
        "Wrote {} integration{} to {}.",
        a.adopted.len(),
        if a.adopted.len() == 1 { "" } else { "s" },
        out.map_or("standard output".to_string(), |p| p.display().to_string())
    );
    if !a.variables.is_empty() {
        let _ = write!(s, "\nSet before planning:");
        for v in &a.variables {
            let _ = write!(
                s,
                "\n  TF_VAR_{}{}",
                v.name,
                if v.sensitive { " (secret)" } else { "" }
            );
        }
    }
    for n in &a.notes {
        let _ = write!(s, "\nNote: {n}");
    }
    s
}
