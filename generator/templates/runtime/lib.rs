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

#[rustfmt::skip]
mod call;
#[rustfmt::skip]
mod config;
#[rustfmt::skip]
mod credentials;
#[rustfmt::skip]
mod enums;
#[rustfmt::skip]
mod error;
#[rustfmt::skip]
mod form;
#[rustfmt::skip]
mod hooks;
#[doc(hidden)]
#[rustfmt::skip]
pub mod json;
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
#[rustfmt::skip]
mod timestamp;
#[rustfmt::skip]
mod transport;
#[rustfmt::skip]
mod version;
#[rustfmt::skip]
mod wire;

pub use call::Call;
pub use config::{BuildError, ClientConfig};
pub use credentials::Credentials;
pub use enums::UnknownValue;
pub use error::{ApiError, ApiErrorBody, Error, InvalidRequest};
pub use form::encode_form;
pub use hooks::{Attempt, AttemptOutcome, Hook, Operation};
pub use multipart::FilePart;
pub use paging::{Items, Listing, Page, PageCall};
pub use response::{Response, ResponseMeta};
pub use retry::RetryPolicy;
pub use timestamp::Timestamp;
pub use wire::WireValue;

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

/// The HTTP client the runtime is built on, for hooks (`reqwest::Request`) and
/// [`ClientConfig::http_client`].
pub use reqwest;

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
