//! `s3 = { ... }`: Amazon S3's ("Native S3") config.

use super::PlatformSpec;
use super::{
    is_role_arn, obj, only_with_auth, s, secret, secret_description, with_auth, Check, Form, Reader,
};
use crate::framework::{Attribute, Value};
use immuta_api::config::S3Config;
use immuta_api::{IntegrationConfig, IntegrationType};

/// Accepted `authentication_type` values.
pub const AUTH_TYPES: &[&str] = &["auto", "accessKey"];

/// The table of `s3`.
pub struct S3;

impl PlatformSpec for S3 {
    fn block_name(&self) -> &'static str {
        "s3"
    }

    fn integration_type(&self) -> IntegrationType {
        IntegrationType::S3
    }

    fn described_as(&self) -> &'static str {
        "an Amazon S3 (Native S3) integration"
    }

    fn product_name(&self) -> &'static str {
        "Amazon S3"
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
        Some(IntegrationConfig::S3(to_config(block)))
    }

    fn block_from_config(
        &self,
        config: Option<&IntegrationConfig>,
        prior: Reader<'_>,
    ) -> Option<Value> {
        match config {
            Some(IntegrationConfig::S3(c)) => Some(from_config(c, prior)),
            _ => None,
        }
    }
}

/// The attributes of `s3`, described for `form`.
pub fn attributes(form: Form) -> Vec<Attribute> {
    vec![
        Attribute::string("name")
            .optional()
            .description("The integration's name, unique across S3 integrations. Must be set."),
        Attribute::string("aws_account_id")
            .optional()
            .description("The AWS account id (digits only). Must be set."),
        Attribute::string("aws_region")
            .optional()
            .description("The AWS region, e.g. `us-east-1`. Must be set."),
        Attribute::string("aws_location_role")
            .optional()
            .description(
                "The ARN of the IAM role of the Access Grants location, \
             `arn:aws:iam::<account>:role/<name>`. Must be set.",
            ),
        Attribute::string("aws_location_path")
            .optional()
            .description(
                "The base S3 location prefix (`s3://...`), unique across S3 integrations. Must be \
             set.",
            ),
        Attribute::string("authentication_type")
            .optional()
            .description(
            "How Immuta signs in to AWS: `auto` (with `aws_role_to_assume`) or `accessKey` (with \
             `aws_access_key_id` and `aws_secret_access_key`). Must be set.",
        ),
        Attribute::string("aws_role_to_assume")
            .optional()
            .description(format!(
                "The ARN of the IAM role Immuta assumes. {}",
                only_with_auth("auto")
            )),
        Attribute::string("aws_access_key_id")
            .optional()
            .description(format!(
                "The access key id. {}",
                only_with_auth("accessKey")
            )),
        Attribute::string("aws_secret_access_key")
            .optional()
            .sensitive()
            .description(secret_description(
                form,
                &format!("The secret access key. {}", only_with_auth("accessKey")),
            )),
    ]
}

fn arn(c: &mut Check<'_>, name: &str) {
    if let Some(v) = c.str(name) {
        if !v.is_empty() && !is_role_arn(v) {
            c.error(
                name,
                format!("expected an IAM role ARN like \"arn:aws:iam::123456789012:role/name\", got \"{v}\""),
            );
        }
    }
}

/// Checks an `s3` block.
pub fn validate(c: &mut Check<'_>) {
    c.required_all(
        &[
            "name",
            "aws_account_id",
            "aws_region",
            "aws_location_role",
            "aws_location_path",
        ],
        "",
    );
    if let Some(id) = c.str("aws_account_id") {
        if !id.is_empty() && !id.chars().all(|ch| ch.is_ascii_digit()) {
            c.error(
                "aws_account_id",
                format!("expected digits only, got \"{id}\""),
            );
        }
    }
    arn(c, "aws_location_role");
    if let Some(p) = c.str("aws_location_path") {
        if !p.is_empty() && !p.starts_with("s3://") {
            c.error(
                "aws_location_path",
                format!("expected a location starting with \"s3://\", got \"{p}\""),
            );
        }
    }
    match c.authentication_type(AUTH_TYPES) {
        Some(auth @ "auto") => {
            let w = with_auth(auth);
            c.required("aws_role_to_assume", &w);
            arn(c, "aws_role_to_assume");
            c.forbidden("aws_access_key_id", &w);
            c.forbidden("aws_secret_access_key", &w);
        }
        Some(auth) => {
            let w = with_auth(auth);
            c.required_all(&["aws_access_key_id", "aws_secret_access_key"], &w);
            c.forbidden("aws_role_to_assume", &w);
        }
        None => {}
    }
}

