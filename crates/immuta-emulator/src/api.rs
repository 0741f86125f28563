//! The routes of Immuta's `/integrations` API and of the admin endpoints,
//! and their handlers. What differs per integration type is asked of the
//! type's rules ([`crate::types`]); bodies are read by `body`.

use crate::body::{parse_off_workers, read_body};
use crate::checks::{self, Operation};
use crate::error::{json_response, ApiError};
use crate::faults::{FaultConfig, FaultState};
use crate::guesses::{DeleteBody, ForceDisable, Guesses, TrinoKey};
use crate::scripts;
use crate::shared::{generate_api_key, lock, Shared};
use crate::state::{self, due_after, now_ms, Pending, PendingKind, Record, State};
use crate::types::rules;
use crate::validate::{
    check_config, check_delete_credentials, check_payload, credentials_match,
    keep_redacted_secrets, read_payload, ValidPayload,
};
use axum::body::Body;
use axum::extract::{Path, Query, State as AxState};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use immuta_api::config::TrinoConfig;
use immuta_api::{
    DeleteCredentials, IntegrationConfig, IntegrationId, IntegrationStatus, IntegrationType,
    OperationResponse, ScriptKind, Secret,
};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

type Sh = AxState<Arc<Shared>>;
type Q = Query<HashMap<String, String>>;
type Res = Result<Response, ApiError>;

/// Builds the router; the admin routes only when `admin` is on.
pub(crate) fn router(shared: Arc<Shared>, admin: bool) -> Router {
    let mut r = Router::new()
        .route("/integrations", get(list).post(create))
        .route(
            "/integrations/{id}",
            get(get_one).put(update).delete(delete),
        )
        .route("/integrations/{id}/status", get(status))
        .route("/integrations/{id}/regenerate", post(regenerate))
        .route("/integrations/scripts/{kind}", post(script_plain))
        .route("/integrations/{id}/scripts/{kind}", post(script_for_id));
    if admin {
        r = r
            .route(
                "/_emulator/faults",
                get(admin_get_faults)
                    .post(admin_set_faults)
                    .put(admin_set_faults)
                    .delete(admin_clear_faults),
            )
            .route(
                "/_emulator/requests",
                get(admin_requests).delete(admin_clear_requests),
            )
            .route(
                "/_emulator/guesses",
                get(admin_get_guesses)
                    .post(admin_set_guesses)
                    .put(admin_set_guesses)
                    .delete(admin_reset_guesses),
            );
    }
    r.fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(shared)
}

async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("Not Found: no route for {method} {}", uri.path()),
    )
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("Method Not Allowed: {method} {}", uri.path()),
    )
}

/// Reads an id, with or without quotes around it.
fn parse_id(raw: &str) -> Result<u64, ApiError> {
    let t = raw.trim();
    let t = t
        .strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| t.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
        .unwrap_or(t)
        .trim();
    t.parse::<u64>()
        .map_err(|_| ApiError::bad_request(format!("\"id\" must be a number, got \"{t}\"")))
}

/// A boolean query flag (`true`, `false`, `1`, `0`, or present without value).
fn flag(q: &HashMap<String, String>, name: &str) -> Result<bool, ApiError> {
    match q.get(name).map(|s| s.trim()) {
        None => Ok(false),
        Some("" | "true" | "1" | "TRUE" | "True") => Ok(true),
        Some("false" | "0" | "FALSE" | "False") => Ok(false),
        Some(_) => Err(ApiError::bad_request(format!(
            "\"{name}\" must be a boolean"
        ))),
    }
}

async fn payload(sh: &Shared, headers: &HeaderMap, body: Body) -> Result<ValidPayload, ApiError> {
    let bytes = read_body(sh, headers, body).await?;
    match parse_off_workers(headers, bytes).await? {
        None => Err(ApiError::bad_request("A request body is required")),
        Some(v) => check_payload(&v),
    }
}

fn ok<T: serde::Serialize>(v: &T) -> Res {
    Ok(json_response(StatusCode::OK, v))
}

