//! Provider families: lowered APIs of one protocol (Twilio's and SignalWire's Compatibility
//! API) matched into one provider-neutral API, with the support matrix that says which
//! provider has which operation, field and value.
//!
//! Matching rules:
//! - Operations by HTTP method and path, once each server's base path, a leading API version
//!   segment (`/2010-04-01`, `/v1`) and a `.json` suffix are set aside; path parameters by
//!   position (their names may differ). Each provider's operation is matched at most once.
//! - Query, header and body fields by wire name.
//! - Types are widened where the specs differ: `i32`/`i64` → `i64`, a string and a timestamp
//!   → a timestamp, required in one and optional in another → optional, enums → the union of
//!   their values, structs → the union of their fields. Types that cannot be widened (a string
//!   against a number) leave the field out of the neutral type; the matrix says so.
//!
//! The neutral API is an [`Api`] of its own (types only) so that the emitter writes its
//! types as it writes any module's; [`NeutralType`] remembers where each type and field came
//! from, which the conversions to and from each provider are emitted from.

use crate::ir::{
    Api, BodyEncoding, Enum, EnumValue, Field, ResponseShape, Struct, StructRole, TypeDef, TypeId,
    TypeKind, TypeRef,
};
use crate::naming::{Scope, RESERVED_TYPE_NAMES};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// One provider of a family: a module and its lowered API.
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    pub module: &'a str,
    pub api: &'a Api,
}

/// Several providers matched into one neutral API.
#[derive(Debug, Clone)]
pub struct Family {
    /// The neutral module's name (`telephony`).
    pub name: String,
    /// The providers' module names, in the family's order.
    pub providers: Vec<String>,
    /// Every operation of any provider, matched: the first provider's in its order, then
    /// those only later providers have.
    pub operations: Vec<FamilyOperation>,
    /// The neutral types (no operations): emitted like a module's.
    pub neutral: Api,
    /// Per neutral type (indexed like `neutral.types`): where it came from.
    pub sources: Vec<NeutralType>,
    /// Per provider: the type its matched operations' errors decode into.
    pub errors: Vec<ResponseShape>,
}

/// Where a neutral type came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NeutralType {
    /// Per provider: its type, when it has one here.
    pub types: Vec<Option<TypeId>>,
    /// For a struct, per neutral field and provider: the index of the provider's field.
    pub fields: FieldMap,
    /// Further provider types that read into this same neutral type (a provider with two
    /// identical response types), with their fields: responses only.
    pub also: Vec<(Vec<Option<TypeId>>, FieldMap)>,
}

/// Per neutral field and provider: the index of the provider's field, if it has one.
pub type FieldMap = Vec<Vec<Option<usize>>>;

/// One operation, as each provider has it (or not).
#[derive(Debug, Clone)]
pub struct FamilyOperation {
    /// `POST /Accounts/{}/Conferences/{}/Participants/{}`: what matched.
    pub key: String,
    /// The neutral client's method name: the first provider's, unless renamed.
    pub method_name: String,
    /// Per provider: the index of its operation in its API.
    pub members: Vec<Option<usize>>,
    /// Per provider: its operationId.
    pub operation_ids: Vec<Option<String>>,
    /// On the neutral client, or why not.
    pub neutral: Result<NeutralOperation, String>,
    /// The support matrix rows: each request and response field.
    pub rows: Vec<FieldRow>,
}

/// A matched operation's neutral signature.
#[derive(Debug, Clone, PartialEq)]
pub struct NeutralOperation {
    /// The neutral query/header parameters struct.
    pub params: Option<TypeId>,
    /// The neutral body struct.
    pub body: Option<TypeId>,
    /// The success body: `None` for no body.
    pub success: Option<TypeRef>,
    /// For list operations: the neutral item type, streamed.
    pub item: Option<TypeRef>,
}

/// Where a field goes in a request, or that it comes back in the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    Path,
    Query,
    Header,
    Body,
    Response,
}

/// One row of the support matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRow {
    pub place: Place,
    /// The wire name (for path parameters, the first provider's name).
    pub wire: String,
    /// Per provider: the field's type as its spec has it (`i32`, `bool?` when optional), or
    /// `None` when the provider lacks it.
    pub support: Vec<Option<String>>,
    /// Differences within the field: enum values only some providers know, types that could
    /// not be widened.
    pub notes: Vec<String>,
}

impl FieldRow {
    /// Whether every provider has the field.
    pub fn everywhere(&self) -> bool {
        self.support.iter().all(Option::is_some)
    }
}

/// Renames of neutral type and method names: the first provider's name → the neutral one.
pub type Renames = BTreeMap<String, String>;

/// A provider-neutral module over several of a crate's modules (`[[family]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilySpec {
    /// The neutral module's name.
    pub name: String,
    /// The provider modules, first one first.
    pub modules: Vec<String>,
    /// Neutral type or method names instead of the first module's.
    pub renames: Renames,
}

/// The Cargo feature that compiles a family's module: its name, kebab-cased.
pub fn family_feature(name: &str) -> String {
    name.replace('_', "-")
}

/// Checks that each family names two or more distinct modules of the crate and that its
/// feature is free.
pub fn check_families(
    families: &[FamilySpec],
    modules: &[&str],
) -> Result<(), crate::error::Error> {
    let invalid = |name: &str, reason: String| crate::error::Error::InvalidName {
        what: "family",
        name: name.to_string(),
        reason,
    };
    for family in families {
        // The family's module is behind a Cargo feature of its name.
        if crate::naming::BUILT_IN_FEATURES.contains(&family_feature(&family.name).as_str()) {
            return Err(invalid(
                &family.name,
                "a family's Cargo feature is named after it, and the crate already has this feature: choose another name".into(),
            ));
        }
        let distinct: BTreeSet<&str> = family.modules.iter().map(String::as_str).collect();
        if distinct.len() < 2 || distinct.len() != family.modules.len() {
            return Err(invalid(
                &family.name,
                "a family names two or more different modules".into(),
            ));
        }
        if let Some(missing) = family
            .modules
            .iter()
            .find(|m| !modules.contains(&m.as_str()))
        {
            return Err(invalid(
                &family.name,
                format!("`{missing}` is not a module of the crate"),
            ));
        }
    }
    Ok(())
}

