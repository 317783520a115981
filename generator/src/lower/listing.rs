//! List operations, recognised by the shape of their success body, and the operation
//! parameter that defaults to the client's account.

use crate::error::{Pointer, Reporter, SpecError};
use crate::ir::{
    Api, Field, HttpMethod, ListingField, NextLink, Operation, Pagination, ResponseShape, Struct,
    TypeDef, TypeKind, TypeRef,
};
use crate::naming::Scope;

/// Marks every `GET` whose success body is one page of a list: exactly one array property,
/// and a next-page link either as a top-level `next_page_uri` (Twilio 2010-04-01 and
/// SignalWire) or as `meta.next_page_url` beside `meta.key` (Twilio's v1/v2 APIs). Each gets
/// a stream method and a request builder named in `methods`.
pub(crate) fn detect(operations: &mut [Operation], types: &[TypeDef], methods: &mut Scope) {
    for op in operations {
        if op.http_method != HttpMethod::Get {
            continue;
        }
        let ResponseShape::Typed(TypeRef::Named(listing)) = op.success else {
            continue;
        };
        let Some(TypeKind::Struct(body)) = types.get(listing.index()).map(|t| &t.kind) else {
            continue;
        };
        let lists: Vec<&Field> = body
            .fields
            .iter()
            .filter(|f| matches!(f.ty, TypeRef::List(_)))
            .collect();
        let [items] = lists.as_slice() else {
            continue;
        };
        let TypeRef::List(item) = &items.ty else {
            continue;
        };
        let Some(next) = next_link(body, types) else {
            continue;
        };
        let base = op.method_name.trim_start_matches("r#");
        op.pagination = Some(Pagination {
            listing,
            items: listing_field(items),
            item: (**item).clone(),
            next,
            stream_method: methods.claim(&format!("{base}_stream")),
            request_method: methods.claim(&format!("{base}_request")),
        });
    }
}

fn next_link(body: &Struct, types: &[TypeDef]) -> Option<NextLink> {
    let text = |f: &&Field| f.ty == TypeRef::String && !f.boxed;
    if let Some(uri) = body
        .fields
        .iter()
        .filter(text)
        .find(|f| f.wire_name == "next_page_uri")
    {
        return Some(NextLink::Uri(listing_field(uri)));
    }
    let meta = body.fields.iter().find(|f| f.wire_name == "meta")?;
    let TypeRef::Named(id) = meta.ty else {
        return None;
    };
    let TypeKind::Struct(meta_struct) = &types.get(id.index())?.kind else {
        return None;
    };
    let url = meta_struct
        .fields
        .iter()
        .filter(text)
        .find(|f| f.wire_name == "next_page_url")?;
    meta_struct
        .fields
        .iter()
        .any(|f| f.wire_name == "key")
        .then(|| NextLink::MetaUrl {
            meta: listing_field(meta),
            url: listing_field(url),
        })
}

fn listing_field(field: &Field) -> ListingField {
    ListingField {
        rust_name: field.rust_name.clone(),
        optional: field.is_option(),
    }
}

/// Makes the path parameter `name` (the module config's `account_parameter`, such as
/// `AccountSid`) default to the client's account in every operation that has it. Naming a
/// parameter no selected operation has is an error: it is most likely misspelt.
pub fn use_account(api: &mut Api, name: &str) -> Result<(), SpecError> {
    let mut found = false;
    for op in &mut api.operations {
        op.account_param = op.path_params.iter().position(|p| p.wire_name == name);
        found |= op.account_param.is_some();
    }
    if found {
        return Ok(());
    }
    Err(Reporter::new(api.source.clone()).error_with_hint(
        &Pointer::root().push("paths"),
        format!("the account parameter `{name}` is not a path parameter of any selected operation"),
        "set the module's `account_parameter` in codegen.toml to a path parameter's exact name (for Twilio and SignalWire, `AccountSid`), or remove it",
    ))
}
