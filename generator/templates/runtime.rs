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

/// How a client connects: base URL, credentials, timeouts, user agent.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    base_url: String,
    credentials: Credentials,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    user_agent: String,
    http: Option<reqwest::Client>,
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
        }
    }

    /// Limits each request, from connecting to the end of the response body.
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

    /// The base URL requests are sent to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

/// `telephony-client/0.1.0`: the crate's name and version.
pub fn default_user_agent() -> &'static str {
    concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"))
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

/// The HTTP side of a generated client.
#[derive(Clone, Debug)]
pub(crate) struct Transport {
    http: reqwest::Client,
    base_url: String,
    credentials: Credentials,
}

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
            http,
            base_url,
            credentials: config.credentials,
        })
    }

    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    pub(crate) async fn send(&self, request: Request) -> Result<RawResponse, Failure> {
        let mut url = reqwest::Url::parse(&format!("{}{}", self.base_url, request.path))
            .map_err(|e| Failure::Invalid(InvalidRequest::Url(e.to_string())))?;
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(request.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let mut builder = self
            .http
            .request(request.method, url)
            .header(reqwest::header::ACCEPT, "application/json");
        builder = match &self.credentials.kind {
            CredentialKind::Basic { username, password } => builder.basic_auth(username, Some(&password.0)),
            CredentialKind::Bearer(token) => builder.bearer_auth(&token.0),
        };
        for (name, value) in request.headers {
            let value = reqwest::header::HeaderValue::from_str(&value)
                .map_err(|_| Failure::Invalid(InvalidRequest::HeaderValue { name }))?;
            builder = builder.header(name, value);
        }
        let (content_type, body) = request.body.encode();
        if let Some(content_type) = content_type {
            // hyper omits `Content-Length: 0` for an empty body; some front ends then answer
            // 411, so it is always stated.
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .header(reqwest::header::CONTENT_LENGTH, body.len())
                .body(body);
        }
        let response = builder.send().await.map_err(Failure::Transport)?;
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers());
        let body = response.bytes().await.map_err(Failure::Transport)?;
        Ok(RawResponse { status, retry_after, body })
    }
}

