//! The seven integration types ("platforms"): for each, the schema of its
//! nested attribute (`snowflake = { ... }`), the checks of its values, and
//! the converters between Terraform values and `immuta-api`'s typed configs.
//!
//! Each type is one file holding one table, an implementation of
//! [`PlatformSpec`]; the registry [`Platform::ALL`] lists them, and
//! everything else (the resource's schema, the type lists in descriptions,
//! `validate_config`, the data sources, `adopt`) iterates over it. A
//! [`Platform`] is a handle to one entry, with the methods every type shares
//! built on its table.
//!
//! Terraform names are snake_case; each type's block struct
//! (`SnowflakeBlock`...) names every attribute once, as a field, and its
//! converter pair maps the fields to the camelCase API fields of
//! `immuta-api`'s typed configs, never through hand-built JSON (see
//! [`block`]).
//!
//! Conventions of every converter pair:
//! - `to_config(&block)`: unset (null) and not-yet-known values are left
//!   out, so a request never carries a field the user did not set.
//! - `from_config(&config, prior)`: Immuta's `<REDACTED>` placeholder is
//!   replaced by the value at the same place in `prior` (state or plan), or
//!   null when there is none (after an import). `<REDACTED>` never reaches
//!   state.
//!
//! # Layout
//!
//! - one file per type: `snowflake`, `databricks`, `bigquery`, `redshift`,
//!   `azure_synapse`, `s3`, `trino`;
//! - [`block`]: block structs read from and written to Terraform values,
//!   and the field helpers their converters share;
//! - [`check`]: [`Check`], the checks of one object's attributes;
//! - [`shared`]: nested attributes several types share (schema, block
//!   structs, converters, checks), and description texts;
//! - [`defaults`]: documented defaults, values Immuta chooses, tolerant reading;
//! - [`write_only`]: for the resource only ([`Platform::resource_attribute`]),
//!   a write-only twin `<secret>_wo` and a `<secret>_wo_version` for every
//!   secret, with their checks and the merging of twins into request bodies.

pub mod azure_synapse;
pub mod bigquery;
pub mod block;
pub mod check;
pub mod databricks;
pub mod defaults;
pub mod redshift;
pub mod s3;
pub mod shared;
pub mod snowflake;
pub mod trino;
pub mod write_only;

pub use check::{is_role_arn, with_auth, Check};
pub use defaults::DocumentedDefault;
pub use shared::*;

use crate::framework::{Attribute, AttributePath, Diagnostics, Type, Value};
use immuta_api::{DeleteCredentials, IntegrationConfig, IntegrationType};
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

/// The table of one integration type: everything the provider knows about
/// it, in one place. One unit struct per type file implements it; the
/// registry [`Platform::ALL`] lists them.
pub trait PlatformSpec: Sync {
    /// The nested attribute's name (`snowflake`).
    fn block_name(&self) -> &'static str;

    /// Immuta's `type`.
    fn integration_type(&self) -> IntegrationType;

    /// How descriptions name it: "a Snowflake integration".
    fn described_as(&self) -> &'static str;

    /// How lists of types name it: "Snowflake", "Starburst (Trino)".
    fn product_name(&self) -> &'static str;

    /// The attributes inside its nested attribute, described for `form`.
    fn attributes(&self, form: Form) -> Vec<Attribute>;

    /// The `authentication_type` values it accepts (none: it has no such
    /// attribute).
    fn authentication_types(&self) -> &'static [&'static str] {
        &[]
    }

    /// Checks the block's values (unknown values are skipped).
    fn validate(&self, _c: &mut Check<'_>, _auto_bootstrap: Option<bool>) {}

    /// The API config of a block (read with [`block::read`] into its block
    /// struct, then converted); `None` when its requests carry no config.
    fn to_config(&self, block: &Value) -> Option<IntegrationConfig>;

    /// The block's value from an API config (converted into its block
    /// struct, secrets Immuta redacts taken from `prior`, then written with
    /// [`block::write`] as a value of type `ty`); `None` when `config` is
    /// absent or of another type.
    fn block_from_config(
        &self,
        config: Option<&IntegrationConfig>,
        prior: &Value,
        ty: &Type,
    ) -> Option<Value>;

    /// Immuta's documented defaults inside the block (see [`defaults`]).
    fn documented_defaults(&self) -> &'static [DocumentedDefault] {
        &[]
    }

    /// The values Immuta chooses when the configuration leaves them unset.
    fn chosen_by_immuta(&self) -> &'static [&'static [&'static str]] {
        &[]
    }

    /// The privileged credentials of a block, for a DELETE that needs them;
    /// `None` for a type whose DELETE takes none.
    fn delete_credentials(&self, _block: &Value) -> Option<DeleteCredentials> {
        None
    }
}

/// One integration type: a handle to its entry in the registry.
#[derive(Clone, Copy)]
pub struct Platform(&'static dyn PlatformSpec);

impl PartialEq for Platform {
    fn eq(&self, other: &Self) -> bool {
        self.block_name() == other.block_name()
    }
}

impl Eq for Platform {}

impl std::hash::Hash for Platform {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.block_name().hash(state);
    }
}

impl std::fmt::Debug for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Platform({})", self.block_name())
    }
}

/// See `Platform::derived`.
struct Derived {
    /// Its block with every attribute null.
    null: Value,
    /// The type of its block (without write-only twins).
    ty: Type,
    /// The paths of its secrets that have write-only twins.
    secrets: Vec<Vec<String>>,
}

