//! Running the `stories` binary against a mock started by the test.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Output};

use stories::mock::MockServer;

pub async fn mock() -> MockServer {
    MockServer::start(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// `stories` with no `STORIES_*` variable of the caller's and no config file of the user's.
pub fn bare() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stories"));
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("STORIES_")) {
        cmd.env_remove(k);
    }
    cmd.env_remove("RUST_LOG");
    cmd.env(
        "XDG_CONFIG_HOME",
        std::env::temp_dir().join("stories-tests-no-config"),
    );
    cmd
}

/// `stories` pointed at `server` for every vendor.
pub fn stories(server: &MockServer) -> Command {
    let mut cmd = bare();
    for (k, v) in server.env() {
        cmd.env(k, v);
    }
    cmd
}

/// Runs `cmd` off the async runtime (the mock serves on it meanwhile).
pub async fn output(mut cmd: Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("{e}"))
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The records of `--format ndjson` output.
pub fn ndjson(out: &Output) -> Vec<serde_json::Value> {
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
}

/// Every file below `dir`, relative, sorted.
pub fn files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                out.push(rel.to_path_buf());
            }
        }
    }
    out.sort();
    out
}
