//! The `lake_formation` nested attribute of `immuta_connection`: AWS Lake
//! Formation, a connection technology with no `immuta_integration` type
//! (and so no platform block to reuse). Its attributes are the Lake
//! Formation fields of Immuta's connection object ([`ConnectionSpec`]),
//! its secret has a write-only twin as every integration secret does, and
//! its converters follow the platforms' conventions: unset values are left
//! out of a request, a secret Immuta answers as a placeholder keeps the
//! prior value.

use super::platforms::write_only::{add_twins, secret_paths, Twins};
use super::platforms::{block, is_role_arn, with_auth, Check};
use crate::framework::{Attribute, AttributePath, Diagnostics, Value};
use immuta_api::connection::{
    is_placeholder, Connection, ConnectionSpec, LakeFormationConfig, Technology,
};
use immuta_api::{IntegrationPayload, Secret};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The nested attribute's name.
pub const BLOCK: &str = "lake_formation";

/// The `authentication_type` values Immuta documents.
pub const AUTHENTICATION_TYPES: [&str; 2] = ["auto", "accessKey"];

/// The string attributes, in schema order, with the API field each maps to
/// in [`ConnectionSpec`] (the secret last, with its own type).
const PLAIN: [&str; 5] = [
    "aws_account_id",
    "aws_region",
    "authentication_type",
    "aws_role_to_assume",
    "aws_access_key_id",
];

/// The secret.
const SECRET: &str = "aws_secret_access_key";

/// The nested attribute, with the write-only twin of its secret; optional
/// and computed as the platform blocks are (see `Platform::attribute_in`).
pub fn attribute() -> Attribute {
    let s = |n: &str, d: &str| Attribute::string(n).optional().description(d.to_string());
    let attrs =
        vec![
        s(
            "aws_account_id",
            "The 12-digit id of the AWS account whose Glue Data Catalog Immuta governs. Required.",
        ),
        s("aws_region", "The catalog's AWS region, e.g. `us-east-1`. Required."),
        s(
            "authentication_type",
            "How Immuta authenticates to AWS: `auto` (it assumes `aws_role_to_assume`) or \
             `accessKey` (`aws_access_key_id` and `aws_secret_access_key`). Required.",
        ),
        s(
            "aws_role_to_assume",
            "The ARN of the IAM role Immuta assumes (`arn:aws:iam::<account>:role/<name>`); \
             required with `auto`.",
        ),
        s(
            "aws_access_key_id",
            "The access key id; required with `accessKey`.",
        ),
        Attribute::string(SECRET)
            .optional()
            .sensitive()
            .description(
                "The secret access key; required with `accessKey`. Immuta answers it redacted: \
                 Terraform keeps the value it sent.",
            ),
    ];
    Attribute::single_nested(BLOCK, add_twins(attrs))
        .optional()
        .computed()
        .description(
            "Settings of an AWS Lake Formation connection. Exactly one of `snowflake`, \
             `databricks` and `lake_formation` must be set; changing which replaces the \
             connection. Lake Formation has no set-up or removal script.",
        )
}

/// The path of the nested attribute.
pub fn path() -> AttributePath {
    AttributePath::new(BLOCK)
}

/// The paths of its secrets with twins, built once.
fn secrets() -> &'static [Vec<String>] {
    static SECRETS: OnceLock<Vec<Vec<String>>> = OnceLock::new();
    SECRETS.get_or_init(|| {
        let a = attribute();
        secret_paths(a.nested_attributes().unwrap_or_default())
    })
}

