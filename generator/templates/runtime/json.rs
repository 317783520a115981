//! Decoding generated types from JSON. A body is parsed once into a [`serde_json::Value`] and
//! each type takes its part of that tree in one plain function ([`FromJson`]). serde's
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

    /// What did not fit, without where.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where in the body (`.calls[2].status`); empty for the value as a whole.
    pub fn path(&self) -> &str {
        &self.path
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

/// `T` from a whole body, its tree bounded by the default body limit.
pub fn from_slice<T: FromJson>(body: &[u8]) -> Result<T, serde_json::Error> {
    T::from_json(parse(body, DEFAULT_TREE_BUDGET)?).map_err(serde_json::Error::from)
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

/// The tree budget where no client's limit applies (webhook bodies, [`from_slice`]): the
/// default body limit.
pub(crate) const DEFAULT_TREE_BUDGET: usize = crate::ClientConfig::DEFAULT_MAX_RESPONSE_BYTES as usize;

/// `body` as a tree that may take at most `budget` bytes of memory (estimated): a body
/// within the size limit can still be a tree many times its size (`[0,0,0,…]` costs ~20
/// bytes per 2 bytes of text), so the tree is bounded too; past the budget, parsing stops
/// with an error that says so.
pub(super) fn parse(body: &[u8], budget: usize) -> Result<Value, serde_json::Error> {
    let left = std::cell::Cell::new(budget);
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde::de::DeserializeSeed::deserialize(Budgeted { left: &left, budget }, &mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// A [`Value`] built while `left` bytes of the `budget` remain (see [`parse`]).
#[derive(Clone, Copy)]
pub(crate) struct Budgeted<'a> {
    pub(crate) left: &'a std::cell::Cell<usize>,
    pub(crate) budget: usize,
}

impl Budgeted<'_> {
    /// What a value costs besides its text: the `Value` itself, an object entry's slot.
    const VALUE: usize = std::mem::size_of::<Value>();
    const ENTRY: usize = 2 * std::mem::size_of::<Value>();

    fn charge<E: serde::de::Error>(self, bytes: usize) -> Result<(), E> {
        match self.left.get().checked_sub(bytes) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => Err(E::custom(format_args!(
                "the JSON would take more than {} bytes of memory to decode (the body limit, ClientConfig::max_response_bytes)",
                self.budget
            ))),
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Budgeted<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Budgeted<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        self.charge(Self::VALUE)?;
        Ok(Value::Null)
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Value, E> {
        self.charge(Self::VALUE)?;
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        self.charge(Self::VALUE)?;
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        self.charge(Self::VALUE)?;
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        self.charge(Self::VALUE)?;
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        self.charge(Self::VALUE + v.len())?;
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Value, E> {
        self.charge(Self::VALUE + v.len())?;
        Ok(Value::String(v))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.charge(Self::VALUE)?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.charge(Self::VALUE)?;
        let mut fields = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            self.charge(Self::ENTRY + key.len())?;
            let value = map.next_value_seed(self)?;
            fields.insert(key, value);
        }
        Ok(Value::Object(fields))
    }
}

/// Where the elements of an array go as they are decoded: as the body is parsed
/// ([`parse_streaming`]), or from a tree ([`decode_array`]).
pub(crate) trait Elements {
    /// Decodes and keeps one element.
    fn push_json(&mut self, element: Value) -> Result<(), DecodeError>;
}

impl<T: FromJson> Elements for Vec<T> {
    fn push_json(&mut self, element: Value) -> Result<(), DecodeError> {
        // A match, not `?`: this is instantiated for every element type.
        match T::from_json(element) {
            Ok(item) => {
                self.push(item);
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}

/// What became of the streamed array field of a body ([`parse_streaming`]).
pub(crate) enum Streamed {
    /// The field is in the tree as sent: missing, not an array, or repeated (only its
    /// first value streams; a tree keeps the last). Any streamed elements are to be ignored.
    Whole,
    /// Every element decoded into the [`Elements`]; the tree holds `[]` in its place.
    Decoded,
    /// An element did not decode (the error names it, `.participants[3].muted`); the tree
    /// holds `false` in its place, which no array field accepts, so that decoding the tree
    /// fails on this field exactly where the whole array would have.
    Failed(DecodeError),
}

impl Streamed {
    /// Once the tree decoded: whether the streamed elements are the field's value, or the
    /// element's error.
    pub(crate) fn decoded(self) -> Result<bool, serde_json::Error> {
        match self {
            Streamed::Whole => Ok(false),
            Streamed::Decoded => Ok(true),
            Streamed::Failed(element) => Err(element.into()),
        }
    }

    /// The error of the whole body, given the tree's. Decoding the tree stopped at the field
    /// where decoding the whole body would have: when that is the streamed one (`key`), the
    /// error is its element's.
    pub(crate) fn error(self, tree: DecodeError, key: &str) -> serde_json::Error {
        match self {
            Streamed::Failed(element) if tree.path.strip_prefix('.') == Some(key) => element.into(),
            _ => tree.into(),
        }
    }
}

/// A body parsed into a tree, except for the array field `key` of its top-level object,
/// whose elements are decoded into `elements` one by one as they are parsed: a large list
/// page never exists whole as a tree (a tree costs several times its text). Syntax errors
/// are the same as [`parse`]'s, wherever they are: after an element fails to decode, the
/// rest of the array is still parsed (and dropped). A body that is not an object is parsed
/// as a whole. The tree of the other fields, and each element's while it is decoded, may
/// take `budget` bytes each (see [`parse`]).
pub(crate) fn parse_streaming(body: &[u8], key: &str, elements: &mut dyn Elements, budget: usize) -> Result<(Value, Streamed), serde_json::Error> {
    let first = body.iter().find(|b| !matches!(b, b' ' | b'\n' | b'\t' | b'\r'));
    if first != Some(&b'{') {
        return Ok((parse(body, budget)?, Streamed::Whole));
    }
    let left = std::cell::Cell::new(budget);
    let tree = Budgeted { left: &left, budget };
    let mut object = StreamedObject { key, elements, seen: false, streamed: Streamed::Whole, tree };
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let tree = serde::Deserializer::deserialize_map(&mut deserializer, &mut object)?;
    deserializer.end()?;
    Ok((tree, object.streamed))
}

/// The top-level object of a body being parsed by [`parse_streaming`].
struct StreamedObject<'a> {
    key: &'a str,
    elements: &'a mut dyn Elements,
    /// Whether `key` came already.
    seen: bool,
    streamed: Streamed,
    /// The budget of the other fields' tree; each element gets one like it.
    tree: Budgeted<'a>,
}

impl<'de> serde::de::Visitor<'de> for &mut StreamedObject<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut fields = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = if key == self.key && !self.seen {
                self.seen = true;
                map.next_value_seed(StreamedField { object: &mut *self })?
            } else {
                if key == self.key {
                    // A repeated key: its last value counts, as in a tree.
                    self.streamed = Streamed::Whole;
                }
                map.next_value_seed(self.tree)?
            };
            self.tree.charge::<A::Error>(Budgeted::ENTRY + key.len())?;
            fields.insert(key, value);
        }
        Ok(Value::Object(fields))
    }
}

/// The first value of the streamed field: an array's elements go to the [`Elements`],
/// anything else is kept as a tree.
struct StreamedField<'a, 'b> {
    object: &'a mut StreamedObject<'b>,
}

impl<'de> serde::de::DeserializeSeed<'de> for StreamedField<'_, '_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for StreamedField<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let object = self.object;
        let mut failed = None;
        let mut index = 0;
        let budget = object.tree.budget;
        let left = std::cell::Cell::new(budget);
        // Each element's tree lives only until it is decoded: each gets the whole budget.
        while let Some(element) = seq.next_element_seed(Budgeted { left: &left, budget })? {
            left.set(budget);
            if failed.is_none() {
                if let Err(e) = object.elements.push_json(element) {
                    failed = Some(e.at_index(index).at_key(object.key));
                }
            }
            index += 1;
        }
        Ok(match failed {
            None => {
                object.streamed = Streamed::Decoded;
                Value::Array(Vec::new())
            }
            Some(e) => {
                object.streamed = Streamed::Failed(e);
                Value::Bool(false)
            }
        })
    }

    // Anything but an array: the value a tree would hold (`Streamed::Whole`), within the
    // tree's budget.
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
        serde::de::Visitor::visit_map(self.object.tree, map)
    }

    fn visit_bool<Er: serde::de::Error>(self, v: bool) -> Result<Value, Er> {
        serde::de::Visitor::visit_bool(self.object.tree, v)
    }

    fn visit_i64<Er: serde::de::Error>(self, v: i64) -> Result<Value, Er> {
        serde::de::Visitor::visit_i64(self.object.tree, v)
    }

    fn visit_u64<Er: serde::de::Error>(self, v: u64) -> Result<Value, Er> {
        serde::de::Visitor::visit_u64(self.object.tree, v)
    }

    fn visit_f64<Er: serde::de::Error>(self, v: f64) -> Result<Value, Er> {
        serde::de::Visitor::visit_f64(self.object.tree, v)
    }

    fn visit_str<Er: serde::de::Error>(self, v: &str) -> Result<Value, Er> {
        serde::de::Visitor::visit_str(self.object.tree, v)
    }

    fn visit_string<Er: serde::de::Error>(self, v: String) -> Result<Value, Er> {
        serde::de::Visitor::visit_string(self.object.tree, v)
    }

    fn visit_unit<Er: serde::de::Error>(self) -> Result<Value, Er> {
        serde::de::Visitor::visit_unit(self.object.tree)
    }
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
        // Plain matches and non-generic helpers: this is instantiated for every field type
        // (a `?` would be one more function for each).
        match self.present(key) {
            Some(value) => match T::from_json(value) {
                Ok(value) => Some(value),
                Err(e) => {
                    self.fail(key, e);
                    None
                }
            },
            None => None,
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

/// `2025-05-01`, as a `format: date` parameter is written.
impl FromJson for time::Date {
    fn from_json(value: Value) -> Result<Self, DecodeError> {
        let text = String::from_json(value)?;
        let mut parts = text.splitn(3, '-');
        let mut next = || parts.next().and_then(|p| p.parse::<i32>().ok());
        let date = match (next(), next(), next()) {
            (Some(year), Some(month), Some(day)) => u8::try_from(month)
                .ok()
                .and_then(|m| time::Month::try_from(m).ok())
                .zip(u8::try_from(day).ok())
                .and_then(|(month, day)| time::Date::from_calendar_date(year, month, day).ok()),
            _ => None,
        };
        date.ok_or_else(|| DecodeError::new(format!("invalid date `{text}`, expected YYYY-MM-DD")))
    }
}

/// RFC 3339, as a `format: date-time` parameter is written.
impl FromJson for time::OffsetDateTime {
    fn from_json(value: Value) -> Result<Self, DecodeError> {
        let text = String::from_json(value)?;
        time::OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339)
            .map_err(|_| DecodeError::new(format!("invalid date-time `{text}`, expected RFC 3339")))
    }
}

