//! The asset registry `assets/.prometeu/index.json`: the authority on which
//! roots are registered and on `asset_id`. Reading with structural checks,
//! and the mutations (register, include, exclude, forget, move) with atomic
//! writes.
//!
//! Root arguments: every function here takes a root exactly as the registry
//! writes it (relative to `assets/`, `/`-separated, no trailing `/`). The
//! command line passes each root argument through `normalize_root_arg`
//! first, so the spellings a shell produces (`hero/`, `assets/hero`) work.

use std::collections::{BTreeMap, HashSet};
use std::fs::{self, OpenOptions};
use std::io::{self, Read, Write};

use camino::{Utf8Path, Utf8PathBuf};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::declaration::{self, DECLARATION_FILE, describe};
use crate::diag::{Code, Diagnostic, any_blocking};
use crate::family::AssetRef;
use crate::lane::LaneGuard;
use crate::paths::{self, Resolve, check_relative};
use crate::stage::sync_dir;

/// Project-relative location of the registry (local).
pub const REGISTRY_PATH: &str = "assets/.prometeu/index.json";
/// The directory every registry `root` is relative to.
pub const ASSETS_DIR: &str = "assets";
pub const REGISTRY_SCHEMA_VERSION: u64 = 1;

/// Accepted keys of the registry object and of each entry (local; they
/// mirror the field names of `Registry` and `RegistryEntry`).
pub const REGISTRY_KEYS: &[&str] = &["schema_version", "next_asset_id", "assets"];
pub const ENTRY_KEYS: &[&str] = &["asset_id", "asset_uuid", "root", "included_in_build"];

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

    /// The entry registered under exactly this `root`, if any.
    pub fn find(&self, root: &str) -> Option<&RegistryEntry> {
        self.assets.iter().find(|e| e.root == root)
    }
}

/// What reading the registry found: the entries that could be read, and the
/// structural findings (all blocking). A missing file is an empty registry.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryRead {
    pub registry: Registry,
    pub diagnostics: Vec<Diagnostic>,
}

impl RegistryRead {
    fn failed(diagnostic: Diagnostic) -> RegistryRead {
        RegistryRead { registry: Registry::empty(), diagnostics: vec![diagnostic] }
    }
}

// ---------------------------------------------------------------------------
// Reading and structural checks
// ---------------------------------------------------------------------------

/// Reads and structurally checks the registry (no look at the roots on disk).
pub fn read(project: &Utf8Path) -> RegistryRead {
    match read_bytes(project) {
        Ok(None) => RegistryRead { registry: Registry::empty(), diagnostics: Vec::new() },
        Ok(Some(bytes)) => parse(&bytes),
        Err(message) => RegistryRead::failed(registry_diagnostic(Code::RegistryUnreadable, message)),
    }
}

/// The registry's bytes; `None` when there is no registry file at all.
fn read_bytes(project: &Utf8Path) -> Result<Option<Vec<u8>>, String> {
    let unreadable = |e: io::Error| format!("{REGISTRY_PATH} cannot be read ({e}); check that it is a readable file");
    match paths::resolve_inside(project, REGISTRY_PATH) {
        Ok(path) => fs::read(&path).map(Some).map_err(unreadable),
        // A dangling link is a broken file, not an empty workspace.
        Err(Resolve::Missing) if project.join(REGISTRY_PATH).symlink_metadata().is_ok() => {
            Err(format!("{REGISTRY_PATH} is a link to nothing; replace it with the registry file itself"))
        }
        Err(Resolve::Missing) => Ok(None),
        Err(Resolve::Escapes(target)) => Err(format!(
            "{REGISTRY_PATH} resolves to `{target}`, outside the project, which is never read; \
             replace the link with the registry file itself"
        )),
        Err(Resolve::Io(e)) => Err(unreadable(e)),
    }
}

/// Parses and structurally checks registry bytes (as `read` does after
/// reading the file), for callers that already hold the bytes.
pub fn parse(bytes: &[u8]) -> RegistryRead {
    let value = match serde_json::from_slice::<Value>(bytes) {
        Ok(value) => value,
        Err(e) => {
            let message = declaration::json_error_message(REGISTRY_PATH, &e);
            return RegistryRead::failed(
                registry_diagnostic(Code::RegistryInvalidJson, message).at(e.line(), e.column()),
            );
        }
    };
    let mut diagnostics = Vec::new();
    let Some(walked) = walk_registry(&value, &mut diagnostics) else {
        return RegistryRead { registry: Registry::empty(), diagnostics };
    };
    check_structure(&walked, &mut diagnostics);
    let registry = Registry {
        schema_version: REGISTRY_SCHEMA_VERSION,
        next_asset_id: walked.usable_next_asset_id(),
        assets: walked.entries.into_iter().map(|p| p.entry).collect(),
    };
    RegistryRead { registry, diagnostics }
}

fn registry_diagnostic(code: Code, message: String) -> Diagnostic {
    Diagnostic::blocking(code, message).file(REGISTRY_PATH)
}

/// Attaches whatever is known about the entry a finding is about.
fn about(diagnostic: Diagnostic, asset_id: Option<u32>, root: Option<&str>) -> Diagnostic {
    match root {
        Some(root) => diagnostic.asset(asset_id.unwrap_or(0), root),
        None => Diagnostic { asset_id: asset_id.filter(|&id| id != 0), ..diagnostic },
    }
}

/// A readable entry and its position in the `assets` list (for messages).
struct Placed {
    position: usize,
    entry: RegistryEntry,
}

impl Placed {
    fn diagnostic(&self, code: Code, message: String) -> Diagnostic {
        registry_diagnostic(code, message).asset(self.entry.asset_id, &self.entry.root)
    }

    /// "`assets[2]` (asset_id 3, root `hero`)", naming an entry both ways.
    fn name(&self) -> String {
        format!("`assets[{}]` (asset_id {}, root `{}`)", self.position, self.entry.asset_id, self.entry.root)
    }
}

/// What the shape walk could read.
struct Walked {
    /// Any JSON integer, so a negative or huge value can be reported as such.
    next_asset_id: Option<i128>,
    entries: Vec<Placed>,
}

impl Walked {
    /// The counter to carry in `Registry`: the file's when it is usable, else
    /// one past the highest id (the registry is blocked either way).
    fn usable_next_asset_id(&self) -> u32 {
        let declared = self.next_asset_id.and_then(|n| u32::try_from(n).ok()).filter(|&n| n >= 1);
        declared.unwrap_or_else(|| {
            self.entries.iter().map(|p| p.entry.asset_id).max().map_or(1, |max| max.saturating_add(1))
        })
    }
}

