//! Errors in the project configuration, located as precisely as the input allows.

use std::fmt;
use std::ops::Range;

/// Something wrong in `cartridge.toml`, `prometeu.json` or the project search.
///
/// Plain data so every host (command line, hook, editor) can render it its own
/// way; `Display` gives the one-line human form
/// `cartridge.toml:3:1: unknown key `titel`; did you mean `title`? …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file (project-relative) or directory (absolute) the error concerns.
    pub file: String,
    /// 1-based line, when the error sits at a known place in the file.
    pub line: Option<usize>,
    /// 1-based column in characters, together with `line`.
    pub column: Option<usize>,
    /// The offending key, dotted for nested ones (`compiler.command`).
    pub key: Option<String>,
    /// What is wrong and what to do about it.
    pub message: String,
}

impl ConfigError {
    /// An error about `file` as a whole (missing value, unreadable file).
    pub(crate) fn in_file(file: &str, key: Option<&str>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            file: file.to_owned(),
            line: None,
            column: None,
            key: key.map(str::to_owned),
            message: message.into(),
        }
    }

    /// An error at byte offset `at` of `text`, the contents of `file`.
    pub(crate) fn at(file: &str, text: &str, at: usize, key: Option<&str>, message: impl Into<String>) -> ConfigError {
        let (line, column) = line_column(text, at);
        ConfigError { line: Some(line), column: Some(column), ..ConfigError::in_file(file, key, message) }
    }

    /// An error at the start of `span` in `text`.
    pub(crate) fn spanning(
        file: &str,
        text: &str,
        span: Range<usize>,
        key: Option<&str>,
        message: impl Into<String>,
    ) -> ConfigError {
        ConfigError::at(file, text, span.start, key, message)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// 1-based line and character column of byte offset `at` in `text`.
///
/// An offset past the end (an error "at end of input") lands after the last
/// character.
pub(crate) fn line_column(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let before = text.as_bytes().get(..at).unwrap_or_default();
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let column = 1 + String::from_utf8_lossy(&before[line_start..]).chars().count();
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_from_one_in_characters() {
        let text = "a = 1\nné = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 4), (1, 5));
        assert_eq!(line_column(text, 6), (2, 1));
        // `=` after the two-byte `é`: fourth character of line 2.
        assert_eq!(line_column(text, 10), (2, 4));
        assert_eq!(line_column(text, 999), (3, 1));
    }

    #[test]
    fn display_has_file_line_column_message() {
        let e = ConfigError::at("cartridge.toml", "x = 1\ny = 2\n", 6, Some("y"), "unknown key `y`");
        assert_eq!(e.to_string(), "cartridge.toml:2:1: unknown key `y`");
        let e = ConfigError::in_file("prometeu.json", None, "not an object");
        assert_eq!(e.to_string(), "prometeu.json: not an object");
    }
}
