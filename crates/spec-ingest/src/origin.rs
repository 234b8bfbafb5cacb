//! Maps JSON pointers of a (merged) document back to the page, line and column they came from.

use crate::error::{ErrorKind, IngestError, Location};
use crate::fault::Fault;
use crate::source::Page;
use crate::walk;
use crate::yaml::Positions;

/// One parsed YAML block: which page, where the YAML starts, where each node is.
#[derive(Debug, Clone)]
pub struct Origin {
    pub page: usize,
    pub yaml_offset: usize,
    pub positions: Positions,
}

/// Which origin owns which part of a document.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    pub origins: Vec<Origin>,
    /// (pointer prefix, origin index); the longest matching prefix wins.
    pub owners: Vec<(String, usize)>,
}

impl Origins {
    pub fn add(&mut self, origin: Origin) -> usize {
        self.origins.push(origin);
        self.origins.len() - 1
    }

    pub fn own(&mut self, prefix: String, origin: usize) {
        self.owners.push((prefix, origin));
    }

    /// The origin that owns `pointer`.
    pub fn owner(&self, pointer: &str) -> Option<usize> {
        self.owners
            .iter()
            .filter(|(prefix, _)| {
                pointer.starts_with(prefix.as_str())
                    && (pointer.len() == prefix.len()
                        || pointer.as_bytes()[prefix.len()] == b'/'
                        || prefix.is_empty())
            })
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(_, o)| *o)
    }

    /// Where in the pages `pointer` (or its nearest located ancestor) stands.
    pub fn locate(&self, pages: &[Page], pointer: &str) -> Option<Location> {
        let origin = &self.origins[self.owner(pointer)?];
        let offset = origin.positions.offset(pointer).unwrap_or(0);
        Some(pages[origin.page].location_of_offset(origin.yaml_offset + offset))
    }

    /// Turns a fault into an error located in the pages, naming the operation.
    pub fn error(&self, pages: &[Page], vendor: &str, fault: Fault) -> IngestError {
        let location = self.locate(pages, &fault.pointer);
        let page_text = self
            .owner(&fault.pointer)
            .map(|o| pages[self.origins[o].page].text.as_str());
        let err = IngestError::new(fault.kind, vendor, fault.message)
            .at(location)
            .operation(walk::operation_of_pointer(&fault.pointer));
        match page_text {
            Some(text) => err.with_source(text),
            None => err,
        }
    }
}

/// An error at a byte offset of a page.
pub fn error_at(
    page: &Page,
    offset: usize,
    kind: ErrorKind,
    vendor: &str,
    message: impl Into<String>,
) -> IngestError {
    IngestError::new(kind, vendor, message)
        .at(Some(page.location_of_offset(offset)))
        .with_source(&page.text)
}
