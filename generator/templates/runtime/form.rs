//! Form bodies (`application/x-www-form-urlencoded`): the encoder of the bodies the client
//! sends, and (with the `webhooks` or `mock` feature) the one decoder of the form bodies it
//! receives: webhook payloads, and what a mock server was sent.

/// `application/x-www-form-urlencoded` as WHATWG defines it: UTF-8, spaces as `+`,
/// everything but `*-._` and ASCII alphanumerics percent-encoded.
pub fn encode_form(pairs: &[(&str, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
        .finish()
}

// Reading form bodies: every value is text; each field's type reads its own (`Muted=false`
// is a `bool`, `SequenceNumber=3` an integer), a key's last value wins, a repeated key fills
// a list, and unknown keys are ignored. An error names the field.
#[cfg(feature = "webhooks")]
pub use decode::FormError;
#[cfg(any(feature = "webhooks", feature = "mock"))]
pub use decode::{FormFields, FormValue};

#[cfg(any(feature = "webhooks", feature = "mock"))]
mod decode {
    use std::fmt;

    /// Why a form body did not decode: the field, and what was wrong with its value.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct FormError {
        field: String,
        message: String,
    }

    impl FormError {
        fn new(field: &str, message: String) -> Self {
            FormError {
                field: field.to_string(),
                message,
            }
        }

        /// The form field (its wire name, `Muted`).
        pub fn field(&self) -> &str {
            &self.field
        }

        /// What was wrong with it.
        pub fn message(&self) -> &str {
            &self.message
        }
    }

    impl fmt::Display for FormError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "form field `{}`: {}", self.field, self.message)
        }
    }

    impl std::error::Error for FormError {}

    /// A value read from one form field's text.
    pub trait FormValue: Sized {
        /// Whether an empty value (`Label=`) is a value. For every type but text it means
        /// "not given": an optional field is `None`, a required one an error.
        const EMPTY_IS_VALUE: bool = false;

        /// The value, or what was expected instead (for the error message).
        fn from_form_text(text: String) -> Result<Self, &'static str>;
    }

    impl FormValue for String {
        const EMPTY_IS_VALUE: bool = true;

        fn from_form_text(text: String) -> Result<Self, &'static str> {
            Ok(text)
        }
    }

    impl FormValue for bool {
        fn from_form_text(text: String) -> Result<Self, &'static str> {
            // Providers write `true`/`false`; some SDKs and proxies capitalize them.
            match text.trim() {
                t if t.eq_ignore_ascii_case("true") => Ok(true),
                t if t.eq_ignore_ascii_case("false") => Ok(false),
                _ => Err("`true` or `false`"),
            }
        }
    }

    macro_rules! form_number {
        ($($t:ty => $expected:literal),*) => {$(
            impl FormValue for $t {
                fn from_form_text(text: String) -> Result<Self, &'static str> {
                    text.trim().parse().map_err(|_| $expected)
                }
            }
        )*};
    }
    form_number!(i32 => "an integer", i64 => "an integer", f64 => "a number");

    impl FormValue for crate::Timestamp {
        fn from_form_text(text: String) -> Result<Self, &'static str> {
            Ok(crate::Timestamp(text))
        }
    }

    /// The fields of a form body, taken out one by one by a generated `from_form`.
    pub struct FormFields {
        pairs: Vec<(String, String)>,
        error: Option<FormError>,
    }

    impl FormFields {
        /// The fields of a body; bytes that are not UTF-8 are replaced, never an error.
        pub fn parse(body: &[u8]) -> Self {
            FormFields {
                pairs: form_urlencoded::parse(body).into_owned().collect(),
                error: None,
            }
        }

        /// The field's last value, unless the key is missing (or, for other than text,
        /// empty).
        fn last<T: FormValue>(&self, key: &str) -> Option<&str> {
            let (_, value) = self.pairs.iter().rev().find(|(k, _)| k == key)?;
            (T::EMPTY_IS_VALUE || !value.is_empty()).then_some(value.as_str())
        }

        fn read<T: FormValue>(key: &str, text: &str) -> Result<T, FormError> {
            T::from_form_text(text.to_string()).map_err(|expected| {
                FormError::new(key, format!("invalid value `{text}`, expected {expected}"))
            })
        }

        /// Keeps the first failure for [`FormFields::finish`], so that a generated struct
        /// literal needs no `?` per optional field.
        fn kept<T>(&mut self, result: Result<T, FormError>) -> Option<T> {
            match result {
                Ok(value) => Some(value),
                Err(e) => {
                    self.error.get_or_insert(e);
                    None
                }
            }
        }

        /// An optional field.
        pub fn optional<T: FormValue>(&mut self, key: &str) -> Option<T> {
            let result = Self::read(key, self.last::<T>(key)?);
            self.kept(result)
        }

        /// A field every payload has.
        pub fn required<T: FormValue>(&mut self, key: &str) -> Result<T, FormError> {
            match self.last::<T>(key) {
                Some(text) => Self::read(key, text),
                None => Err(FormError::new(key, "missing".to_string())),
            }
        }

        /// Every value of a repeated key, in order; `Ok(None)` when the key is missing.
        fn all<T: FormValue>(&self, key: &str) -> Result<Option<Vec<T>>, FormError> {
            let mut values = Vec::new();
            for (_, text) in self.pairs.iter().filter(|(k, _)| k == key) {
                values.push(Self::read(key, text)?);
            }
            Ok((!values.is_empty()).then_some(values))
        }

        /// An optional list: one value per occurrence of the key.
        pub fn optional_list<T: FormValue>(&mut self, key: &str) -> Option<Vec<T>> {
            let result = self.all(key);
            self.kept(result).flatten()
        }

        /// A list every payload has.
        pub fn required_list<T: FormValue>(&mut self, key: &str) -> Result<Vec<T>, FormError> {
            self.all(key)?
                .ok_or_else(|| FormError::new(key, "missing".to_string()))
        }

        /// A field whose value is JSON text (an object or a list in a form field); text that
        /// is not JSON is read as a JSON string.
        fn json<T: crate::json::FromJson>(key: &str, text: &str) -> Result<T, FormError> {
            let value = serde_json::from_str(text)
                .unwrap_or_else(|_| serde_json::Value::String(text.to_string()));
            T::from_json(value).map_err(|e| {
                let message = match e.path() {
                    "" => e.message().to_string(),
                    path => format!("{} at `{path}`", e.message()),
                };
                FormError::new(key, message)
            })
        }

        /// An optional field holding JSON text.
        pub fn optional_json<T: crate::json::FromJson>(&mut self, key: &str) -> Option<T> {
            let result = Self::json(key, self.last::<serde_json::Value>(key)?);
            self.kept(result)
        }

        /// A field holding JSON text that every payload has.
        pub fn required_json<T: crate::json::FromJson>(&mut self, key: &str) -> Result<T, FormError> {
            match self.last::<serde_json::Value>(key) {
                Some(text) => Self::json(key, text),
                None => Err(FormError::new(key, "missing".to_string())),
            }
        }

        /// The first optional field that failed to decode, if any.
        pub fn finish(self) -> Result<(), FormError> {
            match self.error {
                Some(e) => Err(e),
                None => Ok(()),
            }
        }
    }

    /// JSON text in a form field: its own [`FormFields::optional_json`] reads it; this impl
    /// only lets "empty means absent" apply to it.
    impl FormValue for serde_json::Value {
        fn from_form_text(text: String) -> Result<Self, &'static str> {
            Ok(serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
        }
    }
}
