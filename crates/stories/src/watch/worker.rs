//! `stories watch run`: polls every watched account when it is due, stores each new story
//! once with its raw response, downloads its best media, and schedules the next poll.
//!
//! Polls come from the job queue (`queue`): any number of workers, on one machine or several,
//! take them from one database, and a killed worker's job is taken up again once its
//! heartbeat stops. Order of writes, so that a kill at any instant loses nothing and
//! duplicates nothing: the response and the story rows first (a story is a row once, by its
//! id), then the media file (temporary, then renamed), then its media row. The account's next
//! poll finds stories without a media row and fetches (or, when the file already landed,
//! hashes) their media.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use apalis::prelude::{
    Attempt, BoxDynError, Data, TaskId, WorkerBuilder, WorkerBuilderExt, WorkerContext,
};
use domain::{Answer, Outcome, Story};
use serde::Serialize;

use super::WatchError;
use super::budget::DbGate;
use super::db::{Database, now};
use super::media::{self, MediaError};
use super::queue::{Claim, HEARTBEAT, KEEP_DONE, MISSED_HEARTBEATS, PollJob, Queue};
use super::schedule::{Polled, Schedule};
use super::store::{FinishedPoll, Watched};
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
    /// How often the highlights of an account watched with them are read.
    pub highlights_every: Duration,
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

/// A worker's registration, so `watch status` can list the live workers.
struct Registration {
    id: String,
}

/// How often a worker deletes the poll jobs completed more than [`KEEP_DONE`] ago, and lets
/// SQLite refresh its planner's statistics ([`Queue::refresh_statistics`]).
const TRIM_EVERY: Duration = Duration::from_secs(600);

/// A worker not seen for this long is dead.
pub const WORKER_TIMEOUT_SECS: i64 = 10;

impl Registration {
    async fn claim(db: &Database) -> Result<Self, WatchError> {
        sqlx::query("DELETE FROM watch_workers WHERE last_seen < $1")
            .bind(now() - WORKER_TIMEOUT_SECS)
            .execute(db.pool())
            .await
            .map_err(|e| db.error(&e))?;
        let host = hostname::get()
            .map(|h| h.to_string_lossy().into_owned())
            .unwrap_or_default();
        let pid = std::process::id();
        let id = format!("{host}:{pid}:{:08x}", fastrand::u32(..));
        sqlx::query(
            "INSERT INTO watch_workers (id, host, pid, started_at, last_seen) VALUES ($1, $2, $3, $4, $5)",
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
        let beat = sqlx::query("UPDATE watch_workers SET last_seen = $1 WHERE id = $2")
            .bind(now())
            .bind(&self.id)
            .execute(db.pool())
            .await;
        if let Err(e) = beat {
            tracing::warn!(error = %db.error(&e), "heartbeat failed; retrying");
        }
    }

    async fn release(&self, db: &Database) {
        let _ = sqlx::query("DELETE FROM watch_workers WHERE id = $1")
            .bind(&self.id)
            .execute(db.pool())
            .await;
    }
}

/// What a run has done so far.
#[derive(Debug, Clone)]
pub struct Progress(Arc<Shared>);

impl Progress {
    /// The counts now, and the polls in flight.
    pub fn now(&self) -> (RunSummary, usize) {
        let summary = self
            .0
            .summary
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        (summary, self.0.in_flight.load(Ordering::SeqCst))
    }
}

/// What the poll jobs share: the archive, the vendors, the queue and the run's counters.
#[derive(Debug)]
struct Shared {
    db: Database,
    client: UnifiedClient,
    media_http: reqwest::Client,
    options: RunOptions,
    queue: Queue,
    summary: std::sync::Mutex<RunSummary>,
    in_flight: AtomicUsize,
    /// Told when the last poll in flight ends, so that a run `--until-idle` ends then rather
    /// than at its next check.
    settled: tokio::sync::Notify,
    /// Why the run must stop: media that cannot be written (a full disk) stops the worker
    /// rather than failing every poll.
    fatal: std::sync::Mutex<Option<String>>,
    /// Set when the run starts ending: a job claimed from then on is not polled but held, to
    /// be handed back ([`Stop`]).
    stopping: AtomicBool,
    /// How far the stop has come; the jobs held wait for it.
    stop: tokio::sync::watch::Sender<Stop>,
}

/// How far a stopping worker has come.
///
/// apalis stops driving its backend (claims, acknowledgements, heartbeats) the moment it is
/// told to stop, until every job it handed out has returned; a claim it left half-done holds
/// its connection, on SQLite the one connection the polls commit through, and the write lock.
/// So a worker tells apalis to stop only once its polls have committed: meanwhile the queue
/// runs on, and the jobs it hands out are held, then handed back (failed, so that the next
/// worker takes them at once) as apalis stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Running,
    /// Every poll in flight has ended: apalis is being stopped.
    Drained,
    /// The polls in flight outlived [`DRAIN`]: their jobs are handed back too, and the next
    /// run polls those accounts again.
    GaveUp,
}

