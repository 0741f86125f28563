//! Data sources, one file each.

use crate::provider::ProviderData;
use std::sync::Arc;
use tf_framework::DataSource;

pub mod integrations;

/// Every data source this provider offers.
pub fn all(data: Arc<ProviderData>) -> Vec<Arc<dyn DataSource>> {
    vec![Arc::new(integrations::IntegrationsDataSource::new(data))]
}
