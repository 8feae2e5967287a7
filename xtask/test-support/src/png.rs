//! Real PNG files: through the `png` encoder, or byte by byte where an
//! encoder cannot produce a layout a test needs.

/// An indexed-colour PNG (8-bit indices) of `side × side`.
pub fn png_indexed(side: u32, indices: &[u8], palette_rgb: &[u8]) -> Vec<u8> {
    indexed_png(side, indices, palette_rgb, None)
}

/// [`png_indexed`] with a `tRNS` chunk making palette entry 0 transparent.
pub fn png_indexed_transparent_zero(side: u32, indices: &[u8], palette_rgb: &[u8]) -> Vec<u8> {
    indexed_png(side, indices, palette_rgb, Some(vec![0]))
}

fn indexed_png(side: u32, indices: &[u8], palette_rgb: &[u8], trns: Option<Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_palette(palette_rgb.to_vec());
    if let Some(trns) = trns {
        encoder.set_trns(trns);
    }
    encoder.write_header().unwrap().write_image_data(indices).unwrap();
    out
}

/// An RGBA PNG of `side × side`.
pub fn png_rgba(side: u32, rgba: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header().unwrap().write_image_data(rgba).unwrap();
    out
}

/// An image as one integer per pixel holding all its bits (for example
/// `0xRRGGBB` for 8-bit RGB), written MSB first as PNG stores it.
#[derive(Clone)]
pub struct Image {
    /// Width in pixels: the number of `pixels` entries per row.
    pub width: u32,
    /// Height in pixels: the number of rows.
    pub height: u32,
    /// The PNG colour type written in `IHDR`; its samples per pixel times `depth` is how many low bits of
    /// each `pixels` entry are written.
    pub color: png::ColorType,
    /// Bits per sample, written in `IHDR` (1, 2, 4, 8 or 16; which ones PNG allows depends on `color`).
    pub depth: png::BitDepth,
    /// Row-major, top row first, `width × height` entries; each holds all samples of one pixel, the first
    /// sample in the highest bits (`0xRRGGBBAA` for 8-bit RGBA, the palette index for indexed colour).
    pub pixels: Vec<u64>,
    /// `PLTE` contents (RGB triples), written when `Some`; [`Image::new`] sets it for indexed colour only.
    pub palette: Option<Vec<u8>>,
    /// `tRNS` contents, written byte for byte when `Some`; see [`Image::with_trns`].
    pub trns: Option<Vec<u8>>,
}

impl Image {
    /// A `width × height` image whose pixel at column `x`, row `y` (0-based, from the top left) is
    /// `pixel(x, y)`, laid out as [`Image::pixels`] describes. Indexed colour gets a grey palette of
    /// `2^depth` entries, one for every index the depth can hold; no `tRNS`. Whether `color` and `depth`
    /// form a valid PNG combination is not checked.
    pub fn new(
        width: u32,
        height: u32,
        color: png::ColorType,
        depth: png::BitDepth,
        pixel: impl Fn(u32, u32) -> u64,
    ) -> Image {
        let pixels = (0..height).flat_map(|y| (0..width).map(move |x| (x, y))).map(|(x, y)| pixel(x, y)).collect();
        // As many entries as the depth can address: the palette's colours never matter here.
        let entries = 1u32 << depth as u32;
        let palette = (color == png::ColorType::Indexed).then(|| (0..entries).flat_map(|i| [i as u8; 3]).collect());
        Image { width, height, color, depth, pixels, palette, trns: None }
    }

    /// [`Image::new`] with `width` and `height` both `side`.
    pub fn square(side: u32, color: png::ColorType, depth: png::BitDepth, pixel: impl Fn(u32, u32) -> u64) -> Image {
        Image::new(side, side, color, depth, pixel)
    }

    /// Sets the `PLTE` chunk to exactly `palette` (RGB triples), replacing the grey one.
    pub fn with_palette(mut self, palette: &[u8]) -> Image {
        self.palette = Some(palette.to_vec());
        self
    }

    /// Sets the `tRNS` chunk to exactly `trns`, replacing any earlier one: one alpha byte per palette entry
    /// for indexed colour, the transparent colour as 2-byte big-endian samples for grey or RGB.
    pub fn with_trns(mut self, trns: &[u8]) -> Image {
        self.trns = Some(trns.to_vec());
        self
    }

    fn bits_per_pixel(&self) -> usize {
        self.color.samples() * self.depth as usize
    }

    fn row(&self, y: u32) -> &[u64] {
        let w = self.width as usize;
        &self.pixels[y as usize * w..(y as usize + 1) * w]
    }