/// The worker.
#[derive(Debug)]
pub struct Worker {
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
}

impl Worker {
    /// A worker polling through `client`, every request of which it first admits against
    /// the vendor budgets kept in the archive (`watch budget`): what every worker shares.
    pub fn new(
        db: Database,
        client: UnifiedClient,
        media_http: reqwest::Client,
        queue: Queue,
        options: RunOptions,
    ) -> Self {
        let queue = queue.claiming(options.concurrency);
        let client = client.with_gate(Arc::new(DbGate::new(db.clone(), queue.clone())));
        Self {
            shared: Arc::new(Shared {
                db,
                client,
                media_http,
                options,
                queue,
                summary: std::sync::Mutex::default(),
                in_flight: AtomicUsize::new(0),
                settled: tokio::sync::Notify::new(),
                fatal: std::sync::Mutex::default(),
                stopping: AtomicBool::new(false),
                stop: tokio::sync::watch::Sender::new(Stop::Running),
            }),
            stop: Arc::default(),
        }
    }

    /// Set to stop after the work in flight.
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }

    /// A handle reading what the run has done so far, for a progress display.
    pub fn progress(&self) -> Progress {
        Progress(self.shared.clone())
    }

    /// Runs until stopped, `run_for` elapses, or (with `until_idle`) nothing is due.
    pub async fn run(&self) -> Result<RunSummary, WatchError> {
        let shared = &self.shared;
        let registration = Registration::claim(&shared.db).await?;
        // Before the first claim, which statistics taken on a smaller queue would make scan
        // every job; again with each trim.
        if let Err(e) = shared.queue.refresh_statistics().await {
            tracing::warn!(error = %e, "planner statistics not refreshed; tried again later");
        }
        // Chains begin with `watch add` (which pushes each account's first poll, and pushes it
        // again, harmlessly, for an account already watched): a worker's start costs nothing
        // per watched account.
        let deadline = shared.options.run_for.map(|d| Instant::now() + d);
        let concurrency = shared.options.concurrency.max(1);
        // A worker whose database went away (a Postgres restart) ends its job stream; it is
        // started again under a new name, so that the jobs the old one held are taken up once
        // its heartbeat has stopped.
        for round in 1.. {
            let name = format!("{}-{round}", registration.id);
            let ended = Arc::new(AtomicBool::new(false));
            let signal = self.until_done(&registration, deadline, ended.clone());
            // The same worker on either backend's storage (two concrete types).
            macro_rules! run_on {
                ($storage:expr) => {
                    WorkerBuilder::new(name)
                        .backend($storage)
                        .concurrency(concurrency)
                        .data(shared.clone())
                        .build(poll_job)
                        .run_until(signal)
                        .await
                };
            }
            let ran = match shared.queue.clone() {
                Queue::Sqlite(storage) => run_on!(storage),
                Queue::Postgres(storage) => run_on!(storage),
            };
            if ended.load(Ordering::SeqCst) {
                break;
            }
            let why = ran
                .err()
                .map_or_else(|| "it stopped".to_owned(), |e| e.to_string());
            tracing::warn!(reason = why, "lost the job queue; reconnecting in a second");
            tokio::time::sleep(Duration::from_secs(1)).await;
            if self.stop.load(Ordering::Relaxed) || deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
        }
        // A run that ended by its signal waited for its polls before apalis stopped; one whose
        // queue went away waits for them now.
        if !shared.stopping.load(Ordering::SeqCst) {
            shared.drain(None).await;
        }
        registration.release(&shared.db).await;
        if let Some(e) = shared.fatal() {
            return Err(e);
        }
        let summary = shared
            .summary
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        Ok(summary)
    }

    /// Resolves when the run should end: a stop signal, the deadline, idleness (nothing due,
    /// nothing in flight), or a fatal error; beats the registration meanwhile.
    fn until_done(
        &self,
        registration: &Registration,
        deadline: Option<Instant>,
        ended: Arc<AtomicBool>,
    ) -> impl Future<Output = Result<(), std::io::Error>> + Send + 'static {
        let shared = self.shared.clone();
        let stop = self.stop.clone();
        let id = registration.id.clone();
        async move {
            let registration = Registration { id };
            let mut last_beat = Instant::now();
            let mut last_trim: Option<Instant> = None;
            loop {
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_millis(100)) => {}
                    () = shared.settled.notified() => {}
                }
                if stop.load(Ordering::Relaxed)
                    || deadline.is_some_and(|d| Instant::now() >= d)
                    || shared.fatal_pending()
                {
                    shared.wind_down(&registration, &mut last_beat).await;
                    ended.store(true, Ordering::SeqCst);
                    return Ok(());
                }
                if last_trim.is_none_or(|at| at.elapsed() >= TRIM_EVERY) {
                    last_trim = Some(Instant::now());
                    let queue = shared.queue.clone();
                    tokio::spawn(async move {
                        match queue.trim(KEEP_DONE).await {
                            Ok(n) => tracing::debug!(deleted = n, "completed poll jobs trimmed"),
                            Err(e) => {
                                tracing::warn!(error = %e, "completed poll jobs not trimmed; tried again later")
                            }
                        }
                        if let Err(e) = queue.refresh_statistics().await {
                            tracing::warn!(error = %e, "planner statistics not refreshed; tried again later");
                        }
                    });
                }
                if last_beat.elapsed() >= HEARTBEAT {
                    registration.beat(&shared.db).await;
                    last_beat = Instant::now();
                }
                if shared.options.until_idle
                    && shared.in_flight.load(Ordering::SeqCst) == 0
                    && shared
                        .db
                        .next_due()
                        .await
                        .is_ok_and(|next| next.is_none_or(|at| at > now()))
                {
                    shared.wind_down(&registration, &mut last_beat).await;
                    ended.store(true, Ordering::SeqCst);
                    return Ok(());
                }
            }
        }
    }
}

