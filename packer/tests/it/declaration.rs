//! `asset.json` parsing: the spec's example, one test per diagnostic code,
//! derived artifacts, loop points per family, and what survives a broken file.

use std::collections::BTreeMap;

use prometeu_packer::{
    Artifact, AssetRef, Code, Declaration, Diagnostic, Family, LoopPoints, Output, PRELOAD_SLOTS, Parsed, Preload,
    Severity, parse_declaration,
};
use serde_json::{Value, json};

const FILE: &str = "assets/hero/asset.json";
const ASSET: AssetRef<'static> = AssetRef { asset_id: 7, root: "hero" };

/// A complete glyph bank declaration, as the reference shows one.
const SPEC_EXAMPLE: &str = r##"{
  "schema_version": 1,
  "asset_uuid": "3f1c2a9e-5d7b-4c1e-9f0a-2b6d8e4c7a10",
  "name": "hero",
  "type": "glyph_bank",
  "inputs": { "tiles": ["tiles/idle.png", "tiles/run.png", "tiles/wip.png"] },
  "artifacts": [
    { "index": 0, "input": "tiles/idle.png" },
    { "index": 1, "input": "tiles/run.png" }
  ],
  "output": {
    "format": "GLYPH/indexed_v1",
    "codec": "NONE",
    "metadata": { "tile_size": 16 },
    "codec_configuration": {},
    "pipeline": {
      "palettes": [ { "index": 0, "palette": { "colors": ["#000000", "#f8f8f8", "#d82800"] } } ]
    }
  },
  "preload": { "enabled": true, "slot": 0 }
}"##;

fn spec_example() -> Value {
    serde_json::from_str(SPEC_EXAMPLE).unwrap()
}

fn sound_bank() -> Value {
    json!({
        "schema_version": 1,
        "asset_uuid": "9a02-sfx",
        "name": "sfx.ui",
        "type": "sound_bank",
        "inputs": { "samples": ["jump.wav", "coin.wav"], "sources": ["jump.flac"] },
        "artifacts": [
            { "index": 1, "input": "coin.wav" },
            { "index": 0, "input": "jump.wav", "loop": { "start": 0, "end": 1200 } }
        ],
        "output": { "format": "SOUNDS/pcm16le_v1", "codec": "NONE" },
        "preload": { "enabled": false },
        "build": ["anything", 1, { "goes": null }]
    })
}

fn parse_value(value: &Value) -> Parsed {
    parse_bytes(value.to_string().as_bytes())
}

fn parse_bytes(bytes: &[u8]) -> Parsed {
    let parsed = parse_declaration(bytes, ASSET, FILE);
    for d in &parsed.diagnostics {
        assert_eq!(d.asset_id, Some(7), "{d:?}");
        assert_eq!(d.asset_root.as_deref(), Some("hero"), "{d:?}");
        assert_eq!(d.file.as_deref(), Some(FILE), "{d:?}");
        assert!(!d.message.is_empty() && !d.message.contains('\n'), "{d:?}");
    }
    let blocked = parsed.diagnostics.iter().any(Diagnostic::is_blocking);
    assert_eq!(parsed.declaration.is_some(), !blocked, "{:#?}", parsed.diagnostics);
    parsed
}

/// Parses `value` after `edit`, expecting exactly the listed codes.
fn findings(mut value: Value, edit: impl FnOnce(&mut Value)) -> Vec<Diagnostic> {
    edit(&mut value);
    parse_value(&value).diagnostics
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<Code> {
    diagnostics.iter().map(|d| d.code).collect()
}

/// Exactly one diagnostic, of `code`, blocking; returns its message.
fn single(diagnostics: Vec<Diagnostic>, code: Code) -> String {
    assert_eq!(codes(&diagnostics), [code], "{diagnostics:#?}");
    assert_eq!(diagnostics[0].severity, Severity::Blocking);
    diagnostics[0].message.clone()
}

fn remove(value: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    value.pointer_mut(parent).unwrap().as_object_mut().unwrap().remove(key);
}

fn set(value: &mut Value, pointer: &str, new: Value) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let parent = value.pointer_mut(parent).unwrap();
    match parent {
        Value::Object(map) => {
            map.insert(key.to_owned(), new);
        }
        Value::Array(items) => items[key.parse::<usize>().unwrap()] = new,
        _ => panic!("cannot set {pointer}"),
    }
}

