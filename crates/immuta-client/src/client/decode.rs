//! Reading answers and writing request bodies without quoting a value: a
//! parser's message loses the values it quotes, since an answer's field of
//! an unexpected type, or a body, may hold a secret. Also the script
//! answer, in each form the client accepts.

use crate::error::ClientError;
use serde::{Deserialize, Serialize};

/// The JSON media type, sent and accepted.
pub(super) const JSON: &str = "application/json";

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
