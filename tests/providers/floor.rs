//! The floor of `benches/bench.py` (issue 15, target 4): a provider that
//! serves exactly `immuta_integration`'s schema and answers at once, with
//! no Immuta behind it. Terraform's cost for this resource is all that is
//! left, so `immuta_integration` against this provider is what our provider
//! adds.
//!
//! Plan: the proposed state, computed attributes unknown on create (the
//! framework's default). Apply: the plan with an id, unknowns null. Read:
//! the state as it is.
//!
//! With `BENCH_FLOOR_STATE` naming a JSON file of one instance's attributes
//! (as `terraform.tfstate` stores them), a create fills each value the plan
//! left unknown from that file instead of with null: the floor then stores
//! the same state as the provider it stands beside, so Terraform's cost of
//! the state's content and the provider's own cost can be told apart. Served under the address `BENCH_FLOOR_ADDRESS` (by
//! default `example.com/bench/immuta`), so a configuration written for
//! `immuta/immuta` runs unchanged once its `source` points here.
//!
//! ```sh
//! cargo build --release --example floor -p terraform-provider-immuta
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use terraform_provider_immuta::framework::*;

struct Floor {
    schema: Schema,
    next: AtomicU64,
    /// The values a create gives what the plan left unknown.
    computed: Option<Value>,
}

/// `planned`'s unknowns, taken from `from` at the same place (null where
/// `from` has nothing there).
fn fill_unknowns(planned: &mut Value, from: Option<&Value>) {
    match planned {
        Value::Unknown => *planned = from.cloned().unwrap_or(Value::Null),
        Value::Object(attrs) => {
            for (name, v) in attrs.iter_mut() {
                fill_unknowns(v, from.and_then(|f| f.get_attr(name)));
            }
        }
        _ => planned.unknowns_to_null(),
    }
}

/// The attributes in `BENCH_FLOOR_STATE`, read as `schema`'s values.
fn computed_from_env(schema: &Schema) -> Result<Option<Value>, String> {
    let Ok(path) = std::env::var("BENCH_FLOOR_STATE") else {
        return Ok(None);
    };
    let bytes = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
    json::decode_with(
        &bytes,
        &schema.block.value_type(),
        json::JsonOptions {
            ignore_undefined_attributes: true,
        },
    )
    .map(Some)
    .map_err(|e| format!("{path}: {e}"))
}

#[async_trait]
impl Resource for Floor {
    fn type_name(&self) -> &str {
        "immuta_integration"
    }
    fn schema(&self) -> Schema {
        self.schema.clone()
    }
    async fn apply(&self, _ctx: &Context, req: ApplyRequest) -> ApplyResponse {
        let mut state = req.planned_state.clone();
        match req.kind() {
            ApplyKind::Delete => return ApplyResponse::default(),
            ApplyKind::Create => {
                fill_unknowns(&mut state, self.computed.as_ref());
                let n = self.next.fetch_add(1, Ordering::Relaxed);
                state.set_attr("id", Value::from(n.to_string()));
            }
            _ => {}
        }
        state.unknowns_to_null();
        ApplyResponse {
            new_state: state,
            ..ApplyResponse::default()
        }
    }
    async fn read(&self, _ctx: &Context, req: ReadRequest) -> ReadResponse {
        ReadResponse {
            new_state: req.current_state,
            private: req.private,
            ..ReadResponse::default()
        }
    }
}

struct FloorProvider {
    floor: Arc<Floor>,
}

#[async_trait]
impl Provider for FloorProvider {
    fn type_name(&self) -> &str {
        "immuta"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new(Vec::new()))
    }
    async fn configure(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![self.floor.clone()]
    }
}

fn main() -> std::process::ExitCode {
    let _ = terraform_provider_immuta::protocol::init_logging("floor");
    let address =
        std::env::var("BENCH_FLOOR_ADDRESS").unwrap_or_else(|_| "example.com/bench/immuta".into());
    let schema = terraform_provider_immuta::resources::integration::schema();
    let computed = match computed_from_env(&schema) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("floor: BENCH_FLOOR_STATE: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let provider = FloorProvider {
        floor: Arc::new(Floor {
            schema,
            next: AtomicU64::new(1),
            computed,
        }),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("floor: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(terraform_provider_immuta::protocol::serve_main(
        ProviderService::new(Arc::new(provider)),
        &address,
    ))
}
