//! OpenAPI 3.1 to 3.0.3, one rule per function, for every construct progenitor and openapiv3
//! reject or silently misread (see `shared/notes/progenitor.md`).
//!
//! Constructs with a faithful 3.0 form are rewritten; constructs that only validate and do not
//! change the generated types are dropped; constructs that would change the types and have no
//! 3.0 form (dynamic and external references) are errors located at the construct.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::error::ErrorKind;
use crate::fault::Fault;
use crate::walk;
use crate::yaml::escape_segment;

/// JSON Schema 2020-12 keywords with no OpenAPI 3.0 counterpart that only validate or annotate.
const DROPPED_KEYWORDS: [&str; 17] = [
    "$schema",
    "$id",
    "$comment",
    "$anchor",
    "$vocabulary",
    "unevaluatedItems",
    "unevaluatedProperties",
    "if",
    "then",
    "else",
    "dependentRequired",
    "dependentSchemas",
    "contains",
    "minContains",
    "maxContains",
    "propertyNames",
    "contentSchema",
];

/// Rewrites a document of any 3.x version into OpenAPI 3.0.3, in place.
pub fn down_convert(doc: &mut Value) -> Result<(), Fault> {
    let version = doc.get("openapi").and_then(Value::as_str).unwrap_or("");
    if !version.starts_with("3.") {
        return Err(Fault::new(
            ErrorKind::Structure,
            "/openapi",
            format!("expected an OpenAPI 3.x document, found version `{version}`"),
        ));
    }
    doc["openapi"] = json!("3.0.3");
    drop_document_keys(doc);
    inline_path_item_refs(doc)?;
    hoist_defs(doc)?;
    walk::all_schemas_mut(doc, &mut convert_schema)?;
    Ok(())
}

/// `webhooks`, `jsonSchemaDialect`, `info.summary`, `license.identifier` and
/// `components.pathItems` exist only in 3.1.
fn drop_document_keys(doc: &mut Value) {
    if let Some(root) = doc.as_object_mut() {
        root.remove("webhooks");
        root.remove("jsonSchemaDialect");
        if root.get("paths").is_none() {
            // openapiv3 requires `paths`, which 3.1 made optional.
            root.insert("paths".into(), json!({}));
        }
    }
    if let Some(info) = doc.get_mut("info").and_then(Value::as_object_mut) {
        info.remove("summary");
        if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut) {
            license.remove("identifier");
        }
    }
}

/// A path item `$ref` into `components.pathItems` is replaced by its target; progenitor rejects
/// path item references.
fn inline_path_item_refs(doc: &mut Value) -> Result<(), Fault> {
    let path_items = doc
        .get_mut("components")
        .and_then(Value::as_object_mut)
        .and_then(|c| c.remove("pathItems"))
        .unwrap_or(Value::Null);
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (path, item) in paths.iter_mut() {
        let Some(reference) = item.get("$ref").and_then(Value::as_str) else {
            continue;
        };
        let ptr = format!("/paths/{}/$ref", escape_segment(path));
        let target = reference
            .strip_prefix("#/components/pathItems/")
            .and_then(|name| path_items.get(walk::unescape_segment(name)))
            .cloned()
            .ok_or_else(|| {
                Fault::new(
                    ErrorKind::DanglingRef,
                    &ptr,
                    format!("path item `$ref` `{reference}` points at nothing"),
                )
            })?;
        let mut merged = target;
        if let (Some(m), Some(local)) = (merged.as_object_mut(), item.as_object()) {
            for (k, v) in local {
                if k != "$ref" {
                    m.insert(k.clone(), v.clone());
                }
            }
        }
        *item = merged;
    }
    Ok(())
}

