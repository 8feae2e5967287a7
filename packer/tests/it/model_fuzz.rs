//! Property tests: whatever bytes or JSON reach the declaration parser or
//! the registry reader, they return findings instead of panicking, and the
//! results keep their documented invariants.

use camino::Utf8Path;
use prometeu_packer::{
    AssetRef, PRELOAD_SLOTS, Parsed, REGISTRY_PATH, RegistryRead, any_blocking, parse_declaration, parse_registry,
    read_registry,
};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const FILE: &str = "assets/fuzz/asset.json";
const ASSET: AssetRef<'static> = AssetRef { asset_id: 3, root: "fuzz" };

fn config() -> ProptestConfig {
    ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() }
}

// ---------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------

/// Keys the readers know, so random objects often hit real code paths.
const KEYS: &[&str] = &[
    "schema_version",
    "asset_uuid",
    "name",
    "type",
    "inputs",
    "artifacts",
    "output",
    "preload",
    "build",
    "format",
    "codec",
    "metadata",
    "codec_configuration",
    "pipeline",
    "enabled",
    "slot",
    "index",
    "input",
    "loop",
    "start",
    "end",
    "tiles",
    "samples",
    "sources",
    "next_asset_id",
    "assets",
    "asset_id",
    "root",
    "included_in_build",
];

const STRINGS: &[&str] = &[
    "",
    "glyph_bank",
    "sound_bank",
    "GLYPH/indexed_v1",
    "SOUNDS/pcm16le_v1",
    "NONE",
    "tiles/a.png",
    "a.wav",
    "../x",
    "/abs",
    "a\\b",
    "a//b",
    "hero",
    "sfx/ui",
    "sfx",
    "héro ✓",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(KEYS).prop_map(str::to_owned),
        1 => "[a-z_]{0,6}",
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-3i64..20).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1.0e9f64..1.0e9).prop_map(Value::from),
        prop::sample::select(STRINGS).prop_map(Value::from),
        "[a-z./\\\\ ]{0,10}".prop_map(Value::from),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..7).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn valid_glyph() -> Value {
    json!({
        "schema_version": 1,
        "asset_uuid": "3f1c",
        "name": "hero",
        "type": "glyph_bank",
        "inputs": { "tiles": ["tiles/a.png", "tiles/b.png"], "sources": ["src.ase"] },
        "artifacts": [ { "index": 0, "input": "tiles/a.png" }, { "index": 1, "input": "tiles/b.png" } ],
        "output": { "format": "GLYPH/indexed_v1", "codec": "NONE", "metadata": { "tile_size": 8 } },
        "preload": { "enabled": true, "slot": 2 }
    })
}

fn valid_sound() -> Value {
    json!({
        "schema_version": 1,
        "asset_uuid": "9a02",
        "name": "sfx",
        "type": "sound_bank",
        "inputs": { "samples": ["a.wav", "b.wav"] },
        "artifacts": [ { "index": 1, "input": "b.wav" }, { "index": 0, "input": "a.wav", "loop": { "start": 0, "end": 9 } } ],
        "output": { "format": "SOUNDS/pcm16le_v1", "codec": "NONE" },
        "preload": { "enabled": false }
    })
}

const DECLARATION_POINTERS: &[&str] = &[
    "/schema_version",
    "/asset_uuid",
    "/name",
    "/type",
    "/inputs",
    "/inputs/tiles",
    "/inputs/samples",
    "/inputs/tiles/0",
    "/inputs/samples/1",
    "/artifacts",
    "/artifacts/0",
    "/artifacts/0/index",
    "/artifacts/1/input",
    "/artifacts/1/loop",
    "/artifacts/0/loop/end",
    "/output",
    "/output/format",
    "/output/codec",
    "/output/metadata",
    "/output/pipeline",
    "/preload",
    "/preload/enabled",
    "/preload/slot",
    "/build",
    "/extra",
];

const REGISTRY_POINTERS: &[&str] = &[
    "/schema_version",
    "/next_asset_id",
    "/assets",
    "/assets/0",
    "/assets/1/asset_id",
    "/assets/0/asset_uuid",
    "/assets/1/root",
    "/assets/0/included_in_build",
    "/assets/2",
    "/extra",
];

/// An edit at a pointer: `None` removes the key, `Some` replaces the value.
type Edit = (&'static str, Option<Value>);

fn edits(pointers: &'static [&'static str]) -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec((prop::sample::select(pointers), prop::option::weighted(0.8, json_value())), 1..4)
}

/// Applies edits where their parent exists; others are skipped.
fn apply(mut value: Value, edits: Vec<Edit>) -> Value {
    for (pointer, edit) in edits {
        let Some((parent, key)) = pointer.rsplit_once('/') else { continue };
        match (value.pointer_mut(parent), edit) {
            (Some(Value::Object(map)), Some(new)) => {
                map.insert(key.to_owned(), new);
            }
            (Some(Value::Object(map)), None) => {
                map.remove(key);
            }
            (Some(Value::Array(items)), edit) => match (key.parse::<usize>(), edit) {
                (Ok(i), Some(new)) if i < items.len() => items[i] = new,
                (Ok(i), None) if i < items.len() => {
                    items.remove(i);
                }
                (Ok(_), Some(new)) => items.push(new),
                _ => {}
            },
            _ => {}
        }
    }
    value
}

