//! The floor `stories normalize` is measured against: a process that reads a KeyAPI stories
//! answer and decodes, with plain serde structs borrowing from the bytes, only the ~20 fields
//! per item a normalizer needs, then prints how many items it read.
//!
//! `cargo run --release -p stories --example minimal_decode -- keyapi-5000.json`

use std::borrow::Cow;

use serde::Deserialize;

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    data: Option<Outer<'a>>,
}

#[derive(Deserialize)]
struct Outer<'a> {
    #[serde(borrow)]
    data: Option<Reel<'a>>,
}

#[derive(Deserialize)]
struct Reel<'a> {
    #[serde(borrow, default)]
    items: Vec<Item<'a>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Item<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    pk: Option<u64>,
    #[serde(borrow)]
    code: Option<Cow<'a, str>>,
    #[serde(borrow)]
    user: Option<User<'a>>,
    media_type: Option<i64>,
    taken_at: Option<i64>,
    expiring_at: Option<i64>,
    #[serde(borrow)]
    image_versions2: Option<Images<'a>>,
    #[serde(borrow, default)]
    video_versions: Option<Vec<Candidate<'a>>>,
    video_duration: Option<f64>,
    #[serde(borrow)]
    story_link_stickers: Option<Vec<LinkSticker<'a>>>,
    #[serde(borrow)]
    reel_mentions: Option<Vec<Mention<'a>>>,
    #[serde(borrow)]
    story_hashtags: Option<Vec<HashtagSticker<'a>>>,
    #[serde(borrow)]
    story_locations: Option<Vec<LocationSticker<'a>>>,
    #[serde(borrow)]
    sponsor_tags: Option<Vec<Sponsor<'a>>>,
    is_paid_partnership: Option<bool>,
    #[serde(borrow)]
    accessibility_caption: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct User<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    username: Option<Cow<'a, str>>,
    #[serde(borrow)]
    full_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    profile_pic_url: Option<Cow<'a, str>>,
    is_verified: Option<bool>,
    is_private: Option<bool>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct LinkSticker<'a> {
    #[serde(borrow)]
    story_link: Option<Link<'a>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Link<'a> {
    #[serde(borrow)]
    url: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Mention<'a> {
    #[serde(borrow)]
    user: Option<User<'a>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Sponsor<'a> {
    #[serde(borrow)]
    sponsor: Option<User<'a>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HashtagSticker<'a> {
    #[serde(borrow)]
    hashtag: Option<Hashtag<'a>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Hashtag<'a> {
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct LocationSticker<'a> {
    #[serde(borrow)]
    location: Option<Location<'a>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Location<'a> {
    pk: Option<u64>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    lat: Option<f64>,
    lng: Option<f64>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Images<'a> {
    #[serde(borrow, default)]
    candidates: Vec<Candidate<'a>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Candidate<'a> {
    #[serde(borrow)]
    url: Option<Cow<'a, str>>,
    width: Option<i64>,
    height: Option<i64>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("give a file")?;
    let bytes = std::fs::read(path)?;
    let envelope: Envelope<'_> = serde_json::from_slice(&bytes)?;
    let items = envelope
        .data
        .and_then(|d| d.data)
        .map_or(0, |r| r.items.len());
    println!("{items}");
    Ok(())
}
