//! Waiting for an asynchronous create, update or delete to finish.
//!
//! Immuta answers POST, PUT and DELETE at once (`creating`, `editing`,
//! `deleting`) and moves the integration on later. [`wait_for`] polls
//! `GET /integrations/{id}/status` until the integration is `enabled`
//! ([`WaitTarget::Enabled`]) or answers 404 ([`WaitTarget::Gone`]), starting
//! with short pauses and backing off to a cap. It stops at once, mid-request
//! or mid-pause, when its cancellation token fires.
//!
//! [`wait_until_enabled`] waits for `enabled` by polling the integration
//! itself (`GET /integrations/{id}`, whose object carries the status and
//! the validation results): the answer that ends the wait is also what
//! Immuta now holds, so a create or an update needs no read after its wait.
//!
//! Bulk jobs of the connection API are waited for by [`wait_for_job`]
//! (in `jobs`), through the same poll loop (`poll_until`): the same
//! backoff, deadline and cancellation; a failed job is an error.
//!
//! The waiter knows the client only through [`StatusSource`] and
//! [`JobSource`], the one request each wait makes; [`ImmutaClient`](crate::ImmutaClient) implements it
//! (and uses the waiter in its update guard), so the dependency runs one
//! way.

use crate::error::ClientError;
use immuta_api::connection::BulkJob;
use immuta_api::{Integration, IntegrationStatus, StatusResponse, ValidationResults};
use std::fmt;
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Where the waiter reads an integration's status: `GET
/// /integrations/{id}/status`, answered or failed as
/// [`ImmutaClient::status`](crate::ImmutaClient::status) does (a missing
/// integration is an error for which [`ClientError::is_not_found`] holds,
/// cancellation is [`ClientError::Cancelled`]).
pub trait StatusSource {
    /// The status of integration `id`.
    fn status(&self, id: &str) -> impl Future<Output = Result<StatusResponse, ClientError>> + Send;
}

/// Where [`wait_until_enabled`] reads the whole integration: `GET
/// /integrations/{id}`, answered or failed as
/// [`ImmutaClient::get`](crate::ImmutaClient::get) does.
pub trait IntegrationSource {
    /// Integration `id` as Immuta holds it.
    fn integration(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Integration, ClientError>> + Send;
}

/// What to wait for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitTarget {
    /// The status becomes `enabled` (after a create or an update).
    Enabled,
    /// The integration is gone: its status answers 404 (after a delete).
    Gone,
    /// The integration is gone or `disabled` (after a delete with
    /// `forceDisable`: Immuta may keep a force-disabled integration, with
    /// nothing cleaned up on the platform, instead of removing it).
    GoneOrDisabled,
}

impl fmt::Display for WaitTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WaitTarget::Enabled => "become enabled",
            WaitTarget::Gone => "be deleted",
            WaitTarget::GoneOrDisabled => "be deleted or disabled",
        })
    }
}

/// How long and how often to poll.
#[derive(Clone, Debug)]
pub struct WaitOptions {
    /// The longest the whole wait may take.
    pub timeout: Duration,
    /// The first pause between two polls (at least 10 ms); it doubles
    /// after each poll.
    pub poll_interval: Duration,
    /// The longest pause between two polls.
    pub max_poll_interval: Duration,
    /// Fires to stop waiting at once.
    pub cancel: CancellationToken,
}

impl WaitOptions {
    /// Polls after 100 ms, then ever more slowly up to every 5 s.
    pub fn new(timeout: Duration, cancel: CancellationToken) -> Self {
        WaitOptions {
            timeout,
            poll_interval: Duration::from_millis(100),
            max_poll_interval: Duration::from_secs(5),
            cancel,
        }
    }
}

/// How a wait ended well.
#[derive(Clone, Debug, PartialEq)]
pub enum WaitOutcome {
    /// The integration is enabled; `status` is the last status answer (its
    /// validation results may carry warnings).
    Enabled {
        /// The status answer that said `enabled`.
        status: StatusResponse,
        /// How many status requests were made.
        polls: u32,
        /// How long the wait took.
        elapsed: Duration,
    },
    /// The integration no longer exists.
    Gone {
        /// How many status requests were made.
        polls: u32,
        /// How long the wait took.
        elapsed: Duration,
    },
}

