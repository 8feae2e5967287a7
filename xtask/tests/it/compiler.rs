//! The compiler runner against real child processes: small `#!/bin/sh`
//! compilers written into a temporary project.

use std::os::unix::fs::PermissionsExt;
use std::thread;
use std::time::{Duration, Instant};

use camino::{Utf8Path, Utf8PathBuf};
use prometeu_play_prep::{
    Cancel, CompilerOutcome as Outcome, CompilerRun, OutputProblem, Placeholders, Stream, run_compiler,
};

const GENEROUS_TIMEOUT: Duration = Duration::from_secs(30);

/// Environment variable that turns `child_process_interrupted_by_a_signal`
/// into the interrupted process of `interrupt_signals_kill_the_compiler`.
const CHILD_MODE_VAR: &str = "PROMETEU_COMPILER_TEST_CHILD_PROJECT";
#[cfg(not(feature = "portable"))]
const CHILD_MODE_TEST: &str = "compiler::child_process_interrupted_by_a_signal";

/// A throwaway project: `<tmp>/game` with `build/` and a staging directory.
struct Project {
    /// Deleted on drop; `None` when the directory belongs to another process.
    _tmp: Option<tempfile::TempDir>,
    root: Utf8PathBuf,
    build: Utf8PathBuf,
    output: Utf8PathBuf,
}

impl Project {
    fn new() -> Project {
        let tmp = tempfile::tempdir().unwrap();
        let base = Utf8PathBuf::try_from(tmp.path().canonicalize().unwrap()).unwrap();
        Project::at(Some(tmp), base.join("game"))
    }

    fn at(tmp: Option<tempfile::TempDir>, root: Utf8PathBuf) -> Project {
        let build = root.join("build");
        let staging = build.join(".staging/test-op");
        fs_err::create_dir_all(&staging).unwrap();
        Project { _tmp: tmp, output: staging.join("program.pbx"), root, build }
    }

    fn paths(&self) -> Placeholders<'_> {
        Placeholders { project_dir: &self.root, output: &self.output, build_dir: &self.build }
    }

    /// Writes an executable shell script into the project; returns its path.
    fn script(&self, name: &str, body: &str) -> String {
        let path = self.root.join(name);
        fs_err::write(&path, format!("#!/bin/sh\n{body}")).unwrap();
        fs_err::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path.into_string()
    }

    fn file(&self, name: &str) -> Utf8PathBuf {
        self.root.join(name)
    }

    /// Reads a pid a script wrote, waiting a little for it to appear.
    fn pid_from(&self, name: &str) -> i32 {
        let path = self.file(name);
        let found =
            wait_for(Duration::from_secs(10), || fs_err::read_to_string(&path).is_ok_and(|text| text.ends_with('\n')));
        assert!(found, "{path} was never written");
        fs_err::read_to_string(&path).unwrap().trim().parse().unwrap()
    }
}

/// Everything a run reported.
struct Ran {
    outcome: Outcome,
    lines: Vec<(Stream, String)>,
    elapsed: Duration,
}

impl Ran {
    fn of(&self, stream: Stream) -> Vec<&str> {
        self.lines.iter().filter(|(from, _)| *from == stream).map(|(_, text)| text.as_str()).collect()
    }
}

fn argv(args: &[&str]) -> Vec<String> {
    args.iter().map(|arg| arg.to_string()).collect()
}

/// Runs with a private cancel token, so no test can disturb another.
fn run_with(project: &Project, argv: &[String], timeout: Duration, mut on_line: impl FnMut(Stream, &str)) -> Ran {
    let never = Cancel::new();
    let run = CompilerRun { argv, paths: project.paths(), timeout, cancel: &never };
    let mut lines = Vec::new();
    let started = Instant::now();
    let outcome = run_compiler(&run, &mut |stream, text| {
        on_line(stream, text);
        lines.push((stream, text.to_owned()));
    });
    Ran { outcome, lines, elapsed: started.elapsed() }
}

fn run_script(project: &Project, body: &str) -> Ran {
    let script = project.script("compiler.sh", body);
    run_with(project, &argv(&[&script]), GENEROUS_TIMEOUT, |_, _| {})
}

fn wait_for(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let give_up = Instant::now() + limit;
    while Instant::now() < give_up {
        if condition() {
            return true;
        }
        thread::sleep(Duration::from_millis(20));
    }
    condition()
}

/// Gone, or a zombie waiting for init to reap it: either way it runs no more.
fn is_dead(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    if unsafe { libc::kill(pid, 0) } == -1 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH) {
        return true;
    }
    match fs_err::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat.rsplit_once(')').is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

