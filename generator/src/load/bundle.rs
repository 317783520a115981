//! Bundling: one document from a spec spread over several files, with every `$ref` in the
//! spec's own words (`#/components/{section}/{name}`).
//!
//! A `$ref` to another file, or to a place that is not a component (`#/components/schemas/A/
//! properties/b`), has its target copied ("hoisted") into the root document's components under
//! a fresh name, and the `$ref` rewritten to point there. A path item given by `$ref` is copied
//! in place (3.0 has no path-item components). Later stages therefore see one document with
//! component references only. Each target is copied once, and recorded before its own `$ref`s
//! are followed, so cycles between files end. Copies remember where they were written, so
//! errors inside them name the user's file and pointer.
//!
//! The walk follows the document's structure (a schema's `properties` hold schemas, a
//! response's `headers` hold headers, …), so example data and extensions are never mistaken
//! for references. Webhooks and callbacks are walked too (their payloads are typed), so a
//! `$ref` in them may name another file like any other.

use super::{input_file, parse_text};
use crate::error::{Origin, Pointer, Reporter, SpecError};
use crate::ir::InputFile;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

/// What a position in the document holds, and so which components section a copy goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Schema,
    Parameter,
    Response,
    RequestBody,
    Header,
    Example,
    Link,
    SecurityScheme,
    Callback,
    PathItem,
}

impl Kind {
    /// The components section this kind lives in (path items have none in OpenAPI 3.0).
    fn section(self) -> &'static str {
        match self {
            Kind::Schema => "schemas",
            Kind::Parameter => "parameters",
            Kind::Response => "responses",
            Kind::RequestBody => "requestBodies",
            Kind::Header => "headers",
            Kind::Example => "examples",
            Kind::Link => "links",
            Kind::SecurityScheme => "securitySchemes",
            Kind::Callback => "callbacks",
            Kind::PathItem => "pathItems",
        }
    }

    /// The object's name in the OpenAPI specification, for messages.
    fn object(self) -> &'static str {
        match self {
            Kind::Schema => "a Schema Object",
            Kind::Parameter => "a Parameter Object",
            Kind::Response => "a Response Object",
            Kind::RequestBody => "a Request Body Object",
            Kind::Header => "a Header Object",
            Kind::Example => "an Example Object",
            Kind::Link => "a Link Object",
            Kind::SecurityScheme => "a Security Scheme Object",
            Kind::Callback => "a Callback Object",
            Kind::PathItem => "a Path Item Object",
        }
    }

    const ALL: [Kind; 9] = [
        Kind::Schema,
        Kind::Parameter,
        Kind::Response,
        Kind::RequestBody,
        Kind::Header,
        Kind::Example,
        Kind::Link,
        Kind::SecurityScheme,
        Kind::Callback,
    ];
}

/// One file of the spec.
struct File {
    /// The name shown in messages: the root's name, or a path relative to it.
    name: String,
    /// Where it is read from.
    path: PathBuf,
    doc: Rc<Value>,
    /// The files whose `$ref`s led here, root first (empty for the root).
    via: Vec<String>,
}

/// A change to make in a walked tree: the value at `at` (tokens relative to the walked value)
/// becomes `value`.
struct Edit {
    at: Vec<String>,
    value: Value,
}

/// The outcome of bundling.
pub(super) struct Bundled {
    pub doc: Value,
    pub inputs: Vec<InputFile>,
    pub origins: Vec<Origin>,
}

struct Bundler {
    files: Vec<File>,
    inputs: Vec<InputFile>,
    by_path: BTreeMap<PathBuf, usize>,
    /// Copied targets: (file, pointer, kind) → component name.
    copied: BTreeMap<(usize, String, Kind), String>,
    /// Component names in use, by section.
    taken: BTreeMap<&'static str, BTreeSet<String>>,
    /// Copies to add to the root's components, in the order they were made.
    added: Vec<(Kind, String, Value)>,
    origins: Vec<Origin>,
    /// Path items being copied, to refuse a path item that contains itself.
    path_items: Vec<(usize, String)>,
    /// Places in the root document whose value moved into components: each becomes a `$ref`.
    moved: Vec<Edit>,
}

