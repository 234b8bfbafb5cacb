//! Project automation: `cargo xtask regen [--vendor NAME] [--check]`, `cargo xtask pull`,
//! `cargo xtask api-diff` and `cargo xtask corpus`.

mod api_diff;
mod corpus;
mod pull;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Project automation for the stories workspace")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the typed client crates under generated/ from the vendor pages under specs/.
    Regen {
        /// Only this vendor (a folder name under specs/).
        #[arg(long)]
        vendor: Option<String>,
        /// Write nothing; fail with a short diff when generated/ is stale.
        #[arg(long)]
        check: bool,
    },
    /// Fetch every page recorded in specs/<vendor>/pages.lock again, write it byte for byte and
    /// update its checksum; add the pages of the site's index that match the folder's include
    /// patterns. Nothing is written for a vendor one of whose pages cannot be fetched.
    Pull {
        /// Only this vendor (a folder name under specs/).
        #[arg(long)]
        vendor: Option<String>,
        /// Replace the scheme and host of every URL (`http://127.0.0.1:8080`): a mirror, a test.
        #[arg(long)]
        origin: Option<String>,
    },
    /// Say what a change of the canonical documents does to users of the generated clients:
    /// each change breaking, warning or info (oasdiff's rule ids). Without arguments, every
    /// generated crate's openapi.json at git HEAD against the working tree; with REVISION, at
    /// that revision; with two files, those (JSON or YAML, OpenAPI 3.0 or 3.1). Exits 1 when a
    /// change is breaking.
    ApiDiff {
        /// Nothing, a git revision, or two document files (old, new).
        #[arg(num_args = 0..=2)]
        args: Vec<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: api_diff::Format,
    },
    /// Push a seeded sample of the APIs.guru OpenAPI corpus through ingestion and generation,
    /// compile the first few clients, and print counts by outcome and the top causes.
    /// Writes only under target/corpus/.
    Corpus {
        /// How many documents to sample.
        #[arg(long, default_value_t = 500)]
        sample: usize,
        /// The sample's seed; the same seed gives the same documents.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// How many of the generated clients to compile (cargo check), spread over the sample.
        #[arg(long, default_value_t = 20)]
        compile: usize,
        /// An unpacked corpus's `package/api` folder (default: fetched once with npm).
        #[arg(long)]
        corpus: Option<PathBuf>,
        /// Worker threads (default: the machine's cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// Print every failure's whole message.
        #[arg(long, short)]
        verbose: bool,
    },
}

/// The repository the command runs in: the nearest folder, from the current one up, holding
/// `specs/` and a `Cargo.toml`. (Not where xtask was compiled: with a shared target folder that
/// would be another checkout.)
fn repo_root() -> Result<PathBuf, String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current folder: {e}"))?;
    cwd.ancestors()
        .find(|dir| dir.join("specs").is_dir() && dir.join("Cargo.toml").is_file())
        .map(PathBuf::from)
        .ok_or_else(|| {
            format!(
                "no repository here: neither {} nor a folder above it holds specs/ and Cargo.toml",
                cwd.display()
            )
        })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Regen { vendor, check } => regen(vendor.as_deref(), check),
        Command::Pull { vendor, origin } => {
            let options = pull::Options { vendor, origin };
            report(repo_root().and_then(|root| pull::run(&root, &options)))
        }
        Command::ApiDiff { args, format } => report(
            repo_root()
                .and_then(|root| api_diff::run(&root, &args, format))
                .map(|(text, breaking)| (text, !breaking)),
        ),
        Command::Corpus {
            sample,
            seed,
            compile,
            corpus,
            jobs,
            verbose,
        } => {
            let jobs = jobs.unwrap_or_else(|| {
                std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
            });
            let options = corpus::Options {
                sample,
                seed,
                compile,
                corpus,
                jobs,
                verbose,
            };
            match repo_root().and_then(|root| corpus::run(&root, &options)) {
                Ok(report) => {
                    print!("{report}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

/// Prints a command's report and exits 0 when it `passed`, 1 when not; an error exits 2.
fn report(outcome: Result<(String, bool), String>) -> ExitCode {
    match outcome {
        Ok((text, passed)) => {
            print!("{text}");
            if passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn regen(vendor: Option<&str>, check: bool) -> ExitCode {
    let root = match repo_root() {
        Ok(root) => root,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // Progenitor panics are caught and reported as errors naming the operation; keep the
    // default hook from printing a backtrace-style message on top.
    std::panic::set_hook(Box::new(|_| {}));
    let plan = match regen::plan(&root, vendor) {
        Ok(plan) => plan,
        Err(err) => {
            eprintln!("{:?}", miette::Report::new(err));
            eprintln!("regen failed; generated/ was left as it was");
            return ExitCode::FAILURE;
        }
    };
    // Known warnings are the vendors' own quirks, listed (with why) in their vendor.toml:
    // printed apart, so that a newcomer sees at once what needs a look.
    let (known, new): (Vec<_>, Vec<_>) = plan.warnings.iter().partition(|w| w.known.is_some());
    for warning in &new {
        eprintln!("warning: {warning}");
    }
    for warning in &known {
        let why = warning.known.as_deref().unwrap_or_default();
        eprintln!("known: {warning}\n  (expected: {why})");
    }
    if !known.is_empty() {
        eprintln!(
            "{} known warning(s) about the vendors' pages, expected and listed in specs/<vendor>/vendor.toml; {} new",
            known.len(),
            new.len()
        );
    }
    if check {
        return match regen::check(&root, &plan) {
            Ok(report) if report.is_fresh() => {
                println!("generated/ is up to date ({} crates)", plan.crates.len());
                ExitCode::SUCCESS
            }
            Ok(report) => {
                eprint!("{report}");
                ExitCode::FAILURE
            }
            Err(err) => {
                eprintln!("{:?}", miette::Report::new(err));
                ExitCode::FAILURE
            }
        };
    }
    match regen::apply(&root, &plan) {
        Ok(changed) if changed.is_empty() => {
            println!("generated/ is up to date ({} crates)", plan.crates.len());
            ExitCode::SUCCESS
        }
        Ok(changed) => {
            for name in &changed {
                println!("regenerated generated/{name}");
            }
            // What each change does to the crate's users, and the version it got for it.
            for review in plan.reviews.iter().filter(|r| changed.contains(&r.name)) {
                print!("{}", review.to_text());
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("{:?}", miette::Report::new(err));
            ExitCode::FAILURE
        }
    }
}