/// Walks the JSON value by hand so every shape problem is reported, not just
/// the first. `None` when nothing else can be checked (not an object, or a
/// schema this reader does not know).
fn walk_registry(value: &Value, out: &mut Vec<Diagnostic>) -> Option<Walked> {
    let Value::Object(top) = value else {
        out.push(registry_diagnostic(
            Code::RegistryMalformed,
            format!(
                "the registry must be a JSON object with the keys {}, found {}; rewrite it in that shape",
                REGISTRY_KEYS.join(", "),
                describe(value)
            ),
        ));
        return None;
    };
    if !schema_supported(top, out) {
        return None;
    }
    report_unknown_keys(top, REGISTRY_KEYS, "at the top level of the registry", out, |d| d);
    let next_asset_id = walk_next_asset_id(top, out);
    let entries = walk_assets(top, out);
    Some(Walked { next_asset_id, entries })
}

/// A missing or mistyped version is reported and assumed current, so the
/// rest is still checked; a different version stops the walk, because its
/// shape follows rules this reader does not know.
fn schema_supported(top: &Map<String, Value>, out: &mut Vec<Diagnostic>) -> bool {
    let Some(value) = required(top, "schema_version", "the registry", out, |d| d) else {
        return true;
    };
    match integer(value) {
        Some(v) if v == i128::from(REGISTRY_SCHEMA_VERSION) => true,
        Some(v) => {
            out.push(registry_diagnostic(
                Code::RegistrySchemaVersion,
                format!(
                    "registry schema_version {v} is not supported; this packer reads schema_version \
                     {REGISTRY_SCHEMA_VERSION}, so use a packer that knows version {v} or rewrite the registry"
                ),
            ));
            false
        }
        None => {
            out.push(wrong_type("schema_version", &format!("the integer {REGISTRY_SCHEMA_VERSION}"), value));
            true
        }
    }
}

fn walk_next_asset_id(top: &Map<String, Value>, out: &mut Vec<Diagnostic>) -> Option<i128> {
    let value = required(top, "next_asset_id", "the registry", out, |d| d)?;
    let next = integer(value);
    if next.is_none() {
        out.push(wrong_type("next_asset_id", "an integer", value));
    }
    next
}

fn walk_assets(top: &Map<String, Value>, out: &mut Vec<Diagnostic>) -> Vec<Placed> {
    let Some(value) = required(top, "assets", "the registry", out, |d| d) else {
        return Vec::new();
    };
    let Some(items) = value.as_array() else {
        out.push(wrong_type("assets", "a list of entries", value));
        return Vec::new();
    };
    items.iter().enumerate().filter_map(|(position, item)| walk_entry(position, item, out)).collect()
}

/// One `assets[i]`: `Some` when all four fields are readable and `asset_id`
/// is a valid id. Findings name whatever of the entry could be read.
fn walk_entry(position: usize, item: &Value, out: &mut Vec<Diagnostic>) -> Option<Placed> {
    let at = format!("assets[{position}]");
    let Value::Object(fields) = item else {
        out.push(wrong_type(&at, &format!("an object with the keys {}", ENTRY_KEYS.join(", ")), item));
        return None;
    };
    let seen_id = fields.get("asset_id").and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok());
    let seen_root = fields.get("root").and_then(Value::as_str);
    let attach = |d: Diagnostic| about(d, seen_id, seen_root);
    let place = format!("`{at}`");

    report_unknown_keys(fields, ENTRY_KEYS, &format!("in {place}"), out, attach);
    let asset_id = required(fields, "asset_id", &place, out, attach).and_then(|v| entry_asset_id(&at, v, out, attach));
    let asset_uuid = required(fields, "asset_uuid", &place, out, attach).and_then(|v| entry_uuid(&at, v, out, attach));
    let root = required(fields, "root", &place, out, attach).and_then(|v| {
        let root = v.as_str();
        if root.is_none() {
            out.push(attach(wrong_type(&format!("{at}.root"), "a string path relative to assets/", v)));
        }
        root
    });
    let included = required(fields, "included_in_build", &place, out, attach).and_then(|v| {
        let flag = v.as_bool();
        if flag.is_none() {
            out.push(attach(wrong_type(&format!("{at}.included_in_build"), "true or false", v)));
        }
        flag
    });
    let entry = RegistryEntry {
        asset_id: asset_id?,
        asset_uuid: asset_uuid?.to_owned(),
        root: root?.to_owned(),
        included_in_build: included?,
    };
    Some(Placed { position, entry })
}

fn entry_asset_id(
    at: &str,
    value: &Value,
    out: &mut Vec<Diagnostic>,
    attach: impl Fn(Diagnostic) -> Diagnostic,
) -> Option<u32> {
    let Some(n) = integer(value) else {
        out.push(attach(wrong_type(&format!("{at}.asset_id"), "an integer", value)));
        return None;
    };
    let id = u32::try_from(n).ok().filter(|&id| id >= 1);
    if id.is_none() {
        out.push(attach(registry_diagnostic(
            Code::RegistryAssetIdInvalid,
            format!(
                "`{at}.asset_id` is {n}, but asset ids run from 1 to {}; restore the id this asset was given \
                 at registration",
                u32::MAX
            ),
        )));
    }
    id
}

fn entry_uuid<'v>(
    at: &str,
    value: &'v Value,
    out: &mut Vec<Diagnostic>,
    attach: impl Fn(Diagnostic) -> Diagnostic,
) -> Option<&'v str> {
    match value.as_str() {
        Some("") => {
            out.push(attach(registry_diagnostic(
                Code::RegistryMalformed,
                format!("`{at}.asset_uuid` is empty; copy the `asset_uuid` of the root's asset.json"),
            )));
            None
        }
        Some(uuid) => Some(uuid),
        None => {
            out.push(attach(wrong_type(&format!("{at}.asset_uuid"), "a string", value)));
            None
        }
    }
}

fn required<'v>(
    fields: &'v Map<String, Value>,
    key: &str,
    place: &str,
    out: &mut Vec<Diagnostic>,
    attach: impl Fn(Diagnostic) -> Diagnostic,
) -> Option<&'v Value> {
    let value = fields.get(key);
    if value.is_none() {
        out.push(attach(registry_diagnostic(Code::RegistryMalformed, format!("{place} has no `{key}`; add it"))));
    }
    value
}

fn report_unknown_keys(
    fields: &Map<String, Value>,
    accepted: &[&str],
    place: &str,
    out: &mut Vec<Diagnostic>,
    attach: impl Fn(Diagnostic) -> Diagnostic,
) {
    for key in fields.keys().filter(|k| !accepted.contains(&k.as_str())) {
        out.push(attach(registry_diagnostic(
            Code::RegistryMalformed,
            format!(
                "unknown key `{key}` {place}; fix its spelling or remove it (accepted keys: {})",
                accepted.join(", ")
            ),
        )));
    }
}

