//! What a regeneration changes for users of a module: the difference between two API
//! surfaces, each change marked breaking or additive by the construction rules the README
//! documents ("Reviewing generated changes"):
//!
//! - Types passed to operations (request bodies, parameter structs) are built by callers in
//!   one expression: `..Default::default()` when every field is optional, else
//!   `..Name::new(required…)`. So an added optional field is additive while the struct keeps
//!   its `Default` or its `new` (with the same parameters); an added required field is
//!   breaking, because `new` (or every struct literal) must now name it.
//! - Every other type is a response: read, never built (tests build one by deserializing it),
//!   so an added field is additive.
//! - Enums are matched with a `_` arm (they already carry an `Unknown` fallback), so an added
//!   variant is additive.
//! - Removals, type changes, optional → required, a lost derive or trait, an operation that
//!   now calls another endpoint and a field or value with a new wire name are breaking.

use crate::format::GeneratedFile;
use crate::surface::{Field, Function, Http, Item, ItemKind, Presence, Surface};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

/// Whether code that uses the crate as documented keeps compiling and meaning the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Impact {
    Additive,
    Breaking,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

/// One difference in the API surface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub impact: Impact,
    pub kind: ChangeKind,
    /// What changed: `field UpdateRequest.muted`, `fn Client::update`, `struct Page`.
    pub what: String,
    /// The old and/or new shape, and why it has the impact it has.
    pub detail: String,
}

/// Every API change between two versions of a module's text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeReport {
    pub changes: Vec<Change>,
    /// Set when a version is not Rust, so no comparison was possible.
    pub unreadable: Option<String>,
}

impl ChangeReport {
    pub fn count(&self, impact: Impact) -> usize {
        self.changes.iter().filter(|c| c.impact == impact).count()
    }
}

/// The API changes from `old_text` to `new_text`, two versions of one generated module file.
pub fn report(old_text: &str, new_text: &str) -> ChangeReport {
    let one = |text: &str| BTreeMap::from([("mod".to_string(), text.to_string())]);
    report_module(&one(old_text), &one(new_text))
}

/// The API changes between two versions of one generated module, each as its files by stem
/// (see [`Surface::of_module`]).
pub fn report_module(
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> ChangeReport {
    let surfaces = Surface::of_module(old)
        .map_err(|e| format!("the old module does not parse as Rust ({e})"))
        .and_then(|old| {
            Surface::of_module(new)
                .map(|new| (old, new))
                .map_err(|e| format!("the new module does not parse as Rust ({e})"))
        });
    match surfaces {
        Ok((old, new)) => ChangeReport {
            changes: compare(&old, &new),
            unreadable: None,
        },
        Err(why) => ChangeReport {
            changes: Vec::new(),
            unreadable: Some(why),
        },
    }
}

/// The changes from `old` to `new`, in item order.
pub fn compare(old: &Surface, new: &Surface) -> Vec<Change> {
    let built: BTreeSet<String> = built_by_callers(old)
        .into_iter()
        .chain(built_by_callers(new))
        .collect();
    let mut out = Changes::default();
    for (name, old_item, new_item) in pairs(&old.items, &new.items) {
        let what = |item: &Item| format!("{} {name}", item.keyword());
        match (old_item, new_item) {
            (Some(o), None) => out.push(Impact::Breaking, ChangeKind::Removed, what(o), ""),
            (None, Some(n)) => out.push(Impact::Additive, ChangeKind::Added, what(n), ""),
            (Some(o), Some(n)) => compare_item(name, o, n, built.contains(name), &mut out),
            (None, None) => {}
        }
    }
    out.0
}

#[derive(Default)]
struct Changes(Vec<Change>);

impl Changes {
    fn push(&mut self, impact: Impact, kind: ChangeKind, what: String, detail: &str) {
        self.0.push(Change {
            impact,
            kind,
            what,
            detail: detail.to_string(),
        });
    }
}

/// Keys of both maps in order, with the value on each side.
fn pairs<'a, V>(
    old: &'a BTreeMap<String, V>,
    new: &'a BTreeMap<String, V>,
) -> impl Iterator<Item = (&'a String, Option<&'a V>, Option<&'a V>)> {
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    keys.into_iter().map(move |k| (k, old.get(k), new.get(k)))
}

