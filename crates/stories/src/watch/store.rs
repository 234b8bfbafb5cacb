//! The archive's rows: watched accounts, stories (each stored once), media files, raw
//! responses, attempts, polls and workers. Every write that must not happen twice is an
//! `INSERT … ON CONFLICT DO NOTHING` on the row's natural key.

use serde::Serialize;
use sqlx::Row;

use super::WatchError;
use super::db::{Database, Engine, now, opt_i64};
use super::media::Stored;
use crate::client::Attempt;

/// A watched account, as `watch list` and `watch status` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Watched {
    pub account: String,
    pub highlights: bool,
    pub added_at: i64,
    pub interval_secs: i64,
    pub next_poll_at: i64,
    pub last_poll_at: Option<i64>,
    pub last_outcome: Option<String>,
    pub failures: i64,
    pub missed: i64,
    /// Some archived story of the account may lack its media row (see
    /// [`Batch::record_answer`]): the next poll looks for such stories.
    #[serde(skip)]
    pub media_pending: bool,
    /// When its highlights were last read (accounts watched with `--highlights`).
    #[serde(skip)]
    pub highlights_polled_at: Option<i64>,
}

impl Watched {
    fn from_row(row: &sqlx::any::AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            account: row.try_get("account")?,
            highlights: row.try_get::<i64, _>("highlights")? != 0,
            added_at: row.try_get("added_at")?,
            interval_secs: row.try_get("interval_secs")?,
            next_poll_at: row.try_get("next_poll_at")?,
            last_poll_at: opt_i64(row, "last_poll_at"),
            last_outcome: row.try_get::<Option<String>, _>("last_outcome")?,
            failures: row.try_get("failures")?,
            missed: row.try_get("missed")?,
            media_pending: row.try_get::<i64, _>("media_pending")? != 0,
            highlights_polled_at: opt_i64(row, "highlights_polled_at"),
        })
    }
}

/// The columns `Watched::from_row` reads (a macro, so queries stay static strings).
macro_rules! watched_columns {
    () => {
        "account, highlights, added_at, interval_secs, next_poll_at, last_poll_at, last_outcome, failures, missed, media_pending, highlights_polled_at"
    };
}

impl Database {
    /// Watches `account` (polled at once); `false` when it already was (its settings are
    /// updated, its schedule kept).
    pub async fn add(
        &self,
        account: &str,
        highlights: bool,
        interval: i64,
    ) -> Result<bool, WatchError> {
        let now = now();
        let added = sqlx::query(
            "INSERT INTO watched (account, highlights, added_at, interval_secs, next_poll_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account) DO NOTHING",
        )
        .bind(account)
        .bind(i64::from(highlights))
        .bind(now)
        .bind(interval)
        .bind(now)
        .execute(self.pool())
        .await
        .map_err(|e| self.error(&e))?
        .rows_affected()
            == 1;
        if !added {
            sqlx::query("UPDATE watched SET highlights = $1 WHERE account = $2")
                .bind(i64::from(highlights))
                .bind(account)
                .execute(self.pool())
                .await
                .map_err(|e| self.error(&e))?;
        }
        Ok(added)
    }

