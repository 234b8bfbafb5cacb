//! `cargo xtask regen` as a user runs it: from any folder of the checkout, and when a generated
//! crate is missing (the state a killed run used to leave, in which the main workspace cannot
//! load).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
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

#[test]
fn regen_runs_from_a_subfolder_and_restores_a_missing_crate() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for sub in ["specs", "generated"] {
        copy_tree(&repo().join(sub), &dir.path().join(sub));
    }
    fs::copy(repo().join("Cargo.toml"), dir.path().join("Cargo.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let missing = dir.path().join("generated/keyapi-client");
    fs::remove_dir_all(&missing).unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["regen"])
        .current_dir(dir.path().join("specs/keyapi"))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("regenerated generated/keyapi-client"));
    assert_eq!(
        fs::read(missing.join("openapi.json")).ok(),
        fs::read(repo().join("generated/keyapi-client/openapi.json")).ok()
    );
}

#[test]
fn outside_a_checkout_it_says_so() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["regen", "--check"])
        .current_dir(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no repository here"));
}
