//! The one request path every endpoint goes through: builds the URL (ids
//! checked first), waits for the throttle, sends the API key, bounds the
//! answer's size, logs one `debug` line per try (method, path, status,
//! duration; never a header or a body), retries what the [`RetryPolicy`]
//! allows, and stops when the client is cancelled.
//!
//! [`RetryPolicy`]: crate::RetryPolicy

use super::decode::{decode, JSON};
use super::ImmutaClient;
use crate::error::ClientError;
use crate::retry::{Budget, Idempotency, Transient};
use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

pub(super) const SCRIPT_ACCEPT: &str = "text/plain, application/json;q=0.9";

/// One request, before it is sent.
pub(super) struct Call {
    pub(super) method: Method,
    pub(super) url: Url,
    pub(super) body: Option<Vec<u8>>,
    pub(super) idempotency: Idempotency,
    pub(super) accept: &'static str,
    /// `METHOD /path?query`, for logs and errors.
    pub(super) label: String,
    /// `METHOD /path at scheme://host:port`, for transport errors.
    pub(super) target: String,
}

/// A successful (2xx) answer, its body read in full.
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) content_type: Option<String>,
    pub(super) body: Vec<u8>,
}

impl Answer {
    /// `result`, the reading of this answer, unless the body is not JSON at
    /// all: then [`ClientError::NotJson`], which says what answered instead.
    pub(super) fn or_not_json<T>(
        &self,
        call: &Call,
        result: Result<T, ClientError>,
    ) -> Result<T, ClientError> {
        match result {
            Err(ClientError::Decode { what, detail }) => Err(crate::error::not_json(
                &call.target,
                self.status,
                self.content_type.as_deref(),
                &self.body,
            )
            .unwrap_or(ClientError::Decode { what, detail })),
            other => other,
        }
    }
}

/// Why one try did not give a 2xx answer.
pub(super) enum Failure {
    /// Cancelled before or while it was sent.
    Cancelled,
    /// It failed; the answer's headers when an answer (a status line)
    /// arrived, `None` when the connection failed or ended before one.
    Failed(ClientError, Option<HeaderMap>),
}

/// How a failed try may be retried: see [`Transient::of`].
pub(super) fn transient(error: &ClientError, headers: Option<&HeaderMap>) -> Option<Transient> {
    Transient::of(error, headers.is_some())
}

/// What one attempt ended with, before retries are decided.
enum Attempt {
    Answered {
        status: StatusCode,
        headers: HeaderMap,
        content_type: Option<String>,
        body: Vec<u8>,
    },
    /// It failed; the answer's headers when one had begun to arrive.
    Failed(ClientError, Option<HeaderMap>),
}

impl ImmutaClient {
    /// Builds the URL `<base>/integrations[/<id>]/<rest...>?<query>`. The
    /// id must be one Immuta issues ([`check_id`]): an id that the URL
    /// library would change (`..`, a tab, `a/b`, `%2e`) is refused here,
    /// before any request.
    pub(super) fn call(
        &self,
        method: Method,
        id: Option<&str>,
        rest: &[&str],
        query: &[(&str, &str)],
        body: Option<Vec<u8>>,
        idempotency: Idempotency,
    ) -> Result<Call, ClientError> {
        if let Some(id) = id {
            check_id(id)?;
        }
        let mut segments = vec!["integrations"];
        segments.extend(id);
        segments.extend_from_slice(rest);
        self.call_to(method, &segments, query, body, idempotency)
    }

    /// Builds the URL `<base>/<segments...>?<query>`, each segment
    /// percent-encoded as one path segment. The caller checks the segments
    /// first: the URL library drops `.` and `..`.
    pub(super) fn call_to(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<Vec<u8>>,
        idempotency: Idempotency,
    ) -> Result<Call, ClientError> {
        let mut url = self.inner.base.clone();
        url.path_segments_mut()
            .map_err(|()| ClientError::Config("the Immuta URL cannot take a path".into()))?
            .pop_if_empty()
            .extend(segments);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let label = match url.query() {
            Some(q) => format!("{method} {}?{q}", url.path()),
            None => format!("{method} {}", url.path()),
        };
        let target = format!("{label} at {}", url.origin().ascii_serialization());
        Ok(Call {
            method,
            url,
            body,
            idempotency,
            accept: JSON,
            label,
            target,
        })
    }

    /// `GET /integrations`, for [`ImmutaClient::list`] and the create
    /// guard's look-up.
    pub(super) fn list_call(&self) -> Result<Call, ClientError> {
        self.call(Method::GET, None, &[], &[], None, Idempotency::Safe)
    }

