//! Webhook signature verification: did this request really come from Twilio or SignalWire?
//!
//! Both providers sign every webhook with a key the app shares with them (Twilio: the
//! account's auth token; SignalWire: the project's signing key) and send the signature in
//! a header. The signed text starts with the **exact URL the provider called**, so the app
//! must verify against its public URL (what the provider was configured with), not the
//! address a proxy or tunnel forwarded the request to; [`PublicBase`] joins the path and
//! query a server saw onto that public origin.
//!
//! The rules, as the providers' own SDKs apply them:
//!
//! - **Form parameters** (Twilio and SignalWire's Compatibility API, `X-Twilio-Signature`):
//!   base64 HMAC-SHA1 over the URL followed by each form parameter as `key` + `value`, sorted
//!   by key (not by the joined text: `Reason` sorts before `ReasonConferenceEnded`). Twilio
//!   also sorts the values of a repeated key and counts each distinct value once; SignalWire
//!   keeps them in the order sent.
//! - **Body hash** (JSON bodies on those APIs): the URL carries `bodySHA256`, the lower-case
//!   hex SHA-256 of the raw body; the signature covers the URL alone and the body must hash
//!   to that value.
//! - **URL and body** (SignalWire RELAY / SWML JSON webhooks, `X-SignalWire-Signature`):
//!   lower-case hex HMAC-SHA1 over the URL followed by the raw body.
//!
//! Providers are inconsistent about default ports, so the URL is tried both with and without
//! `:443` / `:80` (Twilio also strips any other port, and tries a `'` in the query both as is
//! and as `%27`). Every comparison is constant-time.

use std::fmt;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use reqwest::header::HeaderMap;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

type HmacSha1 = Hmac<Sha1>;

/// The header Twilio (and SignalWire's Compatibility API) puts the signature in.
pub const TWILIO_SIGNATURE: &str = "x-twilio-signature";
/// The header SignalWire puts the signature in.
pub const SIGNALWIRE_SIGNATURE: &str = "x-signalwire-signature";
/// The header carrying Twilio's per-event idempotency token; retries of one event repeat it.
pub const IDEMPOTENCY_TOKEN: &str = "i-twilio-idempotency-token";

/// The name of the query parameter that commits a signed URL to a JSON body.
const BODY_SHA256: &str = "bodySHA256";

/// Whose signing rules a [`WebhookVerifier`] applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Provider {
    /// Twilio: `X-Twilio-Signature`, form parameters or body hash.
    Twilio,
    /// SignalWire: `X-SignalWire-Signature` (or `X-Twilio-Signature` from the Compatibility
    /// API), form parameters, body hash, or URL and body.
    SignalWire,
}

/// Which signing scheme a verified request was signed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureScheme {
    /// base64 HMAC-SHA1 over the URL and the sorted form parameters.
    FormParameters,
    /// base64 HMAC-SHA1 over a URL whose `bodySHA256` parameter matches the body.
    BodyHash,
    /// Lower-case hex HMAC-SHA1 over the URL followed by the raw body (SignalWire RELAY).
    UrlAndBody,
}

/// What verification established about an authentic request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    scheme: SignatureScheme,
    idempotency_token: Option<String>,
}

impl Verified {
    /// The scheme the signature matched.
    pub fn scheme(&self) -> SignatureScheme {
        self.scheme
    }

    /// The `I-Twilio-Idempotency-Token` header, when sent: a retry of the same event repeats
    /// it, so an app can drop events it has already handled. Headers are not signed, so use
    /// it only to drop duplicates, never to decide whether to trust a request.
    pub fn idempotency_token(&self) -> Option<&str> {
        self.idempotency_token.as_deref()
    }
}

/// Why a request's signature was not accepted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The request carries no signature header.
    #[error("the request carries no {expected} header")]
    MissingSignature {
        /// The header(s) looked for.
        expected: &'static str,
    },
    /// The signature header is there but cannot be a signature: repeated, not visible
    /// ASCII, or not an encoded HMAC-SHA1.
    #[error("the {header} header is not a signature: {reason}")]
    MalformedSignature {
        /// The header's name.
        header: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The signature does not match the URL and body with any of the keys. The usual cause
    /// besides forgery is verifying against a URL other than the one the provider called.
    #[error("the signature does not match the URL and body (is the URL the public one the provider called?)")]
    Mismatch,
    /// The signed URL is authentic but commits to a different body (`bodySHA256`).
    #[error("the body does not hash to the bodySHA256 of the signed URL")]
    BodyHashMismatch,
}

