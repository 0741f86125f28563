//! `terraform-provider-immuta`: the plugin binary Terraform starts.
//!
//! Thin on purpose: logging, a runtime, and the plugin server of
//! the `protocol` module serving [`ImmutaProvider`] through the `framework`.
//! `--debug` serves for a debugger and prints `TF_REATTACH_PROVIDERS`.
//! `adopt` writes the configuration of a tenant's existing integrations
//! (see `terraform_provider_immuta::adopt`) instead of serving.

use std::process::ExitCode;
use std::sync::Arc;
use terraform_provider_immuta::{ImmutaProvider, PROVIDER_ADDRESS};

const LOG_MODULE: &str = "provider.terraform-provider-immuta";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    if args.first().map(String::as_str) == Some("adopt") {
        return adopt(&args[1..]);
    }
    // Installs the panic hook too; it must come before the framework's
    // service, whose panic guard chains onto it.
    if let Err(e) = terraform_provider_immuta::protocol::logging::init_logging(LOG_MODULE) {
        eprintln!("Error: cannot set up logging: {e}");
        return ExitCode::FAILURE;
    }
    // One thread: a provider's calls wait on Terraform and on Immuta, and
    // its own work per call is small, so a second worker only added the
    // cost of handing tasks and wake-ups between threads (issue 15).
    let Some(runtime) = runtime(&mut tokio::runtime::Builder::new_current_thread()) else {
        return ExitCode::FAILURE;
    };
    let service = terraform_provider_immuta::framework::server::ProviderService::new(Arc::new(
        ImmutaProvider::new(),
    ));
    runtime.block_on(terraform_provider_immuta::protocol::server::serve_main(
        service,
        PROVIDER_ADDRESS,
    ))
}

/// `terraform-provider-immuta adopt ...`: run by a person, not by Terraform.
fn adopt(args: &[String]) -> ExitCode {
    let Some(runtime) = runtime(&mut tokio::runtime::Builder::new_current_thread()) else {
        return ExitCode::FAILURE;
    };
    let env = |name: &str| std::env::var(name).ok();
    match runtime.block_on(terraform_provider_immuta::adopt::run(
        args,
        env("IMMUTA_HOST"),
        env("IMMUTA_API_KEY"),
    )) {
        Ok(summary) => {
            eprintln!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("Error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// The runtime `builder` makes, or `None` with the reason printed.
fn runtime(builder: &mut tokio::runtime::Builder) -> Option<tokio::runtime::Runtime> {
    match builder.enable_all().build() {
        Ok(rt) => Some(rt),
        Err(e) => {
            eprintln!("Error: cannot start the async runtime: {e}");
            None
        }
    }
}
