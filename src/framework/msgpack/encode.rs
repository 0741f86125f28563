//! The MessagePack writer.

use super::*;
use crate::framework::path::PathStep;

pub(super) struct Writer {
    pub(super) out: Vec<u8>,
}

impl Writer {
    fn mismatch(&self, ty: &Type, v: &Value) -> MsgpackError {
        err(format!("cannot encode a {} as {ty}", v.kind_name()))
    }

    fn array_len(&mut self, n: usize) -> Result<(), MsgpackError> {
        let n = u32::try_from(n).map_err(|_| err("collection too large"))?;
        rmp::encode::write_array_len(&mut self.out, n)
            .map(|_| ())
            .map_err(|_| err("write failed"))
    }

    fn map_len(&mut self, n: usize) -> Result<(), MsgpackError> {
        let n = u32::try_from(n).map_err(|_| err("collection too large"))?;
        rmp::encode::write_map_len(&mut self.out, n)
            .map(|_| ())
            .map_err(|_| err("write failed"))
    }

    fn str(&mut self, s: &str) -> Result<(), MsgpackError> {
        rmp::encode::write_str(&mut self.out, s).map_err(|_| err("write failed"))
    }

    pub(super) fn value(&mut self, v: &Value, ty: &Type, depth: usize) -> Result<(), MsgpackError> {
        if depth > MAX_VALUE_DEPTH {
            return Err(err("value nested too deeply"));
        }
        match v {
            Value::Null => {
                self.out.push(0xc0);
                return Ok(());
            }
            Value::Unknown => {
                self.out.extend_from_slice(&[0xd4, 0x00, 0x00]);
                return Ok(());
            }
            _ => {}
        }
        match (ty, v) {
            (Type::String, Value::String(s)) => self.str(s),
            (Type::Bool, Value::Bool(b)) => {
                self.out.push(if *b { 0xc3 } else { 0xc2 });
                Ok(())
            }
            (Type::Number, Value::Number(n)) => {
                let r = if let Some(i) = n.as_i64() {
                    rmp::encode::write_sint(&mut self.out, i).map(|_| ())
                } else if let Some(u) = n.as_u64() {
                    rmp::encode::write_uint(&mut self.out, u).map(|_| ())
                } else {
                    // Fractions and huge values go as exact decimal text: a
                    // float would not equal the same number parsed by Terraform.
                    return self.str(n.as_str());
                };
                r.map_err(|_| err("write failed"))
            }
            (Type::List(e) | Type::Set(e), Value::List(items) | Value::Set(items)) => {
                self.array_len(items.len())?;
                for (i, item) in items.iter().enumerate() {
                    self.value(item, e, depth + 1)
                        .map_err(|e| e.under(PathStep::ElementKeyInt(i as i64)))?;
                }
                Ok(())
            }
            (Type::Tuple(es), Value::Tuple(items) | Value::List(items)) => {
                if es.len() != items.len() {
                    return Err(err(format!(
                        "tuple needs {} elements, found {}",
                        es.len(),
                        items.len()
                    )));
                }
                self.array_len(items.len())?;
                for (i, (item, e)) in items.iter().zip(es).enumerate() {
                    self.value(item, e, depth + 1)
                        .map_err(|e| e.under(PathStep::ElementKeyInt(i as i64)))?;
                }
                Ok(())
            }
            (Type::Map(e), Value::Map(m) | Value::Object(m)) => {
                self.map_len(m.len())?;
                for (k, item) in m {
                    self.str(k)?;
                    self.value(item, e, depth + 1)
                        .map_err(|e| e.under(PathStep::ElementKeyString(k.clone())))?;
                }
                Ok(())
            }
            (Type::Object { attributes, .. }, Value::Object(m) | Value::Map(m)) => {
                // Both are sorted by name: one walk pairs each attribute
                // with its value (null when absent) and finds a name not
                // in the schema, instead of a look-up per name. On an
                // error the partly written output is thrown away.
                let not_in_schema =
                    |k: &String| err(format!("attribute {k:?} is not in the schema"));
                let mut values = m.iter().peekable();
                self.map_len(attributes.len())?;
                for (name, aty) in attributes {
                    let v = match values.peek() {
                        Some((k, _)) if k.as_str() < name.as_str() => return Err(not_in_schema(k)),
                        Some((k, v)) if *k == name => {
                            let v = *v;
                            values.next();
                            v
                        }
                        _ => &Value::Null,
                    };
                    self.str(name)?;
                    self.value(v, aty, depth + 1)
                        .map_err(|e| e.under(PathStep::Attribute(name.clone())))?;
                }
                if let Some((k, _)) = values.next() {
                    return Err(not_in_schema(k));
                }
                Ok(())
            }
            (Type::Dynamic, v) => {
                let inner = infer_type(v);
                self.array_len(2)?;
                rmp::encode::write_bin(&mut self.out, &inner.to_json_bytes())
                    .map_err(|_| err("write failed"))?;
                self.value(v, &inner, depth + 1)
            }
            (ty, v) => Err(self.mismatch(ty, v)),
        }
    }
}
