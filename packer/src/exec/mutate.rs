//! Registry mutations (register, include, exclude, forget, move), each
//! under the lane, each one atomic write of the registry file.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};

use camino::{Utf8Path, Utf8PathBuf};

use crate::exec::lane::LaneGuard;
use crate::exec::staging::sync_dir;
use crate::support::advice::Advice;
use crate::support::diag::{Diagnostic, any_blocking};
use crate::workspace::layout::{ASSETS_DIR, DECLARATION_FILE, REGISTRY_PATH};
use crate::workspace::paths::check_relative;
use crate::workspace::registry::{
    Registry, RegistryEntry, RootProblem, ancestors, declared_uuid, locate_root, read, shell_word, uuid_of,
};

/// A registry mutation that could not be done; says what to do.
#[derive(Debug)]
pub enum MutationError {
    /// The registry itself is broken; fix these first.
    Invalid(Vec<Diagnostic>),
    /// The root is not usable as written (path rules, no `asset.json`, …).
    BadRoot {
        /// The root as given, relative to `assets/`.
        root: String,
        /// Why it cannot be registered, as a sentence fragment ending the message.
        reason: String,
    },
    /// `register` of a root the registry already lists (included or not); nothing was written.
    AlreadyRegistered {
        /// The root as given, relative to `assets/`.
        root: String,
        /// The id the root is already registered under.
        asset_id: u32,
    },
    /// The root named for include, exclude, forget or move is not in the registry.
    NotRegistered {
        /// The root as given, relative to `assets/`.
        root: String,
        /// The registered root it most likely meant.
        suggestion: Option<String>,
    },
    /// `next_asset_id` is the largest possible id: nothing can follow it.
    IdsExhausted {
        /// The registry's `next_asset_id` (`u32::MAX`).
        next_asset_id: u32,
    },
    /// `move_root` cannot move the registered root `from` to `to`: the
    /// destination is not usable (path rules, missing, registered, nesting,
    /// unreadable `asset.json`, …) or the asset is still at `from` too.
    MoveRefused {
        /// The registered root to move, relative to `assets/`.
        from: String,
        /// The requested destination, relative to `assets/`.
        to: String,
        /// Why the destination is refused, with what to do about it.
        reason: String,
    },
    /// `move_root`: the `asset.json` at `to` declares another asset than
    /// the one registered at `from`.
    MoveUuidMismatch {
        /// The registered root to move, relative to `assets/`.
        from: String,
        /// The requested destination, relative to `assets/`.
        to: String,
        /// The uuid registered for `from`.
        registered: String,
        /// The uuid declared in `assets/<to>/asset.json`.
        found: String,
    },
    /// Writing the registry failed; the write is atomic, so the file is either old or new, never partial.
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
                 (including it puts it back in the build)"
            ),
            MutationError::NotRegistered { root, suggestion: Some(close) } => {
                write!(f, "`{root}` is not a registered root; did you mean `{close}`?")
            }
            MutationError::NotRegistered { root, suggestion: None } => write!(
                f,
                "`{root}` is not a registered root; the registered roots are written relative to assets/ \
                 without a trailing `/`"
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
                "could not write {REGISTRY_PATH} ({e}); check that its directory is writable, then look at the \
                 registered assets and try again"
            ),
        }
    }
}

