//! The `assets.pa` v1 format: prelude, canonical JSON header, payloads; a
//! streaming writer and a verifier that re-reads a file and checks every
//! structural rule (used before promotion and by `inspect`).
//!
//! This crate owns the format and nothing else: it knows no asset family,
//! workspace or project, only the bytes and the constants that fix them.
//!
//! The verifier reads only the prelude and the header: a pack may be hundreds
//! of MiB, and every rule about payloads is a rule about their offsets and
//! sizes, which the header and the file length already settle.

#![warn(missing_docs)]

mod canonical;
mod header;
mod metadata;
mod verify;
mod violation;
mod writer;

pub use canonical::{FloatAt, find_float, to_vec as canonical_json};
pub use header::{Entry, Header, PreloadEntry, Prelude};
pub use metadata::{Metadata, SharedMetadata};
pub use verify::{Inspection, check_header, verify_bytes, verify_companions, verify_companions_of, verify_file};
pub use violation::Violation;
pub use writer::PaWriter;

/// Prelude magic (local): ASCII `PMTA`.
pub const MAGIC: [u8; 4] = *b"PMTA";
/// The format version this crate writes and reads.
pub const SCHEMA_VERSION: u32 = 1;
/// Prelude length in bytes (local: six u32 little-endian fields).
pub const PRELUDE_LEN: u32 = 24;
/// The prelude's `flags` field: no flag is defined.
pub const FLAGS: u32 = 0;
/// The prelude's `reserved` field.
pub const RESERVED: u32 = 0;
/// The only codec the runtime accepts (fixed).
pub const CODEC_NONE: &str = "NONE";

/// The header's keys (fixed).
pub const HEADER_KEYS: &[&str] = &["asset_table", "preload"];
/// The keys of one asset table entry (fixed), each required.
pub const ENTRY_KEYS: &[&str] =
    &["asset_id", "asset_name", "bank_type", "codec", "offset", "size", "decoded_size", "metadata"];
/// The keys of one preload entry (local), each required.
pub const PRELOAD_ENTRY_KEYS: &[&str] = &["asset_id", "slot"];
/// Preload slots per bank type (local): `slot` is `0..PRELOAD_SLOTS`.
pub const PRELOAD_SLOTS: u32 = 16;

/// `bank_type` of a glyph bank (fixed).
pub const GLYPH_BANK_TYPE: &str = "GLYPH";
/// `bank_type` of a sound bank (fixed).
pub const SOUND_BANK_TYPE: &str = "SOUNDS";
/// Every `bank_type` the runtime knows, in the order messages list them.
pub const BANK_TYPES: [&str; 2] = [GLYPH_BANK_TYPE, SOUND_BANK_TYPE];
