//! `assets new`: creates an asset from its files — copies them (or finds them
//! in place), writes `asset.json` with a random v4 `asset_uuid` and, for a
//! glyph bank, an authoring palette derived from the images or read from a
//! palette file — and registers it, under the lane.
//!
//! The asset directory and its registry entry appear together or not at all.
//! The files are staged in `assets/.prometeu/new/<id>/` with an intent file
//! `<id>.intent` naming the root, then moved into place, then registered,
//! then the intent is removed. A crash leaves an intent; the next `assets new`
//! (any root) finishes what the registry shows committed and rolls back the
//! rest: a registered asset keeps its files, an unregistered one loses the
//! directory (or, in place, the `asset.json`) carrying the intent's uuid.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs;
use std::io;

use camino::{Utf8Path, Utf8PathBuf};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::exec::lane::LaneGuard;
use crate::exec::mutate::{MutationError, atomic_write, load_for_mutation, nesting_conflict, register, write_synced};
use crate::exec::snapshot::{MaterializationConfig, walk};
use crate::exec::staging::sync_dir;
use crate::families::glyph::{BankArt, GlyphImage, PaletteProblem, derive_palette, fit_palette, parse_palette_file};
use crate::families::{Content, SelectedFile};
use crate::support::diag::{AssetRef, Diagnostic, any_blocking};
use crate::support::testpoint::{TestPoint, TestPoints};
use crate::workspace::declaration::NAME_MAX_CHARS;
use crate::workspace::family::{Family, SHEET_ROLE};
use crate::workspace::layout::{ASSETS_DIR, DECLARATION_FILE, DECLARATION_SCHEMA_PATH, NEW_ASSET_STAGING};
use crate::workspace::paths::{check_relative, first_link};
use crate::workspace::portable::NamedPath;
use crate::workspace::registry::{RegistryEntry, read as read_registry};
use crate::workspace::schema::{
    AssetJson, FamilyName, MetadataJson, OutputJson, PaletteEntryJson, PaletteJson, PipelineJson, PreloadJson,
    schema_of,
};

/// What to create.
#[derive(Debug, Clone)]
pub struct NewAssetRequest {
    /// The new root, relative to `assets/` (as the registry writes roots).
    pub root: String,
    /// Its family.
    pub family: Family,
    /// The input files, in artifact order (paths as the user gave them,
    /// resolved against the current directory; with `in_place`, inside the root).
    pub files: Vec<Utf8PathBuf>,
    /// Glyph bank: the single file is a sheet whose cells are the tiles.
    pub sheet: bool,
    /// Glyph bank: `output.metadata.tile_size`.
    pub tile_size: Option<u32>,
    /// Glyph bank: fix the authoring palette from this file instead of deriving it.
    pub palette_file: Option<Utf8PathBuf>,
    /// Preload the asset into this slot.
    pub preload_slot: Option<u32>,
    /// Reference the files where they are (inside `assets/<root>/`) instead of copying them.
    pub in_place: bool,
    /// Crash-test points (honoured only by test builds).
    pub testpoints: TestPoints,
}

/// What `new_asset` created.
#[derive(Debug, Clone, Serialize)]
pub struct NewAsset {
    /// The registry entry written.
    pub entry: RegistryEntry,
    /// The `asset.json` written.
    pub declaration: Value,
    /// Leftovers of interrupted runs that were cleaned up first, one sentence each.
    pub recovered: Vec<String>,
    /// Glyph inputs the bank holds as its own indexed copies (their own
    /// indices would have meant other colours), one sentence each.
    pub copied_as_indexed: Vec<String>,
}

/// Why nothing was created (nothing was written, apart from cleaning up
/// leftovers of interrupted runs).
#[derive(Debug)]
pub enum NewAssetError {
    /// The request cannot be carried out as given; the sentence says why and what to do.
    Refused(String),
    /// The images do not fit a glyph palette, or do not match `--palette`:
    /// the first line says what went wrong, any others list pixels.
    Palette(Vec<String>),
    /// The declaration it would write does not pass the checks `validate` runs.
    Invalid(Vec<Diagnostic>),
    /// The registry refused the registration.
    Registry(MutationError),
    /// Reading or writing failed.
    Io(io::Error),
}

