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
/// Warnings (opaque pixels on index 0) go to `warnings`.
pub(super) fn image_indices(
    input: &AssetInput<'_>,
    file: &SelectedFile,
    params: &Params,
    shape: Shape,
    findings: &FileFindings<'_>,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Indices, Vec<Diagnostic>> {
    let path = file.path();
    let raster = read_raster(input, file, shape, findings).map_err(|d| vec![d])?;
    // `check` guarantees at least one palette; the lowest index authors.
    let authoring = params.palettes.first().ok_or_else(|| {
        vec![findings.blocking(
            Code::PaletteMissing,
            format!("{path} cannot be mapped because no palette is declared; declare one"),
        )]
    })?;
    let mapped = map_pixels(&raster, authoring, params.opaque_index_zero);
    let mut blocking = Vec::new();
    for problem in mapped.problems {
        let diagnostic = problem.into_diagnostic(path, authoring.index, (shape, raster.width), findings);
        if diagnostic.is_blocking() { blocking.push(diagnostic) } else { warnings.push(diagnostic) }
    }
    if !blocking.is_empty() {
        return Err(blocking);
    }
    Ok(Indices { width: raster.width, height: raster.height, data: mapped.indices })
}

/// One glyph input's bytes from the snapshot, decoded (size limits first).
fn read_raster(
    input: &AssetInput<'_>,
    file: &SelectedFile,
    shape: Shape,
    findings: &FileFindings<'_>,
) -> Result<Raster, Diagnostic> {
    let path = file.path();
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
    let bytes = input.content.bytes(input.asset, file).map_err(|why| {
        findings.blocking(
            format.decode_code(),
            format!("{path} could not be read ({why}); make sure it is a readable file"),
        )
    })?;
    if bytes.len() as u64 > MAX_PNG_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    decode(format, &bytes, shape).map_err(|failure| match failure {
        DecodeFailure::Undecodable(why) => findings.blocking(
            format.decode_code(),
            format!("{path} could not be decoded as {0} ({why}); re-export it as a valid {0} file", format.name()),
        ),
        DecodeFailure::Dimensions { width, height } => shape.dimensions_diagnostic(path, width, height, findings),
    })
}

/// What a pixel shows in the artist's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shown {
    Transparent,
    Color(Rgb),
}

/// The first pixel with one kind of problem, and how many pixels have it.
pub(super) struct PixelProblem {
    pub(super) kind: PixelProblemKind,
    pub(super) x: usize,
    pub(super) y: usize,
    pub(super) count: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PixelProblemKind {
    IndexOutOfRange(u8),
    Unmatched(Rgb),
    /// A stored index whose colour in the file is not the bank's colour at
    /// that index (`None`: the authoring palette has no colour there).
    StoredColorDiffers {
        index: u8,
        shown: Shown,
        bank: Option<Rgb>,
    },
    /// An opaque pixel on index 0, which is transparency unless the bank says otherwise.
    OpaqueOnZero(Rgb),
}

impl PixelProblemKind {
    /// Problems of one kind are counted together, whatever their colours.
    fn same_kind(&self, other: &PixelProblemKind) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
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
        let at = format!("pixel ({x}, {y}) of {path}{cell}");
        let palette = format!("the authoring palette (palette index {authoring_index})");
        match self.kind {
            PixelProblemKind::IndexOutOfRange(index) => findings.blocking(
                Code::PngIndexOutOfRange,
                format!(
                    "{at} uses palette index {index}, but a glyph tile can use only indices \
                     0 to {MAX_PIXEL_INDEX}{others}; repaint it with one of the first 16 palette entries"
                ),
            ),
            PixelProblemKind::Unmatched(color) => findings.blocking(
                Code::PixelColorUnmatched,
                format!(
                    "{at} has colour {}, which is not in {palette}{others}; add the colour to that palette \
                     or repaint the pixel",
                    hex(color)
                ),
            ),
            PixelProblemKind::StoredColorDiffers { index, shown, bank } => {
                let packed = match bank {
                    Some(color) => format!("{palette} has {} at index {index}", hex(color)),
                    None => format!("{palette} has no colour at index {index} (the game would draw black)"),
                };
                let (what, fix) = match shown {
                    Shown::Color(color) => (
                        format!("{at} shows colour {} (stored index {index})", hex(color)),
                        format!("set colour {index} of that palette to {}", hex(color)),
                    ),
                    Shown::Transparent => (
                        format!("{at} is transparent in the file (stored index {index})"),
                        "save the image with its transparent colour at index 0".to_owned(),
                    ),
                };
                findings.blocking(
                    Code::IndexedColorMismatch,
                    format!(
                        "colour mismatch: {what}, but {packed}{others}; {fix}, or create the bank with \
                         `assets new`, which derives a palette every input agrees with"
                    ),
                )
            }
            PixelProblemKind::OpaqueOnZero(color) => findings.warning(
                Code::OpaqueIndexZero,
                format!(
                    "{at} is opaque {} but lands on palette index 0, which is transparency, so the game would not \
                     draw it{others}; move that colour off index 0 of {palette}, make the pixel transparent, or set \
                     `output.pipeline.{OPAQUE_INDEX_ZERO_KEY}` to true if index 0 is a colour on purpose",
                    hex(color)
                ),
            ),
        }
    }
}

