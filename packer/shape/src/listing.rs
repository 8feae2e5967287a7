//! Listing the project's directories: each entry's name and kind as the
//! listing gives them, and the size and time of regular files only, every
//! directory opened relative to one held open. The walk of `assets/` lists
//! every directory through here.

use std::io;
use std::path::Path;

use crate::platform;

pub use crate::platform::{Listed, ListedKind};

/// A directory held open, whose subdirectories are listed by relative path.
#[derive(Debug)]
pub struct Lister {
    dir: platform::Lister,
}

impl Lister {
    /// Opens `dir` (following links: callers pass a directory they already resolved).
    pub fn open(dir: &Path) -> io::Result<Lister> {
        Ok(Lister { dir: platform::Lister::open(dir)? })
    }

    /// The entries of `rel` (`""` for the directory itself), in the order
    /// the file system lists them. Links on the way are followed, as opening
    /// the joined path would. An entry that vanishes or cannot be typed while
    /// listed is left out; a listing that fails midway ends there.
    pub fn list(&self, rel: &str) -> io::Result<Vec<Listed>> {
        self.dir.list(rel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_typed_as_the_standard_library_types_them_and_files_carry_size_and_time() {
        let dir = std::env::temp_dir().join(format!("shape-listing-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub/deeper")).unwrap();
        std::fs::write(dir.join("sub/file"), b"12345").unwrap();
        std::os::unix::fs::symlink(dir.join("sub"), dir.join("sub/link")).unwrap();
        assert!(std::process::Command::new("mkfifo").arg(dir.join("sub/fifo")).status().unwrap().success());
        let lister = Lister::open(&dir).unwrap();
        let mut listed = lister.list("sub").unwrap();
        listed.sort_by(|a, b| a.name.cmp(&b.name));
        let meta = std::fs::symlink_metadata(dir.join("sub/file")).unwrap();
        let file = ListedKind::File { size: 5, modified: meta.modified().ok() };
        let expected =
            [("deeper", ListedKind::Dir), ("fifo", ListedKind::Other), ("file", file), ("link", ListedKind::Other)];
        let expected: Vec<Listed> =
            expected.into_iter().map(|(name, kind)| Listed { name: name.into(), kind }).collect();
        assert_eq!(listed, expected);
        assert_eq!(lister.list("").unwrap(), [Listed { name: "sub".into(), kind: ListedKind::Dir }]);
        assert_eq!(lister.list("sub/link/deeper").unwrap(), [], "links on the way are followed");
        assert!(lister.list("missing").is_err());
        assert!(lister.list("sub/file").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
