//! Pages in HikerAPI's style, and variations of them, through the whole reader.

use serde_json::{Value, json};

use super::*;
use crate::error::ErrorKind;
use crate::source::Page;

/// A document read from pages, with its warnings.
#[derive(Debug)]
struct Read {
    doc: Value,
    warnings: Vec<Warning>,
}

fn parse(pages: &[&str]) -> Result<Read, IngestError> {
    let pages: Vec<Page> = pages
        .iter()
        .enumerate()
        .map(|(i, t)| Page::new(format!("specs/v/p{i}.md"), *t))
        .collect();
    let ctx = Ctx {
        vendor: "v",
        pages: &pages,
    };
    parse_pages(&ctx, pages.len(), "V API").map(|(parsed, warnings)| Read {
        doc: parsed.doc,
        warnings,
    })
}

fn ok(pages: &[&str]) -> Read {
    parse(pages).unwrap_or_else(|e| panic!("{e}"))
}

const PREAMBLE: &str = "Things Endpoints\nGet things.\nAuthentication & errors\nAll endpoints require x-access-key header. See Authentication.\n";

#[test]
fn endpoint_lines_summaries_and_the_auth_sentence() {
    let p = ok(&[&format!(
        "{PREAMBLE}GET /v1/thing/by/id\nGet thing by id. Returns a Thing object.\nExample response\n{{\"pk\": \"1\", \"name\": \"a\", \"n\": 1}}\n"
    )]);
    let op = &p.doc["paths"]["/v1/thing/by/id"]["get"];
    assert_eq!(op["summary"], "Get thing by id");
    assert_eq!(
        op["responses"]["200"]["content"]["application/json"]["schema"],
        json!({"$ref": "#/components/schemas/Thing"})
    );
    assert_eq!(
        p.doc["components"]["securitySchemes"]["apiKey"],
        json!({"type": "apiKey", "in": "header", "name": "x-access-key"})
    );
    assert_eq!(
        p.doc["components"]["schemas"]["Thing"]["properties"]["n"]["type"],
        "integer"
    );
}

#[test]
fn broken_table_rows_and_billing_notes() {
    let p = ok(&[&format!(
        "{PREAMBLE}GET /v1/things\n⚠️ Billing: 2 requests per call. Returns a list of Thing objects.\n| Parameter | Type | Required | Description |\n|---|---|---|---|\nuser_id |\nstring | Yes | User Id |\namount |\ninteger | No | Amount |\n| force | boolean | No | Skip check |\n"
    )]);
    let op = &p.doc["paths"]["/v1/things"]["get"];
    let params: Vec<(String, bool, String)> = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p["name"].as_str().unwrap_or("").to_owned(),
                p["required"] == true,
                p["schema"]["type"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        params,
        vec![
            ("user_id".into(), true, "string".into()),
            ("amount".into(), false, "integer".into()),
            ("force".into(), false, "boolean".into())
        ]
    );
    assert_eq!(
        op["x-cost"],
        json!({"amount": 2, "unit": "request", "source": "page"})
    );
    assert_eq!(
        op["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"],
        "#/components/schemas/Thing"
    );
}

#[test]
fn columns_in_another_order() {
    let p = ok(&[&format!(
        "{PREAMBLE}GET /v1/x\nReturns a Thing object.\n| Required | Description | Type | Name |\n|---|---|---|---|\n| Yes | The id | string | id |\n"
    )]);
    let param = &p.doc["paths"]["/v1/x"]["get"]["parameters"][0];
    assert_eq!(
        (
            param["name"].as_str(),
            param["required"].as_bool(),
            param["description"].as_str()
        ),
        (Some("id"), Some(true), Some("The id"))
    );
}

#[test]
fn a_post_with_a_body_parameter_table() {
    let p = ok(&[&format!(
        "{PREAMBLE}POST /v1/things/search\nSearch things. Returns a list of Thing objects.\nBody parameters\n| Parameter | Type | Required | Description |\n|---|---|---|---|\n| query | string | Yes | Text |\n| tags | array[string] | No | Tags |\n"
    )]);
    let op = &p.doc["paths"]["/v1/things/search"]["post"];
    assert!(op.get("parameters").is_none());
    assert_eq!(
        op["requestBody"]["content"]["application/json"]["schema"],
        json!({"type": "object", "properties": {
            "query": {"type": "string", "description": "Text"},
            "tags": {"type": "array", "items": {"type": "string"}, "description": "Tags"}
        }, "required": ["query"]})
    );
}

