//! `immuta_integration`: one Immuta integration of any of the seven types.
//!
//! Lifecycle, in Immuta's terms:
//! - plan: validates the configuration, fills in what Immuta will set (its
//!   defaults, or unknown), and for a planned create or update calls
//!   `dryRun=true` so failed validation tests fail the plan;
//! - create: `POST /integrations`, the id goes into state at once, then
//!   waits for `enabled` (a failed wait leaves a tainted resource);
//! - read: `GET /integrations/{id}`, 404 drops the resource, `<REDACTED>`
//!   secrets keep their state value;
//! - update: `PUT /integrations/{id}` and wait for `enabled`; a change of
//!   type replaces;
//! - delete: `DELETE /integrations/{id}` with the privileged credentials when
//!   Immuta needs them, then wait until it is gone (404 is success);
//! - import by id.
//!
//! Write-only secrets (`password_wo`, `token_wo`... with `*_wo_version`, see
//! `platforms::write_only`): a create sends the twin's value from the
//! configuration; an update sends it when its version changed and
//! `<REDACTED>` (Immuta keeps its secret) otherwise; state never holds it.
//! At destroy Terraform sends no configuration, so the privileged
//! credentials of a DELETE come from `delete_credentials`, the stored plain
//! attributes, and then the environment variable `delete_credentials_env`
//! names, read at destroy time.
//!
//! File order: schema, model, converters, lifecycle.

use crate::duration::parse_duration;
use crate::framework::provider::import_passthrough_id;
use crate::framework::{
    ApplyKind, ApplyRequest, ApplyResponse, Attribute, AttributePath, Block, Context, Diagnostic,
    Diagnostics, ImportRequest, ImportResponse, PlanRequest, PlanResponse, ReadRequest,
    ReadResponse, Resource, Schema, Value,
};
use crate::platforms::{self, Check, Platform, Reader};
use crate::provider_data::{Configured, ProviderData};
use async_trait::async_trait;
use immuta_api::{
    DeleteCredentials, Integration, IntegrationPayload, IntegrationStatus, TestStatus,
    ValidationResults,
};
use immuta_client::{
    wait_for, ClientError, DeleteOptions, ImmutaClient, WaitError, WaitOptions, WaitOutcome,
    WaitTarget,
};
use std::sync::Arc;
use std::time::Duration;

/// The resource's type name.
pub const TYPE_NAME: &str = "immuta_integration";

/// The attribute naming the environment variable read for DELETE credentials.
pub const DELETE_CREDENTIALS_ENV: &str = "delete_credentials_env";

/// How long create, update and delete wait when `timeouts` does not say.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

// ===========================================================================
// Schema

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
        Attribute::bool("auto_bootstrap").optional().description(
            "Whether Immuta sets up the platform side itself. Must be set for every type but \
             `trino`, and be `false` for `s3` and `bigquery`.",
        ),
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
            .description(
                "The name of an environment variable that holds, when the integration is \
                 destroyed, privileged credentials for the DELETE as a JSON object with the keys \
                 of `delete_credentials` (e.g. `{\"password\": \"...\"}`). Its keys override \
                 those of `delete_credentials` or, without it, of the type attribute. Only the \
                 name is stored. Meant for write-only secrets, which Terraform does not send at \
                 destroy: an auto-bootstrapped Snowflake, Redshift or Azure Synapse integration \
                 whose secret is set through `*_wo` needs it (or \
                 `force_disable_on_destroy = true`) to be destroyed.",
            ),
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
        .description("Time limits of the waits for Immuta to finish. Not read on import."),
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
    Schema::new(Block::new(attrs).description(
        "An Immuta integration: Snowflake, Databricks Unity Catalog, Google BigQuery, Redshift, \
         Azure Synapse Analytics, Amazon S3 or Starburst (Trino). Set exactly one of the type \
         attributes.\n\nSecrets (passwords, tokens, keys) are never returned by Immuta: \
         Terraform keeps the values it sent. After `terraform import` they are unknown, so a \
         configuration that sets them plans one in-place update (never a replacement).",
    ))
}

fn delete_credentials_attribute() -> Attribute {
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
    .description(
        "Privileged credentials sent when the integration is destroyed. Immuta needs them to \
         remove an auto-bootstrapped Snowflake, Redshift or Azure Synapse integration; left \
         unset, the credentials of the type attribute are used. Ignored for other integrations \
         (Immuta refuses a body then) and with `force_disable_on_destroy`.",
    )
}

// ===========================================================================
// Model

/// Time limits of the waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Create.
    pub create: Duration,
    /// Update.
    pub update: Duration,
    /// Delete.
    pub delete: Duration,
}

impl Timeouts {
    /// Reads `timeouts` (unset, unknown or bad values give the default;
    /// validation reports bad ones).
    pub fn from_value(v: &Value) -> Self {
        let get = |op: &str| {
            v.attr(op)
                .as_str()
                .and_then(|s| parse_duration(s).ok())
                .unwrap_or(DEFAULT_TIMEOUT)
        };
        Timeouts {
            create: get("create"),
            update: get("update"),
            delete: get("delete"),
        }
    }
}

/// The platforms whose attribute is set (or not yet known) in a resource value.
pub fn platforms_set(v: &Value) -> Vec<Platform> {
    Platform::ALL
        .into_iter()
        .filter(|p| !v.attr(p.block_name()).is_null())
        .collect()
}

/// The one platform set in a resource value, if exactly one is.
pub fn platform_of(v: &Value) -> Option<Platform> {
    match platforms_set(v).as_slice() {
        [p] => Some(*p),
        _ => None,
    }
}

