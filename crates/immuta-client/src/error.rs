//! [`ClientError`], the one error of this crate.
//!
//! No variant ever holds the API key or a request body (bodies carry
//! passwords and tokens). An [`ClientError::Api`] keeps what Immuta answered,
//! cut to [`RAW_LIMIT`] bytes.

use immuta_api::ErrorBody;
use std::time::Duration;

/// How much of an error answer's text is kept.
pub const RAW_LIMIT: usize = 2048;

/// What kind of transport failure happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportKind {
    /// No connection could be made (refused, DNS, TLS handshake...).
    Connect,
    /// The request or its answer took longer than the time limit.
    Timeout,
    /// Anything else: the connection broke mid-way, a bad redirect...
    Other,
}

/// Everything that can go wrong talking to Immuta.
#[derive(Clone, Debug, thiserror::Error)]
pub enum ClientError {
    /// Immuta answered with an error status.
    #[error("{}", api_message(*.status, .body.as_ref(), .raw))]
    Api {
        /// The HTTP status code.
        status: u16,
        /// Immuta's error JSON, when the answer was one.
        body: Option<ErrorBody>,
        /// The answer's text, cut to [`RAW_LIMIT`] bytes.
        raw: String,
    },
    /// Immuta could not be reached, or the exchange broke off.
    #[error("could not talk to Immuta ({request}): {detail}")]
    Transport {
        /// Connect, timeout or other.
        kind: TransportKind,
        /// Method and path, e.g. `GET /integrations/5`.
        request: String,
        /// What the HTTP stack said.
        detail: String,
    },
    /// An answer could not be understood.
    #[error("could not read Immuta's answer to {what}: {detail}")]
    Decode {
        /// Method and path of the request, or what was being read.
        what: String,
        /// What did not fit.
        detail: String,
    },
    /// An answer was larger than the client accepts.
    #[error("Immuta's answer to {what} is larger than the {limit}-byte limit")]
    ResponseTooLarge {
        /// Method and path of the request.
        what: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// The client's configuration is unusable.
    #[error("invalid Immuta client configuration: {0}")]
    Config(String),
    /// A create ended without a clear answer and what Immuta holds now does
    /// not tell whether it was made.
    #[error(
        "the {integration_type} integration may have been created in Immuta, but this could not \
         be confirmed ({detail}){}; look for it in Immuta and import it rather than creating it again",
        candidates_text(.candidates)
    )]
    CreateUncertain {
        /// The integration type asked for.
        integration_type: String,
        /// What went wrong.
        detail: String,
        /// Ids of the integrations that may be the one made.
        candidates: Vec<String>,
    },
    /// The request was cancelled before it completed.
    #[error("the request to Immuta was cancelled")]
    Cancelled,
    /// An integration id that is not one Immuta issues, refused before it
    /// is put in a URL (see [`crate::check_id`]).
    #[error(
        "{id:?} is not an Immuta integration id: expected digits, e.g. `5`, or a string of \
         letters, digits, `-` and `_` of at most {MAX_ID_LEN} characters that starts with a \
         letter or digit"
    )]
    InvalidId {
        /// The id given (its first [`MAX_ID_LEN`] characters and `…` when longer).
        id: String,
    },
}

/// The longest integration id accepted.
pub const MAX_ID_LEN: usize = 64;

fn candidates_text(ids: &[String]) -> String {
    if ids.is_empty() {
        String::new()
    } else {
        format!("; candidates: {}", ids.join(", "))
    }
}

fn api_message(status: u16, body: Option<&ErrorBody>, raw: &str) -> String {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let mut out = format!("Immuta answered {status}");
    if !reason.is_empty() {
        out.push(' ');
        out.push_str(reason);
    }
    let said = match body {
        Some(b) if !b.message.trim().is_empty() => b.message.trim(),
        Some(b) if !b.error.trim().is_empty() => b.error.trim(),
        _ => raw.trim(),
    };
    if !said.is_empty() {
        out.push_str(": ");
        out.push_str(said);
    }
    out
}

