//! Maps JSON pointers of a (merged) document back to the page and byte offset they came from.

use crate::yaml::Positions;

/// One parsed block: which page, where it starts, where each node is.
#[derive(Debug, Clone)]
pub struct Origin {
    pub page: usize,
    /// Byte offset of the block in its page; `positions` are relative to it.
    pub yaml_offset: usize,
    pub positions: Positions,
}

impl Origin {
    /// The page and offset of `pointer` (or of its nearest located ancestor).
    pub fn place(&self, pointer: &str) -> (usize, usize) {
        let offset = self.positions.offset(pointer).unwrap_or(0);
        (self.page, self.yaml_offset + offset)
    }
}

/// Which origin owns which part of a document.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    pub origins: Vec<Origin>,
    /// (pointer prefix, origin index); the longest matching prefix wins.
    pub owners: Vec<(String, usize)>,
}

impl Origins {
    /// Origins of a document that came whole from one origin.
    pub fn single(origin: Origin) -> Self {
        let mut origins = Self::default();
        let o = origins.add(origin);
        origins.own(String::new(), o);
        origins
    }

    pub fn add(&mut self, origin: Origin) -> usize {
        self.origins.push(origin);
        self.origins.len() - 1
    }

    pub fn own(&mut self, prefix: String, origin: usize) {
        self.owners.push((prefix, origin));
    }

    /// The origin that owns `pointer`.
    pub fn owner(&self, pointer: &str) -> Option<usize> {
        self.owners
            .iter()
            .filter(|(prefix, _)| {
                pointer.starts_with(prefix.as_str())
                    && (pointer.len() == prefix.len()
                        || pointer.as_bytes()[prefix.len()] == b'/'
                        || prefix.is_empty())
            })
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(_, o)| *o)
    }

    /// The page and byte offset where `pointer` (or its nearest located ancestor) stands.
    pub fn place(&self, pointer: &str) -> Option<(usize, usize)> {
        Some(self.origins[self.owner(pointer)?].place(pointer))
    }
}
