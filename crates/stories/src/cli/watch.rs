//! `stories watch`: the archive's commands. Every setting — the database URL, the media
//! folder, each account — is checked before anything runs; a bad one is exit 2 naming where
//! it was given, and a database password never appears in a message.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::Duration;

use stories::UnifiedClient;
use stories::watch::export::{ExportFilter, ExportFormat};
use stories::watch::{Database, DatabaseUrl, PollJob, Queue, RunOptions, Schedule, Worker};

use super::args::{Accounts, Cli, ListFormat, RunArgs, WatchArgs, WatchCommand};
use super::{settings, usage_error};

pub async fn run(cli: &Cli, args: &WatchArgs) -> ExitCode {
    let url = match database_url(args.database.as_deref()) {
        Ok(u) => u,
        Err(e) => return usage_error(e),
    };
    // Accounts are checked before the database is opened: a typo changes nothing.
    let accounts = match &args.command {
        WatchCommand::Add { accounts, .. } | WatchCommand::Remove { accounts } => {
            match read_accounts(accounts) {
                Ok(a) => a,
                Err(e) => return usage_error(e),
            }
        }
        _ => Vec::new(),
    };
    if let WatchCommand::Run(run) = &args.command
        && let Err(e) = check_run(run, &url)
    {
        return usage_error(e);
    }
    let db = match Database::open(&url).await {
        Ok(db) => db,
        Err(e) => return usage_error(e),
    };
    let code = match &args.command {
        WatchCommand::Add { highlights, .. } => add(&db, &url, &accounts, *highlights).await,
        WatchCommand::Remove { .. } => remove(&db, &accounts).await,
        WatchCommand::List { format } => list(&db, *format).await,
        WatchCommand::Run(run) => work(cli, &db, run).await,
        WatchCommand::Status { format } => status(&db, *format).await,
        WatchCommand::Budget {
            vendor,
            rate,
            daily_credits,
        } => budget(&db, vendor.as_deref(), *rate, *daily_credits).await,
        WatchCommand::Export {
            format,
            account,
            since,
        } => export(&db, *format, account.as_deref(), since.as_deref()).await,
    };
    db.close().await;
    code
}

/// `--database`, else `STORIES_DATABASE_URL`, else the default file.
fn database_url(flag: Option<&str>) -> Result<DatabaseUrl, String> {
    let (given, origin) = match flag {
        Some(f) => (Some(f.to_owned()), "--database"),
        None => (
            std::env::var("STORIES_DATABASE_URL")
                .ok()
                .filter(|v| !v.trim().is_empty()),
            "STORIES_DATABASE_URL",
        ),
    };
    match given {
        Some(text) => DatabaseUrl::parse(text.trim()).map_err(|e| format!("{origin}: {e}")),
        None => stories::watch::default_database()
            .map(|p| DatabaseUrl::sqlite(&p))
            .ok_or_else(|| {
                "this platform has no data folder; give --database or STORIES_DATABASE_URL".into()
            }),
    }
}

/// The accounts of `watch add`/`remove`, every one checked (a bad batch line names its line).
fn read_accounts(accounts: &Accounts) -> Result<Vec<String>, String> {
    let mut lines: Vec<(String, String)> = accounts
        .accounts
        .iter()
        .map(|a| ("account".to_owned(), a.clone()))
        .collect();
    if let Some(path) = &accounts.batch {
        let (name, reader): (String, Box<dyn BufRead>) = if path.as_os_str() == "-" {
            ("standard input".into(), Box::new(std::io::stdin().lock()))
        } else {
            let file = std::fs::File::open(path)
                .map_err(|e| format!("--batch {}: {e}", path.display()))?;
            (
                path.display().to_string(),
                Box::new(std::io::BufReader::new(file)),
            )
        };
        for (n, line) in reader.lines().enumerate() {
            let line = line.map_err(|e| format!("{name}:{}: {e}", n + 1))?;
            if let Some(input) = super::inputs::meaningful(&line) {
                lines.push((format!("{name}:{}", n + 1), input.to_owned()));
            }
        }
    }
    if lines.is_empty() {
        return Err("give accounts (usernames, ids or profile URLs), or --batch FILE".into());
    }
    lines
        .into_iter()
        .map(|(origin, input)| {
            // The reason quotes at most 80 characters of the input (`InvalidInput`).
            stories::watch::account_name(&input).map_err(|e| format!("{origin}: {e}"))
        })
        .collect()
}

