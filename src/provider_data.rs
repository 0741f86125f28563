//! What the provider's configuration leaves for its resources and data
//! sources: the configured Immuta client, shared by every call of a process.
//! Its own module so that resources depend on it and not on the provider
//! that registers them.

use crate::framework::{Context, Diagnostic};
use immuta_client::ImmutaClient;
use std::sync::Arc;
use std::time::Duration;

/// Environment variable read when `host` is not set.
pub const ENV_HOST: &str = "IMMUTA_HOST";
/// Environment variable read when `api_key` is not set.
pub const ENV_API_KEY: &str = "IMMUTA_API_KEY";
/// Request timeout when `request_timeout` is not set.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// What resources and data sources need once the provider is configured.
#[derive(Debug)]
pub struct Configured {
    /// The Immuta client, shared by every call of this process.
    pub client: ImmutaClient,
    /// Whether plans call Immuta's `dryRun` validation.
    pub dry_run_on_plan: bool,
}

impl Configured {
    /// The client for one call: it stops its requests and waits when
    /// Terraform cancels that call (StopProvider, Ctrl-C).
    pub fn client_for(&self, ctx: &Context) -> ImmutaClient {
        self.client
            .with_cancellation(ctx.cancellation_token().clone())
    }
}

/// Shared between the provider and its resources: filled by ConfigureProvider.
#[derive(Debug, Default)]
pub struct ProviderData {
    slot: crate::framework::provider::ProviderData<Configured>,
}

impl ProviderData {
    /// The configuration, or an error diagnostic when ConfigureProvider has
    /// not run (Terraform always configures before it plans or applies).
    pub fn configured(&self) -> Result<Arc<Configured>, Diagnostic> {
        self.slot.get()
    }

    /// The client for one call ([`Configured::client_for`]), or the error of
    /// [`ProviderData::configured`].
    pub fn client_for(&self, ctx: &Context) -> Result<ImmutaClient, Diagnostic> {
        Ok(self.configured()?.client_for(ctx))
    }

    /// Filled once by the provider's ConfigureProvider.
    pub(crate) fn set(&self, c: Configured) {
        self.slot.set(c);
    }
}
