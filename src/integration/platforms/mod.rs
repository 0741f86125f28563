//! The seven integration types ("platforms"): for each, the schema of its
//! nested attribute (`snowflake = { ... }`), the checks of its values, and
//! the converters between Terraform values and `immuta-api`'s typed configs.
//! The `immuta_integration` resource and the `immuta_integration_script`
//! data source share them.
//!
//! Terraform names are snake_case; each converter maps them to the camelCase
//! API fields through the typed structs of `immuta-api`, never through
//! hand-built JSON.
//!
//! Conventions of every converter pair:
//! - `to_config(block)`: unset (null) and not-yet-known values are left out,
//!   so a request never carries a field the user did not set.
//! - `from_config(config, prior)`: Immuta's `<REDACTED>` placeholder is
//!   replaced by the value at the same place in `prior` (state or plan), or
//!   null when there is none (after an import). `<REDACTED>` never reaches
//!   state.
//!
//! `write_only` adds, for the resource only ([`Platform::resource_attribute`]),
//! a write-only twin `<secret>_wo` and a `<secret>_wo_version` to every secret,
//! with their checks and the merging of twins into request bodies.

pub mod azure_synapse;
pub mod bigquery;
pub mod databricks;
pub mod defaults;
pub mod redshift;
pub mod s3;
pub mod snowflake;
pub mod trino;
pub mod write_only;

use crate::framework::{Attribute, AttributePath, Diagnostics, Value};
use immuta_api::config::{Impersonation, OAuthClientConfig, OktaConfig, PrivateKey, Toggle};
use immuta_api::{DeleteCredentials, IntegrationConfig, IntegrationType, Secret};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Which schema a type attribute is built for. Some descriptions differ:
/// only a resource keeps values in state, imports, and plans over a prior
/// value; a data source reads its configuration afresh each time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// The `immuta_integration` resource.
    Resource,
    /// A data source that takes a type attribute (`immuta_integration_script`).
    DataSource,
}

/// See `Platform::derived`.
struct Derived {
    /// Its block with every attribute null.
    null: Value,
    /// The paths of its secrets that have write-only twins.
    secrets: Vec<Vec<String>>,
}

/// One integration type, named after its nested attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Platform {
    /// `snowflake`.
    Snowflake,
    /// `databricks` (Unity Catalog).
    Databricks,
    /// `bigquery` (Google BigQuery).
    BigQuery,
    /// `redshift`.
    Redshift,
    /// `azure_synapse` (Azure Synapse Analytics).
    AzureSynapse,
    /// `s3` (Immuta's "Native S3").
    S3,
    /// `trino` (Starburst).
    Trino,
}

impl Platform {
    /// Every platform, in schema order.
    pub const ALL: [Platform; 7] = [
        Platform::Snowflake,
        Platform::Databricks,
        Platform::BigQuery,
        Platform::Redshift,
        Platform::AzureSynapse,
        Platform::S3,
        Platform::Trino,
    ];

