//! Operations: selection, parameters, bodies and responses.

use super::Lowering;
use crate::error::{Pointer, Reporter, SpecError};
use crate::ir::{
    Body, BodyEncoding, ByStatus, Field, HttpMethod, Operation, ParamLocation, PathParam, PathPart,
    ResponseShape, StatusMatch, StatusVariant, Struct, StructRole, TypeDef, TypeId, TypeKind,
    TypeRef,
};
use crate::lower::schema::facts_of;
use crate::lower::Selection;
use crate::naming::{self, Scope};
use openapiv3::{
    OpenAPI, Parameter, ParameterSchemaOrContent, PathItem, ReferenceOr, Schema, SchemaKind,
    StatusCode, StringFormat, Type, VariantOrUnknownOrEmpty,
};
use std::collections::BTreeMap;

/// An operation found in the document.
pub(crate) struct Found<'d> {
    pub id: String,
    pub path: &'d str,
    pub method: HttpMethod,
    pub item: &'d PathItem,
    pub op: &'d openapiv3::Operation,
    pub pointer: Pointer,
}

/// Every operation in document order; rejects duplicate operationIds.
pub(crate) fn collect<'d>(
    reporter: &Reporter,
    doc: &'d OpenAPI,
) -> Result<Vec<Found<'d>>, SpecError> {
    let mut found: Vec<Found<'d>> = Vec::new();
    let mut ids: BTreeMap<String, Pointer> = BTreeMap::new();
    let explicit: std::collections::BTreeSet<&str> = doc
        .paths
        .paths
        .values()
        .filter_map(|item| item.as_item())
        .flat_map(methods)
        .filter_map(|(_, op)| op.operation_id.as_deref())
        .collect();
    for (path, item) in &doc.paths.paths {
        let at = Pointer::root().push("paths").push(path.clone());
        let ReferenceOr::Item(item) = item else {
            return Err(reporter.error_with_hint(
                &at,
                "a `$ref` path item is not supported",
                "inline the path item's operations",
            ));
        };
        for (method, op) in methods(item) {
            let op_at = at.push(method.as_str().to_ascii_lowercase());
            let id = match &op.operation_id {
                Some(id) => id.clone(),
                // Made-up ids must not collide with each other or with real ones
                // (`/a-b` and `/a_b` both give `get_a_b`).
                None => {
                    let base = naming::snake(&format!("{} {path}", method.as_str()));
                    let base = base.trim_start_matches("r#").to_string();
                    std::iter::once(base.clone())
                        .chain((2..).map(|n| format!("{base}_{n}")))
                        .find(|candidate| {
                            !ids.contains_key(candidate) && !explicit.contains(candidate.as_str())
                        })
                        .unwrap_or(base)
                }
            };
            if let Some(first) = ids.get(&id) {
                return Err(reporter.error_with_hint(
                    &op_at.push("operationId"),
                    format!("operationId `{id}` is used twice (first at {first})"),
                    "operationIds must be unique: rename one of them",
                ));
            }
            ids.insert(id.clone(), op_at.clone());
            found.push(Found {
                pointer: op_at.in_operation(&id),
                id,
                path,
                method,
                item,
                op,
            });
        }
    }
    Ok(found)
}

fn methods(item: &PathItem) -> impl Iterator<Item = (HttpMethod, &openapiv3::Operation)> {
    [
        (HttpMethod::Get, &item.get),
        (HttpMethod::Put, &item.put),
        (HttpMethod::Post, &item.post),
        (HttpMethod::Delete, &item.delete),
        (HttpMethod::Options, &item.options),
        (HttpMethod::Head, &item.head),
        (HttpMethod::Patch, &item.patch),
        (HttpMethod::Trace, &item.trace),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.as_ref().map(|op| (m, op)))
}

