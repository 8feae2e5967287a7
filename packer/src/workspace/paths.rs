//! Resolution that refuses to leave a directory (symlinks included). The
//! spelling rules for relative paths are `prometeu_shape`'s, shared with
//! `cartridge.toml`.

use camino::{Utf8Path, Utf8PathBuf};
pub use prometeu_shape::{PathRule, check_relative};

use crate::workspace::layout::ASSETS_DIR;

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

    /// A directory already known to be canonical (the walk of `assets/`
    /// reached it through real directories only), taken as it is.
    pub(crate) fn trusted(dir: Utf8PathBuf) -> Base {
        Base(dir)
    }

    /// The canonical directory.
    pub fn dir(&self) -> &Utf8Path {
        &self.0
    }

    /// The directory `rel` inside this one, as a base of its own, without
    /// canonicalizing this one again.
    pub fn child(&self, rel: &str) -> Result<Base, Resolve> {
        self.resolve(rel).map(Base)
    }

    /// Like `resolve_inside(dir, rel)`.
    pub fn resolve(&self, rel: &str) -> Result<Utf8PathBuf, Resolve> {
        if let Some(target) = self.plain(rel)? {
            return Ok(target);
        }
        let target = canonicalize(&self.0.join(rel))?;
        if target.starts_with(&self.0) { Ok(target) } else { Err(Resolve::Escapes(target)) }
    }

    /// The common case, cheaply: `rel` is plain names and none of them is a
    /// link, so `base/rel` is already canonical. One `lstat` per component of
    /// `rel`, where canonicalizing would read every component of the whole
    /// path as a link again (the base included), per file. `None` when a
    /// component is a link or not a plain name: then the full resolution runs.
    fn plain(&self, rel: &str) -> Result<Option<Utf8PathBuf>, Resolve> {
        let mut target = self.0.clone();
        for component in Utf8Path::new(rel).components() {
            let camino::Utf8Component::Normal(name) = component else { return Ok(None) };
            target.push(name);
            match std::fs::symlink_metadata(&target) {
                Ok(meta) if meta.file_type().is_symlink() => return Ok(None),
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Resolve::Missing),
                Err(e) => return Err(Resolve::Io(e)),
            }
        }
        Ok(Some(target))
    }
}

/// `assets/` of `project`, canonicalized, unless it is a link whose target
/// lies outside the project: then `Escapes`, decided from the link itself
/// (`lstat` and `readlink`), before anything outside is looked at.
pub fn assets_base(project: &Utf8Path) -> Result<Base, Resolve> {
    if let Some(target) = link_outside(project, ASSETS_DIR) {
        return Err(Resolve::Escapes(target));
    }
    Base::new(&project.join(ASSETS_DIR))
}

/// The target of `project/rel` when it is a symbolic link whose target, as
/// written in the link and taken lexically (nothing followed), is outside
/// `project`; `None` otherwise (not a link, or one leading inside, which
/// the exact resolution then follows and checks).
pub fn link_outside(project: &Utf8Path, rel: &str) -> Option<Utf8PathBuf> {
    let link = project.join(rel);
    if !std::fs::symlink_metadata(&link).ok()?.file_type().is_symlink() {
        return None;
    }
    let written = Utf8PathBuf::try_from(std::fs::read_link(&link).ok()?).ok()?;
    let target = lexical(&link.parent()?.join(written));
    let inside = |dir: &Utf8Path| target.starts_with(lexical(dir));
    // The project as given and as it really is: a link target may spell either.
    let canonical = project.canonicalize_utf8().ok();
    let outside = !inside(project) && !canonical.as_deref().is_some_and(inside);
    outside.then_some(target)
}

/// `a/./b/../c` as `a/c`, by the spelling alone.
fn lexical(path: &Utf8Path) -> Utf8PathBuf {
    let mut out = Utf8PathBuf::new();
    for component in path.components() {
        match component {
            camino::Utf8Component::CurDir => {}
            camino::Utf8Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn canonicalize(path: &Utf8Path) -> Result<Utf8PathBuf, Resolve> {
    match path.canonicalize_utf8() {
        Ok(p) => Ok(p),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Resolve::Missing),
        Err(e) => Err(Resolve::Io(e)),
    }
}

/// The first of `rels` (project-relative) that is, or passes through, a
/// symbolic link, as a project-relative path; `None` when every existing
/// component of every path is a real directory or file. A path that does
/// not exist yet is fine up to where it stops. Writers check this before they
/// create, rename or delete anything, so a link planted in a cloned
/// repository cannot aim a write or a deletion outside the project.
pub fn first_link(project: &Utf8Path, rels: &[&str]) -> std::io::Result<Option<String>> {
    for rel in rels {
        let mut walked = Utf8PathBuf::new();
        for component in Utf8Path::new(rel).components() {
            walked.push(component);
            match std::fs::symlink_metadata(project.join(&walked)) {
                Ok(meta) if meta.file_type().is_symlink() => return Ok(Some(walked.into_string())),
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
                Err(e) => return Err(e),
            }
        }
    }
    Ok(None)
}

/// Joins project-relative pieces with `/`, the spelling every report uses.
pub fn project_relative(parts: &[&str]) -> String {
    // Built in place: called for every file of every root.
    let mut path = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for part in parts.iter().filter(|p| !p.is_empty()) {
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(part);
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

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
