//! Operation parameters in the forms progenitor generates:
//!
//! - path-level parameters are merged into each operation (the operation's own win), references
//!   to `components/parameters` are copied in;
//! - every `{name}` of the path template has a required path parameter, and path parameters the
//!   template lacks are dropped;
//! - parameters progenitor cannot send are left out with a note: cookies, query styles other
//!   than `form`, and two parameters that would become the same Rust name (`max-results` and
//!   `MaxResults`, a path and a query parameter both called `name`, one called `body` beside a
//!   body);
//! - a parameter whose schema is an object (or comes under `content`) is sent as a string the
//!   caller encodes, since progenitor builds query, path and header values from plain types.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::bodies::Note;
use crate::walk;
use crate::yaml::escape_segment;

/// The operation-level extension that keeps the parameters left out.
pub const LEFT_OUT: &str = canonical::UNSUPPORTED_PARAMETERS;

/// Applies every rule to every operation.
pub fn fix_parameters(doc: &mut Value) -> Vec<Note> {
    let snapshot = doc.clone();
    let mut notes = Vec::new();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return notes;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        let shared = item.shift_remove("parameters").unwrap_or(json!([]));
        for (method, op) in item.iter_mut() {
            if !walk::METHODS.contains(&method.as_str()) {
                continue;
            }
            let ptr = format!("/paths/{}/{method}", escape_segment(path));
            let label = format!("{} {path}", method.to_uppercase());
            fix_operation(&snapshot, path, &shared, op, &ptr, &label, &mut notes);
        }
    }
    notes
}

fn resolve(doc: &Value, value: &Value) -> Value {
    crate::refs::resolve(doc, value).clone()
}

fn field<'a>(param: &'a Value, key: &str) -> &'a str {
    param.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The Rust name progenitor gives a parameter: two that share one cannot both be kept.
fn ident_key(name: &str) -> String {
    crate::rust_names::field_name(name)
}

fn template_names(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name.to_owned()))
        .collect()
}

fn fix_operation(
    doc: &Value,
    path: &str,
    shared: &Value,
    op: &mut Value,
    ptr: &str,
    label: &str,
    notes: &mut Vec<Note>,
) {
    let own: Vec<Value> = op
        .get("parameters")
        .and_then(Value::as_array)
        .map(|l| l.iter().map(|p| resolve(doc, p)).collect())
        .unwrap_or_default();
    let mut merged: Vec<Value> = shared
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| resolve(doc, p))
        .filter(|p| {
            !own.iter()
                .any(|o| field(o, "name") == field(p, "name") && field(o, "in") == field(p, "in"))
        })
        .collect();
    merged.extend(own);
    let template = template_names(path);
    for name in &template {
        if !merged
            .iter()
            .any(|p| field(p, "in") == "path" && field(p, "name") == name)
        {
            notes.push((
                ptr.to_owned(),
                format!("{label}: the path's `{{{name}}}` has no parameter; it becomes a required string"),
            ));
            merged.push(
                json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}),
            );
        }
    }
    let has_body = op.get("requestBody").is_some();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    if has_body {
        taken.insert("body".to_owned());
    }
    // Path parameters first: without them the request cannot be made.
    merged.sort_by_key(|p| field(p, "in") != "path");
    let mut kept = Vec::new();
    let mut left_out = Vec::new();
    for mut param in merged {
        let name = field(&param, "name").to_owned();
        let location = field(&param, "in").to_owned();
        let style = field(&param, "style").to_owned();
        let why = match location.as_str() {
            "path" if !template.contains(&name) => {
                Some("the path has no such placeholder".to_owned())
            }
            "cookie" => Some("progenitor sends no cookies".to_owned()),
            "query" if !style.is_empty() && style != "form" => {
                Some(format!("progenitor sends no `{style}` query parameters"))
            }
            "path" | "query" | "header" => (!taken.insert(ident_key(&name))).then(|| {
                "another parameter (or the body) would have the same Rust name".to_owned()
            }),
            _ => Some(format!("`in: {location}` is not a parameter location")),
        };
        if let Some(why) = why {
            if location != "path" || template.contains(&name) {
                notes.push((
                    ptr.to_owned(),
                    format!("{label}: parameter `{name}` ({location}) is left out: {why}"),
                ));
            }
            left_out.push(param);
            continue;
        }
        if location == "path" {
            param["required"] = json!(true);
            if let Some(m) = param.as_object_mut() {
                m.shift_remove("style");
                m.shift_remove("explode");
            }
        }
        if let Some(note) = plain_schema(doc, &mut param) {
            notes.push((
                ptr.to_owned(),
                format!("{label}: parameter `{name}` {note}"),
            ));
        }
        kept.push(param);
    }
    if let Some(op) = op.as_object_mut() {
        if kept.is_empty() {
            op.shift_remove("parameters");
        } else {
            op.insert("parameters".into(), Value::Array(kept));
        }
        if !left_out.is_empty() {
            op.insert(LEFT_OUT.into(), Value::Array(left_out));
        }
    }
}

