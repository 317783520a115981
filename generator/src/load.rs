//! Stage 1: spec files → one JSON value tree. YAML and JSON specs both load here (JSON is
//! YAML); a spec spread over several files is bundled into one document (module `bundle`).

mod bundle;
mod pieces;

use crate::error::{Error, Pointer, Reporter, SpecError};
use crate::ir::InputFile;
use serde_json::{Map, Number, Value};
use serde_yaml::Value as Yaml;
use std::path::Path;

/// A file's identity for headers and staleness: its name and the SHA-256 of its bytes.
pub fn input_file(name: impl Into<String>, bytes: &[u8]) -> InputFile {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    InputFile {
        name: name.into(),
        sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
    }
}

/// A spec read from its files and bundled into one document.
#[derive(Debug)]
pub struct Loaded {
    pub doc: Value,
    /// The root file first, then every file its `$ref`s reached, in the order they were found.
    pub inputs: Vec<InputFile>,
    /// Reports problems at the file and pointer where the user wrote them.
    pub reporter: Reporter,
}

/// Reads the spec at `path` (named `source` in messages) and every file it refers to.
pub fn load_file(path: &Path, source: &str) -> Result<Loaded, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::Read {
        path: path.to_path_buf(),
        source: e,
    })?;
    Ok(load(path, source, &bytes)?)
}

/// Loads spec text; relative `$ref`s to other files resolve from the directory of `source`.
pub fn load_text(source: &str, bytes: &[u8]) -> Result<Loaded, SpecError> {
    load(Path::new(source), source, bytes)
}

fn load(path: &Path, source: &str, bytes: &[u8]) -> Result<Loaded, SpecError> {
    let reporter = Reporter::new(source);
    let doc = parse_text(&reporter, bytes)?;
    let bundled = bundle::bundle(source, path, doc, input_file(source, bytes))?;
    Ok(Loaded {
        doc: bundled.doc,
        inputs: bundled.inputs,
        reporter: reporter.with_origins(bundled.origins),
    })
}

/// Parses spec text into a JSON value whose root is a mapping.
pub fn parse_text(reporter: &Reporter, bytes: &[u8]) -> Result<Value, SpecError> {
    let root = Pointer::root();
    let text = std::str::from_utf8(bytes).map_err(|e| {
        reporter.error_with_hint(
            &root,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.valid_up_to()
            ),
            "an OpenAPI spec is a YAML or JSON text file",
        )
    })?;
    if text.trim().is_empty() {
        return Err(reporter.error_with_hint(
            &root,
            "the file is empty",
            "expected an OpenAPI 3.0 or 3.1 document",
        ));
    }
    // JSON is YAML 1.2, but serde_yaml reads YAML 1.1, which folds U+0085 and rejects
    // U+2028 in strings: a document that looks like JSON is read as JSON first.
    let body = text.trim_start_matches('\u{feff}').trim_start();
    if body.starts_with('{') {
        if let Ok(value) = serde_json::from_str::<Value>(body) {
            return Ok(value);
        }
    }
    let value = match pieces::read(text) {
        Some(value) => value,
        None => match serde_yaml::from_str::<Direct>(text) {
            Ok(Direct(value)) => value,
            Err(_) => via_yaml_value(reporter, text)?,
        },
    };
    if !value.is_object() {
        return Err(reporter.error_with_hint(
            &root,
            format!("the document is {}, not a mapping", describe(&value)),
            "an OpenAPI document is a mapping with `openapi`, `info` and `paths` keys",
        ));
    }
    Ok(value)
}

/// The general path: YAML → `serde_yaml::Value` (merge keys applied) → JSON. It reads every
/// document [`Direct`] gives up on, and reports every error.
fn via_yaml_value(reporter: &Reporter, text: &str) -> Result<Value, SpecError> {
    let mut yaml: Yaml = serde_yaml::from_str(text).map_err(|e| yaml_error(reporter, text, &e))?;
    yaml.apply_merge().map_err(|e| {
        reporter.error_with_hint(
            &Pointer::root(),
            format!("invalid YAML merge key: {e}"),
            "`<<:` merges a mapping (or a list of mappings) into the one it is in",
        )
    })?;
    to_json(reporter, &Pointer::root(), yaml)
}

/// The fast path: YAML read straight into a JSON tree, without the `serde_yaml::Value` in
/// between (that tree and its conversion cost more than a third of the load). It gives up
/// (any error) on whatever it would not read exactly as [`via_yaml_value`] does: a tag, a
/// merge key, a key written twice, a key that is a sequence or mapping, a 128-bit integer.
struct Direct(Value);

impl<'de> serde::Deserialize<'de> for Direct {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DirectVisitor).map(Direct)
    }
}

struct DirectVisitor;

