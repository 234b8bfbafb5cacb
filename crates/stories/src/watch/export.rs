//! `stories watch export`: every archived story, streamed from the database in the order it
//! was first seen — JSONL (the domain `Story` plus an `archive` object) or CSV (one row per
//! story, for spreadsheets).

use std::io::Write;

use futures::TryStreamExt;
use serde::Serialize;
use serde_json::Value;
use sqlx::Row;

use super::WatchError;
use super::db::Database;

/// What to export.
#[derive(Debug, Clone, Default)]
pub struct ExportFilter {
    pub account: Option<String>,
    /// Stories first seen at or after this Unix time.
    pub since: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Jsonl,
    Csv,
}

#[derive(Serialize)]
struct MediaFile {
    path: String,
    sha256: String,
    bytes: i64,
}

#[derive(Serialize)]
struct ArchiveInfo<'a> {
    account: &'a str,
    first_seen: String,
    vendor: &'a str,
    media: Vec<MediaFile>,
    /// The archived highlights holding the story.
    highlights: &'a [String],
}

const CSV_HEADER: &str =
    "id,account,first_seen,taken_at,expires_at,kind,vendor,media_path,sha256,bytes\n";

fn rfc3339(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// One CSV field, quoted when it must be.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

impl Database {
    /// Writes the stories `filter` selects to `out`, one at a time; returns how many.
    pub async fn export(
        &self,
        filter: &ExportFilter,
        format: ExportFormat,
        out: &mut impl Write,
    ) -> Result<u64, WatchError> {
        let err = |e: sqlx::Error| self.error(&e);
        let io = |e: std::io::Error| WatchError::Client(format!("cannot write the export: {e}"));
        if format == ExportFormat::Csv {
            out.write_all(CSV_HEADER.as_bytes()).map_err(io)?;
        }
        // Highlight membership, read first: far fewer rows than stories.
        let mut memberships: std::collections::HashMap<String, Vec<String>> =
            std::collections::HashMap::new();
        for row in
            sqlx::query("SELECT highlight_id, story_id FROM highlight_items ORDER BY highlight_id")
                .fetch_all(self.pool())
                .await
                .map_err(err)?
        {
            let story: String = row.try_get("story_id").map_err(err)?;
            memberships
                .entry(story)
                .or_default()
                .push(row.try_get("highlight_id").map_err(err)?);
        }
        // Media rows are joined in (a story has at most a few files), ordered so that one
        // story's rows are adjacent.
        let mut rows = sqlx::query(
            "SELECT s.id, s.account, s.first_seen, s.taken_at, s.expires_at, s.vendor, s.story, m.path, m.sha256, m.bytes FROM stories s LEFT JOIN media m ON m.story_id = s.id AND m.path <> '' WHERE ($1 IS NULL OR s.account = $1) AND ($2 IS NULL OR s.first_seen >= $2) ORDER BY s.first_seen, s.id, m.path",
        )
        .bind(filter.account.as_deref())
        .bind(filter.since)
        .fetch(self.pool());
        let mut count = 0;
        let mut pending: Option<(Value, String, i64, String, Vec<MediaFile>)> = None;
        let flush = |pending: Option<(Value, String, i64, String, Vec<MediaFile>)>,
                     out: &mut dyn Write|
         -> std::io::Result<()> {
            let Some((mut story, account, first_seen, vendor, media)) = pending else {
                return Ok(());
            };
            match format {
                ExportFormat::Jsonl => {
                    let id = story["id"].as_str().unwrap_or_default();
                    let info = ArchiveInfo {
                        account: &account,
                        first_seen: rfc3339(first_seen),
                        vendor: &vendor,
                        media,
                        highlights: memberships.get(id).map_or(&[], Vec::as_slice),
                    };
                    if let Some(map) = story.as_object_mut() {
                        map.insert(
                            "archive".into(),
                            serde_json::to_value(info).unwrap_or_default(),
                        );
                    }
                    serde_json::to_writer(&mut *out, &story)?;
                    out.write_all(b"\n")
                }
                ExportFormat::Csv => {
                    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
                    let first = media.first();
                    let fields = [
                        text(&story["id"]),
                        account.clone(),
                        rfc3339(first_seen),
                        text(&story["taken_at"]),
                        text(&story["expires_at"]["at"]),
                        text(&story["kind"]),
                        vendor.clone(),
                        first.map(|m| m.path.clone()).unwrap_or_default(),
                        first.map(|m| m.sha256.clone()).unwrap_or_default(),
                        first.map(|m| m.bytes.to_string()).unwrap_or_default(),
                    ];
                    let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                    out.write_all(line.join(",").as_bytes())?;
                    out.write_all(b"\n")
                }
            }
        };
        while let Some(row) = rows.try_next().await.map_err(err)? {
            let id: String = row.try_get("id").map_err(err)?;
            let media = match row.try_get::<Option<String>, _>("path").map_err(err)? {
                Some(path) => Some(MediaFile {
                    path,
                    sha256: row.try_get("sha256").map_err(err)?,
                    bytes: row.try_get("bytes").map_err(err)?,
                }),
                None => None,
            };
            if let Some(current) = pending.as_mut()
                && current.0["id"].as_str() == Some(id.as_str())
            {
                current.4.extend(media);
                continue;
            }
            flush(pending.take(), out).map_err(io)?;
            count += 1;
            let story: Value =
                serde_json::from_str(&row.try_get::<String, _>("story").map_err(err)?)
                    .unwrap_or(Value::Null);
            pending = Some((
                story,
                row.try_get("account").map_err(err)?,
                row.try_get("first_seen").map_err(err)?,
                row.try_get("vendor").map_err(err)?,
                media.into_iter().collect(),
            ));
        }
        flush(pending.take(), out).map_err(io)?;
        out.flush().map_err(io)?;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