/// Why a webhook was refused: its signature, or, once authentic, its payload.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The request is not proven to come from the provider.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// The request is authentic but its body is not the expected event.
    // Boxed so that any payload decoder fits, the generated payloads' included.
    #[error("the webhook payload cannot be decoded")]
    Undecodable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// A webhook event type that can be read from a verified request's body.
///
/// Implemented by the generated webhook payloads; [`bytes::Bytes`] takes the raw body for
/// apps that decode it themselves.
// The generated payloads implement it with `WebhookDecodeError` (runtime `webhook.rs`), which
// names the field that did not decode.
pub trait WebhookPayload: Sized {
    /// Why a body is not this event.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Decodes the body; `content_type` is the request's `Content-Type`, if any (form fields
    /// or JSON).
    fn from_request(content_type: Option<&str>, body: &[u8]) -> Result<Self, Self::Error>;
}

impl WebhookPayload for bytes::Bytes {
    type Error = std::convert::Infallible;

    fn from_request(_content_type: Option<&str>, body: &[u8]) -> Result<Self, Self::Error> {
        Ok(bytes::Bytes::copy_from_slice(body))
    }
}

/// A signing key was rejected when building a [`WebhookVerifier`].
#[derive(Debug, thiserror::Error)]
#[error("the webhook signing key is empty (anyone could sign with it)")]
pub struct InvalidSigningKey;

/// A signing key, ready to MAC. `Debug` never shows it.
#[derive(Clone)]
struct SigningKey(HmacSha1);

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl SigningKey {
    fn new(key: &[u8]) -> Result<Self, InvalidSigningKey> {
        if key.is_empty() {
            return Err(InvalidSigningKey);
        }
        // HMAC accepts a key of any other length.
        HmacSha1::new_from_slice(key)
            .map(SigningKey)
            .map_err(|_| InvalidSigningKey)
    }

    /// The MAC of the concatenated parts.
    fn mac(&self, parts: &[&[u8]]) -> HmacSha1 {
        let mut mac = self.0.clone();
        for part in parts {
            mac.update(part);
        }
        mac
    }
}

/// Verifies webhook signatures with one provider's rules and one or more keys (several
/// during a key rotation). Framework-neutral: give it the public URL, the headers and the
/// raw body. `Debug` never shows the keys.
///
/// ```ignore
/// let verifier = WebhookVerifier::twilio(auth_token)?;
/// let public = PublicBase::parse("https://hooks.example.com")?;
/// let url = public.url_for(path_and_query);
/// let verified = verifier.verify(&url, &headers, &body)?;
/// ```
#[derive(Clone, Debug)]
pub struct WebhookVerifier {
    provider: Provider,
    keys: Vec<SigningKey>,
}

impl WebhookVerifier {
    /// Verifies Twilio webhooks signed with the account's auth token.
    pub fn twilio(auth_token: impl AsRef<[u8]>) -> Result<Self, InvalidSigningKey> {
        Self::new(Provider::Twilio, auth_token.as_ref())
    }

    /// Verifies SignalWire webhooks signed with the project's signing key.
    pub fn signalwire(signing_key: impl AsRef<[u8]>) -> Result<Self, InvalidSigningKey> {
        Self::new(Provider::SignalWire, signing_key.as_ref())
    }

    fn new(provider: Provider, key: &[u8]) -> Result<Self, InvalidSigningKey> {
        Ok(WebhookVerifier {
            provider,
            keys: vec![SigningKey::new(key)?],
        })
    }

    /// Also accepts signatures made with `key`, e.g. the next key while rotating.
    pub fn also_accept(mut self, key: impl AsRef<[u8]>) -> Result<Self, InvalidSigningKey> {
        self.keys.push(SigningKey::new(key.as_ref())?);
        Ok(self)
    }

