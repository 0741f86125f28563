//! The guesses the emulator makes where Immuta's page is silent, each one a
//! switch, so that a client can be tested against every answer the page
//! allows. [`Guesses::default()`] is what we believe most likely;
//! [`Guesses::alternatives()`] flips every switch at once and
//! [`Guesses::variants()`] one at a time.
//!
//! Set them with `EmulatorBuilder::guesses`, change them at run time with
//! `EmulatorHandle::set_guesses`, or pass the binary the flags
//! [`Guesses::flags`] lists (`--echo-defaults=false`, `--trino-key=create`...).

use immuta_api::{Integration, OperationResponse};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;
use std::str::FromStr;

/// Each guess, as the `Default` (what the emulator did before the switches
/// existed) or an alternative the page allows as well.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Guesses {
    /// `--echo-defaults=true|false` (default true): GET and the list fill in
    /// the defaults the request did not send (Snowflake `port` 443 and
    /// `audit`, `workspaces`, `impersonation`, `lineage` `{"enabled": false}`,
    /// `privateKey.keyName`; Databricks `audit`; Redshift `port` 5439 and
    /// `impersonation`; Synapse `port` 1433, `impersonation` and
    /// `metadataDelimiters`; `impersonation.role` when enabled without one).
    /// false: they show only what was sent, as it was sent.
    pub echo_defaults: bool,
    /// `--trino-key=get|create|never` (default get): where Trino's generated
    /// API key (`config.apiKey`) is answered.
    pub trino_key: TrinoKey,
    /// `--redact=secrets|more` (default secrets): which strings GET and the
    /// list answer as `<REDACTED>`.
    pub redact: Redact,
    /// `--force-disable=delete|disabled` (default delete): what
    /// `DELETE ?forceDisable=true` ends in.
    pub force_disable: ForceDisable,
    /// `--status-shape=object|string` (default object): the shape of
    /// `GET /integrations/{id}/status`.
    pub status_shape: StatusShape,
    /// `--id-type=string|number` (default string): `"1"` or `1` for ids in
    /// every answer.
    pub id_type: IdType,
    /// `--store-redacted-put` (default false): a PUT carrying `<REDACTED>`
    /// (or `REDACTED`) for a secret stores that literal instead of keeping
    /// the stored secret.
    pub store_redacted_put: bool,
    /// `--scalars-as-strings` (default false): every number and boolean in
    /// `config` and `autoBootstrap` of GET and list answers (and of the
    /// integration regenerate answers) is sent as a string (`"5439"`,
    /// `"true"`).
    pub scalars_as_strings: bool,
    /// `--delete-body=refuse|ignore` (default refuse): what becomes of a
    /// DELETE body sent where none is needed (Native S3, Google BigQuery,
    /// Trino, Databricks, or `autoBootstrap: false`).
    pub delete_body: DeleteBody,
    /// `--connection-answer=connection|job|empty` (default connection):
    /// what `POST` and `PUT /data/connection` answer.
    pub connection_answer: ConnectionAnswer,
    /// `--connection-put=full|merge` (default full): what
    /// `PUT /data/connection/{connectionKey}` does with what its body
    /// leaves out.
    pub connection_put: ConnectionPut,
    /// `--connection-secrets=redacted|bracketed|omitted` (default
    /// redacted): how `GET /data/connection` shows secrets.
    pub connection_secrets: ConnectionSecrets,
    /// `--job-shape=summary|list` (default summary): the shape of
    /// `GET /jobs?bulkId=...`.
    pub job_shape: JobShape,
    /// `--connection-delete=sync|job` (default sync): whether
    /// `DELETE /data/object/{connectionKey}` removes the connection at once
    /// or through a bulk job.
    pub connection_delete: ConnectionDelete,
}

impl Default for Guesses {
    fn default() -> Self {
        Guesses {
            echo_defaults: true,
            trino_key: TrinoKey::default(),
            redact: Redact::default(),
            force_disable: ForceDisable::default(),
            status_shape: StatusShape::default(),
            id_type: IdType::default(),
            store_redacted_put: false,
            scalars_as_strings: false,
            delete_body: DeleteBody::default(),
            connection_answer: ConnectionAnswer::default(),
            connection_put: ConnectionPut::default(),
            connection_secrets: ConnectionSecrets::default(),
            job_shape: JobShape::default(),
            connection_delete: ConnectionDelete::default(),
        }
    }
}

/// Declares a switch's values: `Copy`, `Default` (the first value), serde
/// and clap names in lower case, `FromStr` and `Display` by that name.
macro_rules! switch {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
        #[serde(rename_all = "lowercase")]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// The value's name on the command line and in JSON.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s.trim().to_ascii_lowercase().as_str() {
                    $( $text => Ok($name::$variant), )+
                    other => Err(format!(
                        "unknown value {other:?}, expected one of: {}",
                        [$($text),+].join(", ")
                    )),
                }
            }
        }
    };
}