impl MutationError {
    /// Operations that would help, for the host to offer in its own terms.
    pub fn advice(&self) -> Vec<Advice> {
        match self {
            MutationError::AlreadyRegistered { root, .. } => vec![Advice::Include { root: root.clone() }],
            MutationError::NotRegistered { .. } | MutationError::Io(_) => vec![Advice::ListAssets],
            _ => Vec::new(),
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
    if let Some(other) = registry.assets.iter().find(|e| *e.asset_uuid == *asset_uuid) {
        return Err(bad(format!(
            "its asset_uuid `{asset_uuid}` is already registered for `{}` (asset_id {}); a copied asset needs \
             a new asset_uuid in its asset.json",
            other.root, other.asset_id
        )));
    }
    let asset_id = registry.next_asset_id;
    let next_asset_id = asset_id.checked_add(1).ok_or(MutationError::IdsExhausted { next_asset_id: asset_id })?;
    let entry = RegistryEntry { asset_id, asset_uuid: asset_uuid.into(), root: root.into(), included_in_build: true };
    registry.assets.push(entry.clone());
    registry.next_asset_id = next_asset_id;
    write(project, &registry)?;
    Ok(entry)
}

/// Sets `included_in_build` for a registered root.
pub fn set_included(lane: &LaneGuard, root: &str, included: bool) -> Result<RegistryEntry, MutationError> {
    let project = lane.project();
    let mut registry = load_for_mutation(project)?;
    let Some(position) = registry.assets.iter().position(|e| *e.root == *root) else {
        return Err(not_registered(&registry, root));
    };
    let entry = &mut registry.assets[position];
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
    let position =
        registry.assets.iter().position(|e| *e.root == *root).ok_or_else(|| not_registered(&registry, root))?;
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
    let position =
        registry.assets.iter().position(|e| *e.root == *from).ok_or_else(|| not_registered(&registry, from))?;
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
    if *found != *entry.asset_uuid {
        return Err(MutationError::MoveUuidMismatch {
            from: from.to_owned(),
            to: to.to_owned(),
            registered: entry.asset_uuid.into(),
            found,
        });
    }
    // The same declaration reached through a link at `from` is one asset, not a copy.
    if let Ok(source) = locate_root(project, from)
        && source.declaration != destination.declaration
        && uuid_of(&source, from).is_ok_and(|uuid| *uuid == *entry.asset_uuid)
    {
        return Err(refuse(format!(
            "`{ASSETS_DIR}/{from}` still holds an asset.json with this asset_uuid, so the asset was copied \
             rather than moved; delete `{ASSETS_DIR}/{from}`, or give the copy there a new asset_uuid, then run \
             this again"
        )));
    }
    let moved = RegistryEntry { root: to.into(), ..entry };
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
/// `root` is not registered: with the registered root it most likely meant.
fn not_registered(registry: &Registry, root: &str) -> MutationError {
    MutationError::NotRegistered { root: root.to_owned(), suggestion: closest_root(registry, root) }
}

fn closest_root(registry: &Registry, root: &str) -> Option<String> {
    let roots: Vec<&str> = registry.assets.iter().map(|e| &*e.root).collect();
    prometeu_shape::did_you_mean(root, &roots).map(str::to_owned)
}

/// The registered root `root` most likely meant (a typo's did-you-mean), read-only.
pub fn suggest_root(project: &Utf8Path, root: &str) -> Option<String> {
    closest_root(&read(project).registry, root)
}

pub(crate) fn load_for_mutation(project: &Utf8Path) -> Result<Registry, MutationError> {
    let read = read(project);
    if any_blocking(&read.diagnostics) {
        return Err(MutationError::Invalid(read.diagnostics));
    }
    Ok(read.registry)
}

/// Why `root` would nest with a registered root, if it would; `subject`
/// names `root` in the sentence.
pub(crate) fn nesting_conflict(registry: &Registry, root: &str, subject: &str) -> Option<String> {
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
pub fn serialize(registry: &Registry) -> io::Result<Vec<u8>> {
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
pub(crate) fn atomic_write(dir: &Utf8Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let temp = dir.join(format!(".{name}.tmp"));
    let result =
        write_synced(&temp, bytes).and_then(|()| fs::rename(&temp, dir.join(name))).and_then(|()| sync_dir(dir));
    if result.is_err() {
        // Best effort: the error being returned is the one that matters.
        let _ = fs::remove_file(&temp);
    }
    result
}

pub(crate) fn write_synced(path: &Utf8Path, bytes: &[u8]) -> io::Result<()> {
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
}
