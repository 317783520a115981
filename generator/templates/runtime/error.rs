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

/// `HTTP 404: The requested resource … was not found (code 20404,
/// https://www.twilio.com/docs/errors/20404), request id RQ…`: the error body's message, code and
/// documentation link when it has them (Twilio's and SignalWire's do), else the start of the
/// body; a 401 or 403 adds where to look.
impl<E> fmt::Display for ApiError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {} from the API: ", self.status)?;
        let summary = ErrorSummary::of(self.raw.as_bytes());
        match &summary.message {
            Some(message) => f.write_str(message)?,
            None => f.write_str(&snippet(self.raw.as_bytes()))?,
        }
        match (&summary.code, &summary.more_info) {
            (Some(code), Some(link)) => write!(f, " (code {code}, {link})")?,
            (Some(code), None) => write!(f, " (code {code})")?,
            (None, Some(link)) => write!(f, " ({link})")?,
            (None, None) => {}
        }
        if let Some(id) = self.request_id() {
            write!(f, ", request id {id}")?;
        }
        write_credentials_hint(f, self.status)
    }
}

/// The fields of an error body people read, wherever the spec's error schema puts them.
#[derive(Default)]
struct ErrorSummary {
    code: Option<String>,
    message: Option<String>,
    more_info: Option<String>,
}

impl ErrorSummary {
    fn of(body: &[u8]) -> Self {
        let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(body) else {
            return Self::default();
        };
        let text = |key: &str| match fields.get(key) {
            Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        ErrorSummary {
            code: text("code"),
            message: text("message"),
            more_info: text("more_info"),
        }
    }
}

/// 401 and 403 usually mean the credentials: say so where the status is printed.
fn write_credentials_hint(f: &mut fmt::Formatter<'_>, status: u16) -> fmt::Result {
    match status {
        401 => f.write_str("; check the client's credentials (account or project, and its token or key)"),
        403 => f.write_str("; the credentials may not allow this (check the account, and the key's permissions)"),
        _ => Ok(()),
    }
}

/// What went wrong below HTTP, named at the top of the message and for callers to match on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// The server's name did not resolve.
    Dns,
    /// Nothing accepted the connection.
    ConnectionRefused,
    /// Connecting failed otherwise (unreachable network, reset).
    Connect,
    /// TLS could not be set up (certificate, protocol).
    Tls,
    /// The attempt's timeout or the call's deadline passed.
    Timeout,
    /// The connection failed while the response was being read.
    Body,
    /// Sending the request failed otherwise.
    Request,
}

impl TransportKind {
    fn of(error: &reqwest::Error) -> Self {
        if error.is_timeout() {
            return TransportKind::Timeout;
        }
        // The causes below reqwest: hyper's, then the I/O error or the resolver's text.
        let mut causes = Vec::new();
        let mut next = std::error::Error::source(error);
        while let Some(cause) = next {
            if let Some(io) = cause.downcast_ref::<std::io::Error>() {
                if io.kind() == std::io::ErrorKind::ConnectionRefused {
                    return TransportKind::ConnectionRefused;
                }
                if io.kind() == std::io::ErrorKind::TimedOut {
                    return TransportKind::Timeout;
                }
            }
            causes.push(cause.to_string().to_ascii_lowercase());
            next = cause.source();
        }
        let said = |words: &[&str]| causes.iter().any(|c| words.iter().any(|w| c.contains(w)));
        if said(&["dns error", "failed to lookup", "name or service not known", "no such host"]) {
            TransportKind::Dns
        } else if said(&["certificate", "tls", "handshake", "rustls"]) {
            TransportKind::Tls
        } else if error.is_connect() {
            TransportKind::Connect
        } else if error.is_body() || error.is_decode() {
            TransportKind::Body
        } else {
            TransportKind::Request
        }
    }

    /// What happened, said of `host`.
    fn describe(self, host: &str) -> String {
        match self {
            TransportKind::Dns => format!("cannot reach {host}: the name lookup failed"),
            TransportKind::ConnectionRefused => format!("cannot reach {host}: the connection was refused"),
            TransportKind::Connect => format!("cannot reach {host}: the connection could not be made"),
            TransportKind::Tls => format!("cannot reach {host}: the TLS handshake failed"),
            TransportKind::Timeout => format!("no answer from {host} in time: the request timed out"),
            TransportKind::Body => format!("the connection to {host} failed while the response was read"),
            TransportKind::Request => format!("sending the request to {host} failed"),
        }
    }
}

/// `cannot reach api.twilio.com: the connection was refused`: the kind first, reqwest's own
/// account of it as the source.
fn transport_text(error: &reqwest::Error) -> String {
    let host = error
        .url()
        .and_then(|url| {
            let host = url.host_str()?;
            Some(match url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_string(),
            })
        })
        .unwrap_or_else(|| "the server".to_string());
    TransportKind::of(error).describe(&host)
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
    /// The API linked (a next page) back to a page this listing already fetched before the
    /// last one: following it would page forever.
    #[error("the next-page link `{url}` leads back to a page this listing already fetched; it is not followed")]
    PageCycle { url: String },
    /// The operation needs an account, and neither the call nor the client has one (the
    /// client's credentials are not Basic).
    #[error("path parameter `{name}` has no value and the credentials name no account")]
    NoAccount { name: &'static str },
    /// A provider-neutral request that the chosen provider's spec cannot take: a field it
    /// lacks, an enum value only another provider knows, a number outside its type, or a
    /// field it requires left out.
    #[error("{provider} cannot take `{field}`: {reason}")]
    Unsupported { provider: &'static str, field: &'static str, reason: String },
}

