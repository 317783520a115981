//! Stage 7: write the generated files, or check that they are current.
//!
//! Writing is all-or-nothing: the new tree is staged in a sibling directory and swapped in
//! with renames, so an error at any point leaves the output directory as it was.

use crate::error::Error;
pub use crate::format::GeneratedFile;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// How the output directory differs from what the generator produces.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Staleness {
    Missing(PathBuf),
    Differs(PathBuf),
    /// A file the generator would not write (left over from an earlier run).
    Unexpected(PathBuf),
}

impl std::fmt::Display for Staleness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Staleness::Missing(p) => write!(f, "missing: {}", p.display()),
            Staleness::Differs(p) => write!(f, "stale: {}", p.display()),
            Staleness::Unexpected(p) => {
                write!(f, "not generated (would be removed): {}", p.display())
            }
        }
    }
}

/// Entries of an output directory that are build products, not generated files.
fn is_ignored(relative: &Path) -> bool {
    matches!(
        relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str()),
        Some("target" | "Cargo.lock")
    )
}

/// Every difference between `dir` and `files`, sorted.
pub fn check(dir: &Path, files: &[GeneratedFile]) -> Result<Vec<Staleness>, Error> {
    let mut problems = Vec::new();
    let expected: BTreeSet<PathBuf> = files.iter().map(|f| PathBuf::from(&f.path)).collect();
    for file in files {
        let path = dir.join(&file.path);
        match fs::read(&path) {
            Ok(bytes) if bytes == file.contents.as_bytes() => {}
            Ok(_) => problems.push(Staleness::Differs(path)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                problems.push(Staleness::Missing(path))
            }
            Err(source) => return Err(Error::Read { path, source }),
        }
    }
    for relative in existing_files(dir)? {
        if !expected.contains(&relative) && !is_ignored(&relative) {
            problems.push(Staleness::Unexpected(dir.join(relative)));
        }
    }
    problems.sort();
    Ok(problems)
}

/// Makes `dir` hold exactly `files` (plus ignored build products). Returns what changed.
pub fn write(dir: &Path, files: &[GeneratedFile]) -> Result<Vec<Staleness>, Error> {
    let changes = check(dir, files)?;
    if changes.is_empty() {
        return Ok(changes);
    }
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("generated");
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let staging = parent.join(format!(".{name}.codegen-new"));
    let backup = parent.join(format!(".{name}.codegen-old"));
    for leftover in [&staging, &backup] {
        remove_dir(leftover)?;
    }
    let staged = stage(&staging, dir, files);
    if let Err(e) = staged {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    swap(dir, &staging, &backup)?;
    Ok(changes)
}

fn stage(staging: &Path, dir: &Path, files: &[GeneratedFile]) -> Result<(), Error> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Write { path, source }
    };
    // Every file must stay inside the output directory.
    if let Some(file) = files.iter().find(|f| {
        Path::new(&f.path)
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
    }) {
        return Err(Error::Write {
            path: dir.join(&file.path),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "generated file paths must be relative and stay inside the output directory",
            ),
        });
    }
    fs::create_dir_all(staging).map_err(io(staging))?;
    for file in files {
        let path = staging.join(&file.path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        fs::write(&path, &file.contents).map_err(io(&dir.join(&file.path)))?;
    }
    // Build products are carried over so that an incremental build stays incremental.
    if dir.exists() {
        for entry in ["target", "Cargo.lock"] {
            let from = dir.join(entry);
            if from.exists() {
                fs::rename(&from, staging.join(entry)).map_err(io(&from))?;
            }
        }
    }
    Ok(())
}

fn swap(dir: &Path, staging: &Path, backup: &Path) -> Result<(), Error> {
    let had_old = dir.exists();
    if had_old {
        fs::rename(dir, backup).map_err(|source| Error::Write {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    if let Err(source) = fs::rename(staging, dir) {
        if had_old {
            let _ = fs::rename(backup, dir);
        }
        return Err(Error::Write {
            path: dir.to_path_buf(),
            source,
        });
    }
    if had_old {
        remove_dir(backup)?;
    }
    Ok(())
}

fn remove_dir(path: &Path) -> Result<(), Error> {
    match fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(Error::Write {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Files under `dir`, relative to it, sorted.
fn existing_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let full = dir.join(&relative);
        let entries = match fs::read_dir(&full) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(Error::Read { path: full, source }),
        };
        for entry in entries {
            let entry = entry.map_err(|source| Error::Read {
                path: full.clone(),
                source,
            })?;
            let child = relative.join(entry.file_name());
            if is_ignored(&child) {
                continue;
            }
            if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                pending.push(child);
            } else {
                out.push(child);
            }
        }
    }
    out.sort();
    Ok(out)
}
