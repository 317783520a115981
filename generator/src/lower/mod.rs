//! Stage 4: `openapiv3::OpenAPI` → [`crate::ir::Api`] for the selected operations.
//!
//! Only what the selected operations reach is lowered, so an unsupported construct elsewhere
//! in a large spec does not stop generation.

mod cycles;
mod enums;
mod environment;
mod listing;
mod operation;
mod schema;
mod summary;
mod webhooks;

pub use environment::use_environment;
pub use listing::use_account;

use crate::error::{Pointer, Reporter, SpecError};
use crate::ir::{
    Api, AuthKind, AuthScheme, InputFile, Operation, ResponseShape, Server, ServerVariable,
    TypeAlias, TypeDef, TypeId, TypeKind, TypeRef, Webhook,
};
use crate::naming::{self, Scope};
use openapiv3::{OpenAPI, ReferenceOr};
use std::collections::BTreeMap;

/// Which operations to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    All,
    /// operationIds, in the order the user gave them.
    Ids(Vec<String>),
}

/// Lowers the selected operations of a parsed document read from `inputs` (root first).
/// Component schemas are named by [`naming::schema_type_name`] with `schema_namespace`.
pub fn lower<'a>(
    reporter: &'a Reporter,
    doc: &'a OpenAPI,
    selection: &Selection,
    inputs: Vec<InputFile>,
    schema_namespace: Option<&'a str>,
) -> Result<Api, SpecError> {
    lower_with_webhooks(reporter, doc, &[], selection, inputs, schema_namespace)
}

/// [`lower`], plus the document's webhooks and the selected operations' callbacks (read by
/// [`crate::document::parse_webhooks`]).
pub fn lower_with_webhooks<'a>(
    reporter: &'a Reporter,
    doc: &'a OpenAPI,
    hooks: &'a [crate::document::Webhook],
    selection: &Selection,
    inputs: Vec<InputFile>,
    schema_namespace: Option<&'a str>,
) -> Result<Api, SpecError> {
    let all = operation::collect(reporter, doc)?;
    let chosen = operation::select(reporter, &all, selection)?;
    let mut cx = Lowering::new(reporter, doc, schema_namespace);
    cx.check_schema_names()?;
    let mut methods = Scope::with_reserved(&[
        "new",
        "with_config",
        "builder",
        "base_url",
        "config",
        "default_base_url",
        "account",
        "account_sid",
    ]);
    let mut operations = Vec::with_capacity(chosen.len());
    for found in &chosen {
        operations.push(cx.operation(found, &mut methods)?);
        cx.define_pending()?;
    }
    let server = chosen
        .first()
        .map(|found| cx.server(found))
        .transpose()?
        .flatten();
    let auth = chosen.iter().find_map(|found| cx.auth(found));
    // After the operations, so that their types keep the names they have without webhooks.
    let chosen_ids: Vec<String> = chosen.iter().map(|f| f.id.clone()).collect();
    let mut hooks_lowered = Vec::new();
    for hook in hooks
        .iter()
        .filter(|h| webhooks::selected(h, selection, &chosen_ids))
    {
        hooks_lowered.extend(cx.webhook(hook)?);
    }
    let mut hooks = hooks_lowered;
    let (mut types, aliases) = cx.finish(&mut operations, &mut hooks)?;
    listing::detect(&mut operations, &types, &mut methods);
    summary::describe_by_use(&mut types, &operations);
    // After the public names, so that a request builder never takes one.
    for op in &mut operations {
        let base = naming::method_stem(&op.method_name);
        op.request_method = methods.claim(&format!("{base}_request"));
    }
    Ok(Api {
        title: doc.info.title.clone(),
        description: doc.info.description.clone(),
        source: inputs.first().map(|i| i.name.clone()).unwrap_or_default(),
        version: doc.info.version.clone(),
        inputs,
        server,
        auth,
        operations,
        webhooks: hooks,
        types,
        aliases,
        environment: None,
    })
}

