//! Reels the way Instagram sends them, not the way the docs show them: bodies written here in
//! the shapes real private-API reels take (items whose `user` is only `{pk, is_private}`, a
//! `pk` rounded by a JavaScript service beside its exact `id`, a redacted id, highlight reels
//! without `expiring_at`, dozens of undocumented fields and float-typed integers), in each
//! vendor's envelope where its shape allows the case.

use domain::{Answer, DriftKind, Outcome, Story};
use serde_json::{Value, json};

fn normalize(vendor: &str, operation: &str, body: &Value) -> domain::Normalized {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    stories::normalize(vendor, operation, domain::RawResponse::ok(&bytes))
        .unwrap_or_else(|e| panic!("{vendor} {operation}: {e}"))
}

fn stories_of(n: &domain::Normalized) -> Vec<Story> {
    match &n.outcome {
        Outcome::Found(Answer::Stories(page)) => page.items.clone(),
        Outcome::Found(Answer::Highlight(h)) => h.items.clone(),
        Outcome::Found(Answer::Highlights(page)) => {
            page.items.iter().flat_map(|h| h.items.clone()).collect()
        }
        other => panic!("not found: {other:?}"),
    }
}

fn has(n: &domain::Normalized, path: &str, kind: &DriftKind) -> bool {
    n.drift
        .entries
        .iter()
        .any(|e| e.path == path && &e.kind == kind)
}

/// A raw-API story item as `feed/user/{id}/reel_media` returns it: many fields no example
/// shows, numbers of other types than documented, and only `{pk, is_private}` as its user.
fn raw_item(pk: Value, id: &str, taken_at: i64, expiring: Option<i64>) -> Value {
    let mut item = json!({
        "taken_at": taken_at,
        "pk": pk,
        "id": id,
        "strong_id__": id,
        "device_timestamp": 1556812345123456_i64,
        "media_type": 1,
        "code": "BxMwQp3hKz1",
        "client_cache_key": "MjA0NjM5Njc2MzQxNzcyNTI5NQ==.2",
        "filter_type": 0,
        "is_unified_video": false,
        "should_request_ads": false,
        "caption_is_edited": false,
        "commerciality_status": "not_commercial",
        "fbid": 17998877665544332_i64,
        "rotation": 0.0,
        "story_bloks_stickers": [{"bloks_sticker": {"id": "bloks_1", "app_id": "com.bloks.www.sticker"}}],
        "music_metadata": null,
        "image_versions2": {"candidates": [
            {"width": 1080, "height": 1920, "url": "https://scontent-lhr8-1.cdninstagram.com/v/t51.2885-15/e35/a.jpg?oe=5CD0A1B2"},
            {"width": 640, "height": 1138, "url": "https://scontent-lhr8-1.cdninstagram.com/v/t51.2885-15/e35/b.jpg?oe=5CD0A1B2"}
        ]},
        "original_width": 1080,
        "original_height": 1920,
        "user": {"pk": 259220806, "is_private": false},
        "caption": null,
        "can_reshare": true,
        "supports_reel_reactions": true,
        "story_feed_media": [{"x": 0.5, "y": 0.5, "width": 0.8, "height": 0.4, "rotation": 0.0, "media_id": "2046000000000000000_1"}]
    });
    if let Some(at) = expiring {
        item["expiring_at"] = json!(at);
    }
    item
}

/// KeyAPI's envelope around a raw reel.
fn keyapi(reel_id: &str, items: Vec<Value>) -> Value {
    json!({
        "code": 0,
        "message": "success",
        "data": {"data": {
            "id": reel_id,
            "latest_reel_media": 1556812345,
            "seen": 0,
            "can_reply": true,
            "reel_type": "user_reel",
            "count": items.len(),
            "additional_data": {
                "id": reel_id,
                "user": {
                    "pk": "259220806",
                    "username": "rhea.tan",
                    "full_name": "Rhea Tan",
                    "profile_pic_url": "https://scontent-lhr8-1.cdninstagram.com/v/t51.2885-19/p.jpg",
                    "is_verified": true,
                    "is_private": false
                }
            },
            "items": items
        }}
    })
}

