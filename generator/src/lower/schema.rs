//! Schemas → [`TypeRef`]s and named [`TypeDef`]s.

use super::{InOperationOf, Lowering};
use crate::error::{Pointer, SpecError};
use crate::ir::{Enum, EnumValue, Facts, Field, Struct, TypeDef, TypeKind, TypeRef};
use crate::naming::{self, Scope};
use openapiv3::{
    AdditionalProperties, ReferenceOr, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// A schema's Rust type and whether `null` is one of its values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Lowered {
    pub ty: TypeRef,
    pub nullable: bool,
}

type Properties = indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>;

/// An object's properties gathered from one schema or several (`allOf`).
#[derive(Default)]
struct ObjectParts<'d> {
    properties: Vec<(&'d str, &'d ReferenceOr<Box<Schema>>, Pointer)>,
    required: BTreeSet<&'d str>,
}

impl<'a> Lowering<'a> {
    /// Lowers a schema or a reference to one. `hint` names types made for inline schemas.
    pub(crate) fn schema_or_ref(
        &mut self,
        schema: &'a ReferenceOr<Schema>,
        hint: &str,
        at: &Pointer,
    ) -> Result<Lowered, SpecError> {
        self.nested(at, |cx| match schema {
            ReferenceOr::Reference { reference } => cx.component_schema(reference, at),
            ReferenceOr::Item(s) => cx.schema(s, hint, at),
        })
    }

