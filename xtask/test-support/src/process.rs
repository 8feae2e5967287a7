//! Real child processes: a command's JSON output parsed, a running command
//! watched line by line, and whether a pid is alive.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

/// A finished command's output, parsed: `Run::from(command.output().unwrap())`. The conversion panics
/// unless stdout is UTF-8 holding one JSON value per line, so run the command with `--message-format json`.
pub struct Run {
    /// The exit status; -1 when the process was ended by a signal.
    pub code: i32,
    /// Every stdout line parsed as JSON, in order: objects with a `type` (`log`, `event`, `notice`), the
    /// `result` last.
    pub lines: Vec<Value>,
    /// All of stderr as text (the conversion panics if it is not UTF-8), for failure messages.
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        let stdout = String::from_utf8(out.stdout).unwrap();
        let lines = stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {l}")))
            .collect();
        Run { code: out.status.code().unwrap_or(-1), lines, stderr: String::from_utf8(out.stderr).unwrap() }
    }
}

impl Run {
    /// The final `{"type":"result",…}` object. Panics, showing stderr, when there was no output, and fails
    /// an assertion when the last line is not a result.
    pub fn result(&self) -> &Value {
        let last = self.lines.last().unwrap_or_else(|| panic!("no output; stderr: {}", self.stderr));
        assert_eq!(last["type"], "result", "the last line is the result");
        last
    }

    /// The `"type":"log"` lines, in the order they were printed.
    pub fn logs(&self) -> Vec<&Value> {
        self.lines.iter().filter(|l| l["type"] == "log").collect()
    }

    /// The `message` of every log line on `channel` (`build`, `pack-validation`, `pack` or `manifest`), in
    /// order. Panics if a message is not a string.
    pub fn channel(&self, channel: &str) -> Vec<String> {
        self.logs()
            .into_iter()
            .filter(|l| l["channel"] == channel)
            .map(|l| l["message"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// A running command whose stderr is read on a thread (so it never blocks
/// on a full pipe and never sees a closed one).
pub struct Watched {
    /// The running process, for its pid or to wait on it; its stdout goes to the null device and its
    /// stderr to the reading thread, so neither can be taken from here.
    pub child: Child,
    lines: std::sync::mpsc::Receiver<String>,
    /// The stderr lines read so far, in order: everything up to the last marker [`Watched::until`] found.
    pub seen: Vec<String>,
}

impl Watched {
    /// Spawns `cmd` with stdout discarded and stderr read line by line on a thread (reading stops at the
    /// first line that is not UTF-8). Panics if the process cannot be started.
    pub fn start(mut cmd: Command) -> Watched {
        cmd.stdout(Stdio::null()).stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watched { child, lines, seen: Vec::new() }
    }

    /// Waits (at most 60 s) for a stderr line containing `marker`.
    pub fn until(&mut self, marker: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::time::Instant::now() < deadline {
            match self.lines.recv_timeout(std::time::Duration::from_millis(100)) {
                Ok(line) => {
                    let hit = line.contains(marker);
                    self.seen.push(line);
                    if hit {
                        return;
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        panic!("`{marker}` never appeared on stderr: {:#?}", self.seen);
    }

    /// Waits for the process and returns its exit code and all of stderr.
    pub fn finish(mut self) -> (i32, Vec<String>) {
        let status = self.child.wait().unwrap();
        self.seen.extend(self.lines.iter());
        (status.code().unwrap_or(-1), self.seen)
    }

    /// Kills the process (SIGKILL, that process only: its children are not signalled) and waits for it, so
    /// no zombie is left; stderr not read yet is dropped. Panics if the kill or the wait fails.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Watched {
    /// Collects the stderr lines that arrive within `period` (for checking
    /// that nothing more happens once things have settled).
    pub fn lines_within(&mut self, period: std::time::Duration) -> Vec<String> {
        let deadline = std::time::Instant::now() + period;
        let mut got = Vec::new();
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => got.push(line),
                Err(_) => break,
            }
        }
        self.seen.extend(got.iter().cloned());
        got
    }
}
