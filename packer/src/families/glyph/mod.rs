//! Family `glyph_bank` → `GLYPH/indexed_v1`: tiles placed on a 256×256
//! sheet of 4-bit palette indices, plus 64 RGB565 palettes. Tiles come from
//! one image each (`inputs.tiles`) or from the cells of one sheet image
//! (`inputs.sheet`); an image is a PNG or an Aseprite file.

use std::io::Cursor;

use serde_json::{Map, Value};

use crate::families::contract::{AssetInput, FileFindings, Materialized, SelectedFile};
use crate::support::diag::AssetRef;
use crate::support::diag::{Code, Diagnostic};
use crate::workspace::declaration::{Declaration, JsonObject};
use crate::workspace::schema::{PaletteEntryJson, PaletteJson};

mod declare;
mod derive;
mod image;
mod tiles;

use declare::*;
pub use derive::{BankArt, BankCopy, GlyphImage, PaletteProblem, derive_palette, fit_palette, parse_palette_file};
pub use image::image_size;
use image::*;
use tiles::*;

/// A glyph input image (tile or sheet, PNG or Aseprite) larger than this is
/// refused from its size alone (local limit: even a 256×256 RGBA sheet with
/// generous ancillary chunks is far smaller).
pub const MAX_PNG_BYTES: u64 = 1024 * 1024;
/// File extensions (lowercase) read as Aseprite files; any other glyph input is read as PNG.
pub const ASEPRITE_EXTENSIONS: [&str; 2] = ["aseprite", "ase"];
/// Which frame of an Aseprite file is the image (local): the first, with its
/// visible layers composited by their blend modes and opacities; hidden
/// layers and every other frame are ignored.
pub const ASEPRITE_FRAME: u32 = 0;

/// Sheet side in pixels (fixed).
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
/// Nibble order (local): the pixel with the even x in the low nibble, the
/// odd x in the high nibble; these are the bit shifts of each.
pub const EVEN_X_SHIFT: u8 = 0;
pub const ODD_X_SHIFT: u8 = 4;
/// Allowed `output.metadata.tile_size` values.
pub const TILE_SIZES: [u32; 3] = [8, 16, 32];

/// Accepted keys of one `output.pipeline.palettes` entry (local: strict, so a
/// typo such as `colours` cannot silently drop a palette): the fields of `PaletteEntryJson`.
pub fn palette_entry_keys() -> &'static [&'static str] {
    prometeu_shape::field_names::<PaletteEntryJson>()
}
/// Accepted keys of an entry's `palette` object (local, strict like the entry).
pub fn palette_keys() -> &'static [&'static str] {
    prometeu_shape::field_names::<PaletteJson>()
}
/// Most memory the PNG decoder may allocate for one tile (local): a 32×32
/// tile needs a few KiB; the cap stops compressed ancillary chunks from
/// inflating far beyond the file's own size limit.
pub const DECODER_MEMORY_LIMIT: usize = 4 * 1024 * 1024;

/// `output.pipeline` key (local) by which a bank says on purpose that
/// palette index 0 is an opaque colour: without it, index 0 is transparency
/// (what transparent pixels and unused cells hold), and an opaque pixel
/// landing there is `glyph_opaque_index_zero`.
pub const OPAQUE_INDEX_ZERO_KEY: &str = "opaque_index_zero";

/// Palette indices a sheet pixel can hold (4 bits).
const MAX_PIXEL_INDEX: u8 = 15;
/// Longest rendering of a user value quoted in a message.
const QUOTE_MAX_CHARS: usize = 40;

/// An 8-bit RGB colour.
type Rgb = [u8; 3];

/// One declared palette, identified by its `index` (never its list position).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Palette {
    index: usize,
    colors: Vec<Rgb>,
}

/// What a clean declaration check yields: everything materialization needs.
#[derive(Debug)]
struct Params {
    tile_size: u32,
    /// Sorted by `index`, never empty: the first is the authoring palette.
    palettes: Vec<Palette>,
    /// `output.pipeline.opaque_index_zero`: index 0 may hold opaque pixels.
    opaque_index_zero: bool,
}

/// The outcome of the declaration checks.
struct Checked {
    diagnostics: Vec<Diagnostic>,
    /// `Some` exactly when no diagnostic blocks.
    params: Option<Params>,
}

pub fn check_declaration(asset: &AssetRef<'_>, decl: &Declaration) -> Vec<Diagnostic> {
    check(asset, decl).diagnostics
}

pub fn materialize(input: &AssetInput<'_>) -> Result<Materialized, Vec<Diagnostic>> {
    let checked = check(&input.asset, input.decl);
    // Declaration warnings were reported by the walk (`check_declaration`);
    // only the blocking ones matter here, as a guard.
    let blocking: Vec<_> = checked.diagnostics.into_iter().filter(Diagnostic::is_blocking).collect();
    let Some(params) = checked.params.filter(|_| blocking.is_empty()) else {
        return Err(blocking);
    };

    let mut warnings = Vec::new();
    let (sheet, tile_count) = if input.decl.is_sheet() {
        place_sheet_cells(input, &params, &mut warnings)?
    } else {
        place_tiles(input, &params, &mut warnings)?
    };

    let mut payload = sheet;
    payload.extend_from_slice(&palette_bytes(&params.palettes));
    Ok(Materialized { payload, decoded_size: DECODED_BYTES, derived: derived_metadata(&params, tile_count), warnings })
}

