//! [`ImmutaClient`]: one method per `/integrations` endpoint, all going
//! through one private request path (`execute`) that applies the
//! key, the body bound, logging, retries and cancellation; and
//! [`IntegrationList`], what the list answers, read element by element.

use crate::config::{parse_base_url, ClientConfig, RetryPolicy};
use crate::error::{error_chain, ClientError};
use crate::identity::Identity;
use crate::retry::{Budget, Idempotency, Transient};
use crate::wait::{WaitError, WaitOutcome, WaitTarget};
use immuta_api::{
    DeleteCredentials, Integration, IntegrationId, IntegrationPayload, IntegrationStatus,
    IntegrationType, OperationResponse, ScriptKind, StatusResponse,
};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
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

/// What `GET /integrations` answered, read element by element: an element
/// whose JSON does not fit [`Integration`] (a field of a shape this version
/// does not expect, a required field missing) is set aside in `skipped`
/// instead of failing the whole list.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IntegrationList {
    /// The integrations that were read, in Immuta's order.
    pub integrations: Vec<Integration>,
    /// The elements that could not be read, in Immuta's order.
    pub skipped: Vec<SkippedIntegration>,
}

impl IntegrationList {
    /// Whether every element was read.
    pub fn is_complete(&self) -> bool {
        self.skipped.is_empty()
    }
}

/// An element of `GET /integrations` that does not fit [`Integration`]. It
/// keeps what names it (its id, type and status, when they are strings, or
/// numbers for the id) and why it was left out, never its content: a config
/// may hold secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedIntegration {
    /// Its `id`, when it has a string or number one.
    pub id: Option<IntegrationId>,
    /// Its `type`, when it has a string one.
    pub integration_type: Option<IntegrationType>,
    /// Its `status`, when it has a string one.
    pub status: Option<IntegrationStatus>,
    /// Why it could not be read.
    pub reason: SkipReason,
}

impl SkippedIntegration {
    /// Whether it may be an integration of type `ty`: its type is `ty` or
    /// could not be told.
    pub fn may_be_of_type(&self, ty: &IntegrationType) -> bool {
        self.integration_type.as_ref().is_none_or(|t| t == ty)
    }

    /// Reads what names an element that did not fit [`Integration`], and
    /// why (`error` is what the parser said).
    fn of(element: &serde_json::Value, error: &serde_json::Error) -> Self {
        use serde_json::Value as J;
        let Some(object) = element.as_object() else {
            return SkippedIntegration {
                id: None,
                integration_type: None,
                status: None,
                reason: SkipReason::NotAnObject {
                    kind: json_kind(element),
                },
            };
        };
        let text = |key: &str| object.get(key).and_then(J::as_str);
        let id = match object.get("id") {
            Some(J::String(s)) => Some(IntegrationId(s.clone())),
            Some(J::Number(n)) => Some(IntegrationId(n.to_string())),
            _ => None,
        };
        SkippedIntegration {
            id,
            integration_type: text("type").map(IntegrationType::from),
            status: text("status").map(IntegrationStatus::from),
            reason: SkipReason::DoesNotFit {
                detail: without_values(&error.to_string()),
            },
        }
    }
}

impl std::fmt::Display for SkippedIntegration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.id {
            Some(id) => write!(f, "integration {id}")?,
            None => f.write_str("an integration without an id")?,
        }
        if let Some(t) = &self.integration_type {
            write!(f, " ({t})")?;
        }
        write!(f, " could not be read: {}", self.reason)
    }
}

/// Why an element of `GET /integrations` was left out.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SkipReason {
    /// The element is not a JSON object.
    #[error("it is {kind}, not a JSON object")]
    NotAnObject {
        /// What it is instead, e.g. `an array`.
        kind: &'static str,
    },
    /// An object that does not fit the model.
    #[error("{detail}")]
    DoesNotFit {
        /// What the parser said, without the values it quoted, e.g.
        /// `config: invalid type: map, expected a string`.
        detail: String,
    },
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
    status: u16,
    content_type: Option<String>,
    body: Vec<u8>,
}

