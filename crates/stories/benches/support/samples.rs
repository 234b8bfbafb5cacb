//! Large synthetic vendor responses, for benchmarks and measurements: the vendor's documented
//! example with its items repeated, each with its own id. Shared by the benchmarks and the
//! `keyapi_response` example (`#[path]`), outside the library: it names a vendor.

use serde_json::Value;

/// KeyAPI's documented `fetch_user_stories` 200 answer with `n` story items (5,000 make
/// 39.5 MB).
pub fn keyapi_stories_response(n: usize) -> Vec<u8> {
    let Some(mut body) = keyapi_client::VENDOR
        .response_examples()
        .into_iter()
        .find(|e| e.operation_id == "fetch_user_stories" && e.status == "200")
        .map(|e| e.body)
    else {
        return Vec::new();
    };
    let template = body["data"]["data"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if template.is_empty() {
        return Vec::new();
    }
    let items: Vec<Value> = (0..n)
        .map(|i| {
            let mut item = template[i % template.len()].clone();
            item["id"] = Value::String(format!("38490258139126{i:05}"));
            item
        })
        .collect();
    body["data"]["data"]["count"] = n.into();
    body["data"]["data"]["items"] = Value::Array(items);
    serde_json::to_vec(&body).unwrap_or_default()
}
