//! Normalization throughput: bytes of vendor JSON → domain values (parsing included), beside
//! parsing the same bytes into `serde_json::Value`. The input is a KeyAPI response with
//! thousands of raw-API story items, built from the vendor's documented example.
//!
//! Run with `cargo bench -p stories --bench normalize`.

use divan::counter::BytesCount;
use domain::RawResponse;
use serde_json::Value;

fn main() {
    divan::main();
}

/// The documented KeyAPI 200 example with its items repeated to `n`, each with its own id.
fn keyapi_body(n: usize) -> Vec<u8> {
    let mut body = keyapi_client::VENDOR
        .response_examples()
        .into_iter()
        .find(|e| e.status == "200")
        .expect("a 200 example")
        .body;
    let template = body["data"]["data"]["items"]
        .as_array()
        .cloned()
        .expect("items");
    let items: Vec<Value> = (0..n)
        .map(|i| {
            let mut item = template[i % template.len()].clone();
            item["id"] = Value::String(format!("38490258139126{i:05}"));
            item
        })
        .collect();
    body["data"]["data"]["count"] = n.into();
    body["data"]["data"]["items"] = Value::Array(items);
    serde_json::to_vec(&body).expect("encodes")
}

const SIZES: &[usize] = &[100, 5000];

#[divan::bench(args = SIZES, sample_count = 30)]
fn normalize_keyapi(bencher: divan::Bencher, n: usize) {
    let body = keyapi_body(n);
    bencher.counter(BytesCount::of_slice(&body)).bench(|| {
        stories::normalize(
            "keyapi",
            "fetch_user_stories",
            RawResponse::ok(divan::black_box(&body)),
        )
        .expect("normalizes")
    });
}

#[divan::bench(args = SIZES, sample_count = 30)]
fn parse_as_value(bencher: divan::Bencher, n: usize) {
    let body = keyapi_body(n);
    bencher
        .counter(BytesCount::of_slice(&body))
        .bench(|| serde_json::from_slice::<Value>(divan::black_box(&body)).expect("parses"));
}
