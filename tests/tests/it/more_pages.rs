//! More pages of the same sites need no code change: fixture pages in HikerAPI's and
//! KonbiniAPI's styles (`tests/fixtures/pages/`), in every shape the vendors use — a documented
//! object taking a name nested types had, paged chunks `[[item, …], cursor]`, a bare JSON
//! example, an envelope the prose does not mention, a map keyed by ids, a second API version
//! describing an object differently, every kind of JSON value as an example (a bare string, a
//! number, `null`, a list of ids), two pages showing one name as a short and a full object
//! (merged) or with no field in common (told apart), a v2 page whose object clashes with another
//! v2 page's, deprecated endpoints, downloads answering bytes, and Mintlify pages repeating the
//! same components — are added to a copy of the whole workspace. Regen succeeds, every type
//! keeps its name, the workspace (tests included) still compiles, and the new operations'
//! examples decode into their generated types.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use tests::{copy_workspace, repo_root};

fn fixtures(vendor: &str) -> Vec<PathBuf> {
    let dir = repo_root().join("tests/fixtures/pages").join(vendor);
    let mut pages: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    pages.sort();
    pages
}

fn document(root: &Path, vendor: &str) -> Value {
    let path = root.join(format!("generated/{vendor}-client/openapi.json"));
    serde_json::from_str(&fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}")))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Every type name a client offers: its components and their aliases.
fn type_names(doc: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (name, schema) in doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
    {
        out.insert(name.clone());
        for alias in schema["x-aliases"].as_array().into_iter().flatten() {
            out.extend(alias.as_str().map(str::to_owned));
        }
    }
    out
}

fn operation_ids(doc: &Value) -> BTreeSet<String> {
    spec_ingest::operations(doc)
        .into_iter()
        .filter_map(|(_, _, op)| op["operationId"].as_str().map(str::to_owned))
        .collect()
}

fn operation<'d>(doc: &'d Value, operation: &str) -> &'d Value {
    spec_ingest::operations(doc)
        .into_iter()
        .find(|(_, _, op)| op["operationId"] == operation)
        .map(|(_, _, op)| op)
        .unwrap_or_else(|| panic!("no operation {operation}"))
}

fn success_content<'d>(doc: &'d Value, op: &str) -> &'d Value {
    &operation(doc, op)["responses"]["200"]["content"]
}

fn success_schema<'d>(doc: &'d Value, op: &str) -> &'d Value {
    &success_content(doc, op)["application/json"]["schema"]
}

/// The warning that contains `text`; its whole line is returned.
fn warning<'w>(warnings: &'w [String], text: &str) -> &'w str {
    warnings
        .iter()
        .find(|w| w.contains(text))
        .unwrap_or_else(|| panic!("no warning says {text:?}:\n{}", warnings.join("\n")))
}

