//! `docs/schemas/cartridge.schema.json` is the one the reading type
//! generates; it accepts the starter project's `cartridge.toml` and refuses a
//! misspelt key. `PROMETEU_BLESS_SCHEMAS=1` rewrites a stale file instead.

use prometeu_test_support::repo_root;
use serde_json::Value;

fn generated() -> Value {
    serde_json::to_value(prometeu_manifest::cartridge_schema()).unwrap()
}

fn errors(instance: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(&generated()).unwrap();
    validator.iter_errors(instance).map(|e| e.to_string()).collect()
}

/// `cartridge.toml` as the JSON an editor's TOML schema check sees.
fn starter_cartridge() -> Value {
    let text = std::fs::read_to_string(repo_root().join("templates/starter/cartridge.toml")).unwrap();
    let table: toml::Table = toml::from_str(&text).unwrap();
    serde_json::to_value(table).unwrap()
}

#[test]
fn the_committed_schema_is_generated_from_the_reading_type() {
    let path = repo_root().join("docs/schemas/cartridge.schema.json");
    if std::env::var_os("PROMETEU_BLESS_SCHEMAS").is_some() {
        let mut text = serde_json::to_string_pretty(&generated()).unwrap();
        text.push('\n');
        std::fs::write(&path, text).unwrap();
    }
    let committed: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(
        committed == generated(),
        "{path} is stale: run `PROMETEU_BLESS_SCHEMAS=1 cargo test -p prometeu-manifest --test it schema`"
    );
}

#[test]
fn the_starter_cartridge_passes_and_a_misspelt_key_fails() {
    let mut cartridge = starter_cartridge();
    assert_eq!(errors(&cartridge), Vec::<String>::new());
    let title = cartridge.as_object_mut().unwrap().remove("title").unwrap();
    cartridge["titel"] = title;
    assert!(!errors(&cartridge).is_empty());
}

#[test]
fn the_reader_accepts_exactly_the_schemas_keys() {
    let schema = generated();
    let mut properties: Vec<&str> = schema["properties"].as_object().unwrap().keys().map(String::as_str).collect();
    properties.sort_unstable();
    let mut keys = prometeu_manifest::top_level_keys().to_vec();
    keys.sort_unstable();
    assert_eq!(keys, properties);
}
