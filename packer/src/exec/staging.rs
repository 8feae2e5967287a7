//! All-or-nothing publication into `build/`: outputs are written to
//! `build/.staging/<operation-id>/`, made durable, and promoted by renames
//! behind a commit marker. Recovery, run by every lane holder first, rolls a
//! committed staging directory forward and deletes any other, so after a
//! crash at any instant `build/` holds the complete old set or the complete
//! new set.

use std::io::Write;

use camino::{Utf8Path, Utf8PathBuf};
use fs_err as fs;

use crate::support::testpoint::{TestPoint, TestPoints};

/// Staging lives inside `build/` so every promotion is a same-filesystem rename.
pub const STAGING_DIR: &str = ".staging";
/// Presence of this file in a staging directory means "committed": it lists
/// the files to promote. Written under a temporary name and renamed, so it
/// is either complete or absent.
pub const COMMIT_MARKER: &str = "COMMIT";
const COMMIT_MARKER_TMP: &str = "COMMIT.tmp";
/// Length of an operation id (fixed: 20 random alphanumerics).
pub const OPERATION_ID_LEN: usize = 20;

/// A fresh random operation id of ASCII letters and digits.
pub fn operation_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut id = String::with_capacity(OPERATION_ID_LEN);
    while id.len() < OPERATION_ID_LEN {
        let mut buf = [0u8; 32];
        getrandom::fill(&mut buf).expect("the OS random source is available");
        // 248 = 4 × 62: rejecting larger bytes keeps every symbol equally likely.
        let picks = buf.iter().filter(|b| **b < 248).map(|b| ALPHABET[usize::from(*b) % 62] as char);
        id.extend(picks.take(OPERATION_ID_LEN - id.len()));
    }
    id
}

/// The buffer of a staged output written by `write_with` (local).
const STREAM_BUFFER: usize = 256 * 1024;

/// One staging directory of one operation.
#[derive(Debug)]
pub struct Staging {
    build_dir: Utf8PathBuf,
    dir: Utf8PathBuf,
}

/// Why promotion did not happen (`Uncommitted`: `build/` untouched) or did not finish.
#[derive(Debug)]
pub enum PromoteError {
    /// Failed before the commit marker was durable; `build/` is unchanged.
    Uncommitted(std::io::Error),
    /// Failed after the commit point; the staging directory is kept and the
    /// next lane holder's recovery completes the promotion.
    Committed(std::io::Error),
}

impl std::fmt::Display for PromoteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PromoteError::Uncommitted(e) => write!(f, "{e}; build/ was left unchanged"),
            PromoteError::Committed(e) => {
                write!(f, "{e}; the outputs are committed and the next operation on this project completes them")
            }
        }
    }
}

/// A staged output at `path` (replaced), opened for writing through a
/// buffer, as `Staging::write_with` writes; made durable by `promote`.
pub(crate) fn output(path: &Utf8Path) -> std::io::Result<std::io::BufWriter<fs::File>> {
    Ok(std::io::BufWriter::with_capacity(STREAM_BUFFER, fs::File::create(path)?))
}

impl Staging {
    /// Creates `build/.staging/<id>/`, replacing a leftover of the same name.
    pub fn create(build_dir: &Utf8Path, id: &str) -> std::io::Result<Staging> {
        let dir = build_dir.join(STAGING_DIR).join(id);
        let created = || -> std::io::Result<()> {
            if dir.exists() {
                fs::remove_dir_all(&dir)?;
            }
            fs::create_dir_all(&dir)?;
            // The new directories' entries must be durable before a commit
            // marker inside them can be.
            sync_dir(&build_dir.join(STAGING_DIR))?;
            sync_dir(build_dir)
        };
        if let Err(e) = created() {
            // A full disk can fail the second mkdir after the first: leave
            // build/ as it was, `.staging` included.
            let _ = std::fs::remove_dir(&dir);
            let _ = std::fs::remove_dir(build_dir.join(STAGING_DIR));
            return Err(e);
        }
        Ok(Staging { build_dir: build_dir.to_owned(), dir })
    }

