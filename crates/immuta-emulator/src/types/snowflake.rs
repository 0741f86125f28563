//! Snowflake: one integration per account host.

use super::fields::{
    absent, auth_type, check_impersonation, check_oauth, check_port, check_private_key,
    check_toggle, default_impersonation, default_off, impersonation_on, need_secret, need_str,
    no_extra, opt_str, same_secret, same_text,
};
use super::{or, quoted, script_header, TestResult, TestRole, TestSpec, TypeRules, SQL_SCRIPTS};
use crate::error::ApiError;
use immuta_api::config::SnowflakeConfig;
use immuta_api::{DeleteCredentials, IntegrationConfig, IntegrationType, ScriptKind};

/// The `authenticationType` values of a config and of DELETE credentials.
const AUTH: &[&str] = &["userPassword", "keyPair", "oAuthClientCredentials"];

/// Secrets of an OAuth client config, as JSON pointers into a config.
pub(super) const OAUTH_SECRETS: [&str; 2] = [
    "/oAuthClientConfig/clientSecret",
    "/oAuthClientConfig/oauthPrivateKey",
];

/// Snowflake's rules.
pub(super) struct Snowflake;

fn config(c: &IntegrationConfig) -> Option<&SnowflakeConfig> {
    match c {
        IntegrationConfig::Snowflake(c) => Some(c),
        _ => None,
    }
}

impl TypeRules for Snowflake {
    fn integration_type(&self) -> IntegrationType {
        IntegrationType::Snowflake
    }

    fn check(&self, c: &IntegrationConfig, auto: bool) -> Result<(), ApiError> {
        match config(c) {
            Some(c) => check(c, auto),
            None => Err(ApiError::bad_request(
                "\"config\" is not a Snowflake config",
            )),
        }
    }

    /// `port` 443, `audit`, `workspaces`, `lineage` and `impersonation` off,
    /// `privateKey.keyName` `PRIV_KEY_FILE`.
    fn fill_defaults(&self, c: &mut IntegrationConfig) {
        let IntegrationConfig::Snowflake(c) = c else {
            return;
        };
        c.port.get_or_insert(443);
        for t in [&mut c.audit, &mut c.workspaces, &mut c.lineage] {
            default_off(t);
        }
        default_impersonation(&mut c.impersonation);
        if let Some(k) = &mut c.private_key {
            k.key_name
                .get_or_insert_with(|| "PRIV_KEY_FILE".to_string());
        }
    }

