//! Terraform values: null, unknown and known values, with accessors for resource code.

use std::collections::BTreeMap;
use std::fmt;

use crate::framework::diag::Diagnostic;
use crate::framework::path::{AttributePath, PathStep};

/// A number kept as a canonical decimal string, so no precision is lost.
///
/// Integers that fit `i64`/`u64` are stored in plain integer form; other
/// values keep the decimal text they arrived with.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Number(String);

/// Failure to parse a number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid number literal")]
pub struct NumberError;

impl Number {
    /// Parses a decimal literal (`-12`, `3.5`, `1e400`) into canonical form.
    pub fn parse(s: &str) -> Result<Number, NumberError> {
        let d = Decimal::parse(s).ok_or(NumberError)?;
        Ok(Number(d.canonical()))
    }

    /// The exact value of a float; `None` for NaN or infinity.
    pub fn from_f64(f: f64) -> Option<Number> {
        if !f.is_finite() {
            return None;
        }
        Some(Number(exact_f64_decimal(f).canonical()))
    }

    /// The canonical decimal text (no exponent unless the value is huge or tiny).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value as `i64` when it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }

    /// The value as `u64` when it is a non-negative integer in range.
    pub fn as_u64(&self) -> Option<u64> {
        self.0.parse().ok()
    }

    /// The value as `f64` (may round).
    pub fn as_f64(&self) -> Option<f64> {
        self.0.parse::<f64>().ok().filter(|f| f.is_finite())
    }

    /// Whether the value is a whole number.
    pub fn is_integer(&self) -> bool {
        !self.0.contains(['.', 'e'])
    }

    /// The value as `f64` only when the shortest text of that float equals
    /// this number's text (so writing the float as JSON loses nothing).
    pub(crate) fn as_exact_f64(&self) -> Option<f64> {
        let f = self.as_f64()?;
        (format!("{f}") == self.0).then_some(f)
    }
}

/// Longest decimal literal accepted.
const MAX_NUMBER_TEXT: usize = 4096;
/// Values whose decimal point lies further out than this keep exponent form.
const MAX_PLAIN_EXPONENT: i64 = 1000;

/// A decimal as sign, significant digits and the position of the decimal
/// point (value = 0.DIGITS * 10^point).
struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    point: i64,
}

impl Decimal {
    fn parse(s: &str) -> Option<Decimal> {
        if s.len() > MAX_NUMBER_TEXT {
            return None;
        }
        let b = s.as_bytes();
        let mut i = 0;
        let negative = b.first() == Some(&b'-');
        if negative || b.first() == Some(&b'+') {
            i += 1;
        }
        let mut digits = Vec::new();
        while i < b.len() && b[i].is_ascii_digit() {
            digits.push(b[i] - b'0');
            i += 1;
        }
        let mut point = digits.len() as i64;
        let mut any = !digits.is_empty();
        if i < b.len() && b[i] == b'.' {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                digits.push(b[i] - b'0');
                any = true;
                i += 1;
            }
        }
        if !any {
            return None;
        }
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            i += 1;
            let mut neg_exp = false;
            if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
                neg_exp = b[i] == b'-';
                i += 1;
            }
            let es = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == es || i - es > 6 {
                return None;
            }
            let e: i64 = s[es..i].parse().ok()?;
            point += if neg_exp { -e } else { e };
        }
        if i != b.len() {
            return None;
        }
        Some(Decimal {
            negative,
            digits,
            point,
        })
    }

    fn canonical(mut self) -> String {
        let lead = self.digits.iter().take_while(|d| **d == 0).count();
        self.digits.drain(..lead);
        self.point -= lead as i64;
        while self.digits.last() == Some(&0) {
            self.digits.pop();
        }
        if self.digits.is_empty() {
            return "0".to_string();
        }
        let mut out = String::new();
        if self.negative {
            out.push('-');
        }
        let ds: String = self.digits.iter().map(|d| char::from(b'0' + d)).collect();
        let n = ds.len() as i64;
        if self.point > MAX_PLAIN_EXPONENT || self.point < -MAX_PLAIN_EXPONENT {
            out.push_str("0.");
            out.push_str(&ds);
            out.push('e');
            out.push_str(&self.point.to_string());
        } else if self.point <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-self.point) as usize));
            out.push_str(&ds);
        } else if self.point >= n {
            out.push_str(&ds);
            out.extend(std::iter::repeat_n('0', (self.point - n) as usize));
        } else {
            let (a, b) = ds.split_at(self.point as usize);
            out.push_str(a);
            out.push('.');
            out.push_str(b);
        }
        out
    }
}

