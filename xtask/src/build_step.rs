//! The build step: run the compiler (or take the prebuilt program) into a
//! staged `program.pbx`, then promote it to `build/program.pbx`. A program
//! the compiler did not produce in this run is never published.

use std::time::Instant;

use camino::Utf8Path;
use prometeu_manifest::Compiler;
use prometeu_packer::lane::LaneGuard;
use prometeu_packer::log::{Channel, Level, LogLine};
use prometeu_packer::pack::Observer;
use prometeu_packer::paths;
use prometeu_packer::stage::{self, Stage};
use prometeu_packer::testpoint::TestPoints;
use prometeu_packer::{BUILD_DIR, PREPARATION_MARKER};
use serde::Serialize;

use crate::compiler::{self, CompilerRun, Outcome, Placeholders, Stream};
use crate::step::{Capture, StepStatus, elapsed_ms};

/// The compiler's output file name inside `build/` (upstream).
pub const PROGRAM_FILE: &str = "program.pbx";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildResult {
    pub status: StepStatus,
    /// `build/program.pbx` on success.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub program: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub program_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub elapsed_ms: u64,
}

/// The result and the `build` channel lines it captured.
pub struct BuildOutcome {
    pub result: BuildResult,
    pub logs: Vec<LogLine>,
}

pub fn build(lane: &LaneGuard, compiler: &Compiler, points: &TestPoints, observer: &mut dyn Observer) -> BuildOutcome {
    let started = Instant::now();
    let mut log = Capture::new(observer);
    let outcome = stage_and_promote(lane, compiler, points, &mut log);
    let result = match outcome {
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
            }
        }
    };
    BuildOutcome { result, logs: log.lines }
}

/// Produces the program in staging and promotes it; returns its size.
fn stage_and_promote(
    lane: &LaneGuard,
    compiler: &Compiler,
    points: &TestPoints,
    log: &mut Capture<'_>,
) -> Result<u64, String> {
    let build_dir = lane.build_dir();
    let stage = Stage::create(&build_dir, &stage::operation_id())
        .map_err(|e| format!("cannot create the staging directory: {e}"))?;
    let produced = match compiler {
        Compiler::Command { argv, timeout } => compile(lane.project(), &build_dir, &stage, argv, *timeout, log),
        Compiler::Prebuilt { path } => copy_prebuilt(lane.project(), path, &stage, log),
    };
    let bytes = match produced {
        Ok(bytes) => bytes,
        Err(e) => {
            let _ = stage.discard();
            return Err(e);
        }
    };
    stage.promote(&[PROGRAM_FILE], &[PREPARATION_MARKER], points).map_err(|e| e.to_string())?;
    Ok(bytes)
}

fn compile(
    project: &Utf8Path,
    build_dir: &Utf8Path,
    stage: &Stage,
    argv: &[String],
    timeout: std::time::Duration,
    log: &mut Capture<'_>,
) -> Result<u64, String> {
    let output = stage.path(PROGRAM_FILE);
    let run = CompilerRun::new(argv, Placeholders { project_dir: project, output: &output, build_dir }, timeout);
    log.say(LogLine::new(Channel::Build, Level::Info, format!("running {}", argv.join(" "))));
    let outcome = compiler::run(&run, &mut |stream, text| {
        let severity = match stream {
            Stream::Stdout => Level::Info,
            Stream::Stderr => Level::Warn,
        };
        if !text.trim().is_empty() {
            log.say(LogLine::new(Channel::Build, severity, format!("[{}] {text}", stream.as_str())));
        }
    });
    match outcome {
        Outcome::Success { output_bytes } => {
            log.say(LogLine::new(Channel::Build, Level::Info, outcome.describe()));
            Ok(output_bytes)
        }
        failed => Err(failed.describe()),
    }
}

fn copy_prebuilt(project: &Utf8Path, path: &str, stage: &Stage, log: &mut Capture<'_>) -> Result<u64, String> {
    let what = format!("the prebuilt program `{path}` ([compiler].prebuilt in cartridge.toml)");
    let source = paths::resolve_inside(project, path).map_err(|e| match e {
        paths::Resolve::Missing => format!("{what} does not exist; build it first or fix the path"),
        paths::Resolve::Escapes(_) => format!("{what} leads outside the project; keep it inside the project"),
        paths::Resolve::Io(e) => format!("{what} cannot be read: {e}"),
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
