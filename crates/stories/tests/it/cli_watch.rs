//! `stories watch` through the binary against the live mock, whose ledger is the ground truth:
//! the archive holds every story whose life fell inside the run, once, each with a complete
//! media file whose checksum is the ledger's — on SQLite and on Postgres. A worker SIGKILLed
//! at any instant and restarted loses and duplicates nothing; bad settings are exit 2 before
//! anything runs, and a database password is never printed.
//!
//! The Postgres cases run against the server the libpq variables name (`PGHOST`, `PGPORT`,
//! `PGUSER`, `PGPASSWORD`, `PGDATABASE`, as `pg_virtualenv` sets them; `.ci/run` does). Without
//! them they say so on standard error, and fail when `STORIES_REQUIRE_POSTGRES=1`, so CI
//! cannot pass without running them.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::{Digest, Sha256};
use stories::mock::{LiveOptions, MockServer, Posted};

use crate::support::{output, stories, tempdir, text};

/// These tests measure time (a story up for seconds, a poll within a bound): they run one at a
/// time, so that on a loaded machine they do not slow each other past their bounds.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The SQLite and the Postgres test of one check `$body(database, media folder)`: a fresh
/// archive each, taking turns with the other archive tests.
macro_rules! on_both_engines {
    ($sqlite:ident, $postgres:ident, $body:ident) => {
        #[tokio::test(flavor = "multi_thread")]
        async fn $sqlite() {
            let _serial = SERIAL.lock().await;
            let dir = tempdir();
            let db = dir.path().join("archive.db").to_string_lossy().into_owned();
            $body(&db, &dir.path().join("media")).await;
        }

        #[tokio::test(flavor = "multi_thread")]
        async fn $postgres() {
            let _serial = SERIAL.lock().await;
            let Some(url) = postgres(stringify!($body)).await else {
                return postgres_absent(stringify!($postgres));
            };
            let dir = tempdir();
            $body(&url, &dir.path().join("media")).await;
        }
    };
}

async fn live_mock(post_every: u64, ttl: u64) -> MockServer {
    MockServer::start_live(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        LiveOptions {
            post_every: Duration::from_secs(post_every),
            story_ttl: Duration::from_secs(ttl),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"))
}

/// A Postgres URL from the libpq variables, with a fresh database for this test.
pub(crate) async fn postgres(test: &str) -> Option<String> {
    let host = std::env::var("PGHOST").ok()?;
    let port = std::env::var("PGPORT").unwrap_or_else(|_| "5432".into());
    let user = std::env::var("PGUSER").unwrap_or_else(|_| "postgres".into());
    let password = std::env::var("PGPASSWORD").unwrap_or_default();
    let base = std::env::var("PGDATABASE").unwrap_or_else(|_| "postgres".into());
    // A socket folder as host: libpq's `host=/run/postgresql` form.
    let at = |db: &str| {
        if host.starts_with('/') {
            format!(
                "postgres://{user}:{password}@localhost:{port}/{db}?host={}",
                host
            )
        } else {
            format!("postgres://{user}:{password}@{host}:{port}/{db}")
        }
    };
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(&at(&base))
        .await
        .unwrap_or_else(|e| panic!("PG* variables are set but Postgres is unreachable: {e}"));
    let name = format!("stories_{test}_{}", std::process::id());
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name}"
    )))
    .execute(&mut admin)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    Some(at(&name))
}

/// Whether a Postgres case may be left out here.
pub(crate) fn postgres_absent(test: &str) {
    let required = std::env::var("STORIES_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "{test}: STORIES_REQUIRE_POSTGRES=1 but no PGHOST is set (run under pg_virtualenv)"
    );
    eprintln!("{test}: NOT RUN on Postgres: no PGHOST (run under pg_virtualenv, as .ci/run does)");
}

fn watch(server: &MockServer, db: &str, args: &[&str]) -> Command {
    let mut cmd = stories(server);
    cmd.arg("watch").arg("--database").arg(db).args(args);
    cmd
}

async fn ok(cmd: Command) -> Output {
    let out = output(cmd).await;
    assert!(
        out.status.success(),
        "exit {:?}\n{}",
        out.status.code(),
        text(&out.stderr)
    );
    out
}

