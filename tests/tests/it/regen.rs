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

/// A fresh regen of the committed pages warns of nothing a newcomer has to judge: every
/// warning is one its vendor.toml lists as known, with why.
#[test]
fn every_warning_about_the_committed_pages_is_known() {
    let plan = regen::plan(&repo_root(), None).unwrap_or_else(|e| panic!("{e}"));
    let new: Vec<String> = plan
        .warnings
        .iter()
        .filter(|w| w.known.is_none())
        .map(ToString::to_string)
        .collect();
    assert!(new.is_empty(), "warnings not listed as known: {new:#?}");
    assert!(!plan.warnings.is_empty(), "the known ones still occur");
}

/// A known warning that stopped occurring is reported, so the list never hides a new one.
#[test]
fn a_known_warning_that_no_longer_occurs_is_reported() {
    let dir = scratch();
    let manifest = dir.path().join("specs/keyapi/vendor.toml");
    let mut text = fs::read_to_string(&manifest).unwrap_or_else(|e| panic!("{e}"));
    text.push_str(
        "\n[[known_warning]]\ncontains = \"a warning regen never gives\"\nwhy = \"stale\"\n",
    );
    fs::write(&manifest, text).unwrap_or_else(|e| panic!("{e}"));
    let plan = regen::plan(dir.path(), Some("keyapi")).unwrap_or_else(|e| panic!("{e}"));
    let stale: Vec<String> = plan
        .warnings
        .iter()
        .filter(|w| w.known.is_none())
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        stale,
        [
            "vendor keyapi: specs/keyapi/vendor.toml lists a known warning containing `a warning regen never gives` that no longer occurs; remove it"
        ]
    );
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
    let vendors =
        spec_ingest::discover(&repo_root().join("specs")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        names.len(),
        vendors.len(),
        "one crate per vendor folder: {names:?}"
    );
    for name in [
        "hikerapi-client",
        "keyapi-client",
        "konbiniapi-client",
        "sociavault-client",
    ] {
        assert!(names.contains(&name), "{name}: {names:?}");
    }
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
pub(crate) fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    for sub in ["specs", "generated"] {
        copy_tree(&repo_root().join(sub), &dir.path().join(sub));
    }
    dir
}

