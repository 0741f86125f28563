//! The tfplugin6 service methods: decode, call the provider under the
//! panic guard, enforce Terraform's rules on the answer, encode.

use std::sync::Arc;

use tonic::{Request, Response, Status};

use super::checks::config_checks;
use super::guard::guarded;
use super::ProviderService;
use crate::framework::convert::{decode_dynamic, encode_dynamic};
use crate::framework::diag::{Diagnostic, Diagnostics};
use crate::framework::path::AttributePath;
use crate::framework::plan::{
    enforce_apply_result, enforce_config_in_plan, find_unknowns, null_write_only,
};
use crate::framework::provider::{
    ApplyKind, ApplyRequest, DataReadRequest, ImportRequest, OpenRequest, PlanRequest, ReadRequest,
    UpgradeRequest,
};
use crate::framework::value::Value;
use crate::protocol::tfplugin6 as proto;

type RpcResult<T> = Result<Response<T>, Status>;

/// Builds an error-only response from a diagnostic.
macro_rules! bail {
    ($resp:ty, $diag:expr) => {
        return Ok(Response::new(<$resp>::default_with_diags($diag.into())))
    };
}

/// Responses that carry diagnostics.
trait WithDiags: Default {
    fn set_diags(&mut self, d: Vec<proto::Diagnostic>);
    fn default_with_diags(d: Diagnostics) -> Self {
        let mut s = Self::default();
        s.set_diags(d.to_proto());
        s
    }
}

macro_rules! with_diags {
    ($($t:ty),* $(,)?) => {
        $(impl WithDiags for $t {
            fn set_diags(&mut self, d: Vec<proto::Diagnostic>) {
                self.diagnostics = d;
            }
        })*
    };
}

with_diags!(
    proto::validate_provider_config::Response,
    proto::validate_resource_config::Response,
    proto::validate_data_resource_config::Response,
    proto::upgrade_resource_state::Response,
    proto::configure_provider::Response,
    proto::read_resource::Response,
    proto::plan_resource_change::Response,
    proto::apply_resource_change::Response,
    proto::import_resource_state::Response,
    proto::move_resource_state::Response,
    proto::read_data_source::Response,
    proto::validate_ephemeral_resource_config::Response,
    proto::open_ephemeral_resource::Response,
    proto::renew_ephemeral_resource::Response,
    proto::close_ephemeral_resource::Response,
);

/// Unwraps a `Result<T, Diagnostic>` or returns the error response.
macro_rules! tri {
    ($resp:ty, $e:expr) => {
        match $e {
            Ok(v) => v,
            Err(d) => bail!($resp, d),
        }
    };
}

#[tonic::async_trait]
impl proto::provider_server::Provider for ProviderService {
    async fn get_metadata(
        &self,
        _request: Request<proto::get_metadata::Request>,
    ) -> RpcResult<proto::get_metadata::Response> {
        Ok(Response::new(self.inner.metadata_response.clone()))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<proto::get_provider_schema::Request>,
    ) -> RpcResult<proto::get_provider_schema::Response> {
        Ok(Response::new(self.inner.schema_response.clone()))
    }

    async fn validate_provider_config(
        &self,
        request: Request<proto::validate_provider_config::Request>,
    ) -> RpcResult<proto::validate_provider_config::Response> {
        type R = proto::validate_provider_config::Response;
        let req = request.into_inner();
        let ctx = self.context(None);
        let config = tri!(
            R,
            decode_dynamic(
                req.config.as_ref(),
                &self.inner.provider_ty,
                "provider configuration"
            )
        );
        let mut diags = Diagnostics::new();
        config_checks(
            &self.inner.provider_schema.block.attributes,
            &config,
            &AttributePath::root(),
            true,
            &mut diags,
        );
        let provider = self.inner.provider.clone();
        diags.extend(tri!(R, guarded(provider.validate(&ctx, &config)).await));
        Ok(Response::new(R::default_with_diags(diags)))
    }

