//! `stories watch` throughput, in process against the live mock on loopback:
//!
//! - `raw_requests`: the mock's own rate — the same number of user-stories requests as a worker
//!   run makes, with as many in flight as the worker polls at once, through the same HTTP
//!   stack; the ceiling a worker is measured against.
//! - `one_worker`: a worker polling 200 accounts once each (`--until-idle`): queue, vendor
//!   call, normalization, story rows, the raw response and the media files. Its polls per
//!   second over `raw_requests`' rate is the ratio the README reports.
//! - `quiet_polls`: the same worker polling the 200 accounts again when nothing is new (the
//!   common poll): queue, vendor call, normalization, and the poll's record.
//! - `quiet_polls_under_budgets`: the same with a request rate and a credit budget set for
//!   every vendor (never reached): the cost of admitting each request against budgets kept in
//!   the database.
//! - `two_workers`: the same 200 accounts shared by two workers on one archive.
//! - `*_at_50ms`: the mock, one worker and two workers again with the mock answering after
//!   50 ms (API and media), as a fast vendor does: a worker then waits on its vendor rather
//!   than on the machine's two cores, and the second worker's share shows whether workers
//!   contend in the database.
//! - `tick_100k`: one scheduling tick with 100,000 watched accounts: the job queue claiming
//!   the next due poll and the archive finding the next due time.
//!
//! On SQLite always; on Postgres too when the libpq variables name a server
//! (`pg_virtualenv cargo bench -p stories --bench watch`). Run with
//! `cargo bench -p stories --bench watch`.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use futures::StreamExt;
use stories::mock::{LiveOptions, MOCK_KEY, MockServer};
use stories::watch::budget::Budget;
use stories::watch::{Database, DatabaseUrl, PollJob, Queue, RunOptions, Schedule, Worker};
use stories::{Config, UnifiedClient};

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

const ACCOUNTS: usize = 200;
const CONCURRENCY: usize = 8;

fn main() {
    divan::main();
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

async fn live_mock() -> MockServer {
    MockServer::start_live(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        LiveOptions {
            post_every: Duration::from_secs(3600),
            story_ttl: Duration::from_secs(86_400),
        },
    )
    .await
    .expect("mock")
}

fn client(server: &MockServer) -> UnifiedClient {
    let env = server.env();
    let config =
        Config::from_lookup(|name| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
            .expect("config");
    UnifiedClient::new(config).expect("client")
}

/// The archives to measure on: a SQLite file, and Postgres when `PGHOST` is set.
fn engines() -> Vec<&'static str> {
    let mut out = vec!["sqlite"];
    if std::env::var("PGHOST").is_ok() {
        out.push("postgres");
    }
    out
}

/// A fresh archive of `engine`.
async fn archive(engine: &str, dir: &Path, name: &str) -> DatabaseUrl {
    match engine {
        "postgres" => {
            use sqlx::Connection;
            let host = std::env::var("PGHOST").expect("PGHOST");
            let port = std::env::var("PGPORT").unwrap_or_else(|_| "5432".into());
            let user = std::env::var("PGUSER").unwrap_or_else(|_| "postgres".into());
            let password = std::env::var("PGPASSWORD").unwrap_or_default();
            let at = |db: &str| format!("postgres://{user}:{password}@{host}:{port}/{db}");
            let mut admin = sqlx::PgConnection::connect(&at("postgres"))
                .await
                .expect("postgres");
            let db = format!("bench_{name}_{}", fastrand::u32(..));
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
                .execute(&mut admin)
                .await
                .expect("create");
            DatabaseUrl::parse(&at(&db)).expect("url")
        }
        _ => DatabaseUrl::sqlite(&dir.join(format!("{name}.db"))),
    }
}

/// An archive watching `accounts` accounts, each with its first poll due.
async fn watching(engine: &str, dir: &Path, name: &str, accounts: usize) -> (Database, Queue) {
    let url = archive(engine, dir, name).await;
    let db = Database::open(&url).await.expect("open");
    let queue = Queue::open(&url).await.expect("queue");
    let initial = Schedule::default().initial();
    for i in 0..accounts {
        let account = format!("bench.account{i}");
        db.add(&account, false, initial).await.expect("add");
        let added = db.watched_one(&account).await.expect("row").expect("added");
        queue
            .push(PollJob::first(&account, added.added_at), Duration::ZERO)
            .await
            .expect("push");
    }
    warm(&db, &queue).await;
    (db, queue)
}

/// Opens as many connections as a worker run uses at once, so that a run measures polling
/// rather than connection set-up (a Postgres log-in with a password is tens of milliseconds;
/// a long-running worker pays it once).
async fn warm(db: &Database, queue: &Queue) {
    let uses = (0..2 * CONCURRENCY).map(|_| async {
        db.next_due().await.expect("read");
        let batch = queue.batch(db).await.expect("batch");
        tokio::time::sleep(Duration::from_millis(20)).await;
        batch.commit().await.expect("commit");
    });
    futures::future::join_all(uses).await;
}

fn worker(server: &MockServer, db: Database, queue: Queue, media: &Path) -> Worker {
    let media_http = reqwest::Client::new();
    let options = RunOptions {
        schedule: Schedule {
            min_gap: Duration::from_secs(3600),
            max_gap: Duration::from_secs(3600),
        },
        media_dir: media.to_path_buf(),
        concurrency: CONCURRENCY,
        run_for: Some(Duration::from_secs(120)),
        until_idle: true,
        highlights_every: Duration::from_secs(86_400),
    };
    Worker::new(db, client(server), media_http, queue, options)
}

/// How long a slow mock takes to answer (each API request, and each media file): a fast
/// vendor. Real vendors take 200 ms to a second; a worker waiting on its vendor is what
/// many workers scale.
const VENDOR_LATENCY: Duration = Duration::from_millis(50);

/// The mock's own rate for as many requests as a worker run makes.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn raw_requests(bencher: divan::Bencher) {
    raw(bencher, Duration::ZERO);
}