/// Everything a call can fail with. `E` is the operation's documented error body.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<E = ApiErrorBody> {
    /// The request was refused before sending.
    #[error(transparent)]
    InvalidRequest(#[from] InvalidRequest),
    /// The API answered with an error status and a body in its error shape.
    #[error("{0}")]
    Api(ApiError<E>),
    /// An error status whose body is not in the API's error shape (an HTML page, nothing).
    #[error("unexpected HTTP status {status}: {}{}", snippet(body.as_bytes()), CredentialsHint(*status))]
    UnexpectedStatus { status: u16, body: String, meta: ResponseMeta },
    /// A success status whose body could not be decoded.
    #[error("cannot decode the HTTP {status} response, which starts with {snippet:?}")]
    Decode {
        status: u16,
        #[source]
        source: serde_json::Error,
        snippet: String,
        meta: ResponseMeta,
    },
    /// The response body was larger than [`ClientConfig::max_response_bytes`] (counted after
    /// gzip decoding). The client stopped reading and dropped the connection; the call is
    /// never retried.
    ///
    /// [`ClientConfig::max_response_bytes`]: crate::ClientConfig::max_response_bytes
    #[error("the HTTP {} response body is over the {limit}-byte limit; the client stopped reading it", meta.status)]
    ResponseTooLarge { limit: u64, meta: ResponseMeta },
    /// The server answered with a redirect (`3xx`), which the client never follows: `location`
    /// is its `Location`. Or a caller-supplied HTTP client followed one: `location` is then the
    /// URL that answered, and `status` its status.
    #[error("the server redirected the request (HTTP {status}) to {}; redirects are not followed", location.as_deref().unwrap_or("nowhere"))]
    Redirect { status: u16, location: Option<String>, meta: ResponseMeta },
    /// Connecting, sending or receiving failed, or the request timed out (its own timeout, or
    /// the call's deadline).
    #[error("{}", transport_text(.0))]
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
            Error::UnexpectedStatus { meta, .. }
            | Error::Decode { meta, .. }
            | Error::ResponseTooLarge { meta, .. }
            | Error::Redirect { meta, .. } => Some(meta),
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

    /// The same error with its decoded API error body converted (a provider's body into a
    /// neutral one); every other part is kept as it is.
    pub fn map_body<F>(self, f: impl FnOnce(E) -> F) -> Error<F> {
        match self {
            Error::InvalidRequest(e) => Error::InvalidRequest(e),
            Error::Api(e) => Error::Api(ApiError { status: e.status, body: f(e.body), raw: e.raw, meta: e.meta }),
            Error::UnexpectedStatus { status, body, meta } => Error::UnexpectedStatus { status, body, meta },
            Error::Decode { status, source, snippet, meta } => Error::Decode { status, source, snippet, meta },
            Error::ResponseTooLarge { limit, meta } => Error::ResponseTooLarge { limit, meta },
            Error::Redirect { status, location, meta } => Error::Redirect { status, location, meta },
            Error::Transport(e) => Error::Transport(e),
        }
    }

    /// What failed below HTTP, for [`Error::Transport`].
    pub fn transport_kind(&self) -> Option<TransportKind> {
        match self {
            Error::Transport(e) => Some(TransportKind::of(e)),
            _ => None,
        }
    }
}

/// Failures before a response is decoded; converts into any [`Error`].
#[derive(Debug)]
pub(crate) enum Failure {
    Invalid(InvalidRequest),
    Transport(reqwest::Error),
    Refused(Refusal),
}

/// A response the client would not take.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// Its body is over the limit (the rest of it was not read).
    TooLarge { limit: u64, meta: ResponseMeta },
    /// A redirect: `location` is its `Location`, or the URL a caller's client followed it to.
    Redirect { location: Option<String>, meta: ResponseMeta },
}

impl Refusal {
    pub(crate) fn meta(&self) -> &ResponseMeta {
        match self {
            Refusal::TooLarge { meta, .. } | Refusal::Redirect { meta, .. } => meta,
        }
    }
}

impl<E> From<Failure> for Error<E> {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Invalid(e) => Error::InvalidRequest(e),
            Failure::Transport(e) => Error::Transport(e),
            Failure::Refused(Refusal::TooLarge { limit, meta }) => Error::ResponseTooLarge { limit, meta },
            Failure::Refused(Refusal::Redirect { location, meta }) => Error::Redirect {
                status: meta.status,
                location,
                meta,
            },
        }
    }
}

/// The hint of [`write_credentials_hint`], as a `Display` for `thiserror` messages.
struct CredentialsHint(u16);

impl fmt::Display for CredentialsHint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_credentials_hint(f, self.0)
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
