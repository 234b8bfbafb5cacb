//! What users ask, and which vendor operation answers it at what cost.

use std::fmt;

pub use domain::QueryKind as Kind;
use domain::Route;

use crate::vendors::{VENDORS, Vendor};

/// An account, by username or numeric id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum User {
    Username(String),
    Id(String),
}

/// An input that names no account, highlight or story: the message says what it is instead
/// (quoting at most 80 of its characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidInput(String);

/// The longest Instagram username.
const MAX_USERNAME: usize = 30;

/// The most characters of an input an error message repeats.
const QUOTED_CHARS: usize = 80;

/// An input as an error quotes it: in backticks, cut after [`QUOTED_CHARS`] characters with
/// its length said, so a careless 100,000-character input does not fill the terminal.
fn quoted(input: &str) -> String {
    let total = input.chars().count();
    if total <= QUOTED_CHARS {
        return format!("`{input}`");
    }
    let head: String = input.chars().take(QUOTED_CHARS).collect();
    format!("`{head}…` ({total} characters)")
}

/// What an Instagram URL points at, by its path.
enum Link {
    Profile(String),
    Story { id: String },
    Highlight { id: Option<String> },
    Post,
}

/// Reads `input` as an Instagram URL, if it looks like one (`https://…`, `instagram.com/…`).
fn instagram_link(input: &str) -> Option<Result<Link, String>> {
    let q = quoted(input);
    let lower = input.to_ascii_lowercase();
    let looks_like_url = lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("instagram.com/")
        || lower.starts_with("www.instagram.com/");
    if !looks_like_url {
        return None;
    }
    let with_scheme = if lower.starts_with("http") {
        input.to_owned()
    } else {
        format!("https://{input}")
    };
    let url = match url::Url::parse(&with_scheme) {
        Ok(u) => u,
        Err(e) => return Some(Err(format!("{q} is not a valid URL: {e}"))),
    };
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    if !(host == "instagram.com" || host.ends_with(".instagram.com")) {
        return Some(Err(format!("{q} is not an Instagram URL")));
    }
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    Some(Ok(match segments.as_slice() {
        [] => return Some(Err(format!("{q} names no account"))),
        ["stories", "highlights", id, ..] => Link::Highlight {
            id: digits(id).then(|| (*id).to_owned()),
        },
        ["s", ..] => Link::Highlight { id: None },
        ["stories", user] => Link::Profile((*user).to_owned()),
        ["stories", _, id, ..] => Link::Story {
            id: (*id).to_owned(),
        },
        ["p" | "reel" | "reels" | "tv", ..] => Link::Post,
        [user, ..] => Link::Profile((*user).to_owned()),
    }))
}

/// Checks a username against Instagram's rules: 1 to 30 letters, digits, `.` and `_`, not
/// starting or ending with `.`, no `..`. Usernames are case-insensitive; the result is lower case.
fn username(input: &str, name: &str) -> Result<String, String> {
    let q = quoted(input);
    let bad = |why: String| {
        Err(format!(
            "{q} is not an Instagram username, user id or profile URL: {why}"
        ))
    };
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '.' || *c == '_'))
    {
        let shown = if c == ' ' {
            "a space".to_owned()
        } else {
            format!("`{}`", c.escape_debug())
        };
        return bad(format!(
            "usernames have only letters, digits, `.` and `_` (found {shown})"
        ));
    }
    if name.len() > MAX_USERNAME {
        return bad(format!(
            "usernames have at most {MAX_USERNAME} characters (this has {})",
            name.len()
        ));
    }
    if name.starts_with('.') || name.ends_with('.') || name.contains("..") {
        return bad("a username cannot start or end with `.` or have `..`".to_owned());
    }
    Ok(name.to_ascii_lowercase())
}

impl User {
    /// `natgeo`, `@natgeo`, `https://www.instagram.com/natgeo/` and
    /// `https://www.instagram.com/stories/natgeo/` are usernames; `787132` is an id. Anything
    /// else — an empty input, a name Instagram would not allow, a story, highlight or post
    /// URL — is an error saying what it is.
    pub fn parse(input: &str) -> Result<Self, InvalidInput> {
        Self::parse_text(input).map_err(InvalidInput)
    }