/// A number type that can come from any JSON number or from its text.
trait Number: std::str::FromStr {
    /// What a value of the type is, for errors.
    const EXPECTED: &'static str;

    fn from_number(n: &serde_json::Number) -> Option<Self>;
}

impl Number for f64 {
    const EXPECTED: &'static str = "a number, or a string holding one";

    fn from_number(n: &serde_json::Number) -> Option<Self> {
        n.as_f64()
    }
}

/// The largest magnitude up to which an `f64` holds every integer exactly (2^53). serde_json
/// reads a number with a fraction or an exponent, or an integer too large for 64 bits, as an
/// `f64`: past this, the value read may not be the one sent (`-9223372036854775809` reads as
/// `-9223372036854775808.0`), so it is refused rather than rounded or clamped.
const EXACT_F64_INTEGER: f64 = 9_007_199_254_740_992.0;

macro_rules! integer {
    ($($t:ty),*) => {$(
        impl Number for $t {
            const EXPECTED: &'static str = concat!("an integer in the range of ", stringify!($t), ", or a string holding one");

            fn from_number(n: &serde_json::Number) -> Option<Self> {
                match (n.as_i64(), n.as_u64(), n.as_f64()) {
                    (Some(i), _, _) => <$t>::try_from(i).ok(),
                    (_, Some(u), _) => <$t>::try_from(u).ok(),
                    // In range of i64 and exact, so the cast neither saturates nor rounds.
                    (_, _, Some(f)) if f.fract() == 0.0 && f.abs() <= EXACT_F64_INTEGER => <$t>::try_from(f as i64).ok(),
                    _ => None,
                }
            }
        }
    )*};
}
integer!(u8, i32, i64);

