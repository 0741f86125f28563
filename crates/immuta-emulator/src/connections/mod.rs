//! Immuta's connection API: `/data/connection`, `/data/object`,
//! `/data/settings`, `/data/crawl` and `/jobs`, for Snowflake, Databricks
//! Unity Catalog and AWS Lake Formation.
//!
//! A connection wraps a native integration: creating one makes an
//! integration under `/integrations` (its `nativeIntegrationId`), whose
//! status moves on as any integration's does and whose set-up and removal
//! scripts come from the existing `/integrations/scripts/*` endpoints.
//! Below the connection is the object hierarchy a crawl finds on the
//! (simulated) platform; settings and crawls run as bulk jobs polled
//! through `/jobs`. Authentication, the body limit, the request log and the
//! faults are the server's, as for `/integrations`. The connections are
//! kept in memory only (not in the state file).
//!
//! # Layout
//!
//! - [`router`]: the routes, their handlers (in `handlers`), and the
//!   admin route that sets what a connection's platform holds.
//! - `check`: reading and checking create, update and settings bodies.
//! - `store`: connections, objects, catalogs, bulk jobs; activation and
//!   its inheritance.
//! - `answers`: the answers, shaped by the guesses.

mod answers;
mod check;
mod handlers;
mod store;

use crate::shared::Shared;
use axum::routing::{get, post, put};
use axum::Router;
use std::sync::Arc;

/// What `--help` says of the connection API.
pub const HELP: &str = r#"CONNECTIONS (the same Authorization):
  POST   /data/connection                   create {connectionKey, connection: {technology,
                                            ...}, settings, options, nativeIntegration}
  GET    /data/connection/{key}             the connection, nativeIntegrationId among others
  PUT    /data/connection/{key}             update (--connection-put=full|merge)
  GET    /data/object/{key}[/db[/schema[/table]]]   one object: state, settings, overrides
  DELETE /data/object/{path}                remove it and what is below: {childCount}
  POST   /data/object/search/{path}         its children: {count, hits}
  PUT    /data/settings/{path}              {isActive: true|false|null, activateNewChildren,
                                            dataOwners}: a bulk job, {bulkId}
  POST   /data/crawl/{path}                 object sync below the path: {bulkId}
  GET    /jobs?bulkId={id}                  the bulk job (--job-shape=summary|list)
  With --admin: PUT /_emulator/connections/{key}/catalog (JSON: ["DB/SCHEMA/TABLE", ...])
  sets what the platform holds; the next crawl finds it.
  Technologies: Snowflake, Databricks, AWS Lake Formation (nativeIntegration.type the
  same; autoBootstrap false). A connection key or host holding 'fail-job' fails its jobs;
  'unreachable' in a host fails the create (422)."#;

/// Whether the connection API serves this path (the server records it and
/// injects faults, as for `/integrations`).
pub fn serves(path: &str) -> bool {
    path == "/jobs" || path == "/data" || path.starts_with("/data/")
}

/// The routes; the admin route only when `admin` is on.
pub(crate) fn router(shared: Arc<Shared>, admin: bool) -> Router {
    use handlers::*;
    let mut r = Router::new()
        .route("/data/connection", post(create))
        .route("/data/connection/{key}", get(read).put(update))
        .route(
            "/data/object/{*path}",
            get(read_object).delete(delete_object).post(search),
        )
        .route("/data/settings/{*path}", put(settings))
        .route("/data/crawl/{*path}", post(crawl))
        .route("/jobs", get(job));
    if admin {
        r = r.route("/_emulator/connections/{key}/catalog", put(set_catalog));
    }
    r.with_state(Arc::new(handlers::Conns::new(shared)))
}
