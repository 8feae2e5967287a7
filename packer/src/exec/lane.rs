//! The project's write lane: one exclusive OS file lock per project, held by
//! every operation that writes. Holding a `LaneGuard` is the proof a writer
//! needs; play-prep takes it once and lends it to each step, so the lane is
//! re-entrant by construction rather than by counting. The OS releases the
//! lock when the process dies, so a crash never leaves the project locked.

use std::fs::{File, TryLockError};

use camino::{Utf8Path, Utf8PathBuf};

use crate::exec::staging::{self, Recovery};
use crate::support::platform::{self, LockIdentity};

/// Project-relative lock file (local). Outside `build/` so that `build/`
/// holds nothing but outputs.
pub const LOCK_FILE: &str = ".prometeu/lane.lock";

/// What to do when another operation holds the lane.
pub enum Wait<'a> {
    /// Wait until it is free; `on_wait` runs once, before waiting. While
    /// waiting, `cancelled` is polled: when it says so, give up with
    /// `LaneError::Cancelled` (the run was cancelled, e.g. by Ctrl-C).
    Block {
        /// Called once, only if the lane is busy, before waiting starts (the CLI prints its notice).
        on_wait: &'a mut dyn FnMut(),
        /// Polled every 50 ms while waiting; returning true gives up with `LaneError::Cancelled`.
        cancelled: &'a dyn Fn() -> bool,
    },
    /// Fail at once with `LaneError::Busy`.
    NoWait,
}

/// How often a waiting holder retries the lock (and checks for cancellation).
const WAIT_POLL: std::time::Duration = std::time::Duration::from_millis(50);

/// Why `acquire` could not hand out the lane; each message says what to do next.
#[derive(Debug)]
pub enum LaneError {
    /// Another operation holds the lane and `Wait::NoWait` was asked for.
    Busy {
        /// The lock file held by the other operation: `<project>/` + `LOCK_FILE`.
        lock_file: Utf8PathBuf,
    },
    /// Given up while waiting.
    Cancelled,
    /// The lock file could not be created, opened or locked.
    Io {
        /// The lock file: `<project>/` + `LOCK_FILE`.
        lock_file: Utf8PathBuf,
        /// The operating system's error.
        error: std::io::Error,
    },
    /// A path the operation would write through is a symbolic link; nothing was touched.
    Link {
        /// The link: `.prometeu`, the lock file, `build`, `build/logs` or `build/.staging`.
        path: Utf8PathBuf,
    },
    /// Leftovers of an interrupted operation could not be recovered.
    Recovery {
        /// The project's `build/`, whose `.staging/` holds the leftovers.
        build_dir: Utf8PathBuf,
        /// The first I/O error recovery met; it stops there.
        error: std::io::Error,
    },
}

impl std::fmt::Display for LaneError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LaneError::Busy { lock_file } => {
                write!(f, "another operation is writing to this project (lock {lock_file}); wait for it to finish")
            }
            LaneError::Cancelled => {
                write!(f, "interrupted while waiting for another operation on this project; nothing was changed")
            }
            LaneError::Io { lock_file, error } => write!(f, "cannot take the project lock {lock_file}: {error}"),
            LaneError::Link { path } => write!(
                f,
                "{path} is a symbolic link; the tool never writes through a link, which could lead outside \
                 the project, so nothing was changed; replace it with a real directory (or remove it) and run again"
            ),
            LaneError::Recovery { build_dir, error } => write!(
                f,
                "cannot recover what an interrupted operation left in {build_dir}/{}: {error}; \
                 fix the cause (permissions, disk) and run again",
                crate::exec::staging::STAGING_DIR
            ),
        }
    }
}

impl std::error::Error for LaneError {}

/// The held lane. Dropping it releases the lock.
#[derive(Debug)]
pub struct LaneGuard {
    project: Utf8PathBuf,
    recovery: Recovery,
    _file: File,
    /// The project directory, locked too: a lock no deletion can split
    /// (`None` where the standard library cannot lock a directory).
    _directory: Option<File>,
}

impl LaneGuard {
    /// The project directory this lane belongs to (absolute).
    pub fn project(&self) -> &Utf8Path {
        &self.project
    }

    /// What recovery did when the lane was taken.
    pub fn recovery(&self) -> &Recovery {
        &self.recovery
    }

    /// `<project>/build`.
    pub fn build_dir(&self) -> Utf8PathBuf {
        self.project.join(crate::workspace::layout::BUILD_DIR)
    }
}

/// Every path a writer may create, rename or delete under the project,
/// checked for symbolic links before the lane is taken and again once it is
/// held. Outputs inside `build/` are replaced by renames and removed by
/// unlinks, which act on a link itself and never on its target, so checking
/// the directories is enough.
fn written_paths() -> [String; 5] {
    use crate::workspace::layout::{BUILD_DIR, LOG_DIR};
    [
        LANE_DIR.to_owned(),
        LOCK_FILE.to_owned(),
        BUILD_DIR.to_owned(),
        format!("{BUILD_DIR}/{LOG_DIR}"),
        format!("{BUILD_DIR}/{}", staging::STAGING_DIR),
    ]
}

/// The directory of the lock file.
const LANE_DIR: &str = ".prometeu";

