//! `stories watch run`: polls every watched account when it is due, stores each new story
//! once with its raw response, downloads its best media, and schedules the next poll.
//!
//! Order of writes, so that a kill at any instant loses nothing and duplicates nothing: the
//! response and the story rows first (a story is a row once, by its id), then the media file
//! (temporary, then renamed), then its media row. A restart finds stories without a media row
//! and fetches (or, when the file already landed, hashes) their media before polling.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use domain::{Answer, Outcome, Story};
use futures::StreamExt;
use serde::Serialize;

use super::WatchError;
use super::db::{Database, now};
use super::media::{self, MediaError};
use super::schedule::{Polled, Schedule};
use super::store::Watched;
use crate::{Query, UnifiedClient};

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub schedule: Schedule,
    pub media_dir: PathBuf,
    /// Accounts polled at once.
    pub concurrency: usize,
    /// Stop after this long.
    pub run_for: Option<Duration>,
    /// Stop once no account is due and every story has its media.
    pub until_idle: bool,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    pub polls: u64,
    pub new_stories: u64,
    pub media_saved: u64,
    pub media_failed: u64,
    pub missed: u64,
}

/// A worker's registration, so `watch status` can list live workers and a second worker on
/// the same archive is refused until the job queue shares the work.
struct Registration {
    id: String,
}

const HEARTBEAT: Duration = Duration::from_secs(2);
/// A worker not seen for this long is dead.
pub const WORKER_TIMEOUT_SECS: i64 = 10;

impl Registration {
    async fn claim(db: &Database) -> Result<Self, WatchError> {
        use sqlx::Row;
        let cutoff = now() - WORKER_TIMEOUT_SECS;
        let alive = sqlx::query(
            "SELECT id, host, pid, last_seen FROM workers WHERE last_seen >= $1 ORDER BY id",
        )
        .bind(cutoff)
        .fetch_all(db.pool())
        .await
        .map_err(|e| db.error(&e))?;
        if let Some(row) = alive.first() {
            let host: String = row.try_get("host").unwrap_or_default();
            let pid: i64 = row.try_get("pid").unwrap_or_default();
            return Err(WatchError::Busy {
                url: db.url.to_string(),
                worker: format!("pid {pid} on {host}"),
            });
        }
        sqlx::query("DELETE FROM workers WHERE last_seen < $1")
            .bind(cutoff)
            .execute(db.pool())
            .await
            .map_err(|e| db.error(&e))?;
        let host = hostname::get()
            .map(|h| h.to_string_lossy().into_owned())
            .unwrap_or_default();
        let pid = std::process::id();
        let id = format!("{host}:{pid}:{:08x}", fastrand::u32(..));
        sqlx::query(
            "INSERT INTO workers (id, host, pid, started_at, last_seen) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(&host)
        .bind(i64::from(pid))
        .bind(now())
        .bind(now())
        .execute(db.pool())
        .await
        .map_err(|e| db.error(&e))?;
        Ok(Self { id })
    }

    async fn beat(&self, db: &Database) {
        let beat = sqlx::query("UPDATE workers SET last_seen = $1 WHERE id = $2")
            .bind(now())
            .bind(&self.id)
            .execute(db.pool())
            .await;
        if let Err(e) = beat {
            tracing::warn!(error = %db.error(&e), "heartbeat failed; retrying");
        }
    }

    async fn release(&self, db: &Database) {
        let _ = sqlx::query("DELETE FROM workers WHERE id = $1")
            .bind(&self.id)
            .execute(db.pool())
            .await;
    }
}

/// The worker.
#[derive(Debug)]
pub struct Worker {
    db: Database,
    client: UnifiedClient,
    media_http: reqwest::Client,
    options: RunOptions,
    stop: Arc<AtomicBool>,
}

impl Worker {
    pub fn new(
        db: Database,
        client: UnifiedClient,
        media_http: reqwest::Client,
        options: RunOptions,
    ) -> Self {
        Self {
            db,
            client,
            media_http,
            options,
            stop: Arc::default(),
        }
    }

    /// Set to stop after the work in flight.
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Runs until stopped, `run_for` elapses, or (with `until_idle`) nothing is due.
    pub async fn run(&self) -> Result<RunSummary, WatchError> {
        let registration = Registration::claim(&self.db).await?;
        let result = self.run_registered(&registration).await;
        registration.release(&self.db).await;
        result
    }

