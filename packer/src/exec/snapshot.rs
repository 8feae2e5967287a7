//! The one discovery walk over the asset workspace, and its materialization
//! into a snapshot.
//!
//! The walker discovers every registered root: its `asset.json`, its
//! declared inputs and every other file under it, as `Probe`s. A
//! `MaterializationConfig` then decides what leaves the walk: `Runtime` mode
//! (summary, validation, listing) keeps no content bytes, and each
//! declaration parsed; `Packing` mode keeps the bytes of build-relevant
//! files, and its filter keeps only those files. A packing snapshot is
//! frozen: packing reads input bytes from it alone, and parses each
//! declaration again from its frozen `asset.json` where it is used.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::SystemTime;

use crate::workspace::family::Family;
use camino::{Utf8Path, Utf8PathBuf};
use prometeu_shape::Beneath;

use crate::exec::frozen::{Freezer, FrozenFile};
use crate::families::{Content, SelectedFile};
use crate::support::diag::AssetRef;
use crate::support::diag::{Code, Diagnostic};
use crate::workspace::declaration::{self, Declaration, Declared};
use crate::workspace::layout::ASSETS_DIR;
use crate::workspace::layout::DECLARATION_FILE;
use crate::workspace::paths::{self, Resolve};
use crate::workspace::portable::{self, NamedPath};
use crate::workspace::registry::{self, RegistryEntry};
use crate::workspace::tree::{FileMeta, Tree};

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
    /// Project-relative, `/`-separated. (Boxed: a snapshot holds one probe per file.)
    pub path: Box<str>,
    /// What the file is to its asset.
    pub kind: FileKind,
    /// Length in bytes when discovered (the file may change later; packing then uses the frozen bytes).
    pub size: u64,
}

/// Probe policies for `MaterializationConfig::projection_filter`.
pub mod policies {
    use super::{FileKind, Probe};

    /// Everything discovered survives.
    pub fn keep_all(_: &Probe) -> bool {
        true
    }

    /// Nothing survives: the walk's findings and the assets' records are all that is wanted.
    pub fn keep_none(_: &Probe) -> bool {
        false
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
    /// Runtime mode keeping every discovered file, without bytes, listed in `Snapshot::files`.
    pub fn runtime_default() -> MaterializationConfig {
        MaterializationConfig { mode: WalkMode::Runtime, projection_filter: policies::keep_all }
    }

    /// Runtime mode listing no files: `summary`, `validate` (and `gate_live`),
    /// `show_asset`, `new_asset`'s checks and `assets list`, which read the
    /// assets' records and findings only (no list of every file made,
    /// sorted and freed for them).
    pub fn runtime_checks() -> MaterializationConfig {
        MaterializationConfig { mode: WalkMode::Runtime, projection_filter: policies::keep_none }
    }

    /// Packing mode keeping only the active set's declarations and selected inputs, with their bytes.
    pub fn packing_build() -> MaterializationConfig {
        MaterializationConfig { mode: WalkMode::Packing, projection_filter: policies::is_included_in_current_build }
    }
}

/// One registered asset as the walk found it.
#[derive(Debug, Clone)]
pub struct AssetSnapshot {
    /// The asset's registry entry, as read.
    pub entry: RegistryEntry,
    /// What the snapshot keeps of the parsed `asset.json` for reading across assets
    /// (`Snapshot::declaration` gives it whole); `None` when it cannot be read or is
    /// unusable (see `diagnostics`).
    pub declared: Option<Declared>,
    /// The whole declaration, in runtime mode (see `Snapshot::declaration`).
    parsed: Option<Box<Declaration>>,
    /// Findings of discovery: declaration parse, family declaration checks,
    /// input paths that do not resolve inside the root, names another
    /// system's checkout cannot hold. (Boxed: most assets have none.)
    pub diagnostics: Box<[Diagnostic]>,
    /// Its `asset.json` as a packing walk froze it.
    frozen_declaration: Option<FrozenFile>,
    /// What the walk found of each declared artifact's input, in the
    /// declaration's order (empty when the declaration is unusable): the
    /// selected files are made again from these and the declaration where
    /// they are used (`selected`), so a snapshot holds no path of them.
    artifacts: Box<[Found]>,
    /// Newest modification time over every file of the root (`last_modified`), as `tree::nanos_of` holds it.
    modified: i64,
}

impl AssetSnapshot {
    /// Id and root, as diagnostics about this asset are tagged.
    pub fn asset_ref(&self) -> AssetRef<'_> {
        AssetRef { asset_id: self.entry.asset_id, root: &self.entry.root }
    }

    /// The declared `name`, when the declaration parsed.
    pub fn name(&self) -> Option<&str> {
        self.declared.as_ref().map(|d| &*d.name)
    }

    /// Newest modification time over every file of the root.
    pub fn last_modified(&self) -> Option<SystemTime> {
        crate::workspace::tree::time_of(self.modified)
    }

