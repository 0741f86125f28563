//! `immuta_integration`: one Immuta integration of any of the seven types.
//!
//! Lifecycle, in Immuta's terms:
//! - plan: validates the configuration, fills in what Immuta will set (its
//!   defaults, or unknown), and for a planned create or update calls
//!   `dryRun=true` so failed validation tests fail the plan;
//! - create: `POST /integrations`, the id goes into state at once, then
//!   waits for `enabled` (a failed wait leaves a tainted resource);
//! - read: `GET /integrations/{id}`, 404 drops the resource, `<REDACTED>`
//!   secrets keep their state value;
//! - update: `PUT /integrations/{id}` and wait for `enabled`; a change of
//!   type replaces;
//! - delete: `DELETE /integrations/{id}` with the privileged credentials when
//!   Immuta needs them, then wait until it is gone (404 is success);
//! - import by id.
//!
//! Write-only secrets (`password_wo`, `token_wo`... with `*_wo_version`, see
//! `platforms::write_only`): a create sends the twin's value from the
//! configuration; an update sends it when its version changed and
//! `<REDACTED>` (Immuta keeps its secret) otherwise; state never holds it.
//! At destroy Terraform sends no configuration, so the privileged
//! credentials of a DELETE come from `delete_credentials`, the stored plain
//! attributes, and then the environment variable `delete_credentials_env`
//! names, read at destroy time.
//!
//! File order: schema, model, converters, lifecycle.
//!
//! # Layout
//! - `mod.rs`: the schema (the domain's) and the lifecycle.
//! - `model`: [`IntegrationModel`], the top-level attributes the lifecycle
//!   reads and writes, and [`Timeouts`].
//! - `tests`: unit tests.

use crate::framework::model::Field;
use crate::framework::plan::{is_all_null, propose_nested};
use crate::framework::provider::import_passthrough_id;
use crate::framework::{
    ApplyKind, ApplyRequest, ApplyResponse, AttributePath, Context, Diagnostic, Diagnostics,
    ImportRequest, ImportResponse, PlanRequest, PlanResponse, ReadRequest, ReadResponse, Resource,
    Schema, Value,
};
use crate::integration::convert::{
    request_payload, to_state, validation_results_value, validation_warnings,
};
use crate::integration::hints::{delete_hint, import_hint, FORCE_DISABLE_HINT};
use crate::integration::platforms::{null_object, Platform};
use crate::integration::{delete_credentials, platform_of, validate_config};
use crate::provider_data::{Configured, ProviderData};
use async_trait::async_trait;
use immuta_api::{IntegrationPayload, IntegrationStatus, TestStatus};
use immuta_client::{
    wait_for, ClientError, DeleteOptions, ImmutaClient, WaitError, WaitOptions, WaitOutcome,
    WaitTarget,
};
use std::sync::Arc;
use std::time::Duration;

pub use crate::integration::{DELETE_CREDENTIALS_ENV, TYPE_NAME};

/// How long create, update and delete wait when `timeouts` does not say.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

// ===========================================================================
// Schema

/// The schema of `immuta_integration`: the integration domain's.
pub fn schema() -> Schema {
    crate::integration::schema::schema()
}

// ===========================================================================
// Model

mod model;
pub use model::{IntegrationModel, Timeouts, TimeoutsModel};

// ===========================================================================
// Lifecycle
//
// Each of create, read, update and delete is one function returning
// `Result<_, Diagnostics>`, behind `apply` and `read`. An `Err` means Immuta
// was left as it was (the state stays the prior one); once Immuta changed
// something, the function answers `Ok` with the state to store, which may
// carry an error (a created integration that did not become enabled).

/// The `immuta_integration` resource.
#[derive(Debug)]
pub struct IntegrationResource {
    data: Arc<ProviderData>,
}

/// What a create or an update leaves: the state to store and its
/// diagnostics (warnings, or the error of a wait that failed after Immuta
/// accepted the change).
#[derive(Debug, Default)]
pub struct Applied {
    /// The state to store.
    pub state: Value,
    /// Its diagnostics.
    pub diagnostics: Diagnostics,
}