/// Gives the parameter a `schema` of a plain type; returns a note when it had to change.
fn plain_schema(doc: &Value, param: &mut Value) -> Option<String> {
    let m = param.as_object_mut()?;
    let from_content = m.shift_remove("content").and_then(|c| {
        c.as_object()
            .and_then(|c| c.values().next())
            .and_then(|media| media.get("schema").cloned())
    });
    let schema = match (m.get("schema"), from_content) {
        (Some(s), _) => s.clone(),
        (None, Some(s)) => s,
        (None, None) => {
            m.insert("schema".into(), json!({"type": "string"}));
            return None;
        }
    };
    let resolved = resolve(doc, &schema);
    let object_like = resolved.get("type").and_then(Value::as_str) == Some("object")
        || [
            "properties",
            "allOf",
            "oneOf",
            "anyOf",
            "additionalProperties",
        ]
        .iter()
        .any(|k| resolved.get(k).is_some());
    if object_like {
        m.insert("schema".into(), json!({"type": "string"}));
        return Some("is an object; the client takes it as a string the caller encodes".to_owned());
    }
    m.insert("schema".into(), schema);
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colliding_unsendable_and_missing_parameters() {
        let mut doc = json!({
            "paths": {"/groups/{name}/{id}": {
                "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
                "post": {
                    "parameters": [
                        {"name": "max-results", "in": "query", "schema": {"type": "integer"}},
                        {"name": "MaxResults", "in": "query", "schema": {"type": "integer"}},
                        {"name": "name", "in": "query", "schema": {"type": "string"}},
                        {"name": "session", "in": "cookie", "schema": {"type": "string"}},
                        {"name": "filter", "in": "query", "style": "deepObject", "schema": {"type": "object"}},
                        {"name": "Body", "in": "header", "schema": {"type": "string"}},
                        {"$ref": "#/components/parameters/Where"}
                    ],
                    "requestBody": {"content": {"application/json": {"schema": {}}}},
                    "responses": {}
                }
            }},
            "components": {"parameters": {"Where": {"name": "where", "in": "query", "schema": {"type": "object", "properties": {"a": {}}}}}}
        });
        let notes = fix_parameters(&mut doc);
        let op = &doc["paths"]["/groups/{name}/{id}"]["post"];
        let kept: Vec<(&str, &str)> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| (field(p, "name"), field(p, "in")))
            .collect();
        assert_eq!(
            kept,
            [
                ("name", "path"),
                ("id", "path"),
                ("max-results", "query"),
                ("where", "query")
            ]
        );
        assert_eq!(op["parameters"][3]["schema"], json!({"type": "string"}));
        assert_eq!(op[LEFT_OUT].as_array().map(Vec::len), Some(5));
        assert!(
            doc["paths"]["/groups/{name}/{id}"]
                .get("parameters")
                .is_none()
        );
        assert_eq!(notes.len(), 7, "{notes:#?}");
    }
}
