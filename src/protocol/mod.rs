//! Terraform's plugin protocol for Rust providers.
//!
//! # Layout
//! - [`tfplugin6`]: generated messages, server and client for protocol 6.8.
//! - [`plugin`]: generated go-plugin controller and stdio services.
//! - [`handshake`]: magic cookie, protocol negotiation, handshake and reattach lines.
//! - [`tls`]: AutoMTLS server identity and the pinned client certificate verifier.
//! - [`server`]: [`serve`], [`serve_with`], [`ServeConfig`] and the go-plugin services.
//! - [`logging`]: hclog-JSON logging on stderr and the panic hook.
//! - [`error`]: the [`ServeError`] type.
//!
//! A provider binary calls [`logging::init_logging`] and then [`serve_main`]
//! (or [`serve`]) with its `tfplugin6::provider_server::Provider` implementation.

#![warn(missing_docs)]

/// Generated types for the `tfplugin6` package (protocol 6.8).
#[allow(missing_docs, clippy::all, clippy::pedantic)]
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// Generated types for go-plugin's `plugin` package (controller and stdio).
#[allow(missing_docs, clippy::all, clippy::pedantic)]
pub mod plugin {
    tonic::include_proto!("plugin");
}

pub mod error;
pub mod handshake;
pub mod logging;
pub mod server;
pub mod tls;

pub use error::ServeError;
pub use logging::init_logging;
pub use server::{serve, serve_debug, serve_main, serve_with, ServeConfig, ServeMode};
