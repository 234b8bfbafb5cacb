//! `cargo xtask api-diff` as a user runs it: on a checkout whose generated document changed
//! since the last commit, on two files, and on bad input (which is an error naming it, exit 2).

use std::fs;
use std::path::Path;
use std::process::Command;

mod common;
use common::xtask;

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("git: {e}"));
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const OLD: &str = r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/items": {"get": {
  "parameters": [{"name": "id", "in": "query", "required": true, "schema": {"type": "string"}}],
  "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"pk": {"type": "string"}, "caption": {"type": "string"}}}}}}}}}}}"#;

/// `OLD` with the response property `caption` removed and an optional parameter added.
fn new_document() -> String {
    OLD.replace(r#", "caption": {"type": "string"}"#, "").replace(
        r#"{"name": "id", "in": "query", "required": true, "schema": {"type": "string"}}"#,
        r#"{"name": "id", "in": "query", "required": true, "schema": {"type": "string"}}, {"name": "amount", "in": "query", "schema": {"type": "integer"}}"#,
    )
}

#[test]
fn a_committed_document_changed_in_the_working_tree_is_classified() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path();
    fs::create_dir_all(root.join("specs")).unwrap_or_else(|e| panic!("{e}"));
    fs::write(root.join("Cargo.toml"), "[workspace]\n").unwrap_or_else(|e| panic!("{e}"));
    let doc = root.join("generated/petstore-client/openapi.json");
    fs::create_dir_all(doc.parent().unwrap_or(root)).unwrap_or_else(|e| panic!("{e}"));
    fs::write(&doc, OLD).unwrap_or_else(|e| panic!("{e}"));
    git(root, &["init", "-q"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "old"]);
    fs::write(&doc, new_document()).unwrap_or_else(|e| panic!("{e}"));

    let out = xtask(root, &["api-diff"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "breaking exits 1: {text}");
    assert_eq!(
        text,
        "== petstore-client\n\
         breaking GET /items: the response (200): the property `caption` was removed [response-property-removed]\n\
         info     GET /items: the optional query parameter `amount` was added [new-optional-request-parameter]\n\
         1 breaking, 0 warning, 1 info\n"
    );
    let out = xtask(root, &["api-diff", "--format", "json"]);
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json["petstore-client"]["breaking"], true);
    assert_eq!(
        json["petstore-client"]["changes"][1]["id"],
        "new-optional-request-parameter"
    );

    let out = xtask(root, &["api-diff", "no-such-revision"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("`no-such-revision` is not a git revision"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn two_files_of_either_version_and_format_are_compared_and_bad_ones_named() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path();
    fs::create_dir_all(root.join("specs")).unwrap_or_else(|e| panic!("{e}"));
    fs::write(root.join("Cargo.toml"), "[workspace]\n").unwrap_or_else(|e| panic!("{e}"));
    fs::write(root.join("old.json"), OLD).unwrap_or_else(|e| panic!("{e}"));
    // 3.1 in YAML: `type: [string, "null"]` is 3.0's nullable.
    fs::write(
        root.join("new.yaml"),
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /items:\n    get:\n      parameters:\n        - {name: id, in: query, required: true, schema: {type: string}}\n      responses:\n        '200':\n          description: OK\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  pk: {type: [string, 'null']}\n                  caption: {type: string}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = xtask(root, &["api-diff", "old.json", "new.yaml"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("breaking GET /items: the response (200): `pk` became nullable [response-property-became-nullable]"),
        "{text}"
    );
    fs::write(root.join("broken.yaml"), "openapi: 3.0.3\npaths: [\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let out = xtask(root, &["api-diff", "old.json", "broken.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.yaml:3:1"), "{err}");
    fs::write(root.join("other.json"), r#"{"name": "not openapi"}"#)
        .unwrap_or_else(|e| panic!("{e}"));
    let out = xtask(root, &["api-diff", "old.json", "other.json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("other.json:1:1") && err.contains("an OpenAPI document"),
        "{err}"
    );
}
