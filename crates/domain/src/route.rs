//! Which questions a vendor's operations answer: declared by each normalization crate, read by
//! the unified client to route a question to every vendor able to answer it.

use crate::{NormalizeError, Normalized, RawResponse};

/// The shape of a question, independent of who answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QueryKind {
    UserStoriesByUsername,
    UserStoriesById,
    UserHighlightsByUsername,
    UserHighlightsById,
    HighlightItems,
    StoryById,
    StoryByUrl,
}

/// How the question's input becomes the operation's argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgForm {
    /// The username, id or URL as the user gave it (normalized).
    AsGiven,
    /// A highlight id as its URL, `https://www.instagram.com/stories/highlights/<id>/`.
    HighlightUrl,
}

impl ArgForm {
    /// The argument for `input`.
    pub fn apply(&self, input: &str) -> String {
        match self {
            ArgForm::AsGiven => input.to_owned(),
            ArgForm::HighlightUrl => {
                format!("https://www.instagram.com/stories/highlights/{input}/")
            }
        }
    }
}

/// One operation that answers one kind of question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub kind: QueryKind,
    /// The operation's id in the vendor's canonical document.
    pub operation: &'static str,
    /// The parameter that takes the question's input.
    pub param: &'static str,
    pub arg: ArgForm,
}

/// Normalizes a raw response of one of the vendor's operations.
pub type NormalizeFn = fn(&str, RawResponse<'_>) -> Result<Normalized, NormalizeError>;

/// What a normalization crate offers the unified client.
#[derive(Debug, Clone, Copy)]
pub struct Normalizer {
    /// The vendor's short name, as under `specs/`.
    pub vendor: &'static str,
    /// The questions its operations answer.
    pub routes: &'static [Route],
    /// JSON pointers, into a success body, of the envelopes and lists holding the answer's
    /// items. Without one of them the items are gone (an error for an envelope, a shorter or
    /// empty answer for a list), and that is right; any other field of a documented answer may
    /// be missing or null without changing which items are found (the tolerance tests check it).
    pub containers: &'static [&'static str],
    pub normalize: NormalizeFn,
}
