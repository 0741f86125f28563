//! `snowflake = { ... }`: Snowflake's config.

use super::block::{self, lenient_port, secret};
use super::defaults::{DefaultValue, DocumentedDefault};
use super::PlatformSpec;
use super::{
    impersonation_attribute, impersonation_check, impersonation_from, impersonation_to,
    oauth_attribute, oauth_check, oauth_from, oauth_to, only_with_auth, private_key_attribute,
    private_key_from, private_key_to, redacted_description, secret_description, toggle_attribute,
    toggle_from, toggle_to, when_unset, with_auth, Check, Form, ImpersonationBlock, OAuthBlock,
    Platform, PrivateKeyBlock, ToggleBlock,
};
use crate::framework::{Attribute, Type, Value};
use immuta_api::config::SnowflakeConfig;
use immuta_api::{DeleteCredentials, Secret};
use immuta_api::{IntegrationConfig, IntegrationType};
use serde::{Deserialize, Serialize};

/// Accepted `authentication_type` values.
pub const AUTH_TYPES: &[&str] = &["userPassword", "keyPair", "oAuthClientCredentials"];

/// Immuta's default port.
pub const DEFAULT_PORT: i64 = 443;

/// The table of `snowflake`.
pub struct Snowflake;

/// Immuta's documented defaults (see `defaults`).
const DOCUMENTED_DEFAULTS: &[DocumentedDefault] = &[
    (&["port"], DefaultValue::Int(443)),
    (&["audit"], DefaultValue::Off),
    (&["audit", "enabled"], DefaultValue::Bool(false)),
    (&["workspaces"], DefaultValue::Off),
    (&["workspaces", "enabled"], DefaultValue::Bool(false)),
    (&["impersonation"], DefaultValue::OffNoRole),
    (&["impersonation", "enabled"], DefaultValue::Bool(false)),
    (&["lineage"], DefaultValue::Off),
    (&["lineage", "enabled"], DefaultValue::Bool(false)),
    (
        &["private_key", "key_name"],
        DefaultValue::Str("PRIV_KEY_FILE"),
    ),
];

impl PlatformSpec for Snowflake {
    fn block_name(&self) -> &'static str {
        "snowflake"
    }

    fn integration_type(&self) -> IntegrationType {
        IntegrationType::Snowflake
    }

    fn described_as(&self) -> &'static str {
        "a Snowflake integration"
    }

    fn product_name(&self) -> &'static str {
        "Snowflake"
    }

    fn attributes(&self, form: Form) -> Vec<Attribute> {
        attributes(form)
    }

    fn authentication_types(&self) -> &'static [&'static str] {
        AUTH_TYPES
    }

    fn validate(&self, c: &mut Check<'_>, auto_bootstrap: Option<bool>) {
        validate(c, auto_bootstrap);
    }

    fn to_config(&self, block: &Value) -> Option<IntegrationConfig> {
        Some(IntegrationConfig::Snowflake(to_config(&block::read(block))))
    }

    fn block_from_config(
        &self,
        config: Option<&IntegrationConfig>,
        prior: &Value,
        ty: &Type,
    ) -> Option<Value> {
        match config {
            Some(IntegrationConfig::Snowflake(c)) => {
                block::write(&from_config(c, block::read_prior(prior).as_ref()), ty)
            }
            _ => None,
        }
    }

    fn documented_defaults(&self) -> &'static [DocumentedDefault] {
        DOCUMENTED_DEFAULTS
    }

    fn chosen_by_immuta(&self) -> &'static [&'static [&'static str]] {
        &[&["impersonation", "role"]]
    }

    fn delete_credentials(&self, block: &Value) -> Option<DeleteCredentials> {
        Some(delete_credentials(&block::read(block)))
    }
}

/// `snowflake = { ... }`: one field per attribute of [`attributes`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SnowflakeBlock {
    /// The account host.
    pub host: Option<String>,
    /// The port.
    #[serde(deserialize_with = "lenient_port")]
    pub port: Option<u16>,
    /// The default warehouse.
    pub warehouse: Option<String>,
    /// The database Immuta manages.
    pub database: Option<String>,
    /// The privileged role.
    pub role: Option<String>,
    /// How the system account signs in.
    pub authentication_type: Option<String>,
    /// The system account's user name (Immuta redacts it).
    pub username: Option<Secret>,
    /// The system account's password.
    pub password: Option<Secret>,
    /// The system account's private key.
    pub private_key: Option<PrivateKeyBlock>,
    /// The private key's passphrase.
    pub private_key_password: Option<Secret>,
    /// OAuth client-credentials settings.
    pub oauth_client_config: Option<OAuthBlock>,
    /// Query audit.
    pub audit: Option<ToggleBlock>,
    /// Project workspaces.
    pub workspaces: Option<ToggleBlock>,
    /// User impersonation.
    pub impersonation: Option<ImpersonationBlock>,
    /// Lineage ingestion.
    pub lineage: Option<ToggleBlock>,
}