/// Matches the members' operations and builds the neutral API. Never fails: what does not
/// match is in the matrix, marked as not on the neutral client.
pub fn match_family(name: &str, members: &[Member<'_>], renames: &Renames) -> Family {
    let mut builder = Builder {
        members,
        renames,
        types: Vec::new(),
        sources: Vec::new(),
        memo: BTreeMap::new(),
        enum_memo: BTreeMap::new(),
        scope: Scope::with_reserved(RESERVED_TYPE_NAMES),
    };
    // Reserve what the neutral module defines itself.
    for reserved in ["Client", "Provider", "ProviderError", "Error"] {
        builder.scope.claim(reserved);
    }
    let groups = group_operations(members);
    let mut errors: Vec<Option<ResponseShape>> = vec![None; members.len()];
    let mut operations = Vec::with_capacity(groups.len());
    for (key, indexes) in groups {
        let first = indexes
            .iter()
            .enumerate()
            .find_map(|(p, i)| i.map(|i| &members[p].api.operations[i]));
        let Some(first) = first else { continue };
        let method_name = renames
            .get(&first.method_name)
            .cloned()
            .unwrap_or_else(|| first.method_name.clone());
        let rows = builder.rows(&indexes);
        let neutral = builder.neutral_operation(&indexes, &mut errors);
        let operation_ids = indexes
            .iter()
            .enumerate()
            .map(|(p, i)| i.map(|i| members[p].api.operations[i].id.clone()))
            .collect();
        operations.push(FamilyOperation {
            key,
            method_name,
            operation_ids,
            members: indexes,
            neutral,
            rows,
        });
    }
    let neutral = Api {
        title: format!("{name}: one API for {}", module_list(members)),
        description: None,
        source: members
            .iter()
            .map(|m| m.api.source.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        version: String::new(),
        inputs: Vec::new(),
        server: None,
        auth: None,
        operations: Vec::new(),
        types: builder.types,
        webhooks: Vec::new(),
        aliases: Vec::new(),
        environment: None,
    };
    Family {
        name: name.to_string(),
        providers: members.iter().map(|m| m.module.to_string()).collect(),
        operations,
        neutral,
        sources: builder.sources,
        errors: errors
            .into_iter()
            .map(|e| e.unwrap_or(ResponseShape::Untyped))
            .collect(),
    }
}

fn module_list(members: &[Member<'_>]) -> String {
    members
        .iter()
        .map(|m| m.module)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The path an operation is matched by: `{}` for each parameter, without the server's base
/// path, a version segment or a `.json` suffix.
fn match_path(api: &Api, path: &str) -> String {
    let base = api
        .server
        .as_ref()
        .map(|s| server_path(&s.url))
        .unwrap_or_default();
    let full = format!("{}{}", base.trim_end_matches('/'), path);
    let full = full.strip_suffix(".json").unwrap_or(&full);
    let mut segments: Vec<&str> = full
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                "{}"
            } else {
                s
            }
        })
        .collect();
    // Everything up to and including the version segment is the API's base, however the
    // server and the paths split it (`/api/laml/2010-04-01` + `/Accounts` against
    // `/2010-04-01/Accounts`).
    if let Some(v) = segments.iter().position(|s| is_version(s)) {
        segments.drain(..=v);
    }
    format!("/{}", segments.join("/"))
}

/// The path of a server URL template (`https://{space}.example.com/api/x` → `/api/x`).
fn server_path(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.find('/')
        .map_or(String::new(), |i| rest[i..].to_string())
}

/// `2010-04-01`, `v1`, `v2010`: an API version segment.
fn is_version(segment: &str) -> bool {
    let date = segment.len() == 10
        && segment.char_indices().all(|(i, c)| match i {
            4 | 7 => c == '-',
            _ => c.is_ascii_digit(),
        });
    let v = segment
        .strip_prefix('v')
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    date || v
}

/// Operations grouped by method and matched path, in the first provider's order, then the
/// rest in theirs. Within a provider, a second operation with the same key starts a group
/// of its own (it is reported, never merged).
fn group_operations(members: &[Member<'_>]) -> Vec<(String, Vec<Option<usize>>)> {
    let mut groups: Vec<(String, Vec<Option<usize>>)> = Vec::new();
    for (p, member) in members.iter().enumerate() {
        for (i, op) in member.api.operations.iter().enumerate() {
            let key = format!(
                "{} {}",
                op.http_method.as_str(),
                match_path(member.api, &op.path)
            );
            match groups
                .iter_mut()
                .find(|(k, slots)| *k == key && slots[p].is_none())
            {
                Some((_, slots)) => slots[p] = Some(i),
                None => {
                    let mut slots = vec![None; members.len()];
                    slots[p] = Some(i);
                    groups.push((key, slots));
                }
            }
        }
    }
    groups
}

struct Builder<'a, 'm> {
    members: &'a [Member<'m>],
    renames: &'a Renames,
    types: Vec<TypeDef>,
    sources: Vec<NeutralType>,
    /// Struct types already merged, by their sources.
    memo: BTreeMap<Vec<Option<TypeId>>, TypeId>,
    /// Enums already merged, by name and values: identical unions are one type.
    enum_memo: BTreeMap<(String, Vec<String>), TypeId>,
    scope: Scope,
}

/// A type of one provider.
type Typed<'t> = Option<&'t TypeRef>;

impl<'m> Builder<'_, 'm> {
    fn api(&self, p: usize) -> &'m Api {
        self.members[p].api
    }

    fn module(&self, p: usize) -> &'m str {
        self.members[p].module
    }

    /// The neutral operation, or why the operation is not on the neutral client.
    fn neutral_operation(
        &mut self,
        indexes: &[Option<usize>],
        errors: &mut [Option<ResponseShape>],
    ) -> Result<NeutralOperation, String> {
        let missing: Vec<&str> = (0..indexes.len())
            .filter(|p| indexes[*p].is_none())
            .map(|p| self.module(p))
            .collect();
        if !missing.is_empty() {
            return Err(format!("{} lacks it", missing.join(", ")));
        }
        let ops: Vec<_> = indexes
            .iter()
            .enumerate()
            .filter_map(|(p, i)| i.map(|i| (p, &self.api(p).operations[i])))
            .collect();
        let (_, first) = ops[0];
        for (p, op) in &ops[1..] {
            if op.path_params.len() != first.path_params.len() {
                return Err(format!(
                    "{} has {} path parameters, {} {}",
                    self.module(*p),
                    op.path_params.len(),
                    self.module(0),
                    first.path_params.len()
                ));
            }
            if op.account_param != first.account_param {
                return Err(format!(
                    "the account is another path parameter in {}",
                    self.module(*p)
                ));
            }
            if op
                .path_params
                .iter()
                .zip(&first.path_params)
                .any(|(a, b)| a.ty != TypeRef::String || b.ty != TypeRef::String)
            {
                return Err("a path parameter is not a string".into());
            }
            if op.body.as_ref().map(|b| b.encoding) != first.body.as_ref().map(|b| b.encoding) {
                return Err(format!(
                    "the request bodies are encoded differently ({})",
                    self.module(*p)
                ));
            }
            if op.pagination.is_some() != first.pagination.is_some() {
                return Err(format!("only some providers page it ({})", self.module(*p)));
            }
        }
        // Each provider's errors decode into one type on the neutral client.
        for (p, op) in &ops {
            match &errors[*p] {
                Some(shape) if *shape != op.error => {
                    return Err(format!(
                        "its errors in {} differ from its other operations'",
                        self.module(*p)
                    ))
                }
                _ => {}
            }
        }
        if let Some(body) = &first.body {
            if !matches!(body.encoding, BodyEncoding::Form | BodyEncoding::Json) {
                return Err("its body is neither a form nor JSON".into());
            }
        }
        let named = |t: Option<&TypeRef>| match t {
            Some(TypeRef::Named(id)) => Some(*id),
            _ => None,
        };
        let bodies: Vec<Option<TypeId>> = ops
            .iter()
            .map(|(_, op)| named(op.body.as_ref().map(|b| &b.ty)))
            .collect();
        if first.body.is_some() && bodies.iter().any(Option::is_none) {
            return Err("a request body is not an object".into());
        }
        let body = match first.body.is_some() {
            true => Some(self.merge_struct(&bodies, StructRole::Model)),
            false => None,
        };
        let params: Vec<Option<TypeId>> = ops.iter().map(|(_, op)| op.params).collect();
        let params = params
            .iter()
            .any(Option::is_some)
            .then(|| self.merge_struct(&params, StructRole::Model));
        let (success, item) = if first.pagination.is_some() {
            let items: Vec<Typed> = ops
                .iter()
                .map(|(_, op)| op.pagination.as_ref().map(|p| &p.item))
                .collect();
            let item = self
                .widen(&items)
                .map_err(|why| format!("its items differ: {why}"))?;
            (None, Some(item))
        } else {
            let shapes: Vec<&ResponseShape> = ops.iter().map(|(_, op)| &op.success).collect();
            let success = match shapes[0] {
                ResponseShape::Untyped
                    if shapes.iter().all(|s| matches!(s, ResponseShape::Untyped)) =>
                {
                    None
                }
                ResponseShape::Typed(_)
                    if shapes.iter().all(|s| matches!(s, ResponseShape::Typed(_))) =>
                {
                    let tys: Vec<Typed> = shapes
                        .iter()
                        .map(|s| match s {
                            ResponseShape::Typed(t) => Some(t),
                            _ => None,
                        })
                        .collect();
                    Some(
                        self.widen(&tys)
                            .map_err(|why| format!("its responses differ: {why}"))?,
                    )
                }
                _ => return Err("its responses have different shapes".into()),
            };
            (success, None)
        };
        for (p, op) in &ops {
            errors[*p] = Some(op.error.clone());
        }
        Ok(NeutralOperation {
            params,
            body,
            success,
            item,
        })
    }

    /// The neutral type for the providers' types (`None` where a provider has none here).
    fn widen(&mut self, tys: &[Typed]) -> Result<TypeRef, String> {
        let present: Vec<(usize, &TypeRef)> = tys
            .iter()
            .enumerate()
            .filter_map(|(p, t)| t.map(|t| (p, t)))
            .collect();
        let Some(&(_, first)) = present.first() else {
            return Err("no provider has it".into());
        };
        let all = |f: fn(&TypeRef) -> bool| present.iter().all(|(_, t)| f(t));
        if !matches!(
            first,
            TypeRef::Named(_) | TypeRef::List(_) | TypeRef::Map(_)
        ) && present.iter().all(|(_, t)| *t == first)
        {
            return Ok(first.clone());
        }
        if all(|t| matches!(t, TypeRef::I32 | TypeRef::I64)) {
            return Ok(TypeRef::I64);
        }
        if all(|t| matches!(t, TypeRef::String | TypeRef::Timestamp)) {
            return Ok(TypeRef::Timestamp);
        }
        if all(|t| matches!(t, TypeRef::List(_))) {
            let inner: Vec<Typed> = tys
                .iter()
                .map(|t| match t {
                    Some(TypeRef::List(inner)) => Some(&**inner),
                    _ => None,
                })
                .collect();
            return Ok(TypeRef::List(Box::new(self.widen(&inner)?)));
        }
        let ids: Vec<Option<TypeId>> = tys
            .iter()
            .map(|t| match t {
                Some(TypeRef::Named(id)) => Some(*id),
                _ => None,
            })
            .collect();
        if present.iter().all(|(_, t)| matches!(t, TypeRef::Named(_))) {
            let kinds: BTreeSet<&str> = ids
                .iter()
                .enumerate()
                .filter_map(|(p, id)| id.map(|id| kind_name(&self.api(p).type_def(id).kind)))
                .collect();
            match kinds.into_iter().collect::<Vec<_>>().as_slice() {
                ["enum"] => return Ok(TypeRef::Named(self.merge_enum(&ids))),
                ["struct"] => {
                    return Ok(TypeRef::Named(self.merge_struct(&ids, StructRole::Model)))
                }
                _ => {}
            }
        }
        Err(present
            .iter()
            .map(|(p, t)| format!("{} {}", self.module(*p), self.describe(*p, t)))
            .collect::<Vec<_>>()
            .join(", "))
    }

    /// A provider type as the matrix shows it.
    fn describe(&self, p: usize, ty: &TypeRef) -> String {
        describe(self.api(p), ty)
    }

    fn neutral_name(&mut self, ids: &[Option<TypeId>]) -> String {
        let base = self.base_name(ids);
        self.scope.claim(&base)
    }

    fn origin(&self, ids: &[Option<TypeId>]) -> String {
        ids.iter()
            .enumerate()
            .filter_map(|(p, id)| {
                id.map(|id| format!("{} {}", self.module(p), self.api(p).type_def(id).origin))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn merge_enum(&mut self, ids: &[Option<TypeId>]) -> TypeId {
        let enums: Vec<Option<&Enum>> = ids
            .iter()
            .enumerate()
            .map(|(p, id)| {
                id.and_then(|id| match &self.api(p).type_def(id).kind {
                    TypeKind::Enum(e) => Some(e),
                    _ => None,
                })
            })
            .collect();
        let mut values: Vec<EnumValue> = Vec::new();
        let mut fallback = None;
        let mut format = None;
        for e in enums.iter().flatten() {
            fallback.get_or_insert_with(|| e.fallback.clone());
            if format.is_none() {
                format = e.format.clone();
            }
            for v in &e.values {
                if !values.iter().any(|known| known.wire == v.wire) {
                    values.push(v.clone());
                }
            }
        }
        // Variant names stay unique, and the fallback's too.
        let mut variants = Scope::default();
        for v in &mut values {
            v.variant = variants.claim(&v.variant);
        }
        let fallback = variants.claim(&fallback.unwrap_or_else(|| "Unknown".into()));
        let first_name = ids
            .iter()
            .enumerate()
            .find_map(|(p, id)| id.map(|id| self.api(p).type_def(id).name.clone()))
            .unwrap_or_default();
        let key = (
            first_name,
            values.iter().map(|v| v.wire.clone()).collect::<Vec<_>>(),
        );
        if let Some(id) = self.enum_memo.get(&key) {
            // The same union from other provider types: remember them too.
            let id = *id;
            for (p, source) in ids.iter().enumerate() {
                if self.sources[id.index()].types[p].is_none() {
                    self.sources[id.index()].types[p] = *source;
                }
            }
            return id;
        }
        let mut description = ids
            .iter()
            .enumerate()
            .find_map(|(p, id)| id.and_then(|id| self.api(p).type_def(id).description.clone()))
            .map(|d| vec![d])
            .unwrap_or_default();
        description.push(self.enum_support(&enums, &values));
        let name = self.neutral_name(ids);
        let id = TypeId::new(self.types.len());
        self.types.push(TypeDef {
            name,
            origin: self.origin(ids),
            description: Some(description.join("\n\n")),
            kind: TypeKind::Enum(Enum {
                values,
                format,
                fallback,
            }),
        });
        self.sources.push(NeutralType {
            types: ids.to_vec(),
            ..NeutralType::default()
        });
        self.enum_memo.insert(key, id);
        id
    }

    /// "Values by provider: …": which provider knows which value.
    fn enum_support(&self, enums: &[Option<&Enum>], values: &[EnumValue]) -> String {
        let every = values.iter().all(|v| {
            enums
                .iter()
                .all(|e| e.is_some_and(|e| e.values.iter().any(|w| w.wire == v.wire)))
        });
        if every {
            return format!("Every value is known to {}.", self.all_modules());
        }
        let per: Vec<String> = enums
            .iter()
            .enumerate()
            .map(|(p, e)| {
                let known: Vec<String> = e
                    .map(|e| e.values.iter().map(|v| format!("`{}`", v.wire)).collect())
                    .unwrap_or_default();
                format!("{}: {}", self.module(p), known.join(", "))
            })
            .collect();
        format!(
            "Values by provider ({}). Sending a value the chosen provider does not know is an `InvalidRequest`; `Unknown` values are sent as they are.",
            per.join("; ")
        )
    }

    fn all_modules(&self) -> String {
        module_list(self.members)
    }

    /// The union of the providers' structs (by wire name), memoized by its sources.
    fn merge_struct(&mut self, ids: &[Option<TypeId>], role: StructRole) -> TypeId {
        if let Some(id) = self.memo.get(ids) {
            return *id;
        }
        let name = self.neutral_name(ids);
        let id = TypeId::new(self.types.len());
        // A placeholder first, so a type that contains itself finds it.
        self.types.push(TypeDef {
            name,
            origin: self.origin(ids),
            description: None,
            kind: TypeKind::Struct(Struct {
                fields: Vec::new(),
                role,
            }),
        });
        self.sources.push(NeutralType {
            types: ids.to_vec(),
            ..NeutralType::default()
        });
        self.memo.insert(ids.to_vec(), id);

        let structs: Vec<Option<&Struct>> = ids
            .iter()
            .enumerate()
            .map(|(p, id)| {
                id.and_then(|id| match &self.api(p).type_def(id).kind {
                    TypeKind::Struct(s) => Some(s),
                    _ => None,
                })
            })
            .collect();
        // Wire names in order: the first provider's fields, then the others' new ones.
        let mut wires: Vec<&str> = Vec::new();
        for s in structs.iter().flatten() {
            for f in &s.fields {
                if !wires.contains(&f.wire_name.as_str()) {
                    wires.push(&f.wire_name);
                }
            }
        }
        let mut fields = Vec::new();
        let mut field_sources = Vec::new();
        let mut names = Scope::default();
        let mut skipped = Vec::new();
        for wire in wires {
            let per: Vec<Option<(usize, &Field)>> = structs
                .iter()
                .map(|s| {
                    s.and_then(|s| {
                        s.fields
                            .iter()
                            .enumerate()
                            .find(|(_, f)| f.wire_name == wire)
                    })
                })
                .collect();
            let tys: Vec<Typed> = per.iter().map(|f| f.map(|(_, f)| &f.ty)).collect();
            let ty = match self.widen(&tys) {
                Ok(ty) => ty,
                Err(why) => {
                    skipped.push(format!("`{wire}` ({why})"));
                    continue;
                }
            };
            let Some((_, first)) = per.iter().flatten().next().copied() else {
                continue;
            };
            let everywhere = per.iter().all(Option::is_some);
            let required = everywhere && per.iter().flatten().all(|(_, f)| !f.is_option());
            let mut facts = first.facts.clone();
            let support = self.field_support(&per, structs.len());
            facts.description = Some(match facts.description.take() {
                Some(d) => format!("{d}\n\n{support}"),
                None => support,
            });
            fields.push(Field {
                wire_name: wire.to_string(),
                rust_name: names.claim(&first.rust_name),
                ty,
                required,
                nullable: false,
                boxed: per.iter().flatten().any(|(_, f)| f.boxed),
                location: first.location,
                facts,
            });
            field_sources.push(per.iter().map(|f| f.map(|(i, _)| i)).collect());
        }
        let mut description: Vec<String> = ids
            .iter()
            .enumerate()
            .find_map(|(p, id)| id.and_then(|id| self.api(p).type_def(id).description.clone()))
            .into_iter()
            .collect();
        if !skipped.is_empty() {
            description.push(format!(
                "Left out, as the providers' types differ: {}.",
                skipped.join(", ")
            ));
        }
        let description = (!description.is_empty()).then(|| description.join("\n\n"));
        let kind = TypeKind::Struct(Struct { fields, role });
        // A provider with two identical types (SignalWire's participant and its list item)
        // gives one neutral type, read from both. Only when this one is the newest type, so
        // that no other refers to it yet.
        let base = self.base_name(ids);
        let twin = self.types[..id.index()]
            .iter()
            .position(|t| t.kind == kind && self.base_of(t) == base);
        if let (Some(twin), true) = (twin, id.index() + 1 == self.types.len()) {
            self.types.pop();
            self.sources.pop();
            let twin = TypeId::new(twin);
            self.memo.insert(ids.to_vec(), twin);
            self.sources[twin.index()]
                .also
                .push((ids.to_vec(), field_sources));
            return twin;
        }
        let def = &mut self.types[id.index()];
        def.description = description;
        def.kind = kind;
        self.sources[id.index()].fields = field_sources;
        id
    }

    /// The name a neutral type is given before it is made unique.
    fn base_name(&self, ids: &[Option<TypeId>]) -> String {
        let base = ids
            .iter()
            .enumerate()
            .find_map(|(p, id)| id.map(|id| self.api(p).type_def(id).name.clone()))
            .unwrap_or_else(|| "Unnamed".to_string());
        self.renames.get(&base).cloned().unwrap_or(base)
    }

    /// The base name of a neutral type already made: its name without the number
    /// [`Scope::claim`] may have added.
    fn base_of(&self, def: &TypeDef) -> String {
        self.sources
            .get(
                self.types
                    .iter()
                    .position(|t| std::ptr::eq(t, def))
                    .unwrap_or(usize::MAX),
            )
            .map(|s| self.base_name(&s.types))
            .unwrap_or_default()
    }

    /// "Supported by …" for a neutral field's docs.
    fn field_support(&self, per: &[Option<(usize, &Field)>], providers: usize) -> String {
        let has: Vec<String> = (0..providers)
            .filter(|p| per[*p].is_some())
            .map(|p| format!("`{}`", self.module(p)))
            .collect();
        let lacks: Vec<String> = (0..providers)
            .filter(|p| per[*p].is_none())
            .map(|p| format!("`{}`", self.module(p)))
            .collect();
        if lacks.is_empty() {
            format!("Providers: {}.", has.join(", "))
        } else {
            format!(
                "Providers: {} only; {} lacks it (setting it there is an `InvalidRequest`; a response from there has `None`).",
                has.join(", "),
                lacks.join(", ")
            )
        }
    }

    /// The matrix rows of an operation: path parameters, query and header parameters, body
    /// fields, then the success body's (or a list's items') fields.
    fn rows(&self, indexes: &[Option<usize>]) -> Vec<FieldRow> {
        let ops: Vec<Option<&crate::ir::Operation>> = indexes
            .iter()
            .enumerate()
            .map(|(p, i)| i.map(|i| &self.api(p).operations[i]))
            .collect();
        let mut rows = Vec::new();
        let width = ops
            .iter()
            .flatten()
            .map(|op| op.argument_params().count())
            .max()
            .unwrap_or(0);
        for position in 0..width {
            let per: Vec<Option<&crate::ir::PathParam>> = ops
                .iter()
                .map(|op| op.and_then(|op| op.argument_params().nth(position)))
                .collect();
            let wire = per
                .iter()
                .flatten()
                .next()
                .map(|p| p.wire_name.clone())
                .unwrap_or_default();
            let names: BTreeSet<&str> =
                per.iter().flatten().map(|p| p.wire_name.as_str()).collect();
            let notes = if names.len() > 1 {
                vec![format!(
                    "named {}",
                    names.into_iter().collect::<Vec<_>>().join(" / ")
                )]
            } else {
                Vec::new()
            };
            rows.push(FieldRow {
                place: Place::Path,
                wire,
                support: per
                    .iter()
                    .enumerate()
                    .map(|(p, param)| param.map(|param| self.describe(p, &param.ty)))
                    .collect(),
                notes,
            });
        }
        let params: Vec<Option<TypeId>> =
            ops.iter().map(|op| op.and_then(|op| op.params)).collect();
        for place in [Place::Query, Place::Header] {
            rows.extend(self.struct_rows(&params, place, Some(place)));
        }
        let bodies: Vec<Option<TypeId>> = ops
            .iter()
            .map(|op| {
                op.and_then(|op| match op.body.as_ref().map(|b| &b.ty) {
                    Some(TypeRef::Named(id)) => Some(*id),
                    _ => None,
                })
            })
            .collect();
        rows.extend(self.struct_rows(&bodies, Place::Body, None));
        let responses: Vec<Option<TypeId>> = ops
            .iter()
            .map(|op| {
                op.and_then(|op| {
                    let ty = match &op.pagination {
                        Some(p) => Some(&p.item),
                        None => match &op.success {
                            ResponseShape::Typed(t) => Some(t),
                            _ => None,
                        },
                    };
                    match ty {
                        Some(TypeRef::Named(id)) => Some(*id),
                        _ => None,
                    }
                })
            })
            .collect();
        rows.extend(self.struct_rows(&responses, Place::Response, None));
        rows
    }

    /// Rows for the fields of one struct per provider, matched by wire name; `location`
    /// keeps only parameters that go there.
    fn struct_rows(
        &self,
        ids: &[Option<TypeId>],
        place: Place,
        location: Option<Place>,
    ) -> Vec<FieldRow> {
        let structs: Vec<Option<&Struct>> = ids
            .iter()
            .enumerate()
            .map(|(p, id)| {
                id.and_then(|id| match &self.api(p).type_def(id).kind {
                    TypeKind::Struct(s) => Some(s),
                    _ => None,
                })
            })
            .collect();
        let keep = |f: &Field| match location {
            Some(Place::Query) => f.location == Some(crate::ir::ParamLocation::Query),
            Some(Place::Header) => f.location == Some(crate::ir::ParamLocation::Header),
            _ => true,
        };
        let mut wires: Vec<&str> = Vec::new();
        for s in structs.iter().flatten() {
            for f in s.fields.iter().filter(|f| keep(f)) {
                if !wires.contains(&f.wire_name.as_str()) {
                    wires.push(&f.wire_name);
                }
            }
        }
        wires
            .into_iter()
            .map(|wire| {
                let per: Vec<Option<&Field>> = structs
                    .iter()
                    .map(|s| s.and_then(|s| s.fields.iter().find(|f| f.wire_name == wire)))
                    .collect();
                FieldRow {
                    place,
                    wire: wire.to_string(),
                    support: per
                        .iter()
                        .enumerate()
                        .map(|(p, f)| {
                            f.map(|f| {
                                let ty = self.describe(p, &f.ty);
                                if f.is_option() {
                                    format!("{ty}?")
                                } else {
                                    ty
                                }
                            })
                        })
                        .collect(),
                    notes: self.value_notes(&per),
                }
            })
            .collect()
    }

    /// Enum values only some providers of a field know.
    fn value_notes(&self, per: &[Option<&Field>]) -> Vec<String> {
        let values: Vec<Option<Vec<&str>>> = per
            .iter()
            .enumerate()
            .map(|(p, f)| f.and_then(|f| enum_values(self.api(p), &f.ty)))
            .collect();
        let present: Vec<(usize, &Vec<&str>)> = values
            .iter()
            .enumerate()
            .filter_map(|(p, v)| v.as_ref().map(|v| (p, v)))
            .collect();
        if present.len() < 2 {
            return Vec::new();
        }
        let mut notes = Vec::new();
        for (p, mine) in &present {
            let only: Vec<&str> = mine
                .iter()
                .filter(|v| present.iter().any(|(_, other)| !other.contains(v)))
                .copied()
                .collect();
            if !only.is_empty() {
                notes.push(format!("only {}: {}", self.module(*p), only.join(", ")));
            }
        }
        notes
    }
}

fn kind_name(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Struct(_) => "struct",
        TypeKind::Enum(_) => "enum",
        TypeKind::ByStatus(_) => "by-status",
    }
}

/// The wire values of an enum type (or of a list of one).
fn enum_values<'a>(api: &'a Api, ty: &TypeRef) -> Option<Vec<&'a str>> {
    match ty {
        TypeRef::Named(id) => match &api.type_def(*id).kind {
            TypeKind::Enum(e) => Some(e.values.iter().map(|v| v.wire.as_str()).collect()),
            _ => None,
        },
        TypeRef::List(inner) => enum_values(api, inner),
        _ => None,
    }
}