    /// Its `asset.json` as a packing walk froze it.
    pub fn frozen_declaration(&self) -> Option<&FrozenFile> {
        self.frozen_declaration.as_ref()
    }

    /// The selected artifacts of `decl` (the asset's declaration, as
    /// `Snapshot::declaration` gives it), resolved: those whose input the
    /// walk found, in the declaration's order, each sized as the walk saw
    /// it (as frozen, when it was).
    pub fn selected(&self, decl: &Declaration) -> Vec<SelectedFile> {
        debug_assert_eq!(decl.artifacts.len(), self.artifacts.len(), "the walk's declaration");
        let found = decl.artifacts.iter().zip(&self.artifacts).enumerate();
        found
            .filter_map(|(at, (artifact, found))| {
                let size = self.size_of(*found)?;
                let path = paths::project_relative(&[ASSETS_DIR, &self.entry.root, &artifact.input]);
                let file = SelectedFile::new(artifact.index, &artifact.input, &path, size, artifact.loop_points);
                Some(file.placed(at))
            })
            .collect()
    }

    /// How many artifacts are selected (`selected(..).len()`, without the declaration).
    pub fn selected_count(&self) -> usize {
        self.artifacts.iter().filter(|found| **found != Found::Unresolved).count()
    }

    /// The input of the artifact at `at` in the declaration's `artifacts`,
    /// as a packing walk froze it.
    pub fn frozen_artifact(&self, at: usize) -> Option<&FrozenFile> {
        match self.artifacts.get(at)? {
            Found::Frozen(file) => Some(file),
            Found::Again(first) => self.frozen_artifact(*first as usize),
            Found::Unresolved | Found::Seen(_) => None,
        }
    }

    /// Every file a packing walk froze of the asset, each once.
    pub fn frozen_files(&self) -> impl Iterator<Item = &FrozenFile> {
        let inputs = self.artifacts.iter().filter_map(|found| match found {
            Found::Frozen(file) => Some(file),
            _ => None,
        });
        self.frozen_declaration.iter().chain(inputs)
    }

    /// The size of a selected file, as `SelectedFile::size` gives it; `None` when not selected.
    fn size_of(&self, found: Found) -> Option<u64> {
        match found {
            Found::Unresolved => None,
            Found::Seen(size) => Some(size),
            Found::Frozen(file) => Some(file.len()),
            Found::Again(first) => self.size_of(*self.artifacts.get(first as usize)?),
        }
    }
}

/// What a walk found of one declared artifact's input. (16 bytes; a
/// snapshot holds one per artifact, where a selected file with its path
/// was about 70.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    /// It did not resolve inside the root (a finding says why): not selected.
    Unresolved,
    /// Selected and not frozen (a runtime walk; outside the build or the
    /// projection; over its size limit, or unreadable): its size.
    Seen(u64),
    /// Selected and frozen.
    Frozen(FrozenFile),
    /// Selects the file that the artifact at this place froze.
    Again(u32),
}

/// The materialized walk.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The mode the walk was materialized in.
    pub mode: WalkMode,
    /// The project directory walked, as given (absolute for every operation of the crate).
    pub project: Utf8PathBuf,
    /// Registry findings (blocking) and unregistered roots (warnings).
    pub workspace_diagnostics: Vec<Diagnostic>,
    /// Every registry entry whose root could be walked, by `asset_id`.
    pub assets: Vec<AssetSnapshot>,
    /// In runtime mode, the projection that survived the filter, by path. A
    /// packing walk lists none: each file it froze is held by the asset that
    /// reads it (`AssetSnapshot::frozen_files`), once.
    pub files: Vec<Probe>,
    /// The frozen bytes, which each file's `frozen` range points into.
    buffers: Vec<Box<[u8]>>,
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
        self.frozen_files().map(FrozenFile::len).sum()
    }

    /// How many files the walk froze.
    pub fn frozen_count(&self) -> usize {
        self.frozen_files().count()
    }

    /// The content of `file` (one of an asset's frozen files) as frozen by the walk.
    pub fn bytes_of(&self, file: &FrozenFile) -> &[u8] {
        file.of(&self.buffers)
    }

    fn frozen_files(&self) -> impl Iterator<Item = &FrozenFile> {
        self.assets.iter().flat_map(AssetSnapshot::frozen_files)
    }

    /// `asset`'s declaration as the walk parsed it; `None` when it did not
    /// parse (see the asset's `diagnostics`). A runtime walk keeps it
    /// parsed; a packing walk parses it again from the `asset.json` it
    /// froze, and has none for an asset outside the build, whose file it
    /// does not keep.
    pub fn declaration<'a>(&'a self, asset: &'a AssetSnapshot) -> Option<Cow<'a, Declaration>> {
        asset.declared.as_ref()?;
        if let Some(parsed) = &asset.parsed {
            return Some(Cow::Borrowed(parsed));
        }
        let bytes = self.bytes_of(asset.frozen_declaration()?);
        let path = crate::workspace::layout::declaration_path(&asset.entry.root);
        declaration::parse_accepted(bytes, asset.asset_ref(), &path).map(Cow::Owned)
    }
}

