//! `user-stories`, `highlights`, `highlight` and `story`: every input parsed, asked, its media
//! downloaded when asked, and its record printed as soon as it and every input before it are
//! done — at most `--concurrency` inputs are in flight, so memory does not grow with the batch.
//!
//! SIGINT or SIGTERM stops the run without losing what was done: no new input is begun, an
//! input still waiting for its answer is reported interrupted, transfers in progress are
//! dropped with their temporary files, every answer that arrived is printed, and the exit
//! status is 130. A second signal exits at once.

use std::process::ExitCode;

use domain::{Answer, Outcome, Story};
use futures::{Stream, StreamExt};
use stories::download::{DownloadOptions, Downloader};
use stories::{Query, UnifiedClient};
use tokio_util::sync::CancellationToken;

use super::args::{Ask, Cli};
use super::output::{HighlightItems, Printer, Record, Reply};
use super::{inputs, settings, usage_error};

/// How one subcommand reads its input.
pub type Parse = fn(&str) -> Result<Query, stories::InvalidInput>;

struct Run {
    client: UnifiedClient,
    downloader: Option<Downloader>,
    parse: Parse,
    stop: CancellationToken,
}

pub async fn run(cli: &Cli, ask: &Ask, parse: Parse) -> ExitCode {
    let inputs: std::pin::Pin<Box<dyn Stream<Item = inputs::Line> + Send>> =
        match (&ask.input, &ask.batch) {
            (Some(one), None) => {
                // A single bad input is a usage error, before any configuration is needed.
                if let Err(e) = parse(one) {
                    return usage_error(e);
                }
                Box::pin(futures::stream::iter([Ok(one.clone())]))
            }
            (None, Some(path)) => match inputs::batch(path).await {
                Ok(lines) => Box::pin(lines),
                Err(e) => return usage_error(e),
            },
            (Some(_), Some(_)) => return usage_error("give either an input or --batch, not both"),
            (None, None) => {
                return usage_error("give an input, or --batch FILE (`-` for standard input)");
            }
        };
    let mut config = match settings::load(cli) {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    config.policy.check_drift = ask.drift || cli.verbose;
    if let Some(v) = &ask.vendor {
        config = config.only(v);
        if config.vendors.is_empty() {
            let key = stories::vendor(v)
                .map(stories::Vendor::key_variable)
                .unwrap_or_default();
            return usage_error(format!(
                "--vendor {v}: {v} has no API key; set {key} (or [vendor.{v}] key in the config file)"
            ));
        }
    }
    if config.vendors.is_empty() {
        say!("error: {}", stories::ClientError::no_vendors());
        say!("\nTo try it without keys, start the built-in mock and export what it prints:");
        say!("  eval \"$(stories mock --detach)\"");
        return ExitCode::from(super::USAGE);
    }
    let stop = CancellationToken::new();
    let downloader = match &ask.download.download {
        Some(dir) => match downloader(&config, ask, dir) {
            Ok(d) => Some(d.stopped_by(stop.clone())),
            Err(e) => return usage_error(e),
        },
        None => None,
    };
    let client = match UnifiedClient::new(config) {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    let run = Run {
        client,
        downloader,
        parse,
        stop: stop.clone(),
    };
    tokio::spawn(stop_on_signal(stop.clone()));
    let mut printer = Printer::new(ask.format);
    let mut all_ok = true;
    let mut records = inputs
        .take_until(Box::pin(stop.clone().cancelled_owned()))
        .map(|line| run.one(line))
        .buffered(usize::from(ask.concurrency));
    while let Some(record) = records.next().await {
        all_ok &= record.succeeded();
        if let Err(e) = printer.record(&record) {
            return output_error(&e);
        }
    }
    if let Err(e) = printer.finish() {
        return output_error(&e);
    }
    if stop.is_cancelled() {
        ExitCode::from(super::INTERRUPTED)
    } else if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The first SIGINT or SIGTERM stops the run gracefully; a second one ends it at once.
async fn stop_on_signal(stop: CancellationToken) {
    super::shutdown_signal().await;
    say!("interrupted: printing what is complete (again to quit at once)");
    stop.cancel();
    super::shutdown_signal().await;
    std::process::exit(i32::from(super::INTERRUPTED));
}

/// A closed pipe means the reader has what it wants (`| head`): stop quietly.
fn output_error(e: &std::io::Error) -> ExitCode {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        ExitCode::SUCCESS
    } else {
        say!("error: cannot write the output: {e}");
        ExitCode::FAILURE
    }
}

fn downloader(
    config: &stories::Config,
    ask: &Ask,
    dir: &std::path::Path,
) -> Result<Downloader, String> {
    let d = &ask.download;
    if dir.exists() && !dir.is_dir() {
        return Err(format!(
            "--download {}: this is a file; give a folder (it is created if missing)",
            dir.display()
        ));
    }
    let mut options = DownloadOptions::new(dir);
    options.template = d.filename.clone();
    if d.no_archive {
        options.archive = None;
    } else if let Some(archive) = &d.archive {
        options.archive = Some(archive.clone());
    }
    options.force = d.force;
    options.write_metadata = d.write_metadata;
    options.concurrency = usize::from(ask.concurrency);
    options.show_progress = super::stderr_is_terminal();
    let http = config
        .http_options()
        .and_then(|o| o.media_client())
        .map_err(|e| format!("--download: {e}"))?;
    // Name the option the user gave: the archive is `--archive`'s only when given.
    let archive = if d.archive.is_some() {
        "--archive"
    } else {
        "the download archive (--archive FILE elsewhere, --no-archive for none)"
    };
    Downloader::new(http, options).map_err(|e| format!("{archive}: {e}"))
}

impl Run {
    async fn one(&self, line: inputs::Line) -> Record {
        let input = match line {
            Ok(input) => input,
            Err(error) => {
                return Record {
                    input: String::new(),
                    reply: Reply::Error { error },
                };
            }
        };
        let query = match (self.parse)(&input) {
            Ok(q) => q,
            Err(error) => {
                return Record {
                    input,
                    reply: Reply::Error {
                        error: error.to_string(),
                    },
                };
            }
        };
        let Some(asked) = self.stop.run_until_cancelled(self.client.ask(&query)).await else {
            return Record {
                input,
                reply: Reply::Error {
                    error: INTERRUPTED_ASKING.to_owned(),
                },
            };
        };
        let answered = match asked {
            Ok(a) => a,
            Err(e) => {
                return Record {
                    input,
                    reply: Reply::Error {
                        error: e.to_string(),
                    },
                };
            }
        };
        let mut highlight_items = Vec::new();
        let downloads = match &self.downloader {
            Some(downloader) => {
                let mut stories = stories_of(&answered.outcome);
                if let Outcome::Found(Answer::Highlights(page)) = &answered.outcome {
                    for h in &page.items {
                        let (items, asked) = self.highlight_items(&h.id).await;
                        stories.extend(items);
                        highlight_items.push(asked);
                    }
                }
                Some(downloader.download(&stories).await)
            }
            None => None,
        };
        Record {
            input,
            reply: Reply::Answered {
                outcome: Box::new(answered.outcome),
                report: answered.report,
                downloads,
                highlight_items,
            },
        }
    }

    /// A highlight list names its highlights; their items take one more query each.
    async fn highlight_items(&self, id: &str) -> (Vec<Story>, HighlightItems) {
        let mut asked = HighlightItems {
            highlight: id.to_owned(),
            outcome: "failed".to_owned(),
            error: None,
            report: stories::Report::default(),
        };
        let query = Query::HighlightItems(id.to_owned());
        let Some(asked_items) = self.stop.run_until_cancelled(self.client.ask(&query)).await else {
            asked.error = Some(INTERRUPTED_ASKING.to_owned());
            return (Vec::new(), asked);
        };
        match asked_items {
            Ok(answered) => {
                asked.outcome = answered.outcome.tag().to_owned();
                if let Outcome::Failed(f) = &answered.outcome {
                    asked.error = Some(f.to_string());
                }
                asked.report = answered.report;
                (stories_of(&answered.outcome), asked)
            }
            Err(e) => {
                asked.error = Some(e.to_string());
                (Vec::new(), asked)
            }
        }
    }
}

/// The error of an input whose answer had not arrived when the run was stopped.
const INTERRUPTED_ASKING: &str = "interrupted before the answer arrived";

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
