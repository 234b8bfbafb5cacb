//! Regen per vendor: reading and ingesting the pages, then generating the client in memory
//! (progenitor + prettyplease), without writing files or running `cargo build`.
//!
//! Run with `cargo bench -p regen`.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const VENDORS: &[&str] = &["hikerapi", "keyapi", "konbiniapi", "sociavault"];

fn main() {
    divan::main();
}

/// Ingest only: pages → canonical OpenAPI 3.0.3 document.
#[divan::bench(args = VENDORS, sample_count = 50)]
fn ingest(vendor: &str) -> serde_json::Value {
    let root = root();
    let spec =
        spec_ingest::load_vendor(&root, &root.join("specs").join(vendor)).expect("vendor loads");
    spec_ingest::ingest(&spec).expect("vendor ingests").document
}

/// Ingest and generate: pages → the generated crate's files, in memory.
#[divan::bench(args = VENDORS, sample_count = 20)]
fn ingest_and_generate(vendor: &str) -> regen::GeneratedCrate {
    let root = root();
    let spec =
        spec_ingest::load_vendor(&root, &root.join("specs").join(vendor)).expect("vendor loads");
    let canonical = spec_ingest::ingest(&spec).expect("vendor ingests");
    regen::generate_client(&canonical).expect("client generates")
}
