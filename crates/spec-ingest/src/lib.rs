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

mod downconvert;
mod error;
mod examples;
mod fault;
mod infer;
mod manifest;
mod markdown;
mod merge;
mod mintlify;
mod names;
mod origin;
mod overlay;
mod refs;
mod shape;
mod source;
mod unify;
mod walk;
mod yaml;

use std::path::Path;

use serde_json::{Value, json};

pub use error::{ErrorKind, IngestError, Location, Warning};
pub use examples::synthesize;
pub use infer::{INFERRED, LENIENT_ID};
pub use manifest::{Auth, Cost, CreditHeaders, DocFormat, Manifest};
pub use names::{operation_id, pascal, snake};
pub use shape::SYNTHESIZED;
pub use source::Page;
pub use walk::{METHODS, operations};

use origin::{Origin, Origins};

/// The name of the manifest file in each vendor folder.
pub const MANIFEST_FILE: &str = "vendor.toml";
/// The name of the optional overlay file in each vendor folder.
pub const OVERLAY_FILE: &str = "overlay.yaml";

/// Everything in one vendor's folder under `specs/`.
#[derive(Debug, Clone)]
pub struct VendorSpec {
    pub manifest: Manifest,
    pub pages: Vec<Page>,
    pub overlay: Option<Page>,
}

/// The result of ingesting one vendor.
#[derive(Debug, Clone)]
pub struct Canonical {
    pub manifest: Manifest,
    /// The canonical OpenAPI 3.0.3 document.
    pub document: Value,
    /// What was skipped or guessed, for the reviewer.
    pub warnings: Vec<Warning>,
}

/// The vendor folders under `specs/` (those with a manifest), sorted by name.
pub fn discover(specs_dir: &Path) -> Result<Vec<std::path::PathBuf>, IngestError> {
    let entries = std::fs::read_dir(specs_dir).map_err(|e| io_error("specs", specs_dir, &e))?;
    let mut dirs: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join(MANIFEST_FILE).is_file())
        .collect();
    dirs.sort();
    Ok(dirs)
}

fn io_error(vendor: &str, path: &Path, e: &std::io::Error) -> IngestError {
    IngestError::new(
        ErrorKind::Io,
        vendor,
        format!("cannot read {}: {e}", path.display()),
    )
}