    /// The staging directory, `build/.staging/<operation-id>/`; nothing in it is published until `promote`.
    pub fn dir(&self) -> &Utf8Path {
        &self.dir
    }

    /// Where a staged output named `name` lives.
    pub fn path(&self, name: &str) -> Utf8PathBuf {
        self.dir.join(name)
    }

    /// Writes the staged output `name` whole (replacing it); made durable by `promote`, not here.
    pub fn write(&self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        fs::write(self.path(name), bytes)
    }

    /// Writes the staged output `name` (replacing it) through a buffer, as
    /// `write` produces it, so a large output is never held whole; made
    /// durable by `promote`, not here.
    pub fn write_with(
        &self,
        name: &str,
        write: impl FnOnce(&mut std::io::BufWriter<fs::File>) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut out = output(&self.path(name))?;
        write(&mut out)?;
        std::io::Write::flush(&mut out)
    }

    /// Removes the staging directory without touching `build/`.
    pub fn discard(self) -> std::io::Result<()> {
        remove_staging_dir(&self.build_dir, &self.dir)
    }

    /// Publishes the staged `names` into `build/`: fsync, preflight, removal
    /// of the `withdraw` files (outputs this publication makes stale, such as
    /// an earlier preparation's `manifest.json`), commit marker, renames,
    /// fsync of `build/`, cleanup.
    pub fn promote(self, names: &[&str], withdraw: &[&str], points: &TestPoints) -> Result<(), PromoteError> {
        if let Err(e) = self.prepare(names, withdraw, points) {
            let _ = remove_staging_dir(&self.build_dir, &self.dir);
            return Err(PromoteError::Uncommitted(e));
        }
        // The rename of the marker is the commit point: from here on the
        // promotion is finished, now or by the next recovery, never undone.
        fs::rename(self.path(COMMIT_MARKER_TMP), self.path(COMMIT_MARKER)).map_err(|e| {
            let _ = remove_staging_dir(&self.build_dir, &self.dir);
            PromoteError::Uncommitted(e)
        })?;
        let finish = || -> std::io::Result<()> {
            sync_dir(&self.dir)?;
            points.hit(TestPoint::PromoteAfterMarker)?;
            move_committed(&self.dir, &self.build_dir, names, points)
        };
        // One retry: `move_committed` skips what already moved.
        finish().or_else(|_| finish()).map_err(PromoteError::Committed)?;
        // Cleanup after the commit cannot change the outcome; a leftover is
        // deleted by the next recovery.
        let _ = remove_staging_dir(&self.build_dir, &self.dir);
        Ok(())
    }

    /// Everything before the commit point; on error `build/` holds what it
    /// held (less, at worst, the withdrawn files).
    fn prepare(&self, names: &[&str], withdraw: &[&str], points: &TestPoints) -> std::io::Result<()> {
        for name in names {
            fs::File::open(self.path(name))?.sync_all()?;
        }
        preflight(&self.build_dir, names)?;
        points.hit(TestPoint::PromoteBeforeMarker)?;
        remove_outputs(&self.build_dir, withdraw)?;
        let mut marker = fs::File::create(self.path(COMMIT_MARKER_TMP))?;
        marker.write_all(names.join("\n").as_bytes())?;
        marker.sync_all()
    }
}