#[test]
fn keyapi_items_with_bare_users_take_the_reel_owner() {
    let body = keyapi(
        "259220806",
        vec![
            raw_item(
                json!(2046396763417725295_u64),
                "2046396763417725295_259220806",
                1556812345,
                Some(1556898745),
            ),
            raw_item(
                json!("2046396763417725296"),
                "2046396763417725296_259220806",
                1556812400,
                Some(1556898800),
            ),
        ],
    );
    let n = normalize("keyapi", "fetch_user_stories", &body);
    let stories = stories_of(&n);
    assert_eq!(stories.len(), 2);
    for s in &stories {
        let owner = s.owner.clone().unwrap_or_default();
        assert_eq!(owner.id.as_deref(), Some("259220806"));
        assert_eq!(owner.username.as_deref(), Some("rhea.tan"));
        assert_eq!(owner.full_name.as_deref(), Some("Rhea Tan"));
        assert_eq!(owner.verified, Some(true));
        assert_eq!(owner.private, Some(false), "the item's own flag stands");
    }
}

#[test]
fn keyapi_keeps_the_exact_digits_of_a_rounded_pk_and_reports_it() {
    // 2046396763417725295 through a JavaScript number: 2046396763417725200.
    let rounded: Value = serde_json::from_str("2046396763417725200").unwrap_or_default();
    let body = keyapi(
        "259220806",
        vec![raw_item(
            rounded,
            "2046396763417725295_259220806",
            1556812345,
            Some(1556898745),
        )],
    );
    let n = normalize("keyapi", "fetch_user_stories", &body);
    let stories = stories_of(&n);
    assert_eq!(stories[0].id, "2046396763417725295");
    assert!(
        has(&n, "$.data.data.items[].pk", &DriftKind::Mismatch),
        "{:?}",
        n.drift
    );
}

#[test]
fn keyapi_skips_an_item_whose_id_is_not_decimal() {
    let body = keyapi(
        "259220806",
        vec![
            raw_item(
                json!("<pk>"),
                "<pk>_<user_pk>",
                1556812345,
                Some(1556898745),
            ),
            raw_item(
                json!(3100000000111111111_u64),
                "3100000000111111111_259220806",
                1556812345,
                Some(1556898745),
            ),
        ],
    );
    let n = normalize("keyapi", "fetch_user_stories", &body);
    let stories = stories_of(&n);
    assert_eq!(stories.len(), 1);
    assert_eq!(stories[0].id, "3100000000111111111");
    assert_eq!(n.drift.skipped_items(), 1);
    assert!(
        n.drift
            .entries
            .iter()
            .any(|e| e.path == "$.data.data.items[0]")
    );
}

#[test]
fn keyapi_highlight_reel_items_do_not_expire() {
    let body = keyapi(
        "highlight:17912345678901234",
        vec![raw_item(
            json!(3100000000222222222_u64),
            "3100000000222222222_259220806",
            1556812345,
            None,
        )],
    );
    let n = normalize("keyapi", "fetch_user_stories", &body);
    let stories = stories_of(&n);
    assert_eq!(
        stories[0].expires_at, None,
        "derived expiry on a highlight item"
    );
    // A live reel without `expiring_at` still gets the derived one.
    let live = keyapi(
        "259220806",
        vec![raw_item(
            json!(3100000000222222222_u64),
            "3100000000222222222_259220806",
            1556812345,
            None,
        )],
    );
    let n = normalize("keyapi", "fetch_user_stories", &live);
    assert!(stories_of(&n)[0].expires_at.is_some_and(|e| e.derived));
}

#[test]
fn a_body_full_of_undocumented_fields_reports_a_bounded_drift() {
    let mut items = Vec::new();
    for i in 0..20_u64 {
        let mut item = raw_item(
            json!(3100000000300000000_u64 + i),
            &format!("{}_259220806", 3100000000300000000_u64 + i),
            1556812345,
            Some(1556898745),
        );
        for f in 0..80 {
            item[format!("undocumented_field_{f:02}")] = json!(f);
        }
        item["media_type"] = json!(1.0);
        items.push(item);
    }
    let body = keyapi("259220806", items);
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let n = stories::normalize_checked(
        "keyapi",
        "fetch_user_stories",
        domain::RawResponse::ok(&bytes),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stories_of(&n).len(), 20);
    assert!(
        n.drift.entries.len() <= domain::MAX_DRIFT_ENTRIES,
        "{}",
        n.drift.entries.len()
    );
    // Paths are aggregated per list: one entry per field, counted over the twenty items.
    assert!(
        n.drift.entries.iter().all(|e| !e.path.contains("items[1")),
        "{:?}",
        n.drift.entries.iter().map(|e| &e.path).collect::<Vec<_>>()
    );
    let left_out = n
        .drift
        .entries
        .iter()
        .find(|e| matches!(e.kind, DriftKind::LeftOut { .. }))
        .unwrap_or_else(|| panic!("no left_out entry: {:?}", n.drift));
    assert!(left_out.count >= 20);
}