impl Platform {
    /// `snowflake`.
    pub const SNOWFLAKE: Platform = Platform(&snowflake::Snowflake);
    /// `databricks` (Unity Catalog).
    pub const DATABRICKS: Platform = Platform(&databricks::Databricks);
    /// `bigquery` (Google BigQuery).
    pub const BIGQUERY: Platform = Platform(&bigquery::BigQuery);
    /// `redshift`.
    pub const REDSHIFT: Platform = Platform(&redshift::Redshift);
    /// `azure_synapse` (Azure Synapse Analytics).
    pub const AZURE_SYNAPSE: Platform = Platform(&azure_synapse::AzureSynapse);
    /// `s3` (Immuta's "Native S3").
    pub const S3: Platform = Platform(&s3::S3);
    /// `trino` (Starburst).
    pub const TRINO: Platform = Platform(&trino::Trino);

    /// The registry: every integration type, in schema order.
    pub const ALL: [Platform; 7] = [
        Platform::SNOWFLAKE,
        Platform::DATABRICKS,
        Platform::BIGQUERY,
        Platform::REDSHIFT,
        Platform::AZURE_SYNAPSE,
        Platform::S3,
        Platform::TRINO,
    ];

    /// Its table.
    pub fn spec(self) -> &'static dyn PlatformSpec {
        self.0
    }

    /// The nested attribute's name.
    pub fn block_name(self) -> &'static str {
        self.0.block_name()
    }

    /// Immuta's `type`.
    pub fn integration_type(self) -> IntegrationType {
        self.0.integration_type()
    }

    /// The platform of an Immuta type; `None` for a type this provider does not know.
    pub fn from_type(ty: &IntegrationType) -> Option<Platform> {
        Platform::ALL
            .into_iter()
            .find(|p| &p.integration_type() == ty)
    }

    /// The platforms, in registry order, for which `f` holds.
    pub fn all_where(f: impl Fn(Platform) -> bool) -> Vec<Platform> {
        Platform::ALL.into_iter().filter(|p| f(*p)).collect()
    }

    /// How lists of types name it.
    pub fn product_name(self) -> &'static str {
        self.0.product_name()
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
                        ty: attribute.value_type(),
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
        self.0.attributes(Form::Resource)
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
        // Optional and computed, though never computed: Terraform before 1.1
        // crashes proposing a new value for a set, non-computed nested
        // attribute whose prior value is null. The plan sets it to the
        // configuration (null when unset), with prior computed values kept.
        Attribute::single_nested(self.block_name(), self.0.attributes(form))
            .optional()
            .computed()
            .description(format!(
                "Settings of {}. Exactly one integration type attribute must be set; \
                 changing the type replaces the integration.",
                self.0.described_as()
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
        self.0.authentication_types()
    }

    /// Checks the block's values (unknown values are skipped). Every
    /// error names its attribute path.
    pub fn validate(self, block: &Value, auto_bootstrap: Option<bool>, diags: &mut Diagnostics) {
        let mut c = Check::new(block, self.path(), diags);
        self.0.validate(&mut c, auto_bootstrap);
    }

    /// The API config of a block; `None` for Trino, whose requests carry no config.
    pub fn to_config(self, block: &Value) -> Option<IntegrationConfig> {
        self.0.to_config(block)
    }

    /// The block's value from an API config, read tolerantly against
    /// `prior` (the block's previous value, or null): see
    /// [`defaults::reconcile`]; values still unknown then take their
    /// documented default.
    pub fn from_config(self, config: Option<&IntegrationConfig>, prior: &Value) -> Value {
        // No config, or one of another shape: an all-null object.
        let mut v = self
            .0
            .block_from_config(config, prior, &self.derived().ty)
            .unwrap_or_else(|| self.null_block());
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
        self.0.delete_credentials(block)
    }

    /// Immuta's documented defaults inside this type attribute.
    pub fn documented_defaults(self) -> &'static [DocumentedDefault] {
        self.0.documented_defaults()
    }

    /// The values Immuta chooses when the configuration leaves them unset.
    pub fn chosen_by_immuta(self) -> &'static [&'static [&'static str]] {
        self.0.chosen_by_immuta()
    }
}

/// Names in prose: "a and b", "a, b or c" (`last` is the last joining word).
pub fn list_names(names: &[String], last: &str) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., tail] => format!("{} {last} {tail}", rest.join(", ")),
    }
}

/// An object with every attribute of a nested attribute set to null.
pub fn null_object(attr: &Attribute) -> Value {
    match attr.nested_attributes() {
        Some(attrs) => Value::object(attrs.iter().map(|a| (a.name.clone(), Value::Null))),
        None => Value::Null,
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    /// A type added to `immuta-api` fails here until the registry has its
    /// platform (the crates build without it).
    #[test]
    fn every_type_of_the_api_has_one_platform() {
        for t in IntegrationType::ALL {
            let found: Vec<_> = Platform::ALL
                .into_iter()
                .filter(|p| p.integration_type() == *t)
                .collect();
            assert_eq!(found.len(), 1, "{t}: expected one entry in Platform::ALL");
            assert_eq!(Platform::from_type(t), Some(found[0]));
        }
        assert_eq!(Platform::ALL.len(), IntegrationType::ALL.len());
    }

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
        assert!(authority(Platform::SNOWFLAKE).ends_with("Must be set."));
        assert!(!authority(Platform::DATABRICKS).contains("Must be set"));
        assert_eq!(
            oauth_attribute(Platform::SNOWFLAKE, Form::Resource).value_type(),
            oauth_attribute(Platform::DATABRICKS, Form::Resource).value_type()
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
    fn check_messages_name_the_path_and_expectation() {
        let v = Value::object([
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