fn wrong_type(at: &str, expected: &str, found: &Value) -> Diagnostic {
    registry_diagnostic(
        Code::RegistryMalformed,
        format!("`{at}` must be {expected}, found {}; correct it", describe(found)),
    )
}

/// Any JSON integer (negative or beyond `i64` included); `None` for floats
/// and non-numbers.
fn integer(value: &Value) -> Option<i128> {
    value.as_i64().map(i128::from).or_else(|| value.as_u64().map(i128::from))
}

/// The checks between entries, on the readable ones.
fn check_structure(walked: &Walked, out: &mut Vec<Diagnostic>) {
    let entries = &walked.entries;
    check_unique(
        entries,
        |e| e.asset_id.to_string(),
        out,
        |first, later| {
            later.diagnostic(
                Code::RegistryDuplicateAssetId,
                format!(
                    "{} reuses the asset_id of {}; asset ids are never shared, so remove the stray entry \
                 and register its root again",
                    later.name(),
                    first.name()
                ),
            )
        },
    );
    check_unique(
        entries,
        |e| e.asset_uuid.clone(),
        out,
        |first, later| {
            later.diagnostic(
                Code::RegistryDuplicateAssetUuid,
                format!(
                    "{} has the same asset_uuid `{}` as {}; a copied asset needs a new asset_uuid in its \
                 asset.json and its registry entry",
                    later.name(),
                    later.entry.asset_uuid,
                    first.name()
                ),
            )
        },
    );
    check_unique(
        entries,
        |e| e.root.clone(),
        out,
        |first, later| {
            later.diagnostic(
                Code::RegistryDuplicateRoot,
                format!(
                    "{} registers the same root as {}; a root is registered once, so remove one of the two entries",
                    later.name(),
                    first.name()
                ),
            )
        },
    );
    check_next_asset_id(walked, out);
    check_root_paths(entries, out);
    check_nesting(entries, out);
}

/// Reports each entry whose key repeats that of an earlier entry.
fn check_unique<K: Ord>(
    entries: &[Placed],
    key: impl Fn(&RegistryEntry) -> K,
    out: &mut Vec<Diagnostic>,
    report: impl Fn(&Placed, &Placed) -> Diagnostic,
) {
    let mut first_with: BTreeMap<K, &Placed> = BTreeMap::new();
    for placed in entries {
        match first_with.get(&key(&placed.entry)) {
            Some(first) => out.push(report(first, placed)),
            None => {
                first_with.insert(key(&placed.entry), placed);
            }
        }
    }
}

fn check_next_asset_id(walked: &Walked, out: &mut Vec<Diagnostic>) {
    let Some(next) = walked.next_asset_id else { return };
    let highest = walked.entries.iter().max_by_key(|p| p.entry.asset_id);
    let floor = highest.map_or(1, |p| i128::from(p.entry.asset_id) + 1);
    if next < floor {
        let diagnostic = match highest {
            Some(p) => p.diagnostic(
                Code::RegistryNextAssetIdTooLow,
                format!(
                    "next_asset_id is {next}, but it must be greater than every asset_id and {} has {}; \
                     set next_asset_id to at least {floor}",
                    p.name(),
                    p.entry.asset_id
                ),
            ),
            None => registry_diagnostic(
                Code::RegistryNextAssetIdTooLow,
                format!("next_asset_id is {next}, but asset ids start at 1; set it to at least 1"),
            ),
        };
        out.push(diagnostic);
    } else if u32::try_from(next).is_err() {
        out.push(registry_diagnostic(
            Code::RegistryMalformed,
            format!("next_asset_id is {next}, beyond the largest asset id {}; restore its previous value", u32::MAX),
        ));
    }
}

fn check_root_paths(entries: &[Placed], out: &mut Vec<Diagnostic>) {
    for placed in entries {
        if let Err(rule) = check_relative(&placed.entry.root) {
            out.push(
                placed.diagnostic(Code::RootPathInvalid, format!("the root of {} {}", placed.name(), rule.explain())),
            );
        }
    }
}

/// One root inside another, compared by whole path components (so `sfx2`
/// is not inside `sfx`). Only roots that obey the path rules take part:
/// for them, every `/` separates two real components.
fn check_nesting(entries: &[Placed], out: &mut Vec<Diagnostic>) {
    let valid: Vec<&Placed> = entries.iter().filter(|p| check_relative(&p.entry.root).is_ok()).collect();
    let mut by_root: BTreeMap<&str, &Placed> = BTreeMap::new();
    for placed in &valid {
        by_root.entry(placed.entry.root.as_str()).or_insert(placed);
    }
    for inner in &valid {
        for outer in ancestors(&inner.entry.root).filter_map(|a| by_root.get(a)) {
            out.push(inner.diagnostic(
                Code::RootNested,
                format!(
                    "{} lies inside {}; asset roots may not nest, so move one out of the other or forget one",
                    inner.name(),
                    outer.name()
                ),
            ));
        }
    }
}

/// The proper ancestors of a valid relative path: `a/b/c` → `a`, `a/b`.
fn ancestors(root: &str) -> impl Iterator<Item = &str> {
    root.match_indices('/').map(|(i, _)| &root[..i])
}

// ---------------------------------------------------------------------------
// The roots on disk
// ---------------------------------------------------------------------------

/// Why a root cannot be used as it stands on disk.
enum RootProblem {
    Missing,
    NotDirectory,
    OutsideAssets(Utf8PathBuf),
    OutsideProject(Utf8PathBuf),
    NoDeclaration(&'static str),
    Io(io::Error),
}

impl RootProblem {
    fn code(&self) -> Code {
        match self {
            RootProblem::Missing | RootProblem::NotDirectory | RootProblem::Io(_) => Code::RootMissing,
            RootProblem::OutsideAssets(_) | RootProblem::OutsideProject(_) => Code::RootOutsideAssets,
            RootProblem::NoDeclaration(_) => Code::RootWithoutDeclaration,
        }
    }

