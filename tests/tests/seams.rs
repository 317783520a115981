//! The pipeline's seams, read from the generator's sources: a module refers (`crate::…`) only to
//! its own stage, an earlier stage or a shared leaf, and never to an item of `lib.rs`, which
//! only orchestrates. Test code (after `#[cfg(test)]`) may use the whole pipeline.

use std::collections::BTreeMap;
use std::path::Path;
use telephony_tests::repo_root;

/// Modules any module may use; they use only each other.
const LEAVES: &[&str] = &["error", "ir", "naming", "threads"];

/// The stages in pipeline order; `config` (the codegen file) comes before all of them, and the
/// review of generated text (`surface`, then `review`) after them.
const ORDER: &[&str] = &[
    "config",
    "load",
    "normalize",
    "document",
    "lower",
    "family",
    "emit",
    "format",
    "output",
    "surface",
    "review",
];

/// A `crate::…` reference that breaks a seam, as `file: reason`.
fn violations(lib_rs: &str, sources: &BTreeMap<String, String>) -> Vec<String> {
    let modules: Vec<String> = lib_rs
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod ")?.strip_suffix(';'))
        .map(str::to_string)
        .collect();
    let lib_items: Vec<String> = lib_rs
        .lines()
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| {
            let rest = ["pub(crate) ", "pub "]
                .iter()
                .find_map(|p| l.strip_prefix(p))
                .unwrap_or(l);
            ["fn ", "struct ", "enum ", "const ", "static ", "type "]
                .iter()
                .find_map(|kw| rest.strip_prefix(kw))
                .and_then(|r| r.split(|c: char| !(c.is_alphanumeric() || c == '_')).next())
                .map(str::to_string)
        })
        .chain(lib_rs.lines().filter_map(|l| {
            // `pub use a::{B, C};` and `pub use a::B;` re-export B and C.
            let rest = l.strip_prefix("pub use ")?.strip_suffix(';')?;
            let names = match rest.split_once('{') {
                Some((_, list)) => list.trim_end_matches('}').to_string(),
                None => rest.rsplit("::").next()?.to_string(),
            };
            Some(names)
        }))
        .flat_map(|names| {
            names
                .split(',')
                .map(|n| n.trim().to_string())
                .collect::<Vec<_>>()
        })
        .filter(|n| !n.is_empty())
        .collect();
    let rank = |module: &str| ORDER.iter().position(|m| *m == module);
    let mut found = Vec::new();
    for (file, text) in sources {
        let own = file.split(['/', '.']).next().unwrap_or(file);
        if !LEAVES.contains(&own) && rank(own).is_none() {
            found.push(format!(
                "{file}: module `{own}` is neither a stage nor a shared leaf; add it to this test"
            ));
            continue;
        }
        let code = text.split("#[cfg(test)]").next().unwrap_or(text);
        for (line_no, line) in code.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                // Documentation may link anywhere.
                continue;
            }
            let mut rest = line;
            while let Some(at) = rest.find("crate::") {
                let after = &rest[at + "crate::".len()..];
                rest = after;
                let target: String = after
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let allowed = if lib_items.contains(&target) {
                    Err("an item of lib.rs, which only orchestrates")
                } else if !modules.contains(&target) {
                    // Not one of ours: a path inside generated code (`crate::runtime`).
                    Ok(())
                } else if target == own || LEAVES.contains(&target.as_str()) {
                    Ok(())
                } else if LEAVES.contains(&own) {
                    Err("a shared leaf uses only other leaves")
                } else if rank(&target) < rank(own) {
                    Ok(())
                } else {
                    Err("a later stage (or a module that is not a stage)")
                };
                if let Err(reason) = allowed {
                    found.push(format!(
                        "{file}:{}: `crate::{target}` is {reason}",
                        line_no + 1
                    ));
                }
            }
            let top_level = !file.contains('/');
            if top_level && line.contains("super::") {
                found.push(format!(
                    "{file}:{}: `super::` from a top-level module reaches lib.rs",
                    line_no + 1
                ));
            }
        }
    }
    found
}

fn read_sources(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("generator/src reads")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        if path.is_dir() {
            read_sources(&path, &format!("{prefix}{name}/"), out);
        } else if name.ends_with(".rs") {
            out.insert(
                format!("{prefix}{name}"),
                std::fs::read_to_string(&path).expect("source reads"),
            );
        }
    }
}

#[test]
fn every_stage_uses_only_earlier_stages_and_shared_leaves() {
    let src = repo_root().join("generator/src");
    let mut sources = BTreeMap::new();
    read_sources(&src, "", &mut sources);
    let lib_rs = sources.remove("lib.rs").expect("lib.rs");
    sources.remove("main.rs");
    assert!(sources.len() > 10, "too few sources found: {sources:?}");
    let found = violations(&lib_rs, &sources);
    assert!(found.is_empty(), "seams broken:\n{}", found.join("\n"));
}

/// The checker itself catches each kind of break.
#[test]
fn the_checker_catches_broken_seams() {
    let lib_rs = "pub mod emit;\npub mod error;\npub mod format;\npub mod lower;\n\npub use lower::Selection;\n\npub(crate) fn with_stack() {}\n";
    let case = |file: &str, text: &str| {
        violations(
            lib_rs,
            &BTreeMap::from([(file.to_string(), text.to_string())]),
        )
    };
    assert!(case(
        "emit/mod.rs",
        "use crate::lower::X;\nuse crate::error::E;\nquote!(crate::runtime::Y);\n"
    )
    .is_empty());
    assert_eq!(
        case("emit/mod.rs", "use crate::format::rust_file;\n").len(),
        1
    );
    assert_eq!(case("emit/mod.rs", "crate::with_stack(|| ());\n").len(), 1);
    assert_eq!(case("lower/x.rs", "use crate::Selection;\n").len(), 1);
    assert_eq!(case("error.rs", "use crate::lower::Selection;\n").len(), 1);
    assert_eq!(case("format.rs", "use super::with_stack;\n").len(), 1);
    assert_eq!(case("stray.rs", "\n").len(), 1);
    assert!(case("ir.rs", "/// Built by [`crate::lower`].\n").is_empty());
    assert!(case(
        "emit/mod.rs",
        "#[cfg(test)]\nmod tests { use crate::format::x; }\n"
    )
    .is_empty());
}
