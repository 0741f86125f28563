//! `redshift = { ... }`: Amazon Redshift's config.

use super::block::{self, lenient_port, secret};
use super::defaults::{DefaultValue, DocumentedDefault};
use super::PlatformSpec;
use super::{
    impersonation_attribute, impersonation_check, impersonation_from, impersonation_to,
    okta_attribute, okta_from, okta_to, only_with_auth, redacted_description, secret_description,
    when_unset, with_auth, Check, Form, ImpersonationBlock, OktaBlock,
};
use crate::framework::{Attribute, Type, Value};
use immuta_api::config::RedshiftConfig;
use immuta_api::{DeleteCredentials, Secret};
use immuta_api::{IntegrationConfig, IntegrationType};
use serde::{Deserialize, Serialize};

/// Accepted `authentication_type` values.
pub const AUTH_TYPES: &[&str] = &["userPassword", "okta"];

/// Immuta's default port.
pub const DEFAULT_PORT: i64 = 5439;

/// The table of `redshift`.
pub struct Redshift;

/// Immuta's documented defaults (see `defaults`).
const DOCUMENTED_DEFAULTS: &[DocumentedDefault] = &[
    (&["port"], DefaultValue::Int(5439)),
    (&["impersonation"], DefaultValue::OffNoRole),
    (&["impersonation", "enabled"], DefaultValue::Bool(false)),
];

