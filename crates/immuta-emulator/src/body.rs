//! Reading request bodies: the size limit (413 beyond it), the nesting
//! limit, and JSON or YAML parsing off the async workers.

use crate::error::ApiError;
use crate::shared::Shared;
use axum::body::Body;
use axum::http::{header, HeaderMap, StatusCode};
use serde_json::Value;

/// Reads a body up to the limit (413 beyond it).
pub(crate) async fn read_body(
    sh: &Shared,
    headers: &HeaderMap,
    body: Body,
) -> Result<Vec<u8>, ApiError> {
    let too_big = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("The request body is larger than {} bytes", sh.body_limit),
        )
    };
    if let Some(len) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
    {
        if len > sh.body_limit {
            return Err(too_big());
        }
    }
    axum::body::to_bytes(body, sh.body_limit)
        .await
        .map(|b| b.to_vec())
        .map_err(|_| too_big())
}

fn is_yaml(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.to_ascii_lowercase())
        .is_some_and(|v| v.contains("yaml"))
}

/// The deepest `[`/`{` nesting accepted in a body. Immuta's payloads nest
/// a few levels; YAML's parser takes quadratic time on deep flow nesting.
const MAX_BODY_NESTING: usize = 32;

/// Refuses a body whose `[`/`{` (outside quoted strings) nest deeper than
/// [`MAX_BODY_NESTING`], before any parser sees it.
fn check_nesting(text: &str) -> Result<(), ApiError> {
    let (mut depth, mut quote, mut escaped) = (0usize, None, false);
    for c in text.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_BODY_NESTING {
                        return Err(ApiError::bad_request(format!(
                            "The request body is nested more than {MAX_BODY_NESTING} levels deep"
                        )));
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
    }
    Ok(())
}

/// [`parse_body`] on a blocking thread, so a slow parse stalls no other
/// request; called before the state is locked.
pub(crate) async fn parse_off_workers(
    headers: &HeaderMap,
    bytes: Vec<u8>,
) -> Result<Option<Value>, ApiError> {
    let headers = headers.clone();
    tokio::task::spawn_blocking(move || parse_body(&headers, &bytes))
        .await
        .map_err(|_| ApiError::internal("The request body could not be parsed"))?
}

/// Parses a JSON or YAML body. `None` when it is empty.
fn parse_body(headers: &HeaderMap, bytes: &[u8]) -> Result<Option<Value>, ApiError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ApiError::bad_request("The request body is not valid UTF-8"))?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    check_nesting(text)?;
    let yaml = |t: &str| {
        serde_yaml_ng::from_str::<Value>(t)
            .map_err(|e| ApiError::bad_request(format!("Invalid YAML payload: {e}")))
    };
    if is_yaml(headers) {
        return yaml(text).map(Some);
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v) => Ok(Some(v)),
        Err(e) => {
            let first = text.trim_start().chars().next();
            if matches!(first, Some('{' | '[' | '"')) {
                Err(ApiError::bad_request(format!("Invalid JSON payload: {e}")))
            } else {
                // Not JSON-looking: YAML without a YAML content type.
                yaml(text).map(Some).map_err(|y| {
                    ApiError::bad_request(format!(
                        "Invalid payload: neither JSON ({e}) nor YAML ({})",
                        y.message.trim_start_matches("Invalid YAML payload: ")
                    ))
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn nesting_is_counted_outside_quoted_strings() {
        let deep = "[".repeat(MAX_BODY_NESTING + 1);
        assert!(check_nesting(&deep).is_err());
        assert!(check_nesting(&"[".repeat(MAX_BODY_NESTING)).is_ok());
        // Brackets inside strings do not nest.
        assert!(check_nesting(&format!("a: \"{deep}\"")).is_ok());
        assert!(check_nesting(&format!("a: '{deep}'")).is_ok());
        assert!(check_nesting(&format!("{{\"a\": \"\\\"{deep}\"}}")).is_ok());
        // Closed levels do not add up.
        assert!(check_nesting(&"[]".repeat(1000)).is_ok());
    }

    #[test]
    fn bodies_json_yaml_and_errors() {
        let h = HeaderMap::new();
        assert_eq!(parse_body(&h, b"{\"a\":1}").unwrap().unwrap()["a"], 1);
        assert_eq!(parse_body(&h, b"a: 1\n").unwrap().unwrap()["a"], 1);
        assert!(parse_body(&h, b"  ").unwrap().is_none());
        let e = parse_body(&h, b"{\"a\":").unwrap_err();
        assert!(
            e.message.starts_with("Invalid JSON payload"),
            "{}",
            e.message
        );
        let mut y = HeaderMap::new();
        y.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/yaml"),
        );
        assert!(parse_body(&y, b"a: [1,\n")
            .unwrap_err()
            .message
            .starts_with("Invalid YAML"));
    }
}
