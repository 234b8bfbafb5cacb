//! `cargo xtask api-diff`: what the change between two OpenAPI documents does to users of the
//! generated clients. Without arguments, each vendor's committed
//! `generated/<crate>/openapi.json` at git `HEAD` against the working tree's; with one, at
//! that revision; with two, two files (JSON or YAML, 3.0 or 3.1).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// How the report is printed.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// One comparison: a name for the heading and the two documents.
struct Pair {
    name: String,
    old: Value,
    new: Value,
}

/// Runs the comparison; returns what to print and whether anything breaks.
pub fn run(root: &Path, args: &[String], format: Format) -> Result<(String, bool), String> {
    let pairs = match args {
        [] => committed(root, "HEAD")?,
        [revision] => committed(root, revision)?,
        [old, new] => vec![Pair {
            name: format!("{old} → {new}"),
            old: read_file(Path::new(old))?,
            new: read_file(Path::new(new))?,
        }],
        _ => return Err("api-diff takes no argument, a git revision, or two files".into()),
    };
    let mut breaking = false;
    let mut text = String::new();
    let mut reports = serde_json::Map::new();
    for pair in pairs {
        let report = api_diff::diff(&pair.old, &pair.new);
        breaking |= report.breaking();
        match format {
            Format::Text => {
                text.push_str(&format!("== {}\n", pair.name));
                text.push_str(&report.to_text());
            }
            Format::Json => {
                reports.insert(
                    pair.name,
                    serde_json::to_value(&report).map_err(|e| e.to_string())?,
                );
            }
        }
    }
    if let Format::Json = format {
        // One report per vendor, keyed by crate; a single pair of files prints its report alone.
        let value = if args.len() == 2 {
            reports
                .into_iter()
                .next()
                .map(|(_, v)| v)
                .unwrap_or_default()
        } else {
            Value::Object(reports)
        };
        text = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())? + "\n";
    }
    Ok((text, breaking))
}

fn read_file(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    spec_ingest::read_openapi_document(&path.display().to_string(), &text)
        .map_err(|e| format!("{:?}", miette::Report::new(e)))
}

/// Each generated crate's document at `revision` and in the working tree.
fn committed(root: &Path, revision: &str) -> Result<Vec<Pair>, String> {
    let verify = git(
        root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{revision}^{{commit}}"),
        ],
    )?;
    if verify.is_none() {
        return Err(format!(
            "`{revision}` is not a git revision of this repository"
        ));
    }
    let generated = root.join("generated");
    let mut crates: Vec<PathBuf> = std::fs::read_dir(&generated)
        .map_err(|e| format!("cannot read {}: {e}", generated.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("openapi.json").is_file())
        .collect();
    crates.sort();
    let mut pairs = Vec::new();
    for dir in crates {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let rel = format!("generated/{name}/openapi.json");
        let new = read_file(&dir.join("openapi.json"))?;
        // A crate new since the revision is compared against an empty document.
        let old = match git(root, &["show", &format!("{revision}:{rel}")])? {
            Some(text) => {
                serde_json::from_str(&text).map_err(|e| format!("{rel} at {revision}: {e}"))?
            }
            None => serde_json::json!({"openapi": "3.0.3", "paths": {}}),
        };
        pairs.push(Pair { name, old, new });
    }
    Ok(pairs)
}

/// `git args` in `root`: its output, `None` when git says no (an unknown path or revision).
fn git(root: &Path, args: &[&str]) -> Result<Option<String>, String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    Ok(out
        .status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned()))
}
