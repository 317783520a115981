//! The API surface of a generated module, read from its Rust text with `syn`: what users of the
//! crate compile against, as a sorted, readable text (the insta snapshots of `generated/`).
//!
//! Reading the emitted text rather than the IR makes the surface exactly what ships, whatever
//! the generator's internals look like. Private items and `pub(crate)` helpers are not part of it.

use quote::ToTokens;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Every public type of a module with its public fields, variants, functions and constants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Surface {
    pub items: BTreeMap<String, Item>,
}

/// A public struct, enum or type alias, and what its inherent and trait impls add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub kind: ItemKind,
    /// `#[derive]`d traits by their last path segment (`Default`, `Serialize`).
    pub derives: BTreeSet<String>,
    /// Traits implemented by hand (`From<String>`) or by a macro (`impl_open_enum!`).
    pub traits: BTreeSet<String>,
    pub fields: BTreeMap<String, Field>,
    pub variants: BTreeMap<String, Variant>,
    pub functions: BTreeMap<String, Function>,
    /// Associated constants and their types.
    pub consts: BTreeMap<String, String>,
    /// The `#[cfg(…)]` it (or the submodule holding it) is compiled under: `feature = "mock"`.
    pub cfg: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemKind {
    Struct,
    Enum,
    /// `pub type Name = target;`
    Alias(String),
    /// A free function of a submodule (`mock::examples::fetch_participant`): its signature.
    Fn(String),
}

/// A public struct field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub ty: String,
    /// The name on the wire: serde's `rename`, else the field's own name.
    pub wire: String,
    pub presence: Presence,
}

/// Whether a field may be left out on the wire, from its serde attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Presence {
    /// Must be present (no serde `default`).
    Required,
    /// Always sent, may be `null` (`Option` with `default`, never skipped).
    Nullable,
    /// May be left out (`skip_serializing_if`, or `default` on a non-`Option`).
    Optional,
}

/// An enum variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// The payload of a tuple variant, `(String)`.
    pub payload: Option<String>,
    /// The wire value (from the enum's `as_str`) or the HTTP statuses (from the variant's
    /// `HTTP …` doc line) it stands for.
    pub wire: Option<String>,
}

/// A public function of an impl block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub is_async: bool,
    /// `&self`, `&mut self`, `self`; `None` for an associated function.
    pub receiver: Option<String>,
    pub params: Vec<Param>,
    /// The return type; `()` when there is none.
    pub output: String,
    /// The endpoint an operation calls, from the doc line the generator writes.
    pub http: Option<Http>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub ty: String,
}

/// `POST /path/{Id}` (operation `UpdateThing`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Http {
    pub method: String,
    pub path: String,
    pub operation: String,
}

/// The module text is not Rust.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct Unparsable {
    pub message: String,
}

impl Surface {
    /// The surface of a module's Rust text.
    pub fn of_text(text: &str) -> Result<Surface, Unparsable> {
        let file = syn::parse_file(text).map_err(|e| Unparsable {
            message: e.to_string(),
        })?;
        Ok(Surface::of_file(&file))
    }

    /// The surface of a parsed module. Items of a public inline submodule (a module's
    /// `webhooks`) are named by their path in the module: `webhooks::ConferenceStatus`.
    pub fn of_file(file: &syn::File) -> Surface {
        let mut surface = Surface::default();
        surface.add_items(&file.items, "", None);
        surface
    }

