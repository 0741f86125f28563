//! `databricks = { ... }`: Databricks Unity Catalog's config.

use super::block::{self, secret, strings_skipping_nulls};
use super::defaults::{DefaultValue, DocumentedDefault};
use super::PlatformSpec;
use super::{
    oauth_attribute, oauth_check, oauth_from, oauth_to, only_with_auth, secret_description,
    toggle_attribute, toggle_from, toggle_to, with_auth, Check, Form, OAuthBlock, Platform,
    ToggleBlock,
};
use crate::framework::{Attribute, Type, Value};
use immuta_api::config::{DatabricksConfig, GroupPattern};
use immuta_api::{IntegrationConfig, IntegrationType, Secret};
use serde::{Deserialize, Serialize};

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

    fn to_config(&self, block: &Value) -> Option<IntegrationConfig> {
        Some(IntegrationConfig::Databricks(to_config(&block::read(
            block,
        ))))
    }

    fn block_from_config(
        &self,
        config: Option<&IntegrationConfig>,
        prior: &Value,
        ty: &Type,
    ) -> Option<Value> {
        match config {
            Some(IntegrationConfig::Databricks(c)) => {
                block::write(&from_config(c, block::read_prior(prior).as_ref()), ty)
            }
            _ => None,
        }
    }

    fn documented_defaults(&self) -> &'static [DocumentedDefault] {
        DOCUMENTED_DEFAULTS
    }
}

/// `databricks = { ... }`: one field per attribute of [`attributes`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DatabricksBlock {
    /// The workspace URL.
    pub workspace_url: Option<String>,
    /// The HTTP path of the SQL warehouse or cluster.
    pub http_path: Option<String>,
    /// The catalog Immuta creates.
    pub catalog: Option<String>,
    /// How Immuta signs in.
    pub authentication_type: Option<String>,
    /// A personal access token.
    pub token: Option<Secret>,
    /// OAuth machine-to-machine settings.
    pub oauth_client_config: Option<OAuthBlock>,
    /// Query audit.
    pub audit: Option<ToggleBlock>,
    /// The group exempt from Immuta's policies.
    pub group_pattern: Option<GroupPatternBlock>,
    /// The workspaces whose audit Immuta ingests.
    #[serde(deserialize_with = "strings_skipping_nulls")]
    pub workspace_ids: Option<Vec<String>>,
}

/// `group_pattern = { deny }`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupPatternBlock {
    /// The exempt group.
    pub deny: Option<String>,
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
pub fn to_config(b: &DatabricksBlock) -> DatabricksConfig {
    let DatabricksBlock {
        workspace_url,
        http_path,
        catalog,
        authentication_type,
        token,
        oauth_client_config,
        audit,
        group_pattern,
        workspace_ids,
    } = b;
    DatabricksConfig {
        workspace_url: workspace_url.clone(),
        http_path: http_path.clone(),
        catalog: catalog.clone(),
        authentication_type: authentication_type.clone(),
        token: token.clone(),
        o_auth_client_config: oauth_client_config.as_ref().map(oauth_to),
        audit: audit.as_ref().map(toggle_to),
        group_pattern: group_pattern.as_ref().map(|g| {
            let GroupPatternBlock { deny } = g;
            GroupPattern {
                deny: deny.clone(),
                extra: Default::default(),
            }
        }),
        workspace_ids: workspace_ids.clone(),
        extra: Default::default(),
    }
}

/// The `databricks` block of an API config, secrets Immuta redacts taken
/// from `prior`.
pub fn from_config(c: &DatabricksConfig, prior: Option<&DatabricksBlock>) -> DatabricksBlock {
    let DatabricksConfig {
        workspace_url,
        http_path,
        catalog,
        authentication_type,
        token,
        o_auth_client_config,
        audit,
        group_pattern,
        workspace_ids,
        extra: _,
    } = c;
    DatabricksBlock {
        workspace_url: workspace_url.clone(),
        http_path: http_path.clone(),
        catalog: catalog.clone(),
        authentication_type: authentication_type.clone(),
        token: secret(token, prior.and_then(|p| p.token.as_ref())),
        oauth_client_config: o_auth_client_config
            .as_ref()
            .map(|o| oauth_from(o, prior.and_then(|p| p.oauth_client_config.as_ref()))),
        audit: audit.as_ref().map(toggle_from),
        group_pattern: group_pattern.as_ref().map(|g| {
            let GroupPattern { deny, extra: _ } = g;
            GroupPatternBlock { deny: deny.clone() }
        }),
        workspace_ids: workspace_ids.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Diagnostics;
    use crate::integration::platforms::block::test_support::{assert_block_matches, nested};
    use crate::integration::platforms::{null_object, Platform};
    use immuta_api::{IntegrationConfig, IntegrationType};
    use serde_json::json;

    #[test]
    fn the_block_struct_matches_the_schema() {
        for form in [Form::Resource, Form::DataSource] {
            assert_block_matches::<DatabricksBlock>(&Platform::DATABRICKS.attribute_in(form));
            assert_block_matches::<GroupPatternBlock>(nested(&attributes(form), "group_pattern"));
        }
    }

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
        v.set_attr(
            "group_pattern",
            Value::object([("deny", Value::from("admins"))]),
        );
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
        expected.set_attr("audit", Value::object([("enabled", Value::Bool(false))]));
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