// ---------------------------------------------------------------------------
// Valid declarations
// ---------------------------------------------------------------------------

#[test]
fn the_spec_example_parses_to_the_expected_declaration() {
    let parsed = parse_bytes(SPEC_EXAMPLE.as_bytes());
    assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
    let object = |v: Value| prometeu_packer::JsonObject::from_map(v.as_object().unwrap());
    let expected = Declaration {
        asset_uuid: "3f1c2a9e-5d7b-4c1e-9f0a-2b6d8e4c7a10".into(),
        name: "hero".into(),
        family: Family::GlyphBank,
        inputs: BTreeMap::from([(
            "tiles".to_owned(),
            vec!["tiles/idle.png".to_owned(), "tiles/run.png".to_owned(), "tiles/wip.png".to_owned()],
        )])
        .into(),
        artifacts: vec![
            Artifact { index: 0, input: "tiles/idle.png".into(), loop_points: None },
            Artifact { index: 1, input: "tiles/run.png".into(), loop_points: None },
        ],
        output: Output {
            format: "GLYPH/indexed_v1".into(),
            codec: "NONE".into(),
            metadata: object(json!({ "tile_size": 16 })),
            codec_configuration: Some(object(json!({}))),
            pipeline: Some(object(json!({
                "palettes": [ { "index": 0, "palette": { "colors": ["#000000", "#f8f8f8", "#d82800"] } } ]
            }))),
        },
        preload: Preload { enabled: true, slot: Some(0) },
    };
    assert_eq!(parsed.declaration, Some(expected));
    assert_eq!(parsed.asset_uuid.as_deref(), Some("3f1c2a9e-5d7b-4c1e-9f0a-2b6d8e4c7a10"));
}

#[test]
fn absent_optional_parts_have_their_defaults() {
    let mut value = spec_example();
    remove(&mut value, "/output/metadata");
    remove(&mut value, "/output/codec_configuration");
    remove(&mut value, "/output/pipeline");
    let output = parse_value(&value).declaration.unwrap().output;
    assert!(output.metadata.is_empty());
    assert_eq!(output.codec_configuration, None);
    assert_eq!(output.pipeline, None);
}

#[test]
fn derived_artifacts_select_every_main_role_input_in_order() {
    let mut value = spec_example();
    remove(&mut value, "/artifacts");
    set(&mut value, "/inputs/sources", json!(["hero.aseprite"]));
    let declaration = parse_value(&value).declaration.unwrap();
    let selected: Vec<(u32, &str)> = declaration.artifacts.iter().map(|a| (a.index, a.input.as_str())).collect();
    assert_eq!(selected, [(0, "tiles/idle.png"), (1, "tiles/run.png"), (2, "tiles/wip.png")]);
    assert_eq!(declaration.inputs["sources"], ["hero.aseprite"]);
}

#[test]
fn explicit_artifacts_are_sorted_by_index_and_loop_points_kept_for_sound_banks() {
    let parsed = parse_value(&sound_bank());
    assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
    let declaration = parsed.declaration.unwrap();
    assert_eq!(declaration.family, Family::SoundBank);
    assert_eq!(
        declaration.artifacts,
        [
            Artifact { index: 0, input: "jump.wav".into(), loop_points: Some(LoopPoints { start: 0, end: 1200 }) },
            Artifact { index: 1, input: "coin.wav".into(), loop_points: None },
        ]
    );
    assert_eq!(declaration.preload, Preload { enabled: false, slot: None });
}

