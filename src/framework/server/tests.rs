//! Dispatch tests for [`crate::framework::server::ProviderService`] with a small fake provider.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use crate::protocol::tfplugin6 as proto;
use crate::protocol::tfplugin6::provider_server::Provider as _;
use tonic::Request;

use crate::framework::convert::{decode_dynamic, encode_dynamic};
use crate::framework::provider::{default_plan, import_passthrough_id};
use crate::framework::*;

#[derive(Default)]
struct Shared {
    terraform_version: Mutex<Option<String>>,
    configured_host: Mutex<Option<String>>,
}

/// What the fake provider's configure leaves in the context.
struct ConfiguredHost(String);

struct FakeProvider {
    shared: Arc<Shared>,
}

fn thing_schema() -> Schema {
    Schema::new(Block::new(vec![
        Attribute::string("id")
            .computed()
            .description("Identifier."),
        Attribute::string("name").required(),
        Attribute::string("mode").optional().computed(),
        Attribute::string("secret")
            .optional()
            .sensitive()
            .write_only(),
        Attribute::string("old")
            .optional()
            .deprecated("Use name instead."),
        Attribute::single_nested(
            "conn",
            vec![
                Attribute::string("host").required(),
                Attribute::number("port").optional().computed(),
            ],
        )
        .optional(),
    ]))
    .version(1)
}

/// A resource that fills computed values on apply and echoes state on read.
struct Thing {
    /// Whether plan tries to (wrongly) rewrite the configured name.
    rewrite_name: bool,
    name: &'static str,
}

fn fill_computed(mut v: Value) -> Value {
    if v.attr("id").is_unknown() {
        v.set_attr("id", Value::from("id-1"));
    }
    if v.attr("mode").is_unknown() {
        v.set_attr("mode", Value::from("standard"));
    }
    if let Some(conn) = v.get_attr_mut("conn") {
        if conn.attr("port").is_unknown() {
            conn.set_attr("port", Value::int(5432));
        }
    }
    v
}

#[async_trait]
impl Resource for Thing {
    fn type_name(&self) -> &str {
        self.name
    }
    fn schema(&self) -> Schema {
        thing_schema()
    }
    async fn plan(&self, _ctx: &Context, req: PlanRequest) -> PlanResponse {
        let mut resp = default_plan(&req);
        if self.rewrite_name {
            resp.planned_state
                .set_attr("name", Value::from("rewritten"));
        }
        resp.requires_replace = req.changed_paths(&[AttributePath::new("name")]);
        resp.planned_private = b"planned".to_vec();
        resp
    }
    async fn apply(&self, ctx: &Context, req: ApplyRequest) -> ApplyResponse {
        if ctx.is_cancelled() {
            return ApplyResponse::default();
        }
        let new_state = match req.kind() {
            ApplyKind::Delete => Value::Null,
            _ => fill_computed(req.planned_state.clone()),
        };
        ApplyResponse {
            new_state,
            private: req.planned_private,
            diagnostics: Diagnostics::new(),
        }
    }
    async fn read(&self, _ctx: &Context, req: ReadRequest) -> ReadResponse {
        ReadResponse {
            new_state: req.current_state,
            private: req.private,
            diagnostics: Diagnostics::new(),
        }
    }
    async fn import(&self, _ctx: &Context, req: ImportRequest) -> ImportResponse {
        import_passthrough_id(&req)
    }
}

/// A resource whose apply waits for StopProvider.
struct Slow {
    started: Arc<tokio::sync::Notify>,
}