    /// Watches every account of `accounts` in one transaction, first poll at `first_poll_at`
    /// (Unix seconds); returns how many were new. Accounts already watched keep their schedule.
    pub async fn add_many(
        &self,
        accounts: &[String],
        highlights: bool,
        interval: i64,
        first_poll_at: i64,
    ) -> Result<u64, WatchError> {
        let now = now();
        let mut tx = self.pool().begin().await.map_err(|e| self.error(&e))?;
        let mut added = 0;
        for account in accounts {
            added += sqlx::query(
                "INSERT INTO watched (account, highlights, added_at, interval_secs, next_poll_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account) DO NOTHING",
            )
            .bind(account)
            .bind(i64::from(highlights))
            .bind(now)
            .bind(interval)
            .bind(first_poll_at)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.error(&e))?
            .rows_affected();
        }
        tx.commit().await.map_err(|e| self.error(&e))?;
        Ok(added)
    }

    /// Stops watching `account`; its archived stories stay. `false` when it was not watched.
    pub async fn remove(&self, account: &str) -> Result<bool, WatchError> {
        Ok(sqlx::query("DELETE FROM watched WHERE account = $1")
            .bind(account)
            .execute(self.pool())
            .await
            .map_err(|e| self.error(&e))?
            .rows_affected()
            == 1)
    }

    /// Every watched account, by name.
    pub async fn watched(&self) -> Result<Vec<Watched>, WatchError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            watched_columns!(),
            " FROM watched ORDER BY account"
        ))
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.error(&e))?;
        rows.iter()
            .map(Watched::from_row)
            .collect::<Result<_, _>>()
            .map_err(|e| self.error(&e))
    }

    /// One watched account.
    pub async fn watched_one(&self, account: &str) -> Result<Option<Watched>, WatchError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            watched_columns!(),
            " FROM watched WHERE account = $1"
        ))
        .bind(account)
        .fetch_optional(self.pool())
        .await
        .map_err(|e| self.error(&e))?;
        row.as_ref()
            .map(Watched::from_row)
            .transpose()
            .map_err(|e| self.error(&e))
    }

    /// When the next account is due, if any is watched.
    pub async fn next_due(&self) -> Result<Option<i64>, WatchError> {
        let row = sqlx::query("SELECT MIN(next_poll_at) AS next FROM watched")
            .fetch_one(self.pool())
            .await
            .map_err(|e| self.error(&e))?;
        Ok(opt_i64(&row, "next"))
    }
}

/// Writes that land together or not at all: one transaction, so a poll costs one commit (one
/// sync on Postgres, one turn of SQLite's write lock) rather than one per row. It runs on the
/// job queue's connections (`Queue::batch`), so that a poll's successor job is enqueued in
/// the same commit as the poll's rows, and so that on SQLite the queue and the archive share
/// one connection: two connections of one process would wait for each other's write lock
/// through SQLite's busy handler, which sleeps milliseconds at a time.
pub struct Batch<'d> {
    pub(super) db: &'d Database,
    pub(super) tx: Tx,
}

/// A batch's transaction, on either engine.
pub(super) enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs one statement of a batch, `$sql` with its parameters, on the batch's engine (sqlx's
/// queries are generic over the database, so the one text serves both), returning the rows
/// it changed. `sqlite = …, postgres = …` gives each engine its own text, for a statement
/// written in each dialect.
macro_rules! execute {
    ($batch:expr, sqlite = $sqlite:expr, postgres = $postgres:expr $(, $bind:expr)* $(,)?) => {
        match &mut $batch.tx {
            Tx::Sqlite(tx) => sqlx::query($sqlite)$(.bind($bind))*.execute(&mut **tx).await.map(|r| r.rows_affected()),
            Tx::Postgres(tx) => sqlx::query($postgres)$(.bind($bind))*.execute(&mut **tx).await.map(|r| r.rows_affected()),
        }
        .map_err(|e| $batch.db.error(&e))
    };
    ($batch:expr, $sql:expr $(, $bind:expr)* $(,)?) => {
        execute!($batch, sqlite = $sql, postgres = $sql $(, $bind)*)
    };
}
pub(super) use execute;

impl std::fmt::Debug for Batch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Batch({})", self.db.url)
    }
}

