//! Regen that nothing breaks: each failure a review found is reproduced here on a scratch copy
//! of specs/ and generated/, and must end in a clear, located error (generated/ untouched) or
//! in a correct client — never in a panic, a hang, a half-written tree or an empty client.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use spec_ingest::ErrorKind;

use crate::regen::{copy_tree, ingest_error, scratch, snapshot_tree};

/// Regenerates `root` expecting failure; generated/ must be as it was and no staging left.
fn refused(root: &Path) -> spec_ingest::IngestError {
    let before = snapshot_tree(&root.join("generated"));
    let err = regen::regenerate(root, None).expect_err("regen must refuse");
    assert_eq!(
        before,
        snapshot_tree(&root.join("generated")),
        "generated/ changed"
    );
    assert!(
        !root.join(regen::swap::STAGING).exists(),
        "staging left behind"
    );
    ingest_error(err)
}

fn edit(root: &Path, file: &str, from: &str, to: &str) -> usize {
    let path = root.join(file);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    let at = text
        .find(from)
        .unwrap_or_else(|| panic!("{from:?} not in {file}"));
    fs::write(&path, text.replacen(from, to, 1)).unwrap_or_else(|e| panic!("{e}"));
    text[..at].matches('\n').count() + 1
}

fn line_of(err: &spec_ingest::IngestError) -> (String, usize) {
    let loc = err
        .location()
        .unwrap_or_else(|| panic!("no location: {err}"));
    (loc.file.clone(), loc.line)
}

#[test]
fn two_vendors_with_one_crate_name_are_refused_at_the_second_manifest() {
    let dir = scratch();
    let line = edit(
        dir.path(),
        "specs/keyapi/vendor.toml",
        "crate_name = \"keyapi-client\"",
        "crate_name = \"hikerapi-client\"",
    );
    let err = refused(dir.path());
    assert_eq!(line_of(&err), ("specs/keyapi/vendor.toml".to_owned(), line));
    assert!(err.message().contains("hikerapi"), "{err}");
}

#[test]
fn a_hand_written_crate_name_is_refused() {
    let dir = scratch();
    fs::create_dir_all(dir.path().join("crates/stories")).unwrap_or_else(|e| panic!("{e}"));
    let line = edit(
        dir.path(),
        "specs/sociavault/vendor.toml",
        "crate_name = \"sociavault-client\"",
        "crate_name = \"stories\"",
    );
    let err = refused(dir.path());
    assert_eq!(
        line_of(&err),
        ("specs/sociavault/vendor.toml".to_owned(), line)
    );
    assert!(err.message().contains("hand-written"), "{err}");
}

#[test]
fn manifest_values_that_break_the_client_are_refused_at_their_line() {
    for (from, to, says) in [
        (
            "name = \"x-access-key\"",
            "name = \"x access key\"",
            "header",
        ),
        (
            "display_name = \"HikerAPI\"",
            "display_name = \"Hiker\\nAPI\"",
            "one line",
        ),
        (
            "crate_name = \"hikerapi-client\"",
            "crate_name = \"123\"",
            "letter",
        ),
    ] {
        let dir = scratch();
        let line = edit(dir.path(), "specs/hikerapi/vendor.toml", from, to);
        let err = refused(dir.path());
        assert_eq!(err.kind(), ErrorKind::Manifest, "{to}: {err}");
        assert_eq!(line_of(&err).1, line, "{to}: {err}");
        assert!(err.message().contains(says), "{to}: {err}");
    }
}

#[test]
fn a_missing_or_unreadable_manifest_is_an_error_not_a_removed_vendor() {
    let dir = scratch();
    fs::remove_file(dir.path().join("specs/keyapi/vendor.toml")).unwrap_or_else(|e| panic!("{e}"));
    fs::create_dir(dir.path().join("specs/keyapi/vendor.toml")).unwrap_or_else(|e| panic!("{e}"));
    let err = refused(dir.path());
    assert_eq!(err.kind(), ErrorKind::Manifest);
    assert!(err.message().contains("specs/keyapi/vendor.toml"), "{err}");
    assert!(
        dir.path()
            .join("generated/keyapi-client/Cargo.toml")
            .is_file()
    );
}

