//! The HTTP server: the [`Emulator`] builder, the [`RunningEmulator`] it
//! starts, the accept loop (which injects faults and can drop connections),
//! authentication, per-request logging and recording.

use crate::api;
use crate::body::read_body;
use crate::error::{ApiError, EmulatorError};
use crate::faults::{Fault, FaultConfig, FaultState};
use crate::guesses::Guesses;
use crate::record::{cut, finish, log_line, record, record_body};
pub use crate::record::{MAX_RECORDED_BODY, MAX_RECORDED_TEXT, MAX_RECORDS};
pub use crate::shared::{generate_api_key, RequestRecord};
use crate::shared::{lock, query_flag, Shared};
use crate::state::State;
use axum::body::Body;
use axum::http::{header, HeaderValue, Method, Request, Response, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use immuta_api::Integration;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower::ServiceExt;

/// The default limit of a request body: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// Entry point of the library: `Emulator::builder()`.
pub struct Emulator;

impl Emulator {
    /// A builder with the defaults: `127.0.0.1:0`, a generated key, no
    /// transition delay, no faults, state in memory, admin endpoints off.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }
}

/// Configures and starts an emulator.
#[derive(Clone)]
pub struct EmulatorBuilder {
    bind: SocketAddr,
    api_key: Option<String>,
    unprivileged_key: Option<String>,
    transition_delay: Duration,
    faults: FaultConfig,
    state_file: Option<PathBuf>,
    admin: bool,
    body_limit: usize,
    guesses: Guesses,
}

impl std::fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("bind", &self.bind)
            .field(
                "api_key",
                &self.api_key.as_ref().map(|_| immuta_api::REDACTED),
            )
            .field("transition_delay", &self.transition_delay)
            .field("faults", &self.faults)
            .field("state_file", &self.state_file)
            .field("admin", &self.admin)
            .field("body_limit", &self.body_limit)
            .field("guesses", &self.guesses)
            .finish()
    }
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            api_key: None,
            unprivileged_key: None,
            transition_delay: Duration::ZERO,
            faults: FaultConfig::default(),
            state_file: None,
            admin: false,
            body_limit: DEFAULT_BODY_LIMIT,
            guesses: Guesses::default(),
        }
    }
}

impl EmulatorBuilder {
    /// The address to listen on (default `127.0.0.1:0`, a free port).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }
    /// The port to listen on, keeping the bind address (0: a free port).
    pub fn port(mut self, port: u16) -> Self {
        self.bind.set_port(port);
        self
    }
    /// The API key clients must send (default: a generated one).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }
    /// A second key that authenticates but lacks `APPLICATION_ADMIN`: its
    /// requests get 403, as Immuta answers such users.
    pub fn unprivileged_api_key(mut self, key: impl Into<String>) -> Self {
        self.unprivileged_key = Some(key.into());
        self
    }
    /// How long `creating`, `editing` and `deleting` last (default zero).
    pub fn transition_delay(mut self, delay: Duration) -> Self {
        self.transition_delay = delay;
        self
    }
    /// Faults to inject from the start.
    pub fn faults(mut self, faults: FaultConfig) -> Self {
        self.faults = faults;
        self
    }
    /// Keeps the state in this file across restarts.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }
    /// Turns the `/_emulator/...` admin endpoints on or off (default off).
    pub fn admin(mut self, on: bool) -> Self {
        self.admin = on;
        self
    }
    /// The largest request body accepted (default 1 MiB).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// How to answer where Immuta's page is silent (default:
    /// [`Guesses::default()`]).
    pub fn guesses(mut self, guesses: Guesses) -> Self {
        self.guesses = guesses;
        self
    }

