//! Reading and checking the bodies of the connection API: the create (and
//! update) body, a settings body. Every error names the field, as
//! `/integrations` does (`"connection.hostname" is required`).
//!
//! A native integration's config may leave out what the connection object
//! already says (host, port, warehouse, role, credentials): those are
//! filled in from it (a guess) before the config goes through the same
//! checks as a `/integrations` body.

use crate::checks::UNREACHABLE;
use crate::error::ApiError;
use crate::types::is_role_arn;
use crate::validate::{check_payload, scrub};
use immuta_api::connection::{
    ConnectionOptions, ConnectionPayload, ConnectionSpec, LakeFormationConfig, ObjectSettings,
    Technology,
};
use immuta_api::{IntegrationConfig, IntegrationPayload};
use serde_json::{json, Map, Value};

fn bad(message: String) -> ApiError {
    ApiError::bad_request(message)
}

fn required(path: &str) -> ApiError {
    bad(format!("\"{path}\" is required"))
}

/// The members of an object, refusing any not in `allowed`.
fn object<'a>(
    v: Option<&'a Value>,
    path: &str,
    allowed: &[&str],
) -> Result<Option<&'a Map<String, Value>>, ApiError> {
    let m = match v {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(m)) => m,
        Some(_) => return Err(bad(format!("\"{path}\" must be an object"))),
    };
    match m.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) if path.is_empty() => Err(bad(format!("\"{k}\" is not allowed"))),
        Some(k) => Err(bad(format!("\"{path}.{k}\" is not allowed"))),
        None => Ok(Some(m)),
    }
}

fn flag(m: &Map<String, Value>, key: &str, path: &str) -> Result<(), ApiError> {
    match m.get(key) {
        None | Some(Value::Null | Value::Bool(_)) => Ok(()),
        Some(_) => Err(bad(format!("\"{path}.{key}\" must be a boolean"))),
    }
}

/// Reads a value into `T`, naming the first member at fault.
fn typed<T: serde::de::DeserializeOwned>(v: &Value, path: &str) -> Result<T, ApiError> {
    serde_json::from_value(v.clone()).map_err(|whole| {
        let at = v.as_object().and_then(|m| {
            m.iter().find_map(|(k, x)| {
                let one = Value::Object(Map::from_iter([(k.clone(), x.clone())]));
                serde_json::from_value::<T>(one)
                    .err()
                    .map(|e| format!("\"{path}.{k}\": {}", scrub(&e.to_string())))
            })
        });
        bad(at.unwrap_or_else(|| format!("\"{path}\": {}", scrub(&whole.to_string()))))
    })
}

/// The `connection` fields each technology takes.
fn connection_fields(t: &Technology) -> &'static [&'static str] {
    match t {
        Technology::Snowflake => &[
            "technology",
            "hostname",
            "port",
            "warehouse",
            "role",
            "authenticationType",
            "username",
            "password",
            "privateKey",
            "privateKeyPassword",
            "oAuthClientConfig",
        ],
        Technology::Databricks => &[
            "technology",
            "hostname",
            "port",
            "httpPath",
            "authenticationType",
            "token",
            "oAuthClientConfig",
        ],
        _ => &[
            "technology",
            "awsAccountId",
            "awsRegion",
            "authenticationType",
            "awsRoleToAssume",
            "awsAccessKeyId",
            "awsSecretAccessKey",
        ],
    }
}

/// Each authentication type of a technology, and what it needs.
fn auth_types(t: &Technology) -> &'static [(&'static str, &'static [&'static str])] {
    match t {
        Technology::Snowflake => &[
            ("userPassword", &["username", "password"]),
            ("keyPair", &["username", "privateKey"]),
            ("oAuthClientCredentials", &["oAuthClientConfig"]),
        ],
        Technology::Databricks => &[("token", &["token"]), ("oAuthM2M", &["oAuthClientConfig"])],
        _ => &[
            ("auto", &["awsRoleToAssume"]),
            ("accessKey", &["awsAccessKeyId", "awsSecretAccessKey"]),
        ],
    }
}

/// What each technology needs whatever its authentication.
fn always_required(t: &Technology) -> &'static [&'static str] {
    match t {
        Technology::Snowflake => &["hostname", "warehouse", "role", "authenticationType"],
        Technology::Databricks => &["hostname", "httpPath", "authenticationType"],
        _ => &["awsAccountId", "awsRegion", "authenticationType"],
    }
}