/// What the waiter saw last, for a time-out's message.
#[derive(Clone, Debug, PartialEq)]
pub enum LastSeen {
    /// No status answer arrived.
    Nothing,
    /// The last status answer.
    Status(StatusResponse),
    /// The last poll failed with a transient error (shown as text).
    Error(String),
    /// The last answer about a bulk job.
    Job(BulkJob),
}

impl fmt::Display for LastSeen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LastSeen::Nothing => f.write_str("no status answer yet"),
            LastSeen::Status(s) => {
                match &s.status {
                    Some(st) => write!(f, "status {st}")?,
                    None => f.write_str("an answer without a status")?,
                }
                if let Some(vr) = &s.validation_results {
                    write!(f, " (validation {})", vr.status)?;
                }
                Ok(())
            }
            LastSeen::Error(e) => write!(f, "an error: {e}"),
            LastSeen::Job(j) => write!(
                f,
                "job status {} ({} of {} done, {} failed)",
                j.status.as_str(),
                j.completed,
                j.total,
                j.failed
            ),
        }
    }
}

/// Why a wait did not end well.
#[derive(Clone, Debug, thiserror::Error)]
pub enum WaitError {
    /// The integration reached a failure status (`createError`,
    /// `editError`, `deleteError`, ...) or, waiting for `enabled`, one it will
    /// not leave by itself (`disabled`, `deleted`).
    #[error("{}", failed_message(.id, .status, .validation_results.as_ref()))]
    Failed {
        /// The integration's id.
        id: String,
        /// The status it reached.
        status: IntegrationStatus,
        /// The validation results that came with it.
        validation_results: Option<ValidationResults>,
    },
    /// Waiting for `enabled`, the integration vanished (404).
    #[error("integration {id} no longer exists in Immuta (it was expected to become enabled)")]
    NotFound {
        /// The integration's id.
        id: String,
    },
    /// The time limit passed.
    #[error(
        "gave up after {after:?} waiting for integration {id} to {target}; last seen: {last_seen}"
    )]
    Timeout {
        /// The integration's id.
        id: String,
        /// What was waited for.
        target: WaitTarget,
        /// The time limit.
        after: Duration,
        /// What the last poll saw.
        last_seen: LastSeen,
    },
    /// The cancellation token fired.
    #[error("stopped waiting for integration {id}: cancelled")]
    Cancelled {
        /// The integration's id.
        id: String,
    },
    /// A poll failed in a way that waiting will not cure (401, 403, an
    /// unreadable answer...).
    #[error("waiting for integration {id}: {source}")]
    Client {
        /// The integration's id.
        id: String,
        /// The client's error.
        #[source]
        source: ClientError,
    },
}

fn failed_message(id: &str, status: &IntegrationStatus, vr: Option<&ValidationResults>) -> String {
    let mut out = format!("integration {id} ended in status {status}");
    let failed: Vec<String> = vr
        .map(|vr| {
            vr.failed()
                .map(|t| match t.message.as_deref().map(str::trim) {
                    Some(m) if !m.is_empty() => format!("\"{}\": {m}", t.name),
                    _ => format!("\"{}\"", t.name),
                })
                .collect()
        })
        .unwrap_or_default();
    if failed.is_empty() {
        out.push_str(" (Immuta reported no failed validation test)");
    } else {
        out.push_str("; failed validation tests: ");
        out.push_str(&failed.join("; "));
    }
    out
}

/// What one status answer means for the wait.
enum Verdict {
    Done,
    Fail(IntegrationStatus),
    KeepWaiting,
}

