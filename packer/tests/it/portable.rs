//! A project as other systems write and name it: text with a byte-order
//! mark and CRLF line endings reads as it does without them, and names a
//! Windows or macOS checkout cannot hold are found the same way by
//! `validate`, `summary` and the pack gate.

use std::collections::BTreeSet;

use prometeu_packer::{
    Code, Diagnostic, PackOptions, Quiet, Status, Wait, acquire_lane, gate_live, pack_workspace, parse_declaration,
    parse_palette_file, parse_registry, summary, validate,
};
use prometeu_test_support::{Project, png_indexed, sample_project};

const BOM: &str = "\u{feff}";
const COLORS: [&str; 2] = ["#000000", "#ffffff"];
const PLTE: [u8; 6] = [0, 0, 0, 255, 255, 255];

/// `text` as an editor on another system may save it.
fn windows_text(text: &str, bom: bool) -> String {
    format!("{}{}", if bom { BOM } else { "" }, text.replace('\n', "\r\n"))
}

fn tile() -> Vec<u8> {
    png_indexed(8, &[1; 64], &PLTE)
}

fn portability(diagnostics: &[Diagnostic]) -> Vec<Diagnostic> {
    let codes = [Code::PathCaseTwin, Code::PathReservedName, Code::PathCharacterInvalid];
    diagnostics.iter().filter(|d| codes.contains(&d.code)).cloned().collect()
}

#[test]
fn a_palette_file_with_a_byte_order_mark_and_crlf_reads_as_without() {
    let gpl = "GIMP Palette\nName: test\n# comment\n0 0 0 clear\n0 200 0\n255 0 0\n";
    let hex = "000000\n#00c800\nff0000\n";
    for (name, text) in [("p.gpl", gpl), ("p.hex", hex)] {
        let plain = parse_palette_file(name, text.as_bytes()).unwrap();
        assert_eq!(plain, ["#000000", "#00c800", "#ff0000"], "{name}");
        for bom in [false, true] {
            let other = windows_text(text, bom);
            assert_eq!(parse_palette_file(name, other.as_bytes()).unwrap(), plain, "{name}, mark {bom}");
        }
    }
}

/// A mark is not a column: a syntax error is at the same line and column
/// with it or without it, in the registry and in `asset.json`.
#[test]
fn a_byte_order_mark_does_not_move_json_positions() {
    let broken = "{\n  \"schema_version\": 1,\n  \"assets\": [,]\n}\n";
    let at = |d: &Diagnostic| (d.code, d.line, d.column);
    let plain: Vec<_> = parse_registry(broken.as_bytes()).diagnostics.iter().map(at).collect();
    assert_eq!(plain, [(Code::RegistryInvalidJson, Some(3), Some(14))]);
    let marked: Vec<_> = parse_registry(format!("{BOM}{broken}").as_bytes()).diagnostics.iter().map(at).collect();
    assert_eq!(marked, plain);

    let asset = prometeu_packer::AssetRef { asset_id: 1, root: "hero" };
    let file = "assets/hero/asset.json";
    let plain: Vec<_> = parse_declaration(broken.as_bytes(), asset, file).diagnostics.iter().map(at).collect();
    assert_eq!(plain, [(Code::DeclarationInvalidJson, Some(3), Some(14))]);
    let marked = format!("{BOM}{broken}");
    let marked: Vec<_> = parse_declaration(marked.as_bytes(), asset, file).diagnostics.iter().map(at).collect();
    assert_eq!(marked, plain);
}

/// Rewrites the sample's registry and every `asset.json` as `windows_text`.
fn rewrite_text(p: &Project, bom: bool) {
    for rel in [
        "assets/.prometeu/index.json",
        "assets/hero/asset.json",
        "assets/font/asset.json",
        "assets/sfx/jump/asset.json",
        "assets/music/asset.json",
    ] {
        let text = String::from_utf8(p.read(rel)).unwrap();
        assert!(!text.contains('\r') && !text.starts_with(BOM), "{rel} starts as LF without a mark");
        p.write(rel, windows_text(&text, bom));
    }
}

