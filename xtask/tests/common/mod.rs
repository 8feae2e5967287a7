//! Runs the real `xtask` binary on copies of real projects.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

use camino::{Utf8Path, Utf8PathBuf};
use serde_json::Value;

pub const XTASK: &str = env!("CARGO_BIN_EXE_xtask");

/// The four pack outputs, `program.pbx` and `manifest.json`.
pub const PACK_OUTPUTS: [&str; 4] = ["assets.pa", "asset_table.json", "preload.json", "asset_table_metadata.json"];

pub struct Project {
    _dir: tempfile::TempDir,
    pub path: Utf8PathBuf,
}

/// A fresh copy of `templates/starter`.
pub fn starter() -> Project {
    let dir = tempfile::tempdir().unwrap();
    let path = Utf8PathBuf::try_from(dir.path().canonicalize().unwrap()).unwrap().join("game");
    let template = Utf8Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates/starter");
    copy_dir(&template, &path);
    let _ = std::fs::remove_dir_all(path.join("build"));
    let _ = std::fs::remove_dir_all(path.join(".prometeu"));
    Project { _dir: dir, path }
}

fn copy_dir(from: &Utf8Path, to: &Utf8Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in from.read_dir_utf8().unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

impl Project {
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        let path = self.path.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    pub fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.path.join(rel)).unwrap()
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.path.join(rel).exists()
    }

    /// An executable `#!/bin/sh` script at `rel`.
    pub fn script(&self, rel: &str, body: &str) {
        use std::os::unix::fs::PermissionsExt;
        self.write(rel, format!("#!/bin/sh\n{body}\n"));
        std::fs::set_permissions(self.path.join(rel), std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// Replaces the `[compiler]` section of cartridge.toml.
    pub fn set_compiler(&self, section: &str) {
        let text = String::from_utf8(self.read("cartridge.toml")).unwrap();
        let head = text.split("[compiler]").next().unwrap();
        self.write("cartridge.toml", format!("{head}[compiler]\n{section}\n"));
    }

    pub fn xtask(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(XTASK);
        cmd.args(args).arg("--project").arg(self.path.as_str()).env_remove("PROMETEU_TESTPOINT");
        cmd
    }

    /// Runs a command with `--message-format json`.
    pub fn run_json(&self, args: &[&str]) -> Run {
        let mut all = args.to_vec();
        all.extend(["--message-format", "json"]);
        Run::from(self.xtask(&all).output().unwrap())
    }

    /// The named files of `build/` that exist, with their bytes.
    pub fn outputs(&self, names: &[&str]) -> BTreeMap<String, Vec<u8>> {
        names
            .iter()
            .filter_map(|n| std::fs::read(self.path.join("build").join(n)).ok().map(|b| (n.to_string(), b)))
            .collect()
    }

    /// The kept log of `command`, parsed.
    pub fn kept_log(&self, command: &str) -> Vec<Value> {
        let text = String::from_utf8(self.read(&format!("build/logs/{command}.jsonl"))).unwrap();
        text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }
}

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