fn op(
    id: Option<u64>,
    status: Option<IntegrationStatus>,
    r: &checks::Outcome,
) -> OperationResponse {
    OperationResponse {
        id: id.map(|i| IntegrationId(i.to_string())),
        status,
        validation_results: Some(r.results.clone()),
        config: None,
    }
}

/// Commits a changed state: written to the state file first (if any), so
/// nothing is acknowledged that a crash could lose.
async fn commit(sh: &Shared, guard: &mut State, next: State) -> Result<(), ApiError> {
    if let Some(path) = &sh.state_file {
        state::save(path, &next).await.map_err(|e| {
            tracing::error!(error = %e, "state file write failed");
            ApiError::internal("The emulator could not save its state file")
        })?;
    }
    *guard = next;
    Ok(())
}

/// Immuta's 409s: a create or update on the target of another integration
/// of its type, as the type's rules ([`crate::types::TypeRules::same_target`])
/// judge it.
fn check_duplicates(st: &State, p: &ValidPayload, except: Option<u64>) -> Result<(), ApiError> {
    let Some(rules) = rules(&p.integration_type) else {
        return Ok(());
    };
    for r in st.integrations.values() {
        if Some(r.id) == except || r.integration_type != p.integration_type {
            continue;
        }
        if let Some(conflict) = rules.same_target(&p.config, &r.typed_config()) {
            return Err(ApiError::conflict(format!("{conflict} (id = {}).", r.id)));
        }
    }
    Ok(())
}

async fn list(AxState(sh): Sh) -> Res {
    let g = sh.guesses();
    let mut st = sh.state.lock().await;
    st.advance(now_ms());
    let all: Vec<Value> = st
        .integrations
        .values()
        .map(|r| g.integration_json(&r.to_integration(&g)))
        .collect();
    ok(&all)
}

async fn create(AxState(sh): Sh, Query(q): Q, headers: HeaderMap, body: Body) -> Res {
    let dry = flag(&q, "dryRun")?;
    let g = sh.guesses();
    let mut p = payload(&sh, &headers, body).await?;
    let mut st = sh.state.lock().await;
    st.advance(now_ms());
    check_duplicates(&st, &p, None)?;
    let auto = p.auto_bootstrap.unwrap_or(false);
    let outcome = checks::run(
        &p.integration_type,
        auto,
        &p.config,
        Operation::Create,
        true,
        true,
    );
    if let Some(msg) = &outcome.failure {
        if dry {
            return ok(&op(None, None, &outcome));
        }
        return Err(ApiError::unprocessable(msg.clone()));
    }
    if dry {
        return ok(&op(None, None, &outcome));
    }
    let mut answer = op(None, Some(IntegrationStatus::Creating), &outcome);
    if let IntegrationConfig::Trino(t) = &mut p.config {
        let key = generate_api_key();
        if g.trino_key == TrinoKey::Create {
            answer.config = Some(serde_json::json!({ "apiKey": key }));
        }
        t.api_key = Some(Secret::new(key));
    }
    let mut next = st.clone();
    let id = next.next_id;
    next.next_id += 1;
    let fails = checks::wants(&p.config, checks::FAIL_CREATE);
    next.integrations.insert(
        id,
        Record {
            id,
            integration_type: p.integration_type.clone(),
            auto_bootstrap: p.auto_bootstrap,
            config: p.config.to_value(),
            status: IntegrationStatus::Creating,
            validation_results: Some(outcome.results.clone()),
            pending: Some(Pending {
                kind: PendingKind::Create,
                due_unix_ms: due_after(sh.delay),
                fails,
            }),
        },
    );
    commit(&sh, &mut st, next).await?;
    answer.id = Some(IntegrationId(id.to_string()));
    ok(&g.operation_json(&answer))
}

fn find(st: &State, id: u64) -> Result<&Record, ApiError> {
    st.integrations
        .get(&id)
        .ok_or_else(|| ApiError::no_integration(id))
}

async fn get_one(AxState(sh): Sh, Path(raw): Path<String>) -> Res {
    let id = parse_id(&raw)?;
    let g = sh.guesses();
    let mut st = sh.state.lock().await;
    st.advance(now_ms());
    ok(&g.integration_json(&find(&st, id)?.to_integration(&g)))
}

