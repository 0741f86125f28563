//! `ephemeral "immuta_integration_script"`: the same inputs and script as
//! `data "immuta_integration_script"`, but Terraform keeps the script in
//! memory for the run only, never in the plan or the state. Meant for the
//! manual-bootstrap flow, where the script (which may hold the credentials
//! it sets up) is handed to something that runs it, such as a `local-exec`
//! provisioner through an environment variable.
//!
//! Opening it is what the data source's read does (`integration::script`):
//! one request to Immuta's script endpoint; there is nothing to renew or
//! close.

use crate::framework::{
    Context, Diagnostics, EphemeralResource, OpenRequest, OpenResponse, Schema, Value,
};
use crate::integration::script;
use async_trait::async_trait;

/// The ephemeral resource's type name (the data source's).
pub const TYPE_NAME: &str = script::TYPE_NAME;

/// The schema: the data source's, described as ephemeral.
pub fn schema() -> Schema {
    let mut s = script::schema();
    s.block.description = Some(
        "Generates the script Immuta provides to set up, edit or remove its objects on the data \
         platform, like the `immuta_integration_script` data source (the same arguments and \
         `script`), but as an ephemeral resource: the script is never written to the plan or \
         the state. Requires Terraform 1.10 or later. Its values can only go where Terraform \
         allows ephemeral values: provider blocks, provisioners and connections, write-only \
         attributes, other ephemeral resources, locals, and ephemeral outputs and variables."
            .to_string(),
    );
    s
}

/// `ephemeral "immuta_integration_script"`; it generates scripts through
/// the configured client of the call context.
pub struct IntegrationScriptEphemeral;

#[async_trait]
impl EphemeralResource for IntegrationScriptEphemeral {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        script::validate(config)
    }

    async fn open(&self, ctx: &Context, req: OpenRequest) -> OpenResponse {
        match script::generate(ctx, &req.config).await {
            Ok((result, diagnostics)) => OpenResponse {
                result,
                diagnostics,
                ..Default::default()
            },
            Err(diagnostics) => OpenResponse {
                diagnostics,
                ..Default::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_is_the_data_sources_with_its_own_description() {
        let e = schema();
        let d = script::schema();
        assert_eq!(e.block.attributes.len(), d.block.attributes.len());
        assert_eq!(e.value_type(), d.value_type());
        let text = e.block.description.unwrap_or_default();
        assert!(text.contains("never written to the plan or the state"));
        assert!(text.contains("Terraform 1.10"));
        let script = e
            .block
            .attributes
            .iter()
            .find(|a| a.name == "script")
            .expect("script");
        assert!(script.computed && script.sensitive);
    }

    #[test]
    fn the_model_is_the_schema_but_the_type_attributes() {
        let mut block = schema().block;
        let types = script::type_attribute_names();
        block
            .attributes
            .retain(|a| !types.contains(&a.name.as_str()));
        crate::framework::model::assert_model_matches_schema::<script::ScriptModel>(&block);
    }
}