fn judge(target: WaitTarget, status: Option<&IntegrationStatus>) -> Verdict {
    match (target, status) {
        (_, Some(s)) if s.is_error() => Verdict::Fail(s.clone()),
        (WaitTarget::Enabled, Some(IntegrationStatus::Enabled)) => Verdict::Done,
        (
            WaitTarget::Enabled,
            Some(s @ (IntegrationStatus::Disabled | IntegrationStatus::Deleted)),
        ) => Verdict::Fail(s.clone()),
        (WaitTarget::Gone, Some(IntegrationStatus::Deleted)) => Verdict::Done,
        (
            WaitTarget::GoneOrDisabled,
            Some(IntegrationStatus::Deleted | IntegrationStatus::Disabled),
        ) => Verdict::Done,
        // Transitional, unknown, missing, or `enabled` while waiting for a
        // delete to start: poll again.
        _ => Verdict::KeepWaiting,
    }
}

/// `from + after`, or about thirty years on if that cannot be represented.
fn later(from: Instant, after: Duration) -> Instant {
    const FAR: Duration = Duration::from_secs(30 * 365 * 24 * 3600);
    from.checked_add(after)
        .or_else(|| from.checked_add(FAR))
        .unwrap_or(from)
}

/// Polls the status of integration `id` until `target` is reached.
///
/// Transient poll failures (connection errors, 429, 5xx) are waited out
/// until the time limit; others end the wait with [`WaitError::Client`].
/// Cancellation ends it at once with [`WaitError::Cancelled`], even in the
/// middle of a request.
pub async fn wait_for<S: StatusSource + ?Sized>(
    client: &S,
    id: &str,
    target: WaitTarget,
    options: WaitOptions,
) -> Result<WaitOutcome, WaitError> {
    let judge = |answer: Result<StatusResponse, ClientError>, polls: u32, elapsed: Duration| {
        let resp = match answer {
            Ok(resp) => resp,
            // A 404: the end of a wait for a delete.
            Err(_) => {
                return match target {
                    WaitTarget::Gone | WaitTarget::GoneOrDisabled => {
                        Step::Done(WaitOutcome::Gone { polls, elapsed })
                    }
                    WaitTarget::Enabled => Step::Fail(WaitError::NotFound { id: id.to_string() }),
                }
            }
        };
        match judge(target, resp.status.as_ref()) {
            Verdict::Done => {
                tracing::debug!(id, polls, "integration reached its target");
                Step::Done(match target {
                    WaitTarget::Enabled => WaitOutcome::Enabled {
                        status: resp,
                        polls,
                        elapsed,
                    },
                    WaitTarget::Gone | WaitTarget::GoneOrDisabled => {
                        WaitOutcome::Gone { polls, elapsed }
                    }
                })
            }
            Verdict::Fail(status) => Step::Fail(WaitError::Failed {
                id: id.to_string(),
                status,
                validation_results: resp.validation_results,
            }),
            Verdict::KeepWaiting => Step::Keep(LastSeen::Status(resp)),
        }
    };
    poll_until(
        id,
        &options,
        || client.status(id),
        judge,
        stop_error(id, target, &options),
    )
    .await
}

/// How a wait for `enabled` through [`wait_until_enabled`] ended well.
#[derive(Clone, Debug, PartialEq)]
pub struct EnabledIntegration {
    /// The integration as the poll that found it enabled read it (its
    /// validation results may carry warnings).
    pub integration: Integration,
    /// How many requests were made.
    pub polls: u32,
    /// How long the wait took.
    pub elapsed: Duration,
}

