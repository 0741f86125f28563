//! Property-based fuzzing of value decoding: whatever bytes Terraform (or an
//! attacker on the plugin socket) sends, decoding returns a value or an
//! error, never a panic; and every well-typed value survives a round trip
//! through msgpack and JSON.
//!
//! The number of cases per property is `FUZZ_CASES` (default 2000), so a
//! longer run is `FUZZ_CASES=200000 cargo test --test framework fuzz_decode`.

use proptest::prelude::*;
use std::collections::BTreeSet;
use terraform_provider_immuta::framework::{json, msgpack, Number, Type, Value};

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Types up to a few levels deep.
fn arb_type() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![Just(Type::String), Just(Type::Number), Just(Type::Bool)];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            proptest::collection::btree_map("[a-z]{1,6}", inner.clone(), 0..4).prop_map(|attrs| {
                Type::Object {
                    attributes: attrs,
                    optional: BTreeSet::new(),
                }
            }),
            proptest::collection::vec(inner, 0..3).prop_map(Type::Tuple),
        ]
    })
}

/// A value of type `ty` (null and unknown included at every level).
fn arb_value(ty: &Type) -> BoxedStrategy<Value> {
    let known: BoxedStrategy<Value> = match ty {
        Type::String => ".{0,12}".prop_map(Value::String).boxed(),
        Type::Number => prop_oneof![
            any::<i64>().prop_map(|n| Value::Number(Number::from(n))),
            (-1.0e12f64..1.0e12).prop_map(|f| Value::Number(
                Number::from_f64(f).unwrap_or_else(|| Number::from(0))
            )),
        ]
        .boxed(),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::List(e) => proptest::collection::vec(arb_value(e), 0..3)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(e) => proptest::collection::vec(arb_value(e), 0..3)
            .prop_map(|mut v| {
                // Sets hold distinct values.
                let mut seen = Vec::new();
                v.retain(|x| {
                    let dup = seen.contains(x);
                    if !dup {
                        seen.push(x.clone());
                    }
                    !dup
                });
                Value::Set(v)
            })
            .boxed(),
        Type::Map(e) => proptest::collection::btree_map("[a-z]{0,4}", arb_value(e), 0..3)
            .prop_map(|m| Value::Map(m.into_iter().collect()))
            .boxed(),
        Type::Object { attributes, .. } => {
            let parts: Vec<(String, BoxedStrategy<Value>)> = attributes
                .iter()
                .map(|(k, t)| (k.clone(), arb_value(t)))
                .collect();
            let names: Vec<String> = parts.iter().map(|(k, _)| k.clone()).collect();
            let strategies: Vec<BoxedStrategy<Value>> = parts.into_iter().map(|(_, s)| s).collect();
            strategies
                .prop_map(move |vals| Value::Object(names.iter().cloned().zip(vals).collect()))
                .boxed()
        }
        Type::Tuple(elems) => {
            let strategies: Vec<BoxedStrategy<Value>> = elems.iter().map(arb_value).collect();
            strategies.prop_map(Value::Tuple).boxed()
        }
        Type::Dynamic => Just(Value::Null).boxed(),
    };
    prop_oneof![1 => Just(Value::Null), 1 => Just(Value::Unknown), 6 => known].boxed()
}

fn typed_value() -> impl Strategy<Value = (Type, Value)> {
    arb_type().prop_flat_map(|t| {
        let v = arb_value(&t);
        (Just(t), v)
    })
}

/// The value with every unknown replaced by null.
fn without_unknowns(v: Value) -> Value {
    match v {
        Value::Unknown => Value::Null,
        Value::List(xs) => Value::List(xs.into_iter().map(without_unknowns).collect()),
        Value::Tuple(xs) => Value::Tuple(xs.into_iter().map(without_unknowns).collect()),
        Value::Set(xs) => {
            let mut out: Vec<Value> = Vec::new();
            for x in xs.into_iter().map(without_unknowns) {
                if !out.contains(&x) {
                    out.push(x);
                }
            }
            Value::Set(out)
        }
        Value::Map(m) => Value::Map(
            m.into_iter()
                .map(|(k, v)| (k, without_unknowns(v)))
                .collect(),
        ),
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| (k, without_unknowns(v)))
                .collect(),
        ),
        other => other,
    }
}

/// A few fixed types the provider really uses, to aim random bytes at.
fn target_types() -> Vec<Type> {
    let obj = Type::object([
        ("id", Type::String),
        ("n", Type::Number),
        ("on", Type::Bool),
        ("tags", Type::list(Type::String)),
        ("m", Type::map(Type::Number)),
        ("inner", Type::object([("x", Type::String)])),
    ]);
    vec![Type::Dynamic, Type::String, Type::list(obj.clone()), obj]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn msgpack_decode_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        for ty in target_types() {
            let _ = msgpack::decode(&bytes, &ty);
        }
    }

    #[test]
    fn json_decode_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        for ty in target_types() {
            let _ = json::decode(&bytes, &ty);
        }
    }

    #[test]
    fn json_decode_never_panics_on_random_text(text in "[\\[\\]{}\",:0-9a-z .eE+-]{0,128}") {
        for ty in target_types() {
            let _ = json::decode(text.as_bytes(), &ty);
        }
    }

    #[test]
    fn msgpack_round_trips_every_typed_value((ty, value) in typed_value()) {
        let bytes = msgpack::encode(&value, &ty).expect("encode");
        let back = msgpack::decode(&bytes, &ty).expect("decode");
        prop_assert_eq!(back, value);
    }

    #[test]
    fn mutated_msgpack_never_panics((ty, value) in typed_value(), flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6)) {
        let mut bytes = msgpack::encode(&value, &ty).expect("encode");
        if !bytes.is_empty() {
            for (at, b) in flips {
                let i = at % bytes.len();
                bytes[i] = b;
            }
        }
        let _ = msgpack::decode(&bytes, &ty);
        let _ = msgpack::decode(&bytes, &Type::Dynamic);
    }

    #[test]
    fn json_round_trips_every_known_value((ty, value) in typed_value()) {
        // JSON state has no unknowns: they become nulls here.
        let value = without_unknowns(value);
        let bytes = json::encode(&value, &ty).expect("encode");
        let back = json::decode(&bytes, &ty).expect("decode");
        prop_assert_eq!(back, value);
    }
}
