//! What Immuta's page leaves open about a type attribute's values, in one
//! place, and how the provider stays correct whichever way Immuta answers:
//!
//! - **Documented defaults** ([`PlatformSpec::documented_defaults`]): a setting
//!   left out of the configuration is planned at Immuta's default, whatever
//!   state holds, and sent, so a change made outside Terraform shows as
//!   drift and the next apply puts the default back.
//! - **Values Immuta chooses** ([`PlatformSpec::chosen_by_immuta`]): left out of
//!   the configuration, they are unknown in a plan that creates or changes
//!   the integration, and otherwise keep what state holds. They are not
//!   managed: a change made outside Terraform is read, never reverted.
//! - **Tolerant reading** ([`reconcile`]): a value Immuta leaves out of an
//!   answer keeps what state (or the plan) holds, and so does any string
//!   Immuta answers `<REDACTED>` (or `REDACTED`), secret or not. A value
//!   present and different is drift. A value neither in the answer nor in
//!   state (after an import) takes its documented default, the meaning of
//!   its absence.
//!
//! `docs/immuta-api-assumptions.md` lists each of these with its source.

use super::Platform;
#[cfg(doc)]
use super::PlatformSpec;
use crate::framework::Value;
use immuta_api::Secret;

/// A documented default's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultValue {
    /// A number.
    Int(i64),
    /// A bool.
    Bool(bool),
    /// A string.
    Str(&'static str),
    /// `{ enabled = false }`.
    Off,
    /// `{ enabled = false, role = null }`.
    OffNoRole,
}

impl DefaultValue {
    /// The Terraform value.
    pub fn value(self) -> Value {
        match self {
            DefaultValue::Int(n) => Value::int(n),
            DefaultValue::Bool(b) => Value::Bool(b),
            DefaultValue::Str(s) => Value::from(s),
            DefaultValue::Off => Value::object([("enabled", Value::Bool(false))]),
            DefaultValue::OffNoRole => {
                Value::object([("enabled", Value::Bool(false)), ("role", Value::Null)])
            }
        }
    }
}

/// A path inside a type attribute, with Immuta's documented default there.
/// An entry applies only where the object holding it is set; an object's
/// entry comes before the entries inside it.
pub type DocumentedDefault = (&'static [&'static str], DefaultValue);

impl Platform {
    /// Plans the documented defaults into `planned` (the type attribute's
    /// planned object) wherever `config` leaves them unset.
    pub fn plan_documented_defaults(self, config: &Value, planned: &mut Value) {
        for (path, default) in self.documented_defaults() {
            let (parent, name) = split(path);
            let (Some(cfg), Some(out)) = (get(config, parent), get_mut(planned, parent)) else {
                continue;
            };
            if matches!(cfg, Value::Object(_))
                && matches!(out, Value::Object(_))
                && cfg.attr(name).is_null()
            {
                out.set_attr(name, default.value());
            }
        }
    }

    /// In a plan that creates or changes the integration, makes unknown each
    /// value Immuta chooses that `config` leaves unset and `planned` holds
    /// nothing for: Immuta may fill it in. An impersonation role is only
    /// chosen when impersonation is (or may be) enabled.
    pub fn plan_chosen_unknown(self, config: &Value, planned: &mut Value) {
        for path in self.chosen_by_immuta() {
            let (parent, name) = split(path);
            let (Some(cfg), Some(out)) = (get(config, parent), get_mut(planned, parent)) else {
                continue;
            };
            let cfg_unset = match cfg {
                Value::Object(_) => cfg.attr(name).is_null(),
                Value::Null => true,
                _ => false,
            };
            if !cfg_unset || !matches!(out, Value::Object(_)) || !out.attr(name).is_null() {
                continue;
            }
            if name == "role" && out.attr("enabled").as_bool() == Some(false) {
                continue;
            }
            out.set_attr(name, Value::Unknown);
        }
    }

