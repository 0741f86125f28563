//! Reading and checking create/update bodies and DELETE credentials: the
//! body's shape, `type`, `autoBootstrap`, the JSON types of the config's
//! fields, then the type's own checks ([`crate::types`]). Also the defaults
//! GET fills in, redaction, and the failure triggers' text, each through
//! the type's table.

use crate::error::ApiError;
use crate::guesses::Redact;
use crate::types::fields::{
    absent, check_oauth, check_okta, check_private_key, must_be_one_of, need_secret, not_allowed,
    required,
};
use crate::types::{rules, rules_of};
use immuta_api::config::{OAuthClientConfig, TrinoConfig};
use immuta_api::{DeleteCredentials, IntegrationConfig, IntegrationType, Secret};
use serde_json::{Map, Value};

/// A create/update body, read (and, from [`check_payload`], checked).
#[derive(Clone, Debug)]
pub struct ValidPayload {
    /// The type.
    pub integration_type: IntegrationType,
    /// `autoBootstrap` (None only for Trino when not sent).
    pub auto_bootstrap: Option<bool>,
    /// The config as sent (no defaults: see [`fill_defaults`]), `null`
    /// members left out.
    pub config: IntegrationConfig,
}

/// Checks the top-level shape of a body and returns `(type, autoBootstrap, config)`.
fn top_level(body: &Value) -> Result<(IntegrationType, Option<bool>, Option<Value>), ApiError> {
    let obj = body
        .as_object()
        .ok_or_else(|| ApiError::bad_request("The request body must be an object"))?;
    for key in obj.keys() {
        if !matches!(key.as_str(), "type" | "autoBootstrap" | "config") {
            return Err(not_allowed(key));
        }
    }
    let names: Vec<&str> = IntegrationType::ALL.iter().map(|t| t.as_str()).collect();
    let ty = match obj.get("type") {
        None | Some(Value::Null) => return Err(required("type")),
        Some(Value::String(s)) => {
            let t = IntegrationType::from(s.as_str());
            if matches!(t, IntegrationType::Other(_)) {
                return Err(must_be_one_of("type", &names));
            }
            t
        }
        Some(_) => return Err(ApiError::bad_request("\"type\" must be a string")),
    };
    let auto = match obj.get("autoBootstrap") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return Err(ApiError::bad_request("\"autoBootstrap\" must be a boolean")),
    };
    let config = match obj.get("config") {
        None | Some(Value::Null) => None,
        Some(v @ Value::Object(_)) => Some(v.clone()),
        Some(_) => return Err(ApiError::bad_request("\"config\" must be an object")),
    };
    Ok((ty, auto, config))
}

/// Reads a config object into its typed form; a field of the wrong JSON type
/// is named in the error.
fn typed_config(ty: &IntegrationType, config: Value) -> Result<IntegrationConfig, ApiError> {
    let config = strip_nulls(config);
    match IntegrationConfig::from_value(ty, config.clone()) {
        Ok(c) => strict_scalars(&config).map(|()| c),
        Err(whole) => {
            // Find the field at fault: every field is optional, so each one is
            // read alone.
            if let Value::Object(map) = &config {
                for (k, v) in map {
                    let mut one = Map::new();
                    one.insert(k.clone(), v.clone());
                    if let Err(e) = IntegrationConfig::from_value(ty, Value::Object(one)) {
                        return Err(ApiError::bad_request(format!(
                            "\"config.{k}\": {}",
                            scrub(&e.to_string())
                        )));
                    }
                }
            }
            Err(ApiError::bad_request(format!(
                "\"config\": {}",
                scrub(&whole.to_string())
            )))
        }
    }
}

/// Refuses a port or a flag sent as a string: the models read `"443"` and
/// `"true"` (an answer may carry them so), but a request is held to the
/// page's types, so that a client sending them is caught.
fn strict_scalars(config: &Value) -> Result<(), ApiError> {
    const NUMBERS: &[&str] = &["/port"];
    const FLAGS: &[&str] = &[
        "/audit/enabled",
        "/workspaces/enabled",
        "/lineage/enabled",
        "/impersonation/enabled",
        "/oAuthClientConfig/useCertificate",
    ];
    let field = |p: &str| format!("config{}", p.replace('/', "."));
    for (paths, fits, what) in [
        (NUMBERS, Value::is_number as fn(&Value) -> bool, "a number"),
        (FLAGS, Value::is_boolean, "a boolean"),
    ] {
        if let Some(p) = paths
            .iter()
            .find(|p| config.pointer(p).is_some_and(|v| !fits(v)))
        {
            return Err(ApiError::bad_request(format!(
                "\"{}\" must be {what}",
                field(p)
            )));
        }
    }
    Ok(())
}