#[test]
fn path_parameters_are_path_parameters() {
    let p = ok(&[&format!(
        "{PREAMBLE}GET /v1/things/{{id}}\nReturns a Thing object.\n| Parameter | Type | Required | Description |\n|---|---|---|---|\n| id | string | Yes | Id |\n"
    )]);
    assert_eq!(
        p.doc["paths"]["/v1/things/{id}"]["get"]["parameters"][0]["in"],
        "path"
    );
}

#[test]
fn an_object_without_example_here_gets_its_type_from_other_endpoints_and_pages() {
    let p = ok(&[
        &format!("{PREAMBLE}GET /v1/thing/by/id\nReturns a Thing object.\n"),
        &format!(
            "{PREAMBLE}GET /v1/things\nReturns a list of Thing objects.\nExample response\n[{{\"pk\": \"1\", \"name\": \"a\", \"extra\": true}}, {{\"pk\": \"2\", \"name\": \"b\"}}]\nGET /v1/thing/latest\nReturns a Thing object.\nExample response\n{{\"pk\": \"3\", \"name\": null, \"other\": 1.5}}\n"
        ),
    ]);
    let thing = &p.doc["components"]["schemas"]["Thing"];
    assert_eq!(thing["x-inferred"]["present"], json!(["pk", "name"]));
    assert!(
        thing.get("required").is_none(),
        "examples never make a field required"
    );
    assert_eq!(
        thing["properties"]["name"],
        json!({"type": "string", "nullable": true})
    );
    assert_eq!(thing["properties"]["extra"]["type"], "boolean");
    assert_eq!(thing["properties"]["other"]["type"], "number");
    assert_eq!(
        p.doc["paths"]["/v1/thing/by/id"]["get"]["responses"]["200"]["content"]["application/json"]
            ["schema"]["$ref"],
        "#/components/schemas/Thing"
    );
}

