//! The public view of an integration's config, which the data sources
//! show (`immuta_integration`, `immuta_integrations`): each type's nested
//! attribute, built from the resource's schema (`Platform::attribute`) with
//! every sensitive attribute removed and everything else computed, and the
//! converter that fills it from Immuta's answer. Secrets never reach a data
//! source's state: sensitive attributes are not in the schema at all, and
//! any value Immuta answers as `<REDACTED>` (user names) reads as null.

use super::platforms::{is_redacted_by_immuta, Platform};
use crate::framework::{Attribute, AttributeKind, Value};
use immuta_api::{Integration, Secret};

/// The type attributes of the public config view: one computed attribute
/// per type with at least one non-secret setting (Trino has none).
///
/// Each is a plain object type, not a nested attribute: Terraform 1.0
/// types nested attributes of data sources wrongly when it validates a
/// configuration (`data.x.snowflake.warehouse` is "Unsupported attribute"),
/// and panics decoding a list of objects whose nested objects are null in
/// one element and set in another. The fields are listed in the description.
pub fn config_attributes() -> Vec<Attribute> {
    public_nested_attributes()
        .into_iter()
        .map(|(p, a)| {
            Attribute::new(a.name.clone(), a.value_type())
                .computed()
                .description(format!(
                    "The non-secret settings of {} (null for other types), as in the \
                     `{}` attribute of `immuta_integration`: {}.",
                    type_label(p),
                    p.block_name(),
                    field_list(a.nested_attributes().unwrap_or_default())
                ))
        })
        .collect()
}

/// The public view of each type's nested attribute, for the converters.
pub fn public_nested_attributes() -> Vec<(Platform, Attribute)> {
    Platform::ALL
        .into_iter()
        .filter_map(|p| public_attribute(&p.attribute()).map(|a| (p, a)))
        .collect()
}

fn type_label(p: Platform) -> String {
    let ty = p.integration_type().to_string();
    let article = if ty.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {ty} integration")
}

/// `host`, `port`, `audit` (`enabled`), ...
pub fn field_list(attrs: &[Attribute]) -> String {
    attrs
        .iter()
        .map(|a| match a.nested_attributes() {
            Some(inner) => format!("`{}` ({})", a.name, field_list(inner)),
            None => format!("`{}`", a.name),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// An attribute of the resource as a data source shows it: `None` when it is
/// sensitive, a user name Immuta always redacts, or a nested attribute left
/// with nothing; else computed only.
fn public_attribute(a: &Attribute) -> Option<Attribute> {
    if a.sensitive || a.write_only || is_redacted_by_immuta(&a.name) {
        return None;
    }
    let mut out = a.clone();
    out.required = false;
    out.optional = false;
    out.computed = true;
    if let AttributeKind::Nested {
        nesting,
        attributes,
    } = &a.kind
    {
        let inner: Vec<Attribute> = attributes.iter().filter_map(public_attribute).collect();
        if inner.is_empty() {
            return None;
        }
        out.kind = AttributeKind::Nested {
            nesting: *nesting,
            attributes: inner,
        };
    }
    Some(out)
}

/// The type attributes' values for an integration: its type's attribute
/// holds the non-secret config Immuta answered, every other one is null.
pub fn config_values(i: &Integration) -> Vec<(String, Value)> {
    let own = Platform::from_type(&i.integration_type);
    public_nested_attributes()
        .into_iter()
        .map(|(p, attr)| {
            let v = if own == Some(p) {
                // No prior value: every redacted secret reads as null.
                project(&p.from_config(i.config.as_ref(), &Value::Null), &attr)
            } else {
                Value::Null
            };
            (attr.name, v)
        })
        .collect()
}

/// Keeps only what `attr` (a public attribute) declares, and never
/// Immuta's `<REDACTED>` placeholder.
fn project(v: &Value, attr: &Attribute) -> Value {
    match (v, &attr.kind) {
        (Value::Object(_), AttributeKind::Nested { attributes, .. }) => Value::object(
            attributes
                .iter()
                .map(|a| (a.name.clone(), project(v.attr(&a.name), a))),
        ),
        (Value::String(s), _) if Secret::new(s.as_str()).is_redacted() => Value::Null,
        (Value::Unknown, _) => Value::Null,
        _ => v.clone(),
    }
}
