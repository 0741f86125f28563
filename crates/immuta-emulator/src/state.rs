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

/// Writes the state atomically: a temporary file beside the target (a new
/// file with a random name, mode 0600, never a path that already exists, so
/// never through a planted symlink), flushed to disk, renamed over it, and
/// the directory flushed.
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
    let (tmp, mut f) = create_temp(&dir, &name)?;
    let written = f
        .write_all(bytes)
        .and_then(|()| f.sync_all())
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    #[cfg(unix)]
    {
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// Creates `.<name>.tmp-<random>` in `dir`: a new file (`create_new`, so a
/// symlink or anything else already at that path is never opened, let
/// alone followed), readable by its owner only. A name already taken is
/// replaced by another random one, a few times.
fn create_temp(dir: &Path, name: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    use rand::Rng;
    let mut last = None;
    for _ in 0..8 {
        let tmp = dir.join(format!(".{name}.tmp-{:016x}", rand::rng().random::<u64>()));
        match open_new(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free temporary name")))
}

/// Opens `path` as a new file, mode 0600; an existing path (a symlink
/// included) is `AlreadyExists`.
fn open_new(path: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
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

    #[cfg(unix)]
    #[tokio::test]
    async fn the_temporary_file_is_new_random_private_and_never_a_symlink() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        // Symlinks planted where the old, predictable temporary name was,
        // pointing at a file the state must not reach.
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"").unwrap();
        std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
        let planted = dir
            .path()
            .join(format!(".state.json.tmp-{}", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        let mut s = State::new();
        let mut r = rec(7, None);
        r.config["password"] = serde_json::json!("pw-state-file");
        s.integrations.insert(7, r);
        save(&path, &s).await.unwrap();
        assert_eq!(
            std::fs::read(&victim).unwrap(),
            b"",
            "written through the symlink"
        );
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(State::load(&path).unwrap().integrations.len(), 1);
        // Nothing is left behind but the state, the victim and the planted link.
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names.len(), 3, "{names:?}");
        // A symlink at the very name chosen is refused, not followed.
        let e = open_new(&planted).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&victim).unwrap(), b"");
    }
}
