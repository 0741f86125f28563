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

use crate::framework::{Attribute, PathStep, Severity, Value};
use crate::integration::platforms::write_only::{wo_name, wo_version_name};
use crate::integration::platforms::Platform;
use crate::integration::{validate_config, DELETE_CREDENTIALS_ENV, TYPE_NAME};
use immuta_api::{Integration, IntegrationConfig, Secret};
use immuta_client::{ClientConfig, ClientError, ImmutaClient, IntegrationList};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

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
            cur.set_attr(step.clone(), Value::Object(BTreeMap::new()));
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
        import: Value::Object(BTreeMap::new()),
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

// ---------------------------------------------------------------------------
// HCL

/// A string literal (templates escaped).
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A single-line expression, or `None` for an object.
fn expression(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(match s.strip_prefix(VAR_REF) {
            Some(name) => format!("var.{name}"),
            None => quote(s),
        }),
        Value::Number(n) => Some(n.as_str().to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => Some(format!(
            "[{}]",
            items
                .iter()
                .filter_map(expression)
                .collect::<Vec<_>>()
                .join(", ")
        )),
        _ => None,
    }
}

/// Writes `entries` (name, value) as the body of a block or object at
/// `indent`, aligning the `=` of consecutive single-line entries as
/// `terraform fmt` does.
fn body(out: &mut String, entries: &[(String, Value, Option<&[Attribute]>)], indent: usize) {
    let pad = " ".repeat(indent);
    let mut i = 0;
    while i < entries.len() {
        let (name, v, inner) = &entries[i];
        if let Value::Object(_) = v {
            let nested = object_entries(v, *inner);
            if nested.is_empty() {
                let _ = writeln!(out, "{pad}{name} = {{}}");
            } else {
                let _ = writeln!(out, "{pad}{name} = {{");
                body(out, &nested, indent + 2);
                let _ = writeln!(out, "{pad}}}");
            }
            i += 1;
            continue;
        }
        let group_end = entries[i..]
            .iter()
            .position(|(_, v, _)| matches!(v, Value::Object(_)))
            .map_or(entries.len(), |p| i + p);
        let width = entries[i..group_end]
            .iter()
            .map(|(n, _, _)| n.len())
            .max()
            .unwrap_or(0);
        for (name, v, _) in &entries[i..group_end] {
            if let Some(e) = expression(v) {
                let _ = writeln!(out, "{pad}{name:width$} = {e}");
            }
        }
        i = group_end;
    }
}