    /// Completes "`assets/<root>` …".
    fn explain(&self) -> String {
        match self {
            RootProblem::Missing => "does not exist".to_owned(),
            RootProblem::NotDirectory => "is not a directory".to_owned(),
            RootProblem::OutsideAssets(target) => format!("resolves to `{target}`, outside assets/"),
            RootProblem::OutsideProject(target) => {
                format!("resolves to `{target}`, outside the project, which is never read")
            }
            RootProblem::NoDeclaration(why) => (*why).to_owned(),
            RootProblem::Io(e) => format!("cannot be inspected ({e})"),
        }
    }
}

/// A root found on disk: its canonical directory and declaration file.
struct Located {
    declaration: Utf8PathBuf,
}

/// Resolves `assets/<root>` without ever leaving the project: the directory
/// must stay inside `assets/` after symlinks, and hold a regular `asset.json`
/// that stays inside the root.
fn locate_root(project: &Utf8Path, root: &str) -> Result<Located, RootProblem> {
    let dir = paths::resolve_inside(&project.join(ASSETS_DIR), root).map_err(|e| match e {
        Resolve::Missing => RootProblem::Missing,
        Resolve::Escapes(target) => RootProblem::OutsideAssets(target),
        Resolve::Io(e) => RootProblem::Io(e),
    })?;
    // `assets/` itself may be a link; what must never be left is the project.
    let project_dir = project.canonicalize_utf8().map_err(RootProblem::Io)?;
    if !dir.starts_with(&project_dir) {
        return Err(RootProblem::OutsideProject(dir));
    }
    if !dir.is_dir() {
        return Err(RootProblem::NotDirectory);
    }
    let declaration = match paths::resolve_inside(&dir, DECLARATION_FILE) {
        Ok(file) if file.is_file() => file,
        Ok(_) => return Err(RootProblem::NoDeclaration("has an asset.json that is not a regular file")),
        Err(Resolve::Missing) => return Err(RootProblem::NoDeclaration("has no asset.json")),
        Err(Resolve::Escapes(_)) => {
            return Err(RootProblem::NoDeclaration("has an asset.json that links outside the root"));
        }
        Err(Resolve::Io(e)) => return Err(RootProblem::Io(e)),
    };
    Ok(Located { declaration })
}

/// A registered root that cannot be used as it stands on disk.
struct Broken<'r> {
    entry: &'r RegistryEntry,
    problem: RootProblem,
}

/// Every entry whose root obeys the path rules (the others are already
/// reported by `read`) but cannot be used on disk.
fn broken_roots<'r>(project: &Utf8Path, registry: &'r Registry) -> Vec<Broken<'r>> {
    registry
        .assets
        .iter()
        .filter(|entry| check_relative(&entry.root).is_ok())
        .filter_map(|entry| Some(Broken { entry, problem: locate_root(project, &entry.root).err()? }))
        .collect()
}

/// A root found by `find_unregistered`, with the `asset_uuid` of its
/// `asset.json` when that can be read under the usual rules.
struct Unregistered {
    root: String,
    asset_uuid: Option<String>,
}

fn unregistered_roots(project: &Utf8Path, registry: &Registry) -> Vec<Unregistered> {
    find_unregistered(project, registry)
        .into_iter()
        .map(|root| {
            let asset_uuid = declared_uuid(project, &root).ok();
            Unregistered { root, asset_uuid }
        })
        .collect()
}

/// The unregistered roots whose `asset.json` carries `asset_uuid`: where a
/// broken registered root with that uuid has most likely moved.
fn carrying<'u>(unregistered: &'u [Unregistered], asset_uuid: &str) -> Vec<&'u str> {
    unregistered.iter().filter(|u| u.asset_uuid.as_deref() == Some(asset_uuid)).map(|u| u.root.as_str()).collect()
}

/// `cargo xtask assets move <from> <to>`, ready to paste.
fn move_command(from: &str, to: &str) -> String {
    format!("`cargo xtask assets move {} {}`", shell_word(from), shell_word(to))
}

/// The filesystem checks of every entry whose root obeys the path rules
/// (the others are already reported by `read`): the root exists as a
/// directory, stays inside `assets/` after symlinks, and holds a regular
/// `asset.json`. Never reads outside the project.
///
/// When a root fails them and an unregistered root's `asset.json` carries
/// its `asset_uuid`, the asset has most likely been moved there: the advice
/// is then `cargo xtask assets move`, which keeps its `asset_id` (registering
/// the new directory would allocate a new one).
pub fn check_roots(project: &Utf8Path, registry: &Registry) -> Vec<Diagnostic> {
    let broken = broken_roots(project, registry);
    // Only a broken root needs the walk for where it may have gone.
    let unregistered = if broken.is_empty() { Vec::new() } else { unregistered_roots(project, registry) };
    broken
        .iter()
        .map(|Broken { entry, problem }| {
            let moved_to = carrying(&unregistered, &entry.asset_uuid);
            let advice =
                if moved_to.is_empty() { root_advice(problem, &entry.root) } else { moved_advice(entry, &moved_to) };
            let message = format!(
                "registered root `{ASSETS_DIR}/{}` (asset_id {}) {}; {advice}",
                entry.root,
                entry.asset_id,
                problem.explain(),
            );
            registry_diagnostic(problem.code(), message).asset(entry.asset_id, &entry.root)
        })
        .collect()
}

/// Advice for a broken root whose `asset_uuid` was found in `moved_to`
/// (one or more unregistered roots).
fn moved_advice(entry: &RegistryEntry, moved_to: &[&str]) -> String {
    match moved_to {
        [to] => format!(
            "it seems to have moved to `{ASSETS_DIR}/{to}`, which holds its asset_uuid, so run {} to keep \
             asset_id {} (registering the new directory would give the asset a new id)",
            move_command(&entry.root, to),
            entry.asset_id
        ),
        _ => {
            let commands: Vec<String> = moved_to.iter().map(|to| move_command(&entry.root, to)).collect();
            format!(
                "it seems to have moved, but its asset_uuid is in several unregistered roots; run {} for the \
                 one that is this asset, to keep asset_id {}, and give the others a new asset_uuid",
                commands.join(" or "),
                entry.asset_id
            )
        }
    }
}

fn root_advice(problem: &RootProblem, root: &str) -> String {
    let forget = format!("`cargo xtask assets forget {}`", shell_word(root));
    match problem {
        RootProblem::NoDeclaration(_) => format!("add its asset.json, or run {forget}"),
        RootProblem::OutsideAssets(_) | RootProblem::OutsideProject(_) => {
            format!("move the asset's files inside assets/, or run {forget}")
        }
        _ => format!("restore the directory, or run {forget}"),
    }
}

/// The registry is the authority on `asset_uuid`: a declaration that
/// disagrees (typically a copied root) is reported against its `asset.json`.
/// `declared` is `Parsed::asset_uuid` of the root's declaration.
pub fn check_uuid(entry: &RegistryEntry, declared: &str) -> Option<Diagnostic> {
    if declared == entry.asset_uuid {
        return None;
    }
    let file = format!("{ASSETS_DIR}/{}/{DECLARATION_FILE}", entry.root);
    let message = format!(
        "`asset_uuid` `{declared}` in {file} differs from `{}`, registered for this root in {REGISTRY_PATH}; \
         restore the registered uuid, or if this is another asset, run `cargo xtask assets forget {root}` \
         and register it again",
        entry.asset_uuid,
        root = shell_word(&entry.root)
    );
    Some(Diagnostic::blocking(Code::AssetUuidMismatch, message).asset(entry.asset_id, &entry.root).file(file))
}

