//! The built-in mock: how long it takes to start, the CPU cost of answering one request in
//! process (routing, auth check, the pre-rendered body with a fresh media expiry), and how
//! many requests per second it serves on loopback (KeyAPI's 35 KB stories response, 32
//! requests in flight).
//!
//! Run with `cargo bench -p stories --bench mock`.

use std::net::SocketAddr;

use divan::counter::ItemsCount;
use futures::StreamExt;
use stories::mock::{MOCK_KEY, MockServer};

fn main() {
    divan::main();
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Bind, parse the four canonical documents, and serve.
#[divan::bench(sample_count = 30)]
fn start(bencher: divan::Bencher) {
    let rt = runtime();
    bencher.bench(|| {
        rt.block_on(async {
            MockServer::start(SocketAddr::from(([127, 0, 0, 1], 0)))
                .await
                .expect("starts")
        })
    });
}

/// One request through the mock's router, no socket: what a request costs the mock itself.
#[divan::bench(args = ["keyapi", "hikerapi"])]
fn handle_one_request(bencher: divan::Bencher, vendor: &str) {
    use tower::ServiceExt;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let server = rt
        .block_on(MockServer::start(SocketAddr::from(([127, 0, 0, 1], 0))))
        .expect("starts");
    let router = server.router();
    let (path, header, value) = match vendor {
        "keyapi" => (
            "/keyapi/v1/instagram/fetch_user_stories?username=natgeo",
            "authorization",
            format!("Bearer {MOCK_KEY}"),
        ),
        _ => (
            "/hikerapi/v1/user/stories/by/username?username=natgeo",
            "x-access-key",
            MOCK_KEY.to_owned(),
        ),
    };
    bencher.bench_local(|| {
        rt.block_on(async {
            let request = axum::http::Request::get(path)
                .header(header, &value)
                .body(axum::body::Body::empty())
                .expect("request");
            let response = router.clone().oneshot(request).await.expect("infallible");
            assert!(response.status().is_success());
            axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .expect("body")
                .len()
        })
    });
}

const REQUESTS: usize = 2000;

#[divan::bench(sample_count = 10)]
fn serve_requests(bencher: divan::Bencher) {
    let rt = runtime();
    let server = rt
        .block_on(MockServer::start(SocketAddr::from(([127, 0, 0, 1], 0))))
        .expect("starts");
    let url = format!(
        "{}/v1/instagram/fetch_user_stories?username=natgeo",
        server.base_url("keyapi")
    );
    let http = reqwest::Client::new();
    bencher.counter(ItemsCount::new(REQUESTS)).bench(|| {
        rt.block_on(async {
            futures::stream::iter(0..REQUESTS)
                .map(|_| {
                    let http = http.clone();
                    let url = url.clone();
                    async move {
                        let r = http
                            .get(&url)
                            .bearer_auth(MOCK_KEY)
                            .send()
                            .await
                            .expect("sent");
                        assert!(r.status().is_success());
                        r.bytes().await.expect("body").len()
                    }
                })
                .buffer_unordered(32)
                .collect::<Vec<usize>>()
                .await
        })
    });
}
