use std::fmt;
use std::time::Duration;

use crate::response::ResponseMeta;

/// What an operation is, whatever the values of one call: what hooks and tracing see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// The spec's `operationId`, for example `UpdateParticipant`.
    pub id: &'static str,
    /// The HTTP method.
    pub method: &'static reqwest::Method,
    /// The path as the spec writes it, with `{placeholders}` instead of values.
    pub path_template: &'static str,
}

impl Operation {
    /// Stands in where no request was built.
    pub(crate) const UNNAMED: Operation = Operation::new("", &reqwest::Method::GET, "");

    /// Used by generated code; the struct stays non-exhaustive for users.
    #[doc(hidden)]
    pub const fn new(id: &'static str, method: &'static reqwest::Method, path_template: &'static str) -> Self {
        Operation {
            id,
            method,
            path_template,
        }
    }
}

/// One try at sending a call's request.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct Attempt<'a> {
    /// The operation being called (a next-page request keeps the listing's operation).
    pub operation: &'a Operation,
    /// 1 for the first try, 2 for the first retry, ….
    pub number: u32,
}

/// How an attempt ended.
#[derive(Debug)]
#[non_exhaustive]
pub struct AttemptOutcome<'a> {
    /// The response's status and headers, or why none arrived.
    pub result: Result<&'a ResponseMeta, &'a reqwest::Error>,
    /// Time from sending this attempt to having its whole body.
    pub elapsed: Duration,
    /// The wait before the next attempt, when the call will be retried.
    pub retry_in: Option<Duration>,
}

/// Observes and adjusts each attempt: logging, metrics, extra headers, test doubles.
///
/// Hooks are plain synchronous callbacks run on the calling task; keep them quick. A hook
/// sees the request as it will be sent, credentials included: do not log its headers.
pub trait Hook: Send + Sync + 'static {
    /// Called before an attempt is sent; may change the request (add a header, say).
    fn on_request(&self, attempt: &Attempt<'_>, request: &mut reqwest::Request) {
        let _ = (attempt, request);
    }

    /// Called when an attempt has its response (body read) or has failed.
    fn on_response(&self, attempt: &Attempt<'_>, outcome: &AttemptOutcome<'_>) {
        let _ = (attempt, outcome);
    }
}

/// A shared hook, so the caller can keep a handle on what it records.
impl<H: Hook + ?Sized> Hook for std::sync::Arc<H> {
    fn on_request(&self, attempt: &Attempt<'_>, request: &mut reqwest::Request) {
        (**self).on_request(attempt, request)
    }

    fn on_response(&self, attempt: &Attempt<'_>, outcome: &AttemptOutcome<'_>) {
        (**self).on_response(attempt, outcome)
    }
}

/// The hooks of a client, in the order they were added.
#[derive(Clone, Default)]
pub(crate) struct Hooks(pub(crate) Vec<std::sync::Arc<dyn Hook>>);

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} hook(s)", self.0.len())
    }
}
