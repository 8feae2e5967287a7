//! Everything the preparation asks of the operating system beyond std:
//! process groups, killing a child with everything it started, checking for
//! exit without reaping, a supervisor that outlives the tool, signal
//! numbers. Nothing else in this crate names `std::os::unix` or `libc`.
//!
//! Two implementations of each entry: the Linux one (process groups), and a
//! std-only one that every other system builds, also selected on Linux by
//! the `portable` feature so it is compiled and tested here. The std-only
//! one stops the direct child only: what it gives up is listed in
//! `docs/reference/operations.md` ("Platforms").

use std::io;
use std::process::ExitStatus;

/// Whether stopping a child reaches everything it started (its process
/// group) and whether it dies with the tool however the tool ends. `false`
/// in the std-only build, which stops the direct child only.
pub const STOPS_PROCESS_TREE: bool = cfg!(all(target_os = "linux", not(feature = "portable")));

/// A started child (the compiler, the runtime) and what stopping it reaches.
pub(crate) struct Child {
    handle: duct::Handle,
    #[cfg(all(target_os = "linux", not(feature = "portable")))]
    tree: linux::Tree,
}

impl std::fmt::Debug for Child {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Child").field("id", &self.id()).finish()
    }
}

impl Child {
    /// Takes over a child started with [`prepare`] applied.
    pub(crate) fn adopt(handle: duct::Handle) -> Child {
        #[cfg(all(target_os = "linux", not(feature = "portable")))]
        let tree = linux::Tree::new(handle.pids()[0] as i32);
        Child {
            handle,
            #[cfg(all(target_os = "linux", not(feature = "portable")))]
            tree,
        }
    }

    /// The child's process id.
    pub(crate) fn id(&self) -> u32 {
        self.handle.pids()[0]
    }

    /// Kills the child and, where the system allows, everything it started.
    /// Safe from any thread, any number of times, before `finish`.
    pub(crate) fn kill(&self) {
        #[cfg(all(target_os = "linux", not(feature = "portable")))]
        self.tree.kill();
        #[cfg(any(not(target_os = "linux"), feature = "portable"))]
        let _ = self.handle.kill();
    }

    /// Whether the child has exited. On Linux it is not reaped, so its
    /// process group id stays reserved until `finish`.
    pub(crate) fn has_exited(&self) -> io::Result<bool> {
        #[cfg(all(target_os = "linux", not(feature = "portable")))]
        return self.tree.leader_exited();
        #[cfg(any(not(target_os = "linux"), feature = "portable"))]
        return self.handle.try_wait().map(|output| output.is_some());
    }

    /// Kills whatever is left, then reaps the child: its exit status.
    pub(crate) fn finish(&self) -> io::Result<ExitStatus> {
        self.kill();
        // The group kill already reached it; this is only so that `wait`
        // below cannot block should the group ever not be what we think.
        let _ = self.handle.kill();
        let status = self.handle.wait().map(|output| output.status);
        #[cfg(all(target_os = "linux", not(feature = "portable")))]
        self.tree.reap_supervisor();
        status
    }
}

/// Sets up a child before it starts: on Linux, leader of its own process
/// group (so one kill reaches everything it starts) and killed by the
/// kernel should the tool die. Nothing in the std-only build.
pub(crate) fn prepare(command: &mut std::process::Command) {
    #[cfg(all(target_os = "linux", not(feature = "portable")))]
    linux::prepare(command);
    #[cfg(any(not(target_os = "linux"), feature = "portable"))]
    let _ = command;
}

/// The signal that ended a child, if a signal did. The std-only build
/// cannot tell (std has no portable notion of signals): `None`.
pub(crate) fn exit_signal(status: &ExitStatus) -> Option<i32> {
    #[cfg(all(target_os = "linux", not(feature = "portable")))]
    return std::os::unix::process::ExitStatusExt::signal(status);
    #[cfg(any(not(target_os = "linux"), feature = "portable"))]
    return {
        let _ = status;
        None
    };
}

/// Signal numbers and their names. On Linux from `libc`; the std-only build
/// knows the numbers that are the same on Linux, macOS and the BSDs.
#[cfg(all(target_os = "linux", not(feature = "portable")))]
pub(crate) const SIGNAL_NAMES: &[(i32, &str)] = linux::SIGNAL_NAMES;
#[cfg(any(not(target_os = "linux"), feature = "portable"))]
pub(crate) const SIGNAL_NAMES: &[(i32, &str)] = &[
    (1, "SIGHUP"),
    (2, "SIGINT"),
    (3, "SIGQUIT"),
    (4, "SIGILL"),
    (6, "SIGABRT"),
    (8, "SIGFPE"),
    (9, "SIGKILL"),
    (11, "SIGSEGV"),
    (13, "SIGPIPE"),
    (14, "SIGALRM"),
    (15, "SIGTERM"),
];

#[cfg(all(target_os = "linux", not(feature = "portable")))]
mod linux {
    use std::io;
    use std::os::unix::process::CommandExt;
    use std::process::Stdio;
    use std::sync::Mutex;

    /// The supervisor: reads its standard input, a pipe whose only write
    /// end this process holds, and kills its own process group (which it
    /// joined: the child's) when the pipe reaches end-of-file, that is when
    /// this process has ended, however it ended. Polite signals are ignored
    /// so that a compiler signalling its own group does not end it first.
    const SUPERVISOR: &str = "trap '' HUP INT QUIT TERM; read -r line; kill -s KILL 0";

