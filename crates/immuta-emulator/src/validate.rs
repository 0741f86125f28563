//! Reading and checking create/update bodies and DELETE credentials, per
//! integration type: required fields, accepted `authenticationType` values and
//! the fields each needs, `autoBootstrap` rules, unknown fields. Also the
//! defaults GET fills in, redaction of secrets, and the failure triggers.

use crate::error::ApiError;
use immuta_api::config::{
    AzureSynapseConfig, BigQueryConfig, DatabricksConfig, Extra, Impersonation, MetadataDelimiters,
    OAuthClientConfig, OktaConfig, PrivateKey, RedshiftConfig, S3Config, SnowflakeConfig, Toggle,
    TrinoConfig,
};
use immuta_api::{DeleteCredentials, IntegrationConfig, IntegrationType, Secret};
use serde_json::{Map, Value};

/// A create/update body that passed every check, with defaults filled in.
#[derive(Clone, Debug)]
pub struct ValidPayload {
    /// The type.
    pub integration_type: IntegrationType,
    /// `autoBootstrap` (None only for Trino when not sent).
    pub auto_bootstrap: Option<bool>,
    /// The config, defaults filled in, secrets as sent.
    pub config: IntegrationConfig,
}

fn required(path: &str) -> ApiError {
    ApiError::bad_request(format!("\"{path}\" is required"))
}

fn not_allowed(path: &str) -> ApiError {
    ApiError::bad_request(format!("\"{path}\" is not allowed"))
}

fn not_allowed_with(path: &str, auth_path: &str, auth: &str) -> ApiError {
    ApiError::bad_request(format!(
        "\"{path}\" is not allowed when \"{auth_path}\" is \"{auth}\""
    ))
}

fn must_be_one_of(path: &str, allowed: &[&str]) -> ApiError {
    ApiError::bad_request(format!(
        "\"{path}\" must be one of [{}]",
        allowed.join(", ")
    ))
}

/// Rejects the first unknown field of an object.
fn no_extra(extra: &Extra, prefix: &str) -> Result<(), ApiError> {
    match extra.iter().find(|(_, v)| !v.is_null()) {
        Some((k, _)) => Err(not_allowed(&format!("{prefix}.{k}"))),
        None => Ok(()),
    }
}

/// A required, non-empty string.
fn need_str(v: &Option<String>, path: &str) -> Result<(), ApiError> {
    match v.as_deref() {
        None => Err(required(path)),
        Some(s) if s.trim().is_empty() => Err(ApiError::bad_request(format!(
            "\"{path}\" is not allowed to be empty"
        ))),
        Some(_) => Ok(()),
    }
}

/// A required, non-empty secret.
fn need_secret(v: &Option<Secret>, path: &str) -> Result<(), ApiError> {
    match v {
        None => Err(required(path)),
        Some(s) if s.expose().trim().is_empty() => Err(ApiError::bad_request(format!(
            "\"{path}\" is not allowed to be empty"
        ))),
        Some(_) => Ok(()),
    }
}

/// An optional string that, when sent, is not empty.
fn opt_str(v: &Option<String>, path: &str) -> Result<(), ApiError> {
    if v.is_some() {
        need_str(v, path)?;
    }
    Ok(())
}

fn absent<T>(v: &Option<T>, path: &str, auth_path: &str, auth: &str) -> Result<(), ApiError> {
    if v.is_some() {
        return Err(not_allowed_with(path, auth_path, auth));
    }
    Ok(())
}

fn check_port(p: Option<u16>, path: &str) -> Result<(), ApiError> {
    if p == Some(0) {
        return Err(ApiError::bad_request(format!(
            "\"{path}\" must be between 1 and 65535"
        )));
    }
    Ok(())
}

fn check_toggle(t: &Option<Toggle>, path: &str) -> Result<(), ApiError> {
    if let Some(t) = t {
        no_extra(&t.extra, path)?;
    }
    Ok(())
}

