//! The script requests of `immuta_integration_script` (the data source and
//! the ephemeral resource of that name share all of it): the schema, the
//! checks of a configuration, the request body and Immuta's refusals.
//!
//! The configuration takes the resource's typed config (the same nested
//! attributes, from `Platform::attribute_in(Form::DataSource)`, checked by
//! the resource's own [`validate_config`]), an `action` that picks the
//! endpoint, and an `integration_id` for the two endpoints under an
//! integration (`delete`, `edit`). For `delete` the type attribute may be
//! left out: the integration's config is then read from Immuta.
//!
//! Which scripts exist for which type is Immuta's call: a refusal is shown
//! with Immuta's own message (and a hint where this provider knows the rule).

use super::convert::to_payload;
use super::platforms::{Form, Platform};
use super::{platform_of, platforms_set, validate_config};
use crate::framework::model::{self, Field};
use crate::framework::Context;
use crate::framework::{Attribute, AttributePath, Block, Diagnostic, Diagnostics, Schema, Value};
use crate::provider_data::Configured;
use immuta_api::{Integration, IntegrationPayload, ScriptKind};
use immuta_client::{ClientError, ImmutaClient};
use serde::{Deserialize, Serialize};

/// The type name of the data source and of the ephemeral resource.
pub const TYPE_NAME: &str = "immuta_integration_script";

// ===========================================================================
// Schema

/// The data source's schema, which the ephemeral resource of the same name
/// shares with a description of its own.
pub fn schema() -> Schema {
    let actions = ScriptKind::ALL
        .iter()
        .map(|k| format!("`{}`", action_name(*k)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut attrs = vec![
        Attribute::string("action").required().description(format!(
            "Which script: one of {actions}. `create` sets Immuta's objects up, `cleanup` \
             removes them after a create that failed, `delete` removes them for a configured \
             integration, `edit` changes them for a configured integration (give the new \
             config), `initial_create` is the first set-up script (Redshift, Azure Synapse \
             Analytics) and `post_cleanup` the second clean-up script (Azure Synapse \
             Analytics)."
        )),
        Attribute::string("integration_id").optional().description(
            "The integration's id: must be set for `delete` and `edit`, and left unset for the \
             others.",
        ),
        Attribute::bool("auto_bootstrap").optional().description(
            "As in `immuta_integration`: must be set with every type attribute but `trino`, and \
             be `false` for the hand set-up these scripts are for.",
        ),
    ];
    attrs.extend(Platform::ALL.into_iter().map(type_attribute));
    attrs.push(
        Attribute::string("script")
            .computed()
            .sensitive()
            .description(
                "The script Immuta generated (SQL, or an IAM policy for Amazon S3). It may hold \
                 the credentials it sets up.",
            ),
    );
    Schema::new(Block::new(attrs).description(
        "Generates the script Immuta provides to set up, edit or remove its objects on the \
         data platform, for integrations bootstrapped by hand (`auto_bootstrap = false`). Set \
         the same type attribute as in `immuta_integration` (e.g. `snowflake = { ... }`); for \
         `delete` it may be left out, and the integration's config is read from Immuta. The \
         secrets of the type attribute are sensitive, and so is `script`.",
    ))
}

/// A type attribute: the resource's own, optional and computed as there.
/// Computed matters here too: Terraform 1.0 re-plans a data source against
/// its prior state, and crashes descending into a nested attribute that is
/// not computed when a nested object inside it is null.
fn type_attribute(p: Platform) -> Attribute {
    p.attribute_in(Form::DataSource).description(format!(
        "The config of the script's integration, as the `{}` attribute of \
         `immuta_integration` takes it. Set exactly one type attribute (none for `delete`, \
         whose config is then read from Immuta).",
        p.block_name()
    ))
}

// ===========================================================================
// Model

/// The `action` name of a script kind: its path segment in snake_case.
fn action_name(kind: ScriptKind) -> String {
    kind.segment().replace('-', "_")
}

/// The top-level attributes of a script configuration and of its result,
/// each named once here. The type attributes stay `Value`s, set beside it:
/// the resource's checks and converters (`validate_config`, `platform_of`,
/// `to_payload`) read them, with unknowns inside at plan time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScriptModel {
    /// Which script (`action_name` of a [`ScriptKind`]).
    pub action: Field<String>,
    /// The integration, for `delete` and `edit`.
    pub integration_id: Field<String>,
    /// As in `immuta_integration`.
    pub auto_bootstrap: Field<bool>,
    /// What Immuta generated; null in a configuration.
    pub script: Field<String>,
}

/// The names of the type attributes, which [`ScriptModel`] leaves out.
pub fn type_attribute_names() -> Vec<&'static str> {
    Platform::ALL.into_iter().map(|p| p.block_name()).collect()
}

