//! Stage 2: rewrite OpenAPI 3.1 constructs into their 3.0 spelling, which `openapiv3` reads.
//!
//! Only schema positions are rewritten (found by walking the document, not by guessing from key
//! names), and example values are never touched, so data that looks like a schema stays data.
//!
//! `openapiv3` models neither 3.1 `webhooks` nor operation `callbacks` given by `$ref`, so both
//! are taken out of the document here and handed on as [`FoundHook`]s: requests the API sends,
//! each with its operation object (normalized like the rest) and where it was written.

use crate::error::Pointer;
use serde_json::{json, Map, Value};

/// The methods of a Path Item Object, as OpenAPI spells them.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A request the API sends: one operation of a 3.1 webhook or of an operation's callback.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundHook {
    /// The webhook's key under `webhooks`, or the callback's key under `callbacks`.
    pub name: String,
    /// The method under the path item (`post`).
    pub method: String,
    /// The operation object (a `$ref` where it could not be resolved), at `at`.
    pub operation: HookOperation,
    /// Where the operation object was written; a callback's pointer names its operation.
    pub at: Pointer,
    /// For a callback: the operationId of the operation that declares it.
    pub callback_of: Option<String>,
}

/// A hook's operation object, or the `$ref` on the way to it that points nowhere.
#[derive(Debug, Clone, PartialEq)]
pub enum HookOperation {
    Found(Value),
    Dangling { reference: String },
}

/// Normalizes a loaded document in place; returns the webhooks and callbacks it took out.
pub fn normalize(doc: &mut Value) -> Vec<FoundHook> {
    let hooks = take_hooks(doc);
    let Some(root) = doc.as_object_mut() else {
        return hooks;
    };
    if let Some(Value::String(version)) = root.get_mut("openapi") {
        if version.starts_with("3.1") {
            // The 3.1-only constructs are rewritten below; what remains is 3.0.
            *version = "3.0.3".to_string();
        }
    }
    // 3.1 top-level keys that 3.0 does not have and that a client does not use.
    for key in ["webhooks", "jsonSchemaDialect"] {
        root.remove(key);
    }
    if let Some(Value::Object(license)) = root.get_mut("info").and_then(|i| i.get_mut("license")) {
        license.remove("identifier");
    }
    if let Some(Value::Object(components)) = root.get_mut("components") {
        // Callbacks describe requests the API makes, not ones the client sends; `openapiv3`
        // cannot read a callback given by `$ref`, so they go before it reads the document.
        components.remove("pathItems");
        components.remove("callbacks");
        if let Some(Value::Object(schemas)) = components.get_mut("schemas") {
            schemas.values_mut().for_each(schema);
        }
        for (key, value) in components.iter_mut() {
            if key != "schemas" {
                walk(value);
            }
        }
    }
    if let Some(Value::Object(paths)) = root.get_mut("paths") {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for op in item.values_mut().filter_map(Value::as_object_mut) {
                op.remove("callbacks");
            }
        }
    }
    if let Some(paths) = root.get_mut("paths") {
        walk(paths);
    }
    hooks
}

/// The webhooks and every operation's callbacks of a document, each operation object
/// normalized, in document order (webhooks first). `$ref`s to `components/callbacks` and
/// `components/pathItems` are followed here, while those components are still there.
fn take_hooks(doc: &Value) -> Vec<FoundHook> {
    let mut hooks = Vec::new();
    let root = Pointer::root();
    if let Some(Value::Object(webhooks)) = doc.get("webhooks") {
        for (name, item) in webhooks {
            let at = root.push("webhooks").push(name.clone());
            path_item_hooks(doc, name, item, &at, None, &mut hooks);
        }
    }
    let Some(Value::Object(paths)) = doc.get("paths") else {
        return hooks;
    };
    for (path, item) in paths {
        let Value::Object(item) = item else { continue };
        for method in METHODS {
            let Some(Value::Object(op)) = item.get(method) else {
                continue;
            };
            let Some(Value::Object(callbacks)) = op.get("callbacks") else {
                continue;
            };
            let owner = op
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_string);
            let mut op_at = root.push("paths").push(path.clone()).push(method);
            if let Some(id) = &owner {
                op_at = op_at.in_operation(id);
            }
            for (name, callback) in callbacks {
                let at = op_at.push("callbacks").push(name.clone());
                let (callback, at) = match local_ref(doc, callback, &at) {
                    Ok(found) => found,
                    Err(reference) => {
                        hooks.push(FoundHook {
                            name: name.clone(),
                            method: "post".to_string(),
                            operation: HookOperation::Dangling { reference },
                            at,
                            callback_of: owner.clone(),
                        });
                        continue;
                    }
                };
                let Value::Object(expressions) = callback else {
                    continue;
                };
                for (expression, item) in expressions {
                    let at = at.push(expression.clone());
                    path_item_hooks(doc, name, item, &at, owner.clone(), &mut hooks);
                }
            }
        }
    }
    hooks
}

