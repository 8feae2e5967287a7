//! `validate --staged`: the project as the git index holds it, exported to
//! a temporary directory, so the pre-commit gate checks what the commit will
//! record — not the working tree. Neither the working tree nor the index is
//! touched: `git checkout-index --prefix` only writes under the prefix, and
//! without `-u` it never rewrites the index. Inside a hook git sets
//! `GIT_INDEX_FILE` (for `git commit -a` or `git commit FILE`), and every git
//! command here inherits it, so the index read is the one being committed.

use camino::{Utf8Path, Utf8PathBuf};

use crate::git::git;
use crate::shared::Stop;

/// The exported copy; removed when dropped.
pub(crate) struct StagedTree {
    _dir: tempfile::TempDir,
    project: Utf8PathBuf,
}

impl StagedTree {
    /// The project directory inside the copy.
    pub(crate) fn project(&self) -> &Utf8Path {
        &self.project
    }
}

/// Exports every staged file under `project` (stage 0, submodules skipped).
pub(crate) fn export(project: &Utf8Path) -> Result<StagedTree, Stop> {
    let toplevel = git(project, &["rev-parse", "--show-toplevel"], None)
        .map_err(|e| Stop::usage(format!("--staged needs a git repository, and {project} is not in one ({e})")))?;
    let toplevel = Utf8PathBuf::from(String::from_utf8_lossy(&toplevel).trim())
        .canonicalize_utf8()
        .map_err(|e| Stop::failed(format!("cannot read the repository root: {e}")))?;
    let prefix = project
        .strip_prefix(&toplevel)
        .map_err(|_| Stop::usage(format!("{project} is not inside its repository's work tree {toplevel}")))?;
    let pathspec = if prefix.as_str().is_empty() { "." } else { prefix.as_str() };
    let failed = |e: crate::git::GitError| Stop::failed(e.to_string());
    let listing = git(&toplevel, &["ls-files", "-z", "--stage", "--", pathspec], None).map_err(failed)?;
    let files = staged_files(&listing);
    let dir = tempfile::Builder::new()
        .prefix("prometeu-staged-")
        .tempdir()
        .map_err(|e| Stop::failed(format!("cannot create a temporary directory: {e}")))?;
    let root = Utf8Path::from_path(dir.path())
        .ok_or_else(|| Stop::failed("the temporary directory's path is not UTF-8"))?
        .to_owned();
    let prefix_arg = format!("--prefix={root}/");
    let input: Vec<u8> = files.iter().flat_map(|f| f.iter().copied().chain([0])).collect();
    git(&toplevel, &["checkout-index", "-z", "--stdin", &prefix_arg], Some(&input)).map_err(failed)?;
    let project = root.join(prefix);
    std::fs::create_dir_all(&project).map_err(|e| Stop::failed(format!("cannot prepare {project}: {e}")))?;
    Ok(StagedTree { _dir: dir, project })
}

/// Paths of `ls-files --stage -z` entries that hold content: stage 0, not a submodule.
fn staged_files(listing: &[u8]) -> Vec<&[u8]> {
    listing
        .split(|&b| b == 0)
        .filter_map(|entry| {
            // `<mode> <object> <stage>\t<path>`
            let tab = entry.iter().position(|&b| b == b'\t')?;
            let fields: Vec<&[u8]> = entry[..tab].split(|&b| b == b' ').collect();
            let (mode, stage) = (fields.first()?, fields.get(2)?);
            (*mode != b"160000" && *stage == b"0").then_some(&entry[tab + 1..])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_stage_zero_files_are_exported() {
        let listing = b"100644 aaaa 0\tassets/a.png\x00160000 bbbb 0\tvendor\x00100644 cccc 2\tconflict.txt\x00";
        let files = staged_files(listing);
        assert_eq!(files, vec![&b"assets/a.png"[..]]);
    }
}
