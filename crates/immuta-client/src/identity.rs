//! What makes an integration the one a create asked for, so that a create
//! whose answer was lost can be found again instead of being sent twice.
//!
//! Immuta refuses (409) a second integration on the same target: one
//! Snowflake integration per host, one Databricks per workspace, one
//! Redshift or Synapse per host and database (each ignoring letter case),
//! S3 names and location paths unique (compared exactly: S3 locations are
//! case-sensitive). Only a target Immuta enforces names a create: BigQuery,
//! for which Immuta's pages state no such rule, and Trino (and any type
//! this version does not know) have nothing that names them, so their
//! creates are found by elimination (see [`crate::ImmutaClient::create`]).
//!
//! The emulator writes the same rule on its own (its 409s, one per type in
//! `immuta_emulator::types`): the two are kept apart as a cross-check, and
//! `tests/it/same_target.rs` holds them to one table. A new integration
//! type needs an arm in [`Identity::of`].

use immuta_api::{Integration, IntegrationConfig, IntegrationPayload};

/// The fields that name the target of a create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Identity {
    /// Snowflake: the account host.
    Host(String),
    /// Databricks: the workspace URL, without scheme or trailing `/`.
    Workspace(String),
    /// Redshift or Azure Synapse: host and database.
    HostDatabase(String, String),
    /// S3: the name and the location path, as sent; either one matching
    /// is enough.
    S3(Option<String>, Option<String>),
}

fn norm(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|v| !v.is_empty())
}

/// A value compared exactly: only an empty one is left out.
fn exact(s: &Option<String>) -> Option<String> {
    s.clone().filter(|v| !v.is_empty())
}

fn norm_url(s: &Option<String>) -> Option<String> {
    norm(s).map(|v| {
        v.trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string()
    })
}

impl Identity {
    /// The identity of a config, or `None` when it has none (BigQuery,
    /// Trino, an unknown type, or the naming fields unset).
    pub(crate) fn of(config: Option<&IntegrationConfig>) -> Option<Identity> {
        match config? {
            IntegrationConfig::Snowflake(c) => norm(&c.host).map(Identity::Host),
            IntegrationConfig::Databricks(c) => norm_url(&c.workspace_url).map(Identity::Workspace),
            IntegrationConfig::Redshift(c) => {
                Some(Identity::HostDatabase(norm(&c.host)?, norm(&c.database)?))
            }
            IntegrationConfig::AzureSynapse(c) => {
                Some(Identity::HostDatabase(norm(&c.host)?, norm(&c.database)?))
            }
            IntegrationConfig::S3(c) => {
                let (n, p) = (exact(&c.name), exact(&c.aws_location_path));
                (n.is_some() || p.is_some()).then_some(Identity::S3(n, p))
            }
            IntegrationConfig::BigQuery(_)
            | IntegrationConfig::Trino(_)
            | IntegrationConfig::Other(_) => None,
        }
    }

    /// The identity of a create payload.
    pub(crate) fn of_payload(p: &IntegrationPayload) -> Option<Identity> {
        Identity::of(p.config.as_ref())
    }

    /// Whether an existing integration is on the same target.
    pub(crate) fn matches(&self, other: &Integration) -> bool {
        self.matches_config(other.config.as_ref())
    }

    /// Whether a config (of the same type) is on the same target.
    fn matches_config(&self, other: Option<&IntegrationConfig>) -> bool {
        let Some(theirs) = Identity::of(other) else {
            return false;
        };
        match (self, &theirs) {
            (Identity::S3(n1, p1), Identity::S3(n2, p2)) => {
                (n1.is_some() && n1 == n2) || (p1.is_some() && p1 == p2)
            }
            _ => *self == theirs,
        }
    }
}

