//! [`ClientError`], the one error of this crate.
//!
//! No variant ever holds the API key or a request body (bodies carry
//! passwords and tokens). An [`ClientError::Api`] keeps what Immuta answered,
//! cut to [`RAW_LIMIT`] bytes.

use immuta_api::ErrorBody;
use std::time::Duration;

/// How much of an error answer's text is kept.
pub const RAW_LIMIT: usize = 2048;

/// How many characters of a non-JSON answer's first line are kept.
pub const FIRST_LINE_LIMIT: usize = 120;

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

/// Why no connection could be made, when the HTTP stack tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectCause {
    /// Nothing listens at the host and port (connection refused).
    Refused,
    /// The host name could not be resolved (DNS).
    UnknownHost,
    /// A TLS client met a server that does not speak TLS: `https://`
    /// against a plain-HTTP port (rustls' "received corrupt message of type
    /// InvalidContentType").
    NotTls,
    /// The server's TLS certificate is not trusted (unknown issuer, wrong
    /// name, expired).
    UntrustedCertificate,
    /// Something else, or not a connection failure.
    Unknown,
}

/// What kind of problem an error is, so that a caller can say what to fix.
/// See [`ClientError::class`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// `401`: Immuta does not accept the API key.
    KeyRejected,
    /// `403`: the key is accepted, but its user lacks a permission
    /// (managing integrations needs `APPLICATION_ADMIN`).
    PermissionDenied,
    /// Nothing listens at the host and port.
    ConnectionRefused,
    /// The host name could not be resolved.
    UnknownHost,
    /// `https://` against a server that speaks plain HTTP.
    NotTls,
    /// The server's TLS certificate is not trusted.
    UntrustedCertificate,
    /// The extra CA certificates of the configuration cannot be used
    /// (`ClientConfig::extra_ca_pem`).
    InvalidCaCertificate,
    /// No complete answer within the request timeout.
    Timeout,
    /// The answer is not JSON (e.g. an HTML page): what answered is not
    /// Immuta's API, or something stands in the way.
    NotJson,
    /// Immuta refused the request's content (`400`, `409`, `422`).
    PayloadRefused,
    /// Anything else (other statuses, broken connections, cancellation...).
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
        /// Why the connection failed, for [`TransportKind::Connect`].
        cause: ConnectCause,
        /// Method and path, e.g. `GET /integrations/5`.
        request: String,
        /// What the HTTP stack said.
        detail: String,
    },
    /// The answer is not JSON at all (an HTML page, plain text): summarised
    /// by its status, content type and first line, never given whole.
    #[error(
        "the answer to {request} is not JSON: {status}{}, content type {}, first line {first_line:?}",
        status_reason(*.status),
        .content_type.as_deref().unwrap_or("(none)")
    )]
    NotJson {
        /// Method, path and origin, e.g. `GET /integrations at https://h:443`.
        request: String,
        /// The HTTP status code.
        status: u16,
        /// The `Content-Type` header, when there was one.
        content_type: Option<String>,
        /// The answer's first non-blank line, cut to [`FIRST_LINE_LIMIT`]
        /// characters.
        first_line: String,
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
    /// The configuration's extra CA certificates are unusable (not PEM,
    /// none in it, or refused by the TLS stack).
    #[error("invalid Immuta client configuration: {0}")]
    InvalidCaCertificate(String),
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

/// ` Not Found` for 404: the status's reason, with a leading space.
fn status_reason(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(|r| format!(" {r}"))
        .unwrap_or_default()
}

fn api_message(status: u16, body: Option<&ErrorBody>, raw: &str) -> String {
    let mut out = format!("Immuta answered {status}{}", status_reason(status));
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
    /// Whether Immuta said the thing asked for does not exist (404). A 404
    /// page that is not JSON is not Immuta's answer (a wrong `host`, a
    /// proxy), so it is not taken to mean the integration is gone.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ClientError::Api { status: 404, .. })
    }

    /// The HTTP status of an error answer ([`ClientError::Api`] or
    /// [`ClientError::NotJson`]).
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api { status, .. } | ClientError::NotJson { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The status of an error answer with its reason, e.g. `401 Unauthorized`.
    pub fn status_line(&self) -> Option<String> {
        self.status().map(|s| format!("{s}{}", status_reason(s)))
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
            ClientError::Api { status, .. } | ClientError::NotJson { status, .. } => {
                is_retryable_status(*status)
            }
            _ => false,
        }
    }

    /// What kind of problem this is, so that the user can be told what to
    /// fix: the API key, its permissions, the host, or the request itself.
    pub fn class(&self) -> ErrorClass {
        match self {
            ClientError::Api { status: 401, .. } | ClientError::NotJson { status: 401, .. } => {
                ErrorClass::KeyRejected
            }
            ClientError::Api { status: 403, .. } | ClientError::NotJson { status: 403, .. } => {
                ErrorClass::PermissionDenied
            }
            ClientError::Api {
                status: 400 | 409 | 422,
                ..
            } => ErrorClass::PayloadRefused,
            ClientError::NotJson { .. } => ErrorClass::NotJson,
            ClientError::Transport {
                kind: TransportKind::Timeout,
                ..
            } => ErrorClass::Timeout,
            ClientError::InvalidCaCertificate(_) => ErrorClass::InvalidCaCertificate,
            ClientError::Transport { cause, .. } => match cause {
                ConnectCause::Refused => ErrorClass::ConnectionRefused,
                ConnectCause::UnknownHost => ErrorClass::UnknownHost,
                ConnectCause::NotTls => ErrorClass::NotTls,
                ConnectCause::UntrustedCertificate => ErrorClass::UntrustedCertificate,
                ConnectCause::Unknown => ErrorClass::Other,
            },
            _ => ErrorClass::Other,
        }
    }

    /// Builds the error of a non-2xx answer: [`ClientError::NotJson`] when
    /// its body is text that is not JSON, else [`ClientError::Api`].
    /// `request` names the request and its origin.
    pub(crate) fn from_error_answer(
        request: &str,
        status: u16,
        content_type: Option<&str>,
        bytes: &[u8],
    ) -> Self {
        not_json(request, status, content_type, bytes)
            .unwrap_or_else(|| Self::from_answer(status, bytes))
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
        let cause = match kind {
            TransportKind::Connect => connect_cause(err),
            _ => ConnectCause::Unknown,
        };
        ClientError::Transport {
            kind,
            cause,
            request: request.to_string(),
            detail,
        }
    }
}

