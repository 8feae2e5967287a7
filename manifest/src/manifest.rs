//! `manifest.json` generation: project metadata plus facts of the current
//! build, serialized as canonical JSON.

use std::fmt;

use serde::Serialize;

use crate::meta::ProjectMeta;
use crate::values::ASSET_CAPABILITY;

/// `magic` (fixed constant).
pub const MAGIC: &str = "PMTU";
/// `cartridge_version` (fixed constant).
pub const CARTRIDGE_VERSION: u32 = 1;

/// The manifest, exactly its fixed keys: nothing may be added here that
/// the runtime has not defined (it removed `entrypoint`, `asset_table`, `preload`).
/// Fields are declared in byte order of their keys: serde writes struct
/// fields in declaration order, so the canonical key order holds however
/// `serde_json` is compiled (its `preserve_order` feature would keep map
/// order, and any crate in a game's dependency graph may enable it).
#[derive(Debug, Serialize)]
struct Manifest<'m> {
    app_id: u32,
    app_mode: &'static str,
    app_version: &'m str,
    capabilities: &'m [String],
    cartridge_version: u32,
    magic: &'static str,
    title: &'m str,
}

/// What the current preparation produced, as far as the manifest cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BuildFacts {
    /// This preparation's pack step wrote `build/assets.pa`.
    pub assets_pa_produced: bool,
    /// Assets in that `assets.pa` (0 when none was produced).
    pub packed_asset_count: usize,
}

/// A generated manifest and the warnings found generating it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// Canonical JSON: sorted keys, no whitespace, no trailing newline.
    pub bytes: Vec<u8>,
    /// Generation's own findings (for example: assets were packed but capability `asset` is not declared),
    /// as plain sentences without a `file:line:column:` prefix; empty when there are none. None of them
    /// stops the manifest from being written.
    pub warnings: Vec<String>,
}

/// Why no manifest can be generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManifestError {
    /// `asset` is declared but this preparation produced no `assets.pa`: the
    /// runtime rejects such a cartridge.
    AssetCapabilityWithoutPack,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ManifestError::AssetCapabilityWithoutPack => write!(
                f,
                "capability `{ASSET_CAPABILITY}` is declared but this preparation produced no assets.pa, \
                 and the runtime rejects such a cartridge; run the pack step, \
                 or remove `{ASSET_CAPABILITY}` from `capabilities` in cartridge.toml"
            ),
        }
    }
}

impl std::error::Error for ManifestError {}

/// Generates `manifest.json` from `meta` (as [`crate::load`] returns it: the
/// values are not checked again) and this build's `facts`. The warnings are
/// generation's own; `meta.warnings` stay with `meta`.
///
/// # Errors
/// [`ManifestError::AssetCapabilityWithoutPack`]: capability `asset` is
/// declared but `facts` say no `assets.pa` was produced.
pub fn generate(meta: &ProjectMeta, facts: &BuildFacts) -> Result<Generated, ManifestError> {
    let declares_asset = meta.capabilities.iter().any(|c| c == ASSET_CAPABILITY);
    if declares_asset && !facts.assets_pa_produced {
        return Err(ManifestError::AssetCapabilityWithoutPack);
    }
    let mut warnings = Vec::new();
    if facts.packed_asset_count > 0 && !declares_asset {
        warnings.push(assets_unreachable(facts.packed_asset_count));
    }
    Ok(Generated { bytes: canonical_bytes(meta), warnings })
}

fn assets_unreachable(count: usize) -> String {
    format!(
        "the pack produced {count} asset(s) but capability `{ASSET_CAPABILITY}` is not declared, \
         so the program cannot load its assets; add \"{ASSET_CAPABILITY}\" to `capabilities` in cartridge.toml"
    )
}

fn canonical_bytes(meta: &ProjectMeta) -> Vec<u8> {
    let manifest = Manifest {
        magic: MAGIC,
        cartridge_version: CARTRIDGE_VERSION,
        app_id: meta.app_id,
        title: &meta.title,
        app_version: &meta.app_version,
        app_mode: meta.app_mode.as_str(),
        capabilities: &meta.capabilities,
    };
    // The compact writer escapes minimally; strings and integers only, so it cannot fail.
    serde_json::to_vec(&manifest).expect("a manifest of strings and integers is valid JSON")
}