    /// The nested attribute's name.
    pub fn block_name(self) -> &'static str {
        match self {
            Platform::Snowflake => "snowflake",
            Platform::Databricks => "databricks",
            Platform::BigQuery => "bigquery",
            Platform::Redshift => "redshift",
            Platform::AzureSynapse => "azure_synapse",
            Platform::S3 => "s3",
            Platform::Trino => "trino",
        }
    }

    /// Immuta's `type`.
    pub fn integration_type(self) -> IntegrationType {
        match self {
            Platform::Snowflake => IntegrationType::Snowflake,
            Platform::Databricks => IntegrationType::Databricks,
            Platform::BigQuery => IntegrationType::BigQuery,
            Platform::Redshift => IntegrationType::Redshift,
            Platform::AzureSynapse => IntegrationType::AzureSynapse,
            Platform::S3 => IntegrationType::S3,
            Platform::Trino => IntegrationType::Trino,
        }
    }

    /// The platform of an Immuta type; `None` for a type this provider does not know.
    pub fn from_type(ty: &IntegrationType) -> Option<Platform> {
        Platform::ALL
            .into_iter()
            .find(|p| &p.integration_type() == ty)
    }

    /// The path of its nested attribute.
    pub fn path(self) -> AttributePath {
        AttributePath::new(self.block_name())
    }

    /// What is derived from its schema, built once per process: the schema
    /// is the same on every call, and building it (descriptions and all)
    /// cost more than the rest of a refresh.
    fn derived(self) -> &'static Derived {
        static ALL: OnceLock<Vec<Derived>> = OnceLock::new();
        let all = ALL.get_or_init(|| {
            Platform::ALL
                .into_iter()
                .map(|p| {
                    let attribute = p.attribute();
                    Derived {
                        null: null_object(&attribute),
                        secrets: write_only::secret_paths(
                            attribute.nested_attributes().unwrap_or_default(),
                        ),
                    }
                })
                .collect()
        });
        let i = Platform::ALL.iter().position(|p| *p == self);
        &all[i.unwrap_or_default()]
    }

    /// Its block with every attribute null (a clone of one built once).
    pub fn null_block(self) -> Value {
        self.derived().null.clone()
    }

    /// The attributes inside its nested attribute.
    pub fn nested_attributes(self) -> Vec<Attribute> {
        match self.attribute().kind {
            crate::framework::AttributeKind::Nested { attributes, .. } => attributes,
            crate::framework::AttributeKind::Type(_) => Vec::new(),
        }
    }

    /// Its nested attribute in the resource, without the write-only twins
    /// ([`Platform::resource_attribute`] adds them): a single object,
    /// optional (see the comment inside on why it is also marked computed).
    pub fn attribute(self) -> Attribute {
        self.attribute_in(Form::Resource)
    }

    /// Its nested attribute, with the descriptions of `form`; the schema
    /// (names, types, flags) is the same in every form.
    pub fn attribute_in(self, form: Form) -> Attribute {
        let (attrs, what) = match self {
            Platform::Snowflake => (snowflake::attributes(form), "a Snowflake integration"),
            Platform::Databricks => (
                databricks::attributes(form),
                "a Databricks Unity Catalog integration",
            ),
            Platform::BigQuery => (bigquery::attributes(form), "a Google BigQuery integration"),
            Platform::Redshift => (redshift::attributes(form), "an Amazon Redshift integration"),
            Platform::AzureSynapse => (
                azure_synapse::attributes(form),
                "an Azure Synapse Analytics integration",
            ),
            Platform::S3 => (s3::attributes(form), "an Amazon S3 (Native S3) integration"),
            Platform::Trino => (trino::attributes(), "a Starburst (Trino) integration"),
        };
        // Optional and computed, though never computed: Terraform before 1.1
        // crashes proposing a new value for a set, non-computed nested
        // attribute whose prior value is null. The plan sets it to the
        // configuration (null when unset), with prior computed values kept.
        Attribute::single_nested(self.block_name(), attrs)
            .optional()
            .computed()
            .description(format!(
                "Settings of {what}. Exactly one integration type attribute must be set; \
                 changing the type replaces the integration."
            ))
    }

    /// Whether `auto_bootstrap` must be set (every type but Trino).
    pub fn requires_auto_bootstrap(self) -> bool {
        self.integration_type().requires_auto_bootstrap()
    }

    /// Whether `auto_bootstrap` must be false (S3 and BigQuery).
    pub fn must_not_auto_bootstrap(self) -> bool {
        self.integration_type().must_not_auto_bootstrap()
    }

    /// Whether deleting an auto-bootstrapped integration needs privileged credentials.
    pub fn delete_needs_credentials(self) -> bool {
        self.integration_type().delete_needs_credentials()
    }

    /// The `authentication_type` values the type accepts (empty for Trino).
    pub fn authentication_types(self) -> &'static [&'static str] {
        match self {
            Platform::Snowflake => snowflake::AUTH_TYPES,
            Platform::Databricks => databricks::AUTH_TYPES,
            Platform::BigQuery | Platform::Trino => &[],
            Platform::Redshift => redshift::AUTH_TYPES,
            Platform::AzureSynapse => azure_synapse::AUTH_TYPES,
            Platform::S3 => s3::AUTH_TYPES,
        }
    }

    /// Checks the block's values (unknown values are skipped). Every
    /// error names its attribute path.
    pub fn validate(self, block: &Value, auto_bootstrap: Option<bool>, diags: &mut Diagnostics) {
        let mut c = Check::new(block, self.path(), diags);
        match self {
            Platform::Snowflake => snowflake::validate(&mut c, auto_bootstrap),
            Platform::Databricks => databricks::validate(&mut c),
            Platform::BigQuery => bigquery::validate(&mut c),
            Platform::Redshift => redshift::validate(&mut c, auto_bootstrap),
            Platform::AzureSynapse => azure_synapse::validate(&mut c),
            Platform::S3 => s3::validate(&mut c),
            Platform::Trino => {}
        }
    }

    /// The API config of a block; `None` for Trino, whose requests carry no config.
    pub fn to_config(self, block: &Value) -> Option<IntegrationConfig> {
        let r = Reader(block);
        Some(match self {
            Platform::Snowflake => IntegrationConfig::Snowflake(snowflake::to_config(r)),
            Platform::Databricks => IntegrationConfig::Databricks(databricks::to_config(r)),
            Platform::BigQuery => IntegrationConfig::BigQuery(bigquery::to_config(r)),
            Platform::Redshift => IntegrationConfig::Redshift(redshift::to_config(r)),
            Platform::AzureSynapse => IntegrationConfig::AzureSynapse(azure_synapse::to_config(r)),
            Platform::S3 => IntegrationConfig::S3(s3::to_config(r)),
            Platform::Trino => return None,
        })
    }

    /// The block's value from an API config, read tolerantly against
    /// `prior` (the block's previous value, or null): see
    /// [`defaults::reconcile`]; values still unknown then take their
    /// documented default.
    pub fn from_config(self, config: Option<&IntegrationConfig>, prior: &Value) -> Value {
        use IntegrationConfig as C;
        let p = Reader(prior);
        let mut v = match (self, config) {
            (Platform::Snowflake, Some(C::Snowflake(c))) => snowflake::from_config(c, p),
            (Platform::Databricks, Some(C::Databricks(c))) => databricks::from_config(c, p),
            (Platform::BigQuery, Some(C::BigQuery(c))) => bigquery::from_config(c, p),
            (Platform::Redshift, Some(C::Redshift(c))) => redshift::from_config(c, p),
            (Platform::AzureSynapse, Some(C::AzureSynapse(c))) => azure_synapse::from_config(c, p),
            (Platform::S3, Some(C::S3(c))) => s3::from_config(c, p),
            (Platform::Trino, Some(C::Trino(c))) => trino::from_config(c, p),
            (Platform::Trino, _) => trino::from_config(&Default::default(), p),
            // No config, or one of another shape: an all-null object.
            (_, _) => self.null_block(),
        };
        defaults::reconcile(&mut v, prior);
        self.read_documented_defaults(&mut v);
        // A role only means something while impersonation is on: a disabled
        // impersonation reads with none, as it plans (whether Immuta keeps
        // the old role or not).
        if let Some(i @ Value::Object(_)) = v.get_attr_mut("impersonation") {
            if i.attr("enabled").as_bool() == Some(false) {
                i.set_attr("role", Value::Null);
            }
        }
        v
    }

    /// Plans, in a planned block, what the configuration leaves unset:
    /// Immuta's documented defaults (whatever state holds, so drift shows),
    /// and no impersonation role while impersonation is off. Values Immuta
    /// chooses keep what `planned` holds (see
    /// [`Platform::plan_chosen_unknown`] for a plan that changes them).
    pub fn plan_defaults(self, config: &Value, planned: &mut Value) {
        if !matches!(planned, Value::Object(_)) {
            return;
        }
        self.plan_documented_defaults(config, planned);
        let role_unset = config.attr("impersonation").attr("role").is_null();
        if let Some(i @ Value::Object(_)) = planned.get_attr_mut("impersonation") {
            if role_unset && i.attr("enabled").as_bool() == Some(false) {
                i.set_attr("role", Value::Null);
            }
        }
    }

    /// The privileged credentials of a block, for a DELETE that needs them
    /// (Snowflake, Redshift, Azure Synapse); `None` for other types.
    pub fn delete_credentials(self, block: &Value) -> Option<DeleteCredentials> {
        let r = Reader(block);
        match self {
            Platform::Snowflake => Some(snowflake::delete_credentials(r)),
            Platform::Redshift => Some(redshift::delete_credentials(r)),
            Platform::AzureSynapse => Some(azure_synapse::delete_credentials(r)),
            _ => None,
        }
    }
}

