//! One story's media into the media folder: `<account>/<story id>.<ext>`, streamed into a
//! hidden temporary file beside it (`.<id>.<random>.part`), hashed on the way, synced, then
//! renamed. A file under a final name is therefore always complete, and the archive row is
//! written only after the rename — so after a crash, a final file without its row is simply
//! hashed and recorded, and a `.part` file is debris to remove.

use std::path::{Path, PathBuf};

use domain::Story;
use futures::StreamExt;
use sha2::{Digest, Sha256};

/// A file complete under its final name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// Relative to the media folder, with `/` separators.
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// Why a story's media could not be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    #[error("story {story} has no media URL")]
    NoMedia { story: String },
    #[error("story {story}'s media URL expired at {at}")]
    Expired { story: String, at: String },
    #[error("story {story}: fetching {url} failed: {message}")]
    Fetch {
        story: String,
        url: String,
        message: String,
    },
    #[error("{path}: {message}")]
    Write { path: PathBuf, message: String },
}

impl MediaError {
    /// The story can never be downloaded: its URL is gone.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            MediaError::NoMedia { .. } | MediaError::Expired { .. }
        )
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A safe folder name for an account (usernames are `[a-z0-9._]`, ids digits).
fn folder(account: &str) -> String {
    account
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect::<String>()
        .trim_start_matches('.')
        .to_owned()
}

/// Runs file work off the async threads: one hop to the blocking pool for a whole step
/// (tokio's own files take one per call, a dozen for one small file).
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, (PathBuf, std::io::Error)> + Send + 'static,
) -> Result<T, (PathBuf, std::io::Error)> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|e| Err((PathBuf::new(), std::io::Error::other(e.to_string()))))
}

/// Stores `story`'s best rendition under `root`, or finds it already there.
pub async fn store(
    http: &reqwest::Client,
    root: &Path,
    account: &str,
    story: &Story,
) -> Result<Stored, MediaError> {
    let dir = root.join(folder(account));
    let write_error = |(path, e): (PathBuf, std::io::Error)| MediaError::Write {
        path,
        message: e.to_string(),
    };
    // A file a killed run renamed into place before recording it.
    let (look_in, id) = (dir.clone(), story.id.clone());
    let found = blocking(move || {
        let Some(found) = existing(&look_in, &id) else {
            return Ok(None);
        };
        let bytes = std::fs::read(&found).map_err(|e| (found.clone(), e))?;
        Ok(Some((
            found,
            hex(&Sha256::digest(&bytes)),
            bytes.len() as u64,
        )))
    })
    .await
    .map_err(write_error)?;
    if let Some((found, sha256, bytes)) = found {
        return Ok(Stored {
            path: relative(root, &found),
            sha256,
            bytes,
        });
    }
    let rendition = story.best_media().ok_or_else(|| MediaError::NoMedia {
        story: story.id.clone(),
    })?;
    if let Some(at) =
        domain::url_expiry(&rendition.url).filter(|at| at.timestamp() <= super::db::now())
    {
        return Err(MediaError::Expired {
            story: story.id.clone(),
            at: at.to_rfc3339(),
        });
    }
    let fetch_error = |message: String| MediaError::Fetch {
        story: story.id.clone(),
        url: rendition.url.clone(),
        message,
    };
    let response = http
        .get(&rendition.url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| fetch_error(e.to_string()))?;
    // Named for what the server sent; the rendition only guesses.
    let ext = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::download::served_extension)
        .unwrap_or_else(|| crate::download::guessed_extension(rendition, story.kind));
    let mut part = Part::new(
        dir.clone(),
        dir.join(format!(".{}.{:016x}.part", story.id, fastrand::u64(..))),
    );
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let pushed = match chunk {
            Ok(chunk) => part.push(&chunk).await.map_err(write_error),
            Err(e) => Err(fetch_error(e.to_string())),
        };
        if let Err(e) = pushed {
            part.abandon().await;
            return Err(e);
        }
    }
    let target = dir.join(format!("{}.{ext}", story.id));
    let (sha256, bytes) = part.finish(target.clone()).await.map_err(write_error)?;
    Ok(Stored {
        path: relative(root, &target),
        sha256,
        bytes,
    })
}

/// A download on its way into a hidden temporary file: bytes are hashed as they come and
/// written in large pieces, so a story of a few hundred kilobytes is one trip to the disk
/// (folder, file, write, sync, rename, folder sync) at the end.
struct Part {
    dir: PathBuf,
    path: PathBuf,
    file: Option<std::fs::File>,
    pending: Vec<u8>,
    hasher: Sha256,
    bytes: u64,
}

