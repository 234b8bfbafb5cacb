//! Errors and warnings, each located in a vendor page where the input allows.

use std::fmt;

use miette::{Diagnostic, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// A position in one of the vendor's files (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Path of the page, relative to the repository root (`specs/<vendor>/<page>`).
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Byte offset into the file, for diagnostics that underline the source.
    pub offset: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// What went wrong, so callers and tests can tell failures apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file could not be read.
    Io,
    /// The vendor manifest or overlay is malformed.
    Manifest,
    /// A file is not UTF-8 text (or holds a NUL byte).
    NotText,
    /// The embedded YAML does not parse.
    Yaml,
    /// A page holds no API description at all.
    NoSpec,
    /// A `$ref` points at nothing.
    DanglingRef,
    /// An example for a JSON body is not JSON.
    ExampleNotJson,
    /// An OpenAPI 3.1 construct that has no 3.0 equivalent where it stands.
    Unsupported,
    /// Two pages define the same thing differently.
    Conflict,
    /// An overlay action does not apply.
    Overlay,
    /// A markdown endpoint page is malformed.
    Markdown,
    /// The document is structurally not OpenAPI.
    Structure,
}

/// An ingestion failure: what, for which vendor and operation, and where.
#[derive(Debug, thiserror::Error)]
pub struct IngestError(Box<Details>);

#[derive(Debug)]
struct Details {
    kind: ErrorKind,
    vendor: String,
    operation: Option<String>,
    location: Option<Location>,
    message: String,
    related: Option<Location>,
    source_code: Option<Excerpt>,
}

/// The most characters of a vendor's text an error or warning quotes.
pub const QUOTE_CHARS: usize = 80;

/// The most characters an error message holds: a backstop for a quote no site bounded.
const MESSAGE_CHARS: usize = 2_000;

/// `text` cut to `max` characters, saying how many were left out: what messages quote of a
/// vendor's text, which may be a 140,000-character line.
pub fn excerpt(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_owned();
    }
    let head: String = text.chars().take(max).collect();
    format!("{head}… ({} more characters)", count - max)
}

impl IngestError {
    pub fn new(kind: ErrorKind, vendor: &str, message: impl Into<String>) -> Self {
        Self(Box::new(Details {
            kind,
            vendor: excerpt(vendor, QUOTE_CHARS),
            operation: None,
            location: None,
            message: excerpt(&message.into(), MESSAGE_CHARS),
            related: None,
            source_code: None,
        }))
    }

    pub fn at(mut self, location: Option<Location>) -> Self {
        self.0.location = location;
        self
    }

    pub fn operation(mut self, operation: Option<String>) -> Self {
        if operation.is_some() {
            self.0.operation = operation;
        }
        self
    }

    pub fn related(mut self, related: Option<Location>) -> Self {
        self.0.related = related;
        self
    }

    /// Attaches the text of the file named in the location, so diagnostics can show the line.
    pub fn with_source(mut self, text: &str) -> Self {
        if let Some(loc) = &self.0.location {
            self.0.source_code = Some(Excerpt::around(&loc.file, text, loc.offset));
        }
        self
    }

    /// Appends a sentence to the message.
    pub fn append(mut self, more: &str) -> Self {
        self.0.message.push_str(more);
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    pub fn vendor(&self) -> &str {
        &self.0.vendor
    }

    /// `GET /v1/path` when the failure belongs to one operation.
    pub fn operation_name(&self) -> Option<&str> {
        self.0.operation.as_deref()
    }

    pub fn location(&self) -> Option<&Location> {
        self.0.location.as_ref()
    }

    /// A second place involved (the other page of a conflict).
    pub fn related_location(&self) -> Option<&Location> {
        self.0.related.as_ref()
    }

    pub fn message(&self) -> &str {
        &self.0.message
    }
}

impl fmt::Display for IngestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.0;
        if let Some(loc) = &d.location {
            write!(f, "{loc}: ")?;
        }
        write!(f, "vendor {}", d.vendor)?;
        if let Some(op) = &d.operation {
            write!(f, ", operation {op}")?;
        }
        write!(f, ": {}", d.message)?;
        if let Some(rel) = &d.related {
            write!(f, " (see also {rel})")?;
        }
        Ok(())
    }
}

impl Diagnostic for IngestError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(
            format!("spec_ingest::{:?}", self.0.kind).to_lowercase(),
        ))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.0.source_code.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let excerpt = self.0.source_code.as_ref()?;
        let span = SourceSpan::new(excerpt.label.into(), 1);
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_with_span(Some("here".to_owned()), span),
        )))
    }
}

