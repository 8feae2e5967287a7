//! Tiles: mapping each decoded image's pixels to palette indices, cutting sheets into cells, placing tiles in the bank's sheet.

use super::*;

/// A glyph input mapped to palette indices, row-major.
pub(super) struct Indices {
    pub width: usize,
    pub height: usize,
    pub data: Vec<u8>,
}

/// Decodes and maps one glyph input (a tile, or a whole sheet) to palette
/// indices: `tile_size²` of them for a tile, `width × height` for a sheet.
pub(super) fn image_indices(
    input: &AssetInput<'_>,
    file: &SelectedFile,
    params: &Params,
    shape: Shape,
    findings: &FileFindings<'_>,
) -> Result<Indices, Diagnostic> {
    let path = &file.path;
    let too_large = |size: u64| {
        findings.blocking(
            Code::PngTooLarge,
            format!(
                "{path} is {size} bytes, over the {MAX_PNG_BYTES}-byte limit for a glyph input image; \
                 re-export it without large ancillary chunks (a tile needs only a few KiB)"
            ),
        )
    };
    // The size on disk decides before any byte is read.
    if file.size > MAX_PNG_BYTES {
        return Err(too_large(file.size));
    }
    let format = ImageFormat::of(path);
    let bytes = input.content.bytes(path).map_err(|why| {
        findings.blocking(
            format.decode_code(),
            format!("{path} could not be read ({why}); make sure it is a readable file"),
        )
    })?;
    if bytes.len() as u64 > MAX_PNG_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    let raster = decode(format, &bytes, shape).map_err(|failure| match failure {
        DecodeFailure::Undecodable(why) => findings.blocking(
            format.decode_code(),
            format!("{path} could not be decoded as {0} ({why}); re-export it as a valid {0} file", format.name()),
        ),
        DecodeFailure::Dimensions { width, height } => shape.dimensions_diagnostic(path, width, height, findings),
    })?;
    // `check` guarantees at least one palette; the lowest index authors.
    let authoring = params.palettes.first().ok_or_else(|| {
        findings.blocking(
            Code::PaletteMissing,
            format!("{path} cannot be mapped because no palette is declared; declare one"),
        )
    })?;
    let data = map_pixels(&raster, authoring)
        .map_err(|problem| problem.into_diagnostic(path, authoring.index, (shape, raster.width), findings))?;
    Ok(Indices { width: raster.width, height: raster.height, data })
}

/// The first pixel that cannot be mapped, and how many cannot.
pub(super) struct PixelProblem {
    pub(super) kind: PixelProblemKind,
    pub(super) x: usize,
    pub(super) y: usize,
    pub(super) count: usize,
}

pub(super) enum PixelProblemKind {
    IndexOutOfRange(u8),
    Unmatched(Rgb),
}

impl PixelProblem {
    fn into_diagnostic(
        self,
        path: &str,
        authoring_index: usize,
        (shape, width): (Shape, usize),
        findings: &FileFindings<'_>,
    ) -> Diagnostic {
        let (x, y) = (self.x, self.y);
        let cell = shape.cell_at(x, y, width).map(|cell| format!(" (sheet cell {cell})")).unwrap_or_default();
        let others = match self.count {
            1 => String::new(),
            2 => " (1 more pixel of this image has the same problem)".to_owned(),
            n => format!(" ({} more pixels of this image have the same problem)", n - 1),
        };
        match self.kind {
            PixelProblemKind::IndexOutOfRange(index) => findings.blocking(
                Code::PngIndexOutOfRange,
                format!(
                    "pixel ({x}, {y}) of {path}{cell} uses palette index {index}, but a glyph tile can use only indices \
                     0 to {MAX_PIXEL_INDEX}{others}; repaint it with one of the first 16 palette entries"
                ),
            ),
            PixelProblemKind::Unmatched(color) => findings.blocking(
                Code::PixelColorUnmatched,
                format!(
                    "pixel ({x}, {y}) of {path}{cell} has colour {}, which is not in the authoring palette \
                     (palette index {authoring_index}){others}; add the colour to that palette or repaint the pixel",
                    hex(color)
                ),
            ),
        }
    }
}

/// How stored pixels become palette indices (spec "Family glyph_bank").
pub(super) enum Mapping<'a> {
    /// Indexed colour, and grayscale of 1, 2 or 4 bits: the stored value is the index.
    Stored,
    /// Every other colour type: transparency, then an exact RGB match.
    ByColor { authoring: &'a Palette, key: Option<&'a [u8]> },
}

