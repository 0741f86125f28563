//! The integrations the emulator holds, their asynchronous transitions, and
//! the optional state file (written atomically before a change is answered).

use crate::error::EmulatorError;
use crate::guesses::{Guesses, TrinoKey};
use crate::validate::{conceal, fill_defaults, redact};
use immuta_api::{
    Integration, IntegrationConfig, IntegrationId, IntegrationStatus, IntegrationType, Secret,
    TestStatus, ValidationResults, ValidationTest,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// An operation still running.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PendingKind {
    /// `creating` → `enabled` or `createError`.
    Create,
    /// `editing` → `enabled` or `editError`.
    Edit,
    /// `deleting` → gone, or `deleteError`.
    Delete,
    /// `deleting` → `disabled` (a `forceDisable` delete under
    /// `--force-disable=disabled`).
    Disable,
}

/// The transition a record is waiting for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pending {
    /// What is running.
    pub kind: PendingKind,
    /// When it ends, in milliseconds since the Unix epoch.
    pub due_unix_ms: u64,
    /// Whether it ends in the error status.
    pub fails: bool,
}

/// One stored integration, secrets in clear (the state file holds them too;
/// `Debug` shows the config redacted).
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    /// Numeric id.
    pub id: u64,
    /// Its type.
    #[serde(rename = "type")]
    pub integration_type: IntegrationType,
    /// `autoBootstrap` as sent.
    pub auto_bootstrap: Option<bool>,
    /// The config as sent (Immuta's defaults are added when it is shown), as
    /// JSON.
    pub config: Value,
    /// Current status.
    pub status: IntegrationStatus,
    /// Last validation results.
    pub validation_results: Option<ValidationResults>,
    /// A running transition.
    pub pending: Option<Pending>,
}

impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Record")
            .field("id", &self.id)
            .field("integration_type", &self.integration_type)
            .field("auto_bootstrap", &self.auto_bootstrap)
            .field("config", &conceal(&self.typed_config()))
            .field("status", &self.status)
            .field("pending", &self.pending)
            .finish_non_exhaustive()
    }
}

impl Record {
    /// The typed config.
    pub fn typed_config(&self) -> IntegrationConfig {
        IntegrationConfig::from_value(&self.integration_type, self.config.clone()).unwrap_or_else(
            |_| IntegrationConfig::Other(self.config.as_object().cloned().unwrap_or_default()),
        )
    }

    /// What GET answers under `guesses`: defaults filled in or not, secrets
    /// (and perhaps more) redacted, Trino's key shown, redacted or left out.
    pub fn to_integration(&self, guesses: &Guesses) -> Integration {
        let mut config = redact(&self.shown_config(guesses), guesses.redact);
        if let IntegrationConfig::Trino(t) = &mut config {
            t.api_key = match guesses.trino_key {
                TrinoKey::Get => t.api_key.take(),
                TrinoKey::Create => t.api_key.as_ref().map(|_| Secret::redacted()),
                TrinoKey::Never => None,
            };
        }
        self.with_config(config)
    }

    /// The integration with its secrets, defaults filled in as `guesses`
    /// say, for tests' assertions.
    pub fn to_integration_with_secrets(&self, guesses: &Guesses) -> Integration {
        self.with_config(self.shown_config(guesses))
    }

    /// The stored config, with Immuta's defaults when `echo_defaults` is on.
    fn shown_config(&self, guesses: &Guesses) -> IntegrationConfig {
        let mut config = self.typed_config();
        if guesses.echo_defaults {
            fill_defaults(&mut config);
        }
        config
    }

    fn with_config(&self, config: IntegrationConfig) -> Integration {
        Integration {
            id: IntegrationId(self.id.to_string()),
            integration_type: self.integration_type.clone(),
            status: self.status.clone(),
            auto_bootstrap: self.auto_bootstrap,
            validation_results: self.validation_results.clone(),
            config: Some(config),
            extra: Default::default(),
        }
    }
}

/// Everything persisted.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct State {
    /// The id the next create gets.
    pub next_id: u64,
    /// Integrations by id.
    pub integrations: BTreeMap<u64, Record>,
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The due time of a transition starting now.
pub fn due_after(delay: Duration) -> u64 {
    now_ms().saturating_add(delay.as_millis() as u64)
}

impl State {
    /// An empty state whose first id is 1.
    pub fn new() -> Self {
        State {
            next_id: 1,
            integrations: BTreeMap::new(),
        }
    }

