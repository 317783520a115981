//! Which file of a provider module holds what. A module is a directory: `mod.rs` holds the
//! client, the untagged operations and the types several resources share; each resource (the
//! operations' first spec tag) gets a file with its operations and the types only they reach;
//! `webhooks.rs` and `mock.rs` hold those submodules. A spec change then touches the files of
//! the resources it changes, and a reader finds a resource in a file named after it.

use super::client::by_resource;
use super::features::{operation_roots, reachable, resource_names};
use crate::ir::Api;
use std::collections::BTreeSet;

/// Submodule files every module may have; a resource never takes their names.
const RESERVED: [&str; 3] = ["mod", "webhooks", "mock"];

/// One resource's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceFile<'a> {
    /// The spec tag, as spelled.
    pub tag: &'a str,
    /// The file's stem and the module's name: `participant` (`r#type` for a keyword).
    pub module: String,
    /// Indices into [`Api::operations`], in spec order.
    pub operations: Vec<usize>,
}

impl ResourceFile<'_> {
    /// The file name's stem: the module name without a raw identifier's `r#`.
    pub fn stem(&self) -> &str {
        self.module.strip_prefix("r#").unwrap_or(&self.module)
    }
}

/// The files of one module and which of them holds each type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleLayout<'a> {
    pub resources: Vec<ResourceFile<'a>>,
    /// Indices into [`Api::operations`] of the untagged operations, which stay in `mod.rs`.
    pub untagged: Vec<usize>,
    /// Per type, in [`Api::types`] order: the index into `resources` of the file that holds
    /// it, or `None` for `mod.rs` (shared, unreached, or a webhook's, which `webhooks.rs`
    /// holds instead).
    pub homes: Vec<Option<usize>>,
}

/// Decides `api`'s layout: resources in the order they first appear among the operations.
pub fn module_layout(api: &Api) -> ModuleLayout<'_> {
    let groups = by_resource(api);
    let tags: BTreeSet<&str> = groups.iter().filter_map(|(tag, _)| *tag).collect();
    let names = resource_names(&tags);
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut resources = Vec::new();
    let mut untagged = Vec::new();
    for (tag, operations) in groups {
        let Some(tag) = tag else {
            untagged = operations;
            continue;
        };
        let bare = |m: &str| m.trim_start_matches("r#").to_string();
        let mut module = crate::naming::snake(names.get(tag).map_or(tag, String::as_str));
        if RESERVED.contains(&bare(&module).as_str()) {
            module = format!("{}_resource", bare(&module));
        }
        // Two tags with one name (`Call`, `call`) get numbered files.
        let base = bare(&module);
        let mut n = 1;
        while !taken.insert(bare(&module)) {
            n += 1;
            module = format!("{base}_{n}");
        }
        resources.push(ResourceFile {
            tag,
            module,
            operations,
        });
    }
    ModuleLayout {
        homes: homes(api, &resources, &untagged),
        resources,
        untagged,
    }
}

