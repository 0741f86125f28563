//! The `config` object of each integration type, with the API's camelCase
//! names. Every field is optional here: which ones are required depends on the
//! type, the authentication type and the operation, and is checked by the
//! emulator and by the provider, not by deserialization. Fields this version
//! does not know are kept in `extra` and sent back unchanged.

use crate::secret::Secret;
use crate::types::IntegrationType;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Fields of a config object that no struct here names.
pub type Extra = Map<String, Value>;

/// `{ "enabled": bool }`, the shape of Snowflake's `audit`, `workspaces`,
/// `lineage` and Databricks' `audit`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Toggle {
    /// Whether the feature is on.
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub enabled: Option<bool>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Toggle {
    /// A toggle with `enabled` set.
    pub fn enabled(on: bool) -> Self {
        Toggle {
            enabled: Some(on),
            extra: Extra::new(),
        }
    }
}

/// User impersonation (Snowflake, Redshift, Azure Synapse).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Impersonation {
    /// Whether impersonation is on.
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub enabled: Option<bool>,
    /// The role Immuta creates for impersonation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// OAuth client-credentials settings (Snowflake `oAuthClientCredentials`,
/// Databricks `oAuthM2M`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuthClientConfig {
    /// Identity provider (Snowflake).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The OAuth client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The OAuth client secret (when no certificate is used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
    /// The token endpoint's base URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority_url: Option<String>,
    /// OAuth scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Snowflake: the resource requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Authenticate with a certificate instead of a secret.
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub use_certificate: Option<bool>,
    /// Thumbprint of the public certificate (with `useCertificate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_certificate_thumbprint: Option<String>,
    /// Private key for the certificate (with `useCertificate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_private_key: Option<Secret>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Snowflake key-pair authentication's private key.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateKey {
    /// Always `PRIV_KEY_FILE` in Immuta's examples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
    /// The file name the key came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_filename: Option<String>,
    /// The PEM content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Secret>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Snowflake's config.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnowflakeConfig {
    /// Account host, e.g. `org.us-east-1.snowflakecomputing.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Port; Immuta fills in 443.
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_u16",
        skip_serializing_if = "Option::is_none"
    )]
    pub port: Option<u16>,
    /// Default warehouse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warehouse: Option<String>,
    /// Database Immuta creates and manages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// Privileged role used to bootstrap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// `userPassword`, `keyPair` or `oAuthClientCredentials`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_type: Option<String>,
    /// User name (redacted on GET).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<Secret>,
    /// Password (redacted on GET).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    /// Key-pair authentication's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key: Option<PrivateKey>,
    /// Passphrase of an encrypted private key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key_password: Option<Secret>,
    /// OAuth client-credentials settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub o_auth_client_config: Option<OAuthClientConfig>,
    /// Query audit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<Toggle>,
    /// Project workspaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspaces: Option<Toggle>,
    /// User impersonation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impersonation: Option<Impersonation>,
    /// Lineage ingestion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lineage: Option<Toggle>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Databricks' `groupPattern`: the group exempt from Immuta's policies.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupPattern {
    /// The exempt group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deny: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Databricks Unity Catalog's config.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatabricksConfig {
    /// Workspace URL, e.g. `my-workspace.cloud.databricks.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_url: Option<String>,
    /// HTTP path of the SQL warehouse or cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_path: Option<String>,
    /// Catalog Immuta creates for its metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<String>,
    /// `token` or `oAuthM2M`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_type: Option<String>,
    /// Personal access token (redacted on GET).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<Secret>,
    /// OAuth machine-to-machine settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub o_auth_client_config: Option<OAuthClientConfig>,
    /// Query audit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<Toggle>,
    /// The exempt group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_pattern: Option<GroupPattern>,
    /// Workspaces whose audit Immuta ingests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_ids: Option<Vec<String>>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Google BigQuery's config.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BigQueryConfig {
    /// Role Immuta creates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Suffix of the policy-enforced datasets; starts with `_`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset_suffix: Option<String>,
    /// Dataset Immuta creates for its views.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<String>,
    /// Location (region) of the datasets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The service account's key file, as a JSON string (redacted on GET).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<Secret>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Okta settings of a Redshift integration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OktaConfig {
    /// Okta user (redacted on GET).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<Secret>,
    /// Okta password (redacted on GET).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    /// Okta application id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// Okta identity provider host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idp_host: Option<String>,
    /// Role assumed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Redshift's config.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RedshiftConfig {
    /// Cluster host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Port; Immuta fills in 5439.
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_u16",
        skip_serializing_if = "Option::is_none"
    )]
    pub port: Option<u16>,
    /// Database Immuta creates and manages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// Existing database Immuta connects to first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_database: Option<String>,
    /// `userPassword` or `okta`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_type: Option<String>,
    /// User name (redacted on GET).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<Secret>,
    /// Password (redacted on GET).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    /// Okta settings (with `okta`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub okta: Option<OktaConfig>,
    /// User impersonation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impersonation: Option<Impersonation>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Azure Synapse's `metadataDelimiters`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetadataDelimiters {
    /// Delimiter between hash entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_delimiter: Option<String>,
    /// Delimiter between a hash's key and value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_key_delimiter: Option<String>,
    /// Delimiter between array entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub array_delimiter: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Azure Synapse Analytics' config.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AzureSynapseConfig {
    /// Workspace SQL host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Port; Immuta fills in 1433.
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_u16",
        skip_serializing_if = "Option::is_none"
    )]
    pub port: Option<u16>,
    /// Database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// Schema where Immuta manages its views.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// `userPassword`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_type: Option<String>,
    /// User name (redacted on GET).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<Secret>,
    /// Password (redacted on GET).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    /// Delimiters of metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata_delimiters: Option<MetadataDelimiters>,
    /// User impersonation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impersonation: Option<Impersonation>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Amazon S3's config.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct S3Config {
    /// Integration name, unique across S3 integrations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// AWS account id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_account_id: Option<String>,
    /// AWS region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_region: Option<String>,
    /// IAM role ARN for the Access Grants location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_location_role: Option<String>,
    /// Base S3 location prefix, unique across S3 integrations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_location_path: Option<String>,
    /// `auto` or `accessKey`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_type: Option<String>,
    /// Role to assume (with `auto`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_role_to_assume: Option<String>,
    /// Access key id (with `accessKey`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_access_key_id: Option<String>,
    /// Secret access key (with `accessKey`; redacted on GET).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_secret_access_key: Option<Secret>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Starburst (Trino)'s config: nothing is sent; GET shows the Immuta API key
