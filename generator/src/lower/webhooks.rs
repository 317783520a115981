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
    let ct = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match ct.as_str() {
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
        offered.sort_by_key(|(e, _, _)| *e);
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