/// A type lives in a resource's file when only that resource's operations reach it; one that
/// an untagged operation or two resources reach is shared (`mod.rs`).
fn homes(api: &Api, resources: &[ResourceFile<'_>], untagged: &[usize]) -> Vec<Option<usize>> {
    #[derive(Clone, Copy)]
    enum Reach {
        Unreached,
        One(usize),
        Shared,
    }
    let mut reach = vec![Reach::Unreached; api.types.len()];
    let owned = resources
        .iter()
        .enumerate()
        .flat_map(|(r, resource)| resource.operations.iter().map(move |&op| (Some(r), op)));
    let shared = untagged.iter().map(|&op| (None, op));
    for (owner, op) in owned.chain(shared) {
        let Some(op) = api.operations.get(op) else {
            continue;
        };
        for id in reachable(api, operation_roots(op)) {
            if let Some(slot) = reach.get_mut(id.index()) {
                *slot = match (*slot, owner) {
                    (Reach::Unreached, Some(r)) => Reach::One(r),
                    (Reach::One(was), Some(r)) if was == r => Reach::One(r),
                    _ => Reach::Shared,
                };
            }
        }
    }
    reach
        .into_iter()
        .map(|reach| match reach {
            Reach::One(r) => Some(r),
            Reach::Unreached | Reach::Shared => None,
        })
        .collect()
}

/// The directory of a provider module's files, relative to the crate root: `src/twilio`.
pub fn module_dir(module: &str) -> String {
    format!("src/{module}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rooms and members (tags), one untagged health check, one tag named like a submodule;
    /// `Room` is reached by both tagged resources, `Health` only by the untagged operation.
    const SPEC: &str = r##"
openapi: 3.0.3
info: { title: t, version: "1" }
paths:
  /Rooms/{RoomSid}.json:
    get:
      operationId: FetchRoom
      tags: [ApiV1Rooms]
      parameters:
        - { name: RoomSid, in: path, required: true, schema: { type: string } }
      responses:
        "200":
          description: ok
          content: { application/json: { schema: { $ref: "#/components/schemas/Room" } } }
  /Rooms/{RoomSid}/Members.json:
    get:
      operationId: ListMember
      tags: [ApiV1Members]
      parameters:
        - { name: RoomSid, in: path, required: true, schema: { type: string } }
      responses:
        "200":
          description: ok
          content: { application/json: { schema: { $ref: "#/components/schemas/MemberList" } } }
  /Mocks.json:
    get:
      operationId: FetchMock
      tags: [ApiV1Mock]
      responses:
        "204": { description: none }
  /Health.json:
    get:
      operationId: FetchHealth
      responses:
        "200":
          description: ok
          content: { application/json: { schema: { $ref: "#/components/schemas/Health" } } }
components:
  schemas:
    Room:
      type: object
      properties: { sid: { type: string } }
    MemberList:
      type: object
      properties:
        room: { $ref: "#/components/schemas/Room" }
        members: { type: array, items: { $ref: "#/components/schemas/Member" } }
    Member:
      type: object
      properties: { sid: { type: string } }
    Health:
      type: object
      properties: { ok: { type: boolean } }
"##;

    fn api() -> Api {
        crate::api_from_text("t.yaml", SPEC.as_bytes(), &crate::Selection::All).unwrap()
    }

    fn home_of<'a>(api: &Api, layout: &'a ModuleLayout<'_>, name: &str) -> Option<&'a str> {
        let (id, _) = api.type_ids().find(|(_, t)| t.name == name).unwrap();
        layout.homes[id.index()].map(|r| layout.resources[r].module.as_str())
    }

    #[test]
    fn each_tag_gets_a_file_and_untagged_operations_stay_in_mod_rs() {
        let api = api();
        let layout = module_layout(&api);
        let modules: Vec<&str> = layout.resources.iter().map(|r| r.module.as_str()).collect();
        // A tag named like a submodule file gets another name; `mod.rs` is never a resource.
        assert_eq!(modules, ["rooms", "members", "mock_resource"]);
        let untagged: Vec<&str> = layout
            .untagged
            .iter()
            .map(|&i| api.operations[i].id.as_str())
            .collect();
        assert_eq!(untagged, ["FetchHealth"]);
    }

    #[test]
    fn a_type_lives_with_the_only_resource_that_reaches_it() {
        let api = api();
        let layout = module_layout(&api);
        assert_eq!(home_of(&api, &layout, "Member"), Some("members"));
        assert_eq!(home_of(&api, &layout, "MemberList"), Some("members"));
        // Reached by two resources: shared, so `mod.rs`.
        assert_eq!(home_of(&api, &layout, "Room"), None);
        // Reached only by an untagged operation: `mod.rs` too.
        assert_eq!(home_of(&api, &layout, "Health"), None);
    }

    #[test]
    fn the_module_files_are_the_layouts() {
        let api = api();
        let features = super::super::features::module_features(&api, "m");
        let paths: Vec<String> = super::super::module_files(&api, &features, &module_dir("m"))
            .into_iter()
            .map(|f| f.path)
            .collect();
        assert_eq!(
            paths,
            [
                "src/m/mod.rs",
                "src/m/rooms.rs",
                "src/m/members.rs",
                "src/m/mock_resource.rs",
                "src/m/mock.rs"
            ]
        );
    }
}
