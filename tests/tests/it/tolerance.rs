//! The clients survive what the docs do not show: every field of every documented answer
//! removed or nulled, one broken item among good ones, and drift reported by path and count.

use domain::{Answer, NormalizeError, Normalized, Outcome, RawResponse};
use serde_json::{Value, json};

/// The ids an answer carries, in order: stories, highlights and their items.
fn ids(outcome: &Outcome<Answer>) -> Vec<String> {
    match outcome {
        Outcome::Found(Answer::Stories(page)) => page
            .items
            .iter()
            .map(|s| format!("story {}", s.id))
            .collect(),
        Outcome::Found(Answer::Story(s)) => vec![format!("story {}", s.id)],
        Outcome::Found(Answer::Highlight(h)) => std::iter::once(format!("highlight {}", h.id))
            .chain(h.items.iter().map(|s| format!("story {}", s.id)))
            .collect(),
        Outcome::Found(Answer::Highlights(page)) => page
            .items
            .iter()
            .flat_map(|h| {
                std::iter::once(format!("highlight {}", h.id))
                    .chain(h.items.iter().map(|s| format!("story {}", s.id)))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Every object member of `value`, as (JSON pointer, drift-style path).
fn fields(value: &Value, pointer: &str, path: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let p = format!("{pointer}/{}", canonical::pointer::escape(k));
                let plain = !k.is_empty()
                    && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                    && !k.as_bytes()[0].is_ascii_digit();
                let q = if plain {
                    format!("{path}.{k}")
                } else {
                    format!("{path}[\"{k}\"]")
                };
                out.push((p.clone(), q.clone()));
                fields(v, &p, &q, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                fields(v, &format!("{pointer}/{i}"), &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Whether `pointer` is one of the envelopes and lists the vendor's normalizer declares as
/// holding the identified items: without one, the items in it are gone, and that is right.
fn structural(vendor: &str, pointer: &str) -> bool {
    stories::vendor(vendor).is_some_and(|v| v.normalizer.containers.contains(&pointer))
}

fn normalize(vendor: &str, operation: &str, body: &Value) -> Result<Normalized, NormalizeError> {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|e| panic!("{e}"));
    stories::normalize(vendor, operation, RawResponse::ok(&bytes))
}

#[test]
fn every_field_of_every_answer_may_be_missing_or_null() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for vendor in stories::vendor_names() {
        for example in tests::examples(vendor)
            .into_iter()
            .filter(|e| e.status.starts_with('2'))
        {
            let op = example.operation_id.as_str();
            let Ok(original) = normalize(vendor, op, &example.body) else {
                continue; // Byte streams and untyped bodies have nothing to normalize.
            };
            let before = ids(&original.outcome);
            assert!(
                !before.is_empty(),
                "{vendor} {op}: the example answers nothing"
            );
            let mut all = Vec::new();
            fields(&example.body, "", "$", &mut all);
            for (pointer, path) in &all {
                for removed in [true, false] {
                    let mut body = example.body.clone();
                    let (parent, key) = pointer.rsplit_once('/').unwrap_or_default();
                    let key = key.replace("~1", "/").replace("~0", "~");
                    let Some(Value::Object(map)) = body.pointer_mut(parent) else {
                        continue;
                    };
                    if removed {
                        map.shift_remove(&key);
                    } else {
                        map.insert(key, Value::Null);
                    }
                    checked += 1;
                    let what = format!(
                        "{vendor} {op}: {pointer} {}",
                        if removed { "removed" } else { "null" }
                    );
                    let result = normalize(vendor, op, &body);
                    let Ok(normalized) = result else {
                        if !structural(vendor, pointer) {
                            failures.push(format!("{what}: {result:?}"));
                        }
                        continue;
                    };
                    let after = ids(&normalized.outcome);
                    if structural(vendor, pointer) {
                        continue;
                    }
                    // What is gone must be exactly the items skipped, each where the edit was.
                    let mut rest = before.iter();
                    let in_order = after.iter().all(|id| rest.any(|b| b == id));
                    let skipped = normalized.drift.skipped_items();
                    let gone = u64::try_from(before.len() - after.len().min(before.len()))
                        .unwrap_or(u64::MAX);
                    let skipped_here = normalized.drift.entries.iter().all(|e| {
                        !matches!(e.kind, domain::DriftKind::Skipped { .. })
                            || path.starts_with(&e.path)
                    });
                    if !in_order || gone != skipped || !skipped_here {
                        failures.push(format!(
                            "{what}: ids {after:?} of {before:?}, drift {}",
                            normalized.drift
                        ));
                    }
                }
            }
        }
    }
    // Examples built from a schema (no documented answer) have placeholder ids and are refused
    // whole, so only documented answers are mutated.
    assert!(checked > 1900, "only {checked} mutations");
    assert!(
        failures.is_empty(),
        "{} of {checked} mutations lost the answer:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn keyapi_example() -> Value {
    tests::examples("keyapi")
        .into_iter()
        .find(|e| e.status == "200")
        .unwrap_or_else(|| panic!("no 200"))
        .body
}

#[test]
fn one_broken_item_costs_only_itself() {
    let mut body = keyapi_example();
    let items = body["data"]["data"]["items"]
        .as_array_mut()
        .unwrap_or_else(|| panic!("items"));
    let good = items[0].clone();
    items.insert(1, json!({"media_type": 1, "taken_at": "yesterday"}));
    items.insert(2, json!("not an item"));
    items.push(good.clone());
    let normalized =
        normalize("keyapi", "fetch_user_stories", &body).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        ids(&normalized.outcome).len(),
        3,
        "{:?}",
        normalized.outcome
    );
    assert_eq!(
        normalized.drift.to_string(),
        "$.data.data.items[1]: skipped, no decimal `pk` or `id`; $.data.data.items[2]: skipped, no decimal `pk` or `id`"
    );

    // In a HikerAPI list, a null among stories is skipped the same way.
    let mut list = tests::examples("hikerapi")
        .into_iter()
        .find(|e| e.operation_id == "get_v1_user_stories" && e.status == "200")
        .unwrap_or_else(|| panic!("no list"))
        .body;
    let count = list.as_array().map_or(0, Vec::len);
    list.as_array_mut()
        .unwrap_or_else(|| panic!("list"))
        .insert(0, Value::Null);
    let normalized =
        normalize("hikerapi", "get_v1_user_stories", &list).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ids(&normalized.outcome).len(), count);
    assert_eq!(
        normalized.drift.to_string(),
        "$[0]: skipped, no decimal `pk` or `id`"
    );
}

#[test]
fn a_list_none_of_whose_items_can_be_identified_is_found_not_empty() {
    let mut body = keyapi_example();
    body["data"]["data"]["items"] = json!([{"media_type": 1}, {"code": "x"}]);
    let normalized =
        normalize("keyapi", "fetch_user_stories", &body).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(&normalized.outcome, Outcome::Found(Answer::Stories(p)) if p.items.is_empty()),
        "{:?}",
        normalized.outcome
    );
    assert_eq!(normalized.drift.skipped_items(), 2);
    body["data"]["data"]["items"] = json!([]);
    let empty = normalize("keyapi", "fetch_user_stories", &body).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(empty.outcome, Outcome::Empty);
}

#[test]
fn documented_answers_have_no_drift() {
    for vendor in stories::vendor_names() {
        for example in tests::examples(vendor).into_iter().filter(|e| e.documented) {
            let bytes = serde_json::to_vec(&example.body).unwrap_or_default();
            let status = example.status.parse().unwrap_or(200);
            let raw = RawResponse {
                status,
                retry_after_seconds: None,
                body: &bytes,
            };
            let Ok(normalized) = stories::normalize_checked(vendor, &example.operation_id, raw)
            else {
                continue;
            };
            assert!(
                normalized.drift.is_empty(),
                "{vendor} {} {}: {}",
                example.operation_id,
                example.status,
                normalized.drift
            );
        }
    }
}

/// What a reviewer reads when a vendor drifts: paths and counts, never values.
#[test]
fn a_drifted_answer_is_summarized_by_path() {
    let mut body = keyapi_example();
    let items = body["data"]["data"]["items"]
        .as_array_mut()
        .unwrap_or_else(|| panic!("items"));
    for item in items.iter_mut() {
        item["user"]
            .as_object_mut()
            .map(|u| u.shift_remove("is_private"));
    }
    items[0]["sponsor_tags"] = Value::Null;
    items[0]["taken_at"] = json!("2026-03-09T12:34:13Z");
    items[1]["pk"] = json!(3_849_437_931_484_859_245_u64);
    items[1]["brand_new_field"] = json!({"secret": "value"});
    items.push(json!({"media_type": 1}));
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let normalized =
        stories::normalize_checked("keyapi", "fetch_user_stories", RawResponse::ok(&bytes))
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ids(&normalized.outcome).len(), 2);
    let text = serde_json::to_string(&normalized.drift).unwrap_or_default();
    assert!(
        !text.contains("secret") && !text.contains("2026-03-09"),
        "{text}"
    );
    insta::assert_json_snapshot!("keyapi_drift_report", normalized.drift);
}
