//! The one shape check every reader of the project's files uses — the
//! registry, `asset.json`, glyph palettes, the `assets.pa` header and
//! `cartridge.toml`: which keys are unknown (with the accepted list and a
//! did-you-mean), which are missing, which value has the wrong type, and one
//! wording for each, so a user meets the same sentence in every file.
//!
//! The spelling rules of a relative path (`check_relative`) live here too:
//! registry roots, declaration inputs and the prebuilt program obey the same.
//!
//! Each reader turns these sentences into its own findings (a diagnostic
//! with a stable code, a format violation, a configuration error).
//!
//! So does the one rule for text as other systems write it (`without_bom`):
//! every reader of the project's text drops a leading UTF-8 byte-order mark
//! before parsing; CRLF line endings need no rule of their own, since JSON,
//! TOML and the palette readers treat `\r` as whitespace or as part of a
//! line ending.

#![warn(missing_docs)]

mod duplicates;
mod files;
mod listing;
mod platform;
mod position;

pub use duplicates::{DuplicateKey, duplicate_key};
pub use files::{Beneath, open_regular, read_regular};
pub use listing::{Listed, ListedKind, Lister};
pub use platform::describe_kind;
pub use position::JsonPositions;

/// `n` and the noun, plural unless `n` is 1: `1 blocking diagnostic`, `3 warnings`.
pub fn counted(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}
use serde_json::{Map, Value};

/// The UTF-8 byte-order mark some editors write at the start of a text file.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A text file's bytes without a leading UTF-8 byte-order mark. Every reader
/// of the registry, `asset.json`, `cartridge.toml`, `prometeu.json` and
/// palette files parses what this returns, so a file saved with a mark reads
/// (and packs) exactly as the same file without one, and line/column
/// positions count from the first real character, as an editor shows them.
pub fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes)
}

/// Most edits between a mistyped key and the key it suggests.
const MAX_SUGGESTION_DISTANCE: usize = 2;
/// A prefix this long or longer of an accepted key suggests that key.
const MIN_PREFIX_CHARS: usize = 3;
/// A prefix this long may hold one typo (a swap counts as one).
const MIN_TYPO_PREFIX_CHARS: usize = 5;

/// The accepted key closest to `name`: within two edits; failing that, one
/// that `name` (three characters or more) begins, give or take one typo
/// (`timeout` for `timeout_secs`, `inclued` for `included_in_build`).
pub fn did_you_mean<'a>(name: &str, accepted: &[&'a str]) -> Option<&'a str> {
    let close = accepted
        .iter()
        .map(|&candidate| (strsim::levenshtein(name, candidate), candidate))
        .filter(|&(distance, _)| distance <= MAX_SUGGESTION_DISTANCE)
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, candidate)| candidate);
    close.or_else(|| accepted.iter().copied().find(|candidate| begins(candidate, name)))
}

/// Whether `name` is how `candidate` begins, allowing one typo once the
/// name is long enough for a typo to be told from another word.
fn begins(candidate: &str, name: &str) -> bool {
    let length = name.chars().count();
    if length < MIN_PREFIX_CHARS {
        return false;
    }
    let prefix: String = candidate.chars().take(length).collect();
    let typos = if length >= MIN_TYPO_PREFIX_CHARS { 1 } else { 0 };
    prefix.chars().count() == length && strsim::damerau_levenshtein(&prefix, name) <= typos
}

/// `did you mean `x`? ` before the rest of a sentence, or nothing.
pub fn hint(suggestion: Option<&str>) -> String {
    suggestion.map(|s| format!("did you mean `{s}`? ")).unwrap_or_default()
}

/// A key outside the accepted list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKey<'k, 'a> {
    /// The key as written.
    pub key: &'k str,
    /// The accepted key it most likely meant.
    pub suggestion: Option<&'a str>,
}

/// Every key of `keys` not in `accepted`, in the order given.
pub fn unknown_keys<'k, 'a>(keys: impl IntoIterator<Item = &'k str>, accepted: &[&'a str]) -> Vec<UnknownKey<'k, 'a>> {
    keys.into_iter()
        .filter(|key| !accepted.contains(key))
        .map(|key| UnknownKey { key, suggestion: did_you_mean(key, accepted) })
        .collect()
}

/// The unknown keys of a JSON object.
pub fn unknown_json_keys<'k, 'a>(object: &'k Map<String, Value>, accepted: &[&'a str]) -> Vec<UnknownKey<'k, 'a>> {
    unknown_keys(object.keys().map(String::as_str), accepted)
}

impl UnknownKey<'_, '_> {
    /// `unknown key `x` <place>; did you mean `y`? fix its spelling or
    /// remove it (accepted keys: a, b)`. `place` reads like "in `output`".
    pub fn message(&self, place: &str, accepted: &[&str]) -> String {
        let place = if place.is_empty() { String::new() } else { format!(" {place}") };
        format!(
            "unknown key `{}`{place}; {}fix its spelling or remove it (accepted keys: {})",
            self.key,
            hint(self.suggestion),
            accepted.join(", ")
        )
    }
}

/// `<place> has no `key`; add it`.
pub fn missing_key_message(place: &str, key: &str) -> String {
    format!("{place} has no `{key}`; add it")
}

/// ``at` must be <expected>, found <kind>; correct it`.
pub fn wrong_type_message(at: &str, expected: &str, found: &Value) -> String {
    format!("`{at}` must be {expected}, found {}; correct it", json_type(found))
}

