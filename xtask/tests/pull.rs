//! `cargo xtask pull` against a vendor's docs site served on loopback: an index (`llms.txt`)
//! and its pages, one page changed (a response property removed, an optional parameter added)
//! and one page new. Pull writes the served bytes exactly and updates the checksums; regen then
//! reviews the change and versions the crate by it. A page that is gone, or a connection cut
//! mid-body, writes nothing.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;

mod common;
use common::{copy_tree, repo, xtask};

/// What the test site answers for a path.
#[derive(Clone)]
enum Answer {
    Page(Vec<u8>),
    Status(u16),
    /// Promises twice the body and closes after half of it.
    Cut(Vec<u8>),
}

/// Serves `routes` on a loopback port until the test ends; returns the origin.
fn serve(routes: BTreeMap<String, Answer>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let origin = format!(
        "http://{}",
        listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap_or_else(|e| panic!("{e}")));
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            // The rest of the head.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let answer = routes.get(&path).cloned().unwrap_or(Answer::Status(404));
            let _ = match answer {
                Answer::Page(body) => stream
                    .write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        )
                        .as_bytes(),
                    )
                    .and_then(|()| stream.write_all(&body)),
                Answer::Status(code) => stream.write_all(
                    format!(
                        "HTTP/1.1 {code} Nope\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                    .as_bytes(),
                ),
                Answer::Cut(body) => stream
                    .write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len() * 2
                        )
                        .as_bytes(),
                    )
                    .and_then(|()| stream.write_all(&body)),
            };
        }
    });
    origin
}

