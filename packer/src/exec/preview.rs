//! Pictures and sounds of what was packed, for people: a glyph sheet as a
//! PNG through one or more palettes, a sample as a WAV and its waveform as
//! a PNG. Built from [`crate::exec::unpack`]'s decoded payloads only, so a
//! preview shows what the runtime gets, not what the inputs were.

use std::io::Cursor;

use crate::exec::unpack::{GlyphSheet, PackedSample, Rgb};
use crate::families::glyph::PALETTE_COLORS;

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
}

/// The sheet through each palette of `view`, side by side: panel `k` covers
/// x `k*256..(k+1)*256`, rows `0..256` are the sheet and the next
/// `SWATCH_SIDE` rows the palette's 16 colours. Errors name a palette out of range.
pub fn sheet_png(sheet: &GlyphSheet, view: &SheetView) -> Result<Vec<u8>, String> {
    let side = GlyphSheet::SIDE;
    if let Some(&bad) = view.palettes.iter().find(|&&p| p >= sheet.palettes.len()) {
        return Err(format!("palette {bad} does not exist; palettes are 0 to {}", sheet.palettes.len() - 1));
    }
    let panels = view.palettes.len().max(1) as u32;
    let (width, height) = (side * panels, side + SWATCH_SIDE);
    let mut rgb = vec![0u8; (width * height * 3) as usize];
    let mut put = |x: u32, y: u32, color: Rgb| {
        let at = ((y * width + x) * 3) as usize;
        rgb[at..at + 3].copy_from_slice(&color);
    };
    let cell = sheet.tile_size.filter(|_| view.grid);
    for (panel, &palette) in view.palettes.iter().enumerate() {
        let left = panel as u32 * side;
        for y in 0..side {
            for x in 0..side {
                let on_grid = cell.is_some_and(|c| x % c == 0 || y % c == 0);
                put(left + x, y, if on_grid { GRID_RGB } else { sheet.rgb(palette, x, y) });
            }
        }
        for y in side..height {
            for x in 0..side {
                let color = (x / SWATCH_SIDE) as usize;
                let swatch = if color < PALETTE_COLORS { sheet.palettes[palette][color] } else { [0, 0, 0] };
                put(left + x, y, swatch);
            }
        }
    }
    Ok(encode_rgb(width, height, &rgb))
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

fn encode_rgb(width: u32, height: u32, rgb: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("writing to memory cannot fail");
        writer.write_image_data(rgb).expect("the buffer matches the picture size");
    }
    bytes
}
