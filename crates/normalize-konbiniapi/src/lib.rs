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
//! | item `published` | `Story.taken_at`; `expires_at` = taken_at + 24 h, **derived** |
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

use domain::{
    Answer, ArgForm, Cover, Failure, Highlight, Link, MediaKind, NormalizeError, Normalizer,
    Outcome, QueryKind, RawResponse, Rendition, Route, Source, Story, UserRef,
};
use konbiniapi_client::types;

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
    normalize,
};

/// Normalizes a saved or received response of `operation`.
pub fn normalize(operation: &str, raw: RawResponse<'_>) -> Result<Outcome<Answer>, NormalizeError> {
    if operation != GET_HIGHLIGHT_STORIES {
        return Err(NormalizeError::unknown_operation(
            VENDOR,
            operation,
            &[GET_HIGHLIGHT_STORIES],
        ));
    }
    let decode_error =
        |message: String| NormalizeError::decode(VENDOR, operation, raw.status, message);
    if (200..300).contains(&raw.status) {
        let body: types::InstagramGetHighlightStoriesResponse =
            serde_json::from_slice(raw.body).map_err(|e| decode_error(e.to_string()))?;
        let highlight = highlight(&body);
        return Ok(Outcome::Found(Answer::Highlight(highlight)));
    }
    let error: Option<types::InstagramGetHighlightStoriesError> =
        serde_json::from_slice(raw.body).ok();
    Ok(error_outcome(
        raw.status,
        raw.retry_after_seconds,
        error.as_ref(),
    ))
}

fn source() -> Source {
    Source {
        vendor: VENDOR.into(),
        operation: GET_HIGHLIGHT_STORIES.into(),
    }
}

/// The highlight with all its items.
pub fn highlight(body: &types::InstagramGetHighlightStoriesResponse) -> Highlight {
    let data = &body.data;
    let items: Vec<Story> = data.ordered_items.iter().map(story).collect();
    let owner = items.iter().find_map(|s| s.owner.clone());
    Highlight {
        id: domain::highlight_id(&data.entity_id),
        title: data.name.clone(),
        owner,
        created_at: None,
        latest_item_at: items.iter().filter_map(|s| s.taken_at).max(),
        item_count: data.total_items.and_then(|n| u64::try_from(n).ok()),
        cover: data.image.first().map(|img| Cover {
            cropped: None,
            full: Some(Rendition::new(img.url.clone(), None, None)),
            media_id: None,
        }),
        pinned: None,
        item_ids: items.iter().map(|s| s.id.clone()).collect(),
        items,
        source: source(),
    }
}

/// One story item.
pub fn story(item: &types::InstagramStoryItem) -> Story {
    let mut images: Vec<Rendition> = item
        .image
        .iter()
        .map(|i| Rendition::new(i.url.clone(), i.width, i.height))
        .collect();
    let mut videos = Vec::new();
    let mut links = Vec::new();
    for attachment in &item.attachment {
        match attachment {
            types::InstagramStoryItemAttachmentItem::Attachment(a) => {
                for url in &a.url {
                    let mut r = Rendition::new(url.clone(), a.width, a.height);
                    r.mime_type.clone_from(&a.media_type);
                    let is_video = a.type_.eq_ignore_ascii_case("video")
                        || a.media_type
                            .as_deref()
                            .is_some_and(|m| m.starts_with("video/"));
                    if is_video {
                        videos.push(r)
                    } else {
                        images.push(r)
                    }
                }
            }
            types::InstagramStoryItemAttachmentItem::Link(l) => links.push(Link {
                url: l.href.clone(),
                title: l.rel.clone(),
            }),
        }
    }
    sort_largest_first(&mut images);
    sort_largest_first(&mut videos);
    let kind = match item.type_.as_str() {
        "Video" => MediaKind::Video,
        "Image" => MediaKind::Image,
        _ if !videos.is_empty() => MediaKind::Video,
        _ => MediaKind::Unknown,
    };
    Story {
        id: item.entity_id.clone(),
        shortcode: None,
        owner: item.attributed_to.as_ref().map(user),
        kind,
        taken_at: item.published,
        expires_at: domain::story_expiry(None, item.published),
        images,
        videos,
        duration_seconds: item.duration.filter(|d| d.is_finite() && *d >= 0.0),
        mentions: Vec::new(),
        hashtags: Vec::new(),
        links,
        locations: Vec::new(),
        sponsors: Vec::new(),
        paid_partnership: item.is_sponsored,
        accessibility_caption: item.summary.clone(),
        permalink: item.url.clone(),
        source: source(),
    }
}

fn sort_largest_first(renditions: &mut [Rendition]) {
    renditions.sort_by_key(|r| std::cmp::Reverse(r.area()));
}

fn user(u: &types::InstagramEmbeddedUser) -> UserRef {
    UserRef {
        id: Some(u.entity_id.clone()),
        username: Some(u.preferred_username.clone()),
        full_name: u.name.clone(),
        avatar_url: u.icon.as_ref().map(|i| i.url.clone()),
        verified: None,
        private: None,
    }
}

/// The outcome of an error response.
pub fn error_outcome<T>(
    status: u16,
    retry_after: Option<u64>,
    body: Option<&types::InstagramGetHighlightStoriesError>,
) -> Outcome<T> {
    use types::InstagramGetHighlightStoriesErrorErrorsItemCode as Code;
    let first = body.and_then(|b| b.errors.first());
    let message = first
        .map(|e| e.message.clone())
        .unwrap_or_else(|| format!("HTTP {status}"));
    let code = first.map(|e| &e.code);
    match status {
        404 if code == Some(&Code::RouteNotFound) => {
            Outcome::Failed(Failure::BadRequest { message })
        }
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
            Some(Code::CreditsExhausted) => Outcome::Failed(Failure::OutOfCredits),
            Some(Code::NotFound) => Outcome::NotFound,
            Some(
                Code::MissingApiKey
                | Code::InvalidApiKey
                | Code::ApiKeyDisabled
                | Code::ApiKeyExpired,
            ) => Outcome::Failed(Failure::Unauthorized { message }),
            _ => Outcome::Failed(Failure::BadRequest { message }),
        },
    }
}