    async fn validate_resource_config(
        &self,
        request: Request<proto::validate_resource_config::Request>,
    ) -> RpcResult<proto::validate_resource_config::Response> {
        type R = proto::validate_resource_config::Response;
        let req = request.into_inner();
        let ctx = self.context(req.client_capabilities.as_ref());
        let entry = tri!(R, self.resource(&req.type_name));
        let (config, mut diags) = tri!(
            R,
            entry.checked_config(
                req.config.as_ref(),
                ctx.client_capabilities.write_only_attributes_allowed
            )
        );
        diags.extend(tri!(R, guarded(entry.imp.validate(&ctx, &config)).await));
        Ok(Response::new(R::default_with_diags(diags)))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<proto::validate_data_resource_config::Request>,
    ) -> RpcResult<proto::validate_data_resource_config::Response> {
        type R = proto::validate_data_resource_config::Response;
        let req = request.into_inner();
        let ctx = self.context(None);
        let entry = tri!(R, self.data_source(&req.type_name));
        let (config, mut diags) = tri!(R, entry.checked_config(req.config.as_ref(), true));
        diags.extend(tri!(R, guarded(entry.imp.validate(&ctx, &config)).await));
        Ok(Response::new(R::default_with_diags(diags)))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<proto::upgrade_resource_state::Request>,
    ) -> RpcResult<proto::upgrade_resource_state::Response> {
        type R = proto::upgrade_resource_state::Response;
        let req = request.into_inner();
        let ctx = self.context(None);
        let entry = tri!(R, self.resource(&req.type_name));
        let raw = req.raw_state.unwrap_or_default();
        if raw.json.is_empty() {
            if raw.flatmap.is_empty() {
                // Nothing stored: the upgraded state is null.
                let state = tri!(R, encode_dynamic(&Value::Null, &entry.ty, "upgraded state"));
                return Ok(Response::new(R {
                    upgraded_state: Some(state),
                    diagnostics: Vec::new(),
                }));
            }
            bail!(
                R,
                Diagnostic::error(
                    "Unsupported state format",
                    "The stored state uses the legacy flatmap format, which this provider cannot read. Recreate or re-import the resource."
                )
            );
        }
        let up = UpgradeRequest {
            schema: entry.schema.clone(),
            value_type: entry.ty.clone(),
            from_version: req.version,
            raw_json: raw.json,
        };
        let mut value = match tri!(R, guarded(entry.imp.upgrade_state(&ctx, up)).await) {
            Ok(v) => v,
            Err(d) => bail!(R, d),
        };
        null_write_only(&entry.schema.block, &mut value);
        let state = tri!(R, encode_dynamic(&value, &entry.ty, "upgraded state"));
        Ok(Response::new(R {
            upgraded_state: Some(state),
            diagnostics: Vec::new(),
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<proto::configure_provider::Request>,
    ) -> RpcResult<proto::configure_provider::Response> {
        type R = proto::configure_provider::Response;
        let req = request.into_inner();
        if let Ok(mut g) = self.inner.terraform_version.write() {
            *g = Some(req.terraform_version.clone()).filter(|v| !v.is_empty());
        }
        let ctx = self.context(req.client_capabilities.as_ref());
        let config = tri!(
            R,
            decode_dynamic(
                req.config.as_ref(),
                &self.inner.provider_ty,
                "provider configuration"
            )
        );
        let provider = self.inner.provider.clone();
        let diags = tri!(R, guarded(provider.configure(&ctx, &config)).await);
        Ok(Response::new(R::default_with_diags(diags)))
    }

    async fn read_resource(
        &self,
        request: Request<proto::read_resource::Request>,
    ) -> RpcResult<proto::read_resource::Response> {
        type R = proto::read_resource::Response;
        let mut req = request.into_inner();
        let ctx = self.context(req.client_capabilities.as_ref());
        let entry = tri!(R, self.resource(&req.type_name));
        // The message's bytes are freed once decoded: while the resource
        // reads, only the decoded state is held (a state can be large).
        let message = req.current_state.take();
        let current = tri!(
            R,
            decode_dynamic(message.as_ref(), &entry.ty, "current state")
        );
        drop(message);
        let rr = ReadRequest {
            schema: entry.schema.clone(),
            current_state: current,
            private: req.private,
        };
        let resp = tri!(R, guarded(entry.imp.read(&ctx, rr)).await);
        let mut diags = resp.diagnostics;
        let mut state = resp.new_state;
        null_write_only(&entry.schema.block, &mut state);
        if diags.has_errors() {
            state.unknowns_to_null();
        } else {
            find_unknowns(&state, &mut Vec::new(), &mut diags);
        }
        let new_state = tri!(R, encode_dynamic(&state, &entry.ty, "new state"));
        Ok(Response::new(R {
            new_state: Some(new_state),
            diagnostics: diags.to_proto(),
            private: resp.private,
            deferred: None,
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<proto::plan_resource_change::Request>,
    ) -> RpcResult<proto::plan_resource_change::Response> {
        type R = proto::plan_resource_change::Response;
        let req = request.into_inner();
        let ctx = self.context(req.client_capabilities.as_ref());
        let entry = tri!(R, self.resource(&req.type_name));
        let prior = tri!(
            R,
            decode_dynamic(req.prior_state.as_ref(), &entry.ty, "prior state")
        );
        let proposed = tri!(
            R,
            decode_dynamic(
                req.proposed_new_state.as_ref(),
                &entry.ty,
                "proposed new state"
            )
        );
        let config = Arc::new(tri!(
            R,
            decode_dynamic(req.config.as_ref(), &entry.ty, "configuration")
        ));
        if proposed.is_null() {
            // Destroy plan: nothing to decide.
            let planned = tri!(R, encode_dynamic(&Value::Null, &entry.ty, "planned state"));
            return Ok(Response::new(R {
                planned_state: Some(planned),
                planned_private: req.prior_private,
                ..R::default()
            }));
        }
        let pr = PlanRequest {
            schema: entry.schema.clone(),
            prior_state: prior,
            proposed_new_state: proposed,
            config: Arc::clone(&config),
            prior_private: req.prior_private,
        };
        let resp = tri!(R, guarded(entry.imp.plan(&ctx, pr)).await);
        let diags = resp.diagnostics;
        let mut planned = resp.planned_state;
        if diags.has_errors() {
            return Ok(Response::new(R::default_with_diags(diags)));
        }
        if planned.is_null() {
            bail!(
                R,
                Diagnostic::error(
                    "Invalid plan",
                    "The provider planned a null state for a resource that is not being destroyed. This is a bug in the provider."
                )
            );
        }
        if enforce_config_in_plan(&entry.schema.block, &config, &mut planned) {
            tracing::debug!(
                type_name = %req.type_name,
                "planned state adjusted to keep configured values"
            );
        }
        let planned_state = tri!(R, encode_dynamic(&planned, &entry.ty, "planned state"));
        let mut requires_replace = resp.requires_replace;
        requires_replace.sort();
        requires_replace.dedup();
        Ok(Response::new(R {
            planned_state: Some(planned_state),
            requires_replace: requires_replace
                .iter()
                .map(AttributePath::to_proto)
                .collect(),
            planned_private: resp.planned_private,
            diagnostics: diags.to_proto(),
            legacy_type_system: false,
            deferred: None,
        }))
    }

    async fn apply_resource_change(
        &self,
        request: Request<proto::apply_resource_change::Request>,
    ) -> RpcResult<proto::apply_resource_change::Response> {
        type R = proto::apply_resource_change::Response;
        let req = request.into_inner();
        let ctx = self.context(None);
        let entry = tri!(R, self.resource(&req.type_name));
        let prior = tri!(
            R,
            decode_dynamic(req.prior_state.as_ref(), &entry.ty, "prior state")
        );
        let planned = tri!(
            R,
            decode_dynamic(req.planned_state.as_ref(), &entry.ty, "planned state")
        );
        let config = tri!(
            R,
            decode_dynamic(req.config.as_ref(), &entry.ty, "configuration")
        );
        let ar = ApplyRequest {
            schema: entry.schema.clone(),
            prior_state: prior.clone(),
            planned_state: planned.clone(),
            config: config.clone(),
            planned_private: req.planned_private,
        };
        let kind = ar.kind();
        let (mut state, private, mut diags) = match guarded(entry.imp.apply(&ctx, ar)).await {
            Ok(resp) => (resp.new_state, resp.private, resp.diagnostics),
            // Panicked: keep what Terraform had before.
            Err(d) => (prior, Vec::new(), d.into()),
        };
        if kind == ApplyKind::Delete && !diags.has_errors() {
            state = Value::Null;
        }
        if kind != ApplyKind::Delete && state.is_null() && !diags.has_errors() {
            diags.error(
                "Provider returned no state",
                "The provider finished creating or updating the resource without returning its state. This is a bug in the provider.",
            );
        }
        if !state.is_null() {
            if diags.has_errors() {
                null_write_only(&entry.schema.block, &mut state);
                state.unknowns_to_null();
            } else {
                diags.extend(enforce_apply_result(
                    &entry.schema.block,
                    &config,
                    &planned,
                    &mut state,
                ));
                if diags.has_errors() {
                    state.unknowns_to_null();
                }
            }
        }
        let new_state = tri!(R, encode_dynamic(&state, &entry.ty, "new state"));
        Ok(Response::new(R {
            new_state: Some(new_state),
            private,
            diagnostics: diags.to_proto(),
            legacy_type_system: false,
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<proto::import_resource_state::Request>,
    ) -> RpcResult<proto::import_resource_state::Response> {
        type R = proto::import_resource_state::Response;
        let req = request.into_inner();
        let ctx = self.context(req.client_capabilities.as_ref());
        let entry = tri!(R, self.resource(&req.type_name));
        let ir = ImportRequest {
            schema: entry.schema.clone(),
            id: req.id,
        };
        let resp = tri!(R, guarded(entry.imp.import(&ctx, ir)).await);
        let mut diags = resp.diagnostics;
        if diags.has_errors() {
            return Ok(Response::new(R::default_with_diags(diags)));
        }
        let mut state = resp.state;
        if state.is_null() {
            diags.error(
                "Import failed",
                "The provider returned no state for the imported resource.",
            );
            return Ok(Response::new(R::default_with_diags(diags)));
        }
        null_write_only(&entry.schema.block, &mut state);
        let encoded = tri!(R, encode_dynamic(&state, &entry.ty, "imported state"));
        Ok(Response::new(R {
            imported_resources: vec![proto::import_resource_state::ImportedResource {
                type_name: req.type_name,
                state: Some(encoded),
                private: resp.private,
            }],
            diagnostics: diags.to_proto(),
            deferred: None,
        }))
    }

    async fn move_resource_state(
        &self,
        _request: Request<proto::move_resource_state::Request>,
    ) -> RpcResult<proto::move_resource_state::Response> {
        bail!(
            proto::move_resource_state::Response,
            Diagnostic::error(
                "Moving resource state not supported",
                "This provider does not support moving state between resource types."
            )
        )
    }

    async fn read_data_source(
        &self,
        request: Request<proto::read_data_source::Request>,
    ) -> RpcResult<proto::read_data_source::Response> {
        type R = proto::read_data_source::Response;
        let req = request.into_inner();
        let ctx = self.context(req.client_capabilities.as_ref());
        let entry = tri!(R, self.data_source(&req.type_name));
        let config = tri!(
            R,
            decode_dynamic(req.config.as_ref(), &entry.ty, "configuration")
        );
        let dr = DataReadRequest {
            schema: entry.schema.clone(),
            config: config.clone(),
        };
        let resp = tri!(R, guarded(entry.imp.read(&ctx, dr)).await);
        let mut diags = resp.diagnostics;
        let mut state = resp.state;
        if !state.is_null() {
            // Configured values must come back unchanged.
            enforce_config_in_plan(&entry.schema.block, &config, &mut state);
        }
        null_write_only(&entry.schema.block, &mut state);
        if diags.has_errors() {
            state.unknowns_to_null();
        } else {
            find_unknowns(&state, &mut Vec::new(), &mut diags);
            if diags.has_errors() {
                state.unknowns_to_null();
            }
        }
        let encoded = tri!(R, encode_dynamic(&state, &entry.ty, "data source state"));
        Ok(Response::new(R {
            state: Some(encoded),
            diagnostics: diags.to_proto(),
            deferred: None,
        }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<proto::validate_ephemeral_resource_config::Request>,
    ) -> RpcResult<proto::validate_ephemeral_resource_config::Response> {
        type R = proto::validate_ephemeral_resource_config::Response;
        let req = request.into_inner();
        let ctx = self.context(None);
        let entry = tri!(R, self.ephemeral_resource(&req.type_name));
        let (config, mut diags) = tri!(R, entry.checked_config(req.config.as_ref(), true));
        diags.extend(tri!(R, guarded(entry.imp.validate(&ctx, &config)).await));
        Ok(Response::new(R::default_with_diags(diags)))
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<proto::open_ephemeral_resource::Request>,
    ) -> RpcResult<proto::open_ephemeral_resource::Response> {
        type R = proto::open_ephemeral_resource::Response;
        let req = request.into_inner();
        let ctx = self.context(req.client_capabilities.as_ref());
        let entry = tri!(R, self.ephemeral_resource(&req.type_name));
        let config = tri!(
            R,
            decode_dynamic(req.config.as_ref(), &entry.ty, "configuration")
        );
        let open = OpenRequest {
            schema: entry.schema.clone(),
            config: config.clone(),
        };
        let resp = tri!(R, guarded(entry.imp.open(&ctx, open)).await);
        let diags = resp.diagnostics;
        let mut result = resp.result;
        if result.is_null() {
            result = config.clone();
        }
        // Configured values must come back unchanged.
        enforce_config_in_plan(&entry.schema.block, &config, &mut result);
        null_write_only(&entry.schema.block, &mut result);
        if diags.has_errors() {
            result.unknowns_to_null();
        }
        let encoded = tri!(
            R,
            encode_dynamic(&result, &entry.ty, "ephemeral resource result")
        );
        Ok(Response::new(R {
            diagnostics: diags.to_proto(),
            renew_at: resp.renew_at.map(prost_types::Timestamp::from),
            result: Some(encoded),
            private: resp.private,
            deferred: None,
        }))
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<proto::renew_ephemeral_resource::Request>,
    ) -> RpcResult<proto::renew_ephemeral_resource::Response> {
        type R = proto::renew_ephemeral_resource::Response;
        let req = request.into_inner();
        let ctx = self.context(None);
        let entry = tri!(R, self.ephemeral_resource(&req.type_name));
        let resp = tri!(R, guarded(entry.imp.renew(&ctx, req.private)).await);
        Ok(Response::new(R {
            diagnostics: resp.diagnostics.to_proto(),
            renew_at: resp.renew_at.map(prost_types::Timestamp::from),
            private: resp.private,
        }))
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<proto::close_ephemeral_resource::Request>,
    ) -> RpcResult<proto::close_ephemeral_resource::Response> {
        type R = proto::close_ephemeral_resource::Response;
        let req = request.into_inner();
        let ctx = self.context(None);
        let entry = tri!(R, self.ephemeral_resource(&req.type_name));
        let diags = tri!(R, guarded(entry.imp.close(&ctx, req.private)).await);
        Ok(Response::new(R::default_with_diags(diags)))
    }

    async fn get_functions(
        &self,
        _request: Request<proto::get_functions::Request>,
    ) -> RpcResult<proto::get_functions::Response> {
        Ok(Response::new(proto::get_functions::Response::default()))
    }

    async fn call_function(
        &self,
        request: Request<proto::call_function::Request>,
    ) -> RpcResult<proto::call_function::Response> {
        let name = request.into_inner().name;
        Ok(Response::new(proto::call_function::Response {
            result: None,
            error: Some(proto::FunctionError {
                text: format!("This provider has no function {name:?}."),
                function_argument: None,
            }),
        }))
    }

    async fn stop_provider(
        &self,
        _request: Request<proto::stop_provider::Request>,
    ) -> RpcResult<proto::stop_provider::Response> {
        self.inner.cancel.cancel();
        Ok(Response::new(proto::stop_provider::Response {
            error: String::new(),
        }))
    }
}
