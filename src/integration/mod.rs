//! The integration domain: what an Immuta integration is on the Terraform
//! side, shared by the `immuta_integration` resource, the data sources, the
//! ephemeral script resource, import ids and `adopt`. Nothing here talks to
//! Terraform's lifecycle (plan, apply, read): that is each resource's and
//! data source's own file.
//!
//! # Layout
//!
//! - [`platforms`]: the integration types, one file and one table
//!   ([`platforms::PlatformSpec`]) each, and the registry of them
//!   ([`Platform::ALL`]); per type a block struct with its converter pair
//!   to and from `immuta-api`; the shared nested parts and checks.
//! - [`schema`]: the schema of an integration (the resource's), its type
//!   names and descriptions.
//! - [`checks`]: `validate_config`, the checks of an integration's
//!   configuration before any request.
//! - [`model`]: [`IntegrationModel`], the state of an integration, every
//!   attribute named once; [`Timeouts`].
//! - [`convert`]: request bodies from a plan, and state from Immuta's
//!   answers.
//! - [`connection`]: a connection's body (`/data/connection`) from the
//!   `snowflake` and `databricks` blocks, and its answer read back into
//!   them: the domain half of the coming `immuta_connection`.
//! - [`lake_formation`]: the `lake_formation` nested attribute of
//!   `immuta_connection` (a technology with no integration type), its
//!   checks and converters.
//! - [`delete_credentials`]: the privileged credentials of a DELETE, from
//!   state and from the environment variable `delete_credentials_env` names.
//! - [`hints`]: what to do when Immuta refuses a create or a delete.
//! - [`public`]: the non-secret view of a config the data sources show.
//! - [`script`]: the script requests (`immuta_integration_script`, data
//!   source and ephemeral resource): schema, checks, request, errors.
//!
//! The platforms live under this module, not beside it: they are the
//! per-type half of the same domain, and nothing outside it needs one
//! without the rest.

pub mod checks;
pub mod connection;
pub mod convert;
pub mod delete_credentials;
pub mod hints;
pub mod lake_formation;
pub mod model;
pub mod platforms;
pub mod public;
pub mod schema;
pub mod script;

pub use checks::{platform_of, platforms_set, validate_config};
pub use model::{IntegrationModel, Timeouts, TimeoutsModel, DEFAULT_TIMEOUT};
pub use platforms::{Form, Platform};

/// The type name of the `immuta_integration` resource and data source.
pub const TYPE_NAME: &str = "immuta_integration";

/// The attribute naming the environment variable read for DELETE credentials.
pub const DELETE_CREDENTIALS_ENV: &str = "delete_credentials_env";

/// Values shared by the tests of the domain and of the resource.
#[cfg(test)]
pub(crate) mod test_support {
    use super::{schema::schema, Platform};
    use crate::framework::{Diagnostics, Value};

    /// A complete Snowflake configuration of the resource.
    pub fn snowflake_config() -> Value {
        let mut block = platforms_null(Platform::SNOWFLAKE);
        for (k, v) in [
            ("host", "org.us-east-1.snowflakecomputing.com"),
            ("warehouse", "SAMPLE_WAREHOUSE"),
            ("database", "SNOWFLAKE_SAMPLE_DATA"),
            ("role", "ACCOUNTADMIN"),
            ("authentication_type", "userPassword"),
            ("username", "taylor@snowflake.com"),
            ("password", "abc1234"),
        ] {
            block.set_attr(k, Value::from(v));
        }
        let mut v = Value::object(
            schema()
                .block
                .attributes
                .iter()
                .map(|a| (a.name.clone(), Value::Null)),
        );
        v.set_attr("auto_bootstrap", Value::Bool(true));
        v.set_attr("snowflake", block);
        v
    }

    fn platforms_null(p: Platform) -> Value {
        super::platforms::null_object(&p.attribute())
    }

    /// The summaries of `d`, in order.
    pub fn summaries(d: &Diagnostics) -> Vec<String> {
        d.iter().map(|d| d.summary.clone()).collect()
    }

    /// `snowflake_config` with its password set through the write-only twin.
    pub fn write_only_config(version: i64, secret: &str) -> Value {
        let mut v = snowflake_config();
        if let Some(b) = v.get_attr_mut("snowflake") {
            b.set_attr("password", Value::Null);
            b.set_attr("password_wo", Value::from(secret));
            b.set_attr("password_wo_version", Value::int(version));
        }
        v
    }
}
