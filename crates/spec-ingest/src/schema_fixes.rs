//! Schema keywords as published documents write them, made into what typify accepts, found by
//! pushing real documents through it (`cargo xtask corpus`). Each fix keeps the data the schema
//! describes readable; what it drops is noted.
//!
//! - A keyword of the wrong JSON type (`pattern: 0`, `maxLength: "10"`) is dropped.
//! - `format` on anything but a string or number (`{type: object, format: uri-map}`) is dropped.
//! - A `default` the schema's own type rejects is dropped.
//! - An enum whose values would name two Rust variants alike (`Failed`/`FAILED`, `+1`/`-1`,
//!   `,`/`;`), or that mixes JSON types without a `type`, becomes its plain type.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::bodies::Note;
use crate::walk;

/// Keywords whose value must be a string, a number or a boolean.
const STRING_KEYWORDS: [&str; 5] = ["type", "pattern", "format", "title", "description"];
const NUMBER_KEYWORDS: [&str; 9] = [
    "minimum",
    "maximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
];
const BOOL_KEYWORDS: [&str; 6] = [
    "nullable",
    "readOnly",
    "writeOnly",
    "deprecated",
    "uniqueItems",
    "exclusiveMinimum",
];

/// Applies every fix to every schema of the document.
pub fn fix_schemas(doc: &mut Value) -> Vec<Note> {
    let mut notes = Vec::new();
    let _ = walk::all_schemas_mut::<()>(doc, &mut |schema, ptr| {
        if let Some(map) = schema.as_object_mut() {
            fix_keyword_types(map);
            fix_untyped_validations(map);
            fix_format(map);
            fix_default(map);
            if let Some(note) = fix_enum(map) {
                notes.push((ptr.to_owned(), note));
            }
        }
        Ok(())
    });
    notes
}

fn fix_keyword_types(map: &mut Map<String, Value>) {
    map.retain(|k, v| {
        if STRING_KEYWORDS.contains(&k.as_str()) {
            v.is_string()
        } else if NUMBER_KEYWORDS.contains(&k.as_str()) {
            v.is_number()
        } else if BOOL_KEYWORDS.contains(&k.as_str()) || k == "exclusiveMaximum" {
            v.is_boolean()
        } else if k == "required" {
            v.as_array().is_some_and(|a| a.iter().all(Value::is_string))
        } else {
            true
        }
    });
}

/// Validation keywords by the type they apply to.
const FAMILIES: [&[&str]; 4] = [
    &["pattern", "minLength", "maxLength"],
    &[
        "minimum",
        "maximum",
        "multipleOf",
        "exclusiveMinimum",
        "exclusiveMaximum",
    ],
    &["minItems", "maxItems", "uniqueItems"],
    &["minProperties", "maxProperties"],
];

/// A schema without a `type` whose validations belong to two types (a `pattern` beside a
/// `maximum`) names no type typify can pick: the validations go.
fn fix_untyped_validations(map: &mut Map<String, Value>) {
    if map.contains_key("type") {
        return;
    }
    // Both an object's and an array's structure: the object's fields say more.
    if map.contains_key("items")
        && (map.contains_key("properties") || map.contains_key("additionalProperties"))
    {
        map.shift_remove("items");
    }
    let mut families: Vec<usize> = (0..FAMILIES.len())
        .filter(|&i| FAMILIES[i].iter().any(|k| map.contains_key(*k)))
        .collect();
    // Structure names a type too: properties an object, items an array.
    if map.contains_key("properties") || map.contains_key("additionalProperties") {
        families.push(3);
    }
    if map.contains_key("items") {
        families.push(2);
    }
    families.sort_unstable();
    families.dedup();
    if families.len() > 1 {
        map.retain(|k, _| !FAMILIES.iter().any(|f| f.contains(&k.as_str())));
    }
}

fn type_of(map: &Map<String, Value>) -> Option<&str> {
    map.get("type").and_then(Value::as_str)
}

fn fix_format(map: &mut Map<String, Value>) {
    if map.contains_key("format") && !matches!(type_of(map), Some("string" | "integer" | "number"))
    {
        map.shift_remove("format");
    }
}

