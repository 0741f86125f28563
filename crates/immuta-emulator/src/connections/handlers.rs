//! The handlers of the connection API.

use super::answers::{bulk_json, connection_json, job_json, object, object_json};
use super::check::{check_create, check_settings, Checked};
use super::store::{default_catalog, Action, Conn, ConnState, Node, ObjPath, MAX_ENABLE_CHILDREN};
use crate::body::read_body;
use crate::checks::{self, Operation};
use crate::error::{json_response, ApiError};
use crate::guesses::{ConnectionAnswer, ConnectionDelete, ConnectionPut, Guesses};
use crate::shared::lock;
use crate::shared::Shared;
use crate::state::{self, due_after, now_ms, Pending, PendingKind, Record, State};
use axum::body::Body;
use axum::extract::{Path, Query, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use immuta_api::connection::{Activation, SearchRequest};
use immuta_api::{IntegrationStatus, Secret};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// The connection API's state, beside the emulator's.
pub(crate) struct Conns {
    shared: Arc<Shared>,
    state: tokio::sync::Mutex<ConnState>,
}

impl Conns {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Conns {
            shared,
            state: tokio::sync::Mutex::new(ConnState::default()),
        }
    }

    fn guesses(&self) -> Guesses {
        *lock(&self.shared.guesses)
    }

    fn due(&self) -> u64 {
        due_after(self.shared.delay)
    }

    /// The connection state with its due jobs completed.
    async fn lock(&self) -> tokio::sync::MutexGuard<'_, ConnState> {
        let mut st = self.state.lock().await;
        st.advance();
        st
    }

    /// Changes the integrations (statuses moved on first) and saves them
    /// to the state file, if any, before the change is answered.
    async fn integrations<T>(&self, change: impl FnOnce(&mut State) -> T) -> Result<T, ApiError> {
        let mut st = self.shared.state.lock().await;
        st.advance(now_ms());
        let mut next = st.clone();
        let out = change(&mut next);
        if let Some(path) = &self.shared.state_file {
            state::save(path, &next).await.map_err(|e| {
                tracing::error!(error = %e, "state file write failed");
                ApiError::internal("The emulator could not save its state file")
            })?;
        }
        *st = next;
        Ok(out)
    }
}

type Sh = AxState<Arc<Conns>>;
type Res = Result<Response, ApiError>;

fn ok(v: &Value) -> Res {
    Ok(json_response(StatusCode::OK, v))
}

/// A JSON body; `None` when empty.
async fn body_json(sh: &Conns, headers: &HeaderMap, body: Body) -> Result<Option<Value>, ApiError> {
    let bytes = read_body(&sh.shared, headers, body).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| ApiError::bad_request(format!("Invalid JSON payload: {e}")))
}

async fn required_body(sh: &Conns, headers: &HeaderMap, body: Body) -> Result<Value, ApiError> {
    body_json(sh, headers, body)
        .await?
        .ok_or_else(|| ApiError::bad_request("A request body is required"))
}

fn no_connection(key: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("No connection found with connectionKey {key}."),
    )
}

fn split(raw: &str) -> ObjPath {
    raw.trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The object at a raw path and its connection; 404 for either missing.
fn find<'a>(st: &'a ConnState, raw: &str) -> Result<(ObjPath, &'a Conn), ApiError> {
    let path = split(raw);
    let key = path.first().ok_or_else(|| no_connection(""))?;
    let conn = st.conns.get(key).ok_or_else(|| no_connection(key))?;
    if !st.objects.contains_key(&path) {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("No object found at path {}.", path.join("/")),
        ));
    }
    Ok((path, conn))
}

fn refuse_deleting(conn: &Conn, key: &str) -> Result<(), ApiError> {
    match conn.deleting {
        Some(_) => Err(ApiError::conflict(format!(
            "Connection {key} is being deleted."
        ))),
        None => Ok(()),
    }
}

