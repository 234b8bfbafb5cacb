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
//!
//! The body is read through this crate's own view, which holds only the fields above and
//! borrows their text from the body; `highlights` may also come as a list. Any field may be
//! missing, null or of another type and reads as unknown. A highlight without `id` is left out
//! and reported as drift. The generated `sociavault_client` types stay the contract: the tests
//! decode every documented example both ways and compare (`tests/tests/it/views_agree.rs`).

use domain::tolerant::{Entries, Id, Int, Obj, Present, Text};
use domain::{
    Answer, ArgForm, Cover, Drift, Failure, Highlight, NormalizeError, Normalized, Normalizer,
    Outcome, Page, QueryKind, RawResponse, Rendition, Route, Source, UserRef,
};
use serde::Deserialize;

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
    containers: &["/data", "/data/highlights", "/data/highlights/0"],
    normalize,
};

#[derive(Debug, Default, Deserialize)]
struct Body<'a> {
    #[serde(default, borrow)]
    data: Obj<Data<'a>>,
    #[serde(default)]
    credits_used: Int,
}

#[derive(Debug, Default, Deserialize)]
struct Data<'a> {
    /// Absent is unreadable; null or `{}` is no highlights.
    #[serde(default, borrow)]
    highlights: Present<Entries<'a, Obj<HighlightView<'a>>>>,
}

/// Instagram's web `GraphHighlightReel`.
#[derive(Debug, Default, Deserialize)]
struct HighlightView<'a> {
    #[serde(default, borrow)]
    id: Id<'a>,
    #[serde(default, borrow)]
    title: Text<'a>,
    #[serde(default, borrow)]
    cover_media: Obj<CoverMedia<'a>>,
    #[serde(default, borrow)]
    cover_media_cropped_thumbnail: Obj<Thumbnail<'a>>,
    #[serde(default, borrow)]
    owner: Obj<Owner<'a>>,
}

#[derive(Debug, Default, Deserialize)]
struct CoverMedia<'a> {
    #[serde(default, borrow)]
    thumbnail_src: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
struct Thumbnail<'a> {
    #[serde(default, borrow)]
    url: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
struct Owner<'a> {
    #[serde(default, borrow)]
    id: Id<'a>,
    #[serde(default, borrow)]
    username: Text<'a>,
    #[serde(default, borrow)]
    profile_pic_url: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
struct ErrorBody<'a> {
    #[serde(default, borrow)]
    error: Text<'a>,
}

/// Normalizes a saved or received response of `operation`.
pub fn normalize(operation: &str, raw: RawResponse<'_>) -> Result<Normalized, NormalizeError> {
    if operation != STORY_HIGHLIGHTS {
        return Err(NormalizeError::unknown_operation(
            VENDOR,
            operation,
            &[STORY_HIGHLIGHTS],
        ));
    }
    if !(200..300).contains(&raw.status) {
        let body: ErrorBody<'_> = serde_json::from_slice(raw.body).unwrap_or_default();
        return Ok(Normalized::clean(error_outcome(
            raw.status,
            raw.retry_after_seconds,
            body.error.owned(),
        )));
    }
    let decode_error =
        |message: String| NormalizeError::decode(VENDOR, operation, raw.status, message);
    let body: Body<'_> =
        serde_json::from_slice(raw.body).map_err(|e| decode_error(e.to_string()))?;
    let Some(entries) = body.data.0.and_then(|d| d.highlights.0) else {
        return Err(decode_error(
            "a success body without `data.highlights`".to_owned(),
        ));
    };
    let mut entries = entries.0;
    // Keys are positions: "10" comes after "9".
    entries.sort_by(|(a, _), (b, _)| {
        (a.parse::<u64>().unwrap_or(u64::MAX), a).cmp(&(b.parse::<u64>().unwrap_or(u64::MAX), b))
    });
    let source = Source {
        vendor: VENDOR.into(),
        operation: STORY_HIGHLIGHTS.into(),
    };
    let mut drift = Drift::default();
    let mut items = Vec::with_capacity(entries.len());
    for (key, view) in &entries {
        match view.0.as_ref().and_then(|v| highlight(v, &source)) {
            Some(h) => items.push(h),
            None => drift.skipped(format!("$.data.highlights[\"{key}\"]"), "no decimal `id`"),
        }
    }
    let outcome = if entries.is_empty() {
        Outcome::Empty
    } else {
        Outcome::Found(Answer::Highlights(Page::complete(items)))
    };
    Ok(Normalized {
        outcome,
        drift,
        credits_used: body.credits_used.0.and_then(|n| u64::try_from(n).ok()),
    })
}

fn highlight(h: &HighlightView<'_>, source: &Source) -> Option<Highlight> {
    // `highlight:<digits>` or `<digits>`; anything else (a redacted id) is no id.
    let id = h.id.as_str().and_then(domain::decimal_id)?;
    let rendition = |url: Option<String>| url.map(|u| Rendition::new(u, None, None));
    let cropped = rendition(
        h.cover_media_cropped_thumbnail
            .0
            .as_ref()
            .and_then(|t| t.url.owned()),
    );
    let full = rendition(
        h.cover_media
            .0
            .as_ref()
            .and_then(|c| c.thumbnail_src.owned()),
    );
    Some(Highlight {
        id: domain::highlight_id(id),
        title: h.title.0.as_deref().map(str::to_owned),
        owner: h.owner.0.as_ref().map(|o| UserRef {
            id: o.id.owned(),
            username: o.username.owned(),
            full_name: None,
            avatar_url: o.profile_pic_url.owned(),
            verified: None,
            private: None,
        }),
        created_at: None,
        latest_item_at: None,
        item_count: None,
        cover: (cropped.is_some() || full.is_some()).then_some(Cover {
            cropped,
            full,
            media_id: None,
        }),
        pinned: None,
        item_ids: Vec::new(),
        items: Vec::new(),
        source: source.clone(),
    })
}

/// The outcome of an error response.
fn error_outcome<T>(status: u16, retry_after: Option<u64>, error: Option<String>) -> Outcome<T> {
    let message = error.unwrap_or_else(|| format!("HTTP {status}"));
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
