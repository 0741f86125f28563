//! Conversions between framework types and tfplugin6 protocol messages.

use crate::protocol::tfplugin6 as proto;
use crate::protocol::tfplugin6::attribute_path::step::Selector;

use crate::framework::diag::{Diagnostic, Diagnostics, Severity};
use crate::framework::msgpack;
use crate::framework::path::{AttributePath, PathStep};
use crate::framework::schema::{Attribute, AttributeKind, Block, NestingMode, Schema};
use crate::framework::types::Type;
use crate::framework::value::Value;

impl AttributePath {
    /// The protocol form of the path.
    pub fn to_proto(&self) -> proto::AttributePath {
        proto::AttributePath {
            steps: self
                .steps()
                .iter()
                .map(|s| proto::attribute_path::Step {
                    selector: Some(match s {
                        PathStep::Attribute(n) => Selector::AttributeName(n.clone()),
                        PathStep::ElementKeyString(k) => Selector::ElementKeyString(k.clone()),
                        PathStep::ElementKeyInt(i) => Selector::ElementKeyInt(*i),
                    }),
                })
                .collect(),
        }
    }

    /// Reads a protocol path (steps without a selector are skipped).
    pub fn from_proto(p: &proto::AttributePath) -> AttributePath {
        AttributePath::from_steps(
            p.steps
                .iter()
                .filter_map(|s| {
                    s.selector.as_ref().map(|sel| match sel {
                        Selector::AttributeName(n) => PathStep::Attribute(n.clone()),
                        Selector::ElementKeyString(k) => PathStep::ElementKeyString(k.clone()),
                        Selector::ElementKeyInt(i) => PathStep::ElementKeyInt(*i),
                    })
                })
                .collect(),
        )
    }
}

impl Diagnostic {
    /// The protocol form of the diagnostic.
    pub fn to_proto(&self) -> proto::Diagnostic {
        let severity = match self.severity {
            Severity::Error => proto::diagnostic::Severity::Error,
            Severity::Warning => proto::diagnostic::Severity::Warning,
        };
        proto::Diagnostic {
            severity: severity as i32,
            summary: self.summary.clone(),
            detail: self.detail.clone(),
            attribute: self.attribute.as_ref().map(AttributePath::to_proto),
        }
    }
}

impl Diagnostics {
    /// The protocol form of all diagnostics.
    pub fn to_proto(&self) -> Vec<proto::Diagnostic> {
        self.iter().map(Diagnostic::to_proto).collect()
    }
}

fn string_kind(d: &Option<String>) -> i32 {
    if d.is_some() {
        proto::StringKind::Markdown as i32
    } else {
        proto::StringKind::Plain as i32
    }
}

fn object_nesting(n: NestingMode) -> proto::schema::object::NestingMode {
    use proto::schema::object::NestingMode as N;
    match n {
        NestingMode::Single => N::Single,
        NestingMode::List => N::List,
        NestingMode::Set => N::Set,
        NestingMode::Map => N::Map,
    }
}

fn block_nesting(n: NestingMode) -> proto::schema::nested_block::NestingMode {
    use proto::schema::nested_block::NestingMode as N;
    match n {
        NestingMode::Single => N::Single,
        NestingMode::List => N::List,
        NestingMode::Set => N::Set,
        NestingMode::Map => N::Map,
    }
}

impl Attribute {
    /// The protocol form of the attribute.
    pub fn to_proto(&self) -> proto::schema::Attribute {
        let (ty, nested_type) = match &self.kind {
            AttributeKind::Type(t) => (t.to_json_bytes(), None),
            AttributeKind::Nested {
                nesting,
                attributes,
            } => (
                Vec::new(),
                Some(proto::schema::Object {
                    attributes: attributes.iter().map(Attribute::to_proto).collect(),
                    nesting: object_nesting(*nesting) as i32,
                    ..Default::default()
                }),
            ),
        };
        proto::schema::Attribute {
            name: self.name.clone(),
            r#type: ty,
            nested_type,
            description: self.description.clone().unwrap_or_default(),
            required: self.required,
            optional: self.optional,
            computed: self.computed,
            sensitive: self.sensitive,
            description_kind: string_kind(&self.description),
            deprecated: self.deprecated,
            write_only: self.write_only,
        }
    }
}

impl Block {
    /// The protocol form of the block, with the schema `version`.
    pub fn to_proto(&self, version: i64) -> proto::schema::Block {
        proto::schema::Block {
            version,
            attributes: self.attributes.iter().map(Attribute::to_proto).collect(),
            block_types: self
                .blocks
                .iter()
                .map(|b| proto::schema::NestedBlock {
                    type_name: b.type_name.clone(),
                    block: Some(b.block.to_proto(version)),
                    nesting: block_nesting(b.nesting) as i32,
                    min_items: b.min_items,
                    max_items: b.max_items,
                })
                .collect(),
            description: self.description.clone().unwrap_or_default(),
            description_kind: string_kind(&self.description),
            deprecated: self.deprecated,
        }
    }
}