/// The answer of a create or update, as `--connection-answer` says.
fn answer(sh: &Conns, st: &mut ConnState, key: &str, g: &Guesses) -> Res {
    match g.connection_answer {
        ConnectionAnswer::Empty => Ok(StatusCode::NO_CONTENT.into_response()),
        ConnectionAnswer::Job => {
            let root = vec![key.to_string()];
            let fails = st.conns.get(key).is_some_and(|c| c.jobs_fail(key));
            let covered = st.covered(&root);
            let id = st.start_job(Action::Crawl(root), covered, sh.due(), fails);
            let mut v = bulk_json(id, g);
            v["connectionKey"] = Value::from(key);
            ok(&v)
        }
        ConnectionAnswer::Connection => match st.conns.get(key) {
            Some(c) => ok(&connection_json(st, key, c, g)),
            None => Err(no_connection(key)),
        },
    }
}

/// A new integration record, or an edited one, with its transition.
fn native_record(id: u64, checked: &Checked, kind: PendingKind, due: u64) -> Record {
    let ty = checked.technology.native_type();
    let trigger = match kind {
        PendingKind::Create => checks::FAIL_CREATE,
        _ => checks::FAIL_EDIT,
    };
    let op = match kind {
        PendingKind::Create => Operation::Create,
        _ => Operation::Update,
    };
    let outcome = checks::run(&ty, false, &checked.native_config, op, true, true);
    Record {
        id,
        integration_type: ty,
        auto_bootstrap: Some(false),
        config: checked.native_config.to_value(),
        status: match kind {
            PendingKind::Create => IntegrationStatus::Creating,
            _ => IntegrationStatus::Editing,
        },
        validation_results: Some(outcome.results),
        pending: Some(Pending {
            kind,
            due_unix_ms: due,
            fails: checks::wants(&checked.native_config, trigger),
        }),
    }
}

pub(crate) async fn create(AxState(sh): Sh, headers: HeaderMap, body: Body) -> Res {
    let g = sh.guesses();
    let v = required_body(&sh, &headers, body).await?;
    let checked = check_create(&v)?;
    let key = checked.payload.connection_key.clone();
    let mut st = sh.lock().await;
    if st.conns.contains_key(&key) {
        return Err(ApiError::conflict(format!(
            "A connection with connectionKey {key} already exists."
        )));
    }
    let host = checked.payload.connection.hostname.as_deref();
    if let Some((k, _)) = st.conns.iter().find(|(_, c)| {
        c.technology == checked.technology
            && host.is_some()
            && c.spec.hostname.as_deref().map(str::to_ascii_lowercase)
                == host.map(str::to_ascii_lowercase)
    }) {
        return Err(ApiError::conflict(format!(
            "A {} connection to {} already exists (connectionKey {k}).",
            checked.technology,
            host.unwrap_or_default()
        )));
    }
    let due = sh.due();
    let native_id = sh
        .integrations(|ist| {
            let id = ist.next_id;
            ist.next_id += 1;
            let rec = native_record(id, &checked, PendingKind::Create, due);
            ist.integrations.insert(id, rec);
            id
        })
        .await?;
    let p = checked.payload;
    let settings = p.settings.unwrap_or_default();
    let root = vec![key.clone()];
    st.objects.insert(
        root.clone(),
        Node {
            own_active: Some(
                settings
                    .is_active
                    .and_then(Activation::as_bool)
                    .unwrap_or(false),
            ),
            own_activate_new: settings.activate_new_children,
            data_owners: settings.data_owners,
            in_platform: true,
        },
    );
    st.catalogs
        .insert(key.clone(), default_catalog(&checked.technology));
    let conn = Conn {
        technology: checked.technology,
        spec: p.connection,
        native: p.native_integration,
        options: p.options,
        native_id,
        deleting: None,
    };
    let fails = conn.jobs_fail(&key);
    st.conns.insert(key.clone(), conn);
    if g.connection_answer != ConnectionAnswer::Job {
        // Object sync starts at once; under the `job` answer, that job is
        // the one answered.
        st.start_job(Action::Crawl(root.clone()), vec![root], due, fails);
    }
    answer(&sh, &mut st, &key, &g)
}

