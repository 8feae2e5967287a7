//! Glyph input images: PNG files, and Aseprite files (`.aseprite`/`.ase`)
//! whose first frame is composited from its visible layers
//! (`ASEPRITE_FRAME`). Either becomes a `Raster`; colour mapping is the
//! same for both.

use super::*;

/// An image's pixels as stored in the file, before any colour mapping.
pub(super) struct Raster {
    pub(super) color: png::ColorType,
    /// Bits per sample: 1, 2, 4, 8 or 16.
    pub(super) bits: usize,
    /// Raw `tRNS` bytes; for depths below 16 the decoder keeps one byte per channel.
    pub(super) trns: Option<Vec<u8>>,
    pub(super) data: Vec<u8>,
    pub(super) line_size: usize,
    pub(super) width: usize,
    pub(super) height: usize,
    /// The file's own palette: `PLTE` of an indexed PNG, the sprite palette
    /// of an indexed Aseprite file. `assets new` keeps its order.
    pub(super) palette: Option<Vec<Rgb>>,
}

/// Why an input could not become a raster.
pub(super) enum DecodeFailure {
    Undecodable(String),
    Dimensions { width: u32, height: u32 },
}

/// The file formats a glyph input may have, told by the file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ImageFormat {
    Png,
    Aseprite,
}

impl ImageFormat {
    /// Aseprite by its extension (either case); anything else is read as PNG.
    pub(super) fn of(path: &str) -> ImageFormat {
        let extension = path.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase());
        match extension.as_deref() {
            Some(ext) if ASEPRITE_EXTENSIONS.contains(&ext) => ImageFormat::Aseprite,
            _ => ImageFormat::Png,
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            ImageFormat::Png => "PNG",
            ImageFormat::Aseprite => "Aseprite",
        }
    }

    pub(super) fn decode_code(self) -> Code {
        match self {
            ImageFormat::Png => Code::PngDecodeFailed,
            ImageFormat::Aseprite => Code::AsepriteDecodeFailed,
        }
    }
}

/// What an input must measure: one tile, or a sheet of whole cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    Tile(u32),
    Sheet(u32),
}

impl Shape {
    pub(super) fn accepts(self, width: u32, height: u32) -> bool {
        match self {
            Shape::Tile(side) => width == side && height == side,
            Shape::Sheet(side) => {
                let fits = |n: u32| n > 0 && n.is_multiple_of(side) && n <= SHEET_SIDE;
                fits(width) && fits(height)
            }
        }
    }

    /// The cell holding pixel `(x, y)` of a sheet `width` pixels wide (row-major).
    pub(super) fn cell_at(self, x: usize, y: usize, width: usize) -> Option<usize> {
        let Shape::Sheet(side) = self else { return None };
        let side = side as usize;
        Some((y / side) * (width / side) + x / side)
    }

    pub(super) fn dimensions_diagnostic(
        self,
        path: &str,
        width: u32,
        height: u32,
        findings: &FileFindings<'_>,
    ) -> Diagnostic {
        match self {
            Shape::Tile(side) => findings.blocking(
                Code::TileDimensionsMismatch,
                format!(
                    "{path} is {width}×{height} pixels but `tile_size` is {side}; make every tile exactly {side}×{side}"
                ),
            ),
            Shape::Sheet(side) => findings.blocking(
                Code::SheetDimensionsInvalid,
                format!(
                    "sheet {path} is {width}×{height} pixels; a sheet's width and height must each be a multiple \
                     of `tile_size` ({side}) and at most {SHEET_SIDE}, so crop or pad it (for example to {}×{})",
                    round_to_cells(width, side),
                    round_to_cells(height, side)
                ),
            ),
        }
    }
}

/// `n` rounded up to whole cells, capped at the sheet side.
fn round_to_cells(n: u32, side: u32) -> u32 {
    n.div_ceil(side).max(1).saturating_mul(side).min(SHEET_SIDE)
}

/// An image's width and height from its header alone (PNG `IHDR`, or the
/// Aseprite header), told by its file name; `None` when it does not start
/// like such a file.
pub fn image_size(path: &str, bytes: &[u8]) -> Option<(u32, u32)> {
    match ImageFormat::of(path) {
        ImageFormat::Png => {
            let mut decoder = png::Decoder::new(Cursor::new(bytes));
            decoder.set_limits(png::Limits { bytes: DECODER_MEMORY_LIMIT });
            decoder.read_header_info().ok().map(|info| (info.width, info.height))
        }
        ImageFormat::Aseprite => aseprite_header_size(bytes),
    }
}

pub(super) fn decode(format: ImageFormat, bytes: &[u8], shape: Shape) -> Result<Raster, DecodeFailure> {
    match format {
        ImageFormat::Png => decode_png(bytes, shape),
        ImageFormat::Aseprite => decode_aseprite(bytes, shape),
    }
}

