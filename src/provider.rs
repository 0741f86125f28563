//! The `provider "immuta"` block: its schema, and its configuration turned
//! into one [`ImmutaClient`] (one connection pool) per provider process.

use crate::duration::parse_duration;
use crate::framework::{
    Attribute, AttributePath, Block, Context, DataSource, Diagnostic, Diagnostics,
    EphemeralResource, Provider, Resource, Schema, Value,
};
use crate::provider_data::{Configured, DEFAULT_REQUEST_TIMEOUT, ENV_API_KEY, ENV_HOST};
use async_trait::async_trait;
use immuta_api::Secret;
use immuta_client::{ClientConfig, ErrorClass, ImmutaClient, Limits, RetryPolicy};
use std::sync::Arc;
use std::time::Duration;

/// The immuta provider. Its configuration ([`Configured`]) goes into the
/// call context, where every resource and data source takes it from.
#[derive(Debug, Default)]
pub struct ImmutaProvider;

impl ImmutaProvider {
    /// A provider waiting for its configuration.
    pub fn new() -> Self {
        Self
    }
}

/// The provider block's schema.
pub fn provider_schema() -> Schema {
    Schema::new(
        Block::new(vec![
            Attribute::string("host").optional().description(format!(
                "Immuta's URL, e.g. `https://example.hosted.immutacloud.com`. A host \
                     without a scheme means `https://`. Defaults to the `{ENV_HOST}` \
                     environment variable."
            )),
            Attribute::string("api_key")
                .optional()
                .sensitive()
                .description(format!(
                    "An Immuta API key of a user with the `APPLICATION_ADMIN` permission. \
                     Defaults to the `{ENV_API_KEY}` environment variable."
                )),
            Attribute::string("ca_certificate").optional().description(
                "PEM of an extra CA certificate to trust for Immuta's TLS certificate, e.g. \
                 `file(\"corp-ca.pem\")`, for tenants behind a private CA.",
            ),
            Attribute::bool("insecure_skip_verify")
                .optional()
                .description(
                    "Skip the verification of Immuta's TLS certificate. Only for test set-ups: \
                 anyone on the path can then read the API key. Defaults to `false`.",
                ),
            Attribute::string("request_timeout").optional().description(
                "Time limit of one HTTP request to Immuta, as a duration such as `30s` or \
                 `2m`. Defaults to `60s`.",
            ),
            Attribute::number("max_retries").optional().description(
                "How many times a request is tried again after a failing answer (a 5xx other \
                 than 501 and 503) or a time-out, with exponential backoff. Throttling (429, \
                 503) and connections that end before any answer are retried for as long as \
                 `retry_timeout` allows, however many tries that takes. `0` turns every retry \
                 off. Requests that are not safe to repeat are never retried blindly. \
                 Defaults to `3`.",
            ),
            Attribute::string("retry_timeout").optional().description(
                "How long one request may keep being retried, from its first try, as a \
                 duration such as `5m`. Defaults to `5m`.",
            ),
            Attribute::string("retry_base_delay")
                .optional()
                .description(
                    "First wait before a retry, doubled at each further retry (with jitter), as a \
                 duration such as `250ms`. A longer `Retry-After` answer from Immuta takes \
                 precedence. Defaults to `250ms`.",
                ),
            Attribute::string("retry_max_delay").optional().description(
                "Longest wait between two retries, `Retry-After` included. Defaults to `30s`.",
            ),
            Attribute::number("max_concurrent_requests")
                .optional()
                .description(
                    "The maximum number of requests in flight to Immuta at once from one provider \
                 process, whatever Terraform's `-parallelism`. `0` means no limit. Defaults to \
                 `16`.",
                ),
            Attribute::number("max_requests_per_second")
                .optional()
                .description(
                    "The maximum number of requests started per second from one provider \
                     process. `0` means no limit. Defaults to `0`.",
                ),
            Attribute::bool("dry_run_on_plan").optional().description(
                "Run Immuta's `dryRun` validation of each integration to create or update \
                 during `terraform plan`, so a bad connection fails the plan rather than the \
                 apply. Defaults to `true`.",
            ),
        ])
        .description("Manages Immuta integrations through Immuta's `/integrations` API."),
    )
}

/// Settings read from the provider block, before any client is made. The
/// key is a [`Secret`]: its `Debug` shows `<REDACTED>`.
#[derive(Debug)]
struct Settings {
    host: String,
    api_key: Secret,
    ca_certificate: Option<String>,
    insecure_skip_verify: bool,
    request_timeout: Duration,
    retry: RetryPolicy,
    limits: Limits,
    dry_run_on_plan: bool,
}

