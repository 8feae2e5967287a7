//! Running git, for the commands that need it (`new`, `validate --staged`).

use std::io::Write;
use std::process::{Command, Stdio};

use camino::Utf8Path;

/// Why a git command gave no output.
#[derive(Debug)]
pub(crate) enum GitError {
    /// git is not installed.
    Missing,
    /// git could not be run, or ran and failed: what it said.
    Failed(String),
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitError::Missing => f.write_str("git is not installed"),
            GitError::Failed(why) => f.write_str(why),
        }
    }
}

/// Runs `git <args>` in `dir`, feeding it `input`; its stdout, or its stderr as the error.
pub(crate) fn git(dir: &Utf8Path, args: &[&str], input: Option<&[u8]>) -> Result<Vec<u8>, GitError> {
    let mut child = Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => GitError::Missing,
            _ => GitError::Failed(format!("cannot run git: {e}")),
        })?;
    if let (Some(bytes), Some(mut stdin)) = (input, child.stdin.take()) {
        stdin.write_all(bytes).map_err(|e| GitError::Failed(format!("cannot talk to git: {e}")))?;
    }
    let output = child.wait_with_output().map_err(|e| GitError::Failed(format!("git did not finish: {e}")))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(GitError::Failed(format!("git {} failed: {}", args[0], String::from_utf8_lossy(&output.stderr).trim())))
    }
}