impl std::fmt::Display for NewAssetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NewAssetError::Refused(why) => write!(f, "{why}; nothing was written"),
            NewAssetError::Palette(lines) => {
                write!(f, "{}; nothing was written", lines.first().map_or("no palette fits the images", |l| l))?;
                lines.iter().skip(1).try_for_each(|line| write!(f, "\n  {line}"))
            }
            NewAssetError::Invalid(diagnostics) => {
                write!(f, "the declaration would not pass `validate`; nothing was written:")?;
                diagnostics.iter().try_for_each(|d| write!(f, "\n  {d}"))
            }
            NewAssetError::Registry(e) => write!(f, "{e}"),
            NewAssetError::Io(e) => write!(f, "could not write the new asset ({e}); nothing was registered"),
        }
    }
}

impl std::error::Error for NewAssetError {}

impl From<io::Error> for NewAssetError {
    fn from(e: io::Error) -> NewAssetError {
        NewAssetError::Io(e)
    }
}

/// The intent recorded before an asset is moved into place.
#[derive(Debug, Serialize, Deserialize)]
struct Intent {
    root: String,
    asset_uuid: String,
    in_place: bool,
}

const INTENT_EXTENSION: &str = "intent";

/// Creates and registers the asset `request` describes.
pub fn new_asset(lane: &LaneGuard, request: &NewAssetRequest) -> Result<NewAsset, NewAssetError> {
    let project = lane.project();
    let recovered = recover(lane)?;
    check_root(project, request)?;
    let mut inputs = read_inputs(project, request)?;
    let name = fit_in_the_build(project, request)?;
    let (palette, copied_as_indexed) = match request.family {
        Family::GlyphBank => bank_art(request, &mut inputs)?,
        Family::SoundBank => (Vec::new(), Vec::new()),
    };
    let asset_uuid = uuid::Uuid::new_v4().to_string();
    let declaration = declaration(request, &inputs, &asset_uuid, name, palette)?;
    let declaration_bytes = declaration_bytes(&declaration)?;
    let declaration = serde_json::to_value(&declaration).map_err(|e| NewAssetError::Io(io::Error::other(e)))?;
    verify(request, &inputs, &declaration_bytes)?;

    let staging_root = project.join(NEW_ASSET_STAGING);
    fs::create_dir_all(&staging_root)?;
    let id = asset_uuid.clone();
    let staged = staging_root.join(&id);
    let intent = Intent { root: request.root.clone(), asset_uuid: asset_uuid.clone(), in_place: request.in_place };
    let placed = stage(&staged, request, &inputs, &declaration_bytes)
        .and_then(|()| hit(&request.testpoints, TestPoint::NewStaged))
        .and_then(|()| write_intent(&staging_root, &id, &intent))
        .and_then(|()| hit(&request.testpoints, TestPoint::NewIntent))
        .and_then(|()| place(project, &staged, request))
        .and_then(|()| hit(&request.testpoints, TestPoint::NewPlaced));
    if let Err(e) = placed {
        roll_back(project, &staging_root, &id, &intent);
        return Err(e.into());
    }
    write_schema(project)?;
    let entry = match register(lane, &request.root) {
        Ok(entry) => entry,
        Err(e) => {
            roll_back(project, &staging_root, &id, &intent);
            return Err(NewAssetError::Registry(e));
        }
    };
    hit(&request.testpoints, TestPoint::NewRegistered)?;
    finish(&staging_root, &id)?;
    Ok(NewAsset { entry, declaration, recovered, copied_as_indexed })
}

fn hit(points: &TestPoints, point: TestPoint) -> io::Result<()> {
    points.hit(point)
}

