//! File names from a template: `--filename '{owner}/{taken_at}_{id}.{ext}'`. Each field's value
//! is made safe for a file name; the template itself is checked once, at start.

use std::path::PathBuf;

use domain::Story;

/// The fields a template can use.
pub const FIELDS: &[(&str, &str)] = &[
    (
        "owner",
        "the account's username, else its id, else `unknown`",
    ),
    (
        "id",
        "the story's media id (required: it keeps names unique)",
    ),
    (
        "taken_at",
        "when it was posted, `20260309T123413Z`, else `unknown`",
    ),
    ("kind", "`image` or `video`"),
    ("ext", "`jpg`, `webp` or `mp4`, from the media's type"),
];

/// The default: `<id>.<ext>`.
pub const DEFAULT: &str = "{id}.{ext}";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Owner,
    Id,
    TakenAt,
    Kind,
    Ext,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Field(Field),
}

/// A checked file-name template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilenameTemplate {
    parts: Vec<Part>,
}

impl Default for FilenameTemplate {
    fn default() -> Self {
        Self::parse(DEFAULT).unwrap_or(Self { parts: Vec::new() })
    }
}

impl std::str::FromStr for FilenameTemplate {
    type Err = InvalidTemplate;

    fn from_str(s: &str) -> Result<Self, InvalidTemplate> {
        Self::parse(s)
    }
}

/// A `--filename` template that cannot name files, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidTemplate(String);

impl FilenameTemplate {
    /// Parses `{field}` placeholders among literal text; `/` makes folders below the download
    /// folder. Unknown fields, unclosed braces, absolute paths, `..` and a template without
    /// `{id}` (two stories would share a name) are errors.
    pub fn parse(template: &str) -> Result<Self, InvalidTemplate> {
        Self::parse_text(template).map_err(InvalidTemplate)
    }

    fn parse_text(template: &str) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find(['{', '}']) {
            if rest[open..].starts_with('}') {
                return Err(format!("`}}` without `{{` in `{template}`"));
            }
            if open > 0 {
                parts.push(Part::Literal(rest[..open].to_owned()));
            }
            let after = &rest[open + 1..];
            let close = after
                .find('}')
                .ok_or_else(|| format!("`{{` is never closed in `{template}`"))?;
            let name = &after[..close];
            let field = match name {
                "owner" => Field::Owner,
                "id" => Field::Id,
                "taken_at" => Field::TakenAt,
                "kind" => Field::Kind,
                "ext" => Field::Ext,
                other => {
                    return Err(format!(
                        "unknown field `{{{other}}}` in `{template}`; known: {}",
                        FIELDS
                            .iter()
                            .map(|(f, _)| format!("{{{f}}}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
            };
            parts.push(Part::Field(field));
            rest = &after[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_owned()));
        }
        if !parts.contains(&Part::Field(Field::Id)) {
            return Err(format!(
                "`{template}` has no `{{id}}`, so two stories would get one file name"
            ));
        }
        for part in &parts {
            if let Part::Literal(text) = part
                && (text.contains('\0') || text.contains('\\'))
            {
                return Err(format!("`{template}` contains a NUL or `\\`"));
            }
        }
        if template.starts_with('/') || template.split('/').any(|c| c == ".." || c == ".") {
            return Err(format!(
                "`{template}` must stay inside the download folder (no leading `/`, `.` or `..`)"
            ));
        }
        if template.ends_with('/') {
            return Err(format!("`{template}` ends with `/`: it names a folder"));
        }
        Ok(Self { parts })
    }

    /// The relative path of `story`'s media with extension `ext`.
    pub fn render(&self, story: &Story, ext: &str) -> PathBuf {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Field(field) => out.push_str(&safe(&value(*field, story, ext))),
            }
        }
        out.split('/').filter(|c| !c.is_empty()).collect()
    }
}

fn value(field: Field, story: &Story, ext: &str) -> String {
    match field {
        Field::Owner => story
            .owner
            .as_ref()
            .and_then(|o| o.username.clone().or_else(|| o.id.clone()))
            .unwrap_or_else(|| "unknown".to_owned()),
        Field::Id => story.id.clone(),
        Field::TakenAt => story.taken_at.map_or_else(
            || "unknown".to_owned(),
            |t| t.format("%Y%m%dT%H%M%SZ").to_string(),
        ),
        Field::Kind => serde_json::to_value(story.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "unknown".to_owned()),
        Field::Ext => ext.to_owned(),
    }
}

/// A value as one safe path component: only letters, digits, `.`, `_` and `-`, not starting
/// with `.` (no hidden files, no `..`), never empty.
fn safe(value: &str) -> String {
    let mut out: String = value
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with('.') {
        out.replace_range(..1, "_");
    }
    if out.is_empty() {
        out.push('_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn story() -> Story {
        serde_json::from_value(serde_json::json!({
            "id": "38490", "shortcode": null,
            "owner": {"id": "787132", "username": "nat/../geo", "full_name": null, "avatar_url": null, "verified": null, "private": null},
            "kind": "video", "taken_at": "2026-03-09T12:34:13Z", "expires_at": null,
            "images": [], "videos": [], "duration_seconds": null, "mentions": [], "hashtags": [], "links": [], "locations": [],
            "sponsors": [], "paid_partnership": null, "accessibility_caption": null, "permalink": null,
            "source": {"vendor": "keyapi", "operation": "fetch_user_stories"}
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn fields_render_safely() {
        let t = FilenameTemplate::parse("{owner}/{taken_at}_{id}.{kind}.{ext}")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            t.render(&story(), "mp4"),
            PathBuf::from("nat_.._geo/20260309T123413Z_38490.video.mp4")
        );
        assert_eq!(
            FilenameTemplate::default().render(&story(), "mp4"),
            PathBuf::from("38490.mp4")
        );
    }

    #[test]
    fn bad_templates_say_why() {
        for (t, says) in [
            ("{owner}.{ext}", "no `{id}`"),
            ("{id}.{extension}", "unknown field `{extension}`"),
            ("{id", "never closed"),
            ("id}", "without"),
            ("/tmp/{id}", "inside"),
            ("../{id}", "inside"),
            ("{owner}/", "no `{id}`"),
            ("{id}/", "folder"),
        ] {
            let err = FilenameTemplate::parse(t).expect_err(t);
            assert!(err.to_string().contains(says), "{t}: {err}");
        }
    }
}
