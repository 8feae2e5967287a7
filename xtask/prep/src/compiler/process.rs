//! The child process and its process group.

use super::*;

/// The write ends of the compiler's stdout and stderr pipes.
pub(crate) struct Pipes {
    pub(crate) stdout: os_pipe::PipeWriter,
    pub(crate) stderr: os_pipe::PipeWriter,
}

/// A started compiler: on Linux, leader of its own process group.
pub(super) struct RunningCompiler {
    child: Arc<Child>,
    cancel: Cancel,
}

impl RunningCompiler {
    pub(super) fn start(argv: &[String], paths: &Placeholders<'_>, pipes: Pipes, cancel: &Cancel) -> io::Result<Self> {
        let expression = compiler_expression(argv, paths, pipes);
        let handle = start_when_not_busy(&expression)?;
        // The expression holds our copies of the pipes' write ends; the
        // readers only see end-of-file once they are closed.
        drop(expression);
        let child = Arc::new(Child::adopt(handle));
        cancel.register(&child);
        Ok(RunningCompiler { child, cancel: cancel.clone() })
    }

    /// Checks for exit without reaping, so the group id stays reserved.
    pub(super) fn has_exited(&self) -> io::Result<bool> {
        self.child.has_exited()
    }

    /// Kills whatever is left of the process group, then reaps the compiler.
    /// Killing first is what keeps a grandchild from outliving the run, and
    /// is safe because an unreaped leader keeps its group id from reuse.
    pub(super) fn finish(self) -> io::Result<ExitStatus> {
        self.child.kill();
        self.cancel.unregister(&self.child);
        self.child.finish()
    }
}

pub(super) fn compiler_expression(argv: &[String], paths: &Placeholders<'_>, pipes: Pipes) -> duct::Expression {
    let program = resolve_program(&argv[0], paths.project_dir);
    let mut expression = duct::cmd(program, &argv[1..])
        .dir(paths.project_dir)
        .stdin_null()
        .stdout_file(pipes.stdout)
        .stderr_file(pipes.stderr)
        .unchecked()
        .before_spawn(|command| {
            platform::prepare(command);
            Ok(())
        });
    for entry in paths.entries() {
        expression = expression.env(entry.env_var, entry.value);
    }
    expression
}

/// `./tools/pbsc` means a file in the project, whatever our own working
/// directory is; a bare name is looked up on PATH.
pub(crate) fn resolve_program(program: &str, project_dir: &Utf8Path) -> String {
    let path = Utf8Path::new(program);
    if program.contains('/') && path.is_relative() { project_dir.join(path).into_string() } else { program.to_owned() }
}

pub(crate) fn start_when_not_busy(expression: &duct::Expression) -> io::Result<duct::Handle> {
    let mut attempt = 1;
    loop {
        match expression.start() {
            Err(error) if error.kind() == io::ErrorKind::ExecutableFileBusy && attempt < BUSY_RETRIES => {
                thread::sleep(BUSY_RETRY_DELAY * attempt);
                attempt += 1;
            }
            result => return result,
        }
    }
}
