//! Reading a vendor folder under `specs/`: the manifest, the pages, the optional overlay.

use std::path::{Path, PathBuf};

use crate::context::Ctx;
use crate::error::{ErrorKind, IngestError};
use crate::fault::PageFault;
use crate::manifest::Manifest;
use crate::source::Page;

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

impl VendorSpec {
    /// The pages, then the overlay: every file errors can point into, by index.
    pub fn files(&self) -> Vec<Page> {
        self.pages.iter().chain(&self.overlay).cloned().collect()
    }
}

/// The vendor folders under `specs/` (those with a manifest), sorted by name.
pub fn discover(specs_dir: &Path) -> Result<Vec<PathBuf>, IngestError> {
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
    let manifest_page = [Page::new(rel(&manifest_path), read(&manifest_path)?)];
    let ctx = Ctx {
        vendor: &vendor_dir_name,
        pages: &manifest_page,
    };
    let manifest = Manifest::parse(&manifest_page[0].text).map_err(|(span, message)| {
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
