//! The `immuta-emulator` binary: flags and environment variables, then serve
//! until SIGINT or SIGTERM.

use clap::{Parser, ValueEnum};
use immuta_emulator::{
    ConnectionAnswer, ConnectionDelete, ConnectionPut, ConnectionSecrets, DeleteBody, Emulator,
    FaultConfig, ForceDisable, Guesses, IdType, JobShape, Redact, StatusShape, TrinoKey,
    CONNECTIONS_HELP, TRIGGERS_HELP,
};
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const AFTER_HELP: &str = r#"ENDPOINTS (Authorization: <key> or Authorization: Bearer <key>):
  GET    /integrations                      list
  POST   /integrations[?dryRun=true]        create (JSON or YAML body)
  GET    /integrations/{id}                 one integration (secrets <REDACTED>)
  PUT    /integrations/{id}[?dryRun=true]   update (type cannot change)
  DELETE /integrations/{id}[?dryRun=true][&forceDisable=true]
  GET    /integrations/{id}/status          {id, status, validationResults} (or "status")
  POST   /integrations/{id}/regenerate      new API key (Trino)
  POST   /integrations/scripts/{create|cleanup|initial-create|post-cleanup}
  POST   /integrations/{id}/scripts/{delete|edit}
  With --admin: GET/POST/DELETE /_emulator/faults, GET/DELETE /_emulator/requests,
  GET/POST/DELETE /_emulator/guesses (JSON: {"echoDefaults": false, "trinoKey": "never", ...}).

STATUSES: POST answers 'creating', PUT 'editing', DELETE 'deleting'; after
--transition-delay-ms they become 'enabled' (or the integration is gone),
or createError/editError/deleteError when a trigger below says so.

GUESSES: where Immuta's page is silent the emulator guesses; each guess is a
switch (--echo-defaults ... --delete-body above), the default being what we
believe most likely. --guesses=alternatives turns every switch to its other
value at once (--trino-key=create); a switch given as well wins.

NOTES: ids are "1", "2", ... (1, 2 with --id-type=number) and may be sent
quoted. GET shows secrets as <REDACTED> (Databricks' token as REDACTED, as
Immuta's example does); a PUT sending <REDACTED> keeps the stored secret
(unless --store-redacted-put). Errors are
{"statusCode", "error", "message"}. Bodies over --max-body-bytes get 413.
Admin fault JSON: {"tooManyRequestsRate", "unavailableRate", "dropRate",
"latencyMs", "retryAfterSecs", "seed", "script": ["pass"|"tooManyRequests"|
"serviceUnavailable"|"drop", ...]} (script: applied to the next requests).
Logs go to stderr (RUST_LOG sets the level); the URL and key to stdout.
"#;

/// A local emulator of Immuta's /integrations API.
#[derive(Parser, Debug)]
#[command(name = "immuta-emulator", version, about, long_about = None,
          after_help = format!("{AFTER_HELP}\n{CONNECTIONS_HELP}\n{TRIGGERS_HELP}"))]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "IMMUTA_EMULATOR_BIND", default_value = "127.0.0.1")]
    bind: IpAddr,

    /// Port to listen on; 0 picks a free port (printed at start).
    #[arg(
        long,
        short = 'p',
        env = "IMMUTA_EMULATOR_PORT",
        default_value_t = 8080
    )]
    port: u16,

    /// API key clients must send in Authorization; generated and printed when absent.
    #[arg(long, env = "IMMUTA_EMULATOR_API_KEY", hide_env_values = true)]
    api_key: Option<String>,

    /// A second key that is accepted but lacks APPLICATION_ADMIN: its requests get 403.
    #[arg(
        long,
        env = "IMMUTA_EMULATOR_UNPRIVILEGED_API_KEY",
        hide_env_values = true
    )]
    unprivileged_api_key: Option<String>,

    /// Keep integrations in this JSON file across restarts (written atomically
    /// before each change is answered; it holds the secrets sent, mode 0600).
    #[arg(long, env = "IMMUTA_EMULATOR_STATE_FILE")]
    state_file: Option<PathBuf>,

    /// Milliseconds before creating/editing/deleting settle (0: at once).
    #[arg(
        long,
        env = "IMMUTA_EMULATOR_TRANSITION_DELAY_MS",
        default_value_t = 1000
    )]
    transition_delay_ms: u64,

    /// Enable the admin endpoints under /_emulator (off by default).
    #[arg(long, env = "IMMUTA_EMULATOR_ADMIN")]
    admin: bool,

    /// Largest request body accepted, in bytes (larger: 413).
    #[arg(long, env = "IMMUTA_EMULATOR_MAX_BODY_BYTES", default_value_t = immuta_emulator::DEFAULT_BODY_LIMIT)]
    max_body_bytes: usize,

    /// Share (0..1) of /integrations requests answered 429 with Retry-After.
    #[arg(long, env = "IMMUTA_EMULATOR_FAULT_429_RATE", default_value_t = 0.0)]
    fault_429_rate: f64,

    /// Share (0..1) of /integrations requests answered 503 with Retry-After.
    #[arg(long, env = "IMMUTA_EMULATOR_FAULT_503_RATE", default_value_t = 0.0)]
    fault_503_rate: f64,

    /// Share (0..1) of /integrations requests whose connection is dropped unanswered.
    #[arg(long, env = "IMMUTA_EMULATOR_FAULT_DROP_RATE", default_value_t = 0.0)]
    fault_drop_rate: f64,

    /// Milliseconds of latency added to every /integrations request.
    #[arg(long, env = "IMMUTA_EMULATOR_FAULT_LATENCY_MS", default_value_t = 0)]
    fault_latency_ms: u64,

    /// Seconds sent in Retry-After with injected 429 and 503 answers.
    #[arg(
        long,
        env = "IMMUTA_EMULATOR_FAULT_RETRY_AFTER_SECS",
        default_value_t = 1
    )]
    fault_retry_after_secs: u64,

    /// Seed for the fault draws, for reproducible runs.
    #[arg(long, env = "IMMUTA_EMULATOR_FAULT_SEED")]
    fault_seed: Option<u64>,

    /// Where Immuta's page is silent.
    #[command(flatten)]
    guesses: GuessArgs,
}

