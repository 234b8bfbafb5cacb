//! Example bodies built from a schema's property-level examples, for responses the vendor
//! documents only by schema.

use serde_json::{Map, Value, json};

/// A value that satisfies `schema`, using the schema's own examples wherever it has them.
pub fn synthesize(doc: &Value, schema: &Value) -> Value {
    synth(doc, schema, 0)
}

fn synth(doc: &Value, schema: &Value, depth: usize) -> Value {
    if depth > 24 {
        return Value::Null;
    }
    let Some(s) = schema.as_object() else {
        return Value::Null;
    };
    if let Some(target) = s
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|p| doc.pointer(p))
    {
        return synth(doc, target, depth + 1);
    }
    if let Some(example) = s.get("example") {
        return example.clone();
    }
    if let Some(Value::Array(members)) = s.get("allOf") {
        // `{allOf: [{$ref}], nullable: true}` is the referenced type, whatever its kind.
        if let [only] = members.as_slice()
            && !s.contains_key("properties")
        {
            return synth(doc, only, depth + 1);
        }
        let mut merged = Map::new();
        for member in members {
            if let Value::Object(m) = synth(doc, member, depth + 1) {
                merged.extend(m);
            }
        }
        if let Some(props) = s.get("properties")
            && let Value::Object(m) = synth(
                doc,
                &json!({"type": "object", "properties": props}),
                depth + 1,
            )
        {
            merged.extend(m);
        }
        return Value::Object(merged);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = s.get(key).and_then(Value::as_array).and_then(|m| m.first()) {
            return synth(doc, first, depth + 1);
        }
    }
    if let Some(first) = s
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    match s.get("type").and_then(Value::as_str) {
        Some("object") | None if s.contains_key("properties") => {
            let mut out = Map::new();
            for (name, prop) in s["properties"].as_object().into_iter().flatten() {
                out.insert(name.clone(), synth(doc, prop, depth + 1));
            }
            Value::Object(out)
        }
        Some("object") => json!({}),
        Some("array") => match s.get("items") {
            Some(items) => json!([synth(doc, items, depth + 1)]),
            None => json!([]),
        },
        Some("string") => match s.get("format").and_then(Value::as_str) {
            Some("date-time") => json!("2026-01-01T00:00:00Z"),
            Some("uri") => json!("https://example.com/"),
            _ => json!("string"),
        },
        Some("integer") => json!(0),
        Some("number") => json!(0.5),
        Some("boolean") => json!(false),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_bodies_from_property_examples() {
        let doc = json!({"components": {"schemas": {"Img": {"type": "object", "properties": {
            "url": {"type": "string", "example": "https://i/1.jpg"}, "w": {"type": "integer"}
        }}}}});
        let schema = json!({"type": "object", "properties": {
            "images": {"type": "array", "items": {"$ref": "#/components/schemas/Img"}},
            "kind": {"type": "string", "enum": ["Video", "Image"]},
            "at": {"type": "string", "format": "date-time"},
            "extra": {"allOf": [{"$ref": "#/components/schemas/Img"}, {"type": "object", "properties": {"h": {"type": "integer", "example": 9}}}]}
        }});
        assert_eq!(
            synthesize(&doc, &schema),
            json!({
                "images": [{"url": "https://i/1.jpg", "w": 0}],
                "kind": "Video",
                "at": "2026-01-01T00:00:00Z",
                "extra": {"url": "https://i/1.jpg", "w": 0, "h": 9}
            })
        );
    }
}
