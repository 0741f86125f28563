//! The framework layer on its own: value decoding under random input, and
//! the tfplugin6 service over a real gRPC connection.

mod fuzz_decode;
mod grpc;