async fn add(db: &Database, url: &DatabaseUrl, accounts: &[String], highlights: bool) -> ExitCode {
    let queue = match Queue::open(url).await {
        Ok(q) => q,
        Err(e) => return failure(e),
    };
    let before: std::collections::BTreeSet<String> = match db.watched().await {
        Ok(w) => w.into_iter().map(|w| w.account).collect(),
        Err(e) => return failure(e),
    };
    let initial = Schedule::default().initial();
    if let Err(e) = db
        .add_many(accounts, highlights, initial, stories::watch::db::now())
        .await
    {
        return failure(e);
    }
    // Each account's first poll, due at once (a no-op where its chain already exists).
    let mut first = Vec::new();
    for account in accounts {
        match db.watched_one(account).await {
            Ok(Some(w)) => first.push(PollJob::first(account, w.added_at)),
            Ok(None) => {}
            Err(e) => return failure(e),
        }
    }
    if let Err(e) = queue.push_many(&first, Duration::ZERO).await {
        return failure(format!("database {url}: job queue: {e}"));
    }
    for account in accounts {
        if before.contains(account) {
            say!("already watching {account}");
        } else {
            say!("watching {account}");
        }
    }
    ExitCode::SUCCESS
}

async fn remove(db: &Database, accounts: &[String]) -> ExitCode {
    let mut all = true;
    for account in accounts {
        match db.remove(account).await {
            Ok(true) => say!("no longer watching {account} (its archive stays)"),
            Ok(false) => {
                say!("not watching {account}");
                all = false;
            }
            Err(e) => return failure(e),
        }
    }
    if all {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn time(secs: Option<i64>) -> String {
    secs.and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map_or_else(
            || "-".to_owned(),
            |t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        )
}

async fn list(db: &Database, format: ListFormat) -> ExitCode {
    let watched = match db.watched().await {
        Ok(w) => w,
        Err(e) => return failure(e),
    };
    match format {
        ListFormat::Json => super::print(
            format!(
                "{}\n",
                serde_json::to_string_pretty(&watched).unwrap_or_default()
            )
            .as_bytes(),
        ),
        ListFormat::Table => {
            let mut table = comfy_table::Table::new();
            table.load_preset(comfy_table::presets::NOTHING);
            table.set_header([
                "account",
                "highlights",
                "last poll",
                "next poll",
                "last outcome",
            ]);
            for w in &watched {
                table.add_row([
                    w.account.clone(),
                    if w.highlights { "yes" } else { "no" }.to_owned(),
                    time(w.last_poll_at),
                    time(Some(w.next_poll_at)),
                    w.last_outcome.clone().unwrap_or_else(|| "-".into()),
                ]);
            }
            super::print(format!("{table}\n").as_bytes())
        }
    }
}

/// The media folder: `--media-dir`, else `media/` beside a SQLite file, else the data folder's.
fn media_dir(run: &RunArgs, url: &DatabaseUrl) -> Option<PathBuf> {
    if let Some(dir) = &run.media_dir {
        return Some(dir.clone());
    }
    match url.file.as_deref().and_then(Path::parent) {
        Some(parent) if !parent.as_os_str().is_empty() => Some(parent.join("media")),
        Some(_) => Some(PathBuf::from("media")),
        None => stories::watch::default_data_dir().map(|d| d.join("media")),
    }
}

fn check_run(run: &RunArgs, url: &DatabaseUrl) -> Result<(), String> {
    if run.min_gap > run.max_gap {
        return Err(format!(
            "--min-gap {} is longer than --max-gap {}",
            run.min_gap, run.max_gap
        ));
    }
    let dir = media_dir(run, url).ok_or("this platform has no data folder; give --media-dir")?;
    stories::watch::media::check_writable(&dir).map_err(|e| format!("--media-dir: {e}"))
}

async fn work(cli: &Cli, db: &Database, run: &RunArgs) -> ExitCode {
    let config = match settings::load(cli) {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    if config.vendors.is_empty() {
        return usage_error(stories::ClientError::no_vendors());
    }
    let media_http = match config.http_options().and_then(|o| o.media_client()) {
        Ok(h) => h,
        Err(e) => return usage_error(e),
    };
    let client = match UnifiedClient::new(config) {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    let Some(media_dir) = media_dir(run, &db.url) else {
        return usage_error("give --media-dir");
    };
    let options = RunOptions {
        schedule: Schedule {
            min_gap: Duration::from_secs(run.min_gap),
            max_gap: Duration::from_secs(run.max_gap),
        },
        media_dir: media_dir.clone(),
        concurrency: usize::from(run.concurrency),
        run_for: run.run_for.map(Duration::from_secs),
        until_idle: run.until_idle,
        highlights_every: Duration::from_secs(run.highlights_every),
    };
    let queue = match Queue::open(&db.url).await {
        Ok(q) => q,
        Err(e) => return usage_error(e),
    };
    if let Some(addr) = run.metrics_addr {
        let installed = metrics_exporter_prometheus::PrometheusBuilder::new()
            .with_http_listener(addr)
            .install();
        if let Err(e) = installed {
            return usage_error(format!("--metrics-addr {addr}: {e}"));
        }
    }
    let worker = Worker::new(db.clone(), client, media_http, queue, options);
    let stop = worker.stop_flag();
    tokio::spawn(async move {
        super::shutdown_signal().await;
        say!("stopping: finishing the polls in flight");
        stop.store(true, Ordering::Relaxed);
    });
    say!(
        "archiving into {} (media in {}); Ctrl-C stops after the polls in flight",
        db.url,
        media_dir.display()
    );
    let reporter = tokio::spawn(report_progress(worker.progress()));
    let ran = worker.run().await;
    reporter.abort();
    let _ = reporter.await;
    match ran {
        Ok(summary) => {
            let line = serde_json::to_string(&summary).unwrap_or_default();
            super::print(format!("{line}\n").as_bytes())
        }
        Err(e) => failure(e),
    }
}

/// A spinner line on a terminal; elsewhere a plain line every 30 s, for logs.
async fn report_progress(progress: stories::watch::worker::Progress) {
    let line = |p: &stories::watch::worker::Progress| {
        let (s, in_flight) = p.now();
        format!(
            "{} polls ({in_flight} in flight), {} new stories, {} media saved, {} failed, {} missed",
            s.polls, s.new_stories, s.media_saved, s.media_failed, s.missed
        )
    };
    if super::stderr_is_terminal() {
        let bar = indicatif::ProgressBar::new_spinner();
        let _guard = ClearOnDrop(bar.clone());
        loop {
            bar.set_message(line(&progress));
            bar.tick();
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    } else {
        loop {
            tokio::time::sleep(Duration::from_secs(30)).await;
            say!("watch: {}", line(&progress));
        }
    }
}

/// Clears the spinner when the reporter is stopped.
struct ClearOnDrop(indicatif::ProgressBar);

impl Drop for ClearOnDrop {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

async fn status(db: &Database, format: ListFormat) -> ExitCode {
    let status = match db.status().await {
        Ok(s) => s,
        Err(e) => return failure(e),
    };
    match format {
        ListFormat::Json => super::print(
            format!(
                "{}\n",
                serde_json::to_string_pretty(&status).unwrap_or_default()
            )
            .as_bytes(),
        ),
        ListFormat::Table => {
            let mut out = format!(
                "archive {}: {} stories, {} highlights, {} missed\n\n",
                status.database, status.stories, status.highlights, status.missed
            );
            let mut table = comfy_table::Table::new();
            table.load_preset(comfy_table::presets::NOTHING);
            table.set_header([
                "account",
                "stories",
                "media",
                "missed",
                "last poll",
                "next poll",
                "last outcome",
            ]);
            for a in &status.accounts {
                table.add_row([
                    a.watched.account.clone(),
                    a.stories.to_string(),
                    a.media.to_string(),
                    a.watched.missed.to_string(),
                    time(a.watched.last_poll_at),
                    time(Some(a.watched.next_poll_at)),
                    a.watched.last_outcome.clone().unwrap_or_else(|| "-".into()),
                ]);
            }
            out.push_str(&format!("{table}\n\n"));
            for v in &status.vendors {
                out.push_str(&format!(
                    "{}: {} requests, {} credits\n",
                    v.vendor, v.requests, v.credits_used
                ));
            }
            out.push_str(&format!("{} live worker(s)\n", status.workers.len()));
            for w in &status.workers {
                out.push_str(&format!(
                    "  {} (pid {} on {}), seen {}\n",
                    w.id,
                    w.pid,
                    w.host,
                    time(Some(w.last_seen))
                ));
            }
            super::print(out.as_bytes())
        }
    }
}

async fn export(
    db: &Database,
    format: super::args::ExportFormat,
    account: Option<&str>,
    since: Option<&str>,
) -> ExitCode {
    let since = match since.map(parse_time).transpose() {
        Ok(s) => s,
        Err(e) => return usage_error(format!("--since: {e}")),
    };
    let account = match account.map(stories::watch::account_name).transpose() {
        Ok(a) => a,
        Err(e) => return usage_error(format!("--account: {e}")),
    };
    let filter = ExportFilter { account, since };
    let format = match format {
        super::args::ExportFormat::Jsonl => ExportFormat::Jsonl,
        super::args::ExportFormat::Csv => ExportFormat::Csv,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    match db.export(&filter, format, &mut out).await {
        Ok(_) => ExitCode::SUCCESS,
        Err(stories::watch::WatchError::Client(m)) if m.contains("Broken pipe") => {
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = out.flush();
            failure(e)
        }
    }
}

async fn budget(
    db: &Database,
    vendor: Option<&str>,
    rate: Option<u32>,
    daily_credits: Option<u64>,
) -> ExitCode {
    use stories::watch::budget::Budget;
    if let Some(vendor) = vendor {
        let current = match db.budgets().await {
            Ok(all) => all.into_iter().find(|b| b.vendor == vendor),
            Err(e) => return failure(e),
        };
        let mut budget = current.unwrap_or(Budget {
            vendor: vendor.to_owned(),
            ..Budget::default()
        });
        if let Some(r) = rate {
            budget.requests_per_sec = (r > 0).then_some(i64::from(r));
        }
        if let Some(c) = daily_credits {
            budget.credits_per_day = (c > 0).then(|| i64::try_from(c).unwrap_or(i64::MAX));
        }
        if let Err(e) = db.set_budget(&budget).await {
            return failure(e);
        }
    }
    let budgets = match db.budgets().await {
        Ok(b) => b,
        Err(e) => return failure(e),
    };
    let limit = |v: Option<i64>, unit: &str| {
        v.map_or_else(|| "no limit".to_owned(), |n| format!("{n} {unit}"))
    };
    let mut out = String::new();
    for b in &budgets {
        out.push_str(&format!(
            "{}: {}, {}\n",
            b.vendor,
            limit(b.requests_per_sec, "requests/s"),
            limit(b.credits_per_day, "credits/day")
        ));
    }
    if budgets.is_empty() {
        out.push_str(
            "no vendor budgets (set one: stories watch budget VENDOR --rate N --daily-credits N)\n",
        );
    }
    super::print(out.as_bytes())
}

/// RFC 3339 or Unix seconds.
fn parse_time(text: &str) -> Result<i64, String> {
    if let Ok(secs) = text.trim().parse::<i64>() {
        return Ok(secs);
    }
    domain::from_iso(text.trim())
        .map(|t| t.timestamp())
        .ok_or_else(|| {
            format!(
                "`{}` is neither RFC 3339 (2026-12-01T00:00:00Z) nor Unix seconds",
                super::inputs::shown(text)
            )
        })
}

fn failure(e: impl std::fmt::Display) -> ExitCode {
    say!("error: {e}");
    ExitCode::FAILURE
}