    /// The surface of a module written as files, by stem: `mod` (the module itself, or its
    /// one file) and the files it declares. A file declared `pub mod webhooks;` adds its
    /// items under `webhooks::`; a private one (a resource's file, which `mod.rs` re-exports
    /// with `pub use self::participant::*`) under the module's own paths.
    pub fn of_module(files: &BTreeMap<String, String>) -> Result<Surface, Unparsable> {
        let parse = |stem: &str, text: &str| {
            syn::parse_file(text).map_err(|e| Unparsable {
                message: format!("{stem}.rs: {e}"),
            })
        };
        let root = parse("mod", files.get("mod").map_or("", String::as_str))?;
        let mut parts: Vec<(Vec<syn::Item>, String, Option<String>)> =
            vec![(root.items.clone(), String::new(), None)];
        for item in &root.items {
            let syn::Item::Mod(module) = item else {
                continue;
            };
            let stem = syn::ext::IdentExt::unraw(&module.ident).to_string();
            let (None, Some(text)) = (&module.content, files.get(&stem)) else {
                continue;
            };
            let prefix = match is_pub(&module.vis) {
                true => format!("{stem}::"),
                false => String::new(),
            };
            parts.push((parse(&stem, text)?.items, prefix, cfg_of(&module.attrs)));
        }
        // Types of every file first, so impls in one file find types of another.
        let mut surface = Surface::default();
        for (items, prefix, cfg) in &parts {
            surface.add_types(items, prefix, cfg.as_deref());
        }
        for (items, prefix, cfg) in &parts {
            surface.add_impls(items, prefix, cfg.as_deref());
        }
        Ok(surface)
    }

    /// The items of a module whose paths start with `prefix` (`""` or `webhooks::`).
    fn add_items(&mut self, items: &[syn::Item], prefix: &str, cfg: Option<&str>) {
        // Types first, so impls (which may come before their type) find them.
        self.add_types(items, prefix, cfg);
        self.add_impls(items, prefix, cfg);
    }

    fn add_types(&mut self, items: &[syn::Item], prefix: &str, cfg: Option<&str>) {
        for item in items {
            if let Some((name, mut item)) = type_item(item) {
                item.cfg = joined_cfg(cfg, item.cfg.as_deref());
                self.items.insert(format!("{prefix}{name}"), item);
            }
        }
    }

    /// Impls, impl macros and public inline submodules.
    fn add_impls(&mut self, items: &[syn::Item], prefix: &str, cfg: Option<&str>) {
        for item in items {
            match item {
                syn::Item::Impl(block) => self.add_impl(block, prefix, cfg),
                syn::Item::Macro(m) => self.add_impl_macro(m, prefix, cfg),
                syn::Item::Mod(module) if is_pub(&module.vis) => {
                    if let Some((_, inner)) = &module.content {
                        let cfg = joined_cfg(cfg, cfg_of(&module.attrs).as_deref());
                        let prefix = format!("{prefix}{}::", module.ident);
                        self.add_items(inner, &prefix, cfg.as_deref());
                    }
                }
                _ => {}
            }
        }
    }

    /// The item an impl in the module at `prefix` is for: its own, else one it imports from
    /// the parent module.
    fn target(&mut self, name: &str, prefix: &str) -> Option<&mut Item> {
        let own = format!("{prefix}{name}");
        let key = if self.items.contains_key(&own) {
            own
        } else {
            name.to_string()
        };
        self.items.get_mut(&key)
    }

    fn add_impl(&mut self, block: &syn::ItemImpl, prefix: &str, cfg: Option<&str>) {
        let Some(target) = self_name(&block.self_ty) else {
            return;
        };
        let Some(item) = self.target(&target, prefix) else {
            return;
        };
        if let Some((_, trait_path, _)) = &block.trait_ {
            let name = path_text(trait_path);
            if name.ends_with("Serialize") {
                wire_fields(block, &mut item.fields);
            } else if name.ends_with("json::FromJson") {
                decoded_fields(block, &mut item.fields);
            }
            item.traits
                .insert(gated(name, item.cfg.as_deref(), cfg, &block.attrs));
            return;
        }
        for member in &block.items {
            match member {
                syn::ImplItem::Fn(f) if is_pub(&f.vis) => {
                    if f.sig.ident == "as_str" {
                        wire_values(&f.block, &mut item.variants);
                    }
                    item.functions
                        .insert(f.sig.ident.to_string(), function(&f.sig, &f.attrs));
                }
                syn::ImplItem::Const(c) if is_pub(&c.vis) => {
                    item.consts.insert(c.ident.to_string(), type_text(&c.ty));
                }
                _ => {}
            }
        }
    }

