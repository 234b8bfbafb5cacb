//! One small pair of documents per rule family, written here, and the level each change gets.

use api_diff::{Level, diff};
use serde_json::{Value, json};

/// A document with one operation `GET /items`, built from its parts.
fn doc(op: Value) -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/items": {"get": op}},
        "components": {"schemas": {}, "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "x-key"}}}
    })
}

fn ok(schema: Value) -> Value {
    json!({"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}})
}

/// The (id, level) of every change from `old` to `new`.
fn changes(old: &Value, new: &Value) -> Vec<(&'static str, Level)> {
    diff(old, new)
        .changes
        .iter()
        .map(|c| (c.id, c.level))
        .collect()
}

fn object(props: Value) -> Value {
    json!({"type": "object", "properties": props})
}

#[test]
fn operations_and_paths() {
    let one = doc(json!({"operationId": "list", "responses": ok(json!({"type": "string"}))}));
    let none = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}});
    assert_eq!(
        changes(&one, &none),
        [("api-removed-without-deprecation", Level::Breaking)]
    );
    assert_eq!(changes(&none, &one), [("endpoint-added", Level::Info)]);
    let renamed =
        doc(json!({"operationId": "list_items", "responses": ok(json!({"type": "string"}))}));
    assert_eq!(
        changes(&one, &renamed),
        [("api-operation-id-updated", Level::Breaking)]
    );
    assert!(
        changes(&one, &one).is_empty(),
        "a document does not differ from itself"
    );
}

#[test]
fn deprecation() {
    let live = doc(json!({"responses": ok(json!({"type": "string"}))}));
    let old = doc(json!({"deprecated": true, "responses": ok(json!({"type": "string"}))}));
    assert_eq!(changes(&live, &old), [("endpoint-deprecated", Level::Info)]);
    assert_eq!(
        changes(&old, &live),
        [("endpoint-reactivated", Level::Info)]
    );
    let none = json!({"openapi": "3.0.3", "paths": {}});
    assert_eq!(
        changes(&old, &none),
        [("api-removed-after-deprecation", Level::Breaking)]
    );
}

#[test]
fn parameters() {
    let p = |params: Value| {
        doc(json!({"parameters": params, "responses": ok(json!({"type": "string"}))}))
    };
    let base =
        p(json!([{"name": "id", "in": "query", "required": true, "schema": {"type": "string"}}]));
    let more_optional = p(json!([
        {"name": "id", "in": "query", "required": true, "schema": {"type": "string"}},
        {"name": "amount", "in": "query", "schema": {"type": "integer"}}
    ]));
    assert_eq!(
        changes(&base, &more_optional),
        [("new-optional-request-parameter", Level::Info)]
    );
    let more_required = p(json!([
        {"name": "id", "in": "query", "required": true, "schema": {"type": "string"}},
        {"name": "user", "in": "query", "required": true, "schema": {"type": "string"}}
    ]));
    assert_eq!(
        changes(&base, &more_required),
        [("new-required-request-parameter", Level::Breaking)]
    );
    assert_eq!(
        changes(&more_optional, &base),
        [("request-parameter-removed", Level::Breaking)]
    );
    let became_required = p(json!([
        {"name": "id", "in": "query", "required": true, "schema": {"type": "string"}},
        {"name": "amount", "in": "query", "required": true, "schema": {"type": "integer"}}
    ]));
    assert_eq!(
        changes(&more_optional, &became_required),
        [("request-parameter-became-required", Level::Breaking)]
    );
    assert_eq!(
        changes(&became_required, &more_optional),
        [("request-parameter-became-optional", Level::Info)]
    );
    let retyped =
        p(json!([{"name": "id", "in": "query", "required": true, "schema": {"type": "integer"}}]));
    assert_eq!(
        changes(&base, &retyped),
        [("request-parameter-type-changed", Level::Breaking)]
    );
    // A parameter by reference is compared by what it refers to.
    let mut by_ref = p(json!([{"$ref": "#/components/parameters/Id"}]));
    by_ref["components"]["parameters"] = json!({"Id": {"name": "id", "in": "query", "required": true, "schema": {"type": "string"}}});
    assert!(changes(&base, &by_ref).is_empty());
}

