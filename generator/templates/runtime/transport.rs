use std::time::{Duration, Instant};

use crate::{config::{BuildError, ClientConfig}, credentials::{CredentialKind, Credentials}, error::{Failure, InvalidRequest, Refusal}, hooks::{Attempt, AttemptOutcome, Hooks, Operation}, request::{Request, Target}, response::{RawResponse, ResponseMeta}, retry::RetryPolicy};

/// The HTTP side of a generated client; cheap to clone (pages and streams keep one).
#[derive(Clone, Debug)]
pub struct Transport {
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
    /// The largest body read, in decoded bytes.
    max_response_bytes: u64,
    deadline: Option<Duration>,
    /// Each attempt's timeout when the client built `http` itself; `None` for a caller's
    /// client, whose own timeout is unknown.
    attempt_timeout: Option<Duration>,
    /// Whether `http` is the caller's, which may follow redirects.
    caller_http: bool,
}

/// How an attempt ended.
#[derive(Debug)]
pub(crate) enum Attempted {
    /// A response, its body read in full.
    Answered(RawResponse),
    /// A response the client would not take (too large, a redirect).
    Refused(Refusal),
    /// No response: connecting, sending or receiving failed, or the attempt timed out.
    Failed(reqwest::Error),
}

impl Attempted {
    /// What hooks see: the response's status and headers, or why none arrived.
    fn outcome(&self) -> Result<&ResponseMeta, &reqwest::Error> {
        match self {
            Attempted::Answered(response) => Ok(&response.meta),
            Attempted::Refused(refusal) => Ok(refusal.meta()),
            Attempted::Failed(error) => Err(error),
        }
    }

    fn into_result(self) -> Result<RawResponse, Failure> {
        match self {
            Attempted::Answered(response) => Ok(response),
            Attempted::Refused(refusal) => Err(Failure::Refused(refusal)),
            Attempted::Failed(error) => Err(Failure::Transport(error)),
        }
    }
}

impl Transport {
    /// `user_agent`: the generated client's name and version, sent unless the configuration
    /// names another agent.
    pub fn new(config: ClientConfig, user_agent: &'static str) -> Result<Self, BuildError> {
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
        let caller_http = config.http.is_some();
        let http = match config.http {
            Some(http) => http,
            None => {
                // Redirects are never followed: a 301/302 would turn a POST into a GET whose
                // answer reads like success, and a 307 would resend the body to wherever the
                // server points. A 3xx is an `Error::Redirect` instead.
                let mut builder = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .user_agent(config.user_agent.unwrap_or_else(|| user_agent.to_string()));
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
                max_response_bytes: config.max_response_bytes,
                deadline: config.deadline,
                attempt_timeout: if caller_http { None } else { config.timeout },
                caller_http,
            }),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    pub fn credentials(&self) -> &Credentials {
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

    /// The URL `request` goes to: its path under the base URL, or its link, with its query.
    pub(crate) fn url(&self, request: &Request) -> Result<reqwest::Url, InvalidRequest> {
        let mut url = match &request.target {
            Target::Path(path) => reqwest::Url::parse(&format!("{}{}", self.shared.base_url, path))
                .map_err(|e| InvalidRequest::Url(e.to_string()))?,
            Target::Url(url) => url.clone(),
        };
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(request.query.iter().map(|(k, v)| (*k, v.as_str())));
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
        let url = self.url(request).map_err(Failure::Invalid)?;
        let mut builder = self
            .shared
            .http
            .request(request.method.clone(), url)
            .header(reqwest::header::ACCEPT, "application/json");
        builder = match &self.shared.credentials.kind {
            CredentialKind::Basic { username, password, .. } => builder.basic_auth(username, Some(&password.0)),
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

    /// Sends `request`, repeating it as the retry policy and the deadline allow.
    async fn attempts(&self, operation: &Operation, request: &Request) -> Result<RawResponse, Failure> {
        let shared = &*self.shared;
        let call_started = Instant::now();
        // A deadline past what `Instant` can hold is none.
        let deadline = request.deadline.or(shared.deadline).and_then(|d| call_started.checked_add(d));
        let mut number = 1;
        loop {
            // Each attempt starts from the original request, so hooks see every attempt as
            // the first.
            let mut prepared = self.prepare(request)?;
            let attempt = Attempt { operation, number };
            for hook in &shared.hooks.0 {
                hook.on_request(&attempt, &mut prepared);
            }
            if let Some(deadline) = deadline {
                // The attempt may take what is left of the call, and no more than its own
                // timeout. reqwest reports either as a timeout.
                let left = deadline.saturating_duration_since(Instant::now());
                let timeout = prepared.timeout_mut();
                *timeout = Some(timeout.or(shared.attempt_timeout).map_or(left, |own| own.min(left)));
            }
            let started = Instant::now();
            let result = self.attempt(prepared).await;
            let retry_in = shared
                .retry
                .delay(&request.method, &result, number - 1)
                // A retry whose wait alone reaches the deadline could not finish: not started.
                .filter(|wait| {
                    deadline.is_none_or(|deadline| Instant::now().checked_add(*wait).is_some_and(|end| end < deadline))
                });
            if !shared.hooks.0.is_empty() {
                let outcome = AttemptOutcome {
                    result: result.outcome(),
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
                if let Ok(meta) = result.outcome() {
                    span.record("status", meta.status);
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
                None => return result.into_result(),
            }
        }
    }

    /// One attempt: send, then read the body up to the limit.
    async fn attempt(&self, request: reqwest::Request) -> Attempted {
        // Compared only when the caller's client may have followed a redirect.
        let requested = self.shared.caller_http.then(|| request.url().clone());
        let mut response = match self.shared.http.execute(request).await {
            Ok(response) => response,
            Err(error) => return Attempted::Failed(error),
        };
        // Taken, not cloned: the body is already set up to decode by now.
        let meta = ResponseMeta {
            status: response.status().as_u16(),
            headers: Box::new(std::mem::take(response.headers_mut())),
        };
        if response.status().is_redirection() {
            let location = meta.header(reqwest::header::LOCATION.as_str()).map(str::to_owned);
            return Attempted::Refused(Refusal::Redirect { location, meta });
        }
        if requested.is_some_and(|requested| &requested != response.url()) {
            let location = Some(response.url().to_string());
            return Attempted::Refused(Refusal::Redirect { location, meta });
        }
        match read_body(&mut response, self.shared.max_response_bytes).await {
            Ok(Some(body)) => Attempted::Answered(RawResponse {
                meta,
                body,
                limit: usize::try_from(self.shared.max_response_bytes).unwrap_or(usize::MAX),
            }),
            // Returning drops `response` unread: hyper closes the connection rather than
            // read the rest of the body.
            Ok(None) => Attempted::Refused(Refusal::TooLarge {
                limit: self.shared.max_response_bytes,
                meta,
            }),
            Err(error) => Attempted::Failed(error),
        }
    }
}

/// The decoded body, or `None` as soon as it is known to be over `limit` bytes: from its
/// `Content-Length` before reading (reqwest has none for a gzip body), else while it streams.
/// Nothing past the limit is buffered, so a body costs at most `limit` bytes here.
async fn read_body(response: &mut reqwest::Response, limit: u64) -> Result<Option<Vec<u8>>, reqwest::Error> {
    let declared = response.content_length().unwrap_or(0);
    if declared > limit {
        return Ok(None);
    }
    let mut body = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
    while let Some(chunk) = response.chunk().await? {
        // usize is at most 64 bits wide: the sum cannot wrap.
        if body.len() as u64 + chunk.len() as u64 > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}
