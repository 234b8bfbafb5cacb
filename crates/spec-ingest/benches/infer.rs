//! Schema inference from examples: objects with many keys (a map keyed by ids that is not
//! recognized as one, a wide analytics object), and many samples of one object.
//!
//! Run with `cargo bench -p spec-ingest --bench infer`.

use divan::counter::ItemsCount;
use serde_json::{Map, Value, json};

fn main() {
    divan::main();
}

/// One object with `n` distinct keys, each holding a small object.
fn wide(n: usize) -> Value {
    let map: Map<String, Value> = (0..n)
        .map(|i| (format!("field_{i}"), json!({"count": i, "label": "x"})))
        .collect();
    Value::Object(map)
}

#[divan::bench(args = [1_000, 10_000, 40_000], sample_count = 20)]
fn wide_object(bencher: divan::Bencher, keys: usize) {
    let value = wide(keys);
    bencher
        .counter(ItemsCount::new(keys))
        .bench(|| spec_ingest::infer_schema([divan::black_box(&value)]));
}

/// `n` samples of a 40-field object, as a list example gives.
#[divan::bench(args = [1_000, 10_000], sample_count = 20)]
fn many_samples(bencher: divan::Bencher, samples: usize) {
    let item: Map<String, Value> = (0..40).map(|i| (format!("f{i}"), json!(i))).collect();
    let list = Value::Array(vec![Value::Object(item); samples]);
    bencher
        .counter(ItemsCount::new(samples))
        .bench(|| spec_ingest::infer_schema([divan::black_box(&list)]));
}
