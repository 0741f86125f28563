//! Fault injection for reliability tests: a share of requests answered 429 or
//! 503 with `Retry-After`, added latency, dropped connections, and a script of
//! faults applied to the next requests in order.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::time::Duration;

/// One injected fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Fault {
    /// No fault: the request is served normally.
    Pass,
    /// `429 Too Many Requests` with `Retry-After`.
    TooManyRequests,
    /// `503 Service Unavailable` with `Retry-After`.
    ServiceUnavailable,
    /// The connection is closed without an answer.
    Drop,
    /// The request is handled in full, then its connection is closed
    /// without the answer: a proxy that forwarded it and lost the answer.
    LoseAnswer,
}

impl Fault {
    /// A short name for logs and the request record.
    pub fn name(self) -> &'static str {
        match self {
            Fault::Pass => "pass",
            Fault::TooManyRequests => "429",
            Fault::ServiceUnavailable => "503",
            Fault::Drop => "drop",
            Fault::LoseAnswer => "lose-answer",
        }
    }
}

/// Which faults to inject into `/integrations` requests (never into the
/// admin endpoints). Rates are shares between 0 and 1.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Share of requests answered `429 Too Many Requests`.
    pub too_many_requests_rate: f64,
    /// Share of requests answered `503 Service Unavailable`.
    pub unavailable_rate: f64,
    /// Share of requests whose connection is dropped without an answer.
    pub drop_rate: f64,
    /// Latency added to every request, in milliseconds.
    pub latency_ms: u64,
    /// The `Retry-After` seconds sent with 429 and 503 (0 sends `0`).
    pub retry_after_secs: u64,
    /// Seed of the random draws, for reproducible runs.
    pub seed: Option<u64>,
    /// Faults applied to the next requests, one each, before any rate.
    pub script: Vec<Fault>,
    /// Methods (`PUT`, `POST`, `DELETE`) of the next requests that change
    /// something (not dry runs) whose answers are lost, one entry per
    /// request: the first such request with the first method listed is
    /// handled in full, then its connection is closed without the answer
    /// ([`Fault::LoseAnswer`]). Applied only to requests no other fault hit.
    pub lose_answers_to: Vec<String>,
}

impl FaultConfig {
    /// Checks that rates are in `0..=1` and add up to at most 1.
    pub fn validate(&self) -> Result<(), String> {
        let rates = [
            ("tooManyRequestsRate", self.too_many_requests_rate),
            ("unavailableRate", self.unavailable_rate),
            ("dropRate", self.drop_rate),
        ];
        for (name, r) in rates {
            if !(0.0..=1.0).contains(&r) {
                return Err(format!("{name} must be between 0 and 1, got {r}"));
            }
        }
        let sum: f64 = rates.iter().map(|(_, r)| r).sum();
        if sum > 1.0 + 1e-9 {
            return Err(format!("the rates add up to {sum}, more than 1"));
        }
        Ok(())
    }

    /// Whether no fault at all is configured.
    pub fn is_quiet(&self) -> bool {
        self.too_many_requests_rate == 0.0
            && self.unavailable_rate == 0.0
            && self.drop_rate == 0.0
            && self.latency_ms == 0
            && self.script.is_empty()
            && self.lose_answers_to.is_empty()
    }
}

/// The live fault state: configuration, remaining script, random source.
#[derive(Debug)]
pub(crate) struct FaultState {
    config: FaultConfig,
    script: VecDeque<Fault>,
    rng: StdRng,
}

/// What to do with one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Decision {
    pub latency: Duration,
    pub fault: Fault,
    pub retry_after_secs: u64,
}