impl PlatformSpec for Redshift {
    fn block_name(&self) -> &'static str {
        "redshift"
    }

    fn integration_type(&self) -> IntegrationType {
        IntegrationType::Redshift
    }

    fn described_as(&self) -> &'static str {
        "an Amazon Redshift integration"
    }

    fn product_name(&self) -> &'static str {
        "Redshift"
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
        Some(IntegrationConfig::Redshift(to_config(&block::read(block))))
    }

    fn block_from_config(
        &self,
        config: Option<&IntegrationConfig>,
        prior: &Value,
        ty: &Type,
    ) -> Option<Value> {
        match config {
            Some(IntegrationConfig::Redshift(c)) => {
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

/// `redshift = { ... }`: one field per attribute of [`attributes`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RedshiftBlock {
    /// The cluster host.
    pub host: Option<String>,
    /// The port.
    #[serde(deserialize_with = "lenient_port")]
    pub port: Option<u16>,
    /// The database Immuta manages.
    pub database: Option<String>,
    /// The database Immuta connects to first.
    pub initial_database: Option<String>,
    /// How the system account signs in.
    pub authentication_type: Option<String>,
    /// The system account's user name (Immuta redacts it).
    pub username: Option<Secret>,
    /// The system account's password.
    pub password: Option<Secret>,
    /// Okta settings.
    pub okta: Option<OktaBlock>,
    /// User impersonation.
    pub impersonation: Option<ImpersonationBlock>,
}

/// The attributes of `redshift`, described for `form`.
pub fn attributes(form: Form) -> Vec<Attribute> {
    vec![
        Attribute::string("host")
            .optional()
            .description("The cluster host. Must be set."),
        Attribute::number("port")
            .optional()
            .computed()
            .description(format!(
                "The port. {}",
                when_unset(form, "Immuta's default `5439`")
            )),
        Attribute::string("database")
            .optional()
            .description("The database Immuta creates to manage and store metadata. Must be set."),
        Attribute::string("initial_database")
            .optional()
            .description(
                "An existing database Immuta connects to first. Must be set with \
             `auto_bootstrap = true`.",
            ),
        Attribute::string("authentication_type")
            .optional()
            .description(
                "How the system account signs in: `userPassword` (with `username` and `password`) \
             or `okta` (with `okta`). Must be set.",
            ),
        Attribute::string("username")
            .optional()
            .description(redacted_description(
                form,
                &format!(
                    "The system account's user name. {}",
                    only_with_auth("userPassword")
                ),
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
        okta_attribute(form),
        impersonation_attribute(form),
    ]
}

/// Checks a `redshift` block.
pub fn validate(c: &mut Check<'_>, auto_bootstrap: Option<bool>) {
    c.required_all(&["host", "database"], "");
    c.port("port");
    if auto_bootstrap == Some(true) {
        c.required("initial_database", " when auto_bootstrap is true");
    } else {
        c.not_empty("initial_database");
    }
    match c.authentication_type(AUTH_TYPES) {
        Some(auth @ "userPassword") => {
            let w = with_auth(auth);
            c.required_all(&["username", "password"], &w);
            c.forbidden("okta", &w);
        }
        Some(auth) => {
            let w = with_auth(auth);
            c.forbidden("username", &w);
            c.forbidden("password", &w);
            if c.value("okta").is_null() {
                c.error("okta", format!("required{w}, expected an object, got none"));
            }
            c.nested("okta", |o| {
                o.required_all(&["username", "password", "app_id", "idp_host", "role"], "")
            });
        }
        None => {}
    }
    impersonation_check(c);
}

/// The API config of a `redshift` block.
pub fn to_config(b: &RedshiftBlock) -> RedshiftConfig {
    let RedshiftBlock {
        host,
        port,
        database,
        initial_database,
        authentication_type,
        username,
        password,
        okta,
        impersonation,
    } = b;
    RedshiftConfig {
        host: host.clone(),
        port: *port,
        database: database.clone(),
        initial_database: initial_database.clone(),
        authentication_type: authentication_type.clone(),
        username: username.clone(),
        password: password.clone(),
        okta: okta.as_ref().map(okta_to),
        impersonation: impersonation.as_ref().map(impersonation_to),
        extra: Default::default(),
    }
}

/// The `redshift` block of an API config, values Immuta redacts taken from
/// `prior`.
pub fn from_config(c: &RedshiftConfig, prior: Option<&RedshiftBlock>) -> RedshiftBlock {
    let RedshiftConfig {
        host,
        port,
        database,
        initial_database,
        authentication_type,
        username,
        password,
        okta,
        impersonation,
        extra: _,
    } = c;
    RedshiftBlock {
        host: host.clone(),
        port: *port,
        database: database.clone(),
        initial_database: initial_database.clone(),
        authentication_type: authentication_type.clone(),
        username: secret(username, prior.and_then(|p| p.username.as_ref())),
        password: secret(password, prior.and_then(|p| p.password.as_ref())),
        okta: okta
            .as_ref()
            .map(|o| okta_from(o, prior.and_then(|p| p.okta.as_ref()))),
        impersonation: impersonation.as_ref().map(impersonation_from),
    }
}

/// The privileged credentials of a `redshift` block, for DELETE.
pub fn delete_credentials(b: &RedshiftBlock) -> DeleteCredentials {
    DeleteCredentials {
        authentication_type: b.authentication_type.clone(),
        username: b.username.clone(),
        password: b.password.clone(),
        role: None,
        private_key: None,
        private_key_password: None,
        okta: b.okta.as_ref().map(okta_to),
        extra: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Diagnostics;
    use crate::integration::platforms::block::test_support::assert_block_matches;
    use crate::integration::platforms::{null_object, Platform};
    use serde_json::json;

    #[test]
    fn the_block_struct_matches_the_schema() {
        for form in [Form::Resource, Form::DataSource] {
            assert_block_matches::<RedshiftBlock>(&Platform::REDSHIFT.attribute_in(form));
        }
    }

    #[test]
    fn okta_example_from_immutas_put() {
        let mut v = null_object(&Platform::REDSHIFT.attribute());
        v.set_attr("host", Value::from("organization.aws.amazon.com"));
        v.set_attr("database", Value::from("immuta"));
        v.set_attr("initial_database", Value::from("REDSHIFT_SAMPLE_DATA"));
        v.set_attr("authentication_type", Value::from("okta"));
        v.set_attr(
            "impersonation",
            Value::object([
                ("enabled", Value::Bool(true)),
                ("role", Value::from("immuta_impersonation")),
            ]),
        );
        v.set_attr(
            "okta",
            Value::object([
                ("username", Value::from("taylor@redshift.com")),
                ("password", Value::from("abc1234")),
                ("app_id", Value::from("Okta")),
                ("idp_host", Value::from("organization.okta.com")),
                ("role", Value::from("admin")),
            ]),
        );
        let mut d = Diagnostics::new();
        Platform::REDSHIFT.validate(&v, Some(true), &mut d);
        assert!(d.is_empty(), "{d:?}");
        let c = Platform::REDSHIFT.to_config(&v).unwrap();
        assert_eq!(
            c.to_value()["okta"],
            json!({"username": "taylor@redshift.com", "password": "abc1234", "appId": "Okta",
                   "idpHost": "organization.okta.com", "role": "admin"})
        );
        let creds = Platform::REDSHIFT.delete_credentials(&v).unwrap();
        assert_eq!(creds.okta.unwrap().app_id.as_deref(), Some("Okta"));
        // Okta without its block is refused, naming the path.
        v.set_attr("okta", Value::Null);
        let mut d = Diagnostics::new();
        Platform::REDSHIFT.validate(&v, Some(true), &mut d);
        assert_eq!(
            d.iter().next().unwrap().summary,
            "redshift.okta: required when authentication_type is \"okta\", expected an object, got none"
        );
    }
}
