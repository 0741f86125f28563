//! What the server and the handlers share: [`Shared`], the state every
//! request sees, with the [`RequestRecord`]s it logs, and the small helpers
//! both sides use. Neither `server` nor `api` is imported here, so the
//! server (which builds the router) depends on the handlers and not the
//! other way round.

use crate::faults::FaultState;
use crate::guesses::Guesses;
use crate::state::State;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// State shared by every request.
pub(crate) struct Shared {
    pub api_key: String,
    pub unprivileged_key: Option<String>,
    pub delay: Duration,
    pub state: tokio::sync::Mutex<State>,
    pub state_file: Option<PathBuf>,
    pub faults: Mutex<FaultState>,
    pub requests: Mutex<Vec<RequestRecord>>,
    pub body_limit: usize,
    pub guesses: Mutex<Guesses>,
}

impl Shared {
    /// The guesses in force now.
    pub(crate) fn guesses(&self) -> Guesses {
        *lock(&self.guesses)
    }
}

/// One request the emulator answered (or dropped), as recorded for tests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    /// HTTP method, e.g. `GET`.
    pub method: String,
    /// Path, e.g. `/integrations/1`.
    pub path: String,
    /// Query string without `?`, if any.
    pub query: Option<String>,
    /// Status answered (for `lose-answer`, the one not sent); 0 when the
    /// connection was dropped before the request was handled.
    pub status: u16,
    /// The injected fault (`429`, `503`, `drop`, `lose-answer`), if any.
    pub fault: Option<String>,
    /// The body of a POST, PUT or DELETE as received (UTF-8, lossy), cut
    /// to [`MAX_RECORDED_BODY`](crate::MAX_RECORDED_BODY) bytes; `None` when there was none. It holds
    /// the secrets sent: the log is for tests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl RequestRecord {
    /// Whether the query asked for a dry run.
    pub fn is_dry_run(&self) -> bool {
        query_flag(self.query.as_deref(), "dryRun")
    }
}

/// Whether a query string sets the flag `name` (`name`, `name=true` or
/// `name=1`).
pub(crate) fn query_flag(query: Option<&str>, name: &str) -> bool {
    query.unwrap_or("").split('&').any(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        k == name && matches!(v, "" | "true" | "1")
    })
}

/// Locks a std mutex, recovering from poisoning (the data stays usable).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A random API key: 32 hexadecimal digits.
pub fn generate_api_key() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
