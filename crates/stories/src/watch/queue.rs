//! The job queue that shares polls between workers: apalis, on the archive's own database
//! (apalis-sqlite or apalis-postgres, migrated beside the archive's tables). Each watched
//! account is one chain of poll jobs: a job polls its account and enqueues the next, due when
//! the schedule says. A job's successor has an idempotency key made of the account, the
//! account's generation (when it was added) and the job's place in the chain, so a job run
//! twice (a worker killed after enqueueing, its job taken up again once its heartbeat
//! stopped) still has one successor: an account is never polled by two workers at once, and
//! removing an account ends its chain.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use apalis::prelude::{Status, TaskBuilder, TaskId, TaskResult, TaskSink};
use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use serde::{Deserialize, Serialize};

use super::WatchError;
use super::db::{Database, DatabaseUrl, Engine};
use super::store::{Batch, Tx};

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
/// The most jobs one claim takes ([`Queue::claiming`]).
const MAX_CLAIM: usize = 64;
/// What a queue not sized for a worker claims at once.
const DEFAULT_CLAIM: usize = 4;

/// How long a completed poll job is kept before [`Queue::trim`] deletes it: one row per poll
/// would otherwise stay forever (100,000 accounts polled hourly are 2.4 million a day). A day
/// is far longer than a job can wait to be run again after its worker died (seconds), so the
/// re-run still finds its successor's key and a chain never forks.
pub const KEEP_DONE: Duration = Duration::from_secs(86_400);
/// Rows deleted per statement, so that trimming a large backlog never holds SQLite's write
/// lock for long.
const TRIM_CHUNK: i64 = 10_000;

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

/// The queue's settings on each engine, claiming `batch` jobs at once (the same fields, two
/// types).
///
/// apalis neither marks a job running nor records its end: a worker marks each job done in
/// the commit that records its poll ([`Batch::complete`]), or failed when it cannot
/// ([`Queue::fail`]). apalis's own records are a transaction of their own, and its worker
/// hands out no job while one is being written, so each poll's start waited for the
/// last one's record behind every poll's commit on SQLite's one connection. A claimed job
/// is locked by its worker either way: a dead worker's jobs are taken up again once its
/// heartbeat stops, whichever state they are in.
macro_rules! config {
    ($engine:ident, $batch:expr) => {
        $engine::Config::default()
            .queue(QUEUE)
            .heartbeat_interval(HEARTBEAT)
            .missed_heartbeats(MISSED_HEARTBEATS)
            .batch_size($batch)
            .lock_tasks(false)
            .persist_results(false)
    };
}

fn sqlite_config(batch: usize) -> apalis_sqlite::Config {
    config!(apalis_sqlite, batch)
}

