//! Family `glyph_bank` → `GLYPH/indexed_v1`: PNG tiles placed on a 256×256
//! sheet of 4-bit palette indices, plus 64 RGB565 palettes.

use crate::declaration::Declaration;
use crate::diag::Diagnostic;
use crate::family::{AssetInput, AssetRef, Materialized};

/// A tile PNG larger than this is refused from its size alone (local limit:
/// even a 32×32 RGBA tile with generous ancillary chunks is far smaller).
pub const MAX_PNG_BYTES: u64 = 1024 * 1024;

/// Sheet side in pixels (upstream).
pub const SHEET_SIDE: u32 = 256;
/// Sheet bytes: 4-bit indices, two pixels per byte.
pub const SHEET_BYTES: usize = (SHEET_SIDE * SHEET_SIDE / 2) as usize;
pub const PALETTE_COUNT: usize = 64;
pub const PALETTE_COLORS: usize = 16;
/// 64 palettes × 16 colours × 2 bytes RGB565.
pub const PALETTE_BYTES: usize = PALETTE_COUNT * PALETTE_COLORS * 2;
/// `size` of a glyph payload.
pub const PAYLOAD_BYTES: usize = SHEET_BYTES + PALETTE_BYTES;
/// `decoded_size` (local): one byte per pixel once expanded, plus the palettes.
pub const DECODED_BYTES: u64 = (SHEET_SIDE * SHEET_SIDE) as u64 + PALETTE_BYTES as u64;
/// Allowed `output.metadata.tile_size` values.
pub const TILE_SIZES: [u32; 3] = [8, 16, 32];

pub fn check_declaration(asset: &AssetRef<'_>, decl: &Declaration) -> Vec<Diagnostic> {
    let _ = (asset, decl);
    todo!("glyph declaration checks")
}

pub fn materialize(input: &AssetInput<'_>) -> Result<Materialized, Vec<Diagnostic>> {
    let _ = input;
    todo!("glyph materialization")
}
