//! api-diff against oasdiff's levels, case by case: each case is one small change, the rule
//! oasdiff's checker applies to it and the level oasdiff gives that rule (its rule registry,
//! `checker/rules.go`, as of oasdiff 1.x: ERR, WARN or INFO). api-diff must report the change,
//! and at least as severely: where oasdiff says breaking, so does api-diff. It may be stricter,
//! because it judges for a typed Rust client (a renamed operationId renames a method; a
//! removed deprecated operation still removes a method).
//!
//! oasdiff itself cannot run here (it needs Go 1.26; the distribution has 1.19), so its levels
//! are written down; a change of oasdiff's levels is a change of this table.

use api_diff::{Level, diff};
use serde_json::{Value, json};

use Level::{Breaking as ERR, Info as INFO, Warning as WARN};

/// A document with one operation `GET /items`.
fn doc(op: Value) -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/items": {"get": op}},
        "components": {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "x-key"}}}
    })
}

fn ok_string() -> Value {
    json!({"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "string"}}}}})
}

/// The operation with one query parameter `q`.
fn param(schema: Value, required: bool) -> Value {
    doc(json!({
        "parameters": [{"name": "q", "in": "query", "required": required, "schema": schema}],
        "responses": ok_string()
    }))
}

/// The operation with a JSON request body.
fn body(schema: Value, required: bool) -> Value {
    doc(json!({
        "requestBody": {"required": required, "content": {"application/json": {"schema": schema}}},
        "responses": ok_string()
    }))
}

/// The operation answering `schema` with 200.
fn answer(schema: Value) -> Value {
    doc(
        json!({"responses": {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}}}),
    )
}

fn object(props: Value, required: &[&str]) -> Value {
    json!({"type": "object", "properties": props, "required": required})
}

fn string(extra: Value) -> Value {
    let mut s = json!({"type": "string"});
    if let (Some(s), Some(extra)) = (s.as_object_mut(), extra.as_object()) {
        s.extend(extra.clone());
    }
    s
}

/// A property `p` of a response object.
fn answer_prop(schema: Value, required: bool) -> Value {
    let req: &[&str] = if required { &["p"] } else { &[] };
    answer(object(json!({"p": schema}), req))
}

/// A property `p` of a request body object.
fn body_prop(schema: Value, required: bool) -> Value {
    let req: &[&str] = if required { &["p"] } else { &[] };
    body(object(json!({"p": schema}), req), true)
}

/// One change: what it is, oasdiff's rule for it and that rule's level.
struct Case {
    change: &'static str,
    old: Value,
    new: Value,
    oasdiff: &'static str,
    level: Level,
}

fn case(change: &'static str, old: Value, new: Value, oasdiff: &'static str, level: Level) -> Case {
    Case {
        change,
        old,
        new,
        oasdiff,
        level,
    }
}

fn cases() -> Vec<Case> {
    let s = || json!({"type": "string"});
    let empty = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}});
    let live = doc(json!({"operationId": "list", "responses": ok_string()}));
    let deprecated =
        doc(json!({"operationId": "list", "deprecated": true, "responses": ok_string()}));
    let keyed = doc(json!({"security": [{"key": []}], "responses": ok_string()}));
    let open = doc(json!({"responses": ok_string()}));
    let statuses = |codes: &[&str]| {
        let mut responses = serde_json::Map::new();
        for code in codes {
            responses.insert(
                (*code).to_owned(),
                json!({"description": "x", "content": {"application/json": {"schema": {"type": "string"}}}}),
            );
        }
        doc(json!({"responses": responses}))
    };
    // A JSON `content` map of these media types, each with a string schema.
    let content = |types: &[&str]| -> serde_json::Map<String, Value> {
        types
            .iter()
            .map(|t| ((*t).to_owned(), json!({"schema": {"type": "string"}})))
            .collect()
    };
    let media = |types: &[&str]| {
        doc(json!({"responses": {"200": {"description": "OK", "content": content(types)}}}))
    };
    let body_media = |types: &[&str]| {
        doc(
            json!({"requestBody": {"required": true, "content": content(types)}, "responses": ok_string()}),
        )
    };
    vec![
        // Operations and paths.
        case(
            "operation removed",
            live.clone(),
            empty.clone(),
            "api-removed-without-deprecation",
            ERR,
        ),
        case(
            "deprecated operation removed",
            deprecated.clone(),
            empty.clone(),
            "api-removed-with-deprecation",
            INFO,
        ),
        case(
            "operation added",
            empty.clone(),
            live.clone(),
            "endpoint-added",
            INFO,
        ),
        case(
            "operationId changed",
            live.clone(),
            doc(json!({"operationId": "list_items", "responses": ok_string()})),
            "api-operation-id-removed",
            INFO,
        ),
        case(
            "operation deprecated",
            live.clone(),
            deprecated.clone(),
            "endpoint-deprecated",
            INFO,
        ),
        case(
            "operation reactivated",
            deprecated,
            live,
            "endpoint-reactivated",
            INFO,
        ),
        // Parameters.
        case(
            "required parameter added",
            open.clone(),
            param(s(), true),
            "new-required-request-parameter",
            ERR,
        ),
        case(
            "optional parameter added",
            open.clone(),
            param(s(), false),
            "new-optional-request-parameter",
            INFO,
        ),
        case(
            "parameter removed",
            param(s(), false),
            open.clone(),
            "request-parameter-removed",
            WARN,
        ),
        case(
            "parameter became required",
            param(s(), false),
            param(s(), true),
            "request-parameter-became-required",
            ERR,
        ),
        case(
            "parameter became optional",
            param(s(), true),
            param(s(), false),
            "request-parameter-became-optional",
            INFO,
        ),
        case(
            "parameter enum value removed",
            param(string(json!({"enum": ["a", "b"]})), true),
            param(string(json!({"enum": ["a"]})), true),
            "request-parameter-enum-value-removed",
            ERR,
        ),
        case(
            "parameter enum value added",
            param(string(json!({"enum": ["a"]})), true),
            param(string(json!({"enum": ["a", "b"]})), true),
            "request-parameter-enum-value-added",
            INFO,
        ),
        case(
            "parameter type changed",
            param(s(), true),
            param(json!({"type": "integer"}), true),
            "request-parameter-type-changed",
            ERR,
        ),
        case(
            "parameter format set",
            param(s(), true),
            param(string(json!({"format": "date"})), true),
            "request-parameter-type-changed",
            ERR,
        ),
        case(
            "parameter maxLength decreased",
            param(string(json!({"maxLength": 10})), true),
            param(string(json!({"maxLength": 5})), true),
            "request-parameter-max-length-decreased",
            ERR,
        ),
        case(
            "parameter maxLength increased",
            param(string(json!({"maxLength": 5})), true),
            param(string(json!({"maxLength": 10})), true),
            "request-parameter-max-length-increased",
            INFO,
        ),
        case(
            "parameter maxLength set",
            param(s(), true),
            param(string(json!({"maxLength": 5})), true),
            "request-parameter-max-length-set",
            ERR,
        ),
        case(
            "parameter minimum increased",
            param(json!({"type": "integer", "minimum": 1}), true),
            param(json!({"type": "integer", "minimum": 5}), true),
            "request-parameter-min-increased",
            ERR,
        ),
        case(
            "parameter minimum decreased",
            param(json!({"type": "integer", "minimum": 5}), true),
            param(json!({"type": "integer", "minimum": 1}), true),
            "request-parameter-min-decreased",
            INFO,
        ),
        case(
            "parameter pattern added",
            param(s(), true),
            param(string(json!({"pattern": "^[a-z]+$"})), true),
            "request-parameter-pattern-added",
            ERR,
        ),
        case(
            "parameter pattern changed",
            param(string(json!({"pattern": "^[a-z]+$"})), true),
            param(string(json!({"pattern": "^[0-9]+$"})), true),
            "request-parameter-pattern-changed",
            WARN,
        ),
        case(
            "parameter pattern removed",
            param(string(json!({"pattern": "^[a-z]+$"})), true),
            param(s(), true),
            "request-parameter-pattern-removed",
            INFO,
        ),
        // Request bodies.
        case(
            "required body added",
            open.clone(),
            body(s(), true),
            "added-required-request-body",
            ERR,
        ),
        case(
            "optional body added",
            open.clone(),
            body(s(), false),
            "added-optional-request-body",
            INFO,
        ),
        case(
            "body removed",
            body(s(), true),
            open.clone(),
            "request-body-removed",
            ERR,
        ),
        case(
            "body became required",
            body(s(), false),
            body(s(), true),
            "request-body-became-required",
            ERR,
        ),
        case(
            "body became optional",
            body(s(), true),
            body(s(), false),
            "request-body-became-optional",
            INFO,
        ),
        case(
            "body media type removed",
            body_media(&["application/json", "text/plain"]),
            body_media(&["application/json"]),
            "request-body-media-type-removed",
            ERR,
        ),
        case(
            "body media type added",
            body_media(&["application/json"]),
            body_media(&["application/json", "text/plain"]),
            "request-body-media-type-added",
            INFO,
        ),
        case(
            "body type changed",
            body(s(), true),
            body(json!({"type": "integer"}), true),
            "request-body-type-changed",
            ERR,
        ),
        case(
            "required request property added",
            body(object(json!({}), &[]), true),
            body_prop(s(), true),
            "new-required-request-property",
            ERR,
        ),
        case(
            "optional request property added",
            body(object(json!({}), &[]), true),
            body_prop(s(), false),
            "new-optional-request-property",
            INFO,
        ),
        case(
            "request property removed",
            body_prop(s(), false),
            body(object(json!({}), &[]), true),
            "request-property-removed",
            WARN,
        ),
        case(
            "request property became required",
            body_prop(s(), false),
            body_prop(s(), true),
            "request-property-became-required",
            ERR,
        ),
        case(
            "request property became optional",
            body_prop(s(), true),
            body_prop(s(), false),
            "request-property-became-optional",
            INFO,
        ),
        case(
            "request property enum value removed",
            body_prop(string(json!({"enum": ["a", "b"]})), true),
            body_prop(string(json!({"enum": ["a"]})), true),
            "request-property-enum-value-removed",
            ERR,
        ),
        case(
            "request property enum value added",
            body_prop(string(json!({"enum": ["a"]})), true),
            body_prop(string(json!({"enum": ["a", "b"]})), true),
            "request-property-enum-value-added",
            INFO,
        ),
        case(
            "request property type changed",
            body_prop(s(), true),
            body_prop(json!({"type": "integer"}), true),
            "request-property-type-changed",
            ERR,
        ),
        case(
            "request property became not nullable",
            body_prop(string(json!({"nullable": true})), true),
            body_prop(s(), true),
            "request-property-became-not-nullable",
            ERR,
        ),
        case(
            "request property became nullable",
            body_prop(s(), true),
            body_prop(string(json!({"nullable": true})), true),
            "request-property-became-nullable",
            INFO,
        ),
        case(
            "request property maxLength decreased",
            body_prop(string(json!({"maxLength": 10})), true),
            body_prop(string(json!({"maxLength": 5})), true),
            "request-property-max-length-decreased",
            ERR,
        ),
        case(
            "request property pattern added",
            body_prop(s(), true),
            body_prop(string(json!({"pattern": "^a"})), true),
            "request-property-pattern-added",
            ERR,
        ),
        // Response properties and types.
        case(
            "required response property removed",
            answer_prop(s(), true),
            answer(object(json!({}), &[])),
            "response-required-property-removed",
            ERR,
        ),
        case(
            "optional response property removed",
            answer_prop(s(), false),
            answer(object(json!({}), &[])),
            "response-optional-property-removed",
            INFO,
        ),
        case(
            "optional response property added",
            answer(object(json!({}), &[])),
            answer_prop(s(), false),
            "response-optional-property-added",
            INFO,
        ),
        case(
            "required response property added",
            answer(object(json!({}), &[])),
            answer_prop(s(), true),
            "response-required-property-added",
            INFO,
        ),
        case(
            "response property became optional",
            answer_prop(s(), true),
            answer_prop(s(), false),
            "response-property-became-optional",
            ERR,
        ),
        case(
            "response property became required",
            answer_prop(s(), false),
            answer_prop(s(), true),
            "response-property-became-required",
            INFO,
        ),
        case(
            "response property became nullable",
            answer_prop(s(), true),
            answer_prop(string(json!({"nullable": true})), true),
            "response-property-became-nullable",
            ERR,
        ),
        case(
            "response property became not nullable",
            answer_prop(string(json!({"nullable": true})), true),
            answer_prop(s(), true),
            "response-property-became-not-nullable",
            INFO,
        ),
        case(
            "response property type changed",
            answer_prop(s(), true),
            answer_prop(json!({"type": "integer"}), true),
            "response-property-type-changed",
            ERR,
        ),
        case(
            "response property format changed",
            answer_prop(string(json!({"format": "date"})), true),
            answer_prop(string(json!({"format": "date-time"})), true),
            "response-property-type-changed",
            ERR,
        ),
        case(
            "response body type changed",
            answer(s()),
            answer(json!({"type": "integer"})),
            "response-body-type-changed",
            ERR,
        ),
        case(
            "response property maxLength increased",
            answer_prop(string(json!({"maxLength": 5})), true),
            answer_prop(string(json!({"maxLength": 10})), true),
            "response-property-max-length-increased",
            ERR,
        ),
        case(
            "response property maxLength unset",
            answer_prop(string(json!({"maxLength": 5})), true),
            answer_prop(s(), true),
            "response-property-max-length-unset",
            ERR,
        ),
        case(
            "response property minimum decreased",
            answer_prop(json!({"type": "integer", "minimum": 5}), true),
            answer_prop(json!({"type": "integer", "minimum": 1}), true),
            "response-property-min-decreased",
            ERR,
        ),
        case(
            "response property pattern removed",
            answer_prop(string(json!({"pattern": "^a"})), true),
            answer_prop(s(), true),
            "response-property-pattern-removed",
            ERR,
        ),
        case(
            "response property pattern changed",
            answer_prop(string(json!({"pattern": "^a"})), true),
            answer_prop(string(json!({"pattern": "^b"})), true),
            "response-property-pattern-changed",
            WARN,
        ),
        case(
            "response property pattern added",
            answer_prop(s(), true),
            answer_prop(string(json!({"pattern": "^a"})), true),
            "response-property-pattern-added",
            INFO,
        ),
        // Enums.
        case(
            "response enum value added",
            answer_prop(string(json!({"enum": ["a"]})), true),
            answer_prop(string(json!({"enum": ["a", "b"]})), true),
            "response-property-enum-value-added",
            WARN,
        ),
        case(
            "response enum value removed",
            answer_prop(string(json!({"enum": ["a", "b"]})), true),
            answer_prop(string(json!({"enum": ["a"]})), true),
            "response-property-enum-value-removed",
            INFO,
        ),
        // Status codes.
        case(
            "success status removed",
            statuses(&["200", "201"]),
            statuses(&["200"]),
            "response-success-status-removed",
            ERR,
        ),
        case(
            "success status added",
            statuses(&["200"]),
            statuses(&["200", "201"]),
            "response-success-status-added",
            INFO,
        ),
        case(
            "error status added",
            statuses(&["200"]),
            statuses(&["200", "404"]),
            "response-non-success-status-added",
            INFO,
        ),
        case(
            "error status removed",
            statuses(&["200", "404"]),
            statuses(&["200"]),
            "response-non-success-status-removed",
            INFO,
        ),
        // Media types.
        case(
            "response media type removed",
            media(&["application/json", "text/plain"]),
            media(&["application/json"]),
            "response-media-type-removed",
            ERR,
        ),
        case(
            "response media type added",
            media(&["application/json"]),
            media(&["application/json", "text/plain"]),
            "response-media-type-added",
            INFO,
        ),
        // Security.
        case(
            "security requirement removed",
            keyed.clone(),
            open.clone(),
            "api-security-removed",
            ERR,
        ),
        case(
            "security requirement added",
            open,
            keyed,
            "api-security-added",
            INFO,
        ),
    ]
}

