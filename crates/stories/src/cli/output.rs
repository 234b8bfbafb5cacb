//! Results as they complete, in input order: one JSON array (whatever the number of inputs),
//! one JSON object per line, or tables. Each record is flushed when written, so a consumer
//! sees results while the batch runs; a closed pipe (`| head -1`) ends the run quietly.

use std::io::Write;

use comfy_table::{CellAlignment, ContentArrangement, Table, presets};
use domain::{Answer, Outcome, Story};
use serde::Serialize;
use stories::Report;
use stories::download::Downloaded;

use super::args::Format;

/// The result for one input.
#[derive(Debug, Serialize)]
pub struct Record {
    pub input: String,
    #[serde(flatten)]
    pub reply: Reply,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Reply {
    Answered {
        outcome: Box<Outcome<Answer>>,
        report: Report,
        /// With `--download`: what happened to every story's media.
        #[serde(skip_serializing_if = "Option::is_none")]
        downloads: Option<Vec<Downloaded>>,
        /// With `highlights --download`: the query for each highlight's items.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        highlight_items: Vec<HighlightItems>,
    },
    /// The input could not be asked: not a valid input, or no configured vendor can answer it.
    Error { error: String },
}

/// One highlight's items, asked to download them.
#[derive(Debug, Serialize)]
pub struct HighlightItems {
    pub highlight: String,
    /// `found`, `empty`, `not_found`, `private_account` or `failed`.
    pub outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub report: Report,
}

impl Record {
    /// Whether the input got an answer and every download landed.
    pub fn succeeded(&self) -> bool {
        match &self.reply {
            Reply::Answered {
                outcome,
                downloads,
                highlight_items,
                ..
            } => {
                outcome.is_answer()
                    && downloads
                        .as_ref()
                        .is_none_or(|d| !d.iter().any(Downloaded::is_failure))
                    && highlight_items.iter().all(|h| h.outcome != "failed")
            }
            Reply::Error { .. } => false,
        }
    }
}

/// Writes records to standard output in one format.
pub struct Printer {
    format: Format,
    out: std::io::Stdout,
    written: usize,
}

impl Printer {
    pub fn new(format: Format) -> Self {
        Self {
            format,
            out: std::io::stdout(),
            written: 0,
        }
    }

    pub fn record(&mut self, record: &Record) -> std::io::Result<()> {
        let text = match self.format {
            Format::Json => {
                let pretty = serde_json::to_string_pretty(record)?;
                // JSON strings hold no raw line breaks, so indenting by line is safe.
                let indented: Vec<String> = pretty.lines().map(|l| format!("  {l}")).collect();
                let open = if self.written == 0 { "[\n" } else { ",\n" };
                format!("{open}{}", indented.join("\n"))
            }
            Format::Ndjson => format!("{}\n", serde_json::to_string(record)?),
            Format::Table => table(record),
        };
        self.written += 1;
        let mut out = self.out.lock();
        out.write_all(text.as_bytes())?;
        out.flush()
    }