fn check_connection(c: &Map<String, Value>) -> Result<(Technology, ConnectionSpec), ApiError> {
    let names: Vec<&str> = Technology::ALL.iter().map(Technology::as_str).collect();
    let t = match c.get("technology") {
        None | Some(Value::Null) => return Err(required("connection.technology")),
        Some(Value::String(s)) => Technology::from(s.as_str()),
        Some(_) => return Err(bad("\"connection.technology\" must be a string".into())),
    };
    if matches!(t, Technology::Other(_)) {
        return Err(bad(format!(
            "\"connection.technology\" must be one of [{}]",
            names.join(", ")
        )));
    }
    let fields = connection_fields(&t);
    if let Some(k) = c.keys().find(|k| !fields.contains(&k.as_str())) {
        return Err(bad(format!(
            "\"connection.{k}\" is not allowed when \"connection.technology\" is \"{t}\""
        )));
    }
    for k in always_required(&t) {
        match c.get(*k) {
            None | Some(Value::Null) => return Err(required(&format!("connection.{k}"))),
            Some(Value::String(s)) if s.trim().is_empty() => {
                return Err(bad(format!(
                    "\"connection.{k}\" is not allowed to be empty"
                )))
            }
            _ => {}
        }
    }
    if let Some(p) = c.get("port") {
        if !p.as_u64().is_some_and(|n| (1..=65535).contains(&n)) {
            return Err(bad(
                "\"connection.port\" must be a number between 1 and 65535".into(),
            ));
        }
    }
    let auth = c
        .get("authenticationType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let kinds = auth_types(&t);
    let Some((_, needs)) = kinds.iter().find(|(a, _)| *a == auth) else {
        let allowed: Vec<&str> = kinds.iter().map(|(a, _)| *a).collect();
        return Err(bad(format!(
            "\"connection.authenticationType\" must be one of [{}]",
            allowed.join(", ")
        )));
    };
    for k in *needs {
        if c.get(*k).is_none_or(Value::is_null) {
            return Err(required(&format!("connection.{k}")));
        }
    }
    for (other, fields) in kinds.iter().filter(|(a, _)| *a != auth) {
        if let Some(k) = fields
            .iter()
            .find(|k| !needs.contains(k) && c.get(**k).is_some_and(|v| !v.is_null()))
        {
            return Err(bad(format!(
                "\"connection.{k}\" is not allowed when \"connection.authenticationType\" is \"{auth}\" (it belongs to \"{other}\")"
            )));
        }
    }
    let spec: ConnectionSpec = typed(&Value::Object(c.clone()), "connection")?;
    if let Some(role) = spec.aws_role_to_assume.as_deref() {
        if !is_role_arn(role) {
            return Err(bad(
                "\"connection.awsRoleToAssume\" must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)"
                    .into(),
            ));
        }
    }
    if let Some(id) = spec.aws_account_id.as_deref() {
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("\"connection.awsAccountId\" must be 12 digits".into()));
        }
    }
    Ok((t, spec))
}

/// The native config, with what the connection object says filled in
/// where it is left out.
fn filled_native_config(t: &Technology, c: &Map<String, Value>, config: &Value) -> Value {
    let pairs: &[(&str, &str)] = match t {
        Technology::Snowflake => &[
            ("hostname", "host"),
            ("port", "port"),
            ("warehouse", "warehouse"),
            ("role", "role"),
            ("authenticationType", "authenticationType"),
            ("username", "username"),
            ("password", "password"),
            ("privateKey", "privateKey"),
            ("privateKeyPassword", "privateKeyPassword"),
            ("oAuthClientConfig", "oAuthClientConfig"),
        ],
        Technology::Databricks => &[
            ("hostname", "workspaceUrl"),
            ("httpPath", "httpPath"),
            ("authenticationType", "authenticationType"),
            ("token", "token"),
            ("oAuthClientConfig", "oAuthClientConfig"),
        ],
        _ => &[
            ("awsAccountId", "awsAccountId"),
            ("awsRegion", "awsRegion"),
            ("authenticationType", "authenticationType"),
            ("awsRoleToAssume", "awsRoleToAssume"),
            ("awsAccessKeyId", "awsAccessKeyId"),
            ("awsSecretAccessKey", "awsSecretAccessKey"),
        ],
    };
    let mut out = config.as_object().cloned().unwrap_or_default();
    for (from, to) in pairs {
        if out.get(*to).is_none_or(Value::is_null) {
            if let Some(v) = c.get(*from).filter(|v| !v.is_null()) {
                out.insert(to.to_string(), v.clone());
            }
        }
    }
    Value::Object(out)
}

