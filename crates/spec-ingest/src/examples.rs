//! The example bodies of a canonical document: documented ones, or ones built from the schema's
//! property-level examples where the vendor documents only a schema.

use serde_json::{Map, Value, json};

use crate::walk;

/// One example response body of one operation.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseExample {
    pub operation_id: String,
    pub method: String,
    pub path: String,
    pub status: String,
    pub body: Value,
    /// False when built from the schema because the vendor gave no example body.
    pub documented: bool,
}

/// Every JSON response of every operation with its example: the documented one when the
/// canonical document has it, else one synthesized from the schema.
pub fn response_examples(doc: &Value) -> Vec<ResponseExample> {
    let mut out = Vec::new();
    for (path, method, op) in walk::operations(doc) {
        let operation_id = op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let Some(responses) = op.get("responses").and_then(Value::as_object) else {
            continue;
        };
        for (status, response) in responses {
            let Some(media) = response.pointer("/content/application~1json") else {
                continue;
            };
            let synthesized = media.get(crate::shape::SYNTHESIZED) == Some(&Value::Bool(true));
            let (body, documented) = match media.get("example") {
                Some(example) => (example.clone(), !synthesized),
                None => match media.get("schema") {
                    Some(schema) => (synthesize(doc, schema), false),
                    None => continue,
                },
            };
            out.push(ResponseExample {
                operation_id: operation_id.clone(),
                method: method.to_ascii_uppercase(),
                path: path.to_owned(),
                status: status.clone(),
                body,
                documented,
            });
        }
    }
    out
}

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

    #[test]
    fn lists_documented_and_synthesized_examples() {
        let doc = json!({"paths": {"/a": {"get": {"operationId": "a", "responses": {
            "200": {"content": {"application/json": {"example": {"ok": true}}}},
            "404": {"content": {"application/json": {"schema": {"type": "object", "properties": {"e": {"type": "string", "example": "nf"}}}}}}
        }}}}});
        let found = response_examples(&doc);
        assert_eq!(found.len(), 2);
        assert!(found[0].documented);
        assert_eq!(found[1].body, json!({"e": "nf"}));
        assert!(!found[1].documented);
    }
}
