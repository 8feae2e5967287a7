//! The verifier: every structural rule of a file, as `Violation`s a person can act on.

use std::collections::btree_map::Entry as MapEntry;
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;

use camino::Utf8Path;
use serde_json::{Map, Value};

use crate::canonical;
use crate::header::{Entry, Header, PRELUDE_SIZE, PreloadEntry, Prelude};
use crate::metadata::Metadata;
use crate::violation::{Violation, invalid_input};
use crate::*;

/// What a verified file holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    /// The decoded prelude; every field holds its legal value.
    pub prelude: Prelude,
    /// The parsed header; it passes `check_header` and fits the file.
    pub header: Header,
    /// The header exactly as stored (canonical, since the file verified).
    pub header_bytes: Vec<u8>,
    /// Length of the whole file in bytes: exactly `payload_offset` plus the header's `payload_len`.
    pub file_len: u64,
}

impl Inspection {
    /// Where the payload region starts, from the start of the file.
    pub fn payload_offset(&self) -> u64 {
        u64::from(self.prelude.payload_offset)
    }

    /// The bytes of the file holding `entry`'s payload; `None` only when the
    /// numbers overflow, which a verified file rules out.
    pub fn payload_range(&self, entry: &Entry) -> Option<Range<u64>> {
        payload_range(self.prelude.payload_offset, entry)
    }

    /// Reads `entry`'s payload back from the file at `path` (for `inspect` and tests).
    pub fn read_payload(&self, path: &Utf8Path, entry: &Entry) -> io::Result<Vec<u8>> {
        let range = self.payload_range(entry).filter(|r| r.end <= self.file_len).ok_or_else(|| {
            invalid_input(format!(
                "the payload of asset_id {} lies outside the {}-byte file",
                entry.asset_id, self.file_len
            ))
        })?;
        let mut file = prometeu_shape::open_regular(path.as_std_path())?;
        read_range(&mut file, range)
    }
}

/// The file bytes of an entry's payload, given the prelude's `payload_offset`.
fn payload_range(payload_offset: u32, entry: &Entry) -> Option<Range<u64>> {
    let start = u64::from(payload_offset).checked_add(entry.offset)?;
    let end = start.checked_add(entry.size)?;
    Some(start..end)
}

/// Re-reads the prelude and header of `path` (payload bytes are not needed)
/// and checks every structural rule of `docs/reference/assets-pa.md`.
pub fn verify_file(path: &Utf8Path) -> Result<Inspection, Vec<Violation>> {
    let mut source = FileSource::open(path).map_err(|e| vec![Violation(format!("cannot read {path}: {e}"))])?;
    verify_source(&mut source)
}

/// `verify_file` for a whole file already in memory.
pub fn verify_bytes(bytes: &[u8]) -> Result<Inspection, Vec<Violation>> {
    verify_source(&mut BytesSource(bytes))
}

/// Checks that companion files equal the header parts byte for byte.
pub fn verify_companions(header: &Header, asset_table_json: &[u8], preload_json: &[u8]) -> Vec<Violation> {
    companion_violations(asset_table_json, preload_json, header.asset_table_json(), header.preload_json())
}

/// `verify_companions` for a verified file, whose stored header is canonical
/// and so already holds both parts byte for byte: the asset table is read out
/// of `header_bytes` instead of being serialized again.
pub fn verify_companions_of(inspection: &Inspection, asset_table_json: &[u8], preload_json: &[u8]) -> Vec<Violation> {
    let preload = inspection.header.preload_json();
    let stored = &inspection.header_bytes;
    let (open, middle) = (b"{\"asset_table\":".as_slice(), b",\"preload\":".as_slice());
    let table_end = stored.len().checked_sub(1 + preload.len() + middle.len());
    let table = table_end
        .and_then(|end| stored.get(open.len()..end))
        .filter(|_| stored.starts_with(open) && stored.ends_with(&[middle, &preload, b"}"].concat()));
    match table {
        Some(table) => companion_violations(asset_table_json, preload_json, table.to_vec(), preload),
        None => verify_companions(&inspection.header, asset_table_json, preload_json),
    }
}