impl IntegrationResource {
    /// The resource, reading the provider's configuration from `data`.
    pub fn new(data: Arc<ProviderData>) -> Self {
        IntegrationResource { data }
    }

    /// The configured client, for this call.
    fn client(&self, ctx: &Context) -> Result<ImmutaClient, Diagnostics> {
        self.data.client_for(ctx).map_err(Diagnostics::from)
    }

    /// `POST /integrations`, then the wait for `enabled`.
    async fn create(
        &self,
        ctx: &Context,
        req: &ApplyRequest,
        platform: Platform,
    ) -> Result<Applied, Diagnostics> {
        let client = self.client(ctx)?;
        let ty = platform.integration_type();
        let payload = request_payload(platform, &req.config, &req.planned_state)?;
        let answer = client.create(&payload, false).await.map_err(|e| {
            let mut d = client_error(format!("Could not create the {ty} integration"), &e);
            if e.status() == Some(409) {
                d.detail = format!("{}\n\n{}", d.detail, import_hint(&e));
            }
            Diagnostics::from(d)
        })?;
        let Some(id) = answer.id.clone().map(|i| i.0) else {
            return Err(Diagnostic::error(
                format!("Could not create the {ty} integration"),
                "Immuta accepted the create but its answer carries no id, so the integration \
                 cannot be tracked. Look for it in Immuta and import it.",
            )
            .into());
        };
        // From here on the integration exists: it is always in the state.
        // What Immuta answered that the plan left to it: the Trino key, when
        // the create answer carries it (a later GET may not).
        let mut planned = req.planned_state.clone();
        if let (Some(key), Some(trino)) = (
            answer.trino_api_key(),
            planned.get_attr_mut(Platform::TRINO.block_name()),
        ) {
            if trino.attr("api_key").is_unknown() {
                trino.set_attr("api_key", Value::string(key.expose()));
            }
        }
        let mut partial = planned.clone();
        let mut top = IntegrationModel::read(&planned)?;
        top.id = Field::Known(id.clone());
        let status = answer.status.unwrap_or(IntegrationStatus::Creating);
        top.status = Field::Known(status.as_str().to_string());
        top.write(&mut partial)?;
        partial.set_attr(
            "validation_results",
            validation_results_value(answer.validation_results.as_ref()),
        );
        partial.unknowns_to_null();
        let mut diagnostics = Diagnostics::new();
        let timeouts = Timeouts::from_model(&IntegrationModel::read(&req.config)?.timeouts);
        let waited = wait_enabled(&client, ctx, &id, timeouts.create, platform).await;
        match waited {
            Ok(warnings) => diagnostics.extend(warnings),
            Err(e) => {
                if let WaitError::Failed {
                    status,
                    validation_results,
                    ..
                } = &e
                {
                    top.status = Field::Known(status.as_str().to_string());
                    if let Err(d) = top.write(&mut partial) {
                        diagnostics.push(d);
                    }
                    if validation_results.is_some() {
                        partial.set_attr(
                            "validation_results",
                            validation_results_value(validation_results.as_ref()),
                        );
                    }
                }
                diagnostics.error(
                    format!("The {ty} integration {id} was created but did not become enabled"),
                    format!(
                        "{e}\n\nThe integration is kept in the state, marked tainted: the next \
                         apply deletes and creates it again, and `terraform destroy` deletes it."
                    ),
                );
                return Ok(Applied {
                    state: partial,
                    diagnostics,
                });
            }
        }
        let state = read_back(&client, &id, &planned, partial, &mut diagnostics).await;
        Ok(Applied { state, diagnostics })
    }

    /// `GET /integrations/{id}`: the new state, or `None` when the
    /// integration is gone.
    async fn read_state(
        &self,
        ctx: &Context,
        id: &str,
        current: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let client = self.client(ctx)?;
        match client.get(id).await {
            Ok(integration) => Ok(Some(to_state(&integration, current)?)),
            Err(e) if e.is_not_found() => {
                tracing::debug!(
                    id,
                    "integration no longer exists; removing it from the state"
                );
                Ok(None)
            }
            Err(e) => Err(client_error(format!("Could not read integration {id}"), &e).into()),
        }
    }

