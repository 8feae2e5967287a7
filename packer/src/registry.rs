//! The asset registry `assets/.prometeu/index.json`: the authority on which
//! roots are registered and on `asset_id`. Reading with structural checks,
//! and the mutations (register, include, exclude, forget) with atomic writes.

use camino::Utf8Path;
use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;
use crate::lane::LaneGuard;

/// Project-relative location of the registry (local).
pub const REGISTRY_PATH: &str = "assets/.prometeu/index.json";
/// The directory every registry `root` is relative to.
pub const ASSETS_DIR: &str = "assets";
pub const REGISTRY_SCHEMA_VERSION: u64 = 1;

/// The registry file (keys local). Field order is the written order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registry {
    pub schema_version: u64,
    pub next_asset_id: u32,
    pub assets: Vec<RegistryEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryEntry {
    pub asset_id: u32,
    pub asset_uuid: String,
    /// Relative to `assets/`, `/`-separated.
    pub root: String,
    pub included_in_build: bool,
}

impl Registry {
    pub fn empty() -> Registry {
        Registry { schema_version: REGISTRY_SCHEMA_VERSION, next_asset_id: 1, assets: Vec::new() }
    }
}

/// What reading the registry found: the entries that could be read, and the
/// structural findings (all blocking). A missing file is an empty registry.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryRead {
    pub registry: Registry,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads and structurally checks the registry (no look at the roots on disk).
pub fn read(project: &Utf8Path) -> RegistryRead {
    let _ = project;
    todo!("registry read")
}

/// A registry mutation that could not be done; says what to do.
#[derive(Debug)]
pub enum MutationError {
    /// The registry itself is broken; fix these first.
    Invalid(Vec<Diagnostic>),
    /// The root is not usable as written (path rules, no `asset.json`, …).
    BadRoot { root: String, reason: String },
    AlreadyRegistered { root: String, asset_id: u32 },
    NotRegistered { root: String },
    Io(std::io::Error),
}

impl std::fmt::Display for MutationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let _ = f;
        todo!("mutation error messages")
    }
}

impl std::error::Error for MutationError {}

/// Registers `root` (relative to `assets/`): allocates `next_asset_id`, copies
/// the uuid from its `asset.json`, includes it in the build.
pub fn register(lane: &LaneGuard, root: &str) -> Result<RegistryEntry, MutationError> {
    let _ = (lane, root);
    todo!("register")
}

/// Sets `included_in_build` for a registered root.
pub fn set_included(lane: &LaneGuard, root: &str, included: bool) -> Result<RegistryEntry, MutationError> {
    let _ = (lane, root, included);
    todo!("include/exclude")
}

/// Removes a root from the registry. Its id is never reused.
pub fn forget(lane: &LaneGuard, root: &str) -> Result<RegistryEntry, MutationError> {
    let _ = (lane, root);
    todo!("forget")
}

pub fn check_roots(project: &Utf8Path, registry: &Registry) -> Vec<Diagnostic> {
    let _ = (project, registry);
    todo!()
}

pub fn find_unregistered(project: &Utf8Path, registry: &Registry) -> Vec<String> {
    let _ = (project, registry);
    todo!()
}

pub fn unregistered_diagnostic(root: &str) -> Diagnostic {
    let _ = root;
    todo!()
}
