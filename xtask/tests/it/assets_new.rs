//! `assets new` and `assets show` through the real binary: assets made from
//! real PNG, sheet, Aseprite and WAV files validate and pack; a palette that
//! cannot hold the colours writes nothing; killing the command at any point
//! leaves neither a registered root without its `asset.json` nor a leftover
//! that blocks the next `assets new`.

use std::process::Stdio;
use std::time::Duration;

use prometeu_test_support::{noise, png_rgba, repo_root, wav_i16};
use serde_json::Value;

use crate::support::{Project, Watched, Xtask, starter};

const RED: [u8; 4] = [255, 0, 0, 255];
const GREEN: [u8; 4] = [0, 200, 0, 255];
const BLUE: [u8; 4] = [0, 0, 255, 255];
const CLEAR: [u8; 4] = [0, 0, 0, 0];

/// A 16×16 tile PNG whose pixel (x, y) is `pixel(x, y)`.
fn tile(pixel: impl Fn(u32, u32) -> [u8; 4]) -> Vec<u8> {
    let mut rgba = Vec::new();
    for y in 0..16 {
        for x in 0..16 {
            rgba.extend(pixel(x, y));
        }
    }
    png_rgba(16, &rgba)
}

/// Two tiles with red, green and blue on transparency; green appears
/// before red in scan order of the first tile.
fn three_color_tiles(p: &Project) -> Vec<String> {
    p.write(
        "art/a.png",
        tile(|x, y| {
            if y == 0 {
                CLEAR
            } else if x < 8 {
                GREEN
            } else {
                RED
            }
        }),
    );
    p.write("art/b.png", tile(|x, _| if x % 2 == 0 { BLUE } else { RED }));
    vec![p.path.join("art/a.png").to_string(), p.path.join("art/b.png").to_string()]
}

fn new_asset(p: &Project, args: &[&str]) -> crate::support::Run {
    let mut all = vec!["assets", "new"];
    all.extend(args);
    p.run_json(&all)
}