    /// Whose rules this verifier applies.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// Verifies a request: `url` is the full URL the provider called (scheme, host, path and
    /// query, as configured with the provider; see [`PublicBase`]), `headers` the request's
    /// headers and `body` its raw bytes, before any parsing.
    ///
    /// `HeaderMap` is the `http` 1 type that axum, hyper, tower and reqwest share, so most
    /// servers pass theirs as is; others can fill one with the signature header.
    pub fn verify(
        &self,
        url: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Verified, SignatureError> {
        let mut first_error = None;
        for &name in self.signature_headers() {
            let result = match signature_header(headers, name) {
                Ok(None) => continue,
                Ok(Some(signature)) => {
                    self.verify_signature(url, display_name(name), signature, body)
                }
                Err(error) => Err(error),
            };
            match result {
                Ok(scheme) => {
                    return Ok(Verified {
                        scheme,
                        idempotency_token: headers
                            .get(IDEMPOTENCY_TOKEN)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned),
                    })
                }
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        Err(first_error.unwrap_or_else(|| self.missing()))
    }

    /// `MissingSignature` when `headers` has no signature header this verifier reads, so
    /// that a server can refuse an unsigned request before reading its body.
    pub fn require_signature(&self, headers: &HeaderMap) -> Result<(), SignatureError> {
        let present = self.signature_headers().iter().any(|name| {
            headers
                .get_all(*name)
                .iter()
                .any(|value| !value.as_bytes().trim_ascii().is_empty())
        });
        if present {
            Ok(())
        } else {
            Err(self.missing())
        }
    }

    fn signature_headers(&self) -> &'static [&'static str] {
        match self.provider {
            Provider::Twilio => &[TWILIO_SIGNATURE],
            Provider::SignalWire => &[SIGNALWIRE_SIGNATURE, TWILIO_SIGNATURE],
        }
    }

    fn missing(&self) -> SignatureError {
        SignatureError::MissingSignature {
            expected: match self.provider {
                Provider::Twilio => "X-Twilio-Signature",
                Provider::SignalWire => "X-SignalWire-Signature or X-Twilio-Signature",
            },
        }
    }

    /// Verifies a request as [`verify`](Self::verify) does, then decodes its body as the
    /// event `T` (by the `Content-Type` header); only an authentic body is decoded.
    pub fn verify_event<T: WebhookPayload>(
        &self,
        url: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(T, Verified), WebhookError> {
        let verified = self.verify(url, headers, body)?;
        let content_type = headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let event = T::from_request(content_type, body)
            .map_err(|error| WebhookError::Undecodable(Box::new(error)))?;
        Ok((event, verified))
    }

    /// Verifies one signature value taken from header `header`.
    fn verify_signature(
        &self,
        url: &str,
        header: &'static str,
        signature: &str,
        body: &[u8],
    ) -> Result<SignatureScheme, SignatureError> {
        let malformed = |reason| SignatureError::MalformedSignature { header, reason };
        if let Some(mac) = decode_base64_mac(signature) {
            return self.verify_base64(url, &mac, body);
        }
        if self.provider == Provider::SignalWire {
            if let Some(mac) = decode_hex::<20>(signature) {
                // SignalWire signs the URL exactly as called here, with no port variants.
                return if self.matches(&[url.as_bytes(), body], &mac) {
                    Ok(SignatureScheme::UrlAndBody)
                } else {
                    Err(SignatureError::Mismatch)
                };
            }
            return Err(malformed("neither base64 nor hex of an HMAC-SHA1"));
        }
        Err(malformed("not the base64 of an HMAC-SHA1"))
    }

    /// The two base64 schemes: body hash when the URL carries `bodySHA256`, else form
    /// parameters. A body is never accepted unsigned: without `bodySHA256` its parameters
    /// are part of the signed text.
    fn verify_base64(
        &self,
        url: &str,
        mac: &[u8],
        body: &[u8],
    ) -> Result<SignatureScheme, SignatureError> {
        let candidates = candidate_urls(self.provider, url);
        if let Some(expected) = body_sha256(url) {
            if !candidates
                .iter()
                .any(|candidate| self.matches(&[candidate.as_bytes()], mac))
            {
                return Err(SignatureError::Mismatch);
            }
            let actual = Sha256::digest(body);
            let same = expected.is_some_and(|expected| bool::from(expected.ct_eq(&actual[..])));
            return if same {
                Ok(SignatureScheme::BodyHash)
            } else {
                Err(SignatureError::BodyHashMismatch)
            };
        }
        let params = signed_parameters(self.provider, body);
        if candidates
            .iter()
            .any(|candidate| self.matches(&[candidate.as_bytes(), &params], mac))
        {
            Ok(SignatureScheme::FormParameters)
        } else {
            Err(SignatureError::Mismatch)
        }
    }

    /// Whether any key's MAC of `parts` is `mac`, compared in constant time.
    fn matches(&self, parts: &[&[u8]], mac: &[u8]) -> bool {
        // Every key is tried, so the time does not tell which one matched.
        self.keys.iter().fold(false, |found, key| {
            key.mac(parts).verify_slice(mac).is_ok() | found
        })
    }

    /// The signature the provider would send for a form or JSON `body` posted to `url`
    /// (base64; body hash when `url` carries `bodySHA256`), made with the first key. For
    /// tests and local mocks of the provider.
    pub fn sign(&self, url: &str, body: &[u8]) -> String {
        let Some(key) = self.keys.first() else {
            return String::new();
        };
        let mac = if body_sha256(url).is_some() {
            key.mac(&[url.as_bytes()])
        } else {
            key.mac(&[url.as_bytes(), &signed_parameters(self.provider, body)])
        };
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    }

    /// The hex signature SignalWire sends for a RELAY / JSON webhook (URL then raw body),
    /// made with the first key. For tests and local mocks of the provider.
    pub fn sign_url_and_body(&self, url: &str, body: &[u8]) -> String {
        let Some(key) = self.keys.first() else {
            return String::new();
        };
        let mac = key.mac(&[url.as_bytes(), body]).finalize().into_bytes();
        mac.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The value of signature header `name`: `None` when absent or empty.
fn signature_header<'h>(
    headers: &'h HeaderMap,
    name: &'static str,
) -> Result<Option<&'h str>, SignatureError> {
    let header = display_name(name);
    let mut values = headers.get_all(name).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(SignatureError::MalformedSignature {
            header,
            reason: "sent more than once",
        });
    }
    let value = value
        .to_str()
        .map_err(|_| SignatureError::MalformedSignature {
            header,
            reason: "not visible ASCII",
        })?
        .trim();
    Ok((!value.is_empty()).then_some(value))
}

/// How a signature header is named in messages.
fn display_name(name: &'static str) -> &'static str {
    match name {
        SIGNALWIRE_SIGNATURE => "X-SignalWire-Signature",
        _ => "X-Twilio-Signature",
    }
}

fn decode_base64_mac(signature: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(signature)
        .ok()
        .filter(|mac| mac.len() == 20)
}

/// `N` bytes from `2 * N` hex digits of either case.
fn decode_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let digits = text.as_bytes();
    if digits.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let high = char::from(pair[0]).to_digit(16)?;
        let low = char::from(pair[1]).to_digit(16)?;
        *byte = u8::try_from(high * 16 + low).ok()?;
    }
    Some(out)
}

