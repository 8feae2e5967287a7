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
use crate::workspace::layout::{DECLARATION_FILE, RootPath};
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
    /// input paths that do not resolve inside the root.
    pub diagnostics: Vec<Diagnostic>,
    /// The selected artifacts, resolved (empty when the declaration is unusable).
    pub selected: Box<[SelectedFile]>,
    /// What a packing walk froze of the asset: its `asset.json`, then each
    /// of `selected` in its order (`None` where a file was not read: over
    /// its size limit, unreadable, dropped by the projection, or a path an
    /// earlier artifact also selects). Empty in runtime mode.
    frozen: Box<[Option<FrozenFile>]>,
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
        self.declared.as_ref().map(|d| &*d.name)
    }

    /// Its `asset.json` as a packing walk froze it.
    pub fn frozen_declaration(&self) -> Option<&FrozenFile> {
        self.frozen.first()?.as_ref()
    }

    /// The selected input at `path` (project-relative) as a packing walk
    /// froze it. (A handful per asset, so found by a look along the list.)
    pub fn frozen_input(&self, path: &str) -> Option<&FrozenFile> {
        let at = self.selected.iter().position(|f| f.path() == path)?;
        self.frozen.get(1 + at)?.as_ref()
    }

    /// Every file a packing walk froze of the asset.
    pub fn frozen_files(&self) -> impl Iterator<Item = &FrozenFile> {
        self.frozen.iter().flatten()
    }
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
    fn bytes(&self, asset: AssetRef<'_>, path: &str) -> Result<Cow<'_, [u8]>, String> {
        match self.asset(asset.asset_id).and_then(|a| a.frozen_input(path)) {
            Some(file) => Ok(Cow::Borrowed(self.bytes_of(file))),
            None => Err(format!("{path} is not in the frozen snapshot")),
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
    fn bytes(&self, _: AssetRef<'_>, path: &str) -> Result<Cow<'_, [u8]>, String> {
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
        .filter(|e| paths::check_relative(&e.root).is_ok() && !broken_roots.contains(&e.root))
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
    // The tree has answered every question: freed before the checks below
    // add their own peak to everything the walk collected (here, not on a
    // thread of its own, which could still be freeing it at that peak).
    drop(tree);
    for w in &mut walked {
        workspace_diagnostics.extend(w.uuid_mismatch.take().map(|d| *d));
    }
    portability(&mut assets, &walked);
    workspace_diagnostics.extend(later_findings);
    let files = match config.mode {
        WalkMode::Runtime => materialize(walked.into_iter().map(|w| w.files).collect(), config, overlap),
        WalkMode::Packing => {
            // A pack keeps its assets until it is over: their records settle first.
            drop(walked);
            settle(&mut assets);
            Vec::new()
        }
    };
    Snapshot {
        mode: config.mode,
        project: project.to_owned(),
        workspace_diagnostics,
        assets,
        files,
        buffers: freezer.into_buffers(),
    }
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
    let roots: HashSet<&str> = entries.iter().map(|e| e.root.as_str()).collect();
    roots.len() < entries.len() || roots.iter().any(|root| registry::ancestors(root).any(|outer| roots.contains(outer)))
}

/// Names another system's checkout cannot hold, found over every file the
/// walk saw and filed with the asset they concern (so `validate` lists them
/// with it and the gate blocks it). The files the build reads are the
/// packing projection's; every other file under a root can only be a case twin.
fn portability(assets: &mut [AssetSnapshot], walked: &[WalkedFiles]) {
    let findings = {
        let assets = &*assets;
        // `walked` lists each asset's files in the place of the asset.
        portable::check_groups(assets.len(), |i| {
            let asset = assets[i].asset_ref();
            let files = walked[i].files.iter().map(move |probe| NamedPath {
                under: "",
                path: &probe.path,
                asset,
                read: policies::is_included_in_current_build(probe),
            });
            let others = &walked[i].others;
            let under = others.under();
            files.chain(others.iter().map(move |(path, read)| NamedPath { under, path, asset, read }))
        })
    };
    for finding in findings {
        let Some(id) = finding.asset_id else { continue };
        if let Ok(i) = assets.binary_search_by_key(&id, |a| a.entry.asset_id) {
            assets[i].diagnostics.push(finding);
        }
    }
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
    /// The paths of the root's other files, which only the portability
    /// check still looks at (whether the build reads them, or as possible
    /// case twins): held as text, not as files, through the peak of the walk.
    others: PathList,
    /// Boxed: rare, and every root's walk holds a place for it.
    uuid_mismatch: Option<Box<Diagnostic>>,
}

/// Discovers one registered root: its files from the walk of `assets/`
/// (or its own listing when the root is reached through a link), its
/// declaration parsed, its inputs resolved, and in packing mode its
/// declaration and selected inputs frozen.
fn walk_asset(context: &WalkContext<'_>, owned: RegistryEntry) -> (AssetSnapshot, WalkedFiles) {
    let WalkContext { project, tree, assets_base, beneath, freezer, config, overlap } = *context;
    let mode = config.mode;
    let entry = &owned;
    let root_dir = project.join(ASSETS_DIR).join(&entry.root);
    let asset = AssetRef { asset_id: entry.asset_id, root: &entry.root };
    let decl_path = crate::workspace::layout::declaration_path(&entry.root);
    let files = tree.files_under(&entry.root).unwrap_or_else(|| listing(&root_dir, &entry.root));
    let mut last_modified = files.iter().filter_map(|(_, meta)| meta.modified).max();
    let mut probes: Vec<Probe> = files.into_iter().map(|(path, meta)| probe(entry, &decl_path, path, meta)).collect();
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
    let uuid_mismatch =
        parsed.as_ref().and_then(|p| registry::check_uuid(entry, p.asset_uuid.as_deref()?)).map(Box::new);
    let declaration = parsed.and_then(|p| {
        diagnostics.extend(p.diagnostics);
        p.declaration
    });
    let mut selected = Vec::new();
    let mut frozen = Vec::new();
    let mut inputs = BTreeMap::new();
    if let Some(decl) = &declaration {
        diagnostics.extend(crate::families::check_declaration(&asset, decl));
        inputs = resolve_inputs(&root, asset, decl, &mut diagnostics);
        selected = selected_files(decl, &inputs);
        last_modified = last_modified.max(classify(&mut probes, &inputs, &selected, entry));
    }
    if mode == WalkMode::Packing {
        // Room for every record it gets, so boxing it below never shrinks
        // it in place (an allocator may then keep the larger block).
        frozen.reserve_exact(1 + if entry.included_in_build { selected.len() } else { 0 });
        // Only what the projection keeps is frozen: nothing else is ever read from the snapshot.
        let projected = projected(&probes, config.projection_filter);
        let kept = |path: &str| projected.binary_search(&path).is_ok();
        frozen.push(decl_bytes.filter(|_| kept(&decl_path)).map(|bytes| freezer.freeze(bytes)));
        if let Some(decl) = declaration.as_ref().filter(|_| entry.included_in_build) {
            let reading = Reading { root: &root, asset, decl, inputs: &inputs, kept: &kept };
            frozen.extend(freeze_selected(&reading, &mut selected, &mut diagnostics));
        }
    }
    drop(inputs);
    let under = format!("{}/", RootPath(&entry.root));
    let (files, others) = project_files(probes, &under, config, overlap);
    // A pack keeps the few fields read across assets, and parses the rest
    // again where it is used: every declaration parsed was about 700 bytes
    // per asset for as long as the snapshot lived. A runtime walk serves one
    // command, whose time matters more than its memory.
    let declared = declaration.as_ref().map(Declared::from);
    let parsed = declaration.filter(|_| mode == WalkMode::Runtime).map(Box::new);
    // An asset outside the build holds no place for records it does not have.
    if frozen.iter().all(Option::is_none) {
        frozen.clear();
    }
    let frozen = frozen.into_boxed_slice();
    let selected = selected.into_boxed_slice();
    let asset = AssetSnapshot { entry: owned, declared, parsed, diagnostics, selected, frozen, last_modified };
    (asset, WalkedFiles { files, others, uuid_mismatch })
}

/// Splits one root's files into those that leave the walk as files and the
/// paths of the rest (see `WalkedFiles`).
fn project_files(
    mut kept: Vec<Probe>,
    under: &str,
    config: MaterializationConfig,
    overlap: bool,
) -> (Vec<Probe>, PathList) {
    let runtime = config.mode == WalkMode::Runtime;
    let keep = |probe: &Probe| runtime && (overlap || (config.projection_filter)(probe));
    let others = kept.iter().filter(|p| !keep(p));
    // Held below the root when every path is (each a file the walk found under it).
    let under = if others.clone().all(|p| p.path.starts_with(under)) { under } else { "" };
    let (bytes, count) = others.fold((under.len(), 0), |(b, n), p| (b + p.path.len() - under.len(), n + 1));
    let mut others = PathList::with_capacity(under, bytes, count);
    // Thinned in place: a second list would hold the root's files twice
    // for as long as the walk runs.
    kept.retain(|probe| {
        let keep = keep(probe);
        if !keep {
            others.push(&probe.path[under.len()..], policies::is_included_in_current_build(probe));
        }
        keep
    });
    kept.shrink_to_fit();
    (kept, others)
}

/// Paths back to back in one text, below the directory it starts with,
/// each with whether the build reads it: two allocations for a root's list
/// however many files it holds, each sized once to what it will hold (a
/// list grown by doubling and then shrunk may keep its larger block: about
/// 15 MiB over the 450 000 files of a 100k-asset project), and the root's
/// own path held once, not in each of its paths (16 MiB at that scale).
struct PathList {
    /// The directory the paths are below (ending in `/`, or empty), then each path after it.
    text: String,
    /// Where `under` ends in `text`.
    under: u32,
    /// Where each path ends in `text`, the top bit set when the build reads it.
    ends: Vec<u32>,
}

/// The bit of a `PathList` end that says the build reads the path.
const READ_BIT: u32 = 1 << 31;

impl PathList {
    /// An empty list below `under` with room for `count` paths of `bytes` in all, `under` included.
    fn with_capacity(under: &str, bytes: usize, count: usize) -> PathList {
        let mut text = String::with_capacity(bytes);
        text.push_str(under);
        PathList { under: offset(text.len()), text, ends: Vec::with_capacity(count) }
    }

    fn push(&mut self, path: &str, read: bool) {
        self.text.push_str(path);
        self.ends.push(offset(self.text.len()) | if read { READ_BIT } else { 0 });
    }

    /// The directory every path is below.
    fn under(&self) -> &str {
        &self.text[..self.under as usize]
    }

    /// Each path after `under`, with whether the build reads it.
    fn iter(&self) -> impl Iterator<Item = (&str, bool)> {
        let end = |e: u32| (e & !READ_BIT) as usize;
        let starts = std::iter::once(self.under as usize).chain(self.ends.iter().map(move |&e| end(e)));
        starts.zip(&self.ends).map(move |(start, &e)| (&self.text[start..end(e)], e & READ_BIT != 0))
    }
}

/// A place in a root's `PathList`, which fits below its read bit.
fn offset(at: usize) -> u32 {
    u32::try_from(at).ok().filter(|&at| at < READ_BIT).expect("a root's paths fit in 2 GiB")
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
    for a in &decl.artifacts {
        if let Some(input) = inputs.get(&a.input) {
            selected.push(SelectedFile::new(a.index, &a.input, &input.path, input.size, a.loop_points));
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
/// over the family's size limit, which the gate refuses from their size:
/// one record per file in `selected`'s order. `size` becomes the length
/// actually frozen, so limits apply to those bytes.
fn freeze_selected(
    reading: &Reading<'_>,
    selected: &mut [SelectedFile],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Option<FrozenFile>> {
    let Reading { root, asset, decl, inputs, kept } = *reading;
    let limit = crate::families::max_input_bytes(decl.family);
    let mut sizes: HashMap<&str, u64> = HashMap::new();
    let mut frozen = Vec::with_capacity(selected.len());
    for file in selected.iter_mut() {
        frozen.push(None);
        if file.size > limit || !kept(file.path()) {
            continue;
        }
        // Only the first of the artifacts that select one file holds its record.
        if let Some(&size) = sizes.get(file.path()) {
            file.size = size;
            continue;
        }
        let input = &inputs[file.input()];
        let plain = if input.plain { root.read_plain(file.input(), limit) } else { None };
        match plain.unwrap_or_else(|| prometeu_shape::read_regular(input.resolved.as_std_path(), limit)) {
            Ok(content) => {
                file.size = content.len() as u64;
                if file.size <= limit {
                    sizes.insert(&input.path, file.size);
                    *frozen.last_mut().expect("pushed above") = Some(root.freezer.freeze(content));
                }
            }
            Err(e) => diagnostics.push(input_missing(asset, file.path(), &format!("cannot be read ({e})"))),
        }
    }
    frozen
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
            asset_uuid: String::new(),
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
