//! Request and response bodies in the forms progenitor can generate, found by pushing real
//! published documents through it (`cargo xtask corpus`):
//!
//! - A request body is JSON, form-urlencoded, plain text or raw bytes; anything else
//!   (multipart, XML, …) is sent as bytes the caller encodes, with a warning.
//! - Each outcome (success, error) has one body kind: progenitor asserts it. JSON wins over
//!   other kinds; the other statuses move to `x-untyped-responses` and arrive as unexpected
//!   responses. Bodiless statuses beside raw ones become raw (an empty body is still bytes).
//! - `default` beside explicit success statuses means "any error": it becomes `4XX`/`5XX`,
//!   since progenitor would count it as a success too.
//! - A JSON body always has a schema and no `encoding`.
//!
//! References to `components/requestBodies` and `components/responses` are inlined first, so
//! each operation's bodies can be shaped on their own.

use serde_json::{Map, Value, json};

use crate::walk;
use crate::yaml::escape_segment;

/// A warning about one place of the document: (JSON pointer, message).
pub type Note = (String, String);

/// The operation-level extension that keeps the statuses taken out of an outcome.
pub const UNTYPED_RESPONSES: &str = canonical::UNTYPED_RESPONSES;

/// Replaces an operation's `$ref`s to request bodies and responses by what they point at.
/// (The components stay: callbacks and other components may refer to them too.)
pub fn inline_body_refs(doc: &mut Value) {
    let snapshot = doc.clone();
    for (_, _, op) in walk::operations_mut(doc) {
        let Some(op) = op.as_object_mut() else {
            continue;
        };
        if let Some(body) = op.get_mut("requestBody") {
            inline(&snapshot, body);
        }
        if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
            for response in responses.values_mut() {
                inline(&snapshot, response);
            }
        }
    }
}

/// Puts what a (chain of) `$ref` points at in its place.
fn inline(doc: &Value, node: &mut Value) {
    let target = crate::refs::resolve(doc, node).clone();
    *node = target;
}

/// The request body forms progenitor encodes.
const REQUEST_FORMS: [&str; 5] = [
    "application/json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "text/x-markdown",
    "application/octet-stream",
];

fn essence(media: &str) -> String {
    media
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Reduces every request body to one media type progenitor encodes, with the schema it
/// requires for that form.
pub fn request_bodies(doc: &mut Value) -> Vec<Note> {
    let mut notes = Vec::new();
    for (path, method, op) in walk::operations_mut(doc) {
        let ptr = format!("/paths/{}/{method}/requestBody", escape_segment(&path));
        let Some(op) = op.as_object_mut() else {
            continue;
        };
        let Some(content) = op
            .get_mut("requestBody")
            .and_then(|b| b.get_mut("content"))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        if content.is_empty() {
            op.shift_remove("requestBody");
            continue;
        }
        let chosen = REQUEST_FORMS.iter().find_map(|form| {
            content
                .keys()
                .find(|k| essence(k) == *form)
                .map(|k| ((*form).to_owned(), k.clone()))
        });
        let (form, mut media) = match chosen {
            Some((form, key)) => {
                let media = content.shift_remove(&key).unwrap_or_else(|| json!({}));
                (form, media)
            }
            None => {
                let first = content.keys().next().cloned().unwrap_or_default();
                notes.push((
                    ptr.clone(),
                    format!(
                        "{} {path}: the request body `{first}` is sent as raw bytes (progenitor encodes JSON, forms and text only); the caller encodes it",
                        method.to_uppercase()
                    ),
                ));
                let mut media = json!({});
                media["x-original-media-type"] = json!(first);
                ("application/octet-stream".to_owned(), media)
            }
        };
        content.clear();
        if let Some(m) = media.as_object_mut() {
            m.shift_remove("encoding");
            let schema = match form.as_str() {
                "application/octet-stream" => Some(json!({"type": "string", "format": "binary"})),
                "text/plain" | "text/x-markdown" => Some(json!({"type": "string"})),
                _ => m.get("schema").is_none().then(|| json!({"type": "object"})),
            };
            if let Some(schema) = schema {
                m.insert("schema".into(), schema);
            }
        }
        content.insert(form, media);
    }
    notes
}

/// What progenitor makes of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Json,
    Raw,
    None,
    /// `101` without a JSON body: a connection to take over.
    Upgrade,
}

fn kind(status: &str, response: &Value) -> Kind {
    match response.get("content").and_then(Value::as_object) {
        Some(c) if c.contains_key("application/json") => Kind::Json,
        _ if status == "101" => Kind::Upgrade,
        Some(c) if !c.is_empty() => Kind::Raw,
        _ => Kind::None,
    }
}

