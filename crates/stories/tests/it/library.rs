//! The README's library example (`examples/library.rs`) runs against the mock, and the README
//! shows it as it is.

#[allow(dead_code)]
#[path = "../../examples/library.rs"]
mod example;

use std::path::Path;

use super::support::mock;

#[tokio::test]
async fn the_library_example_runs_against_the_mock() {
    let server = mock().await;
    let said = example::highlight(
        &server.base_url("konbiniapi"),
        stories::mock::MOCK_KEY,
        "17890000000000001",
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        said,
        "1 items (999 credits left); highlight 17890000000000001 \"Best of 2025\": first story 3214260996432123580"
    );
    // A wrong key is the vendor's typed error, through the same `?`.
    let refused = example::highlight(&server.base_url("konbiniapi"), "wrong", "17890000000000001")
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(refused.contains("401"), "{refused}");
}

#[test]
fn the_readme_shows_the_example_as_it_is() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("../../README.md"))
        .unwrap_or_else(|e| panic!("README.md: {e}"));
    let example = std::fs::read_to_string(root.join("examples/library.rs"))
        .unwrap_or_else(|e| panic!("examples/library.rs: {e}"));
    let shown = readme
        .split("```rust\n")
        // A fence closes at the start of a line (the example's doc comment holds one inside).
        .filter_map(|rest| {
            rest.split_once("\n```\n")
                .map(|(block, _)| format!("{block}\n"))
        })
        .find(|block| block.contains("async fn highlight("))
        .unwrap_or_else(|| panic!("the README shows no block with the library example"));
    assert_eq!(
        shown, example,
        "the README's library example differs from crates/stories/examples/library.rs: copy the file into the README"
    );
}