/// A switch for each guess the emulator makes where Immuta's page is silent.
#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Guesses (where Immuta's page is silent)")]
struct GuessArgs {
    /// Every guess at once: `defaults`, or `alternatives` (each switch below at
    /// its non-default value, --trino-key=create). A switch given too wins.
    #[arg(
        long = "guesses",
        env = "IMMUTA_EMULATOR_GUESSES",
        value_enum,
        default_value = "defaults"
    )]
    preset: Preset,

    /// GET and the list fill in Immuta's defaults the request did not send
    /// (Snowflake port 443, audit/workspaces/impersonation/lineage off;
    /// Databricks audit; Redshift port 5439; Synapse port 1433,
    /// metadataDelimiters...). false: only what was sent, as sent. [default: true]
    #[arg(long, env = "IMMUTA_EMULATOR_ECHO_DEFAULTS", value_name = "BOOL",
          num_args = 0..=1, default_missing_value = "true")]
    echo_defaults: Option<bool>,

    /// Which answers carry Trino's generated API key (config.apiKey). [default: get]
    #[arg(long, env = "IMMUTA_EMULATOR_TRINO_KEY", value_enum)]
    trino_key: Option<TrinoKey>,

    /// Which strings GET and the list answer as <REDACTED>. [default: secrets]
    #[arg(long, env = "IMMUTA_EMULATOR_REDACT", value_enum)]
    redact: Option<Redact>,

    /// What DELETE ?forceDisable=true ends in. [default: delete]
    #[arg(long, env = "IMMUTA_EMULATOR_FORCE_DISABLE", value_enum)]
    force_disable: Option<ForceDisable>,

    /// The shape of GET /integrations/{id}/status. [default: object]
    #[arg(long, env = "IMMUTA_EMULATOR_STATUS_SHAPE", value_enum)]
    status_shape: Option<StatusShape>,

    /// How ids are written in every answer. [default: string]
    #[arg(long, env = "IMMUTA_EMULATOR_ID_TYPE", value_enum)]
    id_type: Option<IdType>,

    /// A PUT carrying <REDACTED> (or REDACTED) for a secret stores that literal
    /// instead of keeping the stored secret. [default: false]
    #[arg(long, env = "IMMUTA_EMULATOR_STORE_REDACTED_PUT", value_name = "BOOL",
          num_args = 0..=1, default_missing_value = "true")]
    store_redacted_put: Option<bool>,

    /// Numbers and booleans in config and autoBootstrap of GET and list answers
    /// are sent as strings ("5439", "true"). [default: false]
    #[arg(long, env = "IMMUTA_EMULATOR_SCALARS_AS_STRINGS", value_name = "BOOL",
          num_args = 0..=1, default_missing_value = "true")]
    scalars_as_strings: Option<bool>,

    /// What becomes of a DELETE body where none is needed (Native S3, Google
    /// BigQuery, Trino, Databricks, autoBootstrap false). [default: refuse]
    #[arg(long, env = "IMMUTA_EMULATOR_DELETE_BODY", value_enum)]
    delete_body: Option<DeleteBody>,

    /// What POST and PUT /data/connection answer: the connection as GET
    /// answers it, {connectionKey, bulkId}, or 204. [default: connection]
    #[arg(long, env = "IMMUTA_EMULATOR_CONNECTION_ANSWER", value_enum)]
    connection_answer: Option<ConnectionAnswer>,

    /// What PUT /data/connection/{key} does with what its body leaves out:
    /// full resets it, merge keeps it. [default: full]
    #[arg(long, env = "IMMUTA_EMULATOR_CONNECTION_PUT", value_enum)]
    connection_put: Option<ConnectionPut>,

    /// How GET /data/connection shows secrets: <REDACTED>, [REDACTED], or
    /// left out. [default: redacted]
    #[arg(long, env = "IMMUTA_EMULATOR_CONNECTION_SECRETS", value_enum)]
    connection_secrets: Option<ConnectionSecrets>,

    /// The shape of GET /jobs?bulkId=...: one summary object or a list of
    /// jobs. [default: summary]
    #[arg(long, env = "IMMUTA_EMULATOR_JOB_SHAPE", value_enum)]
    job_shape: Option<JobShape>,

    /// Whether DELETE /data/object/{connectionKey} removes the connection at
    /// once or through a bulk job. [default: sync]
    #[arg(long, env = "IMMUTA_EMULATOR_CONNECTION_DELETE", value_enum)]
    connection_delete: Option<ConnectionDelete>,
}

