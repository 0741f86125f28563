//! `data "immuta_integration_script"`: the scripts Immuta generates to set
//! up, edit and remove its objects on the data platform, for teams that
//! bootstrap by hand (`auto_bootstrap = false`). Its `script` output feeds a
//! resource of the platform's own provider that runs SQL.
//!
//! Everything but the lifecycle (schema, checks, request, Immuta's
//! refusals) is the integration domain's `integration::script`, which the
//! ephemeral resource of the same name shares.

use crate::framework::{
    Context, DataReadRequest, DataReadResponse, DataSource, Diagnostics, Schema, Value,
};
use crate::integration::script;
use async_trait::async_trait;

/// The data source's type name.
pub const TYPE_NAME: &str = script::TYPE_NAME;

/// The `immuta_integration_script` data source; it generates scripts
/// through the configured client of the call context.
pub struct IntegrationScriptDataSource;

#[async_trait]
impl DataSource for IntegrationScriptDataSource {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        script::schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        script::validate(config)
    }

    async fn read(&self, ctx: &Context, req: DataReadRequest) -> DataReadResponse {
        match script::generate(ctx, &req.config).await {
            Ok((state, diagnostics)) => DataReadResponse { state, diagnostics },
            Err(diagnostics) => DataReadResponse {
                diagnostics,
                ..Default::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::assert_model_matches_schema;

    #[test]
    fn the_model_is_the_schema_but_the_type_attributes() {
        let mut block = script::schema().block;
        let types = script::type_attribute_names();
        block
            .attributes
            .retain(|a| !types.contains(&a.name.as_str()));
        assert_model_matches_schema::<script::ScriptModel>(&block);
    }
}
