//! A crate that calls every operation of a generated client: what a program using the whole
//! API compiles of it. The client's operations are `#[inline]` (compiled where they are
//! called), so a build of the client alone leaves them out; this crate puts them back, each
//! taken as a function pointer so that rustc compiles it (and the generic runtime code it
//! instantiates) without a request being written out argument by argument.

use crate::crates::{Clean, Subject};
use crate::scratch;
use std::path::Path;

/// The crate `{package}-caller`, beside `client` and depending on it by path, whose one
/// function takes every method of `{package}::{module}::Client`.
pub fn every_operation(client: &Subject, module: &str) -> Result<Subject, String> {
    let methods = client_methods(&client.dir.join("src"))?;
    if methods.is_empty() {
        return Err(format!(
            "{}: no `impl Client` methods found",
            client.dir.display()
        ));
    }
    let name = format!("{}-caller", client.name);
    let dir = client.dir.with_file_name(&name);
    scratch::create_dir(&dir.join("src"))?;
    scratch::write(
        &dir.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\n{} = {{ path = \"../{}\" }}\n\n[workspace]\n",
            client.name,
            client.dir.file_name().and_then(|n| n.to_str()).unwrap_or(&client.name),
        ),
    )?;
    let krate = client.name.replace('-', "_");
    let calls: String = methods
        .iter()
        .map(|(method, arity)| {
            let params = vec!["_"; *arity].join(", ");
            format!("    std::hint::black_box({krate}::{module}::Client::{method} as fn({params}) -> _);\n")
        })
        .collect();
    scratch::write(
        &dir.join("src/lib.rs"),
        &format!(
            "//! Every method of `{krate}::{module}::Client`, {} of them.\n\npub fn every_operation() {{\n{calls}}}\n",
            methods.len()
        ),
    )?;
    Ok(Subject::new(
        &format!("{} + every operation", client.label),
        &name,
        dir,
        Clean::Generated,
    ))
}

/// Every non-generic method in the `impl Client` blocks of the `.rs` files under `dir`, with
/// its number of parameters (`&self` counted), sorted by name.
fn client_methods(dir: &Path) -> Result<Vec<(String, usize)>, String> {
    let mut methods = Vec::new();
    for file in rust_files(dir)? {
        let text = scratch::read(&file)?;
        let mut inside = false;
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            if line == "impl Client {" {
                inside = true;
            } else if line == "}" {
                inside = false;
            } else if let Some(rest) = inside
                .then(|| line.trim().strip_prefix("pub fn "))
                .flatten()
            {
                let Some((name, after)) = rest.split_once('(') else {
                    continue;
                };
                // The signature up to its closing parenthesis, over as many lines as it takes.
                let mut signature = after.to_string();
                while !signature.contains(')') {
                    match lines.next() {
                        Some(next) => signature.push_str(next.trim()),
                        None => break,
                    }
                }
                let params = signature.split(')').next().unwrap_or_default();
                if name.contains('<') || params.contains("impl ") {
                    continue;
                }
                let arity = params.split(',').filter(|p| !p.trim().is_empty()).count();
                methods.push((name.to_string(), arity));
            }
        }
    }
    methods.sort();
    methods.dedup();
    Ok(methods)
}

fn rust_files(dir: &Path) -> Result<Vec<std::path::PathBuf>, String> {
    let mut files = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for path in entries.flatten().map(|e| e.path()) {
        if path.is_dir() {
            files.extend(rust_files(&path)?);
        } else if path.extension().is_some_and(|x| x == "rs") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_of_impl_client_with_their_arity() {
        let dir = std::env::temp_dir().join(format!("callers-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("a.rs"),
            "impl Client {\n    #[inline]\n    pub fn fetch_call(\n        &self,\n        account_sid: &str,\n        sid: &str,\n    ) -> crate::Call<Call, E> {\n        todo!()\n    }\n    pub fn new(credentials: Credentials) -> Self {\n        todo!()\n    }\n    pub fn with<H: Hook>(self, hook: H) -> Self {\n        todo!()\n    }\n    pub fn named(&self, name: impl Into<String>) {}\n}\nimpl Other {\n    pub fn as_str(&self) -> &str {\n        todo!()\n    }\n}\n",
        )
        .unwrap();
        let methods = client_methods(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            methods,
            vec![("fetch_call".to_string(), 3), ("new".to_string(), 1)]
        );
    }
}
