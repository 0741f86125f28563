//! Nested attributes several types share (toggles, impersonation, OAuth,
//! private keys, Okta): schema, converters, checks; and the description
//! texts every type uses.

use super::check::with_auth;
use super::values::{b, obj, s, secret, Reader};
use super::{Check, Form, Platform};
use crate::framework::{Attribute, Value};
use immuta_api::config::{Impersonation, OAuthClientConfig, OktaConfig, PrivateKey, Toggle};

/// What leaving a setting with a documented default unset means, in
/// `form`: `default` is Immuta's default ("Immuta's default ...").
pub fn when_unset(form: Form, default: &str) -> String {
    match form {
        Form::Resource => format!(
            "Left unset, {default} is planned and sent, so a change made outside Terraform shows \
             as drift and the next apply puts the default back."
        ),
        Form::DataSource => format!("Left unset, {default} applies."),
    }
}

/// What leaving a value Immuta chooses unset means, in `form`.
pub fn chosen_when_unset(form: Form, what: &str) -> String {
    match form {
        Form::Resource => format!(
            "Left unset, Immuta chooses {what} (known after apply) and Terraform keeps what \
             Immuta reports: Immuta documents no default, so a change made outside Terraform is \
             read, not reverted. Set it to manage it."
        ),
        Form::DataSource => format!("Left unset, Immuta chooses {what}."),
    }
}

/// `{ enabled }`: optional and computed (Immuta defaults it to disabled).
pub fn toggle_attribute(form: Form, name: &str, what: &str) -> Attribute {
    Attribute::single_nested(
        name,
        vec![Attribute::bool("enabled")
            .optional()
            .computed()
            .description(format!(
                "Turns {} on (`true`) or off (`false`). Immuta's default: `false`.",
                what.to_lowercase()
            ))],
    )
    .optional()
    .computed()
    .description(format!(
        "{what}. {}",
        when_unset(form, "Immuta's default `{ enabled = false }`")
    ))
}

/// A toggle's API form.
pub fn toggle_to(r: Option<Reader<'_>>) -> Option<Toggle> {
    r.map(|r| Toggle {
        enabled: r.bool("enabled"),
        ..Default::default()
    })
}

/// A toggle's Terraform form.
pub fn toggle_from(t: &Option<Toggle>) -> Value {
    t.as_ref()
        .map_or(Value::Null, |t| obj([("enabled", b(t.enabled))]))
}

/// `{ enabled, role }`: user impersonation.
pub fn impersonation_attribute(form: Form) -> Attribute {
    Attribute::single_nested(
        "impersonation",
        vec![
            Attribute::bool("enabled")
                .optional()
                .computed()
                .description(
                    "Turns user impersonation on (`true`) or off (`false`). Immuta's default: \
                     `false`.",
                ),
            Attribute::string("role")
                .optional()
                .computed()
                .description(format!(
                "The role Immuta creates for impersonation. Only allowed with `enabled = true`. \
                 {}",
                chosen_when_unset(form, "its name")
            )),
        ],
    )
    .optional()
    .computed()
    .description(format!(
        "User impersonation. {}",
        when_unset(form, "Immuta's default `{ enabled = false }`")
    ))
}

/// Impersonation's API form.
pub fn impersonation_to(r: Option<Reader<'_>>) -> Option<Impersonation> {
    r.map(|r| Impersonation {
        enabled: r.bool("enabled"),
        role: r.str("role"),
        ..Default::default()
    })
}

/// Impersonation's Terraform form.
pub fn impersonation_from(i: &Option<Impersonation>) -> Value {
    i.as_ref().map_or(Value::Null, |i| {
        obj([("enabled", b(i.enabled)), ("role", s(&i.role))])
    })
}

/// Checks impersonation: a role only when enabled.
pub fn impersonation_check(c: &mut Check<'_>) {
    c.nested("impersonation", |i| {
        i.not_empty("role");
        if i.value("role").is_null() {
            return;
        }
        match i.value("enabled") {
            Value::Bool(false) => {
                i.error("role", "expected no value when enabled is false, got one")
            }
            // Unset, `enabled` is Immuta's default, false.
            Value::Null => i.error(
                "role",
                "expected no value unless enabled is true (Immuta's default is false), got one",
            ),
            _ => {}
        }
    });
}

