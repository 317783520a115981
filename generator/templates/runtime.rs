//! Runtime shared by the generated API modules: credentials, configuration, the HTTP
//! transport, wire encodings and the error types.

use std::fmt;
use std::time::Duration;

/// Credentials for HTTP authentication. `Debug` never shows the secret.
#[derive(Clone)]
pub struct Credentials {
    kind: CredentialKind,
}

#[derive(Clone)]
enum CredentialKind {
    Basic { username: String, password: Secret },
    Bearer(Secret),
}

/// A secret string whose `Debug` output is redacted.
#[derive(Clone)]
struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Credentials {
    /// HTTP Basic credentials: for Twilio the Account SID (or an API key SID) and the auth
    /// token (or API key secret); for SignalWire the project ID and an API token.
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Self {
        Credentials {
            kind: CredentialKind::Basic {
                username: username.into(),
                password: Secret(password.into()),
            },
        }
    }

    /// A bearer token.
    pub fn bearer(token: impl Into<String>) -> Self {
        Credentials {
            kind: CredentialKind::Bearer(Secret(token.into())),
        }
    }

    /// The Basic username, if these are Basic credentials.
    pub fn username(&self) -> Option<&str> {
        match &self.kind {
            CredentialKind::Basic { username, .. } => Some(username),
            CredentialKind::Bearer(_) => None,
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            CredentialKind::Basic { username, password } => f
                .debug_struct("Credentials::Basic")
                .field("username", username)
                .field("password", password)
                .finish(),
            CredentialKind::Bearer(token) => f.debug_tuple("Credentials::Bearer").field(token).finish(),
        }
    }
}

/// How a client connects: base URL, credentials, timeouts, user agent, retries and hooks.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    base_url: String,
    credentials: Credentials,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    user_agent: String,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    hooks: Hooks,
}

impl ClientConfig {
    /// Whole-request timeout used unless [`ClientConfig::timeout`] says otherwise.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

    /// A configuration for `base_url`, for example `https://api.twilio.com`, or a loopback
    /// server in tests.
    pub fn new(base_url: impl Into<String>, credentials: Credentials) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            credentials,
            timeout: Some(Self::DEFAULT_TIMEOUT),
            connect_timeout: None,
            user_agent: default_user_agent().to_string(),
            http: None,
            retry: RetryPolicy::default(),
            hooks: Hooks::default(),
        }
    }

    /// Limits each attempt, from connecting to the end of the response body.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Lets requests run for as long as the server takes.
    pub fn no_timeout(mut self) -> Self {
        self.timeout = None;
        self
    }

    /// Limits connection establishment.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Replaces the `User-Agent` header value.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Uses a preconfigured `reqwest::Client` (proxies, pools); the timeouts and user
    /// agent above are then the given client's own.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Replaces the retry policy ([`RetryPolicy::default`] unless set).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sends every request exactly once.
    pub fn no_retries(self) -> Self {
        self.retry(RetryPolicy::none())
    }

    /// Adds a hook that sees, and may adjust, every attempt; hooks run in the order added.
    pub fn hook(mut self, hook: impl Hook) -> Self {
        self.hooks.0.push(std::sync::Arc::new(hook));
        self
    }

    /// The base URL requests are sent to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The credentials requests carry.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }
}

/// `telephony-client/0.1.0`: the crate's name and version.
pub fn default_user_agent() -> &'static str {
    concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"))
}

/// When a failed attempt is tried again.
///
/// Only what is safe to repeat is repeated: a `429 Too Many Requests` (the server did not
/// act on the request) for every method, a `503 Service Unavailable` that carries
/// `Retry-After` for `GET`, `HEAD` and `DELETE`, and a connection that could not be
/// established (nothing was sent). A `POST` is never repeated after a timeout or a 5xx: it
/// may have taken effect. The wait is the server's `Retry-After` when it sends one (a wait
/// longer than [`RetryPolicy::max_retry_after`] is not waited for: the error is returned),
/// else exponential backoff with full jitter: a random wait between zero and
/// `min(max_backoff, initial_backoff × 2^retry)`. The body is sent byte-identical each time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// Three retries, backoff from 100 ms up to 3 s, `Retry-After` honoured up to 30 s.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(3),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// No retries: every request is sent once.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// How many times a request may be repeated after its first attempt.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The backoff ceiling of the first retry and the cap of every later one.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max;
        self
    }

    /// The longest `Retry-After` the client waits for; a longer one ends the retries.
    pub fn max_retry_after(mut self, cap: Duration) -> Self {
        self.max_retry_after = cap;
        self
    }

    /// The wait before retry number `retry` (0 for the first retry), or `None` when the
    /// attempt's outcome must not be repeated.
    fn delay(&self, method: &reqwest::Method, outcome: &AttemptResult, retry: u32) -> Option<Duration> {
        if retry >= self.max_retries {
            return None;
        }
        let honour = |wait: Duration| (wait <= self.max_retry_after).then_some(wait);
        match outcome {
            Ok(response) if response.meta.status == 429 => match response.meta.retry_after() {
                Some(wait) => honour(wait),
                None => Some(self.backoff_for(retry)),
            },
            Ok(response) if response.meta.status == 503 && is_idempotent(method) => {
                response.meta.retry_after().and_then(honour)
            }
            Ok(_) => None,
            Err(error) if error.is_connect() => Some(self.backoff_for(retry)),
            Err(_) => None,
        }
    }

    /// Full jitter: uniformly random between zero and the exponential ceiling.
    fn backoff_for(&self, retry: u32) -> Duration {
        let ceiling = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry))
            .min(self.max_backoff);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(fastrand::u64(0..=nanos))
    }
}

/// Methods that may be repeated when the server says it is unavailable.
fn is_idempotent(method: &reqwest::Method) -> bool {
    matches!(*method, reqwest::Method::GET | reqwest::Method::HEAD | reqwest::Method::DELETE)
}

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
    const UNNAMED: Operation = Operation {
        id: "",
        method: &reqwest::Method::GET,
        path_template: "",
    };
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
struct Hooks(Vec<std::sync::Arc<dyn Hook>>);

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} hook(s)", self.0.len())
    }
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The base URL is not an absolute `http` or `https` URL.
    #[error("invalid base URL `{url}`: {reason}")]
    BaseUrl { url: String, reason: String },
    /// The HTTP client could not be set up.
    #[error("cannot build the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
}

/// The HTTP side of a generated client; cheap to clone (pages and streams keep one).
#[derive(Clone, Debug)]
pub(crate) struct Transport {
    shared: std::sync::Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    http: reqwest::Client,
    base_url: String,
    /// `scheme://host:port/` of the base URL: what relative next-page links resolve against
    /// and the only origin credentials are sent to.
    origin: reqwest::Url,
    credentials: Credentials,
    retry: RetryPolicy,
    hooks: Hooks,
}

/// An attempt's outcome before it becomes a call's result.
type AttemptResult = Result<RawResponse, reqwest::Error>;

