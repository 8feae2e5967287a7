//! Opening the project's files safely: only regular files, never blocking
//! on a FIFO or a device, never reading more than a limit. Every reader of
//! a project file (configuration, registry, declarations, inputs, packs)
//! opens through here, so a hostile repository cannot make the tool hang on
//! a special file or read a file without bound.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use crate::platform::{self, not_regular};

/// Opens `path` for reading only if it is a regular file. The open itself is
/// non-blocking (a FIFO with no writer would otherwise block forever) and
/// the type is checked on the opened handle, so nothing can swap the file
/// between the check and the read. Follows symlinks: callers check where a
/// path resolves first.
pub fn open_regular(path: &Path) -> io::Result<File> {
    open_regular_len(path).map(|(file, _)| file)
}

/// `open_regular`, with the file's length from the same `fstat`.
fn open_regular_len(path: &Path) -> io::Result<(File, u64)> {
    let file = platform::open_read(path)?;
    let meta = file.metadata()?;
    let kind = meta.file_type();
    if !kind.is_file() {
        return Err(not_regular(path, &kind));
    }
    Ok((file, meta.len()))
}

/// Reads a regular file whole, refusing it (before reading, or as soon as it
/// grows past the limit while being read) when it holds more than `limit` bytes.
/// Sized from the one `fstat`, so a file that does not change costs one
/// `read` for its bytes and one for the end.
pub fn read_regular(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let (file, len) = open_regular_len(path)?;
    read_sized(file, len, limit)
}

/// The rest of `read_regular`, once the file is open and its length known.
fn read_sized(file: File, len: u64, limit: u64) -> io::Result<Vec<u8>> {
    let too_large =
        || io::Error::new(io::ErrorKind::FileTooLarge, format!("it is over the {limit}-byte limit for this file"));
    if len > limit {
        return Err(too_large());
    }
    // Exactly the length: the buffer is held as it is for the whole pack (a
    // frozen snapshot), and the read that finds the end probes into a small
    // buffer of its own when this one is full, at no extra system call.
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

/// A directory opened once, under which plain relative paths are read
/// following no symlink and never leaving the directory. On Linux one
/// `openat2` (`RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS`) checks every
/// component as it opens, so there is no window between a check and the
/// open; elsewhere each component is looked at first (see
/// `docs/reference/platforms.md`).
#[derive(Debug)]
pub struct Beneath {
    dir: platform::Dir,
}

impl Beneath {
    /// Opens `dir` (following links: callers pass a directory they already resolved).
    pub fn open(dir: &Path) -> io::Result<Beneath> {
        Ok(Beneath { dir: platform::Dir::open(dir)? })
    }

    /// `read_regular` of `rel` under the directory. `Ok(None)` when it cannot
    /// be opened this way — a link on the path, a missing file, a kernel
    /// without `openat2` — so the caller resolves it the exact way, which
    /// also words the problem.
    pub fn read_regular(&self, rel: &str, limit: u64) -> io::Result<Option<Vec<u8>>> {
        let Some(file) = self.dir.open_beneath(rel) else { return Ok(None) };
        let meta = file.metadata()?;
        if !meta.file_type().is_file() {
            return Ok(None);
        }
        read_sized(file, meta.len(), limit).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_is_refused_at_once_and_a_file_over_the_limit_is_not_read() {
        let dir = tempfile_dir();
        let fifo = dir.join("fifo");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let err = read_regular(&fifo, 10).unwrap_err();
        assert!(err.to_string().contains("FIFO"), "{err}");
        std::fs::write(dir.join("big"), [0u8; 11]).unwrap();
        assert_eq!(read_regular(&dir.join("big"), 10).unwrap_err().kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(read_regular(&dir.join("big"), 11).unwrap().len(), 11);
        assert!(read_regular(&dir, 10).unwrap_err().to_string().contains("directory"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn beneath_reads_plain_paths_and_leaves_links_missing_files_and_escapes_to_the_caller() {
        let dir = tempfile_dir().join("beneath");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/file"), b"bytes").unwrap();
        std::fs::write(dir.join("../outside"), b"secret").unwrap();
        std::os::unix::fs::symlink(dir.join("../outside"), dir.join("link")).unwrap();
        std::os::unix::fs::symlink(dir.join("sub"), dir.join("dirlink")).unwrap();
        let beneath = Beneath::open(&dir).unwrap();
        assert_eq!(beneath.read_regular("sub/file", 10).unwrap().as_deref(), Some(&b"bytes"[..]));
        for rel in ["link", "dirlink/file", "../outside", "missing", "sub", ""] {
            assert_eq!(beneath.read_regular(rel, 10).unwrap(), None, "{rel}");
        }
        assert_eq!(beneath.read_regular("sub/file", 2).unwrap_err().kind(), io::ErrorKind::FileTooLarge);
        std::fs::remove_dir_all(dir.parent().unwrap()).unwrap();
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("shape-files-{}-{:?}", std::process::id(), std::thread::current().id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).unwrap();
        dir
    }
}
