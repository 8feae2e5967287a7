//! Glyph banks from the files artists keep: a sheet made by an image tool
//! (`inputs.sheet`) and an Aseprite file, each compared with the same pixels
//! as single-tile PNGs made by the test encoder; sheet and Aseprite findings.

use crate::families_common::{DECLARATION_PATH, Fixture, Image, expect_only, png_rgba, repo_root};
use prometeu_packer::{AssetRef, Code, parse_declaration};
use serde_json::{Value, json};

const RED: [u8; 4] = [255, 0, 0, 255];
const GREEN: [u8; 4] = [0, 255, 0, 255];
const BLUE: [u8; 4] = [0, 0, 255, 255];
const CLEAR: [u8; 4] = [0, 0, 0, 0];

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(repo_root().join("packer/tests/fixtures/authoring").join(name)).unwrap()
}

fn palettes() -> Value {
    json!([{ "index": 0, "palette": { "colors": ["#000000", "#ff0000", "#00ff00", "#0000ff"] } }])
}

/// An 8×8 tile PNG (test encoder) whose pixel (x, y) is `pixel(x, y)`.
fn tile(pixel: impl Fn(u32, u32) -> [u8; 4]) -> Vec<u8> {
    let mut rgba = Vec::with_capacity(8 * 8 * 4);
    for y in 0..8 {
        for x in 0..8 {
            rgba.extend(pixel(x, y));
        }
    }
    png_rgba(8, &rgba)
}

/// A glyph bank whose artifacts come from one `inputs.sheet` image.
fn sheet_fixture(name: &str, bytes: Vec<u8>) -> Fixture {
    let mut f = Fixture::glyph(json!(8), palettes());
    f.add(name, bytes);
    let paths = f.decl.inputs.remove("tiles").unwrap();
    f.decl.inputs.insert("sheet".to_owned(), paths);
    f
}

/// The tiles `make_sheet.py` draws, cell by cell.
fn sheet_cells() -> [Vec<u8>; 2] {
    let red_square = |x: u32, y: u32| if (1..=6).contains(&x) && (1..=6).contains(&y) { RED } else { CLEAR };
    let halves = |x: u32, _| if x < 4 { GREEN } else { BLUE };
    [tile(red_square), tile(halves)]
}

#[test]
fn a_sheet_made_by_an_image_tool_packs_like_its_single_tiles() {
    let sheet = sheet_fixture("sheet.png", fixture("sheet.png"));
    assert!(sheet.check().is_empty(), "{:#?}", sheet.check());
    let from_sheet = sheet.ok();

    let mut tiles = Fixture::glyph(json!(8), palettes());
    let [a, b] = sheet_cells();
    tiles.add("tiles/a.png", a).add("tiles/b.png", b);
    let from_tiles = tiles.ok();

    assert_eq!(from_sheet.payload, from_tiles.payload, "same GLYPH payload");
    assert_eq!(from_sheet.derived["tile_count"], 2);
    // Not all zero: the red square really landed in cell 0 as index 1.
    assert!(from_sheet.payload.iter().any(|&b| b & 0x0f == 1));
}

#[test]
fn every_cell_is_a_tile_even_a_transparent_trailing_one() {
    let mut rgba = Vec::new();
    for y in 0..8u32 {
        for x in 0..24u32 {
            rgba.extend(if x < 8 && y == 0 { RED } else { CLEAR });
        }
    }
    let sheet = Image::new(24, 8, png::ColorType::Rgba, png::BitDepth::Eight, |x, y| {
        let at = ((y * 24 + x) * 4) as usize;
        u64::from_be_bytes([0, 0, 0, 0, rgba[at], rgba[at + 1], rgba[at + 2], rgba[at + 3]])
    });
    let built = sheet_fixture("sheet.png", sheet.encode()).ok();
    assert_eq!(built.derived["tile_count"], 3, "the two empty cells are tiles too");
}

#[test]
fn a_sheet_of_the_wrong_size_is_its_own_blocking_finding() {
    let file = "assets/hero/sheet.png";
    for (width, height, hint) in [(20, 8, "24×8"), (16, 12, "16×16"), (264, 8, "256×8")] {
        let image = Image::new(width, height, png::ColorType::Rgba, png::BitDepth::Eight, |_, _| 0);
        let found = sheet_fixture("sheet.png", image.encode()).err();
        expect_only(
            &found,
            Code::SheetDimensionsInvalid,
            file,
            &[&format!("{width}×{height}"), "multiple of `tile_size` (8)", "at most 256", hint],
        );
    }
}

#[test]
fn a_pixel_error_in_a_sheet_names_the_pixel_the_cell_and_the_colour() {
    let image = Image::new(16, 8, png::ColorType::Rgb, png::BitDepth::Eight, |x, y| {
        if (x, y) == (13, 2) { 0x123456 } else { 0xff0000 }
    });
    let found = sheet_fixture("sheet.png", image.encode()).err();
    expect_only(
        &found,
        Code::PixelColorUnmatched,
        "assets/hero/sheet.png",
        &["pixel (13, 2)", "sheet cell 1", "#123456"],
    );
}

/// The first frame of `layers.aseprite` with its visible layers (see `make_aseprite.py`).
fn first_frame(x: u32, y: u32) -> [u8; 4] {
    if x < 4 {
        RED
    } else if (5..7).contains(&x) && (5..7).contains(&y) {
        GREEN
    } else {
        CLEAR
    }
}