/// State shared while lowering one document.
pub(crate) struct Lowering<'a> {
    reporter: &'a Reporter,
    doc: &'a OpenAPI,
    /// What component schema names start with and type names leave out.
    schema_namespace: Option<&'a str>,
    type_names: Scope,
    /// Named types in the order their names were claimed (a [`TypeId`] indexes this); `None`
    /// until defined.
    types: Vec<Option<TypeDef>>,
    /// Every claimed type name and its id.
    type_ids: BTreeMap<String, TypeId>,
    /// The claimed type names, by id.
    names_by_id: Vec<String>,
    /// Component schemas already lowered (or being lowered), by component name.
    components: BTreeMap<String, schema::Lowered>,
    /// How many schemas deep the lowering currently is.
    depth: usize,
    /// Unnamed component schemas being lowered, to recognize one that contains itself.
    unnamed_in_progress: std::collections::BTreeSet<String>,
    /// Component structs named but not yet defined.
    pending: std::collections::VecDeque<(TypeId, &'a openapiv3::Schema, Pointer)>,
}

impl<'a> Lowering<'a> {
    fn new(reporter: &'a Reporter, doc: &'a OpenAPI, schema_namespace: Option<&'a str>) -> Self {
        Lowering {
            reporter,
            doc,
            schema_namespace,
            type_names: Scope::with_reserved(naming::RESERVED_TYPE_NAMES),
            types: Vec::new(),
            type_ids: BTreeMap::new(),
            names_by_id: Vec::new(),
            components: BTreeMap::new(),
            depth: 0,
            unnamed_in_progress: std::collections::BTreeSet::new(),
            pending: std::collections::VecDeque::new(),
        }
    }

    /// Two component schemas that would become one type name only because the namespace is
    /// left out and repeated segments collapsed are an error naming both: numbering one of
    /// them would make a type's name depend on which other schemas exist. (Schemas whose
    /// names collide anyway, `call-status` and `call_status`, are numbered as before.)
    fn check_schema_names(&self) -> Result<(), SpecError> {
        let Some(components) = &self.doc.components else {
            return Ok(());
        };
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for (name, schema) in &components.schemas {
            let ReferenceOr::Item(schema) = schema else {
                continue;
            };
            let at = Pointer::root()
                .push("components")
                .push("schemas")
                .push(name.clone());
            if !self.is_named(schema, &at) {
                continue;
            }
            let short = naming::schema_type_name(name, self.schema_namespace);
            match seen.get(&short) {
                Some(other) if naming::camel(other) != naming::camel(name) => {
                    return Err(self.reporter.error_with_hint(
                        &at,
                        format!("schemas `{other}` and `{name}` would both be the type `{short}`"),
                        "set the module's `schema_namespace` (--schema-namespace) so that it leaves out less, or rename one of the schemas",
                    ));
                }
                Some(_) => {}
                None => {
                    seen.insert(short, name);
                }
            }
        }
        Ok(())
    }

    /// Claims a unique type name from `hint`, with an id for the type to come.
    fn claim_type(&mut self, hint: &str) -> (TypeId, String) {
        let name = self.type_names.claim(hint);
        let id = TypeId::new(self.types.len());
        self.types.push(None);
        self.type_ids.insert(name.clone(), id);
        self.names_by_id.push(name.clone());
        (id, name)
    }

    /// The Rust name claimed for `id`.
    fn type_name(&self, id: TypeId) -> &str {
        self.names_by_id.get(id.index()).map_or("", String::as_str)
    }

    fn insert_type(&mut self, id: TypeId, def: TypeDef) {
        if let Some(slot) = self.types.get_mut(id.index()) {
            *slot = Some(def);
        }
    }

    fn type_def(&self, id: TypeId) -> Option<&TypeDef> {
        self.types.get(id.index()).and_then(Option::as_ref)
    }

