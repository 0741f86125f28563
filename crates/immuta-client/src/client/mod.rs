//! [`ImmutaClient`] and what its endpoints take and give, in rooms:
//!
//! - `endpoints`: one public method per `/integrations` endpoint.
//! - `connections`: one public method per endpoint of the connection API
//!   (`/data/...`, `/jobs`), [`check_object_path`], [`ConnectionAnswer`],
//!   and the connection create's guard.
//! - `transport`: the one request path (`execute`): the key, the body
//!   bound, the one log line, retries and cancellation; and [`check_id`].
//! - `guard`: the create guard: a real POST is never sent twice blindly
//!   (the list snapshot, the look-up after an unclear answer).
//! - `update`: the update guard, which looks at what Immuta holds before a
//!   PUT is sent again.
//! - `list`: [`IntegrationList`], what the list answers, read element by
//!   element (and the fuzzing of every answer reader).
//! - `decode`: reading answers and writing bodies without quoting a value.
//!
//! Among the rooms, uses run one way: `endpoints` and `connections` use
//! the others (never each other), `update` uses `guard`, `guard` uses `transport` and `list`, and those
//! two use `decode`, which uses none.

mod connections;
mod decode;
mod endpoints;
mod guard;
mod list;
mod transport;
mod update;

pub use connections::{check_object_path, ConnectionAnswer};
pub use list::{IntegrationList, SkipReason, SkippedIntegration};
pub use transport::check_id;

use crate::config::{parse_base_url, ClientConfig, RetryPolicy};
use crate::error::{error_chain, ClientError};
use guard::Known;
use immuta_api::IntegrationId;
use reqwest::header::HeaderValue;
use reqwest::Url;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Options of a DELETE.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeleteOptions {
    /// `forceDisable=true`: delete in Immuta only, leaving the platform's
    /// Immuta objects for the user to remove.
    pub force_disable: bool,
    /// `dryRun=true`: only run the validation tests.
    pub dry_run: bool,
}

/// A typed client of Immuta's `/integrations` API.
///
/// Cloning is cheap and clones share one connection pool.
#[derive(Clone)]
pub struct ImmutaClient {
    inner: Arc<Inner>,
    cancel: Option<CancellationToken>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    auth: HeaderValue,
    retry: RetryPolicy,
    max_body_bytes: usize,
    request_timeout: Duration,
    throttle: crate::throttle::Throttle,
    /// Held while a create of a type without identity runs.
    unnamed_creates: tokio::sync::Mutex<()>,
    /// What the create guard knows existed ([`Known`]); `None` until the
    /// first create lists. Locked while that list runs, so that concurrent
    /// first creates wait for one list.
    known: tokio::sync::Mutex<Option<Arc<Known>>>,
    /// The ids this client's creates made (answered, or found after an
    /// unclear answer): never taken for another create's.
    made: std::sync::Mutex<HashSet<IntegrationId>>,
}

impl std::fmt::Debug for ImmutaClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImmutaClient")
            .field("base_url", &self.inner.base.as_str())
            .field("retry", &self.inner.retry)
            .field("cancellable", &self.cancel.is_some())
            .finish_non_exhaustive()
    }
}

impl ImmutaClient {
    /// Builds a client (and its connection pool) from a configuration.
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        let base = parse_base_url(&config.base_url)?;
        let key = config.api_key.expose().trim();
        if key.is_empty() {
            return Err(ClientError::Config("the API key is empty".into()));
        }
        let mut auth = HeaderValue::from_str(key).map_err(|_| {
            ClientError::Config("the API key holds characters not allowed in an HTTP header".into())
        })?;
        auth.set_sensitive(true);
        if config.request_timeout.is_zero() {
            return Err(ClientError::Config(
                "the request timeout must be above zero".into(),
            ));
        }
        if config.max_body_bytes == 0 {
            return Err(ClientError::Config(
                "the response body limit must be above zero".into(),
            ));
        }

