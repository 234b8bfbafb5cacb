//! Vendor prose becomes rustdoc: progenitor and typify copy every `description`, `summary` and
//! `title` into doc comments, where a code block rustdoc takes for Rust — a fence without a
//! language (a stray line of four backticks opens one), or a block indented by four spaces —
//! is compiled by `cargo test --doc`. Such blocks are made `text` here, in the copy handed to
//! progenitor; the canonical document keeps the vendor's words. Blocks are found with
//! pulldown-cmark, the parser rustdoc itself uses, so lists and quotes nest as rustdoc sees them.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use serde_json::Value;

/// The keys whose string values end up in doc comments.
const DOC_KEYS: [&str; 3] = ["description", "summary", "title"];

/// Example values are data, not prose: progenitor does not document them.
const DATA_KEYS: [&str; 2] = ["example", "examples"];

/// rustdoc's markdown extensions (they decide what a table or footnote swallows).
const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_FOOTNOTES)
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS)
    .union(Options::ENABLE_SMART_PUNCTUATION);

/// Rewrites every doc string below `value` so that none holds a code block rustdoc compiles.
pub(crate) fn make_inert(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                match child {
                    Value::String(text) if DOC_KEYS.contains(&key.as_str()) => {
                        if let Some(safe) = inert(text) {
                            *text = safe;
                        }
                    }
                    _ if DATA_KEYS.contains(&key.as_str()) => {}
                    _ => make_inert(child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(make_inert),
        _ => {}
    }
}

/// `text` with every Rust code block turned into a `text` block, or `None` when it has none.
fn inert(text: &str) -> Option<String> {
    if !text.contains("```")
        && !text.contains("~~~")
        && !text.contains("    ")
        && !text.contains('\t')
    {
        return None;
    }
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut indented: Option<(usize, String)> = None;
    for (event, range) in Parser::new_ext(text, OPTIONS).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if is_rust(&info) => {
                let line = &text[range.start..];
                let line = &line[..line.find('\n').unwrap_or(line.len())];
                let indent = line.len() - line.trim_start().len();
                let fence = line[indent..]
                    .chars()
                    .take_while(|c| *c == '`' || *c == '~')
                    .count();
                let info_at = range.start + indent + fence;
                edits.push((info_at..range.start + line.len(), "text".to_owned()));
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)) => {
                // The block's own text, indentation removed, comes as Text events.
                let start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
                let start = if text[start..range.start].trim().is_empty() {
                    start
                } else {
                    range.start
                };
                indented = Some((start, String::new()));
            }
            Event::Text(code) => {
                if let Some((_, body)) = &mut indented {
                    body.push_str(&code);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((start, body)) = indented.take() {
                    let fence = "`".repeat(longest_run(&body, '`').max(2) + 1);
                    let body = if body.ends_with('\n') {
                        body
                    } else {
                        body + "\n"
                    };
                    edits.push((start..range.end, format!("{fence}text\n{body}{fence}\n")));
                }
            }
            _ => {}
        }
    }
    if edits.is_empty() {
        return None;
    }
    let mut out = text.to_owned();
    for (range, replacement) in edits.into_iter().rev() {
        out.replace_range(range, &replacement);
    }
    Some(out)
}

/// Whether rustdoc compiles a fenced block with this info string: no language, `rust`, or only
/// rustdoc's own attributes (`ignore`, `no_run`, `edition2021`, …).
fn is_rust(info: &str) -> bool {
    let mut rust = false;
    let mut other = false;
    for token in info.split([',', ' ', '\t']).filter(|t| !t.is_empty()) {
        match token {
            "rust" => rust = true,
            "ignore" | "should_panic" | "no_run" | "compile_fail" | "test_harness"
            | "standalone_crate" | "allow_fail" => {}
            t if t.starts_with("edition") || t.starts_with("ignore-") => {}
            t if t.len() == 5
                && t.starts_with('E')
                && t[1..].bytes().all(|b| b.is_ascii_digit()) => {}
            _ => other = true,
        }
    }
    rust || !other
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut best, mut now) = (0, 0);
    for ch in text.chars() {
        now = if ch == c { now + 1 } else { 0 };
        best = best.max(now);
    }
    best
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The code blocks rustdoc would compile in `text`.
    fn rust_blocks(text: &str) -> usize {
        Parser::new_ext(text, OPTIONS)
            .filter(|e| match e {
                Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)) => true,
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => is_rust(info),
                _ => false,
            })
            .count()
    }

    #[test]
    fn rust_blocks_become_text_blocks_and_other_blocks_stay() {
        let cases = [
            (
                "A stray fence\n````\nand prose after it",
                "A stray fence\n````text\nand prose after it",
            ),
            ("```\nfn main() {}\n```\n", "```text\nfn main() {}\n```\n"),
            ("```rust,ignore\nx\n```", "```text\nx\n```"),
            ("~~~\nx\n~~~", "~~~text\nx\n~~~"),
            (
                "Intro\n\n    let x = 1;\n    let y = 2;\n\nEnd",
                "Intro\n\n```text\nlet x = 1;\nlet y = 2;\n```\n\nEnd",
            ),
            ("\tlet tab = 1;", "```text\nlet tab = 1;\n```\n"),
            (
                "Intro\n\n    has ``` inside",
                "Intro\n\n````text\nhas ``` inside\n````\n",
            ),
        ];
        for (before, after) in cases {
            let got = inert(before).unwrap_or_else(|| panic!("{before:?} was left as it was"));
            assert_eq!(got, after, "{before:?}");
            assert_eq!(rust_blocks(&got), 0, "{got:?}");
        }
        for prose in [
            "```bash\nX-API-Key: sk_live\n```",
            "```json\n{}\n```",
            "- a list\n    - nested by four spaces",
            "A paragraph\n    continued with indentation",
            "`inline` code",
        ] {
            assert_eq!(inert(prose), None, "{prose:?}");
        }
    }

    #[test]
    fn only_prose_is_rewritten() {
        let mut doc = json!({
            "paths": {"/a": {"get": {
                "summary": "```",
                "responses": {"200": {"description": "plain", "content": {"application/json": {
                    "example": {"description": "```"}
                }}}}
            }}},
            "components": {"schemas": {"T": {"properties": {
                "description": {"type": "string", "description": "```"}
            }}}}
        });
        make_inert(&mut doc);
        let op = &doc["paths"]["/a"]["get"];
        assert_eq!(op["summary"], "```text");
        let media = &op["responses"]["200"]["content"]["application/json"];
        assert_eq!(media["example"]["description"], "```", "examples are data");
        // A property named `description` is a schema; its own description is prose.
        assert_eq!(
            doc["components"]["schemas"]["T"]["properties"]["description"]["description"],
            "```text"
        );
    }
}
