//! `databricks = { ... }`: Databricks Unity Catalog's config.

use super::defaults::{DefaultValue, DocumentedDefault};
use super::PlatformSpec;
use super::{
    oauth_attribute, oauth_check, oauth_from, oauth_to, obj, only_with_auth, s, secret,
    secret_description, strings, toggle_attribute, toggle_from, toggle_to, with_auth, Check, Form,
    Platform, Reader,
};
use crate::framework::{Attribute, Type, Value};
use immuta_api::config::{DatabricksConfig, GroupPattern};
use immuta_api::{IntegrationConfig, IntegrationType};

/// Accepted `authentication_type` values.
pub const AUTH_TYPES: &[&str] = &["token", "oAuthM2M"];

/// The table of `databricks`.
pub struct Databricks;

/// Immuta's documented defaults (see `defaults`).
const DOCUMENTED_DEFAULTS: &[DocumentedDefault] = &[
    (&["audit"], DefaultValue::Off),
    (&["audit", "enabled"], DefaultValue::Bool(false)),
];

impl PlatformSpec for Databricks {
    fn block_name(&self) -> &'static str {
        "databricks"
    }

    fn integration_type(&self) -> IntegrationType {
        IntegrationType::Databricks
    }

    fn described_as(&self) -> &'static str {
        "a Databricks Unity Catalog integration"
    }

    fn product_name(&self) -> &'static str {
        "Databricks Unity Catalog"
    }

    fn attributes(&self, form: Form) -> Vec<Attribute> {
        attributes(form)
    }

    fn authentication_types(&self) -> &'static [&'static str] {
        AUTH_TYPES
    }

    fn validate(&self, c: &mut Check<'_>, _auto_bootstrap: Option<bool>) {
        validate(c);
    }

    fn to_config(&self, block: Reader<'_>) -> Option<IntegrationConfig> {
        Some(IntegrationConfig::Databricks(to_config(block)))
    }

    fn block_from_config(
        &self,
        config: Option<&IntegrationConfig>,
        prior: Reader<'_>,
    ) -> Option<Value> {
        match config {
            Some(IntegrationConfig::Databricks(c)) => Some(from_config(c, prior)),
            _ => None,
        }
    }

    fn documented_defaults(&self) -> &'static [DocumentedDefault] {
        DOCUMENTED_DEFAULTS
    }
}

/// The attributes of `databricks`, described for `form`.
pub fn attributes(form: Form) -> Vec<Attribute> {
    vec![
        Attribute::string("workspace_url").optional().description(
            "The workspace URL, e.g. `www.example-workspace.cloud.databricks.com`. Must be set.",
        ),
        Attribute::string("http_path")
            .optional()
            .description("The HTTP path of the SQL warehouse or cluster. Must be set."),
        Attribute::string("catalog")
            .optional()
            .description("The catalog Immuta creates for its metadata. Must be set."),
        Attribute::string("authentication_type")
            .optional()
            .description(
                "How Immuta signs in: `token` (with `token`) or `oAuthM2M` (with \
             `oauth_client_config`). Must be set.",
            ),
        Attribute::string("token")
            .optional()
            .sensitive()
            .description(secret_description(
                form,
                &format!("A personal access token. {}", only_with_auth("token")),
            )),
        oauth_attribute(Platform::DATABRICKS, form),
        toggle_attribute(form, "audit", "Query audit"),
        Attribute::single_nested(
            "group_pattern",
            vec![Attribute::string("deny")
                .optional()
                .description("The name of the group. Must be set.")],
        )
        .optional()
        .description(
            "The group exempt from Immuta's policies. Changing it makes Immuta push every policy \
             again.",
        ),
        Attribute::list("workspace_ids", Type::String)
            .optional()
            .description("The ids of the workspaces whose audit Immuta ingests."),
    ]
}

/// Checks a `databricks` block.
pub fn validate(c: &mut Check<'_>) {
    c.required_all(&["workspace_url", "http_path", "catalog"], "");
    match c.authentication_type(AUTH_TYPES) {
        Some(auth @ "token") => {
            let w = with_auth(auth);
            c.required("token", &w);
            c.forbidden("oauth_client_config", &w);
        }
        Some(auth) => {
            c.forbidden("token", &with_auth(auth));
            oauth_check(c, auth, false);
        }
        None => {}
    }
    c.nested("group_pattern", |g| g.required("deny", ""));
    if let Some(ids) = c.value("workspace_ids").as_list() {
        for (i, id) in ids.iter().enumerate() {
            if id.as_str().is_some_and(|s| s.trim().is_empty()) {
                let path = c.path_of("workspace_ids").index(i as i64);
                c.error_at(path, "expected a non-empty workspace id, got \"\"");
            }
        }
    }
}