impl Batch<'_> {
    /// Makes every write of the batch durable at once.
    pub async fn commit(self) -> Result<(), WatchError> {
        match self.tx {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
        .map_err(|e| self.db.error(&e))
    }

    /// Archived stories of `account` with no media row yet, oldest first (the batch's own
    /// stories included).
    pub async fn without_media(
        &mut self,
        account: &str,
    ) -> Result<Vec<(String, domain::Story)>, WatchError> {
        const SQL: &str = "SELECT s.account, s.story FROM stories s WHERE s.account = $1 AND NOT EXISTS (SELECT 1 FROM media m WHERE m.story_id = s.id) ORDER BY s.first_seen, s.id";
        match &mut self.tx {
            Tx::Sqlite(tx) => {
                let rows = sqlx::query(SQL).bind(account).fetch_all(&mut **tx).await;
                rows.and_then(|rows| stories_of(&rows))
            }
            Tx::Postgres(tx) => {
                let rows = sqlx::query(SQL).bind(account).fetch_all(&mut **tx).await;
                rows.and_then(|rows| stories_of(&rows))
            }
        }
        .map_err(|e| self.db.error(&e))
    }

    /// Records a vendor response, returning its row id.
    pub async fn record_response(
        &mut self,
        account: &str,
        vendor: &str,
        operation: &str,
        status: u16,
        body: &[u8],
    ) -> Result<i64, WatchError> {
        const SQL: &str = "INSERT INTO responses (account, vendor, operation, status, received_at, body) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
        macro_rules! insert {
            ($tx:expr) => {
                sqlx::query(SQL)
                    .bind(account)
                    .bind(vendor)
                    .bind(operation)
                    .bind(i64::from(status))
                    .bind(now())
                    .bind(body)
                    .fetch_one(&mut **$tx)
                    .await
                    .and_then(|row| row.try_get::<i64, _>("id"))
            };
        }
        match &mut self.tx {
            Tx::Sqlite(tx) => insert!(tx),
            Tx::Postgres(tx) => insert!(tx),
        }
        .map_err(|e| self.db.error(&e))
    }

    /// Records the attempts of one vendor call and stores the stories of its answer that are
    /// not archived yet, returning the new ones' ids; their raw response is linked after
    /// ([`Batch::link_response`]), once the poll knows it holds new stories.
    ///
    /// It is one statement, whatever the number of attempts and stories (a long answer is a
    /// few): on SQLite two statements in one text, on Postgres the attempts' insert in a `WITH`.
    /// Each statement is a round trip to the database (on SQLite to sqlx's thread of the one
    /// connection every poll commits through), and a quiet poll was mostly round trips. A
    /// poll that stores a new story also marks its account as owing media (`media_pending`)
    /// in the same transaction, so that a run killed before the media were fetched leaves the
    /// next poll looking for them.
    pub async fn record_answer(
        &mut self,
        account: &str,
        attempts: &[Attempt],
        stories: &[domain::Story],
    ) -> Result<Vec<String>, WatchError> {
        let (engine, now) = (self.engine(), now());
        // The attempts open the first statement; each chunk of stories follows, in it or in
        // one of its own.
        let mut statement = Rows::default();
        if !attempts.is_empty() {
            statement.then(
                engine,
                "INSERT INTO attempts (account, at, vendor, operation, status, result, credits_used, credits_estimated, elapsed_ms) VALUES ",
            );
        }
        for a in attempts {
            statement.row([
                Param::text(account),
                Param::Int(Some(now)),
                Param::text(&a.vendor),
                Param::text(&a.operation),
                Param::Int(a.status.map(i64::from)),
                Param::text(&a.result),
                Param::Int(a.credits_used.and_then(|c| i64::try_from(c).ok())),
                Param::Int(Some(i64::from(a.credits_estimated))),
                Param::Int(Some(i64::try_from(a.elapsed_ms).unwrap_or(i64::MAX))),
            ]);
        }
        let mut new = Vec::new();
        for (i, chunk) in stories.chunks(STORIES_PER_STATEMENT).enumerate() {
            if i > 0 {
                new.extend(self.fetch_ids(std::mem::take(&mut statement)).await?);
            }
            statement.then(
                engine,
                "INSERT INTO stories (id, account, first_seen, taken_at, expires_at, vendor, story) VALUES ",
            );
            for story in chunk {
                statement.row([
                    Param::text(&story.id),
                    Param::text(account),
                    Param::Int(Some(now)),
                    Param::Int(story.taken_at.map(|t| t.timestamp())),
                    Param::Int(story.expires_at.as_ref().map(|e| e.at.timestamp())),
                    Param::text(&story.source.vendor),
                    Param::Text(Some(serde_json::to_string(story).unwrap_or_default())),
                ]);
            }
            statement
                .sql
                .push_str(" ON CONFLICT (id) DO NOTHING RETURNING id");
        }
        if !statement.sql.is_empty() {
            new.extend(self.fetch_ids(statement).await?);
        }
        if !new.is_empty() {
            execute!(
                self,
                "UPDATE watched SET media_pending = 1 WHERE account = $1",
                account,
            )?;
        }
        // In the answer's order (a statement's RETURNING has none).
        let mut inserted: std::collections::HashSet<String> = new.into_iter().collect();
        Ok(stories
            .iter()
            .filter(|story| inserted.remove(&story.id))
            .map(|story| story.id.clone())
            .collect())
    }

    fn engine(&self) -> Engine {
        match self.tx {
            Tx::Sqlite(_) => Engine::Sqlite,
            Tx::Postgres(_) => Engine::Postgres,
        }
    }

    /// Runs `rows`' statement and reads the `id` of every row it returns.
    async fn fetch_ids(&mut self, rows: Rows) -> Result<Vec<String>, WatchError> {
        macro_rules! fetch {
            ($tx:expr) => {{
                let mut query = sqlx::query(sqlx::AssertSqlSafe(rows.sql));
                for param in rows.params {
                    query = match param {
                        Param::Int(v) => query.bind(v),
                        Param::Text(v) => query.bind(v),
                    };
                }
                query.fetch_all(&mut **$tx).await.and_then(|found| {
                    found
                        .iter()
                        .map(|row| row.try_get::<String, _>("id"))
                        .collect::<Result<Vec<_>, _>>()
                })
            }};
        }
        match &mut self.tx {
            Tx::Sqlite(tx) => fetch!(tx),
            Tx::Postgres(tx) => fetch!(tx),
        }
        .map_err(|e| self.db.error(&e))
    }

    /// Says the stories `stories` were first seen in the response `response`.
    pub async fn link_response(
        &mut self,
        stories: &[String],
        response: i64,
    ) -> Result<(), WatchError> {
        for story in stories {
            execute!(
                self,
                "UPDATE stories SET response_id = $1 WHERE id = $2",
                response,
                story,
            )?;
        }
        Ok(())
    }

    /// Stores a highlight unless it is archived already; `true` when it is new.
    pub async fn record_highlight(
        &mut self,
        account: &str,
        highlight: &domain::Highlight,
    ) -> Result<bool, WatchError> {
        let mut bare = highlight.clone();
        bare.items.clear();
        Ok(execute!(
            self,
            "INSERT INTO highlights (id, account, first_seen, title, vendor, highlight) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
            &highlight.id,
            account,
            now(),
            highlight.title.as_deref(),
            &highlight.source.vendor,
            serde_json::to_string(&bare).unwrap_or_default(),
        )? == 1)
    }

    /// Records that highlight `highlight` holds the archived story `story`.
    pub async fn record_highlight_item(
        &mut self,
        highlight: &str,
        story: &str,
    ) -> Result<(), WatchError> {
        execute!(
            self,
            "INSERT INTO highlight_items (highlight_id, story_id) VALUES ($1, $2) ON CONFLICT (highlight_id, story_id) DO NOTHING",
            highlight,
            story,
        )?;
        Ok(())
    }

    /// Says `account`'s highlights were read now.
    pub async fn highlights_polled(&mut self, account: &str) -> Result<(), WatchError> {
        execute!(
            self,
            "UPDATE watched SET highlights_polled_at = $1 WHERE account = $2",
            now(),
            account,
        )?;
        Ok(())
    }

    /// Says a story's file is complete in place.
    pub async fn record_media(&mut self, story: &str, stored: &Stored) -> Result<(), WatchError> {
        execute!(
            self,
            "INSERT INTO media (story_id, path, sha256, bytes) VALUES ($1, $2, $3, $4) ON CONFLICT (story_id, path) DO NOTHING",
            story,
            &stored.path,
            &stored.sha256,
            i64::try_from(stored.bytes).unwrap_or(i64::MAX),
        )?;
        Ok(())
    }

    /// Marks a story whose media can never be fetched (its URL expired before it was seen)
    /// by a media row without a file, so it is not tried again, and counts it missed.
    pub async fn record_missed(&mut self, account: &str, story: &str) -> Result<(), WatchError> {
        let inserted = execute!(
            self,
            "INSERT INTO media (story_id, path, sha256, bytes) VALUES ($1, '', '', 0) ON CONFLICT (story_id, path) DO NOTHING",
            story,
        )?;
        if inserted == 1 {
            execute!(
                self,
                "UPDATE watched SET missed = missed + 1 WHERE account = $1",
                account,
            )?;
        }
        Ok(())
    }

    /// Records a finished poll and schedules the next one `interval` seconds from now;
    /// `media_pending` says whether some story of the account is still without media. One
    /// statement, as in [`Batch::record_answer`].
    pub async fn finish_poll(
        &mut self,
        watched: &Watched,
        poll: FinishedPoll<'_>,
    ) -> Result<(), WatchError> {
        let now = now();
        let gap = watched.last_poll_at.map(|last| now - last);
        execute!(
            self,
            sqlite = "INSERT INTO polls (account, at, gap_secs, outcome, new_items) VALUES ($1, $2, $3, $4, $5); UPDATE watched SET last_poll_at = $2, next_poll_at = $6, interval_secs = $7, last_outcome = $4, failures = $8, media_pending = $9 WHERE account = $1",
            postgres = "WITH poll AS (INSERT INTO polls (account, at, gap_secs, outcome, new_items) VALUES ($1, $2, $3, $4, $5)) UPDATE watched SET last_poll_at = $2, next_poll_at = $6, interval_secs = $7, last_outcome = $4, failures = $8, media_pending = $9 WHERE account = $1",
            &watched.account,
            now,
            gap,
            poll.outcome,
            i64::try_from(poll.new_items).unwrap_or(i64::MAX),
            now + poll.interval,
            poll.interval,
            if poll.failed { watched.failures + 1 } else { 0 },
            i64::from(poll.media_pending),
        )?;
        Ok(())
    }
}

