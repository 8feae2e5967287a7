//! Shared by the family tests: an in-memory `Content`, declaration fixtures
//! built directly (no parser), and real PNG / WAV files made with the
//! encoders or, where an encoder cannot produce a layout, byte by byte.

// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;
use std::sync::Mutex;

use prometeu_packer::declaration::{Artifact, Declaration, LoopPoints, Output, Preload};
use prometeu_packer::diag::{Code, Diagnostic, Severity};
use prometeu_packer::family::{AssetInput, AssetRef, Content, Family, Materialized, SelectedFile};
use serde_json::{Map, Value, json};

pub const ASSET_ID: u32 = 7;
pub const ROOT: &str = "hero";
pub const DECLARATION_PATH: &str = "assets/hero/asset.json";

// ---------------------------------------------------------------------------
// Content

/// Input bytes by project-relative path; records every read, and refuses
/// (by panicking) to hand out the paths marked forbidden.
#[derive(Default)]
pub struct MemContent {
    files: HashMap<String, Vec<u8>>,
    forbidden: Vec<String>,
    reads: Mutex<Vec<String>>,
}

impl MemContent {
    pub fn reads(&self) -> Vec<String> {
        self.reads.lock().map(|reads| reads.clone()).unwrap_or_default()
    }
}

impl Content for MemContent {
    fn bytes(&self, path: &str) -> Result<Cow<'_, [u8]>, String> {
        assert!(!self.forbidden.iter().any(|p| p == path), "{path} must never be read");
        if let Ok(mut reads) = self.reads.lock() {
            reads.push(path.to_owned());
        }
        self.files.get(path).map(|bytes| Cow::Borrowed(bytes.as_slice())).ok_or_else(|| "no such file".to_owned())
    }
}

// ---------------------------------------------------------------------------
// Fixtures

/// One asset: its declaration, its selected files and their bytes.
pub struct Fixture {
    pub decl: Declaration,
    pub files: Vec<SelectedFile>,
    pub content: MemContent,
}

impl Fixture {
    pub fn new(family: Family, metadata: Value, pipeline: Option<Value>) -> Fixture {
        let object = |value: Value| match value {
            Value::Object(map) => map,
            other => panic!("expected an object, got {other}"),
        };
        let decl = Declaration {
            asset_uuid: "3f1c2a9e-5d7b-4c1e-9f0a-2b6d8e4c7a10".to_owned(),
            name: "hero".to_owned(),
            family,
            inputs: BTreeMap::from([(family.main_role().to_owned(), Vec::new())]),
            artifacts: Vec::new(),
            output: Output {
                format: family.format().to_owned(),
                codec: "NONE".to_owned(),
                metadata: object(metadata),
                codec_configuration: None,
                pipeline: pipeline.map(object),
            },
            preload: Preload { enabled: false, slot: None },
        };
        Fixture { decl, files: Vec::new(), content: MemContent::default() }
    }

    /// A glyph bank with `tile_size` and `palettes` as given (raw JSON, so tests can break them).
    pub fn glyph(tile_size: Value, palettes: Value) -> Fixture {
        Fixture::new(Family::GlyphBank, json!({ "tile_size": tile_size }), Some(json!({ "palettes": palettes })))
    }

    pub fn sound() -> Fixture {
        Fixture::new(Family::SoundBank, json!({}), None)
    }

    /// Selects `input` as the next artifact with these bytes.
    pub fn add(&mut self, input: &str, bytes: Vec<u8>) -> &mut Fixture {
        self.add_full(input, bytes, None)
    }

    pub fn add_looped(&mut self, input: &str, bytes: Vec<u8>, start: u64, end: u64) -> &mut Fixture {
        self.add_full(input, bytes, Some(LoopPoints { start, end }))
    }

