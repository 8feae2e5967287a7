//! Pictures and sounds of what was packed, for people: a glyph sheet as a
//! PNG through one or more palettes, a sample as a WAV and its waveform as
//! a PNG. Built from [`crate::exec::unpack`]'s decoded payloads only, so a
//! preview shows what the runtime gets, not what the inputs were.

use std::io::Cursor;

use camino::Utf8Path;

use crate::exec::unpack::{GlyphSheet, PackedSample, Rgb};
use crate::families::glyph::{MAX_PNG_BYTES, PALETTE_COLORS, image_size};
use crate::support::diag::AssetRef;
use crate::workspace::declaration::{MAX_DECLARATION_BYTES, parse};
use crate::workspace::layout::{ASSETS_DIR, declaration_path};

/// Height in pixels of the swatch strip under each sheet (local): one
/// square per palette colour, `SWATCH_SIDE` wide.
pub const SWATCH_SIDE: u32 = 16;
/// Colour of the tile grid lines (local): magenta, rare in game art.
pub const GRID_RGB: Rgb = [255, 0, 255];
/// Waveform picture size in pixels (local).
pub const WAVEFORM_SIZE: (u32, u32) = (512, 128);
const WAVE_BACKGROUND: Rgb = [24, 24, 32];
const WAVE_FOREGROUND: Rgb = [120, 220, 140];

/// How to draw a glyph sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetView {
    /// The palettes to draw the sheet through, left to right, each with its swatch strip under it.
    pub palettes: Vec<usize>,
    /// Draw lines between tile cells (`tile_size` of the bank).
    pub grid: bool,
    /// Nearest-neighbour magnification: every sheet pixel becomes `scale × scale` (1 or more).
    pub scale: u32,
    /// The artist's layout in cells (columns, rows), for a bank made from one
    /// sheet image: cell `i` is drawn at column `i % columns`, row
    /// `i / columns`. `None`: the bank's own 256×256 sheet.
    pub layout: Option<(u32, u32)>,
}

impl SheetView {
    /// Through `palettes`, unscaled, without a grid, in the bank's own layout.
    pub fn plain(palettes: Vec<usize>) -> SheetView {
        SheetView { palettes, grid: false, scale: 1, layout: None }
    }
}

/// The artist's layout of a glyph bank made from one sheet image, in cells
/// (columns, rows), read from the project: the root's `asset.json` and the
/// sheet image's header (never its pixels, which the preview takes from the
/// pack). `None` for a bank of tiles, or when either file cannot be read.
pub fn artist_layout(project: &Utf8Path, root: &str) -> Option<(u32, u32)> {
    let declaration_file = declaration_path(root);
    let bytes =
        prometeu_shape::read_regular(project.join(&declaration_file).as_std_path(), MAX_DECLARATION_BYTES).ok()?;
    let parsed = parse(&bytes, AssetRef { asset_id: 0, root }, &declaration_file);
    let declaration = parsed.declaration.filter(|d| d.is_sheet())?;
    let tile = declaration.output.metadata.get("tile_size")?.as_u64().and_then(|t| u32::try_from(t).ok())?;
    let input = &declaration.artifacts.first()?.input;
    let path = project.join(ASSETS_DIR).join(root).join(input);
    let image = prometeu_shape::read_regular(path.as_std_path(), MAX_PNG_BYTES).ok()?;
    let (width, height) = image_size(input, &image)?;
    (tile > 0).then(|| (width / tile, height / tile))
}

/// Largest `SheetView::scale` (local): a 256×256 sheet at 16× is 4096 pixels wide.
pub const MAX_PREVIEW_SCALE: u32 = 16;

/// The sheet through each palette of `view`, side by side, as RGBA: index 0
/// is transparency (alpha 0) unless the bank declared
/// `opaque_index_zero`, so unused cells are empty. Panel `k` covers
/// `k × width` to `(k + 1) × width` where `width` is the layout's (256, or
/// the artist's sheet); under the sheet, `SWATCH_SIDE` rows show the
/// palette's 16 colours. Everything is then magnified `view.scale` times.
/// Errors name a palette out of range or a scale outside `1..=MAX_PREVIEW_SCALE`.
pub fn sheet_png(sheet: &GlyphSheet, view: &SheetView) -> Result<Vec<u8>, String> {
    if let Some(&bad) = view.palettes.iter().find(|&&p| p >= sheet.palettes.len()) {
        return Err(format!("palette {bad} does not exist; palettes are 0 to {}", sheet.palettes.len() - 1));
    }
    if !(1..=MAX_PREVIEW_SCALE).contains(&view.scale) {
        return Err(format!("scale {} is not from 1 to {MAX_PREVIEW_SCALE}", view.scale));
    }
    let (sheet_width, sheet_height, place) = layout(sheet, view.layout);
    let panels = view.palettes.len().max(1) as u32;
    let (width, height) = (sheet_width * panels, sheet_height + SWATCH_SIDE);
    let mut rgba = vec![0u8; (width * height * 4) as usize];
    let mut put = |x: u32, y: u32, color: Option<Rgb>| {
        let at = ((y * width + x) * 4) as usize;
        if let Some(color) = color {
            rgba[at..at + 3].copy_from_slice(&color);
            rgba[at + 3] = u8::MAX;
        }
    };
    let cell = sheet.tile_size.filter(|_| view.grid);
    for (panel, &palette) in view.palettes.iter().enumerate() {
        let left = panel as u32 * sheet_width;
        for y in 0..sheet_height {
            for x in 0..sheet_width {
                let on_grid = cell.is_some_and(|c| x % c == 0 || y % c == 0);
                let color = match place(x, y) {
                    _ if on_grid => Some(GRID_RGB),
                    Some((sx, sy)) => sheet.color(palette, sx, sy),
                    None => None,
                };
                put(left + x, y, color);
            }
        }
        for y in sheet_height..height {
            for x in 0..sheet_width {
                let color = (x / SWATCH_SIDE) as usize;
                let drawn = color < PALETTE_COLORS && (color != 0 || sheet.opaque_index_zero);
                put(left + x, y, drawn.then(|| sheet.palettes[palette][color]));
            }
        }
    }
    Ok(encode_rgba(width * view.scale, height * view.scale, &magnify(&rgba, width, view.scale)))
}

