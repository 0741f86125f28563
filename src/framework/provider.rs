//! Traits a provider implements (`Provider`, `Resource`, `DataSource`,
//! `EphemeralResource`) and their request/response types.

use std::sync::Arc;

pub use crate::framework::context::{ClientCapabilities, Context};
use crate::framework::diag::{Diagnostic, Diagnostics};
use crate::framework::json::{self, JsonOptions};
use crate::framework::path::AttributePath;
use crate::framework::plan::mark_computed_unknown;
use crate::framework::schema::Schema;
use crate::framework::types::Type;
use crate::framework::value::Value;
use async_trait::async_trait;

/// A provider: its configuration schema and the resources it offers.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// Type name prefix, e.g. `"immuta"`.
    fn type_name(&self) -> &str;

    /// Schema of the provider block.
    fn schema(&self) -> Schema;

    /// Validates the provider configuration (may contain unknowns).
    async fn validate(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Configures the provider (builds clients etc.).
    async fn configure(&self, ctx: &Context, config: &Value) -> Diagnostics;

    /// All resources; called once when the server is built.
    fn resources(&self) -> Vec<Arc<dyn Resource>>;

    /// All data sources; called once when the server is built.
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }

    /// All ephemeral resources (Terraform 1.10 and later); called once when
    /// the server is built.
    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        Vec::new()
    }
}

/// Input of [`Resource::plan`].
#[derive(Debug, Clone)]
pub struct PlanRequest {
    /// The resource schema.
    pub schema: Arc<Schema>,
    /// State before the change (null on create).
    pub prior_state: Value,
    /// Terraform's proposal: configuration merged with prior computed values.
    pub proposed_new_state: Value,
    /// Configuration as written (may contain unknowns); shared with the
    /// server, which holds the plan to it afterwards.
    pub config: Arc<Value>,
    /// Private data from the prior state.
    pub prior_private: Vec<u8>,
}

impl PlanRequest {
    /// Whether this is a create (no prior state).
    pub fn is_create(&self) -> bool {
        self.prior_state.is_null()
    }

    /// Whether the proposal differs from the prior state at all (false on create).
    pub fn has_changes(&self) -> bool {
        !self.is_create() && self.prior_state != self.proposed_new_state
    }

    /// Whether the value at `path` differs between prior state and proposal.
    pub fn changed(&self, path: &AttributePath) -> bool {
        self.prior_state.at(path) != self.proposed_new_state.at(path)
    }

    /// Those of `paths` that change in an update (for `requires_replace`);
    /// empty on create.
    pub fn changed_paths(&self, paths: &[AttributePath]) -> Vec<AttributePath> {
        if self.is_create() {
            return Vec::new();
        }
        paths.iter().filter(|p| self.changed(p)).cloned().collect()
    }
}

/// Output of [`Resource::plan`].
#[derive(Debug, Clone, Default)]
pub struct PlanResponse {
    /// Planned new state (unknown where the value is known only after apply).
    pub planned_state: Value,
    /// Attributes whose change forces replacement.
    pub requires_replace: Vec<AttributePath>,
    /// Private data to carry to apply.
    pub planned_private: Vec<u8>,
    /// Diagnostics.
    pub diagnostics: Diagnostics,
}

/// Input of [`Resource::apply`].
#[derive(Debug, Clone)]
pub struct ApplyRequest {
    /// The resource schema.
    pub schema: Arc<Schema>,
    /// State before (null on create).
    pub prior_state: Value,
    /// Planned state (null on delete).
    pub planned_state: Value,
    /// Configuration (null on delete).
    pub config: Value,
    /// Private data from the plan.
    pub planned_private: Vec<u8>,
}

/// What an apply does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyKind {
    /// Prior state is null.
    Create,
    /// Both prior and planned state are set.
    Update,
    /// Planned state is null.
    Delete,
}

impl ApplyRequest {
    /// Create, update or delete.
    pub fn kind(&self) -> ApplyKind {
        if self.planned_state.is_null() {
            ApplyKind::Delete
        } else if self.prior_state.is_null() {
            ApplyKind::Create
        } else {
            ApplyKind::Update
        }
    }
}

/// Output of [`Resource::apply`].
#[derive(Debug, Clone, Default)]
pub struct ApplyResponse {
    /// New state: fully known; null after a delete (or a failed create).
    pub new_state: Value,
    /// Private data to store.
    pub private: Vec<u8>,
    /// Diagnostics.
    pub diagnostics: Diagnostics,
}

/// Input of [`Resource::read`].
#[derive(Debug, Clone)]
pub struct ReadRequest {
    /// The resource schema.
    pub schema: Arc<Schema>,
    /// Stored state.
    pub current_state: Value,
    /// Stored private data.
    pub private: Vec<u8>,
}

/// Output of [`Resource::read`].
#[derive(Debug, Clone, Default)]
pub struct ReadResponse {
    /// Refreshed state; [`Value::Null`] when the remote object is gone.
    pub new_state: Value,
    /// Private data to store.
    pub private: Vec<u8>,
    /// Diagnostics.
    pub diagnostics: Diagnostics,
}

