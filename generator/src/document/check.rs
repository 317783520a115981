//! Rules `openapiv3` does not enforce, checked on the JSON tree before it is deserialized:
//! input whose intent is clear is repaired with a warning (an error when the run is strict);
//! input that is wrong, and would otherwise vanish silently, is an error.

use crate::error::{Pointer, Reporter, SpecError};
use crate::load::describe;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Checks (and repairs) the whole document.
pub(super) fn check(reporter: &Reporter, doc: &mut Value) -> Result<(), SpecError> {
    let root = Pointer::root();
    let component_parameters = doc
        .pointer("/components/parameters")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    servers(reporter, doc.get("servers"), &root.push("servers"))?;
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for (path, item) in paths.iter_mut() {
            let at = root.push("paths").push(path.clone());
            let Value::Object(item) = item else { continue };
            texts(reporter, item, &at)?;
            servers(reporter, item.get("servers"), &at.push("servers"))?;
            parameters(reporter, item, &at, &component_parameters)?;
            for method in METHODS {
                let Some(Value::Object(op)) = item.get_mut(method) else {
                    continue;
                };
                let mut op_at = at.push(method);
                if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                    op_at = op_at.in_operation(id);
                }
                texts(reporter, op, &op_at)?;
                servers(reporter, op.get("servers"), &op_at.push("servers"))?;
                parameters(reporter, op, &op_at, &component_parameters)?;
                responses(reporter, op.get("responses"), &op_at.push("responses"))?;
            }
        }
    }
    if let Some(Value::Object(params)) = doc.pointer_mut("/components/parameters") {
        for (name, param) in params.iter_mut() {
            let at = root
                .push("components")
                .push("parameters")
                .push(name.clone());
            style(reporter, param, &at)?;
        }
    }
    schemas(reporter, doc, &root)
}

/// A `summary` or `description` that is not text: left out, with a warning.
fn texts(
    reporter: &Reporter,
    object: &mut Map<String, Value>,
    at: &Pointer,
) -> Result<(), SpecError> {
    for key in ["summary", "description"] {
        match object.get(key) {
            None | Some(Value::String(_)) => {}
            Some(other) => {
                let found = describe(other);
                reporter.warn(
                    &at.push(key),
                    format!("`{key}` is {found}, not text; it is left out of the generated docs"),
                    format!("write `{key}` as a string"),
                )?;
                object.remove(key);
            }
        }
    }
    Ok(())
}

/// An object's `parameters`: each one's `style`, and no parameter listed twice.
fn parameters(
    reporter: &Reporter,
    object: &mut Map<String, Value>,
    at: &Pointer,
    components: &Map<String, Value>,
) -> Result<(), SpecError> {
    let Some(Value::Array(list)) = object.get_mut("parameters") else {
        return Ok(());
    };
    let at = at.push("parameters");
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (i, param) in list.iter_mut().enumerate() {
        let param_at = at.push(i.to_string());
        style(reporter, param, &param_at)?;
        let resolved = match param.get("$ref").and_then(Value::as_str) {
            Some(reference) => reference
                .strip_prefix("#/components/parameters/")
                .and_then(|name| components.get(&name.replace("~1", "/").replace("~0", "~"))),
            None => Some(&*param),
        };
        let Some(resolved) = resolved else { continue };
        let (Some(name), Some(location)) = (
            resolved.get("name").and_then(Value::as_str),
            resolved.get("in").and_then(Value::as_str),
        ) else {
            continue;
        };
        if let Some(first) = seen.insert((name.to_string(), location.to_string()), i) {
            return Err(reporter.error_with_hint(
                &param_at,
                format!(
                    "the {location} parameter `{name}` is listed twice (first at {})",
                    at.push(first.to_string())
                ),
                "remove one of them: a parameter is identified by its name and location, and a list may hold it once",
            ));
        }
    }
    Ok(())
}

/// A `style` the parameter's location does not allow: the location's default is used.
fn style(reporter: &Reporter, param: &mut Value, at: &Pointer) -> Result<(), SpecError> {
    let Value::Object(param) = param else {
        return Ok(());
    };
    let (Some(Value::String(location)), Some(Value::String(style))) =
        (param.get("in"), param.get("style"))
    else {
        return Ok(());
    };
    let allowed: &[&str] = match location.as_str() {
        "path" => &["simple", "label", "matrix"],
        "query" => &["form", "spaceDelimited", "pipeDelimited", "deepObject"],
        "header" => &["simple"],
        "cookie" => &["form"],
        _ => return Ok(()),
    };
    if allowed.contains(&style.as_str()) {
        return Ok(());
    }
    let default = if location == "path" || location == "header" {
        "simple"
    } else {
        "form"
    };
    let list = allowed
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ");
    reporter.warn(
        &at.push("style"),
        format!("`style: {style}` is not allowed for a {location} parameter; using the default, `{default}`"),
        format!("a {location} parameter's `style` is one of {list}"),
    )?;
    param.remove("style");
    Ok(())
}

/// Response keys are status codes (`200`), ranges (`2XX`) or `default`; anything else would be
/// dropped without a word.
fn responses(
    reporter: &Reporter,
    responses: Option<&Value>,
    at: &Pointer,
) -> Result<(), SpecError> {
    let Some(Value::Object(responses)) = responses else {
        return Ok(());
    };
    for key in responses.keys() {
        if key.starts_with("x-") || is_status_key(key) {
            continue;
        }
        return Err(reporter.error_with_hint(
            &at.push(key.clone()),
            format!("`{key}` is not a response status"),
            "a response key is an HTTP status code from 100 to 599 (`200`), a range (`2XX`) or `default`",
        ));
    }
    Ok(())
}

