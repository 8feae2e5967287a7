//! The registered roots on disk: located, broken, moved, unregistered.

use super::*;
use crate::support::advice::Advice;
use crate::workspace::tree::Tree;

/// Why a root cannot be used as it stands on disk.
pub(crate) enum RootProblem {
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
    pub(crate) fn explain(&self) -> String {
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
pub(crate) struct Located {
    pub(crate) declaration: Utf8PathBuf,
}

/// The canonical project and `assets/` directories, resolved once to locate
/// many roots: each root then costs one `lstat` per path component instead
/// of canonicalizing the whole path (project included) several times.
pub(crate) struct AssetsDir {
    project: Utf8PathBuf,
    assets: paths::Base,
}

impl AssetsDir {
    pub(crate) fn new(project: &Utf8Path) -> Result<AssetsDir, RootProblem> {
        // `assets/` linked out of the project: refused from the link itself.
        let assets = paths::assets_base(project).map_err(|e| match e {
            Resolve::Escapes(target) => RootProblem::OutsideProject(target),
            e => root_problem(e),
        })?;
        let project = project.canonicalize_utf8().map_err(RootProblem::Io)?;
        Ok(AssetsDir { project, assets })
    }

    /// `locate` answered from the walk of `assets/` when it can be: the root a
    /// real directory holding a regular `asset.json`. Anything else goes the
    /// exact way, which words the problem.
    pub(crate) fn locate_in(&self, tree: &Tree, root: &str) -> Result<Located, RootProblem> {
        match tree.file(root, DECLARATION_FILE) {
            Some((declaration, _)) if declaration.starts_with(&self.project) => Ok(Located { declaration }),
            _ => self.locate(root),
        }
    }

    /// `locate_root` for one root.
    pub(crate) fn locate(&self, root: &str) -> Result<Located, RootProblem> {
        let dir = self.assets.child(root).map_err(root_problem)?;
        // `assets/` itself may be a link; what must never be left is the project.
        if !dir.dir().starts_with(&self.project) {
            return Err(RootProblem::OutsideProject(dir.dir().to_owned()));
        }
        if !dir.dir().is_dir() {
            return Err(RootProblem::NotDirectory);
        }
        let declaration = match dir.resolve(DECLARATION_FILE) {
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
}

fn root_problem(e: Resolve) -> RootProblem {
    match e {
        Resolve::Missing => RootProblem::Missing,
        Resolve::Escapes(target) => RootProblem::OutsideAssets(target),
        Resolve::Io(e) => RootProblem::Io(e),
    }
}

/// Resolves `assets/<root>` without ever leaving the project: the directory
/// must stay inside `assets/` after symlinks, and hold a regular `asset.json`
/// that stays inside the root.
pub(crate) fn locate_root(project: &Utf8Path, root: &str) -> Result<Located, RootProblem> {
    AssetsDir::new(project)?.locate(root)
}

/// A registered root that cannot be used as it stands on disk.
pub(crate) struct Broken<'r> {
    entry: &'r RegistryEntry,
    problem: RootProblem,
}

/// Every entry whose root obeys the path rules (the others are already
/// reported by `read`) but cannot be used on disk.
fn broken_roots<'r>(registry: &'r Registry, locate: &RootLocator<'_>) -> Vec<Broken<'r>> {
    use rayon::prelude::*;
    registry
        .assets
        .par_iter()
        .filter(|entry| check_relative(&entry.root).is_ok())
        .filter_map(|entry| Some(Broken { entry, problem: locate.locate(&entry.root).err()? }))
        .collect()
}

/// Locates roots against one walk of `assets/`, with `assets/` and the
/// project canonicalized once for all of them.
struct RootLocator<'a> {
    project: &'a Utf8Path,
    tree: &'a Tree,
    assets: Result<AssetsDir, RootProblem>,
}

impl RootLocator<'_> {
    fn locate(&self, root: &str) -> Result<Located, RootProblem> {
        match &self.assets {
            Ok(assets) => assets.locate_in(self.tree, root),
            // Each root gets the problem in its own words.
            Err(_) => locate_root(self.project, root),
        }
    }
}

/// A root found by `find_unregistered`, with the `asset_uuid` of its
/// `asset.json` when that can be read under the usual rules.
pub(crate) struct Unregistered {
    root: String,
    asset_uuid: Option<String>,
}

/// The advice to record that `from` moved to `to`.
pub(crate) fn move_advice(from: &str, to: &str) -> Advice {
    Advice::Move { from: from.to_owned(), to: to.to_owned() }
}

/// The filesystem checks of every entry whose root obeys the path rules
/// (the others are already reported by `read`): the root exists as a
/// directory, stays inside `assets/` after symlinks, and holds a regular
/// `asset.json`. Never reads outside the project.
///
/// When a root fails them and an unregistered root's `asset.json` carries
/// its `asset_uuid`, the asset has most likely been moved there: the advice
/// is then to move the registry entry, which keeps its `asset_id`
/// (registering the new directory would allocate a new one).
pub fn check_roots(project: &Utf8Path, registry: &Registry) -> Vec<Diagnostic> {
    scan(project, registry, &Tree::walk(project)).root_findings()
}

/// What the filesystem says about the registry's roots, from one check of
/// each root and one walk of `assets/`; every finding about roots is
/// derived from it, with look-ups by uuid indexed, so the cost stays linear
/// in roots and files however many are broken, moved or unregistered.
pub(crate) struct RootScan<'r> {
    broken: Vec<Broken<'r>>,
    unregistered: Vec<Unregistered>,
    not_utf8: Vec<String>,
}

