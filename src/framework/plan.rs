//! Plan helpers and the checks that keep plans and results consistent with
//! Terraform's rules (config values kept, write-only values never stored,
//! no unknowns after apply).

use crate::framework::diag::{Diagnostic, Diagnostics};
use crate::framework::path::{AttributePath, PathStep};
use crate::framework::schema::{Attribute, AttributeKind, Block, NestedBlock, NestingMode};
use crate::framework::value::Value;

/// Marks computed attributes that are null in `config` and null in `planned`
/// as unknown, recursing into set nested attributes and blocks.
pub fn mark_computed_unknown(block: &Block, config: &Value, planned: &mut Value) {
    mark_computed_unknown_in(&block.attributes, &block.blocks, config, planned)
}

// The helpers below take a block's attributes and nested blocks as slices,
// so that a nested attribute's own attributes are walked in place: building
// a `Block` of them meant cloning them (names, descriptions) on every call.

fn mark_computed_unknown_in(
    attributes: &[Attribute],
    blocks: &[NestedBlock],
    config: &Value,
    planned: &mut Value,
) {
    let Value::Object(pm) = planned else {
        return;
    };
    for attr in attributes {
        let cfg = config.attr(&attr.name);
        let Some(pv) = pm.get_mut(&attr.name) else {
            if attr.computed && cfg.is_null() {
                pm.insert(attr.name.clone(), Value::Unknown);
            }
            continue;
        };
        if attr.computed && cfg.is_null() && pv.is_null() && !attr.write_only {
            *pv = Value::Unknown;
            continue;
        }
        if let AttributeKind::Nested {
            nesting,
            attributes,
        } = &attr.kind
        {
            for_each_nested(*nesting, cfg, pv, |c, p| {
                mark_computed_unknown_in(attributes, &[], c, p)
            });
        }
    }
    for nb in blocks {
        let cfg = config.attr(&nb.type_name);
        if let Some(pv) = pm.get_mut(&nb.type_name) {
            for_each_nested(nb.nesting, cfg, pv, |c, p| {
                mark_computed_unknown(&nb.block, c, p)
            });
        }
    }
}

/// Marks every computed attribute that is null in `config` as unknown, even
/// when `planned` holds a prior value: for updates where the remote system
/// may recompute those values. Recurses like [`mark_computed_unknown`].
pub fn mark_all_computed_unknown(block: &Block, config: &Value, planned: &mut Value) {
    mark_all_computed_unknown_in(&block.attributes, &block.blocks, config, planned)
}

fn mark_all_computed_unknown_in(
    attributes: &[Attribute],
    blocks: &[NestedBlock],
    config: &Value,
    planned: &mut Value,
) {
    let Value::Object(pm) = planned else {
        return;
    };
    for attr in attributes {
        let cfg = config.attr(&attr.name);
        if attr.computed && cfg.is_null() && !attr.write_only {
            pm.insert(attr.name.clone(), Value::Unknown);
            continue;
        }
        if let (
            Some(pv),
            AttributeKind::Nested {
                nesting,
                attributes,
            },
        ) = (pm.get_mut(&attr.name), &attr.kind)
        {
            for_each_nested(*nesting, cfg, pv, |c, p| {
                mark_all_computed_unknown_in(attributes, &[], c, p)
            });
        }
    }
    for nb in blocks {
        let cfg = config.attr(&nb.type_name);
        if let Some(pv) = pm.get_mut(&nb.type_name) {
            for_each_nested(nb.nesting, cfg, pv, |c, p| {
                mark_all_computed_unknown(&nb.block, c, p)
            });
        }
    }
}

/// Calls `f(config_obj, planned_obj)` for matching nested objects.
fn for_each_nested(
    nesting: NestingMode,
    config: &Value,
    planned: &mut Value,
    mut f: impl FnMut(&Value, &mut Value),
) {
    match (nesting, planned) {
        (NestingMode::Single, p @ Value::Object(_)) => f(config, p),
        (NestingMode::List | NestingMode::Set, Value::List(ps) | Value::Set(ps)) => {
            let cs = config.as_list().unwrap_or(&[]);
            for (i, p) in ps.iter_mut().enumerate() {
                f(cs.get(i).unwrap_or(&Value::Null), p);
            }
        }
        (NestingMode::Map, Value::Map(pm)) => {
            for (k, p) in pm.iter_mut() {
                f(config.attr(k), p);
            }
        }
        _ => {}
    }
}

fn has_computed(attrs: &[Attribute]) -> bool {
    attrs
        .iter()
        .any(|a| a.computed || a.write_only || a.nested_attributes().is_some_and(has_computed))
}

/// Makes `planned` agree with `config` where Terraform requires it: values
/// of non-computed attributes, and configured values of optional+computed
/// attributes, are taken from configuration. Write-only attributes are
/// nulled. Returns whether anything had to be changed.
pub fn enforce_config_in_plan(block: &Block, config: &Value, planned: &mut Value) -> bool {
    enforce_config_in(&block.attributes, config, planned)
}

