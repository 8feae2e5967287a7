//! Authoring palettes for `assets new`: derived from the images, or read
//! from a palette file and checked against them. The rules (local, in
//! `docs/decisions.md`): alpha 0 takes index 0; an indexed PNG or an indexed
//! Aseprite file keeps its own palette order; otherwise colours take the
//! next index in order of first appearance, scanning the images in tile
//! order and each image's rows top to bottom, left to right.

use super::*;

/// One input image as `assets new` reads it.
pub struct GlyphImage<'a> {
    /// For messages: the path as the user gave it.
    pub path: &'a str,
    /// The file's bytes.
    pub bytes: &'a [u8],
}

/// Why no palette could be derived, as a sentence that says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaletteProblem(pub String);

impl std::fmt::Display for PaletteProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The most unmatched pixels listed per image by `unmatched_pixels` (local).
pub const UNMATCHED_LISTED_PER_IMAGE: usize = 20;

/// The authoring palette of `images` (each a tile, or one sheet), as `#rrggbb` values.
pub fn derive_palette(images: &[GlyphImage<'_>], tile_size: u32, sheet: bool) -> Result<Vec<String>, PaletteProblem> {
    let rasters = decode_all(images, tile_size, sheet)?;
    let kept = rasters.iter().zip(images).find_map(|(raster, image)| own_palette(raster).map(|p| (p, image.path)));
    let colors = match kept {
        Some((palette, path)) => kept_palette(&rasters, images, &palette, path)?,
        None => first_appearance(&rasters, images)?,
    };
    Ok(colors.into_iter().map(hex).collect())
}

/// Reads a palette file: a PNG strip (every pixel in scan order, repeats
/// dropped, alpha ignored), a GIMP `.gpl` palette or a `.hex` list (one
/// `rrggbb` per line, `#` optional). At most 16 colours.
pub fn parse_palette_file(name: &str, bytes: &[u8]) -> Result<Vec<String>, PaletteProblem> {
    let problem = |why: String| PaletteProblem(format!("palette file {name} {why}"));
    let lower = name.to_ascii_lowercase();
    let colors = if lower.ends_with(".png") {
        png_strip(bytes).map_err(|why| problem(format!("could not be decoded as PNG ({why})")))?
    } else if lower.ends_with(".gpl") || lower.ends_with(".hex") {
        let text = std::str::from_utf8(prometeu_shape::without_bom(bytes))
            .map_err(|_| problem("is not UTF-8 text".to_owned()))?;
        let parsed = if lower.ends_with(".gpl") { gpl_colors(text) } else { hex_colors(text) };
        parsed.map_err(|(line, why)| problem(format!("line {line}: {why}")))?
    } else {
        return Err(problem("is not a `.png` strip, a `.gpl` GIMP palette or a `.hex` list; give one of those".into()));
    };
    if colors.is_empty() || colors.len() > PALETTE_COLORS {
        return Err(problem(format!("has {} colours; an authoring palette holds 1 to {PALETTE_COLORS}", colors.len())));
    }
    Ok(colors.into_iter().map(hex).collect())
}

/// Every opaque pixel whose colour is not in `palette` (`#rrggbb` values),
/// one line each, at most `UNMATCHED_LISTED_PER_IMAGE` per image (then a
/// count of the rest). Indexed images are checked by index instead.
pub fn unmatched_pixels(
    images: &[GlyphImage<'_>],
    tile_size: u32,
    sheet: bool,
    palette: &[String],
) -> Result<Vec<String>, PaletteProblem> {
    let palette: Vec<Rgb> = palette.iter().filter_map(|c| parse_hex_color(c)).collect();
    let rasters = decode_all(images, tile_size, sheet)?;
    let mut lines = Vec::new();
    for (raster, image) in rasters.iter().zip(images) {
        let mut found = 0usize;
        for_each_pixel(raster, |x, y, pixel| {
            let bad = match pixel {
                Pixel::Index(index) => (usize::from(index) >= palette.len()).then(|| format!("palette index {index}")),
                Pixel::Color(color) => (!palette.contains(&color)).then(|| format!("colour {}", hex(color))),
                Pixel::Transparent => None,
            };
            if let Some(what) = bad {
                found += 1;
                if found <= UNMATCHED_LISTED_PER_IMAGE {
                    lines.push(format!("pixel ({x}, {y}) of {} has {what}, which is not in the palette", image.path));
                }
            }
        });
        if found > UNMATCHED_LISTED_PER_IMAGE {
            lines.push(format!("… and {} more such pixels in {}", found - UNMATCHED_LISTED_PER_IMAGE, image.path));
        }
    }
    Ok(lines)
}

fn decode_all(images: &[GlyphImage<'_>], tile_size: u32, sheet: bool) -> Result<Vec<Raster>, PaletteProblem> {
    let shape = if sheet { Shape::Sheet(tile_size) } else { Shape::Tile(tile_size) };
    images
        .iter()
        .map(|image| {
            let format = ImageFormat::of(image.path);
            decode(format, image.bytes, shape).map_err(|failure| {
                PaletteProblem(match failure {
                    DecodeFailure::Undecodable(why) => {
                        format!("{} could not be decoded as {} ({why}); give a valid image", image.path, format.name())
                    }
                    DecodeFailure::Dimensions { width, height } => match shape {
                        Shape::Tile(side) => format!(
                            "{} is {width}×{height} pixels but the tile size is {side}; every tile must be {side}×{side}",
                            image.path
                        ),
                        Shape::Sheet(side) => format!(
                            "sheet {} is {width}×{height} pixels; its width and height must each be a multiple of \
                             the tile size ({side}) and at most {SHEET_SIDE}",
                            image.path
                        ),
                    },
                })
            })
        })
        .collect()
}

/// One pixel as the palette rules see it.
enum Pixel {
    Transparent,
    /// A stored index (indexed PNG, grayscale below 8 bits): it is the palette position.
    Index(u8),
    Color(Rgb),
}

fn for_each_pixel(raster: &Raster, mut visit: impl FnMut(usize, usize, Pixel)) {
    let stored =
        raster.color == png::ColorType::Indexed || (raster.color == png::ColorType::Grayscale && raster.bits < 8);
    let key = color_key(raster);
    for y in 0..raster.height {
        let row = raster.data.get(y * raster.line_size..(y + 1) * raster.line_size).unwrap_or_default();
        for x in 0..raster.width {
            let pixel = if stored {
                Pixel::Index(packed_sample(row, x, raster.bits))
            } else {
                match ColorPixel::read(raster, row, x) {
                    Some(p) if p.alpha == 0 || key.is_some_and(|key| p.stored_color == key) => Pixel::Transparent,
                    Some(p) => Pixel::Color(p.rgb),
                    None => Pixel::Transparent,
                }
            };
            visit(x, y, pixel);
        }
    }
}

/// The palette an image brings: an indexed PNG's `PLTE`, grey levels of a
/// low-depth grayscale PNG, an indexed Aseprite file's sprite palette.
fn own_palette(raster: &Raster) -> Option<Vec<Rgb>> {
    if raster.color == png::ColorType::Grayscale && raster.bits < 8 {
        let levels = 1u16 << raster.bits;
        return Some((0..levels).map(|i| [(i * 255 / (levels - 1)) as u8; 3]).collect());
    }
    raster.palette.clone()
}

/// Keeps `palette`'s order, cut after the highest position any pixel uses.
fn kept_palette(
    rasters: &[Raster],
    images: &[GlyphImage<'_>],
    palette: &[Rgb],
    owner: &str,
) -> Result<Vec<Rgb>, PaletteProblem> {
    let mut used = 0usize;
    let mut first_extra: Option<(String, usize, usize, usize)> = None;
    for (raster, image) in rasters.iter().zip(images) {
        for_each_pixel(raster, |x, y, pixel| {
            let position = match pixel {
                Pixel::Index(index) => Some(usize::from(index)),
                Pixel::Color(color) => palette.iter().position(|c| *c == color),
                Pixel::Transparent => None,
            };
            // A colour outside the kept palette goes after it.
            let position = match (pixel_is_color(&pixel), position) {
                (_, Some(p)) => p,
                (true, None) => palette.len(),
                (false, None) => return,
            };
            used = used.max(position + 1);
            if position >= PALETTE_COLORS && first_extra.is_none() {
                first_extra = Some((image.path.to_owned(), x, y, position));
            }
        });
    }
    if let Some((path, x, y, position)) = first_extra {
        return Err(PaletteProblem(format!(
            "the images use {used} palette entries of {owner}'s palette but a glyph palette holds {PALETTE_COLORS}; \
             the first pixel beyond them is ({x}, {y}) of {path} (entry {position}); move the colours it uses \
             into the palette's first {PALETTE_COLORS} entries, or give `--palette`"
        )));
    }
    Ok(palette.iter().copied().take(used.max(1)).collect())
}

fn pixel_is_color(pixel: &Pixel) -> bool {
    matches!(pixel, Pixel::Color(_))
}

/// Transparency first (index 0), then colours as they first appear.
fn first_appearance(rasters: &[Raster], images: &[GlyphImage<'_>]) -> Result<Vec<Rgb>, PaletteProblem> {
    let transparent = rasters.iter().any(|raster| {
        let mut any = false;
        for_each_pixel(raster, |_, _, pixel| any |= matches!(pixel, Pixel::Transparent));
        any
    });
    let mut colors: Vec<Rgb> = Vec::new();
    let mut first_extra: Option<(String, usize, usize, Rgb)> = None;
    for (raster, image) in rasters.iter().zip(images) {
        for_each_pixel(raster, |x, y, pixel| {
            if let Pixel::Color(color) = pixel
                && !colors.contains(&color)
            {
                colors.push(color);
                if colors.len() + usize::from(transparent) > PALETTE_COLORS && first_extra.is_none() {
                    first_extra = Some((image.path.to_owned(), x, y, color));
                }
            }
        });
    }
    let total = colors.len() + usize::from(transparent);
    if let Some((path, x, y, color)) = first_extra {
        let with_transparency = if transparent { " counting transparency as one" } else { "" };
        return Err(PaletteProblem(format!(
            "the images use {total} colours{with_transparency}, but a glyph palette holds {PALETTE_COLORS}; \
             the first colour beyond them is {} at pixel ({x}, {y}) of {path}; reduce the colours to \
             {PALETTE_COLORS}, or give `--palette` to pick them",
            hex(color)
        )));
    }
    if transparent {
        // Index 0 is what transparent pixels map to; its colour must be one no
        // opaque pixel has, or that pixel would map to 0 as well.
        colors.insert(0, unused_color(&colors));
    }
    if colors.is_empty() {
        colors.push([0, 0, 0]);
    }
    Ok(colors)
}

/// The lowest `#rrggbb` value not in `colors`.
fn unused_color(colors: &[Rgb]) -> Rgb {
    (0u32..=0xff_ffff)
        .map(|v| [(v >> 16) as u8, (v >> 8) as u8, v as u8])
        .find(|c| !colors.contains(c))
        .unwrap_or([0, 0, 0])
}

/// Distinct colours of a PNG in scan order, expanded to 8-bit RGB(A).
fn png_strip(bytes: &[u8]) -> Result<Vec<Rgb>, String> {
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    decoder.set_limits(png::Limits { bytes: DECODER_MEMORY_LIMIT });
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let size = reader.output_buffer_size().ok_or("the image buffer size overflows")?;
    let mut data = vec![0u8; size];
    let frame = reader.next_frame(&mut data).map_err(|e| e.to_string())?;
    let channels = frame.color_type.samples();
    let mut colors: Vec<Rgb> = Vec::new();
    for y in 0..frame.height as usize {
        let row = data.get(y * frame.line_size..).unwrap_or_default();
        for pixel in row.chunks_exact(channels).take(frame.width as usize) {
            let rgb = if channels >= 3 { [pixel[0], pixel[1], pixel[2]] } else { [pixel[0]; 3] };
            if !colors.contains(&rgb) {
                colors.push(rgb);
            }
        }
    }
    Ok(colors)
}

/// GIMP palette: a `GIMP Palette` line, then `R G B [name]` lines; `Name:`,
/// `Columns:` and `#` comment lines are skipped.
fn gpl_colors(text: &str) -> Result<Vec<Rgb>, (usize, String)> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, first)) if first.trim() == "GIMP Palette" => {}
        _ => return Err((1, "a GIMP palette starts with the line `GIMP Palette`".to_owned())),
    }
    let mut colors = Vec::new();
    for (number, line) in lines {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("Name:") || line.starts_with("Columns:") {
            continue;
        }
        let channels: Vec<Option<u8>> = line.split_whitespace().take(3).map(|v| v.parse().ok()).collect();
        match channels.as_slice() {
            [Some(r), Some(g), Some(b)] => colors.push([*r, *g, *b]),
            _ => return Err((number + 1, format!("`{line}` is not `R G B` with three values from 0 to 255"))),
        }
    }
    Ok(colors)
}

/// One `rrggbb` (or `#rrggbb`) per line; blank lines skipped.
fn hex_colors(text: &str) -> Result<Vec<Rgb>, (usize, String)> {
    let mut colors = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let with_hash = if line.starts_with('#') { line.to_owned() } else { format!("#{line}") };
        let color = parse_hex_color(&with_hash)
            .ok_or_else(|| (number + 1, format!("`{line}` is not a colour written as six hex digits `rrggbb`")))?;
        colors.push(color);
    }
    Ok(colors)
}
