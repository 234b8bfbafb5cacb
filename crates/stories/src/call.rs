//! One HTTP client per configured vendor for the whole run, and one call of one route through
//! it: the request built from the vendor's documented operation, the body read as bytes and
//! handed to the normalizer undecoded — one decode per call.

use client_runtime::{CallError, RawReply};
use domain::TransportKind;

use crate::config::VendorConfig;
use crate::query::{Capability, Query};

/// Why no response came back: what failed, and the network stack's words for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trouble {
    pub kind: TransportKind,
    pub message: String,
}

/// A configured vendor with its HTTP client, built once.
#[derive(Debug, Clone)]
pub struct VendorClient {
    pub config: VendorConfig,
    http: reqwest::Client,
}

impl VendorClient {
    pub fn new(
        config: VendorConfig,
        options: &client_runtime::HttpOptions,
    ) -> Result<Self, client_runtime::ClientBuildError> {
        let http = config
            .vendor
            .facts
            .http_client(config.key.expose(), options)?;
        Ok(Self { config, http })
    }

    /// Sends `query` through the route of `cap`.
    pub async fn send(&self, cap: &Capability, query: &Query) -> Result<RawReply, Trouble> {
        let route = cap.route;
        let call = self
            .config
            .vendor
            .facts
            .call(&self.http, &self.config.base_url, route.operation)
            .and_then(|c| c.arg(route.param, route.arg.apply(query.input())));
        let call = call.map_err(|e| Trouble {
            kind: TransportKind::Other,
            message: e.to_string(),
        })?;
        call.send().await.map_err(|e| match e {
            CallError::Transport(e) => {
                let e = e.without_url();
                Trouble {
                    kind: transport_kind(&e),
                    message: error_chain(&e),
                }
            }
            other => Trouble {
                kind: TransportKind::Other,
                message: other.to_string(),
            },
        })
    }
}

/// Names a transport failure from its chain of causes: the I/O error kinds the OS reports,
/// rustls's errors, and hyper's resolver failure (which has no type of its own).
pub(crate) fn transport_kind(err: &reqwest::Error) -> TransportKind {
    if err.is_timeout() {
        return TransportKind::Timeout;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    let mut kind = TransportKind::Other;
    while let Some(e) = source {
        if e.downcast_ref::<rustls::Error>().is_some() {
            return TransportKind::Tls;
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind as K;
            if wraps_tls_error(io) {
                return TransportKind::Tls;
            }
            match io.kind() {
                K::ConnectionRefused => return TransportKind::Refused,
                K::TimedOut => return TransportKind::Timeout,
                K::ConnectionReset | K::ConnectionAborted | K::UnexpectedEof | K::BrokenPipe => {
                    kind = TransportKind::Closed;
                }
                _ => {}
            }
        }
        let text = e.to_string();
        if text.starts_with("dns error") || text.contains("failed to lookup address") {
            return TransportKind::Dns;
        }
        if kind == TransportKind::Other
            && err.is_connect()
            && text.contains("invalid peer certificate")
        {
            return TransportKind::Tls;
        }
        source = e.source();
    }
    kind
}

/// Whether `io` wraps a rustls error, possibly in further I/O errors. An I/O error's
/// `source()` skips the error it wraps, so the wrapped ones are looked at directly.
fn wraps_tls_error(io: &std::io::Error) -> bool {
    let mut inner = io.get_ref();
    while let Some(e) = inner {
        if e.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        inner = e
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref);
    }
    false
}

/// An error and its causes, `outer: inner: innermost`, without repeats.
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = e.source();
    }
    out
}
