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
/// a stream method named in `methods`.
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
        let base = crate::naming::method_stem(&op.method_name);
        op.pagination = Some(Pagination {
            listing,
            items: listing_field(items),
            item: (**item).clone(),
            next,
            stream_method: methods.claim(&format!("{base}_stream")),
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
        wire_name: field.wire_name.clone(),
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

#[cfg(test)]
mod tests {
    use crate::ir::{Api, NextLink, TypeKind};
    use crate::Selection;

    const SPEC: &str = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /Accounts/{AccountSid}/Calls.json:
    get:
      operationId: ListCall
      parameters:
        - {name: AccountSid, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: a page
          content:
            application/json:
              schema:
                type: object
                properties:
                  calls: {type: array, items: {$ref: '#/components/schemas/call'}}
                  next_page_uri: {type: string, nullable: true}
                  page: {type: integer}
    post:
      operationId: CreateCall
      parameters:
        - {name: AccountSid, in: path, required: true, schema: {type: string}}
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                Method: {type: string, enum: [GET, POST]}
                Status: {type: string, enum: [queued, done]}
      responses:
        '201': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/call'}}}}
  /v1/Rooms:
    get:
      operationId: ListRoom
      responses:
        '200':
          description: a page
          content:
            application/json:
              schema:
                type: object
                properties:
                  rooms: {type: array, items: {type: string}}
                  meta:
                    type: object
                    properties:
                      next_page_url: {type: string, nullable: true}
                      key: {type: string}
  /v1/Tags:
    get:
      operationId: ListTagNoLink
      responses:
        '200':
          description: two arrays and a link, not recognised
          content:
            application/json:
              schema:
                type: object
                properties:
                  a: {type: array, items: {type: string}}
                  b: {type: array, items: {type: string}}
                  next_page_uri: {type: string}
components:
  schemas:
    call:
      type: object
      properties:
        status: {type: string, enum: [queued, done]}
        callback_method: {type: string, format: http-method, enum: [GET, POST]}
"#;

    fn api() -> Api {
        crate::api_from_text("t.yaml", SPEC.as_bytes(), &Selection::All).unwrap()
    }

    #[test]
    fn list_operations_are_recognised_by_their_response() {
        let api = api();
        let op = |id: &str| api.operations.iter().find(|o| o.id == id).unwrap();
        let calls = op("ListCall").pagination.as_ref().unwrap();
        assert_eq!(calls.items.rust_name, "calls");
        assert!(
            matches!(&calls.next, NextLink::Uri(f) if f.rust_name == "next_page_uri" && f.optional)
        );
        assert_eq!(calls.stream_method, "list_call_stream");
        let rooms = op("ListRoom").pagination.as_ref().unwrap();
        assert!(
            matches!(&rooms.next, NextLink::MetaUrl { meta, url } if meta.rust_name == "meta" && url.rust_name == "next_page_url")
        );
        assert!(op("ListTagNoLink").pagination.is_none());
        assert!(op("CreateCall").pagination.is_none());
    }

    #[test]
    fn identical_enums_merge_and_methods_are_http_method() {
        let api = api();
        let enums: Vec<&str> = api
            .types
            .iter()
            .filter(|t| matches!(t.kind, TypeKind::Enum(_)))
            .map(|t| t.name.as_str())
            .collect();
        // `CreateCallRequestMethod` and `CallCallbackMethod` are one `HttpMethod`;
        // `CreateCallRequestStatus` and `CallStatus` are one, with the shorter name.
        assert_eq!(enums, ["CallStatus", "HttpMethod"]);
    }

    #[test]
    fn the_account_parameter_leaves_the_arguments() {
        let mut api = api();
        super::use_account(&mut api, "AccountSid").unwrap();
        let list = &api.operations[0];
        assert_eq!(list.account_param, Some(0));
        assert_eq!(list.argument_params().count(), 0);
        assert_eq!(api.operations[2].account_param, None);
        let e = super::use_account(&mut api, "AccountSID")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("the account parameter `AccountSID` is not a path parameter"),
            "{e}"
        );
        assert!(e.contains("account_parameter"), "{e}");
    }
}