    /// Runs `f` one schema level deeper; `$ref` chains can nest without bound, the stack cannot.
    fn nested<T>(
        &mut self,
        at: &Pointer,
        f: impl FnOnce(&mut Self) -> Result<T, SpecError>,
    ) -> Result<T, SpecError> {
        const MAX_DEPTH: usize = 256;
        if self.depth >= MAX_DEPTH {
            return Err(self.reporter.error_with_hint(
                at,
                format!("schemas nest more than {MAX_DEPTH} levels deep (counting `$ref` hops)"),
                "flatten the schema, or break the chain of references",
            ));
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    pub(crate) fn boxed_schema_or_ref(
        &mut self,
        schema: &'a ReferenceOr<Box<Schema>>,
        hint: &str,
        at: &Pointer,
    ) -> Result<Lowered, SpecError> {
        self.nested(at, |cx| match schema {
            ReferenceOr::Reference { reference } => cx.component_schema(reference, at),
            ReferenceOr::Item(s) => cx.schema(s, hint, at),
        })
    }

    /// A `#/components/schemas/X` reference, lowered once and cached. A named type is
    /// registered before its fields are lowered, so recursive schemas terminate.
    fn component_schema(&mut self, reference: &str, at: &Pointer) -> Result<Lowered, SpecError> {
        let name = self.component_name(reference, "schemas", at)?;
        if let Some(done) = self.components.get(&name) {
            return Ok(done.clone());
        }
        let doc = self.doc;
        let item = doc
            .components
            .as_ref()
            .and_then(|c| c.schemas.get(&name))
            .ok_or_else(|| self.dangling(reference, at))?;
        let at = Pointer::root()
            .push("components")
            .push("schemas")
            .push(name.clone())
            .in_operation_of(at);
        let (schema, pointer) = self.resolve(item, "schemas", |c| &c.schemas, &at)?;
        let resolved_name = pointer.tokens().last().cloned().unwrap_or(name.clone());
        let hint = naming::camel(&resolved_name);
        let lowered = if self.is_named(schema, &pointer)? {
            let rust_name = self.type_names.claim(&hint);
            let lowered = Lowered {
                ty: TypeRef::Named(rust_name.clone()),
                nullable: schema.schema_data.nullable,
            };
            self.components.insert(name.clone(), lowered.clone());
            self.components.insert(resolved_name, lowered.clone());
            if is_enum_schema(schema) {
                self.define(schema, rust_name, &pointer)?;
            } else {
                // Structs are defined from a work list, so a chain of `$ref`s does not nest
                // calls (and cannot overflow the stack).
                self.pending.push_back((rust_name, schema, pointer));
            }
            lowered
        } else {
            // An unnamed shape (array, map, union) that reaches itself again has no Rust type.
            if !self.unnamed_in_progress.insert(resolved_name.clone()) {
                return Err(self.reporter.error_with_hint(
                    &at,
                    format!("`$ref: {reference}` contains itself through arrays, maps or `allOf`/`oneOf` alone, with no object in between"),
                    "wrap the recursion in an object with a property",
                ));
            }
            let lowered = self.schema(schema, &hint, &pointer);
            self.unnamed_in_progress.remove(&resolved_name);
            let lowered = lowered?;
            self.components.insert(resolved_name, lowered.clone());
            lowered
        };
        self.components.insert(name, lowered.clone());
        Ok(lowered)
    }

    /// Whether a schema becomes a named type (struct or enum).
    fn is_named(&self, schema: &'a Schema, at: &Pointer) -> Result<bool, SpecError> {
        Ok(match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => s.enumeration.iter().any(Option::is_some),
            SchemaKind::Type(Type::Object(o)) => !o.properties.is_empty(),
            SchemaKind::AllOf { all_of } => {
                all_of.len() > 1 && self.object_parts(schema, at)?.is_some()
            }
            SchemaKind::Any(any) => {
                !any.properties.is_empty() || self.any_enum_strings(&any.enumeration, at)?.is_some()
            }
            _ => false,
        })
    }

    /// Lowers an inline schema; named types it needs are called `hint`.
    pub(crate) fn schema(
        &mut self,
        schema: &'a Schema,
        hint: &str,
        at: &Pointer,
    ) -> Result<Lowered, SpecError> {
        let nullable = schema.schema_data.nullable;
        let plain = |ty| Ok(Lowered { ty, nullable });
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                if s.enumeration.iter().any(Option::is_some) {
                    let values: Vec<&str> =
                        s.enumeration.iter().flatten().map(String::as_str).collect();
                    let ty = self.intern_enum(hint, &values, schema, at);
                    let nullable = nullable || s.enumeration.iter().any(Option::is_none);
                    return Ok(Lowered { ty, nullable });
                }
                plain(string_type(&s.format))
            }
            SchemaKind::Type(Type::Integer(i)) => plain(match &i.format {
                VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int32) => TypeRef::I32,
                _ => TypeRef::I64,
            }),
            SchemaKind::Type(Type::Number(_)) => plain(TypeRef::F64),
            SchemaKind::Type(Type::Boolean(_)) => plain(TypeRef::Bool),
            SchemaKind::Type(Type::Object(o)) => {
                if o.properties.is_empty() {
                    let ty = self.map_type(o.additional_properties.as_ref(), hint, at)?;
                    plain(ty)
                } else {
                    self.named_struct(schema, hint, at)
                }
            }
            SchemaKind::Type(Type::Array(a)) => match &a.items {
                Some(items) => {
                    let item =
                        self.boxed_schema_or_ref(items, &format!("{hint}Item"), &at.push("items"))?;
                    plain(TypeRef::List(Box::new(item.ty)))
                }
                None => plain(TypeRef::List(Box::new(TypeRef::Json))),
            },
            SchemaKind::AllOf { all_of } if all_of.len() == 1 => {
                let inner = self.schema_or_ref(&all_of[0], hint, &at.push("allOf").push("0"))?;
                Ok(Lowered {
                    ty: inner.ty,
                    nullable: nullable || inner.nullable,
                })
            }
            SchemaKind::AllOf { .. } => {
                if self.object_parts(schema, at)?.is_some() {
                    self.named_struct(schema, hint, at)
                } else {
                    plain(TypeRef::Json)
                }
            }
            SchemaKind::OneOf { one_of: members } | SchemaKind::AnyOf { any_of: members }
                if members.len() == 1 =>
            {
                let key = if matches!(schema.schema_kind, SchemaKind::OneOf { .. }) {
                    "oneOf"
                } else {
                    "anyOf"
                };
                let inner = self.schema_or_ref(&members[0], hint, &at.push(key).push("0"))?;
                Ok(Lowered {
                    ty: inner.ty,
                    nullable: nullable || inner.nullable,
                })
            }
            // Unions of several shapes stay untyped JSON: safe to decode, never lossy.
            SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } | SchemaKind::Not { .. } => {
                plain(TypeRef::Json)
            }
            SchemaKind::Any(any) => {
                if !any.properties.is_empty() {
                    return self.named_struct(schema, hint, at);
                }
                if let Some(values) = self.any_enum_strings(&any.enumeration, at)? {
                    let values: Vec<&str> = values.iter().map(String::as_str).collect();
                    let ty = self.intern_enum(hint, &values, schema, at);
                    let nullable = nullable || any.enumeration.iter().any(Value::is_null);
                    return Ok(Lowered { ty, nullable });
                }
                let ty = match any.typ.as_deref() {
                    Some("string") => string_type(&match any.format.as_deref() {
                        Some(f) => VariantOrUnknownOrEmpty::Unknown(f.to_string()),
                        None => VariantOrUnknownOrEmpty::Empty,
                    }),
                    Some("integer") => TypeRef::I64,
                    Some("number") => TypeRef::F64,
                    Some("boolean") => TypeRef::Bool,
                    Some("array") => match &any.items {
                        Some(items) => {
                            let item = self.boxed_schema_or_ref(
                                items,
                                &format!("{hint}Item"),
                                &at.push("items"),
                            )?;
                            TypeRef::List(Box::new(item.ty))
                        }
                        None => TypeRef::List(Box::new(TypeRef::Json)),
                    },
                    Some("object") => {
                        self.map_type(any.additional_properties.as_ref(), hint, at)?
                    }
                    _ => TypeRef::Json,
                };
                plain(ty)
            }
        }
    }

    /// `enum` values of a schema without `type`: all strings (and nulls) make a string enum;
    /// numbers or booleans stay plain values; a mix is an error.
    fn any_enum_strings(
        &self,
        values: &[Value],
        at: &Pointer,
    ) -> Result<Option<Vec<String>>, SpecError> {
        let kinds: BTreeSet<&str> = values
            .iter()
            .filter(|v| !v.is_null())
            .map(|v| match v {
                Value::String(_) => "string",
                Value::Number(_) => "number",
                Value::Bool(_) => "boolean",
                Value::Array(_) => "array",
                Value::Object(_) => "object",
                Value::Null => "null",
            })
            .collect();
        if kinds.len() > 1 {
            return Err(self.reporter.error_with_hint(
                &at.push("enum"),
                format!(
                    "enum mixes value types ({})",
                    kinds.iter().copied().collect::<Vec<_>>().join(", ")
                ),
                "give the enum a `type` and values of that type only",
            ));
        }
        if kinds.contains("string") {
            return Ok(Some(
                values
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
            ));
        }
        Ok(None)
    }

    fn map_type(
        &mut self,
        additional: Option<&'a AdditionalProperties>,
        hint: &str,
        at: &Pointer,
    ) -> Result<TypeRef, SpecError> {
        Ok(match additional {
            Some(AdditionalProperties::Schema(value)) => {
                let value = self.schema_or_ref(
                    value,
                    &format!("{hint}Value"),
                    &at.push("additionalProperties"),
                )?;
                TypeRef::Map(Box::new(value.ty))
            }
            // A free-form object: keep it as JSON.
            _ => TypeRef::Json,
        })
    }

    /// Defines every struct waiting on the work list.
    pub(crate) fn define_pending(&mut self) -> Result<(), SpecError> {
        while let Some((name, schema, pointer)) = self.pending.pop_front() {
            self.define(schema, name, &pointer)?;
        }
        Ok(())
    }

    /// Claims a name for a new struct and defines it.
    fn named_struct(
        &mut self,
        schema: &'a Schema,
        hint: &str,
        at: &Pointer,
    ) -> Result<Lowered, SpecError> {
        let name = self.type_names.claim(hint);
        self.define(schema, name.clone(), at)?;
        Ok(Lowered {
            ty: TypeRef::Named(name),
            nullable: schema.schema_data.nullable,
        })
    }

    /// Defines the named type for a schema that [`Self::is_named`].
    fn define(&mut self, schema: &'a Schema, name: String, at: &Pointer) -> Result<(), SpecError> {
        if let SchemaKind::Type(Type::String(s)) = &schema.schema_kind {
            let values: Vec<&str> = s.enumeration.iter().flatten().map(String::as_str).collect();
            self.insert_enum(name, &values, schema, at);
            return Ok(());
        }
        if let SchemaKind::Any(any) = &schema.schema_kind {
            if any.properties.is_empty() {
                if let Some(values) = self.any_enum_strings(&any.enumeration, at)? {
                    let values: Vec<&str> = values.iter().map(String::as_str).collect();
                    self.insert_enum(name, &values, schema, at);
                    return Ok(());
                }
            }
        }
        let parts = self.object_parts(schema, at)?.unwrap_or_default();
        let mut field_names = Scope::default();
        let mut fields = Vec::with_capacity(parts.properties.len());
        for (wire, property, pointer) in parts.properties {
            let hint = format!("{name}{}", naming::camel(wire));
            let lowered = self.boxed_schema_or_ref(property, &hint, &pointer)?;
            fields.push(Field {
                wire_name: wire.to_string(),
                rust_name: field_names.claim(&naming::snake(wire)),
                ty: lowered.ty,
                required: parts.required.contains(wire),
                nullable: lowered.nullable,
                boxed: false,
                location: None,
                facts: facts_of_boxed(property),
            });
        }
        self.types.insert(
            name.clone(),
            TypeDef {
                name,
                origin: at.to_string(),
                description: described(schema),
                kind: TypeKind::Struct(Struct {
                    fields,
                    form: false,
                    params: false,
                }),
            },
        );
        Ok(())
    }

    /// The properties of an object schema, merging `allOf` members; `None` if some part is
    /// not an object.
    fn object_parts(
        &self,
        schema: &'a Schema,
        at: &Pointer,
    ) -> Result<Option<ObjectParts<'a>>, SpecError> {
        let mut parts = ObjectParts::default();
        let ok = self.gather(schema, at, &mut parts, 0)?;
        Ok(ok.then_some(parts))
    }

    fn gather(
        &self,
        schema: &'a Schema,
        at: &Pointer,
        parts: &mut ObjectParts<'a>,
        depth: usize,
    ) -> Result<bool, SpecError> {
        if depth > 64 {
            return Err(self
                .reporter
                .error(at, "`allOf` nests more than 64 levels deep"));
        }
        let add =
            |properties: &'a Properties, required: &'a [String], parts: &mut ObjectParts<'a>| {
                for (wire, property) in properties {
                    let pointer = at.push("properties").push(wire.clone());
                    match parts
                        .properties
                        .iter_mut()
                        .find(|(w, _, _)| *w == wire.as_str())
                    {
                        Some(existing) => *existing = (wire.as_str(), property, pointer),
                        None => parts.properties.push((wire.as_str(), property, pointer)),
                    }
                }
                parts.required.extend(required.iter().map(String::as_str));
            };
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => add(&o.properties, &o.required, parts),
            SchemaKind::Any(any)
                if !any.properties.is_empty() || any.typ.as_deref() == Some("object") =>
            {
                add(&any.properties, &any.required, parts)
            }
            SchemaKind::AllOf { all_of } => {
                for (i, member) in all_of.iter().enumerate() {
                    let member_at = at.push("allOf").push(i.to_string());
                    let (member, pointer) =
                        self.resolve(member, "schemas", |c| &c.schemas, &member_at)?;
                    if !self.gather(member, &pointer, parts, depth + 1)? {
                        return Ok(false);
                    }
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// An enum for inline values: reuses an identical enum of the same name, so one inline
    /// enum repeated across operations becomes one type.
    fn intern_enum(
        &mut self,
        hint: &str,
        values: &[&str],
        schema: &Schema,
        at: &Pointer,
    ) -> TypeRef {
        let candidate = enum_def(hint, values, schema, at);
        let same = |def: &TypeDef| def.kind == candidate.kind;
        for existing in std::iter::once(hint.to_string()).chain((2..).map(|n| format!("{hint}{n}")))
        {
            match self.types.get(&existing) {
                Some(def) if same(def) => return TypeRef::Named(existing),
                Some(_) => continue,
                None => break,
            }
        }
        let name = self.type_names.claim(hint);
        self.insert_enum(name.clone(), values, schema, at);
        TypeRef::Named(name)
    }

    fn insert_enum(&mut self, name: String, values: &[&str], schema: &Schema, at: &Pointer) {
        self.types
            .insert(name.clone(), enum_def(&name, values, schema, at));
    }
}

/// Whether [`Lowering::define`] makes an enum of this schema.
fn is_enum_schema(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => s.enumeration.iter().any(Option::is_some),
        SchemaKind::Any(any) => {
            any.properties.is_empty() && any.enumeration.iter().any(Value::is_string)
        }
        _ => false,
    }
}

