//! Real WAV files: through `hound`, or byte by byte where a test needs a
//! header the encoder would never write.

use std::io::Cursor;

/// A 16-bit PCM WAV.
pub fn wav_i16(rate: u32, channels: u16, samples: &[i16]) -> Vec<u8> {
    let spec =
        hound::WavSpec { channels, sample_rate: rate, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut cursor = std::io::Cursor::new(Vec::new());
    let mut writer = hound::WavWriter::new(&mut cursor, spec).unwrap();
    for s in samples {
        writer.write_sample(*s).unwrap();
    }
    writer.finalize().unwrap();
    cursor.into_inner()
}

/// A deterministic pseudo-random sequence for sample data.
pub fn noise(seed: u32, len: usize) -> Vec<i16> {
    let mut x = seed.wrapping_mul(2654435761).max(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as i16
        })
        .collect()
}

/// A `hound` spec: `channels`, `rate` in samples per second per channel (Hz), `bits` per sample, integer
/// or float samples. Mind the order: channels before rate, unlike [`wav_i16`].
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

/// 32-bit IEEE float `samples` (interleaved across `channels`, at `rate` Hz) through `hound`, which writes
/// a WAVE_FORMAT_EXTENSIBLE header with the float subtype; for the plain [`WAVE_FORMAT_IEEE_FLOAT`] header
/// use [`raw_wav`]. Values are written as given, not clamped to -1.0..=1.0.
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

/// `wFormatTag` 1: integer PCM.
pub const WAVE_FORMAT_PCM: u16 = 0x0001;
/// `wFormatTag` 2: Microsoft ADPCM, a compressed encoding the sound family refuses (it reads only integer
/// PCM and IEEE float).
pub const WAVE_FORMAT_ADPCM: u16 = 0x0002;
/// `wFormatTag` 3: IEEE float samples, in the plain (non-extensible) header.
pub const WAVE_FORMAT_IEEE_FLOAT: u16 = 0x0003;
/// `wFormatTag` 0xFFFE: WAVEFORMATEXTENSIBLE; the actual encoding is the `SubFormat` GUID that follows
/// (see [`Fmt::extensible`]).
pub const WAVE_FORMAT_EXTENSIBLE: u16 = 0xfffe;
/// The `SubFormat` GUID for integer PCM in its 16-byte on-disk order: format tag 1 (little-endian), then
/// the tail every such GUID shares.
pub const SUBTYPE_PCM: [u8; 16] = [1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71];
/// The `SubFormat` GUID for IEEE float in its 16-byte on-disk order: format tag 3, then the shared tail.
pub const SUBTYPE_IEEE_FLOAT: [u8; 16] = [3, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71];

/// The fields of a `fmt ` chunk, written by hand.
#[derive(Clone, Copy)]
pub struct Fmt {
    /// `wFormatTag`, written as given even when it disagrees with `extensible` (a `WAVE_FORMAT_*` constant,
    /// or any value a test wants refused).
    pub tag: u16,
    /// `nChannels`; the block align is written as `channels × bits / 8` (integer division).
    pub channels: u16,
    /// `nSamplesPerSec`: samples per second per channel (Hz); the byte rate is written as `rate` × block
    /// align.
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
