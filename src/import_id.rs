//! Import ids of `immuta_integration` that carry what Immuta never answers.
//!
//! An import id is the integration's id (`5`), or a JSON object holding the
//! id and, under one type attribute, values Immuta does not return but that
//! are no secret: a user name Immuta answers `<REDACTED>` for, and the
//! `*_wo_version` of each write-only secret.
//!
//! ```text
//! {"id": "5", "snowflake": {"username": "IMMUTA_SYSTEM", "password_wo_version": 1}}
//! ```
//!
//! Beside them, the object may hold top-level settings that only Terraform
//! keeps (`delete_credentials_env`, `force_disable_on_destroy`).
//!
//! The imported state then holds them, so a configuration that sets the same
//! values plans the import alone, without an in-place update. This is what
//! `terraform-provider-immuta adopt` writes (through `jsonencode` in the
//! `import` block). Terraform prints an import id, so a sensitive attribute
//! is refused: a secret can only come from the configuration.

use crate::framework::{Attribute, AttributeKind, Number, Type, Value};
use crate::integration::platforms::Platform;
use serde_json::Value as Json;

/// Why an import id could not be read. Messages name paths, never values.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImportIdError {
    /// It starts with `{` but is no JSON object.
    #[error("an import id that starts with `{{` must be a JSON object: {0}")]
    NotJson(String),
    /// The object has no non-empty string `id`.
    #[error("expected the integration's id as a non-empty string in \"id\", got none")]
    MissingId,
    /// A key that is neither `id`, a type attribute nor a setting of the resource.
    #[error("expected \"id\", one type attribute ({expected}) or a setting of the resource, got \"{0}\"", expected = type_names())]
    UnknownKey(String),
    /// More than one type attribute.
    #[error("expected one type attribute, got {0} and {1}")]
    MoreThanOneType(String, String),
    /// A path the type attribute's schema does not have.
    #[error("{0}: no such attribute")]
    UnknownAttribute(String),
    /// A sensitive or write-only attribute.
    #[error(
        "{0}: a secret cannot be given in an import id (Terraform prints it); set it in the \
         configuration"
    )]
    Sensitive(String),
    /// An attribute Terraform computes.
    #[error("{0}: computed by the provider, not set on import")]
    Computed(String),
    /// A value of the wrong kind.
    #[error("{path}: expected {expected}")]
    WrongKind {
        /// The attribute's path.
        path: String,
        /// What it takes.
        expected: &'static str,
    },
}

