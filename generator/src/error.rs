//! Typed generator errors. Every spec problem carries its location (file, JSON pointer, operation)
//! so that a user can find it without reading generator code.

use std::fmt;
use std::path::PathBuf;

/// Where in a spec a problem was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The spec file as the user named it.
    pub file: String,
    /// JSON pointer into the document, `#/paths/~1a~1{b}/post/requestBody`.
    pub pointer: String,
    /// The operationId, when the problem is inside an operation.
    pub operation: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.pointer)?;
        if let Some(op) = &self.operation {
            write!(f, " (operation `{op}`)")?;
        }
        Ok(())
    }
}

/// A problem in a spec: what is wrong, where, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub location: Location,
    pub problem: String,
    pub hint: Option<String>,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.problem)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecError {}

/// Everything that can stop a generation run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Spec(Box<SpecError>),
    #[error("{path}: invalid codegen config: {message}")]
    Config { path: PathBuf, message: String },
    #[error("invalid {what} `{name}`: {reason}")]
    InvalidName {
        what: &'static str,
        name: String,
        reason: String,
    },
    /// The emitted code of `file` does not parse as Rust: a generator bug.
    #[error("internal: generated code for {file} does not parse as Rust: {message}")]
    Emit { file: String, message: String },
    /// A worker thread could not start or did not finish.
    #[error("internal: {task}: {message}")]
    Thread { task: String, message: String },
    #[error("{path}: cannot write: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The generator will not write there: it would touch something it did not write.
    #[error("{path}: {reason}\n  hint: {hint}")]
    Refused {
        path: PathBuf,
        reason: String,
        hint: String,
    },
}

impl From<SpecError> for Error {
    fn from(e: SpecError) -> Self {
        Error::Spec(Box::new(e))
    }
}

/// Builds [`SpecError`]s for one spec file; keeps call sites short.
#[derive(Debug, Clone)]
pub struct Reporter {
    file: String,
}

impl Reporter {
    pub fn new(file: impl Into<String>) -> Self {
        Reporter { file: file.into() }
    }

    pub fn error(&self, pointer: &Pointer, problem: impl Into<String>) -> SpecError {
        SpecError {
            location: Location {
                file: self.file.clone(),
                pointer: pointer.to_string(),
                operation: pointer.operation.clone(),
            },
            problem: problem.into(),
            hint: None,
        }
    }

    pub fn error_with_hint(
        &self,
        pointer: &Pointer,
        problem: impl Into<String>,
        hint: impl Into<String>,
    ) -> SpecError {
        let mut e = self.error(pointer, problem);
        e.hint = Some(hint.into());
        e
    }
}

/// A JSON pointer under construction, with the operation it lies in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pointer {
    tokens: Vec<String>,
    operation: Option<String>,
}

impl Pointer {
    pub fn root() -> Self {
        Pointer::default()
    }

    /// Parses `#/a/b~1c` (a `$ref` target) into a pointer.
    pub fn parse(reference: &str) -> Option<Self> {
        let rest = reference.strip_prefix('#')?;
        if rest.is_empty() {
            return Some(Pointer::root());
        }
        let rest = rest.strip_prefix('/')?;
        Some(Pointer {
            tokens: rest
                .split('/')
                .map(|t| t.replace("~1", "/").replace("~0", "~"))
                .collect(),
            operation: None,
        })
    }

    pub fn push(&self, token: impl Into<String>) -> Self {
        let mut next = self.clone();
        next.tokens.push(token.into());
        next
    }

    pub fn in_operation(&self, operation_id: &str) -> Self {
        let mut next = self.clone();
        next.operation = Some(operation_id.to_string());
        next
    }

    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    pub fn operation(&self) -> Option<&str> {
        self.operation.as_deref()
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("#")?;
        for t in &self.tokens {
            write!(f, "/{}", t.replace('~', "~0").replace('/', "~1"))?;
        }
        Ok(())
    }
}