#[test]
fn request_bodies() {
    let body = |required: bool, schema: Value| {
        doc(json!({
            "requestBody": {"required": required, "content": {"application/json": {"schema": schema}}},
            "responses": ok(json!({"type": "string"}))
        }))
    };
    let none = doc(json!({"responses": ok(json!({"type": "string"}))}));
    let base = body(
        false,
        json!({"type": "object", "properties": {"a": {"type": "string"}}}),
    );
    assert_eq!(
        changes(&none, &base),
        [("new-optional-request-body", Level::Info)]
    );
    assert_eq!(
        changes(&none, &body(true, json!({}))),
        [("new-required-request-body", Level::Breaking)]
    );
    assert_eq!(
        changes(&base, &none),
        [("request-body-removed", Level::Breaking)]
    );
    let required = body(
        true,
        json!({"type": "object", "properties": {"a": {"type": "string"}}}),
    );
    assert_eq!(
        changes(&base, &required),
        [("request-body-became-required", Level::Breaking)]
    );
    let new_required = body(
        false,
        json!({"type": "object", "required": ["b"], "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}),
    );
    assert_eq!(
        changes(&base, &new_required),
        [("new-required-request-property", Level::Breaking)]
    );
    let new_optional = body(
        false,
        json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}),
    );
    assert_eq!(
        changes(&base, &new_optional),
        [("new-optional-request-property", Level::Info)]
    );
    assert_eq!(
        changes(&new_optional, &base),
        [("request-property-removed", Level::Breaking)]
    );
    let mut form = base.clone();
    let media = form["paths"]["/items"]["get"]["requestBody"]["content"]
        .as_object_mut()
        .and_then(|c| c.shift_remove("application/json"));
    form["paths"]["/items"]["get"]["requestBody"]["content"]["application/x-www-form-urlencoded"] =
        media.unwrap_or_default();
    let found = changes(&base, &form);
    assert!(
        found.contains(&("request-body-media-type-removed", Level::Breaking)),
        "{found:?}"
    );
    assert!(
        found.contains(&("request-body-media-type-added", Level::Info)),
        "{found:?}"
    );
}

#[test]
fn response_properties_and_types() {
    let with = |schema: Value| doc(json!({"responses": ok(schema)}));
    let base = with(object(
        json!({"pk": {"type": "string"}, "caption": {"type": "string"}}),
    ));
    let removed = with(object(json!({"pk": {"type": "string"}})));
    let report = diff(&base, &removed);
    assert_eq!(report.changes.len(), 1);
    assert_eq!(
        (report.changes[0].id, report.changes[0].level),
        ("response-property-removed", Level::Breaking)
    );
    assert!(
        report.changes[0].text.contains("`caption`"),
        "{}",
        report.changes[0].text
    );
    assert!(report.breaking());
    assert_eq!(
        changes(&removed, &base),
        [("response-optional-property-added", Level::Info)]
    );
    let retyped = with(object(
        json!({"pk": {"type": "integer"}, "caption": {"type": "string"}}),
    ));
    assert_eq!(
        changes(&base, &retyped),
        [("response-property-type-changed", Level::Breaking)]
    );
    let nullable = with(object(
        json!({"pk": {"type": "string", "nullable": true}, "caption": {"type": "string"}}),
    ));
    assert_eq!(
        changes(&base, &nullable),
        [("response-property-became-nullable", Level::Breaking)]
    );
    let required = with(
        json!({"type": "object", "required": ["pk"], "properties": {"pk": {"type": "string"}, "caption": {"type": "string"}}}),
    );
    assert_eq!(
        changes(&required, &base),
        [("response-property-became-optional", Level::Breaking)]
    );
    assert_eq!(
        changes(&base, &required),
        [("response-property-became-required", Level::Warning)]
    );
    assert_eq!(
        changes(&base, &with(json!({"type": "array"}))),
        [("response-body-type-changed", Level::Breaking)]
    );
    // Nested, in lists and behind references, named by their path.
    let mut nested =
        with(json!({"type": "array", "items": {"$ref": "#/components/schemas/Story"}}));
    nested["components"]["schemas"]["Story"] =
        object(json!({"user": object(json!({"name": {"type": "string"}}))}));
    let mut nested_gone = nested.clone();
    nested_gone["components"]["schemas"]["Story"] = object(json!({"user": object(json!({}))}));
    let report = diff(&nested, &nested_gone);
    assert_eq!(report.changes.len(), 1, "{:?}", report.changes);
    assert!(
        report.changes[0]
            .text
            .contains("`[].user.name` was removed"),
        "{}",
        report.changes[0].text
    );
}

