//! The HTTPS client every vendor client uses: the API key in the vendor's header, marked
//! sensitive; rustls with the platform's roots plus any extra root certificates; gzip and
//! brotli; HTTP/2 by ALPN; proxies from the environment (`HTTPS_PROXY`, `NO_PROXY`, …).

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::VendorFacts;

/// How to build the HTTP client.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// The whole request, from connecting to the last body byte.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Roots trusted besides the platform's, e.g. a corporate proxy's or a test server's CA.
    pub extra_root_certificates: Vec<reqwest::Certificate>,
    pub user_agent: String,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            extra_root_certificates: Vec::new(),
            user_agent: concat!("stories-client/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

impl HttpOptions {
    /// Also trusts every certificate of a PEM file (one or several `BEGIN CERTIFICATE` blocks).
    pub fn with_root_certificate_file(mut self, path: &Path) -> Result<Self, ClientBuildError> {
        let bad = |message: String| ClientBuildError::RootCertificate {
            path: path.to_path_buf(),
            message,
        };
        let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| bad(e.to_string()))?;
        if certs.is_empty() {
            return Err(bad("no `BEGIN CERTIFICATE` block".to_owned()));
        }
        self.extra_root_certificates.extend(certs);
        Ok(self)
    }

    /// Sets the request timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientBuildError {
    #[error(
        "the API key contains characters not allowed in an HTTP header (a newline or a control character?)"
    )]
    InvalidApiKey,
    #[error("the vendor's auth header name `{0}` is not a valid HTTP header name")]
    InvalidHeaderName(String),
    #[error("cannot use {path} as a root certificate: {message}")]
    RootCertificate { path: PathBuf, message: String },
    #[error("cannot build the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
}

/// A generated vendor client: built from an API key the vendor's way. Every generated crate
/// implements it for its `Client` and re-exports it; bring it into scope to call
/// `Client::with_api_key`.
pub trait FromApiKey: Sized {
    /// The vendor's facts.
    const VENDOR: &'static VendorFacts;

    /// The client over an HTTP client that already carries the key.
    fn from_http(base_url: &str, http: reqwest::Client) -> Self;

    /// A client that sends `api_key` the vendor's way over HTTPS, with default options.
    /// `base_url` is usually the vendor's `BASE_URL`.
    fn with_api_key(base_url: &str, api_key: &str) -> Result<Self, ClientBuildError> {
        Self::with_options(base_url, api_key, &HttpOptions::default())
    }

    /// Like [`FromApiKey::with_api_key`], with a timeout, extra root certificates or a user
    /// agent of the caller's choosing.
    fn with_options(
        base_url: &str,
        api_key: &str,
        options: &HttpOptions,
    ) -> Result<Self, ClientBuildError> {
        Ok(Self::from_http(
            base_url,
            Self::VENDOR.http_client(api_key, options)?,
        ))
    }
}

impl VendorFacts {
    /// A `reqwest::Client` that sends `api_key` the vendor's way on every request. The key is
    /// marked sensitive, so it stays out of `Debug` output.
    pub fn http_client(
        &self,
        api_key: &str,
        options: &HttpOptions,
    ) -> Result<reqwest::Client, ClientBuildError> {
        let mut headers = HeaderMap::new();
        if let Some(header) = self.auth.header_name() {
            let name = HeaderName::from_lowercase(header.to_ascii_lowercase().as_bytes())
                .map_err(|_| ClientBuildError::InvalidHeaderName(header.to_owned()))?;
            let mut value = HeaderValue::from_str(&self.auth.header_value(api_key))
                .map_err(|_| ClientBuildError::InvalidApiKey)?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        options
            .builder()
            .default_headers(headers)
            .timeout(options.timeout)
            .build()
            .map_err(ClientBuildError::Http)
    }
}

impl HttpOptions {
    /// The settings every client shares: TLS roots, user agent, connect timeout, compression.
    fn builder(&self) -> reqwest::ClientBuilder {
        reqwest::Client::builder()
            .user_agent(&self.user_agent)
            .connect_timeout(self.connect_timeout)
            .gzip(true)
            .brotli(true)
            .tls_certs_merge(self.extra_root_certificates.iter().cloned())
    }

    /// A client for media downloads: no API key (CDNs must never see one), and `timeout` as
    /// the longest silence between two reads rather than for the whole transfer, so a large
    /// video on a slow line is not cut off.
    pub fn media_client(&self) -> Result<reqwest::Client, ClientBuildError> {
        self.builder()
            .read_timeout(self.timeout)
            .build()
            .map_err(ClientBuildError::Http)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Auth, CreditHeaders};

    const FACTS: VendorFacts = VendorFacts {
        name: "probe",
        display_name: "Probe",
        base_url: "https://api.example.com",
        auth: Auth::Header("X-Api-Key"),
        credit_headers: CreditHeaders {
            remaining: None,
            used: None,
        },
        operations: &[],
        openapi_document: "{}",
    };

    #[test]
    fn keys_that_cannot_be_headers_are_refused() {
        let err = FACTS
            .http_client("line\nbreak", &HttpOptions::default())
            .expect_err("newline");
        assert!(matches!(err, ClientBuildError::InvalidApiKey), "{err}");
        assert!(FACTS.http_client("fine", &HttpOptions::default()).is_ok());
    }

    #[test]
    fn a_bad_auth_header_name_is_an_error_not_a_panic() {
        let facts = VendorFacts {
            auth: Auth::Header("x api key"),
            ..FACTS
        };
        let err = facts
            .http_client("k", &HttpOptions::default())
            .expect_err("space in a header name");
        assert!(
            matches!(err, ClientBuildError::InvalidHeaderName(_)),
            "{err}"
        );
    }

    #[test]
    fn root_certificate_files_must_hold_certificates() {
        let dir = std::env::temp_dir().join(format!("client-runtime-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap_or_else(|e| panic!("{e}"));
        let err = HttpOptions::default()
            .with_root_certificate_file(&empty)
            .expect_err("no certificate");
        assert!(err.to_string().contains("empty.pem"), "{err}");
        let err = HttpOptions::default()
            .with_root_certificate_file(&dir.join("missing.pem"))
            .expect_err("missing");
        assert!(err.to_string().contains("missing.pem"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
