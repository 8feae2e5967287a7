//! The child process and its process group.

use super::*;

/// The write ends of the compiler's stdout and stderr pipes.
pub(crate) struct Pipes {
    pub(crate) stdout: os_pipe::PipeWriter,
    pub(crate) stderr: os_pipe::PipeWriter,
}

/// A started compiler, leader of its own process group.
pub(super) struct RunningCompiler {
    handle: duct::Handle,
    group: i32,
    cancel: Cancel,
}

impl RunningCompiler {
    pub(super) fn start(argv: &[String], paths: &Placeholders<'_>, pipes: Pipes, cancel: &Cancel) -> io::Result<Self> {
        let expression = compiler_expression(argv, paths, pipes);
        let handle = start_when_not_busy(&expression)?;
        // The expression holds our copies of the pipes' write ends; the
        // readers only see end-of-file once they are closed.
        drop(expression);
        let group = handle.pids()[0] as i32;
        cancel.register_group(group);
        Ok(RunningCompiler { handle, group, cancel: cancel.clone() })
    }

    /// Checks for exit without reaping, so the group id stays reserved.
    pub(super) fn has_exited(&self) -> io::Result<bool> {
        has_exited_without_reaping(self.group)
    }

    /// Kills whatever is left of the process group, then reaps the compiler.
    /// Killing first is what keeps a grandchild from outliving the run, and
    /// is safe because an unreaped leader keeps its group id from reuse.
    pub(super) fn finish(self) -> io::Result<ExitStatus> {
        kill_group(self.group);
        // The group kill already reached it; this is only so that `wait`
        // below cannot block should the group ever not be what we think.
        let _ = self.handle.kill();
        self.cancel.unregister_group(self.group);
        self.handle.wait().map(|output| output.status)
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
            // Its own group, so one kill reaches everything it starts.
            command.process_group(0);
            die_with_parent(command);
            Ok(())
        });
    for entry in paths.entries() {
        expression = expression.env(entry.env_var, entry.value);
    }
    expression
}

/// If this tool is killed outright (no chance to kill the group), the kernel
/// sends the compiler SIGKILL, which it cannot ignore, instead of leaving it
/// running with no timeout. What the OS cannot do: the signal reaches only
/// the compiler itself, not the processes it started (they stay in its
/// process group, but nobody is left to kill the group), and it is tied to
/// the thread that started the compiler, which here is the run's own.
#[cfg(target_os = "linux")]
pub(crate) fn die_with_parent(command: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: runs in the child between fork and exec and only calls getpid,
    // prctl and getppid, which are async-signal-safe.
    let parent = unsafe { libc::getpid() };
    // SAFETY: as above.
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            // The parent may have died between fork and prctl: then no signal
            // will ever come, so do not start at all.
            if libc::getppid() != parent {
                return Err(std::io::Error::other("the tool ended while starting the compiler"));
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn die_with_parent(_: &mut std::process::Command) {}

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

pub(crate) fn has_exited_without_reaping(pid: i32) -> io::Result<bool> {
    // Zeroed because some systems leave it untouched when nothing exited.
    // SAFETY: an all-zero siginfo_t is a valid value for waitid to fill in.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    let flags = libc::WEXITED | libc::WNOWAIT | libc::WNOHANG;
    // SAFETY: `info` is a valid, writable siginfo_t.
    let result = unsafe { libc::waitid(libc::P_PID, pid as libc::id_t, &mut info, flags) };
    if result != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(info.si_signo == libc::SIGCHLD)
}

pub(crate) fn kill_group(group: i32) {
    // SAFETY: plain system call. An error only means the group is already gone.
    unsafe {
        libc::kill(-group, libc::SIGKILL);
    }
}
