//! The unified client against the built-in mock, with faults: routing by cost, retry limits,
//! failover order, answers that must not fail over, and reports.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use domain::{Answer, Failure, Outcome};
use stories::mock::{Fault, MockServer};
use stories::{Config, Policy, Query, UnifiedClient, User};

async fn mock() -> MockServer {
    crate::global_tracing();
    MockServer::start(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Every vendor configured against the mock, with fast retries.
fn client(server: &MockServer, vendors: &[&str]) -> UnifiedClient {
    let env = server.env();
    let mut config =
        Config::from_lookup(|name| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
            .unwrap_or_else(|e| panic!("{e}"));
    config.vendors.retain(|v| vendors.contains(&v.name()));
    config.policy = Policy {
        retries: 1,
        backoff: Duration::from_millis(5),
        max_wait: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
        ..Policy::default()
    };
    UnifiedClient::new(config).unwrap_or_else(|e| panic!("{e}"))
}

fn tried(answered: &stories::Answered) -> Vec<String> {
    answered
        .report
        .attempts
        .iter()
        .map(|a| {
            format!(
                "{}:{}",
                a.vendor,
                a.status.map_or("-".to_owned(), |s| s.to_string())
            )
        })
        .collect()
}

fn stories_query() -> Query {
    Query::UserStories(User::Username("natgeo".into()))
}

#[tokio::test]
async fn the_cheapest_capable_vendor_answers_first() {
    let server = mock().await;
    let client = client(&server, &["hikerapi", "keyapi", "konbiniapi", "sociavault"]);
    // KeyAPI documents 2 credits per call, HikerAPI 3 by username.
    let answered = client
        .ask(&stories_query())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(tried(&answered), ["keyapi:200"]);
    assert!(matches!(
        answered.outcome,
        Outcome::Found(Answer::Stories(_))
    ));
    assert_eq!(answered.report.credits_used(), 2);
    // SociaVault's 1 credit beats HikerAPI's 3 for highlights.
    let answered = client
        .ask(&Query::UserHighlights(User::Username("natgeo".into())))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(tried(&answered), ["sociavault:200"]);
    // KonbiniAPI reports its credits in headers.
    let answered = client
        .ask(&Query::HighlightItems("17890000000000001".into()))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let konbini = client
        .plan(&Query::HighlightItems("1".into()))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(konbini.len(), 2);
    let first = &answered.report.attempts[0];
    if first.vendor == "konbiniapi" {
        assert_eq!(
            (
                first.credits_used,
                first.credits_remaining,
                first.credits_estimated
            ),
            (Some(1), Some(999), false)
        );
    }
}

#[tokio::test]
async fn server_errors_are_retried_then_fail_over_in_order() {
    let server = mock().await;
    server.set_fault("keyapi", Fault::ServerError, None);
    let client = client(&server, &["hikerapi", "keyapi"]);
    let answered = client
        .ask(&stories_query())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        tried(&answered),
        ["keyapi:500", "keyapi:500", "hikerapi:200"]
    );
    assert!(matches!(answered.outcome, Outcome::Found(_)));
    // The failed attempts were not charged; the answer cost HikerAPI's documented 3.
    assert_eq!(answered.report.credits_used(), 3);
    assert_eq!(server.hits("keyapi"), 2);
}

#[tokio::test]
async fn a_transient_error_recovers_on_the_same_vendor() {
    let server = mock().await;
    server.set_fault("keyapi", Fault::ServerError, Some(1));
    let client = client(&server, &["hikerapi", "keyapi"]);
    let answered = client
        .ask(&stories_query())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(tried(&answered), ["keyapi:500", "keyapi:200"]);
}

#[tokio::test]
async fn retries_stop_at_the_limit_when_every_vendor_fails() {
    let server = mock().await;
    server.set_fault("keyapi", Fault::ServerError, None);
    server.set_fault("hikerapi", Fault::WrongContentType, None);
    let client = client(&server, &["hikerapi", "keyapi"]);
    let answered = client
        .ask(&stories_query())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(answered.report.attempts.len(), 4);
    assert!(
        matches!(answered.outcome, Outcome::Failed(Failure::Malformed { .. })),
        "{:?}",
        answered.outcome
    );
}

#[tokio::test]
async fn rate_limits_honour_retry_after_or_fail_over_when_it_is_too_long() {
    let server = mock().await;
    server.set_fault(
        "keyapi",
        Fault::RateLimited {
            retry_after_seconds: 1,
        },
        Some(1),
    );
    let client = client(&server, &["hikerapi", "keyapi"]);
    let started = Instant::now();
    let answered = client
        .ask(&stories_query())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(tried(&answered), ["keyapi:429", "keyapi:200"]);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was not honoured"
    );

    server.set_fault(
        "keyapi",
        Fault::RateLimited {
            retry_after_seconds: 3600,
        },
        None,
    );
    let started = Instant::now();
    let answered = client
        .ask(&stories_query())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(tried(&answered), ["keyapi:429", "hikerapi:200"]);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "waited on a Retry-After beyond the limit"
    );
}