/// Reads a vendor folder. `display_root` is the repository root, so that page paths in errors
/// read `specs/<vendor>/<page>` wherever the repository lives.
pub fn load_vendor(display_root: &Path, dir: &Path) -> Result<VendorSpec, IngestError> {
    let vendor_dir_name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let rel = |p: &Path| {
        p.strip_prefix(display_root)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| io_error(&vendor_dir_name, p, &e));
    let manifest_path = dir.join(MANIFEST_FILE);
    let manifest_page = Page::new(rel(&manifest_path), read(&manifest_path)?);
    let manifest = Manifest::parse(&manifest_page.text).map_err(|(span, message)| {
        let offset = span.map_or(0, |s| s.start);
        origin::error_at(
            &manifest_page,
            offset,
            ErrorKind::Manifest,
            &vendor_dir_name,
            message,
        )
    })?;
    if manifest.vendor != vendor_dir_name {
        return Err(origin::error_at(
            &manifest_page,
            0,
            ErrorKind::Manifest,
            &vendor_dir_name,
            format!(
                "`vendor = \"{}\"` must match the folder name `{vendor_dir_name}`",
                manifest.vendor
            ),
        ));
    }
    let mut page_paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| io_error(&manifest.vendor, dir, &e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    page_paths.sort();
    if page_paths.is_empty() {
        return Err(IngestError::new(
            ErrorKind::NoSpec,
            &manifest.vendor,
            format!("no `.md` pages in {}", rel(dir)),
        ));
    }
    let pages = page_paths
        .iter()
        .map(|p| Ok(Page::new(rel(p), read(p)?)))
        .collect::<Result<_, IngestError>>()?;
    let overlay_path = dir.join(OVERLAY_FILE);
    let overlay = if overlay_path.is_file() {
        Some(Page::new(rel(&overlay_path), read(&overlay_path)?))
    } else {
        None
    };
    Ok(VendorSpec {
        manifest,
        pages,
        overlay,
    })
}

/// Ingests one vendor into its canonical document.
pub fn ingest(spec: &VendorSpec) -> Result<Canonical, IngestError> {
    let vendor = spec.manifest.vendor.as_str();
    let mut warnings = Vec::new();
    let mut origins = Origins::default();
    let mut document = match spec.manifest.format {
        DocFormat::OpenapiPages => {
            let mut docs = Vec::new();
            for (index, page) in spec.pages.iter().enumerate() {
                docs.extend(openapi_page(
                    index,
                    page,
                    vendor,
                    &mut origins,
                    &mut warnings,
                )?);
            }
            merge::merge(docs, &mut origins, &spec.pages, vendor)?
        }
        DocFormat::MarkdownEndpoints => {
            let title = format!("{} API", spec.manifest.display_name);
            let parsed = markdown::parse_pages(&spec.pages, vendor, &title)?;
            warnings.extend(parsed.warnings);
            origins = parsed.origins;
            let mut doc = parsed.doc;
            shape::lenient_id_component(&mut doc)
                .map_err(|f| origins.error(&spec.pages, vendor, f))?;
            doc
        }
    };
    let mut all_pages = spec.pages.clone();
    if let Some(overlay_page) = &spec.overlay {
        all_pages.push(overlay_page.clone());
        let index = all_pages.len() - 1;
        let (overlay, positions) = yaml::parse(&overlay_page.text).map_err(|e| {
            origin::error_at(
                overlay_page,
                e.offset,
                ErrorKind::Yaml,
                vendor,
                format!("overlay is not valid YAML: {}", e.message),
            )
        })?;
        let mut overlay_origins = Origins::default();
        let o = overlay_origins.add(Origin {
            page: index,
            yaml_offset: 0,
            positions,
        });
        overlay_origins.own(String::new(), o);
        overlay::apply(&mut document, &overlay)
            .map_err(|f| overlay_origins.error(&all_pages, vendor, f))?;
        refs::check_refs(&document).map_err(|f| {
            origins
                .error(&all_pages, vendor, f)
                .append(" after the overlay was applied")
        })?;
    }
    let located = |f: fault::Fault| origins.error(&all_pages, vendor, f);
    add_manifest_facts(&mut document, &spec.manifest);
    shape::operation_ids(&mut document).map_err(located)?;
    shape::json_media_types(&mut document);
    shape::schemas_from_examples(&mut document).map_err(located)?;
    shape::lenient_id_component(&mut document).map_err(located)?;
    warn_untyped_bodies(&document, vendor, &origins, &all_pages, &mut warnings);
    shape::examples_from_schemas(&mut document);
    shape::one_body_type_per_outcome(&mut document);
    shape::collapse_annotated_refs(&mut document).map_err(located)?;
    shape::hoist(&mut document).map_err(located)?;
    refs::check_refs(&document).map_err(|f| {
        IngestError::new(
            ErrorKind::Structure,
            vendor,
            format!("internal error, shaping broke a reference: {}", f.message),
        )
    })?;
    Ok(Canonical {
        manifest: spec.manifest.clone(),
        document,
        warnings,
    })
}

/// Parses every OpenAPI fence of a page, down-converted and with its references checked.
fn openapi_page(
    index: usize,
    page: &Page,
    vendor: &str,
    origins: &mut Origins,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<(Value, usize)>, IngestError> {
    let fences = mintlify::fences(page);
    if fences.is_empty() {
        return Err(origin::error_at(
            page,
            0,
            ErrorKind::NoSpec,
            vendor,
            "no embedded OpenAPI document (a ````yaml fence) found",
        ));
    }
    let costs = mintlify::prose_costs(page);
    if let Some(first) = costs.first()
        && let Some(other) = costs
            .iter()
            .find(|c| (c.amount, &c.unit) != (first.amount, &first.unit))
    {
        warnings.push(Warning {
            vendor: vendor.to_owned(),
            location: Some(page.location_of_offset(other.offset)),
            message: format!(
                "the page states two costs; using the first ({} {})",
                first.amount, first.unit
            ),
        });
    }
    let mut out = Vec::new();
    for fence in fences {
        let (mut doc, positions) = yaml::parse(fence.yaml).map_err(|e| {
            origin::error_at(
                page,
                fence.offset + e.offset,
                ErrorKind::Yaml,
                vendor,
                format!("invalid YAML: {}", e.message),
            )
        })?;
        let origin = Origin {
            page: index,
            yaml_offset: fence.offset,
            positions,
        };
        let located = |f: fault::Fault| origin.error(page, vendor, f);
        downconvert::down_convert(&mut doc).map_err(located)?;
        refs::check_refs(&doc).map_err(located)?;
        if let Some(cost) = costs.first() {
            apply_prose_cost(&mut doc, fence.operation.as_ref(), cost).map_err(located)?;
        }
        let o = origins.add(origin);
        out.push((doc, o));
    }
    Ok(out)
}

/// Records the page's stated cost on the operation the fence documents (every operation of the
/// fence when the header names none).
fn apply_prose_cost(
    doc: &mut Value,
    operation: Option<&(String, String)>,
    cost: &mintlify::ProseCost,
) -> Result<(), fault::Fault> {
    let extension = json!({"amount": cost.amount, "unit": cost.unit, "source": "page"});
    if let Some((method, path)) = operation {
        let ptr = format!("/paths/{}/{method}", yaml::escape_segment(path));
        let Some(op) = doc.pointer_mut(&ptr).and_then(Value::as_object_mut) else {
            return Err(fault::Fault::new(
                ErrorKind::Structure,
                "/paths",
                format!(
                    "the fence names `{} {path}`, which the document does not define",
                    method.to_uppercase()
                ),
            ));
        };
        op.insert("x-cost".into(), extension);
        return Ok(());
    }
    for (_, _, op) in walk::operations_mut(doc) {
        if let Some(op) = op.as_object_mut() {
            op.insert("x-cost".into(), extension.clone());
        }
    }
    Ok(())
}

/// The facts the pages leave out: base URL, auth scheme, default cost, credit headers.
fn add_manifest_facts(doc: &mut Value, manifest: &Manifest) {
    doc["servers"] = json!([{"url": manifest.base_url}]);
    let scheme = match &manifest.auth {
        Auth::Bearer => json!({"type": "http", "scheme": "bearer"}),
        Auth::Header { name } => json!({"type": "apiKey", "in": "header", "name": name}),
    };
    let schemes_missing = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .is_none_or(|s| s.is_empty());
    if schemes_missing {
        doc["components"]["securitySchemes"] = json!({"apiKey": scheme});
        doc["security"] = json!([{"apiKey": []}]);
    }
    for (_, _, op) in walk::operations_mut(doc) {
        if let Some(op) = op.as_object_mut() {
            op.entry("x-cost").or_insert_with(|| {
                json!({"amount": manifest.cost.amount, "unit": manifest.cost.unit, "source": "manifest"})
            });
        }
    }
    let mut vendor = json!({
        "name": manifest.vendor,
        "displayName": manifest.display_name,
        "auth": match &manifest.auth {
            Auth::Bearer => json!({"kind": "bearer"}),
            Auth::Header { name } => json!({"kind": "header", "name": name}),
        },
        "cost": {"amount": manifest.cost.amount, "unit": manifest.cost.unit},
    });
    if let Some(note) = &manifest.cost.note {
        vendor["cost"]["note"] = json!(note);
    }
    if let Some(h) = &manifest.credit_headers.remaining {
        vendor["creditHeaders"]["remaining"] = json!(h);
    }
    if let Some(h) = &manifest.credit_headers.used {
        vendor["creditHeaders"]["used"] = json!(h);
    }
    doc["x-vendor"] = vendor;
}

/// Success bodies with neither schema nor example become untyped; say so. (Error bodies that
/// a vendor leaves undocumented are common and stay quiet.)
fn warn_untyped_bodies(
    doc: &Value,
    vendor: &str,
    origins: &Origins,
    pages: &[Page],
    warnings: &mut Vec<Warning>,
) {
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
                warnings.push(Warning {
                    vendor: vendor.to_owned(),
                    location: origins.locate(pages, &ptr),
                    message: format!(
                        "{} {path} response {status} has neither a schema nor an example; its body stays untyped",
                        method.to_uppercase()
                    ),
                });
            }
        }
    }
}

/// Renders a canonical document as committed: pretty JSON with a final newline.
pub fn to_pretty_json(document: &Value) -> String {
    let mut text = serde_json::to_string_pretty(document).unwrap_or_default();
    text.push('\n');
    text
}