/// A HikerAPI (instagrapi-shaped) story.
fn hiker_story(pk: Value, id: &str, user: Value) -> Value {
    json!({
        "pk": pk,
        "id": id,
        "code": "DVqfJWxkdTL",
        "taken_at": "2026-03-09T12:34:13Z",
        "media_type": 1,
        "product_type": "story",
        "thumbnail_url": "https://scontent-lax3-1.cdninstagram.com/v/t51.2885-15/s.jpg?oe=6B05CE3C",
        "user": user,
        "video_url": null,
        "mentions": null,
        "links": [],
        "hashtags": null,
        "locations": [],
        "stickers": [],
        "medias": [],
        "sponsor_tags": []
    })
}

#[test]
fn hikerapi_story_lists_keep_exact_ids_and_skip_redacted_ones() {
    let rounded: Value = serde_json::from_str("3772053608293416700").unwrap_or_default();
    let user = json!({"pk": "787132", "username": "natgeo", "full_name": "National Geographic"});
    let body = json!([
        hiker_story(rounded, "3772053608293416704_787132", user.clone()),
        hiker_story(json!("<pk>"), "<pk>_<user_pk>", user),
    ]);
    let n = normalize("hikerapi", "get_v1_user_stories_by_username", &body);
    let stories = stories_of(&n);
    assert_eq!(stories.len(), 1);
    assert_eq!(stories[0].id, "3772053608293416704");
    assert!(has(&n, "$[].pk", &DriftKind::Mismatch), "{:?}", n.drift);
    assert_eq!(n.drift.skipped_items(), 1);
    assert!(
        stories[0].expires_at.is_some_and(|e| e.derived),
        "a live story expires"
    );
}

#[test]
fn hikerapi_highlight_items_take_the_highlight_owner_and_do_not_expire() {
    let owner = json!({"pk": "787132", "username": "natgeo", "full_name": "National Geographic", "profile_pic_url": "https://scontent-lax3-1.cdninstagram.com/p.jpg", "is_verified": true});
    let body = json!({
        "pk": "17912345678901234",
        "id": "highlight:17912345678901234",
        "latest_reel_media": 1773059653,
        "cover_media": {"cropped_image_version": {"url": "https://scontent-lax3-1.cdninstagram.com/c.jpg", "width": 150, "height": 150}},
        "user": owner,
        "title": "Oceans",
        "created_at": "2025-11-23T09:44:11+02:00",
        "is_pinned_highlight": false,
        "media_count": 2,
        "media_ids": [3772053608293416704_u64, 3772053608293416705_u64],
        "items": [
            hiker_story(json!(3772053608293416704_u64), "3772053608293416704_787132", json!({"pk": 787132})),
            hiker_story(json!(3772053608293416705_u64), "3772053608293416705_787132", json!({"pk": "787132", "is_private": false}))
        ]
    });
    let n = normalize("hikerapi", "get_v1_highlight_by_url", &body);
    let stories = stories_of(&n);
    assert_eq!(stories.len(), 2);
    for s in &stories {
        assert_eq!(s.expires_at, None, "a highlight item does not expire");
        let o = s.owner.clone().unwrap_or_default();
        assert_eq!(o.username.as_deref(), Some("natgeo"));
        assert_eq!(o.full_name.as_deref(), Some("National Geographic"));
        assert_eq!(o.verified, Some(true));
    }
}