    /// `PUT /integrations/{id}`, then the wait for `enabled`; nothing is sent
    /// when only Terraform-side settings changed.
    async fn update(
        &self,
        ctx: &Context,
        req: &ApplyRequest,
        platform: Platform,
    ) -> Result<Applied, Diagnostics> {
        let Some(id) = IntegrationModel::read(&req.prior_state)?.known_id() else {
            return Err(Diagnostic::attribute_error(
                AttributePath::new("id"),
                "Cannot update an integration without id",
                "Expected the state to hold the integration's id, got none. Remove it from the \
                 state and import it.",
            )
            .into());
        };
        if !api_changed(platform, &req.prior_state, &req.planned_state)? {
            // Only Terraform-side settings changed (timeouts, credentials for destroy...).
            let mut state = req.planned_state.clone();
            state.unknowns_to_null();
            return Ok(Applied {
                state,
                ..Default::default()
            });
        }
        let client = self.client(ctx)?;
        let ty = platform.integration_type();
        let payload = request_payload(platform, &req.config, &req.planned_state)?;
        if let Err(e) = client.update(&id, &payload, false).await {
            return Err(
                client_error(format!("Could not update the {ty} integration {id}"), &e).into(),
            );
        }
        let mut diagnostics = Diagnostics::new();
        let timeouts = Timeouts::from_model(&IntegrationModel::read(&req.config)?.timeouts);
        match wait_enabled(&client, ctx, &id, timeouts.update, platform).await {
            Ok(warnings) => diagnostics.extend(warnings),
            Err(e) => {
                diagnostics.error(
                    format!("The {ty} integration {id} did not become enabled after the update"),
                    e.to_string(),
                );
                // Keep what Immuta now holds, so the next plan shows it.
                let mut state = req.prior_state.clone();
                if let Ok(integration) = client.get(&id).await {
                    if let Ok(v) = to_state(&integration, &req.planned_state) {
                        state = v;
                    }
                }
                return Ok(Applied { state, diagnostics });
            }
        }
        let prior = req.prior_state.clone();
        let state = read_back(&client, &id, &req.planned_state, prior, &mut diagnostics).await;
        Ok(Applied { state, diagnostics })
    }

    /// `DELETE /integrations/{id}` (with the privileged credentials when
    /// Immuta needs them), then the wait until it is gone.
    async fn delete(&self, ctx: &Context, prior: &Value) -> Result<(), Diagnostics> {
        let top = IntegrationModel::read(prior)?;
        let Some(id) = top.known_id() else {
            return Ok(());
        };
        let client = self.client(ctx)?;
        let force = top.force_disable_on_destroy.known() == Some(&true);
        let creds = delete_credentials::for_delete(prior).map_err(|e| {
            Diagnostic::attribute_error(
                AttributePath::new(DELETE_CREDENTIALS_ENV),
                format!("Could not read the credentials to delete integration {id}"),
                format!(
                    "{e}.\n\nSet it before `terraform destroy`. Or, to remove the integration \
                     from Immuta without cleaning up the platform: set \
                     `force_disable_on_destroy = true`, run `terraform apply` (it records the \
                     setting, nothing is sent to Immuta), then `terraform destroy`."
                ),
            )
        })?;
        let options = DeleteOptions {
            force_disable: force,
            dry_run: false,
        };
        match client.delete(&id, creds.as_ref(), options).await {
            Ok(_) => {}
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => {
                let mut d = client_error(format!("Could not delete integration {id}"), &e);
                if let Some(hint) = delete_hint(prior, platform_of(prior), creds.is_some(), &e) {
                    d.detail = format!("{}\n\n{hint}", d.detail);
                }
                return Err(d.into());
            }
        }
        // After a force-disable, Immuta may keep the integration as
        // `disabled` (nothing cleaned up) instead of removing it.
        let target = if force {
            WaitTarget::GoneOrDisabled
        } else {
            WaitTarget::Gone
        };
        let timeouts = Timeouts::from_model(&top.timeouts);
        match wait_for(&client, &id, target, wait_options(ctx, timeouts.delete)).await {
            Ok(_) => Ok(()),
            Err(e) => Err(Diagnostic::error(
                format!("Integration {id} was not deleted"),
                format!("{e}\n\nIt stays in the state. {FORCE_DISABLE_HINT}"),
            )
            .into()),
        }
    }

