//! The Linux implementation: the kernel checks each guarantee in the same
//! system call that opens the file.

use std::fs::File;
use std::io;
use std::os::unix::ffi::OsStrExt;
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

/// A directory held open for `Lister`: each listing is one `openat`
/// relative to it, `getdents64` straight into a buffer (no `fstat` of the
/// directory, no copy per name), and one `statx` per regular file.
#[derive(Debug)]
pub(crate) struct Lister(File);

impl Lister {
    pub(crate) fn open(dir: &Path) -> io::Result<Lister> {
        Dir::open(dir).map(|Dir(file)| Lister(file))
    }

    pub(crate) fn list(&self, rel: &str) -> io::Result<Vec<super::Listed>> {
        use std::mem::MaybeUninit;
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let dir = rustix::fs::openat(&self.0, if rel.is_empty() { "." } else { rel }, flags, Mode::empty())?;
        // Room for a few hundred entries per system call.
        let mut buffer = [MaybeUninit::<u8>::uninit(); 16 * 1024];
        let mut raw = rustix::fs::RawDir::new(&dir, &mut buffer);
        let mut listed = Vec::new();
        while let Some(Ok(entry)) = raw.next() {
            let name = entry.file_name();
            if matches!(name.to_bytes(), b"." | b"..") {
                continue;
            }
            let Some(kind) = kind(&dir, name, entry.file_type()) else { continue };
            let name = std::ffi::OsStr::from_bytes(name.to_bytes()).to_owned();
            listed.push(super::Listed { name, kind });
        }
        Ok(listed)
    }
}

/// What the entry `name` of `dir` is: from the listing's type, a `statx`
/// for a regular file (or when the file system gives no type); `None` when
/// an untyped entry cannot be looked at.
fn kind(dir: &rustix::fd::OwnedFd, name: &std::ffi::CStr, listed: rustix::fs::FileType) -> Option<super::ListedKind> {
    use super::ListedKind;
    use rustix::fs::{AtFlags, FileType, StatxFlags};
    match listed {
        FileType::Directory => return Some(ListedKind::Dir),
        FileType::RegularFile | FileType::Unknown => {}
        _ => return Some(ListedKind::Other),
    }
    let mask = StatxFlags::TYPE | StatxFlags::SIZE | StatxFlags::MTIME;
    let stat = match rustix::fs::statx(dir, name, AtFlags::SYMLINK_NOFOLLOW, mask) {
        Ok(stat) => stat,
        Err(_) if listed == FileType::RegularFile => return Some(ListedKind::Other),
        Err(_) => return None,
    };
    Some(match FileType::from_raw_mode(stat.stx_mode.into()) {
        FileType::Directory if listed == FileType::Unknown => ListedKind::Dir,
        FileType::RegularFile => ListedKind::File {
            size: stat.stx_size,
            modified: system_time(stat.stx_mtime.tv_sec, stat.stx_mtime.tv_nsec),
        },
        _ => ListedKind::Other,
    })
}

/// A `statx` timestamp as a `SystemTime`, before the epoch too; `None` when
/// it is out of range.
fn system_time(seconds: i64, nanos: u32) -> Option<std::time::SystemTime> {
    use std::time::{Duration, UNIX_EPOCH};
    if nanos >= 1_000_000_000 {
        return None;
    }
    let whole = if seconds >= 0 {
        UNIX_EPOCH.checked_add(Duration::from_secs(seconds.unsigned_abs()))
    } else {
        UNIX_EPOCH.checked_sub(Duration::from_secs(seconds.unsigned_abs()))
    };
    whole?.checked_add(Duration::from_nanos(nanos.into()))
}
