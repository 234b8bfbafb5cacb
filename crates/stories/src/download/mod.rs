//! Downloads the best rendition of each story, safely and resumably: bytes go to a uniquely
//! named temporary file beside the target (`.stories-XXXXXX.part`), synced and renamed only
//! when complete, so no incomplete file ever stands under a final name, even when two inputs
//! yield one story or the process is killed; a download archive lets a re-run skip what it
//! already has; URLs whose signature has expired are skipped with a clear message.

mod archive;
mod extension;
mod template;

use std::collections::HashSet;

pub(crate) use self::extension::{guessed as guessed_extension, served as served_extension};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use domain::Story;
use futures::StreamExt;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use tokio::io::AsyncWriteExt;

pub use self::archive::{Archive, DEFAULT_NAME as DEFAULT_ARCHIVE_NAME};
pub use self::template::{
    DEFAULT as DEFAULT_TEMPLATE, FIELDS as TEMPLATE_FIELDS, FilenameTemplate,
};

/// What happened to one story's media.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Downloaded {
    Saved {
        story: String,
        path: PathBuf,
        bytes: u64,
        /// The `--write-metadata` sidecar, when written.
        #[serde(skip_serializing_if = "Option::is_none")]
        metadata: Option<PathBuf>,
    },
    /// Already downloaded: in the archive, or by another input of this run.
    Skipped {
        story: String,
        reason: String,
    },
    /// The signed URL had already expired; fetching it would only return an error.
    Expired {
        story: String,
        expired_at: String,
    },
    NoMedia {
        story: String,
    },
    Failed {
        story: String,
        message: String,
    },
    /// The run was stopped (SIGINT, SIGTERM) before the file was complete: its temporary file
    /// was removed and nothing stands under its name.
    Interrupted {
        story: String,
    },
}

impl Downloaded {
    /// Whether this is a failure the exit status should report.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Downloaded::Failed { .. } | Downloaded::Interrupted { .. }
        )
    }
}

impl std::fmt::Display for Downloaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Downloaded::Saved {
                story, path, bytes, ..
            } => {
                write!(f, "saved {story}: {} ({bytes} bytes)", path.display())
            }
            Downloaded::Skipped { story, reason } => write!(f, "skipped {story}: {reason}"),
            Downloaded::Expired { story, expired_at } => {
                write!(
                    f,
                    "skipped {story}: its media URL's signature expired at {expired_at}; fetch the story again for a fresh URL"
                )
            }
            Downloaded::NoMedia { story } => {
                write!(f, "skipped {story}: the vendor gave no media URL")
            }
            Downloaded::Failed { story, message } => write!(f, "failed {story}: {message}"),
            Downloaded::Interrupted { story } => {
                write!(
                    f,
                    "interrupted {story}: stopped before the file was complete"
                )
            }
        }
    }
}

/// How to download.
#[derive(Debug, Clone)]
pub struct DownloadOptions {
    pub dir: PathBuf,
    pub template: FilenameTemplate,
    /// The archive file; `None` keeps no archive.
    pub archive: Option<PathBuf>,
    /// Download even what the archive lists.
    pub force: bool,
    /// Write the story's JSON beside its media, as `<file>.json`.
    pub write_metadata: bool,
    /// Downloads at once, over every input.
    pub concurrency: usize,
    pub show_progress: bool,
}

impl DownloadOptions {
    /// Everything at its default, into `dir`, with the archive `dir/.stories-archive`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        Self {
            archive: Some(dir.join(DEFAULT_ARCHIVE_NAME)),
            dir,
            template: FilenameTemplate::default(),
            force: false,
            write_metadata: false,
            concurrency: 4,
            show_progress: false,
        }
    }
}

/// Downloads for a whole run: one HTTP client, one archive, one limit on concurrent
/// transfers, and the stories already claimed by an input of this run.
#[derive(Debug)]
pub struct Downloader {
    http: reqwest::Client,
    options: DownloadOptions,
    archive: Option<Archive>,
    claimed: Mutex<HashSet<String>>,
    permits: tokio::sync::Semaphore,
    multi: MultiProgress,
    /// Cancelled when the run is stopped: transfers in progress are dropped (their temporary
    /// files with them) and the rest are not begun.
    stop: tokio_util::sync::CancellationToken,
}