/// Bundles the document `root` (read from `path`, named `name` in messages).
pub(super) fn bundle(
    name: &str,
    path: &Path,
    root: Value,
    input: InputFile,
) -> Result<Bundled, SpecError> {
    let mut taken: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    for kind in Kind::ALL {
        let names = root
            .get("components")
            .and_then(|c| c.get(kind.section()))
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        taken.insert(kind.section(), names);
    }
    let mut bundler = Bundler {
        files: vec![File {
            name: name.to_string(),
            path: lexical(path),
            doc: Rc::new(root),
            via: Vec::new(),
        }],
        inputs: vec![input],
        by_path: BTreeMap::from([(lexical(path), 0)]),
        copied: BTreeMap::new(),
        taken,
        added: Vec::new(),
        origins: Vec::new(),
        path_items: Vec::new(),
        moved: Vec::new(),
    };
    let doc = Rc::clone(&bundler.files[0].doc);
    let mut edits = Vec::new();
    bundler.document(&doc, &mut edits)?;
    edits.append(&mut bundler.moved);
    drop(doc);
    Ok(bundler.finish(edits))
}

/// A value found under `key`, with its pointer: the walk makes pointers only to what is there.
fn under<'v>(value: Option<&'v Value>, at: &Pointer, key: &str) -> Option<(&'v Value, Pointer)> {
    value.map(|value| (value, at.push(key)))
}

impl Bundler {
    /// The root document with `edits` made and the copies added to its components.
    fn finish(mut self, edits: Vec<Edit>) -> Bundled {
        // Every other handle on the root was dropped with the walk, so this does not clone.
        let root = std::mem::replace(&mut self.files[0].doc, Rc::new(Value::Null));
        let mut doc = Rc::try_unwrap(root).unwrap_or_else(|shared| (*shared).clone());
        apply(&mut doc, &[], edits);
        if let (Value::Object(map), false) = (&mut doc, self.added.is_empty()) {
            // `components` that is not a mapping is left for the document stage to report.
            let components = map
                .entry("components")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(components) = components {
                for (kind, name, value) in self.added {
                    let section = components
                        .entry(kind.section())
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(section) = section {
                        section.insert(name, value);
                    }
                }
            }
        }
        Bundled {
            doc,
            inputs: self.inputs,
            origins: self.origins,
        }
    }

