//! Checks and defaults that several integration types share: the error
//! messages Immuta uses, required and optional strings and secrets,
//! `authenticationType`, toggles, impersonation, private keys, OAuth client
//! configs and Okta.

use crate::error::ApiError;
use immuta_api::config::{Extra, Impersonation, OAuthClientConfig, OktaConfig, PrivateKey, Toggle};
use immuta_api::Secret;

pub(crate) fn required(path: &str) -> ApiError {
    ApiError::bad_request(format!("\"{path}\" is required"))
}

pub(crate) fn not_allowed(path: &str) -> ApiError {
    ApiError::bad_request(format!("\"{path}\" is not allowed"))
}

pub(crate) fn not_allowed_with(path: &str, auth_path: &str, auth: &str) -> ApiError {
    ApiError::bad_request(format!(
        "\"{path}\" is not allowed when \"{auth_path}\" is \"{auth}\""
    ))
}

pub(crate) fn must_be_one_of(path: &str, allowed: &[&str]) -> ApiError {
    ApiError::bad_request(format!(
        "\"{path}\" must be one of [{}]",
        allowed.join(", ")
    ))
}

/// Rejects the first unknown field of an object.
pub(crate) fn no_extra(extra: &Extra, prefix: &str) -> Result<(), ApiError> {
    match extra.iter().find(|(_, v)| !v.is_null()) {
        Some((k, _)) => Err(not_allowed(&format!("{prefix}.{k}"))),
        None => Ok(()),
    }
}

/// A required, non-empty string.
pub(crate) fn need_str(v: &Option<String>, path: &str) -> Result<(), ApiError> {
    match v.as_deref() {
        None => Err(required(path)),
        Some(s) if s.trim().is_empty() => Err(ApiError::bad_request(format!(
            "\"{path}\" is not allowed to be empty"
        ))),
        Some(_) => Ok(()),
    }
}

/// A required, non-empty secret.
pub(crate) fn need_secret(v: &Option<Secret>, path: &str) -> Result<(), ApiError> {
    match v {
        None => Err(required(path)),
        Some(s) if s.expose().trim().is_empty() => Err(ApiError::bad_request(format!(
            "\"{path}\" is not allowed to be empty"
        ))),
        Some(_) => Ok(()),
    }
}

/// An optional string that, when sent, is not empty.
pub(crate) fn opt_str(v: &Option<String>, path: &str) -> Result<(), ApiError> {
    if v.is_some() {
        need_str(v, path)?;
    }
    Ok(())
}

pub(crate) fn absent<T>(
    v: &Option<T>,
    path: &str,
    auth_path: &str,
    auth: &str,
) -> Result<(), ApiError> {
    if v.is_some() {
        return Err(not_allowed_with(path, auth_path, auth));
    }
    Ok(())
}

pub(crate) fn check_port(p: Option<u16>, path: &str) -> Result<(), ApiError> {
    if p == Some(0) {
        return Err(ApiError::bad_request(format!(
            "\"{path}\" must be between 1 and 65535"
        )));
    }
    Ok(())
}

pub(crate) fn check_toggle(t: &Option<Toggle>, path: &str) -> Result<(), ApiError> {
    if let Some(t) = t {
        no_extra(&t.extra, path)?;
    }
    Ok(())
}

pub(crate) fn check_impersonation(i: &Option<Impersonation>, path: &str) -> Result<(), ApiError> {
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

pub(crate) fn auth_type<'a>(v: &'a Option<String>, allowed: &[&str]) -> Result<&'a str, ApiError> {
    let path = "config.authenticationType";
    match v.as_deref() {
        None => Err(required(path)),
        Some(a) if allowed.contains(&a) => Ok(a),
        Some(_) => Err(must_be_one_of(path, allowed)),
    }
}

pub(crate) fn check_private_key(k: &Option<PrivateKey>, path: &str) -> Result<(), ApiError> {
    let Some(k) = k else {
        return Err(required(path));
    };
    no_extra(&k.extra, path)?;
    need_secret(&k.content, &format!("{path}.content"))?;
    opt_str(&k.user_filename, &format!("{path}.userFilename"))?;
    Ok(())
}

pub(crate) fn check_oauth(
    o: &Option<OAuthClientConfig>,
    path: &str,
    snowflake: bool,
) -> Result<(), ApiError> {
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

pub(crate) fn check_okta(o: &Option<OktaConfig>, path: &str) -> Result<(), ApiError> {
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

/// A toggle Immuta adds as `{"enabled": false}` when it is not sent.
pub(crate) fn default_off(t: &mut Option<Toggle>) {
    let t = t.get_or_insert_with(|| Toggle::enabled(false));
    t.enabled.get_or_insert(false);
}

/// Impersonation Immuta adds as off when it is not sent; an enabled one
/// without a role gets `IMMUTA_IMPERSONATION`.
pub(crate) fn default_impersonation(i: &mut Option<Impersonation>) {
    let i = i.get_or_insert_with(Impersonation::default);
    let on = *i.enabled.get_or_insert(false);
    if on && i.role.is_none() {
        i.role = Some("IMMUTA_IMPERSONATION".to_string());
    }
}

/// Whether impersonation is sent and enabled.
pub(crate) fn impersonation_on(i: &Option<Impersonation>) -> bool {
    i.as_ref().and_then(|i| i.enabled) == Some(true)
}

/// Whether two optional strings are both set and equal, ignoring
/// surrounding spaces and ASCII letter case (host names, database names).
pub(crate) fn same_text(a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.trim().eq_ignore_ascii_case(b.trim()),
        _ => false,
    }
}

/// Whether two optional secrets may be the same: equal, or one not sent
/// (what is not sent cannot be compared).
pub(crate) fn same_secret(a: &Option<Secret>, b: &Option<Secret>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.expose() == b.expose(),
        _ => true,
    }
}
