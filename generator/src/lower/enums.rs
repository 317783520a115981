//! One type per enum concept: identical string enums of a module are merged, and enums of
//! HTTP methods are called `HttpMethod`.

use crate::ir::{Enum, TypeDef, TypeId, TypeKind};
use std::collections::BTreeMap;

/// A merge decided by [`plan`]: the type that stays, its new name, and the ids it replaces.
pub(crate) struct Merge {
    pub survivor: TypeId,
    pub name: String,
    pub merged: Vec<TypeId>,
}

/// Groups enums with the same values (in the same order). A group of HTTP methods (a
/// member has `format: http-method`, or every value is a method name such as `GET`) is
/// named `HttpMethod`; any other group of several takes its shortest name (the first
/// alphabetically among equals), which is the least specific one. `enums` are
/// `(name, id, definition)` in name order, so the plan is deterministic.
pub(crate) fn plan<'d>(enums: impl Iterator<Item = (&'d str, TypeId, &'d TypeDef)>) -> Vec<Merge> {
    let mut groups: BTreeMap<Vec<&str>, Vec<Member<'_>>> = BTreeMap::new();
    for (name, id, def) in enums {
        if let TypeKind::Enum(Enum { values, format, .. }) = &def.kind {
            let wire = values.iter().map(|v| v.wire.as_str()).collect();
            groups
                .entry(wire)
                .or_default()
                .push((name, id, format.as_deref()));
        }
    }
    let mut merges = Vec::new();
    for (values, members) in groups {
        let methods = members.iter().any(|m| m.2 == Some("http-method"))
            || (!values.is_empty() && values.iter().all(|v| METHODS.contains(v)));
        let name = if methods {
            "HttpMethod"
        } else if members.len() > 1 {
            members
                .iter()
                .map(|m| m.0)
                .min_by_key(|name| (name.len(), *name))
                .unwrap_or_default()
        } else {
            continue;
        };
        if members.len() == 1 && members[0].0 == name {
            continue;
        }
        merges.push(Merge {
            survivor: members[0].1,
            name: name.to_string(),
            merged: members[1..].iter().map(|m| m.1).collect(),
        });
    }
    merges
}

/// An enum of a group: its name, id and `format`.
type Member<'d> = (&'d str, TypeId, Option<&'d str>);

/// HTTP method names as enums spell them.
const METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE",
];