impl Transport {
    pub(crate) fn new(config: ClientConfig) -> Result<Self, BuildError> {
        let base_url = config.base_url.trim_end_matches('/').to_string();
        let parsed = reqwest::Url::parse(&base_url).map_err(|e| BuildError::BaseUrl {
            url: config.base_url.clone(),
            reason: e.to_string(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(BuildError::BaseUrl {
                url: config.base_url,
                reason: "expected an http or https URL without query or fragment".into(),
            });
        }
        let mut origin = parsed;
        origin.set_path("/");
        let http = match config.http {
            Some(http) => http,
            None => {
                let mut builder = reqwest::Client::builder().user_agent(config.user_agent);
                if let Some(timeout) = config.timeout {
                    builder = builder.timeout(timeout);
                }
                if let Some(timeout) = config.connect_timeout {
                    builder = builder.connect_timeout(timeout);
                }
                builder.build().map_err(BuildError::Http)?
            }
        };
        Ok(Transport {
            shared: std::sync::Arc::new(Shared {
                http,
                base_url,
                origin,
                credentials: config.credentials,
                retry: config.retry,
                hooks: config.hooks,
            }),
        })
    }

    pub(crate) fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    pub(crate) fn credentials(&self) -> &Credentials {
        &self.shared.credentials
    }

    /// A link from a response (a next page), resolved against the base URL's origin. A link
    /// to any other origin is refused: credentials go to the configured origin only.
    pub(crate) fn resolve_link(&self, link: &str) -> Result<reqwest::Url, InvalidRequest> {
        let url = self
            .shared
            .origin
            .join(link)
            .map_err(|e| InvalidRequest::Url(format!("next-page link `{link}`: {e}")))?;
        if url.origin() != self.shared.origin.origin() {
            return Err(InvalidRequest::ForeignLink { url: url.to_string() });
        }
        Ok(url)
    }

    pub(crate) async fn send(&self, request: Request) -> Result<RawResponse, Failure> {
        let operation = request.operation;
        #[cfg(feature = "tracing")]
        {
            use tracing::Instrument as _;
            let span = tracing::info_span!(
                "telephony_client.request",
                operation = operation.id,
                method = operation.method.as_str(),
                path = operation.path_template,
                status = tracing::field::Empty,
                attempt = tracing::field::Empty,
                elapsed_ms = tracing::field::Empty,
            );
            self.attempts(&operation, &request).instrument(span).await
        }
        #[cfg(not(feature = "tracing"))]
        self.attempts(&operation, &request).await
    }

    /// One attempt's HTTP request. Built anew for each attempt rather than cloned ahead of
    /// the first: the common case, one attempt, pays for no copy. The body was encoded once.
    fn prepare(&self, request: &Request) -> Result<reqwest::Request, Failure> {
        let mut url = match &request.target {
            Target::Path(path) => reqwest::Url::parse(&format!("{}{}", self.shared.base_url, path))
                .map_err(|e| Failure::Invalid(InvalidRequest::Url(e.to_string())))?,
            Target::Url(url) => url.clone(),
        };
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(request.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let mut builder = self
            .shared
            .http
            .request(request.method.clone(), url)
            .header(reqwest::header::ACCEPT, "application/json");
        builder = match &self.shared.credentials.kind {
            CredentialKind::Basic { username, password } => builder.basic_auth(username, Some(&password.0)),
            CredentialKind::Bearer(token) => builder.bearer_auth(&token.0),
        };
        for (name, value) in &request.headers {
            let value = reqwest::header::HeaderValue::from_str(value)
                .map_err(|_| Failure::Invalid(InvalidRequest::HeaderValue { name }))?;
            builder = builder.header(*name, value);
        }
        if let Some((content_type, body)) = &request.body {
            // hyper omits `Content-Length: 0` for an empty body; some front ends then answer
            // 411, so it is always stated. Every attempt sends the same buffer.
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, content_type.as_ref())
                .header(reqwest::header::CONTENT_LENGTH, body.len())
                .body(body.clone());
        }
        builder.build().map_err(Failure::Transport)
    }

    /// Sends `request`, repeating it as the retry policy allows.
    async fn attempts(&self, operation: &Operation, request: &Request) -> Result<RawResponse, Failure> {
        let shared = &*self.shared;
        #[cfg(feature = "tracing")]
        let call_started = std::time::Instant::now();
        let mut number = 1;
        loop {
            // Each attempt starts from the original request, so hooks see every attempt as
            // the first.
            let mut prepared = self.prepare(request)?;
            let attempt = Attempt { operation, number };
            for hook in &shared.hooks.0 {
                hook.on_request(&attempt, &mut prepared);
            }
            let started = std::time::Instant::now();
            let result = self.attempt(prepared).await;
            let retry_in = shared.retry.delay(&request.method, &result, number - 1);
            if !shared.hooks.0.is_empty() {
                let outcome = AttemptOutcome {
                    result: result.as_ref().map(|r| &r.meta),
                    elapsed: started.elapsed(),
                    retry_in,
                };
                for hook in &shared.hooks.0 {
                    hook.on_response(&attempt, &outcome);
                }
            }
            #[cfg(feature = "tracing")]
            {
                let span = tracing::Span::current();
                span.record("attempt", number);
                if let Ok(response) = &result {
                    span.record("status", response.meta.status);
                }
                span.record("elapsed_ms", u64::try_from(call_started.elapsed().as_millis()).unwrap_or(u64::MAX));
                if let Some(wait) = retry_in {
                    tracing::debug!(attempt = number, retry_in_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX), "retrying");
                }
            }
            match retry_in {
                Some(wait) => {
                    tokio::time::sleep(wait).await;
                    number += 1;
                }
                None => return result.map_err(Failure::Transport),
            }
        }
    }

    /// One attempt: send, then read the whole body.
    async fn attempt(&self, request: reqwest::Request) -> AttemptResult {
        let mut response = self.shared.http.execute(request).await?;
        let status = response.status().as_u16();
        // Taken, not cloned: the body is already set up to decode by now.
        let headers = std::mem::take(response.headers_mut());
        let body = response.bytes().await?;
        Ok(RawResponse {
            meta: ResponseMeta {
                status,
                headers: Box::new(headers),
            },
            body,
        })
    }
}

/// `application/x-www-form-urlencoded` as WHATWG defines it: UTF-8, spaces as `+`,
/// everything but `*-._` and ASCII alphanumerics percent-encoded.
pub fn encode_form(pairs: &[(&str, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
        .finish()
}

/// A request under construction.
#[derive(Debug)]
pub(crate) struct Request {
    operation: Operation,
    method: reqwest::Method,
    target: Target,
    query: Vec<(&'static str, String)>,
    headers: Vec<(&'static str, String)>,
    /// Content type and bytes, encoded once so that every attempt sends the same bytes.
    body: Option<(std::borrow::Cow<'static, str>, bytes::Bytes)>,
}

/// Where a request goes: a path under the base URL, or a link the API gave (a next page).
#[derive(Debug)]
enum Target {
    Path(String),
    Url(reqwest::Url),
}

/// A file sent as one part of a `multipart/form-data` body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilePart {
    /// The file's contents.
    pub bytes: Vec<u8>,
    /// The name the server sees (`filename` in the part's `Content-Disposition`).
    pub file_name: String,
    /// The part's `Content-Type`; empty sends `application/octet-stream`.
    pub content_type: String,
}

impl FilePart {
    pub fn new(bytes: impl Into<Vec<u8>>, file_name: impl Into<String>, content_type: impl Into<String>) -> Self {
        FilePart {
            bytes: bytes.into(),
            file_name: file_name.into(),
            content_type: content_type.into(),
        }
    }
}

/// The parts of a `multipart/form-data` body (RFC 7578), in the order added. Encoded into one
/// buffer rather than streamed, so that a retried request sends the same bytes again.
#[derive(Debug, Default)]
pub(crate) struct Multipart {
    fields: Vec<(&'static str, String)>,
    files: Vec<(&'static str, FilePart)>,
}

impl Multipart {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// A text field; arrays repeat the name, `None` adds nothing (as in a form body).
    pub(crate) fn field(&mut self, name: &'static str, value: &impl WireValue) {
        value.push_to(name, &mut self.fields);
    }

    pub(crate) fn file(&mut self, name: &'static str, file: &FilePart) {
        self.files.push((name, file.clone()));
    }

    pub(crate) fn file_opt(&mut self, name: &'static str, file: &Option<FilePart>) {
        if let Some(file) = file {
            self.file(name, file);
        }
    }

    /// The boundary and the body. The boundary is the first of a fixed sequence that occurs in
    /// no part, so the same parts always encode to the same bytes.
    fn encode(self) -> (String, Vec<u8>) {
        let contains = |haystack: &[u8], needle: &[u8]| haystack.windows(needle.len()).any(|w| w == needle);
        let boundary = (0u32..)
            .map(|n| format!("telephony-client-boundary-{n:08x}"))
            .find(|b| {
                !self.fields.iter().any(|(_, v)| contains(v.as_bytes(), b.as_bytes()))
                    && !self.files.iter().any(|(_, f)| contains(&f.bytes, b.as_bytes()) || f.file_name.contains(b.as_str()))
            })
            .unwrap_or_default();
        let mut body = Vec::new();
        for (name, value) in &self.fields {
            body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n", quoted(name)).as_bytes());
            body.extend_from_slice(value.as_bytes());
            body.extend_from_slice(b"\r\n");
        }
        for (name, file) in &self.files {
            let content_type = if file.content_type.is_empty() { "application/octet-stream" } else { file.content_type.as_str() };
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                    quoted(name),
                    quoted(&file.file_name),
                    quoted_line(content_type),
                )
                .as_bytes(),
            );
            body.extend_from_slice(&file.bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        (boundary, body)
    }
}

/// A name inside a quoted `Content-Disposition` parameter: `"`, CR and LF percent-encoded, as
/// browsers do (RFC 7578 section 4.2), so a name can neither end the quote nor the header.
fn quoted(text: &str) -> String {
    text.replace('"', "%22").replace('\r', "%0D").replace('\n', "%0A")
}

/// A header value that cannot start another header line.
fn quoted_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

impl Request {
    pub(crate) fn new(operation: Operation, path: String) -> Self {
        Request {
            operation,
            method: operation.method.clone(),
            target: Target::Path(path),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// A `GET` of a link the API returned, on behalf of `operation`.
    pub(crate) fn follow(operation: Operation, url: reqwest::Url) -> Self {
        Request {
            operation,
            method: reqwest::Method::GET,
            target: Target::Url(url),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        }
    }

    pub(crate) fn operation(&self) -> Operation {
        self.operation
    }

    pub(crate) fn query(&mut self, name: &'static str, value: &impl WireValue) {
        value.push_to(name, &mut self.query);
    }

    pub(crate) fn header(&mut self, name: &'static str, value: &impl WireValue) {
        value.push_to(name, &mut self.headers);
    }

    pub(crate) fn form(&mut self, pairs: Vec<(&'static str, String)>) {
        let encoded = encode_form(&pairs).into_bytes();
        self.body = Some(("application/x-www-form-urlencoded".into(), encoded.into()));
    }

    pub(crate) fn json(&mut self, body: &impl serde::Serialize) -> Result<(), InvalidRequest> {
        let bytes = serde_json::to_vec(body).map_err(|e| InvalidRequest::Body(e.to_string()))?;
        self.body = Some(("application/json".into(), bytes.into()));
        Ok(())
    }

    pub(crate) fn text(&mut self, body: &str) {
        self.body = Some(("text/plain; charset=utf-8".into(), bytes::Bytes::copy_from_slice(body.as_bytes())));
    }

    pub(crate) fn bytes(&mut self, body: &[u8]) {
        self.body = Some(("application/octet-stream".into(), bytes::Bytes::copy_from_slice(body)));
    }

    pub(crate) fn multipart(&mut self, body: Multipart) {
        let (boundary, bytes) = body.encode();
        self.body = Some((format!("multipart/form-data; boundary={boundary}").into(), bytes.into()));
    }
}

/// Builds a request path; each parameter becomes exactly one percent-encoded segment. The
/// first parameter that cannot be one is kept for [`PathBuilder::finish`], so that generated
/// code needs no `?` per parameter.
#[derive(Debug, Default)]
pub(crate) struct PathBuilder {
    path: String,
    params: Vec<(&'static str, std::ops::Range<usize>)>,
    refused: Option<InvalidRequest>,
}

/// Everything except RFC 3986 unreserved characters is percent-encoded, so a value can add
/// no segment (`/`), query (`?`) or fragment (`#`), and `%` itself is escaped.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

impl PathBuilder {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn literal(mut self, text: &str) -> Self {
        self.path.push_str(text);
        self
    }

    pub(crate) fn param(self, name: &'static str, value: impl fmt::Display) -> Self {
        self.segment(name, value.to_string())
    }

    /// The client's account: the one it was given, else the Basic username.
    pub(crate) fn account(self, name: &'static str, account: Option<&str>) -> Self {
        match account {
            Some(account) => self.segment(name, account.to_string()),
            None => self.refuse(InvalidRequest::NoAccount { name }),
        }
    }

    fn segment(mut self, name: &'static str, value: String) -> Self {
        if value.is_empty() {
            return self.refuse(InvalidRequest::EmptyPathParameter { name });
        }
        let start = self.path.len();
        self.path
            .extend(percent_encoding::utf8_percent_encode(&value, SEGMENT));
        self.params.push((name, start..self.path.len()));
        self
    }

    fn refuse(mut self, refused: InvalidRequest) -> Self {
        self.refused.get_or_insert(refused);
        self
    }

    /// Rejects `.` and `..` segments: URL parsers resolve them, which would send the request
    /// to a different resource.
    pub(crate) fn finish(self) -> Result<String, InvalidRequest> {
        if let Some(refused) = self.refused {
            return Err(refused);
        }
        let mut offset = 0;
        for segment in self.path.split('/') {
            if segment == "." || segment == ".." {
                let range = offset..offset + segment.len();
                if let Some((name, _)) = self
                    .params
                    .iter()
                    .find(|(_, r)| r.start < range.end && range.start < r.end)
                {
                    return Err(InvalidRequest::DotSegment {
                        name,
                        value: segment.to_string(),
                    });
                }
            }
            offset += segment.len() + 1;
        }
        Ok(self.path)
    }
}

/// A value's text form in a query string, form body or header. Sequences repeat the key
/// (`Event=initiated&Event=ringing`); `None` sends nothing.
pub trait WireValue {
    /// Appends `(key, text)` pairs for this value.
    fn push_to(&self, key: &'static str, out: &mut Vec<(&'static str, String)>);
}

macro_rules! display_wire_value {
    ($($t:ty),*) => {$(
        impl WireValue for $t {
            fn push_to(&self, key: &'static str, out: &mut Vec<(&'static str, String)>) {
                out.push((key, self.to_string()));
            }
        }
    )*};
}
display_wire_value!(bool, i32, i64, f64, String, str);

impl WireValue for serde_json::Value {
    fn push_to(&self, key: &'static str, out: &mut Vec<(&'static str, String)>) {
        match self {
            serde_json::Value::String(s) => out.push((key, s.clone())),
            other => out.push((key, other.to_string())),
        }
    }
}

impl<T: WireValue + ?Sized> WireValue for &T {
    fn push_to(&self, key: &'static str, out: &mut Vec<(&'static str, String)>) {
        (**self).push_to(key, out)
    }
}

impl<T: WireValue> WireValue for Option<T> {
    fn push_to(&self, key: &'static str, out: &mut Vec<(&'static str, String)>) {
        if let Some(value) = self {
            value.push_to(key, out);
        }
    }
}

impl<T: WireValue> WireValue for Vec<T> {
    fn push_to(&self, key: &'static str, out: &mut Vec<(&'static str, String)>) {
        for value in self {
            value.push_to(key, out);
        }
    }
}

impl<T: WireValue + ?Sized> WireValue for Box<T> {
    fn push_to(&self, key: &'static str, out: &mut Vec<(&'static str, String)>) {
        (**self).push_to(key, out)
    }
}

/// A date-time as the server sent it. Decoding never fails on the text; parse it with
/// [`Timestamp::to_offset_date_time`] when you need it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Timestamp(String);

impl Timestamp {
    /// A timestamp with exactly this text.
    pub fn new(text: impl Into<String>) -> Self {
        Timestamp(text.into())
    }

    /// `Fri, 18 Feb 2011 21:07:19 +0000`, the form Twilio's `date-time-rfc-2822` uses. `None`
    /// for a year before 1900 or after 9999, or an offset with seconds: RFC 2822 has no text
    /// for them.
    pub fn rfc2822(at: time::OffsetDateTime) -> Option<Self> {
        // Written out rather than with `time`'s formatter, which is generic over its output
        // and would be compiled again into every generated crate.
        const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        let (year, offset) = (at.year(), at.offset());
        if !(1900..=9999).contains(&year) || offset.seconds_past_minute() != 0 {
            return None;
        }
        Some(Timestamp(format!(
            "{}, {:02} {} {year} {:02}:{:02}:{:02} {}",
            DAYS[usize::from(at.weekday().number_days_from_monday())],
            at.day(),
            MONTHS[usize::from(u8::from(at.month()) - 1)],
            at.hour(),
            at.minute(),
            at.second(),
            offset_text(offset, ""),
        )))
    }

    /// `2011-02-18T21:07:19Z`, the form of `format: date-time`, with the fraction of a second
    /// when there is one. `None` for a year after 9999 or before 0, or an offset with seconds.
    pub fn rfc3339(at: time::OffsetDateTime) -> Option<Self> {
        let (year, offset) = (at.year(), at.offset());
        if !(0..=9999).contains(&year) || offset.seconds_past_minute() != 0 {
            return None;
        }
        let mut text = format!(
            "{year:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute(),
            at.second()
        );
        if at.nanosecond() != 0 {
            let fraction = format!("{:09}", at.nanosecond());
            text.push('.');
            text.push_str(fraction.trim_end_matches('0'));
        }
        if offset.is_utc() {
            text.push('Z');
        } else {
            text.push_str(&offset_text(offset, ":"));
        }
        Some(Timestamp(text))
    }

    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The instant, if the text is RFC 2822 or RFC 3339.
    pub fn to_offset_date_time(&self) -> Option<time::OffsetDateTime> {
        use time::format_description::well_known::{Rfc2822, Rfc3339};
        time::OffsetDateTime::parse(&self.0, &Rfc2822)
            .or_else(|_| time::OffsetDateTime::parse(&self.0, &Rfc3339))
            .ok()
    }
}

/// `+hhmm` (`separator` empty) or `+hh:mm`.
fn offset_text(offset: time::UtcOffset, separator: &str) -> String {
    let sign = if offset.is_negative() { '-' } else { '+' };
    let (hours, minutes) = (offset.whole_hours().unsigned_abs(), offset.minutes_past_hour().unsigned_abs());
    format!("{sign}{hours:02}{separator}{minutes:02}")
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for Timestamp {
    fn from(text: String) -> Self {
        Timestamp(text)
    }
}

impl WireValue for Timestamp {
    fn push_to(&self, key: &'static str, out: &mut Vec<(&'static str, String)>) {
        out.push((key, self.0.clone()));
    }
}

/// Decoding generated types from JSON. A body is parsed once into a [`serde_json::Value`] and
/// each type takes its part of that tree in one plain function ([`json::FromJson`]). serde's
/// derive would instead be generic over the deserializer, so every type would instantiate
/// serde_json's parser again, which is most of what a large client costs to compile. Unknown
/// keys are skipped, `null` or missing optional fields are `None`, numbers also decode from
/// strings (Twilio declares `price` as `type: number` and sends `"-0.0025"`), and an error
/// names where in the body it happened.
pub(crate) mod json {
    use serde::de::Unexpected;
    use serde_json::{Map, Value};
    use std::collections::BTreeMap;

    /// Why a JSON value did not decode, and where in the body (`.calls[2].status`).
    #[derive(Debug)]
    pub(crate) struct DecodeError {
        message: String,
        path: String,
    }

    impl DecodeError {
        fn new(message: String) -> Self {
            DecodeError { message, path: String::new() }
        }

        fn invalid_type(value: &Value, expected: &str) -> Self {
            Self::new(format!("invalid type: {}, expected {expected}", unexpected(value)))
        }

        fn missing(key: &str) -> Self {
            Self::new(format!("missing field `{key}`"))
        }

        /// What did not fit, without where.
        #[cfg_attr(not(feature = "webhooks"), allow(dead_code))]
        pub(crate) fn message(&self) -> &str {
            &self.message
        }

        /// Where in the body (`.calls[2].status`); empty for the value as a whole.
        #[cfg_attr(not(feature = "webhooks"), allow(dead_code))]
        pub(crate) fn path(&self) -> &str {
            &self.path
        }

        fn at_key(mut self, key: &str) -> Self {
            self.path.insert_str(0, &format!(".{key}"));
            self
        }

        fn at_index(mut self, index: usize) -> Self {
            self.path.insert_str(0, &format!("[{index}]"));
            self
        }
    }

    impl From<DecodeError> for serde_json::Error {
        fn from(e: DecodeError) -> Self {
            let message = if e.path.is_empty() {
                e.message
            } else {
                format!("{} at `{}`", e.message, e.path)
            };
            <serde_json::Error as serde::de::Error>::custom(message)
        }
    }

    fn unexpected(value: &Value) -> Unexpected<'_> {
        match value {
            Value::Null => Unexpected::Other("null"),
            Value::Bool(b) => Unexpected::Bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => Unexpected::Unsigned(u),
                (_, Some(i), _) => Unexpected::Signed(i),
                (_, _, Some(f)) => Unexpected::Float(f),
                _ => Unexpected::Other("number"),
            },
            Value::String(s) => Unexpected::Str(s),
            Value::Array(_) => Unexpected::Seq,
            Value::Object(_) => Unexpected::Map,
        }
    }

    /// A type decoded from its part of a parsed body.
    pub(crate) trait FromJson: Sized {
        fn from_json(value: Value) -> Result<Self, DecodeError>;
    }

    /// `T` from a whole body.
    pub(crate) fn from_slice<T: FromJson>(body: &[u8]) -> Result<T, serde_json::Error> {
        T::from_json(parse(body)?).map_err(serde_json::Error::from)
    }

    /// `T` through serde: the input becomes a [`Value`] first. Generated `Deserialize` impls
    /// call this, so each is one line for the compiler to check.
    pub(crate) fn deserialize<'de, T: FromJson, D: serde::Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
        let value = <Value as serde::Deserialize>::deserialize(deserializer)?;
        match T::from_json(value) {
            Ok(value) => Ok(value),
            Err(e) => Err(<D::Error as serde::de::Error>::custom(serde_json::Error::from(e))),
        }
    }

    pub(super) fn parse(body: &[u8]) -> Result<Value, serde_json::Error> {
        serde_json::from_slice(body)
    }

    /// The fields of a JSON object, taken out one by one by a generated struct's `from_json`.
    pub(crate) struct Fields {
        map: Map<String, Value>,
        error: Option<DecodeError>,
    }

    impl Fields {
        /// The object's fields; anything but an object is an error naming what was expected.
        pub(crate) fn new(value: Value, expecting: &str) -> Result<Self, DecodeError> {
            match value {
                Value::Object(map) => Ok(Fields { map, error: None }),
                other => Err(DecodeError::invalid_type(&other, expecting)),
            }
        }

        /// An optional field: missing or `null` is `None`. A value that does not decode is
        /// kept for [`Fields::finish`], so that the struct literal needs no `?` per field.
        pub(crate) fn optional<T: FromJson>(&mut self, key: &str) -> Option<T> {
            // Plain matches and non-generic helpers: this is instantiated for every field type.
            match T::from_json(self.present(key)?) {
                Ok(value) => Some(value),
                Err(e) => {
                    self.fail(key, e);
                    None
                }
            }
        }

        /// The field's value, unless it is missing or `null`.
        fn present(&mut self, key: &str) -> Option<Value> {
            match self.take(key) {
                None | Some(Value::Null) => None,
                value => value,
            }
        }

        /// The field's value, left as `null` in the map: taking it out of the map would
        /// compile the map's rebalancing code into every generated crate.
        fn take(&mut self, key: &str) -> Option<Value> {
            self.map.get_mut(key).map(Value::take)
        }

        fn fail(&mut self, key: &str, e: DecodeError) {
            self.error.get_or_insert(e.at_key(key));
        }

        /// A required field.
        pub(crate) fn required<T: FromJson>(&mut self, key: &str) -> Result<T, DecodeError> {
            match self.take(key) {
                None => Err(DecodeError::missing(key)),
                Some(value) => T::from_json(value).map_err(|e| e.at_key(key)),
            }
        }

        /// The first optional field that failed to decode, if any.
        pub(crate) fn finish(self) -> Result<(), DecodeError> {
            match self.error {
                Some(e) => Err(e),
                None => Ok(()),
            }
        }
    }

    /// A struct being written as a JSON object, field by field, in order. The first error
    /// is kept for [`Entries::end`], so that generated code needs no `?` per field.
    pub(crate) struct Entries<M: serde::ser::SerializeMap> {
        map: M,
        error: Option<M::Error>,
    }

    impl<M: serde::ser::SerializeMap> Entries<M> {
        pub(crate) fn new<S: serde::Serializer<SerializeMap = M>>(serializer: S) -> Result<Self, S::Error> {
            Ok(Entries {
                map: serializer.serialize_map(None)?,
                error: None,
            })
        }

        /// An optional field: left out when not set.
        pub(crate) fn optional<T: serde::Serialize>(&mut self, key: &'static str, value: &Option<T>) {
            if let Some(value) = value {
                self.required(key, value);
            }
        }

        /// A required field: always written.
        pub(crate) fn required<T: serde::Serialize>(&mut self, key: &'static str, value: &T) {
            if self.error.is_none() {
                self.error = self.map.serialize_entry(key, value).err();
            }
        }

        pub(crate) fn end(self) -> Result<M::Ok, M::Error> {
            match self.error {
                Some(e) => Err(e),
                None => self.map.end(),
            }
        }
    }

    impl FromJson for String {
        fn from_json(value: Value) -> Result<Self, DecodeError> {
            match value {
                Value::String(s) => Ok(s),
                other => Err(DecodeError::invalid_type(&other, "a string")),
            }
        }
    }

    impl FromJson for bool {
        fn from_json(value: Value) -> Result<Self, DecodeError> {
            match value {
                Value::Bool(b) => Ok(b),
                other => Err(DecodeError::invalid_type(&other, "a boolean")),
            }
        }
    }

    impl FromJson for Value {
        fn from_json(value: Value) -> Result<Self, DecodeError> {
            Ok(value)
        }
    }

    impl FromJson for super::Timestamp {
        fn from_json(value: Value) -> Result<Self, DecodeError> {
            String::from_json(value).map(super::Timestamp)
        }
    }

    /// A number type that can come from any JSON number or from its text.
    trait Number: std::str::FromStr {
        fn from_number(n: &serde_json::Number) -> Option<Self>;
    }

    impl Number for f64 {
        fn from_number(n: &serde_json::Number) -> Option<Self> {
            n.as_f64()
        }
    }

    macro_rules! integer {
        ($($t:ty),*) => {$(
            impl Number for $t {
                fn from_number(n: &serde_json::Number) -> Option<Self> {
                    match (n.as_i64(), n.as_u64(), n.as_f64()) {
                        (Some(i), _, _) => <$t>::try_from(i).ok(),
                        (_, Some(u), _) => <$t>::try_from(u).ok(),
                        (_, _, Some(f)) => (f.fract() == 0.0 && f >= <$t>::MIN as f64 && f <= <$t>::MAX as f64)
                            .then_some(f as $t),
                        _ => None,
                    }
                }
            }
        )*};
    }
    integer!(u8, i32, i64);

    fn number<T: Number>(value: Value) -> Result<T, DecodeError> {
        const EXPECTED: &str = "a number, or a string holding one";
        let parsed = match &value {
            Value::Number(n) => T::from_number(n),
            Value::String(s) => s.trim().parse().ok(),
            _ => return Err(DecodeError::invalid_type(&value, EXPECTED)),
        };
        parsed.ok_or_else(|| DecodeError::new(format!("invalid value: {}, expected {EXPECTED}", unexpected(&value))))
    }

    macro_rules! from_json_number {
        ($($t:ty),*) => {$(
            impl FromJson for $t {
                fn from_json(value: Value) -> Result<Self, DecodeError> {
                    number(value)
                }
            }
        )*};
    }
    from_json_number!(u8, i32, i64, f64);

    impl<T: FromJson> FromJson for Option<T> {
        fn from_json(value: Value) -> Result<Self, DecodeError> {
            match value {
                Value::Null => Ok(None),
                value => T::from_json(value).map(Some),
            }
        }
    }

    impl<T: FromJson> FromJson for Box<T> {
        fn from_json(value: Value) -> Result<Self, DecodeError> {
            T::from_json(value).map(Box::new)
        }
    }

    impl<T: FromJson> FromJson for Vec<T> {
        fn from_json(value: Value) -> Result<Self, DecodeError> {
            match value {
                Value::Array(items) => {
                    // A loop, not `collect`: collecting into a `Result` instantiates a stack of
                    // iterator adapters for every element type.
                    let mut decoded = Vec::with_capacity(items.len());
                    for item in items {
                        match T::from_json(item) {
                            Ok(item) => decoded.push(item),
                            Err(e) => return Err(e.at_index(decoded.len())),
                        }
                    }
                    Ok(decoded)
                }
                other => Err(DecodeError::invalid_type(&other, "a sequence")),
            }
        }
    }

    impl<T: FromJson> FromJson for BTreeMap<String, T> {
        fn from_json(value: Value) -> Result<Self, DecodeError> {
            match value {
                Value::Object(map) => {
                    let mut decoded = BTreeMap::new();
                    for (key, item) in map {
                        match T::from_json(item) {
                            Ok(item) => {
                                decoded.insert(key, item);
                            }
                            Err(e) => return Err(e.at_key(&key)),
                        }
                    }
                    Ok(decoded)
                }
                other => Err(DecodeError::invalid_type(&other, "a map")),
            }
        }
    }
}

/// `Deserialize` for a generated type through its [`json::FromJson`] impl: the input becomes
/// a [`serde_json::Value`] first, so this impl is the same few lines for every type.
macro_rules! impl_deserialize_json {
    ($name:ident) => {
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                $crate::runtime::json::deserialize(deserializer)
            }
        }
    };
}
pub(crate) use impl_deserialize_json;