/// Reads a string attribute, falling back to an environment variable.
/// Unknown values are an error: the provider needs them to plan.
fn string_setting(
    config: &Value,
    name: &str,
    env: Option<&str>,
    diags: &mut Diagnostics,
) -> Option<String> {
    let path = AttributePath::new(name);
    let v = config.attr(name);
    if v.is_unknown() {
        diags.attribute_error(
            path,
            format!("`{name}` is not known yet"),
            format!(
                "The provider needs `{name}` to plan, but it depends on a value that is only \
                 known after apply. Set it from a variable or a value known at plan time."
            ),
        );
        return None;
    }
    match v.as_str() {
        Some(s) => Some(s.to_string()),
        None => env
            .and_then(|e| std::env::var(e).ok())
            .filter(|s| !s.is_empty()),
    }
}

/// Parses a duration setting, longer than zero; `default` when unset.
fn duration_setting(
    raw: Option<&str>,
    name: &str,
    default: Duration,
    diags: &mut Diagnostics,
) -> Duration {
    match raw.map(parse_duration) {
        None => default,
        Some(Ok(d)) if !d.is_zero() => d,
        Some(Ok(_)) => {
            diags.attribute_error(
                AttributePath::new(name),
                format!("Invalid {name}"),
                "Expected a duration longer than zero, e.g. \"30s\".",
            );
            default
        }
        Some(Err(e)) => {
            diags.attribute_error(
                AttributePath::new(name),
                format!("Invalid {name}"),
                e.to_string(),
            );
            default
        }
    }
}

/// Reads a whole-number setting in `min..=max`; `None` when unset or unknown.
fn whole_number_setting(
    config: &Value,
    name: &str,
    min: i64,
    max: i64,
    diags: &mut Diagnostics,
) -> Option<i64> {
    let v = config.attr(name);
    if v.is_null() || v.is_unknown() {
        return None;
    }
    match v.as_number().and_then(|n| n.as_i64()) {
        Some(n) if (min..=max).contains(&n) => Some(n),
        _ => {
            diags.attribute_error(
                AttributePath::new(name),
                format!("Invalid {name}"),
                format!("Expected a whole number from {min} to {max}."),
            );
            None
        }
    }
}

fn read_settings(config: &Value) -> Result<Settings, Diagnostics> {
    let mut diags = Diagnostics::new();
    let host = string_setting(config, "host", Some(ENV_HOST), &mut diags);
    let api_key = string_setting(config, "api_key", Some(ENV_API_KEY), &mut diags);
    let ca_certificate = string_setting(config, "ca_certificate", None, &mut diags);
    let timeout = string_setting(config, "request_timeout", None, &mut diags);

    if host.is_none() && !config.attr("host").is_unknown() {
        diags.attribute_error(
            AttributePath::new("host"),
            "Missing Immuta host",
            format!(
                "Set `host` in the provider block or the {ENV_HOST} environment variable to \
                 Immuta's URL, e.g. https://example.hosted.immutacloud.com."
            ),
        );
    }
    if api_key.is_none() && !config.attr("api_key").is_unknown() {
        diags.attribute_error(
            AttributePath::new("api_key"),
            "Missing Immuta API key",
            format!(
                "Set `api_key` in the provider block or the {ENV_API_KEY} environment variable \
                 to an API key of a user with the APPLICATION_ADMIN permission."
            ),
        );
    }
    let request_timeout = duration_setting(
        timeout.as_deref(),
        "request_timeout",
        DEFAULT_REQUEST_TIMEOUT,
        &mut diags,
    );
    let defaults = RetryPolicy::default();
    let base_delay = string_setting(config, "retry_base_delay", None, &mut diags);
    let max_delay = string_setting(config, "retry_max_delay", None, &mut diags);
    let max_elapsed = string_setting(config, "retry_timeout", None, &mut diags);
    let retry = RetryPolicy {
        max_retries: whole_number_setting(config, "max_retries", 0, 100, &mut diags)
            .map_or(defaults.max_retries, |n| n as u32),
        base_delay: duration_setting(
            base_delay.as_deref(),
            "retry_base_delay",
            defaults.base_delay,
            &mut diags,
        ),
        max_delay: duration_setting(
            max_delay.as_deref(),
            "retry_max_delay",
            defaults.max_delay,
            &mut diags,
        ),
        max_elapsed: duration_setting(
            max_elapsed.as_deref(),
            "retry_timeout",
            defaults.max_elapsed,
            &mut diags,
        ),
    };
    let default_limits = Limits::default();
    let limits = Limits {
        max_concurrent: whole_number_setting(
            config,
            "max_concurrent_requests",
            0,
            10_000,
            &mut diags,
        )
        .map_or(default_limits.max_concurrent, |n| n as usize),
        max_per_second: whole_number_setting(
            config,
            "max_requests_per_second",
            0,
            100_000,
            &mut diags,
        )
        .map_or(default_limits.max_per_second, |n| n as f64),
    };
    let flag = |name: &str, default: bool| config.attr(name).as_bool().unwrap_or(default);
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(Settings {
        host: host.unwrap_or_default(),
        api_key: Secret::new(api_key.unwrap_or_default()),
        ca_certificate,
        insecure_skip_verify: flag("insecure_skip_verify", false),
        request_timeout,
        retry,
        limits,
        dry_run_on_plan: flag("dry_run_on_plan", true),
    })
}

