//! The retry rules: which requests may be sent again, and how long to wait.

use crate::config::RetryPolicy;
use crate::error::{ClientError, ConnectCause, TransportKind};
use rand::Rng;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use std::time::Duration;
use tokio::time::Instant;

/// Whether a request may be sent twice without harm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Idempotency {
    /// Repeating it changes nothing more than sending it once.
    Safe,
    /// Repeating it could do the thing twice (a create, a key regeneration).
    Once,
}

impl RetryPolicy {
    /// The delay before retry number `retry` (1 for the first retry):
    /// `base_delay * 2^(retry-1)` capped at `max_delay`, then drawn uniformly
    /// from its upper half so that clients do not retry in step.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = retry.saturating_sub(1).min(30);
        let full = self
            .base_delay
            .saturating_mul(1u32 << exp)
            .min(self.max_delay);
        let half = full / 2;
        let extra_nanos = u64::try_from((full - half).as_nanos()).unwrap_or(u64::MAX);
        let jitter = if extra_nanos == 0 {
            0
        } else {
            rand::rng().random_range(0..=extra_nanos)
        };
        half + Duration::from_nanos(jitter)
    }

    /// The delay before retry number `retry`, given the answer's headers: the
    /// backoff, or a longer `Retry-After` in seconds capped at `max_delay`.
    /// A shorter `Retry-After` (`0`) does not shorten the backoff: retries
    /// bounded by time rather than by a count must not hammer a busy server.
    pub(crate) fn delay_for(&self, retry: u32, headers: Option<&HeaderMap>) -> Duration {
        let backoff = self.backoff(retry);
        match headers.and_then(retry_after) {
            Some(d) => d.min(self.max_delay).max(backoff),
            None => backoff,
        }
    }
}

/// How a failed try may be retried (see [`RetryPolicy`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Transient {
    /// `429`, `503`, or no answer at all: retried until the time budget.
    Busy,
    /// Another `5xx` but `501`, a time-out, an answer that broke off:
    /// retried up to `max_retries` times, within the time budget.
    Failing,
}

impl Transient {
    /// The kind of a failed try, `None` when trying again will not help.
    /// `answered` tells whether an answer (a status line) arrived.
    pub(crate) fn of(error: &ClientError, answered: bool) -> Option<Transient> {
        match error {
            ClientError::Api {
                status: 429 | 503, ..
            } => Some(Transient::Busy),
            ClientError::Transport {
                kind: TransportKind::Timeout,
                ..
            } => Some(Transient::Failing),
            // The settings, not a busy tenant: TLS against the wrong port or
            // an untrusted certificate never heals; nothing listening, or a
            // name that does not resolve, may (a restart) but is retried
            // only a few times, so a wrong `host` fails in seconds.
            ClientError::Transport {
                cause: ConnectCause::NotTls | ConnectCause::UntrustedCertificate,
                ..
            } => None,
            ClientError::Transport {
                cause: ConnectCause::Refused | ConnectCause::UnknownHost,
                ..
            } => Some(Transient::Failing),
            // A connection dropped before any answer: what a throttling
            // proxy does.
            ClientError::Transport { .. } if !answered => Some(Transient::Busy),
            e if e.is_transient() => Some(Transient::Failing),
            _ => None,
        }
    }
}

/// The retries one request has left: a time budget from its first try,
/// and a count of *failing* retries.
#[derive(Debug)]
pub(crate) struct Budget<'a> {
    policy: &'a RetryPolicy,
    deadline: Option<Instant>,
    retries: u32,
    failing: u32,
}

impl<'a> Budget<'a> {
    /// A budget starting now.
    pub(crate) fn start(policy: &'a RetryPolicy) -> Self {
        Budget {
            policy,
            deadline: Instant::now().checked_add(policy.max_elapsed),
            retries: 0,
            failing: 0,
        }
    }

    /// How many retries were granted.
    pub(crate) fn retries(&self) -> u32 {
        self.retries
    }

    /// After a failed try of kind `kind` (whose answer had `headers`), the
    /// pause before the next try; `None` when the budget is spent: no
    /// retry at all allowed, `max_retries` failing retries made, or the
    /// pause would end after the time budget.
    pub(crate) fn next(
        &mut self,
        kind: Transient,
        headers: Option<&HeaderMap>,
    ) -> Option<Duration> {
        let policy = self.policy;
        if policy.max_retries == 0
            || (kind == Transient::Failing && self.failing >= policy.max_retries)
        {
            return None;
        }
        let delay = policy.delay_for(self.retries.saturating_add(1), headers);
        if let Some(deadline) = self.deadline {
            if Instant::now()
                .checked_add(delay)
                .is_none_or(|at| at > deadline)
            {
                return None;
            }
        }
        self.retries = self.retries.saturating_add(1);
        if kind == Transient::Failing {
            self.failing += 1;
        }
        Some(delay)
    }
}

