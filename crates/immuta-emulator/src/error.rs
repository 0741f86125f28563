//! Errors: [`EmulatorError`] for starting and stopping the emulator, and
//! [`ApiError`], an HTTP answer in Immuta's error JSON.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use immuta_api::ErrorBody;
use std::path::PathBuf;

/// What can go wrong starting, running or stopping an emulator.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The state file could not be read or parsed.
    #[error("cannot load state file {path}: {reason}")]
    LoadState {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The state file could not be written.
    #[error("cannot write state file {path}: {source}")]
    SaveState {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A fault configuration is out of range.
    #[error("invalid fault configuration: {0}")]
    InvalidFaults(String),
    /// The server task ended abnormally.
    #[error("server task failed: {0}")]
    Server(String),
    /// An API key the emulator would accept from anyone: empty or blank.
    #[error("invalid API key: {0}")]
    InvalidApiKey(&'static str),
}

/// An error answer: a status code and Immuta's `{statusCode, error, message}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status}: {message}")]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// The message (never holds a secret).
    pub message: String,
}

impl ApiError {
    /// An error with any status.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }
    /// 400.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    /// 404 for a missing integration, in Immuta's words.
    pub fn no_integration(id: u64) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            format!("No Integration found with ID {id}."),
        )
    }
    /// 409.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }
    /// 422.
    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }
    /// 500.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// The JSON body.
    pub fn body(&self) -> ErrorBody {
        ErrorBody::new(self.status.as_u16(), self.message.clone())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.status, &self.body())
    }
}

/// A JSON answer with the given status.
pub fn json_response<T: serde::Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => {
            let mut resp = (status, bytes).into_response();
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            resp
        }
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "serialization failed").into_response(),
    }
}
