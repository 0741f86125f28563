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
//! File order: schema, model, converters (all three the integration
//! domain's: `crate::integration`), then the lifecycle, a [`CrudResource`]
//! whose plan works on values (it must see unknowns inside the type
//! attributes) and whose create, read, update and delete work on
//! [`IntegrationModel`].
//!
//! # Layout
//! - `mod.rs`: the lifecycle.
//! - `tests`: unit tests.

use crate::framework::model::{Field, Raw};
use crate::framework::plan::{is_all_null, propose_nested};
use crate::framework::{
    Applied, AttributePath, Context, CrudAdapter, CrudResource, Deleted, Diagnostic, Diagnostics,
    Failed, Outcome, PlanRequest, PlanResponse, PlanStart, Planned, Resource, Schema, Value,
};
use crate::integration::convert::{request_payload, to_state, validation_warnings};
use crate::integration::hints::{delete_hint, import_hint, FORCE_DISABLE_HINT};
use crate::integration::platforms::{null_object, Platform};
use crate::integration::{delete_credentials, validate_config};
use crate::provider_data::Configured;
use async_trait::async_trait;
use immuta_api::{Integration, IntegrationPayload, IntegrationStatus, TestStatus};
use immuta_client::{
    wait_for, wait_until_enabled, ClientError, DeleteOptions, ImmutaClient, WaitError, WaitOptions,
    WaitTarget,
};
use std::sync::Arc;
use std::time::Duration;

pub use crate::integration::{
    IntegrationModel, Timeouts, TimeoutsModel, DEFAULT_TIMEOUT, DELETE_CREDENTIALS_ENV, TYPE_NAME,
};

// ===========================================================================
// Schema

/// The schema of `immuta_integration`: the integration domain's.
pub fn schema() -> Schema {
    crate::integration::schema::schema()
}

// ===========================================================================
// Lifecycle
//
// Each of create, read, update and delete is one function of
// [`CrudResource`]. An `Err` without a state means Immuta was left as it
// was (the state stays the prior one); once Immuta changed something, a
// failure carries the state to store (`Failed::keep`: a created
// integration that did not become enabled is kept, tainted).

/// The `immuta_integration` resource.
#[derive(Debug, Default)]
pub struct IntegrationResource;

/// The resource, ready to register.
pub fn resource() -> Arc<dyn Resource> {
    CrudAdapter::shared(IntegrationResource)
}

/// The configured client for one call, cancelled with it.
fn client(ctx: &Context) -> Result<ImmutaClient, Diagnostic> {
    Ok(ctx.configured::<Configured>()?.client_for(ctx))
}

/// The platform of a plan, or the errors of its configuration that say
/// why there is none.
fn platform_of(
    planned: &IntegrationModel,
    config: &IntegrationModel,
) -> Result<Platform, Diagnostics> {
    planned.platform().ok_or_else(|| match config.to_value() {
        Ok(v) => validate_config(&v),
        Err(d) => d.into(),
    })
}