fn companion_violations(
    asset_table_json: &[u8],
    preload_json: &[u8],
    expected_table: Vec<u8>,
    expected_preload: Vec<u8>,
) -> Vec<Violation> {
    let companions = [
        ("asset_table.json", "asset_table", asset_table_json, expected_table),
        ("preload.json", "preload", preload_json, expected_preload),
    ];
    companions
        .into_iter()
        .filter(|(_, _, actual, expected)| actual != expected)
        .map(|(file, part, actual, expected)| {
            Violation(format!("{file} differs from the header's `{part}`: {}", first_difference(actual, &expected)))
        })
        .collect()
}

/// Every rule about the header alone: ids, bank types, codecs, the offset
/// chain and the preload list. `verify_*` run it on the file's header and
/// `PaWriter::new` before writing one.
pub fn check_header(header: &Header) -> Vec<Violation> {
    let mut found = Vec::new();
    check_entries(&header.asset_table, &mut found);
    check_preload(header, &mut found);
    found
}

/// Where the verifier reads from. Only the prelude and header are ever read.
trait Source {
    fn len(&self) -> u64;
    /// The bytes in `range`, which the caller has checked lies within `len()`.
    fn read(&mut self, range: Range<u64>) -> io::Result<Vec<u8>>;
}

struct BytesSource<'a>(&'a [u8]);

impl Source for BytesSource<'_> {
    fn len(&self) -> u64 {
        u64::try_from(self.0.len()).unwrap_or(u64::MAX)
    }

    fn read(&mut self, range: Range<u64>) -> io::Result<Vec<u8>> {
        let start = usize::try_from(range.start).ok();
        let end = usize::try_from(range.end).ok();
        let slice = start.zip(end).and_then(|(start, end)| self.0.get(start..end));
        slice.map(<[u8]>::to_vec).ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))
    }
}

struct FileSource {
    file: File,
    len: u64,
}

impl FileSource {
    fn open(path: &Utf8Path) -> io::Result<FileSource> {
        // Non-blocking and type-checked: a FIFO given as a pack is refused at once.
        let file = prometeu_shape::open_regular(path.as_std_path())?;
        let metadata = file.metadata()?;
        Ok(FileSource { file, len: metadata.len() })
    }
}

impl Source for FileSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read(&mut self, range: Range<u64>) -> io::Result<Vec<u8>> {
        read_range(&mut self.file, range)
    }
}

/// Reads exactly `range` of `file`. Memory grows with the bytes that actually
/// arrive, so a file shorter than its metadata claimed cannot inflate it.
fn read_range(file: &mut File, range: Range<u64>) -> io::Result<Vec<u8>> {
    let wanted = range.end.saturating_sub(range.start);
    file.seek(SeekFrom::Start(range.start))?;
    let mut bytes = Vec::with_capacity(usize::try_from(wanted).unwrap_or(0));
    file.take(wanted).read_to_end(&mut bytes)?;
    if u64::try_from(bytes.len()).ok() != Some(wanted) {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("the file ended after {} of the {wanted} bytes at offset {}", bytes.len(), range.start),
        ));
    }
    Ok(bytes)
}

/// The one verification path behind `verify_file` and `verify_bytes`.
fn verify_source(source: &mut dyn Source) -> Result<Inspection, Vec<Violation>> {
    let file_len = source.len();
    let prelude = read_prelude(source, file_len).map_err(|v| vec![v])?;
    let mut found = prelude.check();
    let header_bytes = match read_header(source, &prelude, file_len) {
        Ok(bytes) => bytes,
        Err(v) => {
            found.push(v);
            return Err(found);
        }
    };
    let header = canonical_header(&header_bytes).or_else(|| parse_header(&header_bytes, &mut found));
    if let Some(header) = &header {
        found.extend(check_header(header));
        found.extend(check_layout(header, prelude.payload_offset, file_len));
    }
    match header {
        Some(header) if found.is_empty() => Ok(Inspection { prelude, header, header_bytes, file_len }),
        _ => Err(found),
    }
}

