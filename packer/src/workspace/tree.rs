//! The one walk of `assets/`: every real directory under it, with the names
//! of its entries and the size and time of its regular files. Symlinked
//! directories are never entered and the registry's own directory is
//! skipped, so the walk stays inside the project.
//!
//! Everything that used to ask the file system once per asset — where a root
//! is, what files it holds, whether a declared input is a regular file
//! inside it, which directories are unregistered roots — looks here instead,
//! by hash and binary search. The tree only answers what it can prove (a
//! path of real directories ending in a regular file); anything else (a
//! link, a missing file, a name that is not UTF-8) takes the exact, slower
//! route its caller already had, so findings and their wording do not
//! depend on which route answered.
//!
//! Directories are read level by level, each level in parallel on the
//! current rayon pool; the result does not depend on the thread count.

use std::collections::{HashMap, HashSet};
use std::time::SystemTime;

use camino::{Utf8Path, Utf8PathBuf};
use prometeu_shape::{Listed, ListedKind, Lister};
use rayon::prelude::*;

use crate::workspace::layout::{ASSETS_DIR, DECLARATION_FILE, is_registry_dir};
use crate::workspace::paths::{self, Base};

/// The size and modification time of a regular file, as the walk saw them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FileMeta {
    pub(crate) size: u64,
    pub(crate) modified: Option<SystemTime>,
}

/// Where a name sits in its directory's `names`.
#[derive(Debug, Clone, Copy)]
struct Name {
    start: u32,
    end: u32,
}

impl Name {
    /// The name, in the `names` of its directory.
    fn of(self, names: &str) -> &str {
        &names[self.start as usize..self.end as usize]
    }
}

/// A directory entry that is not a directory.
#[derive(Debug)]
struct Entry {
    name: Name,
    /// `None` for anything but a regular file (a link, a FIFO, …).
    file: Option<FileMeta>,
}

/// One real directory: its subdirectories and its other entries, by name.
/// The names are held back to back in one string, and every list is sized
/// to what it holds: a large project's tree is alive through the whole walk,
/// beside everything the walk collects, so its size is part of the peak.
#[derive(Debug, Default)]
struct Dir {
    names: Box<str>,
    /// Sorted by name.
    subdirs: Box<[Name]>,
    /// Sorted by name, for binary search.
    entries: Box<[Entry]>,
}

impl Dir {
    fn name(&self, name: Name) -> &str {
        name.of(&self.names)
    }

    fn entry(&self, name: &str) -> Option<&Entry> {
        self.entries.binary_search_by(|e| self.name(e.name).cmp(name)).ok().map(|i| &self.entries[i])
    }

    fn subdirs(&self) -> impl Iterator<Item = &str> {
        self.subdirs.iter().map(|&name| self.name(name))
    }
}

/// The walked `assets/` directory.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    /// Canonical `assets/`; `None` when it does not resolve inside the project (then the tree is empty).
    base: Option<Base>,
    /// Every real directory, by path relative to `assets/` (`""` is `assets/` itself).
    dirs: HashMap<Box<str>, Dir>,
    /// Directories whose names are not UTF-8 (project-relative, lossy), sorted: never entered.
    not_utf8: Vec<String>,
}

impl Tree {
    /// Walks `assets/` of `project`.
    pub(crate) fn walk(project: &Utf8Path) -> Tree {
        let Ok(assets) = paths::assets_base(project).map(|base| base.dir().to_owned()) else { return Tree::default() };
        // Every directory is listed relative to `assets/`, held open.
        let lister = Lister::open(assets.as_std_path()).ok();
        let (mut dirs, mut not_utf8) = (HashMap::new(), Vec::new());
        let mut level = vec![String::new()];
        while !level.is_empty() {
            let read: Vec<(String, Dir, Vec<String>)> =
                level.into_par_iter().map(|rel| read_dir(lister.as_ref(), rel)).collect();
            level = Vec::new();
            for (rel, dir, names) in read {
                level.extend(dir.subdirs().map(|name| join(&rel, name)).filter(|c| !is_registry_dir(c)));
                not_utf8.extend(names);
                dirs.insert(rel.into_boxed_str(), dir);
            }
        }
        not_utf8.sort();
        Tree { base: Some(Base::trusted(assets)), dirs, not_utf8 }
    }

