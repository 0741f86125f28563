//! [`ImmutaClient`]: one method per `/integrations` endpoint, all going
//! through one private request path (`execute`) that applies the
//! key, the body bound, logging, retries and cancellation.

use crate::config::{parse_base_url, ClientConfig, RetryPolicy};
use crate::error::{error_chain, ClientError};
use crate::identity::Identity;
use crate::retry::Idempotency;
use immuta_api::{
    DeleteCredentials, Integration, IntegrationId, IntegrationPayload, IntegrationType,
    OperationResponse, ScriptKind, StatusResponse,
};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const JSON: &str = "application/json";
const SCRIPT_ACCEPT: &str = "text/plain, application/json;q=0.9";

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

/// One request, before it is sent.
struct Call {
    method: Method,
    url: Url,
    body: Option<Vec<u8>>,
    idempotency: Idempotency,
    accept: &'static str,
    /// `METHOD /path?query`, for logs and errors.
    label: String,
    /// `METHOD /path at scheme://host:port`, for transport errors.
    target: String,
}

/// A successful (2xx) answer, its body read in full.
struct Answer {
    content_type: Option<String>,
    body: Vec<u8>,
}

/// Why one try did not give a 2xx answer.
enum Failure {
    /// Cancelled before or while it was sent.
    Cancelled,
    /// It failed; the answer's headers when there was an answer.
    Failed(ClientError, Option<HeaderMap>),
}

/// What a look-up after an uncertain create found.
enum Found {
    /// Nothing new on the target: the create was not made.
    None,
    /// The integration the create made.
    One(Box<Integration>),
    /// Several candidates (their ids): which one is ours cannot be told.
    Several(Vec<String>),
}

