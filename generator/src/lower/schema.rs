//! Schemas → [`TypeRef`]s and named [`TypeDef`]s.

use super::{InOperationOf, Lowering};
use crate::error::{Pointer, SpecError};
use crate::ir::{
    Enum, EnumValue, Facts, Field, Struct, StructRole, TypeDef, TypeId, TypeKind, TypeRef,
};
use crate::naming::{self, Scope};
use openapiv3::{
    AdditionalProperties, ReferenceOr, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};
use serde_json::Value;
use std::borrow::Borrow;
use std::collections::BTreeSet;

/// A schema's Rust type and whether `null` is one of its values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Lowered {
    pub ty: TypeRef,
    pub nullable: bool,
}

type Properties = indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>;

/// What named type a schema becomes, if any: decided in one place, [`Lowering::named`].
enum Named {
    /// A string enum with these values (`null` left out).
    Enum(Vec<String>),
    Struct,
}

/// An object's properties gathered from one schema or several (`allOf`).
#[derive(Default)]
struct ObjectParts<'d> {
    properties: Vec<(&'d str, &'d ReferenceOr<Box<Schema>>, Pointer)>,
    required: BTreeSet<&'d str>,
}

impl<'a> Lowering<'a> {
    /// Lowers a schema or a reference to one. `hint` names types made for inline schemas.
    pub(crate) fn schema_or_ref<S: Borrow<Schema>>(
        &mut self,
        schema: &'a ReferenceOr<S>,
        hint: &str,
        at: &Pointer,
    ) -> Result<Lowered, SpecError> {
        self.nested(at, |cx| match schema {
            ReferenceOr::Reference { reference } => cx.component_schema(reference, at),
            ReferenceOr::Item(s) => cx.schema(s.borrow(), hint, at),
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
        let hint = naming::schema_type_name(&resolved_name, self.schema_namespace);
        let lowered = if let Some(named) = self.named(schema, &pointer)? {
            let (id, rust_name) = self.claim_type(&hint);
            let lowered = Lowered {
                ty: TypeRef::Named(id),
                nullable: schema.schema_data.nullable,
            };
            self.components.insert(name.clone(), lowered.clone());
            self.components.insert(resolved_name, lowered.clone());
            match named {
                Named::Enum(values) => {
                    let def = enum_def(&rust_name, &values, schema, &pointer);
                    self.insert_type(id, def);
                }
                // Structs are defined from a work list, so a chain of `$ref`s does not nest
                // calls (and cannot overflow the stack).
                Named::Struct => self.pending.push_back((id, schema, pointer)),
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

    /// Whether a schema becomes a named type (struct or enum) of its own.
    pub(super) fn is_named(&self, schema: &'a Schema, at: &Pointer) -> bool {
        matches!(self.named(schema, at), Ok(Some(_)))
    }

    /// The named type a schema becomes (struct or enum), if any.
    fn named(&self, schema: &'a Schema, at: &Pointer) -> Result<Option<Named>, SpecError> {
        Ok(match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) if s.enumeration.iter().any(Option::is_some) => Some(
                Named::Enum(s.enumeration.iter().flatten().cloned().collect()),
            ),
            SchemaKind::Type(Type::Object(o)) if !o.properties.is_empty() => Some(Named::Struct),
            SchemaKind::AllOf { all_of }
                if all_of.len() > 1 && self.object_parts(schema, at)?.is_some() =>
            {
                Some(Named::Struct)
            }
            SchemaKind::Any(any) if !any.properties.is_empty() => Some(Named::Struct),
            SchemaKind::Any(any) => self
                .any_enum_strings(&any.enumeration, at)?
                .map(Named::Enum),
            _ => None,
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
        match self.named(schema, at)? {
            Some(Named::Enum(values)) => {
                let ty = self.intern_enum(hint, &values, schema, at);
                let nullable = nullable || enum_allows_null(schema);
                return Ok(Lowered { ty, nullable });
            }
            Some(Named::Struct) => return self.named_struct(schema, hint, at),
            None => {}
        }
        let plain = |ty| Ok(Lowered { ty, nullable });
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => plain(string_type(&s.format)),
            SchemaKind::Type(Type::Integer(i)) => plain(match &i.format {
                VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int32) => TypeRef::I32,
                _ => TypeRef::I64,
            }),
            SchemaKind::Type(Type::Number(_)) => plain(TypeRef::F64),
            SchemaKind::Type(Type::Boolean(_)) => plain(TypeRef::Bool),
            SchemaKind::Type(Type::Object(o)) => {
                let ty = self.map_type(o.additional_properties.as_ref(), hint, at)?;
                plain(ty)
            }
            SchemaKind::Type(Type::Array(a)) => match &a.items {
                Some(items) => {
                    let item =
                        self.schema_or_ref(items, &format!("{hint}Item"), &at.push("items"))?;
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
            // Several members that do not merge into one object.
            SchemaKind::AllOf { .. } => plain(TypeRef::Json),
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
                            let item = self.schema_or_ref(
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
        while let Some((id, schema, pointer)) = self.pending.pop_front() {
            self.define_struct(schema, id, &pointer)?;
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
        let (id, _) = self.claim_type(hint);
        self.define_struct(schema, id, at)?;
        Ok(Lowered {
            ty: TypeRef::Named(id),
            nullable: schema.schema_data.nullable,
        })
    }

    /// Defines the struct for a schema that [`Self::named`] makes a struct.
    fn define_struct(
        &mut self,
        schema: &'a Schema,
        id: TypeId,
        at: &Pointer,
    ) -> Result<(), SpecError> {
        let name = self.type_name(id).to_string();
        let parts = self.object_parts(schema, at)?.unwrap_or_default();
        let mut field_names = Scope::default();
        let mut fields = Vec::with_capacity(parts.properties.len());
        for (wire, property, pointer) in parts.properties {
            let hint = format!("{name}{}", naming::camel(wire));
            let lowered = self.schema_or_ref(property, &hint, &pointer)?;
            fields.push(Field {
                wire_name: wire.to_string(),
                rust_name: field_names.claim(&naming::snake(wire)),
                ty: lowered.ty,
                required: parts.required.contains(wire),
                nullable: lowered.nullable,
                boxed: false,
                location: None,
                facts: facts_of(property),
            });
        }
        self.insert_type(
            id,
            TypeDef {
                name,
                origin: at.to_string(),
                description: described(schema),
                kind: TypeKind::Struct(Struct {
                    fields,
                    role: StructRole::Model,
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
            return Err(self.reporter.error_with_hint(
                at,
                "`allOf` nests more than 64 levels deep",
                "flatten the chain: list the parts in one `allOf`",
            ));
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
        values: &[String],
        schema: &Schema,
        at: &Pointer,
    ) -> TypeRef {
        let candidate = enum_def(hint, values, schema, at);
        for existing in std::iter::once(hint.to_string()).chain((2..).map(|n| format!("{hint}{n}")))
        {
            // A name claimed for a type not yet defined (a pending struct) ends the search.
            let Some((id, def)) = self
                .type_ids
                .get(&existing)
                .and_then(|&id| Some((id, self.type_def(id)?)))
            else {
                break;
            };
            if def.kind == candidate.kind {
                return TypeRef::Named(id);
            }
        }
        let (id, name) = self.claim_type(hint);
        self.insert_type(id, enum_def(&name, values, schema, at));
        TypeRef::Named(id)
    }
}

/// Whether an enum's values include `null`.
fn enum_allows_null(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => s.enumeration.iter().any(Option::is_none),
        SchemaKind::Any(any) => any.enumeration.iter().any(Value::is_null),
        _ => false,
    }
}

fn enum_def(name: &str, values: &[String], schema: &Schema, at: &Pointer) -> TypeDef {
    let mut variants = Scope::default();
    let mut seen = BTreeSet::new();
    let values: Vec<EnumValue> = values
        .iter()
        .filter(|v| seen.insert(v.as_str()))
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
            format: schema_facts(schema).format,
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

/// A schema's description, else its title when that is prose: a title that is a bare name
/// (`ListParticipantResponse`) says nothing the type's name does not, so the type is
/// summarized by its uses instead (see `summary`).
fn described(schema: &Schema) -> Option<String> {
    schema.schema_data.description.clone().or_else(|| {
        schema
            .schema_data
            .title
            .clone()
            .filter(|t| t.trim().contains(char::is_whitespace))
    })
}

/// Documentation facts of a property or parameter schema.
pub(crate) fn facts_of<S: Borrow<Schema>>(schema: &ReferenceOr<S>) -> Facts {
    match schema {
        ReferenceOr::Item(s) => schema_facts(s.borrow()),
        ReferenceOr::Reference { .. } => Facts::default(),
    }
}

fn schema_facts(s: &Schema) -> Facts {
    let (format, pattern) = match &s.schema_kind {
        SchemaKind::Type(Type::String(t)) => (
            match &t.format {
                VariantOrUnknownOrEmpty::Item(f) => Some(format_name(f).to_string()),
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

/// A string format as the spec spells it.
fn format_name(format: &StringFormat) -> &'static str {
    match format {
        StringFormat::Date => "date",
        StringFormat::DateTime => "date-time",
        StringFormat::Password => "password",
        StringFormat::Byte => "byte",
        StringFormat::Binary => "binary",
    }
}
