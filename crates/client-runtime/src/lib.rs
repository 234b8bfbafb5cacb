//! The hand-written runtime every generated vendor client shares.
//!
//! A generated crate holds only what differs per vendor: progenitor's typed operations and
//! one [`VendorFacts`] constant (`VENDOR`) emitted from the canonical document. Everything that
//! is the same for every vendor lives here, written and tested once:
//!
//! - [`VendorFacts`]: name, base URL, auth scheme, credit headers, operations with their
//!   documented costs and parameters, and the canonical OpenAPI document;
//! - [`HttpOptions`] and [`VendorFacts::http_client`]: the HTTPS client that carries the API
//!   key the vendor's way (rustls with the platform's roots plus any extra root certificate,
//!   gzip and brotli, HTTP/2, proxies from the environment);
//! - [`LenientId`]: an id that Instagram sends as a string on one endpoint and a number on
//!   another;
//! - [`RawCall`]: an operation called by id with string arguments, answering status, headers
//!   and body bytes, for callers that decode the body themselves;
//! - [`Chunk`]: a paged answer sent as `[[item, …], "next-cursor"]`;
//! - [`examples`]: the example bodies of a canonical document, for mocks and tests.

mod chunk;
pub mod examples;
mod facts;
mod http;
mod id;
mod raw;

pub use chunk::Chunk;
pub use facts::{
    Auth, BodyTypes, CreditHeaders, OperationMeta, ParamIn, ParamMeta, VendorFacts, reencode,
};
pub use http::{ClientBuildError, FromApiKey, HttpOptions};
pub use id::LenientId;
pub use raw::{CallError, RawCall, RawReply};

/// Re-exported so callers configure TLS with the same types this crate builds with.
pub use reqwest;