fn decode_png(bytes: &[u8], shape: Shape) -> Result<Raster, DecodeFailure> {
    let undecodable = |error: png::DecodingError| DecodeFailure::Undecodable(error.to_string());
    let mut options = png::DecodeOptions::default();
    // Text and ICC profiles never affect indices; skipping them also skips inflating them.
    options.set_ignore_text_chunk(true);
    options.set_ignore_iccp_chunk(true);
    let mut decoder = png::Decoder::new_with_options(Cursor::new(bytes), options);
    decoder.set_limits(png::Limits { bytes: DECODER_MEMORY_LIMIT });
    // Indexed images need the stored index, so nothing may be expanded or stripped.
    decoder.set_transformations(png::Transformations::IDENTITY);

    // The header alone decides the size, before any pixel is inflated.
    let header = decoder.read_header_info().map_err(undecodable)?;
    if !shape.accepts(header.width, header.height) {
        return Err(DecodeFailure::Dimensions { width: header.width, height: header.height });
    }
    let mut reader = decoder.read_info().map_err(undecodable)?;
    let buffer_size = reader
        .output_buffer_size()
        .ok_or_else(|| DecodeFailure::Undecodable("the image buffer size overflows".to_owned()))?;
    let mut data = vec![0u8; buffer_size];
    let frame = reader.next_frame(&mut data).map_err(undecodable)?;
    if !shape.accepts(frame.width, frame.height) {
        return Err(DecodeFailure::Dimensions { width: frame.width, height: frame.height });
    }
    let raster = Raster {
        color: frame.color_type,
        bits: frame.bit_depth as usize,
        trns: reader.info().trns.as_ref().map(|trns| trns.to_vec()),
        data,
        line_size: frame.line_size,
        width: frame.width as usize,
        height: frame.height as usize,
        // Only an indexed image's palette is its colours; others may carry a mere suggestion.
        palette: (frame.color_type == png::ColorType::Indexed)
            .then(|| {
                reader.info().palette.as_ref().map(|plte| plte.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect())
            })
            .flatten(),
    };
    let needed_line = (raster.width * raster.color.samples() * raster.bits).div_ceil(8);
    if raster.line_size < needed_line || raster.data.len() < raster.line_size * raster.height {
        return Err(DecodeFailure::Undecodable("the decoder returned fewer bytes than the image needs".to_owned()));
    }
    Ok(raster)
}

/// The first frame with its visible layers composited, as 8-bit RGBA; an
/// indexed sprite's pixels become its palette's colours (its transparent
/// index alpha 0), so the authoring palette match is the same as for PNG.
fn decode_aseprite(bytes: &[u8], shape: Shape) -> Result<Raster, DecodeFailure> {
    // The reader asserts some internal invariants by panicking; a corrupt
    // file must be a finding about that file, never a crash of the pack.
    let guarded = |work: &mut dyn FnMut() -> Result<Raster, DecodeFailure>| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))
            .unwrap_or_else(|_| Err(DecodeFailure::Undecodable("its contents are inconsistent".to_owned())))
    };
    // The header's size decides before the reader inflates any cel, as for PNG.
    if let Some((width, height)) = aseprite_header_size(bytes)
        && !shape.accepts(width, height)
    {
        return Err(DecodeFailure::Dimensions { width, height });
    }
    guarded(&mut || {
        let file = asefile::AsepriteFile::read(Cursor::new(bytes))
            .map_err(|error| DecodeFailure::Undecodable(error.to_string()))?;
        let (width, height) = file.size();
        let (width, height) = (u32::try_from(width).unwrap_or(u32::MAX), u32::try_from(height).unwrap_or(u32::MAX));
        if !shape.accepts(width, height) {
            return Err(DecodeFailure::Dimensions { width, height });
        }
        if file.num_frames() == 0 {
            return Err(DecodeFailure::Undecodable("it has no frame".to_owned()));
        }
        let palette = file.is_indexed_color().then(|| sprite_palette(&file)).flatten();
        let image = file.frame(ASEPRITE_FRAME).image();
        Ok(Raster {
            color: png::ColorType::Rgba,
            bits: 8,
            trns: None,
            line_size: width as usize * 4,
            width: width as usize,
            height: height as usize,
            data: image.into_raw(),
            palette,
        })
    })
}

/// Width and height from an Aseprite header (magic `0xA5E0` at byte 4,
/// then frames, width, height as little-endian words); `None` when the bytes
/// do not start like an Aseprite file (the reader then says why).
fn aseprite_header_size(bytes: &[u8]) -> Option<(u32, u32)> {
    const MAGIC: u16 = 0xA5E0;
    let word = |at: usize| bytes.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    (word(4)? == MAGIC).then_some((u32::from(word(8)?), u32::from(word(10)?)))
}

/// An indexed sprite's palette in index order (gaps, which the format allows, read as black).
fn sprite_palette(file: &asefile::AsepriteFile) -> Option<Vec<Rgb>> {
    let palette = file.palette()?;
    let count = palette.num_colors();
    Some(
        (0..count)
            .map(|i| palette.color(i).map_or([0, 0, 0], |entry| [entry.red(), entry.green(), entry.blue()]))
            .collect(),
    )
}
