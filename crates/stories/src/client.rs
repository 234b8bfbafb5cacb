//! The unified client: routes a query to the cheapest capable vendor, retries with backoff and
//! jitter (honouring `Retry-After`), fails over on out-of-credits, rate limits, 5xx, timeouts
//! and transport errors — never on not-found or private account, which are answers — and
//! reports every attempt with the credits it used.

use std::time::{Duration, Instant};

use domain::{Answer, Drift, Failure, Outcome};
use serde::Serialize;

use client_runtime::RawReply;

use crate::call::{Trouble, VendorClient};
use crate::config::Config;
use crate::query::{Capability, Query, capabilities};

/// One try of one vendor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attempt {
    pub vendor: String,
    pub operation: String,
    /// HTTP status, when a response came back.
    pub status: Option<u16>,
    /// `found`, `empty`, `not_found`, `private_account`, or why it failed.
    pub result: String,
    /// Credits (or requests) this attempt used: from the vendor's headers or body when it
    /// reports them, else the documented cost of a charged answer.
    pub credits_used: Option<u64>,
    /// True when `credits_used` is the documented cost rather than the vendor's report.
    pub credits_estimated: bool,
    /// Credits left, when the vendor reports them.
    pub credits_remaining: Option<u64>,
    pub elapsed_ms: u64,
    /// How the response departed from the vendor's documented shape (paths and counts).
    /// `None` (`null`): the body was not compared with the documented shape (ask with
    /// `check_drift`); an empty list means it was compared and matched. Items the normalizer
    /// had to leave out are listed even unchecked.
    pub drift: Option<Drift>,
}

/// Everything one call did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    pub attempts: Vec<Attempt>,
}

impl Report {
    pub fn credits_used(&self) -> u64 {
        self.attempts.iter().filter_map(|a| a.credits_used).sum()
    }
}

/// The answer to a query and how it was obtained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answered {
    pub outcome: Outcome<Answer>,
    pub report: Report,
    /// The body of the response the outcome came from, as the vendor sent it (for archives).
    #[serde(skip)]
    pub body: Option<bytes::Bytes>,
}

impl Answered {
    /// The drift of the response that gave the outcome.
    pub fn drift(&self) -> Option<&Drift> {
        self.report.attempts.last().and_then(|a| a.drift.as_ref())
    }
}

/// Why a query could not even be tried.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    #[error(
        "no vendor API key is configured; set one of {variables} (or a key in the config file; see `stories --help`)"
    )]
    NoVendors {
        /// Every vendor's key variable, from the vendor table.
        variables: String,
    },
    #[error(
        "none of the configured vendors ({configured}) can answer {query}; vendors that can: {capable}"
    )]
    NoCapableVendor {
        query: String,
        configured: String,
        capable: String,
    },
    #[error("cannot set up {vendor}: {message}")]
    Setup {
        vendor: &'static str,
        message: String,
    },
}