switch! {
    /// Where Trino's generated Immuta API key is answered.
    pub enum TrinoKey {
        /// GET, the list and the regenerate answer carry `config.apiKey`;
        /// the create answer carries none.
        #[default]
        Get => "get",
        /// The create and regenerate answers carry `config.apiKey`; GET and
        /// the list answer it as `<REDACTED>`.
        Create => "create",
        /// No answer carries the key: GET leaves it out, regenerate answers
        /// the integration without it.
        Never => "never",
    }
}

switch! {
    /// Which strings GET and the list redact.
    pub enum Redact {
        /// Secrets only: passwords, tokens, keys, and user names.
        #[default]
        Secrets => "secrets",
        /// Also S3 `awsAccessKeyId` and `awsRoleToAssume`, Redshift
        /// `okta.appId`, `okta.idpHost` and `okta.role`, and every `role`
        /// (Snowflake, BigQuery, `impersonation.role`).
        More => "more",
    }
}

switch! {
    /// What `DELETE ?forceDisable=true` ends in.
    pub enum ForceDisable {
        /// The integration is removed (after `deleting`).
        #[default]
        Delete => "delete",
        /// It stays, with status `disabled` (after `deleting`); a second
        /// DELETE removes it.
        Disabled => "disabled",
    }
}

switch! {
    /// The shape of `GET /integrations/{id}/status`.
    pub enum StatusShape {
        /// `{"id", "status", "validationResults"}`.
        #[default]
        Object => "object",
        /// The bare status, e.g. `"enabled"`.
        String => "string",
    }
}

switch! {
    /// How ids are written in answers.
    pub enum IdType {
        /// `"1"`.
        #[default]
        String => "string",
        /// `1`.
        Number => "number",
    }
}

switch! {
    /// What becomes of a DELETE body where none is needed.
    pub enum DeleteBody {
        /// 400.
        #[default]
        Refuse => "refuse",
        /// Ignored: the DELETE goes on as if none was sent.
        Ignore => "ignore",
    }
}

switch! {
    /// What `POST` and `PUT /data/connection` answer.
    pub enum ConnectionAnswer {
        /// The connection, as `GET /data/connection/{connectionKey}` answers it.
        #[default]
        Connection => "connection",
        /// `{"connectionKey", "bulkId"}`: the crawl job it started.
        Job => "job",
        /// 204, no body.
        Empty => "empty",
    }
}

switch! {
    /// What `PUT /data/connection/{connectionKey}` does with what its body leaves out.
    pub enum ConnectionPut {
        /// The body replaces `connection`, `nativeIntegration` and `options`
        /// whole: what it leaves out is reset (the body is a create body).
        #[default]
        Full => "full",
        /// The body is merged over what is stored (JSON merge patch): what
        /// it leaves out is kept.
        Merge => "merge",
    }
}

switch! {
    /// How `GET /data/connection` shows secrets.
    pub enum ConnectionSecrets {
        /// `<REDACTED>`, as `/integrations` does.
        #[default]
        Redacted => "redacted",
        /// `[REDACTED]`, as Immuta's newer connections API does.
        Bracketed => "bracketed",
        /// Left out of the answer.
        Omitted => "omitted",
    }
}

switch! {
    /// The shape of `GET /jobs?bulkId=...`.
    pub enum JobShape {
        /// `{"bulkId", "status", "total", "completed", "failed"}`.
        #[default]
        Summary => "summary",
        /// `[{"id", "bulkId", "status", "objectPath"}, ...]`, one job per object.
        List => "list",
    }
}

switch! {
    /// How `DELETE /data/object/{connectionKey}` removes a connection.
    pub enum ConnectionDelete {
        /// At once: the answer is `{"childCount"}` and GET answers 404.
        #[default]
        Sync => "sync",
        /// Through a bulk job: `{"childCount", "bulkId"}`; the connection
        /// is gone when the job completes.
        Job => "job",
    }
}

impl Guesses {
    /// Every switch at its non-default value at once (`--trino-key=create`
    /// of the two).
    pub fn alternatives() -> Guesses {
        Guesses {
            echo_defaults: false,
            trino_key: TrinoKey::Create,
            redact: Redact::More,
            force_disable: ForceDisable::Disabled,
            status_shape: StatusShape::String,
            id_type: IdType::Number,
            store_redacted_put: true,
            scalars_as_strings: true,
            delete_body: DeleteBody::Ignore,
            connection_answer: ConnectionAnswer::Job,
            connection_put: ConnectionPut::Merge,
            connection_secrets: ConnectionSecrets::Bracketed,
            job_shape: JobShape::List,
            connection_delete: ConnectionDelete::Job,
        }
    }

