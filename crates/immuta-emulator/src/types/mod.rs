//! One file per integration type, each a [`TypeRules`]: the config checks,
//! the defaults Immuta adds, which strings GET redacts, the duplicate
//! ("same target") rule, the validation tests' names and roles, the
//! scripts, and the DELETE credentials rules of that type. The rest of the
//! emulator asks [`rules`] for a type's table and never matches on types.
//!
//! - `fields`: the checks and defaults several types share (required
//!   strings, `authenticationType`, toggles, impersonation, OAuth, Okta).
//! - `snowflake`, `databricks`, `bigquery`, `redshift`, `synapse`, `s3`,
//!   `trino`: one type each.

pub(crate) mod fields;

mod bigquery;
mod databricks;
mod redshift;
mod s3;
mod snowflake;
mod synapse;
mod trino;

pub use bigquery::parse_key_file;
pub use s3::is_role_arn;

use crate::error::ApiError;
use immuta_api::{DeleteCredentials, IntegrationConfig, IntegrationType, ScriptKind};

/// What one integration type's rules are. Every method but
/// [`TypeRules::integration_type`] and [`TypeRules::check`] has a default
/// that means "nothing of the kind for this type".
pub trait TypeRules: Sync {
    /// The type these rules are for.
    fn integration_type(&self) -> IntegrationType;

    /// Checks a config of this type (already read into its typed form)
    /// against Immuta's rules; `auto_bootstrap` is the body's flag.
    fn check(&self, config: &IntegrationConfig, auto_bootstrap: bool) -> Result<(), ApiError>;

    /// Fills in the defaults Immuta adds to what was sent.
    fn fill_defaults(&self, _config: &mut IntegrationConfig) {}

    /// The secrets, as JSON pointers into the config: GET answers them
    /// `<REDACTED>`.
    fn secret_paths(&self) -> &'static [&'static str] {
        &[]
    }

    /// The strings that are no secret but that `--redact=more` redacts too.
    fn more_paths(&self) -> &'static [&'static str] {
        &[]
    }

    /// The secrets GET shows as the bare `REDACTED` (Databricks' token, as
    /// in Immuta's GET example) instead of `<REDACTED>`.
    fn bare_redacted(&self) -> &'static [&'static str] {
        &[]
    }

    /// Immuta's 409: when `new` (a create or update of this type) is on the
    /// same target as the existing `old`, what the conflict says (without
    /// the `(id = N).` the caller adds).
    fn same_target(&self, _new: &IntegrationConfig, _old: &IntegrationConfig) -> Option<String> {
        None
    }

    /// The validation tests Immuta runs for this type, in order.
    fn tests(&self) -> &'static [TestSpec] {
        &[]
    }

    /// Whether the config turns impersonation on (for
    /// [`TestRole::Impersonation`]).
    fn impersonation_on(&self, _config: &IntegrationConfig) -> bool {
        false
    }

    /// Why the config fails the type's format test ([`TestRole::Format`]),
    /// `None` when it passes.
    fn format_problem(&self, _config: &IntegrationConfig) -> Option<&'static str> {
        None
    }

    /// The script endpoints this type answers.
    fn scripts(&self) -> &'static [ScriptKind] {
        &[]
    }

    /// The script of `kind` (one of [`TypeRules::scripts`]) for a config of
    /// this type; never uses a secret.
    fn script(&self, kind: ScriptKind, _config: &IntegrationConfig) -> Result<String, ApiError> {
        Err(script_unavailable(
            kind,
            &self.integration_type().to_string(),
        ))
    }

    /// The `authenticationType` values a DELETE's privileged credentials
    /// may have (for the types whose auto-bootstrapped delete needs them).
    fn delete_auth(&self) -> &'static [&'static str] {
        &[]
    }

    /// The checks of DELETE credentials this type adds to the shared ones.
    fn check_delete_credentials(&self, _creds: &DeleteCredentials) -> Result<(), ApiError> {
        Ok(())
    }

    /// Whether DELETE credentials match what the integration was configured
    /// with (the emulator's stand-in for "can log in to the platform").
    fn credentials_match(&self, _config: &IntegrationConfig, _creds: &DeleteCredentials) -> bool {
        true
    }
}