/// The mock's rate answering after [`VENDOR_LATENCY`].
#[divan::bench(sample_count = 3, sample_size = 1)]
fn raw_requests_at_50ms(bencher: divan::Bencher) {
    raw(bencher, VENDOR_LATENCY);
}

fn raw(bencher: divan::Bencher, latency: Duration) {
    let rt = runtime();
    let server = rt.block_on(live_mock());
    server.set_latency(latency);
    let url = format!(
        "{}/v1/instagram/fetch_user_stories",
        server.base_url("keyapi")
    );
    let http = reqwest::Client::new();
    bencher
        .counter(divan::counter::ItemsCount::new(ACCOUNTS))
        .bench_local(|| {
            rt.block_on(async {
                futures::stream::iter(0..ACCOUNTS)
                    .map(|i| {
                        http.get(&url)
                            .query(&[("username", format!("raw.account{i}"))])
                            .bearer_auth(MOCK_KEY)
                            .send()
                    })
                    .buffer_unordered(CONCURRENCY)
                    .for_each(|r| async move {
                        let body = r.expect("sent").bytes().await.expect("body");
                        assert!(!body.is_empty());
                    })
                    .await;
            });
        });
}

/// One worker polling every account once.
#[divan::bench(args = engines(), sample_count = 3, sample_size = 1)]
fn one_worker(bencher: divan::Bencher, engine: &str) {
    workers(bencher, engine, 1, Duration::ZERO);
}

/// Two workers sharing the accounts.
#[divan::bench(args = engines(), sample_count = 3, sample_size = 1)]
fn two_workers(bencher: divan::Bencher, engine: &str) {
    workers(bencher, engine, 2, Duration::ZERO);
}

/// One worker polling every account once, the vendor answering after [`VENDOR_LATENCY`].
#[divan::bench(args = engines(), sample_count = 3, sample_size = 1)]
fn one_worker_at_50ms(bencher: divan::Bencher, engine: &str) {
    workers(bencher, engine, 1, VENDOR_LATENCY);
}

/// Two workers sharing the accounts, the vendor answering after [`VENDOR_LATENCY`].
#[divan::bench(args = engines(), sample_count = 3, sample_size = 1)]
fn two_workers_at_50ms(bencher: divan::Bencher, engine: &str) {
    workers(bencher, engine, 2, VENDOR_LATENCY);
}

/// `count` workers on one archive sharing [`ACCOUNTS`] accounts, each polled once, the mock
/// answering after `latency`.
fn workers(bencher: divan::Bencher, engine: &str, count: usize, latency: Duration) {
    let rt = runtime();
    let server = rt.block_on(live_mock());
    server.set_latency(latency);
    bencher
        .counter(divan::counter::ItemsCount::new(ACCOUNTS))
        .with_inputs(|| {
            let dir = tempfile::tempdir().expect("tempdir");
            let (db, queue) = rt.block_on(watching(engine, dir.path(), "workers", ACCOUNTS));
            (dir, db, queue)
        })
        .bench_local_values(|(dir, db, queue)| {
            let media = dir.path().join("media");
            let workers: Vec<Worker> = (0..count)
                .map(|_| worker(&server, db.clone(), queue.clone(), &media))
                .collect();
            let summaries = rt.block_on(futures::future::join_all(workers.iter().map(Worker::run)));
            let polls: u64 = summaries.into_iter().map(|s| s.expect("run").polls).sum();
            assert_eq!(polls, ACCOUNTS as u64);
            dir
        });
}

/// One worker polling every account again when nothing is new: the poll most polls are (an
/// account posts a few times a day and is polled every 15 minutes to 4 hours). The first
/// round, untimed, archives each account's story and media; then every account's next poll
/// is made due, as if its hour had passed.
#[divan::bench(args = engines(), sample_count = 3, sample_size = 1)]
fn quiet_polls(bencher: divan::Bencher, engine: &str) {
    quiet(bencher, engine, false);
}