/// The attributes of `snowflake`, described for `form`.
pub fn attributes(form: Form) -> Vec<Attribute> {
    vec![
        Attribute::string("host").optional().description(
            "The account host, e.g. `org.us-east-1.snowflakecomputing.com`. Must be set.",
        ),
        Attribute::number("port")
            .optional()
            .computed()
            .description(format!(
                "The port. {}",
                when_unset(form, "Immuta's default `443`")
            )),
        Attribute::string("warehouse").optional().description(
            "The default warehouse Immuta's system account runs queries in. Must be set.",
        ),
        Attribute::string("database")
            .optional()
            .description("The database Immuta creates and manages. Must be set."),
        Attribute::string("role").optional().description(
            "The privileged role Immuta uses to set the integration up. Must be set with \
             `auto_bootstrap = true`.",
        ),
        Attribute::string("authentication_type")
            .optional()
            .description(
            "How the system account signs in: `userPassword` (with `username` and `password`), \
             `keyPair` (with `username` and `private_key`) or `oAuthClientCredentials` (with \
             `oauth_client_config`). Must be set.",
        ),
        Attribute::string("username")
            .optional()
            .description(redacted_description(
                form,
                "The system account's user name. Must be set with `authentication_type = \
                 \"userPassword\"` or `authentication_type = \"keyPair\"`.",
            )),
        Attribute::string("password")
            .optional()
            .sensitive()
            .description(secret_description(
                form,
                &format!(
                    "The system account's password. {}",
                    only_with_auth("userPassword")
                ),
            )),
        private_key_attribute(form),
        Attribute::string("private_key_password")
            .optional()
            .sensitive()
            .description(secret_description(
                form,
                "The passphrase of an encrypted private key. Only allowed with \
                 `authentication_type = \"keyPair\"`.",
            )),
        oauth_attribute(Platform::SNOWFLAKE, form),
        toggle_attribute(form, "audit", "Query audit"),
        toggle_attribute(form, "workspaces", "Project workspaces"),
        impersonation_attribute(form),
        toggle_attribute(form, "lineage", "Lineage ingestion"),
    ]
}

/// Checks a `snowflake` block.
pub fn validate(c: &mut Check<'_>, auto_bootstrap: Option<bool>) {
    c.required_all(&["host", "warehouse", "database"], "");
    c.port("port");
    if auto_bootstrap == Some(true) {
        c.required("role", " when auto_bootstrap is true");
    } else {
        c.not_empty("role");
    }
    match c.authentication_type(AUTH_TYPES) {
        Some(auth @ "userPassword") => {
            let w = with_auth(auth);
            c.required_all(&["username", "password"], &w);
            for f in ["private_key", "private_key_password", "oauth_client_config"] {
                c.forbidden(f, &w);
            }
        }
        Some(auth @ "keyPair") => {
            let w = with_auth(auth);
            c.required("username", &w);
            c.forbidden("password", &w);
            c.forbidden("oauth_client_config", &w);
            if c.value("private_key").is_null() {
                c.error(
                    "private_key",
                    format!("required{w}, expected an object with content, got none"),
                );
            }
            c.nested("private_key", |k| k.required("content", ""));
        }
        Some(auth) => {
            let w = with_auth(auth);
            for f in ["password", "private_key", "private_key_password"] {
                c.forbidden(f, &w);
            }
            oauth_check(c, auth, true);
        }
        None => {}
    }
    impersonation_check(c);
}

