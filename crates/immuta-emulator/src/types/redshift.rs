//! Redshift: one integration per host and database.

use super::fields::{
    absent, auth_type, check_impersonation, check_okta, check_port, default_impersonation,
    impersonation_on, need_secret, need_str, no_extra, opt_str, same_secret, same_text,
};
use super::{or, quoted, script_header, TestRole, TestSpec, TypeRules};
use crate::error::ApiError;
use immuta_api::config::RedshiftConfig;
use immuta_api::{DeleteCredentials, IntegrationConfig, IntegrationType, ScriptKind};

/// The `authenticationType` values of a config and of DELETE credentials.
const AUTH: &[&str] = &["userPassword", "okta"];

/// The validation tests of Redshift, which Azure Synapse runs too.
pub(super) const TESTS: [TestSpec; 5] = [
    TestSpec::new(
        "Initial Validation: Basic Connection Test",
        TestRole::Connection,
    ),
    TestSpec::new("Initial Validation: Database Access Test", TestRole::Warn),
    TestSpec::new(
        "Validate Automatic: Database Does Not Exist",
        TestRole::Auto,
    ),
    TestSpec::new(
        "Validate Automatic: Impersonation Role Does Not Exist",
        TestRole::Impersonation,
    ),
    TestSpec::new("Validate Automatic Bootstrap User Grants", TestRole::Auto),
];

/// Redshift's rules.
pub(super) struct Redshift;

fn config(c: &IntegrationConfig) -> Option<&RedshiftConfig> {
    match c {
        IntegrationConfig::Redshift(c) => Some(c),
        _ => None,
    }
}

impl TypeRules for Redshift {
    fn integration_type(&self) -> IntegrationType {
        IntegrationType::Redshift
    }

    fn check(&self, c: &IntegrationConfig, auto: bool) -> Result<(), ApiError> {
        match config(c) {
            Some(c) => check(c, auto),
            None => Err(ApiError::bad_request("\"config\" is not a Redshift config")),
        }
    }

    /// `port` 5439 and `impersonation` off.
    fn fill_defaults(&self, c: &mut IntegrationConfig) {
        if let IntegrationConfig::Redshift(c) = c {
            c.port.get_or_insert(5439);
            default_impersonation(&mut c.impersonation);
        }
    }

    fn secret_paths(&self) -> &'static [&'static str] {
        &["/username", "/password", "/okta/username", "/okta/password"]
    }

    fn more_paths(&self) -> &'static [&'static str] {
        &[
            "/okta/appId",
            "/okta/idpHost",
            "/okta/role",
            "/impersonation/role",
        ]
    }

    /// Host and database, each ignoring spaces and letter case.
    fn same_target(&self, new: &IntegrationConfig, old: &IntegrationConfig) -> Option<String> {
        let (n, o) = (config(new)?, config(old)?);
        (same_text(&n.host, &o.host) && same_text(&n.database, &o.database)).then(|| {
            format!(
                "Redshift integration already exists on {} for database {}",
                n.host.as_deref().unwrap_or_default(),
                n.database.as_deref().unwrap_or_default()
            )
        })
    }

    fn tests(&self) -> &'static [TestSpec] {
        &TESTS
    }

    fn impersonation_on(&self, c: &IntegrationConfig) -> bool {
        config(c).is_some_and(|c| impersonation_on(&c.impersonation))
    }

    fn scripts(&self) -> &'static [ScriptKind] {
        &[
            ScriptKind::Create,
            ScriptKind::Cleanup,
            ScriptKind::Delete,
            ScriptKind::Edit,
            ScriptKind::InitialCreate,
        ]
    }

    fn script(&self, kind: ScriptKind, c: &IntegrationConfig) -> Result<String, ApiError> {
        let Some(c) = config(c) else {
            return Err(ApiError::bad_request("\"config\" is not a Redshift config"));
        };
        let mut out = script_header(&IntegrationType::Redshift, kind);
        let db = quoted(&or(&c.database, "immuta"));
        match kind {
            ScriptKind::InitialCreate => {
                out.push_str(&format!(
                    "-- run while connected to {}\n",
                    or(&c.initial_database, "dev")
                ));
                out.push_str(&format!("CREATE DATABASE {db};\n"));
            }
            ScriptKind::Create | ScriptKind::Edit => {
                out.push_str(&format!("-- run while connected to {db}\n"));
                out.push_str("CREATE USER immuta_system PASSWORD '<password>';\n");
                out.push_str(&format!("GRANT ALL ON DATABASE {db} TO immuta_system;\n"));
                if let Some(i) = c.impersonation.as_ref().filter(|i| i.enabled == Some(true)) {
                    out.push_str(&format!(
                        "CREATE ROLE {};\n",
                        quoted(&or(&i.role, "immuta_impersonation"))
                    ));
                }
            }
            _ => {
                out.push_str(&format!("DROP DATABASE IF EXISTS {db};\n"));
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
            Some(r) if r.authentication_type == creds.authentication_type => {
                same_secret(&r.username, &creds.username)
                    && same_secret(&r.password, &creds.password)
                    && match (&r.okta, &creds.okta) {
                        (Some(a), Some(b)) => {
                            same_secret(&a.username, &b.username)
                                && same_secret(&a.password, &b.password)
                        }
                        _ => true,
                    }
            }
            _ => true,
        }
    }
}

fn check(c: &RedshiftConfig, auto: bool) -> Result<(), ApiError> {
    no_extra(&c.extra, "config")?;
    need_str(&c.host, "config.host")?;
    need_str(&c.database, "config.database")?;
    check_port(c.port, "config.port")?;
    if auto {
        need_str(&c.initial_database, "config.initialDatabase")?;
    } else {
        opt_str(&c.initial_database, "config.initialDatabase")?;
    }
    let ap = "config.authenticationType";
    let auth = auth_type(&c.authentication_type, AUTH)?.to_string();
    if auth == "userPassword" {
        need_secret(&c.username, "config.username")?;
        need_secret(&c.password, "config.password")?;
        absent(&c.okta, "config.okta", ap, &auth)?;
    } else {
        absent(&c.username, "config.username", ap, &auth)?;
        absent(&c.password, "config.password", ap, &auth)?;
        check_okta(&c.okta, "config.okta")?;
    }
    check_impersonation(&c.impersonation, "config.impersonation")
}