    /// Fills in, in a type attribute read from Immuta (after
    /// [`reconcile`]), the documented default of each value still null: its
    /// absence from Immuta's answer means the default.
    pub fn read_documented_defaults(self, block: &mut Value) {
        for (path, default) in self.documented_defaults() {
            let (parent, name) = split(path);
            if let Some(out @ Value::Object(_)) = get_mut(block, parent) {
                if out.attr(name).is_null() {
                    out.set_attr(name, default.value());
                }
            }
        }
    }
}

/// Reads Immuta's answer `new` against `prior` (what state or the plan held
/// at the same place): a value left out of the answer (null) keeps the
/// prior value, and so does a string Immuta answers `<REDACTED>` or
/// `REDACTED` (null when there is no prior value). Objects are reconciled
/// attribute by attribute; lists and other values are Immuta's.
pub fn reconcile(new: &mut Value, prior: &Value) {
    match new {
        Value::String(s) if is_redacted(s) => {
            *new = match prior {
                Value::String(_) => prior.clone(),
                _ => Value::Null,
            };
        }
        Value::Null if !prior.is_null() && prior.is_fully_known() => *new = prior.clone(),
        Value::Object(attrs) => {
            for (k, v) in attrs.iter_mut() {
                reconcile(v, prior.attr(k));
            }
        }
        Value::List(items) => {
            for v in items.iter_mut() {
                if matches!(v, Value::String(s) if is_redacted(s)) {
                    *v = Value::Null;
                }
            }
        }
        _ => {}
    }
}

/// Whether `s` is Immuta's placeholder for a value it does not show.
pub fn is_redacted(s: &str) -> bool {
    Secret::new(s).is_redacted()
}

fn split<'a>(path: &'a [&'static str]) -> (&'a [&'static str], &'static str) {
    match path.split_last() {
        Some((name, parent)) => (parent, name),
        None => (&[], ""),
    }
}

fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, name| match v {
        Value::Object(_) => Some(v.attr(name)),
        _ => None,
    })
}

