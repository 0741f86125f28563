//! The privileged credentials of a DELETE (Snowflake, Redshift, Azure
//! Synapse): the type attribute's, overlaid by `delete_credentials`, then by
//! the JSON object in the environment variable `delete_credentials_env`
//! names, read at destroy time (Terraform sends no configuration then, and
//! write-only secrets are never stored).

use super::model::IntegrationModel;
use super::platforms::block;
use super::platforms::{okta_to, private_key_to, OktaBlock, PrivateKeyBlock};
use crate::framework::{model, Value};
use immuta_api::{DeleteCredentials, Secret};
use serde::{Deserialize, Serialize};

/// `delete_credentials = { ... }`: one field per attribute of
/// [`super::schema::delete_credentials_attribute`], which are also the keys
/// of the JSON object in `delete_credentials_env`'s variable.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeleteCredentialsBlock {
    /// How the credentials authenticate.
    pub authentication_type: Option<String>,
    /// The privileged account's user name.
    pub username: Option<Secret>,
    /// The privileged account's password.
    pub password: Option<Secret>,
    /// The privileged role (Snowflake).
    pub role: Option<String>,
    /// Key-pair authentication's key (Snowflake).
    pub private_key: Option<PrivateKeyBlock>,
    /// The passphrase of an encrypted private key.
    pub private_key_password: Option<Secret>,
    /// Okta settings (Redshift).
    pub okta: Option<OktaBlock>,
}

/// The DELETE credentials of a `delete_credentials` block.
pub fn to_credentials(b: &DeleteCredentialsBlock) -> DeleteCredentials {
    let DeleteCredentialsBlock {
        authentication_type,
        username,
        password,
        role,
        private_key,
        private_key_password,
        okta,
    } = b;
    DeleteCredentials {
        authentication_type: authentication_type.clone(),
        username: username.clone(),
        password: password.clone(),
        role: role.clone(),
        private_key: private_key.as_ref().map(private_key_to),
        private_key_password: private_key_password.clone(),
        okta: okta.as_ref().map(okta_to),
        extra: Default::default(),
    }
}

/// Why the credentials of `delete_credentials_env` could not be read. The
/// messages never carry the variable's content.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EnvCredentialsError {
    /// The variable is not set (or not valid Unicode).
    #[error("the environment variable {0} is not set in the environment of terraform")]
    Unset(String),
    /// Its content is not a JSON object of strings and objects of strings.
    #[error(
        "the environment variable {name} does not hold a JSON object of strings (and objects of \
         strings for private_key and okta): {what}"
    )]
    Invalid {
        /// The variable.
        name: String,
        /// What is wrong, without the content.
        what: String,
    },
}

/// A Terraform value from the JSON of `delete_credentials_env`: strings and
/// objects only.
fn json_to_value(v: &serde_json::Value) -> Result<Value, String> {
    match v {
        serde_json::Value::String(s) => Ok(Value::string(s.clone())),
        serde_json::Value::Null => Ok(Value::Null),
        serde_json::Value::Object(m) => {
            let mut out = Vec::with_capacity(m.len());
            for (k, x) in m {
                out.push((
                    k.clone(),
                    json_to_value(x).map_err(|e| format!("{k}: {e}"))?,
                ));
            }
            Ok(Value::object(out))
        }
        _ => Err("expected a string or an object".to_string()),
    }
}