/// `{id, status, validationResults}` of a record, as `/status` and a
/// repeated DELETE answer it.
fn current(r: &Record) -> OperationResponse {
    OperationResponse {
        id: Some(IntegrationId(r.id.to_string())),
        status: Some(r.status.clone()),
        validation_results: r.validation_results.clone(),
        config: None,
    }
}

async fn status(AxState(sh): Sh, Path(raw): Path<String>) -> Res {
    let id = parse_id(&raw)?;
    let g = sh.guesses();
    let mut st = sh.state.lock().await;
    st.advance(now_ms());
    ok(&g.status_json(&current(find(&st, id)?)))
}

fn refuse_busy(r: &Record, what: &str) -> Result<(), ApiError> {
    if r.status.is_transitional() {
        return Err(ApiError::conflict(format!(
            "Integration {} is {}: wait until it is done before you {what} it.",
            r.id, r.status
        )));
    }
    Ok(())
}

fn type_change(r: &Record, p: &ValidPayload) -> Result<(), ApiError> {
    if r.integration_type != p.integration_type {
        return Err(ApiError::bad_request(format!(
            "\"type\" cannot be changed: integration {} is {}, the payload says {}",
            r.id, r.integration_type, p.integration_type
        )));
    }
    Ok(())
}

async fn update(
    AxState(sh): Sh,
    Path(raw): Path<String>,
    Query(q): Q,
    headers: HeaderMap,
    body: Body,
) -> Res {
    let id = parse_id(&raw)?;
    let dry = flag(&q, "dryRun")?;
    let g = sh.guesses();
    let bytes = read_body(&sh, &headers, body).await?;
    // Parsed before the lock; its error counts after a missing id's 404.
    let parsed = parse_off_workers(&headers, bytes).await;
    let mut st = sh.state.lock().await;
    st.advance(now_ms());
    let rec = find(&st, id)?.clone();
    let mut p = match parsed? {
        None => return Err(ApiError::bad_request("A request body is required")),
        Some(v) => read_payload(&v)?,
    };
    let old = rec.typed_config();
    // What GET redacted and is sent back redacted keeps its value, unless
    // the literal is stored (then it is checked, and stored, as sent).
    if !g.store_redacted_put {
        keep_redacted_secrets(&mut p.config, &old, g.redact);
    }
    check_config(&p)?;
    type_change(&rec, &p)?;
    refuse_busy(&rec, "update")?;
    if let (IntegrationConfig::Trino(n), IntegrationConfig::Trino(o)) = (&mut p.config, &old) {
        n.api_key = o.api_key.clone();
    }
    check_duplicates(&st, &p, Some(id))?;
    let auto = p.auto_bootstrap.unwrap_or(false);
    let outcome = checks::run(
        &p.integration_type,
        auto,
        &p.config,
        Operation::Update,
        true,
        true,
    );
    if let Some(msg) = &outcome.failure {
        if !dry {
            return Err(ApiError::unprocessable(msg.clone()));
        }
    }
    if dry {
        return ok(&g.operation_json(&op(Some(id), Some(rec.status.clone()), &outcome)));
    }
    let mut next = st.clone();
    let fails = checks::wants(&p.config, checks::FAIL_EDIT);
    if let Some(r) = next.integrations.get_mut(&id) {
        r.auto_bootstrap = p.auto_bootstrap;
        r.config = p.config.to_value();
        r.status = IntegrationStatus::Editing;
        r.validation_results = Some(outcome.results.clone());
        r.pending = Some(Pending {
            kind: PendingKind::Edit,
            due_unix_ms: due_after(sh.delay),
            fails,
        });
    }
    commit(&sh, &mut st, next).await?;
    ok(&g.operation_json(&op(Some(id), Some(IntegrationStatus::Editing), &outcome)))
}

fn delete_credentials(v: Option<Value>) -> Result<Option<DeleteCredentials>, ApiError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) if m.is_empty() => Ok(None),
        Some(v @ Value::Object(_)) => serde_json::from_value::<DeleteCredentials>(v)
            .map(Some)
            .map_err(|e| {
                ApiError::bad_request(format!(
                    "Invalid credentials payload: {}",
                    crate::validate::scrub(&e.to_string())
                ))
            }),
        Some(_) => Err(ApiError::bad_request("The request body must be an object")),
    }
}

