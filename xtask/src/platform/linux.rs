//! The Linux implementation.

/// Waits for `child` and reads its peak resident memory and CPU time from
/// the kernel's accounting of exactly that child (`wait4`).
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
    let time = |t: libc::timeval| std::time::Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    let cpu = time(usage.ru_utime) + time(usage.ru_stime);
    Ok(super::Ended { ok, peak_rss_kib: Some(usage.ru_maxrss), cpu: Some(cpu) })
}