fn sha256(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The archive as `watch export` streams it.
async fn exported(server: &MockServer, db: &str) -> Vec<Value> {
    let out = ok(watch(server, db, &["export"])).await;
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// Every archived story once, from the ledger, with its media complete and checksummed as
/// the ledger says; no file under the media folder but those the archive lists.
fn assert_consistent(archive: &[Value], ledger: &[Posted], media: &Path) {
    let by_id: BTreeMap<&str, &Posted> = ledger.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut seen = BTreeSet::new();
    let mut listed = BTreeSet::new();
    for story in archive {
        let id = story["id"].as_str().unwrap_or_default();
        assert!(seen.insert(id.to_owned()), "story {id} archived twice");
        let posted = by_id
            .get(id)
            .unwrap_or_else(|| panic!("story {id} is not in the ledger"));
        assert_eq!(story["archive"]["account"], posted.account.as_str());
        let files = story["archive"]["media"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(files.len(), 1, "story {id}: {files:?}");
        let rel = files[0]["path"].as_str().unwrap_or_default();
        let path = media.join(rel);
        assert_eq!(files[0]["sha256"], posted.sha256.as_str(), "story {id}");
        assert_eq!(
            sha256(&path),
            posted.sha256,
            "{} is not complete",
            path.display()
        );
        assert_eq!(
            std::fs::metadata(&path).map(|m| m.len()).ok(),
            files[0]["bytes"].as_u64()
        );
        listed.insert(rel.to_owned());
    }
    for file in crate::support::files(media) {
        let rel = file.to_string_lossy().replace('\\', "/");
        assert!(
            listed.contains(&rel),
            "{rel} is in the media folder but not in the archive"
        );
    }
}

/// Runs a worker and checks its archive against the ledger.
async fn archive_matches_the_ledger(db: &str, media: &Path) {
    let server = live_mock(1, 5).await;
    ok(watch(
        &server,
        db,
        &["add", "alice", "@bob", "https://www.instagram.com/carol/"],
    ))
    .await;
    let started = chrono::Utc::now();
    let media_dir = media.to_string_lossy().into_owned();
    let run = ok(watch(
        &server,
        db,
        &[
            "run",
            "--max-gap",
            "2",
            "--min-gap",
            "1",
            "--for",
            "8",
            "--media-dir",
            &media_dir,
        ],
    ))
    .await;
    let ended = chrono::Utc::now();
    let summary: Value = serde_json::from_slice(&run.stdout).unwrap_or_default();
    assert!(summary["polls"].as_u64() >= Some(6), "{summary}");
    let ledger = server.ledger();
    let archive = exported(&server, db).await;
    assert_consistent(&archive, &ledger, media);
    // Every story whose whole life fell inside the run was seen: a story is up 5 s and no
    // account waits more than 2 s between polls.
    let archived: BTreeSet<&str> = archive.iter().filter_map(|s| s["id"].as_str()).collect();
    let due: Vec<&Posted> = ledger
        .iter()
        .filter(|p| p.taken_at >= started && p.expires_at <= ended)
        .collect();
    assert!(due.len() >= 6, "the mock posted too little: {}", due.len());
    for p in due {
        assert!(archived.contains(p.id.as_str()), "missed {p:?}");
    }
    // Nothing polled more often than the shortest gap allows (1 s, plus one poll at start).
    assert_no_overlap(&server);
    let status = ok(watch(&server, db, &["status", "--format", "json"])).await;
    let status: Value = serde_json::from_slice(&status.stdout).unwrap_or_default();
    assert_eq!(status["stories"].as_u64(), Some(archive.len() as u64));
    assert_eq!(status["accounts"].as_array().map(Vec::len), Some(3));
    assert!(
        status["vendors"]
            .as_array()
            .is_some_and(|v| v.iter().any(|u| u["credits_used"].as_u64() > Some(0))),
        "{status}"
    );
}

on_both_engines!(
    the_archive_equals_the_ledger_on_sqlite,
    the_archive_equals_the_ledger_on_postgres,
    archive_matches_the_ledger
);

/// Kills a worker with SIGKILL at several instants, restarting it each time, then lets one
/// finish: every story archived once, every file complete and recorded, no temporary file.
async fn survives_kills(db: &str, media: &Path) {
    let server = live_mock(1, 30).await;
    server.set_latency(Duration::from_millis(40));
    ok(watch(&server, db, &["add", "dora", "eve", "frank", "gina"])).await;
    let media_dir = media.to_string_lossy().into_owned();
    for delay_ms in [150u64, 400, 700, 1100, 1600, 2300] {
        let mut cmd = watch(
            &server,
            db,
            &[
                "run",
                "--max-gap",
                "1",
                "--min-gap",
                "1",
                "--for",
                "30",
                "--media-dir",
                &media_dir,
            ],
        );
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{e}"));
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        child.kill().unwrap_or_else(|e| panic!("{e}"));
        let _ = child.wait();
    }
    // The killed workers' jobs are taken up again once their heartbeats have stopped (5 s);
    // the rest of the run is margin for a loaded machine.
    let started = Instant::now();
    ok(watch(
        &server,
        db,
        &[
            "run",
            "--max-gap",
            "1",
            "--min-gap",
            "1",
            "--for",
            "14",
            "--media-dir",
            &media_dir,
        ],
    ))
    .await;
    assert!(started.elapsed() < Duration::from_secs(30));
    let polled: BTreeSet<String> = server.polls().into_keys().collect();
    assert_eq!(polled.len(), 4, "{polled:?}");
    let archive = exported(&server, db).await;
    assert!(!archive.is_empty());
    assert_consistent(&archive, &server.ledger(), media);
}

on_both_engines!(
    a_worker_killed_at_any_instant_loses_and_duplicates_nothing_on_sqlite,
    a_worker_killed_at_any_instant_loses_and_duplicates_nothing_on_postgres,
    survives_kills
);

/// No account was polled twice in one slot: consecutive polls of an account are `--min-gap`
/// (1 s) apart or more, whichever worker made them (less 50 ms: the queue's due times are by
/// the wall clock, the mock's by a monotonic one).
fn assert_no_overlap(server: &MockServer) {
    for (account, times) in server.polls() {
        for pair in times.windows(2) {
            let gap = pair[1] - pair[0];
            assert!(
                gap >= Duration::from_millis(950),
                "{account} was polled twice {gap:?} apart"
            );
        }
    }
}

/// Runs two `watch run` processes on one archive at once, with `args`, until both exit.
async fn two_workers(server: &MockServer, db: &str, args: &[&str]) -> [Output; 2] {
    let run = || {
        let mut cmd = watch(server, db, &[&["run"], args].concat());
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd.spawn().unwrap_or_else(|e| panic!("{e}"))
    };
    let (first, second) = (run(), run());
    tokio::task::spawn_blocking(move || {
        [first, second].map(|c| c.wait_with_output().unwrap_or_else(|e| panic!("{e}")))
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Two workers on one archive: together they archive what one would, each account polled by
/// one of them at a time, and both take part.
async fn two_workers_share(db: &str, media: &Path) {
    let server = live_mock(1, 5).await;
    let accounts = ["kim", "lou", "max", "ned", "ora", "pat", "quin", "rey"];
    let mut add = vec!["add"];
    add.extend(accounts);
    ok(watch(&server, db, &add)).await;
    let media_dir = media.to_string_lossy().into_owned();
    let started = chrono::Utc::now();
    let outputs = two_workers(
        &server,
        db,
        &[
            "--max-gap",
            "2",
            "--min-gap",
            "1",
            "--for",
            "8",
            "--concurrency",
            "2",
            "--media-dir",
            &media_dir,
        ],
    )
    .await;
    let ended = chrono::Utc::now();
    for out in &outputs {
        assert!(out.status.success(), "{}", text(&out.stderr));
        let summary: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        assert!(
            summary["polls"].as_u64() > Some(0),
            "a worker did nothing: {summary}"
        );
    }
    assert_no_overlap(&server);
    let ledger = server.ledger();
    let archive = exported(&server, db).await;
    assert_consistent(&archive, &ledger, media);
    let archived: BTreeSet<&str> = archive.iter().filter_map(|s| s["id"].as_str()).collect();
    for p in ledger
        .iter()
        .filter(|p| p.taken_at >= started && p.expires_at <= ended)
    {
        assert!(archived.contains(p.id.as_str()), "missed {p:?}");
    }
}

on_both_engines!(
    two_workers_share_one_archive_without_overlap_on_sqlite,
    two_workers_share_one_archive_without_overlap_on_postgres,
    two_workers_share
);

#[tokio::test(flavor = "multi_thread")]
async fn bad_settings_stop_before_anything_runs_and_hide_the_password() {
    let _serial = SERIAL.lock().await;
    let server = live_mock(5, 60).await;
    let dir = tempdir();
    let db = dir.path().join("archive.db").to_string_lossy().into_owned();
    // A bad account: exit 2 naming it; the archive is not even created.
    let out = output(watch(&server, &db, &["add", "ok.name", "bad..name"])).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("bad..name"));
    assert!(!Path::new(&db).exists());
    // A bad line of a batch names the line.
    let batch = dir.path().join("accounts.txt");
    std::fs::write(
        &batch,
        "# mine\nfine_one\n\nhttps://www.instagram.com/p/Cabc/\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = output(watch(
        &server,
        &db,
        &["add", "--batch", &batch.to_string_lossy()],
    ))
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("accounts.txt:4"),
        "{}",
        text(&out.stderr)
    );
    // Unsupported, malformed and unreachable databases; the password never shows.
    for url in [
        "mysql://u:hunter22@h/db",
        "postgres://u:hunter22@/db",
        "postgres://u:hunter22@127.0.0.1:1/db",
    ] {
        let out = output(watch(&server, url, &["list"])).await;
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{url}: {err}");
        assert!(!err.contains("hunter22"), "{err}");
        assert!(
            err.contains("--database") || err.contains("database postgres://u:***@127.0.0.1:1/db"),
            "{err}"
        );
    }
    // The same from the environment, named by the variable.
    let mut cmd = stories(&server);
    cmd.env("STORIES_DATABASE_URL", "ftp://x")
        .args(["watch", "list"]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("STORIES_DATABASE_URL"));
    // A media folder that cannot be written.
    ok(watch(&server, &db, &["add", "ok.name"])).await;
    let blocked = dir.path().join("a-file");
    std::fs::write(&blocked, "").unwrap_or_else(|e| panic!("{e}"));
    let media = blocked.join("media").to_string_lossy().into_owned();
    let out = output(watch(
        &server,
        &db,
        &["run", "--until-idle", "--media-dir", &media],
    ))
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--media-dir"),
        "{}",
        text(&out.stderr)
    );
    assert!(server.polls().is_empty(), "a poll was sent");
    // Gaps that contradict each other.
    let out = output(watch(
        &server,
        &db,
        &["run", "--min-gap", "60", "--max-gap", "30"],
    ))
    .await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn export_filters_by_account_and_time_and_writes_csv() {
    let _serial = SERIAL.lock().await;
    let server = live_mock(1, 30).await;
    let dir = tempdir();
    let db = dir.path().join("archive.db").to_string_lossy().into_owned();
    let media = dir.path().join("media").to_string_lossy().into_owned();
    ok(watch(&server, &db, &["add", "ivy", "jack"])).await;
    ok(watch(
        &server,
        &db,
        &[
            "run",
            "--max-gap",
            "1",
            "--min-gap",
            "1",
            "--for",
            "3",
            "--media-dir",
            &media,
        ],
    ))
    .await;
    let all = exported(&server, &db).await;
    let ivy = ok(watch(&server, &db, &["export", "--account", "@IVY"])).await;
    let ivy: Vec<Value> = text(&ivy.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert!(!ivy.is_empty() && ivy.len() < all.len());
    assert!(ivy.iter().all(|s| s["archive"]["account"] == "ivy"));
    let future = ok(watch(
        &server,
        &db,
        &["export", "--since", "2999-01-01T00:00:00Z"],
    ))
    .await;
    assert!(future.stdout.is_empty());
    let csv = ok(watch(&server, &db, &["export", "--format", "csv"])).await;
    let csv = text(&csv.stdout);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("id,account,first_seen,taken_at,expires_at,kind,vendor,media_path,sha256,bytes")
    );
    assert_eq!(lines.count(), all.len());
    let bad = output(watch(&server, &db, &["export", "--since", "last tuesday"])).await;
    assert_eq!(bad.status.code(), Some(2));
}

/// Two workers sharing a rate limit and a daily credit budget, both kept in the database:
/// together they never exceed either, and once KeyAPI's day is spent the other vendor answers.
async fn budgets_hold(db: &str, media: &Path) {
    let server = live_mock(1, 30).await;
    let accounts = ["sam", "tia", "uma", "vic", "wes", "xia"];
    let mut add = vec!["add"];
    add.extend(accounts);
    ok(watch(&server, db, &add)).await;
    // KeyAPI costs 2 credits a request: 14 credits are seven requests.
    ok(watch(
        &server,
        db,
        &["budget", "keyapi", "--rate", "2", "--daily-credits", "14"],
    ))
    .await;
    ok(watch(&server, db, &["budget", "hikerapi", "--rate", "3"])).await;
    let shown = ok(watch(&server, db, &["budget"])).await;
    assert!(
        text(&shown.stdout).contains("keyapi: 2 requests/s, 14 credits/day"),
        "{}",
        text(&shown.stdout)
    );
    let media_dir = media.to_string_lossy().into_owned();
    let started = Instant::now();
    let outputs = two_workers(
        &server,
        db,
        &[
            "--max-gap",
            "1",
            "--min-gap",
            "1",
            "--for",
            "6",
            "--media-dir",
            &media_dir,
        ],
    )
    .await;
    let seconds = started.elapsed().as_secs() + 1;
    for out in &outputs {
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    // Shown when an assertion below fails (the test harness keeps it otherwise).
    for (n, out) in outputs.iter().enumerate() {
        eprintln!("worker {n} said:\n{}", text(&out.stderr));
    }
    let keyapi = server.hits("keyapi");
    let hikerapi = server.hits("hikerapi");
    assert!(
        keyapi <= 7,
        "KeyAPI was sent {keyapi} requests on a budget of seven"
    );
    assert!(keyapi >= 5, "KeyAPI's budget went unused: {keyapi}");
    assert!(hikerapi > 0, "nobody answered once KeyAPI's day was spent");
    assert!(
        hikerapi as u64 <= 3 * seconds,
        "HikerAPI was sent {hikerapi} requests in {seconds} s at 3/s"
    );
    assert_consistent(&exported(&server, db).await, &server.ledger(), media);
}

on_both_engines!(
    budgets_hold_across_two_workers_on_sqlite,
    budgets_hold_across_two_workers_on_postgres,
    budgets_hold
);

/// A poll's job is marked done with the poll; completed poll jobs are deleted once old
/// enough, and only they: each account's pending successor stays, so its chain goes on.
async fn completed_jobs_are_trimmed(db: &str, media: &Path) {
    let server = live_mock(3600, 86_400).await;
    ok(watch(&server, db, &["add", "ana", "ben", "cyd"])).await;
    let media_dir = media.to_string_lossy().into_owned();
    let run = ["run", "--until-idle", "--media-dir", &media_dir];
    let summary = summary(watch(&server, db, &run)).await;
    assert_eq!(summary["polls"], 3, "{summary}");
    // Each job was marked done, on its first attempt, in its poll's commit: none is left
    // claimed by the worker that ran it.
    let (done, claimed) = if db.starts_with("postgres") {
        (
            "SELECT COUNT(*) FROM apalis.jobs WHERE status = 'Done' AND attempts = 1 AND done_at IS NOT NULL",
            "SELECT COUNT(*) FROM apalis.jobs WHERE status NOT IN ('Done', 'Pending')",
        )
    } else {
        (
            "SELECT COUNT(*) FROM Jobs WHERE status = 'Done' AND attempts = 1 AND done_at IS NOT NULL",
            "SELECT COUNT(*) FROM Jobs WHERE status NOT IN ('Done', 'Pending')",
        )
    };
    assert_eq!(count(db, done).await, 3);
    assert_eq!(count(db, claimed).await, 0);
    let url = stories::watch::DatabaseUrl::parse(db).unwrap_or_else(|e| panic!("{e}"));
    let queue = stories::watch::Queue::open(&url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // A day's grace keeps today's jobs.
    let kept = queue.trim(stories::watch::queue::KEEP_DONE).await;
    assert_eq!(kept, Ok(0));
    assert_eq!(queue.trim(Duration::ZERO).await, Ok(3));
    assert_eq!(queue.trim(Duration::ZERO).await, Ok(0));
    // The three successors are still queued: their accounts are polled when due.
    let list = ok(watch(&server, db, &["list", "--format", "json"])).await;
    let listed: Value = serde_json::from_slice(&list.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(listed.as_array().map(Vec::len), Some(3), "{listed}");
    let pending = if db.starts_with("postgres") {
        count(
            db,
            "SELECT COUNT(*) FROM apalis.jobs WHERE status = 'Pending'",
        )
        .await
    } else {
        count(db, "SELECT COUNT(*) FROM Jobs WHERE status = 'Pending'").await
    };
    assert_eq!(pending, 3);
}

on_both_engines!(
    completed_jobs_are_trimmed_on_sqlite,
    completed_jobs_are_trimmed_on_postgres,
    completed_jobs_are_trimmed
);

/// The one number `sql` selects from the archive `db`, read behind the CLI's back.
async fn count(db: &str, sql: &'static str) -> i64 {
    use sqlx::Connection;
    if db.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut c).await
    } else {
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{db}"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut c).await
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Runs one statement on the archive.
async fn execute(db: &str, sql: &'static str) {
    use sqlx::Connection;
    if db.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        sqlx::query(sql).execute(&mut c).await.map(|_| ())
    } else {
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{db}"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        sqlx::query(sql).execute(&mut c).await.map(|_| ())
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// `watch run` until nothing is due, each account due again a second after its poll.
fn until_idle_polling_every_second(media_dir: &str) -> [&str; 8] {
    [
        "run",
        "--until-idle",
        "--max-gap",
        "1",
        "--min-gap",
        "1",
        "--media-dir",
        media_dir,
    ]
}

/// The JSON line a successful `watch run` prints.
async fn summary(cmd: Command) -> Value {
    serde_json::from_slice(&ok(cmd).await.stdout).unwrap_or_else(|e| panic!("{e}"))
}

/// What a run killed in the middle of a download leaves (the story's row without its media
/// row, a temporary file in the account's folder) is swept by the account's next poll, which
/// fetches the file again complete.
async fn a_killed_downloads_temporary_file_is_swept(db: &str, media: &Path) {
    let server = live_mock(3600, 86_400).await;
    ok(watch(&server, db, &["add", "ana"])).await;
    let media_dir = media.to_string_lossy().into_owned();
    let run = until_idle_polling_every_second(&media_dir);
    ok(watch(&server, db, &run)).await;
    let archive = exported(&server, db).await;
    let path = archive[0]["archive"]["media"][0]["path"]
        .as_str()
        .unwrap_or_else(|| panic!("no media: {archive:?}"))
        .to_owned();
    // As a run killed between the story's commit and its media row leaves it: the story's own
    // transaction marked the account as owing media, and no poll has cleared that since.
    execute(db, "DELETE FROM media").await;
    execute(db, "UPDATE watched SET media_pending = 1").await;
    let file = media.join(&path);
    std::fs::remove_file(&file).unwrap_or_else(|e| panic!("{e}"));
    let part = file.parent().unwrap_or(media).join(".stories-a1b2c3.part");
    std::fs::write(&part, b"the first half of a file").unwrap_or_else(|e| panic!("{e}"));
    // The account's next poll is due a second later.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    ok(watch(&server, db, &run)).await;
    assert!(!part.exists(), "{} was left", part.display());
    assert!(file.exists(), "{} was not fetched again", file.display());
    assert_consistent(&exported(&server, db).await, &server.ledger(), media);
}

on_both_engines!(
    a_killed_downloads_temporary_file_is_swept_on_sqlite,
    a_killed_downloads_temporary_file_is_swept_on_postgres,
    a_killed_downloads_temporary_file_is_swept
);

/// A download that fails (the media server stalls past the request timeout) leaves its story
/// owed: the account's next poll finds nothing new, yet fetches the file, complete. Quiet
/// polls skip the look for stories without media only when none is owed.
async fn a_failed_download_is_fetched_by_the_next_quiet_poll(db: &str, media: &Path) {
    let server = live_mock(3600, 86_400).await;
    ok(watch(&server, db, &["add", "ana"])).await;
    let media_dir = media.to_string_lossy().into_owned();
    let mut run = vec!["--timeout-secs", "1"];
    run.extend(until_idle_polling_every_second(&media_dir));
    server.stall_media(true);
    let first = summary(watch(&server, db, &run)).await;
    server.stall_media(false);
    assert_eq!(
        (
            &first["new_stories"],
            &first["media_saved"],
            &first["media_failed"]
        ),
        (&Value::from(1), &Value::from(0), &Value::from(1)),
        "{first}"
    );
    assert_eq!(count(db, "SELECT COUNT(*) FROM media").await, 0);
    // The account's next poll is due a second later.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let second = summary(watch(&server, db, &run)).await;
    assert_eq!(
        (
            &second["new_stories"],
            &second["media_saved"],
            &second["media_failed"]
        ),
        (&Value::from(0), &Value::from(1), &Value::from(0)),
        "{second}"
    );
    assert_consistent(&exported(&server, db).await, &server.ledger(), media);
    // Owed nothing now: the flag that lets quiet polls skip the look is clear.
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM watched WHERE media_pending = 0").await,
        1
    );
}

on_both_engines!(
    a_failed_download_is_fetched_by_the_next_quiet_poll_on_sqlite,
    a_failed_download_is_fetched_by_the_next_quiet_poll_on_postgres,
    a_failed_download_is_fetched_by_the_next_quiet_poll
);

/// A vendor's raw response is kept with the stories first seen in it: polls that find only
/// stories already archived add no copy of it (one account polled every second here, every
/// 15 minutes in use, has the same answer each time).
async fn raw_responses_kept_once(db: &str, media: &Path) {
    let server = live_mock(3600, 86_400).await;
    ok(watch(&server, db, &["add", "ana", "ben"])).await;
    let media_dir = media.to_string_lossy().into_owned();
    let run = [
        "run",
        "--max-gap",
        "1",
        "--min-gap",
        "1",
        "--for",
        "4",
        "--media-dir",
        &media_dir,
    ];
    let summary = summary(watch(&server, db, &run)).await;
    let polls = summary["polls"].as_i64().unwrap_or_default();
    assert!(polls >= 4, "each account polled more than once: {summary}");
    let stories = count(db, "SELECT COUNT(*) FROM stories").await;
    assert_eq!(stories, 2, "one story each, posted before the run");
    assert_eq!(count(db, "SELECT COUNT(*) FROM polls").await, polls);
    assert_eq!(count(db, "SELECT COUNT(*) FROM responses").await, 2);
    // Each story points at the response of its own account it was first seen in.
    let linked = count(
        db,
        "SELECT COUNT(*) FROM stories s JOIN responses r ON r.id = s.response_id AND r.account = s.account",
    )
    .await;
    assert_eq!(linked, stories);
}

on_both_engines!(
    raw_responses_are_kept_once_per_sighting_on_sqlite,
    raw_responses_are_kept_once_per_sighting_on_postgres,
    raw_responses_kept_once
);

/// The job table's planner statistics follow its growth: apalis's set-up takes the first
/// ones when an archive holds the jobs of a first `watch add`, and a claim planned on those
/// scans every job once the table is large. A worker refreshes them as it starts.
#[tokio::test(flavor = "multi_thread")]
async fn a_worker_refreshes_the_job_statistics_a_first_add_left() {
    let _serial = SERIAL.lock().await;
    let server = live_mock(3600, 86_400).await;
    let dir = tempdir();
    let db = dir.path().join("archive.db").to_string_lossy().into_owned();
    let media = dir.path().join("media").to_string_lossy().into_owned();
    const ROWS: &str =
        "SELECT CAST(stat AS INTEGER) FROM sqlite_stat1 WHERE idx = 'idx_jobs_idempotency_key'";
    ok(watch(&server, &db, &["add", "ana"])).await;
    let more: Vec<String> = (0..40).map(|i| format!("grown.account{i}")).collect();
    let mut add = vec!["add"];
    add.extend(more.iter().map(String::as_str));
    ok(watch(&server, &db, &add)).await;
    assert_eq!(
        count(&db, ROWS).await,
        1,
        "statistics of the first add's one job"
    );
    let run = ["run", "--until-idle", "--media-dir", &media];
    ok(watch(&server, &db, &run)).await;
    let rows = count(&db, ROWS).await;
    assert!(
        rows >= 41,
        "statistics of at least the 41 jobs queued: {rows}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_serves_prometheus_metrics_without_secrets() {
    let _serial = SERIAL.lock().await;
    let server = live_mock(1, 30).await;
    let dir = tempdir();
    let db = dir.path().join("archive.db").to_string_lossy().into_owned();
    let media = dir.path().join("media").to_string_lossy().into_owned();
    ok(watch(&server, &db, &["add", "yan", "zoe"])).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = format!("127.0.0.1:{port}");
    let mut cmd = watch(
        &server,
        &db,
        &[
            "run",
            "--max-gap",
            "1",
            "--min-gap",
            "1",
            "--for",
            "4",
            "--media-dir",
            &media,
            "--metrics-addr",
            &addr,
        ],
    );
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    let child = cmd.spawn().unwrap_or_else(|e| panic!("{e}"));
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let metrics = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .and_then(reqwest::Response::error_for_status)
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    for name in [
        "stories_watch_polls_total{outcome=\"found\"}",
        "stories_watch_stories_total",
        "stories_watch_media_saved_total",
        "stories_watch_credits_total{vendor=\"keyapi\"}",
        "stories_watch_poll_lateness_seconds",
    ] {
        assert!(metrics.contains(name), "no {name} in\n{metrics}");
    }
    assert!(!metrics.contains(stories::mock::MOCK_KEY), "{metrics}");
    // A taken address is refused before anything runs.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let taken = taken
        .local_addr()
        .unwrap_or_else(|e| panic!("{e}"))
        .to_string();
    let out = output(watch(
        &server,
        &db,
        &[
            "run",
            "--for",
            "1",
            "--media-dir",
            &media,
            "--metrics-addr",
            &taken,
        ],
    ))
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--metrics-addr"));
}

/// The `pg_ctlcluster` version and name of the cluster `PGPORT` names.
fn cluster() -> Option<(String, String)> {
    let port = std::env::var("PGPORT").ok()?;
    let out = Command::new("pg_lsclusters")
        .arg("--no-header")
        .output()
        .ok()?;
    text(&out.stdout).lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        (fields.get(2) == Some(&port.as_str()))
            .then(|| (fields[0].to_owned(), fields[1].to_owned()))
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn workers_carry_on_when_postgres_restarts() {
    let _serial = SERIAL.lock().await;
    let Some(url) = postgres("restart").await else {
        return postgres_absent("workers_carry_on_when_postgres_restarts");
    };
    let (version, name) = cluster().unwrap_or_else(|| panic!("PGPORT names no local cluster"));
    let server = live_mock(1, 4).await;
    let dir = tempdir();
    let media = dir.path().join("media");
    let media_dir = media.to_string_lossy().into_owned();
    ok(watch(&server, &url, &["add", "abe", "bea", "cal"])).await;
    let mut cmd = watch(
        &server,
        &url,
        &[
            "run",
            "--max-gap",
            "2",
            "--min-gap",
            "1",
            "--for",
            "18",
            "--media-dir",
            &media_dir,
        ],
    );
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = cmd.spawn().unwrap_or_else(|e| panic!("{e}"));
    tokio::time::sleep(Duration::from_secs(3)).await;
    let restarted = Command::new("pg_ctlcluster")
        .args([&version, &name, "restart"])
        .output()
        .unwrap_or_else(|e| panic!("pg_ctlcluster: {e}"));
    assert!(restarted.status.success(), "{}", text(&restarted.stderr));
    let back = chrono::Utc::now();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("{e}"));
    let ended = chrono::Utc::now();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let archive = exported(&server, &url).await;
    let ledger = server.ledger();
    assert_consistent(&archive, &ledger, &media);
    // Stories posted once the server was back (a reconnect takes a few seconds: the lost
    // worker's jobs wait for its heartbeat to lapse) were archived.
    let archived: BTreeSet<&str> = archive.iter().filter_map(|s| s["id"].as_str()).collect();
    let after: Vec<&Posted> = ledger
        .iter()
        .filter(|p| p.taken_at >= back + chrono::TimeDelta::seconds(6) && p.expires_at <= ended)
        .collect();
    assert!(!after.is_empty(), "the run was too short to tell");
    for p in after {
        assert!(
            archived.contains(p.id.as_str()),
            "missed after the restart: {p:?}"
        );
    }
}

/// A media folder that fills up: the worker stops with a clear error, leaves no partial file
/// (under a final name or as a temporary one), and records only the files that are complete.
/// The folder is a 200 KiB tmpfs mounted in a mount namespace of the worker's own
/// (`unshare`), so the check of what is on it runs there too.
#[tokio::test(flavor = "multi_thread")]
async fn a_full_media_disk_is_a_clear_error_and_leaves_no_partial_file() {
    let _serial = SERIAL.lock().await;
    let server = live_mock(1, 60).await;
    let dir = tempdir();
    let db = dir.path().join("archive.db").to_string_lossy().into_owned();
    let media = dir.path().join("media");
    std::fs::create_dir_all(&media).unwrap_or_else(|e| panic!("{e}"));
    ok(watch(
        &server,
        &db,
        &["add", "dan", "ela", "fay", "gus", "hal"],
    ))
    .await;
    let script = format!(
        "mount -t tmpfs -o size=200k tmpfs {media} || exit 97; \"$0\" \"$@\"; status=$?; find {media} -type f -printf '%P %s\\n'; exit $status",
        media = media.display()
    );
    let cmd = watch(
        &server,
        &db,
        &[
            "run",
            "--max-gap",
            "1",
            "--min-gap",
            "1",
            "--for",
            "8",
            "--media-dir",
            &media.to_string_lossy(),
        ],
    );
    let program = cmd.get_program().to_owned();
    let args: Vec<_> = cmd.get_args().map(ToOwned::to_owned).collect();
    let envs: Vec<_> = cmd
        .get_envs()
        .map(|(k, v)| (k.to_owned(), v.map(ToOwned::to_owned)))
        .collect();
    let mut inside = Command::new("unshare");
    inside
        .args(["--map-root-user", "--mount", "sh", "-c", &script])
        .arg(program)
        .args(args);
    for (k, v) in envs {
        match v {
            Some(v) => inside.env(k, v),
            None => inside.env_remove(k),
        };
    }
    let out = output(inside).await;
    let stderr = text(&out.stderr);
    assert_ne!(
        out.status.code(),
        Some(97),
        "cannot mount a tmpfs here: {stderr}"
    );
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    // What stood on the full disk: complete files only, each recorded with its size.
    let on_disk: BTreeMap<String, u64> = text(&out.stdout)
        .lines()
        .filter_map(|l| l.rsplit_once(' '))
        .map(|(path, size)| (path.to_owned(), size.parse().unwrap_or(0)))
        .collect();
    assert!(!on_disk.is_empty(), "nothing fitted: {stderr}");
    assert!(on_disk.keys().all(|p| !p.ends_with(".part")), "{on_disk:?}");
    let archive = exported(&server, &db).await;
    let recorded: BTreeMap<String, u64> = archive
        .iter()
        .flat_map(|s| {
            s["archive"]["media"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|m| {
            (
                m["path"].as_str().unwrap_or_default().to_owned(),
                m["bytes"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(on_disk, recorded);
    assert!(
        on_disk
            .values()
            .all(|&b| b == stories::mock::MEDIA_BYTES as u64)
    );
}

/// Accounts added with `--highlights` have their highlights read every `--highlights-every`:
/// each highlight once, its items archived once with their media, and linked to it in the
/// export; accounts added without it have none.
async fn highlights_archived(db: &str, media: &Path) {
    let server = live_mock(1, 30).await;
    ok(watch(&server, db, &["add", "--highlights", "ada"])).await;
    ok(watch(&server, db, &["add", "bo"])).await;
    let media_dir = media.to_string_lossy().into_owned();
    ok(watch(
        &server,
        db,
        &[
            "run",
            "--max-gap",
            "1",
            "--min-gap",
            "1",
            "--highlights-every",
            "1",
            "--for",
            "4",
            "--media-dir",
            &media_dir,
        ],
    ))
    .await;
    let status = ok(watch(&server, db, &["status", "--format", "json"])).await;
    let status: Value = serde_json::from_slice(&status.stdout).unwrap_or_default();
    assert!(status["highlights"].as_u64() >= Some(1), "{status}");
    let archive = exported(&server, db).await;
    let ledger: BTreeSet<String> = server.ledger().into_iter().map(|p| p.id).collect();
    let (kept, live): (Vec<&Value>, Vec<&Value>) = archive.iter().partition(|s| {
        s["archive"]["highlights"]
            .as_array()
            .is_some_and(|h| !h.is_empty())
    });
    assert!(!kept.is_empty(), "no highlight item archived");
    let mut ids = BTreeSet::new();
    for story in &archive {
        let id = story["id"].as_str().unwrap_or_default();
        assert!(ids.insert(id), "story {id} archived twice");
        let files = story["archive"]["media"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(files.len(), 1, "story {id}: {files:?}");
        let path = media.join(files[0]["path"].as_str().unwrap_or_default());
        assert_eq!(
            Some(sha256(&path).as_str()),
            files[0]["sha256"].as_str(),
            "{}",
            path.display()
        );
    }
    for story in kept {
        assert_eq!(story["archive"]["account"], "ada");
    }
    for story in live {
        assert!(
            ledger.contains(story["id"].as_str().unwrap_or_default()),
            "{story}"
        );
    }
}

on_both_engines!(
    highlights_are_archived_once_with_their_items_on_sqlite,
    highlights_are_archived_once_with_their_items_on_postgres,
    highlights_archived
);

/// A run that ends while another process holds the archive's write lock (a second worker on
/// the same file, a `watch add`) ends cleanly once the lock is let go: every poll in flight
/// commits. apalis stops driving its claims once told to stop, so a worker that told it while
/// a claim waited for the lock left that claim holding the queue's connection, and its polls
/// failed after the pool's 30 s timeout. Where the lock falls against the run's end varies by
/// round.
#[tokio::test(flavor = "multi_thread")]
async fn a_run_ending_under_another_processs_write_lock_finishes_its_polls() {
    use sqlx::Connection;
    let _serial = SERIAL.lock().await;
    let server = live_mock(1, 86_400).await;
    for (round, lock_at_ms) in [1700_u64, 2000, 2300, 2600, 2900].into_iter().enumerate() {
        let dir = tempdir();
        let db = dir.path().join("archive.db").to_string_lossy().into_owned();
        let media = dir.path().join("media").to_string_lossy().into_owned();
        ok(watch(&server, &db, &["add", "ana", "ben", "cleo"])).await;
        let run = watch(
            &server,
            &db,
            &[
                "run",
                "--for",
                "3",
                "--max-gap",
                "2",
                "--min-gap",
                "1",
                "--media-dir",
                &media,
            ],
        );
        let locker = async {
            tokio::time::sleep(Duration::from_millis(lock_at_ms)).await;
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{db}"))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut c)
                .await
                .unwrap_or_else(|e| panic!("round {round}: BEGIN IMMEDIATE: {e}"));
            tokio::time::sleep(Duration::from_millis(2000)).await;
            sqlx::query("ROLLBACK")
                .execute(&mut c)
                .await
                .unwrap_or_else(|e| panic!("round {round}: ROLLBACK: {e}"));
        };
        let (out, ()) = tokio::join!(output(run), locker);
        let stderr = text(&out.stderr);
        assert!(
            out.status.success(),
            "round {round}: exit {:?}\n{stderr}",
            out.status.code()
        );
        assert!(
            !stderr.contains("poll job failed") && !stderr.contains("still in flight"),
            "round {round} (lock at {lock_at_ms} ms):\n{stderr}"
        );
        let summary: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("round {round}: {e}: {}", text(&out.stdout)));
        assert!(
            summary["polls"].as_u64() >= Some(3),
            "round {round}: {summary}"
        );
    }
}