#[async_trait]
impl Resource for Slow {
    fn type_name(&self) -> &str {
        "fake_slow"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new(vec![Attribute::string("id").computed()]))
    }
    async fn apply(&self, ctx: &Context, _req: ApplyRequest) -> ApplyResponse {
        self.started.notify_one();
        ctx.cancelled().await;
        ApplyResponse {
            diagnostics: Diagnostic::error("Cancelled", "Stopped by Terraform.").into(),
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

/// A resource that panics with a secret in the message.
struct Panicky;

#[async_trait]
impl Resource for Panicky {
    fn type_name(&self) -> &str {
        "fake_panic"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new(vec![Attribute::string("id").computed()]))
    }
    async fn apply(&self, _ctx: &Context, req: ApplyRequest) -> ApplyResponse {
        if req.config.attr("id").as_str() == Some("forget") {
            // Forgets to return a state.
            return ApplyResponse::default();
        }
        panic!("password=hunter2");
    }
    async fn read(&self, _ctx: &Context, _req: ReadRequest) -> ReadResponse {
        let v: Option<u8> = None;
        #[allow(clippy::unnecessary_literal_unwrap)]
        let _ = v.expect("token=hunter2");
        ReadResponse::default()
    }
}

struct Echo;

#[async_trait]
impl DataSource for Echo {
    fn type_name(&self) -> &str {
        "fake_echo"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new(vec![
            Attribute::string("input").required(),
            Attribute::string("output").computed(),
        ]))
    }
    async fn read(&self, _ctx: &Context, req: DataReadRequest) -> DataReadResponse {
        let input = req.config.attr("input").clone();
        DataReadResponse {
            state: req.config.with_attr("output", input),
            diagnostics: Diagnostics::new(),
        }
    }
}

/// An ephemeral resource that opens a token, renews it once and records
/// its closing.
struct Token {
    closed: Arc<Mutex<Vec<Vec<u8>>>>,
}

#[async_trait]
impl EphemeralResource for Token {
    fn type_name(&self) -> &str {
        "fake_token"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new(vec![
            Attribute::string("for").required(),
            Attribute::string("token").computed().sensitive(),
        ]))
    }
    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if config.attr("for").as_str() == Some("") {
            d.attribute_error(AttributePath::new("for"), "for: empty", "");
        }
        d
    }
    async fn open(&self, _ctx: &Context, req: OpenRequest) -> OpenResponse {
        let who = req
            .config
            .attr("for")
            .as_str()
            .unwrap_or_default()
            .to_string();
        OpenResponse {
            result: req
                .config
                .with_attr("token", Value::string(format!("token-for-{who}"))),
            private: Some(b"lease-1".to_vec()),
            renew_at: Some(std::time::UNIX_EPOCH + Duration::from_secs(60)),
            diagnostics: Diagnostics::new(),
        }
    }
    async fn renew(&self, _ctx: &Context, private: Option<Vec<u8>>) -> RenewResponse {
        assert_eq!(private.as_deref(), Some(&b"lease-1"[..]));
        RenewResponse {
            private: Some(b"lease-2".to_vec()),
            renew_at: None,
            diagnostics: Diagnostics::new(),
        }
    }
    async fn close(&self, _ctx: &Context, private: Option<Vec<u8>>) -> Diagnostics {
        self.closed
            .lock()
            .unwrap()
            .push(private.unwrap_or_default());
        Diagnostics::new()
    }
}

static CLOSED: LazyLock<Arc<Mutex<Vec<Vec<u8>>>>> = LazyLock::new(Default::default);

#[async_trait]
impl Provider for FakeProvider {
    fn type_name(&self) -> &str {
        "fake"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new(vec![Attribute::string("host").optional()]))
    }
    async fn configure(&self, ctx: &Context, config: &Value) -> Diagnostics {
        *self.shared.terraform_version.lock().unwrap() = ctx.terraform_version.clone();
        *self.shared.configured_host.lock().unwrap() =
            config.attr("host").as_str().map(String::from);
        ctx.set_configured(ConfiguredHost(
            config.attr("host").as_str().unwrap_or_default().to_string(),
        ));
        Diagnostics::new()
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![
            Arc::new(Thing {
                rewrite_name: false,
                name: "fake_thing",
            }),
            Arc::new(Thing {
                rewrite_name: true,
                name: "fake_rewriter",
            }),
            Arc::new(Slow {
                started: SLOW_STARTED.clone(),
            }),
            Arc::new(Panicky),
        ]
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![Arc::new(Echo)]
    }
    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        vec![Arc::new(Token {
            closed: CLOSED.clone(),
        })]
    }
}