/// An object with every attribute of a nested attribute set to null.
pub fn null_object(attr: &Attribute) -> Value {
    match attr.nested_attributes() {
        Some(attrs) => Value::object(attrs.iter().map(|a| (a.name.clone(), Value::Null))),
        None => Value::Null,
    }
}

// ---------------------------------------------------------------------------
// Reading Terraform values.

/// Reads attributes of an object value. Null, unknown and absent values all
/// read as `None`.
#[derive(Clone, Copy, Debug)]
pub struct Reader<'a>(pub &'a Value);

impl<'a> Reader<'a> {
    /// The raw value of attribute `name` (null when absent).
    pub fn raw(&self, name: &str) -> &'a Value {
        self.0.attr(name)
    }

    /// A string.
    pub fn str(&self, name: &str) -> Option<String> {
        self.raw(name).as_str().map(str::to_string)
    }

    /// A secret string.
    pub fn secret(&self, name: &str) -> Option<Secret> {
        self.raw(name).as_str().map(Secret::new)
    }

    /// A bool.
    pub fn bool(&self, name: &str) -> Option<bool> {
        self.raw(name).as_bool()
    }

    /// A TCP port (out-of-range numbers read as `None`; validation reports them).
    pub fn port(&self, name: &str) -> Option<u16> {
        self.raw(name)
            .as_i64()
            .and_then(|n| u16::try_from(n).ok())
            .filter(|p| *p > 0)
    }

    /// A list of strings (unknown or null elements are left out).
    pub fn strings(&self, name: &str) -> Option<Vec<String>> {
        self.raw(name).as_list().map(|l| {
            l.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
    }

    /// A nested object, when it is set.
    pub fn obj(&self, name: &str) -> Option<Reader<'a>> {
        let v = self.raw(name);
        matches!(v, Value::Object(_)).then_some(Reader(v))
    }

    /// A nested object, or an empty reader (every attribute null).
    pub fn nested(&self, name: &str) -> Reader<'a> {
        Reader(self.raw(name))
    }
}

// ---------------------------------------------------------------------------
// Writing Terraform values.

/// A string value or null.
pub fn s(v: &Option<String>) -> Value {
    Value::opt_string(v.clone())
}

