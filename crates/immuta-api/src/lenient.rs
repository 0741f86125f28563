//! Tolerant reading of scalars: Immuta's pages show ports as numbers and
//! flags as booleans, but an answer may carry them as strings (`"5439"`,
//! `"true"`). These `deserialize_with` functions accept either; writing is
//! unchanged (a number stays a number, a boolean a boolean).
//!
//! ```
//! # use serde::Deserialize;
//! #[derive(Deserialize)]
//! struct C {
//!     #[serde(default, deserialize_with = "immuta_api::lenient::opt_u16")]
//!     port: Option<u16>,
//! }
//! let c: C = serde_json::from_str(r#"{"port": "5439"}"#).unwrap();
//! assert_eq!(c.port, Some(5439));
//! ```

use serde::de::{self, Deserializer, Unexpected, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// An optional port: a number in `0..=65535`, a string holding one, or
/// `null`.
pub fn opt_u16<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    d.deserialize_any(Tolerant::<u16>(PhantomData))
}

/// An optional flag: `true`/`false`, a string holding one (any case,
/// surrounding blanks ignored), or `null`.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    d.deserialize_any(Tolerant::<bool>(PhantomData))
}

/// A scalar read from its own JSON type or from a string.
trait Scalar: Sized {
    /// What the error message says was expected.
    const EXPECTING: &'static str;
    fn from_u64(_: u64) -> Option<Self> {
        None
    }
    fn from_bool(_: bool) -> Option<Self> {
        None
    }
    fn from_text(text: &str) -> Option<Self>;
}

impl Scalar for u16 {
    const EXPECTING: &'static str = "a port number (0 to 65535) or a string holding one";
    fn from_u64(n: u64) -> Option<Self> {
        u16::try_from(n).ok()
    }
    fn from_text(text: &str) -> Option<Self> {
        text.parse().ok()
    }
}

impl Scalar for bool {
    const EXPECTING: &'static str = "a boolean or a string holding one";
    fn from_bool(b: bool) -> Option<Self> {
        Some(b)
    }
    fn from_text(text: &str) -> Option<Self> {
        if text.eq_ignore_ascii_case("true") {
            Some(true)
        } else if text.eq_ignore_ascii_case("false") {
            Some(false)
        } else {
            None
        }
    }
}

struct Tolerant<T>(PhantomData<T>);

impl<T: Scalar> Tolerant<T> {
    fn or_invalid<E: de::Error>(&self, v: Option<T>, what: Unexpected<'_>) -> Result<Option<T>, E> {
        v.map(Some).ok_or_else(|| E::invalid_type(what, self))
    }
}

impl<'de, T: Scalar> Visitor<'de> for Tolerant<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
        self.or_invalid(T::from_bool(b), Unexpected::Bool(b))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
        self.or_invalid(T::from_u64(n), Unexpected::Unsigned(n))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
        let v = u64::try_from(n).ok().and_then(T::from_u64);
        self.or_invalid(v, Unexpected::Signed(n))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        self.or_invalid(T::from_text(s.trim()), Unexpected::Str(s))
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Probe {
        #[serde(default, deserialize_with = "super::opt_u16")]
        port: Option<u16>,
        #[serde(default, deserialize_with = "super::opt_bool")]
        on: Option<bool>,
        #[serde(flatten)]
        extra: serde_json::Map<String, serde_json::Value>,
    }

    fn read(v: serde_json::Value) -> Result<(Option<u16>, Option<bool>), String> {
        serde_json::from_value::<Probe>(v)
            .map(|p| (p.port, p.on))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn numbers_booleans_and_strings_holding_them() {
        assert_eq!(
            read(json!({"port": 5439, "on": true})),
            Ok((Some(5439), Some(true)))
        );
        assert_eq!(
            read(json!({"port": "5439", "on": "true"})),
            Ok((Some(5439), Some(true)))
        );
        assert_eq!(
            read(json!({"port": " 443 ", "on": "FALSE"})),
            Ok((Some(443), Some(false)))
        );
        assert_eq!(read(json!({"port": null, "on": null})), Ok((None, None)));
        assert_eq!(read(json!({})), Ok((None, None)));
        // From text too (not only through a JSON tree), and outside `flatten`.
        #[derive(Deserialize)]
        struct Plain {
            #[serde(default, deserialize_with = "super::opt_bool")]
            on: Option<bool>,
        }
        let p: Plain = serde_json::from_str(r#"{"on": "true"}"#).unwrap();
        assert_eq!(p.on, Some(true));
        let p: Plain = serde_json::from_str(r#"{"on": false}"#).unwrap();
        assert_eq!(p.on, Some(false));
    }

    #[test]
    fn what_holds_no_such_value_is_an_error() {
        for bad in [
            json!({"port": "x"}),
            json!({"port": 70000}),
            json!({"port": -1}),
            json!({"port": 5439.5}),
            json!({"port": "70000"}),
            json!({"port": true}),
            json!({"on": "yes"}),
            json!({"on": 1}),
            json!({"on": {"a": 1}}),
        ] {
            let e = read(bad.clone()).expect_err(&bad.to_string());
            assert!(e.contains("invalid type"), "{bad}: {e}");
        }
        let e = read(json!({"port": "four"})).unwrap_err();
        assert!(e.contains("a port number"), "{e}");
    }
}
