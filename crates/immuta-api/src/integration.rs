//! Integration objects, create/update bodies and operation answers.

use crate::config::{Extra, IntegrationConfig};
use crate::secret::Secret;
use crate::types::{IntegrationId, IntegrationStatus, IntegrationType, TestStatus};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::fmt;

/// One validation test Immuta ran.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationTest {
    /// The test's name, e.g. `Initial Validation: Basic Connection Test`.
    pub name: String,
    /// Its outcome.
    pub status: TestStatus,
    /// What went wrong, for failures and warnings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Free-form result data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
}

/// `validationResults`: the overall outcome and each test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationResults {
    /// The overall outcome.
    pub status: TestStatus,
    /// The tests, in the order Immuta ran them.
    #[serde(default)]
    pub validation_tests: Vec<ValidationTest>,
}

impl ValidationResults {
    /// The failed tests.
    pub fn failed(&self) -> impl Iterator<Item = &ValidationTest> {
        self.validation_tests
            .iter()
            .filter(|t| t.status == TestStatus::Failed)
    }

    /// The tests that passed with a warning.
    pub fn warnings(&self) -> impl Iterator<Item = &ValidationTest> {
        self.validation_tests
            .iter()
            .filter(|t| t.status == TestStatus::Warning)
    }
}

/// An integration as GET answers it.
#[derive(Clone, Debug, PartialEq)]
pub struct Integration {
    /// Its id.
    pub id: IntegrationId,
    /// Its type.
    pub integration_type: IntegrationType,
    /// Its status.
    pub status: IntegrationStatus,
    /// Whether Immuta set up the platform side itself (absent for Trino).
    pub auto_bootstrap: Option<bool>,
    /// The last validation results.
    pub validation_results: Option<ValidationResults>,
    /// The config, secrets shown as `<REDACTED>`.
    pub config: Option<IntegrationConfig>,
    /// Top-level fields this version does not know.
    pub extra: Extra,
}

/// An integration's create or update body (`POST`/`PUT /integrations`).
#[derive(Clone, Debug, PartialEq)]
pub struct IntegrationPayload {
    /// Its type.
    pub integration_type: IntegrationType,
    /// Required for every type but Trino; `false` for S3 and BigQuery.
    pub auto_bootstrap: Option<bool>,
    /// Required for every type but Trino.
    pub config: Option<IntegrationConfig>,
}

/// What POST, PUT and DELETE answer: `{id, status, validationResults}`,
/// and perhaps a `config` (a Trino create answer may carry the generated
/// `apiKey` there). Read from that object or from a bare status string
/// (`"enabled"`), as `/status` may answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationResponse {
    /// The integration's id (absent in some dry-run answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<IntegrationId>,
    /// Its status after the request (absent in some dry-run answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<IntegrationStatus>,
    /// The validation tests run for the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation_results: Option<ValidationResults>,
    /// A config the answer carries, untyped: the answer need not say its
    /// integration's type. See [`OperationResponse::trino_api_key`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<Value>,
}

impl OperationResponse {
    /// `config.apiKey` when it is a string holding a key, not empty and
    /// not a redaction placeholder: the key of a Trino integration, where
    /// Immuta's create (or regenerate) answer carries it.
    pub fn trino_api_key(&self) -> Option<Secret> {
        let key = self.config.as_ref()?.get("apiKey")?.as_str()?;
        let key = Secret::new(key);
        (!key.expose().trim().is_empty() && !key.is_redacted()).then_some(key)
    }
}

/// The fields of the object form of [`OperationResponse`], as read.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OperationObject {
    #[serde(default)]
    id: Option<IntegrationId>,
    #[serde(default)]
    status: Option<IntegrationStatus>,
    #[serde(default)]
    validation_results: Option<ValidationResults>,
    #[serde(default)]
    config: Option<Value>,
}

impl<'de> Deserialize<'de> for OperationResponse {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Answer;
        impl<'de> Visitor<'de> for Answer {
            type Value = OperationResponse;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object {id, status, validationResults} or a status string")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(OperationResponse {
                    id: None,
                    status: Some(IntegrationStatus::from(s)),
                    validation_results: None,
                    config: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let o = OperationObject::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(OperationResponse {
                    id: o.id,
                    status: o.status,
                    validation_results: o.validation_results,
                    config: o.config,
                })
            }
        }
        d.deserialize_any(Answer)
    }
}

/// What `GET /integrations/{id}/status` answers: `{id, status,
/// validationResults}`, or only the status as a JSON string (then `id` and
/// `validationResults` are `None`).
pub type StatusResponse = OperationResponse;