fn near_valid_declaration() -> impl Strategy<Value = Value> {
    (prop_oneof![Just(valid_glyph()), Just(valid_sound())], edits(DECLARATION_POINTERS))
        .prop_map(|(base, edits)| apply(base, edits))
}

fn valid_registry() -> Value {
    json!({
        "schema_version": 1,
        "next_asset_id": 5,
        "assets": [
            { "asset_id": 1, "asset_uuid": "u1", "root": "hero", "included_in_build": true },
            { "asset_id": 4, "asset_uuid": "u4", "root": "sfx/ui", "included_in_build": false },
            { "asset_id": 2, "asset_uuid": "u2", "root": "music", "included_in_build": true }
        ]
    })
}

fn near_valid_registry() -> impl Strategy<Value = Value> {
    edits(REGISTRY_POINTERS).prop_map(|edits| apply(valid_registry(), edits))
}

// ---------------------------------------------------------------------------
// Invariants
// ---------------------------------------------------------------------------

fn check_parsed(parsed: &Parsed) -> Result<(), TestCaseError> {
    prop_assert_eq!(parsed.declaration.is_some(), !any_blocking(&parsed.diagnostics), "{:#?}", parsed.diagnostics);
    for d in &parsed.diagnostics {
        prop_assert_eq!(d.file.as_deref(), Some(FILE));
        prop_assert_eq!(d.asset_root.as_deref(), Some("fuzz"));
        prop_assert_eq!(d.asset_id, Some(3));
        prop_assert!(!d.message.is_empty());
    }
    if let Some(uuid) = &parsed.asset_uuid {
        prop_assert!(!uuid.is_empty());
    }
    if let Some(decl) = &parsed.declaration {
        prop_assert_eq!(parsed.asset_uuid.as_ref(), Some(&decl.asset_uuid));
        for (artifact, expected) in decl.artifacts.iter().zip(0u32..) {
            prop_assert_eq!(artifact.index, expected);
            prop_assert!(decl.inputs[decl.family.main_role()].contains(&artifact.input));
            prop_assert!(artifact.loop_points.is_none() || decl.family.accepts_loop_points());
        }
        if decl.preload.enabled {
            prop_assert!(decl.preload.slot.is_some());
        }
        prop_assert!(decl.preload.slot.is_none_or(|s| s < PRELOAD_SLOTS));
        prop_assert_eq!(decl.output.format.as_str(), decl.family.format());
        prop_assert!((1..=64).contains(&decl.name.chars().count()));
    }
    Ok(())
}

fn check_registry_read(read: &RegistryRead) -> Result<(), TestCaseError> {
    for d in &read.diagnostics {
        prop_assert!(d.is_blocking());
        prop_assert_eq!(d.file.as_deref(), Some(REGISTRY_PATH));
        prop_assert!(!d.message.is_empty());
    }
    for entry in &read.registry.assets {
        prop_assert!(entry.asset_id >= 1);
        prop_assert!(!entry.asset_uuid.is_empty());
    }
    if read.diagnostics.is_empty() {
        let mut ids: Vec<u32> = read.registry.assets.iter().map(|e| e.asset_id).collect();
        ids.sort();
        ids.dedup();
        prop_assert_eq!(ids.len(), read.registry.assets.len());
        prop_assert!(ids.iter().all(|&id| id < read.registry.next_asset_id));
    }
    Ok(())
}

/// Writes `bytes` as the registry of a fresh project and reads it back.
fn read_from_disk(bytes: &[u8]) -> Result<RegistryRead, TestCaseError> {
    let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let project = Utf8Path::from_path(dir.path()).ok_or_else(|| TestCaseError::fail("non-UTF-8 temp dir"))?;
    let path = project.join(REGISTRY_PATH);
    std::fs::create_dir_all(path.parent().unwrap()).map_err(|e| TestCaseError::fail(e.to_string()))?;
    std::fs::write(&path, bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let read = read_registry(project);
    prop_assert_eq!(&read, &parse_registry(bytes), "reading the file and parsing its bytes agree");
    Ok(read)
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    #[test]
    fn declaration_survives_random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        check_parsed(&parse_declaration(&bytes, ASSET, FILE))?;
    }

    #[test]
    fn declaration_survives_random_json(value in json_value()) {
        check_parsed(&parse_declaration(value.to_string().as_bytes(), ASSET, FILE))?;
    }

    #[test]
    fn declaration_survives_edits_of_valid_ones(value in near_valid_declaration()) {
        check_parsed(&parse_declaration(value.to_string().as_bytes(), ASSET, FILE))?;
    }

    #[test]
    fn registry_survives_random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        check_registry_read(&read_from_disk(&bytes)?)?;
    }

    #[test]
    fn registry_survives_random_json(value in json_value()) {
        check_registry_read(&read_from_disk(value.to_string().as_bytes())?)?;
    }

    #[test]
    fn registry_survives_edits_of_valid_ones(value in near_valid_registry()) {
        check_registry_read(&read_from_disk(value.to_string().as_bytes())?)?;
    }
}

#[test]
fn deeply_nested_input_is_a_finding_not_a_crash() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let parsed = parse_declaration(deep.as_bytes(), ASSET, FILE);
    assert!(any_blocking(&parsed.diagnostics));
    assert!(any_blocking(&parse_registry(deep.as_bytes()).diagnostics));
    let mut object = Map::new();
    object.insert("schema_version".into(), Value::from(1));
    let _ = parse_declaration(Value::Object(object).to_string().as_bytes(), ASSET, FILE);
}
