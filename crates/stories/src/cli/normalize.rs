//! `stories normalize`: a saved raw vendor response to the domain JSON, streamed to standard
//! output.

use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

use domain::{Answer, Outcome, RawResponse};

/// What `stories normalize` prints: the outcome's fields and the drift beside them.
#[derive(serde::Serialize)]
struct Printed<'a> {
    #[serde(flatten)]
    outcome: &'a Outcome<Answer>,
    drift: &'a domain::Drift,
}

pub struct Request<'a> {
    pub vendor: &'a str,
    pub operation: &'a str,
    pub status: u16,
    pub file: Option<&'a Path>,
    /// Compare with the documented shape.
    pub check: bool,
    /// Fail on any drift.
    pub strict: bool,
}

pub fn run(req: &Request<'_>) -> ExitCode {
    let body = match req.file {
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
        status: req.status,
        retry_after_seconds: None,
        body: &body,
    };
    let normalized = if req.check {
        stories::normalize_checked(req.vendor, req.operation, raw)
    } else {
        stories::normalize(req.vendor, req.operation, raw)
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
    if let Err(e) = written {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return ExitCode::SUCCESS;
        }
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    if req.strict && !normalized.drift.is_empty() {
        eprintln!(
            "error: the response departs from {}'s documented shape: {}",
            req.vendor, normalized.drift
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
