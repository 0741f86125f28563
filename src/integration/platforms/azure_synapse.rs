//! `azure_synapse = { ... }`: Azure Synapse Analytics' config.

use super::block::{self, lenient_port, secret};
use super::defaults::{DefaultValue, DocumentedDefault};
use super::PlatformSpec;
use super::{
    chosen_when_unset, impersonation_attribute, impersonation_check, impersonation_from,
    impersonation_to, redacted_description, secret_description, when_unset, with_auth, Check, Form,
    ImpersonationBlock,
};
use crate::framework::{Attribute, Type, Value};
use immuta_api::config::{AzureSynapseConfig, MetadataDelimiters};
use immuta_api::{DeleteCredentials, Secret};
use immuta_api::{IntegrationConfig, IntegrationType};
use serde::{Deserialize, Serialize};

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

    fn to_config(&self, block: &Value) -> Option<IntegrationConfig> {
        Some(IntegrationConfig::AzureSynapse(to_config(&block::read(
            block,
        ))))
    }

    fn block_from_config(
        &self,
        config: Option<&IntegrationConfig>,
        prior: &Value,
        ty: &Type,
    ) -> Option<Value> {
        match config {
            Some(IntegrationConfig::AzureSynapse(c)) => {
                block::write(&from_config(c, block::read_prior(prior).as_ref()), ty)
            }
            _ => None,
        }
    }

    fn documented_defaults(&self) -> &'static [DocumentedDefault] {
        DOCUMENTED_DEFAULTS
    }

    fn chosen_by_immuta(&self) -> &'static [&'static [&'static str]] {
        CHOSEN
    }

    fn delete_credentials(&self, block: &Value) -> Option<DeleteCredentials> {
        Some(delete_credentials(&block::read(block)))
    }
}

/// `azure_synapse = { ... }`: one field per attribute of [`attributes`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AzureSynapseBlock {
    /// The workspace's SQL host.
    pub host: Option<String>,
    /// The port.
    #[serde(deserialize_with = "lenient_port")]
    pub port: Option<u16>,
    /// The database that holds `schema`.
    pub database: Option<String>,
    /// The schema Immuta manages.
    pub schema: Option<String>,
    /// How the system account signs in.
    pub authentication_type: Option<String>,
    /// The system account's user name (Immuta redacts it).
    pub username: Option<Secret>,
    /// The system account's password.
    pub password: Option<Secret>,
    /// The delimiters of profile data.
    pub metadata_delimiters: Option<DelimitersBlock>,
    /// User impersonation.
    pub impersonation: Option<ImpersonationBlock>,
}

/// `metadata_delimiters = { ... }`: one field per entry of `DELIMITERS`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DelimitersBlock {
    /// Between hash entries.
    pub hash_delimiter: Option<String>,
    /// Between a hash's key and value.
    pub hash_key_delimiter: Option<String>,
    /// Between array entries.
    pub array_delimiter: Option<String>,
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
pub fn to_config(b: &AzureSynapseBlock) -> AzureSynapseConfig {
    let AzureSynapseBlock {
        host,
        port,
        database,
        schema,
        authentication_type,
        username,
        password,
        metadata_delimiters,
        impersonation,
    } = b;
    AzureSynapseConfig {
        host: host.clone(),
        port: *port,
        database: database.clone(),
        schema: schema.clone(),
        authentication_type: authentication_type.clone(),
        username: username.clone(),
        password: password.clone(),
        metadata_delimiters: metadata_delimiters.as_ref().map(|d| {
            let DelimitersBlock {
                hash_delimiter,
                hash_key_delimiter,
                array_delimiter,
            } = d;
            MetadataDelimiters {
                hash_delimiter: hash_delimiter.clone(),
                hash_key_delimiter: hash_key_delimiter.clone(),
                array_delimiter: array_delimiter.clone(),
                extra: Default::default(),
            }
        }),
        impersonation: impersonation.as_ref().map(impersonation_to),
        extra: Default::default(),
    }
}

/// The `azure_synapse` block of an API config, values Immuta redacts taken
/// from `prior`.
pub fn from_config(c: &AzureSynapseConfig, prior: Option<&AzureSynapseBlock>) -> AzureSynapseBlock {
    let AzureSynapseConfig {
        host,
        port,
        database,
        schema,
        authentication_type,
        username,
        password,
        metadata_delimiters,
        impersonation,
        extra: _,
    } = c;
    AzureSynapseBlock {
        host: host.clone(),
        port: *port,
        database: database.clone(),
        schema: schema.clone(),
        authentication_type: authentication_type.clone(),
        username: secret(username, prior.and_then(|p| p.username.as_ref())),
        password: secret(password, prior.and_then(|p| p.password.as_ref())),
        metadata_delimiters: metadata_delimiters.as_ref().map(|d| {
            let MetadataDelimiters {
                hash_delimiter,
                hash_key_delimiter,
                array_delimiter,
                extra: _,
            } = d;
            DelimitersBlock {
                hash_delimiter: hash_delimiter.clone(),
                hash_key_delimiter: hash_key_delimiter.clone(),
                array_delimiter: array_delimiter.clone(),
            }
        }),
        impersonation: impersonation.as_ref().map(impersonation_from),
    }
}

/// The privileged credentials of an `azure_synapse` block, for DELETE.
pub fn delete_credentials(b: &AzureSynapseBlock) -> DeleteCredentials {
    DeleteCredentials {
        authentication_type: b.authentication_type.clone(),
        username: b.username.clone(),
        password: b.password.clone(),
        role: None,
        private_key: None,
        private_key_password: None,
        okta: None,
        extra: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Diagnostics;
    use crate::integration::platforms::block::test_support::{assert_block_matches, nested};
    use crate::integration::platforms::{null_object, Platform};

    #[test]
    fn the_block_struct_matches_the_schema() {
        for form in [Form::Resource, Form::DataSource] {
            assert_block_matches::<AzureSynapseBlock>(&Platform::AZURE_SYNAPSE.attribute_in(form));
            assert_block_matches::<DelimitersBlock>(nested(
                &attributes(form),
                "metadata_delimiters",
            ));
        }
    }

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
            Value::object([
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
