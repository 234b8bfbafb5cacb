//! The optional config file (TOML), read once at start. Every value keeps its line, so an
//! error names `<file>:<line>: <key>`:
//!
//! ```toml
//! prefer = ["keyapi", "hikerapi"]   # like STORIES_VENDORS
//! timeout_secs = 20                 # like STORIES_TIMEOUT_SECS
//! ca_cert = "/etc/ssl/corp-ca.pem"  # like STORIES_CA_CERT
//!
//! [vendor.keyapi]
//! key = "…"                         # like STORIES_KEYAPI_KEY
//! url = "https://api.keyapi.ai"     # like STORIES_KEYAPI_URL
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::ConfigError;
use crate::vendors::{vendor, vendor_names};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    prefer: Option<Spanned<Vec<String>>>,
    timeout_secs: Option<Spanned<toml::Value>>,
    ca_cert: Option<Spanned<String>>,
    #[serde(default)]
    vendor: BTreeMap<Spanned<String>, VendorTable>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VendorTable {
    key: Option<Spanned<String>>,
    url: Option<Spanned<String>>,
}

/// A parsed config file: each setting's value with the line it is on.
#[derive(Clone, Default)]
pub struct ConfigFile {
    path: PathBuf,
    /// `prefer`, `timeout_secs`, `ca_cert`, `<vendor>.key`, `<vendor>.url` → (value, line).
    values: BTreeMap<String, (String, usize)>,
}

/// Names the settings, never their values (the file may hold keys).
impl std::fmt::Debug for ConfigFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigFile")
            .field("path", &self.path)
            .field("settings", &self.values.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// `<platform config folder>/stories/config.toml` (`~/.config/stories/config.toml` on Linux).
pub fn default_config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("stories").join("config.toml"))
}

impl ConfigFile {
    /// Reads `path`. A missing file is an error only when the user named it (`required`).
    pub fn read(path: &Path, required: bool) -> Result<Option<Self>, ConfigError> {
        let at = |reason: String| ConfigError {
            origin: path.display().to_string(),
            reason,
        };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => return Ok(None),
            Err(e) => return Err(at(format!("cannot read the config file: {e}"))),
        };
        warn_if_readable_by_others(path);
        Self::parse(path, &text).map(Some)
    }

    /// Parses `text` as the config file at `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Self, ConfigError> {
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| line_of(s.start));
            ConfigError {
                origin: format!("{}:{line}", path.display()),
                reason: e.message().to_owned(),
            }
        })?;
        let mut values = BTreeMap::new();
        if let Some(prefer) = raw.prefer {
            let line = line_of(prefer.span().start);
            values.insert("vendors".to_owned(), (prefer.into_inner().join(","), line));
        }
        if let Some(t) = raw.timeout_secs {
            let line = line_of(t.span().start);
            let text = match t.into_inner() {
                toml::Value::String(s) => s,
                other => other.to_string(),
            };
            values.insert("timeout_secs".to_owned(), (text, line));
        }
        if let Some(ca) = raw.ca_cert {
            let line = line_of(ca.span().start);
            values.insert("ca_cert".to_owned(), (ca.into_inner(), line));
        }
        for (name, table) in raw.vendor {
            let line = line_of(name.span().start);
            let name = name.into_inner();
            if vendor(&name).is_none() {
                return Err(ConfigError {
                    origin: format!("{}:{line}", path.display()),
                    reason: format!(
                        "unknown vendor `{name}`; known: {}",
                        vendor_names().join(", ")
                    ),
                });
            }
            for (field, value) in [("key", table.key), ("url", table.url)] {
                if let Some(v) = value {
                    let line = line_of(v.span().start);
                    // An empty value would silently mean "not configured": say so instead.
                    if v.get_ref().trim().is_empty() {
                        return Err(ConfigError {
                            origin: format!("{}:{line}: vendor.{name}.{field}", path.display()),
                            reason: format!(
                                "is empty; give the value, or remove the line to leave {name} {}",
                                if field == "key" {
                                    "unconfigured"
                                } else {
                                    "at its documented URL"
                                }
                            ),
                        });
                    }
                    values.insert(format!("{name}.{field}"), (v.into_inner(), line));
                }
            }
        }
        Ok(Self {
            path: path.to_path_buf(),
            values,
        })
    }

    /// The value of `key` and where it stands (`<file>:<line>: <key>`).
    pub(super) fn get(&self, key: &str) -> Option<(String, String)> {
        let (value, line) = self.values.get(key)?;
        let shown = match key {
            "vendors" => "prefer".to_owned(),
            other => other
                .split_once('.')
                .map_or_else(|| other.to_owned(), |(v, f)| format!("vendor.{v}.{f}")),
        };
        Some((
            value.clone(),
            format!("{}:{line}: {shown}", self.path.display()),
        ))
    }
}

/// A file holding API keys should be the user's alone, as ssh insists for its keys.
#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(
            "{} can be read by other users; if it holds API keys, run `chmod 600 {}`",
            path.display(),
            path.display()
        );
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_lines() {
        let text = "prefer = [\"keyapi\"]\ntimeout_secs = 20\n\n[vendor.keyapi]\nkey = \"k\"\nurl = \"http://x\"\n";
        let file = ConfigFile::parse(Path::new("c.toml"), text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            file.get("timeout_secs"),
            Some(("20".into(), "c.toml:2: timeout_secs".into()))
        );
        assert_eq!(
            file.get("keyapi.url"),
            Some(("http://x".into(), "c.toml:6: vendor.keyapi.url".into()))
        );
        assert_eq!(file.get("vendors").map(|v| v.0), Some("keyapi".into()));
    }

    #[test]
    fn an_empty_key_or_url_is_a_located_error() {
        let err = ConfigFile::parse(Path::new("c.toml"), "[vendor.keyapi]\nkey = \"\"\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(
            err,
            "c.toml:2: vendor.keyapi.key: is empty; give the value, or remove the line to leave keyapi unconfigured"
        );
        let err = ConfigFile::parse(
            Path::new("c.toml"),
            "[vendor.keyapi]\nkey = \"k\"\nurl = \" \"\n",
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            err.starts_with("c.toml:3: vendor.keyapi.url: is empty"),
            "{err}"
        );
    }

    #[test]
    fn unknown_keys_and_vendors_are_located_errors() {
        let err = ConfigFile::parse(Path::new("c.toml"), "timeout_secs = 2\ntimeuot = 3\n")
            .expect_err("typo");
        assert_eq!(err.origin, "c.toml:2", "{err}");
        assert!(err.reason.contains("timeuot"), "{err}");
        let err = ConfigFile::parse(Path::new("c.toml"), "[vendor.nosuch]\nkey = \"k\"\n")
            .expect_err("vendor");
        assert_eq!(err.origin, "c.toml:1", "{err}");
        assert!(err.reason.contains("nosuch"), "{err}");
    }
}