/// `application/x-www-form-urlencoded` as WHATWG defines it: UTF-8, spaces as `+`,
/// everything but `*-._` and ASCII alphanumerics percent-encoded.
pub fn encode_form(pairs: &[(&str, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
        .finish()
}

/// `Retry-After` as a delay: delta-seconds, or an HTTP date (any of the three RFC 9110
/// forms) relative to now; a date in the past is no delay.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(std::time::SystemTime::now()).unwrap_or(Duration::ZERO))
}

/// A request under construction.
#[derive(Debug)]
pub(crate) struct Request {
    method: reqwest::Method,
    path: String,
    query: Vec<(&'static str, String)>,
    headers: Vec<(&'static str, String)>,
    body: RequestBody,
}

#[derive(Debug)]
enum RequestBody {
    Empty,
    Form(Vec<(&'static str, String)>),
    Json(Vec<u8>),
    Text(String),
    Bytes(Vec<u8>),
    Multipart(Multipart),
}

impl RequestBody {
    /// The `Content-Type` and the bytes to send (`None`: no body at all).
    fn encode(self) -> (Option<String>, Vec<u8>) {
        match self {
            RequestBody::Empty => (None, Vec::new()),
            RequestBody::Form(pairs) => (
                Some("application/x-www-form-urlencoded".into()),
                encode_form(&pairs).into_bytes(),
            ),
            RequestBody::Json(bytes) => (Some("application/json".into()), bytes),
            RequestBody::Text(text) => (Some("text/plain; charset=utf-8".into()), text.into_bytes()),
            RequestBody::Bytes(bytes) => (Some("application/octet-stream".into()), bytes),
            RequestBody::Multipart(multipart) => {
                let (boundary, bytes) = multipart.encode();
                (Some(format!("multipart/form-data; boundary={boundary}")), bytes)
            }
        }
    }
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
    pub(crate) fn new(method: reqwest::Method, path: String) -> Self {
        Request {
            method,
            path,
            query: Vec::new(),
            headers: Vec::new(),
            body: RequestBody::Empty,
        }
    }

    pub(crate) fn query(&mut self, name: &'static str, value: &impl WireValue) {
        value.push_to(name, &mut self.query);
    }

    pub(crate) fn header(&mut self, name: &'static str, value: &impl WireValue) {
        value.push_to(name, &mut self.headers);
    }

    pub(crate) fn form(&mut self, pairs: Vec<(&'static str, String)>) {
        self.body = RequestBody::Form(pairs);
    }

    pub(crate) fn json(&mut self, body: &impl serde::Serialize) -> Result<(), InvalidRequest> {
        let bytes = serde_json::to_vec(body).map_err(|e| InvalidRequest::Body(e.to_string()))?;
        self.body = RequestBody::Json(bytes);
        Ok(())
    }

    pub(crate) fn text(&mut self, body: &str) {
        self.body = RequestBody::Text(body.to_string());
    }

    pub(crate) fn bytes(&mut self, body: &[u8]) {
        self.body = RequestBody::Bytes(body.to_vec());
    }

    pub(crate) fn multipart(&mut self, body: Multipart) {
        self.body = RequestBody::Multipart(body);
    }
}

/// Builds a request path; each parameter becomes exactly one percent-encoded segment.
#[derive(Debug, Default)]
pub(crate) struct PathBuilder {
    path: String,
    params: Vec<(&'static str, std::ops::Range<usize>)>,
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

    pub(crate) fn param(mut self, name: &'static str, value: impl fmt::Display) -> Result<Self, InvalidRequest> {
        let value = value.to_string();
        if value.is_empty() {
            return Err(InvalidRequest::EmptyPathParameter { name });
        }
        let start = self.path.len();
        self.path
            .extend(percent_encoding::utf8_percent_encode(&value, SEGMENT));
        self.params.push((name, start..self.path.len()));
        Ok(self)
    }

    /// Rejects `.` and `..` segments: URL parsers resolve them, which would send the request
    /// to a different resource.
    pub(crate) fn finish(self) -> Result<String, InvalidRequest> {
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

    /// `Fri, 18 Feb 2011 21:07:19 +0000`, the form Twilio's `date-time-rfc-2822` uses.
    pub fn rfc2822(at: time::OffsetDateTime) -> Option<Self> {
        at.format(&time::format_description::well_known::Rfc2822).ok().map(Timestamp)
    }

    /// `2011-02-18T21:07:19Z`, the form of `format: date-time`.
    pub fn rfc3339(at: time::OffsetDateTime) -> Option<Self> {
        at.format(&time::format_description::well_known::Rfc3339).ok().map(Timestamp)
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

/// Numbers that APIs send either as JSON numbers or as strings: Twilio declares `price` as
/// `type: number` and sends `"-0.0025"`. Both decode; a response is never lost over it.
pub(crate) mod lenient {
    use serde::de::{Deserializer, Error, Unexpected, Visitor};
    use std::fmt;
    use std::marker::PhantomData;

    /// A number type that can come from any JSON number or from its text.
    pub(crate) trait Number: std::str::FromStr + Sized {
        fn from_i64(value: i64) -> Option<Self>;
        fn from_u64(value: u64) -> Option<Self>;
        fn from_f64(value: f64) -> Option<Self>;
    }

    impl Number for f64 {
        fn from_i64(value: i64) -> Option<Self> {
            Some(value as f64)
        }
        fn from_u64(value: u64) -> Option<Self> {
            Some(value as f64)
        }
        fn from_f64(value: f64) -> Option<Self> {
            Some(value)
        }
    }

    macro_rules! integer {
        ($($t:ty),*) => {$(
            impl Number for $t {
                fn from_i64(value: i64) -> Option<Self> {
                    <$t>::try_from(value).ok()
                }
                fn from_u64(value: u64) -> Option<Self> {
                    <$t>::try_from(value).ok()
                }
                fn from_f64(value: f64) -> Option<Self> {
                    (value.fract() == 0.0 && value >= <$t>::MIN as f64 && value <= <$t>::MAX as f64)
                        .then_some(value as $t)
                }
            }
        )*};
    }
    integer!(i32, i64);

    struct NumberVisitor<T>(PhantomData<T>);

    impl<'de, T: Number> Visitor<'de> for NumberVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number, or a string holding one")
        }

        fn visit_i64<E: Error>(self, value: i64) -> Result<T, E> {
            T::from_i64(value).ok_or_else(|| E::invalid_value(Unexpected::Signed(value), &self))
        }

        fn visit_u64<E: Error>(self, value: u64) -> Result<T, E> {
            T::from_u64(value).ok_or_else(|| E::invalid_value(Unexpected::Unsigned(value), &self))
        }

        fn visit_f64<E: Error>(self, value: f64) -> Result<T, E> {
            T::from_f64(value).ok_or_else(|| E::invalid_value(Unexpected::Float(value), &self))
        }

        fn visit_str<E: Error>(self, value: &str) -> Result<T, E> {
            value.trim().parse().map_err(|_| E::invalid_value(Unexpected::Str(value), &self))
        }
    }

    struct OptionVisitor<T>(PhantomData<T>);

    impl<'de, T: Number> Visitor<'de> for OptionVisitor<T> {
        type Value = Option<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("null, a number, or a string holding one")
        }

        fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
            number(deserializer).map(Some)
        }
    }

    /// `deserialize_with` for a number field.
    pub(crate) fn number<'de, D: Deserializer<'de>, T: Number>(deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_any(NumberVisitor(PhantomData))
    }

    /// `deserialize_with` for an optional or nullable number field.
    pub(crate) fn option<'de, D: Deserializer<'de>, T: Number>(deserializer: D) -> Result<Option<T>, D::Error> {
        deserializer.deserialize_option(OptionVisitor(PhantomData))
    }

    /// A number field's value, for [`serde::de::MapAccess::next_value`].
    pub(crate) struct Value<T>(pub(crate) T);

    impl<'de, T: Number> serde::Deserialize<'de> for Value<T> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            number(deserializer).map(Value)
        }
    }

    /// An optional or nullable number field's value.
    pub(crate) struct OptionValue<T>(pub(crate) Option<T>);

    impl<'de, T: Number> serde::Deserialize<'de> for OptionValue<T> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            option(deserializer).map(OptionValue)
        }
    }
}

/// Decoding generated structs from JSON objects. Each struct implements [`object::Object`]
/// with one `match` on the keys, instead of serde's derive: that derive expands to several
/// visitors per struct (sequences, field identifiers by index, name and bytes), which is most
/// of what a large client costs to compile. Unknown keys are skipped, `null` or missing
/// optional fields are `None`, a missing required field is serde's `missing field` error.
pub(crate) mod object {
    use serde::de::{Deserializer, MapAccess, Visitor};
    use std::borrow::Cow;
    use std::fmt;
    use std::marker::PhantomData;

    /// A struct decoded one key at a time.
    pub(crate) trait Object: Sized {
        /// `struct Name`, for error messages.
        const EXPECTING: &'static str;
        fn from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
    }

    /// `Deserialize::deserialize` for an [`Object`].
    pub(crate) fn deserialize<'de, D: Deserializer<'de>, T: Object>(deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_map(ObjectVisitor(PhantomData))
    }

    struct ObjectVisitor<T>(PhantomData<T>);

    impl<'de, T: Object> Visitor<'de> for ObjectVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(T::EXPECTING)
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::from_map(map)
        }
    }

    /// An object key, borrowed from the input when it has no escapes.
    pub(crate) struct Key<'de>(Cow<'de, str>);

    impl Key<'_> {
        pub(crate) fn as_str(&self) -> &str {
            &self.0
        }
    }

    impl<'de> serde::Deserialize<'de> for Key<'de> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_str(KeyVisitor)
        }
    }

    struct KeyVisitor;

    impl<'de> Visitor<'de> for KeyVisitor {
        type Value = Key<'de>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a field name")
        }

        fn visit_borrowed_str<E: serde::de::Error>(self, value: &'de str) -> Result<Key<'de>, E> {
            Ok(Key(Cow::Borrowed(value)))
        }

        fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Key<'de>, E> {
            Ok(Key(Cow::Owned(value.to_string())))
        }

        fn visit_string<E: serde::de::Error>(self, value: String) -> Result<Key<'de>, E> {
            Ok(Key(Cow::Owned(value)))
        }
    }

    /// A required field that was not in the object.
    pub(crate) fn missing<T, E: serde::de::Error>(value: Option<T>, field: &'static str) -> Result<T, E> {
        value.ok_or_else(|| E::missing_field(field))
    }
}