/// The root must be new: valid, unregistered, not nesting with a registered
/// root, and (unless in place) not yet on disk.
fn check_root(project: &Utf8Path, request: &NewAssetRequest) -> Result<(), NewAssetError> {
    let root = &request.root;
    let refuse = |why: String| Err(NewAssetError::Refused(why));
    if let Err(rule) = check_relative(root) {
        return refuse(format!("the root `{root}` {}", rule.explain()));
    }
    if root.split('/').any(|part| part.starts_with('.')) {
        return refuse(format!("the root `{root}` has a part starting with `.`; those names are the tool's own"));
    }
    // Every directory `new` creates or writes through, reached without a link
    // (which could lead out of the project).
    let root_path = format!("{ASSETS_DIR}/{root}");
    match first_link(project, &[&root_path, NEW_ASSET_STAGING, DECLARATION_SCHEMA_PATH]) {
        Ok(Some(link)) => {
            return refuse(format!(
                "`{link}` is a symbolic link; `assets new` never writes through one, replace it with a directory"
            ));
        }
        Ok(None) => {}
        Err(e) => return Err(NewAssetError::Io(e)),
    }
    let registry = load_for_mutation(project).map_err(NewAssetError::Registry)?;
    if let Some(entry) = registry.find(root) {
        return refuse(format!(
            "`{root}` is already registered as asset_id {}; pick another root, or `assets forget` it first",
            entry.asset_id
        ));
    }
    if let Some(reason) = nesting_conflict(&registry, root, "the root") {
        return refuse(reason);
    }
    let dir = project.join(ASSETS_DIR).join(root);
    if request.in_place {
        if !dir.is_dir() {
            return refuse(format!("`{ASSETS_DIR}/{root}` is not a directory; `--in-place` uses files already there"));
        }
        if dir.join(DECLARATION_FILE).exists() {
            return refuse(format!(
                "`{ASSETS_DIR}/{root}/{DECLARATION_FILE}` already exists; register it with `assets register` instead"
            ));
        }
    } else if dir.symlink_metadata().is_ok() {
        return refuse(format!(
            "`{ASSETS_DIR}/{root}` already exists; pick a new root, or use `--in-place` to keep files that are already there"
        ));
    }
    Ok(())
}

/// One input: where it goes in the root, and its bytes.
struct Input {
    /// Relative to the root, as written in `asset.json`.
    rel: String,
    /// As the user gave it, for messages.
    shown: String,
    bytes: Vec<u8>,
}

fn read_inputs(project: &Utf8Path, request: &NewAssetRequest) -> Result<Vec<Input>, NewAssetError> {
    let refuse = |why: String| NewAssetError::Refused(why);
    if request.files.is_empty() {
        return Err(refuse("no input file was given; name the images or samples to put in the asset".to_owned()));
    }
    if request.sheet && request.files.len() != 1 {
        return Err(refuse(format!("a sheet is one image, but {} were given", request.files.len())));
    }
    let limit = crate::families::max_input_bytes(request.family);
    let root_dir = project.join(ASSETS_DIR).join(&request.root);
    let subdir = input_subdir(request);
    let mut inputs: Vec<Input> = Vec::with_capacity(request.files.len());
    for file in &request.files {
        let shown = file.to_string();
        let size = fs::metadata(file).map_err(|e| refuse(format!("cannot read {shown} ({e})")))?.len();
        if size > limit {
            return Err(refuse(format!("{shown} is {size} bytes, over the {limit}-byte limit for this asset type")));
        }
        let bytes = fs::read(file).map_err(|e| refuse(format!("cannot read {shown} ({e})")))?;
        let rel = if request.in_place {
            in_place_path(&root_dir, file).ok_or_else(|| {
                refuse(format!(
                    "{shown} is not inside `{ASSETS_DIR}/{}`; `--in-place` needs the files there",
                    request.root
                ))
            })?
        } else {
            let name = file.file_name().ok_or_else(|| refuse(format!("{shown} names no file")))?;
            format!("{subdir}{name}")
        };
        if let Some(other) = inputs.iter().find(|i| i.rel == rel) {
            return Err(refuse(format!("{shown} and {} would both be `{rel}` in the asset; rename one", other.shown)));
        }
        inputs.push(Input { rel, shown, bytes });
    }
    Ok(inputs)
}

/// Where copied inputs go inside the root (local): `tiles/` for tiles, the
/// root itself for a sheet or samples.
fn input_subdir(request: &NewAssetRequest) -> &'static str {
    match request.family {
        Family::GlyphBank if !request.sheet => "tiles/",
        _ => "",
    }
}

