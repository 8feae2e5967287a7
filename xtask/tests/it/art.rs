//! Art in = art out: glyph art made by an independent image tool
//! (ImageMagick: `PNG8:` indexed files with their own palettes, `PNG32:`
//! RGBA, 2-bit grayscale) and an Aseprite file, through `assets new` and
//! `play-prep`; `build/assets.pa` is then decoded here, without the tool's
//! code, and every pixel's packed colour is compared with what the source
//! file shows (decoded by another PNG decoder).

use std::process::Command;

use serde_json::Value;

use crate::support::{Project, RawPack, Xtask, decode_rgba, palette_rgb, sheet_index, starter};
use prometeu_test_support::repo_root;

/// ImageMagick's command line (`magick`, or the version 6 `convert`); the
/// stand-ins some machines put first on the PATH do not answer `-version` so.
fn magick() -> Command {
    for name in ["magick", "convert-im6.q16", "/usr/bin/convert", "convert"] {
        let answers = Command::new(name).arg("-version").output();
        if answers.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("ImageMagick")) {
            return Command::new(name);
        }
    }
    panic!(
        "ImageMagick is needed to make independent test art; .ci/run installs it (`apt-get install -y imagemagick`)"
    );
}

/// Runs ImageMagick with `args`, writing `out` under the project.
fn draw(p: &Project, args: &[&str], out: &str) -> String {
    let path = p.path.join(out);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let made = magick().args(args).arg(path.as_str()).output().unwrap();
    assert!(made.status.success(), "ImageMagick: {}", String::from_utf8_lossy(&made.stderr));
    path.to_string()
}

/// The art of the issue: two indexed tiles whose palettes disagree, an
/// indexed tile whose opaque background is its palette entry 0, an indexed
/// tile with real transparency, an RGBA tile, a 2-bit grayscale gradient and
/// an Aseprite file (red left half, a green 2×2 square, transparency).
fn mixed_art(p: &Project) -> Vec<String> {
    vec![
        draw(p, &["-size", "8x8", "xc:navy", "-fill", "lime", "-draw", "line 0,3 7,3"], "PNG8:art/navy.png"),
        draw(p, &["-size", "8x8", "xc:yellow", "-fill", "maroon", "-draw", "rectangle 2,2 5,5"], "PNG8:art/yellow.png"),
        draw(p, &["-size", "8x8", "xc:red", "-fill", "blue", "-draw", "point 1,1"], "PNG8:art/red.png"),
        draw(p, &["-size", "8x8", "xc:none", "-fill", "#ff8800", "-draw", "rectangle 2,2 5,5"], "PNG8:art/clear.png"),
        draw(p, &["-size", "8x8", "xc:none", "-fill", "#00ff00", "-draw", "rectangle 1,1 6,6"], "PNG32:art/rgba.png"),
        draw(
            p,
            &["-size", "8x8", "gradient:black-white", "-define", "png:bit-depth=2", "-define", "png:color-type=0"],
            "art/grey.png",
        ),
        {
            let path = p.path.join("art/sprite.aseprite");
            std::fs::copy(repo_root().join("packer/tests/fixtures/authoring/layers.aseprite"), &path).unwrap();
            path.to_string()
        },
    ]
}

/// What a source file shows, pixel by pixel, as 8-bit RGBA.
fn shown(file: &str) -> Vec<[u8; 4]> {
    if file.ends_with(".aseprite") {
        // The fixture's documented first frame (make_aseprite.py).
        return (0..64)
            .map(|i| match (i % 8, i / 8) {
                (x, _) if x < 4 => [255, 0, 0, 255],
                (5..=6, 5..=6) => [0, 255, 0, 255],
                _ => [0, 0, 0, 0],
            })
            .collect();
    }
    let (width, height, rgba) = decode_rgba(&std::fs::read(file).unwrap());
    assert_eq!((width, height), (8, 8), "{file}");
    rgba
}

fn rgb565_widened([r, g, b]: [u8; 3]) -> [u8; 3] {
    let (r, g, b) = (r >> 3, g >> 2, b >> 3);
    [(r << 3) | (r >> 2), (g << 2) | (g >> 4), (b << 3) | (b >> 2)]
}

