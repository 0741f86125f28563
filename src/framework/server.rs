//! The tfplugin6 `Provider` gRPC service, dispatching to the framework traits.

use std::cell::Cell;
use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, Once, RwLock};
use std::task::{Context as TaskContext, Poll};

use crate::protocol::tfplugin6 as proto;
use futures::FutureExt;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use crate::framework::convert::{decode_dynamic, encode_dynamic};
use crate::framework::diag::{Diagnostic, Diagnostics};
use crate::framework::path::AttributePath;
use crate::framework::plan::{
    enforce_apply_result, enforce_config_in_plan, find_unknowns, null_write_only,
};
use crate::framework::provider::{
    ApplyKind, ApplyRequest, ClientCapabilities, Context, DataReadRequest, DataSource,
    EphemeralResource, ImportRequest, OpenRequest, PlanRequest, Provider, ReadRequest, Resource,
    UpgradeRequest,
};
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::types::Type;
use crate::framework::value::Value;

type RpcResult<T> = Result<Response<T>, Status>;

struct Entry<T: ?Sized> {
    imp: Arc<T>,
    schema: Arc<Schema>,
    ty: Arc<Type>,
}

impl<T: ?Sized> Entry<T> {
    /// A configuration decoded, with the schema's own checks (deprecation,
    /// write-only attributes where `write_only_allowed` is false).
    fn checked_config(
        &self,
        config: Option<&proto::DynamicValue>,
        write_only_allowed: bool,
    ) -> Result<(Value, Diagnostics), Diagnostic> {
        let config = decode_dynamic(config, &self.ty, "configuration")?;
        let mut diags = Diagnostics::new();
        config_checks(
            &self.schema.block.attributes,
            &config,
            &AttributePath::root(),
            write_only_allowed,
            &mut diags,
        );
        Ok((config, diags))
    }
}

struct Inner {
    provider: Arc<dyn Provider>,
    provider_schema: Arc<Schema>,
    provider_ty: Type,
    resources: HashMap<String, Entry<dyn Resource>>,
    data_sources: HashMap<String, Entry<dyn DataSource>>,
    ephemeral_resources: HashMap<String, Entry<dyn EphemeralResource>>,
    schema_response: proto::get_provider_schema::Response,
    metadata_response: proto::get_metadata::Response,
    cancel: CancellationToken,
    terraform_version: RwLock<Option<String>>,
}

/// Implements the tfplugin6 service on top of a [`Provider`]. Cheap to clone.
///
/// Schemas are computed once, in [`ProviderService::new`]. Each call into
/// provider code runs under a panic guard: a panic becomes the error
/// diagnostic "Internal error in provider" and its message is not logged.
#[derive(Clone)]
pub struct ProviderService {
    inner: Arc<Inner>,
}

fn server_capabilities() -> proto::ServerCapabilities {
    proto::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: true,
        move_resource_state: false,
    }
}

/// Checks schema rules Terraform enforces, so mistakes show up as
/// diagnostics rather than confusing Terraform errors.
fn check_attributes(
    owner: &str,
    attrs: &[Attribute],
    path: AttributePath,
    diags: &mut Diagnostics,
) {
    for a in attrs {
        let p = path.clone().attr(a.name.clone());
        let ok = matches!(
            (a.required, a.optional, a.computed),
            (true, false, false) | (false, true, _) | (false, false, true)
        );
        if !ok {
            diags.error(
                "Invalid provider schema",
                format!("{owner}: attribute {p} must be exactly one of required, optional, computed, or optional+computed."),
            );
        }
        if a.write_only && (a.computed || a.required && a.optional) {
            diags.error(
                "Invalid provider schema",
                format!("{owner}: write-only attribute {p} cannot be computed."),
            );
        }
        if let Some(inner) = a.nested_attributes() {
            check_attributes(owner, inner, p, diags);
        }
    }
}

fn check_block(owner: &str, block: &Block, diags: &mut Diagnostics) {
    check_attributes(owner, &block.attributes, AttributePath::root(), diags);
    for b in &block.blocks {
        check_block(owner, &b.block, diags);
    }
}

thread_local! {
    static GUARDED: Cell<usize> = const { Cell::new(0) };
}

static HOOK: Once = Once::new();

/// Installs (once per process) a panic hook that stays silent for panics
/// inside provider calls run by [`ProviderService`] (logging only that a
/// panic happened and where), and defers to the previous hook otherwise.
pub fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if GUARDED.with(Cell::get) > 0 {
                let location = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                tracing::error!(%location, "panic in provider code; message suppressed");
            } else {
                previous(info);
            }
        }));
    });
}

