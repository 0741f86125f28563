//! [`Check`]: the checks of one object's attributes, each error naming its
//! attribute path and what was expected.

use crate::framework::{AttributePath, Diagnostics, Value};

/// Checks one object's attributes, reporting errors under its path.
pub struct Check<'a> {
    obj: &'a Value,
    path: AttributePath,
    diags: &'a mut Diagnostics,
}

/// The message of a validation error: `path: what`.
fn message(path: &AttributePath, what: &str) -> String {
    format!("{path}: {what}")
}

impl<'a> Check<'a> {
    /// Checks `obj`, found at `path`.
    pub fn new(obj: &'a Value, path: AttributePath, diags: &'a mut Diagnostics) -> Self {
        Check { obj, path, diags }
    }

    /// The path of attribute `name`.
    pub fn path_of(&self, name: &str) -> AttributePath {
        self.path.clone().attr(name)
    }

    /// The value of attribute `name`.
    pub fn value(&self, name: &str) -> &'a Value {
        self.obj.attr(name)
    }

    /// A known string value.
    pub fn str(&self, name: &str) -> Option<&'a str> {
        self.value(name).as_str()
    }

    /// Reports an error about attribute `name`.
    pub fn error(&mut self, name: &str, what: impl AsRef<str>) {
        let path = self.path_of(name);
        self.error_at(path, what);
    }

    /// Reports an error about `path`.
    pub fn error_at(&mut self, path: AttributePath, what: impl AsRef<str>) {
        let summary = message(&path, what.as_ref());
        self.diags.attribute_error(
            path,
            summary,
            "Fix this value in the integration's configuration. Nothing was sent to Immuta.",
        );
    }

    /// Reports a warning about attribute `name`.
    pub fn warning(&mut self, name: &str, what: impl AsRef<str>) {
        let path = self.path_of(name);
        let summary = message(&path, what.as_ref());
        self.diags.attribute_warning(path, summary, "");
    }

    /// `name` must be set (to a non-empty string when it is a string).
    pub fn required(&mut self, name: &str, why: &str) {
        match self.value(name) {
            Value::Null => self.error(name, format!("required{why}, expected a value, got none")),
            Value::String(s) if s.trim().is_empty() => {
                self.error(name, format!("expected a non-empty string{why}, got \"\""))
            }
            _ => {}
        }
    }

    /// Each of `names` must be set.
    pub fn required_all(&mut self, names: &[&str], why: &str) {
        for n in names {
            self.required(n, why);
        }
    }

    /// `name`, when set, must not be an empty string.
    pub fn not_empty(&mut self, name: &str) {
        if let Some("") = self.str(name) {
            self.error(name, "expected a non-empty string, got \"\"");
        }
    }

    /// `name` must not be set.
    pub fn forbidden(&mut self, name: &str, why: &str) {
        if !self.value(name).is_null() {
            self.error(name, format!("expected no value{why}, got one"));
        }
    }

    /// `name`, when known, must be one of `allowed`. Returns the known value.
    pub fn one_of(&mut self, name: &str, allowed: &[&str]) -> Option<&'a str> {
        let v = self.str(name)?;
        if allowed.contains(&v) {
            Some(v)
        } else {
            let list: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
            self.error(
                name,
                format!("expected one of {}, got \"{v}\"", list.join(", ")),
            );
            None
        }
    }

    /// `name`, when known, must be a port from 1 to 65535.
    pub fn port(&mut self, name: &str) {
        let v = self.value(name);
        if let Value::Number(n) = v {
            if !n.as_i64().is_some_and(|p| (1..=65535).contains(&p)) {
                self.error(name, format!("expected a port from 1 to 65535, got {n}"));
            }
        }
    }

    /// Checks the nested object `name` (when set) with `f`.
    pub fn nested(&mut self, name: &str, f: impl FnOnce(&mut Check<'_>)) {
        let v = self.value(name);
        if matches!(v, Value::Object(_)) {
            let mut inner = Check::new(v, self.path_of(name), self.diags);
            f(&mut inner);
        }
    }

    /// `authentication_type` is required and one of `allowed`; returns it when known.
    pub fn authentication_type(&mut self, allowed: &[&str]) -> Option<&'a str> {
        if self.value("authentication_type").is_null() {
            let list: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
            self.error(
                "authentication_type",
                format!("required, expected one of {}, got none", list.join(", ")),
            );
            return None;
        }
        self.one_of("authentication_type", allowed)
    }
}

/// The `why` text for a requirement of an authentication type.
pub fn with_auth(auth: &str) -> String {
    format!(" when authentication_type is \"{auth}\"")
}

/// Whether `s` looks like an IAM role ARN: `arn:<partition>:iam::<account>:role/<name>`.
pub fn is_role_arn(s: &str) -> bool {
    let mut parts = s.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    partition.starts_with("aws")
        && !account.is_empty()
        && account.chars().all(|c| c.is_ascii_digit())
        && resource
            .strip_prefix("role/")
            .is_some_and(|name| !name.is_empty())
}