    /// Binds, loads the state file if any, and starts serving.
    pub async fn start(self) -> Result<RunningEmulator, EmulatorError> {
        self.faults
            .validate()
            .map_err(EmulatorError::InvalidFaults)?;
        let state = match &self.state_file {
            Some(p) => State::load(p)?,
            None => State::new(),
        };
        let listener =
            TcpListener::bind(self.bind)
                .await
                .map_err(|source| EmulatorError::Bind {
                    addr: self.bind,
                    source,
                })?;
        let addr = listener
            .local_addr()
            .map_err(|source| EmulatorError::Bind {
                addr: self.bind,
                source,
            })?;
        // An empty key would let an empty `Authorization` header in.
        if self.api_key.as_deref().is_some_and(|k| k.trim().is_empty()) {
            return Err(EmulatorError::InvalidApiKey("the API key is empty"));
        }
        if self
            .unprivileged_key
            .as_deref()
            .is_some_and(|k| k.trim().is_empty())
        {
            return Err(EmulatorError::InvalidApiKey(
                "the unprivileged API key is empty",
            ));
        }
        let api_key = self.api_key.unwrap_or_else(generate_api_key);
        let shared = Arc::new(Shared {
            api_key: api_key.clone(),
            unprivileged_key: self.unprivileged_key,
            delay: self.transition_delay,
            state: tokio::sync::Mutex::new(state),
            state_file: self.state_file,
            faults: Mutex::new(FaultState::new(self.faults)),
            requests: Mutex::new(Vec::new()),
            body_limit: self.body_limit,
            guesses: Mutex::new(self.guesses),
        });
        let app = api::router(shared.clone(), self.admin)
            .merge(crate::connections::router(shared.clone(), self.admin));
        let (tx, rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, app, shared.clone(), rx));
        Ok(RunningEmulator {
            addr,
            api_key,
            handle: EmulatorHandle { shared },
            shutdown: tx,
            task: Some(task),
        })
    }
}

/// A started emulator. Dropping it stops the server too.
pub struct RunningEmulator {
    addr: SocketAddr,
    api_key: String,
    handle: EmulatorHandle,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for RunningEmulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningEmulator")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl RunningEmulator {
    /// The base URL, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// The socket address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// The API key clients must send.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }
    /// A handle for assertions and run-time changes.
    pub fn handle(&self) -> EmulatorHandle {
        self.handle.clone()
    }
    /// Stops accepting, lets requests in flight finish, and waits.
    pub async fn shutdown(mut self) -> Result<(), EmulatorError> {
        let _ = self.shutdown.send(true);
        match self.task.take() {
            Some(t) => t.await.map_err(|e| EmulatorError::Server(e.to_string())),
            None => Ok(()),
        }
    }
}

impl std::ops::Deref for RunningEmulator {
    type Target = EmulatorHandle;
    fn deref(&self) -> &EmulatorHandle {
        &self.handle
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// Shared access to a running emulator's store, request log and faults.
#[derive(Clone)]
pub struct EmulatorHandle {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorHandle").finish_non_exhaustive()
    }
}

impl EmulatorHandle {
    /// Every integration, as GET answers them under the current guesses
    /// (defaults, redaction, Trino's key), typed: `id_type` and
    /// `scalars_as_strings` shape only the JSON answers.
    pub async fn integrations(&self) -> Vec<Integration> {
        let g = self.guesses();
        let mut st = self.shared.state.lock().await;
        st.advance(crate::state::now_ms());
        st.integrations
            .values()
            .map(|r| r.to_integration(&g))
            .collect()
    }
    /// Every integration with the secrets it holds (for assertions only),
    /// defaults filled in as `echo_defaults` says.
    pub async fn integrations_with_secrets(&self) -> Vec<Integration> {
        let g = self.guesses();
        let mut st = self.shared.state.lock().await;
        st.advance(crate::state::now_ms());
        st.integrations
            .values()
            .map(|r| r.to_integration_with_secrets(&g))
            .collect()
    }
    /// The guesses answers follow now.
    pub fn guesses(&self) -> Guesses {
        *lock(&self.shared.guesses)
    }
    /// Changes the guesses; the next request follows them (integrations
    /// already made included).
    pub fn set_guesses(&self, guesses: Guesses) {
        *lock(&self.shared.guesses) = guesses;
    }
    /// Every `/integrations` request so far, in order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.shared.requests).clone()
    }
    /// How many requests had this method and exact path.
    pub fn request_count(&self, method: &str, path: &str) -> usize {
        lock(&self.shared.requests)
            .iter()
            .filter(|r| r.method.eq_ignore_ascii_case(method) && r.path == path)
            .count()
    }
    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }
    /// Replaces the fault configuration (rates, latency, script).
    pub fn set_faults(&self, faults: FaultConfig) -> Result<(), EmulatorError> {
        faults.validate().map_err(EmulatorError::InvalidFaults)?;
        *lock(&self.shared.faults) = FaultState::new(faults);
        Ok(())
    }
    /// The fault configuration, `script` holding what is left of it.
    pub fn faults(&self) -> FaultConfig {
        lock(&self.shared.faults).config()
    }
}

