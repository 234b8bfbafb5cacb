//! Media renditions and when their signed URLs stop working.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a story shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Image,
    Video,
    /// Several media in one item.
    Carousel,
    /// The vendor did not say, or said something unknown.
    Unknown,
}

impl MediaKind {
    /// Instagram's `media_type`: 1 photo, 2 video, 8 carousel.
    pub fn from_media_type(code: i64) -> Self {
        match code {
            1 => Self::Image,
            2 => Self::Video,
            8 => Self::Carousel,
            _ => Self::Unknown,
        }
    }
}

/// One file of a media item at one size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rendition {
    pub url: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// MIME type, when given.
    pub mime_type: Option<String>,
    /// When the signed CDN URL stops working (its `oe` parameter), if it is signed.
    pub url_expires_at: Option<DateTime<Utc>>,
}

impl Rendition {
    /// A rendition of `url`, with the URL's expiry read from it.
    pub fn new(url: impl Into<String>, width: Option<i64>, height: Option<i64>) -> Self {
        let url = url.into();
        let url_expires_at = url_expiry(&url);
        let dim = |v: Option<i64>| v.and_then(|n| u32::try_from(n).ok()).filter(|n| *n > 0);
        Self {
            url,
            width: dim(width),
            height: dim(height),
            mime_type: None,
            url_expires_at,
        }
    }

    /// Pixels, for choosing the best rendition; unknown sizes count as zero.
    pub fn area(&self) -> u64 {
        u64::from(self.width.unwrap_or(0)) * u64::from(self.height.unwrap_or(0))
    }

    /// Whether the signed URL has expired at `now`.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.url_expires_at.is_some_and(|at| at <= now)
    }
}

/// The largest rendition by width × height; the first of equals.
pub(crate) fn largest(renditions: &[Rendition]) -> Option<&Rendition> {
    renditions
        .iter()
        .enumerate()
        .max_by(|(i, a), (j, b)| a.area().cmp(&b.area()).then(j.cmp(i)))
        .map(|(_, r)| r)
}

/// When an Instagram CDN URL stops working: its `oe` query parameter, a hex epoch.
pub fn url_expiry(url: &str) -> Option<DateTime<Utc>> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    let hex = query.split('&').find_map(|pair| pair.strip_prefix("oe="))?;
    let seconds = i64::from_str_radix(hex, 16).ok()?;
    DateTime::from_timestamp(seconds, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_urls_expire_at_their_oe_parameter() {
        let url = "https://scontent.cdninstagram.com/v/x.jpg?stp=dst&oe=69B588D5&_nc_sid=58cdad";
        let at = url_expiry(url).expect("signed");
        assert_eq!(at.timestamp(), 0x69B5_88D5);
        assert_eq!(url_expiry("https://example.com/x.jpg"), None);
        assert_eq!(url_expiry("https://x/y?oe=zz"), None);
        assert!(Rendition::new(url, Some(1), Some(1)).is_expired(at));
    }

    #[test]
    fn the_largest_rendition_wins() {
        let small = Rendition::new("a", Some(360), Some(640));
        let big = Rendition::new("b", Some(1080), Some(1919));
        let unknown = Rendition::new("c", None, None);
        let all = [small, big.clone(), unknown];
        assert_eq!(largest(&all), Some(&big));
        assert_eq!(largest(&[]), None);
    }

    #[test]
    fn nonsense_sizes_are_unknown() {
        let r = Rendition::new("a", Some(-1), Some(i64::MAX));
        assert_eq!((r.width, r.height), (None, None));
    }

    #[test]
    fn media_type_codes() {
        assert_eq!(MediaKind::from_media_type(2), MediaKind::Video);
        assert_eq!(MediaKind::from_media_type(99), MediaKind::Unknown);
    }
}
