//! Shapes a 3.0.3 document so progenitor generates correct code: an operationId everywhere,
//! JSON bodies under `application/json`, a schema for every JSON body (inferred from examples
//! when the vendor gave none), one success and one error body type per operation, and every
//! inline object or enum hoisted into `components` under a unique, deterministic name.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::bodies::{self, Note};
use crate::error::ErrorKind;
use crate::fault::Fault;
use crate::infer;
use crate::names;
use crate::refs;
use crate::unify;
use crate::walk;
use crate::yaml::escape_segment;

/// Gives every operation an operationId; of two that progenitor would name alike (or one that
/// names nothing), the later is renamed after its method and path, with a note.
pub fn operation_ids(doc: &mut Value) -> Result<Vec<Note>, Fault> {
    let mut notes = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (path, method, op) in walk::operations_mut(doc) {
        let ptr = format!("/paths/{}/{method}", escape_segment(&path));
        let Some(op) = op.as_object_mut() else {
            return Err(Fault::new(
                ErrorKind::Structure,
                &ptr,
                "an operation must be a map",
            ));
        };
        let derived = names::operation_id(&method, &path);
        let mut id = op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or(&derived)
            .to_owned();
        let mut n = 1;
        let mut clash = None;
        // The method progenitor makes of an id (none when it has no letter or digit).
        let method_name = |id: &str| {
            id.chars()
                .any(|c| c.is_ascii_alphanumeric())
                .then(|| crate::rust_names::field_name(id))
        };
        while method_name(&id).is_none_or(|m| seen.contains_key(&m)) {
            clash = clash.or_else(|| method_name(&id).and_then(|m| seen.get(&m).cloned()));
            id = if n == 1 {
                derived.clone()
            } else {
                format!("{derived}_{n}")
            };
            n += 1;
        }
        if let Some(original) = op.get("operationId").and_then(Value::as_str)
            && original != id
        {
            let why = match &clash {
                Some(other) => format!(
                    "gives the same method name as the operation at {}",
                    walk::operation_of_pointer(other).unwrap_or_else(|| other.clone())
                ),
                None => "names no method".to_owned(),
            };
            notes.push((
                format!("{ptr}/operationId"),
                format!("operationId `{original}` {why}; this one is `{id}`"),
            ));
        }
        op.insert("operationId".into(), json!(id));
        seen.insert(method_name(&id).unwrap_or_default(), ptr.clone());
        // 3.1 lets an operation omit `responses`; openapiv3 requires it.
        op.entry("responses").or_insert_with(|| json!({}));
    }
    Ok(notes)
}

fn is_json(media: &str) -> bool {
    let essence = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json")
}

/// Keeps one JSON media type per body, named `application/json` so progenitor decodes it
/// (it streams `+json` bodies as bytes).
pub fn json_media_types(doc: &mut Value) {
    let mut bodies: Vec<&mut Value> = Vec::new();
    for (_, _, op) in walk::operations_mut(doc) {
        let Some(op) = op.as_object_mut() else {
            continue;
        };
        for (key, value) in op.iter_mut() {
            match key.as_str() {
                "requestBody" => bodies.push(value),
                "responses" => {
                    if let Some(responses) = value.as_object_mut() {
                        bodies.extend(responses.values_mut());
                    }
                }
                _ => {}
            }
        }
    }
    for body in bodies {
        let Some(content) = body.get_mut("content").and_then(Value::as_object_mut) else {
            continue;
        };
        let Some(json_key) = content.keys().find(|k| is_json(k)).cloned() else {
            continue;
        };
        let Some(chosen) = content.shift_remove(&json_key) else {
            continue;
        };
        content.clear();
        content.insert("application/json".into(), chosen);
    }
}

/// Every example of a JSON body: the media type's `example`, its `examples`' values, then the
/// schema's own `example`. A string example of a non-string body is JSON text and is parsed;
/// one that is not JSON is an error when the body has no schema to fall back on, else it is
/// skipped with a note.
fn body_examples(media: &Value, ptr: &str, notes: &mut Vec<Note>) -> Result<Vec<Value>, Fault> {
    let has_schema = media
        .get("schema")
        .is_some_and(|s| !infer::is_empty_schema(s));
    let mut found: Vec<(String, Value)> = Vec::new();
    if let Some(e) = media.get("example") {
        found.push((format!("{ptr}/example"), e.clone()));
    }
    if let Some(examples) = media.get("examples").and_then(Value::as_object) {
        for (name, example) in examples {
            if let Some(v) = example.get("value") {
                found.push((
                    format!("{ptr}/examples/{}/value", escape_segment(name)),
                    v.clone(),
                ));
            }
        }
    }
    if let Some(e) = media.get("schema").and_then(|s| s.get("example")) {
        found.push((format!("{ptr}/schema/example"), e.clone()));
    }
    let string_body = media
        .get("schema")
        .and_then(|s| s.get("type"))
        .and_then(Value::as_str)
        == Some("string");
    let mut out = Vec::new();
    for (at, value) in found {
        match value {
            Value::String(text) if !string_body => match serde_json::from_str::<Value>(&text) {
                Ok(parsed) => out.push(parsed),
                Err(e) if has_schema => notes.push((
                    at,
                    format!("the example of a JSON body is not JSON ({e}); it is skipped"),
                )),
                Err(e) => {
                    return Err(Fault::new(
                        ErrorKind::ExampleNotJson,
                        &at,
                        format!("the example of a JSON body is not JSON: {e}"),
                    ));
                }
            },
            other => out.push(other),
        }
    }
    Ok(out)
}

