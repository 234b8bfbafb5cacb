//! Which vendors are configured, from flags, the environment and an optional config file —
//! validated once, at start, so a typo is an error naming the variable, flag or file line
//! rather than a retried request. API keys never appear in `Debug`, `Display`, errors or
//! reports.

mod env;
mod file;
mod key;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use self::env::{environment_variables, unknown_variables};
pub use self::file::{ConfigFile, default_config_path};
pub use self::key::ApiKey;
use crate::vendors::{VENDORS, Vendor, vendor, vendor_names};

/// One configured vendor.
#[derive(Debug, Clone)]
pub struct VendorConfig {
    pub vendor: &'static Vendor,
    pub key: ApiKey,
    pub base_url: String,
}

impl VendorConfig {
    pub fn name(&self) -> &'static str {
        self.vendor.name()
    }
}

/// Retries and timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Retries on the same vendor after the first attempt (rate limits, 5xx, timeouts).
    pub retries: u32,
    /// First backoff; doubles per retry, with up to as much again of jitter.
    pub backoff: Duration,
    /// No single wait is longer; a longer `Retry-After` moves on to the next vendor instead.
    pub max_wait: Duration,
    pub timeout: Duration,
    /// Compare every answer with the vendor's documented shape and report the drift (one more
    /// pass over the body's bytes, so off unless asked for; it never causes a failover).
    /// Items a normalizer had to leave out are reported either way.
    pub check_drift: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            retries: 2,
            backoff: Duration::from_millis(200),
            max_wait: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            check_drift: false,
        }
    }
}

/// The longest timeout accepted; longer ones are almost always a unit mistake.
pub const MAX_TIMEOUT_SECS: u64 = 3600;

/// The configured vendors, in the user's preference order.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub vendors: Vec<VendorConfig>,
    pub policy: Policy,
    /// A PEM file of root certificates trusted besides the platform's (`STORIES_CA_CERT`).
    pub ca_cert: Option<PathBuf>,
}

/// A setting that cannot be used, and where it was given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {reason}")]
pub struct ConfigError {
    /// `STORIES_TIMEOUT_SECS`, `--timeout-secs`, or `<file>:<line>: key`.
    pub origin: String,
    pub reason: String,
}

/// Settings given as command-line flags; they win over the environment and the file.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub timeout_secs: Option<String>,
    pub ca_cert: Option<PathBuf>,
}

/// One setting's value and where it came from.
struct Given {
    value: String,
    origin: String,
}

/// Every place a setting can come from, highest precedence first: flags, environment, file.
pub struct Sources<'a> {
    pub flags: Flags,
    pub env: &'a dyn Fn(&str) -> Option<String>,
    pub file: Option<ConfigFile>,
}

impl fmt::Debug for Sources<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sources")
            .field("flags", &self.flags)
            .field("file", &self.file.is_some())
            .finish_non_exhaustive()
    }
}

impl Sources<'_> {
    fn flag_or_env(&self, flag: Option<(&str, &String)>, variable: &str) -> Option<Given> {
        if let Some((name, value)) = flag {
            return Some(Given {
                value: value.clone(),
                origin: name.to_owned(),
            });
        }
        (self.env)(variable).map(|value| Given {
            value,
            origin: variable.to_owned(),
        })
    }

    fn setting(&self, flag: Option<(&str, &String)>, variable: &str, key: &str) -> Option<Given> {
        self.flag_or_env(flag, variable).or_else(|| {
            let file = self.file.as_ref()?;
            file.get(key).map(|(value, origin)| Given { value, origin })
        })
    }
}