fn read_prelude(source: &mut dyn Source, file_len: u64) -> Result<Prelude, Violation> {
    if file_len < u64::from(PRELUDE_LEN) {
        return Err(Violation(format!("the file is {file_len} bytes, shorter than the {PRELUDE_LEN}-byte prelude")));
    }
    let bytes = source
        .read(0..u64::from(PRELUDE_LEN))
        .map_err(|e| Violation(format!("cannot read the {PRELUDE_LEN}-byte prelude: {e}")))?;
    let bytes = <[u8; PRELUDE_SIZE]>::try_from(bytes)
        .map_err(|b| Violation(format!("read {} bytes of prelude instead of {PRELUDE_LEN}", b.len())))?;
    Ok(Prelude::parse(&bytes))
}

/// The raw header, read only once `header_len` is known to fit in the file,
/// so a hostile length cannot make the verifier allocate more than the file holds.
fn read_header(source: &mut dyn Source, prelude: &Prelude, file_len: u64) -> Result<Vec<u8>, Violation> {
    let start = u64::from(PRELUDE_LEN);
    let end = start + u64::from(prelude.header_len);
    if end > file_len {
        return Err(Violation(format!(
            "header_len {} runs past the end of the file: the header would end at byte {end} \
             but the file is {file_len} bytes",
            prelude.header_len
        )));
    }
    source.read(start..end).map_err(|e| Violation(format!("cannot read the {}-byte header: {e}", prelude.header_len)))
}

/// Decodes the header and checks its encoding, canonical form and shape.
/// `None` when the header cannot be turned into a `Header` at all.
/// The header read straight into its types, accepted only when writing it
/// back canonically gives exactly `bytes`. Then `parse_header` would find
/// nothing either (a missing, extra, mistyped or duplicate key, an escape
/// or a float all make the bytes differ or the typed read fail), so this
/// is the same verdict without holding the whole header as a JSON tree;
/// anything else takes `parse_header`, which says what is wrong.
fn canonical_header(bytes: &[u8]) -> Option<Header> {
    let header: Header = serde_json::from_slice(bytes).ok()?;
    (header.canonical() == bytes).then_some(header)
}

fn parse_header(bytes: &[u8], found: &mut Vec<Violation>) -> Option<Header> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.valid_up_to();
            found.push(Violation(format!(
                "header is not valid UTF-8: invalid byte at header byte {at} (file byte {})",
                u64::from(PRELUDE_LEN) + u64::try_from(at).unwrap_or(u64::MAX)
            )));
            return None;
        }
    };
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(e) => {
            found.push(Violation(format!("header is not valid JSON: {e}")));
            return None;
        }
    };
    found.extend(check_canonical(&value, bytes));
    header_from_json(value, found)
}

fn check_canonical(value: &Value, bytes: &[u8]) -> Option<Violation> {
    match canonical::to_vec(value) {
        Err(canonical::FloatAt(at)) => Some(Violation(format!(
            "header is not canonical JSON: the number at `{at}` is not a 64-bit integer (the header is integer-only)"
        ))),
        Ok(canonical) if canonical != bytes => {
            Some(Violation(format!("header is not canonical JSON: {}", first_difference(bytes, &canonical))))
        }
        Ok(_) => None,
    }
}

/// Says where `actual` first departs from `expected`, with a little context.
fn first_difference(actual: &[u8], expected: &[u8]) -> String {
    let at = actual.iter().zip(expected).position(|(a, e)| a != e).unwrap_or(actual.len().min(expected.len()));
    format!(
        "it is {} bytes where {} were expected, and first differs at byte {at}: it has {} where {} belongs",
        actual.len(),
        expected.len(),
        excerpt(actual, at),
        excerpt(expected, at)
    )
}

