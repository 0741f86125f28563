//! [`IntegrationList`]: what `GET /integrations` answers, read element by
//! element, so that one element this version cannot read is set aside
//! ([`SkippedIntegration`]) instead of failing the whole list.

use super::decode::{decode, without_values};
use crate::error::ClientError;
use immuta_api::{Integration, IntegrationId, IntegrationStatus, IntegrationType};

/// What `GET /integrations` answered, read element by element: an element
/// whose JSON does not fit [`Integration`] (a field of a shape this version
/// does not expect, a required field missing) is set aside in `skipped`
/// instead of failing the whole list.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IntegrationList {
    /// The integrations that were read, in Immuta's order.
    pub integrations: Vec<Integration>,
    /// The elements that could not be read, in Immuta's order.
    pub skipped: Vec<SkippedIntegration>,
}

impl IntegrationList {
    /// Whether every element was read.
    pub fn is_complete(&self) -> bool {
        self.skipped.is_empty()
    }
}

/// An element of `GET /integrations` that does not fit [`Integration`]. It
/// keeps what names it (its id, type and status, when they are strings, or
/// numbers for the id) and why it was left out, never its content: a config
/// may hold secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedIntegration {
    /// Its `id`, when it has a string or number one.
    pub id: Option<IntegrationId>,
    /// Its `type`, when it has a string one.
    pub integration_type: Option<IntegrationType>,
    /// Its `status`, when it has a string one.
    pub status: Option<IntegrationStatus>,
    /// Why it could not be read.
    pub reason: SkipReason,
}

impl SkippedIntegration {
    /// Whether it may be an integration of type `ty`: its type is `ty` or
    /// could not be told.
    pub fn may_be_of_type(&self, ty: &IntegrationType) -> bool {
        self.integration_type.as_ref().is_none_or(|t| t == ty)
    }

    /// Reads what names an element that did not fit [`Integration`], and
    /// why (`error` is what the parser said).
    fn of(element: &serde_json::Value, error: &serde_json::Error) -> Self {
        use serde_json::Value as J;
        let Some(object) = element.as_object() else {
            return SkippedIntegration {
                id: None,
                integration_type: None,
                status: None,
                reason: SkipReason::NotAnObject {
                    kind: json_kind(element),
                },
            };
        };
        let text = |key: &str| object.get(key).and_then(J::as_str);
        let id = match object.get("id") {
            Some(J::String(s)) => Some(IntegrationId(s.clone())),
            Some(J::Number(n)) => Some(IntegrationId(n.to_string())),
            _ => None,
        };
        SkippedIntegration {
            id,
            integration_type: text("type").map(IntegrationType::from),
            status: text("status").map(IntegrationStatus::from),
            reason: SkipReason::DoesNotFit {
                detail: without_values(&error.to_string()),
            },
        }
    }
}

impl std::fmt::Display for SkippedIntegration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.id {
            Some(id) => write!(f, "integration {id}")?,
            None => f.write_str("an integration without an id")?,
        }
        if let Some(t) = &self.integration_type {
            write!(f, " ({t})")?;
        }
        write!(f, " could not be read: {}", self.reason)
    }
}

/// Why an element of `GET /integrations` was left out.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SkipReason {
    /// The element is not a JSON object.
    #[error("it is {kind}, not a JSON object")]
    NotAnObject {
        /// What it is instead, e.g. `an array`.
        kind: &'static str,
    },
    /// An object that does not fit the model.
    #[error("{detail}")]
    DoesNotFit {
        /// What the parser said, without the values it quoted, e.g.
        /// `config: invalid type: map, expected a string`.
        detail: String,
    },
}

/// The elements of a list answer, each as its unparsed JSON text. The
/// answer must be a JSON array.
pub(super) fn raw_elements<'a>(
    label: &str,
    body: &'a [u8],
) -> Result<Vec<&'a serde_json::value::RawValue>, ClientError> {
    decode(label, body)
}