/// Removes `names` from `build/` where present, durably.
pub fn remove_outputs(build_dir: &Utf8Path, names: &[&str]) -> std::io::Result<bool> {
    let mut removed = false;
    for name in names {
        match fs::remove_file(build_dir.join(name)) {
            Ok(()) => removed = true,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    if removed {
        sync_dir(build_dir)?;
    }
    Ok(removed)
}

/// Refuses, before the commit point, targets that a rename could not replace.
fn preflight(build_dir: &Utf8Path, names: &[&str]) -> std::io::Result<()> {
    for name in names {
        let target = build_dir.join(name);
        match std::fs::symlink_metadata(&target) {
            Ok(meta) if !meta.is_file() => {
                return Err(std::io::Error::other(format!(
                    "{target} is in the way: it is not a regular file; remove it and run again"
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Renames each listed file still in `staging` into `build/`, then fsyncs `build/`.
/// Files already moved (by an interrupted earlier attempt) are skipped.
fn move_committed(
    staging: &Utf8Path,
    build_dir: &Utf8Path,
    names: &[&str],
    points: &TestPoints,
) -> std::io::Result<()> {
    for name in names {
        let from = staging.join(name);
        if from.exists() {
            fs::rename(&from, build_dir.join(name))?;
        }
        points.hit(TestPoint::PromoteRenamed((*name).to_owned()))?;
    }
    sync_dir(build_dir)
}

fn remove_staging_dir(build_dir: &Utf8Path, dir: &Utf8Path) -> std::io::Result<()> {
    fs::remove_dir_all(dir)?;
    // The parent goes too once empty, so a clean build/ has no `.staging`.
    let parent = build_dir.join(STAGING_DIR);
    if fs::read_dir(&parent)?.next().is_none() {
        fs::remove_dir(&parent)?;
    }
    Ok(())
}

/// Makes a directory's entries (creations, renames) durable.
pub fn sync_dir(dir: &Utf8Path) -> std::io::Result<()> {
    crate::support::platform::sync_dir(dir.as_std_path())
}

/// What recovery did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// Operation ids whose committed promotion was completed.
    pub rolled_forward: Vec<String>,
    /// Operation ids whose uncommitted staging was deleted.
    pub abandoned: Vec<String>,
    /// Committed staging directories that were deleted, not rolled forward,
    /// because they held something other than the regular files their
    /// marker lists (a link, a directory, a stray entry): operation id and why.
    pub discarded: Vec<(String, String)>,
}

impl Recovery {
    /// True when `build/.staging` held nothing to recover: nothing to report.
    pub fn is_empty(&self) -> bool {
        self.rolled_forward.is_empty() && self.abandoned.is_empty() && self.discarded.is_empty()
    }

    /// One sentence per leftover handled, for whoever took the lane to say.
    pub fn describe(&self) -> Vec<String> {
        let forward = self
            .rolled_forward
            .iter()
            .map(|id| format!("recovered: completed the interrupted promotion of operation {id}"));
        let abandoned = self
            .abandoned
            .iter()
            .map(|id| format!("recovered: removed what interrupted operation {id} left in build/.staging"));
        let discarded = self.discarded.iter().map(|(id, why)| {
            format!(
                "recovered: discarded the committed outputs of operation {id} instead of publishing them: {why}; \
                 build/ keeps its previous outputs"
            )
        });
        forward.chain(abandoned).chain(discarded).collect()
    }
}

/// Finishes or discards every leftover staging directory under `build/`.
/// Must run while holding the lane, before anything else writes. Anything
/// else found in `build/.staging` (a stray file, a name that is not UTF-8)
/// is an abandoned leftover too.
pub fn recover(build_dir: &Utf8Path) -> std::io::Result<Recovery> {
    let mut recovery = Recovery::default();
    let staging_root = build_dir.join(STAGING_DIR);
    match std::fs::symlink_metadata(&staging_root) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(recovery),
        Err(e) => return Err(e),
        Ok(meta) if !meta.is_dir() => {
            fs::remove_file(&staging_root)?;
            recovery.abandoned.push(STAGING_DIR.to_owned());
            return Ok(recovery);
        }
        Ok(_) => {}
    }
    let mut leftovers: Vec<_> = fs::read_dir(&staging_root)?.collect::<Result<_, _>>()?;
    leftovers.sort_by_key(|e| e.file_name());
    for entry in leftovers {
        let id = entry.file_name().to_string_lossy().into_owned();
        let committed = match Utf8PathBuf::try_from(entry.path()) {
            Ok(dir) if entry.file_type()?.is_dir() => read_marker(&dir)?.map(|names| (dir, names)),
            _ => None,
        };
        match committed {
            Some((dir, names)) => {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                match foreign_entry(&dir, &names)? {
                    Some(why) => recovery.discarded.push((id, why)),
                    None => {
                        move_committed(&dir, build_dir, &names, &TestPoints::none())?;
                        recovery.rolled_forward.push(id);
                    }
                }
            }
            None => recovery.abandoned.push(id),
        }
        if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(entry.path())?;
        } else {
            std::fs::remove_file(entry.path())?;
        }
    }
    fs::remove_dir(&staging_root)?;
    Ok(recovery)
}

/// Why a committed staging directory must not be published: an entry that is
/// not one of the regular files its marker lists (a symlink could point
/// anywhere; a directory or a FIFO is nothing a step writes). `None` when
/// it holds only listed regular files and the marker.
fn foreign_entry(dir: &Utf8Path, names: &[&str]) -> std::io::Result<Option<String>> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type()?;
        let listed = name == COMMIT_MARKER || names.contains(&name.as_str());
        if !listed {
            return Ok(Some(format!("it holds `{name}`, which its commit marker does not list")));
        }
        if !kind.is_file() {
            let what = prometeu_shape::describe_kind(&kind);
            return Ok(Some(format!("`{name}` is {what}, not a regular file the operation wrote")));
        }
    }
    Ok(None)
}

/// The file names a complete commit marker lists; `None` when there is no
/// marker. Names that are not plain file names make the marker invalid,
/// which is treated as uncommitted.
fn read_marker(dir: &Utf8Path) -> std::io::Result<Option<Vec<String>>> {
    let marker = dir.join(COMMIT_MARKER);
    match std::fs::symlink_metadata(&marker) {
        Ok(meta) if meta.file_type().is_file() => {}
        _ => return Ok(None),
    }
    // A marker lists a handful of names; anything longer is not ours.
    let Ok(bytes) = prometeu_shape::read_regular(marker.as_std_path(), 4096) else { return Ok(None) };
    let Ok(text) = String::from_utf8(bytes) else { return Ok(None) };
    let names: Vec<String> = text.lines().map(str::to_owned).collect();
    let plain = |n: &String| !n.is_empty() && !n.contains('/') && n != "." && n != "..";
    Ok(names.iter().all(plain).then_some(names))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build_dir() -> (tempfile::TempDir, Utf8PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let build = Utf8PathBuf::try_from(tmp.path().join("build")).unwrap();
        fs::create_dir(&build).unwrap();
        (tmp, build)
    }

    #[test]
    fn operation_ids_are_twenty_alphanumerics_and_differ() {
        let a = operation_id();
        assert_eq!(a.len(), OPERATION_ID_LEN);
        assert!(a.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(a, operation_id());
    }

    #[test]
    fn promote_replaces_outputs_and_cleans_up() {
        let (_tmp, build) = build_dir();
        fs::write(build.join("a"), "old a").unwrap();
        let stage = Staging::create(&build, "op1").unwrap();
        stage.write("a", b"new a").unwrap();
        stage.write("b", b"new b").unwrap();
        fs::write(build.join("stale"), "old").unwrap();
        stage.promote(&["a", "b"], &["stale", "absent"], &TestPoints::none()).unwrap();
        assert!(!build.join("stale").exists(), "withdrawn before the commit");
        assert_eq!(fs::read_to_string(build.join("a")).unwrap(), "new a");
        assert_eq!(fs::read_to_string(build.join("b")).unwrap(), "new b");
        assert!(!build.join(STAGING_DIR).exists());
    }

    #[test]
    fn a_directory_in_the_way_fails_before_the_commit_and_changes_nothing() {
        let (_tmp, build) = build_dir();
        fs::write(build.join("a"), "old a").unwrap();
        fs::create_dir(build.join("b")).unwrap();
        let stage = Staging::create(&build, "op1").unwrap();
        stage.write("a", b"new a").unwrap();
        stage.write("b", b"new b").unwrap();
        let err = stage.promote(&["a", "b"], &[], &TestPoints::none()).unwrap_err();
        assert!(matches!(err, PromoteError::Uncommitted(_)), "{err}");
        assert_eq!(fs::read_to_string(build.join("a")).unwrap(), "old a");
        assert!(!build.join(STAGING_DIR).exists());
    }

    #[test]
    fn recovery_rolls_committed_forward_and_deletes_the_rest() {
        let (_tmp, build) = build_dir();
        fs::write(build.join("a"), "old a").unwrap();
        fs::write(build.join("b"), "old b").unwrap();
        // A promotion that died after its first rename.
        let committed = Staging::create(&build, "committed").unwrap();
        committed.write("a", b"new a").unwrap();
        committed.write("b", b"new b").unwrap();
        committed.prepare(&["a", "b"], &[], &TestPoints::none()).unwrap();
        fs::rename(committed.path(COMMIT_MARKER_TMP), committed.path(COMMIT_MARKER)).unwrap();
        fs::rename(committed.path("a"), build.join("a")).unwrap();
        // An operation that died while staging.
        let abandoned = Staging::create(&build, "abandoned").unwrap();
        abandoned.write("a", b"junk").unwrap();

        let recovery = recover(&build).unwrap();
        assert_eq!(recovery.rolled_forward, ["committed"]);
        assert_eq!(recovery.abandoned, ["abandoned"]);
        assert_eq!(fs::read_to_string(build.join("a")).unwrap(), "new a");
        assert_eq!(fs::read_to_string(build.join("b")).unwrap(), "new b");
        assert!(!build.join(STAGING_DIR).exists());
    }

    #[test]
    #[cfg(feature = "testpoints")]
    fn a_failure_after_the_marker_is_committed_and_recovery_completes_it() {
        let (_tmp, build) = build_dir();
        fs::write(build.join("a"), "old a").unwrap();
        fs::write(build.join("b"), "old b").unwrap();
        let stage = Staging::create(&build, "op1").unwrap();
        stage.write("a", b"new a").unwrap();
        stage.write("b", b"new b").unwrap();
        let points = TestPoints::new(TestPoint::PromoteRenamed("a".into()), crate::support::testpoint::Action::Fail);
        let err = stage.promote(&["a", "b"], &[], &points).unwrap_err();
        assert!(matches!(err, PromoteError::Committed(_)), "{err}");
        assert_eq!(recover(&build).unwrap().rolled_forward, ["op1"]);
        assert_eq!(fs::read_to_string(build.join("a")).unwrap(), "new a");
        assert_eq!(fs::read_to_string(build.join("b")).unwrap(), "new b");
    }

    #[test]
    fn odd_leftovers_are_abandoned_not_fatal() {
        use std::os::unix::ffi::OsStrExt;
        let (_tmp, build) = build_dir();
        fs::create_dir_all(build.join(STAGING_DIR)).unwrap();
        let odd = build.join(STAGING_DIR).as_std_path().join(std::ffi::OsStr::from_bytes(b"bad\xff"));
        std::fs::create_dir(&odd).unwrap();
        std::fs::write(build.join(STAGING_DIR).join("stray"), b"x").unwrap();
        assert_eq!(recover(&build).unwrap().abandoned.len(), 2);
        assert!(!build.join(STAGING_DIR).exists());
        fs::write(build.join(STAGING_DIR), b"a file in the way").unwrap();
        assert_eq!(recover(&build).unwrap().abandoned, [STAGING_DIR]);
        assert!(!build.join(STAGING_DIR).exists());
    }
}