/// A value a generated enum does not know, kept exactly as received. Only the enum's
/// `From`/`FromStr` make one, and only for text that is none of its known values, so an
/// `Unknown` never stands for a known value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// Used by generated `From<String>` impls after every known value failed to match.
    pub(crate) fn new(value: String) -> Self {
        UnknownValue(value)
    }

    /// The value as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Serde, `Display`, `FromStr` and wire support for a generated enum that keeps unknown
/// values; the enum provides `as_str` and `From<String>`.
macro_rules! impl_open_enum {
    ($name:ident) => {
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            /// Never fails: a value the spec does not list becomes `Unknown`.
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }
        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::from(value.to_string())
            }
        }
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                <::std::string::String as ::serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }
        impl $crate::runtime::json::FromJson for $name {
            fn from_json(value: ::serde_json::Value) -> ::std::result::Result<Self, $crate::runtime::json::DecodeError> {
                <::std::string::String as $crate::runtime::json::FromJson>::from_json(value).map(Self::from)
            }
        }
        #[cfg(feature = "webhooks")]
        impl $crate::runtime::form::FormValue for $name {
            fn from_form_text(value: ::std::string::String) -> ::std::result::Result<Self, &'static str> {
                Ok(Self::from(value))
            }
        }
        impl $crate::runtime::WireValue for $name {
            fn push_to(&self, key: &'static str, out: &mut ::std::vec::Vec<(&'static str, ::std::string::String)>) {
                out.push((key, self.as_str().to_string()));
            }
        }
    };
}
pub(crate) use impl_open_enum;

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

