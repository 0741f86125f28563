//! Bounds on how hard one client presses on Immuta: at most N requests in
//! flight, and at most R requests started per second. Shared by every clone
//! of a client, so a `terraform apply -parallelism=50` still sends no more
//! than the provider's settings allow.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The limits; zero means no limit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Requests in flight at once.
    pub max_concurrent: usize,
    /// Requests started per second.
    pub max_per_second: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_concurrent: 16,
            max_per_second: 0.0,
        }
    }
}

/// The shared state behind [`Limits`].
#[derive(Debug)]
pub(crate) struct Throttle {
    slots: Option<Arc<Semaphore>>,
    interval: Option<Duration>,
    next_start: Mutex<Instant>,
}

/// Held while a request is in flight.
pub(crate) struct Ticket {
    _slot: Option<OwnedSemaphorePermit>,
}

impl Throttle {
    pub(crate) fn new(limits: Limits) -> Self {
        let interval = (limits.max_per_second > 0.0 && limits.max_per_second.is_finite())
            .then(|| Duration::from_secs_f64(1.0 / limits.max_per_second));
        Throttle {
            slots: (limits.max_concurrent > 0)
                .then(|| Arc::new(Semaphore::new(limits.max_concurrent))),
            interval,
            next_start: Mutex::new(Instant::now()),
        }
    }

    /// Waits for a slot and for the request's turn in the rate; the request
    /// may start when this returns and holds the ticket until it ends.
    pub(crate) async fn admit(&self) -> Ticket {
        let slot = match &self.slots {
            // The semaphore is never closed, so acquiring cannot fail.
            Some(s) => s.clone().acquire_owned().await.ok(),
            None => None,
        };
        if let Some(interval) = self.interval {
            let start = {
                let mut next = self.next_start.lock().await;
                let now = Instant::now();
                let start = (*next).max(now);
                *next = start + interval;
                start
            };
            tokio::time::sleep_until(start).await;
        }
        Ticket { _slot: slot }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn no_more_than_the_limit_in_flight() {
        let t = Arc::new(Throttle::new(Limits {
            max_concurrent: 3,
            max_per_second: 0.0,
        }));
        let now = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (t, now, peak) = (t.clone(), now.clone(), peak.clone());
            tasks.push(tokio::spawn(async move {
                let _ticket = t.admit().await;
                let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(n, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5)).await;
                now.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(peak.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn starts_are_spaced_by_the_rate() {
        let t = Throttle::new(Limits {
            max_concurrent: 0,
            max_per_second: 10.0,
        });
        let begin = Instant::now();
        for _ in 0..11 {
            let _ticket = t.admit().await;
        }
        // The first starts at once, the next ten 100 ms apart.
        assert_eq!(begin.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn no_limits_admit_at_once() {
        let t = Throttle::new(Limits {
            max_concurrent: 0,
            max_per_second: 0.0,
        });
        let begin = Instant::now();
        for _ in 0..100 {
            let _ticket = t.admit().await;
        }
        assert_eq!(begin.elapsed(), Duration::ZERO);
    }
}
