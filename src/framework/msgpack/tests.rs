use super::*;

fn obj_type() -> Type {
    Type::object([
        ("s", Type::String),
        ("n", Type::Number),
        ("b", Type::Bool),
        ("l", Type::list(Type::String)),
        ("set", Type::set(Type::Number)),
        ("m", Type::map(Type::Bool)),
        ("t", Type::Tuple(vec![Type::String, Type::Number])),
        ("d", Type::Dynamic),
        (
            "nested",
            Type::list(Type::object([("x", Type::String), ("y", Type::Number)])),
        ),
    ])
}

fn sample() -> Value {
    Value::object([
        ("s", Value::from("hello")),
        ("n", Value::Number(Number::parse("3.25").unwrap())),
        ("b", Value::Bool(true)),
        (
            "l",
            Value::List(vec![Value::from("a"), Value::Unknown, Value::Null]),
        ),
        ("set", Value::Set(vec![Value::int(-5), Value::int(70000)])),
        (
            "m",
            Value::Map(
                [("k".to_string(), Value::Bool(false))]
                    .into_iter()
                    .collect(),
            ),
        ),
        ("t", Value::Tuple(vec![Value::from("x"), Value::int(1)])),
        ("d", Value::object([("inner", Value::from("v"))])),
        (
            "nested",
            Value::List(vec![Value::object([
                ("x", Value::from("q")),
                ("y", Value::Unknown),
            ])]),
        ),
    ])
}

#[test]
fn msgpack_round_trip_all_types() {
    let ty = obj_type();
    let v = sample();
    let bytes = encode(&v, &ty).unwrap();
    assert_eq!(decode(&bytes, &ty).unwrap(), v);
}

#[test]
fn msgpack_round_trip_null_unknown_root_and_dynamic() {
    for v in [Value::Null, Value::Unknown] {
        let bytes = encode(&v, &obj_type()).unwrap();
        assert_eq!(decode(&bytes, &obj_type()).unwrap(), v);
    }
    let v = Value::List(vec![Value::int(1), Value::int(2)]);
    let bytes = encode(&v, &Type::Dynamic).unwrap();
    assert_eq!(bytes[0], 0x92);
    assert_eq!(decode(&bytes, &Type::Dynamic).unwrap(), v);
}

#[test]
fn msgpack_missing_attributes_become_null() {
    // {"s": "x"} only.
    let bytes = [0x81, 0xa1, b's', 0xa1, b'x'];
    let v = decode(&bytes, &obj_type()).unwrap();
    assert_eq!(v.attr("s").as_str(), Some("x"));
    assert!(v.get_attr("n").unwrap().is_null());
}

#[test]
fn msgpack_numbers_in_all_forms() {
    let ty = Type::Number;
    assert_eq!(decode(&[0x05], &ty).unwrap(), Value::int(5));
    assert_eq!(decode(&[0xff], &ty).unwrap(), Value::int(-1));
    assert_eq!(decode(&[0xd0, 0x80], &ty).unwrap(), Value::int(-128));
    let f = rmp_f64(1.5);
    assert_eq!(decode(&f, &ty).unwrap().as_f64(), Some(1.5));
    // Fractions are written as text.
    assert_eq!(
        encode(&Value::Number(Number::parse("0.1").unwrap()), &ty).unwrap(),
        vec![0xa3, b'0', b'.', b'1']
    );
    let big = "123456789012345678901234567890";
    let mut s = vec![0xa0 | big.len() as u8];
    s.extend_from_slice(big.as_bytes());
    let v = decode(&s, &ty).unwrap();
    assert_eq!(v.as_number().unwrap().as_str(), big);
    // Big numbers are written back as text, not rounded.
    assert_eq!(encode(&v, &ty).unwrap(), s);
    assert_eq!(encode(&Value::int(-1), &ty).unwrap(), vec![0xff]);
    let u = Value::Number(Number::from(u64::MAX));
    assert_eq!(decode(&encode(&u, &ty).unwrap(), &ty).unwrap(), u);
}

fn rmp_f64(f: f64) -> Vec<u8> {
    let mut v = vec![0xcb];
    v.extend_from_slice(&f.to_bits().to_be_bytes());
    v
}

