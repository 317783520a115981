use crate::{config::{BuildError, ClientConfig}, credentials::{CredentialKind, Credentials}, error::{Failure, InvalidRequest}, hooks::{Attempt, AttemptOutcome, Hooks, Operation}, request::{Request, Target}, response::{RawResponse, ResponseMeta}, retry::RetryPolicy};

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
}

/// An attempt's outcome before it becomes a call's result.
pub(crate) type AttemptResult = Result<RawResponse, reqwest::Error>;

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
        let http = match config.http {
            Some(http) => http,
            None => {
                let mut builder = reqwest::Client::builder()
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