    async fn run_registered(&self, registration: &Registration) -> Result<RunSummary, WatchError> {
        let started = Instant::now();
        let deadline = self.options.run_for.map(|d| started + d);
        let mut summary = RunSummary::default();
        let swept = media::sweep_parts(&self.options.media_dir);
        if swept > 0 {
            tracing::info!(swept, "removed temporary files of an interrupted run");
        }
        // What a killed run archived but did not download.
        let mut recovered = PollSummary::default();
        self.fetch_missing_media(None, &mut recovered).await?;
        summary += recovered;
        let mut last_beat = Instant::now();
        loop {
            if self.stopping() || deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
            if last_beat.elapsed() >= HEARTBEAT {
                registration.beat(&self.db).await;
                last_beat = Instant::now();
            }
            let limit = i64::try_from(self.options.concurrency * 4).unwrap_or(64);
            let due = self.db.due(now(), limit).await?;
            if due.is_empty() {
                if self.options.until_idle {
                    break;
                }
                let next = self.db.next_due().await?;
                let wait = next.map_or(HEARTBEAT, |at| {
                    Duration::from_secs(u64::try_from(at - now()).unwrap_or(0).max(1))
                });
                let mut wait = wait.min(HEARTBEAT);
                if let Some(d) = deadline {
                    wait = wait.min(d.saturating_duration_since(Instant::now()));
                }
                tokio::time::sleep(
                    wait.min(Duration::from_millis(250))
                        .max(Duration::from_millis(50)),
                )
                .await;
                continue;
            }
            let results: Vec<Result<PollSummary, WatchError>> =
                futures::stream::iter(due.iter().map(|w| self.poll(w)))
                    .buffer_unordered(self.options.concurrency.max(1))
                    .collect()
                    .await;
            for result in results {
                summary += result?;
                summary.polls += 1;
            }
        }
        Ok(summary)
    }

    /// One poll of one account.
    async fn poll(&self, watched: &Watched) -> Result<PollSummary, WatchError> {
        let mut summary = PollSummary::default();
        let query = match Query::user_stories(&watched.account) {
            Ok(q) => q,
            Err(why) => {
                // An account added by an older version, or by hand: never retried hot.
                let interval = self
                    .options
                    .schedule
                    .next(watched.interval_secs, Polled::Unreadable);
                self.db
                    .finish_poll(watched, &format!("invalid: {why}"), 0, interval, true)
                    .await?;
                return Ok(summary);
            }
        };
        let answered = match self.client.ask(&query).await {
            Ok(a) => a,
            Err(e) => return Err(WatchError::Client(e.to_string())),
        };
        self.db
            .record_attempts(&watched.account, &answered.report.attempts)
            .await?;
        let stories: Vec<Story> = match &answered.outcome {
            Outcome::Found(Answer::Stories(page)) => page.items.clone(),
            Outcome::Found(Answer::Story(story)) => vec![story.clone()],
            _ => Vec::new(),
        };
        if !stories.is_empty() {
            let attempt = answered.report.attempts.last();
            let response = match (&answered.body, attempt) {
                (Some(body), Some(a)) => Some(
                    self.db
                        .record_response(
                            &watched.account,
                            &a.vendor,
                            &a.operation,
                            a.status.unwrap_or(200),
                            body,
                        )
                        .await?,
                ),
                _ => None,
            };
            for story in &stories {
                if self
                    .db
                    .record_story(&watched.account, story, response)
                    .await?
                {
                    summary.new_stories += 1;
                }
            }
        }
        self.fetch_missing_media(Some(&watched.account), &mut summary)
            .await?;
        let failed = matches!(answered.outcome, Outcome::Failed(_));
        let failures = u32::try_from(watched.failures + 1).unwrap_or(u32::MAX);
        let polled = Polled::of(&answered.outcome, summary.new_stories, failures);
        let interval = self.options.schedule.next(watched.interval_secs, polled);
        let outcome = match &answered.outcome {
            Outcome::Failed(f) => format!("failed: {f}"),
            other => other.tag().to_owned(),
        };
        self.db
            .finish_poll(watched, &outcome, summary.new_stories, interval, failed)
            .await?;
        tracing::info!(
            account = watched.account,
            outcome,
            new = summary.new_stories,
            next_in_secs = interval,
            "polled"
        );
        Ok(summary)
    }

    /// Downloads the media of every archived story (of `account`, or all) that has none yet.
    async fn fetch_missing_media(
        &self,
        account: Option<&str>,
        summary: &mut PollSummary,
    ) -> Result<(), WatchError> {
        for (owner, story) in self.db.without_media(account).await? {
            match media::store(&self.media_http, &self.options.media_dir, &owner, &story).await {
                Ok(stored) => {
                    self.db.record_media(&story.id, &stored).await?;
                    summary.media_saved += 1;
                }
                Err(e) if e.is_final() => {
                    tracing::warn!(account = owner, error = %e, "missed");
                    self.db.record_missed(&owner, &story.id).await?;
                    summary.missed += 1;
                }
                Err(e @ MediaError::Write { .. }) => return Err(WatchError::Media(e)),
                Err(e) => {
                    tracing::warn!(account = owner, error = %e, "download failed; retried at the next poll");
                    summary.media_failed += 1;
                }
            }
        }
        Ok(())
    }
}

/// What one poll (or the start-up recovery) did.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct PollSummary {
    new_stories: u64,
    media_saved: u64,
    media_failed: u64,
    missed: u64,
}

impl std::ops::AddAssign<PollSummary> for RunSummary {
    fn add_assign(&mut self, p: PollSummary) {
        self.new_stories += p.new_stories;
        self.media_saved += p.media_saved;
        self.media_failed += p.media_failed;
        self.missed += p.missed;
    }
}
