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
    /// The vendor's published OpenAPI document(s) as they are: JSON or YAML, 3.0 or 3.1.
    Openapi,
}

/// How the API key travels.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Auth {
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// A named header carrying the bare key.
    Header { name: String },
    /// No key: a public API.
    None,
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

/// A warning regen gives about the vendor's own pages that is understood and accepted
/// (`[[known_warning]]`): it is printed as known, not as something to act on.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownWarning {
    /// Text the warning's message contains.
    pub contains: String,
    /// Why it is expected and left alone.
    pub why: String,
}

/// The vendor manifest. Four keys are enough (`vendor`, `display_name`, `crate_name`,
/// `format`); the others complete or override what the pages say.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Short lowercase name; also the folder under `specs/`.
    pub vendor: String,
    pub display_name: String,
    /// The generated crate's name and folder under `generated/`.
    pub crate_name: String,
    pub format: DocFormat,
    /// The production base URL, when the pages give none (or the wrong one).
    #[serde(default)]
    pub base_url: Option<String>,
    /// How the key travels, when the pages do not say (or say it wrong).
    #[serde(default)]
    pub auth: Option<Auth>,
    /// The cost of a call when a page states none.
    #[serde(default)]
    pub cost: Option<Cost>,
    #[serde(default)]
    pub credit_headers: CreditHeaders,
    /// Warnings about the pages that are expected; one that stops occurring is reported.
    #[serde(default, rename = "known_warning")]
    pub known_warnings: Vec<KnownWarning>,
}

/// Names cargo or Rust reserve, and so no generated crate may take.
const RESERVED: [&str; 45] = [
    "std",
    "core",
    "alloc",
    "proc_macro",
    "proc-macro",
    "test",
    "self",
    "super",
    "crate",
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "static",
    "struct",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "build",
    "deps",
];

/// The longest `vendor` and `crate_name`: crates.io's limit for a package name, and well
/// within every file system's for the folder named after it.
const MAX_NAME: usize = 64;

/// The longest `display_name`: it titles the generated crate's docs and the CLI's output.
const MAX_DISPLAY: usize = 80;

/// An HTTP header name (RFC 9110 `token`): letters, digits and ``!#$%&'*+-.^_`|~``.
pub fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The byte offset of `key = …` in the manifest's text, for pointing errors at the line.
pub(crate) fn offset_of(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with(key) && trimmed[key.len()..].trim_start().starts_with(['=', '.']) {
            let start = offset + (line.len() - trimmed.len());
            return Some(start..start + key.len());
        }
        offset += line.len();
    }
    None
}

impl Manifest {
    /// Parses and checks a manifest; errors name the field and point at its line.
    pub fn parse(text: &str) -> Result<Self, (Option<std::ops::Range<usize>>, String)> {
        let manifest: Manifest =
            toml::from_str(text).map_err(|e| (e.span(), e.message().to_owned()))?;
        let fail = |key: &str, message: String| Err((offset_of(text, key), message));
        let name_ok = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        let quote = |s: &str| crate::excerpt(s, crate::QUOTE_CHARS);
        if !name_ok(&manifest.vendor) || manifest.vendor.len() > MAX_NAME {
            return fail(
                "vendor",
                format!(
                    "`vendor` must be at most {MAX_NAME} lowercase letters, digits and dashes, not `{}`",
                    quote(&manifest.vendor)
                ),
            );
        }
        let c = &manifest.crate_name;
        let crate_ok = c.starts_with(|ch: char| ch.is_ascii_alphabetic())
            && c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !crate_ok || c.len() > MAX_NAME {
            return fail(
                "crate_name",
                format!(
                    "`crate_name` must start with a letter and hold at most {MAX_NAME} letters, digits, `-` and `_` (a crates.io package name), not `{}`",
                    quote(c)
                ),
            );
        }
        if RESERVED.contains(&c.as_str()) {
            return fail(
                "crate_name",
                format!("`crate_name` cannot be `{c}`: Rust or Cargo reserves it"),
            );
        }
        let display = &manifest.display_name;
        if display.trim().is_empty()
            || display.chars().any(char::is_control)
            || display.chars().count() > MAX_DISPLAY
        {
            return fail(
                "display_name",
                format!(
                    "`display_name` must be one line of text of at most {MAX_DISPLAY} characters, not {:?}",
                    quote(display)
                ),
            );
        }
        if let Some(url) = &manifest.base_url
            && !((url.starts_with("https://") || url.starts_with("http://"))
                && !url.chars().any(|c| c.is_whitespace() || c.is_control()))
        {
            return fail(
                "base_url",
                format!("`base_url` must be an http(s) URL, not `{}`", quote(url)),
            );
        }
        if let Some(Auth::Header { name }) = &manifest.auth
            && !is_header_name(name)
        {
            return fail(
                "auth",
                format!(
                    "`auth.name` must be an HTTP header name (letters, digits, `-`), not {name:?}"
                ),
            );
        }
        for name in [
            &manifest.credit_headers.remaining,
            &manifest.credit_headers.used,
        ]
        .into_iter()
        .flatten()
        {
            if !is_header_name(name) {
                return fail(
                    "credit_headers",
                    format!("credit headers must be HTTP header names, not {name:?}"),
                );
            }
        }
        if let Some(cost) = &manifest.cost
            && !matches!(cost.unit.as_str(), "credit" | "request")
        {
            return fail(
                "cost",
                format!(
                    "`cost.unit` must be `credit` or `request`, not `{}`",
                    cost.unit
                ),
            );
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
            Some(Auth::Header {
                name: "x-access-key".into()
            })
        );
        assert_eq!(m.cost.map(|c| c.amount), Some(2));
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

    #[test]
    fn four_keys_are_enough() {
        let m = Manifest::parse(
            "vendor = \"petstore\"\ndisplay_name = \"Petstore\"\ncrate_name = \"petstore-client\"\nformat = \"openapi\"\n",
        )
        .expect("valid");
        assert_eq!((m.base_url, m.auth, m.cost), (None, None, None));
        assert_eq!(m.format, DocFormat::Openapi);
    }

    #[test]
    fn values_that_would_break_the_generated_crate_are_refused_at_their_line() {
        for (from, to, says) in [
            (
                "crate_name = \"keyapi-client\"",
                "crate_name = \"-\"",
                "start with a letter",
            ),
            (
                "crate_name = \"keyapi-client\"",
                "crate_name = \"123\"",
                "start with a letter",
            ),
            (
                "crate_name = \"keyapi-client\"",
                "crate_name = \"test\"",
                "reserves",
            ),
            (
                "display_name = \"KeyAPI\"",
                "display_name = \"Key\\nAPI\"",
                "one line",
            ),
            (
                "crate_name = \"keyapi-client\"",
                &format!("crate_name = \"{}\"", "k".repeat(300)),
                "at most 64",
            ),
            (
                "display_name = \"KeyAPI\"",
                &format!("display_name = \"{}\"", "K".repeat(140_000)),
                "(139920 more characters)",
            ),
            (
                "name = \"x-access-key\"",
                "name = \"x access key\"",
                "header name",
            ),
        ] {
            let text = GOOD.replace(from, to);
            let (span, msg) = Manifest::parse(&text).expect_err(to);
            assert!(msg.contains(says), "{to}: {msg}");
            let line = span.map(|s| text[..s.start].matches('\n').count() + 1);
            let expected = text.lines().position(|l| l.contains(to)).map(|i| i + 1);
            assert_eq!(line, expected, "{to}");
        }
    }
}
