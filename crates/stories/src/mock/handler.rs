//! Answering one request: the ledger, media, or a vendor's route with its faults, auth check,
//! magic inputs and credit headers.

use std::sync::{Arc, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use futures::StreamExt;

use super::faults::Fault;
use super::live::AccountKey;
use super::rendered::{Rendered, expiry_now};
use super::routes::{Vendor, argument, magic, matches};
use super::{MOCK_KEY, Shared};

pub(super) fn json_response(status: u16, body: Vec<u8>) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// A rendered answer with a fresh media expiry.
pub(super) fn answer(status: u16, rendered: &Rendered) -> Response {
    json_response(status, rendered.body(&expiry_now()))
}

/// The mock's own complaint (no such vendor or endpoint), not a vendor's.
pub(super) fn complaint(message: &str) -> Response {
    json_response(
        404,
        serde_json::to_vec(&serde_json::json!({ "error": message })).unwrap_or_default(),
    )
}

pub(super) fn authorized(vendor: &Vendor, headers: &HeaderMap) -> bool {
    let Some(name) = vendor.auth.header_name() else {
        return true;
    };
    let expected = vendor.auth.header_value(MOCK_KEY);
    headers.get(name).and_then(|v| v.to_str().ok()) == Some(expected.as_str())
}

pub(super) async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or("").to_owned();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments == ["_mock", "ledger"] {
        return match &shared.live {
            Some(live) => {
                json_response(200, serde_json::to_vec(&live.ledger()).unwrap_or_default())
            }
            None => complaint("the ledger is kept only by a live mock (`stories mock --live`)"),
        };
    }
    if segments.first() == Some(&"media") {
        let with_key = shared.vendors.values().any(|v| {
            v.auth
                .header_name()
                .is_some_and(|name| request.headers().contains_key(name))
        });
        let latency = {
            let mut f = shared.faults.lock().unwrap_or_else(PoisonError::into_inner);
            f.media += 1;
            f.media_with_keys += usize::from(with_key);
            f.latency
        };
        let stall = (*shared.media_stalled.borrow()).then(|| shared.media_stalled.subscribe());
        return media(&path, latency, stall);
    }
    let Some((vendor_name, rest)) = segments.split_first() else {
        return complaint("no vendor in path");
    };
    let Some((&vendor_name, vendor)) = shared.vendors.get_key_value(*vendor_name) else {
        return complaint(&format!("unknown vendor {vendor_name}"));
    };
    let (fault, latency) = {
        let mut f = shared.faults.lock().unwrap_or_else(PoisonError::into_inner);
        *f.hits.entry(vendor_name).or_default() += 1;
        let fault = match f.by_vendor.get_mut(vendor_name) {
            Some((_, Some(0))) | None => None,
            Some((fault, Some(n))) => {
                *n -= 1;
                Some(*fault)
            }
            Some((fault, None)) => Some(*fault),
        };
        (fault, f.latency)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let Some(route) = vendor
        .routes
        .iter()
        .find(|r| matches(r, request.method(), rest))
    else {
        return complaint(&format!("no such endpoint: {path}"));
    };
    let error = |status: u16| {
        route.errors.get(&status).map_or_else(
            || json_response(status, b"null".to_vec()),
            |r| answer(status, r),
        )
    };
    if !authorized(vendor, request.headers()) {
        return error(401);
    }
    match fault {
        Some(Fault::RateLimited {
            retry_after_seconds,
        }) => {
            let mut resp = error(429);
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_seconds));
            return resp;
        }
        Some(Fault::ServerError) => return error(500),
        Some(Fault::OutOfCredits) => return error(402),
        Some(Fault::WrongContentType) => {
            let mut resp = Response::new(Body::from("<html><body>502 Bad Gateway</body></html>"));
            resp.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            return resp;
        }
        Some(Fault::Truncated) => return json_response(200, route.truncated.clone()),
        Some(Fault::Drifted) | None => {}
    }
    // Magic inputs for trying the unhappy answers, on every route: `missing` (or the id `404`,
    // or a URL with a `/missing/` segment) is not found; `private` (the id `403`, a
    // `/private/` segment) is the vendor's documented private-account answer (HikerAPI's 403),
    // else the documented body as Instagram gives it for a private account: the account
    // flagged `is_private` and every list empty.
    if magic(&query, rest, "missing", "404") {
        return answer(route.missing.0, &route.missing.1);
    }
    if magic(&query, rest, "private", "403") {
        return answer(route.private.0, &route.private.1);
    }
    if route.bytes {
        return media("/media/0.mp4", Duration::ZERO, None);
    }
    if route.placeholder && route.live.is_none() {
        let why = format!(
            "the mock has no documented answer for {vendor_name} {path}: the vendor's docs show none"
        );
        // Under every key the vendors' normalizers read a message from.
        return json_response(
            501,
            serde_json::to_vec(
                &serde_json::json!({"code": 501, "message": why, "detail": why, "error": why}),
            )
            .unwrap_or_default(),
        );
    }
    if let (Some(live), Some((template, param))) = (&shared.live, &route.live) {
        let Some(input) = argument(param, &route.segments, rest, &query) else {
            return error(400);
        };
        let key = match template.by {
            domain::QueryKind::UserStoriesById => AccountKey::UserId(&input),
            _ => AccountKey::Username(&input),
        };
        let Some((account, user_id, posts)) = live.active(&key) else {
            return answer(route.missing.0, &route.missing.1);
        };
        shared
            .faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .polls
            .entry(account.clone())
            .or_default()
            .push(std::time::Instant::now());
        let body = template.answer(&account, &user_id, &posts, &shared.base);
        let mut resp = json_response(200, body);
        credit_headers(vendor, &mut resp);
        return resp;
    }
    let body = if fault == Some(Fault::Drifted) {
        &route.drifted
    } else {
        &route.ok
    };
    let mut resp = answer(200, body);
    credit_headers(vendor, &mut resp);
    resp
}

