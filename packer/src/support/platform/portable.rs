//! The standard-library implementation, correct on any target the standard
//! library supports; what each entry gives up is said on it.

use std::fs::File;
use std::io;
use std::path::Path;
use std::time::SystemTime;

/// Opens (creating) the lock file read-write once `lstat` says the path is
/// not a link and, if it exists, a regular file.
///
/// Weaker than `O_NOFOLLOW`: a link planted between the look and the open
/// is followed (the lane checks every written path for links before and
/// after locking, which narrows but does not close that window).
pub(crate) fn open_lock_file(path: &Path) -> io::Result<File> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(io::Error::other("it is a symbolic link; remove it and run again"));
        }
        Ok(meta) if !meta.is_file() => {
            return Err(io::Error::other("it is not a regular file; remove it and run again"));
        }
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path)
}

/// The project directory opened as a file, to be locked as the second half
/// of the lane. `None` where the standard library cannot open a directory
/// as a file (Windows): there the lane is the lock file alone, and deleting
/// the lock file while an operation holds it lets a second writer in.
pub(crate) fn lock_directory(project: &Path) -> io::Result<Option<File>> {
    if !std::fs::metadata(project)?.is_dir() {
        return Err(io::Error::new(io::ErrorKind::NotADirectory, "the project is not a directory"));
    }
    Ok(File::open(project).ok())
}

/// Makes the entries of `dir` durable by syncing the directory, where the
/// standard library can open a directory as a file (Unix). Where it cannot
/// (Windows), nothing is done: the durability of a rename then rests on the
/// file system's own journal. A missing `dir` is an error everywhere.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    if !std::fs::metadata(dir)?.is_dir() {
        return Err(io::Error::new(io::ErrorKind::NotADirectory, format!("{} is not a directory", dir.display())));
    }
    match File::open(dir) {
        Ok(handle) => handle.sync_all(),
        Err(_) => Ok(()),
    }
}

/// The held lock file as the standard library can name it everywhere:
/// its creation time (where the file system records one), its last
/// modification time and its length. Without inode numbers, the file at the
/// path is the held one when all three match.
///
/// Weaker than device and inode: a file put in the held one's place is
/// told apart only by its times, so one created within the clock's
/// resolution of the held one, with the same length, on a file system that
/// records no creation time, would pass for it. (Reading a token back from
/// the file instead would fail where locks keep other handles from reading
/// a locked file.)
#[derive(Debug, PartialEq)]
pub(crate) struct LockIdentity {
    created: Option<SystemTime>,
    modified: Option<SystemTime>,
    len: u64,
}

impl LockIdentity {
    /// The identity of the open lock file.
    pub(crate) fn of(file: &File) -> io::Result<LockIdentity> {
        Ok(LockIdentity::from(&file.metadata()?))
    }

    /// Whether `path` (not following links) is a regular file with this identity.
    pub(crate) fn names(&self, path: &Path) -> bool {
        std::fs::symlink_metadata(path).is_ok_and(|meta| meta.is_file() && LockIdentity::from(&meta) == *self)
    }

    fn from(meta: &std::fs::Metadata) -> LockIdentity {
        LockIdentity { created: meta.created().ok(), modified: meta.modified().ok(), len: meta.len() }
    }
}

/// Writes the whole file to disk and waits (`sync_data`): the standard
/// library has no range writeback that does not wait, so the pack's writer
/// thread waits for the disk every few MiB, where Linux lets the disk work
/// while the pack goes on. Promotion's fsync then finds little left, as on
/// Linux. Changes nothing in the file; a failure costs only the head start.
pub(crate) fn start_writeback(file: &File, _offset: u64, _len: u64) {
    let _ = file.sync_data();
}

/// Nothing: the standard library cannot advise the page cache, so a
/// previous output stays cached until the system wants the memory back,
/// as any file does.
pub(crate) fn drop_cached(_file: &File) {}
