//! Family `sound_bank` → `SOUNDS/pcm16le_v1` (local layout): WAV samples
//! converted to signed 16-bit mono and concatenated in `index` order.

use std::io::{Cursor, Read};

use hound::{SampleFormat, WavReader, WavSpec};
use serde_json::{Map, Value};

use crate::families::contract::{AssetInput, FileFindings, Materialized, SelectedFile};
use crate::support::diag::AssetRef;
use crate::support::diag::{Code, Diagnostic};
use crate::workspace::declaration::{Declaration, LoopPoints};

/// A WAV larger than this is refused before its content is read (upstream limit).
pub const MAX_WAV_BYTES: u64 = 64 * 1024 * 1024;
pub const MIN_SAMPLE_RATE: u32 = 8000;
pub const MAX_SAMPLE_RATE: u32 = 48000;
/// Rates that draw no warning.
pub const USUAL_SAMPLE_RATES: [u32; 3] = [22050, 44100, 48000];
/// Accepted integer PCM depths (upstream).
pub const INT_BIT_DEPTHS: [u16; 4] = [8, 16, 24, 32];
/// The one accepted IEEE float depth (upstream).
pub const FLOAT_BIT_DEPTH: u16 = 32;
/// Mono or stereo (upstream).
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
        let findings = FileFindings { asset: input.asset, file: file.path.clone() };
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
        if let Some(problem) = loop_finding(file, sample.frames.len() as u64, &declaration) {
            problems.push(problem);
            continue;
        }
        let offset = payload.len() as u64;
        for frame in &sample.frames {
            payload.extend_from_slice(&frame.to_le_bytes());
        }
        let entry = sample_entry(offset, sample.frames.len() as u64, sample.rate, file.loop_points);
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

// ---------------------------------------------------------------------------
// Loop points

/// `start < end`, checkable from the declaration alone.
fn loop_order_finding(index: u32, input: &str, points: LoopPoints, findings: &FileFindings<'_>) -> Option<Diagnostic> {
    (points.start >= points.end).then(|| {
        findings.blocking(
            Code::LoopInvalid,
            format!(
                "the loop of artifact {index} (`{input}`) in {} starts at frame {} but ends at frame {}; \
                 make `loop.start` smaller than `loop.end`",
                findings.file, points.start, points.end
            ),
        )
    })
}

/// `start < end <= frames` for one decoded sample; reported on `asset.json`,
/// where the loop is written and fixed.
fn loop_finding(file: &SelectedFile, frames: u64, findings: &FileFindings<'_>) -> Option<Diagnostic> {
    let points = file.loop_points?;
    if let Some(finding) = loop_order_finding(file.index, &file.input, points, findings) {
        return Some(finding);
    }
    (points.end > frames).then(|| {
        findings.blocking(
            Code::LoopInvalid,
            format!(
                "the loop of artifact {} in {} ends at frame {} but {} has only {frames} frames; \
                 set `loop.end` to at most {frames}",
                file.index, findings.file, points.end, file.path
            ),
        )
    })
}

fn sample_entry(offset: u64, frames: u64, rate: u32, loop_points: Option<LoopPoints>) -> Value {
    let mut entry = Map::new();
    entry.insert("offset".to_owned(), Value::from(offset));
    entry.insert("length".to_owned(), Value::from(frames * FRAME_BYTES));
    entry.insert("frames".to_owned(), Value::from(frames));
    entry.insert("sample_rate".to_owned(), Value::from(u64::from(rate)));
    if let Some(points) = loop_points {
        entry.insert("loop_start".to_owned(), Value::from(points.start));
        entry.insert("loop_end".to_owned(), Value::from(points.end));
    }
    Value::Object(entry)
}

// ---------------------------------------------------------------------------
// Decoding

/// One sample converted to 16-bit mono, with its advisory findings.
struct Sample {
    frames: Vec<i16>,
    rate: u32,
    warnings: Vec<Diagnostic>,
}

/// Reads, checks and converts one WAV. `Err` holds at least one blocking
/// finding, possibly beside warnings about the same file.
fn decode_sample(
    input: &AssetInput<'_>,
    file: &SelectedFile,
    findings: &FileFindings<'_>,
) -> Result<Sample, Vec<Diagnostic>> {
    let path = &file.path;
    let too_large = |size: u64| {
        findings.blocking(
            Code::WavTooLarge,
            format!(
                "{path} is {size} bytes, over the {} MiB limit for one sample; shorten it or lower its sample rate or bit depth",
                MAX_WAV_BYTES / (1024 * 1024)
            ),
        )
    };
    // The size on disk decides before any byte is read.
    if file.size > MAX_WAV_BYTES {
        return Err(vec![too_large(file.size)]);
    }
    let bytes = input.content.bytes(path).map_err(|why| {
        vec![findings.blocking(
            Code::WavDecodeFailed,
            format!("{path} could not be read ({why}); make sure it is a readable file"),
        )]
    })?;
    if bytes.len() as u64 > MAX_WAV_BYTES {
        return Err(vec![too_large(bytes.len() as u64)]);
    }

    let mut reader =
        WavReader::new(Cursor::new(&bytes[..])).map_err(|error| vec![open_failure(error, path, findings)])?;
    let spec = reader.spec();
    let mut found = header_findings(spec, reader.duration(), path, findings);
    if found.iter().any(Diagnostic::is_blocking) {
        return Err(found);
    }
    if let Some(frames) = read_frames_pcm16(&bytes, spec) {
        return Ok(Sample { frames, rate: spec.sample_rate, warnings: found });
    }
    // The header's length is only a claim: never reserve more than the bytes could hold.
    let capacity = (reader.duration() as usize).min(bytes.len());
    match read_frames(&mut reader, spec, capacity) {
        Ok(frames) => Ok(Sample { frames, rate: spec.sample_rate, warnings: found }),
        Err(failure) => {
            found.push(failure.into_diagnostic(spec, reader.duration(), path, findings));
            Err(found)
        }
    }
}