fn schema_errors(declaration: &Value) -> Vec<String> {
    let schema: Value =
        serde_json::from_slice(&std::fs::read(repo_root().join("docs/schemas/asset.schema.json")).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    validator.iter_errors(declaration).map(|e| e.to_string()).collect()
}

fn declaration(p: &Project, root: &str) -> Value {
    serde_json::from_slice(&p.read(&format!("assets/{root}/asset.json"))).unwrap()
}

fn registered(p: &Project) -> Vec<Value> {
    let registry: Value = serde_json::from_slice(&p.read("assets/.prometeu/index.json")).unwrap();
    registry["assets"].as_array().unwrap().clone()
}

fn assert_validates_and_packs(p: &Project) {
    let run = p.run_json(&["validate"]);
    assert_eq!(run.code, 0, "{:#?}", run.lines);
    let run = p.run_json(&["pack"]);
    assert_eq!(run.code, 0, "{:#?}", run.lines);
}

#[test]
fn a_glyph_bank_from_three_colour_pngs_validates_and_packs() {
    let p = starter();
    let files = three_color_tiles(&p);
    let mut args = vec!["glyph_bank", "props", "--tile-size", "16", "--preload", "3"];
    args.extend(files.iter().map(String::as_str));
    let run = new_asset(&p, &args);
    assert_eq!(run.code, 0, "{:#?} {}", run.lines, run.stderr);

    let decl = declaration(&p, "props");
    assert_eq!(schema_errors(&decl), Vec::<String>::new());
    assert_eq!(decl["$schema"], "../.prometeu/asset.schema.json");
    assert!(p.exists("assets/.prometeu/asset.schema.json"));
    let uuid = decl["asset_uuid"].as_str().unwrap();
    assert_eq!(uuid.len(), 36);
    assert_eq!(&uuid[14..15], "4", "a version 4 uuid: {uuid}");
    // Transparency first, then green, red, blue as they first appear.
    let colors = &decl["output"]["pipeline"]["palettes"][0]["palette"]["colors"];
    assert_eq!(colors, &serde_json::json!(["#000000", "#00c800", "#ff0000", "#0000ff"]));
    assert_eq!(decl["inputs"]["tiles"], serde_json::json!(["tiles/a.png", "tiles/b.png"]));
    assert_eq!(decl["preload"], serde_json::json!({"enabled": true, "slot": 3}));
    assert!(p.exists("assets/props/tiles/a.png"));
    assert!(!p.exists("assets/.prometeu/new"), "nothing left in staging");

    let entry = registered(&p).into_iter().find(|e| e["root"] == "props").expect("registered");
    assert_eq!(entry["asset_uuid"], uuid);
    assert_eq!(run.result()["entry"]["asset_id"], entry["asset_id"]);
    assert_validates_and_packs(&p);

    let shown = p.run_json(&["assets", "show", "props"]);
    assert_eq!(shown.code, 0, "{:#?}", shown.lines);
    let asset = &shown.result()["asset"];
    assert_eq!(asset["family"], "glyph_bank");
    assert_eq!(asset["main_role"], "tiles");
    assert_eq!(asset["metadata"]["tile_count"], 2);
    assert_eq!(asset["size"], prometeu_packer::GLYPH_PAYLOAD_BYTES as u64);
    assert_eq!(asset["preload_slot"], 3);
}

#[test]
fn assets_show_prints_its_data_on_stdout() {
    let p = starter();
    let out = p.xtask(&["assets", "show", "sfx"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("type          sound_bank"), "{stdout}");
    assert!(stdout.contains("artifact    1  assets/sfx/coin.wav"), "{stdout}");
    assert!(stdout.contains("loop 0..3000"), "{stdout}");
    assert!(stdout.contains("bytes in assets.pa"), "{stdout}");
    // As JSON, each artifact with its keys; `loop` only where one is declared.
    let shown = p.run_json(&["assets", "show", "sfx"]);
    assert_eq!(
        shown.result()["asset"]["artifacts"],
        serde_json::json!([
            {"index": 0, "input": "jump.wav", "path": "assets/sfx/jump.wav", "size": 10044},
            {"index": 1, "input": "coin.wav", "path": "assets/sfx/coin.wav", "size": 6044, "loop": {"start": 0, "end": 3000}},
        ])
    );

    let out = p.xtask(&["assets", "show", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr).unwrap().contains("`nope` is not a registered root"));
    // A typo of a registered root gets a did-you-mean, in show and in the registry commands.
    for args in [["assets", "show", "hro"], ["assets", "include", "hreo"]] {
        let out = p.xtask(&args).output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("did you mean `hero`?"), "{args:?}: {stderr}");
    }
}

#[test]
fn sixteen_opaque_colours_exit_1_and_write_nothing() {
    let p = starter();
    // 16 opaque colours: with index 0 kept for transparency, the 16th
    // (first seen at (15, 0)) is one too many.
    let shade = |x: u32, y: u32| [(y * 16 + x) as u8 * 15, 40, 90, 255];
    p.write("art/many.png", tile(move |x, y| if y * 16 + x < 16 { shade(x, y) } else { shade(0, 0) }));
    let before = p.tree("assets");
    let file = p.path.join("art/many.png").to_string();
    let run = new_asset(&p, &["glyph_bank", "many", "--tile-size", "16", &file]);
    assert_eq!(run.code, 1, "{:#?}", run.lines);
    let error = run.result()["error"].as_str().unwrap().to_owned();
    assert!(error.starts_with("too many colours: the images use 16 opaque colours"), "{error}");
    assert!(error.contains("pixel (15, 0)"), "{error}");
    assert!(error.contains("nothing was written"), "{error}");
    assert_eq!(p.tree("assets"), before, "nothing written");
}

#[test]
fn a_palette_file_fixes_the_palette_and_every_stray_pixel_is_listed() {
    let p = starter();
    let files = three_color_tiles(&p);
    p.write("art/two.hex", "000000\nff0000\n#0000ff\n");
    let before = p.tree("assets");
    let mut args = vec!["glyph_bank", "props", "--tile-size", "16", "--palette"];
    let hex = p.path.join("art/two.hex").to_string();
    args.push(&hex);
    args.extend(files.iter().map(String::as_str));
    let run = new_asset(&p, &args);
    assert_eq!(run.code, 1);
    let error = run.result()["error"].as_str().unwrap().to_owned();
    // Tile a: green at x 0..8 of rows 1..16 = 120 pixels; 20 listed, then a count.
    assert!(error.contains("pixel (0, 1) of ") && error.contains("colour #00c800"), "{error}");
    assert!(error.contains("… and 100 more such pixels"), "{error}");
    assert_eq!(p.tree("assets"), before);

    p.write("art/all.gpl", "GIMP Palette\nName: test\n# comment\n0 0 0 clear\n0 200 0 green\n255 0 0\n0 0 255\n");
    let gpl = p.path.join("art/all.gpl").to_string();
    args[5] = &gpl;
    let run = new_asset(&p, &args);
    assert_eq!(run.code, 0, "{:#?}", run.lines);
    let colors = &declaration(&p, "props")["output"]["pipeline"]["palettes"][0]["palette"]["colors"];
    assert_eq!(colors, &serde_json::json!(["#000000", "#00c800", "#ff0000", "#0000ff"]));
    assert_validates_and_packs(&p);
}

#[test]
fn a_sheet_made_by_an_image_tool_becomes_a_bank() {
    let p = starter();
    let sheet = repo_root().join("packer/tests/fixtures/authoring/sheet.png").to_string();
    let run = new_asset(&p, &["glyph_bank", "ui/icons", "--tile-size", "8", "--sheet", &sheet]);
    assert_eq!(run.code, 0, "{:#?} {}", run.lines, run.stderr);
    let decl = declaration(&p, "ui/icons");
    assert_eq!(decl["$schema"], "../../.prometeu/asset.schema.json");
    assert_eq!(decl["inputs"]["sheet"], serde_json::json!(["sheet.png"]));
    assert_eq!(decl["name"], "icons");
    assert_eq!(schema_errors(&decl), Vec::<String>::new());
    assert_validates_and_packs(&p);
    let shown = p.run_json(&["assets", "show", "ui/icons"]);
    assert_eq!(shown.result()["asset"]["main_role"], "sheet");
    assert_eq!(shown.result()["asset"]["metadata"]["tile_count"], 2);
}

#[test]
fn an_aseprite_file_in_place_becomes_a_bank() {
    let p = starter();
    p.write(
        "assets/hero2/art/hero.aseprite",
        std::fs::read(repo_root().join("packer/tests/fixtures/authoring/layers.aseprite")).unwrap(),
    );
    let file = p.path.join("assets/hero2/art/hero.aseprite").to_string();
    let run = new_asset(&p, &["glyph_bank", "hero2", "--tile-size", "8", "--in-place", &file]);
    assert_eq!(run.code, 0, "{:#?} {}", run.lines, run.stderr);
    let decl = declaration(&p, "hero2");
    assert_eq!(decl["inputs"]["tiles"], serde_json::json!(["art/hero.aseprite"]));
    // The sprite's palette order: clear, red, green (blue is unused in the first frame).
    let colors = &decl["output"]["pipeline"]["palettes"][0]["palette"]["colors"];
    assert_eq!(colors, &serde_json::json!(["#000000", "#ff0000", "#00ff00"]));
    assert_validates_and_packs(&p);
}

#[test]
fn a_sound_bank_from_wav_files_registers_and_packs() {
    let p = starter();
    p.write("sfx/step.wav", wav_i16(22050, 1, &noise(1, 500)));
    p.write("sfx/hit.wav", wav_i16(22050, 1, &noise(2, 800)));
    let (a, b) = (p.path.join("sfx/step.wav").to_string(), p.path.join("sfx/hit.wav").to_string());
    let run = new_asset(&p, &["sound_bank", "steps", &a, &b]);
    assert_eq!(run.code, 0, "{:#?} {}", run.lines, run.stderr);
    let decl = declaration(&p, "steps");
    assert_eq!(decl["inputs"]["samples"], serde_json::json!(["step.wav", "hit.wav"]));
    assert_eq!(schema_errors(&decl), Vec::<String>::new());
    assert_validates_and_packs(&p);
}

#[test]
fn a_name_or_preload_slot_taken_in_the_build_is_settled_before_writing() {
    let p = starter();
    let files = three_color_tiles(&p);
    // `ui/hero` would be named `hero`, which the starter's glyph bank is.
    let run = new_asset(&p, &["glyph_bank", "ui/hero", "--tile-size", "16", &files[0]]);
    assert_eq!(run.code, 0, "{:#?}", run.lines);
    assert_eq!(declaration(&p, "ui/hero")["name"], "hero_2");

    // The starter's `hero` preloads glyph slot 0.
    let before = p.tree("assets");
    let run = new_asset(&p, &["glyph_bank", "more", "--tile-size", "16", "--preload", "0", &files[0]]);
    assert_eq!(run.code, 1);
    let error = run.result()["error"].as_str().unwrap().to_owned();
    assert!(error.contains("preload slot 0 is taken by `hero` (assets/hero)"), "{error}");
    assert_eq!(p.tree("assets"), before);
    assert_validates_and_packs(&p);
}

#[test]
fn an_existing_root_is_refused_without_writing() {
    let p = starter();
    let files = three_color_tiles(&p);
    let before = p.tree("assets");
    let run = new_asset(&p, &["glyph_bank", "hero", "--tile-size", "16", &files[0]]);
    assert_eq!(run.code, 1);
    assert!(run.result()["error"].as_str().unwrap().contains("already registered"));
    assert_eq!(p.tree("assets"), before);
}

// ---------------------------------------------------------------------------
// Crashes

/// Every registry entry has its `asset.json`; nothing but intents and
/// staged directories may be left in staging.
#[test]
fn a_root_reached_through_a_link_is_refused_and_nothing_outside_is_written() {
    let p = starter();
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), p.path.join("assets/chars")).unwrap();
    let files = three_color_tiles(&p);
    let mut args = vec!["glyph_bank", "chars/hero2", "--tile-size", "16"];
    args.extend(files.iter().map(String::as_str));
    let run = new_asset(&p, &args);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("assets/chars") && run.stderr.contains("symbolic link"), "{}", run.stderr);
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0, "nothing written outside the project");
    assert!(registered(&p).iter().all(|e| e["root"] != "chars/hero2"));
}

