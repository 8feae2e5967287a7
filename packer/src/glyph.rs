//! Family `glyph_bank` → `GLYPH/indexed_v1`: PNG tiles placed on a 256×256
//! sheet of 4-bit palette indices, plus 64 RGB565 palettes.

use std::io::Cursor;

use serde_json::{Map, Value};

use crate::declaration::{DECLARATION_FILE, Declaration};
use crate::diag::{Code, Diagnostic};
use crate::family::{AssetInput, AssetRef, Materialized, Reporter, SelectedFile};
use crate::paths;
use crate::registry::ASSETS_DIR;

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
/// Nibble order (local): the pixel with the even x in the low nibble, the
/// odd x in the high nibble; these are the bit shifts of each.
pub const EVEN_X_SHIFT: u8 = 0;
pub const ODD_X_SHIFT: u8 = 4;
/// Allowed `output.metadata.tile_size` values.
pub const TILE_SIZES: [u32; 3] = [8, 16, 32];

/// Accepted keys of one `output.pipeline.palettes` entry (local: strict, so a
/// typo such as `colours` cannot silently drop a palette).
pub const PALETTE_ENTRY_KEYS: &[&str] = &["index", "palette"];
/// Accepted keys of an entry's `palette` object (local, strict like the entry).
pub const PALETTE_KEYS: &[&str] = &["colors"];
/// Most memory the PNG decoder may allocate for one tile (local): a 32×32
/// tile needs a few KiB; the cap stops compressed ancillary chunks from
/// inflating far beyond the file's own size limit.
pub const DECODER_MEMORY_LIMIT: usize = 4 * 1024 * 1024;

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

    let mut sheet = vec![0u8; SHEET_BYTES];
    let mut problems = Vec::new();
    for file in input.files {
        let reporter = Reporter { asset: input.asset, file: file.path.clone() };
        let placed = tile_indices(input, file, &params, &reporter)
            .and_then(|pixels| place_tile(&mut sheet, file, params.tile_size, &pixels, &reporter));
        if let Err(problem) = placed {
            problems.push(problem);
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let mut payload = sheet;
    payload.extend_from_slice(&palette_bytes(&params.palettes));
    Ok(Materialized {
        payload,
        decoded_size: DECODED_BYTES,
        derived: derived_metadata(&params, input.files.len()),
        warnings: Vec::new(),
    })
}

// ---------------------------------------------------------------------------
// Declaration checks

fn check(asset: &AssetRef<'_>, decl: &Declaration) -> Checked {
    let reporter = Reporter { asset: *asset, file: declaration_file(asset) };
    let mut diagnostics = Vec::new();
    let tile_size = check_tile_size(decl, &reporter, &mut diagnostics);
    if let Some(size) = tile_size {
        diagnostics.extend(check_capacity(size, decl.artifacts.len(), &reporter));
    }
    let palettes = check_palettes(decl, &reporter, &mut diagnostics);
    let params = match (tile_size, palettes) {
        (Some(tile_size), Some(palettes)) if !diagnostics.iter().any(Diagnostic::is_blocking) => {
            Some(Params { tile_size, palettes })
        }
        _ => None,
    };
    Checked { diagnostics, params }
}

fn declaration_file(asset: &AssetRef<'_>) -> String {
    paths::project_relative(&[ASSETS_DIR, asset.root, DECLARATION_FILE])
}

fn check_tile_size(decl: &Declaration, reporter: &Reporter<'_>, out: &mut Vec<Diagnostic>) -> Option<u32> {
    let file = &reporter.file;
    let Some(value) = decl.output.metadata.get("tile_size") else {
        out.push(reporter.blocking(
            Code::TileSizeInvalid,
            format!("{file} has no `output.metadata.tile_size`; add it with one of the values 8, 16 or 32"),
        ));
        return None;
    };
    let size = value.as_u64().and_then(|n| u32::try_from(n).ok()).filter(|n| TILE_SIZES.contains(n));
    if size.is_none() {
        out.push(reporter.blocking(
            Code::TileSizeInvalid,
            format!("`output.metadata.tile_size` in {file} is {}; set it to the integer 8, 16 or 32", quote(value)),
        ));
    }
    size
}

/// Tiles per sheet row for a valid tile size.
fn cells_per_row(tile_size: u32) -> u32 {
    SHEET_SIDE / tile_size
}

fn check_capacity(tile_size: u32, tiles: usize, reporter: &Reporter<'_>) -> Option<Diagnostic> {
    let capacity = cells_per_row(tile_size).pow(2) as usize;
    (tiles > capacity).then(|| {
        reporter.blocking(
            Code::TileCapacityExceeded,
            format!(
                "{} selects {tiles} tiles but a {SHEET_SIDE}×{SHEET_SIDE} sheet of {tile_size}×{tile_size} tiles \
                 holds at most {capacity}; select fewer tiles or use a smaller `tile_size`",
                reporter.file
            ),
        )
    })
}

/// Reads `output.pipeline.palettes`; `None` when any palette finding blocks.
fn check_palettes(decl: &Declaration, reporter: &Reporter<'_>, out: &mut Vec<Diagnostic>) -> Option<Vec<Palette>> {
    let file = &reporter.file;
    let list = decl.output.pipeline.as_ref().and_then(|pipeline| pipeline.get("palettes"));
    let entries = match list {
        None => {
            out.push(reporter.blocking(
                Code::PaletteMissing,
                format!(
                    "{file} declares no palette; add `output.pipeline.palettes` with at least one entry \
                     such as {{ \"index\": 0, \"palette\": {{ \"colors\": [\"#000000\"] }} }}"
                ),
            ));
            return None;
        }
        Some(Value::Array(entries)) => entries,
        Some(other) => {
            out.push(reporter.blocking(
                Code::PaletteInvalid,
                format!(
                    "`output.pipeline.palettes` in {file} is {}, not a list; write it as a list of \
                     {{ \"index\": …, \"palette\": {{ \"colors\": […] }} }} entries",
                    quote(other)
                ),
            ));
            return None;
        }
    };
    let found_before = out.len();
    if entries.is_empty() {
        out.push(reporter.blocking(
            Code::PaletteMissing,
            format!("`output.pipeline.palettes` in {file} is empty; declare at least one palette"),
        ));
    }
    if entries.len() > PALETTE_COUNT {
        out.push(reporter.blocking(
            Code::PaletteTooMany,
            format!(
                "{file} declares {} palettes but a glyph bank holds at most {PALETTE_COUNT}; remove {} of them",
                entries.len(),
                entries.len() - PALETTE_COUNT
            ),
        ));
    }
    let mut palettes: Vec<(usize, Palette)> = Vec::new();
    for (position, entry) in entries.iter().enumerate() {
        if let Some(palette) = check_palette_entry(position, entry, reporter, out) {
            match palettes.iter().find(|(_, seen)| seen.index == palette.index) {
                Some((first, _)) => out.push(reporter.blocking(
                    Code::PaletteIndexDuplicate,
                    format!(
                        "`output.pipeline.palettes[{position}]` in {file} reuses palette index {} already \
                         given to `output.pipeline.palettes[{first}]`; give each palette its own index",
                        palette.index
                    ),
                )),
                None => palettes.push((position, palette)),
            }
        }
    }
    if out[found_before..].iter().any(Diagnostic::is_blocking) {
        return None;
    }
    let mut palettes: Vec<Palette> = palettes.into_iter().map(|(_, palette)| palette).collect();
    palettes.sort_by_key(|palette| palette.index);
    Some(palettes)
}

/// Checks one list entry; `None` when it blocks.
fn check_palette_entry(
    position: usize,
    entry: &Value,
    reporter: &Reporter<'_>,
    out: &mut Vec<Diagnostic>,
) -> Option<Palette> {
    let file = &reporter.file;
    let at = format!("output.pipeline.palettes[{position}]");
    let fields = strict_object(&at, entry, PALETTE_ENTRY_KEYS, reporter, out)?;
    let index = check_palette_index(&at, fields.get("index"), reporter, out);
    let colors = match fields.get("palette") {
        None => {
            out.push(reporter.blocking(
                Code::PaletteInvalid,
                format!("`{at}` in {file} has no `palette`; add `\"palette\": {{ \"colors\": [\"#rrggbb\", …] }}`"),
            ));
            None
        }
        Some(palette) => check_palette_colors(&format!("{at}.palette"), palette, reporter, out),
    };
    Some(Palette { index: index?, colors: colors? })
}

/// An object whose keys are all in `accepted`; findings name `at`.
fn strict_object<'v>(
    at: &str,
    value: &'v Value,
    accepted: &[&str],
    reporter: &Reporter<'_>,
    out: &mut Vec<Diagnostic>,
) -> Option<&'v Map<String, Value>> {
    let file = &reporter.file;
    let accepted_list = accepted.iter().map(|key| format!("`{key}`")).collect::<Vec<_>>().join(", ");
    let Value::Object(fields) = value else {
        out.push(reporter.blocking(
            Code::PaletteInvalid,
            format!(
                "`{at}` in {file} is {}, not an object; write it as an object with the keys {accepted_list}",
                quote(value)
            ),
        ));
        return None;
    };
    let unknown: Vec<&String> = fields.keys().filter(|key| !accepted.contains(&key.as_str())).collect();
    for key in &unknown {
        out.push(reporter.blocking(
            Code::PaletteInvalid,
            format!(
                "`{at}` in {file} has the unknown key `{key}`; remove or rename it (accepted keys: {accepted_list})"
            ),
        ));
    }
    unknown.is_empty().then_some(fields)
}