fn postgres_config(batch: usize) -> apalis_postgres::Config {
    config!(apalis_postgres, batch)
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
                // One connection: the queue's and the archive's writes (`Batch`) take turns in
                // the pool instead of in SQLite's busy handler, whose sleeps (1, 2, 5, 10 ms…)
                // leave the lock idle while every waiter sleeps. Other processes on the same
                // file still wait in the busy handler. Commits reach the write-ahead log
                // without a sync each, as the archive's own connections do.
                let pool = sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(
                        options
                            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                            .busy_timeout(Duration::from_secs(10))
                            .synchronous(sqlx::sqlite::SqliteSynchronous::Normal),
                    )
                    .await
                    .map_err(|e| fail(&e))?;
                SqliteStorage::setup(&pool).await.map_err(|e| fail(&e))?;
                // apalis's set-up turns syncing off on the connection it ran on, this pool's
                // only one, which the archive's writes share: back to NORMAL, so that a power
                // cut can cost the last commits but never corrupt the archive.
                sqlx::query("PRAGMA synchronous = NORMAL")
                    .execute(&pool)
                    .await
                    .map_err(|e| fail(&e))?;
                Ok(Queue::Sqlite(
                    SqliteStorage::new(&pool).with_config(sqlite_config(DEFAULT_CLAIM)),
                ))
            }
            Engine::Postgres => {
                // Enough for a worker's polls in flight to commit their batches side by side.
                let pool = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(10)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url.connect_url())
                    .await
                    .map_err(|e| fail(&e))?;
                PostgresStorage::setup(&pool).await.map_err(|e| fail(&e))?;
                Ok(Queue::Postgres(
                    PostgresStorage::new(&pool).with_config(postgres_config(DEFAULT_CLAIM)),
                ))
            }
        }
    }

    /// The queue as a worker with `slots` polls in flight claims from it: as many due jobs
    /// per claim as it has slots. A claim is one transaction whatever its size (on SQLite an
    /// `UPDATE … RETURNING` that moves each job through the job table's indexes, and the
    /// write lock meanwhile), so claiming a worker's worth at once costs less per job than
    /// a few at a time; claiming more would hold due jobs back from other workers.
    pub fn claiming(self, slots: usize) -> Self {
        let batch = slots.clamp(1, MAX_CLAIM);
        match self {
            Queue::Sqlite(s) => Queue::Sqlite(s.with_config(sqlite_config(batch))),
            Queue::Postgres(s) => Queue::Postgres(s.with_config(postgres_config(batch))),
        }
    }

    /// Deletes this queue's jobs completed more than `older_than` ago, a chunk at a time;
    /// returns how many.
    pub async fn trim(&self, older_than: Duration) -> Result<u64, String> {
        // By the database's clock, which stamped the jobs done.
        let age = i64::try_from(older_than.as_secs()).unwrap_or(i64::MAX);
        let mut deleted = 0;
        // The same deletion in each engine's dialect (table name, rowid, clock).
        macro_rules! delete_chunk {
            ($pool:expr, $sql:expr) => {
                sqlx::query($sql)
                    .bind(QUEUE)
                    .bind(age)
                    .bind(TRIM_CHUNK)
                    .execute($pool)
                    .await
                    .map(|r| r.rows_affected())
            };
        }
        loop {
            let chunk = match self {
                Queue::Sqlite(s) => delete_chunk!(
                    s.pool(),
                    "DELETE FROM Jobs WHERE rowid IN (SELECT rowid FROM Jobs WHERE job_type = $1 AND status = 'Done' AND done_at <= CAST(strftime('%s', 'now') AS INTEGER) - $2 LIMIT $3)"
                ),
                Queue::Postgres(s) => delete_chunk!(
                    s.pool(),
                    "DELETE FROM apalis.jobs WHERE id IN (SELECT id FROM apalis.jobs WHERE job_type = $1 AND status = 'Done' AND done_at <= now() - $2 * interval '1 second' LIMIT $3)"
                ),
            }
            .map_err(|e| e.to_string())?;
            deleted += chunk;
            if chunk < TRIM_CHUNK.unsigned_abs() {
                return Ok(deleted);
            }
        }
    }

    /// Lets SQLite refresh its query planner's statistics of the tables that grew or shrank
    /// tenfold since they were taken. apalis's set-up takes the job table's first statistics
    /// at the second open of an archive, when it holds the few jobs of a first `watch add`;
    /// once it holds many (a day of polls is kept), those would make every claim scan the
    /// whole table. `PRAGMA optimize` with 0x10000 checks every table, not only those this
    /// connection has queried, and 0x10 bounds each analysis to a sample. Postgres's
    /// autovacuum keeps its own statistics.
    pub async fn refresh_statistics(&self) -> Result<(), String> {
        match self {
            Queue::Sqlite(s) => sqlx::query("PRAGMA optimize = 0x10012")
                .execute(s.pool())
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Queue::Postgres(_) => Ok(()),
        }
    }

    /// Starts a batch of archive writes on the queue's connections, so that it can enqueue a
    /// job in the same commit ([`Batch::enqueue`]).
    pub async fn batch<'d>(&self, db: &'d Database) -> Result<Batch<'d>, WatchError> {
        let tx = match self {
            // Take the write lock at the start: a batch that reads first could otherwise fail
            // to upgrade to a writer when another process wrote in between.
            Queue::Sqlite(s) => s.pool().begin_with("BEGIN IMMEDIATE").await.map(Tx::Sqlite),
            Queue::Postgres(s) => s.pool().begin().await.map(Tx::Postgres),
        }
        .map_err(|e| db.error(&e))?;
        Ok(Batch { db, tx })
    }

    /// Enqueues many jobs at once, due `after` from now, in one transaction (a large
    /// `watch add --batch`): one commit instead of one per account.
    pub async fn push_many(&self, jobs: &[PollJob], after: Duration) -> Result<(), String> {
        let tasks = || jobs.iter().map(|job| task(job, after));
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
                        if already_queued(&text) {
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
            .run_at_timestamp(due_at(SystemTime::now(), after))
            .idempotency_key(job.key())
            .max_attempts(ATTEMPTS)
            .build();
        let pushed = match self.clone() {
            Queue::Sqlite(mut s) => s.push_task(task).await.map_err(|e| e.to_string()),
            Queue::Postgres(mut s) => s.push_task(task).await.map_err(|e| e.to_string()),
        };
        match pushed {
            Err(e) if already_queued(&e) => Ok(()),
            other => other,
        }
    }
}