fn check_impersonation(i: &Option<Impersonation>, path: &str) -> Result<(), ApiError> {
    if let Some(i) = i {
        no_extra(&i.extra, path)?;
        opt_str(&i.role, &format!("{path}.role"))?;
        if i.enabled != Some(true) && i.role.is_some() {
            return Err(ApiError::bad_request(format!(
                "\"{path}.role\" is not allowed when \"{path}.enabled\" is false"
            )));
        }
    }
    Ok(())
}

fn auth_type<'a>(v: &'a Option<String>, allowed: &[&str]) -> Result<&'a str, ApiError> {
    let path = "config.authenticationType";
    match v.as_deref() {
        None => Err(required(path)),
        Some(a) if allowed.contains(&a) => Ok(a),
        Some(_) => Err(must_be_one_of(path, allowed)),
    }
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

/// Checks a create or update body and fills in defaults.
pub fn check_payload(body: &Value) -> Result<ValidPayload, ApiError> {
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
    let mut config = config;
    let auto_b = auto.unwrap_or(false);
    match &mut config {
        IntegrationConfig::Snowflake(c) => check_snowflake(c, auto_b)?,
        IntegrationConfig::Databricks(c) => check_databricks(c)?,
        IntegrationConfig::BigQuery(c) => check_bigquery(c)?,
        IntegrationConfig::Redshift(c) => check_redshift(c, auto_b)?,
        IntegrationConfig::AzureSynapse(c) => check_synapse(c)?,
        IntegrationConfig::S3(c) => check_s3(c)?,
        IntegrationConfig::Trino(c) => {
            if c.api_key.is_some() {
                return Err(ApiError::bad_request(
                    "\"config.apiKey\" is not allowed: Immuta generates it (use POST /integrations/{id}/regenerate)",
                ));
            }
            no_extra(&c.extra, "config")?;
        }
        IntegrationConfig::Other(_) => {
            return Err(ApiError::bad_request("\"type\" is not supported"));
        }
    }
    Ok(ValidPayload {
        integration_type: ty,
        auto_bootstrap: auto,
        config,
    })
}

const SNOWFLAKE_AUTH: &[&str] = &["userPassword", "keyPair", "oAuthClientCredentials"];

fn check_private_key(k: &mut Option<PrivateKey>, path: &str) -> Result<(), ApiError> {
    let Some(k) = k else {
        return Err(required(path));
    };
    no_extra(&k.extra, path)?;
    need_secret(&k.content, &format!("{path}.content"))?;
    opt_str(&k.user_filename, &format!("{path}.userFilename"))?;
    if k.key_name.is_none() {
        k.key_name = Some("PRIV_KEY_FILE".to_string());
    }
    Ok(())
}

fn check_oauth(o: &Option<OAuthClientConfig>, path: &str, snowflake: bool) -> Result<(), ApiError> {
    let Some(o) = o else {
        return Err(required(path));
    };
    no_extra(&o.extra, path)?;
    need_str(&o.client_id, &format!("{path}.clientId"))?;
    if snowflake {
        need_str(&o.authority_url, &format!("{path}.authorityUrl"))?;
    }
    let p = |f: &str| format!("{path}.{f}");
    if o.use_certificate == Some(true) {
        need_str(
            &o.public_certificate_thumbprint,
            &p("publicCertificateThumbprint"),
        )?;
        need_secret(&o.oauth_private_key, &p("oauthPrivateKey"))?;
        if o.client_secret.is_some() {
            return Err(ApiError::bad_request(format!(
                "\"{}\" is not allowed when \"{}\" is true",
                p("clientSecret"),
                p("useCertificate")
            )));
        }
    } else {
        need_secret(&o.client_secret, &p("clientSecret"))?;
    }
    Ok(())
}

