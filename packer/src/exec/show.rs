//! `assets show`: one asset's declaration as the packer sees it — family,
//! inputs, selected artifacts, palettes, the metadata the pack would write
//! and the size it would take — from the same walk and family code as
//! `validate` and the pack.

use std::collections::BTreeMap;

use camino::Utf8Path;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::exec::snapshot::{LiveContent, MaterializationConfig, walk};
use crate::families::{AssetInput, SelectedFile, materialize, metadata};
use crate::support::diag::Diagnostic;

/// What `show_asset` reports.
#[derive(Debug, Clone, Serialize)]
pub struct AssetView {
    /// Registry id.
    pub asset_id: u32,
    /// Registry uuid.
    pub asset_uuid: String,
    /// Relative to `assets/`.
    pub asset_root: String,
    /// Whether the asset is in the build.
    pub included_in_build: bool,
    /// Declared name, when the declaration reads.
    pub asset_name: Option<String>,
    /// `type`, when the declaration reads.
    pub family: Option<&'static str>,
    /// `output.format`, when the declaration reads.
    pub format: Option<String>,
    /// The role the artifacts come from (`tiles`, `sheet`, `samples`).
    pub main_role: Option<&'static str>,
    /// Every declared role with its paths.
    pub inputs: BTreeMap<String, Vec<String>>,
    /// The selected artifacts, by index.
    pub artifacts: Vec<SelectedFile>,
    /// Glyph banks: `output.pipeline.palettes` as declared.
    pub palettes: Option<Value>,
    /// `preload.slot` when preloading is on.
    pub preload_slot: Option<u32>,
    /// The asset's metadata as the pack would write it (declared and derived).
    pub metadata: Option<Map<String, Value>>,
    /// Payload bytes in `assets.pa`.
    pub size: Option<u64>,
    /// Bytes once resident in the runtime.
    pub decoded_size: Option<u64>,
    /// Every finding about the asset (blocking ones leave the sizes and metadata out).
    pub diagnostics: Vec<Diagnostic>,
}

/// The view of the registered root `root`; `None` when no such root is registered.
pub fn show_asset(project: &Utf8Path, root: &str) -> Option<AssetView> {
    let snapshot = walk(project, MaterializationConfig::runtime_checks());
    let asset = snapshot.assets.iter().find(|a| *a.entry.root == *root)?;
    let decl = snapshot.declaration(asset);
    let decl = decl.as_ref();
    let mut view = AssetView {
        asset_id: asset.entry.asset_id,
        asset_uuid: asset.entry.asset_uuid.to_string(),
        asset_root: asset.entry.root.to_string(),
        included_in_build: asset.entry.included_in_build,
        asset_name: decl.map(|d| d.name.clone()),
        family: decl.map(|d| d.family.type_name()),
        format: decl.map(|d| d.output.format.clone()),
        main_role: decl.map(|d| d.main_role()),
        inputs: decl.map(|d| BTreeMap::from(&d.inputs)).unwrap_or_default(),
        artifacts: decl.map(|d| asset.selected(d)).unwrap_or_default(),
        palettes: decl.and_then(|d| d.output.pipeline.as_ref()?.get("palettes")),
        preload_slot: decl.and_then(|d| d.preload.enabled_slot()),
        metadata: None,
        size: None,
        decoded_size: None,
        diagnostics: asset.diagnostics.to_vec(),
    };
    if let Some(decl) = decl.filter(|_| !crate::support::diag::any_blocking(&asset.diagnostics)) {
        let content = LiveContent::new(project);
        let input = AssetInput { asset: asset.asset_ref(), decl, files: &view.artifacts, content: &content };
        match materialize(&input) {
            Ok(built) => {
                view.size = Some(built.payload.len() as u64);
                view.decoded_size = Some(built.decoded_size);
                view.diagnostics.extend(built.warnings);
                match metadata::converge(&asset.asset_ref(), &decl.output, &built.derived) {
                    Ok(merged) => view.metadata = Some(merged.to_map()),
                    Err(problems) => view.diagnostics.extend(problems),
                }
            }
            Err(problems) => view.diagnostics.extend(problems),
        }
    }
    Some(view)
}
