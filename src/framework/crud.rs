//! [`CrudResource`]: a resource written as typed create/read/update/delete
//! functions that each return `Result<_, Diagnostics>`, and
//! [`CrudAdapter`], the one [`Resource`] implementation for all of them.
//!
//! The adapter reads the request's values into the resource's model,
//! dispatches on [`ApplyKind`], writes the answer back as a value of the
//! schema's type, and merges every diagnostic into the response. On an
//! error the prior state is kept; a read that answers `Ok(None)` (the
//! remote object is gone) drops the resource from the state.
//!
//! Every lifecycle body follows one skeleton: take what `configure` left
//! with `ctx.configured::<T>()?`, call the remote API, map its error to a
//! diagnostic with `map_err`, and build the model to return.
//!
//! A create or update sees the configuration beside the plan
//! ([`Planned`]: write-only values are only in the configuration), may
//! answer warnings with its state ([`Applied`]), and, when it fails after
//! the remote object changed, hands back what now exists
//! ([`Failed::keep`]): Terraform keeps that state (a failed create's
//! object is marked tainted), so nothing is lost. A delete that succeeded
//! may answer warnings too ([`Deleted`]).

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::framework::context::Context;
use crate::framework::diag::{Diagnostic, Diagnostics};
use crate::framework::model::{self, ModelError};
use crate::framework::provider::{
    default_plan, ApplyKind, ApplyRequest, ApplyResponse, ImportRequest, ImportResponse,
    PlanRequest, PlanResponse, ReadRequest, ReadResponse, Resource,
};
use crate::framework::schema::Schema;
use crate::framework::types::Type;
use crate::framework::value::Value;

/// What a create or update is asked to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned<M> {
    /// The planned state (unknowns where the remote side decides).
    pub planned: M,
    /// The configuration as written: it alone carries write-only values.
    pub config: M,
}

/// A create or update that succeeded: the new state, and any warnings.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied<M> {
    /// The new state.
    pub state: M,
    /// Warnings for the user (errors belong in [`Failed`]).
    pub warnings: Diagnostics,
}

impl<M> From<M> for Applied<M> {
    fn from(state: M) -> Self {
        Applied {
            state,
            warnings: Diagnostics::new(),
        }
    }
}

/// A create or update that failed.
#[derive(Debug, Clone, PartialEq)]
pub struct Failed<M> {
    /// What now exists remotely, when the failure came after a change;
    /// `None` keeps the prior state (nothing changed that we know of).
    pub state: Option<M>,
    /// Why (at least one error).
    pub diagnostics: Diagnostics,
}

impl<M> Failed<M> {
    /// A failure after the remote object changed: Terraform keeps `state`
    /// (after a create, marked tainted, so the next apply replaces it).
    pub fn keep(state: M, diagnostics: impl Into<Diagnostics>) -> Self {
        Failed {
            state: Some(state),
            diagnostics: diagnostics.into(),
        }
    }
}

impl<M> From<Diagnostics> for Failed<M> {
    fn from(diagnostics: Diagnostics) -> Self {
        Failed {
            state: None,
            diagnostics,
        }
    }
}

impl<M> From<Diagnostic> for Failed<M> {
    fn from(d: Diagnostic) -> Self {
        Diagnostics::from(d).into()
    }
}

/// What a create or update answers.
pub type Outcome<M> = Result<Applied<M>, Failed<M>>;

/// A delete that succeeded, with any warnings (a step left to the user);
/// `Ok(Deleted::default())` when there is nothing to say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Deleted {
    /// Warnings for the user (errors belong in the `Err` side).
    pub warnings: Diagnostics,
}

impl From<Diagnostic> for Deleted {
    /// A delete that ends with one warning.
    fn from(warning: Diagnostic) -> Self {
        Deleted {
            warnings: warning.into(),
        }
    }
}

/// Where the plan that [`CrudResource::modify_plan`] adjusts starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanStart {
    /// [`default_plan`]: Terraform's proposal, with the computed
    /// attributes the configuration leaves unset unknown on a create.
    Default,
    /// Terraform's proposal as it is, for a resource whose `modify_plan`
    /// says itself what the remote side sets. The proposal is moved into
    /// the plan, not copied: the request's `proposed_new_state` is then
    /// null, and a destroy plan is a null `planned_state`.
    Proposal,
}

