//! The xtask binary on real projects: the shared fixtures plus the runner
//! that knows where cargo built the binary under test.

use std::process::Command;

use camino::Utf8Path;
use serde_json::Value;

pub use prometeu_test_support::{PACK_OUTPUTS, Project, Run, Watched, alive, starter, wav_i16};

/// The binary under test, built with its test points honoured.
pub const XTASK: &str = env!("CARGO_BIN_EXE_xtask");

/// Runs the binary under test on a project.
pub trait Xtask {
    /// `xtask <args> --project <dir>`, with no test point armed.
    fn xtask(&self, args: &[&str]) -> Command;
    /// Runs a command with `--message-format json`.
    fn run_json(&self, args: &[&str]) -> Run;
}

impl Xtask for Project {
    fn xtask(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(XTASK);
        cmd.args(args).arg("--project").arg(self.path.as_str()).env_remove(prometeu_packer::TESTPOINT_ENV);
        cmd
    }

    fn run_json(&self, args: &[&str]) -> Run {
        let mut all = args.to_vec();
        all.extend(["--message-format", "json"]);
        Run::from(self.xtask(&all).output().unwrap())
    }
}

/// The pack's header and payload region, read without the tool's code.
pub struct RawPack {
    pub bytes: Vec<u8>,
    pub header: Value,
    pub payload_offset: usize,
}

impl RawPack {
    pub fn read(path: &Utf8Path) -> RawPack {
        let bytes = std::fs::read(path).unwrap();
        let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        assert_eq!(&bytes[0..4], b"PMTA");
        let (header_len, payload_offset) = (u32_at(8), u32_at(12));
        let header = serde_json::from_slice(&bytes[24..24 + header_len]).unwrap();
        RawPack { bytes, header, payload_offset }
    }

    pub fn entry(&self, name: &str) -> &Value {
        let table = self.header["asset_table"].as_array().unwrap();
        table.iter().find(|e| e["asset_name"] == name).unwrap_or_else(|| panic!("no asset {name}"))
    }

    pub fn payload(&self, name: &str) -> &[u8] {
        let entry = self.entry(name);
        let start = self.payload_offset + entry["offset"].as_u64().unwrap() as usize;
        &self.bytes[start..start + entry["size"].as_u64().unwrap() as usize]
    }
}

/// RGB565 little-endian widened to 8 bits by repeating the high bits (docs/reference/operations.md, `preview`).
pub fn palette_rgb(payload: &[u8], palette: usize, color: usize) -> [u8; 3] {
    let at = 256 * 256 / 2 + (palette * 16 + color) * 2;
    let v = u16::from_le_bytes([payload[at], payload[at + 1]]);
    let (r, g, b) = ((v >> 11) & 31, (v >> 5) & 63, v & 31);
    [((r << 3) | (r >> 2)) as u8, ((g << 2) | (g >> 4)) as u8, ((b << 3) | (b >> 2)) as u8]
}

/// Decodes a PNG with zune-png (not the crate that wrote it): width, height, RGB bytes.
pub fn decode_rgb(bytes: &[u8]) -> (usize, usize, Vec<u8>) {
    let mut decoder = zune_png::PngDecoder::new(std::io::Cursor::new(bytes.to_vec()));
    let pixels = decoder.decode_raw().unwrap();
    let (width, height) = decoder.dimensions().unwrap();
    assert_eq!(pixels.len(), width * height * 3, "8-bit RGB");
    (width, height, pixels)
}

/// Decodes a PNG with zune-png into 8-bit RGBA, whatever its colour type
/// (palette, `tRNS` and low bit depths expanded by the decoder).
pub fn decode_rgba(bytes: &[u8]) -> (usize, usize, Vec<[u8; 4]>) {
    use zune_png::zune_core::options::DecoderOptions;
    let options = DecoderOptions::default().png_set_add_alpha_channel(true).png_set_strip_to_8bit(true);
    let mut decoder = zune_png::PngDecoder::new_with_options(std::io::Cursor::new(bytes.to_vec()), options);
    let pixels = decoder.decode_raw().unwrap();
    let (width, height) = decoder.dimensions().unwrap();
    let channels = pixels.len() / (width * height);
    let rgba = pixels
        .chunks_exact(channels)
        .map(|p| match p {
            [g, a] => [*g, *g, *g, *a],
            [r, g, b, a] => [*r, *g, *b, *a],
            other => panic!("unexpected channel count {}", other.len()),
        })
        .collect();
    (width, height, rgba)
}

/// The 4-bit index of sheet pixel (x, y) in a glyph payload (low nibble for even x).
pub fn sheet_index(payload: &[u8], x: usize, y: usize) -> u8 {
    let byte = payload[(y * 256 + x) / 2];
    if x.is_multiple_of(2) { byte & 0x0f } else { byte >> 4 }
}

/// The workspace's root directory (this crate's parent).
pub fn workspace_root() -> camino::Utf8PathBuf {
    Utf8Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned()
}

/// The workspace members, from the root `Cargo.toml`, as directories relative to the root.
pub fn workspace_members() -> Vec<String> {
    let text = std::fs::read_to_string(workspace_root().join("Cargo.toml")).unwrap();
    let manifest: toml::Table = toml::from_str(&text).unwrap();
    let members = manifest["workspace"]["members"].as_array().unwrap();
    members.iter().map(|m| m.as_str().unwrap().to_owned()).collect()
}

/// Every `.rs` file under `src`, at any depth: its path relative to `src` and its text.
pub fn rust_sources(src: &Utf8Path) -> Vec<(camino::Utf8PathBuf, String)> {
    fn collect(src: &Utf8Path, dir: &Utf8Path, out: &mut Vec<(camino::Utf8PathBuf, String)>) {
        for entry in dir.read_dir_utf8().unwrap() {
            let path = entry.unwrap().into_path();
            if path.is_dir() {
                collect(src, &path, out);
            } else if path.extension() == Some("rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path.strip_prefix(src).unwrap().to_owned(), text));
            }
        }
    }
    let mut out = Vec::new();
    collect(src, src, &mut out);
    out
}
