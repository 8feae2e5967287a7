//! The build step: run the compiler (or take the prebuilt program) into a
//! staged `program.pbx`, then promote it to `build/program.pbx`. A program
//! the compiler did not produce in this run is never published.

use std::time::Instant;

use camino::Utf8Path;
use prometeu_manifest::Compiler;
use prometeu_packer::{
    BUILD_DIR, Channel, LaneGuard, Level, LogLine, MANIFEST_FILE, PROGRAM_FILE, Resolve, Staging, TestPoints,
    operation_id, resolve_inside,
};
use serde::Serialize;

use crate::cancel::Cancel;
use crate::compiler::{self, CompilerRun, Outcome, Placeholders, Stream};
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
    compiler: &Compiler,
    points: &TestPoints,
    cancel: &Cancel,
    log: &mut Capture<'_>,
) -> BuildResult {
    let started = Instant::now();
    let mut ended = None;
    let outcome = stage_and_promote(lane, compiler, points, cancel, &mut ended, log);
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
            }
        }
    }
}

/// Produces the program in staging and promotes it; returns its size.
fn stage_and_promote(
    lane: &LaneGuard,
    compiler: &Compiler,
    points: &TestPoints,
    cancel: &Cancel,
    ended: &mut Option<Outcome>,
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
            compile(&run, ended, log)
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
    stage.promote(&[PROGRAM_FILE], &[MANIFEST_FILE], points).map_err(|e| e.to_string())?;
    Ok(bytes)
}

fn compile(run: &CompilerRun<'_>, ended: &mut Option<Outcome>, log: &mut Capture<'_>) -> Result<u64, String> {
    log.say(LogLine::new(Channel::Build, Level::Info, format!("running {}", run.argv.join(" "))));
    let outcome = compiler::run(run, &mut |stream, text| {
        let severity = match stream {
            Stream::Stdout => Level::Info,
            Stream::Stderr => Level::Warn,
        };
        if !text.trim().is_empty() {
            log.say(LogLine::new(Channel::Build, severity, format!("[{}] {text}", stream.as_str())));
        }
    });
    *ended = Some(outcome.clone());
    match outcome {
        Outcome::Success { output_bytes } => {
            log.say(LogLine::new(Channel::Build, Level::Info, outcome.describe()));
            Ok(output_bytes)
        }
        failed => Err(failed.describe()),
    }
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
    let bytes = fs_err::read(&source).map_err(|e| format!("{what} cannot be read: {e}"))?;
    if bytes.is_empty() {
        return Err(format!("{what} is empty; a program must have content"));
    }
    stage.write(PROGRAM_FILE, &bytes).map_err(|e| e.to_string())?;
    log.say(LogLine::new(Channel::Build, Level::Info, format!("copied prebuilt {path} ({} bytes)", bytes.len())));
    Ok(bytes.len() as u64)
}