fn enum_def(name: &str, values: &[&str], schema: &Schema, at: &Pointer) -> TypeDef {
    let mut variants = Scope::default();
    let mut seen = BTreeSet::new();
    let values: Vec<EnumValue> = values
        .iter()
        .filter(|v| seen.insert(**v))
        .map(|v| EnumValue {
            wire: v.to_string(),
            variant: variants.claim(&naming::camel(v)),
        })
        .collect();
    TypeDef {
        name: name.to_string(),
        origin: at.to_string(),
        description: described(schema),
        kind: TypeKind::Enum(Enum {
            values,
            fallback: variants.claim("Unknown"),
        }),
    }
}

fn string_type(format: &VariantOrUnknownOrEmpty<StringFormat>) -> TypeRef {
    match format {
        VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => TypeRef::Timestamp,
        VariantOrUnknownOrEmpty::Unknown(f) if f.starts_with("date-time") => TypeRef::Timestamp,
        _ => TypeRef::String,
    }
}

fn described(schema: &Schema) -> Option<String> {
    schema
        .schema_data
        .description
        .clone()
        .or_else(|| schema.schema_data.title.clone())
}

/// Documentation facts of a property or parameter schema.
pub(crate) fn facts_of(schema: &ReferenceOr<Schema>) -> Facts {
    match schema {
        ReferenceOr::Item(s) => schema_facts(s),
        ReferenceOr::Reference { .. } => Facts::default(),
    }
}

