//! Reading a vendor folder under `specs/`: the manifest, the pages, the optional overlay.

use std::path::{Path, PathBuf};

use crate::context::Ctx;
use crate::error::{ErrorKind, IngestError, Warning};
use crate::fault::PageFault;
use crate::manifest::{DocFormat, Manifest};
use crate::source::Page;

/// The name of the manifest file in each vendor folder.
pub const MANIFEST_FILE: &str = "vendor.toml";
/// The largest file a vendor folder may hold. Vendors' pages are tens of kilobytes; the
/// `page_size` benchmark measures ingestion up to this size (see the README's performance notes).
pub const MAX_PAGE_BYTES: u64 = 8 << 20;

/// The name of the optional overlay file in each vendor folder.
pub const OVERLAY_FILE: &str = "overlay.yaml";

/// Everything in one vendor's folder under `specs/`.
#[derive(Debug, Clone)]
pub struct VendorSpec {
    pub manifest: Manifest,
    /// `vendor.toml` itself, for errors about its values.
    pub manifest_page: Page,
    pub pages: Vec<Page>,
    pub overlay: Option<Page>,
    /// What reading the folder skipped.
    pub warnings: Vec<Warning>,
}

impl VendorSpec {
    /// An error about the manifest's `key` line.
    pub fn manifest_error(&self, key: &str, message: impl Into<String>) -> IngestError {
        let pages = [self.manifest_page.clone()];
        let ctx = Ctx {
            vendor: &self.manifest.vendor,
            pages: &pages,
        };
        let offset =
            crate::manifest::offset_of(&self.manifest_page.text, key).map_or(0, |r| r.start);
        ctx.at(PageFault::new(ErrorKind::Manifest, 0, offset, message))
    }

    /// The pages, then the overlay: every file errors can point into, by index.
    pub fn files(&self) -> Vec<Page> {
        self.pages.iter().chain(&self.overlay).cloned().collect()
    }
}