/// A bool value or null.
pub fn b(v: Option<bool>) -> Value {
    v.map_or(Value::Null, Value::Bool)
}

/// A port value or null.
pub fn port(v: Option<u16>) -> Value {
    v.map_or(Value::Null, |p| Value::int(i64::from(p)))
}

/// A secret from Immuta's answer: a redacted one takes the prior value.
pub fn secret(v: &Option<Secret>, prior: &Value) -> Value {
    match v {
        None => Value::Null,
        Some(s) if s.is_redacted() => match prior {
            Value::String(_) => prior.clone(),
            _ => Value::Null,
        },
        Some(s) => Value::string(s.expose()),
    }
}

/// A list of strings or null.
pub fn strings(v: &Option<Vec<String>>) -> Value {
    v.as_ref().map_or(Value::Null, |l| {
        Value::List(l.iter().map(|s| Value::string(s.clone())).collect())
    })
}

/// An object value from `(name, value)` pairs.
pub fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::Object(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

// ---------------------------------------------------------------------------
// Validation.

/// Checks one object's attributes, reporting errors under its path.
pub struct Check<'a> {
    obj: &'a Value,
    path: AttributePath,
    diags: &'a mut Diagnostics,
}

/// The message of a validation error: `path: what`.
fn message(path: &AttributePath, what: &str) -> String {
    format!("{path}: {what}")
}

impl<'a> Check<'a> {
    /// Checks `obj`, found at `path`.
    pub fn new(obj: &'a Value, path: AttributePath, diags: &'a mut Diagnostics) -> Self {
        Check { obj, path, diags }
    }

    /// The path of attribute `name`.
    pub fn path_of(&self, name: &str) -> AttributePath {
        self.path.clone().attr(name)
    }

    /// The value of attribute `name`.
    pub fn value(&self, name: &str) -> &'a Value {
        self.obj.attr(name)
    }

    /// A known string value.
    pub fn str(&self, name: &str) -> Option<&'a str> {
        self.value(name).as_str()
    }

    /// Reports an error about attribute `name`.
    pub fn error(&mut self, name: &str, what: impl AsRef<str>) {
        let path = self.path_of(name);
        self.error_at(path, what);
    }

    /// Reports an error about `path`.
    pub fn error_at(&mut self, path: AttributePath, what: impl AsRef<str>) {
        let summary = message(&path, what.as_ref());
        self.diags.attribute_error(
            path,
            summary,
            "Fix this value in the integration's configuration. Nothing was sent to Immuta.",
        );
    }

    /// Reports a warning about attribute `name`.
    pub fn warning(&mut self, name: &str, what: impl AsRef<str>) {
        let path = self.path_of(name);
        let summary = message(&path, what.as_ref());
        self.diags.attribute_warning(path, summary, "");
    }

    /// `name` must be set (to a non-empty string when it is a string).
    pub fn required(&mut self, name: &str, why: &str) {
        match self.value(name) {
            Value::Null => self.error(name, format!("required{why}, expected a value, got none")),
            Value::String(s) if s.trim().is_empty() => {
                self.error(name, format!("expected a non-empty string{why}, got \"\""))
            }
            _ => {}
        }
    }

    /// Each of `names` must be set.
    pub fn required_all(&mut self, names: &[&str], why: &str) {
        for n in names {
            self.required(n, why);
        }
    }

    /// `name`, when set, must not be an empty string.
    pub fn not_empty(&mut self, name: &str) {
        if let Some("") = self.str(name) {
            self.error(name, "expected a non-empty string, got \"\"");
        }
    }

    /// `name` must not be set.
    pub fn forbidden(&mut self, name: &str, why: &str) {
        if !self.value(name).is_null() {
            self.error(name, format!("expected no value{why}, got one"));
        }
    }

    /// `name`, when known, must be one of `allowed`. Returns the known value.
    pub fn one_of(&mut self, name: &str, allowed: &[&str]) -> Option<&'a str> {
        let v = self.str(name)?;
        if allowed.contains(&v) {
            Some(v)
        } else {
            let list: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
            self.error(
                name,
                format!("expected one of {}, got \"{v}\"", list.join(", ")),
            );
            None
        }
    }

    /// `name`, when known, must be a port from 1 to 65535.
    pub fn port(&mut self, name: &str) {
        let v = self.value(name);
        if let Value::Number(n) = v {
            if !n.as_i64().is_some_and(|p| (1..=65535).contains(&p)) {
                self.error(name, format!("expected a port from 1 to 65535, got {n}"));
            }
        }
    }

    /// Checks the nested object `name` (when set) with `f`.
    pub fn nested(&mut self, name: &str, f: impl FnOnce(&mut Check<'_>)) {
        let v = self.value(name);
        if matches!(v, Value::Object(_)) {
            let mut inner = Check::new(v, self.path_of(name), self.diags);
            f(&mut inner);
        }
    }

    /// `authentication_type` is required and one of `allowed`; returns it when known.
    pub fn authentication_type(&mut self, allowed: &[&str]) -> Option<&'a str> {
        if self.value("authentication_type").is_null() {
            let list: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
            self.error(
                "authentication_type",
                format!("required, expected one of {}, got none", list.join(", ")),
            );
            return None;
        }
        self.one_of("authentication_type", allowed)
    }
}

