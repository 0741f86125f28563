//! Terraform numbers: arbitrary precision, kept as canonical decimal text.

use std::fmt;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
