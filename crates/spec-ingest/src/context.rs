//! What every ingestion step shares: the vendor and its files. The one place where faults of
//! readers (page offsets) and of transforms (JSON pointers) become located [`IngestError`]s.

use crate::error::{ErrorKind, IngestError, Warning};
use crate::fault::{Fault, PageFault, PageNote};
use crate::origin::Origins;
use crate::source::Page;
use crate::walk;

/// One vendor's ingestion: its name and every file read (pages, then the overlay).
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub vendor: &'a str,
    pub pages: &'a [Page],
}

impl Ctx<'_> {
    /// A reader's fault, located in its page.
    pub fn at(&self, fault: PageFault) -> IngestError {
        let Some(page) = self.pages.get(fault.page) else {
            return IngestError::new(fault.kind, self.vendor, fault.message)
                .operation(fault.operation);
        };
        let related = fault
            .related
            .and_then(|(p, offset)| Some(self.pages.get(p)?.location_of_offset(offset)));
        IngestError::new(fault.kind, self.vendor, fault.message)
            .at(Some(page.location_of_offset(fault.offset)))
            .related(related)
            .operation(fault.operation)
            .with_source(&page.text)
    }

    /// A transform's fault, located through the document's origins (or unlocated when no page
    /// owns the pointer).
    pub fn located(&self, origins: &Origins, fault: Fault) -> IngestError {
        let operation = walk::operation_of_pointer(&fault.pointer);
        match origins.place(&fault.pointer) {
            Some((page, offset)) => self.at(PageFault::new(
                fault.kind,
                page,
                offset,
                fault.message,
            )
            .operation(operation)),
            None => IngestError::new(fault.kind, self.vendor, fault.message).operation(operation),
        }
    }

    /// A failure no single place of the pages explains.
    pub fn error(&self, kind: ErrorKind, message: impl Into<String>) -> IngestError {
        IngestError::new(kind, self.vendor, message)
    }

    /// A reader's note, located in its page; a second place it involves is named in the message.
    pub fn warning(&self, note: PageNote) -> Warning {
        let place = |(p, o): (usize, usize)| Some(self.pages.get(p)?.location_of_offset(o));
        let mut message = note.message;
        if let Some(other) = note.related.and_then(place) {
            message.push_str(&format!(" (the other place: {other})"));
        }
        Warning {
            vendor: self.vendor.to_owned(),
            location: note.location.and_then(place),
            message,
            known: None,
        }
    }

    /// A warning about the part of the document at `pointer`.
    pub fn warning_at(&self, origins: &Origins, pointer: &str, message: String) -> Warning {
        Warning {
            vendor: self.vendor.to_owned(),
            location: origins
                .place(pointer)
                .and_then(|(p, o)| Some(self.pages.get(p)?.location_of_offset(o))),
            message,
            known: None,
        }
    }
}