/// Checks every root against the one walk of `assets/`.
pub(crate) fn scan<'r>(project: &Utf8Path, registry: &'r Registry, tree: &Tree) -> RootScan<'r> {
    use rayon::prelude::*;
    let locator = RootLocator { project, tree, assets: AssetsDir::new(project) };
    let broken = broken_roots(registry, &locator);
    let unregistered = unregistered_in(tree, registry)
        .into_par_iter()
        .map(|root| {
            let asset_uuid = locator.locate(&root).ok().and_then(|located| uuid_of(&located, &root).ok());
            Unregistered { root, asset_uuid }
        })
        .collect();
    RootScan { broken, unregistered, not_utf8: tree.not_utf8().to_vec() }
}

impl RootScan<'_> {
    /// `check_roots`' findings: one per broken root, with the move advice
    /// when an unregistered root carries its uuid.
    pub(crate) fn root_findings(&self) -> Vec<Diagnostic> {
        let mut carrying: HashMap<&str, Vec<&str>> = HashMap::new();
        for u in &self.unregistered {
            if let Some(uuid) = u.asset_uuid.as_deref() {
                carrying.entry(uuid).or_default().push(u.root.as_str());
            }
        }
        self.broken
            .iter()
            .map(|Broken { entry, problem }| {
                let moved_to = carrying.get(&*entry.asset_uuid).map_or(&[][..], Vec::as_slice);
                let (advice, operations) = if moved_to.is_empty() {
                    (root_advice(problem), vec![Advice::Forget { root: entry.root.to_string() }])
                } else {
                    (moved_advice(entry, moved_to), moved_to.iter().map(|to| move_advice(&entry.root, to)).collect())
                };
                let message = format!(
                    "registered root `{ASSETS_DIR}/{}` (asset_id {}) {}; {advice}",
                    entry.root,
                    entry.asset_id,
                    problem.explain(),
                );
                let diagnostic = registry_diagnostic(problem.code(), message).asset(entry.asset_id, &entry.root);
                operations.into_iter().fold(diagnostic, Diagnostic::advise)
            })
            .collect()
    }

    /// `unregistered_warnings`' findings.
    pub(crate) fn unregistered_warnings(&self) -> Vec<Diagnostic> {
        let mut broken_by_uuid: HashMap<&str, &Broken<'_>> = HashMap::new();
        for b in &self.broken {
            broken_by_uuid.entry(&*b.entry.asset_uuid).or_insert(b);
        }
        self.unregistered
            .iter()
            .map(|u| match u.asset_uuid.as_deref().and_then(|uuid| broken_by_uuid.get(uuid)) {
                Some(Broken { entry, problem }) => moved_here_warning(&u.root, entry, problem),
                None => unregistered_warning(&u.root),
            })
            .collect()
    }

    /// `non_utf8_warnings`' findings.
    pub(crate) fn non_utf8_warnings(&self) -> Vec<Diagnostic> {
        self.not_utf8.iter().map(|dir| non_utf8_warning(dir)).collect()
    }
}