/// `Deserialize` for a generated struct through its [`object::Object`] impl.
macro_rules! impl_deserialize_object {
    ($name:ident) => {
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                $crate::runtime::object::deserialize(deserializer)
            }
        }
    };
}
pub(crate) use impl_deserialize_object;

/// Serde, `Display` and wire support for a generated enum that keeps unknown values;
/// the enum provides `as_str` and `From<String>`.
macro_rules! impl_open_enum {
    ($name:ident) => {
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
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

/// An error response the API documented: its status, decoded body and raw text.
#[derive(Clone, Debug)]
pub struct ApiError<E> {
    /// The HTTP status code.
    pub status: u16,
    /// The decoded error body.
    pub body: E,
    /// The body as received.
    pub raw: String,
    /// The server's `Retry-After`, if it sent one (429 and 503 responses).
    pub retry_after: Option<Duration>,
}

impl<E> fmt::Display for ApiError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the API answered HTTP {}: {}", self.status, snippet(self.raw.as_bytes()))
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
    UnexpectedStatus {
        status: u16,
        body: String,
        retry_after: Option<Duration>,
    },
    /// A success status whose body could not be decoded.
    #[error("cannot decode the HTTP {status} response: {source}; the body starts with {snippet:?}")]
    Decode {
        status: u16,
        #[source]
        source: serde_json::Error,
        snippet: String,
    },
    /// Connecting, sending or receiving failed, or the request timed out.
    #[error("HTTP transport failure: {0}")]
    Transport(#[source] reqwest::Error),
}

impl<E> Error<E> {
    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::UnexpectedStatus { status, .. } | Error::Decode { status, .. } => Some(*status),
            Error::Transport(e) => e.status().map(|s| s.as_u16()),
            Error::InvalidRequest(_) => None,
        }
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
        match self {
            Error::Api(e) => e.retry_after,
            Error::UnexpectedStatus { retry_after, .. } => *retry_after,
            _ => None,
        }
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
    status: u16,
    retry_after: Option<Duration>,
    body: bytes::Bytes,
}

impl RawResponse {
    pub(crate) fn status(&self) -> u16 {
        self.status
    }

    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub(crate) fn json<T: serde::de::DeserializeOwned, E>(&self) -> Result<T, Error<E>> {
        serde_json::from_slice(&self.body).map_err(|source| Error::Decode {
            status: self.status,
            source,
            snippet: snippet(&self.body),
        })
    }

    /// Like [`RawResponse::json`] for struct types: serde would also accept a JSON array for a
    /// struct whose fields are all optional, so anything but an object is refused first.
    pub(crate) fn json_object<T: serde::de::DeserializeOwned, E>(&self) -> Result<T, Error<E>> {
        if self.body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            if let Err(source) = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&self.body) {
                return Err(Error::Decode {
                    status: self.status,
                    source,
                    snippet: snippet(&self.body),
                });
            }
        }
        self.json()
    }

    /// A success status the spec did not document.
    pub(crate) fn unexpected<E>(self) -> Error<E> {
        Error::UnexpectedStatus {
            status: self.status,
            body: String::from_utf8_lossy(&self.body).into_owned(),
            retry_after: self.retry_after,
        }
    }

    pub(crate) fn api_error<E: serde::de::DeserializeOwned>(self) -> Error<E> {
        self.api_error_with(|_, body| serde_json::from_slice(body))
    }

    /// An error response decoded by `decode`; a body that does not decode keeps its text.
    pub(crate) fn api_error_with<E>(
        self,
        decode: impl FnOnce(u16, &[u8]) -> Result<E, serde_json::Error>,
    ) -> Error<E> {
        match decode(self.status, &self.body) {
            Ok(body) => Error::Api(ApiError {
                status: self.status,
                body,
                raw: String::from_utf8_lossy(&self.body).into_owned(),
                retry_after: self.retry_after,
            }),
            Err(_) => self.unexpected(),
        }
    }
}