/// `file` relative to the root directory, when it lies inside it.
fn in_place_path(root_dir: &Utf8Path, file: &Utf8Path) -> Option<String> {
    let root = root_dir.canonicalize_utf8().ok()?;
    let file = file.canonicalize_utf8().ok()?;
    let rel = file.strip_prefix(&root).ok()?;
    let rel = rel.components().map(|c| c.as_str()).collect::<Vec<_>>().join("/");
    check_relative(&rel).ok().map(|()| rel)
}

/// The checks `validate` makes across assets, for the new one: its name
/// (the root's last part, then `_2`, `_3`, … while an asset of the build has
/// it) and its preload slot (refused when an asset of the same bank type
/// preloads there).
fn fit_in_the_build(project: &Utf8Path, request: &NewAssetRequest) -> Result<String, NewAssetError> {
    let snapshot = walk(project, MaterializationConfig::runtime_checks());
    let active: Vec<_> = snapshot.active().filter_map(|a| Some((a, a.declared.as_ref()?))).collect();
    if let Some(slot) = request.preload_slot {
        let bank = request.family.bank_type();
        let holder =
            active.iter().find(|(_, d)| d.family.bank_type() == bank && d.preload.enabled_slot() == Some(slot));
        if let Some((asset, decl)) = holder {
            return Err(NewAssetError::Refused(format!(
                "{bank} preload slot {slot} is taken by `{}` (assets/{}); pick another `--preload` slot",
                decl.name, asset.entry.root
            )));
        }
    }
    let base = asset_name(&request.root);
    let taken = |name: &str| active.iter().any(|(_, d)| *d.name == *name);
    let name =
        (1..).map(|n| if n == 1 { base.clone() } else { suffixed(&base, n) }).find(|name| !taken(name)).unwrap_or(base);
    Ok(name)
}

/// `base_n`, shortened so the result keeps to the name length limit.
fn suffixed(base: &str, n: usize) -> String {
    let suffix = format!("_{n}");
    let keep = NAME_MAX_CHARS.saturating_sub(suffix.len());
    format!("{}{suffix}", base.chars().take(keep).collect::<String>())
}

/// The runtime name: the root's last part, with other characters as `_`.
fn asset_name(root: &str) -> String {
    let last = root.rsplit('/').next().unwrap_or(root);
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    last.chars().map(|c| if allowed(c) { c } else { '_' }).take(NAME_MAX_CHARS).collect()
}

fn declaration(
    request: &NewAssetRequest,
    inputs: &[Input],
    asset_uuid: &str,
    name: String,
    palette: Vec<String>,
) -> Result<AssetJson, NewAssetError> {
    let role = match request.family {
        Family::GlyphBank if request.sheet => SHEET_ROLE,
        family => family.main_role(),
    };
    let (metadata, pipeline) = match request.family {
        Family::GlyphBank => glyph_output(request, palette)?,
        Family::SoundBank => (None, None),
    };
    let asset = AssetJson {
        schema: Some(schema_reference(&request.root)),
        schema_version: crate::workspace::declaration::DECLARATION_SCHEMA_VERSION,
        asset_uuid: asset_uuid.to_owned(),
        name,
        family: match request.family {
            Family::GlyphBank => FamilyName::GlyphBank,
            Family::SoundBank => FamilyName::SoundBank,
        },
        inputs: BTreeMap::from([(role.to_owned(), inputs.iter().map(|i| i.rel.clone()).collect())]),
        artifacts: None,
        output: OutputJson {
            format: request.family.format().to_owned(),
            codec: crate::workspace::declaration::SUPPORTED_CODEC.to_owned(),
            metadata,
            codec_configuration: None,
            pipeline,
        },
        preload: PreloadJson { enabled: request.preload_slot.is_some(), slot: request.preload_slot },
        build: None,
    };
    Ok(asset)
}

/// `$schema`: the schema file `assets new` keeps in the registry directory,
/// relative to the asset root, so editors find it without a network.
fn schema_reference(root: &str) -> String {
    let depth = root.split('/').count();
    let schema = DECLARATION_SCHEMA_PATH.strip_prefix(&format!("{ASSETS_DIR}/")).unwrap_or(DECLARATION_SCHEMA_PATH);
    format!("{}{schema}", "../".repeat(depth))
}

