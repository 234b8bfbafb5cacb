//! Regen from the user's side: the committed output is fresh, output is deterministic, and a
//! broken vendor page fails with a located error while `generated/` stays as it was.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use spec_ingest::ErrorKind;
use tests::repo_root;

/// Plain `cargo test` fails when someone edited specs/ without regenerating.
#[test]
fn generated_is_fresh() {
    let root = repo_root();
    let plan = regen::plan(&root, None).unwrap_or_else(|e| panic!("regen failed: {e}"));
    let report = regen::check(&root, &plan).unwrap_or_else(|e| panic!("check failed: {e}"));
    assert!(report.is_fresh(), "{report}");
}

#[test]
fn two_regens_are_byte_identical() {
    let root = repo_root();
    let first = regen::plan(&root, None).unwrap_or_else(|e| panic!("{e}"));
    let second = regen::plan(&root, None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first.crates, second.crates);
    for krate in &first.crates {
        for text in krate.files.values() {
            assert!(
                !text.contains(root.to_string_lossy().as_ref()),
                "{} leaks a local path",
                krate.name
            );
        }
    }
}

#[test]
fn every_vendor_generates_the_three_files() {
    let plan = regen::plan(&repo_root(), None).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = plan.crates.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["keyapi-client", "konbiniapi-client", "sociavault-client"]
    );
    for krate in &plan.crates {
        let files: Vec<&str> = krate.files.keys().map(String::as_str).collect();
        assert_eq!(
            files,
            ["Cargo.toml", "openapi.json", "src/client.rs", "src/lib.rs"]
        );
        for (path, text) in &krate.files {
            if path.ends_with(".rs") || path.ends_with(".toml") {
                assert!(
                    text.starts_with("// @generated") || text.starts_with("# @generated"),
                    "{path}"
                );
            }
        }
    }
}

/// A scratch repository holding copies of specs/ and generated/.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    for sub in ["specs", "generated"] {
        copy_tree(&repo_root().join(sub), &dir.path().join(sub));
    }
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap_or_else(|e| panic!("{e}"));
    for entry in fs::read_dir(from)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(Result::ok)
    {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

fn snapshot_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d)
            .unwrap_or_else(|e| panic!("{e}"))
            .filter_map(Result::ok)
        {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap_or(&p)
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, fs::read(&p).unwrap_or_else(|e| panic!("{e}")));
            }
        }
    }
    out
}

/// Edits one page of the scratch copy, runs regen, and returns the error, checking that
/// generated/ did not change.
fn break_page(page: &str, from: &str, to: &str) -> (regen::RegenError, String, usize) {
    let dir = scratch();
    let path = dir.path().join(page);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    let at = text
        .find(from)
        .unwrap_or_else(|| panic!("{from:?} not in {page}"));
    let line = text[..at].matches('\n').count() + 1;
    fs::write(&path, text.replacen(from, to, 1)).unwrap_or_else(|e| panic!("{e}"));
    let before = snapshot_tree(&dir.path().join("generated"));
    let err = regen::regenerate(dir.path(), None).expect_err("a broken page must fail regen");
    assert_eq!(
        before,
        snapshot_tree(&dir.path().join("generated")),
        "generated/ changed"
    );
    assert!(
        !dir.path().join(".regen-staging").exists(),
        "staging left behind"
    );
    (err, text, line)
}

fn ingest_error(err: regen::RegenError) -> spec_ingest::IngestError {
    match err {
        regen::RegenError::Ingest(e) => e,
        other => panic!("expected an ingestion error, got {other}"),
    }
}

#[test]
fn bad_yaml_is_located_and_leaves_generated_untouched() {
    let page = "specs/konbiniapi/get-highlight-stories.md";
    let (err, _, line) = break_page(
        page,
        "      operationId: instagramGetHighlightStories",
        "      operationId: [unclosed",
    );
    let err = ingest_error(err);
    assert_eq!(err.kind(), ErrorKind::Yaml);
    let loc = err
        .location()
        .unwrap_or_else(|| panic!("no location: {err}"));
    assert_eq!(loc.file, page);
    assert!(
        (line..=line + 1).contains(&loc.line),
        "error at {loc}, broken line {line}"
    );
    assert_eq!(err.vendor(), "konbiniapi");
}

#[test]
fn dangling_ref_is_located_with_its_operation() {
    let page = "specs/konbiniapi/get-highlight-stories.md";
    let (err, _, line) = break_page(
        page,
        "                          $ref: '#/components/schemas/InstagramStoryItem'",
        "                          $ref: '#/components/schemas/InstagramStoryItm'",
    );
    let err = ingest_error(err);
    assert_eq!(err.kind(), ErrorKind::DanglingRef);
    assert_eq!(
        err.location().map(|l| (l.file.as_str(), l.line)),
        Some((page, line))
    );
    assert_eq!(
        err.operation_name(),
        Some("GET /v1/instagram/highlights/{highlightId}")
    );
    assert!(err.to_string().contains("InstagramStoryItm"), "{err}");
    assert!(
        err.to_string().starts_with(&format!("{page}:{line}:")),
        "{err}"
    );
}