#[test]
fn recursive_types_end() {
    let mut a = doc(json!({"responses": ok(json!({"$ref": "#/components/schemas/Node"}))}));
    a["components"]["schemas"]["Node"] = object(
        json!({"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}),
    );
    let mut b = a.clone();
    b["components"]["schemas"]["Node"]["properties"]["name"] = json!({"type": "string"});
    assert_eq!(
        changes(&a, &b),
        [("response-optional-property-added", Level::Info)]
    );
}

#[test]
fn enums() {
    let resp = |values: Value| {
        doc(json!({"responses": ok(object(json!({"kind": {"type": "string", "enum": values}})))}))
    };
    assert_eq!(
        changes(&resp(json!(["a"])), &resp(json!(["a", "b"]))),
        [("response-property-enum-value-added", Level::Breaking)]
    );
    assert_eq!(
        changes(&resp(json!(["a", "b"])), &resp(json!(["a"]))),
        [("response-property-enum-value-removed", Level::Info)]
    );
    let param = |values: Value| {
        doc(
            json!({"parameters": [{"name": "kind", "in": "query", "schema": {"type": "string", "enum": values}}], "responses": ok(json!({"type": "string"}))}),
        )
    };
    assert_eq!(
        changes(&param(json!(["a", "b"])), &param(json!(["a"]))),
        [("request-parameter-enum-value-removed", Level::Breaking)]
    );
    assert_eq!(
        changes(&param(json!(["a"])), &param(json!(["a", "b"]))),
        [("request-parameter-enum-value-added", Level::Info)]
    );
}

#[test]
fn status_codes_and_media_types() {
    let with = |responses: Value| doc(json!({"responses": responses}));
    let base = with(json!({
        "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "string"}}}},
        "404": {"description": "Not found"}
    }));
    let no_404 = with(
        json!({"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "string"}}}}}),
    );
    assert_eq!(
        changes(&base, &no_404),
        [("response-non-success-status-removed", Level::Info)]
    );
    assert_eq!(
        changes(&no_404, &base),
        [("response-non-success-status-added", Level::Info)]
    );
    let created =
        with(json!({"201": {"description": "Created"}, "404": {"description": "Not found"}}));
    let found = changes(&base, &created);
    assert!(
        found.contains(&("response-success-status-removed", Level::Breaking)),
        "{found:?}"
    );
    assert!(
        found.contains(&("response-success-status-added", Level::Info)),
        "{found:?}"
    );
    let bytes = with(json!({
        "200": {"description": "OK", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
        "404": {"description": "Not found"}
    }));
    let found = changes(&base, &bytes);
    assert!(
        found.contains(&("response-media-type-removed", Level::Breaking)),
        "{found:?}"
    );
}

#[test]
fn security() {
    let open = doc(json!({"responses": ok(json!({"type": "string"}))}));
    let keyed = doc(json!({"security": [{"key": []}], "responses": ok(json!({"type": "string"}))}));
    assert_eq!(
        changes(&open, &keyed),
        [("api-security-added", Level::Breaking)]
    );
    assert_eq!(
        changes(&keyed, &open),
        [("api-security-removed", Level::Breaking)]
    );
    // The document's own requirement applies to operations without one.
    let mut global = open.clone();
    global["security"] = json!([{"key": []}]);
    assert!(changes(&keyed, &global).is_empty());
}

#[test]
fn text_and_json_put_breaking_first() {
    let base =
        doc(json!({"parameters": [], "responses": ok(object(json!({"a": {"type": "string"}})))}));
    let new = doc(json!({
        "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
        "responses": ok(object(json!({})))
    }));
    let report = diff(&base, &new);
    let text = report.to_text();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0]
            .starts_with("breaking GET /items: the response (200): the property `a` was removed"),
        "{text}"
    );
    assert!(
        lines[1].starts_with("info     GET /items: the optional query parameter `q` was added"),
        "{text}"
    );
    assert_eq!(lines[2], "1 breaking, 0 warning, 1 info");
    let json = serde_json::to_value(&report).unwrap_or_default();
    assert_eq!(json["breaking"], true);
    assert_eq!(json["changes"][0]["id"], "response-property-removed");
    assert_eq!(json["changes"][0]["level"], "breaking");
    assert_eq!(json["changes"][0]["method"], "GET");
}

#[test]
fn formats_patterns_and_bounds() {
    let resp = |schema: Value| doc(json!({"responses": ok(object(json!({"at": schema})))}));
    let req = |schema: Value| {
        doc(
            json!({"parameters": [{"name": "q", "in": "query", "schema": schema}], "responses": ok(json!({"type": "string"}))}),
        )
    };
    // A format is a Rust type: `String` becomes `DateTime`.
    assert_eq!(
        changes(
            &resp(json!({"type": "string"})),
            &resp(json!({"type": "string", "format": "date-time"}))
        ),
        [("response-property-format-changed", Level::Breaking)]
    );
    // Requests may not demand more; responses may not return more.
    assert_eq!(
        changes(
            &req(json!({"type": "string", "maxLength": 20})),
            &req(json!({"type": "string", "maxLength": 10}))
        ),
        [("request-parameter-constraint-tightened", Level::Breaking)]
    );
    assert_eq!(
        changes(
            &req(json!({"type": "string", "maxLength": 10})),
            &req(json!({"type": "string"}))
        ),
        [("request-parameter-constraint-relaxed", Level::Info)]
    );
    assert_eq!(
        changes(
            &resp(json!({"type": "integer", "minimum": 0})),
            &resp(json!({"type": "integer"}))
        ),
        [("response-property-constraint-relaxed", Level::Breaking)]
    );
    assert_eq!(
        changes(
            &resp(json!({"type": "integer"})),
            &resp(json!({"type": "integer", "maximum": 9}))
        ),
        [("response-property-constraint-tightened", Level::Info)]
    );
    assert_eq!(
        changes(
            &req(json!({"type": "string"})),
            &req(json!({"type": "string", "pattern": "^[0-9]+$"}))
        ),
        [("request-parameter-pattern-changed", Level::Breaking)]
    );
}