/// Directories under `assets/` that hold an `asset.json` but that no
/// registry root names, as roots relative to `assets/`, sorted. Skips the
/// registry's own directory and never follows a symlinked directory, so the
/// walk stays inside the project.
pub fn find_unregistered(project: &Utf8Path, registry: &Registry) -> Vec<String> {
    let Ok(assets) = paths::resolve_inside(project, ASSETS_DIR) else {
        return Vec::new();
    };
    let registered: HashSet<&str> = registry.assets.iter().map(|e| e.root.as_str()).collect();
    let mut found = Vec::new();
    let mut pending = vec![String::new()];
    while let Some(rel) = pending.pop() {
        let dir = if rel.is_empty() { assets.clone() } else { assets.join(&rel) };
        let Ok(listing) = fs::read_dir(&dir) else { continue };
        for item in listing.flatten() {
            let (Ok(name), Ok(kind)) = (item.file_name().into_string(), item.file_type()) else { continue };
            if kind.is_dir() {
                let child = if rel.is_empty() { name } else { format!("{rel}/{name}") };
                if !is_registry_dir(&child) {
                    pending.push(child);
                }
            } else if name == DECLARATION_FILE && !rel.is_empty() && !registered.contains(rel.as_str()) {
                found.push(rel.clone());
            }
        }
    }
    found.sort();
    found
}

/// Whether `rel` (relative to `assets/`) is the directory holding the registry.
fn is_registry_dir(rel: &str) -> bool {
    Utf8Path::new(REGISTRY_PATH).parent() == Some(Utf8Path::new(ASSETS_DIR).join(rel).as_path())
}

/// The warning for one root found by `find_unregistered`, without looking
/// at its `asset.json` (so it always advises registering it).
/// `unregistered_warnings` gives the same warnings with the move advice.
pub fn unregistered_warning(root: &str) -> Diagnostic {
    unregistered_root_warning(
        root,
        format!(
            "`{ASSETS_DIR}/{root}` holds an asset.json but is not registered, so it is never packed; \
             run `cargo xtask assets register {}` to pack it",
            shell_word(root)
        ),
    )
}

/// The warnings for every root `find_unregistered` finds, in its order.
/// When a root's `asset.json` carries the `asset_uuid` of a registered root
/// that `check_roots` reports as broken, the asset seems to have moved
/// there: the warning then advises `cargo xtask assets move`, which keeps
/// its `asset_id`, instead of registering it under a new one. Reads each
/// `asset.json` under the usual rules (inside the project, size limit).
pub fn unregistered_warnings(project: &Utf8Path, registry: &Registry) -> Vec<Diagnostic> {
    let unregistered = unregistered_roots(project, registry);
    if unregistered.is_empty() {
        return Vec::new();
    }
    let broken = broken_roots(project, registry);
    unregistered
        .iter()
        .map(|u| {
            let moved_from =
                u.asset_uuid.as_deref().and_then(|uuid| broken.iter().find(|b| b.entry.asset_uuid == uuid));
            match moved_from {
                Some(Broken { entry, problem }) => unregistered_root_warning(
                    &u.root,
                    format!(
                        "`{ASSETS_DIR}/{root}` holds an asset.json with the asset_uuid of the registered root \
                         `{from}` (asset_id {id}), and `{ASSETS_DIR}/{from}` {why}, so the asset seems to have \
                         moved here; run {command} to keep asset_id {id} (registering it would give it a new id)",
                        root = u.root,
                        from = entry.root,
                        id = entry.asset_id,
                        why = problem.explain(),
                        command = move_command(&entry.root, &u.root),
                    ),
                ),
                None => unregistered_warning(&u.root),
            }
        })
        .collect()
}

fn unregistered_root_warning(root: &str, message: String) -> Diagnostic {
    Diagnostic::warning(Code::UnregisteredRoot, message)
        .asset(0, root)
        .file(format!("{ASSETS_DIR}/{root}/{DECLARATION_FILE}"))
}

/// A root argument as a shell spells it, in the form the registry writes:
/// a leading `./` is dropped, then one leading `assets/` (a root is relative
/// to `assets/`, but completion from the project directory yields
/// `assets/hero`), then trailing `/`s (completion yields `hero/`).
/// Everything else is left for the path rules to accept or refuse, so
/// `a//b`, `assets//b`, `../x` or `/abs` are still reported as written;
/// `assets/` alone becomes the empty root, refused as empty, and `/` stays
/// absolute.
///
/// The command line applies this to every root argument (`register`,
/// `include`, `exclude`, `forget`, both roots of `move`) before calling the
/// functions of this module, which take roots exactly as the registry
/// writes them.
pub fn normalize_root_arg(arg: &str) -> String {
    // A prefix followed by another `/` stays, so the empty component is
    // reported rather than turned into an absolute path.
    let drop = |arg: &'_ str, prefix: &str| match arg.strip_prefix(prefix) {
        Some(rest) if !rest.starts_with('/') => rest.to_owned(),
        _ => arg.to_owned(),
    };
    let arg = drop(&drop(arg, "./"), &format!("{ASSETS_DIR}/"));
    let trimmed = arg.trim_end_matches('/');
    if trimmed.is_empty() && arg.starts_with('/') { arg } else { trimmed.to_owned() }
}

/// `word` quoted for a POSIX shell when it needs it, so suggested commands
/// can be pasted as they are.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./+@%:=,".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

// ---------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------

/// A registry mutation that could not be done; says what to do.
#[derive(Debug)]
pub enum MutationError {
    /// The registry itself is broken; fix these first.
    Invalid(Vec<Diagnostic>),
    /// The root is not usable as written (path rules, no `asset.json`, …).
    BadRoot {
        root: String,
        reason: String,
    },
    AlreadyRegistered {
        root: String,
        asset_id: u32,
    },
    NotRegistered {
        root: String,
    },
    /// `next_asset_id` is the largest possible id: nothing can follow it.
    IdsExhausted {
        next_asset_id: u32,
    },
    /// `move_root` cannot move the registered root `from` to `to`: the
    /// destination is not usable (path rules, missing, registered, nesting,
    /// unreadable `asset.json`, …) or the asset is still at `from` too.
    MoveRefused {
        from: String,
        to: String,
        reason: String,
    },
    /// `move_root`: the `asset.json` at `to` declares another asset than
    /// the one registered at `from`.
    MoveUuidMismatch {
        from: String,
        to: String,
        /// The uuid registered for `from`.
        registered: String,
        /// The uuid declared in `assets/<to>/asset.json`.
        found: String,
    },
    Io(std::io::Error),
}

