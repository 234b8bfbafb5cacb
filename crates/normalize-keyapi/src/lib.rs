//! KeyAPI (Instagram's raw private-API reel in a `{code, message, data}` envelope) → the
//! domain model.
//!
//! | KeyAPI field (under `data.data`) | domain field |
//! |---|---|
//! | `items[]` | `Page<Story>.items`; `count` → `Page.total` |
//! | item `pk` or `id` | `Story.id` |
//! | item `code` | `Story.shortcode` |
//! | item `owner` (else `user`) | `Story.owner` |
//! | item `media_type` (1, 2, 8) | `Story.kind` (a photo with music served as video counts as video) |
//! | item `taken_at` (epoch s) | `Story.taken_at` |
//! | item `expiring_at` (epoch s) | `Story.expires_at` (given, not derived) |
//! | item `image_versions.items[]` and `image_versions2.candidates[]` (url, width, height) | `Story.images` |
//! | item `video_versions[]` (url, width, height) | `Story.videos` |
//! | item `video_duration` | `Story.duration_seconds` |
//! | item `reel_mentions[].user` | `Story.mentions` |
//! | item `story_hashtags[].hashtag.name` | `Story.hashtags` |
//! | item `story_link_stickers[].story_link` (url, link_title) and `story_cta[].links[].webUri` | `Story.links` |
//! | item `story_locations[].location` (pk, name, lat, lng) | `Story.locations` |
//! | item `sponsor_tags[].sponsor` | `Story.sponsors` |
//! | item `is_paid_partnership` | `Story.paid_partnership` |
//! | item `accessibility_caption` | `Story.accessibility_caption` |
//! | user `id`, `username`, `full_name`, `profile_pic_url`, `is_verified`, `is_private` | `UserRef` |
//!
//! KeyAPI does not provide: a story permalink or cursor pagination (one page holds every active
//! story). The envelope's `code` decides the outcome, whatever the HTTP status: 0 → found (no
//! items → empty), 400 → bad request, 401 → unauthorized, 402 → out of credits, 404 → not
//! found, 429 → rate limited, 5xx → upstream failure.

use domain::{
    Answer, ArgForm, Failure, Link, MediaKind, NormalizeError, Normalizer, Outcome, Page, Place,
    QueryKind, RawResponse, Rendition, Route, Source, Story, UserRef,
};
use keyapi_client::types;
use serde_json::Value;

/// The vendor's short name.
pub const VENDOR: &str = keyapi_client::VENDOR.name;
/// The operation this crate normalizes.
pub const FETCH_USER_STORIES: &str = "fetch_user_stories";

/// What this crate normalizes and which questions it answers.
pub const NORMALIZER: Normalizer = Normalizer {
    vendor: VENDOR,
    routes: &[
        Route {
            kind: QueryKind::UserStoriesByUsername,
            operation: FETCH_USER_STORIES,
            param: "username",
            arg: ArgForm::AsGiven,
        },
        Route {
            kind: QueryKind::UserStoriesById,
            operation: FETCH_USER_STORIES,
            param: "user_id",
            arg: ArgForm::AsGiven,
        },
    ],
    normalize,
};

type Item = types::FetchUserStoriesResponseDataDataItemsItem;

/// Normalizes a saved or received response of `operation`.
pub fn normalize(operation: &str, raw: RawResponse<'_>) -> Result<Outcome<Answer>, NormalizeError> {
    if operation != FETCH_USER_STORIES {
        return Err(NormalizeError::unknown_operation(
            VENDOR,
            operation,
            &[FETCH_USER_STORIES],
        ));
    }
    let decode_error =
        |message: String| NormalizeError::decode(VENDOR, operation, raw.status, message);
    // The envelope's code speaks even when the HTTP status says 200. The typed decode comes
    // first because it is the common case; error envelopes do not fit it and are read loosely.
    if (200..300).contains(&raw.status)
        && let Ok(body) = serde_json::from_slice::<types::FetchUserStoriesResponse>(raw.body)
    {
        if body.code == 0 {
            return Ok(stories(&body));
        }
        return Ok(error_outcome(
            body.code,
            raw.retry_after_seconds,
            body.message,
        ));
    }
    let envelope: Value =
        serde_json::from_slice(raw.body).map_err(|e| decode_error(e.to_string()))?;
    let code = envelope
        .get("code")
        .and_then(Value::as_i64)
        .filter(|c| *c != 0);
    let message = envelope
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    match code {
        Some(code) => Ok(error_outcome(code, raw.retry_after_seconds, message)),
        None if !(200..300).contains(&raw.status) => Ok(error_outcome(
            i64::from(raw.status),
            raw.retry_after_seconds,
            message,
        )),
        // A success envelope that does not fit the documented shape.
        None => {
            let err = serde_json::from_value::<types::FetchUserStoriesResponse>(envelope).err();
            Err(decode_error(err.map_or_else(
                || "unreadable envelope".to_owned(),
                |e| e.to_string(),
            )))
        }
    }
}

