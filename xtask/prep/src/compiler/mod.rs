//! Running the PBS compiler as a child process: no shell, its own process
//! group, output captured line by line, killed with everything it started on
//! timeout or cancel.
//!
//! The contract is `docs/reference/operations.md` (the build step) and
//! `docs/reference/project.md` (`[compiler]`). This module only runs the compiler and
//! judges its output file; staging and promotion belong to the build step.

use std::cell::Cell;
use std::io::{self, Read};
use std::process::ExitStatus;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use camino::Utf8Path;

use crate::cancel::Cancel;
use crate::platform::{self, Child};

mod lines;
mod process;

pub(crate) use lines::start_readers;
use lines::*;
use process::*;
pub(crate) use process::{Pipes, resolve_program, start_when_not_busy};

/// How often a running compiler is checked for exit, timeout and interrupt
/// while no output arrives.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// Once the compiler's process group is dead, every line still in the pipes
/// is delivered, however slow the host; we stop early only after this long
/// with no line at all, which means a process that left the group (a daemon)
/// holds the pipes open and must not make us hang.
const DRAIN_GRACE: Duration = Duration::from_secs(1);

/// Lines read ahead of the host (local). The readers block when it is
/// full, and so, through the pipe, does the compiler: memory stays bounded
/// however slowly the host takes the lines.
const LINES_AHEAD: usize = 1024;

/// The longest line kept, in bytes (local). The rest of a longer line is
/// dropped so a runaway compiler cannot make us grow without limit.
const MAX_LINE_BYTES: usize = 64 * 1024;

/// Appended to a line that was cut at `MAX_LINE_BYTES`.
const CUT_MARKER: &str = " [line cut at 64 KiB]";

/// Starting a program that is still open for writing somewhere fails with
/// "text file busy"; with scripts or binaries written just before (possibly
/// by a process forked concurrently) this clears up within milliseconds.
const BUSY_RETRIES: u32 = 5;
const BUSY_RETRY_DELAY: Duration = Duration::from_millis(20);

/// The three absolute paths a compiler is told about, both as argv
/// placeholders and as environment variables.
#[derive(Debug, Clone, Copy)]
pub struct Placeholders<'a> {
    /// The project directory; also the compiler's working directory.
    pub project_dir: &'a Utf8Path,
    /// Where the compiler must write the program (a file in a staging directory).
    pub output: &'a Utf8Path,
    /// The project's `build/` directory.
    pub build_dir: &'a Utf8Path,
}

/// One placeholder: its token in argv, its environment variable, its value.
struct Placeholder<'a> {
    token: &'static str,
    env_var: &'static str,
    value: &'a Utf8Path,
}

impl<'a> Placeholders<'a> {
    /// Each placeholder of `cartridge.toml` with its value for this run.
    fn entries(&self) -> [Placeholder<'a>; 3] {
        let [project, output, build_dir] = prometeu_manifest::PLACEHOLDERS;
        let entry =
            |p: prometeu_manifest::Placeholder, value| Placeholder { token: p.token, env_var: p.env_var, value };
        [entry(project, self.project_dir), entry(output, self.output), entry(build_dir, self.build_dir)]
    }
}

/// Everything needed to run the compiler once.
#[derive(Debug, Clone, Copy)]
pub struct CompilerRun<'a> {
    /// `[compiler].command` as written in `cartridge.toml`, placeholders unexpanded.
    pub argv: &'a [String],
    /// The values of `{project}`, `{output}` and `{build_dir}` (and their `PROMETEU_*` variables). All three
    /// must be absolute and the project directory must exist, otherwise the run ends `Internal` unstarted.
    pub paths: Placeholders<'a>,
    /// `[compiler].timeout_secs`.
    pub timeout: Duration,
    /// Once cancelled, the compiler and its process group are killed and
    /// the run is `Interrupted`.
    pub cancel: &'a Cancel,
}

/// Which of the compiler's output streams a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stream {
    /// Standard output; the build step logs these lines as `INFO`, prefixed `[stdout]` (local).
    Stdout,
    /// Standard error; the build step logs these lines as `WARN`, prefixed `[stderr]` (local), since
    /// compilers report diagnostics there.
    Stderr,
}

