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

/// The most characters of a decoder's message an error keeps.
pub const MAX_MESSAGE_CHARS: usize = 300;

fn bounded(message: String) -> String {
    let total = message.chars().count();
    if total <= MAX_MESSAGE_CHARS {
        return message;
    }
    let head: String = message.chars().take(MAX_MESSAGE_CHARS).collect();
    format!("{head}… ({} more characters)", total - MAX_MESSAGE_CHARS)
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
    #[error("{vendor} {operation} (HTTP {status}): the body is empty")]
    EmptyBody {
        vendor: String,
        operation: String,
        status: u16,
    },
    #[error("{vendor} {operation} (HTTP {status}): the body is not JSON: {message}")]
    Syntax {
        vendor: String,
        operation: String,
        status: u16,
        message: String,
    },
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

    /// The body of a response with `status` does not decode into the documented type. The
    /// message is cut at [`MAX_MESSAGE_CHARS`]: a decoder quotes the value it refused, and a
    /// value can be megabytes long.
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
            message: bounded(message.to_string()),
        }
    }

    /// Says more precisely why `body` did not decode: it is empty, or not JSON at all, rather
    /// than "not the documented shape". Other errors are kept. Called only once decoding has
    /// failed, so a good body is never parsed twice.
    #[must_use]
    pub fn explained_by(self, body: &[u8]) -> Self {
        let Self::Decode {
            vendor,
            operation,
            status,
            message,
        } = self
        else {
            return self;
        };
        if body.iter().all(u8::is_ascii_whitespace) {
            return Self::EmptyBody {
                vendor,
                operation,
                status,
            };
        }
        match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
            Err(e) if e.is_syntax() || e.is_eof() => Self::Syntax {
                vendor,
                operation,
                status,
                message: bounded(e.to_string()),
            },
            _ => Self::Decode {
                vendor,
                operation,
                status,
                message,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decode_error_quotes_a_bounded_part_of_what_it_refused() {
        let huge = format!(
            "invalid type: string \"{}\", expected u64",
            "x".repeat(10_000_000)
        );
        let left_out = huge.len() - MAX_MESSAGE_CHARS;
        let e = NormalizeError::decode("v", "op", 200, huge).to_string();
        assert!(e.len() < 500, "{} bytes", e.len());
        assert!(
            e.ends_with(&format!("… ({left_out} more characters)")),
            "{e}"
        );
        let short = NormalizeError::decode("v", "op", 200, "expected u64").to_string();
        assert_eq!(
            short,
            "v op (HTTP 200): the body does not match the vendor's documented shape: expected u64"
        );
    }

    #[test]
    fn an_empty_or_non_json_body_is_said_to_be_so() {
        let refused = || NormalizeError::decode("v", "op", 502, "expected struct Envelope");
        assert!(matches!(
            refused().explained_by(b" \r\n"),
            NormalizeError::EmptyBody { status: 502, .. }
        ));
        assert_eq!(
            refused().explained_by(b"<html>").to_string(),
            "v op (HTTP 502): the body is not JSON: expected value at line 1 column 1"
        );
        assert!(matches!(
            refused().explained_by(b"{\"a\": [1,"),
            NormalizeError::Syntax { .. }
        ));
        assert_eq!(refused().explained_by(b"{\"a\": 1}"), refused());
        let other = NormalizeError::unknown_operation("v", "x", &["y"]);
        assert_eq!(other.clone().explained_by(b""), other);
    }
}