#[test]
fn loop_start_not_before_end_is_left_to_the_family() {
    let parsed = parse_value(&findings_value(sound_bank(), |v| {
        set(v, "/artifacts/1/loop", json!({ "start": 50, "end": 10 }));
    }));
    assert!(parsed.diagnostics.is_empty());
}

fn findings_value(mut value: Value, edit: impl FnOnce(&mut Value)) -> Value {
    edit(&mut value);
    value
}

#[test]
fn build_is_free_form() {
    for build in [json!(null), json!("text"), json!([1, 2.5]), json!({ "tool": { "deep": [true] } })] {
        let diagnostics = findings(spec_example(), |v| set(v, "/build", build.clone()));
        assert!(diagnostics.is_empty(), "{build}: {diagnostics:#?}");
    }
}

#[test]
fn a_disabled_preload_may_carry_a_valid_slot() {
    let value = findings_value(spec_example(), |v| set(v, "/preload", json!({ "enabled": false, "slot": 3 })));
    assert_eq!(parse_value(&value).declaration.unwrap().preload, Preload { enabled: false, slot: Some(3) });
}

#[test]
fn the_last_preload_slot_is_accepted() {
    let slot = PRELOAD_SLOTS - 1;
    let value = findings_value(spec_example(), |v| set(v, "/preload/slot", json!(slot)));
    assert_eq!(parse_value(&value).declaration.unwrap().preload.slot, Some(slot));
}

#[test]
fn a_64_character_name_is_accepted() {
    let name = "a".repeat(64);
    let value = findings_value(spec_example(), |v| set(v, "/name", json!(name)));
    assert_eq!(parse_value(&value).declaration.unwrap().name, name);
}

// ---------------------------------------------------------------------------
// One test per code
// ---------------------------------------------------------------------------

#[test]
fn declaration_invalid_json_has_line_and_column() {
    let parsed = parse_bytes(b"{\n  \"schema_version\": 1,\n  \"name\": \"hero\",,\n}");
    assert_eq!(codes(&parsed.diagnostics), [Code::DeclarationInvalidJson]);
    let d = &parsed.diagnostics[0];
    assert_eq!((d.line, d.column), (Some(3), Some(18)));
    assert!(d.message.contains("line 3, column 18"), "{}", d.message);
    assert_eq!(parsed.asset_uuid, None);
}

#[test]
fn declaration_invalid_json_for_empty_and_non_utf8_bytes() {
    assert_eq!(codes(&parse_bytes(b"").diagnostics), [Code::DeclarationInvalidJson]);
    assert_eq!(codes(&parse_bytes(b"{\"name\": \"\xff\"}").diagnostics), [Code::DeclarationInvalidJson]);
    assert_eq!(codes(&parse_bytes(b"{} trailing").diagnostics), [Code::DeclarationInvalidJson]);
}

#[test]
fn declaration_invalid_value_when_not_an_object() {
    for text in ["[]", "42", "\"asset\"", "null"] {
        let message = single(parse_bytes(text.as_bytes()).diagnostics, Code::DeclarationInvalidValue);
        assert!(message.contains("must hold a JSON object"), "{message}");
    }
}

#[test]
fn declaration_invalid_value_names_key_expected_and_found() {
    let cases: [(&str, Value, &str); 9] = [
        ("/name", json!(5), "`name` must be a string, found a non-negative integer"),
        ("/type", json!(null), "`type` must be a string, found null"),
        ("/inputs", json!(["tiles/a.png"]), "`inputs` must be an object"),
        ("/inputs/tiles/1", json!(3), "`inputs.tiles[1]` must be a string, found a non-negative integer"),
        ("/artifacts", json!({}), "`artifacts` must be a list"),
        (
            "/artifacts/0/index",
            json!(-1),
            "`artifacts[0].index` must be an integer from 0 to 4294967295, found a negative integer",
        ),
        ("/output/metadata", json!([]), "`output.metadata` must be an object"),
        ("/preload/enabled", json!("yes"), "`preload.enabled` must be true or false, found a string"),
        ("/asset_uuid", json!(""), "`asset_uuid` is empty"),
    ];
    for (pointer, new, expected) in cases {
        let diagnostics = findings(spec_example(), |v| set(v, pointer, new.clone()));
        let message = single(diagnostics, Code::DeclarationInvalidValue);
        assert!(message.contains(expected), "{pointer}: {message}");
    }
}