/// The operations to generate, in selection order (or document order for all).
pub(crate) fn select<'f, 'd>(
    reporter: &Reporter,
    all: &'f [Found<'d>],
    selection: &Selection,
) -> Result<Vec<&'f Found<'d>>, SpecError> {
    match selection {
        Selection::All => Ok(all.iter().collect()),
        Selection::Ids(ids) => {
            let mut chosen: Vec<&Found<'d>> = Vec::with_capacity(ids.len());
            for id in ids {
                match all.iter().find(|f| &f.id == id) {
                    Some(f) if chosen.iter().any(|c| c.id == f.id) => {}
                    Some(f) => chosen.push(f),
                    None => return Err(missing_operation(reporter, all, id)),
                }
            }
            Ok(chosen)
        }
    }
}

fn missing_operation(reporter: &Reporter, all: &[Found<'_>], id: &str) -> SpecError {
    // Close ids first: same words in another case, then small edit distance, then substrings.
    let wanted = naming::snake(id);
    let lower = id.to_lowercase();
    let mut scored: Vec<(usize, &str)> = all
        .iter()
        .filter_map(|f| {
            let candidate = f.id.to_lowercase();
            let distance = strsim::levenshtein(&lower, &candidate);
            let score = if naming::snake(&f.id) == wanted {
                0
            } else if distance <= 3 {
                distance
            } else if candidate.contains(&lower) {
                4
            } else {
                return None;
            };
            Some((score, f.id.as_str()))
        })
        .collect();
    scored.sort();
    let similar: Vec<&str> = scored.into_iter().map(|(_, id)| id).take(5).collect();
    let hint = if similar.is_empty() {
        format!(
            "the spec has {} operations; `telephony-codegen --list SPEC` prints their ids",
            all.len()
        )
    } else {
        format!(
            "did you mean {}?",
            similar
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    reporter.error_with_hint(
        &Pointer::root().push("paths"),
        format!("operation `{id}` is not in the spec"),
        hint,
    )
}

impl<'a> Lowering<'a> {
    pub(crate) fn operation(
        &mut self,
        found: &Found<'a>,
        methods: &mut Scope,
    ) -> Result<Operation, SpecError> {
        let at = &found.pointer;
        let op_name = naming::camel(&found.id);
        let mut args = Scope::with_reserved(&["self", "body", "params", "request", "response"]);
        let mut fields = Scope::default();
        let mut path_params = Vec::new();
        let mut params = Vec::new();
        let parameters = self.parameters(found)?;
        // A header named like a query parameter (`Sid` in both) gets its own field name.
        let query_names: Vec<String> = parameters
            .iter()
            .filter(|(p, _)| matches!(p, Parameter::Query { .. }))
            .map(|(p, _)| naming::snake(&p.parameter_data_ref().name))
            .collect();
        for (param, pointer) in parameters {
            let data = param.parameter_data_ref();
            // `None`: a path parameter.
            let location = match param {
                Parameter::Path { .. } => None,
                Parameter::Query { .. } => Some(ParamLocation::Query),
                Parameter::Header { .. } => {
                    // OpenAPI says these header parameters are ignored: the client sets them.
                    let name = data.name.to_ascii_lowercase();
                    if ["accept", "content-type", "authorization"].contains(&name.as_str()) {
                        continue;
                    }
                    Some(ParamLocation::Header)
                }
                Parameter::Cookie { .. } => {
                    return Err(self.reporter.error_with_hint(
                        &pointer,
                        format!("cookie parameter `{}` is not supported", data.name),
                        "send the value as a header or query parameter instead",
                    ))
                }
            };
            let hint = format!("{op_name}{}", naming::camel(&data.name));
            let mut union = None;
            let (ty, mut facts) = match &data.format {
                ParameterSchemaOrContent::Schema(schema) => {
                    union = self.scalar_union(schema, &pointer.push("schema"));
                    let ty = match (union.is_some(), time_type(schema)) {
                        // The caller writes the value as it goes on the wire: `204` or `front-desk`.
                        (true, _) => TypeRef::String,
                        // Filters on a date or an instant take one, not its text.
                        (false, Some(time)) if location.is_some() => time,
                        (false, _) => {
                            self.schema_or_ref(schema, &hint, &pointer.push("schema"))?
                                .ty
                        }
                    };
                    (ty, facts_of(schema))
                }
                ParameterSchemaOrContent::Content(_) => (TypeRef::Json, Default::default()),
            };
            facts.description = data.description.clone().or(facts.description);
            if let Some(filter) = inequality(&data.name, &ty) {
                facts.description = Some(filter.doc);
            }
            if let Some(kinds) = union {
                let note = format!("Any of: {}; sent exactly as written.", kinds.join(", "));
                facts.description = Some(match facts.description.take() {
                    Some(d) => format!("{d}\n\n{note}"),
                    None => note,
                });
            }
            facts.deprecated |= data.deprecated.unwrap_or(false);
            if let Some(example) = &data.example {
                facts.example = Some(example.to_string());
            }
            if location.is_none() && !self.is_path_scalar(&ty) {
                return Err(self.reporter.error_with_hint(
                    &pointer.push("schema"),
                    format!(
                        "path parameter `{}` must be a string, number, boolean or enum",
                        data.name
                    ),
                    "a path segment holds one value: give the parameter a scalar schema",
                ));
            }
            if location.is_some() && !self.is_form_value(&ty) {
                return Err(self.reporter.error_with_hint(
                    &pointer.push("schema"),
                    format!(
                        "parameter `{}` is an object, which cannot be encoded in a query string or header",
                        data.name
                    ),
                    "use scalar parameters, or arrays of scalars (sent as repeated keys)",
                ));
            }
            match location {
                None => path_params.push(PathParam {
                    wire_name: data.name.clone(),
                    rust_name: args.claim(&naming::snake(&data.name)),
                    ty,
                    facts,
                }),
                Some(location) => params.push(Field {
                    wire_name: data.name.clone(),
                    rust_name: fields.claim(&field_name(&data.name, location, &query_names)),
                    ty,
                    required: data.required,
                    nullable: false,
                    boxed: false,
                    location: Some(location),
                    facts,
                }),
            }
        }
        let path_parts = self.path_parts(found, &path_params)?;
        let params = (!params.is_empty()).then(|| self.params_struct(&op_name, params, at));
        let body = self.body(found, &op_name)?;
        let (success, error, success_example) = self.responses(found, &op_name)?;
        Ok(Operation {
            id: found.id.clone(),
            method_name: methods.claim(&naming::method(&found.id)),
            http_method: found.method,
            path: found.path.to_string(),
            path_parts,
            summary: found.op.summary.clone().filter(|s| !s.trim().is_empty()),
            description: found
                .op
                .description
                .clone()
                .filter(|s| !s.trim().is_empty()),
            deprecated: found.op.deprecated,
            tags: found.op.tags.clone(),
            path_params,
            params,
            body,
            success,
            error,
            success_example,
            account_param: None,
            pagination: None,
            // Claimed once every public method name is (see `lower`).
            request_method: String::new(),
        })
    }

    /// Path-item parameters overridden by the operation's own, by name and location.
    fn parameters(&self, found: &Found<'a>) -> Result<Vec<(&'a Parameter, Pointer)>, SpecError> {
        let item_at = Pointer::root()
            .push("paths")
            .push(found.path)
            .in_operation(&found.id);
        let mut merged: Vec<(&'a Parameter, Pointer)> = Vec::new();
        let sources = [
            (&found.item.parameters, item_at.push("parameters")),
            (&found.op.parameters, found.pointer.push("parameters")),
        ];
        for (list, base) in sources {
            for (i, p) in list.iter().enumerate() {
                let (param, pointer) = self.resolve(
                    p,
                    "parameters",
                    |c| &c.parameters,
                    &base.push(i.to_string()),
                )?;
                let key = (
                    param.parameter_data_ref().name.as_str(),
                    std::mem::discriminant(param),
                );
                merged.retain(|(q, _)| {
                    (
                        q.parameter_data_ref().name.as_str(),
                        std::mem::discriminant(*q),
                    ) != key
                });
                merged.push((param, pointer));
            }
        }
        Ok(merged)
    }

    fn path_parts(
        &self,
        found: &Found<'_>,
        params: &[PathParam],
    ) -> Result<Vec<PathPart>, SpecError> {
        let at = Pointer::root()
            .push("paths")
            .push(found.path)
            .in_operation(&found.id);
        let mut parts = Vec::new();
        let mut used = vec![false; params.len()];
        let mut rest = found.path;
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').map(|c| open + c).ok_or_else(|| {
                self.reporter.error_with_hint(
                    &at,
                    "the path template has a `{` without a closing `}`",
                    "close the parameter name: `/calls/{CallSid}`",
                )
            })?;
            if open > 0 {
                parts.push(PathPart::Literal(rest[..open].to_string()));
            }
            let name = &rest[open + 1..close];
            let index = params.iter().position(|p| p.wire_name == name).ok_or_else(|| {
                self.reporter.error_with_hint(
                    &at,
                    format!("the path template names `{{{name}}}` but the operation defines no path parameter `{name}`"),
                    format!("add a parameter with `name: {name}` and `in: path`"),
                )
            })?;
            used[index] = true;
            parts.push(PathPart::Param(index));
            rest = &rest[close + 1..];
        }
        if rest.contains('}') {
            return Err(self.reporter.error_with_hint(
                &at,
                "the path template has a `}` without an opening `{`",
                "open the parameter name: `/calls/{CallSid}`",
            ));
        }
        if !rest.is_empty() {
            parts.push(PathPart::Literal(rest.to_string()));
        }
        if let Some(unused) = used.iter().position(|u| !u) {
            return Err(self.reporter.error_with_hint(
                &found.pointer.push("parameters"),
                format!(
                    "path parameter `{}` does not appear in the path template",
                    params[unused].wire_name
                ),
                format!(
                    "add `{{{}}}` to the path, or make it a query parameter",
                    params[unused].wire_name
                ),
            ));
        }
        Ok(parts)
    }

    /// The struct of an operation's query and header parameters.
    fn params_struct(&mut self, op_name: &str, fields: Vec<Field>, at: &Pointer) -> TypeId {
        let (id, name) = self.claim_type(&format!("{op_name}Params"));
        self.insert_type(
            id,
            TypeDef {
                name,
                origin: at.push("parameters").to_string(),
                description: Some(format!("Query and header parameters of `{}`.", op_name)),
                kind: TypeKind::Struct(Struct {
                    fields,
                    role: StructRole::Params,
                }),
            },
        );
        id
    }

    fn body(&mut self, found: &Found<'a>, op_name: &str) -> Result<Option<Body>, SpecError> {
        let Some(body) = &found.op.request_body else {
            return Ok(None);
        };
        let (body, at) = self.resolve(
            body,
            "requestBodies",
            |c| &c.request_bodies,
            &found.pointer.push("requestBody"),
        )?;
        // The first offered media type in `BodyEncoding`'s order (ties: the spec's order).
        let Some((encoding, media_type, media)) = body
            .content
            .iter()
            .filter_map(|(ct, media)| body_encoding(ct).map(|e| (e, ct, media)))
            .min_by_key(|(e, _, _)| *e)
        else {
            return match body.content.keys().next() {
                None => Ok(None),
                Some(ct) => Err(self.reporter.error_with_hint(
                    &at.push("content").push(ct.clone()),
                    format!("request content type `{ct}` is not supported"),
                    "supported request bodies are application/json, application/x-www-form-urlencoded, multipart/form-data, text/plain and application/octet-stream",
                )),
            };
        };
        let schema_at = at.push("content").push(media_type.clone()).push("schema");
        let hint = match &media.schema {
            Some(ReferenceOr::Item(s)) => s.schema_data.title.as_deref().map(naming::camel),
            _ => None,
        }
        .unwrap_or_else(|| format!("{op_name}Request"));
        let ty = match (encoding, &media.schema) {
            (BodyEncoding::Text, _) => TypeRef::String,
            (BodyEncoding::Bytes, _) => TypeRef::Bytes,
            (_, Some(schema)) => self.schema_or_ref(schema, &hint, &schema_at)?.ty,
            (_, None) => TypeRef::Json,
        };
        match encoding {
            BodyEncoding::Form => {
                self.define_pending()?;
                self.mark_form(&ty, &schema_at, StructRole::Form)?;
            }
            BodyEncoding::Multipart => {
                self.define_pending()?;
                let files = match &media.schema {
                    Some(schema) => self.binary_properties(schema, &schema_at),
                    None => Vec::new(),
                };
                self.mark_form(&ty, &schema_at, StructRole::Multipart)?;
                self.mark_files(&ty, &files);
            }
            BodyEncoding::Json | BodyEncoding::Text | BodyEncoding::Bytes => {}
        }
        Ok(Some(Body {
            encoding,
            ty,
            required: body.required,
            description: body.description.clone(),
        }))
    }

    /// The properties of a multipart body schema that are files (`type: string, format:
    /// binary`), by wire name.
    fn binary_properties(
        &self,
        schema: &'a ReferenceOr<openapiv3::Schema>,
        at: &Pointer,
    ) -> Vec<String> {
        use openapiv3::{SchemaKind, StringFormat, Type, VariantOrUnknownOrEmpty};
        let Ok((schema, _)) = self.resolve(schema, "schemas", |c| &c.schemas, at) else {
            return Vec::new();
        };
        let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
            return Vec::new();
        };
        object
            .properties
            .iter()
            .filter(|(_, property)| {
                let property = match property {
                    ReferenceOr::Item(p) => Some(&**p),
                    ReferenceOr::Reference { reference } => reference
                        .strip_prefix("#/components/schemas/")
                        .and_then(|name| self.doc.components.as_ref()?.schemas.get(name))
                        .and_then(|s| s.as_item()),
                };
                matches!(
                    property.map(|p| &p.schema_kind),
                    Some(SchemaKind::Type(Type::String(s)))
                        if s.format == VariantOrUnknownOrEmpty::Item(StringFormat::Binary)
                )
            })
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// Makes the named fields of a multipart struct file parts.
    fn mark_files(&mut self, ty: &TypeRef, files: &[String]) {
        let TypeRef::Named(id) = *ty else { return };
        if let Some(Some(TypeDef {
            kind: TypeKind::Struct(s),
            ..
        })) = self.types.get_mut(id.index())
        {
            for field in &mut s.fields {
                if files.contains(&field.wire_name) {
                    field.ty = TypeRef::File;
                }
            }
        }
    }

    /// A form or multipart body must be a struct of values that have a text form.
    fn mark_form(&mut self, ty: &TypeRef, at: &Pointer, role: StructRole) -> Result<(), SpecError> {
        let TypeRef::Named(id) = *ty else {
            return Err(self.reporter.error_with_hint(
                at,
                "a form body must be an object with properties",
                "give the body schema `type: object` and `properties`, or send it as JSON",
            ));
        };
        let nested: Option<String> = match self.type_def(id).map(|t| &t.kind) {
            Some(TypeKind::Struct(s)) => s
                .fields
                .iter()
                .find(|f| !self.is_form_value(&f.ty))
                .map(|f| f.wire_name.clone()),
            _ => {
                return Err(self.reporter.error_with_hint(
                    at,
                    "a form body must be an object with properties",
                    "give the body schema `type: object` and `properties`, or send it as JSON",
                ))
            }
        };
        if let Some(field) = nested {
            return Err(self.reporter.error_with_hint(
                &at.push("properties").push(field.clone()),
                format!("form property `{field}` is an object, which form encoding cannot express"),
                "use a JSON request body, or flatten the object into separate properties",
            ));
        }
        if let Some(Some(TypeDef {
            kind: TypeKind::Struct(s),
            ..
        })) = self.types.get_mut(id.index())
        {
            s.role = role;
        }
        Ok(())
    }

    fn is_enum(&self, id: TypeId) -> bool {
        matches!(self.type_def(id).map(|t| &t.kind), Some(TypeKind::Enum(_)))
    }

    /// The member types of a `oneOf`/`anyOf` whose members are all scalars (`[integer,
    /// string]`), in the spec's order; `None` for any other schema.
    fn scalar_union(
        &self,
        schema: &'a ReferenceOr<openapiv3::Schema>,
        at: &Pointer,
    ) -> Option<Vec<&'static str>> {
        use openapiv3::{SchemaKind, Type};
        let (schema, _) = self.resolve(schema, "schemas", |c| &c.schemas, at).ok()?;
        let members = match &schema.schema_kind {
            SchemaKind::OneOf { one_of } => one_of,
            SchemaKind::AnyOf { any_of } => any_of,
            _ => return None,
        };
        let kinds = members
            .iter()
            .map(|m| {
                let (m, _) = self.resolve(m, "schemas", |c| &c.schemas, at).ok()?;
                match &m.schema_kind {
                    SchemaKind::Type(Type::String(_)) => Some("string"),
                    SchemaKind::Type(Type::Integer(_)) => Some("integer"),
                    SchemaKind::Type(Type::Number(_)) => Some("number"),
                    SchemaKind::Type(Type::Boolean(_)) => Some("boolean"),
                    _ => None,
                }
            })
            .collect::<Option<Vec<_>>>()?;
        (kinds.len() > 1).then_some(kinds)
    }

    fn is_path_scalar(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Named(id) => self.is_enum(*id),
            TypeRef::String
            | TypeRef::Bool
            | TypeRef::I32
            | TypeRef::I64
            | TypeRef::F64
            | TypeRef::Timestamp
            | TypeRef::Date
            | TypeRef::DateTime => true,
            TypeRef::Json | TypeRef::Bytes | TypeRef::File | TypeRef::List(_) | TypeRef::Map(_) => {
                false
            }
        }
    }

    fn is_form_value(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::List(inner) => {
                !matches!(**inner, TypeRef::List(_)) && self.is_form_value(inner)
            }
            TypeRef::Named(id) => self.is_enum(*id),
            TypeRef::Map(_) | TypeRef::Bytes | TypeRef::File => false,
            _ => true,
        }
    }

    fn responses(
        &mut self,
        found: &Found<'a>,
        op_name: &str,
    ) -> Result<(ResponseShape, ResponseShape, Option<String>), SpecError> {
        let responses = &found.op.responses;
        let mut examples: Vec<(StatusMatch, String)> = Vec::new();
        let base = found.pointer.push("responses");
        let mut cases: Vec<(StatusMatch, Option<TypeRef>, Option<String>)> = Vec::new();
        let entries = responses
            .responses
            .iter()
            .map(|(code, r)| (status_match(code), code.to_string(), r))
            .chain(
                responses
                    .default
                    .iter()
                    .map(|r| (StatusMatch::Default, "default".to_string(), r)),
            );
        for (status, key, response) in entries {
            let (response, at) =
                self.resolve(response, "responses", |c| &c.responses, &base.push(key))?;
            let json = response.content.iter().find(|(ct, _)| is_json(ct));
            if let Some(example) = json.and_then(|(_, media)| media_example(media)) {
                examples.push((status, example));
            }
            let ty = match json {
                Some((ct, media)) => {
                    let hint = match &media.schema {
                        Some(ReferenceOr::Item(s)) => {
                            s.schema_data.title.as_deref().map(naming::camel)
                        }
                        _ => None,
                    }
                    .unwrap_or_else(|| format!("{op_name}Response"));
                    match &media.schema {
                        Some(schema) => Some(
                            self.schema_or_ref(
                                schema,
                                &hint,
                                &at.push("content").push(ct.clone()).push("schema"),
                            )?
                            .ty,
                        ),
                        None => Some(TypeRef::Json),
                    }
                }
                None => None,
            };
            cases.push((
                status,
                ty,
                Some(response.description.clone()).filter(|d| !d.is_empty()),
            ));
        }
        cases.sort_by_key(|c| c.0);
        let (success, errors): (Vec<_>, Vec<_>) =
            cases.into_iter().partition(|(s, _, _)| is_success(*s));
        let success = self.success_shape(op_name, success, &found.pointer);
        let error = self.error_shape(op_name, errors, &found.pointer);
        let example = examples
            .into_iter()
            .filter(|(status, _)| is_success(*status))
            .min_by_key(|(status, _)| *status)
            .map(|(_, example)| example);
        Ok((success, error, example))
    }

    fn success_shape(&mut self, op_name: &str, cases: Vec<Case>, at: &Pointer) -> ResponseShape {
        let mut types: Vec<&Option<TypeRef>> = cases.iter().map(|c| &c.1).collect();
        types.dedup();
        match types.as_slice() {
            [] | [None] => ResponseShape::Untyped,
            [Some(ty)] => ResponseShape::Typed(ty.clone()),
            _ => {
                let variants = cases
                    .into_iter()
                    .map(|(status, ty, description)| StatusVariant {
                        name: status_variant_name(status),
                        statuses: vec![status],
                        ty,
                        description,
                    })
                    .collect();
                self.by_status(format!("{op_name}Response"), variants, None, at)
            }
        }
    }

    fn error_shape(&mut self, op_name: &str, cases: Vec<Case>, at: &Pointer) -> ResponseShape {
        // Group statuses by body type; statuses without a body fall back to the envelope.
        let mut groups: Vec<(TypeRef, Vec<StatusMatch>, Option<String>)> = Vec::new();
        for (status, ty, description) in cases {
            let Some(ty) = ty else { continue };
            match groups.iter_mut().find(|g| g.0 == ty) {
                Some(group) => group.1.push(status),
                None => groups.push((ty, vec![status], description)),
            }
        }
        match groups.len() {
            0 => ResponseShape::Untyped,
            1 => ResponseShape::Typed(groups.remove(0).0),
            _ => {
                let mut names = Scope::with_reserved(&["Other"]);
                let variants = groups
                    .into_iter()
                    .map(|(ty, statuses, description)| StatusVariant {
                        name: names.claim(&match &ty {
                            TypeRef::Named(id) => self.type_name(*id).to_string(),
                            _ => status_variant_name(statuses[0]),
                        }),
                        statuses,
                        ty: Some(ty),
                        description,
                    })
                    .collect();
                self.by_status(
                    format!("{op_name}Error"),
                    variants,
                    Some("Other".into()),
                    at,
                )
            }
        }
    }

    fn by_status(
        &mut self,
        hint: String,
        variants: Vec<StatusVariant>,
        fallback: Option<String>,
        at: &Pointer,
    ) -> ResponseShape {
        let (id, name) = self.claim_type(&hint);
        self.insert_type(
            id,
            TypeDef {
                name,
                origin: at.push("responses").to_string(),
                description: None,
                kind: TypeKind::ByStatus(ByStatus { variants, fallback }),
            },
        );
        ResponseShape::ByStatus(id)
    }
}