/// Up to 16 bytes from `at`, for a message.
fn excerpt(bytes: &[u8], at: usize) -> String {
    let end = at.saturating_add(16).min(bytes.len());
    match bytes.get(at..end) {
        Some(part) if !part.is_empty() => format!("`{}`", escape_controls(&String::from_utf8_lossy(part))),
        _ => "the end".to_owned(),
    }
}

/// Converts the parsed header, consuming it: each entry's JSON tree is freed
/// as soon as it is converted, so the header is never held twice.
fn header_from_json(value: Value, found: &mut Vec<Violation>) -> Option<Header> {
    let Value::Object(mut root) = value else {
        found.push(Violation(format!(
            "header must be a JSON object {{\"asset_table\":[…],\"preload\":[…]}}, found {}",
            describe(&value)
        )));
        return None;
    };
    check_keys("the header", &root, HEADER_KEYS, found);
    let mut fields = Fields::new("the header".to_owned(), &root, found);
    let (table_ok, preload_ok) = (fields.array("asset_table").is_some(), fields.array("preload").is_some());
    let mut take = |key: &str, ok: bool| match root.remove(key) {
        Some(Value::Array(items)) if ok => Some(items),
        _ => None,
    };
    let (table, preload) = (take("asset_table", table_ok), take("preload", preload_ok));
    let asset_table = collect_all(table, |index, item| entry_from_json(index, item, found));
    let preload = collect_all(preload, |index, item| preload_from_json(index, item, found));
    Some(Header { asset_table: asset_table?, preload: preload? })
}

/// Converts every item (so each one's problems are reported), then `Some`
/// only if all converted.
fn collect_all<T>(items: Option<Vec<Value>>, mut convert: impl FnMut(usize, Value) -> Option<T>) -> Option<Vec<T>> {
    let converted: Vec<Option<T>> = items?.into_iter().enumerate().map(|(index, item)| convert(index, item)).collect();
    converted.into_iter().collect()
}

fn entry_from_json(index: usize, value: Value, found: &mut Vec<Violation>) -> Option<Entry> {
    let what = format!("asset_table entry {index}");
    let Value::Object(map) = value else {
        found.push(Violation(format!("{what} must be an object, found {}", describe(&value))));
        return None;
    };
    check_keys(&what, &map, ENTRY_KEYS, found);
    let mut fields = Fields::new(what, &map, found);
    let mut entry = Entry {
        asset_id: fields.u32("asset_id"),
        asset_name: fields.string("asset_name"),
        bank_type: fields.string("bank_type").into(),
        codec: fields.string("codec").into(),
        offset: fields.u64("offset"),
        size: fields.u64("size"),
        decoded_size: fields.u64("decoded_size"),
        metadata: Metadata::empty(),
    };
    let metadata = fields.read("metadata", "an object", Value::as_object).map(Metadata::from_map);
    let complete = fields.complete();
    // A float was reported by the canonical check; such an entry has no typed form.
    match metadata {
        Some(Ok(metadata)) => entry.metadata = metadata,
        _ => return None,
    }
    complete.then_some(entry)
}

fn preload_from_json(index: usize, value: Value, found: &mut Vec<Violation>) -> Option<PreloadEntry> {
    let what = format!("preload entry {index}");
    let Some(map) = value.as_object() else {
        found.push(Violation(format!("{what} must be an object, found {}", describe(&value))));
        return None;
    };
    check_keys(&what, map, PRELOAD_ENTRY_KEYS, found);
    let mut fields = Fields::new(what, map, found);
    let entry = PreloadEntry { asset_id: fields.u32("asset_id"), slot: fields.u32("slot") };
    fields.complete().then_some(entry)
}