fn check_palette_index(
    at: &str,
    value: Option<&Value>,
    reporter: &Reporter<'_>,
    out: &mut Vec<Diagnostic>,
) -> Option<usize> {
    let file = &reporter.file;
    let Some(value) = value else {
        out.push(reporter.blocking(
            Code::PaletteInvalid,
            format!("`{at}` in {file} has no `index`; add `\"index\"` with an integer from 0 to {}", PALETTE_COUNT - 1),
        ));
        return None;
    };
    let index = value.as_u64().and_then(|n| usize::try_from(n).ok()).filter(|&n| n < PALETTE_COUNT);
    if index.is_none() {
        out.push(reporter.blocking(
            Code::PaletteIndexInvalid,
            format!("`{at}.index` in {file} is {}; use an integer from 0 to {}", quote(value), PALETTE_COUNT - 1),
        ));
    }
    index
}

/// Checks `{ "colors": [...] }`; `None` when it blocks. Repeats only warn.
fn check_palette_colors(
    at: &str,
    palette: &Value,
    reporter: &Reporter<'_>,
    out: &mut Vec<Diagnostic>,
) -> Option<Vec<Rgb>> {
    let file = &reporter.file;
    let fields = strict_object(at, palette, PALETTE_KEYS, reporter, out)?;
    let list = match fields.get("colors") {
        Some(Value::Array(list)) => list,
        Some(other) => {
            out.push(reporter.blocking(
                Code::PaletteInvalid,
                format!(
                    "`{at}.colors` in {file} is {}, not a list; write it as a list such as [\"#000000\", \"#ffffff\"]",
                    quote(other)
                ),
            ));
            return None;
        }
        None => {
            out.push(reporter.blocking(
                Code::PaletteInvalid,
                format!(
                    "`{at}` in {file} has no `colors`; add `\"colors\"` with 1 to {PALETTE_COLORS} \"#rrggbb\" values"
                ),
            ));
            return None;
        }
    };
    let mut blocked = false;
    if list.is_empty() || list.len() > PALETTE_COLORS {
        blocked = true;
        out.push(reporter.blocking(
            Code::PaletteColorCount,
            format!(
                "`{at}.colors` in {file} has {} colours; a palette holds 1 to {PALETTE_COLORS}, so {}",
                list.len(),
                if list.is_empty() {
                    "add at least one".to_owned()
                } else {
                    format!("remove {}", list.len() - PALETTE_COLORS)
                }
            ),
        ));
    }
    let mut colors = Vec::with_capacity(list.len());
    for (position, value) in list.iter().enumerate() {
        let Some(color) = value.as_str().and_then(parse_hex_color) else {
            blocked = true;
            out.push(reporter.blocking(
                Code::PaletteColorInvalid,
                format!(
                    "`{at}.colors[{position}]` in {file} is {}; write each colour as \"#rrggbb\" with six hex digits",
                    quote(value)
                ),
            ));
            continue;
        };
        if let Some(first) = colors.iter().position(|seen| *seen == color) {
            out.push(reporter.warning(
                Code::PaletteColorRepeated,
                format!(
                    "`{at}.colors[{position}]` in {file} repeats colour {} of `colors[{first}]`, so pixels of that colour \
                     always take position {first}; remove the repeat or change it",
                    hex(color)
                ),
            ));
        }
        colors.push(color);
    }
    (!blocked).then_some(colors)
}

