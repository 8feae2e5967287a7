//! `play_prep`: build → pack → manifest under one hold of the lane,
//! stopping at the first failure (upstream DEC-0020).

use std::time::Instant;

use prometeu_manifest::{BuildFacts, ProjectMeta};
use prometeu_packer::lane::LaneGuard;
use prometeu_packer::log::{Channel, Level, LogLine};
use prometeu_packer::pack::{self, Observer, PackOptions, PackResult, Status};
use serde::Serialize;

use crate::build_step::{self, BuildResult};
use crate::manifest_step::{self, ManifestResult};
use crate::step::{Step, StepStatus, elapsed_ms};

/// The preparation result: binary status, the failed step, each step's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlayPrepResult {
    pub status: StepStatus,
    pub failed_step: Option<Step>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub steps: Steps,
    pub elapsed_ms: u64,
}

/// Each step's own result; a step that never started is absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Steps {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<BuildResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pack: Option<PackResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest: Option<ManifestResult>,
}

/// Prepares `build/` of the lane's project. The caller holds the lane for
/// the whole run; no step takes it again.
pub fn play_prep(
    lane: &LaneGuard,
    meta: &ProjectMeta,
    options: &PackOptions,
    observer: &mut dyn Observer,
) -> PlayPrepResult {
    let started = Instant::now();
    let mut steps = Steps::default();
    let failed = |step, error: Option<String>, steps: Steps| PlayPrepResult {
        status: StepStatus::Failed,
        failed_step: Some(step),
        error,
        steps,
        elapsed_ms: elapsed_ms(started),
    };
    if let Some(stopped) = interrupted(Step::Build, observer) {
        return failed(Step::Build, Some(stopped), steps);
    }
    manifest_step::report_config_warnings(meta, observer);
    if let Err(e) = manifest_step::withdraw(lane) {
        let message = format!("cannot remove the previous build/manifest.json: {e}");
        observer.log(&LogLine::new(Channel::Manifest, Level::Error, message.clone()));
        return failed(Step::Manifest, Some(message), steps);
    }

    let build = build_step::build(lane, &meta.compiler, &options.testpoints, observer).result;
    let built = build.status == StepStatus::Success;
    steps.build = Some(build);
    if !built {
        return failed(Step::Build, None, steps);
    }

    if let Some(stopped) = interrupted(Step::Pack, observer) {
        return failed(Step::Pack, Some(stopped), steps);
    }
    let pack = pack::pack_workspace(lane, options, observer).result;
    let facts =
        BuildFacts { assets_pa_produced: pack.status == Status::Success, packed_asset_count: pack.packed_asset_count };
    let packed = pack.status == Status::Success;
    steps.pack = Some(pack);
    if !packed {
        return failed(Step::Pack, None, steps);
    }

    if let Some(stopped) = interrupted(Step::Manifest, observer) {
        return failed(Step::Manifest, Some(stopped), steps);
    }
    let manifest = manifest_step::manifest(lane, meta, &facts, &options.testpoints, observer).result;
    let ok = manifest.status == StepStatus::Success;
    steps.manifest = Some(manifest);
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

/// After Ctrl-C, the next step does not start (a second Ctrl-C exits at
/// once; every step is crash-safe, so that is safe too). Checked before the
/// first step as well, so an interrupt during the wait for the lane changes
/// nothing.
fn interrupted(next: Step, observer: &mut dyn Observer) -> Option<String> {
    crate::compiler::interrupt_requested().then(|| {
        let message = format!("interrupted: the {} step did not start", next.as_str());
        let channel = match next {
            Step::Build => Channel::Build,
            Step::Pack => Channel::Pack,
            Step::Manifest => Channel::Manifest,
        };
        observer.log(&LogLine::new(channel, Level::Error, message.clone()));
        message
    })
}
