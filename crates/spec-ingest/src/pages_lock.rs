//! `specs/<vendor>/pages.lock`: where each page of a vendor folder comes from and the sha256 of
//! the bytes committed, in a file tools read and write (`cargo xtask pull` fetches the pages
//! again and rewrites it; `specs_unedited.rs` checks the pages against it). A Mintlify-style
//! site can name its index (`llms.txt`) and which of its pages belong here.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// The file's name in each vendor folder.
pub const PAGES_LOCK: &str = "pages.lock";

/// How a page can be fetched again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fetch {
    /// The URL serves the committed bytes.
    #[default]
    Raw,
    /// The committed text is a rendering of the URL's HTML page: it is checked by hand.
    Rendered,
    /// The page's address was not recorded: it is checked by hand.
    Manual,
}

/// One page of the folder.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LockedPage {
    /// The file in the vendor folder.
    pub file: String,
    /// Where it is published (for `manual` pages, where to look).
    pub url: String,
    #[serde(default, skip_serializing_if = "is_raw")]
    pub fetch: Fetch,
    pub sha256: String,
}

fn is_raw(f: &Fetch) -> bool {
    *f == Fetch::Raw
}

/// A vendor folder's `pages.lock`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PagesLock {
    /// The site's index of pages (`https://docs.example.com/llms.txt`), for new pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
    /// Which of the index's URLs belong to this folder: each a substring every such URL holds
    /// (`/instagram/` and `highlight`), all of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    #[serde(default, rename = "page")]
    pub pages: Vec<LockedPage>,
}

const HEADER: &str = "# Where each page of this folder comes from, and the sha256 of its committed bytes.\n# `cargo xtask pull` fetches the pages again and rewrites this file; edit `index`, `include`\n# and a page's `url` or `fetch` by hand.\n\n";

impl PagesLock {
    /// Reads `dir/pages.lock`; a folder without one has no recorded pages.
    pub fn read(dir: &Path) -> Result<Self, String> {
        let path = dir.join(PAGES_LOCK);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        toml::from_str(&text).map_err(|e| {
            let line = e.span().map_or(1, |s| {
                text[..s.start.min(text.len())].matches('\n').count() + 1
            });
            format!("{}:{line}: {}", path.display(), e.message())
        })
    }

    /// The file's text: the header, then the index, the patterns and the pages by file name.
    pub fn to_text(&self) -> String {
        let mut sorted = self.clone();
        sorted.pages.sort_by(|a, b| a.file.cmp(&b.file));
        format!("{HEADER}{}", toml::to_string(&sorted).unwrap_or_default())
    }

    /// Whether the index's `url` belongs to this folder.
    pub fn includes(&self, url: &str) -> bool {
        !self.include.is_empty() && self.include.iter().all(|p| url.contains(p.as_str()))
    }
}

/// The sha256 of `bytes`, in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_round_trips_and_says_which_urls_belong() {
        let text = "index = \"https://docs.example.com/llms.txt\"\ninclude = [\"/instagram/\", \"highlight\"]\n\n[[page]]\nfile = \"b.md\"\nurl = \"https://docs.example.com/b.md\"\nsha256 = \"00\"\n\n[[page]]\nfile = \"a.md\"\nurl = \"https://docs.example.com/a\"\nfetch = \"rendered\"\nsha256 = \"11\"\n";
        let lock: PagesLock = toml::from_str(text).expect("parses");
        assert_eq!(lock.pages[1].fetch, Fetch::Rendered);
        let again: PagesLock = toml::from_str(&lock.to_text()).expect("round-trips");
        assert_eq!(
            again.pages[0].file, "a.md",
            "pages are written by file name"
        );
        assert_eq!(again.index, lock.index);
        assert!(
            lock.includes("https://docs.example.com/reference/instagram/get-highlight-stories.md")
        );
        assert!(!lock.includes("https://docs.example.com/reference/tiktok/get-highlight.md"));
        assert!(
            toml::from_str::<PagesLock>("[[page]]\nfile = \"a\"\nurl = \"u\"\nsha = \"x\"\n")
                .is_err()
        );
    }
}