/// OAuth client-credentials settings, shared by Snowflake and Databricks:
/// the same schema for both, described for `platform` (only Snowflake
/// needs `authority_url`, see [`oauth_check`]).
pub fn oauth_attribute(platform: Platform, form: Form) -> Attribute {
    let (auth, authority_url) = if platform == Platform::SNOWFLAKE {
        (
            "oAuthClientCredentials",
            "The URL of the identity provider's OAuth token endpoint, where Immuta exchanges \
             the client credentials for an access token, e.g. \
             `https://example.okta.com/oauth2/default/v1/token`. Must be set.",
        )
    } else {
        (
            "oAuthM2M",
            "The URL of the OAuth token endpoint where Immuta exchanges the client credentials \
             for an access token. For a Databricks service principal with an OAuth secret, the \
             workspace's own endpoint: `https://<workspace_url>/oidc/v1/token`.",
        )
    };
    Attribute::single_nested(
        "oauth_client_config",
        vec![
            Attribute::string("provider")
                .optional()
                .description("The identity provider, e.g. `Okta`."),
            Attribute::string("client_id")
                .optional()
                .description("The OAuth client id. Must be set."),
            Attribute::string("client_secret")
                .optional()
                .sensitive()
                .description(secret_description(
                    form,
                    "The OAuth client secret. Must be set unless `use_certificate = true`, and \
                     left unset then.",
                )),
            Attribute::string("authority_url")
                .optional()
                .description(authority_url),
            Attribute::string("scope")
                .optional()
                .description("The OAuth scope requested."),
            Attribute::string("resource")
                .optional()
                .description("The resource the access token is requested for."),
            Attribute::bool("use_certificate").optional().description(
                "Authenticate with a certificate (`public_certificate_thumbprint`, \
                 `oauth_private_key`) instead of a client secret.",
            ),
            Attribute::string("public_certificate_thumbprint")
                .optional()
                .description(
                    "The thumbprint of the public certificate. Must be set with \
                     `use_certificate = true`.",
                ),
            Attribute::string("oauth_private_key")
                .optional()
                .sensitive()
                .description(secret_description(
                    form,
                    "The private key of the certificate. Must be set with \
                     `use_certificate = true`.",
                )),
        ],
    )
    .optional()
    .description(format!(
        "OAuth client-credentials settings. {}",
        only_with_auth(auth)
    ))
}

/// OAuth settings' API form.
pub fn oauth_to(r: Option<Reader<'_>>) -> Option<OAuthClientConfig> {
    r.map(|r| OAuthClientConfig {
        provider: r.str("provider"),
        client_id: r.str("client_id"),
        client_secret: r.secret("client_secret"),
        authority_url: r.str("authority_url"),
        scope: r.str("scope"),
        resource: r.str("resource"),
        use_certificate: r.bool("use_certificate"),
        public_certificate_thumbprint: r.str("public_certificate_thumbprint"),
        oauth_private_key: r.secret("oauth_private_key"),
        ..Default::default()
    })
}

/// OAuth settings' Terraform form.
pub fn oauth_from(o: &Option<OAuthClientConfig>, prior: Reader<'_>) -> Value {
    o.as_ref().map_or(Value::Null, |o| {
        obj([
            ("provider", s(&o.provider)),
            ("client_id", s(&o.client_id)),
            (
                "client_secret",
                secret(&o.client_secret, prior.raw("client_secret")),
            ),
            ("authority_url", s(&o.authority_url)),
            ("scope", s(&o.scope)),
            ("resource", s(&o.resource)),
            ("use_certificate", b(o.use_certificate)),
            (
                "public_certificate_thumbprint",
                s(&o.public_certificate_thumbprint),
            ),
            (
                "oauth_private_key",
                secret(&o.oauth_private_key, prior.raw("oauth_private_key")),
            ),
        ])
    })
}

/// Checks OAuth settings: a client id, and a secret or a certificate.
pub fn oauth_check(c: &mut Check<'_>, auth: &str, needs_authority_url: bool) {
    if c.value("oauth_client_config").is_null() {
        c.error(
            "oauth_client_config",
            format!("required{}, expected an object, got none", with_auth(auth)),
        );
        return;
    }
    c.nested("oauth_client_config", |o| {
        o.required("client_id", "");
        if needs_authority_url {
            o.required("authority_url", "");
        }
        match o.value("use_certificate") {
            Value::Bool(true) => {
                o.required_all(
                    &["public_certificate_thumbprint", "oauth_private_key"],
                    " when use_certificate is true",
                );
                o.forbidden("client_secret", " when use_certificate is true");
            }
            Value::Unknown => {}
            _ => o.required("client_secret", " unless use_certificate is true"),
        }
    });
}

