//! `cargo xtask pull [--vendor V] [--origin URL]`: fetches every page a vendor folder's
//! `pages.lock` records, writes each byte for byte and updates its checksum; adds the pages of
//! the site's index that match the folder's `include` patterns. All or nothing per vendor: a
//! page that cannot be fetched (gone, an error status, a cut connection) leaves the folder as
//! it was. Pages rendered from HTML, or with no recorded address, are named for a check by hand.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use spec_ingest::{Fetch, LockedPage, PAGES_LOCK, PagesLock, sha256_hex};

/// What pull was asked.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub vendor: Option<String>,
    /// Replaces the scheme and host of every URL (a mirror, a test server).
    pub origin: Option<String>,
}

/// One fetch's outcome.
enum Got {
    Bytes(Vec<u8>),
    Gone(u16),
}

/// What happened to one vendor.
#[derive(Default)]
struct Outcome {
    changed: Vec<String>,
    unchanged: Vec<String>,
    new: Vec<String>,
    by_hand: Vec<String>,
    failed: Vec<String>,
}

/// Pulls every vendor (or one); returns the report and whether every vendor was pulled.
pub fn run(root: &Path, options: &Options) -> Result<(String, bool), String> {
    let client = reqwest::blocking::Client::builder()
        .user_agent(concat!("stories-xtask-pull/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let dirs = spec_ingest::discover(&root.join("specs")).map_err(|e| e.to_string())?;
    let mut report = String::new();
    let mut all_ok = true;
    let mut found = false;
    for dir in dirs {
        let vendor = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if options.vendor.as_ref().is_some_and(|v| *v != vendor) {
            continue;
        }
        found = true;
        let lock = PagesLock::read(&dir)?;
        let (outcome, next) = pull_vendor(&client, options, &lock, &dir);
        let ok = outcome.failed.is_empty();
        all_ok &= ok;
        if ok {
            write_vendor(&dir, &next)?;
        }
        summarize(&mut report, &vendor, &outcome, ok);
    }
    if let Some(v) = &options.vendor
        && !found
    {
        return Err(format!("no vendor named `{v}` under specs/"));
    }
    Ok((report, all_ok))
}

/// The new contents of a folder: the lock, and the files to write.
struct Next {
    lock: PagesLock,
    files: Vec<(String, Vec<u8>)>,
}

fn pull_vendor(
    client: &reqwest::blocking::Client,
    options: &Options,
    lock: &PagesLock,
    dir: &Path,
) -> (Outcome, Next) {
    let mut outcome = Outcome::default();
    let mut next = Next {
        lock: lock.clone(),
        files: Vec::new(),
    };
    for page in &mut next.lock.pages {
        match page.fetch {
            Fetch::Rendered => {
                outcome.by_hand.push(format!(
                    "{} is rendered from HTML: compare it with {}",
                    page.file, page.url
                ));
                continue;
            }
            Fetch::Manual => {
                outcome.by_hand.push(format!(
                    "{} has no recorded address: look for it at {}",
                    page.file, page.url
                ));
                continue;
            }
            Fetch::Raw => {}
        }
        match fetch(client, &rewrite(&page.url, options.origin.as_deref())) {
            Ok(Got::Bytes(bytes)) => {
                let sha = sha256_hex(&bytes);
                let on_disk = std::fs::read(dir.join(&page.file)).ok();
                if on_disk.as_deref() == Some(bytes.as_slice()) && sha == page.sha256 {
                    outcome.unchanged.push(page.file.clone());
                } else {
                    outcome.changed.push(page.file.clone());
                    page.sha256 = sha;
                    next.files.push((page.file.clone(), bytes));
                }
            }
            Ok(Got::Gone(status)) => outcome.failed.push(format!(
                "{} is gone ({status} from {})",
                page.file, page.url
            )),
            Err(e) => outcome.failed.push(format!("{}: {e}", page.file)),
        }
    }
    if let Some(index) = &lock.index {
        match fetch(client, &rewrite(index, options.origin.as_deref())) {
            Ok(Got::Bytes(bytes)) => {
                let text = String::from_utf8_lossy(&bytes);
                for url in index_urls(&text) {
                    // The index lists the site's own addresses; compare them as recorded.
                    let url = unrewrite(&url, index, options.origin.as_deref());
                    if !lock.includes(&url) || next.lock.pages.iter().any(|p| p.url == url) {
                        continue;
                    }
                    let Some(file) = file_name(&url) else {
                        continue;
                    };
                    if next.lock.pages.iter().any(|p| p.file == file) {
                        outcome.failed.push(format!(
                            "{url} would be saved as {file}, which another page already is"
                        ));
                        continue;
                    }
                    match fetch(client, &rewrite(&url, options.origin.as_deref())) {
                        Ok(Got::Bytes(bytes)) => {
                            next.lock.pages.push(LockedPage {
                                file: file.clone(),
                                url: url.clone(),
                                fetch: Fetch::Raw,
                                sha256: sha256_hex(&bytes),
                            });
                            outcome.new.push(format!("{file} (from {url})"));
                            next.files.push((file, bytes));
                        }
                        Ok(Got::Gone(status)) => outcome
                            .failed
                            .push(format!("{url}, listed in the index, is gone ({status})")),
                        Err(e) => outcome.failed.push(format!("{url}: {e}")),
                    }
                }
            }
            Ok(Got::Gone(status)) => outcome
                .failed
                .push(format!("the index {index} is gone ({status})")),
            Err(e) => outcome.failed.push(format!("the index {index}: {e}")),
        }
    }
    (outcome, next)
}

/// Writes the fetched files and the lock, each through a temporary file renamed into place.
fn write_vendor(dir: &Path, next: &Next) -> Result<(), String> {
    let write = |name: &str, bytes: &[u8]| -> Result<(), String> {
        let mut tmp =
            tempfile::NamedTempFile::new_in(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        std::io::Write::write_all(&mut tmp, bytes).map_err(|e| format!("{name}: {e}"))?;
        tmp.persist(dir.join(name))
            .map_err(|e| format!("{name}: {e}"))?;
        Ok(())
    };
    for (file, bytes) in &next.files {
        write(file, bytes)?;
    }
    let text = next.lock.to_text();
    let current = std::fs::read_to_string(dir.join(PAGES_LOCK)).unwrap_or_default();
    if text != current {
        write(PAGES_LOCK, text.as_bytes())?;
    }
    Ok(())
}

fn summarize(report: &mut String, vendor: &str, o: &Outcome, ok: bool) {
    let _ = writeln!(
        report,
        "{vendor}: {} changed, {} unchanged, {} new{}",
        o.changed.len(),
        o.unchanged.len(),
        o.new.len(),
        if ok { "" } else { "; nothing was written" }
    );
    for (tag, items) in [
        ("changed", &o.changed),
        ("new", &o.new),
        ("by hand", &o.by_hand),
        ("failed", &o.failed),
    ] {
        for item in items {
            let _ = writeln!(report, "  {tag:<8} {item}");
        }
    }
}

/// GETs `url`, retrying transport failures, 429 and 5xx twice with a growing pause.
fn fetch(client: &reqwest::blocking::Client, url: &str) -> Result<Got, String> {
    let mut last = String::new();
    for attempt in 0..3 {
        if attempt > 0 {
            std::thread::sleep(Duration::from_millis(250 << attempt));
        }
        match client.get(url).send() {
            Ok(response) => {
                let status = response.status();
                if status == reqwest::StatusCode::NOT_FOUND || status == reqwest::StatusCode::GONE {
                    return Ok(Got::Gone(status.as_u16()));
                }
                if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
                    last = format!("HTTP {status} from {url}");
                    continue;
                }
                if !status.is_success() {
                    return Err(format!("HTTP {status} from {url}"));
                }
                match response.bytes() {
                    Ok(bytes) => return Ok(Got::Bytes(bytes.to_vec())),
                    Err(e) => last = format!("the body from {url} was cut short: {e}"),
                }
            }
            Err(e) => last = format!("cannot fetch {url}: {e}"),
        }
    }
    Err(last)
}

/// `url` with its scheme and host replaced by `origin`.
fn rewrite(url: &str, origin: Option<&str>) -> String {
    let Some(origin) = origin else {
        return url.to_owned();
    };
    let rest = url.split_once("://").map_or(url, |(_, after)| {
        after.find('/').map_or("", |i| &after[i..])
    });
    format!("{}{rest}", origin.trim_end_matches('/'))
}

/// An index URL served from `origin` back in the site's own terms (the index's scheme and host).
fn unrewrite(url: &str, index: &str, origin: Option<&str>) -> String {
    match origin {
        Some(origin) if url.starts_with(origin.trim_end_matches('/')) => {
            let site = rewrite(index, Some("")).len();
            let host = &index[..index.len() - site];
            format!("{host}{}", &url[origin.trim_end_matches('/').len()..])
        }
        _ => url.to_owned(),
    }
}

/// The URLs an `llms.txt` lists: markdown links and bare `http(s)://` addresses.
fn index_urls(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for token in
        text.split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == '<' || c == '>')
    {
        let token = token.trim_end_matches([',', '.', ';', ':']);
        if (token.starts_with("https://") || token.starts_with("http://"))
            && !out.iter().any(|u| u == token)
        {
            out.push(token.to_owned());
        }
    }
    out
}

/// The file a new page is saved as: the URL's last path segment.
fn file_name(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let name = path.rsplit('/').next()?;
    (!name.is_empty() && !name.starts_with('.') && name.ends_with(".md")).then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_rewritten_to_the_origin_and_back() {
        let origin = Some("http://127.0.0.1:9");
        assert_eq!(
            rewrite("https://docs.x.com/a/b.md", origin),
            "http://127.0.0.1:9/a/b.md"
        );
        assert_eq!(
            rewrite("https://docs.x.com/a/b.md", None),
            "https://docs.x.com/a/b.md"
        );
        assert_eq!(
            unrewrite(
                "http://127.0.0.1:9/r/c.md",
                "https://docs.x.com/llms.txt",
                origin
            ),
            "https://docs.x.com/r/c.md"
        );
        assert_eq!(
            index_urls("# Docs\n- [A](https://docs.x.com/a.md): a\n- https://docs.x.com/b.md\n"),
            ["https://docs.x.com/a.md", "https://docs.x.com/b.md"]
        );
        assert_eq!(
            file_name("https://docs.x.com/r/c.md?v=1").as_deref(),
            Some("c.md")
        );
        assert_eq!(file_name("https://docs.x.com/r/"), None);
    }
}
