//! One HTTP client per vendor for the whole run: a batch reuses its connections instead of
//! opening one per input.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use stories::mock::MockServer;

use super::support::{ndjson, output, stories, tempdir};

/// A TCP listener that counts the connections it accepts.
struct Counting {
    inner: tokio::net::TcpListener,
    accepted: Arc<AtomicUsize>,
}

impl axum::serve::Listener for Counting {
    type Io = tokio::net::TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            if let Ok(pair) = self.inner.accept().await {
                self.accepted.fetch_add(1, Ordering::SeqCst);
                return pair;
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

#[tokio::test]
async fn a_batch_reuses_one_connection_per_vendor() {
    let inner = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = inner.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let accepted = Arc::new(AtomicUsize::new(0));
    let listener = Counting {
        inner,
        accepted: Arc::clone(&accepted),
    };
    let server = MockServer::serve(listener, addr, format!("http://{addr}"));
    let dir = tempdir();
    let batch = dir.path().join("batch.txt");
    std::fs::write(&batch, "natgeo\n".repeat(12)).unwrap_or_else(|e| panic!("{e}"));
    let mut cmd = stories(&server);
    cmd.args([
        "user-stories",
        "--vendor",
        "keyapi",
        "--format",
        "ndjson",
        "--concurrency",
        "1",
        "--batch",
    ])
    .arg(&batch);
    let out = output(cmd).await;
    assert_eq!(ndjson(&out).len(), 12);
    assert_eq!(server.hits("keyapi"), 12);
    // A connection goes back to the pool a moment after its answer is read, so a request that
    // follows at once may open another: on a loaded machine two or three, never one per input.
    let connections = accepted.load(Ordering::SeqCst);
    assert!(
        (1..=3).contains(&connections),
        "twelve sequential requests to one vendor opened {connections} connections; they should share one"
    );
}