/// A serde error message without the offending value (it may be a secret
/// sent with the wrong JSON type): text in backticks or after `string "` is
/// dropped, e.g. ``invalid type: integer `123`, expected a string`` becomes
/// `invalid type: integer, expected a string`.
pub fn scrub(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(['`', '"']) {
        let quote = rest.as_bytes()[i] as char;
        out.push_str(rest[..i].trim_end());
        match rest[i + 1..].find(quote) {
            Some(j) => rest = &rest[i + 1 + j + 1..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Removes `null` members of objects, recursively: null means "not sent".
fn strip_nulls(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

/// Reads and checks a create or update body.
pub fn check_payload(body: &Value) -> Result<ValidPayload, ApiError> {
    let p = read_payload(body)?;
    check_config(&p)?;
    Ok(p)
}

/// Reads a create or update body: its shape, `type`, `autoBootstrap` and
/// the JSON types of the config's fields. [`check_config`] does the rest.
pub fn read_payload(body: &Value) -> Result<ValidPayload, ApiError> {
    let (ty, auto, config) = top_level(body)?;
    if ty.requires_auto_bootstrap() && auto.is_none() {
        return Err(required("autoBootstrap"));
    }
    if ty.must_not_auto_bootstrap() && auto == Some(true) {
        return Err(ApiError::bad_request(format!(
            "\"autoBootstrap\" must be false for {ty} integrations"
        )));
    }
    let config = match (config, &ty) {
        (None, IntegrationType::Trino) => IntegrationConfig::Trino(TrinoConfig::default()),
        (None, _) => return Err(required("config")),
        (Some(c), _) => typed_config(&ty, c)?,
    };
    Ok(ValidPayload {
        integration_type: ty,
        auto_bootstrap: auto,
        config,
    })
}

/// Checks a read body's config against its type's rules.
pub fn check_config(p: &ValidPayload) -> Result<(), ApiError> {
    match rules(&p.integration_type) {
        Some(r) => r.check(&p.config, p.auto_bootstrap.unwrap_or(false)),
        None => Err(ApiError::bad_request("\"type\" is not supported")),
    }
}

/// Fills in the defaults Immuta adds to what was sent (GET shows them when
/// `echo_defaults` is on): Snowflake `port` 443, `audit`, `workspaces`,
/// `lineage` and `impersonation` off, `privateKey.keyName`; Databricks
/// `audit` off; Redshift `port` 5439 and `impersonation` off; Synapse `port`
/// 1433, `impersonation` off and `metadataDelimiters`; an enabled
/// `impersonation` without a role gets `IMMUTA_IMPERSONATION`.
pub fn fill_defaults(config: &mut IntegrationConfig) {
    if let Some(r) = rules_of(config) {
        r.fill_defaults(config);
    }
}

/// What GET answers as `<REDACTED>` under `mode`.
fn hidden_paths(ty: &IntegrationType, mode: Redact) -> impl Iterator<Item = &'static str> {
    let (secrets, more) = match rules(ty) {
        Some(r) => (r.secret_paths(), r.more_paths()),
        None => (&[][..], &[][..]),
    };
    let more = match mode {
        Redact::Secrets => &[][..],
        Redact::More => more,
    };
    secrets.iter().chain(more).copied()
}

/// Rewrites, through its JSON, the strings of a config at `paths`.
fn patch_strings(
    config: &IntegrationConfig,
    paths: impl Iterator<Item = &'static str>,
    mut patch: impl FnMut(&'static str, &str) -> Option<Value>,
) -> IntegrationConfig {
    let Some(ty) = config.integration_type() else {
        return config.clone();
    };
    let mut v = config.to_value();
    let mut changed = false;
    for path in paths {
        if let Some(field) = v.pointer_mut(path) {
            if let Some(new) = field.as_str().and_then(|s| patch(path, s)) {
                *field = new;
                changed = true;
            }
        }
    }
    if !changed {
        return config.clone();
    }
    IntegrationConfig::from_value(&ty, v).unwrap_or_else(|_| config.clone())
}

/// The config as GET shows it: every secret (and with [`Redact::More`] the
/// strings `more_paths` lists) replaced by `<REDACTED>`, Databricks' token
/// by the bare `REDACTED` of Immuta's GET example. Trino's API key stays.
pub fn redact(config: &IntegrationConfig, mode: Redact) -> IntegrationConfig {
    let Some(ty) = config.integration_type() else {
        return config.clone();
    };
    let bare_paths = rules(&ty).map_or(&[][..], |r| r.bare_redacted());
    patch_strings(config, hidden_paths(&ty, mode), |path, _| {
        let bare = bare_paths.contains(&path);
        Some(Value::from(if bare {
            "REDACTED"
        } else {
            immuta_api::REDACTED
        }))
    })
}

/// Everything a config holds that is secret, Trino's key included, hidden:
/// for `Debug` and the failure triggers.
pub fn conceal(config: &IntegrationConfig) -> IntegrationConfig {
    let mut c = redact(config, Redact::Secrets);
    if let IntegrationConfig::Trino(t) = &mut c {
        if t.api_key.is_some() {
            t.api_key = Some(Secret::redacted());
        }
    }
    c
}

/// On update, a string GET redacts under `mode` that is sent as `<REDACTED>`
/// (or `REDACTED`) keeps the stored value, so a GET answer can be sent back.
pub fn keep_redacted_secrets(new: &mut IntegrationConfig, old: &IntegrationConfig, mode: Redact) {
    let Some(ty) = new.integration_type() else {
        return;
    };
    if old.integration_type().as_ref() != Some(&ty) {
        return;
    }
    let before = old.to_value();
    *new = patch_strings(new, hidden_paths(&ty, mode), |path, sent| {
        if Secret::from(sent).is_redacted() {
            before.pointer(path).cloned()
        } else {
            None
        }
    });
}

/// Every non-secret string of a config, lower-cased, joined: where the
/// failure triggers are looked for.
pub fn trigger_text(config: &IntegrationConfig) -> String {
    fn walk(v: &Value, out: &mut String) {
        match v {
            Value::String(s) if !Secret::from(s.as_str()).is_redacted() => {
                out.push_str(&s.to_lowercase());
                out.push('\n');
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(m) => m.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = String::new();
    walk(&conceal(config).to_value(), &mut out);
    out
}

/// Checks a DELETE body against the integration's rules. `None` means the
/// body was empty.
pub fn check_delete_credentials(
    ty: &IntegrationType,
    auto_bootstrap: bool,
    creds: Option<&DeleteCredentials>,
    force: bool,
) -> Result<(), ApiError> {
    let needs = ty.delete_needs_credentials() && auto_bootstrap;
    let Some(c) = creds else {
        if needs && !force {
            return Err(ApiError::bad_request(
                "Integrations that are automatically configured require privileged credentials to disable. Please provide them in your payload.",
            ));
        }
        return Ok(());
    };
    if !needs {
        let why = if ty.delete_needs_credentials() {
            "it was configured manually (autoBootstrap is false)".to_string()
        } else {
            format!("{ty} integrations are removed without them")
        };
        return Err(ApiError::bad_request(format!(
            "Credentials are not accepted to disable this integration: {why}. Send no payload."
        )));
    }
    let Some(rules) = rules(ty) else {
        return Err(ApiError::bad_request("\"type\" is not supported"));
    };
    let allowed = rules.delete_auth();
    let auth = match c.authentication_type.as_deref() {
        None => return Err(required("authenticationType")),
        Some(a) if allowed.contains(&a) => a,
        Some(_) => return Err(must_be_one_of("authenticationType", allowed)),
    };
    if let Some((k, _)) = c.extra.iter().find(|(k, v)| {
        !(v.is_null() || (auth == "oAuthClientCredentials" && k.as_str() == "oAuthClientConfig"))
    }) {
        return Err(not_allowed(k));
    }
    let ap = "authenticationType";
    match auth {
        "userPassword" => {
            need_secret(&c.username, "username")?;
            need_secret(&c.password, "password")?;
            absent(&c.private_key, "privateKey", ap, auth)?;
            absent(&c.okta, "okta", ap, auth)?;
        }
        "keyPair" => {
            need_secret(&c.username, "username")?;
            absent(&c.password, "password", ap, auth)?;
            check_private_key(&c.private_key, "privateKey")?;
        }
        "okta" => {
            absent(&c.username, "username", ap, auth)?;
            absent(&c.password, "password", ap, auth)?;
            check_okta(&c.okta, "okta")?;
        }
        _ => {
            let o = c
                .extra
                .get("oAuthClientConfig")
                .cloned()
                .map(serde_json::from_value::<OAuthClientConfig>)
                .transpose()
                .map_err(|e| {
                    ApiError::bad_request(format!(
                        "\"oAuthClientConfig\": {}",
                        scrub(&e.to_string())
                    ))
                })?;
            check_oauth(&o, "oAuthClientConfig", true)?;
        }
    }
    rules.check_delete_credentials(c)
}

/// Whether the DELETE credentials match what the integration was configured
/// with (the emulator's stand-in for "can log in to the platform"). Differing
/// authentication types cannot be compared and are accepted.
pub fn credentials_match(config: &IntegrationConfig, c: &DeleteCredentials) -> bool {
    rules_of(config).is_none_or(|r| r.credentials_match(config, c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn snowflake() -> Value {
        json!({"type": "Snowflake", "autoBootstrap": true, "config": {
            "host": "a.snowflakecomputing.com", "warehouse": "W", "database": "D",
            "authenticationType": "userPassword", "username": "u", "password": "p", "role": "R"}})
    }

    fn msg(v: Value) -> String {
        check_payload(&v).unwrap_err().message
    }

    #[test]
    fn snowflake_defaults_are_filled_in() {
        let mut p = check_payload(&snowflake()).unwrap();
        assert_eq!(p.config.to_value(), snowflake()["config"], "kept as sent");
        fill_defaults(&mut p.config);
        let v = p.config.to_value();
        assert_eq!(v["port"], 443);
        for k in ["audit", "workspaces", "lineage", "impersonation"] {
            assert_eq!(v[k], json!({"enabled": false}), "{k}");
        }
    }

    #[test]
    fn wrong_json_type_names_the_field() {
        let mut v = snowflake();
        v["config"]["port"] = json!("x");
        assert!(msg(v).starts_with("\"config.port\""));
    }

    #[test]
    fn auth_specific_fields() {
        let mut v = snowflake();
        v["config"]["authenticationType"] = json!("keyPair");
        assert_eq!(
            msg(v.clone()),
            "\"config.password\" is not allowed when \"config.authenticationType\" is \"keyPair\""
        );
        v["config"].as_object_mut().unwrap().remove("password");
        assert_eq!(msg(v.clone()), "\"config.privateKey\" is required");
        v["config"]["privateKey"] = json!({"content": "pem"});
        let mut p = check_payload(&v).unwrap();
        fill_defaults(&mut p.config);
        assert_eq!(
            p.config.to_value()["privateKey"]["keyName"],
            "PRIV_KEY_FILE"
        );
    }

    #[test]
    fn mistyped_secrets_are_not_echoed() {
        let mut v = snowflake();
        v["config"]["password"] = json!(987654321);
        let m = msg(v);
        assert!(
            m.starts_with("\"config.password\": invalid type: integer"),
            "{m}"
        );
        assert!(!m.contains("987654321"), "{m}");
        assert_eq!(
            scrub("invalid type: string \"hunter2\", expected u16"),
            "invalid type: string, expected u16"
        );
    }

    #[test]
    fn a_put_of_placeholders_keeps_what_get_redacted() {
        let old = check_payload(&snowflake()).unwrap().config;
        let mut v = snowflake();
        v["config"]["password"] = json!("REDACTED");
        v["config"]["username"] = json!("<REDACTED>");
        v["config"]["role"] = json!("<REDACTED>");
        let sent = check_payload(&v).unwrap().config;
        let mut new = sent.clone();
        keep_redacted_secrets(&mut new, &old, Redact::Secrets);
        let n = new.to_value();
        assert_eq!((&n["password"], &n["username"]), (&json!("p"), &json!("u")));
        assert_eq!(n["role"], "<REDACTED>", "no secret: stored as sent");
        let mut new = sent;
        keep_redacted_secrets(&mut new, &old, Redact::More);
        assert_eq!(new.to_value()["role"], "R");
    }

    #[test]
    fn redaction_and_trigger_text_hide_secrets() {
        let p = check_payload(&snowflake()).unwrap();
        let r = redact(&p.config, Redact::Secrets).to_value();
        assert_eq!(r["password"], "<REDACTED>");
        assert_eq!(r["username"], "<REDACTED>");
        assert_eq!(r["role"], "R");
        let r = redact(&p.config, Redact::More).to_value();
        assert_eq!(r["role"], "<REDACTED>");
        assert_eq!(r["host"], "a.snowflakecomputing.com");
        let t = trigger_text(&p.config);
        assert!(t.contains("a.snowflakecomputing.com"));
        assert!(!t.contains("\np\n") && !t.starts_with("p\n"));
    }
}
