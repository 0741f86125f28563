//! The schema of an integration: the `immuta_integration` resource's, whose
//! type attributes come from the registry of platforms.

use super::platforms::list_names;
use super::{Platform, DELETE_CREDENTIALS_ENV};
use crate::framework::types::Type;
use crate::framework::{Attribute, Block, Schema};
use std::sync::OnceLock;

/// The value type of [`schema`], built once per process: building the
/// schema (descriptions and all) and its type cost more than the rest of a
/// plan of one instance, and both are the same on every call (issue 15).
pub fn value_type() -> &'static Type {
    static TYPE: OnceLock<Type> = OnceLock::new();
    TYPE.get_or_init(|| schema().value_type())
}

/// The schema of `immuta_integration`.
pub fn schema() -> Schema {
    let mut attrs = vec![
        Attribute::string("id")
            .computed()
            .description("The integration's id in Immuta."),
        Attribute::string("type").computed().description(
            "Immuta's type string, e.g. `Snowflake`, `Native S3`, `Azure Synapse Analytics`.",
        ),
        Attribute::string("status")
            .computed()
            .description("The integration's status, `enabled` once it is ready."),
        Attribute::bool("auto_bootstrap")
            .optional()
            .description(format!(
                "Whether Immuta sets up the platform side itself. Must be set for every type but \
                 {}, and be `false` for {}.",
                block_names(|p| !p.requires_auto_bootstrap(), "and"),
                block_names(Platform::must_not_auto_bootstrap, "and"),
            )),
    ];
    attrs.extend(Platform::ALL.into_iter().map(Platform::resource_attribute));
    attrs.extend([
        Attribute::bool("force_disable_on_destroy")
            .optional()
            .computed()
            .description(
                "Destroy with `forceDisable=true`: the integration is removed from Immuta only, \
                 and the Immuta objects on the platform are left for you to remove. Defaults to \
                 `false`.",
            ),
        delete_credentials_attribute(),
        Attribute::string(DELETE_CREDENTIALS_ENV)
            .optional()
            .description(format!(
                "The name of an environment variable that holds, when the integration is \
                 destroyed, privileged credentials for the DELETE as a JSON object with the keys \
                 of `delete_credentials` (e.g. `{{\"password\": \"...\"}}`). Its keys override \
                 those of `delete_credentials` or, without it, of the type attribute. Only the \
                 name is stored. Meant for write-only secrets, which Terraform does not send at \
                 destroy: an auto-bootstrapped {} integration whose secret is set through \
                 `*_wo` needs it (or `force_disable_on_destroy = true`) to be destroyed.",
                products(Platform::delete_needs_credentials, "or"),
            )),
        timeouts_attribute(),
        Attribute::single_nested(
            "validation_results",
            vec![
                Attribute::string("status").computed().description(
                    "The overall outcome: `passed`, `failed`, `warning` or `skipped`.",
                ),
                Attribute::list_nested(
                    "tests",
                    vec![
                        Attribute::string("name")
                            .computed()
                            .description("The test's name."),
                        Attribute::string("status")
                            .computed()
                            .description("The test's outcome, e.g. `passed` or `failed`."),
                        Attribute::string("message")
                            .computed()
                            .description("What went wrong, for failures and warnings."),
                        Attribute::string("result_json")
                            .computed()
                            .description("The test's result data, as JSON."),
                    ],
                )
                .computed()
                .description("Each test, in the order Immuta ran them."),
            ],
        )
        .computed()
        .description("The validation tests Immuta ran last."),
    ]);
    Schema::new(Block::new(attrs).description(format!(
        "An Immuta integration: {}. Set exactly one of the type \
         attributes.\n\nSecrets (passwords, tokens, keys) are never returned by Immuta: \
         Terraform keeps the values it sent. After `terraform import` they are unknown, so a \
         configuration that sets them plans one in-place update (never a replacement).",
        products(|_| true, "or"),
    )))
}

/// `timeouts`: the time limits of a resource's waits for Immuta, shared by
/// `immuta_integration` and `immuta_connection`.
pub fn timeouts_attribute() -> Attribute {
    Attribute::single_nested(
        "timeouts",
        ["create", "update", "delete"]
            .into_iter()
            .map(|op| {
                Attribute::string(op).optional().description(format!(
                    "How long to wait for the {op} to finish, as a duration such as `30m` or \
                         `1h`. Defaults to `30m`."
                ))
            })
            .collect(),
    )
    .optional()
    .computed()
    .description("Time limits of the waits for Immuta to finish. Not read on import.")
}

/// The block names of the registry's types for which `f` holds, in prose.
fn block_names(f: impl Fn(Platform) -> bool, last: &str) -> String {
    let names: Vec<String> = Platform::all_where(f)
        .into_iter()
        .map(|p| format!("`{}`", p.block_name()))
        .collect();
    list_names(&names, last)
}

/// The product names of the registry's types for which `f` holds, in prose.
fn products(f: impl Fn(Platform) -> bool, last: &str) -> String {
    let names: Vec<String> = Platform::all_where(f)
        .into_iter()
        .map(|p| p.product_name().to_string())
        .collect();
    list_names(&names, last)
}

/// `delete_credentials`: privileged credentials for the DELETE.
pub fn delete_credentials_attribute() -> Attribute {
    let s = |n: &str, d: &str| Attribute::string(n).optional().description(d.to_string());
    Attribute::single_nested(
        "delete_credentials",
        vec![
            s(
                "authentication_type",
                "How these credentials authenticate, as in the type's `authentication_type`.",
            ),
            s("username", "The privileged account's user name."),
            s("password", "The privileged account's password."),
            s("role", "The privileged role (Snowflake)."),
            Attribute::single_nested(
                "private_key",
                vec![
                    s("key_name", "The key's name, e.g. `PRIV_KEY_FILE`."),
                    s("user_filename", "The file name the key came from."),
                    s("content", "The PEM content."),
                ],
            )
            .optional()
            .description("Key-pair authentication's key (Snowflake)."),
            s(
                "private_key_password",
                "The passphrase of an encrypted private key.",
            ),
            Attribute::single_nested(
                "okta",
                vec![
                    s("username", "The Okta user name."),
                    s("password", "The Okta password."),
                    s("app_id", "The Okta application id."),
                    s("idp_host", "The Okta identity provider host."),
                    s("role", "The role to assume."),
                ],
            )
            .optional()
            .description("Okta settings (Redshift)."),
        ],
    )
    .optional()
    .computed()
    .sensitive()
    .description(format!(
        "Privileged credentials sent when the integration is destroyed. Immuta needs them to \
         remove an auto-bootstrapped {} integration; left unset, the credentials of the type \
         attribute are used. Ignored for other integrations (Immuta refuses a body then) and \
         with `force_disable_on_destroy`.",
        products(Platform::delete_needs_credentials, "or"),
    ))
}
