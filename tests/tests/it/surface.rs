//! Each vendor's API surface, snapshotted: one line per operation, parameter, response and
//! schema field, so a change in a vendor's docs shows up as a few readable lines of API change
//! (the canonical documents themselves are committed under `generated/`). Review changes with
//! `cargo insta review`.

use serde_json::Value;
use tests::repo_root;

fn canonical(vendor: &str) -> Value {
    let root = repo_root();
    let spec = spec_ingest::load_vendor(&root, &root.join("specs").join(vendor))
        .unwrap_or_else(|e| panic!("{e}"));
    spec_ingest::ingest(&spec)
        .unwrap_or_else(|e| panic!("{e}"))
        .document
}

/// Every vendor folder under `specs/`: a new vendor is snapshotted without a line here.
fn vendors() -> Vec<String> {
    let found = spec_ingest::discover(&repo_root().join("specs")).unwrap_or_else(|e| panic!("{e}"));
    assert!(!found.is_empty(), "no vendor under specs/");
    found
        .iter()
        .filter_map(|dir| Some(dir.file_name()?.to_string_lossy().into_owned()))
        .collect()
}

#[test]
fn every_vendor_api_surface() {
    for vendor in vendors() {
        // `it__surface__<vendor>_api_surface.snap`: the new vendor's appears by itself.
        insta::assert_snapshot!(
            format!("{vendor}_api_surface"),
            spec_ingest::api_surface(&canonical(&vendor))
        );
    }
}

/// The documents are OpenAPI 3.0 as openapiv3 (progenitor's parser) reads it, with every
/// operation named and costed.
#[test]
fn canonical_documents_parse_as_openapi_3_0() {
    for vendor in vendors() {
        let vendor = vendor.as_str();
        let doc = canonical(vendor);
        assert_eq!(doc["openapi"], "3.0.3");
        let parsed: openapiv3::OpenAPI =
            serde_json::from_value(doc.clone()).unwrap_or_else(|e| panic!("{vendor}: {e}"));
        assert!(!parsed.paths.paths.is_empty(), "{vendor} has no paths");
        for (path, method, op) in spec_ingest::operations(&doc) {
            assert!(op["operationId"].is_string(), "{vendor} {method} {path}");
            assert!(
                op["x-cost"]["amount"].as_u64().is_some_and(|n| n > 0),
                "{vendor} {method} {path}"
            );
        }
    }
}

#[test]
fn prose_costs_reach_the_operations() {
    let cost = |vendor: &str| {
        let doc = canonical(vendor);
        let (_, _, op) = spec_ingest::operations(&doc)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no op"));
        (
            op["x-cost"]["amount"].as_u64(),
            op["x-cost"]["source"].as_str().map(str::to_owned),
        )
    };
    assert_eq!(cost("keyapi"), (Some(2), Some("page".to_owned())));
    assert_eq!(cost("sociavault"), (Some(1), Some("page".to_owned())));
    assert_eq!(cost("konbiniapi"), (Some(1), Some("manifest".to_owned())));
    let hiker = canonical("hikerapi");
    let costs: Vec<(String, u64)> = spec_ingest::operations(&hiker)
        .into_iter()
        .map(|(path, _, op)| {
            (
                path.to_owned(),
                op["x-cost"]["amount"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    for (path, amount) in [
        ("/v1/user/highlights", 2),
        ("/v1/user/highlights/by/username", 3),
        ("/v1/user/stories", 2),
        ("/v1/story/by/id", 1),
    ] {
        assert!(
            costs.contains(&(path.to_owned(), amount)),
            "{path}: {costs:?}"
        );
    }
}