/// Prefixes the paths an `/integrations` check names with `nativeIntegration.`.
fn under_native(e: ApiError) -> ApiError {
    let mut m = e.message;
    for key in ["config", "type", "autoBootstrap"] {
        m = m.replace(&format!("\"{key}"), &format!("\"nativeIntegration.{key}"));
    }
    ApiError::new(e.status, m)
}

/// Checks `nativeIntegration`; the payload as sent and the config the
/// integration under `/integrations` gets (the connection's fields filled
/// in; Lake Formation's without its secret).
fn check_native(
    t: &Technology,
    c: &Map<String, Value>,
    n: &Map<String, Value>,
) -> Result<(IntegrationPayload, IntegrationConfig), ApiError> {
    let want = t.native_type();
    match n.get("type") {
        None | Some(Value::Null) => return Err(required("nativeIntegration.type")),
        Some(Value::String(s)) if *s == want.as_str() => {}
        Some(_) => {
            return Err(bad(format!(
                "\"nativeIntegration.type\" must be \"{want}\" for a {t} connection"
            )))
        }
    }
    match n.get("autoBootstrap") {
        None | Some(Value::Null) => return Err(required("nativeIntegration.autoBootstrap")),
        Some(Value::Bool(false)) => {}
        Some(_) => {
            return Err(bad(
                "\"nativeIntegration.autoBootstrap\" must be false: a connection's prerequisites are set up by the script"
                    .into(),
            ))
        }
    }
    let sent = n.get("config").cloned().unwrap_or(json!({}));
    if !sent.is_object() {
        return Err(bad("\"nativeIntegration.config\" must be an object".into()));
    }
    let filled = filled_native_config(t, c, &sent);
    let stored = if t.has_scripts() {
        check_payload(&json!({"type": want.as_str(), "autoBootstrap": false, "config": filled}))
            .map_err(under_native)?
            .config
    } else {
        let mut lf: LakeFormationConfig = typed(&sent, "nativeIntegration.config")?;
        if let Some(k) = lf.extra.keys().next() {
            return Err(bad(format!(
                "\"nativeIntegration.config.{k}\" is not allowed"
            )));
        }
        lf = typed(&filled, "nativeIntegration.config")?;
        lf.aws_secret_access_key = None;
        lf.to_config()
    };
    let sent_config = match t {
        Technology::Snowflake | Technology::Databricks => {
            IntegrationConfig::from_value(&want, sent.clone()).map_err(|e| {
                bad(format!(
                    "\"nativeIntegration.config\": {}",
                    scrub(&e.to_string())
                ))
            })?
        }
        _ => IntegrationConfig::Other(sent.as_object().cloned().unwrap_or_default()),
    };
    let payload = IntegrationPayload {
        integration_type: want,
        auto_bootstrap: Some(false),
        config: Some(sent_config),
    };
    Ok((payload, stored))
}

