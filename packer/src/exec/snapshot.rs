//! The one discovery walk over the asset workspace, and its materialization
//! into a snapshot.
//!
//! The walker discovers every registered root: its `asset.json`, its
//! declared inputs and every other file under it, as `Probe`s. A
//! `MaterializationConfig` then decides what leaves the walk: `Runtime` mode
//! (summary, validation, listing) keeps no content bytes; `Packing` mode keeps
//! the bytes of build-relevant files, and its filter keeps only those files.
//! A packing snapshot is frozen: packing reads input bytes from it alone.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::SystemTime;

use crate::workspace::family::Family;
use camino::{Utf8Path, Utf8PathBuf};

use crate::families::{Content, SelectedFile};
use crate::support::diag::AssetRef;
use crate::support::diag::{Code, Diagnostic};
use crate::workspace::declaration::{self, Declaration};
use crate::workspace::layout::ASSETS_DIR;
use crate::workspace::layout::DECLARATION_FILE;
use crate::workspace::paths::{self, Resolve};
use crate::workspace::registry::{self, Registry, RegistryEntry};

/// Whether materialization keeps content bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalkMode {
    /// No content bytes kept: `summary`, `validate` and `assets list`, which read inputs live if at all.
    Runtime,
    /// Build-relevant bytes read once and kept: the pack's frozen snapshot, its only source of content.
    Packing,
}

/// What a discovered file is to its asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    /// The root's `asset.json`.
    Declaration,
    /// Named by a selected artifact: its bytes become the payload.
    SelectedInput,
    /// Declared under some role but not selected (sources, unselected tiles).
    OtherInput,
    /// Under the root, not named by the declaration (notes, scratch files).
    Unlisted,
}

/// A discovered file, before materialization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// Registry id of the asset whose root holds the file.
    pub asset_id: u32,
    /// Whether that asset is in the active pack set (its registry `included_in_build`).
    pub included_in_build: bool,
    /// Project-relative, `/`-separated.
    pub path: String,
    /// What the file is to its asset.
    pub kind: FileKind,
    /// Length in bytes when discovered (the file may change later; packing then uses the frozen bytes).
    pub size: u64,
    /// Modification time when discovered; `None` where the file system gives none. Never reaches an output.
    pub modified: Option<SystemTime>,
}

/// Probe policies for `MaterializationConfig::projection_filter`.
pub mod policies {
    use super::{FileKind, Probe};

    /// Everything discovered survives.
    pub fn keep_all(_: &Probe) -> bool {
        true
    }

    /// Files of the current build: the declaration and the selected inputs
    /// of an asset that is registered and included in the build.
    pub fn is_included_in_current_build(probe: &Probe) -> bool {
        probe.included_in_build && matches!(probe.kind, FileKind::Declaration | FileKind::SelectedInput)
    }
}

/// How a walk is exported.
#[derive(Debug, Clone, Copy)]
pub struct MaterializationConfig {
    /// Whether content bytes are kept.
    pub mode: WalkMode,
    /// Which discovered files survive into `Snapshot::files` (see `policies`); checks still see every file.
    pub projection_filter: fn(&Probe) -> bool,
}

impl MaterializationConfig {
    /// Runtime mode keeping every discovered file, without bytes: `summary`, `validate`, `assets list`.
    pub fn runtime_default() -> MaterializationConfig {
        MaterializationConfig { mode: WalkMode::Runtime, projection_filter: policies::keep_all }
    }

    /// Packing mode keeping only the active set's declarations and selected inputs, with their bytes.
    pub fn packing_build() -> MaterializationConfig {
        MaterializationConfig { mode: WalkMode::Packing, projection_filter: policies::is_included_in_current_build }
    }
}

/// A file as it leaves the walk: bytes only in packing mode.
#[derive(Debug, Clone)]
pub struct WalkFile {
    /// What discovery found out about the file.
    pub probe: Probe,
    /// Its content as frozen by the walk: packing mode only, and `None` for a file not read (over its
    /// size limit, or unreadable, which the gate reports).
    pub bytes: Option<Arc<[u8]>>,
}