/// Checks a configuration before any request. Unknown values are skipped.
pub fn validate_config(config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let names: Vec<&str> = Platform::ALL.iter().map(|p| p.block_name()).collect();
    let set = platforms_set(config);
    match set.as_slice() {
        [] => diags.attribute_error(
            AttributePath::root(),
            format!(
                "expected exactly one of {} to be set, got none",
                names.join(", ")
            ),
            "Set the attribute of the integration's type, e.g. `snowflake = { ... }`.",
        ),
        [_] => {}
        [first, rest @ ..] => {
            for p in rest {
                let path = p.path();
                diags.attribute_error(
                    path.clone(),
                    format!(
                        "{path}: expected exactly one of {} to be set, got {} and {}",
                        names.join(", "),
                        first.block_name(),
                        p.block_name()
                    ),
                    "An integration has one type: keep one type attribute.",
                );
            }
        }
    }
    let ab = config.attr("auto_bootstrap");
    let auto_bootstrap = ab.as_bool();
    if let [platform] = set.as_slice() {
        let p = *platform;
        let path = AttributePath::new("auto_bootstrap");
        if ab.is_null() && p.requires_auto_bootstrap() {
            let expected = if p.must_not_auto_bootstrap() {
                "false"
            } else {
                "true or false"
            };
            diags.attribute_error(
                path.clone(),
                format!(
                    "auto_bootstrap: required for {} integrations, expected {expected}, got none",
                    p.block_name()
                ),
                "Immuta needs to know whether it sets up the platform side itself.",
            );
        } else if auto_bootstrap == Some(true) && p.must_not_auto_bootstrap() {
            diags.attribute_error(
                path,
                format!(
                    "auto_bootstrap: expected false for {} integrations, got true",
                    p.block_name()
                ),
                "Immuta cannot set up this platform itself: set it up by hand (see the \
                 immuta_integration_script data source) and set auto_bootstrap = false.",
            );
        }
        let block = config.attr(p.block_name());
        p.validate_write_only(block, &mut diags);
        p.validate(&p.merge_write_only(block), auto_bootstrap, &mut diags);
        let env = config.attr(DELETE_CREDENTIALS_ENV);
        if let Some(name) = env.as_str() {
            let path = AttributePath::new(DELETE_CREDENTIALS_ENV);
            if !is_env_name(name) {
                diags.attribute_error(
                    path,
                    format!(
                        "{DELETE_CREDENTIALS_ENV}: expected an environment variable name \
                         (letters, digits, _), got \"{name}\""
                    ),
                    "Give the variable's name, never the credentials themselves.",
                );
            } else if !p.delete_needs_credentials() {
                diags.attribute_warning(
                    path,
                    format!(
                        "{DELETE_CREDENTIALS_ENV}: ignored for {} integrations",
                        p.block_name()
                    ),
                    "Immuta removes this type of integration without credentials.",
                );
            }
        }
        if p.delete_needs_credentials()
            && auto_bootstrap == Some(true)
            && config.attr("force_disable_on_destroy").as_bool() != Some(true)
            && env.is_null()
            && config.attr("delete_credentials").is_null()
            && p.uses_write_only(block)
        {
            diags.attribute_warning(
                p.path(),
                format!(
                    "{}: write-only secrets are not available when the integration is destroyed",
                    p.block_name()
                ),
                format!(
                    "Immuta needs privileged credentials to remove an auto-bootstrapped {} \
                     integration, and Terraform sends no write-only value at destroy. Set \
                     {DELETE_CREDENTIALS_ENV} (an environment variable read at destroy time), \
                     delete_credentials, or force_disable_on_destroy = true.",
                    p.integration_type()
                ),
            );
        }
        let dc = config.attr("delete_credentials");
        // `{}` (what `-generate-config-out` writes) sets nothing.
        if matches!(dc, Value::Object(_)) && !is_all_null(dc) {
            if p.delete_needs_credentials() {
                let mut c = Check::new(dc, AttributePath::new("delete_credentials"), &mut diags);
                c.one_of("authentication_type", p.authentication_types());
            } else {
                diags.attribute_warning(
                    AttributePath::new("delete_credentials"),
                    format!(
                        "delete_credentials: ignored for {} integrations",
                        p.block_name()
                    ),
                    "Immuta removes this type of integration without credentials and refuses \
                     a DELETE that carries them.",
                );
            }
        }
    }
    let timeouts = config.attr("timeouts");
    for op in ["create", "update", "delete"] {
        if let Some(s) = timeouts.attr(op).as_str() {
            let path = AttributePath::new("timeouts").attr(op);
            match parse_duration(s) {
                Ok(d) if d.is_zero() => diags.attribute_error(
                    path.clone(),
                    format!("{path}: expected a duration longer than zero, got \"{s}\""),
                    "",
                ),
                Ok(_) => {}
                Err(e) => diags.attribute_error(
                    path.clone(),
                    format!("{path}: expected a duration such as \"30m\", got \"{s}\""),
                    e.to_string(),
                ),
            }
        }
    }
    diags
}

// ===========================================================================
// Converters

/// The body a configuration alone describes (the script data source, which
/// has no plan): unset and unknown values are left out; a secret set through
/// its write-only twin carries the twin's value.
pub fn to_payload(platform: Platform, v: &Value) -> IntegrationPayload {
    IntegrationPayload {
        integration_type: platform.integration_type(),
        auto_bootstrap: v.attr("auto_bootstrap").as_bool(),
        config: platform.to_config(&platform.merge_write_only(v.attr(platform.block_name()))),
    }
}

/// The body of a create or an update: the planned values (Immuta's
/// documented defaults included, unknown values left out), where each
/// secret set through its write-only twin in `config` carries the twin's
/// value. Fails, naming the attribute, if a value would be sent as Immuta's
/// `<REDACTED>` placeholder, which an Immuta may store literally.
pub fn request_payload(
    platform: Platform,
    config: &Value,
    planned: &Value,
) -> Result<IntegrationPayload, Diagnostic> {
    let name = platform.block_name();
    let block = platform.request_block(config.attr(name), planned.attr(name));
    if let Some(path) = placeholder_in(&block, platform.path()) {
        return Err(Diagnostic::attribute_error(
            path.clone(),
            format!("{path}: expected a value to send, got Immuta's placeholder"),
            "Immuta answered this value as <REDACTED> and the configuration does not set it, \
             so the update has nothing to send for it (sending the placeholder could make \
             Immuta store it). Set it in the configuration (or its write-only twin).",
        ));
    }
    Ok(IntegrationPayload {
        integration_type: platform.integration_type(),
        auto_bootstrap: planned.attr("auto_bootstrap").as_bool(),
        config: platform.to_config(&block),
    })
}

/// The path of the first string in `v` that is Immuta's `<REDACTED>`.
fn placeholder_in(v: &Value, path: AttributePath) -> Option<AttributePath> {
    match v {
        Value::String(s) if platforms::defaults::is_redacted(s) => Some(path),
        Value::Object(attrs) => attrs
            .iter()
            .find_map(|(k, x)| placeholder_in(x, path.clone().attr(k))),
        _ => None,
    }
}

/// Whether `v` is null or an object whose attributes are all null.
fn is_all_null(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(attrs) => attrs.values().all(is_all_null),
        _ => false,
    }
}

/// Whether `s` can name an environment variable.
fn is_env_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Why the credentials of `delete_credentials_env` could not be read. The
/// messages never carry the variable's content.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EnvCredentialsError {
    /// The variable is not set (or not valid Unicode).
    #[error("the environment variable {0} is not set in the environment of terraform")]
    Unset(String),
    /// Its content is not a JSON object of strings and objects of strings.
    #[error(
        "the environment variable {name} does not hold a JSON object of strings (and objects of \
         strings for private_key and okta): {what}"
    )]
    Invalid {
        /// The variable.
        name: String,
        /// What is wrong, without the content.
        what: String,
    },
}

/// A Terraform value from the JSON of `delete_credentials_env`: strings and
/// objects only.
fn json_to_value(v: &serde_json::Value) -> Result<Value, String> {
    match v {
        serde_json::Value::String(s) => Ok(Value::string(s.clone())),
        serde_json::Value::Null => Ok(Value::Null),
        serde_json::Value::Object(m) => {
            let mut out = Vec::with_capacity(m.len());
            for (k, x) in m {
                out.push((
                    k.clone(),
                    json_to_value(x).map_err(|e| format!("{k}: {e}"))?,
                ));
            }
            Ok(Value::object(out))
        }
        _ => Err("expected a string or an object".to_string()),
    }
}

