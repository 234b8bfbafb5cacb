//! KeyAPI (Instagram's raw private-API reel in a `{code, message, data}` envelope) → the
//! domain model.
//!
//! | KeyAPI field (under `data.data`) | domain field |
//! |---|---|
//! | `items[]` | `Page<Story>.items`; `count` → `Page.total` |
//! | item `id` / `strong_id__` prefix (exact digits), else `pk` | `Story.id` (a disagreeing `pk`, say a rounded number, is drift `mismatch`; an id not all digits skips the item) |
//! | item `code` | `Story.shortcode` |
//! | item `owner` (else `user`), each field missing there from the reel's `user` / `additional_data.user` | `Story.owner` |
//! | item `media_type` (1, 2, 8) | `Story.kind` (a photo with music served as video counts as video) |
//! | item `taken_at` (epoch s) | `Story.taken_at` |
//! | item `expiring_at` (epoch s) | `Story.expires_at` (given, not derived; none in a `highlight:` reel) |
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
//! | user `id` / `pk_id` / `strong_id__` (exact digits), else `pk`; `username`, `full_name`, `profile_pic_url`, `is_verified`, `is_private` | `UserRef` (a disagreeing `pk` is drift `mismatch`; an id not all digits is unknown) |
//!
//! KeyAPI does not provide: a story permalink or cursor pagination (one page holds every active
//! story). The envelope's `code` decides the outcome, whatever the HTTP status: 0 → found (no
//! items, or `items: null` → empty; no items of an owner whose `additional_data.user.is_private`
//! is true → private account), 400 → bad request, 401 → unauthorized, 402 → out of
//! credits, 404 → not found, 429 → rate limited, 5xx → upstream failure; an error status
//! whose body is not JSON is read by its status.
//!
//! The body is read through this crate's own view, which holds only the fields above and
//! borrows their text from the body: any field may be missing, null or of another type and
//! reads as unknown. An item with no decimal `pk`, `id` or `strong_id__` is left out and reported as drift (the
//! answer stays found, even when no item is left); a success envelope without an `items` list
//! is unreadable.
//! The generated `keyapi_client` types stay the contract: the tests decode every documented
//! example both ways and compare (`tests/tests/it/views_agree.rs`).

use domain::tolerant::{Bool, Float, Id, Int, List, Obj, Present, Text};
use domain::{
    Answer, ArgForm, Drift, Failure, Link, MediaKind, NormalizeError, Normalized, Normalizer,
    Outcome, Page, Place, QueryKind, RawResponse, Rendition, Route, Source, Story, UserRef,
};
use serde::Deserialize;

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
    containers: &["/data", "/data/data", "/data/data/items"],
    normalize,
};

/// The envelope: `{code, message, data: {data: {count, items}}}`, read leniently.
#[derive(Debug, Default, Deserialize)]
struct Envelope<'a> {
    #[serde(default)]
    code: Int,
    #[serde(default, borrow)]
    message: Text<'a>,
    #[serde(default, borrow)]
    data: Obj<Outer<'a>>,
}

#[derive(Debug, Default, Deserialize)]
struct Outer<'a> {
    #[serde(default, borrow)]
    data: Obj<Reel<'a>>,
}

#[derive(Debug, Default, Deserialize)]
struct Reel<'a> {
    #[serde(default)]
    count: Int,
    /// Absent is not "no stories": a success without a list is unreadable. Null is empty.
    #[serde(default, borrow)]
    items: Present<List<Obj<Item<'a>>>>,
    #[serde(default, borrow)]
    additional_data: Obj<ReelOwner<'a>>,
    /// `highlight:<id>` for a highlight reel, whose items do not expire.
    #[serde(default, borrow)]
    id: Id<'a>,
    /// The raw reel's owner, where the envelope keeps it beside the items.
    #[serde(default, borrow)]
    user: Obj<User<'a>>,
}

