//! Authoring palettes for `assets new`: derived from the images, or read
//! from a palette file and checked against them, so that every pixel packs
//! to the colour the artist's file shows. The rules (local, in
//! `docs/decisions.md`):
//!
//! - index 0 is transparency: transparent pixels take it, no opaque pixel
//!   does, and its colour is the lowest `#rrggbb` no pixel has;
//! - an image that stores indices (indexed PNG, grayscale PNG below 8 bits)
//!   packs its stored indices, so the bank's palette must show, at each
//!   index it uses, the colour the file shows there. Such images are taken
//!   first, in input order, and each pins the colours of the indices it
//!   uses; one that cannot agree (a colour pinned otherwise by an earlier
//!   image, an opaque index 0, a transparent index other than 0, a colour
//!   already at another index) is written into the bank as the bank's own
//!   indexed copy: the same pixels, stored against the bank's palette;
//! - every other colour (RGBA, RGB, 8/16-bit grayscale and Aseprite images,
//!   and the copies) takes the lowest free index as it first appears,
//!   scanning images in input order, rows top to bottom, left to right;
//! - indices left free below the highest one used keep the colour the first
//!   index-storing image's own palette has there, if any and not a repeat,
//!   else an unused colour.

use super::*;

/// One input image as `assets new` reads it.
pub struct GlyphImage<'a> {
    /// For messages: the path as the user gave it.
    pub path: &'a str,
    /// The file's bytes.
    pub bytes: &'a [u8],
}

/// Why no palette fits, as lines for a person: the first says what went
/// wrong in its first words (`wrong size`, `unreadable image`, `too many
/// colours`, `colour mismatch`, `palette file`) and what to do; any others
/// list the pixels concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaletteProblem(pub Vec<String>);

impl PaletteProblem {
    fn one(line: String) -> PaletteProblem {
        PaletteProblem(vec![line])
    }
}

impl std::fmt::Display for PaletteProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("\n  "))
    }
}

/// The most unmatched pixels listed per image against a palette file (local).
pub const UNMATCHED_LISTED_PER_IMAGE: usize = 20;

/// The palette a new bank gets, and the images it must hold as its own copies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankArt {
    /// The authoring palette, `#rrggbb` values; index 0 is transparency.
    pub colors: Vec<String>,
    /// Per input image, in order: `None` to copy the file as it is, or the
    /// bank's own indexed copy (a PNG of the same pixels against `colors`).
    pub copies: Vec<Option<BankCopy>>,
}

/// An image the bank holds re-indexed, because its own indices cannot mean
/// the same colours in the bank's palette.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankCopy {
    /// An indexed PNG: the bank's palette, index 0 transparent (`tRNS`).
    pub png: Vec<u8>,
    /// Why, for a person: which index of the file disagrees and with what.
    pub reason: String,
}