    fn document(&mut self, doc: &Value, edits: &mut Vec<Edit>) -> Result<(), SpecError> {
        let root = Pointer::root();
        if let Some(Value::Object(paths)) = doc.get("paths") {
            for (path, item) in paths {
                let at = root.push("paths").push(path.clone());
                self.node(0, item, Kind::PathItem, &at, edits)?;
            }
        }
        if let Some(Value::Object(webhooks)) = doc.get("webhooks") {
            for (name, item) in webhooks {
                let at = root.push("webhooks").push(name.clone());
                self.node(0, item, Kind::PathItem, &at, edits)?;
            }
        }
        if let Some(Value::Object(components)) = doc.get("components") {
            for kind in Kind::ALL {
                if let Some(Value::Object(section)) = components.get(kind.section()) {
                    for (name, item) in section {
                        let at = root
                            .push("components")
                            .push(kind.section())
                            .push(name.clone());
                        self.node(0, item, kind, &at, edits)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Walks a value of a known kind in `file`, at `at` (a pointer into that file).
    fn node(
        &mut self,
        file: usize,
        value: &Value,
        kind: Kind,
        at: &Pointer,
        edits: &mut Vec<Edit>,
    ) -> Result<(), SpecError> {
        let Value::Object(map) = value else {
            return Ok(());
        };
        if let Some(Value::String(reference)) = map.get("$ref") {
            if let Some(mut edit) = self.reference(file, reference, kind, at)? {
                // Edits are recorded by their place in the file; see `apply`.
                let mut place = at.tokens();
                place.append(&mut edit.at);
                edit.at = place;
                edits.push(edit);
            }
            // A path item or a 3.1 schema may have siblings beside `$ref`: walk them too.
            if kind != Kind::Schema && kind != Kind::PathItem {
                return Ok(());
            }
        }
        let mut child = |this: &mut Self, key: &str, kind: Kind| -> Result<(), SpecError> {
            if let Some(v) = map.get(key) {
                this.node(file, v, kind, &at.push(key), edits)?;
            }
            Ok(())
        };
        match kind {
            Kind::PathItem => {
                self.list(
                    file,
                    under(map.get("parameters"), at, "parameters"),
                    Kind::Parameter,
                    edits,
                )?;
                for method in METHODS {
                    if let Some(Value::Object(op)) = map.get(method) {
                        let mut op_at = at.push(method);
                        if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                            op_at = op_at.in_operation(id);
                        }
                        self.operation(file, op, &op_at, edits)?;
                    }
                }
            }
            Kind::Parameter | Kind::Header => {
                child(self, "schema", Kind::Schema)?;
                self.media_map(file, under(map.get("content"), at, "content"), edits)?;
                self.map(
                    file,
                    under(map.get("examples"), at, "examples"),
                    Kind::Example,
                    edits,
                )?;
            }
            Kind::RequestBody => {
                self.media_map(file, under(map.get("content"), at, "content"), edits)?;
            }
            Kind::Response => {
                self.map(
                    file,
                    under(map.get("headers"), at, "headers"),
                    Kind::Header,
                    edits,
                )?;
                self.media_map(file, under(map.get("content"), at, "content"), edits)?;
                self.map(
                    file,
                    under(map.get("links"), at, "links"),
                    Kind::Link,
                    edits,
                )?;
            }
            Kind::Schema => {
                for key in [
                    "items",
                    "not",
                    "additionalProperties",
                    "contains",
                    "if",
                    "then",
                    "else",
                ] {
                    child(self, key, Kind::Schema)?;
                }
                for key in ["properties", "patternProperties", "$defs"] {
                    self.map(file, under(map.get(key), at, key), Kind::Schema, edits)?;
                }
                for key in ["allOf", "anyOf", "oneOf", "prefixItems"] {
                    self.list(file, under(map.get(key), at, key), Kind::Schema, edits)?;
                }
            }
            Kind::Callback => {
                // Each runtime expression names the path item of a request the API sends.
                for (expression, item) in map.iter().filter(|(k, _)| !k.starts_with("x-")) {
                    self.node(
                        file,
                        item,
                        Kind::PathItem,
                        &at.push(expression.clone()),
                        edits,
                    )?;
                }
            }
            Kind::Example | Kind::Link | Kind::SecurityScheme => {}
        }
        Ok(())
    }

    fn operation(
        &mut self,
        file: usize,
        op: &Map<String, Value>,
        at: &Pointer,
        edits: &mut Vec<Edit>,
    ) -> Result<(), SpecError> {
        self.list(
            file,
            under(op.get("parameters"), at, "parameters"),
            Kind::Parameter,
            edits,
        )?;
        if let Some(body) = op.get("requestBody") {
            self.node(
                file,
                body,
                Kind::RequestBody,
                &at.push("requestBody"),
                edits,
            )?;
        }
        self.map(
            file,
            under(op.get("callbacks"), at, "callbacks"),
            Kind::Callback,
            edits,
        )?;
        self.map(
            file,
            under(op.get("responses"), at, "responses"),
            Kind::Response,
            edits,
        )
    }

    fn list(
        &mut self,
        file: usize,
        items: Option<(&Value, Pointer)>,
        kind: Kind,
        edits: &mut Vec<Edit>,
    ) -> Result<(), SpecError> {
        if let Some((Value::Array(items), at)) = items {
            for (i, item) in items.iter().enumerate() {
                self.node(file, item, kind, &at.push(i.to_string()), edits)?;
            }
        }
        Ok(())
    }

    fn map(
        &mut self,
        file: usize,
        items: Option<(&Value, Pointer)>,
        kind: Kind,
        edits: &mut Vec<Edit>,
    ) -> Result<(), SpecError> {
        if let Some((Value::Object(items), at)) = items {
            for (key, item) in items {
                self.node(file, item, kind, &at.push(key.clone()), edits)?;
            }
        }
        Ok(())
    }

    /// A `content` map: each media type's schema, examples and encoding headers.
    fn media_map(
        &mut self,
        file: usize,
        content: Option<(&Value, Pointer)>,
        edits: &mut Vec<Edit>,
    ) -> Result<(), SpecError> {
        let Some((Value::Object(content), at)) = content else {
            return Ok(());
        };
        for (media, item) in content {
            let at = at.push(media.clone());
            if let Some(schema) = item.get("schema") {
                self.node(file, schema, Kind::Schema, &at.push("schema"), edits)?;
            }
            self.map(
                file,
                under(item.get("examples"), &at, "examples"),
                Kind::Example,
                edits,
            )?;
            if let Some(Value::Object(encodings)) = item.get("encoding") {
                for (property, encoding) in encodings {
                    let at = at.push("encoding").push(property.clone());
                    let headers = under(encoding.get("headers"), &at, "headers");
                    self.map(file, headers, Kind::Header, edits)?;
                }
            }
        }
        Ok(())
    }

    /// Follows one `$ref` found in `file` at `at` (pointing at the `$ref`'s object).
    fn reference(
        &mut self,
        file: usize,
        reference: &str,
        kind: Kind,
        at: &Pointer,
    ) -> Result<Option<Edit>, SpecError> {
        let (target_file, fragment) = self.target(file, reference, at)?;
        let Some(pointer) = Pointer::parse(&format!("#{fragment}")) else {
            return Err(self.fail(
                file,
                at,
                format!("`$ref: {reference}` has a fragment that is not a JSON pointer"),
                "write the part after `#` as a JSON pointer, like `#/components/schemas/Name`",
            ));
        };
        let tokens = pointer.tokens();
        let is_component =
            matches!(&tokens[..], [c, s, _] if c == "components" && s == kind.section());
        if target_file == 0 && is_component && kind != Kind::PathItem {
            // Already in the bundled document's words, unless written from another file.
            return Ok((file != 0).then(|| ref_edit(kind, &tokens[2])));
        }
        let Some(target) = self.files[target_file].doc.pointer(fragment) else {
            let place = if target_file == file {
                String::new()
            } else {
                format!(" in {}", self.files[target_file].name)
            };
            return Err(self.fail(
                file,
                at,
                format!("`$ref: {reference}` points to nothing{place}"),
                "fix the reference, or define what it names",
            ));
        };
        let target = target.clone();
        check_kind(&target, kind).map_err(|found| {
            self.fail(
                file,
                at,
                format!(
                    "`$ref: {reference}` is used as {} but points to {found}",
                    kind.object()
                ),
                format!("point the `$ref` at {}", kind.object()),
            )
        })?;
        let written = tokens.to_vec();
        if kind == Kind::PathItem {
            return self.path_item(file, target_file, target, written, reference, at);
        }
        let key = (target_file, fragment.to_string(), kind);
        if let Some(name) = self.copied.get(&key) {
            return Ok(Some(ref_edit(kind, name)));
        }
        let name = self.fresh_name(kind, target_file, &written);
        self.copied.insert(key, name.clone());
        self.origins.push(Origin {
            bundled: vec!["components".into(), kind.section().into(), name.clone()],
            file: self.files[target_file].name.clone(),
            written: written.clone(),
        });
        if target_file == 0 && !written.is_empty() {
            // Moved, not copied: the place it was written refers to it, so it stays one type.
            self.moved.push(Edit {
                at: written.clone(),
                value: serde_json::json!({ "$ref": ref_edit(kind, &name).value }),
            });
        }
        let mut copy = target;
        let mut edits = Vec::new();
        let mut written_at = Pointer::root();
        for t in &written {
            written_at = written_at.push(t.clone());
        }
        self.node(target_file, &copy.clone(), kind, &written_at, &mut edits)?;
        apply(&mut copy, &written, edits);
        self.added.push((kind, name.clone(), copy));
        Ok(Some(ref_edit(kind, &name)))
    }

    /// A path item by `$ref`: copied in place, its own `$ref`s followed.
    fn path_item(
        &mut self,
        file: usize,
        target_file: usize,
        target: Value,
        written: Vec<String>,
        reference: &str,
        at: &Pointer,
    ) -> Result<Option<Edit>, SpecError> {
        let key = (target_file, written.join("/"));
        if self.path_items.contains(&key) {
            return Err(self.fail(
                file,
                at,
                format!("`$ref: {reference}` is part of a cycle of path items that never reaches a definition"),
                "make one of the path items in the cycle an actual definition",
            ));
        }
        self.path_items.push(key);
        let mut written_at = Pointer::root();
        for t in &written {
            written_at = written_at.push(t.clone());
        }
        let mut copy = target;
        let mut edits = Vec::new();
        let result = self.node(
            target_file,
            &copy.clone(),
            Kind::PathItem,
            &written_at,
            &mut edits,
        );
        self.path_items.pop();
        result?;
        apply(&mut copy, &written, edits);
        if file == 0 {
            self.origins.push(Origin {
                bundled: at.tokens(),
                file: self.files[target_file].name.clone(),
                written,
            });
        }
        Ok(Some(Edit {
            at: Vec::new(),
            value: copy,
        }))
    }

    /// The file a `$ref` names (loaded on first use) and its fragment (`""` for the whole file).
    fn target<'r>(
        &mut self,
        file: usize,
        reference: &'r str,
        at: &Pointer,
    ) -> Result<(usize, &'r str), SpecError> {
        let (location, fragment) = match reference.split_once('#') {
            Some((location, fragment)) => (location, fragment),
            None => (reference, ""),
        };
        if location.is_empty() {
            return Ok((file, fragment));
        }
        let remote = location.starts_with("//")
            || location
                .split_once(':')
                .is_some_and(|(scheme, _)| scheme.len() > 1 && !scheme.contains('/'));
        if remote {
            return Err(self.fail(
                file,
                at,
                format!("`$ref: {reference}` names a remote document; generation never reads the network"),
                "download the document next to the spec and refer to it by a relative path",
            ));
        }
        if location.starts_with('/') {
            return Err(self.fail(
                file,
                at,
                format!("`$ref: {reference}` names a file by an absolute path"),
                "refer to the file by a path relative to the file that holds the `$ref`",
            ));
        }
        let base = self.files[file].path.parent().unwrap_or(Path::new(""));
        let path = lexical(&base.join(location));
        if let Some(&index) = self.by_path.get(&path) {
            return Ok((index, fragment));
        }
        let name = {
            let base_name = Path::new(&self.files[file].name)
                .parent()
                .unwrap_or(Path::new(""));
            slash_path(&lexical(&base_name.join(location)))
        };
        let bytes = std::fs::read(&path).map_err(|e| {
            let why = match e.kind() {
                std::io::ErrorKind::NotFound => "no such file".to_string(),
                std::io::ErrorKind::IsADirectory => "it is a directory".to_string(),
                _ => e.to_string(),
            };
            self.fail(
                file,
                at,
                format!("`$ref: {reference}`: cannot read {name}: {why}"),
                "a relative `$ref` is resolved from the directory of the file that holds it",
            )
        })?;
        let mut via = self.files[file].via.clone();
        via.push(self.files[file].name.clone());
        let reporter = Reporter::new(name.clone());
        let doc = parse_text(&reporter, &bytes).map_err(|mut e| {
            e.problem = format!("{} (reached by `$ref` from {})", e.problem, via.join(" → "));
            e
        })?;
        let index = self.files.len();
        self.inputs.push(input_file(name.clone(), &bytes));
        self.files.push(File {
            name,
            path: path.clone(),
            doc: Rc::new(doc),
            via,
        });
        self.by_path.insert(path, index);
        Ok((index, fragment))
    }

    /// A component name for a copy: the target's own name when it is a component, else one
    /// made from its pointer (or file name); never one the section already has.
    fn fresh_name(&mut self, kind: Kind, file: usize, written: &[String]) -> String {
        let base = match written {
            [c, _, name] if c == "components" => name.clone(),
            [] => Path::new(&self.files[file].name)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "Shared".into()),
            tokens => tokens
                .iter()
                .filter(|t| {
                    !STRUCTURAL.contains(&t.as_str()) && !t.chars().all(|c| c.is_ascii_digit())
                })
                .map(|t| t.trim_matches('/').replace('/', "_"))
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join("_"),
        };
        let base = if base.is_empty() {
            kind.section().trim_end_matches('s').to_string()
        } else {
            base
        };
        let taken = self.taken.entry(kind.section()).or_default();
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        taken.insert(name.clone());
        name
    }

    /// An error at `at` in `file`, naming the chain of files that led there.
    fn fail(
        &self,
        file: usize,
        at: &Pointer,
        problem: String,
        hint: impl Into<String>,
    ) -> SpecError {
        let f = &self.files[file];
        let problem = if f.via.is_empty() {
            problem
        } else {
            format!("{problem} (reached by `$ref` from {})", f.via.join(" → "))
        };
        Reporter::new(f.name.clone()).error_with_hint(at, problem, hint)
    }
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Pointer tokens that say where something is, not what it is: left out of copies' names.
const STRUCTURAL: [&str; 22] = [
    "components",
    "schemas",
    "parameters",
    "responses",
    "requestBodies",
    "headers",
    "examples",
    "links",
    "paths",
    "properties",
    "items",
    "allOf",
    "anyOf",
    "oneOf",
    "content",
    "schema",
    "requestBody",
    "additionalProperties",
    "get",
    "post",
    "put",
    "delete",
];

fn ref_edit(kind: Kind, name: &str) -> Edit {
    Edit {
        at: vec!["$ref".into()],
        value: Value::String(
            Pointer::root()
                .push("components")
                .push(kind.section())
                .push(name)
                .to_string(),
        ),
    }
}

/// Whether `value` can be the `kind` of object a `$ref` expects; else what it is.
fn check_kind(value: &Value, kind: Kind) -> Result<(), String> {
    let Value::Object(map) = value else {
        if kind == Kind::Schema && value.is_boolean() {
            return Ok(());
        }
        return Err(super::describe(value).to_string());
    };
    if map.contains_key("$ref") {
        return Ok(());
    }
    let missing =
        |key: &str| (!map.contains_key(key)).then(|| format!("a mapping without `{key}`"));
    let problem = match kind {
        Kind::Parameter => missing("name").or_else(|| missing("in")),
        Kind::RequestBody => missing("content"),
        Kind::SecurityScheme => missing("type"),
        Kind::Schema if map.contains_key("in") && map.contains_key("name") => {
            Some("a Parameter Object".to_string())
        }
        Kind::Schema if map.contains_key("responses") || map.contains_key("operationId") => {
            Some("an Operation Object".to_string())
        }
        _ => None,
    };
    problem.map_or(Ok(()), Err)
}

/// Applies edits to `value`, which was copied from `from` in its file: each edit's `at` is a
/// place in that file, under `from`.
fn apply(value: &mut Value, from: &[String], edits: Vec<Edit>) {
    for edit in edits {
        let Some(relative) = edit.at.strip_prefix(from) else {
            continue;
        };
        let mut pointer = Pointer::root();
        for token in relative {
            pointer = pointer.push(token.clone());
        }
        let text = pointer.to_string();
        if let Some(node) = value.pointer_mut(&text[1..]) {
            *node = edit.value;
        }
    }
}

/// `a/b/../c` → `a/c` without touching the file system.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// A path with `/` separators, for messages that read the same on every platform.
fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