/// The reel's `additional_data`: its owner (named in full where the items' own `user` is
/// often only `{pk, is_private}`, and whose `is_private` tells a private account's empty reel
/// from an empty one) and the reel's id.
#[derive(Debug, Default, Deserialize)]
struct ReelOwner<'a> {
    #[serde(default, borrow)]
    user: Obj<User<'a>>,
    #[serde(default, borrow)]
    id: Id<'a>,
}

/// The fields of a raw-API story item the model uses; every other field is skipped unread.
#[derive(Debug, Default, Deserialize)]
struct Item<'a> {
    #[serde(default, borrow)]
    pk: Id<'a>,
    #[serde(default, borrow)]
    id: Id<'a>,
    /// `<pk>_<owner pk>`, like `id`: exact digits where `pk` may have been rounded.
    #[serde(default, borrow)]
    strong_id__: Id<'a>,
    #[serde(default, borrow)]
    code: Text<'a>,
    #[serde(default, borrow)]
    owner: Obj<User<'a>>,
    #[serde(default, borrow)]
    user: Obj<User<'a>>,
    #[serde(default)]
    media_type: Int,
    #[serde(default)]
    taken_at: Int,
    #[serde(default)]
    expiring_at: Int,
    #[serde(default, borrow)]
    image_versions: Obj<ImageItems<'a>>,
    #[serde(default, borrow)]
    image_versions2: Obj<Candidates<'a>>,
    #[serde(default, borrow)]
    video_versions: List<Obj<Media<'a>>>,
    #[serde(default)]
    video_duration: Float,
    #[serde(default, borrow)]
    reel_mentions: List<Obj<Mention<'a>>>,
    #[serde(default, borrow)]
    story_hashtags: List<Obj<HashtagSticker<'a>>>,
    #[serde(default, borrow)]
    story_link_stickers: List<Obj<LinkSticker<'a>>>,
    #[serde(default, borrow)]
    story_cta: List<Obj<Cta<'a>>>,
    #[serde(default, borrow)]
    story_locations: List<Obj<LocationSticker<'a>>>,
    #[serde(default, borrow)]
    sponsor_tags: List<Obj<SponsorTag<'a>>>,
    #[serde(default)]
    is_paid_partnership: Bool,
    #[serde(default, borrow)]
    accessibility_caption: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
struct User<'a> {
    #[serde(default, borrow)]
    id: Id<'a>,
    #[serde(default, borrow)]
    pk: Id<'a>,
    /// The exact digits of `pk`, as a string.
    #[serde(default, borrow)]
    pk_id: Id<'a>,
    #[serde(default, borrow)]
    strong_id__: Id<'a>,
    #[serde(default, borrow)]
    username: Text<'a>,
    #[serde(default, borrow)]
    full_name: Text<'a>,
    #[serde(default, borrow)]
    profile_pic_url: Text<'a>,
    #[serde(default)]
    is_verified: Bool,
    #[serde(default)]
    is_private: Bool,
}

#[derive(Debug, Default, Deserialize)]
struct Media<'a> {
    #[serde(default, borrow)]
    url: Text<'a>,
    #[serde(default)]
    width: Int,
    #[serde(default)]
    height: Int,
}

#[derive(Debug, Default, Deserialize)]
struct ImageItems<'a> {
    #[serde(default, borrow)]
    items: List<Obj<Media<'a>>>,
}

#[derive(Debug, Default, Deserialize)]
struct Candidates<'a> {
    #[serde(default, borrow)]
    candidates: List<Obj<Media<'a>>>,
}

#[derive(Debug, Default, Deserialize)]
struct Mention<'a> {
    #[serde(default, borrow)]
    user: Obj<User<'a>>,
}

#[derive(Debug, Default, Deserialize)]
struct HashtagSticker<'a> {
    #[serde(default, borrow)]
    hashtag: Obj<Named<'a>>,
}

#[derive(Debug, Default, Deserialize)]
struct Named<'a> {
    #[serde(default, borrow)]
    name: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
