//! The vendor-neutral model of Instagram stories and highlights.
//!
//! Every vendor's responses normalize into these types, so code that uses them does not care
//! which vendor answered. Nothing here depends on a generated client.
//!
//! # JSON form
//!
//! The serde form is stable and documented field by field: `snake_case` names, every field
//! always present (`null` when the vendor did not say), ids as decimal strings, timestamps as
//! RFC 3339 in UTC (`2026-04-08T14:31:15Z`). Values a normalizer computed rather than read
//! carry `derived: true`.

mod drift;
mod media;
mod normalized;
mod outcome;
mod route;
pub mod tolerant;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use drift::{Drift, DriftEntry, DriftKind, MAX_ENTRIES as MAX_DRIFT_ENTRIES};
pub use media::{MediaKind, Rendition, url_expiry};
pub use normalized::{Answer, NormalizeError, Normalized, RawResponse};
pub use outcome::{Failure, Outcome, TransportKind};
pub use route::{ArgForm, NormalizeFn, Normalizer, QueryKind, Route};

/// Who answered, through which operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The vendor's short name (`hikerapi`, `keyapi`, `konbiniapi`, `sociavault`).
    pub vendor: String,
    /// The vendor operation's id, as in its canonical document.
    pub operation: String,
}

/// A reference to an Instagram account, as much as the vendor told.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRef {
    /// The numeric user id, as a decimal string.
    pub id: Option<String>,
    pub username: Option<String>,
    pub full_name: Option<String>,
    pub avatar_url: Option<String>,
    pub verified: Option<bool>,
    pub private: Option<bool>,
}

impl UserRef {
    /// This user, each field it lacks taken from `other` — when `other` is the same user (or
    /// this one has no id): an item's bare `{pk}` user named by its reel's owner.
    pub fn filled_from(self, other: &UserRef) -> UserRef {
        if self.id.is_some() && self.id != other.id {
            return self;
        }
        UserRef {
            id: self.id.or_else(|| other.id.clone()),
            username: self.username.or_else(|| other.username.clone()),
            full_name: self.full_name.or_else(|| other.full_name.clone()),
            avatar_url: self.avatar_url.or_else(|| other.avatar_url.clone()),
            verified: self.verified.or(other.verified),
            private: self.private.or(other.private),
        }
    }
}

/// A point in time a normalizer either read or computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instant {
    pub at: DateTime<Utc>,
    /// True when computed (e.g. expiry = taken_at + 24 h) rather than given by the vendor.
    pub derived: bool,
}

/// A link sticker or call to action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub url: String,
    /// Sticker text or link relation, when given.
    pub title: Option<String>,
}

/// A location sticker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub id: Option<String>,
    pub name: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// One story item: an image or a video, live for 24 hours or kept in a highlight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Story {
    /// The media id (`pk`), as a decimal string.
    pub id: String,
    /// The shortcode used in URLs, when given.
    pub shortcode: Option<String>,
    pub owner: Option<UserRef>,
    pub kind: MediaKind,
    pub taken_at: Option<DateTime<Utc>>,
    /// When the story leaves the tray; derived from `taken_at` when the vendor does not say.
    /// Only live stories expire: an item read from a highlight (a highlight route, or a reel
    /// whose id is `highlight:<n>`) has none, derived or not.
    pub expires_at: Option<Instant>,
    /// Image renditions, largest first.
    pub images: Vec<Rendition>,
    /// Video renditions, largest first.
    pub videos: Vec<Rendition>,
    pub duration_seconds: Option<f64>,
    pub mentions: Vec<UserRef>,
    pub hashtags: Vec<String>,
    pub links: Vec<Link>,
    pub locations: Vec<Place>,
    /// Brand partners of a paid partnership.
    pub sponsors: Vec<UserRef>,
    pub paid_partnership: Option<bool>,
    pub accessibility_caption: Option<String>,
    /// The story's permalink, when the vendor gives one.
    pub permalink: Option<String>,
    pub source: Source,
}

impl Story {
    /// The largest image rendition.
    pub fn best_image(&self) -> Option<&Rendition> {
        media::largest(&self.images)
    }

    /// The largest video rendition.
    pub fn best_video(&self) -> Option<&Rendition> {
        media::largest(&self.videos)
    }

    /// The rendition a download should fetch: the best video of a video, else the best image.
    pub fn best_media(&self) -> Option<&Rendition> {
        match self.kind {
            MediaKind::Video => self.best_video().or_else(|| self.best_image()),
            _ => self.best_image().or_else(|| self.best_video()),
        }
    }
}

/// A highlight cover.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cover {
    pub cropped: Option<Rendition>,
    pub full: Option<Rendition>,
    /// The story the cover was taken from, when given.
    pub media_id: Option<String>,
}