impl Schema {
    /// The protocol form of the schema.
    pub fn to_proto(&self) -> proto::Schema {
        proto::Schema {
            version: self.version,
            block: Some(self.block.to_proto(self.version)),
        }
    }
}

/// Decodes a `DynamicValue` (msgpack preferred, JSON otherwise; empty = null).
/// `what` names the value in the error diagnostic.
pub fn decode_dynamic(
    dv: Option<&proto::DynamicValue>,
    ty: &Type,
    what: &str,
) -> Result<Value, Diagnostic> {
    let Some(dv) = dv else {
        return Ok(Value::Null);
    };
    let result = if !dv.msgpack.is_empty() {
        msgpack::decode(&dv.msgpack, ty).map_err(|e| e.to_string())
    } else if !dv.json.is_empty() {
        crate::framework::json::decode(&dv.json, ty).map_err(|e| e.to_string())
    } else {
        Ok(Value::Null)
    };
    result.map_err(|e| {
        Diagnostic::error(
            format!("Invalid {what}"),
            format!("The provider could not decode the {what}: {e}."),
        )
    })
}

/// Encodes a value as a msgpack `DynamicValue`.
pub fn encode_dynamic(v: &Value, ty: &Type, what: &str) -> Result<proto::DynamicValue, Diagnostic> {
    msgpack::encode(v, ty)
        .map(|msgpack| proto::DynamicValue {
            msgpack,
            json: Vec::new(),
        })
        .map_err(|e| {
            Diagnostic::error(
                format!("Invalid {what}"),
                format!(
                    "The provider could not encode the {what}: {e}. This is a bug in the provider."
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_to_proto_nested_sensitive_write_only_descriptions() {
        let s = Schema::new(
            Block::new(vec![
                Attribute::string("name")
                    .required()
                    .description("The **name**."),
                Attribute::single_nested(
                    "snowflake",
                    vec![Attribute::string("password")
                        .optional()
                        .sensitive()
                        .write_only()],
                )
                .optional(),
                Attribute::set_nested("tags", vec![Attribute::string("k").required()]).computed(),
                Attribute::string("old").optional().deprecated("use name"),
            ])
            .description("A resource."),
        )
        .version(3);
        let p = s.to_proto();
        assert_eq!(p.version, 3);
        let b = p.block.unwrap();
        assert_eq!(b.version, 3);
        assert_eq!(b.description, "A resource.");
        assert_eq!(b.description_kind, proto::StringKind::Markdown as i32);
        let name = &b.attributes[0];
        assert_eq!(name.r#type, b"\"string\"");
        assert!(name.required && !name.optional && !name.computed);
        assert_eq!(name.description_kind, proto::StringKind::Markdown as i32);
        let sf = &b.attributes[1];
        assert!(sf.r#type.is_empty());
        let nt = sf.nested_type.as_ref().unwrap();
        assert_eq!(
            nt.nesting,
            proto::schema::object::NestingMode::Single as i32
        );
        let pw = &nt.attributes[0];
        assert!(pw.sensitive && pw.write_only && pw.optional);
        assert_eq!(pw.description_kind, proto::StringKind::Plain as i32);
        let tags = b.attributes[2].nested_type.as_ref().unwrap();
        assert_eq!(tags.nesting, proto::schema::object::NestingMode::Set as i32);
        assert!(b.attributes[2].computed);
        assert!(b.attributes[3].deprecated);
    }

    #[test]
    fn diagnostic_to_proto_with_path() {
        let d = Diagnostic::attribute_error(
            AttributePath::new("tests").index(2).attr("k").key("x"),
            "bad",
            "detail",
        );
        let p = d.to_proto();
        assert_eq!(p.severity, proto::diagnostic::Severity::Error as i32);
        assert_eq!(p.summary, "bad");
        let path = p.attribute.unwrap();
        assert_eq!(path.steps.len(), 4);
        assert_eq!(path.steps[1].selector, Some(Selector::ElementKeyInt(2)));
        assert_eq!(
            AttributePath::from_proto(&path).to_string(),
            "tests[2].k[\"x\"]"
        );
        let w = Diagnostic::warning("w", "").to_proto();
        assert_eq!(w.severity, proto::diagnostic::Severity::Warning as i32);
        assert!(w.attribute.is_none());
    }

    #[test]
    fn dynamic_value_decode_prefers_msgpack_then_json() {
        let ty = Type::object([("a", Type::String)]);
        let v = Value::object([("a", Value::from("x"))]);
        let dv = encode_dynamic(&v, &ty, "config").unwrap();
        assert_eq!(decode_dynamic(Some(&dv), &ty, "config").unwrap(), v);
        let jdv = proto::DynamicValue {
            msgpack: vec![],
            json: br#"{"a":"x"}"#.to_vec(),
        };
        assert_eq!(decode_dynamic(Some(&jdv), &ty, "config").unwrap(), v);
        assert_eq!(decode_dynamic(None, &ty, "config").unwrap(), Value::Null);
        let bad = proto::DynamicValue {
            msgpack: vec![0x81],
            json: vec![],
        };
        let e = decode_dynamic(Some(&bad), &ty, "prior state").unwrap_err();
        assert_eq!(e.summary, "Invalid prior state");
    }
}