/// Reads the list answer: a JSON array, each element read on its own, from
/// its own text (no intermediate tree of the whole answer).
pub(super) fn read_list(label: &str, body: &[u8]) -> Result<IntegrationList, ClientError> {
    let mut list = IntegrationList::default();
    for raw in raw_elements(label, body)? {
        match serde_json::from_str::<Integration>(raw.get()) {
            Ok(i) => list.integrations.push(i),
            // Rare: read it again as plain JSON, only to name it.
            Err(e) => list.skipped.push(match serde_json::from_str(raw.get()) {
                Ok(element) => SkippedIntegration::of(&element, &e),
                // Nested too deeply to read even so: nothing names it.
                Err(_) => SkippedIntegration {
                    id: None,
                    integration_type: None,
                    status: None,
                    reason: SkipReason::DoesNotFit {
                        detail: without_values(&e.to_string()),
                    },
                },
            }),
        }
    }
    Ok(list)
}

/// What a JSON value is, for [`SkipReason::NotAnObject`].
fn json_kind(value: &serde_json::Value) -> &'static str {
    use serde_json::Value as J;
    match value {
        J::Null => "null",
        J::Bool(_) => "a boolean",
        J::Number(_) => "a number",
        J::String(_) => "a string",
        J::Array(_) => "an array",
        J::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = "GET /integrations";

    #[test]
    fn a_list_element_that_does_not_fit_is_skipped_by_id_and_reason() {
        let body = serde_json::json!([
            {"id": "1", "type": "Trino", "status": "enabled"},
            // A config field of an unexpected shape.
            {"id": 2, "type": "Snowflake", "status": "enabled",
             "config": {"host": {"odd": "shape"}, "password": "pw-in-odd-element"}},
            // A required field missing.
            {"id": "3", "type": "Databricks", "config": {"token": "tok-in-odd-element"}},
            {"id": true, "type": 7, "status": "enabled", "autoBootstrap": "pw-in-a-bool"},
            ["not", "an", "object"],
            {"id": "6", "type": "Redshift", "status": "editError"}
        ]);
        let list = read_list(LIST, &serde_json::to_vec(&body).unwrap()).unwrap();
        let ids: Vec<&str> = list.integrations.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["1", "6"]);
        assert!(!list.is_complete());
        let skipped = &list.skipped;
        assert_eq!(skipped.len(), 4);
        assert_eq!(skipped[0].id, Some(IntegrationId::from("2")));
        assert_eq!(
            skipped[0].integration_type,
            Some(IntegrationType::Snowflake)
        );
        assert_eq!(skipped[0].status, Some(IntegrationStatus::Enabled));
        assert_eq!(
            skipped[0].reason,
            SkipReason::DoesNotFit {
                detail: "config: invalid type: map, expected a string".into()
            }
        );
        assert_eq!(
            skipped[0].to_string(),
            "integration 2 (Snowflake) could not be read: config: invalid type: map, \
             expected a string"
        );
        assert_eq!(skipped[1].id, Some(IntegrationId::from("3")));
        assert_eq!(skipped[1].status, None);
        assert!(
            skipped[1].to_string().contains("missing field `status`"),
            "{}",
            skipped[1]
        );
        assert_eq!(skipped[2].id, None);
        assert_eq!(skipped[2].integration_type, None);
        assert!(skipped[2]
            .to_string()
            .starts_with("an integration without an id could not be read: "));
        assert_eq!(
            skipped[3].reason,
            SkipReason::NotAnObject { kind: "an array" }
        );
        assert_eq!(
            skipped[3].to_string(),
            "an integration without an id could not be read: it is an array, not a JSON object"
        );
        // Nothing of the elements' content, in any output.
        let all = format!(
            "{list:?} {}",
            skipped
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        );
        for secret in [
            "pw-in-odd-element",
            "tok-in-odd-element",
            "pw-in-a-bool",
            "shape",
        ] {
            assert!(!all.contains(secret), "{secret:?} in {all}");
        }
    }

    #[test]
    fn a_list_that_is_not_an_array_is_still_an_error() {
        for body in [&b"{\"id\": \"1\"}"[..], b"[{\"id\": 1,", b"", b"null"] {
            let e = read_list(LIST, body).unwrap_err();
            assert!(
                matches!(&e, ClientError::Decode { what, .. } if what == LIST),
                "{e:?}"
            );
        }
        let empty = read_list(LIST, b"[]").unwrap();
        assert!(empty.integrations.is_empty() && empty.is_complete());
    }
}

