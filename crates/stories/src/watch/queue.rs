//! The job queue that shares polls between workers: apalis, on the archive's own database
//! (apalis-sqlite or apalis-postgres, migrated beside the archive's tables). Each watched
//! account is one chain of poll jobs: a job polls its account and enqueues the next, due when
//! the schedule says. A job's successor has an idempotency key made of the account, the
//! account's generation (when it was added) and the job's place in the chain, so a job run
//! twice (a worker killed after enqueueing, its job taken up again once its heartbeat
//! stopped) still has one successor: an account is never polled by two workers at once, and
//! removing an account ends its chain.

use std::time::Duration;

use apalis::prelude::{TaskBuilder, TaskSink};
use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use serde::{Deserialize, Serialize};

use super::WatchError;
use super::db::{DatabaseUrl, Engine};

/// One poll of one account, the `seq`-th of its chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollJob {
    pub account: String,
    /// The account's `added_at`: a removed and re-added account starts a new chain.
    pub generation: i64,
    pub seq: u64,
}

impl PollJob {
    /// The chain's first job.
    pub fn first(account: &str, generation: i64) -> Self {
        Self {
            account: account.to_owned(),
            generation,
            seq: 0,
        }
    }

    /// The job after this one.
    pub fn next(&self) -> Self {
        Self {
            account: self.account.clone(),
            generation: self.generation,
            seq: self.seq + 1,
        }
    }

    fn key(&self) -> String {
        format!("poll:{}:{}:{}", self.account, self.generation, self.seq)
    }
}

/// How often a worker beats and looks for due jobs; a worker silent for
/// `HEARTBEAT × MISSED_HEARTBEATS` is dead and its jobs are taken up again.
pub const HEARTBEAT: Duration = Duration::from_secs(1);
pub const MISSED_HEARTBEATS: usize = 5;
/// A poll job is retried (a database briefly gone) rather than ever dropped: a chain that
/// ended would leave its account unwatched.
const ATTEMPTS: usize = 1_000_000;
const QUEUE: &str = "stories-watch-poll";

/// The queue on one archive database.
#[derive(Clone)]
pub enum Queue {
    Sqlite(SqliteStorage<PollJob>),
    Postgres(PostgresStorage<PollJob>),
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Queue::Sqlite(_) => "Queue::Sqlite",
            Queue::Postgres(_) => "Queue::Postgres",
        })
    }
}

fn queue_error(url: &DatabaseUrl, e: impl std::fmt::Display) -> WatchError {
    WatchError::Database {
        url: url.to_string(),
        message: format!("job queue: {e}"),
    }
}

impl Queue {
    /// Connects and applies the queue's own migrations.
    pub async fn open(url: &DatabaseUrl) -> Result<Self, WatchError> {
        let fail = |e: &dyn std::fmt::Display| queue_error(url, e);
        match url.engine {
            Engine::Sqlite => {
                let options: sqlx::sqlite::SqliteConnectOptions = url
                    .connect_url()
                    .parse()
                    .map_err(|e: sqlx::Error| fail(&e))?;
                let pool = sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(options.busy_timeout(Duration::from_secs(10)))
                    .await
                    .map_err(|e| fail(&e))?;
                SqliteStorage::setup(&pool).await.map_err(|e| fail(&e))?;
                let config = apalis_sqlite::Config::default()
                    .queue(QUEUE)
                    .heartbeat_interval(HEARTBEAT)
                    .missed_heartbeats(MISSED_HEARTBEATS)
                    .batch_size(4);
                Ok(Queue::Sqlite(SqliteStorage::new(&pool).with_config(config)))
            }
            Engine::Postgres => {
                let pool = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url.connect_url())
                    .await
                    .map_err(|e| fail(&e))?;
                PostgresStorage::setup(&pool).await.map_err(|e| fail(&e))?;
                let config = apalis_postgres::Config::default()
                    .queue(QUEUE)
                    .heartbeat_interval(HEARTBEAT)
                    .missed_heartbeats(MISSED_HEARTBEATS)
                    .batch_size(4);
                Ok(Queue::Postgres(
                    PostgresStorage::new(&pool).with_config(config),
                ))
            }
        }
    }

    /// Enqueues many jobs at once, due `after` from now, in one transaction (a large
    /// `watch add --batch`): one commit instead of one per account.
    pub async fn push_many(&self, jobs: &[PollJob], after: Duration) -> Result<(), String> {
        let tasks = || {
            jobs.iter().map(|job| {
                TaskBuilder::new(serde_json::to_vec(job).unwrap_or_default())
                    .run_after(after)
                    .idempotency_key(job.key())
                    .max_attempts(ATTEMPTS)
                    .build()
            })
        };
        let e = |e: &dyn std::fmt::Display| e.to_string();
        match self {
            Queue::Sqlite(s) => {
                let mut tx = s.pool().begin().await.map_err(|x| e(&x))?;
                let tasks: Vec<_> = tasks().collect();
                apalis_sqlite::queries::push_tasks(&mut *tx, QUEUE, &tasks)
                    .await
                    .map_err(|x| e(&x))?;
                tx.commit().await.map_err(|x| e(&x))
            }
            Queue::Postgres(s) => {
                let mut tx = s.pool().begin().await.map_err(|x| e(&x))?;
                // apalis-postgres refuses a key that exists: push only the new ones.
                for chunk in tasks().collect::<Vec<_>>().chunks(1000) {
                    let fresh = chunk.to_vec();
                    let pushed = apalis_postgres::queries::push_tasks(&mut *tx, QUEUE, fresh).await;
                    if let Err(x) = pushed {
                        let text = x.to_string();
                        if text.contains("idx_jobs_idempotency_key") {
                            // Part of the batch is enqueued already: fall back to one by one.
                            drop(tx);
                            for job in jobs {
                                self.push(job.clone(), after).await?;
                            }
                            return Ok(());
                        }
                        return Err(text);
                    }
                }
                tx.commit().await.map_err(|x| e(&x))
            }
        }
    }

    /// Enqueues `job`, due `after` from now; a job with the same key is left as it is.
    pub async fn push(&self, job: PollJob, after: Duration) -> Result<(), String> {
        let task = TaskBuilder::new(job.clone())
            .run_after(after)
            .idempotency_key(job.key())
            .max_attempts(ATTEMPTS)
            .build();
        let pushed = match self.clone() {
            Queue::Sqlite(mut s) => s.push_task(task).await.map_err(|e| e.to_string()),
            Queue::Postgres(mut s) => s.push_task(task).await.map_err(|e| e.to_string()),
        };
        match pushed {
            // apalis-sqlite ignores a second job with a key; apalis-postgres refuses it on
            // the same unique index. Either way the job is already there.
            Err(e) if e.contains("idx_jobs_idempotency_key") => Ok(()),
            other => other,
        }
    }
}
