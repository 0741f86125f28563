//! Data sources, one file each.
//!
//! - [`integrations`]: `immuta_integrations`, every integration (filtered).
//! - [`integration`]: `immuta_integration`, one integration by id.
//! - [`integration_script`]: `immuta_integration_script`, Immuta's set-up,
//!   edit and clean-up scripts.
//! - [`connection_objects`]: `immuta_connection_objects`, the children of
//!   a connection's object path.
//!
//! Each keeps its lifecycle only; what they share (the public view of a
//! config, the script requests) is the integration domain's
//! (`crate::integration`), never another data source's.

use crate::framework::DataSource;
use std::sync::Arc;

pub mod connection_objects;
pub mod integration;
pub mod integration_script;
pub mod integrations;

/// Every data source this provider offers.
/// Each reads through the configured client of its call context
/// (`ctx.configured::<Configured>()`).
pub fn all() -> Vec<Arc<dyn DataSource>> {
    vec![
        Arc::new(integrations::IntegrationsDataSource),
        Arc::new(integration::IntegrationDataSource),
        Arc::new(integration_script::IntegrationScriptDataSource),
        Arc::new(connection_objects::ConnectionObjectsDataSource),
    ]
}