    fn add_full(&mut self, input: &str, bytes: Vec<u8>, loop_points: Option<LoopPoints>) -> &mut Fixture {
        let index = self.decl.artifacts.len() as u32;
        let path = format!("assets/{ROOT}/{input}");
        self.decl.artifacts.push(Artifact { index, input: input.to_owned(), loop_points });
        if let Some(list) = self.decl.inputs.get_mut(self.decl.family.main_role()) {
            list.push(input.to_owned());
        }
        self.files.push(SelectedFile {
            index,
            input: input.to_owned(),
            path: path.clone(),
            size: bytes.len() as u64,
            loop_points,
        });
        self.content.files.insert(path, bytes);
        self
    }

    /// Declares `size` as the on-disk size of `input` and forbids reading it.
    pub fn pretend_size(&mut self, input: &str, size: u64) -> &mut Fixture {
        let path = format!("assets/{ROOT}/{input}");
        for file in self.files.iter_mut().filter(|file| file.path == path) {
            file.size = size;
        }
        self.content.forbidden.push(path);
        self
    }

    pub fn asset(&self) -> AssetRef<'static> {
        AssetRef { asset_id: ASSET_ID, root: ROOT }
    }

    pub fn check(&self) -> Vec<Diagnostic> {
        self.decl.family.check_declaration(&self.asset(), &self.decl)
    }

    pub fn materialize(&self) -> Result<Materialized, Vec<Diagnostic>> {
        let input = AssetInput { asset: self.asset(), decl: &self.decl, files: &self.files, content: &self.content };
        self.decl.family.materialize(&input)
    }

    pub fn ok(&self) -> Materialized {
        match self.materialize() {
            Ok(built) => built,
            Err(found) => panic!("expected success, got {found:#?}"),
        }
    }

    pub fn err(&self) -> Vec<Diagnostic> {
        match self.materialize() {
            Ok(_) => panic!("expected blocking findings, got success"),
            Err(found) => found,
        }
    }
}

/// Asserts exactly one diagnostic with this code, fully attributed to the
/// fixture's asset and `file`, whose message holds every `parts` string.
pub fn expect_one<'d>(
    found: &'d [Diagnostic],
    code: Code,
    severity: Severity,
    file: &str,
    parts: &[&str],
) -> &'d Diagnostic {
    let matching: Vec<&Diagnostic> = found.iter().filter(|d| d.code == code).collect();
    assert_eq!(matching.len(), 1, "expected one {code}, got {found:#?}");
    let d = matching[0];
    assert_eq!(d.severity, severity, "{d:#?}");
    assert_eq!(d.asset_id, Some(ASSET_ID), "{d:#?}");
    assert_eq!(d.asset_root.as_deref(), Some(ROOT), "{d:#?}");
    assert_eq!(d.file.as_deref(), Some(file), "{d:#?}");
    for part in parts {
        assert!(d.message.contains(part), "message {:?} lacks {part:?}", d.message);
    }
    assert!(!d.message.contains('\n'), "one sentence, one line: {:?}", d.message);
    d
}

/// The whole list is this one code (blocking), attributed to `file`.
pub fn expect_only(found: &[Diagnostic], code: Code, file: &str, parts: &[&str]) {
    assert_eq!(found.len(), 1, "{found:#?}");
    expect_one(found, code, Severity::Blocking, file, parts);
}

pub fn metadata(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("expected an object, got {other}"),
    }
}

// ---------------------------------------------------------------------------
// PNG

/// An image as one integer per pixel holding all its bits (for example
/// `0xRRGGBB` for 8-bit RGB), written MSB first as PNG stores it.
#[derive(Clone)]
pub struct Image {
    pub width: u32,
    pub height: u32,
    pub color: png::ColorType,
    pub depth: png::BitDepth,
    pub pixels: Vec<u64>,
    pub palette: Option<Vec<u8>>,
    pub trns: Option<Vec<u8>>,
}

impl Image {
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

