//! `terraform-provider-immuta adopt`: writes the Terraform configuration of
//! a tenant's existing integrations, to bring them under Terraform.
//!
//! For each integration (optionally only some types and statuses) it writes
//! an `immuta_integration` resource, an `import` block, and a variable for
//! each value Immuta never returns: a `sensitive` one per secret (set through
//! its write-only twin `<secret>_wo` with `<secret>_wo_version = 1`, or, for
//! Terraform before 1.11, the plain attribute) and a plain one per user name
//! Immuta answers `<REDACTED>` for.
//!
//! Nothing here lists attributes: the values come from the resource's own
//! reader ([`Platform::from_config`]), the HCL follows the resource's schema
//! ([`Platform::resource_attribute`]), the secrets are the ones with
//! write-only twins ([`Platform::write_only_secrets`]), and the resource's
//! own checks ([`validate_config`]) name any secret Immuta left out of its
//! answer that the configuration still needs.
//!
//! So that the first plan only imports, the import id carries what the
//! configuration sets but Immuta does not return and is no secret (user
//! names, `*_wo_version`): see [`crate::import_id`]. A plain secret cannot be
//! carried, so without write-only twins the first plan also updates each
//! integration that has one, in place, with the secrets from the variables.
//!
//! # Layout
//!
//! - this file: what to adopt ([`Options`]) and the adoption of each
//!   integration ([`render`]);
//! - [`hcl`]: writing the adopted integrations as HCL;
//! - [`command`]: the command line, the fetch from Immuta and the output.

mod command;
mod hcl;

pub use command::{fetch, parse_args, run, AdoptError, Command, USAGE};
use hcl::write_hcl;

use crate::framework::value::ValueMap;
use crate::framework::{Attribute, PathStep, Severity, Value};
use crate::integration::platforms::write_only::{wo_name, wo_version_name};
use crate::integration::platforms::Platform;
use crate::integration::{validate_config, DELETE_CREDENTIALS_ENV};
use immuta_api::{Integration, IntegrationConfig, Secret};
use immuta_client::IntegrationList;
use std::collections::BTreeSet;

/// What stands in the block for a value Immuta did not show.
const HIDDEN: &str = "\u{1}hidden by Immuta\u{1}";
/// The prefix of a reference to a variable, in a block being written.
const VAR_REF: &str = "\u{1}var\u{1}";

/// What to adopt, and how to write it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Only these types (every type when empty).
    pub types: Vec<Platform>,
    /// Only these statuses, as Immuta writes them (every status when empty).
    pub statuses: Vec<String>,
    /// Secrets through their write-only twins (Terraform 1.11 and later).
    pub write_only: bool,
    /// Write a `terraform` block with the versions needed.
    pub terraform_block: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            types: Vec::new(),
            statuses: Vec::new(),
            write_only: true,
            terraform_block: true,
        }
    }
}

/// A variable the written configuration declares, with no default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variable {
    /// Its name (`TF_VAR_<name>` sets it).
    pub name: String,
    /// Whether it holds a secret.
    pub sensitive: bool,
}

/// The written configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Adoption {
    /// The HCL text.
    pub hcl: String,
    /// The ids of the integrations written.
    pub adopted: Vec<String>,
    /// The variables to set.
    pub variables: Vec<Variable>,
    /// What could not be adopted or needs a look, one line each (also in
    /// the HCL as comments).
    pub notes: Vec<String>,
}

/// One integration, ready to write.
struct Adopted {
    name: String,
    id: String,
    platform: Platform,
    status: String,
    auto_bootstrap: Option<bool>,
    /// Top-level settings beside `auto_bootstrap` (`delete_credentials_env`).
    settings: Vec<(String, Value)>,
    /// The type attribute's values; variables as `VAR_REF` strings.
    block: Value,
    /// What the import id carries, as a type attribute object.
    import: Value,
    variables: Vec<Variable>,
    notes: Vec<String>,
}