/// `job` as the queue stores it, due `after` from now.
fn task(job: &PollJob, after: Duration) -> apalis::prelude::Task<Vec<u8>> {
    TaskBuilder::new(serde_json::to_vec(job).unwrap_or_default())
        .run_at_timestamp(due_at(SystemTime::now(), after))
        .idempotency_key(job.key())
        .max_attempts(ATTEMPTS)
        .build()
}

/// When a job `after` from `now` falls due, in the whole seconds the queue stores. Rounded up:
/// apalis's own `run_after` rounds down, which made a job due up to a second early, so an
/// account polled with a one-second gap could be polled again well under a second later by
/// the other worker, if its next look at the queue came just then. Up, a poll is never early
/// and at most a second late. A job due at once is due now.
fn due_at(now: SystemTime, after: Duration) -> u64 {
    let at = now.duration_since(UNIX_EPOCH).unwrap_or_default() + after;
    if after.is_zero() || at.subsec_nanos() == 0 {
        at.as_secs()
    } else {
        at.as_secs() + 1
    }
}

/// apalis-sqlite ignores a second job with a key; apalis-postgres refuses it on this index.
/// Either way the job is already there.
fn already_queued(e: &dyn std::fmt::Display) -> bool {
    e.to_string().contains("idx_jobs_idempotency_key")
}

/// A job as its worker claimed it: what marking it done or failed needs.
#[derive(Debug, Clone)]
pub struct Claim {
    pub task: TaskId,
    /// This run of the job, counted from 1.
    pub attempt: usize,
    /// The worker holding the job's lock.
    pub worker: String,
}

impl Claim {
    fn result(
        &self,
        status: Status,
        result: Result<serde_json::Value, String>,
    ) -> TaskResult<serde_json::Value> {
        TaskResult {
            task_id: self.task.clone(),
            attempt: self.attempt,
            status,
            result,
        }
    }
}

impl Queue {
    /// Marks `claim`'s job failed, to be claimed again at once (by any worker: its attempts
    /// are practically unbounded), in a commit of its own. `Ok(false)`: the job is no longer
    /// this worker's (another took it up once this one's heartbeat lapsed).
    pub async fn fail(&self, claim: &Claim, why: &str) -> Result<bool, String> {
        let result = claim.result(Status::Failed, Err(why.to_owned()));
        let ended = match self {
            Queue::Sqlite(s) => {
                apalis_sqlite::queries::ack_tasks(s.pool(), &[&result], &claim.worker)
                    .await
                    .map_err(|e| e.to_string())
            }
            Queue::Postgres(s) => {
                let mut conn = s.pool().acquire().await.map_err(|e| e.to_string())?;
                apalis_postgres::queries::handle_results(&mut *conn, &[&result], &claim.worker)
                    .await
                    .map_err(|e| e.to_string())
            }
        }?;
        Ok(ended > 0)
    }
}

