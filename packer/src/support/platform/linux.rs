//! The Linux implementation: one system call per guarantee.

use std::fs::File;
use std::io;
use std::path::Path;

/// Opens (creating) the lock file read-write without following a link at
/// the last component (`O_NOFOLLOW`) and without blocking on a FIFO.
pub(crate) fn open_lock_file(path: &Path) -> io::Result<File> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDWR | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK;
    Ok(File::from(rustix::fs::open(path, flags, Mode::from_raw_mode(0o644))?))
}

/// The project directory opened as a file, to be locked as the second half
/// of the lane: no deletion inside the project can split that lock.
pub(crate) fn lock_directory(project: &Path) -> io::Result<Option<File>> {
    File::open(project).map(Some)
}

/// Makes the entries of `dir` (names created, renamed or removed) durable: `fsync` of the directory.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// The held lock file's device and inode.
#[derive(Debug)]
pub(crate) struct LockIdentity {
    dev: u64,
    ino: u64,
}

impl LockIdentity {
    /// The identity of the open lock file.
    pub(crate) fn of(file: &File) -> io::Result<LockIdentity> {
        use std::os::unix::fs::MetadataExt;
        let meta = file.metadata()?;
        Ok(LockIdentity { dev: meta.dev(), ino: meta.ino() })
    }

    /// Whether `path` (not following links) is that very file.
    pub(crate) fn names(&self, path: &Path) -> bool {
        use std::os::unix::fs::MetadataExt;
        match std::fs::symlink_metadata(path) {
            Ok(on_disk) => on_disk.file_type().is_file() && on_disk.dev() == self.dev && on_disk.ino() == self.ino,
            Err(_) => false,
        }
    }
}

/// Asks the kernel to start writing `len` bytes from `offset` of `file` to
/// disk, without waiting (`sync_file_range`, `SYNC_FILE_RANGE_WRITE`).
pub(crate) fn start_writeback(file: &File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    // SAFETY: a plain system call on a descriptor the caller owns; it only schedules I/O.
    // A refusal costs nothing but the head start, so its result is not needed.
    unsafe {
        libc::sync_file_range(
            file.as_raw_fd(),
            offset as libc::off64_t,
            len as libc::off64_t,
            libc::SYNC_FILE_RANGE_WRITE,
        )
    };
}

/// Tells the kernel that the cached pages of `file` will not be read again
/// soon (`posix_fadvise`, `POSIX_FADV_DONTNEED`): its clean pages are freed.
pub(crate) fn drop_cached(file: &File) {
    // A refusal only leaves the pages cached, so its result is not needed.
    let _ = rustix::fs::fadvise(file, 0, None, rustix::fs::Advice::DontNeed);
}
