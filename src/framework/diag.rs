//! Diagnostics (errors and warnings) reported back to Terraform.

use crate::framework::path::AttributePath;

/// Severity of a [`Diagnostic`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Stops the operation.
    Error,
    /// Shown to the user; the operation continues.
    Warning,
}

/// One error or warning, optionally tied to an attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Short summary line.
    pub summary: String,
    /// Longer explanation (may be empty).
    pub detail: String,
    /// Attribute the diagnostic is about.
    pub attribute: Option<AttributePath>,
}

impl Diagnostic {
    /// An error without attribute.
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            attribute: None,
        }
    }

    /// A warning without attribute.
    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(summary, detail)
        }
    }

    /// An error about `path`.
    pub fn attribute_error(
        path: AttributePath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Self::error(summary, detail).with_attribute(path)
    }

    /// A warning about `path`.
    pub fn attribute_warning(
        path: AttributePath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Self::warning(summary, detail).with_attribute(path)
    }

    /// The one style for a value that is not what was expected: a short
    /// `summary`, a detail saying what was expected at `path` and what was
    /// found, and the attribute path (none for the root path).
    pub fn expected(
        path: AttributePath,
        summary: impl Into<String>,
        expected: impl std::fmt::Display,
        found: impl std::fmt::Display,
    ) -> Self {
        if path.is_root() {
            return Self::error(summary, format!("Expected {expected}, found {found}."));
        }
        let detail = format!("Expected {expected} at {path}, found {found}.");
        Self::attribute_error(path, summary, detail)
    }

    /// Sets the attribute path.
    pub fn with_attribute(mut self, path: AttributePath) -> Self {
        self.attribute = Some(path);
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// An ordered collection of diagnostics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    /// Empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Adds an error.
    pub fn error(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Diagnostic::error(summary, detail));
    }

    /// Adds a warning.
    pub fn warning(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Diagnostic::warning(summary, detail));
    }

    /// Adds an error about an attribute.
    pub fn attribute_error(
        &mut self,
        path: AttributePath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.push(Diagnostic::attribute_error(path, summary, detail));
    }

    /// Adds a warning about an attribute.
    pub fn attribute_warning(
        &mut self,
        path: AttributePath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.push(Diagnostic::attribute_warning(path, summary, detail));
    }

    /// Appends all diagnostics of `other`.
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// Whether the collection is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of diagnostics.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Iterates over the diagnostics.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// The diagnostics as a vector.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.0
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(v: Vec<Diagnostic>) -> Self {
        Diagnostics(v)
    }
}

impl Extend<Diagnostic> for Diagnostics {
    fn extend<T: IntoIterator<Item = Diagnostic>>(&mut self, iter: T) {
        self.0.extend(iter);
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_errors_and_paths() {
        let mut d = Diagnostics::new();
        d.warning("careful", "");
        assert!(!d.has_errors());
        d.attribute_error(
            AttributePath::new("snowflake").attr("host"),
            "bad host",
            "x",
        );
        assert!(d.has_errors());
        assert_eq!(d.len(), 2);
        let last = d.iter().last().unwrap();
        assert_eq!(
            last.attribute.as_ref().unwrap().to_string(),
            "snowflake.host"
        );
        assert_eq!(last.severity, Severity::Error);
    }

    #[test]
    fn expected_names_path_and_both_sides() {
        let d = Diagnostic::expected(
            AttributePath::new("port"),
            "Invalid port",
            "a number",
            "a string",
        );
        assert_eq!(d.detail, "Expected a number at port, found a string.");
        assert_eq!(d.attribute.unwrap().to_string(), "port");
        let root =
            Diagnostic::expected(AttributePath::root(), "Invalid state", "an object", "null");
        assert_eq!(root.detail, "Expected an object, found null.");
        assert!(root.attribute.is_none());
    }
}
