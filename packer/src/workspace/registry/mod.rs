//! The asset registry `assets/.prometeu/index.json`: the authority on which
//! roots are registered and on `asset_id`. Reading with structural checks,
//! and the mutations (register, include, exclude, forget, move) with atomic
//! writes.
//!
//! Root arguments: every function here takes a root exactly as the registry
//! writes it (relative to `assets/`, `/`-separated, no trailing `/`). The
//! command line passes each root argument through `normalize_root_arg`
//! first, so the spellings a shell produces (`hero/`, `assets/hero`) work.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::io;

use camino::{Utf8Path, Utf8PathBuf};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::support::diag::AssetRef;
use crate::support::diag::{Code, Diagnostic};
use crate::workspace::declaration;
use crate::workspace::layout::{ASSETS_DIR, DECLARATION_FILE, REGISTRY_PATH};
use crate::workspace::paths::{self, Resolve, check_relative};
use prometeu_shape::json_type as describe;

mod roots;

pub(crate) use roots::*;
pub use roots::{
    check_roots, check_uuid, find_unregistered, normalize_root_arg, shell_word, unregistered_warning,
    unregistered_warnings,
};

pub const REGISTRY_SCHEMA_VERSION: u64 = 1;

/// Accepted keys of the registry object (local): the fields of `Registry`.
pub fn registry_keys() -> &'static [&'static str] {
    prometeu_shape::field_names::<Registry>()
}

/// Accepted keys of each entry (local): the fields of `RegistryEntry`.
pub fn entry_keys() -> &'static [&'static str] {
    prometeu_shape::field_names::<RegistryEntry>()
}

/// The registry file (keys local). Field order is the written order. Its
/// JSON Schema (`docs/schemas/`) is generated from this type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "Prometeu asset registry",
    description = "assets/.prometeu/index.json (docs/reference/registry.md)."
)]
pub struct Registry {
    /// Registry format version; only `REGISTRY_SCHEMA_VERSION` (1) is accepted.
    #[schemars(range(min = 1, max = 1))]
    pub schema_version: u64,
    /// The id the next registration receives; above every `asset_id`, never lowered, so ids are never reused.
    pub next_asset_id: u32,
    /// One entry per registered root; written sorted by `asset_id`.
    pub assets: Vec<RegistryEntry>,
}

/// One registered asset root (keys local). `asset_id` and `asset_uuid` survive moves and renames.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistryEntry {
    /// Stable id, allocated from `next_asset_id` at registration and never reused; 1 or more, unique.
    #[schemars(range(min = 1))]
    pub asset_id: u32,
    /// Non-empty, unique; must equal the `asset_uuid` in the root's `asset.json` (the registry is the authority).
    pub asset_uuid: Box<str>,
    /// Relative to `assets/`, `/`-separated.
    pub root: Box<str>,
    /// Whether the asset is in the active pack set; excluded assets are still checked, never packed.
    pub included_in_build: bool,
}

impl Registry {
    /// The registry of a workspace with no registry file: no assets, `next_asset_id` 1.
    pub fn empty() -> Registry {
        Registry { schema_version: REGISTRY_SCHEMA_VERSION, next_asset_id: 1, assets: Vec::new() }
    }

    /// The entry registered under exactly this `root`, if any.
    pub fn find(&self, root: &str) -> Option<&RegistryEntry> {
        self.assets.iter().find(|e| *e.root == *root)
    }
}

/// What reading the registry found: the entries that could be read, and the
/// structural findings (all blocking). A missing file is an empty registry.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryRead {
    /// The entries that could be read; empty when the file is unreadable or not JSON.
    pub registry: Registry,
    /// Structural findings about the file, all blocking; empty when the registry is sound.
    pub diagnostics: Vec<Diagnostic>,
}

impl RegistryRead {
    fn failed(diagnostic: Diagnostic) -> RegistryRead {
        RegistryRead { registry: Registry::empty(), diagnostics: vec![diagnostic] }
    }
}