type GlyphOutput = (Option<MetadataJson>, Option<PipelineJson>);

fn glyph_output(request: &NewAssetRequest, colors: Vec<String>) -> Result<GlyphOutput, NewAssetError> {
    let tile_size = glyph_tile_size(request)?;
    let metadata = MetadataJson { tile_size: Some(Value::from(tile_size)), other: Map::new() };
    let palettes = vec![PaletteEntryJson { index: 0, palette: PaletteJson { colors } }];
    let palettes = serde_json::to_value(palettes).map_err(|e| NewAssetError::Io(io::Error::other(e)))?;
    Ok((Some(metadata), Some(PipelineJson { palettes: Some(palettes), other: Map::new() })))
}

fn glyph_tile_size(request: &NewAssetRequest) -> Result<u32, NewAssetError> {
    request.tile_size.ok_or_else(|| NewAssetError::Refused("a glyph bank needs `--tile-size` (8, 16 or 32)".to_owned()))
}

/// The bank's authoring palette (derived, or from `--palette` and checked),
/// with the inputs whose own indices would mean other colours replaced by
/// the bank's indexed copies; one sentence per copy.
fn bank_art(request: &NewAssetRequest, inputs: &mut [Input]) -> Result<(Vec<String>, Vec<String>), NewAssetError> {
    let tile_size = glyph_tile_size(request)?;
    let images: Vec<GlyphImage<'_>> = inputs.iter().map(|i| GlyphImage { path: &i.shown, bytes: &i.bytes }).collect();
    let problem = |p: PaletteProblem| NewAssetError::Palette(p.0);
    let BankArt { colors, copies } = match &request.palette_file {
        None => derive_palette(&images, tile_size, request.sheet).map_err(problem)?,
        Some(file) => {
            let bytes = fs::read(file)
                .map_err(|e| NewAssetError::Refused(format!("cannot read the palette file {file} ({e})")))?;
            let colors = parse_palette_file(file.as_str(), &bytes).map_err(problem)?;
            fit_palette(&images, tile_size, request.sheet, &colors, file.as_str()).map_err(problem)?
        }
    };
    let mut sentences = Vec::new();
    for (input, copy) in inputs.iter_mut().zip(copies) {
        let Some(copy) = copy else { continue };
        if request.in_place {
            return Err(NewAssetError::Palette(vec![format!(
                "colour mismatch: {} cannot keep its own palette indices in this bank: {}; without `--in-place` \
                 the bank holds its own indexed copy of it, or re-save it with the bank's palette",
                input.shown, copy.reason
            )]));
        }
        sentences.push(format!(
            "`{}` in the asset is the bank's own indexed copy of {} (the same pixels and colours, against the \
             bank's palette): {}",
            input.rel, input.shown, copy.reason
        ));
        input.bytes = copy.png;
    }
    Ok((colors, sentences))
}

/// Pretty JSON in the type's field order (the order the reference lists the keys).
fn declaration_bytes(declaration: &AssetJson) -> Result<Vec<u8>, NewAssetError> {
    let mut bytes = serde_json::to_vec_pretty(declaration).map_err(|e| NewAssetError::Io(io::Error::other(e)))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The inputs' bytes, by the project-relative path the checks ask for.
struct Staged<'a>(BTreeMap<String, &'a [u8]>);

impl Content for Staged<'_> {
    fn bytes(&self, _: AssetRef<'_>, file: &SelectedFile) -> Result<Cow<'_, [u8]>, String> {
        let path = file.path();
        self.0.get(path).map(|b| Cow::Borrowed(*b)).ok_or_else(|| format!("{path} is not an input"))
    }
}

