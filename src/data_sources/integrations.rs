//! `data "immuta_integrations"`: every integration Immuta has, optionally
//! filtered by type and status, for inventories and `for_each`. Each element
//! carries the non-secret config of its type, in the same shape as
//! `data "immuta_integration"` (see `integration::public` for how secrets are left out).
//!
//! Forward compatible: an integration this version cannot read is left out
//! with a warning naming its id (the others are still listed), and a status
//! filter this version does not know is compared as given, with a warning
//! in case it is a typo.
//!
//! File order: schema, model, converters, lifecycle.

use crate::framework::model::{self, Field, ModelError};
use crate::framework::{
    Attribute, AttributePath, Block, Context, DataReadRequest, DataReadResponse, DataSource,
    Diagnostic, Diagnostics, Schema, Type, Value,
};
use crate::integration::public::{config_attributes, config_values};
use crate::integration::Platform;
use crate::provider_data::Configured;
use async_trait::async_trait;
use immuta_api::{Integration, IntegrationStatus, IntegrationType};
use immuta_client::SkippedIntegration;
use serde::{Deserialize, Serialize};

// ---- schema ----------------------------------------------------------------

fn schema() -> Schema {
    let type_names = Platform::ALL
        .iter()
        .map(|p| format!("`{}`", p.integration_type()))
        .collect::<Vec<_>>()
        .join(", ");
    let status_names = IntegrationStatus::ALL
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ");
    Schema::new(
        Block::new(vec![
            Attribute::string("type").optional().description(format!(
                "Only integrations of this Immuta type: one of {type_names}."
            )),
            Attribute::string("status").optional().description(format!(
                "Only integrations in this status, compared as given: one of {status_names}, \
                 or a status a newer Immuta reports (accepted with a warning, in case it is a \
                 typo)."
            )),
            Attribute::list_nested("integrations", element_attributes())
                .computed()
                .description(
                    "The integrations, ordered by id, each with the non-secret config of its \
                 type (e.g. `snowflake.warehouse`); secrets are never shown. An integration \
                 whose JSON this provider cannot read is left out, with a warning naming its \
                 id.",
                ),
        ])
        .description(
            "Lists the integrations of an Immuta tenant, optionally filtered by type and \
             status.",
        ),
    )
}

/// The attributes of one element of `integrations`.
fn element_attributes() -> Vec<Attribute> {
    let mut element = vec![
        Attribute::string("id")
            .computed()
            .description("The integration's id."),
        Attribute::string("type")
            .computed()
            .description("Immuta's type string, e.g. `Snowflake`."),
        Attribute::string("status")
            .computed()
            .description("Its status, e.g. `enabled`."),
        Attribute::bool("auto_bootstrap")
            .computed()
            .description("Whether Immuta set up the platform side itself (null for Trino)."),
        Attribute::string("validation_status")
            .computed()
            .description(
                "The overall outcome of its last validation: `passed`, `failed`, `warning` or \
                 `skipped` (null when Immuta reports none).",
            ),
    ];
    // The non-secret config: the attribute of the integration's type is set,
    // the others are null.
    element.extend(config_attributes());
    element
}

// ---- model -----------------------------------------------------------------

/// The configuration, and the state but for `integrations` (a list of
/// [`ElementModel`]s with the domain's config values, set after
/// [`model::to_value`]). Unknown until Terraform knows the variables.
#[derive(Debug, Default, Serialize, Deserialize)]
struct ConfigModel {
    #[serde(rename = "type")]
    integration_type: Field<String>,
    status: Field<String>,
}

/// One element of `integrations`, but for the per-type config attributes
/// of the public view (`integration::public`), which stay `Value`s.
#[derive(Debug, Serialize, Deserialize)]
struct ElementModel {
    id: String,
    #[serde(rename = "type")]
    integration_type: String,
    status: String,
    auto_bootstrap: Option<bool>,
    validation_status: Option<String>,
}

/// The filters of the data source's configuration.
#[derive(Debug, Default, PartialEq)]
struct Filters {
    integration_type: Option<IntegrationType>,
    /// Compared with the integration's status string as given, so a status
    /// a newer Immuta reports can be filtered on without a provider release.
    status: Option<String>,
}

