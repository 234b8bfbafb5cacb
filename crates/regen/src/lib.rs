//! `cargo xtask regen`: ingests every vendor under `specs/` and writes one typed client crate
//! per vendor under `generated/`, all or nothing.
//!
//! [`plan`] computes every file in memory; [`apply`] writes them aside and swaps them in, or in
//! check mode compares them with the tree and reports what is stale.

mod bodies;
mod codegen;
mod doc_text;
mod files;
mod manifest;
pub mod review;
mod structure;
pub mod swap;
mod vendor_items;
mod workspace;

use std::path::{Path, PathBuf};

pub use codegen::{GeneratedCrate, generate_client};
pub use files::{CheckReport, apply, check};

/// A regen failure: ingestion (located in a page) or generation (naming vendor and operation).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum RegenError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Ingest(#[from] spec_ingest::IngestError),
    #[error("vendor {vendor}{}: {message}", operation.as_ref().map(|o| format!(", operation {o}")).unwrap_or_default())]
    Generate {
        vendor: String,
        operation: Option<String>,
        message: String,
    },
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    /// The workspace the generated crates join would not load with them.
    #[error("{path}: {message}")]
    Workspace { path: PathBuf, message: String },
    #[error("no vendor named `{0}` under specs/ (known: {1})")]
    UnknownVendor(String, String),
}

/// How a regen failure reads in a terminal: the message, then the page excerpt with the place
/// underlined, without colour, `width` columns wide. `cargo xtask regen` prints the same
/// report (in colour on a terminal).
pub fn render(err: &RegenError, width: usize) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(width);
    let mut out = String::new();
    if handler.render_report(&mut out, err).is_err() {
        out = err.to_string();
    }
    out
}

/// Everything regen would write for a set of vendors.
#[derive(Debug)]
pub struct Plan {
    pub crates: Vec<GeneratedCrate>,
    pub warnings: Vec<spec_ingest::Warning>,
    /// What each crate's change does to its users, and the version it gets for it.
    pub reviews: Vec<review::Review>,
    /// True when the plan covers every vendor, so crates without a vendor are stale.
    pub complete: bool,
}

/// Ingests and generates every vendor under `root/specs` (or only `only`), in memory.
pub fn plan(root: &Path, only: Option<&str>) -> Result<Plan, RegenError> {
    let specs = root.join("specs");
    let dirs = spec_ingest::discover(&specs)?;
    let names: Vec<String> = dirs
        .iter()
        .filter_map(|d| d.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    if let Some(one) = only
        && !names.iter().any(|n| n == one)
    {
        return Err(RegenError::UnknownVendor(one.to_owned(), names.join(", ")));
    }
    // Every manifest is read (even with `only`): crate names must be unique across vendors.
    let specs = dirs
        .iter()
        .map(|dir| spec_ingest::load_vendor(root, dir))
        .collect::<Result<Vec<_>, _>>()?;
    check_crate_names(root, &specs)?;
    let mut crates = Vec::new();
    let mut warnings = Vec::new();
    let mut reviews = Vec::new();
    for (spec, name) in specs.iter().zip(&names) {
        if only.is_some_and(|o| o != name) {
            continue;
        }
        let canonical = spec_ingest::ingest(spec)?;
        warnings.extend(canonical.warnings.iter().cloned());
        warnings.extend(removed_operations(root, &canonical));
        let mut krate = generate_client(&canonical)?;
        reviews.push(review::review(root, &mut krate));
        crates.push(krate);
    }
    workspace::check_inherited(root, &crates)?;
    Ok(Plan {
        crates,
        warnings,
        reviews,
        complete: only.is_none(),
    })
}

/// A generated crate's name must be its own: not another vendor's (one would overwrite the
/// other), not a hand-written crate's of this workspace (`crates/*`, `tests`, `xtask`).
fn check_crate_names(root: &Path, specs: &[spec_ingest::VendorSpec]) -> Result<(), RegenError> {
    let mut hand_written: Vec<String> = vec!["tests".into(), "xtask".into()];
    if let Ok(entries) = std::fs::read_dir(root.join("crates")) {
        hand_written.extend(
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned()),
        );
    }
    let mut seen: std::collections::BTreeMap<&str, &str> = std::collections::BTreeMap::new();
    for spec in specs {
        let name = spec.manifest.crate_name.as_str();
        if hand_written.iter().any(|h| h == name) {
            return Err(spec
                .manifest_error(
                    "crate_name",
                    format!("`crate_name = \"{name}\"` is a hand-written crate of this workspace; a generated crate needs a name of its own (e.g. `{}-client`)", spec.manifest.vendor),
                )
                .into());
        }
        if let Some(other) = seen.insert(name, &spec.manifest.vendor) {
            return Err(spec
                .manifest_error(
                    "crate_name",
                    format!("`crate_name = \"{name}\"` is also vendor `{other}`'s: each vendor's crate needs its own name"),
                )
                .into());
        }
    }
    Ok(())
}

/// The operations of the committed client that the pages no longer document: a page emptied or
/// cut short, or an endpoint the vendor dropped — either way never silent (and `--check` fails
/// on the changed client).
fn removed_operations(
    root: &Path,
    canonical: &spec_ingest::Canonical,
) -> Vec<spec_ingest::Warning> {
    let committed = root
        .join("generated")
        .join(&canonical.info.crate_name)
        .join("openapi.json");
    let Some(old) = std::fs::read_to_string(&committed)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
    else {
        return Vec::new();
    };
    let operations = |doc: &serde_json::Value| -> std::collections::BTreeSet<String> {
        spec_ingest::operations(doc)
            .into_iter()
            .map(|(path, method, _)| format!("{} {path}", method.to_uppercase()))
            .collect()
    };
    let now = operations(&canonical.document);
    operations(&old)
        .difference(&now)
        .map(|gone| spec_ingest::Warning {
            vendor: canonical.info.vendor.clone(),
            location: None,
            message: format!(
                "{gone} is in the committed client but no page documents it now (a page emptied or cut short, or an endpoint the vendor removed?); regen removes it"
            ),
            known: None,
        })
        .collect()
}

/// What `cargo xtask regen` does: plans every vendor (or one) and writes the result, returning
/// the crates that changed. Nothing is written when any vendor fails.
pub fn regenerate(root: &Path, only: Option<&str>) -> Result<Vec<String>, RegenError> {
    let plan = plan(root, only)?;
    apply(root, &plan)
}
