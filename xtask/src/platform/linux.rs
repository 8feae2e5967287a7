//! The Linux implementation.

/// Waits for `child` and reads its peak resident memory from the kernel's
/// accounting of exactly that child (`wait4`).
pub(crate) fn wait_measured(child: &mut std::process::Child) -> Result<super::Ended, String> {
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `child.id()` is the caller's own unreaped child; the pointers are valid.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    if pid < 0 {
        return Err(format!("wait4 failed: {}", std::io::Error::last_os_error()));
    }
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    Ok(super::Ended { ok, peak_rss_kib: Some(usage.ru_maxrss) })
}
