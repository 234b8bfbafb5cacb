//! Turns one vendor's published API doc pages into one canonical OpenAPI 3.0.3 document that
//! progenitor turns into correct code.
//!
//! The pipeline, per vendor: read `specs/<vendor>/vendor.toml` and the pages beside it → find
//! the OpenAPI embedded in each page, with the costs its prose states → parse the YAML keeping
//! every node's position → down-convert 3.1 to 3.0.3 → check references → merge the pages →
//! apply the overlay → add the manifest's facts → shape for progenitor (operationIds, JSON
//! media types, schemas inferred from examples, one success and one error type, hoisting).
//! Every failure is an [`IngestError`] naming the vendor, the page, line and column, and the
//! operation.

mod bodies;
mod context;
mod downconvert;
mod error;
mod examples;
mod facts;
mod fault;
mod hoist;
mod infer;
mod labels;
mod load;
mod manifest;
mod markdown;
mod merge;
mod mintlify;
mod names;
mod openapi;
mod origin;
mod overlay;
mod pages_lock;
mod params;
mod references;
mod refs;
pub mod rust_names;
mod schema_fixes;
mod shape;
mod source;
mod surface;
mod unify;
mod validate;
mod walk;
mod yaml;

use serde_json::Value;

pub use error::{ErrorKind, IngestError, Location, QUOTE_CHARS, Warning, excerpt};
pub use examples::synthesize;
pub use facts::VendorInfo;
pub use hoist::{ALIASES, CHUNK};
pub use infer::{INFERRED, LENIENT_ID, infer as infer_schema};
pub use load::{MANIFEST_FILE, MAX_PAGE_BYTES, OVERLAY_FILE, VendorSpec, discover, load_vendor};
pub use manifest::{Auth, Cost, CreditHeaders, DocFormat, Manifest, is_header_name};
pub use pages_lock::{Fetch, LockedPage, PAGES_LOCK, PagesLock, sha256_hex};
pub use shape::SYNTHESIZED;
pub use source::Page;
pub use surface::api_surface;
pub use walk::{METHODS, operations};

use context::Ctx;
use fault::PageFault;
use origin::{Origin, Origins};

/// The result of ingesting one vendor.
#[derive(Debug, Clone)]
pub struct Canonical {
    pub manifest: Manifest,
    /// The manifest completed from the document: base URL, auth, cost.
    pub info: VendorInfo,
    /// The canonical OpenAPI 3.0.3 document.
    pub document: Value,
    /// What was skipped or guessed, for the reviewer.
    pub warnings: Vec<Warning>,
}

/// One step of ingestion after the document is read and the overlay applied.
enum Pass {
    /// Rewrites or checks the document; each note names a place it changed or found.
    Shape(fn(&mut Value) -> Result<Vec<bodies::Note>, fault::Fault>),
    /// The manifest's facts: base URL, auth, cost.
    Facts,
}

/// Shaping must keep every reference resolvable; a broken one is this crate's bug.
fn shaping_kept_references(doc: &mut Value) -> Result<Vec<bodies::Note>, fault::Fault> {
    refs::check_refs(doc).map(|()| Vec::new()).map_err(|f| {
        fault::Fault::new(
            ErrorKind::Structure,
            &f.pointer,
            format!("internal error, shaping broke a reference: {}", f.message),
        )
    })
}

/// A pass that reports nothing.
macro_rules! quiet {
    ($f:path) => {
        Pass::Shape(|d| {
            $f(d);
            Ok(Vec::new())
        })
    };
}

/// Ingestion in order, each pass one job: names, references and keywords as published made
/// into the forms shaping takes; the manifest's facts; shaping for progenitor; the last checks.
const PASSES: &[Pass] = &[
    Pass::Shape(|d| Ok(references::drop_callbacks(d))),
    Pass::Shape(|d| Ok(references::rename_components(d))),
    Pass::Shape(|d| Ok(references::flatten_deep_refs(d))),
    Pass::Shape(|d| Ok(params::fix_parameters(d))),
    Pass::Shape(|d| Ok(schema_fixes::fix_schemas(d))),
    Pass::Facts,
    Pass::Shape(shape::operation_ids),
    quiet!(bodies::inline_body_refs),
    quiet!(shape::json_media_types),
    Pass::Shape(|d| Ok(labels::response_descriptions(d))),
    Pass::Shape(|d| Ok(labels::drop_unreadable_labels(d))),
    Pass::Shape(|d| Ok(bodies::request_bodies(d))),
    Pass::Shape(shape::schemas_from_examples),
    Pass::Shape(|d| shape::lenient_id_component(d).map(|()| Vec::new())),
    // A note for each success body that stays untyped, before responses are made uniform.
    Pass::Shape(|d| Ok(untyped_bodies(d))),
    Pass::Shape(|d| Ok(bodies::uniform_responses(d))),
    quiet!(shape::examples_from_schemas),
    quiet!(shape::one_body_type_per_outcome),
    Pass::Shape(|d| shape::collapse_annotated_refs(d).map(|()| Vec::new())),
    Pass::Shape(|d| hoist::hoist(d).map(|()| Vec::new())),
    Pass::Shape(shaping_kept_references),
    quiet!(references::restore_ref_properties),
    Pass::Shape(|d| validate::check_openapi(d).map(|()| Vec::new())),
];

