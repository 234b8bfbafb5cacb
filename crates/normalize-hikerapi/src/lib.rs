//! HikerAPI (instagrapi shape) → the domain model.
//!
//! | HikerAPI field | domain field |
//! |---|---|
//! | `Story.pk` | `Story.id` |
//! | `Story.code` | `Story.shortcode` |
//! | `Story.user` | `Story.owner` |
//! | `Story.media_type` (1, 2, 8) | `Story.kind` |
//! | `Story.taken_at` (ISO, `Z` or `+00:00`) | `Story.taken_at` (UTC); `expires_at` = taken_at + 24 h, **derived** |
//! | `Story.thumbnail_url` | `Story.images` (no size given) |
//! | `Story.video_url` | `Story.videos` (no size given) |
//! | `Story.video_duration` | `Story.duration_seconds` |
//! | `Story.mentions[].user` | `Story.mentions` |
//! | `Story.hashtags[].hashtag.name` | `Story.hashtags` |
//! | `Story.links[].webUri` | `Story.links` |
//! | `Story.locations[].location` (pk, name, lat, lng) | `Story.locations` |
//! | `Story.sponsor_tags[]` | `Story.sponsors` |
//! | `User.pk`, `username`, `full_name`, `profile_pic_url`, `is_verified`, `is_private` | `UserRef` |
//! | `Highlight.pk` / `id` (`highlight:<n>`) | `Highlight.id` |
//! | `Highlight.title`, `user`, `created_at`, `is_pinned_highlight` | `title`, `owner`, `created_at`, `pinned` |
//! | `Highlight.latest_reel_media` (epoch s) | `Highlight.latest_item_at` |
//! | `Highlight.media_count` | `Highlight.item_count` |
//! | `Highlight.cover_media` (cropped_image_version, full_image_version, media_id) | `Highlight.cover` |
//! | `Highlight.media_ids` (integers) | `Highlight.item_ids` (strings) |
//! | `Highlight.items[]` | `Highlight.items` |
//!
//! HikerAPI does not provide: rendition sizes of story media, the story's expiry, its
//! paid-partnership flag (only the sponsor accounts), accessibility caption or permalink. Error statuses map to outcomes: 402 → out of credits,
//! 403 → private account, 404 → not found, 429 → rate limited, 401 → unauthorized, 5xx →
//! upstream failure (not charged, so refunded), other 4xx → bad request.

use domain::{
    Answer, ArgForm, Cover, Failure, Highlight, Link, MediaKind, NormalizeError, Normalizer,
    Outcome, Page, Place, QueryKind, RawResponse, Rendition, Route, Source, Story, UserRef,
};
use hikerapi_client::types;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The vendor's short name.
pub const VENDOR: &str = hikerapi_client::VENDOR.name;

const fn route(kind: QueryKind, operation: &'static str, param: &'static str) -> Route {
    Route {
        kind,
        operation,
        param,
        arg: ArgForm::AsGiven,
    }
}

/// What this crate normalizes and which questions it answers.
pub const NORMALIZER: Normalizer = Normalizer {
    vendor: VENDOR,
    routes: &[
        route(
            QueryKind::UserStoriesByUsername,
            "get_v1_user_stories_by_username",
            "username",
        ),
        route(QueryKind::UserStoriesById, "get_v1_user_stories", "user_id"),
        route(
            QueryKind::UserHighlightsByUsername,
            "get_v1_user_highlights_by_username",
            "username",
        ),
        route(
            QueryKind::UserHighlightsById,
            "get_v1_user_highlights",
            "user_id",
        ),
        Route {
            kind: QueryKind::HighlightItems,
            operation: "get_v1_highlight_by_url",
            param: "url",
            arg: ArgForm::HighlightUrl,
        },
        route(QueryKind::StoryById, "get_v1_story_by_id", "id"),
        route(QueryKind::StoryByUrl, "get_v1_story_by_url", "url"),
    ],
    normalize,
};

/// What an operation returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Story,
    Stories,
    Highlight,
    Highlights,
    Bytes,
}

