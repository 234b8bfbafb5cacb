//! One HTTP call of one vendor operation through its generated client, reduced to what the
//! normalizers and the router need: status, credit headers, body bytes — or why no response
//! came back.

use reqwest::header::HeaderMap;

use crate::config::VendorConfig;
use crate::query::{Query, User};

/// A response, whatever its status.
#[derive(Debug)]
pub struct Raw {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Why no usable response came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trouble {
    Timeout,
    Transport(String),
    /// The body was not what the vendor documents (truncated, wrong content type).
    Malformed(String),
}

/// The URL HikerAPI's highlight-by-URL operation takes for a highlight id.
fn highlight_url(id: &str) -> String {
    format!("https://www.instagram.com/stories/highlights/{id}/")
}

macro_rules! send {
    ($krate:ident, $vendor:expr, $timeout:expr, $op:ident $(, $set:ident = $val:expr)*) => {{
        let http = $krate::Client::http_client_with_api_key($vendor.key.expose(), $timeout)
            .map_err(|e| Trouble::Transport(e.to_string()))?;
        let client = $krate::Client::new_with_client(&$vendor.base_url, http);
        match client.$op()$(.$set($val))*.send().await {
            Ok(r) => {
                let status = r.status().as_u16();
                let headers = r.headers().clone();
                let body = serde_json::to_vec(&r.into_inner()).map_err(|e| Trouble::Malformed(e.to_string()))?;
                Ok(Raw { status, headers, body })
            }
            Err($krate::Error::ErrorResponse(r)) => {
                let status = r.status().as_u16();
                let headers = r.headers().clone();
                let body = serde_json::to_vec(&r.into_inner()).map_err(|e| Trouble::Malformed(e.to_string()))?;
                Ok(Raw { status, headers, body })
            }
            Err($krate::Error::UnexpectedResponse(r)) => {
                let status = r.status().as_u16();
                let headers = r.headers().clone();
                let body = r.bytes().await.map_err(|e| Trouble::Transport(e.to_string()))?.to_vec();
                Ok(Raw { status, headers, body })
            }
            Err($krate::Error::CommunicationError(e)) | Err($krate::Error::ResponseBodyError(e)) => {
                Err(if e.is_timeout() { Trouble::Timeout } else { Trouble::Transport(e.without_url().to_string()) })
            }
            Err($krate::Error::InvalidResponsePayload(_, e)) => Err(Trouble::Malformed(e.to_string())),
            Err(other) => Err(Trouble::Malformed(other.to_string())),
        }
    }};
}

/// Sends `query` to `vendor` through `operation`.
pub async fn send(
    vendor: &VendorConfig,
    query: &Query,
    timeout: std::time::Duration,
) -> Result<Raw, Trouble> {
    match (vendor.name, query) {
        ("hikerapi", Query::UserStories(User::Username(u))) => {
            send!(
                hikerapi_client,
                vendor,
                timeout,
                get_v1_user_stories_by_username,
                username = u.as_str()
            )
        }
        ("hikerapi", Query::UserStories(User::Id(id))) => send!(
            hikerapi_client,
            vendor,
            timeout,
            get_v1_user_stories,
            user_id = id.as_str()
        ),
        ("hikerapi", Query::UserHighlights(User::Username(u))) => {
            send!(
                hikerapi_client,
                vendor,
                timeout,
                get_v1_user_highlights_by_username,
                username = u.as_str()
            )
        }
        ("hikerapi", Query::UserHighlights(User::Id(id))) => {
            send!(
                hikerapi_client,
                vendor,
                timeout,
                get_v1_user_highlights,
                user_id = id.as_str()
            )
        }
        ("hikerapi", Query::HighlightItems(id)) => {
            send!(
                hikerapi_client,
                vendor,
                timeout,
                get_v1_highlight_by_url,
                url = highlight_url(id)
            )
        }
        ("hikerapi", Query::StoryById(id)) => send!(
            hikerapi_client,
            vendor,
            timeout,
            get_v1_story_by_id,
            id = id.as_str()
        ),
        ("hikerapi", Query::StoryByUrl(url)) => send!(
            hikerapi_client,
            vendor,
            timeout,
            get_v1_story_by_url,
            url = url.as_str()
        ),
        ("keyapi", Query::UserStories(User::Username(u))) => send!(
            keyapi_client,
            vendor,
            timeout,
            fetch_user_stories,
            username = u.as_str()
        ),
        ("keyapi", Query::UserStories(User::Id(id))) => send!(
            keyapi_client,
            vendor,
            timeout,
            fetch_user_stories,
            user_id = id.as_str()
        ),
        ("konbiniapi", Query::HighlightItems(id)) => {
            send!(
                konbiniapi_client,
                vendor,
                timeout,
                instagram_get_highlight_stories,
                highlight_id = id.as_str()
            )
        }
        ("sociavault", Query::UserHighlights(User::Username(u))) => {
            send!(
                sociavault_client,
                vendor,
                timeout,
                instagram_story_highlights,
                handle = u.as_str()
            )
        }
        ("sociavault", Query::UserHighlights(User::Id(id))) => {
            send!(
                sociavault_client,
                vendor,
                timeout,
                instagram_story_highlights,
                user_id = id.as_str()
            )
        }
        (name, q) => Err(Trouble::Transport(format!("{name} cannot answer {q}"))),
    }
}
