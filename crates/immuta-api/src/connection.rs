//! Serde models of Immuta's connection API: `/data/connection`,
//! `/data/object`, `/data/settings`, `/data/crawl` and `/jobs`.
//!
//! A connection wraps a native integration (`nativeIntegration`, the
//! `{type, autoBootstrap, config}` object `/integrations` takes, read through
//! [`IntegrationPayload`] and its typed [`IntegrationConfig`]) and adds
//! Immuta's object hierarchy: connection → database → schema → table.
//!
//! Immuta documents the create body and little else; every answer here is
//! read tolerantly, as the integration models are: unknown fields are kept
//! in `extra`, flags and counts may come as strings, ids as numbers or
//! strings, secrets as `<REDACTED>`, `REDACTED` or `[REDACTED]`, and the
//! search and job answers in more than one shape
//! (`docs/immuta-api-assumptions.md` lists each guess).

use crate::config::{Extra, IntegrationConfig, OAuthClientConfig, PrivateKey};
use crate::integration::IntegrationPayload;
use crate::secret::Secret;
use crate::types::{IntegrationId, IntegrationType};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use std::fmt;

/// The `nativeIntegration.type` of an AWS Lake Formation connection (a
/// guess: Immuta's pages show only Snowflake's and Databricks').
pub const LAKE_FORMATION_TYPE: &str = "AWS Lake Formation";

/// `connection.technology`: which platform a connection reaches.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Technology {
    /// Snowflake.
    Snowflake,
    /// Databricks Unity Catalog.
    Databricks,
    /// AWS Lake Formation (`AWS Lake Formation`, a guess).
    LakeFormation,
    /// A technology this version does not know, kept verbatim.
    Other(String),
}

impl Technology {
    /// The technologies whose connection API Immuta documents.
    pub const ALL: [Technology; 3] = [
        Technology::Snowflake,
        Technology::Databricks,
        Technology::LakeFormation,
    ];

    /// The API's string.
    pub fn as_str(&self) -> &str {
        match self {
            Technology::Snowflake => "Snowflake",
            Technology::Databricks => "Databricks",
            Technology::LakeFormation => LAKE_FORMATION_TYPE,
            Technology::Other(s) => s,
        }
    }

    /// The `nativeIntegration.type` a connection of this technology carries.
    pub fn native_type(&self) -> IntegrationType {
        match self {
            Technology::Snowflake => IntegrationType::Snowflake,
            Technology::Databricks => IntegrationType::Databricks,
            other => IntegrationType::Other(other.as_str().to_string()),
        }
    }

    /// Whether the native integration has set-up and removal scripts
    /// (`/integrations/scripts/create`, `/integrations/{id}/scripts/delete`):
    /// Snowflake and Databricks; Lake Formation has no script step.
    pub fn has_scripts(&self) -> bool {
        matches!(self, Technology::Snowflake | Technology::Databricks)
    }
}

impl From<&str> for Technology {
    fn from(s: &str) -> Self {
        match s {
            "Snowflake" => Technology::Snowflake,
            "Databricks" => Technology::Databricks,
            LAKE_FORMATION_TYPE => Technology::LakeFormation,
            other => Technology::Other(other.to_string()),
        }
    }
}

impl fmt::Display for Technology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Technology {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Technology {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Technology::from(String::deserialize(d)?.as_str()))
    }
}

/// Whether a secret read from a connection answer is a placeholder rather
/// than a value: Immuta's `<REDACTED>` and `REDACTED`, and the
/// `[REDACTED]` of its newer connections API.
pub fn is_placeholder(secret: &Secret) -> bool {
    secret.is_redacted() || secret.expose() == "[REDACTED]"
}

