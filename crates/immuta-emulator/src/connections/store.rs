//! What the connection API holds: the connections, their objects (the
//! hierarchy object sync found), the platform catalog each crawl reads, and
//! the bulk jobs, which apply their change when they complete.
//!
//! Activation is computed, never stored per object: an object is active
//! when it is still on the platform and the nearest setting of its own or
//! of an ancestor says so (the root always has one). A child that a crawl
//! finds gets a setting of its own only when the `activateNewChildren` that
//! applies to its parent differs from the parent's state.

use crate::state::now_ms;
use immuta_api::connection::{
    Activation, ConnectionOptions, ConnectionSpec, DataOwner, JobStatus, ObjectSettings, Technology,
};
use immuta_api::IntegrationPayload;
use std::collections::BTreeMap;

/// An object path: the connection key, then the names below it.
pub type ObjPath = Vec<String>;

/// Enabling a parent is limited to fewer children than this (Immuta's
/// pages).
pub const MAX_ENABLE_CHILDREN: usize = 100_000;

/// The substring (in the connection key or host) that makes a bulk job of
/// the connection fail.
pub const FAIL_JOB: &str = "fail-job";

/// One connection, as sent (secrets in clear; no `Debug`: Lake Formation's
/// native config is untyped JSON).
#[derive(Clone)]
pub struct Conn {
    /// Its technology.
    pub technology: Technology,
    /// The `connection` object as sent.
    pub spec: ConnectionSpec,
    /// The `nativeIntegration` as sent.
    pub native: IntegrationPayload,
    /// The `options` as sent.
    pub options: Option<ConnectionOptions>,
    /// The id of its integration under `/integrations`.
    pub native_id: u64,
    /// The bulk job deleting it, under `--connection-delete=job`.
    pub deleting: Option<u64>,
}

impl Conn {
    /// Whether its jobs fail (the [`FAIL_JOB`] trigger).
    pub fn jobs_fail(&self, key: &str) -> bool {
        let host = self.spec.hostname.as_deref().unwrap_or_default();
        [key, host]
            .iter()
            .any(|t| t.to_ascii_lowercase().contains(FAIL_JOB))
    }
}

/// One object below (or at) a connection's root.
#[derive(Clone, Debug, Default)]
pub struct Node {
    /// `isActive` set on this path (`None`: inherits).
    pub own_active: Option<bool>,
    /// `activateNewChildren` set on this path (`None`: inherits).
    pub own_activate_new: Option<bool>,
    /// Data owners set on this path.
    pub data_owners: Option<Vec<DataOwner>>,
    /// `false` once a crawl no longer finds it on the platform.
    pub in_platform: bool,
}

/// What a bulk job does when it completes.
#[derive(Clone, Debug)]
pub enum Action {
    /// Object sync under a path.
    Crawl(ObjPath),
    /// Settings of a path.
    Settings(ObjPath, ObjectSettings),
    /// Removes a connection (`--connection-delete=job`).
    DeleteConnection(String),
}

/// A bulk job.
#[derive(Clone, Debug)]
pub struct Bulk {
    /// What it does.
    pub action: Action,
    /// The objects it covers (one job each in the `list` shape).
    pub paths: Vec<ObjPath>,
    /// When it completes, in milliseconds since the Unix epoch.
    pub due_unix_ms: u64,
    /// Whether it ends failed.
    pub fails: bool,
    /// Its status.
    pub status: JobStatus,
}

/// Everything the connection API holds.
#[derive(Default)]
pub struct ConnState {
    /// Connections by key.
    pub conns: BTreeMap<String, Conn>,
    /// Objects by path (a connection's root is its one-element path).
    pub objects: BTreeMap<ObjPath, Node>,
    /// What each connection's platform holds, as paths below the root.
    pub catalogs: BTreeMap<String, Vec<ObjPath>>,
    /// Bulk jobs by id.
    pub jobs: BTreeMap<u64, Bulk>,
    /// The next bulk id.
    pub next_job: u64,
}