/// The vendor folders under `specs/`, sorted by name: every folder there is a vendor's, so a
/// broken or missing `vendor.toml` is an error rather than a vendor quietly gone (and its
/// crate removed).
pub fn discover(specs_dir: &Path) -> Result<Vec<PathBuf>, IngestError> {
    let entries = std::fs::read_dir(specs_dir).map_err(|e| io_error("specs", specs_dir, &e))?;
    let mut dirs: Vec<_> = entries
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .filter(|p| p.is_dir())
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

/// The folder's files a format reads: `.md` pages, or OpenAPI documents.
fn is_page(path: &Path, format: DocFormat) -> bool {
    let ext = path
        .extension()
        .map(|x| x.to_string_lossy().to_ascii_lowercase());
    let is_overlay = path.file_name().is_some_and(|n| n == OVERLAY_FILE);
    match format {
        DocFormat::OpenapiPages | DocFormat::MarkdownEndpoints => ext.as_deref() == Some("md"),
        DocFormat::Openapi => {
            !is_overlay && matches!(ext.as_deref(), Some("json" | "yaml" | "yml"))
        }
    }
}

/// Reads a file as text: a NUL byte or bytes that are not UTF-8 are located errors, naming the
/// file by its path relative to the repository.
fn read_text(rel: &str, path: &Path, vendor: &str) -> Result<Page, IngestError> {
    let io = |e: std::io::Error| {
        IngestError::new(ErrorKind::Io, vendor, format!("cannot read {rel}: {e}"))
    };
    // Checked before reading: a page grown by accident fails at once, in bounded memory.
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_PAGE_BYTES {
        return Err(IngestError::new(
            ErrorKind::Io,
            vendor,
            format!(
                "{rel} is {:.1} MiB; a page may be at most {} MiB (vendors' pages are kilobytes: was it grown by accident?)",
                size as f64 / f64::from(1 << 20),
                MAX_PAGE_BYTES >> 20
            ),
        )
        .at(Some(crate::Location {
            file: rel.to_owned(),
            line: 1,
            column: 1,
            offset: 0,
        })));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let (text, bad) = match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            (lossy, Some((at, "bytes that are not UTF-8 text")))
        }
    };
    let nul = text.find('\0').map(|at| (at, "a NUL byte"));
    let page = Page::new(rel, text);
    match bad.into_iter().chain(nul).min_by_key(|(at, _)| *at) {
        Some((at, what)) => {
            let pages = [page];
            let ctx = Ctx {
                vendor,
                pages: &pages,
            };
            Err(ctx.at(PageFault::new(
                ErrorKind::NotText,
                0,
                at,
                format!("{rel} holds {what}; a page must be UTF-8 text"),
            )))
        }
        None => Ok(page),
    }
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
    let manifest_path = dir.join(MANIFEST_FILE);
    if !manifest_path.is_file() {
        return Err(IngestError::new(
            ErrorKind::Manifest,
            &vendor_dir_name,
            format!(
                "{} is missing or not a file: every folder under specs/ is a vendor, described by its vendor.toml",
                rel(&manifest_path)
            ),
        ));
    }
    let manifest_pages = [read_text(
        &rel(&manifest_path),
        &manifest_path,
        &vendor_dir_name,
    )?];
    let ctx = Ctx {
        vendor: &vendor_dir_name,
        pages: &manifest_pages,
    };
    let manifest = Manifest::parse(&manifest_pages[0].text).map_err(|(span, message)| {
        let offset = span.map_or(0, |s| s.start);
        ctx.at(PageFault::new(ErrorKind::Manifest, 0, offset, message))
    })?;
    if manifest.vendor != vendor_dir_name {
        return Err(ctx.at(PageFault::new(
            ErrorKind::Manifest,
            0,
            0,
            format!(
                "`vendor = \"{}\"` must match the folder name `{vendor_dir_name}`",
                manifest.vendor
            ),
        )));
    }
    let vendor = manifest.vendor.as_str();
    let mut warnings = Vec::new();
    let mut page_paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io_error(vendor, dir, &e))? {
        let path = entry.map_err(|e| io_error(vendor, dir, &e))?.path();
        if !is_page(&path, manifest.format) {
            continue;
        }
        // Follows links; a FIFO, socket or device would block or never end.
        if !path.is_file() {
            warnings.push(Warning {
                vendor: vendor.to_owned(),
                location: None,
                message: format!("skipped {}: not a regular file", rel(&path)),
                known: None,
            });
            continue;
        }
        page_paths.push(path);
    }
    page_paths.sort();
    if page_paths.is_empty() {
        // Named at the `format` line: a format that does not match the folder is the usual cause.
        let page = &manifest_pages[0];
        let ctx = Ctx {
            vendor,
            pages: std::slice::from_ref(page),
        };
        let offset = crate::manifest::offset_of(&page.text, "format").map_or(0, |r| r.start);
        return Err(ctx.at(PageFault::new(
            ErrorKind::NoSpec,
            0,
            offset,
            format!(
                "this format reads {}, and {} holds none",
                match manifest.format {
                    DocFormat::Openapi => "OpenAPI documents (`.json`, `.yaml`, `.yml`)",
                    _ => "`.md` pages",
                },
                rel(dir)
            ),
        )));
    }
    let pages = page_paths
        .iter()
        .map(|p| read_text(&rel(p), p, vendor))
        .collect::<Result<_, IngestError>>()?;
    let overlay_path = dir.join(OVERLAY_FILE);
    let overlay = if overlay_path.is_file() {
        Some(read_text(&rel(&overlay_path), &overlay_path, vendor)?)
    } else {
        None
    };
    let [manifest_page] = manifest_pages;
    Ok(VendorSpec {
        manifest,
        manifest_page,
        pages,
        overlay,
        warnings,
    })
}