    /// The child's process group and the supervisor that kills it should
    /// this process die without killing it.
    pub(super) struct Tree {
        group: i32,
        /// The supervisor and our end of its pipe; taken when reaped.
        supervisor: Mutex<Option<(std::process::Child, os_pipe::PipeWriter)>>,
    }

    impl Tree {
        pub(super) fn new(group: i32) -> Tree {
            Tree { group, supervisor: Mutex::new(start_supervisor(group)) }
        }

        pub(super) fn kill(&self) {
            // SAFETY: plain system call. An error only means the group is already gone.
            unsafe {
                libc::kill(-self.group, libc::SIGKILL);
            }
        }

        pub(super) fn leader_exited(&self) -> io::Result<bool> {
            // Zeroed because some systems leave it untouched when nothing exited.
            // SAFETY: an all-zero siginfo_t is a valid value for waitid to fill in.
            let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
            let flags = libc::WEXITED | libc::WNOWAIT | libc::WNOHANG;
            // SAFETY: `info` is a valid, writable siginfo_t.
            let result = unsafe { libc::waitid(libc::P_PID, self.group as libc::id_t, &mut info, flags) };
            if result != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(info.si_signo == libc::SIGCHLD)
        }

        /// After the group kill: the supervisor was in the group, so it is
        /// dead or dying; reap it, then close its pipe.
        pub(super) fn reap_supervisor(&self) {
            let taken = self.supervisor.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
            if let Some((mut supervisor, pipe)) = taken {
                let _ = supervisor.wait();
                drop(pipe);
            }
        }
    }

    /// Starts the supervisor in `group`. A member keeps the group's id from
    /// reuse, so its kill can never reach an unrelated group, even after
    /// the leader has exited and been reaped by someone else. `None` if it
    /// cannot start: the parent-death signal still covers the direct child.
    fn start_supervisor(group: i32) -> Option<(std::process::Child, os_pipe::PipeWriter)> {
        // Both ends are close-on-exec: only the supervisor's stdin and our
        // write end exist once it has started.
        let (reader, writer) = os_pipe::pipe().ok()?;
        let supervisor = std::process::Command::new("/bin/sh")
            .args(["-c", SUPERVISOR])
            .stdin(reader)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(group)
            .spawn()
            .ok()?;
        Some((supervisor, writer))
    }

    pub(super) fn prepare(command: &mut std::process::Command) {
        // Its own group, so one kill reaches everything it starts.
        command.process_group(0);
        die_with_parent(command);
    }

    /// If this tool is killed outright, the kernel sends the child SIGKILL,
    /// which it cannot ignore. The supervisor does the same for the whole
    /// group; this covers the moment before the supervisor has started. It
    /// is tied to the thread that started the child, which is the run's own
    /// and lives as long as the child.
    fn die_with_parent(command: &mut std::process::Command) {
        // SAFETY: runs in the child between fork and exec and only calls getpid,
        // prctl and getppid, which are async-signal-safe.
        let parent = unsafe { libc::getpid() };
        // SAFETY: as above.
        unsafe {
            command.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                    return Err(io::Error::last_os_error());
                }
                // The parent may have died between fork and prctl: then no signal
                // will ever come, so do not start at all.
                if libc::getppid() != parent {
                    return Err(io::Error::other("the tool ended while starting the child"));
                }
                Ok(())
            });
        }
    }

    /// The numbers differ between Unix systems, so they come from `libc`.
    pub(super) const SIGNAL_NAMES: &[(i32, &str)] = &[
        (libc::SIGHUP, "SIGHUP"),
        (libc::SIGINT, "SIGINT"),
        (libc::SIGQUIT, "SIGQUIT"),
        (libc::SIGILL, "SIGILL"),
        (libc::SIGTRAP, "SIGTRAP"),
        (libc::SIGABRT, "SIGABRT"),
        (libc::SIGBUS, "SIGBUS"),
        (libc::SIGFPE, "SIGFPE"),
        (libc::SIGKILL, "SIGKILL"),
        (libc::SIGUSR1, "SIGUSR1"),
        (libc::SIGSEGV, "SIGSEGV"),
        (libc::SIGUSR2, "SIGUSR2"),
        (libc::SIGPIPE, "SIGPIPE"),
        (libc::SIGALRM, "SIGALRM"),
        (libc::SIGTERM, "SIGTERM"),
        (libc::SIGCHLD, "SIGCHLD"),
        (libc::SIGCONT, "SIGCONT"),
        (libc::SIGSTOP, "SIGSTOP"),
        (libc::SIGTSTP, "SIGTSTP"),
        (libc::SIGTTIN, "SIGTTIN"),
        (libc::SIGTTOU, "SIGTTOU"),
        (libc::SIGURG, "SIGURG"),
        (libc::SIGXCPU, "SIGXCPU"),
        (libc::SIGXFSZ, "SIGXFSZ"),
        (libc::SIGVTALRM, "SIGVTALRM"),
        (libc::SIGPROF, "SIGPROF"),
        (libc::SIGWINCH, "SIGWINCH"),
        (libc::SIGIO, "SIGIO"),
        (libc::SIGSYS, "SIGSYS"),
    ];
}