/// A request whose connection is to be closed without an answer.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for Dropped {}

async fn accept_loop(
    listener: TcpListener,
    app: Router,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut conns = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _peer) = match accepted {
                    Ok(x) => x,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let app = app.clone();
                let shared = shared.clone();
                let mut stop = shutdown.clone();
                conns.spawn(async move {
                    let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                        handle(app.clone(), shared.clone(), req)
                    });
                    let conn = hyper::server::conn::http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(Duration::from_secs(30))
                        .serve_connection(TokioIo::new(stream), svc);
                    tokio::pin!(conn);
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        _ = async { stop.wait_for(|s| *s).await.is_ok() } => {
                            conn.as_mut().graceful_shutdown();
                            let _ = conn.await;
                        }
                    }
                });
                // Reap finished connections so the set stays small.
                while conns.try_join_next().is_some() {}
            }
            _ = async { shutdown.wait_for(|s| *s).await.is_ok() } => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while conns.join_next().await.is_some() {}
    })
    .await;
    conns.abort_all();
}

/// Whether the `Authorization` header carries the key (bare or `Bearer`).
fn authorized(headers: &axum::http::HeaderMap, key: &str) -> bool {
    let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let v = v.trim();
    let token = match v.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        _ => v,
    };
    constant_time_eq(token.as_bytes(), key.as_bytes())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn handle(
    app: Router,
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Body>, Dropped> {
    let start = Instant::now();
    let method = cut(req.method().as_str());
    let path = cut(req.uri().path());
    let query = req.uri().query().map(str::to_string);
    let is_api = path == "/integrations"
        || path.starts_with("/integrations/")
        || crate::connections::serves(&path);
    let (parts, incoming) = req.into_parts();
    // The key is checked before any body is read: a request that is not
    // let in costs no body. The body of one the log records is read
    // before it is handled, so that the log holds it whatever the answer;
    // a body too large is answered in turn.
    let let_in = authorized(&parts.headers, &shared.api_key);
    let mut recorded = None;
    let body = if let_in
        && is_api
        && matches!(parts.method, Method::POST | Method::PUT | Method::DELETE)
    {
        read_body(&shared, &parts.headers, Body::new(incoming))
            .await
            .map(|bytes| {
                recorded = record_body(&bytes);
                Body::from(bytes)
            })
    } else {
        Ok(Body::new(incoming))
    };
    let mut fault = None;
    let mut lose_answer = false;
    if is_api {
        let decision = {
            let mut faults = lock(&shared.faults);
            let decision = faults.decide();
            lose_answer = decision.fault == Fault::LoseAnswer
                || (decision.fault == Fault::Pass
                    && faults.lose_answer(&method, query_flag(query.as_deref(), "dryRun")));
            decision
        };
        if !decision.latency.is_zero() {
            tokio::time::sleep(decision.latency).await;
        }
        match decision.fault {
            Fault::Pass | Fault::LoseAnswer => {}
            Fault::Drop => {
                let record = record(&method, &path, query, 0, Some(Fault::Drop), recorded);
                finish(&shared, record, start);
                return Err(Dropped);
            }
            f @ (Fault::TooManyRequests | Fault::ServiceUnavailable) => {
                fault = Some((f, decision.retry_after_secs))
            }
        }
    }
    let resp = if let Some((f, secs)) = fault {
        let (status, msg) = if f == Fault::TooManyRequests {
            (
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests: slow down and retry later.",
            )
        } else {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "Service temporarily unavailable: retry later.",
            )
        };
        let mut r = ApiError::new(status, msg).into_response();
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        r
    } else if shared
        .unprivileged_key
        .as_deref()
        .is_some_and(|k| authorized(&parts.headers, k))
    {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "Forbidden: the APPLICATION_ADMIN permission is required to manage integrations.",
        )
        .into_response()
    } else if !let_in {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "Unauthorized: a valid API key is required in the Authorization header.",
        )
        .into_response()
    } else if let Some(name) = repeated_parameter(query.as_deref()) {
        // Which of two values counts would be a guess (`dryRun=true&dryRun=false`).
        ApiError::bad_request(format!(
            "The query parameter \"{name}\" is given more than once"
        ))
        .into_response()
    } else {
        match body {
            Ok(body) => {
                let resp = match app.oneshot(Request::from_parts(parts, body)).await {
                    Ok(r) => r,
                    Err(never) => match never {},
                };
                as_json_error(resp).await
            }
            Err(too_large) => too_large.into_response(),
        }
    };
    let status = resp.status().as_u16();
    if lose_answer {
        let record = record(
            &method,
            &path,
            query,
            status,
            Some(Fault::LoseAnswer),
            recorded,
        );
        finish(&shared, record, start);
        return Err(Dropped);
    }
    if is_api {
        let record = record(&method, &path, query, status, fault.map(|f| f.0), recorded);
        finish(&shared, record, start);
    } else {
        log_line(&method, &path, query.as_deref(), status, None, start);
    }
    Ok(resp)
}