/// Every operation of the client, with what it returns.
const OPERATIONS: &[(&str, Shape)] = &[
    ("get_v1_highlight_by_id", Shape::Highlight),
    ("get_v1_highlight_by_url", Shape::Highlight),
    ("get_v1_story_by_id", Shape::Story),
    ("get_v1_story_by_url", Shape::Story),
    ("get_v1_story_download", Shape::Bytes),
    ("get_v1_story_download_by_story_url", Shape::Bytes),
    ("get_v1_story_download_by_url", Shape::Bytes),
    ("get_v1_user_highlights", Shape::Highlights),
    ("get_v1_user_highlights_by_username", Shape::Highlights),
    ("get_v1_user_stories", Shape::Stories),
    ("get_v1_user_stories_by_username", Shape::Stories),
];

/// Normalizes a saved or received response of `operation`.
pub fn normalize(operation: &str, raw: RawResponse<'_>) -> Result<Outcome<Answer>, NormalizeError> {
    let Some((op, shape)) = OPERATIONS.iter().find(|(id, _)| *id == operation) else {
        let known: Vec<&str> = OPERATIONS.iter().map(|(id, _)| *id).collect();
        return Err(NormalizeError::unknown_operation(VENDOR, operation, &known));
    };
    if !(200..300).contains(&raw.status) {
        return Ok(error_outcome(raw.status, raw.retry_after_seconds, raw.body));
    }
    let source = Source {
        vendor: VENDOR.into(),
        operation: (*op).into(),
    };
    let answer = match shape {
        Shape::Story => Answer::Story(story(&decode::<types::Story>(op, &raw)?, &source)),
        Shape::Highlight => {
            Answer::Highlight(highlight(&decode::<types::Highlight>(op, &raw)?, &source))
        }
        Shape::Stories => {
            let items: Vec<Story> = decode::<Vec<types::Story>>(op, &raw)?
                .iter()
                .map(|s| story(s, &source))
                .collect();
            if items.is_empty() {
                return Ok(Outcome::Empty);
            }
            Answer::Stories(Page::complete(items))
        }
        Shape::Highlights => {
            let items: Vec<Highlight> = decode::<Vec<types::Highlight>>(op, &raw)?
                .iter()
                .map(|h| highlight(h, &source))
                .collect();
            if items.is_empty() {
                return Ok(Outcome::Empty);
            }
            Answer::Highlights(Page::complete(items))
        }
        Shape::Bytes => {
            return Err(NormalizeError::NotJson {
                vendor: VENDOR.into(),
                operation: operation.into(),
            });
        }
    };
    Ok(Outcome::Found(answer))
}

fn decode<T: DeserializeOwned>(
    operation: &str,
    raw: &RawResponse<'_>,
) -> Result<T, NormalizeError> {
    serde_json::from_slice(raw.body)
        .map_err(|e| NormalizeError::decode(VENDOR, operation, raw.status, e))
}

/// One story.
pub fn story(s: &types::Story, source: &Source) -> Story {
    let images = (!s.thumbnail_url.is_empty())
        .then(|| Rendition::new(s.thumbnail_url.clone(), None, None))
        .into_iter()
        .collect();
    let videos = s
        .video_url
        .iter()
        .filter(|u| !u.is_empty())
        .map(|u| Rendition::new(u.clone(), None, None))
        .collect();
    let sponsors: Vec<UserRef> = s.sponsor_tags.iter().map(user).collect();
    Story {
        id: s.pk.clone(),
        shortcode: Some(s.code.clone()).filter(|c| !c.is_empty()),
        owner: Some(user(&s.user)),
        kind: MediaKind::from_media_type(s.media_type),
        taken_at: Some(s.taken_at),
        expires_at: domain::story_expiry(None, Some(s.taken_at)),
        images,
        videos,
        duration_seconds: s.video_duration.filter(|d| d.is_finite() && *d > 0.0),
        mentions: s.mentions.iter().map(|m| user(&m.user)).collect(),
        hashtags: s
            .hashtags
            .iter()
            .filter_map(|h| text_at(h, &["hashtag", "name"]))
            .collect(),
        links: s.links.iter().filter_map(link).collect(),
        locations: s.locations.iter().filter_map(place).collect(),
        // instagrapi states sponsors but no partnership flag; missing data stays missing.
        paid_partnership: None,
        sponsors,
        accessibility_caption: None,
        permalink: None,
        source: source.clone(),
    }
}

