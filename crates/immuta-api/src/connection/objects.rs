//! Objects, searches and bulk jobs of the connection API: what
//! `GET /data/object/{objectPath}`, `POST /data/object/search/{objectPath}`,
//! `DELETE /data/object/{objectPath}` and `GET /jobs?bulkId=...` answer,
//! and the answers that start a job.

use super::{opt_u64, ObjectSettings, Technology};
use crate::config::Extra;
use crate::types::IntegrationId;
use serde::de::Deserializer;
use serde::{Deserialize, Serialize, Serializer};

/// A bulk job's id, a string or a number, kept as a string.
pub type BulkId = IntegrationId;

/// The answer of an operation that starts a bulk job: settings, crawl,
/// a create under the `job` guess, a delete under the `job` guess.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkAnswer {
    /// The job to poll through `/jobs`, if one was started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bulk_id: Option<BulkId>,
    /// The connection, in a create answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_key: Option<String>,
    /// How many objects under the path a DELETE removed.
    #[serde(
        default,
        deserialize_with = "opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub child_count: Option<u64>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The state of an object (a guess): whether it is active now, and
/// whether the platform still has it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectState {
    /// Active: a table that is a data source, or a parent whose children
    /// inherit that.
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_active: Option<bool>,
    /// `false` once object sync no longer finds it on the platform.
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub in_platform: Option<bool>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One object: what `GET /data/object/{objectPath}` answers and each hit
/// of a search.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataObject {
    /// The path, the connection key first.
    #[serde(default)]
    pub object_path: Vec<String>,
    /// Its last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `connection`, `database`, `schema` or `table`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The connection's technology.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technology: Option<Technology>,
    /// Its state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<ObjectState>,
    /// The settings that apply, inherited or its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<ObjectSettings>,
    /// The settings set on this path itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<ObjectSettings>,
    /// How many direct children it has.
    #[serde(
        default,
        deserialize_with = "opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub child_count: Option<u64>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The body of `POST /data/object/search/{objectPath}` (a guess): a filter
/// on the children's names and a page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchRequest {
    /// Only children whose name contains this (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_text: Option<String>,
    /// How many hits to skip.
    #[serde(
        default,
        deserialize_with = "opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub offset: Option<u64>,
    /// How many hits at most.
    #[serde(
        default,
        deserialize_with = "opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub size: Option<u64>,
}

/// What a search answers: `{count, hits}`, or a bare array of objects.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchAnswer {
    /// How many children match in all (the hits may be a page of them).
    pub count: u64,
    /// The children.
    pub hits: Vec<DataObject>,
}

impl<'de> Deserialize<'de> for SearchAnswer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            List(Vec<DataObject>),
            Page {
                #[serde(default, deserialize_with = "opt_u64")]
                count: Option<u64>,
                #[serde(default, alias = "results", alias = "objects")]
                hits: Vec<DataObject>,
            },
        }
        Ok(match Raw::deserialize(d)? {
            Raw::List(hits) => SearchAnswer {
                count: hits.len() as u64,
                hits,
            },
            Raw::Page { count, hits } => SearchAnswer {
                count: count.unwrap_or(hits.len() as u64),
                hits,
            },
        })
    }
}

/// The status of a bulk job, or of one job in it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum JobStatus {
    /// Not started.
    Pending,
    /// Running.
    Running,
    /// Done.
    Completed,
    /// Failed.
    Failed,
    /// A status this version does not know, kept verbatim (and waited on).
    Other(String),
}

impl JobStatus {
    /// The API's string.
    pub fn as_str(&self) -> &str {
        match self {
            JobStatus::Pending => "pending",
            JobStatus::Running => "running",
            JobStatus::Completed => "completed",
            JobStatus::Failed => "failed",
            JobStatus::Other(s) => s,
        }
    }

    /// Whether the job will not change any more.
    pub fn is_final(&self) -> bool {
        matches!(self, JobStatus::Completed | JobStatus::Failed)
    }
}

