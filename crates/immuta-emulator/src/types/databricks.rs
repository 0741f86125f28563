//! Databricks Unity Catalog: one integration per workspace URL.

use super::fields::{
    absent, auth_type, check_oauth, check_toggle, default_off, need_secret, need_str, no_extra,
};
use super::snowflake::OAUTH_SECRETS;
use super::{or, script_header, TestResult, TestRole, TestSpec, TypeRules, SQL_SCRIPTS};
use crate::error::ApiError;
use immuta_api::config::DatabricksConfig;
use immuta_api::{IntegrationConfig, IntegrationType, ScriptKind};

/// The `authenticationType` values.
const AUTH: &[&str] = &["token", "oAuthM2M"];

/// The token, which Immuta's GET example shows as the bare `REDACTED`.
const TOKEN: &str = "/token";

/// Databricks' rules.
pub(super) struct Databricks;

fn config(c: &IntegrationConfig) -> Option<&DatabricksConfig> {
    match c {
        IntegrationConfig::Databricks(c) => Some(c),
        _ => None,
    }
}

/// A workspace URL in lower case (host names and schemes ignore case),
/// without its scheme and trailing `/`.
fn workspace(c: &DatabricksConfig) -> String {
    c.workspace_url
        .as_deref()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string()
}

impl TypeRules for Databricks {
    fn integration_type(&self) -> IntegrationType {
        IntegrationType::Databricks
    }

    fn check(&self, c: &IntegrationConfig, _auto: bool) -> Result<(), ApiError> {
        match config(c) {
            Some(c) => check(c),
            None => Err(ApiError::bad_request(
                "\"config\" is not a Databricks config",
            )),
        }
    }

    /// `audit` off.
    fn fill_defaults(&self, c: &mut IntegrationConfig) {
        if let IntegrationConfig::Databricks(c) = c {
            default_off(&mut c.audit);
        }
    }

    fn secret_paths(&self) -> &'static [&'static str] {
        &[TOKEN, OAUTH_SECRETS[0], OAUTH_SECRETS[1]]
    }

    fn bare_redacted(&self) -> &'static [&'static str] {
        &[TOKEN]
    }

    /// The workspace URL, with or without `https://` and a trailing `/`, in
    /// any letter case.
    fn same_target(&self, new: &IntegrationConfig, old: &IntegrationConfig) -> Option<String> {
        let (n, o) = (config(new)?, config(old)?);
        (workspace(n) == workspace(o)).then(|| {
            format!(
                "Databricks integration already exists on {}",
                n.workspace_url.as_deref().unwrap_or_default()
            )
        })
    }

    fn tests(&self) -> &'static [TestSpec] {
        const TESTS: [TestSpec; 2] = [
            TestSpec::new("Metastore validation", TestRole::Metastore),
            TestSpec::new("Basic Connection Test", TestRole::Connection).result(TestResult::Row),
        ];
        &TESTS
    }

    fn scripts(&self) -> &'static [ScriptKind] {
        &SQL_SCRIPTS
    }

    fn script(&self, kind: ScriptKind, c: &IntegrationConfig) -> Result<String, ApiError> {
        let Some(c) = config(c) else {
            return Err(ApiError::bad_request(
                "\"config\" is not a Databricks config",
            ));
        };
        let mut out = script_header(&IntegrationType::Databricks, kind);
        let cat = format!("`{}`", or(&c.catalog, "immuta").replace('`', "``"));
        match kind {
            ScriptKind::Create | ScriptKind::Edit => {
                out.push_str(&format!("CREATE CATALOG IF NOT EXISTS {cat};\n"));
                out.push_str(&format!(
                    "GRANT USE CATALOG ON CATALOG {cat} TO `immuta-service-principal`;\n"
                ));
                out.push_str(&format!("GRANT CREATE SCHEMA, CREATE FUNCTION ON CATALOG {cat} TO `immuta-service-principal`;\n"));
                if let Some(d) = c.group_pattern.as_ref().and_then(|g| g.deny.clone()) {
                    out.push_str(&format!(
                        "-- members of `{d}` are exempt from Immuta's policies\n"
                    ));
                }
            }
            _ => out.push_str(&format!("DROP CATALOG IF EXISTS {cat} CASCADE;\n")),
        }
        Ok(out)
    }
}

fn check(c: &DatabricksConfig) -> Result<(), ApiError> {
    no_extra(&c.extra, "config")?;
    need_str(&c.workspace_url, "config.workspaceUrl")?;
    need_str(&c.http_path, "config.httpPath")?;
    need_str(&c.catalog, "config.catalog")?;
    let ap = "config.authenticationType";
    let auth = auth_type(&c.authentication_type, AUTH)?.to_string();
    if auth == "token" {
        need_secret(&c.token, "config.token")?;
        absent(
            &c.o_auth_client_config,
            "config.oAuthClientConfig",
            ap,
            &auth,
        )?;
    } else {
        absent(&c.token, "config.token", ap, &auth)?;
        check_oauth(&c.o_auth_client_config, "config.oAuthClientConfig", false)?;
    }
    check_toggle(&c.audit, "config.audit")?;
    if let Some(g) = &c.group_pattern {
        no_extra(&g.extra, "config.groupPattern")?;
        need_str(&g.deny, "config.groupPattern.deny")?;
    }
    if let Some(ids) = &c.workspace_ids {
        if let Some(i) = ids.iter().position(|s| s.trim().is_empty()) {
            return Err(ApiError::bad_request(format!(
                "\"config.workspaceIds[{i}]\" is not allowed to be empty"
            )));
        }
    }
    Ok(())
}