async fn delete(
    AxState(sh): Sh,
    Path(raw): Path<String>,
    Query(q): Q,
    headers: HeaderMap,
    body: Body,
) -> Res {
    let id = parse_id(&raw)?;
    let dry = flag(&q, "dryRun")?;
    let force = flag(&q, "forceDisable")?;
    let g = sh.guesses();
    let bytes = read_body(&sh, &headers, body).await?;
    // Parsed before the lock; its error counts after a missing id's 404.
    let parsed = parse_off_workers(&headers, bytes).await;
    let mut st = sh.state.lock().await;
    st.advance(now_ms());
    let rec = find(&st, id)?.clone();
    let mut creds = delete_credentials(parsed?)?;
    if rec.status == IntegrationStatus::Deleting && !dry {
        // Already being deleted: answer as the first DELETE did (a retried
        // DELETE is harmless).
        return ok(&g.operation_json(&current(&rec)));
    }
    refuse_busy(&rec, "delete")?;
    let auto = rec.auto_bootstrap.unwrap_or(false);
    if g.delete_body == DeleteBody::Ignore
        && !(auto && rec.integration_type.delete_needs_credentials())
    {
        creds = None;
    }
    // A force-disabled integration is gone from the platform's point of
    // view: removing it is a forced delete too.
    let disabled = rec.status == IntegrationStatus::Disabled;
    let force = force || disabled;
    check_delete_credentials(&rec.integration_type, auto, creds.as_ref(), force)?;
    let cfg = rec.typed_config();
    let creds_ok = creds
        .as_ref()
        .map(|c| credentials_match(&cfg, c))
        .unwrap_or(true);
    let outcome = checks::run(
        &rec.integration_type,
        auto,
        &cfg,
        Operation::Delete,
        creds_ok,
        !force,
    );
    if let Some(msg) = &outcome.failure {
        if !dry {
            return Err(ApiError::unprocessable(msg.clone()));
        }
    }
    if dry {
        return ok(&g.operation_json(&op(Some(id), Some(rec.status.clone()), &outcome)));
    }
    let mut next = st.clone();
    let fails = !force && checks::wants(&cfg, checks::FAIL_DELETE);
    let kind = if force && !disabled && g.force_disable == ForceDisable::Disabled {
        PendingKind::Disable
    } else {
        PendingKind::Delete
    };
    if let Some(r) = next.integrations.get_mut(&id) {
        r.status = IntegrationStatus::Deleting;
        r.validation_results = Some(outcome.results.clone());
        r.pending = Some(Pending {
            kind,
            due_unix_ms: due_after(sh.delay),
            fails,
        });
    }
    commit(&sh, &mut st, next).await?;
    ok(&g.operation_json(&op(Some(id), Some(IntegrationStatus::Deleting), &outcome)))
}

async fn regenerate(AxState(sh): Sh, Path(raw): Path<String>) -> Res {
    let id = parse_id(&raw)?;
    let g = sh.guesses();
    let mut st = sh.state.lock().await;
    st.advance(now_ms());
    let rec = find(&st, id)?.clone();
    if rec.integration_type != IntegrationType::Trino {
        return Err(ApiError::bad_request(format!(
            "Regenerating the API key is only supported for Trino integrations; integration {id} is {}.",
            rec.integration_type
        )));
    }
    refuse_busy(&rec, "regenerate the key of")?;
    let mut next = st.clone();
    let mut answer = None;
    if let Some(r) = next.integrations.get_mut(&id) {
        let cfg = IntegrationConfig::Trino(TrinoConfig {
            api_key: Some(Secret::new(generate_api_key())),
            extra: Default::default(),
        });
        r.config = cfg.to_value();
        // The new key is answered unless no answer ever carries it.
        let mut a = r.to_integration(&g);
        if g.trino_key != TrinoKey::Never {
            a.config = Some(cfg);
        }
        answer = Some(a);
    }
    commit(&sh, &mut st, next).await?;
    match answer {
        Some(a) => ok(&g.integration_json(&a)),
        None => Err(ApiError::no_integration(id)),
    }
}