impl std::fmt::Display for MutationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MutationError::Invalid(diagnostics) => {
                write!(
                    f,
                    "{REGISTRY_PATH} has problems that must be fixed before it can be changed (nothing was written):"
                )?;
                for diagnostic in diagnostics {
                    write!(f, "\n  {diagnostic}")?;
                }
                Ok(())
            }
            MutationError::BadRoot { root, reason } => write!(f, "cannot register `{root}`: {reason}"),
            MutationError::AlreadyRegistered { root, asset_id } => write!(
                f,
                "`{root}` is already registered as asset_id {asset_id}; nothing to do \
                 (`cargo xtask assets include {}` puts it back in the build)",
                shell_word(root)
            ),
            MutationError::NotRegistered { root } => write!(
                f,
                "`{root}` is not a registered root; `cargo xtask assets list` shows the registered roots, \
                 written relative to assets/ without a trailing `/`"
            ),
            MutationError::IdsExhausted { next_asset_id } => write!(
                f,
                "next_asset_id is {next_asset_id}, the largest possible asset id, so no asset can be registered \
                 after it; if it was edited by hand, set it back to one more than the highest id ever allocated"
            ),
            MutationError::MoveRefused { from, to, reason } => {
                write!(f, "cannot move `{from}` to `{to}`: {reason}")
            }
            MutationError::MoveUuidMismatch { from, to, registered, found } => write!(
                f,
                "cannot move `{from}` to `{to}`: `{ASSETS_DIR}/{to}/{DECLARATION_FILE}` has asset_uuid `{found}`, \
                 but `{from}` is registered with asset_uuid `{registered}`, so that directory holds another asset; \
                 give the directory this asset was moved to, or if it is this asset and its asset_uuid was edited, \
                 restore `{registered}` in its asset.json"
            ),
            MutationError::Io(e) => write!(
                f,
                "could not write {REGISTRY_PATH} ({e}); check that its directory is writable, then look at \
                 `cargo xtask assets list` and try again"
            ),
        }
    }
}

impl std::error::Error for MutationError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MutationError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for MutationError {
    fn from(e: io::Error) -> MutationError {
        MutationError::Io(e)
    }
}

/// Registers `root` (relative to `assets/`): allocates `next_asset_id`, copies
/// the uuid from its `asset.json`, includes it in the build.
pub fn register(lane: &LaneGuard, root: &str) -> Result<RegistryEntry, MutationError> {
    let project = lane.project();
    let mut registry = load_for_mutation(project)?;
    let bad = |reason: String| MutationError::BadRoot { root: root.to_owned(), reason };
    if let Err(rule) = check_relative(root) {
        return Err(bad(format!("the path {}", rule.explain())));
    }
    if let Some(existing) = registry.find(root) {
        return Err(MutationError::AlreadyRegistered { root: root.to_owned(), asset_id: existing.asset_id });
    }
    if let Some(reason) = nesting_conflict(&registry, root, "it") {
        return Err(bad(reason));
    }
    let asset_uuid = declared_uuid(project, root).map_err(bad)?;
    if let Some(other) = registry.assets.iter().find(|e| e.asset_uuid == asset_uuid) {
        return Err(bad(format!(
            "its asset_uuid `{asset_uuid}` is already registered for `{}` (asset_id {}); a copied asset needs \
             a new asset_uuid in its asset.json",
            other.root, other.asset_id
        )));
    }
    let asset_id = registry.next_asset_id;
    let next_asset_id = asset_id.checked_add(1).ok_or(MutationError::IdsExhausted { next_asset_id: asset_id })?;
    let entry = RegistryEntry { asset_id, asset_uuid, root: root.to_owned(), included_in_build: true };
    registry.assets.push(entry.clone());
    registry.next_asset_id = next_asset_id;
    write(project, &registry)?;
    Ok(entry)
}

/// Sets `included_in_build` for a registered root.
pub fn set_included(lane: &LaneGuard, root: &str, included: bool) -> Result<RegistryEntry, MutationError> {
    let project = lane.project();
    let mut registry = load_for_mutation(project)?;
    let entry = registry
        .assets
        .iter_mut()
        .find(|e| e.root == root)
        .ok_or_else(|| MutationError::NotRegistered { root: root.to_owned() })?;
    if entry.included_in_build == included {
        return Ok(entry.clone());
    }
    entry.included_in_build = included;
    let updated = entry.clone();
    write(project, &registry)?;
    Ok(updated)
}

/// Removes a root from the registry. Its id is never reused.
pub fn forget(lane: &LaneGuard, root: &str) -> Result<RegistryEntry, MutationError> {
    let project = lane.project();
    let mut registry = load_for_mutation(project)?;
    let position = registry
        .assets
        .iter()
        .position(|e| e.root == root)
        .ok_or_else(|| MutationError::NotRegistered { root: root.to_owned() })?;
    // `next_asset_id` stays as it is: that is what keeps the id unused forever.
    let removed = registry.assets.remove(position);
    write(project, &registry)?;
    Ok(removed)
}

