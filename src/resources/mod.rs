//! Resources, one file each, each keeping its lifecycle only (what an
//! integration is lives in `crate::integration`).

pub mod connection;
pub mod connection_settings;
pub mod integration;
pub mod integration_api_key;

use crate::framework::{Diagnostic, ImportResponse, Resource};
use std::sync::Arc;

/// Every resource this provider offers.
pub fn all() -> Vec<Arc<dyn Resource>> {
    vec![
        integration::resource(),
        integration_api_key::resource(),
        connection::resource(),
        connection_settings::resource(),
    ]
}

/// The answer to an import whose id is not an integration id as Immuta
/// issues them ([`immuta_client::check_id`]), naming it; `None` for a good
/// one. The id is taken as given, not trimmed: `1\t` is not integration 1.
/// `address` is the resource type, for the example in the message.
pub(crate) fn refuse_import_id(id: &str, address: &str) -> Option<ImportResponse> {
    let e = immuta_client::check_id(id).err()?;
    Some(ImportResponse {
        diagnostics: Diagnostic::error(
            "Invalid import id",
            format!(
                "{e}. Give the integration's id in Immuta, e.g. `terraform import {address}.x 5`."
            ),
        )
        .into(),
        ..Default::default()
    })
}
