//! The hand-written `vendor.toml` beside each vendor's pages: what the docs leave out.

use serde::Deserialize;

/// How a vendor documents its API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocFormat {
    /// Pages with an embedded OpenAPI document (Mintlify and alike).
    OpenapiPages,
    /// Rendered endpoint pages in plain text: endpoint lines, parameter tables, JSON examples.
    MarkdownEndpoints,
}

/// How the API key travels.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Auth {
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// A named header carrying the bare key.
    Header { name: String },
}

/// What one call costs, as the vendor states it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cost {
    pub amount: u32,
    /// `credit` or `request`.
    pub unit: String,
    /// The vendor's accounting rules in a sentence (refunds, free statuses).
    #[serde(default)]
    pub note: Option<String>,
}

/// Response headers that report credits.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CreditHeaders {
    pub remaining: Option<String>,
    pub used: Option<String>,
}

/// The vendor manifest.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Short lowercase name; also the folder under `specs/`.
    pub vendor: String,
    pub display_name: String,
    /// The generated crate's name and folder under `generated/`.
    pub crate_name: String,
    pub format: DocFormat,
    pub base_url: String,
    pub auth: Auth,
    /// The cost of a call when a page states none.
    pub cost: Cost,
    #[serde(default)]
    pub credit_headers: CreditHeaders,
}

impl Manifest {
    /// Parses and checks a manifest; errors name the field.
    pub fn parse(text: &str) -> Result<Self, (Option<std::ops::Range<usize>>, String)> {
        let manifest: Manifest =
            toml::from_str(text).map_err(|e| (e.span(), e.message().to_owned()))?;
        let name_ok = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        if !name_ok(&manifest.vendor) {
            return Err((
                None,
                format!(
                    "`vendor` must be lowercase letters, digits and dashes, not `{}`",
                    manifest.vendor
                ),
            ));
        }
        if !name_ok(&manifest.crate_name) {
            return Err((
                None,
                format!(
                    "`crate_name` must be lowercase letters, digits and dashes, not `{}`",
                    manifest.crate_name
                ),
            ));
        }
        if !(manifest.base_url.starts_with("https://") || manifest.base_url.starts_with("http://"))
        {
            return Err((
                None,
                format!(
                    "`base_url` must be an http(s) URL, not `{}`",
                    manifest.base_url
                ),
            ));
        }
        if !matches!(manifest.cost.unit.as_str(), "credit" | "request") {
            return Err((
                None,
                format!(
                    "`cost.unit` must be `credit` or `request`, not `{}`",
                    manifest.cost.unit
                ),
            ));
        }
        Ok(manifest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
vendor = "keyapi"
display_name = "KeyAPI"
crate_name = "keyapi-client"
format = "openapi-pages"
base_url = "https://api.keyapi.ai"
auth = { kind = "header", name = "x-access-key" }
cost = { amount = 2, unit = "credit" }
"#;

    #[test]
    fn parses_a_manifest() {
        let m = Manifest::parse(GOOD).expect("valid");
        assert_eq!(
            m.auth,
            Auth::Header {
                name: "x-access-key".into()
            }
        );
        assert_eq!(m.cost.amount, 2);
        assert_eq!(m.format, DocFormat::OpenapiPages);
    }

    #[test]
    fn unknown_fields_and_bad_values_are_errors() {
        let (span, msg) = Manifest::parse(&format!("{GOOD}\nbase_ur = 1\n")).expect_err("typo");
        assert!(msg.contains("unknown field"), "{msg}");
        assert!(span.is_some());
        let (_, msg) =
            Manifest::parse(&GOOD.replace("\"credit\"", "\"coin\"")).expect_err("bad unit");
        assert!(msg.contains("cost.unit"), "{msg}");
    }
}