    fn secret_paths(&self) -> &'static [&'static str] {
        &[
            "/username",
            "/password",
            "/privateKeyPassword",
            "/privateKey/content",
            OAUTH_SECRETS[0],
            OAUTH_SECRETS[1],
        ]
    }

    fn more_paths(&self) -> &'static [&'static str] {
        &["/role", "/impersonation/role"]
    }

    /// The host, ignoring spaces and letter case (a host name's case does
    /// not matter).
    fn same_target(&self, new: &IntegrationConfig, old: &IntegrationConfig) -> Option<String> {
        let (n, o) = (config(new)?, config(old)?);
        same_text(&n.host, &o.host).then(|| {
            format!(
                "Snowflake integration already exists on {}",
                n.host.as_deref().unwrap_or_default()
            )
        })
    }

    fn tests(&self) -> &'static [TestSpec] {
        use TestRole::*;
        const TESTS: [TestSpec; 7] = [
            TestSpec::new("Initial Validation: Basic Connection Test", Connection),
            TestSpec::new("Initial Validation: Default Warehouse Access Test", Warn)
                .result(TestResult::Empty),
            TestSpec::new(
                "Initial Validation: Table Grants Role Prefix is Unique",
                Plain,
            ),
            TestSpec::new(
                "Initial Validation: Validate access to Privileged Role",
                Auto,
            )
            .result(TestResult::Empty),
            TestSpec::new("Validate Automatic: Database Does Not Exist", Auto),
            TestSpec::new(
                "Validate Automatic: Impersonation Role Does Not Exist",
                Impersonation,
            ),
            TestSpec::new("Validate Automatic Bootstrap User Grants", Auto),
        ];
        &TESTS
    }

    fn impersonation_on(&self, c: &IntegrationConfig) -> bool {
        config(c).is_some_and(|c| impersonation_on(&c.impersonation))
    }

    fn scripts(&self) -> &'static [ScriptKind] {
        &SQL_SCRIPTS
    }

    fn script(&self, kind: ScriptKind, c: &IntegrationConfig) -> Result<String, ApiError> {
        let Some(c) = config(c) else {
            return Err(ApiError::bad_request(
                "\"config\" is not a Snowflake config",
            ));
        };
        let mut out = script_header(&IntegrationType::Snowflake, kind);
        let db = quoted(&or(&c.database, "IMMUTA"));
        let wh = quoted(&or(&c.warehouse, "COMPUTE_WH"));
        let imp = c
            .impersonation
            .as_ref()
            .filter(|i| i.enabled == Some(true))
            .map(|i| or(&i.role, "IMMUTA_IMPERSONATION"));
        match kind {
            ScriptKind::Create | ScriptKind::Edit => {
                out.push_str("USE ROLE ACCOUNTADMIN;\n");
                out.push_str(&format!("CREATE DATABASE IF NOT EXISTS {db};\n"));
                out.push_str("CREATE ROLE IF NOT EXISTS IMMUTA_SYSTEM_ACCOUNT;\n");
                out.push_str("CREATE USER IF NOT EXISTS IMMUTA_SYSTEM_ACCOUNT PASSWORD = '<password>' DEFAULT_ROLE = IMMUTA_SYSTEM_ACCOUNT;\n");
                out.push_str(&format!(
                    "GRANT USAGE ON WAREHOUSE {wh} TO ROLE IMMUTA_SYSTEM_ACCOUNT;\n"
                ));
                out.push_str(&format!(
                    "GRANT OWNERSHIP ON DATABASE {db} TO ROLE IMMUTA_SYSTEM_ACCOUNT;\n"
                ));
                out.push_str("GRANT APPLY MASKING POLICY, APPLY ROW ACCESS POLICY ON ACCOUNT TO ROLE IMMUTA_SYSTEM_ACCOUNT;\n");
                if let Some(r) = imp {
                    out.push_str(&format!("CREATE ROLE IF NOT EXISTS {};\n", quoted(&r)));
                }
            }
            _ => {
                out.push_str("USE ROLE ACCOUNTADMIN;\n");
                out.push_str(&format!("DROP DATABASE IF EXISTS {db};\n"));
                if let Some(r) = imp {
                    out.push_str(&format!("DROP ROLE IF EXISTS {};\n", quoted(&r)));
                }
                out.push_str("DROP USER IF EXISTS IMMUTA_SYSTEM_ACCOUNT;\n");
                out.push_str("DROP ROLE IF EXISTS IMMUTA_SYSTEM_ACCOUNT;\n");
            }
        }
        Ok(out)
    }

    fn delete_auth(&self) -> &'static [&'static str] {
        AUTH
    }

    /// Snowflake's credentials name the role too.
    fn check_delete_credentials(&self, creds: &DeleteCredentials) -> Result<(), ApiError> {
        need_str(&creds.role, "role")
    }

    fn credentials_match(&self, c: &IntegrationConfig, creds: &DeleteCredentials) -> bool {
        match config(c) {
            Some(s) if s.authentication_type == creds.authentication_type => {
                same_secret(&s.username, &creds.username)
                    && same_secret(&s.password, &creds.password)
                    && match (&s.private_key, &creds.private_key) {
                        (Some(a), Some(b)) => same_secret(&a.content, &b.content),
                        _ => true,
                    }
            }
            _ => true,
        }
    }
}

fn check(c: &SnowflakeConfig, auto: bool) -> Result<(), ApiError> {
    no_extra(&c.extra, "config")?;
    need_str(&c.host, "config.host")?;
    need_str(&c.warehouse, "config.warehouse")?;
    need_str(&c.database, "config.database")?;
    check_port(c.port, "config.port")?;
    if auto {
        need_str(&c.role, "config.role")?;
    } else {
        opt_str(&c.role, "config.role")?;
    }
    let ap = "config.authenticationType";
    let auth = auth_type(&c.authentication_type, AUTH)?.to_string();
    match auth.as_str() {
        "userPassword" => {
            need_secret(&c.username, "config.username")?;
            need_secret(&c.password, "config.password")?;
            absent(&c.private_key, "config.privateKey", ap, &auth)?;
            absent(
                &c.private_key_password,
                "config.privateKeyPassword",
                ap,
                &auth,
            )?;
            absent(
                &c.o_auth_client_config,
                "config.oAuthClientConfig",
                ap,
                &auth,
            )?;
        }
        "keyPair" => {
            need_secret(&c.username, "config.username")?;
            absent(&c.password, "config.password", ap, &auth)?;
            check_private_key(&c.private_key, "config.privateKey")?;
            absent(
                &c.o_auth_client_config,
                "config.oAuthClientConfig",
                ap,
                &auth,
            )?;
        }
        _ => {
            absent(&c.password, "config.password", ap, &auth)?;
            absent(&c.private_key, "config.privateKey", ap, &auth)?;
            absent(
                &c.private_key_password,
                "config.privateKeyPassword",
                ap,
                &auth,
            )?;
            check_oauth(&c.o_auth_client_config, "config.oAuthClientConfig", true)?;
        }
    }
    check_toggle(&c.audit, "config.audit")?;
    check_toggle(&c.workspaces, "config.workspaces")?;
    check_toggle(&c.lineage, "config.lineage")?;
    check_impersonation(&c.impersonation, "config.impersonation")
}
