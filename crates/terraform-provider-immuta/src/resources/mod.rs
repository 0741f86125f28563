//! Resources, one file each.

pub mod integration;
pub mod integration_api_key;

use crate::provider::ProviderData;
use std::sync::Arc;
use tf_framework::Resource;

/// Every resource this provider offers.
pub fn all(data: Arc<ProviderData>) -> Vec<Arc<dyn Resource>> {
    vec![
        Arc::new(integration::IntegrationResource::new(data.clone())),
        Arc::new(integration_api_key::IntegrationApiKeyResource::new(data)),
    ]
}
