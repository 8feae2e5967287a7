//! Family `sound_bank`: real WAV files through `materialize`, every accepted
//! encoding, the exact i16 conversions, payload layout, metadata and every finding.

use crate::families_common::{
    DECLARATION_PATH, Fixture, Fmt, SUBTYPE_IEEE_FLOAT, SUBTYPE_PCM, WAVE_FORMAT_ADPCM, WAVE_FORMAT_EXTENSIBLE,
    WAVE_FORMAT_IEEE_FLOAT, WAVE_FORMAT_PCM, expect_one, expect_only, le16, metadata, raw_wav, spec, wav_float,
    wav_int, wav_int_in,
};
use hound::SampleFormat::Int;
use prometeu_packer::{Code, MAX_WAV_BYTES, Severity};
use serde_json::json;

const SAMPLE: &str = "assets/hero/samples/a.wav";

fn one_sample(bytes: Vec<u8>) -> Fixture {
    let mut fixture = Fixture::sound();
    fixture.add("samples/a.wav", bytes);
    fixture
}

/// The mono frames a single-sample asset packs to.
fn frames_of(bytes: Vec<u8>) -> Vec<i16> {
    let built = one_sample(bytes).ok();
    assert!(built.warnings.is_empty(), "{:#?}", built.warnings);
    built.payload.chunks_exact(2).map(|pair| i16::from_le_bytes([pair[0], pair[1]])).collect()
}

fn pcm(channels: u16, bits: u16) -> Fmt {
    Fmt { tag: WAVE_FORMAT_PCM, channels, rate: 22050, bits, extensible: None }
}

fn is_extensible(wav: &[u8]) -> bool {
    wav[20..22] == WAVE_FORMAT_EXTENSIBLE.to_le_bytes()
}

// ---------------------------------------------------------------------------
// Conversions

#[test]
fn eight_bit_is_unsigned_minus_128_shifted_left_8() {
    // Stored bytes written by hand, so the decoder's own 8-bit convention is under test too.
    let wav = raw_wav(pcm(1, 8), &[0, 1, 127, 128, 129, 255]);
    assert_eq!(frames_of(wav), [-32768, -32512, -256, 0, 256, 32512]);
    // The writer stores a signed value `v` as the byte `v + 128`.
    let wav = wav_int(spec(1, 22050, 8, Int), &[-128, -1, 0, 127]);
    assert_eq!(wav[44..48], [0, 127, 128, 255], "stored bytes");
    assert_eq!(frames_of(wav), [-32768, -256, 0, 32512]);
}

#[test]
fn sixteen_bit_is_kept_as_is() {
    let values = [0, 1, -1, 32767, -32768, 1234];
    let wav = wav_int(spec(1, 44100, 16, Int), &values);
    assert!(!is_extensible(&wav));
    assert_eq!(frames_of(wav), [0, 1, -1, 32767, -32768, 1234]);
}

#[test]
fn twenty_four_bit_is_shifted_right_8_arithmetically() {
    let values = [0x7f_ffff, -0x80_0000, 255, 256, -1, -256, -257];
    let expected = [32767, -32768, 0, 1, -1, -1, -2];
    let wav = wav_int(spec(1, 44100, 24, Int), &values);
    assert!(is_extensible(&wav), "the writer uses WAVE_FORMAT_EXTENSIBLE above 16 bits");
    assert_eq!(frames_of(wav), expected);
    // 24 valid bits in a 4-byte container.
    let wav = wav_int_in(hound::WavSpecEx { spec: spec(1, 44100, 24, Int), bytes_per_sample: 4 }, &values);
    assert_eq!(frames_of(wav), expected);
}

#[test]
fn thirty_two_bit_is_shifted_right_16_arithmetically() {
    let values = [i32::MAX, i32::MIN, 65535, 65536, -1, -65536, -65537];
    let wav = wav_int(spec(1, 48000, 32, Int), &values);
    assert!(is_extensible(&wav));
    assert_eq!(frames_of(wav), [32767, -32768, 0, 1, -1, -1, -2]);
}

