use std::collections::BTreeMap;

use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use super::*;
use crate::framework::schema::{Attribute, Block};
use crate::framework::value::Number;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Auth {
    user: String,
    token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Mode {
    Fast,
    Safe,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Widget {
    id: Field<String>,
    name: String,
    port: Option<i64>,
    enabled: Option<bool>,
    ratio: Option<f64>,
    tags: Option<BTreeMap<String, String>>,
    hosts: Vec<String>,
    auth: Option<Auth>,
    mode: Option<Mode>,
}

fn block() -> Block {
    Block::new(vec![
        Attribute::string("id").computed(),
        Attribute::string("name").required(),
        Attribute::number("port").optional(),
        Attribute::bool("enabled").optional(),
        Attribute::number("ratio").optional(),
        Attribute::map("tags", Type::String).optional(),
        Attribute::list("hosts", Type::String).required(),
        Attribute::single_nested(
            "auth",
            vec![
                Attribute::string("user").required(),
                Attribute::string("token").optional().sensitive(),
            ],
        )
        .optional(),
        Attribute::string("mode").optional(),
    ])
}

fn widget() -> Widget {
    Widget {
        id: Field::Unknown,
        name: "w".into(),
        port: Some(443),
        enabled: None,
        ratio: Some(0.1),
        tags: Some([("env".to_string(), "prod".to_string())].into()),
        hosts: vec!["a".into(), "b".into()],
        auth: Some(Auth {
            user: "u".into(),
            token: None,
        }),
        mode: Some(Mode::Safe),
    }
}

#[test]
fn a_model_round_trips_through_a_typed_value() {
    let ty = block().value_type();
    let v = to_value(&widget(), &ty).unwrap();
    assert!(v.attr("id").is_unknown());
    assert_eq!(v.attr("port").as_i64(), Some(443));
    assert_eq!(v.attr("ratio").as_number().unwrap().as_str(), "0.1");
    assert!(v.attr("enabled").is_null());
    assert_eq!(v.attr("mode").as_str(), Some("safe"));
    assert!(matches!(v.attr("tags"), Value::Map(_)));
    assert!(v.attr("auth").attr("token").is_null());
    assert_eq!(from_value::<Widget>(&v).unwrap(), widget());
}

#[test]
fn a_raw_field_carries_its_value_as_it_is() {
    #[derive(Debug, Serialize, Deserialize)]
    struct WithRaw {
        name: String,
        auth: Raw,
    }
    let auth = Value::object([("user", Value::Unknown), ("token", Value::from("t"))]);
    let v = Value::object([("name", Value::from("n")), ("auth", auth.clone())]);
    let m: WithRaw = from_value(&v).unwrap();
    assert_eq!(m.auth.value(), &auth);
    let back = to_value(&m, &block().value_type()).unwrap();
    assert_eq!(back.attr("auth"), &auth);
    assert_eq!(back.attr("name").as_str(), Some("n"));
    // Absent reads as null; nothing is left behind for the next Raw.
    let m: WithRaw = from_value(&Value::object([("name", Value::from("n"))])).unwrap();
    assert!(m.auth.value().is_null());
    assert!(super::raw::take().is_none());
    // Another format neither reads one nor sees its content.
    assert_eq!(
        serde_json::to_value(&m.auth).unwrap(),
        serde_json::Value::Null
    );
    assert!(serde_json::from_str::<Raw>("{}").is_err());
}

#[test]
fn attributes_the_model_leaves_out_become_nulls() {
    #[derive(Serialize)]
    struct Partial {
        name: &'static str,
    }
    let v = to_value(&Partial { name: "n" }, &block().value_type()).unwrap();
    let m = v.as_map().unwrap();
    assert_eq!(m.len(), block().attributes.len());
    assert!(m["auth"].is_null() && m["hosts"].is_null());
}

#[test]
fn a_field_the_schema_lacks_is_an_error_naming_it() {
    #[derive(Serialize)]
    struct Typo {
        nmae: &'static str,
    }
    let e = to_value(&Typo { nmae: "n" }, &block().value_type()).unwrap_err();
    assert_eq!(e.path.to_string(), "nmae");
    assert_eq!(e.expected, "an attribute of the schema");
}

#[test]
fn errors_name_the_path_and_what_was_expected() {
    let ty = block().value_type();
    let mut v = to_value(&widget(), &ty).unwrap();
    v.set_attr("auth", Value::object([("user", Value::int(3))]));
    let e = from_value::<Widget>(&v).unwrap_err();
    assert_eq!(e.path.to_string(), "auth.user");
    let d = e.to_diagnostic();
    assert_eq!(d.attribute.unwrap().to_string(), "auth.user");
    assert!(d.detail.starts_with("Expected "), "{}", d.detail);

    v.set_attr("hosts", Value::List(vec![Value::from("a"), Value::Unknown]));
    let e = from_value::<Widget>(&v).unwrap_err();
    assert_eq!(e.path.to_string(), "hosts[1]");
    assert_eq!(e.to_diagnostic().summary, "Value not yet known");

    v.set_attr("name", Value::Null);
    let e = from_value::<Widget>(&v).unwrap_err();
    assert_eq!(e.path.to_string(), "name");
    assert_eq!(e.found, "null");

    let e = to_value(&widget(), &Type::String).unwrap_err();
    assert!(e.path.is_root());
    assert_eq!(e.expected, "a value of type string");
}

#[test]
fn errors_never_show_string_contents() {
    let secret = Value::from("hunter2");
    for e in [
        from_value::<i64>(&secret).unwrap_err(),
        from_value::<Mode>(&secret).unwrap_err(),
    ] {
        let text = format!("{e} {e:?} {:?}", e.to_diagnostic());
        assert!(!text.contains("hunter2"), "{text}");
    }
}

#[test]
fn a_field_reads_null_unknown_and_known() {
    assert_eq!(from_value::<Field<i64>>(&Value::Null).unwrap(), Field::Null);
    assert_eq!(
        from_value::<Field<i64>>(&Value::Unknown).unwrap(),
        Field::Unknown
    );
    assert_eq!(
        from_value::<Field<i64>>(&Value::int(2)).unwrap(),
        Field::Known(2)
    );
    assert!(from_value::<Option<i64>>(&Value::Unknown).is_err());
    assert!(from_value::<u8>(&Value::int(300)).is_err());
    assert!(from_value::<i64>(&Value::Number(Number::parse("1.5").unwrap())).is_err());
    // Other formats see a field as null or a value.
    let json = serde_json::to_string(&Field::Known(1)).unwrap();
    assert_eq!(json, "1");
    assert_eq!(
        serde_json::from_str::<Field<i64>>("null").unwrap(),
        Field::Null
    );
}

#[derive(Debug, PartialEq, Deserialize)]
struct Planned {
    id: Field<String>,
    name: Option<String>,
    hosts: Option<Vec<Option<String>>>,
    auth: Option<Auth>,
}

#[test]
fn unknowns_can_read_as_null_except_in_a_field() {
    let v = Value::object([
        ("id", Value::Unknown),
        ("name", Value::Unknown),
        ("hosts", Value::List(vec![Value::from("a"), Value::Unknown])),
        ("auth", Value::Unknown),
    ]);
    assert!(from_value::<Planned>(&v).is_err());
    assert_eq!(
        from_value_unknown_as_null::<Planned>(&v).unwrap(),
        Planned {
            id: Field::Unknown,
            name: None,
            hosts: Some(vec![Some("a".into()), None]),
            auth: None,
        }
    );
    // Inside a known object too; a required field still needs a value.
    let v = Value::object([(
        "auth",
        Value::object([("user", Value::from("u")), ("token", Value::Unknown)]),
    )]);
    let p = from_value_unknown_as_null::<Planned>(&v).unwrap();
    assert_eq!(p.auth.unwrap().token, None);
    let v = Value::object([("auth", Value::object([("user", Value::Unknown)]))]);
    let e = from_value_unknown_as_null::<Planned>(&v).unwrap_err();
    assert_eq!(e.path.to_string(), "auth.user");
}

#[test]
fn field_names_and_the_schema_check() {
    assert_eq!(
        field_names::<Widget>(),
        ["id", "name", "port", "enabled", "ratio", "tags", "hosts", "auth", "mode"]
    );
    assert_eq!(field_names::<String>(), [] as [&str; 0]);
    assert_model_matches_schema::<Widget>(&block());
    assert_model_within_schema::<Auth>(&Block::new(vec![
        Attribute::string("user").required(),
        Attribute::string("token").optional(),
        Attribute::string("extra").optional(),
    ]));
    let check = check_fields::<Auth>(&block());
    assert!(check.not_in_schema.contains(&"user".to_string()));
    assert!(check.missing_in_model.contains(&"name".to_string()));
}

#[test]
#[should_panic(expected = "schema differ")]
fn the_schema_check_fails_on_a_missing_field() {
    assert_model_matches_schema::<Auth>(&block());
}

#[test]
fn sets_tuples_and_dynamic_values() {
    let set = to_value(&vec![1, 2], &Type::set(Type::Number)).unwrap();
    assert!(matches!(set, Value::Set(_)));
    assert_eq!(from_value::<Vec<i64>>(&set).unwrap(), vec![1, 2]);
    let tuple = Type::Tuple(vec![Type::String, Type::Bool]);
    let t = to_value(&("a", true), &tuple).unwrap();
    assert_eq!(
        from_value::<(String, bool)>(&t).unwrap(),
        ("a".into(), true)
    );
    assert!(to_value(&("a",), &tuple).is_err());
    let d = to_value(
        &Auth {
            user: "u".into(),
            token: None,
        },
        &Type::Dynamic,
    )
    .unwrap();
    assert_eq!(d.attr("user").as_str(), Some("u"));
    assert!(to_value(&f64::NAN, &Type::Number).is_err());
}

proptest! {
    #[test]
    fn models_round_trip(
        name in ".*",
        port in proptest::option::of(any::<i64>()),
        enabled in proptest::option::of(any::<bool>()),
        ratio in proptest::option::of(-1e12f64..1e12),
        tags in proptest::option::of(proptest::collection::btree_map(".*", ".*", 0..4)),
        hosts in proptest::collection::vec(".*", 0..4),
        id in prop_oneof![Just(Field::Null), Just(Field::Unknown), ".*".prop_map(Field::Known)],
    ) {
        let w = Widget { id, name, port, enabled, ratio, tags, hosts, auth: None, mode: None };
        let v = to_value(&w, &block().value_type()).unwrap();
        prop_assert_eq!(from_value::<Widget>(&v).unwrap(), w);
    }
}