    /// Makes `call` and reads its answer's body with `parse` (given the
    /// call's label, for errors).
    pub(super) async fn read<T>(
        &self,
        call: Call,
        parse: impl FnOnce(&str, &[u8]) -> Result<T, ClientError>,
    ) -> Result<T, ClientError> {
        let answer = self.execute(&call).await?;
        answer.or_not_json(&call, parse(&call.label, &answer.body))
    }

    pub(super) async fn json<T: DeserializeOwned>(&self, call: Call) -> Result<T, ClientError> {
        self.read(call, |label, body| decode(label, body)).await
    }

    /// Races `fut` against this client's cancellation token.
    pub(super) async fn cancellable<T>(
        &self,
        fut: impl Future<Output = Result<T, ClientError>>,
    ) -> Result<T, ClientError> {
        match &self.cancel {
            None => fut.await,
            Some(token) => {
                tokio::select! {
                    biased;
                    () = token.cancelled() => Err(ClientError::Cancelled),
                    r = fut => r,
                }
            }
        }
    }

    /// The one request path: sends, reads the bounded body, logs, and
    /// retries what the [`RetryPolicy`] allows. Only 2xx answers return `Ok`.
    pub(super) async fn execute(&self, call: &Call) -> Result<Answer, ClientError> {
        let mut budget = Budget::start(&self.inner.retry);
        loop {
            let (error, headers) = match self.send_once(call, budget.retries() + 1).await {
                Ok(answer) => return Ok(answer),
                Err(Failure::Cancelled) => return Err(ClientError::Cancelled),
                Err(Failure::Failed(error, headers)) => (error, headers),
            };
            let delay = match call.idempotency {
                Idempotency::Safe => transient(&error, headers.as_ref())
                    .and_then(|kind| budget.next(kind, headers.as_ref())),
                Idempotency::Once => None,
            };
            let Some(delay) = delay else {
                return Err(error);
            };
            self.back_off(
                &call.label,
                budget.retries(),
                delay,
                &error,
                "retrying immuta request",
            )
            .await?;
        }
    }

    /// Whether this client's cancellation token has fired.
    pub(super) fn is_cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(CancellationToken::is_cancelled)
    }

    /// The pause `delay` before retry `retry` of request `label`, logged
    /// with why it is made again; it ends early, with
    /// [`ClientError::Cancelled`], when the client is cancelled.
    pub(super) async fn back_off(
        &self,
        label: &str,
        retry: u32,
        delay: Duration,
        reason: &ClientError,
        what: &str,
    ) -> Result<(), ClientError> {
        tracing::debug!(
            request = %label,
            retry,
            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            reason = %reason,
            "{what}"
        );
        self.sleep(delay).await
    }

    async fn sleep(&self, delay: Duration) -> Result<(), ClientError> {
        self.cancellable(async {
            tokio::time::sleep(delay).await;
            Ok(())
        })
        .await
    }

    /// One try of a request (number `attempt`, for the log): waits for the
    /// throttle, sends, reads the answer and logs one line. Only a 2xx
    /// answer is `Ok`; an error keeps the answer's headers for
    /// `Retry-After`.
    pub(super) async fn send_once(&self, call: &Call, attempt: u32) -> Result<Answer, Failure> {
        if self.is_cancelled() {
            return Err(Failure::Cancelled);
        }
        let timed = self
            .cancellable(async {
                // The ticket is held until the answer is read.
                let _ticket = self.inner.throttle.admit().await;
                let started = Instant::now();
                let attempt = self.attempt(call).await;
                Ok((attempt, started.elapsed()))
            })
            .await;
        let Ok((result, elapsed)) = timed else {
            return Err(Failure::Cancelled);
        };
        let elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
        match result {
            Attempt::Answered {
                status,
                headers,
                content_type,
                body,
            } => {
                tracing::debug!(
                    request = %call.label,
                    status = status.as_u16(),
                    elapsed_ms,
                    attempt,
                    bytes = body.len(),
                    "immuta request"
                );
                if status.is_success() {
                    return Ok(Answer {
                        status: status.as_u16(),
                        content_type,
                        body,
                    });
                }
                let error = if status.is_redirection() {
                    redirect_error(status.as_u16(), &headers)
                } else {
                    ClientError::from_error_answer(
                        &call.target,
                        status.as_u16(),
                        content_type.as_deref(),
                        &body,
                    )
                };
                Err(Failure::Failed(error, Some(headers)))
            }
            Attempt::Failed(error, headers) => {
                tracing::debug!(
                    request = %call.label,
                    elapsed_ms,
                    attempt,
                    error = %error,
                    "immuta request failed"
                );
                Err(Failure::Failed(error, headers))
            }
        }
    }

    /// Sends the request once and reads the answer, at most
    /// `max_body_bytes` of it.
    async fn attempt(&self, call: &Call) -> Attempt {
        let inner = &self.inner;
        let mut req = inner
            .http
            .request(call.method.clone(), call.url.clone())
            .header(AUTHORIZATION, inner.auth.clone())
            .header(ACCEPT, call.accept);
        if let Some(body) = &call.body {
            req = req.header(CONTENT_TYPE, JSON).body(body.clone());
        }
        let mut resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                return Attempt::Failed(
                    ClientError::from_reqwest(&call.target, &e, inner.request_timeout),
                    None,
                )
            }
        };
        let status = resp.status();
        let headers = resp.headers().clone();
        let content_type = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let limit = inner.max_body_bytes;
        let too_large = || ClientError::ResponseTooLarge {
            what: call.label.clone(),
            limit,
        };
        if resp
            .content_length()
            .is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX))
        {
            return Attempt::Failed(too_large(), Some(headers));
        }
        let mut body: Vec<u8> = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len().saturating_add(chunk.len()) > limit {
                        return Attempt::Failed(too_large(), Some(headers));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    return Attempt::Failed(
                        ClientError::from_reqwest(&call.target, &e, inner.request_timeout),
                        Some(headers),
                    )
                }
            }
        }
        Attempt::Answered {
            status,
            headers,
            content_type,
            body,
        }
    }
}

