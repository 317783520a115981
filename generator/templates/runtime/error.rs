use std::fmt;
use std::time::Duration;

use crate::{json, response::ResponseMeta};

/// The error body Twilio-protocol APIs send, used where the spec documents none.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ApiErrorBody {
    /// The API's numeric error code, documented at `more_info`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    /// What went wrong, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// A link to the error code's documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub more_info: Option<String>,
    /// The HTTP status, repeated in the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<i64>,
    /// Further structured detail, when the API gives any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

impl json::FromJson for ApiErrorBody {
    fn from_json(value: serde_json::Value) -> Result<Self, json::DecodeError> {
        let mut fields = json::Fields::new(value, "struct ApiErrorBody")?;
        let body = ApiErrorBody {
            code: fields.optional("code"),
            message: fields.optional("message"),
            more_info: fields.optional("more_info"),
            status: fields.optional("status"),
            details: fields.optional("details"),
        };
        fields.finish()?;
        Ok(body)
    }
}

/// An error response the API documented: its status, decoded body, raw text and headers.
#[derive(Clone, Debug)]
pub struct ApiError<E> {
    /// The HTTP status code.
    pub status: u16,
    /// The decoded error body.
    pub body: E,
    /// The body as received.
    pub raw: String,
    /// The response's status and headers (request id, `Retry-After`).
    pub meta: ResponseMeta,
}

impl<E> ApiError<E> {
    /// The server's id for this request.
    pub fn request_id(&self) -> Option<&str> {
        self.meta.request_id()
    }

    /// How long the server asked to wait before retrying (429 and 503 responses).
    pub fn retry_after(&self) -> Option<Duration> {
        self.meta.retry_after()
    }
}

impl<E> fmt::Display for ApiError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the API answered HTTP {}: {}", self.status, snippet(self.raw.as_bytes()))?;
        if let Some(id) = self.request_id() {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// A request the client refused to send.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidRequest {
    /// A required path parameter was empty.
    #[error("path parameter `{name}` is empty")]
    EmptyPathParameter { name: &'static str },
    /// A path parameter would form a `.` or `..` segment, which URLs cannot carry.
    #[error("path parameter `{name}` is `{value}`, which cannot be sent as a path segment")]
    DotSegment { name: &'static str, value: String },
    /// A header parameter's value has characters HTTP headers cannot carry.
    #[error("header `{name}` has a value HTTP headers cannot carry")]
    HeaderValue { name: &'static str },
    /// The URL could not be formed.
    #[error("cannot form the request URL: {0}")]
    Url(String),
    /// The body could not be encoded.
    #[error("cannot encode the request body: {0}")]
    Body(String),
    /// The API linked (a next page) to another origin than the base URL's; the client does
    /// not send credentials there.
    #[error("the next-page link `{url}` leaves the base URL's origin; it is not followed")]
    ForeignLink { url: String },
    /// The operation needs an account, and neither the call nor the client has one (the
    /// client's credentials are not Basic).
    #[error("path parameter `{name}` has no value and the credentials name no account")]
    NoAccount { name: &'static str },
}

/// Everything a call can fail with. `E` is the operation's documented error body.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<E = ApiErrorBody> {
    /// The request was refused before sending.
    #[error("invalid request: {0}")]
    InvalidRequest(#[from] InvalidRequest),
    /// The API answered with an error status and a body in its error shape.
    #[error("{0}")]
    Api(ApiError<E>),
    /// An error status whose body is not in the API's error shape (an HTML page, nothing).
    #[error("unexpected HTTP status {status}: {}", snippet(body.as_bytes()))]
    UnexpectedStatus { status: u16, body: String, meta: ResponseMeta },
    /// A success status whose body could not be decoded.
    #[error("cannot decode the HTTP {status} response: {source}; the body starts with {snippet:?}")]
    Decode {
        status: u16,
        #[source]
        source: serde_json::Error,
        snippet: String,
        meta: ResponseMeta,
    },
    /// Connecting, sending or receiving failed, or the request timed out.
    #[error("HTTP transport failure: {0}")]
    Transport(#[source] reqwest::Error),
}

impl<E> Error<E> {
    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Transport(e) => e.status().map(|s| s.as_u16()),
            other => other.meta().map(ResponseMeta::status),
        }
    }

    /// The response's status and headers, for every variant that had a response.
    pub fn meta(&self) -> Option<&ResponseMeta> {
        match self {
            Error::Api(e) => Some(&e.meta),
            Error::UnexpectedStatus { meta, .. } | Error::Decode { meta, .. } => Some(meta),
            Error::Transport(_) | Error::InvalidRequest(_) => None,
        }
    }

    /// The server's id for the request, when a response carried one.
    pub fn request_id(&self) -> Option<&str> {
        self.meta()?.request_id()
    }

    /// The decoded API error body, for [`Error::Api`].
    pub fn api_body(&self) -> Option<&E> {
        match self {
            Error::Api(e) => Some(&e.body),
            _ => None,
        }
    }

    /// How long the server asked to wait before retrying.
    pub fn retry_after(&self) -> Option<Duration> {
        self.meta()?.retry_after()
    }

    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport(e) if e.is_timeout())
    }
}

/// Failures before a response is decoded; converts into any [`Error`].
#[derive(Debug)]
pub(crate) enum Failure {
    Invalid(InvalidRequest),
    Transport(reqwest::Error),
}

impl<E> From<Failure> for Error<E> {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Invalid(e) => Error::InvalidRequest(e),
            Failure::Transport(e) => Error::Transport(e),
        }
    }
}

/// At most 200 characters of a body, for messages.
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    match text.char_indices().nth(200) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.into_owned(),
    }
}