    /// `crate::runtime::impl_open_enum!(Name);` implements traits for `Name`.
    fn add_impl_macro(&mut self, m: &syn::ItemMacro, prefix: &str, cfg: Option<&str>) {
        let Some(name) = m.mac.path.segments.last().map(|s| s.ident.to_string()) else {
            return;
        };
        let Ok(target) = m.mac.parse_body::<syn::Ident>() else {
            return;
        };
        if let Some(item) = self.target(&target.to_string(), prefix) {
            let name = gated(format!("{name}!"), item.cfg.as_deref(), cfg, &m.attrs);
            item.traits.insert(name);
        }
    }
}

/// A trait (or impl macro) implemented only under a condition its type does not have (a
/// request type's `MockBody`, `Serialize` with the `serde` feature) says so.
fn gated(
    name: String,
    type_cfg: Option<&str>,
    outer: Option<&str>,
    attrs: &[syn::Attribute],
) -> String {
    match joined_cfg(outer, cfg_of(attrs).as_deref()) {
        Some(cfg) if type_cfg != Some(cfg.as_str()) => format!("{name} (cfg {cfg})"),
        _ => name,
    }
}

/// The condition of an item's `#[cfg(…)]` attributes, as written; `None` without any.
fn cfg_of(attrs: &[syn::Attribute]) -> Option<String> {
    let conditions: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("cfg"))
        .filter_map(|a| a.meta.require_list().ok())
        .map(|list| tokens_text(&list.tokens))
        .collect();
    (!conditions.is_empty()).then(|| conditions.join(", "))
}

/// A submodule's condition and its item's own, both applying.
fn joined_cfg(outer: Option<&str>, own: Option<&str>) -> Option<String> {
    match (outer, own) {
        (Some(outer), Some(own)) => Some(format!("{outer}, {own}")),
        (one, other) => one.or(other).map(str::to_string),
    }
}

fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

fn type_item(item: &syn::Item) -> Option<(String, Item)> {
    let (name, kind, attrs, fields, variants) = match item {
        syn::Item::Struct(s) if is_pub(&s.vis) => (
            &s.ident,
            ItemKind::Struct,
            &s.attrs,
            struct_fields(&s.fields, derives(&s.attrs).contains("Serialize")),
            BTreeMap::new(),
        ),
        syn::Item::Enum(e) if is_pub(&e.vis) => (
            &e.ident,
            ItemKind::Enum,
            &e.attrs,
            BTreeMap::new(),
            e.variants.iter().map(variant).collect(),
        ),
        syn::Item::Type(t) if is_pub(&t.vis) => (
            &t.ident,
            ItemKind::Alias(type_text(&t.ty)),
            &t.attrs,
            BTreeMap::new(),
            BTreeMap::new(),
        ),
        syn::Item::Fn(f) if is_pub(&f.vis) => (
            &f.sig.ident,
            ItemKind::Fn(function(&f.sig, &f.attrs).signature(&f.sig.ident.to_string())),
            &f.attrs,
            BTreeMap::new(),
            BTreeMap::new(),
        ),
        _ => return None,
    };
    Some((
        name.to_string(),
        Item {
            kind,
            derives: derives(attrs),
            traits: BTreeSet::new(),
            fields,
            variants,
            functions: BTreeMap::new(),
            consts: BTreeMap::new(),
            cfg: cfg_of(attrs),
        },
    ))
}

fn derives(attrs: &[syn::Attribute]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("derive")) {
        let _ = attr.parse_nested_meta(|meta| {
            if let Some(last) = meta.path.segments.last() {
                out.insert(last.ident.to_string());
            }
            Ok(())
        });
    }
    out
}

