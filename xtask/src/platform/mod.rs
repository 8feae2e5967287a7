//! Every operating-system call of the command line, behind one seam (the
//! only module that may name `std::os` or `libc`; a test checks it).
//! `linux` is what a Linux build uses; `portable` uses the standard library
//! only, is what every other target builds, and is selected on Linux too by
//! the `portable` feature, so it is compiled and tested here. What
//! `portable` gives up is written on each of its entries and in
//! `docs/reference/platforms.md`. Ctrl-C needs no entry: `ctrlc` already
//! works on every system.

#[cfg(all(target_os = "linux", not(feature = "portable")))]
mod linux;
#[cfg(all(target_os = "linux", not(feature = "portable")))]
pub(crate) use linux::wait_measured;

#[cfg(not(all(target_os = "linux", not(feature = "portable"))))]
mod portable;
#[cfg(not(all(target_os = "linux", not(feature = "portable"))))]
pub(crate) use portable::wait_measured;

/// How a waited-for child ended.
pub(crate) struct Ended {
    /// Whether it exited with status 0.
    pub(crate) ok: bool,
    /// Its peak resident memory in KiB, where the system tells it.
    pub(crate) peak_rss_kib: Option<i64>,
    /// The CPU time it used (user plus system), where the system tells it.
    pub(crate) cpu: Option<std::time::Duration>,
}

/// Marks a file the tool wrote as executable (the hooks and scripts of a
/// new game repository). On Unix (Linux and macOS alike) that is the mode
/// bits, through the standard library; a system without them has nothing
/// to mark: git for Windows keeps a script's executable bit in the index.
pub(crate) fn set_executable(path: &std::path::Path) -> std::io::Result<()> {
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
