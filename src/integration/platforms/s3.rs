//! `s3 = { ... }`: Amazon S3's ("Native S3") config.

use super::block::{self, secret};
use super::PlatformSpec;
use super::{is_role_arn, only_with_auth, secret_description, with_auth, Check, Form};
use crate::framework::{Attribute, Type, Value};
use immuta_api::config::S3Config;
use immuta_api::{IntegrationConfig, IntegrationType, Secret};
use serde::{Deserialize, Serialize};

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

    fn to_config(&self, block: &Value) -> Option<IntegrationConfig> {
        Some(IntegrationConfig::S3(to_config(&block::read(block))))
    }

    fn block_from_config(
        &self,
        config: Option<&IntegrationConfig>,
        prior: &Value,
        ty: &Type,
    ) -> Option<Value> {
        match config {
            Some(IntegrationConfig::S3(c)) => {
                block::write(&from_config(c, block::read_prior(prior).as_ref()), ty)
            }
            _ => None,
        }
    }
}

/// `s3 = { ... }`: one field per attribute of [`attributes`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct S3Block {
    /// The integration's name.
    pub name: Option<String>,
    /// The AWS account id.
    pub aws_account_id: Option<String>,
    /// The AWS region.
    pub aws_region: Option<String>,
    /// The IAM role of the Access Grants location.
    pub aws_location_role: Option<String>,
    /// The base S3 location prefix.
    pub aws_location_path: Option<String>,
    /// How Immuta signs in to AWS.
    pub authentication_type: Option<String>,
    /// The IAM role Immuta assumes.
    pub aws_role_to_assume: Option<String>,
    /// The access key id.
    pub aws_access_key_id: Option<String>,
    /// The secret access key.
    pub aws_secret_access_key: Option<Secret>,
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
pub fn to_config(b: &S3Block) -> S3Config {
    let S3Block {
        name,
        aws_account_id,
        aws_region,
        aws_location_role,
        aws_location_path,
        authentication_type,
        aws_role_to_assume,
        aws_access_key_id,
        aws_secret_access_key,
    } = b;
    S3Config {
        name: name.clone(),
        aws_account_id: aws_account_id.clone(),
        aws_region: aws_region.clone(),
        aws_location_role: aws_location_role.clone(),
        aws_location_path: aws_location_path.clone(),
        authentication_type: authentication_type.clone(),
        aws_role_to_assume: aws_role_to_assume.clone(),
        aws_access_key_id: aws_access_key_id.clone(),
        aws_secret_access_key: aws_secret_access_key.clone(),
        extra: Default::default(),
    }
}

/// The `s3` block of an API config, the secret key Immuta redacts taken
/// from `prior`.
pub fn from_config(c: &S3Config, prior: Option<&S3Block>) -> S3Block {
    let S3Config {
        name,
        aws_account_id,
        aws_region,
        aws_location_role,
        aws_location_path,
        authentication_type,
        aws_role_to_assume,
        aws_access_key_id,
        aws_secret_access_key,
        extra: _,
    } = c;
    S3Block {
        name: name.clone(),
        aws_account_id: aws_account_id.clone(),
        aws_region: aws_region.clone(),
        aws_location_role: aws_location_role.clone(),
        aws_location_path: aws_location_path.clone(),
        authentication_type: authentication_type.clone(),
        aws_role_to_assume: aws_role_to_assume.clone(),
        aws_access_key_id: aws_access_key_id.clone(),
        aws_secret_access_key: secret(
            aws_secret_access_key,
            prior.and_then(|p| p.aws_secret_access_key.as_ref()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Diagnostics;
    use crate::integration::platforms::block::test_support::assert_block_matches;
    use crate::integration::platforms::{null_object, Platform};
    use serde_json::json;

    #[test]
    fn the_block_struct_matches_the_schema() {
        for form in [Form::Resource, Form::DataSource] {
            assert_block_matches::<S3Block>(&Platform::S3.attribute_in(form));
        }
    }

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
