//! The answers of the connection API, shaped by the guesses: secrets
//! redacted, bracketed or left out; defaults echoed or not; ids and
//! scalars as the integration switches say; jobs as a summary or a list.

use super::store::{Bulk, Conn, ConnState};
use crate::guesses::{scalars_to_strings, ConnectionSecrets, Guesses, IdType, JobShape, Redact};
use crate::validate::{fill_defaults, redact};
use immuta_api::connection::{
    is_placeholder, Activation, BulkJob, DataObject, Job, ObjectSettings, ObjectState, Technology,
};
use immuta_api::{IntegrationConfig, Secret, REDACTED};
use serde_json::{json, Value};

/// The secrets of a `connection` object (and of Lake Formation's native
/// config), as JSON pointers; user names count, as on `/integrations`.
const SECRETS: &[&str] = &[
    "/username",
    "/password",
    "/privateKey/content",
    "/privateKeyPassword",
    "/oAuthClientConfig/clientSecret",
    "/oAuthClientConfig/oauthPrivateKey",
    "/token",
    "/awsSecretAccessKey",
];

/// What `--redact=more` hides as well.
const MORE: &[&str] = &["/role", "/awsAccessKeyId", "/awsRoleToAssume"];

/// The connection's default port (Snowflake and Databricks).
const DEFAULT_PORT: u16 = 443;

/// Replaces the strings at `paths` with `<REDACTED>`.
fn hide(v: &mut Value, paths: &[&str]) {
    for p in paths {
        if let Some(x) = v.pointer_mut(p).filter(|x| x.is_string()) {
            *x = Value::from(REDACTED);
        }
    }
}

