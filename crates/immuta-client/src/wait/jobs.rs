//! Waiting for a bulk job of the connection API (settings, crawls, a
//! delete under some answers) through the same poll loop as an
//! integration's status: the same backoff, deadline and cancellation.

use super::{poll_until, LastSeen, Step, Stop, WaitOptions};
use crate::error::ClientError;
use immuta_api::connection::{BulkJob, JobStatus};
use std::future::Future;
use std::time::Duration;

/// Where the waiter reads a bulk job: `GET /jobs?bulkId={id}`, answered or
/// failed as [`ImmutaClient::bulk_job`](crate::ImmutaClient::bulk_job)
/// does.
pub trait JobSource {
    /// The bulk job `bulk_id`.
    fn bulk_job(&self, bulk_id: &str) -> impl Future<Output = Result<BulkJob, ClientError>> + Send;
}

/// How a job wait ended well.
#[derive(Clone, Debug, PartialEq)]
pub struct JobOutcome {
    /// The answer that said `completed`.
    pub job: BulkJob,
    /// How many requests were made.
    pub polls: u32,
    /// How long the wait took.
    pub elapsed: Duration,
}

/// Why a job wait did not end well.
#[derive(Clone, Debug, thiserror::Error)]
pub enum JobWaitError {
    /// The job failed (all its jobs ended, at least one failed).
    #[error(
        "Immuta's bulk job {bulk_id} failed: {} of {} objects failed, {} completed",
        .job.failed, .job.total, .job.completed
    )]
    Failed {
        /// The bulk job.
        bulk_id: String,
        /// Its last answer.
        job: BulkJob,
    },
    /// `/jobs` does not know the job (404).
    #[error("Immuta's bulk job {bulk_id} does not exist")]
    NotFound {
        /// The bulk job.
        bulk_id: String,
    },
    /// The time limit passed.
    #[error(
        "gave up after {after:?} waiting for Immuta's bulk job {bulk_id}; last seen: {last_seen}"
    )]
    Timeout {
        /// The bulk job.
        bulk_id: String,
        /// The time limit.
        after: Duration,
        /// What the last poll saw.
        last_seen: LastSeen,
    },
    /// The cancellation token fired.
    #[error("stopped waiting for Immuta's bulk job {bulk_id}: cancelled")]
    Cancelled {
        /// The bulk job.
        bulk_id: String,
    },
    /// A poll failed in a way that waiting will not cure.
    #[error("waiting for Immuta's bulk job {bulk_id}: {source}")]
    Client {
        /// The bulk job.
        bulk_id: String,
        /// The client's error.
        #[source]
        source: ClientError,
    },
}

/// Polls bulk job `bulk_id` until it is `completed`. A `failed` job is
/// [`JobWaitError::Failed`]; a status this version does not know is waited
/// on. Transient poll failures are waited out until the time limit;
/// cancellation ends the wait at once, as [`wait_for`](super::wait_for)'s.
pub async fn wait_for_job<S: JobSource + ?Sized>(
    client: &S,
    bulk_id: &str,
    options: WaitOptions,
) -> Result<JobOutcome, JobWaitError> {
    let id = || bulk_id.to_string();
    let judge = |answer: Result<BulkJob, ClientError>, polls: u32, elapsed: Duration| {
        let Ok(job) = answer else {
            return Step::Fail(JobWaitError::NotFound { bulk_id: id() });
        };
        match job.status {
            JobStatus::Completed => {
                tracing::debug!(bulk_id, polls, "bulk job completed");
                Step::Done(JobOutcome {
                    job,
                    polls,
                    elapsed,
                })
            }
            JobStatus::Failed => Step::Fail(JobWaitError::Failed { bulk_id: id(), job }),
            _ => Step::Keep(LastSeen::Job(job)),
        }
    };
    let stop = |stop: Stop| match stop {
        Stop::Cancelled => JobWaitError::Cancelled { bulk_id: id() },
        Stop::Timeout(last_seen) => JobWaitError::Timeout {
            bulk_id: id(),
            after: options.timeout,
            last_seen,
        },
        Stop::Client(source) => JobWaitError::Client {
            bulk_id: id(),
            source,
        },
    };
    poll_until(bulk_id, &options, || client.bulk_job(bulk_id), judge, stop).await
}
