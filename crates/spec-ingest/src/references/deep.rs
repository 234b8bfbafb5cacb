//! References into the middle of something (`#/components/schemas/Disk/properties/fs`, a
//! parameter of another path) replaced: a schema becomes a component of its own, anything else
//! is copied in place.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::bodies::Note;
use crate::names;
use crate::refs::{is_component_ref, is_schema_pointer};
use crate::yaml::escape_segment;

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