impl Downloader {
    /// Opens the archive; `http` should be a client without API keys
    /// (`HttpOptions::media_client`).
    pub fn new(http: reqwest::Client, options: DownloadOptions) -> std::io::Result<Self> {
        let archive = options.archive.as_deref().map(Archive::open).transpose()?;
        let swept = sweep_stale_parts(&options.dir, STALE_AFTER);
        if swept > 0 {
            tracing::info!(
                swept,
                dir = %options.dir.display(),
                "removed temporary files of interrupted runs"
            );
        }
        let multi = MultiProgress::with_draw_target(if options.show_progress {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        });
        Ok(Self {
            http,
            permits: tokio::sync::Semaphore::new(options.concurrency.max(1)),
            options,
            archive,
            claimed: Mutex::default(),
            multi,
            stop: tokio_util::sync::CancellationToken::new(),
        })
    }

    /// Stops with `token`: once it is cancelled, a transfer in progress ends as
    /// [`Downloaded::Interrupted`] with its temporary file removed, and no new one begins.
    #[must_use]
    pub fn stopped_by(mut self, token: tokio_util::sync::CancellationToken) -> Self {
        self.stop = token;
        self
    }

    /// Downloads the best media of every story, in their order.
    pub async fn download(&self, stories: &[Story]) -> Vec<Downloaded> {
        futures::stream::iter(stories.iter().map(|s| self.one(s)))
            .buffered(self.options.concurrency.max(1))
            .collect()
            .await
    }

    async fn one(&self, story: &Story) -> Downloaded {
        let id = story.id.clone();
        let Some(best) = story.best_media() else {
            return Downloaded::NoMedia { story: id };
        };
        if best.is_expired(now()) {
            let expired_at = best
                .url_expires_at
                .map(|t| t.to_rfc3339())
                .unwrap_or_default();
            return Downloaded::Expired {
                story: id,
                expired_at,
            };
        }
        if !self.options.force
            && let Some(archive) = &self.archive
            && archive.contains(&id)
        {
            return Downloaded::Skipped {
                story: id,
                reason: format!(
                    "already downloaded (listed in {}; --force downloads again)",
                    archive.path().display()
                ),
            };
        }
        if !self
            .claimed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id.clone())
        {
            return Downloaded::Skipped {
                story: id,
                reason: "downloaded for another input of this run".to_owned(),
            };
        }
        // The file is named for what the server sends (its content type); the rendition's
        // type or URL is only the guess used before the answer.
        let guessed = guessed_extension(best, story.kind);
        let target_for = |served: Option<&'static str>| {
            self.options.dir.join(
                self.options
                    .template
                    .render(story, served.unwrap_or(guessed)),
            )
        };
        let first_guess = target_for(None);
        let label = first_guess
            .strip_prefix(&self.options.dir)
            .unwrap_or(&first_guess)
            .display()
            .to_string();
        let fetched = self.stop.run_until_cancelled(async {
            let _permit = self.permits.acquire().await;
            self.fetch(&best.url, &first_guess, &label, &target_for)
                .await
        });
        // Dropping a transfer drops its temporary file, which removes it.
        let (target, bytes) = match fetched.await {
            Some(Ok(landed)) => landed,
            Some(Err(message)) => return Downloaded::Failed { story: id, message },
            None => return Downloaded::Interrupted { story: id },
        };
        let metadata = if self.options.write_metadata {
            let mut sidecar = target.clone().into_os_string();
            sidecar.push(".json");
            let sidecar = PathBuf::from(sidecar);
            match write_metadata(story, &sidecar) {
                Ok(()) => Some(sidecar),
                Err(message) => return Downloaded::Failed { story: id, message },
            }
        } else {
            None
        };
        if let Some(archive) = &self.archive
            && let Err(e) = archive.record(&id)
        {
            return Downloaded::Failed {
                story: id,
                message: format!(
                    "saved {}, but could not record it in {}: {e}",
                    target.display(),
                    archive.path().display()
                ),
            };
        }
        Downloaded::Saved {
            story: id,
            path: target,
            bytes,
            metadata,
        }
    }

    /// Streams `url` into a temporary file beside `guess`, then renames it into place under
    /// the name `target_for` gives the extension of its content type; returns that path and
    /// the bytes written.
    async fn fetch(
        &self,
        url: &str,
        guess: &Path,
        label: &str,
        target_for: &dyn Fn(Option<&'static str>) -> PathBuf,
    ) -> Result<(PathBuf, u64), String> {
        let parent = guess.parent().unwrap_or(Path::new("."));
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(|e| format!("{}: {e}", parent.display()))?;
        let response = self.http.get(url).send().await.map_err(transfer_error)?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("the media server answered HTTP {status}"));
        }
        let expected = response.content_length();
        let served = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(served_extension);
        let partial = partial_file(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        let std_file = partial
            .as_file()
            .try_clone()
            .map_err(|e| format!("{}: {e}", partial.path().display()))?;
        let mut file = tokio::fs::File::from_std(std_file);
        let bar = self.multi.add(ProgressBar::new(expected.unwrap_or(0)));
        bar.set_style(
            ProgressStyle::with_template(
                "{msg:24!} {bar:30} {bytes:>10}/{total_bytes:10} {bytes_per_sec}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message(label.to_owned());
        let mut stream = response.bytes_stream();
        let mut written = 0u64;
        let io = |e: std::io::Error| format!("{}: {e}", partial.path().display());
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(transfer_error)?;
            file.write_all(&chunk).await.map_err(io)?;
            written += chunk.len() as u64;
            bar.set_position(written);
        }
        file.flush().await.map_err(io)?;
        file.sync_all().await.map_err(io)?;
        bar.finish_and_clear();
        if let Some(n) = expected
            && n != written
        {
            return Err(format!(
                "the connection closed after {written} of {n} bytes"
            ));
        }
        let target = target_for(served);
        if let Some(folder) = target.parent().filter(|f| *f != parent) {
            // `{ext}` in a folder of the template: the served type names another folder.
            tokio::fs::create_dir_all(folder)
                .await
                .map_err(|e| format!("{}: {e}", folder.display()))?;
        }
        // Another run may have saved the same story meanwhile: the rename replaces it with an
        // identical complete file, never with a partial one.
        partial
            .persist(&target)
            .map_err(|e| format!("{}: {}", target.display(), e.error))?;
        Ok((target, written))
    }
}