/// A [`ClientError::NotJson`] for an answer whose body is not empty, not
/// JSON and not said to be JSON (by its content type or, without one, by
/// not starting with `<`), else `None`.
pub(crate) fn not_json(
    request: &str,
    status: u16,
    content_type: Option<&str>,
    bytes: &[u8],
) -> Option<ClientError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace())?;
    let mime = content_type
        .and_then(|c| c.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase());
    // What says it is JSON, or may be, is JSON (broken, maybe: a decode
    // error then says where); text of another type, or that starts like
    // markup, is not.
    let says_json = match mime.as_deref() {
        Some(m) => m == "application/json" || m.ends_with("+json"),
        None => *first != b'<',
    };
    if says_json || serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() {
        return None;
    }
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(RAW_LIMIT)]);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty());
    let line: String = line
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    let first_line = match line.char_indices().nth(FIRST_LINE_LIMIT) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    };
    Some(ClientError::NotJson {
        request: request.to_string(),
        status,
        content_type: content_type.map(str::to_string),
        first_line,
    })
}

/// Why a connection failed, read from the error and its sources: an I/O
/// error's kind, a rustls error (wrapped in an I/O error by the TLS
/// stack), or the resolver's "dns error".
fn connect_cause(err: &(dyn std::error::Error + 'static)) -> ConnectCause {
    fn of_tls(e: &(dyn std::error::Error + 'static)) -> Option<ConnectCause> {
        match e.downcast_ref::<rustls::Error>()? {
            rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType) => {
                Some(ConnectCause::NotTls)
            }
            rustls::Error::InvalidCertificate(_) => Some(ConnectCause::UntrustedCertificate),
            _ => None,
        }
    }
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(cause) = of_tls(e) {
            return cause;
        }
        // I/O errors may wrap I/O errors: an I/O error's `source` skips
        // what it wraps, so each wrapped error is looked at here.
        let mut io = e.downcast_ref::<std::io::Error>();
        while let Some(i) = io {
            if i.kind() == std::io::ErrorKind::ConnectionRefused {
                return ConnectCause::Refused;
            }
            let inner = i.get_ref().map(|b| b as &(dyn std::error::Error + 'static));
            if let Some(cause) = inner.and_then(of_tls) {
                return cause;
            }
            io = inner.and_then(|b| b.downcast_ref::<std::io::Error>());
        }
        // hyper-util's resolver error has no public type; its text is stable.
        if e.to_string().starts_with("dns error") {
            return ConnectCause::UnknownHost;
        }
        current = e.source();
    }
    ConnectCause::Unknown
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
    fn only_text_that_is_not_said_to_be_json_is_not_json() {
        let r = "GET /integrations at http://h:1";
        let html = b"\r\n\t<html>\n<body>x</body>";
        let e = not_json(r, 200, Some("text/html"), html).unwrap();
        assert_eq!(e.class(), ErrorClass::NotJson);
        assert_eq!(
            e.to_string(),
            "the answer to GET /integrations at http://h:1 is not JSON: 200 OK, content type \
             text/html, first line \"<html>\""
        );
        // Markup without a content type is not JSON either.
        assert!(not_json(r, 200, None, html).is_some());
        // Said to be JSON, or valid JSON, or empty: not this error.
        assert!(not_json(r, 200, Some("application/json; charset=utf-8"), html).is_none());
        assert!(not_json(r, 200, Some("application/problem+json"), html).is_none());
        assert!(not_json(r, 200, Some("text/plain"), b"[1]").is_none());
        assert!(not_json(r, 200, None, b"{\"id\": ").is_none());
        assert!(not_json(r, 200, Some("text/html"), b" \n ").is_none());
        let e = not_json(r, 503, None, b"<p>down</p>").unwrap();
        assert!(e.is_transient() && !e.is_not_found());
    }

    #[test]
    fn statuses_have_classes() {
        for (status, class) in [
            (401, ErrorClass::KeyRejected),
            (403, ErrorClass::PermissionDenied),
            (400, ErrorClass::PayloadRefused),
            (409, ErrorClass::PayloadRefused),
            (422, ErrorClass::PayloadRefused),
            (404, ErrorClass::Other),
            (500, ErrorClass::Other),
        ] {
            assert_eq!(
                ClientError::from_answer(status, b"").class(),
                class,
                "{status}"
            );
        }
        let html = |s| not_json("r", s, Some("text/html"), b"<h1>no</h1>").unwrap();
        assert_eq!(html(401).class(), ErrorClass::KeyRejected);
        assert_eq!(html(403).class(), ErrorClass::PermissionDenied);
        assert_eq!(html(404).class(), ErrorClass::NotJson);
        assert_eq!(ClientError::Cancelled.class(), ErrorClass::Other);
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
