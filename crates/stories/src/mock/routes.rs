//! Every vendor's routes, built once from its canonical document: the documented answers
//! rendered, the magic inputs' answers, and how a request is matched and read.

use std::collections::BTreeMap;

use axum::http::Method;
use serde_json::Value;

use super::faults::{drift, truncated};
use super::live::Template;
use super::rendered::Rendered;

/// One documented operation of one vendor.
#[derive(Debug, Clone)]
pub(super) struct Route {
    pub(super) method: Method,
    pub(super) segments: Vec<String>,
    pub(super) bytes: bool,
    /// The documented success body, and the same departing from its documentation.
    pub(super) ok: Rendered,
    pub(super) drifted: Rendered,
    /// The documented success body cut in half.
    pub(super) truncated: Vec<u8>,
    /// Documented error bodies by status (`null` where none is documented).
    pub(super) errors: BTreeMap<u16, Rendered>,
    /// The answer to the magic input `private`: the vendor's documented private-account
    /// answer, or the closest its documented shapes allow.
    pub(super) private: (u16, Rendered),
    /// The answer to the magic input `missing`.
    pub(super) missing: (u16, Rendered),
    /// For an account's stories: the documented answer as a template for live stories, and
    /// the parameter naming the account.
    pub(super) live: Option<(Template, &'static client_runtime::ParamMeta)>,
    /// The vendor documents no success answer (its example is built from the schema, with
    /// placeholders its own normalizer refuses).
    pub(super) placeholder: bool,
}

#[derive(Debug)]
pub(super) struct Vendor {
    pub(super) auth: client_runtime::Auth,
    pub(super) routes: Vec<Route>,
    pub(super) credit_headers: client_runtime::CreditHeaders,
}

/// Every vendor's routes, with every answer rendered once for clients reaching the mock at
/// `base`.
pub(super) fn vendors(base: &str) -> BTreeMap<&'static str, Vendor> {
    let mut out = BTreeMap::new();
    for vendor in crate::VENDORS {
        let facts = vendor.facts;
        let document = facts.document();
        let examples = client_runtime::examples::response_examples(&document);
        let routes = facts
            .operations
            .iter()
            .map(|op| {
                let responses = document.pointer(&format!(
                    "{}/responses",
                    canonical::pointer::operation(op.path, &op.method.to_ascii_lowercase())
                ));
                let bytes = responses
                    .and_then(|r| r.pointer("/200/content"))
                    .and_then(Value::as_object)
                    .is_some_and(|c| c.keys().any(|k| k == "application/octet-stream"));
                let forbidden_documented = responses.and_then(|r| r.get("403")).is_some();
                let bodies: BTreeMap<u16, Value> = examples
                    .iter()
                    .filter(|e| e.operation_id == op.operation_id)
                    .filter_map(|e| Some((e.status.parse().ok()?, e.body.clone())))
                    .collect();
                let documented = |status: u16| bodies.get(&status).cloned().unwrap_or(Value::Null);
                // A success body built from the schema alone has placeholder values: the mock
                // has no answer to give, and says so rather than serve `"pk": "string"`.
                let placeholder = examples.iter().any(|e| {
                    e.operation_id == op.operation_id
                        && e.status.starts_with('2')
                        && !e.documented
                        && (vendor.normalizer.normalize)(
                            op.operation_id,
                            domain::RawResponse::ok(
                                &serde_json::to_vec(&e.body).unwrap_or_default(),
                            ),
                        )
                        .is_err()
                });
                let mut drifted = documented(200);
                drift(&mut drifted);
                if let Some(top) = drifted.as_object_mut() {
                    top.insert("x_mock_drift".into(), Value::Bool(true));
                }
                let (private_status, private) =
                    private_answer(vendor, op.operation_id, &bodies, forbidden_documented);
                let live = vendor
                    .normalizer
                    .routes
                    .iter()
                    .filter(|r| r.operation == op.operation_id && super::live::is_live_kind(r.kind))
                    .find_map(|r| {
                        let template =
                            Template::learn(vendor, op.operation_id, r.kind, &documented(200))?;
                        Some((template, op.param(r.param)?))
                    });
                Route {
                    method: op.method.parse().unwrap_or(Method::GET),
                    segments: op
                        .path
                        .split('/')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect(),
                    bytes,
                    ok: Rendered::new(&documented(200), base),
                    drifted: Rendered::new(&drifted, base),
                    truncated: truncated(&documented(200)),
                    errors: [401, 402, 429, 500]
                        .into_iter()
                        .map(|status| (status, Rendered::new(&documented(status), base)))
                        .collect(),
                    private: (private_status, Rendered::new(&private, base)),
                    missing: (404, Rendered::new(&documented(404), base)),
                    live,
                    placeholder,
                }
            })
            .collect();
        out.insert(
            facts.name,
            Vendor {
                auth: facts.auth,
                routes,
                credit_headers: facts.credit_headers,
            },
        );
    }
    out
}