/// `#rrggbb` (either case) → RGB.
fn parse_hex_color(text: &str) -> Option<Rgb> {
    let digits = text.strip_prefix('#')?;
    if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

fn hex([r, g, b]: Rgb) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// A user value as it would appear in JSON, shortened for a message.
fn quote(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= QUOTE_MAX_CHARS {
        return text;
    }
    let short: String = text.chars().take(QUOTE_MAX_CHARS).collect();
    format!("{short}…")
}

// ---------------------------------------------------------------------------
// Tiles

/// A tile's pixels as stored in the file, before any colour mapping.
struct Raster {
    color: png::ColorType,
    /// Bits per sample: 1, 2, 4, 8 or 16.
    bits: usize,
    /// Raw `tRNS` bytes; for depths below 16 the decoder keeps one byte per channel.
    trns: Option<Vec<u8>>,
    data: Vec<u8>,
    line_size: usize,
    side: usize,
}

/// Why a tile could not become a raster.
enum DecodeFailure {
    Undecodable(String),
    Dimensions { width: u32, height: u32 },
}

/// Decodes and maps one tile to `tile_size²` palette indices, row-major.
fn tile_indices(
    input: &AssetInput<'_>,
    file: &SelectedFile,
    params: &Params,
    reporter: &Reporter<'_>,
) -> Result<Vec<u8>, Diagnostic> {
    let path = &file.path;
    let too_large = |size: u64| {
        reporter.blocking(
            Code::PngTooLarge,
            format!(
                "{path} is {size} bytes, over the {MAX_PNG_BYTES}-byte limit for a tile PNG; \
                 re-export it without large ancillary chunks (a tile needs only a few KiB)"
            ),
        )
    };
    // The size on disk decides before any byte is read.
    if file.size > MAX_PNG_BYTES {
        return Err(too_large(file.size));
    }
    let bytes = input.content.bytes(path).map_err(|why| {
        reporter.blocking(
            Code::PngDecodeFailed,
            format!("{path} could not be read ({why}); make sure it is a readable file"),
        )
    })?;
    if bytes.len() as u64 > MAX_PNG_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    let raster = decode_tile(&bytes, params.tile_size).map_err(|failure| match failure {
        DecodeFailure::Undecodable(why) => reporter.blocking(
            Code::PngDecodeFailed,
            format!("{path} could not be decoded as PNG ({why}); re-export it as a valid PNG file"),
        ),
        DecodeFailure::Dimensions { width, height } => {
            let side = params.tile_size;
            reporter.blocking(
                Code::TileDimensionsMismatch,
                format!(
                    "{path} is {width}×{height} pixels but `tile_size` is {side}; make every tile exactly {side}×{side}"
                ),
            )
        }
    })?;
    // `check` guarantees at least one palette; the lowest index authors.
    let authoring = params.palettes.first().ok_or_else(|| {
        reporter.blocking(
            Code::PaletteMissing,
            format!("{path} cannot be mapped because no palette is declared; declare one"),
        )
    })?;
    map_pixels(&raster, authoring).map_err(|problem| problem.into_diagnostic(path, authoring.index, reporter))
}

fn decode_tile(bytes: &[u8], tile_size: u32) -> Result<Raster, DecodeFailure> {
    let undecodable = |error: png::DecodingError| DecodeFailure::Undecodable(error.to_string());
    let mut options = png::DecodeOptions::default();
    // Text and ICC profiles never affect indices; skipping them also skips inflating them.
    options.set_ignore_text_chunk(true);
    options.set_ignore_iccp_chunk(true);
    let mut decoder = png::Decoder::new_with_options(Cursor::new(bytes), options);
    decoder.set_limits(png::Limits { bytes: DECODER_MEMORY_LIMIT });
    // Indexed tiles need the stored index, so nothing may be expanded or stripped.
    decoder.set_transformations(png::Transformations::IDENTITY);

    // The header alone decides the size, before any pixel is inflated.
    let header = decoder.read_header_info().map_err(undecodable)?;
    if header.width != tile_size || header.height != tile_size {
        return Err(DecodeFailure::Dimensions { width: header.width, height: header.height });
    }
    let mut reader = decoder.read_info().map_err(undecodable)?;
    let buffer_size = reader
        .output_buffer_size()
        .ok_or_else(|| DecodeFailure::Undecodable("the image buffer size overflows".to_owned()))?;
    let mut data = vec![0u8; buffer_size];
    let frame = reader.next_frame(&mut data).map_err(undecodable)?;
    if frame.width != tile_size || frame.height != tile_size {
        return Err(DecodeFailure::Dimensions { width: frame.width, height: frame.height });
    }
    let raster = Raster {
        color: frame.color_type,
        bits: frame.bit_depth as usize,
        trns: reader.info().trns.as_ref().map(|trns| trns.to_vec()),
        data,
        line_size: frame.line_size,
        side: tile_size as usize,
    };
    let needed_line = (raster.side * raster.color.samples() * raster.bits).div_ceil(8);
    if raster.line_size < needed_line || raster.data.len() < raster.line_size * raster.side {
        return Err(DecodeFailure::Undecodable("the decoder returned fewer bytes than the image needs".to_owned()));
    }
    Ok(raster)
}

/// The first pixel that cannot be mapped, and how many cannot.
struct PixelProblem {
    kind: PixelProblemKind,
    x: usize,
    y: usize,
    count: usize,
}

enum PixelProblemKind {
    IndexOutOfRange(u8),
    Unmatched(Rgb),
}

impl PixelProblem {
    fn into_diagnostic(self, path: &str, authoring_index: usize, reporter: &Reporter<'_>) -> Diagnostic {
        let (x, y) = (self.x, self.y);
        let others = match self.count {
            1 => String::new(),
            2 => " (1 more pixel of this tile has the same problem)".to_owned(),
            n => format!(" ({} more pixels of this tile have the same problem)", n - 1),
        };
        match self.kind {
            PixelProblemKind::IndexOutOfRange(index) => reporter.blocking(
                Code::PngIndexOutOfRange,
                format!(
                    "pixel ({x}, {y}) of {path} uses palette index {index}, but a glyph tile can use only indices \
                     0 to {MAX_PIXEL_INDEX}{others}; repaint it with one of the first 16 palette entries"
                ),
            ),
            PixelProblemKind::Unmatched(color) => reporter.blocking(
                Code::PixelColorUnmatched,
                format!(
                    "pixel ({x}, {y}) of {path} has colour {}, which is not in the authoring palette \
                     (palette index {authoring_index}){others}; add the colour to that palette or repaint the pixel",
                    hex(color)
                ),
            ),
        }
    }
}

/// How stored pixels become palette indices (spec "Family glyph_bank").
enum Mapping<'a> {
    /// Indexed colour, and grayscale of 1, 2 or 4 bits: the stored value is the index.
    Stored,
    /// Every other colour type: transparency, then an exact RGB match.
    ByColor { authoring: &'a Palette, key: Option<&'a [u8]> },
}