/// Progenitor's success outcome: the 2xx statuses and `101 Switching Protocols` (a connection
/// to take over). Shaping that groups responses by outcome uses this one definition.
pub(crate) fn is_success(status: &str) -> bool {
    status.starts_with('2') || status == "101"
}

fn is_error(status: &str) -> bool {
    status.starts_with('4') || status.starts_with('5')
}

/// Gives each outcome of every operation one body kind.
pub fn uniform_responses(doc: &mut Value) -> Vec<Note> {
    let mut notes = Vec::new();
    for (path, method, op) in walk::operations_mut(doc) {
        let Some(op) = op.as_object_mut() else {
            continue;
        };
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            continue;
        };
        // A response must be an object; some documents hold a bare description string.
        responses.retain(|_, r| r.is_object() || r.is_string());
        for r in responses.values_mut() {
            if let Value::String(text) = r {
                *r = json!({"description": text.clone()});
            }
        }
        json_bodies_have_schemas(responses);
        default_means_errors(responses);
        let mut untyped = Map::new();
        for success in [true, false] {
            let in_group = |status: &str| {
                if success {
                    is_success(status)
                        || (status == "default" && !responses_have_success(responses))
                } else {
                    is_error(status) || status == "default"
                }
            };
            let statuses: Vec<(String, Kind)> = responses
                .iter()
                .filter(|(s, _)| in_group(s))
                .map(|(s, r)| (s.clone(), kind(s, r)))
                .collect();
            let json = statuses
                .iter()
                .find(|(_, k)| *k == Kind::Json)
                .map(|(s, _)| s.clone());
            // An upgrade beside other statuses: those are the method's answer.
            let upgrade_aside =
                statuses.len() > 1 && statuses.iter().any(|(_, k)| *k == Kind::Upgrade);
            let keep = json.clone().or_else(|| {
                upgrade_aside
                    .then(|| statuses.iter().find(|(_, k)| *k != Kind::Upgrade))
                    .flatten()
                    .map(|(s, _)| s.clone())
            });
            let any_raw = statuses.iter().any(|(_, k)| *k == Kind::Raw);
            for (status, k) in &statuses {
                if keep.as_deref() == Some(status.as_str()) {
                    continue;
                }
                let set_aside = (*k == Kind::Upgrade && upgrade_aside)
                    || (json.is_some() && matches!(k, Kind::Raw | Kind::None));
                if let (true, Some(kept)) = (set_aside, &keep) {
                    if let Some(r) = responses.shift_remove(status) {
                        untyped.insert(status.clone(), r);
                    }
                    if success {
                        notes.push((
                            format!(
                                "/paths/{}/{method}/responses/{}",
                                escape_segment(&path),
                                escape_segment(status)
                            ),
                            format!(
                                "{} {path}: response {status} is not of the kind {kept} is; a client method returns one body type per outcome, so {status} arrives as an unexpected response",
                                method.to_uppercase()
                            ),
                        ));
                    }
                } else if json.is_none()
                    && *k == Kind::None
                    && any_raw
                    && let Some(r) = responses.get_mut(status)
                {
                    r["content"] = json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}});
                }
            }
        }
        if !untyped.is_empty() {
            op.insert(UNTYPED_RESPONSES.into(), Value::Object(untyped));
        }
    }
    notes
}

fn responses_have_success(responses: &Map<String, Value>) -> bool {
    responses.keys().any(|s| is_success(s))
}

/// Progenitor needs a schema for every JSON body (`{}` is any JSON) and no `encoding`.
fn json_bodies_have_schemas(responses: &mut Map<String, Value>) {
    for response in responses.values_mut() {
        if let Some(media) = response
            .pointer_mut("/content/application~1json")
            .and_then(Value::as_object_mut)
        {
            media.shift_remove("encoding");
            media.entry("schema").or_insert_with(|| json!({}));
        }
    }
}

