//! Whatever the bytes, `materialize` returns `Ok` or `Err` and never panics:
//! random input, every truncation and bit flip of valid files (with PNG
//! checksums repaired so damage reaches the decompressor), and random
//! palette declarations. Case counts stay small for debug builds.

use crate::families_common::{Fixture, Fmt, Image, WAVE_FORMAT_PCM, fix_png_crcs, raw_wav, spec, wav_float, wav_int};
use png::BitDepth::{Eight, Four, One, Sixteen};
use png::ColorType::{Grayscale, Indexed, Rgb, Rgba};
use prometeu_packer::{
    Diagnostic, GLYPH_DECODED_BYTES as DECODED_BYTES, GLYPH_PAYLOAD_BYTES as PAYLOAD_BYTES, Materialized,
};
use proptest::prelude::*;
use serde_json::{Value, json};

fn palettes() -> Value {
    json!([
        { "index": 0, "palette": { "colors": ["#000000", "#ffffff", "#ff0000", "#00ff00", "#0000ff", "#808080"] } },
        { "index": 9, "palette": { "colors": ["#123456"] } }
    ])
}

/// Palette 0 of `palettes()` as `PLTE` bytes, so indexed seeds mean its colours.
const PLTE: [u8; 18] = [0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 255, 0, 0, 0, 255, 128, 128, 128];

fn png_seeds() -> Vec<Vec<u8>> {
    vec![
        Image::square(8, Indexed, Four, |x, y| u64::from((x + y) % 6)).with_palette(&PLTE).with_trns(&[0]).encode(),
        Image::square(8, Rgb, Eight, |x, _| [0x000000, 0xffffff, 0xff0000][x as usize % 3])
            .with_trns(&[0, 0xff, 0, 0, 0, 0])
            .encode(),
        Image::square(8, Rgba, Sixteen, |x, _| if x % 2 == 0 { 0xffff_0000_0000_ffff } else { 0 }).encode_interlaced(),
        // One-bit grey shows black and white: palette 0's first two colours.
        Image::square(8, Grayscale, One, |x, y| u64::from((x * y) % 2)).with_trns(&[0, 0]).encode_interlaced(),
        Image::square(16, Indexed, Four, |x, _| u64::from(x % 6)).with_palette(&PLTE).with_trns(&[0]).encode(),
    ]
}

fn wav_seeds() -> Vec<Vec<u8>> {
    vec![
        wav_int(spec(2, 22050, 16, hound::SampleFormat::Int), &[1, -2, 300, -400, 32767, -32768]),
        wav_int(spec(1, 44100, 24, hound::SampleFormat::Int), &[0x12_3456, -0x12_3456, 7]),
        wav_float(2, 48000, &[0.5, -0.5, 1.0, -1.0]),
        raw_wav(Fmt { tag: WAVE_FORMAT_PCM, channels: 1, rate: 8000, bits: 8, extensible: None }, &[0, 128, 255, 17]),
    ]
}

/// The shape every outcome must have, besides not panicking.
fn assert_well_formed(outcome: &Result<Materialized, Vec<Diagnostic>>, glyph: bool) {
    match outcome {
        Ok(built) => {
            assert!(built.warnings.iter().all(|d| !d.is_blocking()));
            if glyph {
                assert_eq!(built.payload.len(), PAYLOAD_BYTES);
                assert_eq!(built.decoded_size, DECODED_BYTES);
            } else {
                assert_eq!(built.payload.len() as u64, built.decoded_size);
            }
        }
        Err(found) => {
            assert!(!found.is_empty(), "an error always says why");
            assert!(found.iter().all(Diagnostic::is_blocking));
            assert!(found.iter().all(|d| d.file.is_some() && d.asset_root.is_some()));
        }
    }
}

fn glyph_outcome(tile_size: u32, bytes: &[u8]) -> Result<Materialized, Vec<Diagnostic>> {
    let mut fixture = Fixture::glyph(json!(tile_size), palettes());
    fixture.add("tiles/t.png", bytes.to_vec());
    fixture.materialize()
}

fn sound_outcome(bytes: &[u8]) -> Result<Materialized, Vec<Diagnostic>> {
    let mut fixture = Fixture::sound();
    fixture.add_looped("samples/s.wav", bytes.to_vec(), 0, 1);
    fixture.materialize()
}

/// Feeds bytes to both families: a PNG-shaped input must also be a safe WAV, and back.
fn feed(bytes: &[u8]) {
    for tile_size in [8, 16] {
        assert_well_formed(&glyph_outcome(tile_size, bytes), true);
    }
    assert_well_formed(&sound_outcome(bytes), false);
}

#[test]
fn seeds_are_valid_files() {
    for seed in png_seeds() {
        let side = if glyph_outcome(8, &seed).is_ok() { 8 } else { 16 };
        assert!(glyph_outcome(side, &seed).is_ok(), "every PNG seed decodes at its own size");
    }
    for seed in wav_seeds() {
        assert!(sound_outcome(&seed).is_ok(), "every WAV seed decodes");
    }
}

#[test]
fn every_truncation_of_valid_files() {
    for seed in png_seeds().into_iter().chain(wav_seeds()) {
        for len in 0..seed.len() {
            feed(&seed[..len]);
        }
    }
}

#[test]
fn every_single_bit_flip_of_valid_files() {
    for seed in png_seeds() {
        for at in 0..seed.len() {
            let mut flipped = seed.clone();
            flipped[at] ^= 1 << (at % 8);
            feed(&flipped);
            fix_png_crcs(&mut flipped);
            feed(&flipped);
        }
    }
    for seed in wav_seeds() {
        for at in 0..seed.len() {
            for bit in [0, 3, 7] {
                let mut flipped = seed.clone();
                flipped[at] ^= 1 << bit;
                feed(&flipped);
            }
        }
    }
}

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (0u64..80).prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        "#[0-9a-fA-F]{6}".prop_map(Value::from),
        "[a-z#]{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("index".to_owned()),
                    Just("palette".to_owned()),
                    Just("colors".to_owned()),
                    "[a-z]{1,6}"
                ],
                inner,
                0..4
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..1024)) {
        feed(&bytes);
    }

    #[test]
    fn random_tails_after_valid_headers(seed in 0usize..9, keep in 8usize..64, tail in prop::collection::vec(any::<u8>(), 0..512)) {
        let seeds: Vec<Vec<u8>> = png_seeds().into_iter().chain(wav_seeds()).collect();
        let seed = &seeds[seed % seeds.len()];
        let mut bytes = seed[..keep.min(seed.len())].to_vec();
        bytes.extend(tail);
        feed(&bytes);
        fix_png_crcs(&mut bytes);
        feed(&bytes);
    }

    #[test]
    fn random_mutations_of_valid_files(
        seed in 0usize..9,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let seeds: Vec<Vec<u8>> = png_seeds().into_iter().chain(wav_seeds()).collect();
        let mut bytes = seeds[seed % seeds.len()].clone();
        for (at, value) in edits {
            let at = at.index(bytes.len());
            bytes[at] = value;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        feed(&bytes);
        fix_png_crcs(&mut bytes);
        feed(&bytes);
    }

    #[test]
    fn random_glyph_declarations(tile_size in any_json(), palettes in any_json()) {
        let mut fixture = Fixture::glyph(tile_size, palettes);
        fixture.add("tiles/t.png", png_seeds()[0].clone());
        let checked = fixture.check();
        prop_assert!(checked.iter().all(|d| d.file.is_some()));
        assert_well_formed(&fixture.materialize(), true);
    }
}