impl IntegrationResource {
    /// The plan-time `dryRun`: failed tests become errors, warnings warnings.
    async fn dry_run(
        &self,
        client: &ImmutaClient,
        platform: Platform,
        id: Option<&str>,
        payload: &IntegrationPayload,
    ) -> Diagnostics {
        let mut diags = Diagnostics::new();
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

    /// The plan, on values: Terraform's proposal with what Immuta will set
    /// (its documented defaults, or unknown), then the `dryRun` of a
    /// planned create or update.
    async fn plan(
        &self,
        ctx: &Context,
        req: &PlanRequest,
        resp: &mut PlanResponse,
    ) -> Result<(), Diagnostics> {
        let config = &req.config;
        let config_m = IntegrationModel::read(config)?;
        let Some(platform) = config_m.platform() else {
            return Err(validate_config(config));
        };
        // The rest of `validate_config` is not run again: Terraform asks
        // `ValidateResourceConfig` about this same configuration, unknowns
        // included, just before it asks for the plan, and stops on its
        // errors (one check less per instance and plan, issue 15).
        let create = req.prior_state.is_null();
        let prior = if create {
            IntegrationModel::default()
        } else {
            IntegrationModel::read(&req.prior_state)?
        };
        let replace = !create && prior.platform() != Some(platform);
        let planned = &mut resp.planned_state;
        propose_nested(
            &req.schema.block.attributes,
            config,
            &req.prior_state,
            planned,
        );
        let mut m = IntegrationModel::read(planned)?;
        if let Some(block) = m.block_mut(platform) {
            platform.plan_defaults(config_m.block(platform), block);
            // Never planned (Terraform would refuse it); read from `config`.
            platform.null_write_only(block);
        }
        // The `{}` an import stores (see `import`) means the same as unset:
        // kept, so neither form plans a change.
        let prior_dc = prior.delete_credentials.value();
        if config_m.delete_credentials.value().is_null()
            && matches!(prior_dc, Value::Object(_))
            && is_all_null(prior_dc)
        {
            m.delete_credentials = Raw(prior_dc.clone());
        }
        // Not sticky: unset means the default, whatever the prior value.
        if config_m.force_disable_on_destroy.is_null() {
            m.force_disable_on_destroy = Field::Known(false);
        }
        m.integration_type = Field::Known(platform.integration_type().as_str().to_string());
        let changed = create || replace || api_changed(platform, &prior, &m);
        if changed {
            if let Some(block) = m.block_mut(platform) {
                platform.plan_chosen_unknown(config_m.block(platform), block);
            }
        }
        if create || replace {
            m.id = Field::Unknown;
            m.status = Field::Unknown;
            m.validation_results = Raw(Value::Unknown);
        } else if changed {
            // The update waits for `enabled`; the validation results stay
            // those of the last read (see `read_back`).
            m.status = Field::Known(IntegrationStatus::Enabled.as_str().to_string());
        }
        *planned = m.to_value()?;
        if replace {
            resp.requires_replace = Platform::ALL
                .into_iter()
                .filter(|p| prior.block(*p).is_null() != m.block(*p).is_null())
                .map(Platform::path)
                .collect();
            // Terraform plans the create of the replacement again, with no
            // prior state: the dryRun runs then.
            return Ok(());
        }
        let known =
            !config_m.auto_bootstrap.is_unknown() && config_m.block(platform).is_fully_known();
        if !changed || !known {
            return Ok(());
        }
        let Ok(cfg) = ctx.configured::<Configured>() else {
            return Ok(());
        };
        if !cfg.dry_run_on_plan {
            return Ok(());
        }
        let id = match (create, prior.known_id()) {
            (true, _) => None,
            (false, Some(id)) => Some(id),
            (false, None) => return Ok(()),
        };
        let payload = request_payload(platform, &config_m, &m)?;
        let client = cfg.client_for(ctx);
        resp.diagnostics.extend(
            self.dry_run(&client, platform, id.as_deref(), &payload)
                .await,
        );
        Ok(())
    }
}

fn wait_options(ctx: &Context, timeout: Duration) -> WaitOptions {
    WaitOptions::new(timeout, ctx.cancellation_token().clone())
}

/// Whether the parts of the resource Immuta holds differ.
fn api_changed(platform: Platform, prior: &IntegrationModel, planned: &IntegrationModel) -> bool {
    prior.auto_bootstrap != planned.auto_bootstrap
        || prior.block(platform) != planned.block(platform)
}

fn client_error(summary: String, e: &ClientError) -> Diagnostic {
    crate::client_errors::diagnostic(summary, e)
}

/// Waits until the integration is enabled, polling the integration itself;
/// answers it as the poll that found it enabled read it, and the warnings
/// of its validation tests. What a failed wait means for the state is the
/// caller's (create keeps a tainted resource; update keeps what Immuta now
/// holds).
async fn wait_enabled(
    client: &ImmutaClient,
    ctx: &Context,
    id: &str,
    timeout: Duration,
    platform: Platform,
) -> Result<(Integration, Diagnostics), WaitError> {
    let enabled = wait_until_enabled(client, id, wait_options(ctx, timeout)).await?;
    let warnings = validation_warnings(
        enabled.integration.validation_results.as_ref(),
        &platform.path(),
    );
    Ok((enabled.integration, warnings))
}

/// The state after a successful create or update: Immuta's answer (the
/// wait's last read), with the planned values Immuta does not repeat. On an
/// error the caller keeps its fallback state.
fn read_back(
    integration: &Integration,
    planned: &IntegrationModel,
) -> Result<IntegrationModel, Diagnostic> {
    let mut state = to_state(integration, planned)?;
    // An update plans the status it waits for and keeps the validation
    // results of the last read (the new ones are reported, and stored by
    // the next refresh), so that a plan shows what the user changed, not
    // Immuta's bookkeeping.
    if planned.status.known().is_some() {
        state.status = planned.status.clone();
    }
    if planned.validation_results.value().is_known() {
        state.validation_results = planned.validation_results.clone();
    }
    Ok(state)
}

#[async_trait]
impl CrudResource for IntegrationResource {
    type Model = IntegrationModel;

    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Result<(), Diagnostics> {
        let diags = validate_config(config);
        if diags.is_empty() {
            Ok(())
        } else {
            Err(diags)
        }
    }