/// Reports keys outside `allowed`. Missing keys are reported by `Fields`.
fn check_keys(what: &str, map: &Map<String, Value>, allowed: &[&str], found: &mut Vec<Violation>) {
    for unknown in prometeu_shape::unknown_json_keys(map, allowed) {
        found.push(Violation(format!(
            "{what} has the unknown key {}; {}its keys are exactly {}",
            describe_str(unknown.key),
            prometeu_shape::hint(unknown.suggestion),
            allowed.join(", ")
        )));
    }
}

/// Typed reads from one JSON object. A missing or mistyped field is reported
/// and read as a placeholder, so every field is checked in one pass; `complete`
/// then tells whether the result is real.
struct Fields<'m, 'f> {
    what: String,
    map: &'m Map<String, Value>,
    found: &'f mut Vec<Violation>,
    complete: bool,
}

impl<'m, 'f> Fields<'m, 'f> {
    fn new(what: String, map: &'m Map<String, Value>, found: &'f mut Vec<Violation>) -> Fields<'m, 'f> {
        Fields { what, map, found, complete: true }
    }

    fn complete(&self) -> bool {
        self.complete
    }

    fn read<T>(&mut self, key: &str, expected: &str, convert: impl FnOnce(&'m Value) -> Option<T>) -> Option<T> {
        let Some(value) = self.map.get(key) else {
            self.complete = false;
            self.found.push(Violation(format!("{} is missing `{key}`", self.what)));
            return None;
        };
        let converted = convert(value);
        if converted.is_none() {
            self.complete = false;
            self.found.push(Violation(format!("{}: `{key}` must be {expected}, found {}", self.what, describe(value))));
        }
        converted
    }

    fn u32(&mut self, key: &str) -> u32 {
        let expected = format!("an integer from 0 to {}", u32::MAX);
        self.read(key, &expected, |v| u32::try_from(v.as_u64()?).ok()).unwrap_or_default()
    }

    fn u64(&mut self, key: &str) -> u64 {
        let expected = format!("an integer from 0 to {}", u64::MAX);
        self.read(key, &expected, Value::as_u64).unwrap_or_default()
    }

    fn string(&mut self, key: &str) -> String {
        self.read(key, "a string", Value::as_str).map(str::to_owned).unwrap_or_default()
    }

    fn array(&mut self, key: &str) -> Option<&'m Vec<Value>> {
        self.read(key, "an array", Value::as_array)
    }
}

/// Control characters as escapes, so a message stays on one line.
fn escape_controls(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { c.escape_debug().to_string() } else { c.to_string() }).collect()
}

/// A JSON value in a few words, for messages.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("the string {}", describe_str(s)),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

/// A quoted, escaped and shortened string: headers are untrusted.
fn describe_str(s: &str) -> String {
    const MAX_CHARS: usize = 40;
    let shown: String = s.chars().take(MAX_CHARS).collect();
    let more = if s.chars().nth(MAX_CHARS).is_some() { "…" } else { "" };
    format!("\"{}\"{more}", shown.escape_debug())
}

/// `entry 3 (asset_id 7)`: how messages name an asset table entry.
fn entry_name(index: usize, entry: &Entry) -> String {
    format!("entry {index} (asset_id {})", entry.asset_id)
}

fn legal_bank_type(bank_type: &str) -> bool {
    BANK_TYPES.contains(&bank_type)
}