struct LinkSticker<'a> {
    #[serde(default, borrow)]
    story_link: Obj<StoryLink<'a>>,
}

#[derive(Debug, Default, Deserialize)]
struct StoryLink<'a> {
    #[serde(default, borrow)]
    url: Text<'a>,
    #[serde(default, borrow)]
    link_title: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
struct Cta<'a> {
    #[serde(default, borrow)]
    links: List<Obj<CtaLink<'a>>>,
}

#[derive(Debug, Default, Deserialize)]
struct CtaLink<'a> {
    #[serde(default, borrow, rename = "webUri")]
    web_uri: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
struct LocationSticker<'a> {
    #[serde(default, borrow)]
    location: Obj<Location<'a>>,
}

#[derive(Debug, Default, Deserialize)]
struct Location<'a> {
    #[serde(default, borrow)]
    pk: Id<'a>,
    #[serde(default, borrow)]
    name: Text<'a>,
    #[serde(default)]
    lat: Float,
    #[serde(default)]
    lng: Float,
}

#[derive(Debug, Default, Deserialize)]
struct SponsorTag<'a> {
    #[serde(default, borrow)]
    sponsor: Obj<User<'a>>,
}

/// Where the items stand in the body, for drift paths.
const ITEMS_PATH: &str = "$.data.data.items";

/// Normalizes a saved or received response of `operation`.
pub fn normalize(operation: &str, raw: RawResponse<'_>) -> Result<Normalized, NormalizeError> {
    if operation != FETCH_USER_STORIES {
        return Err(NormalizeError::unknown_operation(
            VENDOR,
            operation,
            &[FETCH_USER_STORIES],
        ));
    }
    let decode_error =
        |message: String| NormalizeError::decode(VENDOR, operation, raw.status, message);
    let success = (200..300).contains(&raw.status);
    let envelope: Envelope<'_> = match serde_json::from_slice(raw.body) {
        Ok(e) => e,
        // An error page that is not JSON still says what happened through its status.
        Err(_) if !success => {
            return Ok(Normalized::clean(error_outcome(
                i64::from(raw.status),
                raw.retry_after_seconds,
                format!("HTTP {}", raw.status),
            )));
        }
        Err(e) => return Err(decode_error(e.to_string())),
    };
    let message = envelope.message.0.as_deref().unwrap_or_default().to_owned();
    // The envelope's code speaks even when the HTTP status says 200.
    match envelope.code.0 {
        Some(code) if code != 0 => {
            return Ok(Normalized::clean(error_outcome(
                code,
                raw.retry_after_seconds,
                message,
            )));
        }
        _ if !success => {
            return Ok(Normalized::clean(error_outcome(
                i64::from(raw.status),
                raw.retry_after_seconds,
                message,
            )));
        }
        _ => {}
    }
    let reel = envelope.data.0.and_then(|d| d.data.0).unwrap_or_default();
    let Some(items) = reel.items.0 else {
        return Err(decode_error(format!(
            "a success envelope without a `{}` list",
            &ITEMS_PATH[2..]
        )));
    };
    let mut drift = Drift::default();
    let mut stories = Vec::with_capacity(items.0.len());
    let owner_data = reel.additional_data.0.as_ref();
    let reel_user = reel
        .user
        .0
        .as_ref()
        .or_else(|| owner_data.and_then(|d| d.user.0.as_ref()));
    let reel_id = reel
        .id
        .as_str()
        .or_else(|| owner_data.and_then(|d| d.id.as_str()));
    let context = ReelContext {
        user: reel_user,
        highlight: reel_id.is_some_and(|id| id.starts_with("highlight:")),
    };
    for (i, item) in items.iter().enumerate() {
        match item
            .0
            .as_ref()
            .and_then(|item| story(item, &context, &mut drift))
        {
            Some(s) => stories.push(s),
            None => drift.skipped(format!("{ITEMS_PATH}[{i}]"), "no decimal `pk` or `id`"),
        }
    }
    // Items that could not be read are not "no stories": the answer stays found.
    let private = reel
        .additional_data
        .0
        .as_ref()
        .and_then(|d| d.user.0.as_ref())
        .and_then(|u| u.is_private.0)
        == Some(true);
    let outcome = if items.is_empty() && private {
        // Instagram shows nobody a private account's stories but its followers.
        Outcome::PrivateAccount
    } else if items.is_empty() {
        Outcome::Empty
    } else {
        Outcome::Found(Answer::Stories(Page {
            items: stories,
            next_cursor: None,
            total: reel.count.0.and_then(|n| u64::try_from(n).ok()),
        }))
    };
    Ok(Normalized::new(outcome, drift))
}

