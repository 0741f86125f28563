//! `immuta_connection`: a Snowflake, Databricks Unity Catalog or AWS Lake
//! Formation connection (`/data/connection`), the way Immuta registers a
//! data platform on tenants created after 2025-02-26.
//!
//! Lifecycle, in Immuta's terms (`docs/immuta-api-assumptions.md`,
//! Connections):
//! - before the create (Snowflake, Databricks): the set-up script is the
//!   user's step, from the `immuta_integration_script` data source or
//!   ephemeral resource (`action = "create"`, the same block);
//! - create: `POST /data/connection` (never auto-bootstrapped), the native
//!   integration's id from the answer or a `GET`; the key and the id go
//!   into state before the waits (for `enabled`, and for the bulk job an
//!   answer names), so a failed wait leaves a tainted resource;
//! - read: `GET /data/connection/{key}`; 404 drops it; secrets Immuta
//!   redacts keep their state value;
//! - update: `PUT /data/connection/{key}` with the whole body when the
//!   technology's block changed, `PUT /data/settings/{key}` when the
//!   settings did, each waited on; a change of key or technology replaces;
//! - delete, in Immuta's order: the removal script is requested
//!   (`POST /integrations/{id}/scripts/delete`, Snowflake and Databricks),
//!   then `DELETE /data/object/{key}` (404: already gone) and its bulk job,
//!   if any, waited on; a warning then tells the user to run the removal
//!   script and where to get it (it may hold credentials, so it is never
//!   printed);
//! - import by connection key. No plan-time dry run: `/data` has none.
//!
//! # Layout
//! - `mod.rs`: the lifecycle.
//! - `schema`: the schema and the checks of a connection key.
//! - `model`: [`ConnectionModel`] and the converters.

mod model;
mod schema;

pub use model::{ConnectionModel, SettingsModel, Tech};
pub use schema::schema;

use crate::framework::model::Field;
use crate::framework::plan::propose;
use crate::framework::{
    Attribute, AttributePath, Context, CrudAdapter, CrudResource, Deleted, Diagnostic, Diagnostics,
    Resource, Schema, Value,
};
use crate::framework::{Failed, Outcome, PlanRequest, PlanResponse, Planned};
use crate::integration::connection::{set_settings, SettingsError};
use crate::integration::lake_formation;
use crate::provider_data::Configured;
use async_trait::async_trait;
use immuta_api::ScriptKind;
use immuta_client::{wait_for, wait_for_job, ClientError, ImmutaClient, WaitOptions, WaitTarget};
use model::{native_of, request_body, settings_body, tech_of, techs_set, to_state, Op};
use schema::{check_key, key_path};
use std::time::Duration;

/// The resource's type name.
pub const TYPE_NAME: &str = "immuta_connection";

// ===========================================================================
// Converters of errors

fn client_error(summary: String, e: &ClientError) -> Diagnostic {
    crate::client_errors::diagnostic(summary, e)
}

fn wait_options(ctx: &Context, timeout: Duration) -> WaitOptions {
    WaitOptions::new(timeout, ctx.cancellation_token().clone())
}

// ===========================================================================
// Lifecycle

/// The `immuta_connection` resource, ready to register.
pub fn resource() -> std::sync::Arc<dyn Resource> {
    CrudAdapter::shared(ConnectionResource)
}

/// The warning a destroy of a connection with a removal script ends with:
/// the user's step, and where to get the script (never printed: it may
/// hold credentials).
fn removal_warning(m: &ConnectionModel) -> Option<Diagnostic> {
    let t = m.tech().filter(|t| t.technology().has_scripts())?;
    let key = m.key()?;
    let id = m.native_id().unwrap_or("<native_integration_id>");
    Some(Diagnostic::warning(
        format!(
            "Run Immuta's removal script for connection {key} in {}",
            t.technology()
        ),
        format!(
            "Immuta deleted connection {key} and its native integration {id}; the objects \
             Immuta created in {} (its database or catalog, role and grants) stay until you \
             run Immuta's removal script there. It is not shown here: it may hold \
             credentials. Immuta generates it only while the integration exists, so get it \
             before a destroy with data \"immuta_integration_script\" (action = \"delete\", \
             integration_id = {TYPE_NAME}.<name>.native_integration_id) or the ephemeral \
             resource of that name; afterwards, an Immuta administrator can still remove the \
             objects by hand.",
            t.technology()
        ),
    ))
}