fn map_pixels(raster: &Raster, authoring: &Palette) -> Result<Vec<u8>, PixelProblem> {
    use png::ColorType;
    let mapping = match raster.color {
        ColorType::Indexed => Mapping::Stored,
        ColorType::Grayscale if raster.bits < 8 => Mapping::Stored,
        _ => Mapping::ByColor { authoring, key: color_key(raster) },
    };
    let mut indices = Vec::with_capacity(raster.side * raster.side);
    let mut problem: Option<PixelProblem> = None;
    for y in 0..raster.side {
        let row = raster.data.get(y * raster.line_size..(y + 1) * raster.line_size).unwrap_or_default();
        for x in 0..raster.side {
            match map_pixel(raster, row, x, &mapping) {
                Ok(index) => indices.push(index),
                Err(kind) => {
                    indices.push(0);
                    match &mut problem {
                        Some(first) => first.count += 1,
                        None => problem = Some(PixelProblem { kind, x, y, count: 1 }),
                    }
                }
            }
        }
    }
    match problem {
        Some(problem) => Err(problem),
        None => Ok(indices),
    }
}

/// The `tRNS` colour key as raw sample bytes, when it has the expected shape.
fn color_key(raster: &Raster) -> Option<&[u8]> {
    let channels = match raster.color {
        png::ColorType::Grayscale => 1,
        png::ColorType::Rgb => 3,
        _ => return None,
    };
    let bytes_per_sample = raster.bits.div_ceil(8);
    raster.trns.as_deref().filter(|key| key.len() == channels * bytes_per_sample)
}

