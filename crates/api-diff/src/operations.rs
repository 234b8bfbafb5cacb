//! The operations of two documents compared: which were added, removed or deprecated, and for
//! each one in both, its parameters, request body, responses (statuses, media types, schemas)
//! and security.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::resolve::follow;
use crate::schema::{Compare, Place};
use crate::{Change, Level};

fn change(id: &'static str, level: Level, method: &str, path: &str, text: String) -> Change {
    Change {
        id,
        level,
        method: method.to_uppercase(),
        path: path.to_owned(),
        text,
    }
}

/// The operations of a document by (path, method).
fn operations(doc: &Value) -> BTreeMap<(String, String), &Value> {
    canonical::operations(doc)
        .into_iter()
        .map(|(path, method, op)| ((path.to_owned(), method.to_owned()), op))
        .collect()
}

fn deprecated(op: &Value) -> bool {
    op.get("deprecated") == Some(&Value::Bool(true))
}

pub(crate) fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let (before, after) = (operations(old), operations(new));
    let mut out = Vec::new();
    for ((path, method), op) in &before {
        match after.get(&(path.clone(), method.clone())) {
            None => {
                let (id, how) = if deprecated(op) {
                    (
                        "api-removed-after-deprecation",
                        "was removed (it was deprecated)",
                    )
                } else {
                    (
                        "api-removed-without-deprecation",
                        "was removed without being deprecated first",
                    )
                };
                // The client's method for it is gone either way.
                out.push(change(
                    id,
                    Level::Breaking,
                    method,
                    path,
                    format!("the operation {how}"),
                ));
            }
            Some(new_op) => operation(old, new, method, path, op, new_op, &mut out),
        }
    }
    for (path, method) in after.keys().filter(|k| !before.contains_key(*k)) {
        out.push(change(
            "endpoint-added",
            Level::Info,
            method,
            path,
            "the operation was added".into(),
        ));
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn operation(
    old_doc: &Value,
    new_doc: &Value,
    method: &str,
    path: &str,
    old: &Value,
    new: &Value,
    out: &mut Vec<Change>,
) {
    match (deprecated(old), deprecated(new)) {
        (false, true) => out.push(change(
            "endpoint-deprecated",
            Level::Info,
            method,
            path,
            "the operation was deprecated".into(),
        )),
        (true, false) => out.push(change(
            "endpoint-reactivated",
            Level::Info,
            method,
            path,
            "the operation is no longer deprecated".into(),
        )),
        _ => {}
    }
    let id = |op: &Value| {
        op.get("operationId")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    if let (Some(a), Some(b)) = (id(old), id(new))
        && a != b
    {
        // The client's method is named after it.
        out.push(change(
            "api-operation-id-updated",
            Level::Breaking,
            method,
            path,
            format!("the operationId changed from `{a}` to `{b}` (the client's method is renamed)"),
        ));
    }
    security(old_doc, new_doc, method, path, old, new, out);
    parameters(old_doc, new_doc, method, path, old, new, out);
    request_body(old_doc, new_doc, method, path, old, new, out);
    responses(old_doc, new_doc, method, path, old, new, out);
}

/// The operation's security requirement names (its own, or the document's).
fn requirements(doc: &Value, op: &Value) -> BTreeSet<String> {
    let list = op.get("security").or_else(|| doc.get("security"));
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|m| m.keys().cloned())
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn security(
    old_doc: &Value,
    new_doc: &Value,
    method: &str,
    path: &str,
    old: &Value,
    new: &Value,
    out: &mut Vec<Change>,
) {
    let (a, b) = (requirements(old_doc, old), requirements(new_doc, new));
    for added in b.difference(&a) {
        out.push(change(
            "api-security-added",
            Level::Breaking,
            method,
            path,
            format!("the operation now requires the security scheme `{added}`"),
        ));
    }
    for removed in a.difference(&b) {
        // oasdiff fails on a removed requirement (a caller relying on that alternative may be
        // refused), and its levels are the reference; the generated client still sends its key,
        // so it may well keep working.
        out.push(change(
            "api-security-removed",
            Level::Breaking,
            method,
            path,
            format!("the operation no longer requires the security scheme `{removed}`"),
        ));
    }
}

/// Parameters by (location, name), references followed.
fn params<'a>(doc: &'a Value, op: &'a Value) -> BTreeMap<(String, String), &'a Value> {
    op.get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| follow(doc, p))
        .filter_map(|p| {
            let name = p.get("name")?.as_str()?.to_owned();
            let loc = p.get("in")?.as_str()?.to_owned();
            Some(((loc, name), p))
        })
        .collect()
}

fn required(v: &Value) -> bool {
    v.get("required") == Some(&Value::Bool(true))
}

#[allow(clippy::too_many_arguments)]
fn parameters(
    old_doc: &Value,
    new_doc: &Value,
    method: &str,
    path: &str,
    old: &Value,
    new: &Value,
    out: &mut Vec<Change>,
) {
    let (a, b) = (params(old_doc, old), params(new_doc, new));
    for ((loc, name), p) in &a {
        let Some(q) = b.get(&(loc.clone(), name.clone())) else {
            // Its setter on the request builder is gone.
            out.push(change(
                "request-parameter-removed",
                Level::Breaking,
                method,
                path,
                format!("the {loc} parameter `{name}` was removed"),
            ));
            continue;
        };
        match (required(p), required(q)) {
            (false, true) => out.push(change(
                "request-parameter-became-required",
                Level::Breaking,
                method,
                path,
                format!("the {loc} parameter `{name}` became required"),
            )),
            (true, false) => out.push(change(
                "request-parameter-became-optional",
                Level::Info,
                method,
                path,
                format!("the {loc} parameter `{name}` became optional"),
            )),
            _ => {}
        }
        if let (Some(s), Some(t)) = (p.get("schema"), q.get("schema")) {
            let label = format!("the {loc} parameter `{name}`");
            Compare::new(old_doc, new_doc, method, path, out).schemas(
                Place::Parameter,
                &label,
                s,
                t,
                "",
                0,
            );
        }
    }
    for ((loc, name), q) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
        let (id, level, kind) = if required(q) {
            (
                "new-required-request-parameter",
                Level::Breaking,
                "required",
            )
        } else {
            ("new-optional-request-parameter", Level::Info, "optional")
        };
        out.push(change(
            id,
            level,
            method,
            path,
            format!("the {kind} {loc} parameter `{name}` was added"),
        ));
    }
}