/// The entries of an object value to write: in schema order where a schema
/// is known (only what a configuration may set), else in key order; nulls
/// left out.
fn object_entries<'a>(
    v: &Value,
    attrs: Option<&'a [Attribute]>,
) -> Vec<(String, Value, Option<&'a [Attribute]>)> {
    match attrs {
        Some(attrs) => attrs
            .iter()
            .filter(|a| a.optional && !v.attr(&a.name).is_null())
            .filter(|a| !a.sensitive || is_var_ref(v.attr(&a.name)))
            .map(|a| {
                (
                    a.name.clone(),
                    v.attr(&a.name).clone(),
                    a.nested_attributes(),
                )
            })
            .collect(),
        None => v
            .as_map()
            .map(|m| {
                m.iter()
                    .filter(|(_, x)| !x.is_null())
                    .map(|(k, x)| (k.clone(), x.clone(), None))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn is_var_ref(v: &Value) -> bool {
    v.as_str().is_some_and(|s| s.starts_with(VAR_REF))
}

fn has_entries(v: &Value) -> bool {
    v.as_map().is_some_and(|m| !m.is_empty())
}

fn write_hcl(adopted: &[Adopted], options: &Options) -> String {
    let mut out = String::new();
    let secrets = adopted
        .iter()
        .any(|a| a.variables.iter().any(|v| v.sensitive));
    let json_ids = adopted
        .iter()
        .any(|a| has_entries(&a.import) || !a.settings.is_empty());
    let (version, why) = if options.write_only && secrets {
        ("1.11", "write-only secrets")
    } else if json_ids {
        ("1.6", "import ids built from variables")
    } else {
        ("1.5", "import blocks")
    };
    let _ = writeln!(
        out,
        "# Written by `terraform-provider-immuta adopt` {}: {} integration{}.",
        env!("CARGO_PKG_VERSION"),
        adopted.len(),
        if adopted.len() == 1 { "" } else { "s" }
    );
    out.push_str(
        "# Set every variable below (TF_VAR_<name>), then `terraform plan`: it imports\n\
         # each integration",
    );
    if options.write_only || !secrets {
        out.push_str(" and changes nothing.\n");
    } else {
        out.push_str(
            ", and updates in place those with secrets (Terraform cannot\n\
             # read a secret from Immuta, so it sends the one you give).\n",
        );
    }
    let _ = writeln!(out, "# Needs Terraform {version} or later ({why}).");
    let notes: Vec<&String> = adopted.iter().flat_map(|a| &a.notes).collect();
    if !notes.is_empty() {
        out.push_str("#\n# Notes:\n");
        for n in notes {
            let _ = writeln!(out, "# - {n}");
        }
    }
    if options.terraform_block {
        let _ = write!(
            out,
            "\nterraform {{\n  required_version = \">= {version}\"\n  required_providers {{\n    \
             immuta = {{\n      source  = \"immuta/immuta\"\n      version = \">= {}\"\n    \
             }}\n  }}\n}}\n",
            env!("CARGO_PKG_VERSION")
        );
    }
    for a in adopted {
        let _ = writeln!(
            out,
            "\n# Integration {} ({}, {}).",
            a.id,
            a.platform.integration_type(),
            a.status
        );
        for v in &a.variables {
            let path = v
                .name
                .strip_prefix(&format!("{}_", a.name))
                .unwrap_or(&v.name);
            let what = if v.sensitive {
                "Immuta never returns it"
            } else {
                "Immuta answers <REDACTED> for it"
            };
            let _ = writeln!(out, "\nvariable {} {{", quote(&v.name));
            let desc = quote(&format!(
                "{}.{path} of integration {} ({what}).",
                a.platform.block_name(),
                a.id
            ));
            if v.sensitive {
                let _ = writeln!(
                    out,
                    "  description = {desc}\n  type        = string\n  sensitive   = true"
                );
            } else {
                let _ = writeln!(out, "  description = {desc}\n  type        = string");
            }
            out.push_str("}\n");
        }
        let _ = writeln!(out, "\nimport {{\n  to = {TYPE_NAME}.{}", a.name);
        if has_entries(&a.import) || !a.settings.is_empty() {
            out.push_str("  id = jsonencode({\n");
            let mut id_entries = vec![("id".to_string(), Value::string(a.id.clone()), None)];
            for (k, v) in &a.settings {
                id_entries.push((k.clone(), v.clone(), None));
            }
            if has_entries(&a.import) {
                id_entries.push((a.platform.block_name().to_string(), a.import.clone(), None));
            }
            body(&mut out, &id_entries, 4);
            out.push_str("  })\n}\n");
        } else {
            let _ = writeln!(out, "  id = {}\n}}", quote(&a.id));
        }
        let _ = writeln!(out, "\nresource \"{TYPE_NAME}\" {} {{", quote(&a.name));
        let attr = a.platform.resource_attribute();
        let mut entries = Vec::new();
        if let Some(b) = a.auto_bootstrap {
            entries.push(("auto_bootstrap".to_string(), Value::Bool(b), None));
        }
        entries.push((
            a.platform.block_name().to_string(),
            a.block.clone(),
            attr.nested_attributes(),
        ));
        for (k, v) in &a.settings {
            entries.push((k.clone(), v.clone(), None));
        }
        body(&mut out, &entries, 2);
        out.push_str("}\n");
    }
    out
}

// ---------------------------------------------------------------------------
// The command

/// Why `adopt` failed. Messages never hold the API key or a secret.
#[derive(Debug, thiserror::Error)]
pub enum AdoptError {
    /// A command-line mistake.
    #[error("{0}\n\n{USAGE}")]
    Usage(String),
    /// No `--host` and no `IMMUTA_HOST`.
    #[error("Missing Immuta host: pass --host or set IMMUTA_HOST to Immuta's URL")]
    MissingHost,
    /// No `IMMUTA_API_KEY`.
    #[error(
        "Missing API key: set IMMUTA_API_KEY to the key of a user with APPLICATION_ADMIN \
         (it is never read from the command line, which other users may see)"
    )]
    MissingApiKey,
    /// The client could not be made or Immuta could not be listed.
    #[error("{0}")]
    Client(String),
    /// `--out` exists already.
    #[error("{0} exists; pass --force to overwrite it")]
    Exists(PathBuf),
    /// The file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl AdoptError {
    /// The exit code: 2 for a command-line mistake, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            AdoptError::Usage(_) => 2,
            _ => 1,
        }
    }
}