fn assert_dies(pid: i32, what: &str) {
    assert!(wait_for(Duration::from_secs(3), || is_dead(pid)), "{what} (pid {pid}) is still running");
}

// ---------------------------------------------------------------------------
// Success and streaming
// ---------------------------------------------------------------------------

#[test]
fn success_streams_both_streams_line_by_line() {
    let project = Project::new();
    let ran = run_script(
        &project,
        r#"
echo out-1
echo err-1 >&2
sleep 0.05
echo out-2
echo err-2 >&2
sleep 0.05
printf 'out-3 no newline'
printf 'program' > "$PROMETEU_OUTPUT"
"#,
    );
    assert_eq!(ran.outcome, Outcome::Success { output_bytes: 7 });
    assert_eq!(ran.of(Stream::Stdout), ["out-1", "out-2", "out-3 no newline"]);
    assert_eq!(ran.of(Stream::Stderr), ["err-1", "err-2"]);
    assert_eq!(fs_err::read_to_string(&project.output).unwrap(), "program");
}

#[test]
fn the_first_line_arrives_while_the_compiler_still_runs() {
    let project = Project::new();
    // The compiler only finishes once the callback has seen its first line.
    let script = project.script(
        "compiler.sh",
        r#"
echo waiting for the go file
i=0
while [ ! -e go ]; do
  i=$((i + 1))
  [ "$i" -gt 250 ] && { echo "never got the go file" >&2; exit 3; }
  sleep 0.02
done
echo got it
printf 'x' > "$PROMETEU_OUTPUT"
"#,
    );
    let go = project.file("go");
    let mut first_line_at = None;
    let ran = run_with(&project, &argv(&[&script]), GENEROUS_TIMEOUT, |_, text| {
        if text == "waiting for the go file" {
            first_line_at = Some(Instant::now());
            fs_err::write(&go, "").unwrap();
        }
    });
    assert_eq!(ran.outcome, Outcome::Success { output_bytes: 1 }, "{:?}", ran.lines);
    assert!(first_line_at.is_some());
    assert_eq!(ran.of(Stream::Stdout), ["waiting for the go file", "got it"]);
}

#[test]
fn the_output_placeholder_in_argv_works_too() {
    let project = Project::new();
    let script = project.script("compiler.sh", "printf 'abc' > \"${1#--out=}\"\n");
    let ran = run_with(&project, &argv(&[&script, "--out={output}"]), GENEROUS_TIMEOUT, |_, _| {});
    assert_eq!(ran.outcome, Outcome::Success { output_bytes: 3 });
}

#[test]
fn lines_are_cleaned_up_and_bounded() {
    let project = Project::new();
    let ran = run_script(
        &project,
        r#"
printf 'crlf\r\n'
printf 'bad \377 byte\n'
printf '\n'
head -c 200000 /dev/zero | tr '\0' x
printf '\nafter the long line\n'
printf 'x' > "$PROMETEU_OUTPUT"
"#,
    );
    assert!(ran.outcome.is_success(), "{:?}", ran.outcome);
    let stdout = ran.of(Stream::Stdout);
    assert_eq!(stdout.len(), 5, "{:?}", stdout.iter().map(|l| l.len()).collect::<Vec<_>>());
    assert_eq!(stdout[..3], ["crlf", "bad \u{fffd} byte", ""]);
    assert!(stdout[3].len() < 70 * 1024 && stdout[3].starts_with("xxxx"));
    assert!(stdout[3].contains("cut"));
    assert_eq!(stdout[4], "after the long line");
}

// ---------------------------------------------------------------------------
// The child's environment
// ---------------------------------------------------------------------------

#[test]
fn runs_in_the_project_with_stdin_closed() {
    let project = Project::new();
    let ran = run_script(
        &project,
        r#"
echo "cwd:$(pwd -P)"
echo "stdin-is:$(readlink /proc/$$/fd/0)"
if read line; then echo "stdin:$line"; else echo "stdin:eof"; fi
printf 'x' > "$PROMETEU_OUTPUT"
"#,
    );
    assert!(ran.outcome.is_success(), "{:?}", ran.outcome);
    assert_eq!(ran.of(Stream::Stdout), [format!("cwd:{}", project.root).as_str(), "stdin-is:/dev/null", "stdin:eof"]);
}

