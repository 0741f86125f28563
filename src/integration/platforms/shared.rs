//! Nested attributes several types share (toggles, impersonation, OAuth,
//! private keys, Okta): schema, block structs, converters, checks; and the
//! description texts every type uses.

use super::block::secret;
use super::check::with_auth;
use super::{Check, Form, Platform};
use crate::framework::{Attribute, Value};
use immuta_api::config::{Impersonation, OAuthClientConfig, OktaConfig, PrivateKey, Toggle};
use immuta_api::Secret;
use serde::{Deserialize, Serialize};

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

/// `{ enabled }` (see [`toggle_attribute`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ToggleBlock {
    /// Whether the feature is on.
    pub enabled: Option<bool>,
}

/// A toggle's API form.
pub fn toggle_to(b: &ToggleBlock) -> Toggle {
    let ToggleBlock { enabled } = b;
    Toggle {
        enabled: *enabled,
        extra: Default::default(),
    }
}

/// A toggle's Terraform form.
pub fn toggle_from(t: &Toggle) -> ToggleBlock {
    let Toggle { enabled, extra: _ } = t;
    ToggleBlock { enabled: *enabled }
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

/// `{ enabled, role }` (see [`impersonation_attribute`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ImpersonationBlock {
    /// Whether impersonation is on.
    pub enabled: Option<bool>,
    /// The role Immuta creates for impersonation.
    pub role: Option<String>,
}

/// Impersonation's API form.
pub fn impersonation_to(b: &ImpersonationBlock) -> Impersonation {
    let ImpersonationBlock { enabled, role } = b;
    Impersonation {
        enabled: *enabled,
        role: role.clone(),
        extra: Default::default(),
    }
}

/// Impersonation's Terraform form.
pub fn impersonation_from(i: &Impersonation) -> ImpersonationBlock {
    let Impersonation {
        enabled,
        role,
        extra: _,
    } = i;
    ImpersonationBlock {
        enabled: *enabled,
        role: role.clone(),
    }
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

/// `oauth_client_config` (see [`oauth_attribute`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OAuthBlock {
    /// The identity provider.
    pub provider: Option<String>,
    /// The OAuth client id.
    pub client_id: Option<String>,
    /// The OAuth client secret.
    pub client_secret: Option<Secret>,
    /// The token endpoint.
    pub authority_url: Option<String>,
    /// The scope requested.
    pub scope: Option<String>,
    /// The resource the token is requested for.
    pub resource: Option<String>,
    /// Whether a certificate replaces the client secret.
    pub use_certificate: Option<bool>,
    /// The certificate's thumbprint.
    pub public_certificate_thumbprint: Option<String>,
    /// The certificate's private key.
    pub oauth_private_key: Option<Secret>,
}

/// OAuth settings' API form.
pub fn oauth_to(b: &OAuthBlock) -> OAuthClientConfig {
    let OAuthBlock {
        provider,
        client_id,
        client_secret,
        authority_url,
        scope,
        resource,
        use_certificate,
        public_certificate_thumbprint,
        oauth_private_key,
    } = b;
    OAuthClientConfig {
        provider: provider.clone(),
        client_id: client_id.clone(),
        client_secret: client_secret.clone(),
        authority_url: authority_url.clone(),
        scope: scope.clone(),
        resource: resource.clone(),
        use_certificate: *use_certificate,
        public_certificate_thumbprint: public_certificate_thumbprint.clone(),
        oauth_private_key: oauth_private_key.clone(),
        extra: Default::default(),
    }
}

/// OAuth settings' Terraform form, redacted secrets taken from `prior`.
pub fn oauth_from(o: &OAuthClientConfig, prior: Option<&OAuthBlock>) -> OAuthBlock {
    let OAuthClientConfig {
        provider,
        client_id,
        client_secret,
        authority_url,
        scope,
        resource,
        use_certificate,
        public_certificate_thumbprint,
        oauth_private_key,
        extra: _,
    } = o;
    OAuthBlock {
        provider: provider.clone(),
        client_id: client_id.clone(),
        client_secret: secret(client_secret, prior.and_then(|p| p.client_secret.as_ref())),
        authority_url: authority_url.clone(),
        scope: scope.clone(),
        resource: resource.clone(),
        use_certificate: *use_certificate,
        public_certificate_thumbprint: public_certificate_thumbprint.clone(),
        oauth_private_key: secret(
            oauth_private_key,
            prior.and_then(|p| p.oauth_private_key.as_ref()),
        ),
    }
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

/// `private_key` (see [`private_key_attribute`]; `delete_credentials`
/// has the same attributes).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PrivateKeyBlock {
    /// The key's name.
    pub key_name: Option<String>,
    /// The file name the key came from.
    pub user_filename: Option<String>,
    /// The key, PEM-encoded.
    pub content: Option<Secret>,
}

