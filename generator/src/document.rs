//! Stage 3: a normalized JSON tree → `openapiv3::OpenAPI`, with located errors.

use crate::error::{Pointer, Reporter, SpecError};
use crate::load::describe;
use serde_json::Value;

/// Checks the document's outline, then deserializes it.
pub fn parse_document(reporter: &Reporter, doc: Value) -> Result<openapiv3::OpenAPI, SpecError> {
    check_outline(reporter, &doc)?;
    openapiv3::OpenAPI::deserialize_located(doc).map_err(|(path, message)| {
        reporter.error(
            &path,
            format!("not a valid OpenAPI 3.0 document: {message}"),
        )
    })
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
            return Err(reporter.error(
                &root.push("openapi"),
                format!(
                    "`openapi` must be a version string, found {}",
                    describe(other)
                ),
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
        Some(other) => Err(reporter.error(
            &root.push("paths"),
            format!("`paths` must be a mapping, found {}", describe(other)),
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
    fn deserialize_located(doc: Value) -> Result<Self, (Pointer, String)>;
}

impl DeserializeLocated for openapiv3::OpenAPI {
    fn deserialize_located(doc: Value) -> Result<Self, (Pointer, String)> {
        // The fast path borrows the tree; the located (slower) path runs only on failure.
        if let Ok(parsed) = <openapiv3::OpenAPI as serde::Deserialize>::deserialize(&doc) {
            return Ok(parsed);
        }
        let root = Pointer::root();
        let Err(whole) = located::<openapiv3::OpenAPI>(doc.clone(), &root) else {
            return located(doc, &root);
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