fn map_pixel(raster: &Raster, row: &[u8], x: usize, mapping: &Mapping<'_>) -> Result<u8, PixelProblemKind> {
    match mapping {
        Mapping::Stored => {
            let index = packed_sample(row, x, raster.bits);
            if index > MAX_PIXEL_INDEX { Err(PixelProblemKind::IndexOutOfRange(index)) } else { Ok(index) }
        }
        Mapping::ByColor { authoring, key } => {
            let Some(pixel) = ColorPixel::read(raster, row, x) else {
                return Ok(0);
            };
            let keyed = key.is_some_and(|key| pixel.stored_color == key);
            if keyed || pixel.alpha == 0 {
                return Ok(0);
            }
            authoring
                .colors
                .iter()
                .position(|color| *color == pixel.rgb)
                .and_then(|position| u8::try_from(position).ok())
                .ok_or(PixelProblemKind::Unmatched(pixel.rgb))
        }
    }
}

/// A sample of 1, 2, 4 or 8 bits, packed from the most significant bit (PNG order).
fn packed_sample(row: &[u8], x: usize, bits: usize) -> u8 {
    let bit = x * bits;
    let Some(&byte) = row.get(bit / 8) else { return 0 };
    if bits >= 8 {
        return byte;
    }
    let shift = 8 - bits - bit % 8;
    (byte >> shift) & ((1u8 << bits) - 1)
}

