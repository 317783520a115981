use std::fmt;

/// A value a generated enum does not know, kept exactly as received. Only the enum's
/// `From`/`FromStr` make one, and only for text that is none of its known values, so an
/// `Unknown` never stands for a known value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// Used by generated `From<String>` impls after every known value failed to match.
    pub fn new(value: String) -> Self {
        UnknownValue(value)
    }

    /// The value as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Serde, `Display`, `FromStr` and wire support for a generated enum that keeps unknown
/// values; the enum provides `as_str` and `From<String>`.
#[doc(hidden)]
#[macro_export]
macro_rules! impl_open_enum {
    ($name:ident) => {
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            /// Never fails: a value the spec does not list becomes `Unknown`.
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }
        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::from(value.to_string())
            }
        }
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        // Evaluated in the client: its `serde` feature, for users; the client decodes with
        // `FromJson` below.
        #[cfg(feature = "serde")]
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                <::std::string::String as ::serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }
        impl $crate::json::FromJson for $name {
            fn from_json(value: ::serde_json::Value) -> ::std::result::Result<Self, $crate::json::DecodeError> {
                // A match, not `map`: `Result::map` would be one more function for every enum.
                match <::std::string::String as $crate::json::FromJson>::from_json(value) {
                    Ok(value) => Ok(Self::from(value)),
                    Err(e) => Err(e),
                }
            }
        }
        // Evaluated in the client: its `mock` feature decodes request bodies with it too.
        #[cfg(any(feature = "webhooks", feature = "mock"))]
        impl $crate::FormValue for $name {
            fn from_form_text(value: ::std::string::String) -> ::std::result::Result<Self, &'static str> {
                Ok(Self::from(value))
            }
        }
        impl $crate::WireValue for $name {
            fn push_to(&self, key: &'static str, out: &mut ::std::vec::Vec<(&'static str, ::std::string::String)>) {
                out.push((key, self.as_str().to_string()));
            }
        }
    };
}
