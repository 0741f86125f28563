//! The retry rules: which requests may be sent again, and how long to wait.

use crate::config::RetryPolicy;
use rand::Rng;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use std::time::Duration;

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

    /// The delay before retry number `retry`, given the answer's headers: a
    /// `Retry-After` in seconds wins over the backoff, capped at `max_delay`.
    pub(crate) fn delay_for(&self, retry: u32, headers: Option<&HeaderMap>) -> Duration {
        match headers.and_then(retry_after) {
            Some(d) => d.min(self.max_delay),
            None => self.backoff(retry),
        }
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
        h.insert(RETRY_AFTER, HeaderValue::from_static("0"));
        assert_eq!(p.delay_for(1, Some(&h)), Duration::ZERO);
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
}
