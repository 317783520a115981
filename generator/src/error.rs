//! Typed generator errors. Every spec problem carries its location (file, JSON pointer, operation)
//! so that a user can find it without reading generator code.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

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
    /// A module's environment settings (`[module.environment]` in codegen.toml, or the
    /// command line's `--env-…` options) cannot be used.
    #[error("{origin}: module `{module}`, {key}: {problem}\n  hint: {hint}")]
    Setting {
        /// The config file, or `the command line`.
        origin: String,
        module: String,
        /// As the user wrote it: `environment.host`, `--env-host`.
        key: String,
        problem: String,
        hint: String,
    },
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

/// Builds [`SpecError`]s for one spec; keeps call sites short. Also collects warnings: problems
/// whose intent is clear, so generation goes on (unless the run is strict).
#[derive(Debug, Clone, Default)]
pub struct Reporter {
    file: String,
    /// Where parts of the bundled document came from (see [`Origin`]).
    origins: Vec<Origin>,
    strict: bool,
    warnings: std::cell::RefCell<Vec<SpecError>>,
}

/// A part of the bundled document that was copied from elsewhere (another file, or another
/// place in the same file): errors inside it name the place the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Where the part sits in the bundled document, e.g. `components/schemas/Error`.
    pub bundled: Vec<String>,
    /// The file it was written in, as shown in messages.
    pub file: String,
    /// Where it was written in that file.
    pub written: Vec<String>,
}

impl Reporter {
    pub fn new(file: impl Into<String>) -> Self {
        Reporter {
            file: file.into(),
            ..Reporter::default()
        }
    }

    /// Reports the parts of a bundled document at the place they were written.
    pub fn with_origins(mut self, origins: Vec<Origin>) -> Self {
        self.origins = origins;
        self
    }

    /// A strict reporter turns every warning into an error.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    fn location(&self, pointer: &Pointer) -> Location {
        // The longest matching origin wins: a part copied into a copied part.
        let tokens = pointer.tokens();
        let origin = self
            .origins
            .iter()
            .filter(|o| tokens.starts_with(&o.bundled))
            .max_by_key(|o| o.bundled.len());
        let (file, pointer_text) = match origin {
            Some(o) => {
                let written = o.written.iter().chain(&tokens[o.bundled.len()..]);
                let written = Pointer::from_tokens(written.cloned());
                (o.file.clone(), written.to_string())
            }
            None => (self.file.clone(), pointer.to_string()),
        };
        Location {
            file,
            pointer: pointer_text,
            operation: pointer.operation().map(str::to_string),
        }
    }

    /// A problem at `pointer`, with a hint on how to fix it (every problem has one).
    pub fn error_with_hint(
        &self,
        pointer: &Pointer,
        problem: impl Into<String>,
        hint: impl Into<String>,
    ) -> SpecError {
        SpecError {
            location: self.location(pointer),
            problem: problem.into(),
            hint: Some(hint.into()),
        }
    }

    /// Records a warning, or returns it as the error when the run is strict.
    pub fn warn(
        &self,
        pointer: &Pointer,
        problem: impl Into<String>,
        hint: impl Into<String>,
    ) -> Result<(), SpecError> {
        let warning = self.error_with_hint(pointer, problem, hint);
        if self.strict {
            return Err(warning);
        }
        self.warnings.borrow_mut().push(warning);
        Ok(())
    }

    /// The warnings recorded so far, in the order they were found.
    pub fn take_warnings(&self) -> Vec<SpecError> {
        std::mem::take(&mut *self.warnings.borrow_mut())
    }
}

/// A JSON pointer under construction, with the operation it lies in.
///
/// Every stage pushes a token per node it walks, so a push must not copy the path: the tokens
/// are a shared list linked from the last one, and a pointer is a cheap handle on it.
#[derive(Clone, Default)]
pub struct Pointer {
    last: Option<Arc<Token>>,
    operation: Option<Arc<str>>,
}

/// One token of a [`Pointer`], after the tokens of its parent.
struct Token {
    parent: Option<Arc<Token>>,
    text: String,
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
        Some(Pointer::from_tokens(
            rest.split('/')
                .map(|t| t.replace("~1", "/").replace("~0", "~")),
        ))
    }

    fn from_tokens(tokens: impl IntoIterator<Item = String>) -> Self {
        tokens
            .into_iter()
            .fold(Pointer::root(), |pointer, token| pointer.push(token))
    }

    pub fn push(&self, token: impl Into<String>) -> Self {
        Pointer {
            last: Some(Arc::new(Token {
                parent: self.last.clone(),
                text: token.into(),
            })),
            operation: self.operation.clone(),
        }
    }

    pub fn in_operation(&self, operation_id: &str) -> Self {
        Pointer {
            last: self.last.clone(),
            operation: Some(operation_id.into()),
        }
    }

    /// The tokens, first to last.
    pub fn tokens(&self) -> Vec<String> {
        let mut tokens = Vec::new();
        let mut next = self.last.as_deref();
        while let Some(token) = next {
            tokens.push(token.text.clone());
            next = token.parent.as_deref();
        }
        tokens.reverse();
        tokens
    }

    pub fn operation(&self) -> Option<&str> {
        self.operation.as_deref()
    }
}

impl PartialEq for Pointer {
    fn eq(&self, other: &Self) -> bool {
        self.operation == other.operation && self.tokens() == other.tokens()
    }
}

impl Eq for Pointer {}

impl fmt::Debug for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pointer")
            .field("tokens", &self.tokens())
            .field("operation", &self.operation)
            .finish()
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("#")?;
        for t in self.tokens() {
            write!(f, "/{}", t.replace('~', "~0").replace('/', "~1"))?;
        }
        Ok(())
    }
}