pub(crate) async fn read(AxState(sh): Sh, Path(key): Path<String>) -> Res {
    let g = sh.guesses();
    let st = sh.lock().await;
    let c = st.conns.get(&key).ok_or_else(|| no_connection(&key))?;
    ok(&connection_json(&st, &key, c, &g))
}

/// The connection as a create body, secrets in clear.
fn stored_body(key: &str, c: &Conn) -> Value {
    let mut v = json!({
        "connectionKey": key,
        "connection": c.spec,
        "nativeIntegration": c.native,
    });
    if let Some(o) = &c.options {
        v["options"] = json!(o);
    }
    v
}

/// RFC 7396: `patch` merged over `base` (`null` removes a member).
fn merge_patch(base: &mut Value, patch: Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    b.remove(&k);
                } else {
                    merge_patch(b.entry(k).or_insert(Value::Null), v);
                }
            }
        }
        (b, p) => *b = p,
    }
}

/// Every placeholder string of `new` that `old` holds a value for at the
/// same place gets that value back (what GET redacted, sent back).
fn restore_placeholders(new: &mut Value, old: &Value) {
    match new {
        Value::Object(m) => {
            for (k, v) in m.iter_mut() {
                if let Some(o) = old.get(k) {
                    restore_placeholders(v, o);
                }
            }
        }
        Value::String(s)
            if old.is_string()
                && immuta_api::connection::is_placeholder(&Secret::new(s.as_str())) =>
        {
            *new = old.clone();
        }
        _ => {}
    }
}

