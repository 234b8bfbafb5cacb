//! Normalization never panics: the vendors' real examples, mutated (fields dropped, nulls,
//! wrong types, huge ids, odd timestamps, empty arrays), always normalize to an outcome or a
//! typed error.

use std::panic::{AssertUnwindSafe, catch_unwind};

use domain::RawResponse;
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Value, json};

/// Every (vendor, operation, body) to mutate: each success and error example.
fn seeds() -> Vec<(String, String, u16, Value)> {
    let mut out = Vec::new();
    for vendor in stories::vendor_names() {
        for example in tests::examples(vendor) {
            let status = example.status.parse().unwrap_or(200);
            out.push((
                vendor.to_owned(),
                example.operation_id,
                status,
                example.body,
            ));
        }
    }
    out
}

/// Every JSON pointer in a value, the root included.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                pointers(v, format!("{at}/{}", canonical::pointer::escape(k)), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

const ODD: [&str; 6] = [
    "2026-13-45T99:99:99Z",
    "yesterday",
    "",
    "1773059653",
    "2026-03-09T12:34:13",
    "+275760-09-13T00:00:00Z",
];

fn mutate(body: &mut Value, at: &str, kind: u8, pick: usize) {
    let replacement = match kind {
        0 => {
            // Drop the field or item.
            if let Some(cut) = at.rfind('/') {
                let (parent, key) = (
                    &at[..cut],
                    at[cut + 1..].replace("~1", "/").replace("~0", "~"),
                );
                match body.pointer_mut(parent) {
                    Some(Value::Object(m)) => {
                        m.shift_remove(&key);
                    }
                    Some(Value::Array(a)) => {
                        if let Ok(i) = key.parse::<usize>()
                            && i < a.len()
                        {
                            a.remove(i);
                        }
                    }
                    _ => {}
                }
            }
            return;
        }
        1 => Value::Null,
        2 => match body.pointer(at) {
            Some(Value::String(_)) => json!(12345),
            Some(Value::Number(_)) => json!("12345"),
            Some(Value::Bool(_)) => json!("true"),
            Some(Value::Array(_)) => json!({"0": 1}),
            Some(Value::Object(_)) => json!([]),
            _ => json!(true),
        },
        3 => [
            json!(u64::MAX),
            json!(i64::MIN),
            json!("184467440737095516150000"),
            json!(1e300),
        ][pick % 4]
            .clone(),
        4 => json!(ODD[pick % ODD.len()]),
        5 => json!([]),
        6 => json!({}),
        _ => json!(-1),
    };
    if let Some(node) = body.pointer_mut(at) {
        *node = replacement;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn mutated_examples_normalize_or_fail_cleanly(
        seed in any::<Index>(),
        edits in prop::collection::vec((any::<Index>(), 0u8..8, any::<usize>()), 1..5),
        status in prop::sample::select(vec![0u16, 200, 402, 403, 404, 429, 500]),
    ) {
        let seeds = seeds();
        let (vendor, operation, documented_status, mut body) = seeds[seed.index(seeds.len())].clone();
        for (where_, kind, pick) in edits {
            let mut all = Vec::new();
            pointers(&body, String::new(), &mut all);
            let at = all[where_.index(all.len())].clone();
            mutate(&mut body, &at, kind, pick);
        }
        let status = if status == 0 { documented_status } else { status };
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let result = catch_unwind(AssertUnwindSafe(|| {
            stories::normalize(&vendor, &operation, RawResponse { status, retry_after_seconds: None, body: &bytes })
        }));
        prop_assert!(result.is_ok(), "{vendor} {operation} panicked on {}", String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn truncated_and_non_json_bodies_are_typed_errors() {
    for (vendor, operation, _, body) in seeds() {
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let half = &bytes[..bytes.len() / 2];
        let result = stories::normalize(&vendor, &operation, RawResponse::ok(half));
        // Cut off, a body is no JSON at all, and the error says so.
        assert!(
            matches!(
                result,
                Err(domain::NormalizeError::Syntax { .. } | domain::NormalizeError::NotJson { .. })
            ),
            "{vendor} {operation}: {result:?}"
        );
        let html = stories::normalize(
            &vendor,
            &operation,
            RawResponse::ok(b"<html>502 Bad Gateway</html>"),
        );
        assert!(html.is_err(), "{vendor} {operation}");
    }
}

#[test]
fn unknown_vendors_and_operations_are_named() {
    let err = stories::normalize("nope", "x", RawResponse::ok(b"{}")).expect_err("unknown vendor");
    let known = format!("known vendors: {}", stories::vendor_names().join(", "));
    assert!(err.to_string().contains(&known), "{err}");
    let err =
        stories::normalize("keyapi", "x", RawResponse::ok(b"{}")).expect_err("unknown operation");
    assert!(err.to_string().contains("fetch_user_stories"), "{err}");
    let err = stories::normalize(
        "hikerapi",
        "get_v1_story_download",
        RawResponse::ok(b"\x00"),
    )
    .expect_err("bytes");
    assert!(matches!(err, domain::NormalizeError::NotJson { .. }));
}