fn enforce_config_in(attributes: &[Attribute], config: &Value, planned: &mut Value) -> bool {
    let Value::Object(pm) = planned else {
        return false;
    };
    let mut changed = false;
    for attr in attributes {
        let cfg = config.attr(&attr.name);
        let slot = pm.get_or_insert_with(&attr.name, || Value::Null);
        if attr.write_only {
            changed |= !slot.is_null();
            *slot = Value::Null;
            continue;
        }
        match &attr.kind {
            AttributeKind::Type(_) => {
                if (!attr.computed || !cfg.is_null()) && slot != cfg {
                    *slot = cfg.clone();
                    changed = true;
                }
            }
            AttributeKind::Nested {
                nesting,
                attributes,
            } => {
                let must_follow = !attr.computed || !cfg.is_null();
                if !must_follow {
                    continue;
                }
                // Recurse when shapes agree so inner computed values can stay.
                let shapes_agree = match (nesting, &*slot, cfg) {
                    (NestingMode::Single, Value::Object(_), Value::Object(_)) => true,
                    (NestingMode::List, Value::List(a), Value::List(b)) => a.len() == b.len(),
                    (NestingMode::Set, Value::Set(a), Value::Set(b)) => {
                        a.len() == b.len() && has_computed(attributes)
                    }
                    (NestingMode::Map, Value::Map(a), Value::Map(b)) => {
                        a.len() == b.len() && a.keys().all(|k| b.contains_key(k))
                    }
                    _ => false,
                };
                if shapes_agree {
                    let mut c = false;
                    for_each_nested(*nesting, cfg, slot, |cv, pv| {
                        c |= enforce_config_in(attributes, cv, pv)
                    });
                    changed |= c;
                } else if slot != cfg {
                    *slot = cfg.clone();
                    changed = true;
                }
            }
        }
    }
    changed
}

/// Sets every write-only attribute (at any depth of nested attributes or
/// blocks) to null.
pub fn null_write_only(block: &Block, value: &mut Value) {
    null_write_only_in(&block.attributes, &block.blocks, value)
}

fn null_write_only_in(attributes: &[Attribute], blocks: &[NestedBlock], value: &mut Value) {
    let Value::Object(m) = value else {
        return;
    };
    for attr in attributes {
        if attr.write_only {
            if let Some(v) = m.get_mut(&attr.name) {
                *v = Value::Null;
            }
        } else if let (Some(v), Some(attrs)) = (m.get_mut(&attr.name), attr.nested_attributes()) {
            each_object_mut(v, &mut |o| null_write_only_in(attrs, &[], o));
        }
    }
    for nb in blocks {
        if let Some(v) = m.get_mut(&nb.type_name) {
            each_object_mut(v, &mut |o| null_write_only(&nb.block, o));
        }
    }
}

fn each_object_mut(v: &mut Value, f: &mut impl FnMut(&mut Value)) {
    match v {
        Value::Object(_) => f(v),
        Value::List(items) | Value::Set(items) => items.iter_mut().for_each(f),
        Value::Map(m) => m.values_mut().for_each(f),
        _ => {}
    }
}

/// After apply: attributes whose value came from configuration (non-computed
/// ones, and optional+computed ones that are configured) take their planned
/// values when those are fully known, write-only attributes are nulled, and
/// any remaining unknown value is reported as an error with its path.
pub fn enforce_apply_result(
    block: &Block,
    config: &Value,
    planned: &Value,
    new_state: &mut Value,
) -> Diagnostics {
    if let Value::Object(nm) = new_state {
        for attr in &block.attributes {
            if attr.write_only || (attr.computed && config.attr(&attr.name).is_null()) {
                continue;
            }
            let pv = planned.attr(&attr.name);
            if pv.is_fully_known() {
                nm.insert(attr.name.clone(), pv.clone());
            }
        }
    }
    null_write_only(block, new_state);
    let mut diags = Diagnostics::new();
    let mut path = Vec::new();
    find_unknowns(new_state, &mut path, &mut diags);
    diags
}