const HALF_STEP: f32 = 1.0 / 32768.0; // 2^-15: × 32767 = 0.99997
const QUARTER_STEP: f32 = 1.0 / 65536.0; // 2^-16: × 32767 = 0.49998

#[test]
fn float_is_clamped_scaled_and_rounded_half_away_from_zero() {
    let values = [
        0.0,
        1.0,
        -1.0,
        1.5,
        -7.0,
        0.5,
        -0.5,
        0.25,
        -0.25,
        0.75,
        HALF_STEP,
        QUARTER_STEP,
        -QUARTER_STEP,
        f32::INFINITY,
    ];
    // ±0.5 × 32767 = ±16383.5 are the only exact halves an f32 in [-1, 1] can produce:
    // away from zero gives ±16384 where truncation would give ±16383.
    let expected = [0, 32767, -32767, 32767, -32767, 16384, -16384, 8192, -8192, 24575, 1, 0, 0, 32767];
    let wav = wav_float(1, 44100, &values);
    assert!(is_extensible(&wav), "the writer stores float as WAVE_FORMAT_EXTENSIBLE");
    assert_eq!(frames_of(wav), expected);
    // The plain WAVE_FORMAT_IEEE_FLOAT header.
    let data: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    let wav = raw_wav(Fmt { tag: WAVE_FORMAT_IEEE_FLOAT, channels: 1, rate: 44100, bits: 32, extensible: None }, &data);
    assert_eq!(frames_of(wav), expected);
}

#[test]
fn extensible_headers_are_read_for_integer_and_float() {
    let int16 =
        Fmt { tag: WAVE_FORMAT_EXTENSIBLE, channels: 1, rate: 22050, bits: 16, extensible: Some((16, SUBTYPE_PCM)) };
    assert_eq!(frames_of(raw_wav(int16, &[1, 0, 0xff, 0xff, 0x00, 0x80])), [1, -1, -32768]);
    let float = Fmt {
        tag: WAVE_FORMAT_EXTENSIBLE,
        channels: 1,
        rate: 22050,
        bits: 32,
        extensible: Some((32, SUBTYPE_IEEE_FLOAT)),
    };
    let data: Vec<u8> = [0.5f32, -1.0].iter().flat_map(|v| v.to_le_bytes()).collect();
    assert_eq!(frames_of(raw_wav(float, &data)), [16384, -32767]);
}

#[test]
fn stereo_is_mixed_with_halves_rounded_away_from_zero() {
    let pairs = [
        (2, 3),
        (-2, -3),
        (1, 1),
        (32767, 32767),
        (-32768, -32768),
        (-32768, 32767),
        (5, -4),
        (-5, 4),
        (0, 1),
        (0, -1),
    ];
    let expected = [3, -3, 1, 32767, -32768, -1, 1, -1, 1, -1];
    let interleaved: Vec<i32> = pairs.iter().flat_map(|&(l, r)| [l, r]).collect();
    assert_eq!(frames_of(wav_int(spec(2, 22050, 16, Int), &interleaved)), expected);
}

#[test]
fn stereo_float_is_converted_per_channel_then_mixed() {
    // 16384 + 1 = 16385 → 8192.5 → 8193; mixing the floats first would give 8192.
    let wav = wav_float(2, 22050, &[0.5, HALF_STEP, -0.5, -HALF_STEP]);
    assert_eq!(frames_of(wav), [8193, -8193]);
}

#[test]
fn stereo_eight_bit_mixes_the_converted_values() {
    let wav = raw_wav(pcm(2, 8), &[0, 255, 129, 130, 128, 128]);
    assert_eq!(frames_of(wav), [-128, 384, 0]);
}

// ---------------------------------------------------------------------------
// Payload and metadata

