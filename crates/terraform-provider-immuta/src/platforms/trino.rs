//! `trino = {}`: Starburst (Trino). Nothing is configured; Immuta generates
//! the API key the Starburst cluster uses, shown as `api_key`.

use super::{obj, secret, Reader};
use immuta_api::config::TrinoConfig;
use tf_framework::{Attribute, Value};

/// The attributes of `trino`: only the computed API key.
pub fn attributes() -> Vec<Attribute> {
    vec![Attribute::string("api_key")
        .computed()
        .sensitive()
        .description(
            "The API key Immuta generated, to configure the Starburst cluster's Immuta access \
             control plugin with.",
        )]
}

/// The `trino` block of an API config.
pub fn from_config(c: &TrinoConfig, prior: Reader<'_>) -> Value {
    obj([("api_key", secret(&c.api_key, prior.raw("api_key")))])
}

/// The API key is known once Immuta made it.
pub fn plan_defaults(planned: &mut Value) {
    if planned.attr("api_key").is_null() {
        planned.set_attr("api_key", Value::Unknown);
    }
}
