//! HikerAPI (instagrapi shape) → the domain model.
//!
//! | HikerAPI field | domain field |
//! |---|---|
//! | `Story.id` prefix (`<pk>_<user pk>`, exact digits), else `pk` | `Story.id` (a disagreeing `pk` is drift `mismatch`; no decimal id skips the story) |
//! | `Story.code` | `Story.shortcode` |
//! | `Story.user` | `Story.owner` |
//! | `Story.media_type` (1, 2, 8) | `Story.kind` |
//! | `Story.taken_at` (ISO, `Z` or `+00:00`) | `Story.taken_at` (UTC); `expires_at` = taken_at + 24 h, **derived**, for live stories only (a highlight's items have none) |
//! | `Story.thumbnail_url` | `Story.images` (no size given) |
//! | `Story.video_url` | `Story.videos` (no size given) |
//! | `Story.video_duration` | `Story.duration_seconds` |
//! | `Story.mentions[].user` | `Story.mentions` |
//! | `Story.hashtags[].hashtag.name` | `Story.hashtags` |
//! | `Story.links[].webUri` | `Story.links` |
//! | `Story.locations[].location` (pk, name, lat, lng) | `Story.locations` |
//! | `Story.sponsor_tags[]` | `Story.sponsors` |
//! | `User.pk`, `username`, `full_name`, `profile_pic_url`, `is_verified`, `is_private` | `UserRef` |
//! | `Highlight.id` (`highlight:<n>`, exact digits), else `pk` | `Highlight.id` (a disagreeing `pk` is drift `mismatch`) |
//! | `Highlight.title`, `user`, `created_at`, `is_pinned_highlight` | `title`, `owner`, `created_at`, `pinned` |
//! | `Highlight.latest_reel_media` (epoch s) | `Highlight.latest_item_at` |
//! | `Highlight.media_count` | `Highlight.item_count` |
//! | `Highlight.cover_media` (cropped_image_version, full_image_version, media_id) | `Highlight.cover` |
//! | `Highlight.media_ids` (integers) | `Highlight.item_ids` (strings) |
//! | `Highlight.items[]` | `Highlight.items` |
//!
//! HikerAPI does not provide: rendition sizes of story media, the story's expiry, its
//! paid-partnership flag (only the sponsor accounts), accessibility caption or permalink.
//! Error statuses map to outcomes: 402 → out of credits, 403 → private account, 404 → not
//! found, 429 → rate limited, 401 → unauthorized, 5xx → upstream failure (not charged, so
//! refunded), other 4xx → bad request.
//!
//! Bodies are read through this crate's own views, which hold only the fields above and
//! borrow their text from the body: any field may be missing, null or of another type (ids
//! and timestamps are read as strings or numbers) and reads as unknown. A story or highlight
//! without `pk` or `id` is left out of a list and reported as drift (the answer stays found);
//! a single story or highlight without one is unreadable. The generated
//! `hikerapi_client` types stay the contract: the tests decode every documented example both
//! ways and compare.

use domain::tolerant::{Bool, Float, Id, Int, List, Obj, Text, When};
use domain::{
    Answer, ArgForm, Cover, Drift, Failure, Highlight, Link, MediaKind, NormalizeError, Normalized,
    Normalizer, Outcome, Page, Place, QueryKind, RawResponse, Rendition, Route, Source, Story,
    UserRef,
};
use serde::Deserialize;

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
    containers: &["/items"],
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

/// instagrapi's `Story`: the fields the model uses.
#[derive(Debug, Default, Deserialize)]
struct StoryView<'a> {
    #[serde(default, borrow)]
    pk: Id<'a>,
    #[serde(default, borrow)]
    id: Id<'a>,
    #[serde(default, borrow)]
    code: Text<'a>,
    #[serde(default)]
    taken_at: When,
    #[serde(default)]
    media_type: Int,
    #[serde(default, borrow)]
    thumbnail_url: Text<'a>,
    #[serde(default, borrow)]
    user: Obj<UserView<'a>>,
    #[serde(default, borrow)]
    video_url: Text<'a>,
    #[serde(default)]
    video_duration: Float,
    #[serde(default, borrow)]
    sponsor_tags: List<Obj<UserView<'a>>>,
    #[serde(default, borrow)]
    mentions: List<Obj<MentionView<'a>>>,
    #[serde(default, borrow)]
    hashtags: List<Obj<HashtagView<'a>>>,
    #[serde(default, borrow)]
    links: List<Obj<LinkView<'a>>>,
    #[serde(default, borrow)]
    locations: List<Obj<LocationSticker<'a>>>,
}

/// instagrapi's `UserShort`.
#[derive(Debug, Default, Deserialize)]
struct UserView<'a> {
    #[serde(default, borrow)]
    pk: Id<'a>,
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
struct MentionView<'a> {
    #[serde(default, borrow)]
    user: Obj<UserView<'a>>,
}