    fn parse_text(input: &str) -> Result<Self, String> {
        let trimmed = input.trim();
        let q = quoted(trimmed);
        if trimmed.is_empty() {
            return Err(
                "the input is empty; give a username, a numeric user id or a profile URL".into(),
            );
        }
        let name = match instagram_link(trimmed) {
            Some(Ok(Link::Profile(user))) => user,
            Some(Ok(Link::Story { .. })) => {
                return Err(format!(
                    "{q} is the URL of one story; use `stories story` for it, or give the account"
                ));
            }
            Some(Ok(Link::Highlight { .. })) => {
                return Err(format!(
                    "{q} is a highlight URL; use `stories highlight` for it"
                ));
            }
            Some(Ok(Link::Post)) => {
                return Err(format!("{q} is the URL of a post, not of an account"));
            }
            Some(Err(e)) => return Err(e),
            None => trimmed.strip_prefix('@').unwrap_or(trimmed).to_owned(),
        };
        if !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) {
            if name.parse::<u64>().is_err() {
                return Err(format!("{q} is too long for a user id"));
            }
            return Ok(User::Id(name));
        }
        if name.is_empty() {
            return Err(format!("{q} names no account"));
        }
        username(trimmed, &name).map(User::Username)
    }
}

/// A question to any vendor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// The active stories of an account.
    UserStories(User),
    /// The highlights of an account.
    UserHighlights(User),
    /// The items of one highlight, by numeric id.
    HighlightItems(String),
    /// One story, by media id.
    StoryById(String),
    /// One story, by its URL (`https://www.instagram.com/stories/<user>/<id>/`).
    StoryByUrl(String),
}

impl Query {
    /// The active stories of an account: see [`User::parse`].
    pub fn user_stories(input: &str) -> Result<Self, InvalidInput> {
        User::parse(input).map(Query::UserStories)
    }

    /// The highlights of an account: see [`User::parse`].
    pub fn user_highlights(input: &str) -> Result<Self, InvalidInput> {
        User::parse(input).map(Query::UserHighlights)
    }

    /// A highlight by id (`17890000000000001`, `highlight:17890000000000001`) or URL
    /// (`https://www.instagram.com/stories/highlights/17890000000000001/`).
    pub fn highlight(input: &str) -> Result<Self, InvalidInput> {
        Self::highlight_text(input).map_err(InvalidInput)
    }

