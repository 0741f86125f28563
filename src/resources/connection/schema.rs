//! The schema of `immuta_connection` and the checks of a connection key.

use super::Tech;
use crate::framework::{Attribute, AttributePath, Block, Diagnostic, Schema};
use crate::integration::connection::CONNECTION_PLATFORMS;
use crate::integration::lake_formation;

// ===========================================================================
// Schema

/// The schema of `immuta_connection`.
pub fn schema() -> Schema {
    let mut attrs = vec![
        Attribute::string("id")
            .computed()
            .description("The connection key (the same as `connection_key`)."),
        Attribute::string("connection_key").required().description(
            "The connection's unique name in Immuta, the first part of every object path under \
             it (e.g. `snowflake-prod`); it may not hold `/` or `.`. Changing it replaces the \
             connection.",
        ),
        Attribute::string("technology").computed().description(
            "Immuta's technology: `Snowflake`, `Databricks` or `AWS Lake Formation`, from the \
             attribute that is set.",
        ),
    ];
    attrs.extend(CONNECTION_PLATFORMS.map(|p| {
        p.resource_attribute().description(format!(
            "Settings of a {} connection: the same attributes as `immuta_integration`'s \
             `{}`, split by the provider between the connection object and its native \
             integration. Exactly one of {} must be set; changing which replaces the \
             connection.",
            p.product_name(),
            p.block_name(),
            Tech::names(),
        ))
    }));
    attrs.push(lake_formation::attribute());
    attrs.extend([
        Attribute::single_nested(
            "settings",
            vec![
                Attribute::bool("is_active")
                    .optional()
                    .computed()
                    .description(
                        "Whether the connection is active: its tables become data sources \
                         (unless a path below sets otherwise). Immuta's default: `false`.",
                    ),
                Attribute::bool("activate_new_children")
                    .optional()
                    .computed()
                    .description("Whether objects that object sync finds later start active."),
            ],
        )
        .optional()
        .computed()
        .description(
            "Settings of the connection's root object; what is unset is Immuta's. Paths \
             below the root have their own `immuta_connection_settings`.",
        ),
        Attribute::string("native_integration_id")
            .computed()
            .description(
                "The id of the native integration the connection wraps (under \
                 `/integrations`): give it to `immuta_integration_script` for the removal \
                 script.",
            ),
        crate::integration::schema::timeouts_attribute(),
    ]);
    Schema::new(Block::new(attrs).description(format!(
        "An Immuta connection: Snowflake, Databricks Unity Catalog or AWS Lake Formation \
         registered through Immuta's connection API (`/data/connection`), the default on \
         tenants created after 2025-02-26; `immuta_integration` is the older workflow (see \
         the guide on choosing). Set exactly one of {}.\n\nFor Snowflake and Databricks, run \
         Immuta's set-up script in the platform first: the `immuta_integration_script` data \
         source or ephemeral resource generates it (`action = \"create\"`, the same block). \
         Destroying the connection deletes it in Immuta's order and warns that the removal \
         script must be run; get that script before you destroy (`action = \"delete\"`, \
         `integration_id = native_integration_id`). Individual tables are not managed: \
         Immuta's object sync owns them.\n\nSecrets are never returned by Immuta: Terraform \
         keeps the values it sent.",
        Tech::names()
    )))
}

pub(super) fn key_path() -> AttributePath {
    AttributePath::new("connection_key")
}

/// The checks of a connection key (Immuta refuses `/` and `.`).
pub(super) fn check_key(key: &str) -> Result<(), Diagnostic> {
    let bad = |what: &str| {
        Err(Diagnostic::expected(
            key_path(),
            "Invalid connection_key",
            "a connection key without `/` or `.`, not blank",
            what,
        ))
    };
    if key.trim().is_empty() {
        return bad("an empty string");
    }
    if key.contains(['/', '.']) || immuta_client::check_id(key).is_err() {
        return bad(&format!("\"{key}\""));
    }
    Ok(())
}
