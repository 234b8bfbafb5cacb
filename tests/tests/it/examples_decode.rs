//! Every example response in the vendor pages decodes into its generated type and encodes back
//! without losing a field. Vendors that document only a schema (KonbiniAPI) are checked with a
//! body built from the schema's own property examples.

use client_runtime::VendorFacts;
use client_runtime::examples::ResponseExample;
use tests::losses;

fn examples(vendor: &str) -> Vec<ResponseExample> {
    tests::examples(vendor)
}

fn facts(vendor: &str) -> &'static VendorFacts {
    stories::vendor(vendor)
        .map(|v| v.facts)
        .unwrap_or_else(|| panic!("no vendor {vendor}"))
}

/// Decodes every example of `facts` into its operation's generated type (as the client's
/// `VENDOR` names it) and back, and returns how many were checked. No table of types to keep
/// up to date: an operation added by a new page is checked the day it appears.
pub fn check_facts(facts: &VendorFacts) -> usize {
    let found = facts.response_examples();
    assert!(
        !found.is_empty(),
        "{} has no response examples at all",
        facts.name
    );
    let mut failures = Vec::new();
    for example in &found {
        let at = format!("{} {} {}", facts.name, example.operation_id, example.status);
        let status: u16 = example.status.parse().unwrap_or(200);
        let decode = facts
            .operation(&example.operation_id)
            .and_then(|op| op.bodies.for_status(status));
        let Some(decode) = decode else {
            failures.push(format!("{at}: the client has no type for this JSON body"));
            continue;
        };
        let bytes = serde_json::to_vec(&example.body).unwrap_or_default();
        match decode(&bytes) {
            Ok(again) => {
                for loss in losses(&example.body, &again) {
                    failures.push(format!("{at}: {loss}"));
                }
            }
            Err(e) => failures.push(format!("{at}: does not decode: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    found.len()
}

fn check_vendor(vendor: &str) -> usize {
    check_facts(facts(vendor))
}

#[test]
fn every_example_of_every_vendor_decodes_into_its_generated_type() {
    let checked: usize = stories::VENDORS.iter().map(|v| check_facts(v.facts)).sum();
    assert!(checked > 20, "only {checked} examples");
}

#[test]
fn keyapi_examples_round_trip() {
    // 200 plus 400, 401, 402, 429 and 500, all documented.
    assert!(check_vendor("keyapi") >= 6);
    assert!(examples("keyapi").iter().all(|e| e.documented));
}

#[test]
fn sociavault_examples_round_trip() {
    // The documented 200, and 400, 401, 402, 500 built from their schemas' examples.
    assert!(check_vendor("sociavault") >= 5);
    assert!(
        examples("sociavault")
            .iter()
            .any(|e| e.documented && e.status == "200")
    );
}

#[test]
fn konbiniapi_schema_examples_round_trip() {
    // For each operation, 200 and ten error statuses (400 to 504), each built from the
    // schema's property examples.
    assert!(check_vendor("konbiniapi") >= 11);
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
    for op in [
        "get_v1_highlight_by_url",
        "get_v1_user_highlights",
        "get_v1_user_highlights_by_username",
        "get_v1_user_stories",
        "get_v1_user_stories_by_username",
    ] {
        assert!(documented.contains(&op), "{op}: {documented:?}");
    }
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