impl Stream {
    /// The stream's fixed lowercase name, `"stdout"` or `"stderr"`: the `[stdout]`/`[stderr]` prefix of
    /// a compiler line in the `build` log, and part of its reader thread's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

/// Why an exit status 0 still is not a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputProblem {
    /// Nothing exists at `{output}` (`$PROMETEU_OUTPUT`): the compiler wrote the program elsewhere or not
    /// at all, for instance because the command never passes `{output}` on.
    Missing,
    /// A regular file of 0 bytes is at `{output}`; a program must have content.
    Empty,
    /// A directory, a symlink or anything else we must not promote.
    NotAFile,
}

/// How a compiler run ended. Only `Success` means the file at `output` is
/// this run's program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Exited with status 0 and left a non-empty regular file (not a symlink) at `{output}`. The build
    /// step promotes it to `build/program.pbx`; the user sees the size in the `build` log and result.
    Success {
        /// The program's size in bytes, as found at `{output}` when the compiler exited.
        output_bytes: u64,
    },
    /// Exited with a non-zero status.
    Exited {
        /// The compiler's own exit status, never 0; the build fails with "exit status {code}".
        code: i32,
    },
    /// Killed by a signal it did not get from us.
    Signaled {
        /// The signal number as this system defines it; the build log names it, e.g.
        /// "signal 11 (SIGSEGV)" (see [`describe_signal`]).
        signal: i32,
    },
    /// Ran longer than the timeout; it and its process group were killed.
    TimedOut {
        /// The configured limit (`[compiler].timeout_secs`) that was exceeded, not a measured run time;
        /// the build log gives it in seconds.
        after: Duration,
    },
    /// The run was cancelled (Ctrl-C or SIGTERM in the command line, a host's `Cancel::cancel`): the
    /// compiler and its process group were killed, or it was never started.
    Interrupted,
    /// Exited 0 without writing a usable program.
    NoOutput {
        /// What was wrong at `{output}`; the build log names it and points at `{output}`/`$PROMETEU_OUTPUT`.
        problem: OutputProblem,
    },
    /// The program could not be started: a configuration problem.
    SpawnFailed {
        /// The program as written first in `[compiler].command` (placeholders unexpanded); empty when the
        /// command itself is empty.
        program: String,
        /// Why it could not start, e.g. "no such program on PATH", "<path> does not exist", "<path> is not
        /// executable"; the build log adds a hint to check `[compiler].command` in `cartridge.toml`.
        error: String,
    },
    /// Something on our side failed (pipes, waiting, inspecting the output).
    Internal {
        /// What failed, in one sentence; also covers a relative placeholder path or a missing project
        /// directory, refused before anything starts. The build log says "could not run the compiler: {error}".
        error: String,
    },
}

impl Outcome {
    /// Whether this is `Success`, i.e. the file at `{output}` is this run's program and may be promoted.
    /// Every other outcome fails the build step and leaves `build/program.pbx` unchanged.
    pub fn is_success(&self) -> bool {
        matches!(self, Outcome::Success { .. })
    }

    /// One sentence for the last line of the build log.
    pub fn describe(&self) -> String {
        match self {
            Outcome::Success { output_bytes } => {
                format!("the compiler succeeded and wrote a program of {output_bytes} bytes")
            }
            Outcome::Exited { code } => format!("the compiler failed with exit status {code}"),
            Outcome::Signaled { signal } => {
                format!("the compiler was killed by {}", describe_signal(*signal))
            }
            Outcome::TimedOut { after } => {
                format!("the compiler timed out after {} and was killed{}", describe_duration(*after), KILLED_WITH)
            }
            Outcome::Interrupted => format!("the build was interrupted; the compiler was killed{KILLED_WITH}"),
            Outcome::NoOutput { problem } => describe_output_problem(*problem),
            Outcome::SpawnFailed { program, error } => format!(
                "could not start the compiler `{program}`: {error}; check `[compiler].command` \
                 in cartridge.toml"
            ),
            Outcome::Internal { error } => format!("could not run the compiler: {error}"),
        }
    }
}

