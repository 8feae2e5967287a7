//! The standard-library implementation, correct on any target the standard
//! library supports. Each guarantee the Linux implementation gets from one
//! system call is checked here by looking before opening and again on the
//! handle; the window between the two is the price, named on each entry.

use std::fs::File;
use std::io;
use std::path::{Component, Path, PathBuf};

/// Opens `path` for reading, but only once its metadata (following links)
/// says it is a regular file, so a FIFO or a device is refused without
/// being opened; the caller checks the type again on the handle.
///
/// Weaker than Linux's non-blocking open: a FIFO swapped in between the
/// look and the open blocks the open until a writer comes.
pub(crate) fn open_read(path: &Path) -> io::Result<File> {
    let kind = std::fs::metadata(path)?.file_type();
    if !kind.is_file() {
        return Err(super::not_regular(path, &kind));
    }
    File::open(path)
}

/// A directory under which relative paths are opened following no link.
#[derive(Debug)]
pub(crate) struct Dir(PathBuf);

impl Dir {
    /// Takes `dir` once it is known to be a directory (following links:
    /// callers pass a directory they already resolved).
    pub(crate) fn open(dir: &Path) -> io::Result<Dir> {
        if std::fs::metadata(dir)?.is_dir() {
            Ok(Dir(dir.to_owned()))
        } else {
            Err(io::Error::new(io::ErrorKind::NotADirectory, format!("{} is not a directory", dir.display())))
        }
    }

    /// `rel` opened for reading as `open_read` does, `None` when it is not
    /// plain names, a component is a link or not what it must be (a
    /// directory on the way, a regular file at the end), or it is missing.
    /// One `lstat` per component, then the open.
    ///
    /// Weaker than `openat2`: a component replaced by a link between its
    /// `lstat` and the open is followed.
    pub(crate) fn open_beneath(&self, rel: &str) -> Option<File> {
        if rel.is_empty() {
            return None;
        }
        let mut path = self.0.clone();
        let mut components = Path::new(rel).components().peekable();
        while let Some(component) = components.next() {
            let Component::Normal(name) = component else { return None };
            path.push(name);
            let kind = std::fs::symlink_metadata(&path).ok()?.file_type();
            let last = components.peek().is_none();
            if (last && !kind.is_file()) || (!last && !kind.is_dir()) {
                return None;
            }
        }
        File::open(&path).ok()
    }
}

/// What a file is that is neither a directory, a link nor a regular file:
/// the standard library cannot tell a FIFO from a socket or a device.
pub(crate) fn describe_special(_kind: &std::fs::FileType) -> &'static str {
    "a special file (a FIFO, a socket or a device)"
}

/// A directory for `Lister`: each listing is `std::fs::read_dir` of the
/// joined path, and a `stat` (following no link) per regular file.
///
/// Slower than Linux's: the whole path is looked up for each directory.
#[derive(Debug)]
pub(crate) struct Lister(PathBuf);

impl Lister {
    pub(crate) fn open(dir: &Path) -> io::Result<Lister> {
        Dir::open(dir).map(|Dir(path)| Lister(path))
    }

    pub(crate) fn list(&self, rel: &str) -> io::Result<Vec<super::Listed>> {
        use super::ListedKind;
        let path = if rel.is_empty() { self.0.clone() } else { self.0.join(rel) };
        let mut listed = Vec::new();
        for item in std::fs::read_dir(path)? {
            let Ok(item) = item else { break };
            let Ok(kind) = item.file_type() else { continue };
            let kind = if kind.is_dir() {
                ListedKind::Dir
            } else if kind.is_file() {
                item.metadata().map_or(ListedKind::Other, |meta| ListedKind::File {
                    size: meta.len(),
                    modified: meta.modified().ok(),
                })
            } else {
                ListedKind::Other
            };
            listed.push(super::Listed { name: item.file_name(), kind });
        }
        Ok(listed)
    }
}