/// How long a stopping worker waits for its polls in flight to finish.
const DRAIN: Duration = Duration::from_secs(30);

impl Shared {
    /// Ends the run's polling while the queue runs on ([`Stop`]): new jobs are held, the polls
    /// in flight are waited for (at most [`DRAIN`], beating the registration meanwhile), then
    /// the held jobs are let go.
    ///
    /// Only on SQLite, whose queue has the one connection a stalled claim keeps. On Postgres
    /// (connections to spare, and row locks the polls never wait for) apalis is stopped at
    /// once and the polls are waited for after ([`Shared::drain`]), as before: the hand-back
    /// is not yet tested under two workers there.
    async fn wind_down(&self, registration: &Registration, last_beat: &mut Instant) {
        if matches!(self.queue, Queue::Postgres(_)) {
            return;
        }
        self.stopping.store(true, Ordering::SeqCst);
        let outcome = self.drain(Some((registration, last_beat))).await;
        self.stop.send_replace(outcome);
    }

    /// Resolves once the stop has come past [`Stop::Running`], with how far.
    async fn stopped(&self) -> Stop {
        let mut seen = self.stop.subscribe();
        seen.wait_for(|s| *s != Stop::Running)
            .await
            .map_or(Stop::GaveUp, |s| *s)
    }

