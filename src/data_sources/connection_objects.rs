//! `data "immuta_connection_objects"`: the children of one object path of
//! a connection (`POST /data/object/search/{objectPath}`), e.g. the
//! databases of a connection or the tables of a schema, each with its
//! state. Individual tables are Immuta's object sync's, not Terraform's:
//! this lists them, for outputs and for choosing paths to set.
//!
//! File order: schema, model, converters, lifecycle.

use crate::framework::model;
use crate::framework::{
    Attribute, AttributePath, Block, Context, DataReadRequest, DataReadResponse, DataSource,
    Diagnostic, Diagnostics, Schema, Type, Value,
};
use crate::provider_data::Configured;
use async_trait::async_trait;
use immuta_api::connection::{DataObject, SearchRequest};
use immuta_client::{check_object_path, ClientError};
use serde::{Deserialize, Serialize};

/// The data source's type name.
pub const TYPE_NAME: &str = "immuta_connection_objects";

/// How many children one search asks for.
const PAGE: u64 = 500;

// ===========================================================================
// Schema

/// One child, as a plain object type (a data source's nested attribute
/// crashes Terraform 1.0 when it re-plans against a prior state).
fn object_type() -> Type {
    let s = |n: &str| Attribute::string(n).computed();
    Attribute::single_nested(
        "object",
        vec![
            s("name"),
            Attribute::list("path", Type::String).computed(),
            s("type"),
            Attribute::bool("is_active").computed(),
            Attribute::bool("in_platform").computed(),
            Attribute::number("child_count").computed(),
        ],
    )
    .value_type()
}

fn schema() -> Schema {
    Schema::new(
        Block::new(vec![
            Attribute::list("path", Type::String)
                .required()
                .description(
                    "The object path whose children to list, the connection key first: \
             `[\"snowflake-prod\"]` for its databases, `[\"snowflake-prod\", \"ANALYTICS\"]` \
             for that database's schemas, and so on.",
                ),
            Attribute::string("search_text")
                .optional()
                .description("Only children whose name contains this (letter case ignored)."),
            Attribute::string("id")
                .computed()
                .description("The path, its parts joined by `/`."),
            Attribute::new("objects", Type::List(Box::new(object_type())))
                .computed()
                .description(
                    "The children, in Immuta's order: `name`, `path` (the full object path), \
                 `type` (`database`, `schema`, `table`...), `is_active` (a data source, or \
                 a parent whose children inherit that), `in_platform` (`false` once object \
                 sync no longer finds it) and `child_count`.",
                ),
        ])
        .description(
            "Lists the children of an object path of an Immuta connection (the connection's \
         databases, a database's schemas, a schema's tables) with their state. A missing \
         path is an error. Tables are found by Immuta's object sync and are not managed by \
         Terraform; set the settings of a path with `immuta_connection_settings`.",
        ),
    )
}

// ===========================================================================
// Model

/// The data source's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ObjectsModel {
    path: Vec<String>,
    search_text: Option<String>,
    id: Option<String>,
    objects: Option<Vec<ObjectModel>>,
}

/// One child.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ObjectModel {
    name: Option<String>,
    path: Vec<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    is_active: Option<bool>,
    in_platform: Option<bool>,
    child_count: Option<i64>,
}

fn path_attr() -> AttributePath {
    AttributePath::new("path")
}

/// The configured path, checked as it goes into a URL.
fn checked_path(config: &Value) -> Result<Option<Vec<String>>, Diagnostic> {
    let Some(parts) = config.attr("path").as_list() else {
        return Ok(None);
    };
    let Some(parts) = parts
        .iter()
        .map(|p| p.as_str().map(str::to_string))
        .collect::<Option<Vec<String>>>()
    else {
        return Ok(None);
    };
    check_object_path(&parts).map_err(|e| {
        Diagnostic::expected(
            path_attr(),
            "Invalid path",
            "an object path, the connection key first, each part a name without `/`",
            match e {
                ClientError::InvalidId { id } if id.is_empty() => "an empty list".to_string(),
                ClientError::InvalidId { id } => format!("the part \"{id}\""),
                other => other.to_string(),
            },
        )
    })?;
    Ok(Some(parts))
}

// ===========================================================================
// Converters