#[test]
fn byte_order_marks_and_crlf_pack_byte_identically() {
    let pack = |p: &Project| {
        let lane = acquire_lane(&p.path, Wait::NoWait).unwrap();
        let result = pack_workspace(&lane, &PackOptions::default(), &mut Quiet).result;
        assert_eq!(result.status, Status::Success, "{result:#?}");
        assert!(result.diagnostics.is_empty(), "{:#?}", result.diagnostics);
        p.tree("build")
    };
    let lf = pack(&sample_project());
    for bom in [false, true] {
        let p = sample_project();
        rewrite_text(&p, bom);
        assert!(validate(&p.path, None).passed, "mark {bom}");
        assert_eq!(pack(&p), lf, "mark {bom}: build/ differs from the LF project's");
    }
}

/// Case twins (files, and roots `Hero`/`hero`), a reserved device name and
/// a `:`: each blocks, each names its files, and `validate`, `summary` and
/// the pack gate find exactly the same.
#[test]
fn names_another_checkout_cannot_hold_are_found_alike_everywhere() {
    let mut p = Project::new();
    p.glyph_bank("twins", "twins", 8, &[("rgba.png", tile()), ("RGBA.png", tile())], &COLORS, None);
    p.glyph_bank("reserved", "reserved", 8, &[("aux.png", tile())], &COLORS, None);
    p.glyph_bank("colon", "colon", 8, &[("a:b.png", tile())], &COLORS, None);
    p.glyph_bank("Hero", "hero_upper", 8, &[("a.png", tile())], &COLORS, None);
    p.glyph_bank("hero", "hero_lower", 8, &[("a.png", tile())], &COLORS, None);
    p.glyph_bank("fine", "fine", 8, &[("a.png", tile())], &COLORS, None);
    // Files the build does not read are still case twins of one it does, either way round.
    p.glyph_bank("notes", "notes", 8, &[("a.png", tile()), ("B.png", tile())], &COLORS, None);
    p.write("assets/notes/tiles/A.png", tile());
    p.write("assets/notes/tiles/b.png", tile());

    let validation = validate(&p.path, None);
    assert!(!validation.passed);
    let found: Vec<Diagnostic> = validation.assets.iter().flat_map(|a| portability(&a.diagnostics)).collect();
    let named = |code: Code, needles: &[&str]| {
        let hits: Vec<&Diagnostic> =
            found.iter().filter(|d| d.code == code && needles.iter().all(|n| d.message.contains(n))).collect();
        assert_eq!(hits.len(), 1, "{code} naming {needles:?}: {found:#?}");
        assert!(hits[0].is_blocking(), "{code}");
        hits[0].clone()
    };
    let twins = named(Code::PathCaseTwin, &["`assets/twins/tiles/RGBA.png`", "`assets/twins/tiles/rgba.png`"]);
    assert_eq!(twins.asset_root.as_deref(), Some("twins"));
    named(Code::PathCaseTwin, &["`assets/Hero/asset.json`", "`assets/hero/asset.json`"]);
    named(Code::PathCaseTwin, &["`assets/Hero/tiles/a.png`", "`assets/hero/tiles/a.png`"]);
    let unread = named(Code::PathCaseTwin, &["`assets/notes/tiles/A.png`", "`assets/notes/tiles/a.png`"]);
    assert_eq!(unread.file.as_deref(), Some("assets/notes/tiles/a.png"), "the file read is the one named");
    let unread = named(Code::PathCaseTwin, &["`assets/notes/tiles/B.png`", "`assets/notes/tiles/b.png`"]);
    assert_eq!(unread.file.as_deref(), Some("assets/notes/tiles/B.png"), "the file read is the one named");
    let reserved = named(Code::PathReservedName, &["assets/reserved/tiles/aux.png", "`aux_.png`"]);
    assert_eq!(reserved.file.as_deref(), Some("assets/reserved/tiles/aux.png"));
    let colon = named(Code::PathCharacterInvalid, &["assets/colon/tiles/a:b.png", "`:`"]);
    assert_eq!(colon.file.as_deref(), Some("assets/colon/tiles/a:b.png"));
    assert_eq!(found.len(), 7, "nothing else: {found:#?}");
    let blocked: BTreeSet<&str> = validation.assets.iter().map(|a| a.asset_root.as_str()).collect();
    assert_eq!(blocked, BTreeSet::from(["Hero", "colon", "notes", "reserved", "twins"]), "`fine` is not blocked");

    // `summary` reads no input and still sees every one of them.
    let mut summarized = portability(&summary(&p.path).diagnostics);
    let mut validated = found.clone();
    summarized.sort();
    validated.sort();
    assert_eq!(summarized, validated);

    let (_, live) = gate_live(&p.path, None);
    let lane = acquire_lane(&p.path, Wait::NoWait).unwrap();
    let packed = pack_workspace(&lane, &PackOptions::default(), &mut Quiet).result;
    assert_eq!(packed.status, Status::Blocked);
    assert_eq!(live.diagnostics, packed.diagnostics);
    let mut gated = portability(&packed.diagnostics);
    gated.sort();
    assert_eq!(gated, validated);
}

