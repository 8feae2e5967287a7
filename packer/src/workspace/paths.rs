//! The path rules shared by registry roots and declaration inputs, and
//! resolution that refuses to leave a directory (symlinks included).

use camino::{Utf8Path, Utf8PathBuf};

/// Why a relative path string was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathRule {
    /// The empty string, which would name the directory itself.
    Empty,
    /// Starts with `/` or a drive letter (`C:`).
    Absolute,
    /// Contains `\`: only `/` separates components, so a path reads the same on every system.
    Backslash,
    /// Has a `..` component, which could climb out of its directory.
    ParentComponent,
    /// `.` or an empty component (`a//b`, trailing `/`): refused so every
    /// file has exactly one spelling and duplicates cannot hide.
    NotNormal,
}

impl PathRule {
    /// The rule as the end of a sentence starting with the path (`"the path {explain}"`), with the fix.
    pub fn explain(self) -> &'static str {
        match self {
            PathRule::Empty => "is empty",
            PathRule::Absolute => "is absolute; write it relative, with `/` separators",
            PathRule::Backslash => "uses `\\`; write `/` separators",
            PathRule::ParentComponent => "contains `..`; paths may not climb out of their directory",
            PathRule::NotNormal => "has a `.` or empty component; write it as plain `dir/file` names",
        }
    }
}

/// Checks a relative path as written in `index.json` or `asset.json`.
pub fn check_relative(path: &str) -> Result<(), PathRule> {
    if path.is_empty() {
        return Err(PathRule::Empty);
    }
    if path.contains('\\') {
        return Err(PathRule::Backslash);
    }
    if path.starts_with('/') || looks_like_drive(path) {
        return Err(PathRule::Absolute);
    }
    for component in path.split('/') {
        match component {
            ".." => return Err(PathRule::ParentComponent),
            "" | "." => return Err(PathRule::NotNormal),
            _ => {}
        }
    }
    Ok(())
}

fn looks_like_drive(path: &str) -> bool {
    let b = path.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

/// How `resolve_inside` failed.
#[derive(Debug)]
pub enum Resolve {
    /// The path, or a symlink on the way, leads to nothing.
    Missing,
    /// After following symlinks, the path lands outside the base directory.
    Escapes(Utf8PathBuf),
    /// Any other file-system error while resolving (permissions, a loop of links, …).
    Io(std::io::Error),
}

/// Resolves `base/rel` following symlinks and requires the target to stay
/// inside `base` (itself canonicalized). Returns the canonical target.
pub fn resolve_inside(base: &Utf8Path, rel: &str) -> Result<Utf8PathBuf, Resolve> {
    Base::new(base)?.resolve(rel)
}

/// A directory canonicalized once, for resolving many paths inside it.
#[derive(Debug, Clone)]
pub struct Base(Utf8PathBuf);

impl Base {
    pub fn new(dir: &Utf8Path) -> Result<Base, Resolve> {
        canonicalize(dir).map(Base)
    }

    /// Like `resolve_inside(dir, rel)`.
    pub fn resolve(&self, rel: &str) -> Result<Utf8PathBuf, Resolve> {
        let target = canonicalize(&self.0.join(rel))?;
        if target.starts_with(&self.0) { Ok(target) } else { Err(Resolve::Escapes(target)) }
    }
}

fn canonicalize(path: &Utf8Path) -> Result<Utf8PathBuf, Resolve> {
    match path.canonicalize_utf8() {
        Ok(p) => Ok(p),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Resolve::Missing),
        Err(e) => Err(Resolve::Io(e)),
    }
}

/// Joins project-relative pieces with `/`, the spelling every report uses.
pub fn project_relative(parts: &[&str]) -> String {
    parts.iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_rules() {
        assert_eq!(check_relative("hero/tiles/a.png"), Ok(()));
        assert_eq!(check_relative(""), Err(PathRule::Empty));
        assert_eq!(check_relative("/etc"), Err(PathRule::Absolute));
        assert_eq!(check_relative("C:/x"), Err(PathRule::Absolute));
        assert_eq!(check_relative("a\\b"), Err(PathRule::Backslash));
        assert_eq!(check_relative("a/../b"), Err(PathRule::ParentComponent));
        assert_eq!(check_relative("./a"), Err(PathRule::NotNormal));
        assert_eq!(check_relative("a//b"), Err(PathRule::NotNormal));
        assert_eq!(check_relative("a/"), Err(PathRule::NotNormal));
    }

    #[test]
    fn resolve_refuses_symlink_escape() {
        let dir = tempfile::tempdir().unwrap();
        let base = Utf8Path::from_path(dir.path()).unwrap();
        fs_err::create_dir(base.join("root")).unwrap();
        fs_err::write(base.join("secret"), b"x").unwrap();
        fs_err::write(base.join("root/ok"), b"x").unwrap();
        std::os::unix::fs::symlink(base.join("secret"), base.join("root/link")).unwrap();
        let root = base.join("root");
        assert!(resolve_inside(&root, "ok").is_ok());
        assert!(matches!(resolve_inside(&root, "link"), Err(Resolve::Escapes(_))));
        assert!(matches!(resolve_inside(&root, "nope"), Err(Resolve::Missing)));
    }
}
