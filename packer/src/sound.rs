//! Family `sound_bank` → `SOUNDS/pcm16le_v1` (local layout): WAV samples
//! converted to signed 16-bit mono and concatenated in `index` order.

use crate::declaration::Declaration;
use crate::diag::Diagnostic;
use crate::family::{AssetInput, AssetRef, Materialized};

/// A WAV larger than this is refused before its content is read (upstream limit).
pub const MAX_WAV_BYTES: u64 = 64 * 1024 * 1024;
pub const MIN_SAMPLE_RATE: u32 = 8000;
pub const MAX_SAMPLE_RATE: u32 = 48000;
/// Rates that draw no warning.
pub const USUAL_SAMPLE_RATES: [u32; 3] = [22050, 44100, 48000];

pub fn check_declaration(asset: &AssetRef<'_>, decl: &Declaration) -> Vec<Diagnostic> {
    let _ = (asset, decl);
    todo!("sound declaration checks")
}

pub fn materialize(input: &AssetInput<'_>) -> Result<Materialized, Vec<Diagnostic>> {
    let _ = input;
    todo!("sound materialization")
}
