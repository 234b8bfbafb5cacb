//! SociaVault (Instagram web GraphQL shape) → the domain model.
//!
//! | SociaVault field (under `data`) | domain field |
//! |---|---|
//! | `highlights` (an object keyed `"0"`, `"1"`, …) | `Page<Highlight>.items`, in position order |
//! | highlight `id` | `Highlight.id` |
//! | highlight `title` | `Highlight.title` |
//! | highlight `cover_media_cropped_thumbnail.url` | `Highlight.cover.cropped` |
//! | highlight `cover_media.thumbnail_src` | `Highlight.cover.full` |
//! | highlight `owner` (id, username, profile_pic_url) | `Highlight.owner` |
//!
//! SociaVault does not provide: highlight items or item ids, item counts, creation or latest
//! item times, the pinned flag, the owner's full name, verified or private flags. `credits_used`
//! is accounting, not data. Errors: 400 → bad request, 401 → unauthorized, 402 → out of
//! credits, 404 → not found, 429 → rate limited, 5xx → upstream failure.

use domain::{
    Answer, ArgForm, Cover, Failure, Highlight, NormalizeError, Normalizer, Outcome, Page,
    QueryKind, RawResponse, Rendition, Route, Source, UserRef,
};
use sociavault_client::types;

/// The vendor's short name.
pub const VENDOR: &str = sociavault_client::VENDOR.name;
/// The operation this crate normalizes.
pub const STORY_HIGHLIGHTS: &str = "instagram_Story_Highlights";

/// What this crate normalizes and which questions it answers.
pub const NORMALIZER: Normalizer = Normalizer {
    vendor: VENDOR,
    routes: &[
        Route {
            kind: QueryKind::UserHighlightsByUsername,
            operation: STORY_HIGHLIGHTS,
            param: "handle",
            arg: ArgForm::AsGiven,
        },
        Route {
            kind: QueryKind::UserHighlightsById,
            operation: STORY_HIGHLIGHTS,
            param: "user_id",
            arg: ArgForm::AsGiven,
        },
    ],
    normalize,
};

/// Normalizes a saved or received response of `operation`.
pub fn normalize(operation: &str, raw: RawResponse<'_>) -> Result<Outcome<Answer>, NormalizeError> {
    if operation != STORY_HIGHLIGHTS {
        return Err(NormalizeError::unknown_operation(
            VENDOR,
            operation,
            &[STORY_HIGHLIGHTS],
        ));
    }
    if !(200..300).contains(&raw.status) {
        let body: Option<types::InstagramStoryHighlightsError> =
            serde_json::from_slice(raw.body).ok();
        return Ok(error_outcome(
            raw.status,
            raw.retry_after_seconds,
            body.as_ref(),
        ));
    }
    let body: types::InstagramStoryHighlightsResponse = serde_json::from_slice(raw.body)
        .map_err(|e| NormalizeError::decode(VENDOR, operation, raw.status, e))?;
    Ok(highlights(&body))
}

/// The highlights of the response, in the vendor's order.
pub fn highlights(body: &types::InstagramStoryHighlightsResponse) -> Outcome<Answer> {
    let mut entries: Vec<(
        &String,
        &types::InstagramStoryHighlightsResponseDataHighlightsValue,
    )> = body.data.highlights.iter().collect();
    // Keys are positions: "10" comes after "9".
    entries.sort_by_key(|(k, _)| (k.parse::<u64>().unwrap_or(u64::MAX), (*k).clone()));
    if entries.is_empty() {
        return Outcome::Empty;
    }
    let source = Source {
        vendor: VENDOR.into(),
        operation: STORY_HIGHLIGHTS.into(),
    };
    let items = entries
        .into_iter()
        .map(|(_, h)| highlight(h, &source))
        .collect();
    Outcome::Found(Answer::Highlights(Page::complete(items)))
}

fn highlight(
    h: &types::InstagramStoryHighlightsResponseDataHighlightsValue,
    source: &Source,
) -> Highlight {
    let rendition = |url: &str| (!url.is_empty()).then(|| Rendition::new(url, None, None));
    Highlight {
        id: domain::highlight_id(&h.id),
        title: Some(h.title.clone()),
        owner: Some(UserRef {
            id: Some(h.owner.id.clone()),
            username: Some(h.owner.username.clone()),
            full_name: None,
            avatar_url: Some(h.owner.profile_pic_url.clone()).filter(|u| !u.is_empty()),
            verified: None,
            private: None,
        }),
        created_at: None,
        latest_item_at: None,
        item_count: None,
        cover: Some(Cover {
            cropped: rendition(&h.cover_media_cropped_thumbnail.url),
            full: rendition(&h.cover_media.thumbnail_src),
            media_id: None,
        }),
        pinned: None,
        item_ids: Vec::new(),
        items: Vec::new(),
        source: source.clone(),
    }
}

/// The outcome of an error response.
pub fn error_outcome<T>(
    status: u16,
    retry_after: Option<u64>,
    body: Option<&types::InstagramStoryHighlightsError>,
) -> Outcome<T> {
    let message = body
        .map(|b| b.error.clone())
        .unwrap_or_else(|| format!("HTTP {status}"));
    match status {
        402 => Outcome::Failed(Failure::OutOfCredits),
        404 => Outcome::NotFound,
        429 => Outcome::Failed(Failure::RateLimited {
            retry_after_seconds: retry_after,
        }),
        401 | 403 => Outcome::Failed(Failure::Unauthorized { message }),
        500.. => Outcome::Failed(Failure::Upstream {
            status,
            message,
            refunded: None,
        }),
        _ => Outcome::Failed(Failure::BadRequest { message }),
    }
}