/// Runs the declaration and family checks `validate` runs on what would be written.
fn verify(request: &NewAssetRequest, inputs: &[Input], declaration: &[u8]) -> Result<(), NewAssetError> {
    let root = &request.root;
    let file = crate::workspace::layout::declaration_path(root);
    let asset = AssetRef { asset_id: 0, root };
    let parsed = crate::workspace::declaration::parse(declaration, asset, &file);
    let mut findings: Vec<Diagnostic> = parsed.diagnostics;
    let path_of = |rel: &str| format!("{ASSETS_DIR}/{root}/{rel}");
    if let Some(decl) = &parsed.declaration {
        findings.extend(crate::families::check_declaration(&asset, decl));
        let content = Staged(inputs.iter().map(|i| (path_of(&i.rel), i.bytes.as_slice())).collect());
        let files: Vec<SelectedFile> = decl
            .artifacts
            .iter()
            .filter_map(|a| {
                let input = inputs.iter().find(|i| i.rel == a.input)?;
                Some(SelectedFile::new(a.index, &a.input, &path_of(&a.input), input.bytes.len() as u64, a.loop_points))
            })
            .collect();
        let input = crate::families::AssetInput { asset, decl, files: &files, content: &content };
        if let Err(problems) = crate::families::materialize(&input) {
            findings.extend(problems);
        }
    }
    findings.extend(portable_names(root, &file, inputs));
    findings.retain(Diagnostic::is_blocking);
    if !any_blocking(&findings) {
        return Ok(());
    }
    // Nothing was written under `assets/`: name the files the user gave.
    for finding in &mut findings {
        let given = inputs.iter().find(|i| finding.file.as_deref() == Some(path_of(&i.rel).as_str()));
        if let Some(input) = given {
            finding.message = finding.message.replace(&path_of(&input.rel), &input.shown);
            finding.file = Some(input.shown.clone());
        }
    }
    Err(NewAssetError::Invalid(findings))
}

/// The names check of `validate` over the files the new asset would hold,
/// so nothing is created that another system's checkout could not hold.
fn portable_names(root: &str, declaration_file: &str, inputs: &[Input]) -> Vec<Diagnostic> {
    let asset = AssetRef { asset_id: 0, root };
    let paths: Vec<String> = inputs.iter().map(|i| format!("{ASSETS_DIR}/{root}/{}", i.rel)).collect();
    let named: Vec<NamedPath<'_>> = std::iter::once(declaration_file)
        .chain(paths.iter().map(String::as_str))
        .map(|path| NamedPath { path, asset, read: true })
        .collect();
    crate::workspace::portable::check(&named)
}

/// Writes the root's files (copies and `asset.json`) into `staged`, synced.
fn stage(staged: &Utf8Path, request: &NewAssetRequest, inputs: &[Input], declaration: &[u8]) -> io::Result<()> {
    fs::create_dir(staged)?;
    let mut dirs = vec![staged.to_owned()];
    if !request.in_place {
        for input in inputs {
            let path = staged.join(&input.rel);
            if let Some(parent) = path.parent()
                && !dirs.iter().any(|d| d == parent)
            {
                fs::create_dir_all(parent)?;
                dirs.push(parent.to_owned());
            }
            write_synced(&path, &input.bytes)?;
        }
    }
    write_synced(&staged.join(DECLARATION_FILE), declaration)?;
    dirs.iter().rev().try_for_each(|dir| sync_dir(dir))
}

fn intent_name(id: &str) -> String {
    format!("{id}.{INTENT_EXTENSION}")
}

fn write_intent(staging_root: &Utf8Path, id: &str, intent: &Intent) -> io::Result<()> {
    let bytes = serde_json::to_vec(intent).map_err(io::Error::other)?;
    atomic_write(staging_root, &intent_name(id), &bytes)
}

/// Moves the staged directory (or, in place, its `asset.json`) into `assets/`.
fn place(project: &Utf8Path, staged: &Utf8Path, request: &NewAssetRequest) -> io::Result<()> {
    let target = project.join(ASSETS_DIR).join(&request.root);
    if request.in_place {
        fs::rename(staged.join(DECLARATION_FILE), target.join(DECLARATION_FILE))?;
        return sync_dir(&target);
    }
    let parent = target.parent().ok_or_else(|| io::Error::other("the root has no parent directory"))?;
    fs::create_dir_all(parent)?;
    fs::rename(staged, &target)?;
    sync_dir(parent)
}

/// The schema `$schema` points at, refreshed to this tool's version.
fn write_schema(project: &Utf8Path) -> io::Result<()> {
    let path = project.join(DECLARATION_SCHEMA_PATH);
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(io::Error::other("the schema path names no file"));
    };
    let mut bytes = serde_json::to_vec_pretty(&schema_of::<AssetJson>()).map_err(io::Error::other)?;
    bytes.push(b'\n');
    if fs::read(&path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    atomic_write(dir, name, &bytes)
}

