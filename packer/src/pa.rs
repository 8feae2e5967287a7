//! The `assets.pa` v1 format: prelude, canonical JSON header, payloads; a
//! streaming writer and a verifier that re-reads a file and checks every
//! structural rule (used before promotion and by `inspect`).

use std::io::Write;

use camino::Utf8Path;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Prelude magic (local): ASCII `PMTA`.
pub const MAGIC: [u8; 4] = *b"PMTA";
pub const SCHEMA_VERSION: u32 = 1;
/// Prelude length in bytes (local: six u32 little-endian fields).
pub const PRELUDE_LEN: u32 = 24;
pub const FLAGS: u32 = 0;
pub const RESERVED: u32 = 0;
/// The only codec upstream accepts.
pub const CODEC_NONE: &str = "NONE";

/// One asset table entry (upstream fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub asset_id: u32,
    pub asset_name: String,
    pub bank_type: String,
    pub codec: String,
    /// Relative to `payload_offset`.
    pub offset: u64,
    pub size: u64,
    pub decoded_size: u64,
    pub metadata: Map<String, Value>,
}

/// One preload entry (keys local).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreloadEntry {
    pub asset_id: u32,
    pub slot: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub asset_table: Vec<Entry>,
    pub preload: Vec<PreloadEntry>,
}

/// The decoded prelude.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Prelude {
    pub magic: [u8; 4],
    pub schema_version: u32,
    pub header_len: u32,
    pub payload_offset: u32,
    pub flags: u32,
    pub reserved: u32,
}

impl Header {
    /// The canonical header bytes `{"asset_table":[…],"preload":[…]}`.
    pub fn canonical(&self) -> Vec<u8> {
        todo!("canonical header")
    }

    /// `build/asset_table.json`: the `asset_table` value, canonical.
    pub fn asset_table_json(&self) -> Vec<u8> {
        todo!("asset_table.json")
    }

    /// `build/preload.json`: the `preload` value, canonical.
    pub fn preload_json(&self) -> Vec<u8> {
        todo!("preload.json")
    }

    /// Sum of all entry sizes.
    pub fn payload_len(&self) -> u64 {
        self.asset_table.iter().map(|e| e.size).sum()
    }
}

/// Streams an `assets.pa`: prelude and header at `new`, then each asset's
/// payload in table order via `payload`, and `finish` checks nothing is missing.
pub struct PaWriter<W: Write> {
    out: W,
}

impl<W: Write> PaWriter<W> {
    pub fn new(out: W, header: &Header) -> std::io::Result<PaWriter<W>> {
        let _ = header;
        todo!("writer")
    }

    /// Writes the payload of the next entry; its length must equal the entry's `size`.
    pub fn payload(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let _ = bytes;
        todo!("payload")
    }

    pub fn finish(self) -> std::io::Result<W> {
        Ok(self.out)
    }
}

/// A structural rule a file breaks, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation(pub String);

/// What a verified file holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    pub prelude: Prelude,
    pub header: Header,
    pub file_len: u64,
}

/// Re-reads the prelude and header of `path` (payload bytes are not needed)
/// and checks every structural rule of `assets-pa.md`.
pub fn verify_file(path: &Utf8Path) -> Result<Inspection, Vec<Violation>> {
    let _ = path;
    todo!("verify")
}

/// Checks that companion files equal the header parts byte for byte.
pub fn verify_companions(header: &Header, asset_table_json: &[u8], preload_json: &[u8]) -> Vec<Violation> {
    let _ = (header, asset_table_json, preload_json);
    todo!("companions")
}
