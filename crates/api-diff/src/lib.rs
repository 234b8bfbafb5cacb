//! What a change between two OpenAPI 3.0 documents does to users of the Rust client generated
//! from them. Each change gets one of oasdiff's rule ids and a level judged for a typed Rust
//! client: `breaking` where code that compiled and ran against the old client fails to compile
//! or fails to decode an answer against the new one (a removed response field, a parameter
//! that became required, an enum value added to a response), `warning` where it may, `info`
//! otherwise. The levels are meant never to be laxer than oasdiff's for the rules covered, and
//! are stricter where a Rust type is (oasdiff judges for HTTP clients in general: removing an
//! optional response property is info there, a removed struct field here).
//!
//! ```
//! let old = serde_json::json!({"openapi": "3.0.3", "paths": {"/a": {"get": {"responses": {"200": {"description": "OK"}}}}}});
//! let new = serde_json::json!({"openapi": "3.0.3", "paths": {}});
//! let report = api_diff::diff(&old, &new);
//! assert!(report.breaking());
//! assert_eq!(report.changes[0].id, "api-removed-without-deprecation");
//! ```

mod operations;
mod resolve;
mod schema;

use std::fmt;

use serde::Serialize;
use serde_json::Value;

/// How a change affects users of the generated client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Breaking,
    Warning,
    Info,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Self::Breaking => "breaking",
            Self::Warning => "warning",
            Self::Info => "info",
        })
    }
}

/// One classified change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// oasdiff's rule id (`response-property-removed`).
    pub id: &'static str,
    pub level: Level,
    /// `GET`, or empty for a change outside operations.
    pub method: String,
    pub path: String,
    /// What changed, where: `the response property `items[].caption` was removed`.
    pub text: String,
}

/// Every change between two documents, breaking first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub breaking: bool,
    pub changes: Vec<Change>,
}

impl Report {
    pub fn breaking(&self) -> bool {
        self.breaking
    }

    /// How many changes have `level`.
    pub fn count(&self, level: Level) -> usize {
        self.changes.iter().filter(|c| c.level == level).count()
    }

    /// One line per change, breaking first, then a summary line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for c in &self.changes {
            let place = if c.method.is_empty() {
                c.path.clone()
            } else {
                format!("{} {}", c.method, c.path)
            };
            out.push_str(&format!("{:<8} {place}: {} [{}]\n", c.level, c.text, c.id));
        }
        out.push_str(&format!(
            "{} breaking, {} warning, {} info\n",
            self.count(Level::Breaking),
            self.count(Level::Warning),
            self.count(Level::Info)
        ));
        out
    }
}

/// Classifies every change from `old` to `new` (OpenAPI 3.0 documents as JSON values).
pub fn diff(old: &Value, new: &Value) -> Report {
    let mut changes = operations::diff(old, new);
    // Breaking first; within a level, in the order of the paths.
    changes.sort_by(|a, b| {
        (a.level, &a.path, &a.method, a.id, &a.text)
            .cmp(&(b.level, &b.path, &b.method, b.id, &b.text))
    });
    changes.dedup();
    Report {
        breaking: changes.iter().any(|c| c.level == Level::Breaking),
        changes,
    }
}