/// The `why` text for a requirement of an authentication type.
pub fn with_auth(auth: &str) -> String {
    format!(" when authentication_type is \"{auth}\"")
}

/// Whether `s` looks like an IAM role ARN: `arn:<partition>:iam::<account>:role/<name>`.
pub fn is_role_arn(s: &str) -> bool {
    let mut parts = s.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    partition.starts_with("aws")
        && !account.is_empty()
        && account.chars().all(|c| c.is_ascii_digit())
        && resource
            .strip_prefix("role/")
            .is_some_and(|name| !name.is_empty())
}

// ---------------------------------------------------------------------------
// Shared nested attributes: schema, converters, checks.

/// What leaving a setting with a documented default unset means, in
/// `form`: `default` is Immuta's default ("Immuta's default ...").
pub fn when_unset(form: Form, default: &str) -> String {
    match form {
        Form::Resource => format!(
            "Left unset, {default} is planned and sent, so a change made outside Terraform shows \
             as drift and the next apply puts the default back."
        ),
        Form::DataSource => format!("Left unset, {default} applies."),
    }
}

/// What leaving a value Immuta chooses unset means, in `form`.
pub fn chosen_when_unset(form: Form, what: &str) -> String {
    match form {
        Form::Resource => format!(
            "Left unset, Immuta chooses {what} (known after apply) and Terraform keeps what \
             Immuta reports: Immuta documents no default, so a change made outside Terraform is \
             read, not reverted. Set it to manage it."
        ),
        Form::DataSource => format!("Left unset, Immuta chooses {what}."),
    }
}

/// `{ enabled }`: optional and computed (Immuta defaults it to disabled).
pub fn toggle_attribute(form: Form, name: &str, what: &str) -> Attribute {
    Attribute::single_nested(
        name,
        vec![Attribute::bool("enabled")
            .optional()
            .computed()
            .description(format!(
                "Turns {} on (`true`) or off (`false`). Immuta's default: `false`.",
                what.to_lowercase()
            ))],
    )
    .optional()
    .computed()
    .description(format!(
        "{what}. {}",
        when_unset(form, "Immuta's default `{ enabled = false }`")
    ))
}

/// A toggle's API form.
pub fn toggle_to(r: Option<Reader<'_>>) -> Option<Toggle> {
    r.map(|r| Toggle {
        enabled: r.bool("enabled"),
        ..Default::default()
    })
}

/// A toggle's Terraform form.
pub fn toggle_from(t: &Option<Toggle>) -> Value {
    t.as_ref()
        .map_or(Value::Null, |t| obj([("enabled", b(t.enabled))]))
}

/// `{ enabled, role }`: user impersonation.
pub fn impersonation_attribute(form: Form) -> Attribute {
    Attribute::single_nested(
        "impersonation",
        vec![
            Attribute::bool("enabled")
                .optional()
                .computed()
                .description(
                    "Turns user impersonation on (`true`) or off (`false`). Immuta's default: \
                     `false`.",
                ),
            Attribute::string("role")
                .optional()
                .computed()
                .description(format!(
                "The role Immuta creates for impersonation. Only allowed with `enabled = true`. \
                 {}",
                chosen_when_unset(form, "its name")
            )),
        ],
    )
    .optional()
    .computed()
    .description(format!(
        "User impersonation. {}",
        when_unset(form, "Immuta's default `{ enabled = false }`")
    ))
}

/// Impersonation's API form.
pub fn impersonation_to(r: Option<Reader<'_>>) -> Option<Impersonation> {
    r.map(|r| Impersonation {
        enabled: r.bool("enabled"),
        role: r.str("role"),
        ..Default::default()
    })
}

/// Impersonation's Terraform form.
pub fn impersonation_from(i: &Option<Impersonation>) -> Value {
    i.as_ref().map_or(Value::Null, |i| {
        obj([("enabled", b(i.enabled)), ("role", s(&i.role))])
    })
}

/// Checks impersonation: a role only when enabled.
pub fn impersonation_check(c: &mut Check<'_>) {
    c.nested("impersonation", |i| {
        i.not_empty("role");
        if i.value("role").is_null() {
            return;
        }
        match i.value("enabled") {
            Value::Bool(false) => {
                i.error("role", "expected no value when enabled is false, got one")
            }
            // Unset, `enabled` is Immuta's default, false.
            Value::Null => i.error(
                "role",
                "expected no value unless enabled is true (Immuta's default is false), got one",
            ),
            _ => {}
        }
    });
}