/// Moves the registered root `from` to `to`, the directory its files now
/// live in (relative to `assets/`, like every root). The files must already
/// be there: `assets/<to>` is an existing directory inside `assets/` whose
/// `asset.json` carries the entry's `asset_uuid`. `to` obeys the path rules,
/// is not registered, and neither lies inside nor contains another
/// registered root (`from` itself does not count, so `hero` can move to
/// `hero/v2` and back). Refused too when `assets/<from>` still holds an
/// `asset.json` with the same uuid: the asset was copied, not moved.
///
/// Keeps `asset_id`, `asset_uuid` and `included_in_build`, so references to
/// the asset stay valid; `next_asset_id` is untouched. Writes atomically,
/// like every mutation, and writes nothing when it refuses.
pub fn move_root(lane: &LaneGuard, from: &str, to: &str) -> Result<RegistryEntry, MutationError> {
    let project = lane.project();
    let mut registry = load_for_mutation(project)?;
    let refuse = |reason: String| MutationError::MoveRefused { from: from.to_owned(), to: to.to_owned(), reason };
    let position = registry
        .assets
        .iter()
        .position(|e| e.root == from)
        .ok_or_else(|| MutationError::NotRegistered { root: from.to_owned() })?;
    if let Err(rule) = check_relative(to) {
        return Err(refuse(format!("the destination {}", rule.explain())));
    }
    if to == from {
        return Err(refuse(
            "the source and the destination are the same root; give the directory the asset was moved to \
             as the destination"
                .to_owned(),
        ));
    }
    if let Some(other) = registry.find(to) {
        return Err(refuse(format!(
            "the destination is already registered as asset_id {}; a root is registered once, so give the \
             directory this asset was moved to",
            other.asset_id
        )));
    }
    let mut others = registry.clone();
    let entry = others.assets.remove(position);
    if let Some(reason) = nesting_conflict(&others, to, "the destination") {
        return Err(refuse(reason));
    }
    let destination = locate_root(project, to)
        .map_err(|p| refuse(format!("`{ASSETS_DIR}/{to}` {}; {}", p.explain(), destination_advice(&p, from, to))))?;
    let found = uuid_of(&destination, to).map_err(refuse)?;
    if found != entry.asset_uuid {
        return Err(MutationError::MoveUuidMismatch {
            from: from.to_owned(),
            to: to.to_owned(),
            registered: entry.asset_uuid,
            found,
        });
    }
    // The same declaration reached through a link at `from` is one asset, not a copy.
    if let Ok(source) = locate_root(project, from)
        && source.declaration != destination.declaration
        && uuid_of(&source, from).is_ok_and(|uuid| uuid == entry.asset_uuid)
    {
        return Err(refuse(format!(
            "`{ASSETS_DIR}/{from}` still holds an asset.json with this asset_uuid, so the asset was copied \
             rather than moved; delete `{ASSETS_DIR}/{from}`, or give the copy there a new asset_uuid, then run \
             this again"
        )));
    }
    let moved = RegistryEntry { root: to.to_owned(), ..entry };
    registry.assets[position] = moved.clone();
    write(project, &registry)?;
    Ok(moved)
}

/// What to do when the destination of a move is not usable on disk.
fn destination_advice(problem: &RootProblem, from: &str, to: &str) -> String {
    match problem {
        RootProblem::Missing => format!(
            "move the asset's directory there first (for example `mv {} {}`), then run this again",
            shell_word(&format!("{ASSETS_DIR}/{from}")),
            shell_word(&format!("{ASSETS_DIR}/{to}"))
        ),
        RootProblem::NotDirectory => "the destination must be the directory the asset was moved to".to_owned(),
        RootProblem::NoDeclaration(_) => {
            "move the asset's whole directory there, asset.json included, then run this again".to_owned()
        }
        RootProblem::OutsideAssets(_) | RootProblem::OutsideProject(_) => {
            "the destination must be a directory inside assets/".to_owned()
        }
        RootProblem::Io(_) => "check its permissions, then run this again".to_owned(),
    }
}

/// The registry, provided it has no structural problem.
fn load_for_mutation(project: &Utf8Path) -> Result<Registry, MutationError> {
    let read = read(project);
    if any_blocking(&read.diagnostics) {
        return Err(MutationError::Invalid(read.diagnostics));
    }
    Ok(read.registry)
}

/// Why `root` would nest with a registered root, if it would; `subject`
/// names `root` in the sentence.
fn nesting_conflict(registry: &Registry, root: &str, subject: &str) -> Option<String> {
    if let Some(outer) = ancestors(root).find_map(|a| registry.find(a)) {
        return Some(format!(
            "{subject} lies inside the registered root `{}` (asset_id {}); asset roots may not nest, so move it out",
            outer.root, outer.asset_id
        ));
    }
    let inner = registry.assets.iter().find(|e| ancestors(&e.root).any(|a| a == root))?;
    Some(format!(
        "{subject} contains the registered root `{}` (asset_id {}); asset roots may not nest, so use a \
         directory that holds no other asset",
        inner.root, inner.asset_id
    ))
}

/// The `asset_uuid` of `assets/<root>/asset.json`. Only the uuid has to be
/// readable: a declaration with other mistakes can still be registered and
/// then fixed under validation.
fn declared_uuid(project: &Utf8Path, root: &str) -> Result<String, String> {
    let located = locate_root(project, root).map_err(|p| format!("`{ASSETS_DIR}/{root}` {}", p.explain()))?;
    uuid_of(&located, root)
}

/// The `asset_uuid` of a located declaration, read as every declaration is:
/// never outside the project (`locate_root` saw to that), never beyond
/// `declaration::MAX_DECLARATION_BYTES`, parsed by `declaration::parse`.
fn uuid_of(located: &Located, root: &str) -> Result<String, String> {
    let file = declaration::path_of(root);
    let bytes = read_declaration(&located.declaration, &file)?;
    let parsed = declaration::parse(&bytes, AssetRef { asset_id: 0, root }, &file);
    parsed.asset_uuid.ok_or_else(|| {
        let syntax = parsed.diagnostics.iter().find(|d| d.code == Code::DeclarationInvalidJson);
        match syntax {
            Some(d) => d.message.clone(),
            None => format!("`{file}` has no readable `asset_uuid`; add a non-empty string `asset_uuid` to it"),
        }
    })
}

