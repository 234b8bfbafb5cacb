//! The download archive: one line per story already saved (`story <id>`), so a re-run skips
//! it. Lines are appended as each file lands; a line of a run that was killed is never half
//! trusted, because it is written only after the file is under its final name.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// The archive's default name inside the download folder.
pub const DEFAULT_NAME: &str = ".stories-archive";

#[derive(Debug)]
pub struct Archive {
    path: PathBuf,
    known: Mutex<HashSet<String>>,
}

impl Archive {
    /// Reads the archive at `path`; a missing file is an empty archive.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let known = match std::fs::read_to_string(path) {
            Ok(text) => text
                .lines()
                .filter_map(|l| l.strip_prefix("story "))
                .map(|id| id.trim().to_owned())
                .filter(|id| !id.is_empty())
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => HashSet::new(),
            Err(e) => {
                return Err(std::io::Error::new(
                    e.kind(),
                    format!("{}: {e}", path.display()),
                ));
            }
        };
        Ok(Self {
            path: path.to_path_buf(),
            known: Mutex::new(known),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn contains(&self, story: &str) -> bool {
        self.known
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(story)
    }

    /// Records `story` as saved. One `write` of one line in append mode, so concurrent runs
    /// sharing an archive do not interleave within a line.
    pub fn record(&self, story: &str) -> std::io::Result<()> {
        let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        if !known.insert(story.to_owned()) {
            return Ok(());
        }
        if let Some(parent) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        file.write_all(format!("story {story}\n").as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_stories_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("sub").join("archive");
        let archive = Archive::open(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(!archive.contains("1"));
        archive.record("1").unwrap_or_else(|e| panic!("{e}"));
        archive.record("1").unwrap_or_else(|e| panic!("{e}"));
        archive.record("2").unwrap_or_else(|e| panic!("{e}"));
        let again = Archive::open(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(again.contains("1") && again.contains("2"));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap_or_default(),
            "story 1\nstory 2\n"
        );
    }
}