/// The quiet polls again with a request rate and a daily credit budget set for every vendor
/// (`watch budget`), both far above what the run uses: what admitting each request against
/// budgets shared by every worker costs.
#[divan::bench(args = engines(), sample_count = 3, sample_size = 1)]
fn quiet_polls_under_budgets(bencher: divan::Bencher, engine: &str) {
    quiet(bencher, engine, true);
}

fn quiet(bencher: divan::Bencher, engine: &str, budgets: bool) {
    let rt = runtime();
    let server = rt.block_on(live_mock());
    bencher
        .counter(divan::counter::ItemsCount::new(ACCOUNTS))
        .with_inputs(|| {
            let dir = tempfile::tempdir().expect("tempdir");
            let media = dir.path().join("media");
            let (db, queue) = rt.block_on(async {
                let (db, queue) = watching(engine, dir.path(), "quiet", ACCOUNTS).await;
                if budgets {
                    for vendor in stories::vendors::vendor_names() {
                        db.set_budget(&Budget {
                            vendor: vendor.to_owned(),
                            requests_per_sec: Some(1_000_000),
                            credits_per_day: Some(1_000_000_000),
                        })
                        .await
                        .expect("budget");
                    }
                }
                let first = worker(&server, db.clone(), queue.clone(), &media);
                let summary = first.run().await.expect("first round");
                assert_eq!(summary.new_stories, ACCOUNTS as u64);
                all_due_now(&db, &queue).await;
                (db, queue)
            });
            (dir, db, queue)
        })
        .bench_local_values(|(dir, db, queue)| {
            let w = worker(&server, db, queue, &dir.path().join("media"));
            let summary = rt.block_on(w.run()).expect("run");
            assert_eq!(summary.polls, ACCOUNTS as u64);
            assert_eq!(summary.new_stories, 0);
            dir
        });
}

/// Makes every pending poll due now, as if its time had come: the queue's jobs (apalis's
/// table, in each engine's dialect) and the archive's schedule.
async fn all_due_now(db: &Database, queue: &Queue) {
    match queue {
        Queue::Sqlite(s) => sqlx::query(
            "UPDATE Jobs SET run_at = CAST(strftime('%s', 'now') AS INTEGER) WHERE status = 'Pending'",
        )
        .execute(s.pool())
        .await
        .map(|_| ()),
        Queue::Postgres(s) => {
            sqlx::query("UPDATE apalis.jobs SET run_at = now() WHERE status = 'Pending'")
                .execute(s.pool())
                .await
                .map(|_| ())
        }
    }
    .expect("due jobs");
    sqlx::query("UPDATE watched SET next_poll_at = $1")
        .bind(stories::watch::db::now())
        .execute(db.pool())
        .await
        .expect("due accounts");
}

/// One scheduling tick with 100,000 watched accounts: a worker starts on an archive where
/// every account's poll is an hour away but one, claims that poll among 100,000 pending ones
/// (the queue's fetch), makes it, reschedules it, and finds nothing else due (the archive's
/// next-due query) — the whole tick, one vendor call included.
#[divan::bench(args = engines(), sample_count = 10, sample_size = 1)]
fn tick_100k(bencher: divan::Bencher, engine: &str) {
    const WATCHED: usize = 100_000;
    let rt = runtime();
    let server = rt.block_on(live_mock());
    let dir = tempfile::tempdir().expect("tempdir");
    let media = dir.path().join("media");
    let (db, queue) = rt.block_on(async {
        let url = archive(engine, dir.path(), "tick").await;
        let db = Database::open(&url).await.expect("open");
        // The archive began small, as every archive does: a first `watch add` of a few
        // accounts, then a worker's start (on SQLite, apalis's set-up takes the job table's
        // first planner statistics then).
        let first: Vec<PollJob> = (0..10)
            .map(|i| PollJob::first(&format!("first.account{i}"), 0))
            .collect();
        let queue = Queue::open(&url).await.expect("queue");
        queue
            .push_many(&first, Duration::from_secs(3600))
            .await
            .expect("push");
        drop(queue);
        let queue = Queue::open(&url).await.expect("queue");
        let accounts: Vec<String> = (0..WATCHED).map(|i| format!("tick.account{i}")).collect();
        let later = stories::watch::db::now() + 3600;
        db.add_many(&accounts, false, 3600, later)
            .await
            .expect("add");
        let jobs: Vec<PollJob> = accounts.iter().map(|a| PollJob::first(a, 0)).collect();
        queue
            .push_many(&jobs, Duration::from_secs(3600))
            .await
            .expect("push");
        (db, queue)
    });
    bencher
        .with_inputs(|| {
            rt.block_on(async {
                let account = format!("due.{}", fastrand::u64(..));
                db.add(&account, false, 3600).await.expect("add");
                let added = db.watched_one(&account).await.expect("row").expect("added");
                queue
                    .push(PollJob::first(&account, added.added_at), Duration::ZERO)
                    .await
                    .expect("push");
            });
        })
        .bench_local_values(|()| {
            let w = worker(&server, db.clone(), queue.clone(), &media);
            let summary = rt.block_on(w.run()).expect("run");
            assert_eq!(summary.polls, 1);
        });
}