impl FaultState {
    pub(crate) fn new(config: FaultConfig) -> Self {
        let rng = match config.seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_os_rng(),
        };
        FaultState {
            script: config.script.iter().copied().collect(),
            config,
            rng,
        }
    }

    /// The configuration, with `script` and `lose_answers_to` holding what
    /// is left of them.
    pub(crate) fn config(&self) -> FaultConfig {
        let mut c = self.config.clone();
        c.script = self.script.iter().copied().collect();
        c
    }

    /// Whether the answer to this request (`method`, a dry run or not),
    /// which no other fault hit, is to be lost: takes the first entry of
    /// `lose_answers_to` naming `method`.
    pub(crate) fn lose_answer(&mut self, method: &str, dry_run: bool) -> bool {
        if dry_run {
            return false;
        }
        let pending = &mut self.config.lose_answers_to;
        match pending.iter().position(|m| m.eq_ignore_ascii_case(method)) {
            Some(i) => {
                pending.remove(i);
                true
            }
            None => false,
        }
    }

    /// Draws the fault for the next request.
    pub(crate) fn decide(&mut self) -> Decision {
        let latency = Duration::from_millis(self.config.latency_ms);
        let fault = match self.script.pop_front() {
            Some(f) => f,
            None => {
                let c = &self.config;
                if c.too_many_requests_rate + c.unavailable_rate + c.drop_rate <= 0.0 {
                    Fault::Pass
                } else {
                    let x: f64 = self.rng.random();
                    if x < c.too_many_requests_rate {
                        Fault::TooManyRequests
                    } else if x < c.too_many_requests_rate + c.unavailable_rate {
                        Fault::ServiceUnavailable
                    } else if x < c.too_many_requests_rate + c.unavailable_rate + c.drop_rate {
                        Fault::Drop
                    } else {
                        Fault::Pass
                    }
                }
            }
        };
        Decision {
            latency,
            fault,
            retry_after_secs: self.config.retry_after_secs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_comes_first_then_rates() {
        let mut s = FaultState::new(FaultConfig {
            script: vec![Fault::Drop, Fault::Pass, Fault::ServiceUnavailable],
            too_many_requests_rate: 1.0,
            retry_after_secs: 3,
            ..Default::default()
        });
        let got: Vec<Fault> = (0..5).map(|_| s.decide().fault).collect();
        assert_eq!(
            got,
            vec![
                Fault::Drop,
                Fault::Pass,
                Fault::ServiceUnavailable,
                Fault::TooManyRequests,
                Fault::TooManyRequests
            ]
        );
        assert_eq!(s.decide().retry_after_secs, 3);
        assert!(s.config().script.is_empty());
    }

    #[test]
    fn answers_are_lost_once_per_entry_for_changes_only() {
        let mut s = FaultState::new(FaultConfig {
            lose_answers_to: vec!["PUT".into(), "put".into(), "DELETE".into()],
            ..Default::default()
        });
        assert!(!s.lose_answer("GET", false));
        assert!(!s.lose_answer("PUT", true), "a dry run");
        assert!(s.lose_answer("PUT", false));
        assert!(s.lose_answer("PUT", false));
        assert!(!s.lose_answer("PUT", false));
        assert_eq!(s.config().lose_answers_to, ["DELETE"]);
        assert!(s.lose_answer("DELETE", false));
        assert!(s.config().is_quiet());
    }

    #[test]
    fn seeded_rates_are_reproducible_and_near_their_share() {
        let cfg = FaultConfig {
            unavailable_rate: 0.3,
            seed: Some(7),
            ..Default::default()
        };
        let draw = |c: &FaultConfig| {
            let mut s = FaultState::new(c.clone());
            (0..1000).map(|_| s.decide().fault).collect::<Vec<_>>()
        };
        let a = draw(&cfg);
        assert_eq!(a, draw(&cfg));
        let n = a
            .iter()
            .filter(|f| **f == Fault::ServiceUnavailable)
            .count();
        assert!((220..380).contains(&n), "{n}");
    }

    #[test]
    fn rates_are_checked() {
        let bad = FaultConfig {
            drop_rate: 1.5,
            ..Default::default()
        };
        assert!(bad.validate().unwrap_err().contains("dropRate"));
        let sum = FaultConfig {
            drop_rate: 0.6,
            unavailable_rate: 0.6,
            ..Default::default()
        };
        assert!(sum.validate().is_err());
        assert!(FaultConfig::default().validate().is_ok());
        assert!(FaultConfig::default().is_quiet());
    }
}
