//! Serde models of Immuta's `/integrations` REST API and of its connection
//! API (`/data/connection` and the object, settings, crawl and job calls).
//!
//! The provider's client and the emulator both speak through these types, so
//! the JSON shapes of the API are written down exactly once. The models know
//! nothing of HTTP or of Terraform.
//!
//! They are liberal in what they accept, as Immuta adds fields over time:
//! unknown fields are kept in an `extra` map (and sent back unchanged), ids
//! may be numbers or strings, ports and flags may come as strings, and
//! unknown enum strings are kept verbatim.
//!
//! # Layout
//!
//! - [`secret`]: [`Secret`], a string whose `Debug` never shows its value.
//! - [`types`]: [`IntegrationType`], [`IntegrationStatus`], [`TestStatus`], [`IntegrationId`].
//! - [`config`]: the typed `config` object of each integration type, and
//!   [`IntegrationConfig`] choosing between them by type.
//! - [`integration`]: [`Integration`] (what GET answers), [`IntegrationPayload`]
//!   (the create and update body), [`OperationResponse`], [`ValidationResults`].
//! - [`delete`]: [`DeleteCredentials`], the privileged credentials some DELETEs need.
//! - [`error`]: [`ErrorBody`], Immuta's error JSON, and [`ModelError`].
//! - [`lenient`]: `deserialize_with` functions reading a port or a flag
//!   sent as a string (`"5439"`, `"true"`).
//! - [`script`]: [`ScriptKind`], the script endpoints.
//! - [`connection`]: the connection API (`/data/connection`, `/data/object`,
//!   `/data/settings`, `/data/crawl`, `/jobs`): [`connection::ConnectionPayload`],
//!   [`connection::Connection`], objects, settings, bulk jobs.

pub mod config;
pub mod connection;
pub mod delete;
pub mod error;
pub mod integration;
pub mod lenient;
pub mod script;
pub mod secret;
pub mod types;

pub use config::*;
pub use delete::DeleteCredentials;
pub use error::{ErrorBody, ModelError};
pub use integration::{
    Integration, IntegrationPayload, OperationResponse, StatusResponse, ValidationResults,
    ValidationTest,
};
pub use script::ScriptKind;
pub use secret::{Secret, REDACTED};
pub use types::{IntegrationId, IntegrationStatus, IntegrationType, TestStatus};