#[test]
fn an_aseprite_file_packs_to_its_first_frames_visible_layers() {
    let mut from_aseprite = Fixture::glyph(json!(8), palettes());
    from_aseprite.add("tiles/hero.aseprite", fixture("layers.aseprite"));
    let mut from_png = Fixture::glyph(json!(8), palettes());
    from_png.add("tiles/hero.png", tile(first_frame));
    assert_eq!(from_aseprite.ok().payload, from_png.ok().payload);

    // The hidden layer and the second frame are blue everywhere: had either
    // counted, the blue pixels would differ.
    let mut all_blue = Fixture::glyph(json!(8), palettes());
    all_blue.add("tiles/blue.png", tile(|_, _| BLUE));
    assert_ne!(from_aseprite.ok().payload, all_blue.ok().payload);
}

#[test]
fn an_aseprite_sheet_is_cut_like_a_png_sheet() {
    let mut sheet = sheet_fixture("hero.ase", fixture("layers.aseprite"));
    let mut metadata = sheet.decl.output.metadata.to_map();
    metadata.insert("tile_size".into(), json!(8));
    sheet.decl.output.metadata = prometeu_packer::JsonObject::from_map(&metadata);
    let built = sheet.ok();
    assert_eq!(built.derived["tile_count"], 1);
}

#[test]
fn a_corrupt_aseprite_file_is_a_blocking_finding_naming_it() {
    let mut bytes = fixture("layers.aseprite");
    bytes.truncate(200);
    let mut f = Fixture::glyph(json!(8), palettes());
    f.add("tiles/broken.aseprite", bytes);
    expect_only(
        &f.err(),
        Code::AsepriteDecodeFailed,
        "assets/hero/tiles/broken.aseprite",
        &["assets/hero/tiles/broken.aseprite", "Aseprite"],
    );

    let mut garbage = Fixture::glyph(json!(8), palettes());
    garbage.add("tiles/noise.ase", b"not an aseprite file at all, just text".to_vec());
    expect_only(&garbage.err(), Code::AsepriteDecodeFailed, "assets/hero/tiles/noise.ase", &["noise.ase"]);
}

fn parse(value: Value) -> prometeu_packer::Parsed {
    let bytes = serde_json::to_vec(&value).unwrap();
    parse_declaration(&bytes, AssetRef { asset_id: 7, root: "hero" }, DECLARATION_PATH)
}

fn sheet_declaration(inputs: Value) -> Value {
    json!({
        "$schema": "../.prometeu/asset.schema.json",
        "schema_version": 1, "asset_uuid": "u", "name": "hero", "type": "glyph_bank",
        "inputs": inputs,
        "output": { "format": "GLYPH/indexed_v1", "codec": "NONE", "metadata": { "tile_size": 8 },
                    "pipeline": { "palettes": palettes() } },
        "preload": { "enabled": false }
    })
}

#[test]
fn a_sheet_declaration_selects_its_one_image() {
    let parsed = parse(sheet_declaration(json!({ "sheet": ["art/sheet.png"] })));
    assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
    let decl = parsed.declaration.unwrap();
    assert!(decl.is_sheet());
    assert_eq!(decl.main_role(), "sheet");
    assert_eq!(decl.artifacts.len(), 1);
    assert_eq!(decl.artifacts[0].input, "art/sheet.png");
}

#[test]
fn a_sheet_with_tiles_or_several_images_is_refused() {
    let both = parse(sheet_declaration(json!({ "sheet": ["s.png"], "tiles": ["t.png"] })));
    assert!(both.diagnostics.iter().any(|d| d.code == Code::SheetInvalid && d.message.contains("`tiles` and `sheet`")));
    let two = parse(sheet_declaration(json!({ "sheet": ["a.png", "b.png"] })));
    assert!(two.diagnostics.iter().any(|d| d.code == Code::SheetInvalid && d.message.contains("lists 2 images")));
}

#[test]
fn a_misspelt_role_gets_a_did_you_mean() {
    let parsed = parse(sheet_declaration(json!({ "tile": ["a.png"] })));
    let missing = parsed.diagnostics.iter().find(|d| d.code == Code::MainRoleMissing).expect("main_role_missing");
    assert!(missing.message.contains("did you mean `tiles`?"), "{}", missing.message);
}

#[test]
fn a_misspelt_tile_size_gets_a_did_you_mean() {
    let mut declaration = sheet_declaration(json!({ "sheet": ["s.png"] }));
    declaration["output"]["metadata"] = json!({ "tilesize": 8 });
    let parsed = parse(declaration);
    let decl = parsed.declaration.expect("metadata is free-form, so the declaration reads");
    let found = prometeu_packer::check_declaration(&AssetRef { asset_id: 7, root: "hero" }, &decl);
    let tile_size = found.iter().find(|d| d.code == Code::TileSizeInvalid).expect("tile_size_invalid");
    assert!(tile_size.message.contains("`tilesize` is not read: did you mean `tile_size`?"), "{}", tile_size.message);
}

#[test]
fn an_aseprite_files_size_is_decided_from_its_header() {
    let mut bytes = fixture("layers.aseprite");
    // Width 16 in the header (bytes 8..10, little-endian), in an 8×8 bank.
    bytes[8..10].copy_from_slice(&16u16.to_le_bytes());
    let mut f = Fixture::glyph(json!(8), palettes());
    f.add("tiles/wide.aseprite", bytes);
    expect_only(&f.err(), Code::TileDimensionsMismatch, "assets/hero/tiles/wide.aseprite", &["16×8"]);
}