pub(crate) async fn update(
    AxState(sh): Sh,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Res {
    let g = sh.guesses();
    let sent = required_body(&sh, &headers, body).await?;
    let mut st = sh.lock().await;
    let conn = st
        .conns
        .get(&key)
        .ok_or_else(|| no_connection(&key))?
        .clone();
    refuse_deleting(&conn, &key)?;
    if !sent.is_object() {
        return Err(ApiError::bad_request("The request body must be an object"));
    }
    match sent.get("connectionKey") {
        Some(Value::String(k)) if *k != key => {
            return Err(ApiError::bad_request(format!(
                "\"connectionKey\" cannot be changed: the path says {key}"
            )))
        }
        _ => {}
    }
    let stored = stored_body(&key, &conn);
    let mut body = match g.connection_put {
        ConnectionPut::Full => sent.clone(),
        ConnectionPut::Merge => {
            let mut b = stored.clone();
            merge_patch(&mut b, sent.clone());
            b
        }
    };
    body["connectionKey"] = Value::from(key.as_str());
    if !g.store_redacted_put {
        restore_placeholders(&mut body, &stored);
    }
    let checked = check_create(&body)?;
    if checked.technology != conn.technology {
        return Err(ApiError::bad_request(format!(
            "\"connection.technology\" cannot be changed: connection {key} is {}",
            conn.technology
        )));
    }
    let due = sh.due();
    let id = conn.native_id;
    let busy = sh
        .integrations(|ist| match ist.integrations.get_mut(&id) {
            Some(r) if r.status.is_transitional() => Some(r.status.clone()),
            Some(r) => {
                *r = native_record(id, &checked, PendingKind::Edit, due);
                None
            }
            None => None,
        })
        .await?;
    if let Some(status) = busy {
        return Err(ApiError::conflict(format!(
            "The integration of connection {key} is {status}: wait until it is done before you update it."
        )));
    }
    let p = checked.payload;
    if let Some(s) = &p.settings {
        st.set(std::slice::from_ref(&key), s);
    }
    if let Some(c) = st.conns.get_mut(&key) {
        c.spec = p.connection;
        c.native = p.native_integration;
        c.options = p.options;
    }
    answer(&sh, &mut st, &key, &g)
}

pub(crate) async fn read_object(AxState(sh): Sh, Path(raw): Path<String>) -> Res {
    let g = sh.guesses();
    let st = sh.lock().await;
    let (path, conn) = find(&st, &raw)?;
    ok(&object_json(&object(&st, &conn.technology, &path, &g), &g))
}

pub(crate) async fn delete_object(AxState(sh): Sh, Path(raw): Path<String>) -> Res {
    let g = sh.guesses();
    let mut st = sh.lock().await;
    let (path, conn) = find(&st, &raw)?;
    let (key, native_id, deleting) = (path[0].clone(), conn.native_id, conn.deleting);
    let below = st.descendants(&path).count() as u64;
    if let Some(job) = deleting {
        // Already being deleted: answered as the first DELETE was.
        let mut v = bulk_json(job, &g);
        v["childCount"] = Value::from(below);
        return ok(&v);
    }
    if path.len() > 1 {
        return ok(&json!({"childCount": st.remove(&path)}));
    }
    sh.integrations(|ist| ist.integrations.remove(&native_id))
        .await?;
    match g.connection_delete {
        ConnectionDelete::Sync => {
            st.remove(&path);
            st.conns.remove(&key);
            st.catalogs.remove(&key);
            ok(&json!({"childCount": below}))
        }
        ConnectionDelete::Job => {
            let covered = st.covered(&path);
            let id = st.start_job(
                Action::DeleteConnection(key.clone()),
                covered,
                sh.due(),
                false,
            );
            if let Some(c) = st.conns.get_mut(&key) {
                c.deleting = Some(id);
            }
            let mut v = bulk_json(id, &g);
            v["childCount"] = Value::from(below);
            ok(&v)
        }
    }
}

pub(crate) async fn search(
    AxState(sh): Sh,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Res {
    let g = sh.guesses();
    let Some(rest) = raw
        .strip_prefix("search/")
        .or((raw == "search").then_some(""))
    else {
        return Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("Method Not Allowed: POST /data/object/{raw}"),
        ));
    };
    let req: SearchRequest = match body_json(&sh, &headers, body).await? {
        None => SearchRequest::default(),
        Some(v) => serde_json::from_value(v).map_err(|e| {
            ApiError::bad_request(format!(
                "Invalid search body: {}",
                crate::validate::scrub(&e.to_string())
            ))
        })?,
    };
    let st = sh.lock().await;
    let (path, conn) = find(&st, rest)?;
    let needle = req.search_text.unwrap_or_default().to_lowercase();
    let hits: Vec<ObjPath> = st
        .children(&path)
        .map(|(p, _)| p.clone())
        .filter(|p| p.last().is_some_and(|n| n.to_lowercase().contains(&needle)))
        .collect();
    let page: Vec<Value> = hits
        .iter()
        .skip(req.offset.unwrap_or(0) as usize)
        .take(req.size.map_or(usize::MAX, |s| s as usize))
        .map(|p| object_json(&object(&st, &conn.technology, p, &g), &g))
        .collect();
    ok(&json!({"count": hits.len(), "hits": page}))
}

/// Starts a bulk job on the object at `raw` (refused while its connection
/// is being deleted): `action` gets the path and how many objects are
/// below it. Answers `{bulkId}`.
fn job_on(
    sh: &Conns,
    st: &mut ConnState,
    raw: &str,
    action: impl FnOnce(ObjPath, usize) -> Result<Action, ApiError>,
) -> Res {
    let (path, conn) = find(st, raw)?;
    refuse_deleting(conn, &path[0])?;
    let fails = conn.jobs_fail(&path[0]);
    let covered = st.covered(&path);
    let action = action(path, covered.len() - 1)?;
    let id = st.start_job(action, covered, sh.due(), fails);
    ok(&bulk_json(id, &sh.guesses()))
}

