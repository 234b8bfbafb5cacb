//! Whatever regen writes, the workspace still loads: a new vendor whose generated crate needs a
//! dependency no other vendor's does (`uuid`, for a document with `format: uuid`) joins the
//! workspace's dependency table, and a table that lacks one is refused before anything is
//! written, naming the root manifest and the entry to add.

use std::fs;
use std::path::Path;
use std::process::Command;

use tests::{copy_workspace, repo_root};

/// A vendor that publishes an OpenAPI 3.1 document, as such vendors write them: ids as uuids,
/// nullable fields as type arrays, an error body beside the success one.
const DOCUMENT: &str = r#"openapi: 3.1.0
info: {title: Probe, version: '2.4'}
servers: [{url: 'https://api.probe.example'}]
security: [{key: []}]
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Probe-Key}
  schemas:
    Reel:
      type: object
      required: [id]
      properties:
        id: {type: string, format: uuid}
        posted: {type: [string, 'null'], format: date-time}
paths:
  /v2/reels/{reel_id}:
    get:
      operationId: getReel
      parameters:
        - {name: reel_id, in: path, required: true, schema: {type: string, format: uuid}}
      responses:
        '200':
          description: The reel
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Reel'}
        '404':
          description: No such reel
          content:
            application/json:
              schema: {type: object, properties: {detail: {type: string}}}
"#;

const MANIFEST: &str = "vendor = \"probe\"\ndisplay_name = \"Probe\"\ncrate_name = \"probe-client\"\nformat = \"openapi\"\n";

fn workspace_with_probe() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    copy_workspace(&repo_root(), dir.path());
    let vendor = dir.path().join("specs/probe");
    fs::create_dir_all(&vendor).unwrap_or_else(|e| panic!("{e}"));
    fs::write(vendor.join("vendor.toml"), MANIFEST).unwrap_or_else(|e| panic!("{e}"));
    fs::write(vendor.join("openapi.yaml"), DOCUMENT).unwrap_or_else(|e| panic!("{e}"));
    dir
}

fn metadata(root: &Path) -> std::process::Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .current_dir(root)
        .output()
        .unwrap_or_else(|e| panic!("cargo: {e}"))
}

#[test]
fn a_new_vendor_needing_uuid_leaves_a_workspace_that_loads() {
    let dir = workspace_with_probe();
    let changed = regen::regenerate(dir.path(), None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(changed, vec!["probe-client".to_owned()]);
    let manifest = fs::read_to_string(dir.path().join("generated/probe-client/Cargo.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(manifest.contains("uuid.workspace = true"), "{manifest}");
    let out = metadata(dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(listed.contains("\"name\":\"probe-client\""), "{listed}");
}

#[test]
fn a_dependency_table_without_the_entry_is_refused_before_anything_is_written() {
    let dir = workspace_with_probe();
    let root_manifest = dir.path().join("Cargo.toml");
    let text = fs::read_to_string(&root_manifest).unwrap_or_else(|e| panic!("{e}"));
    let without: String = text
        .lines()
        .filter(|l| !l.starts_with("uuid ="))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(
        text, without,
        "the workspace table has no uuid entry to remove"
    );
    fs::write(&root_manifest, without).unwrap_or_else(|e| panic!("{e}"));

    let err = regen::regenerate(dir.path(), None)
        .err()
        .unwrap_or_else(|| panic!("regen accepted a crate the workspace cannot load"))
        .to_string();
    assert!(err.contains("Cargo.toml"), "{err}");
    assert!(err.contains("generated/probe-client/Cargo.toml"), "{err}");
    assert!(err.contains("`uuid`"), "{err}");
    assert!(!dir.path().join("generated/probe-client").exists());
    assert!(!dir.path().join(regen::swap::STAGING).exists());
    let out = metadata(dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_tree_the_workspace_cannot_load_is_never_swapped_in() {
    // A member the new tree would break in a way the table check cannot see: a hand-written
    // crate depending on a generated crate by a path that the regenerated tree no longer has.
    let dir = workspace_with_probe();
    regen::regenerate(dir.path(), None).unwrap_or_else(|e| panic!("{e}"));
    let extra = dir.path().join("crates/uses-probe");
    fs::create_dir_all(extra.join("src")).unwrap_or_else(|e| panic!("{e}"));
    fs::write(extra.join("src/lib.rs"), "").unwrap_or_else(|e| panic!("{e}"));
    fs::write(
        extra.join("Cargo.toml"),
        "[package]\nname = \"uses-probe\"\nversion = \"0.1.0\"\nedition = \"2024\"\n[dependencies]\nprobe-client = { path = \"../../generated/probe-client\" }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(metadata(dir.path()).status.success());
    fs::remove_dir_all(dir.path().join("specs/probe")).unwrap_or_else(|e| panic!("{e}"));

    let before = fs::read_to_string(dir.path().join("generated/probe-client/Cargo.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let err = regen::regenerate(dir.path(), None)
        .err()
        .unwrap_or_else(|| panic!("regen removed a crate a member depends on"))
        .to_string();
    assert!(err.contains("would not load"), "{err}");
    assert!(err.contains("probe-client"), "{err}");
    assert!(
        !err.contains(regen::swap::STAGING),
        "the message names the staging view: {err}"
    );
    let after = fs::read_to_string(dir.path().join("generated/probe-client/Cargo.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(before, after);
    assert!(metadata(dir.path()).status.success());
}