    /// Applies every transition that is due.
    pub fn advance(&mut self, now: u64) {
        let mut gone = Vec::new();
        for (id, r) in self.integrations.iter_mut() {
            let Some(p) = r.pending.clone() else { continue };
            if now < p.due_unix_ms {
                continue;
            }
            r.pending = None;
            match (p.kind, p.fails) {
                (PendingKind::Create, false) | (PendingKind::Edit, false) => {
                    r.status = IntegrationStatus::Enabled
                }
                (PendingKind::Delete, false) => gone.push(*id),
                (PendingKind::Disable, _) => r.status = IntegrationStatus::Disabled,
                (kind, true) => {
                    let (status, what) = match kind {
                        PendingKind::Create => (IntegrationStatus::CreateError, "create"),
                        PendingKind::Edit => (IntegrationStatus::EditError, "edit"),
                        PendingKind::Delete | PendingKind::Disable => {
                            (IntegrationStatus::DeleteError, "delete")
                        }
                    };
                    r.status = status;
                    let vr = r.validation_results.get_or_insert(ValidationResults {
                        status: TestStatus::Passed,
                        validation_tests: vec![],
                    });
                    vr.status = TestStatus::Failed;
                    vr.validation_tests.push(ValidationTest {
                        name: format!("Apply configuration ({what})"),
                        status: TestStatus::Failed,
                        message: Some(format!(
                            "The {what} failed on the platform (emulator trigger \"fail-{what}\")."
                        )),
                        result: None,
                    });
                }
            }
        }
        for id in gone {
            self.integrations.remove(&id);
        }
    }

    /// Reads a state file; a missing file is an empty state.
    pub fn load(path: &Path) -> Result<State, EmulatorError> {
        let err = |reason: String| EmulatorError::LoadState {
            path: path.to_path_buf(),
            reason,
        };
        match std::fs::read(path) {
            Ok(bytes) => {
                let mut s: State = serde_json::from_slice(&bytes)
                    .map_err(|e| err(format!("not a state file: {e}")))?;
                let max = s.integrations.keys().max().copied().unwrap_or(0);
                s.next_id = s.next_id.max(max + 1).max(1);
                Ok(s)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::new()),
            Err(e) => Err(err(e.to_string())),
        }
    }
}

/// Writes the state atomically: a temporary file beside the target, flushed
/// to disk, renamed over it, and the directory flushed.
pub async fn save(path: &Path, state: &State) -> Result<(), EmulatorError> {
    let bytes = serde_json::to_vec_pretty(state).map_err(|e| EmulatorError::SaveState {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })?;
    let path: PathBuf = path.to_path_buf();
    let p2 = path.clone();
    tokio::task::spawn_blocking(move || write_atomic(&p2, &bytes))
        .await
        .map_err(|e| EmulatorError::SaveState {
            path: path.clone(),
            source: std::io::Error::other(e.to_string()),
        })?
        .map_err(|source| EmulatorError::SaveState { path, source })
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".to_string());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    #[cfg(unix)]
    {
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(id: u64, pending: Option<Pending>) -> Record {
        Record {
            id,
            integration_type: IntegrationType::Trino,
            auto_bootstrap: None,
            config: serde_json::json!({"apiKey": "k"}),
            status: IntegrationStatus::Creating,
            validation_results: None,
            pending,
        }
    }

    #[test]
    fn debug_hides_secrets() {
        let mut r = rec(1, None);
        r.integration_type = IntegrationType::Redshift;
        r.config = serde_json::json!({"host": "h", "password": "hunter2"});
        let d = format!("{r:?}");
        assert!(!d.contains("hunter2"), "{d}");
        assert!(d.contains("<REDACTED>"), "{d}");
    }

    #[test]
    fn transitions_happen_when_due() {
        let mut s = State::new();
        s.integrations.insert(
            1,
            rec(
                1,
                Some(Pending {
                    kind: PendingKind::Create,
                    due_unix_ms: 100,
                    fails: false,
                }),
            ),
        );
        s.integrations.insert(
            2,
            rec(
                2,
                Some(Pending {
                    kind: PendingKind::Delete,
                    due_unix_ms: 100,
                    fails: false,
                }),
            ),
        );
        s.integrations.insert(
            3,
            rec(
                3,
                Some(Pending {
                    kind: PendingKind::Edit,
                    due_unix_ms: 100,
                    fails: true,
                }),
            ),
        );
        s.advance(99);
        assert_eq!(s.integrations.len(), 3);
        assert_eq!(s.integrations[&1].status, IntegrationStatus::Creating);
        s.advance(100);
        assert_eq!(s.integrations[&1].status, IntegrationStatus::Enabled);
        assert!(!s.integrations.contains_key(&2));
        assert_eq!(s.integrations[&3].status, IntegrationStatus::EditError);
        assert_eq!(
            s.integrations[&3]
                .validation_results
                .as_ref()
                .unwrap()
                .status,
            TestStatus::Failed
        );
    }

    #[tokio::test]
    async fn save_then_load_round_trips_and_keeps_ids_increasing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        assert_eq!(State::load(&path).unwrap().next_id, 1);
        let mut s = State::new();
        s.integrations.insert(7, rec(7, None));
        s.next_id = 3;
        save(&path, &s).await.unwrap();
        let back = State::load(&path).unwrap();
        assert_eq!(back.next_id, 8);
        assert_eq!(back.integrations[&7].config["apiKey"], "k");
        std::fs::write(&path, b"garbage").unwrap();
        assert!(matches!(
            State::load(&path),
            Err(EmulatorError::LoadState { .. })
        ));
    }
}
