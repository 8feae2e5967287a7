//! Duplicate object keys in JSON text. serde_json keeps the last of two
//! equal keys without a word (even two `"assets"` arrays); every reader of a
//! project file asks here first, so a duplicate is an error naming the key
//! and its line instead of a silent choice.

use std::collections::HashSet;

/// The first key that repeats inside one JSON object: the key (unescaped)
/// and the 1-based line and column of its second occurrence. Call it on text
/// serde_json has already accepted; on anything else the answer means
/// nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The repeated key, as the object sees it (escapes decoded).
    pub key: String,
    /// Line of the second occurrence, from 1.
    pub line: usize,
    /// Column (in bytes) of the second occurrence, from 1.
    pub column: usize,
}

impl DuplicateKey {
    /// "`file` has the key `k` twice in one object (again at line L); keep one".
    pub fn message(&self, file: &str) -> String {
        format!(
            "{file} has the key `{}` twice in one object (again at line {}, column {}); JSON readers disagree on \
             which one counts, so keep exactly one",
            self.key, self.line, self.column
        )
    }
}

/// One open `{` or `[` while scanning.
struct Frame {
    /// `Some` for an object: the keys seen so far.
    keys: Option<HashSet<String>>,
    /// In an object, the next string is a key.
    expect_key: bool,
}

/// Scans `bytes` (valid JSON) for a key repeated within one object.
pub fn duplicate_key(bytes: &[u8]) -> Option<DuplicateKey> {
    let mut stack: Vec<Frame> = Vec::new();
    let (mut line, mut line_start) = (1, 0);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            b'"' => {
                let end = string_end(bytes, i);
                if let Some(frame) = stack.last_mut()
                    && frame.expect_key
                    && let Some(keys) = &mut frame.keys
                {
                    frame.expect_key = false;
                    let key: String = serde_json::from_slice(&bytes[i..=end]).unwrap_or_default();
                    if !keys.insert(key.clone()) {
                        return Some(DuplicateKey { key, line, column: i - line_start + 1 });
                    }
                }
                i = end;
            }
            b'{' => stack.push(Frame { keys: Some(HashSet::new()), expect_key: true }),
            b'[' => stack.push(Frame { keys: None, expect_key: false }),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => {
                if let Some(frame) = stack.last_mut() {
                    frame.expect_key = frame.keys.is_some();
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Index of the quote closing the string that opens at `start`.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i,
            _ => i += 1,
        }
    }
    bytes.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_repeated_key_with_its_line_and_ignores_equal_keys_in_other_objects() {
        let text = b"{\n  \"a\": {\"x\": 1},\n  \"b\": [{\"x\": 2}, {\"x\": \"\\\"}\"}],\n  \"a\": 3\n}";
        assert_eq!(duplicate_key(text), Some(DuplicateKey { key: "a".into(), line: 4, column: 3 }));
        assert_eq!(duplicate_key(b"{\"x\": [1, {\"x\": 2}], \"y\": {\"x\": 3, \"z\": \"x\"}}"), None);
        assert_eq!(duplicate_key(b"{\"\\u0061\": 1, \"a\": 2}").unwrap().key, "a", "escapes are decoded");
        assert_eq!(duplicate_key(b"[\"a\", \"a\"]"), None, "array strings are not keys");
        assert_eq!(duplicate_key(b"{\"k\": \"k\", \"v\": 1}"), None, "a value equal to a key is fine");
    }
}
