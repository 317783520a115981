//! Decoding the requests a provider sends to your server (webhooks and callbacks) into their
//! generated payload types, by the request's `Content-Type`. The payloads implement
//! [`WebhookPayload`](crate::webhooks::WebhookPayload) with [`WebhookDecodeError`].

use crate::form::{FormError, FormFields};
use crate::json::FromJson;

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
pub fn decode_webhook<T: FromJson>(
    content_type: Option<&str>,
    body: &[u8],
    from_form: fn(FormFields) -> Result<T, FormError>,
) -> Result<T, WebhookDecodeError> {
    match encoding(content_type, body)? {
        Encoding::Form => Ok(from_form(FormFields::parse(body))?),
        Encoding::Json => {
            let value = crate::json::parse(body, crate::json::DEFAULT_TREE_BUDGET).map_err(|e| WebhookDecodeError::Json {
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