fn open_failure(error: hound::Error, path: &str, findings: &FileFindings<'_>) -> Diagnostic {
    match error {
        hound::Error::Unsupported => findings.blocking(
            Code::WavUnsupportedFormat,
            format!(
                "{path} uses a WAV encoding other than integer PCM or IEEE float (such as ADPCM or an unknown \
                 sub-format); re-export it as 8, 16, 24 or 32-bit integer PCM or 32-bit float"
            ),
        ),
        other => findings.blocking(
            Code::WavDecodeFailed,
            format!("{path} could not be decoded as WAV ({other}); re-export it as a PCM WAV file"),
        ),
    }
}

/// Everything the header alone decides: channels, encoding, rate, length.
fn header_findings(spec: WavSpec, frames: u32, path: &str, findings: &FileFindings<'_>) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    if spec.channels > MAX_CHANNELS {
        found.push(findings.blocking(
            Code::WavTooManyChannels,
            format!("{path} has {} channels; re-export it as mono or stereo", spec.channels),
        ));
    }
    if !encoding_supported(spec) {
        found.push(findings.blocking(
            Code::WavUnsupportedFormat,
            format!(
                "{path} holds {}; re-export it as 8, 16, 24 or 32-bit integer PCM or 32-bit float",
                describe_encoding(spec)
            ),
        ));
    }
    let rate = spec.sample_rate;
    if !(MIN_SAMPLE_RATE..=MAX_SAMPLE_RATE).contains(&rate) {
        found.push(findings.blocking(
            Code::SampleRateOutOfRange,
            format!(
                "{path} is sampled at {rate} Hz, outside {MIN_SAMPLE_RATE} to {MAX_SAMPLE_RATE} Hz; \
                 resample it into that range (22050, 44100 or 48000 Hz are usual)"
            ),
        ));
    } else if !USUAL_SAMPLE_RATES.contains(&rate) {
        found.push(findings.warning(
            Code::SampleRateUnusual,
            format!(
                "{path} is sampled at {rate} Hz, an unusual rate; it is packed as is, but consider \
                 resampling it to 22050, 44100 or 48000 Hz"
            ),
        ));
    }
    if frames == 0 {
        found.push(findings.blocking(
            Code::WavEmpty,
            format!("{path} has no audio frames; export the sample with its sound, or remove it from the asset"),
        ));
    }
    found
}

fn encoding_supported(spec: WavSpec) -> bool {
    match spec.sample_format {
        SampleFormat::Int => INT_BIT_DEPTHS.contains(&spec.bits_per_sample),
        SampleFormat::Float => spec.bits_per_sample == FLOAT_BIT_DEPTH,
    }
}

fn describe_encoding(spec: WavSpec) -> String {
    match spec.sample_format {
        SampleFormat::Int => format!("{}-bit integer PCM", spec.bits_per_sample),
        SampleFormat::Float => format!("{}-bit float samples", spec.bits_per_sample),
    }
}

/// Why the sample data could not be converted.
enum ReadFailure {
    /// The data ends before the frame the header promised.
    Truncated {
        frames_read: usize,
    },
    /// The header passed, yet the stored layout is one the decoder cannot read
    /// (for example 16 valid bits in a 32-bit container).
    Unsupported,
    NotANumber {
        frame: usize,
    },
    Malformed(String),
}

impl ReadFailure {
    fn from_hound(error: hound::Error, frames_read: usize) -> ReadFailure {
        match error {
            hound::Error::IoError(_) => ReadFailure::Truncated { frames_read },
            hound::Error::Unsupported | hound::Error::TooWide | hound::Error::InvalidSampleFormat => {
                ReadFailure::Unsupported
            }
            other => ReadFailure::Malformed(other.to_string()),
        }
    }

