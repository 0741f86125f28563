//! The tfplugin6 `Provider` gRPC service, dispatching to the framework traits.
//!
//! # Layout
//! - `mod.rs`: [`ProviderService`], its registry of resources, data
//!   sources and ephemeral resources (one generic registration), and the
//!   per-call context.
//! - `rpc`: the tfplugin6 service methods.
//! - `checks`: schema and configuration checks the service makes itself.
//! - `guard`: the panic guard around provider code ([`install_panic_hook`]).

mod checks;
mod guard;
mod rpc;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::protocol::tfplugin6 as proto;
use tokio_util::sync::CancellationToken;

use crate::framework::context::ConfiguredSlot;
use crate::framework::convert::decode_dynamic;
use crate::framework::diag::{Diagnostic, Diagnostics};
use crate::framework::path::AttributePath;
use crate::framework::provider::{
    ClientCapabilities, Context, DataSource, EphemeralResource, Provider, Resource,
};
use crate::framework::schema::Schema;
use crate::framework::types::Type;
use crate::framework::value::Value;

use checks::{check_block, config_checks, unknown_type};
pub use guard::install_panic_hook;

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

/// What the service needs of each kind of type it registers.
trait Registrable: Send + Sync + 'static {
    /// How messages name the kind ("Resource", "Data source", ...).
    const KIND: &'static str;
    fn registered_name(&self) -> &str;
    fn registered_schema(&self) -> Schema;
}

macro_rules! registrable {
    ($($t:ident => $kind:literal),* $(,)?) => {
        $(impl Registrable for dyn $t {
            const KIND: &'static str = $kind;
            fn registered_name(&self) -> &str {
                self.type_name()
            }
            fn registered_schema(&self) -> Schema {
                self.schema()
            }
        })*
    };
}

registrable!(
    Resource => "Resource",
    DataSource => "Data source",
    EphemeralResource => "Ephemeral resource",
);

/// One kind of type, by name: entries, their proto schemas, sorted names.
struct Registry<T: ?Sized> {
    entries: HashMap<String, Entry<T>>,
    schemas: HashMap<String, proto::Schema>,
    names: Vec<String>,
}

impl<T: Registrable + ?Sized> Registry<T> {
    /// Computes each schema once; a name given twice, or a schema mistake,
    /// becomes a diagnostic.
    fn new(items: Vec<Arc<T>>, diags: &mut Diagnostics) -> Self {
        let mut entries = HashMap::new();
        let mut schemas = HashMap::new();
        for imp in items {
            let name = imp.registered_name().to_string();
            let schema = Arc::new(imp.registered_schema());
            check_block(&name, &schema.block, diags);
            if entries.contains_key(&name) {
                diags.error(
                    "Invalid provider",
                    format!("{} type {name:?} is defined twice.", T::KIND),
                );
                continue;
            }
            schemas.insert(name.clone(), schema.to_proto());
            let ty = Arc::new(schema.value_type());
            entries.insert(name, Entry { imp, schema, ty });
        }
        let mut names: Vec<_> = entries.keys().cloned().collect();
        names.sort();
        Registry {
            entries,
            schemas,
            names,
        }
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
    configured: ConfiguredSlot,
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
        let resources = Registry::new(provider.resources(), &mut diags);
        let data_sources = Registry::new(provider.data_sources(), &mut diags);
        let ephemeral = Registry::new(provider.ephemeral_resources(), &mut diags);
        let diag_proto = diags.to_proto();
        let schema_response = proto::get_provider_schema::Response {
            provider: Some(provider_schema.to_proto()),
            resource_schemas: resources.schemas,
            data_source_schemas: data_sources.schemas,
            diagnostics: diag_proto.clone(),
            provider_meta: None,
            server_capabilities: Some(server_capabilities()),
            functions: HashMap::new(),
            ephemeral_resource_schemas: ephemeral.schemas,
        };
        let metadata_response = proto::get_metadata::Response {
            server_capabilities: Some(server_capabilities()),
            diagnostics: diag_proto,
            data_sources: data_sources
                .names
                .into_iter()
                .map(|type_name| proto::get_metadata::DataSourceMetadata { type_name })
                .collect(),
            resources: resources
                .names
                .into_iter()
                .map(|type_name| proto::get_metadata::ResourceMetadata { type_name })
                .collect(),
            functions: Vec::new(),
            ephemeral_resources: ephemeral
                .names
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
                resources: resources.entries,
                data_sources: data_sources.entries,
                ephemeral_resources: ephemeral.entries,
                schema_response,
                metadata_response,
                cancel,
                terraform_version: RwLock::new(None),
                configured: ConfiguredSlot::default(),
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

    /// The context of one call: it shares the service's cancellation token
    /// and configured data.
    fn context(&self, caps: Option<&proto::ClientCapabilities>) -> Context {
        let mut ctx = Context::with_slot(self.inner.cancel.clone(), self.inner.configured.clone());
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