    /// Waits (at most [`DRAIN`]) for the polls in flight: they were taken before the run ended,
    /// and one cut short would leave a complete file without its row until the next run.
    /// Beats `beat`'s registration meanwhile, when given.
    async fn drain(&self, mut beat: Option<(&Registration, &mut Instant)>) -> Stop {
        let until = Instant::now() + DRAIN;
        let mut said = false;
        loop {
            let left = self.in_flight.load(Ordering::SeqCst);
            if left == 0 {
                return Stop::Drained;
            }
            if Instant::now() >= until {
                tracing::warn!(
                    polls = left,
                    "stopping with polls still in flight; the next run finishes them"
                );
                return Stop::GaveUp;
            }
            if !said {
                tracing::info!(polls = left, "waiting for the polls in flight");
                said = true;
            }
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(20)) => {}
                () = self.settled.notified() => {}
            }
            if let Some((registration, last_beat)) = beat.as_mut()
                && last_beat.elapsed() >= HEARTBEAT
            {
                registration.beat(&self.db).await;
                **last_beat = Instant::now();
            }
        }
    }

    /// A poll in flight ended.
    fn landed(&self) {
        if self.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.settled.notify_one();
        }
    }

    fn fatal_pending(&self) -> bool {
        self.fatal
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_some()
    }

    fn fatal(&self) -> Option<WatchError> {
        self.fatal
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
            .map(WatchError::Client)
    }

    fn record(&self, polled: PollSummary) {
        let mut summary = self
            .summary
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *summary += polled;
        summary.polls += 1;
    }
}

/// One poll job: polls its account unless it is no longer watched (or was re-added since),
/// then enqueues the next. The job is marked done in the poll's last commit, or failed here.
///
/// The poll runs in a task of its own: a stopping worker drops this future, not the poll, so
/// no poll is cut between a media file's rename and its row; [`Worker::run`] waits for the
/// polls in flight before it returns.
async fn poll_job(
    job: PollJob,
    shared: Data<Arc<Shared>>,
    task: TaskId,
    attempt: Attempt,
    worker: WorkerContext,
) -> Result<(), BoxDynError> {
    let shared: Arc<Shared> = (*shared).clone();
    let claim = Claim {
        task,
        attempt: attempt.current(),
        worker: worker.name().to_owned(),
    };
    let account = job.account.clone();
    // Counted in flight before `stopping` is read: a stopping worker that reads no poll in
    // flight after setting it has no poll to wait for.
    shared.in_flight.fetch_add(1, Ordering::SeqCst);
    if shared.stopping.load(Ordering::SeqCst) {
        shared.landed();
        shared.stopped().await;
        return Err(hand_back(&shared.queue, &claim, &account).await);
    }
    let polling = shared.clone();
    let polled_claim = claim.clone();
    let mut poll = tokio::spawn(async move {
        let result = run_job(&job, &polled_claim, &polling).await;
        polling.landed();
        result
    });
    let joined = tokio::select! {
        biased;
        joined = &mut poll => joined,
        // Only a poll that outlived the drain is left running here.
        Stop::GaveUp = shared.stopped() => {
            return Err(hand_back(&shared.queue, &claim, &account).await);
        }
    };
    let result = joined.unwrap_or_else(|e| {
        shared.landed();
        Err(WatchError::Client(format!(
            "the poll of {account} panicked: {e}"
        )))
    });
    match result {
        Ok(()) => Ok(()),
        Err(e) => {
            tracing::warn!(account, error = %e, "poll job failed; it will be retried");
            fail(&shared.queue, &claim, &account, &e.to_string()).await;
            Err(Box::new(e))
        }
    }
}

/// Hands a job back to the queue unpolled: failed, so that it is claimed again at once, by
/// another worker or the next run (its attempts are practically unbounded).
async fn hand_back(queue: &Queue, claim: &Claim, account: &str) -> BoxDynError {
    tracing::debug!(account, "job handed back: the worker is stopping");
    let why = "handed back: the worker is stopping";
    fail(queue, claim, account, why).await;
    why.into()
}

