//! What a regeneration does to the users of each crate, and the version it gets for it: the
//! committed client's `openapi.json` against the new one through `api-diff`, and the crate's
//! version bumped by semver from the committed one (0.x: a breaking change bumps the minor,
//! any other change the patch; no change keeps it), so that `regen --check` stays
//! deterministic — the committed tree always reviews as unchanged against itself.

use std::path::Path;

use serde_json::Value;
use toml_edit::DocumentMut;

use crate::GeneratedCrate;

/// One crate's review.
#[derive(Debug, Clone)]
pub struct Review {
    pub name: String,
    /// The committed version (none for a new crate).
    pub from: Option<String>,
    pub to: String,
    pub report: api_diff::Report,
}

impl Review {
    /// `hikerapi-client 0.1.0 → 0.2.0: 1 breaking, 0 warning, 1 info`, then the changes.
    pub fn to_text(&self) -> String {
        let versions = match &self.from {
            Some(from) if *from != self.to => format!("{from} → {}", self.to),
            Some(_) => self.to.clone(),
            None => format!("{} (new)", self.to),
        };
        format!(
            "{} {versions}\n{}",
            self.name,
            indent(&self.report.to_text())
        )
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

/// Reviews `krate` against its committed state under `root/generated/` and sets its version.
pub(crate) fn review(root: &Path, krate: &mut GeneratedCrate) -> Review {
    let dir = root.join("generated").join(&krate.name);
    let committed_doc = std::fs::read_to_string(dir.join("openapi.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok());
    let committed_version = std::fs::read_to_string(dir.join("Cargo.toml"))
        .ok()
        .and_then(|t| t.parse::<DocumentMut>().ok())
        .and_then(|d| d["package"]["version"].as_str().map(str::to_owned));
    let new_doc: Value = krate
        .files
        .get("openapi.json")
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or(Value::Null);
    let empty = serde_json::json!({"openapi": "3.0.3", "paths": {}});
    let report = api_diff::diff(committed_doc.as_ref().unwrap_or(&empty), &new_doc);
    let to = match (&committed_version, committed_doc.is_some()) {
        (Some(v), true) => next_version(v, &report),
        _ => "0.1.0".to_owned(),
    };
    if let Some(toml) = krate.files.get_mut("Cargo.toml")
        && let Ok(mut doc) = toml.parse::<DocumentMut>()
    {
        doc["package"]["version"] = toml_edit::value(to.clone());
        *toml = doc.to_string();
    }
    Review {
        name: krate.name.clone(),
        from: committed_version,
        to,
        report,
    }
}

/// The version after `report`, by semver from `version` (0.x: breaking bumps the minor).
fn next_version(version: &str, report: &api_diff::Report) -> String {
    let parts: Vec<u64> = version
        .split('.')
        .map(|p| p.parse().unwrap_or(0))
        .chain(std::iter::repeat(0))
        .take(3)
        .collect();
    let (major, minor, patch) = (parts[0], parts[1], parts[2]);
    if report.changes.is_empty() {
        return format!("{major}.{minor}.{patch}");
    }
    match (report.breaking(), major) {
        (true, 0) => format!("0.{}.0", minor + 1),
        (true, _) => format!("{}.0.0", major + 1),
        (false, _) => format!("{major}.{minor}.{}", patch + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(level: Option<api_diff::Level>) -> api_diff::Report {
        let changes = level
            .map(|level| api_diff::Change {
                id: "x",
                level,
                method: String::new(),
                path: String::new(),
                text: String::new(),
            })
            .into_iter()
            .collect();
        api_diff::Report {
            breaking: level == Some(api_diff::Level::Breaking),
            changes,
        }
    }

    #[test]
    fn versions_follow_semver_from_the_committed_one() {
        use api_diff::Level::{Breaking, Info};
        assert_eq!(next_version("0.1.0", &report(None)), "0.1.0");
        assert_eq!(next_version("0.1.0", &report(Some(Breaking))), "0.2.0");
        assert_eq!(next_version("0.2.3", &report(Some(Info))), "0.2.4");
        assert_eq!(next_version("1.4.2", &report(Some(Breaking))), "2.0.0");
        assert_eq!(next_version("1.4.2", &report(Some(Info))), "1.4.3");
    }
}