/// Input of [`Resource::import`].
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// The resource schema.
    pub schema: Arc<Schema>,
    /// The user-given import ID.
    pub id: String,
}

/// Output of [`Resource::import`]; Terraform calls `read` on the state afterwards.
#[derive(Debug, Clone, Default)]
pub struct ImportResponse {
    /// Imported state (at least enough for `read`).
    pub state: Value,
    /// Private data.
    pub private: Vec<u8>,
    /// Diagnostics.
    pub diagnostics: Diagnostics,
}

/// Input of [`Resource::upgrade_state`].
#[derive(Debug, Clone)]
pub struct UpgradeRequest {
    /// The current resource schema.
    pub schema: Arc<Schema>,
    /// Its value type, computed once per process (building it walks the
    /// whole schema; Terraform upgrades every instance's state in every
    /// plan).
    pub value_type: Arc<Type>,
    /// Version the stored state was written with.
    pub from_version: i64,
    /// Stored state as JSON.
    pub raw_json: Vec<u8>,
}

/// A managed resource type.
#[async_trait]
pub trait Resource: Send + Sync + 'static {
    /// Full type name, e.g. `"immuta_integration"`.
    fn type_name(&self) -> &str;

    /// Schema (called once; the server caches it).
    fn schema(&self) -> Schema;

    /// Validates configuration (may contain unknowns).
    async fn validate(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Plans a create or update. Default: [`default_plan`].
    async fn plan(&self, _ctx: &Context, req: PlanRequest) -> PlanResponse {
        default_plan(&req)
    }

    /// Creates (prior null), updates, or deletes (planned null).
    async fn apply(&self, ctx: &Context, req: ApplyRequest) -> ApplyResponse;

    /// Refreshes state from the remote system.
    async fn read(&self, ctx: &Context, req: ReadRequest) -> ReadResponse;

    /// Imports by ID. Default: not supported (error).
    async fn import(&self, _ctx: &Context, req: ImportRequest) -> ImportResponse {
        let _ = req;
        ImportResponse {
            diagnostics: Diagnostic::error(
                "Import not supported",
                format!("Resource type {} cannot be imported.", self.type_name()),
            )
            .into(),
            ..ImportResponse::default()
        }
    }

    /// Upgrades stored state to the current schema version.
    /// Default: [`default_upgrade_state`].
    async fn upgrade_state(
        &self,
        _ctx: &Context,
        req: UpgradeRequest,
    ) -> Result<Value, Diagnostics> {
        default_upgrade_state(&req)
    }
}

/// Input of [`DataSource::read`].
#[derive(Debug, Clone)]
pub struct DataReadRequest {
    /// The data source schema.
    pub schema: Arc<Schema>,
    /// Configuration (fully known).
    pub config: Value,
}

/// Output of [`DataSource::read`].
#[derive(Debug, Clone, Default)]
pub struct DataReadResponse {
    /// Resulting state (configuration plus computed values).
    pub state: Value,
    /// Diagnostics.
    pub diagnostics: Diagnostics,
}

/// A data source type.
#[async_trait]
pub trait DataSource: Send + Sync + 'static {
    /// Full type name, e.g. `"immuta_integration"`.
    fn type_name(&self) -> &str;

    /// Schema (called once; the server caches it).
    fn schema(&self) -> Schema;

    /// Validates configuration (may contain unknowns).
    async fn validate(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Reads the data.
    async fn read(&self, ctx: &Context, req: DataReadRequest) -> DataReadResponse;
}

/// Input of [`EphemeralResource::open`].
#[derive(Debug, Clone)]
pub struct OpenRequest {
    /// The ephemeral resource's schema.
    pub schema: Arc<Schema>,
    /// Configuration (may contain unknowns during a plan).
    pub config: Value,
}

/// Output of [`EphemeralResource::open`].
#[derive(Debug, Clone, Default)]
pub struct OpenResponse {
    /// The result: configuration plus computed values. Terraform keeps it
    /// in memory for the run only, never in plan or state.
    pub result: Value,
    /// Opaque data handed back to `renew` and `close`.
    pub private: Option<Vec<u8>>,
    /// When Terraform should call `renew` (none: never).
    pub renew_at: Option<std::time::SystemTime>,
    /// Diagnostics.
    pub diagnostics: Diagnostics,
}

/// Output of [`EphemeralResource::renew`].
#[derive(Debug, Clone, Default)]
pub struct RenewResponse {
    /// New private data (none: keep none).
    pub private: Option<Vec<u8>>,
    /// When to renew again (none: never).
    pub renew_at: Option<std::time::SystemTime>,
    /// Diagnostics.
    pub diagnostics: Diagnostics,
}

