//! Family `glyph_bank`: real PNG tiles through `materialize`, every colour
//! type and bit depth, sheet placement, payload bytes and every finding.

use crate::families_common::{
    DECLARATION_PATH, Fixture, Image, expect_one, expect_only, metadata, raw_png, zlib_stored,
};
use png::BitDepth::{Eight, Four, One, Sixteen, Two};
use png::ColorType::{Grayscale, GrayscaleAlpha, Indexed, Rgb, Rgba};
use prometeu_packer::{
    Code, GLYPH_DECODED_BYTES as DECODED_BYTES, GLYPH_PAYLOAD_BYTES as PAYLOAD_BYTES, MAX_PNG_BYTES, Severity,
};
use serde_json::{Value, json};

const TILE: &str = "assets/hero/tiles/a.png";

/// Sixteen distinct colours: the authoring palette of most tests.
fn color(position: u32) -> [u8; 3] {
    let k = position as u8;
    [k * 17, 255 - k * 17, k.wrapping_mul(53)]
}

fn hex([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn rgb_pixel([r, g, b]: [u8; 3]) -> u64 {
    (u64::from(r) << 16) | (u64::from(g) << 8) | u64::from(b)
}

fn sixteen_colors() -> Value {
    json!([{ "index": 0, "palette": { "colors": (0..16).map(|k| hex(color(k))).collect::<Vec<_>>() } }])
}

/// An indexed image whose `PLTE` is the authoring palette of most tests
/// (`color(k)` at index `k`, black past 16) with index 0 transparent, so its
/// stored indices mean the colours the bank's palette has there.
fn indexed(side: u32, depth: png::BitDepth, pixel: impl Fn(u32, u32) -> u64) -> Image {
    let entries = (1u32 << depth as u32).min(256);
    let palette: Vec<u8> = (0..entries).flat_map(|k| if k < 16 { color(k) } else { [0; 3] }).collect();
    Image::square(side, Indexed, depth, pixel).with_palette(&palette).with_trns(&[0])
}

/// The grey levels a grayscale PNG of `depth` bits shows, as a palette whose index is the stored value.
fn grey_levels(depth: png::BitDepth) -> Value {
    let levels = 1u32 << depth as u32;
    let colors: Vec<String> = (0..levels).map(|i| hex([(i * 255 / (levels - 1)) as u8; 3])).collect();
    json!([{ "index": 0, "palette": { "colors": colors } }])
}

fn one_tile(tile_size: u32, bytes: Vec<u8>) -> Fixture {
    let mut fixture = Fixture::glyph(json!(tile_size), sixteen_colors());
    fixture.add("tiles/a.png", bytes);
    fixture
}

/// The 4-bit index of sheet pixel (x, y), read straight from the payload.
fn sheet_index(payload: &[u8], x: u32, y: u32) -> u8 {
    let byte = payload[((y * 256 + x) / 2) as usize];
    if x.is_multiple_of(2) { byte & 0x0f } else { byte >> 4 }
}

/// Asserts tile 0 holds `expected(x, y)` and the rest of the sheet is zero.
fn assert_first_tile(payload: &[u8], side: u32, expected: impl Fn(u32, u32) -> u8) {
    for y in 0..256 {
        for x in 0..256 {
            let want = if x < side && y < side { expected(x, y) } else { 0 };
            assert_eq!(sheet_index(payload, x, y), want, "sheet pixel ({x}, {y})");
        }
    }
}

// ---------------------------------------------------------------------------
// Pixel mapping

#[test]
fn indexed_tiles_keep_the_stored_index_at_every_bit_depth() {
    for depth in [One, Two, Four, Eight] {
        let levels = (1u32 << depth as u32).min(16);
        let value = |x: u32, y: u32| (x + 3 * y) % levels;
        let image = indexed(8, depth, |x, y| u64::from(value(x, y)));
        let built = one_tile(8, image.encode()).ok();
        assert_first_tile(&built.payload, 8, |x, y| value(x, y) as u8);
    }
}

#[test]
fn low_depth_grayscale_keeps_the_stored_value() {
    for depth in [One, Two, Four] {
        let levels = 1u32 << depth as u32;
        let value = |x: u32, y: u32| (2 * x + y) % levels;
        // The colour key makes value 0 transparency, as index 0 is.
        let image = Image::square(8, Grayscale, depth, |x, y| u64::from(value(x, y))).with_trns(&[0, 0]);
        let mut fixture = Fixture::glyph(json!(8), grey_levels(depth));
        fixture.add("tiles/a.png", image.encode());
        let built = fixture.ok();
        assert!(built.warnings.is_empty(), "{:#?}", built.warnings);
        assert_first_tile(&built.payload, 8, |x, y| value(x, y) as u8);
    }
}

#[test]
fn rgb_pixels_take_their_position_in_the_authoring_palette() {
    let position = |x: u32, y: u32| (x + 5 * y) % 16;
    let image = Image::square(16, Rgb, Eight, |x, y| rgb_pixel(color(position(x, y))));
    let built = one_tile(16, image.encode()).ok();
    assert_first_tile(&built.payload, 16, |x, y| position(x, y) as u8);
}

#[test]
fn rgba_pixels_with_alpha_zero_are_index_zero_whatever_their_colour() {
    // Column 0 is fully transparent and off-palette; other pixels are partly
    // transparent but still matched by colour.
    let image = Image::square(8, Rgba, Eight, |x, y| {
        if x == 0 { 0xabcd_ef00 } else { (rgb_pixel(color(x + y)) << 8) | u64::from(1 + 30 * y) }
    });
    let built = one_tile(8, image.encode()).ok();
    assert_first_tile(&built.payload, 8, |x, y| if x == 0 { 0 } else { (x + y) as u8 });
}

/// Spreads an 8-bit channel over 16 bits with a distinct low byte.
fn widen(channel: u8, low: u8) -> u64 {
    (u64::from(channel) << 8) | u64::from(low)
}

#[test]
fn sixteen_bit_rgb_is_reduced_to_the_high_byte() {
    let image = Image::square(8, Rgb, Sixteen, |x, y| {
        let [r, g, b] = color((x * y) % 16);
        let low = (x * 31 + y) as u8;
        (widen(r, low) << 32) | (widen(g, !low) << 16) | widen(b, low ^ 0x5a)
    });
    let built = one_tile(8, image.encode()).ok();
    assert_first_tile(&built.payload, 8, |x, y| ((x * y) % 16) as u8);
}

#[test]
fn sixteen_bit_rgba_alpha_counts_by_its_high_byte() {
    // Row 0: alpha 0x00ff (high byte 0) → transparent; row 1: alpha 0x0100 → opaque.
    let image = Image::square(8, Rgba, Sixteen, |x, y| {
        let [r, g, b] = color(x + 1);
        let alpha = match y {
            0 => 0x00ff,
            1 => 0x0100,
            _ => 0xffff,
        };
        (widen(r, 0x77) << 48) | (widen(g, 0x01) << 32) | (widen(b, 0xfe) << 16) | alpha
    });
    let built = one_tile(8, image.encode()).ok();
    assert_first_tile(&built.payload, 8, |x, y| if y == 0 { 0 } else { (x + 1) as u8 });
}

fn grays() -> Value {
    json!([{ "index": 0, "palette": { "colors": ["#000000", "#404040", "#808080", "#c0c0c0", "#ffffff"] } }])
}

const GRAY_LEVELS: [u64; 5] = [0x00, 0x40, 0x80, 0xc0, 0xff];

fn gray_tile(bytes: Vec<u8>) -> Fixture {
    let mut fixture = Fixture::glyph(json!(8), grays());
    fixture.add("tiles/a.png", bytes);
    fixture
}

#[test]
fn eight_bit_gray_matches_gray_palette_colours() {
    let level = |x: u32, y: u32| ((x + y) % 5) as usize;
    let image = Image::square(8, Grayscale, Eight, |x, y| GRAY_LEVELS[level(x, y)]);
    let built = gray_tile(image.encode()).ok();
    assert_first_tile(&built.payload, 8, |x, y| level(x, y) as u8);
}

#[test]
fn sixteen_bit_gray_matches_by_its_high_byte() {
    let level = |x: u32, y: u32| ((x * 3 + y) % 5) as usize;
    let image = Image::square(8, Grayscale, Sixteen, |x, y| (GRAY_LEVELS[level(x, y)] << 8) | u64::from(x * 9 + y));
    let built = gray_tile(image.encode()).ok();
    assert_first_tile(&built.payload, 8, |x, y| level(x, y) as u8);
}

#[test]
fn gray_alpha_uses_alpha_then_gray() {
    for depth in [Eight, Sixteen] {
        let image = Image::square(8, GrayscaleAlpha, depth, |x, y| {
            let (gray, alpha) = if y == 7 { (0x11, 0) } else { (GRAY_LEVELS[(x % 5) as usize], 0x80) };
            match depth {
                Eight => (gray << 8) | alpha,
                _ => (widen(gray as u8, 0x33) << 16) | widen(alpha as u8, 0xff),
            }
        });
        let built = gray_tile(image.encode()).ok();
        assert_first_tile(&built.payload, 8, |x, y| if y == 7 { 0 } else { (x % 5) as u8 });
    }
}

#[test]
fn rgb_colour_key_is_index_zero_even_when_the_colour_is_in_the_palette() {
    let keyed = color(5);
    let image = Image::square(8, Rgb, Eight, |x, y| rgb_pixel(if x == y { keyed } else { color(x) }))
        .with_trns(&[0, keyed[0], 0, keyed[1], 0, keyed[2]]);
    let built = one_tile(8, image.encode()).ok();
    // Column 5 is drawn in the keyed colour too.
    assert_first_tile(&built.payload, 8, |x, y| if x == y || x == 5 { 0 } else { x as u8 });
}

#[test]
fn gray_colour_key_is_index_zero() {
    let image = Image::square(8, Grayscale, Eight, |x, _| GRAY_LEVELS[(x % 5) as usize]).with_trns(&[0, 0x40]);
    let built = gray_tile(image.encode()).ok();
    assert_first_tile(&built.payload, 8, |x, _| if x % 5 == 1 { 0 } else { (x % 5) as u8 });
}

#[test]
fn sixteen_bit_colour_key_compares_the_full_stored_value() {
    // The key is 0x1234 0x5678 0x9abc; a pixel sharing only its high bytes is
    // opaque and matched by colour #12569a.
    let mut fixture =
        Fixture::glyph(json!(8), json!([{ "index": 0, "palette": { "colors": ["#000000", "#12569a"] } }]));
    let image = Image::square(8, Rgb, Sixteen, |x, _| if x == 0 { 0x1234_5678_9abc } else { 0x12ff_56ff_9aff })
        .with_trns(&[0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc]);
    fixture.add("tiles/a.png", image.encode());
    let built = fixture.ok();
    assert_first_tile(&built.payload, 8, |x, _| if x == 0 { 0 } else { 1 });
}

#[test]
fn interlaced_tiles_decode_like_plain_ones() {
    let cases = [
        (indexed(8, Four, |x, y| u64::from((x * 7 + y * 3) % 16)), sixteen_colors()),
        (Image::square(8, Grayscale, Two, |x, y| u64::from((x + 2 * y) % 4)).with_trns(&[0, 0]), grey_levels(Two)),
        (indexed(8, One, |x, y| u64::from((x ^ y) & 1)), sixteen_colors()),
        (Image::square(16, Rgb, Eight, |x, y| rgb_pixel(color((x * 3 + y) % 16))), sixteen_colors()),
        (
            Image::square(16, Rgba, Sixteen, |x, y| {
                (widen(color(x % 16)[0], 1) << 48)
                    | (widen(color(x % 16)[1], 2) << 32)
                    | (widen(color(x % 16)[2], 3) << 16)
                    | if y == 3 { 0 } else { 0xffff }
            }),
            sixteen_colors(),
        ),
    ];
    for (image, palettes) in cases {
        let interlaced = image.encode_interlaced();
        assert_eq!(interlaced[28], 1, "IHDR interlace method is Adam7");
        let tile = |bytes: Vec<u8>| {
            let mut fixture = Fixture::glyph(json!(image.width), palettes.clone());
            fixture.add("tiles/a.png", bytes);
            fixture.ok()
        };
        let plain = tile(image.encode());
        let adam7 = tile(interlaced);
        assert_eq!(adam7.payload, plain.payload, "{:?} {:?}", image.color, image.depth);
        assert!(plain.payload[..4096].iter().any(|&b| b != 0), "the case is not trivially empty");
    }
}

// ---------------------------------------------------------------------------
// Sheet and payload layout

#[test]
fn tiles_fill_sheet_cells_row_major_for_every_tile_size() {
    for (side, count) in [(8u32, 40u32), (16, 20), (32, 10)] {
        let per_row = 256 / side;
        let value = |tile: u32, x: u32, y: u32| (tile + x + 2 * y) % 16;
        let mut fixture = Fixture::glyph(json!(side), sixteen_colors());
        for tile in 0..count {
            let image = indexed(side, Four, |x, y| u64::from(value(tile, x, y)));
            fixture.add(&format!("tiles/{tile}.png"), image.encode());
        }
        let built = fixture.ok();
        for y in 0..256 {
            for x in 0..256 {
                let tile = (y / side) * per_row + x / side;
                let want = if tile < count { value(tile, x % side, y % side) as u8 } else { 0 };
                assert_eq!(sheet_index(&built.payload, x, y), want, "tile_size {side}, sheet pixel ({x}, {y})");
            }
        }
        assert_eq!(built.derived["tile_count"], json!(count));
    }
}

#[test]
fn even_x_is_the_low_nibble() {
    let image = indexed(8, Eight, |x, y| u64::from(if y == 1 { 15 - x } else { x + 1 }));
    let built = one_tile(8, image.encode()).ok();
    assert_eq!(built.payload[0..4], [0x21, 0x43, 0x65, 0x87]);
    assert_eq!(built.payload[4], 0, "x = 8 is outside the tile");
    assert_eq!(built.payload[128..132], [0xef, 0xcd, 0xab, 0x89]);
}

#[test]
fn palettes_are_rgb565_little_endian_at_their_index() {
    let palettes = json!([
        { "index": 5, "palette": { "colors": ["#f8fcf8", "#070307", "#08040a"] } },
        { "index": 0, "palette": { "colors": ["#ffffff", "#000000", "#d82800"] } },
        { "index": 63, "palette": { "colors": ["#123456"] } }
    ]);
    let mut fixture = Fixture::glyph(json!(8), palettes);
    // Index 0 transparent in the file (`tRNS`), as it is in the bank.
    fixture.add("tiles/a.png", Image::square(8, Indexed, Four, |_, _| 0).with_trns(&[0]).encode());
    let built = fixture.ok();

    // Worked out by hand: #d82800 → 27<<11 | 10<<5 | 0 = 0xd940; #08040a → 0x0821; #123456 → 0x11aa.
    let mut expected = vec![0u8; 2048];
    expected[0..6].copy_from_slice(&[0xff, 0xff, 0x00, 0x00, 0x40, 0xd9]);
    expected[160..166].copy_from_slice(&[0xff, 0xff, 0x00, 0x00, 0x21, 0x08]);
    expected[2016..2018].copy_from_slice(&[0xaa, 0x11]);
    assert_eq!(built.payload.len(), 34816);
    assert_eq!(built.payload.len(), PAYLOAD_BYTES);
    assert_eq!(built.payload[32768..], expected[..]);
    assert!(built.payload[..32768].iter().all(|&b| b == 0));
    assert_eq!(built.decoded_size, 67584);
    assert_eq!(built.decoded_size, DECODED_BYTES);
    assert_eq!(
        built.derived,
        metadata(json!({ "width": 256, "height": 256, "palette_count": 64, "palette_authored": 3, "tile_count": 1 }))
    );
    assert!(built.warnings.is_empty());
}

#[test]
fn the_authoring_palette_is_the_lowest_index_not_the_first_listed() {
    let palettes = json!([
        { "index": 10, "palette": { "colors": ["#d82800"] } },
        { "index": 3, "palette": { "colors": ["#000000", "#d82800"] } }
    ]);
    let mut fixture = Fixture::glyph(json!(8), palettes);
    fixture.add("tiles/a.png", Image::square(8, Rgb, Eight, |_, _| 0xd82800).encode());
    let built = fixture.ok();
    assert_first_tile(&built.payload, 8, |_, _| 1);
}

#[test]
fn a_repeated_colour_maps_to_its_first_position_and_warns() {
    let palettes = json!([{ "index": 0, "palette": { "colors": ["#000000", "#D82800", "#d82800"] } }]);
    let mut fixture = Fixture::glyph(json!(8), palettes);
    fixture.add("tiles/a.png", Image::square(8, Rgb, Eight, |_, _| 0xd82800).encode());
    let built = fixture.ok();
    assert_first_tile(&built.payload, 8, |_, _| 1);
    // A declaration finding: reported once, by the declaration check the
    // walk runs, and not again by materialization.
    let checked = fixture.check();
    expect_one(
        &checked,
        Code::PaletteColorRepeated,
        Severity::Warning,
        DECLARATION_PATH,
        &["output.pipeline.palettes[0].palette.colors[2]", "#d82800", "colors[1]", DECLARATION_PATH],
    );
    assert_eq!(checked.len(), 1);
    assert!(built.warnings.is_empty(), "{:#?}", built.warnings);
}

#[test]
fn user_metadata_stays_out_of_the_derived_keys() {
    let built = one_tile(8, indexed(8, Four, |_, _| 1).encode()).ok();
    assert!(!built.derived.contains_key("tile_size"));
    assert_eq!(built.derived.len(), 5);
}

// ---------------------------------------------------------------------------
// Declaration findings

fn with_palettes(palettes: Value) -> Fixture {
    Fixture::glyph(json!(8), palettes)
}

#[test]
fn tile_size_must_be_8_16_or_32() {
    for bad in [json!(12), json!("16"), json!(16.0), json!(null), json!(-8), json!(0), json!(4294967304u64)] {
        let fixture = Fixture::glyph(bad.clone(), sixteen_colors());
        let shown = bad.to_string();
        expect_only(
            &fixture.check(),
            Code::TileSizeInvalid,
            DECLARATION_PATH,
            &["tile_size", &shown, "8, 16 or 32", DECLARATION_PATH],
        );
    }
    for good in [8, 16, 32] {
        assert!(Fixture::glyph(json!(good), sixteen_colors()).check().is_empty());
    }
    let missing =
        Fixture::new(prometeu_packer::Family::GlyphBank, json!({}), Some(json!({ "palettes": sixteen_colors() })));
    expect_only(
        &missing.check(),
        Code::TileSizeInvalid,
        DECLARATION_PATH,
        &["no `output.metadata.tile_size`", "8, 16 or 32"],
    );
}

#[test]
fn tile_capacity_follows_tile_size() {
    for (side, capacity) in [(8u32, 1024usize), (16, 256), (32, 64)] {
        let mut fixture = Fixture::glyph(json!(side), sixteen_colors());
        for i in 0..capacity {
            fixture.add(&format!("tiles/{i}.png"), Vec::new());
        }
        assert!(fixture.check().is_empty(), "exactly {capacity} tiles fit");
        fixture.add("tiles/extra.png", Vec::new());
        let count = (capacity + 1).to_string();
        expect_only(
            &fixture.check(),
            Code::TileCapacityExceeded,
            DECLARATION_PATH,
            &[&count, &capacity.to_string(), "tile_size"],
        );
        // The gate refuses before any tile is read.
        expect_only(&fixture.err(), Code::TileCapacityExceeded, DECLARATION_PATH, &[&count]);
        assert!(fixture.content.reads().is_empty());
    }
}

#[test]
fn a_palette_is_required() {
    let no_pipeline = Fixture::new(prometeu_packer::Family::GlyphBank, json!({ "tile_size": 8 }), None);
    expect_only(
        &no_pipeline.check(),
        Code::PaletteMissing,
        DECLARATION_PATH,
        &["no palette", "output.pipeline.palettes"],
    );
    let other_pipeline =
        Fixture::new(prometeu_packer::Family::GlyphBank, json!({ "tile_size": 8 }), Some(json!({ "dither": 1 })));
    expect_only(&other_pipeline.check(), Code::PaletteMissing, DECLARATION_PATH, &["no palette"]);
    expect_only(&with_palettes(json!([])).check(), Code::PaletteMissing, DECLARATION_PATH, &["empty", "at least one"]);
}

#[test]
fn at_most_64_palettes() {
    let entries: Vec<Value> = (0..64).map(|i| json!({ "index": i, "palette": { "colors": ["#000000"] } })).collect();
    assert!(with_palettes(Value::Array(entries.clone())).check().is_empty());
    let mut too_many = entries;
    too_many.push(json!({ "index": 0, "palette": { "colors": ["#000000"] } }));
    let found = with_palettes(Value::Array(too_many)).check();
    expect_one(
        &found,
        Code::PaletteTooMany,
        Severity::Blocking,
        DECLARATION_PATH,
        &["65 palettes", "at most 64", "remove 1"],
    );
}

#[test]
fn palette_shape_is_strict() {
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (json!({ "index": 0 }), vec!["`output.pipeline.palettes`", "not a list"]),
        (json!([5]), vec!["`output.pipeline.palettes[0]`", "not an object", "`index`, `palette`"]),
        (
            json!([{ "index": 0, "palette": { "colors": ["#000000"] }, "name": "sky" }]),
            vec!["`output.pipeline.palettes[0]`", "unknown key `name`", "`index`, `palette`"],
        ),
        (
            json!([{ "index": 0, "palette": { "colours": ["#000000"] } }]),
            vec!["`output.pipeline.palettes[0].palette`", "unknown key `colours`", "`colors`"],
        ),
        (json!([{ "index": 0 }]), vec!["`output.pipeline.palettes[0]`", "no `palette`"]),
        (json!([{ "palette": { "colors": ["#000000"] } }]), vec!["no `index`", "0 to 63"]),
        (json!([{ "index": 0, "palette": {} }]), vec!["`output.pipeline.palettes[0].palette`", "no `colors`"]),
        (
            json!([{ "index": 0, "palette": { "colors": "#000000" } }]),
            vec!["`output.pipeline.palettes[0].palette.colors`", "not a list"],
        ),
        (
            json!([{ "index": 0, "palette": ["#000000"] }]),
            vec!["`output.pipeline.palettes[0].palette`", "not an object"],
        ),
    ];
    for (palettes, parts) in cases {
        let found = with_palettes(palettes.clone()).check();
        let mut parts = parts;
        parts.push(DECLARATION_PATH);
        expect_only(&found, Code::PaletteInvalid, DECLARATION_PATH, &parts);
    }
}

#[test]
fn palette_indices_are_unique_and_in_range() {
    let duplicate = json!([
        { "index": 2, "palette": { "colors": ["#000000"] } },
        { "index": 7, "palette": { "colors": ["#000000"] } },
        { "index": 2, "palette": { "colors": ["#ffffff"] } }
    ]);
    expect_only(
        &with_palettes(duplicate).check(),
        Code::PaletteIndexDuplicate,
        DECLARATION_PATH,
        &["`output.pipeline.palettes[2]`", "palette index 2", "`output.pipeline.palettes[0]`", "its own index"],
    );
    for bad in [json!(64), json!(-1), json!("0"), json!(1.5), json!(null)] {
        let palettes = json!([{ "index": bad.clone(), "palette": { "colors": ["#000000"] } }]);
        let shown = bad.to_string();
        expect_only(
            &with_palettes(palettes).check(),
            Code::PaletteIndexInvalid,
            DECLARATION_PATH,
            &["`output.pipeline.palettes[0].index`", &shown, "0 to 63"],
        );
    }
}

#[test]
fn colours_are_hash_rrggbb() {
    for bad in [json!("#12345"), json!("red"), json!(5), json!("#12345g"), json!("123456"), json!("#1234567")] {
        let palettes = json!([{ "index": 0, "palette": { "colors": ["#000000", bad.clone()] } }]);
        let shown = bad.to_string();
        expect_only(
            &with_palettes(palettes).check(),
            Code::PaletteColorInvalid,
            DECLARATION_PATH,
            &["`output.pipeline.palettes[0].palette.colors[1]`", &shown, "\"#rrggbb\""],
        );
    }
}

#[test]
fn a_palette_holds_1_to_16_colours() {
    let seventeen: Vec<String> = (0..17).map(|k| format!("#0000{k:02x}")).collect();
    for (colors, parts) in
        [(json!([]), ["0 colours", "add at least one"]), (json!(seventeen), ["17 colours", "remove 1"])]
    {
        let palettes = json!([{ "index": 0, "palette": { "colors": colors } }]);
        expect_only(&with_palettes(palettes).check(), Code::PaletteColorCount, DECLARATION_PATH, &parts);
    }
    let sixteen: Vec<String> = (0..16).map(|k| format!("#0000{k:02x}")).collect();
    assert!(with_palettes(json!([{ "index": 0, "palette": { "colors": sixteen } }])).check().is_empty());
}

#[test]
fn declaration_findings_stop_materialization_before_reading() {
    let mut fixture = with_palettes(json!([{ "index": 99, "palette": { "colors": ["#000000", "#000000"] } }]));
    fixture.add("tiles/a.png", Image::square(8, Indexed, Four, |_, _| 0).encode());
    let checked = fixture.check();
    assert_eq!(checked.len(), 2, "{checked:#?}");
    let found = fixture.err();
    // Only the blocking half comes back as `Err`.
    assert_eq!(found, checked.into_iter().filter(|d| d.is_blocking()).collect::<Vec<_>>());
    expect_only(&found, Code::PaletteIndexInvalid, DECLARATION_PATH, &["99"]);
    assert!(fixture.content.reads().is_empty());
}

// ---------------------------------------------------------------------------
// Tile findings

#[test]
fn an_oversized_png_is_refused_without_being_read() {
    let mut fixture = one_tile(8, Image::square(8, Indexed, Four, |_, _| 0).encode());
    fixture.pretend_size("tiles/a.png", MAX_PNG_BYTES + 1);
    let found = fixture.err();
    expect_only(&found, Code::PngTooLarge, TILE, &[TILE, &(MAX_PNG_BYTES + 1).to_string(), &MAX_PNG_BYTES.to_string()]);
    assert!(fixture.content.reads().is_empty());

    let mut at_limit = one_tile(8, Image::square(8, Indexed, Four, |_, _| 0).encode());
    at_limit.files[0].size = MAX_PNG_BYTES;
    at_limit.ok();
}

#[test]
fn undecodable_pngs_are_reported() {
    let valid = Image::square(8, Rgb, Eight, |_, _| rgb_pixel(color(1))).encode();
    let mut flipped_crc = valid.clone();
    let last = flipped_crc.len() - 20;
    flipped_crc[last] ^= 0x40;
    for bytes in [
        b"not a png at all".to_vec(),
        valid[..valid.len() - 30].to_vec(),
        valid[..20].to_vec(),
        flipped_crc,
        Vec::new(),
    ] {
        expect_only(&one_tile(8, bytes).err(), Code::PngDecodeFailed, TILE, &[TILE, "could not be decoded as PNG"]);
    }
}

#[test]
fn an_unreadable_file_is_a_decode_failure() {
    let mut fixture = one_tile(8, Vec::new());
    fixture.move_first_file("assets/hero/tiles/gone.png");
    expect_only(
        &fixture.err(),
        Code::PngDecodeFailed,
        "assets/hero/tiles/gone.png",
        &["could not be read", "no such file"],
    );
}

#[test]
fn tile_dimensions_are_checked_from_the_header_before_pixels() {
    let wrong = Image::new(16, 8, Indexed, Four, |_, _| 0).encode();
    expect_only(
        &one_tile(16, wrong).err(),
        Code::TileDimensionsMismatch,
        TILE,
        &[TILE, "16×8", "`tile_size` is 16", "16×16"],
    );
    // Garbage image data: only a header-first check can report the size.
    let broken = raw_png(32, 32, 8, 0, 0, &[(*b"IDAT", b"garbage, not zlib".to_vec())]);
    expect_only(&one_tile(16, broken).err(), Code::TileDimensionsMismatch, TILE, &["32×32"]);
    // The same garbage at the right size is a decode failure.
    let broken = raw_png(16, 16, 8, 0, 0, &[(*b"IDAT", b"garbage, not zlib".to_vec())]);
    expect_only(&one_tile(16, broken).err(), Code::PngDecodeFailed, TILE, &[TILE]);
}

#[test]
fn an_indexed_pixel_above_15_is_refused() {
    let image = indexed(8, Eight, |x, y| match (x, y) {
        (3, 2) => 16,
        (5, 6) => 200,
        _ => 1,
    });
    expect_only(
        &one_tile(8, image.encode()).err(),
        Code::PngIndexOutOfRange,
        TILE,
        &["pixel (3, 2)", TILE, "index 16", "0 to 15", "1 more"],
    );
}

#[test]
fn an_unmatched_colour_names_pixel_and_colour() {
    let image = Image::square(8, Rgb, Eight, |x, y| match (x, y) {
        (6, 1) => 0xabcdef,
        (7, 7) => 0x000001,
        _ => rgb_pixel(color(2)),
    });
    let found = one_tile(8, image.encode()).err();
    expect_only(
        &found,
        Code::PixelColorUnmatched,
        TILE,
        &["pixel (6, 1)", TILE, "#abcdef", "authoring palette", "palette index 0", "1 more"],
    );
    // Gray is compared as (g, g, g).
    let gray = Image::square(8, Grayscale, Eight, |x, y| if (x, y) == (0, 4) { 0x41 } else { 0x40 });
    expect_only(&gray_tile(gray.encode()).err(), Code::PixelColorUnmatched, TILE, &["pixel (0, 4)", "#414141"]);
}

#[test]
fn every_bad_tile_is_reported_once() {
    let mut fixture = Fixture::glyph(json!(8), sixteen_colors());
    fixture.add("tiles/good.png", indexed(8, Four, |_, _| 3).encode());
    fixture.add("tiles/bad.png", b"broken".to_vec());
    fixture.add("tiles/big.png", Image::new(9, 8, Indexed, Four, |_, _| 0).encode());
    fixture.add("tiles/off.png", Image::square(8, Rgb, Eight, |_, _| 0x010203).encode());
    let found = fixture.err();
    assert_eq!(found.len(), 3, "{found:#?}");
    expect_one(&found, Code::PngDecodeFailed, Severity::Blocking, "assets/hero/tiles/bad.png", &["tiles/bad.png"]);
    expect_one(&found, Code::TileDimensionsMismatch, Severity::Blocking, "assets/hero/tiles/big.png", &["9×8"]);
    expect_one(
        &found,
        Code::PixelColorUnmatched,
        Severity::Blocking,
        "assets/hero/tiles/off.png",
        &["pixel (0, 0)", "#010203", "63 more"],
    );
}

#[test]
fn hand_written_png_helpers_produce_valid_files() {
    // Guards the test helpers themselves: a stored-zlib, hand-chunked PNG decodes.
    let stream: Vec<u8> = (0..8).flat_map(|_| [0u8, 0x12, 0x34, 0x56, 0x78]).collect();
    let plte: Vec<u8> = (0..16).flat_map(color).collect();
    let bytes = raw_png(8, 8, 4, 3, 0, &[(*b"PLTE", plte), (*b"IDAT", zlib_stored(&stream))]);
    let built = one_tile(8, bytes).ok();
    assert_first_tile(&built.payload, 8, |x, _| [1, 2, 3, 4, 5, 6, 7, 8][x as usize]);
}

// ---------------------------------------------------------------------------
// Colour identity: what the file shows is what packs

#[test]
fn an_indexed_colour_the_bank_draws_otherwise_is_refused_naming_both_colours() {
    // Index 2 shows #0000ff in the file; the bank's colour 2 is color(2).
    let mut plte: Vec<u8> = (0..16).flat_map(color).collect();
    plte[6..9].copy_from_slice(&[0, 0, 255]);
    let image = Image::square(8, Indexed, Four, |x, y| if (x, y) == (4, 1) || y == 5 { 2 } else { 1 })
        .with_palette(&plte)
        .with_trns(&[0]);
    let found = one_tile(8, image.encode()).err();
    expect_only(
        &found,
        Code::IndexedColorMismatch,
        TILE,
        &["colour mismatch", "pixel (4, 1)", TILE, "#0000ff", &hex(color(2)), "index 2", "8 more pixels"],
    );
}

#[test]
fn a_pixel_transparent_in_the_file_must_use_index_zero() {
    let image = indexed(8, Four, |x, _| if x == 3 { 5 } else { 1 }).with_trns(&[0, 255, 255, 255, 255, 0]);
    let found = one_tile(8, image.encode()).err();
    expect_only(&found, Code::IndexedColorMismatch, TILE, &["pixel (3, 0)", "transparent in the file", "index 5"]);
}

#[test]
fn an_index_past_the_authoring_palette_is_a_mismatch() {
    let palettes = json!([{ "index": 0, "palette": { "colors": [hex(color(0)), hex(color(1))] } }]);
    let mut fixture = Fixture::glyph(json!(8), palettes);
    fixture.add("tiles/a.png", indexed(8, Four, |_, _| 3).encode());
    expect_only(&fixture.err(), Code::IndexedColorMismatch, TILE, &["no colour at index 3"]);
}

#[test]
fn low_depth_grey_must_show_the_palette_colour_of_its_value() {
    // Two-bit grey 1 shows #555555; the bank's colour 1 is color(1).
    let image = Image::square(8, Grayscale, Two, |_, _| 1);
    let found = one_tile(8, image.encode()).err();
    expect_only(&found, Code::IndexedColorMismatch, TILE, &["#555555", &hex(color(1))]);
}

#[test]
fn opaque_pixels_on_index_zero_warn_unless_the_bank_says_so() {
    // Stored index 0, opaque (no tRNS), and an RGB pixel of the palette's first colour.
    let stored = Image::square(8, Indexed, Four, |x, _| if x == 0 { 0 } else { 1 })
        .with_palette(&(0..16).flat_map(color).collect::<Vec<u8>>());
    let by_colour = Image::square(8, Rgb, Eight, |x, y| rgb_pixel(color(if (x, y) == (2, 3) { 0 } else { 4 })));
    for (image, pixel, count) in [(stored.encode(), "pixel (0, 0)", "7 more"), (by_colour.encode(), "pixel (2, 3)", "")]
    {
        let built = one_tile(8, image.clone()).ok();
        let warning =
            expect_one(&built.warnings, Code::OpaqueIndexZero, Severity::Warning, TILE, &[pixel, "index 0", count]);
        assert!(warning.message.contains("opaque_index_zero"), "{}", warning.message);
        assert_eq!(sheet_index(&built.payload, 0, 0) == 0, pixel == "pixel (0, 0)");

        let palettes = sixteen_colors();
        let mut on_purpose = Fixture::new(
            prometeu_packer::Family::GlyphBank,
            json!({ "tile_size": 8 }),
            Some(json!({ "palettes": palettes, "opaque_index_zero": true })),
        );
        on_purpose.add("tiles/a.png", image);
        let built_on_purpose = on_purpose.ok();
        assert!(built_on_purpose.warnings.is_empty(), "{:#?}", built_on_purpose.warnings);
        assert_eq!(built_on_purpose.payload, built.payload, "the flag changes findings, never pixels");
    }
}

#[test]
fn opaque_index_zero_must_be_a_boolean() {
    let fixture = Fixture::new(
        prometeu_packer::Family::GlyphBank,
        json!({ "tile_size": 8 }),
        Some(json!({ "palettes": sixteen_colors(), "opaque_index_zero": "yes" })),
    );
    expect_only(&fixture.check(), Code::DeclarationInvalidValue, DECLARATION_PATH, &["opaque_index_zero", "\"yes\""]);
}