/// A managed resource as typed lifecycle functions; wrap it in
/// [`CrudAdapter`] to register it.
#[async_trait]
pub trait CrudResource: Send + Sync + 'static {
    /// The resource's state (and plan) as a struct: one field per
    /// attribute, [`model::Field`] where a plan may hold an unknown.
    type Model: Serialize + DeserializeOwned + Send + Sync + 'static;

    /// Full type name, e.g. `"immuta_integration_api_key"`.
    fn type_name(&self) -> &str;

    /// Schema (called once; the server caches it).
    fn schema(&self) -> Schema;

    /// Validates configuration (may contain unknowns, so it stays a
    /// [`Value`]; read a partial model with `Field`s from it).
    async fn validate(&self, _ctx: &Context, _config: &Value) -> Result<(), Diagnostics> {
        Ok(())
    }

    /// Where the plan given to [`CrudResource::modify_plan`] starts.
    const PLAN_START: PlanStart = PlanStart::Default;

    /// Adjusts the plan the adapter started (see [`CrudResource::PLAN_START`]):
    /// unknowns, `requires_replace`, plan-time checks. Plan-time code sees
    /// unknowns anywhere, so it works on values.
    async fn modify_plan(
        &self,
        _ctx: &Context,
        _req: &PlanRequest,
        _plan: &mut PlanResponse,
    ) -> Result<(), Diagnostics> {
        Ok(())
    }

    /// Creates the remote object from the plan; answers the new state.
    async fn create(&self, ctx: &Context, req: Planned<Self::Model>) -> Outcome<Self::Model>;

    /// Reads the remote object; `Ok(None)` when it is gone (Terraform then
    /// plans to create it again).
    async fn read(
        &self,
        ctx: &Context,
        state: Self::Model,
    ) -> Result<Option<Self::Model>, Diagnostics>;

    /// Updates the remote object from `prior` to the plan; answers the new state.
    async fn update(
        &self,
        ctx: &Context,
        prior: Self::Model,
        req: Planned<Self::Model>,
    ) -> Outcome<Self::Model>;

    /// Deletes the remote object; Terraform then drops it from the state
    /// and shows the answer's warnings.
    async fn delete(&self, ctx: &Context, state: Self::Model) -> Result<Deleted, Diagnostics>;

    /// The state to import for `id` (Terraform reads it right after).
    /// Default: import is not supported.
    async fn import(&self, _ctx: &Context, _id: &str) -> Result<Self::Model, Diagnostics> {
        Err(Diagnostic::error(
            "Import not supported",
            format!("Resource type {} cannot be imported.", self.type_name()),
        )
        .into())
    }
}

/// The [`Resource`] of a [`CrudResource`].
pub struct CrudAdapter<R> {
    inner: R,
    ty: OnceLock<Type>,
}

impl<R: CrudResource> CrudAdapter<R> {
    /// Wraps `resource`.
    pub fn new(resource: R) -> Self {
        CrudAdapter {
            inner: resource,
            ty: OnceLock::new(),
        }
    }

    /// Wraps `resource`, ready to register with a provider.
    pub fn shared(resource: R) -> Arc<dyn Resource> {
        Arc::new(Self::new(resource))
    }

    /// The wrapped resource.
    pub fn inner(&self) -> &R {
        &self.inner
    }

    /// The schema's value type, computed once.
    fn ty(&self, schema: &Schema) -> &Type {
        self.ty.get_or_init(|| schema.value_type())
    }

    fn write(&self, schema: &Schema, m: &R::Model) -> Result<Value, Diagnostics> {
        model::to_value(m, self.ty(schema)).map_err(|e| provider_bug(&e))
    }

    async fn create_or_update(
        &self,
        ctx: &Context,
        req: &ApplyRequest,
        kind: ApplyKind,
    ) -> Outcome<R::Model> {
        let planned = Planned {
            planned: read_model(&req.planned_state)?,
            config: read_model(&req.config)?,
        };
        if kind == ApplyKind::Create {
            self.inner.create(ctx, planned).await
        } else {
            let prior = read_model(&req.prior_state)?;
            self.inner.update(ctx, prior, planned).await
        }
    }

    async fn delete(&self, ctx: &Context, req: &ApplyRequest) -> Result<Deleted, Diagnostics> {
        let state = read_model(&req.prior_state)?;
        self.inner.delete(ctx, state).await
    }