/// A job its worker no longer holds: taken up by another worker after this one's heartbeat
/// lapsed.
fn lost(claim: &Claim) -> String {
    format!(
        "job {} is no longer held by worker {}",
        claim.task, claim.worker
    )
}

impl Batch<'_> {
    /// Marks `claim`'s job done when the batch commits: the poll it ran is recorded in the
    /// same commit, so a job is either done with its poll recorded, or neither.
    pub async fn complete(&mut self, claim: &Claim) -> Result<(), WatchError> {
        let done = claim.result(Status::Done, Ok(serde_json::Value::Null));
        let ended = match &mut self.tx {
            Tx::Sqlite(tx) => apalis_sqlite::queries::ack_tasks(&mut **tx, &[&done], &claim.worker)
                .await
                .map_err(|e| e.to_string()),
            Tx::Postgres(tx) => {
                apalis_postgres::queries::handle_results(&mut **tx, &[&done], &claim.worker)
                    .await
                    .map_err(|e| e.to_string())
            }
        };
        match ended {
            Ok(0) => Err(lost(claim)),
            Ok(_) => Ok(()),
            Err(e) => Err(e),
        }
        .map_err(|e| WatchError::Database {
            url: self.db.url.to_string(),
            message: format!("job queue: {e}"),
        })
    }

    /// Enqueues `job`, due `after` from now, when the batch commits; a job with the same key
    /// (a job run twice enqueues its successor twice) is left as it is.
    pub async fn enqueue(&mut self, job: &PollJob, after: Duration) -> Result<(), WatchError> {
        let tasks = vec![task(job, after)];
        let pushed = match &mut self.tx {
            Tx::Sqlite(tx) => apalis_sqlite::queries::push_tasks(&mut **tx, QUEUE, &tasks)
                .await
                .map_err(|e| e.to_string()),
            // A refused statement would abort the whole transaction: it is refused inside a
            // savepoint instead.
            Tx::Postgres(tx) => match sqlx::Acquire::begin(&mut **tx).await {
                Err(e) => Err(e.to_string()),
                Ok(mut savepoint) => {
                    match apalis_postgres::queries::push_tasks(&mut *savepoint, QUEUE, tasks).await
                    {
                        Ok(()) => savepoint.commit().await.map_err(|e| e.to_string()),
                        Err(e) if already_queued(&e) => {
                            savepoint.rollback().await.map_err(|e| e.to_string())
                        }
                        Err(e) => Err(e.to_string()),
                    }
                }
            },
        };
        pushed.map_err(|e| WatchError::Database {
            url: self.db.url.to_string(),
            message: format!("job queue: {e}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64, millis: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_millis(millis)
    }

    #[test]
    fn a_job_is_never_due_before_its_gap_has_passed() {
        let gap = Duration::from_secs(1);
        // 100.95 s + 1 s is 101.95 s: due at 102, not at 101 (0.05 s later).
        assert_eq!(due_at(at(100, 950), gap), 102);
        assert_eq!(due_at(at(100, 1), gap), 102);
        // On a whole second it is exact.
        assert_eq!(due_at(at(100, 0), gap), 101);
        assert_eq!(due_at(at(100, 500), Duration::from_millis(500)), 101);
        for millis in (0..1000).step_by(37) {
            let now = at(1_000, millis);
            let due = UNIX_EPOCH + Duration::from_secs(due_at(now, gap));
            assert!(due >= now + gap && due < now + gap + Duration::from_secs(1));
        }
    }

    #[test]
    fn a_job_due_at_once_is_due_now() {
        assert_eq!(due_at(at(100, 950), Duration::ZERO), 100);
    }
}
