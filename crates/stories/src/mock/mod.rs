//! A loopback server that answers like every vendor, from the examples in their canonical
//! documents: `/<vendor>/<path>` serves `<vendor>`'s documented response for that operation.
//! It checks the auth header, rewrites media URLs to point at itself (so downloads work
//! offline), and injects faults on demand: latency, 429 with `Retry-After`, 500, a truncated
//! body, or the wrong content type.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

mod faults;
mod handler;
mod live;
mod rendered;
mod routes;

pub use self::faults::Fault;
pub use self::handler::MEDIA_BYTES;
use self::handler::handle;
use self::live::Live;
pub use self::live::{LiveOptions, Posted};
use self::routes::{Vendor, vendors};

/// The API key the mock accepts for every vendor.
pub const MOCK_KEY: &str = "mock-key";

#[derive(Debug, Default)]
struct Faults {
    /// (fault, how many more responses get it; `None` = until cleared).
    by_vendor: BTreeMap<String, (Fault, Option<usize>)>,
    latency: Duration,
    hits: BTreeMap<&'static str, usize>,
    /// Media requests, and how many of them carried any vendor's auth header.
    media: usize,
    media_with_keys: usize,
    /// When each live account's stories were asked for.
    polls: BTreeMap<String, Vec<std::time::Instant>>,
}

struct Shared {
    vendors: BTreeMap<&'static str, Vendor>,
    faults: Mutex<Faults>,
    base: String,
    /// Live accounts, when started live.
    live: Option<Live>,
    /// True while media transfers stall after their first chunk.
    media_stalled: tokio::sync::watch::Sender<bool>,
}

/// A running mock server. Dropping it shuts the server down.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<SharedHandle>,
    shutdown: Option<oneshot::Sender<()>>,
}

/// Keeps `Shared` out of `Debug`.
struct SharedHandle(Arc<Shared>);

impl std::fmt::Debug for SharedHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MockState")
    }
}

impl MockServer {
    /// Starts on `addr` (use port 0 for any free port).
    pub async fn start(addr: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        Ok(Self::serve(listener, addr, format!("http://{addr}")))
    }

    /// Starts live on `addr`: every account asked about posts stories as `options` says
    /// (see [`LiveOptions`]), and [`MockServer::ledger`] lists them all.
    pub async fn start_live(addr: SocketAddr, options: LiveOptions) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        Ok(Self::serve_with(
            listener,
            addr,
            format!("http://{addr}"),
            Some(options),
        ))
    }

    /// Serves on `listener` — a TLS listener, say — which clients reach at `base`
    /// (`https://localhost:8443`). Must be called within a Tokio runtime.
    pub fn serve<L>(listener: L, addr: SocketAddr, base: String) -> Self
    where
        L: axum::serve::Listener,
        L::Addr: std::fmt::Debug,
    {
        Self::serve_with(listener, addr, base, None)
    }

    /// [`MockServer::serve`], live when `live` is given.
    pub fn serve_with<L>(
        listener: L,
        addr: SocketAddr,
        base: String,
        live: Option<LiveOptions>,
    ) -> Self
    where
        L: axum::serve::Listener,
        L::Addr: std::fmt::Debug,
    {
        let shared = Arc::new(Shared {
            vendors: vendors(&base),
            faults: Mutex::default(),
            base,
            live: live.map(Live::new),
            media_stalled: tokio::sync::watch::Sender::new(false),
        });
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Self {
            addr,
            shared: Arc::new(SharedHandle(shared)),
            shutdown: Some(tx),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The mock's routes as a service sharing this server's state (faults, hits), for calling
    /// it in process — in benchmarks, or mounted in another axum application.
    pub fn router(&self) -> Router {
        Router::new()
            .fallback(handle)
            .with_state(self.shared.0.clone())
    }

    /// The base URL to give `vendor`'s client.
    pub fn base_url(&self, vendor: &str) -> String {
        format!("{}/{vendor}", self.shared.0.base)
    }

    fn faults(&self) -> std::sync::MutexGuard<'_, Faults> {
        self.shared
            .0
            .faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes `vendor` answer with `fault`, for the next `times` responses or until cleared.
    pub fn set_fault(&self, vendor: &str, fault: Fault, times: Option<usize>) {
        self.faults()
            .by_vendor
            .insert(vendor.to_owned(), (fault, times));
    }

    pub fn clear_faults(&self) {
        self.faults().by_vendor.clear();
    }

    /// Delays every response.
    pub fn set_latency(&self, latency: Duration) {
        self.faults().latency = latency;
    }

    /// While `stalled`, every media response sends its headers and first chunk and then waits
    /// until released: a transfer that is certainly in progress, for interrupting one.
    pub fn stall_media(&self, stalled: bool) {
        self.shared.0.media_stalled.send_replace(stalled);
    }

    /// How many API requests `vendor` has answered.
    pub fn hits(&self, vendor: &str) -> usize {
        self.faults().hits.get(vendor).copied().unwrap_or(0)
    }

    /// Media requests served, and how many carried a vendor's auth header (a CDN must never
    /// see an API key).
    pub fn media_requests(&self) -> (usize, usize) {
        let f = self.faults();
        (f.media, f.media_with_keys)
    }

    /// Every story a live mock has posted (empty when not live).
    pub fn ledger(&self) -> Vec<Posted> {
        self.shared
            .0
            .live
            .as_ref()
            .map(Live::ledger)
            .unwrap_or_default()
    }

    /// When each live account's stories were asked for, in order.
    pub fn polls(&self) -> BTreeMap<String, Vec<std::time::Instant>> {
        self.faults().polls.clone()
    }

    /// The environment that points the `stories` CLI at this mock.
    pub fn env(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for vendor in crate::VENDORS {
            out.push((vendor.key_variable(), MOCK_KEY.to_owned()));
            out.push((vendor.url_variable(), self.base_url(vendor.name())));
        }
        out
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendor_has_routes_with_documented_bodies() {
        let v = vendors("http://127.0.0.1:9");
        assert_eq!(v.len(), crate::VENDORS.len());
        for (name, vendor) in &v {
            assert!(!vendor.routes.is_empty(), "{name}");
            assert!(
                vendor
                    .routes
                    .iter()
                    .any(|r| r.ok.body("0") != b"null" || r.bytes),
                "{name}"
            );
        }
    }

    #[test]
    fn faults_parse() {
        assert_eq!(
            "429".parse::<Fault>(),
            Ok(Fault::RateLimited {
                retry_after_seconds: 1
            })
        );
        assert!("nope".parse::<Fault>().is_err());
    }
}