    pub fn square(side: u32, color: png::ColorType, depth: png::BitDepth, pixel: impl Fn(u32, u32) -> u64) -> Image {
        Image::new(side, side, color, depth, pixel)
    }

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

// ---------------------------------------------------------------------------
// WAV

pub fn spec(channels: u16, rate: u32, bits: u16, format: hound::SampleFormat) -> hound::WavSpec {
    hound::WavSpec { channels, sample_rate: rate, bits_per_sample: bits, sample_format: format }
}

/// Integer samples (interleaved) through the real writer.
pub fn wav_int(spec: hound::WavSpec, samples: &[i32]) -> Vec<u8> {
    wav_int_in(hound::WavSpecEx { spec, bytes_per_sample: spec.bits_per_sample.div_ceil(8) }, samples)
}

/// Like `wav_int`, with an explicit container size (for example 24 bits in 4 bytes).
pub fn wav_int_in(spec_ex: hound::WavSpecEx, samples: &[i32]) -> Vec<u8> {
    let mut cursor = Cursor::new(Vec::new());
    {
        let mut writer = hound::WavWriter::new_with_spec_ex(&mut cursor, spec_ex).expect("wav header");
        for &sample in samples {
            writer.write_sample(sample).expect("wav sample");
        }
        writer.finalize().expect("wav finalize");
    }
    cursor.into_inner()
}

pub fn wav_float(channels: u16, rate: u32, samples: &[f32]) -> Vec<u8> {
    let mut cursor = Cursor::new(Vec::new());
    {
        let spec = spec(channels, rate, 32, hound::SampleFormat::Float);
        let mut writer = hound::WavWriter::new(&mut cursor, spec).expect("wav header");
        for &sample in samples {
            writer.write_sample(sample).expect("wav sample");
        }
        writer.finalize().expect("wav finalize");
    }
    cursor.into_inner()
}

pub const WAVE_FORMAT_PCM: u16 = 0x0001;
pub const WAVE_FORMAT_ADPCM: u16 = 0x0002;
pub const WAVE_FORMAT_IEEE_FLOAT: u16 = 0x0003;
pub const WAVE_FORMAT_EXTENSIBLE: u16 = 0xfffe;
pub const SUBTYPE_PCM: [u8; 16] = [1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71];
pub const SUBTYPE_IEEE_FLOAT: [u8; 16] = [3, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71];

/// The fields of a `fmt ` chunk, written by hand.
#[derive(Clone, Copy)]
pub struct Fmt {
    pub tag: u16,
    pub channels: u16,
    pub rate: u32,
    /// Container bits per sample (`wBitsPerSample`).
    pub bits: u16,
    /// `Some((valid_bits, subformat))` writes the WAVEFORMATEXTENSIBLE tail.
    pub extensible: Option<(u16, [u8; 16])>,
}

/// A WAV from a hand-written `fmt ` chunk and raw `data` bytes.
pub fn raw_wav(fmt: Fmt, data: &[u8]) -> Vec<u8> {
    let block_align = fmt.channels * fmt.bits / 8;
    let mut body = Vec::new();
    body.extend(fmt.tag.to_le_bytes());
    body.extend(fmt.channels.to_le_bytes());
    body.extend(fmt.rate.to_le_bytes());
    body.extend((fmt.rate * u32::from(block_align)).to_le_bytes());
    body.extend(block_align.to_le_bytes());
    body.extend(fmt.bits.to_le_bytes());
    if let Some((valid_bits, subformat)) = fmt.extensible {
        body.extend(22u16.to_le_bytes());
        body.extend(valid_bits.to_le_bytes());
        body.extend(0u32.to_le_bytes()); // channel mask
        body.extend(subformat);
    }
    let mut out = Vec::new();
    out.extend(b"RIFF");
    out.extend((4 + 8 + body.len() as u32 + 8 + data.len() as u32).to_le_bytes());
    out.extend(b"WAVE");
    out.extend(b"fmt ");
    out.extend((body.len() as u32).to_le_bytes());
    out.extend(body);
    out.extend(b"data");
    out.extend((data.len() as u32).to_le_bytes());
    out.extend(data);
    out
}

/// Little-endian i16 frames, as the payload stores them.
pub fn le16(frames: &[i16]) -> Vec<u8> {
    frames.iter().flat_map(|f| f.to_le_bytes()).collect()
}