impl ClientError {
    /// No vendor is configured: names every vendor's key variable.
    pub fn no_vendors() -> Self {
        ClientError::NoVendors {
            variables: crate::VENDORS
                .iter()
                .map(crate::Vendor::key_variable)
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// Whether a vendor may be sent a request now: budgets shared beyond this process (the
/// archive keeps them in its database, for every worker).
pub trait Gate: Send + Sync + std::fmt::Debug {
    /// Waits for `vendor`'s request rate to allow one more request and reserves its
    /// documented `cost` against the vendor's credit budget; `Err` says why the vendor must
    /// be skipped (the budget is spent).
    fn admit<'a>(
        &'a self,
        vendor: &'a str,
        cost: u64,
    ) -> futures::future::BoxFuture<'a, Result<(), String>>;

    /// The request reserved at `cost` used `used` credits.
    fn settle<'a>(
        &'a self,
        vendor: &'a str,
        cost: u64,
        used: u64,
    ) -> futures::future::BoxFuture<'a, ()>;
}

/// Routes queries across the configured vendors.
#[derive(Debug, Clone)]
pub struct UnifiedClient {
    config: Config,
    /// One per configured vendor, in preference order, built once for the whole run.
    clients: Vec<VendorClient>,
    gate: Option<std::sync::Arc<dyn Gate>>,
}

impl UnifiedClient {
    /// Builds every vendor's HTTP client; a key that cannot be sent or an unreadable root
    /// certificate is an error now rather than at the first call.
    pub fn new(config: Config) -> Result<Self, ClientError> {
        let options = config.http_options().map_err(|e| ClientError::Setup {
            vendor: "every vendor",
            message: e.to_string(),
        })?;
        let clients = config
            .vendors
            .iter()
            .map(|v| {
                VendorClient::new(v.clone(), &options).map_err(|e| ClientError::Setup {
                    vendor: v.name(),
                    message: e.to_string(),
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            config,
            clients,
            gate: None,
        })
    }

    /// Sends every request through `gate` first.
    pub fn with_gate(mut self, gate: std::sync::Arc<dyn Gate>) -> Self {
        self.gate = Some(gate);
        self
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The configured vendors able to answer `query`, cheapest first, then in preference order.
    pub fn plan(&self, query: &Query) -> Result<Vec<(&VendorClient, Capability)>, ClientError> {
        if self.clients.is_empty() {
            return Err(ClientError::no_vendors());
        }
        let caps: Vec<Capability> = capabilities()
            .into_iter()
            .filter(|c| c.kind() == query.kind())
            .collect();
        let mut plan: Vec<(usize, &VendorClient, Capability)> = self
            .clients
            .iter()
            .enumerate()
            .filter_map(|(rank, v)| {
                caps.iter()
                    .find(|c| c.vendor_name() == v.config.name())
                    .map(|c| (rank, v, *c))
            })
            .collect();
        if plan.is_empty() {
            return Err(ClientError::NoCapableVendor {
                query: query.to_string(),
                configured: self
                    .clients
                    .iter()
                    .map(|v| v.config.name())
                    .collect::<Vec<_>>()
                    .join(", "),
                capable: caps
                    .iter()
                    .map(Capability::vendor_name)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        plan.sort_by_key(|(rank, _, cap)| (cap.cost, *rank));
        Ok(plan.into_iter().map(|(_, v, c)| (v, c)).collect())
    }

    /// Answers `query` from the first vendor that can, trying the next on failures.
    pub async fn ask(&self, query: &Query) -> Result<Answered, ClientError> {
        let plan = self.plan(query)?;
        let policy = self.config.policy;
        let mut report = Report::default();
        let mut last = Outcome::Failed(Failure::Upstream {
            status: 0,
            message: "no attempt".into(),
            refunded: None,
        });
        for (vendor, cap) in plan {
            for retry in 0..=policy.retries {
                let cost = u64::from(cap.cost);
                if let Some(gate) = &self.gate
                    && let Err(why) = gate.admit(cap.vendor_name(), cost).await
                {
                    tracing::info!(vendor = cap.vendor_name(), reason = %why, "skipping a vendor over budget");
                    report.attempts.push(Attempt {
                        vendor: cap.vendor_name().to_owned(),
                        operation: cap.operation().to_owned(),
                        status: None,
                        result: format!("over budget: {why}"),
                        credits_used: Some(0),
                        credits_estimated: false,
                        credits_remaining: None,
                        elapsed_ms: 0,
                        drift: None,
                    });
                    last = Outcome::Failed(Failure::OutOfCredits);
                    break;
                }
                let started = Instant::now();
                let sent = vendor.send(&cap, query).await;
                let body = sent.as_ref().ok().map(|raw| raw.body.clone());
                let (outcome, mut attempt) = settle(&cap, sent, policy.check_drift);
                attempt.elapsed_ms =
                    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
                if let Some(gate) = &self.gate {
                    gate.settle(cap.vendor_name(), cost, attempt.credits_used.unwrap_or(0))
                        .await;
                }
                tracing::info!(
                    vendor = attempt.vendor,
                    operation = attempt.operation,
                    status = attempt.status,
                    result = attempt.result,
                    credits_used = attempt.credits_used,
                    elapsed_ms = attempt.elapsed_ms,
                    "attempt"
                );
                if let Some(drift) = attempt.drift.as_ref().filter(|d| !d.is_empty()) {
                    tracing::info!(
                        vendor = attempt.vendor,
                        operation = attempt.operation,
                        drift = %drift,
                        "the response departs from the documented shape"
                    );
                }
                report.attempts.push(attempt);
                let Outcome::Failed(failure) = &outcome else {
                    return Ok(Answered {
                        outcome,
                        report,
                        body,
                    });
                };
                let wait = retry_wait(failure, retry, &policy);
                last = outcome.clone();
                match wait {
                    Some(wait) if retry < policy.retries => {
                        let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
                        tracing::debug!(vendor = cap.vendor_name(), wait_ms, "retrying");
                        tokio::time::sleep(wait).await;
                    }
                    _ => {
                        tracing::warn!(vendor = cap.vendor_name(), reason = %failure, "moving on to the next vendor");
                        break;
                    }
                }
            }
            if let Outcome::Failed(failure) = &last
                && !failure.is_retryable_elsewhere()
            {
                break;
            }
        }
        Ok(Answered {
            outcome: last,
            report,
            body: None,
        })
    }
}

/// How long to wait before retrying the same vendor, or `None` to move on.
fn retry_wait(failure: &Failure, retry: u32, policy: &crate::config::Policy) -> Option<Duration> {
    match failure {
        Failure::RateLimited {
            retry_after_seconds: Some(s),
        } => {
            let wait = Duration::from_secs(*s);
            (wait <= policy.max_wait).then_some(wait)
        }
        // 501 Not Implemented says the server cannot answer this at all: waiting will not help
        // (the next vendor may still answer).
        Failure::Upstream { status: 501, .. } => None,
        Failure::RateLimited {
            retry_after_seconds: None,
        }
        | Failure::Upstream { .. }
        | Failure::Malformed { .. } => Some(backoff(retry, policy)),
        Failure::Transport { kind, .. } if kind.is_transient() => Some(backoff(retry, policy)),
        // Out of credits, a refused key, a bad request, a name that does not resolve or an
        // untrusted certificate will not change by waiting.
        _ => None,
    }
}

/// The wait before retry number `retry` (0-based): exponential from `policy.backoff`, with
/// jitter so that clients failing together do not retry together, capped at `max_wait`.
fn backoff(retry: u32, policy: &crate::config::Policy) -> Duration {
    use backon::BackoffBuilder;
    let mut delays = backon::ExponentialBuilder::default()
        .with_min_delay(policy.backoff)
        .with_max_delay(policy.max_wait)
        .with_factor(2.0)
        .with_jitter()
        .without_max_times()
        .build();
    delays
        .nth(usize::try_from(retry).unwrap_or(usize::MAX))
        .unwrap_or(policy.max_wait)
        .min(policy.max_wait)
}

fn header_number(raw: &RawReply, name: Option<&str>) -> Option<u64> {
    raw.headers.get(name?)?.to_str().ok()?.trim().parse().ok()
}

/// Credits the vendor reports in its documented credit headers: (used, remaining).
fn reported_credits(cap: &Capability, raw: &RawReply) -> (Option<u64>, Option<u64>) {
    let headers = cap.vendor.facts.credit_headers;
    (
        header_number(raw, headers.used),
        header_number(raw, headers.remaining),
    )
}

/// Whether the vendor charges for an outcome, as its docs say: answers are charged; failures
/// are not (KonbiniAPI and HikerAPI refund server failures; refused keys and empty balances
/// cost nothing).
fn charged(outcome: &Outcome<Answer>) -> bool {
    outcome.is_answer()
}

fn settle(
    cap: &Capability,
    sent: Result<RawReply, Trouble>,
    check_drift: bool,
) -> (Outcome<Answer>, Attempt) {
    let mut attempt = Attempt {
        vendor: cap.vendor_name().to_owned(),
        operation: cap.operation().to_owned(),
        status: None,
        result: String::new(),
        credits_used: None,
        credits_estimated: false,
        credits_remaining: None,
        elapsed_ms: 0,
        drift: None,
    };
    let outcome = match sent {
        Err(Trouble { kind, message }) => Outcome::Failed(Failure::Transport { kind, message }),
        Ok(raw) => {
            attempt.status = Some(raw.status);
            let response = crate::vendors::raw_response(&raw);
            let mut body_credits = None;
            let outcome = match cap.vendor.normalize(cap.operation(), response) {
                Ok(normalized) => {
                    body_credits = normalized.credits_used;
                    let mut drift = normalized.drift;
                    // Only an answer has a documented shape to compare with.
                    let compared = check_drift && normalized.outcome.is_answer();
                    if compared {
                        drift.merge(crate::drift::check(
                            cap.vendor.facts,
                            cap.operation(),
                            raw.status,
                            &raw.body,
                        ));
                    }
                    // A body full of undocumented fields reports a bounded list.
                    attempt.drift = (compared || !drift.is_empty()).then(|| drift.capped());
                    normalized.outcome
                }
                Err(e) => Outcome::Failed(Failure::Malformed {
                    message: e.to_string(),
                }),
            };
            let (used, remaining) = reported_credits(cap, &raw);
            let used = used.or(body_credits);
            attempt.credits_remaining = remaining;
            match used {
                Some(u) => attempt.credits_used = Some(u),
                None if charged(&outcome) => {
                    attempt.credits_used = Some(u64::from(cap.cost));
                    attempt.credits_estimated = true;
                }
                None => attempt.credits_used = Some(0),
            }
            outcome
        }
    };
    attempt.result = match &outcome {
        Outcome::Failed(f) => f.to_string(),
        other => other.tag().to_owned(),
    };
    (outcome, attempt)
}
