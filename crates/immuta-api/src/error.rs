//! Immuta's error JSON and this crate's own error.

use serde::{Deserialize, Serialize};
use std::fmt;

/// `{"statusCode": 422, "error": "Unprocessable entity", "message": "..."}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// The HTTP status code.
    #[serde(default)]
    pub status_code: u16,
    /// The status's reason phrase.
    #[serde(default)]
    pub error: String,
    /// What went wrong.
    #[serde(default)]
    pub message: String,
}

impl ErrorBody {
    /// An error body for a status code, with the standard reason phrase.
    pub fn new(status_code: u16, message: impl Into<String>) -> Self {
        ErrorBody {
            status_code,
            error: reason_phrase(status_code).to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            write!(f, "{} {}", self.status_code, self.error)
        } else {
            write!(f, "{}", self.message)
        }
    }
}

/// The reason phrase Immuta puts in `error` for a status code.
pub fn reason_phrase(status_code: u16) -> &'static str {
    match status_code {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

/// Errors of reading or writing the models.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// JSON that does not fit the model.
    #[error("invalid {what}: {source}")]
    Json {
        /// What was being read.
        what: &'static str,
        /// The parser's complaint.
        #[source]
        source: serde_json::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_immutas_error_json() {
        let e: ErrorBody = serde_json::from_str(
            r#"{"statusCode": 404, "error": "Not Found", "message": "No Integration found with ID 5."}"#,
        )
        .unwrap();
        assert_eq!(e.status_code, 404);
        assert_eq!(e.to_string(), "No Integration found with ID 5.");
        assert_eq!(ErrorBody::new(422, "x").error, "Unprocessable entity");
    }
}
