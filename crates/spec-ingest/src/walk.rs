//! Where schemas live in an OpenAPI document, and how to visit every one of them.

use serde_json::Value;

use crate::yaml::escape_segment;

/// The HTTP methods a path item may hold.
pub use canonical::METHODS;

/// Keywords whose value is a map of subschemas.
const MAP_KEYWORDS: [&str; 5] = [
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];
/// Keywords whose value is one subschema.
const SINGLE_KEYWORDS: [&str; 12] = [
    "additionalProperties",
    "items",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
    "contentSchema",
];
/// Keywords whose value is a list of subschemas.
const LIST_KEYWORDS: [&str; 4] = ["allOf", "anyOf", "oneOf", "prefixItems"];

type Visit<'f, E> = dyn FnMut(&mut Value, &str) -> Result<(), E> + 'f;

/// Calls `f` on every schema root (a `schema` of a parameter, header or media type, or a
/// component schema), with its JSON pointer.
pub fn schema_roots_mut<E>(doc: &mut Value, f: &mut Visit<'_, E>) -> Result<(), E> {
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        for (kind, entries) in components.iter_mut() {
            let Some(entries) = entries.as_object_mut() else {
                continue;
            };
            for (name, entry) in entries.iter_mut() {
                let ptr = format!(
                    "/components/{}/{}",
                    escape_segment(kind),
                    escape_segment(name)
                );
                match kind.as_str() {
                    "schemas" => f(entry, &ptr)?,
                    "parameters" | "headers" => holder_mut(entry, &ptr, f)?,
                    "responses" => response_mut(entry, &ptr, f)?,
                    "requestBodies" => content_mut(entry, &ptr, f)?,
                    _ => {}
                }
            }
        }
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (path, item) in paths.iter_mut() {
        let item_ptr = format!("/paths/{}", escape_segment(path));
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (key, op) in item.iter_mut() {
            let ptr = format!("{item_ptr}/{key}");
            if key == "parameters" {
                list_mut(op, &ptr, f, holder_mut)?;
            }
            if !METHODS.contains(&key.as_str()) {
                continue;
            }
            if let Some(params) = op.get_mut("parameters") {
                list_mut(params, &format!("{ptr}/parameters"), f, holder_mut)?;
            }
            if let Some(body) = op.get_mut("requestBody") {
                content_mut(body, &format!("{ptr}/requestBody"), f)?;
            }
            if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
                for (status, response) in responses.iter_mut() {
                    response_mut(
                        response,
                        &format!("{ptr}/responses/{}", escape_segment(status)),
                        f,
                    )?;
                }
            }
        }
    }
    Ok(())
}