/// `serialized`: whether serde writes the struct. Form bodies and parameters are written by
/// their generated functions, which leave out every `None`, so there an `Option` is optional.
fn struct_fields(fields: &syn::Fields, serialized: bool) -> BTreeMap<String, Field> {
    fields
        .iter()
        .enumerate()
        .filter(|(_, f)| is_pub(&f.vis))
        .map(|(index, f)| {
            let name = f.ident.as_ref().map_or_else(
                || index.to_string(),
                |i| i.to_string().trim_start_matches("r#").to_string(),
            );
            let serde = SerdeAttrs::of(&f.attrs);
            let ty = type_text(&f.ty);
            let presence = match (serde.skip_serializing_if, serde.default) {
                (true, _) => Presence::Optional,
                (false, true) if serialized && ty.starts_with("Option<") => Presence::Nullable,
                (false, true) => Presence::Optional,
                (false, false) => Presence::Required,
            };
            let field = Field {
                ty,
                wire: serde.rename.unwrap_or_else(|| name.clone()),
                presence,
            };
            (name, field)
        })
        .collect()
}

/// Wire names from a generated struct's decoder (`x: fields.optional("X"),` or
/// `x: fields.required("X")?,` in `from_json`), for structs without `Serialize`; an `Option`
/// field may be left out. The `Serialize` impl, which comes after it, refines this.
fn decoded_fields(block: &syn::ItemImpl, fields: &mut BTreeMap<String, Field>) {
    let statements = block.items.iter().flat_map(|member| match member {
        syn::ImplItem::Fn(f) => f.block.stmts.as_slice(),
        _ => &[],
    });
    for statement in statements {
        let syn::Stmt::Local(syn::Local {
            init: Some(init), ..
        }) = statement
        else {
            continue;
        };
        let syn::Expr::Struct(literal) = init.expr.as_ref() else {
            continue;
        };
        for value in &literal.fields {
            let syn::Member::Named(name) = &value.member else {
                continue;
            };
            let call = match &value.expr {
                syn::Expr::Try(t) => t.expr.as_ref(),
                e => e,
            };
            let Some((_, wire)) = keyed_call(call) else {
                continue;
            };
            let name = name.to_string();
            if let Some(field) = fields.get_mut(name.trim_start_matches("r#")) {
                field.wire = wire;
                if field.ty.starts_with("Option<") {
                    field.presence = Presence::Optional;
                }
            }
        }
    }
}

/// `receiver.method("key", …)`: the call and the key.
fn keyed_call(expr: &syn::Expr) -> Option<(&syn::ExprMethodCall, String)> {
    let syn::Expr::MethodCall(call) = expr else {
        return None;
    };
    match call.args.first() {
        Some(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(wire),
            ..
        })) => Some((call, wire.value())),
        _ => None,
    }
}

/// Wire names and presence from a generated struct's `Serialize` impl:
/// `map.optional("X", &self.x);` is an optional field, `map.required("X", &self.x);` a
/// required one (nullable when it is an `Option`).
fn wire_fields(block: &syn::ItemImpl, fields: &mut BTreeMap<String, Field>) {
    let statements = block.items.iter().flat_map(|member| match member {
        syn::ImplItem::Fn(f) => f.block.stmts.as_slice(),
        _ => &[],
    });
    for statement in statements {
        let syn::Stmt::Expr(expr, _) = statement else {
            continue;
        };
        let Some((call, wire)) = keyed_call(expr) else {
            continue;
        };
        let name = match call.args.iter().nth(1) {
            Some(syn::Expr::Reference(r)) => match r.expr.as_ref() {
                syn::Expr::Field(syn::ExprField {
                    member: syn::Member::Named(n),
                    ..
                }) => n.to_string().trim_start_matches("r#").to_string(),
                _ => continue,
            },
            _ => continue,
        };
        if let Some(field) = fields.get_mut(&name) {
            field.wire = wire;
            field.presence = match (call.method == "optional", field.ty.starts_with("Option<")) {
                (true, _) => Presence::Optional,
                (_, true) => Presence::Nullable,
                (_, false) => Presence::Required,
            };
        }
    }
}

