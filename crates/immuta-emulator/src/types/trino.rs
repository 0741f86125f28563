//! Starburst (Trino): no config but the API key Immuta generates, no
//! duplicate rule, no validation tests, no scripts.

use super::fields::no_extra;
use super::TypeRules;
use crate::error::ApiError;
use immuta_api::{IntegrationConfig, IntegrationType};

/// Trino's rules. Its API key is not among the secrets: where GET shows it
/// is the `trino_key` guess.
pub(super) struct Trino;

impl TypeRules for Trino {
    fn integration_type(&self) -> IntegrationType {
        IntegrationType::Trino
    }

    fn check(&self, c: &IntegrationConfig, _auto: bool) -> Result<(), ApiError> {
        let IntegrationConfig::Trino(c) = c else {
            return Err(ApiError::bad_request("\"config\" is not a Trino config"));
        };
        if c.api_key.is_some() {
            return Err(ApiError::bad_request(
                "\"config.apiKey\" is not allowed: Immuta generates it (use POST /integrations/{id}/regenerate)",
            ));
        }
        no_extra(&c.extra, "config")
    }
}