/// One registered asset as the walk found it.
#[derive(Debug, Clone)]
pub struct AssetSnapshot {
    /// The asset's registry entry, as read.
    pub entry: RegistryEntry,
    /// The parsed `asset.json`; `None` when it cannot be read or is unusable (see `diagnostics`).
    pub declaration: Option<Declaration>,
    /// Findings of discovery: declaration parse, family declaration checks,
    /// input paths that do not resolve inside the root.
    pub diagnostics: Vec<Diagnostic>,
    /// The selected artifacts, resolved (empty when the declaration is unusable).
    pub selected: Vec<SelectedFile>,
    /// Newest modification time over every file of the root.
    pub last_modified: Option<SystemTime>,
}

impl AssetSnapshot {
    /// Id and root, as diagnostics about this asset are tagged.
    pub fn asset_ref(&self) -> AssetRef<'_> {
        AssetRef { asset_id: self.entry.asset_id, root: &self.entry.root }
    }

    /// The declared `name`, when the declaration parsed.
    pub fn name(&self) -> Option<&str> {
        self.declaration.as_ref().map(|d| d.name.as_str())
    }
}

/// The materialized walk.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The mode the walk was materialized in.
    pub mode: WalkMode,
    /// The project directory walked, as given (absolute for every operation of the crate).
    pub project: Utf8PathBuf,
    /// The registry as read: the entries that could be read; empty when the file is missing or unreadable.
    pub registry: Registry,
    /// Registry findings (blocking) and unregistered roots (warnings).
    pub workspace_diagnostics: Vec<Diagnostic>,
    /// Every registry entry whose root could be walked, by `asset_id`.
    pub assets: Vec<AssetSnapshot>,
    /// The projection that survived the filter, by path.
    pub files: Vec<WalkFile>,
}

impl Snapshot {
    /// The active pack set: registered and included in the build.
    pub fn active(&self) -> impl Iterator<Item = &AssetSnapshot> {
        self.assets.iter().filter(|a| a.entry.included_in_build)
    }

    /// The walked asset with this id.
    pub fn asset(&self, asset_id: u32) -> Option<&AssetSnapshot> {
        self.assets.binary_search_by_key(&asset_id, |a| a.entry.asset_id).ok().map(|i| &self.assets[i])
    }

    /// Total content bytes held.
    pub fn held_bytes(&self) -> u64 {
        self.files.iter().filter_map(|f| f.bytes.as_ref()).map(|b| b.len() as u64).sum()
    }

    fn file(&self, path: &str) -> Option<&WalkFile> {
        self.files.binary_search_by(|f| f.probe.path.as_str().cmp(path)).ok().map(|i| &self.files[i])
    }
}

/// A frozen snapshot serves content from memory only; a file it does not
/// hold is an error, never a read of the workspace.
impl Content for Snapshot {
    fn bytes(&self, path: &str) -> Result<Cow<'_, [u8]>, String> {
        match self.file(path).and_then(|f| f.bytes.as_deref()) {
            Some(bytes) => Ok(Cow::Borrowed(bytes)),
            None => Err(format!("{path} is not in the frozen snapshot")),
        }
    }
}

/// Reads inputs from the workspace when asked, keeping nothing: the content
/// source of read-only validation over a runtime snapshot.
pub struct LiveContent<'a> {
    project: &'a Utf8Path,
}

impl<'a> LiveContent<'a> {
    /// Content of the project at `project`, read under its `assets/` each time it is asked for.
    pub fn new(project: &'a Utf8Path) -> LiveContent<'a> {
        LiveContent { project }
    }
}

impl Content for LiveContent<'_> {
    fn bytes(&self, path: &str) -> Result<Cow<'_, [u8]>, String> {
        // The walk already proved the path resolves inside its root; resolve
        // again so a symlink swapped in since then cannot lead outside.
        let assets = self.project.join(ASSETS_DIR);
        let rel = path
            .strip_prefix(ASSETS_DIR)
            .and_then(|p| p.strip_prefix('/'))
            .ok_or_else(|| format!("{path} is not under {ASSETS_DIR}/"))?;
        let resolved = paths::resolve_inside(&assets, rel).map_err(|e| describe_resolve(path, &e))?;
        // The family is not known here; no input of any family may be larger.
        let limit = Family::ALL.into_iter().map(crate::families::max_input_bytes).max().unwrap_or(0);
        prometeu_shape::read_regular(resolved.as_std_path(), limit).map(Cow::Owned).map_err(|e| e.to_string())
    }
}