/// The `connection` object: how Immuta reaches the platform. One struct for
/// the three technologies, as Immuta's payload reference lists them; which
/// fields a technology needs is the emulator's and the provider's to check.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionSpec {
    /// `Snowflake`, `Databricks` or `AWS Lake Formation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technology: Option<Technology>,
    /// Snowflake account URL or Databricks workspace host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// Port (Immuta's default 443).
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_u16",
        skip_serializing_if = "Option::is_none"
    )]
    pub port: Option<u16>,
    /// Snowflake: the warehouse Immuta's queries run on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warehouse: Option<String>,
    /// Snowflake: the privileged role of Immuta's system account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Databricks: the HTTP path of the SQL warehouse or cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_path: Option<String>,
    /// Snowflake `userPassword`, `keyPair`, `oAuthClientCredentials`;
    /// Databricks `token`, `oAuthM2M`; Lake Formation `auto`, `accessKey`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_type: Option<String>,
    /// Snowflake: the system account's user name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<Secret>,
    /// Snowflake: its password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    /// Snowflake key-pair authentication's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key: Option<PrivateKey>,
    /// Passphrase of an encrypted private key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key_password: Option<Secret>,
    /// OAuth client settings (Snowflake `oAuthClientCredentials`,
    /// Databricks `oAuthM2M`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub o_auth_client_config: Option<OAuthClientConfig>,
    /// Databricks: the service principal's personal access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<Secret>,
    /// Lake Formation: the AWS account of the Glue Data Catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_account_id: Option<String>,
    /// Lake Formation: its region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_region: Option<String>,
    /// Lake Formation: the IAM role Immuta assumes (with `auto`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_role_to_assume: Option<String>,
    /// Lake Formation: access key id (with `accessKey`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_access_key_id: Option<String>,
    /// Lake Formation: secret access key (with `accessKey`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_secret_access_key: Option<Secret>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The typed `nativeIntegration.config` of a Lake Formation connection
/// (Immuta's `IntegrationConfig` has no Lake Formation type; the field
/// names follow Native S3's, a guess). Read it from, and write it to,
/// [`IntegrationConfig::Other`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LakeFormationConfig {
    /// AWS account id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_account_id: Option<String>,
    /// AWS region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_region: Option<String>,
    /// `auto` or `accessKey`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_type: Option<String>,
    /// Role to assume (with `auto`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_role_to_assume: Option<String>,
    /// Access key id (with `accessKey`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_access_key_id: Option<String>,
    /// Secret access key (with `accessKey`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_secret_access_key: Option<Secret>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

impl LakeFormationConfig {
    /// Reads it from a native integration's config (`Other`, or any config
    /// through its JSON).
    pub fn from_config(config: &IntegrationConfig) -> Result<Self, serde_json::Error> {
        serde_json::from_value(config.to_value())
    }

    /// As the `Other` config a native integration carries.
    pub fn to_config(&self) -> IntegrationConfig {
        match serde_json::to_value(self) {
            Ok(Value::Object(m)) => IntegrationConfig::Other(m),
            _ => IntegrationConfig::Other(Extra::new()),
        }
    }
}

/// `isActive` of a settings body: enable, disable, or inherit the parent's.
/// Read from `true`/`false` (or their strings), `null` or `"inherit"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// `true`: the object (and what inherits from it) is active.
    Enable,
    /// `false`: inactive.
    Disable,
    /// `null`: no setting of its own; the parent's state applies.
    Inherit,
}

impl Activation {
    /// `Some(true)`, `Some(false)`, or `None` for inherit.
    pub fn as_bool(self) -> Option<bool> {
        match self {
            Activation::Enable => Some(true),
            Activation::Disable => Some(false),
            Activation::Inherit => None,
        }
    }
}

impl From<bool> for Activation {
    fn from(b: bool) -> Self {
        if b {
            Activation::Enable
        } else {
            Activation::Disable
        }
    }
}

impl Serialize for Activation {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.as_bool() {
            Some(b) => s.serialize_bool(b),
            None => s.serialize_none(),
        }
    }
}

impl<'de> Deserialize<'de> for Activation {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(Activation::Inherit),
            Value::Bool(b) => Ok(b.into()),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" => Ok(Activation::Enable),
                "false" => Ok(Activation::Disable),
                "inherit" => Ok(Activation::Inherit),
                _ => Err(de::Error::invalid_value(
                    de::Unexpected::Str(&s),
                    &"true, false, null or \"inherit\"",
                )),
            },
            _ => Err(de::Error::invalid_type(
                de::Unexpected::Other("a number, array or object"),
                &"true, false, null or \"inherit\"",
            )),
        }
    }
}