#[test]
fn a_bare_string_input_is_still_a_list() {
    let diagnostics = findings(spec_example(), |v| set(v, "/inputs/sources", json!("hero.aseprite")));
    let message = single(diagnostics, Code::DeclarationInvalidValue);
    assert!(message.contains("a single input is still a list"), "{message}");
    assert!(message.contains(r#"["hero.aseprite"]"#), "{message}");
}

#[test]
fn a_bare_string_main_role_is_reported_once() {
    let mut value = spec_example();
    remove(&mut value, "/artifacts");
    set(&mut value, "/inputs/tiles", json!("tiles/idle.png"));
    single(parse_value(&value).diagnostics, Code::DeclarationInvalidValue);
}

#[test]
fn free_form_objects_must_be_objects() {
    for key in ["metadata", "codec_configuration", "pipeline"] {
        let diagnostics = findings(spec_example(), |v| set(v, &format!("/output/{key}"), json!("x")));
        let message = single(diagnostics, Code::DeclarationInvalidValue);
        assert!(message.contains(&format!("`output.{key}` must be an object")), "{message}");
    }
}

#[test]
fn declaration_unknown_key_everywhere_lists_accepted_keys() {
    let cases = [
        (
            "/nmae",
            "at the top level",
            "schema_version, asset_uuid, name, type, inputs, artifacts, output, preload, build",
        ),
        ("/output/formt", "in `output`", "format, codec, metadata, codec_configuration, pipeline"),
        ("/preload/slott", "in `preload`", "enabled, slot"),
        ("/artifacts/1/idx", "in `artifacts[1]`", "index, input"),
    ];
    for (pointer, place, accepted) in cases {
        let diagnostics = findings(spec_example(), |v| set(v, pointer, json!(1)));
        let message = single(diagnostics, Code::DeclarationUnknownKey);
        let key = pointer.rsplit('/').next().unwrap();
        assert!(message.contains(&format!("`{key}`")), "{message}");
        assert!(message.contains(place), "{message}");
        assert!(message.contains(accepted), "{message}");
    }
}

#[test]
fn a_misspelt_key_gets_a_suggestion() {
    let cases =
        [("/nmae", "name"), ("/output/formt", "format"), ("/preload/slott", "slot"), ("/artifacts/1/idx", "index")];
    for (pointer, meant) in cases {
        let diagnostics = findings(spec_example(), |v| set(v, pointer, json!(1)));
        let message = single(diagnostics, Code::DeclarationUnknownKey);
        assert!(message.contains(&format!("did you mean `{meant}`?")), "{message}");
    }
    let diagnostics = findings(spec_example(), |v| set(v, "/zzzzzz", json!(1)));
    let message = single(diagnostics, Code::DeclarationUnknownKey);
    assert!(!message.contains("did you mean"), "nothing is close: {message}");
}

#[test]
fn unknown_key_in_loop_lists_loop_keys() {
    let diagnostics = findings(sound_bank(), |v| set(v, "/artifacts/1/loop/stop", json!(3)));
    let message = single(diagnostics, Code::DeclarationUnknownKey);
    assert!(message.contains("`stop`") && message.contains("`artifacts[1].loop`"), "{message}");
    assert!(message.contains("start, end"), "{message}");
}

#[test]
fn loop_is_refused_for_glyph_banks() {
    let diagnostics = findings(spec_example(), |v| set(v, "/artifacts/0/loop", json!({ "start": 0, "end": 10 })));
    let message = single(diagnostics, Code::DeclarationUnknownKey);
    assert!(message.contains("glyph_bank takes no loop points"), "{message}");
    assert!(message.contains("sound_bank"), "{message}");
    assert!(message.contains("accepted keys: index, input)"), "{message}");
}

#[test]
fn loop_points_must_be_non_negative_integers() {
    let diagnostics = findings(sound_bank(), |v| set(v, "/artifacts/1/loop", json!({ "start": -1, "end": 2.5 })));
    assert_eq!(codes(&diagnostics), [Code::DeclarationInvalidValue, Code::DeclarationInvalidValue]);
    assert!(diagnostics[0].message.contains("`artifacts[1].loop.start`"));
    assert!(diagnostics[1].message.contains("`artifacts[1].loop.end`"));
    let missing = findings(sound_bank(), |v| set(v, "/artifacts/1/loop", json!({ "start": 1 })));
    assert!(single(missing, Code::DeclarationMissingKey).contains("`artifacts[1].loop.end`"));
}

#[test]
fn declaration_missing_key_names_the_key() {
    let cases = [
        ("/schema_version", "`schema_version`"),
        ("/asset_uuid", "`asset_uuid`"),
        ("/name", "`name`"),
        ("/inputs", "`inputs`"),
        ("/output", "`output`"),
        ("/output/format", "`output.format`"),
        ("/output/codec", "`output.codec`"),
        ("/preload", "`preload`"),
        ("/preload/enabled", "`preload.enabled`"),
        ("/artifacts/1/index", "`artifacts[1].index`"),
        ("/artifacts/0/input", "`artifacts[0].input`"),
    ];
    for (pointer, key) in cases {
        let diagnostics = findings(spec_example(), |v| remove(v, pointer));
        let message = single(diagnostics, Code::DeclarationMissingKey);
        assert!(message.contains(key), "{pointer}: {message}");
    }
}

#[test]
fn a_missing_type_is_reported_without_follow_up_noise() {
    let diagnostics = findings(spec_example(), |v| remove(v, "/type"));
    assert!(single(diagnostics, Code::DeclarationMissingKey).contains("`type`"));
}

#[test]
fn declaration_schema_version_other_than_1() {
    let parsed = parse_value(&findings_value(spec_example(), |v| {
        set(v, "/schema_version", json!(2));
        set(v, "/new_key", json!(true));
    }));
    let message = single(parsed.diagnostics, Code::DeclarationSchemaVersion);
    assert!(message.contains("schema_version` 2"), "{message}");
    // The uuid is still readable for the registry comparison.
    assert_eq!(parsed.asset_uuid.as_deref(), Some("3f1c2a9e-5d7b-4c1e-9f0a-2b6d8e4c7a10"));
    let not_integer = findings(spec_example(), |v| set(v, "/schema_version", json!("1")));
    single(not_integer, Code::DeclarationInvalidValue);
}

#[test]
fn asset_name_invalid() {
    for name in ["", "my hero", "héro", "a/b", &"x".repeat(65)] {
        let diagnostics = findings(spec_example(), |v| set(v, "/name", json!(name)));
        let message = single(diagnostics, Code::AssetNameInvalid);
        assert!(message.contains("1 to 64 characters"), "{message}");
    }
}

#[test]
fn asset_type_unknown_lists_known_types() {
    let diagnostics = findings(spec_example(), |v| set(v, "/type", json!("tileset")));
    let message = single(diagnostics, Code::AssetTypeUnknown);
    assert!(message.contains("`tileset`") && message.contains("glyph_bank, sound_bank"), "{message}");
}

#[test]
fn output_format_mismatch() {
    let diagnostics = findings(spec_example(), |v| set(v, "/output/format", json!("SOUNDS/pcm16le_v1")));
    let message = single(diagnostics, Code::OutputFormatMismatch);
    assert!(message.contains("GLYPH/indexed_v1"), "{message}");
}

#[test]
fn codec_unsupported() {
    let diagnostics = findings(spec_example(), |v| set(v, "/output/codec", json!("LZ4")));
    let message = single(diagnostics, Code::CodecUnsupported);
    assert!(message.contains("`LZ4`") && message.contains("`NONE`"), "{message}");
}

#[test]
fn main_role_missing() {
    let diagnostics = findings(sound_bank(), |v| {
        remove(v, "/inputs/samples");
        remove(v, "/artifacts");
    });
    let message = single(diagnostics, Code::MainRoleMissing);
    assert!(message.contains("`samples`") && message.contains("sound_bank"), "{message}");
}

#[test]
fn input_path_invalid_for_every_path_rule() {
    for path in ["../x.png", "/abs.png", "a\\b.png", "a//b.png", "./a.png", "", "tiles/"] {
        let diagnostics = findings(spec_example(), |v| set(v, "/inputs/sources", json!(["ok.txt", path])));
        let message = single(diagnostics, Code::InputPathInvalid);
        assert!(message.contains("`inputs.sources[1]`"), "{message}");
    }
}

#[test]
fn artifact_input_unknown() {
    let diagnostics = findings(spec_example(), |v| set(v, "/artifacts/1/input", json!("tiles/jump.png")));
    let message = single(diagnostics, Code::ArtifactInputUnknown);
    assert!(message.contains("`tiles/jump.png`") && message.contains("`inputs.tiles`"), "{message}");
    // An input of another role is not selectable either.
    let other_role = findings(spec_example(), |v| {
        set(v, "/inputs/sources", json!(["hero.aseprite"]));
        set(v, "/artifacts/1/input", json!("hero.aseprite"));
    });
    single(other_role, Code::ArtifactInputUnknown);
}

#[test]
fn artifact_indices_not_contiguous() {
    let repeated = findings(spec_example(), |v| set(v, "/artifacts/1/index", json!(0)));
    let message = single(repeated, Code::ArtifactIndicesNotContiguous);
    assert!(message.contains("repeated: 0") && message.contains("missing: 1"), "{message}");

    let gap = findings(spec_example(), |v| set(v, "/artifacts/1/index", json!(2)));
    let message = single(gap, Code::ArtifactIndicesNotContiguous);
    assert!(message.contains("missing: 1") && !message.contains("repeated"), "{message}");

    let not_from_zero = findings(spec_example(), |v| {
        set(v, "/artifacts/0/index", json!(1));
        set(v, "/artifacts/1/index", json!(2));
    });
    single(not_from_zero, Code::ArtifactIndicesNotContiguous);
}

#[test]
fn artifacts_empty_is_a_warning_and_the_declaration_stands() {
    let explicit = parse_value(&findings_value(spec_example(), |v| set(v, "/artifacts", json!([]))));
    assert_eq!(codes(&explicit.diagnostics), [Code::ArtifactsEmpty]);
    assert_eq!(explicit.diagnostics[0].severity, Severity::Warning);
    assert!(explicit.declaration.unwrap().artifacts.is_empty());

    let derived = parse_value(&findings_value(spec_example(), |v| {
        remove(v, "/artifacts");
        set(v, "/inputs/tiles", json!([]));
    }));
    assert_eq!(codes(&derived.diagnostics), [Code::ArtifactsEmpty]);
    assert!(derived.declaration.is_some());
}

#[test]
fn preload_slot_missing() {
    let diagnostics = findings(spec_example(), |v| remove(v, "/preload/slot"));
    let message = single(diagnostics, Code::PreloadSlotMissing);
    assert!(message.contains("0 to 15"), "{message}");
}

#[test]
fn preload_slot_invalid_even_when_disabled() {
    for (enabled, slot) in
        [(true, json!(16)), (true, json!(-1)), (true, json!("0")), (true, json!(1.0)), (false, json!(99))]
    {
        let diagnostics = findings(spec_example(), |v| set(v, "/preload", json!({ "enabled": enabled, "slot": slot })));
        let message = single(diagnostics, Code::PreloadSlotInvalid);
        assert!(message.contains("from 0 to 15"), "{message}");
    }
}

// ---------------------------------------------------------------------------
// Partial reads
// ---------------------------------------------------------------------------

#[test]
fn asset_uuid_is_readable_when_the_rest_is_broken() {
    let parsed = parse_bytes(br#"{"asset_uuid": "keep-me", "type": 3, "extra": 1}"#);
    assert_eq!(parsed.asset_uuid.as_deref(), Some("keep-me"));
    assert!(parsed.declaration.is_none());
    assert!(parsed.diagnostics.len() >= 4, "{:#?}", parsed.diagnostics);
}

#[test]
fn every_problem_is_reported_in_one_pass() {
    let diagnostics = findings(spec_example(), |v| {
        set(v, "/name", json!("bad name"));
        set(v, "/output/codec", json!("ZIP"));
        set(v, "/output/format", json!("X"));
        set(v, "/preload/slot", json!(40));
        set(v, "/artifacts/1/input", json!("nope.png"));
        set(v, "/colour", json!(1));
    });
    let mut found = codes(&diagnostics);
    found.sort();
    let mut expected = vec![
        Code::DeclarationUnknownKey,
        Code::AssetNameInvalid,
        Code::ArtifactInputUnknown,
        Code::OutputFormatMismatch,
        Code::CodecUnsupported,
        Code::PreloadSlotInvalid,
    ];
    expected.sort();
    assert_eq!(found, expected);
}

#[test]
fn an_unknown_type_skips_family_rules_but_checks_the_rest() {
    let diagnostics = findings(spec_example(), |v| {
        set(v, "/type", json!("tileset"));
        set(v, "/artifacts/0/loop", json!({ "start": 0, "end": 1 }));
        set(v, "/output/codec", json!("ZIP"));
    });
    assert_eq!(codes(&diagnostics), [Code::AssetTypeUnknown, Code::CodecUnsupported]);
}

#[test]
fn findings_carry_the_line_and_column_of_their_key() {
    // `"formt"` on line 12, column 5 of the spec example, written with CRLF.
    let text = SPEC_EXAMPLE.replace("\"format\"", "\"formt\"").replace('\n', "\r\n");
    let found = parse_bytes(text.as_bytes()).diagnostics;
    assert_eq!(found.len(), 1, "one typo, one finding: {found:#?}");
    let d = &found[0];
    assert_eq!(d.code, Code::DeclarationUnknownKey);
    assert!(d.message.contains("did you mean `format`"), "{}", d.message);
    assert_eq!((d.line, d.column), (Some(12), Some(5)), "{d:#?}");

    // A value of the wrong type is placed at its key; a missing key at the object lacking it.
    let text = SPEC_EXAMPLE.replace("\"enabled\": true", "\"enabled\": \"yes\"");
    let found = parse_bytes(text.as_bytes()).diagnostics;
    assert_eq!(codes(&found), [Code::DeclarationInvalidValue]);
    assert_eq!((found[0].line, found[0].column), (Some(20), Some(16)), "{:#?}", found[0]);
    let text = SPEC_EXAMPLE.replace("\"codec\": \"NONE\",", "");
    let found = parse_bytes(text.as_bytes()).diagnostics;
    assert_eq!(codes(&found), [Code::DeclarationMissingKey]);
    assert_eq!((found[0].line, found[0].column), (Some(11), Some(3)), "at `output`: {:#?}", found[0]);
}

#[test]
fn a_misspelt_required_key_is_one_finding() {
    let text = SPEC_EXAMPLE.replace("\"preload\"", "\"preloa\"");
    let found = parse_bytes(text.as_bytes()).diagnostics;
    assert_eq!(codes(&found), [Code::DeclarationUnknownKey], "{found:#?}");
    assert!(found[0].message.contains("did you mean `preload`"), "{}", found[0].message);
    assert_eq!(found[0].line, Some(20));
}
