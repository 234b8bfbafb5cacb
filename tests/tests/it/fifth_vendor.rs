//! Adding a vendor is one folder, one crate and one row, as `specs/README.md` says. In a copy
//! of the workspace, the fixture vendor of `tests/fixtures/fifth-vendor/` is added exactly so —
//! its `specs/` folder, its `normalize-<name>` crate, its row in `VENDORS` and that crate's line
//! in `crates/stories/Cargo.toml`, nothing else — then regenerated, and the cross-crate suites
//! run: its API surface and contract snapshots appear, the contract, tolerance and never-panic
//! sweeps and the mock's routes cover it, and no snapshot of the other vendors moves. Any other
//! file a new vendor would need edited makes this fail.

use std::fs;
use std::path::Path;

use tests::{copy_workspace, repo_root};

const VENDOR: &str = "storyscope";

/// Adds the fixture vendor the documented way; returns the files it touched.
fn add_vendor(root: &Path) -> Vec<String> {
    let fixture = repo_root().join("tests/fixtures/fifth-vendor");
    copy_workspace(&fixture.join("specs"), &root.join("specs"));
    copy_workspace(&fixture.join("crates"), &root.join("crates"));

    // The row.
    let vendors = root.join("crates/stories/src/vendors.rs");
    let text = fs::read_to_string(&vendors).unwrap_or_else(|e| panic!("{e}"));
    let end = text
        .find("\n];")
        .unwrap_or_else(|| panic!("vendors.rs has no end of VENDORS"));
    let row = format!(
        "\n    Vendor {{\n        facts: &normalize_{VENDOR}::FACTS,\n        normalizer: &normalize_{VENDOR}::NORMALIZER,\n    }},"
    );
    fs::write(&vendors, format!("{}{row}{}", &text[..end], &text[end..]))
        .unwrap_or_else(|e| panic!("{e}"));

    // The crate's line.
    let manifest = root.join("crates/stories/Cargo.toml");
    let text = fs::read_to_string(&manifest).unwrap_or_else(|e| panic!("{e}"));
    let line = format!("normalize-{VENDOR} = {{ path = \"../normalize-{VENDOR}\" }}\n");
    let text = text.replacen("[dependencies]\n", &format!("[dependencies]\n{line}"), 1);
    fs::write(&manifest, text).unwrap_or_else(|e| panic!("{e}"));

    vec![
        format!("specs/{VENDOR}/"),
        format!("crates/normalize-{VENDOR}/"),
        "crates/stories/src/vendors.rs".to_owned(),
        "crates/stories/Cargo.toml".to_owned(),
    ]
}

/// Every snapshot file below `dir`, by name.
fn snapshots(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, fs::read(e.path()).unwrap_or_default())
        })
        .collect()
}

#[test]
fn a_fifth_vendor_is_one_folder_one_crate_and_one_row() {
    let scratch = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = scratch.path();
    copy_workspace(&repo_root(), root);
    let touched = add_vendor(root);
    assert_eq!(touched.len(), 4);

    regen::regenerate(root, None).unwrap_or_else(|e| panic!("regen: {e}"));
    assert!(
        root.join(format!("generated/{VENDOR}-client/Cargo.toml"))
            .is_file(),
        "regen wrote no client for {VENDOR}"
    );

    let snaps = root.join("tests/tests/it/snapshots");
    let before = snapshots(&snaps);
    let target = tests::scratch_target(env!("CARGO_TARGET_TMPDIR"), "fifth-vendor");
    // New snapshots are written (this vendor's); the others are compared below, byte for byte.
    let insta = [("INSTA_UPDATE", "always"), ("CI", "")];
    let ran = tests::cargo(
        root,
        &target,
        &[
            "test",
            "--offline",
            "-p",
            "tests",
            "--test",
            "it",
            "--",
            "surface",
            "contract",
            "tolerance",
            "normalize_never_panics",
            "examples_decode",
            "views_agree",
            "specs_unedited",
        ],
        &insta,
    );
    for test in [
        "surface::every_vendor_api_surface ... ok",
        "contract::every_operation_normalizes_its_documented_example ... ok",
        "contract::every_documented_error_status_becomes_the_right_outcome ... ok",
        "contract::every_routed_operation_has_a_contract_case ... ok",
        "tolerance::every_field_of_every_answer_may_be_missing_or_null ... ok",
        "normalize_never_panics::mutated_examples_normalize_or_fail_cleanly ... ok",
        "examples_decode::every_example_of_every_vendor_decodes_into_its_generated_type ... ok",
        "specs_unedited::every_page_matches_its_recorded_sha256 ... ok",
    ] {
        assert!(ran.contains(test), "{test} did not run:\n{ran}");
    }
    let after = snapshots(&snaps);
    for (name, bytes) in &before {
        assert_eq!(
            after.get(name),
            Some(bytes),
            "{name} moved when {VENDOR} was added"
        );
    }
    let new: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    for expected in [
        format!("it__surface__{VENDOR}_api_surface.snap"),
        format!("{VENDOR}__listUserStories.snap"),
        format!("{VENDOR}__getStory.snap"),
    ] {
        assert!(
            new.contains(&&expected),
            "no {expected} appeared; new snapshots: {new:?}"
        );
    }
    let surface = fs::read_to_string(snaps.join(format!("it__surface__{VENDOR}_api_surface.snap")))
        .unwrap_or_default();
    assert!(
        surface.contains("/v2/instagram/users/{username}/stories"),
        "{surface}"
    );

    // The mock serves it: its unit test covers every vendor of VENDORS.
    let ran = tests::cargo(
        root,
        &target,
        &[
            "test",
            "--offline",
            "-p",
            "stories",
            "--lib",
            "--",
            "mock::",
        ],
        &[],
    );
    assert!(
        ran.contains("mock::tests::every_vendor_has_routes_with_documented_bodies ... ok"),
        "{ran}"
    );
}
