//! Schema definitions for providers, resources and data sources, with a builder API.

use std::collections::BTreeMap;

use crate::framework::path::{AttributePath, PathStep};
use crate::framework::types::Type;

/// A versioned schema.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Schema {
    /// State version (bump when stored state needs an upgrade).
    pub version: i64,
    /// Top-level block.
    pub block: Block,
}

/// A block: attributes and nested blocks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Block {
    /// Attributes.
    pub attributes: Vec<Attribute>,
    /// Nested blocks (prefer nested attributes for new schemas).
    pub blocks: Vec<NestedBlock>,
    /// Markdown description.
    pub description: Option<String>,
    /// Whether the whole block is deprecated.
    pub deprecated: bool,
}

/// How a nested attribute or block repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NestingMode {
    /// One object.
    Single,
    /// A list of objects.
    List,
    /// A set of objects.
    Set,
    /// A map of objects.
    Map,
}

/// A nested block.
#[derive(Debug, Clone, PartialEq)]
pub struct NestedBlock {
    /// Block type name.
    pub type_name: String,
    /// Content.
    pub block: Block,
    /// Repetition.
    pub nesting: NestingMode,
    /// Minimum count (list/set).
    pub min_items: i64,
    /// Maximum count (list/set; 0 = unlimited).
    pub max_items: i64,
}

/// What an attribute holds.
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeKind {
    /// A value of a plain type.
    Type(Type),
    /// Nested attributes (protocol 6 `nested_type`).
    Nested {
        /// Repetition.
        nesting: NestingMode,
        /// Attributes of each nested object.
        attributes: Vec<Attribute>,
    },
}

/// An attribute definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// Name.
    pub name: String,
    /// Type or nested attributes.
    pub kind: AttributeKind,
    /// Markdown description.
    pub description: Option<String>,
    /// Must be set in configuration.
    pub required: bool,
    /// May be set in configuration.
    pub optional: bool,
    /// Set by the provider when not configured.
    pub computed: bool,
    /// Hidden in Terraform output.
    pub sensitive: bool,
    /// Deprecated.
    pub deprecated: bool,
    /// Warning text shown when a deprecated attribute is configured.
    pub deprecation_message: Option<String>,
    /// Configured but never stored in plan or state (needs Terraform 1.11+).
    pub write_only: bool,
}

impl Attribute {
    /// An attribute of type `ty` (neither required, optional nor computed yet).
    pub fn new(name: impl Into<String>, ty: Type) -> Self {
        Self {
            name: name.into(),
            kind: AttributeKind::Type(ty),
            description: None,
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            deprecated: false,
            deprecation_message: None,
            write_only: false,
        }
    }

    /// A string attribute.
    pub fn string(name: impl Into<String>) -> Self {
        Self::new(name, Type::String)
    }

    /// A number attribute.
    pub fn number(name: impl Into<String>) -> Self {
        Self::new(name, Type::Number)
    }

    /// A bool attribute.
    pub fn bool(name: impl Into<String>) -> Self {
        Self::new(name, Type::Bool)
    }

    /// A list attribute.
    pub fn list(name: impl Into<String>, elem: Type) -> Self {
        Self::new(name, Type::list(elem))
    }

    /// A set attribute.
    pub fn set(name: impl Into<String>, elem: Type) -> Self {
        Self::new(name, Type::set(elem))
    }

    /// A map attribute.
    pub fn map(name: impl Into<String>, elem: Type) -> Self {
        Self::new(name, Type::map(elem))
    }

    /// Nested attributes with the given nesting.
    pub fn nested(
        name: impl Into<String>,
        nesting: NestingMode,
        attributes: Vec<Attribute>,
    ) -> Self {
        let mut a = Self::new(name, Type::Dynamic);
        a.kind = AttributeKind::Nested {
            nesting,
            attributes,
        };
        a
    }

    /// A single nested object.
    pub fn single_nested(name: impl Into<String>, attributes: Vec<Attribute>) -> Self {
        Self::nested(name, NestingMode::Single, attributes)
    }

    /// A list of nested objects.
    pub fn list_nested(name: impl Into<String>, attributes: Vec<Attribute>) -> Self {
        Self::nested(name, NestingMode::List, attributes)
    }

    /// A set of nested objects.
    pub fn set_nested(name: impl Into<String>, attributes: Vec<Attribute>) -> Self {
        Self::nested(name, NestingMode::Set, attributes)
    }

    /// A map of nested objects.
    pub fn map_nested(name: impl Into<String>, attributes: Vec<Attribute>) -> Self {
        Self::nested(name, NestingMode::Map, attributes)
    }

    /// Marks the attribute required.
    pub fn required(mut self) -> Self {
        self.required = true;
        self.optional = false;
        self
    }

    /// Marks the attribute optional.
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self.required = false;
        self
    }

    /// Marks the attribute computed (combine with `optional()` for optional+computed).
    pub fn computed(mut self) -> Self {
        self.computed = true;
        self
    }

    /// Marks the attribute sensitive.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Marks the attribute write-only.
    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self
    }

    /// Marks the attribute deprecated with a message.
    pub fn deprecated(mut self, message: impl Into<String>) -> Self {
        self.deprecated = true;
        self.deprecation_message = Some(message.into());
        self
    }

    /// Sets the markdown description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }

    /// The nested attributes, if any.
    pub fn nested_attributes(&self) -> Option<&[Attribute]> {
        match &self.kind {
            AttributeKind::Nested { attributes, .. } => Some(attributes),
            AttributeKind::Type(_) => None,
        }
    }

    /// The type of this attribute's value.
    pub fn value_type(&self) -> Type {
        match &self.kind {
            AttributeKind::Type(t) => t.clone(),
            AttributeKind::Nested {
                nesting,
                attributes,
            } => {
                let obj = attributes_type(attributes);
                match nesting {
                    NestingMode::Single => obj,
                    NestingMode::List => Type::list(obj),
                    NestingMode::Set => Type::set(obj),
                    NestingMode::Map => Type::map(obj),
                }
            }
        }
    }
}