/// A highlight reel: stories kept on the profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Highlight {
    /// The numeric highlight id, without the `highlight:` prefix.
    pub id: String,
    pub title: Option<String>,
    pub owner: Option<UserRef>,
    pub created_at: Option<DateTime<Utc>>,
    /// When the newest item was added.
    pub latest_item_at: Option<DateTime<Utc>>,
    pub item_count: Option<u64>,
    pub cover: Option<Cover>,
    pub pinned: Option<bool>,
    /// Ids of the items, when listed without the items themselves.
    pub item_ids: Vec<String>,
    /// The items, when the call returns them.
    pub items: Vec<Story>,
    pub source: Source,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass back to get the next page; `None` on the last page.
    pub next_cursor: Option<String>,
    /// How many items exist in all, when the vendor says.
    pub total: Option<u64>,
}

impl<T> Page<T> {
    /// A single page holding everything.
    pub fn complete(items: Vec<T>) -> Self {
        Self {
            items,
            next_cursor: None,
            total: None,
        }
    }
}

/// `highlight:17890000000000001` and `17890000000000001` both name highlight `17890000000000001`.
pub fn highlight_id(raw: &str) -> String {
    raw.strip_prefix("highlight:").unwrap_or(raw).to_owned()
}

/// The decimal id `raw` names, without a known prefix (`highlight:`), or `None` when it is
/// not all decimal digits (a redacted `"<pk>"`, an empty string): such an id is no id.
pub fn decimal_id(raw: &str) -> Option<&str> {
    let digits = raw.strip_prefix("highlight:").unwrap_or(raw);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// A timestamp from epoch seconds (vendors send 10-digit seconds; 13 digits are milliseconds).
pub fn from_epoch(value: i64) -> Option<DateTime<Utc>> {
    if value.unsigned_abs() >= 100_000_000_000 {
        DateTime::from_timestamp_millis(value)
    } else {
        DateTime::from_timestamp(value, 0)
    }
}

/// A timestamp from ISO 8601 text with a zone (`Z` or an offset), normalized to UTC.
pub fn from_iso(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.to_utc())
}

/// How long a story stays up.
pub const STORY_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// The expiry the vendor gave, or `taken_at + 24 h` marked derived.
pub fn story_expiry(
    given: Option<DateTime<Utc>>,
    taken_at: Option<DateTime<Utc>>,
) -> Option<Instant> {
    match (given, taken_at) {
        (Some(at), _) => Some(Instant { at, derived: false }),
        (None, Some(t)) => t
            .checked_add_signed(STORY_LIFETIME)
            .map(|at| Instant { at, derived: true }),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_ids_lose_their_prefix() {
        assert_eq!(
            highlight_id("highlight:17890000000000001"),
            "17890000000000001"
        );
        assert_eq!(highlight_id("17890000000000001"), "17890000000000001");
    }

    #[test]
    fn a_bare_user_is_filled_from_the_same_user_only() {
        let full = UserRef {
            id: Some("1".into()),
            username: Some("a".into()),
            private: Some(false),
            ..UserRef::default()
        };
        let bare = UserRef {
            id: Some("1".into()),
            private: Some(true),
            ..UserRef::default()
        };
        let filled = bare.clone().filled_from(&full);
        assert_eq!(filled.username.as_deref(), Some("a"));
        assert_eq!(filled.private, Some(true), "the user's own flag stands");
        let other = UserRef {
            id: Some("2".into()),
            ..UserRef::default()
        };
        assert_eq!(other.clone().filled_from(&full), other);
        assert_eq!(UserRef::default().filled_from(&full), full);
    }

    #[test]
    fn only_decimal_digits_are_ids() {
        assert_eq!(
            decimal_id("highlight:17890000000000001"),
            Some("17890000000000001")
        );
        assert_eq!(
            decimal_id("2046396763417725295"),
            Some("2046396763417725295")
        );
        assert_eq!(decimal_id("<pk>"), None);
        assert_eq!(decimal_id(""), None);
        assert_eq!(decimal_id("highlight:"), None);
        assert_eq!(decimal_id("12_34"), None);
    }

    #[test]
    fn epoch_seconds_and_milliseconds() {
        assert_eq!(
            from_epoch(1_773_059_653).map(|t| t.to_rfc3339()),
            Some("2026-03-09T12:34:13+00:00".into())
        );
        assert_eq!(from_epoch(1_773_059_653_000), from_epoch(1_773_059_653));
        assert_eq!(from_epoch(i64::MAX), None);
        assert_eq!(from_epoch(i64::MIN), None);
    }

    #[test]
    fn iso_with_offset_or_z_is_utc() {
        assert_eq!(
            from_iso("2025-11-23T09:44:11+02:00"),
            from_iso("2025-11-23T07:44:11Z")
        );
        assert_eq!(from_iso("yesterday"), None);
    }

    #[test]
    fn expiry_is_given_or_derived() {
        let t = from_epoch(1_773_059_653);
        let derived = story_expiry(None, t).expect("derived");
        assert!(derived.derived);
        assert_eq!(derived.at.timestamp(), 1_773_059_653 + 86_400);
        let given = story_expiry(from_epoch(1_773_146_053), t).expect("given");
        assert!(!given.derived);
        assert_eq!(story_expiry(None, None), None);
    }
}
