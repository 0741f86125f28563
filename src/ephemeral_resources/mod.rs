//! The provider's ephemeral resources (Terraform 1.10 and later): their
//! results live for one Terraform run and never enter a plan or a state.

use crate::framework::EphemeralResource;
use crate::provider_data::ProviderData;
use std::sync::Arc;

pub mod integration_script;

/// Every ephemeral resource of the provider.
pub fn all(data: Arc<ProviderData>) -> Vec<Arc<dyn EphemeralResource>> {
    vec![Arc::new(
        integration_script::IntegrationScriptEphemeral::new(data),
    )]
}