/// `Some` when the URL's query has `bodySHA256`: the hash it commits to, or `None` inside
/// when that is not 64 hex digits (then no body can match).
fn body_sha256(url: &str) -> Option<Option<[u8; 32]>> {
    let query = query_of(url)?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == BODY_SHA256)
        .map(|(_, value)| decode_hex::<32>(&value))
}

fn query_of(url: &str) -> Option<&str> {
    let without_fragment = url.split('#').next().unwrap_or(url);
    without_fragment.split_once('?').map(|(_, query)| query)
}

/// The form parameters of `body` as the provider appends them to the URL: `key` + `value`
/// per pair, sorted by key; Twilio also sorts a repeated key's values and counts each
/// distinct one once, SignalWire keeps them in the order sent.
fn signed_parameters(provider: Provider, body: &[u8]) -> Vec<u8> {
    let mut pairs: Vec<_> = form_urlencoded::parse(body).collect();
    match provider {
        Provider::Twilio => {
            pairs.sort_unstable();
            pairs.dedup();
        }
        // A stable sort by key keeps each key's values in order.
        Provider::SignalWire => pairs.sort_by(|a, b| a.0.cmp(&b.0)),
    }
    let mut text = Vec::with_capacity(body.len());
    for (key, value) in &pairs {
        text.extend_from_slice(key.as_bytes());
        text.extend_from_slice(value.as_bytes());
    }
    text
}

/// A URL split where its port is: `{scheme}://{userinfo@}{host}{:port}{rest}`.
struct UrlParts<'a> {
    scheme: &'a str,
    userinfo: &'a str,
    host: &'a str,
    port: Option<&'a str>,
    rest: &'a str,
}

impl<'a> UrlParts<'a> {
    fn split(url: &'a str) -> Option<Self> {
        let (scheme, after) = url.split_once("://")?;
        let end = after.find(['/', '?', '#']).unwrap_or(after.len());
        let (authority, rest) = after.split_at(end);
        let (userinfo, host_port) = match authority.rfind('@') {
            Some(at) => authority.split_at(at + 1),
            None => ("", authority),
        };
        // An IPv6 literal has colons of its own.
        let host_end = match host_port.strip_prefix('[') {
            Some(v6) => v6.find(']')? + 2,
            None => host_port.find(':').unwrap_or(host_port.len()),
        };
        let (host, port) = host_port.split_at(host_end);
        let port = match port {
            "" => None,
            port => {
                let digits = port.strip_prefix(':')?;
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                Some(digits)
            }
        };
        if host.is_empty() {
            return None;
        }
        Some(UrlParts {
            scheme,
            userinfo,
            host,
            port,
            rest,
        })
    }