/// The exact decimal value of a finite float (mantissa * 2^exponent).
fn exact_f64_decimal(f: f64) -> Decimal {
    const BASE: u64 = 1_000_000_000;
    let bits = f.to_bits();
    let negative = bits >> 63 != 0;
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1u64 << 52) - 1);
    let (mantissa, exp) = if biased == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), biased - 1075)
    };
    // Little-endian base 1e9 limbs.
    let mut limbs: Vec<u64> = vec![mantissa % BASE, mantissa / BASE];
    let mul = |limbs: &mut Vec<u64>, m: u64| {
        let mut carry = 0u64;
        for l in limbs.iter_mut() {
            let v = *l * m + carry;
            *l = v % BASE;
            carry = v / BASE;
        }
        while carry > 0 {
            limbs.push(carry % BASE);
            carry /= BASE;
        }
    };
    // m * 2^e for e >= 0; m * 5^k / 10^k for e = -k.
    let (mut count, factor, chunk, chunk_factor) = if exp >= 0 {
        (exp, 2u64, 29, 1u64 << 29)
    } else {
        (-exp, 5u64, 13, 1_220_703_125u64)
    };
    while count >= chunk {
        mul(&mut limbs, chunk_factor);
        count -= chunk;
    }
    for _ in 0..count {
        mul(&mut limbs, factor);
    }
    while limbs.len() > 1 && limbs.last() == Some(&0) {
        limbs.pop();
    }
    let mut text = String::new();
    for (i, l) in limbs.iter().rev().enumerate() {
        if i == 0 {
            text.push_str(&l.to_string());
        } else {
            text.push_str(&format!("{l:09}"));
        }
    }
    let digits: Vec<u8> = text.bytes().map(|c| c - b'0').collect();
    let len = digits.len() as i64;
    Decimal {
        negative,
        digits,
        point: if exp >= 0 { len } else { len + exp },
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Self {
        Number(i.to_string())
    }
}

impl From<u64> for Number {
    fn from(u: u64) -> Self {
        Number(u.to_string())
    }
}

impl From<i32> for Number {
    fn from(i: i32) -> Self {
        Number(i.to_string())
    }
}

/// A Terraform value. Values are untyped; the [`crate::framework::types::Type`] is given
/// when encoding or decoding.
///
/// Equality treats sets as unordered.
#[derive(Clone, Default)]
pub enum Value {
    /// Null (absent).
    #[default]
    Null,
    /// Not known until apply.
    Unknown,
    /// A string.
    String(String),
    /// A number.
    Number(Number),
    /// A boolean.
    Bool(bool),
    /// A list.
    List(Vec<Value>),
    /// A set (element order carries no meaning).
    Set(Vec<Value>),
    /// A map.
    Map(BTreeMap<String, Value>),
    /// An object.
    Object(BTreeMap<String, Value>),
    /// A tuple.
    Tuple(Vec<Value>),
}

static NULL: Value = Value::Null;

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) | (Value::Unknown, Value::Unknown) => true,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => a == b,
            (Value::Map(a), Value::Map(b)) | (Value::Object(a), Value::Object(b)) => a == b,
            (Value::Set(a), Value::Set(b)) => {
                if a.len() != b.len() {
                    return false;
                }
                let mut used = vec![false; b.len()];
                a.iter().all(|x| {
                    let hit = b
                        .iter()
                        .enumerate()
                        .find(|(i, y)| !used[*i] && *y == x)
                        .map(|(i, _)| i);
                    match hit {
                        Some(i) => {
                            used[i] = true;
                            true
                        }
                        None => false,
                    }
                })
            }
            _ => false,
        }
    }
}

impl Eq for Value {}

/// Debug output never shows string contents (they may be secrets).
impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Unknown => f.write_str("unknown"),
            Value::String(_) => f.write_str("\"***\""),
            Value::Number(n) => write!(f, "{n}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::List(v) => {
                f.write_str("list")?;
                f.debug_list().entries(v).finish()
            }
            Value::Set(v) => {
                f.write_str("set")?;
                f.debug_list().entries(v).finish()
            }
            Value::Tuple(v) => {
                f.write_str("tuple")?;
                f.debug_list().entries(v).finish()
            }
            Value::Map(m) => {
                f.write_str("map")?;
                f.debug_map().entries(m).finish()
            }
            Value::Object(m) => {
                f.write_str("object")?;
                f.debug_map().entries(m).finish()
            }
        }
    }
}