/// Property-based fuzzing of answer parsing: hostile or malformed bodies
/// give `Decode` errors, never a panic. `FUZZ_CASES` sets the number of
/// cases per property (default 2000).
#[cfg(test)]
mod fuzz {
    use super::super::decode::{decode, read_script};
    use super::read_list;
    use crate::error::ClientError;
    use immuta_api::{Integration, OperationResponse};
    use proptest::prelude::*;

    fn config() -> ProptestConfig {
        ProptestConfig {
            cases: std::env::var("FUZZ_CASES")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(2000),
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    }

    /// JSON documents shaped like Immuta's answers, with wrong types mixed in.
    fn arb_json() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value as J;
        let leaf = prop_oneof![
            Just(J::Null),
            any::<bool>().prop_map(J::Bool),
            any::<i64>().prop_map(J::from),
            any::<f64>().prop_map(J::from),
            prop_oneof![
                Just("Snowflake".to_string()),
                Just("Trino".to_string()),
                Just("enabled".to_string()),
                Just("<REDACTED>".to_string()),
                ".{0,8}",
            ]
            .prop_map(J::String),
        ];
        let key = prop_oneof![
            Just("id".to_string()),
            Just("type".to_string()),
            Just("status".to_string()),
            Just("config".to_string()),
            Just("autoBootstrap".to_string()),
            Just("validationResults".to_string()),
            Just("validationTests".to_string()),
            Just("name".to_string()),
            Just("port".to_string()),
            Just("script".to_string()),
            "[a-zA-Z]{1,6}",
        ];
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(J::Array),
                proptest::collection::btree_map(key.clone(), inner, 0..6)
                    .prop_map(|m| J::Object(m.into_iter().collect())),
            ]
        })
    }

    fn is_decode(e: &ClientError) -> bool {
        matches!(e, ClientError::Decode { .. })
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn random_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
            if let Err(e) = read_list("list", &body) { prop_assert!(is_decode(&e)); }
            if let Err(e) = decode::<Integration>("get", &body) { prop_assert!(is_decode(&e)); }
            if let Err(e) = decode::<OperationResponse>("create", &body) { prop_assert!(is_decode(&e)); }
            for ct in [None, Some("application/json"), Some("text/plain; charset=utf-8")] {
                if let Err(e) = read_script("script", ct, &body) { prop_assert!(is_decode(&e)); }
            }
        }

        #[test]
        fn hostile_json_never_panics(doc in arb_json()) {
            let body = serde_json::to_vec(&doc).expect("serialize");
            match read_list("list", &body) {
                Err(e) => prop_assert!(is_decode(&e)),
                // Every element is either read or skipped.
                Ok(l) => prop_assert_eq!(
                    l.integrations.len() + l.skipped.len(),
                    doc.as_array().map_or(0, Vec::len)
                ),
            }
            if let Err(e) = decode::<Integration>("get", &body) { prop_assert!(is_decode(&e)); }
            if let Err(e) = decode::<OperationResponse>("create", &body) { prop_assert!(is_decode(&e)); }
            if let Err(e) = read_script("script", Some("application/json"), &body) { prop_assert!(is_decode(&e)); }
        }
    }

    #[test]
    fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
        let depth = 100_000;
        let body = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        // The outer array is read; its one element, nested too deeply to
        // read even as plain JSON, is skipped with the parser's reason.
        let list = read_list("list", body.as_bytes()).unwrap();
        assert!(list.integrations.is_empty());
        assert_eq!(list.skipped.len(), 1);
        assert_eq!(list.skipped[0].id, None);
        assert!(
            list.skipped[0]
                .reason
                .to_string()
                .contains("invalid type: sequence"),
            "{}",
            list.skipped[0].reason
        );
        let body = format!("{}{}", "{\"a\":".repeat(depth), "}".repeat(depth));
        assert!(is_decode(&read_list("list", body.as_bytes()).unwrap_err()));
        let obj = format!("{}1{}", "{\"config\":".repeat(depth), "}".repeat(depth));
        assert!(decode::<Integration>("get", obj.as_bytes()).is_err());
    }
}