fn type_names() -> String {
    Platform::ALL
        .iter()
        .map(|p| p.block_name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A parsed import id.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportId {
    /// The integration's id in Immuta.
    pub id: String,
    /// The type attribute and its imported values (a whole object of the
    /// resource's schema, every attribute not given null).
    pub block: Option<(Platform, Value)>,
    /// Top-level settings, by name.
    pub settings: Vec<(String, Value)>,
}

impl ImportId {
    /// Reads an import id: a plain id, or a JSON object (see the module
    /// documentation).
    pub fn parse(raw: &str) -> Result<ImportId, ImportIdError> {
        // A plain id is kept exactly as given (the id check refuses `"1\t"`
        // instead of reading it as integration 1); only JSON is trimmed.
        if !raw.trim_start().starts_with('{') {
            return Ok(ImportId {
                id: raw.to_string(),
                block: None,
                settings: Vec::new(),
            });
        }
        let json: serde_json::Map<String, Json> = serde_json::from_str(raw.trim())
            .map_err(|e| ImportIdError::NotJson(without_input(&e)))?;
        let id = match json.get("id") {
            Some(Json::String(s)) if !s.is_empty() => s.clone(),
            Some(Json::Number(n)) => n.to_string(),
            _ => return Err(ImportIdError::MissingId),
        };
        let mut block: Option<(Platform, Value)> = None;
        let mut settings = Vec::new();
        let schema = crate::integration::schema::schema();
        for (key, v) in &json {
            if key == "id" {
                continue;
            }
            let Some(p) = Platform::ALL.into_iter().find(|p| p.block_name() == key) else {
                match schema.block.attribute(key) {
                    Some(a) if a.nested_attributes().is_none() => {
                        settings.push((key.clone(), leaf(a, v, key)?));
                        continue;
                    }
                    _ => return Err(ImportIdError::UnknownKey(key.clone())),
                }
            };
            if let Some((first, _)) = &block {
                return Err(ImportIdError::MoreThanOneType(
                    first.block_name().to_string(),
                    key.clone(),
                ));
            }
            let attr = p.resource_attribute();
            block = Some((p, object(&attr, v, key)?));
        }
        Ok(ImportId {
            id,
            block,
            settings,
        })
    }

    /// Puts the imported values into a state made from the plain id.
    pub fn apply(&self, state: &mut Value) {
        if let Some((p, v)) = &self.block {
            state.set_attr(p.block_name(), v.clone());
        }
        for (k, v) in &self.settings {
            state.set_attr(k.clone(), v.clone());
        }
    }
}

/// serde_json's message without the input it quotes.
fn without_input(e: &serde_json::Error) -> String {
    format!("invalid JSON at line {} column {}", e.line(), e.column())
}

/// The object of nested attribute `attr` from `json`, every attribute absent
/// there null.
fn object(attr: &Attribute, json: &Json, path: &str) -> Result<Value, ImportIdError> {
    let Some(inner) = attr.nested_attributes() else {
        return Err(ImportIdError::UnknownAttribute(path.to_string()));
    };
    let Json::Object(map) = json else {
        return Err(ImportIdError::WrongKind {
            path: path.to_string(),
            expected: "an object",
        });
    };
    for key in map.keys() {
        if !inner.iter().any(|a| &a.name == key) {
            return Err(ImportIdError::UnknownAttribute(format!("{path}.{key}")));
        }
    }
    let mut out = Value::object(inner.iter().map(|a| (a.name.clone(), Value::Null)));
    for a in inner {
        let Some(v) = map.get(&a.name) else { continue };
        let p = format!("{path}.{}", a.name);
        out.set_attr(a.name.clone(), leaf(a, v, &p)?);
    }
    Ok(out)
}

fn leaf(a: &Attribute, v: &Json, path: &str) -> Result<Value, ImportIdError> {
    if a.sensitive || a.write_only {
        return Err(ImportIdError::Sensitive(path.to_string()));
    }
    if !a.optional {
        return Err(ImportIdError::Computed(path.to_string()));
    }
    if v.is_null() {
        return Ok(Value::Null);
    }
    let wrong = |expected| ImportIdError::WrongKind {
        path: path.to_string(),
        expected,
    };
    match (&a.kind, v) {
        (AttributeKind::Nested { .. }, _) => object(a, v, path),
        (AttributeKind::Type(Type::String), Json::String(s)) => Ok(Value::string(s.clone())),
        (AttributeKind::Type(Type::String), _) => Err(wrong("a string")),
        (AttributeKind::Type(Type::Number), Json::Number(n)) => Number::parse(&n.to_string())
            .map(Value::Number)
            .map_err(|_| wrong("a number")),
        (AttributeKind::Type(Type::Number), _) => Err(wrong("a number")),
        (AttributeKind::Type(Type::Bool), Json::Bool(b)) => Ok(Value::Bool(*b)),
        (AttributeKind::Type(Type::Bool), _) => Err(wrong("true or false")),
        _ => Err(wrong("a string, a number or a bool")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_id_is_kept() {
        let p = ImportId::parse("5").unwrap();
        assert_eq!(p.id, "5");
        assert!(p.block.is_none());
        // Exactly as given: the id check refuses what Immuta never issues.
        assert_eq!(ImportId::parse("1\t").unwrap().id, "1\t");
    }

    #[test]
    fn a_json_id_carries_user_names_and_versions() {
        let p = ImportId::parse(
            r#"{"id": "7", "redshift": {"username": "rs", "password_wo_version": 2,
                "okta": {"username": "o", "password_wo_version": 1}}}"#,
        )
        .unwrap();
        assert_eq!(p.id, "7");
        let (platform, block) = p.block.clone().unwrap();
        assert_eq!(platform, Platform::REDSHIFT);
        assert_eq!(block.attr("username").as_str(), Some("rs"));
        assert_eq!(block.attr("password_wo_version").as_i64(), Some(2));
        assert!(block.attr("host").is_null());
        assert_eq!(block.attr("okta").attr("username").as_str(), Some("o"));
        assert_eq!(
            block.attr("okta").attr("password_wo_version").as_i64(),
            Some(1)
        );
        // A whole object of the schema.
        let attrs = Platform::REDSHIFT.resource_attribute();
        assert_eq!(
            block.as_map().unwrap().len(),
            attrs.nested_attributes().unwrap().len()
        );
        let mut state = Value::object([("id", Value::from("7")), ("redshift", Value::Null)]);
        p.apply(&mut state);
        assert_eq!(state.attr("redshift"), &block);
        // Settings only Terraform keeps.
        let p = ImportId::parse(r#"{"id": "7", "delete_credentials_env": "RS_CREDS"}"#).unwrap();
        assert_eq!(
            p.settings,
            [(
                "delete_credentials_env".to_string(),
                Value::from("RS_CREDS")
            )]
        );
        assert!(matches!(
            ImportId::parse(r#"{"id": "7", "status": "enabled"}"#),
            Err(ImportIdError::Computed(_))
        ));
        assert!(matches!(
            ImportId::parse(r#"{"id": "7", "delete_credentials": {}}"#),
            Err(ImportIdError::UnknownKey(_))
        ));
        // A number id is read as its text.
        assert_eq!(ImportId::parse(r#"{"id": 9}"#).unwrap().id, "9");
    }

    #[test]
    fn secrets_and_mistakes_are_refused_without_their_value() {
        let err = |s: &str| ImportId::parse(s).unwrap_err();
        let e = err(r#"{"id": "5", "snowflake": {"password": "hunter2"}}"#);
        assert_eq!(e, ImportIdError::Sensitive("snowflake.password".into()));
        assert!(!e.to_string().contains("hunter2"));
        assert_eq!(
            err(r#"{"id": "5", "snowflake": {"password_wo": "hunter2"}}"#),
            ImportIdError::Sensitive("snowflake.password_wo".into())
        );
        assert_eq!(
            err(r#"{"id": "5", "trino": {"api_key": "k"}}"#),
            ImportIdError::Sensitive("trino.api_key".into())
        );
        assert_eq!(
            err(r#"{"id": "5", "snowflake": {"usernme": "x"}}"#),
            ImportIdError::UnknownAttribute("snowflake.usernme".into())
        );
        assert_eq!(
            err(r#"{"id": "5", "snowflake": {"port": "x"}}"#),
            ImportIdError::WrongKind {
                path: "snowflake.port".into(),
                expected: "a number"
            }
        );
        assert_eq!(
            err(r#"{"snowflake": {}}"#),
            ImportIdError::MissingId,
            "no id"
        );
        assert_eq!(
            err(r#"{"id": "5", "oracle": {}}"#),
            ImportIdError::UnknownKey("oracle".into())
        );
        assert!(matches!(
            err(r#"{"id": "5", "s3": {}, "trino": {}}"#),
            ImportIdError::MoreThanOneType(..)
        ));
        let e = err(r#"{"id": "5", "snowflake": {"password": "hunter2""#);
        assert!(matches!(e, ImportIdError::NotJson(_)));
        assert!(!e.to_string().contains("hunter2"));
    }
}
