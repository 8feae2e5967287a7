//! The typed shapes of `asset.json` and the registry, from which their JSON
//! Schemas (`docs/schemas/`) are generated and from which the readers take
//! their accepted keys: one description of each file, read, written and
//! published from the same types. The readers still walk the JSON by hand
//! for their messages (their accepted keys are `prometeu_shape::field_names`
//! of these types); `declaration::parse` also deserializes every
//! declaration it accepts into `AssetJson`, so the two cannot drift apart.

use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `asset.json`, schema version 1 (keys local where the reference leaves them open).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Prometeu asset.json", description = "One asset's declaration (docs/reference/asset-json.md).")]
pub struct AssetJson {
    /// Editors' schema reference; ignored by the packer.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub schema: Option<String>,
    /// Always 1.
    #[schemars(range(min = 1, max = 1))]
    pub schema_version: u64,
    /// The asset's stable identity; must equal the registry entry's.
    #[schemars(length(min = 1))]
    pub asset_uuid: String,
    /// The runtime asset name: 1 to 64 of `A-Z a-z 0-9 _ - .`.
    #[schemars(regex(pattern = r"^[A-Za-z0-9_.\-]{1,64}$"))]
    pub name: String,
    /// The asset family.
    #[serde(rename = "type")]
    pub family: FamilyName,
    /// Role → paths relative to the asset root. A glyph bank uses `tiles` or
    /// `sheet` (exactly one image); a sound bank `samples`.
    pub inputs: BTreeMap<String, Vec<String>>,
    /// The selected artifacts; absent: every main-role input, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<ArtifactJson>")]
    pub artifacts: Option<Vec<ArtifactJson>>,
    /// Format, codec and the metadata sources.
    pub output: OutputJson,
    /// Whether and where the runtime loads the asset at start.
    pub preload: PreloadJson,
    /// Free-form, never read by the packer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<Value>,
}

/// The `type` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FamilyName {
    /// Tiles on a 256×256 4-bit sheet plus 64 palettes.
    GlyphBank,
    /// PCM16 mono samples.
    SoundBank,
}

/// One `artifacts[i]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArtifactJson {
    /// Position in the bank; across artifacts exactly `0..n`.
    pub index: u32,
    /// One of the main role's paths.
    pub input: String,
    /// Loop points in frames (sound banks only).
    #[serde(rename = "loop", default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "LoopJson")]
    pub loop_points: Option<LoopJson>,
}

/// `artifacts[i].loop`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoopJson {
    /// First frame of the loop, inclusive.
    pub start: u64,
    /// End frame, exclusive.
    pub end: u64,
}

/// `output`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputJson {
    /// `GLYPH/indexed_v1` or `SOUNDS/pcm16le_v1`, matching `type`.
    #[schemars(extend("enum" = ["GLYPH/indexed_v1", "SOUNDS/pcm16le_v1"]))]
    pub format: String,
    /// Always `NONE`.
    #[schemars(extend("const" = "NONE"))]
    pub codec: String,
    /// Copied into the asset's metadata (integers, strings, booleans; no floats).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "MetadataJson")]
    pub metadata: Option<MetadataJson>,
    /// Copied to metadata key `codec`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Map<String, Value>")]
    pub codec_configuration: Option<Map<String, Value>>,
    /// Copied to metadata key `pipeline`; a glyph bank reads its `palettes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "PipelineJson")]
    pub pipeline: Option<PipelineJson>,
}

/// `output.metadata`: free-form, with the keys a family reads described.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MetadataJson {
    /// Glyph banks: tile side in pixels. Read as any JSON value here: the
    /// family reports a wrong one in its own words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u32", extend("enum" = [8, 16, 32]))]
    pub tile_size: Option<Value>,
    /// Any other key, copied as is.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `output.pipeline`: free-form, with the glyph palettes described.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PipelineJson {
    /// Glyph banks: the palettes; the lowest `index` is the authoring palette.
    /// Read as any JSON value here: the family checks it, in its own words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<PaletteEntryJson>", length(min = 1, max = 64))]
    pub palettes: Option<Value>,
    /// Any other key, copied as is.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// One `output.pipeline.palettes[i]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PaletteEntryJson {
    /// Palette slot, 0 to 63.
    #[schemars(range(max = 63))]
    pub index: u32,
    /// Its colours.
    pub palette: PaletteJson,
}

/// `palettes[i].palette`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PaletteJson {
    /// 1 to 16 `#rrggbb` colours.
    #[schemars(length(min = 1, max = 16), inner(regex(pattern = r"^#[0-9A-Fa-f]{6}$")))]
    pub colors: Vec<String>,
}

/// `preload`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PreloadJson {
    /// Whether the runtime loads the asset at start.
    pub enabled: bool,
    /// Required when `enabled`; 0 to 15.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u32", range(max = 15))]
    pub slot: Option<u32>,
}

/// The JSON Schema of `T`, as committed under `docs/schemas/`. Optional keys
/// are described by their value's type (the readers refuse `null` for them).
pub fn schema_of<T: JsonSchema>() -> Schema {
    SchemaGenerator::default().into_root_schema_for::<T>()
}