fn object_model(d: &DataObject) -> ObjectModel {
    let state = d.state.as_ref();
    ObjectModel {
        name: d.name.clone().or_else(|| d.object_path.last().cloned()),
        path: d.object_path.clone(),
        kind: d.kind.clone(),
        is_active: state.and_then(|s| s.is_active),
        in_platform: state.and_then(|s| s.in_platform),
        child_count: d.child_count.and_then(|c| i64::try_from(c).ok()),
    }
}

fn read_error(path: &[String], e: &ClientError) -> Diagnostic {
    let shown = path.join("/");
    if e.is_not_found() {
        Diagnostic::attribute_error(
            path_attr(),
            format!("path: expected the path of an existing object, got \"{shown}\""),
            format!("{e}\n\nCheck the connection key and the names below it (letter case counts)."),
        )
    } else {
        crate::client_errors::diagnostic(format!("Could not list the children of {shown}"), e)
    }
}

// ===========================================================================
// Lifecycle

/// The `immuta_connection_objects` data source.
pub struct ConnectionObjectsDataSource;

/// Every child of `path`, page by page.
async fn children(
    ctx: &Context,
    path: &[String],
    search_text: Option<String>,
) -> Result<Vec<DataObject>, Diagnostic> {
    let client = ctx.configured::<Configured>()?.client_for(ctx);
    let mut out: Vec<DataObject> = Vec::new();
    loop {
        let req = SearchRequest {
            search_text: search_text.clone(),
            offset: Some(out.len() as u64),
            size: Some(PAGE),
        };
        let answer = client
            .search_objects(path, &req)
            .await
            .map_err(|e| read_error(path, &e))?;
        let got = answer.hits.len();
        out.extend(answer.hits);
        if got == 0 || out.len() as u64 >= answer.count {
            return Ok(out);
        }
    }
}

#[async_trait]
impl DataSource for ConnectionObjectsDataSource {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        match checked_path(config) {
            Err(d) => d.into(),
            Ok(_) => Diagnostics::new(),
        }
    }

    async fn read(&self, ctx: &Context, req: DataReadRequest) -> DataReadResponse {
        let result = async {
            let config: ObjectsModel = model::from_value(&req.config).map_err(Diagnostics::from)?;
            let path = checked_path(&req.config)?.unwrap_or_default();
            let found = children(ctx, &path, config.search_text.clone()).await?;
            let state = ObjectsModel {
                id: Some(path.join("/")),
                objects: Some(found.iter().map(object_model).collect()),
                ..config
            };
            model::to_value(&state, &schema().value_type())
                .map_err(|e| Diagnostics::from(e.to_diagnostic()))
        }
        .await;
        match result {
            Ok(state) => DataReadResponse {
                state,
                ..Default::default()
            },
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
    use serde_json::json;

    #[test]
    fn the_model_matches_the_schema() {
        assert_model_matches_schema::<ObjectsModel>(&schema().block);
    }

    #[test]
    fn a_bad_path_names_the_attribute() {
        let config = |parts: Vec<Value>| Value::object([("path", Value::List(parts))]);
        assert!(checked_path(&config(vec![Value::from("k")])).is_ok());
        // Not known yet: checked at read time.
        assert_eq!(checked_path(&config(vec![Value::Unknown])).unwrap(), None);
        for bad in [vec![], vec![Value::from("k"), Value::from("a/b")]] {
            let d = checked_path(&config(bad)).unwrap_err();
            assert_eq!(d.attribute.unwrap().to_string(), "path");
        }
    }

    #[test]
    fn an_object_reads_its_state() {
        let d: DataObject = serde_json::from_value(json!({
            "objectPath": ["k", "DB"], "type": "database", "childCount": "2",
            "state": {"isActive": true, "inPlatform": false}
        }))
        .unwrap();
        let m = object_model(&d);
        assert_eq!(m.name.as_deref(), Some("DB"));
        assert_eq!(m.is_active, Some(true));
        assert_eq!(m.in_platform, Some(false));
        assert_eq!(m.child_count, Some(2));
        let state = ObjectsModel {
            path: vec!["k".into()],
            search_text: None,
            id: Some("k".into()),
            objects: Some(vec![m]),
        };
        let v = model::to_value(&state, &schema().value_type()).unwrap();
        assert_eq!(v.attr("objects").as_list().unwrap().len(), 1);
    }
}