static SLOW_STARTED: LazyLock<Arc<tokio::sync::Notify>> =
    LazyLock::new(|| Arc::new(tokio::sync::Notify::new()));

fn service() -> (ProviderService, Arc<Shared>) {
    let shared = Arc::new(Shared::default());
    let svc = ProviderService::new(Arc::new(FakeProvider {
        shared: shared.clone(),
    }));
    (svc, shared)
}

fn thing_type() -> Type {
    thing_schema().value_type()
}

fn dv(v: &Value) -> Option<proto::DynamicValue> {
    Some(encode_dynamic(v, &thing_type(), "test").unwrap())
}

fn undv(d: Option<proto::DynamicValue>) -> Value {
    decode_dynamic(d.as_ref(), &thing_type(), "test").unwrap()
}

fn config() -> Value {
    Value::object([
        ("name", Value::from("n1")),
        ("secret", Value::from("s3cr3t")),
        ("conn", Value::object([("host", Value::from("h"))])),
    ])
}

fn no_errors(d: &[proto::Diagnostic]) {
    let errs: Vec<_> = d
        .iter()
        .filter(|d| d.severity == proto::diagnostic::Severity::Error as i32)
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect();
    assert!(errs.is_empty(), "{errs:?}");
}

#[tokio::test]
async fn server_schema_and_metadata() {
    let (svc, _) = service();
    let s = svc
        .get_provider_schema(Request::new(proto::get_provider_schema::Request {}))
        .await
        .unwrap()
        .into_inner();
    no_errors(&s.diagnostics);
    let caps = s.server_capabilities.unwrap();
    assert!(caps.plan_destroy && caps.get_provider_schema_optional);
    let thing = &s.resource_schemas["fake_thing"];
    assert_eq!(thing.version, 1);
    let block = thing.block.as_ref().unwrap();
    let conn = block.attributes.iter().find(|a| a.name == "conn").unwrap();
    assert!(conn.nested_type.is_some());
    assert!(s.data_source_schemas.contains_key("fake_echo"));
    let m = svc
        .get_metadata(Request::new(proto::get_metadata::Request {}))
        .await
        .unwrap()
        .into_inner();
    let names: Vec<_> = m.resources.iter().map(|r| r.type_name.as_str()).collect();
    assert_eq!(
        names,
        ["fake_panic", "fake_rewriter", "fake_slow", "fake_thing"]
    );
    assert_eq!(m.data_sources[0].type_name, "fake_echo");
}

async fn plan(
    svc: &ProviderService,
    type_name: &str,
    prior: &Value,
    proposed: &Value,
    config: &Value,
) -> proto::plan_resource_change::Response {
    svc.plan_resource_change(Request::new(proto::plan_resource_change::Request {
        type_name: type_name.into(),
        prior_state: dv(prior),
        proposed_new_state: dv(proposed),
        config: dv(config),
        prior_private: vec![],
        provider_meta: None,
        client_capabilities: None,
    }))
    .await
    .unwrap()
    .into_inner()
}

async fn apply(
    svc: &ProviderService,
    type_name: &str,
    prior: &Value,
    planned: &Value,
    config: &Value,
) -> proto::apply_resource_change::Response {
    svc.apply_resource_change(Request::new(proto::apply_resource_change::Request {
        type_name: type_name.into(),
        prior_state: dv(prior),
        planned_state: dv(planned),
        config: dv(config),
        planned_private: b"planned".to_vec(),
        provider_meta: None,
    }))
    .await
    .unwrap()
    .into_inner()
}

