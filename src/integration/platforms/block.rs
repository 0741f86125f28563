//! A type attribute's block struct (`SnowflakeBlock`...) read from and
//! written to its Terraform value through the framework's typed models, and
//! the field helpers the converters share.
//!
//! Each type file holds a block struct, one field per attribute of its
//! schema (named as the attribute, so a misspelling is a compile error
//! instead of a null), and one converter each way:
//! `to_config(&Block) -> Config` and `from_config(&Config, Option<&Block>)
//! -> Block`. Both list every field of both structs (a destructuring on one
//! side, a struct literal on the other), so a field added to either is a
//! compile error until the converters carry it. Secrets are
//! [`immuta_api::Secret`]s, whose `Debug` shows nothing of them. The
//! write-only twins (`<secret>_wo`) are no block fields: they exist only in
//! the resource's schema and are merged into the block before it is read
//! (see [`super::write_only`]).

use crate::framework::{model, Type, Value};
use immuta_api::Secret;
use serde::de::{DeserializeOwned, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// Reads a block struct from a type attribute's value for a request: null,
/// unknown and absent values all read as unset, so a request never carries
/// a value the user did not set or a plan does not know yet; a block that is
/// not an object reads as every field unset.
pub fn read<B: DeserializeOwned + Default>(v: &Value) -> B {
    if !matches!(v, Value::Object(_)) {
        return B::default();
    }
    model::from_value_unknown_as_null(v).unwrap_or_else(|e| {
        // Terraform types every value by the schema, and each block's unit
        // test checks its fields against it: this is a provider bug. The
        // error names the path and kinds, never a value.
        tracing::error!(error = %e, "a type attribute does not fit its block struct");
        B::default()
    })
}

/// The prior block (state or plan) a conversion from Immuta's answer takes
/// its secrets from; `None` when there is none (after an import).
pub fn read_prior<B: DeserializeOwned + Default>(v: &Value) -> Option<B> {
    matches!(v, Value::Object(_)).then(|| read(v))
}

/// Writes a block struct as a value of its schema type `ty`: every
/// attribute present, null where the struct holds `None`. `None` when the
/// struct does not fit the type, which each block's unit test rules out.
pub fn write<B: Serialize>(b: &B, ty: &Type) -> Option<Value> {
    model::to_value(b, ty)
        .map_err(|e| {
            tracing::error!(error = %e, "a block struct does not fit its schema type");
        })
        .ok()
}

/// A secret from Immuta's answer: the placeholder Immuta answers in its
/// place (`<REDACTED>`) takes the prior value, or none after an import, so
/// it never reaches state.
pub fn secret(answer: &Option<Secret>, prior: Option<&Secret>) -> Option<Secret> {
    match answer {
        Some(s) if s.is_redacted() => prior.cloned(),
        other => other.clone(),
    }
}

/// For `#[serde(deserialize_with)]`: a port, where a number that is not a
/// port from 1 to 65535 reads as unset (the checks report it, naming it).
pub fn lenient_port<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    struct PortVisitor;

    impl<'de> Visitor<'de> for PortVisitor {
        type Value = Option<u16>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number or null")
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }

        fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Self::Value, E> {
            Ok(u16::try_from(n).ok().filter(|p| *p > 0))
        }

        fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Self::Value, E> {
            Ok(u16::try_from(n).ok().filter(|p| *p > 0))
        }

        /// Not a whole number: not a port.
        fn visit_f64<E: serde::de::Error>(self, _n: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
    }

    d.deserialize_option(PortVisitor)
}