/// A picture pixel → the packed sheet pixel drawn there, if any.
type Place = Box<dyn Fn(u32, u32) -> Option<(u32, u32)>>;

/// The drawn sheet's size and where each of its pixels comes from: the bank's
/// own sheet, or its cells rearranged into the artist's `(columns, rows)`.
fn layout(sheet: &GlyphSheet, artist: Option<(u32, u32)>) -> (u32, u32, Place) {
    let side = GlyphSheet::SIDE;
    match (artist, sheet.tile_size) {
        (Some((columns, rows)), Some(tile)) if columns > 0 && rows > 0 && tile > 0 => {
            let per_row = side / tile;
            let place = move |x: u32, y: u32| {
                let cell = (y / tile) * columns + x / tile;
                let (column, row) = (cell % per_row, cell / per_row);
                (row < per_row).then(|| (column * tile + x % tile, row * tile + y % tile))
            };
            (columns * tile, rows * tile, Box::new(place))
        }
        _ => (side, side, Box::new(|x, y| Some((x, y)))),
    }
}

/// Each pixel repeated `scale × scale` times (nearest neighbour).
fn magnify(rgba: &[u8], width: u32, scale: u32) -> Vec<u8> {
    if scale == 1 {
        return rgba.to_vec();
    }
    let (width, scale) = (width as usize, scale as usize);
    let mut out = Vec::with_capacity(rgba.len() * scale * scale);
    for row in rgba.chunks_exact(width * 4) {
        let wide: Vec<u8> = row.chunks_exact(4).flat_map(|px| px.repeat(scale)).collect();
        for _ in 0..scale {
            out.extend_from_slice(&wide);
        }
    }
    out
}

/// The sample as a WAV file: PCM16 mono at its own rate, frames unchanged.
pub fn sample_wav(sample: &PackedSample) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: sample.sample_rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut bytes = Cursor::new(Vec::new());
    {
        let mut writer = hound::WavWriter::new(&mut bytes, spec).expect("writing to memory cannot fail");
        let mut frames = writer.get_i16_writer(sample.frames.len() as u32);
        for &frame in &sample.frames {
            frames.write_sample(frame);
        }
        frames.flush().expect("writing to memory cannot fail");
        writer.finalize().expect("writing to memory cannot fail");
    }
    bytes.into_inner()
}

/// The waveform: for each column the lowest and highest frame it covers.
pub fn waveform_png(sample: &PackedSample) -> Vec<u8> {
    let (width, height) = WAVEFORM_SIZE;
    let mut rgb: Vec<u8> = WAVE_BACKGROUND.iter().copied().cycle().take((width * height * 3) as usize).collect();
    let frames = &sample.frames;
    let row = |value: i16| -> u32 {
        let from_top = (i32::from(i16::MAX) - i32::from(value)) as u64 * u64::from(height - 1) / 65535;
        from_top as u32
    };
    for x in 0..width {
        let start = frames.len() * x as usize / width as usize;
        let end = (frames.len() * (x as usize + 1) / width as usize).max(start + 1).min(frames.len());
        let Some(column) = frames.get(start..end) else { continue };
        let (Some(&low), Some(&high)) = (column.iter().min(), column.iter().max()) else { continue };
        for y in row(high)..=row(low) {
            let at = ((y * width + x) * 3) as usize;
            rgb[at..at + 3].copy_from_slice(&WAVE_FOREGROUND);
        }
    }
    encode_rgb(width, height, &rgb)
}

fn encode_rgba(width: u32, height: u32, rgba: &[u8]) -> Vec<u8> {
    encode(width, height, png::ColorType::Rgba, rgba)
}

fn encode_rgb(width: u32, height: u32, rgb: &[u8]) -> Vec<u8> {
    encode(width, height, png::ColorType::Rgb, rgb)
}

fn encode(width: u32, height: u32, color: png::ColorType, data: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(color);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("writing to memory cannot fail");
        writer.write_image_data(data).expect("the buffer matches the picture size");
    }
    bytes
}
