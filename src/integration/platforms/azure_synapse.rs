//! `azure_synapse = { ... }`: Azure Synapse Analytics' config.

use super::defaults::{DefaultValue, DocumentedDefault};
use super::PlatformSpec;
use super::{
    chosen_when_unset, impersonation_attribute, impersonation_check, impersonation_from,
    impersonation_to, obj, port, redacted_description, s, secret, secret_description, when_unset,
    with_auth, Check, Form, Reader,
};
use crate::framework::{Attribute, Value};
use immuta_api::config::{AzureSynapseConfig, MetadataDelimiters};
use immuta_api::DeleteCredentials;
use immuta_api::{IntegrationConfig, IntegrationType};

/// Accepted `authentication_type` values.
pub const AUTH_TYPES: &[&str] = &["userPassword"];

/// Immuta's default port.
pub const DEFAULT_PORT: i64 = 1433;

const DELIMITERS: [(&str, &str); 3] = [
    ("hash_delimiter", "Delimiter between hash entries."),
    (
        "hash_key_delimiter",
        "Delimiter between a hash's key and value.",
    ),
    ("array_delimiter", "Delimiter between array entries."),
];

/// The table of `azure_synapse`.
pub struct AzureSynapse;

/// Immuta's documented defaults (see `defaults`).
const DOCUMENTED_DEFAULTS: &[DocumentedDefault] = &[
    (&["port"], DefaultValue::Int(1433)),
    (&["impersonation"], DefaultValue::OffNoRole),
    (&["impersonation", "enabled"], DefaultValue::Bool(false)),
];

/// The values Immuta chooses when the configuration leaves them unset.
const CHOSEN: &[&[&str]] = &[
    &["metadata_delimiters"],
    &["metadata_delimiters", "hash_delimiter"],
    &["metadata_delimiters", "hash_key_delimiter"],
    &["metadata_delimiters", "array_delimiter"],
    &["impersonation", "role"],
];

impl PlatformSpec for AzureSynapse {
    fn block_name(&self) -> &'static str {
        "azure_synapse"
    }

    fn integration_type(&self) -> IntegrationType {
        IntegrationType::AzureSynapse
    }

    fn described_as(&self) -> &'static str {
        "an Azure Synapse Analytics integration"
    }

    fn product_name(&self) -> &'static str {
        "Azure Synapse Analytics"
    }

    fn attributes(&self, form: Form) -> Vec<Attribute> {
        attributes(form)
    }

    fn authentication_types(&self) -> &'static [&'static str] {
        AUTH_TYPES
    }

    fn validate(&self, c: &mut Check<'_>, _auto_bootstrap: Option<bool>) {
        validate(c);
    }

    fn to_config(&self, block: Reader<'_>) -> Option<IntegrationConfig> {
        Some(IntegrationConfig::AzureSynapse(to_config(block)))
    }

    fn block_from_config(
        &self,
        config: Option<&IntegrationConfig>,
        prior: Reader<'_>,
    ) -> Option<Value> {
        match config {
            Some(IntegrationConfig::AzureSynapse(c)) => Some(from_config(c, prior)),
            _ => None,
        }
    }

    fn documented_defaults(&self) -> &'static [DocumentedDefault] {
        DOCUMENTED_DEFAULTS
    }

    fn chosen_by_immuta(&self) -> &'static [&'static [&'static str]] {
        CHOSEN
    }

    fn delete_credentials(&self, block: Reader<'_>) -> Option<DeleteCredentials> {
        Some(delete_credentials(block))
    }
}

/// The attributes of `azure_synapse`, described for `form`.
pub fn attributes(form: Form) -> Vec<Attribute> {
    vec![
        Attribute::string("host")
            .optional()
            .description("The workspace's SQL host, e.g. `organization.azure.com`. Must be set."),
        Attribute::number("port")
            .optional()
            .computed()
            .description(format!(
                "The port. {}",
                when_unset(form, "Immuta's default `1433`")
            )),
        Attribute::string("database")
            .optional()
            .description("The existing database that holds `schema`. Must be set."),
        Attribute::string("schema").optional().description(
            "The schema where Immuta creates and manages the policy-enforced views. Must be set.",
        ),
        Attribute::string("authentication_type")
            .optional()
            .description(
            "How the system account signs in: `userPassword` (with `username` and `password`), \
             the only type accepted. Must be set.",
        ),
        Attribute::string("username")
            .optional()
            .description(redacted_description(
                form,
                "The system account's user name. Must be set.",
            )),
        Attribute::string("password")
            .optional()
            .sensitive()
            .description(secret_description(
                form,
                "The system account's password. Must be set.",
            )),
        Attribute::single_nested(
            "metadata_delimiters",
            DELIMITERS
                .iter()
                .map(|(n, d)| {
                    Attribute::string(*n)
                        .optional()
                        .computed()
                        .description(format!("{d} {}", chosen_when_unset(form, "it")))
                })
                .collect(),
        )
        .optional()
        .computed()
        .description(format!(
            "The delimiters Immuta uses to store profile data in Azure Synapse. {}",
            chosen_when_unset(form, "them")
        )),
        impersonation_attribute(form),
    ]
}

