//! The command line: flags, subcommands, and a `--help` that lists the vendors this build
//! knows and every environment variable it reads.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use stories::download::FilenameTemplate;

#[derive(Parser)]
#[command(
    name = "stories",
    version,
    about = "Instagram stories and highlights from any vendor, normalized"
)]
pub struct Cli {
    /// Log every vendor attempt, retry and failover to standard error (`RUST_LOG` overrides).
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Read settings from this TOML file instead of the default one (also `STORIES_CONFIG`).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Timeout of one request in seconds, 1 to 3600 (also `STORIES_TIMEOUT_SECS`; default 30).
    #[arg(long, global = true, value_name = "SECS")]
    pub timeout_secs: Option<String>,
    /// Trust the root certificates of this PEM file besides the platform's (also `STORIES_CA_CERT`).
    #[arg(long, global = true, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON array, with one element per input, whatever their number.
    Json,
    /// One JSON object per line, per input.
    Ndjson,
    /// Tables for people.
    Table,
}

#[derive(Args)]
pub struct Ask {
    /// What to ask about; omit with --batch.
    pub input: Option<String>,
    /// Only ask this vendor.
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(stories::vendor_names()))]
    pub vendor: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// A file with one input per line (`#` starts a comment); `-` reads standard input.
    /// Results stream out in input order as they complete.
    #[arg(long, value_name = "FILE")]
    pub batch: Option<PathBuf>,
    /// How many inputs, and how many downloads, run at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Compare every answer with the vendor's documented shape and report the drift in each
    /// attempt (one more pass over each body; `-v` does it too).
    #[arg(long)]
    pub drift: bool,
    #[command(flatten)]
    pub download: DownloadArgs,
}

#[derive(Args)]
pub struct DownloadArgs {
    /// Download the best rendition of every story (and of every highlight's items) into DIR.
    #[arg(long, value_name = "DIR")]
    pub download: Option<PathBuf>,
    /// File names under DIR: fields {owner}, {id}, {taken_at}, {kind}, {ext}; `/` makes folders.
    #[arg(long, value_name = "TEMPLATE", default_value = stories::download::DEFAULT_TEMPLATE, requires = "download")]
    pub filename: FilenameTemplate,
    /// The download archive, one line per story saved, so a re-run skips it
    /// (default: DIR/.stories-archive).
    #[arg(
        long,
        value_name = "FILE",
        requires = "download",
        conflicts_with = "no_archive"
    )]
    pub archive: Option<PathBuf>,
    /// Keep no download archive.
    #[arg(long, requires = "download")]
    pub no_archive: bool,
    /// Download again what the archive lists.
    #[arg(long, requires = "download")]
    pub force: bool,
    /// Write each story's JSON beside its media, as `<file>.json`.
    #[arg(long, requires = "download")]
    pub write_metadata: bool,
}