/// Ingests one vendor into its canonical document: read the pages the way the manifest's
/// format says, apply the overlay, add the manifest's facts, shape for progenitor.
pub fn ingest(spec: &VendorSpec) -> Result<Canonical, IngestError> {
    let files = spec.files();
    let ctx = Ctx {
        vendor: &spec.manifest.vendor,
        pages: &files,
    };
    let (mut document, origins, mut warnings) = read(&ctx, spec)?;
    warnings.splice(0..0, spec.warnings.iter().cloned());
    if let Some(overlay) = &spec.overlay {
        apply_overlay(&ctx, files.len() - 1, overlay, &mut document, &origins)?;
    }
    let located = |f: fault::Fault| ctx.located(&origins, f);
    if operations(&document).is_empty() {
        return Err(ctx.error(
            ErrorKind::NoSpec,
            "the pages define no operation under `paths`: a client would have nothing to call (a page with webhooks only, or an OpenAPI fence closed early?)",
        ));
    }
    let mut shaping = Vec::new();
    let mut info = None;
    for pass in PASSES {
        match pass {
            Pass::Shape(run) => shaping.extend(run(&mut document).map_err(located)?),
            Pass::Facts => {
                let mut notes = Vec::new();
                info = Some(
                    facts::complete(&mut document, &spec.manifest, &mut notes).map_err(located)?,
                );
                warnings.extend(
                    notes
                        .into_iter()
                        .map(|n| ctx.warning(fault::PageNote::general(n))),
                );
            }
        }
    }
    // What the shaping passes changed, by the place it changed, after what reading found.
    warnings.extend(
        shaping
            .into_iter()
            .map(|(ptr, message)| ctx.warning_at(&origins, &ptr, message)),
    );
    let Some(info) = info else {
        return Err(ctx.error(
            ErrorKind::Structure,
            "internal error: the facts pass did not run",
        ));
    };
    mark_known(&spec.manifest, &mut warnings);
    Ok(Canonical {
        manifest: spec.manifest.clone(),
        info,
        document,
        warnings,
    })
}

/// Marks the warnings the manifest lists as known, and warns of a listed one that no longer
/// occurs (the list must stay true, or it would hide a warning that comes back changed).
fn mark_known(manifest: &Manifest, warnings: &mut Vec<Warning>) {
    let mut stale = Vec::new();
    for known in &manifest.known_warnings {
        let mut matched = false;
        for w in warnings
            .iter_mut()
            .filter(|w| w.message.contains(&known.contains))
        {
            w.known = Some(known.why.clone());
            matched = true;
        }
        if !matched {
            stale.push(Warning {
                vendor: manifest.vendor.clone(),
                location: None,
                message: format!(
                    "specs/{}/vendor.toml lists a known warning containing `{}` that no longer occurs; remove it",
                    manifest.vendor, known.contains
                ),
                known: None,
            });
        }
    }
    warnings.extend(stale);
}

/// The vendor's pages as one OpenAPI document, with where each part came from.
fn read(ctx: &Ctx<'_>, spec: &VendorSpec) -> Result<(Value, Origins, Vec<Warning>), IngestError> {
    match spec.manifest.format {
        DocFormat::OpenapiPages => {
            let mut origins = Origins::default();
            let mut notes = Vec::new();
            let mut docs = Vec::new();
            for (index, page) in spec.pages.iter().enumerate() {
                for (doc, origin) in
                    mintlify::read_page(index, page, &mut notes).map_err(|f| ctx.at(f))?
                {
                    docs.push((doc, origins.add(origin)));
                }
            }
            let document = merge::merge(docs, &mut origins).map_err(|f| ctx.at(f))?;
            let warnings = notes.into_iter().map(|n| ctx.warning(n)).collect();
            Ok((document, origins, warnings))
        }
        DocFormat::Openapi => {
            let mut origins = Origins::default();
            let mut notes = Vec::new();
            let mut docs = Vec::new();
            for (mut doc, origin) in
                openapi::read_documents(&spec.pages, &mut notes).map_err(|f| ctx.at(f))?
            {
                let single = Origins::single(origin.clone());
                references::prepare(&mut doc);
                downconvert::down_convert(&mut doc).map_err(|f| ctx.located(&single, f))?;
                refs::check_refs(&doc).map_err(|f| ctx.located(&single, f))?;
                docs.push((doc, origins.add(origin)));
            }
            let document = merge::merge(docs, &mut origins).map_err(|f| ctx.at(f))?;
            let warnings = notes.into_iter().map(|n| ctx.warning(n)).collect();
            Ok((document, origins, warnings))
        }
        DocFormat::MarkdownEndpoints => {
            let title = format!("{} API", spec.manifest.display_name);
            let (parsed, warnings) = markdown::parse_pages(ctx, spec.pages.len(), &title)?;
            let mut document = parsed.doc;
            shape::lenient_id_component(&mut document)
                .map_err(|f| ctx.located(&parsed.origins, f))?;
            Ok((document, parsed.origins, warnings))
        }
    }
}

