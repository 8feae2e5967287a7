//! The committed JSON Schemas (`docs/schemas/`) are the ones the reading
//! types generate, and they accept the starter project's files and refuse a
//! misspelt key. `PROMETEU_BLESS_SCHEMAS=1` rewrites stale files instead.

use prometeu_packer::{AssetJson, Registry, schema_of};
use serde_json::{Value, json};

use crate::families_common::repo_root;

fn committed(name: &str, generated: &Value) -> Value {
    let path = repo_root().join("docs/schemas").join(name);
    if std::env::var_os("PROMETEU_BLESS_SCHEMAS").is_some() {
        let mut text = serde_json::to_string_pretty(generated).unwrap();
        text.push('\n');
        std::fs::write(&path, text).unwrap();
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn asset_schema() -> Value {
    serde_json::to_value(schema_of::<AssetJson>()).unwrap()
}

fn registry_schema() -> Value {
    serde_json::to_value(schema_of::<Registry>()).unwrap()
}

#[test]
fn committed_schemas_are_generated_from_the_reading_types() {
    for (name, generated) in [("asset.schema.json", asset_schema()), ("index.schema.json", registry_schema())] {
        assert!(
            committed(name, &generated) == generated,
            "docs/schemas/{name} is stale: run `PROMETEU_BLESS_SCHEMAS=1 cargo test -p prometeu-packer --test it schemas`"
        );
    }
}

fn starter_file(rel: &str) -> Value {
    serde_json::from_slice(&std::fs::read(repo_root().join("templates/starter").join(rel)).unwrap()).unwrap()
}

fn errors(schema: &Value, instance: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(schema).unwrap();
    validator.iter_errors(instance).map(|e| e.to_string()).collect()
}

#[test]
fn the_starter_projects_files_pass_and_a_misspelt_key_fails() {
    let schema = asset_schema();
    for rel in ["assets/hero/asset.json", "assets/sfx/asset.json"] {
        assert_eq!(errors(&schema, &starter_file(rel)), Vec::<String>::new(), "{rel}");
    }
    let registry = starter_file("assets/.prometeu/index.json");
    assert_eq!(errors(&registry_schema(), &registry), Vec::<String>::new());

    let mut misspelt = starter_file("assets/hero/asset.json");
    let inputs = misspelt.as_object_mut().unwrap().remove("inputs").unwrap();
    misspelt["imputs"] = inputs;
    assert!(!errors(&schema, &misspelt).is_empty(), "`imputs` must be refused");

    let mut palette_typo = starter_file("assets/hero/asset.json");
    palette_typo["output"]["pipeline"]["palettes"][0]["palette"] = json!({ "colours": ["#000000"] });
    assert!(!errors(&schema, &palette_typo).is_empty(), "`colours` must be refused");

    let mut entry_typo = registry.clone();
    entry_typo["assets"][0]["included"] = json!(true);
    assert!(!errors(&registry_schema(), &entry_typo).is_empty(), "an unknown entry key must be refused");
}

#[test]
fn the_schema_key_is_accepted_by_the_packer_and_the_schema() {
    let mut declaration = starter_file("assets/sfx/asset.json");
    declaration["$schema"] = json!("../.prometeu/asset.schema.json");
    assert!(errors(&asset_schema(), &declaration).is_empty());
    let parsed = prometeu_packer::parse_declaration(
        &serde_json::to_vec(&declaration).unwrap(),
        prometeu_packer::AssetRef { asset_id: 2, root: "sfx" },
        "assets/sfx/asset.json",
    );
    assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
}