/// One pixel of an 8- or 16-bit colour type, reduced to 8 bits per channel.
struct ColorPixel<'a> {
    rgb: Rgb,
    alpha: u8,
    /// The colour channels exactly as stored, for the `tRNS` key comparison.
    stored_color: &'a [u8],
}

impl<'a> ColorPixel<'a> {
    fn read(raster: &Raster, row: &'a [u8], x: usize) -> Option<ColorPixel<'a>> {
        use png::ColorType;
        let bytes_per_sample = raster.bits / 8;
        let channels = raster.color.samples();
        let start = x * channels * bytes_per_sample;
        let samples = row.get(start..start + channels * bytes_per_sample)?;
        // Samples are big-endian, so a 16-bit channel's high byte comes first.
        let high = |channel: usize| samples.get(channel * bytes_per_sample).copied().unwrap_or(0);
        let (rgb, alpha, color_channels) = match raster.color {
            ColorType::Grayscale => ([high(0); 3], u8::MAX, 1),
            ColorType::GrayscaleAlpha => ([high(0); 3], high(1), 1),
            ColorType::Rgb => ([high(0), high(1), high(2)], u8::MAX, 3),
            ColorType::Rgba => ([high(0), high(1), high(2)], high(3), 3),
            ColorType::Indexed => return None,
        };
        let stored_color = samples.get(..color_channels * bytes_per_sample)?;
        Some(ColorPixel { rgb, alpha, stored_color })
    }
}

/// Writes a tile's indices into its sheet cell.
fn place_tile(
    sheet: &mut [u8],
    file: &SelectedFile,
    tile_size: u32,
    pixels: &[u8],
    reporter: &Reporter<'_>,
) -> Result<(), Diagnostic> {
    let per_row = cells_per_row(tile_size);
    let (column, row) = (file.index % per_row, file.index / per_row);
    if row >= per_row {
        return Err(reporter.blocking(
            Code::TileCapacityExceeded,
            format!(
                "{} is tile {} but a sheet of {tile_size}×{tile_size} tiles has only {} cells; select fewer tiles or use a smaller `tile_size`",
                file.path,
                file.index,
                per_row * per_row
            ),
        ));
    }
    let side = tile_size as usize;
    let (left, top) = ((column * tile_size) as usize, (row * tile_size) as usize);
    for (offset, &index) in pixels.iter().enumerate().take(side * side) {
        let (x, y) = (left + offset % side, top + offset / side);
        let at = (y * SHEET_SIDE as usize + x) / 2;
        if let Some(byte) = sheet.get_mut(at) {
            let shift = if x % 2 == 0 { EVEN_X_SHIFT } else { ODD_X_SHIFT };
            *byte = (*byte & !(0x0f << shift)) | ((index & 0x0f) << shift);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Payload tail and metadata

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