fn check_snowflake(c: &mut SnowflakeConfig, auto: bool) -> Result<(), ApiError> {
    no_extra(&c.extra, "config")?;
    need_str(&c.host, "config.host")?;
    need_str(&c.warehouse, "config.warehouse")?;
    need_str(&c.database, "config.database")?;
    check_port(c.port, "config.port")?;
    if auto {
        need_str(&c.role, "config.role")?;
    } else {
        opt_str(&c.role, "config.role")?;
    }
    let ap = "config.authenticationType";
    let auth = auth_type(&c.authentication_type, SNOWFLAKE_AUTH)?.to_string();
    match auth.as_str() {
        "userPassword" => {
            need_secret(&c.username, "config.username")?;
            need_secret(&c.password, "config.password")?;
            absent(&c.private_key, "config.privateKey", ap, &auth)?;
            absent(
                &c.private_key_password,
                "config.privateKeyPassword",
                ap,
                &auth,
            )?;
            absent(
                &c.o_auth_client_config,
                "config.oAuthClientConfig",
                ap,
                &auth,
            )?;
        }
        "keyPair" => {
            need_secret(&c.username, "config.username")?;
            absent(&c.password, "config.password", ap, &auth)?;
            check_private_key(&mut c.private_key, "config.privateKey")?;
            absent(
                &c.o_auth_client_config,
                "config.oAuthClientConfig",
                ap,
                &auth,
            )?;
        }
        _ => {
            absent(&c.password, "config.password", ap, &auth)?;
            absent(&c.private_key, "config.privateKey", ap, &auth)?;
            absent(
                &c.private_key_password,
                "config.privateKeyPassword",
                ap,
                &auth,
            )?;
            check_oauth(&c.o_auth_client_config, "config.oAuthClientConfig", true)?;
        }
    }
    check_toggle(&c.audit, "config.audit")?;
    check_toggle(&c.workspaces, "config.workspaces")?;
    check_toggle(&c.lineage, "config.lineage")?;
    check_impersonation(&c.impersonation, "config.impersonation")?;
    // Defaults Immuta fills in.
    c.port.get_or_insert(443);
    for t in [&mut c.audit, &mut c.workspaces, &mut c.lineage] {
        let t = t.get_or_insert_with(|| Toggle::enabled(false));
        t.enabled.get_or_insert(false);
    }
    default_impersonation(&mut c.impersonation);
    Ok(())
}

fn default_impersonation(i: &mut Option<Impersonation>) {
    let i = i.get_or_insert_with(Impersonation::default);
    let on = *i.enabled.get_or_insert(false);
    if on && i.role.is_none() {
        i.role = Some("IMMUTA_IMPERSONATION".to_string());
    }
}

const DATABRICKS_AUTH: &[&str] = &["token", "oAuthM2M"];

fn check_databricks(c: &mut DatabricksConfig) -> Result<(), ApiError> {
    no_extra(&c.extra, "config")?;
    need_str(&c.workspace_url, "config.workspaceUrl")?;
    need_str(&c.http_path, "config.httpPath")?;
    need_str(&c.catalog, "config.catalog")?;
    let ap = "config.authenticationType";
    let auth = auth_type(&c.authentication_type, DATABRICKS_AUTH)?.to_string();
    if auth == "token" {
        need_secret(&c.token, "config.token")?;
        absent(
            &c.o_auth_client_config,
            "config.oAuthClientConfig",
            ap,
            &auth,
        )?;
    } else {
        absent(&c.token, "config.token", ap, &auth)?;
        check_oauth(&c.o_auth_client_config, "config.oAuthClientConfig", false)?;
    }
    check_toggle(&c.audit, "config.audit")?;
    if let Some(g) = &c.group_pattern {
        no_extra(&g.extra, "config.groupPattern")?;
        need_str(&g.deny, "config.groupPattern.deny")?;
    }
    if let Some(ids) = &c.workspace_ids {
        if let Some(i) = ids.iter().position(|s| s.trim().is_empty()) {
            return Err(ApiError::bad_request(format!(
                "\"config.workspaceIds[{i}]\" is not allowed to be empty"
            )));
        }
    }
    let a = c.audit.get_or_insert_with(|| Toggle::enabled(false));
    a.enabled.get_or_insert(false);
    Ok(())
}

