//! The layering rule of `src/`, checked on the source text: a module may use
//! its own submodules and the modules of lower layers, never a module of its
//! own layer or a higher one. Crate boundaries enforce the same rule on the
//! Immuta side (`crates/`); inside the root package only this test does.
//!
//! A new top-level module of `src/` must be given a layer in [`LAYERS`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The top-level modules of `src/`, bottom layer first. Modules on one line
/// are rooms side by side: neither may use the other.
const LAYERS: &[&[&str]] = &[
    // Terraform's plugin protocol: wire types, handshake, TLS, logging.
    &["protocol"],
    // Schema, values, diagnostics, the provider traits and their service.
    &["framework"],
    // Small pieces with no knowledge of Immuta's integrations.
    &["duration", "provider_data"],
    // Immuta's errors as diagnostics.
    &["client_errors"],
    // The integration domain: platforms, schema, checks, converters, delete
    // credentials, the public view and the script requests.
    &["integration"],
    // Import ids of the integration resource.
    &["import_id"],
    // What Terraform sees, one file each.
    &["resources", "data_sources", "ephemeral_resources"],
    // The provider block, which registers all of the above.
    &["provider"],
    // The `adopt` command, run by a person.
    &["adopt"],
];

/// Uses that break the rule, each with the reason it is still here. Empty:
/// a new entry needs a reason and an issue that removes it.
const KNOWN_EXCEPTIONS: &[(&str, &str)] = &[];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src/") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`None` for the crate
/// root and the binary, which may use everything).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).expect("under src/");
    let first = rel.components().next()?.as_os_str().to_str()?.to_owned();
    let name = first.strip_suffix(".rs").unwrap_or(&first).to_owned();
    (name != "lib" && name != "main").then_some(name)
}

/// The top-level modules named after `crate::` in `text`, comments left out:
/// `crate::a::b`, `crate::{a, b::c}`.
fn used_modules(text: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let before = &rest[..at];
            rest = &rest[at + "crate::".len()..];
            // `$crate::` (macros) and `pub(crate)` are not module uses.
            if before.ends_with('$') {
                continue;
            }
            if let Some(group) = rest.strip_prefix('{') {
                let body = group.split('}').next().unwrap_or("");
                for item in body.split(',') {
                    let head = item.trim().split("::").next().unwrap_or("").trim();
                    if !head.is_empty() {
                        used.insert(head.to_owned());
                    }
                }
            } else {
                let head: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !head.is_empty() {
                    used.insert(head);
                }
            }
        }
    }
    used
}

/// Every use that breaks the rule, as `file: module -> used`.
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let Some(module) = module_of(src, &file) else {
            continue;
        };
        let rel = file
            .strip_prefix(src.parent().unwrap())
            .unwrap()
            .display()
            .to_string();
        let Some(own) = layer_of(&module) else {
            found.push(format!("{rel}: module `{module}` has no layer in LAYERS"));
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("read source file");
        for used in used_modules(&text) {
            if used == module {
                continue;
            }
            let lower = layer_of(&used).is_none_or(|l| l < own);
            // `None`: an item of the crate root (`crate::PROVIDER_ADDRESS`).
            if !lower && !KNOWN_EXCEPTIONS.contains(&(rel.as_str(), used.as_str())) {
                found.push(format!(
                    "{rel}: `{module}` uses `{used}`, not a lower layer"
                ));
            }
        }
    }
    found
}

#[test]
fn each_module_uses_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = violations(&src);
    assert!(
        found.is_empty(),
        "the layering rule of src/ is broken (see tests/layering.rs):\n  {}",
        found.join("\n  ")
    );
}

#[test]
fn every_top_level_module_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("read src/lib.rs");
    let declared: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    assert!(declared.len() >= 8, "src/lib.rs declares {declared:?}");
    for module in declared {
        assert!(
            layer_of(module).is_some(),
            "`{module}` has no layer in LAYERS"
        );
    }
}

#[test]
fn the_reader_sees_grouped_and_plain_uses_and_skips_comments_and_macros() {
    let text = "use crate::framework::Value;\n\
                use crate::{integration::Platform, duration};\n\
                // crate::adopt in a comment\n\
                let x = $crate::value::Value::Null;\n\
                pub(crate) fn f() {}\n";
    let used: Vec<String> = used_modules(text).into_iter().collect();
    assert_eq!(used, ["duration", "framework", "integration"]);
}
