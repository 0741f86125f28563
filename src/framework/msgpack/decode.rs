//! The bounded MessagePack reader.

use super::*;
use crate::framework::path::PathStep;

enum Head<'a> {
    Nil,
    Bool(bool),
    UInt(u64),
    Int(i64),
    Float(f64),
    Str(&'a [u8]),
    Bin(&'a [u8]),
    Array(usize),
    Map(usize),
    Ext,
}

impl Head<'_> {
    fn name(&self) -> &'static str {
        match self {
            Head::Nil => "nil",
            Head::Bool(_) => "bool",
            Head::UInt(_) | Head::Int(_) => "integer",
            Head::Float(_) => "float",
            Head::Str(_) => "string",
            Head::Bin(_) => "binary",
            Head::Array(_) => "array",
            Head::Map(_) => "map",
            Head::Ext => "extension",
        }
    }
}

pub(super) struct Reader<'a> {
    pub(super) buf: &'a [u8],
    pub(super) pos: usize,
    /// What the decoded value may still take.
    pub(super) budget: DecodeBudget,
}

impl<'a> Reader<'a> {
    /// Takes `bytes` of decoded size from the budget, before they are
    /// allocated where that can be done.
    pub(super) fn charge(&mut self, bytes: usize) -> Result<(), MsgpackError> {
        self.budget.charge(bytes).map_err(err)
    }

    /// A string's text, its length charged first.
    fn text(&mut self, b: &'a [u8]) -> Result<String, MsgpackError> {
        self.charge(b.len())?;
        Ok(self.utf8(b)?.to_string())
    }

    /// A number, its text charged.
    fn number(&mut self, n: Number) -> Result<Value, MsgpackError> {
        self.charge(n.as_str().len())?;
        Ok(Value::Number(n))
    }

