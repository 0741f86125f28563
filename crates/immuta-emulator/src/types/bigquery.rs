//! Google BigQuery: no duplicate rule (Immuta's pages state none).

use super::fields::{need_secret, need_str, no_extra};
use super::{or, script_header, TestRole, TestSpec, TypeRules, SQL_SCRIPTS};
use crate::error::ApiError;
use immuta_api::config::BigQueryConfig;
use immuta_api::{IntegrationConfig, IntegrationType, ScriptKind};
use serde_json::{Map, Value};

/// BigQuery's rules.
pub(super) struct BigQuery;

fn config(c: &IntegrationConfig) -> Option<&BigQueryConfig> {
    match c {
        IntegrationConfig::BigQuery(c) => Some(c),
        _ => None,
    }
}

impl TypeRules for BigQuery {
    fn integration_type(&self) -> IntegrationType {
        IntegrationType::BigQuery
    }

    fn check(&self, c: &IntegrationConfig, _auto: bool) -> Result<(), ApiError> {
        match config(c) {
            Some(c) => check(c),
            None => Err(ApiError::bad_request("\"config\" is not a BigQuery config")),
        }
    }

    fn secret_paths(&self) -> &'static [&'static str] {
        &["/credential"]
    }

    fn more_paths(&self) -> &'static [&'static str] {
        &["/role"]
    }

    fn tests(&self) -> &'static [TestSpec] {
        const TESTS: [TestSpec; 3] = [
            TestSpec::new(
                "Basic Validation: Verify service account not being used for data source connection credentials",
                TestRole::Connection,
            ),
            TestSpec::new("Basic Validation: Immuta Service Account postfix", TestRole::Warn),
            TestSpec::new(
                "Basic Validation: Non-matching service account in key file",
                TestRole::Plain,
            ),
        ];
        &TESTS
    }

    fn scripts(&self) -> &'static [ScriptKind] {
        &SQL_SCRIPTS
    }

    fn script(&self, kind: ScriptKind, c: &IntegrationConfig) -> Result<String, ApiError> {
        let Some(c) = config(c) else {
            return Err(ApiError::bad_request("\"config\" is not a BigQuery config"));
        };
        let mut out = script_header(&IntegrationType::BigQuery, kind);
        let ds = format!("`{}`", or(&c.dataset, "immuta"));
        match kind {
            ScriptKind::Create | ScriptKind::Edit => {
                out.push_str(&format!(
                    "CREATE SCHEMA IF NOT EXISTS {ds} OPTIONS (location = '{}');\n",
                    or(&c.location, "US")
                ));
                out.push_str(&format!(
                    "-- custom role {} is granted to Immuta's service account; policy views go to datasets suffixed {}\n",
                    or(&c.role, "immuta"),
                    or(&c.dataset_suffix, "_secure")
                ));
            }
            _ => out.push_str(&format!("DROP SCHEMA IF EXISTS {ds} CASCADE;\n")),
        }
        Ok(out)
    }
}

/// Reads a BigQuery key file, forgiving raw newlines inside its strings (as
/// Immuta's own example sends them).
pub fn parse_key_file(text: &str) -> Option<Map<String, Value>> {
    let parsed = serde_json::from_str::<Value>(text)
        .ok()
        .or_else(|| serde_json::from_str::<Value>(&text.replace('\n', "\\n")).ok());
    match parsed {
        Some(Value::Object(m)) => Some(m),
        _ => None,
    }
}

fn check(c: &BigQueryConfig) -> Result<(), ApiError> {
    no_extra(&c.extra, "config")?;
    need_str(&c.role, "config.role")?;
    need_str(&c.dataset_suffix, "config.datasetSuffix")?;
    if !c.dataset_suffix.as_deref().unwrap_or("").starts_with('_') {
        return Err(ApiError::bad_request(
            "\"config.datasetSuffix\" must start with \"_\"",
        ));
    }
    need_str(&c.dataset, "config.dataset")?;
    need_str(&c.location, "config.location")?;
    need_secret(&c.credential, "config.credential")?;
    let text = c.credential.as_ref().map(|s| s.expose()).unwrap_or("");
    let key = parse_key_file(text).ok_or_else(|| {
        ApiError::bad_request(
            "\"config.credential\" must be the service account's JSON key file, as a string",
        )
    })?;
    for field in ["type", "project_id", "client_email", "private_key"] {
        if !key.get(field).is_some_and(|v| v.is_string()) {
            return Err(ApiError::bad_request(format!(
                "\"config.credential\" is missing \"{field}\" in the key file"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_with_raw_newlines_reads() {
        let k = parse_key_file("{\"type\":\"service_account\",\"private_key\":\"a\nb\"}").unwrap();
        assert_eq!(k["private_key"], "a\nb");
        assert!(parse_key_file("not json").is_none());
    }
}
