//! The runtime started by `play`: `[run].command` from `cartridge.toml`, no
//! shell, the project as its working directory, leader of its own process
//! group like the compiler, so stopping it (or cancelling the run's token)
//! stops everything it started.

use std::io;
use std::process::ExitStatus;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, sync_channel};

use camino::Utf8Path;

use crate::cancel::Cancel;
use crate::compiler::{Delivery, Line, Pipes, Stream, resolve_program, start_readers, start_when_not_busy};
use crate::platform::{self, Child};

/// Output lines the readers may hold before the runtime waits for the host (local).
const LINES_AHEAD: usize = 1024;

/// A started runtime.
pub struct Runtime {
    child: Arc<Child>,
    cancel: Cancel,
    lines: Receiver<Line>,
}

/// Why the runtime could not start.
#[derive(Debug)]
pub struct StartError {
    /// The program as written in `[run].command`.
    pub program: String,
    /// `true` when no such program exists (not installed, or not on PATH).
    pub not_found: bool,
    /// The system's words.
    pub message: String,
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.not_found {
            write!(
                f,
                "the runtime `{}` is not installed or not on PATH; install it, or set `[run] command` in cartridge.toml",
                self.program
            )
        } else {
            write!(f, "cannot start the runtime `{}`: {}", self.program, self.message)
        }
    }
}

/// Starts `argv` in `project_dir`. `cancel` kills its process group when cancelled.
pub fn start_runtime(argv: &[String], project_dir: &Utf8Path, cancel: &Cancel) -> Result<Runtime, StartError> {
    let program = argv.first().cloned().unwrap_or_default();
    let fail = |message: String, not_found: bool| StartError { program: program.clone(), not_found, message };
    let (sender, lines) = sync_channel(LINES_AHEAD);
    // A game prints for as long as it runs: every line, no budget.
    let line = |delivery| match delivery {
        Delivery::Line(stream, text) => Some((stream, text)),
        Delivery::LeftOut(..) => None,
    };
    let (pipes, _readers) = start_readers(sender, None, line).map_err(|m| fail(m, false))?;
    let expression = expression(argv, project_dir, pipes);
    let handle =
        start_when_not_busy(&expression).map_err(|e| fail(e.to_string(), e.kind() == io::ErrorKind::NotFound))?;
    // Our copies of the pipes' write ends must close for the readers to end.
    drop(expression);
    let child = Arc::new(Child::adopt(handle));
    cancel.register(&child);
    Ok(Runtime { child, cancel: cancel.clone(), lines })
}

fn expression(argv: &[String], project_dir: &Utf8Path, pipes: Pipes) -> duct::Expression {
    duct::cmd(resolve_program(&argv[0], project_dir), &argv[1..])
        .dir(project_dir)
        .stdin_null()
        .stdout_file(pipes.stdout)
        .stderr_file(pipes.stderr)
        .unchecked()
        .before_spawn(|command| {
            platform::prepare(command);
            Ok(())
        })
}

impl Runtime {
    /// The runtime's process id (on Linux also its process group id).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its output, line by line, as it comes (stdout and stderr).
    pub fn lines(&self) -> &Receiver<(Stream, String)> {
        &self.lines
    }

    /// Whether it has exited, without reaping it (the group id stays reserved).
    pub fn has_exited(&self) -> bool {
        self.child.has_exited().unwrap_or(true)
    }

    /// Stops whatever is left of its process group and reaps it: the exit
    /// status when it had ended on its own, else the kill's.
    pub fn stop(self) -> io::Result<ExitStatus> {
        self.child.kill();
        self.cancel.unregister(&self.child);
        self.child.finish()
    }
}
