//! `redshift = { ... }`: Amazon Redshift's config.

use super::defaults::{DefaultValue, DocumentedDefault};
use super::PlatformSpec;
use super::{
    impersonation_attribute, impersonation_check, impersonation_from, impersonation_to, obj,
    okta_attribute, okta_from, okta_to, only_with_auth, port, redacted_description, s, secret,
    secret_description, when_unset, with_auth, Check, Form, Reader,
};
use crate::framework::{Attribute, Value};
use immuta_api::config::RedshiftConfig;
use immuta_api::DeleteCredentials;
use immuta_api::{IntegrationConfig, IntegrationType};

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

    fn to_config(&self, block: Reader<'_>) -> Option<IntegrationConfig> {
        Some(IntegrationConfig::Redshift(to_config(block)))
    }

    fn block_from_config(
        &self,
        config: Option<&IntegrationConfig>,
        prior: Reader<'_>,
    ) -> Option<Value> {
        match config {
            Some(IntegrationConfig::Redshift(c)) => Some(from_config(c, prior)),
            _ => None,
        }
    }

    fn documented_defaults(&self) -> &'static [DocumentedDefault] {
        DOCUMENTED_DEFAULTS
    }

    fn chosen_by_immuta(&self) -> &'static [&'static [&'static str]] {
        &[&["impersonation", "role"]]
    }

    fn delete_credentials(&self, block: Reader<'_>) -> Option<DeleteCredentials> {
        Some(delete_credentials(block))
    }
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
pub fn to_config(r: Reader<'_>) -> RedshiftConfig {
    RedshiftConfig {
        host: r.str("host"),
        port: r.port("port"),
        database: r.str("database"),
        initial_database: r.str("initial_database"),
        authentication_type: r.str("authentication_type"),
        username: r.secret("username"),
        password: r.secret("password"),
        okta: okta_to(r.obj("okta")),
        impersonation: impersonation_to(r.obj("impersonation")),
        ..Default::default()
    }
}

/// The `redshift` block of an API config.
pub fn from_config(c: &RedshiftConfig, prior: Reader<'_>) -> Value {
    obj([
        ("host", s(&c.host)),
        ("port", port(c.port)),
        ("database", s(&c.database)),
        ("initial_database", s(&c.initial_database)),
        ("authentication_type", s(&c.authentication_type)),
        ("username", secret(&c.username, prior.raw("username"))),
        ("password", secret(&c.password, prior.raw("password"))),
        ("okta", okta_from(&c.okta, prior.nested("okta"))),
        ("impersonation", impersonation_from(&c.impersonation)),
    ])
}

/// The privileged credentials of a `redshift` block, for DELETE.
pub fn delete_credentials(r: Reader<'_>) -> DeleteCredentials {
    DeleteCredentials {
        authentication_type: r.str("authentication_type"),
        username: r.secret("username"),
        password: r.secret("password"),
        okta: okta_to(r.obj("okta")),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Diagnostics;
    use crate::integration::platforms::{null_object, Platform};
    use serde_json::json;

    #[test]
    fn okta_example_from_immutas_put() {
        let mut v = null_object(&Platform::REDSHIFT.attribute());
        v.set_attr("host", Value::from("organization.aws.amazon.com"));
        v.set_attr("database", Value::from("immuta"));
        v.set_attr("initial_database", Value::from("REDSHIFT_SAMPLE_DATA"));
        v.set_attr("authentication_type", Value::from("okta"));
        v.set_attr(
            "impersonation",
            obj([
                ("enabled", Value::Bool(true)),
                ("role", Value::from("immuta_impersonation")),
            ]),
        );
        v.set_attr(
            "okta",
            obj([
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
        let creds = delete_credentials(Reader(&v));
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
