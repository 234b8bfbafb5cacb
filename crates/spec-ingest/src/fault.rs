//! A failure found by a pure document transform, located by JSON pointer; the caller turns the
//! pointer into a page, line and column.

use crate::error::ErrorKind;

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