fn check_entries(table: &[Entry], found: &mut Vec<Violation>) {
    let mut previous: Option<&Entry> = None;
    for (index, entry) in table.iter().enumerate() {
        let who = entry_name(index, entry);
        if !legal_bank_type(&entry.bank_type) {
            let legal = BANK_TYPES;
            found.push(Violation(format!(
                "{who} has bank_type {} but it must be one of {}",
                describe_str(&entry.bank_type),
                legal.join(", ")
            )));
        }
        if entry.codec != CODEC_NONE {
            found.push(Violation(format!(
                "{who} has codec {} but the only codec is {CODEC_NONE}",
                describe_str(&entry.codec)
            )));
        }
        if entry.offset.checked_add(entry.size).is_none() {
            found.push(Violation(format!(
                "{who} has offset {} and size {}, whose sum overflows 64 bits",
                entry.offset, entry.size
            )));
        }
        match previous {
            None if entry.offset != 0 => found.push(Violation(format!(
                "{who} starts at offset {} but the first payload must start at offset 0",
                entry.offset
            ))),
            None => {}
            Some(prev) => check_successor(&who, prev, entry, found),
        }
        previous = Some(entry);
    }
}

/// The rules between two neighbouring entries: increasing ids, contiguous payloads.
fn check_successor(who: &str, prev: &Entry, entry: &Entry, found: &mut Vec<Violation>) {
    if entry.asset_id <= prev.asset_id {
        found.push(Violation(format!("{who} follows asset_id {}, but asset_id must strictly increase", prev.asset_id)));
    }
    if let Some(prev_end) = prev.offset.checked_add(prev.size)
        && entry.offset != prev_end
    {
        found.push(Violation(format!(
            "{who} starts at offset {} but the previous entry ends at {prev_end}",
            entry.offset
        )));
    }
}

fn check_preload(header: &Header, found: &mut Vec<Violation>) {
    // The bank of each asset a preload entry names, and of no other: a map of
    // the whole table was about 5 MiB at 100k assets, at the writer's peak.
    let named: BTreeSet<u32> = header.preload.iter().map(|p| p.asset_id).collect();
    let bank_of: BTreeMap<u32, &str> = header
        .asset_table
        .iter()
        .filter(|e| named.contains(&e.asset_id))
        .map(|e| (e.asset_id, &*e.bank_type))
        .collect();
    // (bank type, slot) → the first preload entry using it, as (index, asset_id).
    let mut slot_users: BTreeMap<(&str, u32), (usize, u32)> = BTreeMap::new();
    let mut previous: Option<u32> = None;
    for (index, preload) in header.preload.iter().enumerate() {
        let who = format!("preload entry {index} (asset_id {})", preload.asset_id);
        if let Some(prev) = previous
            && preload.asset_id <= prev
        {
            found.push(Violation(format!(
                "{who} follows asset_id {prev}, but preload asset_ids must strictly increase"
            )));
        }
        if preload.slot >= PRELOAD_SLOTS {
            found.push(Violation(format!(
                "{who} uses slot {} but slots run from 0 to {}",
                preload.slot,
                PRELOAD_SLOTS - 1
            )));
        }
        match bank_of.get(&preload.asset_id) {
            None => found.push(Violation(format!("{who} names an asset that is not in the asset table"))),
            Some(&bank) => match slot_users.entry((bank, preload.slot)) {
                MapEntry::Vacant(vacant) => {
                    vacant.insert((index, preload.asset_id));
                }
                MapEntry::Occupied(occupied) => {
                    let (first, first_id) = *occupied.get();
                    found.push(Violation(format!(
                        "preload entries {first} (asset_id {first_id}) and {index} (asset_id {}) both use {bank} slot {}",
                        preload.asset_id, preload.slot
                    )));
                }
            },
        }
        previous = Some(preload.asset_id);
    }
}

