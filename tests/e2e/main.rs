//! The end-to-end suite: the real `terraform` CLIs (`IMMUTA_TEST_TERRAFORM`,
//! else `terraform` on PATH) drive the provider binary against an in-process
//! `immuta-emulator`. One test binary, one module per behaviour; `support`
//! holds the harness (CLI discovery, work directories, the emulator).

mod reliability_support;
mod support;

mod adopt;
mod binary;
mod connection;
mod connection_errors;
mod data_sources;
mod docs;
mod ephemeral_script;
mod examples;
mod first_hour;
mod guesses;
mod harness;
mod hostile_ids;
mod integration_api_key;
mod integration_errors;
mod integration_lifecycle;
mod module_tests;
mod provider;
mod readme;
mod release;
mod reliability_faults;
mod reliability_interrupt;
mod reliability_restart;
mod reliability_secrets;
mod write_only;