/// The Terraform configuration of `list`'s integrations that `options` keeps.
pub fn render(list: &IntegrationList, options: &Options) -> Adoption {
    let mut out = Adoption::default();
    for s in &list.skipped {
        out.notes.push(format!(
            "{s}: Immuta's answer could not be read; not adopted"
        ));
    }
    let mut names = BTreeSet::new();
    let mut adopted = Vec::new();
    for i in &list.integrations {
        let Some(platform) = Platform::from_type(&i.integration_type) else {
            out.notes.push(format!(
                "integration {}: type \"{}\" is not known to this provider version; not adopted",
                i.id.as_str(),
                i.integration_type
            ));
            continue;
        };
        if !options.types.is_empty() && !options.types.contains(&platform) {
            continue;
        }
        if !options.statuses.is_empty() && !options.statuses.iter().any(|s| s == i.status.as_str())
        {
            continue;
        }
        let mut name = format!("{}_{}", platform.block_name(), sanitize(i.id.as_str()));
        let base = name.clone();
        let mut n = 2;
        while !names.insert(name.clone()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        adopted.push(adopt(i, platform, name, options.write_only));
    }
    out.hcl = write_hcl(&adopted, options);
    for a in adopted {
        out.adopted.push(a.id);
        out.variables.extend(a.variables);
        out.notes.extend(a.notes);
    }
    out
}

/// A resource name from an id: letters, digits and `_`.
fn sanitize(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// `config` with every string Immuta hid replaced by [`HIDDEN`], so the
/// reader keeps it where it is instead of dropping it.
fn mark_hidden(i: &Integration) -> Option<IntegrationConfig> {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) if Secret::new(s.as_str()).is_redacted() => {
                *s = HIDDEN.to_string()
            }
            serde_json::Value::Object(m) => m.values_mut().for_each(walk),
            serde_json::Value::Array(a) => a.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let c = i.config.as_ref()?;
    let mut json = c.to_value();
    walk(&mut json);
    Some(IntegrationConfig::from_value(&i.integration_type, json).unwrap_or_else(|_| c.clone()))
}

/// The paths of the strings equal to `needle` in an object value.
fn find(v: &Value, needle: &str, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    if let Value::Object(m) = v {
        for (k, x) in m {
            at.push(k.clone());
            match x {
                Value::String(s) if s == needle => out.push(at.clone()),
                _ => find(x, needle, at, out),
            }
            at.pop();
        }
    }
}

/// Removes [`HIDDEN`] from the lists of an object value; the paths of the
/// lists that held one.
fn drop_hidden_in_lists(v: &mut Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    if let Value::Object(m) = v {
        for (k, x) in m.iter_mut() {
            at.push(k.clone());
            match x {
                Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                    let before = items.len();
                    items.retain(|i| i.as_str() != Some(HIDDEN));
                    if items.len() != before {
                        out.push(at.clone());
                    }
                }
                _ => drop_hidden_in_lists(x, at, out),
            }
            at.pop();
        }
    }
}

/// The attribute at `path` among `attrs` (nested attributes descended).
fn attribute_at<'a>(attrs: &'a [Attribute], path: &[String]) -> Option<&'a Attribute> {
    let (first, rest) = path.split_first()?;
    let a = attrs.iter().find(|a| &a.name == first)?;
    if rest.is_empty() {
        Some(a)
    } else {
        attribute_at(a.nested_attributes()?, rest)
    }
}

/// Sets `path` in an object value, creating empty objects on the way.
fn set_path(v: &mut Value, path: &[String], x: Value) {
    let Some((last, up)) = path.split_last() else {
        return;
    };
    let mut cur = v;
    for step in up {
        if !matches!(cur.attr(step), Value::Object(_)) {
            cur.set_attr(step.clone(), Value::Object(ValueMap::new()));
        }
        let Some(next) = cur.get_attr_mut(step) else {
            return;
        };
        cur = next;
    }
    cur.set_attr(last.clone(), x);
}

fn get_path<'a>(v: &'a Value, path: &[String]) -> &'a Value {
    path.iter().fold(v, |v, step| v.attr(step))
}

fn var_ref(name: &str) -> Value {
    Value::string(format!("{VAR_REF}{name}"))
}

impl Adopted {
    fn var_name(&self, path: &[String]) -> String {
        format!("{}_{}", self.name, path.join("_"))
    }

    /// A secret at `path`: a sensitive variable, through the twin or not.
    fn secret(&mut self, path: &[String], write_only: bool) {
        let name = self.var_name(path);
        if self.variables.iter().any(|v| v.name == name) {
            return;
        }
        set_path(&mut self.block, path, Value::Null);
        if let (true, Some((last, up))) = (write_only, path.split_last()) {
            let mut wo = up.to_vec();
            wo.push(wo_name(last));
            let mut ver = up.to_vec();
            ver.push(wo_version_name(last));
            set_path(&mut self.block, &wo, var_ref(&name));
            set_path(&mut self.block, &ver, Value::int(1));
            set_path(&mut self.import, &ver, Value::int(1));
        } else {
            set_path(&mut self.block, path, var_ref(&name));
        }
        self.variables.push(Variable {
            name,
            sensitive: true,
        });
    }

