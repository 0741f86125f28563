//! The Terraform provider for Immuta integrations.
//!
//! The binary (`src/main.rs`) only parses its flags and hands an
//! [`ImmutaProvider`] to the plugin server of [`protocol`], through
//! [`framework`]. Everything that talks to Immuta goes through
//! `immuta-client` (in `crates/`), which knows nothing of Terraform.
//!
//! # Layout
//!
//! From the bottom up; each module uses only those listed before it
//! (`tests/layering.rs` fails when a module uses one of its own layer or a
//! higher one, and lists no exceptions):
//!
//! - [`protocol`]: Terraform's plugin protocol: tfplugin6 generated from
//!   `proto/` by `build.rs`, go-plugin handshake, AutoMTLS, gRPC server,
//!   the logs Terraform reads.
//! - [`framework`]: schema, values with null and unknown (msgpack and JSON),
//!   typed models (`framework::model`), diagnostics with attribute paths,
//!   the provider traits and `CrudResource`, plan helpers, the gRPC service.
//! - [`duration`]: Go-style duration strings (`30s`, `1h30m`).
//! - [`provider_data`]: the configured Immuta client (one per process) that
//!   resources and data sources read.
//! - [`client_errors`]: Immuta's errors as diagnostics that point to the
//!   fix, for every resource and data source.
//! - [`integration`]: the integration domain: the seven types, one table
//!   and one block struct each and one registry (`integration::platforms`),
//!   the schema and the state's model, config checks, converters to and
//!   from `immuta-api`, delete credentials, the public view the data
//!   sources show, the script requests, and connections (`/data`: their
//!   bodies from the same blocks, Lake Formation's block). Shared by
//!   everything above it, which never share with each other.
//! - [`import_id`]: import ids that carry values Immuta never returns.
//! - [`resources`]: one file (or folder, with its schema and tests) per
//!   resource, its lifecycle only.
//! - [`data_sources`]: one file per data source.
//! - [`ephemeral_resources`]: one file per ephemeral resource (Terraform 1.10+).
//! - [`provider`]: the provider block and its configuration, turned into one
//!   Immuta client per process; registers all of the above.
//! - [`adopt`]: the `adopt` command, which writes the configuration and
//!   import blocks of a tenant's existing integrations.

pub mod protocol;

pub mod framework;

pub mod adopt;
pub mod client_errors;
pub mod data_sources;
pub mod duration;
pub mod ephemeral_resources;
pub mod import_id;
pub mod integration;
pub mod provider;
pub mod provider_data;
pub mod resources;

pub use provider::ImmutaProvider;

/// The provider's address in the Terraform Registry.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/immuta/immuta";