fn list_mut<E>(
    list: &mut Value,
    ptr: &str,
    f: &mut Visit<'_, E>,
    each: fn(&mut Value, &str, &mut Visit<'_, E>) -> Result<(), E>,
) -> Result<(), E> {
    if let Some(items) = list.as_array_mut() {
        for (i, item) in items.iter_mut().enumerate() {
            each(item, &format!("{ptr}/{i}"), f)?;
        }
    }
    Ok(())
}

/// A parameter or header: a `schema`, or `content` with schemas.
fn holder_mut<E>(holder: &mut Value, ptr: &str, f: &mut Visit<'_, E>) -> Result<(), E> {
    if let Some(schema) = holder.get_mut("schema") {
        f(schema, &format!("{ptr}/schema"))?;
    }
    content_mut(holder, ptr, f)
}

fn response_mut<E>(response: &mut Value, ptr: &str, f: &mut Visit<'_, E>) -> Result<(), E> {
    if let Some(headers) = response.get_mut("headers").and_then(Value::as_object_mut) {
        for (name, header) in headers.iter_mut() {
            holder_mut(
                header,
                &format!("{ptr}/headers/{}", escape_segment(name)),
                f,
            )?;
        }
    }
    content_mut(response, ptr, f)
}

fn content_mut<E>(holder: &mut Value, ptr: &str, f: &mut Visit<'_, E>) -> Result<(), E> {
    if let Some(content) = holder.get_mut("content").and_then(Value::as_object_mut) {
        for (media, body) in content.iter_mut() {
            if let Some(schema) = body.get_mut("schema") {
                f(
                    schema,
                    &format!("{ptr}/content/{}/schema", escape_segment(media)),
                )?;
            }
        }
    }
    Ok(())
}

/// Calls `f` on `schema` and then on every subschema below it, depth first. `f` runs on a node
/// before its children are listed, so it may rewrite keywords (say `prefixItems` to `items`).
pub fn schema_tree_mut<E>(schema: &mut Value, ptr: &str, f: &mut Visit<'_, E>) -> Result<(), E> {
    f(schema, ptr)?;
    let Some(node) = schema.as_object_mut() else {
        return Ok(());
    };
    for (key, child) in node.iter_mut() {
        let key_ptr = format!("{ptr}/{}", escape_segment(key));
        if MAP_KEYWORDS.contains(&key.as_str()) {
            if let Some(map) = child.as_object_mut() {
                for (name, sub) in map.iter_mut() {
                    schema_tree_mut(sub, &format!("{key_ptr}/{}", escape_segment(name)), f)?;
                }
            }
        } else if SINGLE_KEYWORDS.contains(&key.as_str()) && child.is_object() {
            schema_tree_mut(child, &key_ptr, f)?;
        } else if (LIST_KEYWORDS.contains(&key.as_str()) || (key == "items" && child.is_array()))
            && let Some(list) = child.as_array_mut()
        {
            for (i, sub) in list.iter_mut().enumerate() {
                schema_tree_mut(sub, &format!("{key_ptr}/{i}"), f)?;
            }
        }
    }
    Ok(())
}

/// Calls `f` on every schema node of the document.
pub fn all_schemas_mut<E>(doc: &mut Value, f: &mut Visit<'_, E>) -> Result<(), E> {
    schema_roots_mut(doc, &mut |root, ptr| schema_tree_mut(root, ptr, f))
}

/// `GET /v1/x` for a pointer inside an operation.
pub fn operation_of_pointer(ptr: &str) -> Option<String> {
    let mut segments = ptr.strip_prefix("/paths/")?.split('/');
    let path = unescape_segment(segments.next()?);
    let method = segments.next()?;
    METHODS
        .contains(&method)
        .then(|| format!("{} {path}", method.to_ascii_uppercase()))
}

/// Reverses [`escape_segment`].
pub fn unescape_segment(segment: &str) -> String {
    canonical::pointer::unescape(segment)
}

/// Every operation of a document: (path, method, operation).
pub fn operations_mut(doc: &mut Value) -> Vec<(String, String, &mut Value)> {
    canonical::operations_mut(doc)
}

/// Every operation of a document, read-only: (path, method, operation).
pub fn operations(doc: &Value) -> Vec<(&str, &str, &Value)> {
    canonical::operations(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn visits_every_schema_position() {
        let mut doc = json!({
            "paths": {"/a/{id}": {
                "parameters": [{"name": "id", "in": "path", "schema": {"type": "string"}}],
                "get": {
                    "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                    "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                    "responses": {"200": {
                        "headers": {"X-H": {"schema": {"type": "integer"}}},
                        "content": {"application/json": {"schema": {
                            "type": "object",
                            "properties": {"a": {"type": "array", "items": {"oneOf": [{"type": "string"}]}}}
                        }}}
                    }}
                }
            }},
            "components": {"schemas": {"S": {"type": "object"}}, "headers": {"H": {"schema": {}}}}
        });
        let mut seen = Vec::new();
        all_schemas_mut::<()>(&mut doc, &mut |_, p| {
            seen.push(p.to_owned());
            Ok(())
        })
        .expect("no error");
        for expected in [
            "/components/schemas/S",
            "/components/headers/H/schema",
            "/paths/~1a~1{id}/parameters/0/schema",
            "/paths/~1a~1{id}/get/parameters/0/schema",
            "/paths/~1a~1{id}/get/requestBody/content/application~1json/schema",
            "/paths/~1a~1{id}/get/responses/200/headers/X-H/schema",
            "/paths/~1a~1{id}/get/responses/200/content/application~1json/schema/properties/a/items/oneOf/0",
        ] {
            assert!(
                seen.iter().any(|s| s == expected),
                "missing {expected} in {seen:#?}"
            );
        }
    }

    #[test]
    fn names_the_operation_of_a_pointer() {
        assert_eq!(
            operation_of_pointer("/paths/~1v1~1x/get/responses/200").as_deref(),
            Some("GET /v1/x")
        );
        assert_eq!(operation_of_pointer("/components/schemas/X"), None);
    }
}