/// The objects a new connection's platform holds (names plausible for the
/// technology; Lake Formation has no schema level).
pub fn default_catalog(t: &Technology) -> Vec<ObjPath> {
    let rows: &[&[&str]] = match t {
        Technology::Snowflake => &[
            &["ANALYTICS", "PUBLIC", "ORDERS"],
            &["ANALYTICS", "PUBLIC", "CUSTOMERS"],
            &["ANALYTICS", "REPORTING", "DAILY_SALES"],
            &["RAW", "PUBLIC", "EVENTS"],
        ],
        Technology::Databricks => &[
            &["main", "default", "orders"],
            &["main", "finance", "ledger"],
            &["dev", "default", "scratch"],
        ],
        _ => &[
            &["sales_db", "orders"],
            &["sales_db", "customers"],
            &["hr_db", "employees"],
        ],
    };
    rows.iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect()
}

/// The kind of an object at a path, by its depth and technology.
pub fn kind_of(t: &Technology, path: &[String]) -> &'static str {
    match (path.len(), t) {
        (0 | 1, _) => "connection",
        (2, _) => "database",
        (3, Technology::LakeFormation) => "table",
        (3, _) => "schema",
        _ => "table",
    }
}

fn is_under(path: &[String], root: &[String]) -> bool {
    path.len() >= root.len() && path[..root.len()] == *root
}

