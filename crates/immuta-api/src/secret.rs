//! A string that must never be shown: passwords, tokens, keys.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What Immuta answers in place of a secret on GET.
pub const REDACTED: &str = "<REDACTED>";

/// A secret string. It serializes as the plain string (the API needs it), but
/// its `Debug` and `Display` print `<REDACTED>`, so a secret that reaches a log
/// line or an error message by accident shows nothing.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself; call it only where the value is sent or compared.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether this is Immuta's `<REDACTED>` placeholder (or the bare
    /// `REDACTED` some examples show) rather than a real value.
    pub fn is_redacted(&self) -> bool {
        self.0 == REDACTED || self.0 == "REDACTED"
    }

    /// The placeholder Immuta answers with.
    pub fn redacted() -> Self {
        Secret(REDACTED.to_string())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "<REDACTED>");
        assert_eq!(format!("{s}"), "<REDACTED>");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn serializes_as_the_plain_string() {
        let s = Secret::new("hunter2");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"hunter2\"");
        let back: Secret = serde_json::from_str("\"<REDACTED>\"").unwrap();
        assert!(back.is_redacted());
        assert!(!s.is_redacted());
    }
}
