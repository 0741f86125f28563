//! Azure Synapse Analytics: one integration per host and database.

use super::fields::{
    auth_type, check_impersonation, check_port, default_impersonation, impersonation_on,
    need_secret, need_str, no_extra, same_secret, same_text,
};
use super::{or, script_header, TestSpec, TypeRules};
use crate::error::ApiError;
use immuta_api::config::{AzureSynapseConfig, MetadataDelimiters};
use immuta_api::{DeleteCredentials, IntegrationConfig, IntegrationType, ScriptKind};

/// The `authenticationType` values of a config and of DELETE credentials.
const AUTH: &[&str] = &["userPassword"];

/// Azure Synapse's rules.
pub(super) struct Synapse;

fn config(c: &IntegrationConfig) -> Option<&AzureSynapseConfig> {
    match c {
        IntegrationConfig::AzureSynapse(c) => Some(c),
        _ => None,
    }
}

impl TypeRules for Synapse {
    fn integration_type(&self) -> IntegrationType {
        IntegrationType::AzureSynapse
    }

    fn check(&self, c: &IntegrationConfig, _auto: bool) -> Result<(), ApiError> {
        match config(c) {
            Some(c) => check(c),
            None => Err(ApiError::bad_request("\"config\" is not a Synapse config")),
        }
    }

    /// `port` 1433, `impersonation` off and the `metadataDelimiters` `|`,
    /// `:` and `,`.
    fn fill_defaults(&self, c: &mut IntegrationConfig) {
        let IntegrationConfig::AzureSynapse(c) = c else {
            return;
        };
        c.port.get_or_insert(1433);
        let d = c
            .metadata_delimiters
            .get_or_insert_with(MetadataDelimiters::default);
        for (v, default) in [
            (&mut d.hash_delimiter, "|"),
            (&mut d.hash_key_delimiter, ":"),
            (&mut d.array_delimiter, ","),
        ] {
            v.get_or_insert_with(|| default.to_string());
        }
        default_impersonation(&mut c.impersonation);
    }

    fn secret_paths(&self) -> &'static [&'static str] {
        &["/username", "/password"]
    }

    fn more_paths(&self) -> &'static [&'static str] {
        &["/impersonation/role"]
    }

    /// Host and database, each ignoring spaces and letter case.
    fn same_target(&self, new: &IntegrationConfig, old: &IntegrationConfig) -> Option<String> {
        let (n, o) = (config(new)?, config(old)?);
        (same_text(&n.host, &o.host) && same_text(&n.database, &o.database)).then(|| {
            format!(
                "Azure Synapse Analytics integration already exists on {} for database {}",
                n.host.as_deref().unwrap_or_default(),
                n.database.as_deref().unwrap_or_default()
            )
        })
    }

    fn tests(&self) -> &'static [TestSpec] {
        &super::redshift::TESTS
    }

    fn impersonation_on(&self, c: &IntegrationConfig) -> bool {
        config(c).is_some_and(|c| impersonation_on(&c.impersonation))
    }

    fn scripts(&self) -> &'static [ScriptKind] {
        &ScriptKind::ALL
    }

    fn script(&self, kind: ScriptKind, c: &IntegrationConfig) -> Result<String, ApiError> {
        let Some(c) = config(c) else {
            return Err(ApiError::bad_request("\"config\" is not a Synapse config"));
        };
        let mut out = script_header(&IntegrationType::AzureSynapse, kind);
        let schema = format!("[{}]", or(&c.schema, "immuta"));
        match kind {
            ScriptKind::InitialCreate => {
                out.push_str("-- run against the master database\n");
                out.push_str("CREATE LOGIN immuta_system WITH PASSWORD = '<password>';\n");
            }
            ScriptKind::Create | ScriptKind::Edit => {
                out.push_str(&format!("-- run against [{}]\n", or(&c.database, "immuta")));
                out.push_str("CREATE USER immuta_system FOR LOGIN immuta_system;\n");
                out.push_str(&format!("CREATE SCHEMA {schema};\n"));
                out.push_str(&format!(
                    "GRANT CONTROL ON SCHEMA::{schema} TO immuta_system;\n"
                ));
            }
            ScriptKind::PostCleanup => {
                out.push_str("-- run against the master database\n");
                out.push_str("DROP LOGIN immuta_system;\n");
            }
            _ => {
                out.push_str(&format!("DROP SCHEMA IF EXISTS {schema};\n"));
                out.push_str("DROP USER IF EXISTS immuta_system;\n");
            }
        }
        Ok(out)
    }

    fn delete_auth(&self) -> &'static [&'static str] {
        AUTH
    }

    fn credentials_match(&self, c: &IntegrationConfig, creds: &DeleteCredentials) -> bool {
        match config(c) {
            Some(a) if a.authentication_type == creds.authentication_type => {
                same_secret(&a.username, &creds.username)
                    && same_secret(&a.password, &creds.password)
            }
            _ => true,
        }
    }
}

fn check(c: &AzureSynapseConfig) -> Result<(), ApiError> {
    no_extra(&c.extra, "config")?;
    need_str(&c.host, "config.host")?;
    need_str(&c.database, "config.database")?;
    need_str(&c.schema, "config.schema")?;
    check_port(c.port, "config.port")?;
    auth_type(&c.authentication_type, AUTH)?;
    need_secret(&c.username, "config.username")?;
    need_secret(&c.password, "config.password")?;
    if let Some(d) = &c.metadata_delimiters {
        no_extra(&d.extra, "config.metadataDelimiters")?;
        for (v, name) in [
            (&d.hash_delimiter, "hashDelimiter"),
            (&d.hash_key_delimiter, "hashKeyDelimiter"),
            (&d.array_delimiter, "arrayDelimiter"),
        ] {
            if v.as_deref() == Some("") {
                return Err(ApiError::bad_request(format!(
                    "\"config.metadataDelimiters.{name}\" is not allowed to be empty"
                )));
            }
        }
    }
    check_impersonation(&c.impersonation, "config.impersonation")
}
