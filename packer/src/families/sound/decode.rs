//! Decoding one WAV: format checks, then the samples as PCM16 mono.

use super::*;

/// One sample converted to 16-bit mono, with its advisory findings.
pub(super) struct Sample {
    /// The frames as the payload stores them: signed 16-bit little-endian.
    pub(super) pcm: Vec<u8>,
    pub(super) rate: u32,
    pub(super) warnings: Vec<Diagnostic>,
}

/// Reads, checks and converts one WAV. `Err` holds at least one blocking
/// finding, possibly beside warnings about the same file.
pub(super) fn decode_sample(
    input: &AssetInput<'_>,
    file: &SelectedFile,
    findings: &FileFindings<'_>,
) -> Result<Sample, Vec<Diagnostic>> {
    let path = file.path();
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
    let bytes = input.content.bytes(input.asset, file).map_err(|why| {
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
    if let Some(pcm) = read_frames_pcm16(&bytes, spec) {
        return Ok(Sample { pcm, rate: spec.sample_rate, warnings: found });
    }
    // The header's length is only a claim: never reserve more than the bytes could hold.
    let capacity = (reader.duration() as usize).min(bytes.len());
    match read_frames(&mut reader, spec, capacity) {
        Ok(frames) => Ok(Sample { pcm: le_bytes(&frames), rate: spec.sample_rate, warnings: found }),
        Err(failure) => {
            found.push(failure.into_diagnostic(spec, reader.duration(), path, findings));
            Err(found)
        }
    }
}

pub(super) fn open_failure(error: hound::Error, path: &str, findings: &FileFindings<'_>) -> Diagnostic {
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
pub(super) fn header_findings(spec: WavSpec, frames: u32, path: &str, findings: &FileFindings<'_>) -> Vec<Diagnostic> {
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

pub(super) fn encoding_supported(spec: WavSpec) -> bool {
    match spec.sample_format {
        SampleFormat::Int => INT_BIT_DEPTHS.contains(&spec.bits_per_sample),
        SampleFormat::Float => spec.bits_per_sample == FLOAT_BIT_DEPTH,
    }
}

pub(super) fn describe_encoding(spec: WavSpec) -> String {
    match spec.sample_format {
        SampleFormat::Int => format!("{}-bit integer PCM", spec.bits_per_sample),
        SampleFormat::Float => format!("{}-bit float samples", spec.bits_per_sample),
    }
}

/// Why the sample data could not be converted.
pub(super) enum ReadFailure {
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

pub(super) fn read_frames<R: Read>(
    reader: &mut WavReader<R>,
    spec: WavSpec,
    capacity: usize,
) -> Result<Vec<i16>, ReadFailure> {
    let stereo = spec.channels == 2;
    match spec.sample_format {
        SampleFormat::Int => {
            let bits = spec.bits_per_sample;
            mono_frames(reader.samples::<i32>(), stereo, capacity, |value| Some(int_to_i16(value, bits)))
        }
        SampleFormat::Float => mono_frames(reader.samples::<f32>(), stereo, capacity, float_to_i16),
    }
}

/// Frames as the payload stores them.
pub(super) fn le_bytes(frames: &[i16]) -> Vec<u8> {
    frames.iter().flat_map(|frame| frame.to_le_bytes()).collect()
}

/// 16-bit integer PCM is stored as the payload's own sample type, so its
/// payload bytes come straight from the data bytes: mono ones copied whole,
/// stereo pairs mixed as they are read. Only a complete data chunk takes
/// this path; anything short or odd goes through `read_frames`, which says
/// precisely what is wrong. Both paths give the same bytes
/// (`tests::pcm16_fast_path_matches_the_decoder`).
pub(super) fn read_frames_pcm16(bytes: &[u8], spec: WavSpec) -> Option<Vec<u8>> {
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
    let value = |b: &[u8]| i16::from_le_bytes([b[0], b[1]]);
    match channels {
        1 => Some(data.to_vec()),
        2 => Some(data.chunks_exact(4).flat_map(|lr| mix(value(&lr[..2]), value(&lr[2..])).to_le_bytes()).collect()),
        _ => None,
    }
}

/// Converts interleaved channel values and mixes stereo pairs down to mono.
pub(super) fn mono_frames<S>(
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
pub(super) fn int_to_i16(value: i32, bits: u16) -> i16 {
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
pub(super) fn float_to_i16(value: f32) -> Option<i16> {
    if value.is_nan() {
        return None;
    }
    let scaled = (f64::from(value).clamp(-1.0, 1.0) * f64::from(i16::MAX)).round();
    // Within ±32767 after the clamp, so the conversion is exact.
    Some(scaled as i16)
}

/// `(l + r) / 2` rounded half away from zero, in integers.
pub(super) fn mix(left: i16, right: i16) -> i16 {
    let sum = i32::from(left) + i32::from(right);
    // Integer division truncates toward zero; adding ±1 first turns an exact
    // half into the next integer away from zero and leaves the rest alone.
    let half = if sum >= 0 { (sum + 1) / 2 } else { (sum - 1) / 2 };
    saturate(half)
}

pub(super) fn saturate(value: i32) -> i16 {
    i16::try_from(value).unwrap_or(if value < 0 { i16::MIN } else { i16::MAX })
}
