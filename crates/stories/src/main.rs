//! `stories`: Instagram stories and highlights from any vendor.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use domain::RawResponse;

#[derive(Parser)]
#[command(
    name = "stories",
    version,
    about = "Instagram stories and highlights from any vendor, normalized"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
        /// The saved response body; `-` or nothing reads standard input.
        file: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Normalize {
            vendor,
            operation,
            status,
            file,
        } => normalize(&vendor, &operation, status, file),
    }
}

fn normalize(vendor: &str, operation: &str, status: u16, file: Option<PathBuf>) -> ExitCode {
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
    match stories::normalize(
        vendor,
        operation,
        RawResponse {
            status,
            retry_after_seconds: None,
            body: &body,
        },
    ) {
        Ok(outcome) => match serde_json::to_string_pretty(&outcome) {
            Ok(text) => {
                println!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