impl Answer {
    /// `result`, the reading of this answer, unless the body is not JSON at
    /// all: then [`ClientError::NotJson`], which says what answered instead.
    fn or_not_json<T>(
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
enum Failure {
    /// Cancelled before or while it was sent.
    Cancelled,
    /// It failed; the answer's headers when an answer (a status line)
    /// arrived, `None` when the connection failed or ended before one.
    Failed(ClientError, Option<HeaderMap>),
}

/// How a failed try may be retried: see [`Transient::of`].
fn transient(error: &ClientError, headers: Option<&HeaderMap>) -> Option<Transient> {
    Transient::of(error, headers.is_some())
}

/// A send of a change that got no 2xx answer: see
/// [`ImmutaClient::send_change`].
struct Unanswered {
    /// The request's label, for logs.
    label: String,
    error: ClientError,
    headers: Option<HeaderMap>,
    /// Whether Immuta may have made the change all the same.
    unclear: bool,
}

/// The integrations known to have existed before a create's POST, to tell
/// the elements that are new after it: one snapshot per client (so per
/// provider process), read by the first create, and refreshed by each
/// look-up after an unclear create. A create takes the snapshot current
/// when it starts, so everything in it existed before its POST was sent.
#[derive(Default)]
struct Known {
    /// The ids of every element, read or skipped, of any type.
    ids: HashSet<IntegrationId>,
    /// The type of each skipped element without an id, when it has a string
    /// one.
    unnamed: Vec<Option<IntegrationType>>,
}

impl Known {
    /// Reads the list answer. Only each element's id and type are read (the
    /// rest is skipped over, not parsed), since the list grows with the
    /// tenant. What it keeps is what [`IntegrationList`] would give: an
    /// element without a string or number id is one [`ImmutaClient::list`]
    /// skips.
    fn read(label: &str, body: &[u8]) -> Result<Self, ClientError> {
        let mut known = Known::default();
        for raw in raw_elements(label, body)? {
            let head = serde_json::from_str::<Head>(raw.get()).unwrap_or_default();
            match head.id() {
                Some(id) => {
                    known.ids.insert(id);
                }
                None => known.unnamed.push(head.string_type()),
            }
        }
        Ok(known)
    }

    /// This snapshot with what `list` (read later) holds: its ids added,
    /// its unnamed elements in place of the old ones.
    fn with(&self, list: &IntegrationList) -> Self {
        let mut ids = self.ids.clone();
        ids.extend(list.integrations.iter().map(|i| i.id.clone()));
        ids.extend(list.skipped.iter().filter_map(|s| s.id.clone()));
        let unnamed = list
            .skipped
            .iter()
            .filter(|s| s.id.is_none())
            .map(|s| s.integration_type.clone())
            .collect();
        Known { ids, unnamed }
    }

    /// How many skipped elements without an id may be of type `ty`.
    fn unnamed_of(&self, ty: &IntegrationType) -> usize {
        self.unnamed
            .iter()
            .filter(|t| t.as_ref().is_none_or(|t| t == ty))
            .count()
    }
}

/// What names an element of the list: its `id` and `type`, whatever their
/// JSON kind; the element's other fields are skipped over unparsed.
#[derive(Default, Deserialize)]
struct Head {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default, rename = "type")]
    integration_type: Option<serde_json::Value>,
}

impl Head {
    /// Its id, when it is a string or a number (as [`SkippedIntegration`]
    /// names an element).
    fn id(&self) -> Option<IntegrationId> {
        match self.id.as_ref()? {
            serde_json::Value::String(s) => Some(IntegrationId(s.clone())),
            serde_json::Value::Number(n) => Some(IntegrationId(n.to_string())),
            _ => None,
        }
    }

    /// Its type, when it is a string.
    fn string_type(&self) -> Option<IntegrationType> {
        self.integration_type
            .as_ref()
            .and_then(|t| t.as_str())
            .map(IntegrationType::from)
    }
}

/// How many skipped elements of `list` have no id and may be of type `ty`.
fn unnamed_skipped(list: &IntegrationList, ty: &IntegrationType) -> usize {
    list.skipped
        .iter()
        .filter(|s| s.id.is_none() && s.may_be_of_type(ty))
        .count()
}

/// What a look-up after an uncertain create found.
enum Found {
    /// Nothing new on the target: the create was not made.
    None,
    /// The integration the create made.
    One(Box<Integration>),
    /// Several candidates (their ids): which one is ours cannot be told.
    Several(Vec<String>),
    /// New elements that could not be read, any of which may be the
    /// create: the ids of the candidates, read or not, and how many of the
    /// unread ones have no id.
    Unreadable {
        candidates: Vec<String>,
        unread: usize,
        unnamed: usize,
    },
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

    /// `GET /integrations`: every integration. The answer must be a JSON
    /// array (else [`ClientError::Decode`]); each element is read on its
    /// own, and one that does not fit [`Integration`] is returned in
    /// [`IntegrationList::skipped`] (its id and why, never its content)
    /// rather than failing the others.
    pub async fn list(&self) -> Result<IntegrationList, ClientError> {
        let call = self.list_call()?;
        let label = call.label.clone();
        let list = self.read(call, read_list).await?;
        for skipped in &list.skipped {
            tracing::warn!(request = %label, "{skipped}; it is left out of the list");
        }
        Ok(list)
    }

