//! The body of a DELETE that needs privileged credentials.

use crate::config::{Extra, OktaConfig};
use crate::secret::Secret;
use serde::{Deserialize, Serialize};

/// Privileged credentials sent with `DELETE /integrations/{id}` for an
/// auto-bootstrapped Snowflake, Redshift or Azure Synapse integration, so
/// Immuta can remove what it created on the platform.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteCredentials {
    /// How the credentials authenticate, as in the config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_type: Option<String>,
    /// User name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<Secret>,
    /// Password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    /// Privileged role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Key-pair authentication's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key: Option<crate::config::PrivateKey>,
    /// Passphrase of an encrypted private key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key_password: Option<Secret>,
    /// Okta settings (Redshift).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub okta: Option<OktaConfig>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl DeleteCredentials {
    /// Whether nothing at all is set.
    pub fn is_empty(&self) -> bool {
        self == &DeleteCredentials::default()
    }
}
