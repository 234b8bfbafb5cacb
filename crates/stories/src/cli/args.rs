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
    Mock(MockArgs),
    /// Print a shell completion script: `stories completions bash > ~/.local/share/bash-completion/completions/stories`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
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
    let _ = write!(
        out,
        "\nConfig file: {path}\n  prefer = [\"keyapi\"], timeout_secs = 20, ca_cert = \"…\", and [vendor.<name>] key = \"…\", url = \"…\".\n  Flags win over the environment, which wins over the file.\n\nExit status: 0 every input answered (and every download landed), 1 some did not, 2 usage or configuration error."
    );
    out
}
