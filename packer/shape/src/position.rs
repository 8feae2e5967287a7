//! Where a key or value stands in a JSON text, so a finding about
//! `output.metadata.tile_sze` can say line 5, column 7 and not just the file.

use std::collections::HashMap;

/// Line and column (1-based, columns in characters) of every object key and
/// array element of one JSON text, by path: `name`, `output.metadata`,
/// `artifacts[0].input`. A key's position is its opening quote; an
/// element's, its first character.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct JsonPositions(HashMap<String, (usize, usize)>);

impl JsonPositions {
    /// Indexes `text`, which should be valid JSON (a byte-order mark is
    /// skipped); on anything else it indexes what it can and stops.
    pub fn of(text: &[u8]) -> JsonPositions {
        let text = String::from_utf8_lossy(text);
        let mut scanner = Scanner { chars: text.trim_start_matches('\u{feff}').chars().peekable(), line: 1, column: 1 };
        let mut found = HashMap::new();
        scanner.value(String::new(), &mut found, 0);
        JsonPositions(found)
    }

    /// The position of `path`, if it is in the text.
    pub fn get(&self, path: &str) -> Option<(usize, usize)> {
        self.0.get(path).copied()
    }
}

/// Deepest nesting indexed (the readers refuse deeper documents anyway).
const MAX_DEPTH: usize = 128;

struct Scanner<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
    column: usize,
}

impl Scanner<'_> {
    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            (self.line, self.column) = (self.line + 1, 1);
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn skip_space(&mut self) {
        while self.chars.peek().is_some_and(|c| c.is_whitespace()) {
            self.bump();
        }
    }

    /// One value at `path`; `None` once the text stops making sense.
    fn value(&mut self, path: String, found: &mut HashMap<String, (usize, usize)>, depth: usize) -> Option<()> {
        self.skip_space();
        match *self.chars.peek()? {
            '{' if depth < MAX_DEPTH => self.object(&path, found, depth),
            '[' if depth < MAX_DEPTH => self.array(&path, found, depth),
            '"' => self.string().map(drop),
            _ => {
                while self.chars.peek().is_some_and(|c| !matches!(c, ',' | '}' | ']') && !c.is_whitespace()) {
                    self.bump();
                }
                Some(())
            }
        }
    }

    fn object(&mut self, path: &str, found: &mut HashMap<String, (usize, usize)>, depth: usize) -> Option<()> {
        self.bump();
        loop {
            self.skip_space();
            match *self.chars.peek()? {
                '}' => return self.bump().map(drop),
                ',' => {
                    self.bump();
                }
                '"' => {
                    let at = (self.line, self.column);
                    let key = self.string()?;
                    let member = if path.is_empty() { key } else { format!("{path}.{key}") };
                    found.entry(member.clone()).or_insert(at);
                    self.skip_space();
                    (self.bump()? == ':').then_some(())?;
                    self.value(member, found, depth + 1)?;
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, path: &str, found: &mut HashMap<String, (usize, usize)>, depth: usize) -> Option<()> {
        self.bump();
        let mut index = 0usize;
        loop {
            self.skip_space();
            match *self.chars.peek()? {
                ']' => return self.bump().map(drop),
                ',' => {
                    self.bump();
                    index += 1;
                }
                _ => {
                    let element = format!("{path}[{index}]");
                    found.entry(element.clone()).or_insert((self.line, self.column));
                    self.value(element, found, depth + 1)?;
                }
            }
        }
    }

    /// A string literal, decoded (escapes through the JSON reader itself).
    fn string(&mut self) -> Option<String> {
        let mut raw = String::from(self.bump()?);
        loop {
            let c = self.bump()?;
            raw.push(c);
            match c {
                '\\' => raw.push(self.bump()?),
                '"' => break,
                _ => {}
            }
        }
        serde_json::from_str(&raw).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_elements_are_found_where_they_stand() {
        let text = "\u{feff}{\n  \"name\": \"hero\",\n  \"output\": { \"metadata\": {\"tile_sze\": 8} },\r\n  \"artifacts\": [\n    { \"input\": \"a\\\"b.png\" },\n    7\n  ]\n}";
        let positions = JsonPositions::of(text.as_bytes());
        assert_eq!(positions.get("name"), Some((2, 3)));
        assert_eq!(positions.get("output.metadata.tile_sze"), Some((3, 28)));
        assert_eq!(positions.get("artifacts[0]"), Some((5, 5)));
        assert_eq!(positions.get("artifacts[0].input"), Some((5, 7)));
        assert_eq!(positions.get("artifacts[1]"), Some((6, 5)));
        assert_eq!(positions.get("nope"), None);
    }

    #[test]
    fn broken_text_is_indexed_as_far_as_it_goes() {
        let positions = JsonPositions::of(b"{\"a\": 1, \"b\": [");
        assert_eq!(positions.get("a"), Some((1, 2)));
        assert_eq!(positions.get("b"), Some((1, 10)));
    }
}
