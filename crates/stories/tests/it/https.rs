//! Real traffic is HTTPS: a generated client and the `stories` binary reach a TLS server on
//! loopback whose certificate was made here, trusted through an extra root certificate file
//! (`HttpOptions::with_root_certificate_file`, `STORIES_CA_CERT`), and refuse it without one.
//! The server offers HTTP/2, which the shared client negotiates.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use client_runtime::{FromApiKey, HttpOptions};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use stories::mock::{MOCK_KEY, MockServer};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// Accepts TCP connections and completes the TLS handshake before handing them to the server.
struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, addr)) = self.tcp.accept().await else {
                continue;
            };
            // A client that does not trust the certificate aborts the handshake; keep serving.
            if let Ok(tls) = self.acceptor.accept(tcp).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.tcp.local_addr()
    }
}

/// A mock vendor server behind TLS, and the PEM file of the CA that signed its certificate.
struct HttpsMock {
    server: MockServer,
    ca_file: PathBuf,
    _dir: tempfile::TempDir,
}

async fn https_mock() -> HttpsMock {
    let ca_key = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let mut ca_params =
        CertificateParams::new(Vec::<String>::new()).unwrap_or_else(|e| panic!("{e}"));
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "stories test CA");
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).unwrap_or_else(|e| panic!("{e}"));
    let leaf_key = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .and_then(|p| p.signed_by(&leaf_key, &ca))
        .unwrap_or_else(|e| panic!("{e}"));
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let mut config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone(), ca.der().clone()], key)
        .unwrap_or_else(|e| panic!("{e}"));
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let tcp = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = tcp.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let listener = TlsListener {
        tcp,
        acceptor: TlsAcceptor::from(Arc::new(config)),
    };
    let server = MockServer::serve(listener, addr, format!("https://localhost:{}", addr.port()));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let ca_file = dir.path().join("test-ca.pem");
    std::fs::write(&ca_file, ca.pem()).unwrap_or_else(|e| panic!("{e}"));
    HttpsMock {
        server,
        ca_file,
        _dir: dir,
    }
}

fn trusting(ca_file: &Path) -> HttpOptions {
    HttpOptions::default()
        .with_root_certificate_file(ca_file)
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn a_generated_client_reaches_https_with_an_extra_root_and_refuses_it_without() {
    let mock = https_mock().await;
    let base = mock.server.base_url("keyapi");
    assert!(base.starts_with("https://localhost:"), "{base}");
    let client = keyapi_client::Client::with_options(&base, MOCK_KEY, &trusting(&mock.ca_file))
        .unwrap_or_else(|e| panic!("{e}"));
    let reply = client
        .fetch_user_stories()
        .username("natgeo")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reply.status().as_u16(), 200);
    assert_eq!(reply.code, Some(0));
    assert_eq!(mock.server.hits("keyapi"), 1, "the auth header was refused");

    let untrusting =
        keyapi_client::Client::with_api_key(&base, MOCK_KEY).unwrap_or_else(|e| panic!("{e}"));
    let err = untrusting
        .fetch_user_stories()
        .username("natgeo")
        .send()
        .await
        .expect_err("a certificate no root vouches for");
    let chain = error_chain(&err);
    assert!(chain.contains("certificate"), "{chain}");
}

#[tokio::test]
async fn the_shared_client_negotiates_http2_and_decompresses() {
    let mock = https_mock().await;
    let http = keyapi_client::VENDOR
        .http_client(MOCK_KEY, &trusting(&mock.ca_file))
        .unwrap_or_else(|e| panic!("{e}"));
    let response = http
        .get(format!(
            "{}/media/1.jpg",
            mock.server.base_url("x").trim_end_matches("/x")
        ))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.version(), reqwest::Version::HTTP_2);
    assert_eq!(response.status().as_u16(), 200);
}

fn stories(mock: &HttpsMock) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stories"));
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("STORIES_")) {
        cmd.env_remove(k);
    }
    cmd.env("STORIES_KEYAPI_KEY", MOCK_KEY)
        .env("STORIES_KEYAPI_URL", mock.server.base_url("keyapi"))
        .env("NO_PROXY", "localhost,127.0.0.1");
    cmd.args([
        "user-stories",
        "natgeo",
        "--vendor",
        "keyapi",
        "--format",
        "ndjson",
    ]);
    cmd
}

#[tokio::test]
async fn stories_reaches_https_when_told_of_the_root_certificate() {
    let mock = https_mock().await;
    let mut trusted = stories(&mock);
    trusted.env("STORIES_CA_CERT", &mock.ca_file);
    let out = tokio::task::spawn_blocking(move || trusted.output())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line: serde_json::Value =
        serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(line["outcome"]["outcome"], "found", "{line}");

    let mut untrusted = stories(&mock);
    let out = tokio::task::spawn_blocking(move || untrusted.output())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("certificate"), "{stdout}");
}

#[tokio::test]
async fn an_unreadable_root_certificate_file_is_a_usage_error() {
    let mock = https_mock().await;
    let mut cmd = stories(&mock);
    cmd.env(
        "STORIES_CA_CERT",
        mock.ca_file.with_file_name("missing.pem"),
    );
    let out = cmd.output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.pem"));
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        out.push_str(": ");
        out.push_str(&e.to_string());
        source = e.source();
    }
    out
}