    /// The state and diagnostics Terraform gets for a create or update:
    /// the new state, what a failure kept, or else the prior state.
    fn settle(&self, req: &ApplyRequest, outcome: Outcome<R::Model>) -> (Value, Diagnostics) {
        let (state, mut diagnostics) = match outcome {
            Ok(applied) => (Some(applied.state), applied.warnings),
            Err(failed) => (failed.state, failed.diagnostics),
        };
        match state.map(|m| self.write(&req.schema, &m)) {
            Some(Ok(v)) => (v, diagnostics),
            Some(Err(d)) => {
                diagnostics.extend(d);
                (req.prior_state.clone(), diagnostics)
            }
            // Nothing changed that we know of: keep what Terraform had.
            None => (req.prior_state.clone(), diagnostics),
        }
    }
}

/// A model the schema's type does not accept is the provider's mistake.
fn provider_bug(e: &ModelError) -> Diagnostics {
    let mut d = e.to_diagnostic();
    d.summary = "Provider returned an invalid state".to_string();
    d.detail = format!("{} This is a bug in the provider.", d.detail);
    d.into()
}

fn read_model<M: DeserializeOwned>(v: &Value) -> Result<M, Diagnostics> {
    model::from_value(v).map_err(Diagnostics::from)
}

#[async_trait]
impl<R: CrudResource> Resource for CrudAdapter<R> {
    fn type_name(&self) -> &str {
        self.inner.type_name()
    }

    fn schema(&self) -> Schema {
        self.inner.schema()
    }

    async fn validate(&self, ctx: &Context, config: &Value) -> Diagnostics {
        self.inner
            .validate(ctx, config)
            .await
            .err()
            .unwrap_or_default()
    }

    async fn plan(&self, ctx: &Context, mut req: PlanRequest) -> PlanResponse {
        let mut plan = match R::PLAN_START {
            PlanStart::Default => default_plan(&req),
            PlanStart::Proposal => PlanResponse {
                planned_state: std::mem::take(&mut req.proposed_new_state),
                requires_replace: Vec::new(),
                planned_private: std::mem::take(&mut req.prior_private),
                diagnostics: Diagnostics::new(),
            },
        };
        if let Err(d) = self.inner.modify_plan(ctx, &req, &mut plan).await {
            plan.diagnostics.extend(d);
        }
        plan
    }

    async fn apply(&self, ctx: &Context, req: ApplyRequest) -> ApplyResponse {
        let (new_state, diagnostics) = match req.kind() {
            ApplyKind::Delete => match self.delete(ctx, &req).await {
                Ok(deleted) => (Value::Null, deleted.warnings),
                Err(d) => (req.prior_state.clone(), d),
            },
            kind => self.settle(&req, self.create_or_update(ctx, &req, kind).await),
        };
        ApplyResponse {
            new_state,
            private: req.planned_private,
            diagnostics,
        }
    }

    async fn read(&self, ctx: &Context, req: ReadRequest) -> ReadResponse {
        let result = async {
            let state = read_model(&req.current_state)?;
            match self.inner.read(ctx, state).await? {
                Some(m) => self.write(&req.schema, &m),
                None => Ok(Value::Null),
            }
        }
        .await;
        let (new_state, diagnostics) = match result {
            Ok(v) => (v, Diagnostics::new()),
            Err(d) => (req.current_state, d),
        };
        ReadResponse {
            new_state,
            private: req.private,
            diagnostics,
        }
    }

