//! The generated clients against a loopback server: the API key travels the vendor's way,
//! typed bodies decode, and credit headers stay readable on success and on error.

use client_runtime::FromApiKey;
use serde_json::Value;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn example(vendor: &str, status: &str) -> Value {
    example_of(vendor, None, status)
}

fn example_of(vendor: &str, operation: Option<&str>, status: &str) -> Value {
    tests::examples(vendor)
        .into_iter()
        .find(|e| e.status == status && operation.is_none_or(|op| e.operation_id == op))
        .unwrap_or_else(|| panic!("{vendor} has no {status} example"))
        .body
}

#[tokio::test]
async fn konbiniapi_sends_a_bearer_token_and_exposes_credit_headers() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/instagram/highlights/17890000000000001"))
        .and(header("authorization", "Bearer secret-key"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(example("konbiniapi", "200"))
                .insert_header("X-Credits-Remaining", "41")
                .insert_header("X-Credits-Used", "1"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = konbiniapi_client::Client::with_api_key(&server.uri(), "secret-key")
        .unwrap_or_else(|e| panic!("{e}"));
    let response = client
        .instagram_get_highlight_stories()
        .highlight_id("17890000000000001")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.headers()["x-credits-remaining"], "41");
    assert_eq!(response.data.entity_id, "highlight:17890000000000001");
    assert_eq!(
        konbiniapi_client::VENDOR.credit_headers.remaining,
        Some("X-Credits-Remaining")
    );
}

#[tokio::test]
async fn konbiniapi_error_bodies_are_typed_and_keep_their_headers() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(402)
                .set_body_json(serde_json::json!({"errors": [{"code": "credits_exhausted", "message": "Credits exhausted"}], "data": null}))
                .insert_header("X-Credits-Remaining", "0"),
        )
        .mount(&server)
        .await;
    let client = konbiniapi_client::Client::with_api_key(&server.uri(), "k")
        .unwrap_or_else(|e| panic!("{e}"));
    let err = client
        .instagram_get_highlight_stories()
        .highlight_id("1")
        .send()
        .await
        .expect_err("402");
    let konbiniapi_client::Error::ErrorResponse(body) = err else {
        panic!("expected a typed error body, got {err}")
    };
    assert_eq!(body.status().as_u16(), 402);
    assert_eq!(body.headers()["x-credits-remaining"], "0");
    assert_eq!(body.errors[0].message, "Credits exhausted");
}

#[tokio::test]
async fn sociavault_sends_the_x_api_key_header() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/scrape/instagram/highlights"))
        .and(query_param("handle", "jane"))
        .and(header("x-api-key", "sk_live_1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(example("sociavault", "200")))
        .expect(1)
        .mount(&server)
        .await;
    let client = sociavault_client::Client::with_api_key(&server.uri(), "sk_live_1")
        .unwrap_or_else(|e| panic!("{e}"));
    let response = client
        .instagram_story_highlights()
        .handle("jane")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let highlights = response
        .data
        .clone()
        .and_then(|d| d.highlights)
        .unwrap_or_default();
    let first = highlights
        .get("0")
        .unwrap_or_else(|| panic!("no highlight 0"));
    assert_eq!(first.id.as_deref(), Some("18154582366360931"));
    assert_eq!(response.credits_used, Some(1));
}

#[tokio::test]
async fn keyapi_sends_a_bearer_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/instagram/fetch_user_stories"))
        .and(query_param("username", "javan"))
        .and(header("authorization", "Bearer kk"))
        .respond_with(ResponseTemplate::new(200).set_body_json(example("keyapi", "200")))
        .expect(1)
        .mount(&server)
        .await;
    let client =
        keyapi_client::Client::with_api_key(&server.uri(), "kk").unwrap_or_else(|e| panic!("{e}"));
    let response = client
        .fetch_user_stories()
        .username("javan")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.code, Some(0));
    let items = response
        .data
        .clone()
        .and_then(|d| d.data)
        .and_then(|d| d.items)
        .unwrap_or_default();
    assert_eq!(items.len(), 2);
}

#[tokio::test]
async fn hikerapi_sends_x_access_key_and_downloads_bytes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/user/stories/by/username"))
        .and(query_param("username", "natgeo"))
        .and(header("x-access-key", "hk"))
        .respond_with(ResponseTemplate::new(200).set_body_json(example_of(
            "hikerapi",
            Some("get_v1_user_stories_by_username"),
            "200",
        )))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/story/download"))
        .and(header("x-access-key", "hk"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_bytes(b"\x00mp4".to_vec())
                .insert_header("content-type", "video/mp4"),
        )
        .mount(&server)
        .await;
    let client = hikerapi_client::Client::with_api_key(&server.uri(), "hk")
        .unwrap_or_else(|e| panic!("{e}"));
    let stories = client
        .get_v1_user_stories_by_username()
        .username("natgeo")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!stories.is_empty());
    let bytes = client
        .get_v1_story_download()
        .id("1")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut stream = bytes.into_inner();
    let mut body = Vec::new();
    while let Some(chunk) = futures_next(&mut stream).await {
        body.extend_from_slice(&chunk.unwrap_or_else(|e| panic!("{e}")));
    }
    assert_eq!(body, b"\x00mp4");
}

async fn futures_next(
    stream: &mut hikerapi_client::ByteStream,
) -> Option<reqwest::Result<bytes::Bytes>> {
    use futures::StreamExt;
    stream.next().await
}

#[test]
fn keys_that_cannot_be_headers_are_rejected_and_never_debug_printed() {
    assert!(keyapi_client::Client::with_api_key("http://127.0.0.1:1", "bad\nkey").is_err());
    let client = keyapi_client::Client::with_api_key("http://127.0.0.1:1", "very-secret")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!format!("{client:?}").contains("very-secret"));
}

#[test]
fn operations_carry_their_documented_cost() {
    let op = keyapi_client::VENDOR
        .operation("fetch_user_stories")
        .unwrap_or_else(|| panic!("fetch_user_stories"));
    assert_eq!(op.cost, 2);
    assert_eq!(op.path, "/v1/instagram/fetch_user_stories");
    assert_eq!(sociavault_client::VENDOR.operations[0].cost_unit, "credit");
    assert_eq!(konbiniapi_client::BASE_URL, "https://api.konbiniapi.com");
}
