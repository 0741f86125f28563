//! The framework layer on its own: value decoding under random input, and
//! the tfplugin6 service over a real gRPC connection, and a `CrudResource`
//! served through it.

mod crud;
mod fuzz_decode;
mod grpc;