/// The authoring palette of `images` (each a tile, or one sheet).
pub fn derive_palette(images: &[GlyphImage<'_>], tile_size: u32, sheet: bool) -> Result<BankArt, PaletteProblem> {
    let arts = read_all(images, tile_size, sheet)?;
    let mut slots = Slots::new();
    let mut reasons: Vec<Option<String>> = vec![None; arts.len()];
    for (art, reason) in arts.iter().zip(&mut reasons) {
        if let Some(stored) = &art.stored {
            match pins(art, stored, &slots) {
                Ok(pinned) => pinned.into_iter().for_each(|(index, color)| slots.set(index, color, &art.path)),
                Err(why) => *reason = Some(why),
            }
        }
    }
    for (art, reason) in arts.iter().zip(&reasons) {
        if art.stored.is_some() && reason.is_none() {
            continue;
        }
        for (at, color) in art.opaque() {
            if !slots.holds(color) && !slots.place(color, &art.path) {
                return Err(too_many_colours(&arts, color, &art.path, at));
            }
        }
    }
    slots.fill_gaps(&arts);
    let colors = slots.colors();
    let copies = bank_copies(&arts, reasons, &colors)?;
    Ok(BankArt { colors: colors.into_iter().map(hex).collect(), copies })
}

/// Checks `images` against a fixed palette (`#rrggbb` values from a palette
/// file named `name`): every opaque colour must be at an index other than
/// 0; an index-storing image whose indices do not mean those colours gets
/// the bank's own copy.
pub fn fit_palette(
    images: &[GlyphImage<'_>],
    tile_size: u32,
    sheet: bool,
    palette: &[String],
    name: &str,
) -> Result<BankArt, PaletteProblem> {
    let colors: Vec<Rgb> = palette.iter().filter_map(|c| parse_hex_color(c)).collect();
    let arts = read_all(images, tile_size, sheet)?;
    let mut lines = Vec::new();
    let mut reasons = Vec::with_capacity(arts.len());
    for art in &arts {
        let reason = art.stored.as_ref().and_then(|stored| disagreement(art, stored, &colors));
        let by_color = art.stored.is_none() || reason.is_some();
        if by_color {
            unmatched_lines(art, &colors, name, &mut lines);
        }
        reasons.push(reason);
    }
    if !lines.is_empty() {
        let count = lines.iter().filter(|l| !l.starts_with('…')).count();
        lines.insert(
            0,
            format!(
                "colour mismatch: {count} pixel{} listed below cannot keep {} colour with palette file {name} \
                 (index 0 is transparency, so no opaque colour may be only there); add the colours to the file \
                 after its first entry, or repaint the pixels",
                if count == 1 { " is" } else { "s are" },
                if count == 1 { "its" } else { "their" }
            ),
        );
        return Err(PaletteProblem(lines));
    }
    let copies = bank_copies(&arts, reasons, &colors)?;
    Ok(BankArt { colors: palette.to_vec(), copies })
}

/// Reads a palette file: a PNG strip (every pixel in scan order, repeats
/// dropped, alpha ignored), a GIMP `.gpl` palette or a `.hex` list (one
/// `rrggbb` per line, `#` optional). At most 16 colours.
pub fn parse_palette_file(name: &str, bytes: &[u8]) -> Result<Vec<String>, PaletteProblem> {
    let problem = |why: String| PaletteProblem::one(format!("palette file: {name} {why}"));
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

/// An input image as the palette rules see it.
struct Art {
    path: String,
    width: usize,
    height: usize,
    /// What each pixel shows in the file, row-major.
    shown: Vec<Shown>,
    /// The stored index of each pixel, for images that store indices.
    stored: Option<Vec<u8>>,
    /// The file's own palette (indexed PNG: `PLTE`; low-depth grayscale: its grey levels).
    own_palette: Vec<Rgb>,
}

impl Art {
    /// Opaque pixels in scan order: `((x, y), colour)`.
    fn opaque(&self) -> impl Iterator<Item = ((usize, usize), Rgb)> + '_ {
        self.shown.iter().enumerate().filter_map(|(i, shown)| match shown {
            Shown::Color(color) => Some(((i % self.width.max(1), i / self.width.max(1)), *color)),
            Shown::Transparent => None,
        })
    }
}

fn read_all(images: &[GlyphImage<'_>], tile_size: u32, sheet: bool) -> Result<Vec<Art>, PaletteProblem> {
    let shape = if sheet { Shape::Sheet(tile_size) } else { Shape::Tile(tile_size) };
    images.iter().map(|image| read_art(image, shape)).collect()
}

fn read_art(image: &GlyphImage<'_>, shape: Shape) -> Result<Art, PaletteProblem> {
    let format = ImageFormat::of(image.path);
    let raster = decode(format, image.bytes, shape).map_err(|failure| {
        PaletteProblem::one(match failure {
            DecodeFailure::Undecodable(why) => format!(
                "unreadable image: {} could not be decoded as {} ({why}); give a valid image",
                image.path,
                format.name()
            ),
            DecodeFailure::Dimensions { width, height } => match shape {
                Shape::Tile(side) => format!(
                    "wrong size: {} is {width}×{height} pixels but the tile size is {side}; every tile must be \
                     {side}×{side}",
                    image.path
                ),
                Shape::Sheet(side) => format!(
                    "wrong size: sheet {} is {width}×{height} pixels; its width and height must each be a multiple \
                     of the tile size ({side}) and at most {SHEET_SIDE}",
                    image.path
                ),
            },
        })
    })?;
    let stores = stores_indices(&raster);
    let table = if stores { stored_colors(&raster) } else { Vec::new() };
    let key = color_key(&raster);
    let mut shown = Vec::with_capacity(raster.width * raster.height);
    let mut stored = stores.then(|| Vec::with_capacity(raster.width * raster.height));
    for y in 0..raster.height {
        let row = raster.data.get(y * raster.line_size..(y + 1) * raster.line_size).unwrap_or_default();
        for x in 0..raster.width {
            if let Some(stored) = &mut stored {
                let index = packed_sample(row, x, raster.bits);
                stored.push(index);
                shown.push(table.get(usize::from(index)).copied().unwrap_or(Shown::Color([0, 0, 0])));
                continue;
            }
            shown.push(shown_by_color(&raster, row, x, key));
        }
    }
    let own_palette = table.iter().map(|s| if let Shown::Color(c) = s { *c } else { [0, 0, 0] }).collect();
    Ok(Art { path: image.path.to_owned(), width: raster.width, height: raster.height, shown, stored, own_palette })
}

/// The bank palette while it is derived: index 0 is transparency, each
/// other index a colour and the image that put it there.
struct Slots([Option<(Rgb, String)>; PALETTE_COLORS]);

impl Slots {
    fn new() -> Slots {
        Slots(std::array::from_fn(|_| None))
    }

    fn get(&self, index: usize) -> Option<Rgb> {
        self.0.get(index).and_then(|slot| slot.as_ref().map(|(color, _)| *color))
    }

    fn holds(&self, color: Rgb) -> bool {
        self.position(color).is_some()
    }

    fn position(&self, color: Rgb) -> Option<usize> {
        (1..PALETTE_COLORS).find(|&i| self.get(i) == Some(color))
    }

    fn set(&mut self, index: usize, color: Rgb, owner: &str) {
        self.0[index] = Some((color, owner.to_owned()));
    }

    /// Puts `color` at the lowest free index above 0; `false` when none is free.
    fn place(&mut self, color: Rgb, owner: &str) -> bool {
        let free = (1..PALETTE_COLORS).find(|&i| self.0[i].is_none());
        free.map(|i| self.set(i, color, owner)).is_some()
    }

    /// Free indices below the highest used one: the first index-storing
    /// image's own colour there when it is not a repeat, else an unused colour.
    fn fill_gaps(&mut self, arts: &[Art]) {
        let Some(highest) = (1..PALETTE_COLORS).rev().find(|&i| self.0[i].is_some()) else { return };
        let own = arts.iter().find(|art| art.stored.is_some()).map(|art| (art.own_palette.as_slice(), &art.path));
        for index in 1..highest {
            if self.0[index].is_some() {
                continue;
            }
            let kept = own.and_then(|(palette, path)| Some((*palette.get(index)?, path)));
            match kept {
                Some((color, path)) if !self.holds(color) && !arts_show(arts, color) => self.set(index, color, path),
                _ => {
                    let color = unused_color(&self.colors_so_far(), arts);
                    self.set(index, color, "");
                }
            }
        }
    }

    fn colors_so_far(&self) -> Vec<Rgb> {
        (0..PALETTE_COLORS).filter_map(|i| self.get(i)).collect()
    }

    /// Index 0 (an unused colour) and every index up to the highest used.
    fn colors(&self) -> Vec<Rgb> {
        let highest = (1..PALETTE_COLORS).rev().find(|&i| self.0[i].is_some()).unwrap_or(0);
        let taken = self.colors_so_far();
        let mut colors = vec![unused_color(&taken, &[])];
        colors.extend((1..=highest).map(|i| self.get(i).unwrap_or([0, 0, 0])));
        colors
    }
}

/// Whether an opaque pixel of any image has `color` (a gap colour must not,
/// or colour-mapped pixels could take it).
fn arts_show(arts: &[Art], color: Rgb) -> bool {
    arts.iter().any(|art| art.shown.contains(&Shown::Color(color)))
}

/// The colours an index-storing image pins (index → colour), or why its
/// indices cannot keep their meaning in the bank.
fn pins(art: &Art, stored: &[u8], slots: &Slots) -> Result<Vec<(usize, Rgb)>, String> {
    let mut pinned: Vec<(usize, Rgb)> = Vec::new();
    for (&index, &shown) in stored.iter().zip(&art.shown) {
        let index = usize::from(index);
        let color = match shown {
            Shown::Transparent if index == 0 => continue,
            Shown::Transparent => {
                return Err(format!("its transparent pixels use index {index}, but only index 0 is transparency"));
            }
            Shown::Color(color) if index == 0 => {
                return Err(format!("it draws opaque {} with index 0, which is transparency", hex(color)));
            }
            Shown::Color(_) if index >= PALETTE_COLORS => return Err(format!("it uses index {index}, above 15")),
            Shown::Color(color) => color,
        };
        if pinned.contains(&(index, color)) {
            continue;
        }
        let taken = slots.0[index].as_ref().map(|(c, owner)| (*c, owner.as_str()));
        let pinned_here = pinned.iter().find(|(i, _)| *i == index).map(|(_, c)| (*c, art.path.as_str()));
        if let Some((other, owner)) = taken.or(pinned_here).filter(|(other, _)| *other != color) {
            return Err(format!(
                "its index {index} is {} but the bank's index {index} is {} (from {owner})",
                hex(color),
                hex(other)
            ));
        }
        let elsewhere = slots.position(color).filter(|&i| i != index);
        let elsewhere = elsewhere.or_else(|| pinned.iter().find(|(i, c)| *c == color && *i != index).map(|(i, _)| *i));
        if let Some(other) = elsewhere {
            return Err(format!("its colour {} is at index {index}, but the bank has it at index {other}", hex(color)));
        }
        pinned.push((index, color));
    }
    Ok(pinned)
}

/// Why an index-storing image's indices do not mean `palette`'s colours, if they do not.
fn disagreement(art: &Art, stored: &[u8], palette: &[Rgb]) -> Option<String> {
    stored.iter().zip(&art.shown).find_map(|(&index, &shown)| {
        let index = usize::from(index);
        match shown {
            Shown::Transparent if index == 0 => None,
            Shown::Transparent => {
                Some(format!("its transparent pixels use index {index}, but only index 0 is transparency"))
            }
            Shown::Color(color) if index == 0 => {
                Some(format!("it draws opaque {} with index 0, which is transparency", hex(color)))
            }
            Shown::Color(color) => match palette.get(index) {
                Some(&bank) if bank == color => None,
                Some(&bank) => Some(format!("its index {index} is {} but the palette's is {}", hex(color), hex(bank))),
                None => Some(format!("its index {index} is {} but the palette has no index {index}", hex(color))),
            },
        }
    })
}

/// Lines for the opaque pixels of a colour-mapped image whose colour is not
/// at an index above 0 of `palette`.
fn unmatched_lines(art: &Art, palette: &[Rgb], name: &str, lines: &mut Vec<String>) {
    let mut found = 0usize;
    for ((x, y), color) in art.opaque() {
        let why = match palette.iter().position(|c| *c == color) {
            Some(0) => "which is entry 0 of the palette file, and entry 0 is transparency",
            Some(_) => continue,
            None => "which is not in the palette file",
        };
        found += 1;
        if found <= UNMATCHED_LISTED_PER_IMAGE {
            lines.push(format!("pixel ({x}, {y}) of {} has colour {}, {why} {name}", art.path, hex(color)));
        }
    }
    if found > UNMATCHED_LISTED_PER_IMAGE {
        lines.push(format!("… and {} more such pixels in {}", found - UNMATCHED_LISTED_PER_IMAGE, art.path));
    }
}

fn too_many_colours(arts: &[Art], color: Rgb, path: &str, (x, y): (usize, usize)) -> PaletteProblem {
    let mut distinct: Vec<Rgb> = Vec::new();
    for (_, c) in arts.iter().flat_map(Art::opaque) {
        if !distinct.contains(&c) {
            distinct.push(c);
        }
    }
    PaletteProblem::one(format!(
        "too many colours: the images use {} opaque colours and transparency (index 0), but a glyph palette holds \
         {PALETTE_COLORS}, so 15 colours at most; the first colour beyond them is {} at pixel ({x}, {y}) of {path}; \
         reduce the colours, or give `--palette` to pick them",
        distinct.len(),
        hex(color)
    ))
}

/// The bank's copies of the images that have a reason to be re-indexed.
fn bank_copies(
    arts: &[Art],
    reasons: Vec<Option<String>>,
    palette: &[Rgb],
) -> Result<Vec<Option<BankCopy>>, PaletteProblem> {
    arts.iter()
        .zip(reasons)
        .map(|(art, reason)| {
            let Some(reason) = reason else { return Ok(None) };
            let png = indexed_copy(art, palette).map_err(|why| {
                PaletteProblem::one(format!(
                    "unreadable image: the bank's copy of {} could not be made ({why})",
                    art.path
                ))
            })?;
            Ok(Some(BankCopy { png, reason }))
        })
        .collect()
}

/// `art` as a 4-bit indexed PNG against `palette`: transparent pixels index
/// 0 (alpha 0 in `tRNS`), each opaque colour its lowest index above 0.
fn indexed_copy(art: &Art, palette: &[Rgb]) -> Result<Vec<u8>, String> {
    let index_of = |shown: &Shown| match shown {
        Shown::Transparent => Ok(0u8),
        Shown::Color(color) => (1..palette.len())
            .find(|&i| palette[i] == *color)
            .map(|i| i as u8)
            .ok_or_else(|| format!("colour {} is not in the palette", hex(*color))),
    };
    let line = art.width.div_ceil(2);
    let mut data = vec![0u8; line * art.height];
    for (i, shown) in art.shown.iter().enumerate() {
        let (x, y) = (i % art.width, i / art.width);
        // PNG packs samples from the most significant bits.
        let shift = if x % 2 == 0 { 4 } else { 0 };
        data[y * line + x / 2] |= index_of(shown)? << shift;
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, art.width as u32, art.height as u32);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::Four);
    encoder.set_palette(palette.iter().flatten().copied().collect::<Vec<u8>>());
    encoder.set_trns(vec![0u8]);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(&data).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

/// The lowest `#rrggbb` value neither in `colors` nor shown by any image.
fn unused_color(colors: &[Rgb], arts: &[Art]) -> Rgb {
    (0u32..=0xff_ffff)
        .map(|v| [(v >> 16) as u8, (v >> 8) as u8, v as u8])
        .find(|c| !colors.contains(c) && !arts_show(arts, *c))
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