/// The status and headers of a response, kept on every result that had one.
#[derive(Clone, Debug, Default)]
pub struct ResponseMeta {
    status: u16,
    /// Boxed so that `Result<_, Error>` stays small on the success path.
    headers: Box<reqwest::header::HeaderMap>,
}

impl ResponseMeta {
    /// Headers that carry the server's id for a request, in the order they are looked up:
    /// Twilio's, then the common convention.
    pub const REQUEST_ID_HEADERS: [&'static str; 2] = ["twilio-request-id", "x-request-id"];

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Every response header.
    pub fn headers(&self) -> &reqwest::header::HeaderMap {
        &self.headers
    }

    /// The first value of the header `name`, when it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// The id the server gave this request (`Twilio-Request-Id`, or `X-Request-Id`): what
    /// the provider's support asks for.
    pub fn request_id(&self) -> Option<&str> {
        Self::REQUEST_ID_HEADERS.iter().find_map(|name| self.header(name))
    }

    /// `Retry-After` as a delay: delta-seconds, or an HTTP date (any of the three RFC 9110
    /// forms) relative to now; a date in the past is no delay.
    pub fn retry_after(&self) -> Option<Duration> {
        let value = self.header(reqwest::header::RETRY_AFTER.as_str())?.trim();
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(Duration::from_secs(seconds));
        }
        let date = httpdate::parse_http_date(value).ok()?;
        Some(date.duration_since(std::time::SystemTime::now()).unwrap_or(Duration::ZERO))
    }
}

