//! Failures before they are located: transforms name a JSON pointer into the document
//! ([`Fault`]), readers a byte offset into one of the vendor's pages ([`PageFault`]). One place,
//! [`crate::context::Ctx`], turns either into an [`crate::IngestError`] with page, line, column,
//! vendor and operation.

use crate::error::ErrorKind;

/// A failure found by a pure document transform, located by JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub kind: ErrorKind,
    /// JSON pointer into the document being transformed.
    pub pointer: String,
    pub message: String,
}

impl Fault {
    pub fn new(kind: ErrorKind, pointer: &str, message: impl Into<String>) -> Self {
        Self {
            kind,
            pointer: pointer.to_owned(),
            message: message.into(),
        }
    }
}

/// A failure found while reading a page, at a byte offset of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageFault {
    pub kind: ErrorKind,
    /// Index of the page among the vendor's files.
    pub page: usize,
    pub offset: usize,
    pub message: String,
    /// `GET /v1/path`, when the failure belongs to one operation.
    pub operation: Option<String>,
    /// A second place involved, as (page, offset): the other page of a conflict.
    pub related: Option<(usize, usize)>,
}

impl PageFault {
    pub fn new(kind: ErrorKind, page: usize, offset: usize, message: impl Into<String>) -> Self {
        Self {
            kind,
            page,
            offset,
            message: message.into(),
            operation: None,
            related: None,
        }
    }

    pub fn operation(mut self, operation: Option<String>) -> Self {
        self.operation = operation;
        self
    }

    pub fn related(mut self, page: usize, offset: usize) -> Self {
        self.related = Some((page, offset));
        self
    }
}

/// Something a reader skipped or guessed, at a byte offset of a page when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageNote {
    /// (page, byte offset).
    pub location: Option<(usize, usize)>,
    pub message: String,
    /// A second place involved, as (page, offset): the other page of a disagreement.
    pub related: Option<(usize, usize)>,
}

impl PageNote {
    pub fn at(page: usize, offset: usize, message: impl Into<String>) -> Self {
        Self {
            location: Some((page, offset)),
            message: message.into(),
            related: None,
        }
    }

    pub fn general(message: impl Into<String>) -> Self {
        Self {
            location: None,
            message: message.into(),
            related: None,
        }
    }

    pub fn related(mut self, page: usize, offset: usize) -> Self {
        self.related = Some((page, offset));
        self
    }
}
