//! The Linux implementation: the kernel checks each guarantee in the same
//! system call that opens the file.

use std::fs::File;
use std::io;
use std::path::Path;

use rustix::fs::{Mode, OFlags, ResolveFlags};

/// Opens `path` for reading without blocking (a FIFO with no writer would
/// otherwise block forever) and without becoming the controlling terminal.
/// Follows links. The caller checks the type on the handle.
pub(crate) fn open_read(path: &Path) -> io::Result<File> {
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY;
    Ok(File::from(rustix::fs::open(path, flags, Mode::empty())?))
}

/// A directory held open, under which relative paths are opened with one
/// `openat2` that follows no link and cannot leave it.
#[derive(Debug)]
pub(crate) struct Dir(File);

impl Dir {
    /// Opens `dir` (following links: callers pass a directory they already resolved).
    pub(crate) fn open(dir: &Path) -> io::Result<Dir> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        Ok(Dir(File::from(rustix::fs::open(dir, flags, Mode::empty())?)))
    }

    /// `rel` opened for reading as `open_read` does, `None` when a link is on
    /// the way, it is missing, it would leave the directory, or the kernel
    /// has no `openat2`. `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS` make the
    /// kernel check every component as it opens: no window between a check
    /// and the open, and no `lstat` per component.
    pub(crate) fn open_beneath(&self, rel: &str) -> Option<File> {
        let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY;
        let resolve = ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS;
        rustix::fs::openat2(&self.0, rel, flags, Mode::empty(), resolve).ok().map(File::from)
    }
}

/// What a file is that is neither a directory, a link nor a regular file.
pub(crate) fn describe_special(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device"
    } else {
        "a special file"
    }
}
