//! What only labels the generated client's docs, made readable as OpenAPI 3.0 requires rather
//! than refused: a response's description (its status's reason phrase when the page gives
//! none), tags without a name and documentation links without a url (dropped). Each fix is a
//! note naming its place.

use serde_json::{Value, json};

use crate::bodies::Note;
use crate::walk;
use crate::yaml::escape_segment;

/// Tags and documentation links only label the client's docs: one OpenAPI 3.0 cannot read (a
/// tag without a name, an `externalDocs` without a url) is dropped with a note rather than
/// refused.
pub fn drop_unreadable_labels(doc: &mut Value) -> Vec<Note> {
    let mut notes = Vec::new();
    let links = |holder: &mut Value, at: &str, notes: &mut Vec<Note>| {
        let Some(map) = holder.as_object_mut() else {
            return;
        };
        if map
            .get("externalDocs")
            .is_some_and(|d| !d.get("url").is_some_and(Value::is_string))
        {
            map.shift_remove("externalDocs");
            notes.push((
                format!("{at}/externalDocs"),
                "an `externalDocs` without a `url` is dropped (OpenAPI 3.0 requires one)"
                    .to_owned(),
            ));
        }
    };
    links(doc, "", &mut notes);
    if let Some(tags) = doc.get_mut("tags").and_then(Value::as_array_mut) {
        let before = tags.len();
        tags.retain(|t| t.get("name").is_some_and(Value::is_string));
        if tags.len() < before {
            notes.push((
                "/tags".to_owned(),
                format!(
                    "{} tag(s) without a `name` are dropped (OpenAPI 3.0 requires one)",
                    before - tags.len()
                ),
            ));
        }
        for (i, tag) in tags.iter_mut().enumerate() {
            links(tag, &format!("/tags/{i}"), &mut notes);
        }
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (method, op) in item.iter_mut() {
                if walk::METHODS.contains(&method.as_str()) {
                    links(
                        op,
                        &format!("/paths/{}/{method}", escape_segment(path)),
                        &mut notes,
                    );
                }
            }
        }
    }
    notes
}

/// The reason phrase of a status, for a response its page left without a description.
fn reason(status: &str) -> &'static str {
    match status {
        "200" => "OK",
        "201" => "Created",
        "202" => "Accepted",
        "204" => "No Content",
        "400" => "Bad Request",
        "401" => "Unauthorized",
        "402" => "Payment Required",
        "403" => "Forbidden",
        "404" => "Not Found",
        "409" => "Conflict",
        "422" => "Unprocessable Content",
        "429" => "Too Many Requests",
        "500" => "Internal Server Error",
        "502" => "Bad Gateway",
        "503" => "Service Unavailable",
        "504" => "Gateway Timeout",
        "default" => "Any other status",
        s if s.starts_with('2') => "Success",
        s if s.starts_with('4') => "Client error",
        s if s.starts_with('5') => "Server error",
        _ => "Response",
    }
}

/// OpenAPI 3.0 requires every response to have a description; one a page leaves out becomes
/// its status's reason phrase, with a note (the client is the same either way).
pub fn response_descriptions(doc: &mut Value) -> Vec<Note> {
    let mut notes = Vec::new();
    let mut fill = |responses: &mut Value, at: &str| {
        let Some(map) = responses.as_object_mut() else {
            return;
        };
        for (status, response) in map.iter_mut() {
            let Some(r) = response.as_object_mut() else {
                continue;
            };
            if r.contains_key("$ref") || r.get("description").is_some_and(Value::is_string) {
                continue;
            }
            let phrase = reason(status);
            r.insert("description".into(), json!(phrase));
            notes.push((
                format!("{at}/{}", escape_segment(status)),
                format!("response {status} has no description (OpenAPI 3.0 requires one); it is described as `{phrase}`"),
            ));
        }
    };
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (method, op) in item.iter_mut() {
                if !walk::METHODS.contains(&method.as_str()) {
                    continue;
                }
                if let Some(responses) = op.get_mut("responses") {
                    let at = format!("/paths/{}/{method}/responses", escape_segment(path));
                    fill(responses, &at);
                }
            }
        }
    }
    if let Some(responses) = doc.pointer_mut("/components/responses") {
        fill(responses, "/components/responses");
    }
    notes
}