    /// The plan-time `dryRun`: failed tests become errors, warnings warnings.
    async fn dry_run(
        &self,
        ctx: &Context,
        cfg: &Configured,
        platform: Platform,
        id: Option<&str>,
        payload: &IntegrationPayload,
    ) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let client = cfg.client_for(ctx);
        let answer = match id {
            None => client.create(payload, true).await,
            Some(id) => client.update(id, payload, true).await,
        };
        let path = platform.path();
        match answer {
            Ok(resp) => {
                if let Some(vr) = resp.validation_results.as_ref() {
                    for t in vr.failed() {
                        diags.attribute_error(
                            path.clone(),
                            format!(
                                "Immuta's validation test \"{}\" failed: {}",
                                t.name,
                                t.message.as_deref().unwrap_or("(no message)")
                            ),
                            "Immuta ran its validation tests on the planned configuration \
                             (dryRun) and one failed, so the apply would fail. Fix the \
                             configuration or the platform; `dry_run_on_plan = false` in the \
                             provider block turns this check off.",
                        );
                    }
                    if vr.status == TestStatus::Failed && vr.failed().next().is_none() {
                        diags.attribute_error(
                            path.clone(),
                            "Immuta's validation of the planned configuration failed".to_string(),
                            "Immuta reported a failed validation without naming a test.",
                        );
                    }
                }
                diags.extend(validation_warnings(resp.validation_results.as_ref(), &path));
            }
            // A create planned to replace an integration (tainted, or a
            // change of type) conflicts with the one it replaces, which
            // is deleted first: not a reason to fail the plan.
            Err(e) if id.is_none() && e.status() == Some(409) => diags.attribute_warning(
                path,
                "Immuta reports a conflicting integration (dryRun)".to_string(),
                format!(
                    "{e}\n\nIf this integration replaces that one, the apply deletes it first \
                     and this is expected. Otherwise the create will fail. {}",
                    import_hint(&e)
                ),
            ),
            // Only Immuta's refusal of what it was sent is about the
            // configuration; a login, connection or server problem is not,
            // and switching the dryRun off would not fix it.
            Err(e) if e.class() == immuta_client::ErrorClass::PayloadRefused => {
                diags.push(Diagnostic::attribute_error(
                    path,
                    format!(
                        "Immuta refused the planned {} configuration (dryRun)",
                        platform.integration_type()
                    ),
                    format!(
                        "{e}\n\n`dry_run_on_plan = false` in the provider block turns this \
                         check off."
                    ),
                ))
            }
            Err(e) => diags.push(client_error(
                format!(
                    "Could not run Immuta's validation (dryRun) of the planned {} configuration",
                    platform.integration_type()
                ),
                &e,
            )),
        }
        diags
    }
}

fn wait_options(ctx: &Context, timeout: Duration) -> WaitOptions {
    WaitOptions::new(timeout, ctx.cancellation_token().clone())
}

/// Whether the parts of the resource Immuta holds differ.
fn api_changed(platform: Platform, prior: &Value, planned: &Value) -> Result<bool, Diagnostic> {
    let (prior_top, planned_top) = (
        IntegrationModel::read(prior)?,
        IntegrationModel::read(planned)?,
    );
    Ok(prior_top.auto_bootstrap != planned_top.auto_bootstrap
        || prior.attr(platform.block_name()) != planned.attr(platform.block_name()))
}

fn client_error(summary: String, e: &ClientError) -> Diagnostic {
    crate::client_errors::diagnostic(summary, e)
}

/// Waits until the integration is enabled; answers the warnings of its
/// validation tests. What a failed wait means for the state is the caller's
/// (create keeps a tainted resource; update keeps what Immuta now holds).
async fn wait_enabled(
    client: &ImmutaClient,
    ctx: &Context,
    id: &str,
    timeout: Duration,
    platform: Platform,
) -> Result<Diagnostics, WaitError> {
    match wait_for(client, id, WaitTarget::Enabled, wait_options(ctx, timeout)).await? {
        WaitOutcome::Enabled { status, .. } => Ok(validation_warnings(
            status.validation_results.as_ref(),
            &platform.path(),
        )),
        WaitOutcome::Gone { .. } => Ok(Diagnostics::new()),
    }
}

