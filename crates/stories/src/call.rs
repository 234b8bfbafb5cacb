//! One HTTP client per configured vendor for the whole run, and one call of one route through
//! it: the request built from the vendor's documented operation, the body read as bytes and
//! handed to the normalizer undecoded — one decode per call.

use client_runtime::{CallError, RawReply};

use crate::config::VendorConfig;
use crate::query::{Capability, Query};

/// Why no usable response came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trouble {
    Timeout,
    Transport(String),
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
        let call = call.map_err(|e| Trouble::Transport(e.to_string()))?;
        call.send().await.map_err(|e| match e {
            CallError::Transport(e) if e.is_timeout() => Trouble::Timeout,
            CallError::Transport(e) => Trouble::Transport(error_chain(&e.without_url())),
            other => Trouble::Transport(other.to_string()),
        })
    }
}

/// An error and its causes, `outer: inner: innermost`, without repeats.
fn error_chain(err: &dyn std::error::Error) -> String {
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