/// Moves every `$defs` into `components.schemas` and rewrites the references to them.
fn hoist_defs(doc: &mut Value) -> Result<(), Fault> {
    let mut moved: Vec<(String, String, Value)> = Vec::new();
    walk::all_schemas_mut(doc, &mut |schema, ptr| {
        if let Some(defs) = schema.as_object_mut().and_then(|s| s.remove("$defs"))
            && let Value::Object(defs) = defs
        {
            for (name, def) in defs {
                moved.push((format!("{ptr}/$defs/{}", escape_segment(&name)), name, def));
            }
        }
        Ok::<(), Fault>(())
    })?;
    if moved.is_empty() {
        return Ok(());
    }
    let mut renames = BTreeMap::new();
    let schemas = doc
        .as_object_mut()
        .map(|d| d.entry("components").or_insert_with(|| json!({})))
        .and_then(Value::as_object_mut)
        .map(|c| c.entry("schemas").or_insert_with(|| json!({})))
        .and_then(Value::as_object_mut);
    let Some(schemas) = schemas else {
        return Err(Fault::new(
            ErrorKind::Structure,
            "/components",
            "`components` must be a map",
        ));
    };
    for (old_ptr, name, def) in moved {
        if let Some(existing) = schemas.get(&name)
            && existing != &def
        {
            return Err(Fault::new(
                ErrorKind::Conflict,
                &old_ptr,
                format!("`$defs/{name}` differs from the component schema of the same name"),
            ));
        }
        schemas.insert(name.clone(), def);
        let new_ref = format!("#/components/schemas/{}", escape_segment(&name));
        renames.insert(format!("#{old_ptr}"), new_ref.clone());
        renames.insert(format!("#/$defs/{}", escape_segment(&name)), new_ref);
    }
    rewrite_refs(doc, &renames);
    Ok(())
}

/// Replaces every `$ref` found in `renames`.
pub fn rewrite_refs(value: &mut Value, renames: &BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref")
                && let Some(new) = renames.get(r.as_str())
            {
                *r = new.clone();
            }
            for v in map.values_mut() {
                rewrite_refs(v, renames);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, renames)),
        _ => {}
    }
}

/// Applies every schema rule to one schema node.
fn convert_schema(schema: &mut Value, ptr: &str) -> Result<(), Fault> {
    boolean_schema(schema);
    let Some(node) = schema.as_object_mut() else {
        return Err(Fault::new(
            ErrorKind::Structure,
            ptr,
            "a schema must be a map",
        ));
    };
    reject_dynamic_refs(node, ptr)?;
    type_array(node);
    null_type(node);
    null_in_composition(node);
    null_in_enum(node);
    const_to_enum(node);
    exclusive_bounds(node);
    examples_to_example(node);
    prefix_items(node, ptr)?;
    pattern_properties(node);
    boolean_subschemas(node);
    for key in DROPPED_KEYWORDS {
        node.remove(key);
    }
    content_encoding(node);
    ref_siblings(node);
    Ok(())
}

/// `true` is the empty schema; `false` accepts nothing.
fn boolean_schema(schema: &mut Value) {
    match schema {
        Value::Bool(true) => *schema = json!({}),
        Value::Bool(false) => *schema = json!({"not": {}}),
        _ => {}
    }
}

/// `items: false` and `additionalProperties: true/false` children in schema positions that 3.0
/// only allows as schemas.
fn boolean_subschemas(node: &mut Map<String, Value>) {
    if node.get("items") == Some(&Value::Bool(false)) {
        node.remove("items");
    }
    if let Some(items) = node.get_mut("items") {
        boolean_schema(items);
    }
}

/// `$dynamicRef`, `$recursiveRef` and references outside the document cannot be resolved into
/// one generated type.
fn reject_dynamic_refs(node: &Map<String, Value>, ptr: &str) -> Result<(), Fault> {
    for key in [
        "$dynamicRef",
        "$recursiveRef",
        "$dynamicAnchor",
        "$recursiveAnchor",
    ] {
        if node.contains_key(key) {
            return Err(Fault::new(
                ErrorKind::Unsupported,
                &format!("{ptr}/{}", escape_segment(key)),
                format!(
                    "`{key}` (OpenAPI 3.1) has no OpenAPI 3.0 equivalent; replace it with a `$ref` in an overlay"
                ),
            ));
        }
    }
    if let Some(r) = node.get("$ref").and_then(Value::as_str)
        && !r.starts_with('#')
    {
        return Err(Fault::new(
            ErrorKind::Unsupported,
            &format!("{ptr}/$ref"),
            format!(
                "external `$ref` `{r}` is not supported; copy the schema into the page's components"
            ),
        ));
    }
    Ok(())
}