/// Checks a settings object (`settings` of a create body, or the body of
/// `PUT /data/settings`); `root` refuses `isActive: null`.
pub fn check_settings(
    v: Option<&Value>,
    path: &str,
    root: bool,
) -> Result<ObjectSettings, ApiError> {
    let Some(m) = object(v, path, &["isActive", "activateNewChildren", "dataOwners"])? else {
        return Ok(ObjectSettings::default());
    };
    let at = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match m.get("isActive") {
        Some(Value::Null) if root => {
            return Err(bad(format!(
                "\"{}\" cannot be inherited by a connection, which has no parent",
                at("isActive")
            )))
        }
        None | Some(Value::Null | Value::Bool(_)) => {}
        Some(_) => {
            return Err(bad(format!(
                "\"{}\" must be true, false or null",
                at("isActive")
            )))
        }
    }
    match m.get("activateNewChildren") {
        None | Some(Value::Null | Value::Bool(_)) => {}
        Some(_) => {
            return Err(bad(format!(
                "\"{}\" must be a boolean",
                at("activateNewChildren")
            )))
        }
    }
    if let Some(owners) = m.get("dataOwners").filter(|v| !v.is_null()) {
        let list = owners
            .as_array()
            .ok_or_else(|| bad(format!("\"{}\" must be an array", at("dataOwners"))))?;
        for (i, o) in list.iter().enumerate() {
            let p = at(&format!("dataOwners[{i}]"));
            let o = object(Some(o), &p, &["type", "id", "name"])?
                .unwrap_or(&Map::new())
                .clone();
            if !matches!(
                o.get("type").and_then(Value::as_str),
                Some("user" | "group")
            ) {
                return Err(bad(format!("\"{p}.type\" must be one of [user, group]")));
            }
            if o.get("id").is_none() && o.get("name").is_none() {
                return Err(bad(format!("\"{p}\" needs an \"id\" or a \"name\"")));
            }
        }
    }
    typed(
        &Value::Object(m.clone()),
        if path.is_empty() { "settings" } else { path },
    )
}

/// A checked create body: the payload, and the config the integration
/// under `/integrations` is made with.
pub struct Checked {
    /// The body, typed.
    pub payload: ConnectionPayload,
    /// Its technology.
    pub technology: Technology,
    /// The native integration's config as `/integrations` holds it.
    pub native_config: IntegrationConfig,
}

/// Reads and checks a create body (or a full update body).
pub fn check_create(body: &Value) -> Result<Checked, ApiError> {
    let top = object(
        Some(body),
        "",
        &[
            "connectionKey",
            "connection",
            "settings",
            "options",
            "nativeIntegration",
        ],
    )?
    .ok_or_else(|| bad("The request body must be an object".into()))?;
    let key = match top.get("connectionKey") {
        None | Some(Value::Null) => return Err(required("connectionKey")),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(bad("\"connectionKey\" must be a string".into())),
    };
    if key.trim().is_empty() {
        return Err(bad("\"connectionKey\" is not allowed to be empty".into()));
    }
    if key.contains(['.', '/']) {
        return Err(bad(
            "\"connectionKey\" must not contain \".\" or \"/\"".into()
        ));
    }
    let c = match top.get("connection") {
        None | Some(Value::Null) => return Err(required("connection")),
        Some(Value::Object(m)) => m,
        Some(_) => return Err(bad("\"connection\" must be an object".into())),
    };
    let (technology, spec) = check_connection(c)?;
    let settings = check_settings(top.get("settings"), "settings", true)?;
    let options = match object(top.get("options"), "options", &["forceRecursiveCrawl"])? {
        Some(m) => {
            flag(m, "forceRecursiveCrawl", "options")?;
            Some(typed::<ConnectionOptions>(
                &Value::Object(m.clone()),
                "options",
            )?)
        }
        None => None,
    };
    let n = match top.get("nativeIntegration") {
        None | Some(Value::Null) => return Err(required("nativeIntegration")),
        Some(Value::Object(m)) => m,
        Some(_) => return Err(bad("\"nativeIntegration\" must be an object".into())),
    };
    if let Some(k) = n
        .keys()
        .find(|k| !matches!(k.as_str(), "type" | "autoBootstrap" | "config"))
    {
        return Err(bad(format!("\"nativeIntegration.{k}\" is not allowed")));
    }
    let (native, native_config) = check_native(&technology, c, n)?;
    let reach = [
        &spec.hostname,
        &spec.http_path,
        &spec.warehouse,
        &spec.aws_region,
    ];
    if let Some(h) = reach
        .iter()
        .filter_map(|s| s.as_deref())
        .find(|s| s.to_ascii_lowercase().contains(UNREACHABLE))
    {
        return Err(ApiError::unprocessable(format!(
            "Validation of the connection failed: Immuta could not reach {h}."
        )));
    }
    let payload = ConnectionPayload {
        connection_key: key,
        connection: spec,
        settings: top.contains_key("settings").then_some(settings),
        options,
        native_integration: native,
    };
    Ok(Checked {
        payload,
        technology,
        native_config,
    })
}