fn describe_output_problem(problem: OutputProblem) -> String {
    let what = match problem {
        OutputProblem::Missing => "did not write the program to the path it was given as `{output}` ($PROMETEU_OUTPUT)",
        OutputProblem::Empty => "wrote an empty program to the path it was given as `{output}` ($PROMETEU_OUTPUT)",
        OutputProblem::NotAFile => {
            "left something other than a regular file at the path it was given as `{output}` ($PROMETEU_OUTPUT)"
        }
    };
    format!("the compiler exited with status 0 but {what}")
}

/// What a kill of the compiler reached, completing "the compiler was killed".
const KILLED_WITH: &str = if platform::STOPS_PROCESS_TREE {
    " with every process it started"
} else {
    " (only the compiler itself: processes it started may still run)"
};

/// "1 second", "600 seconds", "1.5 seconds".
fn describe_duration(duration: Duration) -> String {
    let seconds = duration.as_secs_f64();
    if duration == Duration::from_secs(1) { "1 second".to_owned() } else { format!("{seconds} seconds") }
}

/// "signal 9 (SIGKILL)", or just "signal 42" for one we have no name for.
pub fn describe_signal(signal: i32) -> String {
    match signal_name(signal) {
        Some(name) => format!("signal {signal} ({name})"),
        None => format!("signal {signal}"),
    }
}

/// The conventional name of a signal number on this system, such as `"SIGKILL"`, or `None` for a
/// number without a name in our list (real-time signals, unknown numbers).
pub fn signal_name(signal: i32) -> Option<&'static str> {
    platform::SIGNAL_NAMES.iter().find(|(number, _)| *number == signal).map(|(_, name)| *name)
}

/// Replaces `{project}`, `{output}` and `{build_dir}` anywhere in `arg`, in a
/// single pass: a value that itself contains a token is not expanded again.
/// Other text in braces is kept as written.
pub fn substitute(arg: &str, values: &Placeholders<'_>) -> String {
    let entries = values.entries();
    let mut expanded = String::with_capacity(arg.len());
    let mut rest = arg;
    while let Some(brace) = rest.find('{') {
        expanded.push_str(&rest[..brace]);
        rest = &rest[brace..];
        match entries.iter().find(|entry| rest.starts_with(entry.token)) {
            Some(entry) => {
                expanded.push_str(entry.value.as_str());
                rest = &rest[entry.token.len()..];
            }
            None => {
                expanded.push('{');
                rest = &rest[1..];
            }
        }
    }
    expanded.push_str(rest);
    expanded
}

/// One line of compiler output.
pub(crate) type Line = (Stream, String);

/// What a reader thread sends: a line, or how many lines of its stream it
/// left out (sent once, before the stream's last lines).
pub(crate) enum Delivery {
    Line(Stream, String),
    LeftOut(Stream, u64),
}

impl Delivery {
    fn hand_to(self, on_output: &mut dyn FnMut(CompilerEvent<'_>)) {
        match self {
            Delivery::Line(stream, text) => on_output(CompilerEvent::Line(stream, &text)),
            Delivery::LeftOut(stream, lines) => on_output(CompilerEvent::LeftOut { stream, lines }),
        }
    }
}

/// What [`run_events`] hands the host, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompilerEvent<'a> {
    /// One output line.
    Line(Stream, &'a str),
    /// A stream printed more than [`COMPILER_OUTPUT_BUDGET`] keeps: this many of its lines, between the first
    /// and the last ones, were counted and dropped. Comes once, before the stream's last lines.
    LeftOut {
        /// The stream that printed them.
        stream: Stream,
        /// How many lines were left out.
        lines: u64,
    },
}

/// How much of each output stream a compiler run keeps (local).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineBudget {
    /// The first lines, streamed as they arrive.
    pub first_lines: u64,
    /// At most this many of the last lines, delivered when the stream ends…
    pub last_lines: usize,
    /// …and of those only what fits in this many bytes.
    pub last_bytes: usize,
}