/// Walks the workspace of `project` and materializes it as `config` says.
pub fn walk(project: &Utf8Path, config: MaterializationConfig) -> Snapshot {
    let read = registry::read(project);
    let mut workspace_diagnostics = read.diagnostics;
    let registry = read.registry;
    // One check of every root and one walk of `assets/` serve every root finding.
    let roots = registry::scan(project, &registry);
    let root_findings = roots.root_findings();
    let broken_roots: HashSet<String> = root_findings.iter().filter_map(|d| d.asset_root.clone()).collect();
    workspace_diagnostics.extend(root_findings);

    let mut assets = Vec::new();
    let mut probes = Vec::new();
    let mut bytes = BTreeMap::new();
    let mut entries: Vec<&RegistryEntry> = registry.assets.iter().collect();
    entries.sort_by_key(|e| e.asset_id);
    for entry in entries {
        if paths::check_relative(&entry.root).is_err() || broken_roots.contains(&entry.root) {
            continue;
        }
        let walked = walk_asset(project, entry, config.mode, &mut bytes);
        workspace_diagnostics.extend(walked.uuid_mismatch);
        probes.extend(walked.probes);
        assets.push(walked.asset);
    }
    workspace_diagnostics.extend(roots.unregistered_warnings());
    workspace_diagnostics.extend(roots.non_utf8_warnings());
    Snapshot {
        mode: config.mode,
        project: project.to_owned(),
        registry,
        workspace_diagnostics,
        assets,
        files: materialize(probes, bytes, config),
    }
}

/// Export: apply the projection filter and, in packing mode, attach bytes.
fn materialize(
    mut probes: Vec<Probe>,
    mut bytes: BTreeMap<String, Arc<[u8]>>,
    config: MaterializationConfig,
) -> Vec<WalkFile> {
    // A file seen by two walks (only with nested roots, which the gate
    // blocks) keeps its most build-relevant probe, so the pack and
    // validation see the same files.
    probes.sort_by(|a, b| (&a.path, a.kind, !a.included_in_build).cmp(&(&b.path, b.kind, !b.included_in_build)));
    probes.dedup_by(|a, b| a.path == b.path);
    probes
        .into_iter()
        .filter(|p| (config.projection_filter)(p))
        .map(|probe| {
            let bytes = match config.mode {
                WalkMode::Packing => bytes.remove(&probe.path),
                WalkMode::Runtime => None,
            };
            WalkFile { probe, bytes }
        })
        .collect()
}

struct WalkedAsset {
    asset: AssetSnapshot,
    probes: Vec<Probe>,
    uuid_mismatch: Option<Diagnostic>,
}