/// Checks an `azure_synapse` block.
pub fn validate(c: &mut Check<'_>) {
    c.required_all(&["host", "database", "schema"], "");
    c.port("port");
    if let Some(auth) = c.authentication_type(AUTH_TYPES) {
        c.required_all(&["username", "password"], &with_auth(auth));
    }
    c.nested("metadata_delimiters", |d| {
        for (n, _) in DELIMITERS {
            d.not_empty(n);
        }
    });
    impersonation_check(c);
}

/// The API config of an `azure_synapse` block.
pub fn to_config(r: Reader<'_>) -> AzureSynapseConfig {
    AzureSynapseConfig {
        host: r.str("host"),
        port: r.port("port"),
        database: r.str("database"),
        schema: r.str("schema"),
        authentication_type: r.str("authentication_type"),
        username: r.secret("username"),
        password: r.secret("password"),
        metadata_delimiters: r.obj("metadata_delimiters").map(|d| MetadataDelimiters {
            hash_delimiter: d.str("hash_delimiter"),
            hash_key_delimiter: d.str("hash_key_delimiter"),
            array_delimiter: d.str("array_delimiter"),
            ..Default::default()
        }),
        impersonation: impersonation_to(r.obj("impersonation")),
        ..Default::default()
    }
}

/// The `azure_synapse` block of an API config.
pub fn from_config(c: &AzureSynapseConfig, prior: Reader<'_>) -> Value {
    obj([
        ("host", s(&c.host)),
        ("port", port(c.port)),
        ("database", s(&c.database)),
        ("schema", s(&c.schema)),
        ("authentication_type", s(&c.authentication_type)),
        ("username", secret(&c.username, prior.raw("username"))),
        ("password", secret(&c.password, prior.raw("password"))),
        (
            "metadata_delimiters",
            c.metadata_delimiters.as_ref().map_or(Value::Null, |d| {
                obj([
                    ("hash_delimiter", s(&d.hash_delimiter)),
                    ("hash_key_delimiter", s(&d.hash_key_delimiter)),
                    ("array_delimiter", s(&d.array_delimiter)),
                ])
            }),
        ),
        ("impersonation", impersonation_from(&c.impersonation)),
    ])
}

/// The privileged credentials of an `azure_synapse` block, for DELETE.
pub fn delete_credentials(r: Reader<'_>) -> DeleteCredentials {
    DeleteCredentials {
        authentication_type: r.str("authentication_type"),
        username: r.secret("username"),
        password: r.secret("password"),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Diagnostics;
    use crate::integration::platforms::{null_object, Platform};

    #[test]
    fn delimiters_unknown_until_apply_when_unset() {
        let mut config = null_object(&Platform::AZURE_SYNAPSE.attribute());
        config.set_attr("host", Value::from("organization.azure.com"));
        let mut planned = config.clone();
        Platform::AZURE_SYNAPSE.plan_defaults(&config, &mut planned);
        Platform::AZURE_SYNAPSE.plan_chosen_unknown(&config, &mut planned);
        assert!(planned.attr("metadata_delimiters").is_unknown());
        assert_eq!(planned.attr("port").as_i64(), Some(1433));
        config.set_attr(
            "metadata_delimiters",
            obj([
                ("hash_delimiter", Value::from("|")),
                ("hash_key_delimiter", Value::Null),
                ("array_delimiter", Value::from(",")),
            ]),
        );
        let mut planned = config.clone();
        Platform::AZURE_SYNAPSE.plan_defaults(&config, &mut planned);
        Platform::AZURE_SYNAPSE.plan_chosen_unknown(&config, &mut planned);
        let d = planned.attr("metadata_delimiters");
        assert_eq!(d.attr("hash_delimiter").as_str(), Some("|"));
        assert!(d.attr("hash_key_delimiter").is_unknown());
    }

    #[test]
    fn only_user_password() {
        let mut v = null_object(&Platform::AZURE_SYNAPSE.attribute());
        for (k, x) in [
            ("host", "h"),
            ("database", "d"),
            ("schema", "s"),
            ("authentication_type", "okta"),
        ] {
            v.set_attr(k, Value::from(x));
        }
        let mut d = Diagnostics::new();
        Platform::AZURE_SYNAPSE.validate(&v, Some(true), &mut d);
        assert_eq!(
            d.iter().next().unwrap().summary,
            "azure_synapse.authentication_type: expected one of \"userPassword\", got \"okta\""
        );
    }
}
