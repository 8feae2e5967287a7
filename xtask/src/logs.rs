//! The preparation log: every line any step captures, numbered across the
//! whole run, timestamped, printed as it happens and kept as JSON lines
//! under `build/logs/` (replaced by each run, kept on failure too).

use std::io::Write;
use std::time::SystemTime;

use camino::{Utf8Path, Utf8PathBuf};
use fs_err as fs;
use prometeu_packer::log::LogLine;
use serde::Serialize;

/// Directory of the kept logs, relative to `build/` (local).
pub const LOG_DIR: &str = "logs";

/// Project-relative path of the kept log of `command` (`build/logs/play-prep.jsonl`).
pub fn log_path(project: &Utf8Path, command: &str) -> Utf8PathBuf {
    project.join(prometeu_packer::BUILD_DIR).join(LOG_DIR).join(format!("{command}.jsonl"))
}

/// One kept log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Entry {
    pub sequence: u64,
    pub timestamp: String,
    pub channel: String,
    pub severity: String,
    pub message: String,
}

/// Numbers, stamps and keeps log lines.
pub struct Journal {
    sequence: u64,
    file: Option<fs::File>,
}

impl Journal {
    /// A journal kept at `path` (created or truncated now). If the file cannot
    /// be written the run goes on and the failure is logged once.
    pub fn kept_at(path: &Utf8Path) -> (Journal, Option<String>) {
        let file = path.parent().map(fs::create_dir_all).transpose().and_then(|_| create_fresh(path));
        match file {
            Ok(file) => (Journal { sequence: 0, file: Some(file) }, None),
            Err(e) => (Journal::in_memory(), Some(format!("the log cannot be kept: {e}"))),
        }
    }

    /// A journal that keeps nothing on disk.
    pub fn in_memory() -> Journal {
        Journal { sequence: 0, file: None }
    }

    /// Records `line` and returns its entry.
    pub fn record(&mut self, line: &LogLine) -> Entry {
        self.sequence += 1;
        let entry = Entry {
            sequence: self.sequence,
            timestamp: humantime::format_rfc3339_millis(SystemTime::now()).to_string(),
            channel: line.channel.as_str().to_owned(),
            severity: line.severity.as_str().to_owned(),
            message: line.message.clone(),
        };
        if let Some(file) = &mut self.file {
            let mut json = serde_json::to_vec(&entry).expect("entries serialize");
            json.push(b'\n');
            // A log that cannot be appended must not fail the preparation.
            if file.write_all(&json).is_err() {
                self.file = None;
            }
        }
        entry
    }
}

/// Replaces the file at `path` without following a symlink there: the old
/// entry is unlinked and a new file is created exclusively.
fn create_fresh(path: &Utf8Path) -> std::io::Result<fs::File> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    fs::File::options().write(true).create_new(true).open(path)
}