/// The credentials a JSON object (keys of `delete_credentials`) gives.
pub fn delete_credentials_from_json(
    name: &str,
    content: &str,
) -> Result<DeleteCredentials, EnvCredentialsError> {
    let invalid = |what: String| EnvCredentialsError::Invalid {
        name: name.to_string(),
        what,
    };
    let json: serde_json::Value = serde_json::from_str(content).map_err(|e| {
        // Only where, never what: the content is secret.
        invalid(format!(
            "not JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    if !json.is_object() {
        return Err(invalid("expected an object".to_string()));
    }
    let v = json_to_value(&json).map_err(invalid)?;
    if let Value::Object(m) = &v {
        let known = [
            "authentication_type",
            "username",
            "password",
            "role",
            "private_key",
            "private_key_password",
            "okta",
        ];
        if let Some(k) = m.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(invalid(format!(
                "unknown key \"{k}\", expected keys among {}",
                known.join(", ")
            )));
        }
    }
    Ok(delete_credentials_from(&v))
}

/// Reads `delete_credentials_env`'s variable.
pub fn delete_credentials_from_env(name: &str) -> Result<DeleteCredentials, EnvCredentialsError> {
    let content = std::env::var(name).map_err(|_| EnvCredentialsError::Unset(name.to_string()))?;
    delete_credentials_from_json(name, &content)
}

/// `over`'s set fields replace `base`'s.
pub fn overlay_credentials(base: &mut DeleteCredentials, over: DeleteCredentials) {
    fn set<T>(b: &mut Option<T>, o: Option<T>) {
        if o.is_some() {
            *b = o;
        }
    }
    set(&mut base.authentication_type, over.authentication_type);
    set(&mut base.username, over.username);
    set(&mut base.password, over.password);
    set(&mut base.role, over.role);
    set(&mut base.private_key, over.private_key);
    set(&mut base.private_key_password, over.private_key_password);
    set(&mut base.okta, over.okta);
    base.extra.extend(over.extra);
}

/// The DELETE credentials of a `delete_credentials` value.
pub fn delete_credentials_from(v: &Value) -> DeleteCredentials {
    let r = Reader(v);
    DeleteCredentials {
        authentication_type: r.str("authentication_type"),
        username: r.secret("username"),
        password: r.secret("password"),
        role: r.str("role"),
        private_key: platforms::private_key_to(r.obj("private_key")),
        private_key_password: r.secret("private_key_password"),
        okta: platforms::okta_to(r.obj("okta")),
        ..Default::default()
    }
}

/// `validation_results` as the resource (and the `immuta_integration` data
/// source) shows it.
pub(crate) fn validation_results_value(vr: Option<&ValidationResults>) -> Value {
    let Some(vr) = vr else {
        return Value::Null;
    };
    let tests = vr
        .validation_tests
        .iter()
        .map(|t| {
            platforms::obj([
                ("name", Value::string(t.name.clone())),
                ("status", Value::string(t.status.as_str())),
                ("message", Value::opt_string(t.message.clone())),
                (
                    "result_json",
                    Value::opt_string(t.result.as_ref().map(|r| r.to_string())),
                ),
            ])
        })
        .collect();
    platforms::obj([
        ("status", Value::string(vr.status.as_str())),
        ("tests", Value::List(tests)),
    ])
}

/// The resource value of an integration as Immuta answers it. `prior`
/// (state or plan, possibly null) gives the secrets Immuta redacts and the
/// attributes Immuta does not know (`timeouts`, `delete_credentials`...).
pub fn to_state(integration: &Integration, prior: &Value) -> Result<Value, Diagnostic> {
    let platform = Platform::from_type(&integration.integration_type).ok_or_else(|| {
        Diagnostic::attribute_error(
            AttributePath::new("type"),
            format!(
                "type: expected one of the types this provider knows, got \"{}\"",
                integration.integration_type
            ),
            "Immuta answered with an integration type this provider version does not support. \
             Upgrade the provider.",
        )
    })?;
    let mut v = Value::object([
        ("id", Value::string(integration.id.as_str())),
        ("type", Value::string(integration.integration_type.as_str())),
        ("status", Value::string(integration.status.as_str())),
        (
            "auto_bootstrap",
            integration
                .auto_bootstrap
                .map_or_else(|| prior.attr("auto_bootstrap").clone(), Value::Bool),
        ),
        (
            "force_disable_on_destroy",
            match prior.attr("force_disable_on_destroy") {
                Value::Bool(b) => Value::Bool(*b),
                _ => Value::Bool(false),
            },
        ),
        (
            "delete_credentials",
            prior.attr("delete_credentials").clone(),
        ),
        (
            DELETE_CREDENTIALS_ENV,
            prior.attr(DELETE_CREDENTIALS_ENV).clone(),
        ),
        ("timeouts", prior.attr("timeouts").clone()),
        (
            "validation_results",
            validation_results_value(integration.validation_results.as_ref()),
        ),
    ]);
    for p in Platform::ALL {
        let block = if p == platform {
            let prior_block = prior.attr(p.block_name());
            let mut b = p.from_config(integration.config.as_ref(), prior_block);
            p.add_write_only_state(&mut b, prior_block);
            b
        } else {
            Value::Null
        };
        v.set_attr(p.block_name(), block);
    }
    Ok(v)
}

/// Terraform's proposal for nested attributes, made here for every nested
/// attribute that is optional (the schema marks them computed only so that
/// Terraform before 1.1 does not descend into them): the configuration,
/// with the prior value of each computed attribute it leaves unset.
fn propose(attrs: &[Attribute], config: &Value, prior: &Value) -> Value {
    match config {
        Value::Object(_) => Value::object(attrs.iter().map(|a| {
            let c = config.attr(&a.name);
            let p = prior.attr(&a.name);
            let v = match (c, a.nested_attributes()) {
                (Value::Unknown, _) => Value::Unknown,
                (Value::Null, _) if a.computed => p.clone(),
                (Value::Object(_), Some(inner)) => propose(inner, c, p),
                _ => c.clone(),
            };
            (a.name.clone(), v)
        })),
        other => other.clone(),
    }
}

/// Sets each optional nested attribute of `planned` to [`propose`]'s value.
fn propose_nested(attrs: &[Attribute], config: &Value, prior: &Value, planned: &mut Value) {
    for a in attrs {
        if let (true, Some(inner)) = (a.optional, a.nested_attributes()) {
            let v = propose(inner, config.attr(&a.name), prior.attr(&a.name));
            planned.set_attr(a.name.clone(), v);
        }
    }
}

// ===========================================================================
// Lifecycle

/// The `immuta_integration` resource.
#[derive(Debug)]
pub struct IntegrationResource {
    data: Arc<ProviderData>,
}

impl IntegrationResource {
    /// The resource, reading the provider's configuration from `data`.
    pub fn new(data: Arc<ProviderData>) -> Self {
        IntegrationResource { data }
    }

    fn configured(&self) -> Result<Arc<Configured>, Diagnostics> {
        self.data.configured().map_err(Diagnostics::from)
    }
}

fn wait_options(ctx: &Context, timeout: Duration) -> WaitOptions {
    WaitOptions::new(timeout, ctx.cancellation_token().clone())
}

/// Whether the parts of the resource Immuta holds differ.
fn api_changed(platform: Platform, prior: &Value, planned: &Value) -> bool {
    prior.attr("auto_bootstrap") != planned.attr("auto_bootstrap")
        || prior.attr(platform.block_name()) != planned.attr(platform.block_name())
}

fn client_error(summary: String, e: &ClientError) -> Diagnostic {
    crate::client_errors::diagnostic(summary, e)
}

fn warnings_of(vr: Option<&ValidationResults>, path: &AttributePath, diags: &mut Diagnostics) {
    if let Some(vr) = vr {
        for t in vr.warnings() {
            diags.attribute_warning(
                path.clone(),
                format!(
                    "Immuta's validation test \"{}\" passed with a warning",
                    t.name
                ),
                t.message.clone().unwrap_or_default(),
            );
        }
    }
}

impl IntegrationResource {
    /// The plan-time `dryRun`: failed tests become errors, warnings warnings.
    async fn dry_run(
        &self,
        ctx: &Context,
        cfg: &Configured,
        platform: Platform,
        id: Option<&str>,
        payload: &IntegrationPayload,
        diags: &mut Diagnostics,
    ) {
        let client = cfg.client_for(ctx);
        let answer = match id {
            None => client.create(payload, true).await,
            Some(id) => client.update(id, payload, true).await,
        };
        let path = platform.path();
        match answer {
            Ok(resp) => {
                if let Some(vr) = resp.validation_results.as_ref() {
                    for t in vr.failed() {
                        diags.attribute_error(
                            path.clone(),
                            format!(
                                "Immuta's validation test \"{}\" failed: {}",
                                t.name,
                                t.message.as_deref().unwrap_or("(no message)")
                            ),
                            "Immuta ran its validation tests on the planned configuration \
                             (dryRun) and one failed, so the apply would fail. Fix the \
                             configuration or the platform; `dry_run_on_plan = false` in the \
                             provider block turns this check off.",
                        );
                    }
                    if vr.status == TestStatus::Failed && vr.failed().next().is_none() {
                        diags.attribute_error(
                            path.clone(),
                            "Immuta's validation of the planned configuration failed".to_string(),
                            "Immuta reported a failed validation without naming a test.",
                        );
                    }
                }
                warnings_of(resp.validation_results.as_ref(), &path, diags);
            }
            // A create planned to replace an integration (tainted, or a
            // change of type) conflicts with the one it replaces, which
            // is deleted first: not a reason to fail the plan.
            Err(e) if id.is_none() && e.status() == Some(409) => diags.attribute_warning(
                path,
                "Immuta reports a conflicting integration (dryRun)".to_string(),
                format!(
                    "{e}\n\nIf this integration replaces that one, the apply deletes it first \
                     and this is expected. Otherwise the create will fail. {}",
                    import_hint(&e)
                ),
            ),
            // Only Immuta's refusal of what it was sent is about the
            // configuration; a login, connection or server problem is not,
            // and switching the dryRun off would not fix it.
            Err(e) if e.class() == immuta_client::ErrorClass::PayloadRefused => {
                diags.push(Diagnostic::attribute_error(
                    path,
                    format!(
                        "Immuta refused the planned {} configuration (dryRun)",
                        platform.integration_type()
                    ),
                    format!(
                        "{e}\n\n`dry_run_on_plan = false` in the provider block turns this \
                         check off."
                    ),
                ))
            }
            Err(e) => diags.push(crate::client_errors::diagnostic(
                format!(
                    "Could not run Immuta's validation (dryRun) of the planned {} configuration",
                    platform.integration_type()
                ),
                &e,
            )),
        }
    }

    async fn create(&self, ctx: &Context, req: &ApplyRequest, platform: Platform) -> ApplyResponse {
        let mut resp = ApplyResponse::default();
        let cfg = match self.configured() {
            Ok(c) => c,
            Err(d) => {
                resp.diagnostics = d;
                return resp;
            }
        };
        let client = cfg.client_for(ctx);
        let ty = platform.integration_type();
        let payload = match request_payload(platform, &req.config, &req.planned_state) {
            Ok(p) => p,
            Err(d) => {
                resp.diagnostics.push(d);
                return resp;
            }
        };
        let answer = match client.create(&payload, false).await {
            Ok(a) => a,
            Err(e) => {
                let mut d = client_error(format!("Could not create the {ty} integration"), &e);
                if e.status() == Some(409) {
                    d.detail = format!("{}\n\n{}", d.detail, import_hint(&e));
                }
                resp.diagnostics.push(d);
                return resp;
            }
        };
        let Some(id) = answer.id.clone().map(|i| i.0) else {
            resp.diagnostics.error(
                format!("Could not create the {ty} integration"),
                "Immuta accepted the create but its answer carries no id, so the integration \
                 cannot be tracked. Look for it in Immuta and import it.",
            );
            return resp;
        };
        // From here on the integration exists: it is always in the state.
        // What Immuta answered that the plan left to it: the Trino key, when
        // the create answer carries it (a later GET may not).
        let mut planned = req.planned_state.clone();
        if let (Some(key), Some(trino)) = (
            answer.trino_api_key(),
            planned.get_attr_mut(Platform::Trino.block_name()),
        ) {
            if trino.attr("api_key").is_unknown() {
                trino.set_attr("api_key", Value::string(key.expose()));
            }
        }
        let mut partial = planned.clone();
        partial.set_attr("id", Value::string(id.clone()));
        let status = answer.status.unwrap_or(IntegrationStatus::Creating);
        partial.set_attr("status", Value::string(status.as_str()));
        partial.set_attr(
            "validation_results",
            validation_results_value(answer.validation_results.as_ref()),
        );
        partial.unknowns_to_null();
        let timeouts = Timeouts::from_value(req.config.attr("timeouts"));
        let waited = Self::wait_enabled(
            &client,
            ctx,
            &id,
            timeouts.create,
            platform,
            &mut resp.diagnostics,
        )
        .await;
        match waited {
            Ok(()) => {}
            Err(e) => {
                if let WaitError::Failed {
                    status,
                    validation_results,
                    ..
                } = &e
                {
                    partial.set_attr("status", Value::string(status.as_str()));
                    if validation_results.is_some() {
                        partial.set_attr(
                            "validation_results",
                            validation_results_value(validation_results.as_ref()),
                        );
                    }
                }
                resp.diagnostics.error(
                    format!("The {ty} integration {id} was created but did not become enabled"),
                    format!(
                        "{e}\n\nThe integration is kept in the state, marked tainted: the next \
                         apply deletes and creates it again, and `terraform destroy` deletes it."
                    ),
                );
                resp.new_state = partial;
                return resp;
            }
        }
        resp.new_state = self
            .read_back(&client, &id, &planned, partial, &mut resp.diagnostics)
            .await;
        resp
    }

    /// Waits until the integration is enabled, adding the warnings of its
    /// validation tests to `diags`. What a failed wait means for the state is
    /// the caller's (create keeps a tainted resource; update keeps what
    /// Immuta now holds).
    async fn wait_enabled(
        client: &ImmutaClient,
        ctx: &Context,
        id: &str,
        timeout: Duration,
        platform: Platform,
        diags: &mut Diagnostics,
    ) -> Result<(), WaitError> {
        match wait_for(client, id, WaitTarget::Enabled, wait_options(ctx, timeout)).await? {
            WaitOutcome::Enabled { status, .. } => {
                warnings_of(status.validation_results.as_ref(), &platform.path(), diags);
            }
            WaitOutcome::Gone { .. } => {}
        }
        Ok(())
    }

    /// The state after a successful create or update: Immuta's answer, with
    /// the planned values Immuta does not repeat.
    async fn read_back(
        &self,
        client: &ImmutaClient,
        id: &str,
        planned: &Value,
        fallback: Value,
        diags: &mut Diagnostics,
    ) -> Value {
        match client.get(id).await {
            // `to_state` keeps the planned values Immuta leaves out.
            Ok(integration) => match to_state(&integration, planned) {
                Ok(mut v) => {
                    // An update plans the status it waits for and keeps the
                    // validation results of the last read (the new ones are
                    // reported, and stored by the next refresh), so that a
                    // plan shows what the user changed, not Immuta's
                    // bookkeeping.
                    for name in ["status", "validation_results"] {
                        let p = planned.attr(name);
                        if p.is_known() {
                            v.set_attr(name, p.clone());
                        }
                    }
                    v
                }
                Err(d) => {
                    diags.push(d);
                    fallback
                }
            },
            Err(e) => {
                diags.push(client_error(
                    format!("Could not read integration {id} after the change"),
                    &e,
                ));
                fallback
            }
        }
    }

    async fn update(&self, ctx: &Context, req: &ApplyRequest, platform: Platform) -> ApplyResponse {
        let mut resp = ApplyResponse {
            new_state: req.prior_state.clone(),
            ..Default::default()
        };
        let Some(id) = req.prior_state.attr("id").as_str().map(str::to_string) else {
            resp.diagnostics.error(
                "Cannot update an integration without id",
                "The state holds no id for this integration. Remove it from the state and import it.",
            );
            return resp;
        };
        if !api_changed(platform, &req.prior_state, &req.planned_state) {
            // Only Terraform-side settings changed (timeouts, credentials for destroy...).
            let mut v = req.planned_state.clone();
            v.unknowns_to_null();
            resp.new_state = v;
            return resp;
        }
        let cfg = match self.configured() {
            Ok(c) => c,
            Err(d) => {
                resp.diagnostics = d;
                return resp;
            }
        };
        let client = cfg.client_for(ctx);
        let ty = platform.integration_type();
        let payload = match request_payload(platform, &req.config, &req.planned_state) {
            Ok(p) => p,
            Err(d) => {
                resp.diagnostics.push(d);
                return resp;
            }
        };
        if let Err(e) = client.update(&id, &payload, false).await {
            resp.diagnostics.push(client_error(
                format!("Could not update the {ty} integration {id}"),
                &e,
            ));
            return resp;
        }
        let timeouts = Timeouts::from_value(req.config.attr("timeouts"));
        let waited = Self::wait_enabled(
            &client,
            ctx,
            &id,
            timeouts.update,
            platform,
            &mut resp.diagnostics,
        )
        .await;
        match waited {
            Ok(()) => {}
            Err(e) => {
                resp.diagnostics.error(
                    format!("The {ty} integration {id} did not become enabled after the update"),
                    e.to_string(),
                );
                // Keep what Immuta now holds, so the next plan shows it.
                if let Ok(integration) = client.get(&id).await {
                    if let Ok(v) = to_state(&integration, &req.planned_state) {
                        resp.new_state = v;
                    }
                }
                return resp;
            }
        }
        let prior = req.prior_state.clone();
        resp.new_state = self
            .read_back(
                &client,
                &id,
                &req.planned_state,
                prior,
                &mut resp.diagnostics,
            )
            .await;
        resp
    }

    async fn delete(&self, ctx: &Context, req: &ApplyRequest) -> ApplyResponse {
        let prior = &req.prior_state;
        let mut resp = ApplyResponse {
            new_state: prior.clone(),
            ..Default::default()
        };
        let Some(id) = prior.attr("id").as_str().map(str::to_string) else {
            resp.new_state = Value::Null;
            return resp;
        };
        let cfg = match self.configured() {
            Ok(c) => c,
            Err(d) => {
                resp.diagnostics = d;
                return resp;
            }
        };
        let client = cfg.client_for(ctx);
        let force = prior.attr("force_disable_on_destroy").as_bool() == Some(true);
        let auto = prior.attr("auto_bootstrap").as_bool() == Some(true);
        let platform = platform_of(prior);
        let creds = match platform {
            Some(p) if p.delete_needs_credentials() && auto && !force => {
                // The type attribute's credentials, each replaced by the one
                // `delete_credentials` sets (all of it may be unset, as in the
                // `{}` that `-generate-config-out` writes).
                let mut creds = p.delete_credentials(prior.attr(p.block_name()));
                if let v @ Value::Object(_) = prior.attr("delete_credentials") {
                    let mut c = creds.unwrap_or_default();
                    overlay_credentials(&mut c, delete_credentials_from(v));
                    creds = Some(c);
                }
                if let Some(name) = prior.attr(DELETE_CREDENTIALS_ENV).as_str() {
                    match delete_credentials_from_env(name) {
                        Ok(env) => {
                            let mut c = creds.unwrap_or_default();
                            overlay_credentials(&mut c, env);
                            creds = Some(c);
                        }
                        Err(e) => {
                            resp.diagnostics.attribute_error(
                                AttributePath::new(DELETE_CREDENTIALS_ENV),
                                format!(
                                    "Could not read the credentials to delete integration {id}"
                                ),
                                format!(
                                    "{e}.\n\nSet it before `terraform destroy`. Or, to remove \
                                     the integration from Immuta without cleaning up the \
                                     platform: set `force_disable_on_destroy = true`, run \
                                     `terraform apply` (it records the setting, nothing is sent \
                                     to Immuta), then `terraform destroy`."
                                ),
                            );
                            return resp;
                        }
                    }
                }
                creds
            }
            _ => None,
        };
        let options = DeleteOptions {
            force_disable: force,
            dry_run: false,
        };
        match client.delete(&id, creds.as_ref(), options).await {
            Ok(_) => {}
            Err(e) if e.is_not_found() => {
                resp.new_state = Value::Null;
                return resp;
            }
            Err(e) => {
                let mut d = client_error(format!("Could not delete integration {id}"), &e);
                if let Some(hint) = delete_hint(prior, platform, creds.is_some(), &e) {
                    d.detail = format!("{}\n\n{hint}", d.detail);
                }
                resp.diagnostics.push(d);
                return resp;
            }
        }
        // After a force-disable, Immuta may keep the integration as
        // `disabled` (nothing cleaned up) instead of removing it.
        let target = if force {
            WaitTarget::GoneOrDisabled
        } else {
            WaitTarget::Gone
        };
        let timeouts = Timeouts::from_value(prior.attr("timeouts"));
        match wait_for(&client, &id, target, wait_options(ctx, timeouts.delete)).await {
            Ok(_) => resp.new_state = Value::Null,
            Err(e) => resp.diagnostics.error(
                format!("Integration {id} was not deleted"),
                format!("{e}\n\nIt stays in the state. {FORCE_DISABLE_HINT}"),
            ),
        }
        resp
    }
}

/// How to take over the integration a 409 names (Immuta's message ends
/// "(id = 5)"), or any existing one.
fn import_hint(e: &ClientError) -> String {
    let text = e.to_string();
    let id = text
        .split("(id = ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()));
    match id {
        Some(id) => format!(
            "If that integration is the one this resource should manage, import it instead of \
             creating it: `terraform import <this resource's address> {id}` (or an `import` \
             block with `id = \"{id}\"`)."
        ),
        None => "If the existing integration is the one this resource should manage, import \
                 it instead of creating it: `terraform import <this resource's address> <id>`."
            .to_string(),
    }
}

/// How to remove an integration Immuta will not delete.
const FORCE_DISABLE_HINT: &str = "To remove it from Immuta without cleaning up the platform: set \
    `force_disable_on_destroy = true`, run `terraform apply` (it records the setting, nothing is \
    sent to Immuta), then `terraform destroy` again.";

/// What to do when Immuta refuses a delete: the credentials it needs, and
/// where they can come from.
fn delete_hint(
    prior: &Value,
    platform: Option<Platform>,
    sent_credentials: bool,
    e: &ClientError,
) -> Option<String> {
    if !matches!(e.status(), Some(400 | 422)) {
        return None;
    }
    let write_only = platform.is_some_and(|p| p.uses_write_only_state(prior.attr(p.block_name())));
    let mut hint = String::new();
    if sent_credentials && write_only && prior.attr(DELETE_CREDENTIALS_ENV).is_null() {
        hint.push_str(
            "The secrets of this integration are write-only, so Terraform does not keep them \
             for the destroy: set `delete_credentials_env` to the name of an environment \
             variable holding the credentials as JSON (or set `delete_credentials`), apply, and \
             destroy again. ",
        );
    }
    hint.push_str(FORCE_DISABLE_HINT);
    Some(hint)
}

#[async_trait]
impl Resource for IntegrationResource {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        validate_config(config)
    }

    async fn plan(&self, ctx: &Context, req: PlanRequest) -> PlanResponse {
        let mut resp = PlanResponse {
            planned_state: req.proposed_new_state.clone(),
            planned_private: req.prior_private.clone(),
            ..Default::default()
        };
        // A destroy plan: nothing to add, and no dryRun.
        if req.proposed_new_state.is_null() {
            return resp;
        }
        let config = &req.config;
        let Some(platform) = platform_of(config) else {
            resp.diagnostics = validate_config(config);
            return resp;
        };
        let diags = validate_config(config);
        if diags.has_errors() {
            resp.diagnostics = diags;
            return resp;
        }
        let prior = &req.prior_state;
        let create = prior.is_null();
        let replace = !create && platform_of(prior) != Some(platform);
        let planned = &mut resp.planned_state;
        propose_nested(&req.schema.block.attributes, config, prior, planned);
        let name = platform.block_name();
        if let Some(block) = planned.get_attr_mut(name) {
            platform.plan_defaults(config.attr(name), block);
            // Never planned (Terraform would refuse it); read from `config`.
            platform.null_write_only(block);
        }
        // The `{}` an import stores (see `import`) means the same as unset:
        // kept, so neither form plans a change.
        let prior_dc = prior.attr("delete_credentials");
        if config.attr("delete_credentials").is_null()
            && matches!(prior_dc, Value::Object(_))
            && is_all_null(prior_dc)
        {
            planned.set_attr("delete_credentials", prior_dc.clone());
        }
        // Not sticky: unset means the default, whatever the prior value.
        if config.attr("force_disable_on_destroy").is_null() {
            planned.set_attr("force_disable_on_destroy", Value::Bool(false));
        }
        planned.set_attr("type", Value::string(platform.integration_type().as_str()));
        let changed = create || replace || api_changed(platform, prior, planned);
        if changed {
            if let Some(block) = planned.get_attr_mut(name) {
                platform.plan_chosen_unknown(config.attr(name), block);
            }
        }
        if create || replace {
            planned.set_attr("id", Value::Unknown);
            planned.set_attr("status", Value::Unknown);
            planned.set_attr("validation_results", Value::Unknown);
        } else if changed {
            // The update waits for `enabled`; the validation results stay
            // those of the last read (see `read_back`).
            planned.set_attr("status", Value::string(IntegrationStatus::Enabled.as_str()));
        }
        if replace {
            resp.requires_replace = Platform::ALL
                .into_iter()
                .filter(|p| {
                    prior.attr(p.block_name()).is_null() != planned.attr(p.block_name()).is_null()
                })
                .map(Platform::path)
                .collect();
            // Terraform plans the create of the replacement again, with no
            // prior state: the dryRun runs then.
            return resp;
        }
        let known = config.attr("auto_bootstrap").is_known() && config.attr(name).is_fully_known();
        if !changed || !known {
            return resp;
        }
        let Ok(cfg) = self.data.configured() else {
            return resp;
        };
        if !cfg.dry_run_on_plan {
            return resp;
        }
        let id = (!create).then(|| prior.attr("id").as_str().map(str::to_string));
        let id = match id {
            None => None,
            Some(Some(id)) => Some(id),
            Some(None) => return resp,
        };
        let payload = match request_payload(platform, config, planned) {
            Ok(p) => p,
            Err(d) => {
                resp.diagnostics.push(d);
                return resp;
            }
        };
        let mut diags = Diagnostics::new();
        self.dry_run(ctx, &cfg, platform, id.as_deref(), &payload, &mut diags)
            .await;
        resp.diagnostics.extend(diags);
        resp
    }

    async fn apply(&self, ctx: &Context, req: ApplyRequest) -> ApplyResponse {
        match req.kind() {
            ApplyKind::Delete => self.delete(ctx, &req).await,
            kind => {
                let Some(platform) = platform_of(&req.planned_state) else {
                    return ApplyResponse {
                        new_state: req.prior_state.clone(),
                        diagnostics: validate_config(&req.config),
                        ..Default::default()
                    };
                };
                if kind == ApplyKind::Create {
                    self.create(ctx, &req, platform).await
                } else {
                    self.update(ctx, &req, platform).await
                }
            }
        }
    }

    async fn read(&self, ctx: &Context, req: ReadRequest) -> ReadResponse {
        // The state is moved, never copied: it is kept as it is whenever the
        // read cannot replace it.
        let ReadRequest {
            current_state,
            private,
            ..
        } = req;
        let mut resp = ReadResponse {
            private,
            ..Default::default()
        };
        let Some(id) = current_state.attr("id").as_str().map(str::to_string) else {
            resp.new_state = current_state;
            return resp;
        };
        let cfg = match self.configured() {
            Ok(c) => c,
            Err(d) => {
                resp.new_state = current_state;
                resp.diagnostics = d;
                return resp;
            }
        };
        match cfg.client_for(ctx).get(&id).await {
            Ok(integration) => match to_state(&integration, &current_state) {
                Ok(v) => resp.new_state = v,
                Err(d) => {
                    resp.new_state = current_state;
                    resp.diagnostics.push(d);
                }
            },
            Err(e) if e.is_not_found() => {
                tracing::debug!(
                    id,
                    "integration no longer exists; removing it from the state"
                );
                resp.new_state = Value::Null;
            }
            Err(e) => {
                resp.new_state = current_state;
                resp.diagnostics
                    .push(client_error(format!("Could not read integration {id}"), &e));
            }
        }
        resp
    }

    async fn import(&self, _ctx: &Context, req: ImportRequest) -> ImportResponse {
        // A JSON id also carries values Immuta never returns (see `import_id`).
        let parsed = match crate::import_id::ImportId::parse(&req.id) {
            Ok(p) => p,
            Err(e) => {
                return ImportResponse {
                    diagnostics: Diagnostic::error("Invalid import id", e.to_string()).into(),
                    ..Default::default()
                }
            }
        };
        if let Some(refused) = super::refuse_import_id(&parsed.id, "immuta_integration") {
            return refused;
        }
        let mut resp = import_passthrough_id(&ImportRequest {
            schema: req.schema.clone(),
            id: parsed.id.clone(),
        });
        parsed.apply(&mut resp.state);
        // What `-generate-config-out` writes for this sensitive attribute
        // (`delete_credentials = {}`): the same in state, so the generated
        // configuration plans no change. Left unset, it means the type
        // attribute's credentials (see `delete`).
        if let Some(a) = req.schema.block.attribute("delete_credentials") {
            resp.state
                .set_attr("delete_credentials", platforms::null_object(a));
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::PlanRequest;
    use immuta_api::IntegrationType;
    use serde_json::json;

    fn snowflake_config() -> Value {
        let mut block = platforms::null_object(&Platform::Snowflake.attribute());
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

    fn summaries(d: &Diagnostics) -> Vec<String> {
        d.iter().map(|d| d.summary.clone()).collect()
    }

    #[test]
    fn payload_is_type_auto_bootstrap_and_config_only() {
        let p = to_payload(Platform::Snowflake, &snowflake_config());
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["type"], json!("Snowflake"));
        assert_eq!(json["autoBootstrap"], json!(true));
        assert_eq!(json["config"].as_object().unwrap().len(), 7);
        let trino = to_payload(
            Platform::Trino,
            &Value::object([("trino", Value::object([("api_key", Value::Null)]))]),
        );
        assert_eq!(
            serde_json::to_value(&trino).unwrap(),
            json!({"type": "Trino"})
        );
    }

    #[test]
    fn state_from_immutas_answer() {
        let integration: Integration = serde_json::from_value(json!({
            "id": 7, "status": "enabled", "type": "Snowflake", "autoBootstrap": true,
            "validationResults": {"status": "passed", "validationTests": [
                {"name": "Initial Validation: Basic Connection Test", "status": "passed", "result": []}
            ]},
            "config": {"host": "org.us-east-1.snowflakecomputing.com", "port": 443,
                       "warehouse": "SAMPLE_WAREHOUSE", "database": "SNOWFLAKE_SAMPLE_DATA",
                       "authenticationType": "userPassword", "username": "<REDACTED>",
                       "password": "<REDACTED>", "role": "ACCOUNTADMIN",
                       "audit": {"enabled": false}}
        }))
        .unwrap();
        let prior = snowflake_config();
        let v = to_state(&integration, &prior).unwrap();
        assert_eq!(v.attr("id").as_str(), Some("7"));
        assert_eq!(v.attr("type").as_str(), Some("Snowflake"));
        assert_eq!(
            v.attr("snowflake").attr("password").as_str(),
            Some("abc1234")
        );
        assert!(v.attr("databricks").is_null());
        assert_eq!(v.attr("force_disable_on_destroy"), &Value::Bool(false));
        let t = &v
            .attr("validation_results")
            .attr("tests")
            .as_list()
            .unwrap()[0];
        assert_eq!(t.attr("result_json").as_str(), Some("[]"));
        // Every schema attribute is present.
        assert_eq!(v.as_map().unwrap().len(), schema().block.attributes.len());
        let other = Integration {
            integration_type: IntegrationType::Other("Oracle".into()),
            ..integration
        };
        assert!(to_state(&other, &prior).is_err());
    }

    #[test]
    fn exactly_one_type_and_auto_bootstrap_rules() {
        let mut v = snowflake_config();
        assert!(
            validate_config(&v).is_empty(),
            "{:?}",
            summaries(&validate_config(&v))
        );
        v.set_attr("snowflake", Value::Null);
        assert_eq!(
            summaries(&validate_config(&v)),
            ["expected exactly one of snowflake, databricks, bigquery, redshift, azure_synapse, s3, trino to be set, got none"]
        );
        let mut v = snowflake_config();
        v.set_attr("trino", platforms::obj([("api_key", Value::Null)]));
        let d = validate_config(&v);
        assert_eq!(
            d.iter().next().unwrap().attribute,
            Some(AttributePath::new("trino"))
        );
        let mut v = snowflake_config();
        v.set_attr("auto_bootstrap", Value::Null);
        assert_eq!(
            summaries(&validate_config(&v))[0],
            "auto_bootstrap: required for snowflake integrations, expected true or false, got none"
        );
        let mut v = snowflake_config();
        v.set_attr(
            "timeouts",
            platforms::obj([
                ("create", Value::from("soon")),
                ("update", Value::Null),
                ("delete", Value::Null),
            ]),
        );
        let d = validate_config(&v);
        assert_eq!(
            d.iter().next().unwrap().attribute,
            Some(AttributePath::new("timeouts").attr("create"))
        );
        assert_eq!(
            summaries(&d)[0],
            "timeouts.create: expected a duration such as \"30m\", got \"soon\""
        );
    }

    #[test]
    fn timeouts_default_to_thirty_minutes() {
        let t = Timeouts::from_value(&platforms::obj([("create", Value::from("5m"))]));
        assert_eq!(t.create, Duration::from_secs(300));
        assert_eq!(t.delete, DEFAULT_TIMEOUT);
    }

    /// Terraform's proposal, close enough for these tests: the
    /// configuration, with the prior value of top-level computed attributes
    /// the configuration leaves unset.
    fn request(prior: &Value, config: &Value) -> PlanRequest {
        let schema = Arc::new(schema());
        let mut proposed = config.clone();
        for a in &schema.block.attributes {
            if a.computed && config.attr(&a.name).is_null() {
                proposed.set_attr(a.name.clone(), prior.attr(&a.name).clone());
            }
        }
        PlanRequest {
            schema,
            prior_state: prior.clone(),
            proposed_new_state: proposed,
            config: config.clone(),
            prior_private: Vec::new(),
        }
    }

    fn resource() -> IntegrationResource {
        // Not configured: plans run without dryRun.
        IntegrationResource::new(Arc::new(ProviderData::default()))
    }

    /// The state an apply of `planned` would leave (unknowns filled in).
    fn applied(planned: &Value) -> Value {
        let mut v = planned.clone();
        v.set_attr("id", Value::from("7"));
        v.set_attr("status", Value::from("enabled"));
        v.set_attr("validation_results", Value::Null);
        v.unknowns_to_null();
        v
    }

    #[tokio::test]
    async fn create_plan_is_exact_where_immuta_documents_defaults() {
        let config = snowflake_config();
        let resp = resource()
            .plan(&Context::default(), request(&Value::Null, &config))
            .await;
        assert!(
            resp.diagnostics.is_empty(),
            "{:?}",
            summaries(&resp.diagnostics)
        );
        let p = &resp.planned_state;
        assert!(p.attr("id").is_unknown());
        assert!(p.attr("status").is_unknown());
        assert_eq!(p.attr("type").as_str(), Some("Snowflake"));
        assert_eq!(p.attr("force_disable_on_destroy"), &Value::Bool(false));
        let sf = p.attr("snowflake");
        assert_eq!(sf.attr("port").as_i64(), Some(443));
        assert_eq!(sf.attr("lineage").attr("enabled"), &Value::Bool(false));
        assert_eq!(sf.attr("password").as_str(), Some("abc1234"));
        assert!(p.attr("databricks").is_null());
        assert!(resp.requires_replace.is_empty());
    }

    #[tokio::test]
    async fn unchanged_config_plans_the_prior_state() {
        let config = snowflake_config();
        let created = resource()
            .plan(&Context::default(), request(&Value::Null, &config))
            .await;
        let prior = applied(&created.planned_state);
        let resp = resource()
            .plan(&Context::default(), request(&prior, &config))
            .await;
        assert!(resp.diagnostics.is_empty());
        assert_eq!(resp.planned_state, prior);
        // A change keeps the id and Immuta's defaults; it plans the status the
        // update waits for and keeps the last validation results (a plan
        // shows what the user changed, not Immuta's bookkeeping).
        let mut changed = config.clone();
        if let Some(b) = changed.get_attr_mut("snowflake") {
            b.set_attr("warehouse", Value::from("OTHER"));
        }
        let resp = resource()
            .plan(&Context::default(), request(&prior, &changed))
            .await;
        let p = &resp.planned_state;
        assert_eq!(p.attr("id").as_str(), Some("7"));
        assert_eq!(p.attr("status").as_str(), Some("enabled"));
        assert_eq!(
            p.attr("validation_results"),
            prior.attr("validation_results")
        );
        assert_eq!(p.attr("snowflake").attr("port").as_i64(), Some(443));
        assert_eq!(
            p.attr("snowflake").attr("warehouse").as_str(),
            Some("OTHER")
        );
        assert!(resp.requires_replace.is_empty());
    }

    #[tokio::test]
    async fn an_unset_setting_changed_outside_terraform_plans_its_default() {
        let config = snowflake_config();
        let created = resource()
            .plan(&Context::default(), request(&Value::Null, &config))
            .await;
        let mut prior = applied(&created.planned_state);
        // Someone switched audit and impersonation on through the API.
        if let Some(b) = prior.get_attr_mut("snowflake") {
            b.set_attr("audit", platforms::obj([("enabled", Value::Bool(true))]));
            b.set_attr(
                "impersonation",
                platforms::obj([("enabled", Value::Bool(true)), ("role", Value::from("R"))]),
            );
        }
        let resp = resource()
            .plan(&Context::default(), request(&prior, &config))
            .await;
        let sf = resp.planned_state.attr("snowflake");
        assert_eq!(sf.attr("audit").attr("enabled"), &Value::Bool(false));
        assert_eq!(
            sf.attr("impersonation"),
            &platforms::obj([("enabled", Value::Bool(false)), ("role", Value::Null)])
        );
        assert_ne!(resp.planned_state, prior);
        // The update sends the defaults back.
        let body = serde_json::to_value(
            request_payload(Platform::Snowflake, &config, &resp.planned_state).unwrap(),
        )
        .unwrap();
        assert_eq!(body["config"]["audit"], json!({"enabled": false}));
        assert_eq!(body["config"]["impersonation"], json!({"enabled": false}));
    }

    fn write_only_config(version: i64, secret: &str) -> Value {
        let mut v = snowflake_config();
        if let Some(b) = v.get_attr_mut("snowflake") {
            b.set_attr("password", Value::Null);
            b.set_attr("password_wo", Value::from(secret));
            b.set_attr("password_wo_version", Value::int(version));
        }
        v
    }

    #[tokio::test]
    async fn write_only_secrets_plan_an_update_only_on_a_new_version() {
        let config = write_only_config(1, "first-secret");
        assert!(
            !validate_config(&config).has_errors(),
            "{:?}",
            summaries(&validate_config(&config))
        );
        // Destroying needs credentials Terraform will not have: a warning.
        assert!(summaries(&validate_config(&config))
            .iter()
            .any(|s| s.contains("write-only secrets are not available")));
        let created = resource()
            .plan(&Context::default(), request(&Value::Null, &config))
            .await;
        let sf = created.planned_state.attr("snowflake");
        assert!(sf.attr("password_wo").is_null(), "never planned");
        assert!(sf.attr("password").is_null());
        assert_eq!(sf.attr("password_wo_version").as_i64(), Some(1));
        // The create sends the write-only value.
        let body = serde_json::to_value(to_payload(Platform::Snowflake, &config)).unwrap();
        assert_eq!(body["config"]["password"], json!("first-secret"));
        let prior = applied(&created.planned_state);
        // Same version, even with another value: nothing to do.
        let same = write_only_config(1, "other-secret");
        let resp = resource()
            .plan(&Context::default(), request(&prior, &same))
            .await;
        assert_eq!(resp.planned_state, prior);
        // A new version: an in-place update that sends the new secret.
        let bumped = write_only_config(2, "second-secret");
        let resp = resource()
            .plan(&Context::default(), request(&prior, &bumped))
            .await;
        assert!(resp.requires_replace.is_empty());
        assert_eq!(resp.planned_state.attr("status").as_str(), Some("enabled"));
        let body = serde_json::to_value(
            request_payload(Platform::Snowflake, &bumped, &resp.planned_state).unwrap(),
        )
        .unwrap();
        assert_eq!(body["config"]["password"], json!("second-secret"));
        // Another change at the same version sends the secret itself, never
        // Immuta's placeholder.
        let mut other = write_only_config(1, "first-secret");
        if let Some(b) = other.get_attr_mut("snowflake") {
            b.set_attr("warehouse", Value::from("OTHER"));
        }
        let resp = resource()
            .plan(&Context::default(), request(&prior, &other))
            .await;
        let body = serde_json::to_value(
            request_payload(Platform::Snowflake, &other, &resp.planned_state).unwrap(),
        )
        .unwrap();
        assert_eq!(body["config"]["password"], json!("first-secret"));
        assert_eq!(body["config"]["warehouse"], json!("OTHER"));
        // State never holds it.
        let state = to_state(
            &serde_json::from_value(json!({
                "id": 7, "status": "enabled", "type": "Snowflake", "autoBootstrap": true,
                "config": {"host": "h", "warehouse": "W", "database": "D", "role": "R",
                           "authenticationType": "userPassword", "username": "<REDACTED>",
                           "password": "<REDACTED>"}
            }))
            .unwrap(),
            &prior,
        )
        .unwrap();
        let sf = state.attr("snowflake");
        assert!(sf.attr("password").is_null() && sf.attr("password_wo").is_null());
        assert_eq!(sf.attr("password_wo_version").as_i64(), Some(1));
    }

    #[test]
    fn a_secret_and_its_twin_are_refused_together() {
        let mut v = write_only_config(1, "x");
        if let Some(b) = v.get_attr_mut("snowflake") {
            b.set_attr("password", Value::from("y"));
        }
        let d = validate_config(&v);
        assert_eq!(
            d.iter()
                .find(|d| d.severity == crate::framework::Severity::Error)
                .unwrap()
                .attribute,
            Some(AttributePath::new("snowflake").attr("password_wo"))
        );
        assert!(summaries(&d)[0].contains("snowflake.password and snowflake.password_wo"));
    }

    #[test]
    fn delete_credentials_from_the_environment() {
        let c = delete_credentials_from_json(
            "X",
            r#"{"password": "pw", "private_key": {"content": "k"}}"#,
        )
        .unwrap();
        assert_eq!(c.password.as_ref().map(|s| s.expose()), Some("pw"));
        assert_eq!(
            c.private_key
                .and_then(|k| k.content)
                .map(|s| s.expose().to_string()),
            Some("k".to_string())
        );
        // Errors never repeat the content.
        for bad in [
            r#"{"password": 12345}"#,
            "hunter2",
            r#"["hunter2"]"#,
            r#"{"pasword": "hunter2"}"#,
        ] {
            let e = delete_credentials_from_json("X", bad)
                .unwrap_err()
                .to_string();
            assert!(!e.contains("hunter2") && !e.contains("12345"), "{e}");
            assert!(e.contains("X"), "{e}");
        }
        let mut base = DeleteCredentials {
            authentication_type: Some("userPassword".into()),
            username: Some(immuta_api::Secret::new("u")),
            ..Default::default()
        };
        overlay_credentials(
            &mut base,
            delete_credentials_from_json("X", r#"{"password": "pw"}"#).unwrap(),
        );
        assert_eq!(
            base.username.map(|s| s.expose().to_string()).as_deref(),
            Some("u")
        );
        assert_eq!(
            base.password.map(|s| s.expose().to_string()).as_deref(),
            Some("pw")
        );
        assert_eq!(
            delete_credentials_from_env("IMMUTA_TEST_SURELY_UNSET_VARIABLE_4711").unwrap_err(),
            EnvCredentialsError::Unset("IMMUTA_TEST_SURELY_UNSET_VARIABLE_4711".into())
        );
        let mut v = snowflake_config();
        v.set_attr(DELETE_CREDENTIALS_ENV, Value::from("not a name"));
        assert_eq!(
            d_attr(&validate_config(&v)),
            Some(AttributePath::new(DELETE_CREDENTIALS_ENV))
        );
    }

    fn d_attr(d: &Diagnostics) -> Option<AttributePath> {
        d.iter().next().and_then(|d| d.attribute.clone())
    }

    #[tokio::test]
    async fn a_type_change_requires_replacement() {
        let config = snowflake_config();
        let created = resource()
            .plan(&Context::default(), request(&Value::Null, &config))
            .await;
        let prior = applied(&created.planned_state);
        let mut other = config.clone();
        other.set_attr("snowflake", Value::Null);
        other.set_attr("trino", platforms::obj([("api_key", Value::Null)]));
        let resp = resource()
            .plan(&Context::default(), request(&prior, &other))
            .await;
        assert!(resp.diagnostics.is_empty());
        assert_eq!(
            resp.requires_replace,
            [AttributePath::new("snowflake"), AttributePath::new("trino")]
        );
        let p = &resp.planned_state;
        assert!(p.attr("snowflake").is_null(), "the old type is dropped");
        assert!(p.attr("trino").attr("api_key").is_unknown());
        assert_eq!(p.attr("type").as_str(), Some("Trino"));
        assert!(p.attr("id").is_unknown());
    }
}
