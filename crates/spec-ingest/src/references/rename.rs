//! Component keys OpenAPI 3.0 does not allow (`JWT Bearer`), or that would become one Rust type
//! name (`Boolean`, `boolean`), renamed with every reference and security requirement.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::{SECTIONS, each_ref};
use crate::bodies::Note;
use crate::names;
use crate::yaml::escape_segment;

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
