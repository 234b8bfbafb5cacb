//! Documented bodies serialized once, when the mock starts, with their CDN media URLs already
//! pointing at the mock: per request only each URL's signature expiry is written in, so a
//! response costs one buffer and a few copies, not a clone and a serialization of the body.

use serde_json::Value;

/// A JSON body as text pieces; between two pieces stands a media URL's `oe` expiry.
#[derive(Debug, Clone)]
pub(super) struct Rendered {
    pieces: Vec<Box<str>>,
    len: usize,
}

/// The `oe` value of a URL signed to expire a day from now: hexadecimal seconds, as
/// Instagram's CDN writes it.
pub(super) fn expiry_now() -> String {
    let expires = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() + 86_400);
    format!("{expires:X}")
}

/// Whether a CDN URL is a video's: it names an `.mp4`, or stands under a key naming video
/// (`video_url`, `video_versions`).
pub(super) fn is_video_url(url: &str, under_video_key: bool) -> bool {
    url.contains(".mp4") || under_video_key
}

/// Makes every CDN URL under a video key name an `.mp4`, so that the rendering below sees it.
fn mark_videos(value: &mut Value, under_video_key: bool) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                let video = under_video_key || key.to_ascii_lowercase().contains("video");
                mark_videos(v, video);
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| mark_videos(v, under_video_key)),
        // The rendering replaces the whole URL, so a marker on its end is never served.
        Value::String(s)
            if s.starts_with("https://scontent") && under_video_key && !s.contains(".mp4") =>
        {
            s.push_str("#.mp4");
        }
        _ => {}
    }
}

impl Rendered {
    /// Serializes `body` and points every `https://scontent…` URL in it at `base`'s
    /// `/media/<n>.<ext>`, numbered in order of appearance. The extension says what the mock
    /// serves there: `mp4` for a URL naming one or standing under a video field (docs elide
    /// URLs as `https://scontent…/...`, so a `video_url` would otherwise serve a picture).
    pub(super) fn new(body: &Value, base: &str) -> Self {
        let mut body = body.clone();
        mark_videos(&mut body, false);
        let text = serde_json::to_string(&body).unwrap_or_default();
        let mut pieces = Vec::new();
        let mut current = String::with_capacity(text.len());
        let mut rest = text.as_str();
        let mut n = 0;
        while let Some(start) = rest.find("\"https://scontent") {
            current.push_str(&rest[..=start]);
            let after = &rest[start + 1..];
            let end = after.find('"').unwrap_or(after.len());
            let ext = if after[..end].contains(".mp4") {
                "mp4"
            } else {
                "jpg"
            };
            current.push_str(&format!("{base}/media/{n}.{ext}?oe="));
            pieces.push(std::mem::take(&mut current).into_boxed_str());
            n += 1;
            rest = &after[end..];
        }
        current.push_str(rest);
        pieces.push(current.into_boxed_str());
        let len = pieces.iter().map(|p| p.len()).sum();
        Self { pieces, len }
    }

    /// The body, with `expiry` as every media URL's `oe`.
    pub(super) fn body(&self, expiry: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len + expiry.len() * self.pieces.len());
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(expiry.as_bytes());
            }
            out.extend_from_slice(piece.as_bytes());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_urls_point_at_the_mock_with_a_fresh_expiry() {
        let body = serde_json::json!({"a": "https://scontent-lax3-1.cdninstagram.com/v/x.jpg?oe=1", "b": "https://scontent.cdninstagram.com/v.mp4", "c": "https://example.com/"});
        let rendered = Rendered::new(&body, "http://127.0.0.1:9");
        let text = String::from_utf8(rendered.body("6B05CE3C")).unwrap_or_default();
        assert_eq!(
            text,
            r#"{"a":"http://127.0.0.1:9/media/0.jpg?oe=6B05CE3C","b":"http://127.0.0.1:9/media/1.mp4?oe=6B05CE3C","c":"https://example.com/"}"#
        );
        let plain = Rendered::new(&serde_json::json!({"x": 1}), "http://h");
        assert_eq!(plain.body("F"), br#"{"x":1}"#);
    }
}