/// The serde field attributes that decide the wire shape.
#[derive(Default)]
struct SerdeAttrs {
    rename: Option<String>,
    default: bool,
    skip_serializing_if: bool,
}

impl SerdeAttrs {
    fn of(attrs: &[syn::Attribute]) -> SerdeAttrs {
        let mut out = SerdeAttrs::default();
        for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
            let _ = attr.parse_nested_meta(|meta| {
                let value = if meta.input.peek(syn::Token![=]) {
                    Some(meta.value()?.parse::<syn::Expr>()?)
                } else {
                    None
                };
                if meta.path.is_ident("rename") {
                    if let Some(syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    })) = value
                    {
                        out.rename = Some(s.value());
                    }
                } else if meta.path.is_ident("default") {
                    out.default = true;
                } else if meta.path.is_ident("skip_serializing_if") {
                    out.skip_serializing_if = true;
                }
                Ok(())
            });
        }
        out
    }
}

fn variant(v: &syn::Variant) -> (String, Variant) {
    let payload = match &v.fields {
        syn::Fields::Unit => None,
        fields => Some(match fields {
            syn::Fields::Unnamed(u) => format!(
                "({})",
                u.unnamed
                    .iter()
                    .map(|f| type_text(&f.ty))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => format!(
                "{{ {} }}",
                fields
                    .iter()
                    .map(|f| format!(
                        "{}: {}",
                        f.ident
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_default(),
                        type_text(&f.ty)
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }),
    };
    // Error enums say which statuses a variant stands for in its first doc line.
    let wire = docs(&v.attrs)
        .first()
        .filter(|line| line.starts_with("HTTP "))
        .map(|line| line.trim_end_matches('.').to_string());
    (v.ident.to_string(), Variant { payload, wire })
}

/// Reads `Self::Variant => "wire"` arms of an open enum's `as_str`.
fn wire_values(block: &syn::Block, variants: &mut BTreeMap<String, Variant>) {
    let Some(syn::Stmt::Expr(syn::Expr::Match(m), _)) = block.stmts.last() else {
        return;
    };
    for arm in &m.arms {
        let (syn::Pat::Path(p), syn::Expr::Lit(lit)) = (&arm.pat, arm.body.as_ref()) else {
            continue;
        };
        let (Some(variant), syn::Lit::Str(wire)) = (p.path.segments.last(), &lit.lit) else {
            continue;
        };
        if let Some(v) = variants.get_mut(&variant.ident.to_string()) {
            v.wire = Some(wire.value());
        }
    }
}

fn docs(attrs: &[syn::Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(syn::MetaNameValue {
                value:
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }),
                ..
            }) => Some(s.value().trim().to_string()),
            _ => None,
        })
        .collect()
}

fn function(sig: &syn::Signature, attrs: &[syn::Attribute]) -> Function {
    let mut receiver = None;
    let mut params = Vec::new();
    for input in &sig.inputs {
        match input {
            syn::FnArg::Receiver(r) => {
                let reference = r.reference.as_ref().map(|(_, lifetime)| match lifetime {
                    Some(l) => format!("&{l} "),
                    None => "&".to_string(),
                });
                let mutability = if r.mutability.is_some() { "mut " } else { "" };
                receiver = Some(format!("{}{mutability}self", reference.unwrap_or_default()));
            }
            syn::FnArg::Typed(t) => params.push(Param {
                name: match t.pat.as_ref() {
                    syn::Pat::Ident(i) => i.ident.to_string(),
                    other => tokens_text(other),
                },
                ty: type_text(&t.ty),
            }),
        }
    }
    Function {
        is_async: sig.asyncness.is_some(),
        receiver,
        params,
        output: match &sig.output {
            syn::ReturnType::Default => "()".to_string(),
            syn::ReturnType::Type(_, ty) => type_text(ty),
        },
        http: docs(attrs).iter().find_map(|line| http_line(line)),
    }
}

/// Parses the generator's "`POST /path` (operation `Id`)." doc line.
fn http_line(line: &str) -> Option<Http> {
    let rest = line.strip_prefix('`')?;
    let (endpoint, rest) = rest.split_once('`')?;
    let (method, path) = endpoint.split_once(' ')?;
    let operation = rest.strip_prefix(" (operation `")?.split_once('`')?.0;
    let is_method = !method.is_empty() && method.chars().all(|c| c.is_ascii_uppercase());
    (is_method && path.starts_with('/')).then(|| Http {
        method: method.to_string(),
        path: path.to_string(),
        operation: operation.to_string(),
    })
}

fn self_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => {
            p.path.segments.last().map(|s| s.ident.to_string())
        }
        _ => None,
    }
}

