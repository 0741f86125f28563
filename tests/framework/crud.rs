//! A `CrudResource` from outside the crate, over real gRPC: what configure
//! stores reaches its lifecycle through the context, its model is checked
//! against its schema, and a read that finds nothing drops the resource.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use terraform_provider_immuta::framework::convert::{decode_dynamic, encode_dynamic};
use terraform_provider_immuta::framework::model::assert_model_matches_schema;
use terraform_provider_immuta::framework::tfplugin6 as proto;
use terraform_provider_immuta::framework::*;

use crate::grpc::serve;

/// The "remote API": texts by id.
#[derive(Default)]
struct Api(Mutex<BTreeMap<String, String>>);

impl Api {
    fn lock(&self) -> Result<std::sync::MutexGuard<'_, BTreeMap<String, String>>, Diagnostic> {
        self.0
            .lock()
            .map_err(|_| Diagnostic::error("API unavailable", "The store lock is poisoned."))
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Memo {
    id: Field<String>,
    text: String,
    tags: Option<Vec<String>>,
}

struct Memos;

fn memo_schema() -> Schema {
    Schema::new(Block::new(vec![
        Attribute::string("id").computed(),
        Attribute::string("text").required(),
        Attribute::list("tags", Type::String).optional(),
    ]))
}

#[async_trait]
impl CrudResource for Memos {
    type Model = Memo;

    fn type_name(&self) -> &str {
        "demo_memo"
    }

    fn schema(&self) -> Schema {
        memo_schema()
    }

    async fn create(&self, ctx: &Context, req: Planned<Memo>) -> Outcome<Memo> {
        let api = ctx.configured::<Api>()?;
        let mut memos = api.lock()?;
        let id = format!("m{}", memos.len() + 1);
        memos.insert(id.clone(), req.planned.text.clone());
        Ok(Memo {
            id: Field::Known(id),
            ..req.planned
        }
        .into())
    }

    async fn read(&self, ctx: &Context, state: Memo) -> Result<Option<Memo>, Diagnostics> {
        let api = ctx.configured::<Api>()?;
        let id = state.id.known().cloned().unwrap_or_default();
        let text = api.lock()?.get(&id).cloned();
        Ok(text.map(|text| Memo { text, ..state }))
    }

    async fn update(&self, ctx: &Context, _prior: Memo, req: Planned<Memo>) -> Outcome<Memo> {
        let api = ctx.configured::<Api>()?;
        let id = req.planned.id.known().cloned().unwrap_or_default();
        api.lock()?.insert(id, req.planned.text.clone());
        Ok(req.planned.into())
    }

    async fn delete(&self, ctx: &Context, state: Memo) -> Result<Deleted, Diagnostics> {
        let api = ctx.configured::<Api>()?;
        api.lock()?
            .remove(state.id.known().map_or("", String::as_str));
        Ok(Deleted::default())
    }
}

/// A provider whose configure hands the API to every later call.
struct MemoProvider {
    api: Arc<Api>,
}

#[async_trait]
impl Provider for MemoProvider {
    fn type_name(&self) -> &str {
        "demo"
    }
    fn schema(&self) -> Schema {
        Schema::default()
    }
    async fn configure(&self, ctx: &Context, _config: &Value) -> Diagnostics {
        ctx.set_configured_arc(self.api.clone());
        Diagnostics::new()
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![CrudAdapter::shared(Memos)]
    }
}

#[test]
fn the_model_matches_the_schema() {
    assert_model_matches_schema::<Memo>(&memo_schema().block);
}

#[tokio::test]
async fn a_crud_resource_is_created_read_and_dropped_when_gone() {
    let api = Arc::new(Api::default());
    let (server, mut client) = serve(Arc::new(MemoProvider { api: api.clone() })).await;
    let ty = memo_schema().value_type();
    let dv = |v: &Value| Some(encode_dynamic(v, &ty, "t").unwrap());
    let config = Value::object([
        ("id", Value::Null),
        ("text", Value::from("hello")),
        ("tags", Value::Null),
    ]);
    let planned = Value::object([
        ("id", Value::Unknown),
        ("text", Value::from("hello")),
        ("tags", Value::Null),
    ]);
    let apply = |prior: &Value| proto::apply_resource_change::Request {
        type_name: "demo_memo".into(),
        prior_state: dv(prior),
        planned_state: dv(&planned),
        config: dv(&config),
        ..Default::default()
    };

    // Before ConfigureProvider: the context's diagnostic, nothing stored.
    let early = client
        .apply_resource_change(apply(&Value::Null))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(early.diagnostics[0].summary, "Provider not configured");
    assert!(api.0.lock().unwrap().is_empty());

    let configured = client
        .configure_provider(proto::configure_provider::Request {
            config: Some(
                encode_dynamic(
                    &Value::Object(Default::default()),
                    &Schema::default().value_type(),
                    "t",
                )
                .unwrap(),
            ),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(configured.diagnostics.is_empty());

    let applied = client
        .apply_resource_change(apply(&Value::Null))
        .await
        .unwrap()
        .into_inner();
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    let state = decode_dynamic(applied.new_state.as_ref(), &ty, "t").unwrap();
    assert_eq!(state.attr("id").as_str(), Some("m1"));
    assert_eq!(
        api.0.lock().unwrap().get("m1").map(String::as_str),
        Some("hello")
    );

    // Changed remotely: the read shows it; gone remotely: the read drops it.
    api.0.lock().unwrap().insert("m1".into(), "edited".into());
    let read = |client: &mut proto::provider_client::ProviderClient<_>| {
        let req = proto::read_resource::Request {
            type_name: "demo_memo".into(),
            current_state: dv(&state),
            ..Default::default()
        };
        let mut c = client.clone();
        async move { c.read_resource(req).await.unwrap().into_inner() }
    };
    let r = read(&mut client).await;
    let refreshed = decode_dynamic(r.new_state.as_ref(), &ty, "t").unwrap();
    assert_eq!(refreshed.attr("text").as_str(), Some("edited"));
    api.0.lock().unwrap().clear();
    let r = read(&mut client).await;
    assert!(r.diagnostics.is_empty());
    assert!(decode_dynamic(r.new_state.as_ref(), &ty, "t")
        .unwrap()
        .is_null());
    server.abort();
}
