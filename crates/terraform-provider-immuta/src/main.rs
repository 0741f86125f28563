//! `terraform-provider-immuta`: the plugin binary Terraform starts.
//!
//! Thin on purpose: logging, a runtime, and the plugin server of
//! `tf-protocol` serving [`ImmutaProvider`] through `tf-framework`.
//! `--debug` serves for a debugger and prints `TF_REATTACH_PROVIDERS`.

use std::process::ExitCode;
use std::sync::Arc;
use terraform_provider_immuta::{ImmutaProvider, PROVIDER_ADDRESS};

const LOG_MODULE: &str = "provider.terraform-provider-immuta";

fn main() -> ExitCode {
    // Installs the panic hook too; it must come before the framework's
    // service, whose panic guard chains onto it.
    if let Err(e) = tf_protocol::logging::init_logging(LOG_MODULE) {
        eprintln!("Error: cannot set up logging: {e}");
        return ExitCode::FAILURE;
    }
    // One thread: a provider's calls wait on Terraform and on Immuta, and
    // its own work per call is small, so a second worker only added the
    // cost of handing tasks and wake-ups between threads (issue 15).
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("Error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let service = tf_framework::server::ProviderService::new(Arc::new(ImmutaProvider::new()));
    runtime.block_on(tf_protocol::server::serve_main(service, PROVIDER_ADDRESS))
}
