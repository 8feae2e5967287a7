//! The packed bytes, checked against values computed here, independently,
//! from the same pixels and samples the fixture encoded.

use prometeu_packer::{PackOptions, Quiet, Status, Wait, acquire_lane, pack_workspace};
use prometeu_test_support::{noise, sample_project};
use serde_json::json;

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}

/// Sheet of 4-bit indices, even x in the low nibble; tile `i` at cell
/// `(i mod per_row, i div per_row)`.
fn sheet(tile_size: usize, tiles: &[Vec<u8>]) -> Vec<u8> {
    let mut pixels = vec![0u8; 256 * 256];
    let per_row = 256 / tile_size;
    for (i, tile) in tiles.iter().enumerate() {
        let (cx, cy) = ((i % per_row) * tile_size, (i / per_row) * tile_size);
        for y in 0..tile_size {
            for x in 0..tile_size {
                pixels[(cy + y) * 256 + cx + x] = tile[y * tile_size + x];
            }
        }
    }
    pixels.chunks(2).map(|pair| pair[0] | (pair[1] << 4)).collect()
}

fn palettes(colors: &[[u8; 3]]) -> Vec<u8> {
    let mut out = vec![0u8; 64 * 16 * 2];
    for (i, [r, g, b]) in colors.iter().enumerate() {
        let v: u16 = (u16::from(*r) >> 3) << 11 | (u16::from(*g) >> 2) << 5 | (u16::from(*b) >> 3);
        out[i * 2..i * 2 + 2].copy_from_slice(&v.to_le_bytes());
    }
    out
}

fn pcm(samples: &[i16]) -> Vec<u8> {
    samples.iter().flat_map(|s| s.to_le_bytes()).collect()
}

fn mix(stereo: &[i16]) -> Vec<i16> {
    stereo
        .chunks(2)
        .map(|lr| {
            let sum = i32::from(lr[0]) + i32::from(lr[1]);
            // Half away from zero: an odd sum rounds outward.
            let half = if sum >= 0 { (sum + 1) / 2 } else { (sum - 1) / 2 };
            half as i16
        })
        .collect()
}

/// Rebuilds objects with keys inserted in byte order, so the expected text
/// is canonical whether or not serde_json keeps insertion order.
fn sorted(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            serde_json::Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        serde_json::Value::Array(items) => serde_json::Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

#[test]
fn header_offsets_sheets_palettes_and_pcm_match_independent_computation() {
    let p = sample_project();
    let lane = acquire_lane(&p.path, Wait::NoWait).unwrap();
    let outcome = pack_workspace(&lane, &PackOptions::default(), &mut Quiet);
    assert_eq!(outcome.result.status, Status::Success, "{:?}", outcome.result);
    let file = p.read("build/assets.pa");

    assert_eq!(&file[0..4], b"PMTA");
    assert_eq!(u32_at(&file, 4), 1);
    let header_len = u32_at(&file, 8) as usize;
    let payload_offset = u32_at(&file, 12) as usize;
    assert_eq!(payload_offset, 24 + header_len);
    assert_eq!((u32_at(&file, 16), u32_at(&file, 20)), (0, 0));

    let colors = [[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 255, 0]];
    let hero_a: Vec<u8> = (0..64).map(|i| (i % 4) as u8).collect();
    let hero_b: Vec<u8> = (0..64).map(|i| [2u8, 0, 3][i % 3]).collect();
    let mut hero = sheet(8, &[hero_a, hero_b]);
    hero.extend(palettes(&colors));
    let jump = pcm(&noise(1, 300));
    let land = pcm(&mix(&noise(2, 400)));
    let sfx = [jump.clone(), land.clone()].concat();
    let mut font = sheet(16, &[vec![1; 256]]);
    font.extend(palettes(&colors));
    let music = pcm(&noise(3, 1000));

    let palettes_json = json!([{"index": 0, "palette": {"colors": ["#000000", "#ffffff", "#ff0000", "#00ff00"]}}]);
    let glyph_meta = |tile_size: u32, tiles: u32| {
        json!({"tile_size": tile_size, "pipeline": {"palettes": palettes_json}, "width": 256, "height": 256,
               "palette_count": 64, "palette_authored": 1, "tile_count": tiles})
    };
    let sample = |offset: usize, bytes: &[u8], rate: u32| json!({"offset": offset, "length": bytes.len(), "frames": bytes.len() / 2, "sample_rate": rate});
    let header = json!({
        "asset_table": [
            {"asset_id": 1, "asset_name": "hero", "bank_type": "GLYPH", "codec": "NONE", "offset": 0,
             "size": 34816, "decoded_size": 67584, "metadata": glyph_meta(8, 2)},
            {"asset_id": 2, "asset_name": "jump", "bank_type": "SOUNDS", "codec": "NONE", "offset": 34816,
             "size": sfx.len(), "decoded_size": sfx.len(),
             "metadata": {"sample_count": 2, "samples": {"0": sample(0, &jump, 22050), "1": sample(jump.len(), &land, 44100)}}},
            {"asset_id": 3, "asset_name": "font", "bank_type": "GLYPH", "codec": "NONE", "offset": 34816 + sfx.len(),
             "size": 34816, "decoded_size": 67584, "metadata": glyph_meta(16, 1)},
            {"asset_id": 4, "asset_name": "music", "bank_type": "SOUNDS", "codec": "NONE", "offset": 2 * 34816 + sfx.len(),
             "size": music.len(), "decoded_size": music.len(),
             "metadata": {"sample_count": 1, "samples": {"0": sample(0, &music, 48000)}}}
        ],
        "preload": [{"asset_id": 1, "slot": 0}, {"asset_id": 2, "slot": 0}]
    });
    assert_eq!(&file[24..payload_offset], serde_json::to_vec(&sorted(header)).unwrap().as_slice());

    let payloads = [hero, sfx, font, music].concat();
    assert_eq!(file.len(), payload_offset + payloads.len());
    let got = &file[payload_offset..];
    for (name, range) in [("hero", 0..34816), ("sfx", 34816..34816 + jump.len() + land.len())] {
        assert!(got[range.clone()] == payloads[range.clone()], "{name} payload differs");
    }
    assert!(got == payloads.as_slice(), "payload region differs");
}
