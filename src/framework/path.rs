//! Attribute paths pointing into a value (for diagnostics and `requires_replace`).

use std::fmt;

/// One step of an [`AttributePath`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathStep {
    /// An object attribute by name.
    Attribute(String),
    /// A map element by key.
    ElementKeyString(String),
    /// A list or tuple element by index.
    ElementKeyInt(i64),
}

/// A path from the root object to a nested value, e.g. `snowflake.password` or `tests[0]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct AttributePath {
    steps: Vec<PathStep>,
}

impl AttributePath {
    /// The empty path (the whole value).
    pub fn root() -> Self {
        Self::default()
    }

    /// A path starting with the top-level attribute `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            steps: vec![PathStep::Attribute(name.into())],
        }
    }

    /// Builds a path from steps.
    pub fn from_steps(steps: Vec<PathStep>) -> Self {
        Self { steps }
    }

    /// Appends an attribute step.
    pub fn attr(mut self, name: impl Into<String>) -> Self {
        self.steps.push(PathStep::Attribute(name.into()));
        self
    }

    /// Appends a list/tuple index step.
    pub fn index(mut self, i: i64) -> Self {
        self.steps.push(PathStep::ElementKeyInt(i));
        self
    }

    /// Appends a map key step.
    pub fn key(mut self, k: impl Into<String>) -> Self {
        self.steps.push(PathStep::ElementKeyString(k.into()));
        self
    }

    /// Appends a step in place.
    pub fn push(&mut self, step: PathStep) {
        self.steps.push(step);
    }

    /// Puts a step in front, in place (a path built from the inside out).
    pub fn prepend(&mut self, step: PathStep) {
        self.steps.insert(0, step);
    }

    /// The steps of the path.
    pub fn steps(&self) -> &[PathStep] {
        &self.steps
    }

    /// Whether the path is the root.
    pub fn is_root(&self) -> bool {
        self.steps.is_empty()
    }

    /// The path without its last step (root stays root).
    pub fn parent(&self) -> AttributePath {
        let mut steps = self.steps.clone();
        steps.pop();
        Self { steps }
    }
}

impl From<&str> for AttributePath {
    fn from(name: &str) -> Self {
        AttributePath::new(name)
    }
}

impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                PathStep::Attribute(n) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(n)?;
                }
                PathStep::ElementKeyString(k) => write!(f, "[{k:?}]")?,
                PathStep::ElementKeyInt(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_display_forms() {
        assert_eq!(
            AttributePath::new("snowflake").attr("password").to_string(),
            "snowflake.password"
        );
        assert_eq!(AttributePath::new("tests").index(0).to_string(), "tests[0]");
        assert_eq!(
            AttributePath::new("tags").key("env").attr("v").to_string(),
            "tags[\"env\"].v"
        );
        assert_eq!(AttributePath::root().to_string(), "");
        assert_eq!(
            AttributePath::new("a").attr("b").parent(),
            AttributePath::new("a")
        );
    }
}
