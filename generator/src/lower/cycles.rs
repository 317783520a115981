//! Which struct fields must be boxed: a type that contains itself, directly or through other
//! structs, has no size unless the cycle is broken with a `Box`.

use crate::ir::{TypeDef, TypeKind, TypeRef};

/// Marks struct fields that must be boxed: those whose type contains the struct again
/// without a `Vec` or map in between, i.e. edges inside a strongly connected component of
/// the "contains directly" graph (found with Kosaraju's algorithm, iteratively).
pub(crate) fn box_cycles(types: &mut [TypeDef]) {
    let n = types.len();
    let edges: Vec<Vec<usize>> = types
        .iter()
        .map(|t| match &t.kind {
            TypeKind::Struct(s) => s
                .fields
                .iter()
                .filter_map(|f| match &f.ty {
                    TypeRef::Named(id) if id.index() < n => Some(id.index()),
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
                    let to = target.index();
                    f.boxed = to < n
                        && component[to] == component[owner]
                        && (to != owner || edges[owner].contains(&owner));
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
    use crate::ir::{Facts, Field, Struct, StructRole, TypeId, TypeKind};

    /// A struct whose fields point at the types with the given indexes.
    fn def(name: &str, fields: &[usize]) -> TypeDef {
        TypeDef {
            name: name.into(),
            origin: String::new(),
            description: None,
            kind: TypeKind::Struct(Struct {
                fields: fields
                    .iter()
                    .map(|&f| Field {
                        wire_name: f.to_string(),
                        rust_name: format!("f{f}"),
                        ty: TypeRef::Named(TypeId::new(f)),
                        required: false,
                        nullable: false,
                        boxed: false,
                        location: None,
                        facts: Facts::default(),
                    })
                    .collect(),
                role: StructRole::Model,
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
            def("A", &[1, 2]),
            def("B", &[0]),
            def("C", &[]),
            def("D", &[3, 2]),
        ];
        box_cycles(&mut types);
        assert_eq!(
            boxed(&types),
            [("A", "1"), ("B", "0"), ("D", "3")].map(|(a, b)| (a.to_string(), b.to_string()))
        );
    }
}