#[test]
fn msgpack_any_extension_is_unknown() {
    // ext8 len 3 type 12 (refined unknown) and fixext1 type 0.
    assert_eq!(
        decode(&[0xc7, 0x03, 0x0c, 1, 2, 3], &Type::String).unwrap(),
        Value::Unknown
    );
    assert_eq!(
        decode(&[0xd4, 0x00, 0x00], &Type::Number).unwrap(),
        Value::Unknown
    );
    assert_eq!(
        decode(&[0xd5, 0x00, 0x00, 0x00], &Type::Bool).unwrap(),
        Value::Unknown
    );
}

#[test]
fn msgpack_malformed_inputs_are_errors() {
    let ty = obj_type();
    let good = encode(&sample(), &ty).unwrap();
    for cut in 0..good.len() {
        assert!(decode(&good[..cut], &ty).is_err(), "truncated at {cut}");
    }
    // Wrong type: a number for a string attribute, with the path named.
    let e = decode(&[0x81, 0xa1, b's', 0x05], &ty).unwrap_err();
    assert_eq!(e.path, AttributePath::new("s"));
    assert!(e.to_string().contains("at s"));
    // Unknown attribute.
    assert!(decode(&[0x81, 0xa1, b'z', 0xc0], &ty).is_err());
    // Non-string key.
    assert!(decode(&[0x81, 0x01, 0xc0], &ty).is_err());
    // Trailing bytes.
    assert!(decode(&[0xc0, 0xc0], &ty).is_err());
    // Reserved marker.
    assert!(decode(&[0xc1], &Type::String).is_err());
    // Invalid UTF-8.
    assert!(decode(&[0xa1, 0xff], &Type::String).is_err());
    // Bad number text.
    assert!(decode(&[0xa2, b'1', b'x'], &Type::Number).is_err());
    // NaN float.
    assert!(decode(&rmp_f64(f64::NAN), &Type::Number).is_err());
    // Tuple arity mismatch.
    assert!(decode(
        &[0x91, 0x01],
        &Type::Tuple(vec![Type::Number, Type::Number])
    )
    .is_err());
    // Dynamic with a bad type.
    assert!(decode(&[0x92, 0xa1, b'x', 0xc0], &Type::Dynamic).is_err());
    assert!(decode(&[0x91, 0xc0], &Type::Dynamic).is_err());
}

#[test]
fn msgpack_huge_declared_lengths_fail_fast() {
    let ty = Type::list(Type::String);
    // array32 claiming 4 billion elements, then nothing.
    assert!(decode(&[0xdd, 0xff, 0xff, 0xff, 0xff], &ty).is_err());
    // str32 claiming 4 GiB.
    assert!(decode(&[0xdb, 0xff, 0xff, 0xff, 0xff, b'a'], &Type::String).is_err());
    // map32 huge.
    assert!(decode(&[0xdf, 0xff, 0xff, 0xff, 0xff], &Type::map(Type::String)).is_err());
    // ext32 huge.
    assert!(decode(&[0xc9, 0xff, 0xff, 0xff, 0xff, 0x00], &Type::String).is_err());
}

/// An array32 header for `n` elements.
fn array32(n: usize) -> Vec<u8> {
    let mut v = vec![0xdd];
    v.extend_from_slice(&u32::try_from(n).unwrap().to_be_bytes());
    v
}

#[test]
fn an_empty_map_cannot_stand_for_a_large_object() {
    // 20 000 empty maps (20 KB) as objects of 40 attributes: 800 000
    // attributes filled in as null, about 54 MB, 2 700 times the message.
    let ty = Type::list(Type::object(
        (0..40).map(|i| (format!("attribute_{i:02}"), Type::String)),
    ));
    let mut bytes = array32(20_000);
    bytes.extend(std::iter::repeat_n(0x80, 20_000));
    let e = decode(&bytes, &ty).unwrap_err();
    assert!(e.message.contains("40 times"), "{e}");
    // A few of them are fine: within the 1 MiB every message may take.
    let mut few = array32(100);
    few.extend(std::iter::repeat_n(0x80, 100));
    let v = decode(&few, &ty).unwrap();
    assert!(v.as_list().unwrap()[99].attr("attribute_39").is_null());
}