/// The API config of an `s3` block.
pub fn to_config(r: Reader<'_>) -> S3Config {
    S3Config {
        name: r.str("name"),
        aws_account_id: r.str("aws_account_id"),
        aws_region: r.str("aws_region"),
        aws_location_role: r.str("aws_location_role"),
        aws_location_path: r.str("aws_location_path"),
        authentication_type: r.str("authentication_type"),
        aws_role_to_assume: r.str("aws_role_to_assume"),
        aws_access_key_id: r.str("aws_access_key_id"),
        aws_secret_access_key: r.secret("aws_secret_access_key"),
        ..Default::default()
    }
}

/// The `s3` block of an API config.
pub fn from_config(c: &S3Config, prior: Reader<'_>) -> Value {
    obj([
        ("name", s(&c.name)),
        ("aws_account_id", s(&c.aws_account_id)),
        ("aws_region", s(&c.aws_region)),
        ("aws_location_role", s(&c.aws_location_role)),
        ("aws_location_path", s(&c.aws_location_path)),
        ("authentication_type", s(&c.authentication_type)),
        ("aws_role_to_assume", s(&c.aws_role_to_assume)),
        ("aws_access_key_id", s(&c.aws_access_key_id)),
        (
            "aws_secret_access_key",
            secret(&c.aws_secret_access_key, prior.raw("aws_secret_access_key")),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Diagnostics;
    use crate::integration::platforms::{null_object, Platform};
    use serde_json::json;

    fn example() -> Value {
        let mut v = null_object(&Platform::S3.attribute());
        for (k, x) in [
            ("name", "S3 integration"),
            ("aws_account_id", "123456789"),
            ("aws_region", "us-east-1"),
            (
                "aws_location_role",
                "arn:aws:iam::123456789:role/access-grants-instance-role",
            ),
            ("aws_location_path", "s3://"),
            ("authentication_type", "accessKey"),
            ("aws_access_key_id", "123456789"),
            ("aws_secret_access_key", "123456789"),
        ] {
            v.set_attr(k, Value::from(x));
        }
        v
    }

    #[test]
    fn immutas_post_example() {
        let mut d = Diagnostics::new();
        Platform::S3.validate(&example(), Some(false), &mut d);
        assert!(d.is_empty());
        let c = Platform::S3.to_config(&example()).unwrap();
        assert_eq!(
            c.to_value()["awsLocationRole"],
            json!("arn:aws:iam::123456789:role/access-grants-instance-role")
        );
        assert_eq!(c.to_value().as_object().unwrap().len(), 8);
    }

    #[test]
    fn arn_and_auth_checks() {
        let mut v = example();
        v.set_attr(
            "aws_location_role",
            Value::from("access-grants-instance-role"),
        );
        v.set_attr("authentication_type", Value::from("auto"));
        let mut d = Diagnostics::new();
        Platform::S3.validate(&v, Some(false), &mut d);
        let msgs: Vec<_> = d.iter().map(|d| d.summary.clone()).collect();
        assert_eq!(
            msgs,
            [
                "s3.aws_location_role: expected an IAM role ARN like \"arn:aws:iam::123456789012:role/name\", got \"access-grants-instance-role\"",
                "s3.aws_role_to_assume: required when authentication_type is \"auto\", expected a value, got none",
                "s3.aws_access_key_id: expected no value when authentication_type is \"auto\", got one",
                "s3.aws_secret_access_key: expected no value when authentication_type is \"auto\", got one",
            ]
        );
    }
}