/// One highlight, with its items when the call returned them.
pub fn highlight(h: &types::Highlight, source: &Source) -> Highlight {
    let cropped = &h.cover_media.cropped_image_version;
    let full = h.cover_media.full_image_version.as_object().and_then(|f| {
        let url = f.get("url")?.as_str()?;
        Some(Rendition::new(
            url,
            f.get("width").and_then(Value::as_i64),
            f.get("height").and_then(Value::as_i64),
        ))
    });
    Highlight {
        id: domain::highlight_id(if h.pk.is_empty() { &h.id } else { &h.pk }),
        title: Some(h.title.clone()),
        owner: Some(user(&h.user)),
        created_at: Some(h.created_at),
        latest_item_at: domain::from_epoch(h.latest_reel_media),
        item_count: u64::try_from(h.media_count).ok(),
        cover: Some(Cover {
            cropped: (!cropped.url.is_empty()).then(|| {
                Rendition::new(
                    cropped.url.clone(),
                    Some(cropped.width),
                    Some(cropped.height),
                )
            }),
            full,
            media_id: h.cover_media.media_id.clone(),
        }),
        pinned: Some(h.is_pinned_highlight),
        item_ids: h.media_ids.iter().map(ToString::to_string).collect(),
        items: h.items.iter().map(|s| story(s, source)).collect(),
        source: source.clone(),
    }
}

fn user(u: &types::User) -> UserRef {
    UserRef {
        id: Some(u.pk.clone()).filter(|p| !p.is_empty()),
        username: u.username.clone(),
        full_name: Some(u.full_name.clone()).filter(|n| !n.is_empty()),
        avatar_url: u.profile_pic_url.clone(),
        verified: u.is_verified,
        private: Some(u.is_private),
    }
}

fn text_at(v: &Value, path: &[&str]) -> Option<String> {
    let mut node = v;
    for key in path {
        node = node.get(key)?;
    }
    node.as_str().map(str::to_owned)
}

/// instagrapi's `StoryLink {webUri}`.
fn link(v: &Value) -> Option<Link> {
    let url = text_at(v, &["webUri"]).or_else(|| text_at(v, &["url"]))?;
    Some(Link {
        url,
        title: text_at(v, &["x_title"]).or_else(|| text_at(v, &["title"])),
    })
}

/// instagrapi's `StoryLocation {location: {pk, name, lat, lng}}`.
fn place(v: &Value) -> Option<Place> {
    let loc = v.get("location")?;
    let id = loc
        .get("pk")
        .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned));
    Some(Place {
        id,
        name: text_at(loc, &["name"]),
        latitude: loc.get("lat").and_then(Value::as_f64),
        longitude: loc.get("lng").and_then(Value::as_f64),
    })
}

/// The outcome of an error response; HikerAPI documents statuses, not bodies.
pub fn error_outcome<T>(status: u16, retry_after: Option<u64>, body: &[u8]) -> Outcome<T> {
    let detail = serde_json::from_slice::<Value>(body).ok().and_then(|v| {
        v.get("detail")
            .or_else(|| v.get("message"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    let message = detail.unwrap_or_else(|| format!("HTTP {status}"));
    match status {
        402 => Outcome::Failed(Failure::OutOfCredits),
        403 => Outcome::PrivateAccount,
        404 => Outcome::NotFound,
        429 => Outcome::Failed(Failure::RateLimited {
            retry_after_seconds: retry_after,
        }),
        401 => Outcome::Failed(Failure::Unauthorized { message }),
        500.. => Outcome::Failed(Failure::Upstream {
            status,
            message,
            refunded: Some(true),
        }),
        _ => Outcome::Failed(Failure::BadRequest { message }),
    }
}
