//! The Registry-format docs under `docs/` are generated from the provider's
//! own schema plus `examples/`; this test fails when the committed docs differ
//! from what the code generates. `scripts/gen-docs.sh` (UPDATE_DOCS=1)
//! rewrites them.

use std::path::{Path, PathBuf};
use terraform_provider_immuta::framework::docs::{render, Page, PageKind};
use terraform_provider_immuta::framework::Provider;
use terraform_provider_immuta::ImmutaProvider;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The `.tf` files of an examples folder, in name order, each one example.
fn examples(dir: &Path) -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "tf"));
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("read example"))
        .collect()
}

fn optional_file(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// Every page: its path under the repo and its generated content.
fn pages() -> Vec<(PathBuf, String)> {
    let root = root();
    let provider = ImmutaProvider::new();
    let mut out = Vec::new();
    let schema = provider.schema();
    out.push((
        PathBuf::from("docs/index.md"),
        render(&Page {
            kind: PageKind::Provider,
            name: provider.type_name(),
            schema: &schema,
            examples: examples(&root.join("examples/provider")),
            import: None,
            notes: optional_file(&root.join("examples/provider/notes.md")),
        }),
    ));
    for r in provider.resources() {
        let name = r.type_name().to_string();
        let schema = r.schema();
        let dir = root.join("examples/resources").join(&name);
        out.push((
            PathBuf::from(format!(
                "docs/resources/{}.md",
                name.trim_start_matches("immuta_")
            )),
            render(&Page {
                kind: PageKind::Resource,
                name: &name,
                schema: &schema,
                examples: examples(&dir),
                import: optional_file(&dir.join("import.sh")),
                notes: optional_file(&dir.join("notes.md")),
            }),
        ));
    }
    for d in provider.data_sources() {
        let name = d.type_name().to_string();
        let schema = d.schema();
        let dir = root.join("examples/data-sources").join(&name);
        out.push((
            PathBuf::from(format!(
                "docs/data-sources/{}.md",
                name.trim_start_matches("immuta_")
            )),
            render(&Page {
                kind: PageKind::DataSource,
                name: &name,
                schema: &schema,
                examples: examples(&dir),
                import: None,
                notes: optional_file(&dir.join("notes.md")),
            }),
        ));
    }
    for e in provider.ephemeral_resources() {
        let name = e.type_name().to_string();
        let schema = e.schema();
        let dir = root.join("examples/ephemeral-resources").join(&name);
        out.push((
            PathBuf::from(format!(
                "docs/ephemeral-resources/{}.md",
                name.trim_start_matches("immuta_")
            )),
            render(&Page {
                kind: PageKind::EphemeralResource,
                name: &name,
                schema: &schema,
                examples: examples(&dir),
                import: None,
                notes: optional_file(&dir.join("notes.md")),
            }),
        ));
    }
    out
}

#[test]
fn committed_docs_match_the_schema_and_examples() {
    let root = root();
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    let mut stale = Vec::new();
    for (rel, content) in pages() {
        let path = root.join(&rel);
        let content = format!("{content}\n");
        if update {
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, &content).expect("write doc");
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(existing) if existing == content => {}
            _ => stale.push(rel.display().to_string()),
        }
    }
    assert!(
        stale.is_empty(),
        "these docs differ from what the schema and examples generate: {stale:?}\n\
         run scripts/gen-docs.sh and commit the result"
    );
}
