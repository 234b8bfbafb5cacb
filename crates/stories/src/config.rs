//! Which vendors are configured, from the environment. API keys never appear in `Debug`,
//! `Display`, errors or reports.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::vendors::{VENDORS, Vendor};

/// An API key; prints as `****`.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key itself, for building the HTTP client only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(****)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

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
    /// pass over the body's bytes; it never causes a failover).
    pub check_drift: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            retries: 2,
            backoff: Duration::from_millis(200),
            max_wait: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            check_drift: true,
        }
    }
}

/// The configured vendors, in the user's preference order.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub vendors: Vec<VendorConfig>,
    pub policy: Policy,
    /// A PEM file of root certificates trusted besides the platform's (`STORIES_CA_CERT`).
    pub ca_cert: Option<PathBuf>,
}

impl Config {
    /// Reads `STORIES_<VENDOR>_KEY` (and optional `STORIES_<VENDOR>_URL`) for each vendor;
    /// `STORIES_VENDORS=a,b` sets the preference order among equally cheap vendors.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`Config::from_env`], reading variables through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let preference: Vec<String> = lookup("STORIES_VENDORS")
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_ascii_lowercase())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let mut vendors: Vec<VendorConfig> = VENDORS
            .iter()
            .filter_map(|vendor| {
                let key = lookup(&vendor.key_variable()).filter(|k| !k.trim().is_empty())?;
                let base_url = lookup(&vendor.url_variable())
                    .unwrap_or_else(|| vendor.facts.base_url.to_owned());
                Some(VendorConfig {
                    vendor,
                    key: ApiKey::new(key.trim()),
                    base_url,
                })
            })
            .collect();
        let rank = |name: &str| {
            preference
                .iter()
                .position(|p| p == name)
                .unwrap_or(usize::MAX)
        };
        vendors.sort_by_key(|v| rank(v.name()));
        let mut policy = Policy::default();
        if let Some(secs) = lookup("STORIES_TIMEOUT_SECS").and_then(|s| s.parse().ok()) {
            policy.timeout = Duration::from_secs(secs);
        }
        let ca_cert = lookup("STORIES_CA_CERT")
            .filter(|p| !p.trim().is_empty())
            .map(PathBuf::from);
        Self {
            vendors,
            policy,
            ca_cert,
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_from_the_environment_and_never_print() {
        let env = [
            ("STORIES_KEYAPI_KEY", "sk_live_secret"),
            ("STORIES_HIKERAPI_KEY", "hk_secret"),
            ("STORIES_VENDORS", "keyapi"),
        ];
        let config = Config::from_lookup(|n| {
            env.iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| (*v).to_owned())
        });
        let names: Vec<&str> = config.vendors.iter().map(VendorConfig::name).collect();
        assert_eq!(names, ["keyapi", "hikerapi"]);
        let printed = format!("{config:?} {}", config.vendors[0].key);
        assert!(!printed.contains("secret"), "{printed}");
        assert_eq!(config.vendors[0].base_url, "https://api.keyapi.ai");
    }
}