/// The wire shape both [`Integration`] and [`IntegrationPayload`] go through:
/// the config is read only once the type is known.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<IntegrationId>,
    #[serde(rename = "type")]
    integration_type: IntegrationType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<IntegrationStatus>,
    #[serde(
        default,
        deserialize_with = "crate::lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    auto_bootstrap: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    validation_results: Option<ValidationResults>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    config: Option<Value>,
    #[serde(flatten)]
    extra: Extra,
}

fn read_config<E: serde::de::Error>(
    ty: &IntegrationType,
    config: Option<Value>,
) -> Result<Option<IntegrationConfig>, E> {
    match config {
        None | Some(Value::Null) => Ok(None),
        Some(v) => IntegrationConfig::from_value(ty, v)
            .map(Some)
            .map_err(|e| E::custom(format_args!("config: {e}"))),
    }
}

impl Serialize for Integration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Wire {
            id: Some(self.id.clone()),
            integration_type: self.integration_type.clone(),
            status: Some(self.status.clone()),
            auto_bootstrap: self.auto_bootstrap,
            validation_results: self.validation_results.clone(),
            config: self.config.as_ref().map(IntegrationConfig::to_value),
            extra: self.extra.clone(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Integration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let w = Wire::deserialize(d)?;
        let config = read_config(&w.integration_type, w.config)?;
        Ok(Integration {
            id: w.id.ok_or_else(|| D::Error::missing_field("id"))?,
            status: w.status.ok_or_else(|| D::Error::missing_field("status"))?,
            integration_type: w.integration_type,
            auto_bootstrap: w.auto_bootstrap,
            validation_results: w.validation_results,
            config,
            extra: w.extra,
        })
    }
}

impl Serialize for IntegrationPayload {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Wire {
            id: None,
            integration_type: self.integration_type.clone(),
            status: None,
            auto_bootstrap: self.auto_bootstrap,
            validation_results: None,
            config: self.config.as_ref().map(IntegrationConfig::to_value),
            extra: Extra::new(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for IntegrationPayload {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w = Wire::deserialize(d)?;
        let config = read_config(&w.integration_type, w.config)?;
        Ok(IntegrationPayload {
            integration_type: w.integration_type,
            auto_bootstrap: w.auto_bootstrap,
            config,
        })
    }
}

impl Integration {
    /// The create/update body that would make this integration again.
    pub fn to_payload(&self) -> IntegrationPayload {
        IntegrationPayload {
            integration_type: self.integration_type.clone(),
            auto_bootstrap: self.auto_bootstrap,
            config: self.config.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{DatabricksConfig, SnowflakeConfig};
    use serde_json::json;

    #[test]
    fn list_example_from_immutas_page_parses() {
        let body = json!([{
            "id": "1", "status": "enabled",
            "validationResults": {"status": "passed", "validationTests": [
                {"name": "Initial Validation: Basic Connection Test", "status": "passed"},
                {"name": "Validate Automatic: Impersonation Role Does Not Exist", "status": "skipped"}
            ]},
            "type": "Snowflake", "autoBootstrap": true,
            "config": {"host": "organization.us-east-1.snowflakecomputing.com", "port": 443,
                       "username": "<REDACTED>", "password": "<REDACTED>", "role": "ACCOUNTADMIN"}
        }, {
            "id": 2, "status": "enabled", "type": "Databricks",
            "validationResults": {"status": "passed", "validationTests": [
                {"name": "Basic Connection Test", "result": [{"1": 1}], "status": "passed"}
            ]},
            "autoBootstrap": true,
            "config": {"workspaceUrl": "www.example-workspace.cloud.databricks.com",
                       "httpPath": "sql/protocolv1/o/0/0000-00000-abc123",
                       "authenticationType": "token", "token": "REDACTED", "catalog": "immuta"}
        }]);
        let list: Vec<Integration> = serde_json::from_value(body).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1].id.as_str(), "2");
        let Some(IntegrationConfig::Databricks(DatabricksConfig { token, .. })) = &list[1].config
        else {
            panic!("expected a Databricks config")
        };
        assert!(token.as_ref().unwrap().is_redacted());
        let vr = list[0].validation_results.as_ref().unwrap();
        assert_eq!(vr.validation_tests[1].status, TestStatus::Skipped);
    }

