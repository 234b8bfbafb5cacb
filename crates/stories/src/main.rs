//! `stories`: Instagram stories and highlights from any configured vendor, normalized.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use domain::{Answer, Outcome, RawResponse, Story};
use futures::StreamExt;
use serde_json::json;
use stories::{Answered, Config, Query, UnifiedClient, User};

#[derive(Parser)]
#[command(
    name = "stories",
    version,
    about = "Instagram stories and highlights from any vendor, normalized"
)]
struct Cli {
    /// Log every vendor attempt, retry and failover to standard error (`RUST_LOG` overrides).
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Json,
    Ndjson,
    Table,
}

#[derive(clap::Args)]
struct Ask {
    /// A username, user id, highlight id or URL; omit with --batch.
    input: Option<String>,
    /// Only ask this vendor.
    #[arg(long)]
    vendor: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Download the best rendition of every story into this folder.
    #[arg(long)]
    download: Option<PathBuf>,
    /// A file with one input per line (`#` starts a comment); every input gets a result line.
    #[arg(long)]
    batch: Option<PathBuf>,
    /// How many inputs, and how many downloads, run at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
}

#[derive(Subcommand)]
enum Command {
    /// The active stories of an account (username or numeric id).
    UserStories(Ask),
    /// The highlights of an account (username or numeric id).
    Highlights(Ask),
    /// The items of a highlight (id or URL).
    Highlight(Ask),
    /// One story (media id or story URL).
    Story(Ask),
    /// Normalize a saved raw vendor response (a file, or standard input) and print the domain JSON.
    Normalize {
        /// The vendor that answered (hikerapi, keyapi, konbiniapi, sociavault).
        #[arg(long)]
        vendor: String,
        /// The vendor operation's id, as in generated/<vendor>-client/openapi.json.
        #[arg(long)]
        operation: String,
        /// The HTTP status the response came with.
        #[arg(long, default_value_t = 200)]
        status: u16,
        /// Also compare the body with the vendor's documented shape and report the drift
        /// (`-v` and `--strict` do too).
        #[arg(long)]
        drift: bool,
        /// Fail (exit 1) when the response departs from the documented shape in any way.
        #[arg(long)]
        strict: bool,
        /// The saved response body; `-` or nothing reads standard input.
        file: Option<PathBuf>,
    },
    /// Serve every vendor's documented responses on loopback, for trying the CLI without keys.
    Mock {
        #[arg(long, default_value_t = 8787)]
        port: u16,
        /// Inject a fault into a vendor's responses: VENDOR=429|500|402|truncated|wrong-content-type|drift.
        #[arg(long, value_name = "VENDOR=FAULT")]
        fault: Vec<String>,
        /// Delay every response.
        #[arg(long, default_value_t = 0)]
        latency_ms: u64,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let default_level = if cli.verbose {
        "stories=debug"
    } else {
        "stories=warn"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    match cli.command {
        Command::UserStories(ask) => {
            run(ask, |input| Ok(Query::UserStories(User::parse(input)))).await
        }
        Command::Highlights(ask) => {
            run(ask, |input| Ok(Query::UserHighlights(User::parse(input)))).await
        }
        Command::Highlight(ask) => run(ask, Query::highlight).await,
        Command::Story(ask) => run(ask, Query::story).await,
        Command::Normalize {
            vendor,
            operation,
            status,
            drift,
            strict,
            file,
        } => {
            let check = drift || strict || cli.verbose;
            normalize(&vendor, &operation, status, file, check, strict)
        }
        Command::Mock {
            port,
            fault,
            latency_ms,
        } => mock(port, &fault, latency_ms).await,
    }
}

fn inputs(ask: &Ask) -> Result<Vec<String>, String> {
    match (&ask.input, &ask.batch) {
        (Some(one), None) => Ok(vec![one.clone()]),
        (None, Some(path)) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(text
                .lines()
                .map(|l| l.split('#').next().unwrap_or("").trim().to_owned())
                .filter(|l| !l.is_empty())
                .collect())
        }
        (Some(_), Some(_)) => Err("give either an input or --batch, not both".into()),
        (None, None) => Err("give an input, or --batch FILE".into()),
    }
}

async fn run(ask: Ask, parse: fn(&str) -> Result<Query, String>) -> ExitCode {
    let inputs = match inputs(&ask) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut config = Config::from_env();
    if let Some(v) = &ask.vendor {
        if stories::vendor(v).is_none() {
            eprintln!(
                "error: unknown vendor `{v}`; known: {}",
                stories::vendor_names().join(", ")
            );
            return ExitCode::from(2);
        }
        config = config.only(v);
    }
    if config.vendors.is_empty() {
        eprintln!("error: {}", stories::ClientError::NoVendors);
        eprintln!(
            "\nTo try it without keys, run the built-in mock in another terminal and export what it prints:"
        );
        eprintln!("  stories mock --port 8787");
        return ExitCode::from(2);
    }
    let client = match UnifiedClient::new(config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let jobs = inputs.iter().map(|input| {
        let client = &client;
        async move {
            let result = match parse(input) {
                Ok(query) => client.ask(&query).await.map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            (input.clone(), result)
        }
    });
    let results: Vec<(String, Result<Answered, String>)> = futures::stream::iter(jobs)
        .buffered(ask.concurrency.max(1))
        .collect()
        .await;
    let mut all_answered = true;
    let mut stdout = std::io::stdout().lock();
    let mut rows = Vec::new();
    for (input, result) in &results {
        let line = match result {
            Ok(answered) => {
                all_answered &= answered.outcome.is_answer();
                json!({"input": input, "outcome": answered.outcome, "report": answered.report})
            }
            Err(e) => {
                all_answered = false;
                json!({"input": input, "error": e})
            }
        };
        rows.push(line);
    }
    let printed = match ask.format {
        Format::Json if rows.len() == 1 => writeln!(
            stdout,
            "{}",
            serde_json::to_string_pretty(&rows[0]).unwrap_or_default()
        ),
        Format::Json => writeln!(
            stdout,
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        ),
        Format::Ndjson => rows.iter().try_for_each(|r| writeln!(stdout, "{r}")),
        Format::Table => write!(stdout, "{}", table(&results)),
    };
    if printed.is_err() {
        return ExitCode::FAILURE;
    }
    if let Some(dir) = &ask.download {
        let stories: Vec<Story> = results
            .iter()
            .filter_map(|(_, r)| r.as_ref().ok())
            .flat_map(|a| stories_of(&a.outcome))
            .collect();
        for done in stories::download::download_all(&stories, dir, ask.concurrency, true).await {
            eprintln!("{done}");
        }
    }
    if all_answered {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn stories_of(outcome: &Outcome<Answer>) -> Vec<Story> {
    match outcome {
        Outcome::Found(Answer::Stories(page)) => page.items.clone(),
        Outcome::Found(Answer::Story(s)) => vec![s.clone()],
        Outcome::Found(Answer::Highlight(h)) => h.items.clone(),
        Outcome::Found(Answer::Highlights(page)) => {
            page.items.iter().flat_map(|h| h.items.clone()).collect()
        }
        _ => Vec::new(),
    }
}

fn table(results: &[(String, Result<Answered, String>)]) -> String {
    let mut out = String::new();
    for (input, result) in results {
        out.push_str(&format!("== {input}\n"));
        let answered = match result {
            Ok(a) => a,
            Err(e) => {
                out.push_str(&format!("error: {e}\n"));
                continue;
            }
        };
        match &answered.outcome {
            Outcome::Found(Answer::Stories(page)) => story_rows(&mut out, &page.items),
            Outcome::Found(Answer::Story(s)) => story_rows(&mut out, std::slice::from_ref(s)),
            Outcome::Found(Answer::Highlight(h)) => {
                out.push_str(&format!(
                    "highlight {} {:?}, {} items\n",
                    h.id,
                    h.title.clone().unwrap_or_default(),
                    h.items.len()
                ));
                story_rows(&mut out, &h.items);
            }
            Outcome::Found(Answer::Highlights(page)) => {
                out.push_str(&format!(
                    "{:<20} {:<30} {:>6}  {}\n",
                    "ID", "TITLE", "ITEMS", "OWNER"
                ));
                for h in &page.items {
                    let owner = h
                        .owner
                        .as_ref()
                        .and_then(|o| o.username.clone())
                        .unwrap_or_default();
                    let count = h
                        .item_count
                        .map_or_else(|| "-".to_owned(), |n| n.to_string());
                    out.push_str(&format!(
                        "{:<20} {:<30} {:>6}  @{owner}\n",
                        h.id,
                        h.title.clone().unwrap_or_default(),
                        count
                    ));
                }
            }
            Outcome::Empty => out.push_str("no active stories\n"),
            Outcome::PrivateAccount => out.push_str("private account\n"),
            Outcome::NotFound => out.push_str("not found\n"),
            Outcome::Failed(f) => out.push_str(&format!("failed: {f}\n")),
        }
        for a in &answered.report.attempts {
            let credits = a.credits_used.map_or_else(
                || "?".to_owned(),
                |c| {
                    format!(
                        "{c}{}",
                        if a.credits_estimated {
                            " (documented)"
                        } else {
                            ""
                        }
                    )
                },
            );
            out.push_str(&format!(
                "  via {} {}: {} — credits {credits}\n",
                a.vendor, a.operation, a.result
            ));
        }
    }
    out
}

fn story_rows(out: &mut String, stories: &[Story]) {
    out.push_str(&format!(
        "{:<20} {:<6} {:<21} {:<21} {}\n",
        "ID", "KIND", "TAKEN", "EXPIRES", "BEST MEDIA"
    ));
    for s in stories {
        let kind = serde_json::to_value(s.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let taken = s
            .taken_at
            .map(|t| t.format("%Y-%m-%d %H:%M:%SZ").to_string())
            .unwrap_or_default();
        let expires = s
            .expires_at
            .map(|e| {
                format!(
                    "{}{}",
                    e.at.format("%Y-%m-%d %H:%M:%SZ"),
                    if e.derived { "*" } else { "" }
                )
            })
            .unwrap_or_default();
        let media = s.best_media().map(|r| r.url.clone()).unwrap_or_default();
        out.push_str(&format!(
            "{:<20} {kind:<6} {taken:<21} {expires:<21} {media}\n",
            s.id
        ));
    }
}

/// What `stories normalize` prints: the outcome's fields and the drift beside them.
#[derive(serde::Serialize)]
struct Printed<'a> {
    #[serde(flatten)]
    outcome: &'a Outcome<Answer>,
    drift: &'a domain::Drift,
}

fn normalize(
    vendor: &str,
    operation: &str,
    status: u16,
    file: Option<PathBuf>,
    check: bool,
    strict: bool,
) -> ExitCode {
    let body = match &file {
        Some(path) if path.as_os_str() != "-" => {
            std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
        }
        _ => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map(|_| buf)
                .map_err(|e| format!("standard input: {e}"))
        }
    };
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read the response: {e}");
            return ExitCode::FAILURE;
        }
    };
    let raw = RawResponse {
        status,
        retry_after_seconds: None,
        body: &body,
    };
    let normalized = if check {
        stories::normalize_checked(vendor, operation, raw)
    } else {
        stories::normalize(vendor, operation, raw)
    };
    let normalized = match normalized {
        Ok(n) => n,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if !normalized.drift.is_empty() {
        tracing::info!(drift = %normalized.drift, "the response departs from the documented shape");
    }
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let printed = Printed {
        outcome: &normalized.outcome,
        drift: &normalized.drift,
    };
    let written = serde_json::to_writer_pretty(&mut stdout, &printed)
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(stdout))
        .and_then(|()| stdout.flush());
    if let Err(e) = written
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    if strict && !normalized.drift.is_empty() {
        eprintln!(
            "error: the response departs from {vendor}'s documented shape: {}",
            normalized.drift
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

async fn mock(port: u16, faults: &[String], latency_ms: u64) -> ExitCode {
    let server =
        match stories::mock::MockServer::start(SocketAddr::from(([127, 0, 0, 1], port))).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: cannot listen on 127.0.0.1:{port}: {e}");
                return ExitCode::FAILURE;
            }
        };
    for spec in faults {
        let Some((vendor, fault)) = spec.split_once('=') else {
            eprintln!("error: --fault takes VENDOR=FAULT, not `{spec}`");
            return ExitCode::from(2);
        };
        match fault.parse() {
            Ok(f) => server.set_fault(vendor, f, None),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    server.set_latency(Duration::from_millis(latency_ms));
    for (k, v) in server.env() {
        println!("export {k}={v}");
    }
    eprintln!(
        "mock vendors listening on http://{} (Ctrl-C to stop)",
        server.addr()
    );
    let _ = tokio::signal::ctrl_c().await;
    ExitCode::SUCCESS
}