/// Gives every JSON body a schema (inferred from its examples where it has none or an empty
/// one) and a media-level `example` that tests and mocks can read.
pub fn schemas_from_examples(doc: &mut Value) -> Result<Vec<Note>, Fault> {
    let mut notes = Vec::new();
    for (path, method, op) in walk::operations_mut(doc) {
        let op_ptr = format!("/paths/{}/{method}", escape_segment(&path));
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            continue;
        };
        for (status, response) in responses.iter_mut() {
            let ptr = format!(
                "{op_ptr}/responses/{}/content/application~1json",
                escape_segment(status)
            );
            let Some(media) = response.pointer_mut("/content/application~1json") else {
                continue;
            };
            let samples = body_examples(media, &ptr, &mut notes)?;
            let Some(media) = media.as_object_mut() else {
                continue;
            };
            let schema_empty = media.get("schema").is_none_or(infer::is_empty_schema);
            if schema_empty && !samples.is_empty() {
                let mut inferred = infer::infer(samples.iter());
                if let (Some(m), Some(old)) = (inferred.as_object_mut(), media.get("schema"))
                    && let Some(d) = old.get("description")
                {
                    m.insert("description".into(), d.clone());
                }
                media.insert("schema".into(), inferred);
            }
            if let Some(first) = samples.into_iter().next() {
                media.insert("example".into(), first);
            }
            media.shift_remove("examples");
            if let Some(schema) = media.get_mut("schema").and_then(Value::as_object_mut) {
                schema.shift_remove("example");
            }
        }
    }
    Ok(notes)
}

/// Adds the [`infer::LENIENT_ID`] component when inferred schemas refer to it. A vendor schema
/// of that name that is not the same is a conflict, not silently replaced.
pub fn lenient_id_component(doc: &mut Value) -> Result<(), Fault> {
    let target = format!("#/components/schemas/{}", infer::LENIENT_ID);
    let text = doc.to_string();
    if !text.contains(&format!("\"$ref\":\"{target}\"")) {
        return Ok(());
    }
    let schemas = doc
        .as_object_mut()
        .ok_or_else(|| Fault::new(ErrorKind::Structure, "", "a document must be a map"))?
        .entry("components")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .ok_or_else(|| Fault::new(ErrorKind::Structure, "/components", "must be a map"))?
        .entry("schemas")
        .or_insert_with(|| json!({}));
    let Some(schemas) = schemas.as_object_mut() else {
        return Err(Fault::new(
            ErrorKind::Structure,
            "/components/schemas",
            "must be a map",
        ));
    };
    let wanted = infer::lenient_id_schema();
    match schemas.get(infer::LENIENT_ID) {
        None => {
            schemas.insert(infer::LENIENT_ID.to_owned(), wanted);
            Ok(())
        }
        Some(existing) if *existing == wanted => Ok(()),
        Some(_) => Err(Fault::new(
            ErrorKind::Conflict,
            &format!("/components/schemas/{}", infer::LENIENT_ID),
            format!(
                "the component `{}` is reserved for ids inferred from examples; rename the vendor's schema in the overlay",
                infer::LENIENT_ID
            ),
        )),
    }
}

/// Marks a media-level example that ingestion built from the schema's own examples.
pub const SYNTHESIZED: &str = canonical::EXAMPLE_SYNTHESIZED;

/// Gives every JSON response without an example one built from its schema's property examples,
/// before the outcomes' schemas are joined, so each status keeps its own (a 404's `not_found`
/// code rather than the joined enum's first value). Tests and mocks serve these bodies.
pub fn examples_from_schemas(doc: &mut Value) {
    let snapshot = doc.clone();
    for (_, _, op) in walk::operations_mut(doc) {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            continue;
        };
        for response in responses.values_mut() {
            let Some(media) = response
                .pointer_mut("/content/application~1json")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            if media.contains_key("example") {
                continue;
            }
            let Some(schema) = media.get("schema").filter(|s| !infer::is_empty_schema(s)) else {
                continue;
            };
            let example = crate::examples::synthesize(&snapshot, schema);
            media.insert("example".into(), example);
            media.insert(SYNTHESIZED.into(), json!(true));
        }
    }
}