impl From<&str> for JobStatus {
    fn from(s: &str) -> Self {
        match s.to_ascii_lowercase().as_str() {
            "pending" | "queued" => JobStatus::Pending,
            "running" | "inprogress" | "in_progress" => JobStatus::Running,
            "completed" | "complete" | "succeeded" | "success" | "done" => JobStatus::Completed,
            "failed" | "error" => JobStatus::Failed,
            _ => JobStatus::Other(s.to_string()),
        }
    }
}

impl Serialize for JobStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for JobStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(JobStatus::from(String::deserialize(d)?.as_str()))
    }
}

/// One job of a bulk job, in the `list` answer shape.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    /// The job's own id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<IntegrationId>,
    /// The bulk job it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bulk_id: Option<BulkId>,
    /// Its status (`state` is read too).
    #[serde(alias = "state")]
    pub status: JobStatus,
    /// The object it works on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_path: Option<Vec<String>>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// What `GET /jobs?bulkId=...` answers: a summary object
/// `{bulkId, status, total, completed, failed}`, or a list of jobs (one
/// per object, possibly under `jobs`); both read into this summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkJob {
    /// The bulk job.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bulk_id: Option<BulkId>,
    /// Failed if any job failed, completed if all completed, else the
    /// status still running.
    pub status: JobStatus,
    /// How many objects it covers.
    pub total: u64,
    /// How many are done.
    pub completed: u64,
    /// How many failed.
    pub failed: u64,
}

impl BulkJob {
    /// The summary of a list of jobs.
    pub fn from_jobs(bulk_id: Option<BulkId>, jobs: &[Job]) -> BulkJob {
        let count = |s: JobStatus| jobs.iter().filter(|j| j.status == s).count() as u64;
        let (completed, failed) = (count(JobStatus::Completed), count(JobStatus::Failed));
        let status = if failed > 0 && jobs.iter().all(|j| j.status.is_final()) {
            JobStatus::Failed
        } else if let Some(j) = jobs.iter().find(|j| !j.status.is_final()) {
            j.status.clone()
        } else {
            JobStatus::Completed
        };
        BulkJob {
            bulk_id: bulk_id.or_else(|| jobs.iter().find_map(|j| j.bulk_id.clone())),
            status,
            total: jobs.len() as u64,
            completed,
            failed,
        }
    }
}

impl<'de> Deserialize<'de> for BulkJob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Summary {
            #[serde(default)]
            bulk_id: Option<BulkId>,
            #[serde(alias = "state")]
            status: JobStatus,
            #[serde(default, deserialize_with = "opt_u64")]
            total: Option<u64>,
            #[serde(default, deserialize_with = "opt_u64")]
            completed: Option<u64>,
            #[serde(default, deserialize_with = "opt_u64")]
            failed: Option<u64>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            List(Vec<Job>),
            Wrapped {
                #[serde(default, rename = "bulkId")]
                bulk_id: Option<BulkId>,
                jobs: Vec<Job>,
            },
            Summary(Summary),
        }
        Ok(match Raw::deserialize(d)? {
            Raw::List(jobs) => BulkJob::from_jobs(None, &jobs),
            Raw::Wrapped { bulk_id, jobs } => BulkJob::from_jobs(bulk_id, &jobs),
            Raw::Summary(s) => BulkJob {
                bulk_id: s.bulk_id,
                status: s.status,
                total: s.total.unwrap_or(0),
                completed: s.completed.unwrap_or(0),
                failed: s.failed.unwrap_or(0),
            },
        })
    }
}

/// An object path as the URL carries it: its parts joined by `/`, each
/// percent-encoded where it holds `/`, `%`, `?`, `#` or a blank.
pub fn object_path_url(parts: &[String]) -> String {
    parts
        .iter()
        .map(|p| {
            let mut out = String::with_capacity(p.len());
            for c in p.chars() {
                match c {
                    '/' | '%' | '?' | '#' | ' ' => out.push_str(&format!("%{:02X}", c as u32)),
                    c => out.push(c),
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join("/")
}
