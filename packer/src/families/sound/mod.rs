//! Family `sound_bank` → `SOUNDS/pcm16le_v1` (local layout): WAV samples
//! converted to signed 16-bit mono and concatenated in `index` order.

use std::io::{Cursor, Read};

use hound::{SampleFormat, WavReader, WavSpec};
use serde_json::{Map, Value};

use crate::families::contract::{AssetInput, FileFindings, Materialized, SelectedFile};
use crate::support::diag::AssetRef;
use crate::support::diag::{Code, Diagnostic};
use crate::workspace::declaration::{Declaration, LoopPoints};

mod decode;
mod loops;

use decode::*;
use loops::*;

/// A WAV larger than this is refused before its content is read (local limit).
pub const MAX_WAV_BYTES: u64 = 64 * 1024 * 1024;
pub const MIN_SAMPLE_RATE: u32 = 8000;
pub const MAX_SAMPLE_RATE: u32 = 48000;
/// Rates that draw no warning.
pub const USUAL_SAMPLE_RATES: [u32; 3] = [22050, 44100, 48000];
/// Accepted integer PCM depths (local).
pub const INT_BIT_DEPTHS: [u16; 4] = [8, 16, 24, 32];
/// The one accepted IEEE float depth (local).
pub const FLOAT_BIT_DEPTH: u16 = 32;
/// Mono or stereo (local).
pub const MAX_CHANNELS: u16 = 2;
/// Bytes of one output frame: signed 16-bit mono.
const FRAME_BYTES: u64 = 2;

pub fn check_declaration(asset: &AssetRef<'_>, decl: &Declaration) -> Vec<Diagnostic> {
    let findings = declaration_findings(asset);
    decl.artifacts
        .iter()
        .filter_map(|artifact| {
            let points = artifact.loop_points?;
            loop_order_finding(artifact.index, &artifact.input, points, &findings)
        })
        .collect()
}

pub fn materialize(input: &AssetInput<'_>) -> Result<Materialized, Vec<Diagnostic>> {
    let declared: Vec<Diagnostic> =
        check_declaration(&input.asset, input.decl).into_iter().filter(Diagnostic::is_blocking).collect();
    if !declared.is_empty() {
        return Err(declared);
    }

    let declaration = declaration_findings(&input.asset);
    let mut payload = Vec::new();
    let mut entries = Map::new();
    let mut warnings = Vec::new();
    let mut problems = Vec::new();
    for file in input.files {
        let findings = FileFindings { asset: input.asset, file: file.path().to_owned() };
        let sample = match decode_sample(input, file, &findings) {
            Ok(sample) => sample,
            Err(found) => {
                let (blocking, advisory): (Vec<_>, Vec<_>) = found.into_iter().partition(Diagnostic::is_blocking);
                problems.extend(blocking);
                warnings.extend(advisory);
                continue;
            }
        };
        warnings.extend(sample.warnings);
        let frames = (sample.pcm.len() / 2) as u64;
        if let Some(problem) = loop_finding(file, frames, &declaration) {
            problems.push(problem);
            continue;
        }
        let offset = payload.len() as u64;
        if payload.is_empty() {
            payload = sample.pcm;
        } else {
            payload.extend_from_slice(&sample.pcm);
        }
        let entry = sample_entry(offset, frames, sample.rate, file.loop_points());
        entries.insert(file.index.to_string(), entry);
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let mut derived = Map::new();
    derived.insert("sample_count".to_owned(), Value::from(input.files.len() as u64));
    derived.insert("samples".to_owned(), Value::Object(entries));
    Ok(Materialized { decoded_size: payload.len() as u64, payload, derived, warnings })
}

fn declaration_findings<'a>(asset: &AssetRef<'a>) -> FileFindings<'a> {
    FileFindings { asset: *asset, file: crate::workspace::layout::declaration_path(asset.root) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav16(channels: u16, values: &[i16], extensible_pad: bool) -> Vec<u8> {
        let mut bytes = prometeu_test_support::wav_i16(22050, channels, values);
        if extensible_pad {
            bytes.extend_from_slice(b"LIST\x04\0\0\0junk");
        }
        bytes
    }

    fn decoded(bytes: &[u8]) -> Vec<i16> {
        let mut reader = WavReader::new(Cursor::new(bytes)).unwrap();
        let spec = reader.spec();
        read_frames(&mut reader, spec, 0).unwrap_or_else(|_| panic!("decodes"))
    }

    proptest::proptest! {
        #[test]
        fn pcm16_fast_path_matches_the_decoder(
            values in proptest::collection::vec(proptest::num::i16::ANY, 0..400),
            stereo in proptest::bool::ANY,
            trailing in proptest::bool::ANY,
        ) {
            let channels = if stereo { 2 } else { 1 };
            let values = &values[..values.len() / channels as usize * channels as usize];
            let bytes = wav16(channels, values, trailing);
            let spec = WavReader::new(Cursor::new(&bytes[..])).unwrap().spec();
            proptest::prop_assert_eq!(read_frames_pcm16(&bytes, spec), Some(le_bytes(&decoded(&bytes))));
        }
    }

    #[test]
    fn a_short_data_chunk_leaves_the_fast_path() {
        let bytes = wav16(1, &[1, 2, 3, 4], false);
        let spec = WavReader::new(Cursor::new(&bytes[..])).unwrap().spec();
        assert!(read_frames_pcm16(&bytes[..bytes.len() - 1], spec).is_none());
    }

    #[test]
    fn integer_conversion_follows_the_spec() {
        // 8-bit: the decoder hands over `v - 128` for a stored byte `v`.
        assert_eq!(int_to_i16(0 - 128, 8), -32768);
        assert_eq!(int_to_i16(128 - 128, 8), 0);
        assert_eq!(int_to_i16(255 - 128, 8), 32512);
        assert_eq!(int_to_i16(-1, 24), -1, "arithmetic shift keeps the sign");
        assert_eq!(int_to_i16(0x7f_ffff, 24), 32767);
        assert_eq!(int_to_i16(i32::MIN, 32), -32768);
        assert_eq!(int_to_i16(0x1_ffff, 32), 1);
    }

    #[test]
    fn float_conversion_clamps_and_rounds_half_away_from_zero() {
        assert_eq!(float_to_i16(0.5), Some(16384));
        assert_eq!(float_to_i16(-0.5), Some(-16384));
        assert_eq!(float_to_i16(2.0), Some(32767));
        assert_eq!(float_to_i16(f32::NEG_INFINITY), Some(-32767));
        assert_eq!(float_to_i16(f32::NAN), None);
    }

    #[test]
    fn mixing_rounds_half_away_from_zero() {
        assert_eq!(mix(2, 3), 3);
        assert_eq!(mix(-2, -3), -3);
        assert_eq!(mix(2, 2), 2);
        assert_eq!(mix(i16::MAX, i16::MAX), i16::MAX);
        assert_eq!(mix(i16::MIN, i16::MIN), i16::MIN);
        assert_eq!(mix(i16::MIN, i16::MAX), -1);
    }
}
