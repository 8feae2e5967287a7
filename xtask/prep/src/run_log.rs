//! The log of one run (the log contract): every line any step captures,
//! numbered across the whole run, timestamped (RFC 3339 UTC), handed to the
//! host's [`Observer`] as it happens and kept as JSON lines in
//! `build/logs/<command>.jsonl` (replaced by each run, kept on failure too).

use std::io::Write;
use std::time::SystemTime;

use camino::{Utf8Path, Utf8PathBuf};
use fs_err as fs;
use prometeu_packer::{Advice, BUILD_DIR, LOG_DIR, LogLine, PackEvent, PackObserver};
use serde::{Deserialize, Serialize};

/// Project-relative path of the kept log of `command` (`build/logs/play-prep.jsonl`).
pub fn log_path(project: &Utf8Path, command: &str) -> Utf8PathBuf {
    project.join(BUILD_DIR).join(LOG_DIR).join(format!("{command}.jsonl"))
}

/// One kept log entry: a captured line with its place in the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// 1, 2, 3… across the whole run, whatever the step.
    pub sequence: u64,
    /// When the line was recorded, RFC 3339 UTC with milliseconds.
    pub timestamp: String,
    /// `build`, `pack-validation`, `pack` or `manifest`.
    pub channel: String,
    /// `INFO`, `WARN` or `ERROR`.
    pub severity: String,
    /// The line itself, never empty.
    pub message: String,
    /// Operations that would fix what the line reports, for the host to offer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub advice: Vec<Advice>,
}

/// What a host (the command line, an editor) hears while a run goes on.
pub trait Observer {
    /// A log entry, numbered and stamped, already kept on disk.
    fn log(&mut self, entry: &LogEntry);
    /// Pack progress.
    fn event(&mut self, _event: &PackEvent) {}
    /// Something about the run itself rather than a step, such as the kept
    /// log not being writable.
    fn notice(&mut self, _text: &str) {}
}

/// An observer that ignores everything.
pub struct Silent;

impl Observer for Silent {
    fn log(&mut self, _entry: &LogEntry) {}
}

/// Numbers, stamps and keeps the lines of one run, then hands them on.
pub(crate) struct RunLog<'a> {
    sequence: u64,
    file: Option<fs::File>,
    host: &'a mut dyn Observer,
}

impl<'a> RunLog<'a> {
    /// Starts the kept log of `command` (created or truncated now). If the
    /// file cannot be written the run goes on and the host is told once.
    pub(crate) fn kept(project: &Utf8Path, command: &str, host: &'a mut dyn Observer) -> RunLog<'a> {
        let path = log_path(project, command);
        let file = path.parent().map(fs::create_dir_all).transpose().and_then(|_| create_fresh(&path));
        match file {
            Ok(file) => RunLog { sequence: 0, file: Some(file), host },
            Err(e) => {
                host.notice(&format!("warning: the log cannot be kept: {e}"));
                RunLog { sequence: 0, file: None, host }
            }
        }
    }

    fn record(&mut self, line: &LogLine) -> LogEntry {
        self.sequence += 1;
        let entry = LogEntry {
            sequence: self.sequence,
            timestamp: humantime::format_rfc3339_millis(SystemTime::now()).to_string(),
            channel: line.channel.as_str().to_owned(),
            severity: line.severity.as_str().to_owned(),
            message: line.message.clone(),
            advice: line.advice.clone(),
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

impl PackObserver for RunLog<'_> {
    fn event(&mut self, event: &PackEvent) {
        self.host.event(event);
    }

    fn log(&mut self, line: &LogLine) {
        let entry = self.record(line);
        self.host.log(&entry);
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