/// Makes every success response of an operation share one body schema, and every error
/// response another, joining the vendor's variants.
pub fn one_body_type_per_outcome(doc: &mut Value) {
    let snapshot = doc.clone();
    for (_, _, op) in walk::operations_mut(doc) {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            continue;
        };
        for success in [true, false] {
            let statuses: Vec<String> = responses
                .iter()
                .filter(|(status, r)| {
                    bodies::is_success(status) == success
                        && r.pointer("/content/application~1json/schema").is_some()
                })
                .map(|(s, _)| s.clone())
                .collect();
            let schemas: Vec<Value> = statuses
                .iter()
                .filter_map(|s| {
                    responses[s]
                        .pointer("/content/application~1json/schema")
                        .cloned()
                })
                .collect();
            if schemas.windows(2).all(|w| w[0] == w[1]) {
                continue;
            }
            let mut joined = refs::resolve(&snapshot, &schemas[0]).clone();
            for schema in &schemas[1..] {
                joined = unify::join(&joined, refs::resolve(&snapshot, schema));
            }
            for status in &statuses {
                if let Some(s) = responses
                    .get_mut(status)
                    .and_then(|r| r.pointer_mut("/content/application~1json/schema"))
                {
                    *s = joined.clone();
                }
            }
        }
    }
}

/// Keywords that describe a value without constraining it.
pub(crate) const ANNOTATIONS: [&str; 7] = [
    "description",
    "title",
    "example",
    "deprecated",
    "readOnly",
    "writeOnly",
    "externalDocs",
];

fn annotation_only(m: &Map<String, Value>) -> bool {
    m.keys()
        .all(|k| ANNOTATIONS.contains(&k.as_str()) || k.starts_with("x-"))
}