    fn default_port(&self) -> Option<&'static str> {
        if self.scheme.eq_ignore_ascii_case("https") {
            Some("443")
        } else if self.scheme.eq_ignore_ascii_case("http") {
            Some("80")
        } else {
            None
        }
    }

    fn with_port(&self, port: Option<&str>) -> String {
        let port = port.map(|p| format!(":{p}")).unwrap_or_default();
        format!(
            "{}://{}{}{}{}",
            self.scheme, self.userinfo, self.host, port, self.rest
        )
    }
}

/// The URLs the provider may have signed for a request to `url`.
fn candidate_urls(provider: Provider, url: &str) -> Vec<String> {
    let mut spellings = vec![url.to_owned()];
    if provider == Provider::Twilio {
        // Twilio signs a `'` in the query percent-encoded, but may send it either way.
        spellings.extend(respell_quotes(url, "'", "%27"));
        spellings.extend(respell_quotes(url, "%27", "'"));
    }
    let mut candidates: Vec<String> = Vec::with_capacity(2 * spellings.len());
    for spelling in &spellings {
        let Some(parts) = UrlParts::split(spelling) else {
            candidates.push(spelling.clone());
            continue;
        };
        let default = parts.default_port();
        match provider {
            // Twilio's SDKs try the URL without any port and with its port (the default
            // one added when it has none).
            Provider::Twilio => {
                candidates.push(parts.with_port(None));
                candidates.push(parts.with_port(parts.port.or(default)));
            }
            // SignalWire's tries the URL as called and toggles only the default port.
            Provider::SignalWire => {
                candidates.push(spelling.clone());
                match parts.port {
                    None => candidates.extend(default.map(|d| parts.with_port(Some(d)))),
                    Some(port) if Some(port) == default => candidates.push(parts.with_port(None)),
                    Some(_) => {}
                }
            }
        }
    }
    let mut unique = Vec::with_capacity(candidates.len());
    for candidate in candidates {
        if !unique.contains(&candidate) {
            unique.push(candidate);
        }
    }
    unique
}

/// `url` with `from` replaced by `to` in its query, if that changes anything.
fn respell_quotes(url: &str, from: &str, to: &str) -> Option<String> {
    let start = url.find('?')? + 1;
    let end = url[start..].find('#').map_or(url.len(), |i| start + i);
    let query = &url[start..end];
    let respelled = query.replace(from, to);
    (respelled != query).then(|| format!("{}{}{}", &url[..start], respelled, &url[end..]))
}

/// The public origin (and optional path prefix) the provider calls, e.g.
/// `https://hooks.example.com` while a tunnel or proxy forwards to `localhost:3000`.
///
/// The signature covers the URL exactly as the provider called it, so an app that sees a
/// different host, scheme or port (behind a proxy, load balancer or tunnel) must rebuild the
/// public URL from this base and the path and query it received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicBase {
    base: String,
}

/// A public base URL that cannot be one.
#[derive(Debug, thiserror::Error)]
#[error("the public base URL {base:?} {reason}")]
pub struct InvalidPublicBase {
    base: String,
    reason: &'static str,
}

impl PublicBase {
    /// Parses `https://host[:port][/prefix]`; a trailing `/` is dropped.
    pub fn parse(base: &str) -> Result<Self, InvalidPublicBase> {
        let invalid = |reason| InvalidPublicBase {
            base: base.to_owned(),
            reason,
        };
        let parts = UrlParts::split(base).ok_or_else(|| invalid("is not scheme://host[:port]"))?;
        if parts.default_port().is_none() {
            return Err(invalid("is neither http nor https"));
        }
        if parts.rest.contains(['?', '#']) {
            return Err(invalid("has a query or fragment"));
        }
        Ok(PublicBase {
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    /// The public URL of a request whose target (path and query, as the server received
    /// it) is `path_and_query`.
    pub fn url_for(&self, path_and_query: &str) -> String {
        if path_and_query.starts_with('/') {
            format!("{}{}", self.base, path_and_query)
        } else {
            format!("{}/{}", self.base, path_and_query)
        }
    }
}