/// A private key's API form.
pub fn private_key_to(b: &PrivateKeyBlock) -> PrivateKey {
    let PrivateKeyBlock {
        key_name,
        user_filename,
        content,
    } = b;
    PrivateKey {
        key_name: key_name.clone(),
        user_filename: user_filename.clone(),
        content: content.clone(),
        extra: Default::default(),
    }
}

/// A private key's Terraform form, a redacted key taken from `prior`.
pub fn private_key_from(k: &PrivateKey, prior: Option<&PrivateKeyBlock>) -> PrivateKeyBlock {
    let PrivateKey {
        key_name,
        user_filename,
        content,
        extra: _,
    } = k;
    PrivateKeyBlock {
        key_name: key_name.clone(),
        user_filename: user_filename.clone(),
        content: secret(content, prior.and_then(|p| p.content.as_ref())),
    }
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

/// `okta` (see [`okta_attribute`]; `delete_credentials` has the same
/// attributes).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OktaBlock {
    /// The Okta user name (Immuta redacts it).
    pub username: Option<Secret>,
    /// The Okta password.
    pub password: Option<Secret>,
    /// The Okta application id.
    pub app_id: Option<String>,
    /// The Okta identity provider host.
    pub idp_host: Option<String>,
    /// The role to assume.
    pub role: Option<String>,
}

/// Okta settings' API form.
pub fn okta_to(b: &OktaBlock) -> OktaConfig {
    let OktaBlock {
        username,
        password,
        app_id,
        idp_host,
        role,
    } = b;
    OktaConfig {
        username: username.clone(),
        password: password.clone(),
        app_id: app_id.clone(),
        idp_host: idp_host.clone(),
        role: role.clone(),
        extra: Default::default(),
    }
}

/// Okta settings' Terraform form, redacted values taken from `prior`.
pub fn okta_from(o: &OktaConfig, prior: Option<&OktaBlock>) -> OktaBlock {
    let OktaConfig {
        username,
        password,
        app_id,
        idp_host,
        role,
        extra: _,
    } = o;
    OktaBlock {
        username: secret(username, prior.and_then(|p| p.username.as_ref())),
        password: secret(password, prior.and_then(|p| p.password.as_ref())),
        app_id: app_id.clone(),
        idp_host: idp_host.clone(),
        role: role.clone(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integration::platforms::block::test_support::assert_block_matches;

    #[test]
    fn shared_blocks_match_their_attributes() {
        for form in [Form::Resource, Form::DataSource] {
            assert_block_matches::<ToggleBlock>(&toggle_attribute(form, "audit", "Query audit"));
            assert_block_matches::<ImpersonationBlock>(&impersonation_attribute(form));
            for p in [Platform::SNOWFLAKE, Platform::DATABRICKS] {
                assert_block_matches::<OAuthBlock>(&oauth_attribute(p, form));
            }
            assert_block_matches::<PrivateKeyBlock>(&private_key_attribute(form));
            assert_block_matches::<OktaBlock>(&okta_attribute(form));
        }
    }

    #[test]
    fn shared_blocks_round_trip_and_keep_redacted_secrets() {
        let key = PrivateKeyBlock {
            key_name: Some("PRIV_KEY_FILE".into()),
            user_filename: None,
            content: Some(Secret::new("pem")),
        };
        let mut answer = private_key_to(&key);
        assert_eq!(private_key_from(&answer, None), key);
        answer.content = Some(Secret::redacted());
        assert_eq!(private_key_from(&answer, Some(&key)), key);
        assert_eq!(private_key_from(&answer, None).content, None);
        let okta = OktaBlock {
            username: Some(Secret::new("u")),
            password: Some(Secret::new("okta-pass-7")),
            app_id: Some("A".into()),
            idp_host: Some("I".into()),
            role: None,
        };
        let mut answer = okta_to(&okta);
        answer.username = Some(Secret::redacted());
        answer.password = Some(Secret::redacted());
        assert_eq!(okta_from(&answer, Some(&okta)), okta);
        assert!(!format!("{okta:?}").contains("okta-pass-7"));
    }
}
