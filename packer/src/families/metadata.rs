//! Metadata convergence (fixed): `output.metadata` at the root,
//! `output.codec_configuration` under `codec`, `output.pipeline` under
//! `pipeline`, plus the family's derived keys — into one integer-only object.

use prometeu_pa::Metadata;
use serde_json::{Map, Value};

use crate::support::diag::AssetRef;
use crate::support::diag::{Code, Diagnostic};
use crate::workspace::declaration::{JsonObject, Output};

/// Deepest nesting of arrays and objects allowed inside metadata (local).
/// The header holds metadata three levels down, and JSON readers (this
/// tool's verifier among them) refuse documents nested past 128 levels.
pub const MAX_METADATA_DEPTH: usize = 32;

/// Merges the declared and derived metadata of one asset into its canonical
/// text, the one form the plan and the header hold.
pub fn converge(
    asset: &AssetRef<'_>,
    output: &Output,
    derived: &Map<String, Value>,
) -> Result<Metadata, Vec<Diagnostic>> {
    // Each source parsed once, for the float and depth checks and the merge.
    let sources = user_sources(output);
    // Reported after the collisions, in this order.
    let mut shape = float_findings(asset, &sources);
    shape.extend(depth_findings(asset, &sources));
    let [(_, metadata), (_, codec), (_, pipeline)] = sources;
    let mut merged = match metadata {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let mut problems = Vec::new();
    let mut put = |key: &str, value: Value, source: &str, merged: &mut Map<String, Value>| {
        if merged.contains_key(key) {
            problems.push(
                Diagnostic::blocking(
                    Code::MetadataKeyCollision,
                    format!(
                        "metadata key `{key}` is set by `output.metadata` and by {source}; \
                         remove it from `output.metadata`"
                    ),
                )
                .asset(asset.asset_id, asset.root)
                .file(crate::workspace::layout::declaration_path(asset.root)),
            );
        } else {
            merged.insert(key.to_owned(), value);
        }
    };
    if let Some(codec) = codec {
        put("codec", codec, "`output.codec_configuration`", &mut merged);
    }
    if let Some(pipeline) = pipeline {
        put("pipeline", pipeline, "`output.pipeline`", &mut merged);
    }
    for (key, value) in derived {
        put(key, value.clone(), "the packer (a derived key)", &mut merged);
    }
    problems.extend(shape);
    if !problems.is_empty() {
        return Err(problems);
    }
    // The user's sources were searched for floats above; the derived keys are integers.
    Metadata::from_map(&merged).map_err(|at| {
        vec![
            Diagnostic::blocking(Code::MetadataFloat, format!("metadata `{}` is a floating-point number", at.0))
                .asset(asset.asset_id, asset.root)
                .file(crate::workspace::layout::declaration_path(asset.root)),
        ]
    })
}

/// The metadata the user writes, by where it is written, each parsed (an object).
type Sources = [(&'static str, Option<Value>); 3];

fn user_sources(output: &Output) -> Sources {
    let parsed = |object: Option<&JsonObject>| object.map(|object| Value::Object(object.to_map()));
    [
        ("output.metadata", parsed(Some(&output.metadata))),
        ("output.codec_configuration", parsed(output.codec_configuration.as_ref())),
        ("output.pipeline", parsed(output.pipeline.as_ref())),
    ]
}

/// `metadata_float` for every float in the user-supplied metadata sources.
fn float_findings(asset: &AssetRef<'_>, sources: &Sources) -> Vec<Diagnostic> {
    sources
        .iter()
        .filter_map(|(name, map)| {
            let at = prometeu_pa::find_float(map.as_ref()?, String::new())?;
            Some(
                Diagnostic::blocking(
                    Code::MetadataFloat,
                    format!(
                        "`{name}{at}` is a floating-point number; asset metadata is integer-only, \
                         so store it scaled as an integer (for example milli-units)"
                    ),
                )
                .asset(asset.asset_id, asset.root)
                .file(crate::workspace::layout::declaration_path(asset.root)),
            )
        })
        .collect()
}

/// `metadata_too_deep` for every user-supplied source nested past the limit.
fn depth_findings(asset: &AssetRef<'_>, sources: &Sources) -> Vec<Diagnostic> {
    sources
        .iter()
        .filter_map(|(name, map)| {
            let depth = depth(map.as_ref()?);
            (depth > MAX_METADATA_DEPTH).then(|| {
                Diagnostic::blocking(
                    Code::MetadataTooDeep,
                    format!(
                        "`{name}` is nested {depth} levels deep, over the limit of {MAX_METADATA_DEPTH}; \
                         flatten it"
                    ),
                )
                .asset(asset.asset_id, asset.root)
                .file(crate::workspace::layout::declaration_path(asset.root))
            })
        })
        .collect()
}

/// Levels of arrays and objects in `value` (a scalar is 0).
fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn output(metadata: Value, codec: Option<Value>, pipeline: Option<Value>) -> Output {
        let obj = |v: Value| JsonObject::from_map(v.as_object().unwrap());
        Output {
            format: String::new(),
            codec: prometeu_pa::CODEC_NONE.into(),
            metadata: obj(metadata),
            codec_configuration: codec.map(obj),
            pipeline: pipeline.map(obj),
        }
    }

    const A: AssetRef<'static> = AssetRef { asset_id: 1, root: "hero" };

    #[test]
    fn converges_sources_under_their_keys() {
        let out = output(json!({"tile_size": 16}), Some(json!({})), Some(json!({"p": 1})));
        let derived = json!({"width": 256}).as_object().unwrap().clone();
        let merged = converge(&A, &out, &derived).unwrap();
        assert_eq!(
            Value::Object(merged.to_map()),
            json!({"tile_size": 16, "codec": {}, "pipeline": {"p": 1}, "width": 256})
        );
        assert_eq!(merged.as_str(), r#"{"codec":{},"pipeline":{"p":1},"tile_size":16,"width":256}"#);
    }

    #[test]
    fn collisions_and_floats_block() {
        let out = output(json!({"width": 1, "codec": 2, "g": 0.5}), Some(json!({})), None);
        let derived = json!({"width": 256}).as_object().unwrap().clone();
        let codes: Vec<_> = converge(&A, &out, &derived).unwrap_err().iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::MetadataKeyCollision, Code::MetadataKeyCollision, Code::MetadataFloat]);
    }
}