/// The command's help.
pub const USAGE: &str = "\
Usage: terraform-provider-immuta adopt [--host URL] [--out FILE] [--force]
           [--type TYPE]... [--status STATUS]... [--plain-secrets] [--no-terraform-block]

Writes an immuta_integration resource, an import block and the variables of
each integration of an Immuta tenant, so `terraform plan` imports them.

  --host URL             Immuta's URL (default: IMMUTA_HOST)
  --out FILE             the .tf file to write (default: standard output)
  --force                overwrite FILE if it exists
  --type TYPE            only this type: snowflake, databricks, bigquery, redshift,
                         azure_synapse, s3, trino, or Immuta's name (repeatable)
  --status STATUS        only this status, e.g. enabled (repeatable)
  --plain-secrets        secrets as plain attributes, for Terraform before 1.11
                         (default: write-only <secret>_wo with <secret>_wo_version)
  --no-terraform-block   leave out the terraform block (to add the file to a
                         configuration that has one)

The API key is read from IMMUTA_API_KEY only.";

/// The parsed command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// `--host`.
    pub host: Option<String>,
    /// `--out`.
    pub out: Option<PathBuf>,
    /// `--force`.
    pub force: bool,
    /// What to adopt and how.
    pub options: Options,
}

/// Reads the arguments after `adopt`; `Ok(None)` for `--help`.
pub fn parse_args(args: &[String]) -> Result<Option<Command>, AdoptError> {
    let mut cmd = Command {
        host: None,
        out: None,
        force: false,
        options: Options::default(),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |what: &str| {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| AdoptError::Usage(format!("{flag} needs {what}")))
        };
        match flag {
            "-h" | "--help" => return Ok(None),
            "--host" => cmd.host = Some(value("a URL")?),
            "--out" => cmd.out = Some(PathBuf::from(value("a file name")?)),
            "--force" => cmd.force = true,
            "--plain-secrets" => cmd.options.write_only = false,
            "--no-terraform-block" => cmd.options.terraform_block = false,
            "--type" => {
                let t = value("a type")?;
                let p = Platform::ALL
                    .into_iter()
                    .find(|p| {
                        p.block_name().eq_ignore_ascii_case(&t)
                            || p.integration_type().as_str().eq_ignore_ascii_case(&t)
                    })
                    .ok_or_else(|| AdoptError::Usage(format!("--type: unknown type \"{t}\"")))?;
                cmd.options.types.push(p);
            }
            "--status" => cmd.options.statuses.push(value("a status")?),
            other => return Err(AdoptError::Usage(format!("unknown argument \"{other}\""))),
        }
    }
    Ok(Some(cmd))
}

/// Lists the tenant's integrations and renders them.
pub async fn fetch(host: &str, api_key: &str, options: &Options) -> Result<Adoption, AdoptError> {
    let mut cfg = ClientConfig::new(host.to_string(), api_key.to_string());
    cfg.user_agent = format!(
        "terraform-provider-immuta/{} (adopt)",
        env!("CARGO_PKG_VERSION")
    );
    let explain = |context: &str, e: &ClientError| {
        let d = crate::client_errors::diagnostic(context.to_string(), e);
        AdoptError::Client(format!("{}\n\n{}", d.summary, d.detail))
    };
    let client = ImmutaClient::new(cfg)
        .map_err(|e| AdoptError::Client(format!("Invalid Immuta connection settings: {e}")))?;
    let list = client
        .list()
        .await
        .map_err(|e| explain("Could not list Immuta integrations", &e))?;
    Ok(render(&list, options))
}

