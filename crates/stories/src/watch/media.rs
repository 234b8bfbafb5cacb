//! One story's media into the media folder: `<account>/<story id>.<ext>`, streamed into a
//! hidden temporary file beside it (`.<id>.<random>.part`), hashed on the way, synced, then
//! renamed. A file under a final name is therefore always complete, and the archive row is
//! written only after the rename — so after a crash, a final file without its row is simply
//! hashed and recorded, and a `.part` file is debris to remove.

use std::path::{Path, PathBuf};

use domain::Story;
use futures::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

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

/// Hashes a file that is already complete under its final name.
async fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let bytes = tokio::fs::read(path).await?;
    Ok((hex(&Sha256::digest(&bytes)), bytes.len() as u64))
}

/// Stores `story`'s best rendition under `root`, or finds it already there.
pub async fn store(
    http: &reqwest::Client,
    root: &Path,
    account: &str,
    story: &Story,
) -> Result<Stored, MediaError> {
    let dir = root.join(folder(account));
    let write_error = |path: &Path, e: std::io::Error| MediaError::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    // A file a killed run renamed into place before recording it.
    if let Some(found) = existing(&dir, &story.id).await {
        let (sha256, bytes) = hash_file(&found)
            .await
            .map_err(|e| write_error(&found, e))?;
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
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| write_error(&dir, e))?;
    let part = dir.join(format!(".{}.{:016x}.part", story.id, fastrand::u64(..)));
    let result = write_part(response, &part).await;
    let (sha256, bytes) = match result {
        Ok(done) => done,
        Err(e) => {
            let _ = tokio::fs::remove_file(&part).await;
            return Err(match e {
                PartError::Io(e) => write_error(&part, e),
                PartError::Body(message) => fetch_error(message),
            });
        }
    };
    let target = dir.join(format!("{}.{ext}", story.id));
    if let Err(e) = tokio::fs::rename(&part, &target).await {
        let _ = tokio::fs::remove_file(&part).await;
        return Err(write_error(&target, e));
    }
    // The rename itself reaches the disk before the row that says the file is there.
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(Stored {
        path: relative(root, &target),
        sha256,
        bytes,
    })
}

enum PartError {
    Io(std::io::Error),
    Body(String),
}

/// Streams the body into `part` (created with the process's umask, as any file), hashing it.
async fn write_part(response: reqwest::Response, part: &Path) -> Result<(String, u64), PartError> {
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(part)
        .await
        .map_err(PartError::Io)?;
    let mut hasher = Sha256::new();
    let mut bytes = 0u64;
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| PartError::Body(e.to_string()))?;
        hasher.update(&chunk);
        bytes += chunk.len() as u64;
        file.write_all(&chunk).await.map_err(PartError::Io)?;
    }
    file.flush().await.map_err(PartError::Io)?;
    file.sync_all().await.map_err(PartError::Io)?;
    Ok((hex(&hasher.finalize()), bytes))
}

/// The final file of story `id` in `dir`, whatever its extension.
async fn existing(dir: &Path, id: &str) -> Option<PathBuf> {
    let mut entries = tokio::fs::read_dir(dir).await.ok()?;
    let prefix = format!("{id}.");
    while let Ok(Some(entry)) = entries.next_entry().await {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(&prefix) && !name.ends_with(".part") {
            return Some(entry.path());
        }
    }
    None
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
