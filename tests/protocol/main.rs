//! The plugin protocol layer on its own: the go-plugin handshake, AutoMTLS,
//! the gRPC services, the panic hook, and a real Terraform CLI starting a
//! minimal provider (`tests/providers/minimal_provider.rs`).

mod common;

mod panic_hook;
mod serve;
mod terraform;
