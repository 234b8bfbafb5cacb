//! File extensions for downloaded media: the one a server's content type names, and the one
//! guessed from a rendition before its server answers.

use domain::{MediaKind, Rendition};

/// The extension of a media type a server sent, when it names one worth trusting.
pub(crate) fn served(content_type: &str) -> Option<&'static str> {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    Some(match essence.as_str() {
        "image/jpeg" | "image/jpg" | "image/pjpeg" => "jpg",
        "image/webp" => "webp",
        "image/png" => "png",
        "image/heic" => "heic",
        "image/gif" => "gif",
        "video/mp4" => "mp4",
        "video/quicktime" => "mov",
        "video/webm" => "webm",
        _ => return None,
    })
}

/// The extension guessed from a rendition before its server answers.
pub(crate) fn guessed(r: &Rendition, kind: MediaKind) -> &'static str {
    let path = r.url.split('?').next().unwrap_or("");
    match r.mime_type.as_deref() {
        Some(m) if m.starts_with("video/") => "mp4",
        Some("image/webp") => "webp",
        Some(m) if m.starts_with("image/") => "jpg",
        _ if path.ends_with(".mp4") => "mp4",
        _ if path.ends_with(".webp") => "webp",
        _ if path.ends_with(".jpg") || path.ends_with(".jpeg") => "jpg",
        _ if kind == MediaKind::Video => "mp4",
        _ => "jpg",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_served_type_names_the_extension_and_anything_else_names_none() {
        assert_eq!(served("video/mp4"), Some("mp4"));
        assert_eq!(served("Image/JPEG; charset=binary"), Some("jpg"));
        assert_eq!(served("image/webp"), Some("webp"));
        assert_eq!(served("application/octet-stream"), None);
        assert_eq!(served(""), None);
    }

    #[test]
    fn the_guess_reads_the_mime_type_then_the_url_then_the_kind() {
        let r = |url: &str, mime: Option<&str>| Rendition {
            url: url.to_owned(),
            width: None,
            height: None,
            mime_type: mime.map(str::to_owned),
            url_expires_at: None,
        };
        assert_eq!(
            guessed(&r("https://x/a.jpg", Some("video/mp4")), MediaKind::Image),
            "mp4"
        );
        assert_eq!(
            guessed(&r("https://x/a.mp4?oe=1", None), MediaKind::Image),
            "mp4"
        );
        assert_eq!(guessed(&r("https://x/a", None), MediaKind::Video), "mp4");
        assert_eq!(guessed(&r("https://x/a", None), MediaKind::Image), "jpg");
    }
}