#[test]
fn placeholders_and_environment_reach_the_compiler_and_nothing_is_shell_expanded() {
    let project = Project::new();
    let script = project.script(
        "compiler.sh",
        r#"
echo "env-project:$PROMETEU_PROJECT_DIR"
echo "env-output:$PROMETEU_OUTPUT"
echo "env-build:$PROMETEU_BUILD_DIR"
for arg in "$@"; do echo "arg:$arg"; done
printf 'x' > "$PROMETEU_OUTPUT"
"#,
    );
    let ran = run_with(
        &project,
        &argv(&[
            "{project}/compiler.sh",
            "{project}",
            "--out={output}",
            "{build_dir}/cache:{project}",
            "with space",
            "$HOME",
            "a;b",
            "`id` $(id) *",
            "{unknown}",
            "",
        ]),
        GENEROUS_TIMEOUT,
        |_, _| {},
    );
    assert!(ran.outcome.is_success(), "{:?} {:?}", ran.outcome, ran.lines);
    let expected = [
        format!("env-project:{}", project.root),
        format!("env-output:{}", project.output),
        format!("env-build:{}", project.build),
        format!("arg:{}", project.root),
        format!("arg:--out={}", project.output),
        format!("arg:{}/cache:{}", project.build, project.root),
        "arg:with space".to_owned(),
        "arg:$HOME".to_owned(),
        "arg:a;b".to_owned(),
        "arg:`id` $(id) *".to_owned(),
        "arg:{unknown}".to_owned(),
        "arg:".to_owned(),
    ];
    assert_eq!(ran.of(Stream::Stdout), expected);
    assert_eq!(script, format!("{}/compiler.sh", project.root));
}

#[test]
fn a_relative_program_path_is_relative_to_the_project() {
    let project = Project::new();
    fs_err::create_dir_all(project.file("tools")).unwrap();
    project.script("tools/pbsc", "printf 'x' > \"$PROMETEU_OUTPUT\"\n");
    let ran = run_with(&project, &argv(&["./tools/pbsc"]), GENEROUS_TIMEOUT, |_, _| {});
    assert!(ran.outcome.is_success(), "{:?}", ran.outcome);
}

// ---------------------------------------------------------------------------
// Failures
// ---------------------------------------------------------------------------

#[test]
fn a_non_zero_exit_is_a_failure_with_its_output() {
    let project = Project::new();
    let ran = run_script(&project, "echo 'compiling main.pbs'\necho 'error: main.pbs:3: unknown name' >&2\nexit 3\n");
    assert_eq!(ran.outcome, Outcome::Exited { code: 3 });
    assert!(ran.outcome.describe().contains("exit status 3"));
    assert_eq!(ran.of(Stream::Stdout), ["compiling main.pbs"]);
    assert_eq!(ran.of(Stream::Stderr), ["error: main.pbs:3: unknown name"]);
}

#[test]
fn exit_1_is_a_failure() {
    let project = Project::new();
    let ran = run_script(&project, "echo 'it broke' >&2\nprintf 'x' > \"$PROMETEU_OUTPUT\"\nexit 1\n");
    assert_eq!(ran.outcome, Outcome::Exited { code: 1 });
    assert_eq!(ran.of(Stream::Stderr), ["it broke"]);
}

// Needs the exit signal, which std cannot tell: absent from the std-only build.
#[cfg(not(feature = "portable"))]
#[test]
fn death_by_signal_names_the_signal() {
    let project = Project::new();
    for (signal, name) in [("KILL", "signal 9 (SIGKILL)"), ("TERM", "signal 15 (SIGTERM)")] {
        let ran = run_script(&project, &format!("echo before\nkill -{signal} $$\necho after\n"));
        assert_eq!(ran.outcome.describe(), format!("the compiler was killed by {name}"));
        assert_eq!(ran.of(Stream::Stdout), ["before"]);
    }
    let ran = run_script(&project, "kill -9 $$\n");
    assert_eq!(ran.outcome, Outcome::Signaled { signal: 9 });
}

#[test]
fn exit_0_without_a_program_is_a_failure() {
    let project = Project::new();
    let ran = run_script(&project, "echo done\n");
    assert_eq!(ran.outcome, Outcome::NoOutput { problem: OutputProblem::Missing });
    assert!(ran.outcome.describe().contains("status 0"));

    let ran = run_script(&project, ": > \"$PROMETEU_OUTPUT\"\n");
    assert_eq!(ran.outcome, Outcome::NoOutput { problem: OutputProblem::Empty });

    fs_err::remove_file(&project.output).unwrap();
    let ran = run_script(&project, "mkdir \"$PROMETEU_OUTPUT\"\n");
    assert_eq!(ran.outcome, Outcome::NoOutput { problem: OutputProblem::NotAFile });
}

