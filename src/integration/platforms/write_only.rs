//! Write-only twins of secrets (Terraform 1.11 and later).
//!
//! Every sensitive, user-set string attribute of a type attribute (at any
//! depth: `password`, `private_key.content`, `oauth_client_config.client_secret`,
//! `okta.password`...) gets two siblings in the resource's schema:
//! - `<secret>_wo`: optional, sensitive, write-only. Terraform sends it at
//!   plan and apply and never stores it;
//! - `<secret>_wo_version`: optional number, stored. The secret is sent to
//!   Immuta on create, on replacement, and on an update only when this
//!   number changed.
//!
//! Setting a secret and its twin together is an error, as is a twin without
//! a version (nothing could trigger its update) or a version without a twin.
//! Data sources keep the plain schema (Terraform only stores managed
//! resources' state).

use super::Platform;
use crate::framework::{Attribute, AttributeKind, AttributePath, Diagnostics, Type, Value};

/// The suffix of a secret's write-only twin.
pub const WO_SUFFIX: &str = "_wo";

/// The suffix of the version attribute that triggers the twin's update.
pub const WO_VERSION_SUFFIX: &str = "_wo_version";

/// The name of `secret`'s write-only twin.
pub fn wo_name(secret: &str) -> String {
    format!("{secret}{WO_SUFFIX}")
}

/// The name of `secret`'s version attribute.
pub fn wo_version_name(secret: &str) -> String {
    format!("{secret}{WO_VERSION_SUFFIX}")
}

/// Whether an attribute gets a write-only twin: a sensitive string the user sets.
fn twinned(a: &Attribute) -> bool {
    a.sensitive
        && a.optional
        && !a.computed
        && !a.write_only
        && matches!(a.kind, AttributeKind::Type(Type::String))
}

/// `attrs` with the twins of each secret inserted after it, at any depth;
/// each secret's description points to its twin.
pub fn add_twins(attrs: Vec<Attribute>) -> Vec<Attribute> {
    let mut out = Vec::with_capacity(attrs.len());
    for mut a in attrs {
        if let AttributeKind::Nested { attributes, .. } = &mut a.kind {
            *attributes = add_twins(std::mem::take(attributes));
        }
        let twin = twinned(&a).then(|| {
            let name = a.name.clone();
            let (wo, ver) = (wo_name(&name), wo_version_name(&name));
            let pointer = format!(
                "On Terraform 1.11 and later, `{wo}` can be set instead; where this must be \
                 set, either one will do."
            );
            a.description = Some(match a.description.take() {
                Some(d) => format!("{d} {pointer}"),
                None => pointer,
            });
            [
                Attribute::string(wo.clone())
                    .optional()
                    .sensitive()
                    .write_only()
                    .description(format!(
                        "Write-only form of `{name}` (Terraform 1.11 and later; recommended): \
                         sent to Immuta, never stored in plan or state. Needs `{ver}`; \
                         conflicts with `{name}`."
                    )),
                Attribute::number(ver).optional().description(format!(
                    "Version of `{wo}`: must be set with it, and only with it. Terraform cannot \
                     see a write-only value change: change this number (e.g. increment it) to \
                     send a new `{wo}` to Immuta, as an in-place update. While it stays the \
                     same, an update of other settings tells Immuta to keep the secret it holds."
                )),
            ]
        });
        out.push(a);
        if let Some(t) = twin {
            out.extend(t);
        }
    }
    out
}

/// The paths (attribute names from the type attribute down) of every
/// secret that has a twin, in schema order.
pub fn secret_paths(attrs: &[Attribute]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for a in attrs {
        if twinned(a) {
            out.push(vec![a.name.clone()]);
        }
        if let Some(inner) = a.nested_attributes() {
            for mut p in secret_paths(inner) {
                p.insert(0, a.name.clone());
                out.push(p);
            }
        }
    }
    out
}

/// The object holding the last step of `path`, when it is an object.
fn parent<'a>(block: &'a Value, path: &[String]) -> Option<&'a Value> {
    let (_, up) = path.split_last()?;
    let mut v = block;
    for step in up {
        v = v.attr(step);
    }
    matches!(v, Value::Object(_)).then_some(v)
}

fn parent_mut<'a>(block: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    let (_, up) = path.split_last()?;
    let mut v = block;
    for step in up {
        v = v.get_attr_mut(step)?;
    }
    matches!(v, Value::Object(_)).then_some(v)
}

fn last(path: &[String]) -> &str {
    path.last().map_or("", String::as_str)
}

fn path_of(base: &AttributePath, path: &[String], name: &str) -> AttributePath {
    let mut p = base.clone();
    if let Some((_, up)) = path.split_last() {
        for step in up {
            p = p.attr(step.clone());
        }
    }
    p.attr(name.to_string())
}