/// The credentials a JSON object (keys of `delete_credentials`) gives.
pub fn delete_credentials_from_json(
    name: &str,
    content: &str,
) -> Result<DeleteCredentials, EnvCredentialsError> {
    let invalid = |what: String| EnvCredentialsError::Invalid {
        name: name.to_string(),
        what,
    };
    let json: serde_json::Value = serde_json::from_str(content).map_err(|e| {
        // Only where, never what: the content is secret.
        invalid(format!(
            "not JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    if !json.is_object() {
        return Err(invalid("expected an object".to_string()));
    }
    let v = json_to_value(&json).map_err(invalid)?;
    if let Value::Object(m) = &v {
        let known = model::field_names::<DeleteCredentialsBlock>();
        if let Some(k) = m.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(invalid(format!(
                "unknown key \"{k}\", expected keys among {}",
                known.join(", ")
            )));
        }
    }
    // A string where an object belongs, or the reverse: the error names
    // the key and the kinds, never the content.
    let b: DeleteCredentialsBlock = model::from_value(&v).map_err(|e| invalid(e.to_string()))?;
    Ok(to_credentials(&b))
}

/// Reads `delete_credentials_env`'s variable.
pub fn delete_credentials_from_env(name: &str) -> Result<DeleteCredentials, EnvCredentialsError> {
    let content = std::env::var(name).map_err(|_| EnvCredentialsError::Unset(name.to_string()))?;
    delete_credentials_from_json(name, &content)
}

/// `over`'s set fields replace `base`'s.
pub fn overlay_credentials(base: &mut DeleteCredentials, over: DeleteCredentials) {
    fn set<T>(b: &mut Option<T>, o: Option<T>) {
        if o.is_some() {
            *b = o;
        }
    }
    set(&mut base.authentication_type, over.authentication_type);
    set(&mut base.username, over.username);
    set(&mut base.password, over.password);
    set(&mut base.role, over.role);
    set(&mut base.private_key, over.private_key);
    set(&mut base.private_key_password, over.private_key_password);
    set(&mut base.okta, over.okta);
    base.extra.extend(over.extra);
}

/// The DELETE credentials of a `delete_credentials` value.
pub fn delete_credentials_from(v: &Value) -> DeleteCredentials {
    to_credentials(&block::read(v))
}

/// The credentials of a DELETE of the integration `prior` (its state):
/// `None` when Immuta needs none (a type that takes none, an integration
/// not auto-bootstrapped, or a force-disable). Otherwise the type
/// attribute's credentials, each replaced by the one `delete_credentials`
/// sets (all of it may be unset, as in the `{}` that
/// `-generate-config-out` writes), then by the environment variable's.
pub fn for_delete(
    prior: &IntegrationModel,
) -> Result<Option<DeleteCredentials>, EnvCredentialsError> {
    let force = prior.force_disable_on_destroy.known() == Some(&true);
    let auto = prior.auto_bootstrap.known() == Some(&true);
    let Some(p) = prior.platform() else {
        return Ok(None);
    };
    if !p.delete_needs_credentials() || !auto || force {
        return Ok(None);
    }
    let mut creds = p.delete_credentials(prior.block(p));
    if let v @ Value::Object(_) = prior.delete_credentials.value() {
        let mut c = creds.unwrap_or_default();
        overlay_credentials(&mut c, delete_credentials_from(v));
        creds = Some(c);
    }
    if let Some(name) = prior.delete_credentials_env.known() {
        let mut c = creds.unwrap_or_default();
        overlay_credentials(&mut c, delete_credentials_from_env(name)?);
        creds = Some(c);
    }
    Ok(creds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::assert_model_matches_schema;
    use crate::framework::{AttributePath, Block, Diagnostics};
    use crate::integration::platforms::block::test_support::{assert_block_matches, nested};
    use crate::integration::schema::delete_credentials_attribute;
    use crate::integration::test_support::snowflake_config;
    use crate::integration::{validate_config, DELETE_CREDENTIALS_ENV};

    #[test]
    fn the_block_struct_matches_the_schema() {
        let attr = delete_credentials_attribute();
        let inner = attr.nested_attributes().unwrap();
        assert_model_matches_schema::<DeleteCredentialsBlock>(&Block::new(inner.to_vec()));
        assert_block_matches::<PrivateKeyBlock>(nested(inner, "private_key"));
        assert_block_matches::<OktaBlock>(nested(inner, "okta"));
    }

    #[test]
    fn a_string_where_an_object_belongs_is_refused_naming_the_key() {
        let e = delete_credentials_from_json("X", r#"{"okta": "hunter2"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("okta") && e.contains("X"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
        let e = delete_credentials_from_json("X", r#"{"password": {"a": "hunter2"}}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("password") && !e.contains("hunter2"), "{e}");
    }

    #[test]
    fn delete_credentials_from_the_environment() {
        let c = delete_credentials_from_json(
            "X",
            r#"{"password": "pw", "private_key": {"content": "k"}}"#,
        )
        .unwrap();
        assert_eq!(c.password.as_ref().map(|s| s.expose()), Some("pw"));
        assert_eq!(
            c.private_key
                .and_then(|k| k.content)
                .map(|s| s.expose().to_string()),
            Some("k".to_string())
        );
        // Errors never repeat the content.
        for bad in [
            r#"{"password": 12345}"#,
            "hunter2",
            r#"["hunter2"]"#,
            r#"{"pasword": "hunter2"}"#,
        ] {
            let e = delete_credentials_from_json("X", bad)
                .unwrap_err()
                .to_string();
            assert!(!e.contains("hunter2") && !e.contains("12345"), "{e}");
            assert!(e.contains("X"), "{e}");
        }
        let mut base = DeleteCredentials {
            authentication_type: Some("userPassword".into()),
            username: Some(immuta_api::Secret::new("u")),
            ..Default::default()
        };
        overlay_credentials(
            &mut base,
            delete_credentials_from_json("X", r#"{"password": "pw"}"#).unwrap(),
        );
        assert_eq!(
            base.username.map(|s| s.expose().to_string()).as_deref(),
            Some("u")
        );
        assert_eq!(
            base.password.map(|s| s.expose().to_string()).as_deref(),
            Some("pw")
        );
        assert_eq!(
            delete_credentials_from_env("IMMUTA_TEST_SURELY_UNSET_VARIABLE_4711").unwrap_err(),
            EnvCredentialsError::Unset("IMMUTA_TEST_SURELY_UNSET_VARIABLE_4711".into())
        );
        let mut v = snowflake_config();
        v.set_attr(DELETE_CREDENTIALS_ENV, Value::from("not a name"));
        assert_eq!(
            d_attr(&validate_config(&v)),
            Some(AttributePath::new(DELETE_CREDENTIALS_ENV))
        );
    }

    fn d_attr(d: &Diagnostics) -> Option<AttributePath> {
        d.iter().next().and_then(|d| d.attribute.clone())
    }
}