/// Marks a job failed, trying again while the database is away (a restart) for as long as
/// this worker's lock on it would last without heartbeats: a job left locked by a worker that
/// lives on would not be claimed again, while one whose worker lost the queue is taken up
/// again once that worker's heartbeat has stopped.
async fn fail(queue: &Queue, claim: &Claim, account: &str, why: &str) {
    let until = Instant::now() + HEARTBEAT * u32::try_from(2 * MISSED_HEARTBEATS).unwrap_or(10);
    loop {
        match queue.fail(claim, why).await {
            Ok(true) => return,
            Ok(false) => {
                tracing::debug!(account, "job already taken up by another worker");
                return;
            }
            Err(e) if Instant::now() >= until => {
                tracing::warn!(account, error = %e, "job not marked failed; it is taken up again once this worker's heartbeat stops");
                return;
            }
            Err(e) => {
                tracing::debug!(account, error = %e, "job not marked failed yet; retrying");
                tokio::time::sleep(HEARTBEAT).await;
            }
        }
    }
}

async fn run_job(job: &PollJob, claim: &Claim, shared: &Shared) -> Result<(), WatchError> {
    let current = match shared.db.watched_one(&job.account).await? {
        Some(watched) if watched.added_at == job.generation => Some(watched),
        // No longer watched, or removed and added again since: the chain ends here.
        _ => None,
    };
    let Some(watched) = current else {
        let mut batch = shared.queue.batch(&shared.db).await?;
        batch.complete(claim).await?;
        return batch.commit().await;
    };
    let polled = match poll(shared, &watched, job, claim).await {
        Ok(done) => done,
        Err(WatchError::Media(e)) => {
            *shared
                .fatal
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(e.to_string());
            return Err(WatchError::Media(e));
        }
        Err(e) => return Err(e),
    };
    shared.record(polled);
    metrics::counter!("stories_watch_stories_total").increment(polled.new_stories);
    metrics::counter!("stories_watch_media_saved_total").increment(polled.media_saved);
    metrics::counter!("stories_watch_media_failed_total").increment(polled.media_failed);
    metrics::counter!("stories_watch_missed_total").increment(polled.missed);
    Ok(())
}

/// Asks the vendors; the caller records the attempts in the batch that follows.
async fn ask(shared: &Shared, query: &Query) -> Result<crate::Answered, WatchError> {
    shared
        .client
        .ask(query)
        .await
        .map_err(|e| WatchError::Client(e.to_string()))
}