fn text(script: String) -> Res {
    let mut r = (StatusCode::OK, script).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    Ok(r)
}

fn script_kind(segment: &str) -> Option<ScriptKind> {
    ScriptKind::ALL.into_iter().find(|k| k.segment() == segment)
}

async fn script_plain(
    AxState(sh): Sh,
    Path(segment): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Res {
    let kind = script_kind(&segment)
        .filter(|k| !k.needs_id())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                format!("Not Found: no script \"{segment}\""),
            )
        })?;
    let p = payload(&sh, &headers, body).await?;
    text(scripts::script(kind, &p.config)?)
}

async fn script_for_id(
    AxState(sh): Sh,
    Path((raw, segment)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Res {
    let kind = script_kind(&segment)
        .filter(|k| k.needs_id())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                format!("Not Found: no script \"{segment}\" for an integration"),
            )
        })?;
    let id = parse_id(&raw)?;
    let bytes = read_body(&sh, &headers, body).await?;
    let mut st = sh.state.lock().await;
    st.advance(now_ms());
    let rec = find(&st, id)?.clone();
    drop(st);
    match kind {
        ScriptKind::Edit => {
            let p = match parse_off_workers(&headers, bytes).await? {
                None => return Err(ApiError::bad_request("A request body is required")),
                Some(v) => check_payload(&v)?,
            };
            type_change(&rec, &p)?;
            text(scripts::script(kind, &p.config)?)
        }
        _ => text(scripts::script(kind, &rec.typed_config())?),
    }
}

async fn admin_get_faults(AxState(sh): Sh) -> Res {
    ok(&lock(&sh.faults).config())
}

/// An admin body: its JSON read as `T`, an empty body as `T::default()`.
async fn admin_body<T: serde::de::DeserializeOwned + Default>(
    sh: &Shared,
    headers: &HeaderMap,
    body: Body,
    what: &str,
) -> Result<T, ApiError> {
    let bytes = read_body(sh, headers, body).await?;
    match parse_off_workers(headers, bytes).await? {
        None => Ok(T::default()),
        Some(v) => serde_json::from_value(v)
            .map_err(|e| ApiError::bad_request(format!("Invalid {what}: {e}"))),
    }
}

async fn admin_set_faults(AxState(sh): Sh, headers: HeaderMap, body: Body) -> Res {
    let cfg: FaultConfig = admin_body(&sh, &headers, body, "fault configuration").await?;
    cfg.validate().map_err(ApiError::bad_request)?;
    *lock(&sh.faults) = FaultState::new(cfg.clone());
    ok(&cfg)
}

async fn admin_clear_faults(AxState(sh): Sh) -> Res {
    *lock(&sh.faults) = FaultState::new(FaultConfig::default());
    ok(&FaultConfig::default())
}

async fn admin_get_guesses(AxState(sh): Sh) -> Res {
    ok(&sh.guesses())
}

/// Sets the guesses; switches the body leaves out take their defaults.
async fn admin_set_guesses(AxState(sh): Sh, headers: HeaderMap, body: Body) -> Res {
    let g: Guesses = admin_body(&sh, &headers, body, "guesses").await?;
    *lock(&sh.guesses) = g;
    ok(&g)
}

async fn admin_reset_guesses(AxState(sh): Sh) -> Res {
    *lock(&sh.guesses) = Guesses::default();
    ok(&Guesses::default())
}

async fn admin_requests(AxState(sh): Sh) -> Res {
    let reqs = lock(&sh.requests).clone();
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for r in &reqs {
        *counts
            .entry(format!("{} {}", r.method, r.path))
            .or_default() += 1;
    }
    ok(&serde_json::json!({"requests": reqs, "counts": counts}))
}

async fn admin_clear_requests(AxState(sh): Sh) -> Res {
    lock(&sh.requests).clear();
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_with_and_without_quotes() {
        assert_eq!(parse_id("12").unwrap(), 12);
        assert_eq!(parse_id("\"12\"").unwrap(), 12);
        assert_eq!(parse_id("'7'").unwrap(), 7);
        assert!(parse_id("abc").unwrap_err().message.contains("\"id\""));
    }
}
