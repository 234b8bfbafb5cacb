//! Replacing `generated/` as a whole, so that a regen killed at any instant leaves either the
//! old tree or the new one, and two regens at once take turns.
//!
//! The next tree is built complete beside the current one (`.regen-staging/generated`: new
//! crates written, unchanged ones hard-linked, so their files keep their times and cargo does
//! not rebuild them), flushed to disk, marked complete, then exchanged with `generated/` in
//! one `renameat2(RENAME_EXCHANGE)`. Where the exchange is not available (not Linux, or a file
//! system without it) two renames are used, and a run that finds `generated/` missing beside a
//! complete next tree finishes the swap before anything else.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use crate::RegenError;

/// Where the next tree is built (ignored by git).
pub const STAGING: &str = ".regen-staging";
/// The lock file that serializes regens of one repository (ignored by git).
pub const LOCK: &str = ".regen.lock";
/// Written into the staging folder once the next tree is whole.
const COMPLETE: &str = "COMPLETE";

pub(crate) fn io(path: &Path, e: std::io::Error) -> RegenError {
    RegenError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Held while a regen writes; released when dropped.
#[derive(Debug)]
pub struct RegenLock {
    _file: File,
}

impl RegenLock {
    /// Waits for any other regen of `root` to finish, then holds the lock.
    pub fn acquire(root: &Path) -> Result<Self, RegenError> {
        let path = root.join(LOCK);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| io(&path, e))?;
        file.lock().map_err(|e| io(&path, e))?;
        Ok(Self { _file: file })
    }
}

/// The tree being prepared, and the one it replaces.
#[derive(Debug)]
pub struct Swap {
    staging: PathBuf,
    next: PathBuf,
    current: PathBuf,
}

impl Swap {
    /// Prepares to replace `root/generated`, first finishing or discarding what a killed run
    /// left. Call under the [`RegenLock`].
    pub fn begin(root: &Path) -> Result<Self, RegenError> {
        let swap = Self {
            staging: root.join(STAGING),
            next: root.join(STAGING).join("generated"),
            current: root.join("generated"),
        };
        swap.recover()?;
        fs::create_dir_all(&swap.next).map_err(|e| io(&swap.next, e))?;
        Ok(swap)
    }

    /// A run killed between its two renames left `generated/` missing and a complete next
    /// tree: put it in place. Anything else in the staging folder is an unfinished next tree.
    fn recover(&self) -> Result<(), RegenError> {
        if !self.staging.exists() {
            return Ok(());
        }
        if !self.current.exists() && self.staging.join(COMPLETE).exists() && self.next.exists() {
            fs::rename(&self.next, &self.current).map_err(|e| io(&self.current, e))?;
        }
        fs::remove_dir_all(&self.staging).map_err(|e| io(&self.staging, e))
    }

    /// The staging folder, which holds the next tree and is removed after the swap.
    pub fn staging(&self) -> &Path {
        &self.staging
    }

    /// The next tree, as it will stand under `generated/`.
    pub fn next(&self) -> &Path {
        &self.next
    }

    /// Hard-links (or, across file systems, copies) the current tree's `name` into the next.
    pub fn keep(&self, name: &str) -> Result<(), RegenError> {
        link_tree(&self.current.join(name), &self.next.join(name))
    }

    /// Writes a file of the next tree.
    pub fn write(&self, rel: &Path, text: &str) -> Result<(), RegenError> {
        let path = self.next.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        fs::write(&path, text).map_err(|e| io(&path, e))?;
        File::open(&path)
            .and_then(|f| f.sync_all())
            .map_err(|e| io(&path, e))
    }

    /// Puts the next tree in place of the current one and removes the old one.
    pub fn commit(self) -> Result<(), RegenError> {
        sync_dir(&self.next)?;
        let marker = self.staging.join(COMPLETE);
        File::create(&marker)
            .and_then(|f| f.sync_all())
            .map_err(|e| io(&marker, e))?;
        sync_dir(&self.staging)?;
        if self.current.exists() {
            if !exchange(&self.next, &self.current)? {
                let old = self.staging.join("old");
                fs::rename(&self.current, &old).map_err(|e| io(&self.current, e))?;
                fs::rename(&self.next, &self.current).map_err(|e| io(&self.current, e))?;
            }
        } else {
            fs::rename(&self.next, &self.current).map_err(|e| io(&self.current, e))?;
        }
        fs::remove_dir_all(&self.staging).map_err(|e| io(&self.staging, e))
    }

    /// Gives up: the current tree was never touched.
    pub fn abort(self) {
        let _ = fs::remove_dir_all(&self.staging);
    }
}

/// Swaps two paths in one step; `false` where the system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> Result<bool, RegenError> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => Ok(false),
        Err(e) => Err(io(b, e.into())),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> Result<bool, RegenError> {
    Ok(false)
}

fn sync_dir(dir: &Path) -> Result<(), RegenError> {
    // Directories can be opened and synced on Unix; elsewhere this is best effort.
    match File::open(dir).and_then(|d| d.sync_all()) {
        Ok(()) => Ok(()),
        Err(_) if !cfg!(unix) => Ok(()),
        Err(e) => Err(io(dir, e)),
    }
}

fn link_tree(from: &Path, to: &Path) -> Result<(), RegenError> {
    let meta = fs::symlink_metadata(from).map_err(|e| io(from, e))?;
    if meta.is_dir() {
        fs::create_dir_all(to).map_err(|e| io(to, e))?;
        for entry in fs::read_dir(from).map_err(|e| io(from, e))? {
            let entry = entry.map_err(|e| io(from, e))?;
            link_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        return Ok(());
    }
    if fs::hard_link(from, to).is_err() {
        fs::copy(from, to).map_err(|e| io(from, e))?;
    }
    Ok(())
}