/// The component a (possibly nullable) property refers to.
fn target(schema: &Value) -> &str {
    schema
        .get("$ref")
        .or_else(|| schema.pointer("/allOf/0/$ref"))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

#[test]
fn recurring_nested_objects_share_one_schema_and_named_ones_are_referenced() {
    let user = "{\"pk\": \"1\", \"username\": \"u\", \"full_name\": \"U\"}";
    let story = format!(
        "{{\"pk\": \"9\", \"code\": \"c\", \"taken_at\": \"2026-01-01T00:00:00Z\", \"user\": {user}, \"sponsor_tags\": [{user}]}}"
    );
    let p = ok(&[&format!(
        "{PREAMBLE}GET /v1/story\nReturns a Story object.\nExample response\n{story}\nGET /v1/highlight\nReturns a Highlight object.\nExample response\n{{\"pk\": \"h\", \"title\": \"t\", \"user\": {{\"pk\": \"2\", \"username\": null, \"full_name\": \"V\"}}, \"items\": [{story}]}}\n"
    )]);
    let schemas = &p.doc["components"]["schemas"];
    // The user object in three places: one schema, inferred from all of them (a null username
    // in one place makes it nullable in every place), left inline for hoisting to name.
    let without_nullable = |v: &Value| {
        let mut v = v.clone();
        v.as_object_mut().map(|m| m.shift_remove("nullable"));
        v
    };
    let at_story = without_nullable(&schemas["Story"]["properties"]["user"]);
    assert_eq!(at_story["properties"]["username"]["nullable"], true);
    assert_eq!(at_story["x-inferred"]["null"], json!(["username"]));
    assert_eq!(
        without_nullable(&schemas["Story"]["properties"]["sponsor_tags"]["items"]),
        at_story
    );
    assert_eq!(
        without_nullable(&schemas["Highlight"]["properties"]["user"]),
        at_story
    );
    // A nested story is the Story object; the name of its place stays as an alias.
    assert_eq!(
        target(&schemas["Highlight"]["properties"]["items"]["items"]),
        "#/components/schemas/Story"
    );
    assert_eq!(schemas["Story"]["x-aliases"], json!(["HighlightItemsItem"]));
}

#[test]
fn pages_whose_objects_disagree_get_a_type_each_and_one_warning_naming_both() {
    let p = ok(&[
        &format!(
            "{PREAMBLE}GET /v1/a\nReturns a Thing object.\nExample response\n{{\"pk\": \"1\", \"count\": \"a\"}}\n"
        ),
        &format!(
            "{PREAMBLE}GET /v1/b\nReturns a Thing object.\nExample response\n{{\"pk\": 1, \"count\": 2}}\nGET /v1/b/chunk\nReturns a list of Thing objects.\nExample response\n[[{{\"pk\": 2, \"count\": 3}}], \"next\"]\n"
        ),
    ]);
    let schemas = &p.doc["components"]["schemas"];
    assert_eq!(schemas["Thing"]["properties"]["count"]["type"], "string");
    // Page `p1.md`: its words name its own type.
    assert_eq!(
        schemas["ThingOnP1Page"]["properties"]["count"]["type"],
        "integer"
    );
    let body = |path: &str| {
        p.doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            .clone()
    };
    assert_eq!(body("/v1/a"), json!({"$ref": "#/components/schemas/Thing"}));
    assert_eq!(
        body("/v1/b"),
        json!({"$ref": "#/components/schemas/ThingOnP1Page"})
    );
    assert_eq!(
        body("/v1/b/chunk"),
        json!({"$ref": "#/components/schemas/ThingOnP1PageChunk"})
    );
    assert!(
        schemas.get("ThingChunk").is_none(),
        "no page returns chunks of `Thing`"
    );
    assert_eq!(
        schemas["ThingOnP1PageChunk"][canonical::CHUNK],
        json!({"$ref": "#/components/schemas/ThingOnP1Page"})
    );
    let [w] = p.warnings.as_slice() else {
        panic!("one warning: {:?}", p.warnings)
    };
    assert!(
        w.message.contains("two pages describe different `Thing` objects (`count` is string on one page and integer on the other); this page's are the type `ThingOnP1Page` (the other place: specs/v/p0.md:8:1)"),
        "{}",
        w.message
    );
    assert_eq!(
        w.location.as_ref().map(|l| (l.file.as_str(), l.line)),
        Some(("specs/v/p1.md", 8))
    );
}

#[test]
fn a_short_and_a_full_object_of_one_name_are_one_type_with_a_warning() {
    let full = r#"{"pk": "1", "username": "a", "full_name": "A", "biography": "b", "follower_count": 3, "is_private": false, "is_verified": true, "external_url": null}"#;
    let short = r#"{"pk": "2", "username": "b", "is_verified": false}"#;
    let p = ok(&[
        &format!(
            "{PREAMBLE}GET /v1/user/by/id\nReturns a User object.\nExample response\n{full}\n"
        ),
        &format!(
            "{PREAMBLE}GET /v1/media/user\nReturns a User object.\nExample response\n{short}\n"
        ),
    ]);
    let user = &p.doc["components"]["schemas"]["User"];
    let fields: Vec<&str> = user["properties"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.keys().map(String::as_str))
        .collect();
    assert_eq!(
        fields,
        [
            "pk",
            "username",
            "full_name",
            "biography",
            "follower_count",
            "is_private",
            "is_verified",
            "external_url"
        ]
    );
    assert_eq!(
        p.doc["components"]["schemas"].as_object().map(|m| m.len()),
        Some(1)
    );
    let [w] = p.warnings.as_slice() else {
        panic!("one warning: {:?}", p.warnings)
    };
    assert!(
        w.message.contains("share fewer than half their fields with another page's (3 of 8); one `User` type holds both")
            && w.message.contains("(the other place: specs/v/p0.md:"),
        "{}",
        w.message
    );
}

#[test]
fn pages_whose_objects_share_no_field_are_told_apart() {
    let p = ok(&[
        &format!(
            "{PREAMBLE}GET /v1/a\nReturns a Thing object.\nExample response\n{{\"pk\": \"1\", \"name\": \"a\"}}\n"
        ),
        &format!(
            "{PREAMBLE}GET /v1/b\nReturns a Thing object.\nExample response\n{{\"status\": \"ok\", \"total\": 2}}\n"
        ),
    ]);
    let schemas = &p.doc["components"]["schemas"];
    assert!(schemas["Thing"]["properties"].get("status").is_none());
    assert_eq!(
        schemas["ThingOnP1Page"]["properties"]["total"]["type"],
        "integer"
    );
    assert!(
        p.warnings[0].message.contains("no field in common"),
        "{:?}",
        p.warnings
    );
}

#[test]
fn downloads_are_byte_streams_and_deprecated_endpoints_are_marked() {
    let p = ok(&[&format!(
        "{PREAMBLE}GET /v1/thing/download\nDownload the media. Returns thing download data.\n| Parameter | Type | Required | Description |\n|---|---|---|---|\n| id | string | Yes | Id |\nDeprecated endpoints\nThese endpoints will be removed.\n~~GET /v1/thing/old~~\nWarning\nOld Thing\n"
    )]);
    assert_eq!(
        p.doc["paths"]["/v1/thing/download"]["get"]["responses"]["200"]["content"],
        json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}})
    );
    let old = &p.doc["paths"]["/v1/thing/old"]["get"];
    assert_eq!(old["deprecated"], true);
    assert_eq!(old["summary"], "Old Thing");
}