    /// Directories that hold an `asset.json` (of any kind) but that `registered` does not name, sorted.
    pub(crate) fn unregistered(&self, registered: &HashSet<&str>) -> Vec<String> {
        let mut found: Vec<String> = self
            .dirs
            .iter()
            .filter(|(rel, dir)| !rel.is_empty() && dir.entry(DECLARATION_FILE).is_some())
            .filter(|(rel, _)| !registered.contains(&&***rel))
            .map(|(rel, _)| rel.to_string())
            .collect();
        found.sort();
        found
    }

    /// Directories never entered because their names are not UTF-8.
    pub(crate) fn not_utf8(&self) -> &[String] {
        &self.not_utf8
    }

    /// The canonical directory of `root`, when every component of it is a real directory.
    pub(crate) fn root(&self, root: &str) -> Option<Base> {
        let base = self.base.as_ref()?;
        self.dirs.contains_key(root).then(|| Base::trusted(base.dir().join(root)))
    }

    /// `rel` inside `root` when it is a plain path of real directories ending
    /// in a regular file: its canonical path and what the walk saw of it.
    pub(crate) fn file(&self, root: &str, rel: &str) -> Option<(Utf8PathBuf, FileMeta)> {
        let base = self.base.as_ref()?;
        if paths::check_relative(rel).is_err() {
            return None;
        }
        let (parent, name) = rel.rsplit_once('/').map_or(("", rel), |(p, n)| (p, n));
        let meta = self.dirs.get(join(root, parent).as_str())?.entry(name)?.file?;
        Some((base.dir().join(root).join(rel), meta))
    }

    /// Every regular file under `root` (the root a real directory), by its
    /// project-relative path (`assets/<root>/…`); `None` when the tree does
    /// not hold the root.
    pub(crate) fn files_under(&self, root: &str) -> Option<Vec<(String, FileMeta)>> {
        self.dirs.get(root)?;
        let mut files = Vec::new();
        let mut pending = vec![String::new()];
        while let Some(rel) = pending.pop() {
            let Some(dir) = self.dirs.get(join(root, &rel).as_str()) else { continue };
            pending.extend(dir.subdirs().map(|name| join(&rel, name)));
            files.extend(dir.entries.iter().filter_map(|e| {
                let meta = e.file?;
                Some((paths::project_relative(&[ASSETS_DIR, root, &rel, dir.name(e.name)]), meta))
            }));
        }
        Some(files)
    }
}

/// `a/b` from `a` and `b`, where an empty side adds nothing.
fn join(parent: &str, name: &str) -> String {
    match (parent.is_empty(), name.is_empty()) {
        (true, _) => name.to_owned(),
        (_, true) => parent.to_owned(),
        _ => format!("{parent}/{name}"),
    }
}

/// One directory: its entries' types come with the listing; only regular
/// files cost a `stat` (relative to the open directory), for size and time.
fn read_dir(lister: Option<&Lister>, rel: String) -> (String, Dir, Vec<String>) {
    let mut not_utf8 = Vec::new();
    let Some(Ok(listing)) = lister.map(|lister| lister.list(&rel)) else { return (rel, Dir::default(), not_utf8) };
    let mut names = String::with_capacity(listing.iter().map(|l| l.name.len()).sum());
    let (mut subdirs, mut entries) = (Vec::new(), Vec::with_capacity(listing.len()));
    for Listed { name, kind } in listing {
        let Some(utf8) = name.to_str() else {
            if kind == ListedKind::Dir {
                let parent = if rel.is_empty() { String::new() } else { format!("{rel}/") };
                not_utf8.push(format!("{ASSETS_DIR}/{parent}{}", name.to_string_lossy()));
            }
            continue;
        };
        let start = names.len() as u32;
        names.push_str(utf8);
        let name = Name { start, end: names.len() as u32 };
        match kind {
            ListedKind::Dir => subdirs.push(name),
            ListedKind::File { size, modified } => {
                entries.push(Entry { name, file: Some(FileMeta { size, modified }) })
            }
            ListedKind::Other => entries.push(Entry { name, file: None }),
        }
    }
    subdirs.sort_by(|a, b| a.of(&names).cmp(b.of(&names)));
    entries.sort_by(|a, b| a.name.of(&names).cmp(b.name.of(&names)));
    let dir = Dir { names: names.into_boxed_str(), subdirs: subdirs.into(), entries: entries.into() };
    (rel, dir, not_utf8)
}