/// A decoded success response with its status and headers. It dereferences to the value,
/// so `participant.muted` reads a field; [`Response::into_inner`] takes the value out.
#[derive(Clone, Debug)]
pub struct Response<T> {
    value: T,
    meta: ResponseMeta,
}

impl<T> Response<T> {
    /// The decoded body.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// The status and headers.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// The server's id for this request (see [`ResponseMeta::request_id`]).
    pub fn request_id(&self) -> Option<&str> {
        self.meta.request_id()
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.meta.status
    }

    /// The decoded body and the status and headers, apart.
    pub fn into_parts(self) -> (T, ResponseMeta) {
        (self.value, self.meta)
    }
}

impl<T> std::ops::Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> std::ops::DerefMut for Response<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
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
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    match text.char_indices().nth(200) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.into_owned(),
    }
}

/// A response whose body has been read.
#[derive(Debug)]
pub(crate) struct RawResponse {
    meta: ResponseMeta,
    body: bytes::Bytes,
}

impl RawResponse {
    pub(crate) fn status(&self) -> u16 {
        self.meta.status
    }

    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.meta.status)
    }

    fn decode_error<E>(&self, source: serde_json::Error) -> Error<E> {
        Error::Decode {
            status: self.meta.status,
            source,
            snippet: snippet(&self.body),
            meta: self.meta.clone(),
        }
    }

    /// The body as `T`.
    pub(crate) fn json<T: json::FromJson, E>(&self) -> Result<T, Error<E>> {
        self.decoded(T::from_json)
    }

    /// The body parsed as JSON and decoded by `decode`: a function pointer, so that the
    /// parse and the error are the same code for every type.
    fn decoded<T, E>(&self, decode: fn(serde_json::Value) -> Result<T, json::DecodeError>) -> Result<T, Error<E>> {
        match decode(self.parsed()?) {
            Ok(value) => Ok(value),
            Err(e) => Err(self.undecodable(e)),
        }
    }

    fn parsed<E>(&self) -> Result<serde_json::Value, Error<E>> {
        json::parse(&self.body).map_err(|source| self.decode_error(source))
    }

    fn undecodable<E>(&self, e: json::DecodeError) -> Error<E> {
        self.decode_error(e.into())
    }

    /// A success body decoded as `T`, with this response's status and headers. It spells out
    /// what `decoded` does rather than calling it: every operation instantiates this, and a
    /// second generic function per type was ~6k more lines of LLVM IR on full Twilio.
    pub(crate) fn json_body<T: json::FromJson, E>(self) -> Result<Response<T>, Error<E>> {
        match T::from_json(self.parsed()?) {
            Ok(value) => Ok(Response { value, meta: self.meta }),
            Err(e) => Err(self.undecodable(e)),
        }
    }

    /// A success without a body to decode.
    pub(crate) fn no_body<E>(self) -> Result<Response<()>, Error<E>> {
        Ok(self.with(()))
    }

    /// `value` with this response's status and headers.
    pub(crate) fn with<T>(self, value: T) -> Response<T> {
        Response { value, meta: self.meta }
    }

    /// A status the spec did not document, or an error body not in the API's error shape.
    pub(crate) fn unexpected<E>(&self) -> Error<E> {
        Error::UnexpectedStatus {
            status: self.meta.status,
            body: String::from_utf8_lossy(&self.body).into_owned(),
            meta: self.meta.clone(),
        }
    }

    pub(crate) fn api_error<E: json::FromJson>(self) -> Error<E> {
        self.api_error_with(|_, body| json::from_slice(body))
    }

    /// An error response decoded by `decode`; a body that does not decode keeps its text.
    pub(crate) fn api_error_with<E>(
        self,
        decode: impl FnOnce(u16, &[u8]) -> Result<E, serde_json::Error>,
    ) -> Error<E> {
        match decode(self.meta.status, &self.body) {
            Ok(body) => Error::Api(ApiError {
                status: self.meta.status,
                body,
                raw: String::from_utf8_lossy(&self.body).into_owned(),
                meta: self.meta,
            }),
            Err(_) => self.unexpected(),
        }
    }
}

