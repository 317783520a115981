//! An axum extractor for verified webhooks: [`VerifiedWebhook<T>`] reads the body up to a
//! limit, verifies the signature against the public URL and decodes the event `T`.
//!
//! ```ignore
//! #[derive(Clone)]
//! struct App { webhooks: WebhookConfig }
//! impl FromRef<App> for WebhookConfig {
//!     fn from_ref(app: &App) -> Self { app.webhooks.clone() }
//! }
//!
//! async fn conference(VerifiedWebhook { event, .. }: VerifiedWebhook<ConferenceEvent>) { /* … */ }
//! ```
//!
//! A request whose signature does not verify gets `403 Forbidden` with an empty body (no hint
//! for whoever forged it) and the handler does not run; a body over the limit gets
//! `413 Payload Too Large`; an authentic body that is not the event gets `400 Bad Request`.

use std::sync::Arc;

use ::axum::extract::{FromRef, FromRequest, OriginalUri, Request};
use ::axum::http::StatusCode;
use ::axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt as _, LengthLimitError, Limited};

use crate::signature::{
    PublicBase, SignatureError, Verified, WebhookError, WebhookPayload, WebhookVerifier,
};

/// How webhooks are checked: the verifier, the public base URL the provider calls and the
/// largest body read. Cheap to clone; provide it from the router's state with [`FromRef`].
#[derive(Clone, Debug)]
pub struct WebhookConfig {
    inner: Arc<ConfigInner>,
}

#[derive(Clone, Debug)]
struct ConfigInner {
    verifier: WebhookVerifier,
    public_base: PublicBase,
    body_limit: usize,
}

impl WebhookConfig {
    /// The default body limit: 64 KiB, far above any conference or call event.
    pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

    /// Verifies with `verifier` against URLs on `public_base` (the origin the provider
    /// calls, which is not the address a proxy or tunnel forwards to).
    pub fn new(verifier: WebhookVerifier, public_base: PublicBase) -> Self {
        WebhookConfig {
            inner: Arc::new(ConfigInner {
                verifier,
                public_base,
                body_limit: Self::DEFAULT_BODY_LIMIT,
            }),
        }
    }

    /// Reads at most `bytes` of a body; a longer one is refused with 413.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        Arc::make_mut(&mut self.inner).body_limit = bytes;
        self
    }

    /// The verifier.
    pub fn verifier(&self) -> &WebhookVerifier {
        &self.inner.verifier
    }

    /// The public base URL.
    pub fn public_base(&self) -> &PublicBase {
        &self.inner.public_base
    }
}

/// A webhook whose signature verified, with its decoded event.
#[derive(Debug)]
#[non_exhaustive]
pub struct VerifiedWebhook<T> {
    /// The decoded event.
    pub event: T,
    /// What verification established, e.g. the idempotency token.
    pub verified: Verified,
}

/// Why [`VerifiedWebhook`] refused a request. As a response it is a status with an empty
/// body; take `Result<VerifiedWebhook<T>, WebhookRejection>` in a handler to log it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookRejection {
    /// The body is longer than the configured limit (413).
    #[error("the webhook body is over the {limit}-byte limit")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body could not be read (400).
    #[error("the webhook body could not be read")]
    Unreadable(#[source] ::axum::Error),
    /// The signature did not verify (403).
    #[error(transparent)]
    Forbidden(SignatureError),
    /// The request is authentic but its body is not the event (400).
    #[error(transparent)]
    Undecodable(WebhookError),
}

impl WebhookRejection {
    /// The status the request is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            WebhookRejection::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            WebhookRejection::Unreadable(_) | WebhookRejection::Undecodable(_) => {
                StatusCode::BAD_REQUEST
            }
            WebhookRejection::Forbidden(_) => StatusCode::FORBIDDEN,
        }
    }
}

impl IntoResponse for WebhookRejection {
    fn into_response(self) -> Response {
        // No detail in the body: it would only help whoever sent a forged request.
        self.status().into_response()
    }
}

impl<S, T> FromRequest<S> for VerifiedWebhook<T>
where
    S: Send + Sync,
    WebhookConfig: FromRef<S>,
    T: WebhookPayload,
{
    type Rejection = WebhookRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let config = WebhookConfig::from_ref(state);
        let limit = config.inner.body_limit;
        let (parts, body) = request.into_parts();
        // An unsigned request is refused before its body is read.
        config
            .inner
            .verifier
            .require_signature(&parts.headers)
            .map_err(WebhookRejection::Forbidden)?;
        // A declared length over the limit is refused before reading anything.
        let declared = parts
            .headers
            .get(::axum::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|length| length > limit as u64) {
            return Err(WebhookRejection::TooLarge { limit });
        }
        let body = match Limited::new(body, limit).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => {
                return Err(WebhookRejection::TooLarge { limit })
            }
            Err(error) => return Err(WebhookRejection::Unreadable(::axum::Error::new(error))),
        };
        // Inside a nested router `parts.uri` lacks the nest's prefix; the provider called
        // the full path.
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map_or(&parts.uri, |original| &original.0);
        let path_and_query = uri.path_and_query().map_or("/", |p| p.as_str());
        let url = config.inner.public_base.url_for(path_and_query);
        match config
            .inner
            .verifier
            .verify_event::<T>(&url, &parts.headers, &body)
        {
            Ok((event, verified)) => Ok(VerifiedWebhook { event, verified }),
            Err(WebhookError::Signature(error)) => Err(WebhookRejection::Forbidden(error)),
            Err(error) => Err(WebhookRejection::Undecodable(error)),
        }
    }
}
