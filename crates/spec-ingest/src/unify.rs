//! Joins several schemas into one that accepts what each accepts, so an operation has exactly
//! one success type and one error type (progenitor panics on more).

use serde_json::{Map, Value, json};

use crate::infer::INFERRED;

/// A schema accepting every value `a` or `b` accepts, as tight as the two allow. Annotations
/// (description, example) come from `a`.
pub fn join(a: &Value, b: &Value) -> Value {
    if a == b {
        return a.clone();
    }
    let (Some(am), Some(bm)) = (a.as_object(), b.as_object()) else {
        return json!({});
    };
    let ty = |m: &Map<String, Value>| m.get("type").and_then(Value::as_str).map(str::to_owned);
    let nullable = is_true(am, "nullable") || is_true(bm, "nullable");
    let mut out = match (ty(am), ty(bm)) {
        (Some(x), Some(y)) if x == y => join_same_type(&x, am, bm),
        (Some(x), Some(y)) if is_numeric(&x) && is_numeric(&y) => typed("number"),
        (None, None) if am.get("$ref") == bm.get("$ref") && am.contains_key("$ref") => am.clone(),
        // Untyped, or of different kinds: nothing can be claimed.
        _ => Map::new(),
    };
    if nullable {
        out.insert("nullable".into(), json!(true));
    }
    Value::Object(out)
}

/// What the examples of two objects showed together: a field is present in every example of
/// the join when it was in every example (or required) on both sides; null when either side
/// saw it null.
fn join_observations(a: &Map<String, Value>, b: &Map<String, Value>) -> Value {
    let list = |m: &Map<String, Value>, pointer: &str| -> Vec<Value> {
        m.get(INFERRED)
            .and_then(|x| x.pointer(pointer))
            .or_else(|| (pointer == "/present").then(|| m.get("required")).flatten())
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let (pa, pb) = (list(a, "/present"), list(b, "/present"));
    let present: Vec<Value> = pa.into_iter().filter(|k| pb.contains(k)).collect();
    let mut null = list(a, "/null");
    for k in list(b, "/null") {
        if !null.contains(&k) {
            null.push(k);
        }
    }
    let mut out = Map::new();
    out.insert("present".into(), Value::Array(present));
    if !null.is_empty() {
        out.insert("null".into(), Value::Array(null));
    }
    Value::Object(out)
}

fn is_true(m: &Map<String, Value>, key: &str) -> bool {
    m.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn is_numeric(t: &str) -> bool {
    matches!(t, "integer" | "number")
}

fn typed(ty: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".into(), json!(ty));
    m
}

fn join_same_type(ty: &str, a: &Map<String, Value>, b: &Map<String, Value>) -> Map<String, Value> {
    let mut out = typed(ty);
    for key in ["description", "format"] {
        if let Some(v) = a.get(key)
            && (key == "description" || b.get(key) == Some(v))
        {
            out.insert(key.into(), v.clone());
        }
    }
    match ty {
        "object" => {
            let empty = Map::new();
            let ap = a
                .get("properties")
                .and_then(Value::as_object)
                .unwrap_or(&empty);
            let bp = b
                .get("properties")
                .and_then(Value::as_object)
                .unwrap_or(&empty);
            let mut props = Map::new();
            for (k, v) in ap {
                let joined = bp.get(k).map_or_else(|| v.clone(), |w| join(v, w));
                props.insert(k.clone(), joined);
            }
            for (k, w) in bp {
                if !props.contains_key(k) {
                    props.insert(k.clone(), w.clone());
                }
            }
            if !props.is_empty() {
                out.insert("properties".into(), Value::Object(props));
            }
            let req = |m: &Map<String, Value>| -> Vec<Value> {
                m.get("required")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            };
            let (ra, rb) = (req(a), req(b));
            let required: Vec<Value> = ra.iter().filter(|k| rb.contains(k)).cloned().collect();
            if !required.is_empty() {
                out.insert("required".into(), Value::Array(required));
            }
            if a.contains_key(INFERRED) || b.contains_key(INFERRED) {
                out.insert(INFERRED.into(), join_observations(a, b));
            }
            match (a.get("additionalProperties"), b.get("additionalProperties")) {
                (Some(x), Some(y)) => {
                    out.insert("additionalProperties".into(), join(x, y));
                }
                (Some(x), None) | (None, Some(x)) if x.is_object() => {
                    out.insert("additionalProperties".into(), x.clone());
                }
                _ => {}
            }
        }
        "array" => {
            let items = match (a.get("items"), b.get("items")) {
                (Some(x), Some(y)) => join(x, y),
                _ => json!({}),
            };
            out.insert("items".into(), items);
        }
        _ => {
            if let (Some(Value::Array(x)), Some(Value::Array(y))) = (a.get("enum"), b.get("enum")) {
                let mut values = x.clone();
                for v in y {
                    if !values.contains(v) {
                        values.push(v.clone());
                    }
                }
                out.insert("enum".into(), Value::Array(values));
            }
            if let Some(example) = a.get("example") {
                out.insert("example".into(), example.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_properties_union_and_required_intersect() {
        let a = json!({"type": "object", "properties": {"error": {"type": "string"}, "docs": {"type": "string"}}, "required": ["error"]});
        let b = json!({"type": "object", "properties": {"error": {"type": "string"}, "required": {"type": "integer"}}, "required": ["error", "required"]});
        assert_eq!(
            join(&a, &b),
            json!({"type": "object", "properties": {
                "error": {"type": "string"}, "docs": {"type": "string"}, "required": {"type": "integer"}
            }, "required": ["error"]})
        );
    }

    #[test]
    fn what_the_examples_showed_joins_too() {
        let a = json!({"type": "object", "properties": {"a": {}, "b": {}}, "x-inferred": {"present": ["a", "b"], "null": ["b"]}});
        let b = json!({"type": "object", "properties": {"a": {}, "c": {}}, "x-inferred": {"present": ["a", "c"], "null": ["c"]}});
        assert_eq!(
            join(&a, &b)["x-inferred"],
            json!({"present": ["a"], "null": ["b", "c"]})
        );
    }

    #[test]
    fn enums_join() {
        let a = json!({"type": "string", "enum": ["missing_api_key"]});
        let b = json!({"type": "string", "enum": ["not_found"]});
        assert_eq!(
            join(&a, &b),
            json!({"type": "string", "enum": ["missing_api_key", "not_found"]})
        );
    }

    #[test]
    fn an_enum_joined_with_any_string_is_any_string() {
        let a = json!({"type": "string", "enum": ["a"]});
        assert_eq!(
            join(&a, &json!({"type": "string"})),
            json!({"type": "string"})
        );
    }

    #[test]
    fn different_kinds_become_untyped_and_nullability_is_kept() {
        assert_eq!(
            join(&json!({"type": "string"}), &json!({"type": "object"})),
            json!({})
        );
        assert_eq!(
            join(
                &json!({"type": "integer", "format": "int64"}),
                &json!({"type": "number", "nullable": true})
            ),
            json!({"type": "number", "nullable": true})
        );
    }
}