/// A temporary download file untouched this long belongs to a run that was killed: a live
/// transfer writes to its file continuously.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Removes `.stories-*.part` files below `dir` not modified for `older_than`; returns how many.
fn sweep_stale_parts(dir: &Path, older_than: std::time::Duration) -> usize {
    let mut removed = 0;
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if kind.is_dir() {
                folders.push(entry.path());
            } else if kind.is_file() && name.starts_with(".stories-") && name.ends_with(".part") {
                let stale = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age >= older_than);
                if stale && std::fs::remove_file(entry.path()).is_ok() {
                    removed += 1;
                }
            }
        }
    }
    removed
}

fn transfer_error(e: reqwest::Error) -> String {
    let kind = crate::call::transport_kind(&e);
    format!("{kind}: {}", crate::call::error_chain(&e.without_url()))
}

/// A temporary file in `parent` that becomes a download by renaming. It is created with the
/// mode any other downloader gives a file (0666 less the umask) rather than tempfile's private
/// 0600, since the mode survives the rename.
fn partial_file(parent: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".stories-").suffix(".part");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(parent)
}

/// Writes the story's JSON next to its media, atomically too.
fn write_metadata(story: &Story, path: &Path) -> Result<(), String> {
    let parent = path.parent().unwrap_or(Path::new("."));
    let at = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let mut file = partial_file(parent).map_err(|e| at(&e))?;
    serde_json::to_writer_pretty(&mut file, story).map_err(|e| at(&e))?;
    std::io::Write::write_all(&mut file, b"\n").map_err(|e| at(&e))?;
    file.as_file().sync_all().map_err(|e| at(&e))?;
    file.persist(path).map_err(|e| at(&e.error))?;
    Ok(())
}

/// The system clock (chrono is built without its clock feature).
fn now() -> chrono::DateTime<chrono::Utc> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    domain::from_epoch(i64::try_from(secs).unwrap_or(0)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_stale_temporary_files_are_swept() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let sub = dir.path().join("owner");
        std::fs::create_dir_all(&sub).unwrap_or_else(|e| panic!("{e}"));
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 24 * 3600);
        let make = |path: &Path, modified: Option<std::time::SystemTime>| {
            let file = std::fs::File::create(path).unwrap_or_else(|e| panic!("{e}"));
            if let Some(t) = modified {
                file.set_modified(t).unwrap_or_else(|e| panic!("{e}"));
            }
        };
        make(&sub.join(".stories-abc.part"), Some(old));
        make(&dir.path().join(".stories-live.part"), None);
        make(&dir.path().join("1.jpg"), Some(old));
        make(&dir.path().join("other.part"), Some(old));
        assert_eq!(sweep_stale_parts(dir.path(), STALE_AFTER), 1);
        assert!(!sub.join(".stories-abc.part").exists());
        assert!(
            dir.path().join(".stories-live.part").exists(),
            "a live transfer's file stays"
        );
        assert!(dir.path().join("1.jpg").exists() && dir.path().join("other.part").exists());
    }
}