/// For `#[serde(deserialize_with)]`: a list of strings whose null (or
/// not-yet-known) elements are left out.
pub fn strings_skipping_nulls<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Vec<String>>, D::Error> {
    Ok(Option::<Vec<Option<String>>>::deserialize(d)?
        .map(|items| items.into_iter().flatten().collect()))
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::framework::model::assert_model_matches_schema;
    use crate::framework::{Attribute, Block};
    use serde::de::DeserializeOwned;

    /// Panics unless `B` has exactly one field per attribute inside the
    /// nested attribute `attr` (no more, no fewer).
    pub fn assert_block_matches<B: DeserializeOwned>(attr: &Attribute) {
        let inner = attr.nested_attributes().unwrap_or_default().to_vec();
        assert!(!inner.is_empty(), "{} has no nested attributes", attr.name);
        assert_model_matches_schema::<B>(&Block::new(inner));
    }

    /// The nested attribute `name` of a list of attributes.
    pub fn nested<'a>(attrs: &'a [Attribute], name: &str) -> &'a Attribute {
        attrs
            .iter()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("no attribute {name}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Attribute;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Sample {
        #[serde(deserialize_with = "lenient_port")]
        port: Option<u16>,
        #[serde(deserialize_with = "strings_skipping_nulls")]
        ids: Option<Vec<String>>,
        password: Option<Secret>,
        name: Option<String>,
    }

    fn ty() -> Type {
        Attribute::single_nested(
            "sample",
            vec![
                Attribute::number("port").optional(),
                Attribute::list("ids", Type::String).optional(),
                Attribute::string("password").optional().sensitive(),
                Attribute::string("name").optional(),
            ],
        )
        .value_type()
    }

    #[test]
    fn unknown_and_null_read_as_unset_and_bad_ports_as_none() {
        let v = Value::object([
            ("port", Value::int(70000)),
            (
                "ids",
                Value::List(vec![Value::from("a"), Value::Unknown, Value::Null]),
            ),
            ("password", Value::Unknown),
            ("name", Value::from("n")),
        ]);
        let s: Sample = read(&v);
        assert_eq!(s.port, None);
        assert_eq!(s.ids, Some(vec!["a".to_string()]));
        assert_eq!(s.password, None);
        assert_eq!(s.name.as_deref(), Some("n"));
        for (n, port) in [
            (0, None),
            (-1, None),
            (443, Some(443)),
            (65535, Some(65535)),
        ] {
            let s: Sample = read(&Value::object([("port", Value::int(n))]));
            assert_eq!(s.port, port, "{n}");
        }
        let s: Sample = read(&Value::object([(
            "port",
            Value::Number(crate::framework::Number::parse("443.5").unwrap()),
        )]));
        assert_eq!(s.port, None);
        // Not an object: every field unset; no prior then.
        assert_eq!(read::<Sample>(&Value::Unknown), Sample::default());
        assert_eq!(read_prior::<Sample>(&Value::Null), None);
    }

    #[test]
    fn written_blocks_hold_every_attribute_and_hide_secrets_in_debug() {
        let s = Sample {
            port: Some(443),
            ids: None,
            password: Some(Secret::new("hunter2")),
            name: None,
        };
        let v = write(&s, &ty()).unwrap();
        assert_eq!(v.attr("port").as_i64(), Some(443));
        assert_eq!(v.attr("password").as_str(), Some("hunter2"));
        assert_eq!(v.as_map().unwrap().len(), 4);
        assert!(v.attr("ids").is_null());
        assert!(!format!("{s:?}").contains("hunter2"));
        // A struct that does not fit the type is refused, not written.
        assert_eq!(write(&s, &Type::String), None);
    }

    #[test]
    fn redacted_secrets_take_the_prior_value() {
        let red = Some(Secret::redacted());
        let p = Secret::new("p");
        assert_eq!(secret(&red, Some(&p)), Some(p.clone()));
        assert_eq!(secret(&red, None), None);
        assert_eq!(secret(&Some(Secret::new("REDACTED")), None), None);
        assert_eq!(
            secret(&Some(Secret::new("new")), Some(&p)),
            Some(Secret::new("new"))
        );
        assert_eq!(secret(&None, Some(&p)), None);
    }
}