/// A test that only compiles against the new client: it follows a paged chunk endpoint from
/// the fixture pages through its typed builder, cursor after cursor, against a loopback server.
const FOLLOW_CHUNKS: &str = r#"
use client_runtime::FromApiKey;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn a_chunked_list_is_followed_to_its_end() {
    let server = MockServer::start().await;
    let media = |pk: &str| serde_json::json!({"pk": pk, "code": "c", "media_type": 1});
    Mock::given(method("GET"))
        .and(path("/v1/user/medias/chunk"))
        .and(query_param_is_missing("end_cursor"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([[media("1"), media("2")], "next-1"])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/user/medias/chunk"))
        .and(query_param("end_cursor", "next-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([[media("3")], null])))
        .mount(&server)
        .await;
    let client = hikerapi_client::Client::with_api_key(&server.uri(), "k").unwrap_or_else(|e| panic!("{e}"));
    let mut cursor: Option<String> = None;
    let mut pks = Vec::new();
    loop {
        let mut call = client.get_v1_user_medias_chunk().user_id("787132");
        if let Some(c) = &cursor {
            call = call.end_cursor(c.clone());
        }
        let chunk = call.send().await.unwrap_or_else(|e| panic!("{e}")).into_inner();
        pks.extend(chunk.items.iter().filter_map(|m| m.pk.as_ref().map(|p| p.to_string())));
        if !chunk.has_next() {
            break;
        }
        cursor = chunk.next_cursor;
    }
    assert_eq!(pks, ["1", "2", "3"]);
}
"#;

#[test]
fn pages_of_every_shape_need_no_code_change() {
    let root = repo_root();
    let scratch = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    copy_workspace(&root, scratch.path());
    let mut before = Vec::new();
    for vendor in ["hikerapi", "konbiniapi"] {
        before.push((vendor, document(&root, vendor)));
        for page in fixtures(vendor) {
            let name = page.file_name().unwrap_or_default();
            fs::copy(&page, scratch.path().join("specs").join(vendor).join(name))
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    // A vendor that publishes an OpenAPI document with every construct the corpus run found
    // breaking: its client must compile with the rest.
    crate::regen::copy_tree(
        &root.join("tests/fixtures/openapi/reality"),
        &scratch.path().join("specs/reality"),
    );
    let plan =
        regen::plan(scratch.path(), None).unwrap_or_else(|e| panic!("{}", regen::render(&e, 100)));
    let warnings: Vec<String> = plan.warnings.iter().map(ToString::to_string).collect();
    regen::regenerate(scratch.path(), None)
        .unwrap_or_else(|e| panic!("{}", regen::render(&e, 100)));
    assert!(
        scratch
            .path()
            .join("generated/reality-client/src/client.rs")
            .is_file()
    );

    for (vendor, old) in &before {
        let new = document(scratch.path(), vendor);
        let (old_names, new_names) = (type_names(old), type_names(&new));
        let lost: Vec<&String> = old_names.difference(&new_names).collect();
        assert!(
            lost.is_empty(),
            "{vendor}: adding pages lost the types {lost:?}"
        );
        let added: Vec<String> = operation_ids(&new)
            .difference(&operation_ids(old))
            .cloned()
            .collect();
        assert!(
            !added.is_empty(),
            "{vendor}: the fixture pages added no operation"
        );
        // Every new operation's answer is typed: JSON with a schema, or bytes. (An answer
        // documented only by `null` says nothing of its type; it is warned about below.)
        for op in &added {
            let content = success_content(&new, op);
            if content.get("application/octet-stream").is_some()
                || content["application/json"].get("example") == Some(&Value::Null)
            {
                continue;
            }
            let schema = success_schema(&new, op);
            assert!(
                schema.as_object().is_some_and(|s| !s.is_empty()),
                "{vendor} {op}: untyped body {schema}"
            );
        }
        // No two components are the same type under two names.
        let mut seen = BTreeSet::new();
        for (name, schema) in new["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
        {
            let mut schema = schema.clone();
            schema.as_object_mut().map(|s| s.shift_remove("x-aliases"));
            assert!(
                seen.insert(schema.to_string()),
                "{vendor}: {name} repeats a type"
            );
        }
    }

    let hiker = document(scratch.path(), "hikerapi");
    // A documented User object takes `User`; the nested user type keeps all its names.
    assert!(hiker["components"]["schemas"]["User"]["properties"]["follower_count"].is_object());
    assert!(type_names(&hiker).contains("StoryUser"));
    // Paged chunks are chunk types of the documented object, which the client can follow.
    for (op, item) in [
        ("get_v1_user_medias_chunk", "Media"),
        ("get_v1_media_comments_chunk", "Comment"),
        ("get_v1_user_following_chunk", "User"),
    ] {
        assert_eq!(
            success_schema(&hiker, op)["$ref"],
            format!("#/components/schemas/{item}Chunk"),
            "{op}"
        );
        let fields = hiker["components"]["schemas"][item]["properties"]
            .as_object()
            .map_or(0, serde_json::Map::len);
        assert!(
            fields >= 4,
            "{item} has only {fields} fields: chunks must not poison it"
        );
    }
    let client = fs::read_to_string(
        scratch
            .path()
            .join("generated/hikerapi-client/src/client.rs"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(client.contains("::client_runtime::Chunk<crate::types::Media>"));
    // A bare example is typed; a map keyed by ids is a map; v2's Highlight is its own type.
    assert_eq!(
        success_schema(&hiker, "get_v1_media_pk_from_code")["type"],
        "integer"
    );
    assert!(success_schema(&hiker, "get_v2_highlights_by_ids")["additionalProperties"].is_object());
    assert!(hiker["components"]["schemas"]["HighlightV2"].is_object());
    // Every kind of JSON value is an example: a bare string, a number, `null`, a list of ids.
    let media = |op: &str| success_content(&hiker, op)["application/json"].clone();
    assert_eq!(
        media("get_v1_media_code_from_pk")["schema"]["type"],
        "string"
    );
    assert_eq!(media("get_v1_media_code_from_pk")["example"], "DVqZ2rACkqL");
    assert_eq!(
        media("get_v1_media_insight").get("example"),
        Some(&Value::Null)
    );
    warning(
        &warnings,
        "GET /v1/media/insight response 200 has no schema and only `null` as its example; its body stays untyped",
    );
    assert_eq!(
        media("get_v1_media_likers_ids")["schema"]["items"]["type"],
        "string"
    );
    // A short and a full user under one name are one type holding every field; the warning
    // names both pages.
    assert_eq!(
        success_schema(&hiker, "get_v1_media_user")["$ref"],
        "#/components/schemas/User"
    );
    let user = &hiker["components"]["schemas"]["User"]["properties"];
    assert!(
        user["id"].is_object() && user["follower_count"].is_object(),
        "{user}"
    );
    let merged = warning(&warnings, "one `User` type holds both");
    assert!(
        merged.contains("specs/hikerapi/user.md:") && merged.contains("specs/hikerapi/media.md:"),
        "{merged}"
    );
    // Objects that share no field, and v2 objects of another shape, are told apart by page.
    assert_eq!(
        success_schema(&hiker, "get_v1_user_business_address")["$ref"],
        "#/components/schemas/LocationOnUserPage"
    );
    assert_eq!(
        success_schema(&hiker, "get_v1_media_location")["$ref"],
        "#/components/schemas/Location"
    );
    warning(
        &warnings,
        "two pages describe different `Location` objects (the two pages' examples have no field in common); this page's are the type `LocationOnUserPage`",
    );
    assert_eq!(
        success_schema(&hiker, "get_v2_user_highlights")["items"]["$ref"],
        "#/components/schemas/HighlightV2OnUserPage"
    );
    let split = warning(
        &warnings,
        "this page's are the type `HighlightV2OnUserPage`",
    );
    assert!(
        split.starts_with("specs/hikerapi/v2-user.md:")
            && split.contains("(the other place: specs/hikerapi/v2-highlights.md:"),
        "{split}"
    );
    // Deprecated endpoints and downloads answering bytes.
    assert_eq!(
        operation(&hiker, "get_v2_user_highlights_by_username")["deprecated"],
        true
    );
    assert!(
        success_content(&hiker, "get_v2_story_download")["application/octet-stream"].is_object()
    );
    // KonbiniAPI's pages repeat components and error bodies: each is one type.
    let konbini = document(scratch.path(), "konbiniapi");
    let errors = konbini["components"]["schemas"]
        .as_object()
        .map_or(0, |s| s.keys().filter(|k| k.ends_with("Error")).count());
    assert_eq!(errors, 1, "one error type for every operation");

    // The workspace, tests included, compiles against the new clients; the new examples decode
    // into their generated types, and a chunked list is followed through the typed client.
    let it = scratch.path().join("tests/tests/it");
    fs::write(it.join("follow_chunks.rs"), FOLLOW_CHUNKS).unwrap_or_else(|e| panic!("{e}"));
    let main = fs::read_to_string(it.join("main.rs")).unwrap_or_else(|e| panic!("{e}"));
    fs::write(it.join("main.rs"), format!("{main}mod follow_chunks;\n"))
        .unwrap_or_else(|e| panic!("{e}"));
    tests::cargo(
        scratch.path(),
        &tests::scratch_target(env!("CARGO_TARGET_TMPDIR"), "more-pages"),
        &["test", "--offline", "--workspace", "--no-run"],
        &[],
    );
    let ran = tests::cargo(
        scratch.path(),
        &tests::scratch_target(env!("CARGO_TARGET_TMPDIR"), "more-pages"),
        &[
            "test",
            "--offline",
            "-p",
            "tests",
            "--test",
            "it",
            "--",
            "examples_decode",
            "follow_chunks",
        ],
        &[],
    );
    for test in [
        "examples_decode::every_example_of_every_vendor_decodes_into_its_generated_type ... ok",
        "follow_chunks::a_chunked_list_is_followed_to_its_end ... ok",
    ] {
        assert!(ran.contains(test), "{test} did not run:\n{ran}");
    }
}
