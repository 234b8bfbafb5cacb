//! References and names as published documents write them, made into the forms the rest of
//! the pipeline (and progenitor) take:
//!
//! - a property named `$ref` (its value is a schema, not a string) is kept out of the way of
//!   every reference walker while shaping, and put back at the end;
//! - percent-encoded `$ref` fragments (`#/paths/~1a~1%7Bid%7D/…`) are decoded;
//! - component keys that OpenAPI 3.0 does not allow (`JWT Bearer`) or that would become the
//!   same Rust type name (`Boolean`, `boolean`) are renamed, every reference and security
//!   requirement with them;
//! - a reference into the middle of something (`#/components/schemas/Disk/properties/fs`, a
//!   parameter of another path) is replaced: a schema becomes a component of its own, a
//!   parameter is copied in place (`deep`);
//! - renames live in `rename`, the rest here.

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

use crate::bodies::Note;

mod deep;
mod rename;

pub use deep::flatten_deep_refs;
pub use rename::rename_components;

/// What a property named `$ref` is called while shaping.
const DOLLAR_REF_PROPERTY: &str = "x-property-named-$ref";

/// Component sections whose keys are names.
const SECTIONS: [&str; 9] = [
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
];

/// What every document gets before anything else reads its references: properties named
/// `$ref` hidden, percent-encoded fragments decoded.
pub fn prepare(doc: &mut Value) {
    hide_ref_properties(doc);
    decode_refs(doc);
}

/// Renames `$ref` keys whose value is not a string (so a schema: a property of that name).
pub fn hide_ref_properties(value: &mut Value) {
    rename_keys(value, "$ref", DOLLAR_REF_PROPERTY, |v| !v.is_string());
}

/// Puts the properties named `$ref` back.
pub fn restore_ref_properties(value: &mut Value) {
    rename_keys(value, DOLLAR_REF_PROPERTY, "$ref", |_| true);
}

fn rename_keys(value: &mut Value, from: &str, to: &str, applies: fn(&Value) -> bool) {
    match value {
        Value::Object(map) => {
            if map.get(from).is_some_and(applies) {
                let renamed: Map<String, Value> = std::mem::take(map)
                    .into_iter()
                    .map(|(k, v)| {
                        if k == from {
                            (to.to_owned(), v)
                        } else {
                            (k, v)
                        }
                    })
                    .collect();
                *map = renamed;
            }
            for v in map.values_mut() {
                rename_keys(v, from, to, applies);
            }
        }
        Value::Array(items) => {
            for v in items {
                rename_keys(v, from, to, applies);
            }
        }
        _ => {}
    }
}

/// Calls `f` on every `$ref` string of `value`.
fn each_ref(value: &mut Value, f: &mut dyn FnMut(&mut String)) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                match v {
                    Value::String(s) if k == "$ref" => f(s),
                    _ => each_ref(v, f),
                }
            }
        }
        Value::Array(items) => {
            for v in items {
                each_ref(v, f);
            }
        }
        _ => {}
    }
}

/// Decodes percent-encoded characters in local `$ref` fragments.
pub fn decode_refs(doc: &mut Value) {
    each_ref(doc, &mut |r| {
        if r.starts_with('#') && r.contains('%') {
            *r = percent_decode_str(r).decode_utf8_lossy().into_owned();
        }
    });
}

/// Callbacks describe requests the vendor sends, not ones a client makes; progenitor ignores
/// them and openapiv3 cannot read one given by reference. They are left out, with a note.
pub fn drop_callbacks(doc: &mut Value) -> Vec<Note> {
    let mut dropped = 0;
    for (_, _, op) in crate::walk::operations_mut(doc) {
        if let Some(op) = op.as_object_mut() {
            dropped += usize::from(op.shift_remove("callbacks").is_some());
        }
    }
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        dropped += usize::from(components.shift_remove("callbacks").is_some());
    }
    if dropped == 0 {
        return Vec::new();
    }
    vec![(
        "/paths".to_owned(),
        format!(
            "callbacks (requests the vendor sends) are not part of a client: {dropped} left out"
        ),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_property_named_ref_survives_shaping() {
        let mut schema = json!({"properties": {"$ref": {"type": "string"}, "b": {"$ref": "#/x"}}});
        hide_ref_properties(&mut schema);
        assert!(schema["properties"].get("$ref").is_none());
        assert_eq!(schema["properties"]["b"]["$ref"], "#/x");
        restore_ref_properties(&mut schema);
        assert_eq!(schema["properties"]["$ref"]["type"], "string");
    }

    #[test]
    fn callbacks_are_left_out() {
        let mut doc = json!({
            "paths": {"/a": {"post": {"callbacks": {"x": {"$ref": "#/components/callbacks/X"}}, "responses": {}}}},
            "components": {"callbacks": {"X": {}}}
        });
        assert_eq!(drop_callbacks(&mut doc).len(), 1);
        assert!(doc["paths"]["/a"]["post"].get("callbacks").is_none());
        assert!(doc["components"].get("callbacks").is_none());
    }

    #[test]
    fn percent_encoded_fragments_are_decoded() {
        let mut doc = json!({"a": {"$ref": "#/paths/~1c~1%7Bid%7D/parameters/0"}});
        decode_refs(&mut doc);
        assert_eq!(doc["a"]["$ref"], "#/paths/~1c~1{id}/parameters/0");
    }

    #[test]
    fn invalid_and_colliding_component_names_are_renamed_everywhere() {
        let mut doc = json!({
            "security": [{"JWT Bearer": []}],
            "paths": {"/a": {"get": {"security": [{"JWT Bearer": []}], "responses": {
                "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/boolean"}}}}
            }}}},
            "components": {
                "schemas": {"Boolean": {"type": "boolean"}, "boolean": {"type": "string"}},
                "securitySchemes": {"JWT Bearer": {"type": "http", "scheme": "bearer"}}
            }
        });
        let notes = rename_components(&mut doc);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(doc["components"]["securitySchemes"]["JWT_Bearer"].is_object());
        assert!(doc["security"][0]["JWT_Bearer"].is_array());
        assert!(doc["paths"]["/a"]["get"]["security"][0]["JWT_Bearer"].is_array());
        assert_eq!(
            doc.pointer("/paths/~1a/get/responses/200/content/application~1json/schema/$ref"),
            Some(&json!("#/components/schemas/boolean2"))
        );
        assert_eq!(doc["components"]["schemas"]["boolean2"]["type"], "string");
    }

    #[test]
    fn deep_references_become_components_or_copies() {
        let mut doc = json!({
            "paths": {
                "/a/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {}}},
                "/b/{id}": {"get": {"parameters": [{"$ref": "#/paths/~1a~1{id}/get/parameters/0"}], "responses": {}}}
            },
            "components": {"schemas": {
                "Disk": {"properties": {"filesystem": {"enum": ["ext4", "raw"]}}},
                "Other": {"properties": {"fs": {"$ref": "#/components/schemas/Disk/properties/filesystem"}}}
            }}
        });
        let notes = flatten_deep_refs(&mut doc);
        assert_eq!(
            doc["paths"]["/b/{id}"]["get"]["parameters"][0]["name"],
            "id"
        );
        assert_eq!(
            doc["components"]["schemas"]["Other"]["properties"]["fs"]["$ref"],
            "#/components/schemas/DiskFilesystem"
        );
        assert_eq!(
            doc["components"]["schemas"]["DiskFilesystem"]["enum"][0],
            "ext4"
        );
        assert_eq!(notes.len(), 1);
    }
}