#[test]
fn a_missing_program_cannot_be_started() {
    let project = Project::new();
    let ran = run_with(&project, &argv(&["prometeu-no-such-compiler", "build"]), GENEROUS_TIMEOUT, |_, _| {});
    let Outcome::SpawnFailed { program, error } = &ran.outcome else {
        panic!("{:?}", ran.outcome);
    };
    assert_eq!(program, "prometeu-no-such-compiler");
    assert!(error.contains("PATH"), "{error}");
    let sentence = ran.outcome.describe();
    assert!(sentence.contains("prometeu-no-such-compiler"), "{sentence}");
    assert!(sentence.contains("[compiler].command") && sentence.contains("cartridge.toml"));

    let ran = run_with(&project, &argv(&["./bin/pbsc"]), GENEROUS_TIMEOUT, |_, _| {});
    assert!(matches!(&ran.outcome, Outcome::SpawnFailed { error, .. } if error.contains("does not exist")));
}

#[test]
fn a_program_that_is_not_executable_cannot_be_started() {
    let project = Project::new();
    let script = project.script("compiler.sh", "exit 0\n");
    fs_err::set_permissions(&script, std::fs::Permissions::from_mode(0o644)).unwrap();
    let ran = run_with(&project, &argv(&[&script]), GENEROUS_TIMEOUT, |_, _| {});
    assert!(
        matches!(&ran.outcome, Outcome::SpawnFailed { error, .. } if error.contains("not executable")),
        "{:?}",
        ran.outcome
    );
}

#[test]
fn an_empty_command_cannot_be_started() {
    let project = Project::new();
    let ran = run_with(&project, &[], GENEROUS_TIMEOUT, |_, _| {});
    assert!(matches!(ran.outcome, Outcome::SpawnFailed { .. }), "{:?}", ran.outcome);
}

// ---------------------------------------------------------------------------
// Nothing survives
// ---------------------------------------------------------------------------

// Needs process groups (a grandchild is killed too): absent from the
// std-only build (`--features portable`), which kills the direct child only.
#[cfg(not(feature = "portable"))]
#[test]
fn a_timeout_kills_the_compiler_and_its_children() {
    let project = Project::new();
    let script = project.script(
        "compiler.sh",
        r#"
echo $$ > compiler.pid
sleep 1000 &
echo $! > grandchild.pid
echo started
wait
"#,
    );
    let ran = run_with(&project, &argv(&[&script]), Duration::from_secs(1), |_, _| {});
    assert_eq!(ran.outcome, Outcome::TimedOut { after: Duration::from_secs(1) });
    assert!(ran.outcome.describe().contains("timed out after 1 second"));
    assert!(ran.elapsed < Duration::from_secs(4), "took {:?}", ran.elapsed);
    assert_eq!(ran.of(Stream::Stdout), ["started"]);
    assert_dies(project.pid_from("compiler.pid"), "the compiler");
    assert_dies(project.pid_from("grandchild.pid"), "the compiler's child");
}