    /// Through the real encoder.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut out, self.width, self.height);
            encoder.set_color(self.color);
            encoder.set_depth(self.depth);
            if let Some(palette) = &self.palette {
                encoder.set_palette(palette.clone());
            }
            if let Some(trns) = &self.trns {
                encoder.set_trns(trns.clone());
            }
            let mut writer = encoder.write_header().expect("png header");
            let data: Vec<u8> = (0..self.height).flat_map(|y| pack_bits(self.row(y), self.bits_per_pixel())).collect();
            writer.write_image_data(&data).expect("png data");
            writer.finish().expect("png finish");
        }
        out
    }

    /// Adam7-interlaced, written by hand: the encoder cannot interlace.
    pub fn encode_interlaced(&self) -> Vec<u8> {
        const PASSES: [(u32, u32, u32, u32); 7] =
            [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];
        let mut stream = Vec::new();
        for (x0, y0, dx, dy) in PASSES {
            let xs: Vec<u32> = (x0..self.width).step_by(dx as usize).collect();
            if xs.is_empty() {
                continue;
            }
            for y in (y0..self.height).step_by(dy as usize) {
                let row: Vec<u64> = xs.iter().map(|&x| self.row(y)[x as usize]).collect();
                stream.push(0); // filter type None
                stream.extend(pack_bits(&row, self.bits_per_pixel()));
            }
        }
        let mut chunks = Vec::new();
        if let Some(palette) = &self.palette {
            chunks.push((*b"PLTE", palette.clone()));
        }
        if let Some(trns) = &self.trns {
            chunks.push((*b"tRNS", trns.clone()));
        }
        chunks.push((*b"IDAT", zlib_stored(&stream)));
        raw_png(self.width, self.height, self.depth as u8, self.color as u8, 1, &chunks)
    }
}

/// Packs `bits`-wide values MSB first, padding the last byte with zeros.
pub fn pack_bits(values: &[u64], bits: usize) -> Vec<u8> {
    let mut out = vec![0u8; (values.len() * bits).div_ceil(8)];
    for (i, &value) in values.iter().enumerate() {
        for b in 0..bits {
            let bit = (value >> (bits - 1 - b)) & 1;
            let pos = i * bits + b;
            out[pos / 8] |= (bit as u8) << (7 - pos % 8);
        }
    }
    out
}

/// A PNG from its parts: signature, IHDR, the given chunks, IEND.
pub fn raw_png(width: u32, height: u32, depth: u8, color: u8, interlace: u8, chunks: &[([u8; 4], Vec<u8>)]) -> Vec<u8> {
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([depth, color, 0, 0, interlace]);
    let mut out = vec![137, 80, 78, 71, 13, 10, 26, 10];
    out.extend(png_chunk(b"IHDR", &ihdr));
    for (kind, data) in chunks {
        out.extend(png_chunk(kind, data));
    }
    out.extend(png_chunk(b"IEND", &[]));
    out
}

/// One PNG chunk, ready to follow the signature or another chunk: the 4-byte big-endian length of `data`,
/// the type `kind` (e.g. `*b"IDAT"`), `data`, then the [`crc32`] of type and data.
pub fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend((data.len() as u32).to_be_bytes());
    out.extend(kind);
    out.extend(data);
    let mut covered = kind.to_vec();
    covered.extend(data);
    out.extend(crc32(&covered).to_be_bytes());
    out
}

/// Recomputes every chunk CRC, so a mutated file reaches the decompressor
/// instead of stopping at the checksum. Stops quietly at a broken layout.
pub fn fix_png_crcs(bytes: &mut [u8]) {
    let mut at = 8;
    while at + 12 <= bytes.len() {
        let len = u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize;
        let Some(end) = at.checked_add(8 + len).filter(|&end| end + 4 <= bytes.len()) else { return };
        let crc = crc32(&bytes[at + 4..end]);
        bytes[end..end + 4].copy_from_slice(&crc.to_be_bytes());
        at = end + 4;
    }
}

/// The CRC-32 that ends every PNG chunk (reflected polynomial `0xEDB8_8320`, initial value and final XOR
/// all ones): `crc32(b"123456789")` is `0xCBF4_3926`.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A zlib stream of stored (uncompressed) deflate blocks.
pub fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = if data.is_empty() { vec![&[]] } else { data.chunks(65535).collect() };
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        out.extend(len.to_le_bytes());
        out.extend((!len).to_le_bytes());
        out.extend(*block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    out.extend(((b << 16) | a).to_be_bytes());
    out
}
