//! Drives a provider through real gRPC (tonic server and generated client).

use std::sync::Arc;

use terraform_provider_immuta::framework::convert::{decode_dynamic, encode_dynamic};
use terraform_provider_immuta::framework::tfplugin6 as proto;
use terraform_provider_immuta::framework::*;
use tokio_stream::wrappers::TcpListenerStream;

/// The provider served over real gRPC on a local port, and a client of it.
pub(crate) async fn serve(
    provider: Arc<dyn Provider>,
) -> (
    tokio::task::JoinHandle<Result<(), tonic::transport::Error>>,
    proto::provider_client::ProviderClient<tonic::transport::Channel>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = ProviderService::new(provider);
    let server = tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(service.into_server())
            .serve_with_incoming(TcpListenerStream::new(listener)),
    );
    let client = proto::provider_client::ProviderClient::connect(format!("http://{addr}"))
        .await
        .unwrap();
    (server, client)
}

struct Note;

#[async_trait]
impl Resource for Note {
    fn type_name(&self) -> &str {
        "demo_note"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new(vec![
            Attribute::string("id").computed(),
            Attribute::string("text").required(),
            Attribute::number("size").optional().computed(),
        ]))
    }
    async fn apply(&self, _ctx: &Context, req: ApplyRequest) -> ApplyResponse {
        let new_state = match req.kind() {
            ApplyKind::Delete => Value::Null,
            _ => {
                let len = req.planned_state.attr("text").as_str().map_or(0, str::len);
                let mut s = req.planned_state.clone();
                s.set_attr("id", Value::from("note-1"));
                if s.attr("size").is_unknown() {
                    s.set_attr("size", Value::int(len as i64));
                }
                s
            }
        };
        ApplyResponse {
            new_state,
            ..ApplyResponse::default()
        }
    }
    async fn read(&self, _ctx: &Context, req: ReadRequest) -> ReadResponse {
        ReadResponse {
            new_state: req.current_state,
            ..ReadResponse::default()
        }
    }
}

struct Demo;

#[async_trait]
impl Provider for Demo {
    fn type_name(&self) -> &str {
        "demo"
    }
    fn schema(&self) -> Schema {
        Schema::default()
    }
    async fn configure(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Note)]
    }
}

#[tokio::test]
async fn grpc_schema_plan_apply_round_trip() {
    let (server, mut client) = serve(Arc::new(Demo)).await;

    let schema = client
        .get_provider_schema(proto::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(schema.resource_schemas.contains_key("demo_note"));

    let ty = Note.schema().value_type();
    let config = Value::object([("text", Value::from("hello"))]);
    let dv = |v: &Value| Some(encode_dynamic(v, &ty, "t").unwrap());
    let plan = client
        .plan_resource_change(proto::plan_resource_change::Request {
            type_name: "demo_note".into(),
            prior_state: dv(&Value::Null),
            proposed_new_state: dv(&config),
            config: dv(&config),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(plan.diagnostics.is_empty());
    let planned = decode_dynamic(plan.planned_state.as_ref(), &ty, "t").unwrap();
    assert!(planned.attr("size").is_unknown());

    let applied = client
        .apply_resource_change(proto::apply_resource_change::Request {
            type_name: "demo_note".into(),
            prior_state: dv(&Value::Null),
            planned_state: plan.planned_state,
            config: dv(&config),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(applied.diagnostics.is_empty());
    let state = decode_dynamic(applied.new_state.as_ref(), &ty, "t").unwrap();
    assert_eq!(state.attr("id").as_str(), Some("note-1"));
    assert_eq!(state.attr("size").as_i64(), Some(5));
    server.abort();
}