/// ConfigureProvider with `host`, from Terraform 1.11.0.
async fn configure(svc: &ProviderService, host: &str) -> proto::configure_provider::Response {
    svc.configure_provider(Request::new(proto::configure_provider::Request {
        terraform_version: "1.11.0".into(),
        config: Some(
            encode_dynamic(
                &Value::object([("host", Value::from(host))]),
                &Type::object([("host", Type::String)]),
                "t",
            )
            .unwrap(),
        ),
        client_capabilities: None,
    }))
    .await
    .unwrap()
    .into_inner()
}

#[tokio::test]
async fn server_plan_apply_read_round_trip() {
    let (svc, shared) = service();
    let c = configure(&svc, "example").await;
    no_errors(&c.diagnostics);
    assert_eq!(
        shared.terraform_version.lock().unwrap().as_deref(),
        Some("1.11.0")
    );
    assert_eq!(
        shared.configured_host.lock().unwrap().as_deref(),
        Some("example")
    );

    // Create.
    let cfg = config();
    let p = plan(&svc, "fake_thing", &Value::Null, &cfg, &cfg).await;
    no_errors(&p.diagnostics);
    assert!(p.requires_replace.is_empty());
    assert_eq!(p.planned_private, b"planned");
    let planned = undv(p.planned_state);
    assert!(planned.attr("id").is_unknown());
    assert!(planned.attr("mode").is_unknown());
    assert!(planned.attr("conn").attr("port").is_unknown());
    assert!(planned.attr("secret").is_null(), "write-only never planned");
    assert_eq!(planned.attr("name").as_str(), Some("n1"));

    let a = apply(&svc, "fake_thing", &Value::Null, &planned, &cfg).await;
    no_errors(&a.diagnostics);
    assert_eq!(a.private, b"planned");
    let state = undv(a.new_state);
    assert_eq!(state.attr("id").as_str(), Some("id-1"));
    assert_eq!(state.attr("conn").attr("port").as_i64(), Some(5432));
    assert!(state.is_fully_known());
    assert!(state.attr("secret").is_null());

    // Read echoes the state.
    let r = svc
        .read_resource(Request::new(proto::read_resource::Request {
            type_name: "fake_thing".into(),
            current_state: dv(&state),
            private: b"p".to_vec(),
            provider_meta: None,
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    no_errors(&r.diagnostics);
    assert_eq!(undv(r.new_state), state);
    assert_eq!(r.private, b"p");

    // Update with a new name: requires replace is reported.
    let mut cfg2 = cfg.clone();
    cfg2.set_attr("name", Value::from("n2"));
    let mut proposed = state.clone();
    proposed.set_attr("name", Value::from("n2"));
    let p2 = plan(&svc, "fake_thing", &state, &proposed, &cfg2).await;
    no_errors(&p2.diagnostics);
    let rr: Vec<_> = p2
        .requires_replace
        .iter()
        .map(|p| AttributePath::from_proto(p).to_string())
        .collect();
    assert_eq!(rr, ["name"]);
    assert_eq!(undv(p2.planned_state).attr("id").as_str(), Some("id-1"));

    // Destroy: plan passes through, apply yields null.
    let pd = plan(&svc, "fake_thing", &state, &Value::Null, &Value::Null).await;
    no_errors(&pd.diagnostics);
    assert!(undv(pd.planned_state).is_null());
    let ad = apply(&svc, "fake_thing", &state, &Value::Null, &Value::Null).await;
    no_errors(&ad.diagnostics);
    assert!(undv(ad.new_state).is_null());
}

#[tokio::test]
async fn server_plan_keeps_configured_values() {
    let (svc, _) = service();
    let cfg = config();
    let p = plan(&svc, "fake_rewriter", &Value::Null, &cfg, &cfg).await;
    no_errors(&p.diagnostics);
    assert_eq!(undv(p.planned_state).attr("name").as_str(), Some("n1"));
}

#[tokio::test]
async fn server_unknown_type_names_give_diagnostics() {
    let (svc, _) = service();
    let p = plan(&svc, "fake_nope", &Value::Null, &config(), &config()).await;
    assert_eq!(p.diagnostics.len(), 1);
    assert_eq!(p.diagnostics[0].summary, "Unknown resource type");
    assert!(p.diagnostics[0].detail.contains("fake_nope"));
    let d = svc
        .read_data_source(Request::new(proto::read_data_source::Request {
            type_name: "fake_nope".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(d.diagnostics[0].summary, "Unknown data source type");
    let e = svc
        .open_ephemeral_resource(Request::new(proto::open_ephemeral_resource::Request {
            type_name: "fake_x".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(e.diagnostics.len(), 1);
}

#[tokio::test]
async fn server_decode_errors_name_the_value() {
    let (svc, _) = service();
    let r = svc
        .plan_resource_change(Request::new(proto::plan_resource_change::Request {
            type_name: "fake_thing".into(),
            prior_state: None,
            proposed_new_state: Some(proto::DynamicValue {
                msgpack: vec![0x81, 0xa4, b'n', b'a', b'm', b'e', 0x05],
                json: vec![],
            }),
            config: dv(&config()),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.diagnostics[0].summary, "Invalid proposed new state");
    assert!(r.diagnostics[0].detail.contains("at name"));
}

#[tokio::test]
async fn server_stop_provider_cancels_running_call() {
    let (svc, _) = service();
    let started = SLOW_STARTED.clone();
    let svc2 = svc.clone();
    let ty = Type::object([("id", Type::String)]);
    let planned = encode_dynamic(&Value::object([("id", Value::Unknown)]), &ty, "t").unwrap();
    let call = tokio::spawn(async move {
        svc2.apply_resource_change(Request::new(proto::apply_resource_change::Request {
            type_name: "fake_slow".into(),
            planned_state: Some(planned),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner()
    });
    tokio::time::timeout(Duration::from_secs(5), started.notified())
        .await
        .unwrap();
    let stop = svc
        .stop_provider(Request::new(proto::stop_provider::Request {}))
        .await
        .unwrap()
        .into_inner();
    assert!(stop.error.is_empty());
    let resp = tokio::time::timeout(Duration::from_secs(5), call)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resp.diagnostics[0].summary, "Cancelled");
    assert!(svc.cancellation_token().is_cancelled());
}

#[tokio::test]
async fn server_panicking_resource_gives_error_diagnostic() {
    let (svc, _) = service();
    let ty = Type::object([("id", Type::String)]);
    let planned = encode_dynamic(&Value::object([("id", Value::Unknown)]), &ty, "t").unwrap();
    let resp = svc
        .apply_resource_change(Request::new(proto::apply_resource_change::Request {
            type_name: "fake_panic".into(),
            planned_state: Some(planned),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.diagnostics.len(), 1);
    assert_eq!(resp.diagnostics[0].summary, "Internal error in provider");
    assert!(!resp.diagnostics[0].detail.contains("hunter2"));
    // The prior (null) state is kept.
    assert!(decode_dynamic(resp.new_state.as_ref(), &ty, "t")
        .unwrap()
        .is_null());
    let state = encode_dynamic(&Value::object([("id", Value::from("x"))]), &ty, "t").unwrap();
    let r = svc
        .read_resource(Request::new(proto::read_resource::Request {
            type_name: "fake_panic".into(),
            current_state: Some(state),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.diagnostics[0].summary, "Internal error in provider");
    // A create that returns no state is reported.
    let cfg = encode_dynamic(&Value::object([("id", Value::from("forget"))]), &ty, "t").unwrap();
    let planned =
        encode_dynamic(&Value::object([("id", Value::from("forget"))]), &ty, "t").unwrap();
    let resp = svc
        .apply_resource_change(Request::new(proto::apply_resource_change::Request {
            type_name: "fake_panic".into(),
            planned_state: Some(planned),
            config: Some(cfg),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.diagnostics[0].summary, "Provider returned no state");
    // The service still works afterwards.
    let p = plan(&svc, "fake_thing", &Value::Null, &config(), &config()).await;
    no_errors(&p.diagnostics);
}

#[tokio::test]
async fn server_upgrade_state_json_and_flatmap() {
    let (svc, _) = service();
    let up = |version: i64, json: &[u8], flatmap: HashMap<String, String>| {
        let svc = svc.clone();
        let json = json.to_vec();
        async move {
            svc.upgrade_resource_state(Request::new(proto::upgrade_resource_state::Request {
                type_name: "fake_thing".into(),
                version,
                raw_state: Some(proto::RawState { json, flatmap }),
            }))
            .await
            .unwrap()
            .into_inner()
        }
    };
    let r = up(
        1,
        br#"{"id":"i","name":"n","removed_attr":true,"secret":"leak","conn":{"host":"h","port":1}}"#,
        HashMap::new(),
    )
    .await;
    no_errors(&r.diagnostics);
    let v = undv(r.upgraded_state);
    assert_eq!(v.attr("id").as_str(), Some("i"));
    assert_eq!(v.attr("conn").attr("port").as_i64(), Some(1));
    assert!(v.attr("secret").is_null());
    let r = up(0, br#"{"id":"i"}"#, HashMap::new()).await;
    assert_eq!(r.diagnostics[0].summary, "Unsupported state version");
    let mut fm = HashMap::new();
    fm.insert("id".to_string(), "i".to_string());
    let r = up(1, b"", fm).await;
    assert_eq!(r.diagnostics[0].summary, "Unsupported state format");
    let r = up(1, b"{not json", HashMap::new()).await;
    assert_eq!(r.diagnostics[0].summary, "Cannot read stored state");
}

#[tokio::test]
async fn server_validate_checks_write_only_and_deprecation() {
    let (svc, _) = service();
    let mut cfg = config();
    cfg.set_attr("old", Value::from("x"));
    let validate = |caps: Option<proto::ClientCapabilities>| {
        let svc = svc.clone();
        let cfg = cfg.clone();
        async move {
            svc.validate_resource_config(Request::new(proto::validate_resource_config::Request {
                type_name: "fake_thing".into(),
                config: dv(&cfg),
                client_capabilities: caps,
            }))
            .await
            .unwrap()
            .into_inner()
        }
    };
    let r = validate(None).await;
    let summaries: Vec<_> = r.diagnostics.iter().map(|d| d.summary.as_str()).collect();
    assert!(summaries.contains(&"Deprecated attribute"));
    assert!(summaries.contains(&"Write-only attribute not supported"));
    let wo = r
        .diagnostics
        .iter()
        .find(|d| d.summary == "Write-only attribute not supported")
        .unwrap();
    assert_eq!(
        AttributePath::from_proto(wo.attribute.as_ref().unwrap()).to_string(),
        "secret"
    );
    let r = validate(Some(proto::ClientCapabilities {
        deferral_allowed: false,
        write_only_attributes_allowed: true,
    }))
    .await;
    no_errors(&r.diagnostics);
    assert_eq!(r.diagnostics.len(), 1, "only the deprecation warning");
}

#[tokio::test]
async fn server_import_and_data_source() {
    let (svc, _) = service();
    let r = svc
        .import_resource_state(Request::new(proto::import_resource_state::Request {
            type_name: "fake_thing".into(),
            id: "abc".into(),
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    no_errors(&r.diagnostics);
    assert_eq!(r.imported_resources.len(), 1);
    let st = undv(r.imported_resources[0].state.clone());
    assert_eq!(st.attr("id").as_str(), Some("abc"));
    // Resources without an import implementation report an error.
    let r = svc
        .import_resource_state(Request::new(proto::import_resource_state::Request {
            type_name: "fake_slow".into(),
            id: "abc".into(),
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.diagnostics[0].summary, "Import not supported");
    assert!(r.imported_resources.is_empty());

    let ety = Type::object([("input", Type::String), ("output", Type::String)]);
    let d = svc
        .read_data_source(Request::new(proto::read_data_source::Request {
            type_name: "fake_echo".into(),
            config: Some(
                encode_dynamic(&Value::object([("input", Value::from("hi"))]), &ety, "t").unwrap(),
            ),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    no_errors(&d.diagnostics);
    let st = decode_dynamic(d.state.as_ref(), &ety, "t").unwrap();
    assert_eq!(st.attr("output").as_str(), Some("hi"));
}

#[tokio::test]
async fn ephemeral_resources_are_served_opened_renewed_and_closed() {
    let (svc, _) = service();
    let ty = Type::object([("for", Type::String), ("token", Type::String)]);
    let schema = svc
        .get_provider_schema(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    no_errors(&schema.diagnostics);
    let token_schema = &schema.ephemeral_resource_schemas["fake_token"];
    let block = token_schema.block.as_ref().unwrap();
    assert!(block
        .attributes
        .iter()
        .any(|a| a.name == "token" && a.computed && a.sensitive));
    let meta = svc
        .get_metadata(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(meta.ephemeral_resources[0].type_name, "fake_token");

    let config = |who: &str| {
        Some(
            encode_dynamic(
                &Value::object([("for", Value::from(who)), ("token", Value::Null)]),
                &ty,
                "test",
            )
            .unwrap(),
        )
    };
    let v = svc
        .validate_ephemeral_resource_config(Request::new(
            proto::validate_ephemeral_resource_config::Request {
                type_name: "fake_token".into(),
                config: config(""),
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(v.diagnostics.len(), 1, "{v:?}");

    let o = svc
        .open_ephemeral_resource(Request::new(proto::open_ephemeral_resource::Request {
            type_name: "fake_token".into(),
            config: config("me"),
            client_capabilities: None,
        }))
        .await
        .unwrap()
        .into_inner();
    no_errors(&o.diagnostics);
    let result = decode_dynamic(o.result.as_ref(), &ty, "test").unwrap();
    assert_eq!(result.attr("token").as_str(), Some("token-for-me"));
    assert_eq!(result.attr("for").as_str(), Some("me"));
    assert_eq!(o.private.as_deref(), Some(&b"lease-1"[..]));
    assert_eq!(o.renew_at.map(|t| t.seconds), Some(60));

    let r = svc
        .renew_ephemeral_resource(Request::new(proto::renew_ephemeral_resource::Request {
            type_name: "fake_token".into(),
            private: o.private.clone(),
        }))
        .await
        .unwrap()
        .into_inner();
    no_errors(&r.diagnostics);
    assert_eq!(r.private.as_deref(), Some(&b"lease-2"[..]));
    assert!(r.renew_at.is_none());

    let c = svc
        .close_ephemeral_resource(Request::new(proto::close_ephemeral_resource::Request {
            type_name: "fake_token".into(),
            private: r.private.clone(),
        }))
        .await
        .unwrap()
        .into_inner();
    no_errors(&c.diagnostics);
    assert!(CLOSED.lock().unwrap().contains(&b"lease-2".to_vec()));
}

#[tokio::test]
async fn configure_leaves_its_data_for_every_later_call() {
    let (svc, _) = service();
    let before = svc.context(None).configured::<ConfiguredHost>();
    assert_eq!(before.err().unwrap().summary, "Provider not configured");
    let resp = configure(&svc, "h1").await;
    no_errors(&resp.diagnostics);
    let after = svc.context(None).configured::<ConfiguredHost>().unwrap();
    assert_eq!(after.0, "h1");
    // Another service (another provider process) has its own.
    assert!(service()
        .0
        .context(None)
        .configured::<ConfiguredHost>()
        .is_err());
}
