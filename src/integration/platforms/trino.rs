//! `trino = {}`: Starburst (Trino). Nothing is configured; Immuta generates
//! the API key the Starburst cluster uses, shown as `api_key`.

use super::PlatformSpec;
use super::{obj, secret, Form, Reader};
use crate::framework::{Attribute, Value};
use immuta_api::config::TrinoConfig;
use immuta_api::{IntegrationConfig, IntegrationType};

/// The table of `trino`.
pub struct Trino;

impl PlatformSpec for Trino {
    fn block_name(&self) -> &'static str {
        "trino"
    }

    fn integration_type(&self) -> IntegrationType {
        IntegrationType::Trino
    }

    fn described_as(&self) -> &'static str {
        "a Starburst (Trino) integration"
    }

    fn product_name(&self) -> &'static str {
        "Starburst (Trino)"
    }

    fn attributes(&self, _form: Form) -> Vec<Attribute> {
        attributes()
    }

    fn to_config(&self, _block: Reader<'_>) -> Option<IntegrationConfig> {
        None
    }

    fn block_from_config(
        &self,
        config: Option<&IntegrationConfig>,
        prior: Reader<'_>,
    ) -> Option<Value> {
        // Trino's config may be absent: nothing is configured.
        Some(match config {
            Some(IntegrationConfig::Trino(c)) => from_config(c, prior),
            _ => from_config(&TrinoConfig::default(), prior),
        })
    }

    fn chosen_by_immuta(&self) -> &'static [&'static [&'static str]] {
        &[&["api_key"]]
    }
}

/// The attributes of `trino`: only the computed API key.
pub fn attributes() -> Vec<Attribute> {
    vec![Attribute::string("api_key")
        .computed()
        .sensitive()
        .description(
            "The API key Immuta generated with the integration, to configure the Starburst \
             cluster's Immuta access control plugin with. Known once Immuta returns it (in the \
             create answer or a read), and kept from then on: a key rotated later, by \
             `immuta_integration_api_key` or in Immuta, is that resource's `api_key` (or \
             Immuta's), never a change of this one. Null while Immuta has returned none.",
        )]
}

/// The `trino` block of an API config: the key state holds, once known,
/// stays (see [`attributes`]); until then, the key Immuta returns, if any.
pub fn from_config(c: &TrinoConfig, prior: Reader<'_>) -> Value {
    let key = match prior.raw("api_key") {
        k @ Value::String(_) => k.clone(),
        _ => secret(&c.api_key, &Value::Null),
    };
    obj([("api_key", key)])
}