impl ConnState {
    /// The objects strictly below `root`, in path order.
    pub fn descendants<'a>(
        &'a self,
        root: &'a [String],
    ) -> impl Iterator<Item = (&'a ObjPath, &'a Node)> + 'a {
        self.objects
            .range(root.to_vec()..)
            .skip(1)
            .take_while(move |(p, _)| is_under(p, root))
    }

    /// The direct children of `root`.
    pub fn children<'a>(
        &'a self,
        root: &'a [String],
    ) -> impl Iterator<Item = (&'a ObjPath, &'a Node)> + 'a {
        self.descendants(root)
            .filter(move |(p, _)| p.len() == root.len() + 1)
    }

    /// The nearest setting of `path` or of an ancestor that `get` finds.
    fn inherited(&self, path: &[String], get: impl Fn(&Node) -> Option<bool>) -> Option<bool> {
        (1..=path.len())
            .rev()
            .find_map(|n| self.objects.get(&path[..n]).and_then(&get))
    }

    /// Whether the object at `path` is active.
    pub fn is_active(&self, path: &[String]) -> bool {
        let here = self.objects.get(path).map(|n| n.in_platform);
        here.unwrap_or(false) && self.inherited(path, |n| n.own_active).unwrap_or(false)
    }

    /// The `activateNewChildren` that applies at `path`: its own or an
    /// ancestor's, else the root's state (our guess of the default).
    pub fn activate_new(&self, path: &[String]) -> bool {
        self.inherited(path, |n| n.own_activate_new)
            .unwrap_or_else(|| self.inherited(&path[..1], |n| n.own_active) == Some(true))
    }

    /// A new bulk job; its id.
    pub fn start_job(&mut self, action: Action, paths: Vec<ObjPath>, due: u64, fails: bool) -> u64 {
        self.next_job += 1;
        let id = self.next_job;
        self.jobs.insert(
            id,
            Bulk {
                action,
                paths,
                due_unix_ms: due,
                fails,
                status: JobStatus::Running,
            },
        );
        id
    }

    /// The paths a job on `root` covers: the path and what is below it.
    pub fn covered(&self, root: &[String]) -> Vec<ObjPath> {
        std::iter::once(root.to_vec())
            .chain(self.descendants(root).map(|(p, _)| p.clone()))
            .collect()
    }

    /// Completes every job that is due (now, in tests with no delay).
    pub fn advance(&mut self) {
        let now = now_ms();
        let due: Vec<u64> = self
            .jobs
            .iter()
            .filter(|(_, j)| !j.status.is_final() && j.due_unix_ms <= now)
            .map(|(id, _)| *id)
            .collect();
        for id in due {
            let Some(job) = self.jobs.get_mut(&id) else {
                continue;
            };
            job.status = if job.fails {
                JobStatus::Failed
            } else {
                JobStatus::Completed
            };
            let (action, fails) = (job.action.clone(), job.fails);
            if !fails {
                self.apply(action);
            }
        }
    }

    fn apply(&mut self, action: Action) {
        match action {
            Action::Crawl(root) => self.crawl(&root),
            Action::Settings(path, s) => self.set(&path, &s),
            Action::DeleteConnection(key) => {
                self.remove(std::slice::from_ref(&key));
                self.conns.remove(&key);
                self.catalogs.remove(&key);
            }
        }
    }

    /// Object sync under `root`: what the platform has and Immuta lacks is
    /// added, what Immuta has and the platform lacks is marked gone
    /// (inactive until deleted), what comes back is marked present.
    pub fn crawl(&mut self, root: &[String]) {
        let Some(key) = root.first() else { return };
        let mut found: Vec<ObjPath> = Vec::new();
        for rel in self.catalogs.get(key).cloned().unwrap_or_default() {
            for n in 1..=rel.len() {
                let mut p = vec![key.clone()];
                p.extend_from_slice(&rel[..n]);
                if is_under(&p, root) && !found.contains(&p) {
                    found.push(p);
                }
            }
        }
        found.sort();
        for (p, node) in self.objects.iter_mut() {
            if p.len() > 1 && is_under(p, root) {
                node.in_platform = found.contains(p);
            }
        }
        for p in found {
            if self.objects.contains_key(&p) {
                continue;
            }
            let parent = &p[..p.len() - 1];
            let (new, active) = (self.activate_new(parent), self.is_active(parent));
            self.objects.insert(
                p,
                Node {
                    own_active: (new != active).then_some(new),
                    in_platform: true,
                    ..Node::default()
                },
            );
        }
    }

    /// Applies settings to a path.
    pub fn set(&mut self, path: &[String], s: &ObjectSettings) {
        let Some(node) = self.objects.get_mut(path) else {
            return;
        };
        match s.is_active {
            Some(Activation::Inherit) if path.len() > 1 => node.own_active = None,
            Some(a) => node.own_active = a.as_bool().or(node.own_active),
            None => {}
        }
        if let Some(b) = s.activate_new_children {
            node.own_activate_new = Some(b);
        }
        if let Some(owners) = &s.data_owners {
            node.data_owners = Some(owners.clone());
        }
    }

    /// Removes a path and everything below it; how many objects were below.
    pub fn remove(&mut self, root: &[String]) -> u64 {
        let gone = self.covered(root);
        for p in &gone {
            self.objects.remove(p);
        }
        gone.len().saturating_sub(1) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(parts: &[&str]) -> ObjPath {
        parts.iter().map(|s| s.to_string()).collect()
    }

    fn with_root(active: bool, activate_new: Option<bool>) -> ConnState {
        let mut st = ConnState::default();
        st.objects.insert(
            p(&["k"]),
            Node {
                own_active: Some(active),
                own_activate_new: activate_new,
                in_platform: true,
                ..Node::default()
            },
        );
        st.catalogs
            .insert("k".into(), default_catalog(&Technology::Snowflake));
        st
    }

    #[test]
    fn crawl_builds_the_hierarchy_and_children_inherit() {
        let mut st = with_root(true, None);
        st.crawl(&p(&["k"]));
        assert_eq!(st.children(&p(&["k"])).count(), 2);
        assert_eq!(st.descendants(&p(&["k"])).count(), 2 + 3 + 4);
        assert!(st.is_active(&p(&["k", "ANALYTICS", "PUBLIC", "ORDERS"])));
        // Disabling a schema disables its tables, not its siblings.
        st.set(
            &p(&["k", "ANALYTICS", "PUBLIC"]),
            &ObjectSettings {
                is_active: Some(Activation::Disable),
                ..Default::default()
            },
        );
        assert!(!st.is_active(&p(&["k", "ANALYTICS", "PUBLIC", "ORDERS"])));
        assert!(st.is_active(&p(&["k", "ANALYTICS", "REPORTING", "DAILY_SALES"])));
        // Inheriting again follows the parent.
        st.set(
            &p(&["k", "ANALYTICS", "PUBLIC"]),
            &ObjectSettings {
                is_active: Some(Activation::Inherit),
                ..Default::default()
            },
        );
        assert!(st.is_active(&p(&["k", "ANALYTICS", "PUBLIC", "ORDERS"])));
    }

    #[test]
    fn new_children_follow_activate_new_children() {
        let mut st = with_root(true, Some(false));
        st.crawl(&p(&["k"]));
        // Found at the first crawl: inactive, as activateNewChildren says.
        assert!(!st.is_active(&p(&["k", "RAW"])));
        st.catalogs.get_mut("k").unwrap().retain(|r| r[0] != "RAW");
        st.crawl(&p(&["k"]));
        assert!(!st.objects[&p(&["k", "RAW", "PUBLIC", "EVENTS"])].in_platform);
        let below = st.remove(&p(&["k", "RAW"]));
        assert_eq!(below, 2);
        assert!(!st.objects.contains_key(&p(&["k", "RAW"])));
    }
}
