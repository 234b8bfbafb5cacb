//! The generated crate's `Cargo.toml`: a table whose versions all come from the workspace.

use toml_edit::{DocumentMut, Item, Table, value};

use crate::codegen::HEADER_TOML;

/// Which optional crates the generated code uses.
#[derive(Debug, Default, Clone, Copy)]
pub struct Deps {
    pub chrono: bool,
    pub uuid: bool,
    pub regress: bool,
    pub futures: bool,
}

fn inherited() -> Item {
    let mut t = Table::new();
    t.set_dotted(true);
    t.insert("workspace", value(true));
    Item::Table(t)
}

/// `Cargo.toml` for `crate_name`, depending only on what its code uses.
pub fn cargo_toml(crate_name: &str, vendor: &str, display_name: &str, deps: Deps) -> String {
    let mut package = Table::new();
    package.insert("name", value(crate_name));
    package.insert("version", value("0.1.0"));
    package.insert(
        "description",
        value(format!(
            "Typed client for the {display_name} API, generated from its published docs"
        )),
    );
    for key in ["edition", "rust-version", "license", "publish"] {
        package.insert(key, inherited());
    }
    let mut dependencies = Table::new();
    let wanted = [
        ("chrono", deps.chrono),
        ("client-runtime", true),
        ("futures", deps.futures),
        ("progenitor-client", true),
        ("regress", deps.regress),
        ("reqwest", true),
        ("serde", true),
        ("serde_json", true),
        ("uuid", deps.uuid),
    ];
    for (name, used) in wanted {
        if used {
            dependencies.insert(name, inherited());
        }
    }
    let mut doc = DocumentMut::new();
    doc.insert("package", Item::Table(package));
    doc.insert("dependencies", Item::Table(dependencies));
    doc.decor_mut().set_prefix(format!(
        "{HEADER_TOML}{vendor}/. Do not edit; edit the specs and run `cargo xtask regen`.\n"
    ));
    doc.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_come_from_the_workspace_and_names_are_escaped() {
        let toml = cargo_toml(
            "probe-client",
            "probe",
            "Probe \"Q\"",
            Deps {
                chrono: true,
                ..Deps::default()
            },
        );
        assert!(toml.starts_with("# @generated"), "{toml}");
        assert!(toml.contains("\nchrono.workspace = true\n"), "{toml}");
        assert!(toml.contains("\nedition.workspace = true\n"), "{toml}");
        assert!(!toml.contains("uuid"), "{toml}");
        assert!(!toml.contains("version = \"1"), "{toml}");
        let parsed: DocumentMut = toml.parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            parsed["package"]["description"].as_str(),
            Some("Typed client for the Probe \"Q\" API, generated from its published docs")
        );
    }
}