/// What an item's reel tells about all of its items.
struct ReelContext<'r, 'a> {
    /// The reel's owner, named in full.
    user: Option<&'r User<'a>>,
    /// A highlight reel (`highlight:<id>`): its items are kept, not expiring.
    highlight: bool,
}

/// The item's user, each field taken from it when it has it, else from the reel's owner.
fn owner_ref(
    item: Option<&User<'_>>,
    reel: Option<&User<'_>>,
    drift: &mut Drift,
) -> Option<UserRef> {
    let own = item.map(|u| user_ref(u, &format!("{ITEMS_PATH}[].user"), drift));
    let reel = reel.map(|u| user_ref(u, "$.data.data.user", drift));
    match (own, reel) {
        (Some(own), Some(reel)) => Some(own.filled_from(&reel)),
        (own, reel) => own.or(reel),
    }
}

/// The story's id: the exact digits of `id` (or `strong_id__`), `<pk>_<owner>`, before a `pk`
/// that may have come as a rounded number; a `pk` that disagrees is reported. `None` when no
/// form is all decimal digits (a redacted `"<pk>"` is no id).
fn story_id(item: &Item<'_>, drift: &mut Drift) -> Option<String> {
    let prefix = |id: &Id<'_>| {
        id.as_str()
            .and_then(|s| s.split('_').next())
            .and_then(domain::decimal_id)
            .map(str::to_owned)
    };
    let exact = prefix(&item.id).or_else(|| prefix(&item.strong_id__));
    let pk = item.pk.as_str().and_then(domain::decimal_id);
    match (exact, pk) {
        (Some(exact), Some(pk)) if exact != pk => {
            drift.record(format!("{ITEMS_PATH}[].pk"), domain::DriftKind::Mismatch);
            Some(exact)
        }
        (Some(exact), _) => Some(exact),
        (None, pk) => pk.map(str::to_owned),
    }
}

/// A user; its id the exact digits of a string form (`id`, `pk_id`, `strong_id__`) before a
/// `pk` that may have come as a rounded number, a disagreeing `pk` reported at `{at}.pk`. An id
/// that is not all digits is unknown.
fn user_ref(u: &User<'_>, at: &str, drift: &mut Drift) -> UserRef {
    let exact = [&u.id, &u.pk_id, &u.strong_id__]
        .into_iter()
        .find_map(|id| id.as_str().and_then(domain::decimal_id));
    let pk = u.pk.as_str().and_then(domain::decimal_id);
    if let (Some(exact), Some(pk)) = (exact, pk)
        && exact != pk
    {
        drift.record(format!("{at}.pk"), domain::DriftKind::Mismatch);
    }
    UserRef {
        id: exact.or(pk).map(str::to_owned),
        username: u.username.owned(),
        full_name: u.full_name.owned(),
        avatar_url: u.profile_pic_url.owned(),
        verified: u.is_verified.0,
        private: u.is_private.0,
    }
}

fn rendition(m: &Media<'_>) -> Option<Rendition> {
    let url = m.url.as_str().filter(|u| !u.is_empty())?;
    Some(Rendition::new(url, m.width.0, m.height.0))
}

