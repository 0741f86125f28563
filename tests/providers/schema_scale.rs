//! A provider whose one resource, `scale_thing`, has a schema of a chosen
//! size and shape. `benches/schema_scale.py` runs it to measure what the
//! size of a resource's schema costs Terraform per instance, apart from
//! anything a provider does (see docs/performance.md).
//!
//! Terraform passes its environment to the provider, so the schema is
//! picked there:
//!
//! - `SCALE_LEAVES` (default 3): how many optional string attributes the
//!   resource has besides its computed `id`;
//! - `SCALE_SHAPE`: `flat` (the default: all at the top level), `nested`
//!   (in optional single nested attributes of `SCALE_GROUP` strings each)
//!   or `blocks` (in single nested blocks of `SCALE_GROUP` strings each);
//! - `SCALE_GROUP` (default 6): strings per nested attribute or block.
//!
//! Create gives an id; read keeps the state as it is; nothing is stored.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use terraform_provider_immuta::framework::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Flat,
    Nested,
    Blocks,
}

impl Shape {
    fn from_env() -> Result<Self, String> {
        match std::env::var("SCALE_SHAPE").as_deref() {
            Err(_) | Ok("flat") => Ok(Shape::Flat),
            Ok("nested") => Ok(Shape::Nested),
            Ok("blocks") => Ok(Shape::Blocks),
            Ok(other) => Err(format!(
                "SCALE_SHAPE: expected flat, nested or blocks, got {other:?}"
            )),
        }
    }
}

/// The whole number in environment variable `name`, `default` when unset.
fn count_from_env(name: &str, default: usize) -> Result<usize, String> {
    match std::env::var(name) {
        Err(_) => Ok(default),
        Ok(s) => s
            .parse()
            .map_err(|_| format!("{name}: expected a whole number, got {s:?}")),
    }
}

/// `leaves` optional strings, named `a0`, `a1`, ..., laid out by `shape`,
/// `group` to a nested attribute or block.
fn schema(shape: Shape, leaves: usize, group: usize) -> Schema {
    let strings = |from: usize, to: usize| -> Vec<Attribute> {
        (from..to)
            .map(|i| Attribute::string(format!("a{i}")).optional())
            .collect()
    };
    let mut block = Block::new(vec![Attribute::string("id").computed()]);
    match shape {
        Shape::Flat => block.attributes.extend(strings(0, leaves)),
        Shape::Nested | Shape::Blocks => {
            for (g, from) in (0..leaves).step_by(group).enumerate() {
                let inner = strings(from, (from + group).min(leaves));
                let name = format!("g{g}");
                block = match shape {
                    Shape::Nested => {
                        block
                            .attributes
                            .push(Attribute::single_nested(name, inner).optional());
                        block
                    }
                    _ => block.block(NestedBlock::new(
                        name,
                        NestingMode::Single,
                        Block::new(inner),
                    )),
                };
            }
        }
    }
    Schema::new(block.description("A thing with a schema of a chosen size."))
}

struct Thing {
    schema: Schema,
    next: AtomicU64,
}

#[async_trait]
impl Resource for Thing {
    fn type_name(&self) -> &str {
        "scale_thing"
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
                state.set_attr("id", Value::from(format!("thing-{n}")));
            }
            _ => {}
        }
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

struct Scale {
    thing: Arc<Thing>,
}

#[async_trait]
impl Provider for Scale {
    fn type_name(&self) -> &str {
        "scale"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new(Vec::new()))
    }
    async fn configure(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![self.thing.clone()]
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let _ = terraform_provider_immuta::protocol::init_logging("scale");
    let settings = (|| {
        let shape = Shape::from_env()?;
        let leaves = count_from_env("SCALE_LEAVES", 3)?;
        let group = count_from_env("SCALE_GROUP", 6)?;
        if group == 0 {
            return Err("SCALE_GROUP: expected at least 1, got 0".to_string());
        }
        Ok::<_, String>((shape, leaves, group))
    })();
    let (shape, leaves, group) = match settings {
        Ok(s) => s,
        Err(e) => {
            eprintln!("terraform-provider-scale: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let provider = Scale {
        thing: Arc::new(Thing {
            schema: schema(shape, leaves, group),
            next: AtomicU64::new(0),
        }),
    };
    terraform_provider_immuta::protocol::serve_main(
        ProviderService::new(Arc::new(provider)),
        "example.com/bench/scale",
    )
    .await
}
