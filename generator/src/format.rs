//! Stage 6: token files → formatted text files (`prettyplease`) with the "generated, do not
//! edit" header.

use crate::emit::{Content, Item, TokenFile};
use crate::error::Error;
use crate::ir::Api;
use crate::threads;
use proc_macro2::TokenStream;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A file of generated output, its path relative to the output directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
}

impl GeneratedFile {
    pub fn new(path: impl Into<String>, contents: impl Into<String>) -> Self {
        GeneratedFile {
            path: path.into(),
            contents: contents.into(),
        }
    }
}

/// Formats every file, in order, on [`threads::available`] threads. The calling thread formats
/// each file's head (its tokens cannot leave the thread that built them); every thread takes
/// the items of each Rust file from one queue, a few at a time. A file's text is the same as
/// formatting it in one piece.
pub fn format_files(files: &[TokenFile]) -> Result<Vec<GeneratedFile>, Error> {
    let mut jobs = Vec::new();
    for (index, file) in files.iter().enumerate() {
        if let Content::Rust { items, .. } = &file.content {
            // Small chunks, so that the threads run out of work at about the same time.
            let size = items.len().div_ceil(threads::available() * 16).max(1);
            jobs.extend(items.chunks(size).map(|items| Job {
                index,
                path: &file.path,
                items,
            }));
        }
    }
    let next = AtomicUsize::new(0);
    let take_jobs = || -> Result<Done, Error> {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(job) = jobs.get(i) else {
                return Ok(done);
            };
            done.push((i, job.run()));
        }
    };
    let helpers = (1..threads::available().min(jobs.len() + 1))
        .map(|_| &take_jobs)
        .collect();
    let (heads, helped) = threads::parallel("formatting", helpers, || {
        let heads: Vec<Result<String, Error>> = files.iter().map(head).collect();
        Ok((heads, take_jobs()?))
    })?;
    let mut done: Vec<Option<Result<String, Error>>> = (0..jobs.len()).map(|_| None).collect();
    for (i, text) in helped.into_iter().flatten().chain(heads.1) {
        done[i] = Some(text);
    }
    // Each file's head, then its jobs' texts in order; the first error in that order wins.
    let mut done = jobs.iter().map(|job| job.index).zip(done).peekable();
    let mut formatted = Vec::with_capacity(files.len());
    for (index, (file, head)) in files.iter().zip(heads.0).enumerate() {
        let mut text = head?;
        while let Some((_, part)) = done.next_if(|(of, _)| *of == index) {
            text.push_str(&part.ok_or_else(|| Error::Thread {
                task: format!("formatting {}", file.path),
                message: "a formatting job was not run".to_string(),
            })??);
        }
        formatted.push(GeneratedFile::new(file.path.clone(), text));
    }
    Ok(formatted)
}

/// The jobs one thread ran: each job's number and text.
type Done = Vec<(usize, Result<String, Error>)>;

/// Formats one file (its items on several threads, as [`format_files`] does).
pub fn format_file(file: &TokenFile) -> Result<GeneratedFile, Error> {
    let mut files = format_files(std::slice::from_ref(file))?;
    files.pop().ok_or_else(|| Error::Thread {
        task: format!("formatting {}", file.path),
        message: "no file came back".to_string(),
    })
}

/// A few of a Rust file's items, built and formatted on the thread that takes them.
struct Job<'a> {
    /// The file the job's text belongs to.
    index: usize,
    path: &'a str,
    items: &'a [Item<'a>],
}

impl Job<'_> {
    fn run(&self) -> Result<String, Error> {
        rust_items(self.items.iter().map(|item| item()).collect(), self.path)
    }
}

/// The start of a file's text: all of a manifest or a hand-written file; a Rust file's header
/// and head (module docs, imports, the client), which its items follow.
fn head(file: &TokenFile) -> Result<String, Error> {
    match &file.content {
        Content::Toml(body) => Ok(format!("{}\n{body}", header("#", &file.sources))),
        Content::Rust { head, .. } => rust_file(head(), &file.sources, &file.path),
        // A constant of this program, so it is checked once by a test, not on every run.
        Content::VerbatimRust(text) => Ok(format!("{}\n{text}", header("//", &file.sources))),
    }
}

/// The header every generated file starts with (`comment` is the line-comment marker): the
/// specs and their versions, and every input file with its SHA-256, so that a change to any
/// input changes the output and `--check` reports it.
pub fn header(comment: &str, sources: &[&Api]) -> String {
    let specs: Vec<String> = sources
        .iter()
        .map(|api| format!("{} (version {})", api.source, api.version))
        .collect();
    // The runtime comes from no spec: its header names none, so a spec change leaves it be.
    let mut text = if specs.is_empty() {
        format!(
            "{comment} @generated by telephony-codegen (the runtime: the same for every spec).\n"
        )
    } else {
        format!(
            "{comment} @generated by telephony-codegen from {}.\n",
            specs.join(", ")
        )
    };
    for input in sources.iter().flat_map(|api| &api.inputs) {
        text.push_str(&format!(
            "{comment} sha256 {} {}\n",
            input.sha256, input.name
        ));
    }
    text.push_str(&format!(
        "{comment} Do not edit: change the spec or the generator, then run `cargo xtask codegen`.\n"
    ));
    text
}

/// Formats tokens as a Rust file with `prettyplease`, after the header.
pub fn rust_file(tokens: TokenStream, sources: &[&Api], file: &str) -> Result<String, Error> {
    Ok(format!(
        "{}\n{}",
        header("//", sources),
        rust_items(tokens, file)?
    ))
}

/// Formats items that continue a file (no header).
fn rust_items(tokens: TokenStream, file: &str) -> Result<String, Error> {
    let parsed: syn::File = syn::parse2(tokens).map_err(|e| unparsable(file, &e))?;
    Ok(prettyplease::unparse(&parsed))
}

fn unparsable(file: &str, e: &syn::Error) -> Error {
    Error::Emit {
        file: file.to_string(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::{emit_crate, CrateSpec};

    /// Hand-written files are written as they are, unchecked: each is a constant of the
    /// generator, so parsing it here once covers every run.
    #[test]
    fn hand_written_files_parse() {
        let spec = CrateSpec {
            name: "empty".into(),
            version: "0.1.0".into(),
            modules: Vec::new(),
            runtime: crate::emit::RuntimeCrate::Own,
        };
        let files = emit_crate(&spec);
        let hand_written: Vec<_> = files
            .iter()
            .filter_map(|f| match f.content {
                Content::VerbatimRust(text) => Some((&f.path, text)),
                _ => None,
            })
            .collect();
        assert!(!hand_written.is_empty(), "the runtime is hand-written");
        for (path, text) in hand_written {
            if let Err(e) = syn::parse_file(text) {
                panic!("{path} does not parse: {e}");
            }
        }
    }
}