/// The `immuta_connection` resource (see [`resource`]).
pub struct ConnectionResource;

/// Waits for what a create or an update started: the native integration
/// to be enabled (when its id is known) and the bulk job the answer named.
async fn wait_done(
    client: &ImmutaClient,
    ctx: &Context,
    native_id: Option<&str>,
    bulk_id: Option<&str>,
    timeout: Duration,
) -> Result<(), String> {
    if let Some(id) = native_id {
        wait_for(client, id, WaitTarget::Enabled, wait_options(ctx, timeout))
            .await
            .map_err(|e| e.to_string())?;
    }
    if let Some(bulk) = bulk_id {
        wait_for_job(client, bulk, wait_options(ctx, timeout))
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The state after a change: Immuta's answer read against `planned`, with
/// the planned settings (Immuta accepted them) where the plan knew them.
async fn read_back(
    client: &ImmutaClient,
    key: &str,
    planned: &ConnectionModel,
) -> Result<ConnectionModel, Diagnostic> {
    let answer = client.get_connection(key).await.map_err(|e| {
        client_error(
            format!("Could not read connection {key} after the change"),
            &e,
        )
    })?;
    let mut state = to_state(&answer, planned)?;
    if let (Field::Known(p), Field::Known(s)) = (&planned.settings, &mut state.settings) {
        if p.is_active.known().is_some() {
            s.is_active = p.is_active.clone();
        }
        if p.activate_new_children.known().is_some() {
            s.activate_new_children = p.activate_new_children.clone();
        }
    }
    state.unknowns_to_null();
    Ok(state)
}

/// Sets the root's settings and waits for the bulk job.
async fn set_root_settings(
    client: &ImmutaClient,
    ctx: &Context,
    key: &str,
    planned: &ConnectionModel,
    timeout: Duration,
) -> Result<(), Diagnostic> {
    let Some(body) = settings_body(planned) else {
        return Ok(());
    };
    let path = [key.to_string()];
    set_settings(client, &path, &body, wait_options(ctx, timeout))
        .await
        .map_err(|e| match e {
            SettingsError::Refused(e) => client_error(
                format!("Could not set the settings of connection {key}"),
                &e,
            ),
            SettingsError::NotApplied(e) => Diagnostic::attribute_error(
                AttributePath::new("settings"),
                format!("The settings of connection {key} were not applied"),
                e.to_string(),
            ),
        })
}

impl ConnectionResource {
    /// Plans the technology block: the configuration (the attribute is
    /// computed only for Terraform before 1.1), Immuta's documented
    /// defaults, no write-only value, and what Immuta chooses unknown when
    /// the block changes.
    fn plan_block(t: Tech, config: &Value, prior: &Value, planned: &mut Value, changed: bool) {
        let name = t.block_name();
        let Some(block @ Value::Object(_)) = planned.get_attr_mut(name) else {
            return;
        };
        match t {
            Tech::Platform(p) => {
                p.plan_defaults(config.attr(name), block);
                p.null_write_only(block);
                if changed || prior.is_null() {
                    p.plan_chosen_unknown(config.attr(name), block);
                }
            }
            Tech::LakeFormation => lake_formation::with_twins(|tw| tw.null_write_only(block)),
        }
    }
}

#[async_trait]
impl CrudResource for ConnectionResource {
    type Model = ConnectionModel;

    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Result<(), Diagnostics> {
        let mut diags = Diagnostics::new();
        if let Some(key) = config.attr("connection_key").as_str() {
            if let Err(d) = check_key(key) {
                diags.push(d);
            }
        }
        match techs_set(config).as_slice() {
            [] => diags.attribute_error(
                AttributePath::root(),
                format!(
                    "expected exactly one of {} to be set, got none",
                    Tech::names()
                ),
                "Set the attribute of the connection's technology, e.g. `snowflake = { ... }`.",
            ),
            [t] => {
                let block = config.attr(t.block_name());
                match t {
                    Tech::Platform(p) => {
                        p.validate_write_only(block, &mut diags);
                        p.validate(&p.merge_write_only(block), Some(false), &mut diags);
                    }
                    Tech::LakeFormation => lake_formation::validate(block, &mut diags),
                }
            }
            [first, rest @ ..] => {
                for t in rest {
                    let path = t.path();
                    diags.attribute_error(
                        path.clone(),
                        format!(
                            "{path}: expected exactly one of {} to be set, got {} and {}",
                            Tech::names(),
                            first.block_name(),
                            t.block_name()
                        ),
                        "A connection has one technology: keep one of these attributes.",
                    );
                }
            }
        }
        for op in ["create", "update", "delete"] {
            if let Some(s) = config.attr("timeouts").attr(op).as_str() {
                if let Err(e) = crate::duration::parse_duration(s) {
                    diags.push(Diagnostic::expected(
                        AttributePath::new("timeouts").attr(op),
                        "Invalid duration",
                        "a duration such as `30m` or `1h`",
                        format!("\"{s}\" ({e})"),
                    ));
                }
            }
        }
        if diags.is_empty() {
            Ok(())
        } else {
            Err(diags)
        }
    }

    async fn modify_plan(
        &self,
        _ctx: &Context,
        req: &PlanRequest,
        plan: &mut PlanResponse,
    ) -> Result<(), Diagnostics> {
        if req.proposed_new_state.is_null() {
            return Ok(());
        }
        let (config, prior) = (&req.config, &req.prior_state);
        let Some(t) = tech_of(config) else {
            return Ok(());
        };
        let create = prior.is_null();
        let planned = &mut plan.planned_state;
        for x in Tech::ALL {
            if let Some(inner) = req
                .schema
                .block
                .attribute(x.block_name())
                .and_then(Attribute::nested_attributes)
            {
                let name = x.block_name();
                planned.set_attr(name, propose(inner, config.attr(name), prior.attr(name)));
            }
        }
        // `settings` as configured, with the prior value of what it leaves
        // unset (Terraform before 1.1 proposes null there), unknown on a
        // create.
        let cfg_settings = config.attr("settings");
        if let (Value::Object(_), Some(inner)) = (
            cfg_settings,
            req.schema
                .block
                .attribute("settings")
                .and_then(Attribute::nested_attributes),
        ) {
            let mut s = propose(inner, cfg_settings, prior.attr("settings"));
            if create {
                for a in inner {
                    if cfg_settings.attr(&a.name).is_null() {
                        s.set_attr(a.name.clone(), Value::Unknown);
                    }
                }
            }
            planned.set_attr("settings", s);
        }
        let tech_changed = !create && tech_of(prior) != Some(t);
        let key_changed = !create && req.changed(&key_path());
        let replace = tech_changed || key_changed;
        let name = t.block_name();
        let changed = create || replace || {
            // Compared as planned (twins null), so a version bump counts.
            let mut probe = planned.clone();
            Self::plan_block(t, config, prior, &mut probe, false);
            probe.attr(name) != prior.attr(name)
        };
        Self::plan_block(t, config, prior, planned, changed);
        planned.set_attr("technology", Value::string(t.technology().as_str()));
        if create || replace {
            planned.set_attr("id", Value::Unknown);
            planned.set_attr("native_integration_id", Value::Unknown);
        }
        if replace {
            if key_changed {
                plan.requires_replace.push(key_path());
            }
            plan.requires_replace.extend(
                Tech::ALL
                    .into_iter()
                    .filter(|x| {
                        prior.attr(x.block_name()).is_null()
                            != plan.planned_state.attr(x.block_name()).is_null()
                    })
                    .map(Tech::path),
            );
            // What Immuta chooses for the new connection is not known yet.
            let settings = config.attr("settings");
            let mut s = plan.planned_state.attr("settings").clone();
            match &mut s {
                Value::Object(_) => {
                    for n in ["is_active", "activate_new_children"] {
                        if settings.attr(n).is_null() {
                            s.set_attr(n, Value::Unknown);
                        }
                    }
                }
                _ => s = Value::Unknown,
            }
            plan.planned_state.set_attr("settings", s);
        }
        Ok(())
    }

    async fn create(
        &self,
        ctx: &Context,
        req: Planned<ConnectionModel>,
    ) -> Outcome<ConnectionModel> {
        let Planned { planned, config } = req;
        let Some(t) = planned.tech() else {
            return Err(Diagnostic::error(
                "Invalid configuration",
                format!("Expected exactly one of {} to be set.", Tech::names()),
            )
            .into());
        };
        let key = planned.key().unwrap_or_default().to_string();
        check_key(&key)?;
        let client = ctx.configured::<Configured>()?.client_for(ctx);
        let body = request_body(t, &config, &planned, settings_body(&config))?;
        let answer = client.create_connection(&body).await.map_err(|e| {
            let mut d = client_error(format!("Could not create connection {key}"), &e);
            if e.status() == Some(409) {
                d.detail = format!(
                    "{}\n\nIf the connection already exists in Immuta, import it: `terraform \
                     import {TYPE_NAME}.<name> {key}`.",
                    d.detail
                );
            }
            Failed::from(d)
        })?;
        // From here on the connection exists: it is always in the state.
        let native_id = match answer.native_integration_id() {
            Some(id) => Some(id.as_str().to_string()),
            None => client
                .get_connection(&key)
                .await
                .ok()
                .and_then(|c| c.native_integration_id)
                .map(|i| i.as_str().to_string()),
        };
        let mut state = planned.clone();
        state.id = Field::Known(key.clone());
        state.technology = Field::Known(t.technology().as_str().to_string());
        state.native_integration_id = native_id.clone().into();
        state.unknowns_to_null();
        let waited = wait_done(
            &client,
            ctx,
            native_id.as_deref(),
            answer.bulk_id.as_ref().map(|b| b.as_str()),
            planned.timeout(Op::Create),
        )
        .await;
        if let Err(why) = waited {
            return Err(Failed::keep(
                state,
                Diagnostic::error(
                    format!("Connection {key} was created but did not become ready"),
                    format!(
                        "{why}\n\nThe connection is kept in the state, marked tainted: the next \
                         apply deletes and creates it again, and `terraform destroy` deletes it."
                    ),
                ),
            ));
        }
        match read_back(&client, &key, &planned).await {
            Ok(s) => Ok(s.into()),
            Err(d) => Err(Failed::keep(state, d)),
        }
    }

    async fn read(
        &self,
        ctx: &Context,
        state: ConnectionModel,
    ) -> Result<Option<ConnectionModel>, Diagnostics> {
        let Some(key) = state.key().map(str::to_string) else {
            return Ok(Some(state));
        };
        let client = ctx.configured::<Configured>()?.client_for(ctx);
        match client.get_connection(&key).await {
            Ok(answer) => {
                let mut m = to_state(&answer, &state)?;
                m.unknowns_to_null();
                Ok(Some(m))
            }
            Err(e) if e.is_not_found() => {
                tracing::debug!(
                    key,
                    "connection no longer exists; removing it from the state"
                );
                Ok(None)
            }
            Err(e) => Err(client_error(format!("Could not read connection {key}"), &e).into()),
        }
    }

    async fn update(
        &self,
        ctx: &Context,
        prior: ConnectionModel,
        req: Planned<ConnectionModel>,
    ) -> Outcome<ConnectionModel> {
        let Planned { planned, config } = req;
        let (Some(key), Some(t)) = (prior.key().map(str::to_string), planned.tech()) else {
            return Err(Diagnostic::attribute_error(
                key_path(),
                "Cannot update a connection without its key",
                "Expected the state to hold the connection key, got none. Remove it from the \
                 state and import it.",
            )
            .into());
        };
        let block_changed = prior.block(t) != planned.block(t);
        let settings_changed = match (&prior.settings, &planned.settings) {
            (Field::Known(a), Field::Known(b)) => {
                let differs = |x: &Field<bool>, y: &Field<bool>| y.known().is_some() && x != y;
                differs(&a.is_active, &b.is_active)
                    || differs(&a.activate_new_children, &b.activate_new_children)
            }
            (_, Field::Known(_)) => true,
            _ => false,
        };
        if !block_changed && !settings_changed {
            // Only Terraform-side settings changed (timeouts).
            let mut state = planned;
            state.unknowns_to_null();
            return Ok(state.into());
        }
        let client = ctx.configured::<Configured>()?.client_for(ctx);
        let timeout = planned.timeout(Op::Update);
        // What Immuta holds now, when a step fails half way.
        let kept = |d: Diagnostic| Failed::keep(prior.clone(), d);
        if block_changed {
            let body = request_body(t, &config, &planned, None)?;
            let answer = client
                .update_connection(&key, &body)
                .await
                .map_err(|e| client_error(format!("Could not update connection {key}"), &e))?;
            let waited = wait_done(
                &client,
                ctx,
                prior.native_id(),
                answer.bulk_id.as_ref().map(|b| b.as_str()),
                timeout,
            )
            .await;
            if let Err(why) = waited {
                let d = Diagnostic::error(
                    format!("Connection {key} did not become ready after the update"),
                    why,
                );
                return Err(match read_back(&client, &key, &prior).await {
                    Ok(now) => Failed::keep(now, d),
                    Err(_) => kept(d),
                });
            }
        }
        if settings_changed {
            if let Err(d) = set_root_settings(&client, ctx, &key, &planned, timeout).await {
                return Err(match read_back(&client, &key, &prior).await {
                    Ok(now) if block_changed => Failed::keep(now, d),
                    _ => kept(d),
                });
            }
        }
        match read_back(&client, &key, &planned).await {
            Ok(s) => Ok(s.into()),
            Err(d) => Err(kept(d)),
        }
    }

    async fn delete(&self, ctx: &Context, state: ConnectionModel) -> Result<Deleted, Diagnostics> {
        let Some(key) = state.key().map(str::to_string) else {
            return Ok(Deleted::default());
        };
        let client = ctx.configured::<Configured>()?.client_for(ctx);
        let t = state.tech();
        let scripted = t.filter(|t| t.technology().has_scripts());
        if let (Some(t), Some(id)) = (scripted, state.native_id()) {
            // Immuta's order: the removal script first, while the native
            // integration exists. It is not shown (it may hold credentials).
            match client
                .script(ScriptKind::Delete, Some(id), &native_of(&state, t))
                .await
            {
                Ok(_) => {}
                Err(e) if e.is_not_found() => {}
                Err(e) => {
                    return Err(client_error(
                        format!(
                            "Could not get the removal script of connection {key}; nothing was \
                             deleted"
                        ),
                        &e,
                    )
                    .into())
                }
            }
        }
        // Once it is deleted, the removal script is the user's step.
        let done = removal_warning(&state).map_or_else(Deleted::default, Deleted::from);
        let answer = match client.delete_object(std::slice::from_ref(&key)).await {
            Ok(a) => a,
            Err(e) if e.is_not_found() => return Ok(done),
            Err(e) => {
                return Err(client_error(format!("Could not delete connection {key}"), &e).into())
            }
        };
        if let Some(bulk) = answer.bulk_id {
            let waited = wait_for_job(
                &client,
                bulk.as_str(),
                wait_options(ctx, state.timeout(Op::Delete)),
            )
            .await;
            if let Err(e) = waited {
                return Err(Diagnostic::error(
                    format!("Connection {key} was not deleted"),
                    format!("{e}\n\nIt stays in the state; `terraform destroy` tries again."),
                )
                .into());
            }
        }
        Ok(done)
    }

    /// The read that follows fills in everything but the secrets.
    async fn import(&self, _ctx: &Context, id: &str) -> Result<ConnectionModel, Diagnostics> {
        check_key(id).map_err(|mut d| {
            d.detail = format!(
                "{}\n\nGive the connection key, e.g. `terraform import {TYPE_NAME}.x snowflake-prod`.",
                d.detail
            );
            Diagnostics::from(d)
        })?;
        Ok(ConnectionModel {
            id: Field::Known(id.to_string()),
            connection_key: Field::Known(id.to_string()),
            ..ConnectionModel::default()
        })
    }
}

#[cfg(test)]
mod tests;