#[test]
fn every_change_is_reported_at_least_as_severely_as_oasdiff_reports_it() {
    let mut laxer = Vec::new();
    for case in cases() {
        let found = diff(&case.old, &case.new);
        // The most severe level reported (Breaking sorts first).
        match found.changes.iter().map(|c| c.level).min() {
            None => laxer.push(format!(
                "{}: nothing reported; oasdiff: {} ({})",
                case.change, case.oasdiff, case.level
            )),
            Some(level) if level > case.level => laxer.push(format!(
                "{}: {level} ({}); oasdiff: {} ({})",
                case.change,
                found
                    .changes
                    .iter()
                    .map(|c| c.id)
                    .collect::<Vec<_>>()
                    .join(", "),
                case.oasdiff,
                case.level
            )),
            Some(_) => {}
        }
        if case.level == ERR {
            assert!(
                found.breaking,
                "{}: oasdiff breaks, api-diff says not breaking",
                case.change
            );
        }
    }
    assert!(
        laxer.is_empty(),
        "laxer than oasdiff:\n{}",
        laxer.join("\n")
    );
}

#[test]
fn the_cases_span_every_rule_family_and_each_oasdiff_level() {
    let all = cases();
    for level in [ERR, WARN, INFO] {
        assert!(all.iter().any(|c| c.level == level), "no case at {level}");
    }
    for family in [
        "api-",
        "endpoint-",
        "request-parameter-",
        "request-body-",
        "request-property-",
        "response-property-",
        "response-success-",
        "response-media-",
        "enum-value",
    ] {
        assert!(
            all.iter().any(|c| c.oasdiff.contains(family)),
            "no case of {family}"
        );
    }
}
