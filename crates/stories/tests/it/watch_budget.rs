//! The vendor budgets a worker admits its requests against (`watch budget`), through the
//! gate every worker builds: credits reserved and corrected in the archive, and a change made
//! while workers run reaching them within a second.

use std::time::Duration;

use stories::client::Gate;
use stories::watch::budget::{Budget, DbGate};
use stories::watch::{Database, DatabaseUrl, Queue};

use crate::support::tempdir;

async fn gate(dir: &std::path::Path) -> (Database, DbGate) {
    let url = DatabaseUrl::sqlite(&dir.join("archive.db"));
    let db = Database::open(&url).await.unwrap_or_else(|e| panic!("{e}"));
    let queue = Queue::open(&url).await.unwrap_or_else(|e| panic!("{e}"));
    (db.clone(), DbGate::new(db, queue))
}

async fn credits(db: &Database, budget: i64) {
    db.set_budget(&Budget {
        vendor: "keyapi".into(),
        requests_per_sec: None,
        credits_per_day: Some(budget),
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
}

async fn spent(db: &Database) -> i64 {
    let (credits,): (i64,) =
        sqlx::query_as("SELECT credits FROM vendor_credits WHERE vendor = 'keyapi'")
            .fetch_one(db.pool())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    credits
}

#[tokio::test(flavor = "multi_thread")]
async fn a_daily_budget_admits_what_fits_and_a_raised_one_applies_within_a_second() {
    let dir = tempdir();
    let (db, gate) = gate(dir.path()).await;
    credits(&db, 5).await;
    assert_eq!(gate.admit("keyapi", 2).await, Ok(()));
    assert_eq!(gate.admit("keyapi", 2).await, Ok(()));
    let refused = gate.admit("keyapi", 2).await;
    assert_eq!(
        refused,
        Err("keyapi's daily budget of 5 credits is spent".to_owned())
    );
    // A refused request reserves nothing.
    assert_eq!(spent(&db).await, 4);
    // The vendor reported 1 credit used where 2 were reserved: one is free again.
    gate.settle("keyapi", 2, 1).await;
    assert_eq!(spent(&db).await, 3);
    assert_eq!(gate.admit("keyapi", 2).await, Ok(()));
    assert_eq!(spent(&db).await, 5);
    // Another vendor's budget is its own.
    assert_eq!(gate.admit("hikerapi", 100).await, Ok(()));

    // `watch budget` raises the limit while the worker runs.
    credits(&db, 9).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(gate.admit("keyapi", 2).await, Ok(()));
    assert_eq!(gate.admit("keyapi", 2).await, Ok(()));
    assert_eq!(spent(&db).await, 9);
    assert!(gate.admit("keyapi", 1).await.is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_rate_makes_the_next_request_wait_for_the_next_second() {
    let dir = tempdir();
    let (db, gate) = gate(dir.path()).await;
    db.set_budget(&Budget {
        vendor: "keyapi".into(),
        requests_per_sec: Some(1),
        credits_per_day: None,
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(gate.admit("keyapi", 0).await, Ok(()));
    assert_eq!(gate.admit("keyapi", 0).await, Ok(()));
    let seconds: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT second, requests FROM vendor_rate WHERE vendor = 'keyapi' ORDER BY second",
    )
    .fetch_all(db.pool())
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        seconds.len(),
        2,
        "two requests at 1/s in one second: {seconds:?}"
    );
    assert!(seconds.iter().all(|(_, n)| *n == 1), "{seconds:?}");
}