fn compare_item(name: &str, old: &Item, new: &Item, built: bool, out: &mut Changes) {
    if old.kind != new.kind {
        let shape = |i: &Item| match &i.kind {
            ItemKind::Alias(target) => format!("type = {target}"),
            _ => i.keyword().to_string(),
        };
        let detail = format!("{} → {}", shape(old), shape(new));
        out.push(
            Impact::Breaking,
            ChangeKind::Changed,
            format!("{} {name}", new.keyword()),
            &detail,
        );
        if old.keyword() != new.keyword() {
            return;
        }
    }
    set_changes("derive", name, &old.derives, &new.derives, out);
    set_changes("impl", name, &old.traits, &new.traits, out);
    for (field, o, n) in pairs(&old.fields, &new.fields) {
        let what = format!("field {name}.{field}");
        match (o, n) {
            (Some(o), None) => out.push(Impact::Breaking, ChangeKind::Removed, what, &o.describe()),
            (None, Some(n)) => {
                let (impact, why) = added_field(name, n, old, new, built);
                let detail = format!("{}; {why}", n.describe());
                out.push(impact, ChangeKind::Added, what, &detail);
            }
            (Some(o), Some(n)) if o != n => {
                let (impact, detail) = changed_field(o, n);
                out.push(impact, ChangeKind::Changed, what, &detail);
            }
            _ => {}
        }
    }
    for (variant, o, n) in pairs(&old.variants, &new.variants) {
        let what = format!("variant {name}::{variant}");
        match (o, n) {
            (Some(o), None) => out.push(Impact::Breaking, ChangeKind::Removed, what, &o.describe()),
            (None, Some(n)) => {
                let detail = [n.describe(), "matches end in a `_` arm".into()];
                let detail = detail
                    .iter()
                    .filter(|d| !d.is_empty())
                    .cloned()
                    .collect::<Vec<_>>();
                out.push(
                    Impact::Additive,
                    ChangeKind::Added,
                    what,
                    &detail.join("; "),
                );
            }
            (Some(o), Some(n)) if o != n => {
                let detail = format!("{} → {}", o.describe(), n.describe());
                out.push(Impact::Breaking, ChangeKind::Changed, what, &detail);
            }
            _ => {}
        }
    }
    for (c, o, n) in pairs(&old.consts, &new.consts) {
        let what = format!("const {name}::{c}");
        match (o, n) {
            (Some(o), None) => out.push(Impact::Breaking, ChangeKind::Removed, what, o),
            (None, Some(n)) => out.push(Impact::Additive, ChangeKind::Added, what, n),
            (Some(o), Some(n)) if o != n => out.push(
                Impact::Breaking,
                ChangeKind::Changed,
                what,
                &format!("{o} → {n}"),
            ),
            _ => {}
        }
    }
    for (f, o, n) in pairs(&old.functions, &new.functions) {
        let what = format!("fn {name}::{f}");
        let described = |function: &Function| match &function.http {
            Some(http) => format!("{}; {http}", function.signature(f)),
            None => function.signature(f),
        };
        match (o, n) {
            (Some(o), None) => out.push(Impact::Breaking, ChangeKind::Removed, what, &described(o)),
            (None, Some(n)) => out.push(Impact::Additive, ChangeKind::Added, what, &described(n)),
            (Some(o), Some(n)) if o != n => {
                let (impact, detail) = changed_function(f, o, n);
                out.push(impact, ChangeKind::Changed, what, &detail);
            }
            _ => {}
        }
    }
}

/// Derives or trait impls that went away (breaking) or appeared (additive).
fn set_changes(
    what: &str,
    name: &str,
    old: &BTreeSet<String>,
    new: &BTreeSet<String>,
    out: &mut Changes,
) {
    for t in old.difference(new) {
        out.push(
            Impact::Breaking,
            ChangeKind::Removed,
            format!("{what} {t} for {name}"),
            "",
        );
    }
    for t in new.difference(old) {
        out.push(
            Impact::Additive,
            ChangeKind::Added,
            format!("{what} {t} for {name}"),
            "",
        );
    }
}

/// An added field is breaking only where callers build the type and cannot leave it out.
fn added_field(name: &str, field: &Field, old: &Item, new: &Item, built: bool) -> (Impact, String) {
    let defaulted = old.derives.contains("Default") && new.derives.contains("Default");
    // Callers wrote `..Name::new(…)`, and that call still compiles.
    let constructed = matches!(
        (old.functions.get("new"), new.functions.get("new")),
        (Some(before), Some(after)) if before.params == after.params
    );
    match (built, field.presence) {
        (false, _) => (
            Impact::Additive,
            format!("{name} is a response type, read and never built"),
        ),
        (true, Presence::Optional) if defaulted => (
            Impact::Additive,
            format!("callers build {name} with `..Default::default()`"),
        ),
        (true, Presence::Optional) if constructed => (
            Impact::Additive,
            format!("callers build {name} with `..{name}::new(…)`, which is unchanged"),
        ),
        (true, _) => (
            Impact::Breaking,
            format!("callers build {name} and must now set it"),
        ),
    }
}