#[tokio::test]
async fn out_of_credits_fails_over_at_once() {
    let server = mock().await;
    server.set_fault("keyapi", Fault::OutOfCredits, None);
    let client = client(&server, &["hikerapi", "keyapi"]);
    let answered = client
        .ask(&stories_query())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(tried(&answered), ["keyapi:402", "hikerapi:200"]);
}

#[tokio::test]
async fn truncated_bodies_fail_over() {
    let server = mock().await;
    server.set_fault("keyapi", Fault::Truncated, None);
    let client = client(&server, &["hikerapi", "keyapi"]);
    let answered = client
        .ask(&stories_query())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        answered.report.attempts.last().map(|a| a.vendor.as_str()),
        Some("hikerapi")
    );
    assert!(
        answered.report.attempts[0]
            .result
            .contains("could not be read"),
        "{:?}",
        answered.report.attempts[0]
    );
}

#[tokio::test]
async fn not_found_and_private_are_answers_not_failures() {
    let server = mock().await;
    let client = client(&server, &["hikerapi", "keyapi"]);
    let answered = client
        .ask(&Query::UserStories(User::Username("missing".into())))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(answered.outcome, Outcome::NotFound);
    assert_eq!(answered.report.attempts.len(), 1);
    let answered = client
        .ask(&Query::UserHighlights(User::Username("private".into())))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(answered.outcome, Outcome::PrivateAccount);
    assert_eq!(tried(&answered), ["hikerapi:403"]);
}

#[tokio::test]
async fn timeouts_are_retried_and_reported() {
    let server = mock().await;
    server.set_latency(Duration::from_millis(400));
    let mut client = client(&server, &["keyapi"]);
    let mut config = client.config().clone();
    config.policy.timeout = Duration::from_millis(100);
    client = UnifiedClient::new(config).unwrap_or_else(|e| panic!("{e}"));
    let answered = client
        .ask(&stories_query())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(answered.report.attempts.len(), 2);
    assert!(
        answered
            .report
            .attempts
            .iter()
            .all(|a| a.result.contains("timed out")),
        "{:?}",
        answered.report
    );
}

#[tokio::test]
async fn a_wrong_key_is_refused_by_the_mock_and_reported_without_the_key() {
    let server = mock().await;
    let env = server.env();
    let config = Config::from_lookup(|name| {
        if name == "STORIES_KEYAPI_KEY" {
            return Some("sk_live_wrong_secret".into());
        }
        env.iter()
            .find(|(k, _)| k == name && k.starts_with("STORIES_KEYAPI"))
            .map(|(_, v)| v.clone())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let client = UnifiedClient::new(config).unwrap_or_else(|e| panic!("{e}"));
    let answered = client
        .ask(&stories_query())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(
            answered.outcome,
            Outcome::Failed(Failure::Unauthorized { .. })
        ),
        "{:?}",
        answered.outcome
    );
    let everything = format!(
        "{client:?} {answered:?} {}",
        serde_json::to_string(&answered).unwrap_or_default()
    );
    assert!(
        !everything.contains("sk_live_wrong_secret"),
        "the key leaked"
    );
}

#[tokio::test]
async fn queries_no_configured_vendor_can_answer_are_explained() {
    let server = mock().await;
    let client = client(&server, &["keyapi"]);
    let err = client
        .ask(&Query::UserHighlights(User::Username("natgeo".into())))
        .await
        .expect_err("keyapi has no highlights");
    assert!(
        err.to_string()
            .contains("vendors that can: hikerapi, sociavault"),
        "{err}"
    );
    let none = UnifiedClient::new(Config::default()).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        none.ask(&stories_query())
            .await
            .expect_err("no vendors")
            .to_string()
            .contains("STORIES_KEYAPI_KEY")
    );
}