/// The bytes of a declaration file, refused unread (or as soon as it grows
/// past the limit while being read) when larger than
/// `declaration::MAX_DECLARATION_BYTES`.
fn read_declaration(path: &Utf8Path, file: &str) -> Result<Vec<u8>, String> {
    let limit = declaration::MAX_DECLARATION_BYTES;
    let unreadable = |e: io::Error| format!("`{file}` cannot be read ({e})");
    let too_large = format!("`{file}` is over the {limit}-byte limit for an asset.json; shrink it");
    if fs::metadata(path).map_err(unreadable)?.len() > limit {
        return Err(too_large);
    }
    let mut bytes = Vec::new();
    fs::File::open(path).map_err(unreadable)?.take(limit + 1).read_to_end(&mut bytes).map_err(unreadable)?;
    if bytes.len() as u64 > limit {
        return Err(too_large);
    }
    Ok(bytes)
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

/// Writes the registry atomically: a reader sees the old file or the new
/// one, never a mix, even across a crash.
fn write(project: &Utf8Path, registry: &Registry) -> io::Result<()> {
    let dir = registry_dir(project)?;
    let name = Utf8Path::new(REGISTRY_PATH)
        .file_name()
        .ok_or_else(|| io::Error::other(format!("{REGISTRY_PATH} names no file")))?;
    atomic_write(&dir, name, &serialize(registry)?)
}

/// Pretty JSON (2-space indent) with a trailing newline, entries by asset_id,
/// so the file diffs well under version control.
fn serialize(registry: &Registry) -> io::Result<Vec<u8>> {
    let mut sorted = registry.clone();
    sorted.assets.sort_by_key(|e| e.asset_id);
    let mut bytes = serde_json::to_vec_pretty(&sorted)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Creates the registry directory as needed, refusing to follow a link out
/// of the project at any step.
fn registry_dir(project: &Utf8Path) -> io::Result<Utf8PathBuf> {
    let project_dir = project.canonicalize_utf8()?;
    let mut dir = project_dir.clone();
    let relative = Utf8Path::new(REGISTRY_PATH).parent().unwrap_or(Utf8Path::new(""));
    for component in relative.components() {
        dir.push(component);
        match fs::create_dir(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        dir = dir.canonicalize_utf8()?;
        if !dir.starts_with(&project_dir) {
            return Err(io::Error::other(format!(
                "`{relative}` resolves to `{dir}`, outside the project; replace the link with a directory"
            )));
        }
    }
    Ok(dir)
}

/// Temp file in the same directory, fsync, rename over, fsync the directory.
/// Every writer holds the lane, so one fixed temp name is enough: a crash
/// leaves at most that one file behind, and the next write replaces it.
fn atomic_write(dir: &Utf8Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let temp = dir.join(format!(".{name}.tmp"));
    let result =
        write_synced(&temp, bytes).and_then(|()| fs::rename(&temp, dir.join(name))).and_then(|()| sync_dir(dir));
    if result.is_err() {
        // Best effort: the error being returned is the one that matters.
        let _ = fs::remove_file(&temp);
    }
    result
}

fn write_synced(path: &Utf8Path, bytes: &[u8]) -> io::Result<()> {
    // A crashed writer may have left this file behind.
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_constants_match_the_written_fields() {
        let value = serde_json::to_value(Registry {
            assets: vec![RegistryEntry {
                asset_id: 1,
                asset_uuid: "u".into(),
                root: "r".into(),
                included_in_build: true,
            }],
            ..Registry::empty()
        })
        .unwrap();
        let keys = |v: &Value| {
            let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            k.sort();
            k
        };
        let sorted = |list: &[&str]| {
            let mut k: Vec<String> = list.iter().map(|s| s.to_string()).collect();
            k.sort();
            k
        };
        assert_eq!(keys(&value), sorted(REGISTRY_KEYS));
        assert_eq!(keys(&value["assets"][0]), sorted(ENTRY_KEYS));
    }

    #[test]
    fn ancestors_are_whole_components() {
        assert_eq!(ancestors("a/b/c").collect::<Vec<_>>(), ["a", "a/b"]);
        assert_eq!(ancestors("sfx2").count(), 0);
    }

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("sfx/ui"), "sfx/ui");
        assert_eq!(shell_word("my hero"), "'my hero'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }

    #[test]
    fn serialized_form_is_pretty_sorted_and_newline_terminated() {
        let registry = Registry {
            schema_version: 1,
            next_asset_id: 5,
            assets: vec![
                RegistryEntry { asset_id: 4, asset_uuid: "b".into(), root: "b".into(), included_in_build: false },
                RegistryEntry { asset_id: 2, asset_uuid: "a".into(), root: "a".into(), included_in_build: true },
            ],
        };
        let text = String::from_utf8(serialize(&registry).unwrap()).unwrap();
        assert!(text.ends_with("}\n"));
        assert!(text.starts_with("{\n  \"schema_version\": 1,\n  \"next_asset_id\": 5,\n  \"assets\": [\n    {\n"));
        assert!(text.find("\"asset_id\": 2").unwrap() < text.find("\"asset_id\": 4").unwrap());
    }

    #[test]
    fn root_arguments_lose_what_shells_add() {
        for (arg, root) in [
            ("hero", "hero"),
            ("hero/", "hero"),
            ("hero///", "hero"),
            ("sfx/ui/", "sfx/ui"),
            ("assets/hero", "hero"),
            ("assets/hero/", "hero"),
            ("assets/sfx/ui", "sfx/ui"),
            ("./hero", "hero"),
            ("./hero/", "hero"),
            ("./assets/sfx/ui/", "sfx/ui"),
            // One `assets/` only: a root may itself be called `assets`.
            ("assets/assets/hero", "assets/hero"),
            ("assets", "assets"),
            ("assets_old/hero", "assets_old/hero"),
            ("my hero/", "my hero"),
        ] {
            assert_eq!(normalize_root_arg(arg), root, "{arg:?}");
            assert_eq!(check_relative(root), Ok(()), "{arg:?}");
        }
    }

    #[test]
    fn root_arguments_keep_what_the_path_rules_refuse() {
        use crate::paths::PathRule;
        for (arg, root, rule) in [
            ("", "", PathRule::Empty),
            ("assets/", "", PathRule::Empty),
            ("./", "", PathRule::Empty),
            ("/", "/", PathRule::Absolute),
            ("//", "//", PathRule::Absolute),
            ("/abs/hero/", "/abs/hero", PathRule::Absolute),
            ("C:/hero", "C:/hero", PathRule::Absolute),
            ("../hero/", "../hero", PathRule::ParentComponent),
            ("assets/../hero", "../hero", PathRule::ParentComponent),
            ("sfx\\ui", "sfx\\ui", PathRule::Backslash),
            ("a//b", "a//b", PathRule::NotNormal),
            ("assets//hero", "assets//hero", PathRule::NotNormal),
            (".//hero", ".//hero", PathRule::NotNormal),
            ("././hero", "./hero", PathRule::NotNormal),
            ("hero/./tiles", "hero/./tiles", PathRule::NotNormal),
        ] {
            assert_eq!(normalize_root_arg(arg), root, "{arg:?}");
            assert_eq!(check_relative(root), Err(rule), "{arg:?}");
        }
    }

    #[test]
    fn moved_advice_gives_one_command_per_candidate() {
        let entry = RegistryEntry { asset_id: 7, asset_uuid: "u".into(), root: "hero".into(), included_in_build: true };
        let one = moved_advice(&entry, &["chars/hero"]);
        assert!(one.contains("moved to `assets/chars/hero`"), "{one}");
        assert!(one.contains("`cargo xtask assets move hero chars/hero`"), "{one}");
        assert!(one.contains("asset_id 7"), "{one}");
        let two = moved_advice(&entry, &["a/hero", "my hero"]);
        assert!(
            two.contains("`cargo xtask assets move hero a/hero` or `cargo xtask assets move hero 'my hero'`"),
            "{two}"
        );
    }

    #[test]
    fn registry_dir_is_recognised_relative_to_assets() {
        assert!(is_registry_dir(".prometeu"));
        assert!(!is_registry_dir("hero"));
        assert!(!is_registry_dir("hero/.prometeu"));
    }
}
