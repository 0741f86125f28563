//! How a client is set up: where Immuta is, the key, TLS, time limits, retries.

use crate::error::ClientError;
use immuta_api::Secret;
use reqwest::Url;
use std::fmt;
use std::time::Duration;

/// The default bound on one response body: 8 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// The default time limit of one HTTP request, body included.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The default time budget of one request's retries: 5 minutes.
pub const DEFAULT_RETRY_TIMEOUT: Duration = Duration::from_secs(300);

/// When and how often a failed request is sent again.
///
/// Only requests that are safe to repeat are retried: GET, PUT, DELETE,
/// dry-run POSTs and the script POSTs. A create (`POST /integrations` without
/// `dryRun`) is sent again only after a look-up shows Immuta did not make it
/// (see [`crate::ImmutaClient::create`]); a key regeneration is never sent
/// twice.
///
/// Two kinds of failure are retried, with exponential backoff and jitter:
///
/// - **Busy**: `429`, `503`, and a connection that failed or ended before any
///   answer. Immuta is throttling or out of reach for a while: these are
///   retried for as long as the request's time budget ([`Self::max_elapsed`])
///   allows, however many tries that takes.
/// - **Failing**: every other `5xx` but `501`, a time-out, an answer that
///   broke off. The request itself may be what fails: these are retried at
///   most [`Self::max_retries`] times, within the same time budget.
///
/// `max_retries = 0` turns every retry off, busy answers included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// How many times a request is sent again after *failing* answers (other
    /// `5xx` than `429`/`503`, time-outs); `0` also turns off the retries of
    /// busy answers.
    pub max_retries: u32,
    /// The delay before the first retry; it doubles for each later one.
    pub base_delay: Duration,
    /// The longest delay between two tries, also the cap on a server's
    /// `Retry-After`.
    pub max_delay: Duration,
    /// The time budget of one request's retries, counted from its first
    /// try: no retry is started whose pause would end after it.
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(30),
            max_elapsed: DEFAULT_RETRY_TIMEOUT,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }
}

/// Everything [`crate::ImmutaClient::new`] needs.
#[derive(Clone)]
pub struct ClientConfig {
    /// Immuta's address, e.g. `https://immuta.example.com` or, without a
    /// scheme, `immuta.example.com` (taken as `https://`). A path prefix is
    /// kept: `/integrations` is appended to it.
    pub base_url: String,
    /// The API key, sent as `Authorization: <key>`.
    pub api_key: Secret,
    /// PEM certificates trusted on top of the system's roots (a private CA).
    pub extra_ca_pem: Option<Vec<u8>>,
    /// Accept any server certificate. For tests only: it removes TLS's protection.
    pub insecure_skip_verify: bool,
    /// Time limit of one HTTP request, from sending to the end of the body.
    pub request_timeout: Duration,
    /// The `User-Agent` header.
    pub user_agent: String,
    /// Retries of failed requests.
    pub retry: RetryPolicy,
    /// Largest response body accepted; a larger one is an error.
    pub max_body_bytes: usize,
    /// How hard the client may press on Immuta (in flight, per second).
    pub limits: crate::throttle::Limits,
}

impl ClientConfig {
    /// A configuration with the defaults: 60 s per request, the default
    /// [`RetryPolicy`], an 8 MiB bound on response bodies, this crate's user agent.
    pub fn new(base_url: impl Into<String>, api_key: impl Into<Secret>) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            api_key: api_key.into(),
            extra_ca_pem: None,
            insecure_skip_verify: false,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            user_agent: default_user_agent(),
            retry: RetryPolicy::default(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            limits: crate::throttle::Limits::default(),
        }
    }
}

/// `immuta-client/<version>`.
pub fn default_user_agent() -> String {
    format!("immuta-client/{}", env!("CARGO_PKG_VERSION"))
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key)
            .field(
                "extra_ca_pem",
                &self
                    .extra_ca_pem
                    .as_ref()
                    .map(|p| format!("{} bytes", p.len())),
            )
            .field("insecure_skip_verify", &self.insecure_skip_verify)
            .field("request_timeout", &self.request_timeout)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("limits", &self.limits)
            .finish()
    }
}

/// Reads a base URL: adds `https://` when there is no scheme, accepts only
/// `http` and `https`, refuses credentials, queries and fragments, and drops
/// a trailing `/`.
pub fn parse_base_url(raw: &str) -> Result<Url, ClientError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(ClientError::Config("the Immuta URL is empty".into()));
    }
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_string()
    } else {
        format!("https://{trimmed}")
    };
    let mut url = Url::parse(&with_scheme).map_err(|e| {
        ClientError::Config(format!("the Immuta URL {trimmed:?} is not valid: {e}"))
    })?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(ClientError::Config(format!(
            "the Immuta URL must use https or http, not {:?}",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(ClientError::Config(format!(
            "the Immuta URL {trimmed:?} has no host"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Do not echo the URL: it holds a credential.
        return Err(ClientError::Config(
            "the Immuta URL must not carry a user name or password; use the API key".into(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ClientError::Config(format!(
            "the Immuta URL {trimmed:?} must not have a query or a fragment"
        )));
    }
    let path = url.path().trim_end_matches('/').to_string();
    url.set_path(&path);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_without_scheme_means_https() {
        let u = parse_base_url("immuta.example.com").unwrap();
        assert_eq!(u.as_str(), "https://immuta.example.com/");
        let u = parse_base_url(" immuta.example.com:8443/prefix/ ").unwrap();
        assert_eq!(u.scheme(), "https");
        assert_eq!(u.port(), Some(8443));
        assert_eq!(u.path(), "/prefix");
    }

    #[test]
    fn explicit_http_is_kept() {
        let u = parse_base_url("http://127.0.0.1:8080/").unwrap();
        assert_eq!(u.scheme(), "http");
        assert_eq!(u.port(), Some(8080));
    }

    #[test]
    fn bad_urls_are_config_errors() {
        for bad in [
            "",
            "ftp://x",
            "https://",
            "https://u:pw@host",
            "https://h/?q=1",
            "https://h/#f",
        ] {
            let err = parse_base_url(bad).unwrap_err();
            assert!(matches!(err, ClientError::Config(_)), "{bad}: {err:?}");
        }
        let err = parse_base_url("https://u:topsecret@host").unwrap_err();
        assert!(!err.to_string().contains("topsecret"));
    }

    #[test]
    fn debug_hides_the_key() {
        let c = ClientConfig::new("h", "my-very-secret-key");
        let shown = format!("{c:?}");
        assert!(!shown.contains("my-very-secret-key"), "{shown}");
        assert!(shown.contains("<REDACTED>"));
    }
}