/// Removes the intent, then what is left of the staging directory.
fn finish(staging_root: &Utf8Path, id: &str) -> io::Result<()> {
    fs::remove_file(staging_root.join(intent_name(id)))?;
    remove_if_present(&staging_root.join(id))?;
    sync_dir(staging_root)?;
    remove_if_empty(staging_root)
}

/// The staging directory goes once empty, so a settled workspace has none.
fn remove_if_empty(staging_root: &Utf8Path) -> io::Result<()> {
    if fs::read_dir(staging_root)?.next().is_none() {
        fs::remove_dir(staging_root)?;
    }
    Ok(())
}

fn remove_if_present(path: &Utf8Path) -> io::Result<()> {
    let result = if path.is_dir() { fs::remove_dir_all(path) } else { fs::remove_file(path) };
    match result {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Undoes an unregistered creation: the placed directory (or in-place
/// `asset.json`) goes only when it carries the intent's uuid.
fn roll_back(project: &Utf8Path, staging_root: &Utf8Path, id: &str, intent: &Intent) {
    let target = project.join(ASSETS_DIR).join(&intent.root);
    let ours = declared_uuid(&target.join(DECLARATION_FILE)).is_some_and(|uuid| uuid == intent.asset_uuid);
    // Best effort on an error path; the next `assets new` retries from the intent.
    if ours {
        let _ =
            if intent.in_place { fs::remove_file(target.join(DECLARATION_FILE)) } else { fs::remove_dir_all(&target) };
    }
    let _ = remove_if_present(&staging_root.join(id));
    let _ = fs::remove_file(staging_root.join(intent_name(id)));
    let _ = remove_if_empty(staging_root);
}

fn declared_uuid(path: &Utf8Path) -> Option<String> {
    let value: Value = serde_json::from_slice(prometeu_shape::without_bom(&fs::read(path).ok()?)).ok()?;
    value.get("asset_uuid")?.as_str().map(str::to_owned)
}

/// Settles every leftover of interrupted runs: intents whose root the
/// registry lists are completed, others rolled back; staged directories
/// without an intent are deleted. One sentence per leftover.
fn recover(lane: &LaneGuard) -> Result<Vec<String>, NewAssetError> {
    let project = lane.project();
    let staging_root = project.join(NEW_ASSET_STAGING);
    let Ok(entries) = fs::read_dir(&staging_root) else {
        return Ok(Vec::new());
    };
    let registry = read_registry(project);
    let mut said = Vec::new();
    let mut names: Vec<String> = entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect();
    names.sort();
    for name in &names {
        let Some(id) = name.strip_suffix(&format!(".{INTENT_EXTENSION}")) else { continue };
        let path = staging_root.join(name);
        let intent: Option<Intent> = fs::read(&path).ok().and_then(|b| serde_json::from_slice(&b).ok());
        let Some(intent) = intent else {
            fs::remove_file(&path)?;
            continue;
        };
        let committed =
            registry.registry.assets.iter().any(|e| *e.root == *intent.root && *e.asset_uuid == *intent.asset_uuid);
        if committed {
            finish(&staging_root, id)?;
            said.push(format!("recovered: completed the interrupted creation of `{}`", intent.root));
        } else {
            roll_back(project, &staging_root, id, &intent);
            said.push(format!("recovered: rolled back the interrupted creation of `{}`", intent.root));
        }
    }
    // Staged directories whose intent was never written, and temp files.
    for name in &names {
        let path = staging_root.join(name);
        if !name.ends_with(&format!(".{INTENT_EXTENSION}")) && path.exists() {
            let has_intent = staging_root.join(intent_name(name)).exists();
            if !has_intent {
                remove_if_present(&path)?;
                said.push("recovered: removed the staged files of an interrupted creation".to_owned());
            }
        }
    }
    // Settling the last leftover may already have removed the directory.
    if staging_root.is_dir() {
        sync_dir(&staging_root)?;
        remove_if_empty(&staging_root)?;
    }
    Ok(said)
}