#[test]
fn a_nul_byte_and_non_utf8_are_located_by_relative_path() {
    let page = "specs/konbiniapi/get-highlight-stories.md";
    let dir = scratch();
    let line = edit(
        dir.path(),
        page,
        "Credits remaining after this request",
        "Credits\0remaining",
    );
    let err = refused(dir.path());
    assert_eq!(err.kind(), ErrorKind::NotText);
    assert_eq!(line_of(&err), (page.to_owned(), line));

    let dir = scratch();
    let path = dir.path().join(page);
    let mut bytes = fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
    bytes.extend_from_slice(b"\n\xff\xfe tail\n");
    fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
    let err = refused(dir.path());
    assert_eq!(err.kind(), ErrorKind::NotText);
    assert_eq!(err.location().map(|l| l.file.as_str()), Some(page));
    assert!(
        !err.to_string().contains(&dir.path().display().to_string()),
        "absolute path in {err}"
    );
}

#[test]
fn a_truncated_fence_is_an_error_not_an_empty_client() {
    let page = "specs/konbiniapi/get-highlight-stories.md";
    let dir = scratch();
    let path = dir.path().join(page);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    let cut = text
        .find("      responses:")
        .unwrap_or_else(|| panic!("no responses"));
    fs::write(&path, &text[..cut]).unwrap_or_else(|e| panic!("{e}"));
    let err = refused(dir.path());
    assert!(err.message().contains("never closed"), "{err}");
    assert_eq!(err.location().map(|l| l.file.as_str()), Some(page));
}

#[test]
fn a_fence_line_inside_a_yaml_description_is_content_when_indented_and_an_error_when_not() {
    let page = "specs/konbiniapi/get-highlight-stories.md";
    let from = "          description: Returns the highlight with all story items\n";
    let block = |fence: &str| {
        format!(
            "          description: |\n            Example:\n{fence}\n            GET /x\n{fence}\n"
        )
    };
    let dir = scratch();
    edit(dir.path(), page, from, &block("            ````"));
    regen::plan(dir.path(), Some("konbiniapi")).unwrap_or_else(|e| panic!("{e}"));

    let dir = scratch();
    let line = edit(dir.path(), page, from, &block("````"));
    let err = refused(dir.path());
    assert!(err.message().contains("ends it early"), "{err}");
    assert_eq!(line_of(&err), (page.to_owned(), line + 2));
}

