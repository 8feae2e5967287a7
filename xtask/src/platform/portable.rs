//! The standard-library implementation, correct on any target the standard
//! library supports; what each entry gives up is said on it.

/// Waits for `child`. The standard library does not tell a child's peak
/// memory or CPU time, so the benchmark's lines say they were not measured.
pub(crate) fn wait_measured(child: &mut std::process::Child) -> Result<super::Ended, String> {
    let status = child.wait().map_err(|e| format!("cannot wait for the child: {e}"))?;
    Ok(super::Ended { ok: status.success(), peak_rss_kib: None, cpu: None })
}
