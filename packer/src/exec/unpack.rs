//! Reading a packed `assets.pa` back: each payload decoded into what the
//! runtime will get (a glyph sheet with its palettes, a sound bank's
//! samples), and each payload checked against the sha256 the pack recorded
//! in `asset_table_metadata.json`. Previews, the build report and `inspect`
//! use these; they never read the inputs.

use std::collections::BTreeMap;

use camino::Utf8Path;
use prometeu_pa::{Entry, GLYPH_BANK_TYPE, Inspection, SOUND_BANK_TYPE};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::exec::pack::hex;
use crate::families::glyph::{
    EVEN_X_SHIFT, ODD_X_SHIFT, OPAQUE_INDEX_ZERO_KEY, PALETTE_COLORS, PALETTE_COUNT, SHEET_BYTES, SHEET_SIDE,
};
use crate::workspace::layout::ASSET_TABLE_METADATA_JSON;

/// An 8-bit RGB colour.
pub type Rgb = [u8; 3];

/// A glyph bank as packed: one palette index per sheet pixel and 64 palettes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlyphSheet {
    /// `SHEET_SIDE × SHEET_SIDE` palette indices (0–15), row by row.
    pub indices: Vec<u8>,
    /// All 64 palettes, 16 colours each, expanded from RGB565 to 8-bit RGB.
    pub palettes: Vec<[Rgb; PALETTE_COLORS]>,
    /// The palettes the author declared (`pipeline.palettes[].index`), sorted; `[0]` when unknown.
    pub authored: Vec<usize>,
    /// `tile_size` from the metadata, when present.
    pub tile_size: Option<u32>,
    /// `tile_count` from the metadata (cells in use).
    pub tile_count: u64,
    /// `pipeline.opaque_index_zero` from the metadata: index 0 is a colour, not transparency.
    pub opaque_index_zero: bool,
}

impl GlyphSheet {
    /// Sheet side in pixels (fixed).
    pub const SIDE: u32 = SHEET_SIDE;

    /// What pixel (`x`, `y`) shows through palette `palette`: `None` for
    /// transparency (index 0, unless the bank made it opaque).
    pub fn color(&self, palette: usize, x: u32, y: u32) -> Option<Rgb> {
        let index = self.indices[(y * SHEET_SIDE + x) as usize];
        (index != 0 || self.opaque_index_zero).then(|| self.palettes[palette][usize::from(index)])
    }

    /// The RGB of pixel (`x`, `y`) through palette `palette`.
    pub fn rgb(&self, palette: usize, x: u32, y: u32) -> Rgb {
        let index = self.indices[(y * SHEET_SIDE + x) as usize];
        self.palettes[palette][usize::from(index)]
    }
}

/// One sample of a sound bank as packed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedSample {
    /// The sample's `index` in the declaration.
    pub index: u32,
    /// Frames per second.
    pub sample_rate: u32,
    /// Signed 16-bit mono frames.
    pub frames: Vec<i16>,
}

impl PackedSample {
    /// Length in seconds.
    pub fn seconds(&self) -> f64 {
        self.frames.len() as f64 / f64::from(self.sample_rate.max(1))
    }
}

/// A payload decoded by its bank type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unpacked {
    /// A `GLYPH` payload.
    Glyph(GlyphSheet),
    /// A `SOUNDS` payload, samples in `index` order.
    Sound(Vec<PackedSample>),
}

/// Decodes one payload read from the file (see [`Inspection::read_payload`]).
pub fn unpack(entry: &Entry, payload: &[u8]) -> Result<Unpacked, String> {
    match &*entry.bank_type {
        GLYPH_BANK_TYPE => unpack_glyph(entry, payload).map(Unpacked::Glyph),
        SOUND_BANK_TYPE => unpack_sound(entry, payload).map(Unpacked::Sound),
        other => Err(format!("asset {} has bank type {other}, which has no decoder", entry.asset_name)),
    }
}

/// 5/6-bit channels widened by repeating their high bits, so 0 stays 0 and the maximum becomes 255.
pub fn rgb_from_565(value: u16) -> Rgb {
    let (r, g, b) = ((value >> 11) & 0x1f, (value >> 5) & 0x3f, value & 0x1f);
    [((r << 3) | (r >> 2)) as u8, ((g << 2) | (g >> 4)) as u8, ((b << 3) | (b >> 2)) as u8]
}

fn unpack_glyph(entry: &Entry, payload: &[u8]) -> Result<GlyphSheet, String> {
    let expected = crate::families::glyph::PAYLOAD_BYTES;
    if payload.len() != expected {
        return Err(format!("glyph bank {} holds {} bytes, not {expected}", entry.asset_name, payload.len()));
    }
    let (sheet, palette_bytes) = payload.split_at(SHEET_BYTES);
    let indices = sheet.iter().flat_map(|byte| [(byte >> EVEN_X_SHIFT) & 0x0f, (byte >> ODD_X_SHIFT) & 0x0f]).collect();
    let palettes = palette_bytes
        .chunks_exact(PALETTE_COLORS * 2)
        .map(|palette| {
            let mut colors = [[0u8; 3]; PALETTE_COLORS];
            for (color, bytes) in colors.iter_mut().zip(palette.chunks_exact(2)) {
                *color = rgb_from_565(u16::from_le_bytes([bytes[0], bytes[1]]));
            }
            colors
        })
        .collect();
    let metadata = entry.metadata.to_map();
    Ok(GlyphSheet {
        indices,
        palettes,
        authored: authored_palettes(&metadata),
        tile_size: metadata.get("tile_size").and_then(Value::as_u64).map(|v| v as u32),
        tile_count: metadata.get("tile_count").and_then(Value::as_u64).unwrap_or(0),
        opaque_index_zero: metadata.get("pipeline").and_then(|p| p.get(OPAQUE_INDEX_ZERO_KEY))
            == Some(&Value::Bool(true)),
    })
}