impl ClientError {
    /// Whether Immuta said the thing asked for does not exist (404).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// The HTTP status of an [`ClientError::Api`] error.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Immuta's `message`, when it sent one.
    pub fn api_message(&self) -> Option<&str> {
        match self {
            ClientError::Api { body: Some(b), .. } if !b.message.is_empty() => Some(&b.message),
            _ => None,
        }
    }

    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            ClientError::Transport {
                kind: TransportKind::Timeout,
                ..
            }
        )
    }

    /// Whether no connection could be made.
    pub fn is_connect(&self) -> bool {
        matches!(
            self,
            ClientError::Transport {
                kind: TransportKind::Connect,
                ..
            }
        )
    }

    /// Whether the request was cancelled.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, ClientError::Cancelled)
    }

    /// Whether trying again later may succeed: transport failures, `429`,
    /// and every `5xx` but `501`. (Whether a retry is *safe* is the caller's
    /// business: see [`crate::RetryPolicy`].)
    pub fn is_transient(&self) -> bool {
        match self {
            ClientError::Transport { .. } => true,
            ClientError::Api { status, .. } => is_retryable_status(*status),
            _ => false,
        }
    }

    /// Builds an [`ClientError::Api`] from a status and the answer's bytes.
    pub(crate) fn from_answer(status: u16, bytes: &[u8]) -> Self {
        let body = serde_json::from_slice::<ErrorBody>(bytes)
            .ok()
            .filter(|b| !b.message.is_empty() || !b.error.is_empty())
            .or_else(|| loose_error_body(status, bytes));
        ClientError::Api {
            status,
            body,
            raw: truncate_text(bytes, RAW_LIMIT),
        }
    }

    /// Classifies a reqwest failure. The URL is dropped: only the method and
    /// path given in `request` are shown.
    pub(crate) fn from_reqwest(request: &str, err: &reqwest::Error, limit: Duration) -> Self {
        let kind = if err.is_timeout() {
            TransportKind::Timeout
        } else if err.is_connect() {
            TransportKind::Connect
        } else {
            TransportKind::Other
        };
        let detail = match kind {
            TransportKind::Timeout => format!("no complete answer within {limit:?}"),
            _ => error_chain(err),
        };
        ClientError::Transport {
            kind,
            request: request.to_string(),
            detail,
        }
    }
}

/// Reads `message` and `error` from a JSON object that is not quite
/// Immuta's error shape (e.g. `statusCode` sent as a string).
fn loose_error_body(status: u16, bytes: &[u8]) -> Option<ErrorBody> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let obj = value.as_object()?;
    let text = |key: &str| {
        obj.get(key)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let (error, message) = (text("error"), text("message"));
    if error.is_empty() && message.is_empty() {
        return None;
    }
    Some(ErrorBody {
        status_code: status,
        error,
        message,
    })
}

/// Whether an HTTP status is worth retrying: `429` and `5xx` but `501`.
pub fn is_retryable_status(status: u16) -> bool {
    status == 429 || (500..600).contains(&status) && status != 501
}

/// The error and its sources, joined with `: `, without URLs.
pub(crate) fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        let text = match e.downcast_ref::<reqwest::Error>() {
            // reqwest's Display names the URL; the sources say more.
            Some(r) if r.is_connect() => "connection failed".to_string(),
            Some(r) if r.is_body() => "the answer's body broke off".to_string(),
            Some(r) if r.is_request() => "the request failed".to_string(),
            _ => e.to_string(),
        };
        if parts.last() != Some(&text) && !text.is_empty() {
            parts.push(text);
        }
        current = e.source();
    }
    if parts.is_empty() {
        "unknown transport error".into()
    } else {
        parts.join(": ")
    }
}

/// The bytes as text (invalid UTF-8 replaced), cut at a character boundary
/// to at most `limit` bytes, with `…` when cut.
pub(crate) fn truncate_text(bytes: &[u8], limit: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    if text.len() <= limit {
        return text.into_owned();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_display_says_what_immuta_said() {
        let e = ClientError::from_answer(
            409,
            br#"{"statusCode":409,"error":"Conflict","message":"Snowflake integration already exists on h (id = 1)."}"#,
        );
        assert_eq!(
            e.to_string(),
            "Immuta answered 409 Conflict: Snowflake integration already exists on h (id = 1)."
        );
        assert_eq!(e.status(), Some(409));
        assert!(!e.is_not_found());
        assert!(!e.is_transient());
    }

    #[test]
    fn api_display_falls_back_to_raw_text() {
        let e = ClientError::from_answer(502, b"<html>bad gateway</html>");
        assert_eq!(
            e.to_string(),
            "Immuta answered 502 Bad Gateway: <html>bad gateway</html>"
        );
        assert!(e.is_transient());
        let e = ClientError::from_answer(404, b"");
        assert_eq!(e.to_string(), "Immuta answered 404 Not Found");
        assert!(e.is_not_found());
    }

    #[test]
    fn a_loosely_shaped_error_json_still_gives_its_message() {
        let e = ClientError::from_answer(
            422,
            br#"{"statusCode":"422","message":"Processing Error: no metastore."}"#,
        );
        assert_eq!(
            e.to_string(),
            "Immuta answered 422 Unprocessable Entity: Processing Error: no metastore."
        );
        assert_eq!(e.api_message(), Some("Processing Error: no metastore."));
        let e = ClientError::from_answer(500, br#"{"unrelated": true}"#);
        assert!(matches!(e, ClientError::Api { body: None, .. }));
    }

    #[test]
    fn raw_text_is_cut_at_a_char_boundary() {
        let long = "é".repeat(RAW_LIMIT);
        let cut = truncate_text(long.as_bytes(), RAW_LIMIT);
        assert!(cut.len() <= RAW_LIMIT + '…'.len_utf8());
        assert!(cut.ends_with('…'));
        assert_eq!(truncate_text(b"short", 10), "short");
    }

    #[test]
    fn retryable_statuses() {
        for s in [429, 500, 502, 503, 504] {
            assert!(is_retryable_status(s), "{s}");
        }
        for s in [400, 401, 403, 404, 409, 422, 501] {
            assert!(!is_retryable_status(s), "{s}");
        }
    }
}