/// The API config of a `databricks` block.
pub fn to_config(r: Reader<'_>) -> DatabricksConfig {
    DatabricksConfig {
        workspace_url: r.str("workspace_url"),
        http_path: r.str("http_path"),
        catalog: r.str("catalog"),
        authentication_type: r.str("authentication_type"),
        token: r.secret("token"),
        o_auth_client_config: oauth_to(r.obj("oauth_client_config")),
        audit: toggle_to(r.obj("audit")),
        group_pattern: r.obj("group_pattern").map(|g| GroupPattern {
            deny: g.str("deny"),
            ..Default::default()
        }),
        workspace_ids: r.strings("workspace_ids"),
        ..Default::default()
    }
}

/// The `databricks` block of an API config.
pub fn from_config(c: &DatabricksConfig, prior: Reader<'_>) -> Value {
    obj([
        ("workspace_url", s(&c.workspace_url)),
        ("http_path", s(&c.http_path)),
        ("catalog", s(&c.catalog)),
        ("authentication_type", s(&c.authentication_type)),
        ("token", secret(&c.token, prior.raw("token"))),
        (
            "oauth_client_config",
            oauth_from(&c.o_auth_client_config, prior.nested("oauth_client_config")),
        ),
        ("audit", toggle_from(&c.audit)),
        (
            "group_pattern",
            c.group_pattern
                .as_ref()
                .map_or(Value::Null, |g| obj([("deny", s(&g.deny))])),
        ),
        ("workspace_ids", strings(&c.workspace_ids)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Diagnostics;
    use crate::integration::platforms::{null_object, Platform};
    use immuta_api::{IntegrationConfig, IntegrationType};
    use serde_json::json;

    fn block() -> Value {
        let mut v = null_object(&Platform::DATABRICKS.attribute());
        v.set_attr(
            "workspace_url",
            Value::from("www.example-workspace.cloud.databricks.com"),
        );
        v.set_attr(
            "http_path",
            Value::from("sql/protocolv1/o/0/0000-00000-abc123"),
        );
        v.set_attr("authentication_type", Value::from("token"));
        v.set_attr("token", Value::from("dapi-secret"));
        v.set_attr("catalog", Value::from("immuta"));
        v
    }

    #[test]
    fn round_trip_with_group_pattern_and_redacted_token() {
        let mut v = block();
        v.set_attr("group_pattern", obj([("deny", Value::from("admins"))]));
        v.set_attr(
            "workspace_ids",
            Value::List(vec![Value::from("1"), Value::from("2")]),
        );
        let c = Platform::DATABRICKS.to_config(&v).unwrap();
        let mut json = c.to_value();
        assert_eq!(json["groupPattern"], json!({"deny": "admins"}));
        assert_eq!(json["workspaceIds"], json!(["1", "2"]));
        assert!(json.get("audit").is_none());
        json["token"] = json!("REDACTED");
        let back = IntegrationConfig::from_value(&IntegrationType::Databricks, json).unwrap();
        // The token Immuta redacts is the prior one; the audit Immuta leaves
        // out is its documented default.
        let mut expected = v.clone();
        expected.set_attr("audit", obj([("enabled", Value::Bool(false))]));
        assert_eq!(Platform::DATABRICKS.from_config(Some(&back), &v), expected);
    }

    #[test]
    fn oauth_needs_a_secret_or_a_certificate() {
        let mut v = block();
        v.set_attr("authentication_type", Value::from("oAuthM2M"));
        v.set_attr("token", Value::Null);
        let mut o = null_object(&crate::integration::platforms::oauth_attribute(
            Platform::DATABRICKS,
            crate::integration::platforms::Form::Resource,
        ));
        o.set_attr("client_id", Value::from("id"));
        v.set_attr("oauth_client_config", o);
        let mut d = Diagnostics::new();
        Platform::DATABRICKS.validate(&v, Some(true), &mut d);
        let msgs: Vec<_> = d.iter().map(|d| d.summary.clone()).collect();
        assert_eq!(
            msgs,
            ["databricks.oauth_client_config.client_secret: required unless use_certificate is true, expected a value, got none"]
        );
    }
}