/// The write-only twins of the secrets at `secrets` (paths from the
/// nested attribute at `base` down, as [`secret_paths`] lists them): the
/// checks and conversions every nested attribute with twins shares, the
/// integration types' and `immuta_connection`'s Lake Formation block.
#[derive(Clone, Copy, Debug)]
pub struct Twins<'a> {
    /// The nested attribute's path, for diagnostics.
    pub base: &'a AttributePath,
    /// Its secrets that have twins.
    pub secrets: &'a [Vec<String>],
}

impl Twins<'_> {
    /// Checks the twins of a configured block: a secret and its twin not
    /// both, a twin with its version, a version only with its twin.
    pub fn validate(self, block: &Value, diags: &mut Diagnostics) {
        for path in self.secrets {
            let Some(obj) = parent(block, path) else {
                continue;
            };
            let name = last(path);
            let (wo, ver) = (wo_name(name), wo_version_name(name));
            let plain_p = path_of(self.base, path, name);
            let wo_p = path_of(self.base, path, &wo);
            let ver_p = path_of(self.base, path, &ver);
            let set = |n: &str| !obj.attr(n).is_null();
            if set(name) && set(&wo) {
                diags.attribute_error(
                    wo_p.clone(),
                    format!("{wo_p}: expected only one of {plain_p} and {wo_p}, got both"),
                    format!(
                        "{wo_p} is the write-only form of {plain_p} (never stored in state). \
                         Keep one: {wo_p} is recommended on Terraform 1.11 and later."
                    ),
                );
            }
            if set(&wo) && !set(&ver) {
                diags.attribute_error(
                    ver_p.clone(),
                    format!("{ver_p}: required with {wo_p}, expected a number, got none"),
                    format!(
                        "Terraform never stores {wo_p}, so it cannot see it change: set \
                         {ver_p} (e.g. 1) and change it whenever {wo_p} changes."
                    ),
                );
            }
            if set(&ver) && !set(&wo) {
                diags.attribute_error(
                    ver_p.clone(),
                    format!("{ver_p}: expected no value without {wo_p}, got one"),
                    format!("{ver_p} only versions {wo_p}: set both, or neither."),
                );
            }
        }
    }

    /// Whether any twin is set in a block.
    pub fn uses_write_only(self, block: &Value) -> bool {
        self.secrets.iter().any(|path| {
            parent(block, path).is_some_and(|o| !o.attr(&wo_name(last(path))).is_null())
        })
    }

    /// Whether a block in state had any secret set through its twin (its
    /// version is kept; the value never is).
    pub fn uses_write_only_state(self, block: &Value) -> bool {
        self.secrets.iter().any(|path| {
            parent(block, path).is_some_and(|o| !o.attr(&wo_version_name(last(path))).is_null())
        })
    }

    /// A copy of `block` where each secret set through its twin holds the
    /// twin's value.
    pub fn merge(self, block: &Value) -> Value {
        self.request_block(block, block)
    }

    /// `planned` (which holds no write-only value), where each secret set
    /// through its twin in `config` holds the twin's value.
    pub fn request_block(self, config: &Value, planned: &Value) -> Value {
        let mut out = planned.clone();
        for path in self.secrets {
            let name = last(path).to_string();
            let Some(cfg) = parent(config, path) else {
                continue;
            };
            let wo = cfg.attr(&wo_name(&name)).clone();
            if wo.is_null() {
                continue;
            }
            if let Some(obj) = parent_mut(&mut out, path) {
                obj.set_attr(name, wo);
            }
        }
        out
    }

    /// Sets every twin of a block to null (Terraform never stores them).
    pub fn null_write_only(self, block: &mut Value) {
        for path in self.secrets {
            let name = last(path).to_string();
            if let Some(obj) = parent_mut(block, path) {
                obj.set_attr(wo_name(&name), Value::Null);
            }
        }
    }

    /// Adds the twins to a block built from Immuta's answer: the write-only
    /// value null, the version kept from `prior` (Immuta does not know it).
    pub fn add_write_only_state(self, block: &mut Value, prior: &Value) {
        for path in self.secrets {
            let name = last(path).to_string();
            let ver = wo_version_name(&name);
            let prior_ver = parent(prior, path).map_or(Value::Null, |p| p.attr(&ver).clone());
            if let Some(obj) = parent_mut(block, path) {
                obj.set_attr(wo_name(&name), Value::Null);
                obj.set_attr(ver, prior_ver);
            }
        }
    }
}

