//! A crate of your own on this workspace's libraries: one vendor's typed client, then the same
//! call normalized to the vendor-neutral domain model. The README shows this file as it is, and
//! `tests/it/library.rs` runs it against the mock and checks the README shows it unchanged.
//!
//! ```sh
//! eval "$(stories mock --detach)"    # exports STORIES_KONBINIAPI_KEY and STORIES_KONBINIAPI_URL
//! cargo run -q -p stories --example library
//! ```
//!
//! Its `Cargo.toml` needs `konbiniapi-client`, `domain` and `stories` (paths into this
//! workspace) and `tokio` with the `macros` and `rt-multi-thread` features.

use domain::{Answer, Outcome};
use konbiniapi_client::{BASE_URL, Client, FromApiKey, HttpOptions, VENDOR};

/// One error type for `?`: every error below (client build, transport, vendor error body,
/// normalization) converts into it.
type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    // The key is a plain `&str`. `STORIES_KONBINIAPI_URL` points the client elsewhere, such as
    // the mock `stories mock` starts (`http://` works as well as `https://`).
    let key = std::env::var("STORIES_KONBINIAPI_KEY")?;
    let base_url = std::env::var("STORIES_KONBINIAPI_URL").unwrap_or_else(|_| BASE_URL.to_owned());
    println!("{}", highlight(&base_url, &key, "17890000000000001").await?);
    Ok(())
}

/// The items of one highlight, asked twice: typed, then normalized.
pub async fn highlight(base_url: &str, key: &str, id: &str) -> Result<String, Error> {
    // Typed: the vendor's own types, its error envelope included, and its headers.
    let client = Client::with_api_key(base_url, key)?;
    let reply = client
        .instagram_get_highlight_stories()
        .highlight_id(id)
        .send()
        .await?;
    let credits_left = reply
        .headers()
        .get("x-credits-remaining")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("?")
        .to_owned();
    let typed_items = reply.into_inner().data.ordered_items.len();

    // Normalized: the same operation called raw by its id, its bytes read once into the
    // domain model, the same for every vendor.
    let http = VENDOR.http_client(key, &HttpOptions::default())?;
    let raw = VENDOR
        .call(&http, base_url, "instagramGetHighlightStories")?
        .arg("highlightId", id)?
        .send()
        .await?;
    let normalized = stories::normalize_reply(VENDOR.name, "instagramGetHighlightStories", &raw)?;
    let Outcome::Found(Answer::Highlight(highlight)) = normalized.outcome else {
        return Err(format!("no highlight: {}", normalized.outcome.tag()).into());
    };
    let first = highlight
        .items
        .first()
        .map(|s| s.id.as_str())
        .unwrap_or("-");
    Ok(format!(
        "{typed_items} items ({credits_left} credits left); highlight {} {:?}: first story {first}",
        highlight.id,
        highlight.title.unwrap_or_default()
    ))
}
