//! The prelude and the header: the format's fixed-size start and its
//! canonical JSON table of contents.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::io::{self, Write};

use crate::metadata::Metadata;
use crate::violation::{Violation, hex, invalid_input, printable};
use crate::{FLAGS, MAGIC, PRELUDE_LEN, RESERVED, SCHEMA_VERSION};

/// `PRELUDE_LEN` as an array length.
pub(crate) const PRELUDE_SIZE: usize = PRELUDE_LEN as usize;

/// One asset table entry (fixed fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Registry id of the asset (at least 1); the table is sorted by it, strictly increasing, gaps kept.
    pub asset_id: u32,
    /// The declaration's `name`: 1–64 characters of `A-Z a-z 0-9 _ - .`, unique in the pack.
    pub asset_name: String,
    /// Runtime bank the payload loads into: `GLYPH_BANK_TYPE` or `SOUND_BANK_TYPE` (fixed).
    /// (Borrowed from those constants when planned, owned when read from a file: a pack plans
    /// one entry per asset, and a copy of the same few bytes in each adds up.)
    pub bank_type: Cow<'static, str>,
    /// Payload compression; v1 accepts only `CODEC_NONE` (fixed); held as `bank_type` is.
    pub codec: Cow<'static, str>,
    /// Start of this payload in bytes, relative to `payload_offset`: 0 for the first entry, then back to back.
    pub offset: u64,
    /// Payload length in bytes as stored in the file; the next entry's `offset` is `offset + size`.
    pub size: u64,
    /// Bytes the asset occupies once resident in the runtime (per family; may exceed `size`).
    pub decoded_size: u64,
    /// The asset's converged metadata (declared, `codec`, `pipeline` and derived keys); integers only.
    pub metadata: Metadata,
}

/// One preload entry (keys local).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreloadEntry {
    /// An `asset_id` of the asset table; preload entries are sorted by it, strictly increasing.
    pub asset_id: u32,
    /// Runtime slot the asset is loaded into at start, `0..PRELOAD_SLOTS`; unique per bank type.
    pub slot: u32,
}

/// The JSON header between the prelude and the payloads: exactly the keys in `HEADER_KEYS`,
/// written as canonical JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// One entry per packed asset, in strictly increasing `asset_id`; payloads laid out in this order.
    pub asset_table: Vec<Entry>,
    /// Assets the runtime loads at start, in strictly increasing `asset_id`; may be empty.
    pub preload: Vec<PreloadEntry>,
}

/// The decoded prelude: the file's first `PRELUDE_LEN` bytes, the magic then five u32 little-endian fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Prelude {
    /// File signature at offset 0; `MAGIC` (`PMTA`) in a valid file.
    pub magic: [u8; 4],
    /// Format version at offset 4; `SCHEMA_VERSION` in a valid file.
    pub schema_version: u32,
    /// Length of the canonical JSON header in bytes, at offset 8.
    pub header_len: u32,
    /// Start of the payload region from the start of the file, at offset 12: `PRELUDE_LEN + header_len`.
    pub payload_offset: u32,
    /// Flag bits at offset 16; `FLAGS` (0) in v1, which defines none.
    pub flags: u32,
    /// Reserved word at offset 20; `RESERVED` (0) in v1.
    pub reserved: u32,
}

impl Prelude {
    /// The prelude of a file whose canonical header is `header_len` bytes.
    /// Fails when `header_len` or `payload_offset` would not fit their u32 fields.
    pub fn for_header_len(header_len: usize) -> io::Result<Prelude> {
        let fields = u32::try_from(header_len).ok().and_then(|len| Some((len, len.checked_add(PRELUDE_LEN)?)));
        let Some((header_len_u32, payload_offset)) = fields else {
            return Err(invalid_input(format!(
                "the header is {header_len} bytes, but an assets.pa v1 header holds at most {} bytes \
                 (header_len and payload_offset are u32)",
                u32::MAX - PRELUDE_LEN
            )));
        };
        Ok(Prelude {
            magic: MAGIC,
            schema_version: SCHEMA_VERSION,
            header_len: header_len_u32,
            payload_offset,
            flags: FLAGS,
            reserved: RESERVED,
        })
    }

    /// Decodes the six fields; whether they hold legal values is `check`'s job.
    pub fn parse(bytes: &[u8; PRELUDE_SIZE]) -> Prelude {
        let field = |n: usize| u32::from_le_bytes([bytes[4 * n], bytes[4 * n + 1], bytes[4 * n + 2], bytes[4 * n + 3]]);
        Prelude {
            magic: [bytes[0], bytes[1], bytes[2], bytes[3]],
            schema_version: field(1),
            header_len: field(2),
            payload_offset: field(3),
            flags: field(4),
            reserved: field(5),
        }
    }

    /// The 24 prelude bytes: `magic`, then the five other fields as u32 little-endian, in field order.
    /// Writes the values as they are; `check` says whether they are legal.
    pub fn to_bytes(&self) -> [u8; PRELUDE_SIZE] {
        let mut bytes = [0; PRELUDE_SIZE];
        bytes[..4].copy_from_slice(&self.magic);
        let fields = [self.schema_version, self.header_len, self.payload_offset, self.flags, self.reserved];
        for (chunk, field) in bytes[4..].chunks_exact_mut(4).zip(fields) {
            chunk.copy_from_slice(&field.to_le_bytes());
        }
        bytes
    }