/// A type as users write it. The runtime module is private and re-exported at the crate root,
/// so `crate::runtime::X` reads as `crate::X`.
pub fn type_text(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => path_text(&p.path),
        syn::Type::Reference(r) => {
            let lifetime = r
                .lifetime
                .as_ref()
                .map(|l| format!("{l} "))
                .unwrap_or_default();
            let mutability = if r.mutability.is_some() { "mut " } else { "" };
            format!("&{lifetime}{mutability}{}", type_text(&r.elem))
        }
        syn::Type::Slice(s) => format!("[{}]", type_text(&s.elem)),
        syn::Type::Array(a) => format!("[{}; {}]", type_text(&a.elem), tokens_text(&a.len)),
        syn::Type::Tuple(t) => {
            let elems: Vec<String> = t.elems.iter().map(type_text).collect();
            match elems.as_slice() {
                [one] => format!("({one},)"),
                _ => format!("({})", elems.join(", ")),
            }
        }
        syn::Type::Paren(p) => type_text(&p.elem),
        syn::Type::Group(g) => type_text(&g.elem),
        other => tokens_text(other),
    }
}

fn path_text(path: &syn::Path) -> String {
    let mut segments: Vec<&syn::PathSegment> = path.segments.iter().collect();
    if segments.len() > 2 && segments[0].ident == "crate" && segments[1].ident == "runtime" {
        segments.remove(1);
    }
    let leading = if path.leading_colon.is_some() && segments[0].ident != "crate" {
        "::"
    } else {
        ""
    };
    let parts: Vec<String> = segments
        .iter()
        .map(|s| match &s.arguments {
            syn::PathArguments::None => s.ident.to_string(),
            syn::PathArguments::AngleBracketed(a) => {
                let args: Vec<String> = a
                    .args
                    .iter()
                    .map(|arg| match arg {
                        syn::GenericArgument::Type(t) => type_text(t),
                        syn::GenericArgument::Lifetime(l) => l.to_string(),
                        other => tokens_text(other),
                    })
                    .collect();
                format!("{}<{}>", s.ident, args.join(", "))
            }
            syn::PathArguments::Parenthesized(p) => format!("{}{}", s.ident, tokens_text(p)),
        })
        .collect();
    format!("{leading}{}", parts.join("::"))
}

/// Tokens as text for the rare shapes `type_text` does not spell out.
fn tokens_text(tokens: &impl ToTokens) -> String {
    tokens
        .to_token_stream()
        .to_string()
        .replace(" :: ", "::")
        .replace(" < ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
        .replace("& ", "&")
}

impl fmt::Display for Presence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Presence::Required => "required",
            Presence::Nullable => "required, nullable",
            Presence::Optional => "optional",
        })
    }
}

impl fmt::Display for Http {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} (operation {})",
            self.method, self.path, self.operation
        )
    }
}

