//! Normalization throughput: bytes of vendor JSON → domain values (parsing included), beside
//! parsing the same bytes into `serde_json::Value`, with and without the drift check, and the
//! live path: a whole `UnifiedClient::ask` against a loopback server serving the same bytes,
//! beside fetching those bytes alone with the same HTTP client (the transport's share).
//! The input is a KeyAPI response with thousands of raw-API story items, built from the
//! vendor's documented example.
//!
//! Run with `cargo bench -p stories --bench normalize`.

use std::net::SocketAddr;
use std::sync::Arc;

use divan::counter::BytesCount;
use domain::RawResponse;
use serde_json::Value;
use stories::{Config, Query, UnifiedClient, User};

#[path = "support/samples.rs"]
mod samples;

fn main() {
    divan::main();
}

fn keyapi_body(n: usize) -> Vec<u8> {
    samples::keyapi_stories_response(n)
}

const SIZES: &[usize] = &[100, 5000];

#[divan::bench(args = SIZES, sample_count = 30)]
fn normalize_keyapi(bencher: divan::Bencher, n: usize) {
    let body = keyapi_body(n);
    bencher.counter(BytesCount::of_slice(&body)).bench(|| {
        stories::normalize(
            "keyapi",
            "fetch_user_stories",
            RawResponse::ok(divan::black_box(&body)),
        )
        .expect("normalizes")
    });
}

/// Normalization plus the comparison with the documented shape (`--drift`, and the live
/// path's default).
#[divan::bench(args = SIZES, sample_count = 30)]
fn normalize_keyapi_checked(bencher: divan::Bencher, n: usize) {
    let body = keyapi_body(n);
    bencher.counter(BytesCount::of_slice(&body)).bench(|| {
        stories::normalize_checked(
            "keyapi",
            "fetch_user_stories",
            RawResponse::ok(divan::black_box(&body)),
        )
        .expect("normalizes")
    });
}

#[divan::bench(args = SIZES, sample_count = 30)]
fn parse_as_value(bencher: divan::Bencher, n: usize) {
    let body = keyapi_body(n);
    bencher
        .counter(BytesCount::of_slice(&body))
        .bench(|| serde_json::from_slice::<Value>(divan::black_box(&body)).expect("parses"));
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Serves `body` as every KeyAPI answer on loopback; returns the base URL.
async fn serve(body: Vec<u8>) -> String {
    let body = Arc::new(body);
    let app = axum::Router::new().fallback(move || {
        let body = Arc::clone(&body);
        async move {
            (
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                body.as_ref().clone(),
            )
        }
    });
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

fn live_client(base: &str, check_drift: bool) -> UnifiedClient {
    let mut config = Config::from_lookup(|name| match name {
        "STORIES_KEYAPI_KEY" => Some("bench-key".into()),
        "STORIES_KEYAPI_URL" => Some(base.to_owned()),
        _ => None,
    })
    .expect("config");
    config.policy.check_drift = check_drift;
    UnifiedClient::new(config).expect("client")
}

/// A whole live call: request, transfer on loopback, one decode, drift check when `checked`.
#[divan::bench(args = SIZES, sample_count = 30)]
fn live_keyapi(bencher: divan::Bencher, n: usize) {
    live(bencher, n, false);
}

#[divan::bench(args = SIZES, sample_count = 30)]
fn live_keyapi_checked(bencher: divan::Bencher, n: usize) {
    live(bencher, n, true);
}

fn live(bencher: divan::Bencher, n: usize, checked: bool) {
    let rt = runtime();
    let body = keyapi_body(n);
    let bytes = body.len();
    let base = rt.block_on(serve(body));
    let client = live_client(&base, checked);
    let query = Query::UserStories(User::Username("natgeo".into()));
    bencher
        .counter(BytesCount::new(bytes))
        .bench(|| rt.block_on(client.ask(&query)).expect("answers"));
}

/// The same request and transfer with nothing decoded: what the network costs.
#[divan::bench(args = SIZES, sample_count = 30)]
fn transfer_only(bencher: divan::Bencher, n: usize) {
    let rt = runtime();
    let body = keyapi_body(n);
    let bytes = body.len();
    let base = rt.block_on(serve(body));
    let http = keyapi_client::VENDOR
        .http_client("bench-key", &client_runtime::HttpOptions::default())
        .expect("client");
    let url = format!("{base}/v1/instagram/fetch_user_stories?username=natgeo");
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        rt.block_on(async { http.get(&url).send().await?.bytes().await })
            .expect("fetches")
    });
}