    /// Every prelude rule that does not need the rest of the file.
    pub fn check(&self) -> Vec<Violation> {
        let mut found = Vec::new();
        if self.magic != MAGIC {
            found.push(Violation(format!(
                "magic is {} ({}) but an assets.pa starts with {} ({})",
                hex(&self.magic),
                printable(&self.magic),
                hex(&MAGIC),
                printable(&MAGIC)
            )));
        }
        if self.schema_version != SCHEMA_VERSION {
            found.push(Violation(format!(
                "schema_version is {} but this format is version {SCHEMA_VERSION}",
                self.schema_version
            )));
        }
        if self.flags != FLAGS {
            found.push(Violation(format!(
                "flags is {:#010x} but version {SCHEMA_VERSION} requires {FLAGS}",
                self.flags
            )));
        }
        if self.reserved != RESERVED {
            found.push(Violation(format!(
                "reserved is {:#010x} but version {SCHEMA_VERSION} requires {RESERVED}",
                self.reserved
            )));
        }
        let expected_offset = u64::from(PRELUDE_LEN) + u64::from(self.header_len);
        if u64::from(self.payload_offset) != expected_offset {
            found.push(Violation(format!(
                "payload_offset is {} but it must be {PRELUDE_LEN} + header_len ({}) = {expected_offset}",
                self.payload_offset, self.header_len
            )));
        }
        found
    }
}

impl Header {
    /// The canonical header bytes `{"asset_table":[…],"preload":[…]}`,
    /// written entry by entry from the typed fields (`"asset_table"` sorts
    /// before `"preload"`, and each entry's keys are written in byte order),
    /// with each entry's metadata already canonical text: no JSON tree is
    /// built, however large the table.
    pub fn canonical(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_canonical(&mut out).expect("writing to memory cannot fail");
        out
    }

    /// `canonical`, streamed into `out`.
    pub fn write_canonical(&self, out: &mut impl Write) -> io::Result<()> {
        out.write_all(b"{\"asset_table\":")?;
        self.write_asset_table_json(out)?;
        out.write_all(b",\"preload\":")?;
        self.write_preload_json(out)?;
        out.write_all(b"}")
    }

    /// The length of `canonical`, counted without holding it.
    pub fn canonical_len(&self) -> usize {
        let mut counter = Counter(0);
        self.write_canonical(&mut counter).expect("counting cannot fail");
        counter.0
    }

    /// `build/asset_table.json`: the `asset_table` value, canonical.
    pub fn asset_table_json(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_asset_table_json(&mut out).expect("writing to memory cannot fail");
        out
    }

    /// `build/preload.json`: the `preload` value, canonical.
    pub fn preload_json(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_preload_json(&mut out).expect("writing to memory cannot fail");
        out
    }

    /// `asset_table_json`, streamed into `out`.
    pub fn write_asset_table_json(&self, out: &mut impl Write) -> io::Result<()> {
        write_array(&self.asset_table, out, |e, out| {
            // Keys in byte order: asset_id, asset_name, bank_type, codec, decoded_size, metadata, offset, size.
            write!(out, "{{\"asset_id\":{},\"asset_name\":", e.asset_id)?;
            write_string(out, &e.asset_name)?;
            out.write_all(b",\"bank_type\":")?;
            write_string(out, &e.bank_type)?;
            out.write_all(b",\"codec\":")?;
            write_string(out, &e.codec)?;
            write!(
                out,
                ",\"decoded_size\":{},\"metadata\":{},\"offset\":{},\"size\":{}}}",
                e.decoded_size,
                e.metadata.as_str(),
                e.offset,
                e.size
            )
        })
    }

    /// `preload_json`, streamed into `out`.
    pub fn write_preload_json(&self, out: &mut impl Write) -> io::Result<()> {
        write_array(&self.preload, out, |p, out| write!(out, "{{\"asset_id\":{},\"slot\":{}}}", p.asset_id, p.slot))
    }

    /// Sum of all entry sizes, saturating: a header whose sizes overflow u64
    /// breaks the format, and `check_header` says so.
    pub fn payload_len(&self) -> u64 {
        self.asset_table.iter().fold(0, |sum, e| sum.saturating_add(e.size))
    }
}

#[cfg(test)]
pub(crate) fn to_json<T: Serialize>(value: &T) -> serde_json::Value {
    // The header types hold only integers, strings and canonical metadata,
    // which always convert.
    serde_json::to_value(value).expect("header types always convert to JSON")
}

/// `[item,item,…]`, each written by `write`. Integers are written by
/// `Display`, which is their canonical form.
fn write_array<T, W: Write>(items: &[T], out: &mut W, write: impl Fn(&T, &mut W) -> io::Result<()>) -> io::Result<()> {
    out.write_all(b"[")?;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write(item, out)?;
    }
    out.write_all(b"]")
}

/// A JSON string, escaped as canonical JSON escapes strings (serde_json's compact writer).
fn write_string(out: &mut impl Write, value: &str) -> io::Result<()> {
    serde_json::to_writer(out, value).map_err(io::Error::from)
}

/// Counts what is written to it.
struct Counter(usize);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