pub(crate) async fn settings(
    AxState(sh): Sh,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Res {
    let v = required_body(&sh, &headers, body).await?;
    let mut st = sh.lock().await;
    job_on(&sh, &mut st, &raw, |path, below| {
        let s = check_settings(Some(&v), "", path.len() == 1)?;
        if s.is_active == Some(Activation::Enable) && below >= MAX_ENABLE_CHILDREN {
            return Err(ApiError::unprocessable(format!(
                "Enabling {} would activate {below} children: enable fewer than {MAX_ENABLE_CHILDREN} at a time.",
                path.join("/")
            )));
        }
        Ok(Action::Settings(path, s))
    })
}

pub(crate) async fn crawl(
    AxState(sh): Sh,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Res {
    if let Some(v) = body_json(&sh, &headers, body).await? {
        let m = v
            .as_object()
            .ok_or_else(|| ApiError::bad_request("The request body must be an object"))?;
        if let Some(k) = m.keys().find(|k| *k != "forceRecursiveCrawl") {
            return Err(ApiError::bad_request(format!("\"{k}\" is not allowed")));
        }
    }
    let mut st = sh.lock().await;
    job_on(&sh, &mut st, &raw, |path, _| Ok(Action::Crawl(path)))
}

pub(crate) async fn job(AxState(sh): Sh, Query(q): Query<HashMap<String, String>>) -> Res {
    let g = sh.guesses();
    let raw = q
        .get("bulkId")
        .ok_or_else(|| ApiError::bad_request("\"bulkId\" is required"))?;
    let id: u64 = raw
        .trim()
        .trim_matches('"')
        .parse()
        .map_err(|_| ApiError::bad_request("\"bulkId\" must be a number"))?;
    let st = sh.lock().await;
    let job = st.jobs.get(&id).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("No job found with bulkId {id}."),
        )
    })?;
    ok(&job_json(id, job, &g))
}

/// `PUT /_emulator/connections/{key}/catalog`: what the platform holds,
/// as `"DB/SCHEMA/TABLE"` strings or arrays of names.
pub(crate) async fn set_catalog(
    AxState(sh): Sh,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Res {
    let v = required_body(&sh, &headers, body).await?;
    let rows = v
        .as_array()
        .ok_or_else(|| ApiError::bad_request("The catalog must be an array"))?;
    let mut catalog = Vec::new();
    for row in rows {
        let parts: ObjPath = match row {
            Value::String(s) => split(s),
            Value::Array(a) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => return Err(ApiError::bad_request("Each catalog entry is a path")),
        };
        if parts.is_empty() {
            return Err(ApiError::bad_request("A catalog entry is empty"));
        }
        catalog.push(parts);
    }
    let mut st = sh.lock().await;
    if !st.conns.contains_key(&key) {
        return Err(no_connection(&key));
    }
    st.catalogs.insert(key, catalog);
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_patch_and_placeholders() {
        let mut base = json!({"a": {"b": 1, "c": 2}, "d": 3});
        merge_patch(&mut base, json!({"a": {"b": null, "e": 4}, "d": "x"}));
        assert_eq!(base, json!({"a": {"c": 2, "e": 4}, "d": "x"}));
        let mut new = json!({"connection": {"password": "[REDACTED]", "token": "<REDACTED>",
                                            "username": "new"}});
        let old = json!({"connection": {"password": "pw", "username": "old"}});
        restore_placeholders(&mut new, &old);
        assert_eq!(
            new,
            json!({"connection": {"password": "pw", "token": "<REDACTED>", "username": "new"}})
        );
    }

    #[test]
    fn paths_split_on_slashes() {
        assert_eq!(split("/k/DB/"), vec!["k".to_string(), "DB".to_string()]);
        assert!(split("").is_empty());
    }
}