    /// Like [`Guesses::variants`], for the connection API's switches: one
    /// entry per non-default value, named by its flag without the dashes.
    /// Kept apart so that the integration suites, which run every entry of
    /// `variants`, are not run again under switches they never meet.
    pub fn connection_variants() -> Vec<(&'static str, Guesses)> {
        let d = Guesses::default();
        let one = |name, g: Guesses| (name, g);
        vec![
            one(
                "connection-answer=job",
                Guesses {
                    connection_answer: ConnectionAnswer::Job,
                    ..d
                },
            ),
            one(
                "connection-answer=empty",
                Guesses {
                    connection_answer: ConnectionAnswer::Empty,
                    ..d
                },
            ),
            one(
                "connection-put=merge",
                Guesses {
                    connection_put: ConnectionPut::Merge,
                    ..d
                },
            ),
            one(
                "connection-secrets=bracketed",
                Guesses {
                    connection_secrets: ConnectionSecrets::Bracketed,
                    ..d
                },
            ),
            one(
                "connection-secrets=omitted",
                Guesses {
                    connection_secrets: ConnectionSecrets::Omitted,
                    ..d
                },
            ),
            one(
                "job-shape=list",
                Guesses {
                    job_shape: JobShape::List,
                    ..d
                },
            ),
            one(
                "connection-delete=job",
                Guesses {
                    connection_delete: ConnectionDelete::Job,
                    ..d
                },
            ),
        ]
    }

    /// One entry per non-default value of each switch, the others at their
    /// defaults, named by its flag without the dashes
    /// (`"trino-key=never"`, `"store-redacted-put"`).
    pub fn variants() -> Vec<(&'static str, Guesses)> {
        let d = Guesses::default();
        vec![
            (
                "echo-defaults=false",
                Guesses {
                    echo_defaults: false,
                    ..d
                },
            ),
            (
                "trino-key=create",
                Guesses {
                    trino_key: TrinoKey::Create,
                    ..d
                },
            ),
            (
                "trino-key=never",
                Guesses {
                    trino_key: TrinoKey::Never,
                    ..d
                },
            ),
            (
                "redact=more",
                Guesses {
                    redact: Redact::More,
                    ..d
                },
            ),
            (
                "force-disable=disabled",
                Guesses {
                    force_disable: ForceDisable::Disabled,
                    ..d
                },
            ),
            (
                "status-shape=string",
                Guesses {
                    status_shape: StatusShape::String,
                    ..d
                },
            ),
            (
                "id-type=number",
                Guesses {
                    id_type: IdType::Number,
                    ..d
                },
            ),
            (
                "store-redacted-put",
                Guesses {
                    store_redacted_put: true,
                    ..d
                },
            ),
            (
                "scalars-as-strings",
                Guesses {
                    scalars_as_strings: true,
                    ..d
                },
            ),
            (
                "delete-body=ignore",
                Guesses {
                    delete_body: DeleteBody::Ignore,
                    ..d
                },
            ),
        ]
    }

