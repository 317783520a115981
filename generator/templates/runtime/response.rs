use std::time::Duration;

use crate::{error::{ApiError, Error, snippet}, json};

/// The status and headers of a response, kept on every result that had one.
#[derive(Clone, Debug, Default)]
pub struct ResponseMeta {
    pub(crate) status: u16,
    /// Boxed so that `Result<_, Error>` stays small on the success path.
    pub(crate) headers: Box<reqwest::header::HeaderMap>,
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
    /// forms) relative to now; a date in the past is no delay. Delta-seconds too large for a
    /// `u64` mean "very long" (RFC 9111 §1.2.2): [`Duration::MAX`].
    pub fn retry_after(&self) -> Option<Duration> {
        let value = self.header(reqwest::header::RETRY_AFTER.as_str())?.trim();
        if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
            return Some(value.parse::<u64>().map_or(Duration::MAX, Duration::from_secs));
        }
        let date = httpdate::parse_http_date(value).ok()?;
        Some(date.duration_since(std::time::SystemTime::now()).unwrap_or(Duration::ZERO))
    }
}

/// A decoded success response with its status and headers. It dereferences to the value,
/// so `participant.muted` reads a field; [`Response::into_inner`] takes the value out.
#[derive(Clone, Debug)]
pub struct Response<T> {
    pub(crate) value: T,
    pub(crate) meta: ResponseMeta,
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

    /// The same response with its value converted (a provider's type into a neutral one).
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response { value: f(self.value), meta: self.meta }
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

/// A response whose body has been read (at most the client's body limit).
#[derive(Debug)]
pub struct RawResponse {
    pub(crate) meta: ResponseMeta,
    /// A `Vec`, so that an error keeps it as its text without a second copy.
    pub(crate) body: Vec<u8>,
    /// The body limit, which also bounds the memory its decoded tree may take.
    pub(crate) limit: usize,
}

impl RawResponse {
    pub fn status(&self) -> u16 {
        self.meta.status
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.meta.status)
    }

    pub(crate) fn decode_error<E>(&self, source: serde_json::Error) -> Error<E> {
        Error::Decode {
            status: self.meta.status,
            source,
            snippet: snippet(&self.body),
            meta: self.meta.clone(),
        }
    }

    /// The body as `T`.
    pub fn json<T: json::FromJson, E>(&self) -> Result<T, Error<E>> {
        self.decoded(T::from_json)
    }

    /// The body parsed as JSON and decoded by `decode`: a function pointer, so that the
    /// parse and the error are the same code for every type.
    pub(crate) fn decoded<T, E>(&self, decode: fn(serde_json::Value) -> Result<T, json::DecodeError>) -> Result<T, Error<E>> {
        match decode(self.parsed()?) {
            Ok(value) => Ok(value),
            Err(e) => Err(self.undecodable(e)),
        }
    }

    /// The body decoded by `decode` straight from its bytes.
    pub(crate) fn read<T, E>(&self, decode: fn(&[u8], usize) -> Result<T, serde_json::Error>) -> Result<T, Error<E>> {
        decode(&self.body, self.limit).map_err(|source| self.decode_error(source))
    }

    pub(crate) fn parsed<E>(&self) -> Result<serde_json::Value, Error<E>> {
        json::parse(&self.body, self.limit).map_err(|source| self.decode_error(source))
    }

    pub(crate) fn undecodable<E>(&self, e: json::DecodeError) -> Error<E> {
        self.decode_error(e.into())
    }

    /// A success body decoded as `T`, with this response's status and headers. Every operation
    /// instantiates this, so it is calls and matches: the parse and the error (with the drop
    /// of the response) are in functions that are one copy for every type.
    pub fn json_body<T: json::FromJson, E>(self) -> Result<Response<T>, Error<E>> {
        match self.parsed() {
            Ok(tree) => match T::from_json(tree) {
                Ok(value) => Ok(self.with(value)),
                Err(e) => Err(self.into_undecodable(e)),
            },
            Err(e) => Err(e),
        }
    }

    /// [`RawResponse::undecodable`], taking the response.
    fn into_undecodable<E>(self, e: json::DecodeError) -> Error<E> {
        self.undecodable(e)
    }

    /// A success without a body to decode.
    pub fn no_body<E>(self) -> Result<Response<()>, Error<E>> {
        Ok(self.with(()))
    }

    /// `value` with this response's status and headers.
    pub fn with<T>(self, value: T) -> Response<T> {
        Response { value, meta: self.meta }
    }

    /// A status the spec did not document, or an error body not in the API's error shape.
    pub fn unexpected<E>(self) -> Error<E> {
        Error::UnexpectedStatus {
            status: self.meta.status,
            body: into_text(self.body),
            meta: self.meta,
        }
    }

    pub fn api_error<E: json::FromJson>(self) -> Error<E> {
        self.api_error_with(|_, body| json::from_slice(body))
    }

    /// An error response decoded by `decode`; a body that does not decode keeps its text.
    pub fn api_error_with<E>(
        self,
        decode: impl FnOnce(u16, &[u8]) -> Result<E, serde_json::Error>,
    ) -> Error<E> {
        match decode(self.meta.status, &self.body) {
            Ok(body) => Error::Api(ApiError {
                status: self.meta.status,
                body,
                raw: into_text(self.body),
                meta: self.meta,
            }),
            Err(_) => self.unexpected(),
        }
    }
}

/// A body as text: the same buffer when it is UTF-8 (an API's error body is), else a lossy copy.
fn into_text(body: Vec<u8>) -> String {
    String::from_utf8(body).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}
