//! The Terraform provider for Immuta integrations.
//!
//! The binary (`src/main.rs`) only parses its flags and hands an
//! [`ImmutaProvider`] to the plugin server of `tf-protocol`, through the
//! framework of `tf-framework`. Everything that talks to Immuta goes through
//! `immuta-client`, which knows nothing of Terraform.
//!
//! # Layout
//!
//! - [`provider`]: the provider block and its configuration, turned into one
//!   Immuta client per process.
//! - [`platforms`]: the seven integration types' config schema, checks and
//!   converters to and from `immuta-api`, shared by the resource and the
//!   script data source.
//! - [`client_errors`]: Immuta's errors as diagnostics that point to the
//!   fix, for every resource and data source.
//! - [`resources`]: one file per resource.
//! - [`data_sources`]: one file per data source.
//! - [`ephemeral_resources`]: one file per ephemeral resource (Terraform 1.10+).
//! - [`duration`]: Go-style duration strings (`30s`, `1h30m`).
//! - [`import_id`]: import ids that carry values Immuta never returns.
//! - [`adopt`]: the `adopt` command, which writes the configuration and
//!   import blocks of a tenant's existing integrations.

pub mod adopt;
pub mod client_errors;
pub mod data_sources;
pub mod duration;
pub mod ephemeral_resources;
pub mod import_id;
pub mod platforms;
pub mod provider;
pub mod resources;

pub use provider::ImmutaProvider;

/// The provider's address in the Terraform Registry.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/immuta/immuta";