        let mut builder = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .timeout(config.request_timeout)
            .connect_timeout(config.request_timeout.min(Duration::from_secs(30)))
            .pool_idle_timeout(Duration::from_secs(60))
            // A redirect would turn a POST into a GET and lose its body:
            // report it instead, naming where it points.
            .redirect(reqwest::redirect::Policy::none());
        if base.scheme() == "http" {
            // No TLS to verify (every request goes to `base`, and redirects
            // are not followed): the system's root certificates are not
            // loaded, which takes a few milliseconds per provider process.
            builder = builder.tls_certs_only([]);
        }
        if let Some(pem) = &config.extra_ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                ClientError::InvalidCaCertificate(format!(
                    "the extra CA certificates cannot be read: {e}"
                ))
            })?;
            if certs.is_empty() {
                return Err(ClientError::InvalidCaCertificate(
                    "the extra CA PEM holds no certificate".into(),
                ));
            }
            builder = builder.tls_certs_merge(certs);
        }
        if config.insecure_skip_verify {
            tracing::warn!("TLS certificate verification is off for Immuta at {}", base);
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        let http = builder.build().map_err(|e| {
            let chain = error_chain(&e);
            if config.extra_ca_pem.is_some() {
                ClientError::InvalidCaCertificate(format!(
                    "the HTTP client cannot be built (are the extra CA certificates valid?): \
                     {chain}"
                ))
            } else {
                ClientError::Config(format!("the HTTP client cannot be built: {chain}"))
            }
        })?;
        Ok(ImmutaClient {
            inner: Arc::new(Inner {
                http,
                base,
                auth,
                retry: config.retry,
                max_body_bytes: config.max_body_bytes,
                request_timeout: config.request_timeout,
                throttle: crate::throttle::Throttle::new(config.limits),
                unnamed_creates: tokio::sync::Mutex::new(()),
                known: tokio::sync::Mutex::new(None),
                made: std::sync::Mutex::new(HashSet::new()),
            }),
            cancel: None,
        })
    }

    /// A clone (sharing the pool) whose requests, and waits between retries,
    /// end with [`ClientError::Cancelled`] as soon as `token` is cancelled.
    pub fn with_cancellation(&self, token: CancellationToken) -> Self {
        ImmutaClient {
            inner: Arc::clone(&self.inner),
            cancel: Some(token),
        }
    }

    /// The base URL requests go to (`/integrations` is appended).
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// A clone that ignores cancellation: for the requests whose answer
    /// must not be abandoned half-way (a create's POST and the look-up
    /// after it), since that would lose track of what Immuta made.
    fn uncancelled(&self) -> ImmutaClient {
        ImmutaClient {
            inner: Arc::clone(&self.inner),
            cancel: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_configs_are_refused_without_echoing_the_key() {
        let mut cfg = ClientConfig::new("h", "bad\nkey-secret");
        let e = ImmutaClient::new(cfg.clone()).unwrap_err();
        assert!(matches!(e, ClientError::Config(_)));
        assert!(!e.to_string().contains("key-secret"));
        cfg.api_key = "".into();
        assert!(ImmutaClient::new(cfg.clone()).is_err());
        cfg.api_key = "k".into();
        cfg.extra_ca_pem = Some(b"not a pem".to_vec());
        let e = ImmutaClient::new(cfg.clone()).unwrap_err();
        assert!(matches!(e, ClientError::InvalidCaCertificate(_)), "{e:?}");
        assert_eq!(e.class(), crate::ErrorClass::InvalidCaCertificate);
        cfg.extra_ca_pem =
            Some(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".to_vec());
        let e = ImmutaClient::new(cfg.clone()).unwrap_err();
        assert!(e.to_string().contains("extra CA"), "{e}");
        assert_eq!(e.class(), crate::ErrorClass::InvalidCaCertificate);
        cfg.extra_ca_pem = None;
        cfg.request_timeout = Duration::ZERO;
        assert!(ImmutaClient::new(cfg).is_err());
    }

    #[test]
    fn debug_shows_no_key() {
        let c = ImmutaClient::new(ClientConfig::new("h", "sekrit-key-123")).unwrap();
        assert!(!format!("{c:?}").contains("sekrit"));
    }
}
