//! The provider's ephemeral resources (Terraform 1.10 and later): their
//! results live for one Terraform run and never enter a plan or a state.

use crate::provider::ProviderData;
use std::sync::Arc;
use tf_framework::EphemeralResource;

pub mod integration_script;

/// Every ephemeral resource of the provider.
pub fn all(data: Arc<ProviderData>) -> Vec<Arc<dyn EphemeralResource>> {
    vec![Arc::new(
        integration_script::IntegrationScriptEphemeral::new(data),
    )]
}
