//! `trino = {}`: Starburst (Trino). Nothing is configured; Immuta generates
//! the API key the Starburst cluster uses, shown as `api_key`.

use super::block::{self, secret};
use super::Form;
use super::PlatformSpec;
use crate::framework::{Attribute, Type, Value};
use immuta_api::config::TrinoConfig;
use immuta_api::{IntegrationConfig, IntegrationType, Secret};
use serde::{Deserialize, Serialize};

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

    fn to_config(&self, _block: &Value) -> Option<IntegrationConfig> {
        None
    }

    fn block_from_config(
        &self,
        config: Option<&IntegrationConfig>,
        prior: &Value,
        ty: &Type,
    ) -> Option<Value> {
        // Trino's config may be absent: nothing is configured.
        let prior = block::read_prior(prior);
        let b = match config {
            Some(IntegrationConfig::Trino(c)) => from_config(c, prior.as_ref()),
            _ => from_config(&TrinoConfig::default(), prior.as_ref()),
        };
        block::write(&b, ty)
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

/// `trino = { ... }`: one field per attribute of [`attributes`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrinoBlock {
    /// The API key Immuta generated.
    pub api_key: Option<Secret>,
}

/// The `trino` block of an API config: the key state holds, once known,
/// stays (see [`attributes`]); until then, the key Immuta returns, if any.
/// Trino's requests carry no config, so there is no `to_config`.
pub fn from_config(c: &TrinoConfig, prior: Option<&TrinoBlock>) -> TrinoBlock {
    let TrinoConfig { api_key, extra: _ } = c;
    TrinoBlock {
        api_key: match prior.and_then(|p| p.api_key.as_ref()) {
            Some(kept) => Some(kept.clone()),
            None => secret(api_key, None),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integration::platforms::block::test_support::assert_block_matches;
    use crate::integration::platforms::Platform;

    #[test]
    fn the_block_struct_matches_the_schema() {
        for form in [Form::Resource, Form::DataSource] {
            assert_block_matches::<TrinoBlock>(&Platform::TRINO.attribute_in(form));
        }
    }

    #[test]
    fn the_key_state_holds_stays() {
        let answer = TrinoConfig {
            api_key: Some(Secret::new("new-key")),
            extra: Default::default(),
        };
        let kept = TrinoBlock {
            api_key: Some(Secret::new("old-key")),
        };
        assert_eq!(from_config(&answer, Some(&kept)), kept);
        assert_eq!(from_config(&answer, None).api_key, answer.api_key);
        let redacted = TrinoConfig {
            api_key: Some(Secret::redacted()),
            extra: Default::default(),
        };
        assert_eq!(from_config(&redacted, None).api_key, None);
        let v = Platform::TRINO.from_config(None, &Value::Null);
        assert_eq!(v, Value::object([("api_key", Value::Null)]));
    }
}