/// Calls `f` with the block's twins (their diagnostics under [`path`]).
pub fn with_twins<T>(f: impl FnOnce(Twins<'_>) -> T) -> T {
    let base = path();
    f(Twins {
        base: &base,
        secrets: secrets(),
    })
}

/// Checks a configured block (unknown values skipped), its twins
/// included. Every error names its attribute path.
pub fn validate(block: &Value, diags: &mut Diagnostics) {
    with_twins(|t| t.validate(block, diags));
    let merged = with_twins(|t| t.merge(block));
    let mut c = Check::new(&merged, path(), diags);
    c.required_all(&["aws_account_id", "aws_region"], "");
    if let Some(id) = c.str("aws_account_id") {
        if !id.is_empty() && (id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit())) {
            c.error(
                "aws_account_id",
                format!("expected a 12-digit AWS account id, got \"{id}\""),
            );
        }
    }
    match c.authentication_type(&AUTHENTICATION_TYPES) {
        Some(auth @ "auto") => {
            c.required("aws_role_to_assume", &with_auth(auth));
            if let Some(role) = c.str("aws_role_to_assume") {
                if !role.is_empty() && !is_role_arn(role) {
                    c.error(
                        "aws_role_to_assume",
                        format!(
                            "expected an IAM role ARN (arn:aws:iam::<account>:role/<name>), got \
                             \"{role}\""
                        ),
                    );
                }
            }
            c.forbidden("aws_access_key_id", &with_auth(auth));
            c.forbidden(SECRET, &with_auth(auth));
        }
        Some(auth) => {
            c.required_all(&["aws_access_key_id", SECRET], &with_auth(auth));
            c.forbidden("aws_role_to_assume", &with_auth(auth));
        }
        None => {}
    }
}

/// `lake_formation = { ... }` as a request reads it (the write-only twin
/// merged in by the caller): one field per attribute but the twins.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct LakeFormationBlock {
    /// The AWS account of the Glue Data Catalog.
    pub aws_account_id: Option<String>,
    /// Its region.
    pub aws_region: Option<String>,
    /// `auto` or `accessKey`.
    pub authentication_type: Option<String>,
    /// The IAM role Immuta assumes (with `auto`).
    pub aws_role_to_assume: Option<String>,
    /// Access key id (with `accessKey`).
    pub aws_access_key_id: Option<String>,
    /// Secret access key (with `accessKey`).
    pub aws_secret_access_key: Option<Secret>,
}

/// The `connection` object of a block (its twins merged by the caller):
/// every Lake Formation field goes there, so the secret is sent once.
pub fn to_spec(value: &Value) -> ConnectionSpec {
    let LakeFormationBlock {
        aws_account_id,
        aws_region,
        authentication_type,
        aws_role_to_assume,
        aws_access_key_id,
        aws_secret_access_key,
    } = block::read(value);
    ConnectionSpec {
        technology: Some(Technology::LakeFormation),
        aws_account_id,
        aws_region,
        authentication_type,
        aws_role_to_assume,
        aws_access_key_id,
        aws_secret_access_key,
        ..ConnectionSpec::default()
    }
}

/// The native integration of a Lake Formation connection: its type and an
/// empty config (the connection object carries every field).
pub fn native_payload() -> IntegrationPayload {
    IntegrationPayload {
        integration_type: Technology::LakeFormation.native_type(),
        auto_bootstrap: Some(false),
        config: Some(LakeFormationConfig::default().to_config()),
    }
}

