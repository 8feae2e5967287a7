//! Where things live in a project: every directory and file name the tool
//! reads or writes, relative to the project directory, in one place.

/// The asset workspace; every registry `root` is relative to it.
pub const ASSETS_DIR: &str = "assets";
/// The registry (local).
pub const REGISTRY_PATH: &str = "assets/.prometeu/index.json";
/// The declaration file of every asset root (fixed).
pub const DECLARATION_FILE: &str = "asset.json";
/// Where `assets new` stages an asset and records its intent before the
/// asset appears under `assets/` (inside the registry directory, which the
/// discovery walk never treats as an asset root).
pub const NEW_ASSET_STAGING: &str = "assets/.prometeu/new";
/// The JSON Schema of `asset.json`, written by `assets new` so that each
/// declaration's `$schema` can point at it without a network.
pub const DECLARATION_SCHEMA_PATH: &str = "assets/.prometeu/asset.schema.json";

/// Every output lives here (fixed).
pub const BUILD_DIR: &str = "build";
/// The compiler's output inside `build/` (fixed).
pub const PROGRAM_FILE: &str = "program.pbx";
/// The generated manifest inside `build/` (fixed). It is also the commit
/// point of a whole preparation: any step that publishes new outputs
/// withdraws it first, so a `build/` holding it is one complete, coherent
/// preparation.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The asset pack inside `build/` (fixed).
pub const ASSETS_PA: &str = "assets.pa";
/// Companion: the header's `asset_table`, canonical JSON (fixed).
pub const ASSET_TABLE_JSON: &str = "asset_table.json";
/// Companion: the header's `preload`, canonical JSON (fixed).
pub const PRELOAD_JSON: &str = "preload.json";
/// Companion: per-asset provenance and hashes (fixed).
pub const ASSET_TABLE_METADATA_JSON: &str = "asset_table_metadata.json";
/// Everything a pack publishes, promoted together.
pub const PACK_OUTPUTS: [&str; 4] = [ASSETS_PA, ASSET_TABLE_JSON, PRELOAD_JSON, ASSET_TABLE_METADATA_JSON];
/// Which operation published `program.pbx`, inside `build/` (local),
/// promoted with it; see `exec::origin`.
pub const PROGRAM_ORIGIN: &str = ".program.origin";
/// Which operation published the pack outputs, inside `build/` (local),
/// promoted with them; see `exec::origin`.
pub const PACK_ORIGIN: &str = ".assets.origin";
/// Kept logs, inside `build/` (local): `build/logs/<command>.jsonl`.
pub const LOG_DIR: &str = "logs";

/// Project-relative path of an asset root's declaration: `assets/<root>/asset.json`.
pub fn declaration_path(root: &str) -> String {
    format!("{ASSETS_DIR}/{root}/{DECLARATION_FILE}")
}

/// Project-relative path of an asset root: `assets/<root>`.
pub fn root_path(root: &str) -> String {
    RootPath(root).to_string()
}

/// `root_path` without building it: written (or serialized) where it goes.
pub(crate) struct RootPath<'a>(pub(crate) &'a str);

impl std::fmt::Display for RootPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{ASSETS_DIR}/{}", self.0)
    }
}

impl serde::Serialize for RootPath<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Whether `rel` (relative to `assets/`) is the directory holding the registry.
pub(crate) fn is_registry_dir(rel: &str) -> bool {
    camino::Utf8Path::new(REGISTRY_PATH).parent() == Some(camino::Utf8Path::new(ASSETS_DIR).join(rel).as_path())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_dir_is_recognised_relative_to_assets() {
        assert!(is_registry_dir(".prometeu"));
        assert!(!is_registry_dir("hero"));
        assert!(!is_registry_dir("hero/.prometeu"));
    }
}