    /// The type table sorted by Rust name, with every id (in the types and in `operations`)
    /// renumbered to match, and cycles boxed; and the merged enums' own names.
    fn finish(
        mut self,
        operations: &mut [Operation],
        hooks: &mut [Webhook],
    ) -> Result<(Vec<TypeDef>, Vec<TypeAlias>), SpecError> {
        self.define_pending()?;
        let (aliases, mut other_names) = self.merge_enums();
        let mut renumber = vec![TypeId::new(0); self.types.len()];
        let mut types = Vec::with_capacity(self.types.len());
        for (position, (name, old)) in self.type_ids.iter().enumerate() {
            renumber[old.index()] = TypeId::new(position);
            let def = self.types[old.index()].take().ok_or_else(|| {
                self.reporter.error_with_hint(
                    &Pointer::root(),
                    format!("internal: type `{name}` was named but never defined"),
                    "this is a generator bug: please report it with the spec",
                )
            })?;
            types.push(def);
        }
        for (old, survivor) in aliases.iter().enumerate() {
            if let Some(survivor) = survivor {
                renumber[old] = renumber[survivor.index()];
            }
        }
        let new_id = |id: TypeId| renumber[id.index()];
        for def in &mut types {
            match &mut def.kind {
                TypeKind::Struct(s) => s.fields.iter_mut().for_each(|f| f.ty.renumber(&new_id)),
                TypeKind::ByStatus(b) => b
                    .variants
                    .iter_mut()
                    .filter_map(|v| v.ty.as_mut())
                    .for_each(|ty| ty.renumber(&new_id)),
                TypeKind::Enum(_) => {}
            }
        }
        for op in operations {
            op.path_params
                .iter_mut()
                .for_each(|p| p.ty.renumber(&new_id));
            op.params = op.params.map(new_id);
            if let Some(body) = &mut op.body {
                body.ty.renumber(&new_id);
            }
            for shape in [&mut op.success, &mut op.error] {
                match shape {
                    ResponseShape::Untyped => {}
                    ResponseShape::Typed(ty) => ty.renumber(&new_id),
                    ResponseShape::ByStatus(id) => *id = new_id(*id),
                }
            }
        }
        for hook in hooks {
            hook.payload = new_id(hook.payload);
        }
        cycles::box_cycles(&mut types);
        other_names
            .iter_mut()
            .for_each(|a| a.target = new_id(a.target));
        other_names.sort_by(|a, b| a.name.cmp(&b.name));
        Ok((types, other_names))
    }

    /// Merges identical enums (see [`enums::plan`]): the merged ids leave the type table and
    /// the survivor takes the group's name. Returns, by old id, what each merged id became,
    /// and the members' own names as aliases of the survivor (old ids), except in the
    /// `HttpMethod` group, whose name never depends on its members.
    fn merge_enums(&mut self) -> (Vec<Option<TypeId>>, Vec<TypeAlias>) {
        let plan = enums::plan(self.type_ids.iter().filter_map(|(name, id)| {
            let def = self.types.get(id.index())?.as_ref()?;
            Some((name.as_str(), *id, def))
        }));
        let mut aliases = vec![None; self.types.len()];
        let mut other_names = Vec::new();
        for merge in plan {
            let members: Vec<TypeId> = std::iter::once(merge.survivor)
                .chain(merge.merged.iter().copied())
                .collect();
            let mut freed = false;
            for id in &members {
                let name = self.type_name(*id).to_string();
                freed |= name == merge.name;
                self.type_ids.remove(&name);
                if name != merge.name && merge.name != "HttpMethod" {
                    let origin = self
                        .type_def(*id)
                        .map(|d| d.origin.clone())
                        .unwrap_or_default();
                    other_names.push(TypeAlias {
                        name,
                        target: merge.survivor,
                        origin,
                    });
                }
            }
            for id in &merge.merged {
                aliases[id.index()] = Some(merge.survivor);
            }
            // A member may already carry the group's name; otherwise it is claimed anew.
            let name = if freed {
                merge.name.clone()
            } else {
                self.type_names.claim(&merge.name)
            };
            self.type_ids.insert(name.clone(), merge.survivor);
            if let Some(slot) = self.names_by_id.get_mut(merge.survivor.index()) {
                slot.clone_from(&name);
            }
            if let Some(Some(def)) = self.types.get_mut(merge.survivor.index()) {
                if merge.name == "HttpMethod" && def.name != name {
                    def.description = Some(
                        "An HTTP method, as the spec's `format: http-method` values spell it."
                            .to_string(),
                    );
                }
                def.name = name;
            }
        }
        (aliases, other_names)
    }