/// Advice for a broken root whose `asset_uuid` was found in `moved_to`
/// (one or more unregistered roots); the operations ride along as data.
pub(crate) fn moved_advice(entry: &RegistryEntry, moved_to: &[&str]) -> String {
    match moved_to {
        [to] => format!(
            "it seems to have moved to `{ASSETS_DIR}/{to}`, which holds its asset_uuid, so move its registry \
             entry there to keep asset_id {} (registering the new directory would give the asset a new id)",
            entry.asset_id
        ),
        _ => {
            let places: Vec<String> = moved_to.iter().map(|to| format!("`{ASSETS_DIR}/{to}`")).collect();
            format!(
                "it seems to have moved, but its asset_uuid is in several unregistered roots ({}); move its \
                 registry entry to the one that is this asset, to keep asset_id {}, and give the others a new \
                 asset_uuid",
                places.join(", "),
                entry.asset_id
            )
        }
    }
}

pub(crate) fn root_advice(problem: &RootProblem) -> String {
    match problem {
        RootProblem::NoDeclaration(_) => "add its asset.json, or forget the asset".to_owned(),
        RootProblem::OutsideAssets(_) | RootProblem::OutsideProject(_) => {
            "move the asset's files inside assets/, or forget the asset".to_owned()
        }
        _ => "restore the directory, or forget the asset".to_owned(),
    }
}

/// The registry is the authority on `asset_uuid`: a declaration that
/// disagrees (typically a copied root) is reported against its `asset.json`.
/// `declared` is `Parsed::asset_uuid` of the root's declaration.
pub fn check_uuid(entry: &RegistryEntry, declared: &str) -> Option<Diagnostic> {
    if declared == &*entry.asset_uuid {
        return None;
    }
    let file = crate::workspace::layout::declaration_path(&entry.root);
    let message = format!(
        "`asset_uuid` `{declared}` in {file} differs from `{}`, registered for this root in {REGISTRY_PATH}; \
         restore the registered uuid, or if this is another asset, forget this root and register it again",
        entry.asset_uuid,
    );
    let root = entry.root.to_string();
    Some(
        Diagnostic::blocking(Code::AssetUuidMismatch, message)
            .asset(entry.asset_id, &entry.root)
            .file(file)
            .advise(Advice::Forget { root: root.clone() })
            .advise(Advice::Register { root }),
    )
}

/// Directories under `assets/` that hold an `asset.json` but that no
/// registry root names, as roots relative to `assets/`, sorted. Skips the
/// registry's own directory and never follows a symlinked directory, so the
/// walk stays inside the project.
pub fn find_unregistered(project: &Utf8Path, registry: &Registry) -> Vec<String> {
    unregistered_in(&Tree::walk(project), registry)
}

/// `find_unregistered` over an existing walk.
fn unregistered_in(tree: &Tree, registry: &Registry) -> Vec<String> {
    let registered: HashSet<&str> = registry.assets.iter().map(|e| &*e.root).collect();
    tree.unregistered(&registered)
}