/// Why a relative path string was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathRule {
    /// The empty string, which would name the directory itself.
    Empty,
    /// Starts with `/` or a drive letter (`C:`).
    Absolute,
    /// Contains `\`: only `/` separates components, so a path reads the same on every system.
    Backslash,
    /// Has a `..` component, which could climb out of its directory.
    ParentComponent,
    /// `.` or an empty component (`a//b`, trailing `/`): refused so every
    /// file has exactly one spelling and duplicates cannot hide.
    NotNormal,
}

impl PathRule {
    /// The rule as the end of a sentence starting with the path (`"the path {explain}"`), with the fix.
    pub fn explain(self) -> &'static str {
        match self {
            PathRule::Empty => "is empty",
            PathRule::Absolute => "is absolute; write it relative, with `/` separators",
            PathRule::Backslash => "uses `\\`, which is not a separator on Linux; write `/` separators",
            PathRule::ParentComponent => "contains `..`; paths may not climb out of their directory",
            PathRule::NotNormal => "has a `.` or empty component; write it as plain `dir/file` names",
        }
    }
}

/// Checks a relative path as written in the registry, `asset.json` or
/// `cartridge.toml`: one spelling per file, never leaving its directory.
pub fn check_relative(path: &str) -> Result<(), PathRule> {
    if path.is_empty() {
        return Err(PathRule::Empty);
    }
    if path.contains('\\') {
        return Err(PathRule::Backslash);
    }
    if path.starts_with('/') || looks_like_drive(path) {
        return Err(PathRule::Absolute);
    }
    for component in path.split('/') {
        match component {
            ".." => return Err(PathRule::ParentComponent),
            "" | "." => return Err(PathRule::NotNormal),
            _ => {}
        }
    }
    Ok(())
}

fn looks_like_drive(path: &str) -> bool {
    let b = path.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

/// What kind of JSON value this is, as a sentence says it ("a string").
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_u64() => "a non-negative integer",
        Value::Number(n) if n.is_i64() => "a negative integer",
        Value::Number(_) => "a floating-point number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The keys of struct `T` in declaration order, as serde reads them (renames
/// included): the accepted keys of that object.
pub fn field_names<T: serde::de::DeserializeOwned>() -> &'static [&'static str] {
    let mut capture = FieldNames(&[]);
    // The capture always answers with an error once it has the names.
    let _ = T::deserialize(&mut capture);
    capture.0
}

/// A deserializer that only records the field list serde hands a struct.
struct FieldNames(&'static [&'static str]);

impl<'de> serde::Deserializer<'de> for &mut FieldNames {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(serde::de::Error::custom("only structs have field names"))
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        self.0 = fields;
        Err(serde::de::Error::custom("field names captured"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_is_dropped_once_and_only_at_the_start() {
        assert_eq!(without_bom(b"\xEF\xBB\xBF{}"), b"{}");
        assert_eq!(without_bom(b"\xEF\xBB\xBF\xEF\xBB\xBF{}"), b"\xEF\xBB\xBF{}", "one mark, not every mark");
        assert_eq!(without_bom(b"{}\xEF\xBB\xBF"), b"{}\xEF\xBB\xBF");
        assert_eq!(without_bom(b"\xEF\xBB"), b"\xEF\xBB", "a partial mark is content");
        assert_eq!(without_bom(b""), b"");
    }

    #[test]
    fn relative_rules() {
        assert_eq!(check_relative("hero/tiles/a.png"), Ok(()));
        assert_eq!(check_relative(""), Err(PathRule::Empty));
        assert_eq!(check_relative("/etc"), Err(PathRule::Absolute));
        assert_eq!(check_relative("C:/x"), Err(PathRule::Absolute));
        assert_eq!(check_relative("a\\b"), Err(PathRule::Backslash));
        assert_eq!(check_relative("a/../b"), Err(PathRule::ParentComponent));
        assert_eq!(check_relative("./a"), Err(PathRule::NotNormal));
        assert_eq!(check_relative("a//b"), Err(PathRule::NotNormal));
        assert_eq!(check_relative("a/"), Err(PathRule::NotNormal));
    }

    #[test]
    fn suggestions_are_close_or_a_prefix() {
        let accepted = ["title", "app_version", "capabilities"];
        assert_eq!(did_you_mean("titel", &accepted), Some("title"));
        assert_eq!(did_you_mean("capab", &accepted), Some("capabilities"));
        assert_eq!(did_you_mean("capbailities", &accepted), Some("capabilities"));
        assert_eq!(did_you_mean("inclued", &["root", "included_in_build"]), Some("included_in_build"));
        assert_eq!(did_you_mean("ca", &accepted), None);
        assert_eq!(did_you_mean("zzzzzz", &accepted), None);
    }

    #[test]
    fn one_sentence_per_finding() {
        let object = serde_json::json!({"nmae": 1, "name": 2});
        let found = unknown_json_keys(object.as_object().unwrap(), &["name", "type"]);
        assert_eq!(found, [UnknownKey { key: "nmae", suggestion: Some("name") }]);
        assert_eq!(
            found[0].message("in `asset.json`", &["name", "type"]),
            "unknown key `nmae` in `asset.json`; did you mean `name`? fix its spelling or remove it \
             (accepted keys: name, type)"
        );
        assert_eq!(missing_key_message("asset.json", "type"), "asset.json has no `type`; add it");
        assert_eq!(
            wrong_type_message("name", "a string", &serde_json::json!(5)),
            "`name` must be a string, found a non-negative integer; correct it"
        );
    }

    #[test]
    fn field_names_follow_the_struct_and_its_renames() {
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct Example {
            first: u8,
            #[serde(rename = "$schema")]
            schema: String,
        }
        assert_eq!(super::field_names::<Example>(), ["first", "$schema"]);
        assert_eq!(super::field_names::<u8>(), [] as [&str; 0], "not a struct: no keys");
    }
}