/// Every type's rules, in [`IntegrationType::ALL`]'s order.
static ALL: [&dyn TypeRules; 7] = [
    &snowflake::Snowflake,
    &databricks::Databricks,
    &bigquery::BigQuery,
    &redshift::Redshift,
    &synapse::Synapse,
    &s3::S3,
    &trino::Trino,
];

/// The rules of a type; `None` for a type this version does not know.
pub fn rules(ty: &IntegrationType) -> Option<&'static dyn TypeRules> {
    ALL.iter().copied().find(|r| r.integration_type() == *ty)
}

/// The rules of a config's type.
pub fn rules_of(config: &IntegrationConfig) -> Option<&'static dyn TypeRules> {
    rules(&config.integration_type()?)
}

/// What a validation test does in the simulation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestRole {
    /// The connection test: fails on `unreachable` (or wrong delete
    /// credentials) and stops the tests after it.
    Connection,
    /// Warns on `warning`.
    Warn,
    /// Runs only with autoBootstrap.
    Auto,
    /// Runs only with autoBootstrap and impersonation enabled.
    Impersonation,
    /// Databricks' metastore test: fails on `no-metastore`.
    Metastore,
    /// A format test ([`TypeRules::format_problem`], S3's role ARN).
    Format,
    /// Always passes.
    Plain,
}

/// What a test's `result` holds when it ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestResult {
    /// No `result`.
    None,
    /// An empty array (cleared when the test is skipped).
    Empty,
    /// `[{"1": 1}]` when the test passes (Databricks' connection test).
    Row,
}

/// One validation test of a type: Immuta's name for it and its role.
#[derive(Clone, Copy, Debug)]
pub struct TestSpec {
    /// Immuta's name of the test.
    pub name: &'static str,
    /// What it does in the simulation.
    pub role: TestRole,
    /// What its `result` holds.
    pub result: TestResult,
}

impl TestSpec {
    /// A test without a `result`.
    pub const fn new(name: &'static str, role: TestRole) -> Self {
        TestSpec {
            name,
            role,
            result: TestResult::None,
        }
    }

    /// The same test with the given `result`.
    pub const fn result(self, result: TestResult) -> Self {
        TestSpec { result, ..self }
    }
}

/// The 400 for a script a type does not have.
pub(crate) fn script_unavailable(kind: ScriptKind, ty_name: &str) -> ApiError {
    ApiError::bad_request(format!(
        "The {kind} script is not available for {ty_name} integrations"
    ))
}

/// `v`, or `default` when unset: for scripts.
pub(crate) fn or(v: &Option<String>, default: &str) -> String {
    v.clone().unwrap_or_else(|| default.to_string())
}

/// A double-quoted SQL identifier.
pub(crate) fn quoted(id: &str) -> String {
    format!("\"{}\"", id.replace('"', "\"\""))
}

/// The first line of a SQL script.
pub(crate) fn script_header(ty: &IntegrationType, kind: ScriptKind) -> String {
    format!("-- Immuta {ty} integration: {kind} script (generated by immuta-emulator)\n")
}

/// The SQL scripts every warehouse type answers.
pub(crate) const SQL_SCRIPTS: [ScriptKind; 4] = [
    ScriptKind::Create,
    ScriptKind::Cleanup,
    ScriptKind::Delete,
    ScriptKind::Edit,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_holds_each_known_type_once() {
        for ty in IntegrationType::ALL.iter() {
            let r = rules(ty).unwrap_or_else(|| panic!("{ty} has no rules"));
            assert_eq!(r.integration_type(), *ty);
        }
        assert_eq!(ALL.len(), IntegrationType::ALL.len());
        assert!(rules(&IntegrationType::from("Oracle")).is_none());
    }
}