pub(super) fn matches(route: &Route, method: &Method, segments: &[&str]) -> bool {
    route.method == *method
        && route.segments.len() == segments.len()
        && route
            .segments
            .iter()
            .zip(segments)
            .all(|(r, s)| r.starts_with('{') || r == s)
}

/// The value of `param` in a request: a query value, or the path segment standing where the
/// route has `{param}`.
pub(super) fn argument(
    param: &client_runtime::ParamMeta,
    route: &[String],
    segments: &[&str],
    query: &str,
) -> Option<String> {
    match param.location {
        client_runtime::ParamIn::Path => route
            .iter()
            .position(|s| s.trim_matches(|c| c == '{' || c == '}') == param.name)
            .and_then(|i| segments.get(i))
            .map(|s| (*s).to_owned()),
        _ => url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == param.name)
            .map(|(_, v)| v.into_owned()),
    }
}

/// Whether the request's input — a query value or a path segment — is the magic `word`, the
/// magic `id` (also prefixed, as in `highlight:403`), or a URL with either as a segment.
pub(super) fn magic(query: &str, segments: &[&str], word: &str, id: &str) -> bool {
    let is_magic = |v: &str| {
        v == word
            || v.rsplit(':').next() == Some(id)
            || [word, id]
                .iter()
                .any(|w| v.split('/').any(|segment| segment == *w) && v.contains("://"))
    };
    segments.iter().any(|s| is_magic(s))
        || url::form_urlencoded::parse(query.as_bytes()).any(|(_, v)| is_magic(&v))
}

/// The first of the vendor's possible private-account answers its own normalizer reads as a
/// private account: its documented 403, or its documented success body as Instagram gives it
/// for a private account. A vendor whose shapes cannot say "private" gets the latter, which
/// reads as an account with nothing to show.
pub(super) fn private_answer(
    vendor: &crate::Vendor,
    operation: &str,
    bodies: &BTreeMap<u16, Value>,
    forbidden_documented: bool,
) -> (u16, Value) {
    let mut emptied = bodies.get(&200).cloned().unwrap_or(Value::Null);
    make_private(&mut emptied);
    let mut candidates = Vec::new();
    if forbidden_documented {
        candidates.push((403, bodies.get(&403).cloned().unwrap_or(Value::Null)));
    }
    candidates.push((200, emptied.clone()));
    candidates
        .into_iter()
        .find(|(status, body)| {
            let bytes = serde_json::to_vec(body).unwrap_or_default();
            let raw = domain::RawResponse {
                status: *status,
                retry_after_seconds: None,
                body: &bytes,
            };
            (vendor.normalizer.normalize)(operation, raw)
                .is_ok_and(|n| n.outcome == domain::Outcome::PrivateAccount)
        })
        .unwrap_or((200, emptied))
}

/// What a private account's answer looks like where the vendor has no status for it: every
/// `is_private` flag set and every list of objects emptied (lists keyed by position too).
pub(super) fn make_private(value: &mut Value) {
    match value {
        Value::Object(map)
            if !map.is_empty()
                && map.keys().all(|k| k.bytes().all(|b| b.is_ascii_digit()))
                && map.values().any(Value::is_object) =>
        {
            map.clear();
        }
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "is_private" {
                    *v = Value::Bool(true);
                } else {
                    make_private(v);
                }
            }
        }
        Value::Array(items) if items.iter().any(Value::is_object) => items.clear(),
        Value::Array(items) => items.iter_mut().for_each(make_private),
        _ => {}
    }
}