    #[test]
    fn trino_payload_is_just_the_type() {
        let p = IntegrationPayload {
            integration_type: IntegrationType::Trino,
            auto_bootstrap: None,
            config: None,
        };
        assert_eq!(serde_json::to_value(&p).unwrap(), json!({"type": "Trino"}));
        let back: IntegrationPayload = serde_json::from_value(json!({"type": "Trino"})).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn payload_round_trip_sends_no_nulls() {
        let p = IntegrationPayload {
            integration_type: IntegrationType::Snowflake,
            auto_bootstrap: Some(true),
            config: Some(IntegrationConfig::Snowflake(SnowflakeConfig {
                host: Some("h".into()),
                password: Some("p".into()),
                ..Default::default()
            })),
        };
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(
            v,
            json!({"type": "Snowflake", "autoBootstrap": true, "config": {"host": "h", "password": "p"}})
        );
        assert_eq!(serde_json::from_value::<IntegrationPayload>(v).unwrap(), p);
    }

    #[test]
    fn operation_response_and_failures() {
        let r: OperationResponse = serde_json::from_value(json!({
            "id": "123456789", "status": "creating",
            "validationResults": {"status": "failed", "validationTests": [
                {"name": "Basic Connection Test", "status": "failed", "message": "unreachable"},
                {"name": "Other", "status": "warning", "message": "careful"}
            ]}
        }))
        .unwrap();
        assert_eq!(r.status, Some(IntegrationStatus::Creating));
        let vr = r.validation_results.unwrap();
        assert_eq!(vr.failed().count(), 1);
        assert_eq!(
            vr.warnings().next().unwrap().message.as_deref(),
            Some("careful")
        );
    }

    #[test]
    fn status_answer_is_an_object_or_a_bare_string() {
        let r: StatusResponse = serde_json::from_value(json!("enabled")).unwrap();
        assert_eq!(r.status, Some(IntegrationStatus::Enabled));
        assert_eq!((r.id, r.validation_results, r.config), (None, None, None));
        let r: StatusResponse = serde_json::from_str("\"somethingNew\"").unwrap();
        assert_eq!(
            r.status,
            Some(IntegrationStatus::Other("somethingNew".into()))
        );
        let r: StatusResponse = serde_json::from_str(r#"{"id": 7, "status": "disabled"}"#).unwrap();
        assert_eq!(r.id, Some(IntegrationId::from("7")));
        assert_eq!(r.status, Some(IntegrationStatus::Disabled));
        // An object of the wrong shape still names what is wrong.
        let e = serde_json::from_str::<StatusResponse>(r#"{"status": 5}"#).unwrap_err();
        assert!(e.to_string().contains("invalid type: integer"), "{e}");
        assert!(serde_json::from_value::<StatusResponse>(json!([1])).is_err());
    }

    #[test]
    fn trino_key_from_a_create_answer() {
        let r: OperationResponse = serde_json::from_value(json!({
            "id": "3", "status": "creating", "config": {"apiKey": "abc123"}
        }))
        .unwrap();
        assert_eq!(r.trino_api_key().unwrap().expose(), "abc123");
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"id": "3", "status": "creating", "config": {"apiKey": "abc123"}})
        );
        for config in [
            json!({"apiKey": "<REDACTED>"}),
            json!({"apiKey": "REDACTED"}),
            json!({"apiKey": ""}),
            json!({"apiKey": 5}),
            json!({}),
        ] {
            let r: OperationResponse =
                serde_json::from_value(json!({"id": "3", "config": config})).unwrap();
            assert!(r.trino_api_key().is_none(), "{config}");
        }
        let r: OperationResponse = serde_json::from_value(json!({"id": "3"})).unwrap();
        assert!(r.trino_api_key().is_none());
        assert_eq!(serde_json::to_value(&r).unwrap(), json!({"id": "3"}));
    }

    #[test]
    fn numbers_and_booleans_sent_as_strings_are_read() {
        let i: Integration = serde_json::from_value(json!({
            "id": 4, "type": "Redshift", "status": "enabled", "autoBootstrap": "true",
            "config": {"host": "h", "port": "5439", "impersonation": {"enabled": "false"}}
        }))
        .unwrap();
        assert_eq!(i.id.as_str(), "4");
        assert_eq!(i.auto_bootstrap, Some(true));
        let Some(IntegrationConfig::Redshift(c)) = &i.config else {
            panic!("expected a Redshift config")
        };
        assert_eq!(c.port, Some(5439));
        assert_eq!(c.impersonation.as_ref().unwrap().enabled, Some(false));
        // Written back as the API's types.
        let v = serde_json::to_value(&i).unwrap();
        assert_eq!(v["autoBootstrap"], json!(true));
        assert_eq!(v["config"]["port"], json!(5439));
        assert_eq!(v["config"]["impersonation"]["enabled"], json!(false));
    }

    #[test]
    fn bad_config_type_names_config() {
        let err = serde_json::from_value::<IntegrationPayload>(
            json!({"type": "Snowflake", "config": {"port": "x"}}),
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("config:"), "{err}");
    }
}