/// Runs `adopt` with its arguments and environment (`IMMUTA_HOST`,
/// `IMMUTA_API_KEY`); returns the summary to print on standard error.
pub async fn run(
    args: &[String],
    env_host: Option<String>,
    env_api_key: Option<String>,
) -> Result<String, AdoptError> {
    let Some(cmd) = parse_args(args)? else {
        return Ok(USAGE.to_string());
    };
    let host = cmd
        .host
        .clone()
        .or(env_host)
        .filter(|h| !h.trim().is_empty())
        .ok_or(AdoptError::MissingHost)?;
    let key = env_api_key
        .filter(|k| !k.trim().is_empty())
        .ok_or(AdoptError::MissingApiKey)?;
    if let Some(path) = &cmd.out {
        if path.exists() && !cmd.force {
            return Err(AdoptError::Exists(path.clone()));
        }
    }
    let adoption = fetch(&host, &key, &cmd.options).await?;
    match &cmd.out {
        Some(path) => std::fs::write(path, &adoption.hcl).map_err(|source| AdoptError::Write {
            path: path.clone(),
            source,
        })?,
        None => {
            use std::io::Write as _;
            std::io::stdout()
                .lock()
                .write_all(adoption.hcl.as_bytes())
                .map_err(|source| AdoptError::Write {
                    path: PathBuf::from("standard output"),
                    source,
                })?
        }
    }
    Ok(summary(&adoption, cmd.out.as_deref()))
}