/// `type: [T, 'null']` becomes `type: T, nullable: true`; several non-null types become a
/// `oneOf` of one schema per type.
fn type_array(node: &mut Map<String, Value>) {
    let Some(Value::Array(types)) = node.get("type").cloned() else {
        return;
    };
    let has_null = types.iter().any(|t| t == "null");
    let mut rest: Vec<Value> = types.into_iter().filter(|t| t != "null").collect();
    rest.dedup();
    node.remove("type");
    match rest.len() {
        0 => {}
        1 => {
            node.insert("type".into(), rest.remove(0));
        }
        _ => {
            let variants = rest.into_iter().map(|t| json!({"type": t})).collect();
            node.insert("oneOf".into(), Value::Array(variants));
        }
    }
    if has_null {
        node.insert("nullable".into(), json!(true));
    }
}

/// `type: 'null'` alone: a value that is always null, which 3.0 can only say as untyped and
/// nullable.
fn null_type(node: &mut Map<String, Value>) {
    if node.get("type").and_then(Value::as_str) == Some("null") {
        node.remove("type");
        node.insert("nullable".into(), json!(true));
    }
}

fn is_null_schema(v: &Value) -> bool {
    v.get("type").and_then(Value::as_str) == Some("null")
        || v.get("type")
            .and_then(Value::as_array)
            .is_some_and(|t| t.len() == 1 && t[0] == "null")
        || v.get("const") == Some(&Value::Null)
        || v.get("enum")
            .and_then(Value::as_array)
            .is_some_and(|e| e.len() == 1 && e[0].is_null())
}

/// `oneOf`/`anyOf` members that only admit null become `nullable`; a single remaining member is
/// folded into the node (a `$ref` behind `allOf`, which 3.0 allows to carry `nullable`).
fn null_in_composition(node: &mut Map<String, Value>) {
    for key in ["oneOf", "anyOf"] {
        let Some(Value::Array(members)) = node.get(key).cloned() else {
            continue;
        };
        if !members.iter().any(is_null_schema) {
            continue;
        }
        let mut rest: Vec<Value> = members.into_iter().filter(|m| !is_null_schema(m)).collect();
        node.insert("nullable".into(), json!(true));
        if rest.len() == 1 {
            node.remove(key);
            let only = rest.remove(0);
            if only.get("$ref").is_some() {
                node.insert("allOf".into(), json!([only]));
            } else if let Value::Object(fields) = only {
                for (k, v) in fields {
                    node.entry(k).or_insert(v);
                }
            }
        } else {
            node.insert(key.into(), Value::Array(rest));
        }
    }
}

/// `enum: [a, null]` becomes `enum: [a], nullable: true`.
fn null_in_enum(node: &mut Map<String, Value>) {
    let Some(Value::Array(values)) = node.get_mut("enum") else {
        return;
    };
    if values.iter().any(Value::is_null) {
        values.retain(|v| !v.is_null());
        node.insert("nullable".into(), json!(true));
    }
}

/// `const: X` becomes `enum: [X]`.
fn const_to_enum(node: &mut Map<String, Value>) {
    let Some(value) = node.remove("const") else {
        return;
    };
    if value.is_null() {
        node.insert("nullable".into(), json!(true));
    } else {
        node.insert("enum".into(), json!([value]));
    }
}

/// Numeric `exclusiveMinimum: n` becomes `minimum: n, exclusiveMinimum: true` (and maximum).
fn exclusive_bounds(node: &mut Map<String, Value>) {
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(n @ Value::Number(_)) = node.get(exclusive).cloned() {
            node.insert(bound.into(), n);
            node.insert(exclusive.into(), json!(true));
        }
    }
}