/// OAuth client-credentials settings, shared by Snowflake and Databricks:
/// the same schema for both, described for `platform` (only Snowflake
/// needs `authority_url`, see [`oauth_check`]).
pub fn oauth_attribute(platform: Platform, form: Form) -> Attribute {
    let (auth, authority_url) = match platform {
        Platform::Snowflake => (
            "oAuthClientCredentials",
            "The URL of the identity provider's OAuth token endpoint, where Immuta exchanges \
             the client credentials for an access token, e.g. \
             `https://example.okta.com/oauth2/default/v1/token`. Must be set.",
        ),
        _ => (
            "oAuthM2M",
            "The URL of the OAuth token endpoint where Immuta exchanges the client credentials \
             for an access token. For a Databricks service principal with an OAuth secret, the \
             workspace's own endpoint: `https://<workspace_url>/oidc/v1/token`.",
        ),
    };
    Attribute::single_nested(
        "oauth_client_config",
        vec![
            Attribute::string("provider")
                .optional()
                .description("The identity provider, e.g. `Okta`."),
            Attribute::string("client_id")
                .optional()
                .description("The OAuth client id. Must be set."),
            Attribute::string("client_secret")
                .optional()
                .sensitive()
                .description(secret_description(
                    form,
                    "The OAuth client secret. Must be set unless `use_certificate = true`, and \
                     left unset then.",
                )),
            Attribute::string("authority_url")
                .optional()
                .description(authority_url),
            Attribute::string("scope")
                .optional()
                .description("The OAuth scope requested."),
            Attribute::string("resource")
                .optional()
                .description("The resource the access token is requested for."),
            Attribute::bool("use_certificate").optional().description(
                "Authenticate with a certificate (`public_certificate_thumbprint`, \
                 `oauth_private_key`) instead of a client secret.",
            ),
            Attribute::string("public_certificate_thumbprint")
                .optional()
                .description(
                    "The thumbprint of the public certificate. Must be set with \
                     `use_certificate = true`.",
                ),
            Attribute::string("oauth_private_key")
                .optional()
                .sensitive()
                .description(secret_description(
                    form,
                    "The private key of the certificate. Must be set with \
                     `use_certificate = true`.",
                )),
        ],
    )
    .optional()
    .description(format!(
        "OAuth client-credentials settings. {}",
        only_with_auth(auth)
    ))
}

/// OAuth settings' API form.
pub fn oauth_to(r: Option<Reader<'_>>) -> Option<OAuthClientConfig> {
    r.map(|r| OAuthClientConfig {
        provider: r.str("provider"),
        client_id: r.str("client_id"),
        client_secret: r.secret("client_secret"),
        authority_url: r.str("authority_url"),
        scope: r.str("scope"),
        resource: r.str("resource"),
        use_certificate: r.bool("use_certificate"),
        public_certificate_thumbprint: r.str("public_certificate_thumbprint"),
        oauth_private_key: r.secret("oauth_private_key"),
        ..Default::default()
    })
}

/// OAuth settings' Terraform form.
pub fn oauth_from(o: &Option<OAuthClientConfig>, prior: Reader<'_>) -> Value {
    o.as_ref().map_or(Value::Null, |o| {
        obj([
            ("provider", s(&o.provider)),
            ("client_id", s(&o.client_id)),
            (
                "client_secret",
                secret(&o.client_secret, prior.raw("client_secret")),
            ),
            ("authority_url", s(&o.authority_url)),
            ("scope", s(&o.scope)),
            ("resource", s(&o.resource)),
            ("use_certificate", b(o.use_certificate)),
            (
                "public_certificate_thumbprint",
                s(&o.public_certificate_thumbprint),
            ),
            (
                "oauth_private_key",
                secret(&o.oauth_private_key, prior.raw("oauth_private_key")),
            ),
        ])
    })
}

/// Checks OAuth settings: a client id, and a secret or a certificate.
pub fn oauth_check(c: &mut Check<'_>, auth: &str, needs_authority_url: bool) {
    if c.value("oauth_client_config").is_null() {
        c.error(
            "oauth_client_config",
            format!("required{}, expected an object, got none", with_auth(auth)),
        );
        return;
    }
    c.nested("oauth_client_config", |o| {
        o.required("client_id", "");
        if needs_authority_url {
            o.required("authority_url", "");
        }
        match o.value("use_certificate") {
            Value::Bool(true) => {
                o.required_all(
                    &["public_certificate_thumbprint", "oauth_private_key"],
                    " when use_certificate is true",
                );
                o.forbidden("client_secret", " when use_certificate is true");
            }
            Value::Unknown => {}
            _ => o.required("client_secret", " unless use_certificate is true"),
        }
    });
}

/// Snowflake key-pair authentication's private key.
pub fn private_key_attribute(form: Form) -> Attribute {
    Attribute::single_nested(
        "private_key",
        vec![
            Attribute::string("key_name")
                .optional()
                .computed()
                .description(format!(
                    "The key's name. {}",
                    when_unset(form, "Immuta's default `PRIV_KEY_FILE`")
                )),
            Attribute::string("user_filename")
                .optional()
                .description("The file name the key came from."),
            Attribute::string("content")
                .optional()
                .sensitive()
                .description(secret_description(
                    form,
                    "The key, PEM-encoded. Must be set.",
                )),
        ],
    )
    .optional()
    .description(format!(
        "The system account's private key. {}",
        only_with_auth("keyPair")
    ))
}