#[test]
fn unknown_lines_are_skipped_with_a_located_warning() {
    let p = ok(&[&format!(
        "{PREAMBLE}GET /v1/x\nReturns a Thing object.\nExample response\n{{\"a\": 1}}\nSomething unexpected\n"
    )]);
    assert_eq!(p.warnings.len(), 1);
    let w = &p.warnings[0];
    assert_eq!(w.location.as_ref().map(|l| l.line), Some(9));
    assert!(w.message.contains("Something unexpected"));
}

#[test]
fn a_malformed_table_is_a_located_error() {
    let err = parse(&[&format!(
        "{PREAMBLE}GET /v1/x\nReturns a Thing object.\n| Parameter | Type | Required | Description |\n|---|---|---|---|\nid |\nstring | Yes |\n"
    )])
    .expect_err("five cells for four columns");
    assert_eq!(err.kind(), ErrorKind::Markdown);
    assert_eq!(err.location().map(|l| l.line), Some(7));
    assert!(err.message().contains("malformed parameter table"), "{err}");
    let err = parse(&[&format!("{PREAMBLE}GET /v1/x\n| Parameter | Type | Required | Description |\n|---|---|---|---|\n| id | uuid-ish | Yes | Id |\n")])
        .expect_err("unknown type");
    assert_eq!(err.location().map(|l| l.line), Some(8));
}

#[test]
fn an_example_that_is_not_json_is_a_located_error() {
    let err = parse(&[&format!("{PREAMBLE}GET /v1/x\nReturns a Thing object.\nExample response\n{{\n\"a\": 1,\n\"b\": nope\n}}\n")])
        .expect_err("not JSON");
    assert_eq!(err.kind(), ErrorKind::ExampleNotJson);
    assert_eq!(err.location().map(|l| l.line), Some(10));
    let err = parse(&[&format!(
        "{PREAMBLE}GET /v1/x\nExample response\n{{\n\"a\": 1\n"
    )])
    .expect_err("never closes");
    assert_eq!(err.location().map(|l| l.line), Some(7));
}

#[test]
fn an_example_of_another_kind_than_stated_is_typed_and_reported_with_its_line() {
    let p = ok(&[&format!(
        "{PREAMBLE}GET /v1/x\nReturns a list of Thing objects.\nExample response\n\"abc\"\n"
    )]);
    let media = &p.doc["paths"]["/v1/x"]["get"]["responses"]["200"]["content"]["application/json"];
    assert_eq!(media["example"], "abc");
    let w = p
        .warnings
        .iter()
        .find(|w| w.message.contains("returns a list of `Thing` objects"))
        .unwrap_or_else(|| panic!("{:?}", p.warnings));
    assert!(
        w.message.contains("the example is a string"),
        "{}",
        w.message
    );
    assert_eq!(w.location.as_ref().map(|l| l.line), Some(8));
}

