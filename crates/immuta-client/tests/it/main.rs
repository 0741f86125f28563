//! Tests of the client and the waiter against a small in-test HTTP server.

mod classes;
mod client;
mod connections;
mod create;
mod fake;
mod guesses;
mod retry;
mod same_target;
mod tls;
mod update;
mod wait;
