//! Duplicate object keys in JSON text. serde_json keeps the last of two
//! equal keys without a word (even two `"assets"` arrays); every reader of a
//! project file asks here first, so a duplicate is an error naming the key
//! and its line instead of a silent choice.

use std::borrow::Cow;
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

/// Keys up to this many are searched in order: the objects of project
/// files hold a handful of keys, where a scan beats hashing; past it a set
/// keeps a hostile object of many keys linear.
const SCANNED_KEYS: usize = 16;

/// The keys one object has shown so far. A key without escapes is its own
/// bytes, borrowed from the text.
#[derive(Default)]
struct Keys<'a> {
    scanned: Vec<Cow<'a, str>>,
    hashed: HashSet<Cow<'a, str>>,
}

impl<'a> Keys<'a> {
    /// Adds `key`; `false` when the object already has it.
    fn insert(&mut self, key: Cow<'a, str>) -> bool {
        if self.scanned.contains(&key) {
            return false;
        }
        if self.scanned.len() < SCANNED_KEYS {
            self.scanned.push(key);
            return true;
        }
        self.hashed.insert(key)
    }
}

/// One open `{` or `[` while scanning.
struct Frame<'a> {
    /// `Some` for an object: the keys seen so far.
    keys: Option<Keys<'a>>,
    /// In an object, the next string is a key.
    expect_key: bool,
}

/// Scans `bytes` (valid JSON) for a key repeated within one object.
pub fn duplicate_key(bytes: &[u8]) -> Option<DuplicateKey> {
    let mut stack: Vec<Frame<'_>> = Vec::new();
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
                    let key = decode_key(&bytes[i..=end]);
                    if !keys.insert(key.clone()) {
                        return Some(DuplicateKey { key: key.into_owned(), line, column: i - line_start + 1 });
                    }
                }
                i = end;
            }
            b'{' => stack.push(Frame { keys: Some(Keys::default()), expect_key: true }),
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

/// A quoted key as the object sees it: the bytes between the quotes when
/// it has no escape (text serde_json accepted is UTF-8), decoded otherwise.
fn decode_key(quoted: &[u8]) -> Cow<'_, str> {
    let inner = &quoted[1..quoted.len().saturating_sub(1).max(1)];
    match (inner.contains(&b'\\'), std::str::from_utf8(inner)) {
        (false, Ok(plain)) => Cow::Borrowed(plain),
        _ => Cow::Owned(serde_json::from_slice(quoted).unwrap_or_default()),
    }
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
        assert_eq!(duplicate_key(b"{\"a\": 1, \"\\u0061\": 2}").unwrap().key, "a", "an escaped repeat too");
    }

    #[test]
    fn many_keys_are_checked_past_the_scanned_ones() {
        let keys: Vec<String> = (0..40).map(|n| format!("\"k{n}\": {n}")).collect();
        let text = format!("{{{}, \"k33\": 0}}", keys.join(", "));
        assert_eq!(duplicate_key(text.as_bytes()).unwrap().key, "k33");
        let text = format!("{{{}, \"k3\": 0}}", keys.join(", "));
        assert_eq!(duplicate_key(text.as_bytes()).unwrap().key, "k3");
        assert_eq!(duplicate_key(format!("{{{}}}", keys.join(", ")).as_bytes()), None);
    }
}
