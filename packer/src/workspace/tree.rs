//! The one walk of `assets/`: every real directory under it, with the names
//! of its entries and the size and time of its regular files. Symlinked
//! directories are never entered and the registry's own directory is
//! skipped, so the walk stays inside the project.
//!
//! Everything that used to ask the file system once per asset — where a root
//! is, what files it holds, whether a declared input is a regular file
//! inside it, which directories are unregistered roots — looks here instead,
//! by a binary search per path component. The tree only answers what it can prove (a
//! path of real directories ending in a regular file); anything else (a
//! link, a missing file, a name that is not UTF-8) takes the exact, slower
//! route its caller already had, so findings and their wording do not
//! depend on which route answered.
//!
//! Directories are read level by level, each level in parallel on the
//! current rayon pool; the result does not depend on the thread count.

use std::collections::HashSet;
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

/// Where a name sits in the tree's `names` (or, before its level is added
/// to the tree, in its `Listing`'s).
#[derive(Debug, Clone, Copy, Default)]
struct Name {
    start: u32,
    end: u32,
}

impl Name {
    /// The name, in `names`.
    fn of(self, names: &str) -> &str {
        &names[self.start as usize..self.end as usize]
    }

    /// The same name, `by` bytes further along.
    fn shifted(self, by: u32) -> Name {
        Name { start: self.start + by, end: self.end + by }
    }
}

/// A directory entry that is not a directory, in 24 bytes: the tree holds
/// one per file of `assets/` through the whole walk (450 000 at 100k
/// assets), and a `FileMeta` as it is takes 24 bytes of its own.
#[derive(Debug, Clone, Copy)]
struct Entry {
    name: Name,
    /// The file's size; `NOT_A_FILE` for anything but a regular file (a link, a FIFO, …).
    size: u64,
    /// The modification time in nanoseconds from the Unix epoch; `NO_TIME` when
    /// there is none, or it is beyond what that holds (before 1678 or after 2262).
    modified: i64,
}

/// `Entry::size` of an entry that is not a regular file (no file is this large).
const NOT_A_FILE: u64 = u64::MAX;
/// `Entry::modified` when the time is unknown.
const NO_TIME: i64 = i64::MIN;

impl Entry {
    fn new(name: Name, file: Option<FileMeta>) -> Entry {
        let Some(FileMeta { size, modified }) = file else {
            return Entry { name, size: NOT_A_FILE, modified: NO_TIME };
        };
        Entry { name, size: size.min(NOT_A_FILE - 1), modified: nanos_of(modified) }
    }

    /// What the walk saw of it, when it is a regular file.
    fn file(&self) -> Option<FileMeta> {
        (self.size != NOT_A_FILE).then(|| FileMeta { size: self.size, modified: time_of(self.modified) })
    }
}

/// A modification time in one word: nanoseconds from the Unix epoch;
/// `NO_TIME` when there is none, or it is beyond what that holds (before
/// 1678 or after 2262). Unknown sorts before every time.
pub(crate) fn nanos_of(time: Option<SystemTime>) -> i64 {
    let nanos = |d: std::time::Duration| i64::try_from(d.as_nanos()).ok();
    let nanos = time.and_then(|t| match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => nanos(after),
        Err(before) => nanos(before.duration()).map(|n| -n),
    });
    nanos.filter(|&n| n != NO_TIME).unwrap_or(NO_TIME)
}

/// The time `nanos_of` made `nanos` from.
pub(crate) fn time_of(nanos: i64) -> Option<SystemTime> {
    (nanos != NO_TIME).then(|| {
        let from_epoch = std::time::Duration::from_nanos(nanos.unsigned_abs());
        if nanos >= 0 { SystemTime::UNIX_EPOCH + from_epoch } else { SystemTime::UNIX_EPOCH - from_epoch }
    })
}

/// A run of consecutive items of one of the tree's lists.
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    start: u32,
    len: u32,
}

impl Span {
    fn range(self) -> std::ops::Range<usize> {
        self.start as usize..(self.start + self.len) as usize
    }
}

/// One real directory: its name, its subdirectories (consecutive in the
/// tree's `dirs`, as the walk numbers each level in order) and its other
/// entries (consecutive in the tree's `entries`), each run sorted by name.
#[derive(Debug, Clone, Copy, Default)]
struct Dir {
    name: Name,
    subdirs: Span,
    entries: Span,
}

/// The walked `assets/` directory, in a few lists for the whole tree (a
/// large project's tree is alive through the whole walk, beside everything
/// the walk collects, so its size is part of the peak: a map by path and
/// three lists per directory were 38 MiB for 200 000 directories).
#[derive(Debug, Default)]
pub(crate) struct Tree {
    /// Canonical `assets/`; `None` when it does not resolve inside the project (then the tree is empty).
    base: Option<Base>,
    /// Every name, back to back.
    names: String,
    /// Every real directory; the first is `assets/` itself.
    dirs: Vec<Dir>,
    /// Every entry that is not a directory.
    entries: Vec<Entry>,
    /// Directories whose names are not UTF-8 (project-relative, lossy), sorted: never entered.
    not_utf8: Vec<String>,
}