fn is_status_key(key: &str) -> bool {
    if key == "default" {
        return true;
    }
    let bytes = key.as_bytes();
    if bytes.len() != 3 || !(b'1'..=b'5').contains(&bytes[0]) {
        return false;
    }
    let rest = &bytes[1..];
    rest.iter().all(u8::is_ascii_digit) || rest.iter().all(|b| *b == b'X' || *b == b'x')
}

/// Every `{variable}` in a server URL has a definition under `variables`.
fn servers(reporter: &Reporter, servers: Option<&Value>, at: &Pointer) -> Result<(), SpecError> {
    let Some(Value::Array(servers)) = servers else {
        return Ok(());
    };
    for (i, server) in servers.iter().enumerate() {
        let Some(url) = server.get("url").and_then(Value::as_str) else {
            continue;
        };
        let defined = server.get("variables").and_then(Value::as_object);
        let mut rest = url;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let name = &rest[open + 1..open + close];
            if !defined.is_some_and(|d| d.contains_key(name)) {
                return Err(reporter.error_with_hint(
                    &at.push(i.to_string()).push("url"),
                    format!("the server URL `{url}` uses the variable `{name}`, which `variables` does not define"),
                    format!("add `variables: {{{name}: {{default: …}}}}` to the server, or write the value into the URL"),
                ));
            }
            rest = &rest[open + close + 1..];
        }
    }
    Ok(())
}

/// Walks every schema of the document, repairing enums that mix booleans with 0 and 1.
fn schemas(reporter: &Reporter, doc: &mut Value, root: &Pointer) -> Result<(), SpecError> {
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        let at = root.push("components").push("schemas");
        for (name, s) in schemas.iter_mut() {
            schema(reporter, s, &at.push(name.clone()))?;
        }
    }
    if let Some(components) = doc.get_mut("components") {
        for (key, section) in components.as_object_mut().into_iter().flatten() {
            if key != "schemas" {
                holders(
                    reporter,
                    section,
                    &root.push("components").push(key.clone()),
                )?;
            }
        }
    }
    if let Some(paths) = doc.get_mut("paths") {
        holders(reporter, paths, &root.push("paths"))?;
    }
    Ok(())
}

/// A part of the document that is not a schema but may hold `schema`s.
fn holders(reporter: &Reporter, value: &mut Value, at: &Pointer) -> Result<(), SpecError> {
    match value {
        Value::Object(map) => {
            let operation = map
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_string);
            let at = match operation {
                Some(id) if at.operation().is_none() => at.in_operation(&id),
                _ => at.clone(),
            };
            for (key, child) in map.iter_mut() {
                match key.as_str() {
                    "schema" => schema(reporter, child, &at.push("schema"))?,
                    "example" | "examples" | "default" | "enum" | "callbacks" => {}
                    k if k.starts_with("x-") => {}
                    _ => holders(reporter, child, &at.push(key.clone()))?,
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                holders(reporter, item, &at.push(i.to_string()))?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn schema(reporter: &Reporter, value: &mut Value, at: &Pointer) -> Result<(), SpecError> {
    let Value::Object(map) = value else {
        return Ok(());
    };
    boolean_enum(reporter, map, at)?;
    for key in ["items", "not", "additionalProperties"] {
        if let Some(child) = map.get_mut(key) {
            schema(reporter, child, &at.push(key))?;
        }
    }
    for key in ["properties", "patternProperties", "$defs"] {
        if let Some(Value::Object(children)) = map.get_mut(key) {
            for (name, child) in children.iter_mut() {
                schema(reporter, child, &at.push(key).push(name.clone()))?;
            }
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(children)) = map.get_mut(key) {
            for (i, child) in children.iter_mut().enumerate() {
                schema(reporter, child, &at.push(key).push(i.to_string()))?;
            }
        }
    }
    Ok(())
}

/// `enum: [true, false, 0, 1]`: booleans written two ways. Read as booleans.
fn boolean_enum(
    reporter: &Reporter,
    map: &mut Map<String, Value>,
    at: &Pointer,
) -> Result<(), SpecError> {
    let Some(Value::Array(values)) = map.get("enum") else {
        return Ok(());
    };
    let as_bool = |v: &Value| match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) if n.as_u64() == Some(0) => Some(false),
        Value::Number(n) if n.as_u64() == Some(1) => Some(true),
        _ => None,
    };
    let has_bool = values.iter().any(Value::is_boolean);
    let has_number = values.iter().any(Value::is_number);
    let non_null: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
    let type_fits = matches!(
        map.get("type").and_then(Value::as_str),
        None | Some("boolean") | Some("integer") | Some("number")
    );
    if !(has_bool && has_number && type_fits && non_null.iter().all(|v| as_bool(v).is_some())) {
        return Ok(());
    }
    reporter.warn(
        &at.push("enum"),
        "`enum` mixes booleans with 0 and 1; read as the booleans `true` and `false`",
        "write the enum as `type: boolean` with `true` and `false` only",
    )?;
    let mut repaired: Vec<Value> = Vec::new();
    for v in values {
        let b = if v.is_null() {
            Value::Null
        } else {
            as_bool(v).map(Value::Bool).unwrap_or(Value::Null)
        };
        if !repaired.contains(&b) {
            repaired.push(b);
        }
    }
    map.insert("enum".into(), Value::Array(repaired));
    map.insert("type".into(), Value::String("boolean".into()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_keys() {
        for ok in ["200", "default", "2XX", "5xx", "101", "599"] {
            assert!(is_status_key(ok), "{ok}");
        }
        for bad in ["ok", "600", "2XY", "20", "2000", "099", "X00", ""] {
            assert!(!is_status_key(bad), "{bad}");
        }
    }
}
