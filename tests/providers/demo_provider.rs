//! A tiny in-memory provider for trying the framework with a real Terraform.
//!
//! Build it, point a `dev_overrides` entry for `example.com/demo/demo` at
//! the binary's directory (binary name `terraform-provider-demo`), and run
//! `terraform apply` on a configuration using `demo_note`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use terraform_provider_immuta::framework::*;

#[derive(Default)]
struct Store {
    notes: Mutex<BTreeMap<String, Value>>,
    next: Mutex<u64>,
}

struct Note {
    store: Arc<Store>,
}

#[async_trait]
impl Resource for Note {
    fn type_name(&self) -> &str {
        "demo_note"
    }
    fn schema(&self) -> Schema {
        Schema::new(
            Block::new(vec![
                Attribute::string("id")
                    .computed()
                    .description("Identifier."),
                Attribute::string("text").required(),
                Attribute::number("size").optional().computed(),
                Attribute::number("ratio").optional(),
                Attribute::set("tags", Type::String).optional(),
                Attribute::string("secret")
                    .optional()
                    .sensitive()
                    .write_only(),
                Attribute::single_nested(
                    "meta",
                    vec![
                        Attribute::string("owner").required(),
                        Attribute::string("created").computed(),
                    ],
                )
                .optional(),
            ])
            .description("A note kept in memory."),
        )
    }
    async fn plan(&self, _ctx: &Context, req: PlanRequest) -> PlanResponse {
        let mut resp = provider::default_plan(&req);
        resp.requires_replace = req.changed_paths(&[AttributePath::new("text")]);
        resp
    }
    async fn apply(&self, _ctx: &Context, req: ApplyRequest) -> ApplyResponse {
        if req.config.attr("text").as_str() == Some("panic") {
            // Exercises the framework's panic guard.
            panic!("boom with token=hunter2");
        }
        let mut notes = self.store.notes.lock().unwrap();
        match req.kind() {
            ApplyKind::Delete => {
                if let Some(id) = req.prior_state.attr("id").as_str() {
                    notes.remove(id);
                }
                ApplyResponse::default()
            }
            kind => {
                let mut s = req.planned_state.clone();
                if kind == ApplyKind::Create {
                    let mut n = self.store.next.lock().unwrap();
                    *n += 1;
                    s.set_attr("id", Value::from(format!("note-{n}")));
                }
                let len = s.attr("text").as_str().map_or(0, str::len) as i64;
                if s.attr("size").is_unknown() {
                    s.set_attr("size", Value::int(len));
                }
                if let Some(meta) = s.get_attr_mut("meta") {
                    if meta.attr("created").is_unknown() {
                        meta.set_attr("created", Value::from("today"));
                    }
                }
                if let Some(id) = s.attr("id").as_str() {
                    notes.insert(id.to_string(), s.clone());
                }
                ApplyResponse {
                    new_state: s,
                    ..ApplyResponse::default()
                }
            }
        }
    }
    async fn read(&self, _ctx: &Context, req: ReadRequest) -> ReadResponse {
        // Memory is lost between runs; keep whatever the state says.
        ReadResponse {
            new_state: req.current_state,
            private: req.private,
            ..ReadResponse::default()
        }
    }
    async fn import(&self, _ctx: &Context, req: ImportRequest) -> ImportResponse {
        provider::import_passthrough_id(&req)
    }
}

struct Demo {
    store: Arc<Store>,
}

#[async_trait]
impl Provider for Demo {
    fn type_name(&self) -> &str {
        "demo"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new(vec![Attribute::string("label").optional()]))
    }
    async fn configure(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Note {
            store: self.store.clone(),
        })]
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let _ = terraform_provider_immuta::protocol::init_logging("demo");
    let provider = Demo {
        store: Arc::new(Store::default()),
    };
    terraform_provider_immuta::protocol::serve_main(
        ProviderService::new(Arc::new(provider)),
        "example.com/demo/demo",
    )
    .await
}
