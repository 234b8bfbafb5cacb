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

impl Origin {
    /// Where `pointer` (or its nearest located ancestor) of this origin's document stands.
    pub fn locate(&self, page: &Page, pointer: &str) -> Location {
        let offset = self.positions.offset(pointer).unwrap_or(0);
        page.location_of_offset(self.yaml_offset + offset)
    }

    /// A fault in this origin's own document, located in `page` (this origin's page).
    pub fn error(&self, page: &Page, vendor: &str, fault: Fault) -> IngestError {
        IngestError::new(fault.kind, vendor, fault.message)
            .at(Some(self.locate(page, &fault.pointer)))
            .operation(walk::operation_of_pointer(&fault.pointer))
            .with_source(&page.text)
    }
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
        Some(origin.locate(&pages[origin.page], pointer))
    }

    /// Turns a fault into an error located in the pages, naming the operation.
    pub fn error(&self, pages: &[Page], vendor: &str, fault: Fault) -> IngestError {
        match self.owner(&fault.pointer) {
            Some(o) => {
                let origin = &self.origins[o];
                origin.error(&pages[origin.page], vendor, fault)
            }
            None => IngestError::new(fault.kind, vendor, fault.message)
                .operation(walk::operation_of_pointer(&fault.pointer)),
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
