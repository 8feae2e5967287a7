//! The build step: run the compiler (or take the prebuilt program) into a
//! staged `program.pbx`, then promote it to `build/program.pbx`. A program
//! the compiler did not produce in this run is never published.

use std::time::Instant;

use camino::Utf8Path;
use prometeu_manifest::Compiler;
use prometeu_packer::{
    BUILD_DIR, Channel, LaneGuard, Level, LogLine, MANIFEST_FILE, Origin, PROGRAM_FILE, PROGRAM_ORIGIN, Resolve,
    Staging, TestPoints, operation_id, resolve_inside,
};
use serde::Serialize;

use crate::cancel::Cancel;
use crate::compiler::{self, COMPILER_OUTPUT_BUDGET, CompilerEvent, CompilerRun, Outcome, Placeholders, Stream};
use crate::steps::{Capture, StepStatus, elapsed_ms};

/// The build step's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildResult {
    /// Whether `build/program.pbx` now holds this run's program.
    pub status: StepStatus,
    /// `build/program.pbx` on success.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub program: Option<String>,
    /// The program's size on success.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub program_bytes: Option<u64>,
    /// Why the step failed, in one sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Wall time of the step.
    pub elapsed_ms: u64,
    /// How the compiler ended, when one ran.
    #[serde(skip)]
    pub compiler: Option<Outcome>,
    /// How many lines the compiler printed, when one ran. The kept log and
    /// the host get each stream's lines within `COMPILER_OUTPUT_BUDGET`
    /// (all of them unless it printed more), the returned log only the
    /// last `COMPILER_LINES_KEPT` of each stream.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compiler_lines: Option<CompilerLines>,
}

/// The last lines of each compiler stream kept in memory for a step's
/// returned log (local): enough for any error report, bounded however much
/// the compiler prints. The kept log on disk has every line.
pub const COMPILER_LINES_KEPT: usize = 1000;

/// Counts of the compiler's output lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CompilerLines {
    /// Lines on standard output, left out ones included.
    pub stdout: u64,
    /// Lines on standard error, left out ones included.
    pub stderr: u64,
    /// Lines streamed and kept on disk but not in the returned log.
    pub not_returned: u64,
    /// Lines beyond `COMPILER_OUTPUT_BUDGET`: counted, neither streamed nor kept.
    pub left_out: u64,
}

/// The last `COMPILER_LINES_KEPT` lines of each stream, in arrival order.
#[derive(Default)]
struct Tail {
    kept: [std::collections::VecDeque<(u64, LogLine)>; 2],
    /// The entries saying how many lines were left out (one per stream at most).
    notes: Vec<(u64, LogLine)>,
    lines: CompilerLines,
    arrived: u64,
}

impl Tail {
    fn push(&mut self, stream: Stream, line: LogLine) {
        let (ring, count) = match stream {
            Stream::Stdout => (&mut self.kept[0], &mut self.lines.stdout),
            Stream::Stderr => (&mut self.kept[1], &mut self.lines.stderr),
        };
        *count += 1;
        self.arrived += 1;
        if ring.len() == COMPILER_LINES_KEPT {
            ring.pop_front();
            self.lines.not_returned += 1;
        }
        ring.push_back((self.arrived, line));
    }

    /// Counts lines left out and keeps the entry that says so, in order.
    fn left_out(&mut self, stream: Stream, lines: u64, entry: LogLine) {
        match stream {
            Stream::Stdout => self.lines.stdout += lines,
            Stream::Stderr => self.lines.stderr += lines,
        }
        self.lines.left_out += lines;
        self.arrived += 1;
        self.notes.push((self.arrived, entry));
    }

    /// The kept lines of both streams, merged back into arrival order.
    fn into_lines(self) -> (Vec<LogLine>, CompilerLines) {
        let [stdout, stderr] = self.kept;
        let mut merged: Vec<(u64, LogLine)> = stdout.into_iter().chain(stderr).chain(self.notes).collect();
        merged.sort_by_key(|(order, _)| *order);
        (merged.into_iter().map(|(_, line)| line).collect(), self.lines)
    }
}

/// The build step run alone: its result and every line it logged (the
/// `cartridge.toml` warnings first, on the `manifest` channel).
pub struct BuildOutcome {
    /// The step's result.
    pub result: BuildResult,
    /// Every line the step logged, in order.
    pub logs: Vec<LogLine>,
}

/// Runs the build step into a staged `program.pbx` and promotes it.
pub(crate) fn run(
    lane: &LaneGuard,
    origin: &Origin,
    compiler: &Compiler,
    points: &TestPoints,
    cancel: &Cancel,
    log: &mut Capture<'_>,
) -> BuildResult {
    let started = Instant::now();
    let mut ended = None;
    let mut counted = None;
    let outcome = stage_and_promote(lane, origin, compiler, points, cancel, (&mut ended, &mut counted), log);
    match outcome {
        Ok(bytes) => {
            log.say(LogLine::new(
                Channel::Build,
                Level::Info,
                format!("promoted {BUILD_DIR}/{PROGRAM_FILE} ({bytes} bytes)"),
            ));
            BuildResult {
                status: StepStatus::Success,
                program: Some(format!("{BUILD_DIR}/{PROGRAM_FILE}")),
                program_bytes: Some(bytes),
                error: None,
                elapsed_ms: elapsed_ms(started),
                compiler: ended,
                compiler_lines: counted,
            }
        }
        Err(error) => {
            log.say(LogLine::new(Channel::Build, Level::Error, format!("build failed: {error}")));
            BuildResult {
                status: StepStatus::Failed,
                program: None,
                program_bytes: None,
                error: Some(error),
                elapsed_ms: elapsed_ms(started),
                compiler: ended,
                compiler_lines: counted,
            }
        }
    }
}

