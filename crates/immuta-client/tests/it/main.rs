//! Tests of the client and the waiter against a small in-test HTTP server.

mod client;
mod create;
mod fake;
mod retry;
mod tls;
mod update;
mod wait;
