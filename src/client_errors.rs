//! One way for every resource and data source to turn a [`ClientError`]
//! into a diagnostic that points to the fix.
//!
//! Problems of the provider's own settings (the API key, its permission,
//! the host, TLS) get a summary of their own and a detail naming `host`,
//! `api_key`, `IMMUTA_HOST` or `IMMUTA_API_KEY` and what to change. They
//! are the same for every resource of a run, so each is explained in full
//! once per provider process (Terraform starts one per command); later ones
//! get one line that points to it. Everything else (Immuta refusing what
//! was sent, a 500...) keeps the caller's summary and Immuta's words.

use crate::framework::Diagnostic;
use crate::provider_data::{ENV_API_KEY, ENV_HOST};
use immuta_client::{ClientError, ErrorClass};
use std::sync::Mutex;

/// The classes already explained in full by this process.
static EXPLAINED: Mutex<Vec<ErrorClass>> = Mutex::new(Vec::new());

/// The diagnostic of `e`, met while doing what `context` says (e.g. "Could
/// not read integration 5"). A problem of the provider's settings is
/// explained in full the first time this process meets its class, and in
/// one line after that.
pub fn diagnostic(context: impl Into<String>, e: &ClientError) -> Diagnostic {
    let class = e.class();
    let first = !is_settings_problem(class) || {
        let mut seen = EXPLAINED.lock().unwrap_or_else(|p| p.into_inner());
        let first = !seen.contains(&class);
        if first {
            seen.push(class);
        }
        first
    };
    render(&context.into(), e, first)
}

/// Whether `class` is a problem of the provider block's settings (or of
/// what stands between them and Immuta), the same for every request: a
/// timeout is not, it may be one slow request.
pub fn is_settings_problem(class: ErrorClass) -> bool {
    matches!(
        class,
        ErrorClass::KeyRejected
            | ErrorClass::PermissionDenied
            | ErrorClass::ConnectionRefused
            | ErrorClass::UnknownHost
            | ErrorClass::NotTls
            | ErrorClass::UntrustedCertificate
            | ErrorClass::NotJson
    )
}

/// The summary of a class with a fix of its own, `None` for the others.
fn summary_of(e: &ClientError) -> Option<String> {
    let status = e
        .status_line()
        .map(|s| format!(" ({s})"))
        .unwrap_or_default();
    Some(match e.class() {
        ErrorClass::KeyRejected => format!("Immuta does not accept the API key{status}"),
        ErrorClass::PermissionDenied => {
            format!("The API key's user may not manage integrations{status}")
        }
        ErrorClass::ConnectionRefused => {
            "Nothing answers at Immuta's host (connection refused)".into()
        }
        ErrorClass::UnknownHost => "Immuta's host name cannot be resolved (DNS)".into(),
        ErrorClass::NotTls => {
            "Immuta's host does not speak TLS (https:// against plain HTTP)".into()
        }
        ErrorClass::UntrustedCertificate => "Immuta's TLS certificate is not trusted".into(),
        ErrorClass::Timeout => "Immuta did not answer in time".into(),
        ErrorClass::NotJson => format!("The host did not answer like Immuta's API{status}"),
        ErrorClass::InvalidCaCertificate | ErrorClass::PayloadRefused | ErrorClass::Other => {
            return None
        }
    })
}