#[derive(Debug, Default, Deserialize)]
struct HashtagView<'a> {
    #[serde(default, borrow)]
    hashtag: Obj<NameView<'a>>,
}

#[derive(Debug, Default, Deserialize)]
struct NameView<'a> {
    #[serde(default, borrow)]
    name: Text<'a>,
}

/// instagrapi's `StoryLink {webUri}` (older payloads say `url`, `x_title`, `title`).
#[derive(Debug, Default, Deserialize)]
struct LinkView<'a> {
    #[serde(default, borrow, rename = "webUri")]
    web_uri: Text<'a>,
    #[serde(default, borrow)]
    url: Text<'a>,
    #[serde(default, borrow)]
    x_title: Text<'a>,
    #[serde(default, borrow)]
    title: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
struct LocationSticker<'a> {
    #[serde(default, borrow)]
    location: Obj<LocationView<'a>>,
}

#[derive(Debug, Default, Deserialize)]
struct LocationView<'a> {
    #[serde(default, borrow)]
    pk: Id<'a>,
    #[serde(default, borrow)]
    name: Text<'a>,
    #[serde(default)]
    lat: Float,
    #[serde(default)]
    lng: Float,
}

/// instagrapi's `Highlight`.
#[derive(Debug, Default, Deserialize)]
struct HighlightView<'a> {
    #[serde(default, borrow)]
    pk: Id<'a>,
    #[serde(default, borrow)]
    id: Id<'a>,
    #[serde(default, borrow)]
    title: Text<'a>,
    #[serde(default)]
    created_at: When,
    #[serde(default)]
    latest_reel_media: When,
    #[serde(default)]
    media_count: Int,
    #[serde(default)]
    is_pinned_highlight: Bool,
    #[serde(default, borrow)]
    user: Obj<UserView<'a>>,
    #[serde(default, borrow)]
    cover_media: Obj<CoverView<'a>>,
    #[serde(default, borrow)]
    media_ids: List<Id<'a>>,
    #[serde(default, borrow)]
    items: List<Obj<StoryView<'a>>>,
}

#[derive(Debug, Default, Deserialize)]
struct CoverView<'a> {
    #[serde(default, borrow)]
    cropped_image_version: Obj<ImageView<'a>>,
    #[serde(default, borrow)]
    full_image_version: Obj<ImageView<'a>>,
    #[serde(default, borrow)]
    media_id: Id<'a>,
}

#[derive(Debug, Default, Deserialize)]
struct ImageView<'a> {
    #[serde(default, borrow)]
    url: Text<'a>,
    #[serde(default)]
    width: Int,
    #[serde(default)]
    height: Int,
}