/// An ephemeral resource type (Terraform 1.10 and later): opened when a
/// run needs its result, renewed when it asks to be, closed at the end of
/// the run. Its result is never written to a plan or a state.
#[async_trait]
pub trait EphemeralResource: Send + Sync + 'static {
    /// Full type name, e.g. `"immuta_integration_script"`.
    fn type_name(&self) -> &str;

    /// Schema (called once; the server caches it).
    fn schema(&self) -> Schema;

    /// Validates configuration (may contain unknowns).
    async fn validate(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Opens it: produces the result.
    async fn open(&self, ctx: &Context, req: OpenRequest) -> OpenResponse;

    /// Renews it, with the private data of the last open or renew.
    async fn renew(&self, _ctx: &Context, private: Option<Vec<u8>>) -> RenewResponse {
        RenewResponse {
            private,
            ..Default::default()
        }
    }

    /// Closes it, with the private data of the last open or renew.
    async fn close(&self, _ctx: &Context, _private: Option<Vec<u8>>) -> Diagnostics {
        Diagnostics::new()
    }
}

/// Default planning: the proposed new state, with computed attributes that
/// are unset in configuration marked unknown on create. Prior private data is kept.
pub fn default_plan(req: &PlanRequest) -> PlanResponse {
    let mut planned = req.proposed_new_state.clone();
    if req.is_create() {
        mark_computed_unknown(&req.schema.block, &req.config, &mut planned);
    }
    PlanResponse {
        planned_state: planned,
        requires_replace: Vec::new(),
        planned_private: req.prior_private.clone(),
        diagnostics: Diagnostics::new(),
    }
}

/// Default state upgrade: state of the current version is decoded with the
/// current schema (attributes no longer in the schema are dropped); any other
/// version is an error.
pub fn default_upgrade_state(req: &UpgradeRequest) -> Result<Value, Diagnostics> {
    if req.from_version != req.schema.version {
        return Err(Diagnostic::error(
            "Unsupported state version",
            format!(
                "Stored state has schema version {}, and this provider cannot upgrade it to version {}.",
                req.from_version, req.schema.version
            ),
        )
        .into());
    }
    json::decode_with(
        &req.raw_json,
        &req.value_type,
        JsonOptions {
            ignore_undefined_attributes: true,
        },
    )
    .map_err(|e| {
        Diagnostic::error(
            "Cannot read stored state",
            format!("The stored state does not match the schema: {e}."),
        )
        .into()
    })
}

/// An import helper: a state with only the `id` attribute set (the rest
/// null), for resources whose `read` can fill everything from the ID.
pub fn import_passthrough_id(req: &ImportRequest) -> ImportResponse {
    if req.schema.block.attribute("id").is_none() {
        return ImportResponse {
            diagnostics: Diagnostic::error(
                "Import not supported",
                "This resource has no id attribute.",
            )
            .into(),
            ..ImportResponse::default()
        };
    }
    let mut state = Value::object(
        req.schema
            .block
            .attributes
            .iter()
            .map(|a| (a.name.clone(), Value::Null)),
    );
    state.set_attr("id", Value::string(req.id.clone()));
    ImportResponse {
        state,
        ..ImportResponse::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::{Attribute, Block};

    fn schema() -> Arc<Schema> {
        Arc::new(
            Schema::new(Block::new(vec![
                Attribute::string("id").computed(),
                Attribute::string("name").required(),
            ]))
            .version(2),
        )
    }

    #[test]
    fn default_plan_and_changed_paths() {
        let cfg = Value::object([("name", Value::from("a"))]);
        let create = PlanRequest {
            schema: schema(),
            prior_state: Value::Null,
            proposed_new_state: cfg.clone().with_attr("id", Value::Null),
            config: Arc::new(cfg.clone()),
            prior_private: b"x".to_vec(),
        };
        let resp = default_plan(&create);
        assert!(resp.planned_state.attr("id").is_unknown());
        assert_eq!(resp.planned_private, b"x");
        assert!(create.changed_paths(&["name".into()]).is_empty());
        let prior = Value::object([("id", Value::from("1")), ("name", Value::from("a"))]);
        let update = PlanRequest {
            prior_state: prior.clone(),
            proposed_new_state: prior.clone().with_attr("name", Value::from("b")),
            config: Arc::new(Value::object([("name", Value::from("b"))])),
            ..create
        };
        assert!(update.has_changes());
        assert_eq!(
            update.changed_paths(&["name".into(), "id".into()]),
            vec![AttributePath::new("name")]
        );
        let resp = default_plan(&update);
        assert_eq!(resp.planned_state.attr("id").as_str(), Some("1"));
    }

    #[test]
    fn default_upgrade_same_version_only() {
        let schema = schema();
        let req = UpgradeRequest {
            value_type: Arc::new(schema.value_type()),
            schema,
            from_version: 2,
            raw_json: br#"{"id":"1","name":"n","gone":3}"#.to_vec(),
        };
        let v = default_upgrade_state(&req).unwrap();
        assert_eq!(v.attr("name").as_str(), Some("n"));
        assert!(v.get_attr("gone").is_none());
        let old = UpgradeRequest {
            from_version: 1,
            ..req
        };
        assert!(default_upgrade_state(&old).unwrap_err().has_errors());
    }
}
