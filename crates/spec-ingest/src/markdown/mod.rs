//! Rendered endpoint pages in plain text (HikerAPI's style) → an OpenAPI 3.0.3 document.
//!
//! A page is a preamble (title, prose with the authentication sentence) followed by endpoint
//! sections: an endpoint line (`GET /v1/...`), prose ("Returns a Story object", "Billing: 2
//! requests per call"), a parameter table whose rows may be broken across lines, and an
//! unfenced JSON example. A "Deprecated endpoints" section lists struck-through endpoints
//! (`~~GET /v1/...~~`). Parsing follows that structure, not any page's exact text: unknown lines
//! are skipped with a warning, malformed tables and examples are located errors.
//!
//! Objects named by "Returns a X object" become components whose schema is inferred from every
//! example of X on every page; nested objects shaped like a named object refer to it, and nested
//! objects that recur in several places (the user object) become one shared component.

mod components;
mod document;
mod scan;
#[cfg(test)]
mod tests;

use serde_json::Value;

use crate::context::Ctx;
use crate::error::{ErrorKind, IngestError, Warning};
use crate::origin::Origins;

/// A document built from markdown pages, with where each part came from.
#[derive(Debug)]
pub struct Parsed {
    pub doc: Value,
    pub origins: Origins,
}

/// Parses every page of a vendor into one document, with what was skipped or guessed.
pub fn parse_pages(ctx: &Ctx<'_>, title: &str) -> Result<(Parsed, Vec<Warning>), IngestError> {
    let mut notes = Vec::new();
    let mut endpoints = Vec::new();
    let mut auth: Option<String> = None;
    for (index, page) in ctx.pages.iter().enumerate() {
        let found = scan::parse_page(index, page, &mut notes).map_err(|f| ctx.at(f))?;
        if auth.is_none() {
            auth = found.auth;
        }
        endpoints.extend(found.endpoints);
    }
    if endpoints.is_empty() {
        return Err(ctx.error(
            ErrorKind::NoSpec,
            "no endpoint lines (`GET /v1/...`) in any page",
        ));
    }
    let parsed = document::build_document(ctx.pages.len(), title, endpoints, auth, &mut notes)
        .map_err(|f| ctx.at(f))?;
    Ok((parsed, notes.into_iter().map(|n| ctx.warning(n)).collect()))
}
