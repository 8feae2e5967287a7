//! Every operating-system call of the packer, behind one seam (the only
//! module that may name `std::os`, `rustix` or `libc`; `tests/it/tidy.rs`
//! checks it). `linux` is what a Linux build uses; `portable` uses the
//! standard library only, is what every other target builds, and is
//! selected on Linux too by the `portable` feature, so it is compiled and
//! tested here. What `portable` gives up is written on each of its entries
//! and in `docs/reference/platforms.md`.

#[cfg(all(target_os = "linux", not(feature = "portable")))]
mod linux;
#[cfg(all(target_os = "linux", not(feature = "portable")))]
pub(crate) use linux::{LockIdentity, drop_cached, lock_directory, open_lock_file, start_writeback, sync_dir};

#[cfg(not(all(target_os = "linux", not(feature = "portable"))))]
mod portable;
#[cfg(not(all(target_os = "linux", not(feature = "portable"))))]
pub(crate) use portable::{LockIdentity, drop_cached, lock_directory, open_lock_file, start_writeback, sync_dir};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_identity_tells_the_held_file_from_one_put_in_its_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lane.lock");
        let held = open_lock_file(&path).unwrap();
        let identity = LockIdentity::of(&held).unwrap();
        assert!(identity.names(&path));
        // Another opening of the same file is the same file.
        assert!(LockIdentity::of(&open_lock_file(&path).unwrap()).unwrap().names(&path) && identity.names(&path));
        std::fs::remove_file(&path).unwrap();
        assert!(!identity.names(&path));
        // A file put in its place at once, empty as the held one, is another file.
        let other = open_lock_file(&path).unwrap();
        assert!(!identity.names(&path));
        assert!(LockIdentity::of(&other).unwrap().names(&path));
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir(&path).unwrap();
        assert!(!identity.names(&path));
        assert!(open_lock_file(&path).is_err());
    }

    #[test]
    fn the_lock_file_is_never_opened_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("target"), b"").unwrap();
        std::os::unix::fs::symlink(dir.path().join("target"), dir.path().join("lane.lock")).unwrap();
        assert!(open_lock_file(&dir.path().join("lane.lock")).is_err());
    }

    #[test]
    fn the_project_directory_can_be_locked_and_writeback_and_cache_advice_change_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let directory = lock_directory(dir.path()).unwrap().expect("directories open as files here");
        directory.try_lock().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"0123456789").unwrap();
        let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        start_writeback(&file, 0, 10);
        start_writeback(&file, 5, 5);
        drop_cached(&file);
        assert_eq!(std::fs::read(&path).unwrap(), b"0123456789");
        sync_dir(dir.path()).unwrap();
        assert!(sync_dir(&dir.path().join("missing")).is_err());
    }
}