/// Reports every unknown inside `v` as an error diagnostic.
pub fn find_unknowns(v: &Value, path: &mut Vec<PathStep>, diags: &mut Diagnostics) {
    match v {
        Value::Unknown => diags.push(Diagnostic::attribute_error(
            AttributePath::from_steps(path.clone()),
            "Provider returned an unknown value",
            "The provider left a value unknown after the operation completed. This is a bug in the provider.",
        )),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(PathStep::ElementKeyInt(i as i64));
                find_unknowns(item, path, diags);
                path.pop();
            }
        }
        Value::Map(m) => {
            for (k, item) in m {
                path.push(PathStep::ElementKeyString(k.clone()));
                find_unknowns(item, path, diags);
                path.pop();
            }
        }
        Value::Object(m) => {
            for (k, item) in m {
                path.push(PathStep::Attribute(k.clone()));
                find_unknowns(item, path, diags);
                path.pop();
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------
// Helpers for providers' own plan code.

/// Whether `v` is null or an object whose attributes are all null (what
/// `-generate-config-out` writes for a sensitive nested attribute: `{}`).
pub fn is_all_null(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(attrs) => attrs.values().all(is_all_null),
        _ => false,
    }
}

/// Terraform's proposal for the nested attributes of `attrs`, made by the
/// provider where the schema marks an optional nested attribute computed
/// only so that Terraform before 1.1 does not descend into it: the
/// configuration, with the prior value of each computed attribute it leaves
/// unset.
pub fn propose(attrs: &[Attribute], config: &Value, prior: &Value) -> Value {
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
pub fn propose_nested(attrs: &[Attribute], config: &Value, prior: &Value, planned: &mut Value) {
    for a in attrs {
        if let (true, Some(inner)) = (a.optional, a.nested_attributes()) {
            let v = propose(inner, config.attr(&a.name), prior.attr(&a.name));
            planned.set_attr(a.name.clone(), v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::Attribute;

    fn block() -> Block {
        Block::new(vec![
            Attribute::string("id").computed(),
            Attribute::string("name").required(),
            Attribute::string("mode").optional().computed(),
            Attribute::string("secret")
                .optional()
                .sensitive()
                .write_only(),
            Attribute::single_nested(
                "conn",
                vec![
                    Attribute::string("host").required(),
                    Attribute::string("port").optional().computed(),
                ],
            )
            .optional(),
        ])
    }

    #[test]
    fn plan_marks_computed_unset_unknown() {
        let config = Value::object([
            ("name", Value::from("n")),
            ("mode", Value::from("fast")),
            ("conn", Value::object([("host", Value::from("h"))])),
        ]);
        let mut planned = config.clone();
        mark_computed_unknown(&block(), &config, &mut planned);
        assert!(planned.attr("id").is_unknown());
        assert_eq!(planned.attr("mode").as_str(), Some("fast"));
        assert!(planned.attr("conn").attr("port").is_unknown());
        assert!(planned.attr("secret").is_null());
    }

    #[test]
    fn plan_marks_all_computed_unknown_on_update() {
        let config = Value::object([
            ("name", Value::from("n")),
            ("mode", Value::from("fast")),
            ("conn", Value::object([("host", Value::from("h"))])),
        ]);
        let mut planned = Value::object([
            ("id", Value::from("1")),
            ("name", Value::from("n")),
            ("mode", Value::from("fast")),
            (
                "conn",
                Value::object([("host", Value::from("h")), ("port", Value::from("1"))]),
            ),
        ]);
        mark_all_computed_unknown(&block(), &config, &mut planned);
        assert!(planned.attr("id").is_unknown());
        assert_eq!(planned.attr("mode").as_str(), Some("fast"));
        assert!(planned.attr("conn").attr("port").is_unknown());
        assert_eq!(planned.attr("conn").attr("host").as_str(), Some("h"));
    }

    #[test]
    fn plan_enforces_config_and_write_only() {
        let config = Value::object([
            ("name", Value::from("n")),
            ("mode", Value::Null),
            ("secret", Value::from("s3cr3t")),
            (
                "conn",
                Value::object([("host", Value::from("h")), ("port", Value::Null)]),
            ),
        ]);
        let mut planned = Value::object([
            ("id", Value::from("1")),
            ("name", Value::from("changed-by-provider")),
            ("mode", Value::from("computed")),
            ("secret", Value::from("s3cr3t")),
            (
                "conn",
                Value::object([("host", Value::from("x")), ("port", Value::from("99"))]),
            ),
        ]);
        assert!(enforce_config_in_plan(&block(), &config, &mut planned));
        assert_eq!(planned.attr("name").as_str(), Some("n"));
        assert_eq!(planned.attr("mode").as_str(), Some("computed"));
        assert_eq!(planned.attr("id").as_str(), Some("1"));
        assert!(planned.attr("secret").is_null());
        assert_eq!(planned.attr("conn").attr("host").as_str(), Some("h"));
        assert_eq!(planned.attr("conn").attr("port").as_str(), Some("99"));
        // Already consistent: nothing changes.
        let mut again = planned.clone();
        assert!(!enforce_config_in_plan(&block(), &config, &mut again));
        assert_eq!(again, planned);
    }

    #[test]
    fn apply_result_checks_unknowns_and_planned_values() {
        let planned = Value::object([("name", Value::from("n")), ("id", Value::Unknown)]);
        let mut new_state = Value::object([
            ("name", Value::from("other")),
            ("id", Value::Unknown),
            ("secret", Value::from("x")),
        ]);
        let config = Value::object([("name", Value::from("n")), ("mode", Value::from("m"))]);
        let planned = planned.with_attr("mode", Value::from("m"));
        new_state.set_attr("mode", Value::from("changed"));
        let diags = enforce_apply_result(&block(), &config, &planned, &mut new_state);
        assert_eq!(new_state.attr("mode").as_str(), Some("m"));
        assert!(diags.has_errors());
        assert_eq!(
            diags.iter().next().unwrap().attribute,
            Some(AttributePath::new("id"))
        );
        assert_eq!(new_state.attr("name").as_str(), Some("n"));
        assert!(new_state.attr("secret").is_null());
    }
}
