//! `immuta-emulator`: a local stand-in for Immuta's `/integrations` API, for
//! tests, the quickstart and CI. It answers every endpoint Immuta documents
//! (list, create, get, update, delete, status, regenerate and the six script
//! endpoints), checks payloads per integration type, runs simulated
//! validation tests, moves statuses on asynchronously, and can inject faults.
//! It serves Immuta's connection API as well (`/data/connection`,
//! `/data/object`, `/data/settings`, `/data/crawl`, `/jobs`).
//!
//! ```no_run
//! # async fn demo() -> Result<(), immuta_emulator::EmulatorError> {
//! use immuta_emulator::Emulator;
//! use std::time::Duration;
//! let emu = Emulator::builder()
//!     .api_key("test-key")
//!     .transition_delay(Duration::ZERO)
//!     .start()
//!     .await?;
//! println!("{} {}", emu.url(), emu.api_key());
//! emu.shutdown().await?;
//! # Ok(()) }
//! ```
//!
//! # Layout
//!
//! - [`server`]: [`Emulator`] builder, [`RunningEmulator`], [`EmulatorHandle`],
//!   accept loop, authentication, fault injection, request log.
//! - `shared` (private): `Shared`, the state every request sees, and
//!   [`RequestRecord`]; `server` and `api` both use it, and `server` uses
//!   `api` (to build the router), never the other way round.
//! - `api`: routes and handlers of `/integrations` and `/_emulator`.
//! - `connections`: the connection API (`/data/connection`, `/data/object`,
//!   `/data/settings`, `/data/crawl`, `/jobs`), its own state and routes.
//! - `body` (private): reading request bodies (size and nesting limits,
//!   JSON or YAML).
//! - `record` (private): the request log's records and its one log line
//!   per request.
//! - [`guesses`]: [`Guesses`], a switch for each answer the emulator guesses
//!   where Immuta's page is silent.
//! - [`types`]: one file per integration type behind one trait
//!   ([`types::TypeRules`]) and a registry ([`types::rules`]): the type's
//!   checks, defaults, redacted fields, duplicate rule, validation-test
//!   names and scripts.
//! - [`validate`]: reading payloads and DELETE credentials, redaction and
//!   defaults, through the type's rules.
//! - [`checks`]: simulated validation tests and the failure triggers.
//! - [`state`]: the store, asynchronous transitions, the state file.
//! - [`scripts`]: the generated scripts, through the type's rules.
//! - [`faults`]: [`FaultConfig`] and [`Fault`].
//! - [`error`]: [`EmulatorError`] and [`ApiError`].

mod api;
mod body;
pub mod checks;
mod connections;
pub mod error;
pub mod faults;
pub mod guesses;
mod record;
pub mod scripts;
pub mod server;
mod shared;
pub mod state;
pub mod types;
pub mod validate;

pub use connections::HELP as CONNECTIONS_HELP;
pub use error::{ApiError, EmulatorError};
pub use faults::{Fault, FaultConfig};
pub use guesses::{ConnectionAnswer, ConnectionDelete, ConnectionPut, ConnectionSecrets, JobShape};
pub use guesses::{DeleteBody, ForceDisable, Guesses, IdType, Redact, StatusShape, TrinoKey};
pub use server::{
    generate_api_key, Emulator, EmulatorBuilder, EmulatorHandle, RequestRecord, RunningEmulator,
    DEFAULT_BODY_LIMIT, MAX_RECORDED_BODY,
};

/// The failure triggers, as `--help` and the README explain them.
pub const TRIGGERS_HELP: &str = "\
FAILURE TRIGGERS (looked for, case-insensitively, in every non-secret string
of the config: host, workspaceUrl, database, catalog, warehouse, dataset, name...):
  unreachable    the type's connection test fails (Snowflake/Redshift/Synapse
                 'Initial Validation: Basic Connection Test', Databricks
                 'Basic Connection Test', BigQuery and S3 their first test):
                 POST/PUT/DELETE answer 422 and change nothing; with
                 ?dryRun=true they answer 200 with the failed test.
  warning        one test passes with status 'warning'; the operation goes on.
  no-metastore   Databricks 'Metastore validation' fails: 422 'Processing
                 Error: Error trying to get the current metastore info.'
  fail-create    the create is accepted (status creating) and ends in
                 createError after the transition delay.
  fail-edit      an update ends in editError.
  fail-delete    a delete ends in deleteError (not with ?forceDisable=true).
Also: a Native S3 awsLocationRole that is not arn:<partition>:iam::<digits>:role/<name>
(partition aws, aws-us-gov, aws-cn or another aws-...) fails the ARN test (422); DELETE credentials that differ from those the
integration was configured with fail the connection test (422).
Trino has no config and no trigger.";