#[test]
fn konbiniapi_highlight_items_do_not_expire_and_need_decimal_ids() {
    let item = |id: &str| {
        json!({
            "type": "Image",
            "entityId": id,
            "published": "2026-03-09T12:34:13Z",
            "attachment": [{"type": "Image", "mediaType": "image/jpeg", "url": ["https://scontent.cdninstagram.com/i.jpg"], "width": 1080, "height": 1920}],
            "attributedTo": {"type": "Person", "entityId": "779085683", "preferredUsername": "kim.d"}
        })
    };
    let body = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "type": "OrderedCollection",
        "entityId": "highlight:17890000000000001",
        "name": "Trips",
        "totalItems": 2,
        "orderedItems": [item("3214260996432123580"), item("<redacted>")]
    });
    let body = json!({"data": body});
    let n = normalize("konbiniapi", "instagramGetHighlightStories", &body);
    let stories = stories_of(&n);
    assert_eq!(stories.len(), 1);
    assert_eq!(stories[0].expires_at, None);
    assert_eq!(n.drift.skipped_items(), 1);
}

#[test]
fn keyapi_user_ids_keep_their_exact_digits_too() {
    let mut item = raw_item(
        json!(3100000000444444444_u64),
        "3100000000444444444_259220806",
        1556812345,
        Some(1556898745),
    );
    let rounded: Value = serde_json::from_str("17841400008460056000").unwrap_or_default();
    item["reel_mentions"] = json!([{
        "x": 0.5, "y": 0.4, "width": 0.3, "height": 0.1, "rotation": 0.0,
        "user": {"pk": rounded, "pk_id": "17841400008460056", "username": "mentioned.one", "is_private": false}
    }, {
        "user": {"pk": "<pk>", "username": "redacted.one"}
    }]);
    let n = normalize(
        "keyapi",
        "fetch_user_stories",
        &keyapi("259220806", vec![item]),
    );
    let story = &stories_of(&n)[0];
    assert_eq!(story.mentions.len(), 2);
    assert_eq!(story.mentions[0].id.as_deref(), Some("17841400008460056"));
    assert_eq!(story.mentions[1].id, None, "a redacted id is no id");
    assert_eq!(story.mentions[1].username.as_deref(), Some("redacted.one"));
    assert!(
        has(
            &n,
            "$.data.data.items[].reel_mentions[].user.pk",
            &DriftKind::Mismatch
        ),
        "{:?}",
        n.drift
    );
}

#[test]
fn sociavault_skips_a_highlight_whose_id_is_not_decimal() {
    let reel = |id: &str| {
        json!({
            "id": id,
            "title": "Trips",
            "cover_media": {"thumbnail_src": "https://scontent.cdninstagram.com/t.jpg"},
            "cover_media_cropped_thumbnail": {"url": "https://scontent.cdninstagram.com/c.jpg"},
            "owner": {"id": "787132", "username": "natgeo", "profile_pic_url": "https://scontent.cdninstagram.com/p.jpg"},
            "__typename": "GraphHighlightReel"
        })
    };
    let body = json!({
        "success": true,
        "data": {"success": true, "highlights": {
            "0": reel("highlight:18154582366360931"),
            "1": reel("highlight:<id>"),
            "2": reel("17912345678901234")
        }},
        "credits_used": 1
    });
    let n = normalize("sociavault", "instagram_Story_Highlights", &body);
    let Outcome::Found(Answer::Highlights(page)) = &n.outcome else {
        panic!("{:?}", n.outcome);
    };
    let ids: Vec<&str> = page.items.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["18154582366360931", "17912345678901234"]);
    assert_eq!(n.drift.skipped_items(), 1);
}

#[test]
fn hikerapi_highlight_ids_keep_the_exact_digits_of_their_id_string() {
    let rounded: Value = serde_json::from_str("17912345678901235000").unwrap_or_default();
    let body = json!([{
        "pk": rounded,
        "id": "highlight:17912345678901234",
        "title": "Oceans",
        "user": {"pk": "787132", "username": "natgeo"},
        "media_count": 0,
        "items": []
    }]);
    let n = normalize("hikerapi", "get_v1_user_highlights", &body);
    let Outcome::Found(Answer::Highlights(page)) = &n.outcome else {
        panic!("{:?}", n.outcome);
    };
    assert_eq!(page.items[0].id, "17912345678901234");
    assert!(has(&n, "$[0].pk", &DriftKind::Mismatch), "{:?}", n.drift);
}