/// One image per tile: the bank's sheet and its tile count.
fn place_tiles(
    input: &AssetInput<'_>,
    params: &Params,
    warnings: &mut Vec<Diagnostic>,
) -> Result<(Vec<u8>, usize), Vec<Diagnostic>> {
    let mut sheet = vec![0u8; SHEET_BYTES];
    let mut problems = Vec::new();
    for file in input.files {
        let findings = FileFindings { asset: input.asset, file: file.path().to_owned() };
        let placed =
            image_indices(input, file, params, Shape::Tile(params.tile_size), &findings, warnings).and_then(|pixels| {
                place_tile(&mut sheet, file.index, file.path(), params.tile_size, &pixels.data, &findings)
                    .map_err(|d| vec![d])
            });
        if let Err(found) = placed {
            problems.extend(found);
        }
    }
    if problems.is_empty() { Ok((sheet, input.files.len())) } else { Err(problems) }
}

/// One sheet image (the single selected file): each cell is a tile.
fn place_sheet_cells(
    input: &AssetInput<'_>,
    params: &Params,
    warnings: &mut Vec<Diagnostic>,
) -> Result<(Vec<u8>, usize), Vec<Diagnostic>> {
    let mut sheet = vec![0u8; SHEET_BYTES];
    let Some(file) = input.files.first() else {
        return Ok((sheet, 0));
    };
    let findings = FileFindings { asset: input.asset, file: file.path().to_owned() };
    let image = image_indices(input, file, params, Shape::Sheet(params.tile_size), &findings, warnings)?;
    let cells = cut_cells(&image, params.tile_size);
    for (cell, pixels) in (0u32..).zip(&cells) {
        place_tile(&mut sheet, cell, file.path(), params.tile_size, pixels, &findings).map_err(|d| vec![d])?;
    }
    Ok((sheet, cells.len()))
}

fn rgb565([r, g, b]: Rgb) -> u16 {
    (u16::from(r) >> 3) << 11 | (u16::from(g) >> 2) << 5 | (u16::from(b) >> 3)
}

/// 64 palettes × 16 colours RGB565 LE; undeclared palettes and missing colours stay zero.
fn palette_bytes(palettes: &[Palette]) -> Vec<u8> {
    let mut bytes = vec![0u8; PALETTE_BYTES];
    for palette in palettes {
        for (position, &color) in palette.colors.iter().enumerate().take(PALETTE_COLORS) {
            let at = (palette.index * PALETTE_COLORS + position) * 2;
            if let Some(slot) = bytes.get_mut(at..at + 2) {
                slot.copy_from_slice(&rgb565(color).to_le_bytes());
            }
        }
    }
    bytes
}

fn derived_metadata(params: &Params, tile_count: usize) -> Map<String, Value> {
    let mut derived = Map::new();
    derived.insert("width".to_owned(), Value::from(u64::from(SHEET_SIDE)));
    derived.insert("height".to_owned(), Value::from(u64::from(SHEET_SIDE)));
    derived.insert("palette_count".to_owned(), Value::from(PALETTE_COUNT as u64));
    derived.insert("palette_authored".to_owned(), Value::from(params.palettes.len() as u64));
    derived.insert("tile_count".to_owned(), Value::from(tile_count as u64));
    derived
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_colors_parse_in_either_case() {
        assert_eq!(parse_hex_color("#d82800"), Some([0xd8, 0x28, 0x00]));
        assert_eq!(parse_hex_color("#D82800"), Some([0xd8, 0x28, 0x00]));
        for bad in ["d82800", "#d8280", "#d828000", "#g82800", "#+1+2+3", ""] {
            assert_eq!(parse_hex_color(bad), None, "{bad}");
        }
    }

    #[test]
    fn packed_samples_are_msb_first() {
        let row = [0b1011_0010, 0xff];
        assert_eq!((0..8).map(|x| packed_sample(&row, x, 1)).collect::<Vec<_>>(), [1, 0, 1, 1, 0, 0, 1, 0]);
        assert_eq!((0..4).map(|x| packed_sample(&row, x, 2)).collect::<Vec<_>>(), [2, 3, 0, 2]);
        assert_eq!((0..2).map(|x| packed_sample(&row, x, 4)).collect::<Vec<_>>(), [0xb, 0x2]);
        assert_eq!(packed_sample(&row, 1, 8), 0xff);
        assert_eq!(packed_sample(&row, 9, 8), 0, "past the row is zero, never a panic");
    }

    #[test]
    fn quote_shortens_long_values() {
        let long = Value::String("x".repeat(100));
        assert!(quote(&long).ends_with('…'));
        assert_eq!(quote(&Value::from(12)), "12");
    }
}