/// Reads a BigQuery key file, forgiving raw newlines inside its strings (as
/// Immuta's own example sends them).
pub fn parse_key_file(text: &str) -> Option<Map<String, Value>> {
    let parsed = serde_json::from_str::<Value>(text)
        .ok()
        .or_else(|| serde_json::from_str::<Value>(&text.replace('\n', "\\n")).ok());
    match parsed {
        Some(Value::Object(m)) => Some(m),
        _ => None,
    }
}

fn check_bigquery(c: &mut BigQueryConfig) -> Result<(), ApiError> {
    no_extra(&c.extra, "config")?;
    need_str(&c.role, "config.role")?;
    need_str(&c.dataset_suffix, "config.datasetSuffix")?;
    if !c.dataset_suffix.as_deref().unwrap_or("").starts_with('_') {
        return Err(ApiError::bad_request(
            "\"config.datasetSuffix\" must start with \"_\"",
        ));
    }
    need_str(&c.dataset, "config.dataset")?;
    need_str(&c.location, "config.location")?;
    need_secret(&c.credential, "config.credential")?;
    let text = c.credential.as_ref().map(|s| s.expose()).unwrap_or("");
    let key = parse_key_file(text).ok_or_else(|| {
        ApiError::bad_request(
            "\"config.credential\" must be the service account's JSON key file, as a string",
        )
    })?;
    for field in ["type", "project_id", "client_email", "private_key"] {
        if !key.get(field).is_some_and(|v| v.is_string()) {
            return Err(ApiError::bad_request(format!(
                "\"config.credential\" is missing \"{field}\" in the key file"
            )));
        }
    }
    Ok(())
}

const REDSHIFT_AUTH: &[&str] = &["userPassword", "okta"];

fn check_okta(o: &Option<OktaConfig>, path: &str) -> Result<(), ApiError> {
    let Some(o) = o else {
        return Err(required(path));
    };
    no_extra(&o.extra, path)?;
    need_secret(&o.username, &format!("{path}.username"))?;
    need_secret(&o.password, &format!("{path}.password"))?;
    need_str(&o.app_id, &format!("{path}.appId"))?;
    need_str(&o.idp_host, &format!("{path}.idpHost"))?;
    need_str(&o.role, &format!("{path}.role"))?;
    Ok(())
}

fn check_redshift(c: &mut RedshiftConfig, auto: bool) -> Result<(), ApiError> {
    no_extra(&c.extra, "config")?;
    need_str(&c.host, "config.host")?;
    need_str(&c.database, "config.database")?;
    check_port(c.port, "config.port")?;
    if auto {
        need_str(&c.initial_database, "config.initialDatabase")?;
    } else {
        opt_str(&c.initial_database, "config.initialDatabase")?;
    }
    let ap = "config.authenticationType";
    let auth = auth_type(&c.authentication_type, REDSHIFT_AUTH)?.to_string();
    if auth == "userPassword" {
        need_secret(&c.username, "config.username")?;
        need_secret(&c.password, "config.password")?;
        absent(&c.okta, "config.okta", ap, &auth)?;
    } else {
        absent(&c.username, "config.username", ap, &auth)?;
        absent(&c.password, "config.password", ap, &auth)?;
        check_okta(&c.okta, "config.okta")?;
    }
    check_impersonation(&c.impersonation, "config.impersonation")?;
    c.port.get_or_insert(5439);
    default_impersonation(&mut c.impersonation);
    Ok(())
}

const SYNAPSE_AUTH: &[&str] = &["userPassword"];