/// The first query parameter named twice or more, cut to 64 characters.
fn repeated_parameter(query: Option<&str>) -> Option<String> {
    let mut seen = std::collections::HashSet::new();
    url_pairs(query?)
        .find(|name| !seen.insert(name.clone()))
        .map(|name| name.chars().take(64).collect())
}

/// The decoded names of a query's parameters.
fn url_pairs(query: &str) -> impl Iterator<Item = String> + '_ {
    query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| kv.split_once('=').map_or(kv, |(k, _)| k))
        .map(|k| {
            let k = k.replace('+', " ");
            percent_decode(&k)
        })
}

/// `%XX` sequences decoded (invalid ones kept as they are), lossy UTF-8.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An error answer that is not JSON (axum's rejections: a path that is not
/// UTF-8, a query that does not parse...) made into Immuta's error JSON,
/// with the same status and the text, cut, as its message.
async fn as_json_error(resp: Response<Body>) -> Response<Body> {
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if resp.status().as_u16() < 400 || is_json {
        return resp;
    }
    let status = resp.status();
    let text = axum::body::to_bytes(resp.into_body(), 64 * 1024)
        .await
        .map(|b| {
            String::from_utf8_lossy(&b)
                .chars()
                .take(512)
                .collect::<String>()
        })
        .unwrap_or_default();
    let message = match text.trim() {
        "" => status.canonical_reason().unwrap_or("Error").to_string(),
        t => t.to_string(),
    };
    ApiError::new(status, message).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_accepts_bare_and_bearer_keys_only() {
        let mut h = axum::http::HeaderMap::new();
        assert!(!authorized(&h, "k"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("k"));
        assert!(authorized(&h, "k"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("bearer k"));
        assert!(authorized(&h, "k"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer kk"));
        assert!(!authorized(&h, "k"));
    }

    #[test]
    fn dry_run_flag_in_records() {
        let r = |q: &str| RequestRecord {
            method: "POST".into(),
            path: "/integrations".into(),
            query: Some(q.into()),
            status: 200,
            fault: None,
            body: None,
        };
        assert!(r("dryRun=true").is_dry_run());
        assert!(r("a=1&dryRun").is_dry_run());
        assert!(!r("dryRun=false").is_dry_run());
    }
}