/// Discovers one registered root. Probe bytes go to `bytes`: the declaration
/// always (it must be parsed), selected inputs only when packing.
fn walk_asset(
    project: &Utf8Path,
    entry: &RegistryEntry,
    mode: WalkMode,
    bytes: &mut BTreeMap<String, Arc<[u8]>>,
) -> WalkedAsset {
    let root_dir = project.join(ASSETS_DIR).join(&entry.root);
    let asset = AssetRef { asset_id: entry.asset_id, root: &entry.root };
    let decl_path = crate::workspace::layout::declaration_path(&entry.root);
    let mut probes = listing(&root_dir, &decl_path, entry);
    let mut diagnostics = Vec::new();
    let parsed = match read_inside(&root_dir, DECLARATION_FILE, declaration::MAX_DECLARATION_BYTES) {
        Ok(decl_bytes) => {
            let parsed = declaration::parse(&decl_bytes, asset, &decl_path);
            bytes.insert(decl_path.clone(), Arc::from(decl_bytes));
            Some(parsed)
        }
        Err(message) => {
            let d = Diagnostic::blocking(Code::DeclarationUnreadable, format!("cannot read {decl_path}: {message}"));
            diagnostics.push(d.asset(entry.asset_id, &entry.root).file(&decl_path));
            None
        }
    };
    let uuid_mismatch = parsed.as_ref().and_then(|p| registry::check_uuid(entry, p.asset_uuid.as_deref()?));
    let declaration = parsed.and_then(|p| {
        diagnostics.extend(p.diagnostics);
        p.declaration
    });
    let mut selected = Vec::new();
    if let Some(decl) = &declaration {
        diagnostics.extend(crate::families::check_declaration(&asset, decl));
        let inputs = resolve_inputs(&root_dir, asset, decl, &mut diagnostics);
        selected = selected_files(decl, &inputs);
        classify(&mut probes, &inputs, &selected, entry);
        if mode == WalkMode::Packing && entry.included_in_build {
            freeze_selected(asset, &mut selected, &inputs, decl, bytes, &mut diagnostics);
        }
    }
    let last_modified = probes.iter().filter_map(|p| p.modified).max();
    WalkedAsset {
        asset: AssetSnapshot { entry: entry.clone(), declaration, diagnostics, selected, last_modified },
        probes,
        uuid_mismatch,
    }
}

/// Every regular file under the root, as `Unlisted` probes (the declaration
/// as `Declaration`). Symlinked directories are not entered: what lies behind
/// them may be outside the root.
fn listing(root_dir: &Utf8Path, decl_path: &str, entry: &RegistryEntry) -> Vec<Probe> {
    let prefix = paths::project_relative(&[ASSETS_DIR, &entry.root]);
    let mut probes = Vec::new();
    let mut pending = vec![Utf8PathBuf::new()];
    while let Some(rel_dir) = pending.pop() {
        let Ok(read_dir) = root_dir.join(&rel_dir).read_dir_utf8() else { continue };
        for item in read_dir.flatten() {
            let rel =
                if rel_dir.as_str().is_empty() { item.file_name().into() } else { rel_dir.join(item.file_name()) };
            let Ok(meta) = item.metadata() else { continue };
            if meta.is_dir() {
                pending.push(rel);
            } else if meta.is_file() {
                let path = format!("{prefix}/{rel}");
                let kind = if path == decl_path { FileKind::Declaration } else { FileKind::Unlisted };
                probes.push(Probe {
                    asset_id: entry.asset_id,
                    included_in_build: entry.included_in_build,
                    path,
                    kind,
                    size: meta.len(),
                    modified: meta.modified().ok(),
                });
            }
        }
    }
    probes
}

/// A declared input that resolved inside its root.
struct ResolvedInput {
    path: String,
    resolved: Utf8PathBuf,
    size: u64,
}

/// Resolves every declared input (every role) inside the root; what does not
/// resolve to a regular file inside it is a blocking finding.
fn resolve_inputs(
    root_dir: &Utf8Path,
    asset: AssetRef<'_>,
    decl: &Declaration,
    diagnostics: &mut Vec<Diagnostic>,
) -> BTreeMap<String, ResolvedInput> {
    let mut resolved = BTreeMap::new();
    let root = match paths::Base::new(root_dir) {
        Ok(root) => root,
        Err(e) => {
            let path = paths::project_relative(&[ASSETS_DIR, asset.root]);
            diagnostics.push(input_missing(asset, &path, &describe_resolve_reason(&e)));
            return resolved;
        }
    };
    for input in decl.inputs.values().flatten() {
        if resolved.contains_key(input) {
            continue;
        }
        let path = paths::project_relative(&[ASSETS_DIR, asset.root, input]);
        match root.resolve(input) {
            Ok(target) => match std::fs::metadata(&target) {
                Ok(meta) if meta.is_file() => {
                    resolved.insert(input.clone(), ResolvedInput { path, resolved: target, size: meta.len() });
                }
                _ => diagnostics.push(input_missing(asset, &path, "is not a regular file")),
            },
            Err(Resolve::Escapes(_)) => diagnostics.push(
                Diagnostic::blocking(
                    Code::InputOutsideRoot,
                    format!(
                        "{path} leads outside the asset root (through a symlink); keep every input inside assets/{}",
                        asset.root
                    ),
                )
                .asset(asset.asset_id, asset.root)
                .file(&path),
            ),
            Err(e) => diagnostics.push(input_missing(asset, &path, &describe_resolve_reason(&e))),
        }
    }
    resolved
}