/// the cluster is configured with.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrinoConfig {
    /// The Immuta API key for the Starburst cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<Secret>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A config object, typed by its integration's type.
// Configs are few and short-lived; boxing each variant would only make every
// match on them noisier.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum IntegrationConfig {
    /// Snowflake.
    Snowflake(SnowflakeConfig),
    /// Databricks Unity Catalog.
    Databricks(DatabricksConfig),
    /// Google BigQuery.
    BigQuery(BigQueryConfig),
    /// Redshift.
    Redshift(RedshiftConfig),
    /// Azure Synapse Analytics.
    AzureSynapse(AzureSynapseConfig),
    /// Amazon S3.
    S3(S3Config),
    /// Starburst (Trino).
    Trino(TrinoConfig),
    /// A type this version does not know: the object as it came.
    Other(Map<String, Value>),
}

impl IntegrationConfig {
    /// Reads a config object for the given type.
    pub fn from_value(ty: &IntegrationType, value: Value) -> Result<Self, serde_json::Error> {
        use serde_json::from_value as fv;
        Ok(match ty {
            IntegrationType::Snowflake => IntegrationConfig::Snowflake(fv(value)?),
            IntegrationType::Databricks => IntegrationConfig::Databricks(fv(value)?),
            IntegrationType::BigQuery => IntegrationConfig::BigQuery(fv(value)?),
            IntegrationType::Redshift => IntegrationConfig::Redshift(fv(value)?),
            IntegrationType::AzureSynapse => IntegrationConfig::AzureSynapse(fv(value)?),
            IntegrationType::S3 => IntegrationConfig::S3(fv(value)?),
            IntegrationType::Trino => IntegrationConfig::Trino(fv(value)?),
            IntegrationType::Other(_) => IntegrationConfig::Other(fv(value)?),
        })
    }