/// What to do about a class with a fix of its own.
fn fix_of(e: &ClientError) -> String {
    match e.class() {
        ErrorClass::KeyRejected => format!(
            "The key in `api_key` (the provider block) or, when that is unset, in the \
             {ENV_API_KEY} environment variable is wrong, expired or revoked, or was made on \
             another Immuta tenant than the one `host` ({ENV_HOST}) names. Make a new key on the \
             API Keys tab of the profile of a user with the APPLICATION_ADMIN permission, and set \
             it there. Every request of this run fails the same way."
        ),
        ErrorClass::PermissionDenied => format!(
            "Immuta accepts the key in `api_key` (or {ENV_API_KEY}), but its user lacks the \
             APPLICATION_ADMIN permission that Immuta's /integrations API requires. Give that \
             user the permission in Immuta, or use the key of a user who has it."
        ),
        ErrorClass::ConnectionRefused => format!(
            "No server accepts connections at the address in `host` (or {ENV_HOST}). Check its \
             scheme, name and port (e.g. https://example.hosted.immutacloud.com), that Immuta \
             (or immuta-emulator) is running there, and that no firewall stands between it and \
             this machine."
        ),
        ErrorClass::UnknownHost => format!(
            "This machine's DNS does not know the name in `host` (or {ENV_HOST}). Check its \
             spelling (e.g. example.hosted.immutacloud.com), and the VPN or DNS settings a \
             private tenant needs."
        ),
        ErrorClass::NotTls => format!(
            "`host` (or {ENV_HOST}) says https://, but the server at that port answers in plain \
             HTTP (rustls calls this \"received corrupt message of type InvalidContentType\"). \
             If it serves plain HTTP (a local immuta-emulator does), write the URL with \
             http://; otherwise use the port that serves HTTPS."
        ),
        ErrorClass::UntrustedCertificate => format!(
            "The server at `host` (or {ENV_HOST}) shows a certificate this machine does not \
             trust: an unknown issuer, another name, or an expired one. Check that `host` is \
             the name the certificate is for; for a tenant behind a private CA, set \
             `ca_certificate` to the CA's PEM (e.g. file(\"corp-ca.pem\")). \
             `insecure_skip_verify = true` is for test set-ups only."
        ),
        ErrorClass::Timeout => format!(
            "No complete answer came within `request_timeout` (60s unless set). Check that \
             `host` (or {ENV_HOST}) points at Immuta and that it is reachable from here; if \
             Immuta is only slow, raise `request_timeout` in the provider block."
        ),
        ErrorClass::NotJson => {
            let unavailable = if e.is_transient() {
                " Or Immuta is unavailable for now: try again later."
            } else {
                ""
            };
            format!(
                "Immuta's API answers JSON; what answered at `host` (or {ENV_HOST}) sent \
                 something else (summarised above, never shown whole). Check that `host` is \
                 Immuta's base URL (e.g. https://example.hosted.immutacloud.com, with no path: \
                 the provider adds /integrations), and that no proxy, login or maintenance page \
                 stands in between.{unavailable}"
            )
        }
        ErrorClass::InvalidCaCertificate | ErrorClass::PayloadRefused | ErrorClass::Other => {
            String::new()
        }
    }
}

/// The diagnostic, in full (`first`) or as the one line that points to
/// the full one.
fn render(context: &str, e: &ClientError, first: bool) -> Diagnostic {
    let Some(summary) = summary_of(e) else {
        return Diagnostic::error(context, e.to_string());
    };
    if first {
        Diagnostic::error(summary, format!("{context}: {e}\n\n{}", fix_of(e)))
    } else {
        let detail = format!(
            "{context}: the same problem; the \"{summary}\" error explained in full once in \
             this output says how to fix it."
        );
        Diagnostic::error(summary, detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16) -> ClientError {
        serde_json::from_value::<immuta_client::immuta_api::ErrorBody>(serde_json::json!({
            "statusCode": status, "error": "E", "message": "Immuta's words"
        }))
        .map(|body| ClientError::Api {
            status,
            body: Some(body),
            raw: String::new(),
        })
        .unwrap()
    }

    #[test]
    fn each_settings_problem_names_its_setting_and_never_the_dry_run_switch() {
        let cases = [
            (
                api(401),
                "does not accept the API key (401 Unauthorized)",
                "API Keys tab",
            ),
            (
                api(403),
                "may not manage integrations (403 Forbidden)",
                "APPLICATION_ADMIN",
            ),
        ];
        for (e, summary, fix) in cases {
            let d = render("Could not read integration 5", &e, true);
            assert!(d.summary.contains(summary), "{}", d.summary);
            for needle in [
                "Could not read integration 5: Immuta answered",
                "Immuta's words",
                fix,
                "`api_key`",
                "IMMUTA_API_KEY",
            ] {
                assert!(d.detail.contains(needle), "{needle:?} in {}", d.detail);
            }
            assert!(!d.detail.contains("dry_run_on_plan"));
            let again = render("Could not read integration 6", &e, false);
            assert_eq!(again.summary, d.summary);
            assert!(!again.detail.contains('\n'), "one line: {}", again.detail);
            assert!(again
                .detail
                .starts_with("Could not read integration 6: the same problem"));
        }
    }

    #[test]
    fn refusals_and_other_errors_keep_the_callers_summary() {
        for status in [400, 404, 409, 422, 500] {
            let d = render(
                "Could not update the Snowflake integration 5",
                &api(status),
                true,
            );
            assert_eq!(d.summary, "Could not update the Snowflake integration 5");
            assert!(d.detail.contains("Immuta's words"), "{}", d.detail);
            assert!(!is_settings_problem(api(status).class()));
        }
    }

    #[test]
    fn only_the_first_settings_problem_of_a_class_is_explained_in_full() {
        // The only test here that uses the process-wide record: a class no
        // other test of this binary meets through `diagnostic`.
        let e = api(403);
        let first = diagnostic("one", &e);
        let second = diagnostic("two", &e);
        assert!(first.detail.contains("APPLICATION_ADMIN"));
        assert!(
            !second.detail.contains("APPLICATION_ADMIN"),
            "{}",
            second.detail
        );
        // Not a settings problem: always in full.
        assert_eq!(
            diagnostic("x", &api(500)).detail,
            diagnostic("x", &api(500)).detail
        );
    }
}