/// Every placeholder string in `v` shown as `mode` says: kept, made
/// `[REDACTED]`, or its member removed.
fn show_placeholders(v: &mut Value, mode: ConnectionSecrets) {
    let is_ph = |x: &Value| x.as_str().is_some_and(|s| is_placeholder(&Secret::new(s)));
    match v {
        Value::Object(m) => {
            if mode == ConnectionSecrets::Omitted {
                m.retain(|_, x| !is_ph(x));
            }
            for x in m.values_mut() {
                if mode == ConnectionSecrets::Bracketed && is_ph(x) {
                    *x = Value::from("[REDACTED]");
                } else {
                    show_placeholders(x, mode);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| show_placeholders(x, mode)),
        _ => {}
    }
}

fn redacted(mut v: Value, g: &Guesses) -> Value {
    hide(&mut v, SECRETS);
    if g.redact == Redact::More {
        hide(&mut v, MORE);
    }
    v
}

fn shape_id(id: u64, g: &Guesses) -> Value {
    match g.id_type {
        IdType::Number => Value::from(id),
        IdType::String => Value::from(id.to_string()),
    }
}

/// The root's settings as GET shows them.
fn root_settings(st: &ConnState, key: &str, g: &Guesses) -> ObjectSettings {
    let root = vec![key.to_string()];
    let node = st.objects.get(&root).cloned().unwrap_or_default();
    let mut s = ObjectSettings {
        is_active: node.own_active.map(Activation::from),
        activate_new_children: node.own_activate_new,
        data_owners: node.data_owners,
        ..Default::default()
    };
    if g.echo_defaults {
        s.is_active = Some(st.is_active(&root).into());
        s.activate_new_children = Some(st.activate_new(&root));
    }
    s
}

/// `GET /data/connection/{connectionKey}`.
pub fn connection_json(st: &ConnState, key: &str, c: &Conn, g: &Guesses) -> Value {
    let mut spec = c.spec.clone();
    if g.echo_defaults && c.technology != Technology::LakeFormation && spec.port.is_none() {
        spec.port = Some(DEFAULT_PORT);
    }
    let mut connection = redacted(serde_json::to_value(&spec).unwrap_or_default(), g);
    let mut native = c.native.clone();
    native.config = native.config.map(|mut cfg| match cfg {
        IntegrationConfig::Other(_) => cfg,
        _ => {
            if g.echo_defaults {
                fill_defaults(&mut cfg);
            }
            redact(&cfg, g.redact)
        }
    });
    let mut native = serde_json::to_value(&native).unwrap_or_default();
    if let Some(cfg) = native
        .get_mut("config")
        .filter(|_| !c.technology.has_scripts())
    {
        *cfg = redacted(cfg.take(), g);
    }
    let mut options = c.options.clone().unwrap_or_default();
    if g.echo_defaults && options.force_recursive_crawl.is_none() {
        options.force_recursive_crawl = Some(false);
    }
    let mut settings = serde_json::to_value(root_settings(st, key, g)).unwrap_or_default();
    let mut options = serde_json::to_value(options).unwrap_or_default();
    show_placeholders(&mut connection, g.connection_secrets);
    show_placeholders(&mut native, g.connection_secrets);
    if g.scalars_as_strings {
        for v in [&mut connection, &mut native, &mut settings, &mut options] {
            scalars_to_strings(v);
        }
    }
    let mut out = json!({
        "connectionKey": key,
        "connection": connection,
        "nativeIntegrationId": shape_id(c.native_id, g),
        "nativeIntegration": native,
        "settings": settings,
    });
    if options.as_object().is_some_and(|m| !m.is_empty()) {
        out["options"] = options;
    }
    out
}

/// `GET /data/object/{objectPath}` and a search hit.
pub fn object(st: &ConnState, t: &Technology, path: &[String], g: &Guesses) -> DataObject {
    let node = st.objects.get(path).cloned().unwrap_or_default();
    let owners = (1..=path.len()).rev().find_map(|n| {
        st.objects
            .get(&path[..n])
            .and_then(|x| x.data_owners.clone())
    });
    let mut d = DataObject {
        object_path: path.to_vec(),
        name: path.last().cloned(),
        kind: Some(super::store::kind_of(t, path).to_string()),
        technology: Some(t.clone()),
        state: Some(ObjectState {
            is_active: Some(st.is_active(path)),
            in_platform: Some(node.in_platform),
            ..Default::default()
        }),
        settings: Some(ObjectSettings {
            is_active: Some(st.is_active(path).into()),
            activate_new_children: Some(st.activate_new(path)),
            data_owners: owners,
            ..Default::default()
        }),
        overrides: Some(ObjectSettings {
            is_active: node.own_active.map(Activation::from),
            activate_new_children: node.own_activate_new,
            data_owners: node.data_owners,
            ..Default::default()
        }),
        child_count: Some(st.children(path).count() as u64),
        ..Default::default()
    };
    if !g.echo_defaults {
        d.settings = None;
    }
    d
}

/// The JSON of an object, scalars shaped.
pub fn object_json(d: &DataObject, g: &Guesses) -> Value {
    let mut v = serde_json::to_value(d).unwrap_or_default();
    if g.scalars_as_strings {
        for key in ["state", "settings", "overrides", "childCount"] {
            if let Some(x) = v.get_mut(key) {
                scalars_to_strings(x);
            }
        }
    }
    v
}

/// `GET /jobs?bulkId=...` in the shape the guess says.
pub fn job_json(id: u64, job: &Bulk, g: &Guesses) -> Value {
    let jobs: Vec<Job> = job
        .paths
        .iter()
        .enumerate()
        .map(|(i, p)| Job {
            id: Some(format!("{id}-{}", i + 1).into()),
            bulk_id: Some(id.to_string().into()),
            status: job.status.clone(),
            object_path: Some(p.clone()),
            extra: Default::default(),
        })
        .collect();
    let mut v = match g.job_shape {
        JobShape::List => serde_json::to_value(&jobs).unwrap_or_default(),
        JobShape::Summary => {
            let mut s = BulkJob::from_jobs(Some(id.to_string().into()), &jobs);
            s.status = job.status.clone();
            serde_json::to_value(s).unwrap_or_default()
        }
    };
    if g.id_type == IdType::Number {
        let number = |x: &mut Value| {
            if let Some(b) = x.get_mut("bulkId") {
                *b = Value::from(id);
            }
        };
        match &mut v {
            Value::Array(a) => a.iter_mut().for_each(number),
            other => number(other),
        }
    }
    v
}

/// `{bulkId}` (and perhaps more) of an operation that started a job.
pub fn bulk_json(id: u64, g: &Guesses) -> Value {
    json!({ "bulkId": shape_id(id, g) })
}