fn changed_field(old: &Field, new: &Field) -> (Impact, String) {
    let mut impact = Impact::Additive;
    let mut parts = Vec::new();
    if old.ty != new.ty {
        impact = Impact::Breaking;
        parts.push(format!("type {} → {}", old.ty, new.ty));
    }
    if old.presence != new.presence {
        // Toward required is stricter: values that could be left out no longer can.
        if new.presence < old.presence {
            impact = Impact::Breaking;
        }
        parts.push(format!("{} → {}", old.presence, new.presence));
    }
    if old.wire != new.wire {
        impact = Impact::Breaking;
        parts.push(format!("wire `{}` → `{}`", old.wire, new.wire));
    }
    (impact, parts.join("; "))
}

fn changed_function(name: &str, old: &Function, new: &Function) -> (Impact, String) {
    let mut impact = Impact::Additive;
    let mut parts = Vec::new();
    let shape = |f: &Function| {
        let types: Vec<String> = f.params.iter().map(|p| p.ty.clone()).collect();
        (f.is_async, f.receiver.clone(), types, f.output.clone())
    };
    if old.signature(name) != new.signature(name) {
        if shape(old) != shape(new) {
            impact = Impact::Breaking;
        } else {
            parts.push("parameter names only; calls are unchanged".to_string());
        }
        parts.insert(
            0,
            format!("`{}` → `{}`", old.signature(name), new.signature(name)),
        );
    }
    match (&old.http, &new.http) {
        (Some(o), Some(n)) if (&o.method, &o.path) != (&n.method, &n.path) => {
            impact = Impact::Breaking;
            parts.push(format!("endpoint {o} → {n}"));
        }
        (o, n) if o != n => {
            let show =
                |h: &Option<Http>| h.as_ref().map_or("none".to_string(), ToString::to_string);
            if o.is_some() {
                impact = Impact::Breaking;
            }
            parts.push(format!("endpoint {} → {}", show(o), show(n)));
        }
        _ => {}
    }
    (impact, parts.join("; "))
}

/// Types callers build: those reachable from a public function's parameters.
fn built_by_callers(surface: &Surface) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut work: Vec<String> = surface
        .items
        .values()
        .flat_map(|i| i.functions.values())
        .flat_map(|f| f.params.iter())
        .flat_map(|p| local_names(&p.ty))
        .collect();
    while let Some(name) = work.pop() {
        let Some(item) = surface.items.get(&name) else {
            continue;
        };
        if !seen.insert(name) {
            continue;
        }
        let alias = match &item.kind {
            ItemKind::Alias(target) => Some(target.as_str()),
            _ => None,
        };
        let inner = item
            .fields
            .values()
            .map(|f| f.ty.as_str())
            .chain(item.variants.values().filter_map(|v| v.payload.as_deref()))
            .chain(alias);
        work.extend(inner.flat_map(local_names));
    }
    seen
}

/// The unqualified names in a type's text (`Option<Box<Page>>` → Option, Box, Page); names
/// inside a path (`crate::Timestamp`) belong to other modules.
fn local_names(ty: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = ty;
    while let Some(start) = rest.find(|c: char| c.is_alphanumeric() || c == '_') {
        let qualified = rest[..start].ends_with("::");
        let tail = &rest[start..];
        let len = tail
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        if !qualified && !tail[len..].starts_with("::") {
            names.push(tail[..len].to_string());
        }
        rest = &tail[len..];
    }
    names
}

impl fmt::Display for Impact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Impact::Additive => "additive",
            Impact::Breaking => "breaking",
        })
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        })
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:<8}  {:<7}  {}", self.impact, self.kind, self.what)?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

/// One line per change, indented, each starting with its impact.
impl fmt::Display for ChangeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(why) = &self.unreadable {
            return writeln!(f, "  no API comparison: {why}");
        }
        if self.changes.is_empty() {
            return writeln!(f, "  no API change (documentation or implementation only)");
        }
        self.changes.iter().try_for_each(|c| writeln!(f, "  {c}"))
    }
}