/// A frozen snapshot serves content from memory only; a file it does not
/// hold is an error, never a read of the workspace.
impl Content for Snapshot {
    fn bytes(&self, asset: AssetRef<'_>, file: &SelectedFile) -> Result<Cow<'_, [u8]>, String> {
        let frozen = file.artifact().and_then(|at| self.asset(asset.asset_id)?.frozen_artifact(at));
        match frozen {
            Some(frozen) => Ok(Cow::Borrowed(self.bytes_of(frozen))),
            None => Err(format!("{} is not in the frozen snapshot", file.path())),
        }
    }
}

/// Reads inputs from the workspace when asked, keeping nothing: the content
/// source of read-only validation over a runtime snapshot.
pub struct LiveContent<'a> {
    project: &'a Utf8Path,
    /// `assets/`, canonicalized once (when it resolves at all).
    assets: Option<paths::Base>,
    /// `assets/`, opened once: plain paths are read beneath it in one system call.
    beneath: Option<Beneath>,
}

impl<'a> LiveContent<'a> {
    /// Content of the project at `project`, read under its `assets/` each time it is asked for.
    pub fn new(project: &'a Utf8Path) -> LiveContent<'a> {
        let assets = paths::assets_base(project).ok();
        let beneath = assets.as_ref().and_then(|base| Beneath::open(base.dir().as_std_path()).ok());
        LiveContent { project, assets, beneath }
    }
}

impl Content for LiveContent<'_> {
    fn bytes(&self, _: AssetRef<'_>, file: &SelectedFile) -> Result<Cow<'_, [u8]>, String> {
        let path = file.path();
        // The walk already proved the path resolves inside its root; check
        // again as it is read, so a symlink swapped in since then cannot lead
        // outside: a plain path is opened beneath `assets/` following no link
        // (one system call), anything else is resolved the exact way.
        let assets = self.project.join(ASSETS_DIR);
        let rel = path
            .strip_prefix(ASSETS_DIR)
            .and_then(|p| p.strip_prefix('/'))
            .ok_or_else(|| format!("{path} is not under {ASSETS_DIR}/"))?;
        // The family is not known here; no input of any family may be larger.
        let limit = Family::ALL.into_iter().map(crate::families::max_input_bytes).max().unwrap_or(0);
        if let Some(beneath) = &self.beneath
            && let Some(bytes) = beneath.read_regular(rel, limit).map_err(|e| e.to_string())?
        {
            return Ok(Cow::Owned(bytes));
        }
        let resolved = match &self.assets {
            Some(base) => base.resolve(rel),
            None => paths::resolve_inside(&assets, rel),
        };
        let resolved = resolved.map_err(|e| describe_resolve(path, &e))?;
        prometeu_shape::read_regular(resolved.as_std_path(), limit).map(Cow::Owned).map_err(|e| e.to_string())
    }
}

/// Walks the workspace of `project` and materializes it as `config` says.
/// Roots are walked in parallel on the current rayon pool; the snapshot
/// does not depend on the thread count.
pub fn walk(project: &Utf8Path, config: MaterializationConfig) -> Snapshot {
    use rayon::prelude::*;
    // One walk of `assets/` and one check of every root serve every root
    // finding. The registry does not steer the walk, so it is read and
    // checked meanwhile instead of before it.
    let (read, tree) = rayon::join(|| registry::read(project), || Tree::walk(project));
    let mut workspace_diagnostics = read.diagnostics;
    let registry = read.registry;
    let (broken_roots, later_findings) = {
        let roots = registry::scan(project, &registry, &tree);
        let root_findings = roots.root_findings();
        let broken: HashSet<String> = root_findings.iter().filter_map(|d| d.asset_root.clone()).collect();
        workspace_diagnostics.extend(root_findings);
        // Found now, while the scan can borrow the registry's entries;
        // reported after the roots' own findings, as before.
        let mut later = roots.unregistered_warnings();
        later.extend(roots.non_utf8_warnings());
        (broken, later)
    };
    // The entries move into the assets: the registry is not held twice.
    let mut entries: Vec<RegistryEntry> = registry
        .assets
        .into_iter()
        .filter(|e| paths::check_relative(&e.root).is_ok() && !broken_roots.contains(&*e.root))
        .collect();
    entries.sort_by_key(|e| e.asset_id);
    // Canonicalized once; a root the walk did not reach through real directories then costs one lstat per component.
    let assets_base = paths::assets_base(project).ok();
    let beneath = assets_base.as_ref().and_then(|base| Beneath::open(base.dir().as_std_path()).ok());
    let overlap = roots_overlap(&entries);
    let freezer = Freezer::default();
    let context = WalkContext {
        project,
        tree: &tree,
        assets_base: assets_base.as_ref(),
        beneath: beneath.as_ref(),
        freezer: &freezer,
        config,
        overlap,
    };
    // Unzipped into lists sized once, each asset written in its place: a
    // plain `unzip` gathers chunks and then copies them, holding every
    // asset twice at the peak.
    let (mut assets, mut walked) = (Vec::new(), Vec::new());
    entries.into_par_iter().map(|entry| walk_asset(&context, entry)).unzip_into_vecs(&mut assets, &mut walked);
    for w in &mut walked {
        workspace_diagnostics.extend(w.rare.as_mut().and_then(|rare| rare.uuid_mismatch.take()));
    }
    workspace_diagnostics.extend(later_findings);
    let mut snapshot = Snapshot {
        mode: config.mode,
        project: project.to_owned(),
        workspace_diagnostics,
        assets,
        files: Vec::new(),
        buffers: freezer.into_buffers(),
    };
    file_case_twins(&mut snapshot, &walked, &tree);
    // The tree has answered every question (here, not on a thread of its
    // own, which could still be freeing it at the peak of what follows).
    drop(tree);
    match config.mode {
        WalkMode::Runtime => {
            snapshot.files = materialize(walked.into_iter().map(|w| w.files).collect(), config, overlap);
        }
        WalkMode::Packing => {
            // A pack keeps its assets until it is over: their records settle first.
            drop(walked);
            settle(&mut snapshot.assets);
        }
    }
    snapshot
}

/// Copies what a packing walk keeps of each asset into memory of its own,
/// on a thread of its own, once the walk is over. Each record was made on a
/// walk's thread among the short-lived allocations of reading its root, and
/// the allocator gives each thread its own pages (mimalloc's and glibc's
/// both do): once those were freed, the records held their pages partly
/// used for as long as the pack ran (12 MiB at the gate of a 100k-asset
/// pack). Copied together, they fill pages of their own, and the pages they
/// leave are freed whole. Each record is freed as soon as its copy exists,
/// so this adds one asset to the peak.
fn settle(assets: &mut [AssetSnapshot]) {
    std::thread::scope(|scope| {
        scope.spawn(|| assets.iter_mut().for_each(|asset| *asset = asset.clone()));
    });
}

/// Whether two walked roots can list one path: one root is another, or
/// inside it (the gate blocks nested roots, but they are still walked).
fn roots_overlap(entries: &[RegistryEntry]) -> bool {
    let roots: HashSet<&str> = entries.iter().map(|e| &*e.root).collect();
    roots.len() < entries.len() || roots.iter().any(|root| registry::ancestors(root).any(|outer| roots.contains(outer)))
}

/// Case twins (`portable::case_twins`) among every file the walk saw, each
/// filed with the asset it concerns (so `validate` lists it with it and the
/// gate blocks it). Each root's walk kept only its paths that are not
/// lowercase ASCII, which are few; the folded path one of them may meet is
/// looked up where the walk found it: in the tree, or under a root the
/// tree does not hold, or among the inputs a walk found elsewhere.
fn file_case_twins(snapshot: &mut Snapshot, walked: &[WalkedFiles], tree: &Tree) {
    let findings = {
        let snapshot = &*snapshot;
        let assets = &snapshot.assets;
        // `walked` lists what each asset's walk kept in the place of the asset.
        let unfolded = assets.iter().zip(walked).flat_map(|(asset, walked)| {
            let asset = asset.asset_ref();
            let rare = walked.rare.iter().flat_map(|rare| &rare.unfolded);
            rare.map(move |(path, read)| NamedPath { path, asset, read: *read })
        });
        // Made when first asked: which assets each root holds.
        let mut roots: Option<HashMap<&str, Vec<usize>>> = None;
        let exactly = |spelling: &str| {
            let roots = roots.get_or_insert_with(|| {
                let mut roots: HashMap<&str, Vec<usize>> = HashMap::new();
                for (i, asset) in assets.iter().enumerate() {
                    roots.entry(&*asset.entry.root).or_default().push(i);
                }
                roots
            });
            let Some(rel) = spelling.strip_prefix(ASSETS_DIR).and_then(|p| p.strip_prefix('/')) else {
                return Vec::new();
            };
            // Every root the path may be under: each directory along it.
            let under = rel.match_indices('/').map(|(at, _)| (&rel[..at], &rel[at + 1..]));
            let assets_under =
                under.flat_map(|(root, inside)| roots.get(root).into_iter().flatten().map(move |&i| (i, inside)));
            assets_under
                .filter(|&(i, inside)| lists(snapshot, tree, (&assets[i], &walked[i]), spelling, inside))
                .map(|(i, _)| (assets[i].asset_ref(), reads(snapshot, &assets[i], spelling)))
                .collect()
        };
        portable::case_twins(unfolded, exactly)
    };
    for finding in findings {
        let Some(id) = finding.asset_id else { continue };
        if let Ok(i) = snapshot.assets.binary_search_by_key(&id, |a| a.entry.asset_id) {
            let asset = &mut snapshot.assets[i];
            let mut diagnostics = std::mem::take(&mut asset.diagnostics).into_vec();
            diagnostics.push(finding);
            asset.diagnostics = diagnostics.into_boxed_slice();
        }
    }
}

/// Whether the walk of an asset's root listed `path`, which is `inside` the root.
fn lists(
    snapshot: &Snapshot,
    tree: &Tree,
    (asset, walked): (&AssetSnapshot, &WalkedFiles),
    path: &str,
    inside: &str,
) -> bool {
    let root = &asset.entry.root;
    let listed = match tree.lists(root, inside) {
        Some(listed) => listed,
        None => listed_file(&snapshot.project.join(ASSETS_DIR).join(&**root), inside),
    };
    listed || walked.rare.as_ref().is_some_and(|rare| rare.elsewhere.iter().any(|p| **p == *path))
}

/// Whether the build reads `path`, a file of `asset`'s root: the
/// declaration or a selected input of an asset in the build
/// (`policies::is_included_in_current_build`).
fn reads(snapshot: &Snapshot, asset: &AssetSnapshot, path: &str) -> bool {
    if !asset.entry.included_in_build {
        return false;
    }
    if path == crate::workspace::layout::declaration_path(&asset.entry.root) {
        return true;
    }
    let selected = snapshot.declaration(asset).map(|decl| asset.selected(&decl)).unwrap_or_default();
    selected.iter().any(|file| file.path() == path)
}

/// Export of a runtime walk: every root's files in one list by path, with
/// the projection filter applied.
fn materialize(mut walked: Vec<Vec<Probe>>, config: MaterializationConfig, overlap: bool) -> Vec<Probe> {
    let keep = |probe: &Probe| (config.projection_filter)(probe);
    if !overlap {
        // No two roots list one path, so each root's files are filtered
        // where they are and only the survivors are ever listed together.
        for files in &mut walked {
            files.retain(keep);
            files.shrink_to_fit();
        }
    }
    // Sized once: a list grown by doubling holds up to twice its files at the peak of a pack.
    let mut files = Vec::with_capacity(walked.iter().map(Vec::len).sum());
    for w in walked {
        files.extend(w);
    }
    if !overlap {
        files.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        return files;
    }
    // A file seen by two walks (only with nested roots, which the gate
    // blocks) keeps its most build-relevant probe, so every host sees the
    // same files.
    files.sort_by(|a, b| (&a.path, a.kind, !a.included_in_build).cmp(&(&b.path, b.kind, !b.included_in_build)));
    files.dedup_by(|later, kept| later.path == kept.path);
    // In place: a second list of every file would double the peak.
    files.retain(keep);
    files
}

/// What every root's walk shares.
#[derive(Clone, Copy)]
struct WalkContext<'a> {
    project: &'a Utf8Path,
    tree: &'a Tree,
    /// `assets/`, canonicalized once.
    assets_base: Option<&'a paths::Base>,
    /// `assets/`, opened once.
    beneath: Option<&'a Beneath>,
    /// Where packing mode keeps what it reads.
    freezer: &'a Freezer,
    config: MaterializationConfig,
    /// Whether two roots can list one path (`roots_overlap`).
    overlap: bool,
}