    fn highlight_text(input: &str) -> Result<Self, String> {
        let input = input.trim();
        let q = quoted(input);
        let id = match instagram_link(input) {
            Some(Ok(Link::Highlight { id: Some(id) })) => id,
            Some(Ok(Link::Highlight { id: None })) => {
                return Err(format!(
                    "{q} is a share link without the highlight's id; open it and copy the address (https://www.instagram.com/stories/highlights/<id>/)"
                ));
            }
            Some(Ok(_)) => {
                return Err(format!(
                    "{q} is not a highlight URL (https://www.instagram.com/stories/highlights/<id>/)"
                ));
            }
            Some(Err(e)) => return Err(e),
            None => input.strip_prefix("highlight:").unwrap_or(input).to_owned(),
        };
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("{q} is not a highlight id or highlight URL"));
        }
        Ok(Query::HighlightItems(id))
    }

    /// A story by media id (`3870828041672894129`, or `<pk>_<user id>`) or story URL.
    pub fn story(input: &str) -> Result<Self, InvalidInput> {
        Self::story_text(input).map_err(InvalidInput)
    }

    fn story_text(input: &str) -> Result<Self, String> {
        let input = input.trim();
        let q = quoted(input);
        match instagram_link(input) {
            Some(Ok(Link::Story { id }))
                if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) =>
            {
                return Ok(Query::StoryByUrl(input.to_owned()));
            }
            Some(Ok(Link::Highlight { .. })) => {
                return Err(format!(
                    "{q} is a highlight URL; use `stories highlight` for it"
                ));
            }
            Some(Ok(_)) => {
                return Err(format!(
                    "{q} is not a story URL (https://www.instagram.com/stories/<user>/<id>/)"
                ));
            }
            Some(Err(e)) => return Err(e),
            None => {}
        }
        let pk = input.split('_').next().unwrap_or("");
        if pk.is_empty() || !pk.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("{q} is not a story id or story URL"));
        }
        Ok(Query::StoryById(pk.to_owned()))
    }

    /// The input the vendor's operation takes.
    pub fn input(&self) -> &str {
        match self {
            Query::UserStories(User::Username(s) | User::Id(s))
            | Query::UserHighlights(User::Username(s) | User::Id(s))
            | Query::HighlightItems(s)
            | Query::StoryById(s)
            | Query::StoryByUrl(s) => s,
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            Query::UserStories(User::Username(_)) => Kind::UserStoriesByUsername,
            Query::UserStories(User::Id(_)) => Kind::UserStoriesById,
            Query::UserHighlights(User::Username(_)) => Kind::UserHighlightsByUsername,
            Query::UserHighlights(User::Id(_)) => Kind::UserHighlightsById,
            Query::HighlightItems(_) => Kind::HighlightItems,
            Query::StoryById(_) => Kind::StoryById,
            Query::StoryByUrl(_) => Kind::StoryByUrl,
        }
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let user = |u: &User| match u {
            User::Username(n) => format!("@{n}"),
            User::Id(i) => format!("user {i}"),
        };
        match self {
            Query::UserStories(u) => write!(f, "stories of {}", user(u)),
            Query::UserHighlights(u) => write!(f, "highlights of {}", user(u)),
            Query::HighlightItems(id) => write!(f, "items of highlight {id}"),
            Query::StoryById(id) => write!(f, "story {id}"),
            Query::StoryByUrl(url) => write!(f, "story {url}"),
        }
    }
}

/// One vendor operation that answers one kind of query, and what it costs per call.
#[derive(Debug, Clone, Copy)]
pub struct Capability {
    pub vendor: &'static Vendor,
    pub route: &'static Route,
    /// From the vendor's documentation, through the canonical document.
    pub cost: u32,
    pub cost_unit: &'static str,
}

impl Capability {
    pub fn vendor_name(&self) -> &'static str {
        self.vendor.name()
    }

    pub fn operation(&self) -> &'static str {
        self.route.operation
    }

    pub fn kind(&self) -> Kind {
        self.route.kind
    }
}

