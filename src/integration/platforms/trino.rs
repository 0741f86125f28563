//! `trino = {}`: Starburst (Trino). Nothing is configured; Immuta generates
//! the API key the Starburst cluster uses, shown as `api_key`.

use super::{obj, secret, Reader};
use crate::framework::{Attribute, Value};
use immuta_api::config::TrinoConfig;

/// The attributes of `trino`: only the computed API key.
pub fn attributes() -> Vec<Attribute> {
    vec![Attribute::string("api_key")
        .computed()
        .sensitive()
        .description(
            "The API key Immuta generated with the integration, to configure the Starburst \
             cluster's Immuta access control plugin with. Known once Immuta returns it (in the \
             create answer or a read), and kept from then on: a key rotated later, by \
             `immuta_integration_api_key` or in Immuta, is that resource's `api_key` (or \
             Immuta's), never a change of this one. Null while Immuta has returned none.",
        )]
}

/// The `trino` block of an API config: the key state holds, once known,
/// stays (see [`attributes`]); until then, the key Immuta returns, if any.
pub fn from_config(c: &TrinoConfig, prior: Reader<'_>) -> Value {
    let key = match prior.raw("api_key") {
        k @ Value::String(_) => k.clone(),
        _ => secret(&c.api_key, &Value::Null),
    };
    obj([("api_key", key)])
}
