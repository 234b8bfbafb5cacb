//! `cargo xtask regen` as a user runs it: from any folder of the checkout, and when a generated
//! crate is missing (the state a killed run used to leave, in which the main workspace cannot
//! load).

use std::fs;

mod common;
use common::{copy_tree, repo, xtask};

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
    let out = xtask(&dir.path().join("specs/keyapi"), &["regen"]);
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
    let out = xtask(dir.path(), &["regen", "--check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no repository here"));
}
