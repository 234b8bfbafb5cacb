//! The environment variables `stories` reads, each with what it means: listed in `--help`, and
//! used to warn about a misspelt `STORIES_*` variable.

use crate::vendors::VENDORS;

/// Every environment variable `stories` reads, with what it means: for `--help` and for
/// warning about misspelt ones.
pub fn environment_variables() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for v in VENDORS {
        out.push((
            v.key_variable(),
            format!("{}'s API key (enables the vendor)", v.facts.display_name),
        ));
        out.push((
            v.url_variable(),
            format!(
                "{}'s base URL (default {})",
                v.facts.display_name, v.facts.base_url
            ),
        ));
    }
    // The example names vendors of this build, whichever they are.
    let example: Vec<&str> = VENDORS.iter().rev().take(2).map(|v| v.name()).collect();
    out.push((
        "STORIES_VENDORS".to_owned(),
        format!(
            "preference among equally cheap vendors, e.g. {}",
            example.join(",")
        ),
    ));
    let general = [
        (
            "STORIES_TIMEOUT_SECS",
            "timeout of one request, 1 to 3600 seconds (default 30)",
        ),
        (
            "STORIES_CA_CERT",
            "PEM file of extra root certificates to trust",
        ),
        (
            "STORIES_CONFIG",
            "config file (default: the platform's config folder, stories/config.toml)",
        ),
        (
            "STORIES_DATABASE_URL",
            "`stories watch`'s archive: a SQLite file or postgres:// URL (default: the platform's data folder, stories/archive.db)",
        ),
        (
            "STORIES_MOCK_PID",
            "set by `stories mock --detach`: the mock's process id",
        ),
        ("NO_COLOR", "set and not empty: no colour"),
        ("RUST_LOG", "log filter, e.g. stories=debug (overrides -v)"),
    ];
    out.extend(
        general
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    out
}

/// `STORIES_*` variables that `stories` does not read: almost always a typo.
pub fn unknown_variables(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let known: Vec<String> = environment_variables()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    names
        .into_iter()
        .filter(|n| n.starts_with("STORIES_") && !known.contains(n))
        .collect()
}
