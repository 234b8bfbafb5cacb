//! The vendor pages under specs/ are the vendors' own, byte for byte: each page's sha256 is
//! recorded in specs/README.md, and every page is listed there.

use sha2::{Digest, Sha256};
use tests::repo_root;

#[test]
fn every_page_matches_its_recorded_sha256() {
    let root = repo_root();
    let readme =
        std::fs::read_to_string(root.join("specs/README.md")).unwrap_or_else(|e| panic!("{e}"));
    let mut pages = Vec::new();
    for dir in spec_ingest::discover(&root.join("specs")).unwrap_or_else(|e| panic!("{e}")) {
        for entry in std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{e}"))
            .filter_map(Result::ok)
        {
            if entry.path().extension().is_some_and(|x| x == "md") {
                pages.push(entry.path());
            }
        }
    }
    assert!(pages.len() >= 3);
    for page in pages {
        let rel = page
            .strip_prefix(root.join("specs"))
            .unwrap_or(&page)
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(&page).unwrap_or_else(|e| panic!("{e}"));
        let digest: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let row = readme
            .lines()
            .find(|l| l.contains(&format!("`{rel}`")))
            .unwrap_or_else(|| panic!("{rel} is not listed in specs/README.md"));
        assert!(
            row.contains(&digest),
            "{rel} changed: sha256 is {digest}, specs/README.md says:\n{row}"
        );
    }
}
