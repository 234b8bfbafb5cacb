//! The README's walkthroughs, run exactly as written: the `console` block under "Trying it
//! without keys", and the one of "Watching accounts", are each run by bash in an empty folder,
//! with this build's `stories` first on the `PATH`, and their output must match the block's,
//! `…` standing for anything.

use std::path::Path;

/// The commands (`$ ` lines) and the expected output lines of the first `console` block after
/// the README's line `heading`.
fn walkthrough(heading: &str) -> (Vec<String>, Vec<String>) {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .unwrap_or_else(|e| panic!("README.md: {e}"));
    let section = readme
        .split_once(heading)
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("the README has no section {heading}"));
    let block = section
        .split_once("```console\n")
        .and_then(|(_, rest)| rest.split_once("\n```"))
        .map(|(block, _)| block)
        .unwrap_or_else(|| panic!("the walkthrough has no console block"));
    let mut commands = Vec::new();
    let mut expected = Vec::new();
    for line in block.lines() {
        match line.strip_prefix("$ ") {
            Some(command) => commands.push(command.to_owned()),
            None => expected.push(line.to_owned()),
        }
    }
    (commands, expected)
}

/// Whether `actual` matches `expected`, where `…` in `expected` stands for anything.
fn matches(expected: &str, actual: &str) -> bool {
    let parts: Vec<&str> = expected.split('…').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return expected == actual;
    };
    let Some(mut rest) = actual.strip_prefix(first) else {
        return false;
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// A port free on loopback now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The walkthrough on a free port instead of the README's `--port N`: a mock the reader left
/// running on the README's port (as it invites) must not fail the test.
fn on_a_free_port(commands: &[String], expected: &[String]) -> (Vec<String>, Vec<String>) {
    let written = commands
        .iter()
        .find_map(|c| {
            let (_, after) = c.split_once("--port ")?;
            after.split_whitespace().next().map(str::to_owned)
        })
        .unwrap_or_else(|| panic!("the walkthrough starts no mock with --port: {commands:?}"));
    let free = free_port().to_string();
    let swap = |lines: &[String], from: &str, to: &str| -> Vec<String> {
        lines.iter().map(|l| l.replace(from, to)).collect()
    };
    let host = |port: &str| format!("127.0.0.1:{port}");
    let commands = swap(
        commands,
        &format!("--port {written}"),
        &format!("--port {free}"),
    );
    (
        swap(&commands, &host(&written), &host(&free)),
        swap(expected, &host(&written), &host(&free)),
    )
}

/// Runs `commands` as one bash script in `dir` (standard error merged into the output) and
/// checks each output line against `expected`.
fn run_as_written(commands: &[String], expected: &[String], dir: &Path) {
    let (commands, expected) = on_a_free_port(commands, expected);
    let bin = Path::new(env!("CARGO_BIN_EXE_stories"))
        .parent()
        .unwrap_or_else(|| panic!("no bin folder"))
        .to_path_buf();
    // The harness only makes sure the mock stops even when a command fails.
    let script = format!(
        "trap 'kill $STORIES_MOCK_PID 2>/dev/null' EXIT\n{}\n",
        commands.join("\n")
    );
    let mut bash = std::process::Command::new("bash");
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("STORIES_")) {
        bash.env_remove(k);
    }
    let out = bash
        .arg("-c")
        .arg(format!("exec 2>&1\n{script}"))
        .current_dir(dir)
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env_remove("RUST_LOG")
        .env("XDG_CONFIG_HOME", dir)
        .env("XDG_DATA_HOME", dir)
        .output()
        .unwrap_or_else(|e| panic!("bash: {e}"));
    let actual = String::from_utf8_lossy(&out.stdout);
    let actual: Vec<&str> = actual.lines().collect();
    let report = format!(
        "expected:\n{}\n\nactual:\n{}",
        expected.join("\n"),
        actual.join("\n")
    );
    assert_eq!(actual.len(), expected.len(), "{report}");
    for (e, a) in expected.iter().zip(&actual) {
        assert!(matches(e, a), "`{a}` does not match `{e}`\n\n{report}");
    }
}

#[test]
fn the_readme_walkthrough_runs_as_written() {
    let (commands, expected) = walkthrough("### Trying it without keys");
    assert!(commands.len() >= 5, "{commands:?}");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    run_as_written(&commands, &expected, dir.path());
    assert!(dir.path().join("media/3849025813912605899.jpg").is_file());
}

#[test]
fn the_readme_watch_walkthrough_runs_as_written() {
    let (commands, expected) = walkthrough("## Watching accounts");
    assert!(commands.len() >= 6, "{commands:?}");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    run_as_written(&commands, &expected, dir.path());
    assert!(dir.path().join("archive.db").is_file());
}

#[test]
fn ellipses_stand_for_anything() {
    assert!(matches("a…c", "abbbc"));
    assert!(matches("x=…", "x=1F"));
    assert!(matches("same", "same"));
    assert!(!matches("a…c", "abd"));
    assert!(!matches("same", "other"));
}
