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

/// The pack's walk keeps only the paths of files it does not read (here a
/// twin nobody declares); the gate still finds the twin among them.
#[test]
fn the_pack_is_blocked_by_a_case_twin_it_does_not_read() {
    let p = starter();
    p.write("assets/hero/tiles/HERO_IDLE.png", p.read("assets/hero/tiles/hero_idle.png"));
    let out = p.xtask(&["pack"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error[path_case_twin]"), "{stderr}");
    assert!(stderr.contains("`assets/hero/tiles/HERO_IDLE.png` and `assets/hero/tiles/hero_idle.png`"), "{stderr}");
    assert!(!p.path.join("build/assets.pa").exists(), "nothing was written");
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

/// This checkout, from this crate's own manifest directory (the shipped
/// files under test are this checkout's).
fn checkout() -> camino::Utf8PathBuf {
    Utf8Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize_utf8().unwrap()
}

/// Forms that GNU tools accept and the BSD tools of macOS (or Git for
/// Windows' older ones) do not; none may appear in a shipped shell file.
const GNU_ONLY: [&str; 7] = ["sed -i", "grep -P", "readlink -f", "date -d", "stat -c", "xargs -r", "--color"];

/// Every shell file a game repository gets: the starter's hook, the release
/// script for other CI systems, and whatever `new` writes with a `#!` line.
fn shipped_shell_files() -> Vec<(String, String)> {
    let root = checkout();
    let mut files: Vec<(String, String)> = ["templates/starter/.githooks/pre-commit", "templates/ci/release.sh"]
        .iter()
        .map(|rel| (rel.to_string(), String::from_utf8(std::fs::read(root.join(rel)).unwrap()).unwrap()))
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let game = Utf8Path::from_path(tmp.path()).unwrap().join("game");
    let out = Command::new(XTASK).args(["new", game.as_str(), "--no-git"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for (rel, bytes) in collect(&game) {
        if bytes.starts_with(b"#!") {
            files.push((format!("new: {rel}"), String::from_utf8(bytes).unwrap()));
        }
    }
    assert!(files.iter().any(|(rel, _)| rel == "new: .githooks/pre-commit"), "{files:?}");
    files
}

/// Runs a shell check on `text` (given on stdin as a file), returning its status and output.
fn shell_check(program: &str, args: &[&str], text: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("script");
    std::fs::write(&path, text).unwrap();
    let out = Command::new(program).args(args).arg(&path).output().unwrap_or_else(|e| {
        panic!("`{program}` cannot run ({e}); install it (`.ci/run` installs dash and devscripts' checkbashisms)")
    });
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn every_shipped_shell_file_is_posix_sh() {
    for (rel, text) in shipped_shell_files() {
        assert!(text.starts_with("#!/bin/sh\n"), "{rel}: the shebang is `#!/bin/sh`");
        let (ok, said) = shell_check("dash", &["-n"], &text);
        assert!(ok, "{rel}: dash -n: {said}");
        let (ok, said) = shell_check("checkbashisms", &["--force", "--extra"], &text);
        assert!(ok && said.is_empty(), "{rel}: checkbashisms: {said}");
        for form in GNU_ONLY {
            assert!(!text.contains(form), "{rel}: `{form}` is GNU-only");
        }
    }
}

/// A directory holding only the few POSIX tools the release script needs:
/// no `jq` and no `sha256sum`/`shasum`, so their fallbacks run.
fn bare_path() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for tool in ["tail", "grep", "wc", "tr", "cut"] {
        let found = ["/usr/bin", "/bin"].iter().map(|d| format!("{d}/{tool}")).find(|p| Utf8Path::new(p).exists());
        std::os::unix::fs::symlink(found.unwrap_or_else(|| panic!("no {tool}")), dir.path().join(tool)).unwrap();
    }
    dir
}

/// `dash` as this process's `PATH` finds it (a test may give the child another `PATH`).
fn dash() -> std::path::PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path).map(|dir| dir.join("dash")).find(|p| p.is_file());
    found.expect("`dash` is on PATH (`.ci/run` installs it)")
}

fn release(p: &Project, path: Option<&std::path::Path>) -> (i32, String, String) {
    let script = checkout().join("templates/ci/release.sh");
    let mut cmd = Command::new(dash());
    cmd.arg(script.as_str())
        .current_dir(&p.path)
        .env("PROMETEU_XTASK", XTASK)
        .env("RESULT_LOG", p.path.join("release.jsonl").as_str())
        .env_remove(prometeu_packer::TESTPOINT_ENV);
    if let Some(path) = path {
        cmd.env("PATH", path);
    }
    let out = cmd.output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

#[test]
fn the_release_script_runs_under_dash_with_and_without_jq() {
    let p = starter();
    let (code, out, err) = release(&p, None);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("release: play-prep succeeded"), "{out}");
    assert!(out.contains("manifest.json") && out.contains("sha256 "), "{out}");
    let bare = bare_path();
    let (code, out, err) = release(&p, Some(bare.path()));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("assets.pa") && !out.contains("sha256 "), "no digest tool, no digest: {out}");

    p.write("assets/sfx/jump.wav", b"RIFF....not really");
    let (code, _, err) = release(&p, Some(bare.path()));
    assert_eq!(code, 1, "a blocked pack fails the release: {err}");
    p.write("cartridge.toml", b"app_id = \"not a number\"\n");
    let (code, _, err) = release(&p, None);
    assert_eq!(code, 2, "a broken cartridge.toml is a configuration error: {err}");
}

/// The hook as Git for Windows or any `sh` runs it: under dash, on the index.
#[test]
fn the_pre_commit_hook_runs_under_dash() {
    let p = starter();
    let git = |args: &[&str]| {
        let out = Command::new("git").args(args).current_dir(&p.path).output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    git(&["init", "--quiet"]);
    git(&["add", "-A"]);
    let hook = |expect: i32| {
        let out = Command::new("dash")
            .arg(".githooks/pre-commit")
            .current_dir(&p.path)
            .env("PROMETEU_XTASK", XTASK)
            .env_remove(prometeu_packer::TESTPOINT_ENV)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(expect), "{err}");
        err
    };
    hook(0);
    p.write("assets/sfx/jump.wav", b"RIFF....not really");
    git(&["add", "assets/sfx/jump.wav"]);
    let err = hook(1);
    assert!(err.contains("assets/sfx/jump.wav") && err.contains("commit stopped"), "{err}");
}

/// `assets new` runs the same names check before writing anything.
#[test]
fn assets_new_refuses_a_file_name_windows_cannot_hold() {
    let p = starter();
    p.write("art/aux.png", p.read("assets/hero/tiles/coin.png"));
    let before = p.tree("assets");
    let art = p.path.join("art/aux.png");
    let run = p.run_json(&["assets", "new", "glyph_bank", "props", "--tile-size", "16", art.as_str()]);
    assert_eq!(run.code, 1, "{:#?}", run.lines);
    let said = format!("{}{:?}", run.stderr, run.lines);
    // Nothing exists under assets/ yet: the finding names the file as given.
    assert!(said.contains("path_reserved_name") && said.contains(art.as_str()), "{said}");
    assert_eq!(p.tree("assets"), before, "nothing written");
}