/// A checkout of specs/ and generated/ whose KonbiniAPI folder names its site's index.
fn checkout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for sub in ["specs", "generated"] {
        copy_tree(&repo().join(sub), &dir.path().join(sub));
    }
    fs::copy(repo().join("Cargo.toml"), dir.path().join("Cargo.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let lock = dir.path().join("specs/konbiniapi/pages.lock");
    let text = fs::read_to_string(&lock).unwrap_or_else(|e| panic!("{e}"));
    let text = text.replacen(
        "[[page]]",
        "index = \"https://docs.konbiniapi.com/llms.txt\"\ninclude = [\"/reference/api/instagram/\"]\n\n[[page]]",
        1,
    );
    fs::write(&lock, text).unwrap_or_else(|e| panic!("{e}"));
    dir
}

const PAGE: &str = "/reference/api/instagram/get-highlight-stories.md";
const NEW_PAGE: &str = "/reference/api/instagram/get-highlight-items.md";

fn committed_page() -> String {
    fs::read_to_string(repo().join("specs/konbiniapi/get-highlight-stories.md"))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The page as the vendor changed it: `image` gone from the answer, an optional `limit` added.
fn changed_page() -> String {
    let page = committed_page();
    let image = "                      image:\n                        type: array\n                        items:\n                          $ref: '#/components/schemas/InstagramImage'\n                        description: Highlight cover images\n";
    assert!(page.contains(image));
    page.replacen(image, "", 1).replacen(
        "          name: highlightId\n          in: path\n",
        "          name: highlightId\n          in: path\n        - schema:\n            type: integer\n          required: false\n          description: How many items\n          name: limit\n          in: query\n",
        1,
    )
}

/// A second page of the site: the same answer under another operation.
fn new_page() -> String {
    committed_page()
        .replace(
            "/v1/instagram/highlights/{highlightId}:",
            "/v1/instagram/highlights/{highlightId}/items:",
        )
        .replace(
            "operationId: instagramGetHighlightStories",
            "operationId: instagramGetHighlightItems",
        )
}

fn index() -> String {
    "# KonbiniAPI\n\n- [Get highlight stories](https://docs.konbiniapi.com/reference/api/instagram/get-highlight-stories.md)\n- [Get highlight items](https://docs.konbiniapi.com/reference/api/instagram/get-highlight-items.md): items\n- [TikTok](https://docs.konbiniapi.com/reference/api/tiktok/get-user.md)\n".to_owned()
}

#[test]
fn pull_writes_the_served_pages_and_regen_reviews_the_change() {
    let dir = checkout();
    let root = dir.path();
    let origin = serve(BTreeMap::from([
        ("/llms.txt".to_owned(), Answer::Page(index().into_bytes())),
        (PAGE.to_owned(), Answer::Page(changed_page().into_bytes())),
        (NEW_PAGE.to_owned(), Answer::Page(new_page().into_bytes())),
    ]));
    let out = xtask(
        root,
        &["pull", "--vendor", "konbiniapi", "--origin", &origin],
    );
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        report.starts_with("konbiniapi: 1 changed, 0 unchanged, 1 new\n"),
        "{report}"
    );
    let folder = root.join("specs/konbiniapi");
    assert_eq!(
        fs::read_to_string(folder.join("get-highlight-stories.md")).unwrap_or_default(),
        changed_page()
    );
    assert_eq!(
        fs::read_to_string(folder.join("get-highlight-items.md")).unwrap_or_default(),
        new_page()
    );
    let lock = spec_ingest::PagesLock::read(&folder).unwrap_or_else(|e| panic!("{e}"));
    let sha = |file: &str| {
        lock.pages
            .iter()
            .find(|p| p.file == file)
            .map(|p| p.sha256.clone())
    };
    assert_eq!(
        sha("get-highlight-stories.md"),
        Some(spec_ingest::sha256_hex(changed_page().as_bytes()))
    );
    assert_eq!(
        sha("get-highlight-items.md"),
        Some(spec_ingest::sha256_hex(new_page().as_bytes()))
    );
    assert!(
        lock.pages
            .iter()
            .any(|p| p.url == format!("https://docs.konbiniapi.com{NEW_PAGE}")),
        "the new page is recorded by its site address: {lock:?}"
    );
    // Pulling again changes nothing.
    let again = xtask(
        root,
        &["pull", "--vendor", "konbiniapi", "--origin", &origin],
    );
    assert!(
        String::from_utf8_lossy(&again.stdout)
            .starts_with("konbiniapi: 0 changed, 2 unchanged, 0 new\n")
    );

    let out = xtask(root, &["regen", "--vendor", "konbiniapi"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in [
        "konbiniapi-client 0.1.0 → 0.2.0",
        "breaking GET /v1/instagram/highlights/{highlightId}: the response (200): the property `data.image` was removed [response-property-removed]",
        "info     GET /v1/instagram/highlights/{highlightId}: the optional query parameter `limit` was added [new-optional-request-parameter]",
        "info     GET /v1/instagram/highlights/{highlightId}/items: the operation was added [endpoint-added]",
    ] {
        assert!(text.contains(line), "no line {line:?} in:\n{text}");
    }
    let toml =
        fs::read_to_string(root.join("generated/konbiniapi-client/Cargo.toml")).unwrap_or_default();
    assert!(toml.contains("version = \"0.2.0\""), "{toml}");
}

/// Every file of the KonbiniAPI folder, by name.
fn folder(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(root.join("specs/konbiniapi"))
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(Result::ok)
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn a_page_that_is_gone_or_cut_short_writes_nothing() {
    for (what, answer) in [
        ("gone", Answer::Status(404)),
        ("cut", Answer::Cut(changed_page().into_bytes())),
        ("failing", Answer::Status(500)),
    ] {
        let dir = checkout();
        let before = folder(dir.path());
        let origin = serve(BTreeMap::from([
            ("/llms.txt".to_owned(), Answer::Page(index().into_bytes())),
            (PAGE.to_owned(), answer),
            (NEW_PAGE.to_owned(), Answer::Page(new_page().into_bytes())),
        ]));
        let out = xtask(
            dir.path(),
            &["pull", "--vendor", "konbiniapi", "--origin", &origin],
        );
        let report = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{what}: {report}");
        assert!(report.contains("; nothing was written"), "{what}: {report}");
        assert!(
            report.contains("get-highlight-stories.md"),
            "{what}: the failing page is named: {report}"
        );
        assert_eq!(folder(dir.path()), before, "{what}: the folder changed");
    }
}

#[test]
fn pages_that_cannot_be_fetched_as_published_are_named_for_a_check_by_hand() {
    let dir = checkout();
    let origin = serve(BTreeMap::new());
    let out = xtask(
        dir.path(),
        &["pull", "--vendor", "hikerapi", "--origin", &origin],
    );
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}");
    assert!(
        report.contains("by hand  stories.md is rendered from HTML: compare it with https://hiker-doc.readthedocs.io/en/latest/api-reference/v1/stories/"),
        "{report}"
    );
    let out = xtask(dir.path(), &["pull", "--vendor", "nobody"]);
    assert_eq!(out.status.code(), Some(2));
}