fn facts_of_boxed(schema: &ReferenceOr<Box<Schema>>) -> Facts {
    match schema {
        ReferenceOr::Item(s) => schema_facts(s),
        ReferenceOr::Reference { .. } => Facts::default(),
    }
}

fn schema_facts(s: &Schema) -> Facts {
    let (format, pattern) = match &s.schema_kind {
        SchemaKind::Type(Type::String(t)) => (
            match &t.format {
                VariantOrUnknownOrEmpty::Item(f) => {
                    Some(format!("{f:?}").to_lowercase()).map(|f| match f.as_str() {
                        "datetime" => "date-time".to_string(),
                        _ => f,
                    })
                }
                VariantOrUnknownOrEmpty::Unknown(f) => Some(f.clone()),
                VariantOrUnknownOrEmpty::Empty => None,
            },
            t.pattern.clone(),
        ),
        SchemaKind::Any(any) => (any.format.clone(), any.pattern.clone()),
        _ => (None, None),
    };
    Facts {
        description: s.schema_data.description.clone(),
        format,
        pattern,
        default: s.schema_data.default.as_ref().map(Value::to_string),
        example: s.schema_data.example.as_ref().map(Value::to_string),
        deprecated: s.schema_data.deprecated,
    }
}

/// Marks struct fields that must be boxed: those whose type contains the struct again
/// without a `Vec` or map in between, i.e. edges inside a strongly connected component of
/// the "contains directly" graph (found with Kosaraju's algorithm, iteratively).
pub(crate) fn box_cycles(types: &mut [TypeDef]) {
    let index: BTreeMap<String, usize> = types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();
    let edges: Vec<Vec<usize>> = types
        .iter()
        .map(|t| match &t.kind {
            TypeKind::Struct(s) => s
                .fields
                .iter()
                .filter_map(|f| match &f.ty {
                    TypeRef::Named(n) => index.get(n.as_str()).copied(),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        })
        .collect();
    let component = strongly_connected(&edges);
    for (owner, t) in types.iter_mut().enumerate() {
        if let TypeKind::Struct(s) = &mut t.kind {
            for f in &mut s.fields {
                if let TypeRef::Named(target) = &f.ty {
                    f.boxed = index.get(target.as_str()).is_some_and(|&to| {
                        component[to] == component[owner]
                            && (to != owner || edges[owner].contains(&owner))
                    });
                }
            }
        }
    }
}

/// The strongly connected component of each node.
fn strongly_connected(edges: &[Vec<usize>]) -> Vec<usize> {
    let n = edges.len();
    // First pass: nodes in order of DFS completion.
    let mut order = Vec::with_capacity(n);
    let mut seen = vec![false; n];
    for start in 0..n {
        if seen[start] {
            continue;
        }
        seen[start] = true;
        let mut stack = vec![(start, 0usize)];
        while let Some((node, next)) = stack.pop() {
            if let Some(&to) = edges[node].get(next) {
                stack.push((node, next + 1));
                if !seen[to] {
                    seen[to] = true;
                    stack.push((to, 0));
                }
            } else {
                order.push(node);
            }
        }
    }
    // Second pass: on the reversed graph, in reverse completion order.
    let mut reversed = vec![Vec::new(); n];
    for (from, targets) in edges.iter().enumerate() {
        for &to in targets {
            reversed[to].push(from);
        }
    }
    let mut component = vec![usize::MAX; n];
    for (id, &start) in order.iter().rev().enumerate() {
        if component[start] != usize::MAX {
            continue;
        }
        component[start] = id;
        let mut stack = vec![start];
        while let Some(node) = stack.pop() {
            for &from in &reversed[node] {
                if component[from] == usize::MAX {
                    component[from] = id;
                    stack.push(from);
                }
            }
        }
    }
    component
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(name: &str, fields: &[&str]) -> TypeDef {
        TypeDef {
            name: name.into(),
            origin: String::new(),
            description: None,
            kind: TypeKind::Struct(Struct {
                fields: fields
                    .iter()
                    .map(|f| Field {
                        wire_name: f.to_string(),
                        rust_name: f.to_lowercase(),
                        ty: TypeRef::Named(f.to_string()),
                        required: false,
                        nullable: false,
                        boxed: false,
                        location: None,
                        facts: Facts::default(),
                    })
                    .collect(),
                form: false,
                params: false,
            }),
        }
    }

    fn boxed(types: &[TypeDef]) -> Vec<(String, String)> {
        types
            .iter()
            .flat_map(|t| match &t.kind {
                TypeKind::Struct(s) => s
                    .fields
                    .iter()
                    .filter(|f| f.boxed)
                    .map(|f| (t.name.clone(), f.wire_name.clone()))
                    .collect(),
                _ => Vec::new(),
            })
            .collect()
    }

    #[test]
    fn only_cycle_edges_are_boxed() {
        // A ⇄ B is a cycle, A → C is not, D → D is a self-cycle.
        let mut types = vec![
            def("A", &["B", "C"]),
            def("B", &["A"]),
            def("C", &[]),
            def("D", &["D", "C"]),
        ];
        box_cycles(&mut types);
        assert_eq!(
            boxed(&types),
            [("A", "B"), ("B", "A"), ("D", "D")].map(|(a, b)| (a.to_string(), b.to_string()))
        );
    }
}
