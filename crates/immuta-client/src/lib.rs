//! A typed async client of Immuta's `/integrations` REST API and of its
//! connection API (`/data/connection`, `/data/object`, `/data/settings`,
//! `/data/crawl`, `/jobs`).
//!
//! It speaks through the models of [`immuta_api`] and knows nothing of
//! Terraform. Every request goes through one path that sends the API key as
//! `Authorization: <key>`, bounds the answer's size, logs one `debug` line
//! (method, path, status, duration; never a header or a body), retries what
//! is safe to retry, and stops when cancelled.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use immuta_client::{ClientConfig, ImmutaClient, wait};
//! use tokio_util::sync::CancellationToken;
//! use std::time::Duration;
//!
//! let client = ImmutaClient::new(ClientConfig::new("immuta.example.com", "my-api-key"))?;
//! let all = client.list().await?;
//! for skipped in &all.skipped {
//!     eprintln!("left out: {skipped}");
//! }
//! if let Some(first) = all.integrations.first() {
//!     let opts = wait::WaitOptions::new(Duration::from_secs(600), CancellationToken::new());
//!     wait::wait_for(&client, first.id.as_str(), wait::WaitTarget::Enabled, opts).await?;
//! }
//! # Ok(()) }
//! ```
//!
//! # Layout
//!
//! - [`config`]: [`ClientConfig`], [`RetryPolicy`] and base-URL parsing.
//! - [`client`]: [`ImmutaClient`] and [`DeleteOptions`], in rooms:
//!   `endpoints` (one method per endpoint), `transport` (the one request
//!   path), `guard` (the create guard and its list snapshot), `update` (the
//!   update guard), `list` ([`IntegrationList`]: the integrations read, and
//!   a [`SkippedIntegration`] for each element that did not fit),
//!   `connections` (the connection API's endpoints, [`ConnectionAnswer`],
//!   [`check_object_path`]) and `decode` (reading answers without quoting
//!   values).
//! - [`error`]: [`ClientError`], the one error type.
//! - `retry` (private): which requests may be repeated, backoff and `Retry-After`.
//! - `identity` (private): what names a create's target, to find a create
//!   whose answer was lost; [`same_target`] asks it of two configs.
//! - `applied` (private): whether what Immuta holds is what an update sent.
//! - [`throttle`]: [`Limits`] on requests in flight and per second.
//! - [`wait`]: the one cancellable poll loop: [`wait::wait_for`] waits for
//!   an integration's status, read through [`wait::StatusSource`],
//!   [`wait::wait_until_enabled`] for `enabled`, reading the whole
//!   integration through [`wait::IntegrationSource`], and
//!   [`wait::wait_for_job`] (in `wait/jobs.rs`) for a bulk job, read
//!   through [`wait::JobSource`]. The client implements both: `client`
//!   uses `wait`, never the other way round.

mod applied;
pub mod client;
pub mod config;
pub mod error;
mod identity;
mod retry;
pub mod throttle;
pub mod wait;

pub use client::{
    check_id, check_object_path, ConnectionAnswer, DeleteOptions, ImmutaClient, IntegrationList,
    SkipReason, SkippedIntegration,
};
pub use config::{ClientConfig, RetryPolicy, DEFAULT_MAX_BODY_BYTES, DEFAULT_REQUEST_TIMEOUT};
pub use error::{ClientError, ConnectCause, ErrorClass, TransportKind};
pub use identity::same_target;
pub use throttle::Limits;
pub use wait::{
    wait_for, wait_for_job, wait_until_enabled, EnabledIntegration, IntegrationSource, JobOutcome,
    JobSource, JobWaitError, LastSeen, StatusSource, WaitError, WaitOptions, WaitOutcome,
    WaitTarget,
};

/// The models this client speaks, re-exported for callers.
pub use immuta_api;