fn hex([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Every pixel of tile `tile` of bank `name`, as packed, against `source`:
/// transparent pixels are index 0; opaque ones are another index whose
/// declared colour is the file's colour exactly, and whose RGB565 payload
/// colour is that colour's.
fn assert_tile_is_the_art(pack: &RawPack, declared: &[String], name: &str, tile: usize, source: &str) {
    let payload = pack.payload(name);
    let (left, top) = ((tile % 32) * 8, (tile / 32) * 8);
    for (i, [r, g, b, a]) in shown(source).into_iter().enumerate() {
        let (x, y) = (i % 8, i / 8);
        let index = sheet_index(payload, left + x, top + y);
        let at = format!("{name} tile {tile} ({source}) pixel ({x}, {y})");
        if a == 0 {
            assert_eq!(index, 0, "{at}: transparent in the file");
            continue;
        }
        assert_ne!(index, 0, "{at}: opaque {} must not land on index 0", hex([r, g, b]));
        assert_eq!(declared[usize::from(index)], hex([r, g, b]), "{at}: declared colour");
        assert_eq!(palette_rgb(payload, 0, usize::from(index)), rgb565_widened([r, g, b]), "{at}: packed colour");
    }
}

fn declared_colors(p: &Project, root: &str) -> (Vec<String>, Value) {
    let decl: Value = serde_json::from_slice(&p.read(&format!("assets/{root}/asset.json"))).unwrap();
    let colors = decl["output"]["pipeline"]["palettes"][0]["palette"]["colors"].as_array().unwrap();
    (colors.iter().map(|c| c.as_str().unwrap().to_owned()).collect(), decl)
}

/// Every diagnostic of a `validate` result: the workspace's and each asset's.
fn findings(result: &Value) -> Vec<Value> {
    let validation = &result["validation"];
    let assets = validation["assets"].as_array().unwrap().iter();
    let of_assets = assets.flat_map(|a| a["diagnostics"].as_array().unwrap().clone());
    validation["workspace"].as_array().unwrap().iter().cloned().chain(of_assets).collect()
}

fn new_bank(p: &Project, root: &str, files: &[String]) -> crate::support::Run {
    let mut args = vec!["assets", "new", "glyph_bank", root, "--tile-size", "8"];
    args.extend(files.iter().map(String::as_str));
    p.run_json(&args)
}

#[test]
fn indexed_rgba_grey_and_aseprite_art_packs_in_the_artists_colours_in_either_order() {
    let p = starter();
    let files = mixed_art(&p);
    let reversed: Vec<String> = files.iter().rev().cloned().collect();
    for (root, order) in [("mixed", &files), ("mixed_rev", &reversed)] {
        let run = new_bank(&p, root, order);
        assert_eq!(run.code, 0, "{root}: {:#?} {}", run.lines, run.stderr);
        let copies = run.result()["copied_as_indexed"].as_array().unwrap().len();
        assert!(copies >= 2, "{root}: the disagreeing indexed files are held as the bank's copies ({copies})");
    }
    let validate = p.run_json(&["validate"]);
    assert_eq!(validate.code, 0, "{}", validate.stderr);
    let found = findings(validate.result());
    assert!(found.is_empty(), "0 warnings: {found:#?}");
    let prep = p.run_json(&["play-prep"]);
    assert_eq!(prep.code, 0, "{}", prep.stderr);

    let pack = RawPack::read(&p.path.join("build/assets.pa"));
    for (root, order) in [("mixed", &files), ("mixed_rev", &reversed)] {
        let (declared, decl) = declared_colors(&p, root);
        assert!(declared.len() <= 16, "{declared:?}");
        let opaque: std::collections::BTreeSet<String> =
            order.iter().flat_map(|f| shown(f)).filter(|px| px[3] != 0).map(|[r, g, b, _]| hex([r, g, b])).collect();
        assert!(!opaque.contains(&declared[0]), "{root}: index 0's colour is one no opaque pixel has");
        for (tile, source) in order.iter().enumerate() {
            assert_tile_is_the_art(&pack, &declared, root, tile, source);
        }
        assert_eq!(decl["inputs"]["tiles"].as_array().unwrap().len(), order.len());
        // Unused cells stay index 0.
        let payload = pack.payload(root);
        assert!((64..256).all(|x| (0..8).all(|y| sheet_index(payload, x, y) == 0)), "{root}: unused cells are empty");
    }
}

#[test]
fn the_same_art_gives_the_same_bank_byte_for_byte() {
    let p = starter();
    let files = mixed_art(&p);
    for root in ["one", "two"] {
        assert_eq!(new_bank(&p, root, &files).code, 0);
    }
    let (one, two) = (p.tree("assets/one"), p.tree("assets/two"));
    assert_eq!(one.keys().collect::<Vec<_>>(), two.keys().collect::<Vec<_>>());
    for (file, bytes) in &one {
        if file != "asset.json" {
            assert_eq!(bytes, &two[file], "{file}");
        }
    }
    assert_eq!(declared_colors(&p, "one").0, declared_colors(&p, "two").0);
}

#[test]
fn a_palette_file_checks_indexed_art_by_colour_and_lists_what_does_not_fit() {
    let p = starter();
    let navy = draw(&p, &["-size", "8x8", "xc:navy", "-fill", "lime", "-draw", "line 0,3 7,3"], "PNG8:art/navy.png");
    let yellow = draw(
        &p,
        &["-size", "8x8", "xc:yellow", "-fill", "maroon", "-draw", "rectangle 2,2 5,5"],
        "PNG8:art/yellow.png",
    );
    // Every colour, in an order neither file has; entry 0 is transparency.
    p.write("art/all.hex", "#010203\n#800000\n#ffff00\n#00ff00\n#000080\n");
    let palette = p.path.join("art/all.hex").to_string();
    let run =
        p.run_json(&["assets", "new", "glyph_bank", "fit", "--tile-size", "8", "--palette", &palette, &navy, &yellow]);
    assert_eq!(run.code, 0, "{:#?} {}", run.lines, run.stderr);
    assert_eq!(p.run_json(&["play-prep"]).code, 0);
    let pack = RawPack::read(&p.path.join("build/assets.pa"));
    let (declared, _) = declared_colors(&p, "fit");
    assert_eq!(declared, ["#010203", "#800000", "#ffff00", "#00ff00", "#000080"]);
    assert_tile_is_the_art(&pack, &declared, "fit", 0, &navy);
    assert_tile_is_the_art(&pack, &declared, "fit", 1, &yellow);

    // Without maroon, every maroon pixel is listed, and nothing is written.
    p.write("art/short.hex", "#010203\n#ffff00\n#00ff00\n#000080\n");
    let short = p.path.join("art/short.hex").to_string();
    let before = p.tree("assets");
    let run =
        p.run_json(&["assets", "new", "glyph_bank", "short", "--tile-size", "8", "--palette", &short, &navy, &yellow]);
    assert_eq!(run.code, 1);
    let error = run.result()["error"].as_str().unwrap();
    assert!(error.starts_with("colour mismatch: 16 pixels"), "{error}");
    assert!(error.contains("pixel (2, 2) of") && error.contains("#800000"), "{error}");
    assert_eq!(p.tree("assets"), before);
}

#[test]
fn an_indexed_tile_that_disagrees_with_an_existing_bank_is_refused_by_the_gate() {
    let p = starter();
    // The starter's hero bank: palette 0 has #000000, #f8f8f8, #d82800, …
    let yellow =
        draw(&p, &["-size", "16x16", "xc:yellow", "-fill", "maroon", "-draw", "rectangle 2,2 5,5"], "PNG8:art/y.png");
    std::fs::copy(&yellow, p.path.join("assets/hero/tiles/wall.png")).unwrap();
    let run = p.run_json(&["validate"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = findings(run.result());
    let finding = found.iter().find(|d| d["code"] == "indexed_color_mismatch").unwrap_or_else(|| panic!("{found:#?}"));
    let message = finding["message"].as_str().unwrap();
    assert_eq!(finding["file"], "assets/hero/tiles/wall.png");
    assert!(message.starts_with("colour mismatch: pixel ("), "{message}");
    assert!(message.contains("#800000") || message.contains("#ffff00"), "{message}");
    assert_eq!(p.run_json(&["play-prep"]).code, 1, "the pack is blocked");
}

/// A 128×64 sheet (8 × 4 cells of 16) drawn by ImageMagick: transparency,
/// and four colours in rectangles that cross cell borders.
fn wide_sheet(p: &Project) -> String {
    let draws = ["#ff0000:rectangle 0,0 40,20", "#00ff00:rectangle 60,10 127,30", "#0000ff:rectangle 5,40 70,63"];
    let mut args = vec!["-size".to_owned(), "128x64".to_owned(), "xc:none".to_owned()];
    for spec in draws {
        let (color, shape) = spec.split_once(':').unwrap();
        args.extend(["-fill".to_owned(), color.to_owned(), "-draw".to_owned(), shape.to_owned()]);
    }
    args.extend(["-fill".to_owned(), "#ffff00".to_owned(), "-draw".to_owned(), "point 127,63".to_owned()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    draw(p, &args, "PNG32:art/wide.png")
}

#[test]
fn a_sheet_previews_in_the_artists_layout_magnified_with_transparency() {
    let p = starter();
    let sheet = wide_sheet(&p);
    let run = p.run_json(&["assets", "new", "glyph_bank", "ui", "--tile-size", "16", "--sheet", &sheet]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(p.run_json(&["play-prep"]).code, 0);
    let scale = 3;
    let preview = p.run_json(&["preview", "--asset", "ui", "--scale", &scale.to_string()]);
    assert_eq!(preview.code, 0, "{}", preview.stderr);

    let pack = RawPack::read(&p.path.join("build/assets.pa"));
    let payload = pack.payload("ui");
    let source = decode_rgba(&std::fs::read(&sheet).unwrap()).2;
    let (width, height, drawn) = decode_rgba(&p.read("build/preview/ui/sheet.png"));
    assert_eq!((width, height), (128 * scale, (64 + 16) * scale), "the artist's 128×64, then the swatches");
    for y in 0..height {
        for x in 0..width {
            let (sx, sy) = (x / scale, y / scale);
            let seen = drawn[y * width + x];
            if sy >= 64 {
                // Swatch strip: 16-pixel squares, colour 0 transparent.
                let color = sx / 16;
                let want = if color == 0 { None } else { Some(palette_rgb(payload, 0, color)) };
                assert_eq!((seen[3] == 255).then(|| [seen[0], seen[1], seen[2]]), want, "swatch pixel ({x}, {y})");
                continue;
            }
            // Cell (column, row) of the artist's 8-wide sheet is packed cell row * 8 + column.
            let cell = (sy / 16) * 8 + sx / 16;
            let index = sheet_index(payload, (cell % 16) * 16 + sx % 16, (cell / 16) * 16 + sy % 16);
            let [r, g, b, a] = source[sy * 128 + sx];
            let at = format!("preview pixel ({x}, {y}) = sheet ({sx}, {sy})");
            if a == 0 {
                assert_eq!((index, seen[3]), (0, 0), "{at}: transparent");
            } else {
                assert_eq!(seen, [r, g, b, 255], "{at}: the artist's colour (exact in RGB565)");
                assert_eq!([r, g, b], palette_rgb(payload, 0, usize::from(index)), "{at}: through the packed palette");
            }
        }
    }
}

#[test]
fn a_preview_of_one_asset_leaves_the_other_previews_alone() {
    let p = starter();
    assert_eq!(p.run_json(&["play-prep"]).code, 0);
    assert_eq!(p.run_json(&["preview"]).code, 0);
    let sound = p.tree("build/preview/sfx");
    assert!(!sound.is_empty());
    p.write("build/preview/sfx/notes.txt", "mine");
    let run = p.run_json(&["preview", "--asset", "hero", "--scale", "2"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(String::from_utf8(p.read("build/preview/sfx/notes.txt")).unwrap(), "mine");
    let mut after = p.tree("build/preview/sfx");
    after.remove("notes.txt");
    assert_eq!(after, sound, "the sound bank's previews are untouched");
    let (width, height, _) = decode_rgba(&p.read("build/preview/hero/sheet.png"));
    assert_eq!((width, height), (512, 544), "hero redrawn at scale 2");
}
