//! A vendor page as read from disk, with line arithmetic for locating errors.

use crate::error::Location;

/// One documentation page of a vendor.
#[derive(Debug, Clone)]
pub struct Page {
    /// Path relative to the repository root, e.g. `specs/keyapi/get-user-stories.md`.
    pub path: String,
    pub text: String,
    line_starts: Vec<usize>,
}

impl Page {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self {
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// The location of a byte offset into the page.
    pub fn location_of_offset(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let line_index = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line_index];
        let column = self.text[start..offset].chars().count() + 1;
        Location {
            file: self.path.clone(),
            line: line_index + 1,
            column,
            offset,
        }
    }

    /// The location of a 1-based line and column (columns count characters).
    pub fn location_of_line(&self, line: usize, column: usize) -> Location {
        let line_index = line.clamp(1, self.line_starts.len()) - 1;
        let start = self.line_starts[line_index];
        let end = self
            .line_starts
            .get(line_index + 1)
            .copied()
            .unwrap_or(self.text.len());
        let offset = self.text[start..end]
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(end, |(i, _)| start + i);
        Location {
            file: self.path.clone(),
            line: line_index + 1,
            column,
            offset,
        }
    }

    /// The 1-based line holding a byte offset.
    pub fn line_of_offset(&self, offset: usize) -> usize {
        self.location_of_offset(offset).line
    }

    /// Byte offset where a 1-based line starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_lines_and_character_columns() {
        let page = Page::new("p.md", "ab\n€x\n\nz");
        assert_eq!(
            (
                page.location_of_offset(0).line,
                page.location_of_offset(0).column
            ),
            (1, 1)
        );
        let x = page.text.find('x').unwrap_or_default();
        let loc = page.location_of_offset(x);
        assert_eq!((loc.line, loc.column), (2, 2));
        assert_eq!(page.location_of_line(2, 2).offset, x);
        assert_eq!(page.location_of_offset(page.text.len()).line, 4);
    }
}
