//! Decoding generated types from JSON. A body is parsed once into a [`serde_json::Value`] and
//! each type takes its part of that tree in one plain function ([`json::FromJson`]). serde's
//! derive would instead be generic over the deserializer, so every type would instantiate
//! serde_json's parser again, which is most of what a large client costs to compile. Unknown
//! keys are skipped, `null` or missing optional fields are `None`, numbers also decode from
//! strings (Twilio declares `price` as `type: number` and sends `"-0.0025"`), and an error
//! names where in the body it happened.
use serde::de::Unexpected;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Why a JSON value did not decode, and where in the body (`.calls[2].status`).
#[derive(Debug)]
pub struct DecodeError {
    message: String,
    path: String,
}

impl DecodeError {
    fn new(message: String) -> Self {
        DecodeError { message, path: String::new() }
    }

    fn invalid_type(value: &Value, expected: &str) -> Self {
        Self::new(format!("invalid type: {}, expected {expected}", unexpected(value)))
    }

    fn missing(key: &str) -> Self {
        Self::new(format!("missing field `{key}`"))
    }

    fn at_key(mut self, key: &str) -> Self {
        self.path.insert_str(0, &format!(".{key}"));
        self
    }

    fn at_index(mut self, index: usize) -> Self {
        self.path.insert_str(0, &format!("[{index}]"));
        self
    }
}

impl From<DecodeError> for serde_json::Error {
    fn from(e: DecodeError) -> Self {
        let message = if e.path.is_empty() {
            e.message
        } else {
            format!("{} at `{}`", e.message, e.path)
        };
        <serde_json::Error as serde::de::Error>::custom(message)
    }
}

fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Other("null"),
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Unexpected::Unsigned(u),
            (_, Some(i), _) => Unexpected::Signed(i),
            (_, _, Some(f)) => Unexpected::Float(f),
            _ => Unexpected::Other("number"),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

/// A type decoded from its part of a parsed body.
pub trait FromJson: Sized {
    fn from_json(value: Value) -> Result<Self, DecodeError>;
}

/// `T` from a whole body.
pub fn from_slice<T: FromJson>(body: &[u8]) -> Result<T, serde_json::Error> {
    T::from_json(parse(body)?).map_err(serde_json::Error::from)
}

/// `T` through serde: the input becomes a [`Value`] first. Generated `Deserialize` impls
/// call this, so each is one line for the compiler to check.
pub fn deserialize<'de, T: FromJson, D: serde::Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    let value = <Value as serde::Deserialize>::deserialize(deserializer)?;
    match T::from_json(value) {
        Ok(value) => Ok(value),
        Err(e) => Err(<D::Error as serde::de::Error>::custom(serde_json::Error::from(e))),
    }
}

pub(super) fn parse(body: &[u8]) -> Result<Value, serde_json::Error> {
    serde_json::from_slice(body)
}

/// The fields of a JSON object, taken out one by one by a generated struct's `from_json`.
pub struct Fields {
    map: Map<String, Value>,
    error: Option<DecodeError>,
}

impl Fields {
    /// The object's fields; anything but an object is an error naming what was expected.
    pub fn new(value: Value, expecting: &str) -> Result<Self, DecodeError> {
        match value {
            Value::Object(map) => Ok(Fields { map, error: None }),
            other => Err(DecodeError::invalid_type(&other, expecting)),
        }
    }

    /// An optional field: missing or `null` is `None`. A value that does not decode is
    /// kept for [`Fields::finish`], so that the struct literal needs no `?` per field.
    pub fn optional<T: FromJson>(&mut self, key: &str) -> Option<T> {
        // Plain matches and non-generic helpers: this is instantiated for every field type.
        match T::from_json(self.present(key)?) {
            Ok(value) => Some(value),
            Err(e) => {
                self.fail(key, e);
                None
            }
        }
    }

    /// The field's value, unless it is missing or `null`.
    fn present(&mut self, key: &str) -> Option<Value> {
        match self.take(key) {
            None | Some(Value::Null) => None,
            value => value,
        }
    }

    /// The field's value, left as `null` in the map: taking it out of the map would
    /// compile the map's rebalancing code into every generated crate.
    fn take(&mut self, key: &str) -> Option<Value> {
        self.map.get_mut(key).map(Value::take)
    }

    fn fail(&mut self, key: &str, e: DecodeError) {
        self.error.get_or_insert(e.at_key(key));
    }

    /// A required field.
    pub fn required<T: FromJson>(&mut self, key: &str) -> Result<T, DecodeError> {
        match self.take(key) {
            None => Err(DecodeError::missing(key)),
            Some(value) => T::from_json(value).map_err(|e| e.at_key(key)),
        }
    }

    /// The first optional field that failed to decode, if any.
    pub fn finish(self) -> Result<(), DecodeError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// A struct being written as a JSON object, field by field, in order. The first error
/// is kept for [`Entries::end`], so that generated code needs no `?` per field.
pub struct Entries<M: serde::ser::SerializeMap> {
    map: M,
    error: Option<M::Error>,
}

impl<M: serde::ser::SerializeMap> Entries<M> {
    pub fn new<S: serde::Serializer<SerializeMap = M>>(serializer: S) -> Result<Self, S::Error> {
        Ok(Entries {
            map: serializer.serialize_map(None)?,
            error: None,
        })
    }