/// One story goes to the one vendor with a story route (HikerAPI), by id or by URL. Its docs
/// show no answer for it, so the mock says it has none instead of serving the schema's
/// placeholders (`"pk": "string"`, which no normalizer takes for an id).
#[tokio::test]
async fn a_single_story_goes_to_a_vendor_that_serves_it_and_the_mock_says_it_has_no_answer() {
    let server = mock().await;
    let client = client(&server, &["hikerapi", "keyapi", "konbiniapi", "sociavault"]);
    let answered = client
        .ask(&Query::story("3870828041672894129").unwrap_or_else(|e| panic!("{e}")))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // Asked once: a 501 will not change by retrying.
    assert_eq!(tried(&answered), ["hikerapi:501"]);
    let Outcome::Failed(failure) = &answered.outcome else {
        panic!("{:?}", answered.outcome);
    };
    assert!(
        failure.to_string().contains("no documented answer"),
        "{failure}"
    );
    let url = "https://www.instagram.com/stories/natgeo/3870828041672894129/";
    let answered = client
        .ask(&Query::story(url).unwrap_or_else(|e| panic!("{e}")))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(answered.report.attempts[0].operation, "get_v1_story_by_url");
}

/// Collects what the client traces, to check that keys never reach a log.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn traces_name_vendors_and_failures_but_never_keys() {
    let server = mock().await;
    server.set_fault("keyapi", Fault::ServerError, None);
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let client = client(&server, &["hikerapi", "keyapi"]);
    client
        .ask(&stories_query())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let log = String::from_utf8_lossy(
        &captured
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    )
    .into_owned();
    assert!(
        log.contains("vendor=\"keyapi\"") && log.contains("moving on to the next vendor"),
        "{log}"
    );
    assert!(log.contains("vendor=\"hikerapi\""), "{log}");
    assert!(
        !log.contains(stories::mock::MOCK_KEY),
        "a key reached the trace: {log}"
    );
}

#[tokio::test]
async fn drift_is_reported_per_vendor_and_never_causes_a_failover() {
    let server = mock().await;
    server.set_fault("keyapi", Fault::Drifted, None);
    let mut asked = client(&server, &["hikerapi", "keyapi"]).config().clone();
    asked.policy.check_drift = true;
    let client = UnifiedClient::new(asked).unwrap_or_else(|e| panic!("{e}"));
    let answered = client
        .ask(&stories_query())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        tried(&answered),
        ["keyapi:200"],
        "a drifted answer is still an answer"
    );
    assert!(matches!(
        answered.outcome,
        Outcome::Found(Answer::Stories(_))
    ));
    let drift = answered.drift().cloned().unwrap_or_default();
    let text = drift.to_string();
    assert!(text.contains("$.x_mock_drift: undocumented"), "{text}");
    assert!(text.contains(": missing"), "{text}");
    // Paths and counts only: no value of the body is in the report.
    assert!(!text.contains("natgeo") && !text.contains("http"), "{text}");
    let json = serde_json::to_value(&answered.report).unwrap_or_default();
    assert!(
        json["attempts"][0]["drift"]
            .as_array()
            .is_some_and(|d| !d.is_empty()),
        "{json}"
    );

    // Off (the default), nothing is checked.
    let mut quiet = client.config().clone();
    quiet.policy.check_drift = false;
    let quiet = UnifiedClient::new(quiet).unwrap_or_else(|e| panic!("{e}"));
    let answered = quiet
        .ask(&stories_query())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // Not checked is not clean: no drift at all rather than an empty list.
    assert_eq!(answered.drift(), None);
    let json = serde_json::to_value(&answered.report).unwrap_or_default();
    assert_eq!(
        json["attempts"][0]["drift"],
        serde_json::Value::Null,
        "{json}"
    );
}