/// The reviews of the modules in `dirs` (`src/twilio`) whose generated `files` would replace
/// what `dir` holds: the module's directory, or the one file (`src/twilio.rs`) an earlier
/// layout wrote. Modules that are new, unchanged or not generated (no `@generated` header:
/// someone else's files) have none.
pub fn replaced(dir: &Path, files: &[GeneratedFile], dirs: &[String]) -> Vec<ModuleReview> {
    dirs.iter()
        .filter_map(|module_dir| {
            let new = module_sources(files, module_dir);
            let old = on_disk(&dir.join(module_dir))?;
            (old != new).then(|| ModuleReview {
                path: format!("{module_dir}/"),
                report: report_module(&old, &new),
            })
        })
        .collect()
}

/// The texts of the module at `module_dir` (`src/twilio`) among `files`, by stem, as
/// [`Surface::of_module`] reads them: its directory's files, or its one file (`src/twilio.rs`)
/// as `mod`.
pub fn module_sources(files: &[GeneratedFile], module_dir: &str) -> BTreeMap<String, String> {
    let single = format!("{module_dir}.rs");
    files
        .iter()
        .filter_map(|f| {
            let stem = match f.path.strip_prefix(module_dir)?.strip_prefix('/') {
                Some(rest) => rest.strip_suffix(".rs")?,
                None if f.path == single => "mod",
                None => return None,
            };
            Some((stem.to_string(), f.contents.clone()))
        })
        .collect()
}

/// A generated module's files as `dir` holds them (`dir` is `…/src/twilio`), by stem; `None`
/// when there is no generated module there.
fn on_disk(dir: &Path) -> Option<BTreeMap<String, String>> {
    let generated = |text: String| text.starts_with("// @generated").then_some(text);
    if let Ok(text) = std::fs::read_to_string(dir.with_extension("rs")) {
        return Some(BTreeMap::from([("mod".to_string(), generated(text)?)]));
    }
    let files: BTreeMap<String, String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let stem = path.file_stem()?.to_str()?.to_string();
            (path.extension()? == "rs").then_some(())?;
            Some((stem, generated(std::fs::read_to_string(&path).ok()?)?))
        })
        .collect();
    files.contains_key("mod").then_some(files)
}

/// The report for one generated module that a run replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleReview {
    /// Relative to the output directory: `src/twilio/`.
    pub path: String,
    pub report: ChangeReport,
}

