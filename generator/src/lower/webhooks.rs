//! Webhooks and callbacks → [`Webhook`]s whose payload is a struct in the type table, lowered
//! like any request body's schema.

use super::{Lowering, Selection};
use crate::document::Webhook as Found;
use crate::error::SpecError;
use crate::ir::{BodyEncoding, TypeKind, TypeRef, Webhook};
use crate::naming;
use openapiv3::ReferenceOr;

/// The media types a payload may be documented with, by their encoding.
fn payload_encoding(content_type: &str) -> Option<BodyEncoding> {
    match super::operation::media_type(content_type).as_str() {
        "application/x-www-form-urlencoded" => Some(BodyEncoding::Form),
        "application/json" => Some(BodyEncoding::Json),
        ct if ct.ends_with("+json") => Some(BodyEncoding::Json),
        _ => None,
    }
}

/// Whether a hook belongs to the generated module: every webhook, and the callbacks of the
/// selected operations.
pub(crate) fn selected(hook: &Found, selection: &Selection, chosen: &[String]) -> bool {
    match (&hook.callback_of, selection) {
        (None, _) => true,
        (Some(_), Selection::All) => true,
        (Some(owner), Selection::Ids(_)) => chosen.contains(owner),
    }
}

impl<'a> Lowering<'a> {
    /// One hook's payload; `None` (after a warning) when the spec gives none that can be typed.
    pub(crate) fn webhook(&mut self, hook: &'a Found) -> Result<Option<Webhook>, SpecError> {
        let at = match &hook.callback_of {
            Some(owner) => hook.at.in_operation(owner),
            None => hook.at.clone(),
        };
        let what = match &hook.callback_of {
            Some(_) => format!("callback `{}`", hook.name),
            None => format!("webhook `{}`", hook.name),
        };
        let Some(body) = &hook.request_body else {
            self.reporter.warn(
                &at,
                format!("{what} has no `requestBody`, so it has no payload to type; it is left out"),
                "describe what the API sends: `requestBody: {content: {application/x-www-form-urlencoded: {schema: …}}}`",
            )?;
            return Ok(None);
        };
        let (body, body_at) = self.resolve(
            body,
            "requestBodies",
            |c| &c.request_bodies,
            &at.push("requestBody"),
        )?;
        let mut offered: Vec<(BodyEncoding, &'a String, &'a openapiv3::MediaType)> = body
            .content
            .iter()
            .filter_map(|(ct, media)| payload_encoding(ct).map(|e| (e, ct, media)))
            .collect();
        // Form fields first: what Twilio-protocol APIs post (the sort is stable, so among
        // JSON types the spec's order stays).
        offered.sort_by_key(|(e, _, _)| *e != BodyEncoding::Form);
        let Some(&(_, media_type, media)) = offered.first() else {
            let (pointer, problem) = match body.content.keys().next() {
                Some(ct) => (
                    body_at.push("content").push(ct.clone()),
                    format!("{what}: request content type `{ct}` is not supported for a payload, so it is left out"),
                ),
                None => (
                    body_at.push("content"),
                    format!("{what}: the request body has no `content`, so it is left out"),
                ),
            };
            self.reporter.warn(
                &pointer,
                problem,
                "webhook payloads are typed from `application/x-www-form-urlencoded` or `application/json` content",
            )?;
            return Ok(None);
        };
        let schema_at = body_at
            .push("content")
            .push(media_type.clone())
            .push("schema");
        let Some(schema) = &media.schema else {
            self.reporter.warn(
                &schema_at,
                format!("{what}: the media type has no `schema`, so the payload is left out"),
                "add the payload's `schema: {type: object, properties: …}`",
            )?;
            return Ok(None);
        };
        let hint = match schema {
            ReferenceOr::Item(s) => s.schema_data.title.as_deref().map(naming::camel),
            ReferenceOr::Reference { .. } => None,
        }
        .unwrap_or_else(|| naming::camel(&hook.name));
        let lowered = self.schema_or_ref(schema, &hint, &schema_at)?;
        self.define_pending()?;
        let payload = match lowered.ty {
            TypeRef::Named(id)
                if matches!(
                    self.type_def(id).map(|d| &d.kind),
                    Some(TypeKind::Struct(_))
                ) =>
            {
                id
            }
            _ => {
                self.reporter.warn(
                    &schema_at,
                    format!("{what}: the payload is not an object with `properties`, so it is left out"),
                    "a payload is decoded field by field: give its schema `type: object` and `properties`",
                )?;
                return Ok(None);
            }
        };
        let mut encodings: Vec<BodyEncoding> = offered.iter().map(|(e, _, _)| *e).collect();
        encodings.dedup();
        Ok(Some(Webhook {
            name: hook.name.clone(),
            http_method: hook.method,
            origin: hook.at.to_string(),
            callback_of: hook.callback_of.clone(),
            summary: hook.summary.clone(),
            description: hook.description.clone(),
            payload,
            encodings,
        }))
    }
}

#[cfg(test)]
mod tests {
    use crate::ir::{Api, BodyEncoding, TypeKind, TypeRef};
    use crate::Selection;

