//! Stage 3: a normalized JSON tree → `openapiv3::OpenAPI`, with located errors in OpenAPI's
//! words (never the parser's type names).

mod check;
mod webhooks;

pub use webhooks::{parse_webhooks, Webhook};

use crate::error::{Pointer, Reporter, SpecError};
use crate::load::describe;
use crate::threads;
use serde_json::{Map, Value};

/// Checks the document's outline, then deserializes it.
pub fn parse_document(
    reporter: &Reporter,
    mut doc: Value,
) -> Result<openapiv3::OpenAPI, SpecError> {
    check_outline(reporter, &doc)?;
    check::check(reporter, &mut doc)?;
    if let Some(parsed) = deserialize_in_two(&mut doc) {
        // Nothing reads the tree any more, and freeing it takes milliseconds that lowering
        // need not wait for.
        threads::free_elsewhere(doc);
        return Ok(parsed);
    }
    openapiv3::OpenAPI::deserialize_located(&doc).map_err(|(path, message)| {
        let path = narrow(&doc, path, &message);
        // The pointer names the wrong value itself, unless it stopped at the object holding it.
        let exact = !matches!(doc.pointer(&path.to_string()[1..]), Some(Value::Object(_)))
            || message.starts_with("invalid type: map");
        let (problem, hint) = in_openapi_words(&path, &message, exact);
        reporter.error_with_hint(&path, problem, hint)
    })
}

/// Deserializes the second half of `paths` on another thread while this one reads the rest of
/// the document and the first half; `None` when any part fails. Either way the document is
/// left as it was: the located path reads it on failure, and the caller frees it.
fn deserialize_in_two(doc: &mut Value) -> Option<openapiv3::OpenAPI> {
    use serde::Deserialize;
    let slot = doc.get_mut("paths")?;
    let Value::Object(paths) = std::mem::replace(slot, Value::Object(Map::new())) else {
        return None;
    };
    let half = paths.len() / 2;
    let mut entries = paths.into_iter();
    let first = Value::Object(entries.by_ref().take(half).collect());
    let second = Value::Object(entries.collect());
    let read_second = || Ok(openapiv3::Paths::deserialize(&second).ok());
    let read = threads::parallel("reading the document", vec![read_second], || {
        let rest = openapiv3::OpenAPI::deserialize(&*doc).ok();
        Ok(rest.zip(openapiv3::Paths::deserialize(&first).ok()))
    });
    let parsed = match read {
        Ok((Some((mut parsed, mut paths)), mut rest)) => rest.pop().flatten().map(|second| {
            paths.paths.extend(second.paths);
            paths.extensions.extend(second.extensions);
            parsed.paths = paths;
            parsed
        }),
        _ => None,
    };
    if let (Value::Object(mut paths), Value::Object(second)) = (first, second) {
        paths.extend(second);
        if let Some(slot) = doc.get_mut("paths") {
            *slot = Value::Object(paths);
        }
    }
    parsed
}