/// A provider type in the matrix: `i32`, `string`, `enum ParticipantStatus`, `[T]`.
fn describe(api: &Api, ty: &TypeRef) -> String {
    match ty {
        TypeRef::String => "string".into(),
        TypeRef::Bool => "bool".into(),
        TypeRef::I32 => "i32".into(),
        TypeRef::I64 => "i64".into(),
        TypeRef::F64 => "f64".into(),
        TypeRef::Timestamp => "timestamp".into(),
        TypeRef::Date => "date".into(),
        TypeRef::DateTime => "date-time".into(),
        TypeRef::Json => "json".into(),
        TypeRef::Bytes => "bytes".into(),
        TypeRef::File => "file".into(),
        TypeRef::List(inner) => format!("[{}]", describe(api, inner)),
        TypeRef::Map(inner) => format!("{{{}}}", describe(api, inner)),
        TypeRef::Named(id) => {
            let def = api.type_def(*id);
            format!("{} {}", kind_name(&def.kind), def.name)
        }
    }
}

impl Family {
    /// The operations on the neutral client.
    pub fn neutral_operations(
        &self,
    ) -> impl Iterator<Item = (&FamilyOperation, &NeutralOperation)> {
        self.operations
            .iter()
            .filter_map(|op| op.neutral.as_ref().ok().map(|n| (op, n)))
    }

