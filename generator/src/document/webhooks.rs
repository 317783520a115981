//! Webhooks and callbacks ([`FoundHook`]s from `normalize`) → [`Webhook`]s: each operation's
//! names and its `requestBody` read as `openapiv3` reads any request body, so `lower` sees the
//! payload schemas like any other.

use super::located;
use crate::error::{Pointer, Reporter, SpecError};
use crate::ir::HttpMethod;
use crate::normalize::{FoundHook, HookOperation};
use openapiv3::{ReferenceOr, RequestBody};
use serde_json::Value;

/// A request the API sends (a 3.1 webhook, or one operation of a callback), read.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    /// The webhook's key under `webhooks`, or the callback's key under `callbacks`.
    pub name: String,
    pub method: HttpMethod,
    /// Where the operation object was written.
    pub at: Pointer,
    /// For a callback: the operationId of the operation that declares it.
    pub callback_of: Option<String>,
    pub operation_id: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    /// `None`: the operation has no `requestBody` (`lower` warns and skips it).
    pub request_body: Option<ReferenceOr<RequestBody>>,
}

/// Reads the hooks `normalize` took out of the document; errors are located in OpenAPI's words.
pub fn parse_webhooks(
    reporter: &Reporter,
    found: Vec<FoundHook>,
) -> Result<Vec<Webhook>, SpecError> {
    found
        .into_iter()
        .map(|hook| webhook(reporter, hook))
        .collect()
}

fn webhook(reporter: &Reporter, hook: FoundHook) -> Result<Webhook, SpecError> {
    let FoundHook {
        name,
        method,
        operation,
        at,
        callback_of,
    } = hook;
    let mut op = match operation {
        HookOperation::Found(Value::Object(op)) => op,
        HookOperation::Found(other) => {
            return Err(reporter.error_with_hint(
                &at,
                format!(
                    "an Operation Object must be a mapping, found {}",
                    crate::load::describe(&other)
                ),
                "write the request the API sends: `post: {requestBody: …, responses: …}`",
            ))
        }
        HookOperation::Dangling { reference } => {
            return Err(reporter.error_with_hint(
                &at,
                format!("`$ref: {reference}` points to nothing"),
                "point the `$ref` at a callback under `#/components/callbacks/` (or a path item), or fix its spelling",
            ))
        }
    };
    let text =
        |op: &serde_json::Map<String, Value>, key: &str| -> Result<Option<String>, SpecError> {
            match op.get(key) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(other) => Err(reporter.error_with_hint(
                    &at.push(key),
                    format!(
                        "`{key}` must be text, found {}",
                        crate::load::describe(other)
                    ),
                    format!("`{key}` is text; quote it if YAML reads it as something else"),
                )),
            }
        };
    let operation_id = text(&op, "operationId")?;
    let summary = text(&op, "summary")?;
    let description = text(&op, "description")?;
    let request_body = match op.remove("requestBody") {
        None => None,
        Some(body) => Some(
            located::<ReferenceOr<RequestBody>>(body, &at.push("requestBody")).map_err(
                |(pointer, message)| {
                    reporter.error_with_hint(
                        &pointer,
                        format!("not a valid Request Body Object: {message}"),
                        "a request body is `content:` mapping media types to `schema:`s, or a `$ref` to `#/components/requestBodies/…`",
                    )
                },
            )?,
        ),
    };
    Ok(Webhook {
        name,
        method: http_method(&method),
        at,
        callback_of,
        operation_id,
        summary,
        description,
        request_body,
    })
}

fn http_method(method: &str) -> HttpMethod {
    match method {
        "get" => HttpMethod::Get,
        "put" => HttpMethod::Put,
        "delete" => HttpMethod::Delete,
        "options" => HttpMethod::Options,
        "head" => HttpMethod::Head,
        "patch" => HttpMethod::Patch,
        "trace" => HttpMethod::Trace,
        _ => HttpMethod::Post,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hook(operation: HookOperation) -> FoundHook {
        FoundHook {
            name: "conferenceStatus".into(),
            method: "post".into(),
            operation,
            at: Pointer::root()
                .push("webhooks")
                .push("conferenceStatus")
                .push("post"),
            callback_of: None,
        }
    }

    #[test]
    fn a_hook_reads_its_names_and_request_body() {
        let op = json!({"operationId": "conference_status", "summary": "s",
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}});
        let read = parse_webhooks(
            &Reporter::new("t.yaml"),
            vec![hook(HookOperation::Found(op))],
        )
        .unwrap();
        assert_eq!(read[0].operation_id.as_deref(), Some("conference_status"));
        assert_eq!(read[0].method, HttpMethod::Post);
        assert!(matches!(read[0].request_body, Some(ReferenceOr::Item(_))));
    }

    #[test]
    fn bad_hooks_are_located_errors() {
        let e = parse_webhooks(
            &Reporter::new("t.yaml"),
            vec![hook(HookOperation::Dangling {
                reference: "#/components/callbacks/Nope".into(),
            })],
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("t.yaml: #/webhooks/conferenceStatus/post"),
            "{e}"
        );
        assert!(
            e.contains("`$ref: #/components/callbacks/Nope` points to nothing"),
            "{e}"
        );
        let op = json!({"requestBody": {"content": 5}});
        let e = parse_webhooks(
            &Reporter::new("t.yaml"),
            vec![hook(HookOperation::Found(op))],
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("t.yaml: #/webhooks/conferenceStatus/post/requestBody"),
            "{e}"
        );
    }
}
