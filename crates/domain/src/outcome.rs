//! What a call came to: the answers users must tell apart.

use serde::{Deserialize, Serialize};

/// The result of asking one vendor one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", content = "value", rename_all = "snake_case")]
pub enum Outcome<T> {
    /// The answer.
    Found(T),
    /// The account exists and is visible, but has nothing here (no active stories).
    Empty,
    /// A definite answer: the vendor could not see a private account.
    PrivateAccount,
    /// A definite answer: no such account, story or highlight.
    NotFound,
    /// The call failed; another vendor may succeed.
    Failed(Failure),
}

/// Why a call failed, when another vendor might do better.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Failure {
    #[error("rate limited{}", retry_after_seconds.map(|s| format!(", retry after {s} s")).unwrap_or_default())]
    RateLimited { retry_after_seconds: Option<u64> },
    #[error("out of credits")]
    OutOfCredits,
    #[error("the API key was refused: {message}")]
    Unauthorized { message: String },
    #[error("the request was refused: {message}")]
    BadRequest { message: String },
    #[error("upstream failure (HTTP {status}): {message}")]
    Upstream {
        status: u16,
        message: String,
        /// Whether the vendor says it refunds such failures, when it says.
        refunded: Option<bool>,
    },
    #[error("the response could not be read: {message}")]
    Malformed { message: String },
    /// No response came back: the connection, name lookup or TLS handshake failed, or the
    /// vendor did not answer in time.
    #[error("{kind}: {message}")]
    Transport {
        kind: TransportKind,
        /// The cause, as the network stack reported it (no URL, no key).
        message: String,
    },
}

/// What went wrong before any response came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TransportKind {
    /// Nothing listens at the vendor's address (or a firewall said no).
    Refused,
    /// The vendor's host name did not resolve.
    Dns,
    /// The TLS handshake failed: an untrusted or invalid certificate, or not TLS at all.
    Tls,
    /// No answer within the timeout.
    Timeout,
    /// The connection was reset or closed before the response was complete.
    Closed,
    /// Any other failure to connect or send.
    Other,
}

impl TransportKind {
    /// Whether trying the same vendor again soon could help (a name that does not resolve or
    /// a certificate that is not trusted will not change).
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            TransportKind::Refused
                | TransportKind::Timeout
                | TransportKind::Closed
                | TransportKind::Other
        )
    }
}

impl std::fmt::Display for TransportKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TransportKind::Refused => "connection refused",
            TransportKind::Dns => "DNS lookup failed",
            TransportKind::Tls => "TLS handshake failed",
            TransportKind::Timeout => "timed out",
            TransportKind::Closed => "connection closed early",
            TransportKind::Other => "could not send the request",
        })
    }
}

impl Failure {
    /// Whether asking another vendor could help.
    pub fn is_retryable_elsewhere(&self) -> bool {
        !matches!(self, Failure::BadRequest { .. })
    }
}

impl<T> Outcome<T> {
    /// Maps the found value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Outcome<U> {
        match self {
            Outcome::Found(t) => Outcome::Found(f(t)),
            Outcome::Empty => Outcome::Empty,
            Outcome::PrivateAccount => Outcome::PrivateAccount,
            Outcome::NotFound => Outcome::NotFound,
            Outcome::Failed(e) => Outcome::Failed(e),
        }
    }

    /// The outcome's name in the JSON form: `found`, `empty`, `private_account`, `not_found`
    /// or `failed`.
    pub fn tag(&self) -> &'static str {
        match self {
            Outcome::Found(_) => "found",
            Outcome::Empty => "empty",
            Outcome::PrivateAccount => "private_account",
            Outcome::NotFound => "not_found",
            Outcome::Failed(_) => "failed",
        }
    }

    /// Whether this is an answer (found, empty, private, not found) rather than a failure.
    pub fn is_answer(&self) -> bool {
        !matches!(self, Outcome::Failed(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_form_is_tagged() {
        let o: Outcome<u8> = Outcome::Failed(Failure::RateLimited {
            retry_after_seconds: Some(3),
        });
        assert_eq!(
            serde_json::to_value(&o).expect("serializes"),
            serde_json::json!({"outcome": "failed", "value": {"reason": "rate_limited", "retry_after_seconds": 3}})
        );
        assert_eq!(
            serde_json::to_value(Outcome::<u8>::PrivateAccount).expect("serializes"),
            serde_json::json!({"outcome": "private_account"})
        );
    }

    #[test]
    fn tags_match_the_json_form() {
        for o in [
            Outcome::Found(1u8),
            Outcome::Empty,
            Outcome::PrivateAccount,
            Outcome::NotFound,
            Outcome::Failed(Failure::OutOfCredits),
        ] {
            let json = serde_json::to_value(&o).unwrap_or_default();
            assert_eq!(json["outcome"], o.tag());
        }
    }

    #[test]
    fn transport_failures_say_what_failed() {
        let f = Failure::Transport {
            kind: TransportKind::Refused,
            message: "tcp connect error: Connection refused (os error 111)".into(),
        };
        assert_eq!(
            f.to_string(),
            "connection refused: tcp connect error: Connection refused (os error 111)"
        );
        assert_eq!(
            serde_json::to_value(&f).expect("serializes"),
            serde_json::json!({"reason": "transport", "kind": "refused", "message": "tcp connect error: Connection refused (os error 111)"})
        );
        assert!(TransportKind::Timeout.is_transient());
        assert!(!TransportKind::Dns.is_transient());
    }

    #[test]
    fn answers_and_failures() {
        assert!(Outcome::<u8>::NotFound.is_answer());
        assert!(!Outcome::<u8>::Failed(Failure::OutOfCredits).is_answer());
        assert!(
            !Failure::BadRequest {
                message: String::new()
            }
            .is_retryable_elsewhere()
        );
    }
}
