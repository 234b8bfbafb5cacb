//! The inputs of one run: the one on the command line, or the lines of a batch file or of
//! standard input (`--batch -`), read lazily so a batch of any size streams through.

use std::path::Path;

use futures::Stream;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

/// One input line: its number in the batch (from 1) and its text, or why it could not be read.
pub type Line = Result<String, String>;

/// Opens the batch: a file, or standard input for `-`.
pub async fn batch(path: &Path) -> Result<impl Stream<Item = Line>, String> {
    let reader: Box<dyn AsyncRead + Unpin + Send> = if path.as_os_str() == "-" {
        Box::new(tokio::io::stdin())
    } else {
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|e| format!("--batch {}: {e}", path.display()))?;
        Box::new(file)
    };
    let name = if path.as_os_str() == "-" {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    };
    let lines = BufReader::new(reader).lines();
    Ok(futures::stream::unfold(
        (lines, 0usize, false),
        move |(mut lines, mut number, done)| {
            let name = name.clone();
            async move {
                if done {
                    return None;
                }
                loop {
                    number += 1;
                    match lines.next_line().await {
                        Ok(Some(line)) => {
                            if let Some(input) = meaningful(&line) {
                                return Some((Ok(input.to_owned()), (lines, number, false)));
                            }
                        }
                        Ok(None) => return None,
                        Err(e) => {
                            let error = format!("{name}, line {number}: {e}");
                            return Some((Err(error), (lines, number, true)));
                        }
                    }
                }
            }
        },
    ))
}

/// The input on a batch line: blank lines and `#` comments (at the start, or after a space)
/// are skipped, so a URL's `#fragment` is kept.
pub fn meaningful(line: &str) -> Option<&str> {
    let line = line.trim();
    if line.starts_with('#') {
        return None;
    }
    let line = match line.find(" #").or_else(|| line.find("\t#")) {
        Some(i) => line[..i].trim_end(),
        None => line,
    };
    (!line.is_empty()).then_some(line)
}

/// An input as messages quote it: at most 60 characters, with a count of what was cut.
pub fn shown(input: &str) -> String {
    const MAX: usize = 60;
    let count = input.chars().count();
    if count <= MAX {
        return input.to_owned();
    }
    let head: String = input.chars().take(MAX).collect();
    format!("{head}… ({} more characters)", count - MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_blank_lines_are_skipped() {
        assert_eq!(meaningful("  natgeo  # the magazine"), Some("natgeo"));
        assert_eq!(meaningful("# natgeo"), None);
        assert_eq!(meaningful("   "), None);
        assert_eq!(
            meaningful("https://www.instagram.com/natgeo/#top"),
            Some("https://www.instagram.com/natgeo/#top")
        );
    }
}