/// Snowflake key-pair authentication's private key.
pub fn private_key_attribute(form: Form) -> Attribute {
    Attribute::single_nested(
        "private_key",
        vec![
            Attribute::string("key_name")
                .optional()
                .computed()
                .description(format!(
                    "The key's name. {}",
                    when_unset(form, "Immuta's default `PRIV_KEY_FILE`")
                )),
            Attribute::string("user_filename")
                .optional()
                .description("The file name the key came from."),
            Attribute::string("content")
                .optional()
                .sensitive()
                .description(secret_description(
                    form,
                    "The key, PEM-encoded. Must be set.",
                )),
        ],
    )
    .optional()
    .description(format!(
        "The system account's private key. {}",
        only_with_auth("keyPair")
    ))
}

/// A private key's API form.
pub fn private_key_to(r: Option<Reader<'_>>) -> Option<PrivateKey> {
    r.map(|r| PrivateKey {
        key_name: r.str("key_name"),
        user_filename: r.str("user_filename"),
        content: r.secret("content"),
        ..Default::default()
    })
}

/// A private key's Terraform form.
pub fn private_key_from(k: &Option<PrivateKey>, prior: Reader<'_>) -> Value {
    k.as_ref().map_or(Value::Null, |k| {
        obj([
            ("key_name", s(&k.key_name)),
            ("user_filename", s(&k.user_filename)),
            ("content", secret(&k.content, prior.raw("content"))),
        ])
    })
}

/// Redshift's Okta settings.
pub fn okta_attribute(form: Form) -> Attribute {
    Attribute::single_nested(
        "okta",
        vec![
            Attribute::string("username")
                .optional()
                .description(redacted_description(
                    form,
                    "The Okta user name. Must be set.",
                )),
            Attribute::string("password")
                .optional()
                .sensitive()
                .description(secret_description(form, "The Okta password. Must be set.")),
            Attribute::string("app_id")
                .optional()
                .description("The Okta application id. Must be set."),
            Attribute::string("idp_host")
                .optional()
                .description("The Okta identity provider host. Must be set."),
            Attribute::string("role")
                .optional()
                .description("The role to assume. Must be set."),
        ],
    )
    .optional()
    .description(format!("Okta settings. {}", only_with_auth("okta")))
}

/// Okta settings' API form.
pub fn okta_to(r: Option<Reader<'_>>) -> Option<OktaConfig> {
    r.map(|r| OktaConfig {
        username: r.secret("username"),
        password: r.secret("password"),
        app_id: r.str("app_id"),
        idp_host: r.str("idp_host"),
        role: r.str("role"),
        ..Default::default()
    })
}

/// Okta settings' Terraform form.
pub fn okta_from(o: &Option<OktaConfig>, prior: Reader<'_>) -> Value {
    o.as_ref().map_or(Value::Null, |o| {
        obj([
            ("username", secret(&o.username, prior.raw("username"))),
            ("password", secret(&o.password, prior.raw("password"))),
            ("app_id", s(&o.app_id)),
            ("idp_host", s(&o.idp_host)),
            ("role", s(&o.role)),
        ])
    })
}

/// The requirement of an attribute that goes with one authentication type.
pub fn only_with_auth(auth: &str) -> String {
    format!("Must be set with `authentication_type = \"{auth}\"` and left unset otherwise.")
}

/// The description of a secret attribute Immuta never returns (its
/// sensitivity shows in the schema, so the text does not repeat it).
pub fn secret_description(form: Form, what: &str) -> String {
    match form {
        Form::Resource => format!(
            "{what} Immuta never returns it: Terraform keeps the value it last sent, so a change \
             made outside Terraform is not seen, and after an import it is unknown, so a \
             configuration that sets it plans one in-place update (never a replacement)."
        ),
        Form::DataSource => what.to_string(),
    }
}

/// The attributes that are not secret but that Immuta answers
/// `<REDACTED>` for in every GET (the user names): a read never learns
/// them, so the data sources leave them out.
pub const REDACTED_BY_IMMUTA: &[&str] = &["username"];

/// Whether Immuta redacts the attribute `name` in every answer.
pub fn is_redacted_by_immuta(name: &str) -> bool {
    REDACTED_BY_IMMUTA.contains(&name)
}

/// The description of a user name Immuta redacts (it is not sensitive).
/// Only attributes named in [`REDACTED_BY_IMMUTA`] take it.
pub fn redacted_description(form: Form, what: &str) -> String {
    match form {
        Form::Resource => format!(
            "{what} Immuta answers `<REDACTED>` for it: Terraform keeps the value it last sent, \
             and after an import a configuration that sets it plans one in-place update."
        ),
        Form::DataSource => what.to_string(),
    }
}