#[test]
fn one_byte_values_decode_within_the_ratio() {
    // 100 000 nils, booleans or small integers: 3.2 MB from 100 KB,
    // beyond the 1 MiB floor, within 40 times.
    let n = 100_000;
    for (ty, byte) in [
        (Type::list(Type::String), 0xc0),
        (Type::list(Type::Bool), 0xc3),
        (Type::list(Type::Number), 0x07),
    ] {
        let mut bytes = array32(n);
        bytes.extend(std::iter::repeat_n(byte, n));
        let v = decode(&bytes, &ty).unwrap();
        assert_eq!(v.as_list().unwrap().len(), n);
    }
}

#[test]
fn long_number_texts_are_charged() {
    // `1e999` (6 bytes) is a 1000-digit number: 2 MB from 12 KB.
    let n = 2_000;
    let mut bytes = array32(n);
    for _ in 0..n {
        bytes.extend_from_slice(&[0xa5, b'1', b'e', b'9', b'9', b'9']);
    }
    let e = decode(&bytes, &Type::list(Type::Number)).unwrap_err();
    assert!(e.message.contains("times"), "{e}");
}

#[test]
fn msgpack_deep_nesting_rejected() {
    let mut ty = Type::String;
    for _ in 0..(MAX_VALUE_DEPTH + 5) {
        ty = Type::list(ty);
    }
    let mut bytes = vec![0x91; MAX_VALUE_DEPTH + 5];
    bytes.push(0xa0);
    let e = decode(&bytes, &ty).unwrap_err();
    assert!(e.message.contains("too deeply"));
    // Dynamic values cannot be used to get around the limit either.
    let mut v = Value::from("x");
    for _ in 0..(MAX_VALUE_DEPTH + 5) {
        v = Value::List(vec![v]);
    }
    assert!(encode(&v, &Type::Dynamic).is_err());
}

#[test]
fn msgpack_encode_rejects_mismatch_and_extra_attributes() {
    let ty = Type::object([("a", Type::String)]);
    let e = encode(&Value::object([("a", Value::int(1))]), &ty).unwrap_err();
    assert_eq!(e.path, AttributePath::new("a"));
    assert!(encode(&Value::object([("zz", Value::Null)]), &ty).is_err());
    // A name not in the schema is refused wherever it sorts; names the
    // value leaves out are written as null.
    let ty = Type::object([("b", Type::String), ("d", Type::String)]);
    for extra in ["a", "c", "e"] {
        let v = Value::object([("b", Value::string("x")), (extra, Value::Null)]);
        let e = encode(&v, &ty).unwrap_err();
        assert_eq!(
            e.message,
            format!("attribute {extra:?} is not in the schema"),
            "{extra}"
        );
        assert!(e.path.is_root());
    }
    let v = Value::object([("d", Value::string("y"))]);
    let back = decode(&encode(&v, &ty).unwrap(), &ty).unwrap();
    assert_eq!(
        back,
        Value::object([("b", Value::Null), ("d", Value::string("y"))])
    );
}

#[test]
fn msgpack_object_names_in_any_order_once_each() {
    let ty = Type::object([("b", Type::String), ("d", Type::String)]);
    let object = |names: &[&str]| {
        let mut out = Vec::new();
        rmp::encode::write_map_len(&mut out, names.len() as u32).unwrap();
        for n in names {
            rmp::encode::write_str(&mut out, n).unwrap();
            rmp::encode::write_str(&mut out, &n.repeat(2)).unwrap();
        }
        out
    };
    let both = Value::object([("b", Value::string("bb")), ("d", Value::string("dd"))]);
    assert_eq!(decode(&object(&["b", "d"]), &ty).unwrap(), both);
    assert_eq!(decode(&object(&["d", "b"]), &ty).unwrap(), both);
    for names in [&["b", "b"][..], &["d", "b", "d"], &["b", "d", "d"]] {
        let e = decode(&object(names), &ty).unwrap_err();
        assert_eq!(e.message, "duplicate attribute", "{names:?}");
    }
    for names in [&["a", "b"][..], &["b", "c"], &["d", "e"]] {
        let e = decode(&object(names), &ty).unwrap_err();
        assert!(
            e.message.starts_with("unsupported attribute"),
            "{names:?}: {e}"
        );
    }
    let back = decode(&object(&["d"]), &ty).unwrap();
    assert_eq!(
        back,
        Value::object([("b", Value::Null), ("d", Value::string("dd"))])
    );
}