    /// A value Immuta hides that is no secret: a variable, carried by the
    /// import id too.
    fn hidden(&mut self, path: &[String]) {
        let name = self.var_name(path);
        set_path(&mut self.block, path, var_ref(&name));
        set_path(&mut self.import, path, var_ref(&name));
        self.variables.push(Variable {
            name,
            sensitive: false,
        });
    }

    /// The resource's configuration, as the provider's checks read it.
    fn config(&self) -> Value {
        let mut c = Value::object([(self.platform.block_name(), self.block.clone())]);
        c.set_attr(
            "auto_bootstrap",
            self.auto_bootstrap.map_or(Value::Null, Value::Bool),
        );
        for (k, v) in &self.settings {
            c.set_attr(k.clone(), v.clone());
        }
        c
    }
}

fn adopt(i: &Integration, platform: Platform, name: String, write_only: bool) -> Adopted {
    let config = mark_hidden(i);
    let block = platform.from_config(config.as_ref(), &Value::Null);
    let mut a = Adopted {
        name,
        id: i.id.as_str().to_string(),
        platform,
        status: i.status.as_str().to_string(),
        auto_bootstrap: i.auto_bootstrap,
        settings: Vec::new(),
        block,
        import: Value::Object(ValueMap::new()),
        variables: Vec::new(),
        notes: Vec::new(),
    };
    let secrets = platform.write_only_secrets();
    // Every secret Immuta answered, hidden or (never expected) in clear:
    // a value of the configuration, never of the file.
    for path in secrets {
        if !get_path(&a.block, path).is_null() {
            a.secret(path, write_only);
        }
    }
    let mut hidden = Vec::new();
    find(&a.block, HIDDEN, &mut Vec::new(), &mut hidden);
    let schema = platform.resource_attribute();
    for path in hidden {
        match attribute_at(schema.nested_attributes().unwrap_or_default(), &path) {
            // A value the configuration sets: a variable.
            Some(attr) if attr.optional && !attr.sensitive => a.hidden(&path),
            // One Immuta computes (Trino's key): the state's to keep.
            _ => set_path(&mut a.block, &path, Value::Null),
        }
    }
    // A list element Immuta hid cannot be a variable of its own: left out.
    let mut lists = Vec::new();
    drop_hidden_in_lists(&mut a.block, &mut Vec::new(), &mut lists);
    for path in lists {
        a.notes.push(format!(
            "integration {} ({}): {}.{} holds values Immuta hides; they are left out, set them \
             by hand",
            a.id,
            a.name,
            platform.block_name(),
            path.join(".")
        ));
    }
    // Secrets Immuta left out of its answer that the checks still require.
    for _ in 0..secrets.len() + 1 {
        let diags = validate_config(&a.config());
        let missing: Vec<Vec<String>> = diags
            .iter()
            .filter_map(|d| d.attribute.as_ref())
            .filter_map(|p| {
                let steps: Option<Vec<String>> = p
                    .steps()
                    .iter()
                    .map(|s| match s {
                        PathStep::Attribute(n) => Some(n.clone()),
                        _ => None,
                    })
                    .collect();
                let steps = steps?;
                let (first, rest) = steps.split_first()?;
                (first == platform.block_name() && secrets.iter().any(|s| s == rest))
                    .then(|| rest.to_vec())
            })
            .collect();
        if missing.is_empty() {
            for d in diags.iter().filter(|d| d.severity == Severity::Error) {
                a.notes
                    .push(format!("integration {} ({}): {}", a.id, a.name, d.summary));
            }
            break;
        }
        for path in missing {
            a.secret(&path, write_only);
        }
    }
    // Terraform sends no write-only value at destroy: an integration whose
    // DELETE needs credentials reads them from an environment variable then.
    if platform.delete_needs_credentials()
        && a.auto_bootstrap == Some(true)
        && platform.uses_write_only(&a.block)
    {
        let env = format!("{}_DELETE_CREDENTIALS", a.name.to_ascii_uppercase());
        a.notes.push(format!(
            "integration {} ({}): destroying it needs its privileged credentials in the \
             environment variable {env}, as JSON (e.g. {{\"password\": \"...\"}})",
            a.id, a.name
        ));
        a.settings
            .push((DELETE_CREDENTIALS_ENV.to_string(), Value::string(env)));
    }
    a
}

#[cfg(test)]
mod tests;