/// The API config of a `snowflake` block.
pub fn to_config(b: &SnowflakeBlock) -> SnowflakeConfig {
    let SnowflakeBlock {
        host,
        port,
        warehouse,
        database,
        role,
        authentication_type,
        username,
        password,
        private_key,
        private_key_password,
        oauth_client_config,
        audit,
        workspaces,
        impersonation,
        lineage,
    } = b;
    SnowflakeConfig {
        host: host.clone(),
        port: *port,
        warehouse: warehouse.clone(),
        database: database.clone(),
        role: role.clone(),
        authentication_type: authentication_type.clone(),
        username: username.clone(),
        password: password.clone(),
        private_key: private_key.as_ref().map(private_key_to),
        private_key_password: private_key_password.clone(),
        o_auth_client_config: oauth_client_config.as_ref().map(oauth_to),
        audit: audit.as_ref().map(toggle_to),
        workspaces: workspaces.as_ref().map(toggle_to),
        impersonation: impersonation.as_ref().map(impersonation_to),
        lineage: lineage.as_ref().map(toggle_to),
        extra: Default::default(),
    }
}

/// The `snowflake` block of an API config, secrets Immuta redacts taken
/// from `prior`.
pub fn from_config(c: &SnowflakeConfig, prior: Option<&SnowflakeBlock>) -> SnowflakeBlock {
    let SnowflakeConfig {
        host,
        port,
        warehouse,
        database,
        role,
        authentication_type,
        username,
        password,
        private_key,
        private_key_password,
        o_auth_client_config,
        audit,
        workspaces,
        impersonation,
        lineage,
        extra: _,
    } = c;
    SnowflakeBlock {
        host: host.clone(),
        port: *port,
        warehouse: warehouse.clone(),
        database: database.clone(),
        role: role.clone(),
        authentication_type: authentication_type.clone(),
        username: secret(username, prior.and_then(|p| p.username.as_ref())),
        password: secret(password, prior.and_then(|p| p.password.as_ref())),
        private_key: private_key
            .as_ref()
            .map(|k| private_key_from(k, prior.and_then(|p| p.private_key.as_ref()))),
        private_key_password: secret(
            private_key_password,
            prior.and_then(|p| p.private_key_password.as_ref()),
        ),
        oauth_client_config: o_auth_client_config
            .as_ref()
            .map(|o| oauth_from(o, prior.and_then(|p| p.oauth_client_config.as_ref()))),
        audit: audit.as_ref().map(toggle_from),
        workspaces: workspaces.as_ref().map(toggle_from),
        impersonation: impersonation.as_ref().map(impersonation_from),
        lineage: lineage.as_ref().map(toggle_from),
    }
}