/// A number from a JSON number or from a string holding one; one out of the type's range is
/// an error, never clamped.
fn number<T: Number>(value: Value) -> Result<T, DecodeError> {
    let parsed = match &value {
        Value::Number(n) => T::from_number(n),
        Value::String(s) => s.trim().parse().ok(),
        _ => return Err(DecodeError::invalid_type(&value, T::EXPECTED)),
    };
    parsed.ok_or_else(|| DecodeError::new(format!("invalid value: {}, expected {}", unexpected(&value), T::EXPECTED)))
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
        // The loop and its errors are one copy for every element type ([`decode_array`]);
        // what is instantiated for each is this and the `Elements` impl a page's items use too.
        let mut decoded = Vec::with_capacity(array_len(&value));
        match decode_array(value, &mut decoded) {
            Ok(()) => Ok(decoded),
            Err(e) => Err(e),
        }
    }
}

/// The number of elements when `value` is an array, so that a decoded `Vec` is allocated once.
fn array_len(value: &Value) -> usize {
    match value {
        Value::Array(items) => items.len(),
        _ => 0,
    }
}

/// Decodes the elements of an array into `elements`; an error names the element (`[2]`).
fn decode_array(value: Value, elements: &mut dyn Elements) -> Result<(), DecodeError> {
    match value {
        Value::Array(items) => {
            for (index, item) in items.into_iter().enumerate() {
                elements.push_json(item).map_err(|e| e.at_index(index))?;
            }
            Ok(())
        }
        other => Err(DecodeError::invalid_type(&other, "a sequence")),
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
