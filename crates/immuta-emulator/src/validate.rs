//! Reading and checking create/update bodies and DELETE credentials, per
//! integration type: required fields, accepted `authenticationType` values and
//! the fields each needs, `autoBootstrap` rules, unknown fields. Also the
//! defaults GET fills in, redaction, and the failure triggers' text.

use crate::error::ApiError;
use crate::guesses::Redact;
use immuta_api::config::{
    AzureSynapseConfig, BigQueryConfig, DatabricksConfig, Extra, Impersonation, MetadataDelimiters,
    OAuthClientConfig, OktaConfig, PrivateKey, RedshiftConfig, S3Config, SnowflakeConfig, Toggle,
    TrinoConfig,
};
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
    let auto_b = p.auto_bootstrap.unwrap_or(false);
    match &p.config {
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
    Ok(())
}

const SNOWFLAKE_AUTH: &[&str] = &["userPassword", "keyPair", "oAuthClientCredentials"];

fn check_private_key(k: &Option<PrivateKey>, path: &str) -> Result<(), ApiError> {
    let Some(k) = k else {
        return Err(required(path));
    };
    no_extra(&k.extra, path)?;
    need_secret(&k.content, &format!("{path}.content"))?;
    opt_str(&k.user_filename, &format!("{path}.userFilename"))?;
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

fn check_snowflake(c: &SnowflakeConfig, auto: bool) -> Result<(), ApiError> {
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
            check_private_key(&c.private_key, "config.privateKey")?;
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
    check_impersonation(&c.impersonation, "config.impersonation")
}

/// Fills in the defaults Immuta adds to what was sent (GET shows them when
/// `echo_defaults` is on): Snowflake `port` 443, `audit`, `workspaces`,
/// `lineage` and `impersonation` off, `privateKey.keyName`; Databricks
/// `audit` off; Redshift `port` 5439 and `impersonation` off; Synapse `port`
/// 1433, `impersonation` off and `metadataDelimiters`; an enabled
/// `impersonation` without a role gets `IMMUTA_IMPERSONATION`.
pub fn fill_defaults(config: &mut IntegrationConfig) {
    fn off(t: &mut Option<Toggle>) {
        let t = t.get_or_insert_with(|| Toggle::enabled(false));
        t.enabled.get_or_insert(false);
    }
    match config {
        IntegrationConfig::Snowflake(c) => {
            c.port.get_or_insert(443);
            for t in [&mut c.audit, &mut c.workspaces, &mut c.lineage] {
                off(t);
            }
            default_impersonation(&mut c.impersonation);
            if let Some(k) = &mut c.private_key {
                k.key_name
                    .get_or_insert_with(|| "PRIV_KEY_FILE".to_string());
            }
        }
        IntegrationConfig::Databricks(c) => off(&mut c.audit),
        IntegrationConfig::Redshift(c) => {
            c.port.get_or_insert(5439);
            default_impersonation(&mut c.impersonation);
        }
        IntegrationConfig::AzureSynapse(c) => {
            c.port.get_or_insert(1433);
            let d = c
                .metadata_delimiters
                .get_or_insert_with(MetadataDelimiters::default);
            for (v, default) in [
                (&mut d.hash_delimiter, "|"),
                (&mut d.hash_key_delimiter, ":"),
                (&mut d.array_delimiter, ","),
            ] {
                v.get_or_insert_with(|| default.to_string());
            }
            default_impersonation(&mut c.impersonation);
        }
        IntegrationConfig::BigQuery(_)
        | IntegrationConfig::S3(_)
        | IntegrationConfig::Trino(_)
        | IntegrationConfig::Other(_) => {}
    }
}

fn default_impersonation(i: &mut Option<Impersonation>) {
    let i = i.get_or_insert_with(Impersonation::default);
    let on = *i.enabled.get_or_insert(false);
    if on && i.role.is_none() {
        i.role = Some("IMMUTA_IMPERSONATION".to_string());
    }
}

const DATABRICKS_AUTH: &[&str] = &["token", "oAuthM2M"];

fn check_databricks(c: &DatabricksConfig) -> Result<(), ApiError> {
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

fn check_bigquery(c: &BigQueryConfig) -> Result<(), ApiError> {
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

fn check_redshift(c: &RedshiftConfig, auto: bool) -> Result<(), ApiError> {
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
    check_impersonation(&c.impersonation, "config.impersonation")
}

const SYNAPSE_AUTH: &[&str] = &["userPassword"];

fn check_synapse(c: &AzureSynapseConfig) -> Result<(), ApiError> {
    no_extra(&c.extra, "config")?;
    need_str(&c.host, "config.host")?;
    need_str(&c.database, "config.database")?;
    need_str(&c.schema, "config.schema")?;
    check_port(c.port, "config.port")?;
    auth_type(&c.authentication_type, SYNAPSE_AUTH)?;
    need_secret(&c.username, "config.username")?;
    need_secret(&c.password, "config.password")?;
    if let Some(d) = &c.metadata_delimiters {
        no_extra(&d.extra, "config.metadataDelimiters")?;
        for (v, name) in [
            (&d.hash_delimiter, "hashDelimiter"),
            (&d.hash_key_delimiter, "hashKeyDelimiter"),
            (&d.array_delimiter, "arrayDelimiter"),
        ] {
            if v.as_deref() == Some("") {
                return Err(ApiError::bad_request(format!(
                    "\"config.metadataDelimiters.{name}\" is not allowed to be empty"
                )));
            }
        }
    }
    check_impersonation(&c.impersonation, "config.impersonation")
}

const S3_AUTH: &[&str] = &["auto", "accessKey"];

fn check_s3(c: &S3Config) -> Result<(), ApiError> {
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

/// The secrets of each type, as JSON pointers into its config. Trino's API
/// key is not here: where it is shown is the `trino_key` guess.
fn secret_paths(ty: &IntegrationType) -> &'static [&'static str] {
    const OAUTH: [&str; 2] = [
        "/oAuthClientConfig/clientSecret",
        "/oAuthClientConfig/oauthPrivateKey",
    ];
    match ty {
        IntegrationType::Snowflake => &[
            "/username",
            "/password",
            "/privateKeyPassword",
            "/privateKey/content",
            OAUTH[0],
            OAUTH[1],
        ],
        IntegrationType::Databricks => &[DATABRICKS_TOKEN, OAUTH[0], OAUTH[1]],
        IntegrationType::BigQuery => &["/credential"],
        IntegrationType::Redshift => {
            &["/username", "/password", "/okta/username", "/okta/password"]
        }
        IntegrationType::AzureSynapse => &["/username", "/password"],
        IntegrationType::S3 => &["/awsSecretAccessKey"],
        IntegrationType::Trino | IntegrationType::Other(_) => &[],
    }
}

/// Databricks' token, which Immuta's GET example shows as the bare
/// `REDACTED`.
const DATABRICKS_TOKEN: &str = "/token";

/// The strings that are no secret but that `--redact=more` redacts too.
fn more_paths(ty: &IntegrationType) -> &'static [&'static str] {
    match ty {
        IntegrationType::Snowflake => &["/role", "/impersonation/role"],
        IntegrationType::BigQuery => &["/role"],
        IntegrationType::Redshift => &[
            "/okta/appId",
            "/okta/idpHost",
            "/okta/role",
            "/impersonation/role",
        ],
        IntegrationType::AzureSynapse => &["/impersonation/role"],
        IntegrationType::S3 => &["/awsAccessKeyId", "/awsRoleToAssume"],
        _ => &[],
    }
}

/// What GET answers as `<REDACTED>` under `mode`.
fn hidden_paths(ty: &IntegrationType, mode: Redact) -> impl Iterator<Item = &'static str> {
    let more = match mode {
        Redact::Secrets => &[][..],
        Redact::More => more_paths(ty),
    };
    secret_paths(ty).iter().chain(more).copied()
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
    patch_strings(config, hidden_paths(&ty, mode), |path, _| {
        let bare = ty == IntegrationType::Databricks && path == DATABRICKS_TOKEN;
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
    fn key_file_with_raw_newlines_reads() {
        let k = parse_key_file("{\"type\":\"service_account\",\"private_key\":\"a\nb\"}").unwrap();
        assert_eq!(k["private_key"], "a\nb");
        assert!(parse_key_file("not json").is_none());
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