/// Takes the lane of `project` (an absolute, existing directory), then
/// recovers leftovers of interrupted operations: every lane holder starts
/// from a `build/` that holds one complete set of outputs.
///
/// The lane is two locks taken in order: the lock file (where the project
/// documents it) and the project directory itself. Deleting the lock file,
/// or `.prometeu/` whole, cannot split the second one, so a second writer
/// still waits; and once both are held, the lock file path must still name
/// the locked file, or everything is retried. (Where the standard library
/// cannot lock a directory, the lane is the lock file alone: see
/// `docs/reference/platforms.md`.)
pub fn acquire(project: &Utf8Path, mut wait: Wait<'_>) -> Result<LaneGuard, LaneError> {
    refuse_links(project)?;
    let lock_file = project.join(LOCK_FILE);
    let io = |error| LaneError::Io { lock_file: lock_file.clone(), error };
    let directory = platform::lock_directory(project.as_std_path()).map_err(io)?;
    let mut said = false;
    let file = loop {
        let file = open_lock_file(project).map_err(io)?;
        take(&file, &lock_file, &mut wait, &mut said)?;
        if let Some(directory) = &directory {
            take(directory, &lock_file, &mut wait, &mut said)?;
        }
        if LockIdentity::of(&file).map_err(io)?.names(lock_file.as_std_path()) {
            break file;
        }
        // Replaced while we waited: lock what the path names now.
        if let Some(directory) = &directory {
            let _ = directory.unlock();
        }
    };
    refuse_links(project)?;
    let build_dir = project.join(crate::workspace::layout::BUILD_DIR);
    let recovery = staging::recover(&build_dir).map_err(|error| LaneError::Recovery { build_dir, error })?;
    Ok(LaneGuard { project: project.to_owned(), recovery, _file: file, _directory: directory })
}

/// `LaneError::Link` naming the first written path that is a symbolic link.
fn refuse_links(project: &Utf8Path) -> Result<(), LaneError> {
    let rels = written_paths();
    let rels: Vec<&str> = rels.iter().map(String::as_str).collect();
    match crate::workspace::paths::first_link(project, &rels) {
        Ok(None) => Ok(()),
        Ok(Some(link)) => Err(LaneError::Link { path: project.join(link) }),
        Err(error) => Err(LaneError::Io { lock_file: project.join(LOCK_FILE), error }),
    }
}

/// Creates `.prometeu/` and opens (creating) the lock file without following
/// a link at the last step; `refuse_links` already checked `.prometeu/`.
fn open_lock_file(project: &Utf8Path) -> std::io::Result<File> {
    match std::fs::create_dir(project.join(LANE_DIR)) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => return Err(e),
        _ => {}
    }
    let file = platform::open_lock_file(project.join(LOCK_FILE).as_std_path())?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("it is not a regular file; remove it and run again"));
    }
    Ok(file)
}

/// Locks `handle`, waiting as `wait` says; `on_wait` runs at most once per acquisition.
fn take(handle: &File, lock_file: &Utf8Path, wait: &mut Wait<'_>, said: &mut bool) -> Result<(), LaneError> {
    let io = |error| LaneError::Io { lock_file: lock_file.to_owned(), error };
    match handle.try_lock() {
        Ok(()) => Ok(()),
        Err(TryLockError::WouldBlock) => match wait {
            Wait::NoWait => Err(LaneError::Busy { lock_file: lock_file.to_owned() }),
            Wait::Block { on_wait, cancelled } => {
                if !std::mem::replace(said, true) {
                    on_wait();
                }
                wait_for(handle, *cancelled).map_err(|e| e.map_or(LaneError::Cancelled, io))
            }
        },
        Err(TryLockError::Error(error)) => Err(io(error)),
    }
}

/// Retries the lock until it is taken; `Err(None)` when cancelled.
fn wait_for(file: &File, cancelled: &dyn Fn() -> bool) -> Result<(), Option<std::io::Error>> {
    loop {
        if cancelled() {
            return Err(None);
        }
        match file.try_lock() {
            Ok(()) => return Ok(()),
            Err(TryLockError::WouldBlock) => std::thread::sleep(WAIT_POLL),
            Err(TryLockError::Error(e)) => return Err(Some(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_without_wait_and_admitted_after_release() {
        let dir = tempfile::tempdir().unwrap();
        let project = Utf8Path::from_path(dir.path()).unwrap();
        let first = acquire(project, Wait::NoWait).unwrap();
        assert!(matches!(acquire(project, Wait::NoWait), Err(LaneError::Busy { .. })));
        drop(first);
        acquire(project, Wait::NoWait).unwrap();
    }

    #[test]
    fn a_waiting_holder_gets_the_lane_when_freed_and_can_be_cancelled() {
        let dir = tempfile::tempdir().unwrap();
        let project = Utf8Path::from_path(dir.path()).unwrap().to_owned();
        let first = acquire(&project, Wait::NoWait).unwrap();
        let mut said = 0;
        let cancel = || true;
        let err = acquire(&project, Wait::Block { on_wait: &mut || said += 1, cancelled: &cancel }).unwrap_err();
        assert!(matches!(err, LaneError::Cancelled));
        assert_eq!(said, 1);
        let release = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(200));
            drop(first);
        });
        let never = || false;
        acquire(&project, Wait::Block { on_wait: &mut || {}, cancelled: &never }).unwrap();
        release.join().unwrap();
    }

    #[test]
    fn different_projects_do_not_block_each_other() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let _ga = acquire(Utf8Path::from_path(a.path()).unwrap(), Wait::NoWait).unwrap();
        let _gb = acquire(Utf8Path::from_path(b.path()).unwrap(), Wait::NoWait).unwrap();
    }
}