fn check_synapse(c: &mut AzureSynapseConfig) -> Result<(), ApiError> {
    no_extra(&c.extra, "config")?;
    need_str(&c.host, "config.host")?;
    need_str(&c.database, "config.database")?;
    need_str(&c.schema, "config.schema")?;
    check_port(c.port, "config.port")?;
    auth_type(&c.authentication_type, SYNAPSE_AUTH)?;
    need_secret(&c.username, "config.username")?;
    need_secret(&c.password, "config.password")?;
    let d = c
        .metadata_delimiters
        .get_or_insert_with(MetadataDelimiters::default);
    no_extra(&d.extra, "config.metadataDelimiters")?;
    for (v, name, default) in [
        (&mut d.hash_delimiter, "hashDelimiter", "|"),
        (&mut d.hash_key_delimiter, "hashKeyDelimiter", ":"),
        (&mut d.array_delimiter, "arrayDelimiter", ","),
    ] {
        match v {
            Some(s) if s.is_empty() => {
                return Err(ApiError::bad_request(format!(
                    "\"config.metadataDelimiters.{name}\" is not allowed to be empty"
                )))
            }
            Some(_) => {}
            None => *v = Some(default.to_string()),
        }
    }
    check_impersonation(&c.impersonation, "config.impersonation")?;
    c.port.get_or_insert(1433);
    default_impersonation(&mut c.impersonation);
    Ok(())
}

const S3_AUTH: &[&str] = &["auto", "accessKey"];

fn check_s3(c: &mut S3Config) -> Result<(), ApiError> {
    no_extra(&c.extra, "config")?;
    need_str(&c.name, "config.name")?;
    need_str(&c.aws_account_id, "config.awsAccountId")?;
    if !c
        .aws_account_id
        .as_deref()
        .unwrap_or("")
        .chars()
        .all(|ch| ch.is_ascii_digit())
    {
        return Err(ApiError::bad_request(
            "\"config.awsAccountId\" must contain only digits",
        ));
    }
    need_str(&c.aws_region, "config.awsRegion")?;
    need_str(&c.aws_location_role, "config.awsLocationRole")?;
    need_str(&c.aws_location_path, "config.awsLocationPath")?;
    if !c
        .aws_location_path
        .as_deref()
        .unwrap_or("")
        .starts_with("s3://")
    {
        return Err(ApiError::bad_request(
            "\"config.awsLocationPath\" must start with \"s3://\"",
        ));
    }
    let ap = "config.authenticationType";
    let auth = auth_type(&c.authentication_type, S3_AUTH)?.to_string();
    if auth == "auto" {
        need_str(&c.aws_role_to_assume, "config.awsRoleToAssume")?;
        absent(&c.aws_access_key_id, "config.awsAccessKeyId", ap, &auth)?;
        absent(
            &c.aws_secret_access_key,
            "config.awsSecretAccessKey",
            ap,
            &auth,
        )?;
    } else {
        need_str(&c.aws_access_key_id, "config.awsAccessKeyId")?;
        need_secret(&c.aws_secret_access_key, "config.awsSecretAccessKey")?;
        absent(&c.aws_role_to_assume, "config.awsRoleToAssume", ap, &auth)?;
    }
    Ok(())
}

/// Whether a string is an IAM role ARN: `arn:<partition>:iam::<digits>:role/<name>`,
/// the partition `aws` or another AWS partition (`aws-us-gov`, `aws-cn`,
/// `aws-iso-b`...).
pub fn is_role_arn(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("arn:") else {
        return false;
    };
    let Some((partition, rest)) = rest.split_once(':') else {
        return false;
    };
    let partition_ok = partition == "aws"
        || partition.strip_prefix("aws-").is_some_and(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        });
    let Some(rest) = rest.strip_prefix("iam::") else {
        return false;
    };
    let Some((account, role)) = rest.split_once(':') else {
        return false;
    };
    partition_ok
        && !account.is_empty()
        && account.chars().all(|c| c.is_ascii_digit())
        && role
            .strip_prefix("role/")
            .is_some_and(|name| !name.is_empty())
}

