//! `stories normalize`: a saved raw vendor response to the domain JSON, streamed to standard
//! output.

use std::io::{Read, Seek, Write};
use std::path::Path;
use std::process::ExitCode;

use domain::{Answer, NormalizeError, Outcome, RawResponse};

/// What `stories normalize` prints: the outcome's fields and the drift beside them.
#[derive(serde::Serialize)]
struct Printed<'a> {
    #[serde(flatten)]
    outcome: &'a Outcome<Answer>,
    /// `null` when the body was not compared with the documented shape (no `--drift`) and
    /// the normalizer left nothing out: an empty list would read as "checked and clean".
    drift: Option<&'a domain::Drift>,
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

/// A response's bytes.
enum Body {
    /// A file's bytes, read into memory asked for in huge pages.
    Anonymous(memmap2::MmapMut, usize),
    Read(Vec<u8>),
}

impl std::ops::Deref for Body {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Body::Anonymous(map, len) => &map[..*len],
            Body::Read(v) => v,
        }
    }
}

/// Reads a regular file into anonymous memory advised for huge pages: a 40 MB answer then
/// costs about twenty page faults instead of ten thousand, a third of its reading time.
/// Anything else (a FIFO, an empty file, a system without the advice) is read as usual.
fn read_file(path: &Path) -> std::io::Result<Body> {
    let mut file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    let len = usize::try_from(meta.len()).unwrap_or(usize::MAX);
    if !meta.is_file() || len == 0 {
        let mut buf = Vec::new();
        file.read_to_end(&mut buf)?;
        return Ok(Body::Read(buf));
    }
    let mut map = memmap2::MmapOptions::new().len(len).map_anon()?;
    #[cfg(target_os = "linux")]
    let _ = map.advise(memmap2::Advice::HugePage);
    read_halves(&file, &mut map[..])?;
    file.seek(std::io::SeekFrom::Start(meta.len()))?;
    // The file may have grown since: read the rest too.
    let mut rest = Vec::new();
    file.read_to_end(&mut rest)?;
    if rest.is_empty() {
        return Ok(Body::Anonymous(map, len));
    }
    let mut all = map[..].to_vec();
    all.extend_from_slice(&rest);
    Ok(Body::Read(all))
}

/// Fills `buf` from the start of `file`, the two halves on two threads: the page faults and
/// copying of a large read then share the machine's cores.
#[cfg(unix)]
fn read_halves(file: &std::fs::File, buf: &mut [u8]) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    let half = buf.len() / 2;
    let (first, second) = buf.split_at_mut(half);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| file.read_exact_at(second, half as u64));
        let mine = file.read_exact_at(first, 0);
        let theirs = other
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("a reading thread panicked")));
        mine.and(theirs)
    })
}

#[cfg(not(unix))]
fn read_halves(mut file: &std::fs::File, buf: &mut [u8]) -> std::io::Result<()> {
    file.read_exact(buf)
}

pub fn run(req: &Request<'_>) -> ExitCode {
    let body = match req.file {
        Some(path) if path.as_os_str() != "-" => {
            read_file(path).map_err(|e| format!("{}: {e}", path.display()))
        }
        _ => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map(|_| Body::Read(buf))
                .map_err(|e| format!("standard input: {e}"))
        }
    };
    let body = match body {
        Ok(b) => b,
        // A file that cannot be read is a mistake in the command line.
        Err(e) => return super::usage_error(format!("cannot read the response: {e}")),
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
        // An operation the vendor does not have is a mistake in the command line; a body
        // that cannot be read is the answer's fault.
        Err(
            e @ (NormalizeError::UnknownOperation { .. } | NormalizeError::UnknownVendor { .. }),
        ) => {
            return super::usage_error(e);
        }
        Err(e) => {
            say!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if !normalized.drift.is_empty() {
        tracing::info!(drift = %normalized.drift, "the response departs from the documented shape");
    }
    // A large buffer: an answer of thousands of stories is megabytes of JSON.
    let mut stdout = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let printed = Printed {
        outcome: &normalized.outcome,
        drift: (req.check || !normalized.drift.is_empty()).then_some(&normalized.drift),
    };
    let written = serde_json::to_writer_pretty(&mut stdout, &printed)
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(stdout))
        .and_then(|()| stdout.flush());
    if let Err(e) = written {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return ExitCode::SUCCESS;
        }
        say!("error: {e}");
        return ExitCode::FAILURE;
    }
    let failed = req.strict && !normalized.drift.is_empty();
    if failed {
        say!(
            "error: the response departs from {}'s documented shape: {}",
            req.vendor,
            normalized.drift
        );
    }
    // The process ends here: freeing thousands of stories one string at a time would only
    // delay the exit (the operating system takes the memory back at once).
    std::mem::forget(normalized);
    std::mem::forget(body);
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