/// Produces the program in staging and promotes it; returns its size.
fn stage_and_promote(
    lane: &LaneGuard,
    origin: &Origin,
    compiler: &Compiler,
    points: &TestPoints,
    cancel: &Cancel,
    (ended, counted): (&mut Option<Outcome>, &mut Option<CompilerLines>),
    log: &mut Capture<'_>,
) -> Result<u64, String> {
    let build_dir = lane.build_dir();
    let stage = Staging::create(&build_dir, &operation_id())
        .map_err(|e| format!("cannot create the staging directory: {e}"))?;
    let produced = match compiler {
        Compiler::Command { argv, timeout } => {
            let paths =
                Placeholders { project_dir: lane.project(), output: &stage.path(PROGRAM_FILE), build_dir: &build_dir };
            let run = CompilerRun { argv, paths, timeout: *timeout, cancel };
            compile(&run, (ended, counted), log)
        }
        Compiler::Prebuilt { path } => copy_prebuilt(lane.project(), path, &stage, log),
    };
    let bytes = match produced {
        Ok(bytes) => bytes,
        Err(e) => {
            let _ = stage.discard();
            return Err(e);
        }
    };
    if let Err(e) = origin.stage(&stage, PROGRAM_ORIGIN) {
        let _ = stage.discard();
        return Err(format!("cannot stage the program's origin record: {e}"));
    }
    stage.promote(&[PROGRAM_FILE, PROGRAM_ORIGIN], &[MANIFEST_FILE], points).map_err(|e| e.to_string())?;
    Ok(bytes)
}

/// Runs the compiler; every line it prints is streamed as it arrives and
/// all of them are delivered before the outcome is judged.
fn compile(
    run: &CompilerRun<'_>,
    (ended, counted): (&mut Option<Outcome>, &mut Option<CompilerLines>),
    log: &mut Capture<'_>,
) -> Result<u64, String> {
    log.say(LogLine::new(Channel::Build, Level::Info, format!("running {}", run.argv.join(" "))));
    let mut tail = Tail::default();
    let outcome = compiler::run_events(run, &mut |event| match event {
        CompilerEvent::Line(stream, text) => {
            let severity = match stream {
                Stream::Stdout => Level::Info,
                Stream::Stderr => Level::Warn,
            };
            if !text.trim().is_empty() {
                let line = LogLine::new(Channel::Build, severity, format!("[{}] {text}", stream.as_str()));
                log.stream(&line);
                tail.push(stream, line);
            }
        }
        CompilerEvent::LeftOut { stream, lines } => {
            let line = left_out(stream, lines);
            log.stream(&line);
            tail.left_out(stream, lines, line);
        }
    });
    let (kept, lines) = tail.into_lines();
    log.keep(kept);
    *counted = Some(lines);
    *ended = Some(outcome.clone());
    match outcome {
        Outcome::Success { output_bytes } => {
            log.say(LogLine::new(Channel::Build, Level::Info, outcome.describe()));
            Ok(output_bytes)
        }
        failed => Err(failed.describe()),
    }
}

/// The one entry standing for the lines a stream printed beyond the budget.
fn left_out(stream: Stream, lines: u64) -> LogLine {
    let budget = COMPILER_OUTPUT_BUDGET;
    LogLine::new(
        Channel::Build,
        Level::Warn,
        format!(
            "{lines} more lines on {} left out: only the first {} and the last {} lines of each stream are kept",
            stream.as_str(),
            budget.first_lines,
            budget.last_lines
        ),
    )
}

fn copy_prebuilt(project: &Utf8Path, path: &str, stage: &Staging, log: &mut Capture<'_>) -> Result<u64, String> {
    let what = format!("the prebuilt program `{path}` ([compiler].prebuilt in cartridge.toml)");
    let source = resolve_inside(project, path).map_err(|e| match e {
        Resolve::Missing => format!("{what} does not exist; build it first or fix the path"),
        Resolve::Escapes(_) => format!("{what} leads outside the project; keep it inside the project"),
        Resolve::Io(e) => format!("{what} cannot be read: {e}"),
    })?;
    // A program under build/ is an earlier run's output, never this run's.
    if let Ok(build_dir) = project.join(BUILD_DIR).canonicalize_utf8()
        && source.starts_with(&build_dir)
    {
        return Err(format!(
            "{what} is inside {BUILD_DIR}/, where it would be an earlier run's output; \
             point `prebuilt` at the compiler's own output outside {BUILD_DIR}/"
        ));
    }
    // Streamed, never read whole: a program of any size costs a buffer.
    let mut input =
        prometeu_packer::open_regular(source.as_std_path()).map_err(|e| format!("{what} cannot be read: {e}"))?;
    let staged = stage.path(PROGRAM_FILE);
    let mut output = fs_err::File::options().write(true).create_new(true).open(&staged).map_err(|e| e.to_string())?;
    let bytes = std::io::copy(&mut input, &mut output).map_err(|e| format!("cannot copy {what}: {e}"))?;
    if bytes == 0 {
        return Err(format!("{what} is empty; a program must have content"));
    }
    log.say(LogLine::new(Channel::Build, Level::Info, format!("copied prebuilt {path} ({bytes} bytes)")));
    Ok(bytes)
}