fn authored_palettes(metadata: &serde_json::Map<String, Value>) -> Vec<usize> {
    let declared = metadata.get("pipeline").and_then(|p| p.get("palettes")).and_then(Value::as_array);
    let mut indices: Vec<usize> = declared
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("index").and_then(Value::as_u64))
        .map(|i| i as usize)
        .filter(|&i| i < PALETTE_COUNT)
        .collect();
    indices.sort_unstable();
    indices.dedup();
    if indices.is_empty() { vec![0] } else { indices }
}

fn unpack_sound(entry: &Entry, payload: &[u8]) -> Result<Vec<PackedSample>, String> {
    let metadata = entry.metadata.to_map();
    let samples = metadata.get("samples").and_then(Value::as_object);
    let mut out = Vec::new();
    for (key, sample) in samples.into_iter().flatten() {
        let field = |name: &str| sample.get(name).and_then(Value::as_u64);
        let (Some(offset), Some(length), Some(rate), Ok(index)) =
            (field("offset"), field("length"), field("sample_rate"), key.parse::<u32>())
        else {
            return Err(format!("sound bank {}: sample {key} lacks offset, length or sample_rate", entry.asset_name));
        };
        let bytes = usize::try_from(offset)
            .ok()
            .zip(usize::try_from(length).ok())
            .and_then(|(start, len)| payload.get(start..start.checked_add(len)?))
            .ok_or_else(|| format!("sound bank {}: sample {key} lies outside its payload", entry.asset_name))?;
        let frames = bytes.chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]])).collect();
        out.push(PackedSample { index, sample_rate: rate as u32, frames });
    }
    out.sort_by_key(|s| s.index);
    Ok(out)
}

/// A payload or file whose sha256 differs from the one the pack recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The asset, or `None` for the whole file.
    pub asset: Option<(u32, String)>,
    /// What differs, in words.
    pub message: String,
}

/// Checks every payload and the whole file of `path` against
/// `asset_table_metadata.json` beside it. `Ok(None)` when that companion is
/// absent (a file copied alone); `Err` when it is unreadable.
pub fn verify_payload_hashes(path: &Utf8Path, inspection: &Inspection) -> Result<Option<Vec<Mismatch>>, String> {
    let companion = path.parent().unwrap_or(Utf8Path::new(".")).join(ASSET_TABLE_METADATA_JSON);
    if !companion.exists() {
        return Ok(None);
    }
    let text = prometeu_shape::read_regular(companion.as_std_path(), 64 * 1024 * 1024)
        .map_err(|e| format!("cannot read {companion}: {e}"))?;
    let recorded: Value = serde_json::from_slice(&text).map_err(|e| format!("{companion} is not JSON: {e}"))?;
    let payloads: BTreeMap<u64, &str> = recorded["assets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| Some((a["asset_id"].as_u64()?, a["payload_sha256"].as_str()?)))
        .collect();
    let mut mismatches = Vec::new();
    for entry in &inspection.header.asset_table {
        let payload = inspection.read_payload(path, entry).map_err(|e| format!("cannot read {path}: {e}"))?;
        let actual = hex(&Sha256::digest(&payload));
        let asset = Some((entry.asset_id, entry.asset_name.clone()));
        match payloads.get(&u64::from(entry.asset_id)) {
            Some(&want) if want == actual => {}
            Some(&want) => mismatches.push(Mismatch {
                asset,
                message: format!(
                    "the payload of asset {} (asset_id {}) has sha256 {actual}, but {ASSET_TABLE_METADATA_JSON} records {want}",
                    entry.asset_name, entry.asset_id
                ),
            }),
            None => mismatches.push(Mismatch {
                asset,
                message: format!(
                    "asset {} (asset_id {}) is not listed in {ASSET_TABLE_METADATA_JSON}",
                    entry.asset_name, entry.asset_id
                ),
            }),
        }
    }
    let actual = file_sha256(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    if let Some(want) = recorded["assets_pa"]["sha256"].as_str().filter(|&want| want != actual) {
        mismatches.push(Mismatch {
            asset: None,
            message: format!("{path} has sha256 {actual}, but {ASSET_TABLE_METADATA_JSON} records {want}"),
        });
    }
    Ok(Some(mismatches))
}

/// Streamed: a pack may be hundreds of MiB.
fn file_sha256(path: &Utf8Path) -> std::io::Result<String> {
    let mut file = prometeu_shape::open_regular(path.as_std_path())?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher)?;
    Ok(hex(&hasher.finalize()))
}