/// The operations of one path item (a webhook, or one expression of a callback).
fn path_item_hooks(
    doc: &Value,
    name: &str,
    item: &Value,
    at: &Pointer,
    callback_of: Option<String>,
    hooks: &mut Vec<FoundHook>,
) {
    let (item, at) = match local_ref(doc, item, at) {
        Ok(found) => found,
        Err(reference) => {
            hooks.push(FoundHook {
                name: name.to_string(),
                method: "post".to_string(),
                operation: HookOperation::Dangling { reference },
                at: at.clone(),
                callback_of,
            });
            return;
        }
    };
    for method in METHODS {
        let Some(op) = item.get(method) else { continue };
        let mut op = op.clone();
        walk(&mut op);
        hooks.push(FoundHook {
            name: name.to_string(),
            method: method.to_string(),
            operation: HookOperation::Found(op),
            at: at.push(method),
            callback_of: callback_of.clone(),
        });
    }
}

/// `value`, or the local target of its `$ref` (followed through chains, at most 64 hops) with
/// the target's pointer; `Err` holds a `$ref` that leads nowhere.
fn local_ref<'d>(
    doc: &'d Value,
    mut value: &'d Value,
    at: &Pointer,
) -> Result<(&'d Value, Pointer), String> {
    let mut at = at.clone();
    for _ in 0..64 {
        let Some(Value::String(reference)) = value.get("$ref") else {
            return Ok((value, at));
        };
        let target = Pointer::parse(reference)
            .and_then(|p| doc.pointer(&p.to_string()[1..]).map(|v| (v, p)));
        let Some((target, pointer)) = target else {
            return Err(reference.clone());
        };
        at = match at.operation() {
            Some(op) => pointer.in_operation(op),
            None => pointer,
        };
        value = target;
    }
    Err(value
        .get("$ref")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string())
}

/// Walks a non-schema part of the document, normalizing every `schema` it holds.
fn walk(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                match key.as_str() {
                    "schema" => schema(child),
                    "example" | "examples" | "default" | "enum" => {}
                    k if k.starts_with("x-") => {}
                    _ => walk(child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(walk),
        _ => {}
    }
}

/// Normalizes one schema and every schema nested in it.
fn schema(value: &mut Value) {
    // 3.1 boolean schemas.
    match value {
        Value::Bool(true) => *value = json!({}),
        Value::Bool(false) => *value = json!({"not": {}}),
        _ => {}
    }
    let Value::Object(map) = value else {
        return;
    };
    ref_with_siblings(map);
    type_list(map);
    null_alternatives(map, "anyOf");
    null_alternatives(map, "oneOf");
    examples_list(map);
    exclusive_bound(map, "exclusiveMinimum", "minimum");
    exclusive_bound(map, "exclusiveMaximum", "maximum");
    if let Some(constant) = map.remove("const") {
        map.entry("enum")
            .or_insert_with(|| Value::Array(vec![constant]));
    }
    // One pass over the keys rather than a lookup per key that may hold schemas: each child
    // is normalized on its own, so the order does not matter.
    for (key, child) in map.iter_mut() {
        match (key.as_str(), child) {
            ("items" | "not" | "additionalProperties", child) => schema(child),
            ("properties" | "$defs" | "patternProperties", Value::Object(children)) => {
                children.values_mut().for_each(schema)
            }
            ("allOf" | "anyOf" | "oneOf" | "prefixItems", Value::Array(children)) => {
                children.iter_mut().for_each(schema)
            }
            _ => {}
        }
    }
}

/// 3.1 lets `$ref` have siblings (`description`, …); 3.0 ignores them. Keep them via `allOf`.
fn ref_with_siblings(map: &mut Map<String, Value>) {
    if map.len() > 1 && map.contains_key("$ref") {
        if let Some(reference) = map.remove("$ref") {
            let member = json!({ "$ref": reference });
            match map.get_mut("allOf") {
                Some(Value::Array(all)) => all.insert(0, member),
                _ => {
                    map.insert("allOf".into(), Value::Array(vec![member]));
                }
            }
        }
    }
}

/// `type: [string, 'null']` → `type: string, nullable: true`; several types → any.
fn type_list(map: &mut Map<String, Value>) {
    let types: Vec<String> = match map.get("type") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|t| t.as_str().map(str::to_string))
            .collect(),
        Some(Value::String(t)) if t == "null" => vec![t.clone()],
        _ => return,
    };
    let concrete: Vec<&String> = types.iter().filter(|t| *t != "null").collect();
    if concrete.len() < types.len() {
        map.insert("nullable".into(), Value::Bool(true));
    }
    match concrete.as_slice() {
        [one] => {
            map.insert("type".into(), Value::String((*one).clone()));
        }
        several => {
            // Scalars only (`[integer, string]`): a union the later stages can recognize.
            let scalar =
                |t: &&String| ["string", "integer", "number", "boolean"].contains(&t.as_str());
            let plain = !["anyOf", "oneOf", "enum", "const"]
                .iter()
                .any(|k| map.contains_key(*k));
            let members: Vec<Value> = if several.len() > 1 && plain && several.iter().all(scalar) {
                several.iter().map(|t| json!({ "type": t })).collect()
            } else {
                Vec::new()
            };
            map.remove("type");
            if !members.is_empty() {
                map.insert("anyOf".into(), Value::Array(members));
            }
        }
    }
}