/// `openapiv3`'s flattened and hand-written deserializers report some type errors at the
/// object that holds the wrong value: when exactly one direct field of that object has the
/// scalar value the message names, the error points at that field instead.
fn narrow(doc: &Value, at: Pointer, message: &str) -> Pointer {
    let Some(found) = message
        .strip_prefix("invalid type: ")
        .and_then(|rest| rest.split_once(", expected "))
        .map(|(found, _)| found)
    else {
        return at;
    };
    let wanted: Option<Value> = if let Some(text) = found.strip_prefix("string ") {
        serde_json::from_str(text).ok()
    } else if let Some(n) = found
        .strip_prefix("integer `")
        .or_else(|| found.strip_prefix("floating point `"))
    {
        serde_json::from_str(n.trim_end_matches('`')).ok()
    } else if let Some(b) = found.strip_prefix("boolean `") {
        serde_json::from_str(b.trim_end_matches('`')).ok()
    } else {
        None
    };
    let Some(wanted) = wanted else { return at };
    let mut node = doc;
    for token in at.tokens() {
        let next = match node {
            Value::Object(map) => map.get(&token),
            Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        match next {
            Some(next) => node = next,
            None => return at,
        }
    }
    let Value::Object(map) = node else { return at };
    let mut keys = map.iter().filter(|(_, v)| **v == wanted).map(|(k, _)| k);
    match (keys.next(), keys.next()) {
        (Some(key), None) => at.push(key.clone()),
        _ => at,
    }
}

/// A deserializer's message (which names Rust types) as a problem and a hint about OpenAPI.
fn in_openapi_words(at: &Pointer, message: &str, exact: bool) -> (String, String) {
    let tokens = at.tokens();
    let key = tokens.last().map(String::as_str).unwrap_or("");
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        if let Some((found, expected)) = rest.split_once(", expected ") {
            let expected = expected_words(expected);
            let found = found_words(found);
            if !exact {
                return (
                    format!("a field of this object must be {expected}, found {found}"),
                    format!("find the field with that value and write it as {expected}"),
                );
            }
            let hint = match (key, found.as_str()) {
                (_, f) if f.contains(".inf") || f.contains(".nan") => {
                    "JSON has no infinite or not-a-number values; write a finite number".to_string()
                }
                ("required", _) => {
                    "`required` lists property names: `required: [id, name]`".to_string()
                }
                ("description" | "summary" | "title", _) => {
                    format!("`{key}` is text; quote it if YAML reads it as something else")
                }
                _ => format!("write `{key}` as {expected}, as the OpenAPI specification says"),
            };
            return (format!("`{key}` must be {expected}, found {found}"), hint);
        }
    }
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|r| r.strip_suffix('`'))
    {
        return (
            format!("missing `{field}`"),
            format!("the OpenAPI specification requires `{field}` here"),
        );
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        if let Some((value, expected)) = rest.split_once("`, expected ") {
            let expected = expected.trim_start_matches("one of ");
            return (
                format!("`{key}: {value}` is not allowed here"),
                format!("`{key}` is one of {expected}"),
            );
        }
    }
    if message.contains("ParameterSchemaOrContent") {
        return (
            "a parameter needs `schema` (or `content`)".to_string(),
            "add the parameter's type, for example `schema: {type: string}`".to_string(),
        );
    }
    if message.contains("untagged enum ReferenceOr") {
        return (
            "neither a `$ref` nor a valid object".to_string(),
            "write the object itself, or `$ref: '#/components/…'` pointing at one".to_string(),
        );
    }
    if message.contains("untagged enum") || message.contains("variant of enum") {
        return (
            "this value has none of the shapes OpenAPI allows here".to_string(),
            "compare it with the OpenAPI specification's description of this object".to_string(),
        );
    }
    (
        format!("not valid OpenAPI: {message}"),
        "compare it with the OpenAPI specification's description of this object".to_string(),
    )
}

/// serde's name for what it expected, in OpenAPI's words.
fn expected_words(expected: &str) -> String {
    match expected {
        "a string" => "text".to_string(),
        "a sequence" => "a sequence".to_string(),
        "a map" => "a mapping".to_string(),
        "a boolean" => "a boolean (`true` or `false`)".to_string(),
        "a JSON number" | "f64" | "i64" | "u64" | "u16" | "usize" | "i32" => "a number".to_string(),
        other if other.starts_with("struct ") => {
            let name = &other["struct ".len()..];
            let article = if name.starts_with(['A', 'E', 'I', 'O', 'U']) {
                "an"
            } else {
                "a"
            };
            format!("{article} {name} Object (a mapping)")
        }
        other if other.contains("map") => "a mapping".to_string(),
        other => other.to_string(),
    }
}

/// serde's description of what it found, in plain words.
fn found_words(found: &str) -> String {
    if let Some(text) = found.strip_prefix("string ") {
        return format!("the text {text}");
    }
    for (prefix, what) in [
        ("integer ", "the number "),
        ("floating point ", "the number "),
        ("boolean ", "the boolean "),
    ] {
        if let Some(value) = found.strip_prefix(prefix) {
            return format!("{what}{}", value.trim_matches('`'));
        }
    }
    match found {
        "map" => "a mapping".to_string(),
        "sequence" => "a sequence".to_string(),
        "null" | "unit value" => "null".to_string(),
        other => other.to_string(),
    }
}

