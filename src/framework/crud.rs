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

    /// Adjusts the plan the adapter made with [`default_plan`] (unknowns,
    /// `requires_replace`, plan-time checks). Plan-time code sees unknowns
    /// anywhere, so it works on values.
    async fn modify_plan(
        &self,
        _ctx: &Context,
        _req: &PlanRequest,
        _plan: &mut PlanResponse,
    ) -> Result<(), Diagnostics> {
        Ok(())
    }

    /// Creates the remote object from the planned model; returns the new state.
    async fn create(&self, ctx: &Context, planned: Self::Model)
        -> Result<Self::Model, Diagnostics>;

    /// Reads the remote object; `Ok(None)` when it is gone (Terraform then
    /// plans to create it again).
    async fn read(
        &self,
        ctx: &Context,
        state: Self::Model,
    ) -> Result<Option<Self::Model>, Diagnostics>;

    /// Updates the remote object from `prior` to `planned`; returns the new state.
    async fn update(
        &self,
        ctx: &Context,
        prior: Self::Model,
        planned: Self::Model,
    ) -> Result<Self::Model, Diagnostics>;

    /// Deletes the remote object.
    async fn delete(&self, ctx: &Context, state: Self::Model) -> Result<(), Diagnostics>;

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

    async fn plan(&self, ctx: &Context, req: PlanRequest) -> PlanResponse {
        let mut plan = default_plan(&req);
        if let Err(d) = self.inner.modify_plan(ctx, &req, &mut plan).await {
            plan.diagnostics.extend(d);
        }
        plan
    }

    async fn apply(&self, ctx: &Context, req: ApplyRequest) -> ApplyResponse {
        let kind = req.kind();
        let result = async {
            match kind {
                ApplyKind::Create => {
                    let planned = read_model(&req.planned_state)?;
                    let m = self.inner.create(ctx, planned).await?;
                    self.write(&req.schema, &m)
                }
                ApplyKind::Update => {
                    let prior = read_model(&req.prior_state)?;
                    let planned = read_model(&req.planned_state)?;
                    let m = self.inner.update(ctx, prior, planned).await?;
                    self.write(&req.schema, &m)
                }
                ApplyKind::Delete => {
                    let state = read_model(&req.prior_state)?;
                    self.inner.delete(ctx, state).await?;
                    Ok(Value::Null)
                }
            }
        }
        .await;
        let (new_state, diagnostics) = match result {
            Ok(v) => (v, Diagnostics::new()),
            // Nothing changed that we know of: keep what Terraform had.
            Err(d) => (req.prior_state.clone(), d),
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