/// One poll of one account, the work of `job`: returns what it did. Its last batch records the
/// poll and enqueues the account's next poll in one commit.
async fn poll(
    shared: &Shared,
    watched: &Watched,
    job: &PollJob,
    claim: &Claim,
) -> Result<PollSummary, WatchError> {
    let mut summary = PollSummary::default();
    let schedule = shared.options.schedule;
    let query = match Query::user_stories(&watched.account) {
        Ok(q) => q,
        Err(why) => {
            // An account added by an older version, or by hand: never retried hot.
            let interval = schedule.next(watched.interval_secs, Polled::Unreadable);
            let mut batch = shared.queue.batch(&shared.db).await?;
            let outcome = format!("invalid: {why}");
            batch
                .finish_poll(
                    watched,
                    FinishedPoll {
                        outcome: &outcome,
                        new_items: 0,
                        interval,
                        failed: true,
                        media_pending: watched.media_pending,
                    },
                )
                .await?;
            batch.enqueue(&job.next(), after(interval)).await?;
            batch.complete(claim).await?;
            batch.commit().await?;
            return Ok(summary);
        }
    };
    // How late the poll starts against its schedule: what --max-gap's promise rests on.
    let lateness = (now() - watched.next_poll_at).max(0);
    metrics::histogram!("stories_watch_poll_lateness_seconds").record(lateness as f64);
    let highlights_due = watched.highlights && highlights_due(shared, watched);
    let answered = ask(shared, &query).await?;
    let stories: Vec<Story> = match &answered.outcome {
        Outcome::Found(Answer::Stories(page)) => page.items.clone(),
        Outcome::Found(Answer::Story(story)) => vec![story.clone()],
        _ => Vec::new(),
    };
    // A poll is one batch of writes, or two around its media downloads: the story rows are
    // committed before any file is written, so a file a killed run leaves behind is found
    // again through its story.
    let mut batch = shared.queue.batch(&shared.db).await?;
    let new = batch
        .record_answer(&watched.account, &answered.report.attempts, &stories)
        .await?;
    summary.new_stories += new.len() as u64;
    // The raw response is kept with the stories first seen in it: a poll that finds only
    // stories already archived stores nothing (an account polled every 15 minutes would
    // otherwise store its answer ~100 times a day).
    if let (false, Some(body), Some(a)) = (
        new.is_empty(),
        &answered.body,
        answered.report.attempts.last(),
    ) {
        let response = batch
            .record_response(
                &watched.account,
                &a.vendor,
                &a.operation,
                a.status.unwrap_or(200),
                body,
            )
            .await?;
        batch.link_response(&new, response).await?;
    }
    if highlights_due {
        // Its vendor calls run outside any batch.
        batch.commit().await?;
        highlights(shared, watched, &mut summary).await?;
        batch = shared.queue.batch(&shared.db).await?;
    }
    // Stories owed media: this poll's new ones (its highlights' included), and those an
    // earlier poll left without (a failed download, a killed run), which `media_pending` says
    // are there. A quiet poll owes none and skips the query.
    let missing = if watched.media_pending || summary.new_stories > 0 {
        batch.without_media(&watched.account).await?
    } else {
        Vec::new()
    };
    let mut media_pending = false;
    if !missing.is_empty() {
        batch.commit().await?;
        // Only this job writes this account's folder now: what a killed run left is debris.
        // A killed download leaves its story without a media row, so the folder needs
        // sweeping only before media are fetched, not at every quiet poll.
        let (root, account) = (shared.options.media_dir.clone(), watched.account.clone());
        let _ =
            tokio::task::spawn_blocking(move || media::sweep_account_parts(&root, &account)).await;
        let owed = missing.len();
        let fetched = fetch_media(shared, missing, &mut summary).await;
        // A story whose download failed (not one whose media are gone) is tried again.
        media_pending = fetched.stored.len() < owed;
        batch = shared.queue.batch(&shared.db).await?;
        for (story, outcome) in &fetched.stored {
            match outcome {
                Fetched::Stored(stored) => batch.record_media(story, stored).await?,
                Fetched::Missed => batch.record_missed(&watched.account, story).await?,
            }
        }
        if let Some(e) = fetched.fatal {
            batch.commit().await?;
            return Err(WatchError::Media(e));
        }
    }
    let failed = matches!(answered.outcome, Outcome::Failed(_));
    let failures = u32::try_from(watched.failures + 1).unwrap_or(u32::MAX);
    let polled = Polled::of(&answered.outcome, summary.new_stories, failures);
    let interval = schedule.next(watched.interval_secs, polled);
    let outcome = match &answered.outcome {
        Outcome::Failed(f) => format!("failed: {f}"),
        other => other.tag().to_owned(),
    };
    // Labels are tags and vendor names only: never a message, which could quote a URL.
    metrics::counter!("stories_watch_polls_total", "outcome" => answered.outcome.tag())
        .increment(1);
    for a in &answered.report.attempts {
        metrics::counter!("stories_watch_requests_total", "vendor" => a.vendor.clone())
            .increment(1);
        metrics::counter!("stories_watch_credits_total", "vendor" => a.vendor.clone())
            .increment(a.credits_used.unwrap_or(0));
    }
    batch
        .finish_poll(
            watched,
            FinishedPoll {
                outcome: &outcome,
                new_items: summary.new_stories,
                interval,
                failed,
                media_pending,
            },
        )
        .await?;
    batch.enqueue(&job.next(), after(interval)).await?;
    batch.complete(claim).await?;
    batch.commit().await?;
    tracing::info!(
        account = watched.account,
        outcome,
        new = summary.new_stories,
        next_in_secs = interval,
        "polled"
    );
    Ok(summary)
}

/// A gap of `secs` seconds.
fn after(secs: i64) -> Duration {
    Duration::from_secs(u64::try_from(secs).unwrap_or(0))
}

