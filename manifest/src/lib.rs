//! Cartridge metadata (`cartridge.toml`, `prometeu.json`) to `manifest.json`.
//!
//! [`find_project`] locates the project, [`load`] reads and checks its
//! metadata into plain data ([`ProjectMeta`]), and [`generate`] turns that plus
//! the facts of the current build into canonical `manifest.json` bytes.
//! Writing the file (staged, then renamed) is the driver's business.

#![warn(missing_docs)]

mod cartridge;
mod error;
mod files;
mod find;
mod manifest;
mod meta;
mod play;
mod project_json;
mod schema;
mod values;

pub use cartridge::{
    DEFAULT_COMPILER_TIMEOUT_SECS, MAX_COMPILER_TIMEOUT_SECS, PLACEHOLDERS, Placeholder, compiler_keys, top_level_keys,
};
pub use error::ConfigError;
pub use find::find_project;
pub use manifest::{BuildFacts, CARTRIDGE_VERSION, Generated, MAGIC, ManifestError, generate};
pub use meta::{ProjectMeta, load};
pub use play::{Budget, DEFAULT_RUN_COMMAND, budget_keys, run_keys};
pub use schema::cartridge_schema;
pub use values::{ASSET_CAPABILITY, AppMode, Compiler, KNOWN_CAPABILITIES, TITLE_MAX_CHARS};

/// The project's cartridge metadata file; its presence marks a project (local).
pub const CARTRIDGE_FILE: &str = "cartridge.toml";
/// The PBS compiler's project file (fixed), read for defaults only.
pub const PROJECT_JSON_FILE: &str = "prometeu.json";