#[test]
fn samples_are_concatenated_with_offsets_lengths_and_loops() {
    let mut fixture = Fixture::sound();
    fixture.add("samples/a.wav", wav_int(spec(1, 22050, 16, Int), &[1, 2, 3]));
    fixture.add("samples/b.wav", wav_int(spec(2, 44100, 24, Int), &[256, 512, -256, -512]));
    fixture.add_looped("samples/c.wav", wav_float(1, 48000, &[0.5, -0.5, 1.0, 0.0]), 1, 4);
    let built = fixture.ok();
    assert_eq!(built.payload, le16(&[1, 2, 3, 2, -2, 16384, -16384, 32767, 0]));
    assert_eq!(built.decoded_size, 18);
    assert_eq!(
        built.derived,
        metadata(json!({
            "sample_count": 3,
            "samples": {
                "0": { "offset": 0, "length": 6, "frames": 3, "sample_rate": 22050 },
                "1": { "offset": 6, "length": 4, "frames": 2, "sample_rate": 44100 },
                "2": { "offset": 10, "length": 8, "frames": 4, "sample_rate": 48000, "loop_start": 1, "loop_end": 4 }
            }
        }))
    );
    assert!(built.warnings.is_empty());
}

#[test]
fn sample_keys_are_decimal_indices_past_nine() {
    let mut fixture = Fixture::sound();
    for i in 0..12 {
        let frames: Vec<i32> = (0..=i).collect();
        fixture.add(&format!("samples/{i}.wav"), wav_int(spec(1, 44100, 16, Int), &frames));
    }
    let built = fixture.ok();
    let samples = built.derived["samples"].as_object().expect("samples object");
    assert_eq!(samples.len(), 12);
    let mut offset = 0;
    for i in 0..12u64 {
        let entry = &samples[&i.to_string()];
        assert_eq!(entry["offset"], json!(offset), "sample {i}");
        assert_eq!(entry["frames"], json!(i + 1));
        assert_eq!(entry["length"], json!(2 * (i + 1)));
        offset += 2 * (i + 1);
    }
    assert_eq!(built.payload.len() as u64, offset);
    assert_eq!(built.derived["sample_count"], json!(12));
    // Every number is an integer.
    assert!(serde_json::to_string(&built.derived).expect("json").chars().all(|c| c != '.'));
}

// ---------------------------------------------------------------------------
// Loop points

#[test]
fn a_loop_must_start_before_it_ends() {
    for (start, end) in [(5, 5), (9, 2)] {
        let mut fixture = Fixture::sound();
        fixture.add_looped("samples/a.wav", wav_int(spec(1, 44100, 16, Int), &[0; 10]), start, end);
        let parts = [
            "artifact 0",
            "samples/a.wav",
            &format!("frame {start}"),
            &format!("frame {end}"),
            "loop.start",
            DECLARATION_PATH,
        ];
        expect_only(&fixture.check(), Code::LoopInvalid, DECLARATION_PATH, &parts);
        expect_only(&fixture.err(), Code::LoopInvalid, DECLARATION_PATH, &parts);
        assert!(fixture.content.reads().is_empty(), "refused before reading");
    }
}

#[test]
fn a_loop_must_end_within_the_sample() {
    let mut fixture = Fixture::sound();
    fixture.add_looped("samples/a.wav", wav_int(spec(1, 44100, 16, Int), &[0; 10]), 0, 11);
    assert!(fixture.check().is_empty(), "the frame count needs the content");
    expect_only(
        &fixture.err(),
        Code::LoopInvalid,
        DECLARATION_PATH,
        &["frame 11", SAMPLE, "only 10 frames", "at most 10"],
    );

    let mut fixture = Fixture::sound();
    fixture.add_looped("samples/a.wav", wav_int(spec(2, 44100, 16, Int), &[0; 20]), 0, 10);
    let built = fixture.ok();
    assert_eq!(built.derived["samples"]["0"]["loop_end"], json!(10));
    assert_eq!(built.derived["samples"]["0"]["loop_start"], json!(0));
}

// ---------------------------------------------------------------------------
// Findings