/// The lines around an error, each cut to a readable width: a page may hold a 60 KB line (a
/// minified example), and a diagnostic that echoes it helps nobody.
#[derive(Debug)]
struct Excerpt {
    name: String,
    text: String,
    /// 0-based line number of the excerpt's first line in the file.
    first_line: usize,
    /// The error's offset in `text`.
    label: usize,
    /// The error's line in `text`, and how far (in bytes, as miette counts columns) its
    /// column moved by the cut.
    label_line: usize,
    column_shift: isize,
}

/// Widest line an excerpt shows, in characters.
const WIDTH: usize = 160;
/// Lines of context an excerpt keeps on each side.
const CONTEXT: usize = 2;

impl Excerpt {
    fn around(name: &str, source: &str, offset: usize) -> Self {
        let offset = offset.min(source.len());
        let line_of = source[..offset].matches('\n').count();
        let first_line = line_of.saturating_sub(CONTEXT);
        let mut text = String::new();
        let mut label = 0;
        let mut column_shift = 0;
        let mut line_start = 0;
        for (n, line) in source.split_inclusive('\n').enumerate() {
            let start = line_start;
            line_start += line.len();
            if n < first_line {
                continue;
            }
            if n > line_of + CONTEXT {
                break;
            }
            let body = line.trim_end_matches(['\n', '\r']);
            let column = if n == line_of { offset - start } else { 0 };
            let (cut, at) = cut_line(body, column.min(body.len()));
            if n == line_of {
                label = text.len() + at;
                column_shift = column.min(body.len()) as isize - at as isize;
            }
            text.push_str(&cut);
            text.push('\n');
        }
        Self {
            name: name.to_owned(),
            text,
            first_line,
            label,
            label_line: line_of - first_line,
            column_shift,
        }
    }
}

/// `line` cut to [`WIDTH`] characters around byte `column`, with `…` where it was cut; and
/// where `column` lands in the result.
fn cut_line(line: &str, column: usize) -> (String, usize) {
    if line.chars().count() <= WIDTH {
        return (line.to_owned(), column);
    }
    let column = (0..=column)
        .rev()
        .find(|&c| line.is_char_boundary(c))
        .unwrap_or(0);
    let before: Vec<(usize, char)> = line[..column].char_indices().collect();
    let start = before
        .len()
        .checked_sub(WIDTH / 3)
        .map_or(0, |i| before[i].0);
    let end = line[start..]
        .char_indices()
        .nth(WIDTH)
        .map_or(line.len(), |(i, _)| start + i);
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let at = out.len() + column - start;
    out.push_str(&line[start..end]);
    if end < line.len() {
        out.push('…');
    }
    (out, at)
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            // Columns on the error's line count the characters cut away.
            if inner.line() == self.label_line {
                inner.column().saturating_add_signed(self.column_shift)
            } else {
                inner.column()
            },
            inner.line_count(),
        )))
    }
}

/// Something ingestion skipped or guessed that a reviewer should know about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub vendor: String,
    pub location: Option<Location>,
    pub message: String,
    /// Why the warning is expected, when the vendor's manifest lists it as known.
    pub known: Option<String>,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{loc}: ")?;
        }
        write!(f, "vendor {}: {}", self.vendor, self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_cut_around_the_error_and_lines_keep_their_numbers() {
        let long = format!(
            "{{\"a\": \"{}\", \"b\": tru, \"c\": \"{}\"}}",
            "x".repeat(30_000),
            "y".repeat(30_000)
        );
        let text = format!("# Page\n\nSome prose.\n{long}\nafter\n");
        let offset = text.find("tru,").unwrap_or(0);
        let err = IngestError::new(ErrorKind::ExampleNotJson, "v", "not JSON")
            .at(Some(Location {
                file: "specs/v/p.md".into(),
                line: 4,
                column: 1,
                offset,
            }))
            .with_source(&text);
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                .with_width(200);
        let mut out = String::new();
        handler
            .render_report(&mut out, &err)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(out.len() < 2_000, "{} bytes:\n{out}", out.len());
        assert!(out.contains("tru,"), "{out}");
        let column = offset - text[..offset].rfind('\n').map_or(0, |n| n + 1) + 1;
        assert!(out.contains(&format!("[specs/v/p.md:4:{column}]")), "{out}");
        assert!(out.contains("…"), "{out}");
    }
}
