//! Example bodies built from a schema's property-level examples, for responses the vendor
//! documents only by schema.

use serde_json::{Map, Value, json};

/// How many values one synthesized example may hold. Published documents have schemas that
/// reach hundreds of others (Microsoft Graph); an example of all of them would take gigabytes.
const BUDGET: usize = 2_000;

/// A value that satisfies `schema`, using the schema's own examples wherever it has them. A
/// reference already being expanded (a recursive type) and anything past the size budget
/// become `null`.
pub fn synthesize(doc: &Value, schema: &Value) -> Value {
    Synth {
        doc,
        budget: BUDGET,
        expanding: Vec::new(),
    }
    .synth(schema, 0)
}

struct Synth<'a> {
    doc: &'a Value,
    budget: usize,
    expanding: Vec<&'a str>,
}

impl<'a> Synth<'a> {
    fn synth(&mut self, schema: &'a Value, depth: usize) -> Value {
        if depth > 24 || self.budget == 0 {
            return Value::Null;
        }
        self.budget -= 1;
        let doc = self.doc;
        let Some(s) = schema.as_object() else {
            return Value::Null;
        };
        if let Some(reference) = s.get("$ref").and_then(Value::as_str) {
            let Some(target) = reference.strip_prefix('#').and_then(|p| doc.pointer(p)) else {
                return Value::Null;
            };
            if self.expanding.contains(&reference) {
                return Value::Null;
            }
            self.expanding.push(reference);
            let value = self.synth(target, depth + 1);
            self.expanding.pop();
            return value;
        }
        if let Some(example) = s.get("example") {
            return example.clone();
        }
        if let Some(Value::Array(members)) = s.get("allOf") {
            // `{allOf: [{$ref}], nullable: true}` is the referenced type, whatever its kind.
            if let [only] = members.as_slice()
                && !s.contains_key("properties")
            {
                return self.synth(only, depth + 1);
            }
            let mut merged = Map::new();
            for member in members {
                if let Value::Object(m) = self.synth(member, depth + 1) {
                    merged.extend(m);
                }
            }
            for (name, prop) in s
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let value = self.synth(prop, depth + 1);
                merged.insert(name.clone(), value);
            }
            return Value::Object(merged);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(first) = s.get(key).and_then(Value::as_array).and_then(|m| m.first()) {
                return self.synth(first, depth + 1);
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
                    out.insert(name.clone(), self.synth(prop, depth + 1));
                }
                Value::Object(out)
            }
            Some("object") => json!({}),
            Some("array") => match s.get("items") {
                Some(items) => json!([self.synth(items, depth + 1)]),
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
    fn recursive_and_wide_schemas_stay_small() {
        // Each of 12 schemas refers to every other twice: without a budget, 24^depth values.
        let mut schemas = Map::new();
        for i in 0..12 {
            let props: Map<String, Value> = (0..24)
                .map(|j| {
                    (
                        format!("p{j}"),
                        json!({"$ref": format!("#/components/schemas/S{}", j % 12)}),
                    )
                })
                .collect();
            schemas.insert(
                format!("S{i}"),
                json!({"type": "object", "properties": props}),
            );
        }
        let doc = json!({"components": {"schemas": schemas}});
        let example = synthesize(&doc, &json!({"$ref": "#/components/schemas/S0"}));
        let size = serde_json::to_string(&example).map_or(0, |t| t.len());
        assert!(size < 200_000, "{size} bytes");
        assert!(example["p1"].is_object());
        assert!(example["p0"].is_null(), "S0 inside S0 is a recursion");
    }
}