/// The privileged credentials of a `snowflake` block, for DELETE.
pub fn delete_credentials(b: &SnowflakeBlock) -> DeleteCredentials {
    let mut creds = DeleteCredentials {
        authentication_type: b.authentication_type.clone(),
        username: b.username.clone(),
        password: b.password.clone(),
        role: b.role.clone(),
        private_key: b.private_key.as_ref().map(private_key_to),
        private_key_password: b.private_key_password.clone(),
        okta: None,
        extra: Default::default(),
    };
    if b.authentication_type.as_deref() == Some("oAuthClientCredentials") {
        if let Some(o) = b.oauth_client_config.as_ref().map(oauth_to) {
            if let Ok(v) = serde_json::to_value(&o) {
                creds.extra.insert("oAuthClientConfig".to_string(), v);
            }
        }
    }
    creds
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Diagnostics;
    use crate::integration::platforms::block::test_support::assert_block_matches;
    use crate::integration::platforms::Platform;
    use immuta_api::{IntegrationConfig, IntegrationType};
    use serde_json::json;

    fn block() -> Value {
        let mut v = crate::integration::platforms::null_object(&Platform::SNOWFLAKE.attribute());
        v.set_attr("host", Value::from("org.us-east-1.snowflakecomputing.com"));
        v.set_attr("warehouse", Value::from("SAMPLE_WAREHOUSE"));
        v.set_attr("database", Value::from("SNOWFLAKE_SAMPLE_DATA"));
        v.set_attr("role", Value::from("ACCOUNTADMIN"));
        v.set_attr("authentication_type", Value::from("userPassword"));
        v.set_attr("username", Value::from("taylor@snowflake.com"));
        v.set_attr("password", Value::from("abc1234"));
        v
    }

    #[test]
    fn config_matches_immutas_post_example_without_nulls() {
        let c = Platform::SNOWFLAKE.to_config(&block()).unwrap();
        assert_eq!(
            c.to_value(),
            json!({
                "host": "org.us-east-1.snowflakecomputing.com",
                "warehouse": "SAMPLE_WAREHOUSE",
                "database": "SNOWFLAKE_SAMPLE_DATA",
                "authenticationType": "userPassword",
                "username": "taylor@snowflake.com",
                "password": "abc1234",
                "role": "ACCOUNTADMIN"
            })
        );
    }

    #[test]
    fn get_answer_keeps_prior_secrets_and_reads_defaults() {
        let answer = IntegrationConfig::from_value(
            &IntegrationType::Snowflake,
            json!({
                "host": "org.us-east-1.snowflakecomputing.com", "port": 443,
                "warehouse": "W2", "database": "SNOWFLAKE_SAMPLE_DATA",
                "audit": {"enabled": true}, "workspaces": {"enabled": false},
                "impersonation": {"enabled": false}, "lineage": {"enabled": false},
                "authenticationType": "userPassword",
                "username": "<REDACTED>", "password": "<REDACTED>", "role": "ACCOUNTADMIN"
            }),
        )
        .unwrap();
        let v = Platform::SNOWFLAKE.from_config(Some(&answer), &block());
        assert_eq!(v.attr("password").as_str(), Some("abc1234"));
        assert_eq!(v.attr("username").as_str(), Some("taylor@snowflake.com"));
        assert_eq!(v.attr("warehouse").as_str(), Some("W2"));
        assert_eq!(v.attr("port").as_i64(), Some(443));
        assert_eq!(v.attr("audit").attr("enabled"), &Value::Bool(true));
        assert!(v.attr("private_key").is_null());
        // After an import there is no prior value: null, never <REDACTED>.
        let v = Platform::SNOWFLAKE.from_config(Some(&answer), &Value::Null);
        assert!(v.attr("password").is_null());
        // Every schema attribute is present.
        let names: Vec<String> = attributes(Form::Resource)
            .into_iter()
            .map(|a| a.name)
            .collect();
        assert_eq!(v.as_map().unwrap().len(), names.len());
    }

    #[test]
    fn plan_defaults_are_immutas() {
        let config = block();
        let mut planned = config.clone();
        Platform::SNOWFLAKE.plan_defaults(&config, &mut planned);
        assert_eq!(planned.attr("port").as_i64(), Some(443));
        for t in ["audit", "workspaces", "lineage", "impersonation"] {
            assert_eq!(planned.attr(t).attr("enabled"), &Value::Bool(false), "{t}");
        }
        assert!(planned.attr("impersonation").attr("role").is_null());
    }

    #[test]
    fn validation_by_authentication_type() {
        let check = |v: &Value, auto: Option<bool>| {
            let mut d = Diagnostics::new();
            Platform::SNOWFLAKE.validate(v, auto, &mut d);
            d.iter().map(|d| d.summary.clone()).collect::<Vec<_>>()
        };
        assert!(check(&block(), Some(true)).is_empty());
        let mut v = block();
        v.set_attr("authentication_type", Value::from("keyPair"));
        assert_eq!(
            check(&v, Some(true)),
            [
                "snowflake.password: expected no value when authentication_type is \"keyPair\", got one",
                "snowflake.private_key: required when authentication_type is \"keyPair\", expected an object with content, got none",
            ]
        );
        let mut v = block();
        v.set_attr("role", Value::Null);
        v.set_attr("password", Value::Null);
        assert_eq!(
            check(&v, Some(true)),
            [
                "snowflake.role: required when auto_bootstrap is true, expected a value, got none",
                "snowflake.password: required when authentication_type is \"userPassword\", expected a value, got none",
            ]
        );
        assert_eq!(check(&v, Some(false)).len(), 1);
        let mut v = block();
        v.set_attr("authentication_type", Value::from("oAuthClientCredentials"));
        v.set_attr("password", Value::Null);
        assert_eq!(
            check(&v, Some(true)),
            ["snowflake.oauth_client_config: required when authentication_type is \"oAuthClientCredentials\", expected an object, got none"]
        );
    }

    #[test]
    fn the_block_struct_matches_the_schema() {
        for form in [Form::Resource, Form::DataSource] {
            assert_block_matches::<SnowflakeBlock>(&Platform::SNOWFLAKE.attribute_in(form));
        }
    }

    #[test]
    fn delete_credentials_come_from_the_block() {
        let c = Platform::SNOWFLAKE.delete_credentials(&block()).unwrap();
        assert_eq!(c.authentication_type.as_deref(), Some("userPassword"));
        assert_eq!(c.password.unwrap().expose(), "abc1234");
        assert_eq!(c.role.as_deref(), Some("ACCOUNTADMIN"));
    }
}