    /// The config object as JSON.
    pub fn to_value(&self) -> Value {
        let r = match self {
            IntegrationConfig::Snowflake(c) => serde_json::to_value(c),
            IntegrationConfig::Databricks(c) => serde_json::to_value(c),
            IntegrationConfig::BigQuery(c) => serde_json::to_value(c),
            IntegrationConfig::Redshift(c) => serde_json::to_value(c),
            IntegrationConfig::AzureSynapse(c) => serde_json::to_value(c),
            IntegrationConfig::S3(c) => serde_json::to_value(c),
            IntegrationConfig::Trino(c) => serde_json::to_value(c),
            IntegrationConfig::Other(m) => Ok(Value::Object(m.clone())),
        };
        // Plain structs of strings, numbers and maps with string keys always
        // serialize; an empty object is the harmless fallback.
        r.unwrap_or_else(|_| Value::Object(Map::new()))
    }

    /// The integration type this config belongs to.
    pub fn integration_type(&self) -> Option<IntegrationType> {
        Some(match self {
            IntegrationConfig::Snowflake(_) => IntegrationType::Snowflake,
            IntegrationConfig::Databricks(_) => IntegrationType::Databricks,
            IntegrationConfig::BigQuery(_) => IntegrationType::BigQuery,
            IntegrationConfig::Redshift(_) => IntegrationType::Redshift,
            IntegrationConfig::AzureSynapse(_) => IntegrationType::AzureSynapse,
            IntegrationConfig::S3(_) => IntegrationType::S3,
            IntegrationConfig::Trino(_) => IntegrationType::Trino,
            IntegrationConfig::Other(_) => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn snowflake_get_example_reads_with_defaults_and_redaction() {
        let v = json!({
            "host": "organization.us-east-1.snowflakecomputing.com",
            "warehouse": "SAMPLE_WAREHOUSE",
            "database": "SNOWFLAKE_SAMPLE_DATA",
            "port": 443,
            "audit": {"enabled": false},
            "workspaces": {"enabled": false},
            "impersonation": {"enabled": false},
            "lineage": {"enabled": false},
            "authenticationType": "userPassword",
            "username": "<REDACTED>",
            "password": "<REDACTED>",
            "role": "ACCOUNTADMIN",
            "someFutureField": {"x": 1}
        });
        let c = IntegrationConfig::from_value(&IntegrationType::Snowflake, v.clone()).unwrap();
        let IntegrationConfig::Snowflake(s) = &c else {
            panic!("wrong variant")
        };
        assert_eq!(s.port, Some(443));
        assert!(s.password.as_ref().unwrap().is_redacted());
        assert_eq!(s.audit, Some(Toggle::enabled(false)));
        assert_eq!(s.extra.get("someFutureField"), Some(&json!({"x": 1})));
        // Unknown fields go back out unchanged.
        assert_eq!(c.to_value(), v);
    }

    #[test]
    fn unset_fields_are_not_sent() {
        let c = IntegrationConfig::S3(S3Config {
            name: Some("s3".into()),
            ..Default::default()
        });
        assert_eq!(c.to_value(), json!({"name": "s3"}));
    }

    #[test]
    fn wrong_field_type_is_an_error_naming_it() {
        let err = IntegrationConfig::from_value(
            &IntegrationType::Snowflake,
            json!({"host": "h", "port": "four-four-three"}),
        )
        .unwrap_err();
        assert!(err.to_string().contains("invalid type"), "{err}");
    }
}
