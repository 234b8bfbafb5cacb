//! `stories`: Instagram stories and highlights from any configured vendor, normalized.

// Standard error may be a closed pipe: every line goes through `say!`, which cannot panic.
#![deny(clippy::print_stderr)]

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use cli::args::{Cli, Command};
use stories::Query;

#[tokio::main]
async fn main() -> ExitCode {
    let matches = Cli::command()
        .after_help(cli::args::after_help())
        .get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    init_logging(cli.verbose);
    match &cli.command {
        Command::UserStories(ask) => cli::ask::run(&cli, ask, Query::user_stories).await,
        Command::Highlights(ask) => cli::ask::run(&cli, ask, Query::user_highlights).await,
        Command::Highlight(ask) => cli::ask::run(&cli, ask, Query::highlight).await,
        Command::Story(ask) => cli::ask::run(&cli, ask, Query::story).await,
        Command::Normalize {
            vendor,
            operation,
            status,
            drift,
            strict,
            file,
        } => cli::normalize::run(&cli::normalize::Request {
            vendor,
            operation,
            status: *status,
            file: file.as_deref(),
            check: *drift || *strict || cli.verbose,
            strict: *strict,
        }),
        Command::Watch(args) => cli::watch::run(&cli, args).await,
        Command::Mock(args) => cli::mock::run(args).await,
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "stories", &mut script);
            cli::print(&script)
        }
    }
}

/// Logs go to standard error, in colour only on a terminal and without `NO_COLOR`.
fn init_logging(verbose: bool) {
    let default_level = if verbose {
        "stories=debug"
    } else {
        "stories=warn"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour())
        .with_target(false)
        // Its own complaint about a failed write would be an `eprintln!`, which panics when
        // standard error is a closed pipe.
        .log_internal_errors(false)
        .init();
}

/// <https://no-color.org>: any non-empty `NO_COLOR` turns colour off.
fn colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
