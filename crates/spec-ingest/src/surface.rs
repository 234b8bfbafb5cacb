//! A canonical document's API surface in compact text — one line per operation, parameter,
//! response and schema field, with type, required, nullable — so that a change in a vendor's
//! docs reads as a few lines of API change rather than a JSON diff.
//!
//! ```text
//! GET /v1/user/stories  get_v1_user_stories  2 request
//!   query user_id: string, required
//!   200: [Story]
//! Story (inferred from examples)
//!   pk: LenientId, nullable, in every example
//! ```

use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::hoist::ALIASES;
use crate::infer::INFERRED;
use crate::walk;

/// The surface of `document`: its operations in document order, then its component schemas in
/// name order.
pub fn api_surface(document: &Value) -> String {
    let mut out = String::new();
    for (path, method, op) in walk::operations(document) {
        operation(&mut out, path, method, op);
    }
    let schemas = document
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    for (name, schema) in schemas.into_iter().flatten() {
        component(&mut out, name, schema);
    }
    out
}

fn operation(out: &mut String, path: &str, method: &str, op: &Value) {
    let id = op.get("operationId").and_then(Value::as_str).unwrap_or("?");
    let _ = write!(out, "{} {path}  {id}", method.to_ascii_uppercase());
    if let Some(cost) = op.get(canonical::COST) {
        let _ = write!(
            out,
            "  {} {}",
            cost.get("amount").and_then(Value::as_u64).unwrap_or(0),
            cost.get("unit").and_then(Value::as_str).unwrap_or("credit")
        );
    }
    if op.get("deprecated") == Some(&Value::Bool(true)) {
        out.push_str("  deprecated");
    }
    out.push('\n');
    for p in op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = p.get("name").and_then(Value::as_str).unwrap_or("?");
        let location = p.get("in").and_then(Value::as_str).unwrap_or("?");
        let ty = p.get("schema").map_or_else(|| "any".to_owned(), type_name);
        let required = p.get("required") == Some(&Value::Bool(true));
        let _ = writeln!(
            out,
            "  {location} {name}: {ty}{}",
            if required { ", required" } else { "" }
        );
    }
    if let Some(schema) = op.pointer("/requestBody/content/application~1json/schema") {
        let _ = writeln!(out, "  body: {}", type_name(schema));
    }
    // Statuses sharing a body type share a line.
    let mut by_type: Vec<(String, Vec<&str>)> = Vec::new();
    for (status, response) in op
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let ty = match response.get("content").and_then(Value::as_object) {
            None => "no body".to_owned(),
            Some(content) => match content.get("application/json") {
                Some(media) => media
                    .get("schema")
                    .map_or_else(|| "any".to_owned(), type_name),
                None => content
                    .keys()
                    .next()
                    .map_or_else(|| "no body".to_owned(), |k| format!("bytes ({k})")),
            },
        };
        match by_type.iter_mut().find(|(t, _)| *t == ty) {
            Some((_, statuses)) => statuses.push(status),
            None => by_type.push((ty, vec![status])),
        }
    }
    for (ty, statuses) in by_type {
        let _ = writeln!(out, "  {}: {ty}", statuses.join(" "));
    }
}

fn component(out: &mut String, name: &str, schema: &Value) {
    let inferred = schema.get(INFERRED);
    let properties = schema.get("properties").and_then(Value::as_object);
    let kind = match properties {
        Some(_) => "object".to_owned(),
        None => type_name_inline(schema),
    };
    let aliases: Vec<&str> = schema
        .get(ALIASES)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let _ = write!(out, "{name}");
    if !aliases.is_empty() {
        let _ = write!(out, " (= {})", aliases.join(", "));
    }
    let _ = write!(out, ": {kind}");
    if inferred.is_some() {
        out.push_str(" (inferred from examples)");
    }
    out.push('\n');
    let Some(properties) = properties else {
        return;
    };
    let listed = |key: &str, field: &str| -> bool {
        inferred
            .and_then(|i| i.get(key))
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|v| v == field))
    };
    let required = |field: &str| {
        schema
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|v| v == field))
    };
    for (field, prop) in properties {
        let mut flags = Vec::new();
        if required(field) {
            flags.push("required");
        }
        if nullable(prop) {
            flags.push("nullable");
        }
        if listed("present", field) {
            flags.push("in every example");
        }
        if listed("null", field) {
            flags.push("null in an example");
        }
        let _ = write!(out, "  {field}: {}", type_name(prop));
        for f in flags {
            let _ = write!(out, ", {f}");
        }
        out.push('\n');
    }
}

