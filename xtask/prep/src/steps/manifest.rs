//! The manifest step: generate `build/manifest.json` from the project's
//! metadata and this run's build facts, staged then renamed into place.
//! It is the commit point of a preparation, so it is written last.

use std::time::Instant;

use prometeu_manifest::{BuildFacts, ProjectMeta};
use prometeu_packer::{
    ASSETS_PA, BUILD_DIR, Channel, LaneGuard, Level, LogLine, MANIFEST_FILE, PROGRAM_FILE, Staging, TestPoints,
    operation_id, pa, remove_outputs,
};
use serde::Serialize;

use crate::steps::{Capture, StepStatus, elapsed_ms};

/// The manifest step's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManifestResult {
    /// Whether `build/manifest.json` now holds this run's manifest.
    pub status: StepStatus,
    /// `build/manifest.json` on success.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
    /// Warnings about the manifest's sources (`cartridge.toml`, `prometeu.json`).
    pub warnings: Vec<String>,
    /// Why the step failed, in one sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Wall time of the step.
    pub elapsed_ms: u64,
}

/// The manifest step run alone: its result and every line it logged.
pub struct ManifestOutcome {
    /// The step's result.
    pub result: ManifestResult,
    /// Every line the step logged, in order.
    pub logs: Vec<LogLine>,
}

/// Generates and publishes `build/manifest.json`.
pub(crate) fn run(
    lane: &LaneGuard,
    meta: &ProjectMeta,
    facts: &BuildFacts,
    points: &TestPoints,
    log: &mut Capture<'_>,
) -> ManifestResult {
    let started = Instant::now();
    let generated = prometeu_manifest::generate(meta, facts);
    let generated_warnings = generated.as_ref().map(|g| g.warnings.clone()).unwrap_or_default();
    for w in &generated_warnings {
        log.say(LogLine::new(Channel::Manifest, Level::Warn, w.clone()));
    }
    // The result carries every warning about the manifest's sources; those of
    // cartridge.toml were logged when it was loaded.
    let warnings: Vec<String> = meta.warnings.iter().chain(&generated_warnings).cloned().collect();
    let written = generated.map_err(|e| e.to_string()).and_then(|g| publish(lane, &g.bytes, points));
    match written {
        Ok(()) => {
            log.say(LogLine::new(Channel::Manifest, Level::Info, format!("wrote {BUILD_DIR}/{MANIFEST_FILE}")));
            ManifestResult {
                status: StepStatus::Success,
                manifest: Some(format!("{BUILD_DIR}/{MANIFEST_FILE}")),
                warnings,
                error: None,
                elapsed_ms: elapsed_ms(started),
            }
        }
        Err(error) => {
            log.say(LogLine::new(Channel::Manifest, Level::Error, format!("manifest failed: {error}")));
            ManifestResult {
                status: StepStatus::Failed,
                manifest: None,
                warnings,
                error: Some(error),
                elapsed_ms: elapsed_ms(started),
            }
        }
    }
}

fn publish(lane: &LaneGuard, bytes: &[u8], points: &TestPoints) -> Result<(), String> {
    let stage = Staging::create(&lane.build_dir(), &operation_id()).map_err(|e| e.to_string())?;
    if let Err(e) = stage.write(MANIFEST_FILE, bytes) {
        let _ = stage.discard();
        return Err(e.to_string());
    }
    stage.promote(&[MANIFEST_FILE], &[], points).map_err(|e| e.to_string())
}

/// Removes `build/manifest.json`, so that until this run commits, the
/// runtime finds no manifest and refuses the half-prepared directory.
pub(crate) fn withdraw(lane: &LaneGuard) -> std::io::Result<bool> {
    remove_outputs(&lane.build_dir(), &[MANIFEST_FILE])
}

/// What `build/` holds, for the manifest step run alone: it commits what is
/// there, so it first requires both outputs of a preparation, a program and
/// an `assets.pa` that verifies.
pub(crate) fn facts_from_build(lane: &LaneGuard) -> Result<BuildFacts, Missing> {
    let build_dir = lane.build_dir();
    let program = build_dir.join(PROGRAM_FILE);
    match std::fs::metadata(&program) {
        Ok(meta) if meta.is_file() && meta.len() > 0 => {}
        _ => return Err(Missing::Program(format!("{program} is missing or empty"))),
    }
    let assets_pa = build_dir.join(ASSETS_PA);
    let inspected = pa::verify_file(&assets_pa).map_err(|violations| {
        let list: Vec<String> = violations.into_iter().map(|v| v.0).collect();
        Missing::Pack(format!("{assets_pa} is not a valid pack ({})", list.join("; ")))
    })?;
    prometeu_packer::check_same_preparation(&build_dir).map_err(Missing::Unfinished)?;
    Ok(BuildFacts { assets_pa_produced: true, packed_asset_count: inspected.header.asset_table.len() })
}

/// Which output of a preparation `build/` lacks, and what is wrong with it.
/// The advice (which step to run) is the host's to give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// No usable `build/program.pbx`: the build step must run first.
    Program(String),
    /// No verifying `build/assets.pa`: the pack step must run first.
    Pack(String),
    /// The program and the pack come from a preparation that did not finish
    /// (it stopped or was killed between its steps): only a new `play-prep`
    /// makes `build/` coherent again.
    Unfinished(String),
}

impl Missing {
    /// The step that would produce what is missing; `None` when a whole
    /// preparation must run again.
    pub fn step(&self) -> Option<crate::Step> {
        match self {
            Missing::Program(_) => Some(crate::Step::Build),
            Missing::Pack(_) => Some(crate::Step::Pack),
            Missing::Unfinished(_) => None,
        }
    }

    /// What is wrong, without advice.
    pub fn problem(&self) -> &str {
        match self {
            Missing::Program(p) | Missing::Pack(p) | Missing::Unfinished(p) => p,
        }
    }
}