/// Polls integration `id` itself (`GET /integrations/{id}`) until it is
/// `enabled`, and answers it as that last poll read it.
///
/// Ends as [`wait_for`] with [`WaitTarget::Enabled`] does: a failure status
/// is [`WaitError::Failed`], a 404 [`WaitError::NotFound`], transient poll
/// failures are waited out until the time limit, others end the wait
/// with [`WaitError::Client`] (an answer that cannot be read among them),
/// and cancellation ends it at once.
pub async fn wait_until_enabled<S: IntegrationSource + ?Sized>(
    client: &S,
    id: &str,
    options: WaitOptions,
) -> Result<EnabledIntegration, WaitError> {
    let target = WaitTarget::Enabled;
    let judge = |answer: Result<Integration, ClientError>, polls: u32, elapsed: Duration| {
        let integration = match answer {
            Ok(integration) => integration,
            Err(_) => return Step::Fail(WaitError::NotFound { id: id.to_string() }),
        };
        match judge(target, Some(&integration.status)) {
            Verdict::Done => {
                tracing::debug!(id, polls, "integration reached its target");
                Step::Done(EnabledIntegration {
                    integration,
                    polls,
                    elapsed,
                })
            }
            Verdict::Fail(status) => Step::Fail(WaitError::Failed {
                id: id.to_string(),
                status,
                validation_results: integration.validation_results,
            }),
            Verdict::KeepWaiting => Step::Keep(LastSeen::Status(StatusResponse {
                id: Some(integration.id),
                status: Some(integration.status),
                validation_results: integration.validation_results,
                config: None,
            })),
        }
    };
    poll_until(
        id,
        &options,
        || client.integration(id),
        judge,
        stop_error(id, target, &options),
    )
    .await
}

/// The error for how the poll loop stopped a wait on integration `id`.
fn stop_error<'a>(
    id: &'a str,
    target: WaitTarget,
    options: &'a WaitOptions,
) -> impl Fn(Stop) -> WaitError + 'a {
    move |stop| match stop {
        Stop::Cancelled => WaitError::Cancelled { id: id.to_string() },
        Stop::Timeout(last_seen) => WaitError::Timeout {
            id: id.to_string(),
            target,
            after: options.timeout,
            last_seen,
        },
        Stop::Client(source) => WaitError::Client {
            id: id.to_string(),
            source,
        },
    }
}

/// What one answer (or a 404, as `Err`) means to a wait.
enum Step<T, E> {
    /// The wait ended well.
    Done(T),
    /// The wait ended badly.
    Fail(E),
    /// Poll again; what was seen, for a time-out's message.
    Keep(LastSeen),
}

/// How the poll loop itself stopped a wait.
enum Stop {
    Cancelled,
    Timeout(LastSeen),
    /// A poll failed in a way waiting will not cure.
    Client(ClientError),
}

/// The one poll loop of every wait: polls with `poll` (first at once, then
/// after pauses from `options.poll_interval` doubling up to
/// `options.max_poll_interval`) until `judge` ends it, the deadline
/// passes, or the token fires (even mid-request). `judge` gets each answer
/// and each 404 (as `Err`) with the poll count and the time taken;
/// transient failures are polled through, other failures stop the wait.
async fn poll_until<R, T, E, Fut>(
    name: &str,
    options: &WaitOptions,
    mut poll: impl FnMut() -> Fut,
    mut judge: impl FnMut(Result<R, ClientError>, u32, Duration) -> Step<T, E>,
    stop: impl Fn(Stop) -> E,
) -> Result<T, E>
where
    Fut: Future<Output = Result<R, ClientError>>,
{
    let started = Instant::now();
    // A time limit too far away to represent is as good as none.
    let deadline = later(started, options.timeout);
    let cancel = &options.cancel;
    let floor = Duration::from_millis(10);
    let mut interval = options.poll_interval.max(floor);
    let cap = options.max_poll_interval.max(interval);
    let mut last_seen = LastSeen::Nothing;
    let mut polls = 0u32;

    loop {
        if cancel.is_cancelled() {
            return Err(stop(Stop::Cancelled));
        }
        polls = polls.saturating_add(1);
        let answer = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(stop(Stop::Cancelled)),
            () = tokio::time::sleep_until(deadline) => return Err(stop(Stop::Timeout(last_seen))),
            answer = poll() => answer,
        };
        let answer = match answer {
            Err(ClientError::Cancelled) => return Err(stop(Stop::Cancelled)),
            Err(e) if !e.is_not_found() && e.is_transient() => {
                tracing::debug!(id = name, error = %e, "status poll failed; will poll again");
                last_seen = LastSeen::Error(e.to_string());
                None
            }
            Err(e) if !e.is_not_found() => return Err(stop(Stop::Client(e))),
            answer => Some(answer),
        };
        if let Some(answer) = answer {
            match judge(answer, polls, started.elapsed()) {
                Step::Done(t) => return Ok(t),
                Step::Fail(e) => return Err(e),
                Step::Keep(seen) => last_seen = seen,
            }
        }
        let wake = later(Instant::now(), interval).min(deadline);
        tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(stop(Stop::Cancelled)),
            () = tokio::time::sleep_until(wake) => {}
        }
        interval = interval.saturating_mul(2).min(cap);
    }
}