/// A private key's API form.
pub fn private_key_to(r: Option<Reader<'_>>) -> Option<PrivateKey> {
    r.map(|r| PrivateKey {
        key_name: r.str("key_name"),
        user_filename: r.str("user_filename"),
        content: r.secret("content"),
        ..Default::default()
    })
}

/// A private key's Terraform form.
pub fn private_key_from(k: &Option<PrivateKey>, prior: Reader<'_>) -> Value {
    k.as_ref().map_or(Value::Null, |k| {
        obj([
            ("key_name", s(&k.key_name)),
            ("user_filename", s(&k.user_filename)),
            ("content", secret(&k.content, prior.raw("content"))),
        ])
    })
}

/// Redshift's Okta settings.
pub fn okta_attribute(form: Form) -> Attribute {
    Attribute::single_nested(
        "okta",
        vec![
            Attribute::string("username")
                .optional()
                .description(redacted_description(
                    form,
                    "The Okta user name. Must be set.",
                )),
            Attribute::string("password")
                .optional()
                .sensitive()
                .description(secret_description(form, "The Okta password. Must be set.")),
            Attribute::string("app_id")
                .optional()
                .description("The Okta application id. Must be set."),
            Attribute::string("idp_host")
                .optional()
                .description("The Okta identity provider host. Must be set."),
            Attribute::string("role")
                .optional()
                .description("The role to assume. Must be set."),
        ],
    )
    .optional()
    .description(format!("Okta settings. {}", only_with_auth("okta")))
}

/// Okta settings' API form.
pub fn okta_to(r: Option<Reader<'_>>) -> Option<OktaConfig> {
    r.map(|r| OktaConfig {
        username: r.secret("username"),
        password: r.secret("password"),
        app_id: r.str("app_id"),
        idp_host: r.str("idp_host"),
        role: r.str("role"),
        ..Default::default()
    })
}

/// Okta settings' Terraform form.
pub fn okta_from(o: &Option<OktaConfig>, prior: Reader<'_>) -> Value {
    o.as_ref().map_or(Value::Null, |o| {
        obj([
            ("username", secret(&o.username, prior.raw("username"))),
            ("password", secret(&o.password, prior.raw("password"))),
            ("app_id", s(&o.app_id)),
            ("idp_host", s(&o.idp_host)),
            ("role", s(&o.role)),
        ])
    })
}

/// The requirement of an attribute that goes with one authentication type.
pub fn only_with_auth(auth: &str) -> String {
    format!("Must be set with `authentication_type = \"{auth}\"` and left unset otherwise.")
}

/// The description of a secret attribute Immuta never returns (its
/// sensitivity shows in the schema, so the text does not repeat it).
pub fn secret_description(form: Form, what: &str) -> String {
    match form {
        Form::Resource => format!(
            "{what} Immuta never returns it: Terraform keeps the value it last sent, so a change \
             made outside Terraform is not seen, and after an import it is unknown, so a \
             configuration that sets it plans one in-place update (never a replacement)."
        ),
        Form::DataSource => what.to_string(),
    }
}

/// The attributes that are not secret but that Immuta answers
/// `<REDACTED>` for in every GET (the user names): a read never learns
/// them, so the data sources leave them out.
pub const REDACTED_BY_IMMUTA: &[&str] = &["username"];

/// Whether Immuta redacts the attribute `name` in every answer.
pub fn is_redacted_by_immuta(name: &str) -> bool {
    REDACTED_BY_IMMUTA.contains(&name)
}