/// The compiler's budget (local): the first 10 000 lines of each stream as
/// they come, then only a count, then the last 10 000 lines (within 1 MiB)
/// when the stream ends, where a failing compiler puts its error. A runaway
/// print of a GiB costs a count and a copy, not a log entry per line.
pub const COMPILER_OUTPUT_BUDGET: LineBudget =
    LineBudget { first_lines: 10_000, last_lines: 10_000, last_bytes: 1024 * 1024 };

/// Bytes read from a pipe at once.
const READ_BYTES: usize = 64 * 1024;

/// Runs the compiler to completion. `on_line` is called on this thread for
/// every output line it is handed, while the compiler still runs; lines of
/// one stream come in order. A stream's lines beyond
/// [`COMPILER_OUTPUT_BUDGET`] are left out (see [`run_events`], which also
/// says how many). Never panics on the compiler's behalf and never hangs
/// past the timeout (plus about a second to collect the last lines).
pub fn run(run: &CompilerRun<'_>, on_line: &mut dyn FnMut(Stream, &str)) -> Outcome {
    run_events(run, &mut |event| {
        if let CompilerEvent::Line(stream, text) = event {
            on_line(stream, text);
        }
    })
}

/// [`run`], with the count of lines left out handed to `on_output` too, in
/// its place between a stream's first and last lines.
pub fn run_events(run: &CompilerRun<'_>, on_output: &mut dyn FnMut(CompilerEvent<'_>)) -> Outcome {
    if let Err(error) = check_paths(&run.paths) {
        return Outcome::Internal { error };
    }
    let Some(program) = run.argv.first() else {
        return Outcome::SpawnFailed { program: String::new(), error: "the command is empty".to_owned() };
    };
    if run.cancel.is_cancelled() {
        return Outcome::Interrupted;
    }
    let argv: Vec<String> = run.argv.iter().map(|arg| substitute(arg, &run.paths)).collect();

    let (line_sender, lines) = mpsc::sync_channel(LINES_AHEAD);
    let (pipes, readers) = match start_readers(line_sender, Some(COMPILER_OUTPUT_BUDGET), Some) {
        Ok(started) => started,
        Err(error) => return Outcome::Internal { error },
    };
    let child = match RunningCompiler::start(&argv, &run.paths, pipes, run.cancel) {
        Ok(child) => child,
        Err(error) => {
            finish_readers(&lines, readers, None, on_output);
            return spawn_failed(program, &argv[0], &error);
        }
    };

    let ending = supervise(&child, run, &lines, on_output);
    let status = child.finish();
    // A daemon that keeps writing cannot hold us longer than the time limit.
    let give_up = Instant::now().checked_add(run.timeout);
    finish_readers(&lines, readers, give_up, on_output);
    judge(ending, status, run)
}

/// Relative paths would mean different things to us and to the compiler,
/// which runs in the project directory.
fn check_paths(paths: &Placeholders<'_>) -> Result<(), String> {
    for entry in paths.entries() {
        if !entry.value.is_absolute() {
            return Err(format!("{} must be an absolute path, not `{}`", entry.env_var, entry.value));
        }
    }
    if !paths.project_dir.is_dir() {
        return Err(format!("the project directory {} does not exist", paths.project_dir));
    }
    Ok(())
}

fn spawn_failed(written: &str, resolved: &str, error: &io::Error) -> Outcome {
    let reason = match error.kind() {
        io::ErrorKind::NotFound if resolved.contains('/') => format!("{resolved} does not exist"),
        io::ErrorKind::NotFound => "no such program on PATH".to_owned(),
        io::ErrorKind::PermissionDenied => format!("{resolved} is not executable"),
        _ => error.to_string(),
    };
    Outcome::SpawnFailed { program: written.to_owned(), error: reason }
}

/// Why supervision stopped.
enum Ending {
    Exited,
    TimedOut,
    Interrupted,
    WaitFailed(io::Error),
}

