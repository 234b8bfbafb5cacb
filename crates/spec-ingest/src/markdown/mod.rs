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
use crate::fault::PageFault;
use crate::origin::Origins;

/// A document built from markdown pages, with where each part came from.
#[derive(Debug)]
pub struct Parsed {
    pub doc: Value,
    pub origins: Origins,
}

/// Parses the vendor's pages — the first `pages` files of the context (the overlay, if any,
/// follows them) — into one document, with what was skipped or guessed.
pub fn parse_pages(
    ctx: &Ctx<'_>,
    pages: usize,
    title: &str,
) -> Result<(Parsed, Vec<Warning>), IngestError> {
    let mut notes = Vec::new();
    let mut endpoints = Vec::new();
    let mut auth: Option<String> = None;
    for (index, page) in ctx.pages.iter().enumerate().take(pages) {
        let found = scan::parse_page(index, page, &mut notes).map_err(|f| ctx.at(f))?;
        if found.endpoints.is_empty() {
            // An emptied or truncated page would otherwise drop its operations in silence.
            return Err(ctx.at(PageFault::new(
                ErrorKind::NoSpec,
                index,
                0,
                "this page documents no endpoint (no `GET /v1/...` line); every page in a vendor's folder must, so that a page emptied or cut short is not read as operations removed",
            )));
        }
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
    // A page's file name tells its objects apart from another page's of the same name.
    let stems: Vec<String> = ctx
        .pages
        .iter()
        .map(|p| {
            let file = p.path.rsplit('/').next().unwrap_or(&p.path);
            file.rsplit_once('.')
                .map_or(file, |(stem, _)| stem)
                .to_owned()
        })
        .collect();
    let parsed = document::build_document(&stems, title, endpoints, auth, &mut notes)
        .map_err(|f| ctx.at(f))?;
    Ok((parsed, notes.into_iter().map(|n| ctx.warning(n)).collect()))
}