#[test]
fn an_oversized_wav_is_refused_without_being_read() {
    let mut fixture = one_sample(wav_int(spec(1, 44100, 16, Int), &[1]));
    fixture.pretend_size("samples/a.wav", MAX_WAV_BYTES + 1);
    expect_only(&fixture.err(), Code::WavTooLarge, SAMPLE, &[SAMPLE, &(MAX_WAV_BYTES + 1).to_string(), "64 MiB"]);
    assert!(fixture.content.reads().is_empty());

    let mut at_limit = one_sample(wav_int(spec(1, 44100, 16, Int), &[1]));
    at_limit.files[0].size = MAX_WAV_BYTES;
    at_limit.ok();
}

#[test]
fn undecodable_wavs_are_reported() {
    let valid = wav_int(spec(1, 44100, 16, Int), &[1, 2, 3, 4]);
    for bytes in [b"RIFF....WAVEjunk".to_vec(), b"not a wav".to_vec(), valid[..30].to_vec(), Vec::new()] {
        expect_only(&one_sample(bytes).err(), Code::WavDecodeFailed, SAMPLE, &[SAMPLE, "could not be decoded as WAV"]);
    }
}

#[test]
fn truncated_sample_data_is_reported() {
    let valid = wav_int(spec(1, 44100, 16, Int), &[1, 2, 3, 4]);
    let truncated = valid[..valid.len() - 2].to_vec();
    expect_only(
        &one_sample(truncated).err(),
        Code::WavDecodeFailed,
        SAMPLE,
        &[SAMPLE, "ends after 3 of the 4 frames", "truncated"],
    );
    let stereo = wav_int(spec(2, 44100, 24, Int), &[1, 2, 3, 4, 5, 6]);
    let truncated = stereo[..stereo.len() - 1].to_vec();
    expect_only(&one_sample(truncated).err(), Code::WavDecodeFailed, SAMPLE, &["ends after 2 of the 3 frames"]);
}

#[test]
fn a_missing_file_is_a_decode_failure() {
    let mut fixture = one_sample(Vec::new());
    fixture.move_first_file("assets/hero/samples/gone.wav");
    expect_only(
        &fixture.err(),
        Code::WavDecodeFailed,
        "assets/hero/samples/gone.wav",
        &["could not be read", "no such file"],
    );
}

#[test]
fn a_nan_float_sample_is_refused() {
    let wav = wav_float(1, 44100, &[0.0, 0.1, f32::NAN]);
    expect_only(&one_sample(wav).err(), Code::WavDecodeFailed, SAMPLE, &[SAMPLE, "not a number", "frame 2"]);
}

#[test]
fn unsupported_encodings_are_named() {
    let adpcm = raw_wav(Fmt { tag: WAVE_FORMAT_ADPCM, channels: 1, rate: 22050, bits: 16, extensible: None }, &[0; 4]);
    let unknown_subformat = raw_wav(
        Fmt { tag: WAVE_FORMAT_EXTENSIBLE, channels: 1, rate: 22050, bits: 16, extensible: Some((16, [7; 16])) },
        &[0; 4],
    );
    for wav in [adpcm, unknown_subformat] {
        expect_only(&one_sample(wav).err(), Code::WavUnsupportedFormat, SAMPLE, &[SAMPLE, "integer PCM or IEEE float"]);
    }
    let twelve_bit = raw_wav(
        Fmt { tag: WAVE_FORMAT_EXTENSIBLE, channels: 1, rate: 22050, bits: 16, extensible: Some((12, SUBTYPE_PCM)) },
        &[0; 4],
    );
    expect_only(
        &one_sample(twelve_bit).err(),
        Code::WavUnsupportedFormat,
        SAMPLE,
        &["12-bit integer PCM", "re-export"],
    );
    let double = raw_wav(
        Fmt {
            tag: WAVE_FORMAT_EXTENSIBLE,
            channels: 1,
            rate: 22050,
            bits: 64,
            extensible: Some((64, SUBTYPE_IEEE_FLOAT)),
        },
        &[0; 16],
    );
    expect_only(&one_sample(double).err(), Code::WavUnsupportedFormat, SAMPLE, &["64-bit float"]);
    // 16 valid bits in a 32-bit container: the header passes, the data cannot be read.
    let padded = raw_wav(
        Fmt { tag: WAVE_FORMAT_EXTENSIBLE, channels: 1, rate: 22050, bits: 32, extensible: Some((16, SUBTYPE_PCM)) },
        &[0; 8],
    );
    expect_only(&one_sample(padded).err(), Code::WavUnsupportedFormat, SAMPLE, &["16-bit integer PCM", "layout"]);
}

