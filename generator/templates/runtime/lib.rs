//! The runtime of the clients telephony-codegen generates: credentials, configuration, the
//! HTTP transport with its retries and hooks, wire encodings, paging and the error types. It
//! is a crate of its own so that it is compiled once, not again with every client or every
//! change to a spec; its items are re-exported by the clients, which are what users name.
//!
//! Items marked hidden in the docs are the generated code's interface to the runtime, not
//! the user's: they may change whenever the generator does.

// Kept as the templates are written, so that the generator's output stays byte for byte
// what `--check` compares.
#![cfg_attr(rustfmt, rustfmt::skip)]

#[cfg(feature = "axum")]
#[rustfmt::skip]
mod axum;
#[rustfmt::skip]
mod call;
#[rustfmt::skip]
mod config;
#[rustfmt::skip]
mod credentials;
#[rustfmt::skip]
mod enums;
#[rustfmt::skip]
mod environment;
#[rustfmt::skip]
mod error;
#[rustfmt::skip]
mod form;
#[rustfmt::skip]
mod hooks;
#[doc(hidden)]
#[rustfmt::skip]
pub mod json;
#[cfg(feature = "mock")]
#[rustfmt::skip]
pub mod mock;
#[rustfmt::skip]
mod multipart;
#[rustfmt::skip]
mod paging;
#[rustfmt::skip]
mod path;
#[rustfmt::skip]
mod request;
#[rustfmt::skip]
mod response;
#[rustfmt::skip]
mod retry;
#[cfg(feature = "webhooks")]
#[rustfmt::skip]
mod signature;
#[rustfmt::skip]
mod timestamp;
#[rustfmt::skip]
mod transport;
#[rustfmt::skip]
mod version;
#[cfg(feature = "webhooks")]
#[rustfmt::skip]
mod webhook;
#[rustfmt::skip]
mod wire;

pub use call::Call;
pub use config::{BuildError, ClientConfig};
pub use credentials::Credentials;
pub use enums::UnknownValue;
pub use environment::{Setting, SettingsError};
pub use error::{ApiError, ApiErrorBody, Error, InvalidRequest, TransportKind};
pub use form::encode_form;
pub use hooks::{Attempt, AttemptOutcome, Hook, Operation};
pub use multipart::FilePart;
pub use paging::{Items, Listing, MappedItems, Page, PageCall};
pub use response::{Response, ResponseMeta};
pub use retry::RetryPolicy;
pub use timestamp::Timestamp;
pub use wire::WireValue;

#[doc(hidden)]
pub use environment::{process_env, EnvironmentSpec, HostTemplate, Placeholder};
#[doc(hidden)]
pub use multipart::Multipart;
#[doc(hidden)]
pub use path::PathBuilder;
#[doc(hidden)]
pub use request::Request;
#[doc(hidden)]
pub use response::RawResponse;
#[doc(hidden)]
pub use transport::Transport;
#[doc(hidden)]
pub use version::VERSION;
#[cfg(any(feature = "webhooks", feature = "mock"))]
#[doc(hidden)]
pub use form::{FormFields, FormValue};
#[cfg(feature = "webhooks")]
#[doc(hidden)]
pub use webhook::decode_webhook;

/// Webhooks: is a request really from Twilio or SignalWire? [`WebhookVerifier`] checks a
/// request's signature, framework-neutral, against the public URL the provider called
/// ([`PublicBase`]); with the `axum` feature, `VerifiedWebhook` is an extractor that
/// verifies and decodes.
///
/// [`WebhookVerifier`]: webhooks::WebhookVerifier
/// [`PublicBase`]: webhooks::PublicBase
#[cfg(feature = "webhooks")]
pub mod webhooks {
    pub use crate::signature::{
        InvalidPublicBase, InvalidSigningKey, Provider, PublicBase, SignatureError,
        SignatureScheme, Verified, WebhookError, WebhookPayload, WebhookVerifier,
    };
    pub use crate::signature::{IDEMPOTENCY_TOKEN, SIGNALWIRE_SIGNATURE, TWILIO_SIGNATURE};
    // Decoding the generated payloads (`{module}::webhooks` of a client).
    pub use crate::form::FormError;
    pub use crate::webhook::WebhookDecodeError;

    #[cfg(feature = "axum")]
    pub use crate::axum::{VerifiedWebhook, WebhookConfig, WebhookRejection};
}

/// The HTTP client the runtime is built on, for hooks (`reqwest::Request`) and
/// [`ClientConfig::http_client`].
pub use reqwest;
/// Dates and instants, for parameters of `format: date` (`time::Date`) and `date-time`
/// (`time::OffsetDateTime`).
pub use time;

/// Whether `version` is this runtime's [`VERSION`]. A `const fn`, so that a client asserts at
/// compile time that it was generated together with its runtime.
#[doc(hidden)]
pub const fn same_version(version: &str) -> bool {
    let (a, b) = (version.as_bytes(), VERSION.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}