fn check_outline(reporter: &Reporter, doc: &Value) -> Result<(), SpecError> {
    let root = Pointer::root();
    if doc.get("swagger").is_some() {
        return Err(reporter.error_with_hint(
            &root.push("swagger"),
            "Swagger 2.0 documents are not supported",
            "convert the spec to OpenAPI 3 first (for example with swagger2openapi)",
        ));
    }
    match doc.get("openapi") {
        None => {
            return Err(reporter.error_with_hint(
                &root,
                "missing the `openapi` version key",
                "add `openapi: 3.0.3` (or 3.1.0) at the top of the document",
            ))
        }
        Some(Value::String(v)) if v.starts_with("3.0") || v.starts_with("3.1") => {}
        Some(Value::String(v)) => {
            return Err(reporter.error_with_hint(
                &root.push("openapi"),
                format!("OpenAPI version {v} is not supported"),
                "supported versions are 3.0.x and 3.1.x",
            ))
        }
        Some(other) => {
            return Err(reporter.error_with_hint(
                &root.push("openapi"),
                format!(
                    "`openapi` must be a version string, found {}",
                    describe(other)
                ),
                "quote the version: `openapi: '3.0.3'`",
            ))
        }
    }
    match doc.get("paths") {
        None => Err(reporter.error_with_hint(
            &root,
            "missing `paths`",
            "a client is generated from the operations under `paths`",
        )),
        Some(Value::Object(_)) => Ok(()),
        Some(other) => Err(reporter.error_with_hint(
            &root.push("paths"),
            format!("`paths` must be a mapping, found {}", describe(other)),
            "`paths` maps each path (`/calls/{sid}`) to its operations",
        )),
    }
}

/// Deserializes `value` as `T`, reporting the JSON pointer of the first value that did not fit.
fn located<T: serde::de::DeserializeOwned>(
    value: Value,
    base: &Pointer,
) -> Result<T, (Pointer, String)> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let mut pointer = base.clone();
        for segment in e.path().iter() {
            pointer = match segment {
                serde_path_to_error::Segment::Seq { index } => pointer.push(index.to_string()),
                serde_path_to_error::Segment::Map { key } => pointer.push(key.clone()),
                serde_path_to_error::Segment::Enum { variant } => pointer.push(variant.clone()),
                serde_path_to_error::Segment::Unknown => pointer,
            };
        }
        (pointer, e.inner().to_string())
    })
}

/// The whole document, or the first failing path item or component when openapiv3's
/// hand-written deserializers hide the inner location.
trait DeserializeLocated: Sized {
    fn deserialize_located(doc: &Value) -> Result<Self, (Pointer, String)>;
}

impl DeserializeLocated for openapiv3::OpenAPI {
    fn deserialize_located(doc: &Value) -> Result<Self, (Pointer, String)> {
        // The fast path borrows the tree; the located (slower) path runs only on failure.
        if let Ok(parsed) = <openapiv3::OpenAPI as serde::Deserialize>::deserialize(doc) {
            return Ok(parsed);
        }
        let root = Pointer::root();
        let Err(whole) = located::<openapiv3::OpenAPI>(doc.clone(), &root) else {
            return located(doc.clone(), &root);
        };
        let paths = root.push("paths");
        if whole.0.tokens().first().map(String::as_str) == Some("paths") {
            for (path, item) in doc["paths"].as_object().into_iter().flatten() {
                if item.get("$ref").is_none() {
                    path_item(item, &paths.push(path.clone()))?;
                }
            }
        }
        if whole.0.tokens().first().map(String::as_str) == Some("components") {
            components(&doc["components"], &root.push("components"))?;
        }
        Err(whole)
    }
}

/// Finds the first component that does not deserialize.
fn components(components: &Value, at: &Pointer) -> Result<(), (Pointer, String)> {
    fn section<T: serde::de::DeserializeOwned>(
        components: &Value,
        name: &str,
        at: &Pointer,
    ) -> Result<(), (Pointer, String)> {
        for (key, item) in components
            .get(name)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if item.get("$ref").is_none() {
                located::<T>(item.clone(), &at.push(name).push(key.clone()))?;
            }
        }
        Ok(())
    }
    section::<openapiv3::Schema>(components, "schemas", at)?;
    section::<openapiv3::Parameter>(components, "parameters", at)?;
    section::<openapiv3::RequestBody>(components, "requestBodies", at)?;
    section::<openapiv3::Response>(components, "responses", at)?;
    section::<openapiv3::SecurityScheme>(components, "securitySchemes", at)
}