/// Case twins where the walk finds a file by another route than the walk
/// of `assets/`: in a root reached through a link, and an input that is a
/// link to a file elsewhere in its root. Each is found with the path the
/// build reads, alike by `validate`, `summary` and the pack gate.
#[test]
fn case_twins_are_found_where_the_walk_of_assets_does_not_reach() {
    use std::os::unix::fs::symlink;
    let mut p = Project::new();
    p.glyph_bank("linked", "linked", 8, &[("a.png", tile())], &COLORS, None);
    std::fs::create_dir_all(p.path.join("assets/store")).unwrap();
    std::fs::rename(p.path.join("assets/linked"), p.path.join("assets/store/linked")).unwrap();
    symlink("store/linked", p.path.join("assets/linked")).unwrap();
    p.write("assets/store/linked/tiles/A.png", tile());
    p.glyph_bank("elsewhere", "elsewhere", 8, &[("a.png", tile())], &COLORS, None);
    p.write("assets/elsewhere/art/a.png", tile());
    std::fs::remove_file(p.path.join("assets/elsewhere/tiles/a.png")).unwrap();
    symlink("../art/a.png", p.path.join("assets/elsewhere/tiles/a.png")).unwrap();
    p.write("assets/elsewhere/tiles/A.png", tile());
    p.glyph_bank("fine", "fine", 8, &[("a.png", tile())], &COLORS, None);

    let validation = validate(&p.path, None);
    let mut validated: Vec<Diagnostic> = validation.assets.iter().flat_map(|a| portability(&a.diagnostics)).collect();
    let described: Vec<(&str, Option<&str>)> =
        validated.iter().map(|d| (d.message.split(" differ").next().unwrap(), d.file.as_deref())).collect();
    assert_eq!(
        described,
        [
            ("`assets/linked/tiles/A.png` and `assets/linked/tiles/a.png`", Some("assets/linked/tiles/a.png")),
            ("`assets/elsewhere/tiles/A.png` and `assets/elsewhere/tiles/a.png`", Some("assets/elsewhere/tiles/a.png")),
        ],
        "{validated:#?}"
    );
    assert!(validated.iter().all(|d| d.code == Code::PathCaseTwin && d.is_blocking()));

    let mut summarized = portability(&summary(&p.path).diagnostics);
    summarized.sort();
    validated.sort();
    assert_eq!(summarized, validated);
    let lane = acquire_lane(&p.path, Wait::NoWait).unwrap();
    let packed = pack_workspace(&lane, &PackOptions::default(), &mut Quiet).result;
    assert_eq!(packed.status, Status::Blocked);
    let mut gated = portability(&packed.diagnostics);
    gated.sort();
    assert_eq!(gated, validated);
}
