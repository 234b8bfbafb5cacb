//! KonbiniAPI (ActivityStreams 2.0) → the domain model.
//!
//! | KonbiniAPI field | domain field |
//! |---|---|
//! | `data.entityId` (`highlight:<n>`) | `Highlight.id` (`<n>`) |
//! | `data.name` | `Highlight.title` |
//! | `data.image[0].url` | `Highlight.cover.full` |
//! | `data.totalItems` | `Highlight.item_count` |
//! | `data.orderedItems[]` | `Highlight.items` |
//! | item `entityId` | `Story.id` |
//! | item `type` (`Image`/`Video`) | `Story.kind` |
//! | item `url` | `Story.permalink` |
//! | item `published` | `Story.taken_at`; no `expires_at`: a highlight's items are kept, not expiring |
//! | item `summary` | `Story.accessibility_caption` |
//! | item `isSponsored` | `Story.paid_partnership` |
//! | item `image[]` (url, width, height) | `Story.images` |
//! | item `attachment[]` of type `Video` (url[], mediaType, width, height) | `Story.videos` (one rendition per URL) |
//! | item `attachment[]` of type `Image` | `Story.images` |
//! | item `attachment[]` of type `Link` (href, rel) | `Story.links` (url, title = rel) |
//! | item `duration` | `Story.duration_seconds` |
//! | item `attributedTo` (entityId, preferredUsername, name, icon.url) | `Story.owner`, `Highlight.owner` (from the first item) |
//!
//! KonbiniAPI does not provide: the story shortcode, mentions, hashtags, locations, sponsor
//! accounts, verified/private flags of the author, the highlight's creation time, pinned flag
//! or cover crop. Error bodies (`errors[].code`) map to outcomes: `not_found` → not found,
//! `credits_exhausted` → out of credits, `missing_api_key`/`invalid_api_key`/`api_key_*` →
//! unauthorized, `validation_error`/`route_not_found` → bad request, 5xx → upstream failure
//! (refunded, as KonbiniAPI documents).
//!
//! The body is read through this crate's own view, which holds only the fields above and
//! borrows their text from the body. KonbiniAPI declares its schema, and the generated
//! `konbiniapi_client` types keep its `required` fields; a response that breaks it on a field
//! the model does not need still normalizes (the drift report says what broke). A story item
//! without `entityId` is left out and reported; a highlight without one is unreadable. The
//! tests decode every documented example both ways and compare (`tests/tests/it/views_agree.rs`).

use domain::tolerant::{Bool, Float, Id, Int, List, Obj, Text, When};
use domain::{
    Answer, ArgForm, Cover, Drift, Failure, Highlight, Link, MediaKind, NormalizeError, Normalized,
    Normalizer, Outcome, QueryKind, RawResponse, Rendition, Route, Source, Story, UserRef,
};
use serde::Deserialize;

/// The vendor's short name.
pub const VENDOR: &str = konbiniapi_client::VENDOR.name;
/// The operation this crate normalizes.
pub const GET_HIGHLIGHT_STORIES: &str = "instagramGetHighlightStories";

/// What this crate normalizes and which questions it answers.
pub const NORMALIZER: Normalizer = Normalizer {
    vendor: VENDOR,
    routes: &[Route {
        kind: QueryKind::HighlightItems,
        operation: GET_HIGHLIGHT_STORIES,
        param: "highlightId",
        arg: ArgForm::AsGiven,
    }],
    containers: &["/data", "/data/entityId", "/data/orderedItems"],
    normalize,
};

#[derive(Debug, Default, Deserialize)]
struct Body<'a> {
    #[serde(default, borrow)]
    data: Obj<Collection<'a>>,
}