/// Rules that tie the header to the file: payloads in bounds, exact length.
fn check_layout(header: &Header, payload_offset: u32, file_len: u64) -> Vec<Violation> {
    let mut found = Vec::new();
    for (index, entry) in header.asset_table.iter().enumerate() {
        let who = entry_name(index, entry);
        match payload_range(payload_offset, entry) {
            Some(range) if range.end <= file_len => {}
            Some(range) => found.push(Violation(format!(
                "{who} has its payload at file bytes {}..{} but the file is {file_len} bytes long",
                range.start, range.end
            ))),
            None => found.push(Violation(format!(
                "{who} has its payload beyond any file: payload_offset {payload_offset} + offset {} + size {} \
                 overflows 64 bits",
                entry.offset, entry.size
            ))),
        }
    }
    let sizes = header.asset_table.iter().try_fold(0u64, |sum, e| sum.checked_add(e.size));
    match sizes.and_then(|sizes| Some((sizes, sizes.checked_add(u64::from(payload_offset))?))) {
        Some((_, expected)) if expected == file_len => {}
        Some((sizes, expected)) => found.push(Violation(format!(
            "the file is {file_len} bytes but payload_offset {payload_offset} + the payload sizes {sizes} \
             = {expected}"
        ))),
        None => found.push(Violation(format!("the payload sizes add up past 64 bits; the file is {file_len} bytes"))),
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::to_json;
    use crate::violation::join;
    use serde_json::json;

    fn entry(asset_id: u32, bank_type: &str, offset: u64, size: u64) -> Entry {
        Entry {
            asset_id,
            asset_name: format!("a{asset_id}"),
            bank_type: bank_type.to_owned().into(),
            codec: CODEC_NONE.into(),
            offset,
            size,
            decoded_size: size,
            metadata: Metadata::empty(),
        }
    }

    fn messages(found: &[Violation]) -> String {
        join(found)
    }

    #[test]
    fn prelude_round_trips_through_bytes() {
        let prelude = Prelude::for_header_len(100).unwrap();
        assert_eq!(prelude.payload_offset, 124);
        let bytes = prelude.to_bytes();
        assert_eq!(&bytes[..4], b"PMTA");
        assert_eq!(&bytes[8..12], &100u32.to_le_bytes());
        assert_eq!(Prelude::parse(&bytes), prelude);
        assert!(prelude.check().is_empty());
    }

    #[test]
    fn header_len_that_does_not_fit_u32_is_an_error() {
        let largest = usize::try_from(u32::MAX - PRELUDE_LEN).unwrap();
        assert_eq!(Prelude::for_header_len(largest).unwrap().payload_offset, u32::MAX);
        for too_long in [largest + 1, usize::try_from(u32::MAX).unwrap(), usize::MAX] {
            let err = Prelude::for_header_len(too_long).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
            assert!(err.to_string().contains("at most 4294967271 bytes"), "{err}");
        }
    }

    #[test]
    fn key_constants_match_the_serialized_types() {
        let keys = |v: Value| {
            let mut k = v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
            k.sort();
            k
        };
        let sorted = |k: &[&str]| {
            let mut k: Vec<String> = k.iter().map(|s| s.to_string()).collect();
            k.sort();
            k
        };
        assert_eq!(keys(to_json(&entry(1, "GLYPH", 0, 0))), sorted(ENTRY_KEYS));
        assert_eq!(keys(to_json(&PreloadEntry { asset_id: 1, slot: 0 })), sorted(PRELOAD_ENTRY_KEYS));
        assert_eq!(keys(to_json(&Header { asset_table: vec![], preload: vec![] })), sorted(HEADER_KEYS));
    }

    #[test]
    fn companions_are_the_header_parts() {
        let header = Header {
            asset_table: vec![entry(2, "SOUNDS", 0, 4)],
            preload: vec![PreloadEntry { asset_id: 2, slot: 3 }],
        };
        let whole = String::from_utf8(header.canonical()).unwrap();
        let table = String::from_utf8(header.asset_table_json()).unwrap();
        let preload = String::from_utf8(header.preload_json()).unwrap();
        assert_eq!(whole, format!("{{\"asset_table\":{table},\"preload\":{preload}}}"));
        assert_eq!(preload, r#"[{"asset_id":2,"slot":3}]"#);
    }

    #[test]
    fn the_typed_writer_is_canonical_json_of_the_same_header() {
        let mut e = entry(1, "GLYPH", 7, 9);
        e.asset_name = "a\"b\\c\u{1}é".into();
        let nested = json!({"z": 1, "pipeline": {"palettes": [{"index": 0}]}, "a": -3});
        e.metadata = Metadata::from_map(nested.as_object().unwrap()).unwrap();
        let header = Header {
            asset_table: vec![e, entry(4, "SOUNDS", 16, 2)],
            preload: vec![PreloadEntry { asset_id: 4, slot: 15 }],
        };
        assert_eq!(header.canonical(), canonical::to_vec(&to_json(&header)).unwrap());
        assert_eq!(canonical_header(&header.canonical()), Some(header), "and reads back into the same types");
    }

    #[test]
    fn a_float_in_a_read_header_is_named() {
        let bytes = br#"{"asset_table":[{"asset_id":1,"asset_name":"a","bank_type":"GLYPH","codec":"NONE","decoded_size":0,"metadata":{"gain":0.5},"offset":0,"size":0}],"preload":[]}"#;
        let found = parse_and_check(bytes);
        assert!(messages(&found).contains("`/asset_table/0/metadata/gain` is not a 64-bit integer"), "{found:?}");
        assert_eq!(canonical_header(bytes), None);
    }

    fn parse_and_check(bytes: &[u8]) -> Vec<Violation> {
        let mut found = Vec::new();
        if let Some(header) = parse_header(bytes, &mut found) {
            found.extend(check_header(&header));
        }
        found
    }

    #[test]
    fn payload_len_saturates_instead_of_overflowing() {
        let header =
            Header { asset_table: vec![entry(1, "GLYPH", 0, u64::MAX), entry(2, "GLYPH", 0, 2)], preload: vec![] };
        assert_eq!(header.payload_len(), u64::MAX);
    }

    #[test]
    fn offset_chain_follows_declared_offsets() {
        let table = [entry(1, "GLYPH", 0, 10), entry(2, "GLYPH", 12, 4), entry(3, "SOUNDS", 16, 1)];
        let mut found = Vec::new();
        check_entries(&table, &mut found);
        assert_eq!(
            found,
            vec![Violation("entry 1 (asset_id 2) starts at offset 12 but the previous entry ends at 10".into())]
        );
    }

    #[test]
    fn overflowing_sizes_are_violations_not_panics() {
        let header = Header {
            asset_table: vec![entry(1, "GLYPH", 0, u64::MAX), entry(2, "GLYPH", u64::MAX, u64::MAX)],
            preload: vec![],
        };
        let found = messages(&check_header(&header));
        assert!(found.contains("whose sum overflows 64 bits"), "{found}");
        let layout = messages(&check_layout(&header, 30, 100));
        assert!(layout.contains("overflows 64 bits"), "{layout}");
        assert!(layout.contains("add up past 64 bits"), "{layout}");
    }

    #[test]
    fn shape_problems_are_all_reported() {
        let header = br#"{"asset_table":[{"asset_id":-1,"bank_type":7,"codec":"NONE","decoded_size":0,"extra":1,"metadata":[],"offset":0,"size":0}],"preload":[{"asset_id":1}],"x":0}"#;
        let found = messages(&parse_and_check(header));
        for expected in [
            "the header has the unknown key \"x\"",
            "asset_table entry 0: `asset_id` must be an integer from 0 to 4294967295, found -1",
            "asset_table entry 0 is missing `asset_name`",
            "asset_table entry 0: `bank_type` must be a string, found 7",
            "asset_table entry 0 has the unknown key \"extra\"",
            "asset_table entry 0: `metadata` must be an object, found an array",
            "preload entry 0 is missing `slot`",
        ] {
            assert!(found.contains(expected), "missing {expected:?} in {found}");
        }
    }

    #[test]
    fn describe_str_escapes_and_shortens() {
        assert_eq!(describe_str("a\"\n"), r#""a\"\n""#);
        assert_eq!(describe_str(&"é".repeat(50)), format!("\"{}\"…", "é".repeat(40)));
    }
}
