//! The floor of `benches/bench.py` (issue 15, target 4): a provider that
//! serves exactly `immuta_integration`'s schema and answers at once, with
//! no Immuta behind it. Terraform's cost for this resource is all that is
//! left, so `immuta_integration` against this provider is what our provider
//! adds.
//!
//! Plan: the proposed state, computed attributes unknown on create (the
//! framework's default). Apply: the plan with an id, unknowns null. Read:
//! the state as it is. Served under the address `BENCH_FLOOR_ADDRESS` (by
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
    let provider = FloorProvider {
        floor: Arc::new(Floor {
            schema: terraform_provider_immuta::resources::integration::schema(),
            next: AtomicU64::new(1),
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