/// The ActivityStreams `OrderedCollection` of one highlight.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Collection<'a> {
    #[serde(default, borrow)]
    entity_id: Id<'a>,
    #[serde(default, borrow)]
    name: Text<'a>,
    #[serde(default, borrow)]
    image: List<Obj<ImageView<'a>>>,
    #[serde(default)]
    total_items: Int,
    #[serde(default, borrow)]
    ordered_items: List<Obj<ItemView<'a>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ItemView<'a> {
    #[serde(default, borrow)]
    entity_id: Id<'a>,
    #[serde(default, borrow, rename = "type")]
    kind: Text<'a>,
    #[serde(default, borrow)]
    url: Text<'a>,
    #[serde(default)]
    published: When,
    #[serde(default, borrow)]
    summary: Text<'a>,
    #[serde(default)]
    is_sponsored: Bool,
    #[serde(default, borrow)]
    image: List<Obj<ImageView<'a>>>,
    #[serde(default, borrow)]
    attachment: List<Obj<AttachmentView<'a>>>,
    #[serde(default)]
    duration: Float,
    #[serde(default, borrow)]
    attributed_to: Obj<PersonView<'a>>,
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

/// A media attachment (`url: [...]`, `mediaType`, size) or a `Link` sticker (`href`, `rel`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AttachmentView<'a> {
    #[serde(default, borrow, rename = "type")]
    kind: Text<'a>,
    #[serde(default, borrow)]
    url: List<Text<'a>>,
    #[serde(default, borrow)]
    media_type: Text<'a>,
    #[serde(default)]
    width: Int,
    #[serde(default)]
    height: Int,
    #[serde(default, borrow)]
    href: Text<'a>,
    #[serde(default, borrow)]
    rel: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PersonView<'a> {
    #[serde(default, borrow)]
    entity_id: Id<'a>,
    #[serde(default, borrow)]
    preferred_username: Text<'a>,
    #[serde(default, borrow)]
    name: Text<'a>,
    #[serde(default, borrow)]
    icon: Obj<ImageView<'a>>,
}

/// `{"errors": [{"code", "message"}], "data": null}`.
#[derive(Debug, Default, Deserialize)]
struct ErrorBody<'a> {
    #[serde(default, borrow)]
    errors: List<Obj<ErrorView<'a>>>,
}

#[derive(Debug, Default, Deserialize)]
struct ErrorView<'a> {
    #[serde(default, borrow)]
    code: Text<'a>,
    #[serde(default, borrow)]
    message: Text<'a>,
}

/// Normalizes a saved or received response of `operation`.
pub fn normalize(operation: &str, raw: RawResponse<'_>) -> Result<Normalized, NormalizeError> {
    if operation != GET_HIGHLIGHT_STORIES {
        return Err(NormalizeError::unknown_operation(
            VENDOR,
            operation,
            &[GET_HIGHLIGHT_STORIES],
        ));
    }
    let decode_error =
        |message: String| NormalizeError::decode(VENDOR, operation, raw.status, message);
    if !(200..300).contains(&raw.status) {
        let body: ErrorBody<'_> = serde_json::from_slice(raw.body).unwrap_or_default();
        return Ok(Normalized::clean(error_outcome(
            raw.status,
            raw.retry_after_seconds,
            body.errors.objects().next(),
        )));
    }
    let body: Body<'_> =
        serde_json::from_slice(raw.body).map_err(|e| decode_error(e.to_string()))?;
    let collection = body
        .data
        .0
        .ok_or_else(|| decode_error("a success body without `data`".to_owned()))?;
    let mut drift = Drift::default();
    let highlight = highlight(&collection, &mut drift)
        .ok_or_else(|| decode_error("the highlight has no `entityId`".to_owned()))?;
    Ok(Normalized::new(
        Outcome::Found(Answer::Highlight(highlight)),
        drift,
    ))
}

fn source() -> Source {
    Source {
        vendor: VENDOR.into(),
        operation: GET_HIGHLIGHT_STORIES.into(),
    }
}

/// The highlight with all its items; `None` without an id. Items without one are skipped.
fn highlight(data: &Collection<'_>, drift: &mut Drift) -> Option<Highlight> {
    let id = data.entity_id.as_str().and_then(domain::decimal_id)?;
    let mut items = Vec::with_capacity(data.ordered_items.0.len());
    for (i, item) in data.ordered_items.iter().enumerate() {
        match item.0.as_ref().and_then(story) {
            Some(s) => items.push(s),
            None => drift.skipped(format!("$.data.orderedItems[{i}]"), "no decimal `entityId`"),
        }
    }
    // The highlight's owner is its items' author; an item that names only part of the author
    // takes the rest from the first that names more.
    let owner = items
        .iter()
        .filter_map(|s| s.owner.clone())
        .max_by_key(|o| usize::from(o.username.is_some()) + usize::from(o.full_name.is_some()));
    if let Some(full) = &owner {
        for item in &mut items {
            item.owner = Some(item.owner.take().unwrap_or_default().filled_from(full));
        }
    }
    Some(Highlight {
        id: domain::highlight_id(id),
        title: data.name.0.as_deref().map(str::to_owned),
        owner,
        created_at: None,
        latest_item_at: items.iter().filter_map(|s| s.taken_at).max(),
        item_count: data.total_items.0.and_then(|n| u64::try_from(n).ok()),
        cover: data.image.objects().find_map(|img| {
            Some(Cover {
                cropped: None,
                full: Some(Rendition::new(img.url.owned()?, None, None)),
                media_id: None,
            })
        }),
        pinned: None,
        item_ids: items.iter().map(|s| s.id.clone()).collect(),
        items,
        source: source(),
    })
}

