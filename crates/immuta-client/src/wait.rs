//! Waiting for an asynchronous create, update or delete to finish.
//!
//! Immuta answers POST, PUT and DELETE at once (`creating`, `editing`,
//! `deleting`) and moves the integration on later. [`wait_for`] polls
//! `GET /integrations/{id}/status` until the integration is `enabled`
//! ([`WaitTarget::Enabled`]) or answers 404 ([`WaitTarget::Gone`]), starting
//! with short pauses and backing off to a cap. It stops at once, mid-request
//! or mid-pause, when its cancellation token fires.
//!
//! The waiter knows the client only through [`StatusSource`], the one
//! request it makes; [`ImmutaClient`](crate::ImmutaClient) implements it
//! (and uses the waiter in its update guard), so the dependency runs one
//! way.

use crate::error::ClientError;
use immuta_api::{IntegrationStatus, StatusResponse, ValidationResults};
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
    let started = Instant::now();
    // A time limit too far away to represent is as good as none.
    let deadline = later(started, options.timeout);
    let cancel = &options.cancel;
    let floor = Duration::from_millis(10);
    let mut interval = options.poll_interval.max(floor);
    let cap = options.max_poll_interval.max(interval);
    let mut last_seen = LastSeen::Nothing;
    let mut polls = 0u32;
    let timeout = |last_seen: LastSeen| WaitError::Timeout {
        id: id.to_string(),
        target,
        after: options.timeout,
        last_seen,
    };
    let cancelled = || WaitError::Cancelled { id: id.to_string() };

    loop {
        if cancel.is_cancelled() {
            return Err(cancelled());
        }
        polls = polls.saturating_add(1);
        let answer = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(cancelled()),
            () = tokio::time::sleep_until(deadline) => return Err(timeout(last_seen)),
            answer = client.status(id) => answer,
        };
        match answer {
            Ok(resp) => match judge(target, resp.status.as_ref()) {
                Verdict::Done => {
                    tracing::debug!(id, polls, "integration reached its target");
                    return Ok(match target {
                        WaitTarget::Enabled => WaitOutcome::Enabled {
                            status: resp,
                            polls,
                            elapsed: started.elapsed(),
                        },
                        WaitTarget::Gone | WaitTarget::GoneOrDisabled => WaitOutcome::Gone {
                            polls,
                            elapsed: started.elapsed(),
                        },
                    });
                }
                Verdict::Fail(status) => {
                    return Err(WaitError::Failed {
                        id: id.to_string(),
                        status,
                        validation_results: resp.validation_results,
                    })
                }
                Verdict::KeepWaiting => last_seen = LastSeen::Status(resp),
            },
            Err(e) if e.is_not_found() => {
                return match target {
                    WaitTarget::Gone | WaitTarget::GoneOrDisabled => Ok(WaitOutcome::Gone {
                        polls,
                        elapsed: started.elapsed(),
                    }),
                    WaitTarget::Enabled => Err(WaitError::NotFound { id: id.to_string() }),
                }
            }
            Err(ClientError::Cancelled) => return Err(cancelled()),
            Err(e) if e.is_transient() => {
                tracing::debug!(id, error = %e, "status poll failed; will poll again");
                last_seen = LastSeen::Error(e.to_string());
            }
            Err(e) => {
                return Err(WaitError::Client {
                    id: id.to_string(),
                    source: e,
                })
            }
        }
        let wake = later(Instant::now(), interval).min(deadline);
        tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(cancelled()),
            () = tokio::time::sleep_until(wake) => {}
        }
        interval = interval.saturating_mul(2).min(cap);
    }
}

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
