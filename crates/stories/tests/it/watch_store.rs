//! A poll's writes through the archive's batch, on SQLite and on Postgres: the attempts and
//! stories of an answer are stored in as few statements as the answer takes, each story once,
//! and a new story marks its account as owing media in the same transaction.

use stories::client::Attempt;
use stories::watch::{Database, DatabaseUrl, Queue};

use crate::cli_watch::{postgres, postgres_absent};
use crate::support::tempdir;

fn story(id: &str) -> domain::Story {
    serde_json::from_value(serde_json::json!({
        "id": id, "shortcode": null,
        "owner": {"id": "787132", "username": "ana", "full_name": null, "avatar_url": null, "verified": null, "private": null},
        "kind": "image", "taken_at": "2026-12-01T21:23:18Z", "expires_at": null,
        "images": [], "videos": [], "duration_seconds": null, "mentions": [], "hashtags": [], "links": [], "locations": [],
        "sponsors": [], "paid_partnership": null, "accessibility_caption": null, "permalink": null,
        "source": {"vendor": "keyapi", "operation": "fetch_user_stories"}
    }))
    .unwrap_or_else(|e| panic!("{e}"))
}

fn attempt(vendor: &str, result: &str) -> Attempt {
    Attempt {
        vendor: vendor.into(),
        operation: "fetch_user_stories".into(),
        status: Some(200),
        result: result.into(),
        credits_used: Some(1),
        credits_estimated: false,
        credits_remaining: None,
        elapsed_ms: 12,
        drift: None,
    }
}

async fn count(db: &Database, sql: &'static str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql)
        .fetch_one(db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    n
}

/// An answer of 1,201 stories (more than two statements' worth), newest id first and one
/// repeated, after a failover (two attempts).
async fn a_long_answer_is_stored_once_in_its_order(url: DatabaseUrl) {
    let db = Database::open(&url).await.unwrap_or_else(|e| panic!("{e}"));
    let queue = Queue::open(&url).await.unwrap_or_else(|e| panic!("{e}"));
    db.add("ana", false, 60)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("UPDATE watched SET media_pending = 0")
        .execute(db.pool())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut answer: Vec<_> = (0..1_201)
        .rev()
        .map(|i| story(&format!("3100{i:05}")))
        .collect();
    answer.insert(600, answer[3].clone());
    let attempts = [
        attempt("hikerapi", "server error"),
        attempt("keyapi", "found"),
    ];

    let mut batch = queue.batch(&db).await.unwrap_or_else(|e| panic!("{e}"));
    let new = batch
        .record_answer("ana", &attempts, &answer)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    batch.commit().await.unwrap_or_else(|e| panic!("{e}"));
    let expected: Vec<String> = (0..1_201).rev().map(|i| format!("3100{i:05}")).collect();
    assert_eq!(new, expected, "each new story once, in the answer's order");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM stories").await, 1_201);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM attempts").await, 2);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM attempts WHERE vendor = 'hikerapi' AND result = 'server error' AND credits_used = 1 AND elapsed_ms = 12").await,
        1
    );
    let (json,): (String,) = sqlx::query_as("SELECT story FROM stories WHERE id = '310000600'")
        .fetch_one(db.pool())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let stored: domain::Story = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stored, story("310000600"));
    let watched = db.watched_one("ana").await.ok().flatten();
    assert!(
        watched.is_some_and(|w| w.media_pending),
        "new stories owe media"
    );

    // The same answer again: its attempts are recorded, nothing is new.
    sqlx::query("UPDATE watched SET media_pending = 0")
        .execute(db.pool())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut batch = queue.batch(&db).await.unwrap_or_else(|e| panic!("{e}"));
    let again = batch
        .record_answer("ana", &attempts[1..], &answer)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // An answer without stories (a failed poll) records its attempts alone.
    let none = batch
        .record_answer("ana", &attempts[..1], &[])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    batch.commit().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((again.len(), none.len()), (0, 0));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM stories").await, 1_201);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM attempts").await, 4);
    let watched = db.watched_one("ana").await.ok().flatten();
    assert!(
        watched.is_some_and(|w| !w.media_pending),
        "nothing new, nothing owed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_answer_is_stored_once_in_its_order_on_sqlite() {
    let dir = tempdir();
    a_long_answer_is_stored_once_in_its_order(DatabaseUrl::sqlite(&dir.path().join("a.db"))).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_answer_is_stored_once_in_its_order_on_postgres() {
    let Some(url) = postgres("long_answer").await else {
        return postgres_absent("a_long_answer_is_stored_once_in_its_order_on_postgres");
    };
    a_long_answer_is_stored_once_in_its_order(
        DatabaseUrl::parse(&url).unwrap_or_else(|e| panic!("{e}")),
    )
    .await;
}
