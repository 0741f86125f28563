//! A provider with an empty schema, used to check the protocol layer against
//! a real Terraform binary (`tests/terraform_e2e.rs`). It also shows the
//! intended `main` of a provider binary.

use terraform_provider_immuta::protocol::tfplugin6::{self, provider_server::Provider};
use tonic::{Request, Response, Status};

struct Minimal;

fn empty_schema() -> tfplugin6::Schema {
    tfplugin6::Schema {
        version: 0,
        block: Some(tfplugin6::schema::Block::default()),
    }
}

#[tonic::async_trait]
impl Provider for Minimal {
    async fn get_provider_schema(
        &self,
        _request: Request<tfplugin6::get_provider_schema::Request>,
    ) -> Result<Response<tfplugin6::get_provider_schema::Response>, Status> {
        tracing::info!(rpc = "GetProviderSchema", "schema requested");
        Ok(Response::new(tfplugin6::get_provider_schema::Response {
            provider: Some(empty_schema()),
            ..Default::default()
        }))
    }

    async fn validate_provider_config(
        &self,
        _request: Request<tfplugin6::validate_provider_config::Request>,
    ) -> Result<Response<tfplugin6::validate_provider_config::Response>, Status> {
        Ok(Response::new(Default::default()))
    }

    async fn configure_provider(
        &self,
        request: Request<tfplugin6::configure_provider::Request>,
    ) -> Result<Response<tfplugin6::configure_provider::Response>, Status> {
        tracing::info!(
            terraform_version = %request.get_ref().terraform_version,
            "provider configured"
        );
        Ok(Response::new(Default::default()))
    }

    async fn stop_provider(
        &self,
        _request: Request<tfplugin6::stop_provider::Request>,
    ) -> Result<Response<tfplugin6::stop_provider::Response>, Status> {
        Ok(Response::new(Default::default()))
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Logging problems must not stop the provider.
    let _ = terraform_provider_immuta::protocol::init_logging("provider.minimal");
    terraform_provider_immuta::protocol::serve_main(Minimal, "registry.terraform.io/immuta/minimal")
        .await
}