/// `--guesses`.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Preset {
    /// What we believe most likely.
    Defaults,
    /// Every switch at its non-default value.
    Alternatives,
}

impl GuessArgs {
    /// The preset, then each switch given.
    fn guesses(&self) -> Guesses {
        let base = match self.preset {
            Preset::Defaults => Guesses::default(),
            Preset::Alternatives => Guesses::alternatives(),
        };
        Guesses {
            echo_defaults: self.echo_defaults.unwrap_or(base.echo_defaults),
            trino_key: self.trino_key.unwrap_or(base.trino_key),
            redact: self.redact.unwrap_or(base.redact),
            force_disable: self.force_disable.unwrap_or(base.force_disable),
            status_shape: self.status_shape.unwrap_or(base.status_shape),
            id_type: self.id_type.unwrap_or(base.id_type),
            store_redacted_put: self.store_redacted_put.unwrap_or(base.store_redacted_put),
            scalars_as_strings: self.scalars_as_strings.unwrap_or(base.scalars_as_strings),
            delete_body: self.delete_body.unwrap_or(base.delete_body),
            connection_answer: self.connection_answer.unwrap_or(base.connection_answer),
            connection_put: self.connection_put.unwrap_or(base.connection_put),
            connection_secrets: self.connection_secrets.unwrap_or(base.connection_secrets),
            job_shape: self.job_shape.unwrap_or(base.job_shape),
            connection_delete: self.connection_delete.unwrap_or(base.connection_delete),
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let faults = FaultConfig {
        too_many_requests_rate: args.fault_429_rate,
        unavailable_rate: args.fault_503_rate,
        drop_rate: args.fault_drop_rate,
        latency_ms: args.fault_latency_ms,
        retry_after_secs: args.fault_retry_after_secs,
        seed: args.fault_seed,
        ..Default::default()
    };
    let guesses = args.guesses.guesses();
    tracing::info!(guesses = ?guesses.flags(), "guesses (none: the defaults)");
    let mut builder = Emulator::builder()
        .guesses(guesses)
        .bind(SocketAddr::new(args.bind, args.port))
        .transition_delay(Duration::from_millis(args.transition_delay_ms))
        .faults(faults)
        .admin(args.admin)
        .body_limit(args.max_body_bytes);
    if let Some(k) = args.api_key.filter(|k| !k.is_empty()) {
        builder = builder.api_key(k);
    }
    if let Some(k) = args.unprivileged_api_key.filter(|k| !k.is_empty()) {
        builder = builder.unprivileged_api_key(k);
    }
    if let Some(p) = args.state_file {
        builder = builder.state_file(p);
    }
    // Signal handlers are in place before the URL is printed, so a caller
    // that stops us right after reading it gets a clean shutdown.
    let signals = Signals::new();
    let emu = match builder.start().await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("immuta-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "immuta-emulator listening on {}", emu.url());
        let _ = writeln!(out, "api key: {}", emu.api_key());
        let _ = out.flush();
    }
    signals.wait().await;
    tracing::info!("shutting down");
    match emu.shutdown().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("immuta-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

/// SIGINT and SIGTERM, registered at creation.
struct Signals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn new() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Signals {
                term: signal(SignalKind::terminate()).ok(),
                int: signal(SignalKind::interrupt()).ok(),
            }
        }
        #[cfg(not(unix))]
        {
            Signals {}
        }
    }

    async fn wait(mut self) {
        #[cfg(unix)]
        {
            let term = async {
                match self.term.as_mut() {
                    Some(t) => {
                        t.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            let int = async {
                match self.int.as_mut() {
                    Some(i) => {
                        i.recv().await;
                    }
                    None => {
                        let _ = tokio::signal::ctrl_c().await;
                    }
                }
            };
            tokio::select! {
                _ = term => {}
                _ = int => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
