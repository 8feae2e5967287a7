//! Every operating-system call of this crate, behind one seam. Two
//! implementations give the same answers: `linux` (one system call per
//! guarantee: `O_NONBLOCK`, `openat2`) is what a Linux build uses;
//! `portable` uses the standard library only, is what every other target
//! builds, and is selected on Linux too by the `portable` feature, so it is
//! compiled and tested here. What `portable` gives up is written on each of
//! its entries and in `docs/reference/platforms.md`.

use std::ffi::OsString;
use std::io;
use std::path::Path;
use std::time::SystemTime;

#[cfg(all(target_os = "linux", not(feature = "portable")))]
mod linux;
#[cfg(all(target_os = "linux", not(feature = "portable")))]
pub(crate) use linux::{Dir, Lister, describe_special, open_read};

#[cfg(not(all(target_os = "linux", not(feature = "portable"))))]
mod portable;
#[cfg(not(all(target_os = "linux", not(feature = "portable"))))]
pub(crate) use portable::{Dir, Lister, describe_special, open_read};

/// "a FIFO", "a socket", "a device", "a directory", "a symlink".
pub fn describe_kind(kind: &std::fs::FileType) -> &'static str {
    if kind.is_dir() {
        "a directory"
    } else if kind.is_symlink() {
        "a symlink"
    } else if kind.is_file() {
        "a regular file"
    } else {
        describe_special(kind)
    }
}

/// The refusal of a file that is not a regular one, naming what it is.
pub(crate) fn not_regular(path: &Path, kind: &std::fs::FileType) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{} is {}, not a regular file", path.display(), describe_kind(kind)),
    )
}

// What a listing gives, named here at the seam's front so the listing and
// both implementations share it without importing each other.

/// What an entry of a listed directory is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListedKind {
    /// A real directory (a link to one is `Other`).
    Dir,
    /// A regular file, with what a `stat` of it (following no link) said.
    File {
        /// Length in bytes.
        size: u64,
        /// Modification time; `None` where the file system gives none.
        modified: Option<SystemTime>,
    },
    /// Anything else (a link, a FIFO, …), or a file that could not be looked at.
    Other,
}

/// One entry of a listed directory (never `.` or `..`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The entry's name, as the file system spells it.
    pub name: OsString,
    /// What it is.
    pub kind: ListedKind,
}
