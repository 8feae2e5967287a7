//! The Prometeu packer: everything between a project's `assets/` directory
//! and a byte-deterministic `build/assets.pa` with its companions.
//!
//! Map (see `ARCHITECTURE.md`): `registry` and `declaration` read the
//! workspace; `family`, `glyph`, `sound` turn inputs into payloads;
//! `metadata` converges metadata; `snapshot` is the one discovery walk;
//! `gate` runs every check; `pa` is the file format; `lane` and `stage`
//! make writes serialized and all-or-nothing; `pack` is `pack_workspace`.

pub mod canonical;
pub mod declaration;
pub mod diag;
pub mod family;
pub mod glyph;
pub mod lane;
pub mod log;
pub mod metadata;
pub mod pa;
pub mod paths;
pub mod registry;
pub mod report;
pub mod sound;

pub use diag::{Code, Diagnostic, Severity};

/// Project-relative directory for every output (upstream).
pub const BUILD_DIR: &str = "build";

/// `build/manifest.json` is the commit point of a whole preparation
/// (upstream): any step that publishes new outputs withdraws it first, so a
/// `build/` holding it is always one complete, coherent preparation.
pub const PREPARATION_MARKER: &str = "manifest.json";
pub mod gate;
pub mod pack;
pub mod snapshot;
pub mod stage;
pub mod testpoint;

pub use pack::{PackOptions, PackOutcome, PackResult, pack_workspace};
