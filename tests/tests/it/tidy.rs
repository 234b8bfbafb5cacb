//! Tidy checks, in the manner of rust-analyzer's `tidy.rs`: rules of the codebase that review
//! would otherwise have to remember. Every hand-written Rust file opens with a module doc, and
//! no code outside a vendor's own places names it — its `specs/` folder, its
//! `normalize-<vendor>` crate and its row in `VENDORS` — so that adding or removing a vendor
//! touches only those (tests, benches and examples may name vendors: they test them).

use std::fs;
use std::path::{Path, PathBuf};

use tests::repo_root;

/// Every `.rs` file below `dir`, skipping build output.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if ![
                "target",
                ".git",
                ".regen-staging",
                "generated",
                "workspace-hack",
            ]
            .contains(&name.as_str())
            {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

fn relative(path: &Path) -> String {
    path.strip_prefix(repo_root())
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn every_hand_written_source_file_has_a_module_doc() {
    let mut files = Vec::new();
    rust_files(&repo_root(), &mut files);
    assert!(files.len() > 100, "{} files", files.len());
    let missing: Vec<String> = files
        .iter()
        .filter(|f| {
            let text = fs::read_to_string(f).unwrap_or_default();
            !text
                .lines()
                .find(|l| !l.trim().is_empty())
                .is_some_and(|l| l.starts_with("//!"))
        })
        .map(|f| relative(f))
        .collect();
    assert!(missing.is_empty(), "no `//!` module doc: {missing:#?}");
}

/// The code of a source file: its test module (by convention last) and comments left out.
fn code_lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate().peekable();
    while let Some((i, line)) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed == "#[cfg(test)]"
            && lines
                .peek()
                .is_some_and(|(_, next)| next.trim_start().starts_with("mod "))
        {
            break;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        out.push((i + 1, line));
    }
    out
}

#[test]
fn no_code_names_a_vendor_outside_its_own_places() {
    let root = repo_root();
    let vendors: Vec<String> = spec_ingest::discover(&root.join("specs"))
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .filter_map(|d| Some(d.file_name()?.to_string_lossy().into_owned()))
        .collect();
    assert!(vendors.len() >= 4, "{vendors:?}");
    let mut files = Vec::new();
    for krate in fs::read_dir(root.join("crates"))
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(Result::ok)
    {
        rust_files(&krate.path().join("src"), &mut files);
    }
    let mut found = Vec::new();
    for file in &files {
        let at = relative(file);
        if at == "crates/stories/src/vendors.rs" {
            continue; // The rows.
        }
        let text = fs::read_to_string(file).unwrap_or_default();
        for (n, line) in code_lines(&text) {
            let lower = line.to_ascii_lowercase();
            for vendor in &vendors {
                if lower.contains(vendor.as_str())
                    && !at.starts_with(&format!("crates/normalize-{vendor}/"))
                {
                    found.push(format!("{at}:{n}: names {vendor}: {}", line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "vendors named outside their own places:\n{}",
        found.join("\n")
    );
}

/// The canonical document's `x-` extensions are named once, in `crates/canonical`: every other
/// library reads and writes them through its constants and typed forms.
#[test]
fn the_canonical_extensions_are_named_only_in_their_crate() {
    let root = repo_root();
    let names = [
        canonical::COST,
        canonical::INFERRED,
        canonical::ALIASES,
        canonical::CHUNK,
        canonical::EXAMPLE_SYNTHESIZED,
        canonical::UNTYPED_RESPONSES,
        canonical::UNSUPPORTED_PARAMETERS,
    ];
    let mut files = Vec::new();
    for krate in fs::read_dir(root.join("crates"))
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(Result::ok)
    {
        if krate.file_name() != "canonical" {
            rust_files(&krate.path().join("src"), &mut files);
        }
    }
    let mut found = Vec::new();
    // A `tests.rs` is a test module in a file of its own; tests may spell what they check.
    for file in files.iter().filter(|f| !f.ends_with("tests.rs")) {
        let text = fs::read_to_string(file).unwrap_or_default();
        for (n, line) in code_lines(&text) {
            for name in names {
                if line.contains(&format!("\"{name}\"")) {
                    found.push(format!("{}:{n}: {}", relative(file), line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "extensions spelled out of crates/canonical:\n{}",
        found.join("\n")
    );
}

/// The GitHub workflows run what `.ci/run` and the README say, not a copy of it that could drift.
#[test]
fn the_workflows_run_the_project_s_own_commands() {
    let root = repo_root();
    let read = |name: &str| {
        fs::read_to_string(root.join(".github/workflows").join(name))
            .unwrap_or_else(|e| panic!(".github/workflows/{name}: {e}"))
    };
    let ci = read("ci.yml");
    assert!(
        ci.contains("run: bash .ci/run"),
        "ci.yml must run .ci/run:\n{ci}"
    );
    assert!(ci.contains("pull_request"), "ci.yml runs on pull requests");
    let sync = read("docs-sync.yml");
    for command in [
        "cargo xtask pull",
        "cargo xtask regen",
        "cargo xtask api-diff",
    ] {
        assert!(sync.contains(command), "docs-sync.yml must run `{command}`");
    }
    assert!(
        sync.contains("schedule:"),
        "docs-sync.yml runs on a schedule"
    );
}
