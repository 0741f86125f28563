//! Writing adopted integrations as HCL: string literals, expressions, the
//! blocks of each resource, its import block and its variables.

use super::{Adopted, Options, VAR_REF};
use crate::framework::{Attribute, Value};
use crate::integration::TYPE_NAME;
use std::fmt::Write as _;

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

pub(super) fn write_hcl(adopted: &[Adopted], options: &Options) -> String {
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