/// A `Retry-After` header given in seconds (the HTTP-date form is ignored).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    // Some servers send fractions; accept them, refuse the odd ones.
    let secs = value.parse::<f64>().ok()?;
    if (0.0..1e9).contains(&secs) {
        Some(Duration::from_secs_f64(secs))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            ..RetryPolicy::default()
        }
    }

    #[test]
    fn backoff_doubles_within_jitter_and_is_capped() {
        let p = policy();
        for _ in 0..50 {
            let d1 = p.backoff(1);
            assert!(
                d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100),
                "{d1:?}"
            );
            let d3 = p.backoff(3);
            assert!(
                d3 >= Duration::from_millis(200) && d3 <= Duration::from_millis(400),
                "{d3:?}"
            );
            let d10 = p.backoff(10);
            assert!(
                d10 >= Duration::from_millis(500) && d10 <= Duration::from_secs(1),
                "{d10:?}"
            );
            // Huge retry numbers neither overflow nor exceed the cap.
            assert!(p.backoff(u32::MAX) <= Duration::from_secs(1));
        }
    }

    #[test]
    fn retry_after_seconds_is_honoured_and_capped() {
        let p = policy();
        let mut h = HeaderMap::new();
        // `Retry-After: 0` does not shorten the backoff (50-100 ms here).
        h.insert(RETRY_AFTER, HeaderValue::from_static("0"));
        let d = p.delay_for(1, Some(&h));
        assert!(d >= Duration::from_millis(50), "{d:?}");
        h.insert(RETRY_AFTER, HeaderValue::from_static("0.5"));
        assert_eq!(p.delay_for(1, Some(&h)), Duration::from_millis(500));
        h.insert(RETRY_AFTER, HeaderValue::from_static("120"));
        assert_eq!(p.delay_for(1, Some(&h)), Duration::from_secs(1));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert!(retry_after(&h).is_none());
        h.insert(RETRY_AFTER, HeaderValue::from_static("-3"));
        assert!(retry_after(&h).is_none());
    }

    fn api(status: u16) -> ClientError {
        ClientError::from_answer(status, b"")
    }

    fn transport(kind: TransportKind) -> ClientError {
        ClientError::Transport {
            kind,
            cause: crate::error::ConnectCause::Unknown,
            request: "GET /integrations".into(),
            detail: "x".into(),
        }
    }

    #[test]
    fn busy_failing_and_final_failures() {
        use Transient::{Busy, Failing};
        assert_eq!(Transient::of(&api(429), true), Some(Busy));
        assert_eq!(Transient::of(&api(503), true), Some(Busy));
        for s in [500, 502, 504] {
            assert_eq!(Transient::of(&api(s), true), Some(Failing), "{s}");
        }
        for s in [400, 401, 404, 409, 422, 501] {
            assert_eq!(Transient::of(&api(s), true), None, "{s}");
        }
        assert_eq!(
            Transient::of(&transport(TransportKind::Connect), false),
            Some(Busy)
        );
        assert_eq!(
            Transient::of(&transport(TransportKind::Other), false),
            Some(Busy)
        );
        assert_eq!(
            Transient::of(&transport(TransportKind::Other), true),
            Some(Failing)
        );
        assert_eq!(
            Transient::of(&transport(TransportKind::Timeout), false),
            Some(Failing)
        );
        assert_eq!(Transient::of(&ClientError::Cancelled, false), None);
        // Settings problems: a few retries at most, or none.
        let with = |cause| ClientError::Transport {
            kind: TransportKind::Connect,
            cause,
            request: "GET /integrations".into(),
            detail: "x".into(),
        };
        assert_eq!(
            Transient::of(&with(ConnectCause::Refused), false),
            Some(Failing)
        );
        assert_eq!(
            Transient::of(&with(ConnectCause::UnknownHost), false),
            Some(Failing)
        );
        assert_eq!(Transient::of(&with(ConnectCause::NotTls), false), None);
        assert_eq!(
            Transient::of(&with(ConnectCause::UntrustedCertificate), false),
            None
        );
    }

    #[tokio::test(start_paused = true)]
    async fn busy_answers_are_retried_until_the_time_budget_failing_ones_max_retries_times() {
        let p = RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
            max_elapsed: Duration::from_secs(60),
        };
        // Busy: far more than 3 retries, none starting after the budget.
        let mut b = Budget::start(&p);
        let start = Instant::now();
        while let Some(d) = b.next(Transient::Busy, None) {
            tokio::time::sleep(d).await;
        }
        assert!(start.elapsed() <= Duration::from_secs(60));
        assert!(b.retries() >= 30, "{} retries", b.retries());
        // Failing: exactly max_retries.
        let mut b = Budget::start(&p);
        let mut n = 0;
        while b.next(Transient::Failing, None).is_some() {
            n += 1;
        }
        assert_eq!(n, 3);
        // Busy answers do not use up the failing count.
        let mut b = Budget::start(&p);
        for _ in 0..10 {
            assert!(b.next(Transient::Busy, None).is_some());
        }
        assert!(b.next(Transient::Failing, None).is_some());
        // max_retries = 0: nothing is retried.
        let none = RetryPolicy::none();
        assert!(Budget::start(&none).next(Transient::Busy, None).is_none());
    }
}