/// The description of a user name Immuta redacts (it is not sensitive).
/// Only attributes named in [`REDACTED_BY_IMMUTA`] take it.
pub fn redacted_description(form: Form, what: &str) -> String {
    match form {
        Form::Resource => format!(
            "{what} Immuta answers `<REDACTED>` for it: Terraform keeps the value it last sent, \
             and after an import a configuration that sets it plans one in-place update."
        ),
        Form::DataSource => what.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_attributes_described_as_redacted_are_the_ones_listed() {
        fn walk(attrs: &[Attribute], found: &mut Vec<(String, bool)>) {
            for a in attrs {
                let described = a
                    .description
                    .as_deref()
                    .is_some_and(|d| d.contains("Immuta answers `<REDACTED>` for it"));
                found.push((a.name.clone(), described));
                if let Some(inner) = a.nested_attributes() {
                    walk(inner, found);
                }
            }
        }
        let mut found = Vec::new();
        for p in Platform::ALL {
            walk(p.nested_attributes().as_slice(), &mut found);
        }
        let described: Vec<_> = found.iter().filter(|(_, d)| *d).collect();
        assert!(!described.is_empty());
        for (name, is_described) in &found {
            assert_eq!(*is_described, is_redacted_by_immuta(name), "{name}");
        }
    }

    #[test]
    fn every_platform_round_trips_its_type() {
        for p in Platform::ALL {
            assert_eq!(Platform::from_type(&p.integration_type()), Some(p));
            assert_eq!(p.attribute().name, p.block_name());
        }
        assert_eq!(
            Platform::from_type(&IntegrationType::Other("x".into())),
            None
        );
    }

    /// Every description inside a type attribute, with its path.
    fn descriptions(prefix: &str, attrs: &[Attribute], out: &mut Vec<(String, String)>) {
        for a in attrs {
            let path = format!("{prefix}.{}", a.name);
            out.push((path.clone(), a.description.clone().unwrap_or_default()));
            if let Some(inner) = a.nested_attributes() {
                descriptions(&path, inner, out);
            }
        }
    }

    fn all_descriptions(form: Form) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for p in Platform::ALL {
            let a = match form {
                Form::Resource => p.resource_attribute(),
                Form::DataSource => p.attribute_in(form),
            };
            descriptions(
                p.block_name(),
                a.nested_attributes().unwrap_or_default(),
                &mut out,
            );
        }
        out
    }

    #[test]
    fn descriptions_agree_with_the_schema_around_them() {
        for form in [Form::Resource, Form::DataSource] {
            for (path, d) in all_descriptions(form) {
                assert!(!d.is_empty(), "{path} has no description");
                // Every nested attribute is optional or computed in the
                // schema: a description never says "Required." (the
                // provider checks what must be set, see `validate`), and
                // the schema already says "Sensitive".
                assert!(!d.contains("Required."), "{path}: {d}");
                assert!(!d.contains("Sensitive"), "{path}: {d}");
                if path.starts_with("databricks.") {
                    assert!(!d.contains("Snowflake"), "{path}: {d}");
                }
                if form == Form::DataSource {
                    // Nothing of state, imports or plans in a data source.
                    for word in ["import", "planned", "Terraform keeps", "_wo"] {
                        assert!(!d.contains(word), "{path}: {d}");
                    }
                }
            }
        }
        // The schema itself is the same in both forms.
        for p in Platform::ALL {
            assert_eq!(
                p.attribute().value_type(),
                p.attribute_in(Form::DataSource).value_type()
            );
        }
    }

    #[test]
    fn oauth_descriptions_follow_the_platform() {
        let authority = |p: Platform| {
            let a = oauth_attribute(p, Form::Resource);
            let inner = a.nested_attributes().unwrap_or_default();
            inner
                .iter()
                .find(|a| a.name == "authority_url")
                .and_then(|a| a.description.clone())
                .unwrap_or_default()
        };
        assert!(authority(Platform::Snowflake).ends_with("Must be set."));
        assert!(!authority(Platform::Databricks).contains("Must be set"));
        assert_eq!(
            oauth_attribute(Platform::Snowflake, Form::Resource).value_type(),
            oauth_attribute(Platform::Databricks, Form::Resource).value_type()
        );
    }

    #[test]
    fn role_arns() {
        assert!(is_role_arn(
            "arn:aws:iam::123456789:role/access-grants-instance-role"
        ));
        assert!(is_role_arn("arn:aws-us-gov:iam::1:role/a/b"));
        for bad in [
            "",
            "arn:aws:iam::123:user/x",
            "arn:aws:iam::abc:role/x",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::123:role/",
            "role/x",
        ] {
            assert!(!is_role_arn(bad), "{bad}");
        }
    }

    #[test]
    fn redacted_secrets_take_the_prior_value() {
        let red = Some(Secret::redacted());
        assert_eq!(secret(&red, &Value::from("p")), Value::from("p"));
        assert_eq!(secret(&red, &Value::Null), Value::Null);
        assert_eq!(
            secret(&Some(Secret::new("REDACTED")), &Value::Null),
            Value::Null
        );
        assert_eq!(
            secret(&Some(Secret::new("new")), &Value::from("p")),
            Value::from("new")
        );
        assert_eq!(secret(&None, &Value::from("p")), Value::Null);
    }

    #[test]
    fn check_messages_name_the_path_and_expectation() {
        let v = obj([
            ("authentication_type", Value::from("foo")),
            ("port", Value::int(70000)),
            ("host", Value::Null),
            ("later", Value::Unknown),
        ]);
        let mut d = Diagnostics::new();
        let mut c = Check::new(&v, AttributePath::new("snowflake"), &mut d);
        assert_eq!(c.authentication_type(snowflake::AUTH_TYPES), None);
        c.port("port");
        c.required("host", "");
        c.required("later", "");
        let msgs: Vec<String> = d.iter().map(|d| d.summary.clone()).collect();
        assert_eq!(
            msgs,
            [
                "snowflake.authentication_type: expected one of \"userPassword\", \"keyPair\", \
                 \"oAuthClientCredentials\", got \"foo\"",
                "snowflake.port: expected a port from 1 to 65535, got 70000",
                "snowflake.host: required, expected a value, got none",
            ]
        );
        assert_eq!(
            d.iter().next().unwrap().attribute,
            Some(AttributePath::new("snowflake").attr("authentication_type"))
        );
    }
}
