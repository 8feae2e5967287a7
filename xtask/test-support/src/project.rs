//! Real project directories: an empty one to fill, a copy of the starter,
//! and a small sample project with every family.

use std::collections::BTreeMap;

use camino::{Utf8Path, Utf8PathBuf};
use serde_json::{Value, json};

use crate::{noise, png_indexed, png_indexed_transparent_zero, png_rgba, wav_i16};

/// A real project directory, deleted when dropped.
pub struct Project {
    _dir: tempfile::TempDir,
    /// The project directory (canonical, UTF-8).
    pub path: Utf8PathBuf,
    entries: Vec<Value>,
    next_id: u32,
}

/// What a copy of the starter leaves out: what its runs generated.
const GENERATED: [&str; 3] = ["build", ".prometeu", "target"];

/// A fresh copy of `templates/starter`, without what its runs generated
/// (`build/`, `.prometeu/`, the xtask crate's `target/`).
pub fn starter() -> Project {
    let dir = tempfile::tempdir().unwrap();
    let path = Utf8PathBuf::try_from(dir.path().canonicalize().unwrap()).unwrap().join("game");
    let from = repo_root().join("templates/starter");
    std::fs::create_dir_all(&path).unwrap();
    for entry in from.read_dir_utf8().unwrap().flatten() {
        if GENERATED.contains(&entry.file_name()) {
            continue;
        }
        let target = path.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    Project { _dir: dir, path, entries: Vec::new(), next_id: 1 }
}

/// The checkout this crate is built from.
pub fn repo_root() -> Utf8PathBuf {
    Utf8Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize_utf8().unwrap()
}

fn copy_dir(from: &Utf8Path, to: &Utf8Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in from.read_dir_utf8().unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

impl Default for Project {
    fn default() -> Self {
        Self::new()
    }
}

impl Project {
    /// An empty project directory in a fresh temporary directory: no `cartridge.toml`, no registry. `path`
    /// is canonical and UTF-8; the directory and all it holds are deleted when the `Project` is dropped.
    pub fn new() -> Project {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::try_from(dir.path().canonicalize().unwrap()).unwrap();
        Project { _dir: dir, path, entries: Vec::new(), next_id: 1 }
    }

    /// Writes `rel`, creating its directories.
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        let path = self.path.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// The bytes of `rel`.
    pub fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.path.join(rel)).unwrap()
    }

    /// Whether `rel` exists.
    pub fn exists(&self, rel: &str) -> bool {
        self.path.join(rel).exists()
    }

    /// An executable `#!/bin/sh` script at `rel`.
    pub fn script(&self, rel: &str, body: &str) {
        self.write(rel, format!("#!/bin/sh\n{body}\n"));
        crate::platform::set_executable(self.path.join(rel).as_std_path()).unwrap();
    }

    /// Replaces the `[compiler]` section of cartridge.toml.
    pub fn set_compiler(&self, section: &str) {
        let text = String::from_utf8(self.read("cartridge.toml")).unwrap();
        let head = text.split("[compiler]").next().unwrap();
        self.write("cartridge.toml", format!("{head}[compiler]\n{section}\n"));
    }

    /// The named files of `build/` that exist, with their bytes.
    pub fn outputs(&self, names: &[&str]) -> BTreeMap<String, Vec<u8>> {
        names
            .iter()
            .filter_map(|n| std::fs::read(self.path.join("build").join(n)).ok().map(|b| (n.to_string(), b)))
            .collect()
    }

    /// The kept log of `command`, parsed.
    pub fn kept_log(&self, command: &str) -> Vec<Value> {
        let text = String::from_utf8(self.read(&format!("build/logs/{command}.jsonl"))).unwrap();
        text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }

    /// Adds a registry entry and its `asset.json`; returns the asset id.
    pub fn asset(&mut self, root: &str, declaration: Value, included: bool) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        let uuid = declaration["asset_uuid"].as_str().unwrap().to_owned();
        self.write(
            &format!("assets/{root}/asset.json"),
            serde_json::to_string_pretty(&declaration).unwrap().as_bytes(),
        );
        self.entries.push(json!({"asset_id": id, "asset_uuid": uuid, "root": root, "included_in_build": included}));
        self.save_registry();
        id
    }

    /// Rewrites `assets/.prometeu/index.json` (pretty-printed, `schema_version` 1) from the entries
    /// [`Project::asset`] added so far, with `next_asset_id` the id the next one will get. `asset` calls it
    /// already; call it again to restore the registry after a test changed the file on disk.
    pub fn save_registry(&self) {
        let registry = json!({"schema_version": 1, "next_asset_id": self.next_id, "assets": self.entries});
        self.write("assets/.prometeu/index.json", serde_json::to_string_pretty(&registry).unwrap().as_bytes());
    }

    /// A glyph bank with the given tiles (file name → PNG bytes) and palette 0.
    pub fn glyph_bank(
        &mut self,
        root: &str,
        name: &str,
        tile_size: u32,
        tiles: &[(&str, Vec<u8>)],
        colors: &[&str],
        preload: Option<u32>,
    ) -> u32 {
        let mut paths = Vec::new();
        for (file, png) in tiles {
            self.write(&format!("assets/{root}/tiles/{file}"), png);
            paths.push(format!("tiles/{file}"));
        }
        let decl = json!({
            "schema_version": 1,
            "asset_uuid": uuid_for(root),
            "name": name,
            "type": "glyph_bank",
            "inputs": {"tiles": paths},
            "output": {
                "format": "GLYPH/indexed_v1",
                "codec": "NONE",
                "metadata": {"tile_size": tile_size},
                "pipeline": {"palettes": [{"index": 0, "palette": {"colors": colors}}]}
            },
            "preload": preload_value(preload),
        });
        self.asset(root, decl, true)
    }

    /// A sound bank with the given samples (file name → WAV bytes).
    pub fn sound_bank(&mut self, root: &str, name: &str, samples: &[(&str, Vec<u8>)], preload: Option<u32>) -> u32 {
        let mut paths = Vec::new();
        for (file, wav) in samples {
            self.write(&format!("assets/{root}/{file}"), wav);
            paths.push(file.to_string());
        }
        let decl = json!({
            "schema_version": 1,
            "asset_uuid": uuid_for(root),
            "name": name,
            "type": "sound_bank",
            "inputs": {"samples": paths},
            "output": {"format": "SOUNDS/pcm16le_v1", "codec": "NONE"},
            "preload": preload_value(preload),
        });
        self.asset(root, decl, true)
    }

    /// Every regular file under `rel` with its bytes (for before/after comparisons).
    pub fn tree(&self, rel: &str) -> BTreeMap<String, Vec<u8>> {
        let mut files = BTreeMap::new();
        collect(&self.path.join(rel), "", &mut files);
        files
    }
}