fn is_null_schema(value: &Value) -> bool {
    match value.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(items)) => items.iter().all(|t| t == "null"),
        _ => value.get("const") == Some(&Value::Null),
    }
}

/// `anyOf: [X, {type: 'null'}]` → `allOf: [X], nullable: true`.
fn null_alternatives(map: &mut Map<String, Value>, key: &str) {
    let Some(Value::Array(members)) = map.get_mut(key) else {
        return;
    };
    let before = members.len();
    members.retain(|m| !is_null_schema(m));
    if members.len() == before {
        return;
    }
    map.insert("nullable".into(), Value::Bool(true));
    let remaining = match map.remove(key) {
        Some(Value::Array(members)) => members,
        _ => Vec::new(),
    };
    match remaining.len() {
        0 => {}
        1 => {
            let only = remaining.into_iter().next().unwrap_or_default();
            match map.get_mut("allOf") {
                Some(Value::Array(all)) => all.push(only),
                _ => {
                    map.insert("allOf".into(), Value::Array(vec![only]));
                }
            }
        }
        _ => {
            map.insert(key.into(), Value::Array(remaining));
        }
    }
}

/// 3.1 `examples: [a, b]` on a schema → 3.0 `example: a`.
fn examples_list(map: &mut Map<String, Value>) {
    if let Some(Value::Array(_)) = map.get("examples") {
        if let Some(Value::Array(mut examples)) = map.remove("examples") {
            if !map.contains_key("example") && !examples.is_empty() {
                map.insert("example".into(), examples.swap_remove(0));
            }
        }
    }
}

