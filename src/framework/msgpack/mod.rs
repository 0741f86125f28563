//! Terraform's MessagePack encoding of values (`DynamicValue.msgpack`).
//!
//! Null is `nil`; any extension value is an unknown; numbers arrive as
//! integers, floats or decimal strings; a value of type `dynamic` is a
//! two-element array `[type JSON bytes, value]`.
//!
//! # Layout
//! - `mod.rs`: [`decode`], [`encode`], [`infer_type`], the decode budget
//!   shared with the JSON decoder, and [`MsgpackError`].
//! - `decode`: the bounded reader.
//! - `encode`: the writer.

mod decode;
mod encode;
#[cfg(test)]
mod tests;

use decode::Reader;
use encode::Writer;

use crate::framework::path::{AttributePath, PathStep};
use crate::framework::types::Type;
use crate::framework::value::{Number, Value, ValueMap};

/// Deepest value nesting accepted by the decoder and encoder.
pub const MAX_VALUE_DEPTH: usize = 64;

/// How many bytes of decoded [`Value`] one byte of message may become, at
/// most. Every value takes a 32-byte slot, so a message made only of
/// one-byte values (a list of `nil`, booleans or small integers) decodes to
/// about 33 times its size; nothing Terraform sends goes beyond that. What
/// would — an object sent as an empty map, each of its missing attributes
/// then filled in as null; huge number texts — is refused once it passes
/// this ratio, before the memory is taken.
pub const MAX_DECODED_RATIO: usize = 40;

/// The decoded size always allowed, whatever the message's size: 1 MiB.
pub const MIN_DECODED_BUDGET: usize = 1 << 20;

/// The memory a decoded value takes in its parent (a `Vec` slot).
pub(crate) const SLOT: usize = std::mem::size_of::<Value>();

/// The memory one map or object entry takes besides its key's text: the
/// key's `String`, the value's slot, and a share of the B-tree node.
pub(crate) const ENTRY: usize = std::mem::size_of::<String>() + SLOT + 8;

/// What a message may still become once decoded: [`MAX_DECODED_RATIO`]
/// times its size, at least [`MIN_DECODED_BUDGET`]. Shared by the msgpack
/// and JSON decoders.
#[derive(Debug)]
pub(crate) struct DecodeBudget {
    left: usize,
    message_len: usize,
}

impl DecodeBudget {
    /// The budget of a message of `message_len` bytes.
    pub(crate) fn for_message(message_len: usize) -> Self {
        DecodeBudget {
            left: message_len
                .saturating_mul(MAX_DECODED_RATIO)
                .max(MIN_DECODED_BUDGET),
            message_len,
        }
    }

    /// No bound: for a value already parsed by someone else.
    pub(crate) fn unlimited() -> Self {
        DecodeBudget {
            left: usize::MAX,
            message_len: usize::MAX,
        }
    }

    /// Takes `bytes` from the budget, or says why it cannot.
    pub(crate) fn charge(&mut self, bytes: usize) -> Result<(), String> {
        match self.left.checked_sub(bytes) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => Err(format!(
                "the decoded value would take more than {MAX_DECODED_RATIO} times the {} bytes \
                 of the message",
                self.message_len
            )),
        }
    }
}

/// Failure to decode or encode a MessagePack value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at {}", if path.is_root() { "the root".to_string() } else { path.to_string() })]
pub struct MsgpackError {
    /// Where in the value the problem is.
    pub path: AttributePath,
    /// What went wrong (never contains value contents).
    pub message: String,
}

impl MsgpackError {
    /// This error one step further from the root: `step` goes before its
    /// path. The reader and the writer name the path of a failure this way,
    /// as it travels up, instead of keeping a path (one `String` per
    /// attribute) for every value that succeeds.
    pub(crate) fn under(mut self, step: PathStep) -> Self {
        self.path.prepend(step);
        self
    }
}

/// A failure where it happens; its path is added on the way up
/// ([`MsgpackError::under`]).
pub(crate) fn err(message: impl Into<String>) -> MsgpackError {
    MsgpackError {
        path: AttributePath::root(),
        message: message.into(),
    }
}
/// Decodes `bytes` as a value of type `ty`. Trailing bytes are an error, and
/// so is a message whose decoded value would take more than
/// [`MAX_DECODED_RATIO`] times its size (or [`MIN_DECODED_BUDGET`]).
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, MsgpackError> {
    let mut r = Reader {
        buf: bytes,
        pos: 0,
        budget: DecodeBudget::for_message(bytes.len()),
    };
    r.charge(SLOT)?;
    let v = r.value(ty, 0)?;
    if r.remaining() != 0 {
        return Err(err("trailing bytes after value"));
    }
    Ok(v)
}

/// Encodes `value` as type `ty`.
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, MsgpackError> {
    let mut w = Writer {
        // A resource's state takes a kilobyte or two: grown once or twice,
        // not from eight bytes up.
        out: Vec::with_capacity(1024),
    };
    w.value(value, ty, 0)?;
    Ok(w.out)
}

/// Best-effort concrete type of a value, used for `dynamic`.
pub fn infer_type(value: &Value) -> Type {
    fn elem(v: &[Value]) -> Type {
        v.iter()
            .find(|e| !e.is_null() && e.is_known())
            .map_or(Type::Dynamic, infer_type)
    }
    match value {
        Value::Null | Value::Unknown => Type::Dynamic,
        Value::String(_) => Type::String,
        Value::Number(_) => Type::Number,
        Value::Bool(_) => Type::Bool,
        Value::List(v) => Type::list(elem(v)),
        Value::Set(v) => Type::set(elem(v)),
        Value::Tuple(v) => Type::Tuple(v.iter().map(infer_type).collect()),
        Value::Map(m) => {
            let vals: Vec<Value> = m.values().take(8).cloned().collect();
            Type::map(elem(&vals))
        }
        Value::Object(m) => Type::object(m.iter().map(|(k, v)| (k.clone(), infer_type(v)))),
    }
}
