//! The vendor pages under specs/ are the vendors' own, byte for byte: each page's sha256 is
//! recorded in its folder's `pages.lock` (which `cargo xtask pull` writes), every page is
//! listed there, and every listed page exists.

use std::collections::BTreeSet;

use spec_ingest::PagesLock;
use tests::repo_root;

/// Files of a vendor folder that are the project's own, not the vendor's pages.
const OWN: [&str; 3] = ["vendor.toml", "overlay.yaml", spec_ingest::PAGES_LOCK];

#[test]
fn every_page_matches_its_recorded_sha256() {
    let root = repo_root();
    let mut checked = 0;
    for dir in spec_ingest::discover(&root.join("specs")).unwrap_or_else(|e| panic!("{e}")) {
        let vendor = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let lock = PagesLock::read(&dir).unwrap_or_else(|e| panic!("{e}"));
        let text = std::fs::read_to_string(dir.join(spec_ingest::PAGES_LOCK))
            .unwrap_or_else(|e| panic!("specs/{vendor} has no pages.lock: {e}"));
        assert_eq!(
            text,
            lock.to_text(),
            "specs/{vendor}/pages.lock is not as pull writes it"
        );
        let listed: BTreeSet<&str> = lock.pages.iter().map(|p| p.file.as_str()).collect();
        for entry in std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{e}"))
            .filter_map(Result::ok)
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            if OWN.contains(&name.as_str()) || !entry.path().is_file() {
                continue;
            }
            assert!(
                listed.contains(name.as_str()),
                "specs/{vendor}/{name} is not listed in specs/{vendor}/pages.lock"
            );
        }
        for page in &lock.pages {
            let bytes = std::fs::read(dir.join(&page.file)).unwrap_or_else(|e| {
                panic!("specs/{vendor}/{} is listed but unreadable: {e}", page.file)
            });
            let digest = spec_ingest::sha256_hex(&bytes);
            assert_eq!(
                digest, page.sha256,
                "specs/{vendor}/{} changed: its sha256 is {digest}, pages.lock says {}",
                page.file, page.sha256
            );
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} pages were checked");
}
