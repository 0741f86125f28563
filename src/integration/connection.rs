//! A connection (`/data/connection`) from the same per-platform values as
//! `immuta_integration`, and back: the first building block of
//! `immuta_connection`, which reuses the `snowflake` and `databricks`
//! nested attributes instead of a second copy of their schema.
//!
//! One block feeds both halves of a connection body: how Immuta reaches
//! the platform (`connection`: host, port, warehouse, role, authentication
//! and credentials) and the native integration's own settings
//! (`nativeIntegration.config`: database or catalog, audit,
//! impersonation...). Each field goes to one half only, so a secret is
//! sent once. Reading an answer puts the halves together again into the
//! platform's typed config, which [`Platform::from_config`] reads as for
//! an integration; every placeholder Immuta answers (`<REDACTED>`,
//! `REDACTED`, `[REDACTED]`, or an absent secret) then takes the prior
//! value.

use super::platforms::Platform;
use immuta_api::connection::{
    is_placeholder, Connection, ConnectionPayload, ConnectionSpec, ObjectSettings, Technology,
};
use immuta_api::{IntegrationConfig, IntegrationPayload, Secret};
use immuta_client::{wait_for_job, ClientError, ImmutaClient, JobWaitError, WaitOptions};

/// Why a settings change did not take.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// Immuta refused the request (nothing changed).
    #[error("{0}")]
    Refused(ClientError),
    /// The bulk job Immuta started did not finish well.
    #[error("{0}")]
    NotApplied(JobWaitError),
}

/// Sets the settings of the object at `path` (`PUT /data/settings/...`)
/// and waits for the bulk job the answer names, if any: the one way both
/// `immuta_connection` (its root) and `immuta_connection_settings` (a path
/// below it) change settings.
pub async fn set_settings(
    client: &ImmutaClient,
    path: &[String],
    body: &ObjectSettings,
    options: WaitOptions,
) -> Result<(), SettingsError> {
    let answer = client
        .set_object_settings(path, body)
        .await
        .map_err(SettingsError::Refused)?;
    if let Some(bulk) = answer.bulk_id {
        wait_for_job(client, bulk.as_str(), options)
            .await
            .map_err(SettingsError::NotApplied)?;
    }
    Ok(())
}

/// The platforms whose connection reuses `immuta_integration`'s block.
pub const CONNECTION_PLATFORMS: [Platform; 2] = [Platform::SNOWFLAKE, Platform::DATABRICKS];

/// The connection technology of a platform; `None` for one without a
/// documented connection API.
pub fn technology_of(platform: Platform) -> Option<Technology> {
    if platform == Platform::SNOWFLAKE {
        Some(Technology::Snowflake)
    } else if platform == Platform::DATABRICKS {
        Some(Technology::Databricks)
    } else {
        None
    }
}

/// Splits a native config into its `connection` half (returned) and what
/// stays in the native config; `None` for a config of another technology.
pub fn split_config(config: &mut IntegrationConfig) -> Option<ConnectionSpec> {
    match config {
        IntegrationConfig::Snowflake(c) => Some(ConnectionSpec {
            technology: Some(Technology::Snowflake),
            hostname: c.host.take(),
            port: c.port.take(),
            warehouse: c.warehouse.take(),
            role: c.role.take(),
            authentication_type: c.authentication_type.take(),
            username: c.username.take(),
            password: c.password.take(),
            private_key: c.private_key.take(),
            private_key_password: c.private_key_password.take(),
            o_auth_client_config: c.o_auth_client_config.take(),
            ..ConnectionSpec::default()
        }),
        IntegrationConfig::Databricks(c) => Some(ConnectionSpec {
            technology: Some(Technology::Databricks),
            hostname: c.workspace_url.take(),
            http_path: c.http_path.take(),
            authentication_type: c.authentication_type.take(),
            token: c.token.take(),
            o_auth_client_config: c.o_auth_client_config.take(),
            ..ConnectionSpec::default()
        }),
        _ => None,
    }
}

/// The body of `POST` (and `PUT`) `/data/connection` from the native
/// integration's request body (built from the block as for an
/// integration: write-only twins merged, placeholders refused) and the
/// root's settings. The native integration is never auto-bootstrapped
/// (Immuta's examples). `None` when `native` carries no config of a
/// connection technology.
pub fn connection_payload(
    key: &str,
    mut native: IntegrationPayload,
    settings: Option<ObjectSettings>,
) -> Option<ConnectionPayload> {
    let connection = split_config(native.config.as_mut()?)?;
    native.auto_bootstrap = Some(false);
    Some(ConnectionPayload {
        connection_key: key.to_string(),
        connection,
        settings,
        options: None,
        native_integration: native,
    })
}

/// A secret as the platform readers take it: a placeholder of any form
/// becomes `<REDACTED>`, which they replace with the prior value.
fn plain(secret: Option<Secret>) -> Option<Secret> {
    secret.map(|s| {
        if is_placeholder(&s) {
            Secret::redacted()
        } else {
            s
        }
    })
}

