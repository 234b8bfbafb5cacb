//! The mock answers the magic inputs on every route of every vendor: `missing` (or the id
//! `404`) is not found; `private` (or the id `403`) is a private account wherever the vendor's
//! documented answers can say so, and an account with nothing to show where they cannot.

use super::support::{mock, ndjson, output, stories, text};

/// For each vendor route: the subcommand and the magic input for it.
fn asks(kind: stories::Kind, word: &str, id: &str) -> (&'static str, String) {
    use stories::Kind as K;
    match kind {
        K::UserStoriesByUsername => ("user-stories", word.to_owned()),
        K::UserStoriesById => ("user-stories", id.to_owned()),
        K::UserHighlightsByUsername => ("highlights", word.to_owned()),
        K::UserHighlightsById => ("highlights", id.to_owned()),
        K::HighlightItems => ("highlight", id.to_owned()),
        K::StoryById => ("story", id.to_owned()),
        K::StoryByUrl => (
            "story",
            format!("https://www.instagram.com/stories/{word}/1/"),
        ),
    }
}

#[tokio::test]
async fn missing_and_private_on_every_route() {
    let server = mock().await;
    // The vendors whose documented answers can say "private account".
    let can_say_private = ["hikerapi", "keyapi"];
    let mut checked = 0;
    for cap in stories::capabilities() {
        for (word, id) in [("missing", "404"), ("private", "403")] {
            let (sub, input) = asks(cap.kind(), word, id);
            let mut cmd = stories(&server);
            cmd.args([
                sub,
                input.as_str(),
                "--vendor",
                cap.vendor_name(),
                "--format",
                "ndjson",
            ]);
            let out = output(cmd).await;
            let records = ndjson(&out);
            let Some(record) = records.first() else {
                panic!("{} {sub} {input}: {}", cap.vendor_name(), text(&out.stderr));
            };
            let attempt = &record["report"]["attempts"][0];
            if attempt["operation"] != cap.operation() {
                // A cheaper route of the same vendor answers this input; it is checked on its own.
                continue;
            }
            let outcome = record["outcome"]["outcome"].as_str().unwrap_or_default();
            let expected: &[&str] = match (word, can_say_private.contains(&cap.vendor_name())) {
                ("missing", _) => &["not_found"],
                (_, true) => &["private_account"],
                // Nothing to show: no stories, or a list or highlight without items.
                (_, false) => &["empty", "found"],
            };
            assert!(
                expected.contains(&outcome),
                "{} {} with {input}: {outcome}",
                cap.vendor_name(),
                cap.operation()
            );
            if outcome == "found" {
                let value = &record["outcome"]["value"]["data"];
                assert_eq!(value["items"].as_array().map(Vec::len), Some(0), "{value}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 2 * 10, "only {checked} routes checked");
}
