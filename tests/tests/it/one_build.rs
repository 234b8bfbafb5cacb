//! One build serves both: `cargo build -p stories` right after `cargo test --workspace` builds
//! no dependency again, because every package under `stories` resolves to the same features
//! either way (workspace-hack/, kept by `cargo hakari generate`, unifies them). Checked with
//! `cargo tree`, which resolves features as those builds do without building anything.

use std::collections::BTreeMap;
use std::process::Command;

use tests::repo_root;

/// Each package's features, as `cargo tree` resolves them for `args`.
fn features(args: &[&str]) -> BTreeMap<String, String> {
    let out = Command::new(env!("CARGO"))
        .current_dir(repo_root())
        .args(["tree", "--locked", "--offline", "--prefix", "none"])
        .args(["--format", "{p}|{f}"])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cargo tree: {e}"));
    assert!(
        out.status.success(),
        "cargo tree {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut resolved = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        // `(*)` ends the line of a package already shown.
        let line = line.trim_end_matches(" (*)");
        let Some((package, features)) = line.split_once('|') else {
            continue;
        };
        resolved.insert(package.to_owned(), features.to_owned());
    }
    resolved
}

#[test]
fn building_the_cli_after_the_tests_rebuilds_no_dependency() {
    let tests = features(&["--workspace", "--edges", "normal,build,dev"]);
    let cli = features(&["--package", "stories", "--edges", "normal,build"]);
    assert!(cli.len() > 100, "{} packages under stories", cli.len());
    let differ: Vec<String> = cli
        .iter()
        .filter_map(|(package, features)| {
            let other = tests.get(package)?;
            (other != features)
                .then(|| format!("{package}: [{features}] for the CLI, [{other}] for the tests"))
        })
        .collect();
    assert!(
        differ.is_empty(),
        "these would be built twice; run `cargo hakari generate && cargo hakari manage-deps`:\n{}",
        differ.join("\n")
    );
}

/// A crate that only asks vendors (`stories` with `default-features = false`) links no HTTP
/// server: the mock and its axum stay behind the `mock` feature, which the CLI turns on.
#[test]
fn the_library_without_the_mock_links_no_http_server() {
    let has_axum = |args: &[&str]| features(args).keys().any(|p| p.starts_with("axum "));
    assert!(
        !has_axum(&[
            "--package",
            "stories",
            "--no-default-features",
            "--edges",
            "normal"
        ]),
        "stories without its default features still depends on axum"
    );
    assert!(has_axum(&["--package", "stories", "--edges", "normal"]));
}
