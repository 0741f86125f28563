//! Renders a schema as a page in the Terraform Registry's documentation
//! format: front matter, description, example usage, the schema split into
//! Required / Optional / Read-Only with types, sensitivity and descriptions,
//! one section per nested attribute, and an import section.

use crate::framework::schema::{Attribute, AttributeKind, Block, NestingMode, Schema};
use crate::framework::types::Type;
use std::fmt::Write;

/// What a page documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// The provider itself (`docs/index.md`).
    Provider,
    /// A resource (`docs/resources/NAME.md`).
    Resource,
    /// A data source (`docs/data-sources/NAME.md`).
    DataSource,
    /// An ephemeral resource (`docs/ephemeral-resources/NAME.md`).
    EphemeralResource,
}

impl PageKind {
    fn label(self) -> &'static str {
        match self {
            PageKind::Provider => "Provider",
            PageKind::Resource => "Resource",
            PageKind::DataSource => "Data Source",
            PageKind::EphemeralResource => "Ephemeral Resource",
        }
    }
}

/// One documentation page's inputs.
#[derive(Debug, Clone)]
pub struct Page<'a> {
    /// Provider, resource or data source.
    pub kind: PageKind,
    /// The provider's name (e.g. `immuta`) or the full type name (e.g. `immuta_integration`).
    pub name: &'a str,
    /// The schema to document.
    pub schema: &'a Schema,
    /// Example configurations, each shown in its own `terraform` code block.
    pub examples: Vec<String>,
    /// Shell lines that import the resource, if it can be imported.
    pub import: Option<String>,
    /// Extra markdown after the examples (e.g. guides, notes).
    pub notes: Option<String>,
}