/// The block from a connection answer: the connection object's fields,
/// else the native config's; a placeholder or absent secret takes the
/// value `prior` (the block's previous value, or null) holds; the twins'
/// versions are kept from `prior`.
pub fn from_answer(answer: &Connection, prior: &Value) -> Value {
    let spec = answer.connection.clone().unwrap_or_default();
    let native = answer
        .native_integration
        .as_ref()
        .and_then(|n| n.config.as_ref())
        .and_then(|c| LakeFormationConfig::from_config(c).ok())
        .unwrap_or_default();
    let pick = |a: Option<String>, b: Option<String>| a.or(b).map_or(Value::Null, Value::string);
    let values = [
        pick(spec.aws_account_id, native.aws_account_id),
        pick(spec.aws_region, native.aws_region),
        pick(spec.authentication_type, native.authentication_type),
        pick(spec.aws_role_to_assume, native.aws_role_to_assume),
        pick(spec.aws_access_key_id, native.aws_access_key_id),
    ];
    let mut block = Value::object(
        PLAIN
            .iter()
            .zip(values)
            .map(|(name, v)| (name.to_string(), v)),
    );
    let secret = spec
        .aws_secret_access_key
        .or(native.aws_secret_access_key)
        .filter(|s: &Secret| !is_placeholder(s));
    let prior_secret = prior.attr(SECRET);
    let secret = match secret {
        Some(s) => Value::string(s.expose()),
        None if prior_secret.is_known() => prior_secret.clone(),
        None => Value::Null,
    };
    block.set_attr(SECRET, secret);
    with_twins(|t| t.add_write_only_state(&mut block, prior));
    block
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integration::test_support::summaries;

    #[test]
    fn the_block_struct_is_the_attribute_but_its_twins() {
        let attr = attribute();
        let plain: Vec<_> = attr
            .nested_attributes()
            .unwrap_or_default()
            .iter()
            .filter(|a| !a.name.contains("_wo"))
            .cloned()
            .collect();
        crate::framework::model::assert_model_matches_schema::<LakeFormationBlock>(
            &crate::framework::Block::new(plain),
        );
    }

    fn block(pairs: &[(&str, &str)]) -> Value {
        let mut b = crate::integration::platforms::null_object(&attribute());
        for (k, v) in pairs {
            b.set_attr(*k, Value::from(*v));
        }
        b
    }

    fn role() -> Vec<(&'static str, &'static str)> {
        vec![
            ("aws_account_id", "123456789012"),
            ("aws_region", "us-east-1"),
            ("authentication_type", "auto"),
            (
                "aws_role_to_assume",
                "arn:aws:iam::123456789012:role/immuta",
            ),
        ]
    }

    #[test]
    fn the_secret_has_a_twin() {
        let a = attribute();
        let names: Vec<&str> = a
            .nested_attributes()
            .unwrap()
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        assert!(names.contains(&"aws_secret_access_key_wo"), "{names:?}");
        assert!(names.contains(&"aws_secret_access_key_wo_version"));
        assert_eq!(secrets(), [vec![SECRET.to_string()]]);
    }

    #[test]
    fn checks_name_the_attribute() {
        let mut d = Diagnostics::new();
        validate(&block(&role()), &mut d);
        assert!(d.is_empty(), "{:?}", summaries(&d));

        let mut bad = role();
        bad[0].1 = "12";
        bad[3].1 = "not-an-arn";
        bad.push(("aws_access_key_id", "AKIA"));
        let mut d = Diagnostics::new();
        validate(&block(&bad), &mut d);
        let paths: Vec<String> = d
            .iter()
            .map(|d| d.attribute.as_ref().unwrap().to_string())
            .collect();
        assert_eq!(
            paths,
            [
                "lake_formation.aws_account_id",
                "lake_formation.aws_role_to_assume",
                "lake_formation.aws_access_key_id"
            ]
        );

        // accessKey needs the secret, which its twin may give.
        let key = [
            ("aws_account_id", "123456789012"),
            ("aws_region", "us-east-1"),
            ("authentication_type", "accessKey"),
            ("aws_access_key_id", "AKIA"),
        ];
        let mut d = Diagnostics::new();
        validate(&block(&key), &mut d);
        assert_eq!(
            d.iter()
                .next()
                .unwrap()
                .attribute
                .as_ref()
                .unwrap()
                .to_string(),
            "lake_formation.aws_secret_access_key"
        );
        let mut twin = block(&key);
        twin.set_attr("aws_secret_access_key_wo", Value::from("s"));
        twin.set_attr("aws_secret_access_key_wo_version", Value::int(1));
        let mut d = Diagnostics::new();
        validate(&twin, &mut d);
        assert!(d.is_empty(), "{:?}", summaries(&d));
    }

    #[test]
    fn an_answer_reads_back_keeping_the_secret() {
        let mut sent = block(&[
            ("aws_account_id", "123456789012"),
            ("aws_region", "us-east-1"),
            ("authentication_type", "accessKey"),
            ("aws_access_key_id", "AKIA"),
            ("aws_secret_access_key", "s3cr3t"),
        ]);
        let spec = to_spec(&sent);
        assert_eq!(spec.technology, Some(Technology::LakeFormation));
        let mut answered = spec.clone();
        answered.aws_secret_access_key = Some(Secret::new("[REDACTED]"));
        let answer = Connection {
            connection_key: "lf".into(),
            connection: Some(answered),
            native_integration_id: None,
            native_integration: Some(native_payload()),
            settings: None,
            options: None,
            extra: Default::default(),
        };
        sent.set_attr("aws_secret_access_key_wo_version", Value::Null);
        let back = from_answer(&answer, &sent);
        assert_eq!(back, sent);
        // After an import there is no prior value: null, never the placeholder.
        let imported = from_answer(&answer, &Value::Null);
        assert!(imported.attr(SECRET).is_null());
        assert_eq!(imported.attr("aws_region"), &Value::from("us-east-1"));
    }
}