/// `allOf: [{$ref}, {description: …}]` (how 3.1 documents annotate a reference) would become a
/// newtype around the referenced type; it is that type, so it becomes the bare reference.
/// Nullability stays with the place of use.
pub fn collapse_annotated_refs(doc: &mut Value) -> Result<(), Fault> {
    walk::all_schemas_mut(doc, &mut |schema, _| {
        let Some(node) = schema.as_object() else {
            return Ok(());
        };
        let Some(members) = node.get("allOf").and_then(Value::as_array) else {
            return Ok(());
        };
        let refs: Vec<&Value> = members.iter().filter(|m| m.get("$ref").is_some()).collect();
        let others_plain = members
            .iter()
            .filter(|m| m.get("$ref").is_none())
            .all(|m| m.as_object().is_some_and(annotation_only));
        let mut own = node.clone();
        own.shift_remove("allOf");
        let nullable = own.shift_remove("nullable") == Some(json!(true));
        if refs.len() != 1 || !others_plain || !annotation_only(&own) {
            return Ok(());
        }
        let reference = json!({"$ref": refs[0]["$ref"]});
        *schema = if nullable {
            json!({"allOf": [reference], "nullable": true})
        } else {
            reference
        };
        Ok::<(), Fault>(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op_doc(responses: Value) -> Value {
        json!({"openapi": "3.0.3", "paths": {"/v1/x": {"get": {"responses": responses}}}})
    }

    #[test]
    fn missing_operation_ids_are_derived_and_clashes_renamed() {
        let mut doc = json!({"paths": {
            "/v1/a": {"get": {}},
            "/v1/b": {"get": {"operationId": "get_v1_a"}},
            "/v1/c": {"get": {"operationId": "!!"}}
        }});
        let notes = operation_ids(&mut doc).expect("renamed");
        assert_eq!(doc["paths"]["/v1/b"]["get"]["operationId"], "get_v1_b");
        assert_eq!(doc["paths"]["/v1/c"]["get"]["operationId"], "get_v1_c");
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].1.contains("GET /v1/a"), "{notes:?}");
        let mut doc = json!({"paths": {"/v1/a": {"get": {}}}});
        operation_ids(&mut doc).expect("ok");
        assert_eq!(doc["paths"]["/v1/a"]["get"]["operationId"], "get_v1_a");
    }

    #[test]
    fn plus_json_is_json_and_other_types_go() {
        let mut doc = op_doc(json!({"200": {"content": {
            "text/html": {"schema": {"type": "string"}},
            "application/problem+json": {"schema": {"type": "object"}}
        }}}));
        json_media_types(&mut doc);
        assert_eq!(
            doc["paths"]["/v1/x"]["get"]["responses"]["200"]["content"],
            json!({"application/json": {"schema": {"type": "object"}}})
        );
    }

    #[test]
    fn empty_schemas_are_inferred_from_examples_and_examples_move_to_the_media_type() {
        let mut doc = op_doc(json!({
            "200": {"content": {"application/json": {"schema": {"type": "object", "properties": {}}, "example": {"a": 1}}}},
            "400": {"content": {"application/json": {"schema": {"type": "object", "example": {"code": 400}}}}}
        }));
        schemas_from_examples(&mut doc).expect("ok");
        let r = &doc["paths"]["/v1/x"]["get"]["responses"];
        assert_eq!(
            r["200"]["content"]["application/json"]["schema"]["properties"]["a"]["type"],
            "integer"
        );
        assert_eq!(
            r["400"]["content"]["application/json"]["example"],
            json!({"code": 400})
        );
        assert_eq!(
            r["400"]["content"]["application/json"]["schema"]["x-inferred"]["present"],
            json!(["code"])
        );
    }

    #[test]
    fn json_text_examples_are_parsed_and_bad_ones_located() {
        let mut doc =
            op_doc(json!({"200": {"content": {"application/json": {"example": "{\"a\": true}"}}}}));
        schemas_from_examples(&mut doc).expect("ok");
        assert_eq!(
            doc["paths"]["/v1/x"]["get"]["responses"]["200"]["content"]["application/json"]["example"],
            json!({"a": true})
        );
        let mut doc =
            op_doc(json!({"200": {"content": {"application/json": {"example": "{\"a\": tru"}}}}));
        let fault = schemas_from_examples(&mut doc).expect_err("not JSON");
        assert_eq!(fault.kind, ErrorKind::ExampleNotJson);
        assert_eq!(
            fault.pointer,
            "/paths/~1v1~1x/get/responses/200/content/application~1json/example"
        );
        // With a schema to fall back on, a broken example is only skipped.
        let mut doc = op_doc(json!({"200": {"content": {"application/json": {
            "schema": {"type": "object", "properties": {"a": {"type": "boolean"}}},
            "example": "{\"a\": tru"
        }}}}));
        let notes = schemas_from_examples(&mut doc).expect("skipped");
        assert_eq!(notes.len(), 1);
        assert!(notes[0].1.contains("skipped"), "{notes:?}");
    }

    #[test]
    fn error_bodies_join_into_one_type() {
        let mut doc = op_doc(json!({
            "200": {"content": {"application/json": {"schema": {"type": "object", "properties": {"ok": {"type": "boolean"}}}}}},
            "401": {"content": {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "string"}, "docs": {"type": "string"}}, "required": ["error"]}}}},
            "402": {"content": {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "string"}, "available": {"type": "integer"}}, "required": ["error", "available"]}}}}
        }));
        one_body_type_per_outcome(&mut doc);
        crate::hoist::hoist(&mut doc).expect("ok");
        let r = &doc["paths"]["/v1/x"]["get"]["responses"];
        let err_ref = &r["401"]["content"]["application/json"]["schema"];
        assert_eq!(
            err_ref,
            &json!({"$ref": "#/components/schemas/GetV1XError"})
        );
        assert_eq!(&r["402"]["content"]["application/json"]["schema"], err_ref);
        let err = &doc["components"]["schemas"]["GetV1XError"];
        assert_eq!(err["required"], json!(["error"]));
        assert_eq!(err["properties"].as_object().map(|p| p.len()), Some(3));
        assert_eq!(
            r["200"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/GetV1XResponse"})
        );
    }

    #[test]
    fn annotated_refs_collapse_to_the_reference() {
        let mut doc = json!({"paths": {}, "components": {"schemas": {
            "U": {"type": "object", "properties": {"id": {"type": "string"}}},
            "S": {"type": "object", "properties": {
                "a": {"allOf": [{"$ref": "#/components/schemas/U"}, {"description": "author"}]},
                "b": {"description": "d", "nullable": true, "allOf": [{"$ref": "#/components/schemas/U"}]},
                "c": {"allOf": [{"$ref": "#/components/schemas/U"}, {"type": "object", "properties": {"w": {"type": "integer"}}}]}
            }}
        }}});
        collapse_annotated_refs(&mut doc).expect("ok");
        let props = &doc["components"]["schemas"]["S"]["properties"];
        assert_eq!(props["a"], json!({"$ref": "#/components/schemas/U"}));
        assert_eq!(
            props["b"],
            json!({"allOf": [{"$ref": "#/components/schemas/U"}], "nullable": true})
        );
        assert_eq!(props["c"]["allOf"].as_array().map(Vec::len), Some(2));
    }
}