/// How stored pixels become palette indices (spec "Family glyph_bank").
pub(super) enum Mapping<'a> {
    /// Indexed colour, and grayscale of 1, 2 or 4 bits: the stored value is
    /// the index, and what it shows in the file (`shown[value]`) must be
    /// the authoring palette's colour at that index.
    Stored { shown: Vec<Shown> },
    /// Every other colour type: transparency, then an exact RGB match.
    ByColor { key: Option<&'a [u8]> },
}

/// Pixels mapped to indices, with the first pixel of each kind of problem.
pub(super) struct Mapped {
    pub(super) indices: Vec<u8>,
    pub(super) problems: Vec<PixelProblem>,
}

/// Whether the stored value of `raster` is the palette index (indexed, and grayscale below 8 bits).
pub(super) fn stores_indices(raster: &Raster) -> bool {
    raster.color == png::ColorType::Indexed || (raster.color == png::ColorType::Grayscale && raster.bits < 8)
}

/// What each stored value of an index-storing raster shows: its `PLTE`
/// colour (alpha from `tRNS`), or its grey level (the `tRNS` key transparent).
pub(super) fn stored_colors(raster: &Raster) -> Vec<Shown> {
    let values = 1usize << raster.bits.min(8);
    if raster.color == png::ColorType::Indexed {
        let palette = raster.palette.as_deref().unwrap_or_default();
        let alpha = raster.trns.as_deref().unwrap_or_default();
        return (0..values)
            .map(|i| match (palette.get(i), alpha.get(i)) {
                (_, Some(0)) => Shown::Transparent,
                (Some(&color), _) => Shown::Color(color),
                // Beyond `PLTE`: viewers draw black.
                (None, _) => Shown::Color([0, 0, 0]),
            })
            .collect();
    }
    let key = color_key(raster).and_then(|key| key.first().copied());
    let max = (values - 1).max(1);
    (0..values)
        .map(|i| if key == Some(i as u8) { Shown::Transparent } else { Shown::Color([(i * 255 / max) as u8; 3]) })
        .collect()
}

pub(super) fn map_pixels(raster: &Raster, authoring: &Palette, opaque_index_zero: bool) -> Mapped {
    let mapping = if stores_indices(raster) {
        Mapping::Stored { shown: stored_colors(raster) }
    } else {
        Mapping::ByColor { key: color_key(raster) }
    };
    let mut indices = Vec::with_capacity(raster.width * raster.height);
    let mut problems: Vec<PixelProblem> = Vec::new();
    for y in 0..raster.height {
        let row = raster.data.get(y * raster.line_size..(y + 1) * raster.line_size).unwrap_or_default();
        for x in 0..raster.width {
            let (index, problem) = map_pixel(raster, row, x, &mapping, authoring, opaque_index_zero);
            indices.push(index);
            let Some(kind) = problem else { continue };
            match problems.iter_mut().find(|p| p.kind.same_kind(&kind)) {
                Some(first) => first.count += 1,
                None => problems.push(PixelProblem { kind, x, y, count: 1 }),
            }
        }
    }
    Mapped { indices, problems }
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

/// One pixel's index, and what is wrong with it if anything (a blocking
/// problem packs index 0; an opaque pixel on index 0 keeps it, as a warning).
pub(super) fn map_pixel(
    raster: &Raster,
    row: &[u8],
    x: usize,
    mapping: &Mapping<'_>,
    authoring: &Palette,
    opaque_index_zero: bool,
) -> (u8, Option<PixelProblemKind>) {
    let on_zero = |color: Rgb| (!opaque_index_zero).then_some(PixelProblemKind::OpaqueOnZero(color));
    match mapping {
        Mapping::Stored { shown } => {
            let index = packed_sample(row, x, raster.bits);
            if index > MAX_PIXEL_INDEX {
                return (0, Some(PixelProblemKind::IndexOutOfRange(index)));
            }
            let shown = shown.get(usize::from(index)).copied().unwrap_or(Shown::Color([0, 0, 0]));
            let bank = authoring.colors.get(usize::from(index)).copied();
            let agrees = match shown {
                // Index 0 is transparency: its palette colour is never drawn.
                Shown::Transparent => index == 0,
                Shown::Color(color) if index == 0 && !opaque_index_zero => return (0, on_zero(color)),
                Shown::Color(color) => bank == Some(color),
            };
            if agrees { (index, None) } else { (0, Some(PixelProblemKind::StoredColorDiffers { index, shown, bank })) }
        }
        Mapping::ByColor { key } => {
            let Shown::Color(rgb) = shown_by_color(raster, row, x, *key) else {
                return (0, None);
            };
            match authoring.colors.iter().position(|color| *color == rgb) {
                Some(0) => (0, on_zero(rgb)),
                Some(position) => (position as u8, None),
                None => (0, Some(PixelProblemKind::Unmatched(rgb))),
            }
        }
    }
}

/// What a pixel of a colour-typed raster shows: transparent when its alpha
/// is 0 or it equals the `tRNS` colour key, else its 8-bit RGB.
pub(super) fn shown_by_color(raster: &Raster, row: &[u8], x: usize, key: Option<&[u8]>) -> Shown {
    match ColorPixel::read(raster, row, x) {
        Some(p) if p.alpha == 0 || key.is_some_and(|key| p.stored_color == key) => Shown::Transparent,
        Some(p) => Shown::Color(p.rgb),
        None => Shown::Transparent,
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