struct WalkedFiles {
    /// The root's files as they leave a runtime walk: every file under the
    /// root when roots overlap (`materialize` then settles which walk's
    /// probe of a path survives); otherwise those the projection keeps.
    /// None in a packing walk, which lists no files.
    files: Vec<Probe>,
    /// What few roots have: none in most, so no place is held for it.
    rare: Option<Box<Rare>>,
}

/// What the walk of a root keeps, besides its files, for the checks across roots.
struct Rare {
    /// Its paths that are not lowercase ASCII, with whether the build reads
    /// each: the only ones that can be case twins of another path.
    unfolded: Vec<(Box<str>, bool)>,
    /// Its lowercase ASCII paths that its listing did not give: inputs
    /// found through a link inside the root (`classify`).
    elsewhere: Vec<Box<str>>,
    /// The root's `asset_uuid` differs from the registry's.
    uuid_mismatch: Option<Diagnostic>,
}

impl Rare {
    fn is_empty(&self) -> bool {
        self.unfolded.is_empty() && self.elsewhere.is_empty() && self.uuid_mismatch.is_none()
    }
}

/// Discovers one registered root: its files from the walk of `assets/`
/// (or its own listing when the root is reached through a link), its
/// declaration parsed, its inputs resolved, and in packing mode its
/// declaration and selected inputs frozen.
fn walk_asset(context: &WalkContext<'_>, owned: RegistryEntry) -> (AssetSnapshot, WalkedFiles) {
    let WalkContext { project, tree, assets_base, beneath, freezer, config, overlap } = *context;
    let mode = config.mode;
    let entry = &owned;
    let root_dir = project.join(ASSETS_DIR).join(&*entry.root);
    let asset = AssetRef { asset_id: entry.asset_id, root: &entry.root };
    let decl_path = crate::workspace::layout::declaration_path(&entry.root);
    let files = tree.files_under(&entry.root).unwrap_or_else(|| listing(&root_dir, &entry.root));
    let mut last_modified = files.iter().filter_map(|(_, meta)| meta.modified).max();
    let mut probes: Vec<Probe> = files.into_iter().map(|(path, meta)| probe(entry, &decl_path, path, meta)).collect();
    let listed = probes.len();
    let mut diagnostics = Vec::new();
    let mut decl_bytes = None;
    // When the root does not resolve this way, the slow path below says why.
    let root_base = tree.root(&entry.root).or_else(|| assets_base.and_then(|assets| assets.child(&entry.root).ok()));
    let root = RootDir { path: &root_dir, base: root_base.as_ref(), tree, beneath, name: &entry.root, freezer };
    let parsed = match read_inside(&root, DECLARATION_FILE, declaration::MAX_DECLARATION_BYTES) {
        Ok(bytes) => {
            let parsed = declaration::parse(&bytes, asset, &decl_path);
            decl_bytes = Some(bytes).filter(|_| mode == WalkMode::Packing);
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
    let mut inputs = BTreeMap::new();
    if let Some(decl) = &declaration {
        diagnostics.extend(crate::families::check_declaration(&asset, decl));
        inputs = resolve_inputs(&root, asset, decl, &mut diagnostics);
        selected = selected_files(decl, &inputs);
        last_modified = last_modified.max(classify(&mut probes, &inputs, &selected, entry));
    }
    let mut found: Vec<Found> = match &declaration {
        Some(decl) => vec![Found::Unresolved; decl.artifacts.len()],
        None => Vec::new(),
    };
    for file in &selected {
        found[file.artifact().expect("the walk places what it selects")] = Found::Seen(file.size);
    }
    let mut frozen_declaration = None;
    if mode == WalkMode::Packing {
        // Only what the projection keeps is frozen: nothing else is ever read from the snapshot.
        let projected = projected(&probes, config.projection_filter);
        let kept = |path: &str| projected.binary_search(&path).is_ok();
        frozen_declaration = decl_bytes.filter(|_| kept(&decl_path)).map(|bytes| freezer.freeze(bytes));
        if let Some(decl) = declaration.as_ref().filter(|_| entry.included_in_build) {
            let reading = Reading { root: &root, asset, decl, inputs: &inputs, kept: &kept };
            freeze_selected(&reading, &selected, &mut found, &mut diagnostics);
        }
    }
    drop(inputs);
    drop(selected);
    // Names another system's checkout cannot hold, over the files the build
    // reads: found here, filed after the walk's other findings.
    let read = |probe: &&Probe| policies::is_included_in_current_build(probe);
    for probe in probes.iter().filter(read) {
        diagnostics.extend(portable::names(&NamedPath { path: &probe.path, asset, read: true }));
    }
    let rare = Rare {
        unfolded: probes.iter().filter(|p| !portable::is_folded(&p.path)).map(|p| (p.path.clone(), read(&p))).collect(),
        elsewhere: probes[listed..].iter().filter(|p| portable::is_folded(&p.path)).map(|p| p.path.clone()).collect(),
        uuid_mismatch,
    };
    let rare = (!rare.is_empty()).then(|| Box::new(rare));
    let files = project_files(probes, config, overlap);
    // A pack keeps the few fields read across assets, and parses the rest
    // again where it is used: every declaration parsed was about 700 bytes
    // per asset for as long as the snapshot lived. A runtime walk serves one
    // command, whose time matters more than its memory.
    let declared = declaration.as_ref().map(Declared::from);
    let parsed = declaration.filter(|_| mode == WalkMode::Runtime).map(Box::new);
    let artifacts = found.into_boxed_slice();
    let (modified, diagnostics) = (crate::workspace::tree::nanos_of(last_modified), diagnostics.into_boxed_slice());
    let asset = AssetSnapshot { entry: owned, declared, parsed, diagnostics, frozen_declaration, artifacts, modified };
    (asset, WalkedFiles { files, rare })
}

/// The root's files that leave the walk as files (see `WalkedFiles::files`).
fn project_files(mut probes: Vec<Probe>, config: MaterializationConfig, overlap: bool) -> Vec<Probe> {
    let runtime = config.mode == WalkMode::Runtime;
    probes.retain(|probe| runtime && (overlap || (config.projection_filter)(probe)));
    probes.shrink_to_fit();
    probes
}

/// A file under the root, as an `Unlisted` probe (the declaration as `Declaration`).
fn probe(entry: &RegistryEntry, decl_path: &str, path: String, meta: FileMeta) -> Probe {
    let kind = if path == decl_path { FileKind::Declaration } else { FileKind::Unlisted };
    let path = path.into_boxed_str();
    Probe { asset_id: entry.asset_id, included_in_build: entry.included_in_build, path, kind, size: meta.size }
}

/// Every regular file under a root the walk of `assets/` did not reach
/// (a root behind a link), by project-relative path as `Tree::files_under`
/// lists them. Symlinked directories are not entered: what lies behind them
/// may be outside the root.
fn listing(root_dir: &Utf8Path, root: &str) -> Vec<(String, FileMeta)> {
    let mut files = Vec::new();
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
                let path = paths::project_relative(&[ASSETS_DIR, root, rel.as_str()]);
                files.push((path, FileMeta { size: meta.len(), modified: meta.modified().ok() }));
            }
        }
    }
    files
}