struct GuardCount;

impl GuardCount {
    fn enter() -> Self {
        GUARDED.with(|c| c.set(c.get() + 1));
        GuardCount
    }
}

impl Drop for GuardCount {
    fn drop(&mut self) {
        GUARDED.with(|c| c.set(c.get().saturating_sub(1)));
    }
}

/// Marks each poll of the inner future as "inside provider code".
struct Quiet<F>(Pin<Box<F>>);

impl<F: Future> Future for Quiet<F> {
    type Output = F::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        let _g = GuardCount::enter();
        self.0.as_mut().poll(cx)
    }
}

/// Runs provider code, turning a panic into an error diagnostic.
async fn guarded<F: Future>(fut: F) -> Result<F::Output, Diagnostic> {
    AssertUnwindSafe(Quiet(Box::pin(fut)))
        .catch_unwind()
        .await
        .map_err(|_| {
            Diagnostic::error(
                "Internal error in provider",
                "The provider hit an unexpected internal error while handling this request. Please report this issue to the provider developers.",
            )
        })
}

fn unknown_type(kind: &str, name: &str) -> Diagnostic {
    Diagnostic::error(
        format!("Unknown {kind} type"),
        format!("This provider does not support {kind} type {name:?}."),
    )
}

/// Warnings for configured deprecated attributes and errors for write-only
/// attributes when Terraform does not support them.
fn config_checks(
    attrs: &[Attribute],
    config: &Value,
    path: &AttributePath,
    write_only_allowed: bool,
    diags: &mut Diagnostics,
) {
    for a in attrs {
        let v = config.attr(&a.name);
        if v.is_null() {
            continue;
        }
        let p = path.clone().attr(a.name.clone());
        if a.deprecated {
            diags.attribute_warning(
                p.clone(),
                "Deprecated attribute",
                a.deprecation_message
                    .clone()
                    .unwrap_or_else(|| format!("The attribute {p} is deprecated.")),
            );
        }
        if a.write_only && !write_only_allowed {
            diags.attribute_error(
                p.clone(),
                "Write-only attribute not supported",
                format!(
                    "The attribute {p} is write-only, which needs Terraform 1.11 or later: \
                     Terraform sends its value to the provider and never stores it in plan or \
                     state, which older versions cannot do. Upgrade Terraform, or set the value \
                     through the provider's plain (stored) attribute instead, if it has one."
                ),
            );
        }
        if let Some(inner) = a.nested_attributes() {
            match v {
                Value::Object(_) => config_checks(inner, v, &p, write_only_allowed, diags),
                Value::List(items) | Value::Set(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let ip = p.clone().index(i as i64);
                        config_checks(inner, item, &ip, write_only_allowed, diags);
                    }
                }
                Value::Map(m) => {
                    for (k, item) in m {
                        let kp = p.clone().key(k.clone());
                        config_checks(inner, item, &kp, write_only_allowed, diags);
                    }
                }
                _ => {}
            }
        }
    }
}

impl ProviderService {
    /// Builds the service: collects resources and data sources and computes
    /// every schema once. Schema mistakes (duplicate names, invalid flags)
    /// are reported as diagnostics from GetProviderSchema and GetMetadata.
    /// Also installs the panic hook ([`install_panic_hook`]).
    pub fn new(provider: Arc<dyn Provider>) -> Self {
        Self::with_cancellation(provider, CancellationToken::new())
    }