/// Whether `value` is of the schema's (simple) `type`; `true` when the schema says no type.
fn conforms(map: &Map<String, Value>, value: &Value) -> bool {
    let typed = match type_of(map) {
        None => true,
        Some("string") => value.is_string(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        Some("array") => value.is_array(),
        Some("object") => value.is_object(),
        Some(_) => true,
    };
    let nullable = map.get("nullable") == Some(&Value::Bool(true));
    let listed = map
        .get("enum")
        .and_then(Value::as_array)
        .is_none_or(|e| e.contains(value));
    (typed && listed) || (value.is_null() && nullable)
}

/// Whether a number lies within the schema's bounds and its format's range (typify checks
/// both and rejects the document otherwise).
fn within_bounds(map: &Map<String, Value>, value: &Value) -> bool {
    let Some(v) = value.as_f64() else {
        return true;
    };
    let (format_min, format_max) = match map.get("format").and_then(Value::as_str) {
        Some("int8") => (f64::from(i8::MIN), f64::from(i8::MAX)),
        Some("int16") => (f64::from(i16::MIN), f64::from(i16::MAX)),
        Some("int32") => (f64::from(i32::MIN), f64::from(i32::MAX)),
        Some("uint8") => (0.0, f64::from(u8::MAX)),
        Some("uint16") => (0.0, f64::from(u16::MAX)),
        Some("uint32") => (0.0, f64::from(u32::MAX)),
        Some("uint64" | "uint") => (0.0, f64::INFINITY),
        _ => (f64::NEG_INFINITY, f64::INFINITY),
    };
    let min = map
        .get("minimum")
        .and_then(Value::as_f64)
        .unwrap_or(f64::NEG_INFINITY);
    let max = map
        .get("maximum")
        .and_then(Value::as_f64)
        .unwrap_or(f64::INFINITY);
    v >= min.max(format_min) && v <= max.min(format_max)
}

fn fix_default(map: &mut Map<String, Value>) {
    if let Some(default) = map.get("default")
        && (!conforms(map, default) || !within_bounds(map, default) || has_structure(map))
    {
        map.shift_remove("default");
    }
}

/// Defaults of objects, arrays and enums are where typify checks deepest (and panics on some);
/// they describe, not decide.
fn has_structure(map: &Map<String, Value>) -> bool {
    matches!(type_of(map), Some("object" | "array"))
        || map.contains_key("enum")
        || map.contains_key("properties")
        || map.contains_key("allOf")
        || map.contains_key("oneOf")
        || map.contains_key("anyOf")
        || map.contains_key("items")
}

/// Two spellings typify tries for a variant name, as comparison keys: letters and digits only,
/// and every other character as `x`.
fn variant_keys(value: &str) -> (String, String) {
    let plain = value
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let marked = value
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { 'x' })
        .collect::<String>()
        .to_ascii_lowercase();
    (plain, marked)
}

fn unique<'a>(keys: impl Iterator<Item = &'a String>) -> bool {
    let mut seen = BTreeSet::new();
    keys.into_iter().all(|k| !k.is_empty() && seen.insert(k))
}

