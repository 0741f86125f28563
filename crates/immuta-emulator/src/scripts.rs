//! Plausible set-up, edit and clean-up scripts built from a payload: SQL for
//! the warehouses, a JSON IAM policy for Native S3, each written by its
//! type's file ([`crate::types`]). Secrets never appear in a script; where
//! one is needed a placeholder stands.

use crate::error::ApiError;
use crate::types::{rules_of, script_unavailable};
use immuta_api::{IntegrationConfig, ScriptKind};

/// The script for a kind and a config (secrets are never used); a 400 when
/// the type has no such script.
pub fn script(kind: ScriptKind, config: &IntegrationConfig) -> Result<String, ApiError> {
    match rules_of(config) {
        Some(r) if r.scripts().contains(&kind) => r.script(kind, config),
        _ => {
            let ty_name = config
                .integration_type()
                .map(|t| t.to_string())
                .unwrap_or_default();
            Err(script_unavailable(kind, &ty_name))
        }
    }
}