fn attributes_type(attrs: &[Attribute]) -> Type {
    Type::object(attrs.iter().map(|a| (a.name.clone(), a.value_type())))
}

impl NestedBlock {
    /// A nested block.
    pub fn new(type_name: impl Into<String>, nesting: NestingMode, block: Block) -> Self {
        Self {
            type_name: type_name.into(),
            block,
            nesting,
            min_items: 0,
            max_items: 0,
        }
    }
}

impl Block {
    /// A block with these attributes.
    pub fn new(attributes: Vec<Attribute>) -> Self {
        Self {
            attributes,
            ..Self::default()
        }
    }

    /// Sets the markdown description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }

    /// Adds a nested block.
    pub fn block(mut self, b: NestedBlock) -> Self {
        self.blocks.push(b);
        self
    }

    /// Marks the block deprecated.
    pub fn deprecated(mut self) -> Self {
        self.deprecated = true;
        self
    }

    /// The attribute named `name`.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The object type of values of this block.
    pub fn value_type(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.value_type()))
            .collect();
        for b in &self.blocks {
            let obj = b.block.value_type();
            let t = match b.nesting {
                NestingMode::Single => obj,
                NestingMode::List => Type::list(obj),
                NestingMode::Set => Type::set(obj),
                NestingMode::Map => Type::map(obj),
            };
            attrs.insert(b.type_name.clone(), t);
        }
        Type::Object {
            attributes: attrs,
            optional: Default::default(),
        }
    }
}

/// What a path resolves to in a schema.
#[derive(Debug, Clone, Copy)]
pub enum SchemaNode<'a> {
    /// An attribute (possibly inside nested attributes).
    Attribute(&'a Attribute),
    /// A nested block.
    Block(&'a NestedBlock),
}

impl Schema {
    /// A schema of version 0 with this block.
    pub fn new(block: Block) -> Self {
        Self { version: 0, block }
    }

    /// Sets the version.
    pub fn version(mut self, v: i64) -> Self {
        self.version = v;
        self
    }

    /// The object type of values of this schema.
    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }

    /// The attribute addressed by `path` (element steps into collections are skipped).
    pub fn attribute_at(&self, path: &AttributePath) -> Option<&Attribute> {
        match self.node_at(path)? {
            SchemaNode::Attribute(a) => Some(a),
            SchemaNode::Block(_) => None,
        }
    }

    /// The attribute or block addressed by `path`.
    pub fn node_at(&self, path: &AttributePath) -> Option<SchemaNode<'_>> {
        let mut attrs: &[Attribute] = &self.block.attributes;
        let mut blocks: &[NestedBlock] = &self.block.blocks;
        let mut node = None;
        for step in path.steps() {
            let PathStep::Attribute(name) = step else {
                // Element steps stay on the same schema node.
                node?;
                continue;
            };
            if let Some(a) = attrs.iter().find(|a| &a.name == name) {
                node = Some(SchemaNode::Attribute(a));
                attrs = a.nested_attributes().unwrap_or(&[]);
                blocks = &[];
            } else if let Some(b) = blocks.iter().find(|b| &b.type_name == name) {
                node = Some(SchemaNode::Block(b));
                attrs = &b.block.attributes;
                blocks = &b.block.blocks;
            } else {
                return None;
            }
        }
        node
    }

    /// Whether the value at `path` is sensitive (itself or through an enclosing attribute).
    pub fn is_sensitive(&self, path: &AttributePath) -> bool {
        let steps = path.steps();
        (1..=steps.len()).any(|n| {
            self.attribute_at(&AttributePath::from_steps(steps[..n].to_vec()))
                .is_some_and(|a| a.sensitive)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        Schema::new(Block::new(vec![
            Attribute::string("id").computed(),
            Attribute::string("name")
                .required()
                .description("The name."),
            Attribute::single_nested(
                "snowflake",
                vec![
                    Attribute::string("host").required(),
                    Attribute::string("password")
                        .optional()
                        .sensitive()
                        .write_only(),
                ],
            )
            .optional(),
            Attribute::list_nested("tests", vec![Attribute::number("n").optional()]).optional(),
        ]))
        .version(2)
    }

    #[test]
    fn schema_value_type_and_lookup() {
        let s = schema();
        let t = s.value_type();
        let Type::Object { attributes, .. } = &t else {
            panic!("not an object")
        };
        assert_eq!(attributes["id"], Type::String);
        assert_eq!(
            attributes["snowflake"],
            Type::object([("host", Type::String), ("password", Type::String)])
        );
        assert_eq!(
            attributes["tests"],
            Type::list(Type::object([("n", Type::Number)]))
        );
        let p = AttributePath::new("snowflake").attr("password");
        assert!(s.is_sensitive(&p));
        assert!(!s.is_sensitive(&AttributePath::new("name")));
        assert_eq!(
            s.attribute_at(&AttributePath::new("tests").index(3).attr("n"))
                .map(|a| a.name.as_str()),
            Some("n")
        );
        assert!(s.attribute_at(&AttributePath::new("nope")).is_none());
        assert!(s.attribute_at(&AttributePath::root().index(0)).is_none());
        assert_eq!(s.version, 2);
    }
}