    /// Closes the JSON array (an empty one when there was no input).
    pub fn finish(&mut self) -> std::io::Result<()> {
        let mut out = self.out.lock();
        if self.format == Format::Json {
            out.write_all(if self.written == 0 { b"[]\n" } else { b"\n]\n" })?;
        }
        out.flush()
    }
}

fn table(record: &Record) -> String {
    let mut out = format!("== {}\n", record.input);
    let (outcome, report, downloads, highlight_items) = match &record.reply {
        Reply::Error { error } => {
            out.push_str(&format!("error: {error}\n"));
            return out;
        }
        Reply::Answered {
            outcome,
            report,
            downloads,
            highlight_items,
        } => (outcome, report, downloads, highlight_items),
    };
    match &**outcome {
        Outcome::Found(Answer::Stories(page)) => out.push_str(&story_table(&page.items)),
        Outcome::Found(Answer::Story(s)) => out.push_str(&story_table(std::slice::from_ref(s))),
        Outcome::Found(Answer::Highlight(h)) => {
            out.push_str(&format!(
                "highlight {} {:?}, {} items\n",
                h.id,
                h.title.clone().unwrap_or_default(),
                h.items.len()
            ));
            out.push_str(&story_table(&h.items));
        }
        Outcome::Found(Answer::Highlights(page)) => {
            let mut t = new_table(&["ID", "TITLE", "ITEMS", "OWNER"]);
            for h in &page.items {
                let owner = h
                    .owner
                    .as_ref()
                    .and_then(|o| o.username.clone())
                    .map(|u| format!("@{u}"))
                    .unwrap_or_default();
                let count = h
                    .item_count
                    .map_or_else(|| "-".to_owned(), |n| n.to_string());
                t.add_row(vec![
                    h.id.clone(),
                    h.title.clone().unwrap_or_default(),
                    count,
                    owner,
                ]);
            }
            if let Some(c) = t.column_mut(2) {
                c.set_cell_alignment(CellAlignment::Right);
            }
            out.push_str(&render(&t));
        }
        Outcome::Empty => out.push_str("no active stories\n"),
        Outcome::PrivateAccount => out.push_str("private account\n"),
        Outcome::NotFound => out.push_str("not found\n"),
        Outcome::Failed(f) => out.push_str(&format!("failed: {f}\n")),
    }
    attempts(&mut out, report, "");
    for h in highlight_items {
        let why = h
            .error
            .as_deref()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default();
        out.push_str(&format!(
            "  items of highlight {}: {}{why}\n",
            h.highlight, h.outcome
        ));
        attempts(&mut out, &h.report, "  ");
    }
    for d in downloads.iter().flatten() {
        out.push_str(&format!("{d}\n"));
    }
    out
}

fn attempts(out: &mut String, report: &Report, indent: &str) {
    for a in &report.attempts {
        let credits = a.credits_used.map_or_else(
            || "?".to_owned(),
            |c| {
                format!(
                    "{c}{}",
                    if a.credits_estimated {
                        " (documented)"
                    } else {
                        ""
                    }
                )
            },
        );
        out.push_str(&format!(
            "{indent}  via {} {}: {} — credits {credits}\n",
            a.vendor, a.operation, a.result
        ));
        // Drift only when the body was compared (`--drift`) or the normalizer left items out.
        match &a.drift {
            Some(drift) if drift.is_empty() => {
                out.push_str(&format!(
                    "{indent}    drift: none (matches the documented shape)\n"
                ));
            }
            Some(drift) => {
                for entry in &drift.entries {
                    out.push_str(&format!("{indent}    drift: {entry}\n"));
                }
            }
            None => {}
        }
    }
}

fn new_table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.to_vec());
    t
}

/// Columns two spaces apart, no border, no trailing blanks.
fn render(t: &Table) -> String {
    let mut t = t.clone();
    for c in t.column_iter_mut() {
        c.set_padding((0, 2));
    }
    let mut s = t.trim_fmt();
    s.push('\n');
    s
}

fn story_table(stories: &[Story]) -> String {
    let mut t = new_table(&["ID", "KIND", "TAKEN", "EXPIRES", "BEST MEDIA"]);
    for s in stories {
        let kind = serde_json::to_value(s.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let taken = s
            .taken_at
            .map(|t| t.format("%Y-%m-%d %H:%M:%SZ").to_string())
            .unwrap_or_default();
        let expires = s
            .expires_at
            .map(|e| {
                format!(
                    "{}{}",
                    e.at.format("%Y-%m-%d %H:%M:%SZ"),
                    if e.derived { "*" } else { "" }
                )
            })
            .unwrap_or_default();
        let media = s.best_media().map(|r| r.url.clone()).unwrap_or_default();
        t.add_row(vec![s.id.clone(), kind, taken, expires, media]);
    }
    render(&t)
}
