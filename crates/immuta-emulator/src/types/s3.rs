//! Native S3: integration names and location paths are each unique.

use super::fields::{absent, auth_type, need_secret, need_str, no_extra};
use super::{or, TestRole, TestSpec, TypeRules, SQL_SCRIPTS};
use crate::error::ApiError;
use immuta_api::config::S3Config;
use immuta_api::{IntegrationConfig, IntegrationType, ScriptKind};

/// The `authenticationType` values.
const AUTH: &[&str] = &["auto", "accessKey"];

/// Native S3's rules.
pub(super) struct S3;

fn config(c: &IntegrationConfig) -> Option<&S3Config> {
    match c {
        IntegrationConfig::S3(c) => Some(c),
        _ => None,
    }
}

/// Both set and equal, exactly: S3 locations are case-sensitive, and
/// nothing in Immuta's pages says names are compared otherwise.
fn same(a: &Option<String>, b: &Option<String>) -> bool {
    a.is_some() && a == b
}

impl TypeRules for S3 {
    fn integration_type(&self) -> IntegrationType {
        IntegrationType::S3
    }

    fn check(&self, c: &IntegrationConfig, _auto: bool) -> Result<(), ApiError> {
        match config(c) {
            Some(c) => check(c),
            None => Err(ApiError::bad_request("\"config\" is not an S3 config")),
        }
    }

    fn secret_paths(&self) -> &'static [&'static str] {
        &["/awsSecretAccessKey"]
    }

    fn more_paths(&self) -> &'static [&'static str] {
        &["/awsAccessKeyId", "/awsRoleToAssume"]
    }

    /// The name or the location path, either one, compared exactly.
    fn same_target(&self, new: &IntegrationConfig, old: &IntegrationConfig) -> Option<String> {
        let (n, o) = (config(new)?, config(old)?);
        if same(&n.name, &o.name) {
            return Some(format!(
                "A Native S3 integration named \"{}\" already exists",
                n.name.as_deref().unwrap_or_default()
            ));
        }
        same(&n.aws_location_path, &o.aws_location_path).then(|| {
            format!(
                "A Native S3 integration already uses awsLocationPath {}",
                n.aws_location_path.as_deref().unwrap_or_default()
            )
        })
    }

    fn tests(&self) -> &'static [TestSpec] {
        const TESTS: [TestSpec; 3] = [
            TestSpec::new(
                "There is no existing integration matching this configuration",
                TestRole::Connection,
            ),
            TestSpec::new(
                "The provided integration name is unique across Immuta S3 integrations",
                TestRole::Warn,
            ),
            TestSpec::new(
                "The provided access grants location role is a valid ARN format",
                TestRole::Format,
            ),
        ];
        &TESTS
    }

    /// `awsLocationRole` must be an IAM role ARN.
    fn format_problem(&self, c: &IntegrationConfig) -> Option<&'static str> {
        let ok = config(c).is_some_and(|c| c.aws_location_role.as_deref().is_some_and(is_role_arn));
        (!ok).then_some(
            "\"awsLocationRole\" is not an IAM role ARN (arn:<partition>:iam::<account>:role/<name>).",
        )
    }

    fn scripts(&self) -> &'static [ScriptKind] {
        &SQL_SCRIPTS
    }

    /// A JSON IAM policy rather than SQL.
    fn script(&self, kind: ScriptKind, c: &IntegrationConfig) -> Result<String, ApiError> {
        let Some(c) = config(c) else {
            return Err(ApiError::bad_request("\"config\" is not an S3 config"));
        };
        let path = or(&c.aws_location_path, "s3://");
        let bucket_arn = format!("arn:aws:s3:::{}*", path.trim_start_matches("s3://"));
        let action = match kind {
            ScriptKind::Create | ScriptKind::Edit => "Allow",
            _ => "Deny",
        };
        let policy = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": format!("Immuta{}{}", or(&c.name, "S3").replace(|ch: char| !ch.is_ascii_alphanumeric(), ""), kind.segment().replace('-', "")),
                "Effect": action,
                "Principal": {"AWS": or(&c.aws_location_role, "")},
                "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:GetDataAccess"],
                "Resource": [bucket_arn]
            }]
        });
        let mut out =
            serde_json::to_string_pretty(&policy).map_err(|e| ApiError::internal(e.to_string()))?;
        out.push('\n');
        Ok(out)
    }
}

fn check(c: &S3Config) -> Result<(), ApiError> {
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
    let auth = auth_type(&c.authentication_type, AUTH)?.to_string();
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