/// Replaces every secret of a config by `<REDACTED>`; Trino's API key stays.
pub fn redact(config: &IntegrationConfig) -> IntegrationConfig {
    fn r(s: &mut Option<Secret>) {
        if s.is_some() {
            *s = Some(Secret::redacted());
        }
    }
    fn oauth(o: &mut Option<OAuthClientConfig>) {
        if let Some(o) = o {
            r(&mut o.client_secret);
            r(&mut o.oauth_private_key);
        }
    }
    let mut c = config.clone();
    match &mut c {
        IntegrationConfig::Snowflake(s) => {
            r(&mut s.username);
            r(&mut s.password);
            r(&mut s.private_key_password);
            if let Some(k) = &mut s.private_key {
                r(&mut k.content);
            }
            oauth(&mut s.o_auth_client_config);
        }
        IntegrationConfig::Databricks(d) => {
            r(&mut d.token);
            oauth(&mut d.o_auth_client_config);
        }
        IntegrationConfig::BigQuery(b) => r(&mut b.credential),
        IntegrationConfig::Redshift(x) => {
            r(&mut x.username);
            r(&mut x.password);
            if let Some(o) = &mut x.okta {
                r(&mut o.username);
                r(&mut o.password);
            }
        }
        IntegrationConfig::AzureSynapse(x) => {
            r(&mut x.username);
            r(&mut x.password);
        }
        IntegrationConfig::S3(x) => r(&mut x.aws_secret_access_key),
        IntegrationConfig::Trino(_) | IntegrationConfig::Other(_) => {}
    }
    c
}

/// On update, a secret sent as `<REDACTED>` keeps the stored value (so a GET
/// answer can be sent back unchanged).
pub fn keep_redacted_secrets(new: &mut IntegrationConfig, old: &IntegrationConfig) {
    fn k(n: &mut Option<Secret>, o: &Option<Secret>) {
        if n.as_ref().is_some_and(Secret::is_redacted) {
            if let Some(o) = o {
                *n = Some(o.clone());
            }
        }
    }
    fn oauth(n: &mut Option<OAuthClientConfig>, o: &Option<OAuthClientConfig>) {
        if let (Some(n), Some(o)) = (n, o) {
            k(&mut n.client_secret, &o.client_secret);
            k(&mut n.oauth_private_key, &o.oauth_private_key);
        }
    }
    match (new, old) {
        (IntegrationConfig::Snowflake(n), IntegrationConfig::Snowflake(o)) => {
            k(&mut n.username, &o.username);
            k(&mut n.password, &o.password);
            k(&mut n.private_key_password, &o.private_key_password);
            if let (Some(nk), Some(ok)) = (&mut n.private_key, &o.private_key) {
                k(&mut nk.content, &ok.content);
            }
            oauth(&mut n.o_auth_client_config, &o.o_auth_client_config);
        }
        (IntegrationConfig::Databricks(n), IntegrationConfig::Databricks(o)) => {
            k(&mut n.token, &o.token);
            oauth(&mut n.o_auth_client_config, &o.o_auth_client_config);
        }
        (IntegrationConfig::BigQuery(n), IntegrationConfig::BigQuery(o)) => {
            k(&mut n.credential, &o.credential)
        }
        (IntegrationConfig::Redshift(n), IntegrationConfig::Redshift(o)) => {
            k(&mut n.username, &o.username);
            k(&mut n.password, &o.password);
            if let (Some(no), Some(oo)) = (&mut n.okta, &o.okta) {
                k(&mut no.username, &oo.username);
                k(&mut no.password, &oo.password);
            }
        }
        (IntegrationConfig::AzureSynapse(n), IntegrationConfig::AzureSynapse(o)) => {
            k(&mut n.username, &o.username);
            k(&mut n.password, &o.password);
        }
        (IntegrationConfig::S3(n), IntegrationConfig::S3(o)) => {
            k(&mut n.aws_secret_access_key, &o.aws_secret_access_key)
        }
        _ => {}
    }
}