fn input_missing(asset: AssetRef<'_>, path: &str, why: &str) -> Diagnostic {
    Diagnostic::blocking(
        Code::InputMissing,
        format!("{path} {why}; add the file or remove it from `inputs` in assets/{}/asset.json", asset.root),
    )
    .asset(asset.asset_id, asset.root)
    .file(path)
}

fn describe_resolve_reason(e: &Resolve) -> String {
    match e {
        Resolve::Missing => "does not exist".into(),
        Resolve::Escapes(_) => "leads outside its directory".into(),
        Resolve::Io(err) => format!("cannot be read ({err})"),
    }
}

fn describe_resolve(path: &str, e: &Resolve) -> String {
    format!("{path} {}", describe_resolve_reason(e))
}

/// Gives every declared input its kind, adding a probe for inputs the
/// listing did not see (a symlink to a file elsewhere inside the root).
fn classify(
    probes: &mut Vec<Probe>,
    inputs: &BTreeMap<String, ResolvedInput>,
    selected: &[SelectedFile],
    entry: &RegistryEntry,
) {
    for input in inputs.values() {
        let kind =
            if selected.iter().any(|s| s.path == input.path) { FileKind::SelectedInput } else { FileKind::OtherInput };
        match probes.iter_mut().find(|p| p.path == input.path) {
            Some(probe) => probe.kind = kind,
            None => probes.push(Probe {
                asset_id: entry.asset_id,
                included_in_build: entry.included_in_build,
                path: input.path.clone(),
                kind,
                size: input.size,
                modified: std::fs::metadata(&input.resolved).and_then(|m| m.modified()).ok(),
            }),
        }
    }
}

fn selected_files(decl: &Declaration, inputs: &BTreeMap<String, ResolvedInput>) -> Vec<SelectedFile> {
    decl.artifacts
        .iter()
        .filter_map(|a| {
            let input = inputs.get(&a.input)?;
            Some(SelectedFile {
                index: a.index,
                input: a.input.clone(),
                path: input.path.clone(),
                size: input.size,
                loop_points: a.loop_points,
            })
        })
        .collect()
}

/// Reads the bytes of every selected input into the snapshot — except files
/// over the family's size limit, which the gate refuses from their size.
/// `size` becomes the length actually frozen, so limits apply to those bytes.
fn freeze_selected(
    asset: AssetRef<'_>,
    selected: &mut [SelectedFile],
    inputs: &BTreeMap<String, ResolvedInput>,
    decl: &Declaration,
    bytes: &mut BTreeMap<String, Arc<[u8]>>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let limit = crate::families::max_input_bytes(decl.family);
    for file in selected.iter_mut() {
        if file.size > limit {
            continue;
        }
        if let Some(frozen) = bytes.get(&file.path) {
            file.size = frozen.len() as u64;
            continue;
        }
        match prometeu_shape::read_regular(inputs[&file.input].resolved.as_std_path(), limit) {
            Ok(content) => {
                file.size = content.len() as u64;
                if file.size <= limit {
                    bytes.insert(file.path.clone(), Arc::from(content));
                }
            }
            Err(e) => diagnostics.push(input_missing(asset, &file.path, &format!("cannot be read ({e})"))),
        }
    }
}

/// Reads `rel` inside `dir`, refusing anything that resolves outside it or
/// is larger than `limit` (checked before reading).
fn read_inside(dir: &Utf8Path, rel: &str, limit: u64) -> Result<Vec<u8>, String> {
    let target = paths::resolve_inside(dir, rel).map_err(|e| describe_resolve_reason(&e))?;
    prometeu_shape::read_regular(target.as_std_path(), limit).map_err(|e| e.to_string())
}
