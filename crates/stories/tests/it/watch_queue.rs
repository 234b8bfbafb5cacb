//! The job queue's SQLite connection, which the archive's writes share: it commits durably
//! (apalis's set-up turns syncing off), and its query planner's statistics follow the queue's
//! growth (statistics taken while it was small would make every claim scan the whole table).

use std::time::Duration;

use stories::watch::{DatabaseUrl, PollJob, Queue};

use crate::support::tempdir;

async fn sqlite_queue(dir: &std::path::Path) -> (DatabaseUrl, Queue) {
    let url = DatabaseUrl::sqlite(&dir.join("archive.db"));
    let queue = Queue::open(&url).await.unwrap_or_else(|e| panic!("{e}"));
    (url, queue)
}

fn pool(queue: &Queue) -> &sqlx::SqlitePool {
    match queue {
        Queue::Sqlite(s) => s.pool(),
        Queue::Postgres(_) => panic!("a SQLite queue"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sqlite_queue_syncs_its_commits_as_the_archive_does() {
    let dir = tempdir();
    let (_, queue) = sqlite_queue(dir.path()).await;
    let (level,): (i64,) = sqlx::query_as("PRAGMA synchronous")
        .fetch_one(pool(&queue))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // 1 is NORMAL: in WAL mode, a power cut loses at most the last commits and never corrupts
    // the file. 0 (OFF) risks the whole archive.
    assert_eq!(level, 1, "PRAGMA synchronous on the queue's connection");
}

/// The plan SQLite picks for a claim of the next due jobs (the shape of apalis's fetch: an
/// `UPDATE … WHERE ROWID IN (the due jobs, by the pending index)`).
async fn claim_plan(queue: &Queue) -> String {
    let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(
        "EXPLAIN QUERY PLAN UPDATE Jobs SET status = 'Queued' WHERE ROWID IN (SELECT ROWID FROM Jobs WHERE job_type = 'stories-watch-poll' AND status = 'Pending' AND lock_by IS NULL ORDER BY priority DESC, run_at ASC, id ASC LIMIT 4)",
    )
    .fetch_all(pool(queue))
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    rows.into_iter()
        .map(|(_, _, _, detail)| detail)
        .collect::<Vec<_>>()
        .join("\n")
}

fn jobs(prefix: &str, n: usize) -> Vec<PollJob> {
    (0..n)
        .map(|i| PollJob::first(&format!("{prefix}{i}"), 1))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn statistics_taken_on_a_small_queue_are_refreshed_as_it_grows() {
    let dir = tempdir();
    let (url, queue) = sqlite_queue(dir.path()).await;
    let hour = Duration::from_secs(3600);
    queue
        .push_many(&jobs("small", 10), hour)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // The next open (a first `watch run` after `watch add`) runs apalis's set-up, whose
    // `PRAGMA optimize` analyzes the job table because it has no statistics yet: ten jobs.
    let queue = Queue::open(&url).await.unwrap_or_else(|e| panic!("{e}"));
    queue
        .push_many(&jobs("grown", 20_000), hour)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let stale = claim_plan(&queue).await;
    assert!(
        stale.contains("SCAN Jobs"),
        "the case this guards against: statistics of ten jobs make a claim scan every job\n{stale}"
    );
    // A worker's maintenance, on its connection, which has not queried the jobs yet when
    // the worker has just started.
    drop(queue);
    let worker = Queue::open(&url).await.unwrap_or_else(|e| panic!("{e}"));
    worker
        .refresh_statistics()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let fresh = claim_plan(&worker).await;
    assert!(
        !fresh.contains("SCAN Jobs"),
        "a claim reads only the due jobs once statistics are fresh\n{fresh}"
    );
}
