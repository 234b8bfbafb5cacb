//! The job queue's SQLite connection, which the archive's writes share: it commits durably
//! (apalis's set-up turns syncing off).

use stories::watch::{DatabaseUrl, Queue};

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