/// Whether two configs name the same target, as the create guard judges it:
/// both of one type, and on the host, workspace, host and database, or S3
/// name or location path of the other (the targets Immuta refuses a second
/// integration on). Never for BigQuery, Trino or a type this version does
/// not know.
pub fn same_target(a: &IntegrationConfig, b: &IntegrationConfig) -> bool {
    a.integration_type() == b.integration_type()
        && Identity::of(Some(a)).is_some_and(|me| me.matches_config(Some(b)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use immuta_api::config::{DatabricksConfig, RedshiftConfig, S3Config, SnowflakeConfig};
    use immuta_api::{IntegrationStatus, IntegrationType};

    fn existing(ty: IntegrationType, config: IntegrationConfig) -> Integration {
        Integration {
            id: "9".into(),
            integration_type: ty,
            status: IntegrationStatus::Enabled,
            auto_bootstrap: None,
            validation_results: None,
            config: Some(config),
            extra: Default::default(),
        }
    }

    #[test]
    fn snowflake_and_databricks_match_on_their_host() {
        let ours = Identity::of(Some(&IntegrationConfig::Snowflake(SnowflakeConfig {
            host: Some(" Acme.snowflakecomputing.com".into()),
            ..Default::default()
        })))
        .unwrap();
        let theirs = existing(
            IntegrationType::Snowflake,
            IntegrationConfig::Snowflake(SnowflakeConfig {
                host: Some("acme.snowflakecomputing.com".into()),
                password: Some("<REDACTED>".into()),
                ..Default::default()
            }),
        );
        assert!(ours.matches(&theirs));
        let other = existing(
            IntegrationType::Snowflake,
            IntegrationConfig::Snowflake(SnowflakeConfig {
                host: Some("other.snowflakecomputing.com".into()),
                ..Default::default()
            }),
        );
        assert!(!ours.matches(&other));

        let dbx = |u: &str| {
            IntegrationConfig::Databricks(DatabricksConfig {
                workspace_url: Some(u.into()),
                ..Default::default()
            })
        };
        let ours = Identity::of(Some(&dbx("https://w.cloud.databricks.com/"))).unwrap();
        assert!(ours.matches(&existing(
            IntegrationType::Databricks,
            dbx("w.cloud.databricks.com")
        )));
    }

    #[test]
    fn redshift_needs_host_and_database() {
        let rs = |h: &str, d: Option<&str>| {
            IntegrationConfig::Redshift(RedshiftConfig {
                host: Some(h.into()),
                database: d.map(Into::into),
                ..Default::default()
            })
        };
        let ours = Identity::of(Some(&rs("h", Some("db")))).unwrap();
        assert!(ours.matches(&existing(IntegrationType::Redshift, rs("H", Some("DB")))));
        assert!(!ours.matches(&existing(IntegrationType::Redshift, rs("h", Some("db2")))));
        assert!(Identity::of(Some(&rs("h", None))).is_none());
    }

    #[test]
    fn s3_matches_on_name_or_path() {
        let s3 = |n: Option<&str>, p: Option<&str>| {
            IntegrationConfig::S3(S3Config {
                name: n.map(Into::into),
                aws_location_path: p.map(Into::into),
                ..Default::default()
            })
        };
        let ours = Identity::of(Some(&s3(Some("a"), Some("s3://b/")))).unwrap();
        assert!(ours.matches(&existing(IntegrationType::S3, s3(Some("a"), None))));
        assert!(ours.matches(&existing(
            IntegrationType::S3,
            s3(Some("z"), Some("s3://b/"))
        )));
        assert!(!ours.matches(&existing(
            IntegrationType::S3,
            s3(Some("z"), Some("s3://c/"))
        )));
        assert!(Identity::of(Some(&s3(None, None))).is_none());
        // S3 locations are case-sensitive: another case is another target.
        assert!(!ours.matches(&existing(
            IntegrationType::S3,
            s3(Some("A"), Some("s3://B/"))
        )));
    }

    #[test]
    fn bigquery_trino_and_unknown_types_have_no_identity() {
        assert!(Identity::of(None).is_none());
        let bq = IntegrationConfig::BigQuery(immuta_api::config::BigQueryConfig {
            dataset: Some("immuta".into()),
            location: Some("us-east1".into()),
            ..Default::default()
        });
        assert!(Identity::of(Some(&bq)).is_none());
        assert!(!same_target(&bq, &bq));
        assert!(Identity::of(Some(&IntegrationConfig::Trino(Default::default()))).is_none());
        assert!(Identity::of(Some(&IntegrationConfig::Other(Default::default()))).is_none());
    }
}
