//! A one-line summary for every named type the spec leaves undescribed, from what uses it:
//! "The request body of `update_participant`.", "The `status` field of `Call`.".

use crate::ir::{Operation, ResponseShape, TypeDef, TypeId, TypeKind, TypeRef};

/// How a type is used, in the order summaries prefer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Body,
    Page,
    Response,
    Responses,
    Error,
    Errors,
    Member,
}

/// One use of a type: its role and where (a method, or `Parent`'s `field`).
struct Use {
    role: Role,
    place: String,
}

/// Gives each type without a description a summary of its uses: operations first (in
/// operation order), then the structs and enums that contain it (in type-table order).
pub(super) fn describe_by_use(types: &mut [TypeDef], operations: &[Operation]) {
    let mut uses: Vec<Vec<Use>> = types.iter().map(|_| Vec::new()).collect();
    let mut add = |id: TypeId, role: Role, place: String| {
        if let Some(list) = uses.get_mut(id.index()) {
            list.push(Use { role, place });
        }
    };
    for op in operations {
        let method = format!("`{}`", op.method_name.trim_start_matches("r#"));
        if let Some(body) = &op.body {
            body.ty
                .named_within()
                .into_iter()
                .for_each(|id| add(id, Role::Body, method.clone()));
        }
        match &op.success {
            ResponseShape::Typed(ty) => ty.named_within().into_iter().for_each(|id| {
                let page = op.pagination.as_ref().is_some_and(|p| p.listing == id);
                add(
                    id,
                    if page { Role::Page } else { Role::Response },
                    method.clone(),
                );
            }),
            ResponseShape::ByStatus(id) => add(*id, Role::Responses, method.clone()),
            ResponseShape::Untyped => {}
        }
        match &op.error {
            ResponseShape::Typed(ty) => ty
                .named_within()
                .into_iter()
                .for_each(|id| add(id, Role::Error, method.clone())),
            ResponseShape::ByStatus(id) => add(*id, Role::Errors, method.clone()),
            ResponseShape::Untyped => {}
        }
    }
    for def in types.iter() {
        match &def.kind {
            TypeKind::Struct(s) => {
                for field in &s.fields {
                    let place = format!(
                        "the `{}` field of `{}`",
                        field.rust_name.trim_start_matches("r#"),
                        def.name
                    );
                    field
                        .ty
                        .named_within()
                        .into_iter()
                        .for_each(|id| add(id, Role::Member, place.clone()));
                }
            }
            TypeKind::ByStatus(b) => {
                for variant in &b.variants {
                    let place = format!("the `{}` variant of `{}`", variant.name, def.name);
                    variant
                        .ty
                        .iter()
                        .filter_map(TypeRef::named_within)
                        .for_each(|id| add(id, Role::Member, place.clone()));
                }
            }
            TypeKind::Enum(_) => {}
        }
    }
    for (def, uses) in types.iter_mut().zip(uses) {
        if def
            .description
            .as_deref()
            .is_some_and(|d| !d.trim().is_empty())
        {
            continue;
        }
        def.description =
            Some(summary(&uses).unwrap_or_else(|| {
                format!("A type of the spec, `{}`.", def.origin.replace('`', "'"))
            }));
    }
}

/// One sentence from the uses of the first (most telling) role.
fn summary(uses: &[Use]) -> Option<String> {
    let role = uses.iter().map(|u| u.role).min()?;
    let mut places: Vec<&str> = Vec::new();
    for u in uses.iter().filter(|u| u.role == role) {
        if !places.contains(&u.place.as_str()) {
            places.push(&u.place);
        }
    }
    let shown = match places.as_slice() {
        [one] => one.to_string(),
        [one, two] => format!("{one} and {two}"),
        [one, two, rest @ ..] => format!("{one}, {two} and {} more", rest.len()),
        [] => return None,
    };
    Some(match role {
        Role::Body => format!("The request body of {shown}."),
        Role::Page => format!("A page of results of {shown}."),
        Role::Response => format!("Returned by {shown}."),
        Role::Responses => format!("The responses of {shown}, by status."),
        Role::Error => format!("The error body of {shown}."),
        Role::Errors => format!("The errors of {shown}, by status."),
        Role::Member => {
            let mut text = format!("{shown}.");
            text[..1].make_ascii_uppercase();
            text
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uses(role: Role, places: &[&str]) -> Vec<Use> {
        places
            .iter()
            .map(|p| Use {
                role,
                place: p.to_string(),
            })
            .collect()
    }

    #[test]
    fn summaries_name_the_first_uses() {
        assert_eq!(
            summary(&uses(Role::Body, &["`update_participant`"])).as_deref(),
            Some("The request body of `update_participant`.")
        );
        assert_eq!(
            summary(&uses(Role::Response, &["`a`", "`b`", "`c`", "`d`", "`b`"])).as_deref(),
            Some("Returned by `a`, `b` and 2 more.")
        );
        let mut mixed = uses(Role::Member, &["the `status` field of `Call`"]);
        mixed.extend(uses(Role::Page, &["`list_call`"]));
        assert_eq!(
            summary(&mixed).as_deref(),
            Some("A page of results of `list_call`.")
        );
        assert_eq!(
            summary(&uses(Role::Member, &["the `status` field of `Call`"])).as_deref(),
            Some("The `status` field of `Call`.")
        );
        assert_eq!(summary(&[]), None);
    }
}