    const SPEC: &str = r#"
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /calls:
    post:
      operationId: CreateCall
      callbacks:
        callStatus:
          '{$request.body#/StatusCallback}':
            post:
              requestBody:
                content:
                  application/x-www-form-urlencoded:
                    schema:
                      type: object
                      required: [CallSid]
                      properties:
                        CallSid: {type: string}
                        CallStatus: {type: string, enum: [ringing, completed]}
                        Muted: {type: boolean}
                  application/json:
                    schema: {type: object}
              responses: {'200': {description: ok}}
      responses: {'200': {description: ok}}
  /other:
    get:
      operationId: Other
      callbacks:
        otherStatus:
          '{$request.query.url}':
            post:
              requestBody:
                content:
                  application/json:
                    schema: {$ref: '#/components/schemas/Shared'}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Shared'}
webhooks:
  noBody:
    post:
      responses: {'200': {description: ok}}
  xml:
    post:
      requestBody:
        content:
          text/xml: {schema: {type: string}}
  scalar:
    post:
      requestBody:
        content:
          application/json: {schema: {type: string}}
components:
  schemas:
    Shared:
      type: object
      properties:
        sid: {type: string}
"#;

    fn lower(selection: Selection) -> (Api, Vec<String>) {
        let loaded = crate::load::load_text("t.yaml", SPEC.as_bytes()).unwrap();
        let reporter = loaded.reporter;
        let mut doc = loaded.doc;
        let hooks = crate::normalize::normalize(&mut doc);
        let doc = crate::document::parse_document(&reporter, doc).unwrap();
        let hooks = crate::document::parse_webhooks(&reporter, hooks).unwrap();
        let api = super::super::lower_with_webhooks(
            &reporter,
            &doc,
            &hooks,
            &selection,
            loaded.inputs,
            None,
        )
        .unwrap();
        let warnings = reporter
            .take_warnings()
            .iter()
            .map(ToString::to_string)
            .collect();
        (api, warnings)
    }

    #[test]
    fn callbacks_become_payload_structs_with_typed_fields() {
        let (api, _) = lower(Selection::All);
        let names: Vec<&str> = api.webhooks.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["callStatus", "otherStatus"]);
        let hook = &api.webhooks[0];
        assert_eq!(hook.callback_of.as_deref(), Some("CreateCall"));
        assert_eq!(hook.encodings, [BodyEncoding::Form, BodyEncoding::Json]);
        let def = api.type_def(hook.payload);
        assert_eq!(def.name, "CallStatus");
        let TypeKind::Struct(s) = &def.kind else {
            panic!("{def:?}")
        };
        let fields: Vec<(&str, bool)> = s
            .fields
            .iter()
            .map(|f| (f.wire_name.as_str(), f.required))
            .collect();
        assert_eq!(
            fields,
            [("CallSid", true), ("CallStatus", false), ("Muted", false)]
        );
        assert_eq!(s.fields[2].ty, TypeRef::Bool);
        assert!(
            matches!(s.fields[1].ty, TypeRef::Named(id) if matches!(api.type_def(id).kind, TypeKind::Enum(_)))
        );
        // A component payload is the component's own type, shared with the operation.
        assert_eq!(api.type_def(api.webhooks[1].payload).name, "Shared");
    }

    #[test]
    fn payloads_that_cannot_be_typed_are_left_out_with_located_warnings() {
        let (_, warnings) = lower(Selection::All);
        assert_eq!(warnings.len(), 3, "{warnings:#?}");
        assert!(
            warnings[0].starts_with(
                "t.yaml: #/webhooks/noBody/post: webhook `noBody` has no `requestBody`"
            ),
            "{warnings:#?}"
        );
        assert!(warnings[1].starts_with("t.yaml: #/webhooks/xml/post/requestBody/content/text~1xml: webhook `xml`: request content type `text/xml` is not supported"), "{warnings:#?}");
        assert!(warnings[2].starts_with("t.yaml: #/webhooks/scalar/post/requestBody/content/application~1json/schema: webhook `scalar`: the payload is not an object"), "{warnings:#?}");
    }

    /// `--strict` makes the first payload that cannot be typed an error.
    #[test]
    fn strict_runs_refuse_payloads_that_cannot_be_typed() {
        let loaded = crate::load::load_text("t.yaml", SPEC.as_bytes()).unwrap();
        let reporter = loaded.reporter.strict(true);
        let mut doc = loaded.doc;
        let hooks = crate::normalize::normalize(&mut doc);
        let doc = crate::document::parse_document(&reporter, doc).unwrap();
        let hooks = crate::document::parse_webhooks(&reporter, hooks).unwrap();
        let e = super::super::lower_with_webhooks(
            &reporter,
            &doc,
            &hooks,
            &Selection::All,
            loaded.inputs,
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("t.yaml: #/webhooks/noBody/post: webhook `noBody` has no `requestBody`"),
            "{e}"
        );
    }

    #[test]
    fn only_the_selected_operations_callbacks_are_lowered() {
        let (api, _) = lower(Selection::Ids(vec!["Other".into()]));
        let names: Vec<&str> = api.webhooks.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["otherStatus"]);
        assert!(api.types.iter().all(|t| t.name != "CallStatus"));
    }
}