/// Normalizes a saved or received response of `operation`.
pub fn normalize(operation: &str, raw: RawResponse<'_>) -> Result<Normalized, NormalizeError> {
    let Some((op, shape)) = OPERATIONS.iter().find(|(id, _)| *id == operation) else {
        let known: Vec<&str> = OPERATIONS.iter().map(|(id, _)| *id).collect();
        return Err(NormalizeError::unknown_operation(VENDOR, operation, &known));
    };
    if !(200..300).contains(&raw.status) {
        return Ok(Normalized::clean(error_outcome(
            raw.status,
            raw.retry_after_seconds,
            raw.body,
        )));
    }
    let source = Source {
        vendor: VENDOR.into(),
        operation: (*op).into(),
    };
    let unreadable = |what: &str| NormalizeError::decode(VENDOR, op, raw.status, what);
    let mut drift = Drift::default();
    let answer = match shape {
        Shape::Story => {
            let view: StoryView<'_> = decode(op, &raw)?;
            Answer::Story(
                story(
                    &view,
                    &source,
                    &Standing {
                        at: "$",
                        highlight_owner: None,
                    },
                    &mut drift,
                )
                .ok_or_else(|| unreadable("the story has no decimal `pk` or `id`"))?,
            )
        }
        Shape::Highlight => {
            let view: HighlightView<'_> = decode(op, &raw)?;
            let h = highlight(&view, &source, "$", &mut drift)
                .ok_or_else(|| unreadable("the highlight has no decimal `pk` or `id`"))?;
            Answer::Highlight(h)
        }
        Shape::Stories => {
            let views: List<Obj<StoryView<'_>>> = decode_list(op, &raw)?;
            let mut ids = Drift::default();
            let place = Standing {
                at: "$",
                highlight_owner: None,
            };
            let items = identified(
                &views,
                &mut drift,
                "$",
                "no decimal `pk` or `id`",
                |_, v| story(v, &source, &place, &mut ids),
            );
            drift.merge(ids);
            if views.is_empty() {
                return Ok(Normalized::new(Outcome::Empty, drift));
            }
            Answer::Stories(Page::complete(items))
        }
        Shape::Highlights => {
            let views: List<Obj<HighlightView<'_>>> = decode_list(op, &raw)?;
            let mut inner = Drift::default();
            let items = identified(
                &views,
                &mut drift,
                "$",
                "no decimal `pk` or `id`",
                |i, v| {
                    // Each highlight reports its own skipped items under its index.
                    highlight(v, &source, &format!("$[{i}]"), &mut inner)
                },
            );
            drift.merge(inner);
            if views.is_empty() {
                return Ok(Normalized::new(Outcome::Empty, drift));
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
    Ok(Normalized::new(Outcome::Found(answer), drift))
}

fn decode<'a, T: Deserialize<'a>>(
    operation: &str,
    raw: &RawResponse<'a>,
) -> Result<T, NormalizeError> {
    serde_json::from_slice(raw.body)
        .map_err(|e| NormalizeError::decode(VENDOR, operation, raw.status, e))
}

/// A list answer must be a JSON array; `List` alone would read any other value as empty.
fn decode_list<'a, T: Deserialize<'a>>(
    operation: &str,
    raw: &RawResponse<'a>,
) -> Result<List<T>, NormalizeError> {
    let first = raw.body.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first != Some(b'[') {
        // Still parse, so a body that is not JSON at all says so.
        serde_json::from_slice::<serde::de::IgnoredAny>(raw.body)
            .map_err(|e| NormalizeError::decode(VENDOR, operation, raw.status, e))?;
        return Err(NormalizeError::decode(
            VENDOR,
            operation,
            raw.status,
            "expected a JSON list",
        ));
    }
    decode(operation, raw)
}

/// The items of `views` that `read` can identify; the others are skipped and reported under
/// `{at}[index]`.
fn identified<V, T>(
    views: &List<Obj<V>>,
    drift: &mut Drift,
    at: &str,
    reason: &str,
    mut read: impl FnMut(usize, &V) -> Option<T>,
) -> Vec<T> {
    let mut out = Vec::with_capacity(views.0.len());
    for (i, v) in views.iter().enumerate() {
        match v.0.as_ref().and_then(|v| read(i, v)) {
            Some(t) => out.push(t),
            None => drift.skipped(format!("{at}[{i}]"), reason),
        }
    }
    out
}

/// Where a story stands: in a list of live stories, or among a highlight's kept items (which
/// do not expire, and whose owner the highlight names), and where to report its id.
struct Standing<'p, 'a> {
    at: &'p str,
    highlight_owner: Option<&'p UserView<'a>>,
}

/// A story's id: the exact digits of `id` (`<pk>_<owner pk>`) before a `pk` that may have
/// come as a rounded number; a `pk` that disagrees is reported as `mismatch` drift at
/// `{at}[].pk`. `None` when no form is all decimal digits.
fn id_of(pk: &Id<'_>, id: &Id<'_>, at: &str, drift: &mut Drift) -> Option<String> {
    let exact = id
        .as_str()
        .and_then(|s| s.split('_').next())
        .and_then(domain::decimal_id);
    let pk = pk.as_str().and_then(domain::decimal_id);
    match (exact, pk) {
        (Some(exact), Some(pk)) if exact != pk => {
            drift.record(format!("{at}[].pk"), domain::DriftKind::Mismatch);
            Some(exact.to_owned())
        }
        (Some(exact), _) => Some(exact.to_owned()),
        (None, pk) => pk.map(str::to_owned),
    }
}

/// One story; `None` when it has no id to know it by.
fn story(
    s: &StoryView<'_>,
    source: &Source,
    place: &Standing<'_, '_>,
    drift: &mut Drift,
) -> Option<Story> {
    let id = id_of(&s.pk, &s.id, place.at, drift)?;
    let images = s
        .thumbnail_url
        .owned()
        .map(|u| Rendition::new(u, None, None))
        .into_iter()
        .collect();
    let videos = s
        .video_url
        .owned()
        .map(|u| Rendition::new(u, None, None))
        .into_iter()
        .collect();
    let taken_at = s.taken_at.0;
    Some(Story {
        id,
        shortcode: s.code.owned(),
        owner: owner(s.user.0.as_ref(), place.highlight_owner),
        kind: s
            .media_type
            .0
            .map_or(MediaKind::Unknown, MediaKind::from_media_type),
        taken_at,
        // Only live stories expire: a highlight's items are kept.
        expires_at: if place.highlight_owner.is_some() {
            None
        } else {
            domain::story_expiry(None, taken_at)
        },
        images,
        videos,
        duration_seconds: s.video_duration.0.filter(|d| d.is_finite() && *d > 0.0),
        mentions: s
            .mentions
            .objects()
            .filter_map(|m| m.user.0.as_ref())
            .map(user)
            .collect(),
        hashtags: s
            .hashtags
            .objects()
            .filter_map(|h| h.hashtag.0.as_ref()?.name.owned())
            .collect(),
        links: s.links.objects().filter_map(link).collect(),
        locations: s
            .locations
            .objects()
            .filter_map(|l| l.location.0.as_ref())
            .map(|l| Place {
                id: l.pk.owned(),
                name: l.name.0.as_deref().map(str::to_owned),
                latitude: l.lat.0,
                longitude: l.lng.0,
            })
            .collect(),
        // instagrapi states sponsors but no partnership flag; missing data stays missing.
        paid_partnership: None,
        sponsors: s.sponsor_tags.objects().map(user).collect(),
        accessibility_caption: None,
        permalink: None,
        source: source.clone(),
    })
}

/// One highlight, with its items when the call returned them; `None` without an id. Items
/// without an id are skipped and reported under `{at}.items[index]`.
fn highlight(
    h: &HighlightView<'_>,
    source: &Source,
    at: &str,
    drift: &mut Drift,
) -> Option<Highlight> {
    // `id` (`highlight:<n>`) is always a string, so its digits are exact; `pk` may be a number.
    let exact = h.id.as_str().and_then(domain::decimal_id);
    let pk = h.pk.as_str().and_then(domain::decimal_id);
    if let (Some(exact), Some(pk)) = (exact, pk)
        && exact != pk
    {
        drift.record(format!("{at}.pk"), domain::DriftKind::Mismatch);
    }
    let id = exact.or(pk)?.to_owned();
    let image = |i: &ImageView<'_>| {
        i.url
            .owned()
            .map(|url| Rendition::new(url, i.width.0, i.height.0))
    };
    let cover = h.cover_media.0.as_ref().map(|c| Cover {
        cropped: c.cropped_image_version.0.as_ref().and_then(image),
        full: c.full_image_version.0.as_ref().and_then(image),
        media_id: c.media_id.owned(),
    });
    let items_at = format!("{at}.items");
    // A highlight's owner names its items, whose own `user` is often only a `pk`; a highlight
    // without one still marks its items as kept.
    let placeholder = UserView::default();
    let place = Standing {
        at: &items_at,
        highlight_owner: Some(h.user.0.as_ref().unwrap_or(&placeholder)),
    };
    let mut ids = Drift::default();
    let items = identified(
        &h.items,
        drift,
        &items_at,
        "no decimal `pk` or `id`",
        |_, s| story(s, source, &place, &mut ids),
    );
    drift.merge(ids);
    Some(Highlight {
        id: domain::highlight_id(&id),
        title: h.title.0.as_deref().map(str::to_owned),
        owner: h.user.0.as_ref().map(user),
        created_at: h.created_at.0,
        latest_item_at: h.latest_reel_media.0,
        item_count: h.media_count.0.and_then(|n| u64::try_from(n).ok()),
        cover,
        pinned: h.is_pinned_highlight.0,
        item_ids: h.media_ids.iter().filter_map(Id::owned).collect(),
        items,
        source: source.clone(),
    })
}

/// The item's user, each field taken from it when it has it, else from the highlight's.
fn owner(item: Option<&UserView<'_>>, highlight: Option<&UserView<'_>>) -> Option<UserRef> {
    match (item.map(user), highlight.map(user)) {
        (Some(own), Some(h)) => Some(own.filled_from(&h)),
        (own, h) => own.or(h),
    }
}

fn user(u: &UserView<'_>) -> UserRef {
    UserRef {
        id: u.pk.owned(),
        username: u.username.owned(),
        full_name: u.full_name.owned(),
        avatar_url: u.profile_pic_url.owned(),
        verified: u.is_verified.0,
        private: u.is_private.0,
    }
}

fn link(l: &LinkView<'_>) -> Option<Link> {
    let url = l.web_uri.owned().or_else(|| l.url.owned())?;
    Some(Link {
        url,
        title: l.x_title.owned().or_else(|| l.title.owned()),
    })
}

/// The outcome of an error response; HikerAPI documents statuses, not bodies.
pub fn error_outcome<T>(status: u16, retry_after: Option<u64>, body: &[u8]) -> Outcome<T> {
    #[derive(Deserialize)]
    struct Detail<'a> {
        #[serde(default, borrow)]
        detail: Text<'a>,
        #[serde(default, borrow)]
        message: Text<'a>,
    }
    let detail = serde_json::from_slice::<Detail<'_>>(body)
        .ok()
        .and_then(|d| d.detail.owned().or_else(|| d.message.owned()));
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