#[test]
fn more_than_two_channels_is_refused() {
    let wav = wav_int(spec(3, 44100, 16, Int), &[0; 6]);
    assert!(is_extensible(&wav));
    expect_only(&one_sample(wav).err(), Code::WavTooManyChannels, SAMPLE, &[SAMPLE, "3 channels", "mono or stereo"]);
}

#[test]
fn an_empty_wav_is_refused() {
    expect_only(
        &one_sample(wav_int(spec(1, 44100, 16, Int), &[])).err(),
        Code::WavEmpty,
        SAMPLE,
        &[SAMPLE, "no audio frames"],
    );
    expect_only(&one_sample(wav_float(2, 44100, &[])).err(), Code::WavEmpty, SAMPLE, &[SAMPLE]);
}

#[test]
fn sample_rate_range_is_8000_to_48000() {
    for rate in [7999, 48001, 96000] {
        let found = one_sample(wav_int(spec(1, rate, 16, Int), &[1])).err();
        expect_only(&found, Code::SampleRateOutOfRange, SAMPLE, &[SAMPLE, &format!("{rate} Hz"), "8000 to 48000"]);
    }
    // The writer cannot produce a zero rate, so write it by hand.
    let zero = raw_wav(Fmt { tag: WAVE_FORMAT_PCM, channels: 1, rate: 0, bits: 16, extensible: None }, &[1, 0]);
    expect_only(&one_sample(zero).err(), Code::SampleRateOutOfRange, SAMPLE, &["0 Hz"]);
    for rate in [22050, 44100, 48000] {
        assert!(one_sample(wav_int(spec(1, rate, 16, Int), &[1])).ok().warnings.is_empty(), "{rate}");
    }
}

#[test]
fn unusual_rates_warn_and_are_kept() {
    for rate in [8000, 11025, 32000, 47999] {
        let built = one_sample(wav_int(spec(1, rate, 16, Int), &[7])).ok();
        expect_one(
            &built.warnings,
            Code::SampleRateUnusual,
            Severity::Warning,
            SAMPLE,
            &[SAMPLE, &format!("{rate} Hz"), "22050, 44100 or 48000"],
        );
        assert_eq!(built.warnings.len(), 1);
        assert_eq!(built.derived["samples"]["0"]["sample_rate"], json!(rate));
        assert_eq!(built.payload, le16(&[7]));
    }
}

#[test]
fn header_findings_are_reported_together() {
    let wav = wav_int(spec(4, 96000, 16, Int), &[]);
    let found = one_sample(wav).err();
    assert_eq!(found.len(), 3, "{found:#?}");
    expect_one(&found, Code::WavTooManyChannels, Severity::Blocking, SAMPLE, &["4 channels"]);
    expect_one(&found, Code::SampleRateOutOfRange, Severity::Blocking, SAMPLE, &["96000 Hz"]);
    expect_one(&found, Code::WavEmpty, Severity::Blocking, SAMPLE, &[]);
}

#[test]
fn blocking_results_carry_only_blocking_findings() {
    let mut fixture = Fixture::sound();
    fixture.add("samples/odd.wav", wav_int(spec(1, 32000, 16, Int), &[1]));
    fixture.add("samples/empty.wav", wav_int(spec(1, 11025, 16, Int), &[]));
    fixture.add("samples/fine.wav", wav_int(spec(1, 44100, 16, Int), &[1]));
    let found = fixture.err();
    expect_only(&found, Code::WavEmpty, "assets/hero/samples/empty.wav", &["samples/empty.wav"]);
}
