//! The per-call [`Context`]: cancellation, what Terraform supports, and
//! what `Provider::configure` left for resources ([`Context::configured`]).

use std::any::Any;
use std::fmt;
use std::sync::{Arc, RwLock};

use tokio_util::sync::CancellationToken;

use crate::framework::diag::Diagnostic;

/// What Terraform told us it supports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientCapabilities {
    /// Terraform accepts deferred actions.
    pub deferral_allowed: bool,
    /// Terraform supports write-only attributes.
    pub write_only_attributes_allowed: bool,
}

type Shared = Arc<dyn Any + Send + Sync>;

/// The slot ConfigureProvider fills, shared by every call of one service.
#[derive(Clone, Default)]
pub(crate) struct ConfiguredSlot(Arc<RwLock<Option<Shared>>>);

impl fmt::Debug for ConfiguredSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = self.0.read().map(|g| g.is_some()).unwrap_or(false);
        f.debug_struct("ConfiguredSlot").field("set", &set).finish()
    }
}

/// Facts about the current call, the cancellation signal from StopProvider,
/// and the provider's configured data.
#[derive(Debug, Clone, Default)]
pub struct Context {
    cancel: CancellationToken,
    configured: ConfiguredSlot,
    /// Client capabilities sent with this request (default when the request has none).
    pub client_capabilities: ClientCapabilities,
    /// Terraform version reported by ConfigureProvider, once it has been called.
    pub terraform_version: Option<String>,
}

impl Context {
    /// A context that is cancelled through `cancel`, with its own empty
    /// configured slot.
    pub fn new(cancel: CancellationToken) -> Self {
        Self {
            cancel,
            ..Self::default()
        }
    }

    /// A context sharing `slot` (the service's, so every call sees what
    /// ConfigureProvider stored).
    pub(crate) fn with_slot(cancel: CancellationToken, slot: ConfiguredSlot) -> Self {
        Self {
            cancel,
            configured: slot,
            ..Self::default()
        }
    }

    /// The cancellation token (cancelled when Terraform sends StopProvider).
    pub fn cancellation_token(&self) -> &CancellationToken {
        &self.cancel
    }

    /// Whether StopProvider has been received.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Completes when StopProvider is received.
    pub async fn cancelled(&self) {
        self.cancel.cancelled().await;
    }

    /// Stores what `Provider::configure` built (an API client, say) for
    /// every later call of this service; replaces an earlier value.
    pub fn set_configured<T: Any + Send + Sync>(&self, value: T) {
        self.set_configured_arc(Arc::new(value));
    }

    /// Like [`Context::set_configured`], for a value already shared.
    pub fn set_configured_arc<T: Any + Send + Sync>(&self, value: Arc<T>) {
        if let Ok(mut g) = self.configured.0.write() {
            *g = Some(value);
        }
    }

    /// What `Provider::configure` stored, or an error diagnostic when
    /// ConfigureProvider has not run (or stored another type).
    pub fn configured<T: Any + Send + Sync>(&self) -> Result<Arc<T>, Diagnostic> {
        self.configured
            .0
            .read()
            .ok()
            .and_then(|g| g.clone())
            .and_then(|v| v.downcast::<T>().ok())
            .ok_or_else(not_configured)
    }
}

/// The error of a call that needs what ConfigureProvider stores, before it ran.
pub(crate) fn not_configured() -> Diagnostic {
    Diagnostic::error(
        "Provider not configured",
        "The provider has not been configured yet, so this operation cannot reach the remote API.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_data_is_shared_by_contexts_of_one_slot() {
        let slot = ConfiguredSlot::default();
        let a = Context::with_slot(CancellationToken::new(), slot.clone());
        let b = Context::with_slot(CancellationToken::new(), slot);
        let e = b.configured::<String>().unwrap_err();
        assert_eq!(e.summary, "Provider not configured");
        a.set_configured("client".to_string());
        assert_eq!(b.configured::<String>().unwrap().as_str(), "client");
        assert!(b.configured::<u32>().is_err());
        assert!(Context::default().configured::<String>().is_err());
    }
}