/// The state after a successful create or update: Immuta's answer, with
/// the planned values Immuta does not repeat.
async fn read_back(
    client: &ImmutaClient,
    id: &str,
    planned: &Value,
    fallback: Value,
    diags: &mut Diagnostics,
) -> Value {
    match client.get(id).await {
        // `to_state` keeps the planned values Immuta leaves out.
        Ok(integration) => match to_state(&integration, planned) {
            Ok(mut v) => {
                // An update plans the status it waits for and keeps the
                // validation results of the last read (the new ones are
                // reported, and stored by the next refresh), so that a
                // plan shows what the user changed, not Immuta's
                // bookkeeping.
                for name in ["status", "validation_results"] {
                    let p = planned.attr(name);
                    if p.is_known() {
                        v.set_attr(name, p.clone());
                    }
                }
                v
            }
            Err(d) => {
                diags.push(d);
                fallback
            }
        },
        Err(e) => {
            diags.push(client_error(
                format!("Could not read integration {id} after the change"),
                &e,
            ));
            fallback
        }
    }
}

#[async_trait]
impl Resource for IntegrationResource {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        validate_config(config)
    }

    async fn plan(&self, ctx: &Context, req: PlanRequest) -> PlanResponse {
        let mut resp = PlanResponse {
            planned_state: req.proposed_new_state.clone(),
            planned_private: req.prior_private.clone(),
            ..Default::default()
        };
        // A destroy plan: nothing to add, and no dryRun.
        if req.proposed_new_state.is_null() {
            return resp;
        }
        let config = &req.config;
        let Some(platform) = platform_of(config) else {
            resp.diagnostics = validate_config(config);
            return resp;
        };
        let diags = validate_config(config);
        if diags.has_errors() {
            resp.diagnostics = diags;
            return resp;
        }
        let prior = &req.prior_state;
        let create = prior.is_null();
        let replace = !create && platform_of(prior) != Some(platform);
        let planned = &mut resp.planned_state;
        propose_nested(&req.schema.block.attributes, config, prior, planned);
        let name = platform.block_name();
        if let Some(block) = planned.get_attr_mut(name) {
            platform.plan_defaults(config.attr(name), block);
            // Never planned (Terraform would refuse it); read from `config`.
            platform.null_write_only(block);
        }
        // The `{}` an import stores (see `import`) means the same as unset:
        // kept, so neither form plans a change.
        let prior_dc = prior.attr("delete_credentials");
        if config.attr("delete_credentials").is_null()
            && matches!(prior_dc, Value::Object(_))
            && is_all_null(prior_dc)
        {
            planned.set_attr("delete_credentials", prior_dc.clone());
        }
        let (config_top, mut top) = match (
            IntegrationModel::read(config),
            IntegrationModel::read(planned),
        ) {
            (Ok(c), Ok(p)) => (c, p),
            (Err(d), _) | (_, Err(d)) => {
                resp.diagnostics.push(d);
                return resp;
            }
        };
        // Not sticky: unset means the default, whatever the prior value.
        if config_top.force_disable_on_destroy.is_null() {
            top.force_disable_on_destroy = Field::Known(false);
        }
        top.integration_type = Field::Known(platform.integration_type().as_str().to_string());
        if create || replace {
            top.id = Field::Unknown;
            top.status = Field::Unknown;
        }
        if let Err(d) = top.write(planned) {
            resp.diagnostics.push(d);
            return resp;
        }
        let changed = create
            || replace
            || match api_changed(platform, prior, planned) {
                Ok(c) => c,
                Err(d) => {
                    resp.diagnostics.push(d);
                    return resp;
                }
            };
        if changed {
            if let Some(block) = planned.get_attr_mut(name) {
                platform.plan_chosen_unknown(config.attr(name), block);
            }
        }
        if create || replace {
            planned.set_attr("validation_results", Value::Unknown);
        } else if changed {
            // The update waits for `enabled`; the validation results stay
            // those of the last read (see `read_back`).
            top.status = Field::Known(IntegrationStatus::Enabled.as_str().to_string());
            if let Err(d) = top.write(planned) {
                resp.diagnostics.push(d);
                return resp;
            }
        }
        if replace {
            resp.requires_replace = Platform::ALL
                .into_iter()
                .filter(|p| {
                    prior.attr(p.block_name()).is_null() != planned.attr(p.block_name()).is_null()
                })
                .map(Platform::path)
                .collect();
            // Terraform plans the create of the replacement again, with no
            // prior state: the dryRun runs then.
            return resp;
        }
        let known = !config_top.auto_bootstrap.is_unknown() && config.attr(name).is_fully_known();
        if !changed || !known {
            return resp;
        }
        let Ok(cfg) = self.data.configured() else {
            return resp;
        };
        if !cfg.dry_run_on_plan {
            return resp;
        }
        let prior_id = (!create).then(|| {
            IntegrationModel::read(prior)
                .ok()
                .and_then(|m| m.known_id())
        });
        let id = prior_id;
        let id = match id {
            None => None,
            Some(Some(id)) => Some(id),
            Some(None) => return resp,
        };
        let payload = match request_payload(platform, config, planned) {
            Ok(p) => p,
            Err(d) => {
                resp.diagnostics.push(d);
                return resp;
            }
        };
        let diags = self
            .dry_run(ctx, &cfg, platform, id.as_deref(), &payload)
            .await;
        resp.diagnostics.extend(diags);
        resp
    }

    async fn apply(&self, ctx: &Context, req: ApplyRequest) -> ApplyResponse {
        let kind = req.kind();
        let result = match (kind, platform_of(&req.planned_state)) {
            (ApplyKind::Delete, _) => self.delete(ctx, &req.prior_state).await.map(|()| Applied {
                state: Value::Null,
                ..Default::default()
            }),
            (_, None) => Err(validate_config(&req.config)),
            (ApplyKind::Create, Some(p)) => self.create(ctx, &req, p).await,
            (_, Some(p)) => self.update(ctx, &req, p).await,
        };
        match result {
            Ok(Applied { state, diagnostics }) => ApplyResponse {
                new_state: state,
                diagnostics,
                ..Default::default()
            },
            Err(diagnostics) => ApplyResponse {
                new_state: req.prior_state,
                diagnostics,
                ..Default::default()
            },
        }
    }

    async fn read(&self, ctx: &Context, req: ReadRequest) -> ReadResponse {
        // The state is moved, never copied: it is kept as it is whenever the
        // read cannot replace it.
        let ReadRequest {
            current_state,
            private,
            ..
        } = req;
        let mut resp = ReadResponse {
            private,
            ..Default::default()
        };
        let Some(id) = IntegrationModel::read(&current_state)
            .ok()
            .and_then(|m| m.known_id())
        else {
            resp.new_state = current_state;
            return resp;
        };
        match self.read_state(ctx, &id, &current_state).await {
            Ok(state) => resp.new_state = state.unwrap_or(Value::Null),
            Err(d) => {
                resp.new_state = current_state;
                resp.diagnostics = d;
            }
        }
        resp
    }

    async fn import(&self, _ctx: &Context, req: ImportRequest) -> ImportResponse {
        // A JSON id also carries values Immuta never returns (see `import_id`).
        let parsed = match crate::import_id::ImportId::parse(&req.id) {
            Ok(p) => p,
            Err(e) => {
                return ImportResponse {
                    diagnostics: Diagnostic::error("Invalid import id", e.to_string()).into(),
                    ..Default::default()
                }
            }
        };
        if let Some(refused) = super::refuse_import_id(&parsed.id, "immuta_integration") {
            return refused;
        }
        let mut resp = import_passthrough_id(&ImportRequest {
            schema: req.schema.clone(),
            id: parsed.id.clone(),
        });
        parsed.apply(&mut resp.state);
        // What `-generate-config-out` writes for this sensitive attribute
        // (`delete_credentials = {}`): the same in state, so the generated
        // configuration plans no change. Left unset, it means the type
        // attribute's credentials (see `delete`).
        if let Some(a) = req.schema.block.attribute("delete_credentials") {
            resp.state.set_attr("delete_credentials", null_object(a));
        }
        resp
    }
}

#[cfg(test)]
mod tests;