/// What the std-only build guarantees instead: the compiler itself is
/// killed on timeout and on cancel, and a child holding its output cannot
/// keep the run waiting.
#[cfg(feature = "portable")]
#[test]
fn the_std_only_build_kills_the_compiler_itself_on_timeout_and_cancel() {
    const { assert!(!prometeu_play_prep::STOPS_PROCESS_TREE) };
    let project = Project::new();
    let body = "echo $$ > compiler.pid\nsleep 1000 &\necho $! > grandchild.pid\necho started\nwait\n";
    let script = project.script("compiler.sh", body);
    let ran = run_with(&project, &argv(&[&script]), Duration::from_secs(1), |_, _| {});
    assert_eq!(ran.outcome, Outcome::TimedOut { after: Duration::from_secs(1) });
    assert!(ran.elapsed < Duration::from_secs(4), "took {:?}", ran.elapsed);
    assert_dies(project.pid_from("compiler.pid"), "the compiler");
    let leftover = project.pid_from("grandchild.pid");

    let cancel = Cancel::new();
    let run =
        CompilerRun { argv: &argv(&[&script]), paths: project.paths(), timeout: GENEROUS_TIMEOUT, cancel: &cancel };
    let outcome = run_compiler(&run, &mut |_, text| {
        if text == "started" {
            cancel.cancel();
        }
    });
    assert_eq!(outcome, Outcome::Interrupted);
    assert_dies(project.pid_from("compiler.pid"), "the compiler");
    for pid in [leftover, project.pid_from("grandchild.pid")] {
        // SAFETY: this test's own leftovers, which the std-only build does not reach.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
}

// Needs process groups (a grandchild is killed too): absent from the
// std-only build (`--features portable`), which kills the direct child only.
#[cfg(not(feature = "portable"))]
#[test]
fn a_child_left_holding_stdout_does_not_keep_us_waiting() {
    let project = Project::new();
    let ran = run_script(
        &project,
        r#"
sleep 1000 &
echo $! > grandchild.pid
echo finished
printf 'x' > "$PROMETEU_OUTPUT"
exit 0
"#,
    );
    assert_eq!(ran.outcome, Outcome::Success { output_bytes: 1 });
    assert!(ran.elapsed < Duration::from_secs(3), "took {:?}", ran.elapsed);
    assert_eq!(ran.of(Stream::Stdout), ["finished"]);
    assert_dies(project.pid_from("grandchild.pid"), "the compiler's child");
}

#[test]
fn a_compiler_that_closes_its_streams_early_is_still_waited_for() {
    let project = Project::new();
    let ran = run_script(&project, "echo bye\nexec >&- 2>&-\nsleep 0.3\nprintf 'x' > \"$PROMETEU_OUTPUT\"\n");
    assert_eq!(ran.outcome, Outcome::Success { output_bytes: 1 });
    assert!(ran.elapsed >= Duration::from_millis(300));
    assert_eq!(ran.of(Stream::Stdout), ["bye"]);
}

// Needs process groups (a grandchild is killed too): absent from the
// std-only build (`--features portable`), which kills the direct child only.
#[cfg(not(feature = "portable"))]
#[test]
fn setting_the_interrupt_flag_kills_the_compiler_and_its_children() {
    let project = Project::new();
    let script = project.script("compiler.sh", "sleep 1000 &\necho $! > grandchild.pid\necho started\nwait\n");
    let cancel = Cancel::new();
    let run =
        CompilerRun { argv: &argv(&[&script]), paths: project.paths(), timeout: GENEROUS_TIMEOUT, cancel: &cancel };
    let started = Instant::now();
    let outcome = run_compiler(&run, &mut |_, text| {
        if text == "started" {
            cancel.cancel();
        }
    });
    assert_eq!(outcome, Outcome::Interrupted);
    assert!(outcome.describe().contains("interrupted"));
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_dies(project.pid_from("grandchild.pid"), "the compiler's child");
}

// ---------------------------------------------------------------------------
// Real Ctrl-C: this test binary runs itself as the interrupted process, so
// the signal never reaches the test harness running the other tests.
// ---------------------------------------------------------------------------

// Needs process groups (a grandchild is killed too): absent from the
// std-only build (`--features portable`), which kills the direct child only.
#[cfg(not(feature = "portable"))]
#[test]
fn interrupt_signals_kill_the_compiler() {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        let project = Project::new();
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", CHILD_MODE_TEST, "--nocapture", "--test-threads=1"])
            .env(CHILD_MODE_VAR, &project.root)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // The compiler writes these once the handler is installed and it runs.
        let compiler = project.pid_from("compiler.pid");
        let grandchild = project.pid_from("grandchild.pid");

        // SAFETY: signals our own child process only.
        unsafe { libc::kill(child.id() as i32, signal) };

        let exited = wait_for(Duration::from_secs(10), || child.try_wait().unwrap().is_some());
        if !exited {
            child.kill().unwrap();
        }
        let status = child.wait().unwrap();
        assert!(exited && status.success(), "signal {signal}: child ended with {status}");
        let report = fs_err::read_to_string(project.file("outcome.txt")).unwrap();
        assert_eq!(report, format!("{:?}", Outcome::Interrupted), "signal {signal}");
        assert_dies(compiler, "the compiler");
        assert_dies(grandchild, "the compiler's child");
    }
}

/// Does nothing in a normal test run; see `interrupt_signals_kill_the_compiler`.
#[test]
fn child_process_interrupted_by_a_signal() {
    let Ok(root) = std::env::var(CHILD_MODE_VAR) else {
        return;
    };
    let project = Project::at(None, Utf8Path::new(&root).to_owned());
    prometeu_xtask::install_ctrl_c_handler().unwrap();
    prometeu_xtask::install_ctrl_c_handler().unwrap();
    let cancel = prometeu_xtask::new_ctrl_c_run();
    let script =
        project.script("compiler.sh", "echo $$ > compiler.pid\nsleep 1000 &\necho $! > grandchild.pid\nwait\n");
    let argv = argv(&[&script]);
    let run = CompilerRun { argv: &argv, paths: project.paths(), timeout: GENEROUS_TIMEOUT, cancel: &cancel };
    let outcome = run_compiler(&run, &mut |_, _| {});
    assert!(cancel.is_cancelled());
    fs_err::write(project.file("outcome.txt"), format!("{outcome:?}")).unwrap();
}
