//! One cartridge from any system's checkout, through the real binary: the
//! starter saved as other systems' editors save text prepares byte for
//! byte like the original; `validate` names every file a Windows or macOS
//! checkout could not hold; what the tool writes is LF and `/`-separated.

use std::process::Command;

use camino::Utf8Path;
use serde_json::Value;

use crate::support::{Project, XTASK, Xtask, starter};

const ALL: [&str; 6] =
    ["program.pbx", "assets.pa", "asset_table.json", "preload.json", "asset_table_metadata.json", "manifest.json"];

/// Every text file of the starter that the tool reads.
const READ_TEXT: [&str; 5] = [
    "cartridge.toml",
    "prometeu.json",
    "assets/.prometeu/index.json",
    "assets/hero/asset.json",
    "assets/sfx/asset.json",
];

/// Rewrites every file of `READ_TEXT` with CRLF line endings, and a UTF-8
/// byte-order mark first when `bom`.
fn save_as_windows_does(p: &Project, bom: bool) {
    for rel in READ_TEXT {
        let text = String::from_utf8(p.read(rel)).unwrap();
        assert!(!text.contains('\r') && !text.starts_with('\u{feff}'), "{rel} starts as LF without a mark");
        let mark = if bom { "\u{feff}" } else { "" };
        p.write(rel, format!("{mark}{}", text.replace('\n', "\r\n")));
    }
}

#[test]
fn a_starter_saved_with_byte_order_marks_and_crlf_prepares_byte_identically() {
    let lf = starter();
    let run = lf.run_json(&["play-prep"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let expected = lf.outputs(&ALL);
    assert_eq!(expected.len(), ALL.len());
    for bom in [false, true] {
        let p = starter();
        save_as_windows_does(&p, bom);
        let run = p.run_json(&["validate"]);
        assert_eq!(run.code, 0, "mark {bom}: {:#?}", run.lines);
        let run = p.run_json(&["play-prep"]);
        assert_eq!(run.code, 0, "mark {bom}: {}\n{:#?}", run.stderr, run.lines);
        assert_eq!(p.outputs(&ALL), expected, "mark {bom}: build/ differs from the LF starter's");
    }
}

/// A mark is not a column: `cartridge.toml`'s error is where an editor shows it.
#[test]
fn a_byte_order_mark_does_not_move_a_cartridge_error() {
    let p = starter();
    let text = String::from_utf8(p.read("cartridge.toml")).unwrap();
    for mark in ["", "\u{feff}"] {
        p.write("cartridge.toml", format!("{mark}titel = \"x\"\n{text}"));
        let run = p.run_json(&["play-prep"]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        let error = run.result()["error"].as_str().unwrap_or_default().to_owned();
        assert!(
            format!("{error}{}", run.stderr).contains("cartridge.toml:1:1: unknown key `titel`"),
            "{error}\n{}",
            run.stderr
        );
    }
}

#[test]
fn validate_names_case_twins_reserved_names_and_colons() {
    let p = starter();
    p.write("assets/hero/tiles/aux.png", p.read("assets/hero/tiles/wall.png"));
    p.write("assets/hero/tiles/a:b.png", p.read("assets/hero/tiles/coin.png"));
    p.write("assets/hero/tiles/HERO_IDLE.png", p.read("assets/hero/tiles/hero_idle.png"));
    let declaration = String::from_utf8(p.read("assets/hero/asset.json")).unwrap();
    p.write(
        "assets/hero/asset.json",
        declaration.replace("tiles/wall.png", "tiles/aux.png").replace("tiles/coin.png", "tiles/a:b.png"),
    );

    let run = p.run_json(&["validate"]);
    assert_eq!(run.code, 1, "{:#?}", run.lines);
    let assets = run.result()["validation"]["assets"].as_array().unwrap().clone();
    let found: Vec<&Value> = assets.iter().flat_map(|a| a["diagnostics"].as_array().unwrap()).collect();
    let message = |code: &str| {
        let hits: Vec<&str> =
            found.iter().filter(|d| d["code"] == code).map(|d| d["message"].as_str().unwrap()).collect();
        assert_eq!(hits.len(), 1, "{code}: {found:#?}");
        hits[0].to_owned()
    };
    let twins = message("path_case_twin");
    assert!(twins.contains("`assets/hero/tiles/HERO_IDLE.png` and `assets/hero/tiles/hero_idle.png`"), "{twins}");
    assert!(message("path_reserved_name").starts_with("assets/hero/tiles/aux.png "));
    assert!(message("path_character_invalid").starts_with("assets/hero/tiles/a:b.png has `:`"));
    assert_eq!(found.len(), 3, "{found:#?}");

    // The human form names the files too.
    let out = p.xtask(&["validate"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    for needle in ["error[path_case_twin]", "error[path_reserved_name] assets/hero/tiles/aux.png", "a:b.png"] {
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
}

/// Text files the tool writes, by name: never a CR, on any system.
fn is_text(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let text_extensions = [".json", ".jsonl", ".toml", ".lock", ".md", ".yml", ".yaml", ".rs", ".pbs", ".sh", ".txt"];
    text_extensions.iter().any(|e| name.ends_with(e)) || [".gitignore", "pre-commit"].contains(&name)
}

fn assert_lf(root: &Utf8Path, files: &std::collections::BTreeMap<String, Vec<u8>>) {
    let text: Vec<&String> = files.keys().filter(|f| is_text(f)).collect();
    assert!(!text.is_empty(), "{root}");
    for rel in text {
        assert!(!files[rel].contains(&b'\r'), "{root}/{rel} holds a CR");
    }
}

#[test]
fn what_the_tool_writes_is_lf_with_slash_separators() {
    let p = starter();
    let art = p.path.join("art/one.png");
    p.write("art/one.png", p.read("assets/hero/tiles/coin.png"));
    let run = p.run_json(&["assets", "new", "glyph_bank", "props/crates", "--tile-size", "16", art.as_str()]);
    assert_eq!(run.code, 0, "{:#?}", run.lines);
    let run = p.run_json(&["play-prep"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_lf(&p.path, &p.tree("build"));
    assert_lf(&p.path, &p.tree("assets"));
    // Paths in what the tool wrote use `/` (a JSON `\` would be escaped as `\\`).
    let json = [
        "assets/.prometeu/index.json",
        "assets/props/crates/asset.json",
        "build/asset_table.json",
        "build/asset_table_metadata.json",
        "build/preload.json",
        "build/manifest.json",
    ];
    for rel in json {
        let text = String::from_utf8(p.read(rel)).unwrap();
        assert!(!text.contains("\\\\"), "{rel}: {text}");
    }
    let registry = String::from_utf8(p.read("assets/.prometeu/index.json")).unwrap();
    assert!(registry.contains("\"props/crates\""), "{registry}");

    // A scaffolded game repository, file by file.
    let tmp = tempfile::tempdir().unwrap();
    let game = Utf8Path::from_path(tmp.path()).unwrap().join("game");
    let out = Command::new(XTASK).args(["new", game.as_str(), "--no-git"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let files = collect(&game);
    assert!(files.contains_key(".githooks/pre-commit"), "{:?}", files.keys());
    assert_lf(&game, &files);
}

fn collect(dir: &Utf8Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(at) = pending.pop() {
        for entry in at.read_dir_utf8().unwrap().flatten() {
            if entry.file_type().unwrap().is_dir() {
                pending.push(entry.path().to_owned());
            } else {
                let rel = entry.path().strip_prefix(dir).unwrap().to_string();
                files.insert(rel, std::fs::read(entry.path()).unwrap());
            }
        }
    }
    files
}