fn nullable(schema: &Value) -> bool {
    schema.get("nullable") == Some(&Value::Bool(true))
}

/// A schema's type in a few words: `string(date-time)`, `[Story]`, `map<Highlight>`, `A | B`.
fn type_name(schema: &Value) -> String {
    let Some(map) = schema.as_object() else {
        return "any".to_owned();
    };
    if let Some(target) = map.get("$ref").and_then(Value::as_str) {
        return target.rsplit('/').next().unwrap_or(target).to_owned();
    }
    if let Some([only]) = map
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        return type_name(only);
    }
    type_name_inline(schema)
}

fn type_name_inline(schema: &Value) -> String {
    let Some(map) = schema.as_object() else {
        return "any".to_owned();
    };
    for (key, joiner) in [("oneOf", " | "), ("anyOf", " | "), ("allOf", " & ")] {
        if let Some(members) = map.get(key).and_then(Value::as_array) {
            return members
                .iter()
                .map(type_name)
                .collect::<Vec<_>>()
                .join(joiner);
        }
    }
    if let Some(values) = map.get("enum").and_then(Value::as_array) {
        return values
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(" | ");
    }
    match map.get("type").and_then(Value::as_str) {
        Some("array") => format!(
            "[{}]",
            map.get("items").map_or_else(|| "any".to_owned(), type_name)
        ),
        Some("object") | None if map.contains_key("additionalProperties") => format!(
            "map<{}>",
            match map.get("additionalProperties") {
                Some(Value::Object(v)) if !v.is_empty() => type_name(&Value::Object(v.clone())),
                _ => "any".to_owned(),
            }
        ),
        Some("object") => object_inline(map),
        Some(ty) => match map.get("format").and_then(Value::as_str) {
            Some(format) => format!("{ty}({format})"),
            None => ty.to_owned(),
        },
        None if map.contains_key("properties") => object_inline(map),
        None => "any".to_owned(),
    }
}

fn object_inline(map: &Map<String, Value>) -> String {
    match map.get("properties").and_then(Value::as_object) {
        Some(p) if !p.is_empty() => format!(
            "{{{}}}",
            p.keys().map(String::as_str).collect::<Vec<_>>().join(", ")
        ),
        _ => "object".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_line_per_operation_parameter_response_and_field() {
        let doc = json!({
            "paths": {"/v1/a/{id}": {"get": {
                "operationId": "getA", "x-cost": {"amount": 2, "unit": "credit"},
                "parameters": [
                    {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                    {"name": "n", "in": "query", "schema": {"type": "integer", "format": "int64"}}
                ],
                "responses": {
                    "200": {"content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/A"}}}}},
                    "404": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/E"}}}},
                    "500": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/E"}}}},
                    "204": {"description": "nothing"}
                }
            }}},
            "components": {"schemas": {
                "A": {"type": "object", "properties": {
                    "pk": {"allOf": [{"$ref": "#/components/schemas/LenientId"}], "nullable": true},
                    "at": {"type": "string", "format": "date-time", "nullable": true},
                    "tags": {"type": "object", "additionalProperties": {"type": "string"}}
                }, "x-inferred": {"present": ["pk"], "null": ["at"]}},
                "E": {"type": "object", "required": ["code"], "x-aliases": ["F", "G"], "properties": {
                    "code": {"type": "string", "enum": ["not_found", "oops"]}
                }}
            }}
        });
        assert_eq!(
            api_surface(&doc),
            "GET /v1/a/{id}  getA  2 credit
  path id: string, required
  query n: integer(int64)
  200: [A]
  404 500: E
  204: no body
A: object (inferred from examples)
  pk: LenientId, nullable, in every example
  at: string(date-time), nullable, null in an example
  tags: map<string>
E (= F, G): object
  code: \"not_found\" | \"oops\", required
"
        );
    }
}