impl fmt::Display for ModuleReview {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "API changes in {}: {} breaking, {} additive",
            self.path,
            self.report.count(Impact::Breaking),
            self.report.count(Impact::Additive)
        )?;
        write!(f, "{}", self.report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module in the generator's shape: one operation, its request and response types.
    fn module(request: &str, response: &str, rest: &str) -> String {
        format!(
            r#"
            pub struct Client {{ transport: crate::runtime::Transport }}
            impl Client {{
                /// `POST /Queues/{{QueueSid}}` (operation `UpdateQueue`).
                pub async fn update_queue(&self, queue_sid: &str, body: &UpdateQueueRequest)
                    -> Result<Queue, crate::Error<crate::runtime::ApiErrorBody>> {{ todo!() }}
            }}
            #[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize)]
            pub struct UpdateQueueRequest {{
                #[serde(rename = "FriendlyName", default, skip_serializing_if = "Option::is_none")]
                pub friendly_name: Option<String>,
                {request}
            }}
            #[derive(Debug, Clone, PartialEq, ::serde::Deserialize)]
            pub struct Queue {{
                pub sid: String,
                {response}
            }}
            pub enum QueueState {{ Open, Unknown(String) }}
            impl QueueState {{
                pub fn as_str(&self) -> &str {{
                    match self {{ Self::Open => "open", Self::Unknown(value) => value }}
                }}
            }}
            {rest}
            "#
        )
    }

    const MAX_SIZE: &str = r#"#[serde(rename = "MaxSize", default, skip_serializing_if = "Option::is_none")]
        pub max_size: Option<i64>,"#;

    fn lines(old: &str, new: &str) -> Vec<String> {
        let report = report(old, new);
        assert_eq!(report.unreadable, None);
        report.changes.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn the_same_surface_is_no_change() {
        let text = module(MAX_SIZE, "", "");
        assert_eq!(report(&text, &text), ChangeReport::default());
        let reworded = text.replace(
            "operation `UpdateQueue`).",
            "operation `UpdateQueue`).\n/// More words.",
        );
        assert_eq!(lines(&text, &reworded), Vec::<String>::new());
    }

    #[test]
    fn a_removed_request_field_is_breaking() {
        assert_eq!(
            lines(&module(MAX_SIZE, "", ""), &module("", "", "")),
            ["breaking  removed  field UpdateQueueRequest.max_size: Option<i64>, wire `MaxSize`, optional"]
        );
    }

    #[test]
    fn an_added_optional_request_field_is_additive_because_requests_derive_default() {
        assert_eq!(
            lines(&module("", "", ""), &module(MAX_SIZE, "", "")),
            ["additive  added    field UpdateQueueRequest.max_size: Option<i64>, wire `MaxSize`, optional; \
              callers build UpdateQueueRequest with `..Default::default()`"]
        );
    }

    #[test]
    fn an_added_required_request_field_is_breaking_and_takes_default_away() {
        let old = module("", "", "");
        let new = module(r#"#[serde(rename = "MaxSize")] pub max_size: i64,"#, "", "").replacen(
            "Default, ",
            "",
            1,
        );
        assert_eq!(
            lines(&old, &new),
            [
                "breaking  removed  derive Default for UpdateQueueRequest",
                "breaking  added    field UpdateQueueRequest.max_size: i64, wire `MaxSize`, required; \
                 callers build UpdateQueueRequest and must now set it",
            ]
        );
    }

    #[test]
    fn an_added_optional_field_of_a_request_built_with_new_is_additive() {
        let constructed = |extra: &str| {
            module("", "", "").replacen("Default, ", "", 1).replacen(
                "pub friendly_name: Option<String>,",
                &format!(
                    "pub friendly_name: Option<String>, pub name: String, {extra} }} \
                     impl UpdateQueueRequest {{ pub fn new(name: impl Into<String>) -> Self {{ todo!() }}"
                ),
                1,
            )
        };
        assert_eq!(
            lines(&constructed(""), &constructed(MAX_SIZE)),
            ["additive  added    field UpdateQueueRequest.max_size: Option<i64>, wire `MaxSize`, optional; \
              callers build UpdateQueueRequest with `..UpdateQueueRequest::new(…)`, which is unchanged"]
        );
        // A new required field is a new parameter of `new`: breaking.
        let with_new_parameter = constructed("pub size: i64,").replace(
            "new(name: impl Into<String>)",
            "new(name: impl Into<String>, size: i64)",
        );
        let lines = lines(&constructed(""), &with_new_parameter);
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("breaking  added    field UpdateQueueRequest.size")),
            "{lines:?}"
        );
    }

    #[test]
    fn an_added_response_field_is_additive_even_when_required() {
        assert_eq!(
            lines(&module("", "", ""), &module("", "pub size: i64,", "")),
            [
                "additive  added    field Queue.size: i64, wire `size`, required; \
              Queue is a response type, read and never built"
            ]
        );
    }

    #[test]
    fn types_reached_through_request_fields_are_built_by_callers() {
        let old = module(
            "pub rule: Option<Rule>,",
            "",
            "pub struct Rule { pub a: String }",
        );
        let new = module(
            "pub rule: Option<Rule>,",
            "",
            "pub struct Rule { pub a: String, pub b: String }",
        );
        assert_eq!(
            lines(&old, &new),
            ["breaking  added    field Rule.b: String, wire `b`, required; callers build Rule and must now set it"]
        );
    }

    #[test]
    fn type_changes_and_optional_to_required_are_breaking() {
        let old = module(MAX_SIZE, "pub size: Option<i64>,", "");
        let new = module(
            &MAX_SIZE.replace("Option<i64>", "Option<String>"),
            "pub size: i64,",
            "",
        );
        assert_eq!(
            lines(&old, &new),
            [
                "breaking  changed  field Queue.size: type Option<i64> → i64",
                "breaking  changed  field UpdateQueueRequest.max_size: type Option<i64> → Option<String>",
            ]
        );
        let optional = module(
            "",
            r#"#[serde(default, skip_serializing_if = "Option::is_none")] pub size: Option<i64>,"#,
            "",
        );
        let required = module("", "pub size: i64,", "");
        assert_eq!(
            lines(&optional, &required),
            ["breaking  changed  field Queue.size: type Option<i64> → i64; optional → required"]
        );
        assert_eq!(
            lines(&required, &optional),
            ["breaking  changed  field Queue.size: type i64 → Option<i64>; required → optional"]
        );
    }

    #[test]
    fn a_new_wire_name_is_breaking() {
        let new = module(&MAX_SIZE.replace("\"MaxSize\"", "\"MaxLength\""), "", "");
        assert_eq!(
            lines(&module(MAX_SIZE, "", ""), &new),
            ["breaking  changed  field UpdateQueueRequest.max_size: wire `MaxSize` → `MaxLength`"]
        );
    }

    #[test]
    fn added_variants_are_additive_and_removed_or_rewired_ones_breaking() {
        let old = module("", "", "");
        let added = old
            .replace("Open, Unknown", "Open, Closed, Unknown")
            .replace(
                "Self::Open => \"open\",",
                "Self::Open => \"open\", Self::Closed => \"closed\",",
            );
        assert_eq!(
            lines(&old, &added),
            ["additive  added    variant QueueState::Closed: = `closed`; matches end in a `_` arm"]
        );
        assert_eq!(
            lines(&added, &old),
            ["breaking  removed  variant QueueState::Closed: = `closed`"]
        );
        let rewired = old.replace("=> \"open\"", "=> \"opened\"");
        assert_eq!(
            lines(&old, &rewired),
            ["breaking  changed  variant QueueState::Open: = `open` → = `opened`"]
        );
    }

    #[test]
    fn an_impl_behind_a_new_feature_is_reported_for_trait_impls_and_impl_macros() {
        let old = module("", "", "crate::runtime::impl_deserialize_json!(Queue);");
        let gated = old.replace(
            "crate::runtime::impl_deserialize_json!(Queue);",
            "#[cfg(feature = \"serde\")] crate::runtime::impl_deserialize_json!(Queue);",
        );
        let changes = lines(&old, &gated);
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert!(
            changes[0].starts_with("breaking") && changes[0].contains("impl_deserialize_json!"),
            "{changes:?}"
        );
        assert!(
            changes[1].starts_with("additive")
                && changes[1].contains("impl_deserialize_json! (cfg feature = \"serde\")"),
            "{changes:?}"
        );
    }

    #[test]
    fn operations_removed_added_moved_or_retyped() {
        let old = module("", "", "");
        let gone = old.replace("pub async fn update_queue", "async fn update_queue");
        assert_eq!(
            lines(&old, &gone),
            ["breaking  removed  fn Client::update_queue: async fn update_queue(&self, queue_sid: &str, \
              body: &UpdateQueueRequest) -> Result<Queue, crate::Error<crate::ApiErrorBody>>; \
              POST /Queues/{QueueSid} (operation UpdateQueue)"]
        );
        assert!(lines(&gone, &old)[0]
            .starts_with("additive  added    fn Client::update_queue: async fn"));
        let moved = old.replace("`POST /Queues/{QueueSid}`", "`PUT /Queues/{QueueSid}`");
        assert_eq!(
            lines(&old, &moved),
            ["breaking  changed  fn Client::update_queue: endpoint POST /Queues/{QueueSid} (operation UpdateQueue) \
              → PUT /Queues/{QueueSid} (operation UpdateQueue)"]
        );
        let renamed = old.replace("queue_sid: &str", "sid: &str");
        assert_eq!(report(&old, &renamed).changes[0].impact, Impact::Additive);
        let retyped = old.replace("queue_sid: &str", "queue_sid: i64");
        assert_eq!(report(&old, &retyped).changes[0].impact, Impact::Breaking);
        let removed_type = old.replace("pub enum QueueState", "enum QueueState");
        assert_eq!(
            lines(&old, &removed_type),
            ["breaking  removed  enum QueueState"]
        );
    }

    #[test]
    fn text_that_is_not_rust_is_reported_not_compared() {
        let report = report("pub struct {}", &module("", "", ""));
        assert!(report.changes.is_empty());
        assert!(
            report
                .to_string()
                .starts_with("  no API comparison: the old module does not parse as Rust"),
            "{report}"
        );
    }

    #[test]
    fn a_file_review_counts_each_impact() {
        let review = ModuleReview {
            path: "src/queues/".into(),
            report: report(&module(MAX_SIZE, "", ""), &module("", "pub size: i64,", "")),
        };
        assert_eq!(
            review.to_string(),
            "API changes in src/queues/: 1 breaking, 1 additive\n\
             \x20 additive  added    field Queue.size: i64, wire `size`, required; Queue is a response type, read and never built\n\
             \x20 breaking  removed  field UpdateQueueRequest.max_size: Option<i64>, wire `MaxSize`, optional\n"
        );
    }

    #[test]
    fn local_names_skip_qualified_paths() {
        assert_eq!(
            local_names("Option<Box<Page>>, crate::Timestamp, &[Rule]"),
            ["Option", "Box", "Page", "Rule"]
        );
    }
}