/// Bytes held before they are written out: a video streams to disk in pieces this size.
const WRITE_AT: usize = 4 << 20;

impl Part {
    fn new(dir: PathBuf, path: PathBuf) -> Self {
        Self {
            dir,
            path,
            file: None,
            pending: Vec::new(),
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    async fn push(&mut self, chunk: &[u8]) -> Result<(), (PathBuf, std::io::Error)> {
        self.hasher.update(chunk);
        self.bytes += chunk.len() as u64;
        self.pending.extend_from_slice(chunk);
        if self.pending.len() >= WRITE_AT {
            let (dir, path) = (self.dir.clone(), self.path.clone());
            let (file, data) = (self.file.take(), std::mem::take(&mut self.pending));
            self.file = Some(blocking(move || write_out(&dir, &path, file, &data)).await?);
        }
        Ok(())
    }

    /// Writes the rest, syncs, renames to `target` and syncs the folder, so the rename itself
    /// reaches the disk before the row that says the file is there. Returns the hash and size.
    async fn finish(mut self, target: PathBuf) -> Result<(String, u64), (PathBuf, std::io::Error)> {
        let (dir, path) = (self.dir.clone(), self.path.clone());
        let (file, data) = (self.file.take(), std::mem::take(&mut self.pending));
        blocking(move || {
            let written = write_out(&dir, &path, file, &data)
                .and_then(|file| file.sync_all().map_err(|e| (path.clone(), e)))
                .and_then(|()| std::fs::rename(&path, &target).map_err(|e| (target.clone(), e)));
            if written.is_err() {
                let _ = std::fs::remove_file(&path);
            }
            written?;
            if let Ok(folder) = std::fs::File::open(&dir) {
                let _ = folder.sync_all();
            }
            Ok(())
        })
        .await?;
        Ok((hex(&self.hasher.finalize()), self.bytes))
    }

    /// Removes what was written of a download that failed.
    async fn abandon(self) {
        if self.file.is_some() {
            let path = self.path;
            let _ = tokio::task::spawn_blocking(move || std::fs::remove_file(path)).await;
        }
    }
}

/// Appends `data` to the part file, creating it (and its folder) first when `file` is `None`;
/// created with the process's umask, as any file.
fn write_out(
    dir: &Path,
    path: &Path,
    file: Option<std::fs::File>,
    data: &[u8],
) -> Result<std::fs::File, (PathBuf, std::io::Error)> {
    use std::io::Write;
    let mut file = match file {
        Some(file) => file,
        None => {
            std::fs::create_dir_all(dir).map_err(|e| (dir.to_path_buf(), e))?;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .map_err(|e| (path.to_path_buf(), e))?
        }
    };
    file.write_all(data).map_err(|e| (path.to_path_buf(), e))?;
    Ok(file)
}

/// The final file of story `id` in `dir`, whatever its extension.
fn existing(dir: &Path, id: &str) -> Option<PathBuf> {
    let prefix = format!("{id}.");
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .find_map(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            (name.starts_with(&prefix) && !name.ends_with(".part")).then(|| entry.path())
        })
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Removes the temporary files a killed run left in `account`'s folder. Only the holder of
/// the account's poll job may call it: another transfer into the folder would look the same.
pub fn sweep_account_parts(root: &Path, account: &str) -> usize {
    let Ok(files) = std::fs::read_dir(root.join(folder(account))) else {
        return 0;
    };
    files
        .filter_map(Result::ok)
        .filter(|file| {
            let name = file.file_name();
            let name = name.to_string_lossy();
            name.starts_with('.') && name.ends_with(".part")
        })
        .filter(|file| std::fs::remove_file(file.path()).is_ok())
        .count()
}

/// The media folder cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum NotWritable {
    #[error("cannot create {}: {source}", path.display())]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write into {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Checks that `root` can be created and written, before anything runs.
pub fn check_writable(root: &Path) -> Result<(), NotWritable> {
    std::fs::create_dir_all(root).map_err(|source| NotWritable::Create {
        path: root.to_path_buf(),
        source,
    })?;
    let probe = root.join(format!(".stories-probe-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(|source| NotWritable::Write {
        path: root.to_path_buf(),
        source,
    })?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_folders_cannot_escape_the_media_folder() {
        assert_eq!(folder("some.one"), "some.one");
        assert_eq!(folder("../etc"), "_etc");
        assert_eq!(folder("a/b"), "a_b");
    }
}
