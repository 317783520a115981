//! The bench's scratch directory, outside the repository (`$TMPDIR/telephony-codegen-bench`),
//! and the files it prepares there: copies of specs, crates to build. It is kept between runs
//! so that dependencies stay warm; nothing here ever writes inside the repository.

use std::path::{Path, PathBuf};

/// The scratch directory.
pub fn dir() -> PathBuf {
    std::env::temp_dir().join("telephony-codegen-bench")
}

/// Where a measured process's stderr goes (read back when it fails).
pub fn stderr_file() -> PathBuf {
    dir().join(format!("stderr-{}", std::process::id()))
}

/// Creates `path` and its parents.
pub fn create_dir(path: &Path) -> Result<(), String> {
    std::fs::create_dir_all(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Removes `path` and everything under it, if it exists.
pub fn remove_dir(path: &Path) -> Result<(), String> {
    if path.exists() {
        std::fs::remove_dir_all(path).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

pub fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Makes `to` hold the same files as `from` (`target/` and dot-files skipped), writing only
/// files whose contents differ and removing files `from` lacks, so that cargo sees the same
/// modification times a generator that writes only changed files leaves behind.
pub fn sync_dir(from: &Path, to: &Path) -> Result<(), String> {
    create_dir(to)?;
    let entries = std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    let mut kept = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", from.display()))?;
        let name = entry.file_name();
        let text = name.to_string_lossy();
        if text.starts_with('.') || text == "target" || text == "Cargo.lock" {
            continue;
        }
        let (source, dest) = (entry.path(), to.join(&name));
        if source.is_dir() {
            sync_dir(&source, &dest)?;
        } else {
            let bytes = std::fs::read(&source).map_err(|e| format!("{}: {e}", source.display()))?;
            if std::fs::read(&dest).ok().as_deref() != Some(&bytes[..]) {
                std::fs::write(&dest, &bytes).map_err(|e| format!("{}: {e}", dest.display()))?;
            }
        }
        kept.push(name);
    }
    let entries = std::fs::read_dir(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let text = name.to_string_lossy();
        if kept.contains(&name) || text.starts_with('.') || text == "target" || text == "Cargo.lock"
        {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            remove_dir(&path)?;
        } else {
            std::fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// Lines of Rust under `dir`, recursively.
pub fn rust_lines(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| e.path())
        .map(|p| {
            if p.is_dir() {
                rust_lines(&p)
            } else if p.extension().is_some_and(|x| x == "rs") {
                std::fs::read_to_string(&p).map_or(0, |t| t.lines().count())
            } else {
                0
            }
        })
        .sum()
}

/// The complete upstream Twilio spec, beside the checkout.
pub fn twilio_spec(root: &Path) -> Result<PathBuf, String> {
    let path = root.join("../shared/specs/twilio_api_v2010.yaml");
    if path.exists() {
        Ok(path)
    } else {
        Err(format!("{} not found", path.display()))
    }
}

/// A copy of `spec` (`specs/twilio.yaml`) in the scratch directory without its `callbacks`
/// and `webhooks` blocks, which 3abb0b3, 1b010c5 and progenitor 0.15.1 cannot read (an
/// operation's callback by `$ref`); every generator reads this copy, so all build the same
/// operations (ours would put the callbacks' payloads behind its `webhooks` feature, which a
/// default build does not compile anyway).
pub fn without_callbacks(spec: &Path) -> Result<PathBuf, String> {
    let out = dir().join("participants.yaml");
    write(&out, &callbacks_left_out(&read(spec)?))?;
    Ok(out)
}

/// `text` without its `callbacks:` and `webhooks:` blocks (block-style YAML).
fn callbacks_left_out(text: &str) -> String {
    let mut kept = Vec::new();
    // The indentation of the block being left out, while inside one.
    let mut skipping: Option<usize> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        if let Some(depth) = skipping {
            if line.trim().is_empty() || indent > depth {
                continue;
            }
            skipping = None;
        }
        if matches!(line.trim(), "callbacks:" | "webhooks:") {
            skipping = Some(indent);
            continue;
        }
        kept.push(line);
    }
    kept.join("\n") + "\n"
}

/// A copy of `spec` in the scratch directory without the three object-level `format`s that
/// progenitor 0.15.1 (typify) panics on (`uri-map`, `phone-number-capabilities`,
/// `ice-server`); every generator reads this copy, so all see the same input.
pub fn progenitor_readable(spec: &Path) -> Result<PathBuf, String> {
    let text = read(spec)?;
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| {
            !matches!(
                l.trim(),
                "format: uri-map" | "format: phone-number-capabilities" | "format: ice-server"
            )
        })
        .collect();
    let out = dir().join("twilio_api_v2010.yaml");
    write(&out, &kept.join("\n"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callbacks_and_webhooks_blocks_are_left_out_and_nothing_else() {
        let text = "paths:\n  /a:\n    post:\n      operationId: A\n      callbacks:\n        x:\n          $ref: '#/c'\n\n      responses: {}\nwebhooks:\n  y: {}\ncomponents:\n  callbacks:\n    c: {}\n  schemas: {}\n";
        assert_eq!(
            callbacks_left_out(text),
            "paths:\n  /a:\n    post:\n      operationId: A\n      responses: {}\ncomponents:\n  schemas: {}\n"
        );
    }

    #[test]
    fn the_checked_in_spec_keeps_its_operations() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let text = std::fs::read_to_string(root.join("specs/twilio.yaml")).unwrap();
        let stripped = callbacks_left_out(&text);
        assert!(!stripped.contains("callbacks:"));
        assert_eq!(
            stripped.matches("operationId:").count(),
            text.matches("operationId:").count()
        );
    }
}