/// Renders the page.
pub fn render(page: &Page<'_>) -> String {
    let desc = page
        .schema
        .block
        .description
        .clone()
        .unwrap_or_default()
        .trim()
        .to_string();
    let first_line = desc.lines().next().unwrap_or_default();
    let mut out = String::new();
    let title = match page.kind {
        PageKind::Provider => format!("{} Provider", page.name),
        _ => format!("{} {}", page.name, page.kind.label()),
    };
    let _ = writeln!(out, "---");
    let _ = writeln!(out, "page_title: \"{title}\"");
    let _ = writeln!(out, "subcategory: \"\"");
    let _ = writeln!(out, "description: |-");
    let _ = writeln!(out, "  {first_line}");
    let _ = writeln!(out, "---\n");
    match page.kind {
        PageKind::Provider => {
            let _ = writeln!(out, "# {} Provider\n", page.name);
        }
        _ => {
            let _ = writeln!(out, "# {} ({})\n", page.name, page.kind.label());
        }
    }
    if !desc.is_empty() {
        let _ = writeln!(out, "{desc}\n");
    }
    if !page.examples.is_empty() {
        let _ = writeln!(out, "## Example Usage\n");
        for ex in &page.examples {
            let _ = writeln!(out, "```terraform\n{}\n```\n", ex.trim_end());
        }
    }
    if let Some(notes) = &page.notes {
        let _ = writeln!(out, "{}\n", notes.trim_end());
    }
    let _ = writeln!(
        out,
        "<!-- The Schema section is generated from the provider's schema. -->"
    );
    let _ = writeln!(out, "## Schema\n");
    let mut nested = Vec::new();
    render_block(&mut out, &page.schema.block, &[], &mut nested, "###");
    while !nested.is_empty() {
        let (path, attrs) = nested.remove(0);
        let anchor = anchor(&path);
        let _ = writeln!(out, "<a id=\"{anchor}\"></a>");
        let _ = writeln!(out, "### Nested Schema for `{}`\n", path.join("."));
        let block = Block::new(attrs);
        let mut more = Vec::new();
        render_sections(&mut out, &block, &path, &mut more, None);
        nested.splice(0..0, more);
    }
    if let Some(import) = &page.import {
        let _ = writeln!(out, "## Import\n");
        let _ = writeln!(out, "Import is supported using the following syntax:\n");
        let _ = writeln!(out, "```shell\n{}\n```", import.trim_end());
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

type Pending = Vec<(Vec<String>, Vec<Attribute>)>;

/// A section label and which attributes belong in it.
type Group = (&'static str, fn(&Attribute) -> bool);

fn render_block(out: &mut String, block: &Block, path: &[String], nested: &mut Pending, h: &str) {
    render_sections(out, block, path, nested, Some(h));
}

/// Writes the Required / Optional / Read-Only lists; headings at `h`, or
/// bold-less labels (`Required:`) inside nested sections.
fn render_sections(
    out: &mut String,
    block: &Block,
    path: &[String],
    nested: &mut Pending,
    h: Option<&str>,
) {
    let groups: [Group; 3] = [
        ("Required", |a| a.required),
        ("Optional", |a| a.optional),
        ("Read-Only", |a| a.computed && !a.optional && !a.required),
    ];
    for (label, keep) in groups {
        let mut attrs: Vec<&Attribute> = block.attributes.iter().filter(|a| keep(a)).collect();
        if attrs.is_empty() {
            continue;
        }
        attrs.sort_by(|a, b| a.name.cmp(&b.name));
        match h {
            Some(h) => {
                let _ = writeln!(out, "{h} {label}\n");
            }
            None => {
                let _ = writeln!(out, "{label}:\n");
            }
        }
        for a in attrs {
            let mut sub = path.to_vec();
            sub.push(a.name.clone());
            let mut line = format!("- `{}` ({})", a.name, type_label(a));
            if a.deprecated {
                line.push_str(" **Deprecated**");
                if let Some(m) = &a.deprecation_message {
                    let _ = write!(line, " {}", m.trim());
                }
            }
            if let Some(d) = &a.description {
                let _ = write!(line, " {}", d.trim().replace('\n', " "));
            }
            if let AttributeKind::Nested { attributes, .. } = &a.kind {
                let _ = write!(line, " (see [below for nested schema](#{}))", anchor(&sub));
                nested.push((sub, attributes.clone()));
            }
            let _ = writeln!(out, "{line}");
        }
        let _ = writeln!(out);
    }
}

fn anchor(path: &[String]) -> String {
    format!("nestedatt--{}", path.join("--"))
}

fn type_label(a: &Attribute) -> String {
    let mut label = match &a.kind {
        AttributeKind::Type(t) => type_name(t),
        AttributeKind::Nested { nesting, .. } => match nesting {
            NestingMode::Single => "Attributes".to_string(),
            NestingMode::List => "Attributes List".to_string(),
            NestingMode::Set => "Attributes Set".to_string(),
            NestingMode::Map => "Attributes Map".to_string(),
        },
    };
    if a.sensitive {
        label.push_str(", Sensitive");
    }
    if a.write_only {
        label.push_str(", Write-only");
    }
    label
}

fn type_name(t: &Type) -> String {
    match t {
        Type::String => "String".into(),
        Type::Number => "Number".into(),
        Type::Bool => "Boolean".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(e) => format!("List of {}", type_name(e)),
        Type::Set(e) => format!("Set of {}", type_name(e)),
        Type::Map(e) => format!("Map of {}", type_name(e)),
        Type::Object { .. } => "Object".into(),
        Type::Tuple(_) => "Tuple".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        Schema::new(
            Block::new(vec![
                Attribute::string("name")
                    .required()
                    .description("The name."),
                Attribute::string("secret")
                    .optional()
                    .sensitive()
                    .description("A secret."),
                Attribute::list("tags", Type::String).optional(),
                Attribute::string("id").computed().description("The id."),
                Attribute::string("old")
                    .optional()
                    .deprecated("Use `name`."),
                Attribute::single_nested(
                    "conn",
                    vec![
                        Attribute::string("host").required().description("Host."),
                        Attribute::single_nested("tls", vec![Attribute::bool("verify").optional()])
                            .optional(),
                    ],
                )
                .optional()
                .description("Connection."),
            ])
            .description("Manages a thing.\n\nMore words."),
        )
    }

    #[test]
    fn renders_registry_sections_and_nested_schemas() {
        let page = Page {
            kind: PageKind::Resource,
            name: "x_thing",
            schema: &schema(),
            examples: vec!["resource \"x_thing\" \"a\" {}\n".into()],
            import: Some("terraform import x_thing.a 1".into()),
            notes: None,
        };
        let md = render(&page);
        assert!(
            md.starts_with("---\npage_title: \"x_thing Resource\"\n"),
            "{md}"
        );
        assert!(
            md.contains("description: |-\n  Manages a thing.\n---"),
            "{md}"
        );
        assert!(md.contains("# x_thing (Resource)"));
        assert!(md.contains("## Example Usage\n\n```terraform\nresource \"x_thing\" \"a\" {}\n```"));
        let req = md.find("### Required").unwrap();
        let opt = md.find("### Optional").unwrap();
        let ro = md.find("### Read-Only").unwrap();
        assert!(req < opt && opt < ro);
        assert!(md.contains("- `name` (String) The name."));
        assert!(md.contains("- `secret` (String, Sensitive) A secret."));
        assert!(md.contains("- `tags` (List of String)"));
        assert!(md.contains("- `old` (String) **Deprecated** Use `name`."));
        assert!(md.contains("- `id` (String) The id."));
        assert!(md.contains(
            "- `conn` (Attributes) Connection. (see [below for nested schema](#nestedatt--conn))"
        ));
        assert!(md.contains("<a id=\"nestedatt--conn\"></a>\n### Nested Schema for `conn`"));
        assert!(
            md.contains("<a id=\"nestedatt--conn--tls\"></a>\n### Nested Schema for `conn.tls`")
        );
        assert!(md.contains("Required:\n\n- `host` (String) Host."));
        assert!(md
            .trim_end()
            .ends_with("```shell\nterraform import x_thing.a 1\n```"));
    }

    #[test]
    fn provider_page_has_no_import() {
        let md = render(&Page {
            kind: PageKind::Provider,
            name: "x",
            schema: &schema(),
            examples: vec![],
            import: None,
            notes: Some("## Authentication\n\nUse a key.".into()),
        });
        assert!(md.contains("# x Provider"));
        assert!(md.contains("## Authentication"));
        assert!(!md.contains("## Import"));
        assert!(!md.contains("## Example Usage"));
    }
}