type Case = (StatusMatch, Option<TypeRef>, Option<String>);

fn status_match(code: &StatusCode) -> StatusMatch {
    match code {
        StatusCode::Code(c) => StatusMatch::Code(*c),
        StatusCode::Range(r) => StatusMatch::Class(*r),
    }
}

/// A media type's example as JSON text: its `example`, else its first inline `examples` value.
fn media_example(media: &openapiv3::MediaType) -> Option<String> {
    let value = media.example.as_ref().or_else(|| {
        media.examples.values().find_map(|example| match example {
            ReferenceOr::Item(example) => example.value.as_ref(),
            ReferenceOr::Reference { .. } => None,
        })
    })?;
    Some(value.to_string())
}

fn is_success(status: StatusMatch) -> bool {
    match status {
        StatusMatch::Code(c) => (200..300).contains(&c),
        StatusMatch::Class(c) => c == 2,
        StatusMatch::Default => false,
    }
}

fn status_variant_name(status: StatusMatch) -> String {
    match status {
        StatusMatch::Code(c) => format!("Status{c}"),
        StatusMatch::Class(c) => format!("Status{c}xx"),
        StatusMatch::Default => "Default".to_string(),
    }
}

/// `Date` or `DateTime` for a string schema of `format: date` or `date-time`.
fn time_type(schema: &ReferenceOr<Schema>) -> Option<TypeRef> {
    let ReferenceOr::Item(schema) = schema else {
        return None;
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => match &s.format {
            VariantOrUnknownOrEmpty::Item(StringFormat::Date) => Some(TypeRef::Date),
            VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => Some(TypeRef::DateTime),
            _ => None,
        },
        _ => None,
    }
}