#[test]
fn an_alias_bomb_is_refused() {
    let dir = scratch();
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (i, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        bomb.push_str(&format!("{i}: &{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
    }
    let page = "specs/konbiniapi/get-highlight-stories.md";
    edit(
        dir.path(),
        page,
        "openapi: 3.1.0\n",
        &format!(
            "openapi: 3.1.0\nx-bomb:\n{}",
            bomb.lines().map(|l| format!("  {l}\n")).collect::<String>()
        ),
    );
    let err = refused(dir.path());
    assert_eq!(err.kind(), ErrorKind::Yaml, "{err}");
}

#[cfg(unix)]
#[test]
fn a_fifo_named_like_a_page_is_skipped_with_a_warning_not_waited_on() {
    let dir = scratch();
    let fifo = dir.path().join("specs/hikerapi/zz-pipe.md");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap_or_else(|e| panic!("mkfifo: {e}"));
    assert!(made.success());
    let root = dir.path().to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(regen::plan(&root, Some("hikerapi")).map(|p| p.warnings));
    });
    let warnings = rx
        .recv_timeout(Duration::from_secs(120))
        .unwrap_or_else(|_| panic!("regen waited on the FIFO"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        warnings
            .iter()
            .any(|w| w.message.contains("zz-pipe.md") && w.message.contains("not a regular file")),
        "{warnings:#?}"
    );
}

#[test]
fn an_error_status_without_a_body_generates() {
    let dir = scratch();
    edit(
        dir.path(),
        "specs/konbiniapi/get-highlight-stories.md",
        "        '200':\n",
        "        '410':\n          description: Gone\n        '200':\n",
    );
    let plan = regen::plan(dir.path(), Some("konbiniapi")).unwrap_or_else(|e| panic!("{e}"));
    let doc: serde_json::Value = serde_json::from_str(&plan.crates[0].files["openapi.json"])
        .unwrap_or_else(|e| panic!("{e}"));
    let op = &doc["paths"]["/v1/instagram/highlights/{highlightId}"]["get"];
    assert_eq!(
        op["x-untyped-responses"]["410"]["description"], "Gone",
        "{op:#}"
    );
}

/// The fixture of corpus constructs as a vendor of its own: four-key manifest, the document as
/// published. (Compiled with the other fixtures in `more_pages`.)
#[test]
fn a_published_document_with_every_corpus_construct_generates() {
    let dir = scratch();
    copy_tree(
        &tests::repo_root().join("tests/fixtures/openapi/reality"),
        &dir.path().join("specs/reality"),
    );
    let plan = regen::plan(dir.path(), Some("reality"))
        .unwrap_or_else(|e| panic!("{}", regen::render(&e, 100)));
    let krate = &plan.crates[0];
    let doc: serde_json::Value =
        serde_json::from_str(&krate.files["openapi.json"]).unwrap_or_else(|e| panic!("{e}"));
    // Facts from the document: server variables filled in, the scheme renamed and followed.
    assert_eq!(doc["servers"][0]["url"], "https://eu.reality.example/api");
    assert!(doc["components"]["securitySchemes"]["JWT_Bearer"].is_object());
    assert_eq!(doc["x-vendor"]["auth"]["kind"], "bearer");
    // The property named $ref is a property again.
    assert_eq!(
        doc["components"]["schemas"]["Story"]["properties"]["$ref"]["type"],
        "string"
    );
    // Both Story and story stay, under names of their own.
    let schemas = doc["components"]["schemas"]
        .as_object()
        .map(|s| s.keys().cloned().collect::<Vec<_>>())
        .unwrap_or_default();
    assert!(
        schemas.contains(&"Story".to_owned()) && schemas.iter().any(|s| s.starts_with("story")),
        "{schemas:?}"
    );
    let messages: Vec<&str> = plan.warnings.iter().map(|w| w.message.as_str()).collect();
    for expected in [
        "JWT Bearer",
        "MaxResults",
        "deepObject",
        "cookie",
        "multipart/form-data",
        "204",
        "would name two Rust variants alike",
        "operationId `getStory`",
    ] {
        assert!(
            messages.iter().any(|m| m.contains(expected)),
            "no warning about {expected}: {messages:#?}"
        );
    }
    openapiv3_parses(&doc);
}

fn openapiv3_parses(doc: &serde_json::Value) {
    let _: openapiv3::OpenAPI =
        serde_json::from_value(doc.clone()).unwrap_or_else(|e| panic!("not OpenAPI 3.0: {e}"));
}

/// A scratch tree whose specs changed, and the generated/ a full regen makes of it.
fn changed_tree() -> (
    tempfile::TempDir,
    std::collections::BTreeMap<String, Vec<u8>>,
) {
    let change = |root: &Path| {
        edit(
            root,
            "specs/konbiniapi/get-highlight-stories.md",
            "Returns the highlight with all story items",
            "Returns the highlight and every story item in it",
        );
    };
    let expected = scratch();
    change(expected.path());
    regen::regenerate(expected.path(), None).unwrap_or_else(|e| panic!("{e}"));
    let dir = scratch();
    change(dir.path());
    (dir, snapshot_tree(&expected.path().join("generated")))
}

#[test]
fn a_regen_killed_at_any_instant_leaves_the_old_tree_or_the_new_one() {
    let (template, new) = changed_tree();
    let old = snapshot_tree(&template.path().join("generated"));
    assert_ne!(old, new, "the change must change generated/");
    let child = env!("CARGO_BIN_EXE_regen-child");
    for delay_ms in [0u64, 2, 5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560] {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        copy_tree(template.path(), dir.path());
        let mut process = Command::new(child)
            .arg(dir.path())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = process.kill();
        let _ = process.wait();
        let after = snapshot_tree(&dir.path().join("generated"));
        assert!(
            after == old || after == new,
            "killed after {delay_ms} ms: a mixed or broken tree"
        );
        // The next run repairs whatever the kill interrupted and finishes the job.
        regen::regenerate(dir.path(), None)
            .unwrap_or_else(|e| panic!("after a kill at {delay_ms} ms: {e}"));
        assert_eq!(
            snapshot_tree(&dir.path().join("generated")),
            new,
            "after {delay_ms} ms"
        );
        assert!(!dir.path().join(regen::swap::STAGING).exists());
    }
}

#[test]
fn concurrent_regens_take_turns() {
    for trial in 0..4 {
        let (dir, new) = changed_tree();
        let root = dir.path();
        std::thread::scope(|s| {
            let runs: Vec<_> = (0..3)
                .map(|_| s.spawn(|| regen::regenerate(root, None)))
                .collect();
            for run in runs {
                run.join()
                    .unwrap_or_else(|_| panic!("a regen panicked"))
                    .unwrap_or_else(|e| panic!("trial {trial}: {e}"));
            }
        });
        assert_eq!(snapshot_tree(&root.join("generated")), new, "trial {trial}");
        assert!(!root.join(regen::swap::STAGING).exists());
    }
}

/// Appends an overlay action to a vendor's overlay; returns the line the action starts at.
fn add_overlay_action(root: &Path, vendor: &str, action: &str) -> usize {
    let path = root.join(format!("specs/{vendor}/overlay.yaml"));
    let mut text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let line = text.matches('\n').count() + 1;
    text.push_str(action);
    fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    line
}

#[test]
fn references_that_never_end_are_located_errors_not_stack_overflows() {
    let page = "specs/konbiniapi/get-highlight-stories.md";
    for to in ["$ref: '#'", "$ref: '#/paths'", "$ref: '#/info'"] {
        let dir = scratch();
        let line = edit(
            dir.path(),
            page,
            "$ref: '#/components/schemas/InstagramImage'",
            to,
        );
        let err = refused(dir.path());
        assert_eq!(line_of(&err), (page.to_owned(), line), "{to}: {err}");
        assert_eq!(err.kind(), ErrorKind::DanglingRef, "{to}: {err}");
    }
}

#[test]
fn nesting_thousands_deep_is_a_located_error() {
    let dir = scratch();
    let page = "specs/konbiniapi/get-highlight-stories.md";
    // Flow style nests without indentation (block nesting is covered in spec-ingest's yaml).
    let deep = format!(
        "description: Highlight cover images\n                        x: {}{}",
        "[".repeat(3_000),
        "]".repeat(3_000)
    );
    let line = edit(
        dir.path(),
        page,
        "description: Highlight cover images",
        &deep,
    );
    let err = refused(dir.path());
    assert_eq!(err.kind(), ErrorKind::Yaml, "{err}");
    assert_eq!(line_of(&err), (page.to_owned(), line + 1), "{err}");
    // The YAML scanner bounds flow nesting itself; block nesting meets our own bound.
    assert!(
        err.message().contains("nested deeper than")
            || err.message().contains("recursion limit exceeded"),
        "{err}"
    );
}

#[test]
fn an_overlay_that_breaks_the_document_is_refused_at_its_action() {
    let cases = [
        (
            "  - target: $.components.schemas\n    update:\n      Story:\n        $ref: '#/components/schemas/Story'\n",
            3,
            "holds this reference itself",
        ),
        (
            "  - target: $.components.schemas.Story\n    remove: true\n",
            1,
            "points at nothing",
        ),
        (
            "  - target: $\n    update:\n      openapi: 3.1.0\n",
            2,
            "OpenAPI 3.0",
        ),
        (
            "  - target: $.paths\n    remove: true\n",
            1,
            "lost its `paths`",
        ),
    ];
    for (action, offset, says) in cases {
        let dir = scratch();
        let line = add_overlay_action(dir.path(), "hikerapi", action);
        let err = refused(dir.path());
        assert_eq!(
            line_of(&err),
            ("specs/hikerapi/overlay.yaml".to_owned(), line + offset),
            "{action}: {err}"
        );
        assert!(
            err.message().contains(says) && err.message().contains("(after overlay action"),
            "{action}: {err}"
        );
    }
}

#[test]
fn an_emptied_page_is_refused_naming_it() {
    let dir = scratch();
    fs::write(dir.path().join("specs/hikerapi/highlights.md"), "")
        .unwrap_or_else(|e| panic!("{e}"));
    let err = refused(dir.path());
    assert_eq!(
        line_of(&err),
        ("specs/hikerapi/highlights.md".to_owned(), 1)
    );
    assert!(err.message().contains("documents no endpoint"), "{err}");
}

#[test]
fn a_page_past_the_size_limit_is_refused_before_it_is_read() {
    let dir = scratch();
    let path = dir.path().join("specs/hikerapi/stories.md");
    let file = fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap_or_else(|e| panic!("{e}"));
    // Sparse: the limit is checked on the size, so nothing of it is read.
    file.set_len(spec_ingest::MAX_PAGE_BYTES + 1)
        .unwrap_or_else(|e| panic!("{e}"));
    let err = refused(dir.path());
    assert_eq!(line_of(&err), ("specs/hikerapi/stories.md".to_owned(), 1));
    assert!(err.message().contains("at most 8 MiB"), "{err}");
}

#[test]
fn a_response_without_the_description_3_0_requires_generates_with_a_warning() {
    let dir = scratch();
    let page = "specs/konbiniapi/get-highlight-stories.md";
    let line = edit(
        dir.path(),
        page,
        "          description: Returns the highlight with all story items\n",
        "",
    );
    let plan = regen::plan(dir.path(), Some("konbiniapi"))
        .unwrap_or_else(|e| panic!("{}", regen::render(&e, 100)));
    let warning = plan
        .warnings
        .iter()
        .find(|w| w.message.contains("response 200 has no description"))
        .unwrap_or_else(|| panic!("no warning: {:?}", plan.warnings));
    let at = warning.location.as_ref().map(|l| (l.file.as_str(), l.line));
    assert_eq!(at, Some((page, line - 1)), "{warning}");
}

#[test]
fn a_dangling_ref_with_a_sibling_keyword_is_reported_at_its_own_line() {
    let dir = scratch();
    let page = "specs/konbiniapi/get-highlight-stories.md";
    let line = edit(
        dir.path(),
        page,
        "$ref: '#/components/schemas/InstagramImage'",
        "$ref: '#/components/schemas/Nope'\n                          description: a sibling keyword",
    );
    let err = refused(dir.path());
    let loc = err
        .location()
        .unwrap_or_else(|| panic!("no location: {err}"));
    assert_eq!(
        (loc.file.as_str(), loc.line, loc.column),
        (page, line, 33),
        "{err}"
    );
}

#[test]
fn a_page_that_lost_an_endpoint_warns_about_it() {
    let dir = scratch();
    let path = dir.path().join("specs/hikerapi/stories.md");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    let section = |line: &str| {
        text.find(line)
            .unwrap_or_else(|| panic!("the stories page has {line:?}"))
    };
    let (from, to) = (
        section("\nGET /v1/story/download/by/url\n"),
        section("\nGET /v1/user/stories\n"),
    );
    fs::write(&path, format!("{}{}", &text[..from], &text[to..])).unwrap_or_else(|e| panic!("{e}"));
    let plan = regen::plan(dir.path(), Some("hikerapi"))
        .unwrap_or_else(|e| panic!("{}", regen::render(&e, 100)));
    let lost: Vec<&str> = plan
        .warnings
        .iter()
        .filter(|w| {
            w.message
                .contains("is in the committed client but no page documents it now")
        })
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(lost.len(), 1, "{lost:#?}");
    assert!(
        lost[0].starts_with("GET /v1/story/download/by/url "),
        "{lost:#?}"
    );
}

#[test]
fn a_docs_change_is_reviewed_and_the_crate_version_follows_it() {
    let dir = scratch();
    let page = "specs/konbiniapi/get-highlight-stories.md";
    // The vendor drops a response property and adds an optional parameter.
    edit(
        dir.path(),
        page,
        "                      image:\n                        type: array\n                        items:\n                          $ref: '#/components/schemas/InstagramImage'\n                        description: Highlight cover images\n",
        "",
    );
    edit(
        dir.path(),
        page,
        "          name: highlightId\n          in: path\n",
        "          name: highlightId\n          in: path\n        - schema:\n            type: integer\n          required: false\n          description: How many items\n          name: limit\n          in: query\n",
    );
    let plan = regen::plan(dir.path(), Some("konbiniapi"))
        .unwrap_or_else(|e| panic!("{}", regen::render(&e, 100)));
    let [review] = plan.reviews.as_slice() else {
        panic!("one review: {:?}", plan.reviews)
    };
    assert_eq!(
        (review.from.as_deref(), review.to.as_str()),
        (Some("0.1.0"), "0.2.0"),
        "a breaking change bumps 0.x's minor"
    );
    let found: Vec<(&str, api_diff::Level)> = review
        .report
        .changes
        .iter()
        .map(|c| (c.id, c.level))
        .collect();
    assert!(
        found.contains(&("response-property-removed", api_diff::Level::Breaking)),
        "{found:?}"
    );
    assert!(
        found.contains(&("new-optional-request-parameter", api_diff::Level::Info)),
        "{found:?}"
    );
    let text = review.to_text();
    assert!(
        text.starts_with("konbiniapi-client 0.1.0 → 0.2.0\n"),
        "{text}"
    );
    assert!(text.contains("`data.image` was removed"), "{text}");
    regen::regenerate(dir.path(), Some("konbiniapi"))
        .unwrap_or_else(|e| panic!("{}", regen::render(&e, 100)));
    let toml = fs::read_to_string(dir.path().join("generated/konbiniapi-client/Cargo.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(toml.contains("version = \"0.2.0\""), "{toml}");
    // Regenerating again reviews nothing and keeps the version: --check stays deterministic.
    let again = regen::plan(dir.path(), Some("konbiniapi"))
        .unwrap_or_else(|e| panic!("{}", regen::render(&e, 100)));
    assert!(again.reviews[0].report.changes.is_empty());
    assert_eq!(again.reviews[0].to, "0.2.0");
    assert!(
        regen::check(dir.path(), &again)
            .unwrap_or_else(|e| panic!("{e}"))
            .is_fresh()
    );
}
