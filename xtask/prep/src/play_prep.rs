//! The operations a host calls: `play_prep` (build → pack → manifest under
//! one hold of the lane, stopping at the first failure) and each step alone.
//! Every one keeps its own log (`build/logs/<command>.jsonl`), streams it to
//! the host's observer and returns it with a typed result.

use std::time::Instant;

use prometeu_manifest::{BuildFacts, ProjectMeta};
use prometeu_packer::{
    BUILD_DIR, Channel, LaneGuard, Level, LogLine, MANIFEST_FILE, Origin, PackOptions, PackOutcome, PackResult, Status,
    operation_id, pack_workspace,
};
use serde::Serialize;

use crate::cancel::Cancel;
use prometeu_packer::PackObserver;

use crate::run_log::{Observer, RunLog};
use crate::steps::build::{self, BuildOutcome, BuildResult};
use crate::steps::manifest::{self, ManifestOutcome, ManifestResult, Missing};
use crate::steps::{Capture, Step, StepStatus, elapsed_ms};

/// The preparation result: binary status, the failed step, each step's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlayPrepResult {
    /// `success` only when all three steps succeeded.
    pub status: StepStatus,
    /// The step that stopped the run.
    pub failed_step: Option<Step>,
    /// Why the run stopped outside any step's own result (interrupted,
    /// the old manifest could not be withdrawn).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What each step that started returned.
    pub steps: Steps,
    /// Wall time of the whole run.
    pub elapsed_ms: u64,
}

/// Each step's own result; a step that never started is absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Steps {
    /// The build step's result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<BuildResult>,
    /// The pack step's result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pack: Option<PackResult>,
    /// The manifest step's result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest: Option<ManifestResult>,
}

/// A preparation's result and every line it logged, in order.
pub struct PlayPrepOutcome {
    /// The result.
    pub result: PlayPrepResult,
    /// Every line the run logged, across the steps.
    pub logs: Vec<LogLine>,
}

/// What every operation needs besides the lane: the pack's options (threads,
/// test points) and the run's cancellation token.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Pack threads and test points.
    pub pack: PackOptions,
    /// Cancelled by the host to stop this run at its next safe point.
    pub cancel: Cancel,
}

impl RunOptions {
    /// The pack's options, with this run's token as its stop request.
    fn pack_options(&self) -> PackOptions {
        PackOptions { stop: self.cancel.stop_request(), ..self.pack.clone() }
    }
}

/// Prepares `build/` of the lane's project: build, pack, manifest. The
/// caller holds the lane for the whole run; no step takes it again.
pub fn play_prep(
    lane: &LaneGuard,
    meta: &ProjectMeta,
    options: &RunOptions,
    observer: &mut dyn Observer,
) -> PlayPrepOutcome {
    let mut log = RunLog::kept(lane.project(), "play-prep", observer);
    let mut capture = Capture::new(&mut log);
    let result = prepare(lane, meta, options, &mut capture);
    PlayPrepOutcome { result, logs: capture.lines }
}

/// The run itself; every line it and its steps log lands in `log`.
fn prepare(lane: &LaneGuard, meta: &ProjectMeta, options: &RunOptions, log: &mut Capture<'_>) -> PlayPrepResult {
    let started = Instant::now();
    let mut steps = Steps::default();
    let failed = |step, error: Option<String>, steps: Steps| PlayPrepResult {
        status: StepStatus::Failed,
        failed_step: Some(step),
        error,
        steps,
        elapsed_ms: elapsed_ms(started),
    };
    if let Some(message) = cancelled_before(Step::Build, &options.cancel, log) {
        return failed(Step::Build, Some(message), steps);
    }
    config_warnings(meta, log);
    if let Err(e) = manifest::withdraw(lane) {
        let message = format!("cannot remove the previous build/manifest.json: {e}");
        log.say(LogLine::new(Channel::Manifest, Level::Error, message.clone()));
        return failed(Step::Manifest, Some(message), steps);
    }

    // One id for both steps: the manifest step run alone later checks that
    // the program and the pack it commits come from the same preparation.
    let origin = Origin::Preparation(operation_id());
    let built = build::run(lane, &origin, &meta.compiler, &options.pack.testpoints, &options.cancel, log);
    let ok = built.status == StepStatus::Success;
    let stopped = stop_reason(&options.cancel, &built.error);
    steps.build = Some(built);
    if !ok {
        return failed(Step::Build, stopped, steps);
    }

    if let Some(message) = cancelled_before(Step::Pack, &options.cancel, log) {
        return failed(Step::Pack, Some(message), steps);
    }
    let pack_options = PackOptions { origin, ..options.pack_options() };
    let pack = pack_workspace(lane, &pack_options, log).result;
    let facts =
        BuildFacts { assets_pa_produced: pack.status == Status::Success, packed_asset_count: pack.packed_asset_count };
    let ok = pack.status == Status::Success;
    let stopped = stop_reason(&options.cancel, &pack.error);
    steps.pack = Some(pack);
    if !ok {
        return failed(Step::Pack, stopped, steps);
    }

    if let Some(message) = cancelled_before(Step::Manifest, &options.cancel, log) {
        return failed(Step::Manifest, Some(message), steps);
    }
    let written = manifest::run(lane, meta, &facts, &options.pack.testpoints, log);
    let ok = written.status == StepStatus::Success;
    steps.manifest = Some(written);
    if !ok {
        return failed(Step::Manifest, None, steps);
    }
    PlayPrepResult {
        status: StepStatus::Success,
        failed_step: None,
        error: None,
        steps,
        elapsed_ms: elapsed_ms(started),
    }
}

