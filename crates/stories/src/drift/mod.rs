//! Checks a response body against the shape its vendor documents, in one pass over the bytes
//! that builds nothing: every value is compared with the canonical document's schema and
//! skipped. What departs — a documented field missing, an unexpected null, another type, an
//! undocumented field — is counted by JSON path, never with its value.
//!
//! "Documented" follows the canonical document: a declared schema's `required` and `nullable`,
//! and for schemas inferred from examples, what the examples showed (`x-inferred`): a field
//! every example has is expected, a null is expected only where an example had one.

mod schema;
mod walk;

use std::collections::HashMap;

use domain::Drift;
use serde::de::DeserializeSeed;

use client_runtime::VendorFacts;

use schema::compiled;
use walk::{Check, State};

/// How `body`, a response of `vendor`'s `operation` with `status`, departs from its documented
/// shape. A body that is not JSON has no drift to report (its normalizer says it is unreadable);
/// neither has a status the vendor documents no body for.
pub fn check(vendor: &'static VendorFacts, operation: &str, status: u16, body: &[u8]) -> Drift {
    let compiled = compiled(vendor);
    let Some(root) = compiled.root(operation, status) else {
        return Drift::default();
    };
    let mut state = State {
        nodes: &compiled.nodes,
        path: String::from("$"),
        found: HashMap::new(),
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let seed = Check {
        state: &mut state,
        node: root,
        null_ok: false,
    };
    if seed.deserialize(&mut de).is_err() {
        return Drift::default();
    }
    Drift {
        entries: state
            .found
            .into_iter()
            .map(|((path, kind), count)| domain::DriftEntry { path, kind, count })
            .collect(),
    }
    .sorted()
}

#[cfg(test)]
mod tests {
    use super::schema::Compiled;
    use super::*;
    use serde_json::{Value, json};

    fn check_doc(doc: &Value, body: &Value) -> String {
        let compiled = Compiled::new(doc);
        let root = compiled
            .root("op", 200)
            .unwrap_or_else(|| panic!("no root"));
        let mut state = State {
            nodes: &compiled.nodes,
            path: "$".into(),
            found: HashMap::new(),
        };
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        Check {
            state: &mut state,
            node: root,
            null_ok: false,
        }
        .deserialize(&mut de)
        .unwrap_or_else(|e| panic!("{e}"));
        let drift = Drift {
            entries: state
                .found
                .into_iter()
                .map(|((path, kind), count)| domain::DriftEntry { path, kind, count })
                .collect(),
        };
        drift.sorted().to_string()
    }

    fn doc(schema: Value) -> Value {
        json!({"paths": {"/x": {"get": {"operationId": "op", "responses": {"200": {"content": {"application/json": {"schema": schema}}}}}}},
        "components": {"schemas": {
            "LenientId": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "User": {"type": "object", "properties": {
                "pk": {"allOf": [{"$ref": "#/components/schemas/LenientId"}], "nullable": true},
                "is_private": {"type": "boolean", "nullable": true},
                "bio": {"type": "string", "nullable": true}
            }, "x-inferred": {"present": ["pk", "is_private"], "null": ["bio"]}}
        }}})
    }

    #[test]
    fn inferred_objects_expect_what_every_example_showed() {
        let d = doc(json!({"type": "array", "items": {"$ref": "#/components/schemas/User"}}));
        let body = json!([
            {"pk": 1, "is_private": false, "bio": null},
            {"pk": "2", "bio": "x"},
            {"pk": "3", "is_private": null, "extra": {"deep": [1]}},
            {"pk": true, "is_private": "no"}
        ]);
        assert_eq!(
            check_doc(&d, &body),
            "$[].extra: undocumented; $[].is_private: missing; $[].is_private: null; $[].is_private: string where boolean is documented; $[].pk: boolean where string or integer is documented"
        );
    }

    #[test]
    fn declared_objects_expect_required_fields_and_declared_nulls() {
        let d = doc(
            json!({"type": "object", "required": ["data"], "properties": {
                "data": {"type": "object", "required": ["entityId"], "properties": {
                    "entityId": {"type": "string"},
                    "name": {"type": "string", "nullable": true},
                    "count": {"type": "integer"},
                    "ratio": {"type": "number"},
                    "values": {"type": "object", "additionalProperties": {"type": "string"}}
                }}
            }}),
        );
        let clean = json!({"data": {"entityId": "1", "name": null, "count": 3, "ratio": 2, "values": {"a": "b"}}});
        assert_eq!(check_doc(&d, &clean), "");
        let drifted =
            json!({"data": {"name": "x", "count": 1.5, "ratio": null, "values": {"a": 1}}});
        assert_eq!(
            check_doc(&d, &drifted),
            "$.data.count: number where integer is documented; $.data.entityId: missing; $.data.ratio: null; $.data.values.*: integer where string is documented"
        );
    }

    #[test]
    fn keys_that_are_not_names_are_quoted() {
        let d = doc(json!({"type": "object", "properties": {"@context": {"type": "string"}}}));
        assert_eq!(
            check_doc(&d, &json!({"@context": 1})),
            "$[\"@context\"]: integer where string is documented"
        );
    }
}