    /// Like [`ProviderService::new`] with a given cancellation token (cancelled by StopProvider).
    pub fn with_cancellation(provider: Arc<dyn Provider>, cancel: CancellationToken) -> Self {
        install_panic_hook();
        let mut diags = Diagnostics::new();
        let provider_schema = Arc::new(provider.schema());
        check_block("provider", &provider_schema.block, &mut diags);
        let mut resources = HashMap::new();
        let mut resource_schemas = HashMap::new();
        for r in provider.resources() {
            let name = r.type_name().to_string();
            let schema = Arc::new(r.schema());
            check_block(&name, &schema.block, &mut diags);
            if resources.contains_key(&name) {
                diags.error(
                    "Invalid provider",
                    format!("Resource type {name:?} is defined twice."),
                );
                continue;
            }
            resource_schemas.insert(name.clone(), schema.to_proto());
            let ty = Arc::new(schema.value_type());
            resources.insert(name, Entry { imp: r, schema, ty });
        }
        let mut data_sources = HashMap::new();
        let mut data_source_schemas = HashMap::new();
        for d in provider.data_sources() {
            let name = d.type_name().to_string();
            let schema = Arc::new(d.schema());
            check_block(&name, &schema.block, &mut diags);
            if data_sources.contains_key(&name) {
                diags.error(
                    "Invalid provider",
                    format!("Data source type {name:?} is defined twice."),
                );
                continue;
            }
            data_source_schemas.insert(name.clone(), schema.to_proto());
            let ty = Arc::new(schema.value_type());
            data_sources.insert(name, Entry { imp: d, schema, ty });
        }
        let mut ephemeral_resources = HashMap::new();
        let mut ephemeral_schemas = HashMap::new();
        for e in provider.ephemeral_resources() {
            let name = e.type_name().to_string();
            let schema = Arc::new(e.schema());
            check_block(&name, &schema.block, &mut diags);
            if ephemeral_resources.contains_key(&name) {
                diags.error(
                    "Invalid provider",
                    format!("Ephemeral resource type {name:?} is defined twice."),
                );
                continue;
            }
            ephemeral_schemas.insert(name.clone(), schema.to_proto());
            let ty = Arc::new(schema.value_type());
            ephemeral_resources.insert(name, Entry { imp: e, schema, ty });
        }
        let mut ephemeral_names: Vec<_> = ephemeral_resources.keys().cloned().collect();
        ephemeral_names.sort();
        let mut resource_names: Vec<_> = resources.keys().cloned().collect();
        resource_names.sort();
        let mut data_names: Vec<_> = data_sources.keys().cloned().collect();
        data_names.sort();
        let diag_proto = diags.to_proto();
        let schema_response = proto::get_provider_schema::Response {
            provider: Some(provider_schema.to_proto()),
            resource_schemas,
            data_source_schemas,
            diagnostics: diag_proto.clone(),
            provider_meta: None,
            server_capabilities: Some(server_capabilities()),
            functions: HashMap::new(),
            ephemeral_resource_schemas: ephemeral_schemas,
        };
        let metadata_response = proto::get_metadata::Response {
            server_capabilities: Some(server_capabilities()),
            diagnostics: diag_proto,
            data_sources: data_names
                .into_iter()
                .map(|type_name| proto::get_metadata::DataSourceMetadata { type_name })
                .collect(),
            resources: resource_names
                .into_iter()
                .map(|type_name| proto::get_metadata::ResourceMetadata { type_name })
                .collect(),
            functions: Vec::new(),
            ephemeral_resources: ephemeral_names
                .into_iter()
                .map(|type_name| proto::get_metadata::EphemeralResourceMetadata { type_name })
                .collect(),
        };
        let provider_ty = provider_schema.value_type();
        Self {
            inner: Arc::new(Inner {
                provider,
                provider_schema,
                provider_ty,
                resources,
                data_sources,
                ephemeral_resources,
                schema_response,
                metadata_response,
                cancel,
                terraform_version: RwLock::new(None),
            }),
        }
    }

    /// The token StopProvider cancels.
    pub fn cancellation_token(&self) -> CancellationToken {
        self.inner.cancel.clone()
    }

    /// Wraps the service in the generated tonic server.
    pub fn into_server(self) -> proto::provider_server::ProviderServer<Self> {
        proto::provider_server::ProviderServer::new(self)
            .max_decoding_message_size(256 * 1024 * 1024)
            .max_encoding_message_size(256 * 1024 * 1024)
    }

    fn context(&self, caps: Option<&proto::ClientCapabilities>) -> Context {
        let mut ctx = Context::new(self.inner.cancel.clone());
        if let Some(c) = caps {
            ctx.client_capabilities = ClientCapabilities {
                deferral_allowed: c.deferral_allowed,
                write_only_attributes_allowed: c.write_only_attributes_allowed,
            };
        }
        ctx.terraform_version = self
            .inner
            .terraform_version
            .read()
            .ok()
            .and_then(|g| g.clone());
        ctx
    }

    fn resource(&self, name: &str) -> Result<&Entry<dyn Resource>, Diagnostic> {
        self.inner
            .resources
            .get(name)
            .ok_or_else(|| unknown_type("resource", name))
    }

    fn data_source(&self, name: &str) -> Result<&Entry<dyn DataSource>, Diagnostic> {
        self.inner
            .data_sources
            .get(name)
            .ok_or_else(|| unknown_type("data source", name))
    }

    fn ephemeral_resource(&self, name: &str) -> Result<&Entry<dyn EphemeralResource>, Diagnostic> {
        self.inner
            .ephemeral_resources
            .get(name)
            .ok_or_else(|| unknown_type("ephemeral resource", name))
    }
}

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
        let config = tri!(
            R,
            decode_dynamic(req.config.as_ref(), &entry.ty, "configuration")
        );
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
            config: config.clone(),
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