/// Every capability of every vendor: the routes each normalizer declares, with costs read from
/// the vendor's generated client (its canonical document, i.e. its docs).
pub fn capabilities() -> Vec<Capability> {
    VENDORS
        .iter()
        .flat_map(|vendor| {
            vendor.normalizer.routes.iter().filter_map(move |route| {
                let op = vendor.facts.operation(route.operation)?;
                Some(Capability {
                    vendor,
                    route,
                    cost: op.cost,
                    cost_unit: op.cost_unit,
                })
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_parse_as_names_or_ids() {
        let name = |n: &str| Ok(User::Username(n.into()));
        assert_eq!(User::parse("@natgeo"), name("natgeo"));
        assert_eq!(User::parse("NatGeo"), name("natgeo"));
        assert_eq!(
            User::parse("https://www.instagram.com/natgeo/"),
            name("natgeo")
        );
        assert_eq!(
            User::parse("instagram.com/nat.geo_1?hl=en"),
            name("nat.geo_1")
        );
        assert_eq!(
            User::parse("https://www.instagram.com/stories/natgeo/"),
            name("natgeo")
        );
        assert_eq!(User::parse("787132"), Ok(User::Id("787132".into())));
    }

    #[test]
    fn inputs_instagram_would_refuse_are_errors_saying_why() {
        for (input, says) in [
            ("", "empty"),
            ("   ", "empty"),
            ("nat geo", "a space"),
            ("natgeo!", "`!`"),
            (".natgeo", "start or end"),
            ("nat..geo", "`..`"),
            ("a234567890123456789012345678901", "at most 30"),
            ("99999999999999999999999", "too long"),
            (
                "https://www.instagram.com/stories/highlights/178/",
                "stories highlight",
            ),
            (
                "https://www.instagram.com/stories/natgeo/3870828041672894129/",
                "stories story",
            ),
            ("https://www.instagram.com/p/DW38ZhqiKax/", "post"),
            ("https://example.com/natgeo", "not an Instagram URL"),
            ("https://www.instagram.com/", "no account"),
        ] {
            let err = User::parse(input).expect_err(input);
            assert!(err.to_string().contains(says), "{input:?}: {err}");
        }
    }

    #[test]
    fn errors_quote_a_long_input_cut_with_its_length() {
        let long = "a".repeat(100_000);
        let e = User::parse(&long)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.len() < 300, "{} bytes", e.len());
        assert!(e.contains("(100000 characters)"), "{e}");
        assert!(e.contains("at most 30 characters"), "{e}");
        let url = format!("https://www.instagram.com/p/{}", "x".repeat(5_000));
        let e = User::parse(&url)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.len() < 300 && e.contains("post"), "{e}");
        assert_eq!(
            User::parse("a b")
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default(),
            "`a b` is not an Instagram username, user id or profile URL: usernames have only letters, digits, `.` and `_` (found a space)"
        );
    }

    #[test]
    fn highlights_parse_from_ids_and_urls() {
        assert_eq!(
            Query::highlight("highlight:178"),
            Ok(Query::HighlightItems("178".into()))
        );
        assert_eq!(
            Query::highlight(
                "https://www.instagram.com/stories/highlights/17890000000000001/?hl=en"
            ),
            Ok(Query::HighlightItems("17890000000000001".into()))
        );
        assert!(Query::highlight("natgeo").is_err());
        assert!(
            Query::highlight("https://www.instagram.com/natgeo/")
                .is_err_and(|e| e.to_string().contains("not a highlight URL"))
        );
        assert!(
            Query::highlight("https://www.instagram.com/s/aGlnaGxpZ2h0OjE3ODkw")
                .is_err_and(|e| e.to_string().contains("share link"))
        );
    }

    #[test]
    fn stories_parse_from_ids_and_urls() {
        assert_eq!(
            Query::story("3870828041672894129_787132"),
            Ok(Query::StoryById("3870828041672894129".into()))
        );
        let url = "https://www.instagram.com/stories/natgeo/3870828041672894129/";
        assert_eq!(Query::story(url), Ok(Query::StoryByUrl(url.into())));
        assert!(Query::story("natgeo").is_err());
        assert!(Query::story("https://www.instagram.com/natgeo/").is_err());
        assert!(
            Query::story("https://www.instagram.com/stories/highlights/178/")
                .is_err_and(|e| e.to_string().contains("stories highlight"))
        );
        assert!(Query::story("https://www.instagram.com/stories/natgeo/abc/").is_err());
    }

    #[test]
    fn every_route_names_a_real_operation_and_costs_come_from_the_docs() {
        let caps = capabilities();
        let routes: usize = VENDORS.iter().map(|v| v.normalizer.routes.len()).sum();
        assert_eq!(
            caps.len(),
            routes,
            "a route names an operation no client has"
        );
        let cost = |v: &str, k: Kind| {
            caps.iter()
                .find(|c| c.vendor_name() == v && c.kind() == k)
                .map(|c| c.cost)
        };
        assert_eq!(cost("keyapi", Kind::UserStoriesByUsername), Some(2));
        assert_eq!(cost("hikerapi", Kind::UserHighlightsByUsername), Some(3));
        assert_eq!(cost("hikerapi", Kind::UserStoriesById), Some(2));
        assert_eq!(cost("sociavault", Kind::UserHighlightsByUsername), Some(1));
    }
}