/// Delivers lines until the compiler exits, the deadline passes or an
/// interrupt is requested. The compiler is still unreaped when this returns,
/// so its process group id cannot have been reused yet.
fn supervise(
    child: &RunningCompiler,
    run: &CompilerRun<'_>,
    lines: &Receiver<Delivery>,
    on_output: &mut dyn FnMut(CompilerEvent<'_>),
) -> Ending {
    let deadline = Instant::now().checked_add(run.timeout);
    loop {
        match lines.recv_timeout(POLL_INTERVAL) {
            Ok(delivery) => delivery.hand_to(on_output),
            Err(RecvTimeoutError::Timeout) => {}
            // The compiler closed both streams but may still be running.
            Err(RecvTimeoutError::Disconnected) => thread::sleep(POLL_INTERVAL),
        }
        if run.cancel.is_cancelled() {
            return Ending::Interrupted;
        }
        match child.has_exited() {
            Ok(true) => return Ending::Exited,
            Ok(false) => {}
            Err(error) => return Ending::WaitFailed(error),
        }
        if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            return Ending::TimedOut;
        }
    }
}

fn judge(ending: Ending, status: io::Result<ExitStatus>, run: &CompilerRun<'_>) -> Outcome {
    match ending {
        Ending::Interrupted => Outcome::Interrupted,
        Ending::TimedOut => Outcome::TimedOut { after: run.timeout },
        Ending::WaitFailed(error) => Outcome::Internal { error: format!("cannot wait for the compiler: {error}") },
        Ending::Exited => match status {
            Ok(status) => judge_exit(status, run.paths.output),
            Err(error) => Outcome::Internal { error: format!("cannot read the compiler's exit status: {error}") },
        },
    }
}

fn judge_exit(status: ExitStatus, output: &Utf8Path) -> Outcome {
    if let Some(signal) = platform::exit_signal(&status) {
        return Outcome::Signaled { signal };
    }
    match status.code() {
        Some(0) => judge_output(output),
        Some(code) => Outcome::Exited { code },
        None => Outcome::Internal { error: format!("unexpected exit status {status}") },
    }
}