/// A list response the client can page through: its items and the link to the next page.
/// Generated code implements it for each list operation's response type.
pub trait Listing {
    /// One element of the list.
    type Item;

    /// The items on this page.
    fn items(&self) -> &[Self::Item];

    /// The items on this page, taken out.
    fn into_items(self) -> Vec<Self::Item>;

    /// The next page's link as the API sent it (a path or an absolute URL), if any.
    fn next_page_link(&self) -> Option<&str>;
}

/// A request to send, or why it could not be built.
type Prepared = Result<Request, InvalidRequest>;

/// One call of an operation: a [`Future`](std::future::Future) of its [`Response`]. It owns
/// what it needs (it borrows neither the client nor the arguments), so it can be spawned;
/// nothing is sent until it is first polled.
#[must_use = "a call sends nothing until it is awaited"]
pub struct Call<T, E = ApiErrorBody> {
    /// `None` once finished.
    state: Option<Result<Sending, InvalidRequest>>,
    success: fn(RawResponse) -> Result<Response<T>, Error<E>>,
    failure: ErrorDecoder<E>,
}

// Nothing in a `Call` is pinned in place: the request in flight is boxed.
impl<T, E> Unpin for Call<T, E> {}

impl Transport {
    /// A call of `request`, its 2XX responses decoded by `success` and the rest by `failure`.
    pub(crate) fn call<T, E>(
        &self,
        request: Prepared,
        success: fn(RawResponse) -> Result<Response<T>, Error<E>>,
        failure: ErrorDecoder<E>,
    ) -> Call<T, E> {
        Call {
            state: Some(self.start(request)),
            success,
            failure,
        }
    }

    /// A request on its way, or why it could not be built.
    fn start(&self, request: Prepared) -> Result<Sending, InvalidRequest> {
        request.map(|request| sending(self.clone(), request))
    }
}

/// The one generic step of polling a call: a finished request, or why there is none. A
/// finished call stays pending (the `Future` contract leaves that open; it never panics).
fn poll_sending(
    state: &mut Option<Result<Sending, InvalidRequest>>,
    cx: &mut std::task::Context<'_>,
) -> std::task::Poll<Result<RawResponse, Failure>> {
    use std::future::Future as _;
    use std::task::Poll;
    match state.take() {
        None => Poll::Pending,
        Some(Err(refused)) => Poll::Ready(Err(Failure::Invalid(refused))),
        Some(Ok(mut request)) => {
            let polled = request.as_mut().poll(cx);
            if polled.is_pending() {
                *state = Some(Ok(request));
            }
            polled
        }
    }
}

impl<T, E> std::future::Future for Call<T, E> {
    type Output = Result<Response<T>, Error<E>>;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        let this = self.get_mut();
        poll_sending(&mut this.state, cx).map(|result| match result {
            Ok(response) if response.is_success() => (this.success)(response),
            Ok(response) => Err((this.failure)(response)),
            Err(failure) => Err(failure.into()),
        })
    }
}

impl<T, E> fmt::Debug for Call<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("finished", &self.state.is_none())
            .finish_non_exhaustive()
    }
}

/// Turns an error response of a list operation into its `Error`.
pub(crate) type ErrorDecoder<E> = fn(RawResponse) -> Error<E>;

/// One page of a list operation: the decoded body `L` (dereference it for the page's
/// fields), its status and headers, and what is needed to fetch the next page.
pub struct Page<L, E = ApiErrorBody> {
    listing: L,
    meta: ResponseMeta,
    next: Option<Link>,
    fetch: Fetch<E>,
}

/// A request in flight. Boxed and owning its transport, so that paging code is one copy
/// for every list type instead of one state machine per type.
type Sending = std::pin::Pin<Box<dyn std::future::Future<Output = Result<RawResponse, Failure>> + Send>>;

fn sending(transport: Transport, request: Request) -> Sending {
    Box::pin(async move { transport.send(request).await })
}

/// A link to the next page, resolved against the base URL (or why it may not be followed).
type Link = Result<reqwest::Url, InvalidRequest>;

/// A page's items and its next-page link as sent, from its parsed body.
type PageItems<T> = (Vec<T>, Option<String>);

/// Takes a page's items out of its parsed body. The one part of a stream that depends on
/// the list type, so that what each list operation adds to the crate is this function.
type ItemsDecoder<T> = fn(serde_json::Value) -> Result<PageItems<T>, json::DecodeError>;

fn page_items<L: Listing + json::FromJson>(body: serde_json::Value) -> Result<PageItems<L::Item>, json::DecodeError> {
    let listing = L::from_json(body)?;
    let next = listing.next_page_link().map(str::to_owned);
    Ok((listing.into_items(), next))
}

/// How a list operation fetches its pages.
struct Fetch<E> {
    transport: Transport,
    operation: Operation,
    on_error: ErrorDecoder<E>,
}

impl<E> Clone for Fetch<E> {
    fn clone(&self) -> Self {
        Fetch {
            transport: self.transport.clone(),
            operation: self.operation,
            on_error: self.on_error,
        }
    }
}

impl<E> Fetch<E> {
    fn send(&self, request: Request) -> Sending {
        sending(self.transport.clone(), request)
    }

    fn follow(&self, url: reqwest::Url) -> Sending {
        self.send(Request::follow(self.operation, url))
    }

    /// A page's response if its status is a success; otherwise the operation's error.
    fn accepted(&self, response: RawResponse) -> Result<RawResponse, Error<E>> {
        if response.is_success() {
            Ok(response)
        } else {
            Err((self.on_error)(response))
        }
    }

    fn next_link(&self, link: Option<&str>) -> Option<Link> {
        link.filter(|link| !link.is_empty()).map(|link| self.transport.resolve_link(link))
    }

    fn page<L: Listing + json::FromJson>(&self, response: RawResponse) -> Result<Page<L, E>, Error<E>> {
        let response = self.accepted(response)?;
        let listing: L = response.json()?;
        Ok(Page {
            next: self.next_link(listing.next_page_link()),
            listing,
            meta: response.meta,
            fetch: self.clone(),
        })
    }
}

impl<L: Listing, E> Page<L, E> {
    /// The items on this page.
    pub fn items(&self) -> &[L::Item] {
        self.listing.items()
    }

    /// The items on this page, taken out.
    pub fn into_items(self) -> Vec<L::Item> {
        self.listing.into_items()
    }

    /// The decoded body, with the API's paging fields.
    pub fn into_inner(self) -> L {
        self.listing
    }

    /// The status and headers of this page's response.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// The server's id for this page's request.
    pub fn request_id(&self) -> Option<&str> {
        self.meta.request_id()
    }

    /// Whether the API says there is a next page.
    pub fn has_next(&self) -> bool {
        self.next.is_some()
    }
}

#[allow(private_bounds)]
impl<L: Listing + json::FromJson, E> Page<L, E> {
    /// Fetches the next page; `Ok(None)` after the last one. A link to another origin than
    /// the base URL's is an [`InvalidRequest::ForeignLink`] error and is not requested.
    pub async fn next(&self) -> Result<Option<Page<L, E>>, Error<E>> {
        match &self.next {
            None => Ok(None),
            Some(Err(refused)) => Err(Error::InvalidRequest(refused.clone())),
            Some(Ok(url)) => {
                let response = self.fetch.follow(url.clone()).await?;
                self.fetch.page(response).map(Some)
            }
        }
    }
}