/// Every non-secret string of a config, lower-cased, joined: where the
/// failure triggers are looked for.
pub fn trigger_text(config: &IntegrationConfig) -> String {
    fn walk(v: &Value, out: &mut String) {
        match v {
            Value::String(s) if s != immuta_api::REDACTED => {
                out.push_str(&s.to_lowercase());
                out.push('\n');
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(m) => m.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = String::new();
    let mut redacted = redact(config);
    if let IntegrationConfig::Trino(t) = &mut redacted {
        t.api_key = None;
    }
    walk(&redacted.to_value(), &mut out);
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
    let allowed: &[&str] = match ty {
        IntegrationType::Snowflake => SNOWFLAKE_AUTH,
        IntegrationType::Redshift => REDSHIFT_AUTH,
        _ => SYNAPSE_AUTH,
    };
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
            let mut k = c.private_key.clone();
            check_private_key(&mut k, "privateKey")?;
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
    if matches!(ty, IntegrationType::Snowflake) {
        need_str(&c.role, "role")?;
    }
    Ok(())
}

/// Whether the DELETE credentials match what the integration was configured
/// with (the emulator's stand-in for "can log in to the platform"). Differing
/// authentication types cannot be compared and are accepted.
pub fn credentials_match(config: &IntegrationConfig, c: &DeleteCredentials) -> bool {
    let same = |a: &Option<Secret>, b: &Option<Secret>| match (a, b) {
        (Some(a), Some(b)) => a.expose() == b.expose(),
        _ => true,
    };
    match config {
        IntegrationConfig::Snowflake(s) if s.authentication_type == c.authentication_type => {
            same(&s.username, &c.username)
                && same(&s.password, &c.password)
                && match (&s.private_key, &c.private_key) {
                    (Some(a), Some(b)) => same(&a.content, &b.content),
                    _ => true,
                }
        }
        IntegrationConfig::Redshift(r) if r.authentication_type == c.authentication_type => {
            same(&r.username, &c.username)
                && same(&r.password, &c.password)
                && match (&r.okta, &c.okta) {
                    (Some(a), Some(b)) => {
                        same(&a.username, &b.username) && same(&a.password, &b.password)
                    }
                    _ => true,
                }
        }
        IntegrationConfig::AzureSynapse(a) if a.authentication_type == c.authentication_type => {
            same(&a.username, &c.username) && same(&a.password, &c.password)
        }
        _ => true,
    }
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
        let p = check_payload(&snowflake()).unwrap();
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
        let p = check_payload(&v).unwrap();
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
    fn role_arn_format() {
        assert!(is_role_arn("arn:aws:iam::123456789:role/x"));
        assert!(is_role_arn("arn:aws-us-gov:iam::123456789012:role/x"));
        assert!(is_role_arn("arn:aws-cn:iam::123456789012:role/path/x"));
        assert!(is_role_arn("arn:aws-iso-b:iam::123456789012:role/x"));
        assert!(!is_role_arn("arn:gcp:iam::123:role/x"));
        assert!(!is_role_arn("arn:aws-:iam::123:role/x"));
        assert!(!is_role_arn("arn:aws:s3:::bucket"));
        assert!(!is_role_arn("arn:aws:iam::12a:role/x"));
        assert!(!is_role_arn("arn:aws:iam::123:user/x"));
        assert!(!is_role_arn("role/x"));
    }

    #[test]
    fn key_file_with_raw_newlines_reads() {
        let k = parse_key_file("{\"type\":\"service_account\",\"private_key\":\"a\nb\"}").unwrap();
        assert_eq!(k["private_key"], "a\nb");
        assert!(parse_key_file("not json").is_none());
    }

    #[test]
    fn redaction_and_trigger_text_hide_secrets() {
        let p = check_payload(&snowflake()).unwrap();
        let r = redact(&p.config).to_value();
        assert_eq!(r["password"], "<REDACTED>");
        assert_eq!(r["username"], "<REDACTED>");
        let t = trigger_text(&p.config);
        assert!(t.contains("a.snowflakecomputing.com"));
        assert!(!t.contains("\np\n") && !t.starts_with("p\n"));
    }
}