fn collect(dir: &Utf8Path, prefix: &str, files: &mut BTreeMap<String, Vec<u8>>) {
    let Ok(entries) = dir.read_dir_utf8() else { return };
    for entry in entries.flatten() {
        let name = format!("{prefix}{}", entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            collect(entry.path(), &format!("{name}/"), files);
        } else {
            files.insert(name, std::fs::read(entry.path()).unwrap());
        }
    }
}

fn preload_value(slot: Option<u32>) -> Value {
    match slot {
        Some(slot) => json!({"enabled": true, "slot": slot}),
        None => json!({"enabled": false}),
    }
}

/// A stable, valid-looking uuid derived from the root name.
pub fn uuid_for(root: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in root.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100000001b3);
    }
    let hex = format!("{h:016x}{:016x}", h.rotate_left(17) ^ 0x9e3779b97f4a7c15);
    format!("{}-{}-4{}-a{}-{}", &hex[0..8], &hex[8..12], &hex[13..16], &hex[17..20], &hex[20..32])
}

/// A small project: two glyph banks and two sound banks, one preloaded each.
pub fn sample_project() -> Project {
    let mut p = Project::new();
    let palette = ["#000000", "#ffffff", "#ff0000", "#00ff00"];
    let pal_rgb = [0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 255, 0];
    let a: Vec<u8> = (0..64).map(|i| (i % 4) as u8).collect();
    let mut rgba = Vec::new();
    for i in 0..64 {
        let px: [u8; 4] = match i % 3 {
            0 => [255, 0, 0, 255],
            1 => [0, 0, 0, 0],
            _ => [0, 255, 0, 255],
        };
        rgba.extend_from_slice(&px);
    }
    p.glyph_bank(
        "hero",
        "hero",
        8,
        // Index 0 is transparent in the file (`tRNS`), as it is in the bank.
        &[("a.png", png_indexed_transparent_zero(8, &a, &pal_rgb)), ("b.png", png_rgba(8, &rgba))],
        &palette,
        Some(0),
    );
    p.sound_bank(
        "sfx/jump",
        "jump",
        &[("jump.wav", wav_i16(22050, 1, &noise(1, 300))), ("land.wav", wav_i16(44100, 2, &noise(2, 400)))],
        Some(0),
    );
    p.glyph_bank("font", "font", 16, &[("f.png", png_indexed(16, &vec![1; 256], &pal_rgb))], &palette, None);
    p.sound_bank("music", "music", &[("loop.wav", wav_i16(48000, 1, &noise(3, 1000)))], None);
    p
}
