//! The one naming rule for the Rust identifiers of a generated client: typify's, which names
//! progenitor's types and builders (`sanitize(name, Case::Pascal)`) and parameters
//! (`Case::Snake`). Regen emits and looks up names through it, and ingestion judges name
//! clashes by it; a name spelled by any other rule (`CALocalAccount` where typify writes
//! `CaLocalAccount`) would be code that does not compile, or a lookup that misses. (Component
//! names in the canonical document are another matter: `names::pascal` makes those.)

use heck::{ToSnakeCase, ToUpperCamelCase};

/// The Rust name typify gives the schema or operation `name`: quotes dropped, other
/// non-identifier characters as word breaks, upper camel case (acronyms become words:
/// `CALocal` → `CaLocal`), `X` before a leading digit, `_` after a keyword.
pub fn type_name(name: &str) -> String {
    let mut out = match name {
        // typify's own special cases, kept as it spells them.
        "+1" => "plus1".to_owned(),
        "-1" => "minus1".to_owned(),
        _ => cleaned(name).to_upper_camel_case(),
    };
    match out.chars().next() {
        None => out = "X".to_owned(),
        Some(c) if !unicode_ident::is_xid_start(c) => out = format!("X{out}"),
        Some(_) => {}
    }
    if syn::parse_str::<syn::Ident>(&out).is_err() {
        out.push('_');
    }
    out
}

/// The Rust name progenitor gives the parameter or field `name`: the same cleaning, snake
/// case, `_` before a leading digit and after a keyword.
pub fn field_name(name: &str) -> String {
    let mut out = cleaned(name).to_snake_case();
    match out.chars().next() {
        None => out = "x".to_owned(),
        Some(c) if !unicode_ident::is_xid_start(c) => out = format!("_{out}"),
        Some(_) => {}
    }
    if syn::parse_str::<syn::Ident>(&out).is_err() {
        out.push('_');
    }
    out
}

/// Quotes dropped; anything that cannot continue an identifier is a word break.
fn cleaned(name: &str) -> String {
    name.replace('\'', "")
        .chars()
        .map(|c| {
            if unicode_ident::is_xid_continue(c) {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_spelled_the_way_typify_spells_them() {
        for (name, ident) in [
            // Acronyms become words.
            (
                "CALocalAccountIdentification",
                "CaLocalAccountIdentification",
            ),
            ("getCALocalAccount", "GetCaLocalAccount"),
            ("HTTPResponse", "HttpResponse"),
            ("StoryV2", "StoryV2"),
            // Separators, as operation ids and component names write them.
            ("pull-request-simple", "PullRequestSimple"),
            ("instagram_Story_Highlights", "InstagramStoryHighlights"),
            (
                "get_v1_user_stories_by_username",
                "GetV1UserStoriesByUsername",
            ),
            ("issue's label", "IssuesLabel"),
            ("a.b/c d", "ABCD"),
            // Digits.
            ("3ds", "X3ds"),
            ("v2", "V2"),
            ("+1", "plus1"),
            // Reserved words.
            ("self", "Self_"),
            ("Self", "Self_"),
            ("type", "Type"),
            ("", "X"),
            ("Story", "Story"),
        ] {
            assert_eq!(type_name(name), ident, "{name}");
        }
    }

    #[test]
    fn parameter_names_are_spelled_the_way_progenitor_spells_them() {
        for (name, ident) in [
            ("max-results", "max_results"),
            ("MaxResults", "max_results"),
            ("highlightId", "highlight_id"),
            ("HTTPCode", "http_code"),
            ("user_id", "user_id"),
            ("2fa", "_2fa"),
            ("type", "type_"),
            ("self", "self_"),
        ] {
            assert_eq!(field_name(name), ident, "{name}");
        }
    }
}