impl Tree {
    /// Walks `assets/` of `project`.
    pub(crate) fn walk(project: &Utf8Path) -> Tree {
        let Ok(assets) = paths::assets_base(project).map(|base| base.dir().to_owned()) else { return Tree::default() };
        // Every directory is listed relative to `assets/`, held open.
        let lister = Lister::open(assets.as_std_path()).ok();
        let mut tree = Tree { base: Some(Base::trusted(assets)), dirs: vec![Dir::default()], ..Tree::default() };
        let mut level = vec![(0, String::new())];
        while !level.is_empty() {
            let read: Vec<(u32, String, Listing)> = level
                .into_par_iter()
                .map(|(at, rel)| {
                    let listing = read_dir(lister.as_ref(), &rel);
                    (at, rel, listing)
                })
                .collect();
            level = tree.add_level(read);
        }
        tree.not_utf8.sort();
        tree
    }

    /// Files one level's listings into the tree; the next level to read.
    fn add_level(&mut self, read: Vec<(u32, String, Listing)>) -> Vec<(u32, String)> {
        // Grown once per level by what it adds, never by doubling.
        self.names.reserve_exact(read.iter().map(|(_, _, l)| l.names.len()).sum());
        self.entries.reserve_exact(read.iter().map(|(_, _, l)| l.entries.len()).sum());
        self.dirs.reserve_exact(read.iter().map(|(_, _, l)| l.subdirs.len()).sum());
        let mut next = Vec::new();
        let index = |len: usize| u32::try_from(len).expect("the tree of assets/ has fewer than 4 G names and entries");
        for (at, rel, listing) in read {
            let by = index(self.names.len());
            self.names.push_str(&listing.names);
            // So that no name shifted below ends past 4 GiB.
            index(self.names.len());
            let entries = Span { start: index(self.entries.len()), len: index(listing.entries.len()) };
            self.entries.extend(listing.entries.iter().map(|e| Entry { name: e.name.shifted(by), ..*e }));
            let first = index(self.dirs.len());
            for name in listing.subdirs {
                let child = join(&rel, name.of(&listing.names));
                if !is_registry_dir(&child) {
                    next.push((index(self.dirs.len()), child));
                    self.dirs.push(Dir { name: name.shifted(by), ..Dir::default() });
                }
            }
            let subdirs = Span { start: first, len: index(self.dirs.len()) - first };
            self.dirs[at as usize] = Dir { subdirs, entries, ..self.dirs[at as usize] };
            self.not_utf8.extend(listing.not_utf8);
        }
        next
    }

    fn name(&self, name: Name) -> &str {
        name.of(&self.names)
    }

    /// The directory at `rel` (relative to `assets/`, `""` for itself).
    fn dir(&self, rel: &str) -> Option<&Dir> {
        self.descend(self.dirs.first()?, rel)
    }

    /// The directory at `rel` relative to `from` (`""` for `from` itself),
    /// one binary search per component.
    fn descend<'a>(&'a self, from: &'a Dir, rel: &str) -> Option<&'a Dir> {
        let mut dir = from;
        for component in rel.split('/').filter(|_| !rel.is_empty()) {
            let subdirs = &self.dirs[dir.subdirs.range()];
            dir = &subdirs[subdirs.binary_search_by(|d| self.name(d.name).cmp(component)).ok()?];
        }
        Some(dir)
    }

    fn entry(&self, dir: &Dir, name: &str) -> Option<&Entry> {
        let entries = &self.entries[dir.entries.range()];
        entries.binary_search_by(|e| self.name(e.name).cmp(name)).ok().map(|i| &entries[i])
    }