fn assert_consistent(p: &Project, context: &str) {
    for entry in registered(p) {
        let root = entry["root"].as_str().unwrap();
        assert!(p.exists(&format!("assets/{root}/asset.json")), "{context}: `{root}` registered without asset.json");
    }
}

/// What the run after a crash found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Found {
    /// The killed run had registered the asset: it is complete.
    Committed,
    /// The killed run left a leftover, which the rerun settled.
    Recovered,
    /// The killed run had written nothing.
    Nothing,
}

/// After a crash: the next `assets new` of the same root succeeds, unless the
/// crashed one had already registered it (then the asset is complete).
fn rerun_settles(p: &Project, files: &[String], context: &str) -> Found {
    assert_consistent(p, context);
    let committed = registered(p).iter().any(|e| e["root"] == "props");
    let mut args = vec!["glyph_bank", "props", "--tile-size", "16"];
    args.extend(files.iter().map(String::as_str));
    let run = new_asset(p, &args);
    let recovered =
        run.lines.iter().any(|l| l["type"] == "notice" && l["message"].as_str().unwrap().starts_with("recovered:"));
    if committed {
        assert_eq!(run.code, 1, "{context}");
        assert!(run.result()["error"].as_str().unwrap().contains("already registered"), "{context}");
        let run = p.run_json(&["validate"]);
        assert_eq!(run.code, 0, "{context}: {:#?}", run.lines);
    } else {
        assert_eq!(run.code, 0, "{context}: a leftover blocked the rerun: {:#?} {}", run.lines, run.stderr);
    }
    assert!(!p.exists("assets/.prometeu/new"), "{context}: staging left behind");
    assert_consistent(p, context);
    match (committed, recovered) {
        (true, _) => Found::Committed,
        (false, true) => Found::Recovered,
        (false, false) => Found::Nothing,
    }
}

