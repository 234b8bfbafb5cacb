//! Writes a KeyAPI stories answer with N items (default 5,000: 39.5 MB) to standard output,
//! for measuring `stories normalize` as a whole process (see the README's Speed section).
//!
//! `cargo run --release -p stories --example keyapi_response -- 5000 > keyapi-5000.json`

use std::io::Write;

#[path = "../benches/support/samples.rs"]
mod samples;

fn main() -> std::io::Result<()> {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5000);
    std::io::stdout().write_all(&samples::keyapi_stories_response(n))
}