/// The active stories of the response.
pub fn stories(body: &types::FetchUserStoriesResponse) -> Outcome<Answer> {
    let reel = &body.data.data;
    if reel.items.is_empty() {
        return Outcome::Empty;
    }
    let items = reel.items.iter().map(story).collect();
    Outcome::Found(Answer::Stories(Page {
        items,
        next_cursor: None,
        total: u64::try_from(reel.count).ok(),
    }))
}

macro_rules! user_ref {
    ($u:expr) => {{
        let u = $u;
        UserRef {
            id: Some(u.id.clone()),
            username: Some(u.username.clone()),
            full_name: Some(u.full_name.clone()).filter(|n| !n.is_empty()),
            avatar_url: Some(u.profile_pic_url.clone()).filter(|n| !n.is_empty()),
            verified: Some(u.is_verified),
            private: Some(u.is_private),
        }
    }};
}

/// One story item.
pub fn story(item: &Item) -> Story {
    let source = Source {
        vendor: VENDOR.into(),
        operation: FETCH_USER_STORIES.into(),
    };
    let mut images: Vec<Rendition> = Vec::new();
    if let Some(v) = &item.image_versions {
        images.extend(
            v.items
                .iter()
                .map(|i| Rendition::new(i.url.clone(), Some(i.width), Some(i.height))),
        );
    }
    if let Some(v) = &item.image_versions2 {
        images.extend(
            v.candidates
                .iter()
                .map(|i| Rendition::new(i.url.clone(), Some(i.width), Some(i.height))),
        );
    }
    let mut videos: Vec<Rendition> = item
        .video_versions
        .iter()
        .map(|v| Rendition::new(v.url.clone(), Some(v.width), Some(v.height)))
        .collect();
    images.sort_by_key(|r| std::cmp::Reverse(r.area()));
    videos.sort_by_key(|r| std::cmp::Reverse(r.area()));
    images.dedup_by(|a, b| a.url == b.url);
    videos.dedup_by(|a, b| a.url == b.url);
    let mut links: Vec<Link> = item
        .story_link_stickers
        .iter()
        .map(|s| Link {
            url: s.story_link.url.clone(),
            title: Some(s.story_link.link_title.clone()).filter(|t| !t.is_empty()),
        })
        .collect();
    for cta in &item.story_cta {
        for l in &cta.links {
            if !links.iter().any(|k| k.url == l.web_uri) {
                links.push(Link {
                    url: l.web_uri.clone(),
                    title: None,
                });
            }
        }
    }
    let kind = match MediaKind::from_media_type(item.media_type) {
        // A photo with music is served as video; what the user downloads is the video.
        MediaKind::Image if !videos.is_empty() => MediaKind::Video,
        kind => kind,
    };
    let taken_at = domain::from_epoch(item.taken_at);
    Story {
        id: item
            .pk
            .clone()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| item.id.split('_').next().unwrap_or(&item.id).to_owned()),
        shortcode: Some(item.code.clone()).filter(|c| !c.is_empty()),
        owner: Some(user_ref!(&item.owner)),
        kind,
        taken_at,
        expires_at: domain::story_expiry(
            domain::from_epoch(item.expiring_at).filter(|_| item.expiring_at > 0),
            taken_at,
        ),
        images,
        videos,
        duration_seconds: item.video_duration.filter(|d| d.is_finite() && *d > 0.0),
        mentions: item
            .reel_mentions
            .iter()
            .map(|m| user_ref!(&m.user))
            .collect(),
        hashtags: item
            .story_hashtags
            .iter()
            .map(|h| h.hashtag.name.clone())
            .collect(),
        links,
        locations: item
            .story_locations
            .iter()
            .map(|l| Place {
                id: Some(l.location.pk.clone()),
                name: Some(l.location.name.clone()),
                latitude: Some(l.location.lat).filter(|v| v.is_finite()),
                longitude: Some(l.location.lng).filter(|v| v.is_finite()),
            })
            .collect(),
        sponsors: item
            .sponsor_tags
            .iter()
            .map(|s| UserRef {
                id: Some(s.sponsor.id.clone()),
                username: Some(s.sponsor.username.clone()),
                full_name: Some(s.sponsor.full_name.clone()).filter(|n| !n.is_empty()),
                avatar_url: None,
                verified: Some(s.sponsor.is_verified),
                private: None,
            })
            .collect(),
        paid_partnership: Some(item.is_paid_partnership),
        accessibility_caption: item
            .accessibility_caption
            .as_ref()
            .and_then(Value::as_str)
            .map(str::to_owned),
        permalink: None,
        source,
    }
}

/// The outcome of an envelope whose code is not 0.
pub fn error_outcome<T>(code: i64, retry_after: Option<u64>, message: String) -> Outcome<T> {
    match code {
        402 => Outcome::Failed(Failure::OutOfCredits),
        404 => Outcome::NotFound,
        429 => Outcome::Failed(Failure::RateLimited {
            retry_after_seconds: retry_after,
        }),
        401 | 403 => Outcome::Failed(Failure::Unauthorized { message }),
        500..=599 => Outcome::Failed(Failure::Upstream {
            status: u16::try_from(code).unwrap_or(500),
            message,
            refunded: None,
        }),
        _ => Outcome::Failed(Failure::BadRequest { message }),
    }
}
