//! The checks of an integration's configuration, before any request:
//! exactly one type attribute, the `auto_bootstrap` rules, each type's own
//! checks, write-only twins, delete credentials and timeouts. Unknown values
//! are skipped.

use super::platforms::{Check, Platform};
use super::DELETE_CREDENTIALS_ENV;
use crate::duration::parse_duration;
use crate::framework::plan::is_all_null;
use crate::framework::{AttributePath, Diagnostics, Value};

/// The platforms whose attribute is set (or not yet known) in a resource value.
pub fn platforms_set(v: &Value) -> Vec<Platform> {
    Platform::ALL
        .into_iter()
        .filter(|p| !v.attr(p.block_name()).is_null())
        .collect()
}

/// The one platform set in a resource value, if exactly one is.
pub fn platform_of(v: &Value) -> Option<Platform> {
    match platforms_set(v).as_slice() {
        [p] => Some(*p),
        _ => None,
    }
}

/// Checks a configuration before any request. Unknown values are skipped.
pub fn validate_config(config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let names: Vec<&str> = Platform::ALL.iter().map(|p| p.block_name()).collect();
    let set = platforms_set(config);
    match set.as_slice() {
        [] => diags.attribute_error(
            AttributePath::root(),
            format!(
                "expected exactly one of {} to be set, got none",
                names.join(", ")
            ),
            "Set the attribute of the integration's type, e.g. `snowflake = { ... }`.",
        ),
        [_] => {}
        [first, rest @ ..] => {
            for p in rest {
                let path = p.path();
                diags.attribute_error(
                    path.clone(),
                    format!(
                        "{path}: expected exactly one of {} to be set, got {} and {}",
                        names.join(", "),
                        first.block_name(),
                        p.block_name()
                    ),
                    "An integration has one type: keep one type attribute.",
                );
            }
        }
    }
    let ab = config.attr("auto_bootstrap");
    let auto_bootstrap = ab.as_bool();
    if let [platform] = set.as_slice() {
        let p = *platform;
        let path = AttributePath::new("auto_bootstrap");
        if ab.is_null() && p.requires_auto_bootstrap() {
            let expected = if p.must_not_auto_bootstrap() {
                "false"
            } else {
                "true or false"
            };
            diags.attribute_error(
                path.clone(),
                format!(
                    "auto_bootstrap: required for {} integrations, expected {expected}, got none",
                    p.block_name()
                ),
                "Immuta needs to know whether it sets up the platform side itself.",
            );
        } else if auto_bootstrap == Some(true) && p.must_not_auto_bootstrap() {
            diags.attribute_error(
                path,
                format!(
                    "auto_bootstrap: expected false for {} integrations, got true",
                    p.block_name()
                ),
                "Immuta cannot set up this platform itself: set it up by hand (see the \
                 immuta_integration_script data source) and set auto_bootstrap = false.",
            );
        }
        let block = config.attr(p.block_name());
        p.validate_write_only(block, &mut diags);
        p.validate(&p.merge_write_only(block), auto_bootstrap, &mut diags);
        let env = config.attr(DELETE_CREDENTIALS_ENV);
        if let Some(name) = env.as_str() {
            let path = AttributePath::new(DELETE_CREDENTIALS_ENV);
            if !is_env_name(name) {
                diags.attribute_error(
                    path,
                    format!(
                        "{DELETE_CREDENTIALS_ENV}: expected an environment variable name \
                         (letters, digits, _), got \"{name}\""
                    ),
                    "Give the variable's name, never the credentials themselves.",
                );
            } else if !p.delete_needs_credentials() {
                diags.attribute_warning(
                    path,
                    format!(
                        "{DELETE_CREDENTIALS_ENV}: ignored for {} integrations",
                        p.block_name()
                    ),
                    "Immuta removes this type of integration without credentials.",
                );
            }
        }
        if p.delete_needs_credentials()
            && auto_bootstrap == Some(true)
            && config.attr("force_disable_on_destroy").as_bool() != Some(true)
            && env.is_null()
            && config.attr("delete_credentials").is_null()
            && p.uses_write_only(block)
        {
            diags.attribute_warning(
                p.path(),
                format!(
                    "{}: write-only secrets are not available when the integration is destroyed",
                    p.block_name()
                ),
                format!(
                    "Immuta needs privileged credentials to remove an auto-bootstrapped {} \
                     integration, and Terraform sends no write-only value at destroy. Set \
                     {DELETE_CREDENTIALS_ENV} (an environment variable read at destroy time), \
                     delete_credentials, or force_disable_on_destroy = true.",
                    p.integration_type()
                ),
            );
        }
        let dc = config.attr("delete_credentials");
        // `{}` (what `-generate-config-out` writes) sets nothing.
        if matches!(dc, Value::Object(_)) && !is_all_null(dc) {
            if p.delete_needs_credentials() {
                let mut c = Check::new(dc, AttributePath::new("delete_credentials"), &mut diags);
                c.one_of("authentication_type", p.authentication_types());
            } else {
                diags.attribute_warning(
                    AttributePath::new("delete_credentials"),
                    format!(
                        "delete_credentials: ignored for {} integrations",
                        p.block_name()
                    ),
                    "Immuta removes this type of integration without credentials and refuses \
                     a DELETE that carries them.",
                );
            }
        }
    }
    let timeouts = config.attr("timeouts");
    for op in ["create", "update", "delete"] {
        if let Some(s) = timeouts.attr(op).as_str() {
            let path = AttributePath::new("timeouts").attr(op);
            match parse_duration(s) {
                Ok(d) if d.is_zero() => diags.attribute_error(
                    path.clone(),
                    format!("{path}: expected a duration longer than zero, got \"{s}\""),
                    "",
                ),
                Ok(_) => {}
                Err(e) => diags.attribute_error(
                    path.clone(),
                    format!("{path}: expected a duration such as \"30m\", got \"{s}\""),
                    e.to_string(),
                ),
            }
        }
    }
    diags
}
/// Whether `s` can name an environment variable.
fn is_env_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integration::test_support::{snowflake_config, summaries, write_only_config};

    #[test]
    fn exactly_one_type_and_auto_bootstrap_rules() {
        let mut v = snowflake_config();
        assert!(
            validate_config(&v).is_empty(),
            "{:?}",
            summaries(&validate_config(&v))
        );
        v.set_attr("snowflake", Value::Null);
        assert_eq!(
            summaries(&validate_config(&v)),
            ["expected exactly one of snowflake, databricks, bigquery, redshift, azure_synapse, s3, trino to be set, got none"]
        );
        let mut v = snowflake_config();
        v.set_attr("trino", Value::object([("api_key", Value::Null)]));
        let d = validate_config(&v);
        assert_eq!(
            d.iter().next().unwrap().attribute,
            Some(AttributePath::new("trino"))
        );
        let mut v = snowflake_config();
        v.set_attr("auto_bootstrap", Value::Null);
        assert_eq!(
            summaries(&validate_config(&v))[0],
            "auto_bootstrap: required for snowflake integrations, expected true or false, got none"
        );
        let mut v = snowflake_config();
        v.set_attr(
            "timeouts",
            Value::object([
                ("create", Value::from("soon")),
                ("update", Value::Null),
                ("delete", Value::Null),
            ]),
        );
        let d = validate_config(&v);
        assert_eq!(
            d.iter().next().unwrap().attribute,
            Some(AttributePath::new("timeouts").attr("create"))
        );
        assert_eq!(
            summaries(&d)[0],
            "timeouts.create: expected a duration such as \"30m\", got \"soon\""
        );
    }

    #[test]
    fn a_secret_and_its_twin_are_refused_together() {
        let mut v = write_only_config(1, "x");
        if let Some(b) = v.get_attr_mut("snowflake") {
            b.set_attr("password", Value::from("y"));
        }
        let d = validate_config(&v);
        assert_eq!(
            d.iter()
                .find(|d| d.severity == crate::framework::Severity::Error)
                .unwrap()
                .attribute,
            Some(AttributePath::new("snowflake").attr("password_wo"))
        );
        assert!(summaries(&d)[0].contains("snowflake.password and snowflake.password_wo"));
    }
}