/// Checks that `id` is an integration id as Immuta issues them, before it
/// goes into a URL: digits (`5`, what Immuta and the emulator issue), or the
/// string form some answers use, ASCII letters, digits, `-` and `_`, at most
/// [`MAX_ID_LEN`](crate::error::MAX_ID_LEN) characters, starting with a
/// letter or digit. Anything else (`..`, `1\t`, `a/b`, `%2e`, an empty id,
/// spaces) is [`ClientError::InvalidId`], naming it: the URL library would
/// drop dot segments and strip tabs and newlines, so such an id could
/// silently name another resource.
pub fn check_id(id: &str) -> Result<(), ClientError> {
    use crate::error::MAX_ID_LEN;
    let bytes = id.as_bytes();
    let fits = !bytes.is_empty()
        && bytes.len() <= MAX_ID_LEN
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_');
    if fits {
        return Ok(());
    }
    let mut shown: String = id.chars().take(MAX_ID_LEN).collect();
    if shown.len() < id.len() {
        shown.push('…');
    }
    Err(ClientError::InvalidId { id: shown })
}

/// A 3xx answer, which this client does not follow.
fn redirect_error(status: u16, headers: &HeaderMap) -> ClientError {
    let location = headers
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("an unnamed place");
    ClientError::Api {
        status,
        body: None,
        raw: crate::error::truncate_text(
            format!("redirects to {location}; set the Immuta URL to where it points").as_bytes(),
            crate::error::RAW_LIMIT,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClientConfig;

    #[test]
    fn ids_are_checked_then_put_as_one_path_segment() {
        let c = ImmutaClient::new(ClientConfig::new("https://h/prefix/", "k")).unwrap();
        let call = c
            .call(
                Method::GET,
                Some("12"),
                &["status"],
                &[],
                None,
                Idempotency::Safe,
            )
            .unwrap();
        assert_eq!(call.url.as_str(), "https://h/prefix/integrations/12/status");
        let call = c
            .call(
                Method::DELETE,
                Some("7"),
                &[],
                &[("dryRun", "true"), ("forceDisable", "true")],
                None,
                Idempotency::Safe,
            )
            .unwrap();
        assert_eq!(
            call.label,
            "DELETE /prefix/integrations/7?dryRun=true&forceDisable=true"
        );
        for bad in [
            "", "..", ".", "1\t", "1\n", " 1", "a/b", "%2e", "../5?x", "-1", "1.0",
        ] {
            let Err(e) = c.call(Method::GET, Some(bad), &[], &[], None, Idempotency::Safe) else {
                panic!("{bad:?} was accepted");
            };
            assert!(
                matches!(&e, ClientError::InvalidId { id } if id == bad),
                "{bad:?}: {e:?}"
            );
            assert!(e.to_string().starts_with(&format!("{bad:?} is not")), "{e}");
        }
        for good in [
            "5",
            "123456789012345678901234",
            "abc-DEF_9",
            "5f0c2c1e-1b2a",
        ] {
            assert!(check_id(good).is_ok(), "{good}");
        }
        let long = "9".repeat(65);
        let e = check_id(&long).unwrap_err();
        assert!(matches!(&e, ClientError::InvalidId { id } if id.ends_with('…')));
    }
}