pub(super) fn map_pixels(raster: &Raster, authoring: &Palette) -> Result<Vec<u8>, PixelProblem> {
    use png::ColorType;
    let mapping = match raster.color {
        ColorType::Indexed => Mapping::Stored,
        ColorType::Grayscale if raster.bits < 8 => Mapping::Stored,
        _ => Mapping::ByColor { authoring, key: color_key(raster) },
    };
    let mut indices = Vec::with_capacity(raster.width * raster.height);
    let mut problem: Option<PixelProblem> = None;
    for y in 0..raster.height {
        let row = raster.data.get(y * raster.line_size..(y + 1) * raster.line_size).unwrap_or_default();
        for x in 0..raster.width {
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
pub(super) fn color_key(raster: &Raster) -> Option<&[u8]> {
    let channels = match raster.color {
        png::ColorType::Grayscale => 1,
        png::ColorType::Rgb => 3,
        _ => return None,
    };
    let bytes_per_sample = raster.bits.div_ceil(8);
    raster.trns.as_deref().filter(|key| key.len() == channels * bytes_per_sample)
}

pub(super) fn map_pixel(raster: &Raster, row: &[u8], x: usize, mapping: &Mapping<'_>) -> Result<u8, PixelProblemKind> {
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
pub(super) fn packed_sample(row: &[u8], x: usize, bits: usize) -> u8 {
    let bit = x * bits;
    let Some(&byte) = row.get(bit / 8) else { return 0 };
    if bits >= 8 {
        return byte;
    }
    let shift = 8 - bits - bit % 8;
    (byte >> shift) & ((1u8 << bits) - 1)
}

/// One pixel of an 8- or 16-bit colour type, reduced to 8 bits per channel.
pub(super) struct ColorPixel<'a> {
    pub(super) rgb: Rgb,
    pub(super) alpha: u8,
    /// The colour channels exactly as stored, for the `tRNS` key comparison.
    pub(super) stored_color: &'a [u8],
}

impl<'a> ColorPixel<'a> {
    pub(super) fn read(raster: &Raster, row: &'a [u8], x: usize) -> Option<ColorPixel<'a>> {
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

/// Writes one tile's `tile_size²` indices into sheet cell `index`; `path`
/// names the image it came from.
pub(super) fn place_tile(
    sheet: &mut [u8],
    index: u32,
    path: &str,
    tile_size: u32,
    pixels: &[u8],
    findings: &FileFindings<'_>,
) -> Result<(), Diagnostic> {
    let per_row = cells_per_row(tile_size);
    let (column, row) = (index % per_row, index / per_row);
    if row >= per_row {
        return Err(findings.blocking(
            Code::TileCapacityExceeded,
            format!(
                "{path} is tile {index} but a sheet of {tile_size}×{tile_size} tiles has only {} cells; select fewer tiles or use a smaller `tile_size`",
                per_row * per_row
            ),
        ));
    }
    let side = tile_size as usize;
    let (left, top) = ((column * tile_size) as usize, (row * tile_size) as usize);
    for (offset, &value) in pixels.iter().enumerate().take(side * side) {
        let (x, y) = (left + offset % side, top + offset / side);
        let at = (y * SHEET_SIDE as usize + x) / 2;
        if let Some(byte) = sheet.get_mut(at) {
            let shift = if x % 2 == 0 { EVEN_X_SHIFT } else { ODD_X_SHIFT };
            *byte = (*byte & !(0x0f << shift)) | ((value & 0x0f) << shift);
        }
    }
    Ok(())
}

/// The tiles of a sheet image: its cells, row-major, each `tile_size²`
/// indices row-major. Every cell is a tile, a fully transparent one too
/// (local: to pack fewer tiles, crop the sheet).
pub(super) fn cut_cells(sheet: &Indices, tile_size: u32) -> Vec<Vec<u8>> {
    let side = tile_size as usize;
    let (columns, rows) = (sheet.width / side, sheet.height / side);
    let mut cells = Vec::with_capacity(columns * rows);
    for row in 0..rows {
        for column in 0..columns {
            let mut cell = Vec::with_capacity(side * side);
            for y in row * side..(row + 1) * side {
                let start = y * sheet.width + column * side;
                cell.extend_from_slice(sheet.data.get(start..start + side).unwrap_or_default());
            }
            cells.push(cell);
        }
    }
    cells
}
