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
//!   parameter is copied in place.

use std::collections::{BTreeMap, BTreeSet};

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

use crate::bodies::Note;
use crate::names;
use crate::yaml::escape_segment;

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

fn is_valid_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// Renames component keys that are not valid OpenAPI 3.0 names, and schema names that would
/// collide as Rust types; returns a note per rename.
pub fn rename_components(doc: &mut Value) -> Vec<Note> {
    let mut notes = Vec::new();
    // (section, old) → new
    let mut renames: BTreeMap<(String, String), String> = BTreeMap::new();
    let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) else {
        return notes;
    };
    for section in SECTIONS {
        let Some(entries) = components.get_mut(section).and_then(Value::as_object_mut) else {
            continue;
        };
        let mut taken: BTreeSet<String> = BTreeSet::new();
        let mut renamed = Map::new();
        for (key, value) in std::mem::take(entries) {
            let mut name = if is_valid_key(&key) {
                key.clone()
            } else {
                let cleaned: String = key
                    .chars()
                    .map(|c| if is_valid_key(&c.to_string()) { c } else { '_' })
                    .collect();
                if cleaned.is_empty() {
                    "_".to_owned()
                } else {
                    cleaned
                }
            };
            let identity = |n: &str| {
                if section == "schemas" {
                    names::type_key(n)
                } else {
                    n.to_owned()
                }
            };
            let base = name.clone();
            let mut n = 2;
            while taken.contains(&identity(&name)) {
                name = format!("{base}{n}");
                n += 1;
            }
            taken.insert(identity(&name));
            if name != key {
                notes.push((
                    format!("/components/{section}/{}", escape_segment(&key)),
                    format!(
                        "component {section} `{key}` is renamed `{name}` ({})",
                        if is_valid_key(&key) {
                            "another component would become the same Rust type name"
                        } else {
                            "OpenAPI 3.0 names allow only letters, digits, `.`, `-` and `_`"
                        }
                    ),
                ));
                renames.insert((section.to_owned(), key), name.clone());
            }
            renamed.insert(name, value);
        }
        *entries = renamed;
    }
    if renames.is_empty() {
        return notes;
    }
    let pointers: BTreeMap<String, String> = renames
        .iter()
        .map(|((section, old), new)| {
            (
                format!("#/components/{section}/{}", escape_segment(old)),
                format!("#/components/{section}/{}", escape_segment(new)),
            )
        })
        .collect();
    each_ref(doc, &mut |r| {
        // The reference itself, or one into the renamed component.
        let hit = pointers.iter().find(|(old, _)| {
            r.as_str() == old.as_str()
                || r.strip_prefix(old.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        });
        if let Some((old, new)) = hit {
            *r = format!("{new}{}", &r[old.len()..]);
        }
    });
    let schemes: BTreeMap<&str, &str> = renames
        .iter()
        .filter(|((section, _), _)| section == "securitySchemes")
        .map(|((_, old), new)| (old.as_str(), new.as_str()))
        .collect();
    if !schemes.is_empty() {
        rename_requirements(doc.get_mut("security"), &schemes);
        for (_, _, op) in crate::walk::operations_mut(doc) {
            rename_requirements(op.get_mut("security"), &schemes);
        }
    }
    notes
}

fn rename_requirements(security: Option<&mut Value>, schemes: &BTreeMap<&str, &str>) {
    let Some(list) = security.and_then(Value::as_array_mut) else {
        return;
    };
    for requirement in list {
        if let Some(map) = requirement.as_object_mut() {
            let renamed: Map<String, Value> = std::mem::take(map)
                .into_iter()
                .map(|(k, v)| (schemes.get(k.as_str()).map_or(k, |n| (*n).to_owned()), v))
                .collect();
            *map = renamed;
        }
    }
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

use crate::refs::{is_component_ref, is_schema_pointer};

/// Replaces references into the middle of something; run after references are checked.
pub fn flatten_deep_refs(doc: &mut Value) -> Vec<Note> {
    let mut notes = Vec::new();
    let mut hoisted: BTreeMap<String, String> = BTreeMap::new();
    // Hoisted schemas may hold deep references of their own: a few rounds reach them.
    for _ in 0..16 {
        let snapshot = doc.clone();
        let mut deep: Vec<(String, bool)> = Vec::new();
        collect_deep(&snapshot, "", &mut deep);
        if deep.is_empty() {
            break;
        }
        for (site, is_parameter) in deep {
            let Some(reference) = snapshot
                .pointer(&format!("{site}/$ref"))
                .and_then(Value::as_str)
                .map(str::to_owned)
            else {
                continue;
            };
            let Some(target) = reference
                .strip_prefix('#')
                .and_then(|p| snapshot.pointer(p))
                .cloned()
            else {
                continue;
            };
            // Only an object can be a schema component; a value (an example's text) is copied.
            let in_value = site
                .split('/')
                .any(|s| matches!(s, "example" | "examples" | "default") || s.starts_with("x-"));
            let replacement = if is_parameter
                || in_value
                || !is_schema_pointer(&reference)
                || !target.is_object()
            {
                target
            } else {
                let name = hoisted.entry(reference.clone()).or_insert_with(|| {
                    let name = component_name(&snapshot, doc, &reference);
                    doc["components"]["schemas"][&name] = target;
                    notes.push((
                        site.clone(),
                        format!("the schema at `{reference}` becomes the component `{name}`"),
                    ));
                    name
                });
                serde_json::json!({"$ref": format!("#/components/schemas/{}", escape_segment(name))})
            };
            if let Some(node) = doc.pointer_mut(&site) {
                *node = replacement;
            }
        }
    }
    notes
}

/// (pointer of the object holding the `$ref`, whether it is a parameter) for every deep ref.
fn collect_deep(value: &Value, ptr: &str, out: &mut Vec<(String, bool)>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                if r.starts_with('#') && !is_component_ref(r) {
                    let parent = ptr.rsplit_once('/').map_or("", |(p, _)| p);
                    out.push((ptr.to_owned(), parent.ends_with("/parameters")));
                }
                return;
            }
            for (k, v) in map {
                collect_deep(v, &format!("{ptr}/{}", escape_segment(k)), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_deep(v, &format!("{ptr}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// `#/components/schemas/Disk/properties/filesystem` → `DiskFilesystem`, unique.
fn component_name(snapshot: &Value, doc: &Value, reference: &str) -> String {
    let words: Vec<&str> = reference
        .trim_start_matches("#/")
        .split('/')
        .filter(|s| {
            !matches!(
                *s,
                "components"
                    | "schemas"
                    | "properties"
                    | "items"
                    | "paths"
                    | "content"
                    | "schema"
                    | "responses"
                    | "allOf"
                    | "oneOf"
                    | "anyOf"
            ) && s.parse::<usize>().is_err()
        })
        .collect();
    let base = names::pascal(&words.join(" "));
    let base = if base.is_empty() {
        "Schema".to_owned()
    } else {
        base
    };
    let taken = |n: &str| {
        let key = names::type_key(n);
        [snapshot, doc].iter().any(|d| {
            d.pointer("/components/schemas")
                .and_then(Value::as_object)
                .is_some_and(|s| s.keys().any(|k| names::type_key(k) == key))
        })
    };
    let mut name = base.clone();
    let mut n = 2;
    while taken(&name) {
        name = format!("{base}{n}");
        n += 1;
    }
    name
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
