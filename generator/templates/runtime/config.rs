use std::time::Duration;

use crate::{credentials::Credentials, hooks::{Hook, Hooks}, retry::RetryPolicy};

/// How a client connects: base URL, credentials, timeouts, user agent, retries and hooks.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    pub(crate) base_url: String,
    pub(crate) credentials: Credentials,
    pub(crate) timeout: Option<Duration>,
    pub(crate) connect_timeout: Option<Duration>,
    /// `None`: the client's own name and version (`telephony-client/0.1.0`).
    pub(crate) user_agent: Option<String>,
    pub(crate) http: Option<reqwest::Client>,
    pub(crate) retry: RetryPolicy,
    pub(crate) hooks: Hooks,
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
            user_agent: None,
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
        self.user_agent = Some(user_agent.into());
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
