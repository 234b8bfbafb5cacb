//! Every example response in the vendor pages decodes into its generated type and encodes back
//! without losing a field. Vendors that document only a schema (KonbiniAPI) are checked with a
//! body built from the schema's own property examples.

use client_runtime::examples::ResponseExample;
use serde_json::Value;
use tests::{losses, roundtrip};

type Decode = fn(&Value) -> Result<Value, String>;

/// The generated body type of each outcome of each operation. An example of an operation that
/// is missing here fails the test, so a new endpoint cannot go unchecked.
const TYPES: &[(&str, &str, bool, Decode)] = &[
    (
        "hikerapi",
        "get_v1_highlight_by_url",
        true,
        roundtrip::<hikerapi_client::types::Highlight>,
    ),
    (
        "hikerapi",
        "get_v1_highlight_by_id",
        true,
        roundtrip::<Value>,
    ),
    (
        "hikerapi",
        "get_v1_user_highlights",
        true,
        roundtrip::<Vec<hikerapi_client::types::Highlight>>,
    ),
    (
        "hikerapi",
        "get_v1_user_highlights_by_username",
        true,
        roundtrip::<Vec<hikerapi_client::types::Highlight>>,
    ),
    (
        "hikerapi",
        "get_v1_story_by_id",
        true,
        roundtrip::<hikerapi_client::types::Story>,
    ),
    (
        "hikerapi",
        "get_v1_story_by_url",
        true,
        roundtrip::<hikerapi_client::types::Story>,
    ),
    (
        "hikerapi",
        "get_v1_user_stories",
        true,
        roundtrip::<Vec<hikerapi_client::types::Story>>,
    ),
    (
        "hikerapi",
        "get_v1_user_stories_by_username",
        true,
        roundtrip::<Vec<hikerapi_client::types::Story>>,
    ),
    (
        "keyapi",
        "fetch_user_stories",
        true,
        roundtrip::<keyapi_client::types::FetchUserStoriesResponse>,
    ),
    (
        "keyapi",
        "fetch_user_stories",
        false,
        roundtrip::<keyapi_client::types::FetchUserStoriesError>,
    ),
    (
        "konbiniapi",
        "instagramGetHighlightStories",
        true,
        roundtrip::<konbiniapi_client::types::InstagramGetHighlightStoriesResponse>,
    ),
    (
        "konbiniapi",
        "instagramGetHighlightStories",
        false,
        roundtrip::<konbiniapi_client::types::InstagramGetHighlightStoriesError>,
    ),
    (
        "sociavault",
        "instagram_Story_Highlights",
        true,
        roundtrip::<sociavault_client::types::InstagramStoryHighlightsResponse>,
    ),
    (
        "sociavault",
        "instagram_Story_Highlights",
        false,
        roundtrip::<sociavault_client::types::InstagramStoryHighlightsError>,
    ),
];

fn examples(vendor: &str) -> Vec<ResponseExample> {
    tests::examples(vendor)
}

fn check_vendor(vendor: &str) -> usize {
    let found = examples(vendor);
    assert!(
        !found.is_empty(),
        "{vendor} has no response examples at all"
    );
    let mut failures = Vec::new();
    for example in &found {
        let success = example.status.starts_with('2');
        // HikerAPI documents no error bodies; they decode as untyped JSON.
        let untyped: Decode = roundtrip::<Value>;
        let fallback = (vendor == "hikerapi" && !success).then_some(("", "", false, untyped));
        let Some((_, _, _, decode)) = TYPES
            .iter()
            .find(|(v, op, s, _)| *v == vendor && *op == example.operation_id && *s == success)
            .or(fallback.as_ref())
        else {
            failures.push(format!(
                "{} {}: no generated type registered in TYPES",
                example.operation_id, example.status
            ));
            continue;
        };
        match decode(&example.body) {
            Ok(again) => {
                for loss in losses(&example.body, &again) {
                    failures.push(format!(
                        "{} {}: {loss}",
                        example.operation_id, example.status
                    ));
                }
            }
            Err(e) => failures.push(format!("{} {}: {e}", example.operation_id, example.status)),
        }
    }
    assert!(failures.is_empty(), "{vendor}:\n{}", failures.join("\n"));
    found.len()
}

#[test]
fn keyapi_examples_round_trip() {
    // 200 plus 400, 401, 402, 429 and 500, all documented.
    assert_eq!(check_vendor("keyapi"), 6);
    assert!(examples("keyapi").iter().all(|e| e.documented));
}

#[test]
fn sociavault_examples_round_trip() {
    // The documented 200, and 400, 401, 402, 500 built from their schemas' examples.
    assert_eq!(check_vendor("sociavault"), 5);
    assert!(
        examples("sociavault")
            .iter()
            .any(|e| e.documented && e.status == "200")
    );
}

#[test]
fn konbiniapi_schema_examples_round_trip() {
    // 200 and ten error statuses (400 to 504), each built from the schema's property examples.
    assert_eq!(check_vendor("konbiniapi"), 11);
}

#[test]
fn big_ids_keep_every_digit() {
    let example = examples("keyapi")
        .into_iter()
        .find(|e| e.status == "200")
        .unwrap_or_else(|| panic!("no 200"));
    let typed: keyapi_client::types::FetchUserStoriesResponse =
        serde_json::from_value(example.body).unwrap_or_else(|e| panic!("{e}"));
    let fbid = typed
        .data
        .and_then(|d| d.data)
        .and_then(|d| d.additional_data)
        .and_then(|d| d.user)
        .and_then(|u| u.interop_messaging_user_fbid);
    assert_eq!(fbid.as_deref(), Some("105721380825451"));
}

#[test]
fn hikerapi_examples_round_trip() {
    let found = examples("hikerapi");
    let documented: Vec<&str> = found
        .iter()
        .filter(|e| e.documented)
        .map(|e| e.operation_id.as_str())
        .collect();
    assert_eq!(
        documented,
        [
            "get_v1_highlight_by_url",
            "get_v1_user_highlights",
            "get_v1_user_highlights_by_username",
            "get_v1_user_stories",
            "get_v1_user_stories_by_username"
        ]
    );
    check_vendor("hikerapi");
}

#[test]
fn hikerapi_story_by_id_shares_the_story_type_of_the_lists() {
    // The page gives no example for story by id; its type is the one inferred from the lists.
    let found = examples("hikerapi");
    let list = found
        .iter()
        .find(|e| e.operation_id == "get_v1_user_stories" && e.status == "200")
        .unwrap_or_else(|| panic!("no list"));
    let first = list.body[0].clone();
    let story: hikerapi_client::types::Story =
        serde_json::from_value(first).unwrap_or_else(|e| panic!("{e}"));
    let username =
        |u: Option<&hikerapi_client::types::StoryUser>| u.and_then(|u| u.username.clone());
    assert_eq!(username(story.user.as_ref()).as_deref(), Some("natgeo"));
    let sponsors = story.sponsor_tags.unwrap_or_default();
    assert_eq!(username(sponsors.first()).as_deref(), Some("prada"));
    let mention = story
        .mentions
        .unwrap_or_default()
        .into_iter()
        .next()
        .and_then(|m| m.user)
        .and_then(|u| u.pk);
    assert_eq!(mention.as_deref(), Some("304662892"));
}

#[test]
fn ingestion_and_the_runtime_agree_on_the_synthesized_marker() {
    assert_eq!(
        spec_ingest::SYNTHESIZED,
        client_runtime::examples::SYNTHESIZED
    );
}
