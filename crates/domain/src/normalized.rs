//! What normalizers produce, and how they fail.

use serde::{Deserialize, Serialize};

use crate::{Drift, Highlight, Outcome, Page, Story};

/// A successful response, normalized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum Answer {
    Stories(Page<Story>),
    Story(Story),
    Highlights(Page<Highlight>),
    Highlight(Highlight),
}

/// What a normalizer made of one response: the outcome, and the items it had to leave out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Normalized {
    pub outcome: Outcome<Answer>,
    /// List items left out because they could not be identified (the rest of the answer
    /// stands). Schema drift is checked against the canonical document by the caller.
    pub drift: Drift,
    /// Credits the call used, when the vendor reports them in the body.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub credits_used: Option<u64>,
}

impl Normalized {
    /// An outcome and the items left out of it.
    pub fn new(outcome: Outcome<Answer>, drift: Drift) -> Self {
        Self {
            outcome,
            drift,
            credits_used: None,
        }
    }

    /// An outcome with nothing left out.
    pub fn clean(outcome: Outcome<Answer>) -> Self {
        Self {
            outcome,
            drift: Drift::default(),
            credits_used: None,
        }
    }
}

/// A vendor's raw HTTP response, as saved or received.
#[derive(Debug, Clone, Copy)]
pub struct RawResponse<'a> {
    pub status: u16,
    /// The `Retry-After` header in seconds, when there was one.
    pub retry_after_seconds: Option<u64>,
    pub body: &'a [u8],
}

impl<'a> RawResponse<'a> {
    /// A 200 response with this body, as archives of successful calls hold.
    pub fn ok(body: &'a [u8]) -> Self {
        Self {
            status: 200,
            retry_after_seconds: None,
            body,
        }
    }
}

/// Why a response could not be normalized at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NormalizeError {
    #[error("no vendor `{vendor}`; known vendors: {known}")]
    UnknownVendor { vendor: String, known: String },
    #[error("{vendor} has no operation `{operation}` (known: {known})")]
    UnknownOperation {
        vendor: String,
        operation: String,
        known: String,
    },
    #[error("{vendor} {operation} returns media bytes, not JSON; there is nothing to normalize")]
    NotJson { vendor: String, operation: String },
    #[error(
        "{vendor} {operation} (HTTP {status}): the body does not match the vendor's documented shape: {message}"
    )]
    Decode {
        vendor: String,
        operation: String,
        status: u16,
        message: String,
    },
}

impl NormalizeError {
    /// `operation` is not one of `known`.
    pub fn unknown_operation(vendor: &str, operation: &str, known: &[&str]) -> Self {
        Self::UnknownOperation {
            vendor: vendor.into(),
            operation: operation.into(),
            known: known.join(", "),
        }
    }

    /// The body of a response with `status` does not decode into the documented type.
    pub fn decode(
        vendor: &str,
        operation: &str,
        status: u16,
        message: impl std::fmt::Display,
    ) -> Self {
        Self::Decode {
            vendor: vendor.into(),
            operation: operation.into(),
            status,
            message: message.to_string(),
        }
    }
}
