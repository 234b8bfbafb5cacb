//! Downloads the best rendition of each story: bounded concurrency, a progress bar per file,
//! URLs whose signature has expired skipped with a clear message, and never a partial file
//! under its final name (bytes go to `<name>.part`, renamed when complete).

use std::path::{Path, PathBuf};

use domain::{MediaKind, Rendition, Story};
use futures::StreamExt;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use tokio::io::AsyncWriteExt;

/// What happened to one story's media.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Downloaded {
    Saved {
        story: String,
        path: PathBuf,
        bytes: u64,
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
}

impl std::fmt::Display for Downloaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Downloaded::Saved { story, path, bytes } => {
                write!(f, "saved {story}: {} ({bytes} bytes)", path.display())
            }
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
        }
    }
}

fn extension(r: &Rendition, kind: MediaKind) -> &'static str {
    let path = r.url.split('?').next().unwrap_or("");
    match r.mime_type.as_deref() {
        Some(m) if m.starts_with("video/") => "mp4",
        Some("image/webp") => "webp",
        Some(m) if m.starts_with("image/") => "jpg",
        _ if path.ends_with(".mp4") => "mp4",
        _ if path.ends_with(".webp") => "webp",
        _ if path.ends_with(".jpg") || path.ends_with(".jpeg") => "jpg",
        _ if kind == MediaKind::Video => "mp4",
        _ => "jpg",
    }
}

/// File names are story ids, which are digits; anything else is replaced.
fn file_stem(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Downloads the best media of every story into `dir`, at most `concurrency` at a time.
pub async fn download_all(
    stories: &[Story],
    dir: &Path,
    concurrency: usize,
    show_progress: bool,
) -> Vec<Downloaded> {
    if let Err(e) = tokio::fs::create_dir_all(dir).await {
        return stories
            .iter()
            .map(|s| Downloaded::Failed {
                story: s.id.clone(),
                message: format!("{}: {e}", dir.display()),
            })
            .collect();
    }
    let multi = MultiProgress::with_draw_target(if show_progress {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    });
    let http = reqwest::Client::new();
    let now = chrono_now();
    let jobs = stories.iter().enumerate().map(|(i, story)| {
        let multi = multi.clone();
        let http = http.clone();
        async move { (i, one(&http, story, dir, now, &multi).await) }
    });
    let mut results: Vec<(usize, Downloaded)> = futures::stream::iter(jobs)
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, d)| d).collect()
}

fn chrono_now() -> domain::Instant {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let at = domain::from_epoch(i64::try_from(secs).unwrap_or(0)).unwrap_or_default();
    domain::Instant { at, derived: false }
}

async fn one(
    http: &reqwest::Client,
    story: &Story,
    dir: &Path,
    now: domain::Instant,
    multi: &MultiProgress,
) -> Downloaded {
    let id = story.id.clone();
    let Some(best) = story.best_media() else {
        return Downloaded::NoMedia { story: id };
    };
    if best.is_expired(now.at) {
        let expired_at = best
            .url_expires_at
            .map(|t| t.to_rfc3339())
            .unwrap_or_default();
        return Downloaded::Expired {
            story: id,
            expired_at,
        };
    }
    let name = format!("{}.{}", file_stem(&id), extension(best, story.kind));
    let target = dir.join(&name);
    let partial = dir.join(format!("{name}.part"));
    match fetch(http, &best.url, &partial, &name, multi).await {
        Ok(bytes) => match tokio::fs::rename(&partial, &target).await {
            Ok(()) => Downloaded::Saved {
                story: id,
                path: target,
                bytes,
            },
            Err(e) => Downloaded::Failed {
                story: id,
                message: e.to_string(),
            },
        },
        Err(message) => {
            let _ = tokio::fs::remove_file(&partial).await;
            Downloaded::Failed { story: id, message }
        }
    }
}

async fn fetch(
    http: &reqwest::Client,
    url: &str,
    partial: &Path,
    name: &str,
    multi: &MultiProgress,
) -> Result<u64, String> {
    let response = http
        .get(url)
        .send()
        .await
        .map_err(|e| e.without_url().to_string())?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("HTTP {status}"));
    }
    let expected = response.content_length();
    let bar = multi.add(ProgressBar::new(expected.unwrap_or(0)));
    bar.set_style(
        ProgressStyle::with_template(
            "{msg:24!} {bar:30} {bytes:>10}/{total_bytes:10} {bytes_per_sec}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(name.to_owned());
    let mut file = tokio::fs::File::create(partial)
        .await
        .map_err(|e| format!("{}: {e}", partial.display()))?;
    let mut stream = response.bytes_stream();
    let mut written = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| e.without_url().to_string())?;
        file.write_all(&chunk).await.map_err(|e| e.to_string())?;
        written += chunk.len() as u64;
        bar.set_position(written);
    }
    file.flush().await.map_err(|e| e.to_string())?;
    file.sync_all().await.map_err(|e| e.to_string())?;
    bar.finish();
    if let Some(n) = expected
        && n != written
    {
        return Err(format!(
            "the connection closed after {written} of {n} bytes"
        ));
    }
    Ok(written)
}
