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

impl User {
    /// `natgeo`, `@natgeo` and `https://www.instagram.com/natgeo/` are usernames; `787132` is an id.
    pub fn parse(input: &str) -> Self {
        let trimmed = input.trim().trim_start_matches('@');
        let trimmed = trimmed
            .strip_prefix("https://www.instagram.com/")
            .or_else(|| trimmed.strip_prefix("https://instagram.com/"))
            .map_or(trimmed, |rest| rest.split('/').next().unwrap_or(rest));
        if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
            User::Id(trimmed.to_owned())
        } else {
            User::Username(trimmed.to_owned())
        }
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
    /// A highlight by id (`17890000000000001`, `highlight:17890000000000001`) or URL
    /// (`https://www.instagram.com/stories/highlights/17890000000000001/`).
    pub fn highlight(input: &str) -> Result<Self, String> {
        let input = input.trim();
        let id = match input.find("/highlights/") {
            Some(i) => input[i + "/highlights/".len()..]
                .split(['/', '?'])
                .next()
                .unwrap_or(""),
            None => input.strip_prefix("highlight:").unwrap_or(input),
        };
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{input}` is not a highlight id or highlight URL"));
        }
        Ok(Query::HighlightItems(id.to_owned()))
    }

    /// A story by media id (`3870828041672894129`, or `<pk>_<user id>`) or story URL.
    pub fn story(input: &str) -> Result<Self, String> {
        let input = input.trim();
        if input.starts_with("https://") || input.starts_with("http://") {
            if !input.contains("/stories/") {
                return Err(format!(
                    "`{input}` is not a story URL (https://www.instagram.com/stories/<user>/<id>/)"
                ));
            }
            return Ok(Query::StoryByUrl(input.to_owned()));
        }
        let pk = input.split('_').next().unwrap_or("");
        if pk.is_empty() || !pk.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{input}` is not a story id or story URL"));
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
        assert_eq!(User::parse("@natgeo"), User::Username("natgeo".into()));
        assert_eq!(
            User::parse("https://www.instagram.com/natgeo/"),
            User::Username("natgeo".into())
        );
        assert_eq!(User::parse("787132"), User::Id("787132".into()));
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