/// The first page of a list operation, once it arrives: a [`Future`](std::future::Future)
/// of a [`Page`]. Like [`Call`], it owns what it needs and sends nothing until polled.
#[must_use = "a call sends nothing until it is awaited"]
pub struct PageCall<L, E = ApiErrorBody> {
    first: FirstPage<E>,
    listing: std::marker::PhantomData<fn() -> L>,
}

/// What a [`PageCall`] holds, whatever the list type.
struct FirstPage<E> {
    fetch: Fetch<E>,
    state: Option<Result<Sending, InvalidRequest>>,
}

impl<L, E> Unpin for PageCall<L, E> {}

#[allow(private_bounds)]
impl<L: Listing + json::FromJson, E> std::future::Future for PageCall<L, E> {
    type Output = Result<Page<L, E>, Error<E>>;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        let first = &mut self.get_mut().first;
        poll_sending(&mut first.state, cx).map(|result| first.fetch.page(result?))
    }
}

impl<L, E> fmt::Debug for PageCall<L, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageCall")
            .field("finished", &self.first.state.is_none())
            .finish_non_exhaustive()
    }
}

impl<L, E> std::ops::Deref for Page<L, E> {
    type Target = L;

    fn deref(&self) -> &L {
        &self.listing
    }
}

impl<L: fmt::Debug, E> fmt::Debug for Page<L, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Page")
            .field("listing", &self.listing)
            .field("meta", &self.meta)
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// The first page of a list operation.
    pub(crate) fn page<L, E>(&self, request: Prepared, on_error: ErrorDecoder<E>) -> PageCall<L, E> {
        PageCall {
            first: self.first_page(request, on_error),
            listing: std::marker::PhantomData,
        }
    }

    fn first_page<E>(&self, request: Prepared, on_error: ErrorDecoder<E>) -> FirstPage<E> {
        FirstPage {
            fetch: self.fetch(&request, on_error),
            state: Some(self.start(request)),
        }
    }

    /// How a list operation fetches its pages (a request that could not be built has no
    /// operation of its own to name).
    fn fetch<E>(&self, request: &Prepared, on_error: ErrorDecoder<E>) -> Fetch<E> {
        Fetch {
            transport: self.clone(),
            operation: request.as_ref().map_or(Operation::UNNAMED, Request::operation),
            on_error,
        }
    }

    /// Every item of a list operation, page after page, fetched as the stream is read.
    pub(crate) fn items<L: Listing + json::FromJson, E>(&self, request: Prepared, on_error: ErrorDecoder<E>) -> Items<L::Item, E> {
        Items {
            pages: self.pages(request, on_error),
            decode: page_items::<L>,
            items: Vec::new(),
        }
    }

    fn pages<E>(&self, request: Prepared, on_error: ErrorDecoder<E>) -> Pages<E> {
        Pages {
            fetch: self.fetch(&request, on_error),
            next: Next::first(request),
            sending: None,
            limit: None,
            yielded: 0,
        }
    }
}

/// What a stream of items does once the current page is used up.
enum Next {
    Request(Request),
    Link(Link),
    End,
}

impl Next {
    fn first(request: Prepared) -> Self {
        match request {
            Ok(request) => Next::Request(request),
            // A request that cannot be built is the stream's one item.
            Err(refused) => Next::Link(Err(refused)),
        }
    }
}

/// The items of a list operation across pages, as a [`futures_core::Stream`]. Pages are
/// fetched as the stream is read; an error ends it after being yielded.
pub struct Items<T, E = ApiErrorBody> {
    pages: Pages<E>,
    decode: ItemsDecoder<T>,
    /// The rest of the current page, last item first.
    items: Vec<T>,
}

/// Where a stream of items is in its pages, whatever the item type.
struct Pages<E> {
    fetch: Fetch<E>,
    next: Next,
    /// The page being fetched, and the link it follows (`None` for the first page).
    sending: Option<(Sending, Option<reqwest::Url>)>,
    limit: Option<usize>,
    yielded: usize,
}

// Nothing in `Items` is ever pinned in place: the request in flight is boxed.
impl<T, E> Unpin for Items<T, E> {}

impl<T, E> Items<T, E> {
    /// Ends the stream after `limit` items; no page past the one holding the last of them
    /// is requested.
    pub fn limit(mut self, limit: usize) -> Self {
        self.pages.limit = Some(limit);
        self
    }

    /// Takes in a fetched page: its items, and what comes after them. An empty page, or one
    /// that links to itself, ends the list: a server that kept answering so would otherwise
    /// be polled forever.
    fn arrived(&mut self, response: Result<RawResponse, Failure>, followed: Option<reqwest::Url>) -> Result<(), Error<E>> {
        let response = self.pages.fetch.accepted(response?)?;
        let (mut items, next) = response.decoded(self.decode)?;
        let next = self.pages.fetch.next_link(next.as_deref());
        let loops = matches!((&next, &followed), (Some(Ok(next)), Some(url)) if next == url);
        if !items.is_empty() && !loops {
            self.pages.next = next.map_or(Next::End, Next::Link);
        }
        items.reverse();
        self.items = items;
        Ok(())
    }
}

impl<T, E> futures_core::Stream for Items<T, E> {
    type Item = Result<T, Error<E>>;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::future::Future as _;
        use std::task::Poll;
        let this = self.get_mut();
        loop {
            let pages = &mut this.pages;
            if pages.limit.is_some_and(|limit| pages.yielded >= limit) {
                return Poll::Ready(None);
            }
            if let Some(item) = this.items.pop() {
                pages.yielded += 1;
                return Poll::Ready(Some(Ok(item)));
            }
            if let Some((request, _)) = &mut pages.sending {
                let Poll::Ready(response) = request.as_mut().poll(cx) else {
                    return Poll::Pending;
                };
                let followed = pages.sending.take().and_then(|(_, url)| url);
                if let Err(error) = this.arrived(response, followed) {
                    this.pages.yielded += 1;
                    return Poll::Ready(Some(Err(error)));
                }
                continue;
            }
            // `next` is `End` while a page is in flight, so a failed page ends the stream.
            pages.sending = match std::mem::replace(&mut pages.next, Next::End) {
                Next::End => return Poll::Ready(None),
                Next::Request(request) => Some((pages.fetch.send(request), None)),
                Next::Link(Ok(url)) => Some((pages.fetch.follow(url.clone()), Some(url))),
                Next::Link(Err(refused)) => {
                    pages.yielded += 1;
                    return Poll::Ready(Some(Err(Error::InvalidRequest(refused))));
                }
            };
        }
    }
}

impl<T, E> fmt::Debug for Items<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("limit", &self.pages.limit)
            .field("yielded", &self.pages.yielded)
            .finish_non_exhaustive()
    }
}

/// Reading `application/x-www-form-urlencoded` bodies: the one decoder for form bodies the
/// crate receives (webhook payloads). Every value is text; each field's type reads its own
/// (`Muted=false` is a `bool`, `SequenceNumber=3` an integer), a key's last value wins, a
/// repeated key fills a list, and unknown keys are ignored. An error names the field.
#[cfg(feature = "webhooks")]
pub(crate) mod form {
    use std::fmt;

