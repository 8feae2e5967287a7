//! `generate`: the exact manifest bytes and the checks against the build result.

use std::time::Duration;

use crate::common::{Metadata, Project};
use prometeu_manifest::{AppMode, BuildFacts, Compiler, ManifestError, ProjectMeta, generate};

fn meta(capabilities: &[&str]) -> ProjectMeta {
    ProjectMeta {
        app_id: 1001,
        title: "Starter".into(),
        app_version: "0.1.0".into(),
        app_mode: AppMode::Game,
        capabilities: capabilities.iter().map(|c| c.to_string()).collect(),
        compiler: Compiler::Command { argv: vec!["pbsc".into()], timeout: Duration::from_secs(600) },
        run_command: prometeu_manifest::DEFAULT_RUN_COMMAND.map(String::from).to_vec(),
        budget: prometeu_manifest::Budget::default(),
        warnings: vec![],
    }
}

const PACKED: BuildFacts = BuildFacts { assets_pa_produced: true, packed_asset_count: 2 };
const NOT_PACKED: BuildFacts = BuildFacts { assets_pa_produced: false, packed_asset_count: 0 };

fn text(generated: &prometeu_manifest::Generated) -> &str {
    std::str::from_utf8(&generated.bytes).expect("manifest is UTF-8")
}

#[test]
fn exact_bytes_for_a_known_input() {
    let generated = generate(&meta(&["asset", "gfx", "input"]), &PACKED).unwrap();
    assert_eq!(
        text(&generated),
        r#"{"app_id":1001,"app_mode":"Game","app_version":"0.1.0","capabilities":["asset","gfx","input"],"cartridge_version":1,"magic":"PMTU","title":"Starter"}"#
    );
    assert!(generated.warnings.is_empty());
}

#[test]
fn empty_capabilities_are_written_as_an_empty_list() {
    let generated = generate(&meta(&[]), &NOT_PACKED).unwrap();
    assert_eq!(
        text(&generated),
        r#"{"app_id":1001,"app_mode":"Game","app_version":"0.1.0","capabilities":[],"cartridge_version":1,"magic":"PMTU","title":"Starter"}"#
    );
}

#[test]
fn strings_are_escaped_minimally_and_written_as_raw_utf8() {
    let mut m = meta(&[]);
    m.title = "Ação \"Zero\" \\ 🎮".into();
    m.app_mode = AppMode::System;
    m.app_id = u32::MAX;
    let generated = generate(&m, &NOT_PACKED).unwrap();
    let expected = "{\"app_id\":4294967295,\"app_mode\":\"System\",\"app_version\":\"0.1.0\",\"capabilities\":[],\
                    \"cartridge_version\":1,\"magic\":\"PMTU\",\"title\":\"Ação \\\"Zero\\\" \\\\ 🎮\"}";
    assert_eq!(text(&generated), expected);
    assert!(!generated.bytes.ends_with(b"\n"));
}

#[test]
fn manifest_has_exactly_the_fixed_keys() {
    let generated = generate(&meta(&["gfx"]), &NOT_PACKED).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&generated.bytes).unwrap();
    let keys: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["app_id", "app_mode", "app_version", "capabilities", "cartridge_version", "magic", "title"]);
}

#[test]
fn asset_capability_without_assets_pa_is_refused() {
    let e = generate(&meta(&["asset", "gfx"]), &NOT_PACKED).unwrap_err();
    assert_eq!(e, ManifestError::AssetCapabilityWithoutPack);
    let message = e.to_string();
    assert!(message.contains("runtime rejects"), "{message}");
    assert!(message.contains("run the pack step, or remove `asset`"), "{message}");
}

#[test]
fn asset_capability_with_an_empty_pack_is_fine() {
    let facts = BuildFacts { assets_pa_produced: true, packed_asset_count: 0 };
    let generated = generate(&meta(&["asset"]), &facts).unwrap();
    assert!(generated.warnings.is_empty());
}

#[test]
fn packed_assets_without_asset_capability_warn() {
    let generated = generate(&meta(&["gfx"]), &PACKED).unwrap();
    assert_eq!(generated.warnings.len(), 1);
    assert!(generated.warnings[0].contains("the program cannot load its assets"), "{}", generated.warnings[0]);
    assert!(generated.warnings[0].contains("add \"asset\" to `capabilities`"), "{}", generated.warnings[0]);
}

#[test]
fn generation_is_deterministic() {
    let a = generate(&meta(&["gfx"]), &PACKED).unwrap();
    let b = generate(&meta(&["gfx"]), &PACKED).unwrap();
    assert_eq!(a, b);
}

#[test]
fn loaded_project_to_manifest() {
    let project = Project::with_cartridge(
        "app_id = 42\ncapabilities = [\"input\", \"gfx\", \"input\"]\n[compiler]\nprebuilt = \"dist/program.pbx\"\n",
    );
    project.prometeu_json(r#"{"name": "From Json", "version": "2.0.0"}"#);
    let meta = project.load().unwrap();
    let generated = generate(&meta, &NOT_PACKED).unwrap();
    assert_eq!(
        text(&generated),
        r#"{"app_id":42,"app_mode":"Game","app_version":"2.0.0","capabilities":["gfx","input"],"cartridge_version":1,"magic":"PMTU","title":"From Json"}"#
    );
}