/// What one attempt ended with, before retries are decided.
enum Attempt {
    Answered {
        status: StatusCode,
        headers: HeaderMap,
        content_type: Option<String>,
        body: Vec<u8>,
    },
    Failed(ClientError),
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
        if let Some(pem) = &config.extra_ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                ClientError::Config(format!("the extra CA certificates cannot be read: {e}"))
            })?;
            if certs.is_empty() {
                return Err(ClientError::Config(
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
            let hint = if config.extra_ca_pem.is_some() {
                " (are the extra CA certificates valid?)"
            } else {
                ""
            };
            ClientError::Config(format!(
                "the HTTP client cannot be built{hint}: {}",
                error_chain(&e)
            ))
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

    /// `GET /integrations`: every integration.
    pub async fn list(&self) -> Result<Vec<Integration>, ClientError> {
        let call = self.call(Method::GET, &[], &[], None, Idempotency::Safe)?;
        self.json(call).await
    }

    /// `GET /integrations/{id}`: one integration. A missing one is an error
    /// for which [`ClientError::is_not_found`] holds.
    pub async fn get(&self, id: &str) -> Result<Integration, ClientError> {
        let call = self.call(Method::GET, &[id], &[], None, Idempotency::Safe)?;
        self.json(call).await
    }

    /// `POST /integrations[?dryRun=true]`: creates an integration (answers
    /// `status: creating`), or with `dry_run` only validates the payload
    /// (retried like a GET).
    ///
    /// A real create is never sent twice blindly. It first lists the
    /// integrations of its type. When its POST ends without a clear answer
    /// (the connection broke or timed out after sending, or `429`/`5xx`),
    /// it lists them again: an integration that was not there before and is
    /// on the same target (Snowflake host, Databricks workspace,
    /// Redshift/Synapse host and database, S3 name or location path,
    /// BigQuery dataset and location) is the one it made, and is returned
    /// as the create's answer. If there is none, the POST is sent again
    /// (within the [`RetryPolicy`]); a `409` on such a second send is looked
    /// up the same way. Types without such fields (Trino) are created one
    /// at a time by a client, so the one new integration of that type is
    /// the one it made; two or more give [`ClientError::CreateUncertain`].
    /// The POST and the look-up after it are not abandoned on
    /// cancellation, so what Immuta made is not lost.
    pub async fn create(
        &self,
        payload: &IntegrationPayload,
        dry_run: bool,
    ) -> Result<OperationResponse, ClientError> {
        if !dry_run {
            return self.create_guarded(payload).await;
        }
        let body = encode(payload)?;
        let call = self.call(
            Method::POST,
            &[],
            &[("dryRun", "true")],
            Some(body),
            Idempotency::Safe,
        )?;
        self.json(call).await
    }

    /// `PUT /integrations/{id}[?dryRun=true]`: updates an integration
    /// (answers `status: editing`), or with `dry_run` only validates.
    pub async fn update(
        &self,
        id: &str,
        payload: &IntegrationPayload,
        dry_run: bool,
    ) -> Result<OperationResponse, ClientError> {
        let body = encode(payload)?;
        let query: &[(&str, &str)] = if dry_run { &[("dryRun", "true")] } else { &[] };
        let call = self.call(Method::PUT, &[id], query, Some(body), Idempotency::Safe)?;
        self.json(call).await
    }

    /// `DELETE /integrations/{id}`: deletes an integration (answers
    /// `status: deleting`). `credentials` is sent as the body when given
    /// (auto-bootstrapped Snowflake, Redshift, Synapse); otherwise there is no
    /// body. An empty answer (e.g. 204) reads as status `deleting`.
    pub async fn delete(
        &self,
        id: &str,
        credentials: Option<&DeleteCredentials>,
        options: DeleteOptions,
    ) -> Result<OperationResponse, ClientError> {
        let body = credentials.map(encode).transpose()?;
        let mut query: Vec<(&str, &str)> = Vec::new();
        if options.dry_run {
            query.push(("dryRun", "true"));
        }
        if options.force_disable {
            query.push(("forceDisable", "true"));
        }
        let call = self.call(Method::DELETE, &[id], &query, body, Idempotency::Safe)?;
        let label = call.label.clone();
        let answer = self.execute(call).await?;
        if answer.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(OperationResponse {
                id: Some(id.into()),
                status: Some(immuta_api::IntegrationStatus::Deleting),
                validation_results: None,
            });
        }
        decode(&label, &answer.body)
    }

    /// `GET /integrations/{id}/status`.
    pub async fn status(&self, id: &str) -> Result<StatusResponse, ClientError> {
        let call = self.call(Method::GET, &[id, "status"], &[], None, Idempotency::Safe)?;
        self.json(call).await
    }

    /// `POST /integrations/{id}/regenerate`: a new Immuta API key for the
    /// integration (Trino); the answer's config carries it. Never retried.
    pub async fn regenerate(&self, id: &str) -> Result<Integration, ClientError> {
        let call = self.call(
            Method::POST,
            &[id, "regenerate"],
            &[],
            None,
            Idempotency::Once,
        )?;
        self.json(call).await
    }

    /// One of the script endpoints; `id` is needed for
    /// [`ScriptKind::Delete`] and [`ScriptKind::Edit`]. Accepts the script as
    /// `text/plain`, as a JSON string, or as a JSON object with a `script`
    /// field. Scripts are only rendered, so these POSTs may be retried.
    pub async fn script(
        &self,
        kind: ScriptKind,
        id: Option<&str>,
        payload: &IntegrationPayload,
    ) -> Result<String, ClientError> {
        let mut segments: Vec<&str> = Vec::with_capacity(3);
        match (kind.needs_id(), id) {
            (true, Some(id)) => segments.push(id),
            (true, None) => {
                return Err(ClientError::Config(format!(
                    "the {kind} script needs an integration id"
                )))
            }
            (false, _) => {}
        }
        segments.push("scripts");
        segments.push(kind.segment());
        let body = encode(payload)?;
        let mut call = self.call(Method::POST, &segments, &[], Some(body), Idempotency::Safe)?;
        call.accept = SCRIPT_ACCEPT;
        let label = call.label.clone();
        let answer = self.execute(call).await?;
        read_script(&label, answer.content_type.as_deref(), &answer.body)
    }

    /// Builds the URL `<base>/integrations/<segments...>?<query>`; each
    /// segment is percent-encoded, so an id cannot change the path.
    fn call(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<Vec<u8>>,
        idempotency: Idempotency,
    ) -> Result<Call, ClientError> {
        let mut url = self.inner.base.clone();
        {
            let mut path = url
                .path_segments_mut()
                .map_err(|()| ClientError::Config("the Immuta URL cannot take a path".into()))?;
            path.pop_if_empty().push("integrations");
            for s in segments {
                if s.is_empty() {
                    return Err(ClientError::Config("an integration id is empty".into()));
                }
                path.push(s);
            }
        }
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

    async fn json<T: DeserializeOwned>(&self, call: Call) -> Result<T, ClientError> {
        let label = call.label.clone();
        let answer = self.execute(call).await?;
        decode(&label, &answer.body)
    }

    /// Races `fut` against this client's cancellation token.
    async fn cancellable<T>(
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
    async fn execute(&self, call: Call) -> Result<Answer, ClientError> {
        let policy = &self.inner.retry;
        let mut retries = 0u32;
        loop {
            let (error, headers) = match self.send_once(&call, retries + 1).await {
                Ok(answer) => return Ok(answer),
                Err(Failure::Cancelled) => return Err(ClientError::Cancelled),
                Err(Failure::Failed(error, headers)) => (error, headers),
            };
            let may_retry = call.idempotency == Idempotency::Safe
                && error.is_transient()
                && retries < policy.max_retries;
            if !may_retry {
                return Err(error);
            }
            retries += 1;
            let delay = policy.delay_for(retries, headers.as_ref());
            tracing::debug!(
                request = %call.label,
                retry = retries,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                reason = %error,
                "retrying immuta request"
            );
            self.sleep(delay).await?;
        }
    }

    /// Whether this client's cancellation token has fired.
    fn is_cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(CancellationToken::is_cancelled)
    }

    /// Sleeps, unless cancelled first.
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
    async fn send_once(&self, call: &Call, attempt: u32) -> Result<Answer, Failure> {
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
                    return Ok(Answer { content_type, body });
                }
                let error = if status.is_redirection() {
                    redirect_error(status.as_u16(), &headers)
                } else {
                    ClientError::from_answer(status.as_u16(), &body)
                };
                Err(Failure::Failed(error, Some(headers)))
            }
            Attempt::Failed(error) => {
                tracing::debug!(
                    request = %call.label,
                    elapsed_ms,
                    attempt,
                    error = %error,
                    "immuta request failed"
                );
                Err(Failure::Failed(error, None))
            }
        }
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

    /// A real create, sent again only once Immuta is known not to have made
    /// it. See [`ImmutaClient::create`].
    async fn create_guarded(
        &self,
        payload: &IntegrationPayload,
    ) -> Result<OperationResponse, ClientError> {
        let body = encode(payload)?;
        let ty = payload.integration_type.clone();
        let identity = Identity::of_payload(payload);
        // Creates that nothing names are made one at a time by this client,
        // so that a lost one can be found by elimination.
        let _one_at_a_time = match identity {
            Some(_) => None,
            None => Some(
                self.cancellable(async { Ok(self.inner.unnamed_creates.lock().await) })
                    .await?,
            ),
        };
        let before: HashSet<IntegrationId> = self
            .list()
            .await?
            .into_iter()
            .filter(|i| i.integration_type == ty)
            .map(|i| i.id)
            .collect();
        let sure = self.uncancelled();
        let policy = &self.inner.retry;
        let mut sends = 0u32;
        loop {
            // Cancelled before a send: every earlier send was looked up and
            // found not to have made anything.
            if self.is_cancelled() {
                return Err(ClientError::Cancelled);
            }
            let call = self.call(
                Method::POST,
                &[],
                &[],
                Some(body.clone()),
                Idempotency::Once,
            )?;
            sends += 1;
            let (error, headers) = match sure.send_once(&call, sends).await {
                Ok(answer) => return decode(&call.label, &answer.body),
                Err(Failure::Cancelled) => return Err(ClientError::Cancelled),
                Err(Failure::Failed(error, headers)) => (error, headers),
            };
            let may_have_been_made = match &error {
                // No connection: nothing was sent.
                ClientError::Transport {
                    kind: crate::error::TransportKind::Connect,
                    ..
                } => false,
                ClientError::Transport { .. } => true,
                e if e.is_transient() => true,
                // A conflict after an earlier uncertain send: maybe with
                // the integration that send made.
                e if e.status() == Some(409) && sends > 1 => true,
                _ => return Err(error),
            };
            if may_have_been_made {
                match sure.find_created(&ty, identity.as_ref(), &before).await {
                    Ok(Found::One(made)) => {
                        tracing::info!(
                            request = %call.label,
                            id = %made.id,
                            reason = %error,
                            "the create's answer was lost but Immuta made the integration: using it"
                        );
                        return Ok(OperationResponse {
                            id: Some(made.id),
                            status: Some(made.status),
                            validation_results: made.validation_results,
                        });
                    }
                    Ok(Found::Several(ids)) => {
                        return Err(ClientError::CreateUncertain {
                            integration_type: ty.as_str().to_string(),
                            detail: format!(
                                "{error}; several new integrations of this type appeared meanwhile"
                            ),
                            candidates: ids,
                        })
                    }
                    Ok(Found::None) => {}
                    Err(lookup) => {
                        return Err(ClientError::CreateUncertain {
                            integration_type: ty.as_str().to_string(),
                            detail: format!("{error}; then the look-up failed: {lookup}"),
                            candidates: Vec::new(),
                        })
                    }
                }
            }
            if error.status() == Some(409) || sends > policy.max_retries {
                return Err(error);
            }
            let delay = policy.delay_for(sends, headers.as_ref());
            tracing::debug!(
                request = %call.label,
                retry = sends,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                reason = %error,
                "the create was not made: sending it again"
            );
            self.sleep(delay).await?;
        }
    }

    /// The integrations of type `ty`, not in `before`, on the target
    /// `identity` names (any, when it names none).
    async fn find_created(
        &self,
        ty: &IntegrationType,
        identity: Option<&Identity>,
        before: &HashSet<IntegrationId>,
    ) -> Result<Found, ClientError> {
        let mut fresh: Vec<Integration> = self
            .list()
            .await?
            .into_iter()
            .filter(|i| &i.integration_type == ty && !before.contains(&i.id))
            .filter(|i| identity.is_none_or(|me| me.matches(i)))
            .collect();
        Ok(match fresh.len() {
            0 => Found::None,
            1 => Found::One(Box::new(fresh.remove(0))),
            _ => Found::Several(fresh.into_iter().map(|i| i.id.0).collect()),
        })
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
                return Attempt::Failed(ClientError::from_reqwest(
                    &call.target,
                    &e,
                    inner.request_timeout,
                ))
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
            return Attempt::Failed(too_large());
        }
        let mut body: Vec<u8> = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len().saturating_add(chunk.len()) > limit {
                        return Attempt::Failed(too_large());
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    return Attempt::Failed(ClientError::from_reqwest(
                        &call.target,
                        &e,
                        inner.request_timeout,
                    ))
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

/// Serializes a request body. Only the kind of failure is kept: the
/// serializer's message could quote a value, and bodies hold secrets.
fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, ClientError> {
    serde_json::to_vec(value).map_err(|e| ClientError::Decode {
        what: "the request body".into(),
        detail: format!("it cannot be written as JSON ({:?} error)", e.classify()),
    })
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

/// Reads a JSON answer.
fn decode<T: DeserializeOwned>(label: &str, body: &[u8]) -> Result<T, ClientError> {
    serde_json::from_slice(body).map_err(|e| ClientError::Decode {
        what: label.to_string(),
        detail: e.to_string(),
    })
}

/// Reads a script answer: `text/plain`, a JSON string, or `{"script": ...}`.
fn read_script(
    label: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<String, ClientError> {
    let decode_err = |detail: String| ClientError::Decode {
        what: label.to_string(),
        detail,
    };
    let mime = content_type
        .and_then(|c| c.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase());
    let is_json = match mime.as_deref() {
        Some(m) => m == JSON || m.ends_with("+json"),
        // No content type: JSON if it reads as JSON, text otherwise.
        None => serde_json::from_slice::<serde_json::Value>(body).is_ok(),
    };
    if !is_json {
        return String::from_utf8(body.to_vec())
            .map_err(|_| decode_err("the script is not valid UTF-8 text".into()));
    }
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| decode_err(e.to_string()))?;
    match value {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Object(mut map) => match map.remove("script") {
            Some(serde_json::Value::String(s)) => Ok(s),
            Some(_) => Err(decode_err("the `script` field is not a string".into())),
            None => Err(decode_err("the JSON answer has no `script` field".into())),
        },
        _ => Err(decode_err(
            "expected the script as text, a JSON string or an object with `script`".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_answers_in_every_accepted_form() {
        let l = "POST /integrations/scripts/create";
        assert_eq!(
            read_script(l, Some("text/plain; charset=utf-8"), b"GRANT x;").unwrap(),
            "GRANT x;"
        );
        assert_eq!(
            read_script(l, Some("application/json"), br#""GRANT y;""#).unwrap(),
            "GRANT y;"
        );
        assert_eq!(
            read_script(
                l,
                Some("application/json; charset=utf-8"),
                br#"{"script":"GRANT z;","other":1}"#
            )
            .unwrap(),
            "GRANT z;"
        );
        assert_eq!(read_script(l, None, br#"{"script":"A"}"#).unwrap(), "A");
        assert_eq!(
            read_script(l, None, b"CREATE ROLE r;").unwrap(),
            "CREATE ROLE r;"
        );
        for (ct, body) in [
            (Some("application/json"), &br#"{"nope":1}"#[..]),
            (Some("application/json"), &b"[1]"[..]),
            (Some("application/json"), &b"{not json"[..]),
            (Some("text/plain"), &b"\xff\xfe"[..]),
        ] {
            let e = read_script(l, ct, body).unwrap_err();
            assert!(matches!(e, ClientError::Decode { .. }), "{e:?}");
        }
    }

    #[test]
    fn ids_are_path_segments_not_paths() {
        let c = ImmutaClient::new(ClientConfig::new("https://h/prefix/", "k")).unwrap();
        let call = c
            .call(
                Method::GET,
                &["../5?x", "status"],
                &[],
                None,
                Idempotency::Safe,
            )
            .unwrap();
        assert_eq!(
            call.url.as_str(),
            "https://h/prefix/integrations/..%2F5%3Fx/status"
        );
        let call = c
            .call(
                Method::DELETE,
                &["7"],
                &[("dryRun", "true"), ("forceDisable", "true")],
                None,
                Idempotency::Safe,
            )
            .unwrap();
        assert_eq!(
            call.label,
            "DELETE /prefix/integrations/7?dryRun=true&forceDisable=true"
        );
        assert!(c
            .call(Method::GET, &[""], &[], None, Idempotency::Safe)
            .is_err());
    }

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
        assert!(matches!(
            ImmutaClient::new(cfg.clone()),
            Err(ClientError::Config(_))
        ));
        cfg.extra_ca_pem =
            Some(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".to_vec());
        let e = ImmutaClient::new(cfg.clone()).unwrap_err();
        assert!(e.to_string().contains("extra CA"), "{e}");
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

/// Property-based fuzzing of answer parsing: hostile or malformed bodies
/// give `Decode` errors, never a panic. `FUZZ_CASES` sets the number of
/// cases per property (default 2000).
#[cfg(test)]
mod fuzz {
    use super::{decode, read_script};
    use crate::error::ClientError;
    use immuta_api::{Integration, OperationResponse};
    use proptest::prelude::*;

    fn config() -> ProptestConfig {
        ProptestConfig {
            cases: std::env::var("FUZZ_CASES")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(2000),
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    }

    /// JSON documents shaped like Immuta's answers, with wrong types mixed in.
    fn arb_json() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value as J;
        let leaf = prop_oneof![
            Just(J::Null),
            any::<bool>().prop_map(J::Bool),
            any::<i64>().prop_map(J::from),
            any::<f64>().prop_map(J::from),
            prop_oneof![
                Just("Snowflake".to_string()),
                Just("Trino".to_string()),
                Just("enabled".to_string()),
                Just("<REDACTED>".to_string()),
                ".{0,8}",
            ]
            .prop_map(J::String),
        ];
        let key = prop_oneof![
            Just("id".to_string()),
            Just("type".to_string()),
            Just("status".to_string()),
            Just("config".to_string()),
            Just("autoBootstrap".to_string()),
            Just("validationResults".to_string()),
            Just("validationTests".to_string()),
            Just("name".to_string()),
            Just("port".to_string()),
            Just("script".to_string()),
            "[a-zA-Z]{1,6}",
        ];
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(J::Array),
                proptest::collection::btree_map(key.clone(), inner, 0..6)
                    .prop_map(|m| J::Object(m.into_iter().collect())),
            ]
        })
    }

    fn is_decode(e: &ClientError) -> bool {
        matches!(e, ClientError::Decode { .. })
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn random_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
            if let Err(e) = decode::<Vec<Integration>>("list", &body) { prop_assert!(is_decode(&e)); }
            if let Err(e) = decode::<Integration>("get", &body) { prop_assert!(is_decode(&e)); }
            if let Err(e) = decode::<OperationResponse>("create", &body) { prop_assert!(is_decode(&e)); }
            for ct in [None, Some("application/json"), Some("text/plain; charset=utf-8")] {
                if let Err(e) = read_script("script", ct, &body) { prop_assert!(is_decode(&e)); }
            }
        }

        #[test]
        fn hostile_json_never_panics(doc in arb_json()) {
            let body = serde_json::to_vec(&doc).expect("serialize");
            if let Err(e) = decode::<Vec<Integration>>("list", &body) { prop_assert!(is_decode(&e)); }
            if let Err(e) = decode::<Integration>("get", &body) { prop_assert!(is_decode(&e)); }
            if let Err(e) = decode::<OperationResponse>("create", &body) { prop_assert!(is_decode(&e)); }
            if let Err(e) = read_script("script", Some("application/json"), &body) { prop_assert!(is_decode(&e)); }
        }
    }

    #[test]
    fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
        let depth = 100_000;
        let body = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let err = decode::<Vec<Integration>>("list", body.as_bytes()).unwrap_err();
        assert!(is_decode(&err));
        let obj = format!("{}1{}", "{\"config\":".repeat(depth), "}".repeat(depth));
        assert!(decode::<Integration>("get", obj.as_bytes()).is_err());
    }
}
