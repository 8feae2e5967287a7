//! The shipped templates: the starter project loads cleanly and its manifest
//! is exactly what a preparation should write; its asset files are what its
//! declarations say.

use camino::{Utf8Path, Utf8PathBuf};
use serde_json::Value;

use prometeu_manifest::{AppMode, BuildFacts, Compiler, generate, load};

fn templates() -> Utf8PathBuf {
    Utf8Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates")
}

fn starter() -> Utf8PathBuf {
    templates().join("starter")
}

fn json(path: &Utf8Path) -> Value {
    let text = fs_err::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn starter_loads_without_warnings() {
    let meta = load(&starter()).unwrap_or_else(|e| panic!("{e}"));
    assert!(meta.warnings.is_empty(), "{:?}", meta.warnings);
    assert_eq!((meta.app_id, meta.title.as_str(), meta.app_version.as_str()), (1001, "Starter", "0.1.0"));
    assert_eq!(meta.app_mode, AppMode::Game);
    assert_eq!(meta.capabilities, ["asset", "audio", "gfx", "input"]);
    assert_eq!(meta.compiler, Compiler::Prebuilt { path: "dist/program.pbx".into() });
}

#[test]
fn starter_manifest_bytes() {
    let meta = load(&starter()).unwrap();
    let generated = generate(&meta, &BuildFacts { assets_pa_produced: true, packed_asset_count: 2 }).unwrap();
    assert!(generated.warnings.is_empty(), "{:?}", generated.warnings);
    assert_eq!(
        std::str::from_utf8(&generated.bytes).unwrap(),
        r#"{"app_id":1001,"app_mode":"Game","app_version":"0.1.0","capabilities":["asset","audio","gfx","input"],"cartridge_version":1,"magic":"PMTU","title":"Starter"}"#
    );
}

#[test]
fn starter_prometeu_json_agrees_with_the_cartridge() {
    let project = json(&starter().join("prometeu.json"));
    assert_eq!(project["name"], "Starter");
    assert_eq!(project["version"], "0.1.0");
}

#[test]
fn starter_prebuilt_program_is_present_and_not_empty() {
    let program = fs_err::read(starter().join("dist/program.pbx")).unwrap();
    assert!(!program.is_empty());
}

#[test]
fn starter_registry_matches_the_declarations() {
    let registry = json(&starter().join("assets/.prometeu/index.json"));
    assert_eq!(registry["schema_version"], 1);
    let assets = registry["assets"].as_array().unwrap();
    let ids: Vec<u64> = assets.iter().map(|a| a["asset_id"].as_u64().unwrap()).collect();
    assert_eq!(ids, [1, 2]);
    assert!(registry["next_asset_id"].as_u64().unwrap() > 2);
    for entry in assets {
        assert_eq!(entry["included_in_build"], true);
        let root = starter().join("assets").join(entry["root"].as_str().unwrap());
        let declaration = json(&root.join("asset.json"));
        assert_eq!(declaration["asset_uuid"], entry["asset_uuid"], "{root}");
        assert_eq!(declaration["name"], entry["root"], "{root}");
        for path in declaration["inputs"].as_object().unwrap().values().flat_map(|v| v.as_array().unwrap()) {
            assert!(root.join(path.as_str().unwrap()).is_file(), "{root}: {path} missing");
        }
    }
}

#[test]
fn starter_tiles_are_16x16_pngs() {
    let hero = starter().join("assets/hero");
    let declaration = json(&hero.join("asset.json"));
    let mut colour_types = Vec::new();
    for artifact in declaration["artifacts"].as_array().unwrap() {
        let bytes = fs_err::read(hero.join(artifact["input"].as_str().unwrap())).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&bytes[12..16], b"IHDR");
        assert_eq!(u32::from_be_bytes(bytes[16..20].try_into().unwrap()), 16, "width");
        assert_eq!(u32::from_be_bytes(bytes[20..24].try_into().unwrap()), 16, "height");
        colour_types.push(bytes[25]);
    }
    // Both decoding paths: indexed colour (3) and RGBA (6).
    assert!(colour_types.contains(&3) && colour_types.contains(&6), "{colour_types:?}");
}

#[test]
fn starter_samples_are_mono_pcm16_and_loops_fit() {
    let sfx = starter().join("assets/sfx");
    let declaration = json(&sfx.join("asset.json"));
    for artifact in declaration["artifacts"].as_array().unwrap() {
        let bytes = fs_err::read(sfx.join(artifact["input"].as_str().unwrap())).unwrap();
        let frames = pcm16_mono_frames(&bytes);
        assert!(frames > 1000, "{artifact}");
        if let Some(end) = artifact["loop"]["end"].as_u64() {
            assert!(artifact["loop"]["start"].as_u64().unwrap() < end && end <= frames, "{artifact}");
        }
    }
}

/// Frames of a canonical 44-byte-header WAV, after checking it is mono 16-bit 22050 Hz PCM.
fn pcm16_mono_frames(bytes: &[u8]) -> u64 {
    let u16_at = |i: usize| u16::from_le_bytes(bytes[i..i + 2].try_into().unwrap());
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
    assert_eq!((&bytes[0..4], &bytes[8..16]), (&b"RIFF"[..], &b"WAVEfmt "[..]));
    assert_eq!((u16_at(20), u16_at(22), u32_at(24), u16_at(34)), (1, 1, 22050, 16), "PCM, mono, 22050 Hz, 16-bit");
    assert_eq!(&bytes[36..40], b"data");
    u64::from(u32_at(40)) / 2
}

#[test]
fn scripts_are_executable_with_a_shebang() {
    use std::os::unix::fs::PermissionsExt;
    for script in ["starter/.githooks/pre-commit", "ci/release.sh"] {
        let path = templates().join(script);
        let mode = fs_err::metadata(&path).unwrap().permissions().mode();
        assert!(mode & 0o111 != 0, "{script} is not executable");
        assert!(fs_err::read_to_string(&path).unwrap().starts_with("#!"), "{script}");
    }
}
