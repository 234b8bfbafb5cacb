//! Names in the canonical document — components derived from operation ids and JSON paths,
//! operation ids from method and path. The Rust names generated from them follow
//! [`crate::rust_names`].

/// `instagram_Story_Highlights` → `InstagramStoryHighlights`, `@context` → `Context`.
pub fn pascal(s: &str) -> String {
    let mut out = String::new();
    for word in s
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'T');
    }
    out
}

/// `/v1/user/stories/by/username` with `get` → `get_v1_user_stories_by_username`.
pub fn operation_id(method: &str, path: &str) -> String {
    let mut out = method.to_ascii_lowercase();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let (by_param, word) = match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => (true, param),
            None => (false, segment),
        };
        out.push('_');
        if by_param {
            out.push_str("by_");
        }
        out.push_str(&snake(word));
    }
    out
}

/// `getHighlightStories` → `get_highlight_stories`; how progenitor names methods.
pub fn snake(s: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && prev_lower {
                out.push('_');
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            out.push(c.to_ascii_lowercase());
        } else {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    out.trim_end_matches('_').to_owned()
}

/// The key under which two names would become the same Rust type name: that name.
pub fn type_key(name: &str) -> String {
    crate::rust_names::type_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_case() {
        assert_eq!(
            pascal("instagram_Story_Highlights"),
            "InstagramStoryHighlights"
        );
        assert_eq!(
            pascal("instagramGetHighlightStories"),
            "InstagramGetHighlightStories"
        );
        assert_eq!(pascal("@context"), "Context");
        assert_eq!(pascal("0"), "T0");
    }

    #[test]
    fn operation_ids_from_method_and_path() {
        assert_eq!(
            operation_id("GET", "/v1/instagram/fetch_user_stories"),
            "get_v1_instagram_fetch_user_stories"
        );
        assert_eq!(
            operation_id("get", "/v1/highlights/{highlightId}"),
            "get_v1_highlights_by_highlight_id"
        );
        assert_eq!(operation_id("post", "/v1/a-b.c"), "post_v1_a_b_c");
    }

    #[test]
    fn snake_case() {
        assert_eq!(
            snake("instagramGetHighlightStories"),
            "instagram_get_highlight_stories"
        );
        assert_eq!(
            snake("instagram_Story_Highlights"),
            "instagram_story_highlights"
        );
    }

    #[test]
    fn type_keys_collide_like_rust_names() {
        assert_eq!(type_key("foo_bar"), type_key("FooBar"));
        assert_ne!(type_key("FooBar"), type_key("FooBaz"));
    }
}