fn forget_props(p: &Project) {
    if registered(p).iter().any(|e| e["root"] == "props") {
        assert_eq!(p.run_json(&["assets", "forget", "props"]).code, 0);
    }
    let _ = std::fs::remove_dir_all(p.path.join("assets/props"));
}

#[test]
fn a_kill_at_each_test_point_leaves_nothing_that_blocks_a_rerun() {
    let p = starter();
    let files = three_color_tiles(&p);
    for point in ["new.staged", "new.intent", "new.placed", "new.registered"] {
        let mut args = vec!["assets", "new", "glyph_bank", "props", "--tile-size", "16"];
        args.extend(files.iter().map(String::as_str));
        let mut cmd = p.xtask(&args);
        cmd.env(prometeu_packer::TESTPOINT_ENV, format!("{point}=pause"));
        let mut watched = Watched::start(cmd);
        watched.until(&format!("testpoint {point}: paused"));
        watched.kill();
        let found = rerun_settles(&p, &files, point);
        let expected = if point == "new.registered" { Found::Committed } else { Found::Recovered };
        assert_eq!(found, expected, "{point}");
        forget_props(&p);
    }
}

/// Kills `assets new` after random delays. `PROMETEU_NEW_CRASH_RUNS` sets
/// the number of runs (20 by default; set it high for a soak).
#[test]
fn random_kills_of_assets_new_never_leave_a_half_made_asset() {
    let runs: usize = std::env::var("PROMETEU_NEW_CRASH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let p = starter();
    let files = three_color_tiles(&p);
    let mut args = vec!["assets", "new", "glyph_bank", "props", "--tile-size", "16"];
    args.extend(files.iter().map(String::as_str));
    let started = std::time::Instant::now();
    assert_eq!(p.xtask(&args).stdout(Stdio::null()).stderr(Stdio::null()).status().unwrap().code(), Some(0));
    let full = started.elapsed().as_micros() as u64;
    forget_props(&p);

    let mut seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    eprintln!("assets new crash campaign: {runs} runs, one run takes {full} µs, seed {seed}");
    let mut seen = std::collections::BTreeMap::<Found, usize>::new();
    for run in 0..runs {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = Duration::from_micros(seed % (full + full / 4 + 1));
        let mut child = p.xtask(&args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        child.wait().unwrap();
        let found = rerun_settles(&p, &files, &format!("run {run}, killed after {delay:?}"));
        *seen.entry(found).or_default() += 1;
        forget_props(&p);
    }
    eprintln!("assets new crash campaign: {seen:?}");
}

#[test]
fn a_refused_input_is_named_as_given_and_reported_once() {
    let p = starter();
    p.write("art/broken.wav", b"RIFF\x04\x00\x00\x00WAVEnot a wav");
    let given = p.path.join("art/broken.wav").to_string();
    let out = p.xtask(&["assets", "new", "sound_bank", "noise", &given]).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("assets/noise/"), "no path that was never created: {stderr}");
    assert_eq!(stderr.matches(&format!("{given} could not be decoded")).count(), 1, "once: {stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(!p.exists("assets/noise"));

    // A glyph error's first words say what went wrong.
    p.write("art/big.png", png_rgba(9, &[255; 9 * 9 * 4]));
    let big = p.path.join("art/big.png").to_string();
    let run = new_asset(&p, &["glyph_bank", "big", "--tile-size", "8", &big]);
    assert_eq!(run.code, 1);
    let error = run.result()["error"].as_str().unwrap();
    assert!(error.starts_with("wrong size: "), "{error}");
}