/// Vendors that report credits in headers do so on every answer.
pub(super) fn credit_headers(vendor: &Vendor, resp: &mut Response) {
    let credit_headers = [
        (vendor.credit_headers.remaining, "999"),
        (vendor.credit_headers.used, "1"),
    ];
    for (name, value) in credit_headers {
        if let Some(name) = name.and_then(|n| HeaderName::from_bytes(n.as_bytes()).ok()) {
            resp.headers_mut()
                .insert(name, HeaderValue::from_static(value));
        }
    }
}

/// The size of every stand-in media file.
pub const MEDIA_BYTES: usize = 64 * 1024;

/// Deterministic stand-in media bytes. With a latency set, they trickle out in eight chunks
/// over that time, so a download can be interrupted half-way; with `stall`, the chunks after
/// the first wait until it reads false.
pub(super) fn media(
    path: &str,
    latency: Duration,
    stall: Option<tokio::sync::watch::Receiver<bool>>,
) -> Response {
    let video = path.contains(".mp4");
    // A live story's renditions all serve the bytes of its id (`/media/live/<id>/…`), so the
    // ledger can give one checksum per story.
    let seed = match path.strip_prefix("/media/live/") {
        Some(rest) => super::live::media_seed(rest.split('/').next().unwrap_or_default()),
        None => super::live::media_seed(path),
    };
    let bytes = super::live::media_bytes(seed);
    let body = if latency.is_zero() && stall.is_none() {
        Body::from(bytes)
    } else {
        let chunks: Vec<Vec<u8>> = bytes.chunks(MEDIA_BYTES / 8).map(<[u8]>::to_vec).collect();
        let pause = latency / 8;
        Body::from_stream(futures::stream::iter(chunks.into_iter().enumerate()).then(
            move |(i, chunk)| {
                let mut stall = stall.clone();
                async move {
                    tokio::time::sleep(pause).await;
                    if i > 0
                        && let Some(stall) = &mut stall
                    {
                        // The sender lives as long as the server.
                        let _ = stall.wait_for(|stalled| !stalled).await;
                    }
                    Ok::<_, std::convert::Infallible>(chunk)
                }
            },
        ))
    };
    let mut resp = Response::new(body);
    resp.headers_mut().insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(MEDIA_BYTES as u64),
    );
    let kind = if video { "video/mp4" } else { "image/jpeg" };
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    resp
}
