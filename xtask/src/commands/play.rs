//! `play`: prepare, then start the runtime on `build/` (`[run] command` of
//! cartridge.toml, no shell, the project as working directory), its output
//! streamed on the `run` channel. Ctrl-C stops the runtime and everything it
//! started (its process group).

use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, SystemTime};

use camino::Utf8Path;
use prometeu_play_prep::{Cancel, LogEntry, Observer, Runtime, Stream};
use serde_json::json;

use crate::reporter::Reporter;
use crate::shared::{Cli, Exit, Stop, run_options};

/// How often a quiet runtime is checked for exit and Ctrl-C (local).
pub(crate) const POLL: Duration = Duration::from_millis(50);

pub(crate) fn run(cli: &Cli, project: &Utf8Path, threads: Option<usize>, out: &mut Reporter) -> Result<Exit, Stop> {
    let options = run_options(threads, out);
    let prepared = super::play_prep::prepare(cli, project, &options, false, out)?;
    if prepared.exit != Exit::Success {
        let result = json!({"status": "failed", "error": "the preparation did not succeed; the runtime was not started", "play_prep": prepared.result});
        out.result(Some("play"), &result);
        return Ok(prepared.exit);
    }
    let argv = prepared.run_command;
    let mut game = Game::start(&argv, project, &options.cancel, out)?;
    while !game.pump(out, POLL) && !options.cancel.is_cancelled() {}
    let status = game.stop(out);
    let exit = match (options.cancel.is_cancelled(), status) {
        (true, _) => Exit::Interrupted,
        (false, Some(0)) => Exit::Success,
        (false, _) => Exit::Failed,
    };
    let outcome = if exit == Exit::Success { "success" } else { "failed" };
    out.result(Some("play"), &json!({"status": outcome, "command": "play", "runtime": argv, "exit_code": status, "play_prep": prepared.result}));
    Ok(exit)
}

/// A running game: the runtime and the numbering of its output lines.
pub(crate) struct Game {
    runtime: Runtime,
    sequence: u64,
}

impl Game {
    /// Starts the runtime; Ctrl-C (through `cancel`) kills its process group.
    pub(crate) fn start(
        argv: &[String],
        project: &Utf8Path,
        cancel: &Cancel,
        out: &mut Reporter,
    ) -> Result<Game, Stop> {
        let runtime =
            prometeu_play_prep::start_runtime(argv, project, cancel).map_err(|e| Stop::failed(e.to_string()))?;
        out.note(&format!("started the runtime: {} (pid {})", argv.join(" "), runtime.pid()));
        Ok(Game { runtime, sequence: 0 })
    }

    /// Streams what the runtime printed within `wait`; `true` once it has exited.
    pub(crate) fn pump(&mut self, out: &mut Reporter, wait: Duration) -> bool {
        match self.runtime.lines().recv_timeout(wait) {
            Ok((stream, text)) => {
                self.say(out, stream, text);
                while let Ok((stream, text)) = self.runtime.lines().try_recv() {
                    self.say(out, stream, text);
                }
            }
            Err(RecvTimeoutError::Disconnected) => std::thread::sleep(wait),
            Err(RecvTimeoutError::Timeout) => {}
        }
        self.runtime.has_exited()
    }

    fn say(&mut self, out: &mut Reporter, stream: Stream, message: String) {
        if message.is_empty() {
            return;
        }
        self.sequence += 1;
        let severity = if stream == Stream::Stderr { "WARN" } else { "INFO" };
        let timestamp = humantime::format_rfc3339_millis(SystemTime::now()).to_string();
        let entry = LogEntry {
            sequence: self.sequence,
            timestamp,
            channel: "run".into(),
            severity: severity.into(),
            message,
            advice: Vec::new(),
        };
        out.log(&entry);
    }

    /// Stops the runtime and everything it started; its exit code when it had ended on its own.
    pub(crate) fn stop(mut self, out: &mut Reporter) -> Option<i32> {
        let exited = self.runtime.has_exited();
        while let Ok((stream, text)) = self.runtime.lines().try_recv() {
            self.say(out, stream, text);
        }
        let pid = self.runtime.pid();
        let status = self.runtime.stop().ok();
        let code = status.and_then(|s| s.code()).filter(|_| exited);
        match code {
            Some(code) => out.note(&format!("the runtime (pid {pid}) exited with status {code}")),
            None => out.note(&format!("stopped the runtime (pid {pid})")),
        }
        code
    }
}