impl Function {
    /// `async fn name(&self, a: &str) -> T`
    pub fn signature(&self, name: &str) -> String {
        let inputs: Vec<String> = self
            .receiver
            .iter()
            .cloned()
            .chain(self.params.iter().map(|p| format!("{}: {}", p.name, p.ty)))
            .collect();
        format!(
            "{}fn {name}({}) -> {}",
            if self.is_async { "async " } else { "" },
            inputs.join(", "),
            self.output
        )
    }
}

impl Field {
    /// `Option<bool>, wire `Muted`, optional`
    pub fn describe(&self) -> String {
        format!("{}, wire `{}`, {}", self.ty, self.wire, self.presence)
    }
}

impl Variant {
    /// `(String)`, `= `queued``, `(crate::ApiErrorBody), HTTP 404`; empty for a bare variant.
    pub fn describe(&self) -> String {
        let payload = self.payload.as_deref().unwrap_or_default();
        match &self.wire {
            Some(w) if w.starts_with("HTTP ") => format!("{payload}, {w}"),
            Some(w) if payload.is_empty() => format!("= `{w}`"),
            Some(w) => format!("{payload} = `{w}`"),
            None => payload.to_string(),
        }
    }
}

impl Item {
    /// `struct`, `enum` or `type`
    pub fn keyword(&self) -> &'static str {
        match self.kind {
            ItemKind::Struct => "struct",
            ItemKind::Enum => "enum",
            ItemKind::Alias(_) => "type",
            ItemKind::Fn(_) => "fn",
        }
    }
}

