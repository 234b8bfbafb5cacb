//! Errors and warnings, each located in a vendor page where the input allows.

use std::fmt;

use miette::{Diagnostic, NamedSource, SourceSpan};

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
    source_code: Option<NamedSource<String>>,
}

impl IngestError {
    pub fn new(kind: ErrorKind, vendor: &str, message: impl Into<String>) -> Self {
        Self(Box::new(Details {
            kind,
            vendor: vendor.to_owned(),
            operation: None,
            location: None,
            message: message.into(),
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
            self.0.source_code = Some(NamedSource::new(loc.file.clone(), text.to_owned()));
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

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0
            .source_code
            .as_ref()
            .map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let loc = self.0.location.as_ref()?;
        self.0.source_code.as_ref()?;
        let span = SourceSpan::new(loc.offset.into(), 1);
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_with_span(Some("here".to_owned()), span),
        )))
    }
}

/// Something ingestion skipped or guessed that a reviewer should know about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub vendor: String,
    pub location: Option<Location>,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{loc}: ")?;
        }
        write!(f, "vendor {}: {}", self.vendor, self.message)
    }
}