    fn into_diagnostic(self, spec: WavSpec, frames: u32, path: &str, findings: &FileFindings<'_>) -> Diagnostic {
        match self {
            ReadFailure::Truncated { frames_read } => findings.blocking(
                Code::WavDecodeFailed,
                format!(
                    "{path} ends after {frames_read} of the {frames} frames its header announces; \
                     the file is truncated, so re-export it"
                ),
            ),
            ReadFailure::Unsupported => findings.blocking(
                Code::WavUnsupportedFormat,
                format!(
                    "{path} stores {} in a layout that cannot be read; re-export it as plain 8, 16, 24 or \
                     32-bit integer PCM or 32-bit float",
                    describe_encoding(spec)
                ),
            ),
            ReadFailure::NotANumber { frame } => findings.blocking(
                Code::WavDecodeFailed,
                format!("{path} has a float sample that is not a number in frame {frame}; re-export the sample"),
            ),
            ReadFailure::Malformed(why) => findings.blocking(
                Code::WavDecodeFailed,
                format!("{path} could not be decoded as WAV ({why}); re-export it as a PCM WAV file"),
            ),
        }
    }
}

fn read_frames<R: Read>(reader: &mut WavReader<R>, spec: WavSpec, capacity: usize) -> Result<Vec<i16>, ReadFailure> {
    let stereo = spec.channels == 2;
    match spec.sample_format {
        SampleFormat::Int => {
            let bits = spec.bits_per_sample;
            mono_frames(reader.samples::<i32>(), stereo, capacity, |value| Some(int_to_i16(value, bits)))
        }
        SampleFormat::Float => mono_frames(reader.samples::<f32>(), stereo, capacity, float_to_i16),
    }
}

/// 16-bit integer PCM is stored as the payload's own sample type, so its
/// frames come straight from the data bytes rather than value by value.
/// Only a complete data chunk takes this path; anything short or odd goes
/// through `read_frames`, which says precisely what is wrong. Both paths
/// give the same frames (`tests::pcm16_fast_path_matches_the_decoder`).
fn read_frames_pcm16(bytes: &[u8], spec: WavSpec) -> Option<Vec<i16>> {
    if spec.sample_format != SampleFormat::Int || spec.bits_per_sample != 16 {
        return None;
    }
    let reader = WavReader::new(Cursor::new(bytes)).ok()?;
    let channels = usize::from(spec.channels);
    let len = (reader.duration() as usize).checked_mul(channels)?.checked_mul(2)?;
    // Once the header is read, the cursor stands at the first data byte,
    // right after the `data` chunk's id and size. A size other than
    // 2 bytes a value means a wider container (16 valid bits in 32).
    let start = usize::try_from(reader.into_inner().position()).ok()?;
    let chunk = bytes.get(start.checked_sub(8)?..start)?;
    if &chunk[..4] != b"data" || u32::from_le_bytes(chunk[4..].try_into().ok()?) as usize != len {
        return None;
    }
    let data = bytes.get(start..start.checked_add(len)?)?;
    let values = data.chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]]));
    match channels {
        1 => Some(values.collect()),
        2 => Some(values.collect::<Vec<i16>>().chunks_exact(2).map(|lr| mix(lr[0], lr[1])).collect()),
        _ => None,
    }
}

/// Converts interleaved channel values and mixes stereo pairs down to mono.
fn mono_frames<S>(
    samples: impl Iterator<Item = hound::Result<S>>,
    stereo: bool,
    capacity: usize,
    convert: impl Fn(S) -> Option<i16>,
) -> Result<Vec<i16>, ReadFailure> {
    let mut frames = Vec::with_capacity(capacity);
    let mut left: Option<i16> = None;
    for sample in samples {
        let value = sample.map_err(|error| ReadFailure::from_hound(error, frames.len()))?;
        let value = convert(value).ok_or(ReadFailure::NotANumber { frame: frames.len() })?;
        if !stereo {
            frames.push(value);
        } else if let Some(left) = left.take() {
            frames.push(mix(left, value));
        } else {
            left = Some(value);
        }
    }
    Ok(frames)
}

/// Integer PCM to signed 16-bit (spec "Family sound_bank").
fn int_to_i16(value: i32, bits: u16) -> i16 {
    let converted = match bits {
        // The decoder already maps the stored unsigned byte `v` to `v - 128`,
        // so only the shift of `(v - 128) << 8` is left to do.
        8 => value << 8,
        16 => value,
        24 => value >> 8,
        _ => value >> 16,
    };
    saturate(converted)
}

/// Float to signed 16-bit: clamp, scale by 32767 in f64, round half away
/// from zero (`f64::round`). `None` for NaN, which has no defined value.
fn float_to_i16(value: f32) -> Option<i16> {
    if value.is_nan() {
        return None;
    }
    let scaled = (f64::from(value).clamp(-1.0, 1.0) * f64::from(i16::MAX)).round();
    // Within ±32767 after the clamp, so the conversion is exact.
    Some(scaled as i16)
}

/// `(l + r) / 2` rounded half away from zero, in integers.
fn mix(left: i16, right: i16) -> i16 {
    let sum = i32::from(left) + i32::from(right);
    // Integer division truncates toward zero; adding ±1 first turns an exact
    // half into the next integer away from zero and leaves the rest alone.
    let half = if sum >= 0 { (sum + 1) / 2 } else { (sum - 1) / 2 };
    saturate(half)
}

fn saturate(value: i32) -> i16 {
    i16::try_from(value).unwrap_or(if value < 0 { i16::MIN } else { i16::MAX })
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
            proptest::prop_assert_eq!(read_frames_pcm16(&bytes, spec), Some(decoded(&bytes)));
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
