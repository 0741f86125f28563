//! The validation tests the emulator "runs" for an operation (each type's
//! test names and roles are in its file under [`crate::types`]), and the
//! triggers that make them fail or warn.
//!
//! Triggers are looked for in every non-secret string of the config
//! (case-insensitive): see [`crate::TRIGGERS_HELP`].

use crate::types::{rules, TestResult, TestRole};
use crate::validate::trigger_text;
use immuta_api::{
    IntegrationConfig, IntegrationType, TestStatus, ValidationResults, ValidationTest,
};
use serde_json::json;

/// Substring that fails the type's connection test.
pub const UNREACHABLE: &str = "unreachable";
/// Substring that makes one test pass with a warning.
pub const WARNING: &str = "warning";
/// Substring that fails Databricks' metastore validation.
pub const NO_METASTORE: &str = "no-metastore";
/// Substring that makes a create end in `createError`.
pub const FAIL_CREATE: &str = "fail-create";
/// Substring that makes an update end in `editError`.
pub const FAIL_EDIT: &str = "fail-edit";
/// Substring that makes a delete end in `deleteError`.
pub const FAIL_DELETE: &str = "fail-delete";

/// Which operation the tests are run for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// POST.
    Create,
    /// PUT.
    Update,
    /// DELETE.
    Delete,
}

impl Operation {
    fn verb(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::Delete => "delete",
        }
    }
}

/// The tests' results and, when one failed, the 422 message.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// What the answer carries.
    pub results: ValidationResults,
    /// The error message when a test failed.
    pub failure: Option<String>,
}

/// Runs the type's tests for an operation. `credentials_ok` is false when a
/// DELETE sent privileged credentials that do not log in; `platform` is false
/// when the platform is not contacted at all (`forceDisable`).
pub fn run(
    ty: &IntegrationType,
    auto_bootstrap: bool,
    config: &IntegrationConfig,
    op: Operation,
    credentials_ok: bool,
    platform: bool,
) -> Outcome {
    let text = trigger_text(config);
    let unreachable = text.contains(UNREACHABLE);
    let warn = text.contains(WARNING);
    let no_metastore = text.contains(NO_METASTORE);
    let Some(rules) = rules(ty) else {
        return Outcome {
            results: ValidationResults {
                status: TestStatus::Passed,
                validation_tests: Vec::new(),
            },
            failure: None,
        };
    };
    let format_problem = rules.format_problem(config);
    let impersonation_on = rules.impersonation_on(config);
    let mut tests = Vec::new();
    let mut failure: Option<String> = None;
    let mut stop = false;
    for spec in rules.tests() {
        let mut t = ValidationTest {
            name: spec.name.to_string(),
            status: TestStatus::Passed,
            message: None,
            result: (spec.result == TestResult::Empty).then(|| json!([])),
        };
        if stop || !platform {
            t.status = TestStatus::Skipped;
            t.result = None;
        } else {
            match spec.role {
                TestRole::Connection if unreachable => {
                    t.status = TestStatus::Failed;
                    t.message = Some(
                        "Could not reach the platform (emulator trigger \"unreachable\")."
                            .to_string(),
                    );
                    stop = true;
                }
                TestRole::Connection if !credentials_ok => {
                    t.status = TestStatus::Failed;
                    t.message = Some(
                        "Could not log in with the privileged credentials provided.".to_string(),
                    );
                    stop = true;
                }
                TestRole::Connection if spec.result == TestResult::Row => {
                    t.result = Some(json!([{"1": 1}]));
                }
                TestRole::Warn if warn => {
                    t.status = TestStatus::Warning;
                    t.message =
                        Some("Passed with a warning (emulator trigger \"warning\").".to_string());
                }
                TestRole::Auto if !auto_bootstrap => {
                    t.status = TestStatus::Skipped;
                    t.result = None;
                }
                TestRole::Impersonation if !(auto_bootstrap && impersonation_on) => {
                    t.status = TestStatus::Skipped;
                }
                TestRole::Metastore if no_metastore => {
                    t.status = TestStatus::Failed;
                    t.message = Some("Error trying to get the current metastore info.".to_string());
                    failure = Some(
                        "Processing Error: Error trying to get the current metastore info."
                            .to_string(),
                    );
                    stop = true;
                }
                TestRole::Format if format_problem.is_some() => {
                    t.status = TestStatus::Failed;
                    t.message = format_problem.map(str::to_string);
                }
                _ => {}
            }
        }
        tests.push(t);
    }
    let status = if tests.iter().any(|t| t.status == TestStatus::Failed) {
        TestStatus::Failed
    } else if tests.iter().any(|t| t.status == TestStatus::Warning) {
        TestStatus::Warning
    } else {
        TestStatus::Passed
    };
    if status == TestStatus::Failed && failure.is_none() {
        let names: Vec<String> = tests
            .iter()
            .filter(|t| t.status == TestStatus::Failed)
            .map(|t| match &t.message {
                Some(m) => format!("{} ({m})", t.name),
                None => t.name.clone(),
            })
            .collect();
        failure = Some(format!(
            "Validation of prerequisite setup failed. Unable to {} integration. Failed: {}",
            op.verb(),
            names.join("; ")
        ));
    }
    Outcome {
        results: ValidationResults {
            status,
            validation_tests: tests,
        },
        failure,
    }
}

/// Whether the config asks for the given asynchronous failure.
pub fn wants(config: &IntegrationConfig, trigger: &str) -> bool {
    trigger_text(config).contains(trigger)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::check_payload;

    fn sf(host: &str, auto: bool) -> IntegrationConfig {
        check_payload(
            &json!({"type": "Snowflake", "autoBootstrap": auto, "config": {
            "host": host, "warehouse": "W", "database": "D", "role": "R",
            "authenticationType": "userPassword", "username": "u", "password": "p"}}),
        )
        .unwrap()
        .config
    }

    #[test]
    fn snowflake_names_and_skips() {
        let o = run(
            &IntegrationType::Snowflake,
            true,
            &sf("h", true),
            Operation::Create,
            true,
            true,
        );
        assert_eq!(o.results.status, TestStatus::Passed);
        assert_eq!(o.results.validation_tests.len(), 7);
        assert_eq!(o.results.validation_tests[5].status, TestStatus::Skipped);
        assert!(o.failure.is_none());
        let manual = run(
            &IntegrationType::Snowflake,
            false,
            &sf("h", false),
            Operation::Create,
            true,
            true,
        );
        assert_eq!(
            manual.results.validation_tests[4].status,
            TestStatus::Skipped
        );
    }

    #[test]
    fn unreachable_fails_connection_and_skips_the_rest() {
        let o = run(
            &IntegrationType::Snowflake,
            true,
            &sf("unreachable.example.com", true),
            Operation::Update,
            true,
            true,
        );
        assert_eq!(o.results.status, TestStatus::Failed);
        assert_eq!(o.results.validation_tests[0].status, TestStatus::Failed);
        assert!(o.results.validation_tests[1..]
            .iter()
            .all(|t| t.status == TestStatus::Skipped));
        assert!(o
            .failure
            .unwrap()
            .starts_with("Validation of prerequisite setup failed. Unable to update integration."));
    }

    #[test]
    fn warning_trigger_warns() {
        let o = run(
            &IntegrationType::Snowflake,
            true,
            &sf("warning.example.com", true),
            Operation::Create,
            true,
            true,
        );
        assert_eq!(o.results.status, TestStatus::Warning);
        assert!(o.failure.is_none());
    }
}
