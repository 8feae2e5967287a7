//! Every operating-system call of the fixtures, behind one seam (the only
//! module that may name `std::os`; a test checks it). The fixtures drive
//! Unix tools (`#!/bin/sh` scripts, `/proc`), so the test suite itself runs
//! on Linux; these entries say what another system would need.

/// Marks `path` executable: the mode bits on Unix, nothing to mark elsewhere.
pub fn set_executable(path: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// Whether process `pid` exists and is not a zombie, from Linux's `/proc`
/// (false where there is none).
pub fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat.rsplit(')').next().map(|rest| !rest.trim_start().starts_with('Z')).unwrap_or(false),
        Err(_) => false,
    }
}