    /// Resolves a local `$ref` to a component, following chains; errors name the referrer.
    fn resolve<T>(
        &self,
        item: &'a ReferenceOr<T>,
        section: &str,
        get: impl Fn(&'a openapiv3::Components) -> &'a indexmap::IndexMap<String, ReferenceOr<T>>,
        at: &Pointer,
    ) -> Result<(&'a T, Pointer), SpecError> {
        let mut current = item;
        let mut pointer = at.clone();
        let mut seen = Vec::new();
        loop {
            match current {
                ReferenceOr::Item(value) => return Ok((value, pointer)),
                ReferenceOr::Reference { reference } => {
                    let name = self.component_name(reference, section, &pointer)?;
                    if seen.contains(&name) {
                        return Err(self.reporter.error_with_hint(
                            &pointer,
                            format!("`$ref: {reference}` is part of a cycle of references that never reaches a definition"),
                            "make one of the components in the cycle an actual definition",
                        ));
                    }
                    let target = self
                        .doc
                        .components
                        .as_ref()
                        .and_then(|c| get(c).get(&name))
                        .ok_or_else(|| self.dangling(reference, &pointer))?;
                    seen.push(name.clone());
                    pointer = Pointer::root()
                        .push("components")
                        .push(section)
                        .push(name)
                        .in_operation_of(&pointer);
                    current = target;
                }
            }
        }
    }

    /// `#/components/{section}/{name}` → name.
    fn component_name(
        &self,
        reference: &str,
        section: &str,
        at: &Pointer,
    ) -> Result<String, SpecError> {
        let target = Pointer::parse(reference);
        match target.as_ref().map(Pointer::tokens).as_deref() {
            Some([components, s, name]) if components == "components" && s == section => {
                Ok(name.clone())
            }
            // The loader rewrites every `$ref` it understands into this form; what is left
            // sits where the loader does not look for references.
            _ => Err(self.reporter.error_with_hint(
                at,
                format!("`$ref: {reference}` must point into `#/components/{section}/`"),
                format!("point the `$ref` at a component under `#/components/{section}/`"),
            )),
        }
    }

    fn dangling(&self, reference: &str, at: &Pointer) -> SpecError {
        self.reporter.error_with_hint(
            at,
            format!("`$ref: {reference}` points to nothing"),
            "define the component, or fix the spelling of the reference",
        )
    }

    /// The operation's server: its own, its path's, or the document's.
    fn server(&self, found: &operation::Found<'_>) -> Result<Option<Server>, SpecError> {
        let servers = if !found.op.servers.is_empty() {
            &found.op.servers
        } else if !found.item.servers.is_empty() {
            &found.item.servers
        } else {
            &self.doc.servers
        };
        let Some(server) = servers.first() else {
            return Ok(None);
        };
        let mut names = Scope::with_reserved(&["credentials", "config"]);
        let variables = server
            .variables
            .iter()
            .flatten()
            .map(|(name, var)| ServerVariable {
                name: name.clone(),
                rust_name: names.claim(&naming::snake(name)),
                default: var.default.clone(),
                description: var.description.clone(),
                allowed: var.enumeration.clone(),
            })
            .collect();
        Ok(Some(Server {
            url: server.url.clone(),
            description: server.description.clone(),
            variables,
        }))
    }

    /// The first security scheme the operation (or the document) requires.
    fn auth(&self, found: &operation::Found<'_>) -> Option<AuthScheme> {
        let requirements = found.op.security.as_ref().or(self.doc.security.as_ref())?;
        let schemes = &self.doc.components.as_ref()?.security_schemes;
        requirements.iter().flat_map(|r| r.keys()).find_map(|name| {
            let ReferenceOr::Item(scheme) = schemes.get(name)? else {
                return None;
            };
            use openapiv3::SecurityScheme as S;
            let (kind, description) = match scheme {
                S::HTTP {
                    scheme,
                    description,
                    ..
                } => (
                    match scheme.to_ascii_lowercase().as_str() {
                        "basic" => AuthKind::Basic,
                        "bearer" => AuthKind::Bearer,
                        other => AuthKind::Other(format!("HTTP {other}")),
                    },
                    description.clone(),
                ),
                S::OAuth2 { description, .. } | S::OpenIDConnect { description, .. } => {
                    (AuthKind::Bearer, description.clone())
                }
                S::APIKey {
                    description, name, ..
                } => (
                    AuthKind::Other(format!("API key `{name}`")),
                    description.clone(),
                ),
            };
            Some(AuthScheme {
                name: name.clone(),
                kind,
                description,
            })
        })
    }
}

trait Renumber {
    fn renumber(&mut self, new_id: &impl Fn(TypeId) -> TypeId);
}

impl Renumber for TypeRef {
    fn renumber(&mut self, new_id: &impl Fn(TypeId) -> TypeId) {
        match self {
            TypeRef::Named(id) => *id = new_id(*id),
            TypeRef::List(inner) | TypeRef::Map(inner) => inner.renumber(new_id),
            _ => {}
        }
    }
}

pub(crate) trait InOperationOf {
    fn in_operation_of(self, other: &Pointer) -> Pointer;
}

impl InOperationOf for Pointer {
    /// A component reached from an operation still reports that operation.
    fn in_operation_of(self, other: &Pointer) -> Pointer {
        match other.operation() {
            Some(op) => self.in_operation(op),
            None => self,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Selection;

    fn lower(spec: &str, selection: Selection) -> Result<crate::ir::Api, String> {
        crate::api_from_text("t.yaml", spec.as_bytes(), &selection).map_err(|e| e.to_string())
    }

    const SPEC: &str = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a/{id}:
    get:
      operationId: Good
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses: {'200': {description: ok}}
    post:
      operationId: ObjectQuery
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: filter, in: query, schema: {type: object, properties: {x: {type: string}}}}
      responses: {'200': {description: ok}}
  /b/{thing}:
    get:
      operationId: ObjectPath
      parameters:
        - {name: thing, in: path, required: true, schema: {type: object, properties: {x: {type: string}}}}
      responses: {'200': {description: ok}}
"#;

    #[test]
    fn unencodable_parameters_are_located_errors() {
        let e = lower(SPEC, Selection::Ids(vec!["ObjectQuery".into()])).unwrap_err();
        assert!(e.starts_with("t.yaml: #/paths/~1a~1{id}/post/parameters/1/schema (operation `ObjectQuery`): parameter `filter` is an object"), "{e}");
        let e = lower(SPEC, Selection::Ids(vec!["ObjectPath".into()])).unwrap_err();
        assert!(
            e.contains("(operation `ObjectPath`): path parameter `thing` must be"),
            "{e}"
        );
    }

    #[test]
    fn unselected_operations_do_not_stop_generation() {
        let api = lower(SPEC, Selection::Ids(vec!["Good".into()])).unwrap();
        assert_eq!(api.operations.len(), 1);
        assert!(lower(SPEC, Selection::All).is_err());
    }

    #[test]
    fn missing_operation_suggests_close_ids() {
        let e = lower(SPEC, Selection::Ids(vec!["good".into()])).unwrap_err();
        assert!(e.contains("operation `good` is not in the spec"), "{e}");
        assert!(e.contains("did you mean `Good`?"), "{e}");
        let e = lower(SPEC, Selection::Ids(vec!["Goods".into()])).unwrap_err();
        assert!(e.contains("did you mean `Good`?"), "{e}");
    }
}

#[cfg(test)]
mod depth_tests {
    #[test]
    fn long_ref_chains_are_errors_not_stack_overflows() {
        let mut spec = String::from("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: A\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/S0'}\ncomponents:\n  schemas:\n");
        for i in 0..5000 {
            spec.push_str(&format!("    S{i}: {{type: object, properties: {{next: {{$ref: '#/components/schemas/S{}'}}}}}}\n", i + 1));
        }
        spec.push_str("    S5000: {type: string}\n");
        let api = crate::api_from_text("t.yaml", spec.as_bytes(), &crate::Selection::All).unwrap();
        assert_eq!(api.types.len(), 5000);
    }
}

#[cfg(test)]
mod nesting_tests {
    /// The deepest inline nesting the YAML parser accepts lowers and emits on a test thread's
    /// 2 MiB stack; deeper input is a YAML error.
    #[test]
    fn deepest_accepted_inline_nesting_fits_the_stack() {
        for depth in [60usize, 120, 200, 10_000] {
            let schema = format!(
                "{}{{type: string}}{}",
                "{type: array, items: ".repeat(depth),
                "}".repeat(depth)
            );
            let spec = format!("openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /a:\n    get:\n      operationId: A\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {schema}\n");
            let result = crate::api_from_text("t.yaml", spec.as_bytes(), &crate::Selection::All);
            match result {
                Ok(api) => {
                    let files = crate::crate_files(&crate::emit::CrateSpec {
                        name: "t".into(),
                        version: "0.1.0".into(),
                        modules: vec![crate::emit::ModuleSpec {
                            name: "api".into(),
                            api,
                        }],
                        runtime: Default::default(),
                        families: Vec::new(),
                    });
                    assert!(files.is_ok(), "depth {depth}: {files:?}");
                }
                Err(e) => assert!(
                    e.to_string().contains("recursion limit"),
                    "depth {depth}: {e}"
                ),
            }
        }
    }
}