mod jobs;
pub use jobs::{wait_for_job, JobOutcome, JobSource, JobWaitError};

#[cfg(test)]
mod tests {
    use super::*;
    use immuta_api::{TestStatus, ValidationTest};

    #[test]
    fn huge_durations_do_not_overflow() {
        let now = Instant::now();
        assert!(later(now, Duration::MAX) > now + Duration::from_secs(365 * 24 * 3600));
        assert_eq!(
            later(now, Duration::from_secs(1)),
            now + Duration::from_secs(1)
        );
    }

    #[test]
    fn judging_statuses() {
        use IntegrationStatus as S;
        assert!(matches!(
            judge(WaitTarget::Enabled, Some(&S::Enabled)),
            Verdict::Done
        ));
        assert!(matches!(
            judge(WaitTarget::Enabled, Some(&S::Creating)),
            Verdict::KeepWaiting
        ));
        assert!(matches!(
            judge(WaitTarget::Enabled, None),
            Verdict::KeepWaiting
        ));
        assert!(matches!(
            judge(WaitTarget::Enabled, Some(&S::Other("queued".into()))),
            Verdict::KeepWaiting
        ));
        assert!(matches!(
            judge(WaitTarget::Enabled, Some(&S::EditError)),
            Verdict::Fail(S::EditError)
        ));
        assert!(matches!(
            judge(WaitTarget::Enabled, Some(&S::Disabled)),
            Verdict::Fail(S::Disabled)
        ));
        assert!(matches!(
            judge(WaitTarget::Gone, Some(&S::Deleting)),
            Verdict::KeepWaiting
        ));
        assert!(matches!(
            judge(WaitTarget::Gone, Some(&S::Enabled)),
            Verdict::KeepWaiting
        ));
        assert!(matches!(
            judge(WaitTarget::Gone, Some(&S::Deleted)),
            Verdict::Done
        ));
        assert!(matches!(
            judge(WaitTarget::GoneOrDisabled, Some(&S::Disabled)),
            Verdict::Done
        ));
        assert!(matches!(
            judge(WaitTarget::Gone, Some(&S::Disabled)),
            Verdict::KeepWaiting
        ));
        assert!(matches!(
            judge(WaitTarget::Gone, Some(&S::DeleteError)),
            Verdict::Fail(S::DeleteError)
        ));
    }

    #[test]
    fn failed_message_names_tests_and_messages() {
        let vr = ValidationResults {
            status: TestStatus::Failed,
            validation_tests: vec![
                ValidationTest {
                    name: "Basic Connection Test".into(),
                    status: TestStatus::Failed,
                    message: Some("host unreachable".into()),
                    result: None,
                },
                ValidationTest {
                    name: "Metastore validation".into(),
                    status: TestStatus::Passed,
                    message: None,
                    result: None,
                },
                ValidationTest {
                    name: "Grants".into(),
                    status: TestStatus::Failed,
                    message: None,
                    result: None,
                },
            ],
        };
        let m = failed_message("5", &IntegrationStatus::CreateError, Some(&vr));
        assert_eq!(
            m,
            "integration 5 ended in status createError; failed validation tests: \
             \"Basic Connection Test\": host unreachable; \"Grants\""
        );
        let m = failed_message("5", &IntegrationStatus::DeleteError, None);
        assert!(
            m.contains("deleteError") && m.contains("no failed validation test"),
            "{m}"
        );
    }
}