    /// A support-matrix report: one block per operation, one line per field.
    pub fn report(&self) -> PortabilityReport<'_> {
        PortabilityReport { family: self }
    }
}

/// The support matrix as text, in the style of the change report.
pub struct PortabilityReport<'a> {
    family: &'a Family,
}

impl fmt::Display for PortabilityReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let family = self.family;
        let providers = &family.providers;
        writeln!(
            f,
            "portability of {} (family `{}`): {} operations, {} on the neutral client",
            providers.join(" / "),
            family.name,
            family.operations.len(),
            family.neutral_operations().count()
        )?;
        for op in &family.operations {
            let status = match &op.neutral {
                Ok(_) => format!("neutral `{}`", op.method_name),
                Err(why) => format!("not neutral: {why}"),
            };
            writeln!(f, "\n  {}  ({status})", op.key)?;
            // Rows of cells: the header, the operation, then one per field.
            let mut lines: Vec<Vec<String>> = Vec::new();
            let mut header = vec![String::new(), String::new()];
            header.extend(providers.iter().cloned());
            lines.push(header);
            let mut ids = vec!["operation".to_string(), String::new()];
            ids.extend(
                op.operation_ids
                    .iter()
                    .map(|id| id.clone().unwrap_or_else(|| "no".into())),
            );
            lines.push(ids);
            for row in &op.rows {
                let mut cells = vec![row.place.to_string(), row.wire.clone()];
                cells.extend(
                    row.support
                        .iter()
                        .map(|c| c.clone().unwrap_or_else(|| "no".into())),
                );
                cells.push(row.notes.join("; "));
                lines.push(cells);
            }
            let columns = lines.iter().map(Vec::len).max().unwrap_or(0);
            let widths: Vec<usize> = (0..columns)
                .map(|c| {
                    lines
                        .iter()
                        .filter_map(|l| l.get(c))
                        .map(|s| s.chars().count())
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            for cells in &lines {
                let mut line = "   ".to_string();
                for (cell, width) in cells.iter().zip(&widths) {
                    line.push_str(&format!(" {cell:<width$}"));
                }
                writeln!(f, "{}", line.trim_end())?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Place::Path => "path",
            Place::Query => "query",
            Place::Header => "header",
            Place::Body => "body",
            Place::Response => "response",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{api_from_text, Selection};

    /// A provider with a version-prefixed `.json` path on a bare host.
    const ALPHA: &str = r##"
openapi: 3.0.3
info: { title: Alpha, version: "1" }
servers: [{ url: "https://alpha.example.com" }]
paths:
  /2010-04-01/Rooms/{RoomSid}/Members/{MemberSid}.json:
    post:
      operationId: UpdateMember
      parameters:
        - { name: RoomSid, in: path, required: true, schema: { type: string } }
        - { name: MemberSid, in: path, required: true, schema: { type: string } }
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                Muted: { type: boolean }
                Size: { type: integer, format: int64 }
                Mode: { type: string, enum: [quiet, loud] }
                AlphaOnly: { type: boolean }
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: { $ref: "#/components/schemas/member" }
  /2010-04-01/Rooms/{RoomSid}/Members.json:
    post:
      operationId: CreateMember
      parameters:
        - { name: RoomSid, in: path, required: true, schema: { type: string } }
      responses:
        "201": { description: created }
components:
  schemas:
    member:
      type: object
      properties:
        sid: { type: string }
        state: { type: string, enum: [queued, connected] }
        count: { type: integer, format: int64 }
"##;

    /// The same API under a server base path, without `.json`, with other names.
    const BETA: &str = r##"
openapi: 3.0.3
info: { title: Beta, version: "1" }
servers: [{ url: "https://{space}.beta.example.com/api/x/2010-04-01", variables: { space: { default: s } } }]
paths:
  /Rooms/{Room}/Members/{Id}:
    post:
      operationId: change_member
      parameters:
        - { name: Room, in: path, required: true, schema: { type: string } }
        - { name: Id, in: path, required: true, schema: { type: string } }
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                Size: { type: integer, format: int32 }
                Muted: { type: boolean }
                Mode: { type: string, enum: [loud, whisper] }
                BetaOnly: { type: boolean }
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [sid, state, count]
                properties:
                  sid: { type: string }
                  state: { type: string, enum: [in-progress, connected] }
                  count: { type: integer, format: int32 }
"##;

    fn family() -> (Api, Api, Family) {
        let alpha = api_from_text("alpha.yaml", ALPHA.as_bytes(), &Selection::All).expect("alpha");
        let beta = api_from_text("beta.yaml", BETA.as_bytes(), &Selection::All).expect("beta");
        let members = [
            Member {
                module: "alpha",
                api: &alpha,
            },
            Member {
                module: "beta",
                api: &beta,
            },
        ];
        let family = match_family("both", &members, &Renames::new());
        (alpha, beta, family)
    }

    #[test]
    fn paths_match_without_base_version_and_json() {
        let (alpha, beta, _) = family();
        let a = match_path(
            &alpha,
            "/2010-04-01/Rooms/{RoomSid}/Members/{MemberSid}.json",
        );
        let b = match_path(&beta, "/Rooms/{Room}/Members/{Id}");
        assert_eq!(a, "/Rooms/{}/Members/{}");
        assert_eq!(a, b);
        assert!(is_version("2010-04-01") && is_version("v2"));
        assert!(!is_version("Rooms") && !is_version("v") && !is_version("2010-04-0x"));
    }

    #[test]
    fn operations_match_once_and_one_sided_ones_are_not_neutral() {
        let (_, _, family) = family();
        assert_eq!(family.operations.len(), 2);
        let update = &family.operations[0];
        assert_eq!(update.key, "POST /Rooms/{}/Members/{}");
        assert_eq!(update.members, [Some(0), Some(0)]);
        assert_eq!(
            update.method_name, "update_member",
            "the first module's name"
        );
        assert!(update.neutral.is_ok());
        let create = &family.operations[1];
        assert_eq!(create.members, [Some(1), None]);
        assert_eq!(create.neutral, Err("beta lacks it".to_string()));
    }

    #[test]
    fn fields_are_matched_by_wire_name_and_widened() {
        let (_, _, family) = family();
        let update = &family.operations[0];
        let row = |wire: &str| {
            update
                .rows
                .iter()
                .find(|r| r.wire == wire && r.place == Place::Body)
                .unwrap_or_else(|| panic!("{wire}"))
        };
        assert_eq!(
            row("Size").support,
            [Some("i64?".into()), Some("i32?".into())]
        );
        assert_eq!(row("AlphaOnly").support, [Some("bool?".into()), None]);
        assert_eq!(row("BetaOnly").support, [None, Some("bool?".into())]);
        assert_eq!(
            row("Mode").notes,
            ["only alpha: quiet", "only beta: whisper"]
        );
        // The path parameters match by position, whatever their names.
        let path: Vec<&FieldRow> = update
            .rows
            .iter()
            .filter(|r| r.place == Place::Path)
            .collect();
        assert_eq!(path.len(), 2);
        assert_eq!(path[0].notes, ["named Room / RoomSid"]);

        let neutral = update.neutral.as_ref().expect("neutral");
        let body = family.neutral.type_def(neutral.body.expect("a body"));
        let TypeKind::Struct(s) = &body.kind else {
            panic!("a struct")
        };
        let field = |wire: &str| s.fields.iter().find(|f| f.wire_name == wire).expect(wire);
        assert_eq!(field("Size").ty, TypeRef::I64);
        assert!(field("BetaOnly").is_option());
        let TypeRef::Named(mode) = field("Mode").ty else {
            panic!("an enum")
        };
        let TypeKind::Enum(e) = &family.neutral.type_def(mode).kind else {
            panic!("an enum")
        };
        let values: Vec<&str> = e.values.iter().map(|v| v.wire.as_str()).collect();
        assert_eq!(
            values,
            ["quiet", "loud", "whisper"],
            "the union, first provider first"
        );
    }

    #[test]
    fn responses_widen_required_to_optional_and_numbers_to_i64() {
        let (_, _, family) = family();
        let neutral = family.operations[0].neutral.as_ref().expect("neutral");
        let Some(TypeRef::Named(id)) = &neutral.success else {
            panic!("a typed success")
        };
        let TypeKind::Struct(s) = &family.neutral.type_def(*id).kind else {
            panic!("a struct")
        };
        let count = s
            .fields
            .iter()
            .find(|f| f.wire_name == "count")
            .expect("count");
        assert_eq!(count.ty, TypeRef::I64);
        assert!(count.is_option(), "optional in alpha, so optional");
        let sources = &family.sources[id.index()];
        assert!(sources.types.iter().all(Option::is_some), "read from both");
    }

    #[test]
    fn the_report_names_every_operation_and_field() {
        let (_, _, family) = family();
        let text = family.report().to_string();
        assert!(text.starts_with("portability of alpha / beta (family `both`): 2 operations, 1 on the neutral client"), "{text}");
        assert!(text.contains("(not neutral: beta lacks it)"), "{text}");
        assert!(text.contains("body      AlphaOnly bool?"), "{text}");
        assert!(
            text.lines().all(|l| l == l.trim_end()),
            "no trailing spaces"
        );
    }

    #[test]
    fn a_family_names_two_or_more_modules_of_the_crate() {
        let modules = ["twilio", "signalwire"];
        let family = |modules: &[&str]| FamilySpec {
            name: "telephony".into(),
            modules: modules.iter().map(|m| m.to_string()).collect(),
            renames: Renames::new(),
        };
        assert!(check_families(&[family(&["twilio", "signalwire"])], &modules).is_ok());
        for bad in [&["twilio"][..], &["twilio", "twilio"], &["twilio", "plivo"]] {
            let e = check_families(&[family(bad)], &modules).expect_err("refused");
            assert!(
                matches!(&e, crate::error::Error::InvalidName { what: "family", .. }),
                "{e}"
            );
        }
        // Its module is behind a feature of its name: one the crate already has is refused.
        for taken in ["mock", "webhooks", "default", "serde"] {
            let named = FamilySpec {
                name: taken.into(),
                ..family(&["twilio", "signalwire"])
            };
            let e = check_families(&[named], &modules).expect_err("refused");
            assert!(e.to_string().contains("already has this feature"), "{e}");
        }
    }
}