/// Applies the overlay (file `index` of the context) and checks that every reference still
/// resolves.
fn apply_overlay(
    ctx: &Ctx<'_>,
    index: usize,
    overlay: &Page,
    document: &mut Value,
    origins: &Origins,
) -> Result<(), IngestError> {
    let (actions, positions) = yaml::parse(&overlay.text).map_err(|e| {
        ctx.at(PageFault::new(
            ErrorKind::Yaml,
            index,
            e.offset,
            format!("overlay is not valid YAML: {}", e.message),
        ))
    })?;
    let overlay_origins = Origins::single(Origin {
        page: index,
        yaml_offset: 0,
        positions,
    });
    let applied =
        overlay::apply(document, &actions).map_err(|f| ctx.located(&overlay_origins, f))?;
    after_overlay(document).map_err(|f| {
        // The overlay's action is the place to fix, when one wrote (or removed) the culprit.
        match overlay::explaining_action(&actions, &applied, &f.pointer, &f.message) {
            Some(at) => {
                let action = at.split('/').nth(2).and_then(|n| n.parse::<usize>().ok());
                let message = format!(
                    "{} (after overlay action {})",
                    f.message,
                    action.map_or(0, |n| n + 1)
                );
                ctx.located(&overlay_origins, fault::Fault::new(f.kind, &at, message))
            }
            None => ctx
                .located(origins, f)
                .append(" after the overlay was applied"),
        }
    })
}

/// One OpenAPI document read from a file's text (JSON or YAML, 3.0 or 3.1), as this workspace
/// compares documents: 3.1 converted down to 3.0.3 with its references made plain. `path`
/// names the file in errors, which are located at its line and column.
pub fn read_openapi_document(path: &str, text: &str) -> Result<Value, IngestError> {
    let pages = [Page::new(path, text)];
    let ctx = Ctx {
        vendor: path,
        pages: &pages,
    };
    let mut notes = Vec::new();
    let mut found = openapi::read_documents(&pages, &mut notes).map_err(|f| ctx.at(f))?;
    let Some((mut doc, origin)) = found.pop() else {
        return Err(ctx.error(
            ErrorKind::NoSpec,
            format!("{path} holds no OpenAPI document"),
        ));
    };
    if doc.get("openapi").and_then(Value::as_str).is_none() {
        return Err(ctx.at(PageFault::new(
            ErrorKind::Structure,
            0,
            0,
            format!("{path} is not an OpenAPI document (it has no `openapi` version)"),
        )));
    }
    let single = Origins::single(origin);
    references::prepare(&mut doc);
    downconvert::down_convert(&mut doc).map_err(|f| ctx.located(&single, f))?;
    Ok(doc)
}

/// What an overlay must leave as it found it: an OpenAPI 3.0 document with paths, whose
/// references all resolve.
fn after_overlay(document: &Value) -> Result<(), fault::Fault> {
    let version = document
        .get("openapi")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !version.starts_with("3.0.") {
        return Err(fault::Fault::new(
            ErrorKind::Overlay,
            "/openapi",
            format!(
                "the document must stay OpenAPI 3.0 (the pages' version is converted before the overlay applies), not `{version}`"
            ),
        ));
    }
    if !document.get("paths").is_some_and(Value::is_object) {
        return Err(fault::Fault::new(
            ErrorKind::Overlay,
            "/paths",
            "the document lost its `paths`: a client would have nothing to call",
        ));
    }
    refs::check_refs(document)
}

/// Success bodies with neither schema nor example become untyped; say so. (Error bodies that
/// a vendor leaves undocumented are common and stay quiet.)
fn untyped_bodies(doc: &Value) -> Vec<bodies::Note> {
    let mut out = Vec::new();
    for (path, method, op) in operations(doc) {
        let Some(responses) = op.get("responses").and_then(Value::as_object) else {
            continue;
        };
        for (status, response) in responses.iter().filter(|(s, _)| s.starts_with('2')) {
            let Some(media) = response.pointer("/content/application~1json") else {
                continue;
            };
            if media.get("schema").is_none_or(infer::is_empty_schema) {
                let ptr = format!(
                    "/paths/{}/{method}/responses/{status}",
                    yaml::escape_segment(path)
                );
                // An answer documented only by `null` says nothing of its type either.
                let what = if media.get("example").is_some_and(Value::is_null) {
                    "has no schema and only `null` as its example"
                } else {
                    "has neither a schema nor an example"
                };
                let message = format!(
                    "{} {path} response {status} {what}; its body stays untyped",
                    method.to_uppercase()
                );
                out.push((ptr, message));
            }
        }
    }
    out
}

/// Renders a canonical document as committed: pretty JSON with a final newline.
pub fn to_pretty_json(document: &Value) -> String {
    let mut text = serde_json::to_string_pretty(document).unwrap_or_default();
    text.push('\n');
    text
}