#[test]
fn bare_values_after_the_label_are_examples() {
    let p = ok(&[&format!(
        "{PREAMBLE}GET /v1/media/pk/from/code\nGet a media pk from its shortcode.\n| Parameter | Type | Required | Description |\n|---|---|---|---|\n| code | string | Yes | Shortcode |\nExample response\n3488593813459287\nGET /v1/media/code/from/pk\nExample response\n\"DW38ZhqiKax\"\n"
    )]);
    let example = |path: &str| {
        p.doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["example"]
            .clone()
    };
    assert_eq!(
        example("/v1/media/pk/from/code"),
        json!(3_488_593_813_459_287_u64)
    );
    assert_eq!(example("/v1/media/code/from/pk"), json!("DW38ZhqiKax"));
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn paged_chunks_become_a_chunk_type_of_the_named_object() {
    let p = ok(&[&format!(
        "{PREAMBLE}GET /v1/user/medias/chunk\nGet a chunk of medias. Returns a list of Media objects.\n| Parameter | Type | Required | Description |\n|---|---|---|---|\n| user_id | string | Yes | User id |\n| end_cursor | string | No | Cursor |\nExample response\n[[{{\"pk\": \"1\", \"code\": \"a\", \"media_type\": 1}}, {{\"pk\": \"2\", \"code\": \"b\", \"media_type\": 2}}], \"QVFCb\"]\n"
    )]);
    let op = &p.doc["paths"]["/v1/user/medias/chunk"]["get"];
    assert_eq!(
        op["responses"]["200"]["content"]["application/json"]["schema"],
        json!({"$ref": "#/components/schemas/MediaChunk"})
    );
    let chunk = &p.doc["components"]["schemas"]["MediaChunk"];
    assert_eq!(
        chunk["x-chunk"],
        json!({"$ref": "#/components/schemas/Media"})
    );
    let media = &p.doc["components"]["schemas"]["Media"];
    assert_eq!(
        media["x-inferred"]["present"],
        json!(["pk", "code", "media_type"])
    );
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn envelopes_the_prose_does_not_mention_hold_the_named_objects() {
    let media = "{\"pk\": \"1\", \"code\": \"a\", \"media_type\": 1, \"taken_at\": 1}";
    let p = ok(&[&format!(
        "{PREAMBLE}GET /v1/media/by/id\nReturns a Media object.\nExample response\n{media}\nGET /v2/user/medias\nReturns a list of Media objects.\nExample response\n{{\"response\": {{\"items\": [{media}], \"more_available\": true}}, \"next_page_id\": \"QVF\"}}\nGET /v1/media/info\nReturns a Media object.\nExample response\n{{\"status\": \"ok\", \"media\": {media}}}\n"
    )]);
    let schema = |path: &str| {
        p.doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            .clone()
    };
    // A v2 list in an envelope: the envelope is the body, v2's Media its own type.
    let v2 = schema("/v2/user/medias");
    assert!(v2["properties"]["next_page_id"].is_object(), "{v2}");
    assert_eq!(
        v2["properties"]["response"]["properties"]["items"]["allOf"][0]["items"]["$ref"],
        "#/components/schemas/MediaV2"
    );
    // One object in an envelope, told apart by the other pages' samples of it.
    let info = schema("/v1/media/info");
    assert_eq!(
        info["properties"]["media"]["allOf"][0]["$ref"],
        "#/components/schemas/Media"
    );
    assert_eq!(
        schema("/v1/media/by/id"),
        json!({"$ref": "#/components/schemas/Media"})
    );
    let notes: Vec<&str> = p.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(notes.iter().any(|n| n.contains("GET /v2/user/medias: the example wraps the list of `MediaV2` objects in an envelope (at `response.items`)")), "{notes:?}");
    assert!(
        notes.iter().any(|n| n.contains(
            "GET /v1/media/info: the example wraps the `Media` object in an envelope (at `media`)"
        )),
        "{notes:?}"
    );
}

#[test]
fn two_api_versions_describe_their_objects_apart() {
    let p = ok(&[
        &format!(
            "{PREAMBLE}GET /v1/highlight/by/id\nReturns a Highlight object.\nExample response\n{{\"pk\": \"1\", \"title\": \"a\", \"media_count\": 3}}\n"
        ),
        &format!(
            "{PREAMBLE}GET /v2/highlight/by/id\nReturns a Highlight object.\nExample response\n{{\"id\": \"highlight:1\", \"reel\": {{\"items\": []}}, \"title\": 7}}\n"
        ),
    ]);
    let schemas = &p.doc["components"]["schemas"];
    assert_eq!(
        schemas["Highlight"]["properties"]["title"]["type"],
        "string"
    );
    assert_eq!(
        schemas["HighlightV2"]["properties"]["title"]["type"],
        "integer"
    );
}

#[test]
fn pages_without_endpoints_are_an_error() {
    assert_eq!(
        parse(&["Just prose\n"]).expect_err("nothing").kind(),
        ErrorKind::NoSpec
    );
}

#[test]
fn an_emptied_page_beside_others_is_an_error_naming_it() {
    let good = format!(
        "{PREAMBLE}GET /v1/a\nReturns a Thing object.\nExample response\n{{\"pk\": \"1\"}}\n"
    );
    for emptied in ["", "\n", PREAMBLE] {
        let err = parse(&[&good, emptied]).expect_err("the second page lost its endpoints");
        assert_eq!(err.kind(), ErrorKind::NoSpec);
        assert!(
            err.message().contains("this page documents no endpoint"),
            "{err}"
        );
        assert_eq!(
            err.location().map(|l| (l.file.as_str(), l.line)),
            Some(("specs/v/p1.md", 1))
        );
    }
}