impl Filters {
    /// The filters, or errors naming the attribute: an unknown type (the
    /// types decide the nested attributes, so a new one needs a release) or
    /// an empty status. Warnings are [`Filters::warnings`].
    fn from_config(config: &Value) -> Result<Self, Diagnostics> {
        let config: ConfigModel = model::from_value(config)?;
        let mut diags = Diagnostics::new();
        let integration_type = config
            .integration_type
            .known()
            .map(|t| IntegrationType::from(t.as_str()));
        if let Some(IntegrationType::Other(t)) = &integration_type {
            diags.attribute_error(
                AttributePath::new("type"),
                "Unknown integration type",
                format!(
                    "Expected one of {}, got {t:?}.",
                    Platform::ALL
                        .iter()
                        .map(|p| format!("{:?}", p.integration_type().as_str()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        let status = config.status.into_known();
        if status.as_deref().is_some_and(|s| s.trim().is_empty()) {
            diags.attribute_error(
                AttributePath::new("status"),
                "Empty integration status",
                format!(
                    "Expected a status such as {}, got {:?}; leave status unset to list \
                     integrations in every status.",
                    known_statuses(),
                    status.as_deref().unwrap_or_default()
                ),
            );
        }
        if diags.has_errors() {
            return Err(diags);
        }
        Ok(Filters {
            integration_type,
            status,
        })
    }

    /// A warning for a status this version does not know: it may be one a
    /// newer Immuta reports, or a typo that would match nothing.
    ///
    /// Given by `read` only: Terraform validates with input variables still
    /// unknown and validates again just before the read, so a warning from
    /// `validate` would be missed for a variable and shown twice for a
    /// literal.
    fn warnings(&self) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if let Some(s) = &self.status {
            if let IntegrationStatus::Other(_) = IntegrationStatus::from(s.as_str()) {
                diags.attribute_warning(
                    AttributePath::new("status"),
                    "Unknown integration status",
                    format!(
                        "{s:?} is not a status this provider knows ({}); it is compared as \
                         given, so only integrations Immuta reports in exactly that status \
                         are listed. Check it for a typo.",
                        known_statuses()
                    ),
                );
            }
        }
        diags
    }

    fn keeps(&self, i: &Integration) -> bool {
        self.integration_type
            .as_ref()
            .is_none_or(|t| *t == i.integration_type)
            && self
                .status
                .as_deref()
                .is_none_or(|s| s == i.status.as_str())
    }

    /// Whether an integration that could not be read may be one these
    /// filters keep (what could not be told counts as a match).
    fn may_keep(&self, s: &SkippedIntegration) -> bool {
        let ty = match (&self.integration_type, &s.integration_type) {
            (Some(want), Some(got)) => want == got,
            _ => true,
        };
        let status = match (&self.status, &s.status) {
            (Some(want), Some(got)) => want == got.as_str(),
            _ => true,
        };
        ty && status
    }
}

/// The statuses this version knows, quoted, for messages.
fn known_statuses() -> String {
    IntegrationStatus::ALL
        .iter()
        .map(|s| format!("{:?}", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The warning for an integration that was left out because its JSON could
/// not be read: its id and the reason, never its content.
fn skipped_warning(s: &SkippedIntegration) -> Diagnostic {
    let which = match (&s.id, &s.integration_type) {
        (Some(id), Some(t)) => format!("The {t} integration {id}"),
        (Some(id), None) => format!("The integration {id}"),
        (None, Some(t)) => format!("A {t} integration without an id"),
        (None, None) => "An integration without an id".to_string(),
    };
    let summary = match &s.id {
        Some(id) => format!("Integration {id} left out of the list"),
        None => "An integration left out of the list".to_string(),
    };
    Diagnostic::attribute_warning(
        AttributePath::new("integrations"),
        summary,
        format!(
            "{which} could not be read, so it is not in `integrations`: {}. The other \
             integrations are listed. A newer provider version may read it; until then, \
             look at it in Immuta.",
            s.reason
        ),
    )
}

// ---- converters ------------------------------------------------------------

/// The object type of one element of `integrations`.
fn element_type() -> Type {
    Block::new(element_attributes()).value_type()
}

/// One element of `integrations`, of type `ty` ([`element_type`]).
fn element_value(i: &Integration, ty: &Type) -> Result<Value, ModelError> {
    let element = ElementModel {
        id: i.id.as_str().to_string(),
        integration_type: i.integration_type.as_str().to_string(),
        status: i.status.as_str().to_string(),
        auto_bootstrap: i.auto_bootstrap,
        validation_status: i
            .validation_results
            .as_ref()
            .map(|v| v.status.as_str().to_string()),
    };
    let mut v = model::to_value(&element, ty)?;
    for (name, value) in config_values(i) {
        v.set_attr(name, value);
    }
    Ok(v)
}

/// Sorts ids numerically where they are numbers, so `10` comes after `9`.
fn by_id(a: &Integration, b: &Integration) -> std::cmp::Ordering {
    let key = |i: &Integration| (i.id.as_str().parse::<u64>().ok(), i.id.as_str().to_string());
    match (key(a), key(b)) {
        ((Some(x), _), (Some(y), _)) => x.cmp(&y),
        ((_, x), (_, y)) => x.cmp(&y),
    }
}

// ---- lifecycle -------------------------------------------------------------

/// The `immuta_integrations` data source; it lists through the configured
/// client of the call context.
pub struct IntegrationsDataSource;

#[async_trait]
impl DataSource for IntegrationsDataSource {
    fn type_name(&self) -> &str {
        "immuta_integrations"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        Filters::from_config(config).err().unwrap_or_default()
    }

    async fn read(&self, ctx: &Context, req: DataReadRequest) -> DataReadResponse {
        match read(ctx, &req.config).await {
            Ok((state, diagnostics)) => DataReadResponse { state, diagnostics },
            Err(diagnostics) => DataReadResponse {
                diagnostics,
                ..Default::default()
            },
        }
    }
}

/// The state for a configuration, with the warnings of its filters and of
/// the integrations left out.
async fn read(ctx: &Context, config: &Value) -> Result<(Value, Diagnostics), Diagnostics> {
    let filters = Filters::from_config(config)?;
    let configured = ctx.configured::<Configured>()?;
    let listed = tokio::select! {
        r = configured.client.list() => r,
        _ = ctx.cancelled() => {
            return Err(Diagnostic::error("Cancelled", "Terraform asked the provider to stop.").into());
        }
    };
    let listed = listed
        .map_err(|e| crate::client_errors::diagnostic("Could not list Immuta integrations", &e))?;
    let mut diags = filters.warnings();
    for skipped in listed.skipped.iter().filter(|s| filters.may_keep(s)) {
        diags.push(skipped_warning(skipped));
    }
    let mut list = listed.integrations;
    list.retain(|i| filters.keeps(i));
    list.sort_by(by_id);
    let ty = element_type();
    let elements = list
        .iter()
        .map(|i| element_value(i, &ty))
        .collect::<Result<Vec<_>, _>>()?;
    let config: ConfigModel = model::from_value(config)?;
    let mut state = model::to_value(&config, &schema().value_type())?;
    state.set_attr("integrations", Value::List(elements));
    Ok((state, diags))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn integration(id: &str, ty: &str, status: &str) -> Integration {
        serde_json::from_value(json!({"id": id, "type": ty, "status": status})).unwrap()
    }

    #[test]
    fn filters_by_type_and_status() {
        let f = Filters::from_config(&Value::object([
            ("type", Value::string("Snowflake")),
            ("status", Value::string("enabled")),
        ]))
        .unwrap();
        assert!(f.keeps(&integration("1", "Snowflake", "enabled")));
        assert!(!f.keeps(&integration("2", "Databricks", "enabled")));
        assert!(!f.keeps(&integration("3", "Snowflake", "createError")));
        let all = Filters::from_config(&Value::object([("type", Value::Null)])).unwrap();
        assert!(all.keeps(&integration("2", "Databricks", "editing")));
    }

    #[test]
    fn unknown_type_filter_names_the_attribute() {
        let d =
            Filters::from_config(&Value::object([("type", Value::string("Oracle"))])).unwrap_err();
        let first = d.iter().next().unwrap();
        assert_eq!(first.attribute.as_ref().unwrap().to_string(), "type");
        assert!(first.detail.contains("\"Snowflake\""), "{}", first.detail);
    }

    #[test]
    fn unknown_status_filter_is_a_warning_naming_the_attribute() {
        let f = Filters::from_config(&Value::object([("status", Value::string("hibernating"))]))
            .unwrap();
        // Compared as given: a status a newer Immuta reports is matched.
        assert!(f.keeps(&integration("1", "Trino", "hibernating")));
        assert!(!f.keeps(&integration("2", "Trino", "enabled")));
        let d = f.warnings();
        assert_eq!(d.len(), 1);
        assert!(!d.has_errors());
        let first = d.iter().next().unwrap();
        assert_eq!(first.attribute.as_ref().unwrap().to_string(), "status");
        assert_eq!(first.summary, "Unknown integration status");
        assert!(first.detail.contains("\"hibernating\""), "{}", first.detail);
        for known in IntegrationStatus::ALL {
            assert!(
                first.detail.contains(&format!("{:?}", known.as_str())),
                "{known} missing from {}",
                first.detail
            );
        }
        // Known statuses, and no status, warn about nothing.
        for config in [
            Value::object([("status", Value::string("createError"))]),
            Value::object([("status", Value::Null)]),
        ] {
            assert!(Filters::from_config(&config).unwrap().warnings().is_empty());
        }
    }

    #[test]
    fn empty_status_filter_is_an_error_naming_the_attribute() {
        for empty in ["", "  "] {
            let d = Filters::from_config(&Value::object([("status", Value::string(empty))]))
                .unwrap_err();
            assert_eq!(d.len(), 1);
            let first = d.iter().next().unwrap();
            assert!(first.is_error());
            assert_eq!(first.attribute.as_ref().unwrap().to_string(), "status");
            assert_eq!(first.summary, "Empty integration status");
            assert!(first.detail.contains("\"enabled\""), "{}", first.detail);
        }
    }

    fn skipped(id: Option<&str>, ty: Option<&str>, status: Option<&str>) -> SkippedIntegration {
        SkippedIntegration {
            id: id.map(Into::into),
            integration_type: ty.map(IntegrationType::from),
            status: status.map(IntegrationStatus::from),
            reason: immuta_client::SkipReason::DoesNotFit {
                detail: "config: invalid type: map, expected a string".into(),
            },
        }
    }

    #[test]
    fn a_skipped_integration_warns_with_its_id_and_reason() {
        let d = skipped_warning(&skipped(Some("12"), Some("Snowflake"), Some("enabled")));
        assert!(!d.is_error());
        assert_eq!(d.summary, "Integration 12 left out of the list");
        assert_eq!(d.attribute.as_ref().unwrap().to_string(), "integrations");
        assert!(
            d.detail.starts_with(
                "The Snowflake integration 12 could not be read, so it is not in \
                 `integrations`: config: invalid type: map, expected a string."
            ),
            "{}",
            d.detail
        );
        let d = skipped_warning(&skipped(None, None, None));
        assert_eq!(d.summary, "An integration left out of the list");
        assert!(d
            .detail
            .starts_with("An integration without an id could not be read"));
    }

    #[test]
    fn skipped_integrations_warn_only_when_the_filters_may_keep_them() {
        let f = Filters::from_config(&Value::object([
            ("type", Value::string("Snowflake")),
            ("status", Value::string("enabled")),
        ]))
        .unwrap();
        assert!(f.may_keep(&skipped(Some("1"), Some("Snowflake"), Some("enabled"))));
        assert!(f.may_keep(&skipped(Some("2"), None, None)));
        assert!(!f.may_keep(&skipped(Some("3"), Some("Trino"), None)));
        assert!(!f.may_keep(&skipped(Some("4"), None, Some("createError"))));
        let all = Filters::default();
        assert!(all.may_keep(&skipped(Some("3"), Some("Trino"), Some("odd"))));
    }

    #[test]
    fn elements_carry_the_non_secret_config_of_their_type() {
        let i: Integration = serde_json::from_value(json!({
            "id": "4", "type": "Snowflake", "status": "enabled", "autoBootstrap": false,
            "config": {"host": "h", "warehouse": "W", "password": "<REDACTED>",
                       "username": "<REDACTED>"}
        }))
        .unwrap();
        let v = element_value(&i, &element_type()).unwrap();
        assert_eq!(v.attr("snowflake").attr("warehouse").as_str(), Some("W"));
        assert!(v.attr("snowflake").get_attr("username").is_none());
        assert!(v.attr("snowflake").get_attr("password").is_none());
        assert!(v.attr("redshift").is_null());
        // Every attribute of the element schema is there.
        let Some(Attribute { kind, .. }) = schema().block.attribute("integrations").cloned() else {
            panic!("no integrations attribute")
        };
        let crate::framework::AttributeKind::Nested { attributes, .. } = kind else {
            panic!("not nested")
        };
        let mut names: Vec<String> = attributes.iter().map(|a| a.name.clone()).collect();
        names.sort();
        let got: Vec<String> = v.as_map().unwrap().keys().cloned().collect();
        assert_eq!(got, names);
    }

    #[test]
    fn the_models_are_the_schema_but_the_domains_values() {
        let values: Vec<String> = config_attributes().into_iter().map(|a| a.name).collect();
        let mut element = Block::new(element_attributes());
        element.attributes.retain(|a| !values.contains(&a.name));
        model::assert_model_matches_schema::<ElementModel>(&element);
        let mut top = schema().block;
        top.attributes.retain(|a| a.name != "integrations");
        model::assert_model_matches_schema::<ConfigModel>(&top);
    }

    #[test]
    fn ids_sort_numerically() {
        let mut v = [
            integration("10", "Trino", "enabled"),
            integration("9", "Trino", "enabled"),
        ];
        v.sort_by(by_id);
        assert_eq!(v[0].id.as_str(), "9");
    }
}