    /// An optional field: left out when not set.
    pub fn optional<T: serde::Serialize>(&mut self, key: &'static str, value: &Option<T>) {
        if let Some(value) = value {
            self.required(key, value);
        }
    }

    /// A required field: always written.
    pub fn required<T: serde::Serialize>(&mut self, key: &'static str, value: &T) {
        if self.error.is_none() {
            self.error = self.map.serialize_entry(key, value).err();
        }
    }

    pub fn end(self) -> Result<M::Ok, M::Error> {
        match self.error {
            Some(e) => Err(e),
            None => self.map.end(),
        }
    }
}

impl FromJson for String {
    fn from_json(value: Value) -> Result<Self, DecodeError> {
        match value {
            Value::String(s) => Ok(s),
            other => Err(DecodeError::invalid_type(&other, "a string")),
        }
    }
}

impl FromJson for bool {
    fn from_json(value: Value) -> Result<Self, DecodeError> {
        match value {
            Value::Bool(b) => Ok(b),
            other => Err(DecodeError::invalid_type(&other, "a boolean")),
        }
    }
}

impl FromJson for Value {
    fn from_json(value: Value) -> Result<Self, DecodeError> {
        Ok(value)
    }
}

impl FromJson for crate::Timestamp {
    fn from_json(value: Value) -> Result<Self, DecodeError> {
        String::from_json(value).map(crate::Timestamp)
    }
}

/// A number type that can come from any JSON number or from its text.
trait Number: std::str::FromStr {
    fn from_number(n: &serde_json::Number) -> Option<Self>;
}

impl Number for f64 {
    fn from_number(n: &serde_json::Number) -> Option<Self> {
        n.as_f64()
    }
}

macro_rules! integer {
    ($($t:ty),*) => {$(
        impl Number for $t {
            fn from_number(n: &serde_json::Number) -> Option<Self> {
                match (n.as_i64(), n.as_u64(), n.as_f64()) {
                    (Some(i), _, _) => <$t>::try_from(i).ok(),
                    (_, Some(u), _) => <$t>::try_from(u).ok(),
                    (_, _, Some(f)) => (f.fract() == 0.0 && f >= <$t>::MIN as f64 && f <= <$t>::MAX as f64)
                        .then_some(f as $t),
                    _ => None,
                }
            }
        }
    )*};
}
integer!(u8, i32, i64);

fn number<T: Number>(value: Value) -> Result<T, DecodeError> {
    const EXPECTED: &str = "a number, or a string holding one";
    let parsed = match &value {
        Value::Number(n) => T::from_number(n),
        Value::String(s) => s.trim().parse().ok(),
        _ => return Err(DecodeError::invalid_type(&value, EXPECTED)),
    };
    parsed.ok_or_else(|| DecodeError::new(format!("invalid value: {}, expected {EXPECTED}", unexpected(&value))))
}

macro_rules! from_json_number {
    ($($t:ty),*) => {$(
        impl FromJson for $t {
            fn from_json(value: Value) -> Result<Self, DecodeError> {
                number(value)
            }
        }
    )*};
}
from_json_number!(u8, i32, i64, f64);

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: Value) -> Result<Self, DecodeError> {
        match value {
            Value::Null => Ok(None),
            value => T::from_json(value).map(Some),
        }
    }
}

impl<T: FromJson> FromJson for Box<T> {
    fn from_json(value: Value) -> Result<Self, DecodeError> {
        T::from_json(value).map(Box::new)
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: Value) -> Result<Self, DecodeError> {
        match value {
            Value::Array(items) => {
                // A loop, not `collect`: collecting into a `Result` instantiates a stack of
                // iterator adapters for every element type.
                let mut decoded = Vec::with_capacity(items.len());
                for item in items {
                    match T::from_json(item) {
                        Ok(item) => decoded.push(item),
                        Err(e) => return Err(e.at_index(decoded.len())),
                    }
                }
                Ok(decoded)
            }
            other => Err(DecodeError::invalid_type(&other, "a sequence")),
        }
    }
}

impl<T: FromJson> FromJson for BTreeMap<String, T> {
    fn from_json(value: Value) -> Result<Self, DecodeError> {
        match value {
            Value::Object(map) => {
                let mut decoded = BTreeMap::new();
                for (key, item) in map {
                    match T::from_json(item) {
                        Ok(item) => {
                            decoded.insert(key, item);
                        }
                        Err(e) => return Err(e.at_key(&key)),
                    }
                }
                Ok(decoded)
            }
            other => Err(DecodeError::invalid_type(&other, "a map")),
        }
    }
}

/// `Deserialize` for a generated type through its [`json::FromJson`] impl: the input becomes
/// a [`serde_json::Value`] first, so this impl is the same few lines for every type.
#[doc(hidden)]
#[macro_export]
macro_rules! impl_deserialize_json {
    ($name:ident) => {
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                $crate::json::deserialize(deserializer)
            }
        }
    };
}