fn get_mut<'a>(v: &'a mut Value, path: &[&str]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, name| v.get_attr_mut(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integration::platforms::null_object;

    fn block(p: Platform, pairs: &[(&str, Value)]) -> Value {
        let mut v = null_object(&p.attribute());
        for (k, x) in pairs {
            v.set_attr(*k, x.clone());
        }
        v
    }

    #[test]
    fn every_path_names_an_attribute_of_its_type() {
        fn has(attrs: &[crate::framework::Attribute], path: &[&str]) -> bool {
            let Some((first, rest)) = path.split_first() else {
                return true;
            };
            attrs.iter().any(|a| {
                a.name == *first
                    && (rest.is_empty()
                        || a.nested_attributes().is_some_and(|inner| has(inner, rest)))
            })
        }
        for p in Platform::ALL {
            let attrs = p.nested_attributes();
            for (path, _) in p.documented_defaults() {
                assert!(has(&attrs, path), "{p:?} {path:?}");
            }
            for path in p.chosen_by_immuta() {
                assert!(has(&attrs, path), "{p:?} {path:?}");
            }
        }
    }

    #[test]
    fn an_unset_documented_setting_plans_the_default_over_state() {
        let config = block(Platform::SNOWFLAKE, &[("host", Value::from("h"))]);
        // State holds what someone switched on through the API.
        let mut planned = config.clone();
        planned.set_attr("audit", Value::object([("enabled", Value::Bool(true))]));
        planned.set_attr("port", Value::int(1443));
        Platform::SNOWFLAKE.plan_documented_defaults(&config, &mut planned);
        assert_eq!(
            planned.attr("audit"),
            &Value::object([("enabled", Value::Bool(false))])
        );
        assert_eq!(planned.attr("port"), &Value::int(443));
        assert_eq!(
            planned.attr("impersonation"),
            &Value::object([("enabled", Value::Bool(false)), ("role", Value::Null)])
        );
        // A set value is the configuration's.
        let mut config = config;
        config.set_attr("port", Value::int(8443));
        config.set_attr("audit", Value::object([("enabled", Value::Null)]));
        let mut planned = config.clone();
        Platform::SNOWFLAKE.plan_documented_defaults(&config, &mut planned);
        assert_eq!(planned.attr("port"), &Value::int(8443));
        assert_eq!(planned.attr("audit").attr("enabled"), &Value::Bool(false));
        // Inside an unset object nothing is planned.
        assert!(planned.attr("private_key").is_null());
    }

    #[test]
    fn chosen_values_are_unknown_only_where_nothing_is_known() {
        let config = block(
            Platform::AZURE_SYNAPSE,
            &[(
                "impersonation",
                Value::object([("enabled", Value::Bool(true)), ("role", Value::Null)]),
            )],
        );
        let mut planned = config.clone();
        Platform::AZURE_SYNAPSE.plan_chosen_unknown(&config, &mut planned);
        assert!(planned.attr("metadata_delimiters").is_unknown());
        assert!(planned.attr("impersonation").attr("role").is_unknown());
        // Kept from state: stays.
        let mut planned = config.clone();
        planned.set_attr(
            "impersonation",
            Value::object([("enabled", Value::Bool(true)), ("role", Value::from("R"))]),
        );
        Platform::AZURE_SYNAPSE.plan_chosen_unknown(&config, &mut planned);
        assert_eq!(
            planned.attr("impersonation").attr("role"),
            &Value::from("R")
        );
        // Disabled impersonation has no role.
        let config = block(
            Platform::REDSHIFT,
            &[(
                "impersonation",
                Value::object([("enabled", Value::Bool(false)), ("role", Value::Null)]),
            )],
        );
        let mut planned = config.clone();
        Platform::REDSHIFT.plan_chosen_unknown(&config, &mut planned);
        assert!(planned.attr("impersonation").attr("role").is_null());
    }

    #[test]
    fn reading_keeps_what_immuta_leaves_out_or_redacts() {
        let prior = Value::object([
            ("host", Value::from("h")),
            ("port", Value::int(5439)),
            ("role", Value::from("R")),
            (
                "okta",
                Value::object([("app_id", Value::from("A")), ("idp_host", Value::from("I"))]),
            ),
            ("database", Value::from("old")),
        ]);
        let mut new = Value::object([
            ("host", Value::from("h")),
            ("port", Value::Null),
            ("role", Value::from("<REDACTED>")),
            (
                "okta",
                Value::object([
                    ("app_id", Value::from("REDACTED")),
                    ("idp_host", Value::Null),
                ]),
            ),
            ("database", Value::from("new")),
        ]);
        reconcile(&mut new, &prior);
        let mut expected = prior.clone();
        expected.set_attr("database", Value::from("new"));
        assert_eq!(new, expected);
        // After an import nothing is known: a redacted value is null.
        let mut new = Value::object([("role", Value::from("<REDACTED>"))]);
        reconcile(&mut new, &Value::Null);
        assert_eq!(new, Value::object([("role", Value::Null)]));
    }

    #[test]
    fn reading_fills_documented_defaults_of_absent_values() {
        let mut v = block(Platform::REDSHIFT, &[("host", Value::from("h"))]);
        Platform::REDSHIFT.read_documented_defaults(&mut v);
        assert_eq!(v.attr("port"), &Value::int(5439));
        assert_eq!(v.attr("impersonation").attr("enabled"), &Value::Bool(false));
        let mut v = block(
            Platform::SNOWFLAKE,
            &[("audit", Value::object([("enabled", Value::Bool(true))]))],
        );
        Platform::SNOWFLAKE.read_documented_defaults(&mut v);
        assert_eq!(v.attr("audit").attr("enabled"), &Value::Bool(true));
        assert!(v.attr("private_key").is_null());
    }
}