impl Platform {
    /// Its nested attribute in the `immuta_integration` resource: [`Platform::attribute`]
    /// with the write-only twins of every secret.
    pub fn resource_attribute(self) -> Attribute {
        let mut a = self.attribute();
        if let AttributeKind::Nested { attributes, .. } = &mut a.kind {
            *attributes = add_twins(std::mem::take(attributes));
        }
        a
    }

    /// The paths of its secrets that have write-only twins.
    pub fn write_only_secrets(self) -> &'static [Vec<String>] {
        &self.derived().secrets
    }

    /// Its twins, with `path` (its block's path) as the base of diagnostics.
    fn twins(self, path: &AttributePath) -> Twins<'_> {
        Twins {
            base: path,
            secrets: self.write_only_secrets(),
        }
    }

    /// Checks the twins of a configured block: a secret and its twin not
    /// both, a twin with its version, a version only with its twin.
    pub fn validate_write_only(self, block: &Value, diags: &mut Diagnostics) {
        self.twins(&self.path()).validate(block, diags);
    }

    /// Whether any twin is set in a block.
    pub fn uses_write_only(self, block: &Value) -> bool {
        self.twins(&self.path()).uses_write_only(block)
    }

    /// Whether a block in state had any secret set through its twin (its
    /// version is kept; the value never is).
    pub fn uses_write_only_state(self, block: &Value) -> bool {
        self.twins(&self.path()).uses_write_only_state(block)
    }

    /// A copy of `block` where each secret set through its twin holds the
    /// twin's value: what a create sends, and what the checks of the type read.
    pub fn merge_write_only(self, block: &Value) -> Value {
        self.twins(&self.path()).merge(block)
    }

    /// The block a create or an update sends: `planned` (which holds no
    /// write-only value), where each secret set through its twin in
    /// `config` holds the twin's value. Terraform hands write-only values to
    /// every plan and apply, so a request always carries the secret itself,
    /// never Immuta's `<REDACTED>` placeholder (which an Immuta may store
    /// literally); a version bump is what makes Terraform plan the update.
    pub fn request_block(self, config: &Value, planned: &Value) -> Value {
        self.twins(&self.path()).request_block(config, planned)
    }

    /// Sets every twin of a block to null (Terraform never stores them).
    pub fn null_write_only(self, block: &mut Value) {
        self.twins(&self.path()).null_write_only(block)
    }

    /// Adds the twins to a block built from Immuta's answer: the write-only
    /// value null, the version kept from `prior` (Immuta does not know it).
    pub fn add_write_only_state(self, block: &mut Value, prior: &Value) {
        self.twins(&self.path()).add_write_only_state(block, prior)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integration::platforms::null_object;

    fn names(p: Platform) -> Vec<String> {
        p.write_only_secrets().iter().map(|p| p.join(".")).collect()
    }

    #[test]
    fn every_secret_of_every_type_has_a_twin() {
        assert_eq!(
            names(Platform::SNOWFLAKE),
            [
                "password",
                "private_key.content",
                "private_key_password",
                "oauth_client_config.client_secret",
                "oauth_client_config.oauth_private_key"
            ]
        );
        assert_eq!(
            names(Platform::DATABRICKS),
            [
                "token",
                "oauth_client_config.client_secret",
                "oauth_client_config.oauth_private_key"
            ]
        );
        assert_eq!(names(Platform::BIGQUERY), ["credential"]);
        assert_eq!(names(Platform::REDSHIFT), ["password", "okta.password"]);
        assert_eq!(names(Platform::AZURE_SYNAPSE), ["password"]);
        assert_eq!(names(Platform::S3), ["aws_secret_access_key"]);
        assert!(
            names(Platform::TRINO).is_empty(),
            "Immuta makes Trino's key"
        );
        let a = Platform::SNOWFLAKE.resource_attribute();
        let inner = a.nested_attributes().unwrap();
        let wo = inner.iter().find(|a| a.name == "password_wo").unwrap();
        assert!(wo.write_only && wo.sensitive && wo.optional && !wo.computed);
        let ver = inner
            .iter()
            .find(|a| a.name == "password_wo_version")
            .unwrap();
        assert!(!ver.write_only && !ver.sensitive && ver.optional);
        let plain = inner.iter().find(|a| a.name == "password").unwrap();
        assert!(plain.description.as_deref().unwrap().ends_with(
            "`password_wo` can be set instead; where this must be set, either one will do."
        ));
        let key = inner.iter().find(|a| a.name == "private_key").unwrap();
        assert!(key
            .nested_attributes()
            .unwrap()
            .iter()
            .any(|a| a.name == "content_wo" && a.write_only));
        // Data sources and the plain attribute keep no twins.
        assert!(Platform::SNOWFLAKE
            .attribute()
            .nested_attributes()
            .unwrap()
            .iter()
            .all(|a| !a.write_only));
    }

    fn s3_block(secret: Option<&str>, wo: Option<&str>, ver: Option<i64>) -> Value {
        let mut v = null_object(&Platform::S3.resource_attribute());
        v.set_attr("aws_secret_access_key", Value::opt_string(secret));
        v.set_attr("aws_secret_access_key_wo", Value::opt_string(wo));
        v.set_attr(
            "aws_secret_access_key_wo_version",
            ver.map_or(Value::Null, Value::int),
        );
        v
    }

    fn check(v: &Value) -> Vec<String> {
        let mut d = Diagnostics::new();
        Platform::S3.validate_write_only(v, &mut d);
        d.iter().map(|d| d.summary.clone()).collect()
    }

    #[test]
    fn twin_rules() {
        assert!(check(&s3_block(Some("a"), None, None)).is_empty());
        assert!(check(&s3_block(None, Some("a"), Some(1))).is_empty());
        assert_eq!(
            check(&s3_block(Some("a"), Some("b"), Some(1))),
            [
                "s3.aws_secret_access_key_wo: expected only one of s3.aws_secret_access_key and \
              s3.aws_secret_access_key_wo, got both"
            ]
        );
        assert_eq!(
            check(&s3_block(None, Some("b"), None)),
            [
                "s3.aws_secret_access_key_wo_version: required with s3.aws_secret_access_key_wo, \
              expected a number, got none"
            ]
        );
        assert_eq!(
            check(&s3_block(Some("a"), None, Some(2))),
            [
                "s3.aws_secret_access_key_wo_version: expected no value without \
              s3.aws_secret_access_key_wo, got one"
            ]
        );
        // Unknown write-only values count as set.
        let mut v = s3_block(None, None, Some(1));
        v.set_attr("aws_secret_access_key_wo", Value::Unknown);
        assert!(check(&v).is_empty());
    }

    #[test]
    fn nested_twin_errors_name_the_nested_path() {
        let mut v = null_object(&Platform::REDSHIFT.resource_attribute());
        v.set_attr(
            "okta",
            Value::object([
                ("password", Value::from("p")),
                ("password_wo", Value::from("q")),
                ("password_wo_version", Value::int(1)),
            ]),
        );
        let mut d = Diagnostics::new();
        Platform::REDSHIFT.validate_write_only(&v, &mut d);
        let first = d.iter().next().unwrap();
        assert_eq!(
            first.attribute,
            Some(
                AttributePath::new("redshift")
                    .attr("okta")
                    .attr("password_wo")
            )
        );
        assert!(first.summary.contains("redshift.okta.password and"));
    }

    #[test]
    fn requests_carry_the_twin_never_a_placeholder() {
        let cfg = s3_block(None, Some("s3cr3t"), Some(1));
        let merged = Platform::S3.merge_write_only(&cfg);
        assert_eq!(
            merged.attr("aws_secret_access_key").as_str(),
            Some("s3cr3t")
        );
        let mut stored = cfg.clone();
        Platform::S3.null_write_only(&mut stored);
        assert!(stored.attr("aws_secret_access_key_wo").is_null());
        assert!(stored.attr("aws_secret_access_key").is_null());
        // The same version (another setting changed): the secret itself.
        let same = Platform::S3.request_block(&cfg, &stored);
        assert_eq!(same.attr("aws_secret_access_key").as_str(), Some("s3cr3t"));
        // A new version sends the new secret.
        let bumped = s3_block(None, Some("n3w"), Some(2));
        let mut planned = bumped.clone();
        Platform::S3.null_write_only(&mut planned);
        let up = Platform::S3.request_block(&bumped, &planned);
        assert_eq!(up.attr("aws_secret_access_key").as_str(), Some("n3w"));
        assert!(up.attr("aws_secret_access_key_wo").is_null());
        // Plain secrets are untouched.
        let plain = s3_block(Some("p"), None, None);
        let up = Platform::S3.request_block(&plain, &plain);
        assert_eq!(up.attr("aws_secret_access_key").as_str(), Some("p"));
    }

    #[test]
    fn state_keeps_the_version_and_never_the_value() {
        let prior = s3_block(None, None, Some(3));
        let mut block = Platform::S3.from_config(None, &Value::Null);
        block.set_attr("name", Value::from("n"));
        Platform::S3.add_write_only_state(&mut block, &prior);
        assert_eq!(
            block.attr("aws_secret_access_key_wo_version").as_i64(),
            Some(3)
        );
        assert!(block.attr("aws_secret_access_key_wo").is_null());
        let attrs = Platform::S3.resource_attribute();
        assert_eq!(
            block.as_map().unwrap().len(),
            attrs.nested_attributes().unwrap().len()
        );
    }
}
