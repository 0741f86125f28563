//! `bigquery = { ... }`: Google BigQuery's config.

use super::block::{self, secret};
use super::PlatformSpec;
use super::{secret_description, Check, Form};
use crate::framework::{Attribute, Type, Value};
use immuta_api::config::BigQueryConfig;
use immuta_api::{IntegrationConfig, IntegrationType, Secret};
use serde::{Deserialize, Serialize};

/// The table of `bigquery`.
pub struct BigQuery;

impl PlatformSpec for BigQuery {
    fn block_name(&self) -> &'static str {
        "bigquery"
    }

    fn integration_type(&self) -> IntegrationType {
        IntegrationType::BigQuery
    }

    fn described_as(&self) -> &'static str {
        "a Google BigQuery integration"
    }

    fn product_name(&self) -> &'static str {
        "Google BigQuery"
    }

    fn attributes(&self, form: Form) -> Vec<Attribute> {
        attributes(form)
    }

    fn validate(&self, c: &mut Check<'_>, _auto_bootstrap: Option<bool>) {
        validate(c);
    }

    fn to_config(&self, block: &Value) -> Option<IntegrationConfig> {
        Some(IntegrationConfig::BigQuery(to_config(&block::read(block))))
    }

    fn block_from_config(
        &self,
        config: Option<&IntegrationConfig>,
        prior: &Value,
        ty: &Type,
    ) -> Option<Value> {
        match config {
            Some(IntegrationConfig::BigQuery(c)) => {
                block::write(&from_config(c, block::read_prior(prior).as_ref()), ty)
            }
            _ => None,
        }
    }
}

/// `bigquery = { ... }`: one field per attribute of [`attributes`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BigQueryBlock {
    /// The Google Cloud role.
    pub role: Option<String>,
    /// The suffix of the policy-enforced datasets.
    pub dataset_suffix: Option<String>,
    /// The dataset Immuta manages.
    pub dataset: Option<String>,
    /// The datasets' location.
    pub location: Option<String>,
    /// The service account's JSON key file.
    pub credential: Option<Secret>,
}

/// The attributes of `bigquery`, described for `form`.
pub fn attributes(form: Form) -> Vec<Attribute> {
    vec![
        Attribute::string("role").optional().description(
            "The Google Cloud role Immuta's service account connects with, created beforehand \
             (see the Google BigQuery guide). Must be set.",
        ),
        Attribute::string("dataset_suffix").optional().description(
            "The suffix of the policy-enforced datasets; starts with `_`, e.g. `_secureView`. \
             Must be set.",
        ),
        Attribute::string("dataset")
            .optional()
            .description("The dataset where Immuta creates and manages its views. Must be set."),
        Attribute::string("location")
            .optional()
            .description("The datasets' location, e.g. `us-east1`. Must be set."),
        Attribute::string("credential")
            .optional()
            .sensitive()
            .description(secret_description(
                form,
                "The service account's JSON key file, as a string (e.g. \
                 `file(\"key.json\")`). Must be set.",
            )),
    ]
}

/// Reads a key file, forgiving raw newlines inside its strings (Immuta's own
/// example sends its private key so).
pub fn parse_key_file(text: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let parsed = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .or_else(|| serde_json::from_str(&text.replace('\n', "\\n")).ok());
    match parsed {
        Some(serde_json::Value::Object(m)) => Some(m),
        _ => None,
    }
}

/// Checks a `bigquery` block.
pub fn validate(c: &mut Check<'_>) {
    c.required_all(
        &[
            "role",
            "dataset_suffix",
            "dataset",
            "location",
            "credential",
        ],
        "",
    );
    if let Some(sfx) = c.str("dataset_suffix") {
        if !sfx.is_empty() && !sfx.starts_with('_') {
            c.error(
                "dataset_suffix",
                format!("expected a suffix starting with \"_\", got \"{sfx}\""),
            );
        }
    }
    if let Some(cred) = c.str("credential") {
        // The value is secret: the message never repeats it.
        if !cred.trim().is_empty() && parse_key_file(cred).is_none() {
            c.error(
                "credential",
                "expected the service account's JSON key file (a JSON object), got text that is not JSON",
            );
        }
    }
}

/// The API config of a `bigquery` block.
pub fn to_config(b: &BigQueryBlock) -> BigQueryConfig {
    let BigQueryBlock {
        role,
        dataset_suffix,
        dataset,
        location,
        credential,
    } = b;
    BigQueryConfig {
        role: role.clone(),
        dataset_suffix: dataset_suffix.clone(),
        dataset: dataset.clone(),
        location: location.clone(),
        credential: credential.clone(),
        extra: Default::default(),
    }
}

/// The `bigquery` block of an API config, the key file Immuta redacts
/// taken from `prior`.
pub fn from_config(c: &BigQueryConfig, prior: Option<&BigQueryBlock>) -> BigQueryBlock {
    let BigQueryConfig {
        role,
        dataset_suffix,
        dataset,
        location,
        credential,
        extra: _,
    } = c;
    BigQueryBlock {
        role: role.clone(),
        dataset_suffix: dataset_suffix.clone(),
        dataset: dataset.clone(),
        location: location.clone(),
        credential: secret(credential, prior.and_then(|p| p.credential.as_ref())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Diagnostics;
    use crate::integration::platforms::block::test_support::assert_block_matches;
    use crate::integration::platforms::Platform;

    #[test]
    fn the_block_struct_matches_the_schema() {
        for form in [Form::Resource, Form::DataSource] {
            assert_block_matches::<BigQueryBlock>(&Platform::BIGQUERY.attribute_in(form));
        }
    }

    #[test]
    fn suffix_and_credential_checks() {
        let v = Value::object([
            ("role", Value::from("immuta")),
            ("dataset_suffix", Value::from("secureView")),
            ("dataset", Value::from("immuta")),
            ("location", Value::from("us-east1")),
            ("credential", Value::from("not json")),
        ]);
        let mut d = Diagnostics::new();
        Platform::BIGQUERY.validate(&v, Some(false), &mut d);
        let msgs: Vec<_> = d.iter().map(|d| d.summary.clone()).collect();
        assert_eq!(
            msgs,
            [
                "bigquery.dataset_suffix: expected a suffix starting with \"_\", got \"secureView\"",
                "bigquery.credential: expected the service account's JSON key file (a JSON object), got text that is not JSON",
            ]
        );
        assert!(!msgs.concat().contains("not json"));
        assert!(parse_key_file("{\"private_key\":\"a\nb\"}").is_some());
    }

    #[test]
    fn round_trip() {
        let v = Value::object([
            ("role", Value::from("immuta")),
            ("dataset_suffix", Value::from("_secureView")),
            ("dataset", Value::from("immuta")),
            ("location", Value::from("us-east1")),
            ("credential", Value::from("{}")),
        ]);
        let c = Platform::BIGQUERY.to_config(&v).unwrap();
        assert_eq!(Platform::BIGQUERY.from_config(Some(&c), &Value::Null), v);
    }
}