/// What a finished poll records ([`Batch::finish_poll`]).
#[derive(Debug, Clone, Copy)]
pub struct FinishedPoll<'a> {
    pub outcome: &'a str,
    pub new_items: u64,
    /// Seconds until the account's next poll.
    pub interval: i64,
    pub failed: bool,
    /// Some archived story of the account is still without its media row.
    pub media_pending: bool,
}

/// Stories per insert: seven parameters each stay far below either engine's limit on a
/// statement's parameters (32,766 on SQLite, 65,535 on Postgres).
const STORIES_PER_STATEMENT: usize = 500;

/// One parameter of a statement built at run time.
enum Param {
    Int(Option<i64>),
    Text(Option<String>),
}

impl Param {
    fn text(s: &str) -> Self {
        Param::Text(Some(s.to_owned()))
    }
}

/// A statement of many rows (`INSERT … VALUES ($1, $2), ($3, $4)`) built with its parameters,
/// numbered in order across every statement of the text.
#[derive(Default)]
struct Rows {
    sql: String,
    params: Vec<Param>,
    /// Rows in the statement being written (for the commas between them).
    rows: usize,
}

impl Rows {
    /// Starts the statement `head` (`INSERT INTO … VALUES `), after any written before: in
    /// the same text on SQLite (sqlx runs each in turn, parameters numbered across them), the
    /// earlier one as a `WITH` on Postgres (which takes one statement per query).
    fn then(&mut self, engine: Engine, head: &str) {
        self.sql = match (self.sql.is_empty(), engine) {
            (true, _) => head.to_owned(),
            (false, Engine::Sqlite) => format!("{}; {head}", self.sql),
            (false, Engine::Postgres) => format!("WITH earlier AS ({}) {head}", self.sql),
        };
        self.rows = 0;
    }

    fn row<const N: usize>(&mut self, params: [Param; N]) {
        use std::fmt::Write as _;
        self.sql.push_str(if self.rows == 0 { "(" } else { ", (" });
        for (i, param) in params.into_iter().enumerate() {
            self.params.push(param);
            let _ = write!(
                self.sql,
                "{}${}",
                if i == 0 { "" } else { ", " },
                self.params.len()
            );
        }
        self.sql.push(')');
        self.rows += 1;
    }
}

/// Stories read back from their rows (`account`, `story`); a row whose story no longer
/// decodes (written by another version) is left out rather than failing the poll.
fn stories_of<R: Row>(rows: &[R]) -> Result<Vec<(String, domain::Story)>, sqlx::Error>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'i> &'i str: sqlx::ColumnIndex<R>,
{
    let mut out = Vec::new();
    for row in rows {
        let account: String = row.try_get("account")?;
        let json: String = row.try_get("story")?;
        if let Ok(story) = serde_json::from_str(&json) {
            out.push((account, story));
        }
    }
    Ok(out)
}