impl Config {
    /// Reads `STORIES_<VENDOR>_KEY` (and optional `STORIES_<VENDOR>_URL`) for each vendor;
    /// `STORIES_VENDORS=a,b` sets the preference order among equally cheap vendors.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`Config::from_env`], reading variables through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Self::load(&Sources {
            flags: Flags::default(),
            env: &lookup,
            file: None,
        })
    }

    /// Reads and checks every setting: flags over environment over config file.
    pub fn load(sources: &Sources<'_>) -> Result<Self, ConfigError> {
        let preference = match sources.setting(None, "STORIES_VENDORS", "vendors") {
            Some(given) => preference(&given)?,
            None => Vec::new(),
        };
        let mut vendors = Vec::new();
        for vendor in VENDORS {
            let key_var = vendor.key_variable();
            let url_var = vendor.url_variable();
            let key = sources.setting(None, &key_var, &format!("{}.key", vendor.name()));
            let url = sources.setting(None, &url_var, &format!("{}.url", vendor.name()));
            let Some(key) = key.filter(|k| !k.value.trim().is_empty()) else {
                if let Some(url) = url {
                    tracing::warn!(
                        "{} is set but {} has no key ({key_var}), so it is not used",
                        url.origin,
                        vendor.name()
                    );
                }
                continue;
            };
            let key = api_key(&key)?;
            let base_url = match url {
                Some(given) => base_url(&given)?,
                None => vendor.facts.base_url.to_owned(),
            };
            vendors.push(VendorConfig {
                vendor,
                key,
                base_url,
            });
        }
        let rank = |name: &str| {
            preference
                .iter()
                .position(|p| p == name)
                .unwrap_or(usize::MAX)
        };
        vendors.sort_by_key(|v| rank(v.name()));
        let mut policy = Policy::default();
        let timeout_flag = sources
            .flags
            .timeout_secs
            .as_ref()
            .map(|v| ("--timeout-secs", v));
        if let Some(given) = sources.setting(timeout_flag, "STORIES_TIMEOUT_SECS", "timeout_secs") {
            policy.timeout = timeout(&given)?;
        }
        let ca_flag = sources
            .flags
            .ca_cert
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned());
        let ca_cert = match sources.setting(
            ca_flag.as_ref().map(|v| ("--ca-cert", v)),
            "STORIES_CA_CERT",
            "ca_cert",
        ) {
            Some(given) if !given.value.trim().is_empty() => {
                let path = PathBuf::from(given.value.trim());
                client_runtime::HttpOptions::default()
                    .with_root_certificate_file(&path)
                    .map_err(|e| invalid(&given.origin, e.to_string()))?;
                Some(path)
            }
            _ => None,
        };
        Ok(Self {
            vendors,
            policy,
            ca_cert,
        })
    }

    /// Keeps only `vendor`.
    pub fn only(mut self, vendor: &str) -> Self {
        self.vendors.retain(|v| v.name() == vendor);
        self
    }

    /// The HTTP settings every vendor client is built with.
    pub fn http_options(
        &self,
    ) -> Result<client_runtime::HttpOptions, client_runtime::ClientBuildError> {
        let options = client_runtime::HttpOptions::default().with_timeout(self.policy.timeout);
        match &self.ca_cert {
            Some(path) => options.with_root_certificate_file(path),
            None => Ok(options),
        }
    }
}

fn invalid(origin: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        origin: origin.to_owned(),
        reason: reason.into(),
    }
}

fn preference(given: &Given) -> Result<Vec<String>, ConfigError> {
    let mut out = Vec::new();
    for name in given
        .value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let name = name.to_ascii_lowercase();
        if vendor(&name).is_none() {
            return Err(invalid(
                &given.origin,
                format!(
                    "unknown vendor `{name}`; known: {}",
                    vendor_names().join(", ")
                ),
            ));
        }
        out.push(name);
    }
    Ok(out)
}

fn api_key(given: &Given) -> Result<ApiKey, ConfigError> {
    let key = given.value.trim();
    // Never echo the key: say what is wrong with it, not what it is.
    if let Some(c) = key.chars().find(|c| c.is_control() || c.is_whitespace()) {
        let what = match c {
            '\n' | '\r' => "a line break".to_owned(),
            '\t' => "a tab".to_owned(),
            ' ' => "a space".to_owned(),
            other => format!("the character U+{:04X}", u32::from(other)),
        };
        return Err(invalid(
            &given.origin,
            format!("the key contains {what}; a key is one word (was it pasted with extra text?)"),
        ));
    }
    if !key.is_ascii() {
        return Err(invalid(
            &given.origin,
            "the key contains non-ASCII characters, which HTTP headers cannot carry",
        ));
    }
    Ok(ApiKey::new(key))
}

