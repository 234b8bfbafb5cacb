//! api-diff of two documents of a hundred operations, each answering an object of twenty
//! properties (one a nested list of objects), with a few changes between them — the size of a
//! vendor's document, and what a review tool must answer in milliseconds.
//!
//! Run with `cargo bench -p api-diff`.

use serde_json::{Map, Value, json};

fn main() {
    divan::main();
}

fn document(changed: bool) -> Value {
    let mut paths = Map::new();
    for i in 0..100 {
        let mut props = Map::new();
        for p in 0..20 {
            props.insert(
                format!("field_{p}"),
                json!({"type": "string", "nullable": true}),
            );
        }
        props.insert(
            "items".into(),
            json!({"type": "array", "items": {"$ref": "#/components/schemas/Item"}}),
        );
        let mut params = vec![
            json!({"name": "id", "in": "query", "required": true, "schema": {"type": "string"}}),
        ];
        if changed && i % 25 == 0 {
            props.remove("field_3");
            params.push(json!({"name": "amount", "in": "query", "schema": {"type": "integer"}}));
        }
        paths.insert(
            format!("/v1/resource{i}"),
            json!({"get": {
                "operationId": format!("get_resource{i}"),
                "parameters": params,
                "responses": {"200": {"description": "OK", "content": {"application/json": {
                    "schema": {"type": "object", "properties": props}
                }}}}
            }}),
        );
    }
    let kinds = if changed {
        json!(["a", "b", "c"])
    } else {
        json!(["a", "b"])
    };
    json!({
        "openapi": "3.0.3",
        "info": {"title": "bench", "version": "1"},
        "paths": paths,
        "components": {"schemas": {"Item": {"type": "object", "properties": {
            "pk": {"type": "string"}, "kind": {"type": "string", "enum": kinds}
        }}}}
    })
}

#[divan::bench(sample_count = 50)]
fn hundred_operations_few_changes(bencher: divan::Bencher) {
    let (old, new) = (document(false), document(true));
    bencher.bench(|| api_diff::diff(divan::black_box(&old), divan::black_box(&new)));
}