    async fn import(&self, ctx: &Context, req: ImportRequest) -> ImportResponse {
        let result = async {
            let m = self.inner.import(ctx, &req.id).await?;
            self.write(&req.schema, &m)
        }
        .await;
        match result {
            Ok(state) => ImportResponse {
                state,
                ..ImportResponse::default()
            },
            Err(diagnostics) => ImportResponse {
                diagnostics,
                ..ImportResponse::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use serde::Deserialize;

    use super::*;
    use crate::framework::model::{assert_model_matches_schema, Field};
    use crate::framework::schema::{Attribute, Block};

    /// A remote store the test resource keeps its notes in.
    #[derive(Default)]
    struct Store(Mutex<BTreeMap<String, String>>);

    struct Notes;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Note {
        id: Field<String>,
        text: String,
    }

    fn not_found() -> Diagnostics {
        Diagnostic::error("Note not found", "").into()
    }

    #[async_trait]
    impl CrudResource for Notes {
        type Model = Note;

        fn type_name(&self) -> &str {
            "test_note"
        }

        fn schema(&self) -> Schema {
            Schema::new(Block::new(vec![
                Attribute::string("id").computed(),
                Attribute::string("text").required(),
            ]))
        }

        async fn create(&self, ctx: &Context, req: Planned<Note>) -> Outcome<Note> {
            let store = ctx.configured::<Store>()?;
            let mut notes = store.0.lock().map_err(|_| not_found())?;
            let id = format!("n{}", notes.len() + 1);
            // The configuration's text, as a write-only value would be read.
            notes.insert(id.clone(), req.config.text.clone());
            let state = Note {
                id: Field::Known(id),
                ..req.planned
            };
            match state.text.as_str() {
                // Created, then a later step failed: the note is kept.
                "fail after" => Err(Failed::keep(state, Diagnostic::error("Not ready", ""))),
                "warn" => Ok(Applied {
                    state,
                    warnings: Diagnostic::warning("Careful", "").into(),
                }),
                _ => Ok(state.into()),
            }
        }

        async fn read(&self, ctx: &Context, state: Note) -> Result<Option<Note>, Diagnostics> {
            let store = ctx.configured::<Store>()?;
            let notes = store.0.lock().map_err(|_| not_found())?;
            let id = state.id.known().cloned().unwrap_or_default();
            Ok(notes.get(&id).map(|text| Note {
                text: text.clone(),
                ..state
            }))
        }

        async fn update(&self, _ctx: &Context, _p: Note, _n: Planned<Note>) -> Outcome<Note> {
            Err(not_found().into())
        }

        async fn delete(&self, ctx: &Context, state: Note) -> Result<Deleted, Diagnostics> {
            let store = ctx.configured::<Store>()?;
            let id = state.id.known().cloned().unwrap_or_default();
            let removed = store.0.lock().map_err(|_| not_found())?.remove(&id);
            match removed.ok_or_else(not_found)?.as_str() {
                // Deleted, with a step left to the user.
                "warn" => Ok(Diagnostic::warning("Clean up", "").into()),
                _ => Ok(Deleted::default()),
            }
        }
    }

    fn adapter() -> (CrudAdapter<Notes>, Arc<Schema>) {
        let a = CrudAdapter::new(Notes);
        let schema = Arc::new(a.schema());
        (a, schema)
    }

    fn configured() -> Context {
        let ctx = Context::default();
        ctx.set_configured(Store::default());
        ctx
    }

    fn apply(schema: &Arc<Schema>, prior: Value, planned: Value) -> ApplyRequest {
        ApplyRequest {
            schema: schema.clone(),
            prior_state: prior,
            config: planned.clone(),
            planned_state: planned,
            planned_private: b"p".to_vec(),
        }
    }

    #[test]
    fn the_model_matches_the_schema() {
        assert_model_matches_schema::<Note>(&adapter().1.block);
    }

    #[tokio::test]
    async fn create_read_delete_and_a_gone_object() {
        let (a, schema) = adapter();
        let ctx = configured();
        let planned = Value::object([("id", Value::Unknown), ("text", Value::from("hi"))]);
        let resp = a.apply(&ctx, apply(&schema, Value::Null, planned)).await;
        assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
        assert_eq!(resp.new_state.attr("id").as_str(), Some("n1"));
        assert_eq!(resp.private, b"p");
        let state = resp.new_state;

        let read = ReadRequest {
            schema: schema.clone(),
            current_state: state.clone(),
            private: Vec::new(),
        };
        let resp = a.read(&ctx, read.clone()).await;
        assert_eq!(resp.new_state, state);

        let resp = a
            .apply(&ctx, apply(&schema, state.clone(), Value::Null))
            .await;
        assert!(resp.diagnostics.is_empty());
        assert!(resp.new_state.is_null());
        // Gone: the read drops it.
        let resp = a.read(&ctx, read).await;
        assert!(resp.new_state.is_null() && resp.diagnostics.is_empty());
        // A failed delete keeps the prior state and reports why.
        let resp = a
            .apply(&ctx, apply(&schema, state.clone(), Value::Null))
            .await;
        assert_eq!(resp.new_state, state);
        assert_eq!(
            resp.diagnostics.iter().next().unwrap().summary,
            "Note not found"
        );
    }

    #[tokio::test]
    async fn errors_keep_the_prior_state_and_name_the_attribute() {
        let (a, schema) = adapter();
        // Not configured: the diagnostic from the context.
        let planned = Value::object([("id", Value::Unknown), ("text", Value::from("hi"))]);
        let resp = a
            .apply(&Context::default(), apply(&schema, Value::Null, planned))
            .await;
        assert!(resp.new_state.is_null());
        let d = resp.diagnostics.iter().next().unwrap();
        assert_eq!(d.summary, "Provider not configured");
        // A state the model cannot read: kept as it was, with the path.
        let bad = Value::object([("id", Value::from("n1")), ("text", Value::int(3))]);
        let read = ReadRequest {
            schema,
            current_state: bad.clone(),
            private: b"x".to_vec(),
        };
        let resp = a.read(&configured(), read).await;
        assert_eq!(resp.new_state, bad);
        assert_eq!(resp.private, b"x");
        let d = resp.diagnostics.iter().next().unwrap();
        assert_eq!(d.attribute.as_ref().unwrap().to_string(), "text");
    }

    #[tokio::test]
    async fn a_create_that_fails_after_creating_keeps_its_state_and_warnings_reach_terraform() {
        let (a, schema) = adapter();
        let ctx = configured();
        let planned =
            |text: &str| Value::object([("id", Value::Unknown), ("text", Value::from(text))]);
        let resp = a
            .apply(&ctx, apply(&schema, Value::Null, planned("fail after")))
            .await;
        assert_eq!(resp.new_state.attr("id").as_str(), Some("n1"));
        let d = resp.diagnostics.iter().next().unwrap();
        assert_eq!((d.summary.as_str(), d.is_error()), ("Not ready", true));

        let resp = a
            .apply(&ctx, apply(&schema, Value::Null, planned("warn")))
            .await;
        assert_eq!(resp.new_state.attr("id").as_str(), Some("n2"));
        let d = resp.diagnostics.iter().next().unwrap();
        assert_eq!((d.summary.as_str(), d.is_error()), ("Careful", false));

        // A failure before anything changed keeps the prior state.
        let state = resp.new_state;
        let resp = a
            .apply(&ctx, apply(&schema, state.clone(), planned("other")))
            .await;
        assert_eq!(resp.new_state, state);
        assert_eq!(
            resp.diagnostics.iter().next().unwrap().summary,
            "Note not found"
        );
    }

    #[tokio::test]
    async fn a_delete_that_warns_drops_the_state_and_the_warning_reaches_terraform() {
        let (a, schema) = adapter();
        let ctx = configured();
        let planned = Value::object([("id", Value::Unknown), ("text", Value::from("warn"))]);
        let state = a
            .apply(&ctx, apply(&schema, Value::Null, planned))
            .await
            .new_state;
        let resp = a.apply(&ctx, apply(&schema, state, Value::Null)).await;
        assert!(resp.new_state.is_null(), "{:?}", resp.new_state);
        let d: Vec<_> = resp.diagnostics.iter().collect();
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            (d[0].summary.as_str(), d[0].is_error()),
            ("Clean up", false)
        );
        assert_eq!(resp.private, b"p");
    }

    #[tokio::test]
    async fn create_sees_the_configuration() {
        let (a, schema) = adapter();
        let ctx = configured();
        let planned = Value::object([("id", Value::Unknown), ("text", Value::from("plan"))]);
        let mut req = apply(&schema, Value::Null, planned);
        req.config.set_attr("text", Value::from("config"));
        let resp = a.apply(&ctx, req).await;
        let id = resp.new_state.attr("id").as_str().unwrap().to_string();
        let store = ctx.configured::<Store>().unwrap();
        assert_eq!(store.0.lock().unwrap()[&id], "config");
    }

    #[tokio::test]
    async fn plan_is_the_default_and_import_defaults_to_refusal() {
        let (a, schema) = adapter();
        let config = Value::object([("id", Value::Null), ("text", Value::from("hi"))]);
        let plan = PlanRequest {
            schema: schema.clone(),
            prior_state: Value::Null,
            proposed_new_state: config.clone(),
            config: Arc::new(config),
            prior_private: Vec::new(),
        };
        let resp = a.plan(&Context::default(), plan).await;
        assert!(resp.planned_state.attr("id").is_unknown());
        let import = ImportRequest {
            schema,
            id: "n1".into(),
        };
        let resp = a.import(&Context::default(), import).await;
        assert_eq!(
            resp.diagnostics.iter().next().unwrap().summary,
            "Import not supported"
        );
    }
}
