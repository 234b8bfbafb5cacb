//! How a response departed from the shape its vendor documents: JSON paths with counts, never
//! values, so a report can be logged and shared without leaking data.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// One kind of departure at one place.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DriftKind {
    /// A field the documentation always shows (required, or in every example) was absent.
    Missing,
    /// A field was null where the documentation never shows null.
    Null,
    /// A value of another JSON type than documented.
    Type { documented: String, found: String },
    /// A field the documentation does not mention.
    Undocumented,
    /// A list item that could not be identified, left out of the answer.
    Skipped { reason: String },
    /// Two forms of one id disagree (a number rounded on its way through a JavaScript service
    /// beside the exact decimal string): the string's digits were kept.
    Mismatch,
    /// The report was cut at [`MAX_ENTRIES`]: this many more entries were left out.
    LeftOut { entries: u64 },
}

/// The most entries one report keeps; the rest are counted in one `left_out` entry, so that a
/// body full of undocumented fields cannot flood a log.
pub const MAX_ENTRIES: usize = 40;

/// One entry of a drift summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftEntry {
    /// A JSON path: `$.data.items[].user.is_private`, with `[]` for every item of a list (a
    /// skipped item keeps its index, `$.items[3]`).
    pub path: String,
    #[serde(flatten)]
    pub kind: DriftKind,
    /// How many times it happened in the response.
    pub count: u64,
}

/// Every departure of one response, merged by path and kind, in path order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Drift {
    pub entries: Vec<DriftEntry>,
}

impl Drift {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Records one occurrence.
    pub fn record(&mut self, path: impl Into<String>, kind: DriftKind) {
        let path = path.into();
        match self
            .entries
            .iter_mut()
            .find(|e| e.path == path && e.kind == kind)
        {
            Some(e) => e.count += 1,
            None => self.entries.push(DriftEntry {
                path,
                kind,
                count: 1,
            }),
        }
    }

    /// A list item left out of the answer, and why.
    pub fn skipped(&mut self, path: impl Into<String>, reason: impl Into<String>) {
        self.record(
            path,
            DriftKind::Skipped {
                reason: reason.into(),
            },
        );
    }

    /// Adds every entry of `other`.
    pub fn merge(&mut self, other: Drift) {
        let mut by_key: BTreeMap<(String, DriftKind), u64> = BTreeMap::new();
        for e in self.entries.drain(..).chain(other.entries) {
            *by_key.entry((e.path, e.kind)).or_default() += e.count;
        }
        self.entries = by_key
            .into_iter()
            .map(|((path, kind), count)| DriftEntry { path, kind, count })
            .collect();
    }

    /// Entries in path order, then by kind.
    pub fn sorted(mut self) -> Self {
        self.merge(Drift::default());
        self
    }

    /// At most [`MAX_ENTRIES`] entries: skipped items and mismatches first (they change the
    /// answer), then the most frequent; what is cut is counted in a last `left_out` entry.
    pub fn capped(mut self) -> Self {
        if self.entries.len() <= MAX_ENTRIES {
            return self;
        }
        let weight = |e: &DriftEntry| {
            let answer = matches!(e.kind, DriftKind::Skipped { .. } | DriftKind::Mismatch);
            (std::cmp::Reverse(answer), std::cmp::Reverse(e.count))
        };
        self.entries
            .sort_by(|a, b| weight(a).cmp(&weight(b)).then(a.path.cmp(&b.path)));
        let cut = self.entries.split_off(MAX_ENTRIES - 1);
        let count = cut.iter().map(|e| e.count).sum();
        self.entries
            .sort_by(|a, b| (&a.path, &a.kind).cmp(&(&b.path, &b.kind)));
        self.entries.push(DriftEntry {
            path: "$".into(),
            kind: DriftKind::LeftOut {
                entries: cut.len() as u64,
            },
            count,
        });
        self
    }

    /// How many items were left out.
    pub fn skipped_items(&self) -> u64 {
        self.entries
            .iter()
            .filter(|e| matches!(e.kind, DriftKind::Skipped { .. }))
            .map(|e| e.count)
            .sum()
    }
}

impl fmt::Display for DriftEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let times = if self.count == 1 {
            String::new()
        } else {
            format!(" ×{}", self.count)
        };
        match &self.kind {
            DriftKind::Missing => write!(f, "{}: missing{times}", self.path),
            DriftKind::Null => write!(f, "{}: null{times}", self.path),
            DriftKind::Type { documented, found } => {
                write!(
                    f,
                    "{}: {found} where {documented} is documented{times}",
                    self.path
                )
            }
            DriftKind::Undocumented => write!(f, "{}: undocumented{times}", self.path),
            DriftKind::Skipped { reason } => write!(f, "{}: skipped, {reason}", self.path),
            DriftKind::Mismatch => write!(
                f,
                "{}: disagrees with the exact id string, whose digits were kept{times}",
                self.path
            ),
            DriftKind::LeftOut { entries } => {
                write!(
                    f,
                    "{entries} more entries ({} occurrences) left out",
                    self.count
                )
            }
        }
    }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.entries.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_report_is_capped_keeping_what_changed_the_answer() {
        let mut d = Drift::default();
        for i in 0..100 {
            for _ in 0..=i {
                d.record(format!("$.items[].field_{i:03}"), DriftKind::Undocumented);
            }
        }
        d.skipped("$.items[7]", "no decimal id");
        d.record("$.items[].pk", DriftKind::Mismatch);
        let capped = d.capped();
        assert_eq!(capped.entries.len(), MAX_ENTRIES);
        assert!(capped.entries.iter().any(|e| e.path == "$.items[7]"));
        assert!(capped.entries.iter().any(|e| e.kind == DriftKind::Mismatch));
        assert!(
            capped
                .entries
                .iter()
                .any(|e| e.path == "$.items[].field_099")
        );
        let last = capped
            .entries
            .last()
            .cloned()
            .unwrap_or_else(|| panic!("empty"));
        assert_eq!(last.kind, DriftKind::LeftOut { entries: 63 });
        assert_eq!(
            serde_json::to_value(&last).unwrap_or_default(),
            serde_json::json!({"path": "$", "kind": "left_out", "entries": 63, "count": last.count})
        );
    }

    #[test]
    fn entries_merge_by_path_and_kind_and_print_compactly() {
        let mut a = Drift::default();
        a.record("$.items[].user.is_private", DriftKind::Missing);
        a.record("$.items[].user.is_private", DriftKind::Missing);
        a.skipped("$.items[3]", "no `pk` or `id`");
        let mut b = Drift::default();
        b.record("$.items[].user.is_private", DriftKind::Missing);
        b.record(
            "$.count",
            DriftKind::Type {
                documented: "integer".into(),
                found: "string".into(),
            },
        );
        a.merge(b);
        assert_eq!(
            a.to_string(),
            "$.count: string where integer is documented; $.items[3]: skipped, no `pk` or `id`; $.items[].user.is_private: missing ×3"
        );
        assert_eq!(a.skipped_items(), 1);
        assert_eq!(
            serde_json::to_value(&a.entries[2]).unwrap_or_default(),
            serde_json::json!({"path": "$.items[].user.is_private", "kind": "missing", "count": 3})
        );
    }
}
