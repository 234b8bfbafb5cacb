//! Ingestion time by page size: a vendor's page grown to hundreds of kilobytes and megabytes —
//! HikerAPI's rendered stories page with its endpoint sections repeated under new paths, and
//! KonbiniAPI's OpenAPI page with its schemas repeated under new names — so that a page grown
//! by accident is known to pass in seconds, up to the size limit (`spec_ingest::MAX_PAGE_BYTES`).
//!
//! Run with `cargo bench -p spec-ingest --bench page_size`.

use std::path::{Path, PathBuf};

use divan::counter::BytesCount;

fn main() {
    divan::main();
}

fn specs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs")
}

/// A copy of `vendor`'s folder whose `page` is grown to about `bytes` by `grow`.
fn grown(
    vendor: &str,
    page: &str,
    bytes: usize,
    grow: fn(&str, usize) -> String,
) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().to_path_buf();
    let folder = root.join("specs").join(vendor);
    std::fs::create_dir_all(&folder).expect("folder");
    for entry in std::fs::read_dir(specs().join(vendor)).expect("vendor folder") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), folder.join(entry.file_name())).expect("copy");
    }
    let text = std::fs::read_to_string(folder.join(page)).expect("page");
    std::fs::write(folder.join(page), grow(&text, bytes)).expect("write");
    (dir, root)
}

/// HikerAPI's page with its endpoint sections (everything after the preamble) repeated, each
/// copy under paths of its own.
fn more_endpoints(text: &str, bytes: usize) -> String {
    let start = text.find("\nGET ").map_or(0, |i| i + 1);
    let end = text.rfind("Ready to integrate?").unwrap_or(text.len());
    let (head, sections) = (&text[..start], &text[start..end]);
    let mut out = format!("{head}{sections}");
    let mut copy = 0;
    while out.len() < bytes {
        out.push_str(&sections.replace("GET /v1/", &format!("GET /v1/copy{copy}/")));
        copy += 1;
    }
    out
}

/// KonbiniAPI's page with one more schema component repeated under new names.
fn more_schemas(text: &str, bytes: usize) -> String {
    let anchor = "  schemas:\n";
    let Some(at) = text.find(anchor).map(|i| i + anchor.len()) else {
        return text.to_owned();
    };
    let mut extra = String::new();
    let mut n = 0;
    while text.len() + extra.len() < bytes {
        extra.push_str(&format!(
            "    Padding{n}:\n      type: object\n      description: A schema repeated to grow the page.\n      properties:\n        id:\n          type: string\n        count:\n          type: integer\n        tags:\n          type: array\n          items:\n            type: string\n"
        ));
        n += 1;
    }
    format!("{}{extra}{}", &text[..at], &text[at..])
}

const SIZES: [usize; 3] = [256 << 10, 1 << 20, 4 << 20];

#[divan::bench(args = SIZES, sample_count = 3)]
fn markdown_page(bencher: divan::Bencher, bytes: usize) {
    let (_dir, root) = grown("hikerapi", "stories.md", bytes, more_endpoints);
    let spec = spec_ingest::load_vendor(&root, &root.join("specs/hikerapi")).expect("loads");
    bencher
        .counter(BytesCount::new(bytes))
        .bench(|| spec_ingest::ingest(&spec).expect("ingests"));
}

#[divan::bench(args = SIZES, sample_count = 3)]
fn openapi_page(bencher: divan::Bencher, bytes: usize) {
    let (_dir, root) = grown(
        "konbiniapi",
        "get-highlight-stories.md",
        bytes,
        more_schemas,
    );
    let spec = spec_ingest::load_vendor(&root, &root.join("specs/konbiniapi")).expect("loads");
    bencher
        .counter(BytesCount::new(bytes))
        .bench(|| spec_ingest::ingest(&spec).expect("ingests"));
}