/// `isActive` as an optional member: absent is `None`, `null` is
/// `Some(Inherit)`.
fn opt_activation<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Activation>, D::Error> {
    Activation::deserialize(d).map(Some)
}

/// An optional count: a number, a string holding one, or `null`.
fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_u64()
            .map(Some)
            .ok_or_else(|| de::Error::custom("expected a count")),
        Value::String(s) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| de::Error::custom("expected a count or a string holding one")),
        _ => Err(de::Error::custom("expected a count")),
    }
}

/// A data owner of an object (a guess: a user or group, by id or name).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataOwner {
    /// `user` or `group`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Immuta's id of the user or group (a number or a string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<IntegrationId>,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The settings of an object path: the create body's `settings`, the body
/// of `PUT /data/settings/{objectPath}`, and the `settings` (what applies)
/// and `overrides` (what was set on the path itself) of an object.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectSettings {
    /// Enable, disable, or inherit (`null`).
    #[serde(
        default,
        deserialize_with = "opt_activation",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_active: Option<Activation>,
    /// Whether children that object sync finds later start active.
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub activate_new_children: Option<bool>,
    /// The data owners of the path's data sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_owners: Option<Vec<DataOwner>>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The create body's `options`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionOptions {
    /// Crawl every level at once instead of level by level.
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub force_recursive_crawl: Option<bool>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The body of `POST /data/connection` (and, by our guess, of
/// `PUT /data/connection/{connectionKey}`).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionPayload {
    /// A unique name; the root of every object path under it.
    pub connection_key: String,
    /// How Immuta reaches the platform.
    pub connection: ConnectionSpec,
    /// The root's settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<ObjectSettings>,
    /// Crawl options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<ConnectionOptions>,
    /// The wrapped integration (`autoBootstrap` is `false` in Immuta's
    /// examples).
    pub native_integration: IntegrationPayload,
}

/// What `GET /data/connection/{connectionKey}` answers (and, by default,
/// the create and update answers): everything optional but the key.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// The connection's key.
    pub connection_key: String,
    /// The connection object, secrets redacted or left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<ConnectionSpec>,
    /// The id of the wrapped integration under `/integrations`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub native_integration_id: Option<IntegrationId>,
    /// The wrapped integration, secrets redacted or left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub native_integration: Option<IntegrationPayload>,
    /// The root's settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<ObjectSettings>,
    /// Crawl options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<ConnectionOptions>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A native integration for `Debug`: an untyped (`Other`) config, as Lake
/// Formation's is, shows its keys only, since it may hold a secret.
struct NativeDebug<'a>(&'a IntegrationPayload);

impl fmt::Debug for NativeDebug<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("IntegrationPayload");
        d.field("integration_type", &self.0.integration_type)
            .field("auto_bootstrap", &self.0.auto_bootstrap);
        match &self.0.config {
            Some(IntegrationConfig::Other(m)) => d.field("config", &m.keys().collect::<Vec<_>>()),
            typed => d.field("config", typed),
        };
        d.finish()
    }
}

impl fmt::Debug for ConnectionPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionPayload")
            .field("connection_key", &self.connection_key)
            .field("connection", &self.connection)
            .field("settings", &self.settings)
            .field("options", &self.options)
            .field("native_integration", &NativeDebug(&self.native_integration))
            .finish()
    }
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("connection_key", &self.connection_key)
            .field("connection", &self.connection)
            .field("native_integration_id", &self.native_integration_id)
            .field(
                "native_integration",
                &self.native_integration.as_ref().map(NativeDebug),
            )
            .field("settings", &self.settings)
            .field("options", &self.options)
            .field("extra", &self.extra)
            .finish()
    }
}

mod objects;

pub use objects::*;

#[cfg(test)]
#[path = "connection_tests.rs"]
mod tests;