/// A symlink is refused: the program promoted must be a file the compiler
/// wrote, not a pointer to something elsewhere.
fn judge_output(output: &Utf8Path) -> Outcome {
    let metadata = match fs_err::symlink_metadata(output) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return Outcome::NoOutput { problem: OutputProblem::Missing };
        }
        Err(error) => {
            return Outcome::Internal { error: error.to_string() };
        }
    };
    if !metadata.file_type().is_file() {
        Outcome::NoOutput { problem: OutputProblem::NotAFile }
    } else if metadata.len() == 0 {
        Outcome::NoOutput { problem: OutputProblem::Empty }
    } else {
        Outcome::Success { output_bytes: metadata.len() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders() -> Placeholders<'static> {
        Placeholders {
            project_dir: Utf8Path::new("/games/my game"),
            output: Utf8Path::new("/games/my game/build/.staging/op/program.pbx"),
            build_dir: Utf8Path::new("/games/my game/build"),
        }
    }

    fn split(chunks: &[&[u8]]) -> Vec<String> {
        let mut lines = Vec::new();
        let mut splitter = LineSplitter::default();
        for chunk in chunks {
            splitter.push(chunk, &mut |line| lines.push(line));
        }
        splitter.finish(&mut |line| lines.push(line));
        lines
    }

    #[test]
    fn substitutes_every_placeholder_inside_arguments() {
        let values = placeholders();
        assert_eq!(substitute("{project}", &values), "/games/my game");
        assert_eq!(substitute("--out={output}", &values), "--out=/games/my game/build/.staging/op/program.pbx");
        assert_eq!(substitute("{build_dir}/x:{project}", &values), "/games/my game/build/x:/games/my game");
    }

    #[test]
    fn leaves_other_braces_alone() {
        let values = placeholders();
        for arg in ["{", "}", "{}", "{unknown}", "{{project}", "{PROJECT}", "a{b", "$HOME;x"] {
            let expected = arg.replace("{project}", "/games/my game");
            assert_eq!(substitute(arg, &values), expected, "argument {arg:?}");
        }
    }

    #[test]
    fn does_not_expand_a_value_twice() {
        let values = Placeholders { project_dir: Utf8Path::new("/tmp/{output}"), ..placeholders() };
        assert_eq!(substitute("{project}", &values), "/tmp/{output}");
    }

    #[test]
    fn splits_lines_across_chunks() {
        let lines = split(&[b"one\ntw", b"o\r\n", b"\nthree"]);
        assert_eq!(lines, ["one", "two", "", "three"]);
    }

    #[test]
    fn a_stream_ending_with_a_newline_has_no_extra_line() {
        assert_eq!(split(&[b"a\n", b"b\n"]), ["a", "b"]);
        assert!(split(&[]).is_empty());
    }

    #[test]
    fn replaces_invalid_utf8() {
        assert_eq!(split(&[b"bad \xff byte\n"]), ["bad \u{fffd} byte"]);
    }

    #[test]
    fn cuts_an_absurdly_long_line_and_keeps_the_next() {
        let long = vec![b'x'; MAX_LINE_BYTES * 3];
        let lines = split(&[&long, b"\nnext\n"]);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].len(), MAX_LINE_BYTES + CUT_MARKER.len());
        assert!(lines[0].ends_with(CUT_MARKER));
        assert_eq!(lines[1], "next");
    }

    #[test]
    fn a_line_of_exactly_the_limit_is_not_cut() {
        let exact = vec![b'x'; MAX_LINE_BYTES];
        let lines = split(&[&exact, b"\n"]);
        assert_eq!(lines, [String::from_utf8(exact).unwrap()]);
    }

    #[test]
    fn a_cut_does_not_split_a_character() {
        let mut long = vec![b'x'; MAX_LINE_BYTES - 1];
        long.extend_from_slice("é and more".as_bytes());
        let lines = split(&[&long]);
        assert_eq!(lines[0], "x".repeat(MAX_LINE_BYTES - 1) + CUT_MARKER);
    }

    #[test]
    fn describes_outcomes_in_one_sentence() {
        let cases = [
            (Outcome::Exited { code: 2 }, "exit status 2"),
            (Outcome::Signaled { signal: 9 }, "signal 9 (SIGKILL)"),
            (Outcome::Signaled { signal: 11 }, "signal 11 (SIGSEGV)"),
            (Outcome::TimedOut { after: Duration::from_secs(600) }, "timed out after 600 seconds"),
            (Outcome::TimedOut { after: Duration::from_secs(1) }, "timed out after 1 second "),
            (Outcome::TimedOut { after: Duration::from_millis(1500) }, "after 1.5 seconds"),
            (Outcome::Interrupted, "interrupted"),
            (Outcome::NoOutput { problem: OutputProblem::Missing }, "did not write the program"),
            (Outcome::NoOutput { problem: OutputProblem::Empty }, "empty program"),
            (
                Outcome::SpawnFailed { program: "pbsc".into(), error: "no such program on PATH".into() },
                "`pbsc`: no such program on PATH; check `[compiler].command` in cartridge.toml",
            ),
        ];
        for (outcome, expected) in cases {
            let sentence = outcome.describe();
            assert!(sentence.contains(expected), "{sentence:?} lacks {expected:?}");
            assert!(!outcome.is_success());
        }
        assert!(Outcome::Success { output_bytes: 3 }.is_success());
    }

    #[test]
    fn names_signals_it_knows() {
        assert_eq!(describe_signal(15), "signal 15 (SIGTERM)");
        assert_eq!(describe_signal(1000), "signal 1000");
    }

    #[test]
    fn relative_program_paths_are_inside_the_project() {
        let project = Utf8Path::new("/games/g");
        assert_eq!(resolve_program("./tools/pbsc", project), "/games/g/./tools/pbsc");
        assert_eq!(resolve_program("tools/pbsc", project), "/games/g/tools/pbsc");
        assert_eq!(resolve_program("pbsc", project), "pbsc");
        assert_eq!(resolve_program("/usr/bin/pbsc", project), "/usr/bin/pbsc");
    }

    #[test]
    fn an_interrupt_before_the_start_spawns_nothing() {
        let cancel = Cancel::new();
        cancel.cancel();
        let argv = ["/nonexistent/compiler".to_owned()];
        let run = CompilerRun {
            argv: &argv,
            paths: Placeholders { project_dir: Utf8Path::new("/"), ..placeholders() },
            timeout: Duration::from_secs(5),
            cancel: &cancel,
        };
        assert_eq!(super::run(&run, &mut |_, _| {}), Outcome::Interrupted);
    }
}