/// Schema-level `examples: [..]` becomes `example` (the first), which 3.0 reads.
fn examples_to_example(node: &mut Map<String, Value>) {
    if let Some(Value::Array(mut examples)) = node.remove("examples")
        && !node.contains_key("example")
        && !examples.is_empty()
    {
        node.insert("example".into(), examples.remove(0));
    }
}

/// `prefixItems` (a tuple) becomes `items`: the one shared schema when every position has the
/// same type (enums joined), else a `oneOf` of the positions. Tuple positions are lost, which
/// the generated `Vec` could not express anyway.
fn prefix_items(node: &mut Map<String, Value>, ptr: &str) -> Result<(), Fault> {
    let Some(prefix) = node.remove("prefixItems") else {
        return Ok(());
    };
    let Value::Array(positions) = prefix else {
        return Err(Fault::new(
            ErrorKind::Structure,
            &format!("{ptr}/prefixItems"),
            "`prefixItems` must be a list",
        ));
    };
    let mut members = positions;
    if let Some(items) = node.remove("items")
        && items.is_object()
    {
        members.push(items);
    }
    node.remove("additionalItems");
    let items = match join_same_type(&members) {
        Some(joined) => joined,
        None if members.is_empty() => json!({}),
        None => json!({"oneOf": members}),
    };
    node.insert("items".into(), items);
    Ok(())
}

/// One schema for several of the same primitive type, enums joined; `None` when they differ.
fn join_same_type(members: &[Value]) -> Option<Value> {
    let first = members.first()?;
    let ty = first.get("type")?.as_str()?;
    if matches!(ty, "object" | "array") || first.get("$ref").is_some() {
        return None;
    }
    if !members
        .iter()
        .all(|m| m.get("type").and_then(Value::as_str) == Some(ty))
    {
        return None;
    }
    let mut joined = Map::new();
    joined.insert("type".into(), json!(ty));
    if members.iter().all(|m| m.get("enum").is_some()) {
        let mut values: Vec<Value> = Vec::new();
        for m in members {
            for v in m["enum"].as_array().into_iter().flatten() {
                if !values.contains(v) {
                    values.push(v.clone());
                }
            }
        }
        joined.insert("enum".into(), Value::Array(values));
    }
    if let Some(format) = first.get("format")
        && members.iter().all(|m| m.get("format") == Some(format))
    {
        joined.insert("format".into(), format.clone());
    }
    Some(Value::Object(joined))
}

/// One `patternProperties` schema without `additionalProperties` is a map; otherwise the
/// patterns only validate and are dropped.
fn pattern_properties(node: &mut Map<String, Value>) {
    let Some(Value::Object(patterns)) = node.remove("patternProperties") else {
        return;
    };
    if patterns.len() == 1
        && !node.contains_key("additionalProperties")
        && let Some((_, schema)) = patterns.into_iter().next()
    {
        node.insert("additionalProperties".into(), schema);
    }
}

/// `contentEncoding: base64` strings are `format: byte`; binary media is `format: binary`.
fn content_encoding(node: &mut Map<String, Value>) {
    if let Some(encoding) = node.remove("contentEncoding")
        && encoding == "base64"
        && !node.contains_key("format")
    {
        node.insert("format".into(), json!("byte"));
    }
    if let Some(media) = node.remove("contentMediaType") {
        let binary = media
            .as_str()
            .is_some_and(|m| m == "application/octet-stream");
        if binary && !node.contains_key("format") {
            node.insert("format".into(), json!("binary"));
        }
    }
}