#[derive(Subcommand)]
pub enum Command {
    /// The active stories of an account: a username, @username, numeric id or profile URL.
    UserStories(Ask),
    /// The highlights of an account: a username, @username, numeric id or profile URL.
    Highlights(Ask),
    /// The items of a highlight: its id or URL.
    Highlight(Ask),
    /// One story: its media id or story URL.
    Story(Ask),
    /// Normalize a saved raw vendor response (a file, or standard input) and print the domain JSON.
    Normalize {
        /// The vendor that answered.
        #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(stories::vendor_names()))]
        vendor: String,
        /// The vendor operation's id, as in generated/<vendor>-client/openapi.json.
        #[arg(long)]
        operation: String,
        /// The HTTP status the response came with (100 to 599).
        #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u16).range(100..=599))]
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
    /// Watch accounts and archive every story before it expires (add, remove, list, run,
    /// status, export).
    Watch(WatchArgs),
    /// Serve every vendor's documented responses on loopback, for trying the CLI without keys.
    Mock(MockArgs),
    /// Print a shell completion script: `stories completions bash > ~/.local/share/bash-completion/completions/stories`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Args)]
pub struct WatchArgs {
    /// The archive: a SQLite file (created when missing) or a postgres:// URL
    /// (also `STORIES_DATABASE_URL`; default: stories/archive.db in the platform's data folder).
    #[arg(long, global = true, value_name = "URL")]
    pub database: Option<String>,
    #[command(subcommand)]
    pub command: WatchCommand,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One JSON object per story: the domain Story plus an `archive` object.
    Jsonl,
    /// One row per story.
    Csv,
}

#[derive(Args)]
pub struct Accounts {
    /// Usernames, @usernames, numeric ids or profile URLs.
    pub accounts: Vec<String>,
    /// A file with one account per line (`#` starts a comment); `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub batch: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum WatchCommand {
    /// Watch accounts (polled at once by the next `watch run`).
    Add {
        #[command(flatten)]
        accounts: Accounts,
        /// Archive the account's highlights too: each highlight and its items, read every
        /// --highlights-every seconds of `watch run`.
        #[arg(long)]
        highlights: bool,
    },
    /// Stop watching accounts; what was archived stays.
    Remove {
        #[command(flatten)]
        accounts: Accounts,
    },
    /// The watched accounts.
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Poll every watched account when due, archive new stories and their media, until
    /// Ctrl-C / SIGTERM (work in flight is finished), --for SECS or --until-idle.
    Run(RunArgs),
    /// Accounts, last and next poll, stories archived and missed, credits by vendor, workers.
    Status {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Show vendor budgets, or set one vendor's: shared by every worker of the archive.
    Budget {
        /// The vendor whose budget to set; without it, every budget is shown.
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(stories::vendor_names()))]
        vendor: Option<String>,
        /// Requests per second, over all workers (0: no limit).
        #[arg(long, value_name = "N", requires = "vendor")]
        rate: Option<u32>,
        /// Credits per UTC day, over all workers (0: no limit).
        #[arg(long, value_name = "N", requires = "vendor")]
        daily_credits: Option<u64>,
    },
    /// Every archived story, streamed, oldest first.
    Export {
        #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
        format: ExportFormat,
        /// Only this account.
        #[arg(long, value_name = "ACCOUNT")]
        account: Option<String>,
        /// Only stories first seen at or after this time (RFC 3339, or Unix seconds).
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
    },
}

#[derive(Args)]
pub struct RunArgs {
    /// Where media files go (default: `media/` beside a SQLite archive, else in the data folder).
    #[arg(long, value_name = "DIR")]
    pub media_dir: Option<PathBuf>,
    /// The longest gap between two polls of an account, in seconds: keep it well under a
    /// story's 24-hour life (default 4 hours).
    #[arg(long, default_value_t = 4 * 3600, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub max_gap: u64,
    /// The shortest gap, for accounts that post often (default 15 minutes; at most --max-gap).
    #[arg(long, default_value_t = 15 * 60, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub min_gap: u64,
    /// Accounts polled at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Stop after this many seconds.
    #[arg(long = "for", value_name = "SECS")]
    pub run_for: Option<u64>,
    /// Stop once no account is due.
    #[arg(long)]
    pub until_idle: bool,
    /// How often the highlights of accounts added with --highlights are read (default a day:
    /// highlights keep their items, so they need no hurry).
    #[arg(long, default_value_t = 86_400, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub highlights_every: u64,
    /// Serve Prometheus metrics (polls, stories, downloads, failures, credits, poll lateness)
    /// at http://ADDR/metrics, e.g. 127.0.0.1:9464.
    #[arg(long, value_name = "ADDR")]
    pub metrics_addr: Option<std::net::SocketAddr>,
}

#[derive(Args)]
pub struct MockArgs {
    #[arg(long, default_value_t = 8787)]
    pub port: u16,
    /// Inject a fault into a vendor's responses: VENDOR=429|500|402|truncated|wrong-content-type|drift.
    #[arg(long, value_name = "VENDOR=FAULT", value_parser = parse_fault)]
    pub fault: Vec<(String, stories::mock::Fault)>,
    /// Delay every response.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub latency_ms: u64,
    /// Start in the background once listening, and print shell commands exporting its
    /// variables and its process id (`STORIES_MOCK_PID`): `eval "$(stories mock --detach)"`.
    #[arg(long)]
    pub detach: bool,
    /// Live accounts: every username asked about (but `missing` and `private`) posts a new
    /// story every --post-every seconds, up for --story-ttl seconds; `GET /_mock/ledger` lists
    /// every story posted.
    #[arg(long)]
    pub live: bool,
    /// With --live: seconds between two stories of one account (a little jitter is added).
    #[arg(long, default_value_t = 3600, value_name = "SECS", requires = "live", value_parser = clap::value_parser!(u64).range(1..))]
    pub post_every: u64,
    /// With --live: seconds a story stays up.
    #[arg(long, default_value_t = 86_400, value_name = "SECS", requires = "live", value_parser = clap::value_parser!(u64).range(1..))]
    pub story_ttl: u64,
}

impl MockArgs {
    /// The live accounts' behaviour, with --live.
    pub fn live_options(&self) -> Option<stories::mock::LiveOptions> {
        self.live.then(|| stories::mock::LiveOptions {
            post_every: std::time::Duration::from_secs(self.post_every),
            story_ttl: std::time::Duration::from_secs(self.story_ttl),
        })
    }
}

fn parse_fault(spec: &str) -> Result<(String, stories::mock::Fault), String> {
    let (vendor, fault) = spec
        .split_once('=')
        .ok_or_else(|| format!("takes VENDOR=FAULT, not `{spec}`"))?;
    if stories::vendor(vendor).is_none() {
        return Err(format!(
            "unknown vendor `{vendor}`; known: {}",
            stories::vendor_names().join(", ")
        ));
    }
    Ok((vendor.to_owned(), fault.parse()?))
}

/// What `--help` adds after the options: vendors, environment, config file.
pub fn after_help() -> String {
    use std::fmt::Write;
    let mut out = String::from(
        "Vendors (each question goes to the cheapest that can answer it, by their docs' costs):\n",
    );
    for v in stories::VENDORS {
        let _ = writeln!(out, "  {:<12} {}", v.name(), v.facts.display_name);
    }
    out.push_str("\nEnvironment:\n");
    for (name, what) in stories::config::environment_variables() {
        let _ = writeln!(out, "  {name:<26} {what}");
    }
    let path = stories::config::default_config_path().map_or_else(
        || "(no config folder on this platform)".to_owned(),
        |p| p.display().to_string(),
    );
    let first = stories::vendor_names().first().copied().unwrap_or("<name>");
    let _ = write!(
        out,
        "\nConfig file: {path}\n  prefer = [\"{first}\"], timeout_secs = 20, ca_cert = \"…\", and [vendor.<name>] key = \"…\", url = \"…\".\n  Flags win over the environment, which wins over the file.\n\nExit status: 0 every input answered (and every download landed), 1 some did not, 2 usage or configuration error."
    );
    out
}