    /// The binary's flags that select these guesses: one per switch not at
    /// its default, e.g. `["--trino-key=never", "--store-redacted-put"]`.
    pub fn flags(&self) -> Vec<String> {
        let d = Guesses::default();
        [
            (self.echo_defaults != d.echo_defaults)
                .then(|| format!("--echo-defaults={}", self.echo_defaults)),
            (self.trino_key != d.trino_key).then(|| format!("--trino-key={}", self.trino_key)),
            (self.redact != d.redact).then(|| format!("--redact={}", self.redact)),
            (self.force_disable != d.force_disable)
                .then(|| format!("--force-disable={}", self.force_disable)),
            (self.status_shape != d.status_shape)
                .then(|| format!("--status-shape={}", self.status_shape)),
            (self.id_type != d.id_type).then(|| format!("--id-type={}", self.id_type)),
            self.store_redacted_put
                .then(|| "--store-redacted-put".to_string()),
            self.scalars_as_strings
                .then(|| "--scalars-as-strings".to_string()),
            (self.delete_body != d.delete_body)
                .then(|| format!("--delete-body={}", self.delete_body)),
            (self.connection_answer != d.connection_answer)
                .then(|| format!("--connection-answer={}", self.connection_answer)),
            (self.connection_put != d.connection_put)
                .then(|| format!("--connection-put={}", self.connection_put)),
            (self.connection_secrets != d.connection_secrets)
                .then(|| format!("--connection-secrets={}", self.connection_secrets)),
            (self.job_shape != d.job_shape).then(|| format!("--job-shape={}", self.job_shape)),
            (self.connection_delete != d.connection_delete)
                .then(|| format!("--connection-delete={}", self.connection_delete)),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// An integration object as GET, the list and regenerate answer it:
    /// ids and scalars shaped as these guesses say.
    pub(crate) fn integration_json(&self, integration: &Integration) -> Value {
        let mut v = serde_json::to_value(integration).unwrap_or_default();
        if self.scalars_as_strings {
            for key in ["config", "autoBootstrap"] {
                if let Some(x) = v.get_mut(key) {
                    scalars_to_strings(x);
                }
            }
        }
        self.shape_id(&mut v);
        v
    }

    /// What POST, PUT and DELETE answer, its id shaped.
    pub(crate) fn operation_json(&self, answer: &OperationResponse) -> Value {
        let mut v = serde_json::to_value(answer).unwrap_or_default();
        self.shape_id(&mut v);
        v
    }

    /// What `/status` answers: the operation object or the bare status.
    pub(crate) fn status_json(&self, answer: &OperationResponse) -> Value {
        match (self.status_shape, &answer.status) {
            (StatusShape::String, Some(s)) => Value::from(s.as_str()),
            _ => self.operation_json(answer),
        }
    }

    fn shape_id(&self, v: &mut Value) {
        if self.id_type != IdType::Number {
            return;
        }
        if let Some(id) = v.get_mut("id") {
            if let Some(n) = id.as_str().and_then(|s| s.parse::<u64>().ok()) {
                *id = Value::from(n);
            }
        }
    }
}

/// Every number and boolean inside `v`, as a string.
pub(crate) fn scalars_to_strings(v: &mut Value) {
    match v {
        Value::Number(n) => *v = Value::String(n.to_string()),
        Value::Bool(b) => *v = Value::String(b.to_string()),
        Value::Array(a) => a.iter_mut().for_each(scalars_to_strings),
        Value::Object(m) => m.values_mut().for_each(scalars_to_strings),
        Value::Null | Value::String(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_alternatives_and_variants() {
        let d = Guesses::default();
        assert!(d.echo_defaults && !d.store_redacted_put && !d.scalars_as_strings);
        assert_eq!(d.trino_key, TrinoKey::Get);
        assert!(d.flags().is_empty());
        let a = Guesses::alternatives();
        let v = Guesses::variants();
        assert_eq!(v.len(), 10);
        for (name, g) in &v {
            // One switch away from the default, named by its flag.
            assert_eq!(g.flags(), vec![format!("--{name}")]);
        }
        // The nine integration switches and the five of the connection API.
        assert_eq!(a.flags().len(), 14);
        let c = Guesses::connection_variants();
        assert_eq!(c.len(), 7);
        for (name, g) in &c {
            assert_eq!(g.flags(), vec![format!("--{name}")]);
        }
        assert!(v.iter().all(|(_, g)| *g != d));
    }

    #[test]
    fn serde_and_names() {
        let a = Guesses::alternatives();
        let j = serde_json::to_value(a).unwrap();
        assert_eq!(j["trinoKey"], "create");
        assert_eq!(j["statusShape"], "string");
        assert_eq!(serde_json::from_value::<Guesses>(j).unwrap(), a);
        let partial: Guesses = serde_json::from_value(json!({"idType": "number"})).unwrap();
        assert_eq!(
            partial,
            Guesses {
                id_type: IdType::Number,
                ..Guesses::default()
            }
        );
        assert!(serde_json::from_value::<Guesses>(json!({"nope": 1})).is_err());
        assert_eq!("NEVER".parse::<TrinoKey>(), Ok(TrinoKey::Never));
        assert!("sometimes"
            .parse::<TrinoKey>()
            .unwrap_err()
            .contains("get, create, never"));
        assert_eq!(DeleteBody::Ignore.to_string(), "ignore");
    }

    #[test]
    fn shapes() {
        let mut v = json!({"config": {"port": 5439, "audit": {"enabled": false}, "n": null, "s": "x",
                                      "ids": [1, "2"]}, "autoBootstrap": true});
        scalars_to_strings(&mut v);
        assert_eq!(
            v,
            json!({"config": {"port": "5439", "audit": {"enabled": "false"}, "n": null, "s": "x",
                              "ids": ["1", "2"]}, "autoBootstrap": "true"})
        );
        let g = Guesses {
            id_type: IdType::Number,
            status_shape: StatusShape::String,
            ..Guesses::default()
        };
        let op: OperationResponse =
            serde_json::from_value(json!({"id": "12", "status": "enabled"})).unwrap();
        assert_eq!(
            g.operation_json(&op),
            json!({"id": 12, "status": "enabled"})
        );
        assert_eq!(g.status_json(&op), json!("enabled"));
        assert_eq!(
            Guesses::default().status_json(&op),
            json!({"id": "12", "status": "enabled"})
        );
    }
}