fn build_client(s: &Settings, terraform_version: Option<&str>) -> Result<ImmutaClient, Diagnostic> {
    let mut cfg = ClientConfig::new(s.host.clone(), s.api_key.clone());
    cfg.extra_ca_pem = s.ca_certificate.as_ref().map(|p| p.as_bytes().to_vec());
    cfg.insecure_skip_verify = s.insecure_skip_verify;
    cfg.request_timeout = s.request_timeout;
    cfg.retry = s.retry.clone();
    cfg.limits = s.limits;
    cfg.user_agent = format!(
        "terraform-provider-immuta/{} (terraform {})",
        env!("CARGO_PKG_VERSION"),
        terraform_version.unwrap_or("unknown")
    );
    ImmutaClient::new(cfg).map_err(|e| {
        // The client says which setting is wrong through its error class.
        let (path, detail) = match e.class() {
            ErrorClass::InvalidCaCertificate => (
                "ca_certificate",
                format!(
                    "{e}. Expected one or more PEM certificates (-----BEGIN CERTIFICATE-----), \
                     e.g. file(\"corp-ca.pem\")."
                ),
            ),
            _ => ("host", e.to_string()),
        };
        Diagnostic::attribute_error(
            AttributePath::new(path),
            "Invalid Immuta connection settings",
            detail,
        )
    })
}

#[async_trait]
impl Provider for ImmutaProvider {
    fn type_name(&self) -> &str {
        "immuta"
    }

    fn schema(&self) -> Schema {
        provider_schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        // Only what can be judged without the environment: a value that is
        // missing here may still come from IMMUTA_HOST at configure time.
        let mut diags = Diagnostics::new();
        for name in [
            "request_timeout",
            "retry_base_delay",
            "retry_max_delay",
            "retry_timeout",
        ] {
            if let Some(raw) = config.attr(name).as_str() {
                duration_setting(Some(raw), name, Duration::ZERO, &mut diags);
            }
        }
        for (name, max) in [
            ("max_retries", 100),
            ("max_concurrent_requests", 10_000),
            ("max_requests_per_second", 100_000),
        ] {
            whole_number_setting(config, name, 0, max, &mut diags);
        }
        diags
    }

    async fn configure(&self, ctx: &Context, config: &Value) -> Diagnostics {
        let settings = match read_settings(config) {
            Ok(s) => s,
            Err(d) => return d,
        };
        match build_client(&settings, ctx.terraform_version.as_deref()) {
            Ok(client) => {
                tracing::debug!(
                    request_timeout_ms = settings.request_timeout.as_millis() as u64,
                    max_retries = settings.retry.max_retries,
                    retry_timeout_ms = settings.retry.max_elapsed.as_millis() as u64,
                    max_concurrent_requests = settings.limits.max_concurrent,
                    dry_run_on_plan = settings.dry_run_on_plan,
                    "provider configured"
                );
                ctx.set_configured(Configured {
                    client,
                    dry_run_on_plan: settings.dry_run_on_plan,
                });
                Diagnostics::new()
            }
            Err(d) => d.into(),
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        crate::resources::all()
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        crate::data_sources::all()
    }

    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        crate::ephemeral_resources::all()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_debug_shows_no_key() {
        let config = Value::object([
            ("host", Value::from("https://immuta.example.com")),
            ("api_key", Value::from("key-5e1b0d9c-in-the-provider-block")),
        ]);
        let settings = read_settings(&config).unwrap();
        let shown = format!("{settings:?}");
        assert!(!shown.contains("key-5e1b0d9c"), "{shown}");
        assert!(shown.contains("<REDACTED>"), "{shown}");
        assert!(build_client(&settings, None).is_ok());
    }

    #[test]
    fn a_bad_ca_certificate_points_at_ca_certificate() {
        let config = Value::object([
            ("host", Value::from("https://immuta.example.com")),
            ("api_key", Value::from("key")),
            ("ca_certificate", Value::from("not a certificate")),
        ]);
        let settings = read_settings(&config).unwrap();
        let d = build_client(&settings, None).unwrap_err();
        assert_eq!(d.attribute, Some(AttributePath::new("ca_certificate")));
        assert!(
            d.detail.contains("Expected one or more PEM"),
            "{}",
            d.detail
        );
        let bad_host = Value::object([
            ("host", Value::from("https://immuta.example.com/some/path")),
            ("api_key", Value::from("key")),
        ]);
        if let Ok(settings) = read_settings(&bad_host) {
            if let Err(d) = build_client(&settings, None) {
                assert_eq!(d.attribute, Some(AttributePath::new("host")));
            }
        }
    }
}