/// The largest registry read (local): far above any real workspace's
/// (about 200 bytes per asset), low enough that a hostile file cannot
/// exhaust memory.
pub const MAX_REGISTRY_BYTES: u64 = 16 * 1024 * 1024;

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
    if let Some(target) = paths::link_outside(project, ASSETS_DIR) {
        return Err(format!(
            "{ASSETS_DIR}/ is a link to `{target}`, outside the project, which is never read; \
             replace the link with the asset workspace itself"
        ));
    }
    match paths::resolve_inside(project, REGISTRY_PATH) {
        Ok(path) => prometeu_shape::read_regular(path.as_std_path(), MAX_REGISTRY_BYTES).map(Some).map_err(unreadable),
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
    let bytes = prometeu_shape::without_bom(bytes);
    let value = match serde_json::from_slice::<Value>(bytes) {
        Ok(value) => value,
        Err(e) => {
            let message = declaration::json_error_message(REGISTRY_PATH, &e);
            return RegistryRead::failed(
                registry_diagnostic(Code::RegistryInvalidJson, message).at(e.line(), e.column()),
            );
        }
    };
    if let Some(duplicate) = prometeu_shape::duplicate_key(bytes) {
        return RegistryRead::failed(
            registry_diagnostic(Code::RegistryInvalidJson, duplicate.message(REGISTRY_PATH))
                .at(duplicate.line, duplicate.column),
        );
    }
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
                registry_keys().join(", "),
                describe(value)
            ),
        ));
        return None;
    };
    if !schema_supported(top, out) {
        return None;
    }
    report_unknown_keys(top, registry_keys(), "at the top level of the registry", out, |d| d);
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
        out.push(wrong_type(&at, &format!("an object with the keys {}", entry_keys().join(", ")), item));
        return None;
    };
    let seen_id = fields.get("asset_id").and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok());
    let seen_root = fields.get("root").and_then(Value::as_str);
    let attach = |d: Diagnostic| about(d, seen_id, seen_root);
    let place = format!("`{at}`");

    report_unknown_keys(fields, entry_keys(), &format!("in {place}"), out, attach);
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
        asset_uuid: asset_uuid?.into(),
        root: root?.into(),
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
        out.push(attach(registry_diagnostic(Code::RegistryMalformed, prometeu_shape::missing_key_message(place, key))));
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
    for unknown in prometeu_shape::unknown_json_keys(fields, accepted) {
        out.push(attach(registry_diagnostic(Code::RegistryMalformed, unknown.message(place, accepted))));
    }
}

fn wrong_type(at: &str, expected: &str, found: &Value) -> Diagnostic {
    registry_diagnostic(Code::RegistryMalformed, prometeu_shape::wrong_type_message(at, expected, found))
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
        |e| Key::Id(e.asset_id),
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
        |e| Key::Text(&e.asset_uuid),
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
        |e| Key::Text(&e.root),
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

/// What `check_unique` compares: borrowed from the entries, so a registry
/// of many entries is checked without a copy of any of them.
#[derive(PartialEq, Eq, Hash)]
enum Key<'a> {
    Id(u32),
    Text(&'a str),
}

/// Reports each entry whose key repeats that of an earlier entry.
fn check_unique<'a>(
    entries: &'a [Placed],
    key: impl Fn(&'a RegistryEntry) -> Key<'a>,
    out: &mut Vec<Diagnostic>,
    report: impl Fn(&Placed, &Placed) -> Diagnostic,
) {
    let mut first_with: HashMap<Key<'a>, &Placed> = HashMap::with_capacity(entries.len());
    for placed in entries {
        match first_with.entry(key(&placed.entry)) {
            Entry::Occupied(first) => out.push(report(first.get(), placed)),
            Entry::Vacant(new) => {
                new.insert(placed);
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
    let mut by_root: HashMap<&str, &Placed> = HashMap::with_capacity(valid.len());
    for placed in &valid {
        by_root.entry(&*placed.entry.root).or_insert(placed);
    }
    for inner in &valid {
        // The nearest enclosing root only: a chain of n nested roots gives
        // n - 1 findings, not n²/2, and moving each out fixes them all.
        if let Some(outer) = ancestors(&inner.entry.root).rev().find_map(|a| by_root.get(a)) {
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
pub(crate) fn ancestors(root: &str) -> impl DoubleEndedIterator<Item = &str> {
    root.match_indices('/').map(|(i, _)| &root[..i])
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
        assert_eq!(keys(&value), sorted(registry_keys()));
        assert_eq!(keys(&value["assets"][0]), sorted(entry_keys()));
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
        use crate::workspace::paths::PathRule;
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
    fn moved_advice_names_every_candidate() {
        let entry = RegistryEntry { asset_id: 7, asset_uuid: "u".into(), root: "hero".into(), included_in_build: true };
        let one = moved_advice(&entry, &["chars/hero"]);
        assert!(one.contains("moved to `assets/chars/hero`"), "{one}");
        assert!(one.contains("asset_id 7"), "{one}");
        let two = moved_advice(&entry, &["a/hero", "my hero"]);
        assert!(two.contains("(`assets/a/hero`, `assets/my hero`)"), "{two}");
    }
}
