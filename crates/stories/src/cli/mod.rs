//! The `stories` command's parts: arguments, settings, inputs, output and the subcommands.

/// `eprintln!` that cannot panic: a line to standard error, dropped when standard error is a
/// closed pipe (Rust ignores SIGPIPE, so the write fails, and `eprintln!` would panic with
/// exit status 101 on the way to the real one).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod args;
pub mod ask;
pub mod inputs;
pub mod mock;
pub mod normalize;
pub mod output;
pub mod settings;
pub mod watch;

use std::process::ExitCode;

/// Exit status 2: the command line or configuration cannot be used.
pub const USAGE: u8 = 2;

/// Exit status 130: stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report it).
pub const INTERRUPTED: u8 = 130;

/// Prints `error: <message>` and returns exit status 2.
pub fn usage_error(message: impl std::fmt::Display) -> ExitCode {
    say!("error: {message}");
    ExitCode::from(USAGE)
}

/// Whether progress bars and colour can go to standard error.
pub fn stderr_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal()
}

/// Writes `bytes` to standard output; a closed pipe (`| head -1`) is not an error.
pub fn print(bytes: &[u8]) -> ExitCode {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            say!("error: cannot write the output: {e}");
            ExitCode::FAILURE
        }
    }
}

/// SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