    /// Terraform's proposal, not the adapter's default (which marks unset
    /// computed attributes unknown): this plan says itself what Immuta
    /// will set.
    const PLAN_START: PlanStart = PlanStart::Proposal;

    async fn modify_plan(
        &self,
        ctx: &Context,
        req: &PlanRequest,
        resp: &mut PlanResponse,
    ) -> Result<(), Diagnostics> {
        // A destroy plan: nothing to add, and no dryRun.
        if resp.planned_state.is_null() {
            return Ok(());
        }
        self.plan(ctx, req, resp).await
    }

    /// `POST /integrations`; the id goes into the state at once, then the
    /// wait for `enabled`.
    async fn create(
        &self,
        ctx: &Context,
        req: Planned<IntegrationModel>,
    ) -> Outcome<IntegrationModel> {
        let Planned { planned, config } = req;
        let platform = platform_of(&planned, &config)?;
        let client = client(ctx)?;
        let ty = platform.integration_type();
        let payload = request_payload(platform, &config, &planned)?;
        let answer = client.create(&payload, false).await.map_err(|e| {
            let mut d = client_error(format!("Could not create the {ty} integration"), &e);
            if e.status() == Some(409) {
                d.detail = format!("{}\n\n{}", d.detail, import_hint(&e));
            }
            d
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
        let mut planned = planned;
        // What Immuta answered that the plan left to it: the Trino key, when
        // the create answer carries it (a later GET may not).
        if let (Some(key), Some(trino)) =
            (answer.trino_api_key(), planned.block_mut(Platform::TRINO))
        {
            if trino.attr("api_key").is_unknown() {
                trino.set_attr("api_key", Value::string(key.expose()));
            }
        }
        let mut partial = planned.clone();
        partial.id = Field::Known(id.clone());
        let status = answer.status.unwrap_or(IntegrationStatus::Creating);
        partial.status = Field::Known(status.as_str().to_string());
        partial.validation_results = Raw(crate::integration::convert::validation_results_value(
            answer.validation_results.as_ref(),
        ));
        let mut partial = unknowns_to_null(partial)?;
        let timeouts = Timeouts::from_model(&config.timeouts);
        match wait_enabled(&client, ctx, &id, timeouts.create, platform).await {
            Ok((integration, mut warnings)) => match read_back(&integration, &planned) {
                Ok(state) => Ok(Applied { state, warnings }),
                Err(d) => {
                    warnings.push(d);
                    Err(Failed::keep(partial, warnings))
                }
            },
            Err(e) => {
                if let WaitError::Failed {
                    status,
                    validation_results,
                    ..
                } = &e
                {
                    partial.status = Field::Known(status.as_str().to_string());
                    if validation_results.is_some() {
                        partial.validation_results =
                            Raw(crate::integration::convert::validation_results_value(
                                validation_results.as_ref(),
                            ));
                    }
                }
                Err(Failed::keep(
                    partial,
                    Diagnostic::error(
                        format!("The {ty} integration {id} was created but did not become enabled"),
                        format!(
                            "{e}\n\nThe integration is kept in the state, marked tainted: the \
                             next apply deletes and creates it again, and `terraform destroy` \
                             deletes it."
                        ),
                    ),
                ))
            }
        }
    }

    /// `GET /integrations/{id}`; `None` when the integration is gone.
    async fn read(
        &self,
        ctx: &Context,
        state: IntegrationModel,
    ) -> Result<Option<IntegrationModel>, Diagnostics> {
        let Some(id) = state.known_id() else {
            return Ok(Some(state));
        };
        let client = client(ctx)?;
        match client.get(&id).await {
            Ok(integration) => Ok(Some(to_state(&integration, &state)?)),
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

    /// `PUT /integrations/{id}`, then the wait for `enabled`; nothing is
    /// sent when only Terraform-side settings changed.
    async fn update(
        &self,
        ctx: &Context,
        prior: IntegrationModel,
        req: Planned<IntegrationModel>,
    ) -> Outcome<IntegrationModel> {
        let Planned { planned, config } = req;
        let platform = platform_of(&planned, &config)?;
        let Some(id) = prior.known_id() else {
            return Err(Diagnostic::attribute_error(
                AttributePath::new("id"),
                "Cannot update an integration without id",
                "Expected the state to hold the integration's id, got none. Remove it from the \
                 state and import it.",
            )
            .into());
        };
        if !api_changed(platform, &prior, &planned) {
            // Only Terraform-side settings changed (timeouts, credentials for destroy...).
            return Ok(unknowns_to_null(planned)?.into());
        }
        let client = client(ctx)?;
        let ty = platform.integration_type();
        let payload = request_payload(platform, &config, &planned)?;
        client
            .update(&id, &payload, false)
            .await
            .map_err(|e| client_error(format!("Could not update the {ty} integration {id}"), &e))?;
        let timeouts = Timeouts::from_model(&config.timeouts);
        match wait_enabled(&client, ctx, &id, timeouts.update, platform).await {
            Ok((integration, mut warnings)) => match read_back(&integration, &planned) {
                Ok(state) => Ok(Applied { state, warnings }),
                Err(d) => {
                    warnings.push(d);
                    Err(Failed::keep(prior, warnings))
                }
            },
            Err(e) => {
                let d = Diagnostic::error(
                    format!("The {ty} integration {id} did not become enabled after the update"),
                    e.to_string(),
                );
                // Keep what Immuta now holds, so the next plan shows it.
                let now = match client.get(&id).await {
                    Ok(integration) => to_state(&integration, &planned).unwrap_or(prior),
                    Err(_) => prior,
                };
                Err(Failed::keep(now, d))
            }
        }
    }

    /// `DELETE /integrations/{id}` (with the privileged credentials when
    /// Immuta needs them), then the wait until it is gone.
    async fn delete(&self, ctx: &Context, prior: IntegrationModel) -> Result<Deleted, Diagnostics> {
        let Some(id) = prior.known_id() else {
            return Ok(Deleted::default());
        };
        let client = client(ctx)?;
        let force = prior.force_disable_on_destroy.known() == Some(&true);
        let creds = delete_credentials::for_delete(&prior).map_err(|e| {
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
            Err(e) if e.is_not_found() => return Ok(Deleted::default()),
            Err(e) => {
                let mut d = client_error(format!("Could not delete integration {id}"), &e);
                if let Some(hint) = delete_hint(&prior, creds.is_some(), &e) {
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
        let timeouts = Timeouts::from_model(&prior.timeouts);
        match wait_for(&client, &id, target, wait_options(ctx, timeouts.delete)).await {
            Ok(_) => Ok(Deleted::default()),
            Err(e) => Err(Diagnostic::error(
                format!("Integration {id} was not deleted"),
                format!("{e}\n\nIt stays in the state. {FORCE_DISABLE_HINT}"),
            )
            .into()),
        }
    }

    /// Import by id; a JSON id also carries values Immuta never returns
    /// (see `import_id`).
    async fn import(&self, _ctx: &Context, id: &str) -> Result<IntegrationModel, Diagnostics> {
        let parsed = crate::import_id::ImportId::parse(id)
            .map_err(|e| Diagnostic::error("Invalid import id", e.to_string()))?;
        if let Some(refused) = super::refuse_import_id(&parsed.id, TYPE_NAME) {
            return Err(refused.diagnostics);
        }
        let mut state = Value::object([("id", Value::string(parsed.id.clone()))]);
        parsed.apply(&mut state);
        let mut m = IntegrationModel::read(&state)?;
        // What `-generate-config-out` writes for this sensitive attribute
        // (`delete_credentials = {}`): the same in state, so the generated
        // configuration plans no change. Left unset, it means the type
        // attribute's credentials (see `delete`).
        if let Some(a) = schema().block.attribute("delete_credentials") {
            m.delete_credentials = Raw(null_object(a));
        }
        Ok(m)
    }
}

/// The model with every unknown value null (a state holds none).
fn unknowns_to_null(m: IntegrationModel) -> Result<IntegrationModel, Diagnostic> {
    let mut v = m.to_value()?;
    v.unknowns_to_null();
    IntegrationModel::read(&v)
}

#[cfg(test)]
mod tests;