/// Finds the first value in a path item that does not deserialize, naming the operation.
fn path_item(item: &Value, at: &Pointer) -> Result<(), (Pointer, String)> {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    list::<openapiv3::Parameter>(item.get("parameters"), &at.push("parameters"))?;
    for method in METHODS {
        let Some(op) = item.get(method) else { continue };
        let mut op_at = at.push(method);
        if let Some(id) = op.get("operationId").and_then(Value::as_str) {
            op_at = op_at.in_operation(id);
        }
        if located::<openapiv3::Operation>(op.clone(), &op_at).is_ok() {
            continue;
        }
        list::<openapiv3::Parameter>(op.get("parameters"), &op_at.push("parameters"))?;
        if let Some(body) = op.get("requestBody").filter(|b| b.get("$ref").is_none()) {
            located::<openapiv3::RequestBody>(body.clone(), &op_at.push("requestBody"))?;
        }
        let responses = op_at.push("responses");
        for (status, response) in op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if response.get("$ref").is_none() {
                located::<openapiv3::Response>(response.clone(), &responses.push(status.clone()))?;
            }
        }
        located::<openapiv3::Operation>(op.clone(), &op_at)?;
    }
    located::<openapiv3::PathItem>(item.clone(), at).map(|_| ())
}

/// Each item of a list that is not a `$ref`, as `T`.
fn list<T: serde::de::DeserializeOwned>(
    items: Option<&Value>,
    at: &Pointer,
) -> Result<(), (Pointer, String)> {
    for (i, item) in items
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if item.get("$ref").is_none() {
            // An inline `schema` first: `ReferenceOr` hides where inside it the problem is.
            let item_at = at.push(i.to_string());
            if let Some(schema) = item.get("schema").filter(|s| s.get("$ref").is_none()) {
                located::<openapiv3::Schema>(schema.clone(), &item_at.push("schema"))?;
            }
            located::<T>(item.clone(), &item_at)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(doc: Value) -> String {
        parse_document(&Reporter::new("t.yaml"), doc)
            .unwrap_err()
            .to_string()
    }

    /// Paths read in halves on two threads give the document read in one piece; the document
    /// is left exactly as it was, for the located path when a part fails.
    #[test]
    fn reading_in_two_equals_reading_whole() {
        use serde::Deserialize;
        let op = |id: &str| json!({"get": {"operationId": id, "responses": {"200": {"description": "ok"}}}});
        let mut doc = json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/a": op("a"), "x-note": 1, "/b": op("b"), "/c": op("c"), "/d": op("d"), "/e": op("e")},
            "components": {"schemas": {"S": {"type": "string"}}}
        });
        let whole = openapiv3::OpenAPI::deserialize(&doc).unwrap();
        let before = doc.clone();
        assert_eq!(deserialize_in_two(&mut doc), Some(whole));
        assert_eq!(doc.to_string(), before.to_string());
        let mut broken = doc.clone();
        broken["paths"]["/e"]["get"]["responses"] = json!(7);
        let before = broken.clone();
        assert_eq!(deserialize_in_two(&mut broken), None);
        assert_eq!(broken.to_string(), before.to_string());
    }

    #[test]
    fn outline_errors() {
        assert!(parse(json!({"swagger": "2.0"})).starts_with("t.yaml: #/swagger: Swagger 2.0"));
        assert!(parse(json!({"info": {}})).contains("missing the `openapi` version key"));
        assert!(
            parse(json!({"openapi": "3.0.0", "info": {"title": "t", "version": "1"}}))
                .contains("missing `paths`")
        );
    }

    #[test]
    fn type_errors_name_the_operation() {
        let e = parse(
            json!({"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"post": {"operationId": "Make", "parameters": [{"name": "x", "in": "query", "required": "yes"}],
            "responses": {"200": {"description": "ok"}}}}}}),
        );
        assert!(
            e.starts_with("t.yaml: #/paths/~1a/post/parameters/0"),
            "{e}"
        );
        assert!(e.contains("(operation `Make`)"), "{e}");
    }

    #[test]
    fn type_errors_are_located() {
        let e = parse(
            json!({"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"responses": {"200": {"description": 5}}}}}}),
        );
        assert!(
            e.starts_with("t.yaml: #/paths/~1a/get/responses/200/description"),
            "{e}"
        );
    }
}