/// One story item; `None` when it has no id to know it by.
fn story(item: &Item<'_>, reel: &ReelContext<'_, '_>, drift: &mut Drift) -> Option<Story> {
    let id = story_id(item, drift)?;
    let mut images: Vec<Rendition> = Vec::new();
    if let Some(v) = &item.image_versions.0 {
        images.extend(v.items.objects().filter_map(rendition));
    }
    if let Some(v) = &item.image_versions2.0 {
        images.extend(v.candidates.objects().filter_map(rendition));
    }
    let mut videos: Vec<Rendition> = item
        .video_versions
        .objects()
        .filter_map(rendition)
        .collect();
    images.sort_by_key(|r| std::cmp::Reverse(r.area()));
    videos.sort_by_key(|r| std::cmp::Reverse(r.area()));
    images.dedup_by(|a, b| a.url == b.url);
    videos.dedup_by(|a, b| a.url == b.url);
    let mut links: Vec<Link> = item
        .story_link_stickers
        .objects()
        .filter_map(|s| s.story_link.0.as_ref())
        .filter_map(|l| {
            Some(Link {
                url: l.url.owned()?,
                title: l.link_title.owned(),
            })
        })
        .collect();
    for url in item
        .story_cta
        .objects()
        .flat_map(|c| c.links.objects())
        .filter_map(|l| l.web_uri.as_str())
    {
        if !url.is_empty() && !links.iter().any(|k| k.url == url) {
            links.push(Link {
                url: url.to_owned(),
                title: None,
            });
        }
    }
    let kind = match item
        .media_type
        .0
        .map_or(MediaKind::Unknown, MediaKind::from_media_type)
    {
        // A photo with music is served as video; what the user downloads is the video.
        MediaKind::Image if !videos.is_empty() => MediaKind::Video,
        kind => kind,
    };
    let taken_at = item.taken_at.0.and_then(domain::from_epoch);
    let expiring_at = item
        .expiring_at
        .0
        .filter(|t| *t > 0)
        .and_then(domain::from_epoch);
    let owner = owner_ref(
        item.owner.0.as_ref().or(item.user.0.as_ref()),
        reel.user,
        drift,
    );
    // Only live stories expire: a highlight's items are kept.
    let expires_at = if reel.highlight {
        None
    } else {
        domain::story_expiry(expiring_at, taken_at)
    };
    let mentions = item
        .reel_mentions
        .objects()
        .filter_map(|m| m.user.0.as_ref())
        .map(|u| user_ref(u, &format!("{ITEMS_PATH}[].reel_mentions[].user"), drift))
        .collect();
    let sponsors = item
        .sponsor_tags
        .objects()
        .filter_map(|s| s.sponsor.0.as_ref())
        .map(|s| UserRef {
            avatar_url: None,
            private: None,
            ..user_ref(s, &format!("{ITEMS_PATH}[].sponsor_tags[].sponsor"), drift)
        })
        .collect();
    Some(Story {
        id,
        shortcode: item.code.owned(),
        owner,
        kind,
        taken_at,
        expires_at,
        images,
        videos,
        duration_seconds: item.video_duration.0.filter(|d| d.is_finite() && *d > 0.0),
        mentions,
        hashtags: item
            .story_hashtags
            .objects()
            .filter_map(|h| h.hashtag.0.as_ref()?.name.owned())
            .collect(),
        links,
        locations: item
            .story_locations
            .objects()
            .filter_map(|l| l.location.0.as_ref())
            .map(|l| Place {
                id: l.pk.owned(),
                name: l.name.0.as_deref().map(str::to_owned),
                latitude: l.lat.0,
                longitude: l.lng.0,
            })
            .collect(),
        sponsors,
        paid_partnership: item.is_paid_partnership.0,
        accessibility_caption: item.accessibility_caption.0.as_deref().map(str::to_owned),
        permalink: None,
        source: Source {
            vendor: VENDOR.into(),
            operation: FETCH_USER_STORIES.into(),
        },
    })
}

/// The outcome of an envelope whose code is not 0 (or of an error status without one).
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