/// Whether `listing` of the root at `root_dir` lists the file `inside` it:
/// a regular file, through real directories.
fn listed_file(root_dir: &Utf8Path, inside: &str) -> bool {
    let mut at = root_dir.to_owned();
    let mut components = inside.split('/').peekable();
    while let Some(component) = components.next() {
        at.push(component);
        let Ok(meta) = at.symlink_metadata() else { return false };
        if components.peek().is_none() {
            return meta.is_file();
        }
        if !meta.is_dir() {
            return false;
        }
    }
    false
}

/// A declared input that resolved inside its root.
struct ResolvedInput {
    path: String,
    resolved: Utf8PathBuf,
    size: u64,
    /// Found by the walk of `assets/` as a plain regular file in the root.
    plain: bool,
}

/// Resolves every declared input (every role) inside the root; what does not
/// resolve to a regular file inside it is a blocking finding.
fn resolve_inputs(
    root_dir: &RootDir<'_>,
    asset: AssetRef<'_>,
    decl: &Declaration,
    diagnostics: &mut Vec<Diagnostic>,
) -> BTreeMap<String, ResolvedInput> {
    let mut resolved = BTreeMap::new();
    let root = match root_dir.base() {
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
        if let Some((target, meta)) = root_dir.tree.file(root_dir.name, input) {
            resolved.insert(input.clone(), ResolvedInput { path, resolved: target, size: meta.size, plain: true });
            continue;
        }
        match root.resolve(input) {
            Ok(target) => match std::fs::metadata(&target) {
                Ok(meta) if meta.is_file() => {
                    resolved.insert(
                        input.clone(),
                        ResolvedInput { path, resolved: target, size: meta.len(), plain: false },
                    );
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

/// Up to this many files, `classify` finds paths by a look along the list (local).
const SMALL_ROOT_FILES: usize = 16;

/// Gives every declared input its kind, adding a probe for inputs the
/// listing did not see (a symlink to a file elsewhere inside the root);
/// the newest modification time of those added.
fn classify(
    probes: &mut Vec<Probe>,
    inputs: &BTreeMap<String, ResolvedInput>,
    selected: &[SelectedFile],
    entry: &RegistryEntry,
) -> Option<SystemTime> {
    // A root holds a handful of files, where a look along the list is
    // cheaper than building a map; a large one is looked up by hash.
    let large = probes.len() > SMALL_ROOT_FILES;
    let selected_set: Option<HashSet<&str>> = large.then(|| selected.iter().map(|s| s.path()).collect());
    let is_selected = |path: &str| match &selected_set {
        Some(set) => set.contains(path),
        None => selected.iter().any(|s| s.path() == path),
    };
    // Found by borrowed path first, then given their kinds: no copy of any path.
    let found: Vec<Option<usize>> = if large {
        let listed: HashMap<&str, usize> = probes.iter().enumerate().map(|(i, p)| (&*p.path, i)).collect();
        inputs.values().map(|input| listed.get(input.path.as_str()).copied()).collect()
    } else {
        inputs.values().map(|input| probes.iter().position(|p| *p.path == *input.path)).collect()
    };
    let mut newest = None;
    for (input, found) in inputs.values().zip(found) {
        let kind = if is_selected(&input.path) { FileKind::SelectedInput } else { FileKind::OtherInput };
        match found {
            Some(i) => probes[i].kind = kind,
            None => {
                newest = newest.max(std::fs::metadata(&input.resolved).and_then(|m| m.modified()).ok());
                probes.push(Probe {
                    asset_id: entry.asset_id,
                    included_in_build: entry.included_in_build,
                    path: input.path.as_str().into(),
                    kind,
                    size: input.size,
                });
            }
        }
    }
    newest
}

fn selected_files(decl: &Declaration, inputs: &BTreeMap<String, ResolvedInput>) -> Vec<SelectedFile> {
    // Sized to the artifacts (a filtered collect reserves room for four,
    // and most sound banks select one file).
    let mut selected = Vec::with_capacity(decl.artifacts.len());
    for (at, a) in decl.artifacts.iter().enumerate() {
        if let Some(input) = inputs.get(&a.input) {
            selected.push(SelectedFile::new(a.index, &a.input, &input.path, input.size, a.loop_points).placed(at));
        }
    }
    selected
}

/// The paths, in order, of a root's files that the projection keeps among
/// those a packing walk may freeze.
fn projected(probes: &[Probe], filter: fn(&Probe) -> bool) -> Vec<&str> {
    let freezable = |p: &&Probe| matches!(p.kind, FileKind::Declaration | FileKind::SelectedInput);
    let mut kept: Vec<&str> = probes.iter().filter(freezable).filter(|p| filter(p)).map(|p| &*p.path).collect();
    kept.sort_unstable();
    kept
}

/// What freezing one asset's selected inputs reads from.
struct Reading<'a> {
    root: &'a RootDir<'a>,
    asset: AssetRef<'a>,
    decl: &'a Declaration,
    inputs: &'a BTreeMap<String, ResolvedInput>,
    /// Whether the projection keeps a path.
    kept: &'a dyn Fn(&str) -> bool,
}

/// Reads the bytes of every selected input into the snapshot — except files
/// over the family's size limit, which the gate refuses from their size —
/// and records it in `found`, by artifact. A file's size becomes the
/// length actually read, so limits apply to the frozen bytes.
fn freeze_selected(
    reading: &Reading<'_>,
    selected: &[SelectedFile],
    found: &mut [Found],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Reading { root, asset, decl, inputs, kept } = *reading;
    let limit = crate::families::max_input_bytes(decl.family);
    // Where each file read so far was frozen, by the artifact that froze it.
    let mut first: HashMap<&str, u32> = HashMap::new();
    for file in selected {
        let at = file.artifact().expect("the walk places what it selects");
        if file.size > limit || !kept(file.path()) {
            continue;
        }
        // Only the first of the artifacts that select one file holds its record.
        if let Some(&first) = first.get(file.path()) {
            found[at] = Found::Again(first);
            continue;
        }
        let input = &inputs[file.input()];
        let plain = if input.plain { root.read_plain(file.input(), limit) } else { None };
        match plain.unwrap_or_else(|| prometeu_shape::read_regular(input.resolved.as_std_path(), limit)) {
            Ok(content) if content.len() as u64 > limit => found[at] = Found::Seen(content.len() as u64),
            Ok(content) => {
                first.insert(&input.path, u32::try_from(at).expect("a declaration has few artifacts"));
                found[at] = Found::Frozen(root.freezer.freeze(content));
            }
            Err(e) => diagnostics.push(input_missing(asset, file.path(), &format!("cannot be read ({e})"))),
        }
    }
}

/// An asset's root directory, with its canonical base when already known,
/// and the walk of `assets/` that answers for plain paths inside it.
struct RootDir<'a> {
    path: &'a Utf8Path,
    base: Option<&'a paths::Base>,
    tree: &'a Tree,
    beneath: Option<&'a Beneath>,
    /// The root, relative to `assets/`.
    name: &'a str,
    /// Where packing mode keeps what it reads.
    freezer: &'a Freezer,
}

impl RootDir<'_> {
    /// Reads `rel`, a path the walk of `assets/` found to be a plain regular
    /// file in this root, beneath `assets/`; `None` when that does not work
    /// (a link swapped in since), so the caller reads it the exact way.
    fn read_plain(&self, rel: &str, limit: u64) -> Option<Result<Vec<u8>, std::io::Error>> {
        let beneath = self.beneath?;
        beneath.read_regular(&format!("{}/{rel}", self.name), limit).transpose()
    }
}

impl RootDir<'_> {
    fn base(&self) -> Result<paths::Base, paths::Resolve> {
        match self.base {
            Some(base) => Ok(base.clone()),
            None => paths::Base::new(self.path),
        }
    }
}

/// Reads `rel` inside `dir`, refusing anything that resolves outside it or
/// is larger than `limit` (checked before reading).
fn read_inside(dir: &RootDir<'_>, rel: &str, limit: u64) -> Result<Vec<u8>, String> {
    let target = match dir.tree.file(dir.name, rel) {
        Some((target, _)) => match dir.read_plain(rel, limit) {
            Some(read) => return read.map_err(|e| e.to_string()),
            None => target,
        },
        None => dir.base().and_then(|base| base.resolve(rel)).map_err(|e| describe_resolve_reason(&e))?,
    };
    prometeu_shape::read_regular(target.as_std_path(), limit).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_overlap_when_one_is_another_or_holds_it() {
        let entry = |root: &str| RegistryEntry {
            asset_id: 1,
            asset_uuid: "".into(),
            root: root.into(),
            included_in_build: true,
        };
        let overlap = |roots: &[&str]| {
            let entries: Vec<RegistryEntry> = roots.iter().map(|r| entry(r)).collect();
            roots_overlap(&entries)
        };
        assert!(!overlap(&["hero", "hero-2", "heroes/a", "ui/hero"]));
        assert!(overlap(&["ui", "ui/hero"]));
        assert!(overlap(&["a/b/c", "a"]));
        assert!(overlap(&["hero", "hero"]));
        assert!(!overlap(&[]));
    }
}