impl<'de> serde::de::Visitor<'de> for DirectVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("untagged YAML")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(number(&n.into()))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(Direct(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut entries: A) -> Result<Value, A::Error> {
        use serde::de::Error as _;
        let mut map = Map::new();
        while let Some(DirectKey(key)) = entries.next_key()? {
            let Direct(value) = entries.next_value()?;
            if key == "<<" || map.insert(key, value).is_some() {
                return Err(A::Error::custom("read through serde_yaml::Value"));
            }
        }
        Ok(Value::Object(map))
    }
}

/// A mapping key read by [`Direct`]: scalars become text as [`map_key`] writes them.
struct DirectKey(String);

impl<'de> serde::Deserialize<'de> for DirectKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(DirectKeyVisitor)
            .map(DirectKey)
    }
}

struct DirectKeyVisitor;

impl serde::de::Visitor<'_> for DirectKeyVisitor {
    type Value = String;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an untagged scalar key")
    }

    fn visit_unit<E>(self) -> Result<String, E> {
        Ok("null".to_string())
    }

    fn visit_bool<E>(self, b: bool) -> Result<String, E> {
        Ok(b.to_string())
    }

    fn visit_i64<E>(self, n: i64) -> Result<String, E> {
        Ok(serde_yaml::Number::from(n).to_string())
    }

    fn visit_u64<E>(self, n: u64) -> Result<String, E> {
        Ok(serde_yaml::Number::from(n).to_string())
    }

    fn visit_f64<E>(self, n: f64) -> Result<String, E> {
        Ok(serde_yaml::Number::from(n).to_string())
    }

    fn visit_str<E>(self, s: &str) -> Result<String, E> {
        Ok(s.to_string())
    }

    fn visit_string<E>(self, s: String) -> Result<String, E> {
        Ok(s)
    }
}

/// A YAML syntax error at its line, with a hint. A duplicate key is reported at the duplicate
/// (the parser names the mapping it is in).
fn yaml_error(reporter: &Reporter, text: &str, e: &serde_yaml::Error) -> SpecError {
    let message = strip_location(e);
    let mut line_column = e.location().map(|l| (l.line(), l.column()));
    let mut hint = "check the indentation, quotes and brackets on that line and the one before";
    if let Some(key) = message
        .split_once("duplicate entry with key ")
        .map(|(_, k)| k.trim_matches('"'))
    {
        hint = "a mapping may hold each key once: remove or rename one of them";
        if let Some((line, column)) = line_column {
            if let Some(duplicate) = duplicate_key_line(text, line, column, key) {
                line_column = Some((duplicate, column));
            }
        }
    } else if message.contains("recursion limit") || message.contains("repetition limit") {
        hint = "the document nests (or repeats aliases) deeper than any OpenAPI spec needs";
    } else if message.contains("control characters") {
        hint = "a spec is text: remove the control characters (or the binary data)";
    }
    let place = line_column
        .map(|(l, c)| format!(" at line {l}, column {c}"))
        .unwrap_or_default();
    let message = message
        .split_once(": duplicate entry")
        .map(|(_, rest)| format!("duplicate entry{rest}"))
        .unwrap_or(message);
    reporter.error_with_hint(
        &Pointer::root(),
        format!("invalid YAML{place}: {message}"),
        hint,
    )
}

/// The line of the second `key:` in the block mapping whose first key is at `line`, `column`
/// (both 1-based), if the mapping is written in block style.
fn duplicate_key_line(text: &str, line: usize, column: usize, key: &str) -> Option<usize> {
    let indent = column.checked_sub(1)?;
    let mut seen = false;
    for (i, content) in text.lines().enumerate().skip(line.checked_sub(1)?) {
        let trimmed = content.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let this_indent = content.len() - trimmed.len();
        if this_indent < indent {
            break;
        }
        if this_indent > indent {
            continue;
        }
        let written = trimmed
            .split_once(':')
            .map(|(k, _)| k.trim().trim_matches(|c| c == '"' || c == '\''));
        if written == Some(key) {
            if seen {
                return Some(i + 1);
            }
            seen = true;
        }
    }
    None
}

/// serde_yaml appends " at line X column Y"; the location is reported separately.
fn strip_location(e: &serde_yaml::Error) -> String {
    let text = e.to_string();
    match text.find(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// A short name for a value's kind, for messages.
pub fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a sequence",
        Value::Object(_) => "a mapping",
    }
}

fn to_json(reporter: &Reporter, at: &Pointer, yaml: Yaml) -> Result<Value, SpecError> {
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => number(&n),
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| to_json(reporter, &at.push(i.to_string()), item))
                .collect::<Result<_, _>>()?,
        ),
        Yaml::Mapping(entries) => {
            let mut map = Map::new();
            for (key, item) in entries {
                let key = map_key(reporter, at, key)?;
                let value = to_json(reporter, &at.push(key.clone()), item)?;
                map.insert(key, value);
            }
            Value::Object(map)
        }
        Yaml::Tagged(tagged) => to_json(reporter, at, tagged.value)?,
    })
}

