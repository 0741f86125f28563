//! The provider's ephemeral resources (Terraform 1.10 and later): their
//! results live for one Terraform run and never enter a plan or a state.

use crate::framework::EphemeralResource;
use std::sync::Arc;

pub mod integration_script;

/// Every ephemeral resource of the provider.
pub fn all() -> Vec<Arc<dyn EphemeralResource>> {
    vec![Arc::new(integration_script::IntegrationScriptEphemeral)]
}