fn fix_enum(map: &mut Map<String, Value>) -> Option<String> {
    let values = map.get("enum")?.as_array()?.clone();
    // Beside alternatives, typify checks the values against types it has not built yet.
    if ["oneOf", "anyOf", "allOf"]
        .iter()
        .any(|k| map.contains_key(*k))
    {
        map.shift_remove("enum");
        return Some(
            "the enum beside `oneOf`/`anyOf`/`allOf` is dropped; the alternatives decide"
                .to_owned(),
        );
    }
    // Values the schema's type rejects are dropped (a null is kept for nullable enums).
    let kept: Vec<Value> = values
        .iter()
        .filter(|v| {
            let mut bare = map.clone();
            bare.shift_remove("enum");
            conforms(&bare, v)
        })
        .cloned()
        .collect();
    if kept.len() != values.len() {
        map.insert("enum".into(), Value::Array(kept.clone()));
    }
    let kinds: BTreeSet<&str> = kept
        .iter()
        .filter(|v| !v.is_null())
        .map(|v| match v {
            Value::String(_) => "string",
            Value::Number(_) => "number",
            Value::Bool(_) => "boolean",
            Value::Array(_) => "array",
            _ => "object",
        })
        .collect();
    let strings: Vec<&str> = kept.iter().filter_map(Value::as_str).collect();
    let reason = if kept.iter().all(Value::is_null) {
        Some("none of its values is of its type".to_owned())
    } else if kinds.len() > 1 && type_of(map).is_none() {
        Some(format!(
            "it mixes {} without a `type`",
            kinds.into_iter().collect::<Vec<_>>().join(" and ")
        ))
    } else if kinds.len() == 1 && strings.len() == kept.iter().filter(|v| !v.is_null()).count() {
        let keys: Vec<(String, String)> = strings.iter().map(|s| variant_keys(s)).collect();
        let distinct = unique(keys.iter().map(|k| &k.0)) || unique(keys.iter().map(|k| &k.1));
        (!distinct).then(|| {
            format!(
                "its values {} would name two Rust variants alike",
                strings
                    .iter()
                    .take(6)
                    .map(|s| format!("{s:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
    } else {
        None
    };
    let reason = reason?;
    map.shift_remove("enum");
    if type_of(map).is_none()
        && let Some(kind) = kinds_of(&values)
    {
        map.insert("type".into(), Value::String(kind.to_owned()));
    }
    Some(format!("the enum becomes a plain value: {reason}"))
}

/// The one JSON type of an enum's non-null values, if they share one.
fn kinds_of(values: &[Value]) -> Option<&'static str> {
    let mut kinds = values.iter().filter(|v| !v.is_null()).map(|v| match v {
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "boolean",
        Value::Array(_) => "array",
        _ => "object",
    });
    let first = kinds.next()?;
    kinds.all(|k| k == first).then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixed(schema: Value) -> (Value, Vec<Note>) {
        let mut doc = json!({"components": {"schemas": {"S": schema}}});
        let notes = fix_schemas(&mut doc);
        (doc["components"]["schemas"]["S"].clone(), notes)
    }

    #[test]
    fn keywords_of_the_wrong_type_and_stray_formats_are_dropped() {
        let (s, _) = fixed(json!({"type": "string", "pattern": 0, "maxLength": "9"}));
        assert_eq!(s, json!({"type": "string"}));
        let (s, _) = fixed(json!({"type": "object", "format": "uri-map"}));
        assert_eq!(s, json!({"type": "object"}));
        let (s, _) = fixed(json!({"description": "flag", "format": "boolean"}));
        assert_eq!(s, json!({"description": "flag"}));
        let (s, _) = fixed(json!({"maximum": 9.5, "pattern": "^\\d$", "description": "d"}));
        assert_eq!(s, json!({"description": "d"}));
        let (s, _) = fixed(json!({"items": {}, "properties": {"a": {"type": "number"}}}));
        assert_eq!(s, json!({"properties": {"a": {"type": "number"}}}));
        let (s, _) = fixed(json!({"maxItems": 1, "properties": {"a": {"type": "number"}}}));
        assert_eq!(s, json!({"properties": {"a": {"type": "number"}}}));
        let (s, _) = fixed(json!({"type": {"$ref": "#/x"}, "description": "d"}));
        assert_eq!(s, json!({"description": "d"}));
    }

    #[test]
    fn defaults_the_schema_rejects_are_dropped() {
        let (s, _) = fixed(json!({"type": "integer", "default": "10"}));
        assert!(s.get("default").is_none());
        let (s, _) = fixed(json!({"type": "string", "enum": ["a", "b"], "default": "c"}));
        assert!(s.get("default").is_none());
        let (s, _) = fixed(json!({"type": "integer", "default": 10}));
        assert_eq!(s["default"], 10);
        let (s, _) = fixed(json!({"type": "integer", "minimum": 1, "maximum": 5, "default": 0}));
        assert!(s.get("default").is_none());
        let (s, _) = fixed(json!({"type": "integer", "format": "uint32", "default": -1}));
        assert!(s.get("default").is_none());
        let (s, _) =
            fixed(json!({"type": "string", "enum": ["a", "b"], "nullable": true, "default": "a"}));
        assert!(
            s.get("default").is_none(),
            "typify panics on some enum defaults"
        );
    }

    #[test]
    fn enums_that_would_name_variants_alike_become_plain() {
        for values in [
            json!(["Failed", "FAILED"]),
            json!(["reactions-+1", "reactions--1"]),
            json!([",", ";", "|"]),
        ] {
            let (s, notes) = fixed(json!({"type": "string", "enum": values}));
            assert!(s.get("enum").is_none(), "{values}");
            assert_eq!(notes.len(), 1, "{values}");
        }
        let (s, _) =
            fixed(json!({"enum": ["a"], "anyOf": [{"type": "string"}, {"type": "object"}]}));
        assert!(s.get("enum").is_none());
        let (s, notes) = fixed(json!({"enum": [true, false, 0, 1]}));
        assert!(s.get("enum").is_none());
        assert!(notes[0].1.contains("mixes"), "{notes:?}");
        let (s, notes) = fixed(json!({"type": "string", "enum": ["a-b", "a_b", "ab"]}));
        assert!(s.get("enum").is_none(), "{s}");
        assert_eq!(notes.len(), 1);
        let (s, notes) = fixed(json!({"type": "string", "enum": ["active", "Inactive", "a-b"]}));
        assert_eq!(s["enum"].as_array().map(Vec::len), Some(3));
        assert!(notes.is_empty());
    }
}