impl Value {
    /// A string value.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// A number value from an integer.
    pub fn int(i: i64) -> Value {
        Value::Number(Number::from(i))
    }

    /// An object value from `(name, value)` pairs.
    pub fn object<I, K>(attrs: I) -> Value
    where
        I: IntoIterator<Item = (K, Value)>,
        K: Into<String>,
    {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A string value, or null for `None`.
    pub fn opt_string(s: Option<impl Into<String>>) -> Value {
        s.map_or(Value::Null, |s| Value::String(s.into()))
    }

    /// Whether the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Whether the value itself is unknown (nested unknowns not considered).
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// Whether the value itself is known (it may still contain unknowns).
    pub fn is_known(&self) -> bool {
        !self.is_unknown()
    }

    /// Replaces every unknown inside this value with null: what a state
    /// saved after a failure, or an apply's result, may hold.
    pub fn unknowns_to_null(&mut self) {
        match self {
            Value::Unknown => *self = Value::Null,
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                items.iter_mut().for_each(Value::unknowns_to_null)
            }
            Value::Map(m) | Value::Object(m) => m.values_mut().for_each(Value::unknowns_to_null),
            _ => {}
        }
    }

    /// Whether neither the value nor anything nested in it is unknown.
    pub fn is_fully_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => v.iter().all(Value::is_fully_known),
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_fully_known),
            _ => true,
        }
    }

    /// The attribute `name` of an object (or map entry); `None` when absent or not an object.
    pub fn get_attr(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(m) | Value::Map(m) => m.get(name),
            _ => None,
        }
    }

    /// The attribute `name`, or null when absent.
    pub fn attr(&self, name: &str) -> &Value {
        self.get_attr(name).unwrap_or(&NULL)
    }

    /// Mutable access to attribute `name` of an object.
    pub fn get_attr_mut(&mut self, name: &str) -> Option<&mut Value> {
        match self {
            Value::Object(m) | Value::Map(m) => m.get_mut(name),
            _ => None,
        }
    }

    /// Sets attribute `name`; turns a null/unknown value into an object first.
    pub fn set_attr(&mut self, name: impl Into<String>, v: Value) {
        match self {
            Value::Object(m) | Value::Map(m) => {
                m.insert(name.into(), v);
            }
            _ => {
                let mut m = BTreeMap::new();
                m.insert(name.into(), v);
                *self = Value::Object(m);
            }
        }
    }

    /// Builder form of [`Value::set_attr`].
    pub fn with_attr(mut self, name: impl Into<String>, v: Value) -> Value {
        self.set_attr(name, v);
        self
    }

    /// The value at `path`; `None` when a step does not exist.
    pub fn at(&self, path: &AttributePath) -> Option<&Value> {
        let mut cur = self;
        for step in path.steps() {
            cur = match (step, cur) {
                (PathStep::Attribute(n), Value::Object(m)) => m.get(n)?,
                (PathStep::ElementKeyString(k), Value::Map(m)) => m.get(k)?,
                (PathStep::ElementKeyInt(i), Value::List(v) | Value::Tuple(v) | Value::Set(v)) => {
                    v.get(usize::try_from(*i).ok()?)?
                }
                _ => return None,
            };
        }
        Some(cur)
    }

    /// Mutable value at `path`.
    pub fn at_mut(&mut self, path: &AttributePath) -> Option<&mut Value> {
        let mut cur = self;
        for step in path.steps() {
            cur = match (step, cur) {
                (PathStep::Attribute(n), Value::Object(m)) => m.get_mut(n)?,
                (PathStep::ElementKeyString(k), Value::Map(m)) => m.get_mut(k)?,
                (PathStep::ElementKeyInt(i), Value::List(v) | Value::Tuple(v) | Value::Set(v)) => {
                    v.get_mut(usize::try_from(*i).ok()?)?
                }
                _ => return None,
            };
        }
        Some(cur)
    }

    /// The string, if this is a known string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is a known bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is a known number.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The number as `i64`, if it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// The number as `f64`.
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().and_then(Number::as_f64)
    }

    /// Elements of a list, set or tuple.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }

    /// Entries of a map or object.
    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// Short name of the value's kind, for messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Unknown => "unknown",
            Value::String(_) => "string",
            Value::Number(_) => "number",
            Value::Bool(_) => "bool",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Map(_) => "map",
            Value::Object(_) => "object",
            Value::Tuple(_) => "tuple",
        }
    }

    fn lookup_known(&self, path: &AttributePath) -> Result<Option<&Value>, Diagnostic> {
        match self.at(path) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Unknown) => Err(Diagnostic::attribute_error(
                path.clone(),
                "Value not yet known",
                format!("The value of {path} is not known yet; it is needed here."),
            )),
            Some(v) => Ok(Some(v)),
        }
    }

    fn mismatch(path: &AttributePath, want: &str, got: &Value) -> Diagnostic {
        Diagnostic::attribute_error(
            path.clone(),
            "Unexpected value type",
            format!("Expected {want} at {path}, found {}.", got.kind_name()),
        )
    }

    /// The string at `path`: `Ok(None)` when null/absent, an error diagnostic
    /// (with the path) when unknown or not a string.
    pub fn string_at(&self, path: &AttributePath) -> Result<Option<&str>, Diagnostic> {
        match self.lookup_known(path)? {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(Self::mismatch(path, "a string", v)),
        }
    }

    /// The bool at `path` (see [`Value::string_at`]).
    pub fn bool_at(&self, path: &AttributePath) -> Result<Option<bool>, Diagnostic> {
        match self.lookup_known(path)? {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(Self::mismatch(path, "a bool", v)),
        }
    }

    /// The integer at `path` (see [`Value::string_at`]); fractional or out-of-range numbers are errors.
    pub fn i64_at(&self, path: &AttributePath) -> Result<Option<i64>, Diagnostic> {
        match self.lookup_known(path)? {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| {
                Diagnostic::attribute_error(
                    path.clone(),
                    "Invalid number",
                    format!("Expected a whole number at {path}."),
                )
            }),
            Some(v) => Err(Self::mismatch(path, "a number", v)),
        }
    }

    /// The elements of the list/set/tuple at `path` (see [`Value::string_at`]).
    pub fn list_at(&self, path: &AttributePath) -> Result<Option<&[Value]>, Diagnostic> {
        match self.lookup_known(path)? {
            None => Ok(None),
            Some(v) => v
                .as_list()
                .map(Some)
                .ok_or_else(|| Self::mismatch(path, "a list", v)),
        }
    }

    /// The entries of the map/object at `path` (see [`Value::string_at`]).
    pub fn map_at(
        &self,
        path: &AttributePath,
    ) -> Result<Option<&BTreeMap<String, Value>>, Diagnostic> {
        match self.lookup_known(path)? {
            None => Ok(None),
            Some(v) => v
                .as_map()
                .map(Some)
                .ok_or_else(|| Self::mismatch(path, "a map or object", v)),
        }
    }

    /// Like [`Value::string_at`] but null is an error too.
    pub fn required_string_at(&self, path: &AttributePath) -> Result<&str, Diagnostic> {
        self.string_at(path)?.ok_or_else(|| {
            Diagnostic::attribute_error(
                path.clone(),
                "Missing required value",
                format!("{path} must be set."),
            )
        })
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::int(i)
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Value::Number(n)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(o: Option<T>) -> Self {
        o.map_or(Value::Null, Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknowns_to_null_reaches_every_nested_value() {
        let mut v = Value::object([
            ("a", Value::Unknown),
            ("b", Value::List(vec![Value::Unknown, Value::from("x")])),
            ("c", Value::object([("d", Value::Unknown)])),
        ]);
        v.unknowns_to_null();
        assert!(v.is_fully_known());
        assert_eq!(v.attr("a"), &Value::Null);
        assert_eq!(
            v.attr("b"),
            &Value::List(vec![Value::Null, Value::from("x")])
        );
        assert_eq!(v.attr("c").attr("d"), &Value::Null);
    }

    #[test]
    fn number_parse_and_normalise() {
        assert_eq!(Number::parse("2.0").unwrap().as_str(), "2");
        assert_eq!(Number::parse("1e3").unwrap().as_i64(), Some(1000));
        assert_eq!(Number::parse("-7").unwrap().as_i64(), Some(-7));
        let big = "123456789012345678901234567890.5";
        assert_eq!(Number::parse(big).unwrap().as_str(), big);
        assert_eq!(Number::parse("0.1").unwrap().as_f64(), Some(0.1));
        for bad in ["", "-", "1e", ".", "abc", "1.2.3", "NaN", "inf"] {
            assert!(Number::parse(bad).is_err(), "{bad}");
        }
        assert!(Number::from_f64(f64::NAN).is_none());
        assert_eq!(
            Number::parse("+1.50").unwrap(),
            Number::parse("1.5").unwrap()
        );
        assert_eq!(Number::parse("1e2000").unwrap().as_str(), "0.1e2001");
        assert_eq!(Number::parse("1e400").unwrap().as_str().len(), 401);
        assert_eq!(Number::parse("-0.0").unwrap().as_str(), "0");
        assert_eq!(Number::parse(".5").unwrap().as_str(), "0.5");
        assert_eq!(Number::parse("0012.3400").unwrap().as_str(), "12.34");
        assert_eq!(Number::parse("-1.5e-3").unwrap().as_str(), "-0.0015");
        // Not rounded through f64.
        assert_eq!(
            Number::parse("2.0000000000000000001").unwrap().as_str(),
            "2.0000000000000000001"
        );
        assert!(Number::parse("1e9999999").is_err());
        assert!(Number::parse(&"1".repeat(5000)).is_err());
    }

    #[test]
    fn number_from_f64_is_exact() {
        assert_eq!(Number::from_f64(0.5).unwrap().as_str(), "0.5");
        assert_eq!(Number::from_f64(-2.0).unwrap().as_str(), "-2");
        assert_eq!(
            Number::from_f64(18446744073709551616.0).unwrap().as_str(),
            "18446744073709551616"
        );
        assert_eq!(
            Number::from_f64(0.1).unwrap().as_str(),
            "0.1000000000000000055511151231257827021181583404541015625"
        );
        assert_eq!(
            Number::from_f64(f64::MIN_POSITIVE).unwrap().as_f64(),
            Some(f64::MIN_POSITIVE)
        );
        assert!(Number::from_f64(f64::MAX).unwrap().is_integer());
        assert_eq!(Number::from_f64(1e300).unwrap().as_f64(), Some(1e300));
    }

    #[test]
    fn value_set_equality_ignores_order() {
        let a = Value::Set(vec![Value::from("x"), Value::from("y"), Value::from("x")]);
        let b = Value::Set(vec![Value::from("x"), Value::from("x"), Value::from("y")]);
        let c = Value::Set(vec![Value::from("x"), Value::from("y"), Value::from("y")]);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(
            Value::List(vec![Value::int(1), Value::int(2)]),
            Value::List(vec![Value::int(2), Value::int(1)])
        );
        assert_ne!(Value::Set(vec![]), Value::List(vec![]));
    }

    #[test]
    fn value_accessors_and_typed_extraction() {
        let v = Value::object([
            ("host", Value::from("h")),
            ("port", Value::int(443)),
            ("tls", Value::Bool(true)),
            ("later", Value::Unknown),
            (
                "tests",
                Value::List(vec![Value::from("a"), Value::from("b")]),
            ),
            ("snowflake", Value::object([("password", Value::from("p"))])),
        ]);
        assert_eq!(v.attr("host").as_str(), Some("h"));
        assert!(v.attr("missing").is_null());
        assert_eq!(v.i64_at(&"port".into()).unwrap(), Some(443));
        assert_eq!(v.bool_at(&"tls".into()).unwrap(), Some(true));
        assert_eq!(v.string_at(&"missing".into()).unwrap(), None);
        assert_eq!(
            v.string_at(&AttributePath::new("tests").index(1)).unwrap(),
            Some("b")
        );
        assert_eq!(
            v.required_string_at(&AttributePath::new("snowflake").attr("password"))
                .unwrap(),
            "p"
        );
        let err = v.string_at(&"port".into()).unwrap_err();
        assert_eq!(err.attribute, Some(AttributePath::new("port")));
        let err = v.string_at(&"later".into()).unwrap_err();
        assert_eq!(err.summary, "Value not yet known");
        assert!(!v.is_fully_known());
        assert!(v.is_known());
        let err = v.required_string_at(&"missing".into()).unwrap_err();
        assert_eq!(err.attribute.unwrap().to_string(), "missing");
    }

    #[test]
    fn value_debug_hides_strings() {
        let v = Value::object([("password", Value::from("hunter2"))]);
        let dbg = format!("{v:?}");
        assert!(!dbg.contains("hunter2"));
        assert!(dbg.contains("password"));
    }
}