/// 3.1 `exclusiveMinimum: 0` → 3.0 `minimum: 0, exclusiveMinimum: true`.
fn exclusive_bound(map: &mut Map<String, Value>, exclusive: &str, inclusive: &str) {
    if let Some(Value::Number(n)) = map.get(exclusive) {
        let n = Value::Number(n.clone());
        map.insert(inclusive.into(), n);
        map.insert(exclusive.into(), Value::Bool(true));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized_schema(s: Value) -> Value {
        let mut doc = json!({"openapi": "3.1.0", "components": {"schemas": {"S": s}}});
        normalize(&mut doc);
        assert_eq!(doc["openapi"], "3.0.3");
        doc["components"]["schemas"]["S"].take()
    }

    #[test]
    fn type_list_with_null() {
        assert_eq!(
            normalized_schema(json!({"type": ["string", "null"], "format": "uuid"})),
            json!({"type": "string", "nullable": true, "format": "uuid"})
        );
    }

    #[test]
    fn scalar_type_list_becomes_any_of() {
        assert_eq!(
            normalized_schema(json!({"type": ["integer", "string", "null"]})),
            json!({"nullable": true, "anyOf": [{"type": "integer"}, {"type": "string"}]})
        );
        assert_eq!(
            normalized_schema(json!({"type": ["object", "string"]})),
            json!({})
        );
    }

    #[test]
    fn any_of_null_becomes_nullable_all_of() {
        assert_eq!(
            normalized_schema(
                json!({"anyOf": [{"$ref": "#/x"}, {"type": "null"}], "description": "d"})
            ),
            json!({"allOf": [{"$ref": "#/x"}], "nullable": true, "description": "d"})
        );
    }

    #[test]
    fn ref_siblings_are_kept() {
        assert_eq!(
            normalized_schema(json!({"$ref": "#/x", "description": "d"})),
            json!({"description": "d", "allOf": [{"$ref": "#/x"}]})
        );
    }

    #[test]
    fn examples_bounds_and_const() {
        assert_eq!(
            normalized_schema(
                json!({"type": "integer", "exclusiveMinimum": 0, "examples": [5, 6], "const": 5})
            ),
            json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true, "example": 5, "enum": [5]})
        );
    }

    /// Webhooks and callbacks (inline, by `$ref`, dangling) are taken out of the document
    /// with their pointers and owners, their schemas normalized like the rest.
    #[test]
    fn webhooks_and_callbacks_are_handed_on() {
        let body = |name: &str| {
            json!({"requestBody": {"content": {"application/json": {"schema":
            {"type": "object", "properties": {name: {"type": ["boolean", "null"]}}}}}}})
        };
        let mut doc = json!({
            "openapi": "3.1.0",
            "webhooks": {"ready": {"post": body("A")}},
            "paths": {"/calls": {"post": {"operationId": "CreateCall", "callbacks": {
                "inline": {"{$request.body#/Url}": {"post": body("B"), "put": body("C")}},
                "shared": {"$ref": "#/components/callbacks/Status"},
                "missing": {"$ref": "#/components/callbacks/Nope"}
            }}}},
            "components": {"callbacks": {"Status": {"{$request.body#/StatusUrl}": {"post": body("D")}}}}
        });
        let hooks = normalize(&mut doc);
        assert!(doc.get("webhooks").is_none());
        assert!(doc["paths"]["/calls"]["post"].get("callbacks").is_none());
        assert!(doc["components"].get("callbacks").is_none());
        let seen: Vec<(String, String, String, Option<String>)> = hooks
            .iter()
            .map(|h| {
                (
                    h.name.clone(),
                    h.method.clone(),
                    h.at.to_string(),
                    h.callback_of.clone(),
                )
            })
            .collect();
        let owner = Some("CreateCall".to_string());
        assert_eq!(
            seen,
            [
                (
                    "ready".into(),
                    "post".into(),
                    "#/webhooks/ready/post".into(),
                    None
                ),
                (
                    "inline".into(),
                    "put".into(),
                    "#/paths/~1calls/post/callbacks/inline/{$request.body#~1Url}/put".into(),
                    owner.clone()
                ),
                (
                    "inline".into(),
                    "post".into(),
                    "#/paths/~1calls/post/callbacks/inline/{$request.body#~1Url}/post".into(),
                    owner.clone()
                ),
                (
                    "shared".into(),
                    "post".into(),
                    "#/components/callbacks/Status/{$request.body#~1StatusUrl}/post".into(),
                    owner.clone()
                ),
                (
                    "missing".into(),
                    "post".into(),
                    "#/paths/~1calls/post/callbacks/missing".into(),
                    owner
                ),
            ]
        );
        assert_eq!(hooks[3].at.operation(), Some("CreateCall"));
        let HookOperation::Found(ready) = &hooks[0].operation else {
            panic!("{:?}", hooks[0]);
        };
        assert_eq!(
            ready["requestBody"]["content"]["application/json"]["schema"]["properties"]["A"],
            json!({"type": "boolean", "nullable": true})
        );
        assert_eq!(
            hooks[4].operation,
            HookOperation::Dangling {
                reference: "#/components/callbacks/Nope".into()
            }
        );
    }

    #[test]
    fn example_data_is_not_rewritten() {
        let mut doc = json!({"openapi": "3.0.1", "paths": {"/a": {"get": {"responses": {"200": {
            "content": {"application/json": {"examples": {"e": {"value": {"schema": {"type": ["x", "null"]}}}}}}}}}}}});
        let before = doc.clone();
        normalize(&mut doc);
        assert_eq!(doc, before);
    }
}