    /// `GET /integrations/{id}`: one integration. A missing one is an error
    /// for which [`ClientError::is_not_found`] holds.
    pub async fn get(&self, id: &str) -> Result<Integration, ClientError> {
        let call = self.call(Method::GET, Some(id), &[], &[], None, Idempotency::Safe)?;
        self.json(call).await
    }

    /// `POST /integrations[?dryRun=true]`: creates an integration (answers
    /// `status: creating`), or with `dry_run` only validates the payload
    /// (retried like a GET).
    ///
    /// A real create is never sent twice blindly. The client keeps one
    /// snapshot of the integrations that exist, listed by its first create
    /// (one `GET /integrations` per client, so per provider process, however
    /// many creates follow). When a POST ends without a clear answer (the
    /// connection broke or timed out after sending, or `429`/`5xx`), the
    /// create lists them again: an integration that is neither in the
    /// snapshot it started with nor made by another create of this client,
    /// and that is on the same target (Snowflake host, Databricks workspace,
    /// Redshift/Synapse host and database, S3 name or location path,
    /// BigQuery dataset and location) is the one it made, and is returned
    /// as the create's answer. If there is none, the POST is sent again
    /// (within the [`RetryPolicy`]); a `409` on such a second send is looked
    /// up the same way. Types without such fields (Trino) are created one
    /// at a time by a client, so the one new integration of that type is
    /// the one it made; two or more give [`ClientError::CreateUncertain`].
    /// An element of the list that cannot be read (see
    /// [`ImmutaClient::list`]) cannot be matched: when the look-up after the
    /// POST finds one that was not in the list before and may be of this
    /// type (by id; by count for those without an id), it may be the one
    /// made, so the POST is not sent again and the create ends with
    /// [`ClientError::CreateUncertain`], unless exactly one readable new
    /// integration is on the create's target, which is then taken as before.
    /// The POST and the look-up after it are not abandoned on
    /// cancellation, so what Immuta made is not lost. The list that look-up
    /// reads refreshes the snapshot for the creates that start after it.
    ///
    /// What the snapshot cannot tell: an integration someone else (another
    /// Terraform run, a person) made after it was read, on this create's
    /// target (or of its type, for Trino), looks new. It is taken for this
    /// create's only if this create's own POST then got no clear answer and
    /// made nothing; on a named target Immuta would have refused that POST
    /// with a `409`, so it takes a `409` lost on the way as well.
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
            None,
            &[],
            &[("dryRun", "true")],
            Some(body),
            Idempotency::Safe,
        )?;
        self.json(call).await
    }

    /// `PUT /integrations/{id}[?dryRun=true]`: updates an integration
    /// (answers `status: editing`), or with `dry_run` only validates.
    ///
    /// A real update is not sent again blindly. When a PUT ends without a
    /// clear answer (the connection broke or timed out after it was sent,
    /// a `5xx`), Immuta may have applied it and be `editing`, and would
    /// answer a second PUT `409`. So the client waits for the integration
    /// to leave `editing` (the status waiter, within the retry budget),
    /// reads it back, and returns success (the status it reached) if it
    /// holds what was sent, ignoring fields Immuta redacts or leaves out;
    /// only otherwise is the PUT sent again (within the [`RetryPolicy`]). A
    /// `409` on such a second send is looked at the same way. A `429` or a
    /// connection that never opened means nothing was applied: the PUT is
    /// sent again after the usual pause.
    pub async fn update(
        &self,
        id: &str,
        payload: &IntegrationPayload,
        dry_run: bool,
    ) -> Result<OperationResponse, ClientError> {
        let body = encode(payload)?;
        if !dry_run {
            return self.update_guarded(id, body).await;
        }
        let call = self.call(
            Method::PUT,
            Some(id),
            &[],
            &[("dryRun", "true")],
            Some(body),
            Idempotency::Safe,
        )?;
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
        let call = self.call(
            Method::DELETE,
            Some(id),
            &[],
            &query,
            body,
            Idempotency::Safe,
        )?;
        let answer = self.execute(&call).await?;
        if answer.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(OperationResponse {
                id: Some(id.into()),
                status: Some(immuta_api::IntegrationStatus::Deleting),
                validation_results: None,
                config: None,
            });
        }
        answer.or_not_json(&call, decode(&call.label, &answer.body))
    }

    /// `GET /integrations/{id}/status`.
    pub async fn status(&self, id: &str) -> Result<StatusResponse, ClientError> {
        let call = self.call(
            Method::GET,
            Some(id),
            &["status"],
            &[],
            None,
            Idempotency::Safe,
        )?;
        self.json(call).await
    }

    /// `POST /integrations/{id}/regenerate`: a new Immuta API key for the
    /// integration (Trino); the answer's config carries it. Never retried.
    pub async fn regenerate(&self, id: &str) -> Result<Integration, ClientError> {
        let call = self.call(
            Method::POST,
            Some(id),
            &["regenerate"],
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
        let id = match (kind.needs_id(), id) {
            (true, Some(id)) => Some(id),
            (true, None) => {
                return Err(ClientError::Config(format!(
                    "the {kind} script needs an integration id"
                )))
            }
            (false, _) => None,
        };
        let body = encode(payload)?;
        let rest = ["scripts", kind.segment()];
        let mut call = self.call(Method::POST, id, &rest, &[], Some(body), Idempotency::Safe)?;
        call.accept = SCRIPT_ACCEPT;
        let answer = self.execute(&call).await?;
        read_script(&call.label, answer.content_type.as_deref(), &answer.body)
    }

    /// Builds the URL `<base>/integrations[/<id>]/<rest...>?<query>`. The
    /// id must be one Immuta issues ([`check_id`]): an id that the URL
    /// library would change (`..`, a tab, `a/b`, `%2e`) is refused here,
    /// before any request.
    fn call(
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
        let mut url = self.inner.base.clone();
        url.path_segments_mut()
            .map_err(|()| ClientError::Config("the Immuta URL cannot take a path".into()))?
            .pop_if_empty()
            .push("integrations")
            .extend(id)
            .extend(rest);
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
    fn list_call(&self) -> Result<Call, ClientError> {
        self.call(Method::GET, None, &[], &[], None, Idempotency::Safe)
    }

    /// Makes `call` and reads its answer's body with `parse` (given the
    /// call's label, for errors).
    async fn read<T>(
        &self,
        call: Call,
        parse: impl FnOnce(&str, &[u8]) -> Result<T, ClientError>,
    ) -> Result<T, ClientError> {
        let answer = self.execute(&call).await?;
        answer.or_not_json(&call, parse(&call.label, &answer.body))
    }

    async fn json<T: DeserializeOwned>(&self, call: Call) -> Result<T, ClientError> {
        self.read(call, |label, body| decode(label, body)).await
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
    async fn execute(&self, call: &Call) -> Result<Answer, ClientError> {
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
    fn is_cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(CancellationToken::is_cancelled)
    }

    /// The pause `delay` before retry `retry` of request `label`, logged
    /// with why it is made again; it ends early, with
    /// [`ClientError::Cancelled`], when the client is cancelled.
    async fn back_off(
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
        let before = self.known().await?;
        let sure = self.uncancelled();
        let mut budget = Budget::start(&self.inner.retry);
        let mut sends = 0u32;
        loop {
            // Cancelled before a send: every earlier send was looked up and
            // found not to have made anything.
            if self.is_cancelled() {
                return Err(ClientError::Cancelled);
            }
            sends += 1;
            let Unanswered {
                label,
                error,
                headers,
                unclear: may_have_been_made,
            } = match sure.send_change(Method::POST, None, &body, sends).await? {
                Ok(answer) => {
                    if let Some(id) = &answer.id {
                        self.made(id.clone());
                    }
                    return Ok(answer);
                }
                Err(failed) => failed,
            };
            if may_have_been_made {
                match sure.find_created(&ty, identity.as_ref(), &before).await {
                    Ok(Found::One(made)) => {
                        self.made(made.id.clone());
                        tracing::info!(
                            request = %label,
                            id = %made.id,
                            reason = %error,
                            "the create's answer was lost but Immuta made the integration: using it"
                        );
                        return Ok(OperationResponse {
                            id: Some(made.id),
                            status: Some(made.status),
                            validation_results: made.validation_results,
                            config: None,
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
                    Ok(Found::Unreadable {
                        candidates,
                        unread,
                        unnamed,
                    }) => {
                        let without_id = match unnamed {
                            0 => String::new(),
                            n => format!(", {n} of them without an id"),
                        };
                        return Err(ClientError::CreateUncertain {
                            integration_type: ty.as_str().to_string(),
                            detail: format!(
                                "{error}; then the look-up found {unread} new integration(s) \
                                 that could not be read{without_id}, and any of them may be it"
                            ),
                            candidates,
                        });
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
            // A 409 here was looked up and is not ours: it is the answer.
            let kind = transient(&error, headers.as_ref());
            let what = "the create was not made: sending it again";
            self.resend_pause(&mut budget, kind, &label, error, headers, what)
                .await?;
        }
    }

    /// The snapshot of what exists, listed by the first create of this
    /// client (so at most one list per client, plus one per unclear
    /// create). Everything in it existed before the POST of a create that
    /// takes it.
    async fn known(&self) -> Result<Arc<Known>, ClientError> {
        let mut known = self
            .cancellable(async { Ok(self.inner.known.lock().await) })
            .await?;
        if let Some(k) = known.as_ref() {
            return Ok(Arc::clone(k));
        }
        let read = Arc::new(self.read(self.list_call()?, Known::read).await?);
        *known = Some(Arc::clone(&read));
        Ok(read)
    }

    /// Adds what a look-up's `list` holds to the snapshot, for the creates
    /// that start after it.
    async fn learn(&self, list: &IntegrationList) {
        let mut known = self.inner.known.lock().await;
        let next = known
            .as_deref()
            .map_or_else(|| Known::default().with(list), |k| k.with(list));
        *known = Some(Arc::new(next));
    }

    /// Records `id` as made by one of this client's creates.
    fn made(&self, id: IntegrationId) {
        self.inner
            .made
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(id);
    }

    /// Whether `id` was there before (in `before`) or made by another of
    /// this client's creates.
    fn not_new(&self, before: &Known, id: &IntegrationId) -> bool {
        before.ids.contains(id)
            || self
                .inner
                .made
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .contains(id)
    }

    /// The pause before a change that failed with `error` (a retry of
    /// `kind`) is sent again; `error` itself when `budget` allows no
    /// retry of that kind, or none at all.
    async fn resend_pause(
        &self,
        budget: &mut Budget<'_>,
        kind: Option<Transient>,
        label: &str,
        error: ClientError,
        headers: Option<HeaderMap>,
        what: &str,
    ) -> Result<(), ClientError> {
        let Some(delay) = kind.and_then(|kind| budget.next(kind, headers.as_ref())) else {
            return Err(error);
        };
        self.back_off(label, budget.retries(), delay, &error, what)
            .await
    }

    /// Sends a change that is not blindly retried (a create's POST, an
    /// update's PUT) once, as try number `sends`: its answer, or why it
    /// failed and whether it may have been made all the same. A failure
    /// that settles it (`400`, `401`, a first `409`...) is the error.
    async fn send_change(
        &self,
        method: Method,
        id: Option<&str>,
        body: &[u8],
        sends: u32,
    ) -> Result<Result<OperationResponse, Unanswered>, ClientError> {
        let call = self.call(method, id, &[], &[], Some(body.to_vec()), Idempotency::Once)?;
        let (error, headers) = match self.send_once(&call, sends).await {
            Ok(answer) => {
                return answer
                    .or_not_json(&call, decode(&call.label, &answer.body))
                    .map(Ok)
            }
            Err(Failure::Cancelled) => return Err(ClientError::Cancelled),
            Err(Failure::Failed(error, headers)) => (error, headers),
        };
        let unclear = match &error {
            // No connection: nothing was sent.
            ClientError::Transport {
                kind: crate::error::TransportKind::Connect,
                ..
            } => false,
            ClientError::Transport { .. } => true,
            e if e.is_transient() => true,
            // A conflict after an earlier unclear send: maybe with what
            // that send made (a create), or because it is being applied
            // (an update: `is editing`).
            e if e.status() == Some(409) && sends > 1 => true,
            _ => return Err(error),
        };
        Ok(Err(Unanswered {
            label: call.label,
            error,
            headers,
            unclear,
        }))
    }

    /// A real update, sent again only once Immuta is known not to hold it.
    /// See [`ImmutaClient::update`].
    async fn update_guarded(
        &self,
        id: &str,
        body: Vec<u8>,
    ) -> Result<OperationResponse, ClientError> {
        let sent: serde_json::Value = decode("the request body", &body)?;
        let mut budget = Budget::start(&self.inner.retry);
        let mut sends = 0u32;
        loop {
            sends += 1;
            let Unanswered {
                label,
                error,
                headers,
                unclear,
            } = match self
                .send_change(Method::PUT, Some(id), &body, sends)
                .await?
            {
                Ok(answer) => return Ok(answer),
                Err(failed) => failed,
            };
            if unclear {
                match self.applied(id, &sent).await {
                    Ok(Some(done)) => {
                        tracing::info!(
                            request = %label,
                            reason = %error,
                            "the update's answer was lost but Immuta holds it"
                        );
                        return Ok(done);
                    }
                    Ok(None) => {}
                    Err(ClientError::Cancelled) => return Err(ClientError::Cancelled),
                    Err(lookup) => {
                        tracing::debug!(
                            request = %label,
                            error = %lookup,
                            "could not tell whether the update was applied"
                        );
                        return Err(error);
                    }
                }
            }
            // Not applied: send it again, a 409 counting as a failing answer.
            let kind = match transient(&error, headers.as_ref()) {
                None if error.status() == Some(409) => Some(Transient::Failing),
                kind => kind,
            };
            let what = "the update was not applied: sending it again";
            self.resend_pause(&mut budget, kind, &label, error, headers, what)
                .await?;
        }
    }

    /// After an unclear PUT of `sent` to integration `id`: waits for it to
    /// leave `editing`, reads it, and gives what the PUT would have answered
    /// if Immuta holds what was sent, `None` if it does not.
    async fn applied(
        &self,
        id: &str,
        sent: &serde_json::Value,
    ) -> Result<Option<OperationResponse>, ClientError> {
        let options = crate::wait::WaitOptions::new(
            self.inner.retry.max_elapsed,
            self.cancel.clone().unwrap_or_default(),
        );
        let reached = match crate::wait::wait_for(self, id, WaitTarget::Enabled, options).await {
            Ok(WaitOutcome::Enabled { status, .. }) => status,
            // Gone: sending it again gets Immuta's 404.
            Ok(WaitOutcome::Gone { .. }) | Err(WaitError::NotFound { .. }) => return Ok(None),
            Err(WaitError::Cancelled { .. }) => return Err(ClientError::Cancelled),
            // A failure status (`editError`): whether it was ours is told
            // by what Immuta holds; the caller's own wait reports it.
            Err(WaitError::Failed {
                status,
                validation_results,
                ..
            }) => OperationResponse {
                id: None,
                status: Some(status),
                validation_results,
                config: None,
            },
            Err(WaitError::Client { source, .. }) => return Err(source),
            // Timed out: only logged, the PUT's own error is returned.
            Err(other) => {
                return Err(ClientError::Decode {
                    what: format!("integration {id}'s status"),
                    detail: other.to_string(),
                })
            }
        };
        let call = self.call(Method::GET, Some(id), &[], &[], None, Idempotency::Safe)?;
        let answer: serde_json::Value = self.json(call).await?;
        if !crate::applied::holds(sent, &answer) {
            return Ok(None);
        }
        Ok(Some(OperationResponse {
            id: Some(id.into()),
            ..reached
        }))
    }

    /// The integrations of type `ty`, neither in `before` nor made by this
    /// client's other creates, on the target `identity` names (any, when it
    /// names none), and the new elements that could not be read but may be
    /// of type `ty`. The list it reads refreshes the client's snapshot.
    async fn find_created(
        &self,
        ty: &IntegrationType,
        identity: Option<&Identity>,
        before: &Known,
    ) -> Result<Found, ClientError> {
        let after = self.list().await?;
        self.learn(&after).await;
        let unnamed = unnamed_skipped(&after, ty).saturating_sub(before.unnamed_of(ty));
        let unread_ids: Vec<String> = after
            .skipped
            .iter()
            .filter(|s| s.may_be_of_type(ty))
            .filter_map(|s| s.id.as_ref())
            .filter(|id| !self.not_new(before, id))
            .map(|id| id.0.clone())
            .collect();
        let mut fresh: Vec<Integration> = after
            .integrations
            .into_iter()
            .filter(|i| &i.integration_type == ty && !self.not_new(before, &i.id))
            .filter(|i| identity.is_none_or(|me| me.matches(i)))
            .collect();
        let unread = unread_ids.len() + unnamed;
        Ok(match fresh.len() {
            // On the create's target: the unread ones are on others.
            1 if identity.is_some() || unread == 0 => Found::One(Box::new(fresh.remove(0))),
            0 if unread == 0 => Found::None,
            _ if unread == 0 => Found::Several(fresh.into_iter().map(|i| i.id.0).collect()),
            _ => Found::Unreadable {
                candidates: fresh
                    .into_iter()
                    .map(|i| i.id.0)
                    .chain(unread_ids)
                    .collect(),
                unread,
                unnamed,
            },
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

/// Reads a JSON answer (`T` may borrow from `body`). The parser's message
/// loses the values it quotes ([`without_values`]): an answer's field of an
/// unexpected type may hold a secret.
fn decode<'a, T: Deserialize<'a>>(label: &str, body: &'a [u8]) -> Result<T, ClientError> {
    serde_json::from_slice(body).map_err(|e| ClientError::Decode {
        what: label.to_string(),
        detail: without_values(&e.to_string()),
    })
}

/// The elements of a list answer, each as its unparsed JSON text. The
/// answer must be a JSON array.
fn raw_elements<'a>(
    label: &str,
    body: &'a [u8],
) -> Result<Vec<&'a serde_json::value::RawValue>, ClientError> {
    decode(label, body)
}

/// Reads the list answer: a JSON array, each element read on its own, from
/// its own text (no intermediate tree of the whole answer).
fn read_list(label: &str, body: &[u8]) -> Result<IntegrationList, ClientError> {
    let mut list = IntegrationList::default();
    for raw in raw_elements(label, body)? {
        match serde_json::from_str::<Integration>(raw.get()) {
            Ok(i) => list.integrations.push(i),
            // Rare: read it again as plain JSON, only to name it.
            Err(e) => list.skipped.push(match serde_json::from_str(raw.get()) {
                Ok(element) => SkippedIntegration::of(&element, &e),
                // Nested too deeply to read even so: nothing names it.
                Err(_) => SkippedIntegration {
                    id: None,
                    integration_type: None,
                    status: None,
                    reason: SkipReason::DoesNotFit {
                        detail: without_values(&e.to_string()),
                    },
                },
            }),
        }
    }
    Ok(list)
}

/// What a JSON value is, for [`SkipReason::NotAnObject`].
fn json_kind(value: &serde_json::Value) -> &'static str {
    use serde_json::Value as J;
    match value {
        J::Null => "null",
        J::Bool(_) => "a boolean",
        J::Number(_) => "a number",
        J::String(_) => "a string",
        J::Array(_) => "an array",
        J::Object(_) => "an object",
    }
}

/// A parser's message without the input values it quotes, so that no part
/// of a secret reaches an error or a warning: `invalid type: string
/// "hunter2", expected a boolean` becomes `invalid type: string, expected a
/// boolean`. Field names (``missing field `status` ``) are kept.
fn without_values(message: &str) -> String {
    /// serde's words before a value it quotes in backticks.
    const TICKED: [&str; 5] = [
        "integer `",
        "floating point `",
        "boolean `",
        "character `",
        "variant `",
    ];
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    'scan: while let Some(c) = rest.chars().next() {
        // A string value, in Rust's `Debug` quoting.
        if let Some(after) = rest.strip_prefix("string \"") {
            out.push_str("string");
            let mut end = after.len();
            let mut chars = after.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    _ => {}
                }
            }
            rest = &after[end..];
            continue;
        }
        for word in TICKED {
            if let Some(after) = rest.strip_prefix(word) {
                out.push_str(word.trim_end_matches(" `"));
                let end = after.find('`').map_or(after.len(), |i| i + 1);
                rest = &after[end..];
                continue 'scan;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
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
        serde_json::from_slice(body).map_err(|e| decode_err(without_values(&e.to_string())))?;
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

    const LIST: &str = "GET /integrations";

    #[test]
    fn a_list_element_that_does_not_fit_is_skipped_by_id_and_reason() {
        let body = serde_json::json!([
            {"id": "1", "type": "Trino", "status": "enabled"},
            // A config field of an unexpected shape.
            {"id": 2, "type": "Snowflake", "status": "enabled",
             "config": {"host": {"odd": "shape"}, "password": "pw-in-odd-element"}},
            // A required field missing.
            {"id": "3", "type": "Databricks", "config": {"token": "tok-in-odd-element"}},
            {"id": true, "type": 7, "status": "enabled", "autoBootstrap": "pw-in-a-bool"},
            ["not", "an", "object"],
            {"id": "6", "type": "Redshift", "status": "editError"}
        ]);
        let list = read_list(LIST, &serde_json::to_vec(&body).unwrap()).unwrap();
        let ids: Vec<&str> = list.integrations.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["1", "6"]);
        assert!(!list.is_complete());
        let skipped = &list.skipped;
        assert_eq!(skipped.len(), 4);
        assert_eq!(skipped[0].id, Some(IntegrationId::from("2")));
        assert_eq!(
            skipped[0].integration_type,
            Some(IntegrationType::Snowflake)
        );
        assert_eq!(skipped[0].status, Some(IntegrationStatus::Enabled));
        assert_eq!(
            skipped[0].reason,
            SkipReason::DoesNotFit {
                detail: "config: invalid type: map, expected a string".into()
            }
        );
        assert_eq!(
            skipped[0].to_string(),
            "integration 2 (Snowflake) could not be read: config: invalid type: map, \
             expected a string"
        );
        assert_eq!(skipped[1].id, Some(IntegrationId::from("3")));
        assert_eq!(skipped[1].status, None);
        assert!(
            skipped[1].to_string().contains("missing field `status`"),
            "{}",
            skipped[1]
        );
        assert_eq!(skipped[2].id, None);
        assert_eq!(skipped[2].integration_type, None);
        assert!(skipped[2]
            .to_string()
            .starts_with("an integration without an id could not be read: "));
        assert_eq!(
            skipped[3].reason,
            SkipReason::NotAnObject { kind: "an array" }
        );
        assert_eq!(
            skipped[3].to_string(),
            "an integration without an id could not be read: it is an array, not a JSON object"
        );
        // Nothing of the elements' content, in any output.
        let all = format!(
            "{list:?} {}",
            skipped
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        );
        for secret in [
            "pw-in-odd-element",
            "tok-in-odd-element",
            "pw-in-a-bool",
            "shape",
        ] {
            assert!(!all.contains(secret), "{secret:?} in {all}");
        }
    }

    #[test]
    fn a_list_that_is_not_an_array_is_still_an_error() {
        for body in [&b"{\"id\": \"1\"}"[..], b"[{\"id\": 1,", b"", b"null"] {
            let e = read_list(LIST, body).unwrap_err();
            assert!(
                matches!(&e, ClientError::Decode { what, .. } if what == LIST),
                "{e:?}"
            );
        }
        let empty = read_list(LIST, b"[]").unwrap();
        assert!(empty.integrations.is_empty() && empty.is_complete());
    }

    #[test]
    fn parser_messages_lose_the_values_they_quote() {
        for (input, expected) in [
            (
                r#"invalid type: string "hunter\"2, x", expected a boolean"#,
                "invalid type: string, expected a boolean",
            ),
            (
                "invalid type: integer `1234`, expected a string",
                "invalid type: integer, expected a string",
            ),
            (
                "config: invalid value: floating point `1.5`, expected u16",
                "config: invalid value: floating point, expected u16",
            ),
            (
                "invalid type: boolean `true`, expected a string",
                "invalid type: boolean, expected a string",
            ),
            (
                "unknown variant `s3cr3t`, expected `a` or `b`",
                "unknown variant, expected `a` or `b`",
            ),
            ("missing field `status`", "missing field `status`"),
            // Cut off mid-value: the rest is dropped.
            (
                r#"invalid type: string "unterminated"#,
                "invalid type: string",
            ),
            (
                "invalid type: map, expected a string",
                "invalid type: map, expected a string",
            ),
        ] {
            assert_eq!(without_values(input), expected, "{input}");
        }
        // What serde_json itself says, end to end.
        let e = serde_json::from_value::<bool>(serde_json::json!("pw-é\"\\x")).unwrap_err();
        assert_eq!(
            without_values(&e.to_string()),
            "invalid type: string, expected a boolean"
        );
    }

    #[test]
    fn a_decode_error_does_not_quote_the_answer() {
        let body = br#"{"id": "1", "type": "Snowflake", "status": "enabled",
                        "autoBootstrap": "pw-in-a-bool-9f2", "config": {"port": "tok-7c1"}}"#;
        let e = decode::<Integration>("GET /integrations/1", body).unwrap_err();
        let text = format!("{e} {e:?}");
        assert!(!text.contains("pw-in-a-bool-9f2"), "{text}");
        assert!(
            text.contains("invalid type: string, expected a boolean"),
            "{text}"
        );
        let e = decode::<OperationResponse>("PUT", br#"{"status": 12345678}"#).unwrap_err();
        assert!(!e.to_string().contains("12345678"), "{e}");
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
    use super::{decode, read_list, read_script};
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
            if let Err(e) = read_list("list", &body) { prop_assert!(is_decode(&e)); }
            if let Err(e) = decode::<Integration>("get", &body) { prop_assert!(is_decode(&e)); }
            if let Err(e) = decode::<OperationResponse>("create", &body) { prop_assert!(is_decode(&e)); }
            for ct in [None, Some("application/json"), Some("text/plain; charset=utf-8")] {
                if let Err(e) = read_script("script", ct, &body) { prop_assert!(is_decode(&e)); }
            }
        }

        #[test]
        fn hostile_json_never_panics(doc in arb_json()) {
            let body = serde_json::to_vec(&doc).expect("serialize");
            match read_list("list", &body) {
                Err(e) => prop_assert!(is_decode(&e)),
                // Every element is either read or skipped.
                Ok(l) => prop_assert_eq!(
                    l.integrations.len() + l.skipped.len(),
                    doc.as_array().map_or(0, Vec::len)
                ),
            }
            if let Err(e) = decode::<Integration>("get", &body) { prop_assert!(is_decode(&e)); }
            if let Err(e) = decode::<OperationResponse>("create", &body) { prop_assert!(is_decode(&e)); }
            if let Err(e) = read_script("script", Some("application/json"), &body) { prop_assert!(is_decode(&e)); }
        }
    }

    #[test]
    fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
        let depth = 100_000;
        let body = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        // The outer array is read; its one element, nested too deeply to
        // read even as plain JSON, is skipped with the parser's reason.
        let list = read_list("list", body.as_bytes()).unwrap();
        assert!(list.integrations.is_empty());
        assert_eq!(list.skipped.len(), 1);
        assert_eq!(list.skipped[0].id, None);
        assert!(
            list.skipped[0]
                .reason
                .to_string()
                .contains("invalid type: sequence"),
            "{}",
            list.skipped[0].reason
        );
        let body = format!("{}{}", "{\"a\":".repeat(depth), "}".repeat(depth));
        assert!(is_decode(&read_list("list", body.as_bytes()).unwrap_err()));
        let obj = format!("{}1{}", "{\"config\":".repeat(depth), "}".repeat(depth));
        assert!(decode::<Integration>("get", obj.as_bytes()).is_err());
    }
}