/// The native config of a connection answer with its `connection` half put
/// back, for [`Platform::from_config`]; `None` when the answer is of no
/// technology this provider reuses a block for. A field the native config
/// holds itself wins over the connection's.
pub fn joined_config(answer: &Connection) -> Option<IntegrationConfig> {
    let spec = answer.connection.clone().unwrap_or_default();
    let technology = spec.technology.clone().or_else(|| {
        let native = answer.native_integration.as_ref()?;
        Some(Technology::from(native.integration_type.as_str()))
    })?;
    let native = answer
        .native_integration
        .as_ref()
        .and_then(|n| n.config.clone());
    match technology {
        Technology::Snowflake => {
            let mut c = match native {
                Some(IntegrationConfig::Snowflake(c)) => c,
                _ => Default::default(),
            };
            c.host = c.host.or(spec.hostname);
            c.port = c.port.or(spec.port);
            c.warehouse = c.warehouse.or(spec.warehouse);
            c.role = c.role.or(spec.role);
            c.authentication_type = c.authentication_type.or(spec.authentication_type);
            c.username = plain(c.username.or(spec.username));
            c.password = plain(c.password.or(spec.password));
            c.private_key = c.private_key.or(spec.private_key);
            c.private_key_password = plain(c.private_key_password.or(spec.private_key_password));
            c.o_auth_client_config = c.o_auth_client_config.or(spec.o_auth_client_config);
            Some(IntegrationConfig::Snowflake(c))
        }
        Technology::Databricks => {
            let mut c = match native {
                Some(IntegrationConfig::Databricks(c)) => c,
                _ => Default::default(),
            };
            c.workspace_url = c.workspace_url.or(spec.hostname);
            c.http_path = c.http_path.or(spec.http_path);
            c.authentication_type = c.authentication_type.or(spec.authentication_type);
            c.token = plain(c.token.or(spec.token));
            c.o_auth_client_config = c.o_auth_client_config.or(spec.o_auth_client_config);
            Some(IntegrationConfig::Databricks(c))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Value;
    use crate::integration::convert::request_payload;
    use crate::integration::test_support::snowflake_config;

    #[test]
    fn only_snowflake_and_databricks_reuse_a_block() {
        assert_eq!(
            technology_of(Platform::SNOWFLAKE),
            Some(Technology::Snowflake)
        );
        assert_eq!(
            technology_of(Platform::DATABRICKS),
            Some(Technology::Databricks)
        );
        assert_eq!(technology_of(Platform::S3), None);
        for p in CONNECTION_PLATFORMS {
            assert!(technology_of(p).is_some());
        }
    }

    #[test]
    fn a_block_becomes_a_connection_body_with_each_secret_sent_once() {
        let v = snowflake_config();
        let m = crate::integration::IntegrationModel::read(&v).unwrap();
        let native = request_payload(Platform::SNOWFLAKE, &m, &m).unwrap();
        let p = connection_payload("sf", native, None).unwrap();
        assert_eq!(p.connection.technology, Some(Technology::Snowflake));
        assert_eq!(
            p.connection.hostname.as_deref(),
            Some("org.us-east-1.snowflakecomputing.com")
        );
        assert_eq!(
            p.connection.password.as_ref().map(Secret::expose),
            Some("abc1234")
        );
        assert_eq!(p.native_integration.auto_bootstrap, Some(false));
        let body = serde_json::to_value(&p).unwrap();
        let text = body.to_string();
        assert_eq!(text.matches("abc1234").count(), 1, "{text}");
        assert_eq!(
            body["nativeIntegration"]["config"]["database"],
            "SNOWFLAKE_SAMPLE_DATA"
        );
        assert!(body["nativeIntegration"]["config"].get("host").is_none());
        // An integration of another type has no connection.
        let other = IntegrationPayload {
            integration_type: immuta_api::IntegrationType::Trino,
            auto_bootstrap: None,
            config: None,
        };
        assert!(connection_payload("t", other, None).is_none());
    }

    #[test]
    fn an_answer_reads_back_into_the_block_keeping_redacted_secrets() {
        let v = snowflake_config();
        let m = crate::integration::IntegrationModel::read(&v).unwrap();
        let native = request_payload(Platform::SNOWFLAKE, &m, &m).unwrap();
        let sent = connection_payload("sf", native, None).unwrap();
        for placeholder in ["<REDACTED>", "REDACTED", "[REDACTED]"] {
            let mut answer: Connection = serde_json::from_value(serde_json::json!({
                "connectionKey": "sf",
                "nativeIntegrationId": "7",
                "connection": serde_json::to_value(&sent.connection).unwrap(),
                "nativeIntegration": serde_json::to_value(&sent.native_integration).unwrap(),
            }))
            .unwrap();
            if let Some(c) = answer.connection.as_mut() {
                c.password = Some(Secret::new(placeholder));
            }
            let config = joined_config(&answer).unwrap();
            let prior = v.attr("snowflake").clone();
            let block = Platform::SNOWFLAKE.from_config(Some(&config), &prior);
            assert_eq!(
                block.attr("password"),
                &Value::from("abc1234"),
                "{placeholder}"
            );
            assert_eq!(
                block.attr("host"),
                &Value::from("org.us-east-1.snowflakecomputing.com")
            );
            assert_eq!(
                block.attr("database"),
                &Value::from("SNOWFLAKE_SAMPLE_DATA")
            );
        }
        // No connection half and no native config: nothing to read.
        let bare: Connection =
            serde_json::from_value(serde_json::json!({"connectionKey": "x"})).unwrap();
        assert!(joined_config(&bare).is_none());
    }
}