    /// Why a form body did not decode: the field, and what was wrong with its value.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct FormError {
        field: String,
        message: String,
    }

    impl FormError {
        fn new(field: &str, message: String) -> Self {
            FormError {
                field: field.to_string(),
                message,
            }
        }

        /// The form field (its wire name, `Muted`).
        pub fn field(&self) -> &str {
            &self.field
        }

        /// What was wrong with it.
        pub fn message(&self) -> &str {
            &self.message
        }
    }

    impl fmt::Display for FormError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "form field `{}`: {}", self.field, self.message)
        }
    }

    impl std::error::Error for FormError {}

    /// A value read from one form field's text.
    pub trait FormValue: Sized {
        /// Whether an empty value (`Label=`) is a value. For every type but text it means
        /// "not given": an optional field is `None`, a required one an error.
        const EMPTY_IS_VALUE: bool = false;

        /// The value, or what was expected instead (for the error message).
        fn from_form_text(text: String) -> Result<Self, &'static str>;
    }

    impl FormValue for String {
        const EMPTY_IS_VALUE: bool = true;

        fn from_form_text(text: String) -> Result<Self, &'static str> {
            Ok(text)
        }
    }

    impl FormValue for bool {
        fn from_form_text(text: String) -> Result<Self, &'static str> {
            // Providers write `true`/`false`; some SDKs and proxies capitalize them.
            match text.trim() {
                t if t.eq_ignore_ascii_case("true") => Ok(true),
                t if t.eq_ignore_ascii_case("false") => Ok(false),
                _ => Err("`true` or `false`"),
            }
        }
    }

    macro_rules! form_number {
        ($($t:ty => $expected:literal),*) => {$(
            impl FormValue for $t {
                fn from_form_text(text: String) -> Result<Self, &'static str> {
                    text.trim().parse().map_err(|_| $expected)
                }
            }
        )*};
    }
    form_number!(i32 => "an integer", i64 => "an integer", f64 => "a number");

    impl FormValue for super::Timestamp {
        fn from_form_text(text: String) -> Result<Self, &'static str> {
            Ok(super::Timestamp(text))
        }
    }

    /// The fields of a form body, taken out one by one by a generated `from_form`.
    pub struct FormFields {
        pairs: Vec<(String, String)>,
        error: Option<FormError>,
    }

    impl FormFields {
        /// The fields of a body; bytes that are not UTF-8 are replaced, never an error.
        pub fn parse(body: &[u8]) -> Self {
            FormFields {
                pairs: form_urlencoded::parse(body).into_owned().collect(),
                error: None,
            }
        }

        /// The field's last value, unless the key is missing (or, for other than text,
        /// empty).
        fn last<T: FormValue>(&self, key: &str) -> Option<&str> {
            let (_, value) = self.pairs.iter().rev().find(|(k, _)| k == key)?;
            (T::EMPTY_IS_VALUE || !value.is_empty()).then_some(value.as_str())
        }

        fn read<T: FormValue>(key: &str, text: &str) -> Result<T, FormError> {
            T::from_form_text(text.to_string()).map_err(|expected| {
                FormError::new(key, format!("invalid value `{text}`, expected {expected}"))
            })
        }

        /// Keeps the first failure for [`FormFields::finish`], so that a generated struct
        /// literal needs no `?` per optional field.
        fn kept<T>(&mut self, result: Result<T, FormError>) -> Option<T> {
            match result {
                Ok(value) => Some(value),
                Err(e) => {
                    self.error.get_or_insert(e);
                    None
                }
            }
        }

        /// An optional field.
        pub fn optional<T: FormValue>(&mut self, key: &str) -> Option<T> {
            let result = Self::read(key, self.last::<T>(key)?);
            self.kept(result)
        }

        /// A field every payload has.
        pub fn required<T: FormValue>(&mut self, key: &str) -> Result<T, FormError> {
            match self.last::<T>(key) {
                Some(text) => Self::read(key, text),
                None => Err(FormError::new(key, "missing".to_string())),
            }
        }

        /// Every value of a repeated key, in order; `Ok(None)` when the key is missing.
        fn all<T: FormValue>(&self, key: &str) -> Result<Option<Vec<T>>, FormError> {
            let mut values = Vec::new();
            for (_, text) in self.pairs.iter().filter(|(k, _)| k == key) {
                values.push(Self::read(key, text)?);
            }
            Ok((!values.is_empty()).then_some(values))
        }

        /// An optional list: one value per occurrence of the key.
        pub fn optional_list<T: FormValue>(&mut self, key: &str) -> Option<Vec<T>> {
            let result = self.all(key);
            self.kept(result).flatten()
        }

        /// A list every payload has.
        pub fn required_list<T: FormValue>(&mut self, key: &str) -> Result<Vec<T>, FormError> {
            self.all(key)?
                .ok_or_else(|| FormError::new(key, "missing".to_string()))
        }

        /// A field whose value is JSON text (an object or a list in a form field); text that
        /// is not JSON is read as a JSON string.
        fn json<T: super::json::FromJson>(key: &str, text: &str) -> Result<T, FormError> {
            let value = serde_json::from_str(text)
                .unwrap_or_else(|_| serde_json::Value::String(text.to_string()));
            T::from_json(value).map_err(|e| {
                let message = match e.path() {
                    "" => e.message().to_string(),
                    path => format!("{} at `{path}`", e.message()),
                };
                FormError::new(key, message)
            })
        }

        /// An optional field holding JSON text.
        pub fn optional_json<T: super::json::FromJson>(&mut self, key: &str) -> Option<T> {
            let result = Self::json(key, self.last::<serde_json::Value>(key)?);
            self.kept(result)
        }

        /// A field holding JSON text that every payload has.
        pub fn required_json<T: super::json::FromJson>(&mut self, key: &str) -> Result<T, FormError> {
            match self.last::<serde_json::Value>(key) {
                Some(text) => Self::json(key, text),
                None => Err(FormError::new(key, "missing".to_string())),
            }
        }

        /// The first optional field that failed to decode, if any.
        pub fn finish(self) -> Result<(), FormError> {
            match self.error {
                Some(e) => Err(e),
                None => Ok(()),
            }
        }
    }

    /// JSON text in a form field: its own [`FormFields::optional_json`] reads it; this impl
    /// only lets "empty means absent" apply to it.
    impl FormValue for serde_json::Value {
        fn from_form_text(text: String) -> Result<Self, &'static str> {
            Ok(serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
        }
    }
}

/// Decoding the requests a provider sends to your server (webhooks and callbacks) into their
/// generated payload types, by the request's `Content-Type`.
#[cfg(feature = "webhooks")]
pub(crate) mod webhook {
    use super::form::{FormError, FormFields};
    use super::json::FromJson;

    /// Why a webhook request's body did not decode into its payload type.
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    pub enum WebhookDecodeError {
        /// Neither form fields nor JSON.
        #[error("unsupported content type `{0}`: a webhook payload is form fields or JSON")]
        UnsupportedContentType(String),
        /// A form field is missing or its value does not fit its type.
        #[error(transparent)]
        Form(#[from] FormError),
        /// The JSON body does not parse, or a field does not fit its type; `path` is where
        /// (`.Muted`), empty for the body as a whole.
        #[error("JSON body: {message}{}", if path.is_empty() { String::new() } else { format!(" at `{path}`") })]
        Json { path: String, message: String },
    }

    impl WebhookDecodeError {
        /// The field that did not decode (`Muted`), when the error is about one.
        pub fn field(&self) -> Option<&str> {
            match self {
                WebhookDecodeError::Form(e) => Some(e.field()),
                WebhookDecodeError::Json { path, .. } => {
                    let first = path.strip_prefix('.')?;
                    Some(first.split(['.', '[']).next().unwrap_or(first))
                }
                WebhookDecodeError::UnsupportedContentType(_) => None,
            }
        }
    }

    /// A generated webhook payload: what a framework integration (an extractor) decodes a
    /// verified request into.
    pub trait WebhookPayload: Sized {
        /// Decodes a request body: form fields when `content_type` is
        /// `application/x-www-form-urlencoded`, JSON when it is `application/json` (or
        /// `+json`); without a content type, a body starting with `{` is JSON.
        fn from_request(content_type: Option<&str>, body: &[u8]) -> Result<Self, WebhookDecodeError>;
    }

    /// What the body is, from its content type.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Encoding {
        Form,
        Json,
    }

    fn encoding(content_type: Option<&str>, body: &[u8]) -> Result<Encoding, WebhookDecodeError> {
        let Some(content_type) = content_type else {
            let first = body.iter().find(|b| !b.is_ascii_whitespace());
            return Ok(if first == Some(&b'{') { Encoding::Json } else { Encoding::Form });
        };
        let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        match essence.as_str() {
            "application/x-www-form-urlencoded" => Ok(Encoding::Form),
            "application/json" => Ok(Encoding::Json),
            e if e.starts_with("application/") && e.ends_with("+json") => Ok(Encoding::Json),
            _ => Err(WebhookDecodeError::UnsupportedContentType(content_type.to_string())),
        }
    }

    /// The body as `T`: read by the type's generated form decoder, or by its JSON decoder.
    pub fn decode<T: FromJson>(
        content_type: Option<&str>,
        body: &[u8],
        from_form: fn(FormFields) -> Result<T, FormError>,
    ) -> Result<T, WebhookDecodeError> {
        match encoding(content_type, body)? {
            Encoding::Form => Ok(from_form(FormFields::parse(body))?),
            Encoding::Json => {
                let value = super::json::parse(body).map_err(|e| WebhookDecodeError::Json {
                    path: String::new(),
                    message: e.to_string(),
                })?;
                T::from_json(value).map_err(|e| WebhookDecodeError::Json {
                    path: e.path().to_string(),
                    message: e.message().to_string(),
                })
            }
        }
    }
}

#[cfg(feature = "webhooks")]
pub use webhook::{WebhookDecodeError, WebhookPayload};