/// A step that failed because the run was cancelled: its own sentence (the
/// pack's `STOPPED`, the build's "interrupted") is also the run's `error`,
/// so a reader of the result alone sees why it stopped.
fn stop_reason(cancel: &Cancel, step_error: &Option<String>) -> Option<String> {
    if cancel.is_cancelled() { step_error.clone() } else { None }
}

/// Once the run is cancelled, the next step does not start: logs why and
/// returns the sentence. Checked before the first step as well, so a cancel
/// during the wait for the lane changes nothing.
fn cancelled_before(next: Step, cancel: &Cancel, log: &mut Capture<'_>) -> Option<String> {
    if !cancel.is_cancelled() {
        return None;
    }
    let message = format!("interrupted: the {} step did not start", next.as_str());
    log.say(LogLine::new(next.channel(), Level::Error, message.clone()));
    Some(message)
}

/// The build step alone, with its own kept log (`build/logs/build.jsonl`).
pub fn build(lane: &LaneGuard, meta: &ProjectMeta, options: &RunOptions, observer: &mut dyn Observer) -> BuildOutcome {
    let mut log = RunLog::kept(lane.project(), "build", observer);
    let mut capture = Capture::new(&mut log);
    config_warnings(meta, &mut capture);
    let result = build::run(
        lane,
        &Origin::Alone("build"),
        &meta.compiler,
        &options.pack.testpoints,
        &options.cancel,
        &mut capture,
    );
    BuildOutcome { result, logs: capture.lines }
}

/// The pack step alone, with its own kept log (`build/logs/pack.jsonl`).
pub fn pack(lane: &LaneGuard, options: &RunOptions, observer: &mut dyn Observer) -> PackOutcome {
    let mut log = RunLog::kept(lane.project(), "pack", observer);
    pack_workspace(lane, &options.pack_options(), &mut log)
}

/// The manifest step alone, with its own kept log
/// (`build/logs/manifest.jsonl`). It commits what `build/` holds, so it
/// refuses unless `build/` holds a program and an `assets.pa` that verifies;
/// the lines logged before the refusal were streamed to `observer`.
pub fn manifest(
    lane: &LaneGuard,
    meta: &ProjectMeta,
    options: &RunOptions,
    observer: &mut dyn Observer,
) -> Result<ManifestOutcome, Missing> {
    let mut log = RunLog::kept(lane.project(), "manifest", observer);
    let mut capture = Capture::new(&mut log);
    config_warnings(meta, &mut capture);
    let facts = manifest::facts_from_build(lane)?;
    let result = manifest::run(lane, meta, &facts, &options.pack.testpoints, &mut capture);
    Ok(ManifestOutcome { result, logs: capture.lines })
}

/// A run refused because the project's configuration is wrong: the refusal
/// becomes `command`'s kept log, and `build/manifest.json` is withdrawn, so
/// neither the log nor the manifest vouches for outputs this configuration
/// did not produce. Failures here are told to the host and go no further:
/// the run is refused either way.
pub fn refuse(lane: &LaneGuard, command: &str, error: &str, observer: &mut dyn Observer) {
    let mut log = RunLog::kept(lane.project(), command, observer);
    log.log(&LogLine::new(Channel::Manifest, Level::Error, format!("refused: {error}")));
    match manifest::withdraw(lane) {
        Ok(true) => log.log(&LogLine::new(
            Channel::Manifest,
            Level::Info,
            format!("withdrew {BUILD_DIR}/{MANIFEST_FILE}: it no longer matches the configuration"),
        )),
        Ok(false) => {}
        Err(e) => log.log(&LogLine::new(
            Channel::Manifest,
            Level::Error,
            format!("cannot remove {BUILD_DIR}/{MANIFEST_FILE}: {e}"),
        )),
    }
}

/// Logs the warnings of loading `cartridge.toml` (unknown capability,
/// unknown placeholder) on the `manifest` channel, since they concern the
/// manifest's sources.
fn config_warnings(meta: &ProjectMeta, log: &mut Capture<'_>) {
    for warning in &meta.warnings {
        log.say(LogLine::new(Channel::Manifest, Level::Warn, warning.clone()));
    }
}
