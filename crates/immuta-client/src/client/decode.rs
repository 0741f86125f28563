//! Reading answers and writing request bodies without quoting a value: a
//! parser's message loses the values it quotes, since an answer's field of
//! an unexpected type, or a body, may hold a secret. Also the script
//! answer, in each form the client accepts.

use super::transport::JSON;
use crate::error::ClientError;
use serde::{Deserialize, Serialize};

/// Serializes a request body. Only the kind of failure is kept: the
/// serializer's message could quote a value, and bodies hold secrets.
pub(super) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, ClientError> {
    serde_json::to_vec(value).map_err(|e| ClientError::Decode {
        what: "the request body".into(),
        detail: format!("it cannot be written as JSON ({:?} error)", e.classify()),
    })
}

/// Reads a JSON answer (`T` may borrow from `body`). The parser's message
/// loses the values it quotes ([`without_values`]): an answer's field of an
/// unexpected type may hold a secret.
pub(super) fn decode<'a, T: Deserialize<'a>>(
    label: &str,
    body: &'a [u8],
) -> Result<T, ClientError> {
    serde_json::from_slice(body).map_err(|e| ClientError::Decode {
        what: label.to_string(),
        detail: without_values(&e.to_string()),
    })
}

/// A parser's message without the input values it quotes, so that no part
/// of a secret reaches an error or a warning: `invalid type: string
/// "hunter2", expected a boolean` becomes `invalid type: string, expected a
/// boolean`. Field names (``missing field `status` ``) are kept.
pub(super) fn without_values(message: &str) -> String {
    /// serde's words before a value it quotes in backticks.
    const TICKED: [&str; 5] = [
        "integer `",
        "floating point `",
        "boolean `",
        "character `",
        "variant `",
    ];
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    'scan: while let Some(c) = rest.chars().next() {
        // A string value, in Rust's `Debug` quoting.
        if let Some(after) = rest.strip_prefix("string \"") {
            out.push_str("string");
            let mut end = after.len();
            let mut chars = after.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    _ => {}
                }
            }
            rest = &after[end..];
            continue;
        }
        for word in TICKED {
            if let Some(after) = rest.strip_prefix(word) {
                out.push_str(word.trim_end_matches(" `"));
                let end = after.find('`').map_or(after.len(), |i| i + 1);
                rest = &after[end..];
                continue 'scan;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Reads a script answer: `text/plain`, a JSON string, or `{"script": ...}`.
pub(super) fn read_script(
    label: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<String, ClientError> {
    let decode_err = |detail: String| ClientError::Decode {
        what: label.to_string(),
        detail,
    };
    let mime = content_type
        .and_then(|c| c.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase());
    let is_json = match mime.as_deref() {
        Some(m) => m == JSON || m.ends_with("+json"),
        // No content type: JSON if it reads as JSON, text otherwise.
        None => serde_json::from_slice::<serde_json::Value>(body).is_ok(),
    };
    if !is_json {
        return String::from_utf8(body.to_vec())
            .map_err(|_| decode_err("the script is not valid UTF-8 text".into()));
    }
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| decode_err(without_values(&e.to_string())))?;
    match value {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Object(mut map) => match map.remove("script") {
            Some(serde_json::Value::String(s)) => Ok(s),
            Some(_) => Err(decode_err("the `script` field is not a string".into())),
            None => Err(decode_err("the JSON answer has no `script` field".into())),
        },
        _ => Err(decode_err(
            "expected the script as text, a JSON string or an object with `script`".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use immuta_api::{Integration, OperationResponse};

    #[test]
    fn script_answers_in_every_accepted_form() {
        let l = "POST /integrations/scripts/create";
        assert_eq!(
            read_script(l, Some("text/plain; charset=utf-8"), b"GRANT x;").unwrap(),
            "GRANT x;"
        );
        assert_eq!(
            read_script(l, Some("application/json"), br#""GRANT y;""#).unwrap(),
            "GRANT y;"
        );
        assert_eq!(
            read_script(
                l,
                Some("application/json; charset=utf-8"),
                br#"{"script":"GRANT z;","other":1}"#
            )
            .unwrap(),
            "GRANT z;"
        );
        assert_eq!(read_script(l, None, br#"{"script":"A"}"#).unwrap(), "A");
        assert_eq!(
            read_script(l, None, b"CREATE ROLE r;").unwrap(),
            "CREATE ROLE r;"
        );
        for (ct, body) in [
            (Some("application/json"), &br#"{"nope":1}"#[..]),
            (Some("application/json"), &b"[1]"[..]),
            (Some("application/json"), &b"{not json"[..]),
            (Some("text/plain"), &b"\xff\xfe"[..]),
        ] {
            let e = read_script(l, ct, body).unwrap_err();
            assert!(matches!(e, ClientError::Decode { .. }), "{e:?}");
        }
    }

    #[test]
    fn parser_messages_lose_the_values_they_quote() {
        for (input, expected) in [
            (
                r#"invalid type: string "hunter\"2, x", expected a boolean"#,
                "invalid type: string, expected a boolean",
            ),
            (
                "invalid type: integer `1234`, expected a string",
                "invalid type: integer, expected a string",
            ),
            (
                "config: invalid value: floating point `1.5`, expected u16",
                "config: invalid value: floating point, expected u16",
            ),
            (
                "invalid type: boolean `true`, expected a string",
                "invalid type: boolean, expected a string",
            ),
            (
                "unknown variant `s3cr3t`, expected `a` or `b`",
                "unknown variant, expected `a` or `b`",
            ),
            ("missing field `status`", "missing field `status`"),
            // Cut off mid-value: the rest is dropped.
            (
                r#"invalid type: string "unterminated"#,
                "invalid type: string",
            ),
            (
                "invalid type: map, expected a string",
                "invalid type: map, expected a string",
            ),
        ] {
            assert_eq!(without_values(input), expected, "{input}");
        }
        // What serde_json itself says, end to end.
        let e = serde_json::from_value::<bool>(serde_json::json!("pw-é\"\\x")).unwrap_err();
        assert_eq!(
            without_values(&e.to_string()),
            "invalid type: string, expected a boolean"
        );
    }

    #[test]
    fn a_decode_error_does_not_quote_the_answer() {
        let body = br#"{"id": "1", "type": "Snowflake", "status": "enabled",
                        "autoBootstrap": "pw-in-a-bool-9f2", "config": {"port": "tok-7c1"}}"#;
        let e = decode::<Integration>("GET /integrations/1", body).unwrap_err();
        let text = format!("{e} {e:?}");
        assert!(!text.contains("pw-in-a-bool-9f2"), "{text}");
        assert!(
            text.contains("invalid type: string, expected a boolean"),
            "{text}"
        );
        let e = decode::<OperationResponse>("PUT", br#"{"status": 12345678}"#).unwrap_err();
        assert!(!e.to_string().contains("12345678"), "{e}");
    }
}

/// Property-based fuzzing of answer parsing: hostile or malformed bodies
/// give `Decode` errors, never a panic. `FUZZ_CASES` sets the number of
/// cases per property (default 2000).
#[cfg(test)]
mod fuzz {
    use super::super::list::read_list;
    use super::{decode, read_script};
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