    /// `from` and every directory under it, depth first, each with its
    /// path relative to `from` (`""` for `from` itself).
    fn under<'a>(&'a self, from: &'a Dir) -> impl Iterator<Item = (&'a Dir, String)> + 'a {
        let mut pending = vec![(from, String::new())];
        std::iter::from_fn(move || {
            let (dir, rel) = pending.pop()?;
            let subdirs = &self.dirs[dir.subdirs.range()];
            pending.extend(subdirs.iter().map(|d| (d, join(&rel, self.name(d.name)))));
            Some((dir, rel))
        })
    }

    /// Directories that hold an `asset.json` (of any kind) but that `registered` does not name, sorted.
    pub(crate) fn unregistered(&self, registered: &HashSet<&str>) -> Vec<String> {
        let Some(top) = self.dirs.first() else { return Vec::new() };
        let mut found: Vec<String> = self
            .under(top)
            .filter(|(dir, rel)| !rel.is_empty() && self.entry(dir, DECLARATION_FILE).is_some())
            .filter(|(_, rel)| !registered.contains(rel.as_str()))
            .map(|(_, rel)| rel)
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
        self.dir(root).map(|_| Base::trusted(base.dir().join(root)))
    }

    /// `rel` inside `root` when it is a plain path of real directories ending
    /// in a regular file: its canonical path and what the walk saw of it.
    pub(crate) fn file(&self, root: &str, rel: &str) -> Option<(Utf8PathBuf, FileMeta)> {
        let base = self.base.as_ref()?;
        if paths::check_relative(rel).is_err() {
            return None;
        }
        let meta = self.entry_inside(self.dir(root)?, rel)?.file()?;
        Some((base.dir().join(root).join(rel), meta))
    }

    /// Whether `files_under(root)` lists the file `inside` the root (a
    /// regular file, through real directories); `None` when the tree does
    /// not hold the root.
    pub(crate) fn lists(&self, root: &str, inside: &str) -> Option<bool> {
        let root = self.dir(root)?;
        Some(self.entry_inside(root, inside).is_some_and(|entry| entry.file().is_some()))
    }

    /// The entry at `rel` below the directory `from`, through real directories.
    fn entry_inside(&self, from: &Dir, rel: &str) -> Option<&Entry> {
        let (parent, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        self.entry(self.descend(from, parent)?, name)
    }

    /// Every regular file under `root` (the root a real directory), by its
    /// project-relative path (`assets/<root>/…`); `None` when the tree does
    /// not hold the root.
    pub(crate) fn files_under(&self, root: &str) -> Option<Vec<(String, FileMeta)>> {
        let mut files = Vec::new();
        for (dir, rel) in self.under(self.dir(root)?) {
            files.extend(self.entries[dir.entries.range()].iter().filter_map(|e| {
                let meta = e.file()?;
                Some((paths::project_relative(&[ASSETS_DIR, root, &rel, self.name(e.name)]), meta))
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

/// One directory's listing, its names back to back in `names`.
#[derive(Default)]
struct Listing {
    names: String,
    /// Sorted by name.
    subdirs: Vec<Name>,
    /// Sorted by name.
    entries: Vec<Entry>,
    /// Subdirectories whose names are not UTF-8 (project-relative, lossy).
    not_utf8: Vec<String>,
}

/// One directory: its entries' types come with the listing; only regular
/// files cost a `stat` (relative to the open directory), for size and time.
fn read_dir(lister: Option<&Lister>, rel: &str) -> Listing {
    let mut out = Listing::default();
    let Some(Ok(listing)) = lister.map(|lister| lister.list(rel)) else { return out };
    out.names.reserve_exact(listing.iter().map(|l| l.name.len()).sum());
    for Listed { name, kind } in listing {
        let Some(utf8) = name.to_str() else {
            if kind == ListedKind::Dir {
                let parent = if rel.is_empty() { String::new() } else { format!("{rel}/") };
                out.not_utf8.push(format!("{ASSETS_DIR}/{parent}{}", name.to_string_lossy()));
            }
            continue;
        };
        let start = out.names.len() as u32;
        out.names.push_str(utf8);
        let name = Name { start, end: out.names.len() as u32 };
        match kind {
            ListedKind::Dir => out.subdirs.push(name),
            ListedKind::File { size, modified } => {
                out.entries.push(Entry::new(name, Some(FileMeta { size, modified })))
            }
            ListedKind::Other => out.entries.push(Entry::new(name, None)),
        }
    }
    let names = &out.names;
    out.subdirs.sort_by(|a, b| a.of(names).cmp(b.of(names)));
    out.entries.sort_by(|a, b| a.name.of(names).cmp(b.name.of(names)));
    out
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;

    #[test]
    fn an_entry_gives_back_what_the_walk_saw() {
        let name = Name { start: 3, end: 7 };
        let epoch = SystemTime::UNIX_EPOCH;
        let times = [
            epoch,
            epoch + Duration::new(1_764_892_800, 123_456_789),
            epoch - Duration::new(86_400 * 365 * 60, 1),
            SystemTime::now(),
        ];
        for modified in times.map(Some).into_iter().chain([None]) {
            for size in [0, 1, 34_816, u64::MAX - 1] {
                let file = Entry::new(name, Some(FileMeta { size, modified })).file().expect("a regular file");
                assert_eq!((file.size, file.modified), (size, modified));
            }
        }
        assert!(Entry::new(name, None).file().is_none(), "not a regular file");
        let far = epoch + Duration::from_secs(400 * 365 * 86_400);
        let beyond = Entry::new(name, Some(FileMeta { size: 5, modified: Some(far) })).file().unwrap();
        assert_eq!((beyond.size, beyond.modified), (5, None), "a time past 2262 is unknown, not wrong");
        assert_eq!(size_of::<Entry>(), 24);
    }
}