    pub(super) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], MsgpackError> {
        if n > self.remaining() {
            return Err(err("unexpected end of data"));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, MsgpackError> {
        Ok(self.take(1)?[0])
    }

    fn be(&mut self, n: usize) -> Result<u64, MsgpackError> {
        let bytes = self.take(n)?;
        Ok(bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    fn len(&mut self, n: usize) -> Result<usize, MsgpackError> {
        let v = self.be(n)?;
        usize::try_from(v).map_err(|_| err("length too large"))
    }

    fn head(&mut self) -> Result<Head<'a>, MsgpackError> {
        let m = self.u8()?;
        Ok(match m {
            0x00..=0x7f => Head::UInt(u64::from(m)),
            0x80..=0x8f => Head::Map(usize::from(m & 0x0f)),
            0x90..=0x9f => Head::Array(usize::from(m & 0x0f)),
            0xa0..=0xbf => Head::Str(self.take(usize::from(m & 0x1f))?),
            0xc0 => Head::Nil,
            0xc2 => Head::Bool(false),
            0xc3 => Head::Bool(true),
            0xc4 => {
                let n = self.len(1)?;
                Head::Bin(self.take(n)?)
            }
            0xc5 => {
                let n = self.len(2)?;
                Head::Bin(self.take(n)?)
            }
            0xc6 => {
                let n = self.len(4)?;
                Head::Bin(self.take(n)?)
            }
            0xc7..=0xc9 => {
                let n = self.len(1 << (m - 0xc7))?;
                self.take(1)?; // extension type
                self.take(n)?;
                Head::Ext
            }
            0xca => Head::Float(f64::from(f32::from_bits(self.be(4)? as u32))),
            0xcb => Head::Float(f64::from_bits(self.be(8)?)),
            0xcc => Head::UInt(self.be(1)?),
            0xcd => Head::UInt(self.be(2)?),
            0xce => Head::UInt(self.be(4)?),
            0xcf => Head::UInt(self.be(8)?),
            0xd0 => Head::Int(i64::from(self.be(1)? as u8 as i8)),
            0xd1 => Head::Int(i64::from(self.be(2)? as u16 as i16)),
            0xd2 => Head::Int(i64::from(self.be(4)? as u32 as i32)),
            0xd3 => Head::Int(self.be(8)? as i64),
            0xd4..=0xd8 => {
                self.take(1)?; // extension type
                self.take(1 << (m - 0xd4))?;
                Head::Ext
            }
            0xd9 => {
                let n = self.len(1)?;
                Head::Str(self.take(n)?)
            }
            0xda => {
                let n = self.len(2)?;
                Head::Str(self.take(n)?)
            }
            0xdb => {
                let n = self.len(4)?;
                Head::Str(self.take(n)?)
            }
            0xdc => Head::Array(self.len(2)?),
            0xdd => Head::Array(self.len(4)?),
            0xde => Head::Map(self.len(2)?),
            0xdf => Head::Map(self.len(4)?),
            0xe0..=0xff => Head::Int(i64::from(m as i8)),
            0xc1 => return Err(err("reserved marker byte 0xc1")),
        })
    }

    fn utf8(&self, b: &'a [u8]) -> Result<&'a str, MsgpackError> {
        std::str::from_utf8(b).map_err(|_| err("string is not valid UTF-8"))
    }

    fn mismatch(&self, ty: &Type, h: &Head<'_>) -> MsgpackError {
        err(format!(
            "expected a value of type {ty}, found msgpack {}",
            h.name()
        ))
    }

    /// A capacity hint that a lying length prefix cannot inflate: every
    /// element takes at least one byte.
    fn cap(&self, n: usize) -> usize {
        n.min(self.remaining())
    }

    pub(super) fn value(&mut self, ty: &Type, depth: usize) -> Result<Value, MsgpackError> {
        if depth > MAX_VALUE_DEPTH {
            return Err(err("value nested too deeply"));
        }
        let h = self.head()?;
        match h {
            Head::Nil => return Ok(Value::Null),
            Head::Ext => return Ok(Value::Unknown),
            _ => {}
        }
        match ty {
            Type::String => match h {
                Head::Str(b) => Ok(Value::String(self.text(b)?)),
                _ => Err(self.mismatch(ty, &h)),
            },
            Type::Bool => match h {
                Head::Bool(b) => Ok(Value::Bool(b)),
                _ => Err(self.mismatch(ty, &h)),
            },
            Type::Number => match h {
                Head::UInt(u) => self.number(Number::from(u)),
                Head::Int(i) => self.number(Number::from(i)),
                Head::Float(f) => match Number::from_f64(f) {
                    Some(n) => self.number(n),
                    None => Err(err("number is not finite")),
                },
                Head::Str(b) => match Number::parse(self.utf8(b)?) {
                    Ok(n) => self.number(n),
                    Err(_) => Err(err("invalid number text")),
                },
                _ => Err(self.mismatch(ty, &h)),
            },
            Type::List(e) | Type::Set(e) => {
                let Head::Array(n) = h else {
                    return Err(self.mismatch(ty, &h));
                };
                let cap = self.cap(n);
                self.charge(cap.saturating_mul(SLOT))?;
                let mut out = Vec::with_capacity(cap);
                for i in 0..n {
                    out.push(
                        self.value(e, depth + 1)
                            .map_err(|e| e.under(PathStep::ElementKeyInt(i as i64)))?,
                    );
                }
                Ok(if matches!(ty, Type::List(_)) {
                    Value::List(out)
                } else {
                    Value::Set(out)
                })
            }
            Type::Tuple(es) => {
                let Head::Array(n) = h else {
                    return Err(self.mismatch(ty, &h));
                };
                if n != es.len() {
                    return Err(err(format!("tuple needs {} elements, found {n}", es.len())));
                }
                self.charge(n.saturating_mul(SLOT))?;
                let mut out = Vec::with_capacity(n);
                for (i, e) in es.iter().enumerate() {
                    out.push(
                        self.value(e, depth + 1)
                            .map_err(|e| e.under(PathStep::ElementKeyInt(i as i64)))?,
                    );
                }
                Ok(Value::Tuple(out))
            }
            Type::Map(e) => {
                let Head::Map(n) = h else {
                    return Err(self.mismatch(ty, &h));
                };
                let mut out = ValueMap::new();
                for _ in 0..n {
                    let k = self.key()?;
                    self.charge(ENTRY)?;
                    let v = self
                        .value(e, depth + 1)
                        .map_err(|e| e.under(PathStep::ElementKeyString(k.clone())))?;
                    out.insert(k, v);
                }
                Ok(Value::Map(out))
            }
            Type::Object { attributes, .. } => {
                let Head::Map(n) = h else {
                    return Err(self.mismatch(ty, &h));
                };
                let cap = self.cap(n).min(attributes.len());
                let mut entries = Vec::with_capacity(cap);
                for _ in 0..n {
                    let k = self.key()?;
                    let Some(aty) = attributes.get(&k) else {
                        return Err(err(format!("unsupported attribute {k:?}")));
                    };
                    self.charge(ENTRY)?;
                    match self.value(aty, depth + 1) {
                        Ok(v) => entries.push((k, v)),
                        Err(e) => return Err(e.under(PathStep::Attribute(k))),
                    }
                }
                // Built at once (Terraform sends the names sorted, so the
                // sort is one pass), not inserted one by one.
                let mut out = ValueMap::from_iter(entries);
                if out.len() < n {
                    return Err(err("duplicate attribute"));
                }
                // Unknown and repeated names were refused: as many as the
                // schema has means every one is there. Attributes left out
                // are null: each costs as much as one sent, so an empty map
                // cannot stand for a large object.
                if out.len() < attributes.len() {
                    for name in attributes.keys() {
                        if !out.contains_key(name) {
                            self.charge(ENTRY + name.len())?;
                            out.insert(name.clone(), Value::Null);
                        }
                    }
                }
                Ok(Value::Object(out))
            }
            Type::Dynamic => {
                let Head::Array(2) = h else {
                    return Err(err("dynamic value must be a [type, value] pair"));
                };
                let tb = match self.head()? {
                    Head::Str(b) | Head::Bin(b) => b,
                    other => {
                        return Err(err(format!(
                            "dynamic type must be bytes, found {}",
                            other.name()
                        )))
                    }
                };
                let inner = Type::from_json_bytes(tb)
                    .map_err(|e| err(format!("dynamic value type: {e}")))?;
                self.value(&inner, depth + 1)
            }
        }
    }

    fn key(&mut self) -> Result<String, MsgpackError> {
        match self.head()? {
            Head::Str(b) => self.text(b),
            other => Err(err(format!(
                "map key must be a string, found {}",
                other.name()
            ))),
        }
    }
}
