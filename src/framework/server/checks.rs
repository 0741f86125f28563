//! Checks the service makes itself: schema rules Terraform enforces, and
//! configuration rules (deprecated and write-only attributes).

use crate::framework::diag::{Diagnostic, Diagnostics};
use crate::framework::path::AttributePath;
use crate::framework::schema::{Attribute, Block};
use crate::framework::value::Value;

/// Checks schema rules Terraform enforces, so mistakes show up as
/// diagnostics rather than confusing Terraform errors.
fn check_attributes(
    owner: &str,
    attrs: &[Attribute],
    path: AttributePath,
    diags: &mut Diagnostics,
) {
    for a in attrs {
        let p = path.clone().attr(a.name.clone());
        let ok = matches!(
            (a.required, a.optional, a.computed),
            (true, false, false) | (false, true, _) | (false, false, true)
        );
        if !ok {
            diags.error(
                "Invalid provider schema",
                format!("{owner}: attribute {p} must be exactly one of required, optional, computed, or optional+computed."),
            );
        }
        if a.write_only && (a.computed || a.required && a.optional) {
            diags.error(
                "Invalid provider schema",
                format!("{owner}: write-only attribute {p} cannot be computed."),
            );
        }
        if let Some(inner) = a.nested_attributes() {
            check_attributes(owner, inner, p, diags);
        }
    }
}

pub(super) fn check_block(owner: &str, block: &Block, diags: &mut Diagnostics) {
    check_attributes(owner, &block.attributes, AttributePath::root(), diags);
    for b in &block.blocks {
        check_block(owner, &b.block, diags);
    }
}

pub(super) fn unknown_type(kind: &str, name: &str) -> Diagnostic {
    Diagnostic::error(
        format!("Unknown {kind} type"),
        format!("This provider does not support {kind} type {name:?}."),
    )
}

/// Warnings for configured deprecated attributes and errors for write-only
/// attributes when Terraform does not support them.
pub(super) fn config_checks(
    attrs: &[Attribute],
    config: &Value,
    path: &AttributePath,
    write_only_allowed: bool,
    diags: &mut Diagnostics,
) {
    for a in attrs {
        let v = config.attr(&a.name);
        if v.is_null() {
            continue;
        }
        let p = path.clone().attr(a.name.clone());
        if a.deprecated {
            diags.attribute_warning(
                p.clone(),
                "Deprecated attribute",
                a.deprecation_message
                    .clone()
                    .unwrap_or_else(|| format!("The attribute {p} is deprecated.")),
            );
        }
        if a.write_only && !write_only_allowed {
            diags.attribute_error(
                p.clone(),
                "Write-only attribute not supported",
                format!(
                    "The attribute {p} is write-only, which needs Terraform 1.11 or later: \
                     Terraform sends its value to the provider and never stores it in plan or \
                     state, which older versions cannot do. Upgrade Terraform, or set the value \
                     through the provider's plain (stored) attribute instead, if it has one."
                ),
            );
        }
        if let Some(inner) = a.nested_attributes() {
            match v {
                Value::Object(_) => config_checks(inner, v, &p, write_only_allowed, diags),
                Value::List(items) | Value::Set(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let ip = p.clone().index(i as i64);
                        config_checks(inner, item, &ip, write_only_allowed, diags);
                    }
                }
                Value::Map(m) => {
                    for (k, item) in m {
                        let kp = p.clone().key(k.clone());
                        config_checks(inner, item, &kp, write_only_allowed, diags);
                    }
                }
                _ => {}
            }
        }
    }
}