impl fmt::Display for Surface {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, (name, item)) in self.items.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            match &item.kind {
                // `fn examples::fetch() -> T`: the path, then the signature after the name.
                ItemKind::Fn(signature) => {
                    let short = name.rsplit("::").next().unwrap_or(name);
                    let rest = signature.split_once(short).map_or("", |(_, rest)| rest);
                    write!(f, "fn {name}{rest}")?;
                }
                ItemKind::Alias(target) => write!(f, "{} {name} = {target}", item.keyword())?,
                _ => write!(f, "{} {name}", item.keyword())?,
            }
            writeln!(f)?;
            if let Some(cfg) = &item.cfg {
                writeln!(f, "    cfg {cfg}")?;
            }
            if !item.derives.is_empty() {
                let derives: Vec<&str> = item.derives.iter().map(String::as_str).collect();
                writeln!(f, "    derive {}", derives.join(", "))?;
            }
            for t in &item.traits {
                // Macros name themselves (`impl_open_enum!`); traits read `impl From<String>`.
                let name = t.split(" (cfg ").next().unwrap_or(t);
                match name.ends_with('!') {
                    true => writeln!(f, "    {t}")?,
                    false => writeln!(f, "    impl {t}")?,
                }
            }
            for (name, field) in &item.fields {
                writeln!(f, "    field {name}: {}", field.describe())?;
            }
            for (name, variant) in &item.variants {
                let shape = variant.describe();
                let gap = if shape.starts_with('(') || shape.is_empty() {
                    ""
                } else {
                    " "
                };
                writeln!(f, "    variant {name}{gap}{shape}")?;
            }
            for (name, ty) in &item.consts {
                writeln!(f, "    const {name}: {ty}")?;
            }
            for (name, function) in &item.functions {
                writeln!(f, "    {}", function.signature(name))?;
                if let Some(http) = &function.http {
                    writeln!(f, "        {http}")?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A public inline module's items are named by their path; an impl there finds its own
    /// type first, then the one it imports from the parent.
    #[test]
    fn inline_submodules_are_part_of_the_surface() {
        let surface = Surface::of_text(
            r#"
            pub struct Call { pub sid: String }
            mod private { pub struct Hidden; }
            pub mod webhooks {
                use super::Call;
                pub struct Call { pub status: String }
                impl Call { pub fn from_request(body: &[u8]) -> Self { todo!() } }
                impl crate::runtime::WebhookPayload for Call {}
            }
            "#,
        )
        .unwrap();
        let names: Vec<&str> = surface.items.keys().map(String::as_str).collect();
        assert_eq!(names, ["Call", "webhooks::Call"]);
        let own = &surface.items["webhooks::Call"];
        assert!(own.functions.contains_key("from_request"), "{own:?}");
        assert!(own.traits.contains("crate::WebhookPayload"), "{own:?}");
        assert!(own.fields.contains_key("status"));
    }

    const MODULE: &str = r#"
        use crate::Credentials;
        /// Client.
        #[derive(Debug, Clone)]
        pub struct Client { transport: crate::runtime::Transport }
        impl Client {
            pub const DEFAULT_BASE_URL: &'static str = "https://example.com";
            /// Ring a phone.
            ///
            /// `POST /Calls/{CallSid}/Ring` (operation `RingCall`).
            pub async fn ring_call(&self, call_sid: &str, body: &RingRequest)
                -> Result<Ring, crate::Error<crate::runtime::ApiErrorBody>> { todo!() }
            fn private(&self) {}
        }
        #[derive(Debug, Clone, PartialEq, Default, ::serde::Serialize, ::serde::Deserialize)]
        pub struct RingRequest {
            #[serde(rename = "Loud", default, skip_serializing_if = "Option::is_none")]
            pub loud: Option<bool>,
            #[serde(default)]
            pub note: Option<String>,
            pub r#type: i64,
            hidden: u8,
        }
        impl RingRequest {
            pub(crate) fn form_pairs(&self) -> Vec<(&'static str, String)> { Vec::new() }
        }
        pub enum Tone { Soft, Unknown(String) }
        impl Tone {
            pub fn as_str(&self) -> &str {
                match self { Self::Soft => "soft", Self::Unknown(value) => value }
            }
        }
        impl From<String> for Tone { fn from(v: String) -> Self { Self::Unknown(v) } }
        crate::runtime::impl_open_enum!(Tone);
        pub enum RingError {
            /// HTTP 404.
            NotFound(crate::runtime::ApiErrorBody),
        }
        pub type Ring = std::collections::BTreeMap<String, Box<Tone>>;
        struct Private;
    "#;

    #[test]
    fn reads_public_items_fields_variants_and_operations() {
        let surface = Surface::of_text(MODULE).unwrap();
        assert_eq!(
            surface.to_string(),
            "\
struct Client
    derive Clone, Debug
    const DEFAULT_BASE_URL: &'static str
    async fn ring_call(&self, call_sid: &str, body: &RingRequest) -> Result<Ring, crate::Error<crate::ApiErrorBody>>
        POST /Calls/{CallSid}/Ring (operation RingCall)

type Ring = std::collections::BTreeMap<String, Box<Tone>>

enum RingError
    variant NotFound(crate::ApiErrorBody), HTTP 404

struct RingRequest
    derive Clone, Debug, Default, Deserialize, PartialEq, Serialize
    field loud: Option<bool>, wire `Loud`, optional
    field note: Option<String>, wire `note`, required, nullable
    field type: i64, wire `type`, required

enum Tone
    impl From<String>
    impl_open_enum!
    variant Soft = `soft`
    variant Unknown(String)
    fn as_str(&self) -> &str
"
        );
    }

    #[test]
    fn only_endpoint_doc_lines_count() {
        assert_eq!(http_line("`GET` is the default"), None);
        assert_eq!(http_line("`a b` (operation `X`)"), None);
        assert_eq!(
            http_line("`DELETE /a/{B}.json` (operation `RemoveB`)."),
            Some(Http {
                method: "DELETE".into(),
                path: "/a/{B}.json".into(),
                operation: "RemoveB".into()
            })
        );
    }

    #[test]
    fn text_that_is_not_rust_is_an_error() {
        let e = Surface::of_text("pub struct A {}\npub struct {}").unwrap_err();
        assert!(e.message.contains("expected identifier"), "{e}");
    }
}