/// `default` beside an explicit success status stands for the errors the vendor did not list.
fn default_means_errors(responses: &mut Map<String, Value>) {
    if !responses_have_success(responses) {
        return;
    }
    let Some(default) = responses.shift_remove("default") else {
        return;
    };
    for range in ["4XX", "5XX"] {
        if !responses.contains_key(range) {
            responses.insert(range.to_owned(), default.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(responses: Value) -> Value {
        json!({"openapi": "3.0.3", "paths": {"/a": {"get": {"responses": responses}}}})
    }

    #[test]
    fn an_error_status_without_a_body_leaves_the_typed_errors_alone() {
        let mut doc = op(json!({
            "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}},
            "404": {"description": "no", "content": {"application/json": {"schema": {"type": "object"}}}},
            "410": {"description": "Gone"},
        }));
        let notes = uniform_responses(&mut doc);
        let get = &doc["paths"]["/a"]["get"];
        assert!(get["responses"].get("410").is_none());
        assert_eq!(get[UNTYPED_RESPONSES]["410"]["description"], "Gone");
        assert!(
            notes.is_empty(),
            "an untyped error is still an error: {notes:?}"
        );
    }

    #[test]
    fn a_bodiless_success_beside_a_typed_one_is_reported() {
        let mut doc = op(json!({
            "200": {"description": "ok", "content": {"application/json": {}}},
            "204": {"description": "empty"},
        }));
        let notes = uniform_responses(&mut doc);
        let get = &doc["paths"]["/a"]["get"];
        assert_eq!(
            get["responses"]["200"]["content"]["application/json"]["schema"],
            json!({})
        );
        assert!(get["responses"].get("204").is_none());
        assert_eq!(notes.len(), 1);
        assert!(notes[0].1.contains("204"), "{notes:?}");
    }

    #[test]
    fn default_beside_a_success_becomes_the_error_ranges() {
        let mut doc = op(json!({
            "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "string"}}}},
            "404": {"description": "no"},
            "default": {"description": "error", "content": {"application/json": {"schema": {"type": "object"}}}},
        }));
        uniform_responses(&mut doc);
        let responses = &doc["paths"]["/a"]["get"]["responses"];
        assert!(responses.get("default").is_none());
        assert!(responses["4XX"].is_object() && responses["5XX"].is_object());
        assert!(
            responses.get("404").is_none(),
            "bodiless beside a typed error range"
        );
    }

    #[test]
    fn an_upgrade_beside_a_plain_success_is_set_aside() {
        let mut doc = op(json!({
            "101": {"description": "hijacked"},
            "200": {"description": "no body"},
        }));
        let notes = uniform_responses(&mut doc);
        let get = &doc["paths"]["/a"]["get"];
        assert!(get["responses"].get("101").is_none());
        assert!(get[UNTYPED_RESPONSES]["101"].is_object());
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn bodiless_beside_raw_becomes_raw() {
        let mut doc = op(json!({
            "200": {"description": "csv", "content": {"text/csv": {}}},
            "202": {"description": "accepted"},
        }));
        uniform_responses(&mut doc);
        let responses = &doc["paths"]["/a"]["get"]["responses"];
        assert!(responses["202"]["content"]["application/octet-stream"].is_object());
    }

    #[test]
    fn request_bodies_take_a_form_progenitor_encodes() {
        let mut doc = json!({"paths": {"/a": {
            "post": {"requestBody": {"content": {
                "multipart/form-data": {"schema": {"type": "object"}, "encoding": {"f": {}}}
            }}, "responses": {}},
            "put": {"requestBody": {"content": {
                "text/plain; charset=utf-8": {"schema": {"type": "string", "maxLength": 9}},
                "application/xml": {}
            }}, "responses": {}},
            "patch": {"requestBody": {"content": {
                "application/x-www-form-urlencoded": {"encoding": {}}
            }}, "responses": {}},
        }}});
        let notes = request_bodies(&mut doc);
        let a = &doc["paths"]["/a"];
        assert_eq!(
            a["post"]["requestBody"]["content"]["application/octet-stream"]["schema"],
            json!({"type": "string", "format": "binary"})
        );
        assert_eq!(notes.len(), 1);
        assert!(notes[0].1.contains("multipart/form-data"), "{notes:?}");
        assert_eq!(
            a["put"]["requestBody"]["content"]["text/plain"]["schema"],
            json!({"type": "string"})
        );
        let form = &a["patch"]["requestBody"]["content"]["application/x-www-form-urlencoded"];
        assert!(form.get("encoding").is_none());
        assert_eq!(form["schema"]["type"], "object");
    }

    #[test]
    fn referenced_bodies_are_inlined() {
        let mut doc = json!({
            "paths": {"/a": {"get": {
                "requestBody": {"$ref": "#/components/requestBodies/B"},
                "responses": {"200": {"$ref": "#/components/responses/R"}}
            }}},
            "components": {
                "requestBodies": {"B": {"content": {"application/json": {"schema": {}}}}},
                "responses": {"R": {"$ref": "#/components/responses/S"}, "S": {"description": "s"}},
                "schemas": {}
            }
        });
        inline_body_refs(&mut doc);
        let get = &doc["paths"]["/a"]["get"];
        assert!(get["requestBody"]["content"].is_object());
        assert_eq!(get["responses"]["200"]["description"], "s");
    }
}