/// 3.0 ignores every sibling of `$ref`; wrapping the reference in `allOf` keeps them.
fn ref_siblings(node: &mut Map<String, Value>) {
    if node.len() < 2 {
        return;
    }
    let Some(reference) = node.remove("$ref") else {
        return;
    };
    let mut wrapped = vec![json!({"$ref": reference})];
    if let Some(Value::Array(existing)) = node.remove("allOf") {
        wrapped.extend(existing);
    }
    node.insert("allOf".into(), Value::Array(wrapped));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(schema: Value) -> Value {
        let mut doc = json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "components": {"schemas": {"S": schema}}
        });
        down_convert(&mut doc).expect("converts");
        doc["components"]["schemas"]["S"].clone()
    }

    fn fault(schema: Value) -> Fault {
        let mut doc =
            json!({"openapi": "3.1.0", "paths": {}, "components": {"schemas": {"S": schema}}});
        down_convert(&mut doc).expect_err("rejected")
    }

    #[test]
    fn version_becomes_3_0_3_and_3_1_document_keys_go() {
        let mut doc = json!({
            "openapi": "3.1.0", "jsonSchemaDialect": "x", "webhooks": {},
            "info": {"title": "t", "version": "1", "summary": "s", "license": {"name": "MIT", "identifier": "MIT"}}
        });
        down_convert(&mut doc).expect("converts");
        assert_eq!(
            doc,
            json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1", "license": {"name": "MIT"}}, "paths": {}})
        );
    }

    #[test]
    fn rejects_documents_that_are_not_openapi_3() {
        let mut doc = json!({"swagger": "2.0"});
        assert_eq!(
            down_convert(&mut doc).expect_err("not 3.x").pointer,
            "/openapi"
        );
    }

    #[test]
    fn type_array_with_null_becomes_nullable() {
        assert_eq!(
            convert(json!({"type": ["integer", "null"]})),
            json!({"type": "integer", "nullable": true})
        );
    }

    #[test]
    fn type_array_with_several_types_becomes_one_of() {
        assert_eq!(
            convert(json!({"type": ["string", "integer", "null"]})),
            json!({"oneOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
        );
    }

    #[test]
    fn null_type_alone_is_untyped_and_nullable() {
        assert_eq!(
            convert(json!({"type": "null", "description": "d"})),
            json!({"description": "d", "nullable": true})
        );
    }

    #[test]
    fn null_member_of_one_of_becomes_nullable() {
        assert_eq!(
            convert(json!({"oneOf": [{"type": "string"}, {"type": "null"}]})),
            json!({"nullable": true, "type": "string"})
        );
        assert_eq!(
            convert(json!({"anyOf": [{"$ref": "#/components/schemas/S"}, {"type": "null"}]})),
            json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/S"}]})
        );
        assert_eq!(
            convert(json!({"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]})),
            json!({"oneOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
        );
    }

    #[test]
    fn null_in_enum_becomes_nullable() {
        assert_eq!(
            convert(json!({"type": "string", "enum": ["a", null]})),
            json!({"type": "string", "enum": ["a"], "nullable": true})
        );
    }

    #[test]
    fn const_becomes_a_one_value_enum() {
        assert_eq!(
            convert(json!({"type": "string", "const": "a"})),
            json!({"type": "string", "enum": ["a"]})
        );
    }

    #[test]
    fn numeric_exclusive_bounds_become_boolean() {
        assert_eq!(
            convert(json!({"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10})),
            json!({"type": "integer", "exclusiveMinimum": true, "exclusiveMaximum": true, "minimum": 0, "maximum": 10})
        );
    }

    #[test]
    fn examples_become_example() {
        assert_eq!(
            convert(json!({"type": "string", "examples": ["a", "b"]})),
            json!({"type": "string", "example": "a"})
        );
    }

    #[test]
    fn ref_with_siblings_is_wrapped_in_all_of() {
        assert_eq!(
            convert(json!({"$ref": "#/components/schemas/S", "description": "d"})),
            json!({"description": "d", "allOf": [{"$ref": "#/components/schemas/S"}]})
        );
        assert_eq!(
            convert(json!({"$ref": "#/components/schemas/S"})),
            json!({"$ref": "#/components/schemas/S"})
        );
    }

    #[test]
    fn defs_move_into_components_and_refs_follow() {
        let mut doc = json!({
            "openapi": "3.1.0", "paths": {},
            "components": {"schemas": {"S": {
                "type": "object",
                "properties": {"a": {"$ref": "#/components/schemas/S/$defs/A"}},
                "$defs": {"A": {"type": "string"}}
            }}}
        });
        down_convert(&mut doc).expect("converts");
        assert_eq!(doc["components"]["schemas"]["A"], json!({"type": "string"}));
        assert_eq!(
            doc["components"]["schemas"]["S"]["properties"]["a"],
            json!({"$ref": "#/components/schemas/A"})
        );
        assert!(doc["components"]["schemas"]["S"].get("$defs").is_none());
    }

    #[test]
    fn prefix_items_of_one_type_join_their_enums() {
        assert_eq!(
            convert(json!({"type": "array", "prefixItems": [
                {"type": "string", "enum": ["a"]}, {"type": "string", "enum": ["b"]}
            ]})),
            json!({"type": "array", "items": {"type": "string", "enum": ["a", "b"]}})
        );
    }

    #[test]
    fn prefix_items_of_mixed_types_become_one_of() {
        assert_eq!(
            convert(
                json!({"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]})
            ),
            json!({"type": "array", "items": {"oneOf": [{"type": "string"}, {"type": "integer"}]}})
        );
    }

    #[test]
    fn validation_only_keywords_are_dropped() {
        assert_eq!(
            convert(
                json!({"type": "object", "$schema": "x", "$id": "y", "$comment": "c",
                "unevaluatedProperties": false, "if": {}, "then": {}, "else": {},
                "dependentRequired": {}, "propertyNames": {"pattern": "a"}})
            ),
            json!({"type": "object"})
        );
    }

    #[test]
    fn single_pattern_properties_become_additional_properties() {
        assert_eq!(
            convert(
                json!({"type": "object", "patternProperties": {"^[0-9]+$": {"type": "string"}}})
            ),
            json!({"type": "object", "additionalProperties": {"type": "string"}})
        );
    }

    #[test]
    fn boolean_schemas_become_maps() {
        assert_eq!(
            convert(json!({"type": "object", "properties": {"a": true, "b": false}})),
            json!({"type": "object", "properties": {"a": {}, "b": {"not": {}}}})
        );
    }

    #[test]
    fn content_encoding_becomes_format() {
        assert_eq!(
            convert(json!({"type": "string", "contentEncoding": "base64"})),
            json!({"type": "string", "format": "byte"})
        );
    }

    #[test]
    fn nested_constructs_are_converted_wherever_they_stand() {
        let mut doc = json!({
            "openapi": "3.1.0",
            "paths": {"/a": {"get": {
                "parameters": [{"name": "q", "in": "query", "schema": {"type": ["string", "null"]}}],
                "responses": {"200": {
                    "description": "ok",
                    "headers": {"X-N": {"schema": {"type": ["integer", "null"]}}},
                    "content": {"application/json": {"schema": {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": {"const": 1}}
                    }}}
                }}
            }}}
        });
        down_convert(&mut doc).expect("converts");
        let op = &doc["paths"]["/a"]["get"];
        assert_eq!(
            op["parameters"][0]["schema"],
            json!({"type": "string", "nullable": true})
        );
        assert_eq!(
            op["responses"]["200"]["headers"]["X-N"]["schema"],
            json!({"type": "integer", "nullable": true})
        );
        assert_eq!(
            op["responses"]["200"]["content"]["application/json"]["schema"]["additionalProperties"]
                ["items"],
            json!({"enum": [1]})
        );
    }

    #[test]
    fn dynamic_and_external_refs_are_located_errors() {
        let f = fault(json!({"type": "object", "properties": {"a": {"$dynamicRef": "#node"}}}));
        assert_eq!(f.kind, ErrorKind::Unsupported);
        assert_eq!(f.pointer, "/components/schemas/S/properties/a/$dynamicRef");
        let f = fault(json!({"$ref": "other.yaml#/X"}));
        assert_eq!(f.pointer, "/components/schemas/S/$ref");
    }

    #[test]
    fn path_item_refs_are_inlined() {
        let mut doc = json!({
            "openapi": "3.1.0",
            "paths": {"/a": {"$ref": "#/components/pathItems/A"}},
            "components": {"pathItems": {"A": {"get": {"responses": {}}}}}
        });
        down_convert(&mut doc).expect("converts");
        assert_eq!(doc["paths"]["/a"], json!({"get": {"responses": {}}}));
        assert!(doc["components"].get("pathItems").is_none());
    }
}