/// Reads `watched`'s highlights when they are due (every `highlights_every`): each highlight
/// stored once, its items stored as stories (once, whoever saw them first: a story seen live
/// and later kept in a highlight is one row) and linked to it. A highlight listed without its
/// items takes one more query. Failures are logged and retried at the next due time.
async fn highlights(
    shared: &Shared,
    watched: &Watched,
    summary: &mut PollSummary,
) -> Result<(), WatchError> {
    let Ok(query) = Query::user_highlights(&watched.account) else {
        return Ok(());
    };
    let answered = ask(shared, &query).await?;
    let mut batch = shared.queue.batch(&shared.db).await?;
    batch
        .record_answer(&watched.account, &answered.report.attempts, &[])
        .await?;
    let listed = match answered.outcome {
        Outcome::Found(Answer::Highlights(page)) => page.items,
        Outcome::Found(Answer::Highlight(h)) => vec![h],
        Outcome::Failed(f) => {
            tracing::warn!(account = watched.account, reason = %f, "highlights not read; retried at the next poll");
            return batch.commit().await;
        }
        _ => Vec::new(),
    };
    for highlight in listed {
        batch.record_highlight(&watched.account, &highlight).await?;
        let (items, new) = if highlight.items.is_empty() {
            // The highlight's row lands before the vendor call for its items.
            batch.commit().await?;
            let query = Query::HighlightItems(highlight.id.clone());
            let asked = ask(shared, &query).await?;
            batch = shared.queue.batch(&shared.db).await?;
            let items = match asked.outcome {
                Outcome::Found(Answer::Highlight(h)) => h.items,
                Outcome::Found(Answer::Stories(page)) => page.items,
                _ => Vec::new(),
            };
            let new = batch
                .record_answer(&watched.account, &asked.report.attempts, &items)
                .await?;
            (items, new)
        } else {
            let new = batch
                .record_answer(&watched.account, &[], &highlight.items)
                .await?;
            (highlight.items.clone(), new)
        };
        summary.new_stories += new.len() as u64;
        for story in &items {
            batch
                .record_highlight_item(&highlight.id, &story.id)
                .await?;
        }
    }
    batch.highlights_polled(&watched.account).await?;
    batch.commit().await
}

/// Whether `watched`'s highlights are due (read every `highlights_every`).
fn highlights_due(shared: &Shared, watched: &Watched) -> bool {
    let every = i64::try_from(shared.options.highlights_every.as_secs()).unwrap_or(i64::MAX);
    watched
        .highlights_polled_at
        .is_none_or(|at| now() - at >= every)
}

/// What became of one story's media.
enum Fetched {
    Stored(media::Stored),
    /// Its URL is gone: it can never be fetched.
    Missed,
}

/// The media a poll fetched, for its rows, and why it stopped early, if it did.
struct FetchedMedia {
    stored: Vec<(String, Fetched)>,
    /// Media that cannot be written (a full disk): the rest is not tried.
    fatal: Option<MediaError>,
}

/// Downloads the media of `missing` (archived stories without media: this poll's new ones,
/// and those a killed run archived without their media). A download that fails otherwise is
/// retried at the next poll.
async fn fetch_media(
    shared: &Shared,
    missing: Vec<(String, Story)>,
    summary: &mut PollSummary,
) -> FetchedMedia {
    let mut out = FetchedMedia {
        stored: Vec::new(),
        fatal: None,
    };
    for (owner, story) in missing {
        let stored = media::store(
            &shared.media_http,
            &shared.options.media_dir,
            &owner,
            &story,
        )
        .await;
        match stored {
            Ok(stored) => {
                out.stored.push((story.id, Fetched::Stored(stored)));
                summary.media_saved += 1;
            }
            Err(e) if e.is_final() => {
                tracing::warn!(account = owner, error = %e, "missed");
                out.stored.push((story.id, Fetched::Missed));
                summary.missed += 1;
            }
            Err(e @ MediaError::Write { .. }) => {
                out.fatal = Some(e);
                break;
            }
            Err(e) => {
                tracing::warn!(account = owner, error = %e, "download failed; retried at the next poll");
                summary.media_failed += 1;
            }
        }
    }
    out
}

/// What one poll did.
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
