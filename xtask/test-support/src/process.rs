//! Real child processes: a command's JSON output parsed, a running command
//! watched line by line, and whether a pid is alive.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

pub struct Run {
    pub code: i32,
    pub lines: Vec<Value>,
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
    pub fn result(&self) -> &Value {
        let last = self.lines.last().unwrap_or_else(|| panic!("no output; stderr: {}", self.stderr));
        assert_eq!(last["type"], "result", "the last line is the result");
        last
    }

    pub fn logs(&self) -> Vec<&Value> {
        self.lines.iter().filter(|l| l["type"] == "log").collect()
    }

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
    pub child: Child,
    lines: std::sync::mpsc::Receiver<String>,
    pub seen: Vec<String>,
}

impl Watched {
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

    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

/// True while `pid` names a live (not zombie) process.
pub fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat.rsplit(')').next().map(|rest| !rest.trim_start().starts_with('Z')).unwrap_or(false),
        Err(_) => false,
    }
}