/// One story item; `None` without an id.
fn story(item: &ItemView<'_>) -> Option<Story> {
    let id = item
        .entity_id
        .as_str()
        .and_then(domain::decimal_id)?
        .to_owned();
    let mut images: Vec<Rendition> = item
        .image
        .objects()
        .filter_map(|i| Some(Rendition::new(i.url.owned()?, i.width.0, i.height.0)))
        .collect();
    let mut videos = Vec::new();
    let mut links = Vec::new();
    for a in item.attachment.objects() {
        let kind = a.kind.as_str().unwrap_or_default();
        if kind.eq_ignore_ascii_case("link") || a.href.as_str().is_some() {
            if let Some(url) = a.href.owned() {
                links.push(Link {
                    url,
                    title: a.rel.owned(),
                });
            }
            continue;
        }
        let mime = a.media_type.owned();
        let is_video = kind.eq_ignore_ascii_case("video")
            || mime.as_deref().is_some_and(|m| m.starts_with("video/"));
        for url in a.url.iter().filter_map(Text::owned) {
            let mut r = Rendition::new(url, a.width.0, a.height.0);
            r.mime_type.clone_from(&mime);
            if is_video {
                videos.push(r);
            } else {
                images.push(r);
            }
        }
    }
    sort_largest_first(&mut images);
    sort_largest_first(&mut videos);
    let kind = match item.kind.as_str() {
        Some("Video") => MediaKind::Video,
        Some("Image") => MediaKind::Image,
        _ if !videos.is_empty() => MediaKind::Video,
        _ => MediaKind::Unknown,
    };
    let published = item.published.0;
    Some(Story {
        id,
        shortcode: None,
        owner: item.attributed_to.0.as_ref().map(user),
        kind,
        taken_at: published,
        // This vendor's only route reads a highlight: its items are kept, not expiring.
        expires_at: None,
        images,
        videos,
        duration_seconds: item.duration.0.filter(|d| d.is_finite() && *d >= 0.0),
        mentions: Vec::new(),
        hashtags: Vec::new(),
        links,
        locations: Vec::new(),
        sponsors: Vec::new(),
        paid_partnership: item.is_sponsored.0,
        accessibility_caption: item.summary.0.as_deref().map(str::to_owned),
        permalink: item.url.owned(),
        source: source(),
    })
}

fn sort_largest_first(renditions: &mut [Rendition]) {
    renditions.sort_by_key(|r| std::cmp::Reverse(r.area()));
}

fn user(u: &PersonView<'_>) -> UserRef {
    UserRef {
        id: u.entity_id.owned(),
        username: u.preferred_username.owned(),
        full_name: u.name.owned(),
        avatar_url: u.icon.0.as_ref().and_then(|i| i.url.owned()),
        verified: None,
        private: None,
    }
}

/// The outcome of an error response, from its status and its first error's code.
fn error_outcome<T>(
    status: u16,
    retry_after: Option<u64>,
    error: Option<&ErrorView<'_>>,
) -> Outcome<T> {
    let message = error
        .and_then(|e| e.message.owned())
        .unwrap_or_else(|| format!("HTTP {status}"));
    let code = error.and_then(|e| e.code.as_str()).unwrap_or_default();
    match status {
        404 if code == "route_not_found" => Outcome::Failed(Failure::BadRequest { message }),
        404 => Outcome::NotFound,
        402 => Outcome::Failed(Failure::OutOfCredits),
        401 | 403 => Outcome::Failed(Failure::Unauthorized { message }),
        429 => Outcome::Failed(Failure::RateLimited {
            retry_after_seconds: retry_after,
        }),
        // KonbiniAPI refunds 5xx and upstream failures.
        500.. => Outcome::Failed(Failure::Upstream {
            status,
            message,
            refunded: Some(true),
        }),
        _ => match code {
            "credits_exhausted" => Outcome::Failed(Failure::OutOfCredits),
            "not_found" => Outcome::NotFound,
            "missing_api_key" | "invalid_api_key" | "api_key_disabled" | "api_key_expired" => {
                Outcome::Failed(Failure::Unauthorized { message })
            }
            _ => Outcome::Failed(Failure::BadRequest { message }),
        },
    }
}