/// What a configuration asks for.
#[derive(Debug, PartialEq)]
struct Request {
    kind: ScriptKind,
    integration_id: Option<String>,
    /// The type attribute set, if any (`None` only for `delete`).
    platform: Option<Platform>,
}

fn expected_actions() -> String {
    ScriptKind::ALL
        .iter()
        .map(|k| format!("\"{}\"", action_name(*k)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads and checks a configuration. Unknown values are skipped (`None`
/// then), so plan-time validation reports what it can.
fn check(config: &Value, diags: &mut Diagnostics) -> Option<Request> {
    let top: ScriptModel = match model::from_value(config) {
        Ok(top) => top,
        Err(e) => {
            diags.push(e.to_diagnostic());
            return None;
        }
    };
    let action_path = AttributePath::new("action");
    let kind = match &top.action {
        Field::Known(a) => {
            let kind = ScriptKind::ALL
                .into_iter()
                .find(|k| action_name(*k) == a.trim());
            if kind.is_none() {
                diags.attribute_error(
                    action_path.clone(),
                    format!(
                        "action: expected one of {}, got \"{a}\"",
                        expected_actions()
                    ),
                    "Pick the script to generate.",
                );
            }
            kind
        }
        Field::Null => {
            diags.attribute_error(
                action_path.clone(),
                format!("action: required, expected one of {}", expected_actions()),
                "",
            );
            None
        }
        Field::Unknown => None,
    };
    let id_path = AttributePath::new("integration_id");
    let id_value = &top.integration_id;
    let integration_id = id_value.known().map(|s| s.trim().to_string());
    if let Some(kind) = kind {
        let name = action_name(kind);
        match (kind.needs_id(), id_value) {
            (true, Field::Null) => diags.attribute_error(
                id_path.clone(),
                format!(
                    "integration_id: required when action is \"{name}\", expected an \
                     integration's id, got none"
                ),
                "The delete and edit scripts are for an integration Immuta already has.",
            ),
            (true, Field::Known(s)) if s.trim().is_empty() => diags.attribute_error(
                id_path.clone(),
                format!("integration_id: expected an integration's id, got \"{s}\""),
                "",
            ),
            (false, v) if !v.is_null() => diags.attribute_error(
                id_path.clone(),
                format!("integration_id: expected no value when action is \"{name}\", got one"),
                "Only the delete and edit scripts are for an existing integration; the \
                 others are generated from the configuration alone.",
            ),
            _ => {}
        }
    }
    let set = platforms_set(config);
    let platform = platform_of(config);
    let type_optional = kind == Some(ScriptKind::Delete) && set.is_empty();
    if !type_optional {
        // The resource's own checks: exactly one type attribute, the
        // auto_bootstrap rules, and each type's required settings.
        diags.extend(validate_config(config));
    }
    if diags.has_errors() {
        return None;
    }
    let kind = kind?;
    if kind.needs_id() && id_value.is_unknown() {
        return None;
    }
    Some(Request {
        kind,
        integration_id: if kind.needs_id() {
            integration_id
        } else {
            None
        },
        platform,
    })
}

// ===========================================================================
// Converters

/// The request body of an integration as Immuta answered it (for a
/// `delete` script without a type attribute).
fn payload_of(i: &Integration) -> IntegrationPayload {
    IntegrationPayload {
        integration_type: i.integration_type.clone(),
        auto_bootstrap: i.auto_bootstrap,
        config: i.config.clone(),
    }
}

/// What Immuta's own pages say about the scripts a type has, when a
/// refusal matches it.
fn known_rule(kind: ScriptKind, ty: &str) -> Option<&'static str> {
    let trino = Platform::TRINO.integration_type();
    match kind {
        ScriptKind::InitialCreate
            if ![Platform::REDSHIFT, Platform::AZURE_SYNAPSE]
                .iter()
                .any(|p| p.integration_type().as_str() == ty) =>
        {
            Some(
                "Immuta generates the initial_create script for Redshift and Azure Synapse \
                 Analytics integrations only.",
            )
        }
        ScriptKind::PostCleanup if Platform::AZURE_SYNAPSE.integration_type().as_str() != ty => {
            Some("Immuta generates the post_cleanup script for Azure Synapse Analytics integrations only.")
        }
        _ if ty == trino.as_str() => Some(
            "Starburst (Trino) integrations have no set-up script: Immuta needs nothing on the \
             cluster but the API key (see immuta_integration_api_key).",
        ),
        _ => None,
    }
}

/// Immuta's refusal as a diagnostic on the attribute it is about.
fn script_error(kind: ScriptKind, id: Option<&str>, ty: &str, e: &ClientError) -> Diagnostic {
    let name = action_name(kind);
    if crate::client_errors::is_settings_problem(e.class()) {
        return crate::client_errors::diagnostic(
            format!("Could not generate the \"{name}\" script"),
            e,
        );
    }
    if let (Some(id), true) = (id, e.is_not_found()) {
        return Diagnostic::attribute_error(
            AttributePath::new("integration_id"),
            format!("integration_id: expected the id of an existing integration, got \"{id}\""),
            e.to_string(),
        );
    }
    match (e.status(), known_rule(kind, ty)) {
        (Some(400..=499), Some(rule)) => Diagnostic::attribute_error(
            AttributePath::new("action"),
            format!("action: Immuta generates no \"{name}\" script for {ty} integrations"),
            format!("{e}\n\n{rule}"),
        ),
        (Some(400..=499), None) => Diagnostic::error(
            format!("Immuta refused to generate the \"{name}\" script"),
            e.to_string(),
        ),
        _ => {
            crate::client_errors::diagnostic(format!("Could not generate the \"{name}\" script"), e)
        }
    }
}

// ===========================================================================
// Requests

/// The body to send: from the configuration, or (for `delete` without a
/// type attribute) from the integration as Immuta has it.
async fn payload_for(
    client: &ImmutaClient,
    req: &Request,
    config: &Value,
) -> Result<IntegrationPayload, Diagnostic> {
    match (req.platform, req.integration_id.as_deref()) {
        (Some(p), _) => Ok(to_payload(p, config)),
        (None, Some(id)) => client
            .get(id)
            .await
            .map(|i| payload_of(&i))
            .map_err(|e| script_error(req.kind, Some(id), "", &e)),
        (None, None) => Err(Diagnostic::attribute_error(
            AttributePath::root(),
            "expected a type attribute (e.g. snowflake) or an integration_id, got neither",
            "Set the type attribute of the integration, or its id for a delete script.",
        )),
    }
}

/// The checks of a configuration (unknown values skipped).
pub fn validate(config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    check(config, &mut diags);
    diags
}

/// The script a configuration asks for: the configuration with `script`
/// set to what Immuta generated, with the warnings of its checks. An error
/// carries those warnings too.
pub async fn generate(ctx: &Context, config: &Value) -> Result<(Value, Diagnostics), Diagnostics> {
    let mut diags = Diagnostics::new();
    let Some(request) = check(config, &mut diags) else {
        if !diags.has_errors() {
            let unknown = if config.attr("action").is_known() {
                "integration_id"
            } else {
                "action"
            };
            diags.attribute_error(
                AttributePath::new(unknown),
                "Incomplete configuration",
                format!("Expected a known {unknown} to generate a script, got a value known only after apply."),
            );
        }
        return Err(diags);
    };
    match request_script(ctx, &request, config).await {
        Ok(script) => match result_of(config, script) {
            Ok(state) => Ok((state, diags)),
            Err(d) => {
                diags.push(d);
                Err(diags)
            }
        },
        Err(d) => {
            diags.push(d);
            Err(diags)
        }
    }
}

/// The configuration with `script` set: [`ScriptModel`] and the type
/// attributes as configured.
fn result_of(config: &Value, script: String) -> Result<Value, Diagnostic> {
    let top = ScriptModel {
        script: Field::Known(script),
        ..model::from_value(config)?
    };
    let mut state = model::to_value(&top, &schema().value_type())?;
    for name in type_attribute_names() {
        state.set_attr(name, config.attr(name).clone());
    }
    Ok(state)
}

/// One request to Immuta's script endpoint.
async fn request_script(
    ctx: &Context,
    request: &Request,
    config: &Value,
) -> Result<String, Diagnostic> {
    let client = ctx.configured::<Configured>()?.client_for(ctx);
    let payload = payload_for(&client, request, config).await?;
    let id = request.integration_id.as_deref();
    client
        .script(request.kind, id, &payload)
        .await
        .map_err(|e| script_error(request.kind, id, payload.integration_type.as_str(), &e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integration::platforms::null_object;

    fn config(action: &str, id: Option<&str>) -> Value {
        let mut v = Value::object(
            schema()
                .block
                .attributes
                .iter()
                .map(|a| (a.name.clone(), Value::Null)),
        );
        v.set_attr("action", Value::from(action));
        v.set_attr("integration_id", Value::opt_string(id));
        v.set_attr("auto_bootstrap", Value::Bool(false));
        let mut sf = null_object(&Platform::SNOWFLAKE.attribute());
        for (k, val) in [
            ("host", "org.us-east-1.snowflakecomputing.com"),
            ("warehouse", "W"),
            ("database", "D"),
            ("authentication_type", "userPassword"),
            ("username", "IMMUTA_SYSTEM_ACCOUNT"),
            ("password", "pw"),
        ] {
            sf.set_attr(k, Value::from(val));
        }
        v.set_attr("snowflake", sf);
        v
    }

    fn summaries(config: &Value) -> Vec<String> {
        let mut d = Diagnostics::new();
        check(config, &mut d);
        d.iter().map(|d| d.summary.clone()).collect()
    }

    #[test]
    fn actions_are_the_endpoints_in_snake_case() {
        let names: Vec<String> = ScriptKind::ALL.into_iter().map(action_name).collect();
        assert_eq!(
            names,
            [
                "create",
                "cleanup",
                "delete",
                "edit",
                "initial_create",
                "post_cleanup"
            ]
        );
        let mut d = Diagnostics::new();
        let r = check(&config("initial_create", None), &mut d).unwrap();
        assert_eq!(r.kind, ScriptKind::InitialCreate);
        assert_eq!(r.platform, Some(Platform::SNOWFLAKE));
    }

    #[test]
    fn a_bad_action_names_the_attribute_and_the_choices() {
        let mut d = Diagnostics::new();
        assert!(check(&config("setup", None), &mut d).is_none());
        let first = d.iter().next().unwrap();
        assert_eq!(first.attribute.as_ref().unwrap().to_string(), "action");
        assert_eq!(
            first.summary,
            "action: expected one of \"create\", \"cleanup\", \"delete\", \"edit\", \
             \"initial_create\", \"post_cleanup\", got \"setup\""
        );
    }

    #[test]
    fn integration_id_only_for_delete_and_edit() {
        assert_eq!(
            summaries(&config("edit", None)),
            ["integration_id: required when action is \"edit\", expected an integration's id, got none"]
        );
        assert_eq!(
            summaries(&config("create", Some("4"))),
            ["integration_id: expected no value when action is \"create\", got one"]
        );
        assert!(summaries(&config("delete", Some("4"))).is_empty());
        // Unknown until apply: nothing to report yet, nothing to read yet.
        let mut v = config("delete", None);
        v.set_attr("integration_id", Value::Unknown);
        let mut d = Diagnostics::new();
        assert!(check(&v, &mut d).is_none());
        assert!(d.is_empty());
    }

    #[test]
    fn the_type_attribute_is_checked_like_the_resources() {
        let mut v = config("create", None);
        v.set_attr("snowflake", Value::Null);
        assert_eq!(
            summaries(&v),
            ["expected exactly one of snowflake, databricks, bigquery, redshift, azure_synapse, s3, trino to be set, got none"]
        );
        // ...except for delete, which can read it from Immuta.
        let mut v = config("delete", Some("3"));
        v.set_attr("snowflake", Value::Null);
        v.set_attr("auto_bootstrap", Value::Null);
        let mut d = Diagnostics::new();
        assert_eq!(check(&v, &mut d).unwrap().platform, None);
        let mut v = config("create", None);
        if let Some(sf) = v.get_attr_mut("snowflake") {
            sf.set_attr("password", Value::Null);
        }
        assert_eq!(
            summaries(&v),
            ["snowflake.password: required when authentication_type is \"userPassword\", expected a value, got none"]
        );
    }

    #[test]
    fn payload_comes_from_the_shared_converters() {
        let v = config("create", None);
        let p = to_payload(Platform::SNOWFLAKE, &v);
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["config"]["warehouse"], "W");
        assert_eq!(json["autoBootstrap"], false);
    }

    #[test]
    fn refusals_carry_immutas_message_and_the_rule() {
        let e = ClientError::Api {
            status: 400,
            body: None,
            raw: "The initial-create script is not available for Snowflake integrations".into(),
        };
        let d = script_error(ScriptKind::InitialCreate, None, "Snowflake", &e);
        assert_eq!(d.attribute.as_ref().unwrap().to_string(), "action");
        assert!(
            d.detail.contains("not available for Snowflake"),
            "{}",
            d.detail
        );
        assert!(
            d.detail.contains("Redshift and Azure Synapse"),
            "{}",
            d.detail
        );
        let missing = ClientError::Api {
            status: 404,
            body: None,
            raw: "No Integration found with ID 9.".into(),
        };
        let d = script_error(ScriptKind::Delete, Some("9"), "Snowflake", &missing);
        assert_eq!(d.attribute.as_ref().unwrap().to_string(), "integration_id");
        assert!(known_rule(ScriptKind::PostCleanup, "Azure Synapse Analytics").is_none());
        assert!(known_rule(ScriptKind::Create, "Trino").is_some());
    }
}