fn base_url(given: &Given) -> Result<String, ConfigError> {
    let text = given.value.trim();
    let url = url::Url::parse(text)
        .map_err(|e| invalid(&given.origin, format!("`{text}` is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(
            &given.origin,
            format!("`{text}` is not an http:// or https:// URL"),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid(&given.origin, format!("`{text}` has no host")));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            &given.origin,
            format!("`{text}` has a query or fragment; give the base URL only"),
        ));
    }
    Ok(text.trim_end_matches('/').to_owned())
}

fn timeout(given: &Given) -> Result<Duration, ConfigError> {
    let text = given.value.trim();
    match text.parse::<u64>() {
        Ok(secs) if (1..=MAX_TIMEOUT_SECS).contains(&secs) => Ok(Duration::from_secs(secs)),
        _ => Err(invalid(
            &given.origin,
            format!("`{text}` is not a whole number of seconds from 1 to {MAX_TIMEOUT_SECS}"),
        )),
    }
}

/// Where the config file is, if any: `--config`, then `STORIES_CONFIG`, then the platform's
/// config folder (read only if it exists).
pub fn config_file_path(
    flag: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<(PathBuf, bool)> {
    if let Some(p) = flag {
        return Some((p.to_path_buf(), true));
    }
    if let Some(p) = env("STORIES_CONFIG").filter(|p| !p.trim().is_empty()) {
        return Some((PathBuf::from(p), true));
    }
    default_config_path().map(|p| (p, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(env: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |n| {
            env.iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn keys_come_from_the_environment_and_never_print() {
        let env = [
            ("STORIES_KEYAPI_KEY", "sk_live_secret"),
            ("STORIES_HIKERAPI_KEY", "hk_secret"),
            ("STORIES_VENDORS", "keyapi"),
        ];
        let config = Config::from_lookup(lookup(&env)).unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<&str> = config.vendors.iter().map(VendorConfig::name).collect();
        assert_eq!(names, ["keyapi", "hikerapi"]);
        let printed = format!("{config:?} {}", config.vendors[0].key);
        assert!(!printed.contains("secret"), "{printed}");
        assert_eq!(config.vendors[0].base_url, "https://api.keyapi.ai");
    }

    #[test]
    fn bad_settings_name_their_variable_and_never_the_key() {
        type Env<'a> = &'a [(&'a str, &'a str)];
        let cases: [(Env<'_>, &str, &str); 6] = [
            (
                &[("STORIES_TIMEOUT_SECS", "abc")],
                "STORIES_TIMEOUT_SECS",
                "`abc`",
            ),
            (
                &[("STORIES_TIMEOUT_SECS", "0")],
                "STORIES_TIMEOUT_SECS",
                "from 1",
            ),
            (
                &[("STORIES_VENDORS", "keyapi,nosuch")],
                "STORIES_VENDORS",
                "`nosuch`",
            ),
            (
                &[
                    ("STORIES_KEYAPI_KEY", "k"),
                    ("STORIES_KEYAPI_URL", "not-a-url"),
                ],
                "STORIES_KEYAPI_URL",
                "not a URL",
            ),
            (
                &[
                    ("STORIES_KEYAPI_KEY", "k"),
                    ("STORIES_KEYAPI_URL", "ftp://x"),
                ],
                "STORIES_KEYAPI_URL",
                "http",
            ),
            (
                &[("STORIES_KEYAPI_KEY", "sk_secret\nsk_other")],
                "STORIES_KEYAPI_KEY",
                "line break",
            ),
        ];
        for (env, origin, reason) in cases {
            let err = Config::from_lookup(lookup(env)).expect_err(origin);
            assert_eq!(err.origin, origin, "{err}");
            assert!(err.reason.contains(reason), "{err}");
            assert!(!err.to_string().contains("secret"), "{err}");
        }
    }

    #[test]
    fn flags_win_over_the_environment() {
        let env = [("STORIES_TIMEOUT_SECS", "abc")];
        let config = Config::load(&Sources {
            flags: Flags {
                timeout_secs: Some("7".into()),
                ca_cert: None,
            },
            env: &lookup(&env),
            file: None,
        })
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.policy.timeout, Duration::from_secs(7));
    }

    #[test]
    fn misspelt_variables_are_found() {
        let names = ["STORIES_KEYAPI_KEY", "STORIES_KEYAPI_KYE", "PATH"].map(String::from);
        assert_eq!(unknown_variables(names), ["STORIES_KEYAPI_KYE"]);
    }
}