pub(crate) fn copy_tree(from: &Path, to: &Path) {
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

pub(crate) fn snapshot_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
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

/// Edits one page of a scratch copy, runs regen, and returns the error, checking that
/// generated/ did not change.
fn break_page(page: &str, from: &str, to: &str) -> (regen::RegenError, String, usize) {
    break_in(&scratch(), page, from, to)
}

/// [`break_page`] on a fixture page (`tests/fixtures/pages/<vendor>/<name>`) added to the
/// vendor's folder of a scratch copy. Diagnostics are snapshotted on fixture pages, so a
/// vendor's docs change moves no diagnostic snapshot.
fn break_fixture(
    vendor: &str,
    name: &str,
    from: &str,
    to: &str,
) -> (regen::RegenError, String, usize) {
    let dir = scratch();
    let page = format!("specs/{vendor}/{name}");
    fs::copy(
        repo_root()
            .join("tests/fixtures/pages")
            .join(vendor)
            .join(name),
        dir.path().join(&page),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    break_in(&dir, &page, from, to)
}

fn break_in(
    dir: &tempfile::TempDir,
    page: &str,
    from: &str,
    to: &str,
) -> (regen::RegenError, String, usize) {
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

/// The report a user sees for `err`, snapshotted under `name`.
fn snapshot_diagnostic(name: &str, err: &regen::RegenError) {
    insta::assert_snapshot!(name, regen::render(err, 100));
}

pub(crate) fn ingest_error(err: regen::RegenError) -> spec_ingest::IngestError {
    match err {
        regen::RegenError::Ingest(e) => e,
        other => panic!("expected an ingestion error, got {other}"),
    }
}

#[test]
fn bad_yaml_is_located_and_leaves_generated_untouched() {
    let page = "specs/konbiniapi/get-story.md";
    let (err, _, line) = break_fixture(
        "konbiniapi",
        "get-story.md",
        "      operationId: instagramGetStory",
        "      operationId: [unclosed",
    );
    snapshot_diagnostic("diagnostic_bad_yaml", &err);
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
    let page = "specs/konbiniapi/get-story.md";
    let (err, _, line) = break_fixture(
        "konbiniapi",
        "get-story.md",
        "                    $ref: '#/components/schemas/InstagramStoryItem'",
        "                    $ref: '#/components/schemas/InstagramStoryItm'",
    );
    snapshot_diagnostic("diagnostic_dangling_ref", &err);
    let err = ingest_error(err);
    assert_eq!(err.kind(), ErrorKind::DanglingRef);
    assert_eq!(
        err.location().map(|l| (l.file.as_str(), l.line)),
        Some((page, line))
    );
    assert_eq!(
        err.operation_name(),
        Some("GET /v1/instagram/stories/{storyId}")
    );
    assert!(err.to_string().contains("InstagramStoryItm"), "{err}");
    assert!(
        err.to_string().starts_with(&format!("{page}:{line}:")),
        "{err}"
    );
}

#[test]
fn non_json_example_is_located() {
    let page = "specs/konbiniapi/get-story.md";
    let (err, _, line) = break_fixture(
        "konbiniapi",
        "get-story.md",
        "            application/json:\n              schema:\n                type: object\n                properties:\n                  data:\n                    $ref",
        // An example-only body, as SociaVault documents its answers, whose example is a string
        // that a careless page left unclosed.
        "            application/json:\n              example: '{\"data\": tru'\n              x-was:\n                type: object\n                properties:\n                  data:\n                    $ref",
    );
    snapshot_diagnostic("diagnostic_example_not_json", &err);
    let err = ingest_error(err);
    assert_eq!(err.kind(), ErrorKind::ExampleNotJson);
    // The edit begins at the media type; the example stands on the line after it.
    assert_eq!(
        err.location().map(|l| (l.file.as_str(), l.line)),
        Some((page, line + 1))
    );
    assert_eq!(
        err.operation_name(),
        Some("GET /v1/instagram/stories/{storyId}")
    );
}

#[test]
fn a_malformed_markdown_table_is_located() {
    let page = "specs/hikerapi/media.md";
    let (err, _, _) = break_fixture(
        "hikerapi",
        "media.md",
        "| Parameter | Type |",
        "| Parameter | Kind |",
    );
    snapshot_diagnostic("diagnostic_markdown_table", &err);
    let err = ingest_error(err);
    assert_eq!(err.kind(), ErrorKind::Markdown);
    assert_eq!(err.location().map(|l| l.file.as_str()), Some(page));
}

#[test]
fn a_typo_in_a_manifest_is_located() {
    let page = "specs/keyapi/vendor.toml";
    let (err, _, line) = break_page(page, "base_url =", "base_ulr =");
    snapshot_diagnostic("diagnostic_manifest_typo", &err);
    let err = ingest_error(err);
    assert_eq!(err.kind(), ErrorKind::Manifest);
    assert_eq!(
        err.location().map(|l| (l.file.as_str(), l.line)),
        Some((page, line))
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
            .contains("known: hikerapi, keyapi, konbiniapi, sociavault"),
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

#[test]
fn hikerapi_has_every_live_endpoint_and_the_deprecated_one() {
    let plan = regen::plan(&repo_root(), Some("hikerapi")).unwrap_or_else(|e| panic!("{e}"));
    let doc: serde_json::Value = serde_json::from_str(&plan.crates[0].files["openapi.json"])
        .unwrap_or_else(|e| panic!("{e}"));
    let mut ops: Vec<(String, bool)> = spec_ingest::operations(&doc)
        .into_iter()
        .map(|(path, method, op)| {
            (
                format!("{} {path}", method.to_uppercase()),
                op["deprecated"] == true,
            )
        })
        .collect();
    ops.sort();
    let expected = [
        ("GET /v1/highlight/by/id", true),
        ("GET /v1/highlight/by/url", false),
        ("GET /v1/story/by/id", false),
        ("GET /v1/story/by/url", false),
        ("GET /v1/story/download", false),
        ("GET /v1/story/download/by/story/url", false),
        ("GET /v1/story/download/by/url", false),
        ("GET /v1/user/highlights", false),
        ("GET /v1/user/highlights/by/username", false),
        ("GET /v1/user/stories", false),
        ("GET /v1/user/stories/by/username", false),
    ];
    for (op, deprecated) in expected {
        assert!(ops.contains(&(op.to_owned(), deprecated)), "{op}: {ops:?}");
    }
    // The page's footer is the only line the parser does not know.
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.message.contains("Ready to integrate"))
    );
}

/// More pages of the same site are handled without code changes: a new page with a new
/// object, a POST with a body table, and an endpoint returning an existing object.
#[test]
fn a_new_markdown_page_needs_no_code_change() {
    let dir = scratch();
    let page = "Comments Endpoints\nGet comments.\nAuthentication & errors\nAll endpoints require x-access-key header.\n\
GET /v1/media/comments\n\u{26a0}\u{fe0f} Billing: 2 requests per call. Returns a list of Comment objects.\n\
| Type | Parameter | Required | Description |\n|---|---|---|---|\n| string | id | Yes | Media id |\n\
Example response\n[\n{\"pk\": \"1\", \"text\": \"hi\", \"created_at\": \"2026-01-01T00:00:00Z\", \"user\": {\"pk\": \"2\", \"id\": \"2\", \"username\": \"a\", \"full_name\": \"A\", \"profile_pic_url\": null, \"profile_pic_url_hd\": null, \"is_private\": false, \"is_verified\": false}}\n]\n\
POST /v1/media/comment\nPost a comment. Returns a Comment object.\nBody parameters\n| Parameter | Type | Required | Description |\n|---|---|---|---|\n| id | string | Yes | Media id |\n| text | string | Yes | Text |\n\
GET /v1/story/latest\nThe newest story. Returns a Story object.\n| Parameter | Type | Required | Description |\n|---|---|---|---|\n| user_id | string | Yes | User Id |\n";
    fs::write(dir.path().join("specs/hikerapi/comments.md"), page)
        .unwrap_or_else(|e| panic!("{e}"));
    let plan = regen::plan(dir.path(), Some("hikerapi")).unwrap_or_else(|e| panic!("{e}"));
    let doc: serde_json::Value = serde_json::from_str(&plan.crates[0].files["openapi.json"])
        .unwrap_or_else(|e| panic!("{e}"));
    let comments = &doc["paths"]["/v1/media/comments"]["get"];
    assert_eq!(comments["x-cost"]["amount"], 2);
    assert_eq!(
        comments["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"],
        "#/components/schemas/Comment"
    );
    // The comment's user has the fields of the story's: one type, with the new place's name
    // as an alias beside the existing one.
    assert_eq!(
        doc["components"]["schemas"]["Comment"]["properties"]["user"]["allOf"][0]["$ref"],
        "#/components/schemas/StoryUser"
    );
    let aliases = doc["components"]["schemas"]["StoryUser"]["x-aliases"].to_string();
    assert!(
        aliases.contains("\"CommentUser\"") && aliases.contains("\"HighlightUser\""),
        "{aliases}"
    );
    let post = &doc["paths"]["/v1/media/comment"]["post"];
    assert_eq!(
        post["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/PostV1MediaCommentBody"
    );
    assert_eq!(
        doc["paths"]["/v1/story/latest"]["get"]["responses"]["200"]["content"]["application/json"]
            ["schema"]["$ref"],
        "#/components/schemas/Story"
    );
    assert!(plan.crates[0].files["src/client.rs"].contains("pub fn post_v1_media_comment"));
}
