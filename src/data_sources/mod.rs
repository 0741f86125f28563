//! Data sources, one file each.
//!
//! - [`integrations`]: `immuta_integrations`, every integration (filtered).
//! - [`integration`]: `immuta_integration`, one integration by id.
//! - [`integration_script`]: `immuta_integration_script`, Immuta's set-up,
//!   edit and clean-up scripts.
//!
//! Each keeps its lifecycle only; what they share (the public view of a
//! config, the script requests) is the integration domain's
//! (`crate::integration`), never another data source's.

use crate::framework::DataSource;
use crate::provider_data::ProviderData;
use std::sync::Arc;

pub mod integration;
pub mod integration_script;
pub mod integrations;

/// Every data source this provider offers.
pub fn all(data: Arc<ProviderData>) -> Vec<Arc<dyn DataSource>> {
    vec![
        Arc::new(integrations::IntegrationsDataSource::new(data.clone())),
        Arc::new(integration::IntegrationDataSource::new(data.clone())),
        Arc::new(integration_script::IntegrationScriptDataSource::new(data)),
    ]
}