/// The warning for a directory under `assets/` whose name is not UTF-8.
fn non_utf8_warning(dir: &str) -> Diagnostic {
    Diagnostic::warning(
        Code::NameNotUnicode,
        format!(
            "the directory `{dir}` has a name that is not UTF-8 (shown with `\u{fffd}` for the bad \
             bytes), so it is never looked into; rename it with UTF-8 characters"
        ),
    )
    .file(dir.to_owned())
}

/// The warning for one root found by `find_unregistered`, without looking
/// at its `asset.json` (so it always advises registering it).
/// `unregistered_warnings` gives the same warnings with the move advice.
pub fn unregistered_warning(root: &str) -> Diagnostic {
    unregistered_root_warning(
        root,
        format!(
            "`{ASSETS_DIR}/{root}` holds an asset.json but is not registered, so it is never packed; \
             register it to pack it"
        ),
    )
    .advise(Advice::Register { root: root.to_owned() })
}

/// The warnings for every root `find_unregistered` finds, in its order.
/// When a root's `asset.json` carries the `asset_uuid` of a registered root
/// that `check_roots` reports as broken, the asset seems to have moved
/// there: the warning then advises moving the registry entry, which keeps
/// its `asset_id`, instead of registering it under a new one. Reads each
/// `asset.json` under the usual rules (inside the project, size limit).
pub fn unregistered_warnings(project: &Utf8Path, registry: &Registry) -> Vec<Diagnostic> {
    scan(project, registry, &Tree::walk(project)).unregistered_warnings()
}

/// The warning for `root`, which carries the uuid of the broken registered `entry`.
fn moved_here_warning(root: &str, entry: &RegistryEntry, problem: &RootProblem) -> Diagnostic {
    unregistered_root_warning(
        root,
        format!(
            "`{ASSETS_DIR}/{root}` holds an asset.json with the asset_uuid of the registered root \
             `{from}` (asset_id {id}), and `{ASSETS_DIR}/{from}` {why}, so the asset seems to have \
             moved here; move its registry entry here to keep asset_id {id} (registering it would \
             give it a new id)",
            from = entry.root,
            id = entry.asset_id,
            why = problem.explain(),
        ),
    )
    .advise(move_advice(&entry.root, root))
}

pub(crate) fn unregistered_root_warning(root: &str, message: String) -> Diagnostic {
    Diagnostic::warning(Code::UnregisteredRoot, message)
        .asset(0, root)
        .file(crate::workspace::layout::declaration_path(root))
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
pub fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./+@%:=,".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The `asset_uuid` of `assets/<root>/asset.json`. Only the uuid has to be
/// readable: a declaration with other mistakes can still be registered and
/// then fixed under validation.
pub(crate) fn declared_uuid(project: &Utf8Path, root: &str) -> Result<String, String> {
    let located = locate_root(project, root).map_err(|p| format!("`{ASSETS_DIR}/{root}` {}", p.explain()))?;
    uuid_of(&located, root)
}

/// The `asset_uuid` of a located declaration, read as every declaration is:
/// never outside the project (`locate_root` saw to that), never beyond
/// `declaration::MAX_DECLARATION_BYTES`, parsed by `declaration::parse`.
pub(crate) fn uuid_of(located: &Located, root: &str) -> Result<String, String> {
    let file = crate::workspace::layout::declaration_path(root);
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
pub(crate) fn read_declaration(path: &Utf8Path, file: &str) -> Result<Vec<u8>, String> {
    let limit = declaration::MAX_DECLARATION_BYTES;
    let unreadable = |e: io::Error| format!("`{file}` cannot be read ({e})");
    let too_large = format!("`{file}` is over the {limit}-byte limit for an asset.json; shrink it");
    prometeu_shape::read_regular(path.as_std_path(), limit).map_err(|e| match e.kind() {
        io::ErrorKind::FileTooLarge => too_large,
        _ => unreadable(e),
    })
}