/// A Twilio-style inequality filter: `DateCreated<` goes on the wire as `DateCreated<=…`
/// once its value is appended, so it means "on or before"; `>` means "on or after".
struct Inequality {
    /// `date_created_on_or_before`.
    rust_name: String,
    doc: String,
}

fn inequality(wire: &str, ty: &TypeRef) -> Option<Inequality> {
    let (base, relation) = match wire.as_bytes().last()? {
        b'<' => (&wire[..wire.len() - 1], "on_or_before"),
        b'>' => (&wire[..wire.len() - 1], "on_or_after"),
        _ => return None,
    };
    if base.is_empty() || !base.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let what = match ty {
        TypeRef::Date => "date",
        TypeRef::DateTime | TypeRef::Timestamp => "time",
        _ => "value",
    };
    let words = relation.replace('_', " ");
    let snake = naming::snake(base);
    Some(Inequality {
        rust_name: format!("{}_{relation}", snake.trim_start_matches("r#")),
        doc: format!(
            "Only results whose `{}` is {words} this {what}. Sent as `{wire}`, which the API reads as `{base}{}=…`.",
            snake.trim_start_matches("r#"),
            &wire[base.len()..],
        ),
    })
}

/// A query or header field's Rust name: a header that shares its name with a query parameter
/// says where it goes (`sid` and `sid_header`); an inequality filter says which way it goes
/// (`date_created_on_or_after` for `DateCreated>`).
fn field_name(wire: &str, location: ParamLocation, query_names: &[String]) -> String {
    if let Some(filter) = inequality(wire, &TypeRef::String) {
        return filter.rust_name;
    }
    let name = naming::snake(wire);
    if location == ParamLocation::Header && query_names.contains(&name) {
        format!("{}_header", name.trim_start_matches("r#"))
    } else {
        name
    }
}

/// A content type's media type, without parameters, lower-case: `application/json`.
pub(super) fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn is_json(content_type: &str) -> bool {
    let ct = media_type(content_type);
    ct == "application/json" || ct.ends_with("+json") || ct == "*/*"
}

fn body_encoding(content_type: &str) -> Option<BodyEncoding> {
    let ct = media_type(content_type);
    match ct.as_str() {
        "application/x-www-form-urlencoded" => Some(BodyEncoding::Form),
        "multipart/form-data" => Some(BodyEncoding::Multipart),
        "text/plain" => Some(BodyEncoding::Text),
        "application/octet-stream" => Some(BodyEncoding::Bytes),
        ct if is_json(ct) => Some(BodyEncoding::Json),
        _ => None,
    }
}
