//! Opening the project's files safely: only regular files, never blocking
//! on a FIFO or a device, never reading more than a limit. Every reader of
//! a project file (configuration, registry, declarations, inputs, packs)
//! opens through here, so a hostile repository cannot make the tool hang on
//! a special file or read a file without bound.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use rustix::fs::{Mode, OFlags};

/// Opens `path` for reading only if it is a regular file. The open itself is
/// non-blocking (a FIFO with no writer would otherwise block forever) and
/// the type is checked on the opened handle, so nothing can swap the file
/// between the check and the read. Follows symlinks: callers check where a
/// path resolves first.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY;
    let fd = rustix::fs::open(path, flags, Mode::empty()).map_err(io::Error::from)?;
    let file = File::from(fd);
    let kind = file.metadata()?.file_type();
    if !kind.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is {}, not a regular file", path.display(), describe_kind(&kind)),
        ));
    }
    Ok(file)
}

/// Reads a regular file whole, refusing it (before reading, or as soon as it
/// grows past the limit while being read) when it holds more than `limit` bytes.
pub fn read_regular(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    let too_large =
        || io::Error::new(io::ErrorKind::FileTooLarge, format!("it is over the {limit}-byte limit for this file"));
    if file.metadata()?.len() > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

/// "a FIFO", "a socket", "a device", "a directory", "a symlink".
pub fn describe_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_dir() {
        "a directory"
    } else if kind.is_symlink() {
        "a symlink"
    } else if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device"
    } else if kind.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_is_refused_at_once_and_a_file_over_the_limit_is_not_read() {
        let dir = tempfile_dir();
        let fifo = dir.join("fifo");
        rustix::fs::mknodat(rustix::fs::CWD, &fifo, rustix::fs::FileType::Fifo, Mode::from_raw_mode(0o600), 0).unwrap();
        let err = read_regular(&fifo, 10).unwrap_err();
        assert!(err.to_string().contains("FIFO"), "{err}");
        std::fs::write(dir.join("big"), [0u8; 11]).unwrap();
        assert_eq!(read_regular(&dir.join("big"), 10).unwrap_err().kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(read_regular(&dir.join("big"), 11).unwrap().len(), 11);
        assert!(read_regular(&dir, 10).unwrap_err().to_string().contains("directory"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("shape-files-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).unwrap();
        dir
    }
}