fn summary(a: &Adoption, out: Option<&std::path::Path>) -> String {
    let mut s = format!(
        "Wrote {} integration{} to {}.",
        a.adopted.len(),
        if a.adopted.len() == 1 { "" } else { "s" },
        out.map_or("standard output".to_string(), |p| p.display().to_string())
    );
    if !a.variables.is_empty() {
        let _ = write!(s, "\nSet before planning:");
        for v in &a.variables {
            let _ = write!(
                s,
                "\n  TF_VAR_{}{}",
                v.name,
                if v.sensitive { " (secret)" } else { "" }
            );
        }
    }
    for n in &a.notes {
        let _ = write!(s, "\nNote: {n}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: serde_json::Value) -> IntegrationList {
        IntegrationList {
            integrations: serde_json::from_value(items).unwrap(),
            skipped: Vec::new(),
        }
    }

    fn tenant() -> IntegrationList {
        list(serde_json::json!([
            {"id": "1", "type": "Snowflake", "status": "enabled", "autoBootstrap": false,
             "config": {"host": "a.snowflakecomputing.com", "warehouse": "WH",
                        "database": "DB \"${x}\" %{y}", "authenticationType": "keyPair",
                        "username": "<REDACTED>",
                        "privateKey": {"keyName": "K", "content": "<REDACTED>"}}},
            {"id": "b-2", "type": "Trino", "status": "createError",
             "config": {"apiKey": "<REDACTED>"}},
            {"id": "3", "type": "Native S3", "status": "enabled", "autoBootstrap": false,
             "config": {"name": "n", "awsAccountId": "1", "awsRegion": "us-east-1",
                        "awsLocationRole": "arn:aws:iam::1:role/r", "awsLocationPath": "s3://b/",
                        "authenticationType": "accessKey", "awsAccessKeyId": "AKIA",
                        "awsSecretAccessKey": "in-clear-by-mistake"}},
            {"id": "4", "type": "Oracle", "status": "enabled", "config": {}},
        ]))
    }

    #[test]
    fn every_hidden_value_becomes_a_variable_and_no_secret_is_written() {
        let a = render(&tenant(), &Options::default());
        assert_eq!(a.adopted, ["1", "b-2", "3"]);
        let vars: Vec<(&str, bool)> = a
            .variables
            .iter()
            .map(|v| (v.name.as_str(), v.sensitive))
            .collect();
        assert_eq!(
            vars,
            [
                ("snowflake_1_private_key_content", true),
                ("snowflake_1_username", false),
                ("s3_3_aws_secret_access_key", true),
            ]
        );
        let h = &a.hcl;
        // A secret answered in clear is still only a variable.
        assert!(!h.contains("in-clear-by-mistake"), "{h}");
        assert!(h.contains("content_wo         = var.snowflake_1_private_key_content"));
        assert!(h.contains("content_wo_version = 1"));
        assert!(h.contains("username            = var.snowflake_1_username"));
        // Templates and quotes escaped.
        assert!(h.contains(r#""DB \"$${x}\" %%{y}""#), "{h}");
        // The import id carries the user name and the version.
        assert!(h.contains("    snowflake = {\n      private_key = {\n        content_wo_version = 1\n      }\n      username = var.snowflake_1_username\n"), "{h}");
        assert!(h.contains("resource \"immuta_integration\" \"trino_b_2\" {\n  trino = {}\n}"));
        assert!(h.contains("import {\n  to = immuta_integration.trino_b_2\n  id = \"b-2\"\n}"));
        assert!(h.contains("required_version = \">= 1.11\""));
        assert_eq!(a.notes.len(), 1, "{:?}", a.notes);
        assert!(a.notes[0].contains("\"Oracle\" is not known"));
    }

    #[test]
    fn hidden_list_elements_are_left_out_and_noted() {
        let mut block = Value::object([(
            "tags",
            Value::List(vec![Value::from("a"), Value::from(HIDDEN)]),
        )]);
        let mut found = Vec::new();
        drop_hidden_in_lists(&mut block, &mut Vec::new(), &mut found);
        assert_eq!(found, [vec!["tags".to_string()]]);
        assert_eq!(block.attr("tags"), &Value::List(vec![Value::from("a")]));
    }

    #[test]
    fn filters_and_plain_secrets() {
        let only = Options {
            types: vec![Platform::S3, Platform::TRINO],
            statuses: vec!["enabled".into()],
            write_only: false,
            terraform_block: false,
        };
        let a = render(&tenant(), &only);
        assert_eq!(a.adopted, ["3"]);
        assert!(!a.hcl.contains("terraform {"));
        assert!(a
            .hcl
            .contains("aws_secret_access_key = var.s3_3_aws_secret_access_key"));
        assert!(!a.hcl.contains("_wo"));
        assert!(a.hcl.contains("Needs Terraform 1.5 or later"), "{}", a.hcl);
        assert!(a.hcl.contains("updates in place those with secrets"));
    }

    #[test]
    fn a_secret_immuta_leaves_out_is_asked_for() {
        let a = render(
            &list(serde_json::json!([
                {"id": "9", "type": "Databricks", "status": "enabled", "autoBootstrap": false,
                 "config": {"workspaceUrl": "w.cloud.databricks.com", "httpPath": "p",
                            "authenticationType": "token", "catalog": "c"}}
            ])),
            &Options::default(),
        );
        assert_eq!(a.variables.len(), 1);
        assert_eq!(a.variables[0].name, "databricks_9_token");
        assert!(a.notes.is_empty(), "{:?}", a.notes);
    }

    #[test]
    fn command_line() {
        let args = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        let c = parse_args(&args(
            "--host h --out a.tf --type S3 --type=trino --status enabled --plain-secrets",
        ))
        .unwrap()
        .unwrap();
        assert_eq!(c.host.as_deref(), Some("h"));
        assert_eq!(c.options.types, [Platform::S3, Platform::TRINO]);
        assert_eq!(c.options.statuses, ["enabled"]);
        assert!(!c.options.write_only);
        assert!(parse_args(&args("--help")).unwrap().is_none());
        assert!(matches!(
            parse_args(&args("--type oracle")),
            Err(AdoptError::Usage(_))
        ));
        assert!(matches!(
            parse_args(&args("--out")),
            Err(AdoptError::Usage(_))
        ));
        assert!(matches!(
            parse_args(&args("--api-key k")),
            Err(AdoptError::Usage(_))
        ));
    }

    #[tokio::test]
    async fn the_key_comes_from_the_environment_only() {
        let e = run(&["--host".into(), "h".into()], None, None)
            .await
            .unwrap_err();
        assert!(matches!(e, AdoptError::MissingApiKey));
        let e = run(&[], None, Some("k".into())).await.unwrap_err();
        assert!(matches!(e, AdoptError::MissingHost));
        assert_eq!(e.exit_code(), 1);
    }
}