#[test]
fn non_json_example_is_located() {
    let page = "specs/sociavault/instagram-story-highlights.md";
    let (err, _, line) = break_page(
        page,
        "              example:\n                success: true",
        "              example: '{\"success\": tru'\n              x-was:\n                success: true",
    );
    let err = ingest_error(err);
    assert_eq!(err.kind(), ErrorKind::ExampleNotJson);
    assert_eq!(
        err.location().map(|l| (l.file.as_str(), l.line)),
        Some((page, line))
    );
    assert_eq!(
        err.operation_name(),
        Some("GET /v1/scrape/instagram/highlights")
    );
}

#[test]
fn unsupported_3_1_construct_in_a_response_header_is_located() {
    let page = "specs/konbiniapi/get-highlight-stories.md";
    // A dynamic reference inside a response header schema: no 3.0 equivalent.
    let (err, _, line) = break_page(
        page,
        "            X-Credits-Remaining:\n              schema:\n                type: integer",
        "            X-Credits-Remaining:\n              schema:\n                $dynamicRef: '#credits'",
    );
    let err = ingest_error(err);
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    let loc = err.location().unwrap_or_else(|| panic!("no location"));
    assert_eq!((loc.file.as_str(), loc.line), (page, line + 2));
    assert_eq!(
        err.operation_name(),
        Some("GET /v1/instagram/highlights/{highlightId}")
    );
}

#[test]
fn a_3_1_construct_in_an_odd_place_is_converted_not_dropped() {
    let dir = scratch();
    let page = dir.path().join("specs/konbiniapi/get-highlight-stories.md");
    let text = fs::read_to_string(&page).unwrap_or_else(|e| panic!("{e}"));
    // A nullable type array inside a path parameter's schema.
    let edited = text.replacen(
        "        - schema:\n            type: string\n            description: Instagram highlight ID",
        "        - schema:\n            type: [string, 'null']\n            description: Instagram highlight ID",
        1,
    );
    assert_ne!(text, edited);
    fs::write(&page, edited).unwrap_or_else(|e| panic!("{e}"));
    let plan = regen::plan(dir.path(), Some("konbiniapi")).unwrap_or_else(|e| panic!("{e}"));
    let doc: serde_json::Value = serde_json::from_str(&plan.crates[0].files["openapi.json"])
        .unwrap_or_else(|e| panic!("{e}"));
    let schema =
        &doc["paths"]["/v1/instagram/highlights/{highlightId}"]["get"]["parameters"][0]["schema"];
    assert_eq!(schema["type"], "string");
    assert_eq!(schema["nullable"], true);
}

#[test]
fn a_stale_tree_is_reported_with_a_diff_and_the_fix() {
    let dir = scratch();
    let lib = dir.path().join("generated/sociavault-client/openapi.json");
    let text = fs::read_to_string(&lib).unwrap_or_else(|e| panic!("{e}"));
    fs::write(&lib, text.replacen("SociaVault", "SociaVolt", 1)).unwrap_or_else(|e| panic!("{e}"));
    fs::create_dir_all(dir.path().join("generated/orphan-client"))
        .unwrap_or_else(|e| panic!("{e}"));
    let plan = regen::plan(dir.path(), None).unwrap_or_else(|e| panic!("{e}"));
    let report = regen::check(dir.path(), &plan).unwrap_or_else(|e| panic!("{e}"));
    let text = report.to_string();
    assert!(
        text.contains("stale: generated/sociavault-client/openapi.json"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with('-') && l.contains("SociaVolt")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with('+') && l.contains("SociaVault")),
        "{text}"
    );
    assert!(text.contains("generated/orphan-client/"), "{text}");
    assert!(text.contains("run `cargo xtask regen`"), "{text}");
    // Regen repairs it, and removes the orphan.
    let changed = regen::apply(dir.path(), &plan).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(changed, ["sociavault-client", "orphan-client (removed)"]);
    assert!(
        regen::check(dir.path(), &plan)
            .unwrap_or_else(|e| panic!("{e}"))
            .is_fresh()
    );
}

#[test]
fn one_vendor_can_be_regenerated_alone_and_unknown_ones_are_named() {
    let dir = scratch();
    let plan = regen::plan(dir.path(), Some("keyapi")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plan.crates.len(), 1);
    assert!(!plan.complete);
    let err = regen::plan(dir.path(), Some("nope")).expect_err("unknown vendor");
    assert!(
        err.to_string()
            .contains("known: keyapi, konbiniapi, sociavault"),
        "{err}"
    );
}

#[test]
fn conflicting_pages_of_one_vendor_name_both_pages() {
    let dir = scratch();
    let vendor = dir.path().join("specs/konbiniapi");
    let text = fs::read_to_string(vendor.join("get-highlight-stories.md"))
        .unwrap_or_else(|e| panic!("{e}"));
    // A second page defining the same component differently.
    let other = text.replacen(
        "          description: Image URL",
        "          description: Another URL",
        1,
    );
    fs::write(vendor.join("zz-other.md"), other).unwrap_or_else(|e| panic!("{e}"));
    let err = ingest_error(regen::plan(dir.path(), None).expect_err("conflict"));
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(
        err.location().map(|l| l.file.as_str()),
        Some("specs/konbiniapi/zz-other.md")
    );
    assert_eq!(
        err.related_location().map(|l| l.file.as_str()),
        Some("specs/konbiniapi/get-highlight-stories.md")
    );
}
