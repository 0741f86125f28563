//! What the provider's configuration leaves for its resources and data
//! sources ([`Configured`]: the Immuta client, shared by every call of a
//! process), which each call takes from its context with
//! `ctx.configured::<Configured>()?`. Its own module so that resources
//! depend on it and not on the provider that registers them.

use crate::framework::Context;
use immuta_client::ImmutaClient;
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
