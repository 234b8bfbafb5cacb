//! The workspace the generated crates join: they inherit every dependency from the root
//! `Cargo.toml`'s `[workspace.dependencies]`, so a generated crate inheriting a dependency the
//! table lacks leaves every cargo command of the workspace failing — the hand-written crates'
//! included. Regen checks the table before it writes anything, and checks that the next tree
//! loads (`cargo metadata`) before it swaps it in.

use std::path::{Path, PathBuf};
use std::process::Command;

use toml_edit::DocumentMut;

use crate::{GeneratedCrate, RegenError};

/// The root manifest of the repository at `root`, when it declares a workspace.
fn root_manifest(root: &Path) -> Option<(PathBuf, DocumentMut)> {
    let path = root.join("Cargo.toml");
    let text = std::fs::read_to_string(&path).ok()?;
    let doc: DocumentMut = text.parse().ok()?;
    doc.get("workspace")?;
    Some((path, doc))
}

/// The dependencies `manifest` (a generated `Cargo.toml`) inherits with `workspace = true`.
fn inherited(manifest: &str) -> Vec<String> {
    let Ok(doc) = manifest.parse::<DocumentMut>() else {
        return Vec::new();
    };
    doc.get("dependencies")
        .and_then(|d| d.as_table_like())
        .into_iter()
        .flat_map(|t| t.iter())
        .filter(|(_, item)| {
            item.as_table_like()
                .and_then(|t| t.get("workspace"))
                .and_then(|w| w.as_bool())
                == Some(true)
        })
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// Every dependency a planned crate inherits must be in the root's `[workspace.dependencies]`.
/// Without a root workspace manifest there is nothing to join, and nothing to check.
pub fn check_inherited(root: &Path, crates: &[GeneratedCrate]) -> Result<(), RegenError> {
    let Some((path, doc)) = root_manifest(root) else {
        return Ok(());
    };
    let table = doc
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(|d| d.as_table_like());
    for krate in crates {
        let Some(manifest) = krate.files.get("Cargo.toml") else {
            continue;
        };
        let missing: Vec<String> = inherited(manifest)
            .into_iter()
            .filter(|name| table.is_none_or(|t| !t.contains_key(name)))
            .collect();
        if !missing.is_empty() {
            return Err(RegenError::Workspace {
                path,
                message: format!(
                    "generated/{}/Cargo.toml would inherit {} from `[workspace.dependencies]`, which has no such entr{}; add {} there (every generated crate takes its versions from that table), then run regen again",
                    krate.name,
                    quoted(&missing),
                    if missing.len() == 1 { "y" } else { "ies" },
                    missing
                        .iter()
                        .map(|m| format!("`{m} = \"…\"`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            });
        }
    }
    Ok(())
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why the workspace would not load, or `None` when it does: `cargo metadata --no-deps`, which
/// reads every member's manifest (and the path dependencies they name) without resolving or
/// fetching anything.
fn load_failure(manifest: &Path) -> Option<String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .arg("--manifest-path")
        .arg(manifest)
        .env_remove("CARGO_TARGET_DIR")
        .output();
    match out {
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(String::from_utf8_lossy(&out.stderr).trim().to_owned()),
        Err(e) => Some(format!("cannot run cargo: {e}")),
    }
}

/// Checks that the workspace at `root` still loads with `next` in place of `generated/`.
/// Regen never makes a loadable workspace unloadable; a root that does not load before regen
/// (a folder holding only `specs/`, a workspace already broken by hand) is left to its owner.
#[cfg(unix)]
pub fn check_loads(root: &Path, staging: &Path, next: &Path) -> Result<(), RegenError> {
    let Some((manifest, _)) = root_manifest(root) else {
        return Ok(());
    };
    if load_failure(&manifest).is_some() {
        return Ok(());
    }
    // A view of the workspace with the next tree as its `generated/`: the root manifest copied,
    // every other top-level entry linked, so cargo resolves members and paths as it will after
    // the swap.
    let view = staging.join("workspace");
    let io = |path: &Path, e: std::io::Error| crate::swap::io(path, e);
    std::fs::create_dir_all(&view).map_err(|e| io(&view, e))?;
    let entries = std::fs::read_dir(root).map_err(|e| io(root, e))?;
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let skip = ["generated", "target", ".git", "Cargo.toml"]
            .iter()
            .any(|s| name == *s)
            || staging.file_name() == Some(name.as_os_str());
        if !skip {
            let link = view.join(&name);
            std::os::unix::fs::symlink(entry.path(), &link).map_err(|e| io(&link, e))?;
        }
    }
    let copied = view.join("Cargo.toml");
    std::fs::copy(&manifest, &copied).map_err(|e| io(&copied, e))?;
    let generated = view.join("generated");
    std::os::unix::fs::symlink(next, &generated).map_err(|e| io(&generated, e))?;
    let failure = load_failure(&copied);
    let _ = std::fs::remove_dir_all(&view);
    match failure {
        None => Ok(()),
        Some(why) => Err(RegenError::Workspace {
            path: manifest,
            message: format!(
                "the workspace would not load with the regenerated crates, so generated/ was left as it was; cargo said:\n{}",
                why.replace(&view.display().to_string(), &root.display().to_string())
            ),
        }),
    }
}

/// Elsewhere the view cannot be linked together; the dependency table is still checked.
#[cfg(not(unix))]
pub fn check_loads(_: &Path, _: &Path, _: &Path) -> Result<(), RegenError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dependency_a_generated_crate_can_inherit_is_in_this_workspace() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let every = crate::manifest::cargo_toml(
            "probe-client",
            "probe",
            "Probe",
            crate::manifest::Deps {
                chrono: true,
                uuid: true,
                regress: true,
                futures: true,
            },
        );
        let krate = GeneratedCrate {
            vendor: "probe".into(),
            name: "probe-client".into(),
            files: [("Cargo.toml".to_owned(), every)].into_iter().collect(),
        };
        check_inherited(&root, &[krate]).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn a_missing_entry_is_named_with_the_fix() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[workspace]\nmembers = [\"generated/*\"]\n[workspace.dependencies]\nserde = \"1\"\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let manifest = "[package]\nname = \"p\"\n[dependencies]\nserde.workspace = true\nuuid.workspace = true\n";
        let krate = GeneratedCrate {
            vendor: "p".into(),
            name: "p-client".into(),
            files: [("Cargo.toml".to_owned(), manifest.to_owned())]
                .into_iter()
                .collect(),
        };
        let err = check_inherited(dir.path(), &[krate])
            .err()
            .unwrap_or_else(|| panic!("accepted"))
            .to_string();
        assert!(err.contains("Cargo.toml"), "{err}");
        assert!(err.contains("generated/p-client/Cargo.toml"), "{err}");
        assert!(err.contains("`uuid`") && !err.contains("`serde`"), "{err}");
    }
}