/// The media types of a body (request body or response), references followed.
fn content<'a>(doc: &'a Value, body: &'a Value) -> BTreeMap<String, &'a Value> {
    follow(doc, body)
        .get("content")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v))
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn request_body(
    old_doc: &Value,
    new_doc: &Value,
    method: &str,
    path: &str,
    old: &Value,
    new: &Value,
    out: &mut Vec<Change>,
) {
    let body =
        |doc: &'_ Value, op: &'_ Value| op.get("requestBody").map(|b| follow(doc, b).clone());
    match (body(old_doc, old), body(new_doc, new)) {
        (None, None) => {}
        (None, Some(b)) => {
            let (id, level, kind) = if required(&b) {
                ("new-required-request-body", Level::Breaking, "required")
            } else {
                ("new-optional-request-body", Level::Info, "optional")
            };
            out.push(change(
                id,
                level,
                method,
                path,
                format!("a {kind} request body was added"),
            ));
        }
        (Some(_), None) => out.push(change(
            "request-body-removed",
            Level::Breaking,
            method,
            path,
            "the request body was removed".into(),
        )),
        (Some(a), Some(b)) => {
            if !required(&a) && required(&b) {
                out.push(change(
                    "request-body-became-required",
                    Level::Breaking,
                    method,
                    path,
                    "the request body became required".into(),
                ));
            }
            if required(&a) && !required(&b) {
                out.push(change(
                    "request-body-became-optional",
                    Level::Info,
                    method,
                    path,
                    "the request body became optional".into(),
                ));
            }
            let (ca, cb) = (content(old_doc, &a), content(new_doc, &b));
            for (media, m) in &ca {
                let Some(n) = cb.get(media) else {
                    out.push(change(
                        "request-body-media-type-removed",
                        Level::Breaking,
                        method,
                        path,
                        format!("the request body no longer accepts `{media}`"),
                    ));
                    continue;
                };
                if let (Some(s), Some(t)) = (m.get("schema"), n.get("schema")) {
                    Compare::new(old_doc, new_doc, method, path, out).schemas(
                        Place::RequestBody,
                        "the request body",
                        s,
                        t,
                        "",
                        0,
                    );
                }
            }
            for media in cb.keys().filter(|k| !ca.contains_key(*k)) {
                out.push(change(
                    "request-body-media-type-added",
                    Level::Info,
                    method,
                    path,
                    format!("the request body also accepts `{media}`"),
                ));
            }
        }
    }
}

fn success(status: &str) -> bool {
    status.starts_with('2')
}

#[allow(clippy::too_many_arguments)]
fn responses(
    old_doc: &Value,
    new_doc: &Value,
    method: &str,
    path: &str,
    old: &Value,
    new: &Value,
    out: &mut Vec<Change>,
) {
    let of = |op: &Value| -> BTreeMap<String, Value> {
        op.get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let (a, b) = (of(old), of(new));
    for (status, r) in &a {
        let Some(s) = b.get(status) else {
            let (id, level) = if success(status) {
                ("response-success-status-removed", Level::Breaking)
            } else {
                ("response-non-success-status-removed", Level::Info)
            };
            out.push(change(
                id,
                level,
                method,
                path,
                format!("the response {status} was removed"),
            ));
            continue;
        };
        let (ca, cb) = (content(old_doc, r), content(new_doc, s));
        let label = format!("the response ({status})");
        for (media, m) in &ca {
            let Some(n) = cb.get(media) else {
                let level = if success(status) {
                    Level::Breaking
                } else {
                    Level::Warning
                };
                out.push(change(
                    "response-media-type-removed",
                    level,
                    method,
                    path,
                    format!("{label} is no longer `{media}`"),
                ));
                continue;
            };
            if let (Some(x), Some(y)) = (m.get("schema"), n.get("schema")) {
                Compare::new(old_doc, new_doc, method, path, out).schemas(
                    Place::ResponseBody,
                    &label,
                    x,
                    y,
                    "",
                    0,
                );
            }
        }
        for media in cb.keys().filter(|k| !ca.contains_key(*k)) {
            // The generated client decodes one body type per status.
            let level = if success(status) && !ca.is_empty() {
                Level::Warning
            } else {
                Level::Info
            };
            out.push(change(
                "response-media-type-added",
                level,
                method,
                path,
                format!("{label} may also be `{media}`"),
            ));
        }
    }
    for status in b.keys().filter(|k| !a.contains_key(*k)) {
        let (id, level) = if success(status) {
            ("response-success-status-added", Level::Info)
        } else {
            ("response-non-success-status-added", Level::Info)
        };
        out.push(change(
            id,
            level,
            method,
            path,
            format!("the response {status} was added"),
        ));
    }
}