/// YAML allows `200:` (a number) as a key; OpenAPI means the string "200".
fn map_key(reporter: &Reporter, at: &Pointer, key: Yaml) -> Result<String, SpecError> {
    match key {
        Yaml::String(s) => Ok(s),
        Yaml::Number(n) => Ok(n.to_string()),
        Yaml::Bool(b) => Ok(b.to_string()),
        Yaml::Null => Ok("null".to_string()),
        Yaml::Tagged(t) => map_key(reporter, at, t.value),
        Yaml::Sequence(_) | Yaml::Mapping(_) => Err(reporter.error_with_hint(
            at,
            "a mapping key is itself a sequence or mapping",
            "OpenAPI keys are text: a path, a status code or a name",
        )),
    }
}

/// JSON has no infinities or NaN: YAML's `.inf` and `.nan` stay text (`".inf"`), so a later
/// stage reports them where a number was expected, with the operation they are in.
fn number(n: &serde_yaml::Number) -> Value {
    if let Some(i) = n.as_i64() {
        return Value::Number(i.into());
    }
    if let Some(u) = n.as_u64() {
        return Value::Number(u.into());
    }
    n.as_f64()
        .and_then(Number::from_f64)
        .map(Value::Number)
        .unwrap_or_else(|| Value::String(n.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Value, String> {
        parse_text(&Reporter::new("t.yaml"), text.as_bytes()).map_err(|e| e.to_string())
    }

    #[test]
    fn numeric_keys_become_strings() {
        let v = parse("responses:\n  200: {description: ok}\n").unwrap();
        assert!(v["responses"]["200"].is_object());
    }

    #[test]
    fn merge_keys_are_applied() {
        let v = parse("a: &a {x: 1}\nb:\n  <<: *a\n  y: 2\n").unwrap();
        assert_eq!(v["b"]["x"], 1);
    }

    #[test]
    fn json_is_read_as_json() {
        let v = parse("{\"a\": \"x\\u0085y\", \"b\\u2028\": 1}").unwrap();
        assert_eq!(v["a"], "x\u{85}y");
        assert_eq!(v["b\u{2028}"], 1);
    }

    /// Every YAML oddity reads the same on the fast path as on the general one, or the fast
    /// path gives up on it.
    #[test]
    fn direct_reading_matches_the_general_path() {
        let reporter = Reporter::new("t.yaml");
        let read_directly = [
            "a: 1\nb: -2\nc: 18446744073709551615\nd: 1.50\ne: .inf\nf: -.inf\ng: .nan\n",
            "200: x\n1.50: y\n0x1F: z\ntrue: t\n~: n\nnull2: ~\n'quoted': \"s\"\n",
            "a: &x {k: [1, 2, {v: null}]}\nb: *x\nc: |\n  text\nd: ''\ne: ~\n",
        ];
        for text in read_directly {
            let Direct(fast) = serde_yaml::from_str(text).unwrap();
            assert_eq!(fast, via_yaml_value(&reporter, text).unwrap(), "{text}");
        }
        let general_only = [
            "a: !tagged 1\n",
            "!tagged {a: 1}\n",
            "a: &x {k: 1}\nb:\n  <<: *x\n  j: 2\n",
            "200: a\n'200': b\n",
            "a: 1\na: 2\n",
            "[1]: a\n",
            "a: 340282366920938463463374607431768211455\n",
        ];
        for text in general_only {
            assert!(serde_yaml::from_str::<Direct>(text).is_err(), "{text}");
        }
        let v = via_yaml_value(&reporter, "200: a\n'200': b\n").unwrap();
        assert_eq!(v["200"], "b");
    }

    #[test]
    fn duplicate_key_is_reported_at_the_duplicate() {
        let e =
            parse("openapi: 3.0.3\npaths:\n  /a:\n    get: {}\n  /b: {}\n  '/a':\n    get: {}\n")
                .unwrap_err();
        assert!(
            e.contains("at line 6, column 3: duplicate entry with key \"/a\""),
            "{e}"
        );
        assert!(e.contains("hint: a mapping may hold each key once"), "{e}");
    }

    #[test]
    fn errors_name_the_place() {
        assert_eq!(
            parse("").unwrap_err(),
            "t.yaml: #: the file is empty\n  hint: expected an OpenAPI 3.0 or 3.1 document"
        );
        assert!(parse("a: [1, 2\n")
            .unwrap_err()
            .contains("invalid YAML at line"));
        assert!(parse("- 1\n")
            .unwrap_err()
            .contains("a sequence, not a mapping"));
    }
}
