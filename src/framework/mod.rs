//! Framework between Terraform's plugin protocol (tfplugin6) and provider
//! resources: types, values with null/unknown, MessagePack and JSON value
//! encodings, schemas, diagnostics with attribute paths, the traits a
//! provider implements, and the gRPC service glue.
//!
//! # Layout
//! - [`types`]: [`Type`] and its JSON type-constraint encoding.
//! - [`number`]: [`Number`], arbitrary precision decimal text.
//! - [`value`]: [`Value`], with accessors for resource code.
//! - [`model`]: typed models: Rust structs to and from [`Value`]s with
//!   serde, [`Field`] (null, unknown or known), the schema/model check.
//! - [`msgpack`]: `DynamicValue.msgpack` decoding and encoding.
//! - [`json`]: `DynamicValue.json` and state JSON decoding and encoding.
//! - [`path`]: attribute paths ([`AttributePath`]).
//! - [`diag`]: [`Diagnostic`] and [`Diagnostics`].
//! - [`schema`]: [`Schema`], [`Block`], [`Attribute`] and the builder API.
//! - [`plan`]: plan helpers and Terraform consistency rules.
//! - [`context`]: the per-call [`Context`], with the provider's configured
//!   data ([`Context::configured`]).
//! - [`provider`]: the [`Provider`], [`Resource`], [`DataSource`] and
//!   [`EphemeralResource`] traits and their requests and responses.
//! - [`crud`]: [`CrudResource`], typed lifecycle functions returning
//!   `Result<_, Diagnostics>`, and [`CrudAdapter`], its [`Resource`].
//! - [`convert`]: conversions to and from tfplugin6 messages.
//! - [`server`]: [`ProviderService`], the tfplugin6 service implementation
//!   (its own `# Layout`).
//! - [`docs`]: a schema rendered as a Terraform Registry documentation page.
//!
//! # Example
//! ```no_run
//! use std::sync::Arc;
//! use terraform_provider_immuta::framework::*;
//!
//! struct Widget;
//!
//! #[async_trait]
//! impl Resource for Widget {
//!     fn type_name(&self) -> &str {
//!         "example_widget"
//!     }
//!     fn schema(&self) -> Schema {
//!         Schema::new(Block::new(vec![
//!             Attribute::string("id").computed().description("Identifier."),
//!             Attribute::string("name").required(),
//!             Attribute::single_nested("auth", vec![Attribute::string("token").required().sensitive()])
//!                 .optional(),
//!         ]))
//!     }
//!     async fn apply(&self, _ctx: &Context, req: ApplyRequest) -> ApplyResponse {
//!         let mut resp = ApplyResponse::default();
//!         match req.kind() {
//!             ApplyKind::Delete => {}
//!             _ => match req.planned_state.required_string_at(&"name".into()) {
//!                 Ok(_name) => resp.new_state = req.planned_state.clone().with_attr("id", "w-1".into()),
//!                 Err(d) => resp.diagnostics.push(d),
//!             },
//!         }
//!         resp
//!     }
//!     async fn read(&self, _ctx: &Context, req: ReadRequest) -> ReadResponse {
//!         ReadResponse { new_state: req.current_state, ..ReadResponse::default() }
//!     }
//! }
//!
//! struct Example;
//!
//! #[async_trait]
//! impl Provider for Example {
//!     fn type_name(&self) -> &str {
//!         "example"
//!     }
//!     fn schema(&self) -> Schema {
//!         Schema::new(Block::new(vec![Attribute::string("endpoint").optional()]))
//!     }
//!     async fn configure(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
//!         Diagnostics::new()
//!     }
//!     fn resources(&self) -> Vec<Arc<dyn Resource>> {
//!         vec![Arc::new(Widget)]
//!     }
//! }
//!
//! // `service` implements `tfplugin6::provider_server::Provider`; hand it to
//! // the plugin server (e.g. `crate::protocol::serve`).
//! let service = ProviderService::new(Arc::new(Example));
//! # let _ = service;
//! ```

pub mod context;
pub mod convert;
pub mod crud;
pub mod diag;
pub mod docs;
pub mod json;
pub mod model;
pub mod msgpack;
pub mod number;
pub mod path;
pub mod plan;
pub mod provider;
pub mod schema;
pub mod server;
pub mod types;
pub mod value;

pub use context::{ClientCapabilities, Context};
pub use crud::{Applied, CrudAdapter, CrudResource, Deleted, Failed, Outcome, PlanStart, Planned};
pub use diag::{Diagnostic, Diagnostics, Severity};
pub use model::{Field, ModelError};
pub use path::{AttributePath, PathStep};
pub use provider::{
    ApplyKind, ApplyRequest, ApplyResponse, DataReadRequest, DataReadResponse, DataSource,
    EphemeralResource, ImportRequest, ImportResponse, OpenRequest, OpenResponse, PlanRequest,
    PlanResponse, Provider, ReadRequest, ReadResponse, RenewResponse, Resource, UpgradeRequest,
};
pub use schema::{Attribute, AttributeKind, Block, NestedBlock, NestingMode, Schema};
pub use server::ProviderService;
pub use types::Type;
pub use value::{Number, Value};

/// Re-export so implementors use the same `async_trait` version.
pub use async_trait::async_trait;

/// Re-export of the protocol crate's generated tfplugin6 module.
pub use crate::protocol::tfplugin6;
